import { test, assert } from "jsk:test";
import fs from "node:fs";
import * as fsNamed from "node:fs";
import { encodeUtf8, decodeUtf8 } from "jsk:native";
import { Buffer } from "node:buffer";

const root = fs.mkdtempSync("/tmp/unode-fs-");
const P = (name) => `${root}/${name}`;
const text = (b) => decodeUtf8(b);

function code(c, extra = {}) {
  return (e) => e.code === c && Object.entries(extra).every(([k, v]) => (v instanceof RegExp ? v.test(e[k]) : e[k] === v));
}

test("module shape: default export and named exports agree", () => {
  assert.equal(fs.readFileSync, fsNamed.readFileSync);
  assert.equal(fs.promises, fsNamed.promises);
  assert.equal(typeof fs.lchmod, "undefined"); // as Node on Linux
  assert.equal(fs.constants.O_CREAT, 0o100);
  assert.equal(fs.constants.COPYFILE_EXCL, 1);
  assert.equal(fs.constants.UV_FS_O_FILEMAP, 0);
  assert.equal(fs.F_OK, 0); assert.equal(fs.R_OK, 4); assert.equal(fs.W_OK, 2); assert.equal(fs.X_OK, 1);
  assert.equal(fs.constants.S_IFDIR, 0o40000);
});

test("mkdtemp makes a fresh 0700 directory with a 6-character suffix", () => {
  assert.match(root, /^\/tmp\/unode-fs-[A-Za-z0-9]{6}$/);
  const st = fs.statSync(root);
  assert.ok(st.isDirectory());
  assert.equal(st.mode & 0o777, 0o700);
  assert.throws(() => fs.mkdtempSync(P("nope/x")), (e) => e.message === `ENOENT: no such file or directory, mkdtemp '${P("nope/x")}XXXXXX'`);
});

test("openSync/writeSync/readSync/closeSync, both read signatures and the string write form", () => {
  const fd = fs.openSync(P("rw"), "w+");
  assert.ok(fd > 2);
  // FD_CLOEXEC is set on every fd
  assert.equal(fs.readFileSync(`/proc/self/fdinfo/${fd}`, "utf8").match(/flags:\s+(\d+)/)[1].slice(-7, -6), "2");
  assert.equal(fs.writeSync(fd, "hello "), 6);
  assert.equal(fs.writeSync(fd, encodeUtf8("world"), 0, 5), 5);
  assert.equal(fs.writeSync(fd, encodeUtf8("XY"), 1, 1, 0), 1); // pwrite at 0: "Yello world"
  assert.equal(fs.writeSync(fd, "ab", 6, "latin1"), 2); // at position 6
  const buf = new Uint8Array(11);
  assert.equal(fs.readSync(fd, buf, 0, 11, 0), 11);
  assert.equal(text(buf), "Yello abrld");
  const small = new Uint8Array(4);
  assert.equal(fs.readSync(fd, small, { position: 1 }), 4);
  assert.equal(text(small), "ello");
  assert.equal(fs.readSync(fd, small, { offset: 2, length: 2, position: 9n }), 2);
  assert.equal(text(small), "elld");
  assert.equal(fs.readSync(fd, small, 0, 0, 0), 0);
  assert.throws(() => fs.readSync(fd, small, 0, 5), (e) => e.code === "ERR_OUT_OF_RANGE" &&
    e.message === 'The value of "length" is out of range. It must be <= 4. Received 5');
  assert.throws(() => fs.readSync(fd, "str"), code("ERR_INVALID_ARG_TYPE"));
  fs.closeSync(fd);
  assert.throws(() => fs.closeSync(fd), (e) => e.message === "EBADF: bad file descriptor, close" && e.errno === -9 && e.syscall === "close");
  assert.throws(() => fs.readSync(fd, buf), (e) => e.message === "EBADF: bad file descriptor, read");
  assert.throws(() => fs.writeSync(fd, "x"), (e) => e.message === "EBADF: bad file descriptor, write");
  assert.throws(() => fs.openSync(5), (e) => e.code === "ERR_INVALID_ARG_TYPE" &&
    e.message === 'The "path" argument must be of type string or an instance of Buffer or URL. Received type number (5)');
  assert.throws(() => fs.openSync(P("nope/x")), (e) => e.message === `ENOENT: no such file or directory, open '${P("nope/x")}'` &&
    e.code === "ENOENT" && e.errno === -2 && e.syscall === "open" && e.path === P("nope/x"));
  assert.throws(() => fs.closeSync("1"), code("ERR_INVALID_ARG_TYPE"));
});

