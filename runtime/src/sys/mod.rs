//! The operating system, reached directly: raw system calls, signals, memory
//! mappings, process exit, and the subsystems' raw calls (`vfio`: device
//! ioctls and DMA mapping; `init`: what jsk does as PID 1). The bottom layer:
//! it imports nothing from the rest of the crate, and with `js::ffi` it is
//! the only place the compiler lets `unsafe` code in. Each `unsafe` block
//! carries a `// SAFETY:` note saying why it is sound.
#![allow(unsafe_code)]

pub mod init;
pub mod process;
pub mod vfio;

use volatile::VolatilePtr;

/// Memory barriers for device I/O, after Linux's model
/// (Documentation/memory-barriers.txt; arch/{x86,arm64}/include/asm/barrier.h).
/// x86 orders stores with stores and loads with loads already (TSO), so the
/// DMA barriers only stop the compiler there; aarch64 needs instructions.
pub mod barrier {
    use std::sync::atomic::{compiler_fence, Ordering};

    /// `dma_wmb()`: CPU writes to DMA memory (descriptors) are visible to the
    /// device before any later write (the doorbell). aarch64: `dmb oshst`.
    #[inline]
    pub fn dma_wmb() {
        #[cfg(target_arch = "aarch64")]
        // SAFETY: a barrier instruction: it reads and writes no memory and no register.
        unsafe {
            std::arch::asm!("dmb oshst", options(nostack, preserves_flags))
        };
        compiler_fence(Ordering::SeqCst);
    }

    /// `dma_rmb()`: a read of DMA memory (a descriptor's done bit) completes
    /// before any later read (the rest of the descriptor). aarch64: `dmb oshld`.
    #[inline]
    pub fn dma_rmb() {
        #[cfg(target_arch = "aarch64")]
        // SAFETY: as in `dma_wmb`.
        unsafe {
            std::arch::asm!("dmb oshld", options(nostack, preserves_flags))
        };
        compiler_fence(Ordering::SeqCst);
    }

    /// `mb()`: every earlier load and store, to memory or device, completes
    /// before any later one. x86: `mfence`; aarch64: `dsb sy`.
    #[inline]
    pub fn mb() {
        #[cfg(target_arch = "aarch64")]
        // SAFETY: as in `dma_wmb`.
        unsafe {
            std::arch::asm!("dsb sy", options(nostack, preserves_flags))
        };
        #[cfg(not(target_arch = "aarch64"))]
        std::sync::atomic::fence(Ordering::SeqCst);
    }
}

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

/// Memory jsk can reach by pointer: a mapping (memmap2), or zeroed host
/// memory it allocated. All pointer arithmetic on it happens here, checked;
/// register reads and writes go through `volatile`'s `VolatilePtr`.
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

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn in_bounds(&self, off: usize, n: usize) -> bool {
        off.checked_add(n).is_some_and(|end| end <= self.len)
    }

    /// Where `[off, off+n)` starts, when it lies inside this memory.
    pub fn range_ptr(&self, off: usize, n: usize) -> Option<std::ptr::NonNull<u8>> {
        self.in_bounds(off, n).then(|| std::ptr::NonNull::new(self.ptr.wrapping_add(off))).flatten()
    }

    /// Zero `[off, off+n)`; false (nothing written) when out of bounds.
    pub fn fill_zero(&self, off: usize, n: usize) -> bool {
        if !self.in_bounds(off, n) {
            return false;
        }
        // SAFETY: bounds checked just above; the memory lives as long as `self`.
        unsafe { std::ptr::write_bytes(self.ptr.add(off), 0, n) };
        true
    }

    /// This memory as `Bytes`, for volatile accesses of one width.
    pub fn bytes(&self) -> Bytes<'_> {
        Bytes { ptr: self.ptr, len: self.len, _borrow: std::marker::PhantomData }
    }

    /// One volatile read of exactly `width` (1, 2, 4, 8) bytes; None when the
    /// access is out of bounds or not naturally aligned. As Linux's `readl`,
    /// later reads of DMA memory wait for it (`dma_rmb` after the load).
    pub fn read(&self, off: usize, width: u8) -> Option<u64> {
        let v = self.bytes().load(off, width)?;
        barrier::dma_rmb();
        Some(v)
    }

    /// One volatile write of exactly `width` bytes; false when out of bounds
    /// or misaligned (nothing is written then). As Linux's `writel`, earlier
    /// writes to DMA memory are visible to the device first (`dma_wmb`).
    pub fn write(&self, off: usize, width: u8, value: u64) -> bool {
        barrier::dma_wmb();
        self.bytes().store(off, width, value)
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

/// `len` bytes that a device or another thread may change at any time (a
/// register window, DMA memory, a JS buffer a native function borrows),
/// reached only by checked volatile accesses of one width each. It borrows
/// the memory for `'a`; it owns nothing.
#[derive(Clone, Copy)]
pub struct Bytes<'a> {
    ptr: *mut u8,
    len: usize,
    _borrow: std::marker::PhantomData<&'a std::cell::UnsafeCell<[u8]>>,
}

