// node:events, EventTarget and AbortController: the orders and values below
// were checked against Node 20.
import { test, assert } from "jsk:test";
import EventEmitter, { once, on, errorMonitor, getEventListeners, addAbortListener, setMaxListeners, getMaxListeners, listenerCount } from "node:events";
import { EventTarget, Event, CustomEvent } from "node:internal/event_target";
import { AbortController, AbortSignal, DOMException } from "node:internal/abort_controller";

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

test("default export is EventEmitter with the helpers attached", () => {
  assert.equal(EventEmitter.EventEmitter, EventEmitter);
  assert.equal(EventEmitter.once, once);
  assert.equal(EventEmitter.on, on);
  assert.equal(EventEmitter.errorMonitor, errorMonitor);
  assert.equal(EventEmitter.defaultMaxListeners, 10);
  assert.equal(EventEmitter.captureRejectionSymbol, Symbol.for("nodejs.rejection"));
  const e = new EventEmitter();
  assert.deepEqual(Object.keys(e), ["_events", "_eventsCount", "_maxListeners"]);
});

test("emit calls listeners in order with this = emitter, returns whether any ran", () => {
  const e = new EventEmitter();
  const seen = [];
  e.on("x", function (a, b) { seen.push([this === e, a, b]); });
  e.on("x", (a) => seen.push(a));
  assert.equal(e.emit("x", 1, 2), true);
  assert.equal(e.emit("nope"), false);
  assert.deepEqual(seen, [[true, 1, 2], 1]);
});

test("removing a listener during emit does not disturb the current emit", () => {
  const e = new EventEmitter();
  const log = [];
  const b = () => log.push("b");
  e.on("x", () => { log.push("a"); e.off("x", b); });
  e.on("x", b);
  e.on("x", () => log.push("c"));
  e.emit("x");
  e.emit("x");
  assert.equal(log.join(""), "abcac");
});

test("off removes the most recently added instance; once wrappers; listeners/rawListeners", () => {
  const e = new EventEmitter();
  const events = [];
  e.on("newListener", (t, l) => events.push(`new ${t} ${l.name} ${e.listenerCount(t)}`));
  e.on("removeListener", (t, l) => events.push(`rm ${t} ${l.name} ${e.listenerCount(t)}`));
  function f1() {}
  function f2() {}
  e.on("y", f1); e.once("y", f2); e.on("y", f1);
  assert.deepEqual(e.listeners("y").map((f) => f.name), ["f1", "f2", "f1"]);
  const raw = e.rawListeners("y");
  assert.equal(raw[1].listener, f2);
  assert.equal(raw[1].name, "bound onceWrapper");
  assert.equal(e.listenerCount("y", f1), 2);
  assert.equal(e.listenerCount("y"), 3);
  e.off("y", f1);
  assert.deepEqual(e.listeners("y").map((f) => f.name), ["f1", "f2"]);
  e.emit("y");
  assert.deepEqual(e.listeners("y").map((f) => f.name), ["f1"]);
  assert.deepEqual(events, [
    "new removeListener  0", "new y f1 0", "new y f2 1", "new y f1 2",
    "rm y f1 2", "rm y bound onceWrapper 1",
  ]);
});

test("eventNames has strings and symbols; removeAllListeners", () => {
  const e = new EventEmitter();
  const s = Symbol("s");
  e.on("a", () => {}); e.on(s, () => {});
  assert.deepEqual(e.eventNames(), ["a", s]);
  e.removeAllListeners("a");
  assert.deepEqual(e.eventNames(), [s]);
  e.removeAllListeners();
  assert.deepEqual(e.eventNames(), []);
  assert.equal(e._eventsCount, 0);
});

test("prependListener and prependOnceListener", () => {
  const e = new EventEmitter();
  const log = [];
  e.on("w", () => log.push(3));
  e.prependListener("w", () => log.push(2));
  e.prependOnceListener("w", () => log.push(1));
  e.emit("w"); e.emit("w");
  assert.deepEqual(log, [1, 2, 3, 2, 3]);
});

