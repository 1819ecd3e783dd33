// node:internal/fs/streams — fs.ReadStream and fs.WriteStream on node:stream.
// The file is opened in _construct ('open' then 'ready'), read and written in
// _read/_write/_writev, closed in _destroy (when autoClose); every step is an
// operation submitted through node:internal/fs/async.

import { Readable, Writable } from "node:stream";
import { Buffer } from "node:buffer";
import { submit } from "node:internal/fs/async";
import { getPath, validateInteger, ERR_OUT_OF_RANGE, ERR_INVALID_ARG_TYPE } from "node:internal/fs/utils";
import { FileHandle, streamsHook } from "node:internal/fs/promises";

const kHandle = Symbol("kHandle");
const kPerformingIO = Symbol("kPerformingIO");

function streamOptions(options) {
  if (typeof options === "string") return { encoding: options };
  if (options == null) return {};
  if (typeof options !== "object") throw ERR_INVALID_ARG_TYPE("options", ["string", "Object"], options);
  return { ...options };
}

// fd / FileHandle / path, flags and mode, shared by both streams.
function setup(stream, path, opts, defFlags) {
  let fd = opts.fd ?? null;
  if (fd instanceof FileHandle) {
    stream[kHandle] = fd;
    fd = fd.fd;
  } else if (fd !== null) {
    validateInteger(fd, "fd", 0, 2147483647);
  }
  stream.fd = fd;
  stream.path = fd === null ? (typeof path === "string" || path instanceof Uint8Array ? path : getPath(path)) : undefined;
  if (fd === null) getPath(stream.path);
  // flags and mode are checked when the file is opened (a bad one is an 'error' event, as in Node)
  stream.flags = opts.flags === undefined ? defFlags : opts.flags;
  stream.mode = opts.mode === undefined ? 0o666 : opts.mode;
  stream.autoClose = opts.autoClose === undefined ? true : !!opts.autoClose;
  stream[kPerformingIO] = false;
}

function construct(cb) {
  if (this.fd !== null) {
    cb();
    return;
  }
  submit("openSync", [getPath(this.path), this.flags, this.mode], (err, fd) => {
    if (err) {
      cb(err);
      return;
    }
    this.fd = fd;
    cb();
    this.emit("open", fd);
    this.emit("ready");
  });
}

function destroy(err, cb) {
  const close = () => {
    if (this.fd === null || !this.autoClose) {
      cb(err);
      return;
    }
    const fd = this.fd;
    this.fd = null;
    if (this[kHandle]) {
      this[kHandle].close().then(() => cb(err), (e) => cb(err || e));
      return;
    }
    submit("closeSync", [fd], (e) => cb(err || e));
  };
  // Let a read or write in flight finish before the fd goes away.
  if (this[kPerformingIO]) this.once("kIoDone", close);
  else close();
}

function ioDone(stream) {
  stream[kPerformingIO] = false;
  stream.emit("kIoDone");
}

// ---- ReadStream -------------------------------------------------------------------

export function ReadStream(path, options) {
  if (!(this instanceof ReadStream)) return new ReadStream(path, options);
  const opts = streamOptions(options);
  if (opts.highWaterMark === undefined) opts.highWaterMark = 64 * 1024;
  setup(this, path, opts, "r");
  this.start = opts.start;
  this.end = opts.end === undefined ? Infinity : opts.end;
  if (this.start !== undefined) validateInteger(this.start, "start", 0);
  if (this.end !== Infinity) {
    validateInteger(this.end, "end", 0);
    if (this.start !== undefined && this.start > this.end) {
      throw ERR_OUT_OF_RANGE("start", `<= "end" (here: ${this.end})`, this.start);
    }
  }
  this.pos = this.start;
  this.bytesRead = 0;
  opts.autoDestroy = opts.autoClose === undefined ? true : !!opts.autoClose;
  Readable.call(this, opts);
}
Object.setPrototypeOf(ReadStream.prototype, Readable.prototype);
Object.setPrototypeOf(ReadStream, Readable);

Object.defineProperty(ReadStream.prototype, "pending", {
  get() { return this.fd === null; },
  configurable: true,
});

