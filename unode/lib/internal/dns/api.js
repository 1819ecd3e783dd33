// node:internal/dns/api — what node:dns and node:dns/promises share: the
// Resolver base (servers, cancel, local address) and the resolve* methods in
// callback form; the promise forms wrap them.

import { readFile } from "jsk:sys";
import { codes, nodeError } from "node:internal/errors";
import { validateString, validateFunction, validateArray, validateInt32, validateOneOf } from "node:internal/validators";
import { isIP, isIPv4, parseIPv6, validatePort } from "node:internal/net/util";
import { ResolverCore, recordsFor, dnsException, parseServer, formatServer, hostsTable, resolvConf } from "node:internal/dns/resolver";
import { TYPES } from "node:internal/dns/wire";
import { lookup, getDefaultResultOrder, setDefaultResultOrder, getaddrinfoError } from "node:internal/dns/lookup";

const { ERR_INVALID_ARG_VALUE } = codes;

export const constants = {
  NODATA: "ENODATA", FORMERR: "EFORMERR", SERVFAIL: "ESERVFAIL", NOTFOUND: "ENOTFOUND", NOTIMP: "ENOTIMP",
  REFUSED: "EREFUSED", BADQUERY: "EBADQUERY", BADNAME: "EBADNAME", BADFAMILY: "EBADFAMILY", BADRESP: "EBADRESP",
  CONNREFUSED: "ECONNREFUSED", TIMEOUT: "ETIMEOUT", EOF: "EOF", FILE: "EFILE", NOMEM: "ENOMEM",
  DESTRUCTION: "EDESTRUCTION", BADSTR: "EBADSTR", BADFLAGS: "EBADFLAGS", NONAME: "ENONAME", BADHINTS: "EBADHINTS",
  NOTINITIALIZED: "ENOTINITIALIZED", LOADIPHLPAPI: "ELOADIPHLPAPI", ADDRGETNETWORKPARAMS: "EADDRGETNETWORKPARAMS",
  CANCELLED: "ECANCELLED",
};
export const ADDRCONFIG = 32, V4MAPPED = 8, ALL = 16;