test("'error' rules: throw the Error, wrap non-errors, errorMonitor first", () => {
  const e = new EventEmitter();
  const boom = new Error("boom");
  assert.throws(() => e.emit("error", boom), (err) => err === boom);
  assert.throws(() => e.emit("error", { a: 1 }), (err) => err.code === "ERR_UNHANDLED_ERROR" &&
    err.message === "Unhandled error. ({ a: 1 })" && err.context.a === 1);
  assert.throws(() => e.emit("error", "str"), (err) => err.message === "Unhandled error. ('str')");
  assert.throws(() => e.emit("error"), (err) => err.message === "Unhandled error. (undefined)");
  const log = [];
  e.on(errorMonitor, (er) => log.push("monitor " + er.message));
  assert.throws(() => e.emit("error", boom));
  e.on("error", (er) => log.push("handled " + er.message));
  assert.equal(e.emit("error", new Error("b2")), true);
  assert.deepEqual(log, ["monitor boom", "monitor b2", "handled b2"]);
});

test("argument validation matches Node's errors", () => {
  const e = new EventEmitter();
  assert.throws(() => e.setMaxListeners(-1), (er) => er.code === "ERR_OUT_OF_RANGE" &&
    er.message === 'The value of "setMaxListeners" is out of range. It must be >= 0. Received -1');
  assert.throws(() => e.on("x", 5), (er) => er.code === "ERR_INVALID_ARG_TYPE" &&
    er.message === 'The "listener" argument must be of type function. Received type number (5)');
  assert.throws(() => { EventEmitter.defaultMaxListeners = "x"; }, (er) => er.code === "ERR_INVALID_ARG_TYPE");
});

test("MaxListenersExceededWarning once per emitter and event, through process.emitWarning", () => {
  const warnings = [];
  const proc = globalThis.process;
  const had = Object.prototype.hasOwnProperty.call(proc, "emitWarning");
  const prev = proc.emitWarning;
  proc.emitWarning = (w) => warnings.push(w);
  try {
    const e = new EventEmitter();
    for (let i = 0; i < 23; i++) e.on("foo", () => {});
    const s = Symbol("x");
    for (let i = 0; i < 11; i++) e.on(s, () => {});
    const quiet = new EventEmitter().setMaxListeners(0);
    for (let i = 0; i < 20; i++) quiet.on("foo", () => {});
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0].name, "MaxListenersExceededWarning");
    assert.equal(warnings[0].message, "Possible EventEmitter memory leak detected. 11 foo listeners added to [EventEmitter]. MaxListeners is 10. Use emitter.setMaxListeners() to increase limit");
    assert.equal(warnings[0].emitter, e);
    assert.equal(warnings[0].count, 11);
    assert.match(warnings[1].message, /11 Symbol\(x\) listeners/);
  } finally {
    if (had) proc.emitWarning = prev;
    else delete proc.emitWarning;
  }
});

test("old-style EventEmitter.call(this) and class extends", () => {
  function Old() { EventEmitter.call(this); this.q = 1; }
  Object.setPrototypeOf(Old.prototype, EventEmitter.prototype);
  const o = new Old();
  let got;
  o.on("z", function (v) { got = [this === o, v]; });
  o.emit("z", 5);
  assert.deepEqual(got, [true, 5]);
  class Sub extends EventEmitter {}
  const s = new Sub();
  assert.ok(s instanceof EventEmitter);
  assert.equal(s.getMaxListeners(), 10);
  EventEmitter.init.call(o);
  assert.equal(o.listenerCount("z"), 1); // init keeps existing own listeners
});

test("captureRejections routes a rejected listener promise to 'error'", async () => {
  const e = new EventEmitter({ captureRejections: true });
  const got = [];
  e.on("ev", async () => { throw new Error("rej"); });
  e.on("error", (er) => got.push(er.message));
  e.emit("ev");
  await tick(5);
  assert.deepEqual(got, ["rej"]);
  const e2 = new EventEmitter({ captureRejections: true });
  e2[Symbol.for("nodejs.rejection")] = (err, type) => got.push(`custom ${err.message} ${type}`);
  e2.on("x", () => Promise.reject(new Error("r2")));
  e2.emit("x");
  await tick(5);
  assert.deepEqual(got, ["rej", "custom r2 x"]);
});

