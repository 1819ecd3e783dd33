// A fuzzer for jsk's native surface: every function of jsk:native, every
// Region method, fake DMA buffers, the fake NIC model and the jsk:hal
// Device/Dma/Irq objects a fake device hands out, called with hostile values:
// getters and valueOf that detach, transfer or resize buffers, Proxies,
// look-alike objects, resizable and shared buffers, extreme numbers, BigInts,
// strings with NUL, symbols, wrong `this`, missing and extra arguments,
// reentrant Region hooks and getters.
//
// The contract checked: every call returns or throws an Error (TypeError,
// RangeError, ...), never a non-Error; the process ends by exiting
// (runtime/tests/native_fuzz.rs checks there was no signal). Exit code 1 and
// the offending calls on stderr when a non-Error came out.
//
//   jsk run runtime/tests/fuzz/native.mjs SCRATCH_FILE
//   JSK_NATIVE_FUZZ_CALLS  calls to make (default 100000)
//   JSK_NATIVE_FUZZ_SEED   PRNG seed (default 0x5eed), printed at the start
//   JSK_NATIVE_FUZZ_TRACE  set: every call on stderr before it is made (to find a crash)
//
// SCRATCH_FILE: a 64 KiB file for mapRegion; run from a scratch folder (the
// relative paths tried must not exist).
//
// SCRATCH_FILE's folder also gets the modules importSync loads and a board
// file on the fake backend whose Board methods are fuzzed (boards are closed
// by hostile getters and hooks too).
//   JSK_NATIVE_FUZZ_RSS    set: resident memory every 50,000 calls
//
// Left out on purpose: `exit` (ends the process); `openBoard` with a board
// that starts QEMU or maps real memory (only bad options, and the scratch
// folder's board on the fake backend; never `vfio`, which would open host
// devices, nor `mem`, whose port windows are /dev/port); raw `syscall` with
// integers that could be pointers (only syscalls that ignore their arguments
// or only read through them, and buffers/views as the pointers);
// `unsafeArrayBuffer` with a non-zero address (it aliases raw memory by
// design: only its argument checks are fuzzed); mapRegion of anything but the
// scratch file and paths that map no real memory (/dev/zero at offset 0 only:
// a device file maps what the device gives, and past offset 0 it faults).

import * as native from "jsk:native";
import { fakeDevice } from "jsk:fake";
import { Dma, Irq } from "jsk:hal";
import * as sys from "jsk:sys";

const CALLS = Number(native.env.JSK_NATIVE_FUZZ_CALLS ?? 100000);
const SEED = Number(native.env.JSK_NATIVE_FUZZ_SEED ?? 0x5eed) >>> 0 || 1;
const SCRATCH = native.argv[2];
if (!SCRATCH) throw new Error("usage: jsk run native.mjs SCRATCH_FILE");
console.log(`native fuzz: seed ${SEED} (JSK_NATIVE_FUZZ_SEED), ${CALLS} calls (JSK_NATIVE_FUZZ_CALLS)`);

// ---- PRNG (xorshift32) ------------------------------------------------------

let x = SEED;
function u32() {
  x ^= x << 13; x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5; x >>>= 0;
  return x;
}
const below = (n) => u32() % n;
const chance = (p) => u32() < p * 4294967296;
const pick = (a) => a[below(a.length)];

// ---- bookkeeping --------------------------------------------------------------

/** An error our own getters and traps throw: an Error, so it may come out of any call. */
class HostileError extends Error {
  constructor() { super("thrown by a hostile value"); this.name = "HostileError"; }
}

let calls = 0;
const outcomes = new Map();
const perFunction = new Map();
const failures = [];
const pending = [];

function count(map, key) { map.set(key, (map.get(key) ?? 0) + 1); }

function describe(v) {
  try {
    if (typeof v === "symbol") return v.toString();
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
    if (typeof v === "function") return `function ${v.name}`;
    if (v && typeof v === "object") return `[object ${Object.prototype.toString.call(v).slice(8, -1)}]`;
    return String(v);
  } catch {
    return "(indescribable)";
  }
}

/** Record what a call threw: an Error counts by name; anything else is a failure. */
function thrown(name, e, args) {
  if (e instanceof Error) {
    count(outcomes, e instanceof HostileError ? "HostileError (ours, passed through)" : e.name);
    return;
  }
  count(outcomes, "NOT AN ERROR");
  if (failures.length < 50) failures.push(`${name}(${args.map(describe).join(", ")}) threw a non-Error: ${describe(e)}`);
}

const TRACE = native.env.JSK_NATIVE_FUZZ_TRACE !== undefined;
function call(name, fn, thisv, args) {
  calls++;
  if (TRACE) {
    const line = native.encodeUtf8(`${calls} ${name}(${args.map(describe).join(", ")}) this=${describe(thisv)}\n`);
    native.syscall(sys.nr.write, 2, line, line.length);
  }
  count(perFunction, name);
  let r;
  try {
    r = Reflect.apply(fn, thisv, args);
  } catch (e) {
    thrown(name, e, args);
    return undefined;
  }
  // (A Proxy that came back may throw from its getPrototypeOf trap: not a promise then.)
  let promise = false;
  try { promise = r instanceof Promise; } catch { /* a hostile value passed through */ }
  if (promise) {
    pending.push(r.then(() => count(outcomes, "resolved"), (e) => thrown(`${name} (rejection)`, e, args)));
  } else {
    count(outcomes, "returned");
  }
  return r;
}

