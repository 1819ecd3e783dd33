// node:internal/fs/sync — the synchronous half of node:fs (every *Sync
// function and the Dir class), straight over system calls. The callback and
// promise APIs run these same functions through node:internal/fs/async.

import { addressOf } from "jsk:native";
import { getrandom } from "jsk:sys";
import { nodeError, describeReceived } from "node:internal/errors";
import { submit, defineOps } from "node:internal/fs/async";
import { validateBoolean } from "node:internal/validators";
import {
  Buffer, syscall, nr, fail, sc, systemError, getPath, getFd, stringToFlags, parseFileMode, getOptions,
  decodeBytes, toBytes, encodeName, statFd, rawStatx, lastMode, lastSize, lastIno, lastDev, statsFromBuffer,
  StatFs, Dirent, readDirentBatch, modeToUv, joinPath, resolvePath, dirname, toUnixTimestamp, allocBuffer, validateMode,
  constants, AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, O_CLOEXEC, O_PATH, O_DIRECTORY,
  validateObject, validateFunction, validateInteger, ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_INVALID_ARG_VALUE,
} from "node:internal/fs/utils";

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, S_IFMT, S_IFDIR, S_IFLNK, S_IFREG,
  COPYFILE_EXCL, COPYFILE_FICLONE, COPYFILE_FICLONE_FORCE, F_OK, UV_DIRENT_UNKNOWN, UV_DIRENT_DIR } = constants;

const ENOENT = -2, EEXIST = -17, ENOTDIR = -20, EISDIR = -21, EXDEV = -18, ENOSYS = -38, EINVAL = -22, EINTR = -4,
  ENOTSUP = -95, EPERM = -1, ENOTEMPTY = -39, ELOOP = -40, EAGAIN = -11;

/** Node's SystemError for fs-specific codes (ERR_FS_EISDIR, …). */
function fsSystemError(code, prefix, info) {
  const err = nodeError(Error, code, `${prefix}: ${info.syscall} returned ${info.code} (${info.message}) ${info.path}`);
  Object.defineProperty(err, "name", { value: "SystemError", writable: true, configurable: true });
  err.stack = `SystemError [${code}]: ${err.message}` + String(err.stack).slice(String(err.stack).indexOf("\n"));
  err.info = info;
  err.errno = info.errno;
  err.syscall = info.syscall;
  err.path = info.path;
  if (info.dest !== undefined) err.dest = info.dest;
  return err;
}

// ---- open / close / read / write -------------------------------------------

export function openSync(path, flags, mode) {
  path = getPath(path);
  const f = stringToFlags(flags);
  const m = parseFileMode(mode, "mode", 0o666);
  return sc(syscall(nr.openat, AT_FDCWD, path, f | O_CLOEXEC, m), "open", path);
}

export function closeSync(fd) {
  getFd(fd);
  sc(syscall(nr.close, fd), "close");
}

