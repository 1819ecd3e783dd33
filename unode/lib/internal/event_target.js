// node:internal/event_target — EventTarget, Event and CustomEvent as Node
// provides them (no DOM tree: dispatch only reaches the target itself, so the
// capture flag only matters for telling listeners apart).

import { codes, nodeError } from "node:internal/errors";

const { ERR_INVALID_ARG_TYPE, ERR_MISSING_ARGS } = codes;

/** The Map<type, record[]> of an EventTarget's listeners (read by node:events). */
export const kEvents = Symbol("kEvents");
export const kTrusted = Symbol("kTrusted");
const kHandlers = Symbol("kHandlers");
const kState = Symbol("kState");

export function isEventTarget(obj) {
  return obj != null && typeof obj === "object" && obj[kEvents] instanceof Map;
}

const now = () => (globalThis.performance?.now ? globalThis.performance.now() : Date.now());

export class Event {
  constructor(type, options) {
    if (arguments.length === 0) throw ERR_MISSING_ARGS("type");
    if (options != null && typeof options !== "object") throw ERR_INVALID_ARG_TYPE("options", "Object", options);
    this[kState] = {
      type: `${type}`,
      bubbles: !!options?.bubbles,
      cancelable: !!options?.cancelable,
      composed: !!options?.composed,
      defaultPrevented: false,
      timeStamp: now(),
      target: null,
      currentTarget: null,
      phase: 0,
      stop: false,
      propagationStopped: false,
      dispatching: false,
      inPassive: false,
      trusted: !!options?.[kTrusted],
    };
  }
  get type() { return this[kState].type; }
  get bubbles() { return this[kState].bubbles; }
  get cancelable() { return this[kState].cancelable; }
  get composed() { return this[kState].composed; }
  get defaultPrevented() { return this[kState].cancelable && this[kState].defaultPrevented; }
  get isTrusted() { return this[kState].trusted; }
  get timeStamp() { return this[kState].timeStamp; }
  get target() { return this[kState].target; }
  get currentTarget() { return this[kState].currentTarget; }
  get srcElement() { return this[kState].target; }
  get eventPhase() { return this[kState].phase; }
  get returnValue() { return !this.defaultPrevented; }
  set returnValue(v) { if (!v) this.preventDefault(); }
  get cancelBubble() { return this[kState].propagationStopped; }
  set cancelBubble(v) { if (v) this[kState].propagationStopped = true; }
  composedPath() { return this[kState].dispatching ? [this[kState].currentTarget] : []; }
  preventDefault() {
    const s = this[kState];
    if (s.cancelable && !s.inPassive) s.defaultPrevented = true;
  }
  stopPropagation() { this[kState].propagationStopped = true; }
  stopImmediatePropagation() {
    this[kState].propagationStopped = true;
    this[kState].stop = true;
  }
  get [Symbol.toStringTag]() { return "Event"; }
}
for (const [name, value] of [["NONE", 0], ["CAPTURING_PHASE", 1], ["AT_TARGET", 2], ["BUBBLING_PHASE", 3]]) {
  Object.defineProperty(Event, name, { value, enumerable: true });
  Object.defineProperty(Event.prototype, name, { value, enumerable: true });
}

export class CustomEvent extends Event {
  #detail;
  constructor(type, options) {
    if (arguments.length === 0) throw ERR_MISSING_ARGS("type");
    super(type, options);
    this.#detail = options?.detail ?? null;
  }
  get detail() { return this.#detail; }
  get [Symbol.toStringTag]() { return "CustomEvent"; }
}

function reportError(err) {
  // Node reports a throwing listener as an uncaught exception.
  const proc = globalThis.process;
  if (proc && typeof proc.emit === "function" && typeof proc.listenerCount === "function" &&
      proc.listenerCount("uncaughtException") > 0) {
    proc.emit("uncaughtException", err, "uncaughtException");
    return;
  }
  queueMicrotask(() => { throw err; });
}

export class EventTarget {
  constructor() {
    this[kEvents] = new Map();
  }

