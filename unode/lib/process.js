// node:process — Node's `process`: an EventEmitter with argv, env, exit and
// exitCode, nextTick, hrtime, memoryUsage, cwd/chdir, stdout/stderr/stdin
// streams, emitWarning, kill, signal events and the rest of what npm
// packages look at. Written over jsk:sys; `unode` installs it as the global.

import * as native from "jsk:native";
import * as sys from "jsk:sys";
import EventEmitter from "node:events";
import { watch as loopWatch } from "jsk:loop";
import { nextTick } from "node:internal/process/tick";
import { codes, nodeError, systemError } from "node:internal/errors";
import { cwd as getcwd, resolvePath } from "node:internal/modules/resolve";

const { ERR_INVALID_ARG_TYPE, ERR_UNKNOWN_SIGNAL } = codes;

/** The Node release unode follows; packages read it to pick code paths. */
const NODE_VERSION = native.nodeVersion;

const process = new EventEmitter();
Object.setPrototypeOf(process, Object.create(EventEmitter.prototype, {
  [Symbol.toStringTag]: { value: "process", configurable: true },
}));

// argv[1] is the script's absolute path, as Node gives it.
const argv = [...native.argv];
const execPath = readSelf() ?? argv[0];
argv[0] = execPath;
if (argv.length > 1 && typeof argv[1] === "string" && !argv[1].startsWith("/") && !argv[1].startsWith("-")) {
  argv[1] = resolvePath(getcwd(), argv[1]);
}

function readSelf() {
  try { return sys.readlink("/proc/self/exe"); } catch { return undefined; }
}

process.argv = argv;
process.argv0 = native.argv[0]?.split("/").pop() ?? "unode";
process.execArgv = [];
process.execPath = execPath;
process.env = native.env;
process.title = "unode";
process.version = `v${NODE_VERSION}`;
process.versions = Object.freeze({ node: NODE_VERSION, unode: "0.1.0", quickjs: "ng", modules: "115" });
process.release = Object.freeze({ name: "node", lts: "Iron" });
process.platform = "linux";
process.arch = native.arch === "x86_64" ? "x64" : native.arch === "aarch64" ? "arm64" : native.arch;
process.config = Object.freeze({ target_defaults: {}, variables: {} });
process.features = Object.freeze({ inspector: false, debug: false, uv: false, ipv6: true, tls_alpn: false, tls_sni: false, tls_ocsp: false, tls: false, cached_builtins: true, typescript: false });
process.exitCode = undefined;
process.noDeprecation = false;
process.throwDeprecation = false;
process.traceDeprecation = false;
process.allowedNodeEnvironmentFlags = new Set();
process.nextTick = nextTick;
process.binding = (name) => { throw codes.ERR_NOT_IMPLEMENTED(`process.binding('${name}')`); };

Object.defineProperty(process, "pid", { get: () => sys.getpid(), enumerable: true });
Object.defineProperty(process, "ppid", { get: () => sys.getppid(), enumerable: true });

process.cwd = () => getcwd();
process.chdir = (dir) => {
  if (typeof dir !== "string") throw ERR_INVALID_ARG_TYPE("directory", "string", dir);
  const r = sys.syscall(sys.nr.chdir, dir);
  if (r < 0) {
    const e = systemError(r, "chdir", process.cwd(), dir);
    e.message = `${e.code}: ${e.message.slice(e.code.length + 2).replace(/, chdir.*$/, "")}, chdir ${process.cwd()} -> '${dir}'`;
    throw e;
  }
};
process.umask = (mask) => {
  if (mask === undefined) {
    const old = sys.syscall(sys.nr.umask, 0o22);
    sys.syscall(sys.nr.umask, old);
    return old;
  }
  return sys.syscall(sys.nr.umask, typeof mask === "string" ? parseInt(mask, 8) : mask);
};
process.getuid = () => sys.getuid();
process.geteuid = () => sys.geteuid();
process.getgid = () => sys.getgid();
process.getegid = () => sys.syscall(sys.nr.getegid);
process.getgroups = () => {
  const buf = new Uint32Array(256);
  const n = sys.syscall(sys.nr.getgroups, 256, buf);
  return n < 0 ? [] : [...buf.subarray(0, n)];
};