function u8view(buffer) {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function validateBuffer(buffer, name = "buffer") {
  if (!ArrayBuffer.isView(buffer)) throw ERR_INVALID_ARG_TYPE(name, ["Buffer", "TypedArray", "DataView"], buffer);
}

function validatePosition(position, name = "position") {
  if (typeof position === "bigint") {
    if (position < -1n || position > 9223372036854775807n) throw ERR_OUT_OF_RANGE(name, ">= -1 && <= 9223372036854775807", position);
    return Number(position);
  }
  validateInteger(position, name, -1);
  return position;
}

function validateOffsetLengthWrite(offset, length, byteLength) {
  if (offset > byteLength) throw ERR_OUT_OF_RANGE("offset", `<= ${byteLength}`, offset);
  validateInteger(length, "length", 0, 2147483647);
  if (length > byteLength - offset) throw ERR_OUT_OF_RANGE("length", `<= ${byteLength - offset}`, length);
}

function validateOffsetLength(offset, length, bufferLength) {
  if (offset < 0) throw ERR_OUT_OF_RANGE("offset", ">= 0", offset);
  if (length < 0) throw ERR_OUT_OF_RANGE("length", ">= 0", length);
  if (offset + length > bufferLength) throw ERR_OUT_OF_RANGE("length", `<= ${bufferLength - offset}`, length);
}

/** pread/read of `length` bytes into `u8` at `offset`; position -1/null = current. */
export function rawRead(fd, u8, offset, length, position) {
  const target = offset === 0 && length === u8.length ? u8 : u8.subarray(offset, offset + length);
  let r;
  do {
    r = position == null || position < 0 ? syscall(nr.read, fd, target, length) : syscall(nr.pread64, fd, target, length, position);
  } while (r === EINTR);
  return r;
}

/**
 * readSync's arguments normalised: [u8, offset, length, position (-1 = current)],
 * or null for a read of 0 bytes (no system call). Throws as readSync does.
 * The asynchronous backends use it too (call it with the same arguments).
 */
export function readArgs(fd, buffer, offsetOrOptions, length, position) {
  getFd(fd);
  validateBuffer(buffer);
  let offset = offsetOrOptions;
  if (arguments.length <= 3 || typeof offsetOrOptions === "object") {
    if (offsetOrOptions != null) {
      validateObject(offsetOrOptions, "options", { nullable: true });
      ({ offset = 0, length = buffer.byteLength - offset, position = null } = offsetOrOptions);
    } else {
      offset = 0; length = buffer.byteLength; position = null;
    }
  }
  if (offset === undefined || offset === null) offset = 0;
  else validateInteger(offset, "offset", 0);
  if (length === undefined) length = buffer.byteLength - offset;
  validateInteger(length, "length", 0);
  if (length === 0) return null;
  validateOffsetLength(offset, length, buffer.byteLength);
  if (position === undefined || position === null) position = -1;
  else position = validatePosition(position);
  return [u8view(buffer), offset, length, position];
}

export function readSync(fd, buffer, offsetOrOptions, length, position) {
  const a = readArgs.apply(undefined, arguments);
  if (a === null) return 0;
  return sc(rawRead(fd, a[0], a[1], a[2], a[3]), "read");
}

export function rawWrite(fd, u8, offset, length, position) {
  const src = offset === 0 && length === u8.length ? u8 : u8.subarray(offset, offset + length);
  let r;
  do {
    r = position == null || position < 0 ? syscall(nr.write, fd, src, length) : syscall(nr.pwrite64, fd, src, length, position);
  } while (r === EINTR);
  return r;
}

/** writeSync's arguments normalised: [u8, offset, length, position (-1 = current)]. Throws as writeSync does. */
export function writeArgs(fd, buffer, offsetOrOptions, length, position) {
  getFd(fd);
  let u8, offset = 0;
  if (ArrayBuffer.isView(buffer)) {
    u8 = u8view(buffer);
    if (typeof offsetOrOptions === "object" && offsetOrOptions !== null) {
      ({ offset = 0, length = u8.byteLength - offset, position = null } = offsetOrOptions);
    } else {
      offset = offsetOrOptions;
    }
    if (offset == null) offset = 0;
    else validateInteger(offset, "offset", 0);
    if (typeof length !== "number") length = u8.byteLength - offset;
    if (typeof position !== "number" && typeof position !== "bigint") position = null;
    validateOffsetLengthWrite(offset, length, u8.byteLength);
  } else {
    if (typeof buffer !== "string") throw ERR_INVALID_ARG_TYPE("buffer", ["string", "Buffer", "TypedArray", "DataView"], buffer);
    // writeSync(fd, string[, position[, encoding]])
    position = offsetOrOptions;
    u8 = toBytes(buffer, length === undefined ? "utf8" : length);
    length = u8.length;
  }
  if (position == null) position = -1;
  else position = validatePosition(position);
  return [u8, offset, length, position];
}

export function writeSync(fd, buffer, offsetOrOptions, length, position) {
  const a = writeArgs(fd, buffer, offsetOrOptions, length, position);
  return sc(rawWrite(fd, a[0], a[1], a[2], a[3]), "write");
}

function iovecs(buffers) {
  if (!Array.isArray(buffers) || !buffers.every((b) => ArrayBuffer.isView(b))) {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "buffers" argument must be an ArrayBufferView[].${describeReceived(buffers)}`);
  }
  const iov = new BigUint64Array(buffers.length * 2);
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i];
    iov[2 * i] = b.byteLength === 0 ? 0n : addressOf(b);
    iov[2 * i + 1] = BigInt(b.byteLength);
  }
  return iov;
}

export function readvSync(fd, buffers, position) {
  getFd(fd);
  const iov = iovecs(buffers);
  const pos = position == null ? -1 : validatePosition(position);
  const r = pos < 0 ? syscall(nr.readv, fd, iov, buffers.length) : syscall(nr.preadv, fd, iov, buffers.length, pos, 0);
  void buffers;
  return sc(r, "read");
}

export function writevSync(fd, buffers, position) {
  getFd(fd);
  const iov = iovecs(buffers);
  const pos = position == null ? -1 : validatePosition(position);
  const r = pos < 0 ? syscall(nr.writev, fd, iov, buffers.length) : syscall(nr.pwritev, fd, iov, buffers.length, pos, 0);
  void buffers;
  return sc(r, "write");
}

// ---- whole files ---------------------------------------------------------------

const kReadChunk = 64 * 1024;
const probeBuf = new Uint8Array(8192);

/**
 * Every byte from `fd` (from its current position): one buffer sized from fstat
 * for regular files, then chunks for files that grow or report size 0 (/proc).
 */
export function readAllFromFd(fd) {
  let r = rawStatx(fd, "", 0x1000);
  if (r < 0) fail(r, "fstat");
  const isReg = (lastMode() & S_IFMT) === S_IFREG;
  const size = isReg ? lastSize() : 0;
  let buf, n = 0;
  if (size > 0) {
    buf = allocBuffer(size);
    while (n < size) {
      r = rawRead(fd, buf, n, size - n, -1);
      if (r < 0) fail(r, "read");
      if (r === 0) break;
      n += r;
    }
    if (n < size) return buf.subarray(0, n);
    // The file may have grown since fstat: probe with a shared buffer (no allocation when it has not).
    r = rawRead(fd, probeBuf, 0, probeBuf.length, -1);
    if (r < 0) fail(r, "read");
    if (r === 0) return buf;
    return readChunks(fd, [buf, Buffer.from(probeBuf.subarray(0, r))], size + r);
  }
  return readChunks(fd, [], 0);
}

function readChunks(fd, chunks, total) {
  for (;;) {
    const chunk = allocBuffer(kReadChunk);
    const r = rawRead(fd, chunk, 0, kReadChunk, -1);
    if (r < 0) fail(r, "read");
    if (r === 0) break;
    chunks.push(r === kReadChunk ? chunk : chunk.subarray(0, r));
    total += r;
  }
  if (chunks.length === 1) {
    const c = chunks[0];
    // a short read of a 64 KiB chunk: copy rather than keep the whole chunk alive
    return c.length < kReadChunk / 2 && c.buffer.byteLength === kReadChunk ? Buffer.from(c) : c;
  }
  return Buffer.concat(chunks, total);
}


function isFdArg(p) {
  return typeof p === "number";
}

export function readFileSync(path, options) {
  const opts = getOptions(options, { flag: "r" });
  let fd, own = false;
  if (isFdArg(path)) fd = getFd(path);
  else {
    path = getPath(path);
    fd = sc(syscall(nr.openat, AT_FDCWD, path, stringToFlags(opts.flag) | O_CLOEXEC, 0o666), "open", path);
    own = true;
  }
  let bytes;
  try {
    bytes = readAllFromFd(fd);
  } finally {
    if (own) syscall(nr.close, fd);
  }
  return opts.encoding ? decodeBytes(bytes, opts.encoding) : bytes;
}

function checkData(data) {
  if (typeof data !== "string" && !ArrayBuffer.isView(data)) {
    throw ERR_INVALID_ARG_TYPE("data", ["string", "Buffer", "TypedArray", "DataView"], data);
  }
}

export function dataBytes(data, encoding) {
  if (typeof data === "string") return toBytes(data, encoding);
  if (ArrayBuffer.isView(data)) return u8view(data);
  throw ERR_INVALID_ARG_TYPE("data", ["string", "Buffer", "TypedArray", "DataView"], data);
}

export function writeAll(fd, u8, position = -1) {
  let done = 0;
  const total = u8.length;
  while (done < total) {
    const r = rawWrite(fd, u8, done, total - done, position < 0 ? -1 : position + done);
    if (r < 0) {
      if (r === EAGAIN) continue;
      fail(r, "write");
    }
    done += r;
  }
  return done;
}

function writeFileImpl(path, data, options, defFlag) {
  const opts = getOptions(options, { encoding: "utf8", mode: 0o666, flag: defFlag });
  const u8 = dataBytes(data, opts.encoding);
  if (isFdArg(path)) {
    writeAll(getFd(path), u8);
    return;
  }
  path = getPath(path);
  const mode = parseFileMode(opts.mode, "mode", 0o666);
  const fd = sc(syscall(nr.openat, AT_FDCWD, path, stringToFlags(opts.flag) | O_CLOEXEC, mode), "open", path);
  try {
    writeAll(fd, u8);
  } finally {
    syscall(nr.close, fd);
  }
}

export function writeFileSync(path, data, options) {
  writeFileImpl(path, data, options, "w");
}

export function appendFileSync(path, data, options) {
  const opts = getOptions(options, { encoding: "utf8", mode: 0o666, flag: "a" });
  if (opts.flag === undefined || opts.flag === null) opts.flag = "a";
  writeFileImpl(path, data, opts, "a");
}

// ---- stat -------------------------------------------------------------------------

function statImpl(path, options, follow, name) {
  path = getPath(path);
  const bigint = options?.bigint === true;
  const r = rawStatx(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (r < 0) {
    if (options?.throwIfNoEntry === false && r === ENOENT) return undefined;
    fail(r, name, path);
  }
  return statsFromBuffer(bigint);
}

export function statSync(path, options = { bigint: false, throwIfNoEntry: true }) {
  return statImpl(path, options, true, "stat");
}

export function lstatSync(path, options = { bigint: false, throwIfNoEntry: true }) {
  return statImpl(path, options, false, "lstat");
}

export function fstatSync(fd, options = { bigint: false }) {
  getFd(fd);
  return statFd(fd, options?.bigint === true);
}

const statfsBuf = new ArrayBuffer(120);
const statfsView = new DataView(statfsBuf);
export function statfsSync(path, options = { bigint: false }) {
  path = getPath(path);
  sc(syscall(nr.statfs, path, statfsBuf), "statfs", path);
  const g = (i) => statfsView.getBigInt64(i * 8, true);
  const vals = [g(0), g(1), g(2), g(3), g(4), g(5), g(6)];
  return options?.bigint ? new StatFs(...vals) : new StatFs(...vals.map(Number));
}

// ---- directories ----------------------------------------------------------------------

function openDir(path, syscallName, withPath = true) {
  const fd = syscall(nr.openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) fail(fd, syscallName, withPath ? path : undefined);
  return fd;
}

/** [name, type, name, type, …] of one directory, sorted by name (as libuv's scandir). */
function scan(path) {
  const fd = openDir(path, "scandir");
  const flat = [];
  try {
    while (readDirentBatch(fd, flat, path));
  } finally {
    syscall(nr.close, fd);
  }
  const n = flat.length / 2;
  const idx = new Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => (flat[2 * a] < flat[2 * b] ? -1 : flat[2 * a] > flat[2 * b] ? 1 : 0));
  const names = new Array(n), types = new Array(n);
  for (let i = 0; i < n; i++) {
    names[i] = flat[2 * idx[i]];
    types[i] = flat[2 * idx[i] + 1];
  }
  return { names, types };
}

function resolveType(dir, name, type) {
  if (type !== UV_DIRENT_UNKNOWN) return type;
  const r = rawStatx(AT_FDCWD, joinPath(dir, name), AT_SYMLINK_NOFOLLOW);
  return r < 0 ? UV_DIRENT_UNKNOWN : modeToUv(lastMode());
}

function readdirOptions(options) {
  const opts = getOptions(options, {});
  if (opts.recursive != null && opts.recursive !== false) validateBoolean(opts.recursive, "options.recursive");
  return opts;
}

export function readdirSync(path, options) {
  const opts = readdirOptions(options);
  path = getPath(path);
  const { encoding, withFileTypes = false, recursive = false } = opts;
  if (!recursive) {
    const { names, types } = scan(path);
    if (withFileTypes) return names.map((n, i) => new Dirent(encodeName(n, encoding), resolveType(path, n, types[i]), path));
    return encoding == null || encoding === "utf8" ? names : names.map((n) => encodeName(n, encoding));
  }
  // Breadth first, as Node: each directory's sorted entries, then its subdirectories' in that order.
  const out = [];
  const queue = [""];
  for (let q = 0; q < queue.length; q++) {
    const rel = queue[q];
    const dir = rel === "" ? path : joinPath(path, rel);
    const { names, types } = scan(dir);
    for (let i = 0; i < names.length; i++) {
      const t = resolveType(dir, names[i], types[i]);
      const relName = rel === "" ? names[i] : rel + "/" + names[i];
      if (withFileTypes) out.push(new Dirent(encodeName(names[i], encoding), t, dir));
      else out.push(encodeName(relName, encoding));
      if (t === UV_DIRENT_DIR) queue.push(relName);
    }
  }
  return out;
}

const kDirClosed = Symbol("closed");
export class Dir {
  constructor(fd, path, options) {
    this._fd = fd;
    this._rootFd = fd;
    this._path = path;
    this._encoding = options?.encoding;
    this._recursive = options?.recursive === true;
    this._pending = [];
    this._pendingIndex = 0;
    this._dirs = []; // [fd, path] for recursive traversal
    this._current = path;
    this[kDirClosed] = false;
  }
  get path() { return this._path; }
  _checkOpen() {
    if (this[kDirClosed]) throw nodeError(Error, "ERR_DIR_CLOSED", "Directory handle was closed");
  }
  readSync() {
    this._checkOpen();
    for (;;) {
      if (this._pendingIndex < this._pending.length) {
        const name = this._pending[this._pendingIndex++];
        const type = resolveType(this._current, name, this._pending[this._pendingIndex++]);
        if (this._recursive && type === UV_DIRENT_DIR) this._dirs.push(joinPath(this._current, name));
        return new Dirent(encodeName(name, this._encoding), type, this._current);
      }
      this._pending.length = 0;
      this._pendingIndex = 0;
      if (this._fd >= 0 && readDirentBatch(this._fd, this._pending, this._current)) continue;
      // This directory is exhausted; the handle's own fd stays open until close().
      if (this._fd >= 0 && this._fd !== this._rootFd) syscall(nr.close, this._fd);
      this._fd = -1;
      if (!this._recursive || this._dirs.length === 0) return null;
      this._current = this._dirs.shift();
      const fd = syscall(nr.openat, AT_FDCWD, this._current, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
      this._fd = fd < 0 ? -1 : fd;
    }
  }
  read(cb) {
    if (typeof cb === "function") {
      this._checkOpen();
      submit("dirReadSync", [this], cb);
      return undefined;
    }
    return new Promise((resolve, reject) => {
      try { this._checkOpen(); } catch (e) { reject(e); return; }
      submit("dirReadSync", [this], (err, v) => (err ? reject(err) : resolve(v)));
    });
  }
  closeSync() {
    this._checkOpen();
    this[kDirClosed] = true;
    if (this._fd >= 0 && this._fd !== this._rootFd) syscall(nr.close, this._fd);
    syscall(nr.close, this._rootFd);
    this._fd = -1;
  }
  close(cb) {
    if (typeof cb === "function") {
      this._checkOpen();
      submit("dirCloseSync", [this], cb);
      return undefined;
    }
    return new Promise((resolve, reject) => {
      try { this._checkOpen(); } catch (e) { reject(e); return; }
      submit("dirCloseSync", [this], (err) => (err ? reject(err) : resolve()));
    });
  }
  async *entries() {
    try {
      for (;;) {
        const d = await this.read();
        if (d === null) break;
        yield d;
      }
    } finally {
      if (!this[kDirClosed]) await this.close();
    }
  }
  [Symbol.asyncIterator]() { return this.entries(); }
  *[Symbol.iterator]() {
    try {
      for (let d; (d = this.readSync()) !== null;) yield d;
    } finally {
      if (!this[kDirClosed]) this.closeSync();
    }
  }
}


export function opendirSync(path, options) {
  path = getPath(path);
  const opts = getOptions(options, { encoding: "utf8" });
  if (opts.bufferSize !== undefined) validateInteger(opts.bufferSize, "options.bufferSize", 1, 4294967295);
  const fd = openDir(path, "opendir", false);
  return new Dir(fd, path, opts);
}

export function mkdirOptions(options) {
  let mode = 0o777, recursive = false;
  if (typeof options === "number" || typeof options === "string") mode = parseFileMode(options, "mode");
  else if (options) {
    if (options.recursive !== undefined) { validateBoolean(options.recursive, "options.recursive"); recursive = options.recursive; }
    if (options.mode !== undefined) mode = parseFileMode(options.mode, "options.mode");
  }
  return { mode, recursive };
}

export function mkdirSync(path, options) {
  const { mode, recursive } = mkdirOptions(options);
  path = getPath(path);
  if (!recursive) {
    sc(syscall(nr.mkdirat, AT_FDCWD, path, mode), "mkdir", path);
    return undefined;
  }
  return mkdirp(path, mode);
}

function mkdirp(path, mode) {
  const r = syscall(nr.mkdirat, AT_FDCWD, path, mode);
  if (r >= 0) {
    // Created: but a parent may also have been made by us further up the recursion.
    return path;
  }
  if (r === EEXIST) {
    const s = rawStatx(AT_FDCWD, path, 0);
    if (s >= 0 && (lastMode() & S_IFMT) === S_IFDIR) return undefined;
    fail(s >= 0 ? EEXIST : s, "mkdir", path);
  }
  if (r !== ENOENT) fail(r, "mkdir", path);
  const trimmed = path.replace(/\/+$/, "");
  const parent = dirname(trimmed);
  if (parent === trimmed || parent === "." && !trimmed.includes("/")) fail(r, "mkdir", path);
  let first;
  try {
    first = mkdirp(parent, mode);
  } catch (e) {
    // Report the path asked for, with the parent's errno (as Node does).
    if (e && typeof e.errno === "number" && e.syscall === "mkdir") fail(e.errno, "mkdir", path);
    throw e;
  }
  const r2 = syscall(nr.mkdirat, AT_FDCWD, path, mode);
  if (r2 < 0 && r2 !== EEXIST) fail(r2, "mkdir", path);
  if (r2 === EEXIST) {
    const s = rawStatx(AT_FDCWD, path, 0);
    if (!(s >= 0 && (lastMode() & S_IFMT) === S_IFDIR)) fail(EEXIST, "mkdir", path);
  }
  return first ?? (r2 >= 0 ? path : undefined);
}

const tmpChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const rnd = new Uint8Array(6);
export function mkdtempSync(prefix, options) {
  const opts = getOptions(options, {});
  prefix = getPath(prefix, "prefix");
  for (let attempt = 0; ; attempt++) {
    getrandom(rnd);
    let suffix = "";
    for (let i = 0; i < 6; i++) suffix += tmpChars[rnd[i] % 62];
    const p = prefix + suffix;
    const r = syscall(nr.mkdirat, AT_FDCWD, p, 0o700);
    if (r >= 0) return encodeName(p, opts.encoding);
    if (r !== EEXIST || attempt > 100) fail(r, "mkdtemp", prefix + "XXXXXX");
  }
}

// ---- removing --------------------------------------------------------------------------

export function unlinkSync(path) {
  path = getPath(path);
  sc(syscall(nr.unlinkat, AT_FDCWD, path, 0), "unlink", path);
}

function removeTree(path) {
  // unlink first (files, links); a directory answers EISDIR (Linux) or EPERM.
  let r = syscall(nr.unlinkat, AT_FDCWD, path, 0);
  if (r >= 0 || r === ENOENT) return r;
  if (r !== EISDIR && r !== EPERM) fail(r, "unlink", path);
  r = syscall(nr.unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
  if (r >= 0) return r;
  if (r !== ENOTEMPTY && r !== EEXIST) fail(r, "rmdir", path);
  const { names } = scan(path);
  for (const n of names) removeTree(joinPath(path, n));
  sc(syscall(nr.unlinkat, AT_FDCWD, path, AT_REMOVEDIR), "rmdir", path);
  return 0;
}

export function rmdirSync(path, options) {
  path = getPath(path);
  if (options?.recursive) {
    const r = rawStatx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
    if (r < 0) fail(r, "rmdir", path);
    if ((lastMode() & S_IFMT) !== S_IFDIR) fail(ENOTDIR, "rmdir", path);
    removeTree(path);
    return;
  }
  sc(syscall(nr.unlinkat, AT_FDCWD, path, AT_REMOVEDIR), "rmdir", path);
}

function rmOptions(options) {
  const opts = options ?? {};
  if (opts !== null && typeof opts !== "object") throw ERR_INVALID_ARG_TYPE("options", "object", opts);
  const { recursive = false, force = false } = opts;
  validateBoolean(recursive, "options.recursive");
  validateBoolean(force, "options.force");
  if (opts.maxRetries !== undefined) validateInteger(opts.maxRetries, "options.maxRetries", 0);
  if (opts.retryDelay !== undefined) validateInteger(opts.retryDelay, "options.retryDelay", 0);
  return { recursive, force };
}

export function rmSync(path, options) {
  path = getPath(path);
  const { recursive, force } = rmOptions(options);
  const r = rawStatx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
  if (r < 0) {
    if (force && r === ENOENT) return;
    fail(r, "lstat", path);
  }
  if ((lastMode() & S_IFMT) === S_IFDIR) {
    if (!recursive) {
      throw fsSystemError("ERR_FS_EISDIR", "Path is a directory",
        { code: "EISDIR", message: "is a directory", path, syscall: "rm", errno: 21 });
    }
    removeTree(path);
    return;
  }
  const u = syscall(nr.unlinkat, AT_FDCWD, path, 0);
  if (u < 0 && !(force && u === ENOENT)) fail(u, "unlink", path);
}

export function renameSync(oldPath, newPath) {
  oldPath = getPath(oldPath, "oldPath");
  newPath = getPath(newPath, "newPath");
  sc(syscall(nr.renameat2, AT_FDCWD, oldPath, AT_FDCWD, newPath, 0), "rename", oldPath, newPath);
}

// ---- copying ------------------------------------------------------------------------------

const FICLONE = 0x40049409;

function copyFdData(src, dst, size) {
  // copy_file_range, then sendfile, then read/write.
  let left = size;
  let mode = 0;
  while (mode === 0) {
    const r = syscall(nr.copy_file_range, src, 0, dst, 0, Math.min(left > 0 ? left : 1 << 30, 1 << 30), 0);
    if (r > 0) { left -= r; continue; }
    if (r === 0) return;
    if (r === EINTR) continue;
    if (r === EXDEV || r === ENOSYS || r === EINVAL || r === ENOTSUP || r === EPERM || r === -5 /* EIO */) mode = 1;
    else fail(r, "copyfile");
  }
  const buf = allocBuffer(kReadChunk);
  for (;;) {
    const r = rawRead(src, buf, 0, kReadChunk, -1);
    if (r < 0) fail(r, "copyfile");
    if (r === 0) return;
    writeAll(dst, buf.subarray(0, r));
  }
}

export function copyFileSync(src, dest, mode = 0) {
  src = getPath(src, "src");
  dest = getPath(dest, "dest");
  mode = validateMode(mode, 0, 7);
  const sfd = syscall(nr.openat, AT_FDCWD, src, O_RDONLY | O_CLOEXEC, 0);
  if (sfd < 0) fail(sfd, "copyfile", src, dest);
  let dfd = -1;
  try {
    let r = rawStatx(sfd, "", 0x1000);
    if (r < 0) fail(r, "copyfile", src, dest);
    const smode = lastMode();
    const size = lastSize();
    if ((smode & S_IFMT) === S_IFDIR) fail(EISDIR, "copyfile", src, dest);
    const sIno = lastIno(), sDev = lastDev();
    const dflags = O_WRONLY | O_CREAT | O_CLOEXEC | ((mode & COPYFILE_EXCL) ? O_EXCL : 0);
    dfd = syscall(nr.openat, AT_FDCWD, dest, dflags, smode & 0o7777);
    if (dfd < 0) fail(dfd, "copyfile", src, dest);
    r = rawStatx(dfd, "", 0x1000);
    if (r >= 0 && lastIno() === sIno && lastDev() === sDev) return; // same file
    r = syscall(nr.ftruncate, dfd, 0);
    if (r < 0) fail(r, "copyfile", src, dest);
    syscall(nr.fchmod, dfd, smode & 0o7777);
    if (mode & (COPYFILE_FICLONE | COPYFILE_FICLONE_FORCE)) {
      r = syscall(nr.ioctl, dfd, FICLONE, sfd);
      if (r >= 0) return;
      if (mode & COPYFILE_FICLONE_FORCE) fail(r, "copyfile", src, dest);
    }
    try {
      copyFdData(sfd, dfd, size);
    } catch (e) {
      if (e && typeof e.errno === "number") fail(e.errno, "copyfile", src, dest);
      throw e;
    }
  } finally {
    syscall(nr.close, sfd);
    if (dfd >= 0) syscall(nr.close, dfd);
  }
}

export function cpSync(src, dest, options) {
  src = getPath(src, "src");
  dest = getPath(dest, "dest");
  const opts = { recursive: false, force: true, errorOnExist: false, dereference: false, preserveTimestamps: false, verbatimSymlinks: false, ...(options ?? {}) };
  if (opts.filter !== undefined) validateFunction(opts.filter, "options.filter");
  const follow = opts.dereference;
  const r = rawStatx(AT_FDCWD, src, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (r < 0) fail(r, follow ? "stat" : "lstat", src);
  const srcMode = lastMode();
  const srcIno = lastIno(), srcDev = lastDev();
  const d = rawStatx(AT_FDCWD, dest, 0);
  if (d >= 0 && lastIno() === srcIno && lastDev() === srcDev) {
    throw fsSystemError("ERR_FS_CP_EINVAL", "Invalid src or dest",
      { message: "src and dest cannot be the same", path: dest, syscall: "cp", errno: 22, code: "EINVAL" });
  }
  if ((srcMode & S_IFMT) === S_IFDIR && !opts.recursive) {
    throw fsSystemError("ERR_FS_EISDIR", "Path is a directory",
      { message: `${src} is a directory (not copied)`, path: src, syscall: "cp", errno: 22, code: "EISDIR" });
  }
  if ((srcMode & S_IFMT) === S_IFDIR && (resolvePath(dest) + "/").startsWith(resolvePath(src) + "/")) {
    throw fsSystemError("ERR_FS_CP_EINVAL", "Invalid src or dest",
      { message: `cannot copy ${src} to a subdirectory of self ${dest}`, path: dest, syscall: "cp", errno: 22, code: "EINVAL" });
  }
  cpEntry(src, dest, opts);
}

function cpEntry(src, dest, opts) {
  if (opts.filter && !opts.filter(src, dest)) return;
  const r = rawStatx(AT_FDCWD, src, opts.dereference ? 0 : AT_SYMLINK_NOFOLLOW);
  if (r < 0) fail(r, "lstat", src);
  const st = statsFromBuffer(false);
  const type = st.mode & S_IFMT;
  const dr = rawStatx(AT_FDCWD, dest, AT_SYMLINK_NOFOLLOW);
  const destExists = dr >= 0;
  if (type === S_IFDIR) {
    if (!destExists) sc(syscall(nr.mkdirat, AT_FDCWD, dest, st.mode & 0o7777), "mkdir", dest);
    else if ((lastMode() & S_IFMT) !== S_IFDIR) {
      throw fsSystemError("ERR_FS_CP_DIR_TO_NON_DIR", "Cannot overwrite non-directory with directory",
        { message: `cannot overwrite non-directory ${dest} with directory ${src}`, path: dest, syscall: "cp", errno: 21, code: "EISDIR" });
    }
    for (const n of scan(src).names) cpEntry(joinPath(src, n), joinPath(dest, n), opts);
    return;
  }
  if (destExists) {
    if (!opts.force) {
      if (opts.errorOnExist) {
        throw fsSystemError("ERR_FS_CP_EEXIST", "Target already exists",
          { message: `${dest} already exists`, path: dest, syscall: "cp", errno: 17, code: "EEXIST" });
      }
      return;
    }
    if ((lastMode() & S_IFMT) === S_IFDIR && type !== S_IFDIR) {
      throw fsSystemError("ERR_FS_CP_NON_DIR_TO_DIR", "Cannot overwrite directory with non-directory",
        { message: `cannot overwrite directory ${dest} with non-directory ${src}`, path: dest, syscall: "cp", errno: 21, code: "EISDIR" });
    }
  }
  if (type === S_IFLNK) {
    let target = readlinkSync(src);
    if (!opts.verbatimSymlinks && !target.startsWith("/")) target = resolvePath(joinPath(dirname(src), target));
    if (destExists) syscall(nr.unlinkat, AT_FDCWD, dest, 0);
    symlinkSync(target, dest);
    return;
  }
  if (type === S_IFREG) {
    copyFileSync(src, dest);
  } else {
    throw fsSystemError("ERR_FS_CP_UNKNOWN", "Cannot copy an unknown file type",
      { message: `cannot copy an unknown file type: ${dest}`, path: dest, syscall: "cp", errno: 22, code: "EINVAL" });
  }
  if (opts.preserveTimestamps) utimesSync(dest, st.atime, st.mtime);
}

// ---- links ----------------------------------------------------------------------------------

export function symlinkSync(target, path, type) {
  target = getPath(target, "target");
  path = getPath(path);
  void type; // 'file' | 'dir' | 'junction' matter on Windows only
  sc(syscall(nr.symlinkat, target, AT_FDCWD, path), "symlink", target, path);
}

const linkBuf = new Uint8Array(4096);
function rawReadlink(path) {
  return syscall(nr.readlinkat, AT_FDCWD, path, linkBuf, linkBuf.length);
}
function decodeLink(n) {
  return decodeBytes(linkBuf.subarray(0, n), "utf8");
}

export function readlinkSync(path, options) {
  const opts = getOptions(options, {});
  path = getPath(path);
  const n = sc(rawReadlink(path), "readlink", path);
  return encodeName(decodeLink(n), opts.encoding);
}

export function linkSync(existingPath, newPath) {
  existingPath = getPath(existingPath, "existingPath");
  newPath = getPath(newPath, "newPath");
  sc(syscall(nr.linkat, AT_FDCWD, existingPath, AT_FDCWD, newPath, 0), "link", existingPath, newPath);
}

/** realpath(3) through the kernel: open O_PATH and read /proc/self/fd/N. Returns a negative errno on failure. */
function kernelRealpath(path) {
  const fd = syscall(nr.openat, AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
  if (fd < 0) return fd;
  const n = rawReadlink(`/proc/self/fd/${fd}`);
  syscall(nr.close, fd);
  if (n < 0) return n;
  return decodeLink(n);
}

/** Node's JS realpath: component by component with lstat/readlink (its errors name lstat). */
function walkRealpath(p) {
  let pending = resolvePath(p).split("/").filter(Boolean);
  let resolved = "";
  let links = 0;
  while (pending.length) {
    const part = pending.shift();
    if (part === "..") { resolved = dirname(resolved || "/"); if (resolved === "/") resolved = ""; continue; }
    const next = resolved + "/" + part;
    const r = rawStatx(AT_FDCWD, next, AT_SYMLINK_NOFOLLOW);
    if (r < 0) fail(r, "lstat", next);
    if ((lastMode() & S_IFMT) !== S_IFLNK) {
      if (pending.length && (lastMode() & S_IFMT) !== S_IFDIR) fail(ENOTDIR, "lstat", next + "/" + pending.join("/"));
      resolved = next;
      continue;
    }
    if (++links > 40) fail(ELOOP, "lstat", next);
    const n = rawReadlink(next);
    if (n < 0) fail(n, "readlink", next);
    const target = decodeLink(n);
    if (target.startsWith("/")) resolved = "";
    pending = target.split("/").filter((x) => x && x !== ".").concat(pending);
  }
  return resolved || "/";
}

export function realpathSync(path, options) {
  const opts = getOptions(options, {});
  path = resolvePath(getPath(path)); // '..' is resolved before symbolic links, as Node's JS realpath does
  const r = kernelRealpath(path);
  const out = typeof r === "string" && r.startsWith("/") ? r : walkRealpath(path);
  return encodeName(out, opts.encoding);
}

realpathSync.native = function realpathNative(path, options) {
  const opts = getOptions(options, {});
  path = getPath(path);
  const r = kernelRealpath(path);
  if (typeof r !== "string") fail(r, "realpath", path);
  return encodeName(r, opts.encoding);
};

// ---- permissions, owners, times ------------------------------------------------------------

export function accessSync(path, mode = F_OK) {
  path = getPath(path);
  mode = validateMode(mode, F_OK, 7);
  sc(syscall(nr.faccessat, AT_FDCWD, path, mode), "access", path);
}

export function existsSync(path) {
  try {
    path = getPath(path);
  } catch {
    return false;
  }
  return syscall(nr.faccessat, AT_FDCWD, path, F_OK) >= 0;
}

export function chmodSync(path, mode) {
  path = getPath(path);
  mode = parseFileMode(mode, "mode");
  sc(syscall(nr.fchmodat, AT_FDCWD, path, mode), "chmod", path);
}

export function fchmodSync(fd, mode) {
  getFd(fd);
  mode = parseFileMode(mode, "mode");
  sc(syscall(nr.fchmod, fd, mode), "fchmod");
}

function validateId(v, name) {
  validateInteger(v, name, -1, 4294967295);
  return v;
}

export function chownSync(path, uid, gid) {
  path = getPath(path);
  sc(syscall(nr.fchownat, AT_FDCWD, path, validateId(uid, "uid"), validateId(gid, "gid"), 0), "chown", path);
}

export function lchownSync(path, uid, gid) {
  path = getPath(path);
  sc(syscall(nr.fchownat, AT_FDCWD, path, validateId(uid, "uid"), validateId(gid, "gid"), AT_SYMLINK_NOFOLLOW), "lchown", path);
}

export function fchownSync(fd, uid, gid) {
  getFd(fd);
  sc(syscall(nr.fchown, fd, validateId(uid, "uid"), validateId(gid, "gid")), "fchown");
}

export function truncateSync(path, len = 0) {
  if (typeof path === "number") return ftruncateSync(path, len);
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, len);
  } finally {
    syscall(nr.close, fd);
  }
}

export function ftruncateSync(fd, len = 0) {
  getFd(fd);
  validateInteger(len, "len");
  sc(syscall(nr.ftruncate, fd, Math.max(0, len)), "ftruncate");
}

const timesBuf = new BigInt64Array(4);
function setTimes(atime, mtime) {
  const a = toUnixTimestamp(atime), m = toUnixTimestamp(mtime);
  const as = Math.floor(a), ms = Math.floor(m);
  timesBuf[0] = BigInt(as); timesBuf[1] = BigInt(Math.round((a - as) * 1e9) % 1000000000);
  timesBuf[2] = BigInt(ms); timesBuf[3] = BigInt(Math.round((m - ms) * 1e9) % 1000000000);
  return timesBuf;
}

export function utimesSync(path, atime, mtime) {
  path = getPath(path);
  sc(syscall(nr.utimensat, AT_FDCWD, path, setTimes(atime, mtime), 0), "utime", path);
}

export function futimesSync(fd, atime, mtime) {
  getFd(fd);
  sc(syscall(nr.utimensat, fd, null, setTimes(atime, mtime), 0), "futime");
}

export function lutimesSync(path, atime, mtime) {
  path = getPath(path);
  sc(syscall(nr.utimensat, AT_FDCWD, path, setTimes(atime, mtime), AT_SYMLINK_NOFOLLOW), "lutime", path);
}

export function fsyncSync(fd) {
  getFd(fd);
  sc(syscall(nr.fsync, fd), "fsync");
}

export function fdatasyncSync(fd) {
  getFd(fd);
  sc(syscall(nr.fdatasync, fd), "fdatasync");
}

export { fsSystemError, ENOENT };

defineOps({
  openSync, closeSync, readSync, writeSync, readvSync, writevSync, readFileSync, writeFileSync, appendFileSync,
  statSync, lstatSync, fstatSync, statfsSync, readdirSync, opendirSync, mkdirSync, mkdtempSync, unlinkSync,
  rmdirSync, rmSync, renameSync, copyFileSync, cpSync, symlinkSync, readlinkSync, linkSync, realpathSync,
  realpathNativeSync: realpathSync.native, accessSync, existsSync, chmodSync, fchmodSync, chownSync, lchownSync,
  fchownSync, truncateSync, ftruncateSync, utimesSync, futimesSync, lutimesSync, fsyncSync, fdatasyncSync,
  dirReadSync: (dir) => dir.readSync(),
  dirCloseSync: (dir) => dir.closeSync(),
});

/**
 * The argument checks Node makes synchronously in the callback API, by
 * operation name, for the options a callback function would otherwise only
 * reject later (the path, fd and callback are checked by node:fs itself).
 */
export const syncChecks = {
  mkdirSync: (path, options) => { mkdirOptions(options); },
  rmSync: (path, options) => { rmOptions(options); },
  readdirSync: (path, options) => { readdirOptions(options); },
  readFileSync: (path, options) => { getOptions(options); },
  writeFileSync: (path, data, options) => { getOptions(options); checkData(data); },
  appendFileSync: (path, data, options) => { getOptions(options); checkData(data); },
  copyFileSync: (src, dest, mode) => { validateMode(mode, 0, 7); },
  accessSync: (path, mode) => { validateMode(mode, F_OK, 7); },
  readlinkSync: (path, options) => { getOptions(options); },
  realpathSync: (path, options) => { getOptions(options); },
  mkdtempSync: (prefix, options) => { getOptions(options); },
  cpSync: (src, dest, options) => { if (options?.filter !== undefined) validateFunction(options.filter, "options.filter"); },
  ftruncateSync: (fd, len) => { if (len !== undefined) validateInteger(len, "len"); },
  fchmodSync: (fd, mode) => { parseFileMode(mode, "mode"); },
  chownSync: (path, uid, gid) => { validateId(uid, "uid"); validateId(gid, "gid"); },
  lchownSync: (path, uid, gid) => { validateId(uid, "uid"); validateId(gid, "gid"); },
  fchownSync: (fd, uid, gid) => { validateId(uid, "uid"); validateId(gid, "gid"); },
};
