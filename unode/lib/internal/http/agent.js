// node:internal/http/agent — http.Agent: pools client sockets by
// host:port:localAddress[:family][:socketPath]; with keepAlive a socket whose
// response ended goes to freeSockets (unref'd, with the agent's timeout) and
// serves the next request for the same name; maxSockets/maxTotalSockets queue
// requests in `requests` until a socket frees.

import EventEmitter from "node:events";
import net from "node:net";
import { nextTick } from "node:internal/process/tick";
import { codes } from "node:internal/errors";
import { validateOneOf, validateNumber } from "node:internal/validators";

export function freeSocketErrorListener(err) {
  const socket = this;
  socket.destroy();
  socket.emit("agentRemove");
}

export function Agent(options) {
  if (!(this instanceof Agent)) return new Agent(options);
  EventEmitter.call(this);
  this.defaultPort = 80;
  this.protocol = "http:";
  this.options = { __proto__: null, ...options };
  if (this.options.noDelay === undefined) this.options.noDelay = true;
  this.options.path = null;
  this.requests = { __proto__: null };
  this.sockets = { __proto__: null };
  this.freeSockets = { __proto__: null };
  this.keepAliveMsecs = this.options.keepAliveMsecs || 1000;
  this.keepAlive = this.options.keepAlive || false;
  this.maxSockets = this.options.maxSockets || Agent.defaultMaxSockets;
  this.maxFreeSockets = this.options.maxFreeSockets || 256;
  this.scheduling = this.options.scheduling || "lifo";
  this.maxTotalSockets = this.options.maxTotalSockets;
  this.totalSocketCount = 0;
  validateOneOf(this.scheduling, "scheduling", ["fifo", "lifo"]);
  if (this.maxTotalSockets !== undefined) validateNumber(this.maxTotalSockets, "maxTotalSockets", 1);
  else this.maxTotalSockets = Infinity;
  this.on("free", (socket, opts) => this._onFree(socket, opts));
}
Object.setPrototypeOf(Agent.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Agent, EventEmitter);
Object.defineProperty(Agent.prototype, "constructor", { value: Agent, writable: true, configurable: true });

Agent.defaultMaxSockets = Infinity;

const proto = Agent.prototype;

proto.createConnection = net.createConnection;

proto.getName = function getName(options = {}) {
  let name = options.host || "localhost";
  name += ":";
  if (options.port) name += options.port;
  name += ":";
  if (options.localAddress) name += options.localAddress;
  if (options.family === 4 || options.family === 6) name += `:${options.family}`;
  if (options.socketPath) name += `:${options.socketPath}`;
  return name;
};

proto._onFree = function _onFree(socket, options) {
  const name = this.getName(options);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const requests = this.requests[name];
  if (requests && requests.length) {
    const req = requests.shift();
    if (requests.length === 0) delete this.requests[name];
    setRequestSocket(this, req, socket);
    return;
  }
  const req = socket._httpMessage;
  if (!req || !req.shouldKeepAlive || !this.keepAlive) {
    socket.destroy();
    return;
  }
  const freeSockets = this.freeSockets[name] || [];
  const freeLen = freeSockets.length;
  let count = freeLen;
  if (this.sockets[name]) count += this.sockets[name].length;
  if (this.totalSocketCount > this.maxTotalSockets || count > this.maxSockets || freeLen >= this.maxFreeSockets ||
      !this.keepSocketAlive(socket)) {
    socket.destroy();
    return;
  }
  this.freeSockets[name] = freeSockets;
  socket._httpMessage = null;
  removeFrom(this.sockets, name, socket);
  socket.removeListener("error", freeSocketErrorListener);
  socket.once("error", freeSocketErrorListener);
  freeSockets.push(socket);
};

function removeFrom(sets, name, socket) {
  const list = sets[name];
  if (!list) return false;
  const i = list.indexOf(socket);
  if (i === -1) return false;
  list.splice(i, 1);
  if (list.length === 0) delete sets[name];
  return true;
}

function setRequestSocket(agent, req, socket) {
  req.onSocket(socket);
  const agentTimeout = agent.options.timeout || 0;
  if (req.timeout === undefined || req.timeout === agentTimeout) return;
  socket.setTimeout(req.timeout);
}

proto.addRequest = function addRequest(req, options, port, localAddress) {
  if (typeof options === "string") options = { __proto__: null, host: options, port, localAddress };
  options = { __proto__: null, ...options, ...this.options };
  if (options.socketPath) options.path = options.socketPath;
  const name = this.getName(options);
  if (!this.sockets[name]) this.sockets[name] = [];
  const freeSockets = this.freeSockets[name];
  let socket;
  if (freeSockets) {
    while (freeSockets.length && freeSockets[0].destroyed) freeSockets.shift();
    socket = this.scheduling === "fifo" ? freeSockets.shift() : freeSockets.pop();
    if (!freeSockets.length) delete this.freeSockets[name];
  }
  const freeLen = freeSockets ? freeSockets.length : 0;
  const sockLen = freeLen + this.sockets[name].length;
  if (socket) {
    this.reuseSocket(socket, req);
    setRequestSocket(this, req, socket);
    this.sockets[name].push(socket);
  } else if (sockLen < this.maxSockets && this.totalSocketCount < this.maxTotalSockets) {
    this.createSocket(req, options, (err, s) => {
      if (err) req.onSocket(s, err);
      else setRequestSocket(this, req, s);
    });
  } else {
    if (!this.requests[name]) this.requests[name] = [];
    req._agentOptions = options;
    this.requests[name].push(req);
  }
};

