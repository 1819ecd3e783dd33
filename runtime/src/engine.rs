//! The host: one QuickJS runtime, the module loader (files and the embedded
//! `jsk:` modules), the run loop that drives microtasks and the JS event loop,
//! and the reporting of errors and limits.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use rquickjs::{
    loader::{ImportAttributes, Loader, Resolver},
    module::Declared,
    promise::PromiseState,
    CatchResultExt, CaughtError, Context, Ctx, Error, Function, Module, Object, Promise, Result, Runtime, Value,
};

use crate::{host, native::NativeModule, raw};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The `jsk:` modules built into the binary: (name, bytecode).
pub fn builtin_modules() -> &'static [(&'static str, &'static [u8])] {
    embedded::MODULES
}

fn builtin(name: &str) -> Option<&'static [u8]> {
    embedded::MODULES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Whether `name` is a built-in module's name (`jsk:x` from hal-js, `node:x` from unode).
fn is_builtin_name(name: &str) -> bool {
    name.starts_with("jsk:") || name.starts_with("node:")
}

/// `JSK_SOURCE=REPO`: load the built-in modules from `REPO/hal-js` and
/// `REPO/unode/lib` instead of the embedded bytecode, so that a change to
/// them is tried without rebuilding jsk (development only).
fn source_override() -> Option<&'static Path> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("JSK_SOURCE").filter(|d| !d.is_empty()).map(PathBuf::from))
        .as_deref()
}

/// The source file of built-in module `name` under a `JSK_SOURCE` tree.
fn builtin_source_path(root: &Path, name: &str) -> Option<PathBuf> {
    let (dir, rest) = if let Some(rest) = name.strip_prefix("jsk:") {
        ("hal-js", rest)
    } else {
        ("unode/lib", name.strip_prefix("node:")?)
    };
    Some(root.join(dir).join(format!("{rest}.js")))
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Stop the script after this long (exit 124).
    pub timeout: Option<Duration>,
    /// Cap on the JS heap, in MiB.
    pub memory_limit_mb: Option<usize>,
}

/// What to run after the main module: plain run, or a `jsk:test` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Run,
    Test,
}

/// Exit codes, as Node uses them where it has one.
pub const EXIT_ERROR: i32 = 1;
pub const EXIT_UNSETTLED: i32 = 13;

/// Lexically normalise a module path (no filesystem access, so relative
/// names stay relative and error messages show what the user wrote).
pub fn normalize(path: &Path) -> String {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(".."),
            },
            c => out.push(c),
        }
    }
    out.to_string_lossy().into_owned()
}

struct JskResolver;

impl Resolver for JskResolver {
    fn resolve<'js>(&mut self, _ctx: &Ctx<'js>, base: &str, name: &str, _a: Option<ImportAttributes<'js>>) -> Result<String> {
        // Tests may reach into unode's internals; programs may not (as in Node).
        if name.starts_with("node:internal/") && !is_builtin_name(base) && !base.ends_with(".test.js") {
            return Err(Error::new_resolving_message(base, name, "node:internal/ modules are private to unode"));
        }
        if is_builtin_name(name) {
            return Ok(name.to_string());
        }
        if name.starts_with('/') {
            return Ok(normalize(Path::new(name)));
        }
        if name.starts_with("./") || name.starts_with("../") {
            if is_builtin_name(base) {
                return Err(Error::new_resolving_message(base, name, "built-in modules import only jsk: and node: modules"));
            }
            let dir = Path::new(base).parent().unwrap_or(Path::new(""));
            return Ok(normalize(&dir.join(name)));
        }
        Err(Error::new_resolving_message(
            base,
            name,
            "bare module names are not supported: use a relative path (./x.js) or a jsk: module",
        ))
    }
}

struct JskLoader;

impl Loader for JskLoader {
    fn load<'js>(&mut self, ctx: &Ctx<'js>, name: &str, _a: Option<ImportAttributes<'js>>) -> Result<Module<'js, Declared>> {
        if name == "jsk:native" {
            return Module::declare_def::<NativeModule, _>(ctx.clone(), name);
        }
        if is_builtin_name(name) {
            if let Some(path) = source_override().and_then(|root| builtin_source_path(root, name)) {
                if let Ok(source) = std::fs::read(&path) {
                    return Module::declare(ctx.clone(), name, source);
                }
            }
            let Some(bytecode) = builtin(name) else {
                return Err(Error::new_loading_message(name, "no such built-in module"));
            };
            return raw::load_builtin_module(ctx, bytecode);
        }
        let source = std::fs::read(name).map_err(|e| Error::new_loading_message(name, e.to_string()))?;
        Module::declare(ctx.clone(), name, source)
    }
}

/// Why the run ended early.
pub(crate) enum Stop {
    /// SIGINT, SIGTERM or SIGHUP arrived.
    Signal(i32),
    /// An error to report, then exit 1.
    Uncaught(String),
    Timeout,
    OutOfMemory,
}

pub(crate) struct Host<'js> {
    ctx: Ctx<'js>,
    opts: Options,
    step: Function<'js>,
    format_error: Function<'js>,
    emit_exit: Function<'js>,
    unhandled: Object<'js>,
}

impl<'js> Host<'js> {
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
    fn drain_jobs(&self) -> std::result::Result<(), Stop> {
        loop {
            match raw::execute_pending_job(&self.ctx) {
                Ok(true) => continue,
                Ok(false) => return Ok(()),
                Err(_) => {
                    let v = self.ctx.catch();
                    return Err(self.describe(value_to_caught(v)));
                }
            }
        }
    }

