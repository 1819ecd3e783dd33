//! Worker threads: every worker is its own QuickJS runtime on its own OS
//! thread, booted like a `unode` program (`node:internal/bootstrap/node`)
//! and then driven by an entry module. Threads talk through mailboxes: each
//! JS thread has one (a queue of byte messages and an eventfd that the JS
//! event loop watches). What the bytes mean (structured clone, ports,
//! `node:worker_threads`) is all JavaScript.
//!
//! The entry module (e.g. `node:internal/worker/main`) exports
//! `start()` → promise (runs the worker's program) and
//! `uncaught(error, isRejection)` → `true` when the error was handled inside
//! the worker (it goes on), otherwise the bytes (ArrayBuffer or view) the
//! parent receives with the exit notice (the worker then ends with code 1).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;

use rquickjs::{
    function::Opt, promise::PromiseState, Array, ArrayBuffer, CatchResultExt, CaughtError, Ctx, Error, Exception,
    Function, Module, Object, Promise, Result, Value,
};

use super::modules;
use crate::engine::{self, Options};
use crate::js::ffi;
use crate::sys::{self, process as host};

/// What a mailbox holds.
enum Item {
    /// Bytes posted by thread `from`, in parts (each becomes its own ArrayBuffer).
    Message { from: u32, parts: Vec<Vec<u8>> },
    /// Child `from` ended: its exit code, the bytes its entry module gave for
    /// an uncaught error, or a host-made description of what went wrong.
    Exit { from: u32, code: i32, error: Option<Vec<u8>>, text: Option<String> },
}

struct Mailbox {
    queue: Mutex<VecDeque<Item>>,
    /// Counts posts; readable while something may be queued.
    signal: File,
}

impl Mailbox {
    fn new() -> std::io::Result<Mailbox> {
        Ok(Mailbox { queue: Mutex::new(VecDeque::new()), signal: sys::eventfd_file()? })
    }

    fn push(&self, item: Item) {
        lock(&self.queue).push_back(item);
        self.wake();
    }

    fn wake(&self) {
        // The counter cannot overflow in practice; a full counter still leaves the fd readable.
        let _ = (&self.signal).write(&1u64.to_ne_bytes());
    }
}

struct ThreadRec {
    id: u32,
    parent: Option<u32>,
    mailbox: Mailbox,
    /// Set by `threadStop`: the runtime's interrupt handler then stops its JS.
    stop: AtomicBool,
    /// The exit code reported after a stop.
    stop_code: AtomicI32,
    /// The OS thread while it runs, so that a stop can knock it out of a blocking call.
    os_thread: Mutex<Option<libc::pthread_t>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn threads() -> MutexGuard<'static, HashMap<u32, Arc<ThreadRec>>> {
    static THREADS: OnceLock<Mutex<HashMap<u32, Arc<ThreadRec>>>> = OnceLock::new();
    lock(THREADS.get_or_init(|| Mutex::new(HashMap::new())))
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

thread_local! {
    /// This thread's record (created on first use on the main JS thread).
    static CURRENT: RefCell<Option<Arc<ThreadRec>>> = const { RefCell::new(None) };
    /// The heap limit this thread's runtime has (workers inherit it).
    static HEAP_LIMIT_MB: Cell<Option<usize>> = const { Cell::new(None) };
    /// Workers this thread started, joined once their exit notice is read.
    static CHILDREN: RefCell<HashMap<u32, JoinHandle<()>>> = RefCell::new(HashMap::new());
}

fn current(ctx: &Ctx<'_>) -> Result<Arc<ThreadRec>> {
    if let Some(rec) = CURRENT.with(|c| c.borrow().clone()) {
        return Ok(rec);
    }
    // The main JS thread: id 0, as Node numbers it.
    let mailbox =
        Mailbox::new().map_err(|e| Exception::throw_message(ctx, &format!("cannot create an eventfd: {e}")))?;
    let mut all = threads();
    let id = if all.contains_key(&0) { NEXT_ID.fetch_add(1, Ordering::SeqCst) } else { 0 };
    let rec = Arc::new(ThreadRec {
        id,
        parent: None,
        mailbox,
        stop: AtomicBool::new(false),
        stop_code: AtomicI32::new(1),
        os_thread: Mutex::new(None),
    });
    all.insert(id, rec.clone());
    drop(all);
    HEAP_LIMIT_MB.with(|l| l.set(main_heap_limit()));
    CURRENT.with(|c| *c.borrow_mut() = Some(rec.clone()));
    Ok(rec)
}

/// The main runtime's `--memory-limit` / `--max-old-space-size`, read from
/// the command line (the engine does not keep its options anywhere JS can reach).
fn main_heap_limit() -> Option<usize> {
    const WITH_VALUE: &[&str] = &[
        "-e",
        "--eval",
        "-p",
        "--print",
        "-pe",
        "-r",
        "--require",
        "--input-type",
        "--timeout",
        "--stack-size",
        "--max-semi-space-size",
        "--conditions",
        "-C",
        "--title",
        "--board",
        "--backend",
        "--drivers",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut limit = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if i == 0 && (a == "node" || a == "run") {
            i += 1;
            continue;
        }
        if !a.starts_with('-') || a == "--" {
            break;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a, None),
        };
        if flag == "--memory-limit" || flag == "--max-old-space-size" {
            let v = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i).cloned().unwrap_or_default()
                }
            };
            limit = v.parse().ok();
        } else if inline.is_none() && WITH_VALUE.contains(&flag) {
            i += 1;
        }
        i += 1;
    }
    limit
}