proto.createSocket = function createSocket(req, options, cb) {
  options = { __proto__: null, ...options, ...this.options };
  if (options.socketPath) options.path = options.socketPath;
  const name = this.getName(options);
  options._agentKey = name;
  options.encoding = null;
  let called = false;
  const oncreate = (err, s) => {
    if (called) return;
    called = true;
    if (err) return cb(err);
    if (!this.sockets[name]) this.sockets[name] = [];
    this.sockets[name].push(s);
    this.totalSocketCount++;
    installListeners(this, s, options);
    cb(null, s);
  };
  if (this.keepAlive) {
    options.keepAlive = this.keepAlive;
    options.keepAliveInitialDelay = this.keepAliveMsecs;
  }
  let s;
  try {
    s = this.createConnection(options, oncreate);
  } catch (err) {
    nextTick(oncreate, err);
    return;
  }
  if (s) oncreate(null, s);
};

function installListeners(agent, s, options) {
  function onFree() {
    agent.emit("free", s, options);
  }
  function onClose() {
    agent.totalSocketCount--;
    agent.removeSocket(s, options);
  }
  function onTimeout() {
    const free = agent.freeSockets;
    for (const name of Object.keys(free)) {
      if (free[name].includes(s)) {
        s.destroy();
        return;
      }
    }
  }
  function onRemove() {
    agent.totalSocketCount--;
    agent.removeSocket(s, options);
    s.removeListener("close", onClose);
    s.removeListener("free", onFree);
    s.removeListener("timeout", onTimeout);
    s.removeListener("agentRemove", onRemove);
  }
  s.on("free", onFree);
  s.on("close", onClose);
  s.on("timeout", onTimeout);
  s.on("agentRemove", onRemove);
}

proto.removeSocket = function removeSocket(s, options) {
  const name = this.getName(options);
  removeFrom(this.sockets, name, s);
  removeFrom(this.freeSockets, name, s);
  let req;
  if (this.requests[name] && this.requests[name].length) {
    req = this.requests[name][0];
  } else {
    // Under maxTotalSockets, a request waiting for another name may go now.
    for (const other of Object.keys(this.requests)) {
      if (this.requests[other].length && (this.sockets[other]?.length ?? 0) < this.maxSockets) {
        req = this.requests[other][0];
        options = req._agentOptions;
        break;
      }
    }
  }
  if (req && options && this.totalSocketCount < this.maxTotalSockets) {
    const n = this.getName(options);
    if ((this.sockets[n]?.length ?? 0) < this.maxSockets) {
      this.createSocket(req, options, (err, socket) => {
        if (err) {
          const list = this.requests[n];
          if (list) {
            const i = list.indexOf(req);
            if (i !== -1) list.splice(i, 1);
            if (!list.length) delete this.requests[n];
          }
          req.onSocket(socket, err);
        } else socket.emit("free");
      });
    }
  }
};

proto.keepSocketAlive = function keepSocketAlive(socket) {
  socket.setKeepAlive?.(true, this.keepAliveMsecs);
  socket.unref?.();
  let agentTimeout = this.options.timeout || 0;
  let canKeep = true;
  const res = socket._httpMessage?.res;
  if (res) {
    const hint = res.headers["keep-alive"];
    if (hint) {
      const m = /^timeout=(\d+)/.exec(hint);
      if (m) {
        const serverHint = +m[1] * 1000 - 1000;
        if (serverHint < 0) canKeep = false;
        else if (serverHint < agentTimeout) agentTimeout = serverHint;
      }
    }
  }
  if (socket.timeout !== agentTimeout) socket.setTimeout(agentTimeout);
  return canKeep;
};

proto.reuseSocket = function reuseSocket(socket, req) {
  socket.removeListener("error", freeSocketErrorListener);
  req.reusedSocket = true;
  socket.ref?.();
};

proto.destroy = function destroy() {
  for (const set of [this.freeSockets, this.sockets]) {
    for (const name of Object.keys(set)) {
      for (const s of [...set[name]]) s.destroy();
    }
  }
};

export const globalAgent = new Agent({ keepAlive: true, scheduling: "lifo", timeout: 5000 });
/** The agent http.request uses by default (http.globalAgent may be reassigned). */
export const agentState = { globalAgent };
