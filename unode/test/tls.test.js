import { test, assert } from "jsk:test";
import tls from "node:tls";
import https from "node:https";
import http from "node:http";
import net from "node:net";

// Module shapes and checkServerIdentity's answers are node v20's.
const notAvailable = { code: "ERR_NOT_IMPLEMENTED", message: /TLS is not available in unode/ };

test("tls: module shape and defaults", () => {
  assert.deepEqual(Object.keys(tls), [
    "CLIENT_RENEG_LIMIT", "CLIENT_RENEG_WINDOW", "DEFAULT_CIPHERS", "DEFAULT_ECDH_CURVE", "DEFAULT_MIN_VERSION",
    "DEFAULT_MAX_VERSION", "getCiphers", "rootCertificates", "convertALPNProtocols", "checkServerIdentity",
    "createSecureContext", "SecureContext", "TLSSocket", "Server", "createServer", "connect", "createSecurePair",
  ]);
  assert.equal(tls.DEFAULT_MIN_VERSION, "TLSv1.2");
  assert.equal(tls.DEFAULT_MAX_VERSION, "TLSv1.3");
  assert.equal(tls.DEFAULT_ECDH_CURVE, "auto");
  assert.equal(tls.CLIENT_RENEG_LIMIT, 3);
  assert.match(tls.DEFAULT_CIPHERS, /^TLS_AES_256_GCM_SHA384:/);
  assert.deepEqual(tls.rootCertificates, []);
  assert.ok(Object.isFrozen(tls.rootCertificates));
  assert.ok(Object.create(tls.TLSSocket.prototype) instanceof net.Socket);
});

test("tls: every TLS operation throws ERR_NOT_IMPLEMENTED", () => {
  assert.throws(() => tls.connect({ host: "127.0.0.1", port: 443 }), notAvailable);
  assert.throws(() => tls.createServer({}), notAvailable);
  assert.throws(() => new tls.TLSSocket(new net.Socket()), notAvailable);
  assert.throws(() => tls.createSecureContext({}), notAvailable);
  assert.throws(() => new tls.Server(), notAvailable);
  assert.throws(() => https.createServer({}), notAvailable);
});

test("tls.checkServerIdentity", () => {
  assert.equal(tls.checkServerIdentity("a.example.com", { subject: { CN: "x" }, subjectaltname: "DNS:*.example.com" }), undefined);
  assert.equal(tls.checkServerIdentity("FOO.example.com.", { subject: {}, subjectaltname: "DNS:foo.example.com" }), undefined);
  assert.equal(tls.checkServerIdentity("x.com", { subject: { CN: "x.com" } }), undefined);
  assert.equal(tls.checkServerIdentity("127.0.0.1", { subject: {}, subjectaltname: "IP Address:127.0.0.1" }), undefined);
  const e = tls.checkServerIdentity("b.other.com", { subject: { CN: "x" }, subjectaltname: "DNS:*.example.com, DNS:foo.com" });
  assert.equal(e.code, "ERR_TLS_CERT_ALTNAME_INVALID");
  assert.equal(e.message, "Hostname/IP does not match certificate's altnames: Host: b.other.com. is not in the cert's altnames: DNS:*.example.com, DNS:foo.com");
  assert.equal(e.host, "b.other.com");
  assert.equal(tls.checkServerIdentity("a.b.example.com", { subject: { CN: "x" }, subjectaltname: "DNS:*.example.com" }).reason,
    "Host: a.b.example.com. is not in the cert's altnames: DNS:*.example.com");
  assert.equal(tls.checkServerIdentity("y.com", { subject: { CN: "x.com" } }).reason, "Host: y.com. is not cert's CN: x.com");
  assert.equal(tls.checkServerIdentity("127.0.0.2", { subject: {}, subjectaltname: "IP Address:127.0.0.1" }).reason, "IP: 127.0.0.2 is not in the cert's list: 127.0.0.1");
  assert.equal(tls.checkServerIdentity("x.com", { subject: {} }).reason, "Cert does not contain a DNS name");
});

test("tls.convertALPNProtocols", () => {
  const out = {};
  tls.convertALPNProtocols(["h2", "http/1.1"], out);
  assert.equal(out.ALPNProtocols.toString("hex"), "02683208687474702f312e31");
});

test("https: Agent, globalAgent, and a request that errors with ERR_NOT_IMPLEMENTED", async () => {
  assert.deepEqual(Object.keys(https), ["Agent", "globalAgent", "Server", "createServer", "get", "request"]);
  assert.ok(https.globalAgent instanceof https.Agent);
  assert.ok(https.globalAgent instanceof http.Agent);
  assert.equal(https.globalAgent.defaultPort, 443);
  assert.equal(https.globalAgent.protocol, "https:");
  assert.equal(new https.Agent({ keepAlive: true }).keepAlive, true);
  const err = await new Promise((resolve) => {
    const req = https.get("https://127.0.0.1:1/x");
    req.on("error", resolve);
  });
  assert.equal(err.code, "ERR_NOT_IMPLEMENTED");
  assert.match(err.message, /TLS is not available in unode/);
});
