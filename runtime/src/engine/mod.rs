//! The engine: one QuickJS runtime per JS thread (its module loader is
//! `modules`, its worker threads `workers`, the `jsk:native` module it gives
//! every context `native_module`), the run loop that drives microtasks and
//! the JS event loop, and the reporting of errors and limits.

pub mod modules;
pub mod native_module;
pub mod workers;

use std::path::Path;
use std::time::Duration;

use rquickjs::{
    promise::PromiseState, CatchResultExt, CaughtError, Context, Ctx, Error, Function, Module, Object, Promise, Result,
    Runtime, Value,
};

use crate::js::ffi;
use crate::sys::process as host;
pub use modules::{builtin_modules, normalize};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Stop the script after this long (exit 124).
    pub timeout: Option<Duration>,
    /// Cap on the JS heap, in MiB.
    pub memory_limit_mb: Option<usize>,
    /// How much of the JS thread's stack QuickJS may use, in bytes (default
    /// [`crate::JS_STACK_LIMIT`]); deeper recursion is a RangeError.
    pub stack_limit: Option<usize>,
}

impl Options {
    /// The most `--stack-size` takes: half of the JS thread's stack (the rest is headroom for
    /// native frames).
    pub const MAX_STACK_KB: usize = crate::JS_THREAD_STACK / 2 / 1024;

    /// `--stack-size KB` (jsk run, and unode as Node's V8 option), 1 to [`Self::MAX_STACK_KB`].
    pub fn set_stack_size_kb(&mut self, kb: &str) -> std::result::Result<(), String> {
        let max = Self::MAX_STACK_KB;
        match kb.parse::<usize>() {
            Ok(k) if (1..=max).contains(&k) => {
                self.stack_limit = Some(k * 1024);
                Ok(())
            }
            _ => Err(format!("--stack-size {kb}: a number of KiB from 1 to {max}")),
        }
    }
}

/// What to run: a jsk module, a `jsk:test` file, or a Node program (unode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Run,
    Test,
    Node(NodeEntry),
}

/// What `unode` runs: a file (CommonJS or ES module, by Node's rules) or `-e`/`-p` code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeEntry {
    File { path: String, preload: Vec<String> },
    Eval { code: String, print: bool, module: bool, preload: Vec<String> },
}

impl NodeEntry {
    /// The main module's name: unode's launcher, or `-e` code given as an ES module.
    fn main_name(&self) -> String {
        match self {
            NodeEntry::Eval { module: true, .. } => "[eval].mjs".into(),
            _ => "node:internal/main".into(),
        }
    }

    /// The ES module the host evaluates as main: it hands the entry to unode.
    fn main_source(&self) -> String {
        let json = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        let preload = |p: &[String]| serde_json::to_string(p).unwrap_or_else(|_| "[]".into());
        match self {
            NodeEntry::File { path, preload: p } => format!(
                "import {{ runMain }} from \"node:internal/modules/run_main\";\nawait runMain({}, {});\n",
                json(path),
                preload(p)
            ),
            NodeEntry::Eval { code, module: true, .. } => code.clone(),
            NodeEntry::Eval { code, print, module, preload: p } => format!(
                "import {{ runEval }} from \"node:internal/modules/run_main\";\nawait runEval({}, {print}, {module}, {});\n",
                json(code),
                preload(p)
            ),
        }
    }
}

/// Exit codes, as Node uses them where it has one.
pub const EXIT_ERROR: i32 = 1;
pub const EXIT_UNSETTLED: i32 = 13;

/// Why the run ended early.
pub(crate) enum Stop {
    /// SIGINT, SIGTERM or SIGHUP arrived.
    Signal(i32),
    /// An error to report, then exit 1.
    Uncaught(String),
    Timeout,
    OutOfMemory,
}