// ---- pools of live things the hostile values point at --------------------------

const KB = 1024;
const buffers = [];   // ArrayBuffers (plain, resizable, detached, DMA) and SharedArrayBuffers
const regions = [];   // Regions: fake register files, mapped scratch file, fake devices' windows
const dmaIovas = [];  // device addresses of fake DMA buffers (some freed since)
/** A device address: mostly inside a fake DMA buffer (maybe freed), else anywhere. */
function pickIova() {
  return dmaIovas.length && chance(0.8) ? pick(dmaIovas) + BigInt(below(64) * 16) : BigInt(below(1 << 20));
}
const devices = [];   // { fake, device, dmas: [Dma], irqs: [Irq] }
const boards = [];    // Boards on the fake backend (openBoard of FAKE_BOARD), some closed
const workers = new Set();
let workersStarted = 0;

// QuickJS refuses growable SharedArrayBuffers without SAB allocator hooks
// (jsk installs none); if it ever accepts them, they are fuzzed too.
function growableShared() {
  try { return new SharedArrayBuffer(below(64) + 1, { maxByteLength: 1 * KB }); } catch { return new SharedArrayBuffer(8); }
}

function freshBuffer() {
  switch (below(7)) {
    case 0: return new ArrayBuffer(below(64));
    case 1: return new ArrayBuffer(below(4 * KB) + 1, { maxByteLength: 8 * KB });
    case 2: return new SharedArrayBuffer(below(256) + 1);
    case 3: return growableShared();
    case 4: { const b = new ArrayBuffer(16); b.transfer(); return b; }
    case 5: {
      const [buf, iova] = native.fakeDma(pick([1, 16, 64, 4096, 8192]), pick([1, 64, 4096]));
      dmaIovas.push(iova);
      return buf;
    }
    default: return new ArrayBuffer(below(1024) + 1);
  }
}

function freshRegion() {
  const r = below(10);
  if (r < 5) return native.fakeRegion(`fuzz${r}`, pick([1, 2, 3, 4, 8, 64, 4096, 0x20000]), pick(["mem", "io"]));
  if (r < 7) return native.mapRegion(SCRATCH, pick([0, 4096]), pick([4, 4096, 8192]), "scratch");
  if (r < 8) {
    const nic = native.fakeRegion("nic", 0x20000);
    native.fakeNicLoopback(nic);
    return nic;
  }
  if (r < 9) {
    // Queues anywhere, fake DMA or not: every notify write walks whatever is there.
    const vq = native.fakeRegion("virtq", 0x4000);
    const q = () => ({ desc: pickIova(), driver: pickIova(), device: pickIova(), size: pick([1, 2, 8, 256]) });
    native.fakeVirtqLoopback(vq, { notify: pick([0, 0x3004]), queue: 1, rx: q(), tx: q() });
    return vq;
  }
  const d = pick(devices);
  if (r === 9 && d) return d.fake.region(0);
  try {
    return pick(boards).region("dev", pick(["regs", "ports", 0, 1]));
  } catch {
    return native.fakeRegion("fallback", 64); // the board was closed
  }
}

function freshBoard() {
  return native.openBoard({ path: FAKE_BOARD, backend: "fake" });
}

function freshDevice() {
  const fake = fakeDevice({
    name: `dev${devices.length}`, bus: pick(["pci", "platform"]),
    regions: [{ index: 0, name: "regs", size: pick([0x100, 0x1000, 0x20000]) }, { index: 1, size: 8, space: "io" }],
    irqs: 2,
  });
  const d = { fake, device: fake.device, dmas: [], irqs: [fake.device.irq(0), fake.device.irq(1)] };
  for (let i = 0; i < 2; i++) {
    d.dmas.push(fake.device.dma(pick([64, 4096, 2 * 4096])));
    dmaIovas.push(d.dmas[i].iova);
  }
  return d;
}

function refill() {
  while (devices.length < 3) devices.push(freshDevice());
  while (boards.length < 2) boards.push(freshBoard());
  if (chance(0.2)) boards[below(boards.length)] = freshBoard();
  while (buffers.length < 24) buffers.push(freshBuffer());
  while (regions.length < 12) regions.push(freshRegion());
  for (let i = 0; i < 4; i++) buffers[below(buffers.length)] = freshBuffer();
  for (let i = 0; i < 2; i++) regions[below(regions.length)] = freshRegion();
  if (dmaIovas.length > 256) dmaIovas.splice(0, 128);
}

// ---- side effects hostile values run ---------------------------------------------

let depth = 0;

/** One hostile side effect: detach/resize a buffer, swap a hook, reenter, ... Errors are swallowed. */
function act() {
  try {
    switch (below(12)) {
      case 0: case 1: { const b = pick(buffers); b.transfer?.(0); break; }
      case 2: { const b = pick(buffers); if (b.resizable) b.resize(below(b.maxByteLength + 1)); break; }
      case 3: { const b = pick(buffers); if (b.growable) b.grow(Math.min(b.maxByteLength, b.byteLength + below(64))); break; }
      case 4: { const b = pick(buffers); b.transfer?.(below(8 * KB)); break; }
      case 5: pick(regions).setHook(chance(0.3) ? null : hook()); break;
      case 6: native.fakeNicLoopback(pick(regions)); break;
      case 7: case 8:
        if (depth < 2) { depth++; try { fuzzOne(); } finally { depth--; } }
        break;
      case 9: { const d = pick(devices); pick(d.dmas)?.free(); break; }
      case 10: if (chance(0.5)) native.runMicrotasks(); else pick(boards).close(); break;
      default: {
        for (let i = 0; i < 64; i++) new ArrayBuffer(256);
        buffers[below(buffers.length)] = freshBuffer();
      }
    }
  } catch (e) {
    thrown("(a side effect)", e, []);
  }
}

