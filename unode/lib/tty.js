// node:tty — isatty, and the terminal streams: WriteStream (synchronous
// writes, size, colour depth as Node derives it from the environment, cursor
// control) and ReadStream (raw mode through termios).
//
// In Node both are net.Socket subclasses; here they are a Writable and a
// Readable on the fd, with the same tty-specific members.

import * as sys from "jsk:sys";
import { Writable, Readable } from "node:stream";
import { Buffer } from "node:buffer";
import { writeAllSync, watchReads } from "node:internal/fd_io";
import { systemError, nodeError } from "node:internal/errors";
import process from "node:process";
import { colorDepthOf } from "node:internal/util/colors";

const TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413;

export function isatty(fd) {
  if (!Number.isInteger(fd) || fd < 0 || fd > 2147483647) return false;
  return sys.syscall(sys.nr.ioctl, fd, TCGETS, new Uint8Array(64)) === 0;
}

function checkTTY(fd) {
  if (!Number.isInteger(fd) || fd < 0 || fd > 2147483647) {
    throw nodeError(RangeError, "ERR_INVALID_FD", `"fd" must be a positive integer: ${fd}`);
  }
  // libuv answers EINVAL for any fd that is not a terminal.
  if (sys.syscall(sys.nr.ioctl, fd, TCGETS, new Uint8Array(64)) < 0) {
    const e = nodeError(Error, "ERR_TTY_INIT_FAILED", "TTY initialization failed: uv_tty_init returned EINVAL (invalid argument)");
    e.name = "SystemError";
    e.info = { errno: -sys.E.EINVAL, code: "EINVAL", message: "invalid argument", syscall: "uv_tty_init" };
    e.errno = -sys.E.EINVAL;
    e.syscall = "uv_tty_init";
    throw e;
  }
}


function hasColorsOf(count, env) {
  if (env === undefined && typeof count === "object" && count !== null) {
    env = count;
    count = 16;
  }
  env ??= process.env;
  if (count === undefined) count = 16;
  if (!Number.isInteger(count) || count < 1) {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "count" argument must be an integer >= 1. Received ${String(count)}`);
  }
  return count <= 2 ** colorDepthOf(env);
}

function windowSize(fd) {
  const ws = new Uint16Array(4);
  const r = sys.syscall(sys.nr.ioctl, fd, TIOCGWINSZ, ws);
  if (r < 0) return undefined;
  return [ws[1], ws[0]];
}

// ---- WriteStream ----------------------------------------------------------------------

export class WriteStream extends Writable {
  constructor(fd) {
    checkTTY(fd);
    super({
      decodeStrings: false,
      write(chunk, encoding, cb) {
        try {
          writeAllSync(fd, typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
        } catch (e) {
          cb(e);
          return;
        }
        cb();
      },
    });
    this.fd = fd;
    this._type = "tty";
    this.isTTY = true;
    const size = windowSize(fd) ?? [80, 24];
    this.columns = size[0];
    this.rows = size[1];
  }

  _destroy(err, cb) {
    cb(err);
  }

  getColorDepth(env = process.env) {
    return colorDepthOf(env);
  }

  hasColors(count, env) {
    return hasColorsOf(count, env);
  }

  getWindowSize() {
    return [this.columns, this.rows];
  }

  _refreshSize() {
    const size = windowSize(this.fd);
    if (!size) return;
    const changed = size[0] !== this.columns || size[1] !== this.rows;
    [this.columns, this.rows] = size;
    if (changed) this.emit("resize");
  }

  cursorTo(x, y, cb) {
    if (typeof y === "function") { cb = y; y = undefined; }
    return this.write(y === undefined ? `\x1b[${x + 1}G` : `\x1b[${y + 1};${x + 1}H`, cb);
  }

  moveCursor(dx, dy, cb) {
    let s = "";
    if (dx < 0) s += `\x1b[${-dx}D`; else if (dx > 0) s += `\x1b[${dx}C`;
    if (dy < 0) s += `\x1b[${-dy}A`; else if (dy > 0) s += `\x1b[${dy}B`;
    return this.write(s, cb);
  }

  clearLine(dir, cb) {
    return this.write(dir < 0 ? "\x1b[1K" : dir > 0 ? "\x1b[0K" : "\x1b[2K", cb);
  }

  clearScreenDown(cb) {
    return this.write("\x1b[0J", cb);
  }
}

// ---- ReadStream -----------------------------------------------------------------------

// termios bits (asm-generic/termbits.h)
const BRKINT = 0o2, INPCK = 0o20, ISTRIP = 0o40, ICRNL = 0o400, IXON = 0o2000;
const OPOST = 0o1, CS8 = 0o60;
const ISIG = 0o1, ICANON = 0o2, ECHO = 0o10, IEXTEN = 0o100000;
const VTIME = 5, VMIN = 6, CC = 17;

export class ReadStream extends Readable {
  constructor(fd, options) {
    checkTTY(fd);
    let sub = null;
    const buf = new Uint8Array(65536);
    super({
      highWaterMark: 65536,
      ...options,
      read: () => {
        if (sub) { sub.ref(); return; }
        sub = watchReads(fd, buf, this, () => { sub = null; });
      },
      destroy: (err, cb) => {
        sub?.close();
        sub = null;
        if (this.isRaw) this.setRawMode(false);
        cb(err);
      },
    });
    this.fd = fd;
    this.isTTY = true;
    this.isRaw = false;
    this._saved = null;
    this.on("pause", () => sub?.unref());
    this.on("resume", () => sub?.ref());
  }

  setRawMode(flag) {
    flag = Boolean(flag);
    if (flag === this.isRaw) return this;
    const t = new Uint8Array(60);
    if (flag) {
      const r = sys.syscall(sys.nr.ioctl, this.fd, TCGETS, t);
      if (r < 0) throw systemError(r, "setRawMode");
      this._saved = t.slice();
      const v = new DataView(t.buffer);
      v.setUint32(0, v.getUint32(0, true) & ~(BRKINT | ICRNL | INPCK | ISTRIP | IXON), true);
      v.setUint32(4, v.getUint32(4, true) | OPOST, true);
      v.setUint32(8, v.getUint32(8, true) | CS8, true);
      v.setUint32(12, v.getUint32(12, true) & ~(ECHO | ICANON | IEXTEN | ISIG), true);
      t[CC + VMIN] = 1;
      t[CC + VTIME] = 0;
      const w = sys.syscall(sys.nr.ioctl, this.fd, TCSETS, t);
      if (w < 0) throw systemError(w, "setRawMode");
    } else if (this._saved) {
      const w = sys.syscall(sys.nr.ioctl, this.fd, TCSETS, this._saved);
      if (w < 0) throw systemError(w, "setRawMode");
    }
    this.isRaw = flag;
    return this;
  }
}

export default { isatty, ReadStream, WriteStream };
