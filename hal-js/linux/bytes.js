// jsk:linux/bytes — what the chardev backends share about the buffers they hand the kernel.

import { syscall } from "jsk:native";
import { nr, SysError } from "jsk:sys";

// %TypedArray%.prototype.byteLength, taken at load: a view's own `length` (or a getter a
// program defines on it) cannot change what this reports.
const byteLengthGetter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;

/** A typed array's real length in bytes. */
export const byteLengthOf = (view) => byteLengthGetter.call(view);

const NR_ioctl = nr.ioctl;

/**
 * ioctl on a buffer this module family made itself, of the size the request names: what
 * sys.ioctl does without its argument checks, for the hot paths (a GPIO line's values).
 */
export function ioctlOwn(fd, request, view) {
  const r = syscall(NR_ioctl, fd, request, view);
  if (r < 0) throw new SysError("ioctl", -r, `${fd}, 0x${request.toString(16)}`);
  return r;
}
