import { test, assert } from "jsk:test";
import stringDecoderModule, { StringDecoder } from "node:string_decoder";
import { Buffer } from "node:buffer";

// Expected outputs were checked against node v20, chunk by chunk.
function run(encoding, chunks, last) {
  const d = new StringDecoder(encoding);
  const out = chunks.map((c) => d.write(Buffer.from(c)));
  out.push(last === undefined ? d.end() : d.end(Buffer.from(last)));
  return out;
}

test("module shape", () => {
  assert.equal(stringDecoderModule.StringDecoder, StringDecoder);
  const d = new StringDecoder();
  assert.equal(d.encoding, "utf8");
  assert.deepEqual(Object.keys(d), ["encoding"]);
  assert.equal(new StringDecoder("UCS2").encoding, "utf16le");
  assert.equal(new StringDecoder("binary").encoding, "latin1");
  assert.equal(new StringDecoder("").encoding, "utf8");
  assert.equal(new StringDecoder(null).encoding, "utf8");
  assert.throws(() => new StringDecoder("foo"), { code: "ERR_UNKNOWN_ENCODING", message: "Unknown encoding: foo" });
  assert.throws(() => d.write(5), { code: "ERR_INVALID_ARG_TYPE", message: 'The "buf" argument must be an instance of Buffer, TypedArray, or DataView. Received type number (5)' });
  assert.equal(d.write("str"), "str");
});

test("utf8: a character split across writes is held until complete", () => {
  assert.deepEqual(run("utf8", [[0xe2], [0x82], [0xac]]), ["", "", "€", ""]);
  assert.deepEqual(run("utf8", [[0xf0, 0x9f], [0x98, 0x80, 0x41]]), ["", "😀A", ""]);
  assert.deepEqual(run("utf8", [[0x41, 0xf0], [0x9f, 0x98], [0x80]]), ["A", "", "😀", ""]);
  assert.deepEqual(run("utf8", [[0xe2, 0x82]], [0xac]), ["", "€"]);
  assert.deepEqual(run("utf8", [[0xe2, 0x82, 0xac, 0xe2]]), ["€", "\ufffd"]);
  const d = new StringDecoder("utf8");
  d.write(Buffer.from([0xe2]));
  assert.equal(d.lastNeed, 2);
  assert.equal(d.lastTotal, 3);
  assert.equal(d.lastChar[0], 0xe2);
});

test("utf8: interrupted, invalid and unfinished sequences", () => {
  assert.deepEqual(run("utf8", [[0xe2, 0x82], [0x41]]), ["", "\ufffdA", ""]);
  assert.deepEqual(run("utf8", [[0xe2], [0x41]]), ["", "\ufffdA", ""]);
  assert.deepEqual(run("utf8", [[0xf0, 0x9f]]), ["", "\ufffd"]);
  assert.deepEqual(run("utf8", [[0xf0], [0x9f], [0x41]]), ["", "", "\ufffdA", ""]);
  assert.deepEqual(run("utf8", [[0xf0, 0x41]]), ["\ufffdA", ""]);
  assert.deepEqual(run("utf8", [[0xe0, 0x80], [0x80]]), ["", "\ufffd\ufffd\ufffd", ""]);
  assert.deepEqual(run("utf8", [[0xed, 0xa0], [0x80]]), ["", "\ufffd\ufffd\ufffd", ""]);
  assert.deepEqual(run("utf8", [[0xf4, 0x90], [0x80, 0x80]]), ["", "\ufffd\ufffd\ufffd\ufffd", ""]);
  assert.deepEqual(run("utf8", [[0xc0], [0xaf]]), ["", "\ufffd\ufffd", ""]);
  assert.deepEqual(run("utf8", [[0xff], [0x41]]), ["\ufffd", "A", ""]);
  assert.deepEqual(run("utf8", [[0x80, 0x80]]), ["\ufffd\ufffd", ""]);
  assert.deepEqual(run("utf8", [[0xe2, 0x82]], [0x41]), ["", "\ufffdA"]);
  assert.deepEqual(run("utf8", [[0xf4, 0x80], [0x9f, 0xf8]]), ["", "\ufffd\ufffd", ""]);
  assert.deepEqual(run("utf8", [[0, 0xf5, 0x3d, 0xed]]), ["\u0000\ufffd=", "\ufffd"]);
});

