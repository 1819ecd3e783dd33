// node:internal/process/stdio — process.stdout, process.stderr, process.stdin.
//
// As in Node on Linux, writes to stdout and stderr are synchronous (files,
// pipes and terminals alike): a write returns once the kernel has the bytes,
// so output is never lost at exit. stdin is a Readable fed from fd 0 by the
// event loop; it keeps the process alive only while someone reads it.

import * as sys from "jsk:sys";
import { Writable, Readable } from "node:stream";
import { Buffer } from "node:buffer";
import { writeAllSync, watchReads } from "node:internal/fd_io";
import { colorDepthOf } from "node:internal/util/colors";

const TCGETS = 0x5401, TIOCGWINSZ = 0x5413;

function isatty(fd) {
  return sys.syscall(sys.nr.ioctl, fd, TCGETS, new Uint8Array(64)) === 0;
}

function windowSize(fd) {
  const ws = new Uint16Array(4);
  return sys.syscall(sys.nr.ioctl, fd, TIOCGWINSZ, ws) === 0 ? [ws[1], ws[0]] : [80, 24];
}

/** Write all of `bytes` to `fd`, waiting in poll(2) when a non-blocking fd is full. */

function makeWritable(fd) {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, encoding, cb) {
      try {
        writeAllSync(fd, typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
      } catch (e) {
        // EPIPE on stdout (e.g. `| head`) is an error event, as in Node.
        cb(e);
        return;
      }
      cb();
    },
  });
  stream.fd = fd;
  stream._isStdio = true;
  stream.isTTY = isatty(fd) || undefined;
  if (stream.isTTY) {
    [stream.columns, stream.rows] = windowSize(fd);
    stream.getWindowSize = () => windowSize(fd);
    stream.getColorDepth = (env) => colorDepthOf(env);
    stream.hasColors = (n, env) => {
      if (typeof n === "object" && n !== null) [n, env] = [16, n];
      return (n ?? 16) <= 2 ** colorDepthOf(env);
    };
    stream.cursorTo = (x, y, cb) => { stream.write(y === undefined ? `\x1b[${x + 1}G` : `\x1b[${y + 1};${x + 1}H`); cb?.(); return true; };
    stream.moveCursor = (dx, dy, cb) => { stream.write((dx ? `\x1b[${Math.abs(dx)}${dx < 0 ? "D" : "C"}` : "") + (dy ? `\x1b[${Math.abs(dy)}${dy < 0 ? "A" : "B"}` : "")); cb?.(); return true; };
    stream.clearLine = (dir = 0, cb) => { stream.write(`\x1b[${dir < 0 ? 1 : dir > 0 ? 0 : 2}K`); cb?.(); return true; };
    stream.clearScreenDown = (cb) => { stream.write("\x1b[0J"); cb?.(); return true; };
  }
  // stdout and stderr are never closed by end(): the fd stays usable.
  stream._destroy = (err, cb) => cb(err);
  return stream;
}

export const stdout = () => makeWritable(1);
export const stderr = () => makeWritable(2);

export function stdin() {
  const fd = 0;
  let sub = null;
  const buf = new Uint8Array(65536);
  const flags = sys.syscall(sys.nr.fcntl, fd, sys.F_GETFL, 0);
  const stream = new Readable({
    highWaterMark: 65536,
    read() {
      if (sub) { sub.ref(); return; }
      // Regular files cannot be polled: read them directly.
      let regular = false;
      try { regular = sys.fstat(fd).isFile(); } catch { /* closed */ }
      if (regular) {
        for (;;) {
          const n = sys.syscall(sys.nr.read, fd, buf, buf.length);
          if (n < 0 && n === -sys.E.EINTR) continue;
          if (n <= 0) { stream.push(null); return; }
          if (!stream.push(Buffer.from(buf.subarray(0, n)))) return;
        }
      }
      if (flags >= 0 && !(flags & sys.O_NONBLOCK)) sys.syscall(sys.nr.fcntl, fd, sys.F_SETFL, flags | sys.O_NONBLOCK);
      sub = watchReads(fd, buf, stream, () => { sub = null; });
    },
    destroy(err, cb) {
      sub?.close();
      sub = null;
      if (flags >= 0) sys.syscall(sys.nr.fcntl, fd, sys.F_SETFL, flags);
      cb(err);
    },
  });
  stream.fd = fd;
  stream.isTTY = isatty(fd) || undefined;
  stream.setRawMode = () => stream;
  // A paused stdin does not keep the process alive (Node's behaviour).
  stream.on("pause", () => sub?.unref());
  stream.on("resume", () => sub?.ref());
  return stream;
}
