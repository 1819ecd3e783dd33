// node:http — server and client on loopback, the parser on its own, checked
// against what Node 20 sends and accepts (byte-exact heads where Node's are
// fixed: framing, Connection/Keep-Alive, default error responses).

import { test, assert } from "jsk:test";
import http from "node:http";
import net from "node:net";
import { Buffer } from "node:buffer";
import { setTimeout as delay } from "node:timers/promises";
import { HTTPParser, REQUEST, RESPONSE } from "node:internal/http/parser";
import { AbortController } from "node:internal/abort_controller";

// ---- helpers ------------------------------------------------------------------------

function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}

function close(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Send raw bytes, collect everything until the server closes (or `ms` passes). */
function raw(port, data, ms = 1500) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    const chunks = [];
    const timer = setTimeout(() => s.destroy(), ms);
    s.on("data", (d) => chunks.push(d));
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    if (Array.isArray(data)) {
      (async () => {
        for (const part of data) {
          s.write(part);
          await delay(20);
        }
      })().catch(reject);
    } else s.write(data);
  });
}

const noDate = (s) => s.replace(/Date: [^\r]*\r\n/g, "");

/** http.request as a promise of { res, body }. */
function fetch(options, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ res, req, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function parse(kind, input, step) {
  const p = new HTTPParser(kind);
  const out = [];
  p.onHeaders = (q) => {
    out.push(["head", q.method ?? q.statusCode, q.url ?? q.statusMessage, `${q.versionMajor}.${q.versionMinor}`, q.rawHeaders.slice(), q.keepAlive, q.upgrade]);
    return 0;
  };
  p.onBody = (q, c) => out.push(["body", Buffer.from(c).toString("latin1")]);
  p.onComplete = (q) => out.push(["done", q.rawTrailers ? q.rawTrailers.slice() : null]);
  const b = Buffer.from(input, "latin1");
  const n = step || b.length;
  for (let i = 0; i < b.length; i += n) {
    const r = p.execute(b.subarray(i, i + n));
    if (typeof r !== "number") {
      out.push(["error", r.code]);
      return out;
    }
  }
  const f = p.finish();
  if (f) out.push(["eof", f.code]);
  return out;
}

/** Bodies merged, so that results fed whole and byte by byte compare equal. */
function merged(events) {
  const out = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e[0] === "body" && last && last[0] === "body") last[1] += e[1];
    else out.push(e.slice());
  }
  return out;
}

// ---- the parser -------------------------------------------------------------------

test("parser: pipelined requests with Content-Length, chunked body, chunk extensions and trailers, fed whole or byte by byte", () => {
  const input = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n" +
    "POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" +
    "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\nX-U:  two \r\n\r\n" +
    "GET /old HTTP/1.0\r\n\r\n";
  const whole = parse(REQUEST, input);
  assert.deepEqual(whole, [
    ["head", "GET", "/a?b=1", "1.1", ["Host", "x"], true, false], ["done", null],
    ["head", "POST", "/p", "1.1", ["Content-Length", "3"], true, false], ["body", "abc"], ["done", null],
    ["head", "PUT", "/c", "1.1", ["Transfer-Encoding", "chunked"], true, false],
    ["body", "abc"], ["body", "0123456789abcdef"], ["done", ["X-T", "1", "X-U", "two"]],
    ["head", "GET", "/old", "1.0", [], false, false], ["done", null],
  ]);
  assert.deepEqual(merged(parse(REQUEST, input, 1)), merged(whole));
  assert.deepEqual(merged(parse(REQUEST, input, 7)), merged(whole));
});