test("utf8: end() resets the decoder", () => {
  const d = new StringDecoder("utf8");
  d.write(Buffer.from([0xe2]));
  assert.equal(d.end(), "\ufffd");
  assert.equal(d.write(Buffer.from("x")), "x");
  assert.equal(d.end(), "");
  const big = "héllo wörld €😀 ".repeat(2000);
  const bytes = Buffer.from(big);
  let out = "";
  for (let i = 0; i < bytes.length; i += 7) out += d.write(bytes.subarray(i, i + 7));
  out += d.end();
  assert.equal(out, big);
});

test("utf16le: odd bytes and split surrogate pairs", () => {
  assert.deepEqual(run("utf16le", [[0x61], [0x00, 0x62]]), ["", "a", ""]);
  assert.deepEqual(run("utf16le", [[0x3d, 0xd8], [0x00, 0xde]]), ["", "😀", ""]);
  assert.deepEqual(run("utf16le", [[0x3d, 0xd8]]), ["", "\ud83d"]);
  assert.deepEqual(run("utf16le", [[0x3d, 0xd8, 0x61, 0x00]]), ["\ud83da", ""]);
  assert.deepEqual(run("utf16le", [[0x3d]]), ["", ""]);
  assert.deepEqual(run("utf16le", [[0x3d, 0xd8, 0x00]]), ["\ud83d", ""]);
  assert.deepEqual(run("utf16le", [[0x3d], [0xd8]]), ["", "\ud83d", ""]);
  assert.deepEqual(run("utf16le", [[0x3d, 0xd8, 0x00], [0xde]]), ["\ud83d", "\ude00", ""]);
  assert.deepEqual(run("utf16le", [[0x00, 0xde]]), ["\ude00", ""]);
  assert.deepEqual(run("ucs2", [[0x3d], [0xd8], [0x00], [0xde, 0x62], [0x00]]), ["", "\ud83d", "", "\ude00", "b", ""]);
  assert.deepEqual(run("ucs2", [[0x3d, 0xd8], [0x00], [0xde, 0x62], [0x00]]), ["", "", "😀", "b", ""]);
});

test("base64 / base64url hold back unfinished groups", () => {
  assert.deepEqual(run("base64", [[0x61], [0x62], [0x63, 0x64]]), ["", "", "YWJj", "ZA=="]);
  assert.deepEqual(run("base64url", [[0xfb], [0xff]]), ["", "", "-_8"]);
  assert.deepEqual(run("base64", [[0xfb]], [0xff]), ["", "+/8="]);
  assert.deepEqual(run("base64", [[1, 2, 3, 4, 5, 6]]), ["AQIDBAUG", ""]);
});

test("hex, latin1, ascii are stateless", () => {
  assert.deepEqual(run("hex", [[0xfb], [0xff]]), ["fb", "ff", ""]);
  assert.deepEqual(run("latin1", [[0xfb], [0xff]]), ["\u00fb", "\u00ff", ""]);
  assert.deepEqual(run("ascii", [[0xfb], [0x41]]), ["{", "A", ""]);
});

test("typed arrays and DataViews are accepted; text() decodes from an offset", () => {
  const d = new StringDecoder("utf8");
  assert.equal(d.write(new Uint8Array([0x68, 0x69])), "hi");
  assert.equal(d.write(new DataView(new Uint8Array([0x6f, 0x6b]).buffer)), "ok");
  const u = new StringDecoder("utf16le");
  assert.equal(u.text(Buffer.from("abcd"), 1), "\u6362");
  assert.equal(u.end(), "");
});
