// node:stream — Readable, Writable, Duplex, Transform, PassThrough,
// pipeline, finished, addAbortSignal and the promise API. The default export
// is what require("stream") returns: the legacy Stream constructor with all
// of these attached.

import { Stream } from "node:internal/streams/legacy";
import { Readable } from "node:internal/streams/readable";
import { Writable } from "node:internal/streams/writable";
import { Duplex } from "node:internal/streams/duplex";
import { Transform, PassThrough } from "node:internal/streams/transform";
import { pipeline, pipelineImpl } from "node:internal/streams/pipeline";
import { eos as finished, finishedPromise } from "node:internal/streams/end-of-stream";
import { addAbortSignal } from "node:internal/streams/add-abort-signal";
import { destroyer } from "node:internal/streams/destroy";
import { install as installOperators } from "node:internal/streams/operators";
import {
  isDisturbed, isErrored, isReadable, isWritable, getDefaultHighWaterMark, setDefaultHighWaterMark,
  isNodeStream, isIterable,
} from "node:internal/streams/utils";
import { codes } from "node:internal/errors";
import { Buffer } from "node:buffer";

installOperators(Readable);

function promisePipeline(...streams) {
  return new Promise((resolve, reject) => {
    let signal, end;
    const lastArg = streams[streams.length - 1];
    if (lastArg && typeof lastArg === "object" && !isNodeStream(lastArg) && !isIterable(lastArg)) {
      const options = streams.pop();
      signal = options.signal;
      end = options.end;
    }
    pipelineImpl(streams, (err, value) => {
      if (err) reject(err);
      else resolve(value);
    }, { signal, end });
  });
}

export const promises = { pipeline: promisePipeline, finished: finishedPromise };

Object.defineProperty(pipeline, Symbol.for("nodejs.util.promisify.custom"), {
  enumerable: true,
  get() { return promisePipeline; },
});
Object.defineProperty(finished, Symbol.for("nodejs.util.promisify.custom"), {
  enumerable: true,
  get() { return finishedPromise; },
});

export function compose() {
  throw codes.ERR_NOT_IMPLEMENTED("stream.compose()");
}

function isUint8Array(v) { return v instanceof Uint8Array; }
function uint8ArrayToBuffer(chunk) { return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength); }

Stream.isDestroyed = (s) => !!s?.destroyed;
Stream.isDisturbed = isDisturbed;
Stream.isErrored = isErrored;
Stream.isReadable = isReadable;
Stream.isWritable = isWritable;
Stream.Readable = Readable;
Stream.Writable = Writable;
Stream.Duplex = Duplex;
Stream.Transform = Transform;
Stream.PassThrough = PassThrough;
Stream.pipeline = pipeline;
Stream.addAbortSignal = addAbortSignal;
Stream.finished = finished;
Stream.destroy = destroyer;
Stream.compose = compose;
Stream.getDefaultHighWaterMark = getDefaultHighWaterMark;
Stream.setDefaultHighWaterMark = setDefaultHighWaterMark;
Object.defineProperty(Stream, "promises", { configurable: true, enumerable: true, get() { return promises; } });
Stream.Stream = Stream;
Stream._isUint8Array = isUint8Array;
Stream._uint8ArrayToBuffer = uint8ArrayToBuffer;

export {
  Stream, Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished, addAbortSignal,
  isDisturbed, isErrored, isReadable, isWritable, getDefaultHighWaterMark, setDefaultHighWaterMark,
  destroyer as destroy, isUint8Array as _isUint8Array, uint8ArrayToBuffer as _uint8ArrayToBuffer,
};
export default Stream;
