// node:internal/bootstrap/node — what `unode` sets up before a program runs:
// Node's globals (process, console, Buffer, timers, URL, TextEncoder, Event
// and AbortController, structuredClone, crypto.getRandomValues, …), the
// module hooks that give the host Node's resolution and CommonJS, and the
// hooks the host calls: step (the event loop, with beforeExit), tick (the
// nextTick queue, then the microtasks, as Node orders them), formatError
// (Node's uncaught-exception text) and emitExit.
//
// Globals whose modules are large are defined as getters that load them on
// first use, so that a program that never touches Buffer never loads it.

import "jsk:globals";
import * as native from "jsk:native";
import * as loop from "jsk:loop";
import * as sys from "jsk:sys";
import { runTicks, ticksPending, setHostDriven } from "node:internal/process/tick";
import process, { emitExit as processExit, captureSymbol } from "node:process";
import console from "node:console";
import * as timers from "node:timers";
import { hooks } from "node:internal/modules/cjs";

const g = globalThis;
const define = (name, value) =>
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });


/** A global that loads `module` the first time it is read, then becomes a plain value. */
function lazy(name, module, pick = (ns) => ns[name]) {
  Object.defineProperty(g, name, {
    configurable: true,
    enumerable: false,
    get() {
      const value = pick(native.importSync(module));
      define(name, value);
      return value;
    },
    set(value) { define(name, value); },
  });
}

Object.defineProperty(g, "__jskModuleHooks", { value: hooks });

define("global", g);
if (typeof g.queueMicrotask !== "function") {
  define("queueMicrotask", (fn) => {
    if (typeof fn !== "function") throw new TypeError("queueMicrotask: callback must be a function");
    Promise.resolve().then(fn);
  });
}
if (typeof g.performance?.now !== "function") {
  const origin = sys.monotonicMs();
  define("performance", { now: () => sys.monotonicMs() - origin, timeOrigin: Date.now() });
}
define("process", process);
define("console", console);
for (const k of ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"]) {
  define(k, timers[k]);
}
lazy("Buffer", "node:buffer");
lazy("atob", "node:buffer");
lazy("btoa", "node:buffer");
lazy("Blob", "node:buffer");
lazy("File", "node:buffer");
lazy("URL", "node:url");
lazy("URLSearchParams", "node:url");
lazy("TextEncoder", "node:util");
lazy("TextDecoder", "node:util");
lazy("EventTarget", "node:internal/event_target");
lazy("Event", "node:internal/event_target");
lazy("CustomEvent", "node:internal/event_target");
lazy("AbortController", "node:internal/abort_controller");
lazy("AbortSignal", "node:internal/abort_controller");
lazy("structuredClone", "node:internal/structured_clone");
// A partial Intl (QuickJS has none; see node:internal/intl), loaded on first use.
if (typeof g.Intl === "undefined") lazy("Intl", "node:internal/intl", (ns) => ns.default);

