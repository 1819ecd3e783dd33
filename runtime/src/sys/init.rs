//! Raw code jsk needs as PID 1 in the boot image: mount, kernel modules,
//! child processes (pipes, reaping, killing), the boot clock and power-off.
//!
//! Every function returns an `io::Error` built from errno rather than
//! panicking: PID 1 must never die (the kernel panics when it does).

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::Duration;

fn c_string(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("{s:?} contains a NUL byte")))
}

fn check(r: libc::c_long) -> io::Result<()> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// mount(2): `mount -t FSTYPE SOURCE TARGET`, with no options.
pub fn mount(source: &str, target: &str, fstype: &str) -> io::Result<()> {
    let (source, target, fstype) = (c_string(source)?, c_string(target)?, c_string(fstype)?);
    // SAFETY: the three strings are NUL-terminated and live across the call;
    // a null `data` pointer means "no options".
    let r = unsafe { libc::mount(source.as_ptr(), target.as_ptr(), fstype.as_ptr(), 0, std::ptr::null()) };
    check(r as libc::c_long)
}

/// finit_module(2): load the kernel module in `file` with parameter string
/// `params` (e.g. "" or "foo=1 bar=2"). EEXIST means it is already loaded.
pub fn finit_module(file: BorrowedFd<'_>, params: &str) -> io::Result<()> {
    let params = c_string(params)?;
    // SAFETY: finit_module reads the module from an open descriptor we
    // borrow for the call and the NUL-terminated parameter string; flags 0.
    let r = unsafe { libc::syscall(libc::SYS_finit_module, file.as_raw_fd(), params.as_ptr(), 0 as libc::c_int) };
    check(r)
}

/// Time since boot, including suspend (CLOCK_BOOTTIME, the clock behind
/// /proc/uptime), with nanosecond resolution rather than /proc's 10 ms.
pub fn boottime() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    if r != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A pipe, both ends close-on-exec: (read end, write end).
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as libc::c_int; 2];
    // SAFETY: pipe2 writes two descriptors into a two-element array.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    check(r as libc::c_long)?;
    // SAFETY: both descriptors were just created and nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// How a child process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Exited(i32),
    Signaled(i32),
}

/// Reap one ended child, any child (PID 1 inherits every orphan), without
/// blocking: Some((pid, how)) or None when no child has ended (or none exist).
pub fn reap_any() -> Option<(i32, Ended)> {
    let mut status: libc::c_int = 0;
    // SAFETY: waitpid writes the status through a valid pointer.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    if pid <= 0 {
        return None;
    }
    let ended = if libc::WIFEXITED(status) {
        Ended::Exited(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Ended::Signaled(libc::WTERMSIG(status))
    } else {
        // Stopped/continued are not reported without WUNTRACED/WCONTINUED.
        Ended::Exited(255)
    };
    Some((pid, ended))
}

/// kill(2): `pid` > 0 is one process, < 0 a process group, -1 every process
/// this one may signal (PID 1: all but itself).
pub fn kill(pid: i32, signal: i32) -> io::Result<()> {
    // SAFETY: kill takes two integers and has no memory preconditions.
    let r = unsafe { libc::kill(pid, signal) };
    check(r as libc::c_long)
}

/// Flush file-system buffers (nothing is on disk in the image, but a board
/// may have mounted something).
pub fn sync() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() }
}

/// Write `status` to QEMU's isa-debug-exit device at `port` (32-bit write):
/// QEMU then exits with (status << 1) | 1. On a machine without that device
/// the write goes nowhere and this returns Ok; the caller powers off next.
#[cfg(target_arch = "x86_64")]
pub fn debug_exit(port: u16, status: u32) -> io::Result<()> {
    // SAFETY: ioperm takes integers; it grants this process access to 4 I/O
    // ports (needs CAP_SYS_RAWIO, which PID 1 has).
    let r = unsafe { libc::syscall(libc::SYS_ioperm, port as libc::c_ulong, 4 as libc::c_ulong, 1 as libc::c_int) };
    check(r)?;
    // SAFETY: `out` to a port this process was just granted; the only effect
    // on real hardware would be on that port, and jsk only does this as PID
    // 1 of its own boot image, right before powering off anyway.
    unsafe {
        std::arch::asm!("out dx, eax", in("dx") port, in("eax") status, options(nomem, nostack, preserves_flags))
    };
    Ok(())
}

#[cfg(not(target_arch = "x86_64"))]
pub fn debug_exit(_port: u16, _status: u32) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "isa-debug-exit is x86 only"))
}

/// reboot(RB_POWER_OFF). Only returns if the kernel refused.
pub fn power_off() -> io::Error {
    // SAFETY: reboot takes one integer; it needs CAP_SYS_BOOT.
    unsafe { libc::reboot(libc::RB_POWER_OFF) };
    io::Error::last_os_error()
}
