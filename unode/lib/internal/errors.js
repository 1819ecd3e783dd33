// node:internal/errors — the errors unode throws, shaped as Node's: an
// ordinary TypeError/RangeError/Error with `code` (ERR_INVALID_ARG_TYPE, …)
// whose stack and toString read `TypeError [ERR_X]: message`, and system
// errors with `errno` (negative, as Node reports it), `code` (ENOENT),
// `syscall`, `path` and `dest`.
//
// Every unode module uses these; module-specific codes are made where they
// are thrown with `nodeError(Base, code, message)`.

import { errnoName, strerror } from "jsk:sys";

/** An instance of `Base` with Node's `code` and Node's `name [code]` header in its stack. */
export function nodeError(Base, code, message, props) {
  const err = new Base(message);
  Object.defineProperty(err, "code", { value: code, writable: true, enumerable: true, configurable: true });
  if (props) Object.assign(err, props);
  fixStack(err, `${err.name} [${code}]`, 2);
  return err;
}

// QuickJS's stack holds only the frames; Node's starts with "Name: message".
// Drop the frames of the helpers that built the error (`skip` lines).
function fixStack(err, header, skip) {
  const frames = String(err.stack ?? "").split("\n").filter((l) => l.trim() !== "");
  Object.defineProperty(err, "stack", {
    value: `${header}: ${err.message}` + (frames.length > skip ? "\n" + frames.slice(skip).join("\n") : ""),
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** How Node describes a received value in argument errors: " Received type number (5)". */
export function describeReceived(value) {
  if (value == null) return ` Received ${value}`;
  if (typeof value === "function") return ` Received function ${value.name || "<anonymous>"}`;
  if (typeof value === "object") {
    const name = value.constructor?.name;
    return name ? ` Received an instance of ${name}` : ` Received ${safeInspect(value)}`;
  }
  let shown = safeInspect(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

function safeInspect(v) {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "bigint") return `${v}n`;
  try { return String(v); } catch { return "[value]"; }
}

const kinds = new Set(["string", "number", "bigint", "boolean", "symbol", "function", "object", "undefined"]);

/** "must be of type string", "must be an instance of Buffer or Uint8Array", "must be one of type string or number". */
function describeExpected(expected) {
  const list = Array.isArray(expected) ? expected : [expected];
  const types = list.filter((t) => kinds.has(t.toLowerCase?.() ?? t));
  const classes = list.filter((t) => !kinds.has(t.toLowerCase?.() ?? t));
  const or = (xs) => (xs.length <= 2 ? xs.join(" or ") : `${xs.slice(0, -1).join(", ")}, or ${xs[xs.length - 1]}`);
  const parts = [];
  if (types.length) parts.push(`${types.length > 1 ? "one of type" : "of type"} ${or(types.map((t) => t.toLowerCase()))}`);
  if (classes.length) parts.push(`an instance of ${or(classes)}`);
  return `must be ${parts.join(" or ")}`;
}

function argLabel(name) {
  return name.includes(".") || name.endsWith("]") ? `The "${name}" property` : `The "${name}" argument`;
}

/** The error codes shared by several modules; each returns the error to throw. */
export const codes = {
  ERR_INVALID_ARG_TYPE: (name, expected, actual) =>
    nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `${argLabel(name)} ${describeExpected(expected)}.${describeReceived(actual)}`),
  ERR_INVALID_ARG_VALUE: (name, value, reason = "is invalid") =>
    nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The ${name.includes(".") ? "property" : "argument"} '${name}' ${reason}. Received ${safeInspect(value)}`),
  ERR_OUT_OF_RANGE: (name, range, received) =>
    nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${typeof received === "number" ? formatNumber(received) : safeInspect(received)}`),
  ERR_MISSING_ARGS: (...names) =>
    nodeError(TypeError, "ERR_MISSING_ARGS", `The ${names.map((n) => `"${n}"`).join(" and ")} argument${names.length > 1 ? "s" : ""} must be specified`),
  ERR_INVALID_RETURN_VALUE: (expected, name, value) =>
    nodeError(TypeError, "ERR_INVALID_RETURN_VALUE", `Expected ${expected} to be returned from the "${name}" function but got ${value === null ? "null" : typeof value}.`),
  ERR_METHOD_NOT_IMPLEMENTED: (name) =>
    nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", `The ${name} method is not implemented`),
  ERR_NOT_IMPLEMENTED: (what) =>
    nodeError(Error, "ERR_NOT_IMPLEMENTED", `${what} is not implemented in unode`),
  ERR_UNKNOWN_ENCODING: (enc) => nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`),
  ERR_INVALID_THIS: (type) => nodeError(TypeError, "ERR_INVALID_THIS", `Value of "this" must be of type ${type}`),
  ERR_UNHANDLED_ERROR: (err) =>
    nodeError(Error, "ERR_UNHANDLED_ERROR", `Unhandled error. (${safeInspect(err)})`, { context: err }),
  ERR_INVALID_STATE: (msg) => nodeError(Error, "ERR_INVALID_STATE", `Invalid state: ${msg}`),
  ERR_UNKNOWN_SIGNAL: (sig) => nodeError(TypeError, "ERR_UNKNOWN_SIGNAL", `Unknown signal: ${sig}`),
};

/** 1_000_000 as Node prints it in range errors ("1_000_000"). */
function formatNumber(n) {
  if (!Number.isInteger(n) || Math.abs(n) < 1000) return String(n);
  const s = String(Math.abs(n));
  let out = "";
  for (let i = s.length; i > 0; i -= 3) out = s.slice(Math.max(0, i - 3), i) + (out ? "_" + out : "");
  return (n < 0 ? "-" : "") + out;
}

// Node words system errors as libuv does (uv_strerror), which differs from the
// C library's strerror for some codes ("file already exists", not "file exists").
const uvMessages = {
  E2BIG: "argument list too long", EACCES: "permission denied", EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available", EAFNOSUPPORT: "address family not supported",
  EAGAIN: "resource temporarily unavailable", EALREADY: "connection already in progress",
  EBADF: "bad file descriptor", EBUSY: "resource busy or locked", ECANCELED: "operation canceled",
  ECONNABORTED: "software caused connection abort", ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer", EDESTADDRREQ: "destination address required",
  EEXIST: "file already exists", EFAULT: "bad address in system call argument", EFBIG: "file too large",
  EHOSTUNREACH: "host is unreachable", EINTR: "interrupted system call", EINVAL: "invalid argument",
  EIO: "i/o error", EISCONN: "socket is already connected", EISDIR: "illegal operation on a directory",
  ELOOP: "too many symbolic links encountered", EMFILE: "too many open files", EMSGSIZE: "message too long",
  ENAMETOOLONG: "name too long", ENETDOWN: "network is down", ENETUNREACH: "network is unreachable",
  ENFILE: "file table overflow", ENOBUFS: "no buffer space available", ENODEV: "no such device",
  ENOENT: "no such file or directory", ENOMEM: "not enough memory", ENOPROTOOPT: "protocol not available",
  ENOSPC: "no space left on device", ENOSYS: "function not implemented", ENOTCONN: "socket is not connected",
  ENOTDIR: "not a directory", ENOTEMPTY: "directory not empty", ENOTSOCK: "socket operation on non-socket",
  ENOTSUP: "operation not supported on socket", EOVERFLOW: "value too large for defined data type",
  EPERM: "operation not permitted", EPIPE: "broken pipe", EPROTO: "protocol error",
  EPROTONOSUPPORT: "protocol not supported", EPROTOTYPE: "protocol wrong type for socket",
  ERANGE: "result too large", EROFS: "read-only file system", ESPIPE: "invalid seek", ESRCH: "no such process",
  ETIMEDOUT: "connection timed out", ETXTBSY: "text file is busy", EXDEV: "cross-device link not permitted",
  ENXIO: "no such device or address", EMLINK: "too many links", ENOTTY: "inappropriate ioctl for device",
  EILSEQ: "illegal byte sequence", ENODATA: "no data available",
};

/**
 * A failed system call as Node reports it: `ENOENT: no such file or directory, open '/x'`
 * with `errno` (-2), `code`, `syscall`, and `path`/`dest` when given.
 * `errno` may be positive or negative; a jsk:sys SysError may be passed instead.
 */
export function systemError(errno, syscall, path, dest) {
  if (typeof errno === "object" && errno !== null) {
    ({ errno, syscall = syscall } = { errno: errno.errno, syscall: syscall ?? errno.syscall });
  }
  const n = errno < 0 ? -errno : errno;
  const code = n === 95 ? "ENOTSUP" : errnoName(n) ?? "UNKNOWN";
  let message = `${code}: ${uvMessages[code] ?? strerror(n).toLowerCase()}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  if (dest !== undefined) message += ` -> '${dest}'`;
  const err = new Error(message);
  err.errno = -n;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  if (dest !== undefined) err.dest = dest;
  fixStack(err, "Error", 1);
  return err;
}

/** Re-throw a jsk:sys SysError as Node's system error (anything else unchanged). */
export function fromSysError(e, path, dest) {
  if (e && typeof e.errno === "number" && typeof e.syscall === "string" && e.name === "SysError") {
    return systemError(e.errno, e.syscall, path, dest);
  }
  return e;
}

/** AbortError, as thrown by APIs that take an AbortSignal. */
export class AbortError extends Error {
  constructor(message = "The operation was aborted", options) {
    super(message, options);
    this.code = "ABORT_ERR";
    this.name = "AbortError";
  }
}
