// node:fs — files, as Node 20 documents them: the synchronous functions
// (node:internal/fs/sync), the callback functions below, fs.promises
// (node:internal/fs/promises), streams and watchers.
//
// A callback function validates what Node validates synchronously (paths, fds,
// the callback), then hands the synchronous implementation to
// node:internal/fs/async `submit`, which calls back later, never before the
// call returns.

import * as S from "node:internal/fs/sync";
import { submit as submitOp } from "node:internal/fs/async";
import {
  constants, Stats, BigIntStats, StatFs, Dirent, getPath, getFd, getOptions, stringToFlags, parseFileMode,
  toUnixTimestamp, validateCallback, ERR_INVALID_ARG_TYPE, Buffer,
} from "node:internal/fs/utils";
import promises, { FileHandle } from "node:internal/fs/promises";
import { Blob } from "node:buffer";
import { watch, watchFile, unwatchFile, FSWatcher, StatWatcher } from "node:internal/fs/watchers";

export const {
  openSync, closeSync, readSync, writeSync, readvSync, writevSync, readFileSync, writeFileSync, appendFileSync,
  statSync, lstatSync, fstatSync, statfsSync, readdirSync, opendirSync, mkdirSync, mkdtempSync, unlinkSync,
  rmdirSync, rmSync, renameSync, copyFileSync, cpSync, symlinkSync, readlinkSync, linkSync, realpathSync,
  accessSync, existsSync, chmodSync, fchmodSync, chownSync, lchownSync, fchownSync, truncateSync, ftruncateSync,
  utimesSync, futimesSync, lutimesSync, fsyncSync, fdatasyncSync, Dir,
} = S;

const { F_OK, R_OK, W_OK, X_OK } = constants;
export { constants, Stats, Dirent, F_OK, R_OK, W_OK, X_OK, promises, watch, watchFile, unwatchFile };

// Node checks the options of a callback function synchronously: run those checks, then submit.
const { syncChecks } = S;
function submit(op, args, cb) {
  const check = syncChecks[op];
  if (check !== undefined) check.apply(undefined, args);
  submitOp(op, args, cb);
}

function maybeCallback(cb) {
  return typeof cb === "function" ? cb : validateCallback(cb);
}

// fn(a, [opts], cb): the optional argument may be left out.
function optArgs(opts, cb) {
  return typeof opts === "function" ? [undefined, opts] : [opts, cb];
}

// ---- files and descriptors ------------------------------------------------------

export function open(path, flags, mode, callback) {
  path = getPath(path);
  if (typeof flags === "function") { callback = flags; flags = "r"; mode = 0o666; }
  else if (typeof mode === "function") { callback = mode; mode = 0o666; }
  validateCallback(callback);
  stringToFlags(flags ?? "r");
  parseFileMode(mode, "mode", 0o666);
  submit("openSync", [path, flags ?? "r", mode], callback);
}

export function close(fd, callback = () => {}) {
  getFd(fd);
  if (callback !== undefined) validateCallback(callback);
  submit("closeSync", [fd], callback);
}