/** A Region hook: returns something odd, throws an Error, reenters, or swaps itself. */
function hook() {
  const kind = below(8);
  return function fuzzHook(op, offset, width, value) {
    if (chance(0.3)) act();
    switch (kind) {
      case 0: return undefined;
      case 1: return u32();
      case 2: return BigInt(u32()) << 32n | BigInt(u32());
      case 3: throw new HostileError();
      case 4: return hostile();
      case 5:
        // Reenter: an access to some region (maybe this one) from inside its hook.
        if (depth < 2) { depth++; try { pick(regions).read32(0); pick(regions).write8(0, 1); } catch (e) { thrown("(a reentrant access)", e, []); } finally { depth--; } }
        return -1;
      case 6: return pick(NUMBERS);
      default: return pick(BIGINTS);
    }
  };
}

// ---- hostile values ----------------------------------------------------------------

const NUMBERS = [
  0, -0, 1, -1, 2, 3, 4, 7, 8, 0.5, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, -(2 ** 31),
  2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 2 ** 64, 1e308, -1e308, 5e-324,
  0x1000, 0x2818, 0x3818, 0x5ffc, 0x6000, 0xfffc, 0x1fffc, 2 ** 21, 2 ** 30, 2 ** 30 + 1, 63, 64, 65, 4096, 4095,
];
const BIGINTS = [
  0n, 1n, -1n, 4n, 0x100000n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n,
  2n ** 100n, -(2n ** 100n),
];
const STRINGS = [
  "", "0", "1", "64", "abc", "a\0b", "\0", "mem", "io", "MEM", "\ud800", "\udfff\ud800", "x".repeat(3000),
  "jsk:sys", "node:path", "jsk:native", "jsk:nope", "node:", "/", "./nope.mjs", "../nope", "1e3", " 4 ", "\u{1f600}",
];
const SYMBOLS = [Symbol(), Symbol("s"), Symbol.iterator, Symbol.toPrimitive];
const TYPED = [
  Uint8Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array,
  Float64Array, BigInt64Array, BigUint64Array,
];

function number() { return chance(0.5) ? pick(NUMBERS) : (u32() & 0xffff) * pick([1, 1, 4, -1, 0.25]); }

function primitive() {
  switch (below(8)) {
    case 0: case 1: case 2: return number();
    case 3: return pick(BIGINTS);
    case 4: return pick(STRINGS);
    case 5: return pick(SYMBOLS);
    case 6: return pick([undefined, null, true, false]);
    default: return u32();
  }
}

/** A typed array or DataView over some pool buffer (the constructor may refuse: then a plain array). */
function view() {
  const b = pick(buffers);
  try {
    const len = b.byteLength;
    const off = len ? below(len + 1) : 0;
    const T = pick(TYPED);
    const aligned = off - (off % T.BYTES_PER_ELEMENT);
    switch (below(5)) {
      case 0: return new T(b);
      case 1: return new T(b, aligned);
      case 2: return new T(b, aligned, Math.floor((len - aligned) / T.BYTES_PER_ELEMENT * (u32() / 4294967296)));
      case 3: return new DataView(b, off);
      default: {
        const dv = new DataView(b, off);
        // Own getters shadowing the prototype's: they run when native code asks.
        for (const key of ["buffer", "byteOffset", "byteLength"]) {
          if (chance(0.5)) Object.defineProperty(dv, key, { get() { act(); return chance(0.5) ? pick([b, pick(buffers), pick(NUMBERS)]) : number(); } });
        }
        return dv;
      }
    }
  } catch {
    return new Uint8Array(below(16));
  }
}

/** An out-of-bounds view: a length-tracking or fixed view over a resizable buffer that shrank under it. */
function outOfBounds() {
  const rab = new ArrayBuffer(64, { maxByteLength: 128 });
  const v = chance(0.5) ? new Uint32Array(rab, 32) : new DataView(rab, 16, 32);
  rab.resize(below(16));
  return v;
}

function lookAlike() {
  const b = pick(buffers);
  switch (below(7)) {
    case 0: return { buffer: b, byteOffset: number(), byteLength: number() };
    case 1: return { get buffer() { act(); return b; }, get byteOffset() { act(); return 0; }, get byteLength() { act(); return 1 << 20; } };
    case 2: return Object.create(pick([Uint8Array.prototype, DataView.prototype, ArrayBuffer.prototype, SharedArrayBuffer.prototype]));
    case 3: return Object.create(pick(regions));
    case 4: return { read32() { return 0; }, write32() {}, name: "fake", size: 64, space: "mem" };
    case 5: return { length: 4, 0: 1, 1: 2, 2: 3, 3: 4 };
    default: return Object.create(pick(buffers));
  }
}

const TRAPS = ["get", "has", "getPrototypeOf", "ownKeys", "getOwnPropertyDescriptor", "apply", "construct"];

