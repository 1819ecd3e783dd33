// node:dns/promises — the promise forms of node:dns (dns.promises).

import {
  delegateTo, ResolverBase, constants, lookup as lookupCb, lookupService as lookupServiceCb, getDefaultResultOrder,
  setDefaultResultOrder,
} from "node:internal/dns/api";

const names = [
  "resolve", "resolve4", "resolve6", "resolveAny", "resolveCaa", "resolveCname", "resolveMx", "resolveNaptr",
  "resolveNs", "resolvePtr", "resolveSoa", "resolveSrv", "resolveTxt", "reverse",
];

const kBase = Symbol("kBase");

/** dns.promises.Resolver: each resolve* returns a promise. */
export class Resolver {
  constructor(options) { this[kBase] = new ResolverBase(options); }
  cancel() { this[kBase].cancel(); }
  getServers() { return this[kBase].getServers(); }
  setServers(servers) { this[kBase].setServers(servers); }
  setLocalAddress(ipv4, ipv6) { this[kBase].setLocalAddress(ipv4, ipv6); }
}

for (const name of names) {
  Object.defineProperty(Resolver.prototype, name, {
    value: {
      [name](...args) {
        return new Promise((resolve, reject) => {
          this[kBase][name](...args, (err, value) => (err ? reject(err) : resolve(value)));
        });
      },
    }[name],
    writable: true, configurable: true, enumerable: false,
  });
}

const defaultResolver = new Resolver();

export function getServers() { return defaultResolver.getServers(); }
export function setServers(servers) { defaultResolver.setServers(servers); }

/** Resolves to {address, family}, or to [{address, family}] with `all`. */
export function lookup(hostname, options) {
  return new Promise((resolve, reject) => {
    let all = false;
    if (options && typeof options === "object") all = !!options.all;
    lookupCb(hostname, options === undefined ? {} : options, (err, address, family) => {
      if (err) reject(err);
      else if (all) resolve(address);
      else resolve({ address, family });
    });
  });
}

export function lookupService(address, port) {
  return new Promise((resolve, reject) => {
    lookupServiceCb(address, port, (err, hostname, service) => (err ? reject(err) : resolve({ hostname, service })));
  });
}

const bound = (name) => delegateTo(defaultResolver, name);

export const resolve = bound("resolve");
export const resolve4 = bound("resolve4");
export const resolve6 = bound("resolve6");
export const resolveAny = bound("resolveAny");
export const resolveCaa = bound("resolveCaa");
export const resolveCname = bound("resolveCname");
export const resolveMx = bound("resolveMx");
export const resolveNaptr = bound("resolveNaptr");
export const resolveNs = bound("resolveNs");
export const resolvePtr = bound("resolvePtr");
export const resolveSoa = bound("resolveSoa");
export const resolveSrv = bound("resolveSrv");
export const resolveTxt = bound("resolveTxt");
export const reverse = bound("reverse");

export { getDefaultResultOrder, setDefaultResultOrder, constants };

export const {
  NODATA, FORMERR, SERVFAIL, NOTFOUND, NOTIMP, REFUSED, BADQUERY, BADNAME, BADFAMILY, BADRESP, CONNREFUSED,
  TIMEOUT, EOF, FILE, NOMEM, DESTRUCTION, BADSTR, BADFLAGS, NONAME, BADHINTS, NOTINITIALIZED, LOADIPHLPAPI,
  ADDRGETNETWORKPARAMS, CANCELLED,
} = constants;

export default {
  lookup, lookupService, Resolver, getDefaultResultOrder, setDefaultResultOrder, setServers, getServers,
  ...constants, resolve, resolve4, resolve6, resolveAny, resolveCaa, resolveCname, resolveMx, resolveNaptr,
  resolveNs, resolvePtr, resolveSoa, resolveSrv, resolveTxt, reverse,
};