export function read(fd, buffer, offset, length, position, callback) {
  getFd(fd);
  let args;
  if (typeof buffer === "function") {
    // read(fd, callback): a 16 KiB buffer
    callback = buffer;
    buffer = Buffer.alloc(16384);
    args = [fd, buffer, 0, buffer.byteLength, null];
  } else if (!ArrayBuffer.isView(buffer) && buffer != null && typeof buffer === "object") {
    // read(fd, { buffer, offset, length, position }, callback)
    callback = offset;
    const o = buffer;
    buffer = o.buffer ?? Buffer.alloc(16384);
    const off = o.offset ?? 0;
    args = [fd, buffer, off, o.length ?? buffer.byteLength - off, o.position ?? null];
  } else if (typeof offset === "object" && offset !== null) {
    // read(fd, buffer, { offset, length, position }, callback)
    callback = length;
    const off = offset.offset ?? 0;
    args = [fd, buffer, off, offset.length ?? buffer?.byteLength - off, offset.position ?? null];
  } else {
    if (typeof offset === "function") { callback = offset; offset = 0; length = buffer?.byteLength; position = null; }
    args = [fd, buffer, offset ?? 0, length ?? buffer?.byteLength - (offset ?? 0), position ?? null];
  }
  validateCallback(callback);
  if (!ArrayBuffer.isView(buffer)) throw ERR_INVALID_ARG_TYPE("buffer", ["Buffer", "TypedArray", "DataView"], buffer);
  if (args[3] === 0) {
    submit("readSync", [fd, buffer, 0, 0, null], () => callback(null, 0, buffer));
    return;
  }
  submit("readSync", args, (err, n) => (err ? callback(err) : callback(null, n, buffer)));
}

export function write(fd, buffer, offset, length, position, callback) {
  getFd(fd);
  const args = [fd, buffer];
  if (ArrayBuffer.isView(buffer)) {
    if (typeof offset === "function") callback = offset, offset = undefined;
    else if (typeof length === "function") callback = length, length = undefined;
    else if (typeof position === "function") callback = position, position = undefined;
    args.push(offset, length, position);
  } else {
    if (typeof buffer !== "string") throw ERR_INVALID_ARG_TYPE("buffer", ["string", "Buffer", "TypedArray", "DataView"], buffer);
    // write(fd, string[, position[, encoding]], callback)
    if (typeof offset === "function") callback = offset, offset = undefined;
    else if (typeof length === "function") callback = length, length = undefined;
    else if (typeof position === "function") callback = position;
    args.push(offset, length ?? "utf8");
  }
  validateCallback(callback);
  while (args.length && args[args.length - 1] === undefined) args.pop();
  submit("writeSync", args, (err, n) => (err ? callback(err) : callback(null, n, buffer)));
}

export function readv(fd, buffers, position, callback) {
  getFd(fd);
  if (typeof position === "function") { callback = position; position = null; }
  validateCallback(callback);
  submit("readvSync", [fd, buffers, position], (err, n) => (err ? callback(err) : callback(null, n, buffers)));
}

export function writev(fd, buffers, position, callback) {
  getFd(fd);
  if (typeof position === "function") { callback = position; position = null; }
  validateCallback(callback);
  submit("writevSync", [fd, buffers, position], (err, n) => (err ? callback(err) : callback(null, n, buffers)));
}

// util.promisify(fs.read) and friends resolve to an object, as in Node.
const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
function promisifyAs(fn, names) {
  Object.defineProperty(fn, kCustomPromisify, {
    value: (...args) => new Promise((resolve, reject) => {
      fn(...args, (err, a, b) => (err ? reject(err) : resolve({ [names[0]]: a, [names[1]]: b })));
    }),
    configurable: true,
  });
}
promisifyAs(read, ["bytesRead", "buffer"]);
promisifyAs(write, ["bytesWritten", "buffer"]);
promisifyAs(readv, ["bytesRead", "buffers"]);
promisifyAs(writev, ["bytesWritten", "buffers"]);

function pathOrFd(p) {
  return typeof p === "number" ? getFd(p) : getPath(p);
}

export function readFile(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  validateCallback(callback);
  const opts = getOptions(options, { flag: "r" });
  if (opts.signal?.aborted) {
    const e = new Error("The operation was aborted");
    e.name = "AbortError"; e.code = "ABORT_ERR";
    submit("existsSync", [""], () => callback(e));
    return;
  }
  submit("readFileSync", [pathOrFd(path), opts], callback);
}

export function writeFile(path, data, options, callback) {
  [options, callback] = optArgs(options, callback);
  validateCallback(callback);
  submit("writeFileSync", [pathOrFd(path), data, options], callback);
}