test("events.once resolves with the args, rejects on 'error' and on abort", async () => {
  const e = new EventEmitter();
  const p = once(e, "ready");
  e.emit("ready", 1, 2);
  assert.deepEqual(await p, [1, 2]);
  const p2 = once(e, "ready2");
  e.emit("error", new Error("oops"));
  await assert.rejects(p2, (er) => er.message === "oops");
  assert.equal(e.listenerCount("error"), 0);
  const ac = new AbortController();
  const p3 = once(e, "never", { signal: ac.signal });
  ac.abort();
  await assert.rejects(p3, (er) => er.name === "AbortError" && er.code === "ABORT_ERR" && er.cause?.name === "AbortError");
  assert.equal(e.listenerCount("never"), 0);
  const et = new EventTarget();
  const p4 = once(et, "foo");
  et.dispatchEvent(new Event("foo"));
  assert.equal((await p4)[0].type, "foo");
});

test("events.on iterates events, stops on break and on abort", async () => {
  const e = new EventEmitter();
  const it = on(e, "tick");
  setTimeout(() => { e.emit("tick", 1); e.emit("tick", 2); e.emit("tick", 3); }, 1);
  const got = [];
  for await (const v of it) { got.push(v); if (got.length === 3) break; }
  assert.deepEqual(got, [[1], [2], [3]]);
  assert.equal(e.listenerCount("tick"), 0);
  assert.equal(e.listenerCount("error"), 0);
  const ac = new AbortController();
  const it2 = on(e, "tick", { signal: ac.signal });
  setTimeout(() => { e.emit("tick", 9); ac.abort(); }, 1);
  const got2 = [];
  await assert.rejects((async () => { for await (const v of it2) got2.push(v); })(), (er) => er.name === "AbortError");
  assert.deepEqual(got2, [[9]]);
  const it3 = on(e, "tick");
  e.emit("error", new Error("E"));
  await assert.rejects(it3.next(), (er) => er.message === "E");
});

test("getEventListeners, get/setMaxListeners, listenerCount, addAbortListener", async () => {
  const e = new EventEmitter();
  function f() {}
  e.on("a", f);
  assert.deepEqual(getEventListeners(e, "a"), [f]);
  const et = new EventTarget();
  et.addEventListener("b", f);
  assert.deepEqual(getEventListeners(et, "b"), [f]);
  setMaxListeners(3, e, et);
  assert.equal(getMaxListeners(e), 3);
  assert.equal(getMaxListeners(et), 3);
  assert.equal(listenerCount(e, "a"), 1);
  const ac = new AbortController();
  let n = 0;
  addAbortListener(ac.signal, () => n++);
  ac.abort();
  assert.equal(n, 1);
  const d = addAbortListener(AbortSignal.abort(), () => n++);
  assert.equal(typeof d[Symbol.dispose], "function");
  assert.equal(n, 1);
  await tick();
  assert.equal(n, 2);
});

test("EventTarget dispatch: this, target, handleEvent, preventDefault, stopImmediatePropagation", () => {
  const t = new EventTarget();
  const e = new Event("foo", { cancelable: true });
  assert.deepEqual([e.type, e.bubbles, e.cancelable, e.defaultPrevented, e.isTrusted, e.target, e.eventPhase], ["foo", false, true, false, false, null, 0]);
  assert.equal(typeof e.timeStamp, "number");
  const log = [];
  t.addEventListener("foo", function (ev) {
    log.push([this === t, ev.target === t, ev.currentTarget === t, ev.eventPhase]);
    ev.preventDefault();
  });
  t.addEventListener("foo", { handleEvent(ev) { log.push("handle"); ev.stopImmediatePropagation(); } });
  t.addEventListener("foo", () => log.push("never"));
  assert.equal(t.dispatchEvent(e), false);
  assert.deepEqual(log, [[true, true, true, 2], "handle"]);
  assert.equal(e.defaultPrevented, true);
  assert.equal(e.currentTarget, null);
  assert.throws(() => t.dispatchEvent({ type: "x" }), (er) => er.code === "ERR_INVALID_ARG_TYPE" &&
    er.message === 'The "event" argument must be an instance of Event. Received an instance of Object');
  assert.throws(() => new Event(), (er) => er.code === "ERR_MISSING_ARGS");
  const plain = new Event("y");
  plain.preventDefault();
  assert.equal(plain.defaultPrevented, false);
});

