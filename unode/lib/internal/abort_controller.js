// node:internal/abort_controller — AbortController and AbortSignal (with
// AbortSignal.abort/timeout/any), and DOMException when the engine lacks it.

import { EventTarget, Event, kTrusted, defineEventHandler } from "node:internal/event_target";
import { codes, nodeError } from "node:internal/errors";
import { validateUint32 } from "node:internal/validators";
import { setTimeout, clearTimeout } from "jsk:loop";

const { ERR_INVALID_ARG_TYPE } = codes;

const legacyCodes = {
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
  SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
  TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
  QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
};

class MiniDOMException extends Error {
  #name;
  constructor(message = "", options = "Error") {
    super(`${message}`, typeof options === "object" && options !== null && "cause" in options ? { cause: options.cause } : undefined);
    this.#name = typeof options === "object" && options !== null ? `${options.name ?? "Error"}` : `${options}`;
  }
  get name() { return this.#name; }
  get code() { return legacyCodes[this.#name] ?? 0; }
}
for (const [n, c] of Object.entries(legacyCodes)) {
  const key = n.replace(/Error$/, "").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() + "_ERR";
  Object.defineProperty(MiniDOMException, key, { value: c, enumerable: true });
}

/** The engine's DOMException, or a minimal one with name/message/code. */
export const DOMException = typeof globalThis.DOMException === "function" ? globalThis.DOMException : MiniDOMException;

const kToken = Symbol("AbortSignal constructor token");
const kAborted = Symbol("kAborted");
const kReason = Symbol("kReason");
const kTimer = Symbol("kTimer");

export class AbortSignal extends EventTarget {
  constructor(token) {
    if (token !== kToken) throw nodeError(TypeError, "ERR_ILLEGAL_CONSTRUCTOR", "Illegal constructor");
    super();
    this[kAborted] = false;
    this[kReason] = undefined;
  }
  get aborted() { return this[kAborted]; }
  get reason() { return this[kReason]; }
  throwIfAborted() {
    if (this[kAborted]) throw this[kReason];
  }

  /** A signal that is already aborted with `reason` (default: an AbortError DOMException). */
  static abort(reason = new DOMException("This operation was aborted", "AbortError")) {
    const s = new AbortSignal(kToken);
    s[kAborted] = true;
    s[kReason] = reason;
    return s;
  }

  /** A signal aborted with a TimeoutError after `ms` ms; its timer does not keep the process alive. */
  static timeout(ms) {
    validateUint32(ms, "delay", false);
    const s = new AbortSignal(kToken);
    const t = setTimeout(() => {
      abortSignal(s, new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    }, ms);
    t.unref?.();
    s[kTimer] = t;
    return s;
  }

  /** A signal aborted as soon as any of `signals` is, with its reason. */
  static any(signals) {
    if (signals == null || typeof signals[Symbol.iterator] !== "function") {
      throw ERR_INVALID_ARG_TYPE("signals", "AbortSignal[]", signals);
    }
    const list = [...signals];
    for (let i = 0; i < list.length; i++) {
      if (!(list[i] instanceof AbortSignal)) throw ERR_INVALID_ARG_TYPE(`signals[${i}]`, "AbortSignal", list[i]);
    }
    const s = new AbortSignal(kToken);
    for (const src of list) {
      if (src.aborted) {
        s[kAborted] = true;
        s[kReason] = src.reason;
        return s;
      }
    }
    const handlers = [];
    const onAbort = function () {
      for (const [src, h] of handlers) src.removeEventListener("abort", h);
      abortSignal(s, this.reason);
    };
    for (const src of list) {
      const h = onAbort.bind(src);
      handlers.push([src, h]);
      src.addEventListener("abort", h, { once: true });
    }
    return s;
  }

  get [Symbol.toStringTag]() { return "AbortSignal"; }
}
defineEventHandler(AbortSignal.prototype, "abort");

/** Abort `signal` with `reason`: set aborted/reason, then dispatch a trusted 'abort' event. */
export function abortSignal(signal, reason) {
  if (signal[kAborted]) return;
  signal[kAborted] = true;
  signal[kReason] = reason;
  if (signal[kTimer]) {
    clearTimeout(signal[kTimer]);
    signal[kTimer] = undefined;
  }
  signal.dispatchEvent(new Event("abort", { [kTrusted]: true }));
}

export function newAbortSignal() { return new AbortSignal(kToken); }

const kSignal = Symbol("kSignal");

export class AbortController {
  constructor() {
    this[kSignal] = new AbortSignal(kToken);
  }
  get signal() { return this[kSignal]; }
  abort(reason = new DOMException("This operation was aborted", "AbortError")) {
    abortSignal(this[kSignal], reason);
  }
  get [Symbol.toStringTag]() { return "AbortController"; }
}
