// node:internal/fs/utils — what every part of node:fs shares: argument
// normalisation (paths, flags, modes, fds, encodings), the raw system calls
// node:fs needs beyond jsk:sys, Stats/BigIntStats/StatFs/Dirent, constants,
// and the byte/string conversions (through node:buffer).

import { syscall, nr, errnoName, O_DIRECTORY as SYS_O_DIRECTORY, O_NOFOLLOW as SYS_O_NOFOLLOW, O_DIRECT as SYS_O_DIRECT } from "jsk:sys";
import { encodeUtf8, decodeUtf8 } from "jsk:native";
import { codes, systemError, nodeError, describeReceived } from "node:internal/errors";
import { validateInteger, validateObject, validateFunction } from "node:internal/validators";
import { Buffer } from "node:buffer";

export { Buffer, syscall, nr, errnoName, systemError };
const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, ERR_UNKNOWN_ENCODING } = codes;

// ---- constants (Linux values, as Node's fs.constants lists them) -----------

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

export const constants = (Object.assign(Object.create(null), {
  UV_FS_SYMLINK_DIR: 1, UV_FS_SYMLINK_JUNCTION: 2,
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2,
  UV_DIRENT_UNKNOWN: 0, UV_DIRENT_FILE: 1, UV_DIRENT_DIR: 2, UV_DIRENT_LINK: 3,
  UV_DIRENT_FIFO: 4, UV_DIRENT_SOCKET: 5, UV_DIRENT_CHAR: 6, UV_DIRENT_BLOCK: 7,
  EXTENSIONLESS_FORMAT_JAVASCRIPT: 0, EXTENSIONLESS_FORMAT_WASM: 1,
  S_IFMT: 0o170000, S_IFREG: 0o100000, S_IFDIR: 0o40000, S_IFCHR: 0o20000, S_IFBLK: 0o60000,
  S_IFIFO: 0o10000, S_IFLNK: 0o120000, S_IFSOCK: 0o140000,
  O_CREAT: 0o100, O_EXCL: 0o200, UV_FS_O_FILEMAP: 0, O_NOCTTY: 0o400, O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  // O_DIRECTORY/O_NOFOLLOW/O_DIRECT differ on aarch64
  O_DIRECTORY: 0, O_NOATIME: 0o1000000, O_NOFOLLOW: 0, O_SYNC: 0o4010000, O_DSYNC: 0o10000,
  O_DIRECT: 0, O_NONBLOCK: 0o4000,
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100,
  S_IRWXG: 0o70, S_IRGRP: 0o40, S_IWGRP: 0o20, S_IXGRP: 0o10,
  S_IRWXO: 0o7, S_IROTH: 0o4, S_IWOTH: 0o2, S_IXOTH: 0o1,
  F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
  UV_FS_COPYFILE_EXCL: 1, COPYFILE_EXCL: 1,
  UV_FS_COPYFILE_FICLONE: 2, COPYFILE_FICLONE: 2,
  UV_FS_COPYFILE_FICLONE_FORCE: 4, COPYFILE_FICLONE_FORCE: 4,
}, archFlags()));

function archFlags() {
  // Values from jsk:sys (x86_64 and aarch64 differ here).
  return { O_DIRECTORY: SYS_O_DIRECTORY, O_NOFOLLOW: SYS_O_NOFOLLOW, O_DIRECT: SYS_O_DIRECT };
}

export const O_DIRECTORY = constants.O_DIRECTORY;
export const O_NOFOLLOW = constants.O_NOFOLLOW;
const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_SYNC, S_IFMT } = constants;

// ---- errors ------------------------------------------------------------------

/** Throw Node's system error for a negative syscall result. */
export function fail(r, syscallName, path, dest) {
  throw systemError(r, syscallName, path === undefined ? undefined : String(path), dest === undefined ? undefined : String(dest));
}

/** A raw syscall: returns r >= 0 or throws systemError(r, name, path, dest). */
export function sc(r, name, path, dest) {
  if (r < 0) fail(r, name, path, dest);
  return r;
}

// ---- paths -------------------------------------------------------------------

function isURLLike(p) {
  return p != null && typeof p === "object" && typeof p.href === "string" &&
    typeof p.protocol === "string" && p.auth === undefined && p.path === undefined;
}