test("EventTarget once, duplicates, passive, signal, removeEventListener", () => {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("z", f);
  t.addEventListener("z", f);
  t.addEventListener("z", f, { once: true }); // same listener and capture: ignored
  t.dispatchEvent(new Event("z"));
  t.dispatchEvent(new Event("z"));
  assert.equal(n, 2);
  let m = 0;
  const g = () => m++;
  t.addEventListener("o", g, { once: true });
  t.dispatchEvent(new Event("o"));
  t.dispatchEvent(new Event("o"));
  assert.equal(m, 1);
  t.addEventListener("p", (ev) => { ev.preventDefault(); }, { passive: true });
  const pe = new Event("p", { cancelable: true });
  assert.equal(t.dispatchEvent(pe), true);
  const ac = new AbortController();
  let k = 0;
  t.addEventListener("s", () => k++, { signal: ac.signal });
  t.dispatchEvent(new Event("s"));
  ac.abort();
  t.dispatchEvent(new Event("s"));
  assert.equal(k, 1);
  t.removeEventListener("z", f);
  t.dispatchEvent(new Event("z"));
  assert.equal(n, 2);
  const ce = new CustomEvent("c", { detail: { a: 1 } });
  assert.deepEqual(ce.detail, { a: 1 });
  assert.ok(ce instanceof Event);
});

test("AbortController: abort(), reason, onabort before later listeners, throwIfAborted", () => {
  const ac = new AbortController();
  const log = [];
  ac.signal.onabort = (ev) => log.push(`onabort ${ev.type} ${ev.isTrusted}`);
  ac.signal.addEventListener("abort", () => log.push("listener"));
  assert.equal(ac.signal.aborted, false);
  ac.abort();
  ac.abort();
  assert.deepEqual(log, ["onabort abort true", "listener"]);
  assert.equal(ac.signal.aborted, true);
  const r = ac.signal.reason;
  assert.ok(r instanceof DOMException);
  assert.deepEqual([r.name, r.message, r.code], ["AbortError", "This operation was aborted", 20]);
  assert.throws(() => ac.signal.throwIfAborted(), (er) => er === r);
  assert.throws(() => new AbortSignal(), (er) => er.code === "ERR_ILLEGAL_CONSTRUCTOR" && er.message === "Illegal constructor");
  const ac2 = new AbortController();
  ac2.abort("why");
  assert.equal(ac2.signal.reason, "why");
  assert.equal(Object.prototype.toString.call(ac2.signal), "[object AbortSignal]");
});

test("AbortSignal.abort, AbortSignal.any, AbortSignal.timeout", async () => {
  assert.equal(AbortSignal.abort("x").reason, "x");
  assert.equal(AbortSignal.abort().reason.name, "AbortError");
  const a1 = new AbortController(), a2 = new AbortController();
  const any = AbortSignal.any([a1.signal, a2.signal]);
  let fired = 0;
  any.onabort = () => fired++;
  a2.abort("r2");
  a1.abort("r1");
  assert.equal(any.reason, "r2");
  assert.equal(fired, 1);
  assert.equal(AbortSignal.any([AbortSignal.abort("pre")]).reason, "pre");
  const ts = AbortSignal.timeout(10);
  assert.equal(ts.aborted, false);
  const keepAlive = setTimeout(() => {}, 1000);
  await new Promise((resolve) => ts.addEventListener("abort", resolve));
  clearTimeout(keepAlive);
  assert.deepEqual([ts.reason.name, ts.reason.message, ts.reason.code], ["TimeoutError", "The operation was aborted due to timeout", 23]);
});
