//! jsk as a Rust library: a JS session that Rust code drives, and the
//! embedded-hal bridge that hands pins, serial ports, I2C buses and SPI
//! devices written in JS to Rust code generic over the embedded-hal 1.0 /
//! embedded-io traits.
//!
//! ```no_run
//! use embedded_hal::digital::{OutputPin, StatefulOutputPin};
//! let js = jsk::embed::Session::new().unwrap();
//! js.attach_board(jsk::embed::attach_options("devices/qemu-aarch64-virt.toml", "drivers")).unwrap();
//! js.eval_module("setup.js", "import { gpioController } from 'jsk:board'; globalThis.led = gpioController().pin(0).intoOutput();").unwrap();
//! let mut led = js.pin("led").unwrap();
//! led.set_high().unwrap();
//! assert!(led.is_set_high().unwrap());
//! ```
//!
//! A session runs on the thread that made it (QuickJS is single-threaded).
//! Calls that return a promise run the event loop until it settles.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use rquickjs::{CatchResultExt, Context, Ctx, Function, Module, Object, Persistent, Promise, Runtime, Value};

use crate::engine::{self, Options};
use crate::hw::board::{AttachOptions, BoardOptions};

#[derive(Debug, thiserror::Error)]
pub enum JsError {
    /// JavaScript threw (the message and stack as jsk prints them).
    #[error("{0}")]
    Js(String),
    /// The session could not be set up.
    #[error("jsk: {0}")]
    Setup(String),
    /// A bus transfer failed: an I2cError's (or SPI error's) `kind`, its
    /// `source` as `ack` (embedded-hal's ErrorKind and NoAcknowledgeSource
    /// names), and the message.
    #[error("{message}")]
    Bus { kind: String, ack: Option<String>, message: String },
}

impl embedded_hal::i2c::Error for JsError {
    fn kind(&self) -> embedded_hal::i2c::ErrorKind {
        use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
        let JsError::Bus { kind, ack, .. } = self else { return ErrorKind::Other };
        match kind.as_str() {
            "Bus" => ErrorKind::Bus,
            "ArbitrationLoss" => ErrorKind::ArbitrationLoss,
            "Overrun" => ErrorKind::Overrun,
            "NoAcknowledge" => ErrorKind::NoAcknowledge(match ack.as_deref() {
                Some("Address") => NoAcknowledgeSource::Address,
                Some("Data") => NoAcknowledgeSource::Data,
                _ => NoAcknowledgeSource::Unknown,
            }),
            _ => ErrorKind::Other,
        }
    }
}

impl embedded_hal::spi::Error for JsError {
    fn kind(&self) -> embedded_hal::spi::ErrorKind {
        match self {
            JsError::Bus { kind, .. } if kind == "Overrun" => embedded_hal::spi::ErrorKind::Overrun,
            _ => embedded_hal::spi::ErrorKind::Other,
        }
    }
}

impl embedded_hal::digital::Error for JsError {
    fn kind(&self) -> embedded_hal::digital::ErrorKind {
        embedded_hal::digital::ErrorKind::Other
    }
}

impl embedded_io::Error for JsError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

/// Stack QuickJS may use in a session: the calling thread's stack is not ours
/// to size, so stay well inside the 2 MiB a Rust thread gets by default.
const SESSION_STACK_LIMIT: usize = 512 << 10;

struct Inner {
    context: Context,
    _rt: Runtime,
}

/// A jsk JavaScript session.
#[derive(Clone)]
pub struct Session {
    inner: Rc<Inner>,
}

/// What `Session::attach_board` opens: `board` (a board file) with the
/// driver files found under `drivers` (a file or a folder, searched
/// recursively); set the other `BoardOptions` fields as `jsk run --board`'s
/// flags would.
pub fn attach_options(board: &str, drivers: &str) -> AttachOptions {
    let mut found = Vec::new();
    crate::collect_driver_files(std::path::Path::new(drivers), &mut found);
    let mut files: Vec<String> = found
        .into_iter()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    files.sort();
    AttachOptions { board: BoardOptions { path: board.into(), ..Default::default() }, drivers: files }
}

