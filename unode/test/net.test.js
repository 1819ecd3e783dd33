import { test, assert } from "jsk:test";
import net from "node:net";
import { Socket, Server, isIP, isIPv4, isIPv6, BlockList, SocketAddress } from "node:net";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import fs from "node:fs";
import { socketpair, AF_UNIX, SOCK_STREAM } from "jsk:sys";

const once = (emitter, name) => new Promise((resolve) => emitter.once(name, (...a) => resolve(a)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = fs.mkdtempSync("/tmp/unode-net-");

function listen(server, ...args) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(...args, () => { server.off("error", reject); resolve(server.address()); });
  });
}

function collect(socket) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    socket.on("data", (d) => chunks.push(typeof d === "string" ? Buffer.from(d) : d));
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.on("error", reject);
  });
}

function echoServer(opts) {
  return net.createServer(opts, (c) => c.pipe(c));
}

test("isIP, isIPv4, isIPv6 as Node answers them", () => {
  const cases = [
    ["127.0.0.1", 4], ["0.0.0.0", 4], ["255.255.255.255", 4], ["256.0.0.1", 0], ["01.2.3.4", 0], ["1.2.3", 0],
    ["1.2.3.4.5", 0], ["::1", 6], ["::", 6], ["fe80::1%eth0", 6], ["2001:db8::8a2e:370:7334", 6],
    ["::ffff:192.168.0.1", 6], ["1:2:3:4:5:6:7:8", 6], ["1:2:3:4:5:6:7:8:9", 0], ["1::2::3", 0], [":::", 0],
    ["12345::", 0], ["localhost", 0], ["", 0], ["1:2:3:4:5:6:1.2.3.4", 6], ["::1.2.3.256", 0],
  ];
  for (const [s, v] of cases) {
    assert.equal(isIP(s), v, s);
    assert.equal(isIPv4(s), v === 4, s);
    assert.equal(isIPv6(s), v === 6, s);
  }
  assert.equal(isIP(123), 0);
  assert.equal(net.isIP, isIP);
});

test("Socket is a Duplex; a new socket is pending and reports Node's initial state", () => {
  const s = new Socket();
  assert.ok(s instanceof Duplex);
  assert.ok(net.Socket() instanceof Socket, "callable without new");
  assert.equal(s.readyState, "open");
  assert.equal(s.pending, true);
  assert.equal(s.connecting, false);
  assert.equal(s.bytesRead, 0);
  assert.equal(s.bufferSize, undefined);
  assert.equal(s.remoteAddress, undefined);
  assert.equal(s.allowHalfOpen, false);
  assert.deepEqual(s.address(), {});
  s.destroy();
  assert.ok(net.createServer() instanceof Server);
  assert.equal(net.createConnection, net.connect);
});

test("TCP echo over 127.0.0.1: addresses, ports, bytes counted, events in Node's order", async () => {
  const server = echoServer();
  const addr = await listen(server, 0, "127.0.0.1");
  assert.equal(addr.address, "127.0.0.1");
  assert.equal(addr.family, "IPv4");
  assert.ok(addr.port > 0);
  const events = [];
  const serverSide = once(server, "connection");
  const client = net.connect(addr.port, "127.0.0.1");
  assert.equal(client.readyState, "opening");
  assert.equal(client.connecting, true);
  for (const e of ["connect", "ready", "end", "finish"]) client.on(e, () => events.push(e));
  client.on("close", (hadError) => events.push(`close:${hadError}`));
  await once(client, "connect");
  assert.equal(client.readyState, "open");
  assert.equal(client.pending, false);
  assert.equal(client.remoteAddress, "127.0.0.1");
  assert.equal(client.remotePort, addr.port);
  assert.equal(client.remoteFamily, "IPv4");
  assert.equal(client.localAddress, "127.0.0.1");
  const [conn] = await serverSide;
  assert.equal(conn.remotePort, client.localPort);
  assert.equal(conn.localPort, addr.port);
  assert.equal(conn.server, server);
  const got = collect(client);
  const closed = once(client, "close");
  client.end("hello, echo");
  assert.equal((await got).toString(), "hello, echo");
  await closed;
  assert.deepEqual(events, ["connect", "ready", "finish", "end", "close:false"]);
  assert.equal(client.bytesRead, 11);
  assert.equal(client.bytesWritten, 11);
  assert.equal(client.readyState, "closed");
  assert.equal(client.remoteAddress, "127.0.0.1", "kept after close");
  server.close();
  await once(server, "close");
});

