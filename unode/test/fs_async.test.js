import { test, assert } from "jsk:test";
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import process from "node:process";
import { env } from "jsk:native";
import { pipe2, close as sysClose } from "jsk:sys";
import { getBackend } from "node:internal/fs/async";
import { openRing } from "node:internal/fs/uring";

const root = fs.mkdtempSync("/tmp/unode-fs-async-");
const P = (name) => `${root}/${name}`;
const backend = getBackend();
const name = backend.name;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cbP = (fn, ...args) => new Promise((resolve) => fn(...args, (err, value) => resolve([err, value])));

/** Requests the engine carried out so far (SQEs or pool jobs). */
function engineCount() {
  const s = backend.stats;
  return s === undefined ? 0 : (s.sqes ?? s.jobs);
}

test("the backend asked for is the one that runs", () => {
  const forced = env.UNODE_FS_BACKEND;
  assert.ok(["io_uring", "threads", "deferred"].includes(name), name);
  if (forced === "io_uring") {
    // Forced io_uring on a kernel that refuses it runs the thread pool.
    const ring = openRing(4);
    if (ring !== null) ring.close();
    assert.equal(name, ring !== null ? "io_uring" : "threads");
  } else if (forced === "threads" || forced === "deferred") {
    assert.equal(name, forced);
  } else if (env.UV_USE_IO_URING === "0") {
    assert.equal(name, "threads");
  }
  // The module-level getBackend() is stable.
  assert.equal(getBackend(), backend);
});

test("operations go through the engine (not the fallback)", async () => {
  if (name === "deferred") return;
  const before = backend.stats.ops, fallbacks = backend.stats.fallbacks;
  fs.writeFileSync(P("e.txt"), "engine");
  await fs.promises.stat(P("e.txt"));
  assert.equal(await fs.promises.readFile(P("e.txt"), "utf8"), "engine");
  await fs.promises.readdir(root); // not an engine operation: the fallback
  assert.equal(backend.stats.ops, before + 2);
  assert.equal(backend.stats.fallbacks, fallbacks + 1);
});

test("callbacks never run synchronously", async () => {
  let sync = true;
  const p = cbP(fs.stat, root).then(() => sync);
  const q = new Promise((r) => fs.open(P("nope"), "r", (e) => r([e?.code, sync])));
  sync = false;
  assert.equal(await p, false);
  assert.deepEqual(await q, ["ENOENT", false]);
});

test("many concurrent operations: more than the ring holds, every result right", async () => {
  const n = 300;
  for (let i = 0; i < n; i++) fs.writeFileSync(P(`m${i}`), `file ${i} `.repeat(i % 7 + 1));
  const jobs = [];
  for (let i = 0; i < n; i++) {
    jobs.push(fs.promises.readFile(P(`m${i}`), "utf8"));
    jobs.push(fs.promises.stat(P(`m${i}`)).then((s) => s.size));
  }
  const out = await Promise.all(jobs);
  for (let i = 0; i < n; i++) {
    const want = `file ${i} `.repeat(i % 7 + 1);
    assert.equal(out[2 * i], want);
    assert.equal(out[2 * i + 1], want.length);
  }
  if (name !== "deferred") assert.ok(backend.stats.maxInFlight > 1, `in flight at once: ${backend.stats.maxInFlight}`);
});

test("completions arrive out of order: a read waiting on a pipe does not hold back later operations", async () => {
  if (name === "deferred") return; // the deferred backend would block the loop on the empty pipe
  const [r, w] = pipe2(0o2000000);
  try {
    const order = [];
    const buf = Buffer.alloc(16);
    const slow = new Promise((resolve) => fs.read(r, buf, 0, 16, null, (err, n) => {
      order.push("pipe");
      resolve([err, n]);
    }));
    const fast = [];
    for (let i = 0; i < 20; i++) fast.push(fs.promises.stat(root).then(() => order.push(`stat${i}`)));
    await Promise.all(fast);
    await sleep(10);
    assert.equal(order.length, 20);
    assert.ok(!order.includes("pipe"));
    fs.writeSync(w, "ping");
    const [err, n] = await slow;
    assert.equal(err, null);
    assert.equal(n, 4);
    assert.equal(buf.toString("utf8", 0, n), "ping");
    assert.equal(order[20], "pipe");
  } finally {
    sysClose(r);
    sysClose(w);
  }
});

