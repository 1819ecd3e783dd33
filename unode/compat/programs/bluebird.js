// bluebird: promise utilities, cancellation-free flow, promisifyAll over node:fs, unhandled rejection hooks.
const assert = require("node:assert");
const Promise = require("bluebird");
const fs = Promise.promisifyAll(require("node:fs"));
const path = require("node:path");

(async () => {
  const r = await Promise.map([3, 1, 2], (n) => Promise.delay(n * 5).then(() => n * 10), { concurrency: 2 });
  console.log("map", JSON.stringify(r));
  console.log("props", JSON.stringify(await Promise.props({ a: Promise.resolve(1), b: Promise.delay(5, "two") })));
  console.log("reduce", await Promise.reduce([1, 2, 3], (acc, n) => Promise.delay(1).then(() => acc + n), 10));
  const some = await Promise.some([Promise.delay(20, "slow"), Promise.delay(1, "fast"), Promise.delay(5, "mid")], 2);
  console.log("some", JSON.stringify(some));
  try {
    await Promise.delay(50).timeout(5, "too slow");
  } catch (e) {
    console.log("timeout", e instanceof Promise.TimeoutError, e.message);
  }
  const settled = await Promise.allSettled([Promise.resolve(1), Promise.reject(new Error("no"))]);
  console.log("settled", settled.map((s) => (s.isFulfilled() ? s.value() : s.reason().message)).join(","));
  const text = await fs.readFileAsync(path.join(__dirname, "..", "package.json"), "utf8");
  console.log("readFileAsync", JSON.parse(text).name);
  const caught = await Promise.reject(new TypeError("t")).catch(RangeError, () => "range").catch(TypeError, (e) => "type " + e.message);
  console.log("filtered catch", caught);
  const order = [];
  await Promise.each(["a", "b", "c"], (x) => Promise.delay(3 - order.length).then(() => order.push(x)));
  console.log("each", order.join(""));
  const fn = Promise.promisify((a, b, cb) => setTimeout(() => cb(null, a + b), 1));
  console.log("promisify", await fn(2, 3));
  const p = Promise.coroutine(function* () { const a = yield Promise.delay(1, 4); return a * 2; });
  console.log("coroutine", await p());
  assert.strictEqual(await Promise.resolve(5).tap(() => 7), 5);
  process.on("unhandledRejection", (reason) => {
    console.log("unhandledRejection", reason.message);
    console.log("ok bluebird");
  });
  Promise.reject(new Error("nobody catches me"));
})();
