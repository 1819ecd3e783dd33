// node:internal/streams/utils — stream predicates (isReadable, isErrored, …),
// the stream error codes, high-water-mark defaults and small helpers shared
// by the stream implementation.

import { nodeError, codes } from "node:internal/errors";

export const kIsDestroyed = Symbol.for("nodejs.stream.destroyed");
export const kIsErrored = Symbol("kIsErrored");
export const kIsReadable = Symbol("kIsReadable");
export const kIsDisturbed = Symbol("kIsDisturbed");

export const nop = () => {};

export const errors = {
  ERR_STREAM_PUSH_AFTER_EOF: () => nodeError(Error, "ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF"),
  ERR_STREAM_UNSHIFT_AFTER_END_EVENT: () =>
    nodeError(Error, "ERR_STREAM_UNSHIFT_AFTER_END_EVENT", "stream.unshift() after end event"),
  ERR_STREAM_NULL_VALUES: () => nodeError(TypeError, "ERR_STREAM_NULL_VALUES", "May not write null values to stream"),
  ERR_STREAM_WRITE_AFTER_END: () => nodeError(Error, "ERR_STREAM_WRITE_AFTER_END", "write after end"),
  ERR_STREAM_DESTROYED: (what) =>
    nodeError(Error, "ERR_STREAM_DESTROYED", `Cannot call ${what} after a stream was destroyed`),
  ERR_STREAM_ALREADY_FINISHED: (what) =>
    nodeError(Error, "ERR_STREAM_ALREADY_FINISHED", `Cannot call ${what} after a stream was finished`),
  ERR_STREAM_PREMATURE_CLOSE: () => nodeError(Error, "ERR_STREAM_PREMATURE_CLOSE", "Premature close"),
  ERR_MULTIPLE_CALLBACK: () => nodeError(Error, "ERR_MULTIPLE_CALLBACK", "Callback called multiple times"),
  ERR_STREAM_CANNOT_PIPE: () => nodeError(Error, "ERR_STREAM_CANNOT_PIPE", "Cannot pipe, not readable"),
  ERR_METHOD_NOT_IMPLEMENTED: codes.ERR_METHOD_NOT_IMPLEMENTED,
};

let defaultHwm = 16 * 1024;
let defaultObjectHwm = 16;

export function getDefaultHighWaterMark(objectMode) {
  return objectMode ? defaultObjectHwm : defaultHwm;
}

export function setDefaultHighWaterMark(objectMode, value) {
  if (typeof value !== "number") throw codes.ERR_INVALID_ARG_TYPE("value", "number", value);
  if (!Number.isInteger(value) || value < 0) throw codes.ERR_OUT_OF_RANGE("value", ">= 0", value);
  if (objectMode) defaultObjectHwm = value;
  else defaultHwm = value;
}

/** options.highWaterMark (or the duplex-side key), validated; else the default. */
export function getHighWaterMark(options, isDuplex, duplexKey, objectMode) {
  let hwm = options?.highWaterMark;
  let name = "highWaterMark";
  if (hwm == null && isDuplex) {
    hwm = options?.[duplexKey];
    name = duplexKey;
  }
  if (hwm == null) return getDefaultHighWaterMark(objectMode);
  if (typeof hwm !== "number" || !Number.isInteger(hwm) || hwm < 0) {
    throw codes.ERR_INVALID_ARG_VALUE(`options.${name}`, hwm);
  }
  return hwm;
}

export function once(fn) {
  let called = false;
  return function (...args) {
    if (called) return;
    called = true;
    return fn.apply(this, args);
  };
}

/** Join two errors as Node does: the first, or an AggregateError of both. */
export function aggregateTwoErrors(inner, outer) {
  if (inner && outer && inner !== outer) {
    if (Array.isArray(outer.errors)) {
      outer.errors.push(inner);
      return outer;
    }
    const err = new AggregateError([outer, inner], outer.message);
    err.code = outer.code;
    return err;
  }
  return inner || outer;
}

export function isReadableNodeStream(obj, strict = false) {
  return !!(obj && typeof obj.pipe === "function" && typeof obj.on === "function" &&
    (!strict || (typeof obj.pause === "function" && typeof obj.resume === "function")) &&
    (!obj._writableState || obj._readableState?.readable !== false) &&
    (!obj._writableState || obj._readableState));
}

export function isWritableNodeStream(obj) {
  return !!(obj && typeof obj.write === "function" && typeof obj.on === "function" &&
    (!obj._readableState || obj._writableState?.writable !== false));
}

