// node:internal/dns/resolver — a stub resolver in JavaScript: DNS queries
// over UDP (node:dgram) to the nameservers of /etc/resolv.conf (or those given
// to setServers), with the per-try timeout and the number of tries from
// resolv.conf's `options timeout:N attempts:N` (or the Resolver options), a
// retry over TCP when a reply comes back truncated, and Node's error codes
// (ENOTFOUND, ENODATA, ETIMEOUT, ECONNREFUSED, EBADRESP, ECANCELLED, …).
// Also the /etc/hosts table used by lookup().

import { readFile, stat } from "jsk:sys";
import { getrandom } from "jsk:sys";
import { setTimeout as loopSetTimeout, clearTimeout as loopClearTimeout } from "jsk:loop";
import { isIP, isIPv4, isIPv6 } from "node:internal/net/util";
import { encodeQuery, parseMessage, TYPES } from "node:internal/dns/wire";
import * as dgram from "node:dgram";
import { Socket as NetSocket } from "node:net";
import { Buffer } from "node:buffer";

// ---- errors -------------------------------------------------------------------

/** A c-ares style error: "queryA ENOTFOUND example.invalid" with code, syscall, hostname. */
export function dnsException(code, syscall, hostname) {
  const err = new Error(`${syscall} ${code}${hostname ? ` ${hostname}` : ""}`);
  err.errno = undefined;
  err.code = code;
  err.syscall = syscall;
  if (hostname) err.hostname = hostname;
  return err;
}

const rcodeErrors = { 1: "EFORMERR", 2: "ESERVFAIL", 3: "ENOTFOUND", 4: "ENOTIMP", 5: "EREFUSED" };

// ---- configuration ----------------------------------------------------------------

let confCache = null;
let confMtime = -1;

/** { servers: [{address, port, family}], timeout (ms), attempts } of /etc/resolv.conf. */
export function resolvConf() {
  let mtime = 0;
  try { mtime = stat("/etc/resolv.conf").mtimeMs; } catch { mtime = 0; }
  if (confCache && mtime === confMtime) return confCache;
  const conf = { servers: [], timeout: 5000, attempts: 4, ndots: 1, search: [] };
  let text = "";
  try { text = readFile("/etc/resolv.conf", "utf8"); } catch { /* none: localhost */ }
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === "nameserver" && rest[0]) {
      const s = parseServer(rest[0]);
      if (s) conf.servers.push(s);
    } else if (key === "options") {
      for (const opt of rest) {
        const m = /^(timeout|attempts|ndots):(\d+)$/.exec(opt);
        if (!m) continue;
        const v = +m[2];
        if (m[1] === "timeout") conf.timeout = Math.max(1, Math.min(v, 30)) * 1000;
        else if (m[1] === "attempts") conf.attempts = Math.max(1, Math.min(v, 5));
        else conf.ndots = v;
      }
    } else if (key === "search" || key === "domain") {
      conf.search = rest;
    }
  }
  if (conf.servers.length === 0) {
    conf.servers.push({ address: "127.0.0.1", port: 53, family: 4 });
  }
  confCache = conf;
  confMtime = mtime;
  return conf;
}

/** "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53", "fe80::1%2" as {address, port, family}, or null. */
export function parseServer(s) {
  if (typeof s !== "string") return null;
  let m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (m) {
    if (!isIPv6(m[1])) return null;
    const port = m[2] === undefined ? 53 : +m[2];
    return port > 0 && port < 65536 ? { address: m[1], port, family: 6 } : null;
  }
  if (isIPv6(s)) return { address: s, port: 53, family: 6 };
  m = /^([0-9.]+)(?::(\d+))?$/.exec(s);
  if (m && isIPv4(m[1])) {
    const port = m[2] === undefined ? 53 : +m[2];
    return port > 0 && port < 65536 ? { address: m[1], port, family: 4 } : null;
  }
  return null;
}

