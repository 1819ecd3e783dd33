// node:child_process — spawn, exec, execFile and their sync forms over raw
// system calls: pipe2 for the stdio pipes, clone + execve in
// node:internal/child_process/spawn (see the comment there on why fork is
// safe here), pidfd_open watched by jsk:loop for the exit, waitid to reap,
// ppoll for the sync forms.
//
// Not implemented: the IPC channel ('ipc' in stdio, fork()'s send/disconnect);
// fork() starts the module under unode with the stdio inherited and no channel.
// windowsHide, windowsVerbatimArguments and serialization are ignored.

import EventEmitter from "node:events";
import { Buffer } from "node:buffer";
import process from "node:process";
import { nextTick } from "node:internal/process/tick";
import { codes, nodeError, systemError } from "node:internal/errors";
import { validateFunction, validateObject, validateString, validateInt32, validateAbortSignal } from "node:internal/validators";
import { setTimeout, clearTimeout, watch } from "jsk:loop";
import { EPOLLIN, SIG, signalName, errnoName, O_CLOEXEC, AF_UNIX, SOCK_STREAM, SOCK_CLOEXEC, socketpair } from "jsk:sys";
import {
  prepare, forkExec, pipe, setNonBlocking, closeFd, devNullFd, tryWait, pidfdOpen, sendSignal, reap, poll,
  POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL, EAGAIN, EINTR,
} from "node:internal/child_process/spawn";
import { FdStream } from "node:internal/child_process/stdio";
import { syscall } from "jsk:native";
import { nr } from "jsk:sys";
import { monotonicMs } from "jsk:sys";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, ERR_UNKNOWN_SIGNAL, ERR_NOT_IMPLEMENTED } = codes;
const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");

// ---- signals --------------------------------------------------------------------

function signalNumber(sig, name = "signal") {
  if (sig === undefined || sig === null) return SIG.SIGTERM;
  if (typeof sig === "number") {
    if (!Number.isInteger(sig)) throw ERR_INVALID_ARG_TYPE(name, ["string", "number"], sig);
    return sig;
  }
  if (typeof sig === "string") {
    const n = SIG[sig.toUpperCase()] ?? SIG[sig];
    if (n === undefined || !sig.startsWith("SIG")) throw ERR_UNKNOWN_SIGNAL(sig);
    return n;
  }
  throw ERR_INVALID_ARG_TYPE(name, ["string", "number"], sig);
}

function validateKillSignal(sig) {
  if (sig === undefined) return "SIGTERM";
  if (typeof sig === "string" || typeof sig === "number") { signalNumber(sig, "options.killSignal"); return sig; }
  throw ERR_INVALID_ARG_TYPE("options.killSignal", ["string", "number"], sig);
}

// ---- option normalization ----------------------------------------------------------

function validateTimeout(t) {
  if (t !== undefined && t !== null && !(Number.isInteger(t) && t >= 0)) throw ERR_OUT_OF_RANGE("timeout", "an unsigned integer", t);
}

function validateMaxBuffer(m) {
  if (m !== undefined && m !== null && !(typeof m === "number" && m >= 0)) {
    throw ERR_OUT_OF_RANGE("options.maxBuffer", "a positive number", m);
  }
}

function validateArgsNoNul(list, name) {
  for (const a of list) {
    if (typeof a === "string" && a.includes("\u0000")) {
      throw ERR_INVALID_ARG_VALUE(name, a, "must be a string without null bytes");
    }
  }
}

