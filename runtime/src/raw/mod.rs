//! The one module of jsk that touches raw pointers, syscalls and signals.
//!
//! Everything here is small and audited: each `unsafe` block carries a
//! `// SAFETY:` note saying why it is sound. The rest of the crate calls these
//! functions and never writes `unsafe` itself. Submodules group the raw code
//! of one subsystem: `vfio` (device ioctls, DMA mapping), `init` (what jsk
//! does as PID 1: mounts, kernel modules, power-off).

pub mod init;
pub mod vfio;

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

/// What a value is, as far as passing its bytes to native code goes.
pub enum BufferBytes {
    NotABuffer,
    Detached,
    Bytes(*mut u8, usize),
}

/// The bytes of an ArrayBuffer. rquickjs' `as_array_buffer` leaves a
/// TypeError pending on the context for any other object (which later
/// surfaces in unrelated code, e.g. after a top-level await); this asks
/// QuickJS first and clears what it throws for a detached buffer.
pub fn array_buffer_bytes(v: &rquickjs::Value<'_>) -> BufferBytes {
    let raw = v.as_raw();
    // SAFETY: `raw` is a live value borrowed from `v`; JS_IsArrayBuffer only
    // inspects it. JS_GetArrayBuffer writes the size through a valid
    // pointer, and the exception it may leave is taken and freed at once.
    unsafe {
        if !rquickjs::qjs::JS_IsArrayBuffer(raw) {
            return BufferBytes::NotABuffer;
        }
        let ctx = v.ctx().as_raw().as_ptr();
        let mut size: rquickjs::qjs::size_t = 0;
        let p = rquickjs::qjs::JS_GetArrayBuffer(ctx, &mut size, raw);
        if p.is_null() {
            if rquickjs::qjs::JS_HasException(ctx) {
                rquickjs::qjs::JS_FreeValue(ctx, rquickjs::qjs::JS_GetException(ctx));
            }
            // A zero-length buffer may have no storage; it is not detached.
            return if size == 0 && !is_detached(ctx, raw) {
                BufferBytes::Bytes(std::ptr::NonNull::dangling().as_ptr(), 0)
            } else {
                BufferBytes::Detached
            };
        }
        BufferBytes::Bytes(p, size as usize)
    }
}

/// What a view is made of, read without running any JavaScript.
pub enum ViewKind<'js> {
    /// A TypedArray: its ArrayBuffer, byte offset and byte length (from the
    /// engine, not from the possibly overridden `buffer`/`byteOffset` getters).
    Typed(rquickjs::Value<'js>, usize, usize),
    /// A TypedArray whose buffer is detached or that lies out of bounds of a
    /// resizable buffer that shrank.
    OutOfBounds,
    /// A DataView (QuickJS has no C accessor for its fields).
    DataView,
    Neither,
}

/// Classify `v` as a TypedArray (with its parts) or a DataView. Runs no JS.
pub fn view_kind<'js>(v: &rquickjs::Value<'js>) -> ViewKind<'js> {
    let raw = v.as_raw();
    // SAFETY: `raw` is a live value borrowed from `v`. JS_GetTypedArrayType
    // and JS_IsDataView only inspect it; JS_GetTypedArrayBuffer (called only
    // for a typed array) writes two sizes through valid pointers and returns
    // a new reference to the buffer, or an exception that is taken and freed.
    unsafe {
        if rquickjs::qjs::JS_IsDataView(raw) {
            return ViewKind::DataView;
        }
        if rquickjs::qjs::JS_GetTypedArrayType(raw) < 0 {
            return ViewKind::Neither;
        }
        let ctx = v.ctx().as_raw().as_ptr();
        let (mut offset, mut length): (rquickjs::qjs::size_t, rquickjs::qjs::size_t) = (0, 0);
        let buf = rquickjs::qjs::JS_GetTypedArrayBuffer(ctx, raw, &mut offset, &mut length, std::ptr::null_mut());
        if rquickjs::qjs::JS_IsException(buf) {
            rquickjs::qjs::JS_FreeValue(ctx, rquickjs::qjs::JS_GetException(ctx));
            return ViewKind::OutOfBounds;
        }
        ViewKind::Typed(rquickjs::Value::from_raw(v.ctx().clone(), buf), offset as usize, length as usize)
    }
}

