// node:dgram — UDP sockets (udp4/udp6) on non-blocking fds watched by
// jsk:loop. The fd is made at bind (explicit, or implicit on the first
// send/connect), as libuv does; sends and connects issued while the bind is
// in progress wait in a queue. Each EPOLLIN wakeup receives up to 32
// datagrams into one shared 64 KiB buffer and emits a copy of each.

import EventEmitter from "node:events";
import { Buffer } from "node:buffer";
import { nextTick } from "node:internal/process/tick";
import { codes, nodeError } from "node:internal/errors";
import { validateString, validateNumber, validateFunction } from "node:internal/validators";
import { watch } from "jsk:loop";
import { syscall, nr, decodeSockaddr, encodeSockaddr, getsockname, getpeername, EPOLLIN, EPOLLOUT, AF_INET, AF_INET6 } from "jsk:sys";
import { encodeUtf8 } from "jsk:native";
import {
  isIPv4, isIPv6, parseIPv4, parseIPv6, NR, EAGAIN, EINTR, SOCK_NONBLOCK, SOCK_CLOEXEC, SOL_SOCKET, SO_REUSEADDR,
  SO_REUSEPORT, SO_BROADCAST, SO_RCVBUF, SO_SNDBUF, IPPROTO_IP, IPPROTO_IPV6, IPV6_V6ONLY, setIntOpt, getIntOpt,
  sockaddrCall, closeFd, codeOf, errnoException, exceptionWithHostPort, validatePort,
} from "node:internal/net/util";
import { lookup as dnsLookup } from "node:internal/dns/lookup";

const { ERR_INVALID_ARG_TYPE, ERR_MISSING_ARGS } = codes;

