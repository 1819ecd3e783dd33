//! The native surface: every function Rust gives JavaScript, with its checks
//! and the errors it throws. Everything above this list (the event loop, the
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
//! | `exit(code)` | runs the host's cleanup hooks (devices quiet, QEMU stopped) and ends the process with `code & 0xff`. Never returns. |
//! | `options` | host options: `traceVcd` (path given to `--trace-vcd`), `pcap` (`--pcap`), `denyUnsafe` (`--deny-unsafe`: program modules may not import `jsk:sys`/`jsk:native` and the raw globals are absent), `board` (`{ board, backend, drivers, chardev, netdev }` from `--board`). |
//! | `fakeRegion(name, size, space?)` | a zeroed register file as a `Region` (see `hw.rs` for every `Region` method and its errors); `space` is `"mem"` (default) or `"io"`. RangeError for a size outside [1, 1 GiB]. |
//! | `mapRegion(path, offset, size, name?)` | the mem backend: `size` bytes of `path` mapped shared at `offset` (O_SYNC), as a `Region`. Error naming the path when it cannot be opened or mapped; RangeError for a window past the end of a regular file (its pages would fault). A device file maps what the device gives: the caller trusts it (`/dev/zero` past offset 0 faults). |
//! | `fakeDma(size, align = 64)` | `[ArrayBuffer, iova]`: zeroed host memory with a made-up device address; freed when the buffer is collected or detached. RangeError for a bad size or align. |
//! | `fakeDmaRead(iova, length)`, `fakeDmaWrite(iova, bytes)` | what a fake device reads/writes by DMA; RangeError unless the bytes lie inside one live DMA buffer. |
//! | `fakeNicLoopback(region)` | the fake backend's e1000 loopback model (`fake_nic.rs`) on a fake register file: frames transmitted come back received. TypeError for other regions. |
//! | `openBoard(options)` | a `Board` on the qtest backend (see `board.rs`). |
//! | `importSync(specifier, base?)` | the namespace of an ES module, loaded and evaluated now if it was not (`modules.rs`). Why native: QuickJS delivers a dynamic import's namespace only through a promise job, and unode's `require()` of an ES module (and of built-ins) must return synchronously. Throws the module's evaluation error, resolution/load errors as `import` does, `ERR_REQUIRE_ASYNC_MODULE` for a module waiting at a top-level await. |
//! | `evalScript(source, filename)` | runs a classic sloppy-mode script and returns its completion value. Why native: indirect eval and `Function` cannot name the file, and CommonJS modules need their path in stack traces and syntax errors. |
//! | `runMicrotasks()` | runs every queued promise job now; throws what a job threw. Why native: Node runs the nextTick queue and then the microtasks after every event-loop callback, not once per loop turn; QuickJS's job queue is reachable only from the host. |
//! | `threadSelf()` | `{ id, parent, fd }` of the calling JS thread: its thread id (0 on the main thread), its parent's (-1 on the main thread), and the eventfd that is readable while messages may be queued for it (watch it with `jsk:loop`). Error if no eventfd can be created. Why native: QuickJS runtimes cannot share memory; only the host can hand bytes from one OS thread to another (`workers.rs`). |
//! | `threadStart(entry, parts, limits?)` | starts a worker: a new QuickJS runtime on its own OS thread (jsk's JS stack), booted like unode, driven by built-in module `entry` (its `start()` and `uncaught(error, isRejection)` exports); `parts` (array of ArrayBuffers/views, copied) is its first message. `limits`: `memoryLimitMb` (default: the parent's heap limit), `stackSizeMb`. Returns the new thread id. TypeError for a non-built-in entry or bad parts, RangeError for a bad limit, Error if the thread cannot start. Why native: a runtime and an OS thread. |
//! | `threadPost(id, parts)` | queues a copy of `parts` (array of ArrayBuffers/views) for thread `id` and wakes it; false if that thread has ended. TypeError for bad parts. Why native: crossing threads. |
//! | `threadReceive()` | drains the calling thread's queue: an array of `[from, 0, [ArrayBuffer...]]` (a message; the buffers are the receiver's own) and `[from, 1, error, code]` (worker `from` ended with exit `code`; `error` is the bytes its entry gave for an uncaught error, a host-made text (out of memory, internal failure) or undefined). A worker's thread is joined when its exit notice is received. Why native: crossing threads. |
//! | `threadStop(id, code = 1)` | stops worker `id` at its next interrupt check (even in a busy loop) or blocking call, and reports `code` as its exit code (a worker may stop itself: `process.exit`). False if it has ended; RangeError for the main thread. Why native: the QuickJS interrupt handler of another runtime. |

