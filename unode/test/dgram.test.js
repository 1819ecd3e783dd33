import { test, assert } from "jsk:test";
import dgram from "node:dgram";
import { createSocket, Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import { Buffer } from "node:buffer";

const once = (emitter, name) => new Promise((resolve) => emitter.once(name, (...a) => resolve(a)));
const bound = (s, ...args) => new Promise((resolve, reject) => {
  s.once("error", reject);
  s.bind(...args, () => { s.off("error", reject); resolve(s.address()); });
});

test("createSocket: types, EventEmitter, Node's errors before bind", () => {
  const s = createSocket("udp4");
  assert.ok(s instanceof Socket && s instanceof EventEmitter);
  assert.equal(s.type, "udp4");
  assert.throws(() => createSocket("udp5"), (e) => e.code === "ERR_SOCKET_BAD_TYPE" &&
    e.message === "Bad socket type specified. Valid types are: udp4, udp6");
  assert.throws(() => s.address(), (e) => e.code === "EBADF" && e.message === "getsockname EBADF" && e.errno === -9);
  assert.throws(() => s.setBroadcast(true), (e) => e.message === "setBroadcast EBADF");
  assert.throws(() => s.getRecvBufferSize(), (e) => e.code === "ERR_SOCKET_BUFFER_SIZE" &&
    e.message === "Could not get or set buffer size: uv_recv_buffer_size returned EBADF (bad file descriptor)");
  assert.throws(() => s.remoteAddress(), (e) => e.code === "ERR_SOCKET_DGRAM_NOT_CONNECTED" && e.message === "Not connected");
  assert.throws(() => s.disconnect(), (e) => e.code === "ERR_SOCKET_DGRAM_NOT_CONNECTED");
  assert.throws(() => s.setTTL(0), (e) => e.message === "setTTL EINVAL" && e.errno === -22);
  assert.throws(() => s.addMembership(), (e) => e.code === "ERR_MISSING_ARGS" &&
    e.message === 'The "multicastAddress" argument must be specified');
  assert.throws(() => s.send("x", 0), (e) => e.code === "ERR_SOCKET_BAD_PORT" &&
    e.message === "Port should be > 0 and < 65536. Received type number (0).");
  s.close();
  assert.throws(() => s.close(), (e) => e.code === "ERR_SOCKET_DGRAM_NOT_RUNNING" && e.message === "Not running");
  assert.equal(dgram.createSocket, createSocket);
});

test("udp4 send/receive on 127.0.0.1: message, rinfo, callback with bytes sent", async () => {
  const a = createSocket("udp4");
  const b = createSocket("udp4");
  const addrA = await bound(a, 0, "127.0.0.1");
  assert.equal(addrA.address, "127.0.0.1");
  assert.equal(addrA.family, "IPv4");
  const addrB = await bound(b, { port: 0, address: "127.0.0.1" });
  const got = once(a, "message");
  const [err, n] = await new Promise((r) => b.send("hello udp", addrA.port, "127.0.0.1", (...x) => r(x)));
  assert.equal(err, null);
  assert.equal(n, 9);
  const [msg, rinfo] = await got;
  assert.ok(Buffer.isBuffer(msg));
  assert.equal(msg.toString(), "hello udp");
  assert.deepEqual(rinfo, { address: "127.0.0.1", family: "IPv4", port: addrB.port, size: 9 });
  // offset/length form, array of buffers, and a reply
  const got2 = once(a, "message");
  b.send(Buffer.from("xxabcxx"), 2, 3, addrA.port, "127.0.0.1");
  assert.equal((await got2)[0].toString(), "abc");
  const got3 = once(a, "message");
  b.send([Buffer.from("one "), "two ", new Uint8Array([51])], addrA.port, "127.0.0.1");
  assert.equal((await got3)[0].toString(), "one two 3");
  const closed = once(a, "close");
  a.close();
  await closed;
  b.close();
});

test("udp6 send/receive on ::1 and an implicit bind on the first send", async () => {
  const a = createSocket("udp6");
  const addr = await bound(a, 0, "::1");
  assert.equal(addr.family, "IPv6");
  assert.equal(addr.address, "::1");
  const b = createSocket({ type: "udp6" });
  let listening = 0;
  b.on("listening", () => listening++);
  const got = once(a, "message");
  b.send(Buffer.from([0, 1, 2, 3]), addr.port, "::1");
  const [msg, rinfo] = await got;
  assert.deepEqual([...msg], [0, 1, 2, 3]);
  assert.equal(rinfo.family, "IPv6");
  assert.equal(rinfo.address, "::1");
  assert.equal(listening, 1, "send bound the socket");
  assert.equal(b.address().port, rinfo.port);
  a.close();
  b.close();
});

test("connect/disconnect/remoteAddress, send without an address, ERR_SOCKET_DGRAM_IS_CONNECTED", async () => {
  const server = createSocket("udp4");
  const { port } = await bound(server, 0, "127.0.0.1");
  const client = createSocket("udp4");
  await new Promise((r) => client.connect(port, "127.0.0.1", r));
  assert.deepEqual(client.remoteAddress(), { address: "127.0.0.1", family: "IPv4", port });
  assert.throws(() => client.connect(port), (e) => e.code === "ERR_SOCKET_DGRAM_IS_CONNECTED" && e.message === "Already connected");
  assert.throws(() => client.send("x", 0, 1, port, "127.0.0.1"), (e) => e.code === "ERR_SOCKET_DGRAM_IS_CONNECTED");
  const got = once(server, "message");
  client.send("via connect");
  const [msg, rinfo] = await got;
  assert.equal(msg.toString(), "via connect");
  // the server answers; the connected client receives it
  const reply = once(client, "message");
  server.send("pong", rinfo.port, rinfo.address);
  assert.equal((await reply)[0].toString(), "pong");
  client.disconnect();
  assert.throws(() => client.remoteAddress(), (e) => e.code === "ERR_SOCKET_DGRAM_NOT_CONNECTED");
  client.close();
  server.close();
});

test("a connected socket with nobody listening gets 'recvmsg ECONNREFUSED'", async () => {
  const probe = createSocket("udp4");
  const { port } = await bound(probe, 0, "127.0.0.1");
  await new Promise((r) => probe.close(r)); // now nobody listens on port
  const c = createSocket("udp4");
  c.connect(port, "127.0.0.1", () => c.send("x"));
  const [err] = await once(c, "error");
  assert.equal(err.code, "ECONNREFUSED");
  assert.equal(err.message, "recvmsg ECONNREFUSED");
  assert.equal(err.syscall, "recvmsg");
  c.close();
});

test("bind errors: EADDRINUSE as 'bind EADDRINUSE 127.0.0.1:port'; ERR_SOCKET_ALREADY_BOUND", async () => {
  const a = createSocket("udp4");
  const { port } = await bound(a, 0, "127.0.0.1");
  assert.throws(() => a.bind(0), (e) => e.code === "ERR_SOCKET_ALREADY_BOUND" && e.message === "Socket is already bound");
  const b = createSocket("udp4");
  b.bind(port, "127.0.0.1");
  const [err] = await once(b, "error");
  assert.equal(err.code, "EADDRINUSE");
  assert.equal(err.message, `bind EADDRINUSE 127.0.0.1:${port}`);
  assert.equal(err.syscall, "bind");
  assert.equal(err.port, port);
  b.close();
  // reuseAddr lets a second socket share the port
  const r1 = createSocket({ type: "udp4", reuseAddr: true });
  const p1 = (await bound(r1, 0, "127.0.0.1")).port;
  const r2 = createSocket({ type: "udp4", reuseAddr: true });
  assert.equal((await bound(r2, p1, "127.0.0.1")).port, p1);
  r1.close();
  r2.close();
  a.close();
});

test("socket options: broadcast, TTLs, multicast loopback, buffer sizes (Linux doubles them)", async () => {
  const s = createSocket({ type: "udp4", recvBufferSize: 100000 });
  await bound(s, 0, "127.0.0.1");
  assert.equal(s.getRecvBufferSize(), 200000);
  s.setSendBufferSize(65536);
  assert.equal(s.getSendBufferSize(), 131072);
  assert.throws(() => s.setRecvBufferSize(-1), (e) => e.code === "ERR_SOCKET_BAD_BUFFER_SIZE");
  s.setBroadcast(true);
  assert.equal(s.setTTL(64), 64);
  assert.equal(s.setMulticastTTL(2), 2);
  assert.equal(s.setMulticastLoopback(true), true);
  s.setMulticastInterface("127.0.0.1");
  assert.throws(() => s.setMulticastInterface("nope"), (e) => e.message === "setMulticastInterface EINVAL");
  assert.throws(() => s.addMembership("1.2.3.4"), (e) => e.message === "addMembership EINVAL" && e.code === "EINVAL");
  assert.throws(() => s.setTTL("x"), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  s.close();
});

test("multicast on loopback: addMembership, a datagram to the group comes back, dropMembership", async () => {
  const s = createSocket({ type: "udp4", reuseAddr: true });
  const { port } = await bound(s, 0);
  const group = "239.255.42.99";
  let joined = true;
  try {
    s.addMembership(group);
  } catch (e) {
    joined = false;
    assert.equal(e.syscall, "addMembership"); // what Node throws where the kernel refuses
  }
  if (joined) {
    s.setMulticastLoopback(true);
    const got = once(s, "message");
    s.send("to the group", port, group);
    const [msg] = await got;
    assert.equal(msg.toString(), "to the group");
    s.dropMembership(group);
    assert.throws(() => s.dropMembership(group), (e) => e.message === "dropMembership EADDRNOTAVAIL");
  }
  s.close();
  const s6 = createSocket("udp6");
  await bound(s6, 0);
  try {
    s6.addMembership("ff02::1:3");
    s6.dropMembership("ff02::1:3");
  } catch (e) {
    assert.equal(e.syscall, "addMembership");
  }
  assert.throws(() => s6.addMembership("not-an-address"), (e) => e.message === "addMembership EINVAL");
  s6.close();
});

test("close() while binding waits for the bind; close callback; ref/unref return this", async () => {
  const s = createSocket("udp4");
  s.bind(0);
  let closed = false;
  s.close(() => { closed = true; });
  await once(s, "close");
  assert.equal(closed, true);
  const t = createSocket("udp4");
  assert.equal(t.unref(), t);
  assert.equal(t.ref(), t);
  t.close();
});

test("many datagrams in a burst all arrive in order", async () => {
  const a = createSocket({ type: "udp4", recvBufferSize: 1 << 20 });
  const { port } = await bound(a, 0, "127.0.0.1");
  const b = createSocket("udp4");
  const N = 200;
  const seen = [];
  const done = new Promise((r) => a.on("message", (m) => { seen.push(+m.toString()); if (seen.length === N) r(); }));
  for (let i = 0; i < N; i++) b.send(String(i), port, "127.0.0.1");
  await done;
  assert.deepEqual(seen, Array.from({ length: N }, (_, i) => i));
  a.close();
  b.close();
});
