// node:internal/fs/promises — fs.promises: the operations of node:fs
// returning promises, and FileHandle. Every operation goes through
// submitP (node:internal/fs/async).

import EventEmitter from "node:events";
import { submitP } from "node:internal/fs/async";
import { nodeError } from "node:internal/errors";
import {
  Buffer, getPath, getOptions, decodeBytes, toBytes, constants, parseFileMode, ERR_INVALID_ARG_TYPE,
} from "node:internal/fs/utils";
import { watchAsync } from "node:internal/fs/watchers";

const kFd = Symbol("kFd");
const kClosePromise = Symbol("kClosePromise");
const kRefs = Symbol("kRefs");

// Node's error for an operation on a closed FileHandle: "file closed", code EBADF.
function ebadf(syscall) {
  const e = new Error("file closed");
  e.code = "EBADF";
  e.syscall = syscall;
  return e;
}

export class FileHandle extends EventEmitter {
  constructor(fd) {
    super();
    this[kFd] = fd;
    this[kClosePromise] = null;
    this[kRefs] = 1;
  }
  get fd() { return this[kFd]; }

  _op(op, args, syscall) {
    if (this[kFd] === -1) return Promise.reject(ebadf(syscall));
    return submitP(op, [this[kFd], ...args]);
  }

  getAsyncId() { return this[kFd]; }

  close() {
    if (this[kFd] === -1) return Promise.resolve();
    if (this[kClosePromise]) return this[kClosePromise];
    const fd = this[kFd];
    this[kClosePromise] = submitP("closeSync", [fd]).then(() => {
      this[kFd] = -1;
      this[kClosePromise] = null;
      this.emit("close");
    }, (err) => {
      this[kClosePromise] = null;
      throw err;
    });
    return this[kClosePromise];
  }

  async [Symbol.asyncDispose ?? Symbol.for("nodejs.asyncDispose")]() {
    return this.close();
  }

  async read(buffer, offset, length, position) {
    if (buffer != null && !ArrayBuffer.isView(buffer) && typeof buffer === "object") {
      ({ buffer = Buffer.alloc(16384), offset = 0, length = buffer.byteLength - offset, position = null } = buffer);
    } else if (buffer == null) {
      buffer = Buffer.alloc(16384);
    }
    if (offset != null && typeof offset === "object") {
      ({ offset = 0, length = buffer.byteLength - offset, position = null } = offset);
    }
    offset ??= 0;
    length ??= buffer.byteLength - offset;
    if (length === 0) return { bytesRead: 0, buffer };
    const bytesRead = await this._op("readSync", [buffer, offset, length, position ?? null], "read");
    return { bytesRead, buffer };
  }

  async write(buffer, offsetOrOptions, length, position) {
    if (ArrayBuffer.isView(buffer)) {
      let offset = offsetOrOptions;
      if (offset != null && typeof offset === "object") {
        ({ offset = 0, length = buffer.byteLength - offset, position = null } = offset);
      }
      const bytesWritten = await this._op("writeSync", [buffer, offset ?? 0, length ?? buffer.byteLength - (offset ?? 0), position ?? null], "write");
      return { bytesWritten, buffer };
    }
    if (typeof buffer !== "string") throw ERR_INVALID_ARG_TYPE("buffer", ["string", "Buffer", "TypedArray", "DataView"], buffer);
    const bytesWritten = await this._op("writeSync", [buffer, offsetOrOptions ?? null, length ?? "utf8"], "write");
    return { bytesWritten, buffer };
  }

  async readv(buffers, position) {
    const bytesRead = await this._op("readvSync", [buffers, position ?? null], "read");
    return { bytesRead, buffers };
  }

  async writev(buffers, position) {
    const bytesWritten = await this._op("writevSync", [buffers, position ?? null], "write");
    return { bytesWritten, buffers };
  }

  async readFile(options) {
    const opts = getOptions(options, {});
    checkAborted(opts.signal);
    const bytes = await this._op("readFileSync", [], "read");
    return opts.encoding ? decodeBytes(bytes, opts.encoding) : bytes;
  }

