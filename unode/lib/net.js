// node:net — TCP and Unix stream sockets and servers on non-blocking fds
// watched by jsk:loop (level-triggered epoll).
//
// A Socket is a stream.Duplex over a Handle {fd}. Reading: one EPOLLIN
// subscription while the readable side wants data; every wakeup receives into
// one shared 64 KiB buffer and pushes a copy of the bytes received; when
// push() reports the buffer is over its highWaterMark the subscription is
// closed (backpressure) until _read asks again. Writing: send() at once with
// MSG_NOSIGNAL; what the kernel does not take waits for EPOLLOUT (the only
// time EPOLLOUT is asked for). Connect is non-blocking: EINPROGRESS, then
// EPOLLOUT and SO_ERROR. Errors read as Node's ("connect ECONNREFUSED
// 127.0.0.1:1", "listen EADDRINUSE: address already in use :::80").

import EventEmitter from "node:events";
import { Duplex } from "node:internal/streams/duplex";
import { Buffer } from "node:buffer";
import { nextTick } from "node:internal/process/tick";
import { codes, nodeError } from "node:internal/errors";
import { validateFunction, validateNumber, validateInt32, validateString, validateBoolean } from "node:internal/validators";
import { watch, setTimeout as loopSetTimeout, clearTimeout as loopClearTimeout } from "jsk:loop";
import { syscall, getsockname, getpeername, monotonicMs, unlink, EPOLLIN, EPOLLOUT, AF_INET, AF_INET6, AF_UNIX, SOCK_STREAM } from "jsk:sys";
import { encodeUtf8, addressOf } from "jsk:native";
import {
  isIP, isIPv4, isIPv6, NR, EAGAIN, EINTR, EINPROGRESS, ENOTCONN, ECONNABORTED,
  SOCK_NONBLOCK, SOCK_CLOEXEC, MSG_NOSIGNAL, SOL_SOCKET, SO_REUSEADDR, SO_ERROR, SO_KEEPALIVE, SO_LINGER,
  IPPROTO_TCP, IPPROTO_IPV6, TCP_NODELAY, TCP_KEEPIDLE, IPV6_V6ONLY, setIntOpt, getIntOpt, sockaddrCall, closeFd,
  errnoException, exceptionWithHostPort, uvExceptionWithHostPort, validatePort,
} from "node:internal/net/util";
import { lookup as dnsLookup } from "node:internal/dns/lookup";
import { BlockList, SocketAddress } from "node:internal/net/blocklist";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } = codes;

export { isIP, isIPv4, isIPv6, BlockList, SocketAddress };