test("flags as strings and numbers; modes as numbers and octal strings", () => {
  fs.writeFileSync(P("flags"), "abc");
  assert.throws(() => fs.openSync(P("flags"), "wx"), (e) => e.code === "EEXIST" && e.message === `EEXIST: file already exists, open '${P("flags")}'`);
  assert.throws(() => fs.openSync(P("flags"), "bogus"), (e) => e.code === "ERR_INVALID_ARG_VALUE" && e.message === "The argument 'flags' is invalid. Received 'bogus'");
  let fd = fs.openSync(P("flags"), "a");
  fs.writeSync(fd, "d");
  fs.closeSync(fd);
  assert.equal(fs.readFileSync(P("flags"), "utf8"), "abcd");
  fd = fs.openSync(P("flags"), "r+");
  fs.writeSync(fd, "X");
  fs.closeSync(fd);
  assert.equal(fs.readFileSync(P("flags"), "utf8"), "Xbcd");
  fd = fs.openSync(P("flags"), fs.constants.O_WRONLY | fs.constants.O_TRUNC);
  fs.closeSync(fd);
  assert.equal(fs.statSync(P("flags")).size, 0);
  fd = fs.openSync(P("mode1"), "wx", "640");
  fs.closeSync(fd);
  assert.equal(fs.statSync(P("mode1")).mode & 0o777 & ~0o640, 0); // (less any umask bits)
  assert.equal(fs.statSync(P("mode1")).mode & 0o600, 0o600);
  fd = fs.openSync(P("mode2"), "ax+", 0o600);
  fs.closeSync(fd);
  assert.equal(fs.statSync(P("mode2")).mode & 0o777, 0o600);
  assert.throws(() => fs.openSync(P("mode3"), "w", "rw"), (e) => e.code === "ERR_INVALID_ARG_VALUE" &&
    e.message === "The argument 'mode' must be a 32-bit unsigned integer or an octal string. Received 'rw'");
  fd = fs.openSync(P("flags"), "rs");
  fs.closeSync(fd);
});

test("paths as Buffer/Uint8Array and file: URLs; NUL bytes refused", () => {
  fs.writeFileSync(encodeUtf8(P("bufpath")), "b");
  assert.equal(fs.readFileSync(P("bufpath"), "utf8"), "b");
  const url = { href: `file://${P("url%20path")}`, protocol: "file:", hostname: "", pathname: `${P("url%20path")}` };
  fs.writeFileSync(url, "u");
  assert.equal(fs.readFileSync(P("url path"), "utf8"), "u");
  assert.throws(() => fs.readFileSync({ href: "http://x/y", protocol: "http:", pathname: "/y" }), code("ERR_INVALID_URL_SCHEME"));
  assert.throws(() => fs.readFileSync(P("a\0b")), (e) => e.code === "ERR_INVALID_ARG_VALUE" &&
    e.message.startsWith("The argument 'path' must be a string, Uint8Array, or URL without null bytes."));
});

test("readFileSync/writeFileSync/appendFileSync: encodings, flags, modes, fds", () => {
  fs.writeFileSync(P("w"), "héllo");
  const b = fs.readFileSync(P("w"));
  assert.ok(Buffer.isBuffer(b));
  assert.equal(fs.readFileSync(P("w"), "base64"), Buffer.from("héllo").toString("base64"));
  assert.equal(b.length, 6);
  assert.equal(fs.readFileSync(P("w"), "utf8"), "héllo");
  assert.equal(fs.readFileSync(P("w"), { encoding: "utf-8" }), "héllo");
  assert.equal(fs.readFileSync(P("w"), "latin1"), "hÃ©llo");
  fs.appendFileSync(P("w"), encodeUtf8("!"));
  fs.appendFileSync(P("w"), "?", { encoding: "utf8" });
  assert.equal(fs.readFileSync(P("w"), "utf8"), "héllo!?");
  assert.throws(() => fs.writeFileSync(P("w"), "x", { flag: "wx" }), code("EEXIST", { syscall: "open" }));
  fs.writeFileSync(P("m600"), "x", { mode: 0o600 });
  assert.equal(fs.statSync(P("m600")).mode & 0o777, 0o600);
  fs.writeFileSync(P("dv"), new DataView(new Uint8Array([65, 66, 67]).buffer));
  fs.writeFileSync(P("u16"), new Uint16Array([0x4241]));
  assert.equal(fs.readFileSync(P("dv"), "utf8"), "ABC");
  assert.equal(fs.readFileSync(P("u16"), "utf8"), "AB");
  assert.throws(() => fs.writeFileSync(P("n"), 5), (e) => e.message ===
    'The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)');
  assert.throws(() => fs.readFileSync(P("w"), "bogus"), (e) => e.code === "ERR_INVALID_ARG_VALUE" &&
    e.message === "The argument 'encoding' is invalid encoding. Received 'bogus'");
  // from an fd: from its position, fd left open
  const fd = fs.openSync(P("w"), "r");
  fs.readSync(fd, new Uint8Array(1), 0, 1, null);
  assert.equal(fs.readFileSync(fd, "utf8"), "éllo!?");
  fs.closeSync(fd);
  const wfd = fs.openSync(P("wfd"), "w");
  fs.writeFileSync(wfd, "one");
  fs.writeFileSync(wfd, "two");
  fs.closeSync(wfd);
  assert.equal(fs.readFileSync(P("wfd"), "utf8"), "onetwo");
  assert.throws(() => fs.readFileSync(root), (e) => e.message === "EISDIR: illegal operation on a directory, read" && e.syscall === "read");
  assert.throws(() => fs.readFileSync(P("nope")), (e) => e.message === `ENOENT: no such file or directory, open '${P("nope")}'`);
});

test("readFileSync of a large file and of /proc files (size 0)", () => {
  const big = new Uint8Array(3 * 1024 * 1024 + 7);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  fs.writeFileSync(P("big"), big);
  const back = fs.readFileSync(P("big"));
  assert.ok(Buffer.isBuffer(back));
  assert.equal(back.byteLength, back.buffer.byteLength, "one buffer sized from fstat");
  assert.equal(back.length, big.length);
  assert.equal(back[4096 * 5], big[4096 * 5]);
  assert.equal(back[big.length - 7], big[big.length - 7]);
  const status = fs.readFileSync("/proc/self/status", "utf8");
  assert.match(status, /^Name:/);
  assert.ok(status.length > 200);
  assert.match(fs.readFileSync("/proc/self/maps", "utf8"), /\[stack\]/);
});

