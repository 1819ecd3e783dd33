import { test, assert } from "jsk:test";
import asyncHooks, { AsyncLocalStorage, AsyncResource, executionAsyncId, triggerAsyncId, executionAsyncResource, createHook } from "node:async_hooks";
import timers from "node:timers";
import process from "node:process";

// What node v20 prints for the same programs.
// `jsk test` runs without unode's globals: the timers are taken from node:timers (which unode's
// globals are), read at call time since AsyncLocalStorage wraps them.

test("module shape", () => {
  assert.deepEqual(Object.keys(asyncHooks), ["AsyncLocalStorage", "createHook", "executionAsyncId", "triggerAsyncId", "executionAsyncResource", "asyncWrapProviders", "AsyncResource"]);
  assert.equal(executionAsyncId(), 1);
  assert.equal(triggerAsyncId(), 0);
  assert.equal(typeof executionAsyncResource(), "object");
});

test("run, getStore, exit, nesting, enterWith, disable", () => {
  const als = new AsyncLocalStorage(), other = new AsyncLocalStorage();
  assert.equal(als.getStore(), undefined);
  const r = als.run({ id: 1 }, (a, b) => {
    assert.equal(als.getStore().id, 1);
    other.run("o", () => {
      assert.equal(als.getStore().id, 1);
      assert.equal(other.getStore(), "o");
    });
    assert.equal(other.getStore(), undefined);
    als.exit(() => assert.equal(als.getStore(), undefined));
    assert.equal(als.getStore().id, 1);
    return a + b;
  }, 2, 3);
  assert.equal(r, 5);
  assert.equal(als.getStore(), undefined);
  assert.throws(() => als.run(1, () => { throw new Error("inside"); }), /inside/);
  assert.equal(als.getStore(), undefined);
  als.run(1, () => {
    als.enterWith(2);
    assert.equal(als.getStore(), 2);
  });
  assert.equal(als.getStore(), undefined);
  als.run(3, () => {
    als.disable();
    assert.equal(als.getStore(), undefined);
  });
});

test("the store reaches timers, immediates, ticks, microtasks and then/catch/finally callbacks", async () => {
  const als = new AsyncLocalStorage();
  const seen = [];
  await new Promise((done) => {
    als.run("S", () => {
      let n = 0;
      const note = (what) => {
        seen.push(`${what} ${als.getStore()}`);
        if (++n === 9) done();
      };
      timers.setTimeout(() => note("timeout"), 2);
      timers.setTimeout(() => note("timeout 2"), 1);
      timers.setImmediate(() => note("immediate"));
      timers.setImmediate(() => note("immediate 2"));
      process.nextTick(() => note("tick"));
      queueMicrotask(() => note("microtask"));
      Promise.resolve().then(() => note("then")).finally(() => note("finally"));
      Promise.reject(new Error("x")).catch(() => note("catch"));
    });
  });
  assert.deepEqual(seen.sort(), ["catch S", "finally S", "immediate 2 S", "immediate S", "microtask S", "then S", "tick S", "timeout 2 S", "timeout S"]);
  const iv = await new Promise((res) => als.run("I", () => {
    const t = timers.setInterval(() => {
      timers.clearInterval(t);
      res(als.getStore());
    }, 1);
  }));
  assert.equal(iv, "I");
  // The wrapped timers keep their names and return what the originals return.
  assert.equal(timers.setTimeout.name, "setTimeout");
  const t = timers.setTimeout(() => {}, 1000);
  assert.equal(typeof t.ref, "function");
  timers.clearTimeout(t);
  // A callback scheduled outside any store sees none.
  const outside = await new Promise((res) => timers.setTimeout(() => res(als.getStore()), 1));
  assert.equal(outside, undefined);
});

test("bind and snapshot", async () => {
  const als = new AsyncLocalStorage();
  const [bound, snap] = als.run(7, () => [AsyncLocalStorage.bind(() => als.getStore()), AsyncLocalStorage.snapshot()]);
  assert.equal(bound(), 7);
  assert.equal(als.run(8, () => snap(() => als.getStore())), 7);
  assert.equal(als.run(8, () => als.getStore()), 8);
});

test("AsyncResource: scope, ids, bind", () => {
  const als = new AsyncLocalStorage();
  const r = als.run("made", () => new AsyncResource("R"));
  assert.equal(als.run("other", () => r.runInAsyncScope(() => als.getStore())), "made");
  assert.ok(r.asyncId() > 1);
  assert.equal(r.triggerAsyncId(), 1);
  r.runInAsyncScope(() => {
    assert.equal(executionAsyncId(), r.asyncId());
    assert.equal(executionAsyncResource(), r);
    const inner = new AsyncResource("inner");
    assert.equal(inner.triggerAsyncId(), r.asyncId());
  });
  assert.equal(executionAsyncId(), 1);
  assert.equal(new AsyncResource("T", { triggerAsyncId: 5 }).triggerAsyncId(), 5);
  assert.equal(new AsyncResource("T", 6).triggerAsyncId(), 6);
  assert.equal(r.emitDestroy(), r);
  assert.equal(r.runInAsyncScope(function (a) { return [this, a]; }, "self", 1).join(), "self,1");
  const b = AsyncResource.bind(function named(x, y) { return this; });
  assert.equal(b.length, 2);
  assert.equal(b.call(5) == 5, true);
  assert.ok(b.asyncResource instanceof AsyncResource);
  assert.equal(r.bind((x) => x * 2, null)(4), 8);
  assert.throws(() => new AsyncResource(5), { code: "ERR_INVALID_ARG_TYPE", message: 'The "type" argument must be of type string. Received type number (5)' });
  assert.throws(() => new AsyncResource("x", -2), { code: "ERR_INVALID_ASYNC_ID", message: "Invalid triggerAsyncId value: -2" });
  assert.throws(() => AsyncResource.bind(1), { code: "ERR_INVALID_ARG_TYPE" });
});

test("createHook: enable/disable return the hook; callbacks are checked", () => {
  const h = createHook({ init() {} });
  assert.equal(h.enable(), h);
  assert.equal(h.disable(), h);
  assert.throws(() => createHook({ init: 1 }), { code: "ERR_ASYNC_CALLBACK", message: "hook.init must be a function" });
});