fn parts_of<'js>(ctx: &Ctx<'js>, v: &Value<'js>, what: &str) -> Result<Vec<Vec<u8>>> {
    let Some(list) = v.as_array() else {
        return Err(Exception::throw_type(ctx, &format!("{what}: expected an array of ArrayBuffers or views")));
    };
    let mut parts = Vec::with_capacity(list.len());
    for item in list.iter::<Value>() {
        parts.push(crate::js::native::copy_view(ctx, &item?, what)?);
    }
    Ok(parts)
}

fn positive_mb(ctx: &Ctx<'_>, limits: &Object<'_>, key: &str) -> Result<Option<usize>> {
    let v: Value = limits.get(key)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_number() {
        Some(n) if n.is_finite() && n > 0.0 && n <= (1u64 << 30) as f64 => Ok(Some(n.ceil() as usize)),
        _ => Err(Exception::throw_range(ctx, &format!("threadStart: {key} must be a positive number of MiB"))),
    }
}

/// `threadSelf()`: `{ id, parent, fd }` of the calling thread (parent -1 on the main thread).
pub fn js_thread_self<'js>(ctx: Ctx<'js>) -> Result<Object<'js>> {
    let me = current(&ctx)?;
    let o = Object::new(ctx.clone())?;
    o.set("id", me.id)?;
    o.set("parent", me.parent.map_or(-1, i64::from))?;
    o.set("fd", me.mailbox.signal.as_raw_fd())?;
    Ok(o)
}