function proxy(target) {
  const handler = {};
  for (const trap of TRAPS) {
    if (!chance(0.4)) continue;
    handler[trap] = (...a) => {
      act();
      if (chance(0.1)) throw new HostileError();
      return Reflect[trap](...a);
    };
  }
  return new Proxy(target, handler);
}

function coercing() {
  const v = primitive();
  switch (below(4)) {
    case 0: return { valueOf() { act(); return v; } };
    case 1: return { toString() { act(); return typeof v === "symbol" ? "s" : String(v); } };
    case 2: return { [Symbol.toPrimitive]() { act(); if (chance(0.2)) throw new HostileError(); return v; } };
    default: return { valueOf() { throw new HostileError(); }, toString() { throw new HostileError(); } };
  }
}

function object() {
  switch (below(14)) {
    case 0: case 1: case 2: return view();
    case 3: case 4: return pick(buffers);
    case 5: return outOfBounds();
    case 6: return lookAlike();
    case 7: return proxy(object0());
    case 8: return coercing();
    case 9: return pick(regions);
    case 10: return parts();
    case 11: { const d = pick(devices); return pick([d.device, pick(d.dmas), pick(d.irqs), d.fake, pick(boards)]); }
    case 12: return pick([{}, [], Object.create(null), () => {}, function f() {}, new Error("e"), new Date(0), /x/, new Map()]);
    default: return pick(SYMBOLS);
  }
}

/** A non-proxy object to wrap in a Proxy. */
function object0() {
  switch (below(4)) {
    case 0: return view();
    case 1: return pick(buffers);
    case 2: return pick(regions);
    default: return lookAlike();
  }
}

function hostile() { return chance(0.45) ? primitive() : object(); }

/** An array of message parts: mostly views and buffers, sometimes a hostile element or getter. */
function parts() {
  const a = [];
  const n = below(4);
  for (let i = 0; i < n; i++) a.push(chance(0.7) ? (chance(0.5) ? view() : pick(buffers)) : hostile());
  if (chance(0.2)) Object.defineProperty(a, n, { get() { act(); return view(); }, enumerable: true, configurable: true });
  if (chance(0.1)) return proxy(a);
  return a;
}

// ---- what each function is given ------------------------------------------------------

const H = () => hostile();
const rings = [];   // Rings over the pooled buffers (which get detached, resized, transferred)
const RingProto = Object.getPrototypeOf(native.ring(new ArrayBuffer(16), 1, 16));
const ringIndex = () => pick([0, 1, 2, 7, 8, 63, 255, 256, -1, 0.5, 2 ** 32]);
const ringCount = () => pick([0, 1, 4, 8, 32, 256, 257, 1 << 20, -1, NaN]);
const either = (plausible) => () => (chance(0.6) ? plausible() : hostile());

/** A register offset: inside the region, near its end, misaligned, or hostile. */
function offset() {
  const r = below(10);
  if (r < 5) return below(64) * 4;
  if (r < 7) return pick([0x2800, 0x2808, 0x2810, 0x2818, 0x3800, 0x3804, 0x3808, 0x3810, 0x3818, 0x0, 0x14]);
  if (r < 8) return below(0x20000);
  return hostile();
}

/** A register value: a live DMA address (so the NIC model walks real memory), random, or hostile. */
function regValue() {
  const r = below(10);
  if (r < 3 && dmaIovas.length) return Number(pick(dmaIovas) & 0xffffffffn) + below(64) * 16;
  if (r < 6) return u32();
  if (r < 8) return pick([0, 1, 16, 256, 4096, 0xffffffff, -1]);
  return hostile();
}

function iova() {
  const r = below(10);
  if (r < 6 && dmaIovas.length) return pick(dmaIovas) + BigInt(below(256)) - 16n;
  if (r < 8 && dmaIovas.length) return Number(pick(dmaIovas)) + below(4096);
  return hostile();
}

function bytes() {
  return chance(0.7) ? (chance(0.5) ? new Uint8Array(below(80)) : view()) : hostile();
}

// Syscalls that ignore their arguments, return an error without touching
// memory, or only read through their pointers.
const nr = sys.nr;
const HARMLESS_NR = [nr.getpid, nr.getppid, nr.gettid, nr.getuid, nr.sched_yield, 100000, 1 << 20, -1, 0x7fffffff];
function syscallNr() {
  return chance(0.8) ? pick(HARMLESS_NR) : pick([NaN, 1.5, -0.5, Infinity, 2 ** 64, "39", 39n, undefined, null, {}, pick(SYMBOLS), coercing()]);
}
/** A syscall argument: a buffer, view or hostile non-integer (never an integer that could be a pointer). */
function syscallArg() {
  switch (below(5)) {
    case 0: return view();
    case 1: return pick(buffers);
    case 2: return pick(STRINGS);
    case 3: return object();
    default: return pick([NaN, 0.5, Infinity, undefined, null, true, false, pick(BIGINTS), pick(SYMBOLS)]);
  }
}

