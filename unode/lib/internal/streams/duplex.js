// node:internal/streams/duplex — Duplex: a Readable that is also a Writable
// (instanceof both), with allowHalfOpen and the readable/writable options
// that close one side from the start; Duplex.from.

import { nextTick } from "node:internal/process/tick";
import { codes } from "node:internal/errors";
import { Stream } from "node:internal/streams/legacy";
import { Readable, ReadableState, maybeReadMore } from "node:internal/streams/readable";
import { Writable, WritableState, writableAccessors, clearBuffer, finishMaybe } from "node:internal/streams/writable";
import * as destroyImpl from "node:internal/streams/destroy";
import { addAbortSignalNoValidate } from "node:internal/streams/add-abort-signal";
import { eos } from "node:internal/streams/end-of-stream";
import {
  isDuplexNodeStream, isReadableNodeStream, isWritableNodeStream, isIterable, isNodeStream,
} from "node:internal/streams/utils";

export function Duplex(options) {
  if (!(this instanceof Duplex)) return new Duplex(options);
  this._readableState = new ReadableState(options, this, true);
  this._writableState = new WritableState(options, this, true);
  if (options) {
    this.allowHalfOpen = options.allowHalfOpen !== false;
    if (options.readable === false) {
      const r = this._readableState;
      r.readable = false;
      r.ended = true;
      r.endEmitted = true;
    }
    if (options.writable === false) {
      const w = this._writableState;
      w.writable = false;
      w.ending = true;
      w.ended = true;
      w.finished = true;
    }
    if (typeof options.read === "function") this._read = options.read;
    if (typeof options.write === "function") this._write = options.write;
    if (typeof options.writev === "function") this._writev = options.writev;
    if (typeof options.destroy === "function") this._destroy = options.destroy;
    if (typeof options.final === "function") this._final = options.final;
    if (typeof options.construct === "function") this._construct = options.construct;
    if (options.signal) addAbortSignalNoValidate(options.signal, this);
  } else {
    this.allowHalfOpen = true;
  }
  Stream.call(this, options);
  destroyImpl.construct(this, () => {
    const r = this._readableState;
    const w = this._writableState;
    if (r.needReadable) maybeReadMore(this, r);
    if (!w.writing) clearBuffer(this, w);
    finishMaybe(this, w);
  });
}
Object.setPrototypeOf(Duplex.prototype, Readable.prototype);
Object.setPrototypeOf(Duplex, Readable);
Object.defineProperty(Duplex.prototype, "constructor", { value: Duplex, writable: true, configurable: true });

for (const method of Object.keys(Writable.prototype)) {
  const d = Object.getOwnPropertyDescriptor(Writable.prototype, method);
  if ("value" in d && !Duplex.prototype[method]) Duplex.prototype[method] = d.value;
}
for (const k of ["writable", "writableHighWaterMark", "writableObjectMode", "writableBuffer", "writableLength",
  "writableFinished", "writableCorked", "writableEnded", "writableNeedDrain"]) {
  const d = writableAccessors[k];
  Object.defineProperty(Duplex.prototype, k, { configurable: true, enumerable: true, get: d.get, set: d.set });
}
Object.defineProperty(Duplex.prototype, "destroyed", {
  configurable: true,
  enumerable: true,
  get() {
    if (this._readableState === undefined || this._writableState === undefined) return false;
    return this._readableState.destroyed && this._writableState.destroyed;
  },
  set(value) {
    if (this._readableState && this._writableState) {
      this._readableState.destroyed = value;
      this._writableState.destroyed = value;
    }
  },
});
Duplex.prototype.destroy = Writable.prototype.destroy;