/** Node's normalizeSpawnArguments: the file, argv and environment the child gets. */
function normalizeSpawnArguments(file, args, options) {
  validateString(file, "file");
  if (file.length === 0) throw ERR_INVALID_ARG_VALUE("file", file, "cannot be empty");
  if (Array.isArray(args)) args = args.slice();
  else if (args === undefined || args === null) args = [];
  else if (typeof args !== "object") throw ERR_INVALID_ARG_TYPE("args", "object", args);
  else { options = args; args = []; }
  if (options === undefined) options = {};
  else validateObject(options, "options");
  options = { ...options };

  let cwd = options.cwd;
  if (cwd !== undefined && cwd !== null) {
    if (typeof URL === "function" && cwd instanceof URL) cwd = decodeURIComponent(cwd.pathname);
    if (typeof cwd !== "string") {
      if (ArrayBuffer.isView(cwd)) cwd = Buffer.from(cwd.buffer, cwd.byteOffset, cwd.byteLength).toString();
      else throw ERR_INVALID_ARG_TYPE("options.cwd", ["string", "Buffer", "URL"], cwd);
    }
  } else cwd = undefined;
  if (options.detached !== undefined && options.detached !== null && typeof options.detached !== "boolean") {
    throw ERR_INVALID_ARG_TYPE("options.detached", "boolean", options.detached);
  }
  if (options.uid !== undefined && options.uid !== null) validateInt32(options.uid, "options.uid");
  if (options.gid !== undefined && options.gid !== null) validateInt32(options.gid, "options.gid");
  if (options.shell !== undefined && options.shell !== null && typeof options.shell !== "boolean" && typeof options.shell !== "string") {
    throw ERR_INVALID_ARG_TYPE("options.shell", ["boolean", "string"], options.shell);
  }
  if (options.argv0 !== undefined && options.argv0 !== null) validateString(options.argv0, "options.argv0");
  validateArgsNoNul([file], "file");
  args.forEach((a, i) => {
    if (typeof a !== "string") throw ERR_INVALID_ARG_TYPE(`args[${i}]`, "string", a);
    validateArgsNoNul([a], `args[${i}]`);
  });

  if (options.shell) {
    const command = [file, ...args].join(" ");
    file = typeof options.shell === "string" ? options.shell : "/bin/sh";
    args = ["-c", command];
  }
  const argv0 = typeof options.argv0 === "string" ? options.argv0 : file;
  const env = options.env ?? process.env;
  if (env !== null && typeof env !== "object") throw ERR_INVALID_ARG_TYPE("options.env", "Object", env);
  const envPairs = [];
  for (const key of Object.keys(env ?? {})) {
    const value = env[key];
    if (value !== undefined) {
      const pair = `${key}=${value}`;
      validateArgsNoNul([pair], "options.env");
      envPairs.push(pair);
    }
  }
  const pathEnv = env && env.PATH !== undefined ? String(env.PATH) : process.env.PATH;
  return {
    ...options, file, args: [argv0, ...args], cwd, envPairs, pathEnv,
    detached: !!options.detached,
    uid: options.uid ?? undefined, gid: options.gid ?? undefined,
  };
}

/** stdio option → [{ type: 'pipe'|'ignore'|'inherit'|'fd'|'socket', fd? }, ...] */
function normalizeStdio(stdio) {
  if (stdio === undefined || stdio === null) stdio = "pipe";
  if (typeof stdio === "string") {
    switch (stdio) {
      case "ignore": case "pipe": case "inherit": case "overlapped": stdio = [stdio, stdio, stdio]; break;
      default: throw ERR_INVALID_ARG_VALUE("stdio", stdio);
    }
  } else if (!Array.isArray(stdio)) {
    throw ERR_INVALID_ARG_VALUE("stdio", stdio);
  }
  stdio = stdio.slice();
  while (stdio.length < 3) stdio.push(undefined);
  return stdio.map((s, i) => {
    if (s === null || s === undefined) s = i < 3 ? "pipe" : "ignore";
    if (s === "pipe" || s === "overlapped") return { type: "pipe" };
    if (s === "ignore") return { type: "ignore" };
    if (s === "inherit") return { type: "fd", fd: i };
    if (s === "ipc") throw ERR_NOT_IMPLEMENTED("child_process: the 'ipc' stdio channel");
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < 0) throw ERR_INVALID_ARG_VALUE("stdio", s);
      return { type: "fd", fd: s };
    }
    if (s && typeof s === "object") {
      const fd = typeof s.fd === "number" ? s.fd : s._handle?.fd;
      if (typeof fd === "number" && fd >= 0) return { type: "fd", fd };
    }
    throw ERR_INVALID_ARG_VALUE("stdio", s);
  });
}