  async writeFile(data, options) {
    const opts = getOptions(options, { encoding: "utf8" });
    checkAborted(opts.signal);
    if (this[kFd] === -1) throw ebadf("write");
    await writeData(this[kFd], data, opts.encoding, opts.signal);
  }

  appendFile(data, options) {
    return this.writeFile(data, options);
  }

  stat(options) { return this._op("fstatSync", [options], "fstat"); }
  truncate(len = 0) { return this._op("ftruncateSync", [len], "ftruncate"); }
  sync() { return this._op("fsyncSync", [], "fsync"); }
  datasync() { return this._op("fdatasyncSync", [], "fdatasync"); }
  chmod(mode) { return this._op("fchmodSync", [mode], "fchmod"); }
  chown(uid, gid) { return this._op("fchownSync", [uid, gid], "fchown"); }
  utimes(atime, mtime) { return this._op("futimesSync", [atime, mtime], "futime"); }

  /** The file's lines (as readline gives them: '\n' or '\r\n' removed), read 64 KiB at a time. */
  async *readLines(options) {
    const enc = getOptions(options, { encoding: "utf8" }).encoding ?? "utf8";
    let pos = options?.start ?? null;
    let carry = null; // bytes after the last newline
    for (;;) {
      const buf = Buffer.allocUnsafe(65536);
      const { bytesRead } = await this.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      if (pos !== null) pos += bytesRead;
      let bytes = buf.subarray(0, bytesRead);
      if (carry) bytes = Buffer.concat([carry, bytes]);
      const last = bytes.lastIndexOf(10);
      if (last < 0) { carry = bytes; continue; }
      const lines = decodeBytes(bytes.subarray(0, last), enc).split("\n");
      carry = last + 1 < bytes.length ? bytes.slice(last + 1) : null;
      for (const l of lines) yield l.endsWith("\r") ? l.slice(0, -1) : l;
    }
    if (carry && carry.length) {
      const l = decodeBytes(carry, enc);
      yield l.endsWith("\r") ? l.slice(0, -1) : l;
    }
  }

  createReadStream(options) {
    return streamsHook.createReadStream(null, { ...options, fd: this });
  }
  createWriteStream(options) {
    return streamsHook.createWriteStream(null, { ...options, fd: this });
  }

  readableWebStream() {
    throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The readableWebStream() method is not implemented");
  }
}

/** Set by node:fs once the streams are available (FileHandle.createReadStream/createWriteStream). */
export const streamsHook = { createReadStream: null, createWriteStream: null };

function checkAborted(signal) {
  if (signal?.aborted) {
    const e = new Error("The operation was aborted");
    e.name = "AbortError";
    e.code = "ABORT_ERR";
    e.cause = signal.reason;
    throw e;
  }
}

function isIterable(v) {
  return v != null && typeof v === "object" && (typeof v[Symbol.iterator] === "function" || typeof v[Symbol.asyncIterator] === "function");
}

async function writeData(fd, data, encoding, signal) {
  if (typeof data === "string" || ArrayBuffer.isView(data)) {
    await submitP("writeFileSync", [fd, typeof data === "string" ? toBytes(data, encoding) : data]);
    return;
  }
  if (isIterable(data)) {
    for await (const chunk of data) {
      checkAborted(signal);
      await submitP("writeFileSync", [fd, typeof chunk === "string" ? toBytes(chunk, encoding) : chunk]);
    }
    return;
  }
  throw ERR_INVALID_ARG_TYPE("data", ["string", "Buffer", "TypedArray", "DataView", "AsyncIterable", "Iterable", "Stream"], data);
}

// ---- the functions -------------------------------------------------------------