use rquickjs::{
    function::{Opt, Rest},
    module::{Declarations, Exports, ModuleDef},
    ArrayBuffer, BigInt, Ctx, Exception, Function, Object, Result, TypedArray, Value,
};
use std::ffi::CString;
use std::sync::OnceLock;

use crate::{hw, raw};

/// The process's arguments as JS sees them; set once by the host before JS runs.
pub static ARGV: OnceLock<Vec<String>> = OnceLock::new();

/// Host options JS reads as `options` (e.g. `--trace-vcd`); set once before JS runs.
#[derive(Clone, Debug, Default)]
pub struct HostOptions {
    pub trace_vcd: Option<String>,
    /// `--pcap FILE`: every frame a NetDevice receives or sends, in libpcap format.
    pub pcap: Option<String>,
    /// `--board`: attach drivers to this board's devices before the app runs.
    pub board: Option<BoardOptions>,
}

#[derive(Clone, Debug, Default)]
pub struct BoardOptions {
    /// The board file; empty with `vfio`.
    pub path: String,
    /// PCI addresses to open through VFIO (backend "vfio").
    pub vfio: Vec<String>,
    pub backend: Option<String>,
    pub drivers: Vec<String>,
    pub chardev: Vec<(String, String)>,
    pub netdev: Vec<(String, String)>,
    pub observe: Option<String>,
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
    "options",
    "fakeRegion",
    "mapRegion",
    "fakeDma",
    "fakeDmaRead",
    "fakeDmaWrite",
    "openBoard",
    "fakeNicLoopback",
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
        exports.export("syscall", f("syscall", Function::new(ctx.clone(), js_syscall)?)?)?;
        exports.export("syscall64", f("syscall64", Function::new(ctx.clone(), js_syscall64)?)?)?;
        exports.export("addressOf", f("addressOf", Function::new(ctx.clone(), js_address_of)?)?)?;
        exports.export(
            "unsafeArrayBuffer",
            f("unsafeArrayBuffer", Function::new(ctx.clone(), js_unsafe_array_buffer)?)?,
        )?;
        exports.export("arch", std::env::consts::ARCH)?;
        exports.export("nodeVersion", crate::NODE_VERSION)?;
        exports.export("argv", ARGV.get().cloned().unwrap_or_default())?;
        let env = Object::new(ctx.clone())?;
        for (k, v) in std::env::vars_os() {
            env.set(k.to_string_lossy().as_ref(), v.to_string_lossy().as_ref())?;
        }
        exports.export("env", env)?;
        exports.export("encodeUtf8", f("encodeUtf8", Function::new(ctx.clone(), js_encode_utf8)?)?)?;
        exports.export("decodeUtf8", f("decodeUtf8", Function::new(ctx.clone(), js_decode_utf8)?)?)?;
        exports.export("exit", f("exit", Function::new(ctx.clone(), js_exit)?)?)?;
        let options = Object::new(ctx.clone())?;
        let host = OPTIONS.get().cloned().unwrap_or_default();
        if let Some(p) = host.trace_vcd {
            options.set("traceVcd", p)?;
        }
        if let Some(p) = host.pcap {
            options.set("pcap", p)?;
        }
        options.set("denyUnsafe", crate::modules::unsafe_denied())?;
        if let Some(b) = host.board {
            let o = Object::new(ctx.clone())?;
            o.set("board", b.path)?;
            if let Some(k) = b.backend {
                o.set("backend", k)?;
            }
            o.set("drivers", b.drivers)?;
            o.set("vfio", b.vfio)?;
            if let Some(t) = b.observe {
                o.set("observe", t)?;
            }
            let pairs = |v: Vec<(String, String)>| -> Result<Object<'js>> {
                let m = Object::new(ctx.clone())?;
                for (k, v) in v {
                    m.set(k, v)?;
                }
                Ok(m)
            };
            o.set("chardev", pairs(b.chardev)?)?;
            o.set("netdev", pairs(b.netdev)?)?;
            options.set("board", o)?;
        }
        exports.export("options", options)?;
        exports.export("fakeRegion", f("fakeRegion", Function::new(ctx.clone(), hw::js_fake_region)?)?)?;
        exports.export("mapRegion", f("mapRegion", Function::new(ctx.clone(), hw::js_map_region)?)?)?;
        exports.export("fakeDma", f("fakeDma", Function::new(ctx.clone(), hw::js_fake_dma)?)?)?;
        exports.export("fakeDmaRead", f("fakeDmaRead", Function::new(ctx.clone(), hw::js_fake_dma_read)?)?)?;
        exports.export("fakeDmaWrite", f("fakeDmaWrite", Function::new(ctx.clone(), hw::js_fake_dma_write)?)?)?;
        exports
            .export("fakeNicLoopback", f("fakeNicLoopback", Function::new(ctx.clone(), hw::js_fake_nic_loopback)?)?)?;
        exports.export("importSync", f("importSync", Function::new(ctx.clone(), crate::modules::js_import_sync)?)?)?;
        exports.export("evalScript", f("evalScript", Function::new(ctx.clone(), crate::modules::js_eval_script)?)?)?;
        exports.export(
            "runMicrotasks",
            f("runMicrotasks", Function::new(ctx.clone(), crate::modules::js_run_microtasks)?)?,
        )?;
        exports.export("threadSelf", f("threadSelf", Function::new(ctx.clone(), crate::workers::js_thread_self)?)?)?;
        exports
            .export("threadStart", f("threadStart", Function::new(ctx.clone(), crate::workers::js_thread_start)?)?)?;
        exports.export("threadPost", f("threadPost", Function::new(ctx.clone(), crate::workers::js_thread_post)?)?)?;
        exports.export(
            "threadReceive",
            f("threadReceive", Function::new(ctx.clone(), crate::workers::js_thread_receive)?)?,
        )?;
        exports.export("threadStop", f("threadStop", Function::new(ctx.clone(), crate::workers::js_thread_stop)?)?)?;
        exports.export("openBoard", f("openBoard", Function::new(ctx.clone(), crate::board::js_open_board)?)?)?;
        Ok(())
    }
}

