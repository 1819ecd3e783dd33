// Buffer throughput: utf8 encode/decode and base64 encode/decode of ~1 MiB.
// Runs unchanged under node and jsk:
//   node unode/bench/buffer.mjs
//   target/x86_64-unknown-linux-gnu/release/jsk run unode/bench/buffer.mjs
// Prints `buffer <figure> <MB/s>` lines (MB = 10^6 bytes of the Buffer side).
import { Buffer } from "node:buffer";

const MiB = 1 << 20;

// Mostly ASCII with some 2-, 3- and 4-byte characters.
function sampleText() {
  const words = ["lorem", "ipsum", "dolor", "sit", "amet", "café", "naïve", "€100", "日本語", "😀", "consectetur", "adipiscing"];
  let s = "";
  let i = 0;
  while (s.length < MiB) s += words[(i++ * 7) % words.length] + (i % 11 === 0 ? "\n" : " ");
  return s.slice(0, MiB);
}

/** Runs fn until at least 0.3 s have passed; returns MB/s for `bytes` per call. */
function measure(bytes, fn) {
  fn(); // warm up
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    iterations++;
    elapsed = performance.now() - start;
  } while (elapsed < 300);
  return (bytes * iterations) / (elapsed / 1000) / 1e6;
}

function report(figure, mbps) {
  console.log(`buffer ${figure} ${mbps.toFixed(1)}`);
}

const text = sampleText();
const encoded = Buffer.from(text, "utf8");
const b64 = encoded.toString("base64");
let sink = 0;

report("utf8-encode", measure(encoded.length, () => { sink += Buffer.from(text, "utf8").length; }));
report("utf8-decode", measure(encoded.length, () => { sink += encoded.toString("utf8").length; }));
report("base64-encode", measure(encoded.length, () => { sink += encoded.toString("base64").length; }));
report("base64-decode", measure(encoded.length, () => { sink += Buffer.from(b64, "base64").length; }));

if (sink === 0) console.log("unreachable");
