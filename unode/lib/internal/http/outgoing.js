// node:internal/http/outgoing — http.OutgoingMessage, the common base of
// ServerResponse and ClientRequest: the header store (setHeader…), the head
// as one string, body framing (Content-Length, chunked, until close), writes
// queued until a socket is assigned, 'finish' once the last byte is handed to
// the socket.
//
// Like Node's, OutgoingMessage is a legacy Stream (not a Writable). The head
// is kept as a string and sent together with the first body write; a string
// body shares one socket write with the head and the chunk framing.

import { Stream } from "node:stream";
import { Buffer } from "node:buffer";
import { nextTick } from "node:internal/process/tick";
import { encodeUtf8 } from "jsk:native";
import { codes } from "node:internal/errors";
import { validateString } from "node:internal/validators";
import {
  httpErrors, checkIsHttpToken, checkInvalidHeaderChar, validateHeaderName, validateHeaderValue, dateLine,
} from "node:internal/http/common";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE } = codes;
const {
  ERR_HTTP_HEADERS_SENT, ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR, ERR_STREAM_WRITE_AFTER_END,
  ERR_STREAM_DESTROYED, ERR_STREAM_NULL_VALUES, ERR_HTTP_CONTENT_LENGTH_MISMATCH, ERR_HTTP_TRAILER_INVALID,
  ERR_STREAM_ALREADY_FINISHED, ERR_METHOD_NOT_IMPLEMENTED,
} = httpErrors;

const nop = () => {};
const closeRe = /(?:^|\W)close(?:$|\W)/i;
const chunkedRe = /(?:^|\W)chunked(?:$|\W)/i;
const kHighWaterMark = 16384;

/** Encodings whose strings can be joined to the (latin1/ASCII) head and written once. */
function joinable(encoding) {
  return !encoding || encoding === "utf8" || encoding === "utf-8" || encoding === "latin1" || encoding === "binary";
}

function byteLength(chunk, encoding) {
  if (typeof chunk !== "string") return chunk.byteLength;
  if (!encoding || encoding === "utf8" || encoding === "utf-8") return encodeUtf8(chunk).length;
  if (encoding === "latin1" || encoding === "binary") return chunk.length;
  return Buffer.byteLength(chunk, encoding);
}

export function OutgoingMessage(options) {
  // EventEmitter's fields, set directly (EventEmitter.init is costly per request).
  this._events = { __proto__: null };
  this._eventsCount = 0;
  this._maxListeners = undefined;
  this.outputData = [];
  this.socket = null;
  this._header = null;
  this._outHeaders = null; // { lower-case name: [name, value] }
  if (options !== undefined) {
    if (options.highWaterMark !== undefined) this._highWaterMark = options.highWaterMark;
    if (options.rejectNonStandardBodyWrites) this._rejectNonStandardBodyWrites = true;
  }
}
Object.setPrototypeOf(OutgoingMessage.prototype, Stream.prototype);
Object.setPrototypeOf(OutgoingMessage, Stream);
Object.defineProperty(OutgoingMessage.prototype, "constructor", { value: OutgoingMessage, writable: true, configurable: true });

const proto = OutgoingMessage.prototype;
const plainEmit = Stream.prototype.emit;

/** emit(name) unless nobody listens (an EventEmitter emit is costly per request). */
export function emitIfHeard(msg, name) {
  const events = msg._events;
  if (events !== undefined && events[name] === undefined && msg.emit === plainEmit) return false;
  return msg.emit(name);
}

// Defaults live on the prototype (a message only owns what it changes): fewer
// properties to make per request.
Object.assign(proto, {
  outputSize: 0,
  writable: true,
  destroyed: false,
  _last: false,
  chunkedEncoding: false,
  shouldKeepAlive: true,
  maxRequestsOnConnectionReached: false,
  _defaultKeepAlive: true,
  useChunkedEncodingByDefault: true,
  sendDate: false,
  _removedConnection: false,
  _removedContLen: false,
  _removedTE: false,
  strictContentLength: false,
  _contentLength: null,
  _hasBody: true,
  _trailer: "",
  finished: false,
  _headerSent: false,
  _closed: false,
  _keepAliveTimeout: 0,
  _maxRequestsPerSocket: 0,
  _onPendingData: nop,
  _bytesWritten: 0,
  _needDrain: false,
  _corked: 0,
  _highWaterMark: kHighWaterMark,
  _rejectNonStandardBodyWrites: false,
});