const ERR_INVALID_IP_ADDRESS = (ip) => nodeError(TypeError, "ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${ip}`);

// ---- record shapes as Node gives them ------------------------------------------------

function shape(type, recs, ttl) {
  switch (type) {
    case TYPES.A: case TYPES.AAAA:
      return recs.map((r) => (ttl ? { address: r.address, ttl: r.ttl } : r.address));
    case TYPES.CNAME: case TYPES.NS: case TYPES.PTR:
      return recs.map((r) => r.value);
    case TYPES.MX:
      return recs.map((r) => ({ exchange: r.exchange, priority: r.priority }));
    case TYPES.TXT:
      return recs.map((r) => r.entries);
    case TYPES.SRV:
      return recs.map((r) => ({ name: r.target, port: r.port, priority: r.priority, weight: r.weight }));
    case TYPES.NAPTR:
      return recs.map((r) => ({ flags: r.flags, service: r.service, regexp: r.regexp, replacement: r.replacement, order: r.order, preference: r.preference }));
    case TYPES.SOA: {
      const r = recs[0];
      return { nsname: r.nsname, hostmaster: r.hostmaster, serial: r.serial, refresh: r.refresh, retry: r.retry, expire: r.expire, minttl: r.minttl };
    }
    case TYPES.CAA:
      return recs.map((r) => ({ critical: r.critical, [r.tag]: r.value }));
  }
  return recs;
}

function anyShape(r) {
  switch (r.type) {
    case TYPES.A: case TYPES.AAAA: return { address: r.address, ttl: r.ttl, type: r.typeName };
    case TYPES.CNAME: case TYPES.NS: case TYPES.PTR: return { value: r.value, type: r.typeName };
    case TYPES.MX: return { exchange: r.exchange, priority: r.priority, type: "MX" };
    case TYPES.TXT: return { entries: r.entries, type: "TXT" };
    case TYPES.SRV: return { name: r.target, port: r.port, priority: r.priority, weight: r.weight, type: "SRV" };
    case TYPES.NAPTR: return { flags: r.flags, service: r.service, regexp: r.regexp, replacement: r.replacement, order: r.order, preference: r.preference, type: "NAPTR" };
    case TYPES.SOA: return { nsname: r.nsname, hostmaster: r.hostmaster, serial: r.serial, refresh: r.refresh, retry: r.retry, expire: r.expire, minttl: r.minttl, type: "SOA" };
    case TYPES.CAA: return { critical: r.critical, [r.tag]: r.value, type: "CAA" };
  }
  return null;
}

const methods = {
  resolve4: [TYPES.A, "queryA"],
  resolve6: [TYPES.AAAA, "queryAaaa"],
  resolveAny: [TYPES.ANY, "queryAny"],
  resolveCaa: [TYPES.CAA, "queryCaa"],
  resolveCname: [TYPES.CNAME, "queryCname"],
  resolveMx: [TYPES.MX, "queryMx"],
  resolveNs: [TYPES.NS, "queryNs"],
  resolveTxt: [TYPES.TXT, "queryTxt"],
  resolveSrv: [TYPES.SRV, "querySrv"],
  resolvePtr: [TYPES.PTR, "queryPtr"],
  resolveNaptr: [TYPES.NAPTR, "queryNaptr"],
  resolveSoa: [TYPES.SOA, "querySoa"],
};

export const rrtypes = {
  A: "resolve4", AAAA: "resolve6", ANY: "resolveAny", CAA: "resolveCaa", CNAME: "resolveCname", MX: "resolveMx",
  NS: "resolveNs", TXT: "resolveTxt", SRV: "resolveSrv", PTR: "resolvePtr", NAPTR: "resolveNaptr", SOA: "resolveSoa",
};

function runQuery(core, type, syscall, name, ttl, callback) {
  core.query(name, type, syscall, (err, m) => {
    if (err) { callback(err); return; }
    let result;
    if (type === TYPES.ANY) {
      result = m.answers.map(anyShape).filter((x) => x !== null);
      if (result.length === 0) { callback(dnsException("ENODATA", syscall, name)); return; }
      callback(null, result);
      return;
    }
    const recs = recordsFor(m, name, type);
    if (recs.length === 0) {
      // c-ares: an answer that is only a CNAME chain is an empty address list, not ENODATA
      if ((type === TYPES.A || type === TYPES.AAAA) && m.answers.some((r) => r.type === TYPES.CNAME)) {
        callback(null, []);
        return;
      }
      callback(dnsException("ENODATA", syscall, name));
      return;
    }
    callback(null, shape(type, recs, ttl));
  });
}

/** The reverse-lookup name of an address: 4.3.2.1.in-addr.arpa, nibbles.ip6.arpa. */
/** A module-level function `name` calling the method of that name on `resolver` (dns.resolve4, …). */
export function delegateTo(resolver, name) {
  const fn = function (...args) { return resolver[name](...args); };
  Object.defineProperty(fn, "name", { value: name });
  return fn;
}

export function reverseName(ip) {
  if (isIPv4(ip)) return ip.split(".").reverse().join(".") + ".in-addr.arpa";
  const b = parseIPv6(ip);
  const nibbles = [];
  for (let i = 15; i >= 0; i--) nibbles.push((b[i] & 15).toString(16), (b[i] >> 4).toString(16));
  return nibbles.join(".") + ".ip6.arpa";
}

const kCore = Symbol("kCore");

/** The callback Resolver (dns.Resolver). */
export class ResolverBase {
  constructor(options = undefined) {
    let timeout = -1, tries = 4, maxTimeout = 0;
    if (options !== undefined) {
      if (options === null || typeof options !== "object") throw codes.ERR_INVALID_ARG_TYPE("options", "Object", options);
      if (options.timeout !== undefined) { validateInt32(options.timeout, "options.timeout", -1); timeout = options.timeout; }
      if (options.tries !== undefined) { validateInt32(options.tries, "options.tries", 1); tries = options.tries; }
      if (options.maxTimeout !== undefined) { validateInt32(options.maxTimeout, "options.maxTimeout", 0); maxTimeout = options.maxTimeout; }
    }
    this[kCore] = new ResolverCore({ timeout, tries: options?.tries !== undefined ? tries : -1, maxTimeout });
  }

  cancel() { this[kCore].cancel(); }

  getServers() {
    const seen = new Set();
    const out = [];
    for (const s of this[kCore].serverList()) {
      const t = formatServer(s);
      if (!seen.has(t)) { seen.add(t); out.push(t); }
    }
    return out;
  }

  setServers(servers) {
    validateArray(servers, "servers");
    const list = [];
    const seen = new Set();
    servers.forEach((s, i) => {
      validateString(s, `servers[${i}]`);
      const p = parseServer(s);
      if (!p) throw ERR_INVALID_IP_ADDRESS(s);
      const key = formatServer(p);
      if (!seen.has(key)) { seen.add(key); list.push(p); }
    });
    this[kCore].servers = list;
  }

  setLocalAddress(ipv4, ipv6) {
    validateString(ipv4, "ipv4");
    if (ipv6 !== undefined) validateString(ipv6, "ipv6");
    if (isIP(ipv4) === 4) this[kCore].local4 = ipv4;
    else if (isIP(ipv4) === 6 && ipv6 === undefined) this[kCore].local6 = ipv4;
    else throw ERR_INVALID_ARG_VALUE("ipv4", ipv4, "is invalid");
    if (ipv6 !== undefined) {
      if (isIP(ipv6) !== 6) throw ERR_INVALID_ARG_VALUE("ipv6", ipv6, "is invalid");
      this[kCore].local6 = ipv6;
    }
  }

  reverse(ip, callback) {
    validateString(ip, "ip");
    validateFunction(callback, "callback");
    if (!isIP(ip)) {
      const err = dnsException("EINVAL", "getHostByAddr", ip);
      err.errno = -22;
      throw err;
    }
    const name = reverseName(ip);
    this[kCore].query(name, TYPES.PTR, "getHostByAddr", (err, m) => {
      if (err) { err.message = err.message.replace(name, ip); err.hostname = ip; callback(err); return; }
      const recs = recordsFor(m, name, TYPES.PTR);
      if (recs.length === 0) { callback(dnsException("ENODATA", "getHostByAddr", ip)); return; }
      callback(null, recs.map((r) => r.value));
    });
    return {};
  }

  resolve(hostname, rrtype, callback) {
    let method;
    if (typeof rrtype === "string") {
      method = rrtypes[rrtype];
      if (typeof method !== "string") throw ERR_INVALID_ARG_VALUE("rrtype", rrtype);
    } else if (typeof rrtype === "function") {
      method = "resolve4";
      callback = rrtype;
    } else {
      throw codes.ERR_INVALID_ARG_TYPE("rrtype", "string", rrtype);
    }
    return this[method](hostname, callback);
  }
}

for (const [method, [type, syscall]] of Object.entries(methods)) {
  Object.defineProperty(ResolverBase.prototype, method, {
    value: function (name, options, callback) {
      validateString(name, "name");
      if (typeof options === "function") {
        callback = options;
        options = {};
      }
      validateFunction(callback, "callback");
      runQuery(this[kCore], type, syscall, name, !!options?.ttl, callback);
      return {};
    },
    writable: true, configurable: true, enumerable: false,
  });
  Object.defineProperty(ResolverBase.prototype[method], "name", { value: method });
}

// ---- lookupService ----------------------------------------------------------------------

let services = null;
function serviceName(port, proto = "tcp") {
  if (services === null) {
    services = new Map();
    let text = "";
    try { text = readFile("/etc/services", "utf8"); } catch { /* none */ }
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*$/, "").trim();
      const m = /^(\S+)\s+(\d+)\/(\w+)/.exec(line);
      if (m && !services.has(`${m[2]}/${m[3]}`)) services.set(`${m[2]}/${m[3]}`, m[1]);
    }
  }
  return services.get(`${port}/${proto}`) ?? String(port);
}

const serviceCore = { core: null };

export function lookupService(address, port, callback) {
  if (arguments.length !== 3) throw codes.ERR_MISSING_ARGS("address", "port", "callback");
  validateString(address, "address");
  if (isIP(address) === 0) throw ERR_INVALID_ARG_VALUE("address", address);
  port = validatePort(port);
  validateFunction(callback, "callback");
  const service = serviceName(port);
  const known = hostsTable().byAddress.get(address);
  if (known) { queueMicrotask(() => callback(null, known, service)); return {}; }
  if (serviceCore.core === null) serviceCore.core = new ResolverCore({});
  const name = reverseName(address);
  serviceCore.core.query(name, TYPES.PTR, "getnameinfo", (err, m) => {
    const recs = err ? [] : recordsFor(m, name, TYPES.PTR);
    callback(null, recs.length ? recs[0].value : address, service);
  });
  return {};
}

export { lookup, getDefaultResultOrder, setDefaultResultOrder, getaddrinfoError, resolvConf, validateOneOf };
