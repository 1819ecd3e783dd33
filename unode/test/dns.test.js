import { test, assert } from "jsk:test";
import dns from "node:dns";
import { Resolver, lookup } from "node:dns";
import dnsPromises from "node:dns/promises";
import dgram from "node:dgram";
import net from "node:net";
import { Buffer } from "node:buffer";
import { parseMessage, encodeName, encodeQuery, WireError } from "node:internal/dns/wire";

// ---- a fake DNS server on 127.0.0.1 (UDP, and TCP on the same port) -------------------

const PTR = 0xc0, Q = [0xc0, 0x0c]; // a pointer to the question's name
const u16 = (n) => [n >> 8, n & 255];
const u32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const name = (s) => encodeName(s);
const str = (s) => { const b = [...Buffer.from(s)]; return [b.length, ...b]; };
const rr = (owner, type, ttl, rdata) => [...owner, ...u16(type), 0, 1, ...u32(ttl), ...u16(rdata.length), ...rdata];
void PTR;

const queries = []; // names asked, in order

/** The reply bytes for a query, or null to stay silent. */
function answer(query, raw, viaTcp) {
  const q = parseMessage(query);
  const qname = q.question[0].name;
  const qtype = q.question[0].type;
  queries.push(`${qname}/${qtype}${viaTcp ? "/tcp" : ""}`);
  const qEnd = 12 + name(qname).length + 4;
  const question = [...raw.subarray(12, qEnd)];
  const reply = (answers, { rcode = 0, tc = false, id = q.id, count = answers.length } = {}) =>
    Uint8Array.from([...u16(id), 0x81 | (tc ? 2 : 0), 0x80 | rcode, 0, 1, ...u16(count), 0, 0, 0, 0, ...question, ...answers.flat()]);
  switch (qname) {
    case "a.test": return reply([rr(Q, 1, 300, [10, 0, 0, 1]), rr(Q, 1, 60, [10, 0, 0, 2])]);
    case "v6.test": return reply([rr(Q, 28, 100, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])]);
    case "alias.test": // CNAME (compressed), then the A record of the target named by a pointer into the CNAME rdata
      return reply([rr(Q, 5, 30, [4, ...Buffer.from("real"), ...Q]), rr([0xc0, 12 + question.length + 12], 1, 30, [192, 0, 2, 7])]);
    case "mx.test": return reply([rr(Q, 15, 1, [...u16(10), ...name("mail.mx.test")]), rr(Q, 15, 1, [...u16(20), 4, ...Buffer.from("mail"), ...Q])]);
    case "txt.test": return reply([rr(Q, 16, 1, [...str("v=spf1"), ...str(" -all")]), rr(Q, 16, 1, str("héllo"))]);
    case "srv.test": return reply([rr(Q, 33, 1, [...u16(1), ...u16(5), ...u16(5060), ...name("sip.srv.test")])]);
    case "ns.test": return reply([rr(Q, 2, 1, name("ns1.ns.test")), rr(Q, 2, 1, name("ns2.ns.test"))]);
    case "soa.test": return reply([rr(Q, 6, 1, [...name("ns.soa.test"), ...name("admin.soa.test"), ...u32(2024010101), ...u32(7200), ...u32(3600), ...u32(1209600), ...u32(300)])]);
    case "caa.test": return reply([rr(Q, 257, 1, [0, 5, ...Buffer.from("issue"), ...Buffer.from("letsencrypt.org")])]);
    case "naptr.test": return reply([rr(Q, 35, 1, [...u16(100), ...u16(10), ...str("S"), ...str("SIP+D2U"), ...str(""), ...name("_sip._udp.naptr.test")])]);
    case "cname.test": return reply([rr(Q, 5, 1, name("target.test"))]);
    case "7.2.0.192.in-addr.arpa": return reply([rr(Q, 12, 1, name("host.example"))]);
    case "any.test": return reply([rr(Q, 1, 5, [1, 2, 3, 4]), rr(Q, 15, 5, [...u16(1), ...name("mx.any.test")]), rr(Q, 16, 5, str("t"))]);
    case "missing.test": return reply([], { rcode: 3 });
    case "empty.test": return reply([]);
    case "fail.test": return reply([], { rcode: 2 });
    case "refused.test": return reply([], { rcode: 5 });
    case "loop.test": return reply([rr(Q, 5, 1, [0xc0, 12 + question.length + 12])]); // a pointer to itself
    case "forward.test": return reply([rr(Q, 5, 1, [0xc0, 0xff])]); // a pointer past the end
    case "overrun.test": { const r = reply([rr(Q, 1, 1, [1, 2, 3, 4])]); return r.subarray(0, r.length - 2); }
    case "badlen.test": return reply([rr(Q, 1, 1, [1, 2, 3, 4, 5])]);
    case "count.test": return reply([rr(Q, 1, 1, [1, 2, 3, 4])], { count: 5 }); // says 5, has 1
    case "label.test": return reply([rr(Q, 5, 1, [0x40, 1, 2])]); // reserved label type
    case "short.test": return Uint8Array.from(u16(q.id));
    case "spoof.test": return [reply([rr(Q, 1, 1, [6, 6, 6, 6])], { id: (q.id + 1) & 0xffff }), reply([rr(Q, 1, 1, [5, 5, 5, 5])])];
    case "tcp.test":
      if (!viaTcp) return reply([], { tc: true });
      return reply([rr(Q, 1, 1, [9, 9, 9, 9]), rr(Q, 1, 1, [9, 9, 9, 8])]);
    case "silent.test": return null;
  }
  return reply([], { rcode: 3 });
}