// Each validates its path synchronously inside the async function (so a bad
// argument rejects, as in Node) and submits the synchronous implementation.
export const access = async (path, mode) => submitP("accessSync", [getPath(path), mode]);
export const copyFile = async (src, dest, mode) => submitP("copyFileSync", [getPath(src, "src"), getPath(dest, "dest"), mode]);
export const cp = async (src, dest, options) => submitP("cpSync", [getPath(src, "src"), getPath(dest, "dest"), options]);
export const rename = async (a, b) => submitP("renameSync", [getPath(a, "oldPath"), getPath(b, "newPath")]);
export const truncate = async (path, len) => submitP("truncateSync", [getPath(path), len]);
export const rm = async (path, options) => submitP("rmSync", [getPath(path), options]);
export const rmdir = async (path, options) => submitP("rmdirSync", [getPath(path), options]);
export const mkdir = async (path, options) => submitP("mkdirSync", [getPath(path), options]);
export const readdir = async (path, options) => submitP("readdirSync", [getPath(path), options]);
export const readlink = async (path, options) => submitP("readlinkSync", [getPath(path), options]);
export const symlink = async (target, path, type) => submitP("symlinkSync", [getPath(target, "target"), getPath(path), type]);
// throwIfNoEntry is for statSync/lstatSync only
export const lstat = async (path, options) => submitP("lstatSync", [getPath(path), { bigint: options?.bigint === true }]);
export const stat = async (path, options) => submitP("statSync", [getPath(path), { bigint: options?.bigint === true }]);
export const statfs = async (path, options) => submitP("statfsSync", [getPath(path), options]);
export const link = async (a, b) => submitP("linkSync", [getPath(a, "existingPath"), getPath(b, "newPath")]);
export const unlink = async (path) => submitP("unlinkSync", [getPath(path)]);
export const chmod = async (path, mode) => submitP("chmodSync", [getPath(path), parseFileMode(mode, "mode")]);
export const lchmod = async () => { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The lchmod() method is not implemented"); };
export const lchown = async (path, uid, gid) => submitP("lchownSync", [getPath(path), uid, gid]);
export const chown = async (path, uid, gid) => submitP("chownSync", [getPath(path), uid, gid]);
export const utimes = async (path, a, m) => submitP("utimesSync", [getPath(path), a, m]);
export const lutimes = async (path, a, m) => submitP("lutimesSync", [getPath(path), a, m]);
export const realpath = async (path, options) => submitP("realpathSync", [getPath(path), options]);
export const mkdtemp = async (prefix, options) => submitP("mkdtempSync", [getPath(prefix, "prefix"), options]);
export const opendir = async (path, options) => submitP("opendirSync", [getPath(path), options]);

export async function open(path, flags, mode) {
  const fd = await submitP("openSync", [getPath(path), flags ?? "r", mode]);
  return new FileHandle(fd);
}

export async function readFile(path, options) {
  const opts = getOptions(options, { flag: "r" });
  checkAborted(opts.signal);
  if (path instanceof FileHandle) return path.readFile(opts);
  const bytes = await submitP("readFileSync", [getPath(path), { flag: opts.flag }]);
  checkAborted(opts.signal);
  return opts.encoding ? decodeBytes(bytes, opts.encoding) : bytes;
}

async function writeOrAppend(path, data, options, flag) {
  const opts = getOptions(options, { encoding: "utf8", mode: 0o666, flag });
  checkAborted(opts.signal);
  if (path instanceof FileHandle) return path.writeFile(data, opts);
  if (typeof data === "string" || ArrayBuffer.isView(data)) {
    return submitP(flag === "a" ? "appendFileSync" : "writeFileSync", [getPath(path), data, opts]);
  }
  if (!isIterable(data)) {
    throw ERR_INVALID_ARG_TYPE("data", ["string", "Buffer", "TypedArray", "DataView"], data);
  }
  const fh = await open(getPath(path), opts.flag ?? flag, opts.mode);
  try {
    await writeData(fh.fd, data, opts.encoding, opts.signal);
  } finally {
    await fh.close();
  }
}

export function writeFile(path, data, options) { return writeOrAppend(path, data, options, "w"); }
export function appendFile(path, data, options) { return writeOrAppend(path, data, options, "a"); }

export function watch(filename, options) {
  return watchAsync(filename, options);
}

export { constants };

const promises = {
  access, copyFile, cp, open, opendir, rename, truncate, rm, rmdir, mkdir, readdir, readlink, symlink,
  lstat, stat, statfs, link, unlink, chmod, lchmod, lchown, chown, utimes, lutimes, realpath, mkdtemp,
  writeFile, appendFile, readFile, watch, constants,
};
export default promises;
