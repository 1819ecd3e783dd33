// node:internal/fs/kernel — the asynchronous fs operations that the io_uring
// backend (node:internal/fs/uring) and the thread-pool backend
// (node:internal/fs/pool) share: each node:fs operation they can do without
// blocking is planned here as one or more kernel requests (Req), and each
// request's result is shaped here exactly as the synchronous function of
// node:internal/fs/sync shapes it (the same argument normalisation, the same
// Stats builder, the same systemError with the same syscall names).
//
// An engine executes a Req however it can: the ring turns it into an SQE, the
// pool into a raw system call on a pool thread. An engine is
//   { name, has(opcode), exec(req), stats }
// and calls complete(req, result) later (never from inside exec), result
// being what the kernel returned (a negative errno on failure).
//
// Completions run in the order they arrive, with one exception: the
// completion of a close waits (at most kCloseWaitMs) for the writes and
// closes submitted before it. A pipe through fs streams relies on that order in practice: the
// source's close must not overtake the destination's last write (its
// 'finish'). Node's thread pool gets it from FIFO scheduling most of the time
// (not always: Node under load, or with UV_USE_IO_URING=1, lets the close
// win); io_uring punts buffered writes to its workers while a close
// completes inline, so without this the close would win often.
//
// Memory ownership (the rule both engines rely on): everything the kernel
// reads or writes after exec() returns is memory this file allocated and
// nobody else can reach: NUL-terminated path bytes, bounce buffers for
// read/write (copied to/from the user's buffer on completion/submission),
// statx buffers, the result buffer of readFile (handed to the user only once
// the last read completed). A Req keeps its buffers referenced, and the
// engine keeps the Req referenced until its completion arrives, so the
// garbage collector cannot free them and a user's buffer.transfer() (which
// detaches only the user's memory) cannot pull memory from under the kernel.
// A read whose target was detached in flight completes normally; its bytes
// are dropped (there is nowhere to put them).
//
// Operations planned here (Req opcodes are io_uring's IORING_OP_* numbers):
//   openSync OPENAT · closeSync CLOSE · readSync READ · writeSync WRITE ·
//   statSync/lstatSync/fstatSync STATX · fsyncSync/fdatasyncSync FSYNC ·
//   renameSync RENAMEAT · unlinkSync, rmdirSync (not recursive) UNLINKAT ·
//   mkdirSync (not recursive) MKDIRAT · symlinkSync SYMLINKAT · linkSync LINKAT ·
//   readFileSync OPENAT→STATX→READ…→CLOSE · writeFileSync/appendFileSync
//   OPENAT→WRITE…→CLOSE.
// Everything else (readdir, realpath, rm/rmdir/mkdir recursive, cp, copyFile,
// chmod, utimes, readv/writev, …), an opcode the engine lacks, and arguments
// the synchronous function would reject go to the fallback backend (the
// deferred one), which runs the synchronous function (so its errors are the
// same).

import { addressOf, encodeUtf8 } from "jsk:native";
import { setTimeout, clearTimeout, runCallbackHook } from "jsk:loop";
import {
  Buffer, systemError, getPath, getFd, stringToFlags, parseFileMode, getOptions, decodeBytes, statsFromBytes,
  AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EMPTY_PATH, O_CLOEXEC, constants,
} from "node:internal/fs/utils";
import { readArgs, writeArgs, mkdirOptions, dataBytes } from "node:internal/fs/sync";

export const OP = {
  FSYNC: 3, OPENAT: 18, CLOSE: 19, STATX: 21, READ: 22, WRITE: 23,
  RENAMEAT: 35, UNLINKAT: 36, MKDIRAT: 37, SYMLINKAT: 38, LINKAT: 39,
};
export const FSYNC_DATASYNC = 1;
export const STATX_BASIC_STATS_BTIME = 0xfff;

const { S_IFMT, S_IFREG } = constants;
const ENOENT = -2, EAGAIN = -11;

/**
 * One kernel request. Fields as io_uring's SQE names them: fd, addr (buf),
 * len, off (or addr2 = buf2 for statx/renameat/symlinkat/linkat), op flags.
 */