export function isDuplexNodeStream(obj) {
  return !!(obj && typeof obj.pipe === "function" && obj._readableState &&
    typeof obj.on === "function" && typeof obj.write === "function");
}

export function isNodeStream(obj) {
  return !!(obj && (obj._readableState || obj._writableState ||
    (typeof obj.write === "function" && typeof obj.on === "function") ||
    (typeof obj.pipe === "function" && typeof obj.on === "function")));
}

export function isIterable(obj, isAsync) {
  if (obj == null) return false;
  if (isAsync === true) return typeof obj[Symbol.asyncIterator] === "function";
  if (isAsync === false) return typeof obj[Symbol.iterator] === "function";
  return typeof obj[Symbol.asyncIterator] === "function" || typeof obj[Symbol.iterator] === "function";
}

export function isDestroyed(stream) {
  if (!isNodeStream(stream)) return null;
  const state = stream._writableState || stream._readableState;
  return !!(stream.destroyed || stream[kIsDestroyed] || state?.destroyed);
}

export function isWritableEnded(stream) {
  if (!isWritableNodeStream(stream)) return null;
  if (stream.writableEnded === true) return true;
  const w = stream._writableState;
  if (w?.errored) return false;
  if (typeof w?.ended !== "boolean") return null;
  return w.ended;
}

export function isWritableFinished(stream, strict) {
  if (!isWritableNodeStream(stream)) return null;
  if (stream.writableFinished === true) return true;
  const w = stream._writableState;
  if (w?.errored) return false;
  if (typeof w?.finished !== "boolean") return null;
  return !!(w.finished || (strict === false && w.ended === true && w.length === 0));
}

export function isReadableFinished(stream, strict) {
  if (!isReadableNodeStream(stream)) return null;
  const r = stream._readableState;
  if (r?.errored) return false;
  if (typeof r?.endEmitted !== "boolean") return null;
  return !!(r.endEmitted || (strict === false && r.ended === true && r.length === 0));
}

export function isReadable(stream) {
  if (stream && stream[kIsReadable] != null) return stream[kIsReadable];
  if (typeof stream?.readable !== "boolean") return null;
  if (isDestroyed(stream)) return false;
  return isReadableNodeStream(stream) && stream.readable && !isReadableFinished(stream);
}

export function isWritable(stream) {
  if (typeof stream?.writable !== "boolean") return null;
  if (isDestroyed(stream)) return false;
  return isWritableNodeStream(stream) && stream.writable && !isWritableEnded(stream);
}

export function isFinished(stream, opts) {
  if (!isNodeStream(stream)) return null;
  if (isDestroyed(stream)) return true;
  if (opts?.readable !== false && isReadable(stream)) return false;
  if (opts?.writable !== false && isWritable(stream)) return false;
  return true;
}

export function isWritableErrored(stream) {
  if (!isNodeStream(stream)) return null;
  if (stream.writableErrored) return stream.writableErrored;
  return stream._writableState?.errored ?? null;
}

export function isReadableErrored(stream) {
  if (!isNodeStream(stream)) return null;
  if (stream.readableErrored) return stream.readableErrored;
  return stream._readableState?.errored ?? null;
}

export function isClosed(stream) {
  if (!isNodeStream(stream)) return null;
  if (typeof stream.closed === "boolean") return stream.closed;
  const w = stream._writableState, r = stream._readableState;
  if (typeof w?.closed === "boolean" || typeof r?.closed === "boolean") return w?.closed || r?.closed;
  return null;
}

export function isErrored(stream) {
  return !!(stream && (stream[kIsErrored] ?? stream.readableErrored ?? stream.writableErrored ??
    stream._readableState?.errorEmitted ?? stream._writableState?.errorEmitted ??
    stream._readableState?.errored ?? stream._writableState?.errored));
}

export function isDisturbed(stream) {
  return !!(stream && (stream[kIsDisturbed] ?? (stream.readableDidRead || stream.readableAborted)));
}

export function isRequest(stream) {
  return stream && stream.setHeader && typeof stream.abort === "function";
}

export function willEmitClose(stream) {
  if (!isNodeStream(stream)) return false;
  const state = stream._writableState || stream._readableState;
  return !!(state && state.autoDestroy && state.emitClose && state.closed === false);
}

export function isUint8Array(v) {
  return v instanceof Uint8Array;
}
