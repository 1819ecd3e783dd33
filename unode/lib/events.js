// node:events — EventEmitter and its helpers (once, on, getEventListeners, …).
//
// EventEmitter is a plain constructor function so that both
// `class X extends EventEmitter` and the old `EventEmitter.call(this)` +
// `util.inherits` style work. Listeners live in `this._events` (one function,
// or an array for several) as npm packages expect; arrays are never mutated
// once stored (adding or removing makes a new array), so `emit` walks the
// array it read without copying it and removal during an emit does not
// disturb that emit.

import { codes, nodeError, AbortError } from "node:internal/errors";
import { validateFunction, validateNumber, validateBoolean, validateObject, validateAbortSignal } from "node:internal/validators";
import { nextTick } from "node:internal/process/tick";
import { importSync } from "jsk:native";
import { kEvents as kTargetEvents, isEventTarget } from "node:internal/event_target";

const { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE } = codes;

const kCapture = Symbol("kCapture");
const kShapeMode = Symbol("shapeMode");
export const errorMonitor = Symbol("events.errorMonitor");
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
const kRejection = captureRejectionSymbol;
const kMaxListeners = Symbol("kMaxEventTargetListeners");
const kDispose = Symbol.dispose ?? Symbol.for("nodejs.dispose");

let defaultMaxListeners = 10;
const warned = new WeakMap(); // emitter → Set of event names already warned about

export function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}

EventEmitter.prototype._events = undefined;
EventEmitter.prototype._eventsCount = 0;
EventEmitter.prototype._maxListeners = undefined;
Object.defineProperty(EventEmitter.prototype, kCapture, { value: false, writable: true, enumerable: false });

EventEmitter.init = function init(opts) {
  if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
    this._events = Object.create(null);
    this._eventsCount = 0;
    this[kShapeMode] = false;
  } else {
    this[kShapeMode] = true;
  }
  this._maxListeners = this._maxListeners || undefined;
  if (opts?.captureRejections) {
    validateBoolean(opts.captureRejections, "options.captureRejections");
    this[kCapture] = true;
  } else {
    this[kCapture] = EventEmitter.prototype[kCapture];
  }
};

Object.defineProperty(EventEmitter, "defaultMaxListeners", {
  enumerable: true,
  get() { return defaultMaxListeners; },
  set(n) {
    if (typeof n !== "number") throw ERR_INVALID_ARG_TYPE("defaultMaxListeners", "number", n);
    if (n < 0 || Number.isNaN(n)) throw ERR_OUT_OF_RANGE("defaultMaxListeners", "a non-negative number", n);
    defaultMaxListeners = n;
  },
});

Object.defineProperty(EventEmitter, "captureRejections", {
  enumerable: true,
  get() { return EventEmitter.prototype[kCapture]; },
  set(v) {
    validateBoolean(v, "EventEmitter.captureRejections");
    EventEmitter.prototype[kCapture] = v;
  },
});

EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
  if (typeof n !== "number" || n < 0 || Number.isNaN(n)) {
    throw ERR_OUT_OF_RANGE("setMaxListeners", ">= 0", n);
  }
  this._maxListeners = n;
  return this;
};

function maxOf(that) {
  return that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners;
}

EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
  return maxOf(this);
};

function describeType(type) {
  return typeof type === "symbol" ? type.toString() : String(type);
}

function warnTooMany(target, type, count) {
  let set = warned.get(target);
  if (!set) warned.set(target, (set = new Set()));
  if (set.has(type)) return;
  set.add(type);
  const name = target.constructor?.name || "EventEmitter";
  const w = new Error(
    `Possible EventEmitter memory leak detected. ${count} ${describeType(type)} listeners added to [${name}]. ` +
    `MaxListeners is ${maxOf(target)}. Use emitter.setMaxListeners() to increase limit`,
  );
  w.name = "MaxListenersExceededWarning";
  w.emitter = target;
  w.type = type;
  w.count = count;
  emitWarning(w);
}

/** Hand a warning to process.emitWarning when there is one, else print it as Node does. */
export function emitWarning(w) {
  const proc = globalThis.process;
  if (proc && typeof proc.emitWarning === "function") {
    proc.emitWarning(w);
    return;
  }
  const pid = proc?.pid ?? 0;
  const text = `(node:${pid}) ${w.name}: ${w.message}\n(Use \`node --trace-warnings ...\` to show where the warning was created)\n`;
  try {
    if (proc?.stderr?.write) proc.stderr.write(text);
    else console.error(text.slice(0, -1));
  } catch { /* nowhere to print */ }
}

