// node:internal/http/server — ServerResponse and the per-connection logic of
// http.Server: a parser per socket, 'request' per message (pipelined
// requests queue their responses, answered in order), keep-alive with
// keepAliveTimeout, Expect: 100-continue, upgrade/CONNECT hand-over, parse
// errors to 'clientError' (400/431/413/408 by default), headersTimeout and
// requestTimeout checked on an interval, maxRequestsPerSocket.
//
// The Server class itself (over net.Server) is in node:http; everything here
// works over any socket-like Duplex, so `server.emit('connection', duplex)`
// serves it as Node does.

import { nextTick } from "node:internal/process/tick";
import { setInterval, clearInterval } from "node:timers";
import { codes } from "node:internal/errors";
import { validateInteger, validateBoolean, validateObject } from "node:internal/validators";
import { HTTPParser, REQUEST } from "node:internal/http/parser";
import { IncomingMessage, settleDumped } from "node:internal/http/incoming";
import { OutgoingMessage, emitIfHeard } from "node:internal/http/outgoing";
import { STATUS_CODES, httpErrors, checkInvalidHeaderChar, connResetException } from "node:internal/http/common";

const { ERR_INVALID_ARG_VALUE } = codes;
const { ERR_HTTP_HEADERS_SENT, ERR_HTTP_INVALID_STATUS_CODE, ERR_INVALID_CHAR, ERR_HTTP_SOCKET_ASSIGNED,
  ERR_HTTP_REQUEST_TIMEOUT } = httpErrors;

const continueRe = /(?:^|\W)100-continue(?:$|\W)/i;
const trailersRe = /(?:^|\W)trailers(?:$|\W)/i;
const nop = () => {};

// ---- ServerResponse -------------------------------------------------------------

export function ServerResponse(req, options) {
  // OutgoingMessage's own fields, inline (a .call per request is costly).
  this._events = { __proto__: null };
  this._eventsCount = 0;
  this._maxListeners = undefined;
  this.outputData = [];
  this.socket = null;
  this._header = null;
  this._outHeaders = null;
  if (options !== undefined) {
    if (options.highWaterMark !== undefined) this._highWaterMark = options.highWaterMark;
    if (options.rejectNonStandardBodyWrites) this._rejectNonStandardBodyWrites = true;
  }
  if (req.method === "HEAD") this._hasBody = false;
  this.req = req;
  if (req.httpVersionMajor < 1 || req.httpVersionMinor < 1) {
    this.useChunkedEncodingByDefault = trailersRe.test(req.headers.te ?? "");
    this.shouldKeepAlive = false;
  }
}
Object.setPrototypeOf(ServerResponse.prototype, OutgoingMessage.prototype);
Object.setPrototypeOf(ServerResponse, OutgoingMessage);
Object.defineProperty(ServerResponse.prototype, "constructor", { value: ServerResponse, writable: true, configurable: true });

const resProto = ServerResponse.prototype;
resProto.statusCode = 200;
resProto.statusMessage = undefined;
resProto.sendDate = true;
resProto._sent100 = false;
resProto._expect_continue = false;
resProto._conn = null;

resProto._finish = function _finish() {
  OutgoingMessage.prototype._finish.call(this);
};

resProto.assignSocket = function assignSocket(socket) {
  if (socket._httpMessage) throw ERR_HTTP_SOCKET_ASSIGNED();
  socket._httpMessage = this;
  this.socket = socket;
  if (this._events.socket !== undefined) this.emit("socket", socket);
  this._flush();
};

resProto.detachSocket = function detachSocket(socket) {
  socket._httpMessage = null;
  this.socket = null;
};

resProto.writeContinue = function writeContinue(cb) {
  this._writeRaw("HTTP/1.1 100 Continue\r\n\r\n", "ascii", cb);
  this._sent100 = true;
};

resProto.writeProcessing = function writeProcessing(cb) {
  this._writeRaw("HTTP/1.1 102 Processing\r\n\r\n", "ascii", cb);
};

resProto.writeEarlyHints = function writeEarlyHints(hints, cb) {
  validateObject(hints, "hints");
  let head = "HTTP/1.1 103 Early Hints\r\n";
  for (const key of Object.keys(hints)) {
    const value = hints[key];
    if (key.toLowerCase() === "link") {
      const links = Array.isArray(value) ? value.join(", ") : String(value);
      if (checkInvalidHeaderChar(links)) throw ERR_INVALID_CHAR("header content", "Link");
      head += `Link: ${links}\r\n`;
    } else if (value !== undefined) {
      head += `${key}: ${value}\r\n`;
    }
  }
  this._writeRaw(`${head}\r\n`, "ascii", cb);
};