test("TCP echo over ::1 and a dual-stack listen() without host", async () => {
  const server = echoServer();
  const addr = await listen(server, 0, "::1");
  assert.deepEqual({ address: addr.address, family: addr.family }, { address: "::1", family: "IPv6" });
  const client = net.connect({ port: addr.port, host: "::1" });
  const got = collect(client);
  client.end(Buffer.from([1, 2, 3, 255]));
  assert.deepEqual([...(await got)], [1, 2, 3, 255]);
  assert.equal(client.remoteFamily, "IPv6");
  server.close();
  const any = echoServer();
  const a2 = await listen(any, 0);
  assert.equal(a2.address, "::");
  assert.equal(a2.family, "IPv6");
  const c4 = net.connect(a2.port, "127.0.0.1"); // dual stack: IPv4 reaches ::
  const got4 = collect(c4);
  c4.end("v4");
  assert.equal((await got4).toString(), "v4");
  any.close();
});

test("Unix socket path: address() is the path, echo works, the path is removed on close", async () => {
  const path = `${dir}/echo.sock`;
  const server = echoServer();
  const addr = await listen(server, path);
  assert.equal(addr, path);
  assert.ok(fs.statSync(path).isSocket());
  const client = net.connect(path);
  const got = collect(client);
  await once(client, "connect");
  assert.equal(client.remoteAddress, undefined);
  client.end("over unix");
  assert.equal((await got).toString(), "over unix");
  const again = net.createServer();
  again.listen(path);
  const [err] = await once(again, "error");
  assert.equal(err.code, "EADDRINUSE");
  assert.equal(err.message, `listen EADDRINUSE: address already in use ${path}`);
  server.close();
  await once(server, "close");
  assert.equal(fs.existsSync(path), false);
  const refused = net.connect({ path });
  const [e2] = await once(refused, "error");
  assert.equal(e2.message, `connect ENOENT ${path}`);
  assert.equal(e2.address, path);
});

test("half-close: allowHalfOpen server answers after the client's end()", async () => {
  const server = net.createServer({ allowHalfOpen: true }, (c) => {
    const chunks = [];
    c.on("data", (d) => chunks.push(d));
    c.on("end", () => {
      // our side is still writable after the peer's FIN
      assert.equal(c.writable, true);
      c.end(`got ${Buffer.concat(chunks).length} bytes`);
    });
  });
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  const got = collect(client);
  client.end("x".repeat(1000));
  assert.equal((await got).toString(), "got 1000 bytes");
  server.close();
});

test("allowHalfOpen false: a socket ends its side after the peer's FIN", async () => {
  let serverSocket;
  const server = net.createServer((c) => { serverSocket = c; c.resume(); });
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  client.resume();
  await once(client, "connect");
  await sleep(20);
  const ended = once(serverSocket, "end");
  const finished = once(serverSocket, "finish");
  const clientEnd = once(client, "end");
  const clientClose = once(client, "close");
  client.end();
  await ended;
  await finished; // the server socket ended itself
  await clientEnd;
  assert.equal(client.writable, false);
  await clientClose;
  server.close();
});

test("write after the peer ended (allowHalfOpen false): the callback gets Node's EPIPE error", async () => {
  const server = net.createServer((c) => c.end());
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  client.resume();
  await once(client, "end");
  await sleep(5);
  let errorEvents = 0;
  client.on("error", () => errorEvents++);
  const [err] = await new Promise((r) => client.write("late", (e) => r([e])));
  assert.equal(err.message, "This socket has been ended by the other party");
  assert.equal(err.code, "EPIPE");
  await sleep(5);
  assert.equal(errorEvents, 0, "already destroyed: no 'error' event (as in Node)");
  server.close();
});

