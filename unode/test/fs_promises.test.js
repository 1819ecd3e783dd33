import { test, assert } from "jsk:test";
import fsp from "node:fs/promises";
import * as fspNamed from "node:fs/promises";
import fs from "node:fs";
import { Buffer } from "node:buffer";
import { AbortController } from "node:internal/abort_controller";

const root = await fsp.mkdtemp("/tmp/unode-fsp-");
const P = (name) => `${root}/${name}`;

test("node:fs/promises is fs.promises, with named exports and constants", () => {
  assert.equal(fsp, fs.promises);
  assert.equal(fspNamed.readFile, fsp.readFile);
  assert.equal(fsp.constants, fs.constants);
  assert.equal(typeof fsp.open, "function");
});

test("writeFile/readFile/appendFile: strings, buffers, iterables, encodings, flags", async () => {
  await fsp.writeFile(P("a"), "hello");
  assert.equal(await fsp.readFile(P("a"), "utf8"), "hello");
  const b = await fsp.readFile(P("a"));
  assert.ok(Buffer.isBuffer(b));
  assert.equal(b.toString(), "hello");
  await fsp.appendFile(P("a"), Buffer.from(" world"));
  assert.equal(await fsp.readFile(P("a"), { encoding: "utf8" }), "hello world");
  await fsp.writeFile(P("it"), ["a", "b", Buffer.from("c")]);
  assert.equal(await fsp.readFile(P("it"), "utf8"), "abc");
  await fsp.writeFile(P("ait"), (async function* () { yield "x"; yield "y"; })());
  assert.equal(await fsp.readFile(P("ait"), "utf8"), "xy");
  await assert.rejects(fsp.writeFile(P("a"), "x", { flag: "wx" }), (e) => e.code === "EEXIST" && e.syscall === "open");
  await assert.rejects(fsp.readFile(P("nope")), (e) => e.message === `ENOENT: no such file or directory, open '${P("nope")}'`);
  await assert.rejects(fsp.readFile(5n), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  await assert.rejects(fsp.writeFile(P("n"), 5), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(fsp.readFile(P("a"), { signal: ac.signal }), (e) => e.name === "AbortError");
});

test("FileHandle: fd, read/write forms, stat, truncate, sync, chmod, utimes, readv/writev, close", async () => {
  const fh = await fsp.open(P("fh"), "w+");
  assert.ok(fh instanceof fs.promises.open.constructor || typeof fh.fd === "number");
  assert.equal(typeof fh.fd, "number");
  let r = await fh.write("hello world");
  assert.equal(r.bytesWritten, 11);
  assert.equal(r.buffer, "hello world");
  r = await fh.write(Buffer.from("HW"), 0, 1, 0);
  assert.equal(r.bytesWritten, 1);
  const buf = Buffer.alloc(5);
  let rr = await fh.read(buf, 0, 5, 0);
  assert.equal(rr.bytesRead, 5);
  assert.equal(rr.buffer, buf);
  assert.equal(buf.toString(), "Hello");
  rr = await fh.read({ buffer: Buffer.alloc(5), position: 6 });
  assert.equal(rr.buffer.toString(), "world");
  rr = await fh.read(Buffer.alloc(3), { position: 1 });
  assert.equal(rr.buffer.toString(), "ell");
  rr = await fh.read();
  assert.ok(Buffer.isBuffer(rr.buffer) && rr.buffer.length === 16384);
  const st = await fh.stat();
  assert.equal(st.size, 11);
  assert.equal((await fh.stat({ bigint: true })).size, 11n);
  await fh.truncate(5);
  assert.equal((await fh.stat()).size, 5);
  await fh.sync();
  await fh.datasync();
  await fh.chmod(0o600);
  assert.equal((await fh.stat()).mode & 0o777, 0o600);
  const { uid, gid } = await fh.stat();
  await fh.chown(uid, gid);
  await fh.utimes(10, 20);
  assert.equal((await fh.stat()).mtimeMs, 20000);
  const wv = await fh.writev([Buffer.from("ab"), Buffer.from("cd")], 0);
  assert.equal(wv.bytesWritten, 4);
  const x = Buffer.alloc(2), y = Buffer.alloc(3);
  const rv = await fh.readv([x, y], 0);
  assert.equal(rv.bytesRead, 5);
  assert.equal(x.toString() + y.toString(), "abcdo");
  await fh.writeFile("replaced?");
  assert.equal(await fh.readFile({ encoding: "utf8" }), "");
  let closed = false;
  fh.on("close", () => { closed = true; });
  await fh.close();
  assert.equal(fh.fd, -1);
  assert.ok(closed);
  await fh.close(); // a second close is fine
  assert.equal(fs.readFileSync(P("fh"), "latin1"), "abcdo" + "\0".repeat(6) + "replaced?");
  await assert.rejects(fh.read(Buffer.alloc(1), 0, 1, 0), (e) => e.code === "EBADF" && e.syscall === "read" && e.message === "file closed");
  await assert.rejects(fh.stat(), (e) => e.code === "EBADF" && e.syscall === "fstat");
  await assert.rejects(fsp.open(P("nope/x")), (e) => e.message === `ENOENT: no such file or directory, open '${P("nope/x")}'`);
});

test("FileHandle.readFile/appendFile/readLines and Symbol.asyncDispose", async () => {
  await fsp.writeFile(P("lines"), "one\r\ntwo\n\nthrée\nlast");
  const fh = await fsp.open(P("lines"));
  assert.equal(await fh.readFile("utf8"), "one\r\ntwo\n\nthrée\nlast");
  await fh.close();
  const fh2 = await fsp.open(P("lines"));
  const lines = [];
  for await (const l of fh2.readLines()) lines.push(l);
  assert.deepEqual(lines, ["one", "two", "", "thrée", "last"]);
  await fh2.close();
  const fh3 = await fsp.open(P("app"), "a");
  await fh3.appendFile("1");
  await fh3.appendFile("2");
  await fh3[Symbol.asyncDispose ?? Symbol.for("nodejs.asyncDispose")]();
  assert.equal(fh3.fd, -1);
  assert.equal(await fsp.readFile(P("app"), "utf8"), "12");
  const fh4 = await fsp.open(P("app"));
  assert.equal(await fsp.readFile(fh4, "utf8"), "12");
  await fh4.close();
});

test("stat/lstat/access/mkdir/readdir/rename/rm/symlink/readlink/realpath/link/unlink/copyFile/cp/chmod/utimes/truncate", async () => {
  assert.equal(await fsp.mkdir(P("d/e/f"), { recursive: true }), P("d"));
  await fsp.writeFile(P("d/e/f/file"), "z");
  assert.ok((await fsp.stat(P("d"))).isDirectory());
  await assert.rejects(fsp.stat(P("nope"), { throwIfNoEntry: false }), (e) => e.code === "ENOENT"); // sync-only option
  await assert.rejects(fsp.stat(P("nope")), (e) => e.message === `ENOENT: no such file or directory, stat '${P("nope")}'`);
  await fsp.access(P("d"));
  await assert.rejects(fsp.access(P("nope")), (e) => e.code === "ENOENT" && e.syscall === "access");
  assert.deepEqual(await fsp.readdir(P("d"), { recursive: true }), ["e", "e/f", "e/f/file"]);
  const ents = await fsp.readdir(P("d/e/f"), { withFileTypes: true });
  assert.ok(ents[0].isFile() && ents[0].name === "file");
  await fsp.symlink("d/e/f/file", P("sl"));
  assert.equal(await fsp.readlink(P("sl")), "d/e/f/file");
  assert.ok((await fsp.lstat(P("sl"))).isSymbolicLink());
  assert.equal(await fsp.realpath(P("sl")), P("d/e/f/file"));
  await fsp.link(P("d/e/f/file"), P("hl"));
  assert.equal((await fsp.stat(P("hl"))).nlink, 2);
  await fsp.unlink(P("hl"));
  await fsp.copyFile(P("sl"), P("copy"));
  assert.equal(await fsp.readFile(P("copy"), "utf8"), "z");
  await assert.rejects(fsp.copyFile(P("sl"), P("copy"), fs.constants.COPYFILE_EXCL), (e) => e.code === "EEXIST" && e.syscall === "copyfile");
  await fsp.cp(P("d"), P("dcopy"), { recursive: true });
  assert.equal(await fsp.readFile(P("dcopy/e/f/file"), "utf8"), "z");
  await fsp.rename(P("copy"), P("copy2"));
  await fsp.chmod(P("copy2"), "600");
  assert.equal((await fsp.stat(P("copy2"))).mode & 0o777, 0o600);
  await fsp.utimes(P("copy2"), 3, 4);
  await fsp.lutimes(P("sl"), 5, 6);
  assert.equal((await fsp.stat(P("copy2"))).mtimeMs, 4000);
  await fsp.truncate(P("copy2"));
  assert.equal((await fsp.stat(P("copy2"))).size, 0);
  const { uid, gid } = await fsp.stat(P("copy2"));
  await fsp.chown(P("copy2"), uid, gid);
  await fsp.lchown(P("sl"), uid, gid);
  await assert.rejects(fsp.lchmod(P("sl"), 0o600), (e) => e.code === "ERR_METHOD_NOT_IMPLEMENTED");
  await assert.rejects(fsp.rm(P("d")), (e) => e.code === "ERR_FS_EISDIR");
  await fsp.rm(P("d"), { recursive: true });
  await assert.rejects(fsp.rmdir(P("dcopy")), (e) => e.code === "ENOTEMPTY");
  await fsp.rm(P("nope"), { force: true });
  assert.ok((await fsp.statfs(root)).bsize > 0);
  const dir = await fsp.opendir(root);
  const names = [];
  for await (const e of dir) names.push(e.name);
  assert.ok(names.includes("copy2") && names.includes("sl"), names.join());
});

test("fsPromises.watch yields { eventType, filename } and ends on abort", async () => {
  const d = P("w");
  await fsp.mkdir(d);
  const ac = new AbortController();
  const seen = [];
  const it = fsp.watch(d, { signal: ac.signal });
  setTimeout(() => fs.writeFileSync(`${d}/made`, "x"), 20);
  await assert.rejects((async () => {
    for await (const ev of it) {
      seen.push(`${ev.eventType}:${ev.filename}`);
      if (seen.length === 1) setTimeout(() => ac.abort(), 10);
    }
  })(), (e) => e.name === "AbortError");
  assert.equal(seen[0], "rename:made");
});

test("fs.openAsBlob", async () => {
  await fsp.writeFile(P("blob"), "blob bytes");
  const b = await fs.openAsBlob(P("blob"), { type: "text/plain" });
  assert.equal(b.size, 10);
  assert.equal(b.type, "text/plain");
  assert.equal(await b.text(), "blob bytes");
  assert.throws(() => fs.openAsBlob(5), (e) => e.code === "ERR_INVALID_ARG_TYPE");
});

test("operations never settle synchronously", async () => {
  let settled = false;
  const p = fsp.stat(root).then(() => { settled = true; });
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(settled, false);
  await p;
  assert.equal(settled, true);
});

test("cleanup: the temporary folder is removed", async () => {
  await fsp.rm(root, { recursive: true });
  assert.equal(fs.existsSync(root), false);
});
