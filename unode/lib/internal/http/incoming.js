// node:internal/http/incoming — http.IncomingMessage: a request on the
// server, a response on the client. A Readable of the body; the head's fields
// are filled in by the server or the client from the parser. `headers` is
// built from rawHeaders on first read (lower-cased names, duplicates joined
// as Node joins them).

import { Readable } from "node:stream";
import { nextTick } from "node:internal/process/tick";

// Fields of which Node keeps only the first value.
const dropDuplicates = new Set([
  "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
  "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
  "proxy-authorization", "referer", "retry-after", "server", "user-agent",
]);

/** Node's headers object from a flat [name, value, …] list. */
export function buildHeaders(raw, joinDuplicates) {
  const out = {};
  const n = raw.length;
  for (let i = 0; i < n; i += 2) {
    const key = raw[i].toLowerCase();
    const value = raw[i + 1];
    const had = out[key];
    if (had === undefined) {
      out[key] = key === "set-cookie" ? [value] : value;
    } else if (key === "set-cookie") {
      had.push(value);
    } else if (key === "cookie") {
      out[key] = `${had}; ${value}`;
    } else if (joinDuplicates || !dropDuplicates.has(key)) {
      out[key] = `${had}, ${value}`;
    }
  }
  return out;
}

function buildDistinct(raw) {
  const out = {};
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i].toLowerCase();
    const had = out[key];
    if (had === undefined) out[key] = [raw[i + 1]];
    else had.push(raw[i + 1]);
  }
  return out;
}

export function IncomingMessage(socket) {
  Readable.call(this, socket?.readableHighWaterMark ? { highWaterMark: socket.readableHighWaterMark } : undefined);
  this._readableState.readingMore = true;
  this.socket = socket;
  this.httpVersionMajor = null;
  this.httpVersionMinor = null;
  this.httpVersion = null;
  this.complete = false;
  this.rawHeaders = [];
  this.rawTrailers = [];
  this.joinDuplicateHeaders = false;
  this.aborted = false;
  this.upgrade = null;
  this.url = "";
  this.method = null;
  this.statusCode = null;
  this.statusMessage = null;
  this.client = socket;
  this._consuming = false;
  this._dumped = false;
  this._headers = null;
  this._headersDistinct = null;
  this._trailers = null;
  this._trailersDistinct = null;
  this._paused = false; // we paused the socket for backpressure
}
Object.setPrototypeOf(IncomingMessage.prototype, Readable.prototype);
Object.setPrototypeOf(IncomingMessage, Readable);
Object.defineProperty(IncomingMessage.prototype, "constructor", { value: IncomingMessage, writable: true, configurable: true });

Object.defineProperties(IncomingMessage.prototype, {
  headers: {
    get() {
      if (this._headers === null) this._headers = buildHeaders(this.rawHeaders, this.joinDuplicateHeaders);
      return this._headers;
    },
    set(v) { this._headers = v; },
    configurable: true,
    enumerable: true,
  },
  headersDistinct: {
    get() {
      if (this._headersDistinct === null) this._headersDistinct = buildDistinct(this.rawHeaders);
      return this._headersDistinct;
    },
    set(v) { this._headersDistinct = v; },
    configurable: true,
    enumerable: true,
  },
  trailers: {
    get() {
      if (this._trailers === null) this._trailers = buildHeaders(this.rawTrailers, this.joinDuplicateHeaders);
      return this._trailers;
    },
    set(v) { this._trailers = v; },
    configurable: true,
    enumerable: true,
  },
  trailersDistinct: {
    get() {
      if (this._trailersDistinct === null) this._trailersDistinct = buildDistinct(this.rawTrailers);
      return this._trailersDistinct;
    },
    set(v) { this._trailersDistinct = v; },
    configurable: true,
    enumerable: true,
  },
  connection: {
    get() { return this.socket; },
    set(v) { this.socket = v; },
    configurable: true,
  },
});

IncomingMessage.prototype.setTimeout = function setTimeout(msecs, callback) {
  if (callback) this.on("timeout", callback);
  this.socket?.setTimeout(msecs);
  return this;
};

IncomingMessage.prototype._read = function _read() {
  if (!this._consuming) {
    this._readableState.readingMore = false;
    this._consuming = true;
  }
  if (this._paused) {
    this._paused = false;
    const s = this.socket;
    if (s && !s.destroyed) s.resume();
  }
};

/** Hand a body chunk to the reader; pause the socket when the reader lags. */
IncomingMessage.prototype._pushBody = function _pushBody(chunk) {
  if (this._dumped) return;
  if (!this.push(chunk) && !this._paused && this.socket) {
    this._paused = true;
    this.socket.pause();
  }
};

/** Discard the body nobody reads (after the response ended), so the socket can go on. */
IncomingMessage.prototype._dump = function _dump() {
  if (!this._dumped) {
    this._dumped = true;
    this.removeAllListeners("data");
    this.resume();
    if (this._paused) {
      this._paused = false;
      const s = this.socket;
      if (s && !s.destroyed) s.resume();
    }
  }
};

IncomingMessage.prototype._destroy = function _destroy(err, cb) {
  if (!this.readableEnded || !this.complete) {
    this.aborted = true;
    this.emit("aborted");
  }
  const s = this.socket;
  if (s && !s.destroyed && this.aborted) s.destroy(err);
  nextTick(() => cb(this.listenerCount("error") === 0 ? undefined : err));
};

IncomingMessage.prototype._addHeaderLines = function _addHeaderLines(headers, n) {
  if (headers?.length) {
    const dest = this.complete ? "rawTrailers" : "rawHeaders";
    for (let i = 0; i < n; i += 2) this[dest].push(headers[i], headers[i + 1]);
    if (this.complete) this._trailers = null;
    else this._headers = null;
  }
};