function addListener(target, type, listener, prepend) {
  validateFunction(listener, "listener");
  let events = target._events;
  if (events === undefined) {
    events = target._events = Object.create(null);
    target._eventsCount = 0;
  } else if (events.newListener !== undefined) {
    target.emit("newListener", type, listener.listener ?? listener);
    events = target._events;
  }
  const existing = events[type];
  let count;
  if (existing === undefined) {
    events[type] = listener;
    target._eventsCount++;
    count = 1;
  } else if (typeof existing === "function") {
    events[type] = prepend ? [listener, existing] : [existing, listener];
    count = 2;
  } else {
    const n = existing.length;
    const next = new Array(n + 1);
    if (prepend) {
      next[0] = listener;
      for (let i = 0; i < n; i++) next[i + 1] = existing[i];
    } else {
      for (let i = 0; i < n; i++) next[i] = existing[i];
      next[n] = listener;
    }
    events[type] = next;
    count = n + 1;
  }
  const max = maxOf(target);
  if (max > 0 && count > max) warnTooMany(target, type, count);
  return target;
}

EventEmitter.prototype.addListener = function addListener_(type, listener) {
  return addListener(this, type, listener, false);
};
EventEmitter.prototype.on = EventEmitter.prototype.addListener;

EventEmitter.prototype.prependListener = function prependListener(type, listener) {
  return addListener(this, type, listener, true);
};

function onceWrapper(target, type, listener) {
  let fired = false;
  function wrapper(...args) {
    if (fired) return undefined;
    fired = true;
    target.removeListener(type, wrapper);
    return listener.apply(target, args);
  }
  wrapper.listener = listener;
  Object.defineProperty(wrapper, "name", { value: "bound onceWrapper" });
  return wrapper;
}

EventEmitter.prototype.once = function once(type, listener) {
  validateFunction(listener, "listener");
  this.on(type, onceWrapper(this, type, listener));
  return this;
};

EventEmitter.prototype.prependOnceListener = function prependOnceListener(type, listener) {
  validateFunction(listener, "listener");
  this.prependListener(type, onceWrapper(this, type, listener));
  return this;
};

EventEmitter.prototype.removeListener = function removeListener(type, listener) {
  validateFunction(listener, "listener");
  const events = this._events;
  if (events === undefined) return this;
  const list = events[type];
  if (list === undefined) return this;
  let removed; // what 'removeListener' reports: the unwrapped listener if it was the only one, else the argument
  if (list === listener || list.listener === listener) {
    removed = list.listener ?? listener;
    if (--this._eventsCount === 0) this._events = Object.create(null);
    else delete events[type];
  } else if (typeof list !== "function") {
    let i = list.length - 1;
    for (; i >= 0; i--) if (list[i] === listener || list[i].listener === listener) break;
    if (i < 0) return this;
    removed = listener;
    if (list.length === 2) events[type] = list[1 - i];
    else {
      const next = list.slice(0, i);
      for (let j = i + 1; j < list.length; j++) next.push(list[j]);
      events[type] = next;
    }
  } else {
    return this;
  }
  if (this._events.removeListener !== undefined) {
    this.emit("removeListener", type, removed);
  }
  return this;
};
EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

EventEmitter.prototype.removeAllListeners = function removeAllListeners(type) {
  const events = this._events;
  if (events === undefined) return this;
  if (events.removeListener === undefined) {
    if (arguments.length === 0) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    } else if (events[type] !== undefined) {
      if (--this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
    }
    return this;
  }
  if (arguments.length === 0) {
    for (const key of Reflect.ownKeys(events)) {
      if (key === "removeListener") continue;
      this.removeAllListeners(key);
    }
    this.removeAllListeners("removeListener");
    this._events = Object.create(null);
    this._eventsCount = 0;
    return this;
  }
  const list = events[type];
  if (typeof list === "function") this.removeListener(type, list);
  else if (list !== undefined) {
    for (let i = list.length - 1; i >= 0; i--) this.removeListener(type, list[i]);
  }
  return this;
};

function unhandledError(er) {
  const err = nodeError(Error, "ERR_UNHANDLED_ERROR", `Unhandled error. (${importSync("node:internal/util/inspect").inspect(er)})`);
  err.context = er;
  return err;
}

