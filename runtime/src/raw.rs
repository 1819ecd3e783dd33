//! The one module of jsk that touches raw pointers, syscalls and signals.
//!
//! Everything here is small and audited: each `unsafe` block carries a
//! `// SAFETY:` note saying why it is sound. The rest of the crate calls these
//! functions and never writes `unsafe` itself.

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

/// Run one queued microtask. Err(()) when it threw: the exception is left
/// pending on the (only) context, for `ctx.catch()`.
pub fn execute_pending_job(ctx: &rquickjs::Ctx<'_>) -> Result<bool, ()> {
    let mut job_ctx: *mut rquickjs::qjs::JSContext = std::ptr::null_mut();
    // SAFETY: the runtime is live on this thread and `job_ctx` is a valid
    // out-pointer; jsk runs one context per runtime, so the failing job's
    // context is `ctx`.
    let r = unsafe { rquickjs::qjs::JS_ExecutePendingJob(runtime_of(ctx), &mut job_ctx) };
    match r {
        0 => Ok(false),
        r if r > 0 => Ok(true),
        _ => Err(()),
    }
}

/// Memory jsk can reach by pointer: a mapping (memmap2), or zeroed host
/// memory it allocated. All pointer arithmetic on it happens here, checked.
pub struct Memory {
    ptr: *mut u8,
    len: usize,
    kind: MemoryKind,
}

enum MemoryKind {
    Map(#[allow(dead_code)] memmap2::MmapRaw),
    Heap(std::alloc::Layout),
}

impl Memory {
    /// A shared mapping (register window, guest RAM).
    pub fn from_map(map: memmap2::MmapRaw) -> Memory {
        Memory { ptr: map.as_mut_ptr(), len: map.len(), kind: MemoryKind::Map(map) }
    }