impl Session {
    pub fn new() -> Result<Session, JsError> {
        let opts = Options::default();
        let (rt, context) = engine::new_runtime(&opts, SESSION_STACK_LIMIT).map_err(JsError::Setup)?;
        context.with(|ctx| engine::boot(&ctx, opts).map(|_| ())).map_err(JsError::Setup)?;
        Ok(Session { inner: Rc::new(Inner { context, _rt: rt }) })
    }

    /// Run `f` with the context and the host hooks; a promise it returns is
    /// driven to completion.
    fn run<R>(
        &self,
        f: impl for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<(Option<Promise<'js>>, R)>,
    ) -> Result<R, JsError> {
        self.inner.context.with(|ctx| {
            let host = engine::boot(&ctx, Options::default()).map_err(JsError::Setup)?;
            let (promise, out) = match f(&ctx).catch(&ctx) {
                Ok(x) => x,
                Err(e) => return Err(JsError::Js(host.message(&host.describe(e)))),
            };
            if let Some(p) = promise {
                host.run_until(&p).map_err(|stop| JsError::Js(host.message(&stop)))?;
            }
            Ok(out)
        })
    }

    /// Evaluate an ES module given as source (it may import `jsk:` modules and
    /// absolute paths) and run it to completion.
    pub fn eval_module(&self, name: &str, source: &str) -> Result<(), JsError> {
        self.run(|ctx| {
            let (_, p) = crate::engine::modules::declare_source(ctx, name, source.as_bytes())?.eval()?;
            Ok((Some(p), ()))
        })
    }

    /// Run a module file to completion.
    pub fn run_module(&self, path: &str) -> Result<(), JsError> {
        let src = std::fs::read_to_string(path).map_err(|e| JsError::Setup(format!("{path}: {e}")))?;
        self.eval_module(&engine::normalize(std::path::Path::new(path)), &src)
    }

    /// Open a board and attach the matching drivers, as `jsk run --board` does.
    pub fn attach_board(&self, a: AttachOptions) -> Result<(), JsError> {
        self.run(move |ctx| {
            let o = crate::js::board::attach_object(ctx, &a)?;
            let p = Module::import(ctx, "jsk:board")?;
            while ctx.execute_pending_job() {}
            let ns: Object = p.finish()?;
            let done: Promise = ns.get::<_, Function>("hostAttach")?.call((o,))?;
            Ok((Some(done), ()))
        })
    }

    /// The value of a JS expression, as JSON text.
    pub fn eval_json(&self, expr: &str) -> Result<String, JsError> {
        self.run(|ctx| {
            let s: String = ctx.eval(format!("JSON.stringify({expr})"))?;
            Ok((None, s))
        })
    }

    fn object(&self, expr: &str) -> Result<Persistent<Object<'static>>, JsError> {
        self.run(|ctx| {
            let o: Object = ctx.eval(expr.to_string())?;
            Ok((None, Persistent::save(ctx, o)))
        })
    }