ReadStream.prototype._construct = construct;
ReadStream.prototype._destroy = destroy;

ReadStream.prototype._read = function (n) {
  n = this.pos !== undefined ? Math.min(this.end - this.pos + 1, n) : Math.min(this.end - this.bytesRead + 1, n);
  if (n <= 0) {
    this.push(null);
    return;
  }
  const buf = Buffer.allocUnsafeSlow(n);
  this[kPerformingIO] = true;
  submit("readSync", [this.fd, buf, 0, n, this.pos ?? null], (err, bytes) => {
    ioDone(this);
    if (this.destroyed) return;
    if (err) {
      this.destroy(err);
      return;
    }
    if (bytes === 0) {
      this.push(null);
      return;
    }
    if (this.pos !== undefined) this.pos += bytes;
    this.bytesRead += bytes;
    // Keep only what was read (a small copy rather than pinning the large buffer).
    this.push(bytes === buf.length ? buf : bytes < buf.length / 2 ? Buffer.from(buf.subarray(0, bytes)) : buf.subarray(0, bytes));
  });
};

ReadStream.prototype.close = function (cb) {
  if (typeof cb === "function") {
    if (this.closed) queueMicrotask(cb);
    else this.once("close", cb);
  }
  this.destroy();
};

// ---- WriteStream ---------------------------------------------------------------------

export function WriteStream(path, options) {
  if (!(this instanceof WriteStream)) return new WriteStream(path, options);
  const opts = streamOptions(options);
  opts.decodeStrings = true;
  setup(this, path, opts, "w");
  this.start = opts.start;
  if (this.start !== undefined) validateInteger(this.start, "start", 0);
  this.pos = this.start;
  this.bytesWritten = 0;
  this.flush = !!opts.flush;
  opts.autoDestroy = this.autoClose;
  Writable.call(this, opts);
  if (opts.encoding) this.setDefaultEncoding(opts.encoding);
}
Object.setPrototypeOf(WriteStream.prototype, Writable.prototype);
Object.setPrototypeOf(WriteStream, Writable);

Object.defineProperty(WriteStream.prototype, "pending", {
  get() { return this.fd === null; },
  configurable: true,
});

WriteStream.prototype._construct = construct;
WriteStream.prototype._destroy = destroy;

function writeAllAsync(stream, chunk, offset, cb) {
  stream[kPerformingIO] = true;
  submit("writeSync", [stream.fd, chunk, offset, chunk.length - offset, stream.pos ?? null], (err, n) => {
    ioDone(stream);
    if (err) {
      cb(err);
      return;
    }
    stream.bytesWritten += n;
    if (stream.pos !== undefined) stream.pos += n;
    if (offset + n < chunk.length && !stream.destroyed) writeAllAsync(stream, chunk, offset + n, cb);
    else cb();
  });
}

WriteStream.prototype._write = function (chunk, encoding, cb) {
  writeAllAsync(this, typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk, 0, cb);
};

WriteStream.prototype._writev = function (chunks, cb) {
  const bufs = chunks.map((c) => (typeof c.chunk === "string" ? Buffer.from(c.chunk, c.encoding) : c.chunk));
  writeAllAsync(this, bufs.length === 1 ? bufs[0] : Buffer.concat(bufs), 0, cb);
};

WriteStream.prototype._final = function (cb) {
  if (!this.flush || this.fd === null) {
    cb();
    return;
  }
  submit("fsyncSync", [this.fd], cb);
};

WriteStream.prototype.close = function (cb) {
  if (typeof cb === "function") {
    if (this.closed) {
      queueMicrotask(cb);
      return;
    }
    this.once("close", cb);
  }
  if (!this.autoClose) this.once("finish", () => this.destroy());
  if (this.writableEnded) {
    if (this.writableFinished || this.destroyed) this.destroy();
  } else {
    this.end();
  }
};

WriteStream.prototype.destroySoon = WriteStream.prototype.end;

export function createReadStream(path, options) {
  return new ReadStream(path, options);
}

export function createWriteStream(path, options) {
  return new WriteStream(path, options);
}

streamsHook.createReadStream = createReadStream;
streamsHook.createWriteStream = createWriteStream;