resProto._implicitHeader = function _implicitHeader() {
  this.writeHead(this.statusCode);
};

const statusLines = {};

resProto.writeHead = function writeHead(statusCode, reason, obj) {
  if (this._header) throw ERR_HTTP_HEADERS_SENT("write");
  const original = statusCode;
  statusCode |= 0;
  if (statusCode < 100 || statusCode > 999) throw ERR_HTTP_INVALID_STATUS_CODE(original);
  if (typeof reason === "string") {
    this.statusMessage = reason;
  } else {
    if (!this.statusMessage) this.statusMessage = STATUS_CODES[statusCode] || "unknown";
    obj ??= reason;
  }
  this.statusCode = statusCode;
  let headers;
  if (this._outHeaders !== null) {
    if (Array.isArray(obj)) {
      if (obj.length && Array.isArray(obj[0])) {
        for (const [k, v] of obj) if (k) this.appendHeader(k, v);
      } else {
        if (obj.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE("headers", obj);
        for (let n = 0; n < obj.length; n += 2) if (obj[n]) this.setHeader(obj[n], obj[n + 1]);
      }
    } else if (obj) {
      for (const k of Object.keys(obj)) if (k) this.setHeader(k, obj[k]);
    }
    headers = this._outHeaders;
  } else {
    headers = obj;
  }
  const message = this.statusMessage;
  let line;
  if (message === STATUS_CODES[statusCode]) {
    line = statusLines[statusCode] ??= `HTTP/1.1 ${statusCode} ${message}\r\n`;
  } else {
    if (checkInvalidHeaderChar(String(message))) throw ERR_INVALID_CHAR("statusMessage");
    line = `HTTP/1.1 ${statusCode} ${message}\r\n`;
  }
  if (statusCode === 204 || statusCode === 304 || (statusCode >= 100 && statusCode <= 199)) this._hasBody = false;
  if (this._expect_continue && !this._sent100) this.shouldKeepAlive = false;
  this._storeHeader(line, headers);
  return this;
};
resProto.writeHeader = resProto.writeHead;

// ---- connections ------------------------------------------------------------------

const badRequest = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
const headersTooLarge = "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";
const chunkExtTooLarge = "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n";
const requestTimedOut = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";

const versions = { 10: "1.0", 11: "1.1", 9: "0.9", 20: "2.0" };

/** The state of one server socket. */
class Connection {
  constructor(server, socket) {
    this.server = server;
    this.socket = socket;
    const parser = new HTTPParser(REQUEST, { maxHeaderSize: server.maxHeaderSize ?? 16384 });
    parser.owner = this;
    parser.onHeaders = onRequestHead;
    parser.onBody = onRequestBody;
    parser.onComplete = onRequestComplete;
    this.parser = parser;
    this.incoming = null; // the request being received
    this.unanswered = []; // requests whose responses have not finished
    this.outgoing = []; // responses waiting for the socket
    this.outgoingData = 0;
    this.requests = 0;
    this.keepAliveTimeoutSet = false;
    this.kaTimeout = 0; // the keep-alive timeout we armed on the socket
    this.started = 0; // when the message being received began
    this.closed = false;
    this.onData = (d) => this.data(d);
    this.onEnd = () => this.end();
    this.onClose = () => this.close();
    this.onError = (e) => this.error(e);
    this.onTimeout = () => this.timeout();
    this.onDrain = () => this.drain();
    this.updateOutgoingData = (delta) => {
      this.outgoingData += delta;
    };
  }

  data(d) {
    if (this.keepAliveTimeoutSet) {
      // Busy again. With no server.timeout the keep-alive timer stays armed
      // (re-arming a timer per request is costly); timeout() ignores it
      // while a request is in progress.
      this.keepAliveTimeoutSet = false;
      const t = this.server.timeout;
      if (t) this.socket.setTimeout(t);
    }
    const parser = this.parser;
    if (parser === null) return;
    if (!parser.inMessage) this.started = Date.now();
    const ret = parser.execute(d);
    if (typeof ret !== "number") {
      this.parseError(ret, d);
      return;
    }
    if (parser.upgraded && this.incoming !== null && this.incoming.upgrade) this.upgrade(d, ret);
    else if (this.outgoingData > 0 && this.outgoingData > (this.socket.writableHighWaterMark ?? 16384) && !this.socket.isPaused?.()) {
      this.socket.pause();
      this.pausedForOutput = true;
    }
  }

  drain() {
    if (this.pausedForOutput) {
      this.pausedForOutput = false;
      this.socket.resume();
    }
  }

  parseError(err, d) {
    if (err.rawPacket === undefined || err.rawPacket === null) err.rawPacket = d;
    socketOnError(this, err);
  }

  end() {
    const parser = this.parser;
    if (parser !== null) {
      const ret = parser.finish();
      if (ret instanceof Error) {
        socketOnError(this, ret);
        return;
      }
    }
    const socket = this.socket;
    if (this.server.httpAllowHalfOpen) {
      if (this.outgoing.length) this.outgoing[this.outgoing.length - 1]._last = true;
      else if (socket._httpMessage) socket._httpMessage._last = true;
      return;
    }
    if (this.outgoing.length) this.outgoing[this.outgoing.length - 1]._last = true;
    else if (socket._httpMessage) socket._httpMessage._last = true;
    else if (socket.writable) socket.end();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.server._httpConnections?.delete(this);
    this.parser = null;
    const req = this.incoming;
    this.incoming = null;
    for (const r of this.unanswered) {
      if (!r.complete || !r.readableEnded) {
        if (!r.destroyed) r.destroy(connResetException("aborted"));
      } else if (!r.destroyed) r.destroy();
    }
    this.unanswered.length = 0;
    if (req && !req.destroyed && !req.complete) req.destroy(connResetException("aborted"));
    const res = this.socket._httpMessage;
    if (res) emitResponseClose(res);
    for (const r of this.outgoing) emitResponseClose(r);
    this.outgoing.length = 0;
  }

  error(e) {
    socketOnError(this, e);
  }

  timeout() {
    const socket = this.socket;
    if (!this.keepAliveTimeoutSet && !this.server.timeout && this.kaTimeout !== 0 && socket.timeout === this.kaTimeout) {
      return; // the keep-alive timer left armed on a busy connection
    }
    const req = this.incoming;
    const reqTimeout = req !== null && !req.complete && req.emit("timeout", socket);
    const res = socket._httpMessage;
    const resTimeout = res && res.emit("timeout", socket);
    const serverTimeout = this.server.emit("timeout", socket);
    if (!reqTimeout && !resTimeout && !serverTimeout) socket.destroy();
  }

  /** No request is being received and no response is pending. */
  get idle() {
    return (this.parser === null || !this.parser.inMessage) && !this.socket._httpMessage && this.outgoing.length === 0 &&
      this.unanswered.length === 0;
  }

  detach() {
    const s = this.socket;
    s.removeListener("data", this.onData);
    s.removeListener("end", this.onEnd);
    s.removeListener("close", this.onClose);
    s.removeListener("error", this.onError);
    s.removeListener("timeout", this.onTimeout);
    s.removeListener("drain", this.onDrain);
    this.server._httpConnections?.delete(this);
  }

  upgrade(d, ret) {
    const req = this.incoming;
    this.incoming = null;
    this.detach();
    this.parser = null;
    const socket = this.socket;
    const event = req.method === "CONNECT" ? "connect" : "upgrade";
    if (event === "upgrade" || this.server.listenerCount(event) > 0) {
      const head = d.subarray(ret);
      try {
        socket.readableFlowing = null;
      } catch {}
      this.server.emit(event, req, socket, head);
    } else {
      socket.destroy();
    }
  }

  /** A response finished: dump an unread body, send the next queued response or idle. */
  responseFinished(res) {
    const req = res.req;
    const socket = this.socket;
    const unanswered = this.unanswered;
    if (unanswered[0] === req) unanswered.shift();
    else {
      const i = unanswered.indexOf(req);
      if (i !== -1) unanswered.splice(i, 1);
    }
    if (!req._consuming && (req._lazy !== 0 || !req._readableState.resumeScheduled)) req._dump(true);
    res.detachSocket(socket);
    queueMicrotask(() => {
      settleDumped(req);
      emitResponseClose(res);
    });
    if (res._last) {
      if (typeof socket.destroySoon === "function") socket.destroySoon();
      else socket.end();
    } else if (this.outgoing.length === 0) {
      const server = this.server;
      const ka = server.keepAliveTimeout;
      if (ka && typeof socket.setTimeout === "function") {
        if (socket.timeout !== ka || this.kaTimeout !== ka) {
          socket.setTimeout(ka);
          this.kaTimeout = ka;
        }
        this.keepAliveTimeoutSet = true;
      }
    } else {
      const next = this.outgoing.shift();
      next.assignSocket(socket);
    }
  }
}

function emitResponseClose(res) {
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  emitIfHeard(res, "close");
}

function socketOnError(conn, e) {
  const socket = conn.socket;
  if (conn.erred) return;
  conn.erred = true;
  socket.removeListener("error", conn.onError);
  if (socket.listenerCount("error") === 0) socket.on("error", nop);
  if (!conn.server.emit("clientError", e, socket)) {
    if (socket.writable && (!socket._httpMessage || !socket._httpMessage._headerSent)) {
      let response;
      switch (e.code) {
        case "HPE_HEADER_OVERFLOW": response = headersTooLarge; break;
        case "HPE_CHUNK_EXTENSIONS_OVERFLOW": response = chunkExtTooLarge; break;
        case "ERR_HTTP_REQUEST_TIMEOUT": response = requestTimedOut; break;
        default: response = badRequest;
      }
      socket.write(response);
    }
    socket.destroy(e);
  }
}

// Parser callbacks (p.owner is the Connection).

function onRequestHead(p) {
  const conn = p.owner;
  const server = conn.server;
  const socket = conn.socket;
  const Incoming = server.IncomingMessage ?? IncomingMessage;
  const req = new Incoming(socket);
  const major = p.versionMajor;
  const minor = p.versionMinor;
  req.httpVersionMajor = major;
  req.httpVersionMinor = minor;
  req.httpVersion = versions[major * 10 + minor] ?? `${major}.${minor}`;
  req.method = p.method;
  req.url = p.url;
  let raw = p.rawHeaders;
  const maxCount = server.maxHeadersCount;
  if (maxCount > 0 && raw.length > maxCount * 2) raw = raw.slice(0, maxCount * 2);
  req.rawHeaders = raw;
  if (server.joinDuplicateHeaders) req.joinDuplicateHeaders = true;
  conn.incoming = req;
  if (p.upgrade) {
    req.upgrade = req.method === "CONNECT" || server.listenerCount("upgrade") > 0;
    if (req.upgrade) return 2;
  }
  conn.unanswered.push(req);
  const Response = server.ServerResponse ?? ServerResponse;
  const res = new Response(req, server._responseOptions);
  res._keepAliveTimeout = server.keepAliveTimeout;
  res._maxRequestsPerSocket = server.maxRequestsPerSocket;
  res._onPendingData = conn.updateOutgoingData;
  res.shouldKeepAlive = p.keepAlive;
  res._conn = conn;
  if (socket._httpMessage) conn.outgoing.push(res);
  else res.assignSocket(socket);
  const count = ++conn.requests;
  if (major === 1 && minor === 1) {
    const max = server.maxRequestsPerSocket;
    if (max > 0 && count > max) {
      server.emit("dropRequest", req, socket);
      res.writeHead(503);
      res.end();
      return 0;
    }
    if (max > 0 && count === max) res.maxRequestsOnConnectionReached = true;
    if (server.requireHostHeader !== false && !p.hasHost) {
      res.writeHead(400, ["Connection", "close"]);
      res.end();
      return 0;
    }
    const expect = p.expect;
    if (expect !== null) {
      if (continueRe.test(expect)) {
        res._expect_continue = true;
        if (server.listenerCount("checkContinue") > 0) {
          server.emit("checkContinue", req, res);
        } else {
          res.writeContinue();
          server.emit("request", req, res);
        }
      } else if (server.listenerCount("checkExpectation") > 0) {
        server.emit("checkExpectation", req, res);
      } else {
        res.writeHead(417);
        res.end();
      }
      return 0;
    }
  }
  server.emit("request", req, res);
  return 0;
}

function onRequestBody(p, chunk) {
  const req = p.owner.incoming;
  if (req !== null) req._pushBody(chunk);
}

function onRequestComplete(p) {
  const conn = p.owner;
  const req = conn.incoming;
  if (req === null) return;
  conn.incoming = null;
  req.complete = true;
  if (p.rawTrailers !== null && p.rawTrailers.length) {
    req.rawTrailers = p.rawTrailers;
    req._trailers = null;
  }
  if (!req.upgrade) req._eof();
}

// A server response tells its connection it finished before 'finish' is emitted.
resProto._beforeFinish = function _beforeFinish() {
  const conn = this._conn;
  if (conn !== null && this.socket !== null) conn.responseFinished(this);
};

/** The 'connection' listener of http.Server. */
export function connectionListener(socket) {
  const server = this;
  const conn = new Connection(server, socket);
  server._httpConnections?.add(conn);
  socket.server ??= server;
  if (server.timeout && typeof socket.setTimeout === "function") socket.setTimeout(server.timeout);
  socket.on("timeout", conn.onTimeout);
  socket.on("data", conn.onData);
  socket.on("end", conn.onEnd);
  socket.on("close", conn.onClose);
  socket.on("error", conn.onError);
  socket.on("drain", conn.onDrain);
  socket.parser = conn.parser;
  socket._conn = conn;
  if (typeof socket.resume === "function" && socket.isPaused?.()) socket.resume();
}

/** Options and defaults of http.Server (shared by the Server constructor in node:http). */
export function setupServer(server, options) {
  server.timeout = 0;
  server.maxHeadersCount = null;
  server.maxRequestsPerSocket = 0;
  const o = options ?? {};
  if (o.maxHeaderSize !== undefined) validateInteger(o.maxHeaderSize, "maxHeaderSize", 0);
  server.maxHeaderSize = o.maxHeaderSize;
  if (o.requestTimeout !== undefined) validateInteger(o.requestTimeout, "requestTimeout", 0);
  server.requestTimeout = o.requestTimeout ?? 300000;
  if (o.headersTimeout !== undefined) validateInteger(o.headersTimeout, "headersTimeout", 0);
  server.headersTimeout = o.headersTimeout ?? Math.min(60000, server.requestTimeout || 60000);
  if (server.requestTimeout > 0 && server.headersTimeout > 0 && server.headersTimeout > server.requestTimeout) {
    throw codes.ERR_OUT_OF_RANGE("headersTimeout", "<= requestTimeout", server.headersTimeout);
  }
  if (o.keepAliveTimeout !== undefined) validateInteger(o.keepAliveTimeout, "keepAliveTimeout", 0);
  server.keepAliveTimeout = o.keepAliveTimeout ?? 5000;
  if (o.connectionsCheckingInterval !== undefined) validateInteger(o.connectionsCheckingInterval, "connectionsCheckingInterval", 0);
  server.connectionsCheckingInterval = o.connectionsCheckingInterval ?? 30000;
  if (o.requireHostHeader !== undefined) validateBoolean(o.requireHostHeader, "options.requireHostHeader");
  server.requireHostHeader = o.requireHostHeader ?? true;
  if (o.joinDuplicateHeaders !== undefined) validateBoolean(o.joinDuplicateHeaders, "options.joinDuplicateHeaders");
  server.joinDuplicateHeaders = o.joinDuplicateHeaders;
  server.rejectNonStandardBodyWrites = o.rejectNonStandardBodyWrites ?? false;
  server.IncomingMessage = o.IncomingMessage ?? IncomingMessage;
  server.ServerResponse = o.ServerResponse ?? ServerResponse;
  server.httpAllowHalfOpen = false;
  server._responseOptions = o.highWaterMark !== undefined || server.rejectNonStandardBodyWrites
    ? { highWaterMark: o.highWaterMark, rejectNonStandardBodyWrites: server.rejectNonStandardBodyWrites }
    : undefined;
  server._httpConnections = new Set();
  server._checkTimer = null;
  server.on("connection", connectionListener);
}

/** Start the headersTimeout/requestTimeout checks (on listen). */
export function startConnectionsCheck(server) {
  if (server._checkTimer !== null) return;
  if ((server.headersTimeout > 0 || server.requestTimeout > 0) && server.connectionsCheckingInterval > 0) {
    const t = setInterval(checkConnections, server.connectionsCheckingInterval, server);
    t.unref?.();
    server._checkTimer = t;
  }
}

export function stopConnectionsCheck(server) {
  if (server._checkTimer !== null) {
    clearInterval(server._checkTimer);
    server._checkTimer = null;
  }
}

function checkConnections(server) {
  const now = Date.now();
  const headersTimeout = server.headersTimeout;
  const requestTimeout = server.requestTimeout;
  for (const conn of server._httpConnections) {
    const p = conn.parser;
    if (p === null || !p.inMessage) continue;
    const elapsed = now - conn.started;
    if ((headersTimeout > 0 && p.inHead && elapsed > headersTimeout) || (requestTimeout > 0 && elapsed > requestTimeout)) {
      conn.parser = null;
      socketOnError(conn, ERR_HTTP_REQUEST_TIMEOUT());
    }
  }
}

export function closeAllConnections(server) {
  for (const conn of [...server._httpConnections]) conn.socket.destroy();
}

export function closeIdleConnections(server) {
  for (const conn of [...server._httpConnections]) {
    if (conn.idle) conn.socket.destroy();
  }
}