/// `threadStart(entry, parts, limits?)`: start a worker running module `entry`; `parts` is its first message.
pub fn js_thread_start<'js>(ctx: Ctx<'js>, entry: String, parts: Value<'js>, limits: Opt<Object<'js>>) -> Result<u32> {
    let me = current(&ctx)?;
    if !modules::is_builtin_name(&entry) {
        return Err(Exception::throw_type(
            &ctx,
            "threadStart: the entry must be a built-in module (node:... or jsk:...)",
        ));
    }
    let parts = parts_of(&ctx, &parts, "threadStart")?;
    let (mut heap, mut stack) = (HEAP_LIMIT_MB.with(Cell::get), None);
    if let Some(l) = &limits.0 {
        heap = positive_mb(&ctx, l, "memoryLimitMb")?.or(heap);
        stack = positive_mb(&ctx, l, "stackSizeMb")?;
    }
    let stack_limit = stack.map_or(crate::JS_STACK_LIMIT, |mb| mb << 20);
    let thread_stack = crate::JS_THREAD_STACK.max(stack_limit.saturating_mul(4));
    let mailbox =
        Mailbox::new().map_err(|e| Exception::throw_message(&ctx, &format!("cannot create an eventfd: {e}")))?;
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    let rec = Arc::new(ThreadRec {
        id,
        parent: Some(me.id),
        mailbox,
        stop: AtomicBool::new(false),
        stop_code: AtomicI32::new(1),
        os_thread: Mutex::new(None),
    });
    rec.mailbox.push(Item::Message { from: me.id, parts });
    threads().insert(id, rec.clone());
    sys::install_wake_handler();
    let opts = Options { timeout: None, memory_limit_mb: heap, stack_limit: None };
    // Signals go to the main JS thread, as in Node; a worker keeps only the
    // wake signal (threadStop interrupts its blocking calls with it).
    let spawned = sys::with_signals_blocked(|| {
        std::thread::Builder::new().name(format!("jsk-worker-{id}")).stack_size(thread_stack).spawn(move || {
            sys::unblock_signals(true);
            worker_thread(rec, entry, opts, stack_limit)
        })
    });
    match spawned {
        Ok(handle) => {
            CHILDREN.with(|c| c.borrow_mut().insert(id, handle));
            Ok(id)
        }
        Err(e) => {
            threads().remove(&id);
            Err(Exception::throw_message(&ctx, &format!("cannot start a worker thread: {e}")))
        }
    }
}

/// `threadPost(id, parts)`: queue a message for thread `id`; false if that thread is gone.
pub fn js_thread_post<'js>(ctx: Ctx<'js>, id: u32, parts: Value<'js>) -> Result<bool> {
    let me = current(&ctx)?;
    let parts = parts_of(&ctx, &parts, "threadPost")?;
    let Some(to) = threads().get(&id).cloned() else {
        return Ok(false);
    };
    to.mailbox.push(Item::Message { from: me.id, parts });
    Ok(true)
}

/// `threadReceive()`: everything queued for this thread, oldest first, as
/// `[from, 0, [ArrayBuffer...]]` (a message) or `[from, 1, error, code]`
/// (child `from` ended; error is an ArrayBuffer, a string or undefined).
pub fn js_thread_receive<'js>(ctx: Ctx<'js>) -> Result<Array<'js>> {
    let me = current(&ctx)?;
    let mut counter = [0u8; 8];
    // Reset the counter before draining, so that a post racing with us leaves the fd readable.
    let _ = (&me.mailbox.signal).read(&mut counter);
    let items: Vec<Item> = lock(&me.mailbox.queue).drain(..).collect();
    let out = Array::new(ctx.clone())?;
    for (i, item) in items.into_iter().enumerate() {
        let entry = Array::new(ctx.clone())?;
        match item {
            Item::Message { from, parts } => {
                entry.set(0, from)?;
                entry.set(1, 0)?;
                let list = Array::new(ctx.clone())?;
                for (j, p) in parts.into_iter().enumerate() {
                    list.set(j, ArrayBuffer::new(ctx.clone(), p)?)?;
                }
                entry.set(2, list)?;
            }
            Item::Exit { from, code, error, text } => {
                if let Some(handle) = CHILDREN.with(|c| c.borrow_mut().remove(&from)) {
                    // It posted this notice as its last act; a panic was caught inside.
                    let _ = handle.join();
                }
                entry.set(0, from)?;
                entry.set(1, 1)?;
                match (error, text) {
                    (Some(bytes), _) => entry.set(2, ArrayBuffer::new(ctx.clone(), bytes)?)?,
                    (None, Some(t)) => entry.set(2, t)?,
                    (None, None) => entry.set(2, Value::new_undefined(ctx.clone()))?,
                }
                entry.set(3, code)?;
            }
        }
        out.set(i, entry)?;
    }
    Ok(out)
}