export class Req {
  constructor(opc, fd, buf, len, off, buf2, flags, done) {
    this.opc = opc;
    this.fd = fd;
    this.buf = buf;     // Uint8Array owned by this file, or null
    this.len = len;
    this.off = off;     // file offset, -1 = the current position
    this.buf2 = buf2;   // Uint8Array owned by this file, or null
    this.flags = flags;
    this.done = done;   // (req, result) => void
    this.cb = null;
    this.name = "";
    this.path = undefined;
    this.dest = undefined;
    this.user = null;   // the user's view a read copies into
    this.uoff = 0;
    this.bounce = null;
    this.bigint = false;
    this.noEntry = false;
    this.job = null;
    this.seq = 0;       // a write's or close's place in submission order (0 for the rest)
  }
}

// ---- completion order: a close after the writes and closes submitted before it -----------

const kCloseWaitMs = 50;
let orderSeq = 0;
const ordered = new Set(); // seqs of writes and closes not yet delivered, oldest first
let parked = [];           // closes waiting for earlier writes/closes, in seq order
let parkTimer = null;

function oldestOrdered() {
  for (const s of ordered) return s; // a Set iterates in insertion (= seq) order
  return Infinity;
}

/** Number a Req before it goes to an engine (writes and closes). */
function track(req) {
  if (req.opc === OP.WRITE || req.opc === OP.CLOSE) {
    req.seq = ++orderSeq;
    ordered.add(req.seq);
  }
}

function deliver(req, res) {
  if (req.seq !== 0) {
    ordered.delete(req.seq);
    req.seq = 0;
  }
  req.done(req, res);
}

/** What an engine calls when the kernel answered `req` with `res`. */
export function complete(req, res) {
  if (req.opc === OP.CLOSE && req.seq !== 0 && oldestOrdered() < req.seq) {
    let i = parked.length;
    while (i > 0 && parked[i - 2].seq > req.seq) i -= 2;
    parked.splice(i, 0, req, res);
    if (parkTimer === null) parkTimer = setTimeout(releaseParked, kCloseWaitMs, true);
    return;
  }
  const wasOrdered = req.seq !== 0;
  deliver(req, res);
  if (wasOrdered && parked.length > 0) {
    // This callback and what it queued first, then the closes it held back.
    runCallbackHook();
    releaseParked(false);
  }
}

function releaseParked(all) {
  if (all) parkTimer = null;
  while (parked.length > 0 && (all || parked[0].seq === oldestOrdered())) {
    const req = parked.shift(), res = parked.shift();
    deliver(req, res);
    runCallbackHook();
  }
  if (parked.length === 0 && parkTimer !== null) {
    clearTimeout(parkTimer);
    parkTimer = null;
  }
}

/** A NUL-terminated UTF-8 copy of `s` (owned by the request that carries it). */
export function cstr(s) {
  return encodeUtf8(s + "\u0000");
}

export function addr(u8) {
  return u8 === null ? 0n : addressOf(u8);
}

// ---- bounce buffers ------------------------------------------------------------------

const kBounce = 65536;
const freeBounces = [];

function takeBounce(n) {
  if (n <= kBounce) return freeBounces.length > 0 ? freeBounces.pop() : new Uint8Array(kBounce);
  return new Uint8Array(n);
}

function giveBounce(b) {
  if (b.length === kBounce && freeBounces.length < 32) freeBounces.push(b);
}

// ---- completions of single requests -------------------------------------------------

function exec(engine, req) {
  track(req);
  engine.exec(req);
}

function err(req, res) {
  return systemError(res, req.name, req.path, req.dest);
}

function doneValue(req, res) {
  if (res < 0) req.cb(err(req, res));
  else req.cb(null, res);
}

function doneVoid(req, res) {
  if (res < 0) req.cb(err(req, res));
  else req.cb(null);
}

function doneRead(req, res) {
  const b = req.bounce;
  req.bounce = null;
  if (res > 0) {
    const u = req.user;
    // Detached (or shrunk) while the kernel worked on our copy: nowhere to put the bytes.
    if (u.byteLength >= req.uoff + res) u.set(res === b.length ? b : b.subarray(0, res), req.uoff);
  }
  giveBounce(b);
  if (res < 0) req.cb(err(req, res));
  else req.cb(null, res);
}

function doneWrite(req, res) {
  giveBounce(req.bounce);
  req.bounce = null;
  if (res < 0) req.cb(err(req, res));
  else req.cb(null, res);
}

function doneStat(req, res) {
  if (res < 0) {
    if (res === ENOENT && req.noEntry) req.cb(null);
    else req.cb(err(req, res));
    return;
  }
  req.cb(null, statsFromBytes(req.buf2, req.bigint));
}