let udp, tcp, PORT;

async function startServer() {
  udp = dgram.createSocket("udp4");
  udp.on("message", (msg, rinfo) => {
    let r;
    try { r = answer(msg, msg, false); } catch { return; }
    if (r === null) return;
    for (const part of Array.isArray(r) ? r : [r]) udp.send(part, rinfo.port, rinfo.address);
  });
  await new Promise((res) => udp.bind(0, "127.0.0.1", res));
  PORT = udp.address().port;
  tcp = net.createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      const q = buf.subarray(2, 2 + len);
      const r = answer(q, q, true);
      c.end(Buffer.concat([Buffer.from(u16(r.length)), r]));
    });
  });
  await new Promise((res, rej) => { tcp.once("error", rej); tcp.listen(PORT, "127.0.0.1", res); });
}

function resolver(opts) {
  const r = new Resolver(opts);
  r.setServers([`127.0.0.1:${PORT}`]);
  return r;
}

const call = (fn, ...args) => new Promise((resolve) => fn(...args, (err, ...rest) => resolve([err, ...rest])));

test("start the fake DNS server", async () => {
  await startServer();
  assert.ok(PORT > 0);
});

test("resolve4/resolve6 with and without ttl; resolve(name, rrtype)", async () => {
  const r = resolver();
  assert.deepEqual(await call(r.resolve4.bind(r), "a.test"), [null, ["10.0.0.1", "10.0.0.2"]]);
  assert.deepEqual(await call(r.resolve4.bind(r), "a.test", { ttl: true }),
    [null, [{ address: "10.0.0.1", ttl: 300 }, { address: "10.0.0.2", ttl: 60 }]]);
  assert.deepEqual(await call(r.resolve6.bind(r), "v6.test"), [null, ["2001:db8::1"]]);
  assert.deepEqual(await call(r.resolve.bind(r), "a.test", "A"), [null, ["10.0.0.1", "10.0.0.2"]]);
  assert.deepEqual(await call(r.resolve.bind(r), "a.test"), [null, ["10.0.0.1", "10.0.0.2"]]);
  assert.throws(() => r.resolve("a.test", "BOGUS", () => {}), (e) => e.code === "ERR_INVALID_ARG_VALUE" &&
    e.message === "The argument 'rrtype' is invalid. Received 'BOGUS'");
  assert.throws(() => r.resolve4(5, () => {}), (e) => e.code === "ERR_INVALID_ARG_TYPE");
});

test("compressed names: a CNAME chain followed to its A record", async () => {
  const r = resolver();
  assert.deepEqual(await call(r.resolve4.bind(r), "alias.test"), [null, ["192.0.2.7"]]);
  assert.deepEqual(await call(r.resolveCname.bind(r), "cname.test"), [null, ["target.test"]]);
});