// ---- time ------------------------------------------------------------------

const tsBuf = new BigInt64Array(2);
function monotonicNs() {
  sys.syscall(sys.nr.clock_gettime, sys.CLOCK_MONOTONIC, tsBuf);
  return tsBuf[0] * 1000000000n + tsBuf[1];
}
const startNs = monotonicNs();

process.hrtime = function hrtime(prev) {
  sys.syscall(sys.nr.clock_gettime, sys.CLOCK_MONOTONIC, tsBuf);
  let s = Number(tsBuf[0]), ns = Number(tsBuf[1]);
  if (prev !== undefined) {
    if (!Array.isArray(prev)) throw ERR_INVALID_ARG_TYPE("time", "Array", prev);
    if (prev.length !== 2) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "time" is out of range. It must be 2. Received ${prev.length}`);
    s -= prev[0];
    ns -= prev[1];
    if (ns < 0) { s--; ns += 1e9; }
  }
  return [s, ns];
};
process.hrtime.bigint = monotonicNs;
process.uptime = () => Number(monotonicNs() - startNs) / 1e9;

const usageBuf = new BigInt64Array(18);
function rusage() {
  sys.syscall(sys.nr.getrusage, 0, usageBuf);
  return usageBuf;
}
process.cpuUsage = (prev) => {
  const u = rusage();
  const user = Number(u[0]) * 1e6 + Number(u[1]), system = Number(u[2]) * 1e6 + Number(u[3]);
  return prev ? { user: user - prev.user, system: system - prev.system } : { user, system };
};
process.resourceUsage = () => {
  const u = rusage();
  const n = (i) => Number(u[i]);
  return {
    userCPUTime: n(0) * 1e6 + n(1), systemCPUTime: n(2) * 1e6 + n(3), maxRSS: n(4), sharedMemorySize: n(5),
    unsharedDataSize: n(6), unsharedStackSize: n(7), minorPageFault: n(8), majorPageFault: n(9), swappedOut: n(10),
    fsRead: n(11), fsWrite: n(12), ipcSent: n(13), ipcReceived: n(14), signalsCount: n(15),
    voluntaryContextSwitches: n(16), involuntaryContextSwitches: n(17),
  };
};

function rssBytes() {
  try {
    const statm = sys.readFile("/proc/self/statm", "utf8").split(" ");
    return Number(statm[1]) * 4096;
  } catch {
    return 0;
  }
}
/** heapTotal/heapUsed are the process's data segment as the kernel counts it: QuickJS has no V8-style heap figures. */
process.memoryUsage = () => {
  let data = 0;
  try { data = Number(sys.readFile("/proc/self/statm", "utf8").split(" ")[5]) * 4096; } catch { /* no /proc */ }
  return { rss: rssBytes(), heapTotal: data, heapUsed: data, external: 0, arrayBuffers: 0 };
};
process.memoryUsage.rss = rssBytes;
process.constrainedMemory = () => 0;
process.availableMemory = () => {
  try {
    const m = /MemAvailable:\s+(\d+)/.exec(sys.readFile("/proc/meminfo", "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

// ---- exit ----------------------------------------------------------------------

let exiting = false;

/** Emit "exit" once with the final code; returns that code (a listener may change process.exitCode). */
export function emitExit(code) {
  if (exiting) return process.exitCode ?? code;
  exiting = true;
  process._exiting = true;
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code === 0 ? (process.exitCode ?? 0) : code;
  process.emit("exit", process.exitCode);
  return normalizeCode(process.exitCode);
}

function normalizeCode(code) {
  if (code === undefined || code === null) return 0;
  const n = Number(code);
  if (!Number.isInteger(n)) {
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "code" argument must be of type number. Received ${typeof code}`);
  }
  return n;
}

