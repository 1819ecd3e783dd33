// node:tls — present so that packages which load it (ws, got, database
// drivers) load, but without TLS: connect, createServer/Server, TLSSocket,
// createSecureContext/SecureContext and createSecurePair throw
// ERR_NOT_IMPLEMENTED ("TLS is not available in unode"). The pure parts
// work: the DEFAULT_* settings, checkServerIdentity (host name and IP
// checks against a certificate object's subject and subjectaltname, with
// Node's messages), convertALPNProtocols; rootCertificates is empty and
// getCiphers() returns [].

import { Buffer } from "node:buffer";
import net from "node:net";
import { nodeError } from "node:internal/errors";

/** The error every TLS operation throws. */
export function tlsNotAvailable(what) {
  return nodeError(Error, "ERR_NOT_IMPLEMENTED", `${what}: TLS is not available in unode`);
}

export const CLIENT_RENEG_LIMIT = 3;
export const CLIENT_RENEG_WINDOW = 600;
export const DEFAULT_CIPHERS = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:" +
  "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:" +
  "ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:" +
  "ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA256:HIGH:" +
  "!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA";
export const DEFAULT_ECDH_CURVE = "auto";
export const DEFAULT_MIN_VERSION = "TLSv1.2";
export const DEFAULT_MAX_VERSION = "TLSv1.3";
export const rootCertificates = Object.freeze([]);

export function getCiphers() {
  return [];
}

/** A TLS socket (a net.Socket in Node); constructing one throws. */
export function TLSSocket() {
  throw tlsNotAvailable("tls.TLSSocket");
}
Object.setPrototypeOf(TLSSocket.prototype, net.Socket.prototype);
Object.setPrototypeOf(TLSSocket, net.Socket);

export function Server() {
  throw tlsNotAvailable("tls.Server");
}
Object.setPrototypeOf(Server.prototype, net.Server.prototype);
Object.setPrototypeOf(Server, net.Server);

export function SecureContext() {
  throw tlsNotAvailable("tls.SecureContext");
}

export function createServer() {
  throw tlsNotAvailable("tls.createServer");
}

export function connect() {
  throw tlsNotAvailable("tls.connect");
}

export function createSecureContext() {
  throw tlsNotAvailable("tls.createSecureContext");
}

export function createSecurePair() {
  throw tlsNotAvailable("tls.createSecurePair");
}

/** ALPN protocol names as a length-prefixed Buffer in out.ALPNProtocols. */
export function convertALPNProtocols(protocols, out) {
  if (Array.isArray(protocols)) {
    const parts = [];
    for (const p of protocols) {
      const b = Buffer.from(p);
      if (b.length > 255) {
        throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The byte length of the protocol at index ${parts.length} exceeds the maximum length. It must be <= 255. Received ${b.length}`);
      }
      parts.push(Buffer.from([b.length]), b);
    }
    out.ALPNProtocols = Buffer.concat(parts);
  } else if (ArrayBuffer.isView(protocols)) {
    out.ALPNProtocols = Buffer.from(protocols.buffer.slice(protocols.byteOffset, protocols.byteOffset + protocols.byteLength));
  }
}

// ---- checkServerIdentity ------------------------------------------------------------

function unfqdn(host) {
  return host.replace(/[.]$/, "");
}

function splitHost(host) {
  return unfqdn(host).toLowerCase().split(".");
}

/** Does `host` match the certificate name `pattern` (a wildcard only as the whole leftmost label, or its prefix)? */
function checkName(host, pattern, wildcards) {
  const hostParts = splitHost(host), parts = splitHost(pattern);
  if (hostParts.length !== parts.length) return false;
  if (parts.includes("")) return false;
  const isBad = (s) => /[^\u0021-\u007F]/u.test(s);
  if (parts.some(isBad)) return false;
  for (let i = parts.length - 1; i > 0; i--) if (parts[i] !== hostParts[i]) return false;
  const first = parts[0], hostFirst = hostParts[0];
  if (!wildcards || parts.length <= 2 || !first.includes("*")) return first === hostFirst;
  const star = first.indexOf("*");
  if (first.indexOf("*", star + 1) !== -1) return false;
  const prefix = first.slice(0, star), suffix = first.slice(star + 1);
  if (prefix.length + suffix.length > hostFirst.length) return false;
  return hostFirst.startsWith(prefix) && hostFirst.endsWith(suffix);
}

/** undefined if `cert` is valid for `hostname`, else Node's ERR_TLS_CERT_ALTNAME_INVALID error. */
export function checkServerIdentity(hostname, cert) {
  const subject = cert.subject;
  const altNames = cert.subjectaltname;
  const dnsNames = [], ips = [];
  hostname = String(hostname);
  if (altNames) {
    for (const name of altNames.split(", ")) {
      if (name.startsWith("DNS:")) dnsNames.push(name.slice(4));
      else if (name.startsWith("IP Address:")) ips.push(name.slice(11).trim());
    }
  }
  let valid = false, reason = "Unknown reason";
  hostname = unfqdn(hostname);
  if (net.isIP(hostname)) {
    valid = ips.includes(hostname);
    if (!valid) reason = `IP: ${hostname} is not in the cert's list: ${ips.join(", ")}`;
  } else if (dnsNames.length > 0 || subject?.CN) {
    const hostParts = hostname;
    if (dnsNames.length > 0) {
      valid = dnsNames.some((n) => checkName(hostParts, n, true));
      if (!valid) reason = `Host: ${hostname}. is not in the cert's altnames: ${altNames}`;
    } else {
      const cn = subject.CN;
      valid = Array.isArray(cn) ? cn.some((n) => checkName(hostParts, n, true)) : checkName(hostParts, cn, true);
      if (!valid) reason = `Host: ${hostname}. is not cert's CN: ${cn}`;
    }
  } else {
    reason = "Cert does not contain a DNS name";
  }
  if (valid) return undefined;
  return nodeError(Error, "ERR_TLS_CERT_ALTNAME_INVALID", `Hostname/IP does not match certificate's altnames: ${reason}`, { reason, host: hostname, cert });
}

export default {
  CLIENT_RENEG_LIMIT, CLIENT_RENEG_WINDOW, DEFAULT_CIPHERS, DEFAULT_ECDH_CURVE, DEFAULT_MIN_VERSION, DEFAULT_MAX_VERSION,
  getCiphers, rootCertificates, convertALPNProtocols, checkServerIdentity, createSecureContext, SecureContext,
  TLSSocket, Server, createServer, connect, createSecurePair,
};
