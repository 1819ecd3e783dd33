// node:internal/fd_io — the two fd loops the stdio and tty streams share:
// a synchronous write of everything (Node's stdout/stderr on Linux) and the
// event-loop reader that feeds a Readable from a non-blocking fd.

import * as sys from "jsk:sys";
import { watch } from "jsk:loop";
import { Buffer } from "node:buffer";
import { fromSysError } from "node:internal/errors";

/** Write all of `bytes` to `fd` now; a failure is thrown as Node's system error. */
export function writeAllSync(fd, bytes) {
  try {
    sys.writeAll(fd, bytes);
  } catch (e) {
    throw fromSysError(e);
  }
}

/**
 * Push what `fd` delivers into `stream` (a Readable) from the event loop,
 * reading into `buf`; the subscription is unref'd while the stream is full
 * and closed at end of file, when `onEnd` runs. Returns the subscription.
 */
export function watchReads(fd, buf, stream, onEnd) {
  const sub = watch(fd, sys.EPOLLIN | sys.EPOLLRDHUP, () => {
    for (;;) {
      const n = sys.syscall(sys.nr.read, fd, buf, buf.length);
      if (n === -sys.E.EINTR) continue;
      if (n === -sys.E.EAGAIN) return;
      if (n <= 0) {
        sub.close();
        onEnd();
        stream.push(null);
        return;
      }
      if (!stream.push(Buffer.from(buf.subarray(0, n)))) {
        sub.unref();
        return;
      }
    }
  });
  return sub;
}
