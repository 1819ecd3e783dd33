//! The native surface: `jsk:native`, the list of every function Rust gives
//! JavaScript, with its checks and the errors it throws. The functions live in
//! `js/` (memory, registers, DMA, boards) and in `engine/` (modules, threads). Everything above this list (the event loop, the
//! HAL, the drivers) is JavaScript; a new host implements exactly this list.
//!
//! Module `jsk:native` exports:
//!
//! | name | contract |
//! | --- | --- |
//! | `syscall(nr, ...args)` | up to 6 args. Integers (number or BigInt, BigInt taken mod 2^64), booleans (0/1), null/undefined (0), strings (pointer to a NUL-terminated UTF-8 copy; TypeError if it contains NUL), ArrayBuffer (pointer to its bytes), TypedArray/DataView (pointer at its byteOffset; real views only, not look-alike objects or Proxies; every argument is read before any pointer is taken, so a getter that detaches or shrinks a buffer gets a TypeError/RangeError). Returns the kernel's raw result as a number (negative errno on failure, never throws for kernel errors). TypeError for a non-integer number, a detached buffer, or any other value; RangeError for more than 6 args. |
//! | `syscall64(nr, ...args)` | as `syscall`, returns a BigInt. |
//! | `addressOf(buffer)` | BigInt address of an ArrayBuffer's or view's first byte. TypeError otherwise. |
//! | `unsafeArrayBuffer(address, length)` | ArrayBuffer aliasing raw memory, never freed by jsk. The caller promises the memory stays mapped while the buffer is reachable. RangeError for a zero address with a non-zero length. |
//! | `arch` | `"x86_64"` or `"aarch64"`. |
//! | `nodeVersion` | the Node.js release unode follows, e.g. `"20.18.0"`. |
//! | `argv` | `[jsk executable, script, ...args]`. |
//! | `env` | environment variables as an object of strings. |
//! | `encodeUtf8(string)` | Uint8Array of the UTF-8 bytes. |
//! | `decodeUtf8(bufferOrView)` | string (invalid sequences become U+FFFD). |
//! | `dmaWmb()`, `dmaRmb()`, `mb()` | memory barriers after Linux's `dma_wmb`, `dma_rmb`, `mb` (`sys::barrier`): writes to DMA memory reach the device before later writes (call it before the doorbell); a read of DMA memory completes before later reads (call it between a descriptor's done bit and its other fields); everything before, before everything after. aarch64: `dmb oshst`, `dmb oshld`, `dsb sy`; x86: nothing but `mfence` for `mb` (its stores and loads are already ordered). Register writes (`Region.write*`) order earlier DMA-memory writes before them and register reads later ones after them, as Linux's `writel`/`readl`. Why native: no JavaScript orders memory for a device. |
//! | `ring(buffer, slots, stride)`, `Ring.count/countWithin/sum/gather/scatter/scatterFrom`, `take`, `transition`, `compareBytes` | batch operations over descriptor rings and typed arrays: a whole batch of descriptors in one call (the checks and loops are `hw/ring.rs`, the binding `js/ffi/ring.rs`; each contract below). Why native: QuickJS interprets every typed-array access (150-190 ns per descriptor-like loop iteration here), so a driver that touches each descriptor from JS cannot forward at line rate; nothing in them knows a device. |
//! | `ring(buffer, slots, stride)` | a `Ring` (read-only `slots`, `stride`) over an ArrayBuffer or a TypedArray (a DMA buffer; a SharedArrayBuffer through a TypedArray over it). TypeError for anything else (a DataView's fields are getters); RangeError unless `slots` is in [1, 2^20], `stride` in [1, 4096] and `slots * stride` bytes fit. Every call re-reads the buffer: detached is a TypeError, shrunk below the ring a RangeError. A TypedArray over a resizable buffer counts with the length QuickJS recorded for it. In every method a field (`width` 1, 2, 4 or 8 bytes at `offset`) must lie inside its record and be naturally aligned in every record, else RangeError; `start` < `slots` and counts <= `slots`. |
//! | `Ring.count(start, max, offset, width, mask, value)` | how many consecutive records from `start` (wrapping at `slots`), at most `max` (<= `slots`), have `(field & mask) === value` (`mask`, `value`: numbers or BigInts; a `value` with bits outside `mask` never matches): "how many descriptors are done". |
//! | `Ring.countWithin(start, max, offset, width, lo, hi)` | how many consecutive records from `start`, at most `max`, have `lo <= field <= hi`, the field read as unsigned (`lo`, `hi`: numbers or BigInts): "how many lengths are sane". |
//! | `Ring.sum(start, n, offset, width)` | the sum of the field (unsigned) over `n` records from `start`: "how many bytes". RangeError when it reaches 2^53 (no longer exact). |
//! | `Ring.gather(start, n, offset, width, out, outStart = 0)` | the field of `n` records from `start` into `out[outStart..]`: an integer TypedArray with elements of at least `width` bytes, or a Float64Array (exact below 2^53). Returns the sum of the fields moved (as unsigned; a number, exact below 2^53). |
//! | `Ring.scatter(start, n, offset, width, src, srcStart = 0)` | `src[srcStart..]` (an integer TypedArray or Float64Array), or one number/BigInt, into the field of `n` records. Every value must be an integer that fits `width` bytes (unsigned or two's complement; BigInts exactly, not mod 2^64), else RangeError and nothing is written. Returns the sum of the fields written (as unsigned). |
//! | `Ring.scatterFrom(start, n, offset, width, table, indices, indicesStart = 0)` | `table[indices[indicesStart + i]]` into the field of record `start + i`, `i < n`: "each descriptor gets its buffer's address" in one call. `table` an integer TypedArray or Float64Array, `indices` an integer TypedArray; every index (inside `table`) and every value (fits `width`) is checked before anything is written, else RangeError. Returns the sum of the fields written. |
//! | `take(table, indices, start, n, out, outStart = 0)` | `out[outStart + i] = table[indices[start + i]]` for `i < n`: `table` and `out` TypedArrays of one element layout (Uint8Array and Uint8ClampedArray count as one), `indices` an integer TypedArray. RangeError, nothing written, for an index outside `table`; TypeError for other element types. |
//! | `transition(table, indices, start, n, from, to)` | for `i < n` in order, while `table[indices[start + i]] === from`, set it to `to`; returns how many changed (the first that is not `from` stops it and is left as it was: with `from !== to` an index given twice stops at its second place). A state per buffer moved for a whole batch. `table` and `indices` integer TypedArrays; `from`/`to` numbers or BigInts that are elements of `table` (else RangeError); an index outside `table` is a RangeError and nothing is written. |
//! | `compareBytes(a, aOffset, b, bOffset, n)` | -1, 0 or 1 as memcmp of `n` bytes of two ArrayBuffers or TypedArrays. Bulk copies need nothing new: `TypedArray.prototype.set` and `copyWithin` are native and checked. |
//! | `exit(code)` | runs the host's cleanup hooks (devices quiet, QEMU stopped) and ends the process with `code & 0xff`. Never returns. |
//! | `options` | host options: `traceVcd` (path given to `--trace-vcd`), `pcap` (`--pcap`), `denyUnsafe` (`--deny-unsafe`: program modules may not import `jsk:sys`/`jsk:native` and the raw globals are absent), `board` (`{ board, backend?, vfio, observe?, chardev, netdev, drivers }` from `--board` or `--vfio`). |
//! | `fakeRegion(name, size, space?)` | a zeroed register file as a `Region` (see `js/hw.rs` for every `Region` method and its errors); `space` is `"mem"` (default) or `"io"`. RangeError for a size outside [1, 1 GiB]. |
//! | `mapRegion(path, offset, size, name?)` | the mem backend: `size` bytes of `path` mapped shared at `offset` (O_SYNC), as a `Region`. Error naming the path when it cannot be opened or mapped; RangeError for a window past the end of a regular file (its pages would fault). A device file maps what the device gives: the caller trusts it (`/dev/zero` past offset 0 faults). |
//! | `fakeDma(size, align = 64)` | `[ArrayBuffer, iova]`: zeroed host memory with a made-up device address; freed when the buffer is collected or detached. RangeError for a bad size or align. |
//! | `fakeDmaRead(iova, length)`, `fakeDmaWrite(iova, bytes)` | what a fake device reads/writes by DMA; RangeError unless the bytes lie inside one live DMA buffer. |
//! | `fakeNicLoopback(region)` | the fake backend's e1000 loopback model (`backend/fake_nic.rs`) on a fake register file: frames transmitted come back received. TypeError for other regions. |
//! | `fakeVirtqLoopback(region, { notify, queue, rx, tx })` | the fake backend's split-virtqueue loopback model (`backend/fake_virtq.rs`) on a fake register file: a write of `queue` at offset `notify` moves every chain available in `tx` into `rx` (`{ desc, driver, device, size }`: where a driver set the queues up). TypeError for other regions or a malformed spec, RangeError for a size that is not a power of two up to 32768. Why native: a benchmark's model must cost little beside the driver it measures. |
//! | `openBoard(options)` | a `Board` on the qtest backend (see `js/board.rs`). |
//! | `importSync(specifier, base?)` | the namespace of an ES module, loaded and evaluated now if it was not (`engine/modules.rs`). Why native: QuickJS delivers a dynamic import's namespace only through a promise job, and unode's `require()` of an ES module (and of built-ins) must return synchronously. Throws the module's evaluation error, resolution/load errors as `import` does, `ERR_REQUIRE_ASYNC_MODULE` for a module waiting at a top-level await. |
//! | `evalScript(source, filename)` | runs a classic sloppy-mode script and returns its completion value. Why native: indirect eval and `Function` cannot name the file, and CommonJS modules need their path in stack traces and syntax errors. |
//! | `runMicrotasks()` | runs every queued promise job now; throws what a job threw. Why native: Node runs the nextTick queue and then the microtasks after every event-loop callback, not once per loop turn; QuickJS's job queue is reachable only from the host. |
//! | `threadSelf()` | `{ id, parent, fd }` of the calling JS thread: its thread id (0 on the main thread), its parent's (-1 on the main thread), and the eventfd that is readable while messages may be queued for it (watch it with `jsk:loop`). Error if no eventfd can be created. Why native: QuickJS runtimes cannot share memory; only the host can hand bytes from one OS thread to another (`engine/workers.rs`). |
//! | `threadStart(entry, parts, limits?)` | starts a worker: a new QuickJS runtime on its own OS thread (jsk's JS stack), booted like unode, driven by built-in module `entry` (its `start()` and `uncaught(error, isRejection)` exports); `parts` (array of ArrayBuffers/views, copied) is its first message. `limits`: `memoryLimitMb` (default: the parent's heap limit), `stackSizeMb`. Returns the new thread id. TypeError for a non-built-in entry or bad parts, RangeError for a bad limit, Error if the thread cannot start. Why native: a runtime and an OS thread. |
//! | `threadPost(id, parts)` | queues a copy of `parts` (array of ArrayBuffers/views) for thread `id` and wakes it; false if that thread has ended. TypeError for bad parts. Why native: crossing threads. |
//! | `threadReceive()` | drains the calling thread's queue: an array of `[from, 0, [ArrayBuffer...]]` (a message; the buffers are the receiver's own) and `[from, 1, error, code]` (worker `from` ended with exit `code`; `error` is the bytes its entry gave for an uncaught error, a host-made text (out of memory, internal failure) or undefined). A worker's thread is joined when its exit notice is received. Why native: crossing threads. |
//! | `threadStop(id, code = 1)` | stops worker `id` at its next interrupt check (even in a busy loop) or blocking call, and reports `code` as its exit code (a worker may stop itself: `process.exit`). False if it has ended; RangeError for the main thread. Why native: the QuickJS interrupt handler of another runtime. |