Object.defineProperties(proto, {
  writableFinished: {
    get() {
      return this.finished && this.outputSize === 0 && (!this.socket || this.socket.writableLength === 0);
    },
    configurable: true,
  },
  writableObjectMode: { get() { return false; }, configurable: true },
  writableLength: {
    get() { return this.outputSize + this._corked + (this.socket ? this.socket.writableLength : 0); },
    configurable: true,
  },
  writableHighWaterMark: {
    get() { return this.socket ? this.socket.writableHighWaterMark : this._highWaterMark; },
    configurable: true,
  },
  writableCorked: { get() { return this._corked; }, configurable: true },
  writableEnded: { get() { return this.finished; }, configurable: true },
  writableNeedDrain: { get() { return !this.destroyed && !this.finished && this._needDrain; }, configurable: true },
  headersSent: { get() { return !!this._header; }, configurable: true },
  connection: {
    get() { return this.socket; },
    set(v) { this.socket = v; },
    configurable: true,
  },
  errored: { get() { return this._errored ?? null; }, set(v) { this._errored = v; }, configurable: true },
  closed: { get() { return this._closed; }, configurable: true },
});

proto.cork = function cork() {
  if (this.socket) this.socket.cork();
  else this._corked++;
};

proto.uncork = function uncork() {
  if (this.socket) this.socket.uncork();
  else if (this._corked) this._corked--;
};

proto.setTimeout = function setTimeout(msecs, callback) {
  if (callback) this.on("timeout", callback);
  if (!this.socket) this.once("socket", (socket) => socket.setTimeout(msecs));
  else this.socket.setTimeout(msecs);
  return this;
};

proto.destroy = function destroy(error) {
  if (this.destroyed) return this;
  this.destroyed = true;
  this.errored = error;
  if (this.socket) this.socket.destroy(error);
  else this.once("socket", (socket) => socket.destroy(error));
  return this;
};

// ---- headers ------------------------------------------------------------------

proto.setHeader = function setHeader(name, value) {
  if (this._header) throw ERR_HTTP_HEADERS_SENT("set");
  validateHeaderName(name);
  validateHeaderValue(name, value);
  let headers = this._outHeaders;
  if (headers === null) this._outHeaders = headers = { __proto__: null };
  headers[name.toLowerCase()] = [name, value];
  return this;
};

proto.setHeaders = function setHeaders(headers) {
  if (this._header) throw ERR_HTTP_HEADERS_SENT("set");
  if (!headers || Array.isArray(headers) || typeof headers.keys !== "function" || typeof headers.get !== "function") {
    throw ERR_INVALID_ARG_TYPE("headers", ["Headers", "Map"], headers);
  }
  const cookies = [];
  for (const [key, value] of headers) {
    if (key === "set-cookie") {
      if (Array.isArray(value)) cookies.push(...value);
      else cookies.push(value);
      continue;
    }
    this.setHeader(key, value);
  }
  if (cookies.length) this.setHeader("set-cookie", cookies);
  return this;
};

proto.appendHeader = function appendHeader(name, value) {
  if (this._header) throw ERR_HTTP_HEADERS_SENT("append");
  validateHeaderName(name);
  validateHeaderValue(name, value);
  const key = name.toLowerCase();
  let headers = this._outHeaders;
  if (headers === null) this._outHeaders = headers = { __proto__: null };
  const had = headers[key];
  if (had === undefined) {
    headers[key] = [name, value];
  } else {
    const list = Array.isArray(had[1]) ? had[1] : [had[1]];
    headers[key] = [had[0], list.concat(value)];
  }
  return this;
};

proto.getHeader = function getHeader(name) {
  validateString(name, "name");
  const headers = this._outHeaders;
  if (headers === null) return undefined;
  const entry = headers[name.toLowerCase()];
  return entry && entry[1];
};