test("MX, TXT, SRV, NS, SOA, CAA, NAPTR, PTR/reverse and ANY in Node's shapes", async () => {
  const r = resolver();
  assert.deepEqual(await call(r.resolveMx.bind(r), "mx.test"),
    [null, [{ exchange: "mail.mx.test", priority: 10 }, { exchange: "mail.mx.test", priority: 20 }]]);
  assert.deepEqual(await call(r.resolveTxt.bind(r), "txt.test"), [null, [["v=spf1", " -all"], ["h\u00c3\u00a9llo"]]],
    "one char per byte, as Node");
  assert.deepEqual(await call(r.resolveSrv.bind(r), "srv.test"),
    [null, [{ name: "sip.srv.test", port: 5060, priority: 1, weight: 5 }]]);
  assert.deepEqual(await call(r.resolveNs.bind(r), "ns.test"), [null, ["ns1.ns.test", "ns2.ns.test"]]);
  assert.deepEqual(await call(r.resolveSoa.bind(r), "soa.test"), [null, {
    nsname: "ns.soa.test", hostmaster: "admin.soa.test", serial: 2024010101, refresh: 7200, retry: 3600,
    expire: 1209600, minttl: 300,
  }]);
  assert.deepEqual(await call(r.resolveCaa.bind(r), "caa.test"), [null, [{ critical: 0, issue: "letsencrypt.org" }]]);
  assert.deepEqual(await call(r.resolveNaptr.bind(r), "naptr.test"), [null, [{
    flags: "S", service: "SIP+D2U", regexp: "", replacement: "_sip._udp.naptr.test", order: 100, preference: 10,
  }]]);
  assert.deepEqual(await call(r.reverse.bind(r), "192.0.2.7"), [null, ["host.example"]]);
  assert.deepEqual(await call(r.resolvePtr.bind(r), "7.2.0.192.in-addr.arpa"), [null, ["host.example"]]);
  assert.deepEqual(await call(r.resolveAny.bind(r), "any.test"), [null, [
    { address: "1.2.3.4", ttl: 5, type: "A" }, { exchange: "mx.any.test", priority: 1, type: "MX" },
    { entries: ["t"], type: "TXT" },
  ]]);
  assert.throws(() => r.reverse("nope", () => {}), (e) => e.code === "EINVAL" && e.message === "getHostByAddr EINVAL nope");
});

test("error codes: ENOTFOUND, ENODATA, ESERVFAIL, EREFUSED with Node's messages", async () => {
  const r = resolver();
  const [e1] = await call(r.resolve4.bind(r), "missing.test");
  assert.equal(e1.message, "queryA ENOTFOUND missing.test");
  assert.equal(e1.code, "ENOTFOUND");
  assert.equal(e1.syscall, "queryA");
  assert.equal(e1.hostname, "missing.test");
  const [e2] = await call(r.resolveMx.bind(r), "empty.test");
  assert.equal(e2.message, "queryMx ENODATA empty.test");
  const [e3] = await call(r.resolve6.bind(r), "fail.test");
  assert.equal(e3.message, "queryAaaa ESERVFAIL fail.test");
  const [e4] = await call(r.resolveTxt.bind(r), "refused.test");
  assert.equal(e4.code, "EREFUSED");
  assert.deepEqual(await call(r.resolve4.bind(r), "cname.test"), [null, []], "only a CNAME: no addresses, no error");
  const [e6] = await call(r.resolve4.bind(r), `${"x".repeat(64)}.test`);
  assert.equal(e6.code, "EBADNAME");
});

test("hostile replies give EBADRESP (no hang, no crash): loops, bad pointers, overruns, bad lengths", async () => {
  const r = resolver({ timeout: 500, tries: 1 });
  for (const n of ["loop.test", "forward.test", "overrun.test", "count.test", "label.test", "short.test"]) {
    const [err] = await call(n === "loop.test" || n === "forward.test" || n === "label.test" ? r.resolveCname.bind(r) : r.resolve4.bind(r), n);
    assert.ok(err, n);
    assert.equal(err.code, "EBADRESP", n);
  }
  // an A record longer than 4 bytes: its first 4, as c-ares (and so Node) reads it
  assert.deepEqual(await call(r.resolve4.bind(r), "badlen.test"), [null, ["1.2.3.4"]]);
});