EventEmitter.prototype.emit = function emit(type, ...args) {
  const events = this._events;
  if (type === "error") {
    if (events !== undefined && events[errorMonitor] !== undefined) this.emit(errorMonitor, ...args);
    if (events === undefined || events.error === undefined) {
      const er = args[0];
      if (er instanceof Error) throw er;
      throw unhandledError(er);
    }
  } else if (events === undefined) {
    return false;
  }
  const handler = events[type];
  if (handler === undefined) return false;
  if (typeof handler === "function") {
    const result = args.length === 0 ? handler.call(this)
      : args.length === 1 ? handler.call(this, args[0]) : handler.apply(this, args);
    if (result !== undefined && this[kCapture]) captureRejection(this, result, type, args);
  } else {
    const capture = this[kCapture];
    for (let i = 0; i < handler.length; i++) {
      const result = handler[i].apply(this, args);
      if (result !== undefined && capture) captureRejection(this, result, type, args);
    }
  }
  return true;
};

function captureRejection(that, promise, type, args) {
  if (promise === null || typeof promise.then !== "function") return;
  promise.then(undefined, (err) => {
    nextTick(() => {
      if (typeof that[kRejection] === "function") {
        that[kRejection](err, type, ...args);
      } else {
        const prev = that[kCapture];
        try {
          that[kCapture] = false; // an 'error' listener's own rejection must not loop
          that.emit("error", err);
        } finally {
          that[kCapture] = prev;
        }
      }
    });
  });
}

function listenersOf(target, type, unwrap) {
  const events = target._events;
  if (events === undefined) return [];
  const list = events[type];
  if (list === undefined) return [];
  if (typeof list === "function") return unwrap ? [list.listener ?? list] : [list];
  return unwrap ? list.map((l) => l.listener ?? l) : list.slice();
}

EventEmitter.prototype.listeners = function listeners(type) { return listenersOf(this, type, true); };
EventEmitter.prototype.rawListeners = function rawListeners(type) { return listenersOf(this, type, false); };

function countListeners(type, listener) {
  const events = this._events;
  if (events === undefined) return 0;
  const list = events[type];
  if (list === undefined) return 0;
  if (typeof list === "function") {
    if (listener == null) return 1;
    return list === listener || list.listener === listener ? 1 : 0;
  }
  if (listener == null) return list.length;
  let n = 0;
  for (const l of list) if (l === listener || l.listener === listener) n++;
  return n;
}
EventEmitter.prototype.listenerCount = countListeners;

EventEmitter.prototype.eventNames = function eventNames() {
  return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
};

// ---- static helpers -----------------------------------------------------------

/** Deprecated: emitter.listenerCount(type). */
export function listenerCount(emitter, type) {
  if (typeof emitter.listenerCount === "function") return emitter.listenerCount(type);
  return countListeners.call(emitter, type);
}

/** A copy of the listeners for `name` on an EventEmitter or EventTarget. */
export function getEventListeners(emitterOrTarget, type) {
  if (typeof emitterOrTarget?.listeners === "function") return emitterOrTarget.listeners(type);
  if (isEventTarget(emitterOrTarget)) {
    const list = emitterOrTarget[kTargetEvents]?.get(type);
    return list ? list.map((r) => r.listener) : [];
  }
  throw ERR_INVALID_ARG_TYPE("emitter", ["EventEmitter", "EventTarget"], emitterOrTarget);
}

export function getMaxListeners(emitterOrTarget) {
  if (typeof emitterOrTarget?.getMaxListeners === "function") return maxOf(emitterOrTarget);
  if (isEventTarget(emitterOrTarget)) return emitterOrTarget[kMaxListeners] ?? defaultMaxListeners;
  throw ERR_INVALID_ARG_TYPE("emitter", ["EventEmitter", "EventTarget"], emitterOrTarget);
}

export function setMaxListeners(n = defaultMaxListeners, ...targets) {
  if (typeof n !== "number" || n < 0 || Number.isNaN(n)) throw ERR_OUT_OF_RANGE("n", "a non-negative number", n);
  if (targets.length === 0) {
    defaultMaxListeners = n;
    return;
  }
  for (const t of targets) {
    if (isEventTarget(t)) t[kMaxListeners] = n;
    else if (typeof t?.setMaxListeners === "function") t.setMaxListeners(n);
    else throw ERR_INVALID_ARG_TYPE("eventTargets", ["EventEmitter", "EventTarget"], t);
  }
}

function abortErrorFor(signal) {
  return new AbortError(undefined, { cause: signal?.reason });
}

/**
 * Run `listener` once when `signal` aborts (at once, in a microtask, if it already has).
 * Returns a Disposable that removes the listener.
 */