    /// Zeroed host memory with the given alignment.
    pub fn zeroed(size: usize, align: usize) -> Option<Memory> {
        let layout = std::alloc::Layout::from_size_align(size.max(1), align.max(1)).ok()?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        (!ptr.is_null()).then_some(Memory { ptr, len: size, kind: MemoryKind::Heap(layout) })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    fn in_bounds(&self, off: usize, n: usize) -> bool {
        off.checked_add(n).is_some_and(|end| end <= self.len)
    }

    /// One volatile read of exactly `width` (1, 2, 4, 8) bytes; None when the
    /// access is out of bounds or not naturally aligned.
    pub fn read(&self, off: usize, width: u8) -> Option<u64> {
        if !self.in_bounds(off, width as usize) || (self.ptr as usize + off) % width as usize != 0 {
            return None;
        }
        // SAFETY: checked just above: in bounds and aligned; the mapping or
        // allocation lives as long as `self`.
        unsafe {
            let p = self.ptr.add(off);
            Some(match width {
                1 => std::ptr::read_volatile(p) as u64,
                2 => std::ptr::read_volatile(p as *const u16) as u64,
                4 => std::ptr::read_volatile(p as *const u32) as u64,
                8 => std::ptr::read_volatile(p as *const u64),
                _ => return None,
            })
        }
    }

    /// One volatile write of exactly `width` bytes; false when out of bounds
    /// or misaligned (nothing is written then).
    pub fn write(&self, off: usize, width: u8, value: u64) -> bool {
        if !self.in_bounds(off, width as usize) || (self.ptr as usize + off) % width as usize != 0 {
            return false;
        }
        // SAFETY: as in `read`.
        unsafe {
            let p = self.ptr.add(off);
            match width {
                1 => std::ptr::write_volatile(p, value as u8),
                2 => std::ptr::write_volatile(p as *mut u16, value as u16),
                4 => std::ptr::write_volatile(p as *mut u32, value as u32),
                8 => std::ptr::write_volatile(p as *mut u64, value),
                _ => return false,
            }
        }
        true
    }

    /// Copy bytes out; None when out of bounds.
    pub fn copy_out(&self, off: usize, n: usize) -> Option<Vec<u8>> {
        // SAFETY: bounds checked first; plain copies of device-shared memory.
        self.in_bounds(off, n).then(|| unsafe { std::slice::from_raw_parts(self.ptr.add(off), n) }.to_vec())
    }

    /// Copy bytes in; false when out of bounds.
    pub fn copy_in(&self, off: usize, data: &[u8]) -> bool {
        if !self.in_bounds(off, data.len()) {
            return false;
        }
        // SAFETY: bounds checked; `data` cannot overlap memory jsk owns here.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(off), data.len()) };
        true
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        if let MemoryKind::Heap(layout) = self.kind {
            // SAFETY: ptr came from alloc_zeroed with this layout; freed once.
            unsafe { std::alloc::dealloc(self.ptr, layout) }
        }
    }
}

/// A slice of a `Memory` shown to JS as an ArrayBuffer (DMA buffers). The
/// slice is zeroed when lent; `release` runs when the buffer is freed or
/// detached, and the memory stays alive until then.
pub struct Lent {
    memory: std::rc::Rc<Memory>,
    off: usize,
    len: usize,
    release: Option<Box<dyn FnOnce()>>,
}

impl Lent {
    /// None when `[off, off+len)` is not inside `memory`.
    pub fn new(memory: std::rc::Rc<Memory>, off: usize, len: usize, release: Box<dyn FnOnce()>) -> Option<Lent> {
        if !memory.in_bounds(off, len) {
            return None;
        }
        // SAFETY: bounds checked just above.
        unsafe { std::ptr::write_bytes(memory.ptr.add(off), 0, len) };
        Some(Lent { memory, off, len, release: Some(release) })
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(r) = self.release.take() {
            r();
        }
    }
}

// SAFETY: `Lent::new` checked the slice lies in `memory`, which the Lent keeps
// alive (Rc) until it is dropped.
unsafe impl ArrayBufferSource for Lent {
    fn as_ptr(&self) -> *mut u8 {
        // SAFETY: in bounds, checked in `new`.
        unsafe { self.memory.ptr.add(self.off) }
    }
    fn len(&self) -> usize {
        self.len
    }
}

/// Copy the bytes of a JS buffer or view. `view` must come from
/// `native::view_bytes` for `_keep`, which checked `[ptr, ptr+len)` lies
/// inside that live ArrayBuffer; holding `_keep` keeps it alive.
pub fn copy_view_bytes(_keep: &rquickjs::Value<'_>, view: (*mut u8, usize)) -> Vec<u8> {
    // SAFETY: per the contract above, the range is inside a live buffer that
    // cannot be freed or detached during this synchronous copy.
    unsafe { std::slice::from_raw_parts(view.0, view.1) }.to_vec()
}

/// The JS escape hatch `unsafeArrayBuffer(address, length)`: an ArrayBuffer
/// over memory jsk does not own. Its soundness rests on the JS caller, as the
/// name says; jsk only refuses a null address.
pub fn alias_array_buffer<'js>(ctx: rquickjs::Ctx<'js>, addr: u64, len: usize) -> rquickjs::Result<rquickjs::ArrayBuffer<'js>> {
    // SAFETY: none from Rust's side: this is the documented unchecked hatch.
    let src = unsafe { Borrowed::new(addr as usize as *mut u8, len) };
    rquickjs::ArrayBuffer::from_source(ctx, src)
}

/// Load a module from bytecode that build.rs compiled with this QuickJS.
pub fn load_builtin_module<'js>(ctx: &rquickjs::Ctx<'js>, bytecode: &'static [u8]) -> rquickjs::Result<rquickjs::Module<'js>> {
    // SAFETY: the bytecode was produced at build time by the same QuickJS
    // version and configuration that this binary links.
    unsafe { rquickjs::Module::load(ctx.clone(), bytecode) }
}

fn runtime_of(ctx: &rquickjs::Ctx<'_>) -> *mut rquickjs::qjs::JSRuntime {
    // SAFETY: JS_GetRuntime only reads the live context's runtime pointer.
    unsafe { rquickjs::qjs::JS_GetRuntime(ctx.as_raw().as_ptr()) }
}

/// Whether a microtask is queued.
pub fn job_pending(ctx: &rquickjs::Ctx<'_>) -> bool {
    // SAFETY: JS_IsJobPending only reads the runtime's job list.
    unsafe { rquickjs::qjs::JS_IsJobPending(runtime_of(ctx)) }
}
