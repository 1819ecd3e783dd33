// node:dns — lookup (hosts file, then the resolver, as getaddrinfo), the
// resolve* family and reverse over a DNS client written in JavaScript
// (node:internal/dns/*), Resolver, setServers/getServers, lookupService, and
// dns.promises.

import {
  delegateTo, ResolverBase, constants, ADDRCONFIG, V4MAPPED, ALL, lookup, lookupService, getDefaultResultOrder,
  setDefaultResultOrder,
} from "node:internal/dns/api";
import promises from "node:dns/promises";

export class Resolver extends ResolverBase {}

const defaultResolver = new Resolver();

export function getServers() { return defaultResolver.getServers(); }
export function setServers(servers) { defaultResolver.setServers(servers); }

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

export { lookup, lookupService, getDefaultResultOrder, setDefaultResultOrder, ADDRCONFIG, V4MAPPED, ALL, promises };

export const {
  NODATA, FORMERR, SERVFAIL, NOTFOUND, NOTIMP, REFUSED, BADQUERY, BADNAME, BADFAMILY, BADRESP, CONNREFUSED,
  TIMEOUT, EOF, FILE, NOMEM, DESTRUCTION, BADSTR, BADFLAGS, NONAME, BADHINTS, NOTINITIALIZED, LOADIPHLPAPI,
  ADDRGETNETWORKPARAMS, CANCELLED,
} = constants;

export default {
  lookup, lookupService, Resolver, getDefaultResultOrder, setDefaultResultOrder, setServers,
  ADDRCONFIG, ALL, V4MAPPED, ...constants,
  getServers, resolve, resolve4, resolve6, resolveAny, resolveCaa, resolveCname, resolveMx, resolveNaptr,
  resolveNs, resolvePtr, resolveSoa, resolveSrv, resolveTxt, reverse, promises,
};
