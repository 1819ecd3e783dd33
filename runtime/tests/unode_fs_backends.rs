//! Asynchronous `node:fs` under each of its backends: the fs suites of the
//! source tree (`unode/test/fs*.test.js`) run once with
//! `UNODE_FS_BACKEND=io_uring`, once with `threads` and once with `deferred`,
//! and each run must pass and must really have used the backend it asked for
//! (`UNODE_DEBUG=fs` makes unode say which one it chose, on stderr).

use std::path::PathBuf;
use std::process::Command;

const SUITES: &[&str] = &[
    "unode/test/fs.test.js",
    "unode/test/fs_promises.test.js",
    "unode/test/fs_streams.test.js",
    "unode/test/fs_async.test.js",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// Whether this kernel lets us set up an io_uring (not compiled out, not
/// disabled by sysctl or a seccomp filter).
fn kernel_has_io_uring() -> bool {
    let mut params = [0u32; 30]; // struct io_uring_params
                                 // SAFETY: io_uring_setup writes at most 120 bytes into `params`.
    let fd = unsafe { libc::syscall(libc::SYS_io_uring_setup, 4u32, params.as_mut_ptr()) };
    if fd < 0 {
        return false;
    }
    // SAFETY: `fd` is the ring we just created.
    unsafe { libc::close(fd as i32) };
    true
}

fn run_suites(backend: &str) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jsk"))
        .arg("test")
        .args(SUITES)
        .current_dir(repo())
        .env("JSK_SOURCE", repo())
        .env("UNODE_FS_BACKEND", backend)
        .env("UNODE_DEBUG", "fs")
        .env_remove("UV_USE_IO_URING")
        .env_remove("UV_THREADPOOL_SIZE")
        .output()
        .expect("run jsk test");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "UNODE_FS_BACKEND={backend}: jsk test failed ({:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert!(stdout.contains(" 0 failed"), "UNODE_FS_BACKEND={backend}: no summary\n{stdout}");
    (stdout, stderr)
}

fn assert_backend(backend: &str, expect: &str) {
    let (stdout, stderr) = run_suites(backend);
    let line = format!("unode fs: asynchronous backend {expect} (");
    assert!(
        stderr.contains(&line),
        "UNODE_FS_BACKEND={backend}: expected {line:?} on stderr\nstderr:\n{stderr}\nstdout:\n{stdout}"
    );
    for other in ["io_uring", "threads", "deferred"].iter().filter(|o| **o != expect) {
        let wrong = format!("unode fs: asynchronous backend {other} (");
        assert!(!stderr.contains(&wrong), "UNODE_FS_BACKEND={backend}: {other} ran too\nstderr:\n{stderr}");
    }
}

#[test]
fn fs_suites_pass_on_io_uring() {
    // A kernel without io_uring runs the thread pool instead (and says so).
    assert_backend("io_uring", if kernel_has_io_uring() { "io_uring" } else { "threads" });
}

#[test]
fn fs_suites_pass_on_the_thread_pool() {
    assert_backend("threads", "threads");
}

#[test]
fn fs_suites_pass_on_the_deferred_backend() {
    assert_backend("deferred", "deferred");
}