/** Create the descriptors for a stdio plan: { fds: [[childSrc, dst]], parent: [fd|-1], toClose: [...] }. */
function makeStdio(plan) {
  const fds = [], parent = [], toClose = [];
  try {
    plan.forEach((s, i) => {
      if (s.type === "pipe" && i < 3) {
        const [r, w] = pipe(O_CLOEXEC);
        if (i === 0) { fds.push([r, 0]); parent.push(w); toClose.push(r); setNonBlocking(w); }
        else { fds.push([w, i]); parent.push(r); toClose.push(w); setNonBlocking(r); }
      } else if (s.type === "pipe") {
        const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
        fds.push([b, i]); parent.push(a); toClose.push(b); setNonBlocking(a);
      } else if (s.type === "ignore") {
        if (i < 3) fds.push([devNullFd(), i]);
        parent.push(-1);
      } else {
        fds.push([s.fd, i]);
        parent.push(-1);
      }
    });
  } catch (e) {
    for (const fd of [...parent, ...toClose]) closeFd(fd);
    throw e;
  }
  return { fds, parent, toClose };
}

function spawnError(errno, file, spawnargs, syscallName = `spawn ${file}`) {
  const code = errnoName(errno) ?? "UNKNOWN";
  const err = new Error(`${syscallName} ${code}`);
  err.errno = -errno;
  err.code = code;
  err.syscall = syscallName;
  err.path = file;
  err.spawnargs = spawnargs;
  return err;
}

// ---- ChildProcess -----------------------------------------------------------------

const kPid = Symbol("kPid");
const kWatch = Symbol("kWatch");

export class ChildProcess extends EventEmitter {
  constructor() {
    super();
    this._closesNeeded = 1;
    this._closesGot = 0;
    this.connected = false;
    this.signalCode = null;
    this.exitCode = null;
    this.killed = false;
    this.spawnfile = null;
    this._handle = null;
    this.stdin = null;
    this.stdout = null;
    this.stderr = null;
    this.stdio = [];
    this[kPid] = 0;
    this[kWatch] = null;
  }

  get pid() { return this[kPid] > 0 ? this[kPid] : undefined; }

  /** options: { file, args (argv incl. argv0), cwd, envPairs, stdio, detached, uid, gid, pathEnv } */
  spawn(options) {
    validateObject(options, "options");
    const plan = normalizeStdio(options.stdio);
    const { fds, parent, toClose } = makeStdio(plan);
    this.spawnfile = options.file;
    this.spawnargs = options.args.slice();
    const prepared = prepare({
      file: options.file, argv: options.args, env: options.envPairs ?? [], cwd: options.cwd,
      fds, detached: options.detached, uid: options.uid, gid: options.gid, pathEnv: options.pathEnv,
    });
    let result;
    try {
      result = forkExec(prepared);
    } finally {
      for (const fd of toClose) closeFd(fd);
    }
    // The streams exist whether or not exec succeeded, as in Node.
    this.stdio = parent.map((fd, i) => {
      if (fd < 0) return null;
      const stream = new FdStream(fd, i === 0 ? "w" : i < 3 ? "r" : "rw");
      if (i > 0) {
        this._closesNeeded++;
        stream.on("close", () => maybeClose(this));
      }
      return stream;
    });
    this.stdin = this.stdio[0] ?? null;
    this.stdout = this.stdio[1] ?? null;
    this.stderr = this.stdio[2] ?? null;

    if (result.errno !== undefined) {
      const err = spawnError(result.errno, this.spawnfile, this.spawnargs.slice(1));
      // As Node: the error is reported on the next tick, then 'close' with the negative errno.
      for (const s of this.stdio) if (s) s.destroy();
      nextTick(() => {
        this.exitCode = -result.errno;
        this.emit("error", err);
        maybeClose(this);
      });
      return 0;
    }
    this[kPid] = result.pid;
    this._handle = { pid: result.pid };
    this._watchExit();
    nextTick(() => this.emit("spawn"));
    return 0;
  }

  _watchExit() {
    const pid = this[kPid];
    const fd = pidfdOpen(pid);
    if (fd >= 0) {
      this[kWatch] = { fd, w: watch(fd, EPOLLIN, () => this._poll()) };
    } else {
      // No pidfd (Linux < 5.3): look every 20 ms.
      const tick = () => { if (!this._poll()) this[kWatch].t = setTimeout(tick, 20); };
      this[kWatch] = { fd: -1, t: setTimeout(tick, 20) };
    }
  }