function one(engine, opc, fd, buf, len, off, buf2, flags, done, cb, name, path, dest) {
  if (!engine.has(opc)) return false;
  const req = new Req(opc, fd, buf, len, off, buf2, flags, done);
  req.cb = cb;
  req.name = name;
  req.path = path;
  req.dest = dest;
  exec(engine, req);
  return true;
}

const EMPTY_PATH = new Uint8Array(1);

function statReq(engine, dirfd, path, flags, options, cb, name) {
  if (!engine.has(OP.STATX)) return false;
  const req = new Req(OP.STATX, dirfd, path === undefined ? EMPTY_PATH : cstr(path), STATX_BASIC_STATS_BTIME, 0,
    new Uint8Array(256), flags, doneStat);
  req.cb = cb;
  req.name = name;
  req.path = path;
  req.bigint = options?.bigint === true;
  req.noEntry = path !== undefined && options?.throwIfNoEntry === false;
  exec(engine, req);
  return true;
}

// ---- readFile: OPENAT → STATX → READ … → CLOSE ---------------------------------------------

const kReadMax = 2 * 1024 * 1024; // one READ of a sized file at most (a large file takes several)
const kReadChunk = 64 * 1024;     // files without a size (/proc, pipes) and growth, as readFileSync
const kProbe = 8192;

const S_OPEN = 0, S_FSTAT = 1, S_SIZED = 2, S_PROBE = 3, S_CHUNK = 4, S_CLOSE = 5;

function jobDone(req, res) {
  req.job.step(req, res);
}

class ReadFileJob {
  constructor(engine, cb, path, fd, own, encoding) {
    this.engine = engine;
    this.cb = cb;
    this.path = path;
    this.fd = fd;
    this.own = own;
    this.encoding = encoding;
    this.stage = S_OPEN;
    this.buf = null;
    this.size = 0;
    this.n = 0;
    this.chunks = null;
    this.total = 0;
    this.error = null;
    this.result = null;
  }

  issue(opc, fd, buf, len, off, buf2, flags) {
    const req = new Req(opc, fd, buf, len, off, buf2, flags, jobDone);
    req.job = this;
    exec(this.engine, req);
  }

  open(flags) {
    this.stage = S_OPEN;
    this.issue(OP.OPENAT, AT_FDCWD, cstr(this.path), 0o666, 0, null, flags | O_CLOEXEC);
  }

  fstat() {
    this.stage = S_FSTAT;
    this.issue(OP.STATX, this.fd, EMPTY_PATH, STATX_BASIC_STATS_BTIME, 0, new Uint8Array(256), AT_EMPTY_PATH);
  }

  readSized() {
    this.stage = S_SIZED;
    const len = Math.min(this.size - this.n, kReadMax);
    this.issue(OP.READ, this.fd, this.buf.subarray(this.n, this.n + len), len, -1, null, 0);
  }

  readChunk() {
    this.stage = S_CHUNK;
    this.buf = Buffer.allocUnsafeSlow(kReadChunk); // never pooled: nobody else holds its memory
    this.issue(OP.READ, this.fd, this.buf, kReadChunk, -1, null, 0);
  }

  fail(res, name) {
    this.error = systemError(res, name, name === "open" ? this.path : undefined);
    this.finish();
  }

  finish() {
    if (this.own && this.stage !== S_OPEN) {
      this.stage = S_CLOSE;
      this.issue(OP.CLOSE, this.fd, null, 0, 0, null, 0);
      return;
    }
    this.deliver();
  }

  deliver() {
    if (this.error !== null) return this.cb(this.error);
    const bytes = this.result;
    this.result = null;
    let out;
    try {
      out = this.encoding ? decodeBytes(bytes, this.encoding) : bytes;
    } catch (e) {
      return this.cb(e);
    }
    this.cb(null, out);
  }

  done(bytes) {
    this.result = bytes;
    this.finish();
  }

