// node:internal/net/util — what node:net, node:dgram and node:dns share: IP
// address text checks and conversions, raw socket calls that return -errno
// instead of throwing (the hot paths cannot afford an exception per EAGAIN),
// and system errors worded as Node words them for sockets
// ("connect ECONNREFUSED 127.0.0.1:1", "listen EADDRINUSE: address already in use :::80").

import { syscall, nr, errnoName, encodeSockaddr } from "jsk:sys";
import { nodeError, systemError } from "node:internal/errors";

// ---- IP address text ------------------------------------------------------

const v4Part = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const v4Re = new RegExp(`^${v4Part}\\.${v4Part}\\.${v4Part}\\.${v4Part}$`);
const hexRe = /^[0-9a-fA-F]{1,4}$/;

export function isIPv4(s) {
  return typeof s === "string" && s.length <= 15 && v4Re.test(s);
}

/** The 16 bytes of an IPv6 text (zone id after % ignored), or null. */
export function parseIPv6(s) {
  if (typeof s !== "string" || s.length < 2) return null;
  const pct = s.indexOf("%");
  if (pct >= 0) {
    if (pct === s.length - 1) return null;
    s = s.slice(0, pct);
  }
  const out = new Uint8Array(16);
  let want = 8;
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return null;
  const tail = s.slice(lastColon + 1);
  if (tail.indexOf(".") >= 0) {
    if (!isIPv4(tail)) return null;
    const p = tail.split(".");
    for (let i = 0; i < 4; i++) out[12 + i] = +p[i];
    want = 6;
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const gap = s.indexOf("::");
  let head, rest;
  if (gap < 0) {
    head = s.split(":");
    rest = [];
    if (head.length !== want) return null;
  } else {
    if (s.indexOf("::", gap + 1) >= 0) return null;
    head = gap === 0 ? [] : s.slice(0, gap).split(":");
    rest = gap + 2 === s.length ? [] : s.slice(gap + 2).split(":");
    if (head.length + rest.length > want - 1) return null;
  }
  let i = 0;
  for (const g of head) {
    if (!hexRe.test(g)) return null;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8; out[2 * i + 1] = v & 255; i++;
  }
  i = want - rest.length;
  for (const g of rest) {
    if (!hexRe.test(g)) return null;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8; out[2 * i + 1] = v & 255; i++;
  }
  return out;
}

export function isIPv6(s) {
  if (typeof s !== "string" || s.indexOf(":") < 0) return false;
  return parseIPv6(s) !== null;
}

/** 4, 6 or 0, as net.isIP. */
export function isIP(s) {
  if (isIPv4(s)) return 4;
  if (isIPv6(s)) return 6;
  return 0;
}

/** The 4 bytes of a dotted quad, or null. */
export function parseIPv4(s) {
  if (!isIPv4(s)) return null;
  const p = s.split(".");
  return new Uint8Array([+p[0], +p[1], +p[2], +p[3]]);
}

export function formatIPv4(b, off = 0) {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text of 16 bytes. */
export function formatIPv6(b, off = 0) {
  const g = new Array(8);
  for (let i = 0; i < 8; i++) g[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${formatIPv4(b, off + 12)}`;
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

// ---- raw socket calls -------------------------------------------------------

export const NR = {
  socket: nr.socket, bind: nr.bind, connect: nr.connect, listen: nr.listen, accept4: nr.accept4,
  sendto: nr.sendto, recvfrom: nr.recvfrom, shutdown: nr.shutdown, close: nr.close,
  setsockopt: nr.setsockopt, getsockopt: nr.getsockopt, writev: nr.writev, fcntl: nr.fcntl,
  fchmodat: nr.fchmodat,
};

export const EAGAIN = 11, EINTR = 4, EINPROGRESS = 115, ENOTCONN = 107, EADDRINUSE = 98,
  EAFNOSUPPORT = 97, ECONNREFUSED = 111, EINVAL = 22, EBADF = 9, ENOENT = 2, EPIPE = 32,
  ECONNRESET = 104, EMFILE = 24, ENFILE = 23, ENOBUFS = 105, ENOMEM = 12, ECONNABORTED = 103;

export const SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;
export const MSG_NOSIGNAL = 0x4000;
export const SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_BROADCAST = 6, SO_SNDBUF = 7,
  SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_LINGER = 13, SO_REUSEPORT = 15;
export const IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_IPV6 = 41;
export const TCP_NODELAY = 1, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6;
export const IPV6_V6ONLY = 26;

const intOpt = new Int32Array(1);
const optLen = new Uint32Array(1);

/** setsockopt with an int; returns 0 or -errno. */
export function setIntOpt(fd, level, name, value) {
  intOpt[0] = value;
  return syscall(NR.setsockopt, fd, level, name, intOpt, 4);
}

/** getsockopt of an int; returns the value, or throws nothing: -errno is returned as { err }. */
export function getIntOpt(fd, level, name) {
  optLen[0] = 4;
  const r = syscall(NR.getsockopt, fd, level, name, intOpt, optLen);
  return r < 0 ? r : intOpt[0];
}

/** bind/connect with an address object {family, address, port} or {family, path}; 0 or -errno. */
export function sockaddrCall(nrCall, fd, addr) {
  const sa = encodeSockaddr(addr);
  return syscall(nrCall, fd, sa, sa.length);
}

export function closeFd(fd) {
  if (fd >= 0) syscall(NR.close, fd);
}

// ---- errors ---------------------------------------------------------------------

export function codeOf(errno) {
  const n = errno < 0 ? -errno : errno;
  return n === 95 ? "ENOTSUP" : errnoName(n) ?? "UNKNOWN";
}

function uvMessage(errno) {
  const m = systemError(errno, "").message; // "CODE: message, "
  const colon = m.indexOf(": ");
  return m.slice(colon + 2, m.lastIndexOf(","));
}

function finish(err, errno, code, syscallName) {
  err.errno = errno < 0 ? errno : -errno;
  err.code = code;
  err.syscall = syscallName;
  return err;
}

/** "write EPIPE" with errno, code, syscall (Node's errnoException). */
export function errnoException(errno, syscallName, original) {
  const code = codeOf(errno);
  const err = new Error(original ? `${syscallName} ${code} ${original}` : `${syscallName} ${code}`);
  return finish(err, errno, code, syscallName);
}

/** "connect ECONNREFUSED 127.0.0.1:1" with address and port (Node's exceptionWithHostPort). */
export function exceptionWithHostPort(errno, syscallName, address, port, additional) {
  const code = codeOf(errno);
  let details = "";
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  if (additional) details += ` - Local (${additional})`;
  const err = new Error(`${syscallName} ${code}${details}`);
  finish(err, errno, code, syscallName);
  err.address = address;
  if (port) err.port = port;
  return err;
}

/** "listen EADDRINUSE: address already in use 127.0.0.1:80" (Node's uvExceptionWithHostPort). */
export function uvExceptionWithHostPort(errno, syscallName, address, port) {
  const code = codeOf(errno);
  let details = "";
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const err = new Error(`${syscallName} ${code}: ${uvMessage(errno)}${details}`);
  finish(err, errno, code, syscallName);
  err.address = address;
  if (port) err.port = port;
  return err;
}

/** Node's ERR_SOCKET_BAD_PORT. */
export function badPort(name, port, allowZero = true) {
  const op = allowZero ? ">=" : ">";
  let shown;
  if (typeof port === "string") shown = ` Received type string ('${port}')`;
  else if (port === null || port === undefined) shown = ` Received ${port}`;
  else if (typeof port === "object") shown = ` Received an instance of ${port.constructor?.name ?? "Object"}`;
  else if (typeof port === "function") shown = ` Received function ${port.name}`;
  else shown = ` Received type ${typeof port} (${String(port)})`;
  return nodeError(RangeError, "ERR_SOCKET_BAD_PORT", `${name} should be ${op} 0 and < 65536.${shown}.`);
}

/** A port number from a number or a numeric string (Node's validatePort). */
export function validatePort(port, name = "Port", allowZero = true) {
  if ((typeof port !== "number" && typeof port !== "string") ||
      (typeof port === "string" && port.trim().length === 0) ||
      +port !== (+port >>> 0) || +port > 0xffff || (port === 0 && !allowZero)) {
    throw badPort(name, port, allowZero);
  }
  return +port | 0;
}

export function simpleError(Base, code, message) {
  return nodeError(Base, code, message);
}