/** Syscalls with pointer arguments the kernel only reads from: write(-1 or /dev/null, buf, n), and getrandom into a real view of its own length. */
let devNull = -1;
function pointerSyscall() {
  const target = chance(0.5) ? pick(buffers) : view();
  if (chance(0.5)) return [nr.write, pick([-1, devNull]), target, below(1 << 20), ...extra()];
  // getrandom writes `n` bytes: n is the real size of a real buffer or TypedArray, measured
  // here; a getter in a later argument that shrinks it must make the call throw.
  let n = 0;
  try {
    if (target instanceof ArrayBuffer || target instanceof SharedArrayBuffer) n = realByteLength(target);
    else if (ArrayBuffer.isView(target) && !(target instanceof DataView)) n = typedByteLength(target);
  } catch { n = 0; }
  return [nr.getrandom, target, n, chance(0.5) ? 0 : syscallArg()];
}
const abLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const sabLength = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength").get;
const taLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;
const realByteLength = (b) => (b instanceof SharedArrayBuffer ? sabLength : abLength).call(b);
const typedByteLength = (v) => taLength.call(v);
const extra = () => (chance(0.2) ? [syscallArg()] : []);

// unsafeArrayBuffer: addresses that are zero (or not integers), so no real memory is aliased.
function zeroAddress() {
  return pick([0, -0, 0n, 2n ** 64n, -(2n ** 64n), 2n ** 128n, null, undefined, false, "", "0", NaN, 0.5, Infinity, {}, [], pick(SYMBOLS), coercing()]);
}

function boardOptions() {
  // FAKE_BOARD never with the mem backend: its port window would be /dev/port.
  if (chance(0.3)) return { path: FAKE_BOARD, backend: pick([undefined, "fake", "qtest", "bogus", ""]), chardev: chance(0.2) ? hostile() : undefined };
  switch (below(6)) {
    case 0: return {};
    case 1: return { path: pick(["", "/nonexistent/board.toml", SCRATCH, "/", "a\0b"]), backend: pick([undefined, "qtest", "fake", "mem", "bogus", ""]) };
    case 2: return { path: "/nonexistent/board.toml", chardev: hostile(), netdev: hostile(), observe: hostile() };
    case 3: return { get path() { act(); if (chance(0.3)) throw new HostileError(); return "/nonexistent"; } };
    case 4: return proxy({ path: "/nonexistent" });
    default: return hostile();
  }
}

function threadId() {
  const ids = [...workers];
  return chance(0.5) && ids.length ? pick(ids) : pick([0, 1e9, -1, NaN, 1.5, 2 ** 32, "0", 0n, undefined, {}, pick(SYMBOLS)]);
}

/** Start a worker only rarely, on an entry that ends at once (no start export). */
function threadStartArgs() {
  const valid = workersStarted < 40 && chance(0.1);
  const entry = valid ? pick(["jsk:sys", "node:path", "jsk:nope"]) : pick(["", "/tmp/x.js", "./x", "a\0b", "node:path\0x", hostile()]);
  const p = valid ? (chance(0.5) ? [] : parts()) : parts();
  const limits = chance(0.5) ? undefined : chance(0.5)
    ? { memoryLimitMb: pick([16, 64, 0, -1, NaN, 1e9, 2 ** 31, "8", 0.0001]), stackSizeMb: pick([undefined, 1, 0, 1e12, Infinity, NaN]) }
    : hostile();
  return [entry, p, limits];
}

function irqArgs(method) {
  switch (method) {
    case "wait": return [chance(0.7) ? { timeout: pick([0, 0, 1, -1, NaN, 0.5, "0", null]) } : pick([undefined, null, 5, "x"])];
    case "until": {
      const cond = pick([() => true, () => false, () => { throw new HostileError(); }, () => { act(); return chance(0.5); }, 5, undefined]);
      return [cond, chance(0.8) ? { ms: pick([0, -0, 1, 2, -1, 0.5, NaN, Infinity, -Infinity, "1", 1n, undefined, null]), what: pick(["x", 5, undefined, "\0"]) } : hostile()];
    }
    case "on": return [() => {}];
    default: return [hostile()];
  }
}

// ---- the targets ---------------------------------------------------------------------

const regionMethods = ["read8", "read16", "read32", "read64", "write8", "write16", "write32", "write64", "in8", "in16", "in32", "out8", "out16", "out32", "setHook"];
const RegionProto = Object.getPrototypeOf(native.fakeRegion("proto", 8));

/** `this` for a method: usually the right kind of object, sometimes another. */
function self(right) {
  if (chance(0.85)) return right();
  return pick([undefined, null, {}, pick(regions), pick(buffers), view(), proxy(pick(regions)), Object.create(pick(regions)), RegionProto, pick(boards), pick(devices).device, pick(pick(devices).irqs), pick(pick(devices).dmas)]);
}

function argList(gens) {
  // Mostly the right count; sometimes fewer or more.
  let n = gens.length;
  if (chance(0.2)) n = below(gens.length + 3);
  const out = [];
  for (let i = 0; i < n; i++) out.push(i < gens.length ? gens[i]() : hostile());
  return out;
}