export function appendFile(path, data, options, callback) {
  [options, callback] = optArgs(options, callback);
  validateCallback(callback);
  submit("appendFileSync", [pathOrFd(path), data, options], callback);
}

// ---- metadata -------------------------------------------------------------------------

export function stat(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("statSync", [getPath(path), { bigint: options?.bigint === true }], validateCallback(callback));
}

export function lstat(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("lstatSync", [getPath(path), { bigint: options?.bigint === true }], validateCallback(callback));
}

export function fstat(fd, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("fstatSync", [getFd(fd), options], validateCallback(callback));
}

export function statfs(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("statfsSync", [getPath(path), options], validateCallback(callback));
}

export function access(path, mode, callback) {
  if (typeof mode === "function") { callback = mode; mode = F_OK; }
  submit("accessSync", [getPath(path), mode], validateCallback(callback));
}

/** Deprecated: the callback gets only a boolean. */
export function exists(path, callback) {
  validateCallback(callback);
  let p;
  try {
    p = getPath(path);
  } catch {
    submit("existsSync", [null], () => callback(false));
    return;
  }
  submit("existsSync", [p], (err, v) => callback(!err && v === true));
}
Object.defineProperty(exists, Symbol.for("nodejs.util.promisify.custom"), {
  value: (path) => new Promise((resolve) => exists(path, resolve)),
  configurable: true,
});

export function chmod(path, mode, callback) {
  path = getPath(path);
  mode = parseFileMode(mode, "mode");
  submit("chmodSync", [path, mode], validateCallback(callback));
}

export function fchmod(fd, mode, callback) {
  getFd(fd);
  mode = parseFileMode(mode, "mode");
  submit("fchmodSync", [fd, mode], validateCallback(callback));
}

export function chown(path, uid, gid, callback) {
  submit("chownSync", [getPath(path), uid, gid], validateCallback(callback));
}

export function lchown(path, uid, gid, callback) {
  submit("lchownSync", [getPath(path), uid, gid], validateCallback(callback));
}

export function fchown(fd, uid, gid, callback) {
  submit("fchownSync", [getFd(fd), uid, gid], validateCallback(callback));
}

export function utimes(path, atime, mtime, callback) {
  path = getPath(path);
  toUnixTimestamp(atime); toUnixTimestamp(mtime);
  submit("utimesSync", [path, atime, mtime], validateCallback(callback));
}

export function futimes(fd, atime, mtime, callback) {
  getFd(fd);
  toUnixTimestamp(atime); toUnixTimestamp(mtime);
  submit("futimesSync", [fd, atime, mtime], validateCallback(callback));
}

export function lutimes(path, atime, mtime, callback) {
  path = getPath(path);
  toUnixTimestamp(atime); toUnixTimestamp(mtime);
  submit("lutimesSync", [path, atime, mtime], validateCallback(callback));
}

export function truncate(path, len, callback) {
  if (typeof len === "function") { callback = len; len = 0; }
  submit("truncateSync", [pathOrFd(path), len], validateCallback(callback));
}

export function ftruncate(fd, len, callback) {
  if (typeof len === "function") { callback = len; len = 0; }
  submit("ftruncateSync", [getFd(fd), len], validateCallback(callback));
}

export function fsync(fd, callback) {
  submit("fsyncSync", [getFd(fd)], validateCallback(callback));
}

export function fdatasync(fd, callback) {
  submit("fdatasyncSync", [getFd(fd)], validateCallback(callback));
}

// ---- directories and names ----------------------------------------------------------

export function readdir(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("readdirSync", [getPath(path), options], validateCallback(callback));
}

export function opendir(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("opendirSync", [getPath(path), options], validateCallback(callback));
}

export function mkdir(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("mkdirSync", [getPath(path), options], validateCallback(callback));
}

export function mkdtemp(prefix, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("mkdtempSync", [getPath(prefix, "prefix"), options], validateCallback(callback));
}