use rquickjs::{
    module::{Declarations, Exports, ModuleDef},
    Ctx, Function, Object, Result,
};
use std::sync::OnceLock;

use crate::hw::board::AttachOptions;
use crate::js;

/// The process's arguments as JS sees them; set once by the host before JS runs.
pub static ARGV: OnceLock<Vec<String>> = OnceLock::new();

/// Host options JS reads as `options` (e.g. `--trace-vcd`); set once before JS runs.
#[derive(Clone, Debug, Default)]
pub struct HostOptions {
    pub trace_vcd: Option<String>,
    /// `--pcap FILE`: every frame a NetDevice receives or sends, in libpcap format.
    pub pcap: Option<String>,
    /// `--board`, `--vfio`: attach drivers to this board's devices before the app runs.
    pub board: Option<AttachOptions>,
}

pub static OPTIONS: OnceLock<HostOptions> = OnceLock::new();

pub struct NativeModule;

const EXPORTS: &[&str] = &[
    "syscall",
    "syscall64",
    "addressOf",
    "unsafeArrayBuffer",
    "arch",
    "nodeVersion",
    "argv",
    "env",
    "encodeUtf8",
    "decodeUtf8",
    "exit",
    "dmaWmb",
    "dmaRmb",
    "mb",
    "ring",
    "take",
    "transition",
    "compareBytes",
    "options",
    "fakeRegion",
    "mapRegion",
    "fakeDma",
    "fakeDmaRead",
    "fakeDmaWrite",
    "openBoard",
    "fakeNicLoopback",
    "fakeVirtqLoopback",
    "importSync",
    "evalScript",
    "runMicrotasks",
    "threadSelf",
    "threadStart",
    "threadPost",
    "threadReceive",
    "threadStop",
];