const targets = [
  ["syscall", 6, () => call("syscall", native.syscall, undefined, chance(0.4) ? pointerSyscall() : [syscallNr(), ...argList([syscallArg, syscallArg, syscallArg]), ...(chance(0.05) ? [1, 2, 3, 4, 5] : [])])],
  ["syscall64", 3, () => call("syscall64", native.syscall64, undefined, chance(0.4) ? pointerSyscall() : [syscallNr(), ...argList([syscallArg, syscallArg])])],
  ["addressOf", 3, () => call("addressOf", native.addressOf, undefined, argList([H]))],
  ["unsafeArrayBuffer", 2, () => { call("unsafeArrayBuffer", native.unsafeArrayBuffer, undefined, [zeroAddress(), chance(0.5) ? 0 : hostile()]); }],
  ["encodeUtf8", 3, () => call("encodeUtf8", native.encodeUtf8, undefined, argList([either(() => pick(STRINGS))]))],
  ["decodeUtf8", 6, () => call("decodeUtf8", native.decodeUtf8, undefined, argList([either(bytes)]))],
  // The barriers take nothing and return nothing, whatever they are given.
  ["barriers", 1, () => { for (const b of ["dmaWmb", "dmaRmb", "mb"]) if (call(b, native[b], undefined, argList([])) !== undefined) throw new Error(`${b} returned a value`); }],
  ["ring", 3, () => {
    const r = call("ring", native.ring, undefined, argList([either(() => chance(0.5) ? pick(buffers) : view()), either(ringCount), either(() => pick([1, 2, 4, 8, 16, 32]))]));
    if (r instanceof Object && chance(0.5)) rings[below(rings.length + 1) % 8] = r;
  }],
  ["Ring", 12, () => {
    if (!rings.length) return;
    const m = pick(["count", "countWithin", "sum", "gather", "scatter", "scatterFrom"]);
    const r = pick(rings);
    const field = [either(ringIndex), either(ringCount), either(() => pick([0, 1, 2, 4, 8, 12, 13, 15, 16])), either(() => pick([1, 2, 4, 8, 3]))];
    const rest = m === "count" || m === "countWithin"
      ? [either(() => pick([1, 3, 0xff, 0xffffffff, 1n, 2n ** 64n - 1n])), either(() => pick([0, 1, 3, -1]))]
      : m === "scatterFrom"
        ? [either(view), either(view), either(ringIndex)]
        : [either(() => chance(0.3) && m === "scatter" ? pick(NUMBERS) : view()), either(ringIndex)];
    call(`Ring.${m}`, RingProto[m], self(() => r), argList([...field, ...rest]));
  }],
  ["take", 3, () => call("take", native.take, undefined, argList([either(view), either(view), either(ringIndex), either(ringCount), either(view), either(ringIndex)]))],
  ["transition", 3, () => call("transition", native.transition, undefined, argList([either(view), either(view), either(ringIndex), either(ringCount), either(() => pick([0, 1, 2, 255, 256, -1, 2n ** 64n - 1n, 0.5])), either(() => pick([0, 1, 2, 255, 256, -1, 1n]))]))],
  ["compareBytes", 3, () => call("compareBytes", native.compareBytes, undefined, argList([either(bytes), either(ringIndex), either(bytes), either(ringIndex), either(ringCount)]))],
  ["fakeRegion", 3, () => use(call("fakeRegion", native.fakeRegion, undefined, argList([either(() => pick(STRINGS)), either(() => pick([1, 4, 64, 4096, 0x20000])), either(() => pick(["mem", "io"]))])))],
  ["mapRegion", 3, () => {
    // A device file's mapping is what the device makes of it (/dev/zero past offset 0
    // faults, so may /dev/mem): only offset 0 there; the scratch file takes any window.
    const path = pick([SCRATCH, SCRATCH, SCRATCH, "/nonexistent", "", "a\0b", "/tmp", "/dev/null", "/dev/zero", pick(STRINGS), coercing(), pick(NUMBERS)]);
    const args = argList([() => path, either(() => pick([0, 4096, 8192, 65536, 1])), either(() => pick([1, 4, 4096, 65536, 65537, 1 << 20])), either(() => pick(STRINGS))]);
    if (path === "/dev/zero") args[1] = 0;
    use(call("mapRegion", native.mapRegion, undefined, args));
  }],
  ["fakeDma", 4, () => {
    const r = call("fakeDma", native.fakeDma, undefined, argList([either(() => pick([1, 64, 4096, 1 << 20])), either(() => pick([1, 64, 4096, 1 << 21]))]));
    // Kept for later calls when small: the pools stay a few MiB (big ones are touched whole when lent).
    if (Array.isArray(r)) { dmaIovas.push(r[1]); if (r[0].byteLength <= 65536 && chance(0.3)) buffers[below(buffers.length)] = r[0]; }
  }],
  ["fakeDmaRead", 5, () => call("fakeDmaRead", native.fakeDmaRead, undefined, argList([iova, either(() => below(300))]))],
  ["fakeDmaWrite", 5, () => call("fakeDmaWrite", native.fakeDmaWrite, undefined, argList([iova, bytes]))],
  ["fakeNicLoopback", 2, () => call("fakeNicLoopback", native.fakeNicLoopback, undefined, argList([either(() => pick(regions))]))],
  ["fakeVirtqLoopback", 2, () => {
    const q = () => either(() => ({ desc: pickIova(), driver: pickIova(), device: pickIova(), size: either(() => pick([1, 4, 256]))() }))();
    call("fakeVirtqLoopback", native.fakeVirtqLoopback, undefined,
      argList([either(() => pick(regions)), either(() => ({ notify: either(() => pick([0, 2, 0x3004]))(), queue: either(() => 1)(), rx: q(), tx: q() }))]));
  }],
  ["openBoard", 1, () => call("openBoard", native.openBoard, undefined, [boardOptions()])],
  ["importSync", 2, () => call("importSync", native.importSync, undefined, argList([
    either(() => pick(["jsk:sys", "jsk:loop", "jsk:native", "node:path", "node:nope", "jsk:nope", "nope", "./nope.mjs", "/nonexistent/x.js", "", "a\0b", "jsk:", "node:", ...MODULES])),
    either(() => pick(["", "/", "/nonexistent/x.js", "jsk:sys"])),
  ]))],
  ["evalScript", 2, () => call("evalScript", native.evalScript, undefined, argList([
    either(() => pick(["", "1", "'x'", "(", "this", "\0", "throw new Error('x')", "[].x.y", "new Array(-1)", "1n + 1"])),
    either(() => pick(["x.js", "", "\0", "/"])),
  ]))],
  ["runMicrotasks", 2, () => {
    if (chance(0.5)) Promise.resolve().then(() => { if (chance(0.3)) act(); if (chance(0.2)) native.runMicrotasks(); });
    call("runMicrotasks", native.runMicrotasks, undefined, argList([]));
  }],
  ["threadSelf", 1, () => call("threadSelf", native.threadSelf, undefined, argList([]))],
  ["threadStart", 2, () => {
    const args = threadStartArgs();
    const id = call("threadStart", native.threadStart, undefined, args);
    if (typeof id === "number") { workers.add(id); workersStarted++; }
  }],
  ["threadPost", 3, () => call("threadPost", native.threadPost, undefined, argList([threadId, parts]))],
  ["threadReceive", 2, () => receive(call("threadReceive", native.threadReceive, undefined, argList([])))],
  ["threadStop", 1, () => call("threadStop", native.threadStop, undefined, argList([threadId, either(() => pick([0, 1, 255, -1]))]))],
  ["Region", 40, () => {
    const m = pick(regionMethods);
    const f = RegionProto[m];
    const args = m === "setHook" ? argList([either(hook)]) : m.startsWith("read") || m.startsWith("in") ? argList([offset]) : argList([offset, regValue]);
    call(`Region.${m}`, f, self(() => pick(regions)), args);
  }],
  ["Dma", 4, () => {
    const d = pick(devices);
    switch (below(4)) {
      case 0: { const r = call("Device.dma", d.device.dma, self(() => d.device), argList([either(() => pick([1, 64, 4096])), either(() => ({ align: pick([1, 64, 4096, 3, 0, -1, NaN]) }))])); if (r instanceof Dma) { d.dmas.push(r); dmaIovas.push(r.iova); if (d.dmas.length > 8) d.dmas.shift().free(); } break; }
      case 1: call("Dma.free", Dma.prototype.free, self(() => pick(d.dmas)), argList([])); break;
      case 2: call("new Dma", (...a) => new Dma(...a), undefined, argList([either(() => pick(buffers)), either(() => pick(dmaIovas)), either(() => () => {})])); break;
      default: call("Dma.bytes.set", Uint8Array.prototype.set, self(() => pick(d.dmas)?.bytes), [bytes(), below(8)]);
    }
  }],
  ["Irq", 4, () => {
    const d = pick(devices);
    const m = pick(["take", "wait", "until", "on", "off", "unref", "ref", "unmask"]);
    if (chance(0.3)) d.fake.raise(below(2));
    call(`Irq.${m}`, Irq.prototype[m], self(() => pick(d.irqs)), irqArgs(m));
  }],
  ["Board", 8, () => {
    const b = pick(boards);
    const m = pick(BOARD_METHODS);
    const id = either(() => pick(["dev", "nope", ""]));
    const args = {
      devices: [], region: [id, either(() => pick(["regs", "ports", 0, 1, 2, -1]))], config: [id], irqFd: [id, either(() => pick([0, 1]))],
      irqUnmask: [id, either(() => pick([0, 1]))], dma: [either(() => pick([1, 64, 4096])), either(() => pick([1, 64, 4096]))],
      busMaster: [id, either(() => pick([true, false]))], irqLog: [], setIrqIn: [H, H, H, H], setLink: [id, H], close: [],
    }[m] ?? [];
    const r = call(`Board.${m}`, BoardProto[m], self(() => b), argList(args.map((g) => (typeof g === "function" ? g : () => g))));
    if (m === "region") use(r);
    if (m === "dma" && Array.isArray(r)) dmaIovas.push(r[1]);
  }],
  ["Board getters", 1, () => {
    const key = pick(["name", "backend", "arch"]);
    call(`Board.${key}`, Object.getOwnPropertyDescriptor(BoardProto, key).get, self(() => pick(boards)), []);
  }],
  ["Device", 3, () => {
    const d = pick(devices);
    const m = pick(["region", "hasRegion", "bar", "io", "mmio", "irq"]);
    call(`Device.${m}`, d.device[m], self(() => d.device), argList([either(() => pick([0, 1, 2, "regs", "nope"])), either(() => pick(["mem", "io", "x"]))]));
  }],
];