/// Whether an ArrayBuffer is detached (its `detached` getter).
fn is_detached(ctx: *mut rquickjs::qjs::JSContext, buf: rquickjs::qjs::JSValue) -> bool {
    // SAFETY: reading a property of a live object on its own context.
    unsafe {
        let v = rquickjs::qjs::JS_GetPropertyStr(ctx, buf, c"detached".as_ptr());
        let detached =
            rquickjs::qjs::JS_VALUE_GET_TAG(v) == rquickjs::qjs::JS_TAG_BOOL && rquickjs::qjs::JS_VALUE_GET_INT(v) != 0;
        rquickjs::qjs::JS_FreeValue(ctx, v);
        detached
    }
}

/// The termination signal received (SIGINT, SIGTERM, SIGHUP), 0 if none.
pub static TERMINATION: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The JS thread, which a termination signal must wake wherever it landed.
static JS_THREAD: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

extern "C" fn termination_handler(sig: libc::c_int) {
    // A second signal while the first is being handled ends the process at
    // once (async-signal-safe: an atomic swap and _exit).
    if TERMINATION.swap(sig, std::sync::atomic::Ordering::SeqCst) != 0 {
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(128 + sig) };
    }
    // The kernel may deliver the signal to any thread (the main thread waits
    // in join); knock the JS thread out of its blocking call so it sees the flag.
    let js = JS_THREAD.load(std::sync::atomic::Ordering::SeqCst);
    if js != 0 && js != current_thread() as u64 {
        // SAFETY: pthread_kill is async-signal-safe; the id is the live JS thread's.
        unsafe { libc::pthread_kill(js as libc::pthread_t, WAKE_SIGNAL) };
    }
}

/// Turn SIGINT/SIGTERM/SIGHUP into a flag the JS thread checks, so that
/// drivers are removed and devices released before the process ends. The
/// handlers are installed without SA_RESTART: blocking calls return EINTR.
/// Call it on the JS thread.
pub fn install_termination_handlers() {
    install_wake_handler();
    JS_THREAD.store(current_thread() as u64, std::sync::atomic::Ordering::SeqCst);
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only touches an atomic (and _exit); the struct
        // is fully initialised by zeroing plus the fields set here.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = termination_handler as *const () as usize;
            sa.sa_flags = 0;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
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

/// The asynchronous signals: all but the fault signals a thread raises on
/// itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT), which must stay
/// deliverable wherever they happen.
fn async_signals() -> libc::sigset_t {
    // SAFETY: sigfillset/sigdelset only write the set they are given, which is
    // a local of the right type.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGTRAP, libc::SIGABRT] {
            libc::sigdelset(&mut set, sig);
        }
        set
    }
}

fn set_thread_mask(how: libc::c_int, set: &libc::sigset_t) -> libc::sigset_t {
    // SAFETY: pthread_sigmask reads `set` and writes `old`, both valid locals;
    // it changes only the calling thread's mask.
    unsafe {
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(how, set, &mut old);
        old
    }
}

/// Block every asynchronous signal in the calling thread for good. jsk's
/// helper threads (and the main thread while it waits for the JS thread) do,
/// so that the kernel hands process-directed signals to the JS thread alone:
/// there the host's handlers take them, or JavaScript does, when it blocks a
/// signal on the JS thread too and reads it from a signalfd (unode's
/// `process.on("SIGINT")`). Without this a signal JS blocked would land on
/// another thread and run the host's handler there.
pub fn block_signals() {
    set_thread_mask(libc::SIG_BLOCK, &async_signals());
}

