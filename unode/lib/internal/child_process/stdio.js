// node:internal/child_process/stdio — a child's stdin/stdout/stderr (and extra
// pipes) in the parent: a Duplex over one non-blocking descriptor, read and
// written when jsk:loop's epoll says it is ready. Reading stops while the
// consumer applies backpressure (push() returned false), so a fast child
// blocks on its full pipe instead of filling the parent's memory.

import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import { syscall } from "jsk:native";
import { nr, EPOLLIN, EPOLLOUT } from "jsk:sys";
import { watch } from "jsk:loop";
import { errnoName } from "jsk:sys";

const NR_read = nr.read, NR_write = nr.write, NR_close = nr.close, NR_shutdown = nr.shutdown;
const EAGAIN = 11, EINTR = 4;
const CHUNK = 65536;
const readBuf = new Uint8Array(CHUNK);

/** An error as Node's sockets word it: "write EPIPE" with errno/code/syscall. */
export function socketError(errno, syscallName) {
  const code = errnoName(errno) ?? "UNKNOWN";
  const e = new Error(`${syscallName} ${code}`);
  e.errno = -errno;
  e.code = code;
  e.syscall = syscallName;
  return e;
}

export class FdStream extends Duplex {
  /** `fd` non-blocking; `kind`: "r" (parent reads), "w" (parent writes), "rw" (socket). */
  constructor(fd, kind, options) {
    super({ ...options, readable: kind !== "w", writable: kind !== "r", allowHalfOpen: kind === "rw" ? false : true });
    this.fd = fd;
    this._kind = kind;
    this._rwatch = null;
    this._wwatch = null;
    this._wjob = null;
    this._refed = true;
  }

  _read() {
    if (this._rwatch === null && this.fd >= 0) {
      this._rwatch = watch(this.fd, EPOLLIN, () => this._pull());
      if (!this._refed) this._rwatch.unref();
    }
  }

  _stopReading() {
    if (this._rwatch !== null) {
      this._rwatch.close();
      this._rwatch = null;
    }
  }

  _pull() {
    for (;;) {
      if (this.fd < 0) return this._stopReading();
      const n = syscall(NR_read, this.fd, readBuf, CHUNK);
      if (n > 0) {
        const more = this.push(Buffer.from(readBuf.subarray(0, n)));
        if (!more) return this._stopReading();
        if (n < CHUNK) return;
        continue;
      }
      if (n === 0) {
        this._stopReading();
        this.push(null);
        return;
      }
      if (n === -EAGAIN) return;
      if (n === -EINTR) continue;
      this._stopReading();
      this.destroy(socketError(-n, "read"));
      return;
    }
  }

  _write(chunk, encoding, callback) {
    const data = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    this._wjob = { data, off: 0, callback };
    this._flushWrite();
  }

  _flushWrite() {
    const job = this._wjob;
    if (job === null) return;
    const data = job.data;
    while (job.off < data.length) {
      if (this.fd < 0) break;
      const n = syscall(NR_write, this.fd, job.off === 0 ? data : data.subarray(job.off), data.length - job.off);
      if (n >= 0) { job.off += n; continue; }
      if (n === -EINTR) continue;
      if (n === -EAGAIN) {
        if (this._wwatch === null) {
          this._wwatch = watch(this.fd, EPOLLOUT, () => this._flushWrite());
          if (!this._refed) this._wwatch.unref();
        }
        return;
      }
      this._stopWriting();
      this._wjob = null;
      job.callback(socketError(-n, "write"));
      return;
    }
    this._stopWriting();
    this._wjob = null;
    job.callback(this.fd < 0 ? socketError(9, "write") : undefined);
  }

  _stopWriting() {
    if (this._wwatch !== null) {
      this._wwatch.close();
      this._wwatch = null;
    }
  }

  _final(callback) {
    if (this._kind === "w") this._closeFd();
    else if (this.fd >= 0) syscall(NR_shutdown, this.fd, 1);
    callback();
  }

  _destroy(err, callback) {
    this._closeFd();
    callback(err);
  }

  _closeFd() {
    this._stopReading();
    this._stopWriting();
    if (this.fd >= 0) {
      syscall(NR_close, this.fd);
      this.fd = -1;
    }
  }

  ref() {
    this._refed = true;
    this._rwatch?.ref();
    this._wwatch?.ref();
    return this;
  }

  unref() {
    this._refed = false;
    this._rwatch?.unref();
    this._wwatch?.unref();
    return this;
  }
}