/// `threadStop(id, code = 1)`: stop worker `id` (its JS is interrupted, even
/// in a busy loop) and report `code` as its exit code; false if it is gone.
pub fn js_thread_stop<'js>(ctx: Ctx<'js>, id: u32, code: Opt<i32>) -> Result<bool> {
    let me = current(&ctx)?;
    let Some(rec) = threads().get(&id).cloned() else {
        return Ok(false);
    };
    if rec.parent.is_none() {
        return Err(Exception::throw_range(&ctx, "threadStop: the main thread cannot be stopped"));
    }
    if !rec.stop.swap(true, Ordering::SeqCst) {
        rec.stop_code.store(code.0.unwrap_or(1), Ordering::SeqCst);
    }
    rec.mailbox.wake();
    if rec.id != me.id {
        // Held while signalling: the thread clears it (under the lock) before it ends.
        if let Some(t) = *lock(&rec.os_thread) {
            sys::wake_thread(t);
        }
    }
    Ok(true)
}

/// How a worker ended.
struct Outcome {
    code: i32,
    error: Option<Vec<u8>>,
    text: Option<String>,
    /// The error was null: what QuickJS throws when even its "out of memory"
    /// error could not be allocated. Decided once the JS is done, from the heap's use.
    maybe_oom: bool,
}

impl Outcome {
    fn failed(text: String) -> Outcome {
        Outcome { code: 1, error: None, text: Some(text), maybe_oom: false }
    }

    fn exit(code: i32) -> Outcome {
        Outcome { code, error: None, text: None, maybe_oom: false }
    }
}

fn worker_thread(rec: Arc<ThreadRec>, entry: String, opts: Options, stack_limit: usize) {
    *lock(&rec.os_thread) = Some(sys::current_thread());
    CURRENT.with(|c| *c.borrow_mut() = Some(rec.clone()));
    HEAP_LIMIT_MB.with(|l| l.set(opts.memory_limit_mb));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run_worker(&rec, &entry, &opts, stack_limit)))
        .unwrap_or_else(|p| {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".into());
            Outcome::failed(format!("the worker's thread failed (internal error: {why})"))
        });
    *lock(&rec.os_thread) = None;
    // Workers this one started end with it, as in Node.
    let children: Vec<Arc<ThreadRec>> = threads().values().filter(|t| t.parent == Some(rec.id)).cloned().collect();
    for child in children {
        child.stop.store(true, Ordering::SeqCst);
        child.mailbox.wake();
        if let Some(t) = *lock(&child.os_thread) {
            sys::wake_thread(t);
        }
    }
    CHILDREN.with(|c| c.borrow_mut().clear());
    let parent = {
        let mut all = threads();
        all.remove(&rec.id);
        rec.parent.and_then(|p| all.get(&p).cloned())
    };
    if let Some(parent) = parent {
        parent.mailbox.push(Item::Exit { from: rec.id, code: outcome.code, error: outcome.error, text: outcome.text });
    }
    CURRENT.with(|c| c.borrow_mut().take());
}

fn run_worker(rec: &Arc<ThreadRec>, entry: &str, opts: &Options, stack_limit: usize) -> Outcome {
    let (rt, context) = match engine::new_runtime(opts, stack_limit) {
        Ok(x) => x,
        Err(e) => return Outcome::failed(e),
    };
    let me = rec.clone();
    rt.set_interrupt_handler(Some(Box::new(move || host::must_stop() || me.stop.load(Ordering::Relaxed))));
    let mut outcome = context.with(|ctx| match Driver::boot(&ctx, rec, entry) {
        Ok(driver) => driver.run(),
        // Stopped before its program started (as Node, exit code 0).
        Err(_) if rec.stop.load(Ordering::SeqCst) => Outcome::exit(0),
        Err(e) => Outcome::failed(e),
    });
    if outcome.maybe_oom && opts.memory_limit_mb.is_some() {
        let usage = rt.memory_usage();
        if usage.malloc_limit > 0 && usage.malloc_size.saturating_mul(10) >= usage.malloc_limit.saturating_mul(9) {
            outcome = out_of_memory();
        }
    }
    drop(context);
    drop(rt);
    outcome
}

/// What to do after an error reached the top of the worker.
enum Flow {
    Go,
    End(Outcome),
}

struct Driver<'js> {
    ctx: Ctx<'js>,
    rec: Arc<ThreadRec>,
    tick: Function<'js>,
    step: Function<'js>,
    emit_exit: Function<'js>,
    uncaught: Function<'js>,
    unhandled: Object<'js>,
    main: Promise<'js>,
}