test("parser: rejects smuggling and malformed heads with Node's HPE codes", () => {
  const err = (s) => parse(REQUEST, s).find((e) => e[0] === "error")?.[1];
  assert.equal(err("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), "HPE_INVALID_TRANSFER_ENCODING");
  assert.equal(err("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"), "HPE_UNEXPECTED_CONTENT_LENGTH");
  assert.equal(err("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc"), "HPE_INVALID_CONTENT_LENGTH");
  assert.equal(err("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), "HPE_INVALID_TRANSFER_ENCODING");
  assert.equal(err("GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
  assert.equal(err("GET / HTTP/1.1\r\nBad Name: y\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
  assert.equal(err("GET / HTTP/1.1\r\nA : b\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
  assert.equal(err("GET / HTTP/1.1\r\nA: \x01\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN");
  assert.equal(err("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n"), "HPE_LF_EXPECTED");
  assert.equal(err("GETX / HTTP/1.1\r\n\r\n"), "HPE_INVALID_METHOD");
  assert.equal(err("GET / HTTP/1.2\r\n\r\n"), "HPE_INVALID_VERSION");
  assert.equal(err("GET / HTTP/1.1\nHost: x\n\n"), "HPE_INVALID_VERSION"); // LF without CR, as Node 20 (strict)
  assert.equal(err("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "HPE_INVALID_CHUNK_SIZE");
  assert.equal(err(`GET / HTTP/1.1\r\nX: ${"a".repeat(17000)}\r\n\r\n`), "HPE_HEADER_OVERFLOW");
  assert.deepEqual(parse(REQUEST, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").at(-1), ["eof", "HPE_INVALID_EOF_STATE"]);
});

test("parser: responses — no body for 1xx/204/304, body until close, 101 stops", () => {
  const out = parse(RESPONSE, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
    "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil close");
  assert.deepEqual(out.map((e) => e[0] === "head" ? e[1] : e[0]), [100, "done", 200, "body", "done", 204, "done", 304, "done", 200, "body", "done"]);
  assert.equal(out.at(-2)[1], "until close");
  const p = new HTTPParser(RESPONSE);
  p.onHeaders = () => 0;
  p.onBody = () => {};
  p.onComplete = () => {};
  const b = Buffer.from("HTTP/1.1 101 Switching Protocols\r\nUpgrade: ws\r\nConnection: Upgrade\r\n\r\nRAW");
  assert.equal(p.execute(b), b.length - 3);
  assert.ok(p.upgrade);
});

// ---- server basics -------------------------------------------------------------------

test("server: framing and Connection headers byte for byte as Node 20 (pipelined over a raw socket)", async () => {
  const server = http.createServer((req, res) => {
    if (req.url === "/a") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("hello world\n");
    } else if (req.url === "/b") {
      res.setHeader("X-A", ["1", "2"]);
      res.write("abc");
      res.end("def");
    } else if (req.url === "/c") {
      res.statusCode = 204;
      res.end();
    } else if (req.url === "/d") {
      res.end();
    } else {
      res.end("x");
    }
  });
  const port = await listen(server);
  const out = await raw(port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n" +
    "GET /d HTTP/1.1\r\nHost: x\r\n\r\nGET /e HTTP/1.0\r\n\r\n");
  assert.equal(noDate(out),
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\nc\r\nhello world\n\r\n0\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nX-A: 1\r\nX-A: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n" +
    "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nx");
  assert.match(out, /Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  await close(server);
});

test("server: HEAD and 304 carry no body; write() on them is ignored", async () => {
  const server = http.createServer((req, res) => {
    if (req.url === "/304") res.statusCode = 304;
    res.setHeader("Content-Type", "x");
    assert.equal(res.write("abc"), true);
    res.end("def");
  });
  const port = await listen(server);
  const out = await raw(port, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.equal(noDate(out),
    "HTTP/1.1 200 OK\r\nContent-Type: x\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n" +
    "HTTP/1.1 304 Not Modified\r\nContent-Type: x\r\nConnection: close\r\n\r\n");
  await close(server);
});

test("server: request fields, headers joined as Node joins them, rawHeaders kept", async () => {
  let seen;
  const server = http.createServer((req, res) => {
    seen = { method: req.method, url: req.url, v: req.httpVersion, headers: req.headers, raw: req.rawHeaders, distinct: req.headersDistinct };
    res.end();
  });
  const port = await listen(server);
  await raw(port, "GET /p?q HTTP/1.1\r\nCookie: a\r\nCookie: b\r\nSet-Cookie: a\r\nset-cookie: b\r\nHost: a\r\nHost: b\r\n" +
    "X-Y: 1\r\nx-y: 2\r\nContent-Type: a\r\nContent-type: b\r\nConnection: close\r\n\r\n");
  assert.equal(seen.method, "GET");
  assert.equal(seen.url, "/p?q");
  assert.equal(seen.v, "1.1");
  assert.deepEqual({ ...seen.headers }, {
    cookie: "a; b", "set-cookie": ["a", "b"], host: "a", "x-y": "1, 2", "content-type": "a", connection: "close",
  });
  assert.deepEqual(seen.raw.slice(0, 4), ["Cookie", "a", "Cookie", "b"]);
  assert.deepEqual(seen.distinct.host, ["a", "b"]);
  await close(server);
});

test("server: an HTTP/1.1 request without Host gets 400 and no 'request'", async () => {
  let called = false;
  const server = http.createServer(() => { called = true; });
  const port = await listen(server);
  const out = await raw(port, "GET / HTTP/1.1\r\n\r\n");
  assert.equal(noDate(out), "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  assert.equal(called, false);
  await close(server);
});

test("server: malformed requests → 400 by default, 431 for a huge head, HPE code on 'clientError'", async () => {
  const server = http.createServer((req, res) => res.end());
  const port = await listen(server);
  assert.equal(await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n"), "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  assert.equal(await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nX: ${"a".repeat(20000)}\r\n\r\n`),
    "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n");
  const errors = [];
  server.on("clientError", (err, socket) => {
    errors.push([err.code, err.message, typeof err.bytesParsed, Buffer.isBuffer(err.rawPacket)]);
    socket.end("HTTP/1.1 418 I'm a Teapot\r\n\r\n");
  });
  assert.equal(await raw(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), "HTTP/1.1 418 I'm a Teapot\r\n\r\n");
  assert.deepEqual(errors, [["HPE_INVALID_TRANSFER_ENCODING", "Parse Error: Transfer-Encoding can't be present with Content-Length", "number", true]]);
  await close(server);
});

test("server: a head split over many small writes is parsed once complete", async () => {
  const server = http.createServer((req, res) => res.end(`${req.method} ${req.headers["x-long"].length}`));
  const port = await listen(server);
  const head = `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${"v".repeat(3000)}\r\nConnection: close\r\n\r\n`;
  const parts = [];
  for (let i = 0; i < head.length; i += 700) parts.push(head.slice(i, i + 700));
  const out = await raw(port, parts);
  assert.match(out, /\r\n\r\nGET 3000$/);
  await close(server);
});

// ---- server + client --------------------------------------------------------------------

test("client: GET with Content-Length, POST chunked both ways", async () => {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (d) => chunks.push(d));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (req.method === "GET") {
        res.setHeader("Content-Length", 5);
        res.end("hello");
      } else {
        res.setHeader("X-TE", String(req.headers["transfer-encoding"]));
        res.write("got:");
        res.write(body);
        res.end();
      }
    });
  });
  const port = await listen(server);
  const a = await fetch({ port, host: "127.0.0.1", path: "/x" });
  assert.equal(a.res.statusCode, 200);
  assert.equal(a.res.statusMessage, "OK");
  assert.equal(a.res.headers["content-length"], "5");
  assert.equal(a.body, "hello");
  const b = await new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", method: "POST", path: "/up" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ res, body }));
    });
    req.on("error", reject);
    req.write("abc");
    req.write(Buffer.from("déf"));
    req.end("!");
  });
  assert.equal(b.res.headers["transfer-encoding"], "chunked");
  assert.equal(b.res.headers["x-te"], "chunked");
  assert.equal(b.body, "got:abcdéf!");
  await close(server);
});

test("client: URL strings, response events in order, res.complete", async () => {
  const server = http.createServer((req, res) => res.end(req.url));
  const port = await listen(server);
  const events = [];
  const body = await new Promise((resolve, reject) => {
    const req = http.get(`http://127.0.0.1:${port}/path?x=1`, (res) => {
      events.push("response");
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => {
        events.push(`end ${res.complete}`);
        resolve(b);
      });
    });
    req.on("socket", () => events.push("socket"));
    req.on("finish", () => events.push("finish"));
    req.on("close", () => events.push("close"));
    req.on("error", reject);
  });
  assert.equal(body, "/path?x=1");
  await delay(20);
  assert.deepEqual(events, ["socket", "finish", "response", "end true", "close"]);
  await close(server);
});

test("agent: keep-alive reuses one socket for sequential requests", async () => {
  const serverSockets = new Set();
  const server = http.createServer((req, res) => {
    serverSockets.add(req.socket);
    res.end("ok");
  });
  const port = await listen(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const a = await fetch({ port, host: "127.0.0.1", agent });
  await delay(10);
  assert.equal(Object.keys(agent.freeSockets).length, 1);
  const name = agent.getName({ host: "127.0.0.1", port });
  assert.equal(name, `127.0.0.1:${port}:`);
  assert.equal(agent.freeSockets[name].length, 1);
  const b = await fetch({ port, host: "127.0.0.1", agent });
  assert.equal(a.req.reusedSocket, false);
  assert.equal(b.req.reusedSocket, true);
  assert.equal(a.res.headers.connection, "keep-alive");
  assert.equal(serverSockets.size, 1);
  // three at once through maxSockets: 1 queue in agent.requests and reuse the socket
  const all = await Promise.all([1, 2, 3].map(() => fetch({ port, host: "127.0.0.1", agent })));
  assert.deepEqual(all.map((r) => r.body), ["ok", "ok", "ok"]);
  assert.equal(serverSockets.size, 1);
  agent.destroy();
  await close(server);
});

test("agent: keepAlive false closes the connection (Connection: close)", async () => {
  let conn;
  const server = http.createServer((req, res) => {
    conn = req.headers.connection;
    res.end("ok");
  });
  const port = await listen(server);
  const agent = new http.Agent({ keepAlive: false, maxSockets: 1 });
  const r = await fetch({ port, host: "127.0.0.1", agent });
  assert.equal(conn, "keep-alive"); // a finite maxSockets keeps Connection: keep-alive, as Node does
  assert.equal(r.body, "ok");
  const r2 = await fetch({ port, host: "127.0.0.1", agent: false });
  assert.equal(conn, "close");
  assert.equal(r2.res.headers.connection, "close");
  await close(server);
});

test("server: Expect: 100-continue — writeContinue by default, 'checkContinue' when listened", async () => {
  const server = http.createServer((req, res) => {
    let b = "";
    req.on("data", (d) => (b += d));
    req.on("end", () => res.end(`body=${b}`));
  });
  const port = await listen(server);
  const run = () => new Promise((resolve, reject) => {
    const events = [];
    const req = http.request({ port, host: "127.0.0.1", method: "PUT", headers: { Expect: "100-continue", "Content-Length": 3 } }, (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ events, body: b, status: res.statusCode }));
    });
    req.on("continue", () => {
      events.push("continue");
      req.end("abc");
    });
    req.on("information", (info) => events.push(`info ${info.statusCode}`));
    req.on("error", reject);
  });
  assert.deepEqual(await run(), { events: ["continue", "info 100"], body: "body=abc", status: 200 });
  server.on("checkContinue", (req, res) => {
    res.writeHead(417);
    res.end("no");
  });
  const r = await new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", method: "PUT", headers: { Expect: "100-continue", "Content-Length": 3 } }, (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ status: res.statusCode, body: b }));
    });
    req.on("error", reject);
    req.on("continue", () => reject(new Error("unexpected continue")));
  });
  assert.deepEqual(r, { status: 417, body: "no" });
  await close(server);
});

test("trailers: server addTrailers reaches res.trailers; client trailers reach req.trailers", async () => {
  let serverTrailers;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      serverTrailers = req.trailers;
      res.writeHead(200, { Trailer: "X-Sum" });
      res.write("data");
      res.addTrailers({ "X-Sum": "42" });
      res.end();
    });
  });
  const port = await listen(server);
  const r = await new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", method: "POST", headers: { Trailer: "X-Client" } }, (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ body: b, trailers: res.trailers, raw: res.rawTrailers }));
    });
    req.on("error", reject);
    req.write("x");
    req.addTrailers({ "X-Client": "c1" });
    req.end();
  });
  assert.deepEqual(r, { body: "data", trailers: { "x-sum": "42" }, raw: ["X-Sum", "42"] });
  assert.deepEqual(serverTrailers, { "x-client": "c1" });
  assert.throws(() => new http.ServerResponse({ method: "GET", httpVersionMajor: 1, httpVersionMinor: 1, headers: {} })
    .addTrailers({ "bad name": "x" }), { code: "ERR_INVALID_HTTP_TOKEN" });
  await close(server);
});