export function addAbortListener(signal, listener) {
  if (signal === undefined) throw ERR_INVALID_ARG_TYPE("signal", "AbortSignal", signal);
  validateAbortSignal(signal, "signal");
  validateFunction(listener, "listener");
  let removed;
  if (signal.aborted) {
    queueMicrotask(() => listener());
  } else {
    signal.addEventListener("abort", listener, { once: true });
    removed = () => signal.removeEventListener("abort", listener);
  }
  return { [kDispose]() { removed?.(); } };
}

function listen(target, name, fn, flags) {
  if (typeof target.on === "function") {
    if (flags?.once) target.once(name, fn);
    else target.on(name, fn);
  } else if (typeof target.addEventListener === "function") {
    target.addEventListener(name, fn, flags);
  } else {
    throw ERR_INVALID_ARG_TYPE("emitter", "EventEmitter", target);
  }
}

function unlisten(target, name, fn) {
  if (typeof target.removeListener === "function") target.removeListener(name, fn);
  else if (typeof target.removeEventListener === "function") target.removeEventListener(name, fn);
}

/** A promise of the arguments of the next `name` event (rejected by 'error' or the signal). */
export function once(emitter, name, options = {}) {
  validateObject(options, "options");
  const signal = options.signal;
  validateAbortSignal(signal, "options.signal");
  if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
  return new Promise((resolve, reject) => {
    const isTarget = typeof emitter.on !== "function" && typeof emitter.addEventListener === "function";
    const onEvent = (...args) => {
      if (!isTarget && name !== "error") unlisten(emitter, "error", onError);
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve(args);
    };
    const onError = (err) => {
      unlisten(emitter, name, onEvent);
      if (signal) signal.removeEventListener("abort", onAbort);
      reject(err);
    };
    const onAbort = () => {
      unlisten(emitter, name, onEvent);
      if (!isTarget && name !== "error") unlisten(emitter, "error", onError);
      reject(abortErrorFor(signal));
    };
    listen(emitter, name, onEvent, { once: true });
    if (!isTarget && name !== "error") emitter.once("error", onError);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * An async iterator of the argument arrays of every `name` event. An 'error'
 * event makes the next step throw; `options.signal` aborts it; `options.close`
 * lists events that end it.
 */
export function on(emitter, name, options = {}) {
  validateObject(options, "options");
  const signal = options.signal;
  validateAbortSignal(signal, "options.signal");
  if (signal?.aborted) throw abortErrorFor(signal);
  const closeEvents = options.close ?? [];
  const queue = [];       // events not yet taken
  const waiting = [];     // pending next() promises: { resolve, reject }
  let error = null;
  let done = false;
  const isTarget = typeof emitter.on !== "function" && typeof emitter.addEventListener === "function";

  const onEvent = (...args) => {
    if (waiting.length) waiting.shift().resolve({ value: args, done: false });
    else queue.push(args);
  };
  const onError = (err) => {
    if (waiting.length) waiting.shift().reject(err);
    else error = err;
    finish();
  };
  const onClose = () => {
    finish();
  };
  const onAbort = () => onError(abortErrorFor(signal));

  function finish() {
    if (done) return;
    done = true;
    unlisten(emitter, name, onEvent);
    if (!isTarget && name !== "error") unlisten(emitter, "error", onError);
    for (const c of closeEvents) unlisten(emitter, c, onClose);
    if (signal) signal.removeEventListener("abort", onAbort);
    while (waiting.length) waiting.shift().resolve({ value: undefined, done: true });
  }

  listen(emitter, name, onEvent);
  if (!isTarget && name !== "error") emitter.on("error", onError);
  for (const c of closeEvents) listen(emitter, c, onClose);
  if (signal) signal.addEventListener("abort", onAbort, { once: true });

  const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);
  return Object.setPrototypeOf({
    next() {
      if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
      if (error) {
        const p = Promise.reject(error);
        error = null;
        return p;
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      finish();
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      if (!err || !(err instanceof Error)) throw ERR_INVALID_ARG_TYPE("EventEmitter.AsyncIterator", "Error", err);
      onError(err);
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() { return this; },
  }, AsyncIteratorPrototype);
}

EventEmitter.EventEmitter = EventEmitter;
EventEmitter.usingDomains = false;
EventEmitter.captureRejectionSymbol = captureRejectionSymbol;
EventEmitter.errorMonitor = errorMonitor;
EventEmitter.once = once;
EventEmitter.on = on;
EventEmitter.getEventListeners = getEventListeners;
EventEmitter.getMaxListeners = getMaxListeners;
EventEmitter.setMaxListeners = setMaxListeners;
EventEmitter.listenerCount = listenerCount;
EventEmitter.addAbortListener = addAbortListener;

export const usingDomains = false;
export { defaultMaxListeners };
export default EventEmitter;