test("backpressure: 8 MiB through a paused reader, write() returns false, 'drain', bytes intact", async () => {
  const SIZE = 8 * 1024 * 1024;
  const data = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 4096) data[i] = (i >> 12) & 255;
  let writer;
  const server = net.createServer((c) => { writer = c; });
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  client.pause();
  await once(server, "connection");
  const ok = writer.write(data);
  assert.equal(ok, false);
  assert.ok(writer.writableLength > 0 && writer.bufferSize === writer.writableLength);
  let drained = false;
  writer.once("drain", () => { drained = true; });
  await sleep(100);
  assert.equal(drained, false, "nothing drains while the reader is paused");
  assert.ok(client.readableLength <= 16384 + 65536, `reader buffered ${client.readableLength} bytes`);
  assert.ok(writer.writableLength > SIZE / 2, "most bytes still wait in the writer");
  const got = collect(client);
  client.resume();
  await once(writer, "drain");
  writer.end();
  const buf = await got;
  assert.equal(buf.length, SIZE);
  assert.equal(Buffer.compare(buf, data), 0);
  assert.equal(drained, true);
  assert.equal(writer.bytesWritten, SIZE);
  assert.equal(client.bytesRead, SIZE);
  server.close();
});

test("ECONNREFUSED as Node reports it; 'close' with hadError", async () => {
  const s = net.connect(1, "127.0.0.1");
  const closed = once(s, "close");
  const [err] = await once(s, "error");
  assert.equal(err.message, "connect ECONNREFUSED 127.0.0.1:1");
  assert.equal(err.errno, -111);
  assert.equal(err.code, "ECONNREFUSED");
  assert.equal(err.syscall, "connect");
  assert.equal(err.address, "127.0.0.1");
  assert.equal(err.port, 1);
  assert.deepEqual(await closed, [true]);
  assert.equal(s.destroyed, true);
});

test("connect through the hosts file: 'lookup' for localhost", async () => {
  const server = echoServer();
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect({ port, host: "localhost" });
  const [err, address, family, host] = await once(client, "lookup");
  assert.equal(err, null);
  assert.equal(address, "127.0.0.1");
  assert.equal(family, 4);
  assert.equal(host, "localhost");
  await once(client, "connect");
  client.destroy();
  server.close();
});

test("server.close() with a connection open: stops accepting, 'close' once the connection ends", async () => {
  const server = echoServer();
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  await once(server, "connection");
  let closed = false;
  server.close(() => { closed = true; });
  assert.equal(server.listening, false);
  assert.equal(server.address(), null);
  const late = net.connect(port, "127.0.0.1");
  const [err] = await once(late, "error");
  assert.equal(err.code, "ECONNREFUSED");
  await sleep(20);
  assert.equal(closed, false, "still one connection");
  const [n] = await new Promise((r) => server.getConnections((e, c) => r([c])));
  assert.equal(n, 1);
  client.end();
  await once(server, "close");
  assert.equal(closed, true);
  const [e2] = await new Promise((r) => server.close((e) => r([e])));
  assert.equal(e2.code, "ERR_SERVER_NOT_RUNNING");
  assert.equal(e2.message, "Server is not running.");
});

