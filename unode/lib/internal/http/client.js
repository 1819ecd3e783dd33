// node:internal/http/client — http.ClientRequest: the request head and body
// (an OutgoingMessage), a socket from the agent (or net.createConnection /
// options.createConnection), a response parser per socket; 'response',
// 'information'/'continue', 'upgrade'/'connect', 'timeout', 'abort', 'error'
// (`socket hang up`), 'close'; keep-alive sockets go back to the agent
// ('free') once both the request and the response have ended.

import net from "node:net";
import { Buffer } from "node:buffer";
import { nextTick } from "node:internal/process/tick";
import { codes, AbortError } from "node:internal/errors";
import { validateString, validateInteger, validateFunction, validateAbortSignal, validateBoolean, validateNumber } from "node:internal/validators";
import { HTTPParser, RESPONSE } from "node:internal/http/parser";
import { IncomingMessage } from "node:internal/http/incoming";
import { OutgoingMessage } from "node:internal/http/outgoing";
import { Agent, globalAgent, agentState, freeSocketErrorListener } from "node:internal/http/agent";
import { httpErrors, checkIsHttpToken, connResetException } from "node:internal/http/common";

const { ERR_INVALID_ARG_TYPE } = codes;
const { ERR_INVALID_HTTP_TOKEN, ERR_INVALID_PROTOCOL, ERR_UNESCAPED_CHARACTERS, ERR_HTTP_HEADERS_SENT, ERR_INVALID_URL } = httpErrors;

const INVALID_PATH_REGEX = /[^\u0021-\u00ff]/;
const versions = { 10: "1.0", 11: "1.1", 9: "0.9", 20: "2.0" };

// ---- URLs -------------------------------------------------------------------------

const urlRe = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/;

/** A URL string as the fields http.request reads (a WHATWG URL when node:url exists). */
function parseUrl(input) {
  const URLClass = getURL();
  if (URLClass !== null) {
    try {
      return urlToHttpOptions(new URLClass(input));
    } catch (e) {
      if (e?.code === "ERR_INVALID_URL") throw e;
      // fall through to our own parser
    }
  }
  const m = urlRe.exec(String(input).trim());
  if (m === null) throw ERR_INVALID_URL(input);
  const protocol = m[1].toLowerCase();
  let hostname = m[3].toLowerCase();
  if (hostname === "" && (protocol === "http:" || protocol === "https:")) throw ERR_INVALID_URL(input);
  const pathname = m[5] || "/";
  const search = m[6] && m[6] !== "?" ? m[6] : "";
  const out = {
    __proto__: null,
    protocol,
    hostname: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
    hash: m[7] && m[7] !== "#" ? m[7] : "",
    search,
    pathname,
    path: pathname + search,
    href: input,
  };
  if (m[4]) out.port = Number(m[4]);
  if (m[2]) {
    const colon = m[2].indexOf(":");
    const user = colon === -1 ? m[2] : m[2].slice(0, colon);
    const pass = colon === -1 ? "" : m[2].slice(colon + 1);
    out.auth = `${decodeURIComponent(user)}:${decodeURIComponent(pass)}`;
  }
  return out;
}

let urlClass;
function getURL() {
  if (urlClass !== undefined) return urlClass;
  try {
    urlClass = typeof globalThis.URL === "function" ? globalThis.URL : null;
  } catch {
    urlClass = null;
  }
  return urlClass;
}

function isURL(v) {
  return v != null && typeof v === "object" && typeof v.href === "string" && typeof v.protocol === "string" &&
    v.auth === undefined && v.path === undefined;
}

/** url.urlToHttpOptions. */
export function urlToHttpOptions(url) {
  const { hostname, pathname, port, username, password, search } = url;
  const options = {
    __proto__: null,
    ...url,
    protocol: url.protocol,
    hostname: hostname && hostname[0] === "[" ? hostname.slice(1, -1) : hostname,
    hash: url.hash,
    search,
    pathname,
    path: `${pathname || ""}${search || ""}`,
    href: url.href,
  };
  if (port !== "" && port !== undefined) options.port = Number(port);
  if (username || password) options.auth = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return options;
}

function validateHost(host, name) {
  if (host !== null && host !== undefined && typeof host !== "string") {
    throw ERR_INVALID_ARG_TYPE(`options.${name}`, ["string", "undefined", "null"], host);
  }
  return host;
}