test("statSync/lstatSync/fstatSync: Stats fields, type tests, bigint, throwIfNoEntry", () => {
  fs.writeFileSync(P("st"), "12345");
  const s = fs.statSync(P("st"));
  assert.ok(s instanceof fs.Stats);
  assert.ok(s.isFile() && !s.isDirectory() && !s.isSymbolicLink() && !s.isFIFO() && !s.isSocket());
  assert.ok(!s.isCharacterDevice() && !s.isBlockDevice());
  assert.equal(s.size, 5);
  assert.equal(s.nlink, 1);
  assert.equal(typeof s.ino, "number");
  assert.ok(s.blksize > 0);
  assert.ok(s.mtime instanceof Date);
  assert.equal(s.mtime.getTime(), Math.round(s.mtimeMs));
  assert.ok(Math.abs(s.mtimeMs - Date.now()) < 60000, String(s.mtimeMs));
  assert.deepEqual(Object.keys(s), ["dev", "mode", "nlink", "uid", "gid", "rdev", "blksize", "ino", "size", "blocks",
    "atimeMs", "mtimeMs", "ctimeMs", "birthtimeMs", "atime", "mtime", "ctime", "birthtime"]);
  const b = fs.statSync(P("st"), { bigint: true });
  assert.equal(b.size, 5n);
  assert.equal(typeof b.mtimeNs, "bigint");
  assert.equal(b.mtimeMs, b.mtimeNs / 1000000n);
  assert.ok(b.isFile());
  assert.equal(Number(b.ino), s.ino);
  assert.ok(fs.statSync("/dev/null").isCharacterDevice());
  assert.equal(fs.statSync("/dev/null").rdev, 259); // makedev(1, 3)
  assert.equal(fs.statSync(P("nope"), { throwIfNoEntry: false }), undefined);
  assert.equal(fs.lstatSync(P("nope"), { throwIfNoEntry: false }), undefined);
  assert.throws(() => fs.statSync(P("st/x"), { throwIfNoEntry: false }), code("ENOTDIR", { syscall: "stat" }));
  assert.throws(() => fs.statSync(P("nope")), (e) => e.message === `ENOENT: no such file or directory, stat '${P("nope")}'`);
  assert.throws(() => fs.lstatSync(P("nope")), (e) => e.message === `ENOENT: no such file or directory, lstat '${P("nope")}'`);
  const fd = fs.openSync(P("st"), "r");
  assert.equal(fs.fstatSync(fd).ino, s.ino);
  assert.equal(fs.fstatSync(fd, { bigint: true }).size, 5n);
  fs.closeSync(fd);
  assert.throws(() => fs.fstatSync(fd), (e) => e.message === "EBADF: bad file descriptor, fstat");
  const st = new fs.Stats(1, 0o100644, 1, 0, 0, 0, 4096, 2, 3, 0, 0, 1000, 0, 0);
  assert.ok(st.isFile());
  assert.equal(st.mtime.getTime(), 1000);
});

test("readdirSync: sorted names, encodings, withFileTypes, recursive (breadth first), errors", () => {
  const d = P("rd");
  fs.mkdirSync(`${d}/b/c`, { recursive: true });
  fs.mkdirSync(`${d}/b2`);
  fs.writeFileSync(`${d}/z`, "");
  fs.writeFileSync(`${d}/b/f`, "");
  fs.writeFileSync(`${d}/b/c/g`, "");
  fs.symlinkSync("z", `${d}/lnk`);
  assert.deepEqual(fs.readdirSync(d), ["b", "b2", "lnk", "z"]);
  assert.deepEqual(fs.readdirSync(d, { recursive: true }), ["b", "b2", "lnk", "z", "b/c", "b/f", "b/c/g"]);
  const ents = fs.readdirSync(d, { withFileTypes: true });
  assert.ok(ents[0] instanceof fs.Dirent);
  assert.deepEqual(ents.map((e) => [e.name, e.isDirectory(), e.isFile(), e.isSymbolicLink()]),
    [["b", true, false, false], ["b2", true, false, false], ["lnk", false, false, true], ["z", false, true, false]]);
  assert.equal(ents[0].parentPath, d);
  assert.equal(ents[0].path, d);
  const rec = fs.readdirSync(d, { withFileTypes: true, recursive: true });
  assert.deepEqual(rec.map((e) => `${e.parentPath.slice(d.length)}:${e.name}`), [":b", ":b2", ":lnk", ":z", "/b:c", "/b:f", "/b/c:g"]);
  const bufs = fs.readdirSync(d, { encoding: "buffer" });
  assert.ok(Buffer.isBuffer(bufs[0]));
  assert.equal(text(bufs[0]), "b");
  assert.deepEqual(fs.readdirSync(d, "hex").slice(0, 2), ["62", "6232"]);
  assert.throws(() => fs.readdirSync(`${d}/z`), (e) => e.message === `ENOTDIR: not a directory, scandir '${d}/z'`);
  assert.throws(() => fs.readdirSync(`${d}/nope`), (e) => e.message === `ENOENT: no such file or directory, scandir '${d}/nope'`);
});