export function formatServer(s) {
  if (s.port === 53) return s.address;
  return s.family === 6 ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

// ---- /etc/hosts ------------------------------------------------------------------------

let hostsCache = null;
let hostsMtime = -1;

/** Map of lower-case name -> [{address, family}] in file order, plus reverse map. */
export function hostsTable() {
  let mtime = 0;
  try { mtime = stat("/etc/hosts").mtimeMs; } catch { mtime = 0; }
  if (hostsCache && mtime === hostsMtime) return hostsCache;
  const byName = new Map();
  const byAddress = new Map();
  let text = "";
  try { text = readFile("/etc/hosts", "utf8"); } catch { /* no hosts file */ }
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const [addr, ...names] = line.split(/\s+/);
    const family = isIP(addr.split("%")[0]);
    if (!family || names.length === 0) continue;
    for (const n of names) {
      const key = n.toLowerCase();
      let list = byName.get(key);
      if (!list) byName.set(key, list = []);
      if (!list.some((e) => e.address === addr)) list.push({ address: addr, family });
    }
    if (!byAddress.has(addr)) byAddress.set(addr, names[0]);
  }
  hostsCache = { byName, byAddress };
  hostsMtime = mtime;
  return hostsCache;
}

// ---- queries ----------------------------------------------------------------------------

const idBuf = new Uint16Array(1);
function randomId() {
  try { getrandom(idBuf); return idBuf[0]; } catch { return (Math.random() * 65536) | 0; }
}

const noop = () => {};

class Query {
  constructor(core, name, type, syscall, cb) {
    this.core = core;
    this.name = name;
    this.type = type;
    this.syscall = syscall;
    this.cb = cb;
    this.servers = core.serverList();
    this.timeout = core.timeoutMs();
    this.tries = core.triesCount();
    this.round = 0;
    this.index = -1;
    this.refused = 0;
    this.attempts = 0;
    this.sock = null;
    this.timer = null;
    this.done = false;
    this.id = randomId();
    this.packet = encodeQuery(this.id, name, type);
  }

  start() {
    if (this.packet === null) {
      queueMicrotask(() => this.finish(dnsException("EBADNAME", this.syscall, this.name)));
      return;
    }
    this.core.pending.add(this);
    this.next();
  }

  next() {
    if (this.done) return;
    this.closeSocket();
    this.index++;
    if (this.index >= this.servers.length) {
      this.index = 0;
      this.round++;
    }
    if (this.round >= this.tries || this.servers.length === 0) {
      const code = this.attempts > 0 && this.refused === this.attempts ? "ECONNREFUSED" : "ETIMEOUT";
      this.finish(dnsException(code, this.syscall, this.name));
      return;
    }
    const server = this.servers[this.index];
    this.attempts++;
    let ms = this.timeout * 2 ** this.round;
    if (this.core.maxTimeout > 0 && ms > this.core.maxTimeout) ms = this.core.maxTimeout;
    this.timer = loopSetTimeout(() => { this.timer = null; this.next(); }, ms);
    const sock = dgram.createSocket(server.family === 6 ? "udp6" : "udp4");
    this.sock = sock;
    sock.on("error", (err) => {
      if (this.sock !== sock) return;
      if (err.code === "ECONNREFUSED") this.refused++;
      this.clearTimer();
      this.next();
    });
    sock.on("message", (msg) => { if (this.sock === sock) this.onReply(msg, server); });
    const local = server.family === 6 ? this.core.local6 : this.core.local4;
    const connect = () => {
      sock.connect(server.port, server.address, () => {
        if (this.sock === sock) sock.send(this.packet, noop);
      });
    };
    if (local) sock.bind({ address: local, port: 0 }, connect);
    else connect();
  }

  onReply(msg, server) {
    let m;
    try {
      m = parseMessage(msg);
    } catch {
      if (msg.length >= 2 && ((msg[0] << 8) | msg[1]) === this.id) {
        this.finish(dnsException("EBADRESP", this.syscall, this.name));
      }
      return;
    }
    if (!this.matches(m)) return; // not ours: keep waiting
    if (m.tc) { this.overTcp(server); return; }
    this.answer(m);
  }

