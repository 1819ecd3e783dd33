// node:internal/streams/add-abort-signal — destroy a stream with an AbortError when a signal aborts.

import { AbortError, codes } from "node:internal/errors";
import { addAbortListener } from "node:events";
import { isNodeStream } from "node:internal/streams/utils";
import { eos } from "node:internal/streams/end-of-stream";

const kDispose = Symbol.dispose ?? Symbol.for("nodejs.dispose");

function validateSignal(signal, name) {
  if (typeof signal !== "object" || signal === null || !("aborted" in signal)) {
    throw codes.ERR_INVALID_ARG_TYPE(name, "AbortSignal", signal);
  }
}

export function addAbortSignal(signal, stream) {
  validateSignal(signal, "signal");
  if (!isNodeStream(stream)) throw codes.ERR_INVALID_ARG_TYPE("stream", ["ReadableStream", "WritableStream", "Stream"], stream);
  return addAbortSignalNoValidate(signal, stream);
}

export function addAbortSignalNoValidate(signal, stream) {
  if (typeof signal !== "object" || !("aborted" in signal)) return stream;
  const onAbort = () => {
    stream.destroy(new AbortError(undefined, { cause: signal.reason }));
  };
  if (signal.aborted) {
    onAbort();
  } else {
    const disposable = addAbortListener(signal, onAbort);
    eos(stream, () => disposable[kDispose]());
  }
  return stream;
}