process.exit = function exit(code) {
  if (code !== undefined) process.exitCode = normalizeCode(code);
  const final = emitExit(normalizeCode(process.exitCode ?? 0));
  native.exit(final);
};
process.reallyExit = (code) => native.exit(code ?? 0);
process.abort = () => {
  sys.kill(sys.getpid(), sys.SIGABRT);
  native.exit(134);
};

process.kill = function kill(pid, signal = "SIGTERM") {
  if (!Number.isInteger(pid)) throw ERR_INVALID_ARG_TYPE("pid", "number", pid);
  const sig = typeof signal === "number" ? signal : sys.SIG[signal];
  if (sig === undefined) throw ERR_UNKNOWN_SIGNAL(signal);
  const r = sys.syscall(sys.nr.kill, pid, sig);
  if (r < 0) throw systemError(r, "kill");
  return true;
};

// ---- warnings --------------------------------------------------------------------

process.emitWarning = function emitWarning(warning, type, code, ctor) {
  let detail;
  if (type !== null && typeof type === "object" && !Array.isArray(type)) {
    ({ type = "Warning", code, detail } = type);
  } else if (typeof type === "function") {
    type = "Warning";
  }
  type ??= "Warning";
  if (typeof code === "function") code = undefined;
  let w = warning;
  if (typeof warning === "string") {
    w = new Error(warning);
    w.name = String(type);
    if (code !== undefined) w.code = code;
    if (detail !== undefined) w.detail = detail;
  } else if (!(warning instanceof Error)) {
    throw ERR_INVALID_ARG_TYPE("warning", ["Error", "string"], warning);
  }
  if (w.name === "DeprecationWarning") {
    if (process.noDeprecation) return;
    if (process.throwDeprecation) throw w;
  }
  nextTick(() => {
    process.emit("warning", w);
  });
};

// Node prints warnings unless someone else handles them (--no-warnings turns this off).
process.on("warning", (w) => {
  if (process.listenerCount("warning") > 1 || process.env.NODE_NO_WARNINGS === "1") return;
  const head = `(node:${process.pid}) ${w.code ? `[${w.code}] ` : ""}${w.name}: ${w.message}`;
  writeStderr(head + (w.detail ? `\n${w.detail}` : "") + "\n");
});

function writeStderr(text) {
  try { sys.writeAll(2, text); } catch { /* stderr closed */ }
}

// ---- stdio (created on first use) --------------------------------------------------

let stdio;
function lazyStdio(name) {
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: true,
    get() {
      stdio ??= native.importSync("node:internal/process/stdio");
      const stream = stdio[name]();
      Object.defineProperty(process, name, { value: stream, configurable: true, enumerable: true, writable: true });
      return stream;
    },
  });
}
lazyStdio("stdout");
lazyStdio("stderr");
lazyStdio("stdin");

// ---- uncaught errors ----------------------------------------------------------------

// The bootstrap's uncaught() hook calls the capture callback before any
// "uncaughtException" listener, as Node does (domain-style libraries use it).
export const captureSymbol = Symbol("unode.uncaughtExceptionCapture");

process.setUncaughtExceptionCaptureCallback = function setUncaughtExceptionCaptureCallback(fn) {
  if (fn === null) {
    process[captureSymbol] = undefined;
    return;
  }
  if (typeof fn !== "function") throw ERR_INVALID_ARG_TYPE("fn", ["Function", "null"], fn);
  if (typeof process[captureSymbol] === "function") {
    throw nodeError(
      Error,
      "ERR_UNCAUGHT_EXCEPTION_CAPTURE_ALREADY_SET",
      "`process.setupUncaughtExceptionCapture()` was called while a capture callback was already active",
    );
  }
  process[captureSymbol] = fn;
};
process.hasUncaughtExceptionCaptureCallback = () => typeof process[captureSymbol] === "function";

// ---- signals ------------------------------------------------------------------------

