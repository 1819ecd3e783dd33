//! The one module of jsk that touches raw pointers, syscalls and signals.
//!
//! Everything here is small and audited: each `unsafe` block carries a
//! `// SAFETY:` note saying why it is sound. The rest of the crate calls these
//! functions and never writes `unsafe` itself.

use std::ffi::c_void;

use rquickjs::ArrayBufferSource;

/// Issue a raw Linux system call and return the kernel's result unchanged:
/// a negative errno on failure (e.g. -2 for ENOENT), never an exception.
pub fn syscall6(nr: i64, a: [i64; 6]) -> i64 {
    // SAFETY: a system call may do anything the kernel allows, including
    // writing through pointer arguments. The pointers jsk hands in come from
    // live JS buffers or NUL-terminated copies that outlive this call; integer
    // arguments are the caller's responsibility by design (this *is* the raw
    // escape hatch the jskernel design asks for).
    let r = unsafe { libc::syscall(nr as libc::c_long, a[0], a[1], a[2], a[3], a[4], a[5]) };
    // libc's wrapper folds kernel results in [-4095, -1] into -1 + errno;
    // undo that so JavaScript sees what the kernel said.
    if r == -1 {
        -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64)
    } else {
        r as i64
    }
}

/// Memory that jsk does not own: an ArrayBuffer made over it never frees it.
pub struct Borrowed {
    ptr: *mut u8,
    len: usize,
}

impl Borrowed {
    /// # Safety
    /// The caller promises that `len` bytes at `ptr` stay mapped for as long as
    /// JavaScript can reach the ArrayBuffer. This backs `unsafeArrayBuffer`,
    /// whose name tells the JS caller the same.
    pub unsafe fn new(ptr: *mut u8, len: usize) -> Self {
        Borrowed { ptr, len }
    }
}

// SAFETY: `Borrowed::new`'s contract makes the pointer valid for `len` bytes
// while the buffer lives; QuickJS is single-threaded per runtime.
unsafe impl ArrayBufferSource for Borrowed {
    fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }
    fn len(&self) -> usize {
        self.len
    }
}

/// Bytes of a JS buffer, as a raw pointer plus length, for the duration of
/// one native call.
pub fn buffer_ptr(buf: &rquickjs::ArrayBuffer<'_>) -> Option<(*mut u8, usize)> {
    buf.as_raw().map(|p| (p.as_ptr() as *mut u8, p.len()))
}

/// A no-op handler for the signal the watchdog uses to knock the JS thread
/// out of a blocking system call (it then returns EINTR).
extern "C" fn wake_handler(_sig: libc::c_int) {}

pub const WAKE_SIGNAL: libc::c_int = libc::SIGUSR2;

/// Install the wake handler without SA_RESTART, so blocking calls return EINTR.
pub fn install_wake_handler() {
    // SAFETY: sigaction with a handler that does nothing is async-signal-safe;
    // the struct is fully initialised by zeroing plus the fields set here.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = wake_handler as *const () as usize;
        sa.sa_flags = 0;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(WAKE_SIGNAL, &sa, std::ptr::null_mut());
    }
}

/// The calling thread, so that another thread can wake it.
pub fn current_thread() -> libc::pthread_t {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() }
}

/// Wake `thread` out of a blocking system call.
pub fn wake_thread(thread: libc::pthread_t) {
    // SAFETY: the thread id came from `current_thread` of the JS thread, which
    // outlives the watchdog (the process exits from either of them).
    unsafe {
        libc::pthread_kill(thread, WAKE_SIGNAL);
    }
}

/// End the process now, without unwinding or running destructors.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit has no preconditions; it is used after cleanup hooks ran
    // and stdio was flushed, from a thread that cannot wait for the JS thread.
    unsafe { libc::_exit(code) }
}

/// Run the pending QuickJS job queue once; Err carries the context the job
/// failed in, with its exception still pending there.
pub fn execute_pending_job(rt: *mut rquickjs::qjs::JSRuntime) -> Result<bool, *mut rquickjs::qjs::JSContext> {
    let mut ctx: *mut rquickjs::qjs::JSContext = std::ptr::null_mut();
    // SAFETY: `rt` is the live runtime of the calling thread, and `ctx` is a
    // valid out-pointer.
    let r = unsafe { rquickjs::qjs::JS_ExecutePendingJob(rt, &mut ctx) };
    match r {
        0 => Ok(false),
        r if r > 0 => Ok(true),
        _ => Err(ctx),
    }
}

pub fn _unused(_: *mut c_void) {}