  step(req, res) {
    switch (this.stage) {
      case S_OPEN:
        if (res < 0) return this.fail(res, "open");
        this.fd = res;
        return this.fstat();
      case S_FSTAT: {
        if (res < 0) return this.fail(res, "fstat");
        const v = new DataView(req.buf2.buffer);
        const isReg = (v.getUint16(28, true) & S_IFMT) === S_IFREG;
        const size = isReg ? v.getUint32(40, true) + v.getUint32(44, true) * 4294967296 : 0;
        if (size > 0) {
          this.size = size;
          this.buf = Buffer.allocUnsafeSlow(size);
          return this.readSized();
        }
        this.chunks = [];
        return this.readChunk();
      }
      case S_SIZED:
        if (res < 0) return this.fail(res, "read");
        this.n += res;
        if (res > 0 && this.n < this.size) return this.readSized();
        if (this.n < this.size) return this.done(this.buf.subarray(0, this.n));
        // The file may have grown since fstat.
        this.stage = S_PROBE;
        this.probe = takeBounce(kProbe);
        return this.issue(OP.READ, this.fd, this.probe, kProbe, -1, null, 0);
      case S_PROBE: {
        const probe = this.probe;
        this.probe = null;
        if (res <= 0) {
          giveBounce(probe);
          if (res < 0) return this.fail(res, "read");
          return this.done(this.buf);
        }
        this.chunks = [this.buf, Buffer.from(probe.subarray(0, res))];
        giveBounce(probe);
        this.total = this.size + res;
        return this.readChunk();
      }
      case S_CHUNK: {
        if (res < 0) return this.fail(res, "read");
        if (res > 0) {
          this.chunks.push(res === kReadChunk ? this.buf : this.buf.subarray(0, res));
          this.total += res;
          return this.readChunk();
        }
        const chunks = this.chunks;
        if (chunks.length === 1) {
          const c = chunks[0];
          return this.done(c.length < kReadChunk / 2 && c.buffer.byteLength === kReadChunk ? Buffer.from(c) : c);
        }
        return this.done(Buffer.concat(chunks, this.total));
      }
      case S_CLOSE:
        // readFileSync ignores close's result too.
        return this.deliver();
    }
  }
}

// ---- writeFile / appendFile: OPENAT → WRITE … → CLOSE ----------------------------------------

const kWriteMax = 1024 * 1024; // one WRITE of a caller's buffer at most (copied into a bounce of this size)

class WriteFileJob {
  constructor(engine, cb, path, fd, own, u8, owned) {
    this.engine = engine;
    this.cb = cb;
    this.path = path;
    this.fd = fd;
    this.own = own;
    this.u8 = u8;         // the bytes to write
    this.owned = owned;   // true: u8 is ours (encoded from a string), the kernel may read it directly
    this.total = u8.length;
    this.doneBytes = 0;
    this.bounce = null;
    this.stage = S_OPEN;
    this.error = null;
  }

  issue(opc, fd, buf, len, off, buf2, flags) {
    const req = new Req(opc, fd, buf, len, off, buf2, flags, jobDone);
    req.job = this;
    exec(this.engine, req);
  }

  open(flags, mode) {
    this.stage = S_OPEN;
    this.issue(OP.OPENAT, AT_FDCWD, cstr(this.path), mode, 0, null, flags | O_CLOEXEC);
  }

  write() {
    const left = this.total - this.doneBytes;
    if (left <= 0) return this.finish();
    this.stage = S_SIZED;
    if (this.owned) {
      const src = this.doneBytes === 0 ? this.u8 : this.u8.subarray(this.doneBytes);
      return this.issue(OP.WRITE, this.fd, src, left, -1, null, 0);
    }
    const u = this.u8;
    // The caller's buffer was detached (transferred) while we wrote it: what is left is gone.
    if (u.byteLength < this.total) return this.finish();
    const len = Math.min(left, kWriteMax);
    if (this.bounce === null) this.bounce = takeBounce(Math.min(this.total, kWriteMax));
    const b = this.bounce;
    b.set(u.subarray(this.doneBytes, this.doneBytes + len));
    this.issue(OP.WRITE, this.fd, b, len, -1, null, 0);
  }

  finish() {
    if (this.bounce !== null) {
      giveBounce(this.bounce);
      this.bounce = null;
    }
    if (this.own && this.stage !== S_OPEN) {
      this.stage = S_CLOSE;
      return this.issue(OP.CLOSE, this.fd, null, 0, 0, null, 0);
    }
    this.deliver();
  }

  deliver() {
    if (this.error !== null) this.cb(this.error);
    else this.cb(null);
  }

  step(req, res) {
    switch (this.stage) {
      case S_OPEN:
        if (res < 0) {
          this.error = systemError(res, "open", this.path);
          return this.finish();
        }
        this.fd = res;
        return this.write();
      case S_SIZED:
        if (res < 0) {
          if (res === EAGAIN) return this.write();
          this.error = systemError(res, "write");
          return this.finish();
        }
        this.doneBytes += res;
        return this.write();
      case S_CLOSE:
        return this.deliver();
    }
  }
}

