// node:worker_threads: workers on their own threads, messages both ways,
// ArrayBuffer transfer, errors, terminate, MessageChannel, and the
// deserialiser fed hostile bytes. Expected values were checked against Node 20.
import { test, assert } from "jsk:test";
import * as native from "jsk:native";
import nodeAssert from "node:assert";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { URL } from "node:url";
import process from "node:process";
import wt, {
  Worker, isMainThread, parentPort, threadId, MessageChannel, MessagePort, receiveMessageOnPort,
  SHARE_ENV, resourceLimits, setEnvironmentData, getEnvironmentData, markAsUntransferable,
} from "node:worker_threads";
import { serialize, deserialize } from "node:internal/worker/serialize";

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

/** Resolves with { messages, errors, code } once the worker exits. */
function run(code, options = {}, onStart = () => {}) {
  return new Promise((resolve) => {
    const w = new Worker(code, { eval: true, ...options });
    const messages = [];
    const errors = [];
    w.on("message", (m) => messages.push(m));
    w.on("error", (e) => errors.push(e));
    w.on("exit", (code) => resolve({ messages, errors, code, worker: w }));
    onStart(w);
  });
}

function sample() {
  const ab = new ArrayBuffer(16);
  new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const shared = { s: 1 };
  const cyclic = { name: "c" };
  cyclic.self = cyclic;
  const err = new RangeError("out of range", { cause: new Error("inner") });
  return {
    undef: undefined, nul: null, t: true, f: false, int: 42, neg: -7, negZero: -0, nan: NaN, inf: -Infinity,
    float: 3.25, big: 2n ** 70n, negBig: -5n, str: "héllo wörld ✓ 🚀", lone: "a\ud800b", empty: "",
    long: "x".repeat(10000), arr: [1, "two", [3]], sparse: [1, , 3], date: new Date(1700000000123),
    re: /ab+c/gi, map: new Map([[1, "one"], ["k", { v: 2 }]]), set: new Set([1, "a", 3n]),
    err, type: new TypeError("bad type"), ab,
    u8: new Uint8Array([1, 2, 255]), i16: new Int16Array([-1, 300]), f64: new Float64Array([1.5, -0]),
    b64: new BigInt64Array([-1n, 2n ** 62n]), clamped: new Uint8ClampedArray([0, 255]),
    view: new Uint8Array(ab, 4, 8), dv: new DataView(ab, 2, 4),
    boxed: [Object(1), Object("s"), Object(false)], nested: { a: { b: { c: [shared, shared] } } }, cyclic,
  };
}

function checkSample(v) {
  const s = sample();
  for (const k of ["undef", "nul", "t", "f", "int", "neg", "float", "big", "negBig", "str", "lone", "empty", "long", "inf"]) {
    assert.equal(v[k], s[k], k);
  }
  assert.ok(Object.is(v.negZero, -0), "-0");
  assert.ok(Number.isNaN(v.nan), "NaN");
  assert.ok("undef" in v);
  nodeAssert.deepStrictEqual(v.arr, s.arr);
  assert.equal(v.sparse.length, 3);
  assert.ok(!(1 in v.sparse), "hole kept");
  assert.ok(v.date instanceof Date && v.date.getTime() === 1700000000123);
  assert.ok(v.re instanceof RegExp && v.re.source === "ab+c" && v.re.flags === "gi");
  nodeAssert.deepStrictEqual(v.map, s.map);
  nodeAssert.deepStrictEqual(v.set, s.set);
  assert.ok(v.err instanceof RangeError);
  assert.equal(v.err.message, "out of range");
  assert.ok(v.err.cause instanceof Error && v.err.cause.message === "inner");
  assert.ok(typeof v.err.stack === "string");
  assert.ok(v.type instanceof TypeError && v.type.message === "bad type");
  assert.ok(v.ab instanceof ArrayBuffer && v.ab.byteLength === 16);
  nodeAssert.deepStrictEqual(v.u8, s.u8);
  nodeAssert.deepStrictEqual(v.i16, s.i16);
  assert.ok(v.f64 instanceof Float64Array && v.f64[0] === 1.5 && Object.is(v.f64[1], -0));
  nodeAssert.deepStrictEqual(v.b64, s.b64);
  nodeAssert.deepStrictEqual(v.clamped, s.clamped);
  assert.ok(v.view instanceof Uint8Array && v.view.byteOffset === 4 && v.view.length === 8 && v.view[0] === 5);
  assert.equal(v.view.buffer, v.ab, "a view shares the ArrayBuffer it shared before");
  assert.ok(v.dv instanceof DataView && v.dv.buffer === v.ab && v.dv.getUint8(0) === 3);
  assert.ok(v.boxed[0] instanceof Number && v.boxed[1] instanceof String && v.boxed[2] instanceof Boolean);
  assert.equal(v.nested.a.b.c[0], v.nested.a.b.c[1], "shared reference kept");
  assert.equal(v.cyclic.self, v.cyclic, "cycle kept");
}