proto.getHeaderNames = function getHeaderNames() {
  return this._outHeaders !== null ? Object.keys(this._outHeaders) : [];
};

proto.getRawHeaderNames = function getRawHeaderNames() {
  const headers = this._outHeaders;
  if (headers === null) return [];
  return Object.keys(headers).map((k) => headers[k][0]);
};

proto.getHeaders = function getHeaders() {
  const headers = this._outHeaders;
  const ret = { __proto__: null };
  if (headers) for (const key of Object.keys(headers)) ret[key] = headers[key][1];
  return ret;
};

proto.hasHeader = function hasHeader(name) {
  validateString(name, "name");
  return this._outHeaders !== null && !!this._outHeaders[name.toLowerCase()];
};

proto.removeHeader = function removeHeader(name) {
  validateString(name, "name");
  if (this._header) throw ERR_HTTP_HEADERS_SENT("remove");
  const key = name.toLowerCase();
  switch (key) {
    case "connection": this._removedConnection = true; break;
    case "content-length": this._removedContLen = true; break;
    case "transfer-encoding": this._removedTE = true; break;
    case "date": this.sendDate = false; break;
  }
  if (this._outHeaders !== null) delete this._outHeaders[key];
};

Object.defineProperty(proto, "_headers", {
  get() { return this.getHeaders(); },
  set(v) {
    if (v == null) this._outHeaders = null;
    else if (typeof v === "object") {
      const headers = (this._outHeaders = { __proto__: null });
      for (const name of Object.keys(v)) headers[name.toLowerCase()] = [name, v[name]];
    }
  },
  configurable: true,
});

proto._renderHeaders = function _renderHeaders() {
  if (this._header) throw ERR_HTTP_HEADERS_SENT("render");
  const headers = {};
  const out = this._outHeaders;
  if (out !== null) for (const key of Object.keys(out)) headers[out[key][0]] = out[key][1];
  return headers;
};

proto._implicitHeader = function _implicitHeader() {
  throw ERR_METHOD_NOT_IMPLEMENTED("_implicitHeader()");
};

// ---- the head -----------------------------------------------------------------

/**
 * Build the head from the start line and `headers` (the header store, a plain
 * object, a flat [name, value, …] array or an array of pairs) and keep it in
 * this._header until the first write.
 */
// The head being built and which of the fields that steer framing it holds
// (1 connection, 2 content-length, 4 transfer-encoding, 8 date, 16 expect,
// 32 trailer). Module state: _storeHeader runs to completion synchronously.
let hdr = "";
let seen = 0;