/// Run `spawn` with every asynchronous signal blocked, so that the thread it
/// starts begins with them blocked (no window in which a signal lands there);
/// the calling thread's mask is restored afterwards.
pub fn with_signals_blocked<T>(spawn: impl FnOnce() -> T) -> T {
    let old = set_thread_mask(libc::SIG_BLOCK, &async_signals());
    let r = spawn();
    set_thread_mask(libc::SIG_SETMASK, &old);
    r
}

/// Unblock every asynchronous signal in the calling thread (the JS thread at
/// its start, as Node resets the mask it inherited), or only the wake signal
/// (a worker's JS thread, which `threadStop` must be able to interrupt).
pub fn unblock_signals(only_wake: bool) {
    let set = if only_wake {
        // SAFETY: as in async_signals: writes a local set only.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, WAKE_SIGNAL);
            set
        }
    } else {
        async_signals()
    };
    set_thread_mask(libc::SIG_UNBLOCK, &set);
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
    Shared(#[allow(dead_code)] std::sync::Arc<memmap2::MmapRaw>),
    Heap(std::alloc::Layout),
}

impl Memory {
    /// A shared mapping (register window, guest RAM).
    pub fn from_map(map: memmap2::MmapRaw) -> Memory {
        Memory { ptr: map.as_mut_ptr(), len: map.len(), kind: MemoryKind::Map(map) }
    }

    /// A mapping shared with its owner (QEMU's guest RAM, kept by the qtest backend).
    pub fn from_shared_map(map: std::sync::Arc<memmap2::MmapRaw>) -> Memory {
        Memory { ptr: map.as_mut_ptr(), len: map.len(), kind: MemoryKind::Shared(map) }
    }

    /// Zeroed host memory with the given alignment. From 64 KiB on it is an
    /// anonymous mapping, whose pages the kernel commits only when touched:
    /// the allocator writes every byte of a block aligned above 16, so a
    /// 1 GiB fake register file used to cost 1 GiB of RAM at once.
    pub fn zeroed(size: usize, align: usize) -> Option<Memory> {
        const PAGE: usize = 4096; // every Linux page size is a multiple
        if size >= 64 << 10 && align.is_power_of_two() {
            // Room to round the start up to `align` (mappings start on a page).
            let align = align.max(PAGE);
            let map = memmap2::MmapOptions::new().len(size.checked_add(align - PAGE)?).map_anon().ok()?;
            let map = memmap2::MmapRaw::from(map);
            let base = map.as_mut_ptr();
            let pad = (align - base as usize % align) % align;
            return Some(Memory { ptr: base.wrapping_add(pad), len: size, kind: MemoryKind::Map(map) });
        }
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
        if !self.in_bounds(off, width as usize) || !(self.ptr as usize + off).is_multiple_of(width as usize) {
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
        if !self.in_bounds(off, width as usize) || !(self.ptr as usize + off).is_multiple_of(width as usize) {
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
/// `_keep.bytes()`, which checked `[ptr, ptr+len)` lies inside that live
/// ArrayBuffer with no JavaScript run since; holding `_keep` keeps it alive.
pub fn copy_view_bytes(_keep: &crate::native::ViewParts<'_>, view: (*mut u8, usize)) -> Vec<u8> {
    // SAFETY: per the contract above, the range is inside a live buffer that
    // cannot be freed or detached during this synchronous copy.
    unsafe { std::slice::from_raw_parts(view.0, view.1) }.to_vec()
}

/// The JS escape hatch `unsafeArrayBuffer(address, length)`: an ArrayBuffer
/// over memory jsk does not own. Its soundness rests on the JS caller, as the
/// name says; jsk only refuses a null address.
pub fn alias_array_buffer<'js>(
    ctx: rquickjs::Ctx<'js>,
    addr: u64,
    len: usize,
) -> rquickjs::Result<rquickjs::ArrayBuffer<'js>> {
    // SAFETY: none from Rust's side: this is the documented unchecked hatch.
    let src = unsafe { Borrowed::new(addr as usize as *mut u8, len) };
    rquickjs::ArrayBuffer::from_source(ctx, src)
}

/// Load a module from bytecode that build.rs compiled with this QuickJS.
pub fn load_builtin_module<'js>(
    ctx: &rquickjs::Ctx<'js>,
    bytecode: &'static [u8],
) -> rquickjs::Result<rquickjs::Module<'js>> {
    // SAFETY: the bytecode was produced at build time by the same QuickJS
    // version and configuration that this binary links.
    unsafe { rquickjs::Module::load(ctx.clone(), bytecode) }
}