/// Strings passed to a syscall live here until it returns.
#[derive(Default)]
struct Keep(Vec<CString>);

fn type_error<T>(ctx: &Ctx<'_>, msg: String) -> Result<T> {
    Err(Exception::throw_type(ctx, &msg))
}

/// A JS number that must be an exact integer, as the 64 bits a register holds.
fn number_to_bits(ctx: &Ctx<'_>, f: f64, what: &dyn Fn() -> String) -> Result<i64> {
    if !f.is_finite() || f.fract() != 0.0 || !(-9.223372036854776e18..1.8446744073709552e19).contains(&f) {
        return type_error(ctx, format!("{}: {f} is not a 64-bit integer", what()));
    }
    Ok(if f >= 9.223372036854776e18 { f as u64 as i64 } else { f as i64 })
}

/// The bytes a buffer argument names, gathered before any pointer is taken:
/// the ArrayBuffer (held, so it stays alive) and the range in it.
pub(crate) struct ViewParts<'js> {
    buffer: Value<'js>,
    offset: f64,
    length: Option<f64>,
}

/// Read what an ArrayBuffer, TypedArray or DataView argument names. This is
/// the only step that may run JavaScript (a DataView's getters, which a
/// program can override); `ViewParts::bytes` then takes the pointer with no
/// JavaScript in between, against the buffer's size at that moment, so a
/// getter that detaches, transfers or shrinks the buffer gets a TypeError or
/// RangeError, never a dangling pointer. Only real views count: an object
/// that merely has `buffer`/`byteOffset`/`byteLength` is not one (Ok(None)).
pub(crate) fn view_parts<'js>(obj: &Object<'js>) -> Result<Option<ViewParts<'js>>> {
    let v = obj.as_value();
    if !matches!(raw::array_buffer_bytes(v), raw::BufferBytes::NotABuffer) {
        return Ok(Some(ViewParts { buffer: v.clone(), offset: 0.0, length: None }));
    }
    match raw::view_kind(v) {
        raw::ViewKind::Typed(buffer, offset, length) => {
            Ok(Some(ViewParts { buffer, offset: offset as f64, length: Some(length as f64) }))
        }
        raw::ViewKind::OutOfBounds => {
            Ok(Some(ViewParts { buffer: Value::new_undefined(obj.ctx().clone()), offset: 0.0, length: Some(0.0) }))
        }
        raw::ViewKind::DataView => {
            let buffer: Value = obj.get("buffer")?;
            let offset: f64 = obj.get("byteOffset")?;
            let length: f64 = obj.get("byteLength")?;
            Ok(Some(ViewParts { buffer, offset, length: Some(length) }))
        }
        raw::ViewKind::Neither => Ok(None),
    }
}

