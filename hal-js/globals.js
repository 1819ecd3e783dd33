// jsk:globals — the bootstrap the host evaluates before any user code.
// It installs the globals a script expects and exports the hooks the host
// calls: step (the event loop), formatError and emitExit.

import * as native from "jsk:native";
import { console, inspect } from "jsk:console";
import * as loop from "jsk:loop";
import { process, emitExit } from "jsk:process";
import { monotonicMs } from "jsk:sys";

const g = globalThis;
const define = (name, value) =>
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });

define("console", console);
define("process", process);
// The raw primitives, unless the host was told --deny-unsafe.
if (!native.options.denyUnsafe) {
  define("syscall", native.syscall);
  define("syscall64", native.syscall64);
  define("addressOf", native.addressOf);
  define("unsafeArrayBuffer", native.unsafeArrayBuffer);
}
define("setTimeout", loop.setTimeout);
define("setInterval", loop.setInterval);
define("clearTimeout", loop.clearTimeout);
define("clearInterval", loop.clearInterval);

if (typeof g.queueMicrotask !== "function") {
  define("queueMicrotask", (fn) => {
    if (typeof fn !== "function") throw new TypeError("queueMicrotask: callback must be a function");
    Promise.resolve().then(fn);
  });
}

if (typeof g.performance?.now !== "function") {
  const timeOrigin = monotonicMs();
  define("performance", { now: () => monotonicMs() - timeOrigin, timeOrigin });
}

if (typeof g.TextEncoder !== "function") {
  define("TextEncoder", class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(s = "") { return native.encodeUtf8(String(s)); }
  });
}
if (typeof g.TextDecoder !== "function") {
  define("TextDecoder", class TextDecoder {
    get encoding() { return "utf-8"; }
    decode(buf) { return buf === undefined ? "" : native.decodeUtf8(buf); }
  });
}

export const step = loop.step;
export { emitExit };

/** Text for an uncaught exception: the message, then the stack with file:line. */
export function formatError(e) {
  if (e instanceof Error) {
    const stack = (e.stack ?? "").trimEnd();
    let text = `Uncaught ${e.name}: ${e.message}`;
    if (stack) text += "\n" + stack;
    if (e.cause !== undefined) text += "\n  [cause]: " + inspect(e.cause);
    const extra = Object.keys(e).filter((k) => k !== "cause");
    if (extra.length) text += "\n" + inspect(Object.fromEntries(extra.map((k) => [k, e[k]])));
    return text;
  }
  return `Uncaught ${inspect(e)}`;
}
