// jsk:hal/trace — record GPIO levels as a VCD file (`jsk run --trace-vcd FILE`),
// which GTKWave and PulseView open. Timestamps are microseconds since start.

import { options } from "jsk:native";
import * as sys from "jsk:sys";

const path = options.traceVcd;
const start = sys.monotonicMs();
const signals = new Map(); // name -> { id, last }
const changes = []; // [timeUs, id, level]

function vcdId(n) {
  // Printable identifiers from '!' (33) to '~' (126), as VCD allows.
  let s = "";
  do { s += String.fromCharCode(33 + (n % 94)); n = Math.floor(n / 94); } while (n > 0);
  return s;
}

function write() {
  if (!path) return;
  let out = `$date ${new Date().toISOString()} $end\n$version jsk --trace-vcd $end\n$timescale 1us $end\n$scope module gpio $end\n`;
  for (const [name, s] of signals) out += `$var wire 1 ${s.id} ${name.replace(/\s/g, "_")} $end\n`;
  out += "$upscope $end\n$enddefinitions $end\n";
  let t = -1;
  for (const [time, id, level] of changes) {
    if (time !== t) { out += `#${time}\n`; t = time; }
    out += `${level ? 1 : 0}${id}\n`;
  }
  out += `#${Math.round((sys.monotonicMs() - start) * 1000)}\n`;
  try {
    sys.writeFile(path, out);
  } catch (e) {
    console.error(`jsk: cannot write the VCD trace ${path}: ${e.message}`);
  }
}

export const trace = {
  enabled: !!path,
  /** Record that `signal` is now at `level` (only changes are kept). */
  level(signal, level) {
    if (!path) return;
    let s = signals.get(signal);
    if (!s) signals.set(signal, s = { id: vcdId(signals.size), last: undefined });
    if (s.last === level) return;
    s.last = level;
    changes.push([Math.round((sys.monotonicMs() - start) * 1000), s.id, level]);
  },
};

if (path) process.on("exit", write);