// ---- the plans, by operation name ------------------------------------------------------------
// Each returns true when it handed the operation to the engine, false for the fallback.
// They validate first and call engine.exec last, so a throw leaves nothing behind.

const plans = {
  openSync(e, [path, flags, mode], cb) {
    path = getPath(path);
    const f = stringToFlags(flags);
    const m = parseFileMode(mode, "mode", 0o666);
    return one(e, OP.OPENAT, AT_FDCWD, cstr(path), m, 0, null, f | O_CLOEXEC, doneValue, cb, "open", path);
  },
  closeSync(e, [fd], cb) {
    getFd(fd);
    return one(e, OP.CLOSE, fd, null, 0, 0, null, 0, doneVoid, cb, "close");
  },
  readSync(e, args, cb) {
    const a = readArgs.apply(undefined, args);
    if (a === null || !e.has(OP.READ) || (a[3] < 0 && !e.rwCurPos)) return false;
    const len = a[2];
    const b = takeBounce(len);
    const req = new Req(OP.READ, args[0], b, len, a[3], null, 0, doneRead);
    req.bounce = b;
    req.user = a[0];
    req.uoff = a[1];
    req.cb = cb;
    req.name = "read";
    exec(e, req);
    return true;
  },
  writeSync(e, args, cb) {
    const [fd, buffer, offsetOrOptions, length, position] = args;
    const a = writeArgs(fd, buffer, offsetOrOptions, length, position);
    if (!e.has(OP.WRITE) || (a[3] < 0 && !e.rwCurPos)) return false;
    const len = a[2];
    const b = takeBounce(len);
    if (len > 0) b.set(a[0].subarray(a[1], a[1] + len));
    const req = new Req(OP.WRITE, fd, b, len, a[3], null, 0, doneWrite);
    req.bounce = b;
    req.cb = cb;
    req.name = "write";
    exec(e, req);
    return true;
  },
  statSync(e, [path, options], cb) {
    path = getPath(path);
    return statReq(e, AT_FDCWD, path, 0, options, cb, "stat");
  },
  lstatSync(e, [path, options], cb) {
    path = getPath(path);
    return statReq(e, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, options, cb, "lstat");
  },
  fstatSync(e, [fd, options], cb) {
    getFd(fd);
    return statReq(e, fd, undefined, AT_EMPTY_PATH, options, cb, "fstat");
  },
  fsyncSync(e, [fd], cb) {
    getFd(fd);
    return one(e, OP.FSYNC, fd, null, 0, 0, null, 0, doneVoid, cb, "fsync");
  },
  fdatasyncSync(e, [fd], cb) {
    getFd(fd);
    return one(e, OP.FSYNC, fd, null, 0, 0, null, FSYNC_DATASYNC, doneVoid, cb, "fdatasync");
  },
  renameSync(e, [oldPath, newPath], cb) {
    oldPath = getPath(oldPath, "oldPath");
    newPath = getPath(newPath, "newPath");
    return one(e, OP.RENAMEAT, AT_FDCWD, cstr(oldPath), AT_FDCWD, 0, cstr(newPath), 0, doneVoid, cb,
      "rename", oldPath, newPath);
  },
  unlinkSync(e, [path], cb) {
    path = getPath(path);
    return one(e, OP.UNLINKAT, AT_FDCWD, cstr(path), 0, 0, null, 0, doneVoid, cb, "unlink", path);
  },
  rmdirSync(e, [path, options], cb) {
    if (options?.recursive) return false;
    path = getPath(path);
    return one(e, OP.UNLINKAT, AT_FDCWD, cstr(path), 0, 0, null, AT_REMOVEDIR, doneVoid, cb, "rmdir", path);
  },
  mkdirSync(e, [path, options], cb) {
    const { mode, recursive } = mkdirOptions(options);
    if (recursive) return false;
    path = getPath(path);
    return one(e, OP.MKDIRAT, AT_FDCWD, cstr(path), mode, 0, null, 0, doneVoid, cb, "mkdir", path);
  },
  symlinkSync(e, [target, path], cb) {
    target = getPath(target, "target");
    path = getPath(path);
    return one(e, OP.SYMLINKAT, AT_FDCWD, cstr(target), 0, 0, cstr(path), 0, doneVoid, cb, "symlink", target, path);
  },
  linkSync(e, [existingPath, newPath], cb) {
    existingPath = getPath(existingPath, "existingPath");
    newPath = getPath(newPath, "newPath");
    return one(e, OP.LINKAT, AT_FDCWD, cstr(existingPath), AT_FDCWD, 0, cstr(newPath), 0, doneVoid, cb,
      "link", existingPath, newPath);
  },
  readFileSync(e, [path, options], cb) {
    if (!e.rwCurPos || !e.has(OP.OPENAT) || !e.has(OP.STATX) || !e.has(OP.READ) || !e.has(OP.CLOSE)) return false;
    const opts = getOptions(options, { flag: "r" });
    if (typeof path === "number") {
      new ReadFileJob(e, cb, undefined, getFd(path), false, opts.encoding).fstat();
      return true;
    }
    path = getPath(path);
    const flags = stringToFlags(opts.flag);
    new ReadFileJob(e, cb, path, -1, true, opts.encoding).open(flags);
    return true;
  },
  writeFileSync(e, [path, data, options], cb) {
    return writeFilePlan(e, path, data, getOptions(options, { encoding: "utf8", mode: 0o666, flag: "w" }), cb);
  },
  appendFileSync(e, [path, data, options], cb) {
    const opts = getOptions(options, { encoding: "utf8", mode: 0o666, flag: "a" });
    if (opts.flag === undefined || opts.flag === null) opts.flag = "a";
    return writeFilePlan(e, path, data, opts, cb);
  },
};

