// jsk:linux/bytes — what the chardev backends share about the buffers they hand the kernel.

// %TypedArray%.prototype.byteLength, taken at load: a view's own `length` (or a getter a
// program defines on it) cannot change what this reports.
const byteLengthGetter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;

/** A typed array's real length in bytes. */
export const byteLengthOf = (view) => byteLengthGetter.call(view);