test("EADDRINUSE and ERR_SERVER_ALREADY_LISTEN, ERR_SOCKET_BAD_PORT", async () => {
  const a = net.createServer();
  const { port } = await listen(a, 0, "127.0.0.1");
  const b = net.createServer();
  b.listen(port, "127.0.0.1");
  const [err] = await once(b, "error");
  assert.equal(err.message, `listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
  assert.equal(err.errno, -98);
  assert.equal(err.syscall, "listen");
  assert.equal(err.address, "127.0.0.1");
  assert.equal(err.port, port);
  assert.throws(() => a.listen(0), (e) => e.code === "ERR_SERVER_ALREADY_LISTEN");
  assert.throws(() => net.connect(70000), (e) => e.code === "ERR_SOCKET_BAD_PORT" &&
    e.message === "Port should be >= 0 and < 65536. Received type number (70000).");
  assert.throws(() => net.createServer().listen(-1), (e) => e.code === "ERR_SOCKET_BAD_PORT" &&
    e.message === "options.port should be >= 0 and < 65536. Received type number (-1).");
  a.close();
});

test("setTimeout: 'timeout' after the idle time, pushed back by activity, off with 0", async () => {
  const server = net.createServer((c) => c.resume());
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  await once(client, "connect");
  const t0 = Date.now();
  let fired = 0;
  client.setTimeout(80, () => { fired++; });
  assert.equal(client.timeout, 80);
  await sleep(50);
  client.write("activity");
  await sleep(50);
  assert.equal(fired, 0, "activity pushed it back");
  await once(client, "timeout");
  assert.ok(Date.now() - t0 >= 95, `fired after ${Date.now() - t0} ms`);
  await sleep(1);
  assert.equal(fired, 1);
  assert.equal(client.destroyed, false, "timeout does not close the socket");
  client.setTimeout(0);
  client.setTimeout(30);
  client.setTimeout(0);
  await sleep(60);
  client.destroy();
  server.close();
  assert.throws(() => client.setTimeout(-1), (e) => e.code === "ERR_OUT_OF_RANGE");
});

test("setEncoding, setNoDelay, setKeepAlive, cork/uncork (writev) and address()", async () => {
  const server = echoServer();
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  assert.equal(client.setNoDelay(true), client);
  assert.equal(client.setKeepAlive(true, 5000), client);
  await once(client, "connect");
  assert.equal(client.setNoDelay(false), client);
  const a = client.address();
  assert.deepEqual(Object.keys(a).sort(), ["address", "family", "port"]);
  assert.equal(a.address, "127.0.0.1");
  client.setEncoding("utf8");
  const parts = [];
  client.on("data", (d) => { assert.equal(typeof d, "string"); parts.push(d); });
  client.cork();
  client.write("é");
  client.write(Buffer.from(" b"));
  client.write(" c", "latin1");
  client.uncork();
  client.end();
  await once(client, "end");
  assert.equal(parts.join(""), "é b c");
  server.close();
});

test("resetAndDestroy: the peer sees 'read ECONNRESET'", async () => {
  const server = net.createServer((c) => { c.on("data", () => c.resetAndDestroy()); });
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = net.connect(port, "127.0.0.1");
  client.write("x");
  const [err] = await once(client, "error");
  assert.equal(err.code, "ECONNRESET");
  assert.equal(err.message, "read ECONNRESET");
  assert.equal(err.syscall, "read");
  assert.equal(err.errno, -104);
  server.close();
});

test("destroy(err) emits 'error' then 'close'(true); destroy() 'close'(false); destroySoon", async () => {
  const server = net.createServer((c) => c.resume());
  const { port } = await listen(server, 0, "127.0.0.1");
  const c1 = net.connect(port, "127.0.0.1");
  await once(c1, "connect");
  const order = [];
  c1.on("error", (e) => order.push(`error:${e.message}`));
  c1.on("close", (h) => order.push(`close:${h}`));
  c1.destroy(new Error("boom"));
  await once(c1, "close");
  assert.deepEqual(order, ["error:boom", "close:true"]);
  const c2 = net.connect(port, "127.0.0.1");
  await once(c2, "connect");
  c2.destroySoon();
  const [h] = await once(c2, "close");
  assert.equal(h, false);
  server.close();
});

test("maxConnections drops extra connections; pauseOnConnect leaves the socket paused", async () => {
  const server = net.createServer({ pauseOnConnect: true });
  server.maxConnections = 1;
  const conns = [];
  server.on("connection", (c) => conns.push(c));
  const { port } = await listen(server, 0, "127.0.0.1");
  const c1 = net.connect(port, "127.0.0.1");
  await once(server, "connection");
  assert.equal(conns[0].isPaused(), true);
  const c2 = net.connect(port, "127.0.0.1");
  c2.on("error", () => {});
  c2.resume();
  await once(c2, "close");
  assert.equal(conns.length, 1);
  const got = [];
  conns[0].on("data", (d) => got.push(d.toString()));
  c1.write("late");
  await sleep(30);
  assert.deepEqual(got, [], "paused: no data");
  conns[0].resume();
  await sleep(30);
  assert.deepEqual(got, ["late"]);
  c1.destroy();
  server.close();
});

test("writes queued while connecting go out after 'connect'; ref/unref return this", async () => {
  const server = echoServer();
  const { port } = await listen(server, 0, "127.0.0.1");
  const client = new Socket();
  assert.equal(client.unref(), client);
  assert.equal(client.ref(), client);
  client.connect({ port, host: "127.0.0.1" });
  client.write("queued ");
  client.write("early");
  assert.ok(client.bytesWritten >= 12);
  const got = collect(client);
  client.end();
  assert.equal((await got).toString(), "queued early");
  assert.equal(server.unref(), server);
  assert.equal(server.ref(), server);
  server.close();
});

test("a server's 'listening' and 'connection' listeners, listen({port, host}) and listen(cb)", async () => {
  const server = net.createServer();
  let listening = 0;
  server.on("listening", () => listening++);
  server.listen({ port: 0, host: "127.0.0.1" });
  await once(server, "listening");
  assert.equal(listening, 1);
  assert.equal(server.listening, true);
  server.close();
  const s2 = net.createServer();
  await new Promise((r) => s2.listen(r));
  assert.ok(s2.address().port > 0);
  s2.close();
});

test("BlockList and SocketAddress", () => {
  const bl = new BlockList();
  bl.addAddress("123.123.123.123");
  bl.addRange("10.0.0.1", "10.0.0.10");
  bl.addSubnet("8592:757c:efae:4e45::", 64, "ipv6");
  assert.equal(bl.check("123.123.123.123"), true);
  assert.equal(bl.check("10.0.0.3"), true);
  assert.equal(bl.check("222.111.111.222"), false);
  assert.equal(bl.check("8592:757c:efae:4e45:f::", "ipv6"), true);
  assert.equal(bl.check("8592:757c:efae:4e45::f", "IPv6"), true);
  assert.equal(bl.check("::ffff:7b7b:7b7b", "ipv6"), true, "IPv4-mapped form");
  assert.equal(bl.check("::ffff:123.123.123.123", "ipv6"), true);
  assert.deepEqual(bl.rules, [
    "Subnet: IPv6 8592:757c:efae:4e45::/64",
    "Range: IPv4 10.0.0.1-10.0.0.10",
    "Address: IPv4 123.123.123.123",
  ]);
  assert.equal(BlockList.isBlockList(bl), true);
  const sa = new SocketAddress({ address: "::1", port: 80, family: "ipv6" });
  assert.equal(sa.address, "::1");
  assert.equal(sa.port, 80);
  assert.equal(sa.family, "ipv6");
  assert.equal(sa.flowlabel, 0);
  const d = new SocketAddress();
  assert.deepEqual([d.address, d.port, d.family], ["127.0.0.1", 0, "ipv4"]);
  assert.equal(SocketAddress.isSocketAddress(sa), true);
  assert.throws(() => bl.addAddress("nope"), (e) => e.code === "ERR_INVALID_ARG_VALUE");
  const bl2 = new BlockList();
  bl2.addAddress(new SocketAddress({ address: "1.2.3.4" }));
  assert.equal(bl2.check("1.2.3.4"), true);
});

test("connect to a bad localAddress and with an invalid port type", () => {
  assert.throws(() => net.connect({ port: 80, localAddress: "nope" }), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.throws(() => net.connect({ port: true }), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.throws(() => net.createServer(5), (e) => e.code === "ERR_INVALID_ARG_TYPE");
});

test("many concurrent connections through one echo server", async () => {
  const server = echoServer();
  const { port } = await listen(server, 0, "127.0.0.1");
  const N = 50;
  const results = await Promise.all(Array.from({ length: N }, (_, i) => {
    const c = net.connect(port, "127.0.0.1");
    const p = collect(c);
    c.end(`client ${i}`);
    return p.then((b) => b.toString());
  }));
  for (let i = 0; i < N; i++) assert.equal(results[i], `client ${i}`);
  server.close();
  await once(server, "close");
});

test("new Socket({ fd }) wraps a connected stream fd; other fds give ERR_INVALID_FD_TYPE", async () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  const sa = new Socket({ fd: a, readable: true, writable: true });
  const sb = new Socket({ fd: b, readable: true, writable: true });
  const got = collect(sb);
  sa.end("through a socketpair");
  assert.equal((await got).toString(), "through a socketpair");
  sa.destroy();
  sb.destroy();
  const fd = fs.openSync("/etc/hosts", "r");
  assert.throws(() => new Socket({ fd }), (e) => e.code === "ERR_INVALID_FD_TYPE" && e.message === "Unsupported fd type: FILE");
  fs.closeSync(fd);
});
