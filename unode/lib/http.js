// node:http — HTTP/1.1 server and client as Node 20 has them: createServer /
// Server (over net.Server), IncomingMessage, OutgoingMessage, ServerResponse,
// request/get → ClientRequest, Agent and globalAgent, METHODS, STATUS_CODES,
// maxHeaderSize, validateHeaderName/Value. The pieces live in
// node:internal/http/*; the parser is node:internal/http/parser.

import net from "node:net";
import { validateObject, validateInteger } from "node:internal/validators";
import { METHODS, STATUS_CODES, validateHeaderName, validateHeaderValue } from "node:internal/http/common";
import { IncomingMessage } from "node:internal/http/incoming";
import { OutgoingMessage } from "node:internal/http/outgoing";
import {
  ServerResponse, connectionListener, setupServer, startConnectionsCheck, stopConnectionsCheck,
  closeAllConnections, closeIdleConnections,
} from "node:internal/http/server";
import { ClientRequest } from "node:internal/http/client";
import { Agent, globalAgent as defaultAgent, agentState } from "node:internal/http/agent";

export function Server(options, requestListener) {
  if (!(this instanceof Server)) return new Server(options, requestListener);
  if (typeof options === "function") {
    requestListener = options;
    options = {};
  } else if (options == null) {
    options = {};
  } else {
    validateObject(options, "options");
  }
  net.Server.call(this, {
    noDelay: options.noDelay ?? true,
    allowHalfOpen: true,
    keepAlive: options.keepAlive,
    keepAliveInitialDelay: options.keepAliveInitialDelay,
    highWaterMark: options.highWaterMark,
  });
  setupServer(this, options);
  if (requestListener) this.on("request", requestListener);
  this.on("listening", () => startConnectionsCheck(this));
  this.once("close", () => stopConnectionsCheck(this));
}
Object.setPrototypeOf(Server.prototype, net.Server.prototype);
Object.setPrototypeOf(Server, net.Server);
Object.defineProperty(Server.prototype, "constructor", { value: Server, writable: true, configurable: true });

Server.prototype.setTimeout = function setTimeout(msecs, callback) {
  this.timeout = msecs;
  if (callback) this.on("timeout", callback);
  return this;
};

Server.prototype.close = function close(cb) {
  stopConnectionsCheck(this);
  closeIdleConnections(this);
  return net.Server.prototype.close.call(this, cb);
};

Server.prototype.closeAllConnections = function () {
  closeAllConnections(this);
};

Server.prototype.closeIdleConnections = function () {
  closeIdleConnections(this);
};

if (Symbol.asyncDispose) {
  Server.prototype[Symbol.asyncDispose] = function () {
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  };
}

export function createServer(options, requestListener) {
  return new Server(options, requestListener);
}

export function request(url, options, cb) {
  return new ClientRequest(url, options, cb);
}

export function get(url, options, cb) {
  const req = request(url, options, cb);
  req.end();
  return req;
}

export const maxHeaderSize = 16384;

/** Parsers are not pooled in unode: only the argument is checked. */
export function setMaxIdleHTTPParsers(max) {
  validateInteger(max, "max", 1);
}

export const globalAgent = defaultAgent;
export const _connectionListener = connectionListener;

export {
  METHODS, STATUS_CODES, Agent, ClientRequest, IncomingMessage, OutgoingMessage, ServerResponse,
  validateHeaderName, validateHeaderValue,
};

const http = {
  _connectionListener: connectionListener,
  METHODS,
  STATUS_CODES,
  Agent,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  Server,
  ServerResponse,
  createServer,
  validateHeaderName,
  validateHeaderValue,
  get,
  request,
  setMaxIdleHTTPParsers,
  maxHeaderSize,
};
// Assigning http.globalAgent changes the agent request() uses, as in Node.
Object.defineProperty(http, "globalAgent", {
  get() { return agentState.globalAgent; },
  set(v) { agentState.globalAgent = v; },
  enumerable: true,
  configurable: true,
});

export default http;
