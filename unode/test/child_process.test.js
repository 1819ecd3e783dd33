// node:child_process — spawn/exec/execFile and the sync forms, checked against
// the behaviour of Node 20 (event order, error shapes, exit codes and signals).
import { test, assert } from "jsk:test";
import cp, { spawn, exec, execFile, spawnSync, execSync, execFileSync, ChildProcess } from "node:child_process";
import { Buffer } from "node:buffer";
import process from "node:process";
import fs from "node:fs";
import util from "node:util";
import { AbortController } from "node:internal/abort_controller";

const events = (child, names) => new Promise((resolve) => {
  const seen = [];
  for (const n of names) child.on(n, (...a) => { seen.push([n, ...a]); if (n === "close") resolve(seen); });
});
const collect = (stream) => new Promise((resolve, reject) => {
  const parts = [];
  stream.on("data", (d) => parts.push(d));
  stream.on("end", () => resolve(Buffer.concat(parts).toString()));
  stream.on("error", reject);
});

test("echo: stdout through a pipe, 'spawn', 'exit' then 'close' with code 0", async () => {
  const child = spawn("echo", ["hello", "world"]);
  assert.ok(child instanceof ChildProcess);
  assert.ok(Number.isInteger(child.pid) && child.pid > 0);
  const out = collect(child.stdout);
  const seen = await events(child, ["spawn", "exit", "close"]);
  assert.deepEqual(seen.map((e) => e[0]), ["spawn", "exit", "close"]);
  assert.deepEqual(seen[1], ["exit", 0, null]);
  assert.deepEqual(seen[2], ["close", 0, null]);
  assert.equal(await out, "hello world\n");
  assert.equal(child.exitCode, 0);
  assert.equal(child.signalCode, null);
  assert.deepEqual(child.spawnargs, ["echo", "hello", "world"]);
  assert.equal(child.spawnfile, "echo");
});

test("cat: stdin written and ended, stdout read back", async () => {
  const child = spawn("cat");
  const out = collect(child.stdout);
  child.stdin.write("line one\n");
  child.stdin.end(Buffer.from("line two\n"));
  const [code] = await new Promise((r) => child.on("close", (...a) => r(a)));
  assert.equal(code, 0);
  assert.equal(await out, "line one\nline two\n");
});

test("sh -c: stdout and stderr apart, exit code", async () => {
  const child = spawn("sh", ["-c", "echo out; echo err >&2; exit 7"]);
  const [out, err] = [collect(child.stdout), collect(child.stderr)];
  const [code, signal] = await new Promise((r) => child.on("exit", (...a) => r(a)));
  assert.equal(code, 7);
  assert.equal(signal, null);
  assert.equal(await out, "out\n");
  assert.equal(await err, "err\n");
});

test("a child killed by a signal: exit(null, 'SIGTERM'), killed stays false for kill -TERM $$", async () => {
  const child = spawn("sh", ["-c", "kill -TERM $$"]);
  const seen = await events(child, ["exit", "close"]);
  assert.deepEqual(seen, [["exit", null, "SIGTERM"], ["close", null, "SIGTERM"]]);
  assert.equal(child.killed, false);
  assert.equal(child.signalCode, "SIGTERM");
});

test("kill(): default SIGTERM, named and numbered signals, unknown names, after exit", async () => {
  const a = spawn("sleep", ["10"]);
  assert.equal(a.kill(), true);
  assert.equal(a.killed, true);
  assert.deepEqual(await new Promise((r) => a.on("exit", (...x) => r(x))), [null, "SIGTERM"]);
  assert.equal(a.kill(), false);
  const b = spawn("sleep", ["10"]);
  assert.throws(() => b.kill("SIGFOO"), (e) => e.code === "ERR_UNKNOWN_SIGNAL" && e.message === "Unknown signal: SIGFOO");
  b.kill(9);
  assert.deepEqual(await new Promise((r) => b.on("exit", (...x) => r(x))), [null, "SIGKILL"]);
  const c = spawn("sleep", ["10"]);
  c.kill("SIGINT");
  assert.deepEqual(await new Promise((r) => c.on("exit", (...x) => r(x))), [null, "SIGINT"]);
});