test("opendirSync / Dir: readSync, read, async iteration, close", async () => {
  const d = P("od");
  fs.mkdirSync(`${d}/sub`, { recursive: true });
  fs.writeFileSync(`${d}/one`, "");
  fs.writeFileSync(`${d}/sub/two`, "");
  const dir = fs.opendirSync(d);
  assert.equal(dir.path, d);
  const names = [];
  for (let e; (e = dir.readSync()) !== null;) names.push(e.name + (e.isDirectory() ? "/" : ""));
  assert.deepEqual(names.sort(), ["one", "sub/"]);
  dir.closeSync();
  assert.throws(() => dir.closeSync(), (e) => e.code === "ERR_DIR_CLOSED" && e.message === "Directory handle was closed");
  const seen = [];
  for await (const e of fs.opendirSync(d, { recursive: true })) seen.push(`${e.parentPath.slice(d.length)}/${e.name}`);
  assert.deepEqual(seen.sort(), ["/one", "/sub", "/sub/two"]);
  const dir2 = fs.opendirSync(d);
  const first = await dir2.read();
  assert.ok(first instanceof fs.Dirent);
  await new Promise((resolve, reject) => dir2.read((err, e) => (err ? reject(err) : (assert.ok(e), resolve()))));
  assert.equal(await dir2.read(), null);
  await dir2.close();
  assert.throws(() => fs.opendirSync(`${d}/nope`), (e) => e.message === "ENOENT: no such file or directory, opendir" && e.syscall === "opendir");
});

test("mkdirSync (recursive returns the first directory made), rmdirSync, rmSync, unlinkSync, renameSync", () => {
  assert.equal(fs.mkdirSync(P("mk/a/b"), { recursive: true }), P("mk"));
  assert.equal(fs.mkdirSync(P("mk/a/b"), { recursive: true }), undefined);
  assert.equal(fs.mkdirSync(P("mk/a/c"), { recursive: true }), P("mk/a/c"));
  assert.equal(fs.mkdirSync(P("mk/x")), undefined);
  assert.equal(fs.mkdirSync(P("mk/m"), 0o700), undefined);
  assert.equal(fs.statSync(P("mk/m")).mode & 0o777, 0o700);
  assert.throws(() => fs.mkdirSync(P("mk/x")), (e) => e.message === `EEXIST: file already exists, mkdir '${P("mk/x")}'` && e.errno === -17);
  fs.writeFileSync(P("mk/file"), "");
  assert.throws(() => fs.mkdirSync(P("mk/file"), { recursive: true }), code("EEXIST", { syscall: "mkdir", path: P("mk/file") }));
  assert.throws(() => fs.mkdirSync(P("mk/file/y"), { recursive: true }), (e) => e.message === `ENOTDIR: not a directory, mkdir '${P("mk/file/y")}'`);
  assert.throws(() => fs.mkdirSync(P("mk/q/w")), code("ENOENT", { syscall: "mkdir" }));
  assert.throws(() => fs.rmdirSync(P("mk/a")), (e) => e.message === `ENOTEMPTY: directory not empty, rmdir '${P("mk/a")}'`);
  assert.throws(() => fs.rmdirSync(P("mk/file")), code("ENOTDIR", { syscall: "rmdir" }));
  fs.rmdirSync(P("mk/x"));
  assert.ok(!fs.existsSync(P("mk/x")));
  assert.throws(() => fs.rmSync(P("mk/a")), (e) => e.code === "ERR_FS_EISDIR" && e.name === "SystemError" &&
    e.message === `Path is a directory: rm returned EISDIR (is a directory) ${P("mk/a")}` && e.errno === 21 && e.info.syscall === "rm");
  assert.throws(() => fs.rmSync(P("mk/nope")), (e) => e.message === `ENOENT: no such file or directory, lstat '${P("mk/nope")}'`);
  fs.rmSync(P("mk/nope"), { force: true });
  fs.symlinkSync(P("mk/a"), P("mk/lnk"));
  fs.rmSync(P("mk/lnk"), { recursive: true });
  assert.ok(fs.existsSync(P("mk/a/b")), "rm of a symlink leaves its target");
  fs.rmSync(P("mk/a"), { recursive: true, force: true, maxRetries: 2 });
  assert.ok(!fs.existsSync(P("mk/a")));
  fs.renameSync(P("mk/file"), P("mk/file2"));
  assert.ok(fs.existsSync(P("mk/file2")) && !fs.existsSync(P("mk/file")));
  assert.throws(() => fs.renameSync(P("mk/file"), P("mk/f3")), (e) =>
    e.message === `ENOENT: no such file or directory, rename '${P("mk/file")}' -> '${P("mk/f3")}'` && e.dest === P("mk/f3"));
  fs.unlinkSync(P("mk/file2"));
  assert.throws(() => fs.unlinkSync(P("mk/file2")), code("ENOENT", { syscall: "unlink" }));
  assert.throws(() => fs.unlinkSync(P("mk/m")), code("EISDIR", { syscall: "unlink" }));
  fs.rmSync(P("mk"), { recursive: true });
});