test("a reply with the wrong ID is ignored; the right one is used", async () => {
  const r = resolver();
  assert.deepEqual(await call(r.resolve4.bind(r), "spoof.test"), [null, ["5.5.5.5"]]);
});

test("a truncated UDP reply is retried over TCP", async () => {
  const r = resolver();
  queries.length = 0;
  assert.deepEqual(await call(r.resolve4.bind(r), "tcp.test"), [null, ["9.9.9.9", "9.9.9.8"]]);
  assert.deepEqual(queries, ["tcp.test/1", "tcp.test/1/tcp"]);
});

test("timeouts and retries: ETIMEOUT after `tries` attempts; ECONNREFUSED from a closed port", async () => {
  const r = resolver({ timeout: 60, tries: 3 });
  queries.length = 0;
  const t0 = Date.now();
  const [err] = await call(r.resolve4.bind(r), "silent.test");
  assert.equal(err.message, "queryA ETIMEOUT silent.test");
  assert.equal(err.code, "ETIMEOUT");
  assert.equal(queries.length, 3);
  assert.ok(Date.now() - t0 >= 60 + 120 + 240 - 10, `${Date.now() - t0} ms`);
  const probe = dgram.createSocket("udp4");
  await new Promise((res) => probe.bind(0, "127.0.0.1", res));
  const closedPort = probe.address().port;
  await new Promise((res) => probe.close(res));
  const r2 = new Resolver({ timeout: 1000, tries: 2 });
  r2.setServers([`127.0.0.1:${closedPort}`]);
  const [e2] = await call(r2.resolve4.bind(r2), "x.test");
  assert.equal(e2.message, "queryA ECONNREFUSED x.test");
  // the second server answers when the first refuses
  const r3 = new Resolver({ timeout: 1000, tries: 1 });
  r3.setServers([`127.0.0.1:${closedPort}`, `127.0.0.1:${PORT}`]);
  assert.deepEqual(await call(r3.resolve4.bind(r3), "a.test"), [null, ["10.0.0.1", "10.0.0.2"]]);
});

test("cancel() ends queries in flight with ECANCELLED", async () => {
  const r = resolver();
  const p = call(r.resolveMx.bind(r), "silent.test");
  r.cancel();
  const [err] = await p;
  assert.equal(err.code, "ECANCELLED");
  assert.equal(err.message, "queryMx ECANCELLED silent.test");
});