test("module shape: main thread values, default export matches the named ones", () => {
  assert.equal(isMainThread, true);
  assert.equal(parentPort, null);
  assert.equal(threadId, 0);
  assert.deepEqual(resourceLimits, {});
  assert.equal(SHARE_ENV, Symbol.for("nodejs.worker_threads.SHARE_ENV"));
  assert.equal(wt.Worker, Worker);
  assert.equal(wt.MessageChannel, MessageChannel);
  assert.equal(wt.isMainThread, true);
  assert.equal(typeof wt.receiveMessageOnPort, "function");
  assert.equal(typeof wt.markAsUntransferable, "function");
});

test("the serialiser round-trips every supported type in one thread", () => {
  const s = serialize(sample());
  checkSample(deserialize(s.body, s.buffers.map((b) => b.slice(0))));
});

test("workerData round trip with every supported type", async () => {
  const r = await run(`const { parentPort, workerData, isMainThread, threadId } = require("node:worker_threads");
    parentPort.postMessage({ back: workerData, isMainThread, threadId });`, { workerData: sample() });
  assert.equal(r.code, 0);
  assert.equal(r.errors.length, 0);
  assert.equal(r.messages.length, 1);
  assert.equal(r.messages[0].isMainThread, false);
  assert.ok(r.messages[0].threadId > 0);
  checkSample(r.messages[0].back);
});

test("a CPU-bound worker runs in parallel: the parent's timer keeps ticking", async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const t0 = Date.now();
  const r = await run(`const { parentPort, workerData } = require("node:worker_threads");
    function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    const t0 = Date.now(); const v = fib(workerData); parentPort.postMessage({ v, ms: Date.now() - t0 });`, { workerData: 29 });
  clearInterval(timer);
  assert.equal(r.code, 0);
  assert.equal(r.messages[0].v, 514229);
  // fib(29) takes a while in QuickJS; the parent's 5 ms interval ran meanwhile.
  assert.ok(r.messages[0].ms > 30, `fib took ${r.messages[0].ms} ms`);
  assert.ok(ticks >= Math.floor(r.messages[0].ms / 5 / 3), `${ticks} ticks in ${Date.now() - t0} ms`);
});

test("postMessage both ways; a transferred 16 MiB ArrayBuffer is detached and arrives whole", async () => {
  const size = 16 << 20;
  let received = null;
  const r = await run(`const { parentPort } = require("node:worker_threads");
    parentPort.on("message", (ab) => {
      const u = new Uint8Array(ab);
      let ok = ab.byteLength === ${size};
      for (let i = 0; i < u.length; i += 65536) if (u[i] !== (i >>> 16) % 251) ok = false;
      const back = new Uint8Array(${size});
      for (let i = 0; i < back.length; i += 65536) back[i] = (i >>> 16) % 13;
      parentPort.postMessage({ ok, len: ab.byteLength, back }, [back.buffer]);
      parentPort.postMessage({ detachedInWorker: back.buffer.byteLength });
      parentPort.close();
    });`, {}, (w) => {
    const ab = new ArrayBuffer(size);
    const u = new Uint8Array(ab);
    for (let i = 0; i < u.length; i += 65536) u[i] = (i >>> 16) % 251;
    w.postMessage(ab, [ab]);
    received = { len: ab.byteLength, detached: ab.detached };
  });
  assert.deepEqual(received, { len: 0, detached: true });
  assert.equal(r.code, 0);
  assert.equal(r.messages[0].ok, true);
  assert.equal(r.messages[0].len, size);
  const back = r.messages[0].back;
  assert.equal(back.length, size);
  let ok = true;
  for (let i = 0; i < back.length; i += 65536) if (back[i] !== (i >>> 16) % 13) ok = false;
  assert.ok(ok, "bytes from the worker");
  assert.equal(r.messages[1].detachedInWorker, 0);
});

test("a copied (not transferred) ArrayBuffer stays with the sender", async () => {
  const ab = new Uint8Array([9, 8, 7]).buffer;
  const r = await run(`const { parentPort } = require("node:worker_threads");
    parentPort.once("message", (m) => { parentPort.postMessage(Array.from(new Uint8Array(m))); parentPort.close(); });`,
  {}, (w) => { w.postMessage(ab); new Uint8Array(ab)[0] = 1; });
  assert.equal(ab.byteLength, 3);
  assert.deepEqual(r.messages, [[9, 8, 7]]);
});

