// node:async_hooks — AsyncLocalStorage and AsyncResource over a "context
// frame": the map of every AsyncLocalStorage to its store that is current
// while code runs. run()/exit() switch the frame around a call; enterWith()
// replaces it for the rest of the synchronous run.
//
// Propagation: once the first AsyncLocalStorage exists, a callback handed to
// setTimeout/setInterval/setImmediate/queueMicrotask/process.nextTick (the
// globals, process.nextTick and node:timers' functions) or to a promise's
// then/catch/finally while a frame is current runs in that frame again;
// AsyncResource runs its callbacks in the frame it was made in. What does
// not carry the frame: the continuation after `await` (QuickJS resumes an
// async function without going through any JavaScript-visible then), the
// callbacks unode's own modules schedule internally (a stream's or socket's
// events run in the frame of the code that emits them), and EventEmitter
// listeners (as in Node). Async ids: executionAsyncId() is 1 at top level and
// the resource's id inside runInAsyncScope; createHook() returns a hook
// whose enable/disable work but whose callbacks are never called.

import process from "node:process";
import timers from "node:timers";
import { nodeError } from "node:internal/errors";
import { validateFunction, validateString, validateObject } from "node:internal/validators";

let frame = null; // Map<AsyncLocalStorage, store> or null
let current = { asyncId: 1, triggerId: 0, resource: {} };
const top = current;
let nextAsyncId = 2;

/** Call fn in frame `f` (and execution record `exec`), then restore both. */
function runIn(f, exec, fn, thisArg, args) {
  const savedFrame = frame, savedExec = current;
  frame = f;
  if (exec) current = exec;
  try {
    return Reflect.apply(fn, thisArg, args);
  } finally {
    frame = savedFrame;
    current = savedExec;
  }
}

/** fn, to run later in the frame current now. */
function bindFrame(fn, f) {
  return function (...args) {
    return runIn(f, null, fn, this, args);
  };
}

// ---- propagation through the schedulers -----------------------------------------