  addEventListener(type, listener, options) {
    if (!isEventTarget(this)) throw codes.ERR_INVALID_THIS("EventTarget");
    if (arguments.length < 2) throw ERR_MISSING_ARGS("type", "listener");
    let once = false, capture = false, passive = false, signal;
    if (typeof options === "boolean") capture = options;
    else if (options != null) {
      once = !!options.once;
      capture = !!options.capture;
      passive = !!options.passive;
      signal = options.signal;
      if (signal !== undefined && (signal === null || typeof signal !== "object" || !("aborted" in signal))) {
        throw ERR_INVALID_ARG_TYPE("options.signal", "AbortSignal", signal);
      }
    }
    if (listener == null) return;
    if (typeof listener !== "function" && typeof listener !== "object") {
      throw ERR_INVALID_ARG_TYPE("listener", "EventListener", listener);
    }
    if (signal?.aborted) return;
    type = `${type}`;
    let list = this[kEvents].get(type);
    if (list === undefined) this[kEvents].set(type, (list = []));
    for (const r of list) if (r.listener === listener && r.capture === capture) return;
    const record = { listener, once, capture, passive, removed: false };
    // Listener arrays are replaced, not mutated, so a dispatch in progress keeps its list.
    this[kEvents].set(type, [...list, record]);
    if (signal) {
      signal.addEventListener("abort", () => this.removeEventListener(type, listener, { capture }), { once: true });
    }
  }

  removeEventListener(type, listener, options) {
    if (!isEventTarget(this)) throw codes.ERR_INVALID_THIS("EventTarget");
    if (arguments.length < 2) throw ERR_MISSING_ARGS("type", "listener");
    const capture = typeof options === "boolean" ? options : !!options?.capture;
    type = `${type}`;
    const list = this[kEvents].get(type);
    if (list === undefined) return;
    const i = list.findIndex((r) => r.listener === listener && r.capture === capture);
    if (i < 0) return;
    list[i].removed = true;
    if (list.length === 1) this[kEvents].delete(type);
    else this[kEvents].set(type, list.filter((_, j) => j !== i));
  }

  dispatchEvent(event) {
    if (!isEventTarget(this)) throw codes.ERR_INVALID_THIS("EventTarget");
    if (!(event instanceof Event)) throw ERR_INVALID_ARG_TYPE("event", "Event", event);
    const s = event[kState];
    if (s.dispatching) throw nodeError(Error, "ERR_EVENT_RECURSION", `The event "${s.type}" is already being dispatched`);
    s.dispatching = true;
    s.target = this;
    s.currentTarget = this;
    s.phase = 2;
    const list = this[kEvents].get(s.type);
    if (list !== undefined) {
      for (const r of list) {
        if (r.removed) continue;
        if (r.once) this.removeEventListener(s.type, r.listener, { capture: r.capture });
        s.inPassive = r.passive;
        try {
          const l = r.listener;
          let result;
          if (typeof l === "function") result = l.call(this, event);
          else if (typeof l.handleEvent === "function") result = l.handleEvent(event);
          if (result != null && typeof result.then === "function") result.then(undefined, reportError);
        } catch (err) {
          reportError(err);
        }
        s.inPassive = false;
        if (s.stop) break;
      }
    }
    s.dispatching = false;
    s.currentTarget = null;
    s.phase = 0;
    return !event.defaultPrevented;
  }

  get [Symbol.toStringTag]() { return "EventTarget"; }
}

/**
 * Define an `on<name>` event handler property on `proto` (as AbortSignal's
 * onabort): setting it registers one listener at the position of the first
 * assignment; later assignments replace the function in place.
 */
export function defineEventHandler(proto, name) {
  Object.defineProperty(proto, `on${name}`, {
    configurable: true,
    enumerable: true,
    get() { return this[kHandlers]?.get(name)?.fn ?? null; },
    set(fn) {
      let handlers = this[kHandlers];
      if (!handlers) {
        handlers = new Map();
        Object.defineProperty(this, kHandlers, { value: handlers });
      }
      let h = handlers.get(name);
      const callable = typeof fn === "function" || (fn !== null && typeof fn === "object") ? fn : null;
      if (h) {
        h.fn = callable;
        if (!callable) {
          this.removeEventListener(name, h.wrapper);
          handlers.delete(name);
        }
        return;
      }
      if (!callable) return;
      h = { fn: callable, wrapper: null };
      const target = this;
      h.wrapper = function (event) {
        const f = h.fn;
        if (typeof f === "function") return f.call(target, event);
      };
      handlers.set(name, h);
      this.addEventListener(name, h.wrapper);
    },
  });
}