test("copyFileSync (COPYFILE_EXCL, FICLONE fallback) and cpSync", () => {
  fs.writeFileSync(P("src"), "copy me", { mode: 0o640 });
  fs.chmodSync(P("src"), 0o640);
  fs.copyFileSync(P("src"), P("dst"));
  assert.equal(fs.readFileSync(P("dst"), "utf8"), "copy me");
  assert.equal(fs.statSync(P("dst")).mode & 0o777, 0o640);
  assert.throws(() => fs.copyFileSync(P("src"), P("dst"), fs.constants.COPYFILE_EXCL), (e) =>
    e.message === `EEXIST: file already exists, copyfile '${P("src")}' -> '${P("dst")}'`);
  fs.writeFileSync(P("dst"), "longer previous content");
  fs.copyFileSync(P("src"), P("dst"), fs.constants.COPYFILE_FICLONE);
  assert.equal(fs.readFileSync(P("dst"), "utf8"), "copy me");
  assert.throws(() => fs.copyFileSync(P("nope"), P("d2")), (e) =>
    e.message === `ENOENT: no such file or directory, copyfile '${P("nope")}' -> '${P("d2")}'` && e.syscall === "copyfile");
  fs.mkdirSync(P("cp/in/deep"), { recursive: true });
  fs.writeFileSync(P("cp/in/a"), "A");
  fs.writeFileSync(P("cp/in/deep/b"), "B");
  fs.symlinkSync("a", P("cp/in/l"));
  assert.throws(() => fs.cpSync(P("cp/in"), P("cp/out")), (e) => e.code === "ERR_FS_EISDIR");
  fs.cpSync(P("cp/in"), P("cp/out"), { recursive: true });
  assert.equal(fs.readFileSync(P("cp/out/deep/b"), "utf8"), "B");
  assert.equal(fs.readFileSync(P("cp/out/l"), "utf8"), "A");
  fs.cpSync(P("cp/in/a"), P("cp/single"));
  assert.equal(fs.readFileSync(P("cp/single"), "utf8"), "A");
  fs.cpSync(P("cp/in"), P("cp/filtered"), { recursive: true, filter: (s) => !s.endsWith("/deep") });
  assert.ok(!fs.existsSync(P("cp/filtered/deep")) && fs.existsSync(P("cp/filtered/a")));
  assert.throws(() => fs.cpSync(P("cp/in"), P("cp/in/deep/x"), { recursive: true }), (e) => e.code === "ERR_FS_CP_EINVAL");
});

test("symlinkSync/readlinkSync/linkSync/realpathSync (+ native)", () => {
  fs.mkdirSync(P("ln/real/inner"), { recursive: true });
  fs.writeFileSync(P("ln/real/inner/f"), "F");
  fs.symlinkSync("real", P("ln/rel"));
  fs.symlinkSync(P("ln/real/inner"), P("ln/abs"), "dir");
  assert.equal(fs.readlinkSync(P("ln/rel")), "real");
  assert.ok(fs.readlinkSync(P("ln/rel"), "buffer") instanceof Uint8Array);
  assert.ok(fs.lstatSync(P("ln/rel")).isSymbolicLink());
  assert.ok(fs.statSync(P("ln/rel")).isDirectory());
  assert.equal(fs.readFileSync(P("ln/rel/inner/f"), "utf8"), "F");
  assert.equal(fs.realpathSync(P("ln/rel/inner/f")), P("ln/real/inner/f"));
  // the JS realpath resolves '..' before links (ln/abs/.. is ln); the native one after (real/inner/.. is real)
  assert.throws(() => fs.realpathSync(P("ln/abs/../inner/./f")), (e) => e.message === `ENOENT: no such file or directory, lstat '${P("ln/inner")}'`);
  assert.equal(fs.realpathSync(P("ln/abs/../real/./inner/f")), P("ln/real/inner/f"));
  assert.equal(fs.realpathSync.native(P("ln/abs/../inner/./f")), P("ln/real/inner/f"));
  assert.equal(fs.realpathSync.native(P("ln/abs")), P("ln/real/inner"));
  assert.equal(fs.realpathSync("/"), "/");
  assert.throws(() => fs.realpathSync(P("ln/nope/x")), (e) => e.message === `ENOENT: no such file or directory, lstat '${P("ln/nope")}'`);
  assert.throws(() => fs.realpathSync.native(P("ln/nope/x")), (e) => e.message === `ENOENT: no such file or directory, realpath '${P("ln/nope/x")}'`);
  fs.symlinkSync("loop2", P("ln/loop1"));
  fs.symlinkSync("loop1", P("ln/loop2"));
  assert.throws(() => fs.realpathSync(P("ln/loop1")), code("ELOOP"));
  assert.throws(() => fs.symlinkSync("x", P("ln/rel")), (e) => e.message === `EEXIST: file already exists, symlink 'x' -> '${P("ln/rel")}'`);
  assert.throws(() => fs.readlinkSync(P("ln/real")), (e) => e.message === `EINVAL: invalid argument, readlink '${P("ln/real")}'`);
  fs.linkSync(P("ln/real/inner/f"), P("ln/hard"));
  assert.equal(fs.statSync(P("ln/hard")).nlink, 2);
  assert.throws(() => fs.linkSync(P("ln/nope"), P("ln/h2")), (e) => e.message === `ENOENT: no such file or directory, link '${P("ln/nope")}' -> '${P("ln/h2")}'`);
});