// Without a listener, SIGINT/SIGTERM/SIGHUP end the program cleanly (the host
// removes drivers and releases devices) and the others keep their default
// action. The first listener for a signal blocks it on the JS thread (jsk's
// other threads keep every signal blocked, so the kernel leaves it pending for
// the process) and adds it to one signalfd watched by the loop, unref'd as in
// Node: a signal listener alone does not keep the program alive. Each signal
// read from it is emitted as (name, number). When the last listener goes, the
// signal is taken out of the signalfd and unblocked again. Workers get no
// signal events, as in Node. SIGKILL and SIGSTOP cannot be caught (EINVAL).

const SIG_BLOCK = 0, SIG_UNBLOCK = 1;
const SFD_NONBLOCK = 0o4000, SFD_CLOEXEC = 0o2000000;
const SIGINFO_SIZE = 128;
const signals = {
  mask: 0n,
  fd: -1,
  watch: null,
  set: new BigUint64Array(1),
  records: null,
  inWorker: undefined,
};

function isSignalEvent(event) {
  return typeof event === "string" && event.startsWith("SIG") && sys.SIG[event] !== undefined;
}

function signalBit(signo) {
  return 1n << BigInt(signo - 1);
}

function changeMask(how, bits) {
  signals.set[0] = bits;
  const r = sys.syscall(sys.nr.rt_sigprocmask, how, signals.set, 0, 8);
  if (r < 0) throw systemError(-r, "uv_signal_start");
}

function startSignal(event) {
  const signo = sys.SIG[event];
  if (signo === sys.SIGKILL || signo === sys.SIGSTOP) throw systemError(22, "uv_signal_start");
  signals.inWorker ??= native.threadSelf().id !== 0;
  if (signals.inWorker) return;
  const mask = signals.mask | signalBit(signo);
  changeMask(SIG_BLOCK, signalBit(signo));
  signals.set[0] = mask;
  const fd = sys.syscall(sys.nr.signalfd4, signals.fd, signals.set, 8, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    changeMask(SIG_UNBLOCK, signalBit(signo));
    throw systemError(-fd, "uv_signal_start");
  }
  signals.mask = mask;
  if (signals.fd < 0) {
    signals.fd = fd;
    signals.records ??= new Uint8Array(SIGINFO_SIZE * 16);
    signals.watch = loopWatch(fd, sys.EPOLLIN, readSignals);
    signals.watch.unref();
  }
}

function stopSignal(event) {
  const signo = sys.SIG[event];
  const bit = signalBit(signo);
  if (signals.inWorker || (signals.mask & bit) === 0n) return;
  signals.mask &= ~bit;
  if (signals.mask === 0n) {
    signals.watch.close();
    sys.close(signals.fd);
    signals.watch = null;
    signals.fd = -1;
  } else {
    signals.set[0] = signals.mask;
    sys.syscall(sys.nr.signalfd4, signals.fd, signals.set, 8, SFD_NONBLOCK | SFD_CLOEXEC);
  }
  changeMask(SIG_UNBLOCK, bit);
}

function readSignals() {
  const buf = signals.records;
  for (;;) {
    if (signals.fd < 0) return;
    const n = sys.syscall(sys.nr.read, signals.fd, buf, buf.length);
    if (n <= 0) return; // EAGAIN: all read
    const view = new DataView(buf.buffer, 0, n);
    for (let off = 0; off + SIGINFO_SIZE <= n; off += SIGINFO_SIZE) {
      const signo = view.getUint32(off, true);
      const name = sys.signalName(signo);
      if (name !== undefined) process.emit(name, name, signo);
    }
  }
}

process.on("newListener", (event) => {
  if (isSignalEvent(event) && process.listenerCount(event) === 0) startSignal(event);
});
process.on("removeListener", (event) => {
  if (isSignalEvent(event) && process.listenerCount(event) === 0) stopSignal(event);
});

export default process;
export { process, NODE_VERSION };