impl ModuleDef for NativeModule {
    fn declare<'js>(decl: &Declarations<'js>) -> Result<()> {
        for name in EXPORTS {
            decl.declare(*name)?;
        }
        Ok(())
    }

    fn evaluate<'js>(ctx: &Ctx<'js>, exports: &Exports<'js>) -> Result<()> {
        let f = |name: &str, f: Function<'js>| -> Result<Function<'js>> { f.with_name(name) };
        exports.export("syscall", f("syscall", Function::new(ctx.clone(), js::native::js_syscall)?)?)?;
        exports.export("syscall64", f("syscall64", Function::new(ctx.clone(), js::native::js_syscall64)?)?)?;
        exports.export("addressOf", f("addressOf", Function::new(ctx.clone(), js::native::js_address_of)?)?)?;
        exports.export(
            "unsafeArrayBuffer",
            f("unsafeArrayBuffer", Function::new(ctx.clone(), js::native::js_unsafe_array_buffer)?)?,
        )?;
        exports.export("arch", std::env::consts::ARCH)?;
        exports.export("nodeVersion", crate::NODE_VERSION)?;
        exports.export("argv", ARGV.get().cloned().unwrap_or_default())?;
        let env = Object::new(ctx.clone())?;
        for (k, v) in std::env::vars_os() {
            env.set(k.to_string_lossy().as_ref(), v.to_string_lossy().as_ref())?;
        }
        exports.export("env", env)?;
        exports.export("encodeUtf8", f("encodeUtf8", Function::new(ctx.clone(), js::native::js_encode_utf8)?)?)?;
        exports.export("decodeUtf8", f("decodeUtf8", Function::new(ctx.clone(), js::native::js_decode_utf8)?)?)?;
        exports.export("exit", f("exit", Function::new(ctx.clone(), js::native::js_exit)?)?)?;
        exports.export("dmaWmb", f("dmaWmb", Function::new(ctx.clone(), js::native::js_dma_wmb)?)?)?;
        exports.export("dmaRmb", f("dmaRmb", Function::new(ctx.clone(), js::native::js_dma_rmb)?)?)?;
        exports.export("mb", f("mb", Function::new(ctx.clone(), js::native::js_mb)?)?)?;
        exports.export("ring", f("ring", Function::new(ctx.clone(), js::ffi::ring::js_ring)?)?)?;
        for (name, func) in js::ffi::ring::batch_functions(ctx)? {
            exports.export(name, func)?;
        }
        let options = Object::new(ctx.clone())?;
        let host = OPTIONS.get().cloned().unwrap_or_default();
        if let Some(p) = host.trace_vcd {
            options.set("traceVcd", p)?;
        }
        if let Some(p) = host.pcap {
            options.set("pcap", p)?;
        }
        options.set("denyUnsafe", super::modules::unsafe_denied())?;
        if let Some(b) = &host.board {
            options.set("board", js::board::attach_object(ctx, b)?)?;
        }
        exports.export("options", options)?;
        exports.export("fakeRegion", f("fakeRegion", Function::new(ctx.clone(), js::hw::js_fake_region)?)?)?;
        exports.export("mapRegion", f("mapRegion", Function::new(ctx.clone(), js::hw::js_map_region)?)?)?;
        exports.export("fakeDma", f("fakeDma", Function::new(ctx.clone(), js::hw::js_fake_dma)?)?)?;
        exports.export("fakeDmaRead", f("fakeDmaRead", Function::new(ctx.clone(), js::hw::js_fake_dma_read)?)?)?;
        exports.export("fakeDmaWrite", f("fakeDmaWrite", Function::new(ctx.clone(), js::hw::js_fake_dma_write)?)?)?;
        exports.export(
            "fakeNicLoopback",
            f("fakeNicLoopback", Function::new(ctx.clone(), js::hw::js_fake_nic_loopback)?)?,
        )?;
        exports.export(
            "fakeVirtqLoopback",
            f("fakeVirtqLoopback", Function::new(ctx.clone(), js::hw::js_fake_virtq_loopback)?)?,
        )?;
        exports.export("importSync", f("importSync", Function::new(ctx.clone(), super::modules::js_import_sync)?)?)?;
        exports.export("evalScript", f("evalScript", Function::new(ctx.clone(), super::modules::js_eval_script)?)?)?;
        exports.export(
            "runMicrotasks",
            f("runMicrotasks", Function::new(ctx.clone(), super::modules::js_run_microtasks)?)?,
        )?;
        exports.export("threadSelf", f("threadSelf", Function::new(ctx.clone(), super::workers::js_thread_self)?)?)?;
        exports
            .export("threadStart", f("threadStart", Function::new(ctx.clone(), super::workers::js_thread_start)?)?)?;
        exports.export("threadPost", f("threadPost", Function::new(ctx.clone(), super::workers::js_thread_post)?)?)?;
        exports.export(
            "threadReceive",
            f("threadReceive", Function::new(ctx.clone(), super::workers::js_thread_receive)?)?,
        )?;
        exports.export("threadStop", f("threadStop", Function::new(ctx.clone(), super::workers::js_thread_stop)?)?)?;
        exports.export("openBoard", f("openBoard", Function::new(ctx.clone(), js::board::js_open_board)?)?)?;
        Ok(())
    }
}
