// node:internal/http/incoming — http.IncomingMessage: a request on the
// server, a response on the client. A Readable of the body; the head's fields
// are filled in by the server or the client from the parser. `headers` is
// built from rawHeaders on first read (lower-cased names, duplicates joined
// as Node joins them).

import { Readable } from "node:stream";
import { ReadableState } from "node:internal/streams/readable";
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

// The Readable side is made on first use: a request without a body that
// nobody reads (the usual GET) never builds a stream state nor runs the
// end/close chain. `_lazy`: 0 state made; 1 not made yet; 2 not made, the
// body ended; 3 not made, ended and dumped (the end runs on first use, on the
// next tick if somebody listens); 4 finished silently (a state made later
// starts ended and closed, as Node's would be by then).
export function IncomingMessage(socket) {
  // EventEmitter's fields, set directly (EventEmitter.init is costly per request).
  this._events = { __proto__: null };
  this._eventsCount = 0;
  this._maxListeners = undefined;
  this.socket = socket;
  // The rest are prototype defaults, replaced by the server/client as needed.
}
Object.setPrototypeOf(IncomingMessage.prototype, Readable.prototype);
Object.setPrototypeOf(IncomingMessage, Readable);
Object.defineProperty(IncomingMessage.prototype, "constructor", { value: IncomingMessage, writable: true, configurable: true });

Object.assign(IncomingMessage.prototype, {
  _lazy: 1,
  httpVersionMajor: null,
  httpVersionMinor: null,
  httpVersion: null,
  complete: false,
  rawHeaders: Object.freeze([]),
  rawTrailers: Object.freeze([]),
  joinDuplicateHeaders: false,
  aborted: false,
  upgrade: false,
  url: "",
  method: null,
  statusCode: null,
  statusMessage: null,
  _consuming: false,
  _dumped: false,
  _headers: null,
  _headersDistinct: null,
  _trailers: null,
  _trailersDistinct: null,
  _paused: false, // we paused the socket for backpressure
});

function makeState(msg) {
  const lazy = msg._lazy;
  msg._lazy = 0;
  const hwm = msg.socket?.readableHighWaterMark;
  const state = new ReadableState(hwm ? { highWaterMark: hwm } : undefined, msg, false);
  Object.defineProperty(msg, "_readableState", { value: state, writable: true, configurable: true, enumerable: true });
  state.readingMore = true;
  if (lazy === 4) {
    state.ended = state.endEmitted = true;
    state.destroyed = state.closed = state.closeEmitted = true;
    state.flowing = true;
    state.readingMore = false;
    msg._consuming = true;
  } else if (lazy >= 2) {
    Readable.prototype.push.call(msg, null);
    if (lazy === 3) Readable.prototype.resume.call(msg);
  }
  return state;
}

export function settleDumped(msg) {
  if (msg._lazy !== 3) return;
  const events = msg._events;
  if (msg._eventsCount === 0 || (events.end === undefined && events.close === undefined && events.error === undefined)) {
    msg._lazy = 4;
  } else {
    makeState(msg);
  }
}

Object.defineProperties(IncomingMessage.prototype, {
  _readableState: {
    get() { return makeState(this); },
    set(v) {
      this._lazy = 0;
      Object.defineProperty(this, "_readableState", { value: v, writable: true, configurable: true, enumerable: true });
    },
    configurable: true,
  },
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
  client: {
    get() { return this._client === undefined ? this.socket : this._client; },
    set(v) { this._client = v; },
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

/** The body ended (the parser saw the whole message). */
IncomingMessage.prototype._eof = function _eof() {
  if (this._lazy === 1) this._lazy = 2;
  else this.push(null);
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
IncomingMessage.prototype._dump = function _dump(settleLater) {
  if (!this._dumped) {
    this._dumped = true;
    if (this._lazy === 2) {
      // Nobody touched the stream: end it on the next tick only if somebody
      // listens by then (`settleLater`: the caller will call settleDumped).
      this._lazy = 3;
      if (settleLater !== true) queueMicrotask(() => settleDumped(this));
      return;
    }
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
    if (!Object.prototype.hasOwnProperty.call(this, dest)) this[dest] = [];
    for (let i = 0; i < n; i += 2) this[dest].push(headers[i], headers[i + 1]);
    if (this.complete) this._trailers = null;
    else this._headers = null;
  }
};
