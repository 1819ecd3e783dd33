// node:timers — setTimeout/setInterval/setImmediate with Node's Timeout and
// Immediate objects (ref/unref/hasRef/refresh/close, a numeric primitive),
// over jsk:loop's timer heap. `unode` installs these as the globals.

import * as loop from "jsk:loop";
import { codes } from "node:internal/errors";
import { importSync } from "jsk:native";

const { ERR_INVALID_ARG_TYPE } = codes;
const TIMEOUT_MAX = 2 ** 31 - 1;

function checkCallback(callback) {
  if (typeof callback !== "function") throw ERR_INVALID_ARG_TYPE("callback", "Function", callback);
}

function delayOf(ms) {
  ms = Number(ms);
  // Node: a delay outside [1, 2^31 - 1] (or NaN) becomes 1 ms.
  return ms >= 1 && ms <= TIMEOUT_MAX ? ms : 1;
}

export class Timeout {
  #inner = null;
  #refed = true;
  constructor(callback, ms, args, repeat) {
    this._idleTimeout = delayOf(ms);
    this._onTimeout = callback;
    this._timerArgs = args;
    this._repeat = repeat ? this._idleTimeout : null;
    this._destroyed = false;
    this.#start();
  }
  #start() {
    const fire = () => {
      if (this._repeat === null) {
        this._destroyed = true;
        this.#inner = null;
      }
      this._onTimeout(...this._timerArgs);
    };
    this.#inner = this._repeat === null ? loop.setTimeout(fire, this._idleTimeout) : loop.setInterval(fire, this._idleTimeout);
    if (!this.#refed) this.#inner.unref();
  }
  /** Restart the countdown with the same delay (the same object stays the handle). */
  refresh() {
    if (this.#inner) loop.clearTimeout(this.#inner);
    if (!this._destroyed || this.#inner) this.#start();
    return this;
  }
  ref() { this.#refed = true; this.#inner?.ref(); return this; }
  unref() { this.#refed = false; this.#inner?.unref(); return this; }
  hasRef() { return this.#refed; }
  close() { clearTimeout(this); return this; }
  _clear() {
    if (this.#inner) loop.clearTimeout(this.#inner);
    this.#inner = null;
    this._destroyed = true;
  }
  get _id() { return this.#inner ? Number(this.#inner) : -1; }
  [Symbol.toPrimitive]() {
    if (this.#inner) byId.set(Number(this.#inner), this);
    return this._id;
  }
}

// Timers passed around as numbers (Node allows clearTimeout(+t)).
const byId = new Map();

export function setTimeout(callback, ms, ...args) {
  checkCallback(callback);
  return new Timeout(callback, ms, args, false);
}

export function setInterval(callback, ms, ...args) {
  checkCallback(callback);
  return new Timeout(callback, ms, args, true);
}

export function clearTimeout(timer) {
  if (timer == null) return;
  if (timer instanceof Timeout) {
    timer._clear();
    return;
  }
  if (timer instanceof Immediate) {
    clearImmediate(timer);
    return;
  }
  const t = byId.get(Number(timer));
  if (t) {
    byId.delete(Number(timer));
    t._clear();
  }
}
export const clearInterval = clearTimeout;

// ---- immediates: a queue drained once per loop turn, after I/O ----------------

let immediates = [];
let drainTimer = null;
let refedImmediates = 0;

export class Immediate {
  constructor(callback, args) {
    this._onImmediate = callback;
    this._argv = args;
    this._destroyed = false;
    this._refed = true;
    refedImmediates++;
  }
  ref() {
    if (!this._refed && !this._destroyed) { this._refed = true; refedImmediates++; syncRef(); }
    return this;
  }
  unref() {
    if (this._refed && !this._destroyed) { this._refed = false; refedImmediates--; syncRef(); }
    return this;
  }
  hasRef() { return this._refed; }
}

function syncRef() {
  if (!drainTimer) return;
  if (refedImmediates > 0) drainTimer.ref();
  else drainTimer.unref();
}

function drainImmediates() {
  drainTimer = null;
  const batch = immediates;
  immediates = [];
  for (const im of batch) {
    if (im._destroyed) continue;
    im._destroyed = true;
    if (im._refed) refedImmediates--;
    im._onImmediate(...im._argv);
    // Node runs the nextTick queue and microtasks between immediates.
    loop.runCallbackHook();
  }
  if (immediates.length > 0) schedule();
}

function schedule() {
  drainTimer = loop.setTimeout(drainImmediates, 0);
  syncRef();
}

export function setImmediate(callback, ...args) {
  checkCallback(callback);
  const im = new Immediate(callback, args);
  immediates.push(im);
  if (!drainTimer) schedule();
  return im;
}

export function clearImmediate(im) {
  if (!(im instanceof Immediate) || im._destroyed) return;
  im._destroyed = true;
  if (im._refed) { refedImmediates--; syncRef(); }
}

/** Legacy: make `item._onTimeout()` run after `item._idleTimeout` ms (enroll/active). */
export function active(item) {
  unenroll(item);
  if (item._idleTimeout >= 0) item._idleTimer = loop.setTimeout(() => item._onTimeout?.(), item._idleTimeout);
}
export function enroll(item, ms) { item._idleTimeout = ms; }
export function unenroll(item) {
  if (item._idleTimer) loop.clearTimeout(item._idleTimer);
  item._idleTimer = null;
}


const timers = {
  setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate,
  Timeout, Immediate, active, enroll, unenroll,
};
// require("timers").promises loads node:timers/promises when first read.
Object.defineProperty(timers, "promises", {
  enumerable: true,
  configurable: true,
  get: () => importSync("node:timers/promises").default,
});
export default timers;

// util.promisify(setTimeout) / (setImmediate) give the timers/promises forms, as in Node.
const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
Object.defineProperty(setTimeout, kCustomPromisify, {
  configurable: true,
  get: () => importSync("node:timers/promises").setTimeout,
});
Object.defineProperty(setImmediate, kCustomPromisify, {
  configurable: true,
  get: () => importSync("node:timers/promises").setImmediate,
});