impl<'a> Bytes<'a> {
    /// # Safety
    /// `[ptr, ptr+len)` must stay mapped, and not be freed or moved, for `'a`.
    pub unsafe fn new(ptr: *mut u8, len: usize) -> Bytes<'a> {
        Bytes { ptr, len, _borrow: std::marker::PhantomData }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the bytes start (for alignment checks; never dereferenced by callers).
    pub fn addr(&self) -> usize {
        self.ptr as usize
    }

    /// `[off, off+len)` of these bytes, when inside.
    pub fn sub(&self, off: usize, len: usize) -> Option<Bytes<'a>> {
        (off.checked_add(len)? <= self.len).then(|| Bytes {
            ptr: self.ptr.wrapping_add(off),
            len,
            _borrow: self._borrow,
        })
    }

    /// The `T` at `off` as `volatile`'s pointer type, when `[off,
    /// off+size_of::<T>())` is inside and naturally aligned.
    fn at<T: Copy>(&self, off: usize) -> Option<VolatilePtr<'a, T>> {
        let width = std::mem::size_of::<T>();
        if off.checked_add(width)? > self.len {
            return None;
        }
        let p = self.ptr.wrapping_add(off);
        if !(p as usize).is_multiple_of(width) {
            return None;
        }
        // SAFETY: the `width` bytes at `p` lie inside `[ptr, ptr+len)` (checked
        // just above), which stays mapped for `'a` (the contract of `new`, or a
        // `Memory` borrowed for `'a`); `p` is aligned for `T`, non-null as an
        // address inside a mapping, and `T` is a plain integer, valid for any bits.
        Some(unsafe { VolatilePtr::new(std::ptr::NonNull::new_unchecked(p.cast::<T>())) })
    }

    /// One volatile read of exactly `width` (1, 2, 4, 8) bytes; None when the
    /// access is out of bounds or not naturally aligned.
    pub fn load(&self, off: usize, width: u8) -> Option<u64> {
        Some(match width {
            1 => self.at::<u8>(off)?.read() as u64,
            2 => self.at::<u16>(off)?.read() as u64,
            4 => self.at::<u32>(off)?.read() as u64,
            8 => self.at::<u64>(off)?.read(),
            _ => return None,
        })
    }

    /// One volatile write of the low `width` bytes of `value`; false (nothing
    /// written) when out of bounds or misaligned.
    pub fn store(&self, off: usize, width: u8, value: u64) -> bool {
        fn put<T: Copy>(r: Option<VolatilePtr<'_, T>>, v: T) -> bool {
            r.map(|r| r.write(v)).is_some()
        }
        match width {
            1 => put(self.at::<u8>(off), value as u8),
            2 => put(self.at::<u16>(off), value as u16),
            4 => put(self.at::<u32>(off), value as u32),
            8 => put(self.at::<u64>(off), value),
            _ => false,
        }
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

#[cfg(test)]
mod tests {
    /// No aarch64 standard library can be had here, so the aarch64 barriers
    /// are checked in their source: each is the instruction Linux's arm64
    /// barrier.h uses (dma_wmb = dmb oshst, dma_rmb = dmb oshld, mb = dsb sy),
    /// under `cfg(target_arch = "aarch64")`.
    #[test]
    fn aarch64_barriers_are_linuxs_instructions() {
        let src = include_str!("mod.rs");
        let module = &src[src.find("pub mod barrier {").unwrap()..];
        let module = &module[..module.find("\n}\n").unwrap() + 1];
        for (f, insn) in [("dma_wmb", "dmb oshst"), ("dma_rmb", "dmb oshld"), ("mb", "dsb sy")] {
            let body = &module[module.find(&format!("pub fn {f}()")).unwrap()..];
            let body = &body[..body.find("\n    }\n").unwrap()];
            let at = body.find(&format!("asm!(\"{insn}\"")).unwrap_or_else(|| panic!("{f}: no {insn}"));
            assert!(body[..at].contains("#[cfg(target_arch = \"aarch64\")]"), "{f}: {insn} is not aarch64-only");
        }
    }
}