/// One booted context's event loop: the JS functions the run loop calls
/// (`step`, error formatting, the exit event) and the limits it enforces.
pub(crate) struct EventLoop<'js> {
    ctx: Ctx<'js>,
    opts: Options,
    step: Function<'js>,
    format_error: Function<'js>,
    emit_exit: Function<'js>,
    /// unode: Node's nextTick queue and the microtasks, run as Node runs them.
    tick: Option<Function<'js>>,
    /// unode: `uncaught(error, isRejection, promise)` → true when a process
    /// listener (`uncaughtException`, `unhandledRejection`) took the error and
    /// the program goes on, as in Node.
    uncaught: Option<Function<'js>>,
    unhandled: Object<'js>,
}

impl<'js> EventLoop<'js> {
    pub(crate) fn describe(&self, err: CaughtError<'js>) -> Stop {
        if host::TIMED_OUT.load(std::sync::atomic::Ordering::SeqCst) {
            return Stop::Timeout;
        }
        if host::termination_signal() != 0 {
            return Stop::Signal(host::termination_signal());
        }
        let value = match err {
            CaughtError::Exception(e) => e.into_value(),
            CaughtError::Value(v) => v,
            CaughtError::Error(Error::Allocation) => return Stop::OutOfMemory,
            CaughtError::Error(e) => return Stop::Uncaught(format!("jsk: {e}")),
        };
        if let Some(o) = value.as_object() {
            let msg: Option<String> = o.get("message").ok();
            let name: Option<String> = o.get("name").ok();
            if msg.as_deref() == Some("out of memory") && name.as_deref() == Some("InternalError") {
                return Stop::OutOfMemory;
            }
        }
        match self.format_error.call::<_, String>((value,)) {
            Ok(s) => Stop::Uncaught(s),
            Err(_) => Stop::Uncaught("Uncaught exception (and formatting it failed)".into()),
        }
    }

    /// The text `report` would print.
    pub(crate) fn message(&self, stop: &Stop) -> String {
        match stop {
            Stop::Uncaught(msg) => msg.clone(),
            Stop::Timeout => host::timeout_message(self.opts.timeout.map(|t| t.as_secs_f64()).unwrap_or(0.0)),
            Stop::Signal(sig) => format!("jsk: stopped by {}", host::signal_name(*sig)),
            Stop::OutOfMemory => "jsk: out of memory".into(),
        }
    }

    fn report(&self, stop: Stop) -> i32 {
        match stop {
            Stop::Uncaught(msg) => {
                eprintln!("{msg}");
                EXIT_ERROR
            }
            Stop::Timeout => {
                let secs = self.opts.timeout.map(|t| t.as_secs_f64()).unwrap_or(0.0);
                eprintln!("{}", host::timeout_message(secs));
                host::TIMEOUT_EXIT
            }
            Stop::Signal(sig) => {
                eprintln!("jsk: stopped by {}: removing drivers", host::signal_name(sig));
                128 + sig
            }
            Stop::OutOfMemory => {
                match self.opts.memory_limit_mb {
                    Some(mb) => eprintln!("jsk: out of memory: the script exceeded --memory-limit {mb} MB"),
                    None => eprintln!("jsk: out of memory"),
                }
                EXIT_ERROR
            }
        }
    }

    fn timed_out(&self) -> bool {
        host::TIMED_OUT.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Run every queued microtask; stop at the first that throws.
    fn drain_jobs(&self) -> std::result::Result<(), CaughtError<'js>> {
        if let Some(tick) = &self.tick {
            tick.call::<_, ()>(()).catch(&self.ctx)?;
        }
        loop {
            match ffi::execute_pending_job(&self.ctx) {
                Ok(true) => continue,
                Ok(false) => return Ok(()),
                Err(_) => return Err(value_to_caught(self.ctx.catch())),
            }
        }
    }

    /// A rejection nobody handled by the time the microtasks ran out, as
    /// `(promise, reason)`, taken out of the table. `main` is left out: it is
    /// reported on its own, as an uncaught exception.
    fn take_unhandled(&self, main: &Promise<'js>) -> Option<(Value<'js>, Value<'js>)> {
        let delete: Function = self.unhandled.get("delete").ok()?;
        let _ = delete.call::<_, Value>((rquickjs::function::This(self.unhandled.clone()), main.clone()));
        if self.unhandled.get::<_, usize>("size").unwrap_or(0) == 0 {
            return None;
        }
        let first: Function =
            self.ctx.eval("(m) => { const [p, r] = m.entries().next().value; m.delete(p); return [p, r]; }").ok()?;
        let pair: rquickjs::Array = first.call((self.unhandled.clone(),)).ok()?;
        Some((pair.get(0).ok()?, pair.get(1).ok()?))
    }