impl<'js> ViewParts<'js> {
    /// Where the bytes start and how many, checked against the buffer as it
    /// is now. Runs no JavaScript; the pointer is valid while `self` is held
    /// and no JavaScript runs.
    pub(crate) fn bytes(&self, ctx: &Ctx<'js>, what: &dyn Fn() -> String) -> Result<(*mut u8, usize)> {
        let (base, len) = match raw::array_buffer_bytes(&self.buffer) {
            raw::BufferBytes::Bytes(p, n) => (p, n),
            raw::BufferBytes::Detached => return type_error(ctx, format!("{}: the ArrayBuffer is detached", what())),
            raw::BufferBytes::NotABuffer if self.buffer.is_undefined() => {
                return type_error(ctx, format!("{}: the view's ArrayBuffer is detached or too small", what()))
            }
            raw::BufferBytes::NotABuffer => {
                return type_error(ctx, format!("{}: the view's buffer is not an ArrayBuffer", what()))
            }
        };
        let (offset, length) = (self.offset, self.length.unwrap_or(len as f64));
        if !(offset >= 0.0 && length >= 0.0 && offset + length <= len as f64) {
            return Err(Exception::throw_range(
                ctx,
                &format!("{}: view [{offset}, +{length}) lies outside its {len}-byte buffer", what()),
            ));
        }
        Ok((base.wrapping_add(offset as usize), length as usize))
    }
}

/// Where the bytes of an ArrayBuffer, TypedArray or DataView start, and how
/// many (`view_parts` then `bytes`); Ok(None) for anything else.
pub(crate) fn view_bytes<'js>(
    ctx: &Ctx<'js>,
    obj: &Object<'js>,
    what: &dyn Fn() -> String,
) -> Result<Option<(*mut u8, usize)>> {
    match view_parts(obj)? {
        Some(parts) => parts.bytes(ctx, what).map(Some),
        None => Ok(None),
    }
}

/// A syscall argument after its JavaScript has run: a word, or a buffer
/// whose pointer is taken once every argument has been read.
enum Word<'js> {
    Int(i64),
    View(ViewParts<'js>),
}

fn to_word<'js>(ctx: &Ctx<'js>, v: &Value<'js>, i: usize, keep: &mut Keep) -> Result<Word<'js>> {
    if let Some(n) = v.as_int() {
        return Ok(Word::Int(n as i64));
    }
    let what = || format!("syscall argument {}", i + 1);
    if let Some(f) = v.as_float() {
        return number_to_bits(ctx, f, &what).map(Word::Int);
    }
    if let Some(b) = v.as_big_int() {
        return b.clone().to_i64().map(Word::Int);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Word::Int(b as i64));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Word::Int(0));
    }
    if let Some(s) = v.as_string() {
        let s = s.to_string()?;
        let Ok(c) = CString::new(s) else {
            return type_error(ctx, format!("{}: string contains a NUL byte", what()));
        };
        let p = c.as_ptr() as i64;
        keep.0.push(c);
        return Ok(Word::Int(p));
    }
    if let Some(o) = v.as_object() {
        if let Some(parts) = view_parts(o)? {
            return Ok(Word::View(parts));
        }
    }
    type_error(
        ctx,
        format!(
            "{}: expected an integer, BigInt, string, boolean, null, ArrayBuffer or view, got {}",
            what(),
            v.type_name()
        ),
    )
}

