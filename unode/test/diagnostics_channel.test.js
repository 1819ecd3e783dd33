import { test, assert } from "jsk:test";
import dc, { channel, hasSubscribers, subscribe, unsubscribe, tracingChannel, Channel } from "node:diagnostics_channel";
import { AsyncLocalStorage } from "node:async_hooks";
import { runTicks } from "node:internal/process/tick";

// What node v20 prints for the same programs.

test("module shape and channels by name", () => {
  assert.deepEqual(Object.keys(dc), ["channel", "hasSubscribers", "subscribe", "unsubscribe", "tracingChannel", "Channel"]);
  const ch = channel("a");
  assert.ok(ch instanceof Channel);
  assert.equal(channel("a"), ch);
  assert.equal(ch.name, "a");
  const sym = Symbol("s");
  assert.equal(channel(sym).name, sym);
  assert.throws(() => channel(5), { code: "ERR_INVALID_ARG_TYPE", message: 'The "channel" argument must be one of type string or symbol. Received type number (5)' });
});

test("subscribe, publish, unsubscribe", () => {
  const ch = channel("pub");
  const got = [];
  const sub = (m, name) => got.push([m, name]);
  assert.equal(ch.hasSubscribers, false);
  assert.equal(hasSubscribers("pub"), false);
  subscribe("pub", sub);
  assert.equal(hasSubscribers("pub"), true);
  ch.publish({ a: 1 });
  assert.deepEqual(got, [[{ a: 1 }, "pub"]]);
  assert.equal(unsubscribe("pub", sub), true);
  assert.equal(unsubscribe("pub", sub), false);
  assert.equal(unsubscribe("never", sub), false);
  ch.publish(2);
  assert.equal(got.length, 1);
  // Unsubscribing while publishing does not skip the next subscriber.
  const order = [];
  const s1 = () => { order.push(1); ch.unsubscribe(s1); };
  const s2 = () => order.push(2);
  ch.subscribe(s1);
  ch.subscribe(s2);
  ch.publish();
  ch.publish();
  assert.deepEqual(order, [1, 2, 2]);
  assert.throws(() => ch.subscribe(5), { code: "ERR_INVALID_ARG_TYPE" });
});

test("a throwing subscriber does not stop the others; its error is thrown from a tick", () => {
  const ch = channel("throws");
  const seen = [];
  ch.subscribe(() => { throw new Error("sub"); });
  ch.subscribe(() => seen.push("second"));
  ch.publish(1);
  assert.deepEqual(seen, ["second"]);
  // Run the queued tick now, to catch what it throws.
  assert.throws(() => runTicks(), /sub/);
});

test("bindStore and runStores", () => {
  const ch = channel("stores");
  const store = new AsyncLocalStorage();
  ch.bindStore(store, (m) => ({ wrapped: m }));
  assert.equal(ch.hasSubscribers, true);
  const published = [];
  ch.subscribe((m) => published.push(store.getStore()));
  const r = ch.runStores({ b: 2 }, function (x) { return [store.getStore(), x, this.t]; }, { t: "this" }, "arg");
  assert.deepEqual(r, [{ wrapped: { b: 2 } }, "arg", "this"]);
  assert.deepEqual(published, [{ wrapped: { b: 2 } }]);
  assert.equal(store.getStore(), undefined);
  assert.equal(ch.unbindStore(store), true);
  assert.equal(ch.unbindStore(store), false);
});

test("tracingChannel: traceSync, tracePromise, traceCallback", async () => {
  const tc = tracingChannel("op");
  assert.equal(tc.start, channel("tracing:op:start"));
  assert.equal(tc.asyncEnd, channel("tracing:op:asyncEnd"));
  assert.equal(Object.keys(tc).length, 0);
  assert.equal(tc.hasSubscribers, false);
  assert.equal(tc.traceSync((a) => a, {}, null, 4), 4); // no subscribers: a plain call
  const events = [];
  const handlers = {
    start: (c) => events.push(`start ${c.n}`),
    end: (c) => events.push(`end ${c.n} ${c.result}`),
    asyncStart: (c) => events.push(`asyncStart ${c.n} ${c.result}`),
    asyncEnd: (c) => events.push(`asyncEnd ${c.n}`),
    error: (c) => events.push(`error ${c.n} ${c.error.message}`),
  };
  tc.subscribe(handlers);
  assert.equal(tc.hasSubscribers, true);
  assert.equal(tc.traceSync((a, b) => a + b, { n: 1 }, null, 2, 3), 5);
  assert.throws(() => tc.traceSync(() => { throw new Error("bad"); }, { n: 2 }), /bad/);
  assert.equal(await tc.tracePromise(async (x) => x * 2, { n: 3 }, null, 21), 42);
  await assert.rejects(tc.tracePromise(async () => { throw new Error("rej"); }, { n: 4 }), /rej/);
  const v = await new Promise((res) => tc.traceCallback((x, cb) => setTimeout(() => cb(null, x + 1), 1), -1, { n: 5 }, null, 41, (err, r) => res(r)));
  assert.equal(v, 42);
  assert.deepEqual(events, [
    "start 1", "end 1 5",
    "start 2", "error 2 bad", "end 2 undefined",
    "start 3", "end 3 undefined", "asyncStart 3 42", "asyncEnd 3",
    "start 4", "end 4 undefined", "error 4 rej", "asyncStart 4 undefined", "asyncEnd 4",
    "start 5", "end 5 undefined", "asyncStart 5 42", "asyncEnd 5",
  ]);
  assert.equal(tc.unsubscribe(handlers), true);
  assert.equal(tc.hasSubscribers, false);
  assert.equal(tc.traceCallback(() => "called", -1, {}, null, 1), "called"); // no subscribers: no callback check
});