// ---- ClientRequest ---------------------------------------------------------------

export function ClientRequest(input, options, cb) {
  OutgoingMessage.call(this);
  if (typeof input === "string") {
    input = parseUrl(input);
  } else if (isURL(input)) {
    input = urlToHttpOptions(input);
  } else {
    cb = options;
    options = input;
    input = null;
  }
  if (typeof options === "function") {
    cb = options;
    options = input || { __proto__: null };
  } else {
    options = Object.assign(input || { __proto__: null }, options);
  }

  let agent = options.agent;
  const defaultAgent = options._defaultAgent || agentState.globalAgent;
  if (agent === false) {
    agent = new defaultAgent.constructor();
  } else if (agent === null || agent === undefined) {
    if (typeof options.createConnection !== "function") agent = defaultAgent;
    options._defaultAgent = defaultAgent;
  } else if (typeof agent.addRequest !== "function") {
    throw ERR_INVALID_ARG_TYPE("options.agent", ["Agent-like Object", "undefined", "false"], agent);
  }
  this.agent = agent;

  const protocol = options.protocol || defaultAgent.protocol;
  let expectedProtocol = defaultAgent.protocol;
  if (this.agent?.protocol) expectedProtocol = this.agent.protocol;
  if (options.path) {
    const path = String(options.path);
    if (INVALID_PATH_REGEX.test(path)) throw ERR_UNESCAPED_CHARACTERS("Request path");
  }
  if (protocol !== expectedProtocol) throw ERR_INVALID_PROTOCOL(protocol, expectedProtocol);

  const defaultPort = options.defaultPort || (this.agent?.defaultPort) || 80;
  const port = (options.port = options.port || defaultPort || 80);
  const host = (options.host = validateHost(options.hostname, "hostname") || validateHost(options.host, "host") || "localhost");
  const setHost = options.setHost === undefined || Boolean(options.setHost);
  this.socketPath = options.socketPath;
  if (options.timeout !== undefined) this.timeout = getTimerDuration(options.timeout, "timeout");

  const signal = options.signal;
  if (signal) validateAbortSignal(signal, "options.signal");

  let method = options.method;
  const methodIsString = typeof method === "string";
  if (method !== null && method !== undefined && !methodIsString) validateString(method, "options.method");
  if (methodIsString && method) {
    if (!checkIsHttpToken(method)) throw ERR_INVALID_HTTP_TOKEN("Method", method);
    method = this.method = method.toUpperCase();
  } else {
    method = this.method = "GET";
  }

  const maxHeaderSize = options.maxHeaderSize;
  if (maxHeaderSize !== undefined) validateInteger(maxHeaderSize, "maxHeaderSize", 0);
  this.maxHeaderSize = maxHeaderSize;
  if (options.joinDuplicateHeaders !== undefined) validateBoolean(options.joinDuplicateHeaders, "options.joinDuplicateHeaders");
  this.joinDuplicateHeaders = options.joinDuplicateHeaders;

  this.path = options.path || "/";
  if (cb) this.once("response", cb);

  if (method === "GET" || method === "HEAD" || method === "DELETE" || method === "OPTIONS" || method === "TRACE" ||
      method === "CONNECT") {
    this.useChunkedEncodingByDefault = false;
  } else {
    this.useChunkedEncodingByDefault = true;
  }

  this._ended = false;
  this.res = null;
  this.aborted = false;
  this.timeoutCb = null;
  this.upgradeOrConnect = false;
  this.parser = null;
  this.maxHeadersCount = null;
  this.reusedSocket = false;
  this.host = host;
  this.protocol = protocol;
  this._hadSocket = false;

  if (this.agent) {
    if (!this.agent.keepAlive && !Number.isFinite(this.agent.maxSockets)) {
      this._last = true;
      this.shouldKeepAlive = false;
    } else {
      this._last = false;
      this.shouldKeepAlive = true;
    }
  }

  const headersArray = Array.isArray(options.headers);
  if (!headersArray) {
    if (options.headers) {
      const keys = Object.keys(options.headers);
      for (let i = 0; i < keys.length; i++) this.setHeader(keys[i], options.headers[keys[i]]);
    }
    if (host && !this.getHeader("host") && setHost) {
      let hostHeader = host;
      const posColon = hostHeader.indexOf(":");
      if (posColon !== -1 && hostHeader.includes(":", posColon + 1) && hostHeader.charCodeAt(0) !== 91) {
        hostHeader = `[${hostHeader}]`;
      }
      if (port && +port !== defaultPort) hostHeader += `:${port}`;
      this.setHeader("Host", hostHeader);
    }
    if (options.auth && !this.getHeader("Authorization")) {
      this.setHeader("Authorization", `Basic ${Buffer.from(options.auth).toString("base64")}`);
    }
    if (this.getHeader("expect")) {
      if (this._header) throw ERR_HTTP_HEADERS_SENT("render");
      this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, this._outHeaders);
    }
  } else {
    this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, options.headers);
  }

  if (signal) {
    const onAbort = () => this.destroy(new AbortError(undefined, { cause: signal.reason }));
    if (signal.aborted) nextTick(onAbort);
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      this.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }

  const optsWithoutSignal = { __proto__: null, ...options };
  delete optsWithoutSignal.signal;

  if (this.agent) {
    this.agent.addRequest(this, optsWithoutSignal);
  } else {
    this._last = true;
    this.shouldKeepAlive = false;
    if (typeof optsWithoutSignal.createConnection === "function") {
      let called = false;
      const oncreate = (err, socket) => {
        if (called) return;
        called = true;
        if (err) nextTick(() => this.emit("error", err));
        else this.onSocket(socket);
      };
      const socket = optsWithoutSignal.createConnection(optsWithoutSignal, oncreate);
      if (socket) oncreate(null, socket);
    } else {
      this.onSocket(net.createConnection(optsWithoutSignal));
    }
  }
}
Object.setPrototypeOf(ClientRequest.prototype, OutgoingMessage.prototype);
Object.setPrototypeOf(ClientRequest, OutgoingMessage);
Object.defineProperty(ClientRequest.prototype, "constructor", { value: ClientRequest, writable: true, configurable: true });

