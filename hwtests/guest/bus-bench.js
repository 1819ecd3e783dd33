// The JavaScript side of the bus benchmarks (hwtests/benches/buses.rs), run in the
// boot image on jsk's kernel: SMBus transfers over i2c-dev, output toggles and edge
// events over the GPIO character device (a gpio-sim chip), through jsk:linux. The
// Rust side (hwtests/src/bin/bus_baseline.rs) makes the same ioctls after this.
// The edge-rate part runs under unode (`jsk node`), a worker thread making the edges
// while the main thread's event loop takes them.
import * as sys from "jsk:sys";
import { openI2c, openGpioChip } from "jsk:linux";
import { Worker } from "node:worker_threads";
import { simChip } from "./gpio_sim.js";

const result = (name, value) => console.log(`RESULT ${name} ${typeof value === "string" ? value : JSON.stringify(value)}`);
const nowNs = () => sys.clock_gettime(sys.CLOCK_MONOTONIC);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

// ---- I2C: SMBus read byte data from q35's smbus-eeprom at 0x50 ----------------------
const I2C_N = 2000;
const i2c = openI2c("/dev/i2c-0", { blockReads: false });
let t = performance.now();
for (let i = 0; i < I2C_N; i++) await i2c.writeRead(0x50, [i & 0xff], 1);
result("js-i2c-us", ((performance.now() - t) * 1000 / I2C_N).toFixed(1));
i2c.close();

// ---- GPIO: toggles, edge latency, edge rate -------------------------------------------
const sim = simChip("bench", 8);
result("chip", sim.chipName);
const chip = openGpioChip(`/dev/${sim.chipName}`);
const TOGGLES = 20000;
const out = chip.pin(0).intoOutput(false);
t = performance.now();
for (let i = 0; i < TOGGLES; i++) out.toggle();
result("js-toggles-per-s", Math.round(TOGGLES / ((performance.now() - t) / 1000)));

// Latency: from the kernel's timestamp of the edge to the JS callback, one edge at a time.
const EDGES = 200;
const inp = chip.pin(1).intoInput();
const lat = [];
let pending = null;
// One subscription for all of them; the time is taken first thing in the callback.
const stopLat = inp.on("edge", (e) => { const at = nowNs(); pending?.(Number(at - e.timestampNs) / 1000); });
for (let i = 0; i < EDGES; i++) {
  const got = new Promise((resolve) => { pending = resolve; });
  sys.writeFile(`${sim.line(1)}/pull`, i % 2 === 0 ? "pull-up" : "pull-down");
  lat.push(await got);
}
stopLat();
result("js-edge-latency-us", median(lat).toFixed(1));

// Rate: a worker makes BURST edges at each rate (busy-waiting between writes); the main
// thread counts what arrives with the kernel's default buffer (16 events for one line).
const BURST = 2000;
const rates = [];
for (const hz of [1000, 2000, 5000, 10000, 20000, 50000, 0]) {
  const pin = chip.pin(2, { eventBufferSize: 16 }).intoInput();
  let seen = 0;
  const stop = pin.on("edge", () => { seen++; });
  const w = new Worker(new URL("./bus-bench-gen.js", import.meta.url), { workerData: { pull: `${sim.line(2)}/pull`, count: BURST, hz } });
  const gen = await new Promise((resolve, reject) => { w.once("message", resolve); w.once("error", reject); });
  await new Promise((r) => setTimeout(r, 50));
  stop();
  rates.push({ asked: hz || "max", made: Math.round(gen.hz), seen, gaps: pin.lostEdges });
  await w.terminate();
  pin.release();
  sys.writeFile(`${sim.line(2)}/pull`, "pull-down");
}
result("js-edge-rates", rates);
const clean = rates.filter((r) => r.seen === BURST);
result("js-edge-rate-no-loss", clean.length ? Math.max(...clean.map((r) => r.made)) : 0);
chip.close();