// Weighted choice of a target.
const weights = [];
for (const t of targets) for (let i = 0; i < t[1]; i++) weights.push(t[2]);
function fuzzOne() { pick(weights)(); }

/** A Region a call returned: touch it somewhere (its last word, a random word) and sometimes keep it. */
function use(r) {
  if (!(r instanceof Object) || typeof r.size !== "number") return;
  for (const off of [r.size - 4, r.size - 1, below(r.size + 1) & ~3, 0]) {
    call("Region.read32 (returned)", RegionProto.read32, r, [off]);
    call("Region.write8 (returned)", RegionProto.write8, r, [off, 0x5a]);
  }
  if (chance(0.2)) regions[below(regions.length)] = r;
}

function receive(items) {
  if (!Array.isArray(items)) return;
  for (const item of items) if (item[1] === 1) workers.delete(item[0]);
}

// ---- the run ------------------------------------------------------------------------

/** Let the loop run until every pending wait settled: raise every interrupt again and again (a wait without timeout needs one). */
async function settle() {
  let done = false;
  Promise.all(pending.splice(0)).then(() => { done = true; });
  for (let i = 0; !done; i++) {
    for (const d of devices) { d.fake.raise(0); d.fake.raise(1); }
    await new Promise((r) => setTimeout(r, i < 10 ? 0 : 1));
    if (i > 10000) throw new Error("native fuzz: interrupt waits never settled");
  }
  for (const d of devices) for (const irq of d.irqs) irq.off();
}