test("accessSync/existsSync, chmod/fchmod, chown/fchown/lchown, truncate/ftruncate", () => {
  fs.writeFileSync(P("perm"), "abcdef");
  fs.accessSync(P("perm"));
  fs.accessSync(P("perm"), fs.constants.R_OK | fs.constants.W_OK);
  assert.throws(() => fs.accessSync(P("nope")), (e) => e.message === `ENOENT: no such file or directory, access '${P("nope")}'`);
  assert.throws(() => fs.accessSync(P("perm"), fs.constants.X_OK), code("EACCES", { syscall: "access" }));
  assert.equal(fs.existsSync(P("perm")), true);
  assert.equal(fs.existsSync(P("nope")), false);
  assert.equal(fs.existsSync(undefined), false);
  assert.equal(fs.existsSync(5), false);
  fs.chmodSync(P("perm"), "755");
  assert.equal(fs.statSync(P("perm")).mode & 0o777, 0o755);
  const fd = fs.openSync(P("perm"), "r+");
  fs.fchmodSync(fd, 0o600);
  assert.equal(fs.statSync(P("perm")).mode & 0o777, 0o600);
  assert.throws(() => fs.chmodSync(P("nope"), 0o600), (e) => e.message === `ENOENT: no such file or directory, chmod '${P("nope")}'`);
  const { uid, gid } = fs.statSync(P("perm"));
  fs.chownSync(P("perm"), uid, gid);
  fs.fchownSync(fd, uid, gid);
  fs.symlinkSync("perm", P("permlink"));
  fs.lchownSync(P("permlink"), uid, gid);
  assert.throws(() => fs.lchownSync(P("nope"), 1, 1), (e) => e.message === `ENOENT: no such file or directory, lchown '${P("nope")}'`);
  assert.throws(() => fs.chownSync(P("perm"), 1.5, 1), (e) => e.code === "ERR_OUT_OF_RANGE" &&
    e.message === 'The value of "uid" is out of range. It must be an integer. Received 1.5');
  fs.ftruncateSync(fd, 3);
  assert.equal(fs.readFileSync(P("perm"), "utf8"), "abc");
  fs.truncateSync(P("perm"), 1);
  assert.equal(fs.readFileSync(P("perm"), "utf8"), "a");
  fs.truncateSync(P("perm"));
  assert.equal(fs.statSync(P("perm")).size, 0);
  assert.throws(() => fs.truncateSync(P("nope")), (e) => e.message === `ENOENT: no such file or directory, open '${P("nope")}'`);
  fs.fsyncSync(fd);
  fs.fdatasyncSync(fd);
  fs.closeSync(fd);
  assert.throws(() => fs.fsyncSync(fd), (e) => e.message === "EBADF: bad file descriptor, fsync");
  assert.throws(() => fs.ftruncateSync(fd), (e) => e.message === "EBADF: bad file descriptor, ftruncate");
});

test("utimesSync/futimesSync/lutimesSync set times (seconds, Dates, strings)", () => {
  fs.writeFileSync(P("times"), "");
  fs.utimesSync(P("times"), 1000, new Date(2000500));
  let s = fs.statSync(P("times"));
  assert.equal(s.atimeMs, 1000000);
  assert.equal(s.mtimeMs, 2000500);
  const fd = fs.openSync(P("times"), "r");
  fs.futimesSync(fd, "12.5", 13.25);
  fs.closeSync(fd);
  s = fs.statSync(P("times"), { bigint: true });
  assert.equal(s.atimeNs, 12500000000n);
  assert.equal(s.mtimeNs, 13250000000n);
  fs.symlinkSync("times", P("timeslink"));
  fs.lutimesSync(P("timeslink"), 5, 6);
  assert.equal(fs.lstatSync(P("timeslink")).mtimeMs, 6000);
  assert.equal(fs.statSync(P("times")).mtimeMs, 13250);
  assert.throws(() => fs.utimesSync(P("nope"), 1, 1), (e) => e.message === `ENOENT: no such file or directory, utime '${P("nope")}'`);
  assert.throws(() => fs.futimesSync(999, 1, 1), (e) => e.message === "EBADF: bad file descriptor, futime");
});

test("statfsSync, readvSync/writevSync", () => {
  const sf = fs.statfsSync(root);
  assert.ok(sf.bsize > 0 && sf.blocks > 0 && typeof sf.type === "number");
  assert.equal(typeof fs.statfsSync(root, { bigint: true }).blocks, "bigint");
  assert.throws(() => fs.statfsSync(P("nope")), (e) => e.message === `ENOENT: no such file or directory, statfs '${P("nope")}'`);
  const fd = fs.openSync(P("vec"), "w+");
  assert.equal(fs.writevSync(fd, [encodeUtf8("ab"), encodeUtf8("cde"), new Uint8Array(0)]), 5);
  assert.equal(fs.writevSync(fd, [encodeUtf8("Z")], 0), 1);
  const a = new Uint8Array(2), b = new Uint8Array(3);
  assert.equal(fs.readvSync(fd, [a, b], 0), 5);
  assert.equal(text(a) + text(b), "Zbcde");
  fs.closeSync(fd);
  assert.throws(() => fs.readvSync(fd, [a]), (e) => e.message === "EBADF: bad file descriptor, read");
});