    fn rejection_value(&self, p: &Promise<'js>) -> Value<'js> {
        match p.result::<Value>() {
            Some(Err(Error::Exception)) => self.ctx.catch(),
            _ => Value::new_undefined(self.ctx.clone()),
        }
    }

    /// An error reached the top (`promise` is set for an unhandled rejection):
    /// Ok when the program's `uncaught` hook took it, else what stops the run.
    fn failure(&self, err: CaughtError<'js>, promise: Option<Value<'js>>) -> std::result::Result<(), Stop> {
        let is_rejection = promise.is_some();
        let stop = |e: CaughtError<'js>| match self.describe(e) {
            Stop::Uncaught(msg) if is_rejection => Stop::Uncaught(format!("Unhandled promise rejection: {msg}")),
            other => other,
        };
        let Some(hook) = &self.uncaught else { return Err(stop(err)) };
        let value = match err {
            CaughtError::Exception(e) => e.into_value(),
            CaughtError::Value(v) => v,
            other => return Err(self.describe(other)),
        };
        // Out of memory, the timeout and a termination signal end the run whatever JS wants.
        match self.describe(value_to_caught(value.clone())) {
            Stop::Uncaught(_) => {}
            other => return Err(other),
        }
        let promise = promise.unwrap_or_else(|| Value::new_undefined(self.ctx.clone()));
        match hook.call::<_, bool>((value.clone(), is_rejection, promise)).catch(&self.ctx) {
            Ok(true) => Ok(()),
            Ok(false) => Err(stop(value_to_caught(value))),
            // A listener threw: that error ends the program.
            Err(e) => Err(self.describe(e)),
        }
    }

    /// Drive microtasks and the JS event loop until `until` settles and nothing
    /// is pending, or something fails.
    pub(crate) fn run_until(&self, until: &Promise<'js>) -> std::result::Result<(), Stop> {
        let mut until_seen = false;
        loop {
            if let Err(e) = self.drain_jobs() {
                self.failure(e, None)?;
                continue;
            }
            if self.timed_out() {
                return Err(Stop::Timeout);
            }
            if host::termination_signal() != 0 {
                return Err(Stop::Signal(host::termination_signal()));
            }
            if !until_seen && until.state() == PromiseState::Rejected {
                until_seen = true;
                self.failure(value_to_caught(self.rejection_value(until)), None)?;
                continue;
            }
            if let Some((promise, reason)) = self.take_unhandled(until) {
                self.failure(value_to_caught(reason), Some(promise))?;
                continue;
            }
            match self.step.call::<_, bool>(()).catch(&self.ctx) {
                // Done, unless the last callback left a rejection nobody handled.
                Ok(more) if !more && !ffi::job_pending(&self.ctx) => {
                    let Some((promise, reason)) = self.take_unhandled(until) else { break };
                    self.failure(value_to_caught(reason), Some(promise))?;
                }
                Ok(_) => {}
                Err(e) => self.failure(e, None)?,
            }
        }
        if self.timed_out() {
            return Err(Stop::Timeout);
        }
        if host::termination_signal() != 0 {
            return Err(Stop::Signal(host::termination_signal()));
        }
        match until.state() {
            // A rejection that reached this point was taken by the `uncaught` hook.
            PromiseState::Resolved | PromiseState::Rejected => Ok(()),
            PromiseState::Pending => Err(Stop::Uncaught(
                "jsk: the script's top-level await never settled: nothing left that could settle it".into(),
            )),
        }
    }
}