  matches(m) {
    if (m.id !== this.id || !m.qr) return false;
    if (m.question.length === 0) return m.rcode !== 0; // some servers drop the question on errors
    const q = m.question[0];
    return q.type === this.type && q.name.toLowerCase() === this.name.replace(/\.$/, "").toLowerCase();
  }

  answer(m) {
    if (m.rcode !== 0) {
      this.finish(dnsException(rcodeErrors[m.rcode] ?? "EBADRESP", this.syscall, this.name));
      return;
    }
    this.finish(null, m);
  }

  overTcp(server) {
    this.closeSocket();
    this.clearTimer();
    const sock = new NetSocket();
    this.tcp = sock;
    const chunks = [];
    let total = 0;
    const fail = () => { if (this.tcp === sock) { this.tcp = null; sock.destroy(); this.next(); } };
    this.timer = loopSetTimeout(() => { this.timer = null; fail(); }, this.timeout);
    sock.on("error", fail);
    sock.on("data", (d) => {
      chunks.push(d);
      total += d.length;
      if (total < 2) return;
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
      const len = (all[0] << 8) | all[1];
      if (total < 2 + len) return;
      this.tcp = null;
      sock.destroy();
      this.clearTimer();
      let m;
      try { m = parseMessage(all.subarray(2, 2 + len)); } catch {
        this.finish(dnsException("EBADRESP", this.syscall, this.name));
        return;
      }
      if (!this.matches(m)) { this.finish(dnsException("EBADRESP", this.syscall, this.name)); return; }
      this.answer(m);
    });
    sock.on("end", fail);
    sock.connect(server.port, server.address, () => {
      const framed = new Uint8Array(2 + this.packet.length);
      framed[0] = this.packet.length >> 8;
      framed[1] = this.packet.length & 255;
      framed.set(this.packet, 2);
      sock.write(framed);
    });
  }

  clearTimer() {
    if (this.timer !== null) { loopClearTimeout(this.timer); this.timer = null; }
  }

  closeSocket() {
    if (this.sock !== null) {
      const s = this.sock;
      this.sock = null;
      try { s.close(); } catch { /* closed */ }
    }
    if (this.tcp) { const t = this.tcp; this.tcp = null; t.destroy(); }
  }

  finish(err, m) {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    this.closeSocket();
    this.core.pending.delete(this);
    this.cb(err, m);
  }

  cancel() {
    this.finish(dnsException("ECANCELLED", this.syscall, this.name));
  }
}

/** The engine behind a dns.Resolver: servers, timeouts, queries in flight. */
export class ResolverCore {
  constructor(options = {}) {
    this.timeout = options.timeout ?? -1;
    this.tries = options.tries ?? -1;
    this.maxTimeout = options.maxTimeout ?? 0;
    this.servers = null; // null: resolv.conf's
    this.pending = new Set();
    this.local4 = null;
    this.local6 = null;
  }

  serverList() { return this.servers ?? resolvConf().servers; }
  timeoutMs() { return this.timeout >= 0 ? this.timeout : resolvConf().timeout; }
  triesCount() { return this.tries > 0 ? this.tries : resolvConf().attempts; }

  /** cb(err, message) for one question. */
  query(name, type, syscall, cb) {
    const q = new Query(this, name, type, syscall, cb);
    q.start();
    return q;
  }

  cancel() {
    for (const q of [...this.pending]) q.cancel();
  }
}

// ---- extracting answers ------------------------------------------------------------------

/** The records of `type` that answer `name` (following CNAMEs in the answer section). */
export function recordsFor(m, name, type) {
  const names = new Set([name.replace(/\.$/, "").toLowerCase()]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of m.answers) {
      if (r.type === TYPES.CNAME && type !== TYPES.CNAME && names.has(r.name.toLowerCase())) {
        const t = r.value.toLowerCase();
        if (!names.has(t)) { names.add(t); grew = true; }
      }
    }
  }
  return m.answers.filter((r) => r.type === type && names.has(r.name.toLowerCase()));
}

export { TYPES };