test("callbacks run asynchronously, after the call returns, with Node's arguments", async () => {
  const order = [];
  await new Promise((resolve) => {
    fs.stat(root, (err, st) => {
      order.push(["stat", err, st.isDirectory()]);
      resolve();
    });
    order.push("returned");
  });
  assert.deepEqual(order, ["returned", ["stat", null, true]]);
  const cb = (fn) => new Promise((resolve) => fn((...args) => resolve(args)));
  let [err] = await cb((k) => fs.writeFile(P("cbf"), "callback", k));
  assert.equal(err, null);
  let [err2, data] = await cb((k) => fs.readFile(P("cbf"), "utf8", k));
  assert.equal(err2, null);
  assert.equal(data, "callback");
  [err] = await cb((k) => fs.appendFile(P("cbf"), "!", k));
  assert.equal(fs.readFileSync(P("cbf"), "utf8"), "callback!");
  [err] = await cb((k) => fs.readFile(P("nope"), k));
  assert.equal(err.message, `ENOENT: no such file or directory, open '${P("nope")}'`);
  const [, fd] = await cb((k) => fs.open(P("cbf"), "r+", k));
  assert.equal(typeof fd, "number");
  const buf = new Uint8Array(8);
  const [e3, n, same] = await cb((k) => fs.read(fd, buf, 0, 8, 0, k));
  assert.equal(e3, null); assert.equal(n, 8); assert.equal(same, buf);
  assert.equal(text(buf), "callback");
  const [, n2] = await cb((k) => fs.read(fd, { buffer: buf, position: 1, length: 3 }, k));
  assert.equal(n2, 3);
  const [, w, wstr] = await cb((k) => fs.write(fd, "CAL", 0, k));
  assert.equal(w, 3); assert.equal(wstr, "CAL");
  const [, w2] = await cb((k) => fs.write(fd, encodeUtf8("xy"), 0, 2, 9, k));
  assert.equal(w2, 2);
  const [, st] = await cb((k) => fs.fstat(fd, k));
  assert.equal(st.size, 11);
  const [, nv] = await cb((k) => fs.writev(fd, [encodeUtf8("1"), encodeUtf8("2")], 0, k));
  assert.equal(nv, 2);
  [err] = await cb((k) => fs.close(fd, k));
  assert.equal(err, null);
  assert.equal(fs.readFileSync(P("cbf"), "utf8"), "12Llback!xy");
  const [exists] = await cb((k) => fs.exists(P("cbf"), k));
  assert.equal(exists, true);
  const [missing] = await cb((k) => fs.exists(P("nope"), k));
  assert.equal(missing, false);
  const [, made] = await cb((k) => fs.mkdir(P("cbd/x"), { recursive: true }, k));
  assert.equal(made, P("cbd"));
  const [, list] = await cb((k) => fs.readdir(P("cbd"), { withFileTypes: true }, k));
  assert.equal(list[0].name, "x");
  [err] = await cb((k) => fs.mkdir(P("cbd"), k));
  assert.equal(err.code, "EEXIST");
  [err] = await cb((k) => fs.rm(P("cbd"), { recursive: true }, k));
  assert.equal(err, null);
  const [, tmp] = await cb((k) => fs.mkdtemp(P("t-"), k));
  assert.match(tmp, /t-[A-Za-z0-9]{6}$/);
  [err] = await cb((k) => fs.rename(tmp, P("t2"), k));
  assert.equal(err, null);
  [err] = await cb((k) => fs.rmdir(P("t2"), k));
  assert.equal(err, null);
  [err] = await cb((k) => fs.copyFile(P("cbf"), P("cbf2"), k));
  [err] = await cb((k) => fs.access(P("cbf2"), fs.constants.R_OK, k));
  assert.equal(err, null);
  [err] = await cb((k) => fs.symlink("cbf2", P("cbl"), k));
  const [, target] = await cb((k) => fs.readlink(P("cbl"), k));
  assert.equal(target, "cbf2");
  const [, rp] = await cb((k) => fs.realpath(P("cbl"), k));
  assert.equal(rp, P("cbf2"));
  const [, rpn] = await cb((k) => fs.realpath.native(P("cbl"), k));
  assert.equal(rpn, P("cbf2"));
  const [, ls] = await cb((k) => fs.lstat(P("cbl"), k));
  assert.ok(ls.isSymbolicLink());
  [err] = await cb((k) => fs.truncate(P("cbf2"), 2, k));
  assert.equal(fs.readFileSync(P("cbf2"), "utf8"), "12");
  [err] = await cb((k) => fs.chmod(P("cbf2"), 0o600, k));
  [err] = await cb((k) => fs.utimes(P("cbf2"), 1, 2, k));
  assert.equal(fs.statSync(P("cbf2")).mtimeMs, 2000);
  [err] = await cb((k) => fs.unlink(P("cbl"), k));
  assert.ok(!fs.existsSync(P("cbl")));
  const [, dir] = await cb((k) => fs.opendir(root, k));
  assert.ok(dir instanceof fs.Dir);
  dir.closeSync();
  const [, sfs] = await cb((k) => fs.statfs(root, k));
  assert.ok(sfs.bsize > 0);
  [err] = await cb((k) => fs.cp(P("cbf2"), P("cbf3"), k));
  assert.equal(fs.readFileSync(P("cbf3"), "utf8"), "12");
});

test("util.promisify(fs.read/write) resolve to { bytesRead|bytesWritten, buffer }", async () => {
  const { promisify } = (await import("node:util")).default;
  const fd = fs.openSync(P("prom"), "w+");
  const w = await promisify(fs.write)(fd, Buffer.from("abc"), 0, 3, 0);
  assert.equal(w.bytesWritten, 3);
  const r = await promisify(fs.read)(fd, Buffer.alloc(3), 0, 3, 0);
  assert.equal(r.bytesRead, 3);
  assert.equal(r.buffer.toString(), "abc");
  assert.equal(await promisify(fs.exists)(P("prom")), true);
  assert.equal((await promisify(fs.stat)(P("prom"))).size, 3);
  fs.closeSync(fd);
});