function getTimerDuration(msecs, name) {
  validateNumber(msecs, name);
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw codes.ERR_OUT_OF_RANGE(name, "a non-negative finite number", msecs);
  }
  return msecs;
}

const reqProto = ClientRequest.prototype;

Object.defineProperty(reqProto, "path", {
  get() { return this._path; },
  set(v) {
    const s = String(v);
    if (INVALID_PATH_REGEX.test(s)) throw ERR_UNESCAPED_CHARACTERS("Request path");
    this._path = s;
  },
  configurable: true,
  enumerable: true,
});

reqProto._finish = function _finish() {
  OutgoingMessage.prototype._finish.call(this);
};

reqProto._implicitHeader = function _implicitHeader() {
  if (this._header) throw ERR_HTTP_HEADERS_SENT("render");
  this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, this._outHeaders);
};

reqProto.abort = function abort() {
  if (this.aborted) return;
  this.aborted = true;
  nextTick(() => this.emit("abort"));
  this.destroy();
};

reqProto.destroy = function destroy(err) {
  if (this.destroyed) return this;
  this.destroyed = true;
  if (this.res) this.res._dump();
  this._error = err;
  this.socket?.destroy(err);
  return this;
};

reqProto.onSocket = function onSocket(socket, err) {
  nextTick(onSocketNT, this, socket, err);
};

function onSocketNT(req, socket, err) {
  if (req.destroyed || err) {
    req.destroyed = true;
    if (!err && req.agent && socket && !socket.destroyed) {
      // The request was destroyed before it got its socket: give it back.
      socket.emit("free");
    } else if (socket) {
      socket.destroy(err ?? req._error);
    }
    err ??= req._error;
    if (err === undefined && !req.aborted) err = connResetException("socket hang up");
    if (err) emitErrorEvent(req, err);
    req._closed = true;
    req.emit("close");
    return;
  }
  tickOnSocket(req, socket);
  req._flush();
}

function emitErrorEvent(req, err) {
  if (req._errorEmitted) return;
  req._errorEmitted = true;
  req.emit("error", err);
}