    /// Call `method` on a saved object; a returned promise is awaited.
    fn call<T: for<'js> rquickjs::FromJs<'js> + 'static>(
        &self,
        obj: &Persistent<Object<'static>>,
        method: &str,
        args: impl for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<Vec<Value<'js>>>,
    ) -> Result<T, JsError> {
        let slot: Rc<RefCell<Option<Persistent<Value<'static>>>>> = Rc::new(RefCell::new(None));
        let slot2 = slot.clone();
        self.run(move |ctx| {
            let o = obj.clone().restore(ctx)?;
            let f: Function = o.get(method)?;
            let mut a = rquickjs::function::Args::new(ctx.clone(), 4);
            a.this(o)?;
            for v in args(ctx)? {
                a.push_arg(v)?;
            }
            let r: Value = f.call_arg(a)?;
            if let Some(p) = r.as_promise() {
                let p = p.clone();
                *slot2.borrow_mut() = Some(Persistent::save(ctx, p.clone().into_value()));
                return Ok((Some(p), ()));
            }
            *slot2.borrow_mut() = Some(Persistent::save(ctx, r));
            Ok((None, ()))
        })?;
        let saved = slot.borrow_mut().take().expect("set by the call");
        self.run(move |ctx| {
            let v = saved.restore(ctx)?;
            let v = match v.as_promise() {
                Some(p) => p.result::<Value>().unwrap_or_else(|| Ok(Value::new_undefined(ctx.clone())))?,
                None => v,
            };
            Ok((None, T::from_js(ctx, v)?))
        })
    }

    /// A hal `Pin` held by the JS expression `expr`, as embedded-hal pins.
    pub fn pin(&self, expr: &str) -> Result<JsPin, JsError> {
        Ok(JsPin { pin: self.object(expr)?, session: self.clone() })
    }

    /// A hal `Serial` held by the JS expression `expr`, as embedded-io Read + Write.
    pub fn serial(&self, expr: &str) -> Result<JsSerial, JsError> {
        Ok(JsSerial { serial: self.object(expr)?, pending: VecDeque::new(), session: self.clone() })
    }

    /// A hal `I2c` held by the JS expression `expr`, as an embedded-hal I2c (7-bit addresses).
    pub fn i2c(&self, expr: &str) -> Result<JsI2c, JsError> {
        Ok(JsI2c { bus: self.object(&format!("{TRANSACT}({expr})"))?, session: self.clone() })
    }

    /// A hal `SpiDevice` held by the JS expression `expr`, as an embedded-hal SpiDevice.
    pub fn spi_device(&self, expr: &str) -> Result<JsSpiDevice, JsError> {
        Ok(JsSpiDevice { device: self.object(&format!("{TRANSACT}({expr})"))?, session: self.clone() })
    }
}

/// Wraps a bus so that a transaction resolves with `{ reads }` or the error's
/// `{ kind, source, message }` instead of rejecting: the bridge needs the kind,
/// which the engine's report of an uncaught error does not keep.
const TRANSACT: &str = "((bus) => ({ async tx(...args) {\
  try { return { reads: await bus.transaction(...args) }; }\
  catch (e) { return { kind: typeof e?.kind === 'string' ? e.kind : 'Other', source: e?.source, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }; } } }))";

/// What a wrapped transaction resolved with.
struct Outcome(Result<Vec<Vec<u8>>, JsError>);

impl<'js> rquickjs::FromJs<'js> for Outcome {
    fn from_js(ctx: &Ctx<'js>, v: Value<'js>) -> rquickjs::Result<Self> {
        let o = Object::from_js(ctx, v)?;
        if let Some(reads) = o.get::<_, Option<rquickjs::Array>>("reads")? {
            let mut out = Vec::with_capacity(reads.len());
            for r in reads.iter::<Value>() {
                out.push(crate::js::native::copy_view(ctx, &r?, "transaction read")?);
            }
            return Ok(Outcome(Ok(out)));
        }
        Ok(Outcome(Err(JsError::Bus {
            kind: o.get::<_, Option<String>>("kind")?.unwrap_or_else(|| "Other".into()),
            ack: o.get::<_, Option<String>>("source")?,
            message: o.get::<_, Option<String>>("message")?.unwrap_or_default(),
        })))
    }
}

/// JS operations from the bytes each Rust operation writes and the lengths it reads.
enum Op {
    Read(usize),
    Write(Vec<u8>),
    Transfer(usize, Vec<u8>),
    TransferInPlace(Vec<u8>),
    DelayNs(u32),
}