test("an uncaught exception in the worker: 'error' with its message and stack, then exit 1", async () => {
  const r = await run(`setTimeout(() => { const e = new TypeError("boom in worker"); e.code = "E_BOOM"; throw e; }, 5);`);
  assert.equal(r.code, 1);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0];
  assert.ok(e instanceof TypeError);
  assert.equal(e.message, "boom in worker");
  assert.equal(e.code, "E_BOOM");
  assert.match(e.stack, /boom in worker/);
  assert.match(e.stack, /worker eval/);
});

test("a thrown non-Error, a rejected promise, a syntax error: 'error', exit 1", async () => {
  let r = await run("throw 42");
  assert.deepEqual([r.errors, r.code], [[42], 1]);
  r = await run(`Promise.reject(new RangeError("rejected"))`);
  assert.equal(r.code, 1);
  assert.ok(r.errors[0] instanceof RangeError);
  assert.equal(r.errors[0].message, "rejected");
  r = await run("let x = ;");
  assert.equal(r.code, 1);
  assert.ok(r.errors[0] instanceof SyntaxError);
});

test("process.on('uncaughtException') inside the worker keeps it going", async () => {
  const r = await run(`const { parentPort } = require("node:worker_threads");
    process.on("uncaughtException", (e) => parentPort.postMessage("caught " + e.message));
    setTimeout(() => { throw new Error("x"); }, 1);`);
  assert.deepEqual([r.messages, r.errors.length, r.code], [["caught x"], 0, 0]);
});

test("process.exit(code) in a worker ends only the worker, after its 'exit' listeners", async () => {
  const r = await run(`const { parentPort } = require("node:worker_threads");
    process.on("exit", (c) => parentPort.postMessage("exit event " + c));
    process.exit(7);
    parentPort.postMessage("not reached");`);
  assert.equal(r.code, 7);
  assert.deepEqual(r.messages, ["exit event 7"]);
});

test("terminate() stops a worker stuck in an infinite loop", async () => {
  const online = [];
  const t0 = Date.now();
  let done;
  const r = await run("for (;;) {}", {}, (w) => {
    w.on("online", () => {
      online.push(true);
      done = w.terminate();
    });
  });
  assert.equal(r.code, 1);
  assert.deepEqual(online, [true]);
  assert.equal(await done, 1);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(await r.worker.terminate(), undefined, "terminating an exited worker");
});

test("8 workers at once", async () => {
  const code = `const { parentPort, workerData } = require("node:worker_threads");
    function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    parentPort.postMessage([workerData, fib(18 + workerData % 3)]);`;
  const ids = new Set();
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(code, { workerData: i }, (w) => ids.add(w.threadId))));
  const fib = [2584, 4181, 6765];
  assert.equal(ids.size, 8, "distinct thread ids");
  results.forEach((r, i) => {
    assert.equal(r.code, 0);
    assert.deepEqual(r.messages, [[i, fib[i % 3]]]);
    assert.equal(r.worker.threadId, -1, "threadId is -1 once exited");
  });
});

test("eval: true — CommonJS with require, argv, env object, __filename", async () => {
  const r = await run(`const { parentPort } = require("node:worker_threads");
    parentPort.postMessage([process.argv.slice(1), typeof require, __filename, process.env.BAR, process.env.HOME]);`,
  { argv: [1, "a"], env: { BAR: 1 } });
  assert.deepEqual(r.messages, [[["[worker eval]", "1", "a"], "function", "[worker eval]", "1", undefined]]);
});