fn do_syscall<'js>(ctx: &Ctx<'js>, nr: &Value<'js>, args: &[Value<'js>]) -> Result<i64> {
    if args.len() > 6 {
        return Err(Exception::throw_range(
            ctx,
            &format!("syscall takes at most 6 arguments after the number, got {}", args.len()),
        ));
    }
    let nr = match nr.as_int() {
        Some(n) => n as i64,
        None => number_to_bits(ctx, nr.as_float().unwrap_or(f64::NAN), &|| "syscall number".into())?,
    };
    // First every argument's JavaScript (a DataView's getters), then every
    // pointer, so that no getter can free a buffer whose address is taken.
    let mut keep = Keep::default();
    let mut read = Vec::with_capacity(args.len());
    for (i, v) in args.iter().enumerate() {
        read.push(to_word(ctx, v, i, &mut keep)?);
    }
    let mut words = [0i64; 6];
    for (i, w) in read.iter().enumerate() {
        words[i] = match w {
            Word::Int(n) => *n,
            Word::View(parts) => parts.bytes(ctx, &|| format!("syscall argument {}", i + 1))?.0 as i64,
        };
    }
    let r = raw::syscall6(nr, words);
    drop(read);
    drop(keep);
    Ok(r)
}

fn js_syscall<'js>(ctx: Ctx<'js>, nr: Value<'js>, args: Rest<Value<'js>>) -> Result<Value<'js>> {
    let r = do_syscall(&ctx, &nr, &args.0)?;
    Ok(if r >= i32::MIN as i64 && r <= i32::MAX as i64 {
        Value::new_int(ctx, r as i32)
    } else {
        Value::new_float(ctx, r as f64)
    })
}

fn js_syscall64<'js>(ctx: Ctx<'js>, nr: Value<'js>, args: Rest<Value<'js>>) -> Result<BigInt<'js>> {
    let r = do_syscall(&ctx, &nr, &args.0)?;
    BigInt::from_i64(ctx, r)
}

fn js_address_of<'js>(ctx: Ctx<'js>, v: Value<'js>) -> Result<BigInt<'js>> {
    let what = || "addressOf".to_string();
    if let Some(o) = v.as_object() {
        if let Some((p, _)) = view_bytes(&ctx, o, &what)? {
            return BigInt::from_u64(ctx, p as u64);
        }
    }
    type_error(&ctx, format!("addressOf: expected an ArrayBuffer, TypedArray or DataView, got {}", v.type_name()))
}

fn js_unsafe_array_buffer<'js>(ctx: Ctx<'js>, address: Value<'js>, length: Value<'js>) -> Result<ArrayBuffer<'js>> {
    let mut keep = Keep::default();
    let addr = match address.is_string() {
        true => return type_error(&ctx, "unsafeArrayBuffer: address must be a number or BigInt".into()),
        false => match to_word(&ctx, &address, 0, &mut keep)? {
            Word::Int(n) => n,
            Word::View(parts) => parts.bytes(&ctx, &|| "unsafeArrayBuffer".into())?.0 as i64,
        },
    };
    let len = number_to_bits(&ctx, length.as_number().unwrap_or(f64::NAN), &|| "unsafeArrayBuffer length".into())?;
    if len < 0 || len > isize::MAX as i64 {
        return Err(Exception::throw_range(&ctx, &format!("unsafeArrayBuffer: length {len} out of range")));
    }
    if addr == 0 && len != 0 {
        return Err(Exception::throw_range(&ctx, "unsafeArrayBuffer: address 0 with a non-zero length"));
    }
    raw::alias_array_buffer(ctx, addr as u64, len as usize)
}

fn js_encode_utf8<'js>(ctx: Ctx<'js>, s: rquickjs::String<'js>) -> Result<TypedArray<'js, u8>> {
    TypedArray::new(ctx, s.to_string()?.into_bytes())
}

/// A copy of the bytes of an ArrayBuffer or view. TypeError for anything else.
pub(crate) fn copy_view<'js>(ctx: &Ctx<'js>, v: &Value<'js>, what: &str) -> Result<Vec<u8>> {
    let w = || what.to_string();
    if let Some(o) = v.as_object() {
        if let Some(parts) = view_parts(o)? {
            let view = parts.bytes(ctx, &w)?;
            return Ok(raw::copy_view_bytes(&parts, view));
        }
    }
    type_error(ctx, format!("{what}: expected an ArrayBuffer or view, got {}", v.type_name()))
}

fn js_decode_utf8<'js>(ctx: Ctx<'js>, v: Value<'js>) -> Result<String> {
    Ok(String::from_utf8_lossy(&copy_view(&ctx, &v, "decodeUtf8")?).into_owned())
}

fn js_exit(code: Opt<i32>) -> Result<()> {
    crate::host::exit(code.0.unwrap_or(0))
}