/// Load, link and evaluate module `name` (already resolved) as the host,
/// i.e. with an empty base name, so that no user module's name takes part in
/// resolving it. Returns the promise QuickJS settles with the namespace.
pub fn load_module<'js>(ctx: &rquickjs::Ctx<'js>, name: &str) -> rquickjs::Result<rquickjs::Promise<'js>> {
    let name = std::ffi::CString::new(name)?;
    // SAFETY: both strings are NUL-terminated and outlive the call; the
    // context is live on this thread; JS_LoadModule returns an owned value
    // (a promise, or JS_EXCEPTION with the exception pending), which
    // Value::from_js_value takes over.
    let v = unsafe {
        let raw = rquickjs::qjs::JS_LoadModule(ctx.as_raw().as_ptr(), c"".as_ptr(), name.as_ptr());
        if rquickjs::qjs::JS_IsException(raw) {
            return Err(rquickjs::Error::Exception);
        }
        rquickjs::Value::from_raw(ctx.clone(), raw)
    };
    v.into_promise().ok_or(rquickjs::Error::Unknown)
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

// ---------------------------------------------------------------------------
// QEMU child processes, eventfds and shared guest RAM (backend/qtest.rs).

/// Make the child that `cmd` spawns receive SIGKILL when the thread that
/// spawned it exits (PR_SET_PDEATHSIG), and refuse to start if this process
/// is already gone by the time the child runs (the usual getppid race).
pub fn kill_child_with_parent(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the forked child before exec. It calls only
    // async-signal-safe functions (prctl, getppid), takes no locks and does
    // not allocate (an io::Error from an errno is a plain value).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

/// A fresh eventfd (counter 0, EFD_NONBLOCK | EFD_CLOEXEC) as a File, so it is
/// read and written with safe `Read`/`Write` calls and closed on drop.
pub fn eventfd_file() -> std::io::Result<std::fs::File> {
    use std::os::fd::FromRawFd;
    // SAFETY: eventfd takes two integers and has no memory preconditions.
    let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by eventfd and nothing else owns it.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

/// Wait until `fd` is readable or `timeout` passes; Ok(false) on timeout or
/// when a signal interrupted the wait (callers loop on their own deadline).
pub fn poll_readable(fd: std::os::fd::BorrowedFd<'_>, timeout: std::time::Duration) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut p = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int;
    // SAFETY: `p` is one valid pollfd that lives across the call, and the
    // count says 1; the descriptor is borrowed, so it stays open meanwhile.
    let r = unsafe { libc::poll(&mut p, 1, ms) };
    if r < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted { Ok(false) } else { Err(e) };
    }
    Ok(r > 0)
}

/// Copy `data` into a shared mapping at `off`; false (nothing written) when
/// the range is not inside the mapping.
pub fn shared_copy_in(map: &memmap2::MmapRaw, off: usize, data: &[u8]) -> bool {
    if off.checked_add(data.len()).is_none_or(|end| end > map.len()) {
        return false;
    }
    // SAFETY: the range was checked to lie inside the mapping, which `map`
    // keeps alive for the call. The other writer (QEMU) is another process;
    // the bytes are plain data with no validity invariants.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), map.as_mut_ptr().add(off), data.len()) };
    true
}

/// Copy bytes out of a shared mapping at `off` into `out`; false (nothing
/// read) when the range is not inside the mapping.
pub fn shared_copy_out(map: &memmap2::MmapRaw, off: usize, out: &mut [u8]) -> bool {
    if off.checked_add(out.len()).is_none_or(|end| end > map.len()) {
        return false;
    }
    // SAFETY: as in `shared_copy_in`; `out` is a distinct host buffer.
    unsafe { std::ptr::copy_nonoverlapping(map.as_ptr().add(off), out.as_mut_ptr(), out.len()) };
    true
}

// ---- Region objects ------------------------------------------------------
//
// `Region` is a QuickJS class written against the C API rather than through
// rquickjs' class macros: a register access is the hottest call a driver
// makes, and this path costs a fraction of the generic binding. The methods
// only convert arguments and results; the checks and the access itself are
// `hw::RegionCore::read/write` (safe code).

use rquickjs::qjs;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

static REGION_CLASS: AtomicU32 = AtomicU32::new(0);

struct RegionObject {
    core: crate::hw::RegionCore,
    /// Fake regions: the behaviour hook, or JS_UNDEFINED.
    hook: qjs::JSValue,
}

const OP_READ: i32 = 0x10;
const OP_WRITE: i32 = 0x20;
const OP_HOOK: i32 = 0x40;

unsafe extern "C" fn region_finalizer(rt: *mut qjs::JSRuntime, val: qjs::JSValue) {
    // SAFETY: called once by QuickJS for an object of our class; the opaque is
    // the Box leaked in `new_region`.
    unsafe {
        let p = qjs::JS_GetOpaque(val, REGION_CLASS.load(AtomicOrdering::Relaxed)) as *mut RegionObject;
        if !p.is_null() {
            let obj = Box::from_raw(p);
            qjs::JS_FreeValueRT(rt, obj.hook);
        }
    }
}

unsafe extern "C" fn region_mark(rt: *mut qjs::JSRuntime, val: qjs::JSValue, mark: qjs::JS_MarkFunc) {
    // SAFETY: the opaque is ours (see finalizer); marking the hook keeps the
    // cycle collector aware of the reference we hold.
    unsafe {
        let p = qjs::JS_GetOpaque(val, REGION_CLASS.load(AtomicOrdering::Relaxed)) as *mut RegionObject;
        if !p.is_null() {
            qjs::JS_MarkValue(rt, (*p).hook, mark);
        }
    }
}

fn throw(ctx: *mut qjs::JSContext, e: crate::hw::AccessError) -> qjs::JSValue {
    let (kind, msg) = match e {
        crate::hw::AccessError::Range(m) => (0, m),
        crate::hw::AccessError::Type(m) => (1, m),
        crate::hw::AccessError::Hw(m) => (2, m),
    };
    let msg = std::ffi::CString::new(msg.replace('\0', " ")).unwrap_or_default();
    let fmt = c"%s";
    // SAFETY: `ctx` is the live context of the current call; the format
    // string takes exactly the one C string passed.
    unsafe {
        match kind {
            0 => qjs::JS_ThrowRangeError(ctx, fmt.as_ptr(), msg.as_ptr()),
            1 => qjs::JS_ThrowTypeError(ctx, fmt.as_ptr(), msg.as_ptr()),
            _ => qjs::JS_ThrowInternalError(ctx, fmt.as_ptr(), msg.as_ptr()),
        }
    }
}

/// The integer in a JS number or BigInt (two's complement for negatives),
/// or None.
fn int_of(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> Option<i64> {
    // SAFETY: inspecting the tag of a live value; JS_ToBigInt64 only reads it.
    unsafe {
        let tag = qjs::JS_VALUE_GET_TAG(v);
        if tag == qjs::JS_TAG_INT {
            return Some(qjs::JS_VALUE_GET_INT(v) as i64);
        }
        if tag == qjs::JS_TAG_FLOAT64 {
            let f = qjs::JS_VALUE_GET_FLOAT64(v);
            return (f.fract() == 0.0 && f.abs() <= 9.007199254740992e15).then_some(f as i64);
        }
        if qjs::JS_IsBigInt(v) {
            let mut out = 0i64;
            return (qjs::JS_ToBigInt64(ctx, &mut out, v) == 0).then_some(out);
        }
        None
    }
}

fn shown(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> String {
    match int_of(ctx, v) {
        Some(i) if i >= 0 => format!("{i:#x}"),
        Some(i) => i.to_string(),
        // SAFETY: reading the tag of a live value.
        None => unsafe {
            match qjs::JS_VALUE_GET_TAG(v) {
                t if t == qjs::JS_TAG_FLOAT64 => qjs::JS_VALUE_GET_FLOAT64(v).to_string(),
                t if t == qjs::JS_TAG_STRING => "a string".into(),
                t if t == qjs::JS_TAG_UNDEFINED => "undefined".into(),
                t if t == qjs::JS_TAG_OBJECT => "an object".into(),
                _ => "a non-number".into(),
            }
        },
    }
}

fn new_number(ctx: *mut qjs::JSContext, v: u64, width: u8) -> qjs::JSValue {
    if width == 8 {
        // SAFETY: plain constructor on the live context.
        return unsafe { qjs::JS_NewBigUint64(ctx, v) };
    }
    if v <= i32::MAX as u64 {
        qjs::JS_MKVAL(qjs::JS_TAG_INT, v as i32)
    } else {
        qjs::JS_NewFloat64(v as f64)
    }
}

/// Call the fake hook; Ok(Some(v)) when a read hook supplied a value.
fn call_hook(
    ctx: *mut qjs::JSContext,
    obj: &RegionObject,
    write: bool,
    off: u64,
    width: u8,
    value: u64,
) -> Result<Option<u64>, qjs::JSValue> {
    // SAFETY: `hook` is a live function value we hold a reference to; the
    // argument values are created here and freed after the call.
    unsafe {
        let op = if write { c"write" } else { c"read" };
        let mut args = [
            qjs::JS_NewStringLen(ctx, op.as_ptr(), op.count_bytes() as _),
            qjs::JS_NewFloat64(off as f64),
            qjs::JS_MKVAL(qjs::JS_TAG_INT, width as i32),
            if write { new_number(ctx, value, width) } else { qjs::JS_UNDEFINED },
        ];
        // Hold our own reference: the hook may replace itself (setHook) while it runs.
        let hook = qjs::JS_DupValue(ctx, obj.hook);
        let r = qjs::JS_Call(ctx, hook, qjs::JS_UNDEFINED, if write { 4 } else { 3 }, args.as_mut_ptr());
        qjs::JS_FreeValue(ctx, hook);
        for a in args {
            qjs::JS_FreeValue(ctx, a);
        }
        if qjs::JS_IsException(r) {
            return Err(r);
        }
        let out = if write { None } else { int_of(ctx, r).map(|v| v as u64 & crate::hw::mask(width)) };
        qjs::JS_FreeValue(ctx, r);
        Ok(out)
    }
}

unsafe extern "C" fn region_method(
    ctx: *mut qjs::JSContext,
    this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
    magic: std::ffi::c_int,
) -> qjs::JSValue {
    // SAFETY: QuickJS passes `argc` live arguments at `argv`; a missing one
    // reads as undefined. The opaque, when non-null, is our RegionObject,
    // alive while `this` is.
    unsafe {
        let arg = |i: i32| if i < argc { *argv.add(i as usize) } else { qjs::JS_UNDEFINED };
        let p = qjs::JS_GetOpaque(this, REGION_CLASS.load(AtomicOrdering::Relaxed)) as *mut RegionObject;
        if p.is_null() {
            return throw(ctx, crate::hw::AccessError::Type("not a Region".into()));
        }
        let obj = &mut *p;
        if magic == OP_HOOK {
            let h = arg(0);
            if !obj.core.fake {
                return throw(
                    ctx,
                    crate::hw::AccessError::Type(format!("{}: only fake regions take hooks", obj.core.name)),
                );
            }
            if !qjs::JS_IsUndefined(h) && !qjs::JS_IsNull(h) && !qjs::JS_IsFunction(ctx, h) {
                return throw(
                    ctx,
                    crate::hw::AccessError::Type(format!("{}: setHook takes a function or null", obj.core.name)),
                );
            }
            let old = std::mem::replace(
                &mut obj.hook,
                if qjs::JS_IsFunction(ctx, h) { qjs::JS_DupValue(ctx, h) } else { qjs::JS_UNDEFINED },
            );
            qjs::JS_FreeValue(ctx, old);
            return qjs::JS_UNDEFINED;
        }
        let width = (magic & 0xf) as u8;
        let off_v = arg(0);
        let off = match int_of(ctx, off_v) {
            Some(o) if o >= 0 && !qjs::JS_IsBigInt(off_v) => o as u64,
            _ => return throw(ctx, obj.core.bad_offset(&shown(ctx, off_v))),
        };
        if magic & OP_READ != 0 {
            let v = match obj.core.read(off, width) {
                Ok(v) => v,
                Err(e) => return throw(ctx, e),
            };
            let v = if qjs::JS_IsUndefined(obj.hook) {
                v
            } else {
                match call_hook(ctx, obj, false, off, width, 0) {
                    Ok(Some(h)) => h,
                    Ok(None) => v,
                    Err(ex) => return ex,
                }
            };
            new_number(ctx, v, width)
        } else {
            let val_v = arg(1);
            let v = match int_of(ctx, val_v) {
                Some(v) if crate::hw::fits(v, width) || qjs::JS_IsBigInt(val_v) => v as u64 & crate::hw::mask(width),
                _ => return throw(ctx, obj.core.bad_value(off, width, &shown(ctx, val_v))),
            };
            if let Err(e) = obj.core.write(off, width, v) {
                return throw(ctx, e);
            }
            if !qjs::JS_IsUndefined(obj.hook) {
                if let Err(ex) = call_hook(ctx, obj, true, off, width, v) {
                    return ex;
                }
            }
            qjs::JS_UNDEFINED
        }
    }
}

const REGION_METHODS: &[(&std::ffi::CStr, i32, i32)] = &[
    (c"read8", OP_READ | 1, 1),
    (c"read16", OP_READ | 2, 1),
    (c"read32", OP_READ | 4, 1),
    (c"read64", OP_READ | 8, 1),
    (c"write8", OP_WRITE | 1, 2),
    (c"write16", OP_WRITE | 2, 2),
    (c"write32", OP_WRITE | 4, 2),
    (c"write64", OP_WRITE | 8, 2),
    (c"in8", OP_READ | 1, 1),
    (c"in16", OP_READ | 2, 1),
    (c"in32", OP_READ | 4, 1),
    (c"out8", OP_WRITE | 1, 2),
    (c"out16", OP_WRITE | 2, 2),
    (c"out32", OP_WRITE | 4, 2),
    (c"setHook", OP_HOOK, 1),
];

thread_local! {
    /// Contexts whose Region prototype is installed.
    static REGION_PROTO_CTX: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Register the class with the runtime and give this context its prototype.
fn ensure_region_class(ctx: *mut qjs::JSContext) {
    // SAFETY: class registration and prototype setup on the live context and
    // runtime of this thread; the class definition is static.
    unsafe {
        let rt = qjs::JS_GetRuntime(ctx);
        let mut id = REGION_CLASS.load(AtomicOrdering::Relaxed);
        if id == 0 {
            qjs::JS_NewClassID(rt, &mut id);
            REGION_CLASS.store(id, AtomicOrdering::Relaxed);
        }
        if !qjs::JS_IsRegisteredClass(rt, id) {
            // QuickJS copies what it needs from the definition.
            let def = qjs::JSClassDef {
                class_name: c"Region".as_ptr(),
                finalizer: Some(region_finalizer),
                gc_mark: Some(region_mark),
                call: None,
                exotic: std::ptr::null_mut(),
            };
            qjs::JS_NewClass(rt, id, &def);
        }
        if REGION_PROTO_CTX.with(|c| c.get()) == ctx as usize {
            return;
        }
        let proto = qjs::JS_NewObject(ctx);
        for (name, magic, len) in REGION_METHODS {
            let f: qjs::JSCFunction = Some(std::mem::transmute::<
                unsafe extern "C" fn(
                    *mut qjs::JSContext,
                    qjs::JSValue,
                    std::ffi::c_int,
                    *mut qjs::JSValue,
                    std::ffi::c_int,
                ) -> qjs::JSValue,
                unsafe extern "C" fn(
                    *mut qjs::JSContext,
                    qjs::JSValue,
                    std::ffi::c_int,
                    *mut qjs::JSValue,
                ) -> qjs::JSValue,
            >(region_method));
            let func =
                qjs::JS_NewCFunction2(ctx, f, name.as_ptr(), *len, qjs::JSCFunctionEnum_JS_CFUNC_generic_magic, *magic);
            qjs::JS_SetPropertyStr(ctx, proto, name.as_ptr(), func);
        }
        qjs::JS_SetClassProto(ctx, id, proto);
        REGION_PROTO_CTX.with(|c| c.set(ctx as usize));
    }
}

/// Run `f` on the RegionCore behind a JS `Region`; None for other values.
pub fn with_region_core<R>(v: &rquickjs::Value<'_>, f: impl FnOnce(&mut crate::hw::RegionCore) -> R) -> Option<R> {
    // SAFETY: JS_GetOpaque checks the class id; the opaque, when non-null, is
    // the RegionObject owned by the live object `v` holds. JS is single-threaded
    // and no region method runs while `f` does.
    unsafe {
        let p = qjs::JS_GetOpaque(v.as_raw(), REGION_CLASS.load(AtomicOrdering::Relaxed)) as *mut RegionObject;
        p.as_mut().map(|o| f(&mut o.core))
    }
}

/// A new JS `Region` over `core`, with read-only `name`, `size` and `space`.
pub fn new_region<'js>(
    ctx: &rquickjs::Ctx<'js>,
    core: crate::hw::RegionCore,
) -> rquickjs::Result<rquickjs::Value<'js>> {
    let c = ctx.as_raw().as_ptr();
    ensure_region_class(c);
    let (name, size, space) = (core.name.clone(), core.size as f64, core.space_name());
    // SAFETY: a fresh object of our class; the Box is owned by the object from
    // here on and freed in the finalizer. The returned value is handed to
    // rquickjs, which takes over its reference.
    let value = unsafe {
        let obj = qjs::JS_NewObjectClass(c, REGION_CLASS.load(AtomicOrdering::Relaxed));
        if qjs::JS_IsException(obj) {
            return Err(rquickjs::Error::Exception);
        }
        qjs::JS_SetOpaque(obj, Box::into_raw(Box::new(RegionObject { core, hook: qjs::JS_UNDEFINED })) as *mut _);
        // The accessors again as own properties: QuickJS finds an own
        // property faster than one on the prototype, and this is the hot call.
        let proto = qjs::JS_GetClassProto(c, REGION_CLASS.load(AtomicOrdering::Relaxed));
        for (name, _, _) in REGION_METHODS {
            let f = qjs::JS_GetPropertyStr(c, proto, name.as_ptr());
            qjs::JS_DefinePropertyValueStr(c, obj, name.as_ptr(), f, qjs::JS_PROP_CONFIGURABLE as i32);
        }
        qjs::JS_FreeValue(c, proto);
        rquickjs::Value::from_raw(ctx.clone(), obj)
    };
    let o = value.as_object().expect("an object");
    o.prop("name", rquickjs::object::Property::from(name).enumerable())?;
    o.prop("size", rquickjs::object::Property::from(size).enumerable())?;
    o.prop("space", rquickjs::object::Property::from(space).enumerable())?;
    Ok(value)
}