function fileURLToPathLocal(url) {
  if (url.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
  const host = url.hostname ?? "";
  if (host !== "" && host !== "localhost") {
    throw nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", 'File URL host must be "localhost" or empty on linux');
  }
  const pathname = url.pathname ?? new URL(url.href).pathname;
  if (/%2f/i.test(pathname)) {
    throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  }
  return decodeURIComponent(pathname);
}

/**
 * A path argument as the string given to the kernel: a string, a Buffer/Uint8Array
 * (decoded as UTF-8) or a file: URL. Throws Node's errors for other types and NUL bytes.
 */
export function getPath(p, name = "path") {
  let s;
  if (typeof p === "string") s = p;
  else if (p instanceof Uint8Array) s = decodeUtf8(p);
  else if (isURLLike(p)) s = fileURLToPathLocal(p);
  else throw ERR_INVALID_ARG_TYPE(name, ["string", "Buffer", "URL"], p);
  if (s.indexOf("\u0000") !== -1) {
    throw ERR_INVALID_ARG_VALUE(name, p, "must be a string, Uint8Array, or URL without null bytes");
  }
  return s;
}

export function getFd(fd, name = "fd") {
  if (typeof fd !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", fd);
  if (!Number.isInteger(fd)) throw ERR_OUT_OF_RANGE(name, "an integer", fd);
  if (fd < 0 || fd > 2147483647) throw ERR_OUT_OF_RANGE(name, ">= 0 && <= 2147483647", fd);
  return fd;
}

// Small path helpers (POSIX), so node:fs does not depend on node:path.
export function joinPath(dir, name) {
  return dir === "" ? name : dir.endsWith("/") ? dir + name : dir + "/" + name;
}

export function getCwd() {
  const buf = new Uint8Array(4097);
  const r = sc(syscall(nr.getcwd, buf, buf.length), "uv_cwd");
  return decodeUtf8(buf.subarray(0, r - 1));
}

/** Absolute, normalised ('.', '..', '//' removed), no trailing slash. */
export function resolvePath(p) {
  const abs = p.startsWith("/") ? p : joinPath(getCwd(), p);
  const out = [];
  for (const part of abs.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

export function dirname(p) {
  const i = p.replace(/\/+$/, "").lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return p.slice(0, i);
}

// ---- flags and modes ---------------------------------------------------------

const flagTable = {
  r: O_RDONLY, rs: O_RDONLY | O_SYNC, sr: O_RDONLY | O_SYNC,
  "r+": O_RDWR, "rs+": O_RDWR | O_SYNC, "sr+": O_RDWR | O_SYNC,
  w: O_TRUNC | O_CREAT | O_WRONLY, wx: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL, xw: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  "w+": O_TRUNC | O_CREAT | O_RDWR, "wx+": O_TRUNC | O_CREAT | O_RDWR | O_EXCL, "xw+": O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  a: O_APPEND | O_CREAT | O_WRONLY, ax: O_APPEND | O_CREAT | O_WRONLY | O_EXCL, xa: O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  as: O_APPEND | O_CREAT | O_WRONLY | O_SYNC, sa: O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  "a+": O_APPEND | O_CREAT | O_RDWR, "ax+": O_APPEND | O_CREAT | O_RDWR | O_EXCL, "xa+": O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  "as+": O_APPEND | O_CREAT | O_RDWR | O_SYNC, "sa+": O_APPEND | O_CREAT | O_RDWR | O_SYNC,
};

/** Node's flag strings ('r', 'wx+', …) or a number, as open(2) flags (without O_CLOEXEC). */
export function stringToFlags(flags, name = "flags") {
  if (typeof flags === "number") {
    validateInteger(flags, name, -2147483648, 2147483647);
    return flags;
  }
  if (flags == null) return O_RDONLY;
  const v = typeof flags === "string" ? flagTable[flags] : undefined;
  if (v === undefined) throw ERR_INVALID_ARG_VALUE(name, flags);
  return v;
}

const octal = /^[0-7]+$/;
/** A mode as a number or an octal string; `def` when undefined. */
export function parseFileMode(value, name, def) {
  if (value === undefined || value === null) {
    if (def === undefined) throw ERR_INVALID_ARG_TYPE(name, ["number", "string"], value);
    return def;
  }
  if (typeof value === "string") {
    if (!octal.test(value)) throw ERR_INVALID_ARG_VALUE(name, value, "must be a 32-bit unsigned integer or an octal string");
    value = parseInt(value, 8);
  }
  validateInteger(value, name, 0, 4294967295);
  return value & 0o7777;
}

// ---- options -------------------------------------------------------------------

export function assertEncoding(enc) {
  if (enc != null && enc !== "buffer" && !Buffer.isEncoding(enc)) {
    throw ERR_INVALID_ARG_VALUE("encoding", enc, "is invalid encoding");
  }
}

/** `options` as an object: a string is `{ encoding }`, undefined/null is `defaults`. */
export function getOptions(options, defaults = {}) {
  if (options == null || typeof options === "function") return defaults;
  if (typeof options === "string") {
    assertEncoding(options);
    return { ...defaults, encoding: options };
  }
  if (typeof options !== "object") throw ERR_INVALID_ARG_TYPE("options", ["string", "Object"], options);
  if (options.encoding !== undefined && options.encoding !== null) assertEncoding(options.encoding);
  return { ...defaults, ...options };
}

export function isUtf8(enc) {
  return enc === "utf8" || enc === "utf-8" || enc === "UTF8" || enc === "UTF-8";
}

// ---- bytes and strings ------------------------------------------------------------

/** A Buffer viewing the same memory as `u8`. */
export function asBuffer(u8) {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export function allocBuffer(n) {
  return Buffer.allocUnsafe(n);
}

/** Bytes → string in `encoding` (or the Buffer itself for 'buffer'/null). */
export function decodeBytes(u8, encoding) {
  if (encoding == null || encoding === "buffer") return u8 instanceof Buffer ? u8 : asBuffer(u8);
  if (isUtf8(encoding)) return decodeUtf8(u8);
  return asBuffer(u8).toString(encoding);
}

/** A string in `encoding`, or any ArrayBufferView, as a Uint8Array of its bytes. */
export function toBytes(data, encoding, name = "data") {
  if (typeof data === "string") {
    if (encoding == null || isUtf8(encoding)) return encodeUtf8(data);
    return Buffer.from(data, encoding);
  }
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw ERR_INVALID_ARG_TYPE(name, ["string", "Buffer", "TypedArray", "DataView"], data);
}

/** A name from the kernel (bytes) in the requested encoding. */
export function encodeName(s, encoding) {
  if (encoding == null || isUtf8(encoding)) return s;
  if (encoding === "buffer") return Buffer.from(s, "utf8");
  return Buffer.from(s, "utf8").toString(encoding);
}

// ---- Stats ----------------------------------------------------------------------

const kNsPerMsBigInt = 1000000n;

function dateFromMs(ms) {
  return new Date(Math.round(Number(ms)));
}

class StatsBase {
  isDirectory() { return this._checkModeProperty(constants.S_IFDIR); }
  isFile() { return this._checkModeProperty(constants.S_IFREG); }
  isBlockDevice() { return this._checkModeProperty(constants.S_IFBLK); }
  isCharacterDevice() { return this._checkModeProperty(constants.S_IFCHR); }
  isSymbolicLink() { return this._checkModeProperty(constants.S_IFLNK); }
  isFIFO() { return this._checkModeProperty(constants.S_IFIFO); }
  isSocket() { return this._checkModeProperty(constants.S_IFSOCK); }
}

export class Stats extends StatsBase {
  constructor(dev, mode, nlink, uid, gid, rdev, blksize, ino, size, blocks, atimeMs, mtimeMs, ctimeMs, birthtimeMs) {
    super();
    this.dev = dev; this.mode = mode; this.nlink = nlink; this.uid = uid; this.gid = gid;
    this.rdev = rdev; this.blksize = blksize; this.ino = ino; this.size = size; this.blocks = blocks;
    this.atimeMs = atimeMs; this.mtimeMs = mtimeMs; this.ctimeMs = ctimeMs; this.birthtimeMs = birthtimeMs;
    this.atime = dateFromMs(atimeMs); this.mtime = dateFromMs(mtimeMs);
    this.ctime = dateFromMs(ctimeMs); this.birthtime = dateFromMs(birthtimeMs);
  }
  _checkModeProperty(property) {
    return (this.mode & S_IFMT) === property;
  }
}

export class BigIntStats extends StatsBase {
  constructor(dev, mode, nlink, uid, gid, rdev, blksize, ino, size, blocks, atimeNs, mtimeNs, ctimeNs, birthtimeNs) {
    super();
    this.dev = dev; this.mode = mode; this.nlink = nlink; this.uid = uid; this.gid = gid;
    this.rdev = rdev; this.blksize = blksize; this.ino = ino; this.size = size; this.blocks = blocks;
    this.atimeMs = atimeNs / kNsPerMsBigInt; this.mtimeMs = mtimeNs / kNsPerMsBigInt;
    this.ctimeMs = ctimeNs / kNsPerMsBigInt; this.birthtimeMs = birthtimeNs / kNsPerMsBigInt;
    this.atimeNs = atimeNs; this.mtimeNs = mtimeNs; this.ctimeNs = ctimeNs; this.birthtimeNs = birthtimeNs;
    this.atime = dateFromMs(this.atimeMs); this.mtime = dateFromMs(this.mtimeMs);
    this.ctime = dateFromMs(this.ctimeMs); this.birthtime = dateFromMs(this.birthtimeMs);
  }
  _checkModeProperty(property) {
    return (this.mode & BigInt(S_IFMT)) === BigInt(property);
  }
}

// struct statx (include/uapi/linux/stat.h), the same on every architecture.
const STATX_BASIC_STATS_BTIME = 0xfff;
const statxBuf = new ArrayBuffer(256);
const statxView = new DataView(statxBuf);
const statxBytes = new Uint8Array(statxBuf);
const TWO32 = 4294967296;
const EMPTY = "";

function u64(o) { return statxView.getUint32(o, true) + statxView.getUint32(o + 4, true) * TWO32; }
function tsMs(o) {
  return (statxView.getUint32(o, true) + statxView.getInt32(o + 4, true) * TWO32) * 1000 + statxView.getUint32(o + 8, true) / 1e6;
}
function tsNs(o) {
  return statxView.getBigInt64(o, true) * 1000000000n + BigInt(statxView.getUint32(o + 8, true));
}
// glibc's makedev: what libuv reports as st_dev/st_rdev.
function makedev(maj, min) {
  return (min & 0xff) + (maj & 0xfff) * 256 + Math.floor(min / 256) * 1048576 + Math.floor(maj / 4096) * 4096 * TWO32;
}

/**
 * statx(dirfd, path, flags) into the shared buffer; returns the raw result (0 or -errno).
 * path "" with AT_EMPTY_PATH stats the fd itself.
 */
export function rawStatx(dirfd, path, flags) {
  return syscall(nr.statx, dirfd, path, flags, STATX_BASIC_STATS_BTIME, statxBytes);
}

/** The Stats (or BigIntStats) in the shared statx buffer. */
export function statsFromBuffer(bigint) {
  const v = statxView;
  const mode = v.getUint16(28, true);
  const dev = makedev(v.getUint32(136, true), v.getUint32(140, true));
  const rdev = makedev(v.getUint32(128, true), v.getUint32(132, true));
  const hasBirth = (v.getUint32(0, true) & 0x800) !== 0;
  if (bigint) {
    const b = hasBirth ? tsNs(80) : 0n;
    return new BigIntStats(BigInt(dev), BigInt(mode), BigInt(v.getUint32(16, true)), BigInt(v.getUint32(20, true)),
      BigInt(v.getUint32(24, true)), BigInt(rdev), BigInt(v.getUint32(4, true)), v.getBigUint64(32, true),
      v.getBigUint64(40, true), v.getBigUint64(48, true), tsNs(64), tsNs(112), tsNs(96), b);
  }
  return new Stats(dev, mode, v.getUint32(16, true), v.getUint32(20, true), v.getUint32(24, true), rdev,
    v.getUint32(4, true), u64(32), u64(40), u64(48), tsMs(64), tsMs(112), tsMs(96), hasBirth ? tsMs(80) : 0);
}

/** The Stats (or BigIntStats) of a struct statx that the kernel wrote elsewhere (the asynchronous backends). */
export function statsFromBytes(u8, bigint) {
  statxBytes.set(u8.subarray(0, 256));
  return statsFromBuffer(bigint);
}

/** The st_mode of the last rawStatx (for internal decisions without building a Stats). */
export function lastMode() { return statxView.getUint16(28, true); }
export function lastSize() { return u64(40); }
export function lastIno() { return u64(32); }
export function lastDev() { return makedev(statxView.getUint32(136, true), statxView.getUint32(140, true)); }

export function statPath(path, follow, bigint, syscallName) {
  const r = rawStatx(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (r < 0) fail(r, syscallName, path);
  return statsFromBuffer(bigint);
}

export function statFd(fd, bigint) {
  const r = rawStatx(fd, EMPTY, AT_EMPTY_PATH);
  if (r < 0) fail(r, "fstat");
  return statsFromBuffer(bigint);
}

// ---- StatFs -------------------------------------------------------------------------

export class StatFs {
  constructor(type, bsize, blocks, bfree, bavail, files, ffree) {
    this.type = type; this.bsize = bsize; this.blocks = blocks; this.bfree = bfree;
    this.bavail = bavail; this.files = files; this.ffree = ffree;
  }
}

// ---- Dirent --------------------------------------------------------------------------

export const kType = Symbol("type");
const {
  UV_DIRENT_UNKNOWN, UV_DIRENT_FILE, UV_DIRENT_DIR, UV_DIRENT_LINK, UV_DIRENT_FIFO,
  UV_DIRENT_SOCKET, UV_DIRENT_CHAR, UV_DIRENT_BLOCK,
} = constants;

export class Dirent {
  constructor(name, type, path) {
    this.name = name;
    this.parentPath = path;
    this.path = path;
    this[kType] = type;
  }
  isDirectory() { return this[kType] === UV_DIRENT_DIR; }
  isFile() { return this[kType] === UV_DIRENT_FILE; }
  isBlockDevice() { return this[kType] === UV_DIRENT_BLOCK; }
  isCharacterDevice() { return this[kType] === UV_DIRENT_CHAR; }
  isSymbolicLink() { return this[kType] === UV_DIRENT_LINK; }
  isFIFO() { return this[kType] === UV_DIRENT_FIFO; }
  isSocket() { return this[kType] === UV_DIRENT_SOCKET; }
}

// linux_dirent64 d_type → UV_DIRENT_*
export const dtToUv = [UV_DIRENT_UNKNOWN, UV_DIRENT_FIFO, UV_DIRENT_CHAR, 0, UV_DIRENT_DIR, 0, UV_DIRENT_BLOCK, 0,
  UV_DIRENT_FILE, 0, UV_DIRENT_LINK, 0, UV_DIRENT_SOCKET];

export function modeToUv(mode) {
  switch (mode & S_IFMT) {
    case constants.S_IFREG: return UV_DIRENT_FILE;
    case constants.S_IFDIR: return UV_DIRENT_DIR;
    case constants.S_IFLNK: return UV_DIRENT_LINK;
    case constants.S_IFIFO: return UV_DIRENT_FIFO;
    case constants.S_IFSOCK: return UV_DIRENT_SOCKET;
    case constants.S_IFCHR: return UV_DIRENT_CHAR;
    case constants.S_IFBLK: return UV_DIRENT_BLOCK;
    default: return UV_DIRENT_UNKNOWN;
  }
}

/**
 * Reads one batch of directory entries from `fd` into `out` as [name, uvType] pairs
 * (flattened). Returns false at the end of the directory.
 */
const direntBuf = new Uint8Array(32768);
const direntView = new DataView(direntBuf.buffer);
export function readDirentBatch(fd, out, path) {
  const n = syscall(nr.getdents64, fd, direntBuf, direntBuf.length);
  if (n < 0) fail(n, "scandir", path);
  if (n === 0) return false;
  for (let off = 0; off < n;) {
    const reclen = direntView.getUint16(off + 16, true);
    const type = direntBuf[off + 18];
    const end = direntBuf.indexOf(0, off + 19);
    const stop = end < 0 || end > off + reclen ? off + reclen : end;
    const b0 = direntBuf[off + 19];
    // skip "." and ".."
    if (!(b0 === 46 && (stop === off + 20 || (stop === off + 21 && direntBuf[off + 20] === 46)))) {
      out.push(decodeUtf8(direntBuf.subarray(off + 19, stop)), dtToUv[type] ?? UV_DIRENT_UNKNOWN);
    }
    off += reclen;
  }
  return true;
}

// ---- misc ------------------------------------------------------------------------------

/** Node's time argument: a number of seconds, a numeric string, or a Date → seconds (float). */
export function toUnixTimestamp(time) {
  if (typeof time === "string" && +time == time) return +time;
  if (typeof time === "number" && Number.isFinite(time)) {
    if (time < 0) return Date.now() / 1000;
    return time;
  }
  if (time instanceof Date) return time.getTime() / 1000;
  if (typeof time === "bigint") return Number(time);
  // (Node's wording, "an Time" included)
  throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "time" argument must be an instance of Date or an Time in seconds.${describeReceived(time)}`);
}

/** copyFile/access modes: Node's older wording for this range error. */
export function validateMode(mode, def, max) {
  if (mode == null) return def;
  validateInteger(mode, "mode");
  if (mode < 0 || mode > max) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `mode is out of range: >= 0 && <= ${max}`);
  return mode;
}

export function validateCallback(cb) {
  if (typeof cb !== "function") throw ERR_INVALID_ARG_TYPE("cb", "function", cb);
  return cb;
}

export { validateObject, validateFunction, validateInteger, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, ERR_UNKNOWN_ENCODING };