test("a missing command: 'error' spawn nope ENOENT as Node's, then 'close'(-2, null), no 'exit'", async () => {
  const child = spawn("nope-not-a-command", ["a", "b"]);
  assert.equal(child.pid, undefined);
  assert.ok(child.stdout && child.stdin);
  const seen = await events(child, ["spawn", "error", "exit", "close"]);
  assert.deepEqual(seen.map((e) => e[0]), ["error", "close"]);
  const err = seen[0][1];
  assert.equal(err.message, "spawn nope-not-a-command ENOENT");
  assert.equal(err.errno, -2);
  assert.equal(err.code, "ENOENT");
  assert.equal(err.syscall, "spawn nope-not-a-command");
  assert.equal(err.path, "nope-not-a-command");
  assert.deepEqual(err.spawnargs, ["a", "b"]);
  assert.deepEqual(seen[1], ["close", -2, null]);
});

test("EACCES for a file that is not executable; absolute paths are not searched", async () => {
  const f = "/tmp/unode-cp-noexec.sh";
  fs.writeFileSync(f, "#!/bin/sh\necho hi\n");
  fs.chmodSync(f, 0o644);
  const err = await new Promise((r) => spawn(f).on("error", r));
  assert.equal(err.code, "EACCES");
  fs.chmodSync(f, 0o755);
  const ok = spawn(f);
  assert.equal(await collect(ok.stdout), "hi\n");
  fs.unlinkSync(f);
  const e2 = await new Promise((r) => spawn("/nonexistent/dir/prog").on("error", r));
  assert.equal(e2.code, "ENOENT");
});

test("cwd, env (replaces the environment; PATH from it), argv0", async () => {
  const a = spawn("pwd", { cwd: "/tmp" });
  assert.equal((await collect(a.stdout)).trim(), fs.realpathSync("/tmp"));
  const b = spawn("sh", ["-c", 'echo "$FOO|$HOME"'], { env: { FOO: "bar baz", PATH: process.env.PATH } });
  assert.equal(await collect(b.stdout), "bar baz|\n");
  const c = spawn("sh", ["-c", "echo $0"], { argv0: "custom-name" });
  assert.equal(await collect(c.stdout), "custom-name\n");
  const d = spawn("ls", { env: { PATH: "/nonexistent" } });
  assert.equal((await new Promise((r) => d.on("error", r))).code, "ENOENT");
  const e = spawn("pwd", { cwd: "/nonexistent-dir" });
  assert.equal((await new Promise((r) => e.on("error", r))).code, "ENOENT");
});

test("shell: true and a shell path; the command line is joined with spaces", async () => {
  const a = spawn("echo $((6 * 7)) | tr 4 X", { shell: true });
  assert.equal(await collect(a.stdout), "X2\n");
  assert.deepEqual(a.spawnargs, ["/bin/sh", "-c", "echo $((6 * 7)) | tr 4 X"]);
  const b = spawn("echo", ["a", "b"], { shell: "/bin/sh" });
  assert.equal(await collect(b.stdout), "a b\n");
});