const ERR_SOCKET_CLOSED = () => nodeError(Error, "ERR_SOCKET_CLOSED", "Socket is closed");
const ERR_SOCKET_CLOSED_BEFORE_CONNECTION = () =>
  nodeError(Error, "ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "Socket closed before the connection was established");
const ERR_SERVER_NOT_RUNNING = () => nodeError(Error, "ERR_SERVER_NOT_RUNNING", "Server is not running.");
const ERR_SERVER_ALREADY_LISTEN = () =>
  nodeError(Error, "ERR_SERVER_ALREADY_LISTEN", "Listen method has been called more than once without closing.");
const ERR_INVALID_FD_TYPE = (t) => nodeError(TypeError, "ERR_INVALID_FD_TYPE", `Unsupported fd type: ${t}`);
const ERR_INVALID_IP_ADDRESS = (ip) => nodeError(TypeError, "ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${ip}`);

const SHUT_WR = 1;
const RECV_SIZE = 64 * 1024;

// Reads land in a shared 256 KiB slab: recv() writes at the slab's next free
// offset (passed as a raw address, so no view is made for the call) and the
// chunk pushed is a Buffer over exactly the bytes received. A fresh slab is
// taken when less than one full read is left; chunks keep their slab alive.
const SLAB_SIZE = 256 * 1024;
let slab = null;
let slabBase = 0;
let slabOff = SLAB_SIZE;

function newSlab() {
  slab = new ArrayBuffer(SLAB_SIZE);
  slabBase = Number(addressOf(slab));
  slabOff = 0;
}

// A Buffer made over slab bytes without a copy: a Uint8Array subclass whose
// prototype chain is Buffer's (instanceof Buffer, every Buffer method).
class SlabBuffer extends Uint8Array {}
Object.setPrototypeOf(SlabBuffer.prototype, Buffer.prototype);
delete SlabBuffer.prototype.constructor;
const lingerZero = new Int32Array([1, 0]); // struct linger {l_onoff = 1, l_linger = 0}: close sends RST

let autoSelectFamilyDefault = true;
let autoSelectFamilyAttemptTimeoutDefault = 250;
export function getDefaultAutoSelectFamily() { return autoSelectFamilyDefault; }
export function setDefaultAutoSelectFamily(v) { validateBoolean(v, "value"); autoSelectFamilyDefault = v; }
export function getDefaultAutoSelectFamilyAttemptTimeout() { return autoSelectFamilyAttemptTimeoutDefault; }
export function setDefaultAutoSelectFamilyAttemptTimeout(v) {
  validateInt32(v, "value", 1);
  autoSelectFamilyAttemptTimeoutDefault = v < 10 ? 10 : v;
}

// ---- the handle: an fd with its epoll subscriptions ---------------------------

const kOwner = Symbol("owner");

class Handle {
  constructor(fd, pipe) {
    this.fd = fd;
    this.pipe = pipe; // a Unix socket (no ports, no TCP options)
    this.reading = false;
    this.rsub = null;
    this.wsub = null;
    this.refed = true;
    this[kOwner] = null;
    this.onReadable = null;
    this.onWritable = null;
  }
  watchRead(cb) {
    if (this.rsub === null) {
      this.rsub = watch(this.fd, EPOLLIN, cb);
      if (!this.refed) this.rsub.unref();
    }
  }
  unwatchRead() {
    if (this.rsub !== null) { this.rsub.close(); this.rsub = null; }
  }
  watchWrite(cb) {
    if (this.wsub === null) {
      this.wsub = watch(this.fd, EPOLLOUT, cb);
      if (!this.refed) this.wsub.unref();
    }
  }
  unwatchWrite() {
    if (this.wsub !== null) { this.wsub.close(); this.wsub = null; }
  }
  ref() {
    this.refed = true;
    if (this.rsub) this.rsub.ref();
    if (this.wsub) this.wsub.ref();
  }
  unref() {
    this.refed = false;
    if (this.rsub) this.rsub.unref();
    if (this.wsub) this.wsub.unref();
  }
  close() {
    this.unwatchRead();
    this.unwatchWrite();
    if (this.fd >= 0) closeFd(this.fd);
    this.fd = -1;
  }
  getsockname() { return this.fd >= 0 ? getsockname(this.fd) : null; }
  getpeername() { return this.fd >= 0 ? getpeername(this.fd) : null; }
}

function familyName(f) { return f === AF_INET6 ? "IPv6" : f === AF_INET ? "IPv4" : undefined; }

function addrInfo(sa) {
  if (!sa) return {};
  if (sa.family === AF_UNIX) return {};
  return { address: sa.address, family: familyName(sa.family), port: sa.port };
}

// ---- Socket ------------------------------------------------------------------

const kBytesRead = Symbol("kBytesRead");
const kBytesWritten = Symbol("kBytesWritten");
const kTimeoutMs = Symbol("kTimeoutMs");
const kTimer = Symbol("kTimer");
const kLastActive = Symbol("kLastActive");
const kSetNoDelay = Symbol("kSetNoDelay");
const kSetKeepAlive = Symbol("kSetKeepAlive");
const kKeepAliveDelay = Symbol("kKeepAliveDelay");
const kRefed = Symbol("kRefed");
const kPending = Symbol("kPendingWrite"); // { data, off, cb } waiting for EPOLLOUT
const kConnectTarget = Symbol("kConnectTarget");

export function Socket(options) {
  if (!(this instanceof Socket)) return new Socket(options);
  if (typeof options === "number") options = { fd: options };
  else options = { ...options };
  if (options.handle !== undefined && options.fd !== undefined) {
    throw ERR_INVALID_ARG_VALUE("options.fd", options.fd, "cannot be used together with options.handle");
  }
  this.connecting = false;
  this._hadError = false;
  this._handle = null;
  this._parent = null;
  this._host = null;
  this._peername = null;
  this._sockname = null;
  this._pendingData = null;
  this._pendingEncoding = "";
  this[kBytesRead] = 0;
  this[kBytesWritten] = 0;
  this[kTimeoutMs] = 0;
  this[kTimer] = null;
  this[kLastActive] = 0;
  this[kRefed] = true;
  this[kPending] = null;
  this[kConnectTarget] = null;
  this[kSetNoDelay] = Boolean(options.noDelay);
  this[kSetKeepAlive] = Boolean(options.keepAlive);
  this[kKeepAliveDelay] = ~~(options.keepAliveInitialDelay / 1000);
  this.server = null;
  this._server = null;
  this.timeout = 0;

  options.allowHalfOpen = Boolean(options.allowHalfOpen);
  options.emitClose = false; // 'close' (hadError) comes from _destroy
  options.autoDestroy = true;
  options.decodeStrings = false;
  Duplex.call(this, options);

  if (options.handle) {
    this._handle = options.handle;
    attach(this, this._handle);
  } else if (options.fd !== undefined) {
    const fd = options.fd;
    validateInt32(fd, "fd", 0);
    const type = getIntOpt(fd, SOL_SOCKET, 3 /* SO_TYPE */);
    if (type !== SOCK_STREAM) throw ERR_INVALID_FD_TYPE(type === 2 ? "UDP" : type < 0 ? "FILE" : "UNKNOWN");
    let family;
    try { family = getsockname(fd)?.family; } catch (e) { throw errnoException(-e.errno, "getsockname"); }
    setNonBlocking(fd);
    this._handle = new Handle(fd, family === AF_UNIX);
    attach(this, this._handle);
  }

  this.on("end", onReadableStreamEnd);

  if (this._handle && options.readable !== false) {
    if (options.pauseOnConnect) {
      this._handle.reading = false;
      this.readableFlowing = false;
    } else if (!options.manualStart) {
      this.read(0);
    }
  }
  if (options.signal) addSignal(this, options.signal);
}
Object.setPrototypeOf(Socket.prototype, Duplex.prototype);
Object.setPrototypeOf(Socket, Duplex);

function addSignal(socket, signal) {
  const onAbort = () => socket.destroy(nodeError(Error, "ABORT_ERR", "The operation was aborted"));
  if (signal.aborted) nextTick(onAbort);
  else {
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("close", () => signal.removeEventListener("abort", onAbort));
  }
}

const F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0o4000;
function setNonBlocking(fd) {
  const fl = syscall(NR.fcntl, fd, F_GETFL, 0);
  if (fl >= 0 && (fl & O_NONBLOCK) === 0) syscall(NR.fcntl, fd, F_SETFL, fl | O_NONBLOCK);
}

function attach(socket, handle) {
  handle[kOwner] = socket;
  handle.onReadable = () => onReadable(socket);
  handle.onWritable = () => onWritable(socket);
  if (!socket[kRefed]) handle.unref();
}

function onReadableStreamEnd() {
  if (!this.allowHalfOpen) this.write = writeAfterFIN;
}

function writeAfterFIN(chunk, encoding, cb) {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding, cb);
  if (typeof encoding === "function") cb = encoding;
  const er = new Error("This socket has been ended by the other party");
  er.code = "EPIPE";
  if (typeof cb === "function") nextTick(cb, er);
  this.destroy(er);
  return false;
}

// -- activity timeout: one unref'd timer that re-checks the last activity time

function touch(socket) {
  if (socket[kTimeoutMs] === 0) return;
  socket[kLastActive] = monotonicMs();
  if (socket[kTimer] === null) armTimer(socket, socket[kTimeoutMs]);
}

function armTimer(socket, ms) {
  socket[kTimer] = loopSetTimeout(onTimer, ms, socket);
  socket[kTimer].unref();
}

function onTimer(socket) {
  socket[kTimer] = null;
  const ms = socket[kTimeoutMs];
  if (ms === 0 || socket.destroyed) return;
  const left = socket[kLastActive] + ms - monotonicMs();
  if (left > 1) { armTimer(socket, left); return; }
  socket.emit("timeout");
}

function clearTimer(socket) {
  if (socket[kTimer] !== null) { loopClearTimeout(socket[kTimer]); socket[kTimer] = null; }
}

Socket.prototype.setTimeout = function setTimeout(msecs, callback) {
  if (typeof msecs !== "number") throw ERR_INVALID_ARG_TYPE("msecs", "number", msecs);
  if (!(msecs >= 0) || !Number.isFinite(msecs)) throw ERR_OUT_OF_RANGE("msecs", "a non-negative finite number", msecs);
  if (msecs > 2147483647) msecs = 1; // as Node's timers
  this.timeout = msecs;
  if (callback !== undefined) validateFunction(callback, "callback");
  if (this.destroyed) return this;
  clearTimer(this);
  this[kTimeoutMs] = msecs;
  if (msecs === 0) {
    if (callback) this.removeListener("timeout", callback);
  } else {
    this[kLastActive] = monotonicMs();
    armTimer(this, msecs);
    if (callback) this.once("timeout", callback);
  }
  return this;
};

Socket.prototype._unrefTimer = function _unrefTimer() {
  for (let s = this; s !== null; s = s._parent) touch(s);
};

// -- reading

function onReadable(socket) {
  const h = socket._handle;
  if (h === null || h.fd < 0) return;
  for (let i = 0; i < 4; i++) {
    if (SLAB_SIZE - slabOff < RECV_SIZE) newSlab();
    const n = syscall(NR.recvfrom, h.fd, slabBase + slabOff, RECV_SIZE, 0, 0, 0);
    if (n > 0) {
      const chunk = new SlabBuffer(slab, slabOff, n);
      slabOff += (n + 7) & ~7;
      socket[kBytesRead] += n;
      if (socket[kTimeoutMs] !== 0) socket._unrefTimer();
      if (!socket.push(chunk)) {
        h.reading = false;
        h.unwatchRead();
        return;
      }
      if (n < RECV_SIZE || socket._handle !== h || !h.reading) return;
    } else if (n === 0) {
      h.reading = false;
      h.unwatchRead();
      socket.push(null);
      socket.read(0);
      return;
    } else if (n === -EAGAIN || n === -EINTR) {
      return;
    } else {
      h.reading = false;
      h.unwatchRead();
      socket.destroy(errnoException(n, "read"));
      return;
    }
  }
}

function tryReadStart(socket) {
  const h = socket._handle;
  h.reading = true;
  h.watchRead(h.onReadable);
}

Socket.prototype._read = function _read(n) {
  if (this.connecting || !this._handle || this._handle.fd < 0) {
    this.once("connect", () => this._read(n));
  } else if (!this._handle.reading) {
    tryReadStart(this);
  }
};

// -- writing

function toBytes(data, encoding) {
  if (typeof data !== "string") return data;
  if (encoding === "utf8" || encoding === "utf-8" || encoding === "buffer" || !encoding) return encodeUtf8(data);
  return Buffer.from(data, encoding);
}

function onWritable(socket) {
  const h = socket._handle;
  const p = socket[kPending];
  if (h === null || p === null) { if (h) h.unwatchWrite(); return; }
  const data = p.data;
  let off = p.off;
  while (off < data.length) {
    const n = syscall(NR.sendto, h.fd, off === 0 ? data : data.subarray(off), data.length - off, MSG_NOSIGNAL, 0, 0);
    if (n >= 0) { off += n; continue; }
    if (n === -EAGAIN || n === -EINTR) { p.off = off; return; }
    h.unwatchWrite();
    socket[kPending] = null;
    p.cb(errnoException(n, "write"));
    return;
  }
  h.unwatchWrite();
  socket[kPending] = null;
  if (socket[kTimeoutMs] !== 0) socket._unrefTimer();
  p.cb();
}

Socket.prototype._writeGeneric = function _writeGeneric(writev, data, encoding, cb) {
  if (this.connecting) {
    this._pendingData = data;
    this._pendingEncoding = encoding;
    const onClose = () => cb(ERR_SOCKET_CLOSED_BEFORE_CONNECTION());
    this.once("connect", function connect() {
      this.off("close", onClose);
      this._writeGeneric(writev, data, encoding, cb);
    });
    this.once("close", onClose);
    return;
  }
  this._pendingData = null;
  this._pendingEncoding = "";
  const h = this._handle;
  if (!h || h.fd < 0) {
    cb(ERR_SOCKET_CLOSED());
    return false;
  }
  if (this[kTimeoutMs] !== 0) this._unrefTimer();
  let bytes;
  if (writev) {
    if (data.length === 1) bytes = toBytes(data[0].chunk, data[0].encoding);
    else {
      const list = new Array(data.length);
      let total = 0;
      for (let i = 0; i < data.length; i++) {
        const b = toBytes(data[i].chunk, data[i].encoding);
        list[i] = b;
        total += b.length;
      }
      bytes = Buffer.allocUnsafe(total);
      let o = 0;
      for (let i = 0; i < list.length; i++) { bytes.set(list[i], o); o += list[i].length; }
    }
  } else {
    bytes = toBytes(data, encoding);
  }
  const len = bytes.length;
  this[kBytesWritten] += len;
  let off = 0;
  while (off < len) {
    const n = syscall(NR.sendto, h.fd, off === 0 ? bytes : bytes.subarray(off), len - off, MSG_NOSIGNAL, 0, 0);
    if (n >= 0) { off += n; continue; }
    if (n === -EAGAIN || n === -EINTR) break;
    cb(errnoException(n, "write"));
    return;
  }
  if (off === len) { cb(); return; }
  this[kPending] = { data: bytes, off, cb };
  h.watchWrite(h.onWritable);
};

Socket.prototype._writev = function _writev(chunks, cb) {
  this._writeGeneric(true, chunks, "", cb);
};

Socket.prototype._write = function _write(data, encoding, cb) {
  this._writeGeneric(false, data, encoding, cb);
};

Socket.prototype._final = function _final(cb) {
  if (this.pending && this.connecting) {
    this.once("connect", () => this._final(cb));
    return;
  }
  const h = this._handle;
  if (!h || h.fd < 0) { cb(); return; }
  // libuv completes a shutdown on a later loop turn: so does this ('prefinish' after 'ready').
  const r = syscall(NR.shutdown, h.fd, SHUT_WR);
  if (r < 0 && r !== -ENOTCONN) { nextTick(cb, errnoException(r, "shutdown")); return; }
  nextTick(cb);
};

// -- destroying

function emitCloseNT(socket, hadError) { socket.emit("close", hadError); }

Socket.prototype._destroy = function _destroy(exception, cb) {
  this.connecting = false;
  for (let s = this; s !== null; s = s._parent) clearTimer(s);
  const h = this._handle;
  if (h) {
    if (h.fd >= 0) {
      try { if (!this._peername && !h.pipe && h.fd >= 0) this._peername = addrInfo(h.getpeername()); } catch { /* not connected */ }
      try { if (!this._sockname && h.fd >= 0) this._sockname = addrInfo(h.getsockname()); } catch { /* closed */ }
    }
    if (this.resetAndClosing && h.fd >= 0) {
      this.resetAndClosing = false;
      syscall(NR.setsockopt, h.fd, SOL_SOCKET, SO_LINGER, lingerZero, 8);
    }
    h.close();
    this._handle = null;
    const p = this[kPending];
    this[kPending] = null;
    cb(exception);
    if (p !== null) nextTick(p.cb, ERR_SOCKET_CLOSED());
    nextTick(emitCloseNT, this, !!exception);
  } else {
    cb(exception);
    nextTick(emitCloseNT, this, false);
  }
  if (this._server) {
    this._server._connections--;
    if (this._server._emitCloseIfDrained) this._server._emitCloseIfDrained();
  }
};

Socket.prototype.destroySoon = function destroySoon() {
  if (this.writable) this.end();
  if (this.writableFinished) this.destroy();
  else this.once("finish", this.destroy);
};

Socket.prototype.resetAndDestroy = function resetAndDestroy() {
  if (this._handle) {
    if (!(this._handle instanceof Handle) || this._handle.pipe) {
      throw nodeError(TypeError, "ERR_INVALID_HANDLE_TYPE", "This handle type cannot be sent");
    }
    if (this.connecting) {
      this.once("connect", () => { this.resetAndClosing = true; this.destroy(); });
    } else {
      this.resetAndClosing = true;
      this.destroy();
    }
  } else {
    this.destroy(ERR_SOCKET_CLOSED());
  }
  return this;
};

// -- options and addresses

Socket.prototype.setNoDelay = function setNoDelay(enable) {
  enable = enable === undefined ? true : Boolean(enable);
  const h = this._handle;
  if (!h || h.fd < 0) { this[kSetNoDelay] = enable; return this; }
  if (!h.pipe && this[kSetNoDelay] !== enable) {
    this[kSetNoDelay] = enable;
    setIntOpt(h.fd, IPPROTO_TCP, TCP_NODELAY, enable ? 1 : 0);
  }
  return this;
};

Socket.prototype.setKeepAlive = function setKeepAlive(enable, initialDelayMsecs) {
  enable = Boolean(enable);
  const delay = ~~((initialDelayMsecs ?? 0) / 1000);
  const h = this._handle;
  if (!h || h.fd < 0) {
    this[kSetKeepAlive] = enable;
    this[kKeepAliveDelay] = delay;
    return this;
  }
  if (!h.pipe) applyKeepAlive(h.fd, enable, delay);
  this[kSetKeepAlive] = enable;
  this[kKeepAliveDelay] = delay;
  return this;
};

function applyKeepAlive(fd, enable, delay) {
  setIntOpt(fd, SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0);
  if (enable && delay > 0) setIntOpt(fd, IPPROTO_TCP, TCP_KEEPIDLE, delay);
}

function applyPendingOptions(socket, fd) {
  if (socket[kSetNoDelay]) setIntOpt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (socket[kSetKeepAlive]) applyKeepAlive(fd, true, socket[kKeepAliveDelay]);
}

Socket.prototype._getpeername = function _getpeername() {
  const h = this._handle;
  if (!h || h.fd < 0 || this.connecting || h.pipe) return this._peername || {};
  if (!this._peername) {
    try { this._peername = addrInfo(h.getpeername()); } catch { return {}; }
  }
  return this._peername;
};

Socket.prototype._getsockname = function _getsockname() {
  const h = this._handle;
  if (!h || h.fd < 0) return this._sockname || {};
  if (!this._sockname) {
    try { this._sockname = addrInfo(h.getsockname()); } catch { return {}; }
  }
  return this._sockname;
};

Socket.prototype.address = function address() { return this._getsockname(); };

function getter(name, fn) {
  Object.defineProperty(Socket.prototype, name, { get: fn, configurable: true, enumerable: false });
}

getter("remoteAddress", function () { return this._getpeername().address; });
getter("remoteFamily", function () { return this._getpeername().family; });
getter("remotePort", function () { return this._getpeername().port; });
getter("localAddress", function () { return this._getsockname().address; });
getter("localPort", function () { return this._getsockname().port; });
getter("localFamily", function () { return this._getsockname().family; });
getter("pending", function () { return !this._handle || this.connecting; });
getter("readyState", function () {
  if (this.connecting) return "opening";
  if (this.readable && this.writable) return "open";
  if (this.readable && !this.writable) return "readOnly";
  if (!this.readable && this.writable) return "writeOnly";
  return "closed";
});
getter("bufferSize", function () { return this._handle ? this.writableLength : undefined; });
getter("bytesRead", function () { return this[kBytesRead]; });
getter("bytesWritten", function () {
  let bytes = this[kBytesWritten];
  const wb = this.writableBuffer;
  if (!wb) return undefined;
  for (const el of wb) bytes += el.chunk instanceof Uint8Array ? el.chunk.length : Buffer.byteLength(el.chunk, el.encoding);
  const data = this._pendingData;
  if (Array.isArray(data)) {
    for (const el of data) bytes += el.chunk instanceof Uint8Array ? el.chunk.length : Buffer.byteLength(el.chunk, el.encoding);
  } else if (data) {
    bytes += data instanceof Uint8Array ? data.length : Buffer.byteLength(data, this._pendingEncoding);
  }
  return bytes;
});
getter("_connecting", function () { return this.connecting; });
getter("autoSelectFamilyAttemptedAddresses", function () { return this._attempted; });

Socket.prototype.ref = function ref() {
  if (!this._handle) { this.once("connect", this.ref); return this; }
  this[kRefed] = true;
  this._handle.ref();
  return this;
};

Socket.prototype.unref = function unref() {
  if (!this._handle) { this.once("connect", this.unref); return this; }
  this[kRefed] = false;
  this._handle.unref();
  return this;
};

// -- connecting

/** [options, cb] from connect's argument forms (Node's normalizeArgs). */
function normalizeArgs(args) {
  if (args.length === 0) return [{}, null];
  const arg0 = args[0];
  let options = {};
  if (typeof arg0 === "object" && arg0 !== null) {
    options = arg0;
  } else if (isPipeName(arg0)) {
    options.path = arg0;
  } else {
    options.port = arg0;
    if (args.length > 1 && typeof args[1] === "string") options.host = args[1];
  }
  const cb = args[args.length - 1];
  return [options, typeof cb === "function" ? cb : null];
}

function isPipeName(s) { return typeof s === "string" && toNumber(s) === false; }
function toNumber(x) { return (x = Number(x)) >= 0 ? x : false; }

Socket.prototype.connect = function connect(...args) {
  let normalized;
  if (Array.isArray(args[0]) && args[0].length === 2 && typeof args[0][0] === "object") normalized = args[0];
  else normalized = normalizeArgs(args);
  const [options, cb] = normalized;
  if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;
  if (this.destroyed) {
    this._handle = null;
    this._peername = null;
    this._sockname = null;
    this._undestroy();
  }
  const { path } = options;
  const pipe = !!path;
  if (!this._handle) {
    this._handle = new Handle(-1, pipe);
    attach(this, this._handle);
  }
  if (cb !== null) this.once("connect", cb);
  this._unrefTimer();
  this.connecting = true;
  if (pipe) {
    validateString(path, "options.path");
    internalConnect(this, path, 0, 0, undefined, undefined);
  } else {
    lookupAndConnect(this, options);
  }
  return this;
};

function lookupAndConnect(self, options) {
  const { localAddress, localPort } = options;
  const host = options.host || "localhost";
  let { port, autoSelectFamily, autoSelectFamilyAttemptTimeout } = options;
  if (localAddress && !isIP(localAddress)) {
    throw ERR_INVALID_ARG_TYPE("options.localAddress", "string", localAddress);
  }
  if (localPort) validateNumber(localPort, "options.localPort");
  if (typeof port !== "undefined") {
    if (typeof port !== "number" && typeof port !== "string") {
      throw ERR_INVALID_ARG_TYPE("options.port", ["number", "string"], port);
    }
    port = validatePort(port);
  }
  port |= 0;
  if (autoSelectFamily != null) validateBoolean(autoSelectFamily, "options.autoSelectFamily");
  else autoSelectFamily = autoSelectFamilyDefault;
  if (autoSelectFamilyAttemptTimeout != null) validateInt32(autoSelectFamilyAttemptTimeout, "options.autoSelectFamilyAttemptTimeout", 1);
  if (options.timeout) self.setTimeout(options.timeout);

  const addressType = isIP(host);
  if (addressType) {
    nextTick(() => {
      if (self.connecting) internalConnect(self, host, port, addressType, localAddress, localPort);
    });
    return;
  }
  if (options.lookup != null) validateFunction(options.lookup, "options.lookup");
  const lookup = options.lookup || dnsLookup;
  const dnsopts = { family: socketToDnsFamily(options.family), hints: options.hints || 0 };
  if (dnsopts.family !== 4 && dnsopts.family !== 6 && !localAddress && autoSelectFamily) {
    dnsopts.all = true;
  }
  self._host = host;
  lookup(host, dnsopts, function emitLookup(err, ip, addressType) {
    if (dnsopts.all && !err) {
      // autoSelectFamily: try each address in turn.
      const list = Array.isArray(ip) ? ip : [{ address: ip, family: addressType }];
      if (list.length === 0) err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      else {
        self.emit("lookup", null, list[0].address, list[0].family, host);
        if (!self.connecting) return;
        self._attempted = [];
        self[kConnectTarget] = { list, index: 0, port, localAddress, localPort };
        self._attempted.push(`${list[0].address}:${port}`);
        internalConnect(self, list[0].address, port, list[0].family, localAddress, localPort);
        return;
      }
    }
    self.emit("lookup", err, ip, addressType, host);
    if (!self.connecting) return;
    if (err) {
      nextTick(connectErrorNT, self, err);
    } else if (!isIP(ip)) {
      nextTick(connectErrorNT, self, ERR_INVALID_IP_ADDRESS(ip));
    } else if (addressType !== 4 && addressType !== 6) {
      nextTick(connectErrorNT, self, nodeError(TypeError, "ERR_INVALID_ADDRESS_FAMILY", `Invalid address family: ${addressType} ${host}:${port}`));
    } else {
      self._unrefTimer();
      internalConnect(self, ip, port, addressType, localAddress, localPort);
    }
  });
}

function socketToDnsFamily(family) {
  switch (family) {
    case "IPv4": return 4;
    case "IPv6": return 6;
  }
  return family;
}

function connectErrorNT(self, err) { self.destroy(err); }

function internalConnect(self, address, port, addressType, localAddress, localPort) {
  const h = self._handle;
  if (!h) return;
  const pipe = addressType === 0;
  const domain = pipe ? AF_UNIX : addressType === 6 ? AF_INET6 : AF_INET;
  if (h.fd >= 0) { h.close(); }
  const fd = syscall(NR.socket, domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { self.destroy(errnoException(fd, "socket")); return; }
  h.fd = fd;
  h.pipe = pipe;
  if (!h.refed) h.unref();
  if (!pipe) applyPendingOptions(self, fd);
  if (localAddress || localPort) {
    const la = localAddress || (addressType === 6 ? "::" : "0.0.0.0");
    const r = sockaddrCall(NR.bind, fd, { family: domain, address: la, port: localPort | 0 });
    if (r < 0) {
      self.destroy(exceptionWithHostPort(r, "bind", la, localPort));
      return;
    }
  }
  let sa;
  if (pipe) sa = { family: AF_UNIX, path: address };
  else {
    let a = address;
    let scopeId = 0;
    const pct = a.indexOf("%");
    if (pct >= 0) { scopeId = +a.slice(pct + 1) || 0; a = a.slice(0, pct); }
    sa = { family: domain, address: a, port, scopeId };
  }
  let r;
  try { r = sockaddrCall(NR.connect, fd, sa); } catch (e) {
    self.destroy(e);
    return;
  }
  if (r === 0 || r === -EINPROGRESS || r === -EAGAIN || r === -EINTR) {
    h.watchWrite(() => afterConnectReady(self, h, address, port));
    return;
  }
  const ex = exceptionWithHostPort(r, "connect", address, pipe ? undefined : port);
  if (tryNextAddress(self)) return;
  nextTick(connectErrorNT, self, ex);
}

function tryNextAddress(self) {
  const t = self[kConnectTarget];
  if (!t || t.index + 1 >= t.list.length || !self.connecting) return false;
  t.index++;
  const next = t.list[t.index];
  self._attempted.push(`${next.address}:${t.port}`);
  internalConnect(self, next.address, t.port, next.family, t.localAddress, t.localPort);
  return true;
}

function afterConnectReady(self, h, address, port) {
  h.unwatchWrite();
  if (self._handle !== h || h.fd < 0) return;
  const err = getIntOpt(h.fd, SOL_SOCKET, SO_ERROR);
  if (err !== 0) {
    const errno = err < 0 ? err : -err;
    if (tryNextAddress(self)) return;
    self.destroy(exceptionWithHostPort(errno, "connect", address, h.pipe ? undefined : port));
    return;
  }
  self[kConnectTarget] = null;
  afterConnect(self);
}

function afterConnect(self) {
  if (self.destroyed) return;
  self.connecting = false;
  self._sockname = null;
  const h = self._handle;
  if (h && !h.pipe) {
    try { self._peername = addrInfo(h.getpeername()); } catch { /* reset already */ }
  }
  self._unrefTimer();
  self.emit("connect");
  self.emit("ready");
  if (self.readable && !self.isPaused() && self._handle) self.read(0);
}

export function connect(...args) {
  const normalized = normalizeArgs(args);
  const [options] = normalized;
  if (options.timeout) {
    validateNumber(options.timeout, "options.timeout", 0);
  }
  const socket = new Socket(options);
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect(normalized);
}
export const createConnection = connect;

// ---- Server -------------------------------------------------------------------

export function Server(options, connectionListener) {
  if (!(this instanceof Server)) return new Server(options, connectionListener);
  EventEmitter.call(this);
  if (typeof options === "function") {
    connectionListener = options;
    options = {};
  } else if (options == null || typeof options === "object") {
    options = { ...options };
  } else {
    throw ERR_INVALID_ARG_TYPE("options", "Object", options);
  }
  if (typeof connectionListener === "function") this.on("connection", connectionListener);
  this._connections = 0;
  this._handle = null;
  this._usingWorkers = false;
  this._workers = [];
  this._unref = false;
  this._pipeName = undefined;
  this.allowHalfOpen = options.allowHalfOpen || false;
  this.pauseOnConnect = !!options.pauseOnConnect;
  this.noDelay = Boolean(options.noDelay);
  this.keepAlive = Boolean(options.keepAlive);
  this.keepAliveInitialDelay = ~~(options.keepAliveInitialDelay / 1000);
  this.highWaterMark = options.highWaterMark;
}
Object.setPrototypeOf(Server.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Server, EventEmitter);

export function createServer(options, connectionListener) {
  return new Server(options, connectionListener);
}

Object.defineProperty(Server.prototype, "listening", {
  get() { return !!this._handle; }, configurable: true, enumerable: true,
});

function emitErrorNT(self, err) { self.emit("error", err); }
function emitListeningNT(self) { if (self._handle) self.emit("listening"); }

Server.prototype.listen = function listen(...args) {
  const normalized = normalizeArgs(args);
  let options = normalized[0];
  const cb = normalized[1];
  if (this._handle) throw ERR_SERVER_ALREADY_LISTEN();
  if (cb !== null) this.once("listening", cb);
  const backlog = options.backlog || toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]) || 511;

  if (options instanceof Handle || options._handle || options.handle) {
    const h = options._handle || options.handle || options;
    if (h instanceof Handle) { startListening(this, h, backlog); return this; }
  }
  if (typeof options.fd === "number" && options.fd >= 0) {
    setNonBlocking(options.fd);
    const fam = getsockname(options.fd)?.family;
    startListening(this, new Handle(options.fd, fam === AF_UNIX), backlog, true);
    return this;
  }
  if (args.length === 0 || typeof args[0] === "function" ||
      (typeof options.port === "undefined" && "port" in options) || options.port === null) {
    options = { ...options, port: 0 };
  }
  if (typeof options.port === "number" || typeof options.port === "string") {
    const port = validatePort(options.port, "options.port");
    if (options.host) {
      dnsLookup(options.host, (err, ip, family) => {
        if (err) { this.emit("error", err); return; }
        listenOn(this, ip, port, family, backlog, options);
      });
    } else {
      listenOn(this, null, port, 4, backlog, options);
    }
    return this;
  }
  if (options.path && isPipeName(options.path)) {
    listenOnPath(this, options.path, backlog, options);
    return this;
  }
  if (!("port" in options) && !("path" in options)) {
    throw ERR_INVALID_ARG_VALUE("options", options, 'must have the property "port" or "path"');
  }
  throw ERR_INVALID_ARG_VALUE("options", options, "is invalid");
};