  _poll() {
    const st = tryWait(this[kPid]);
    if (st === null) return false;
    const w = this[kWatch];
    if (w) {
      if (w.w) w.w.close();
      if (w.t) clearTimeout(w.t);
      if (w.fd >= 0) closeFd(w.fd);
      this[kWatch] = null;
    }
    this._handle = null;
    this.exitCode = st.code;
    this.signalCode = st.signal ? (signalName(st.signal) ?? st.signal) : null;
    if (this.stdin) this.stdin.destroy();
    this.emit("exit", this.exitCode, this.signalCode);
    nextTick(() => flushStdio(this));
    maybeClose(this);
    return true;
  }

  kill(sig) {
    const signal = sig === 0 ? 0 : signalNumber(sig);
    if (this._handle === null) return false;
    const r = sendSignal(this[kPid], signal);
    if (r === 0) {
      this.killed = true;
      return true;
    }
    if (-r === 3) return false; // ESRCH: already gone
    if (-r === 22 || -r === 38) throw systemError(-r, "kill");
    this.emit("error", systemError(-r, "kill"));
    return false;
  }

  [Symbol.dispose]() { if (!this.killed) this.kill(); }

  ref() {
    const w = this[kWatch];
    if (w?.w) w.w.ref();
    if (w?.t) w.t.ref?.();
  }

  unref() {
    const w = this[kWatch];
    if (w?.w) w.w.unref();
    if (w?.t) w.t.unref?.();
  }

  send() { throw ERR_NOT_IMPLEMENTED("child_process: the IPC channel (send)"); }
  disconnect() { throw ERR_NOT_IMPLEMENTED("child_process: the IPC channel (disconnect)"); }
}

function maybeClose(child) {
  child._closesGot++;
  if (child._closesGot === child._closesNeeded) child.emit("close", child.exitCode, child.signalCode);
}

/** After exit, let stdio nobody reads drain so that 'close' can come. */
function flushStdio(child) {
  for (let i = 1; i < child.stdio.length; i++) {
    const s = child.stdio[i];
    if (!s || !s.readable || s.readableFlowing !== null || s.listenerCount("readable") > 0) continue;
    s.resume();
  }
}

// ---- spawn / exec / execFile ----------------------------------------------------------

export function spawn(file, args, options) {
  const opts = normalizeSpawnArguments(file, args, options);
  validateTimeout(opts.timeout);
  validateAbortSignal(opts.signal, "options.signal");
  const killSignal = validateKillSignal(opts.killSignal);
  const child = new ChildProcess();
  child.spawn(opts);
  if (opts.timeout > 0) {
    let timer = setTimeout(() => {
      if (timer) {
        try { child.kill(killSignal); } catch (e) { child.emit("error", e); }
        timer = null;
      }
    }, opts.timeout);
    child.once("exit", () => { if (timer) { clearTimeout(timer); timer = null; } });
    child.once("error", () => { if (timer) { clearTimeout(timer); timer = null; } });
  }
  if (opts.signal) {
    const signal = opts.signal;
    const onAbort = () => {
      if (child.kill(killSignal)) child.emit("error", abortError(signal.reason));
    };
    if (signal.aborted) nextTick(onAbort);
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      child.once("exit", () => signal.removeEventListener("abort", onAbort));
    }
  }
  return child;
}

function abortError(reason) {
  const e = new Error("The operation was aborted");
  e.name = "AbortError";
  e.code = "ABORT_ERR";
  if (reason !== undefined) e.cause = reason;
  return e;
}

function normalizeExecArgs(command, options, callback) {
  validateString(command, "command");
  if (typeof options === "function") { callback = options; options = undefined; }
  options = { ...options };
  options.shell = typeof options.shell === "string" ? options.shell : "/bin/sh";
  return { file: command, options, callback };
}

export function exec(command, options, callback) {
  const a = normalizeExecArgs(command, options, callback);
  return execFile(a.file, a.options, a.callback);
}

Object.defineProperty(exec, kCustomPromisify, {
  enumerable: false,
  value: (...args) => promisified(exec, args),
});