test("stdio: 'ignore', 'inherit', fd numbers, extra pipes", async () => {
  const a = spawn("sh", ["-c", "echo ignored; cat"], { stdio: "ignore" });
  assert.equal(a.stdin, null);
  assert.equal(a.stdout, null);
  assert.equal((await new Promise((r) => a.on("close", r))), 0); // cat reads /dev/null: EOF at once
  const b = spawn("true", { stdio: "inherit" });
  assert.equal(b.stdout, null);
  assert.equal(await new Promise((r) => b.on("close", r)), 0);
  const f = "/tmp/unode-cp-fd.txt";
  const fd = fs.openSync(f, "w");
  const c = spawn("sh", ["-c", "echo to-file; echo to-err >&2"], { stdio: ["ignore", fd, "pipe"] });
  const cClosed = new Promise((r) => c.on("close", r));
  assert.equal(await collect(c.stderr), "to-err\n");
  await cClosed;
  fs.closeSync(fd);
  assert.equal(fs.readFileSync(f, "utf8"), "to-file\n");
  fs.unlinkSync(f);
  const d = spawn("sh", ["-c", "echo three >&3"], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  assert.equal(d.stdio.length, 4);
  assert.equal(await collect(d.stdio[3]), "three\n");
  // The child's stdout as its stdin's source: [fd 1 of ours onto its 2] swaps work.
  const e = spawnSync("sh", ["-c", "echo swapped >&2"], { stdio: ["pipe", "pipe", "pipe"] });
  assert.equal(e.stderr.toString(), "swapped\n");
});

test("exec: (err, stdout, stderr), Command failed errors with code/killed/signal/cmd", async () => {
  const r = await new Promise((res) => exec("echo out; echo err >&2", (...a) => res(a)));
  assert.deepEqual(r, [null, "out\n", "err\n"]);
  const [e, so, se] = await new Promise((res) => exec("echo out; echo err >&2; exit 3", (...a) => res(a)));
  assert.equal(e.message, "Command failed: echo out; echo err >&2; exit 3\nerr\n");
  assert.equal(e.code, 3);
  assert.equal(e.killed, false);
  assert.equal(e.signal, null);
  assert.equal(e.cmd, "echo out; echo err >&2; exit 3");
  assert.equal(so, "out\n");
  assert.equal(se, "err\n");
  const [, buf] = await new Promise((res) => exec("printf abc", { encoding: "buffer" }, (...a) => res(a)));
  assert.ok(Buffer.isBuffer(buf) && buf.toString() === "abc");
});

test("exec with maxBuffer exceeded: ERR_CHILD_PROCESS_STDIO_MAXBUFFER, output cut at the limit", async () => {
  const [e, so] = await new Promise((res) => exec("yes | head -c 50000", { maxBuffer: 100 }, (...a) => res(a)));
  assert.ok(e instanceof RangeError);
  assert.equal(e.code, "ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
  assert.equal(e.message, "stdout maxBuffer length exceeded");
  assert.equal(so.length, 100);
});

test("exec timeout kills a sleep 10 with SIGTERM", async () => {
  const t0 = Date.now();
  const [e] = await new Promise((res) => exec("sleep 10", { timeout: 150 }, (...a) => res(a)));
  assert.ok(Date.now() - t0 < 3000);
  assert.equal(e.killed, true);
  assert.equal(e.signal, "SIGTERM");
  assert.equal(e.code, null);
  const child = spawn("sleep", ["10"], { timeout: 100, killSignal: "SIGKILL" });
  assert.deepEqual(await new Promise((r) => child.on("exit", (...a) => r(a))), [null, "SIGKILL"]);
});

test("execFile: args, ENOENT, promisified exec and execFile", async () => {
  const [e1, out] = await new Promise((res) => execFile("echo", ["a  b", "c"], (...a) => res(a)));
  assert.equal(e1, null);
  assert.equal(out, "a  b c\n");
  const [e2, so] = await new Promise((res) => execFile("nope-not-a-command", (...a) => res(a)));
  assert.equal(e2.code, "ENOENT");
  assert.equal(e2.message, "spawn nope-not-a-command ENOENT");
  assert.equal(so, "");
  const pexec = util.promisify(exec);
  const p = pexec("echo promised");
  assert.ok(p.child instanceof ChildProcess);
  assert.deepEqual(await p, { stdout: "promised\n", stderr: "" });
  await assert.rejects(pexec("echo bad >&2; exit 2"), (e) => e.code === 2 && e.stderr === "bad\n" && e.stdout === "");
  assert.deepEqual(await util.promisify(execFile)("printf", ["%s", "x"]), { stdout: "x", stderr: "" });
});

test("AbortSignal aborts a child with an AbortError", async () => {
  const ac = new AbortController();
  const child = spawn("sleep", ["10"], { signal: ac.signal });
  const got = new Promise((r) => child.on("error", r));
  ac.abort();
  const e = await got;
  assert.equal(e.name, "AbortError");
  assert.deepEqual(await new Promise((r) => child.on("exit", (...a) => r(a))), [null, "SIGTERM"]);
});

test("spawnSync: status, signal, stdout, stderr, output, pid, input, encoding", () => {
  const r = spawnSync("sh", ["-c", "echo a; echo b >&2; exit 2"]);
  assert.equal(r.status, 2);
  assert.equal(r.signal, null);
  assert.ok(Buffer.isBuffer(r.stdout));
  assert.equal(r.stdout.toString(), "a\n");
  assert.equal(r.stderr.toString(), "b\n");
  assert.equal(r.output.length, 3);
  assert.equal(r.output[0], null);
  assert.ok(r.pid > 0);
  assert.equal(r.error, undefined);
  const c = spawnSync("cat", { input: "fed through stdin", encoding: "utf8" });
  assert.equal(c.stdout, "fed through stdin");
  const k = spawnSync("sh", ["-c", "kill -KILL $$"]);
  assert.equal(k.status, null);
  assert.equal(k.signal, "SIGKILL");
  const n = spawnSync("nope-not-a-command");
  assert.equal(n.error.code, "ENOENT");
  assert.equal(n.error.message, "spawnSync nope-not-a-command ENOENT");
  assert.equal(n.status, null);
  assert.equal(n.pid, 0);
  assert.equal(n.stdout, null);
  assert.deepEqual(Object.keys(n), ["error", "status", "signal", "output", "pid", "stdout", "stderr"]);
  const big = spawnSync("cat", { input: Buffer.alloc(300000, 65) });
  assert.equal(big.stdout.length, 300000);
});

test("spawnSync timeout: ETIMEDOUT and the kill signal", () => {
  const t0 = Date.now();
  const r = spawnSync("sleep", ["10"], { timeout: 150 });
  assert.ok(Date.now() - t0 < 3000);
  assert.equal(r.status, null);
  assert.equal(r.signal, "SIGTERM");
  assert.equal(r.error.code, "ETIMEDOUT");
  assert.equal(r.error.message, "spawnSync sleep ETIMEDOUT");
  const m = spawnSync("sh", ["-c", "yes | head -c 100000"], { maxBuffer: 1000 });
  assert.equal(m.error.code, "ENOBUFS");
});

test("execSync and execFileSync: output, throwing with status/stderr as Node", () => {
  assert.equal(execSync("echo ok").toString(), "ok\n");
  assert.equal(execSync("echo ok", { encoding: "utf8" }), "ok\n");
  assert.equal(execFileSync("echo", ["a b"], { encoding: "utf8" }), "a b\n");
  assert.equal(execSync("cat", { input: "in" }).toString(), "in");
  assert.throws(() => execSync("echo x; echo y >&2; exit 4", { stdio: "pipe" }), (e) =>
    e.message === "Command failed: echo x; echo y >&2; exit 4\ny\n" && e.status === 4 && e.stderr.toString() === "y\n" &&
    e.stdout.toString() === "x\n" && e.signal === null && e.pid > 0);
  assert.throws(() => execFileSync("nope-not-a-command"), (e) => e.code === "ENOENT" && e.syscall === "spawnSync nope-not-a-command");
  assert.throws(() => execFileSync("false"), (e) => e.status === 1 && e.message === "Command failed: false");
});

test("argument errors as Node's", () => {
  assert.throws(() => spawn(""), (e) => e.code === "ERR_INVALID_ARG_VALUE" && e.message === "The argument 'file' cannot be empty. Received ''");
  assert.throws(() => spawn("ls", "x"), (e) => e.code === "ERR_INVALID_ARG_TYPE" && /"args" argument must be of type object/.test(e.message));
  assert.throws(() => spawn(5), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.throws(() => spawn("ls", [], { cwd: 5 }), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.throws(() => spawn("ls", ["a\u0000b"]), (e) => e.code === "ERR_INVALID_ARG_VALUE");
  assert.throws(() => spawn("ls", [], { stdio: "bogus" }), (e) => e.code === "ERR_INVALID_ARG_VALUE");
  assert.throws(() => spawn("ls", [], { stdio: ["ipc"] }), (e) => e.code === "ERR_NOT_IMPLEMENTED");
  assert.throws(() => exec(5), (e) => e.code === "ERR_INVALID_ARG_TYPE");
});

test("4 MiB from a child's stdout, read with backpressure (pause/resume)", async () => {
  const child = spawn("sh", ["-c", "head -c 4194304 /dev/zero | tr '\\0' x"]);
  let total = 0, pauses = 0, bad = 0;
  child.stdout.on("data", (d) => {
    total += d.length;
    for (let i = 0; i < d.length; i += 4096) if (d[i] !== 120) bad++;
    if (total % 5 === 0 || d.length > 30000) {
      pauses++;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1);
    }
  });
  const code = await new Promise((r) => child.on("close", r));
  assert.equal(code, 0);
  assert.equal(total, 4194304);
  assert.equal(bad, 0);
  assert.ok(pauses > 0);
});

test("50 children at once", async () => {
  const codes = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    new Promise((resolve) => spawn(i % 2 ? "true" : "false").on("close", resolve))));
  assert.deepEqual(codes, Array.from({ length: 50 }, (_, i) => (i % 2 ? 0 : 1)));
});

test("detached child in its own session; unref lets it run on", async () => {
  const child = spawn("sh", ["-c", "ps -o sid= -p $$ 2>/dev/null || cat /proc/$$/stat"], { detached: true });
  const closed = new Promise((r) => child.on("close", r));
  const out = await collect(child.stdout);
  await closed;
  const sid = Number(out.trim().split(/\s+/)[out.includes("(") ? 5 : 0]);
  assert.equal(sid, child.pid);
  const u = spawn("true", { stdio: "ignore" });
  u.unref();
  u.ref();
  assert.equal(await new Promise((r) => u.on("close", r)), 0);
});

test("after spawning, the parent's own exit listeners run once, in the parent only", () => {
  const script = "/tmp/unode-cp-parent.js";
  fs.writeFileSync(script, `
    const cp = require("child_process");
    process.on("exit", (c) => console.log("EXIT-LISTENER " + c));
    setTimeout(() => console.log("TIMER"), 50);
    cp.spawn("nope-not-a-command").on("error", () => console.log("ERROR-EVENT"));
    cp.spawnSync("nope-not-a-command");
    cp.spawn("true").on("close", (c) => console.log("CLOSE " + c));
    console.log("SYNC " + cp.execSync("echo inner").toString().trim());
  `);
  const base = process.execPath.split("/").pop();
  const args = base === "node" || base === "unode" ? [script] : ["node", script];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  fs.unlinkSync(script);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").sort();
  assert.deepEqual(lines, ["CLOSE 0", "ERROR-EVENT", "EXIT-LISTENER 0", "SYNC inner", "TIMER"]);
});

test("fork runs a module under unode (no IPC channel)", async () => {
  const mod = "/tmp/unode-cp-fork.js";
  fs.writeFileSync(mod, "console.log('forked ' + process.argv.slice(2).join(','))");
  const child = cp.fork(mod, ["x", "y"], { silent: true });
  const closed = new Promise((r) => child.on("close", r));
  const out = await collect(child.stdout);
  await closed;
  fs.unlinkSync(mod);
  assert.equal(out, "forked x,y\n");
  assert.throws(() => child.send({}), (e) => e.code === "ERR_NOT_IMPLEMENTED");
});