let installed = false;
function installPropagation() {
  if (installed) return;
  installed = true;
  const wrapFirst = (original) => {
    const wrapped = {
      [original.name](callback, ...rest) {
        if (frame === null || typeof callback !== "function") return Reflect.apply(original, this, [callback, ...rest]);
        return Reflect.apply(original, this, [bindFrame(callback, frame), ...rest]);
      },
    }[original.name];
    for (const key of Reflect.ownKeys(original)) {
      if (key === "length" || key === "name" || key === "prototype") continue;
      Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key));
    }
    return wrapped;
  };
  for (const name of ["setTimeout", "setInterval", "setImmediate"]) {
    const original = timers[name];
    const wrapped = wrapFirst(original);
    try {
      timers[name] = wrapped;
    } catch { /* a frozen module object keeps its functions */ }
    if (globalThis[name] === original) globalThis[name] = wrapped;
  }
  if (typeof globalThis.queueMicrotask === "function") globalThis.queueMicrotask = wrapFirst(globalThis.queueMicrotask);
  process.nextTick = wrapFirst(process.nextTick);
  const then = Promise.prototype.then;
  Object.defineProperty(Promise.prototype, "then", {
    value: {
      then(onFulfilled, onRejected) {
        const f = frame;
        if (f === null) return Reflect.apply(then, this, [onFulfilled, onRejected]);
        return Reflect.apply(then, this, [
          typeof onFulfilled === "function" ? bindFrame(onFulfilled, f) : onFulfilled,
          typeof onRejected === "function" ? bindFrame(onRejected, f) : onRejected,
        ]);
      },
    }.then,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

// ---- AsyncLocalStorage ----------------------------------------------------------

export class AsyncLocalStorage {
  constructor() {
    this.enabled = false;
    installPropagation();
  }

  /** fn, bound to the frame current now. */
  static bind(fn) {
    validateFunction(fn, "fn");
    return bindFrame(fn, frame);
  }

  /** A function that runs its first argument in the frame current now. */
  static snapshot() {
    const f = frame;
    return function runInAsyncScope(fn, ...args) {
      return runIn(f, null, fn, this, args);
    };
  }

  disable() {
    if (this.enabled) {
      this.enabled = false;
      if (frame !== null && frame.has(this)) {
        const next = new Map(frame);
        next.delete(this);
        frame = next.size ? next : null;
      }
    }
  }

  getStore() {
    if (!this.enabled || frame === null) return undefined;
    return frame.get(this);
  }

  enterWith(store) {
    this.enabled = true;
    const next = new Map(frame ?? undefined);
    next.set(this, store);
    frame = next;
  }

  run(store, callback, ...args) {
    this.enabled = true;
    const next = new Map(frame ?? undefined);
    next.set(this, store);
    return runIn(next, null, callback, undefined, args);
  }

  exit(callback, ...args) {
    if (frame === null || !frame.has(this)) return Reflect.apply(callback, undefined, args);
    const next = new Map(frame);
    next.delete(this);
    return runIn(next.size ? next : null, null, callback, undefined, args);
  }
}

// ---- AsyncResource --------------------------------------------------------------

const kFrame = Symbol("kFrame");
const kExec = Symbol("kExec");

export class AsyncResource {
  constructor(type, opts = {}) {
    validateString(type, "type");
    let triggerId = current.asyncId;
    if (typeof opts === "number") triggerId = opts;
    else if (opts && opts.triggerAsyncId !== undefined) triggerId = opts.triggerAsyncId;
    if (!Number.isSafeInteger(triggerId) || triggerId < -1) {
      throw nodeError(RangeError, "ERR_INVALID_ASYNC_ID", `Invalid triggerAsyncId value: ${triggerId}`);
    }
    Object.defineProperty(this, kFrame, { value: frame });
    Object.defineProperty(this, kExec, { value: { asyncId: nextAsyncId++, triggerId, resource: this } });
  }

  runInAsyncScope(fn, thisArg, ...args) {
    return runIn(this[kFrame], this[kExec], fn, thisArg, args);
  }

  emitDestroy() {
    return this;
  }

  asyncId() {
    return this[kExec].asyncId;
  }

  triggerAsyncId() {
    return this[kExec].triggerId;
  }

  bind(fn, thisArg) {
    validateFunction(fn, "fn");
    const resource = this;
    let bound;
    if (thisArg === undefined) {
      bound = function (...args) {
        return resource.runInAsyncScope(fn, this, ...args);
      };
    } else {
      bound = (...args) => resource.runInAsyncScope(fn, thisArg, ...args);
    }
    Object.defineProperties(bound, {
      length: { value: fn.length, configurable: true },
      name: { value: "bound", configurable: true },
      asyncResource: { value: this, configurable: true, enumerable: true, writable: true },
    });
    return bound;
  }

  static bind(fn, type, thisArg) {
    validateFunction(fn, "fn");
    return new AsyncResource(type || fn.name || "bound-anonymous-fn").bind(fn, thisArg);
  }
}

// ---- ids and hooks ----------------------------------------------------------------

export function executionAsyncId() {
  return current.asyncId;
}

export function triggerAsyncId() {
  return current.triggerId;
}

export function executionAsyncResource() {
  return current === top ? top.resource : current.resource;
}

class AsyncHook {
  constructor(callbacks) {
    for (const name of ["init", "before", "after", "destroy", "promiseResolve"]) {
      const cb = callbacks[name];
      if (cb !== undefined && typeof cb !== "function") throw nodeError(TypeError, "ERR_ASYNC_CALLBACK", `hook.${name} must be a function`);
    }
  }
  enable() {
    return this;
  }
  disable() {
    return this;
  }
}

/** A hook object; its callbacks are never called (unode does not track async resources). */
export function createHook(callbacks) {
  validateObject(callbacks, "callbacks");
  return new AsyncHook(callbacks);
}

export const asyncWrapProviders = Object.freeze({ __proto__: null });

export default {
  AsyncLocalStorage, createHook, executionAsyncId, triggerAsyncId, executionAsyncResource, asyncWrapProviders, AsyncResource,
};