function promisified(fn, args) {
  let child;
  const promise = new Promise((resolve, reject) => {
    child = fn(...args, (err, stdout, stderr) => {
      if (err) {
        err.stdout = stdout;
        err.stderr = stderr;
        reject(err);
      } else resolve({ stdout, stderr });
    });
  });
  promise.child = child;
  return promise;
}

const ERR_CHILD_PROCESS_STDIO_MAXBUFFER = (name) =>
  nodeError(RangeError, "ERR_CHILD_PROCESS_STDIO_MAXBUFFER", `${name} maxBuffer length exceeded`);

export function execFile(file, args, options, callback) {
  if (typeof args === "function") { callback = args; args = []; options = undefined; }
  else if (args !== undefined && args !== null && !Array.isArray(args)) {
    if (typeof args === "object") { callback = options; options = args; args = []; }
    else throw ERR_INVALID_ARG_TYPE("args", "object", args);
  }
  if (typeof options === "function") { callback = options; options = undefined; }
  if (options !== undefined && options !== null) validateObject(options, "options");
  if (callback !== undefined && callback !== null) validateFunction(callback, "callback");
  args = args ?? [];
  options = {
    encoding: "utf8", timeout: 0, maxBuffer: 1024 * 1024, killSignal: "SIGTERM", cwd: null, env: null, shell: false,
    ...options,
  };
  validateTimeout(options.timeout);
  validateMaxBuffer(options.maxBuffer);
  options.killSignal = validateKillSignal(options.killSignal);

  const child = spawn(file, args, {
    cwd: options.cwd, env: options.env, gid: options.gid, shell: options.shell, signal: options.signal,
    uid: options.uid, argv0: options.argv0, detached: options.detached, stdio: options.stdio,
  });
  const encoding = options.encoding && options.encoding !== "buffer" && Buffer.isEncoding(options.encoding) ? options.encoding : null;
  const out = [], err = [];
  let outLen = 0, errLen = 0, ex = null, killedByUs = false, done = false, timer = null;

  const finish = (code, signal) => {
    if (done) return;
    done = true;
    if (timer) { clearTimeout(timer); timer = null; }
    if (!callback) return;
    const stdout = encoding ? out.join("") : Buffer.concat(out);
    const stderr = encoding ? err.join("") : Buffer.concat(err);
    if (!ex && code === 0 && signal === null) {
      callback(null, stdout, stderr);
      return;
    }
    const cmd = args.length ? `${file} ${args.join(" ")}` : file;
    if (!ex) {
      ex = new Error(`Command failed: ${cmd}\n${stderr}`);
      ex.code = code < 0 ? errnoName(-code) : code;
      ex.killed = child.killed || killedByUs;
      ex.signal = signal;
    }
    ex.cmd = cmd;
    callback(ex, stdout, stderr);
  };
  const kill = () => {
    child.stdout?.destroy();
    child.stderr?.destroy();
    killedByUs = true;
    try { child.kill(options.killSignal); } catch (e) { ex = e; finish(); }
  };
  if (options.timeout > 0) timer = setTimeout(() => { timer = null; kill(); }, options.timeout);
  const collect = (stream, list, name) => {
    if (!stream) return;
    if (encoding) stream.setEncoding(encoding);
    stream.on("data", (chunk) => {
      const len = encoding ? Buffer.byteLength(chunk, encoding) : chunk.length;
      const total = (name === "stdout" ? (outLen += len) : (errLen += len));
      if (total > options.maxBuffer) {
        const keep = options.maxBuffer - (total - len);
        list.push(chunk.slice(0, keep));
        ex = ERR_CHILD_PROCESS_STDIO_MAXBUFFER(name);
        kill();
      } else list.push(chunk);
    });
  };
  collect(child.stdout, out, "stdout");
  collect(child.stderr, err, "stderr");
  child.addListener("close", finish);
  child.addListener("error", (e) => {
    ex = e;
    child.stdout?.destroy();
    child.stderr?.destroy();
    finish();
  });
  return child;
}

Object.defineProperty(execFile, kCustomPromisify, {
  enumerable: false,
  value: (...args) => promisified(execFile, args),
});

// ---- the sync forms -------------------------------------------------------------

function inputBytes(input) {
  if (input === undefined || input === null) return null;
  if (typeof input === "string") return Buffer.from(input, "utf8");
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw ERR_INVALID_ARG_TYPE("options.stdio[0]", ["Buffer", "TypedArray", "DataView", "string"], input);
}