test("a read whose buffer is transferred in flight: no crash, nothing written into freed memory", async () => {
  const [r, w] = pipe2(0o2000000);
  try {
    const size = 4096;
    const target = new Uint8Array(size);
    const done = cbP(fs.read, r, target, 0, size, null);
    if (name !== "deferred") await sleep(10); // the read is in the kernel (ring) or a pool thread, waiting
    const moved = target.buffer.transfer(); // detaches target; its old memory may be freed
    assert.equal(target.byteLength, 0);
    const fresh = [];
    for (let i = 0; i < 64; i++) fresh.push(new Uint8Array(size)); // likely to reuse freed memory
    const marker = Buffer.alloc(size, 0x5a);
    fs.writeSync(w, marker);
    const [err, n] = await done;
    if (name === "deferred") {
      // The synchronous read runs later and sees the detached buffer: an argument error.
      assert.ok(err instanceof Error);
      fs.readSync(r, Buffer.alloc(size)); // the marker is still in the pipe
    } else {
      assert.equal(err, null);
      assert.equal(n, size);
    }
    for (const f of fresh) assert.equal(f.indexOf(0x5a), -1);
    assert.equal(new Uint8Array(moved).indexOf(0x5a), -1);
    // Still alive and well: more reads work.
    fs.writeSync(w, "after");
    const b = Buffer.alloc(5);
    assert.equal((await cbP(fs.read, r, b, 0, 5, null))[1], 5);
    assert.equal(b.toString(), "after");
  } finally {
    sysClose(r);
    sysClose(w);
  }
});

/** The fields of a system error that Node sets. */
function fields(e) {
  return e && { name: e.name, message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, dest: e.dest };
}

function syncError(fn) {
  try {
    fn();
  } catch (e) {
    return fields(e);
  }
  return null;
}

test("errors: the same code, errno, syscall, path, dest and message as the synchronous calls", async () => {
  fs.writeFileSync(P("x"), "x");
  fs.mkdirSync(P("full"));
  fs.writeFileSync(P("full/f"), "f");
  const missing = P("missing/deeper");
  const cases = [
    [(cb) => fs.open(missing, "r", cb), () => fs.openSync(missing, "r")],
    [(cb) => fs.open(P("x"), "wx", cb), () => fs.openSync(P("x"), "wx")],
    [(cb) => fs.stat(missing, cb), () => fs.statSync(missing)],
    [(cb) => fs.lstat(missing, cb), () => fs.lstatSync(missing)],
    [(cb) => fs.fstat(9999, cb), () => fs.fstatSync(9999)],
    [(cb) => fs.read(9999, Buffer.alloc(4), 0, 4, null, cb), () => fs.readSync(9999, Buffer.alloc(4), 0, 4, null)],
    [(cb) => fs.read(9999, Buffer.alloc(4), 0, 4, 7, cb), () => fs.readSync(9999, Buffer.alloc(4), 0, 4, 7)],
    [(cb) => fs.write(9999, Buffer.alloc(4), cb), () => fs.writeSync(9999, Buffer.alloc(4))],
    [(cb) => fs.close(9999, cb), () => fs.closeSync(9999)],
    [(cb) => fs.fsync(9999, cb), () => fs.fsyncSync(9999)],
    [(cb) => fs.fdatasync(9999, cb), () => fs.fdatasyncSync(9999)],
    [(cb) => fs.rename(missing, P("y"), cb), () => fs.renameSync(missing, P("y"))],
    [(cb) => fs.unlink(missing, cb), () => fs.unlinkSync(missing)],
    [(cb) => fs.rmdir(P("full"), cb), () => fs.rmdirSync(P("full"))],
    [(cb) => fs.mkdir(P("full"), cb), () => fs.mkdirSync(P("full"))],
    [(cb) => fs.symlink("t", P("x"), cb), () => fs.symlinkSync("t", P("x"))],
    [(cb) => fs.link(P("x"), P("full/f"), cb), () => fs.linkSync(P("x"), P("full/f"))],
    [(cb) => fs.readFile(missing, cb), () => fs.readFileSync(missing)],
    [(cb) => fs.readFile(P("full"), cb), () => fs.readFileSync(P("full"))],
    [(cb) => fs.writeFile(P("full"), "x", cb), () => fs.writeFileSync(P("full"), "x")],
    [(cb) => fs.appendFile(missing, "x", cb), () => fs.appendFileSync(missing, "x")],
  ];
  for (const [async, sync] of cases) {
    const want = syncError(sync);
    assert.ok(want !== null, String(sync));
    const [err] = await new Promise((resolve) => async((...a) => resolve(a)));
    assert.deepEqual(fields(err), want, String(async));
  }
  // And the promise API.
  const e = await fs.promises.open(missing).catch((x) => x);
  assert.deepEqual(fields(e), syncError(() => fs.openSync(missing)));
  assert.equal(e.syscall, "open");
  assert.equal(e.path, missing);
  assert.equal(e.code, "ENOENT");
  // stat with throwIfNoEntry: false through the door itself gives undefined.
  const { submitP } = await import("node:internal/fs/async");
  assert.equal(await submitP("statSync", [missing, { throwIfNoEntry: false }]), undefined);
});

