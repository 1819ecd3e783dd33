//! jsk: a QuickJS host for writing hardware drivers in JavaScript.
//!
//! Layers, each importing only those below it (docs/architecture.md):
//!
//! - [`sys`]: system calls, signals, mappings, process exit; `unsafe` code.
//! - [`hw`]: register windows, DMA memory, board descriptions, errors.
//! - [`backend`]: where devices come from (fake, mem, qtest, vfio), one `Backend` trait.
//! - [`js`]: what JavaScript sees of the above; its C-API part (`js::ffi`) is
//!   the only other place with `unsafe` code.
//! - [`engine`]: runtimes, modules, threads, the event loop's host side, and
//!   `jsk:native`, the list of every function Rust gives JavaScript.
//! - [`embed`], [`probe`], [`image`], [`testrun`], [`unode`]: what the CLIs run.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod sys;

pub mod hw;

pub mod backend;

pub mod js;

pub mod engine;

pub mod embed;
pub mod image;
pub mod probe;
pub mod testrun;
pub mod unode;

/// The Node.js release whose behaviour unode follows (`process.version`).
pub const NODE_VERSION: &str = "20.18.0";

/// Stack the JS thread gets, and how much of it QuickJS may use before deep
/// recursion becomes a RangeError (the rest is headroom for native frames).
pub const JS_THREAD_STACK: usize = 64 << 20;
pub const JS_STACK_LIMIT: usize = 16 << 20;

/// Run `f` on a thread with a stack large enough for deep JS recursion to end
/// in a RangeError rather than a stack overflow.
pub fn on_js_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    // The JS thread takes the process's signals; this one only waits.
    sys::block_signals();
    std::thread::Builder::new()
        .name("jsk".into())
        .stack_size(JS_THREAD_STACK)
        .spawn(move || {
            sys::unblock_signals(false);
            f()
        })
        .expect("spawn the JS thread")
        .join()
        .unwrap_or_else(|_| {
            eprintln!("jsk: internal error (panic on the JS thread)");
            sys::process::exit(70)
        })
}

/// Driver files under `p` (a file, or a folder searched recursively): every
/// `*.js` that is not a `*.test.js`. Used by `jsk run --drivers`, jsk-probe
/// and the embedding API alike.
pub fn collect_driver_files(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_file() {
        out.push(p.to_path_buf());
    } else if let Ok(entries) = std::fs::read_dir(p) {
        for e in entries.flatten() {
            let path = e.path();
            let name = path.to_string_lossy();
            if path.is_dir() || (name.ends_with(".js") && !name.ends_with(".test.js")) {
                collect_driver_files(&path, out);
            }
        }
    }
}

/// FNV-1a, 64 bits, over `parts` each followed by a zero byte (so `["ab", "c"]` and
/// `["a", "bc"]` differ): a stable key for caches and indexes, not a security hash.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter().chain(std::iter::once(&0)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A fresh, empty folder for a unit test: `jsk-TAG-PID` in the temporary folder.
#[cfg(test)]
pub(crate) fn scratch_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("jsk-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}