// Web Crypto's random functions (the rest of crypto.subtle is not there).
define("crypto", Object.freeze({
  getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
      const e = new TypeError("The data argument must be an integer-type TypedArray");
      e.code = 17;
      e.name = "TypeMismatchError";
      throw e;
    }
    if (array.byteLength > 65536) {
      const e = new RangeError(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`);
      e.name = "QuotaExceededError";
      throw e;
    }
    sys.getrandom(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  },
  randomUUID() {
    const b = new Uint8Array(16);
    sys.getrandom(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
}));
define("navigator", Object.freeze({
  hardwareConcurrency: availableCpus(),
  language: "en-US",
  platform: "linux",
  userAgent: `Node.js/${native.nodeVersion.split(".")[0]}`,
}));

function availableCpus() {
  const mask = new Uint8Array(128);
  const n = sys.syscall(sys.nr.sched_getaffinity, 0, mask.length, mask);
  if (n <= 0) return 1;
  let count = 0;
  for (let i = 0; i < n; i++) for (let b = mask[i]; b; b &= b - 1) count++;
  return count || 1;
}

// V8's CallSite API (Error.prepareStackTrace receives CallSite objects): QuickJS
// gives getFileName/getLineNumber/getColumnNumber/getFunctionName/getFunction/
// isNative/isConstructor; packages such as depd (express) also call the rest.
function completeCallSites() {
  const saved = Error.prepareStackTrace;
  let proto;
  try {
    Error.prepareStackTrace = (_, sites) => sites;
    const holder = {};
    Error.captureStackTrace(holder);
    proto = Array.isArray(holder.stack) && holder.stack[0] ? Object.getPrototypeOf(holder.stack[0]) : undefined;
  } finally {
    Error.prepareStackTrace = saved;
  }
  if (!proto) return;
  const add = (name, fn) => {
    if (typeof proto[name] !== "function") Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  };
  add("isEval", () => false);
  add("getEvalOrigin", () => undefined);
  add("getThis", () => undefined);
  add("getTypeName", () => null);
  add("getMethodName", () => null);
  add("isToplevel", function () { return !this.getFunctionName(); });
  add("isAsync", () => false);
  add("isPromiseAll", () => false);
  add("getPromiseIndex", () => null);
  add("getScriptNameOrSourceURL", function () { return this.getFileName(); });
  add("getScriptHash", () => "");
  add("getEnclosingLineNumber", () => null);
  add("getEnclosingColumnNumber", () => null);
  add("getPosition", () => 0);
  if (proto.toString === Object.prototype.toString) {
    // V8's text: "fn (file:line:col)", "new Fn (…)", or just the location for top-level code.
    Object.defineProperty(proto, "toString", {
      value: function toString() {
        if (this.isNative()) return `${this.getFunctionName() ?? "<anonymous>"} (native)`;
        const where = `${this.getFileName() ?? "<anonymous>"}:${this.getLineNumber()}:${this.getColumnNumber()}`;
        const name = this.getFunctionName();
        if (!name) return this.isConstructor() ? `new <anonymous> (${where})` : where;
        return `${this.isConstructor() ? "new " : ""}${name} (${where})`;
      },
      writable: true,
      configurable: true,
    });
  }
}
if (typeof Error.captureStackTrace === "function") completeCallSites();

if (process.env.UNODE_NO_DEPRECATION === "1") process.noDeprecation = true;

/** Node's processTicksAndRejections: the nextTick queue, then the promise jobs, until both are empty. */
export function tick() {
  do {
    runTicks();
    native.runMicrotasks();
  } while (ticksPending());
}
loop.setCallbackHook(tick);
setHostDriven();

let beforeExitDone = false;

/** One turn of the event loop; when it runs dry, "beforeExit" may give it more work. */
export function step() {
  if (loop.step()) return true;
  if (beforeExitDone || process.listenerCount("beforeExit") === 0) return false;
  process.emit("beforeExit", process.exitCode ?? 0);
  tick();
  if (loop.alive()) return true;
  beforeExitDone = true;
  return false;
}

export function emitExit(code) {
  return processExit(code);
}

/**
 * An error reached the top of the program (`isRejection`: a promise rejected
 * with nobody handling it by the end of the microtasks). True when a listener
 * took it and the program goes on, as Node decides: `unhandledRejection`
 * listeners get the reason and the promise; otherwise the error goes to the
 * capture callback or `uncaughtException` (after `uncaughtExceptionMonitor`),
 * a non-Error reason wrapped as ERR_UNHANDLED_REJECTION. A listener that
 * throws ends the program with exit code 7.
 */
export function uncaught(err, isRejection, promise) {
  try {
    if (isRejection) {
      if (process.listenerCount("unhandledRejection") > 0) {
        process.emit("unhandledRejection", err, promise);
        return true;
      }
      if (!(err instanceof Error)) err = unhandledRejectionError(err);
    }
    const origin = isRejection ? "unhandledRejection" : "uncaughtException";
    const capture = process[captureSymbol];
    if (typeof capture === "function") {
      capture(err);
      return true;
    }
    process.emit("uncaughtExceptionMonitor", err, origin);
    if (process.listenerCount("uncaughtException") === 0) return false;
    process.emit("uncaughtException", err, origin);
    return true;
  } catch (e) {
    try {
      sys.writeAll(2, formatError(e) + "\n");
    } finally {
      native.exit(processExit(7));
    }
  }
}

function unhandledRejectionError(reason) {
  let shown;
  try {
    shown = typeof reason === "string" ? reason : show(reason);
  } catch {
    shown = String(reason);
  }
  const e = new Error(
    "This error originated either by throwing inside of an async function without a catch block, " +
      `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${shown}".`,
  );
  e.name = "UnhandledPromiseRejection";
  e.code = "ERR_UNHANDLED_REJECTION";
  return e;
}

/** What Node prints for an uncaught exception: the stack with its "Name: message" header. */
export function formatError(e) {
  if (e instanceof Error) {
    let stack = String(e.stack ?? "");
    const header = `${e.name}${e.code !== undefined && !String(e.name).includes("[") ? ` [${e.code}]` : ""}: ${e.message}`;
    if (!stack.startsWith(`${e.name}`)) stack = stack ? `${header}\n${stack}` : header;
    let text = stack.trimEnd();
    const extra = Object.keys(e).filter((k) => k !== "stack" && k !== "message");
    if (extra.length) text += " " + show(Object.fromEntries(extra.map((k) => [k, e[k]])));
    return `${text}\n\nNode.js ${process.version} (unode)`;
  }
  return `Uncaught ${show(e)}\n\nNode.js ${process.version} (unode)`;
}

/** util.inspect, or a plain rendering if even loading it fails (e.g. during the bootstrap). */
function show(v) {
  try {
    return native.importSync("node:internal/util/inspect").inspect(v);
  } catch {
    try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
  }
}