impl<'js> Driver<'js> {
    fn boot(ctx: &Ctx<'js>, rec: &Arc<ThreadRec>, entry: &str) -> std::result::Result<Driver<'js>, String> {
        let import = |name: &str| -> Result<Object<'js>> {
            let p = Module::import(ctx, name)?;
            while ctx.execute_pending_job() {}
            p.finish::<Object>()
        };
        let setup = (|| -> Result<(Object<'js>, Object<'js>, Object<'js>)> {
            modules::install_records(ctx)?;
            if ctx.globals().get::<_, Value>(engine::UNHANDLED)?.is_undefined() {
                ctx.globals().set(engine::UNHANDLED, ctx.eval::<Value, _>("new Map()")?)?;
            }
            let boot = import("node:internal/bootstrap/node")?;
            let main = import(entry)?;
            Ok((boot, main, ctx.globals().get(engine::UNHANDLED)?))
        })();
        let (boot, main, unhandled) = setup.catch(ctx).map_err(|e| format!("the worker's bootstrap failed: {e}"))?;
        let get = |ns: &Object<'js>, name: &str| -> std::result::Result<Function<'js>, String> {
            ns.get::<_, Function>(name).map_err(|e| format!("the worker's bootstrap lacks {name}: {e}"))
        };
        let start = get(&main, "start")?;
        let driver = Driver {
            ctx: ctx.clone(),
            rec: rec.clone(),
            tick: get(&boot, "tick")?,
            step: get(&boot, "step")?,
            emit_exit: get(&boot, "emitExit")?,
            uncaught: get(&main, "uncaught")?,
            unhandled,
            main: ctx.eval::<Promise, _>("Promise.resolve()").map_err(|e| e.to_string())?,
        };
        let main = match start.call::<_, Promise>(()).catch(ctx) {
            Ok(p) => p,
            Err(e) => {
                let v = match e {
                    CaughtError::Exception(e) => e.into_value(),
                    CaughtError::Value(v) => v,
                    CaughtError::Error(e) => return Err(format!("the worker's entry failed: {e}")),
                };
                let reject: Function = ctx.eval("(e) => Promise.reject(e)").map_err(|e| e.to_string())?;
                reject.call((v,)).map_err(|e| e.to_string())?
            }
        };
        Ok(Driver { main, ..driver })
    }

    fn stopped(&self) -> Option<Outcome> {
        if self.rec.stop.load(Ordering::SeqCst) {
            return Some(Outcome::exit(self.rec.stop_code.load(Ordering::SeqCst)));
        }
        if host::TIMED_OUT.load(Ordering::SeqCst) || host::termination_signal() != 0 {
            return Some(Outcome::failed("the process is stopping".into()));
        }
        None
    }

    /// An error that reached the top: the entry module decides whether the worker goes on.
    fn failure(&self, err: CaughtError<'js>, rejection: bool) -> Flow {
        if let Some(o) = self.stopped() {
            return Flow::End(o);
        }
        let value = match err {
            CaughtError::Exception(e) => e.into_value(),
            CaughtError::Value(v) => v,
            CaughtError::Error(Error::Allocation) => return Flow::End(out_of_memory()),
            CaughtError::Error(e) => return Flow::End(Outcome::failed(format!("jsk: {e}"))),
        };
        if let Some(o) = value.as_object() {
            let msg: Option<String> = o.get("message").ok();
            let name: Option<String> = o.get("name").ok();
            if msg.as_deref() == Some("out of memory") && name.as_deref() == Some("InternalError") {
                return Flow::End(out_of_memory());
            }
        }
        let maybe_oom = value.is_null();
        let mut outcome = match self.uncaught.call::<_, Value>((value, rejection)).catch(&self.ctx) {
            Ok(v) if v.as_bool() == Some(true) => return Flow::Go,
            Ok(v) => match crate::js::native::copy_view(&self.ctx, &v, "uncaught") {
                Ok(bytes) => Outcome { code: 1, error: Some(bytes), text: None, maybe_oom: false },
                Err(_) => Outcome::failed("the worker failed (and reporting its error failed)".into()),
            },
            Err(e) => match self.stopped() {
                Some(o) => return Flow::End(o),
                None => Outcome::failed(format!("the worker failed, and reporting its error failed: {e}")),
            },
        };
        outcome.maybe_oom = maybe_oom;
        Flow::End(outcome)
    }