fn operations<'js>(ctx: &Ctx<'js>, ops: Vec<Op>) -> rquickjs::Result<Value<'js>> {
    let arr = rquickjs::Array::new(ctx.clone())?;
    for (i, op) in ops.into_iter().enumerate() {
        let o = Object::new(ctx.clone())?;
        let bytes = |b: Vec<u8>| rquickjs::TypedArray::<u8>::new(ctx.clone(), b).map(|t| t.into_value());
        match op {
            Op::Read(n) => o.set("read", n)?,
            Op::Write(b) => o.set("write", bytes(b)?)?,
            Op::Transfer(n, b) => {
                let t = Object::new(ctx.clone())?;
                t.set("read", n)?;
                t.set("write", bytes(b)?)?;
                o.set("transfer", t)?;
            }
            Op::TransferInPlace(b) => o.set("transferInPlace", bytes(b)?)?,
            Op::DelayNs(ns) => o.set("delayNs", ns)?,
        }
        arr.set(i, o)?;
    }
    Ok(arr.into_value())
}

/// An I2C bus written in JavaScript (a hal `I2c`), as an embedded-hal 1.0 I2c.
pub struct JsI2c {
    bus: Persistent<Object<'static>>,
    session: Session,
}

impl embedded_hal::i2c::ErrorType for JsI2c {
    type Error = JsError;
}