const ERR_SOCKET_ALREADY_BOUND = () => nodeError(Error, "ERR_SOCKET_ALREADY_BOUND", "Socket is already bound");
const ERR_SOCKET_BAD_BUFFER_SIZE = () => nodeError(TypeError, "ERR_SOCKET_BAD_BUFFER_SIZE", "Buffer size must be a positive integer");
const ERR_SOCKET_BAD_TYPE = () => nodeError(TypeError, "ERR_SOCKET_BAD_TYPE", "Bad socket type specified. Valid types are: udp4, udp6");
const ERR_SOCKET_DGRAM_IS_CONNECTED = () => nodeError(Error, "ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
const ERR_SOCKET_DGRAM_NOT_CONNECTED = () => nodeError(Error, "ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
const ERR_SOCKET_DGRAM_NOT_RUNNING = () => nodeError(Error, "ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
const ERR_BUFFER_OUT_OF_BOUNDS = (name) =>
  nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", `"${name}" is outside of buffer bounds`);

function ERR_SOCKET_BUFFER_SIZE(errno, syscallName) {
  const code = codeOf(errno);
  const text = { EBADF: "bad file descriptor", EINVAL: "invalid argument" }[code] ?? code.toLowerCase();
  const err = nodeError(Error, "ERR_SOCKET_BUFFER_SIZE",
    `Could not get or set buffer size: ${syscallName} returned ${code} (${text})`);
  err.name = "SystemError";
  err.info = { errno, code, message: text, syscall: syscallName };
  err.errno = errno;
  err.syscall = syscallName;
  return err;
}

const UNBOUND = 0, BINDING = 1, BOUND = 2;
const DISCONNECTED = 0, CONNECTING = 1, CONNECTED = 2;

const IP_TTL = 2, IP_MULTICAST_IF = 32, IP_MULTICAST_TTL = 33, IP_MULTICAST_LOOP = 34,
  IP_ADD_MEMBERSHIP = 35, IP_DROP_MEMBERSHIP = 36, IP_ADD_SOURCE_MEMBERSHIP = 39, IP_DROP_SOURCE_MEMBERSHIP = 40;
const IPV6_UNICAST_HOPS = 16, IPV6_MULTICAST_IF = 17, IPV6_MULTICAST_HOPS = 18, IPV6_MULTICAST_LOOP = 19,
  IPV6_ADD_MEMBERSHIP = 20, IPV6_DROP_MEMBERSHIP = 21, MCAST_JOIN_SOURCE_GROUP = 46, MCAST_LEAVE_SOURCE_GROUP = 47;
const EBADF = 9, EINVAL = 22;

const RECV_SIZE = 65536;
const recvBuf = new Uint8Array(RECV_SIZE);
const saBuf = new Uint8Array(128);
const saLen = new Uint32Array(1);
const SOCK_DGRAM = 2;

const kState = Symbol("kStateSymbol");

export function Socket(type, listener) {
  if (!(this instanceof Socket)) return new Socket(type, listener);
  EventEmitter.call(this);
  let options;
  if (type !== null && typeof type === "object") {
    options = type;
    type = options.type;
  }
  if (type !== "udp4" && type !== "udp6") throw ERR_SOCKET_BAD_TYPE();
  if (typeof listener === "function") this.on("message", listener);
  this.type = type;
  this[kState] = {
    handle: { fd: -1 },
    receiving: false,
    bindState: UNBOUND,
    connectState: DISCONNECTED,
    queue: undefined,
    reuseAddr: !!options?.reuseAddr,
    reusePort: !!options?.reusePort,
    ipv6Only: !!options?.ipv6Only,
    recvBufferSize: options?.recvBufferSize,
    sendBufferSize: options?.sendBufferSize,
    lookup: options?.lookup,
    sub: null,
    wsub: null,
    sendQueue: [],
    refed: true,
  };
  if (options?.lookup !== undefined) validateFunction(options.lookup, "options.lookup");
  if (options?.signal !== undefined) {
    const signal = options.signal;
    const onAbort = () => { if (this[kState].handle) this.close(); };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      this.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }
}
Object.setPrototypeOf(Socket.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Socket, EventEmitter);

export function createSocket(type, listener) {
  return new Socket(type, listener);
}

function healthCheck(socket) {
  if (!socket[kState].handle) throw ERR_SOCKET_DGRAM_NOT_RUNNING();
}

function doLookup(socket, address, cb) {
  const state = socket[kState];
  const family = socket.type === "udp4" ? 4 : 6;
  const lookup = state.lookup || dnsLookup;
  lookup(address || (family === 4 ? "127.0.0.1" : "::1"), family, cb);
}

function enqueue(self, fn) {
  const state = self[kState];
  if (state.queue === undefined) {
    state.queue = [];
    self.once(EventEmitter.errorMonitor, onListenError);
    self.once("listening", onListenSuccess);
  }
  state.queue.push(fn);
}

function onListenSuccess() {
  this.removeListener(EventEmitter.errorMonitor, onListenError);
  const state = this[kState];
  const queue = state.queue;
  state.queue = undefined;
  for (const fn of queue) fn();
}

function onListenError() {
  this.removeListener("listening", onListenSuccess);
  this[kState].queue = undefined;
}

Socket.prototype.bind = function bind(port_, address_ /* , callback */) {
  let port = port_;
  healthCheck(this);
  const state = this[kState];
  if (state.bindState !== UNBOUND) throw ERR_SOCKET_ALREADY_BOUND();
  state.bindState = BINDING;
  const cb = arguments.length && arguments[arguments.length - 1];
  if (typeof cb === "function") {
    const removeListeners = () => this.removeListener("listening", onListening);
    const onListening = () => { this.removeListener("error", removeListeners); cb.call(this); };
    this.on("error", removeListeners);
    this.on("listening", onListening);
  }
  let address;
  if (port !== null && typeof port === "object") {
    address = port.address || "";
    port = port.port;
  } else {
    address = typeof address_ === "function" ? "" : address_;
  }
  if (!address) address = this.type === "udp4" ? "0.0.0.0" : "::";
  if (port !== undefined && port !== null && typeof port !== "function") port = validatePort(port, "Port");
  else port = 0;
  doLookup(this, address, (err, ip) => {
    if (!state.handle) return; // closed while looking up
    if (err) {
      state.bindState = UNBOUND;
      this.emit("error", err);
      return;
    }
    const r = openAndBind(this, ip, port);
    if (r < 0) {
      state.bindState = UNBOUND;
      this.emit("error", exceptionWithHostPort(r, "bind", ip, port));
      return;
    }
    startListening(this);
  });
  return this;
};

function openAndBind(socket, ip, port) {
  const state = socket[kState];
  const v6 = socket.type === "udp6";
  const fd = syscall(NR.socket, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fd;
  if (state.reuseAddr) setIntOpt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (state.reusePort) setIntOpt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  if (v6 && state.ipv6Only) setIntOpt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  let a = ip, scopeId = 0;
  const pct = a.indexOf("%");
  if (pct >= 0) { scopeId = ifIndex(a.slice(pct + 1)); a = a.slice(0, pct); }
  let r;
  try {
    r = sockaddrCall(NR.bind, fd, { family: v6 ? AF_INET6 : AF_INET, address: a, port, scopeId });
  } catch {
    r = -EINVAL;
  }
  if (r < 0) { closeFd(fd); return r; }
  state.handle.fd = fd;
  return 0;
}

function startListening(socket) {
  const state = socket[kState];
  const fd = state.handle.fd;
  state.sub = watch(fd, EPOLLIN, () => onMessage(socket));
  if (!state.refed) state.sub.unref();
  state.receiving = true;
  state.bindState = BOUND;
  if (state.recvBufferSize) bufferSize(socket, state.recvBufferSize, true);
  if (state.sendBufferSize) bufferSize(socket, state.sendBufferSize, false);
  socket.emit("listening");
}

function onMessage(socket) {
  const state = socket[kState];
  for (let i = 0; i < 32; i++) {
    if (!state.handle || state.handle.fd < 0) return;
    saLen[0] = 128;
    const n = syscall(NR.recvfrom, state.handle.fd, recvBuf, RECV_SIZE, 0, saBuf, saLen);
    if (n < 0) {
      if (n === -EAGAIN || n === -EINTR) return;
      socket.emit("error", errnoException(n, "recvmsg"));
      return;
    }
    const msg = Buffer.allocUnsafe(n);
    msg.set(recvBuf.subarray(0, n));
    const sa = decodeSockaddr(saBuf, saLen[0]);
    const rinfo = {
      address: sa?.address, family: sa?.family === AF_INET6 ? "IPv6" : "IPv4", port: sa?.port, size: n,
    };
    socket.emit("message", msg, rinfo);
  }
}

function sliceBuffer(buffer, offset, length) {
  if (typeof buffer === "string") buffer = Buffer.from(buffer);
  else if (!ArrayBuffer.isView(buffer)) {
    throw ERR_INVALID_ARG_TYPE("buffer", ["Buffer", "TypedArray", "DataView", "string"], buffer);
  }
  offset = offset >>> 0;
  length = length >>> 0;
  if (offset > buffer.byteLength) throw ERR_BUFFER_OUT_OF_BOUNDS("offset");
  if (offset + length > buffer.byteLength) throw ERR_BUFFER_OUT_OF_BOUNDS("length");
  return Buffer.from(buffer.buffer, buffer.byteOffset + offset, length);
}

function fixBufferList(list) {
  const out = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    if (typeof b === "string") out[i] = Buffer.from(b);
    else if (!ArrayBuffer.isView(b)) return null;
    else out[i] = b;
  }
  return out;
}

Socket.prototype.send = function send(buffer, offset, length, port, address, callback) {
  let list;
  const state = this[kState];
  const connected = state.connectState === CONNECTED;
  if (!connected) {
    if (address || (port && typeof port !== "function")) {
      buffer = sliceBuffer(buffer, offset, length);
    } else {
      callback = port;
      port = offset;
      address = length;
    }
  } else {
    if (typeof length === "number") {
      buffer = sliceBuffer(buffer, offset, length);
      if (typeof port === "function") {
        callback = port;
        port = null;
      }
    } else {
      callback = offset;
    }
    if (port || address) throw ERR_SOCKET_DGRAM_IS_CONNECTED();
  }
  if (!Array.isArray(buffer)) {
    if (typeof buffer === "string") list = [Buffer.from(buffer)];
    else if (!ArrayBuffer.isView(buffer)) {
      throw ERR_INVALID_ARG_TYPE("buffer", ["Buffer", "TypedArray", "DataView", "string"], buffer);
    } else list = [buffer];
  } else if (!(list = fixBufferList(buffer))) {
    throw ERR_INVALID_ARG_TYPE("buffer list arguments", ["Buffer", "TypedArray", "DataView", "string"], buffer);
  }
  if (!connected) port = validatePort(port, "Port", false);
  if (typeof callback !== "function") callback = undefined;
  if (typeof address === "function") {
    callback = address;
    address = undefined;
  } else if (address != null) {
    validateString(address, "address");
  }
  healthCheck(this);
  if (state.bindState === UNBOUND) this.bind({ port: 0, exclusive: true }, null);
  if (list.length === 0) list.push(Buffer.alloc(0));
  if (state.bindState !== BOUND) {
    enqueue(this, this.send.bind(this, list, port, address, callback));
    return;
  }
  if (!connected) {
    doLookup(this, address, (ex, ip) => doSend(ex, this, ip, list, address, port, callback));
  } else {
    doSend(null, this, null, list, address, port, callback);
  }
};

function joinList(list) {
  if (list.length === 1) {
    const b = list[0];
    return b instanceof Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  let total = 0;
  for (const b of list) total += b.byteLength;
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of list) {
    out.set(b instanceof Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength), o);
    o += b.byteLength;
  }
  return out;
}

function doSend(ex, self, ip, list, address, port, callback) {
  const state = self[kState];
  if (ex) {
    if (typeof callback === "function") nextTick(callback, ex);
    else nextTick(() => self.emit("error", ex));
    return;
  }
  if (!state.handle) return;
  const data = joinList(list);
  const item = { data, ip, port, address, callback, sa: null };
  if (ip !== null) {
    let a = ip, scopeId = 0;
    const pct = a.indexOf("%");
    if (pct >= 0) { scopeId = ifIndex(a.slice(pct + 1)); a = a.slice(0, pct); }
    try {
      item.sa = encodeSockaddr({ family: self.type === "udp6" ? AF_INET6 : AF_INET, address: a, port, scopeId });
    } catch {
      sendDone(self, item, -EINVAL);
      return;
    }
  }
  if (state.sendQueue.length > 0) { state.sendQueue.push(item); return; }
  const r = trySend(state, item);
  if (r === -EAGAIN) {
    state.sendQueue.push(item);
    state.wsub = watch(state.handle.fd, EPOLLOUT, () => flushSends(self));
    if (!state.refed) state.wsub.unref();
    return;
  }
  sendDone(self, item, r);
}

function trySend(state, item) {
  const fd = state.handle.fd;
  for (;;) {
    const r = item.sa === null
      ? syscall(NR.sendto, fd, item.data, item.data.length, 0, 0, 0)
      : syscall(NR.sendto, fd, item.data, item.data.length, 0, item.sa, item.sa.length);
    if (r !== -EINTR) return r;
  }
}

function flushSends(self) {
  const state = self[kState];
  while (state.sendQueue.length > 0 && state.handle) {
    const item = state.sendQueue[0];
    const r = trySend(state, item);
    if (r === -EAGAIN) return;
    state.sendQueue.shift();
    sendDone(self, item, r);
  }
  if (state.wsub) { state.wsub.close(); state.wsub = null; }
}

function sendDone(self, item, r) {
  if (r < 0) {
    const ex = exceptionWithHostPort(r, "send", item.address, item.port);
    if (typeof item.callback === "function") nextTick(item.callback, ex);
    else nextTick(() => self.emit("error", ex));
  } else if (typeof item.callback === "function") {
    nextTick(item.callback, null, r);
  }
}

Socket.prototype.connect = function connect(port, address, callback) {
  port = validatePort(port, "Port", false);
  if (typeof address === "function") {
    callback = address;
    address = "";
  } else if (address === undefined) {
    address = "";
  }
  validateString(address, "address");
  const state = this[kState];
  if (state.connectState !== DISCONNECTED) throw ERR_SOCKET_DGRAM_IS_CONNECTED();
  state.connectState = CONNECTING;
  if (state.bindState === UNBOUND) this.bind({ port: 0, exclusive: true }, null);
  if (state.bindState !== BOUND) {
    enqueue(this, () => connectNow(this, port, address, callback));
    return;
  }
  connectNow(this, port, address, callback);
};

function connectNow(self, port, address, callback) {
  const state = self[kState];
  if (callback) self.once("connect", callback);
  doLookup(self, address, (ex, ip) => {
    if (!state.handle) return;
    if (!ex) {
      let a = ip, scopeId = 0;
      const pct = a.indexOf("%");
      if (pct >= 0) { scopeId = ifIndex(a.slice(pct + 1)); a = a.slice(0, pct); }
      let r;
      try {
        r = sockaddrCall(NR.connect, state.handle.fd, { family: self.type === "udp6" ? AF_INET6 : AF_INET, address: a, port, scopeId });
      } catch {
        r = -EINVAL;
      }
      if (r < 0) ex = exceptionWithHostPort(r, "connect", address, port);
    }
    if (ex) {
      state.connectState = DISCONNECTED;
      nextTick(() => {
        if (callback) {
          self.removeListener("connect", callback);
          callback(ex);
        } else {
          self.emit("error", ex);
        }
      });
      return;
    }
    state.connectState = CONNECTED;
    nextTick(() => self.emit("connect"));
  });
}

Socket.prototype.disconnect = function disconnect() {
  const state = this[kState];
  if (state.connectState !== CONNECTED) throw ERR_SOCKET_DGRAM_NOT_CONNECTED();
  const unspec = new Uint8Array(this.type === "udp6" ? 28 : 16); // AF_UNSPEC
  const r = syscall(NR.connect, state.handle.fd, unspec, unspec.length);
  if (r < 0 && r !== -97 /* EAFNOSUPPORT: some kernels answer so yet disconnect */) throw errnoException(r, "connect");
  state.connectState = DISCONNECTED;
};

Socket.prototype.close = function close(callback) {
  const state = this[kState];
  const queue = state.queue;
  if (typeof callback === "function") this.on("close", callback);
  if (queue !== undefined) {
    queue.push(this.close.bind(this));
    return this;
  }
  healthCheck(this);
  if (state.sub) { state.sub.close(); state.sub = null; }
  if (state.wsub) { state.wsub.close(); state.wsub = null; }
  state.receiving = false;
  closeFd(state.handle.fd);
  state.handle = null;
  state.sendQueue.length = 0;
  nextTick(() => this.emit("close"));
  return this;
};

Socket.prototype[Symbol.asyncDispose] = function () {
  if (!this[kState].handle) return Promise.resolve();
  return new Promise((resolve) => this.close(resolve));
};

function fdOf(socket) {
  healthCheck(socket);
  return socket[kState].handle.fd;
}

function addrOf(sa) {
  return { address: sa.address, family: sa.family === AF_INET6 ? "IPv6" : "IPv4", port: sa.port };
}

Socket.prototype.address = function address() {
  const fd = fdOf(this);
  if (fd < 0) throw errnoException(-EBADF, "getsockname");
  try { return addrOf(getsockname(fd)); } catch (e) { throw errnoException(-e.errno, "getsockname"); }
};

Socket.prototype.remoteAddress = function remoteAddress() {
  const state = this[kState];
  healthCheck(this);
  if (state.connectState !== CONNECTED) throw ERR_SOCKET_DGRAM_NOT_CONNECTED();
  try { return addrOf(getpeername(state.handle.fd)); } catch (e) { throw errnoException(-e.errno, "getpeername"); }
};

function setOpt(socket, level, name, value, syscallName) {
  const fd = fdOf(socket);
  const r = fd < 0 ? -EBADF : setIntOpt(fd, level, name, value);
  if (r < 0) throw errnoException(r, syscallName);
}

Socket.prototype.setBroadcast = function setBroadcast(arg) {
  setOpt(this, SOL_SOCKET, SO_BROADCAST, arg ? 1 : 0, "setBroadcast");
};

Socket.prototype.setTTL = function setTTL(ttl) {
  validateNumber(ttl, "ttl");
  if (!(ttl >= 1 && ttl <= 255)) throw errnoException(-EINVAL, "setTTL");
  const v6 = this.type === "udp6";
  setOpt(this, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, ttl, "setTTL");
  return ttl;
};

Socket.prototype.setMulticastTTL = function setMulticastTTL(ttl) {
  validateNumber(ttl, "ttl");
  if (!(ttl >= 0 && ttl <= 255)) throw errnoException(-EINVAL, "setMulticastTTL");
  const v6 = this.type === "udp6";
  setOpt(this, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, ttl, "setMulticastTTL");
  return ttl;
};

Socket.prototype.setMulticastLoopback = function setMulticastLoopback(arg) {
  const v6 = this.type === "udp6";
  setOpt(this, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP, arg ? 1 : 0, "setMulticastLoopback");
  return arg;
};

// if_nametoindex through SIOCGIFINDEX on a throwaway socket; numeric names are indexes.
const SIOCGIFINDEX = 0x8933;
function ifIndex(name) {
  if (/^\d+$/.test(name)) return +name;
  const ifr = new Uint8Array(40);
  const bytes = encodeUtf8(name);
  if (bytes.length > 15) return 0;
  ifr.set(bytes);
  const fd = syscall(NR.socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  const r = syscall(nr.ioctl, fd, SIOCGIFINDEX, ifr);
  closeFd(fd);
  return r < 0 ? 0 : new DataView(ifr.buffer).getInt32(16, true);
}

function v6Iface(text) {
  if (!text) return 0;
  const pct = text.indexOf("%");
  return pct >= 0 ? ifIndex(text.slice(pct + 1)) : 0;
}

Socket.prototype.setMulticastInterface = function setMulticastInterface(interfaceAddress) {
  healthCheck(this);
  validateString(interfaceAddress, "interfaceAddress");
  const fd = this[kState].handle.fd;
  let r;
  if (this.type === "udp4") {
    const a = parseIPv4(interfaceAddress);
    if (!a) r = -EINVAL;
    else r = fd < 0 ? -EBADF : syscall(NR.setsockopt, fd, IPPROTO_IP, IP_MULTICAST_IF, a, 4);
  } else {
    if (!isIPv6(interfaceAddress) && !/^::?%/.test(interfaceAddress) && !interfaceAddress.startsWith("%")) r = -EINVAL;
    else r = fd < 0 ? -EBADF : setIntOpt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, v6Iface(interfaceAddress));
  }
  if (r < 0) throw errnoException(r, "setMulticastInterface");
};

function membership(socket, multicastAddress, interfaceAddress, add, syscallName) {
  healthCheck(socket);
  if (!multicastAddress) throw ERR_MISSING_ARGS("multicastAddress");
  validateString(multicastAddress, "multicastAddress");
  const fd = socket[kState].handle.fd;
  let r;
  if (isIPv4(multicastAddress)) {
    const req = new Uint8Array(8); // struct ip_mreq
    req.set(parseIPv4(multicastAddress), 0);
    if (interfaceAddress) {
      const i = parseIPv4(interfaceAddress);
      if (!i) throw errnoException(-EINVAL, syscallName);
      req.set(i, 4);
    }
    r = fd < 0 ? -EBADF : syscall(NR.setsockopt, fd, IPPROTO_IP, add ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, req, 8);
  } else if (isIPv6(multicastAddress)) {
    const req = new Uint8Array(20); // struct ipv6_mreq
    req.set(parseIPv6(multicastAddress), 0);
    new DataView(req.buffer).setUint32(16, v6Iface(interfaceAddress) || v6Iface(multicastAddress), true);
    r = fd < 0 ? -EBADF : syscall(NR.setsockopt, fd, IPPROTO_IPV6, add ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, req, 20);
  } else {
    r = -EINVAL;
  }
  if (r < 0) throw errnoException(r, syscallName);
}

Socket.prototype.addMembership = function addMembership(multicastAddress, interfaceAddress) {
  membership(this, multicastAddress, interfaceAddress, true, "addMembership");
};

Socket.prototype.dropMembership = function dropMembership(multicastAddress, interfaceAddress) {
  membership(this, multicastAddress, interfaceAddress, false, "dropMembership");
};

function sourceMembership(socket, source, group, iface, add, syscallName) {
  healthCheck(socket);
  validateString(source, "sourceAddress");
  validateString(group, "groupAddress");
  const fd = socket[kState].handle.fd;
  let r;
  if (isIPv4(source) && isIPv4(group)) {
    const req = new Uint8Array(12); // struct ip_mreq_source: multiaddr, interface, sourceaddr
    req.set(parseIPv4(group), 0);
    if (iface) {
      const i = parseIPv4(iface);
      if (!i) throw errnoException(-EINVAL, syscallName);
      req.set(i, 4);
    }
    req.set(parseIPv4(source), 8);
    r = fd < 0 ? -EBADF : syscall(NR.setsockopt, fd, IPPROTO_IP, add ? IP_ADD_SOURCE_MEMBERSHIP : IP_DROP_SOURCE_MEMBERSHIP, req, 12);
  } else if (isIPv6(source) && isIPv6(group)) {
    // struct group_source_req { u32 gsr_interface; (pad) sockaddr_storage gsr_group; sockaddr_storage gsr_source }
    const req = new Uint8Array(264);
    const dv = new DataView(req.buffer);
    dv.setUint32(0, v6Iface(iface), true);
    req.set(encodeSockaddr({ family: AF_INET6, address: group.split("%")[0], port: 0 }), 8);
    req.set(encodeSockaddr({ family: AF_INET6, address: source.split("%")[0], port: 0 }), 136);
    r = fd < 0 ? -EBADF : syscall(NR.setsockopt, fd, IPPROTO_IPV6, add ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP, req, 264);
  } else {
    r = -EINVAL;
  }
  if (r < 0) throw errnoException(r, syscallName);
}

Socket.prototype.addSourceSpecificMembership = function (sourceAddress, groupAddress, interfaceAddress) {
  sourceMembership(this, sourceAddress, groupAddress, interfaceAddress, true, "addSourceSpecificMembership");
};

Socket.prototype.dropSourceSpecificMembership = function (sourceAddress, groupAddress, interfaceAddress) {
  sourceMembership(this, sourceAddress, groupAddress, interfaceAddress, false, "dropSourceSpecificMembership");
};

function bufferSize(socket, size, recv) {
  if (size >>> 0 !== size) throw ERR_SOCKET_BAD_BUFFER_SIZE();
  const fd = socket[kState].handle ? socket[kState].handle.fd : -1;
  const name = recv ? "uv_recv_buffer_size" : "uv_send_buffer_size";
  if (fd < 0) throw ERR_SOCKET_BUFFER_SIZE(-EBADF, name);
  const opt = recv ? SO_RCVBUF : SO_SNDBUF;
  if (size > 0) {
    const r = setIntOpt(fd, SOL_SOCKET, opt, size);
    if (r < 0) throw ERR_SOCKET_BUFFER_SIZE(r, name);
    return size;
  }
  const v = getIntOpt(fd, SOL_SOCKET, opt);
  if (v < 0) throw ERR_SOCKET_BUFFER_SIZE(v, name);
  return v;
}

Socket.prototype.setRecvBufferSize = function (size) { bufferSize(this, size, true); };
Socket.prototype.setSendBufferSize = function (size) { bufferSize(this, size, false); };
Socket.prototype.getRecvBufferSize = function () { return bufferSize(this, 0, true); };
Socket.prototype.getSendBufferSize = function () { return bufferSize(this, 0, false); };
Socket.prototype.getSendQueueSize = function () {
  let n = 0;
  for (const item of this[kState].sendQueue) n += item.data.length;
  return n;
};
Socket.prototype.getSendQueueCount = function () { return this[kState].sendQueue.length; };

Socket.prototype.ref = function ref() {
  const state = this[kState];
  state.refed = true;
  if (state.sub) state.sub.ref();
  if (state.wsub) state.wsub.ref();
  return this;
};

Socket.prototype.unref = function unref() {
  const state = this[kState];
  state.refed = false;
  if (state.sub) state.sub.unref();
  if (state.wsub) state.wsub.unref();
  return this;
};

export default { createSocket, Socket };
