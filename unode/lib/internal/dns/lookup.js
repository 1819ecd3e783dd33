// node:internal/dns/lookup — dns.lookup as getaddrinfo does it: IP literals
// answered at once, then /etc/hosts, then A/AAAA queries through the JS
// resolver (search domains of resolv.conf for dot-less names). 'localhost'
// (and *.localhost) always resolves to the loopback addresses when the hosts
// file says nothing for the family asked. Errors are Node's getaddrinfo ones
// ("getaddrinfo ENOTFOUND host", errno -3008; EAI_AGAIN, errno -3001).

import { nextTick } from "node:internal/process/tick";
import { codes } from "node:internal/errors";
import { validateString, validateFunction, validateNumber, validateBoolean, validateOneOf } from "node:internal/validators";
import { isIP } from "node:internal/net/util";
import { hostsTable, resolvConf, ResolverCore, recordsFor } from "node:internal/dns/resolver";
import { TYPES } from "node:internal/dns/wire";

const { ERR_INVALID_ARG_TYPE } = codes;

let defaultOrder = "verbatim";
export function getDefaultResultOrder() { return defaultOrder; }
export function setDefaultResultOrder(order) {
  validateOneOf(order, "dnsOrder", ["verbatim", "ipv4first", "ipv6first"]);
  defaultOrder = order;
}

const UV_EAI_NONAME = -3008, UV_EAI_AGAIN = -3001;

export function getaddrinfoError(code, hostname) {
  const err = new Error(`getaddrinfo ${code} ${hostname}`);
  err.errno = code === "ENOTFOUND" ? UV_EAI_NONAME : code === "EAI_AGAIN" ? UV_EAI_AGAIN : undefined;
  err.code = code;
  err.syscall = "getaddrinfo";
  err.hostname = hostname;
  return err;
}

let core = null; // getaddrinfo's own resolver: not changed by dns.setServers
function lookupCore() {
  if (core === null) core = new ResolverCore({});
  return core;
}

let warned = false;

/** dns.lookup(hostname[, options], callback). */
export function lookup(hostname, options, callback) {
  let hints = 0, family = 0, all = false, order = defaultOrder;
  if (hostname) validateString(hostname, "hostname");
  if (typeof options === "function") {
    callback = options;
  } else if (typeof options === "number") {
    validateFunction(callback, "callback");
    validateOneOf(options, "family", [0, 4, 6]);
    family = options;
  } else if (options !== undefined && (typeof options !== "object" || options === null)) {
    validateFunction(arguments.length === 2 ? options : callback, "callback");
    throw ERR_INVALID_ARG_TYPE("options", ["integer", "object"], options);
  } else {
    validateFunction(callback, "callback");
    if (options?.hints != null) {
      validateNumber(options.hints, "hints");
      hints = options.hints >>> 0;
    }
    if (options?.family != null) {
      if (options.family === "IPv4") family = 4;
      else if (options.family === "IPv6") family = 6;
      else {
        validateOneOf(options.family, "options.family", [0, 4, 6]);
        family = options.family;
      }
    }
    if (options?.all != null) {
      validateBoolean(options.all, "options.all");
      all = options.all;
    }
    if (options?.verbatim != null) {
      validateBoolean(options.verbatim, "options.verbatim");
      order = options.verbatim ? "verbatim" : "ipv4first";
    }
    if (options?.order != null) {
      validateOneOf(options.order, "options.order", ["ipv4first", "ipv6first", "verbatim"]);
      order = options.order;
    }
  }
  void hints;
  if (!hostname) {
    if (!warned && globalThis.process?.emitWarning) {
      warned = true;
      globalThis.process.emitWarning(`The provided hostname "${hostname}" is not a valid hostname, and is supported in the dns module solely for compatibility.`, "DeprecationWarning", "DEP0118");
    }
    if (all) nextTick(callback, null, []);
    else nextTick(callback, null, null, family === 6 ? 6 : 4);
    return {};
  }
  const literal = isIP(hostname);
  if (literal) {
    if (all) nextTick(callback, null, [{ address: hostname, family: literal }]);
    else nextTick(callback, null, hostname, literal);
    return {};
  }
  resolveAddresses(hostname, family, (err, list) => {
    if (err) { callback(err); return; }
    if (order === "ipv4first") list = list.filter((a) => a.family === 4).concat(list.filter((a) => a.family === 6));
    else if (order === "ipv6first") list = list.filter((a) => a.family === 6).concat(list.filter((a) => a.family === 4));
    if (all) callback(null, list);
    else callback(null, list[0].address, list[0].family);
  });
  return {};
}

/** cb(err, [{address, family}]) for a name that is not an IP literal. */
export function resolveAddresses(hostname, family, cb) {
  const key = hostname.toLowerCase().replace(/\.$/, "");
  const hosts = hostsTable().byName.get(key);
  if (hosts) {
    const list = hosts.filter((h) => family === 0 || h.family === family).map((h) => ({ address: h.address, family: h.family }));
    if (list.length > 0) { nextTick(cb, null, list); return; }
  }
  if (key === "localhost" || key.endsWith(".localhost")) {
    const list = [];
    if (family !== 6 && !(hosts && hosts.some((h) => h.family === 4))) list.push({ address: "127.0.0.1", family: 4 });
    if (family !== 4 && !(hosts && hosts.some((h) => h.family === 6))) list.push({ address: "::1", family: 6 });
    if (list.length > 0) { nextTick(cb, null, list); return; }
  }
  const conf = resolvConf();
  const candidates = [];
  const dots = key.split(".").length - 1;
  if (dots < conf.ndots) for (const d of conf.search) candidates.push(`${key}.${d}`);
  candidates.push(key);
  tryCandidates(candidates, 0, family, hostname, cb, false);
}

function tryCandidates(names, i, family, hostname, cb, sawTimeout) {
  const name = names[i];
  const types = family === 4 ? [TYPES.A] : family === 6 ? [TYPES.AAAA] : [TYPES.A, TYPES.AAAA];
  const results = new Array(types.length);
  let left = types.length;
  let timedOut = sawTimeout;
  types.forEach((type, k) => {
    lookupCore().query(name, type, "getaddrinfo", (err, m) => {
      if (err) {
        if (err.code === "ETIMEOUT" || err.code === "ECONNREFUSED" || err.code === "ESERVFAIL") timedOut = true;
        results[k] = [];
      } else {
        results[k] = recordsFor(m, name, type).map((r) => ({ address: r.address, family: type === TYPES.A ? 4 : 6 }));
      }
      if (--left > 0) return;
      const list = results.flat();
      if (list.length > 0) cb(null, list);
      else if (i + 1 < names.length) tryCandidates(names, i + 1, family, hostname, cb, timedOut);
      else cb(getaddrinfoError(timedOut ? "EAI_AGAIN" : "ENOTFOUND", hostname));
    });
  });
}
