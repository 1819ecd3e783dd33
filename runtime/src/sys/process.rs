//! Process-level duties of the host: cleanup hooks that run on every exit
//! path, and the `--timeout` watchdog.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Set when `--timeout` expired; the QuickJS interrupt handler reads it.
pub static TIMED_OUT: AtomicBool = AtomicBool::new(false);

type Hook = Box<dyn FnOnce() + Send>;
static CLEANUP: Mutex<Vec<Hook>> = Mutex::new(Vec::new());

/// Register work that must happen however the process ends (devices quiet,
/// child QEMU stopped). Hooks run once, newest first.
pub fn on_exit(hook: impl FnOnce() + Send + 'static) {
    CLEANUP.lock().unwrap_or_else(|e| e.into_inner()).push(Box::new(hook));
}

pub fn run_cleanup() {
    let hooks = std::mem::take(&mut *CLEANUP.lock().unwrap_or_else(|e| e.into_inner()));
    for hook in hooks.into_iter().rev() {
        hook();
    }
}

/// Run the cleanup hooks, flush stdio and end the process with `code`.
pub fn exit(code: i32) -> ! {
    run_cleanup();
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code & 0xff)
}

pub const TIMEOUT_EXIT: i32 = 124;

/// The termination signal received (0 if none); see `super::install_termination_handlers`.
pub fn termination_signal() -> i32 {
    super::TERMINATION.load(Ordering::SeqCst)
}

pub fn install_termination_handlers() {
    super::install_termination_handlers();
}

/// Set once the host runs the exit listeners: JS may run again to clean up.
static CLEANING: AtomicBool = AtomicBool::new(false);

/// Whether running JS must stop now (the QuickJS interrupt handler).
pub fn must_stop() -> bool {
    !CLEANING.load(Ordering::Relaxed)
        && (TIMED_OUT.load(Ordering::Relaxed) || super::TERMINATION.load(Ordering::Relaxed) != 0)
}

/// Let the exit listeners run after a stop (the flags would interrupt them).
/// A second termination signal still ends the process at once.
pub fn allow_cleanup() {
    CLEANING.store(true, Ordering::SeqCst);
    TIMED_OUT.store(false, Ordering::SeqCst);
}

pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

pub fn timeout_message(secs: f64) -> String {
    format!("jsk: timed out after {secs} s (--timeout): the script was stopped")
}

/// Start the `--timeout` watchdog for the calling (JS) thread. When the time
/// is up it raises TIMED_OUT (QuickJS then interrupts running JS) and knocks
/// the thread out of any blocking system call; if JS still has not returned
/// two seconds later, it ends the process itself after the cleanup hooks.
pub fn start_watchdog(timeout: Duration) {
    super::install_wake_handler();
    let js_thread = super::current_thread();
    super::with_signals_blocked(|| {
        std::thread::Builder::new().name("jsk-watchdog".into()).spawn(move || {
            std::thread::sleep(timeout);
            TIMED_OUT.store(true, Ordering::SeqCst);
            for _ in 0..40 {
                super::wake_thread(js_thread);
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!("{} (it did not return from a native wait)", timeout_message(timeout.as_secs_f64()));
            run_cleanup();
            super::exit_now(TIMEOUT_EXIT);
        })
    })
    .expect("spawn watchdog thread");
}

/// Diagnostics from library code (a VFIO release that failed, a device
/// probe that was skipped) go through the `log` crate, so an embedder routes
/// them where it likes. The CLIs call this: jsk's own warnings and errors go
/// to stderr as `PROGRAM: warning: message`; `JSK_LOG` (`error`, `warn`,
/// `info`, `debug`, `trace`, `off`) sets the level and then shows the
/// crates jsk uses too (vfio-ioctls reports there, in its own words).
pub fn init_log(program: &'static str) {
    static PROGRAM: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    static EVERY_CRATE: AtomicBool = AtomicBool::new(false);
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata<'_>) -> bool {
            m.level() <= log::max_level() && (EVERY_CRATE.load(Ordering::Relaxed) || m.target().starts_with("jsk"))
        }
        fn log(&self, r: &log::Record<'_>) {
            if self.enabled(r.metadata()) {
                let kind = match r.level() {
                    log::Level::Error => "error",
                    log::Level::Warn => "warning",
                    log::Level::Info => "info",
                    log::Level::Debug => "debug",
                    log::Level::Trace => "trace",
                };
                eprintln!("{}: {kind}: {}", PROGRAM.get().copied().unwrap_or("jsk"), r.args());
            }
        }
        fn flush(&self) {}
    }
    let _ = PROGRAM.set(program);
    let asked: Option<log::LevelFilter> = std::env::var("JSK_LOG").ok().and_then(|v| v.parse().ok());
    EVERY_CRATE.store(asked.is_some(), Ordering::Relaxed);
    let level = asked.unwrap_or(log::LevelFilter::Warn);
    if log::set_logger(&Stderr).is_ok() {
        log::set_max_level(level);
    }
}