test("a worker file (ES module by URL), with environment data and SHARE_ENV", async () => {
  const dir = mkdtempSync("/tmp/unode-wt-");
  try {
    const file = `${dir}/w.mjs`;
    writeFileSync(file, `import { parentPort, workerData, getEnvironmentData } from "node:worker_threads";
      parentPort.postMessage([workerData * 2, getEnvironmentData("k"), process.env.UNODE_WT_TEST, process.argv[1]]);`);
    setEnvironmentData("k", { v: [1] });
    process.env.UNODE_WT_TEST = "yes";
    const r = await new Promise((resolve) => {
      const w = new Worker(new URL(`file://${file}`), { workerData: 21, env: SHARE_ENV });
      const out = [];
      w.on("message", (m) => out.push(m));
      w.on("error", (e) => out.push(e));
      w.on("exit", (code) => resolve({ out, code }));
    });
    setEnvironmentData("k", undefined);
    assert.equal(getEnvironmentData("k"), undefined);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out, [[42, { v: [1] }, "yes", file]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad arguments: a bare filename, a missing file, an uncloneable workerData", async () => {
  assert.throws(() => new Worker("x.js"), /ERR_WORKER_PATH|absolute path/);
  assert.throws(() => new Worker("1", { eval: true, workerData: () => 1 }), (e) => e.name === "DataCloneError");
  const r = await new Promise((resolve) => {
    const w = new Worker("/nonexistent/unode-wt.js");
    const errors = [];
    w.on("error", (e) => errors.push(e));
    w.on("exit", (code) => resolve({ errors, code }));
  });
  assert.equal(r.code, 1);
  assert.equal(r.errors[0].code, "MODULE_NOT_FOUND");
});

test("resourceLimits: a worker over its heap limit gets ERR_WORKER_OUT_OF_MEMORY; the parent lives on", async () => {
  const r = await run("const a = []; for (;;) a.push(new Array(1000).fill(1));", { resourceLimits: { maxOldGenerationSizeMb: 16 } });
  assert.equal(r.code, 1);
  assert.equal(r.errors[0].code, "ERR_WORKER_OUT_OF_MEMORY");
  const r2 = await run(`require("node:worker_threads").parentPort.postMessage(require("node:worker_threads").resourceLimits.stackSizeMb)`,
    { resourceLimits: { stackSizeMb: 8 } });
  assert.deepEqual(r2.messages, [8]);
});

test("a worker started from a worker", async () => {
  const r = await run(`const { Worker, parentPort, threadId } = require("node:worker_threads");
    const w = new Worker('require("node:worker_threads").parentPort.postMessage(require("node:worker_threads").threadId * 10)', { eval: true });
    w.on("message", (m) => parentPort.postMessage([threadId, m]));`);
  assert.equal(r.code, 0);
  const [[outer, inner]] = r.messages;
  assert.ok(inner > outer * 10, `${outer} ${inner}`);
});

test("a worker whose parentPort listens stays alive until the port closes", async () => {
  const r = await run(`const { parentPort } = require("node:worker_threads");
    let n = 0;
    parentPort.on("message", (m) => { parentPort.postMessage(m + 1); if (++n === 2) parentPort.close(); });`, {}, async (w) => {
    await tick(50);
    w.postMessage(1);
    await tick(50);
    w.postMessage(10);
  });
  assert.deepEqual([r.messages, r.code], [[2, 11], 0]);
});

test("a hostile or truncated message is a clean DataCloneError", () => {
  const s = serialize(sample());
  const body = s.body;
  const buffers = s.buffers.map((b) => b.slice(0));
  let errors = 0;
  for (let n = 0; n < body.length; n += Math.max(1, body.length >> 9)) {
    assert.throws(() => deserialize(body.subarray(0, n), buffers), (e) => e.name === "DataCloneError", `prefix ${n}`);
    errors++;
  }
  assert.ok(errors > 100);
  // Flipped bytes: an error or some value, never a crash or a hang.
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 1500; i++) {
    const copy = body.slice();
    for (let k = 0; k < 3; k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
    try {
      deserialize(copy, buffers.map((b) => b.slice(0)));
    } catch (e) {
      assert.ok(e instanceof Error || e.name === "DataCloneError", String(e));
    }
  }
  const huge = (tag) => { const u = new Uint8Array(6); u[0] = tag; new DataView(u.buffer).setUint32(1, 0xffffffff, true); return u; };
  for (const tag of [7, 8, 10, 11, 15, 16]) {
    assert.throws(() => deserialize(huge(tag)), (e) => e.name === "DataCloneError" && /exceeds|truncated/.test(e.message), `tag ${tag}`);
  }
  assert.throws(() => deserialize(new Uint8Array([200])), /unknown tag/);
  assert.throws(() => deserialize(new Uint8Array([9, 0, 0, 0, 0])), /reference/);
  assert.throws(() => deserialize(new Uint8Array([18, 0, 0, 0, 0])), /buffer 0 is missing/);
  assert.throws(() => deserialize(new Uint8Array([1, 1])), /left over/);
  // A view reaching past its buffer.
  const v = serialize(new Uint8Array(4));
  const bad = v.body.slice();
  new DataView(bad.buffer).setUint32(6, 100, true);
  assert.throws(() => deserialize(bad, [new ArrayBuffer(4)]), /outside its buffer/);
  // Deep nesting is refused, not a stack overflow.
  const deep = new Uint8Array(100001).fill(11);
  assert.throws(() => deserialize(deep), (e) => e.name === "DataCloneError");
});

test("garbage posted to a worker through the host is a 'messageerror', and the worker goes on", async () => {
  const r = await run(`const { parentPort } = require("node:worker_threads");
    parentPort.on("messageerror", (e) => parentPort.postMessage("messageerror " + e.name));
    parentPort.on("message", (m) => { parentPort.postMessage("message " + m); parentPort.close(); });`, {}, (w) => {
    native.threadPost(w.threadId, [native.encodeUtf8("1|||0"), new ArrayBuffer(0), new Uint8Array([10, 255, 255])]);
    native.threadPost(w.threadId, [new Uint8Array([1, 2, 3])]);
    w.postMessage("after");
  });
  assert.deepEqual(r.messages, ["messageerror DataCloneError", "messageerror DataCloneError", "message after"]);
});

test("postMessage refuses what cannot be cloned, as Node does", () => {
  const { port1, port2 } = new MessageChannel();
  try {
    assert.throws(() => port1.postMessage(() => 1), (e) => e.name === "DataCloneError" && e.message === "() => 1 could not be cloned.");
    assert.throws(() => port1.postMessage(Symbol("x")), (e) => e.name === "DataCloneError");
    assert.throws(() => port1.postMessage(new WeakMap()), (e) => e.name === "DataCloneError");
    assert.throws(() => port1.postMessage({ p: port2 }), (e) => e.code === "ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST");
    assert.throws(() => port1.postMessage(1, [port1]), /Transfer list contains source port/);
    const ab = new ArrayBuffer(1);
    assert.throws(() => port1.postMessage(1, [ab, ab]), /duplicate ArrayBuffer/);
  } finally {
    port1.close();
  }
});

test("MessageChannel in one thread: order, receiveMessageOnPort, close on both ends", async () => {
  const events = [];
  const { port1, port2 } = new MessageChannel();
  assert.ok(port1 instanceof MessagePort);
  port2.postMessage(1);
  port2.postMessage({ two: 2 });
  assert.deepEqual(receiveMessageOnPort(port1), { message: 1 });
  port1.on("message", (m) => {
    events.push(["message", m]);
    if (m === 3) port1.close();
  });
  port2.postMessage(3);
  port1.on("close", () => events.push(["close1"]));
  port2.on("close", () => events.push(["close2"]));
  events.push(["sync"]);
  await tick(20);
  nodeAssert.deepStrictEqual(events, [["sync"], ["message", { two: 2 }], ["message", 3], ["close1"], ["close2"]]);
  const c = new MessageChannel();
  assert.equal(receiveMessageOnPort(c.port1), undefined);
  c.port1.close();
});

test("MessagePort: onmessage and addEventListener get a MessageEvent; a transferred buffer is detached", async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  await new Promise((resolve) => {
    port1.onmessage = (e) => {
      got.push([e.type, e.data.byteLength, e.target === port1]);
      port1.onmessage = null;
      port1.addEventListener("message", (ev) => { got.push(["ael", ev.data]); port1.close(); resolve(); }, { once: true });
      port2.postMessage("second");
    };
    const ab = new ArrayBuffer(8);
    port2.postMessage(ab, [ab]);
    got.push(["sender", ab.byteLength]);
  });
  assert.deepEqual(got, [["sender", 0], ["message", 8, true], ["ael", "second"]]);
});

test("markAsUntransferable: the buffer is copied, not detached", () => {
  const ab = new ArrayBuffer(4);
  markAsUntransferable(ab);
  const { port1, port2 } = new MessageChannel();
  port2.postMessage(ab, [ab]);
  assert.equal(ab.byteLength, 4);
  assert.equal(receiveMessageOnPort(port1).message.byteLength, 4);
  port1.close();
});

test("a MessagePort sent to a worker: messages flow both ways, close reaches the other end", async () => {
  const { port1, port2 } = new MessageChannel();
  const doubled = [];
  let closed = false;
  const r = await run(`const { parentPort } = require("node:worker_threads");
    parentPort.once("message", ({ port }) => {
      port.on("message", (m) => { port.postMessage(m * 2); if (m === 3) port.close(); });
    });`, {}, (w) => {
    w.postMessage({ port: port2 }, [port2]);
    port1.on("message", (m) => doubled.push(m));
    port1.on("close", () => { closed = true; });
    port1.postMessage(1);
    port1.postMessage(2);
    port1.postMessage(3);
  });
  await tick(20);
  assert.equal(r.code, 0);
  assert.deepEqual(doubled, [2, 4, 6]);
  assert.ok(closed);
});
