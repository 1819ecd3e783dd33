import { test, assert } from "jsk:test";

test("util.promisify(setTimeout) and (setImmediate) are the timers/promises forms", async () => {
  const { promisify } = await import("node:util");
  const { setTimeout: st, setImmediate: si } = await import("node:timers");
  assert.equal(await promisify(st)(2, "later"), "later");
  assert.equal(await promisify(si)("soon"), "soon");
});