    /// A rejection nobody handled by the time the microtasks ran out is an
    /// error, as in Node. `main` is reported on its own, as an uncaught exception.
    fn check_unhandled(&self, main: &Promise<'js>) -> std::result::Result<(), Stop> {
        let _ = self.unhandled.get::<_, Function>("delete").and_then(|f| {
            f.call::<_, Value>((rquickjs::function::This(self.unhandled.clone()), main.clone()))
        });
        let size: usize = self.unhandled.get("size").unwrap_or(0);
        if size == 0 {
            return Ok(());
        }
        let first: Value = self
            .ctx
            .eval::<Function, _>("(m) => m.values().next().value")
            .and_then(|f| f.call((self.unhandled.clone(),)))
            .unwrap_or_else(|_| Value::new_undefined(self.ctx.clone()));
        match self.describe(value_to_caught(first)) {
            Stop::Uncaught(msg) => Err(Stop::Uncaught(format!("Unhandled promise rejection: {msg}"))),
            other => Err(other),
        }
    }

    fn rejection(&self, p: &Promise<'js>) -> Option<Stop> {
        if p.state() != PromiseState::Rejected {
            return None;
        }
        let v = match p.result::<Value>() {
            Some(Err(Error::Exception)) => self.ctx.catch(),
            _ => Value::new_undefined(self.ctx.clone()),
        };
        Some(self.describe(value_to_caught(v)))
    }

    /// Drive microtasks and the JS event loop until `until` settles and nothing
    /// is pending, or something fails.
    pub(crate) fn run_until(&self, until: &Promise<'js>) -> std::result::Result<(), Stop> {
        loop {
            self.drain_jobs()?;
            if self.timed_out() {
                return Err(Stop::Timeout);
            }
            if host::termination_signal() != 0 {
                return Err(Stop::Signal(host::termination_signal()));
            }
            if let Some(stop) = self.rejection(until) {
                return Err(stop);
            }
            self.check_unhandled(until)?;
            let more: bool = self.step.call(()).catch(&self.ctx).map_err(|e| self.describe(e))?;
            if !more && !raw::job_pending(&self.ctx) {
                break;
            }
        }
        if self.timed_out() {
            return Err(Stop::Timeout);
        }
        if host::termination_signal() != 0 {
            return Err(Stop::Signal(host::termination_signal()));
        }
        match until.state() {
            PromiseState::Resolved => Ok(()),
            PromiseState::Rejected => Err(self.rejection(until).expect("rejected")),
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

/// A QuickJS runtime and context set up the jsk way: limits, the `jsk:`
/// loader, rejection tracking and the timeout interrupt.
pub(crate) fn new_runtime(opts: &Options, stack_limit: usize) -> std::result::Result<(Runtime, Context), String> {
    let rt = Runtime::new().map_err(|e| format!("cannot start QuickJS: {e}"))?;
    if let Some(mb) = opts.memory_limit_mb {
        rt.set_memory_limit(mb.saturating_mul(1 << 20));
    }
    rt.set_max_stack_size(stack_limit);
    rt.set_interrupt_handler(Some(Box::new(host::must_stop)));
    rt.set_loader(JskResolver, JskLoader);
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
    let (_rt, context) = match new_runtime(&opts, crate::JS_STACK_LIMIT) {
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
const UNHANDLED: &str = "__jskUnhandledRejections";

/// Evaluate the bootstrap (`jsk:globals`) and collect the hooks the host calls.
pub(crate) fn boot<'js>(ctx: &Ctx<'js>, opts: Options) -> std::result::Result<Host<'js>, String> {
    let boot = (|| -> Result<Object<'js>> {
        if ctx.globals().get::<_, Value>(UNHANDLED)?.is_undefined() {
            ctx.globals().set(UNHANDLED, ctx.eval::<Value, _>("new Map()")?)?;
        }
        let p = Module::import(ctx, "jsk:globals")?;
        while ctx.execute_pending_job() {}
        p.finish::<Object>()
    })();
    let ns = boot.catch(ctx).map_err(|e| format!("the built-in bootstrap failed: {e}"))?;
    let get = |name: &str| ns.get::<_, Function>(name).map_err(|e| format!("jsk:globals lacks {name}: {e}"));
    Ok(Host {
        ctx: ctx.clone(),
        opts,
        step: get("step")?,
        format_error: get("formatError")?,
        emit_exit: get("emitExit")?,
        unhandled: ctx.globals().get(UNHANDLED).map_err(|e| e.to_string())?,
    })
}

fn run_in<'js>(ctx: &Ctx<'js>, file: &str, mode: Mode, opts: Options) -> i32 {
    let host = match boot(ctx, opts) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("jsk: {e}");
            return EXIT_ERROR;
        }
    };

    let name = normalize(Path::new(file));
    let source = match std::fs::read(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jsk: cannot read {file}: {e}");
            return EXIT_ERROR;
        }
    };
    let main = match Module::declare(ctx.clone(), name.as_str(), source) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{}", syntax_error_text(ctx, &name, e));
            return EXIT_ERROR;
        }
    };
    let attach = || -> std::result::Result<(), Stop> {
        if crate::native::OPTIONS.get().is_none_or(|o| o.board.is_none()) {
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
            Mode::Run => Ok(()),
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