export function spawnSync(file, args, options) {
  const opts = normalizeSpawnArguments(file, args, options);
  validateTimeout(opts.timeout);
  validateMaxBuffer(opts.maxBuffer);
  const killSig = signalNumber(validateKillSignal(opts.killSignal), "options.killSignal");
  const maxBuffer = opts.maxBuffer ?? 1024 * 1024;
  const input = inputBytes(opts.input);
  const plan = normalizeStdio(opts.stdio);
  if (input !== null && plan[0].type !== "pipe") plan[0] = { type: "pipe" };
  const { fds, parent, toClose } = makeStdio(plan);
  const prepared = prepare({
    file: opts.file, argv: opts.args, env: opts.envPairs, cwd: opts.cwd, fds,
    detached: opts.detached, uid: opts.uid, gid: opts.gid, pathEnv: opts.pathEnv,
  });
  let res;
  try {
    res = forkExec(prepared);
  } finally {
    for (const fd of toClose) closeFd(fd);
  }
  const encoding = opts.encoding && opts.encoding !== "buffer" && Buffer.isEncoding(opts.encoding) ? opts.encoding : null;
  if (res.errno !== undefined) {
    for (const fd of parent) closeFd(fd);
    const error = spawnError(res.errno, opts.file, opts.args.slice(1), `spawnSync ${opts.file}`);
    return { error, status: null, signal: null, output: null, pid: 0, stdout: null, stderr: null };
  }
  const pid = res.pid;
  const chunks = parent.map(() => []);
  let error = null, total = 0;
  const pidfd = pidfdOpen(pid);
  // stdin: write the input, then close.
  let inOff = 0;
  const stdinFd = parent[0];
  if (stdinFd >= 0 && (input === null || input.length === 0)) { closeFd(stdinFd); parent[0] = -1; }
  const deadline = opts.timeout > 0 ? monotonicMs() + opts.timeout : Infinity;
  const buf = new Uint8Array(65536);
  const pfds = new Int32Array(2 * (parent.length + 1));
  let status = null, exited = false, killedForTimeout = false;
  for (;;) {
    // Which descriptors are still open?
    let n = 0;
    const map = [];
    for (let i = 0; i < parent.length; i++) {
      if (parent[i] < 0) continue;
      pfds[2 * n] = parent[i];
      pfds[2 * n + 1] = i === 0 ? POLLOUT : POLLIN;
      map.push(i);
      n++;
    }
    if (!exited) {
      pfds[2 * n] = pidfd;
      pfds[2 * n + 1] = POLLIN;
      map.push(-1);
      n++;
    }
    if (n === 0) break;
    if (pidfd < 0 && !exited) { // no pidfd: look at the child each 20 ms
      n--;
      map.pop();
    }
    let wait = deadline === Infinity ? -1 : Math.max(0, deadline - monotonicMs());
    if (pidfd < 0 && !exited) wait = wait < 0 ? 20 : Math.min(wait, 20);
    const r = poll(pfds, n, wait);
    if (r < 0 && r !== -EINTR) { error = systemError(-r, "ppoll"); break; }
    if (!exited && pidfd < 0) {
      const st = tryWait(pid);
      if (st) { exited = true; status = st; }
    }
    if (!killedForTimeout && monotonicMs() >= deadline && !exited) {
      killedForTimeout = true;
      sendSignal(pid, killSig);
      error = spawnError(110, opts.file, opts.args.slice(1), `spawnSync ${opts.file}`);
    }
    if (r <= 0) continue;
    for (let k = 0; k < n; k++) {
      const rev = pfds[2 * k + 1] >>> 16;
      if (rev === 0) continue;
      const i = map[k];
      if (i === -1) {
        const st = tryWait(pid);
        if (st) { exited = true; status = st; }
        continue;
      }
      const fd = parent[i];
      if (i === 0) {
        if (rev & (POLLERR | POLLHUP | POLLNVAL)) { closeFd(fd); parent[0] = -1; continue; }
        const w = syscall(nr.write, fd, input.subarray(inOff), input.length - inOff);
        if (w > 0) inOff += w;
        if (inOff >= input.length || (w < 0 && w !== -EAGAIN && w !== -EINTR)) { closeFd(fd); parent[0] = -1; }
        continue;
      }
      const got = syscall(nr.read, fd, buf, buf.length);
      if (got > 0) {
        chunks[i].push(Buffer.from(buf.subarray(0, got)));
        total += got;
        if (total > maxBuffer && !error) {
          error = spawnError(105, opts.file, opts.args.slice(1), `spawnSync ${opts.file}`);
          sendSignal(pid, killSig);
        }
      } else if (got === 0 || (got < 0 && got !== -EAGAIN && got !== -EINTR)) {
        closeFd(fd);
        parent[i] = -1;
      }
    }
  }
  if (!exited) {
    reap(pid);
  }
  if (pidfd >= 0) closeFd(pidfd);
  for (const fd of parent) closeFd(fd);
  const output = plan.map((s, i) => {
    if (i === 0 || s.type !== "pipe") return null;
    let b = Buffer.concat(chunks[i]);
    if (error && error.code === "ENOBUFS" && b.length > maxBuffer) b = b.subarray(0, maxBuffer);
    return encoding ? b.toString(encoding) : b;
  });
  const result = {};
  if (error) result.error = error;
  result.status = status && status.signal === 0 ? status.code : null;
  result.signal = status && status.signal ? (signalName(status.signal) ?? status.signal) : null;
  result.output = output;
  result.pid = pid;
  result.stdout = output[1] ?? null;
  result.stderr = output[2] ?? null;
  return result;
}