export function rm(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("rmSync", [getPath(path), options], validateCallback(callback));
}

export function rmdir(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("rmdirSync", [getPath(path), options], validateCallback(callback));
}

export function unlink(path, callback) {
  submit("unlinkSync", [getPath(path)], validateCallback(callback));
}

export function rename(oldPath, newPath, callback) {
  submit("renameSync", [getPath(oldPath, "oldPath"), getPath(newPath, "newPath")], validateCallback(callback));
}

export function copyFile(src, dest, mode, callback) {
  if (typeof mode === "function") { callback = mode; mode = 0; }
  submit("copyFileSync", [getPath(src, "src"), getPath(dest, "dest"), mode], validateCallback(callback));
}

export function cp(src, dest, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("cpSync", [getPath(src, "src"), getPath(dest, "dest"), options], validateCallback(callback));
}

export function symlink(target, path, type, callback) {
  if (typeof type === "function") { callback = type; type = undefined; }
  submit("symlinkSync", [getPath(target, "target"), getPath(path), type], validateCallback(callback));
}

export function readlink(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("readlinkSync", [getPath(path), options], validateCallback(callback));
}

export function link(existingPath, newPath, callback) {
  submit("linkSync", [getPath(existingPath, "existingPath"), getPath(newPath, "newPath")], validateCallback(callback));
}

export function realpath(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("realpathSync", [getPath(path), options], validateCallback(callback));
}
realpath.native = function native(path, options, callback) {
  [options, callback] = optArgs(options, callback);
  submit("realpathNativeSync", [getPath(path), options], validateCallback(callback));
};

// ---- streams (node:stream) --------------------------------------------------------------

import { ReadStream, WriteStream, createReadStream, createWriteStream } from "node:internal/fs/streams";
export { ReadStream, WriteStream, createReadStream, createWriteStream };
export const FileReadStream = ReadStream;
export const FileWriteStream = WriteStream;

/** A Blob of the file's bytes (read when called, not lazily as Node does). Throws for a bad path. */
export function openAsBlob(path, options) {
  path = getPath(path);
  const type = options?.type ?? "";
  return new Promise((resolve, reject) => {
    submitOp("readFileSync", [path], (err, bytes) => (err ? reject(err) : resolve(new Blob([bytes], { type }))));
  });
}

export function _toUnixTimestamp(time) { return toUnixTimestamp(time); }

void maybeCallback; void BigIntStats; void StatFs; void FileHandle; void FSWatcher; void StatWatcher;

const fs = {
  appendFile, appendFileSync, access, accessSync, chown, chownSync, chmod, chmodSync, close, closeSync,
  copyFile, copyFileSync, cp, cpSync, createReadStream, createWriteStream, exists, existsSync, fchown, fchownSync,
  fchmod, fchmodSync, fdatasync, fdatasyncSync, fstat, fstatSync, fsync, fsyncSync, ftruncate, ftruncateSync,
  futimes, futimesSync, lchown, lchownSync, link, linkSync, lstat, lstatSync, lutimes, lutimesSync,
  mkdir, mkdirSync, mkdtemp, mkdtempSync, open, openSync, readdir, readdirSync, read, readSync, readv, readvSync,
  readFile, readFileSync, readlink, readlinkSync, realpath, realpathSync, rename, renameSync, rm, rmSync,
  rmdir, rmdirSync, stat, statfs, statSync, statfsSync, symlink, symlinkSync, truncate, truncateSync,
  unwatchFile, unlink, unlinkSync, utimes, utimesSync, watch, watchFile, writeFile, writeFileSync,
  write, writeSync, writev, writevSync, Dirent, Stats, ReadStream, WriteStream, FileReadStream, FileWriteStream,
  _toUnixTimestamp, Dir, opendir, openAsBlob, opendirSync, F_OK, R_OK, W_OK, X_OK, constants, promises,
};
export default fs;