test("upgrade: raw 101 handshake, head bytes handed over, both sides speak the new protocol", async () => {
  const server = http.createServer(() => assert.fail("no request event for an upgrade"));
  server.on("upgrade", (req, socket, head) => {
    assert.equal(req.headers.upgrade, "echo");
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n");
    socket.write(`head=${head.toString()};`);
    socket.on("data", (d) => socket.write(`echo:${d}`));
    socket.on("end", () => socket.end());
  });
  const port = await listen(server);
  const got = await new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", headers: { Connection: "Upgrade", Upgrade: "echo" } });
    req.on("upgrade", (res, socket, head) => {
      assert.equal(res.statusCode, 101);
      let all = head.toString();
      socket.on("data", (d) => {
        all += d;
        if (all.includes("echo:ping")) {
          socket.destroy();
          resolve(all);
        }
      });
      socket.write("ping");
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(got, "head=;echo:ping");
  // raw: bytes after the head arrive as `head`
  const raw101 = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nEARLY", 300);
  assert.match(raw101, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(raw101, /head=EARLY;/);
  await close(server);
});

test("errors: header validation, headers sent, status codes, content-length mismatch", async () => {
  const res = new http.ServerResponse({ method: "GET", httpVersionMajor: 1, httpVersionMinor: 1, headers: {} });
  assert.throws(() => res.setHeader("bad name", "x"), { code: "ERR_INVALID_HTTP_TOKEN", name: "TypeError", message: 'Header name must be a valid HTTP token ["bad name"]' });
  assert.throws(() => res.setHeader("x", "a\nb"), { code: "ERR_INVALID_CHAR", message: 'Invalid character in header content ["x"]' });
  assert.throws(() => res.setHeader("x", undefined), { code: "ERR_HTTP_INVALID_HEADER_VALUE", message: 'Invalid value "undefined" for header "x"' });
  assert.throws(() => http.validateHeaderName(""), { code: "ERR_INVALID_HTTP_TOKEN" });
  http.validateHeaderValue("x", "caf\u00e9"); // obs-text is allowed
  assert.throws(() => res.writeHead(99), { code: "ERR_HTTP_INVALID_STATUS_CODE", name: "RangeError", message: "Invalid status code: 99" });
  res.setHeader("X-A", "1");
  res.appendHeader("x-a", "2");
  res.setHeader("Content-Type", "text/plain");
  assert.deepEqual(res.getHeader("x-a"), ["1", "2"]);
  assert.deepEqual(res.getHeaderNames(), ["x-a", "content-type"]);
  assert.deepEqual(res.getRawHeaderNames(), ["X-A", "Content-Type"]);
  assert.equal(res.hasHeader("CONTENT-TYPE"), true);
  res.removeHeader("content-type");
  assert.equal(res.hasHeader("content-type"), false);
  assert.deepEqual({ ...res.getHeaders() }, { "x-a": ["1", "2"] });
  res.writeHead(201, "Made", ["X-B", "3"]);
  assert.equal(res.headersSent, true);
  assert.throws(() => res.setHeader("y", "1"), { code: "ERR_HTTP_HEADERS_SENT", message: "Cannot set headers after they are sent to the client" });
  assert.throws(() => res.removeHeader("y"), { code: "ERR_HTTP_HEADERS_SENT", message: "Cannot remove headers after they are sent to the client" });
  assert.match(res._header, /^HTTP\/1\.1 201 Made\r\nX-A: 1\r\nX-A: 2\r\nX-B: 3\r\n/);

  const server = http.createServer((req, res2) => {
    res2.strictContentLength = true;
    res2.setHeader("Content-Length", 2);
    res2.write("a");
    assert.throws(() => res2.end("bc"), { code: "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
      message: "Response body's content-length of 3 byte(s) does not match the content-length of 2 byte(s) set in header" });
    res2.end("b");
  });
  const port = await listen(server);
  assert.equal((await fetch({ port, host: "127.0.0.1" })).body, "ab");
  assert.throws(() => http.request({ port, host: "127.0.0.1", method: "G T" }), { code: "ERR_INVALID_HTTP_TOKEN", message: 'Method must be a valid HTTP token ["G T"]' });
  assert.throws(() => http.request({ port, host: "127.0.0.1", path: "/a b" }), { code: "ERR_UNESCAPED_CHARACTERS" });
  assert.throws(() => http.request("https://127.0.0.1/"), { code: "ERR_INVALID_PROTOCOL", message: 'Protocol "https:" not supported. Expected "http:"' });
  await close(server);
});

test("client: 'socket hang up' (ECONNRESET) when the server closes without answering", async () => {
  const server = http.createServer((req) => req.socket.destroy());
  const port = await listen(server);
  const err = await new Promise((resolve) => {
    const req = http.get({ port, host: "127.0.0.1", agent: false }, () => resolve(new Error("got a response")));
    req.on("error", resolve);
  });
  assert.equal(err.message, "socket hang up");
  assert.equal(err.code, "ECONNRESET");
  await close(server);
});

test("client: destroy() before the response → error and close; abort() → 'abort', then the hang-up error", async () => {
  const server = http.createServer(() => {});
  const port = await listen(server);
  const events = [];
  await new Promise((resolve) => {
    const req = http.get({ port, host: "127.0.0.1", agent: false });
    req.on("error", (e) => events.push(`error ${e.code}`));
    req.on("close", () => {
      events.push("close");
      resolve();
    });
    req.on("socket", (s) => s.on("connect", () => req.destroy()));
  });
  assert.deepEqual(events, ["error ECONNRESET", "close"]);
  const ev2 = [];
  await new Promise((resolve) => {
    const req = http.get({ port, host: "127.0.0.1", agent: false });
    req.on("error", (e) => ev2.push(`error ${e.code}`));
    req.on("abort", () => ev2.push("abort"));
    req.on("close", () => {
      ev2.push("close");
      resolve();
    });
    req.on("socket", (s) => s.on("connect", () => req.abort()));
  });
  assert.deepEqual(ev2, ["abort", "error ECONNRESET", "close"]);
  assert.equal((await new Promise((resolve) => {
    const ac = new AbortController();
    const req = http.get({ port, host: "127.0.0.1", agent: false, signal: ac.signal });
    req.on("error", resolve);
    ac.abort();
  })).name, "AbortError");
  await close(server);
});

test("timeouts: client setTimeout fires 'timeout'; server requestTimeout answers 408; keepAliveTimeout closes idle sockets", async () => {
  const server = http.createServer({ requestTimeout: 200, headersTimeout: 200, connectionsCheckingInterval: 50, keepAliveTimeout: 150 }, (req, res) => {
    if (req.url === "/slow") setTimeout(() => res.end("late"), 400);
    else res.end("fast");
  });
  const port = await listen(server);
  const timedOut = await new Promise((resolve, reject) => {
    const req = http.get({ port, host: "127.0.0.1", path: "/slow", agent: false });
    req.setTimeout(100, () => {
      resolve(true);
      req.destroy();
    });
    req.on("error", () => {});
  });
  assert.equal(timedOut, true);
  const t0 = Date.now();
  const out = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n", 2000); // the head never completes
  assert.equal(out, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
  assert.ok(Date.now() - t0 >= 150, `closed after ${Date.now() - t0} ms`);
  const t1 = Date.now();
  const ka = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
  const waited = Date.now() - t1;
  assert.match(ka, /\r\n\r\nfast$/);
  assert.ok(waited >= 120 && waited < 2500, `keep-alive socket closed after ${waited} ms`);
  await close(server);
});

test("server: closeIdleConnections keeps busy sockets, closeAllConnections ends all; close() emits 'close'", async () => {
  let pending;
  const server = http.createServer((req, res) => {
    if (req.url === "/hold") pending = res;
    else res.end("ok");
  });
  const port = await listen(server);
  const agent = new http.Agent({ keepAlive: true });
  await fetch({ port, host: "127.0.0.1", agent });
  const held = fetch({ port, host: "127.0.0.1", path: "/hold" }).catch((e) => e);
  await delay(50);
  assert.equal(server._httpConnections.size, 2);
  server.closeIdleConnections();
  await delay(50);
  assert.equal(server._httpConnections.size, 1);
  pending.end("released");
  assert.equal((await held).body, "released");
  server.closeAllConnections();
  let closed = false;
  await new Promise((resolve) => server.close(() => { closed = true; resolve(); }));
  assert.equal(closed, true);
  agent.destroy();
});

test("server: maxRequestsPerSocket closes after N; sendDate=false drops Date; writeHead array of pairs", async () => {
  const server = http.createServer((req, res) => {
    res.sendDate = false;
    res.writeHead(200, [["X-P", "1"], ["X-P", "2"]]);
    res.end("k");
  });
  server.maxRequestsPerSocket = 2;
  const port = await listen(server);
  const out = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(out,
    "HTTP/1.1 200 OK\r\nX-P: 1\r\nX-P: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5, max=2\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nk\r\n0\r\n\r\n" +
    "HTTP/1.1 200 OK\r\nX-P: 1\r\nX-P: 2\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nk\r\n0\r\n\r\n");
  await close(server);
});

test("module surface: METHODS, STATUS_CODES, maxHeaderSize, globalAgent, setMaxIdleHTTPParsers", () => {
  assert.equal(http.METHODS.length, 35);
  assert.ok(http.METHODS.includes("M-SEARCH"));
  assert.equal(http.STATUS_CODES[418], "I'm a Teapot");
  assert.equal(http.STATUS_CODES[431], "Request Header Fields Too Large");
  assert.equal(http.maxHeaderSize, 16384);
  assert.ok(http.globalAgent instanceof http.Agent);
  assert.equal(http.globalAgent.keepAlive, true);
  assert.equal(http.globalAgent.options.timeout, 5000);
  http.setMaxIdleHTTPParsers(10);
  assert.throws(() => http.setMaxIdleHTTPParsers(0), { code: "ERR_OUT_OF_RANGE" });
  assert.ok(new http.Server() instanceof net.Server);
  assert.equal(new http.Agent().getName({ host: "a", port: 80, localAddress: "x", family: 4 }), "a:80:x:4");
});