function openListener(domain, sa, ipv6Only) {
  const fd = syscall(NR.socket, domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fd;
  if (domain !== AF_UNIX) setIntOpt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (domain === AF_INET6) setIntOpt(fd, IPPROTO_IPV6, IPV6_V6ONLY, ipv6Only ? 1 : 0);
  const r = sockaddrCall(NR.bind, fd, sa);
  if (r < 0) { closeFd(fd); return r; }
  return fd;
}

function listenOn(server, address, port, family, backlog, options) {
  let fd, addr = address;
  if (address === null) {
    fd = openListener(AF_INET6, { family: AF_INET6, address: "::", port }, !!options.ipv6Only);
    addr = "::";
    if (fd < 0 && fd !== -98 /* EADDRINUSE: Node reports it for :: */) {
      fd = openListener(AF_INET, { family: AF_INET, address: "0.0.0.0", port }, false);
      addr = "0.0.0.0";
    }
  } else {
    const domain = family === 6 ? AF_INET6 : AF_INET;
    let a = address, scopeId = 0;
    const pct = a.indexOf("%");
    if (pct >= 0) { scopeId = +a.slice(pct + 1) || 0; a = a.slice(0, pct); }
    fd = openListener(domain, { family: domain, address: a, port, scopeId }, !!options.ipv6Only);
  }
  if (fd < 0) {
    nextTick(emitErrorNT, server, uvExceptionWithHostPort(fd, "listen", addr, port));
    return;
  }
  const r = syscall(NR.listen, fd, backlog);
  if (r < 0) {
    closeFd(fd);
    nextTick(emitErrorNT, server, uvExceptionWithHostPort(r, "listen", addr, port));
    return;
  }
  startListening(server, new Handle(fd, false), backlog, true);
}

function listenOnPath(server, path, backlog, options) {
  const fd = openListener(AF_UNIX, { family: AF_UNIX, path }, false);
  let r = fd;
  if (fd >= 0) {
    r = syscall(NR.listen, fd, backlog);
    if (r < 0) closeFd(fd);
  }
  if (r < 0) {
    nextTick(emitErrorNT, server, uvExceptionWithHostPort(r, "listen", path, undefined));
    return;
  }
  if (options.readableAll || options.writableAll) {
    let mode = 0;
    if (options.readableAll) mode |= 0o444;
    if (options.writableAll) mode |= 0o222;
    syscall(NR.fchmodat, -100 /* AT_FDCWD */, path, mode, 0);
  }
  server._pipeName = path;
  startListening(server, new Handle(fd, true), backlog, true);
}

function startListening(server, h, backlog, listened) {
  if (!listened) {
    const r = syscall(NR.listen, h.fd, backlog);
    if (r < 0) { nextTick(emitErrorNT, server, errnoException(r, "listen")); return; }
  }
  server._handle = h;
  h[kOwner] = server;
  h.watchRead(() => onAccept(server));
  if (server._unref) h.unref();
  nextTick(emitListeningNT, server);
}

function onAccept(server) {
  const h = server._handle;
  if (!h) return;
  for (let i = 0; i < 128; i++) {
    const fd = syscall(NR.accept4, h.fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (fd === -EAGAIN || fd === -EINTR || fd === -ECONNABORTED) return;
      server.emit("error", errnoException(fd, "accept"));
      return;
    }
    if (server.maxConnections != null && server._connections >= server.maxConnections) {
      if (server.listenerCount("drop") > 0) {
        const data = {};
        try {
          const l = addrInfo(getsockname(fd)), p = addrInfo(getpeername(fd));
          Object.assign(data, { localAddress: l.address, localPort: l.port, localFamily: l.family,
            remoteAddress: p.address, remotePort: p.port, remoteFamily: p.family });
        } catch { /* unix */ }
        closeFd(fd);
        server.emit("drop", data);
      } else {
        closeFd(fd);
      }
      continue;
    }
    const handle = new Handle(fd, h.pipe);
    const socket = new Socket({
      handle,
      allowHalfOpen: server.allowHalfOpen,
      pauseOnConnect: server.pauseOnConnect,
      readable: true,
      writable: true,
      readableHighWaterMark: server.highWaterMark,
      writableHighWaterMark: server.highWaterMark,
    });
    if (server.noDelay && !h.pipe) socket.setNoDelay(true);
    if (server.keepAlive && !h.pipe) socket.setKeepAlive(true, server.keepAliveInitialDelay * 1000);
    server._connections++;
    socket.server = server;
    socket._server = server;
    server.emit("connection", socket);
    if (server._handle !== h) return;
  }
}

Server.prototype.address = function address() {
  const h = this._handle;
  if (h && h.fd >= 0) {
    if (h.pipe) return this._pipeName ?? getsockname(h.fd).path;
    try { return addrInfo(h.getsockname()); } catch (e) { throw errnoException(-e.errno, "getsockname"); }
  } else if (this._pipeName) {
    return this._pipeName;
  }
  return null;
};

Server.prototype.getConnections = function getConnections(cb) {
  if (typeof cb === "function") nextTick(cb, null, this._connections);
  return this;
};

Server.prototype.close = function close(cb) {
  if (typeof cb === "function") {
    if (!this._handle) {
      this.once("close", function onClose() { cb(ERR_SERVER_NOT_RUNNING()); });
    } else {
      this.once("close", cb);
    }
  }
  if (this._handle) {
    this._handle.close();
    this._handle = null;
    if (this._pipeName) {
      try { unlink(this._pipeName); } catch { /* gone already */ }
    }
  }
  this._emitCloseIfDrained();
  return this;
};

Server.prototype._emitCloseIfDrained = function _emitCloseIfDrained() {
  if (this._handle || this._connections) return;
  nextTick(emitCloseNT2, this);
};

function emitCloseNT2(self) { self.emit("close"); }

Server.prototype.ref = function ref() {
  this._unref = false;
  if (this._handle) this._handle.ref();
  return this;
};

Server.prototype.unref = function unref() {
  this._unref = true;
  if (this._handle) this._handle.unref();
  return this;
};

Server.prototype[Symbol.asyncDispose] = function () {
  if (!this._handle) return Promise.resolve();
  return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
};

Server.prototype[EventEmitter.captureRejectionSymbol] = function (err, event, sock) {
  if (event === "connection") sock.destroy(err);
  else this.emit("error", err);
};

// For code that reaches for these (e.g. instanceof checks in libraries).
export const Stream = Socket;
export { Handle as _Handle };

export function _normalizeArgs(args) { return normalizeArgs(args); }

export default {
  Server, Socket, Stream, BlockList, SocketAddress, connect, createConnection, createServer,
  isIP, isIPv4, isIPv6, getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout, _normalizeArgs,
};
