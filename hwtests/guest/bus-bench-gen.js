// The edge generator of hwtests/guest/bus-bench.js, in a worker thread: `count` writes
// of gpio-sim's pull file, alternating up and down, paced at `hz` (0: as fast as the
// writes go). Posts { hz } actually made.
import { workerData, parentPort } from "node:worker_threads";
import { writeFileSync } from "node:fs";

const { pull, count, hz } = workerData;
const step = hz ? 1000 / hz : 0;
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  if (step) while (performance.now() - t0 < i * step);
  writeFileSync(pull, i % 2 === 0 ? "pull-up" : "pull-down");
}
parentPort.postMessage({ hz: count / ((performance.now() - t0) / 1000) });
