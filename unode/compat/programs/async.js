// async: control flow over real timers (parallel, series, waterfall, queue with concurrency, retry, mapLimit).
const assert = require("node:assert");
const async = require("async");
const log = [];
const later = (ms, v) => (cb) => setTimeout(() => { log.push(v); cb(null, v); }, ms);

async.series([
  (cb) => async.parallel({ a: later(30, "a"), b: later(10, "b"), c: later(20, "c") }, (err, r) => { console.log("parallel", JSON.stringify(r), log.join("")); cb(err); }),
  (cb) => async.waterfall([(next) => next(null, 2), (n, next) => setImmediate(() => next(null, n * 3)), (n, next) => next(null, n + 1)], (err, r) => { console.log("waterfall", r); cb(err); }),
  (cb) => {
    const order = [];
    const q = async.queue((task, done) => setTimeout(() => { order.push(task); done(); }, task.ms), 2);
    q.drain(() => { console.log("queue", order.map((t) => t.id).join(",")); cb(); });
    q.push([{ id: 1, ms: 30 }, { id: 2, ms: 5 }, { id: 3, ms: 5 }, { id: 4, ms: 1 }]);
  },
  (cb) => {
    let tries = 0;
    async.retry({ times: 4, interval: 5 }, (done) => done(++tries < 3 ? new Error("flaky") : null, tries), (err, r) => { console.log("retry", r, tries); cb(err); });
  },
  (cb) => {
    let running = 0, max = 0;
    async.mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      running++; max = Math.max(max, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return n * n;
    }, (err, r) => { console.log("mapLimit", JSON.stringify(r), "max", max); cb(err); });
  },
  (cb) => async.auto({ x: (c) => c(null, 1), y: ["x", (res, c) => c(null, res.x + 1)], z: ["x", "y", (res, c) => c(null, res.x + res.y)] }, (err, r) => { console.log("auto", JSON.stringify(r)); cb(err); }),
], async (err) => {
  assert.ifError(err);
  const r = await async.filter([1, 2, 3, 4], async (n) => n % 2 === 0);
  console.log("filter", JSON.stringify(r));
  async.timeout((cb) => setTimeout(cb, 100), 10)((e) => {
    console.log("timeout", e.code);
    console.log("ok async");
  });
});