function writeFilePlan(e, path, data, opts, cb) {
  if (!e.rwCurPos || !e.has(OP.OPENAT) || !e.has(OP.WRITE) || !e.has(OP.CLOSE)) return false;
  const u8 = dataBytes(data, opts.encoding);
  const owned = typeof data === "string";
  if (typeof path === "number") {
    new WriteFileJob(e, cb, undefined, getFd(path), false, u8, owned).write();
    return true;
  }
  path = getPath(path);
  const mode = parseFileMode(opts.mode, "mode", 0o666);
  const flags = stringToFlags(opts.flag);
  new WriteFileJob(e, cb, path, -1, true, u8, owned).open(flags, mode);
  return true;
}

/**
 * The backend over `engine`: the operations above through it, the rest
 * through `fallback` (a backend with submit(op, args, cb)).
 */
export function createBackend(engine, fallback) {
  const stats = engine.stats;
  return {
    name: engine.name,
    engine,
    stats,
    submit(op, args, cb) {
      const plan = plans[op];
      if (plan !== undefined) {
        let taken = false;
        try {
          taken = plan(engine, args, cb);
        } catch {
          // The synchronous function throws the same error; the fallback delivers it later.
        }
        if (taken) {
          stats.ops++;
          return;
        }
      }
      stats.fallbacks++;
      fallback.submit(op, args, cb);
    },
  };
}

/** The plain system call a Req stands for: [nr, a0, …, a5] (for engines without a ring). */
export function syscallOf(req, nr) {
  const a = addr(req.buf);
  switch (req.opc) {
    case OP.OPENAT: return [nr.openat, req.fd, a, req.flags, req.len, 0, 0];
    case OP.CLOSE: return [nr.close, req.fd, 0, 0, 0, 0, 0];
    case OP.READ: return req.off < 0 ? [nr.read, req.fd, a, req.len, 0, 0, 0] : [nr.pread64, req.fd, a, req.len, req.off, 0, 0];
    case OP.WRITE: return req.off < 0 ? [nr.write, req.fd, a, req.len, 0, 0, 0] : [nr.pwrite64, req.fd, a, req.len, req.off, 0, 0];
    case OP.FSYNC: return [req.flags & FSYNC_DATASYNC ? nr.fdatasync : nr.fsync, req.fd, 0, 0, 0, 0, 0];
    case OP.STATX: return [nr.statx, req.fd, a, req.flags, req.len, addr(req.buf2), 0];
    case OP.RENAMEAT: return [nr.renameat2, req.fd, a, req.len, addr(req.buf2), req.flags, 0];
    case OP.UNLINKAT: return [nr.unlinkat, req.fd, a, req.flags, 0, 0, 0];
    case OP.MKDIRAT: return [nr.mkdirat, req.fd, a, req.len, 0, 0, 0];
    case OP.SYMLINKAT: return [nr.symlinkat, a, req.fd, addr(req.buf2), 0, 0, 0];
    case OP.LINKAT: return [nr.linkat, req.fd, a, req.len, addr(req.buf2), req.flags, 0];
    default: throw new Error(`node:internal/fs/kernel: no system call for opcode ${req.opc}`);
  }
}