/** A Duplex joining a readable and a writable stream (either may be missing). */
function duplexify({ readable: r, writable: w }, objectMode = true) {
  let ondrain = null, onfinish = null, onreadable = null;
  const d = new Duplex({
    readableObjectMode: r ? !!r.readableObjectMode : objectMode,
    writableObjectMode: w ? !!w.writableObjectMode : objectMode,
    readable: !!r,
    writable: !!w,
  });
  if (w) {
    eos(w, (err) => {
      if (err) destroyImpl.destroyer(d, err);
      const cb = onfinish;
      onfinish = null;
      cb?.(err);
    });
    w.on("drain", () => {
      const cb = ondrain;
      ondrain = null;
      cb?.();
    });
    d._write = function (chunk, encoding, callback) {
      if (w.write(chunk, encoding)) callback();
      else ondrain = callback;
    };
    d._final = function (callback) {
      w.end();
      onfinish = callback;
    };
  }
  if (r) {
    eos(r, (err) => {
      if (err) destroyImpl.destroyer(d, err);
      else d.push(null);
    });
    r.on("readable", () => {
      const cb = onreadable;
      onreadable = null;
      cb?.();
    });
    r.on("end", () => { d.push(null); });
    d._read = function () {
      for (;;) {
        const buf = r.read();
        if (buf === null) {
          onreadable = d._read;
          return;
        }
        if (!d.push(buf)) return;
      }
    };
  }
  d._destroy = function (err, callback) {
        onreadable = ondrain = onfinish = null;
    destroyImpl.destroyer(w, err);
    destroyImpl.destroyer(r, err);
    callback(err);
  };
  return d;
}

/** A Duplex from a stream, a {readable, writable} pair, an iterable or an async generator function. */
Duplex.from = function from(body) {
  if (isDuplexNodeStream(body)) return body;
  if (isReadableNodeStream(body)) return duplexify({ readable: body });
  if (isWritableNodeStream(body)) return duplexify({ writable: body });
  if (typeof body === "function") {
    // An async generator function: what is written is its source; what it yields is read.
    let resolveNext = null;
    const queue = [];
    let ended = false;
    const wake = () => {
      const r = resolveNext;
      resolveNext = null;
      r?.();
    };
    async function* source() {
      for (;;) {
        while (queue.length) {
          const { chunk, cb } = queue.shift();
          nextTick(cb);
          yield chunk;
        }
        if (ended) return;
        await new Promise((resolve) => { resolveNext = resolve; });
      }
    }
    const value = body(source(), {});
    if (!isIterable(value)) {
      throw codes.ERR_INVALID_RETURN_VALUE("Iterable, AsyncIterable or AsyncFunction", "body", value);
    }
    const readable = Readable.from(value);
    let finalCb = null;
    const d = new Duplex({
      objectMode: true,
      highWaterMark: 1,
      write(chunk, encoding, cb) {
        queue.push({ chunk, cb });
        wake();
      },
      final(cb) {
        ended = true;
        finalCb = cb;
        wake();
      },
      read() {
        readable.resume();
      },
      destroy(err, cb) {
        destroyImpl.destroyer(readable, err);
        cb(err);
      },
    });
    readable.pause();
    readable.on("data", (chunk) => {
      if (!d.push(chunk)) readable.pause();
    });
    readable.on("end", () => {
      d.push(null);
      const cb = finalCb;
      finalCb = null;
      cb?.();
    });
    readable.on("error", (err) => d.destroy(err));
    return d;
  }
  if (body && typeof body === "object" && !isNodeStream(body) && ("readable" in body || "writable" in body) &&
      !isIterable(body)) {
    const r = isReadableNodeStream(body.readable) ? body.readable : body.readable ? Duplex.from(body.readable) : undefined;
    const w = isWritableNodeStream(body.writable) ? body.writable : body.writable ? Duplex.from(body.writable) : undefined;
    return duplexify({ readable: r, writable: w });
  }
  if (typeof body === "string" || isIterable(body)) {
    return duplexify({ readable: Readable.from(body) });
  }
  throw codes.ERR_INVALID_ARG_TYPE("body",
    ["Blob", "ReadableStream", "WritableStream", "Stream", "Iterable", "AsyncIterable", "Function",
      "{ readable, writable } pair", "Promise"], body);
};

export default Duplex;
