import { test, assert } from "jsk:test";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { pipeline, Readable, Writable } from "node:stream";
import { Buffer } from "node:buffer";

const root = fs.mkdtempSync("/tmp/unode-fss-");
const P = (name) => `${root}/${name}`;
const big = Buffer.alloc(300000);
for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
fs.writeFileSync(P("src"), big);

const once = (emitter, name) => new Promise((resolve) => emitter.once(name, resolve));

test("ReadStream/WriteStream are node:stream Readable/Writable with Node's defaults", () => {
  const rs = fs.createReadStream(P("src"));
  assert.ok(rs instanceof fs.ReadStream && rs instanceof Readable);
  assert.equal(rs.readableHighWaterMark, 65536);
  assert.equal(rs.pending, true);
  assert.equal(rs.path, P("src"));
  assert.equal(rs.flags, "r");
  assert.equal(rs.bytesRead, 0);
  rs.destroy();
  const ws = fs.createWriteStream(P("ws-defaults"));
  assert.ok(ws instanceof fs.WriteStream && ws instanceof Writable);
  assert.equal(ws.flags, "w");
  assert.equal(ws.pending, true);
  assert.equal(ws.bytesWritten, 0);
  ws.destroy();
  assert.equal(fs.FileReadStream, fs.ReadStream);
});

test("a file copy with pipe: 'open', 'ready', 'finish', 'close', byte counts", async () => {
  const rs = fs.createReadStream(P("src"));
  const ws = fs.createWriteStream(P("copy"));
  const events = [];
  rs.on("open", (fd) => events.push(`r-open ${typeof fd}`, rs.pending));
  rs.on("ready", () => events.push("r-ready"));
  rs.on("close", () => events.push("r-close"));
  ws.on("open", () => events.push("w-open"));
  ws.on("finish", () => events.push("w-finish"));
  const closed = once(ws, "close");
  rs.pipe(ws);
  await closed;
  assert.ok(fs.readFileSync(P("copy")).equals(big));
  assert.equal(rs.bytesRead, big.length);
  assert.equal(ws.bytesWritten, big.length);
  assert.deepEqual(events.slice(0, 5).sort(), [false, "r-open number", "r-ready", "w-open", "w-finish"].sort());
  assert.ok(events.includes("r-close"));
  assert.equal(rs.pending, true, "fd is null again once closed, as in Node");
});

test("stream.pipeline copies and reports completion", async () => {
  await new Promise((resolve, reject) =>
    pipeline(fs.createReadStream(P("src"), { highWaterMark: 1000 }), fs.createWriteStream(P("copy2")), (err) => (err ? reject(err) : resolve())));
  assert.ok(fs.readFileSync(P("copy2")).equals(big));
});

test("start/end (inclusive), encoding, and errors", async () => {
  const parts = [];
  const rs = fs.createReadStream(P("src"), { start: 10, end: 19, encoding: "hex" });
  rs.on("data", (d) => parts.push(d));
  await once(rs, "end");
  assert.equal(parts.join(""), big.subarray(10, 20).toString("hex"));
  const utf = [];
  fs.writeFileSync(P("utf"), "héllo wörld");
  const rs2 = fs.createReadStream(P("utf"), { encoding: "utf8", highWaterMark: 2 });
  rs2.on("data", (d) => utf.push(d));
  await once(rs2, "end");
  assert.equal(utf.join(""), "héllo wörld");
  assert.throws(() => fs.createReadStream(P("src"), { start: 5, end: 2 }), (e) => e.code === "ERR_OUT_OF_RANGE" &&
    e.message === 'The value of "start" is out of range. It must be <= "end" (here: 2). Received 5');
  const bad = fs.createReadStream(P("nope"));
  const errP = once(bad, "error"), closeP = once(bad, "close");
  const err = await errP;
  assert.equal(err.message, `ENOENT: no such file or directory, open '${P("nope")}'`);
  await closeP;
  const badFlags = fs.createWriteStream(P("x"), { flags: "bogus" });
  assert.equal((await once(badFlags, "error")).code, "ERR_INVALID_ARG_VALUE");
  const badMode = fs.createReadStream(P("x"), { mode: "zz" });
  assert.equal((await once(badMode, "error")).message, "The argument 'mode' must be a 32-bit unsigned integer or an octal string. Received 'zz'");
});

test("WriteStream: flags 'a', start in 'r+', string chunks, end callback, close(cb)", async () => {
  const w = fs.createWriteStream(P("app"), { flags: "a" });
  w.write("ab");
  w.write(Buffer.from("cd"));
  await new Promise((resolve) => w.end("ef", resolve));
  assert.equal(fs.readFileSync(P("app"), "utf8"), "abcdef");
  assert.equal(w.bytesWritten, 6);
  const w2 = fs.createWriteStream(P("app"), { flags: "r+", start: 2 });
  w2.write("XY");
  await new Promise((resolve) => w2.close(resolve));
  assert.equal(fs.readFileSync(P("app"), "utf8"), "abXYef");
  assert.ok(w2.closed);
  const w3 = fs.createWriteStream(P("nodir/x"));
  const err = await once(w3, "error");
  assert.equal(err.code, "ENOENT");
});

test("fd option and autoClose: false leave the descriptor open; FileHandle streams", async () => {
  const fd = fs.openSync(P("src"), "r");
  const rs = fs.createReadStream(null, { fd, autoClose: false, start: 0, end: 3 });
  assert.equal(rs.pending, false);
  const chunks = [];
  rs.on("data", (c) => chunks.push(c));
  await once(rs, "end");
  assert.ok(Buffer.concat(chunks).equals(big.subarray(0, 4)));
  assert.equal(fs.fstatSync(fd).size, big.length, "still open");
  fs.closeSync(fd);
  const fh = await fsp.open(P("fhs"), "w");
  const ws = fh.createWriteStream();
  ws.end("through a FileHandle");
  await once(ws, "close");
  assert.equal(fh.fd, -1, "autoClose closes the FileHandle");
  const fh2 = await fsp.open(P("fhs"));
  const got = [];
  const rs2 = fh2.createReadStream({ encoding: "utf8" });
  rs2.on("data", (d) => got.push(d));
  await once(rs2, "close");
  assert.equal(got.join(""), "through a FileHandle");
});

test("a ReadStream destroyed early closes its fd", async () => {
  const rs = fs.createReadStream(P("src"), { highWaterMark: 100 });
  await once(rs, "open");
  const fd = rs.fd;
  rs.destroy();
  await once(rs, "close");
  assert.throws(() => fs.fstatSync(fd), (e) => e.code === "EBADF");
});

test("cleanup: the temporary folder is removed", () => {
  fs.rmSync(root, { recursive: true });
  assert.equal(fs.existsSync(root), false);
});