function tickOnSocket(req, socket) {
  const parser = new HTTPParser(RESPONSE, req.maxHeaderSize !== undefined ? { maxHeaderSize: req.maxHeaderSize } : undefined);
  parser.owner = req;
  parser.onHeaders = onResponseHead;
  parser.onBody = onResponseBody;
  parser.onComplete = onResponseComplete;
  req.socket = socket;
  req.parser = parser;
  req._hadSocket = true;
  socket.parser = parser;
  socket._httpMessage = req;
  socket._hadError = false;
  req._onSocketData = (d) => socketOnData(req, d);
  req._onSocketEnd = () => socketOnEnd(req);
  req._onSocketClose = () => socketCloseListener(req);
  req._onSocketError = (e) => socketErrorListener(req, e);
  socket.on("error", req._onSocketError);
  socket.on("data", req._onSocketData);
  socket.on("end", req._onSocketEnd);
  socket.on("close", req._onSocketClose);
  if (req.timeout !== undefined || req.agent?.options?.timeout) listenSocketTimeout(req);
  req.emit("socket", socket);
}

function listenSocketTimeout(req) {
  if (req.timeoutCb) return;
  req.timeoutCb = () => req.emit("timeout");
  if (req.socket) req.socket.once("timeout", req.timeoutCb);
  else req.once("socket", (s) => s.once("timeout", req.timeoutCb));
}

reqProto.setTimeout = function setTimeout(msecs, callback) {
  if (this._ended) return this;
  listenSocketTimeout(this);
  msecs = getTimerDuration(msecs, "msecs");
  if (callback) this.once("timeout", callback);
  if (this.socket) this.socket.setTimeout(msecs);
  else this.once("socket", (sock) => sock.setTimeout(msecs));
  return this;
};

reqProto.setNoDelay = function setNoDelay(noDelay) {
  if (this.socket) this.socket.setNoDelay?.(noDelay);
  else this.once("socket", (s) => s.setNoDelay?.(noDelay));
};

reqProto.setSocketKeepAlive = function setSocketKeepAlive(enable, delay) {
  if (this.socket) this.socket.setKeepAlive?.(enable, delay);
  else this.once("socket", (s) => s.setKeepAlive?.(enable, delay));
};

reqProto.clearTimeout = function clearTimeout(cb) {
  this.setTimeout(0, cb);
};

// ---- the socket's side ------------------------------------------------------------

function detachSocketListeners(req, socket) {
  socket.removeListener("error", req._onSocketError);
  socket.removeListener("data", req._onSocketData);
  socket.removeListener("end", req._onSocketEnd);
  socket.removeListener("close", req._onSocketClose);
  if (req.timeoutCb) socket.removeListener("timeout", req.timeoutCb);
}

function socketOnData(req, d) {
  const socket = req.socket;
  const parser = req.parser;
  if (parser === null) return;
  const ret = parser.execute(d);
  if (typeof ret !== "number") {
    if (!ret.rawPacket) ret.rawPacket = d;
    req.parser = null;
    socket.destroy();
    socket._hadError = true;
    emitErrorEvent(req, ret);
    return;
  }
  if (parser.upgraded && req.res !== null && req.res.upgrade) {
    // 101 Switching Protocols, or a 2xx answer to CONNECT: the socket is the caller's now.
    const res = req.res;
    req.parser = null;
    detachSocketListeners(req, socket);
    socket.parser = null;
    socket._httpMessage = null;
    const head = d.subarray(ret);
    const event = req.method === "CONNECT" ? "connect" : "upgrade";
    if (req.listenerCount(event) > 0) {
      req.upgradeOrConnect = true;
      socket.emit("agentRemove");
      try {
        socket.readableFlowing = null;
      } catch {}
      req.emit(event, res, socket, head);
      req.destroyed = true;
      req._closed = true;
      req.emit("close");
    } else {
      socket.destroy();
    }
  }
}

function socketOnEnd(req) {
  const socket = req.socket;
  const parser = req.parser;
  if (!req.res && !socket._hadError) {
    socket._hadError = true;
    emitErrorEvent(req, connResetException("socket hang up"));
  }
  if (parser !== null) {
    const ret = parser.finish();
    if (ret instanceof Error && !socket._hadError) {
      socket._hadError = true;
      emitErrorEvent(req, ret);
    }
  }
  socket.destroy();
}