test("setServers/getServers: formats, dedup, invalid addresses; the default resolver", () => {
  const r = new Resolver();
  r.setServers(["127.0.0.1:5353", "::1", "[::1]:53", "[::2]:99", "1.2.3.4:53"]);
  assert.deepEqual(r.getServers(), ["127.0.0.1:5353", "::1", "[::2]:99", "1.2.3.4"]);
  assert.throws(() => r.setServers(["bad"]), (e) => e.code === "ERR_INVALID_IP_ADDRESS" && e.message === "Invalid IP address: bad");
  assert.throws(() => r.setServers("1.2.3.4"), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.ok(Array.isArray(dns.getServers()));
  assert.throws(() => new Resolver({ timeout: -2 }), (e) => e.code === "ERR_OUT_OF_RANGE");
  assert.equal(typeof dns.resolve4, "function");
  assert.equal(dns.NOTFOUND, "ENOTFOUND");
  assert.equal(dns.ADDRCONFIG, 32);
  assert.equal(dns.promises, dnsPromises);
});

test("dns.promises: Resolver, resolve*, reverse reject with the same errors", async () => {
  const r = new dnsPromises.Resolver();
  r.setServers([`127.0.0.1:${PORT}`]);
  assert.deepEqual(await r.resolve4("a.test"), ["10.0.0.1", "10.0.0.2"]);
  assert.deepEqual(await r.resolve("mx.test", "MX"), [{ exchange: "mail.mx.test", priority: 10 }, { exchange: "mail.mx.test", priority: 20 }]);
  await assert.rejects(r.resolve4("missing.test"), (e) => e.code === "ENOTFOUND" && e.message === "queryA ENOTFOUND missing.test");
  assert.deepEqual(await r.reverse("192.0.2.7"), ["host.example"]);
});

test("lookup: localhost from /etc/hosts, IP literals, all, family; errors as getaddrinfo's", async () => {
  assert.deepEqual(await call(lookup, "localhost"), [null, "127.0.0.1", 4]);
  assert.deepEqual(await call(lookup, "LOCALHOST", { all: true }), [null, [{ address: "127.0.0.1", family: 4 }]]);
  assert.deepEqual(await call(lookup, "localhost", { family: 6 }), [null, "::1", 6]);
  assert.deepEqual(await call(lookup, "::1", { all: true }), [null, [{ address: "::1", family: 6 }]]);
  assert.deepEqual(await call(lookup, "10.1.2.3", 4), [null, "10.1.2.3", 4]);
  assert.deepEqual(await call(lookup, "", {}), [null, null, 4]);
  assert.throws(() => lookup("x", { family: 5 }, () => {}), (e) => e.code === "ERR_INVALID_ARG_VALUE" &&
    e.message === "The property 'options.family' must be one of: 0, 4, 6. Received 5");
  assert.throws(() => lookup("x", { all: 1 }, () => {}), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.throws(() => lookup("x"), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  let sync = true;
  const p = call(lookup, "127.0.0.1");
  const later = p.then(() => sync);
  sync = false;
  assert.equal(await later, false, "the callback is asynchronous");
  assert.deepEqual(await dnsPromises.lookup("localhost"), { address: "127.0.0.1", family: 4 });
  assert.deepEqual(await dnsPromises.lookup("localhost", { all: true }), [{ address: "127.0.0.1", family: 4 }]);
  const [err] = await call(lookup, "no-such-host.invalid");
  assert.ok(err.code === "ENOTFOUND" || err.code === "EAI_AGAIN", err.code);
  assert.equal(err.message, `getaddrinfo ${err.code} no-such-host.invalid`);
  assert.equal(err.syscall, "getaddrinfo");
  assert.equal(err.hostname, "no-such-host.invalid");
  assert.equal(err.errno, err.code === "ENOTFOUND" ? -3008 : -3001);
  assert.equal(dns.getDefaultResultOrder(), "verbatim");
});

test("lookupService answers from the hosts file and /etc/services", async () => {
  const [err, host, service] = await call(dns.lookupService, "127.0.0.1", 22);
  assert.equal(err, null);
  assert.equal(host, "localhost");
  assert.equal(service, "ssh");
  assert.throws(() => dns.lookupService("nope", 22, () => {}), (e) => e.code === "ERR_INVALID_ARG_VALUE");
});

test("wire: random and mutated packets only ever give WireError, and always finish", () => {
  const base = Uint8Array.from([...encodeQuery(0x1234, "mx.test", 15)]);
  // a valid reply with compression, to mutate
  const good = Uint8Array.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...base.subarray(12),
    0xc0, 0x0c, 0, 15, 0, 1, 0, 0, 0, 1, 0, 7, 0, 10, 2, 109, 120, 0xc0, 0x0c]);
  const m = parseMessage(good);
  assert.deepEqual(m.answers.map((a) => [a.exchange, a.priority]), [["mx.mx.test", 10]]);
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    let pkt;
    if (i % 2) {
      pkt = good.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) pkt[Math.floor(rnd() * pkt.length)] = Math.floor(rnd() * 256);
      if (rnd() < 0.3) pkt = pkt.subarray(0, Math.floor(rnd() * pkt.length));
    } else {
      pkt = new Uint8Array(Math.floor(rnd() * 80));
      for (let k = 0; k < pkt.length; k++) pkt[k] = rnd() < 0.2 ? 0xc0 : Math.floor(rnd() * 256);
    }
    try { parseMessage(pkt); } catch (e) {
      if (!(e instanceof WireError)) throw e;
      errors++;
    }
  }
  assert.ok(errors > 1000, `${errors} rejected`);
});

test("stop the fake DNS server", () => {
  udp.close();
  tcp.close();
});