const kaTails = new Map();
/** "Connection: keep-alive\r\nKeep-Alive: timeout=N[, max=M]\r\n", made once per (timeout, max). */
function keepAliveTail(ms, max) {
  const key = max > 0 ? `${ms}/${max}` : ms;
  let tail = kaTails.get(key);
  if (tail === undefined) {
    tail = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(ms / 1000)}${max > 0 ? `, max=${max}` : ""}\r\n`;
    if (kaTails.size > 64) kaTails.clear();
    kaTails.set(key, tail);
  }
  return tail;
}

proto._storeHeader = function _storeHeader(firstLine, headers) {
  hdr = firstLine;
  seen = 0;
  if (headers) {
    if (headers === this._outHeaders) {
      for (const key in headers) {
        const entry = headers[key];
        processHeader(this, entry[0], entry[1], false);
      }
    } else if (Array.isArray(headers)) {
      if (headers.length && Array.isArray(headers[0])) {
        for (let i = 0; i < headers.length; i++) processHeader(this, headers[i][0], headers[i][1], true);
      } else {
        if (headers.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE("headers", headers);
        for (let i = 0; i < headers.length; i += 2) processHeader(this, headers[i], headers[i + 1], true);
      }
    } else {
      for (const key in headers) {
        if (Object.prototype.hasOwnProperty.call(headers, key)) processHeader(this, key, headers[key], true);
      }
    }
  }
  let header = hdr;
  hdr = "";
  const s = seen;
  if (this.sendDate && (s & 8) === 0) header += dateLine();
  if ((s & 1) === 0) {
    const keep = this.shouldKeepAlive && ((s & 2) !== 0 || this.useChunkedEncodingByDefault || this.agent);
    if (keep && this.maxRequestsOnConnectionReached) {
      this._last = true;
      header += "Connection: close\r\n";
    } else if (keep) {
      if (this._keepAliveTimeout && this._defaultKeepAlive) {
        header += keepAliveTail(this._keepAliveTimeout, this._maxRequestsPerSocket);
      } else {
        header += "Connection: keep-alive\r\n";
      }
    } else {
      this._last = true;
      header += "Connection: close\r\n";
    }
  }
  if ((s & 6) === 0) {
    if (!this._hasBody) {
      this.chunkedEncoding = false;
    } else if (!this.useChunkedEncodingByDefault) {
      this._last = true;
    } else if ((s & 32) === 0 && !this._removedContLen && typeof this._contentLength === "number") {
      header += `Content-Length: ${this._contentLength}\r\n\r\n`;
      this._header = header;
      this._headerSent = false;
      if ((s & 16) !== 0) this._send("");
      return;
    } else if (!this._removedTE) {
      header += "Transfer-Encoding: chunked\r\n";
      this.chunkedEncoding = true;
    } else {
      this._last = true;
    }
  }
  if (this.chunkedEncoding !== true && (s & 32) !== 0) throw ERR_HTTP_TRAILER_INVALID();
  this._header = header + "\r\n";
  this._headerSent = false;
  // A client waiting for 100-continue sends its head at once.
  if ((s & 16) !== 0) this._send("");
};

function processHeader(self, key, value, validate) {
  if (validate) validateHeaderName(key);
  if (Array.isArray(value)) {
    if (value.length < 2 || !isCookieField(key)) {
      for (let i = 0; i < value.length; i++) storeHeader(self, key, value[i], validate);
      return;
    }
    value = value.join("; ");
  }
  storeHeader(self, key, value, validate);
}

function isCookieField(s) {
  return s.length === 6 && s.toLowerCase() === "cookie";
}

function storeHeader(self, key, value, validate) {
  if (validate) validateHeaderValue(key, value);
  hdr += key + ": " + value + "\r\n";
  switch (key.length) {
    case 10:
      if (key.toLowerCase() === "connection") {
        seen |= 1;
        self._removedConnection = false;
        if (closeRe.test(value)) self._last = true;
        else self.shouldKeepAlive = true;
      } else if (key.toLowerCase() === "keep-alive") {
        self._defaultKeepAlive = false;
      }
      break;
    case 14:
      if (key.toLowerCase() === "content-length") {
        seen |= 2;
        self._contentLength = +value;
        self._removedContLen = false;
      }
      break;
    case 17:
      if (key.toLowerCase() === "transfer-encoding") {
        seen |= 4;
        self._removedTE = false;
        if (chunkedRe.test(value)) self.chunkedEncoding = true;
      }
      break;
    case 4:
      if (key.toLowerCase() === "date") seen |= 8;
      break;
    case 6:
      if (key.toLowerCase() === "expect") seen |= 16;
      break;
    case 7:
      if (key.toLowerCase() === "trailer") seen |= 32;
      break;
  }
}

// ---- writing ------------------------------------------------------------------

/** Hand data to the socket (the head goes with the first write), or queue it. */
proto._send = function _send(data, encoding, callback) {
  if (!this._headerSent && this._header !== null) {
    if (typeof data === "string" && joinable(encoding)) {
      data = this._header + data;
    } else {
      const header = this._header;
      this.outputData.unshift({ data: header, encoding: "latin1", callback: null });
      this.outputSize += header.length;
      this._onPendingData(header.length);
    }
    this._headerSent = true;
  }
  return this._writeRaw(data, encoding, callback);
};

proto._writeRaw = function _writeRaw(data, encoding, callback) {
  const conn = this.socket;
  if (conn !== null && conn.destroyed) return false;
  if (typeof encoding === "function") {
    callback = encoding;
    encoding = null;
  }
  if (conn !== null && conn._httpMessage === this && conn.writable) {
    if (this.outputData.length) this._flushOutput(conn);
    return conn.write(data, encoding, callback);
  }
  this.outputData.push({ data, encoding, callback });
  this.outputSize += data.length;
  this._onPendingData(data.length);
  return this.outputSize < this._highWaterMark;
};

proto._flushOutput = function _flushOutput(socket) {
  while (this._corked) {
    this._corked--;
    socket.cork();
  }
  const data = this.outputData;
  const n = data.length;
  if (n === 0) return true;
  if (n > 1 && socket.cork) socket.cork();
  let ret;
  for (let i = 0; i < n; i++) {
    const { data: d, encoding, callback } = data[i];
    data[i].data = null;
    ret = socket.write(d, encoding, callback);
  }
  if (n > 1 && socket.uncork) socket.uncork();
  this.outputData = [];
  this._onPendingData(-this.outputSize);
  this.outputSize = 0;
  return ret;
};

/** The socket became ours: send what was queued, finish if ended. */
proto._flush = function _flush() {
  const socket = this.socket;
  if (socket && socket.writable) {
    const ret = this._flushOutput(socket);
    if (this.finished) this._finish();
    else if (ret && this._needDrain) {
      this._needDrain = false;
      this.emit("drain");
    }
  }
};

proto._beforeFinish = nop;

proto._finish = function _finish() {
  emitIfHeard(this, "prefinish");
};

function strictLength(msg) {
  return msg.strictContentLength && msg._contentLength != null && msg._hasBody && !msg._removedContLen &&
    !msg.chunkedEncoding && !msg.hasHeader("transfer-encoding");
}

function onError(msg, err, callback) {
  if (msg.destroyed) return;
  nextTick(() => {
    callback(err);
    if (!msg.destroyed) msg.emit("error", err);
  });
}

function write_(msg, chunk, encoding, callback, fromEnd) {
  if (typeof callback !== "function") callback = nop;
  if (chunk === null) throw ERR_STREAM_NULL_VALUES();
  if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) {
    throw ERR_INVALID_ARG_TYPE("chunk", ["string", "Buffer", "Uint8Array"], chunk);
  }
  let err;
  if (msg.finished) err = ERR_STREAM_WRITE_AFTER_END();
  else if (msg.destroyed) err = ERR_STREAM_DESTROYED("write");
  if (err) {
    if (!msg.destroyed) onError(msg, err, callback);
    else nextTick(callback, err);
    return false;
  }
  let len;
  if (msg.strictContentLength) {
    len = byteLength(chunk, encoding);
    if (strictLength(msg) &&
        (fromEnd ? msg._bytesWritten + len !== msg._contentLength : msg._bytesWritten + len > msg._contentLength)) {
      throw ERR_HTTP_CONTENT_LENGTH_MISMATCH(len + msg._bytesWritten, msg._contentLength);
    }
    msg._bytesWritten += len;
  }
  if (!msg._header) {
    if (fromEnd) msg._contentLength = len ?? byteLength(chunk, encoding);
    msg._implicitHeader();
  }
  if (!msg._hasBody) {
    if (msg._rejectNonStandardBodyWrites) {
      throw httpErrors.ERR_HTTP_BODY_NOT_ALLOWED();
    }
    nextTick(callback);
    return true;
  }
  if (msg.chunkedEncoding && chunk.length !== 0) {
    len ??= byteLength(chunk, encoding);
    const size = len.toString(16);
    if (typeof chunk === "string" && joinable(encoding)) {
      return msg._send(`${size}\r\n${chunk}\r\n`, encoding, callback);
    }
    const socket = msg.socket;
    const cork = socket !== null && socket._httpMessage === msg && typeof socket.cork === "function";
    if (cork) socket.cork();
    try {
      msg._send(`${size}\r\n`, "latin1", null);
      msg._send(chunk, encoding, null);
      return msg._send("\r\n", "latin1", callback);
    } finally {
      if (cork) socket.uncork();
    }
  }
  return msg._send(chunk, encoding, callback);
}

proto.write = function write(chunk, encoding, callback) {
  if (typeof encoding === "function") {
    callback = encoding;
    encoding = null;
  }
  const ret = write_(this, chunk, encoding, callback, false);
  if (!ret) this._needDrain = true;
  return ret;
};

proto.addTrailers = function addTrailers(headers) {
  this._trailer = "";
  const isArray = Array.isArray(headers);
  const keys = isArray ? null : Object.keys(headers);
  const n = isArray ? headers.length : keys.length;
  for (let i = 0; i < n; i++) {
    let field, value;
    if (isArray) {
      if (Array.isArray(headers[i])) [field, value] = headers[i];
      else {
        field = headers[i];
        value = headers[++i];
      }
    } else {
      field = keys[i];
      value = headers[field];
    }
    if (typeof field !== "string" || !field || !checkIsHttpToken(field)) throw ERR_INVALID_HTTP_TOKEN("Trailer name", field);
    if (Array.isArray(value) && value.length > 1 && (!this._outHeaders || !isCookieField(field))) {
      for (const v of value) {
        if (checkInvalidHeaderChar(String(v))) throw ERR_INVALID_CHAR("trailer content", field);
        this._trailer += `${field}: ${v}\r\n`;
      }
    } else {
      if (Array.isArray(value)) value = value.join("; ");
      if (checkInvalidHeaderChar(String(value))) throw ERR_INVALID_CHAR("trailer content", field);
      this._trailer += `${field}: ${value}\r\n`;
    }
  }
};

proto.end = function end(chunk, encoding, callback) {
  if (typeof chunk === "function") {
    callback = chunk;
    chunk = null;
    encoding = null;
  } else if (typeof encoding === "function") {
    callback = encoding;
    encoding = null;
  }
  if (chunk) {
    if (this.finished) {
      onError(this, ERR_STREAM_WRITE_AFTER_END(), typeof callback !== "function" ? nop : callback);
      return this;
    }
    // The common case — one string body, a socket of our own — in one write.
    const socket = this.socket;
    if (typeof chunk === "string" && socket !== null && socket._httpMessage === this && this.outputData.length === 0 &&
        !this.strictContentLength && !this.destroyed && joinable(encoding) && socket.writable && this._trailer === "") {
      if (!this._header) {
        this._contentLength = byteLength(chunk, encoding);
        this._implicitHeader();
      }
      if (this._hasBody) {
        let data = chunk;
        if (this.chunkedEncoding) data = `${byteLength(chunk, encoding).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`;
        if (!this._headerSent) {
          data = this._header + data;
          this._headerSent = true;
        }
        if (typeof callback === "function") this.once("finish", callback);
        this.finished = true;
        socket.write(data, encoding, onFinishFor(this));
        this._finish();
        return this;
      }
    }
    const cork = socket !== null && typeof socket.cork === "function";
    if (cork) socket.cork();
    try {
      write_(this, chunk, encoding, null, true);
    } finally {
      if (cork) socket.uncork();
    }
  } else if (this.finished) {
    if (typeof callback === "function") {
      if (!this.writableFinished) this.on("finish", callback);
      else callback(ERR_STREAM_ALREADY_FINISHED("end"));
    }
    return this;
  } else if (!this._header) {
    this._contentLength = 0;
    this._implicitHeader();
  }
  if (typeof callback === "function") this.once("finish", callback);
  if (strictLength(this) && this._bytesWritten !== this._contentLength) {
    throw ERR_HTTP_CONTENT_LENGTH_MISMATCH(this._bytesWritten, this._contentLength);
  }
  const finish = onFinishFor(this);
  if (this._hasBody && this.chunkedEncoding) {
    this._send(`0\r\n${this._trailer}\r\n`, "latin1", finish);
  } else if (!this._headerSent || this.writableLength || chunk) {
    this._send("", "latin1", finish);
  } else {
    nextTick(finish);
  }
  this.finished = true;
  if (this.outputData.length === 0 && this.socket && this.socket._httpMessage === this) this._finish();
  return this;
};

function onFinishFor(msg) {
  return () => {
    if (msg.socket && msg.socket._hadError) return;
    msg._beforeFinish();
    emitIfHeard(msg, "finish");
  };
}

proto.flushHeaders = function flushHeaders() {
  if (!this._header) this._implicitHeader();
  this._send("");
};

proto.pipe = function pipe() {
  this.emit("error", Object.assign(new Error("Cannot pipe, not readable"), { code: "ERR_STREAM_CANNOT_PIPE" }));
};
