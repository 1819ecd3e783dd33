// node:https — present so that packages which load it load, but without TLS.
// Agent (an http.Agent for port 443 and "https:") and globalAgent exist;
// request()/get() return a ClientRequest that emits 'error' with
// ERR_NOT_IMPLEMENTED ("TLS is not available in unode") when it would
// connect; Server/createServer throw it.

import { Agent as HttpAgent, ClientRequest } from "node:http";
import { URL, urlToHttpOptions } from "node:url";
import { tlsNotAvailable } from "node:tls";

export function Agent(options) {
  if (!(this instanceof Agent)) return new Agent(options);
  HttpAgent.call(this, options);
  this.defaultPort = 443;
  this.protocol = "https:";
  this.maxCachedSessions = this.options.maxCachedSessions ?? 100;
  this._sessionCache = { map: {}, list: [] };
}
Object.setPrototypeOf(Agent.prototype, HttpAgent.prototype);
Object.setPrototypeOf(Agent, HttpAgent);
Object.defineProperty(Agent.prototype, "constructor", { value: Agent, writable: true, configurable: true });

Agent.prototype.createConnection = function createConnection() {
  throw tlsNotAvailable("https.request");
};

export const globalAgent = new Agent({ keepAlive: true, scheduling: "lifo", timeout: 5000 });

export function Server() {
  throw tlsNotAvailable("https.Server");
}

export function createServer() {
  throw tlsNotAvailable("https.createServer");
}

export function request(...args) {
  let options = {};
  if (typeof args[0] === "string") options = urlToHttpOptions(new URL(args.shift()));
  else if (args[0] instanceof URL) options = urlToHttpOptions(args.shift());
  if (args[0] && typeof args[0] !== "function") Object.assign(options, args.shift());
  options._defaultAgent = globalAgent;
  if (options.agent === undefined && typeof options.createConnection !== "function") options.agent = globalAgent;
  return new ClientRequest(options, ...args);
}

export function get(...args) {
  const req = request(...args);
  req.end();
  return req;
}

export default { Agent, globalAgent, Server, createServer, get, request };