    /// One round of nextTicks and microtasks; the first error that escapes.
    fn jobs(&self) -> std::result::Result<(), CaughtError<'js>> {
        self.tick.call::<_, ()>(()).catch(&self.ctx)?;
        loop {
            match ffi::execute_pending_job(&self.ctx) {
                Ok(true) => continue,
                Ok(false) => return Ok(()),
                Err(ffi::JobThrew) => return Err(caught(self.ctx.catch())),
            }
        }
    }

    fn take_unhandled(&self) -> Option<Value<'js>> {
        let delete: Function = self.unhandled.get("delete").ok()?;
        let _ = delete.call::<_, Value>((rquickjs::function::This(self.unhandled.clone()), self.main.clone()));
        if self.unhandled.get::<_, usize>("size").unwrap_or(0) == 0 {
            return None;
        }
        let first: Function =
            self.ctx.eval("(m) => { const [p, r] = m.entries().next().value; m.delete(p); return r; }").ok()?;
        first.call((self.unhandled.clone(),)).ok()
    }

    fn run(self) -> Outcome {
        let mut main_seen = false;
        let end = loop {
            if let Err(e) = self.jobs() {
                match self.failure(e, false) {
                    Flow::Go => continue,
                    Flow::End(o) => break Some(o),
                }
            }
            if let Some(o) = self.stopped() {
                break Some(o);
            }
            if !main_seen && self.main.state() != PromiseState::Pending {
                main_seen = true;
                if self.main.state() == PromiseState::Rejected {
                    let v = match self.main.result::<Value>() {
                        Some(Err(Error::Exception)) => self.ctx.catch(),
                        _ => Value::new_undefined(self.ctx.clone()),
                    };
                    match self.failure(caught(v), false) {
                        Flow::Go => continue,
                        Flow::End(o) => break Some(o),
                    }
                }
            }
            if let Some(reason) = self.take_unhandled() {
                match self.failure(caught(reason), true) {
                    Flow::Go => continue,
                    Flow::End(o) => break Some(o),
                }
            }
            match self.step.call::<_, bool>(()).catch(&self.ctx) {
                Ok(true) => {}
                Ok(false) if ffi::job_pending(&self.ctx) => {}
                // Done, unless the last callback left a rejection nobody handled.
                Ok(false) => match self.take_unhandled() {
                    None => break None,
                    Some(reason) => match self.failure(caught(reason), true) {
                        Flow::Go => {}
                        Flow::End(o) => break Some(o),
                    },
                },
                Err(e) => match self.failure(e, false) {
                    Flow::Go => {}
                    Flow::End(o) => break Some(o),
                },
            }
        };
        match end {
            // Stopped (terminate() or process.exit()): no more JS.
            Some(o) if self.rec.stop.load(Ordering::SeqCst) => o,
            Some(o) if o.text.is_some() && o.error.is_none() => o,
            Some(o) => {
                let _ = self.emit_exit.call::<_, i32>((1,)).catch(&self.ctx);
                o
            }
            None => match self.emit_exit.call::<_, i32>((0,)).catch(&self.ctx) {
                Ok(code) => Outcome::exit(code),
                Err(e) => match self.stopped() {
                    Some(o) => o,
                    None => match self.failure(e, false) {
                        Flow::End(o) => o,
                        Flow::Go => Outcome::exit(1),
                    },
                },
            },
        }
    }
}

fn out_of_memory() -> Outcome {
    Outcome::failed(
        "ERR_WORKER_OUT_OF_MEMORY: Worker terminated due to reaching memory limit: JS heap out of memory".into(),
    )
}

fn caught(v: Value<'_>) -> CaughtError<'_> {
    match v.clone().into_exception() {
        Some(e) => CaughtError::Exception(e),
        None => CaughtError::Value(v),
    }
}