fn value_to_caught(v: Value<'_>) -> CaughtError<'_> {
    match v.clone().into_exception() {
        Some(e) => CaughtError::Exception(e),
        None => CaughtError::Value(v),
    }
}

/// Format a syntax error raised while compiling `file` as `FILE:LINE:COL: message`.
fn syntax_error_text(ctx: &Ctx<'_>, file: &str, err: Error) -> String {
    let v = ctx.catch();
    if let Some(o) = v.as_object() {
        let name: String = o.get("name").unwrap_or_default();
        let message: String = o.get("message").unwrap_or_default();
        let stack: String = o.get("stack").unwrap_or_default();
        // QuickJS puts the position of a parse error in the first stack frame.
        let pos = stack
            .lines()
            .find_map(|l| l.trim().strip_prefix("at "))
            .map(|l| l.trim_start_matches('(').trim_end_matches(')').to_string())
            .unwrap_or_else(|| file.to_string());
        return format!("{pos}: {name}: {message}");
    }
    format!("{file}: {err}")
}

/// A QuickJS runtime and context set up the jsk way: limits, the `jsk:`
/// loader, rejection tracking and the timeout interrupt.
pub(crate) fn new_runtime(opts: &Options, stack_limit: usize) -> std::result::Result<(Runtime, Context), String> {
    let rt = Runtime::new().map_err(|e| format!("cannot start QuickJS: {e}"))?;
    if let Some(mb) = opts.memory_limit_mb {
        rt.set_memory_limit(mb.saturating_mul(1 << 20));
    }
    rt.set_max_stack_size(stack_limit);
    rt.set_interrupt_handler(Some(Box::new(host::must_stop)));
    rt.set_loader(modules::JskResolver, modules::JskLoader);
    rt.set_host_promise_rejection_tracker(Some(Box::new(|ctx, promise, reason, handled| {
        let Ok(map) = ctx.globals().get::<_, Object>(UNHANDLED) else { return };
        let method = if handled { "delete" } else { "set" };
        if let Ok(f) = map.get::<_, Function>(method) {
            let _ = f.call::<_, Value>((rquickjs::function::This(map.clone()), promise, reason));
        }
    })));
    let context = Context::full(&rt).map_err(|e| format!("cannot create a JS context: {e}"))?;
    Ok((rt, context))
}

/// Run `file` as the main module; returns the process exit code.
pub fn run_file(file: &str, mode: Mode, opts: Options) -> i32 {
    let (_rt, context) = match new_runtime(&opts, opts.stack_limit.unwrap_or(crate::JS_STACK_LIMIT)) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("jsk: {e}");
            return EXIT_ERROR;
        }
    };
    if let Some(t) = opts.timeout {
        host::start_watchdog(t);
    }
    host::install_termination_handlers();
    context.with(|ctx| run_in(&ctx, file, mode, opts))
}

/// Hidden global holding the rejections not yet handled (promise -> reason).
pub(crate) const UNHANDLED: &str = "__jskUnhandledRejections";

/// Evaluate the bootstrap (`jsk:globals`) and collect the hooks the host calls.
pub(crate) fn boot<'js>(ctx: &Ctx<'js>, opts: Options) -> std::result::Result<EventLoop<'js>, String> {
    boot_with(ctx, opts, "jsk:globals")
}

/// The bootstrap module of each mode: it installs the globals and exports the
/// hooks the host calls (`step`, `formatError`, `emitExit`, optionally `tick`).
fn bootstrap_module(mode: &Mode) -> &'static str {
    match mode {
        Mode::Node(_) => "node:internal/bootstrap/node",
        _ => "jsk:globals",
    }
}