test("results: the same values as the synchronous calls", async () => {
  const f = P("r.txt");
  fs.writeFileSync(f, "0123456789");
  const [e1, fd] = await cbP(fs.open, f, "r+");
  assert.equal(e1, null);
  const b = Buffer.alloc(4);
  assert.deepEqual(await new Promise((r) => fs.read(fd, b, 1, 3, 2, (e, n, buf) => r([e, n, buf === b]))), [null, 3, true]);
  assert.equal(b.toString("latin1", 1), "234");
  assert.equal((await cbP(fs.write, fd, "ab", 8))[1], 2);
  assert.equal(fs.readFileSync(f, "utf8"), "01234567ab");
  const [, st] = await cbP(fs.fstat, fd);
  const sst = fs.fstatSync(fd);
  assert.deepEqual({ ...st }, { ...sst });
  assert.ok(st instanceof fs.Stats);
  const [, big] = await cbP(fs.stat, f, { bigint: true });
  assert.equal(typeof big.size, "bigint");
  assert.equal(big.size, 10n);
  assert.equal(big.ino, fs.statSync(f, { bigint: true }).ino);
  assert.equal((await cbP(fs.fdatasync, fd))[0], null);
  assert.equal((await cbP(fs.close, fd))[0], null);
  assert.deepEqual(await cbP(fs.mkdir, P("d")), [null, undefined]);
  assert.ok(fs.statSync(P("d")).isDirectory());
  assert.deepEqual(await cbP(fs.symlink, "r.txt", P("l")), [null, undefined]);
  assert.ok((await cbP(fs.lstat, P("l")))[1].isSymbolicLink());
  assert.equal((await cbP(fs.stat, P("l")))[1].size, 10);
  assert.deepEqual(await cbP(fs.link, f, P("h")), [null, undefined]);
  assert.equal(fs.statSync(f).nlink, 2);
  assert.deepEqual(await cbP(fs.rename, P("h"), P("h2")), [null, undefined]);
  assert.deepEqual(await cbP(fs.unlink, P("h2")), [null, undefined]);
  assert.deepEqual(await cbP(fs.rmdir, P("d")), [null, undefined]);
  assert.equal(fs.existsSync(P("d")), false);
  await fs.promises.appendFile(f, "!");
  assert.equal(await fs.promises.readFile(f, "latin1"), "01234567ab!");
  // /proc files report size 0: read in chunks until EOF, as readFileSync does.
  const status = await fs.promises.readFile("/proc/self/status", "utf8");
  assert.match(status, /^Name:/);
});