test("callback API: argument errors are thrown synchronously", () => {
  assert.throws(() => fs.readFile(P("x")), (e) => e.code === "ERR_INVALID_ARG_TYPE" &&
    e.message === 'The "cb" argument must be of type function. Received undefined');
  assert.throws(() => fs.stat(5n, () => {}), code("ERR_INVALID_ARG_TYPE"));
  assert.throws(() => fs.open(P("x"), "bogus", () => {}), code("ERR_INVALID_ARG_VALUE"));
  assert.throws(() => fs.read("x", new Uint8Array(1), 0, 1, 0, () => {}), code("ERR_INVALID_ARG_TYPE"));
  assert.throws(() => fs.close(-1, () => {}), code("ERR_OUT_OF_RANGE"));
  assert.throws(() => fs.writeFile(P("x"), 5, () => {}), (e) => e.message ===
    'The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)');
  assert.throws(() => fs.mkdir(P("x"), { recursive: 1 }, () => {}), (e) => e.message ===
    'The "options.recursive" property must be of type boolean. Received type number (1)');
  assert.throws(() => fs.copyFile(P("a"), P("b"), 9, () => {}), (e) => e.code === "ERR_OUT_OF_RANGE" && e.message === "mode is out of range: >= 0 && <= 7");
  assert.throws(() => fs.rm(P("x"), { force: 3 }, () => {}), (e) => e.message ===
    'The "options.force" property must be of type boolean. Received type number (3)');
  assert.throws(() => fs.readdir(root, { recursive: 1 }, () => {}), code("ERR_INVALID_ARG_TYPE"));
  assert.throws(() => fs.readFile(P("x"), "bogus", () => {}), code("ERR_INVALID_ARG_VALUE"));
});

test("argument errors worded as Node's", () => {
  assert.throws(() => fs.writeSync(1, Buffer.from("abc"), 4), (e) => e.code === "ERR_OUT_OF_RANGE" &&
    e.message === 'The value of "offset" is out of range. It must be <= 3. Received 4');
  assert.throws(() => fs.writevSync(1, "x"), (e) => e.message === `The "buffers" argument must be an ArrayBufferView[]. Received type string ('x')`);
  assert.throws(() => fs.utimesSync(root, "abc", 1), (e) => e.code === "ERR_INVALID_ARG_TYPE" &&
    e.message === `The "time" argument must be an instance of Date or an Time in seconds. Received type string ('abc')`);
  assert.throws(() => fs.openSync(root, 999999999999), (e) => e.code === "ERR_OUT_OF_RANGE" &&
    e.message === 'The value of "flags" is out of range. It must be >= -2147483648 && <= 2147483647. Received 999_999_999_999');
  assert.throws(() => fs.accessSync(root, 8), (e) => e.message === "mode is out of range: >= 0 && <= 7");
  assert.throws(() => fs.fstatSync(-1), (e) => e.message === 'The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received -1');
  assert.throws(() => fs.fstatSync("1"), (e) => e.message === `The "fd" argument must be of type number. Received type string ('1')`);
  assert.equal(Object.isFrozen(fs.constants), false);
});

test("fs.watch sees a file created, changed and removed in a directory", async () => {
  const d = P("watched");
  fs.mkdirSync(d);
  const events = [];
  const w = fs.watch(d, (eventType, filename) => events.push(`${eventType}:${filename}`));
  assert.equal(w.unref(), w);
  assert.equal(w.ref(), w);
  assert.ok(w instanceof (await import("node:events")).default);
  const closed = new Promise((resolve) => w.on("close", resolve));
  fs.writeFileSync(`${d}/new.txt`, "x");
  await new Promise((r) => setTimeout(r, 50));
  fs.unlinkSync(`${d}/new.txt`);
  await new Promise((r) => setTimeout(r, 50));
  w.close();
  await closed;
  assert.ok(events.includes("rename:new.txt"), events.join());
  assert.ok(events.includes("change:new.txt"), events.join());
  assert.equal(events.filter((e) => e === "rename:new.txt").length, 2, events.join());
  assert.throws(() => fs.watch(P("nope")), (e) => e.message === `ENOENT: no such file or directory, watch '${P("nope")}'` &&
    e.filename === P("nope") && e.syscall === "watch");
});

test("fs.watch recursive reports paths relative to the root, and unref lets the process go", async () => {
  const d = P("watchedr");
  fs.mkdirSync(`${d}/sub`, { recursive: true });
  const events = [];
  const w = fs.watch(d, { recursive: true, persistent: false }, (t, f) => events.push(`${t}:${f}`));
  w.unref();
  fs.writeFileSync(`${d}/sub/inner`, "x");
  await new Promise((r) => setTimeout(r, 50));
  w.close();
  assert.ok(events.includes("rename:sub/inner"), events.join());
});

test("fs.watchFile polls stat and reports (current, previous); unwatchFile stops it", async () => {
  const f = P("polled");
  const seen = [];
  const done = new Promise((resolve) => {
    const w = fs.watchFile(f, { interval: 10 }, (cur, prev) => {
      seen.push([cur.size, prev.size]);
      if (seen.length === 2) resolve();
    });
    assert.equal(typeof w.unref, "function");
  });
  await new Promise((r) => setTimeout(r, 40));
  fs.writeFileSync(f, "abc");
  await done;
  fs.unwatchFile(f);
  assert.deepEqual(seen, [[0, 0], [3, 0]]);
});

test("cleanup: the temporary folder is removed", () => {
  fs.rmSync(root, { recursive: true });
  assert.equal(fs.existsSync(root), false);
});