fn boot_with<'js>(ctx: &Ctx<'js>, opts: Options, bootstrap: &str) -> std::result::Result<EventLoop<'js>, String> {
    let boot = (|| -> Result<Object<'js>> {
        modules::install_records(ctx)?;
        if ctx.globals().get::<_, Value>(UNHANDLED)?.is_undefined() {
            ctx.globals().set(UNHANDLED, ctx.eval::<Value, _>("new Map()")?)?;
        }
        let p = Module::import(ctx, bootstrap)?;
        while ctx.execute_pending_job() {}
        p.finish::<Object>()
    })();
    let ns = boot.catch(ctx).map_err(|e| format!("the built-in bootstrap failed: {e}"))?;
    let get = |name: &str| ns.get::<_, Function>(name).map_err(|e| format!("{bootstrap} lacks {name}: {e}"));
    Ok(EventLoop {
        ctx: ctx.clone(),
        opts,
        step: get("step")?,
        format_error: get("formatError")?,
        emit_exit: get("emitExit")?,
        tick: ns.get::<_, Option<Function>>("tick").ok().flatten(),
        uncaught: ns.get::<_, Option<Function>>("uncaught").ok().flatten(),
        unhandled: ctx.globals().get(UNHANDLED).map_err(|e| e.to_string())?,
    })
}

fn run_in<'js>(ctx: &Ctx<'js>, file: &str, mode: Mode, opts: Options) -> i32 {
    let host = match boot_with(ctx, opts, bootstrap_module(&mode)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("jsk: {e}");
            return EXIT_ERROR;
        }
    };

    let (name, source) = match &mode {
        Mode::Node(entry) => (entry.main_name(), entry.main_source().into_bytes()),
        _ => match std::fs::read(file) {
            Ok(s) => (normalize(Path::new(file)), s),
            Err(e) => {
                eprintln!("jsk: cannot read {file}: {e}");
                return EXIT_ERROR;
            }
        },
    };
    let main = match modules::declare_source(ctx, name.as_str(), &source) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}", syntax_error_text(ctx, &name, e));
            return EXIT_ERROR;
        }
    };
    let attach = || -> std::result::Result<(), Stop> {
        if crate::engine::native_module::OPTIONS.get().is_none_or(|o| o.board.is_none()) {
            return Ok(());
        }
        let run = (|| -> Result<Promise<'js>> {
            let p = Module::import(ctx, "jsk:board")?;
            while ctx.execute_pending_job() {}
            let ns: Object = p.finish()?;
            let native: Object = {
                let p = Module::import(ctx, "jsk:native")?;
                while ctx.execute_pending_job() {}
                p.finish()?
            };
            let opts: Object = native.get("options")?;
            ns.get::<_, Function>("hostAttach")?.call((opts.get::<_, Value>("board")?,))
        })()
        .catch(ctx)
        .map_err(|e| host.describe(e))?;
        host.run_until(&run)
    };
    let result = attach()
        .and_then(|()| main.eval().catch(ctx).map_err(|e| host.describe(e)))
        .and_then(|(_, promise)| host.run_until(&promise))
        .and_then(|()| match mode {
            Mode::Run | Mode::Node(_) => Ok(()),
            Mode::Test => {
                let run = (|| -> Result<Promise<'js>> {
                    let p = Module::import(ctx, "jsk:test")?;
                    while ctx.execute_pending_job() {}
                    let ns: Object = p.finish()?;
                    ns.get::<_, Function>("runRegistered")?.call((name.as_str(),))
                })()
                .catch(ctx)
                .map_err(|e| host.describe(e))?;
                host.run_until(&run)
            }
        });
    let code = match result {
        Ok(()) => 0,
        Err(stop) => host.report(stop),
    };
    // After --timeout or a termination signal, JS gets one more chance to
    // leave devices quiet (the exit listeners below); the watchdog (or a
    // second signal) ends the process if that hangs.
    host::allow_cleanup();
    // process.on("exit") listeners, and process.exitCode if the script set one.
    match host.emit_exit.call::<_, i32>((code,)).catch(ctx) {
        Ok(c) => c,
        Err(e) => {
            let stop = host.describe(e);
            host.report(stop)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn normalize_keeps_relative_paths_relative() {
        assert_eq!(normalize(Path::new("hwtests/fake/../../drivers/misc/edu.js")), "drivers/misc/edu.js");
        assert_eq!(normalize(Path::new("./a/./b.js")), "a/b.js");
        assert_eq!(normalize(Path::new("../x/../../y.js")), "../../y.js");
        assert_eq!(normalize(Path::new("/a/../../b.js")), "/b.js");
    }
}