impl embedded_hal::i2c::I2c for JsI2c {
    fn transaction(
        &mut self,
        address: u8,
        operations_: &mut [embedded_hal::i2c::Operation<'_>],
    ) -> Result<(), JsError> {
        use embedded_hal::i2c::Operation;
        let ops: Vec<Op> = operations_
            .iter()
            .map(|o| match o {
                Operation::Read(b) => Op::Read(b.len()),
                Operation::Write(b) => Op::Write(b.to_vec()),
            })
            .collect();
        let out: Outcome = self.session.call(&self.bus, "tx", move |ctx| {
            Ok(vec![rquickjs::Value::new_int(ctx.clone(), i32::from(address)), operations(ctx, ops)?])
        })?;
        let mut reads = out.0?.into_iter();
        for o in operations_.iter_mut() {
            if let Operation::Read(buf) = o {
                fill(buf, reads.next())?;
            }
        }
        Ok(())
    }
}

/// Copy what JS read into the caller's buffer; the lengths must agree.
fn fill(buf: &mut [u8], got: Option<Vec<u8>>) -> Result<(), JsError> {
    match got {
        Some(v) if v.len() == buf.len() => {
            buf.copy_from_slice(&v);
            Ok(())
        }
        other => Err(JsError::Js(format!(
            "the JS bus returned {} bytes for a read of {}",
            other.map_or(0, |v| v.len()),
            buf.len()
        ))),
    }
}

/// An SPI device written in JavaScript (a hal `SpiDevice`), as an embedded-hal 1.0 SpiDevice.
pub struct JsSpiDevice {
    device: Persistent<Object<'static>>,
    session: Session,
}

impl embedded_hal::spi::ErrorType for JsSpiDevice {
    type Error = JsError;
}

impl embedded_hal::spi::SpiDevice for JsSpiDevice {
    fn transaction(&mut self, operations_: &mut [embedded_hal::spi::Operation<'_, u8>]) -> Result<(), JsError> {
        use embedded_hal::spi::Operation;
        let ops: Vec<Op> = operations_
            .iter()
            .map(|o| match o {
                Operation::Read(b) => Op::Read(b.len()),
                Operation::Write(b) => Op::Write(b.to_vec()),
                Operation::Transfer(r, w) => Op::Transfer(r.len(), w.to_vec()),
                Operation::TransferInPlace(b) => Op::TransferInPlace(b.to_vec()),
                Operation::DelayNs(ns) => Op::DelayNs(*ns),
            })
            .collect();
        let out: Outcome = self.session.call(&self.device, "tx", move |ctx| Ok(vec![operations(ctx, ops)?]))?;
        let mut reads = out.0?.into_iter();
        for o in operations_.iter_mut() {
            match o {
                Operation::Read(buf) | Operation::Transfer(buf, _) | Operation::TransferInPlace(buf) => {
                    fill(buf, reads.next())?
                }
                Operation::Write(_) | Operation::DelayNs(_) => {}
            }
        }
        Ok(())
    }
}

/// A pin written in JavaScript (a hal `Pin`), as an embedded-hal 1.0 pin.
pub struct JsPin {
    // Dropped before `session`: a saved value must go before its runtime.
    pin: Persistent<Object<'static>>,
    session: Session,
}

impl embedded_hal::digital::ErrorType for JsPin {
    type Error = JsError;
}

impl JsPin {
    fn act(&self, method: &str) -> Result<(), JsError> {
        self.session.call::<()>(&self.pin, method, |_| Ok(vec![]))
    }
    fn ask(&self, method: &str) -> Result<bool, JsError> {
        self.session.call::<bool>(&self.pin, method, |_| Ok(vec![]))
    }
}

impl embedded_hal::digital::OutputPin for JsPin {
    fn set_low(&mut self) -> Result<(), JsError> {
        self.act("setLow")
    }
    fn set_high(&mut self) -> Result<(), JsError> {
        self.act("setHigh")
    }
}

impl embedded_hal::digital::StatefulOutputPin for JsPin {
    fn is_set_high(&mut self) -> Result<bool, JsError> {
        self.ask("isSetHigh")
    }
    fn is_set_low(&mut self) -> Result<bool, JsError> {
        self.ask("isSetLow")
    }
    fn toggle(&mut self) -> Result<(), JsError> {
        self.act("toggle")
    }
}

impl embedded_hal::digital::InputPin for JsPin {
    fn is_high(&mut self) -> Result<bool, JsError> {
        self.ask("isHigh")
    }
    fn is_low(&mut self) -> Result<bool, JsError> {
        self.ask("isLow")
    }
}

/// What `Serial.read()` resolves to: bytes (any view or buffer), or null at the end.
struct Chunk(Option<Vec<u8>>);

impl<'js> rquickjs::FromJs<'js> for Chunk {
    fn from_js(ctx: &Ctx<'js>, v: Value<'js>) -> rquickjs::Result<Self> {
        if v.is_null() || v.is_undefined() {
            return Ok(Chunk(None));
        }
        Ok(Chunk(Some(crate::js::native::copy_view(ctx, &v, "serial read")?)))
    }
}

/// A serial port written in JavaScript (a hal `Serial`), as embedded-io.
pub struct JsSerial {
    serial: Persistent<Object<'static>>,
    /// Bytes received but not yet handed to `read`.
    pending: VecDeque<u8>,
    session: Session,
}

impl embedded_io::ErrorType for JsSerial {
    type Error = JsError;
}

impl embedded_io::Read for JsSerial {
    /// Blocks (running the event loop) until at least one byte arrived.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, JsError> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.pending.is_empty() {
            let chunk: Chunk = self.session.call(&self.serial, "read", |_| Ok(vec![]))?;
            match chunk.0 {
                Some(c) => self.pending.extend(c),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len());
        for (i, b) in self.pending.drain(..n).enumerate() {
            buf[i] = b;
        }
        Ok(n)
    }
}

impl embedded_io::Write for JsSerial {
    /// Resolves when the JS driver has queued all of `buf`.
    fn write(&mut self, buf: &[u8]) -> Result<usize, JsError> {
        let bytes = buf.to_vec();
        self.session.call::<()>(&self.serial, "write", move |ctx| {
            Ok(vec![rquickjs::TypedArray::<u8>::new(ctx.clone(), bytes)?.into_value()])
        })?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), JsError> {
        self.session.call::<()>(&self.serial, "flush", |_| Ok(vec![]))
    }
}