function checkExecSyncError(ret, cmd) {
  let err;
  if (ret.error) {
    err = ret.error;
    Object.assign(err, ret);
    delete err.error;
  } else if (ret.status !== 0) {
    let msg = `Command failed: ${cmd}`;
    if (ret.stderr && ret.stderr.length > 0) msg += `\n${ret.stderr.toString()}`;
    err = new Error(msg);
    Object.assign(err, ret);
  }
  return err;
}

function writeInheritedStderr(ret, options) {
  if (options.stdio === undefined && ret.stderr && ret.stderr.length && process.stderr?.write) process.stderr.write(ret.stderr);
}

export function execFileSync(file, args, options) {
  if (args !== undefined && args !== null && !Array.isArray(args) && typeof args === "object") { options = args; args = []; }
  options = { ...options };
  const ret = spawnSync(file, args ?? [], options);
  writeInheritedStderr(ret, options);
  const cmd = [file, ...(args ?? [])].join(" ");
  const err = checkExecSyncError(ret, cmd);
  if (err) throw err;
  return ret.stdout;
}

export function execSync(command, options) {
  validateString(command, "command");
  options = { ...options };
  options.shell = typeof options.shell === "string" ? options.shell : "/bin/sh";
  const ret = spawnSync(command, [], options);
  writeInheritedStderr(ret, options);
  const err = checkExecSyncError(ret, command);
  if (err) throw err;
  return ret.stdout;
}

// ---- fork: the module under unode, no IPC channel ------------------------------------

export function fork(modulePath, args, options) {
  if (typeof URL === "function" && modulePath instanceof URL) modulePath = decodeURIComponent(modulePath.pathname);
  validateString(modulePath, "modulePath");
  if (args !== undefined && args !== null && !Array.isArray(args)) { options = args; args = []; }
  options = { ...options };
  const execArgv = options.execArgv ?? process.execArgv ?? [];
  const execPath = options.execPath ?? process.execPath;
  const base = execPath.split("/").pop();
  const viaSubcommand = base !== "node" && base !== "unode" ? ["node"] : [];
  let stdio = options.stdio;
  if (options.silent) stdio = ["pipe", "pipe", "pipe"];
  else if (stdio === undefined) stdio = "inherit";
  if (Array.isArray(stdio)) stdio = stdio.filter((s) => s !== "ipc");
  return spawn(execPath, [...viaSubcommand, ...execArgv, modulePath, ...(args ?? [])], { ...options, stdio, shell: false });
}

export const _forkChild = () => { throw ERR_NOT_IMPLEMENTED("child_process: the IPC channel"); };

const childProcess = { ChildProcess, spawn, exec, execFile, spawnSync, execSync, execFileSync, fork, _forkChild };
export default childProcess;
