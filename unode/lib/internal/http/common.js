// node:internal/http/common — what the HTTP server, client and agent share:
// METHODS, STATUS_CODES, header name/value checks, the cached Date header,
// Node's HTTP error codes.

import { nodeError, codes } from "node:internal/errors";

export { METHODS } from "node:internal/http/parser";

export const STATUS_CODES = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
  205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout",
  409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
  414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed",
  418: "I'm a Teapot", 421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
  424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required",
  429: "Too Many Requests", 431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 509: "Bandwidth Limit Exceeded", 510: "Not Extended",
  511: "Network Authentication Required",
};

const tokenRe = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
/** True if `s` is an HTTP token (RFC 9110 5.6.2). */
export function checkIsHttpToken(s) {
  return tokenRe.test(s);
}

const asciiValueRe = /[^\t\x20-\x7e]/;
const invalidValueRe = /[^\t\x20-\x7e\x80-\xff]/;
/** True if `s` has a character a header value may not hold. */
export function checkInvalidHeaderChar(s) {
  return asciiValueRe.test(s) && invalidValueRe.test(s);
}

// ---- errors -----------------------------------------------------------------

export const httpErrors = {
  ERR_HTTP_HEADERS_SENT: (arg) =>
    nodeError(Error, "ERR_HTTP_HEADERS_SENT", `Cannot ${arg} headers after they are sent to the client`),
  ERR_INVALID_HTTP_TOKEN: (name, value) =>
    nodeError(TypeError, "ERR_INVALID_HTTP_TOKEN", `${name} must be a valid HTTP token ["${value}"]`),
  ERR_HTTP_INVALID_HEADER_VALUE: (value, name) =>
    nodeError(TypeError, "ERR_HTTP_INVALID_HEADER_VALUE", `Invalid value "${value}" for header "${name}"`),
  ERR_INVALID_CHAR: (name, field) =>
    nodeError(TypeError, "ERR_INVALID_CHAR", field ? `Invalid character in ${name} ["${field}"]` : `Invalid character in ${name}`),
  ERR_HTTP_INVALID_STATUS_CODE: (code) =>
    nodeError(RangeError, "ERR_HTTP_INVALID_STATUS_CODE", `Invalid status code: ${code}`),
  ERR_STREAM_WRITE_AFTER_END: () => nodeError(Error, "ERR_STREAM_WRITE_AFTER_END", "write after end"),
  ERR_STREAM_DESTROYED: (op) => nodeError(Error, "ERR_STREAM_DESTROYED", `Cannot call ${op} after a stream was destroyed`),
  ERR_STREAM_ALREADY_FINISHED: (op) =>
    nodeError(Error, "ERR_STREAM_ALREADY_FINISHED", `Cannot call ${op} after a stream was finished`),
  ERR_STREAM_NULL_VALUES: () => nodeError(TypeError, "ERR_STREAM_NULL_VALUES", "May not write null values to stream"),
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: (actual, expected) =>
    nodeError(Error, "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
      `Response body's content-length of ${actual} byte(s) does not match the content-length of ${expected} byte(s) set in header`),
  ERR_HTTP_BODY_NOT_ALLOWED: () =>
    nodeError(Error, "ERR_HTTP_BODY_NOT_ALLOWED", "Adding content for this request method or response status is not allowed."),
  ERR_HTTP_TRAILER_INVALID: () =>
    nodeError(Error, "ERR_HTTP_TRAILER_INVALID", "Trailers are invalid with this transfer encoding"),
  ERR_HTTP_SOCKET_ASSIGNED: () =>
    nodeError(Error, "ERR_HTTP_SOCKET_ASSIGNED", "ServerResponse has an already assigned socket"),
  ERR_HTTP_SOCKET_ENCODING: () =>
    nodeError(Error, "ERR_HTTP_SOCKET_ENCODING", "Changing the socket encoding is not allowed per RFC7230 Section 3."),
  ERR_HTTP_REQUEST_TIMEOUT: () => nodeError(Error, "ERR_HTTP_REQUEST_TIMEOUT", "Request timeout"),
  ERR_INVALID_PROTOCOL: (protocol, expected) =>
    nodeError(TypeError, "ERR_INVALID_PROTOCOL", `Protocol "${protocol}" not supported. Expected "${expected}"`),
  ERR_UNESCAPED_CHARACTERS: (what) => nodeError(TypeError, "ERR_UNESCAPED_CHARACTERS", `${what} contains unescaped characters`),
  ERR_INVALID_URL: (input) => nodeError(TypeError, "ERR_INVALID_URL", "Invalid URL", { input }),
  ERR_METHOD_NOT_IMPLEMENTED: (name) => codes.ERR_METHOD_NOT_IMPLEMENTED(name),
};

/** Node's `socket hang up` (ECONNRESET) for a request whose socket closed before a response. */
export function connResetException(msg) {
  const err = new Error(msg);
  err.code = "ECONNRESET";
  return err;
}

// Names and values already found valid (servers send the same ones over and over).
const goodNames = new Set();
const goodValues = new Set();

/** http.validateHeaderName(name[, label]). */
export function validateHeaderName(name, label = "Header name") {
  if (goodNames.has(name)) return;
  if (typeof name !== "string" || !name || !tokenRe.test(name)) {
    throw httpErrors.ERR_INVALID_HTTP_TOKEN(label, name);
  }
  if (goodNames.size >= 512) goodNames.clear();
  goodNames.add(name);
}

/** http.validateHeaderValue(name, value). */
export function validateHeaderValue(name, value) {
  if (typeof value === "number" || goodValues.has(value)) return;
  if (value === undefined) throw httpErrors.ERR_HTTP_INVALID_HEADER_VALUE(value, name);
  if (checkInvalidHeaderChar(String(value))) throw httpErrors.ERR_INVALID_CHAR("header content", name);
  if (typeof value === "string" && value.length <= 128) {
    if (goodValues.size >= 512) goodValues.clear();
    goodValues.add(value);
  }
}

// ---- Date header ------------------------------------------------------------

let dateSecond = -1;
let dateString = "";
let dateHeader = "";
/** The current time as an IMF-fixdate, recomputed at most once a second. */
export function utcDate() {
  const now = Date.now();
  if (now - dateSecond >= 1000 || now < dateSecond) {
    dateSecond = now - (now % 1000);
    dateString = new Date(now).toUTCString();
    dateHeader = `Date: ${dateString}\r\n`;
  }
  return dateString;
}

/** "Date: <utcDate()>\r\n". */
export function dateLine() {
  const now = Date.now();
  if (now - dateSecond >= 1000 || now < dateSecond) utcDate();
  return dateHeader;
}