// Modules for importSync, in the scratch folder: one that imports itself
// (and the others) while it evaluates, one waiting at a top-level await, one
// that throws an Error, one that does not parse.
const here = SCRATCH.includes("/") ? SCRATCH.slice(0, SCRATCH.lastIndexOf("/")) : ".";
const MODULES = ["self.mjs", "tla.mjs", "throws.mjs", "syntax.mjs"].map((f) => `${here}/${f}`);
const SOURCES = [
  `import { importSync } from "jsk:native";\nfor (const m of ${JSON.stringify(MODULES)}) { try { importSync(m); } catch (e) { if (!(e instanceof Error)) throw new Error("non-Error " + e); } }\nexport const x = 1;\n`,
  "await new Promise((r) => setTimeout(r, 1));\nexport const y = 2;\n",
  "throw new RangeError('a module that throws');\n",
  "export const = ;\n",
];
function writeFile(path, text) {
  const fd = sys.open(path, sys.O_WRONLY | sys.O_CREAT | sys.O_TRUNC, 0o644);
  sys.writeAll(fd, native.encodeUtf8(text));
  sys.close(fd);
}
MODULES.forEach((path, i) => writeFile(path, SOURCES[i]));

// A board on the fake backend: one platform device with a memory and a port
// window and one interrupt line. Never opened on the mem backend (the port
// window would be /dev/port); its files point into the scratch file anyway.
const FAKE_BOARD = `${here}/fake-board.toml`;
writeFile(FAKE_BOARD, `name = "fuzz-fake"
description = "the native fuzzer's board"
arch = "${native.arch}"
default_backend = "fake"

[[device]]
name = "dev"
compatible = ["fuzz,dev"]
irqs = [3]
regions = [
  { name = "regs", base = 0x1000, size = 0x1000, file = ${JSON.stringify(SCRATCH)}, offset = 0 },
  { name = "ports", space = "io", base = 0x60, size = 8, file = ${JSON.stringify(SCRATCH)}, offset = 4096 },
]
`);
const BoardProto = Object.getPrototypeOf(freshBoard());
const BOARD_METHODS = ["devices", "region", "config", "irqFd", "irqUnmask", "dma", "busMaster", "irqLog", "setIrqIn", "setLink", "close"];

devNull = sys.open("/dev/null", sys.O_WRONLY);
refill();
const start = Date.now();
let batch = 0;
while (calls < CALLS) {
  fuzzOne();
  if (++batch === 500) {
    batch = 0;
    if (native.env.JSK_NATIVE_FUZZ_RSS && calls % 50000 < 600) console.log(`${calls}: ${rss()}`);
    refill();
    // Let the loop run: raise every interrupt so pending waits settle, then collect them.
    await settle();
    if (devices.length && chance(0.2)) {
      const old = devices.splice(below(devices.length), 1)[0];
      for (const irq of old.irqs) irq.off();
      old.fake.close();
    }
  }
}
await settle();

// Workers started on entries without start(): wait for their exit notices (joins their threads).
const deadline = Date.now() + 20000;
while (workers.size && Date.now() < deadline) {
  receive(native.threadReceive());
  if (workers.size) await new Promise((r) => setTimeout(r, 10));
}

/** Resident memory now and at its peak (from /proc/self/status). */
function rss() {
  const status = sys.readFile("/proc/self/status", "utf8");
  const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
  return `resident ${(kb("VmRSS") / 1024).toFixed(0)} MiB, peak ${(kb("VmHWM") / 1024).toFixed(0)} MiB`;
}

const took = (Date.now() - start) / 1000;
const show = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
console.log(`native fuzz: ${calls} calls in ${took.toFixed(1)} s (${workersStarted} workers started, ${workers.size} not ended; ${rss()})`);
console.log(`outcomes: ${show(outcomes)}`);
console.log(`per function: ${show(perFunction)}`);
// Every function jsk:native exports was called (a new one must be added to `targets`).
const missed = Object.keys(native).filter((k) => typeof native[k] === "function" && k !== "exit" && !perFunction.has(k));
if (missed.length) {
  console.error(`native fuzz: never called: ${missed.join(", ")}`);
  native.exit(1);
}
if (failures.length) {
  console.error(`native fuzz: ${outcomes.get("NOT AN ERROR")} calls threw a non-Error (seed ${SEED}):`);
  for (const f of failures) console.error(`  ${f}`);
  native.exit(1);
}
console.log("native fuzz: ok");