function socketCloseListener(req) {
  const socket = req.socket;
  const res = req.res;
  req.destroyed = true;
  if (res) {
    if (!res.complete) {
      res.destroy(connResetException("aborted"));
    }
    req._closed = true;
    req.emit("close");
    if (!res.aborted && res.readable && res.complete) {
      res.push(null);
    }
  } else {
    if (!socket._hadError) {
      // Node reports the hang-up even after abort() once a socket was in use.
      socket._hadError = true;
      emitErrorEvent(req, connResetException("socket hang up"));
    }
    req._closed = true;
    req.emit("close");
  }
  if (req.parser !== null) {
    req.parser.finish();
    req.parser = null;
  }
}

function socketErrorListener(req, err) {
  const socket = req.socket;
  if (req) {
    socket._hadError = true;
    emitErrorEvent(req, err);
  }
  if (req.parser !== null) {
    req.parser.finish();
    req.parser = null;
  }
  socket.destroy();
}

// Parser callbacks (p.owner is the ClientRequest).

function onResponseHead(p) {
  const req = p.owner;
  const socket = req.socket;
  if (req.res !== null) {
    // A second response to one request.
    socket.destroy();
    return 0;
  }
  const res = new IncomingMessage(socket);
  const major = p.versionMajor;
  const minor = p.versionMinor;
  res.httpVersionMajor = major;
  res.httpVersionMinor = minor;
  res.httpVersion = versions[major * 10 + minor] ?? `${major}.${minor}`;
  res.statusCode = p.statusCode;
  res.statusMessage = p.statusMessage;
  let raw = p.rawHeaders;
  const maxCount = req.maxHeadersCount;
  if (maxCount > 0 && raw.length > maxCount * 2) raw = raw.slice(0, maxCount * 2);
  res.rawHeaders = raw;
  res.joinDuplicateHeaders = !!req.joinDuplicateHeaders;
  res.upgrade = p.upgrade;
  const status = p.statusCode;
  if (req.method === "CONNECT" && status >= 200 && status < 300) res.upgrade = true;
  if (res.upgrade) {
    req.res = res;
    res.req = req;
    return 2;
  }
  if (req.shouldKeepAlive && !p.keepAlive && !req.upgradeOrConnect) req.shouldKeepAlive = false;
  if (status >= 100 && status < 200) {
    // Informational: 100 Continue, 102 Processing, 103 Early Hints.
    if (status === 100) req.emit("continue");
    req.emit("information", {
      statusCode: status,
      statusMessage: res.statusMessage,
      httpVersion: res.httpVersion,
      httpVersionMajor: major,
      httpVersionMinor: minor,
      headers: res.headers,
      rawHeaders: raw,
    });
    return 1;
  }
  req.res = res;
  res.req = req;
  if (req.timeoutCb) socket.removeListener("timeout", req.timeoutCb);
  res.on("end", responseOnEnd);
  if (req.aborted || !req.emit("response", res)) res._dump();
  if (req.method === "HEAD") return 1;
  return 0;
}

function onResponseBody(p, chunk) {
  const res = p.owner.res;
  if (res !== null) res._pushBody(chunk);
}

function onResponseComplete(p) {
  const req = p.owner;
  const res = req.res;
  if (res === null) return; // an informational response
  res.complete = true;
  if (p.rawTrailers !== null && p.rawTrailers.length) {
    res.rawTrailers = p.rawTrailers;
    res._trailers = null;
  }
  req.parser = null; // any later bytes are not ours
  p.owner = null;
  res._eof();
}

function responseOnEnd() {
  const req = this.req;
  const socket = req.socket;
  req._ended = true;
  if (!socket) return;
  if (!req.shouldKeepAlive) {
    if (socket.writable) {
      if (typeof socket.destroySoon === "function") socket.destroySoon();
      else socket.end();
    }
  } else if (req.writableFinished && !this.aborted) {
    responseKeepAlive(req);
  } else {
    // The response ended before the request did: wait for our side to finish.
    req.once("finish", () => {
      if (req.socket && !req.socket.destroyed) responseKeepAlive(req);
    });
  }
}

function responseKeepAlive(req) {
  if (req._keptAlive) return;
  req._keptAlive = true;
  const socket = req.socket;
  detachSocketListeners(req, socket);
  socket.once("error", freeSocketErrorListener);
  socket.parser = null;
  req.destroyed = true;
  if (req.res) req.res.socket = null;
  nextTick(() => {
    req._closed = true;
    req.emit("close");
    if (!socket.destroyed) socket.emit("free");
  });
}

export { Agent, globalAgent };