test("large reads and writes take several requests and keep every byte", async () => {
  const size = 5 * 1024 * 1024 + 123;
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) data[i] = (i >> 12) & 0xff;
  data[size - 1] = 0xee;
  const before = engineCount();
  await fs.promises.writeFile(P("big"), data);
  const got = await fs.promises.readFile(P("big"));
  assert.equal(got.length, size);
  assert.equal(Buffer.compare(got, data), 0);
  if (name !== "deferred") {
    // open + 6 writes of 1 MiB + close, open + fstat + 3 reads of 2 MiB + probe + close
    assert.ok(engineCount() - before >= 14, `requests: ${engineCount() - before}`);
  }
  // One read of 3 MiB at an offset, into the middle of a buffer.
  const fd = fs.openSync(P("big"), "r");
  try {
    const into = Buffer.alloc(3 * 1024 * 1024 + 10, 1);
    const [err, n] = await cbP(fs.read, fd, into, 5, 3 * 1024 * 1024, 4096);
    assert.equal(err, null);
    assert.equal(n, 3 * 1024 * 1024);
    assert.equal(Buffer.compare(into.subarray(5, 5 + n), data.subarray(4096, 4096 + n)), 0);
    assert.equal(into[4], 1);
    assert.equal(into[5 + n], 1);
  } finally {
    fs.closeSync(fd);
  }
  // A big write through the callback API, at the current position.
  const fd2 = fs.openSync(P("big2"), "w");
  const [e2, w2] = await cbP(fs.write, fd2, data);
  fs.closeSync(fd2);
  assert.equal(e2, null);
  assert.equal(w2, size);
  assert.equal(Buffer.compare(fs.readFileSync(P("big2")), data), 0);
});

test("a write copies the caller's bytes at submission", async () => {
  const fd = fs.openSync(P("copy"), "w");
  const b = Buffer.from("before");
  const p = cbP(fs.write, fd, b, 0, 6, 0);
  b.write("AFTER!");
  b.buffer.transfer(); // detached before the write completes: fine for the engines, which copied it
  const [err, n] = await p;
  fs.closeSync(fd);
  if (name === "deferred") {
    // The synchronous write runs later and sees the detached buffer: an argument error.
    assert.ok(err instanceof Error);
    return;
  }
  assert.equal(err, null);
  assert.equal(n, 6);
  assert.equal(fs.readFileSync(P("copy"), "utf8"), "before");
});

test("a close completes after the writes and closes submitted before it (a pipe's source closes after the last write)", async () => {
  const a = fs.openSync(P("order-a"), "w"), b = fs.openSync(P("order-b"), "w"), c = fs.openSync(P("order-c"), "w");
  const order = [];
  const data = Buffer.alloc(8 * 1024 * 1024, 3);
  const w = new Promise((r) => fs.write(a, data, () => r(order.push("write"))));
  const c1 = new Promise((r) => fs.close(b, () => r(order.push("close b"))));
  const c2 = new Promise((r) => fs.close(c, () => r(order.push("close c"))));
  await Promise.all([w, c1, c2]);
  fs.closeSync(a);
  assert.deepEqual(order, ["write", "close b", "close c"]);
});

test("an idle backend does not keep the process alive", async () => {
  if (name === "io_uring") assert.equal(backend.engine.referenced, false);
  if (name === "threads") assert.equal(backend.engine.pending, 0);
  const script = P("idle.js");
  fs.writeFileSync(script, `
    const fs = require("fs");
    fs.readFile(__filename, "utf8", (e, s) => {
      fs.stat(__filename, (e2, st) => console.log("done " + (s.length === st.size)));
    });
  `);
  const base = process.execPath.split("/").pop();
  const args = base === "node" || base === "unode" ? [script] : ["node", script];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, UNODE_DEBUG: "fs" }, timeout: 10000 });
  const ms = Date.now() - t0;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "done true");
  assert.match(r.stderr, new RegExp(`unode fs: asynchronous backend ${name} `));
  assert.ok(ms < 3000, `took ${ms} ms`);
});

test("cleanup: the temporary folder is removed", () => {
  fs.rmSync(root, { recursive: true, force: true });
  assert.equal(fs.existsSync(root), false);
});
