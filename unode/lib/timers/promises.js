// node:timers/promises — promise forms of the timers, with AbortSignal and
// the `ref` option: setTimeout, setImmediate, setInterval (an async
// iterator), and scheduler.wait / scheduler.yield.

import * as loop from "jsk:loop";
import { AbortError, codes } from "node:internal/errors";
import { validateAbortSignal, validateObject } from "node:internal/validators";

function options(opts) {
  validateObject(opts, "options");
  validateAbortSignal(opts.signal, "options.signal");
  if (opts.ref !== undefined && typeof opts.ref !== "boolean") throw codes.ERR_INVALID_ARG_TYPE("options.ref", "boolean", opts.ref);
  return opts;
}

function aborted(signal) {
  return new AbortError(undefined, { cause: signal?.reason });
}

function delayOf(ms) {
  ms = Number(ms);
  return ms >= 1 && ms <= 2 ** 31 - 1 ? ms : 1;
}

function wait(ms, value, opts) {
  const { signal, ref = true } = options(opts);
  if (signal?.aborted) return Promise.reject(aborted(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      loop.clearTimeout(t);
      reject(aborted(signal));
    };
    const t = loop.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(value);
    }, ms);
    if (!ref) t.unref();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function setTimeout(ms, value, opts = {}) {
  return wait(delayOf(ms), value, opts);
}

export function setImmediate(value, opts = {}) {
  return wait(0, value, opts);
}

export async function* setInterval(ms, value, opts = {}) {
  const { signal, ref = true } = options(opts);
  if (signal?.aborted) throw aborted(signal);
  let pending = 0;
  let wake = null;
  const t = loop.setInterval(() => {
    pending++;
    wake?.();
  }, delayOf(ms));
  if (!ref) t.unref();
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      if (pending === 0) await new Promise((r) => { wake = r; });
      wake = null;
      if (signal?.aborted) throw aborted(signal);
      while (pending > 0) {
        pending--;
        yield value;
      }
    }
  } finally {
    loop.clearTimeout(t);
    signal?.removeEventListener("abort", onAbort);
  }
}

export const scheduler = Object.freeze({
  wait: (ms, opts = {}) => wait(delayOf(ms), undefined, opts),
  yield: () => wait(0, undefined, {}),
});

export default { setTimeout, setImmediate, setInterval, scheduler };
