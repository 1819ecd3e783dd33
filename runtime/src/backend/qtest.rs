//! The `qtest` backend: real QEMU device models driven over QEMU's qtest
//! socket, with no guest OS. Guest RAM is a file both QEMU and jsk map
//! shared, so DMA buffers are real shared memory.
//!
//! # How QEMU is started
//!
//! `qemu-system-* -qtest unix:SOCK -qtest-log none -accel tcg -display none
//! -nodefaults -machine M,memory-backend=jskram -object
//! memory-backend-file,id=jskram,size=NM,mem-path=RAM,share=on -m NM`, plus a
//! QMP monitor on a second socket and the caller's extra arguments. jsk
//! listens on both sockets first; QEMU connects to them as a client while it
//! starts. Sockets, the RAM file and the firmware image live in a private
//! (0700) temporary directory that is removed at shutdown.
//!
//! Debian's QEMU has no `qtest` accelerator, so the vCPU really executes
//! under TCG and the VM runs (it is not started with `-S`: device timers on
//! `QEMU_CLOCK_VIRTUAL`, such as edu's DMA timer, must fire, and the virtual
//! clock follows real time under TCG). To keep the CPU from doing anything —
//! SeaBIOS would reprogram BARs and PIRQ routing behind our back — jsk gives
//! it a firmware of its own, generated at launch, unless the caller's args
//! already contain `-bios`, `-kernel` or `-pflash`:
//!
//! - x86: a 64 KiB `-bios` image whose reset vector (0xFFFF0) is
//!   `cli; mov al,0x30; out 0x43,al; hlt; jmp $-2`. The `out` puts PIT channel
//!   0 in mode 0, so after one last edge IRQ 0 stops toggling (left alone it
//!   sends `IRQ raise/lower 0` about 36 times a second).
//! - AArch64 / Arm with RAM at 0 (raspi3b): every core resets to address 0,
//!   which is RAM, so `wfi; b .-4` is written at RAM offset 0 before QEMU
//!   starts (without it the secondary cores spin through undefined-instruction
//!   exceptions at 150% host CPU). Guest RAM 0x0..0x8 is therefore taken.
//! - AArch64 / Arm with RAM elsewhere (virt): `wfi; b .-4` as `-bios` (flash
//!   at 0). On `virt`, a loaded firmware plus ACPI makes QEMU replace the PL061
//!   GPIO by the ACPI GED, so jsk appends `,acpi=off` to a `virt` machine that
//!   does not say `acpi=` itself.
//!
//! Measured on the 2-core TCG box: QEMU uses 0 clock ticks of host CPU per
//! second when idle on pc, q35, virt and raspi3b.
//!
//! # qtest protocol facts (QEMU 7.2, `softmmu/qtest.c`, `qtest_process_command`)
//!
//! - Line based; one reply per request, in order: `OK`, `OK VALUE`,
//!   `FAIL reason` or `ERR reason`. Asynchronous `IRQ raise N` /
//!   `IRQ lower N` lines may come before any reply. `readb/w/l/q` answer
//!   `OK 0x%016x`, `inb/w/l` answer `OK 0x%04x`; writes and `out*` answer `OK`.
//! - Malformed arguments are `g_assert`ed, i.e. they abort QEMU: a port above
//!   0xffff for `in*/out*`, a `set_irq_in` line number outside the list
//!   (`qdev_get_gpio_in_named` asserts), or an intercept on a QOM object that
//!   is not a device (`DEVICE()` cast). jsk checks all three before sending.
//! - `irq_intercept_in PATH` / `irq_intercept_out PATH`: QEMU keeps ONE
//!   intercepted device per process (`static DeviceState *irq_intercept_dev`).
//!   A second call for another device answers `FAIL IRQ intercept already
//!   enabled`; a second call for the same device answers `OK` whatever its
//!   direction, and intercepts nothing more (so in and out of one device
//!   cannot both be had). jsk turns both into an error.
//! - Only UNNAMED gpio lists are intercepted (`if (ngl->name) continue;`).
//!   Line numbers are the index in the device's unnamed list. So PL061 outs
//!   are lines 0..7 and its `sysbus-irq` (a named list) is never seen;
//!   BCM2835 GPIO outs are lines 0..53. In 7.2 a device with no unnamed list
//!   still answers `OK` (intercepting nothing); jsk refuses that up front.
//! - `irq_intercept_in ioapic` intercepts the IOAPIC's 24 inputs; NUM is the
//!   input pin = GSI as wired (ISA IRQ 0 comes out as 0 even though the IOAPIC
//!   remaps it to pin 2 internally). The interrupt still reaches the IOAPIC
//!   (`qtest_irq_handler` forwards to the original handler).
//! - QEMU only reports a level change against its own table, which starts at
//!   all-zero when the socket opens (`qtest_event`, CHR_EVENT_OPENED), and
//!   only for N < 256 (MAX_IRQ). A line already high before the intercept is
//!   reported at its next change.
//! - `set_irq_in PATH NAME NUM LEVEL` drives a gpio-in; NAME is
//!   `unnamed-gpio-in` for the unnamed list.
//! - Without `-qtest-log`, QEMU logs every command and reply to stderr
//!   (`qtest_server_start`); jsk passes `-qtest-log none`.
//!
//! # Threads and ordering
//!
//! A reader thread owns the socket's read side (a BufReader). IRQ lines update
//! the levels, the log and the eventfds; replies go to the one waiting caller.
//! QEMU sends the IRQ lines a command causes before that command's `OK`, so
//! when a register write returns, the levels and eventfds already reflect it.
//! Requests are serialised; each has a deadline (5 s by default) and fails with
//! `HwError::Timeout` naming the command. A QEMU that died gives
//! `HwError::Qemu` with its exit status and the tail of its stderr.
//!
//! QEMU dies with jsk: PR_SET_PDEATHSIG(SIGKILL) in the child (spawned from a
//! long-lived thread, because the signal follows the spawning *thread*), an
//! `on_exit` hook that kills and reaps it, and `Drop`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::hw::{Bus, HwError, Space};
use crate::sys;

/// How to start QEMU.
#[derive(Clone, Debug)]
pub struct QemuSpec {
    /// "qemu-system-x86_64" | "qemu-system-aarch64" (a path or a name on PATH).
    pub binary: String,
    /// e.g. "pc" or "q35", "virt", "raspi3b" (may include ",opt=..").
    pub machine: String,
    /// Guest RAM size.
    pub memory_mb: u64,
    /// Guest-physical address where RAM starts (0 on pc/q35/raspi3b,
    /// 0x4000_0000 on virt).
    pub ram_base: u64,
    /// e.g. Some("cortex-a57") for virt.
    pub cpu: Option<String>,
    /// Extra QEMU args: -device ..., -chardev ..., -netdev ...
    pub args: Vec<String>,
    /// How long QEMU may take to connect its qtest and QMP sockets.
    pub startup_timeout: Duration,
}

/// One level change of an intercepted line, stamped when jsk read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqEvent {
    pub at: Instant,
    pub line: u32,
    pub level: bool,
}

/// Default deadline of one qtest or QMP request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The IRQ log keeps at most this many events; older ones are dropped (and
/// counted, see [`Qtest::irq_log_dropped`]) when nobody takes the log.
pub const IRQ_LOG_CAP: usize = 1 << 16;
/// IRQ lines above this are ignored: no QEMU machine has more (the GIC's
/// 1020 interrupt IDs are the most), and a line number sizes a table.
pub const MAX_IRQ_LINE: u32 = 1023;

/// Largest x86 RAM jsk accepts: below it guest RAM is one linear window at 0
/// on both pc and q35 (above it QEMU splits RAM around the PCI hole).
const X86_MAX_LINEAR_MB: u64 = 2048;

const STDERR_TAIL: usize = 8 << 10;

/// A running QEMU driven over qtest. Send + Sync; every method takes &self.
pub struct Qtest {
    link: Arc<Link>,
    out: Mutex<Out>,
    qmp: Mutex<Qmp>,
    proc_: Arc<Proc>,
    ram: Arc<memmap2::MmapRaw>,
    ram_base: u64,
    reader: Mutex<Option<JoinHandle<()>>>,
    timeout_ms: AtomicU64,
    intercept: Mutex<Option<(String, &'static str)>>,
    gpio_in_ok: Mutex<HashSet<String>>,
}

struct Out {
    stream: UnixStream,
    sent: u64,
    buf: Vec<u8>,
}

/// State the reader thread shares with callers.
struct Link {
    replies: Mutex<Replies>,
    cv: Condvar,
    irq: Mutex<IrqState>,
}

struct Replies {
    received: u64,
    last: Reply,
    closed: bool,
}

/// A reply line of the qtest protocol.
#[derive(Debug)]
pub enum Reply {
    /// `OK` or `OK <number>`.
    Ok(Option<u64>),
    /// `OK <text>` that is not a number (e.g. `OK little`).
    Text(String),
    /// `FAIL ...`, `ERR ...` or anything unexpected.
    Fail(String),
}

#[derive(Default)]
struct IrqState {
    levels: Vec<bool>,
    log: VecDeque<IrqEvent>,
    dropped: u64,
    fds: HashMap<u32, File>,
}

/// The QEMU process and its private directory; shared with the exit hook.
struct Proc {
    child: Mutex<Option<Child>>,
    status: Mutex<Option<ExitStatus>>,
    pid: u32,
    dir: PathBuf,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_done: Arc<AtomicBool>,
    stopped: AtomicBool,
}

impl Qtest {
    /// Start QEMU as `spec` says and connect to it.
    pub fn launch(spec: &QemuSpec) -> Result<Arc<Qtest>, HwError> {
        let arch = Arch::of(&spec.binary);
        check_spec(spec, arch)?;
        let dir = private_dir()?;
        let mut cleanup = DirGuard(Some(dir.clone()));
        let ram_path = dir.join("ram");
        let ram_len = spec.memory_mb << 20;
        let ram_file =
            std::fs::OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(&ram_path)?;
        ram_file.set_len(ram_len)?;
        let ram = memmap2::MmapOptions::new().len(ram_len as usize).map_raw(&ram_file)?;
        drop(ram_file);

        // Firmware that keeps the CPU quiet (see the module docs).
        let mut machine = spec.machine.clone();
        let mut fw_args: Vec<String> = Vec::new();
        let own_firmware = !spec.args.iter().any(|a| matches!(a.as_str(), "-bios" | "-kernel" | "-pflash"));
        if own_firmware {
            match arch {
                Arch::X86 => {
                    let fw = dir.join("halt.bin");
                    std::fs::write(&fw, x86_halt_image())?;
                    fw_args = vec!["-bios".into(), path_arg(&fw)?];
                }
                Arch::Aarch64 | Arch::Arm => {
                    let code = arm_idle_loop(arch);
                    if spec.ram_base == 0 {
                        sys::shared_copy_in(&ram, 0, &code);
                    } else {
                        let fw = dir.join("idle.bin");
                        std::fs::write(&fw, code)?;
                        fw_args = vec!["-bios".into(), path_arg(&fw)?];
                        let kind = machine.split(',').next().unwrap_or("");
                        if (kind == "virt" || kind.starts_with("virt-")) && !machine.contains("acpi=") {
                            machine.push_str(",acpi=off");
                        }
                    }
                }
                Arch::Other => {}
            }
        }

        let qtest_sock = dir.join("qtest.sock");
        let qmp_sock = dir.join("qmp.sock");
        let qtest_listener = UnixListener::bind(&qtest_sock)?;
        let qmp_listener = UnixListener::bind(&qmp_sock)?;
        qtest_listener.set_nonblocking(true)?;
        qmp_listener.set_nonblocking(true)?;

        let mb = spec.memory_mb;
        let mut cmd = Command::new(&spec.binary);
        cmd.arg("-qtest").arg(format!("unix:{}", path_arg(&qtest_sock)?));
        cmd.args(["-qtest-log", "none"]);
        cmd.arg("-chardev").arg(format!("socket,id=jskqmp,path={}", path_arg(&qmp_sock)?));
        cmd.args(["-mon", "chardev=jskqmp,mode=control"]);
        cmd.args(["-accel", "tcg", "-display", "none", "-nodefaults"]);
        cmd.arg("-machine").arg(format!("{machine},memory-backend=jskram"));
        cmd.arg("-object")
            .arg(format!("memory-backend-file,id=jskram,size={mb}M,mem-path={},share=on", path_arg(&ram_path)?));
        cmd.arg("-m").arg(format!("{mb}M"));
        if let Some(cpu) = &spec.cpu {
            cmd.arg("-cpu").arg(cpu);
        }
        cmd.args(&fw_args);
        cmd.args(&spec.args);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        sys::kill_child_with_parent(&mut cmd);
        let mut child =
            spawn_from_keeper(cmd).map_err(|e| HwError::Qemu(format!("cannot start {}: {e}", spec.binary)))?;

        let pipe = child.stderr.take();
        let proc_ = Arc::new(Proc {
            pid: child.id(),
            child: Mutex::new(Some(child)),
            status: Mutex::new(None),
            dir: dir.clone(),
            stderr: Arc::new(Mutex::new(Vec::new())),
            stderr_done: Arc::new(AtomicBool::new(pipe.is_none())),
            stopped: AtomicBool::new(false),
        });
        cleanup.0 = None; // Proc owns the directory from here on
        if let Some(pipe) = pipe {
            let (tail, done) = (proc_.stderr.clone(), proc_.stderr_done.clone());
            if let Err(e) = crate::sys::with_signals_blocked(|| {
                std::thread::Builder::new().name("jsk-qemu-stderr".into()).spawn(move || keep_tail(pipe, tail, done))
            }) {
                proc_.stop();
                return Err(e.into());
            }
        }
        {
            // Weak: a dropped Qtest already stopped QEMU and frees its Proc.
            let p = Arc::downgrade(&proc_);
            crate::sys::process::on_exit(move || {
                if let Some(p) = p.upgrade() {
                    p.stop();
                }
            });
        }

        let deadline = Instant::now() + spec.startup_timeout;
        let connected = (|| {
            let (qtest, qmp) = accept_both(&qtest_listener, &qmp_listener, &proc_, deadline, spec.startup_timeout)?;
            qtest.set_nonblocking(false)?;
            qmp.set_nonblocking(false)?;
            let mut qmp = Qmp::new(qmp)?;
            let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(500));
            qmp.handshake(left).map_err(|e| proc_.explain(e))?;
            Ok::<_, HwError>((qtest, qmp))
        })();
        let (qtest, qmp) = match connected {
            Ok(c) => c,
            Err(e) => {
                proc_.stop();
                return Err(e);
            }
        };
        drop(qtest_listener);
        drop(qmp_listener);
        let _ = std::fs::remove_file(&qtest_sock);
        let _ = std::fs::remove_file(&qmp_sock);

        let link = Arc::new(Link {
            replies: Mutex::new(Replies { received: 0, last: Reply::Ok(None), closed: false }),
            cv: Condvar::new(),
            irq: Mutex::new(IrqState::default()),
        });
        let rx = qtest.try_clone()?;
        let reader = {
            let link = link.clone();
            crate::sys::with_signals_blocked(|| {
                std::thread::Builder::new().name("jsk-qtest-rx".into()).spawn(move || reader_loop(link, rx))
            })?
        };
        Ok(Arc::new(Qtest {
            link,
            out: Mutex::new(Out { stream: qtest, sent: 0, buf: Vec::with_capacity(128) }),
            qmp: Mutex::new(qmp),
            proc_,
            ram: Arc::new(ram),
            ram_base: spec.ram_base,
            reader: Mutex::new(Some(reader)),
            timeout_ms: AtomicU64::new(REQUEST_TIMEOUT.as_millis() as u64),
            intercept: Mutex::new(None),
            gpio_in_ok: Mutex::new(HashSet::new()),
        }))
    }

    /// Host pointer to the shared guest RAM mapping, its length, and the
    /// guest-physical address of its first byte. Valid while `self` lives.
    pub fn ram(&self) -> (*mut u8, usize, u64) {
        (self.ram.as_mut_ptr(), self.ram.len(), self.ram_base)
    }

    /// The shared guest RAM mapping itself (offset 0 = guest-physical
    /// `ram().2`); it stays mapped while any clone lives, even after shutdown.
    pub fn ram_map(&self) -> Arc<memmap2::MmapRaw> {
        self.ram.clone()
    }

    /// Copy `data` into guest RAM at guest-physical `gpa` through the host
    /// mapping (what a device's DMA will read).
    pub fn write_ram(&self, gpa: u64, data: &[u8]) -> Result<(), HwError> {
        let off = self.ram_offset(gpa, data.len())?;
        sys::shared_copy_in(&self.ram, off, data).then_some(()).ok_or_else(|| self.ram_range_error(gpa, data.len()))
    }

    /// Copy guest RAM at guest-physical `gpa` into `out` through the host
    /// mapping (what a device's DMA wrote).
    pub fn read_ram(&self, gpa: u64, out: &mut [u8]) -> Result<(), HwError> {
        let off = self.ram_offset(gpa, out.len())?;
        sys::shared_copy_out(&self.ram, off, out).then_some(()).ok_or_else(|| self.ram_range_error(gpa, out.len()))
    }

    fn ram_offset(&self, gpa: u64, len: usize) -> Result<usize, HwError> {
        gpa.checked_sub(self.ram_base)
            .filter(|off| off.checked_add(len as u64).is_some_and(|end| end <= self.ram.len() as u64))
            .map(|off| off as usize)
            .ok_or_else(|| self.ram_range_error(gpa, len))
    }

    fn ram_range_error(&self, gpa: u64, len: usize) -> HwError {
        HwError::Invalid(format!(
            "guest RAM range {gpa:#x}+{len:#x} is outside RAM [{:#x}, {:#x})",
            self.ram_base,
            self.ram_base + self.ram.len() as u64
        ))
    }

    /// QEMU's process id.
    pub fn pid(&self) -> u32 {
        self.proc_.pid
    }

    /// The private directory holding the RAM file (removed at shutdown).
    pub fn workdir(&self) -> &Path {
        &self.proc_.dir
    }

    /// The deadline of each qtest/QMP request (5 s unless changed).
    pub fn set_request_timeout(&self, timeout: Duration) {
        self.timeout_ms.store(timeout.as_millis().max(1) as u64, Ordering::Relaxed);
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    /// Intercept the unnamed gpio-in lines of the device at `qom_path`
    /// (e.g. "ioapic", or an interrupt controller path from `find_qom_path`).
    pub fn irq_intercept_in(&self, qom_path: &str) -> Result<(), HwError> {
        self.intercept(qom_path, "in")
    }

    /// Intercept the unnamed gpio-out lines of the device at `qom_path`
    /// (e.g. a PL061's or BCM2835 GPIO's pins).
    pub fn irq_intercept_out(&self, qom_path: &str) -> Result<(), HwError> {
        self.intercept(qom_path, "out")
    }

    fn intercept(&self, qom_path: &str, dir: &'static str) -> Result<(), HwError> {
        check_word("QOM path", qom_path)?;
        let mut held = lock(&self.intercept);
        let one_only = |path: &str, d: &str| {
            HwError::Unsupported(format!(
                "QEMU intercepts the IRQs of one device, in one direction, per process: {path} is already intercepted ({d}), so {qom_path} ({dir}) cannot be"
            ))
        };
        if let Some((path, d)) = held.as_ref() {
            if *d != dir {
                return Err(one_only(path, d));
            }
            if path == qom_path {
                return Ok(());
            }
            // Another spelling of the same device is fine: QEMU compares devices.
            let mut cmd = format!("irq_intercept_{dir} {qom_path}\n").into_bytes();
            return match self.request_raw(&cmd)? {
                Reply::Ok(_) => Ok(()),
                Reply::Fail(f) if f.contains("already enabled") => Err(one_only(path, d)),
                other => {
                    cmd.pop();
                    Err(fail(&cmd, other))
                }
            };
        }
        let props = self.qom_list(qom_path)?;
        if !props.iter().any(|(n, _)| n == "realized") {
            return Err(HwError::Invalid(format!("{qom_path} is not a device")));
        }
        let prefix = if dir == "in" { "unnamed-gpio-in[" } else { "unnamed-gpio-out[" };
        if !props.iter().any(|(n, _)| n.starts_with(prefix)) {
            return Err(HwError::Unsupported(format!(
                "{qom_path} has no unnamed gpio-{dir} lines, and QEMU 7.2 intercepts only unnamed lists"
            )));
        }
        let mut cmd = Vec::with_capacity(32 + qom_path.len());
        cmd.extend_from_slice(if dir == "in" { b"irq_intercept_in " } else { b"irq_intercept_out " });
        cmd.extend_from_slice(qom_path.as_bytes());
        cmd.push(b'\n');
        match self.request_raw(&cmd)? {
            Reply::Ok(_) => {
                *held = Some((qom_path.to_string(), dir));
                Ok(())
            }
            other => Err(fail(&cmd, other)),
        }
    }

    /// Drive gpio-in `line` of list `name` (None: the unnamed list) of the
    /// device at `qom_path` to `level`.
    pub fn set_irq_in(&self, qom_path: &str, name: Option<&str>, line: u32, level: i32) -> Result<(), HwError> {
        check_word("QOM path", qom_path)?;
        let list = name.unwrap_or("unnamed-gpio-in");
        check_word("gpio list name", list)?;
        let child = format!("{list}[{line}]");
        let key = format!("{qom_path}\n{child}");
        if !lock(&self.gpio_in_ok).contains(&key) {
            let props = self.qom_list(qom_path)?;
            if !props.iter().any(|(n, t)| *n == child && t == "child<irq>") {
                return Err(HwError::Invalid(format!("{qom_path} has no gpio-in {child}")));
            }
            lock(&self.gpio_in_ok).insert(key);
        }
        let cmd = format!("set_irq_in {qom_path} {list} {line} {level}\n");
        match self.request_raw(cmd.as_bytes())? {
            Reply::Ok(_) => Ok(()),
            other => Err(fail(cmd.as_bytes(), other)),
        }
    }

    /// An eventfd (EFD_NONBLOCK | EFD_CLOEXEC) incremented on every
    /// `IRQ raise <line>`. Owned by this Qtest (closed when it is dropped,
    /// so do not use it after that); the same fd on repeated calls. If the
    /// line is already high when the eventfd is made, it starts at 1, so an
    /// interrupt asserted before anyone listened is not lost.
    pub fn irq_eventfd(&self, line: u32) -> Result<RawFd, HwError> {
        let mut irq = lock(&self.link.irq);
        if let Some(f) = irq.fds.get(&line) {
            return Ok(f.as_raw_fd());
        }
        let f = sys::eventfd_file()?;
        if irq.levels.get(line as usize).copied().unwrap_or(false) {
            (&f).write_all(&1u64.to_ne_bytes())?;
        }
        let fd = f.as_raw_fd();
        irq.fds.insert(line, f);
        Ok(fd)
    }

    /// Wait (up to `timeout`) for `line`'s eventfd to count at least one
    /// raise, and consume the count (so an event loop polling the same fd
    /// will not see those). For callers without an event loop.
    pub fn wait_irq(&self, line: u32, timeout: Duration) -> Result<u64, HwError> {
        self.irq_eventfd(line)?;
        let file = match lock(&self.link.irq).fds.get(&line) {
            Some(f) => f.try_clone()?,
            None => return Err(HwError::Qemu(format!("no eventfd for line {line}"))),
        };
        let deadline = Instant::now() + timeout;
        loop {
            let mut count = [0u8; 8];
            match (&file).read(&mut count) {
                Ok(8) => return Ok(u64::from_ne_bytes(count)),
                Ok(_) => return Err(HwError::Qemu("short read from an eventfd".into())),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(HwError::Timeout { what: format!("IRQ raise {line}"), after: timeout });
            }
            if lock(&self.link.replies).closed {
                return Err(self.dead());
            }
            sys::poll_readable(file.as_fd(), left.min(Duration::from_millis(100)))?;
        }
    }

    /// The level of `line` as QEMU last reported it (false if never).
    pub fn irq_level(&self, line: u32) -> bool {
        lock(&self.link.irq).levels.get(line as usize).copied().unwrap_or(false)
    }

    /// Every raise and lower since the last call, oldest first.
    pub fn take_irq_log(&self) -> Vec<IrqEvent> {
        lock(&self.link.irq).log.drain(..).collect()
    }

    /// Events dropped because the log held IRQ_LOG_CAP events already.
    pub fn irq_log_dropped(&self) -> u64 {
        lock(&self.link.irq).dropped
    }

    /// QOM paths of the objects of exactly QOM type `type_name` under
    /// /machine (e.g. "pl061", "bcm2835_gpio", "ioapic", "arm_gic", "edu"),
    /// sorted. Walks the composition tree with QMP `qom-list`.
    pub fn find_qom_path(&self, type_name: &str) -> Result<Vec<String>, HwError> {
        let mut found = Vec::new();
        let mut todo = vec!["/machine".to_string()];
        while let Some(path) = todo.pop() {
            for (name, ty) in self.qom_list(&path)? {
                let Some(inner) = ty.strip_prefix("child<").and_then(|t| t.strip_suffix('>')) else {
                    continue;
                };
                let child = format!("{path}/{name}");
                if inner == type_name {
                    found.push(child.clone());
                }
                if inner != "memory-region" && inner != "irq" {
                    todo.push(child);
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// (name, type) of the properties of the QOM object at `path`.
    fn qom_list(&self, path: &str) -> Result<Vec<(String, String)>, HwError> {
        let cmd = serde_json::json!({ "execute": "qom-list", "arguments": { "path": path } }).to_string();
        let ret = self.qmp_execute(&cmd)?;
        let Json::Array(items) = ret else {
            return Err(HwError::Qemu(format!("qom-list {path}: unexpected reply")));
        };
        Ok(items
            .iter()
            .filter_map(|it| Some((it.get("name")?.as_str()?.to_string(), it.get("type")?.as_str()?.to_string())))
            .collect())
    }

    /// QMP `set_link`: netdev (or NIC) `name`'s link up or down, as pulling its cable.
    pub fn set_link(&self, name: &str, up: bool) -> Result<(), HwError> {
        let cmd = serde_json::json!({ "execute": "set_link", "arguments": { "name": name, "up": up } }).to_string();
        self.qmp_execute(&cmd).map(|_| ())
    }

    /// QMP `qom-set` of an integer property of the device the board's QEMU
    /// arguments named `id` (`-device tmp105,id=t0,...`: /machine/peripheral/t0),
    /// as the world outside the model changing (a sensor's temperature). Ids and
    /// property names are plain words: no other QOM path is reachable.
    pub fn set_property(&self, id: &str, property: &str, value: i64) -> Result<(), HwError> {
        let word = |s: &str| {
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !word(id) || !word(property) {
            return Err(HwError::Unsupported(format!(
                "setProperty: {id:?} / {property:?} are not a device id and a property name"
            )));
        }
        let path = format!("/machine/peripheral/{id}");
        let cmd = serde_json::json!({ "execute": "qom-set", "arguments": { "path": path, "property": property, "value": value } })
            .to_string();
        self.qmp_execute(&cmd).map(|_| ())
    }

    /// Run one QMP command (a JSON object text) and return its "return" value.
    fn qmp_execute(&self, cmd: &str) -> Result<Json, HwError> {
        let timeout = self.timeout();
        let mut qmp = lock(&self.qmp);
        qmp.execute(cmd, timeout).map_err(|e| match e {
            HwError::Io(_) => self.dead(),
            e => e,
        })
    }

    /// Stop QEMU: kill and reap it, stop the reader thread, remove the
    /// private directory. Idempotent.
    pub fn shutdown(&self) {
        self.proc_.stop();
        let _ = lock(&self.out).stream.shutdown(std::net::Shutdown::Both);
        if let Some(h) = lock(&self.reader).take() {
            let _ = h.join();
        }
    }

    /// Send one request line (ending in '\n') and wait for its reply.
    fn request_raw(&self, cmd: &[u8]) -> Result<Reply, HwError> {
        let mut out = lock(&self.out);
        let out = &mut *out;
        self.exchange(&mut out.stream, &mut out.sent, cmd)
    }

    fn exchange(&self, stream: &mut UnixStream, sent: &mut u64, cmd: &[u8]) -> Result<Reply, HwError> {
        if self.proc_.stopped.load(Ordering::SeqCst) {
            return Err(HwError::Qemu("QEMU was shut down".into()));
        }
        if stream.write_all(cmd).is_err() {
            return Err(self.dead());
        }
        *sent += 1;
        let seq = *sent;
        let timeout = self.timeout();
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.link.replies);
        loop {
            if st.received >= seq {
                return Ok(std::mem::replace(&mut st.last, Reply::Ok(None)));
            }
            if st.closed {
                drop(st);
                return Err(self.dead());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let what = String::from_utf8_lossy(cmd).trim_end().to_string();
                return Err(HwError::Timeout { what: format!("qtest `{what}`"), after: timeout });
            }
            st = self.link.cv.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// One register access: format `op addr [value]` without allocating and
    /// wait for the reply.
    fn access(&self, op: &[u8], addr: u64, value: Option<u64>) -> Result<Option<u64>, HwError> {
        let mut out = lock(&self.out);
        let Out { stream, sent, buf } = &mut *out;
        buf.clear();
        buf.extend_from_slice(op);
        buf.push(b' ');
        push_hex(buf, addr);
        if let Some(v) = value {
            buf.push(b' ');
            push_hex(buf, v);
        }
        buf.push(b'\n');
        match self.exchange(stream, sent, buf)? {
            Reply::Ok(v) => Ok(v),
            other => Err(fail(buf, other)),
        }
    }

    /// The error for a QEMU that is gone: exit status and stderr tail.
    fn dead(&self) -> HwError {
        if self.proc_.stopped.load(Ordering::SeqCst) {
            return HwError::Qemu("QEMU was shut down".into());
        }
        self.proc_.gone_error()
    }
}

impl Bus for Qtest {
    fn read(&self, space: Space, addr: u64, width: u8) -> Result<u64, HwError> {
        let op: &[u8] = match (space, width) {
            (Space::Mem, 1) => b"readb",
            (Space::Mem, 2) => b"readw",
            (Space::Mem, 4) => b"readl",
            (Space::Mem, 8) => b"readq",
            (Space::Io, 1) => b"inb",
            (Space::Io, 2) => b"inw",
            (Space::Io, 4) => b"inl",
            _ => return Err(bad_width(space, width)),
        };
        if space == Space::Io && addr > 0xffff {
            return Err(HwError::Invalid(format!("I/O port {addr:#x} is above 0xffff")));
        }
        match self.access(op, addr, None)? {
            Some(v) => Ok(v & width_mask(width)),
            None => Err(HwError::Qemu(format!("{} {addr:#x}: reply without a value", String::from_utf8_lossy(op)))),
        }
    }

    fn write(&self, space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError> {
        let op: &[u8] = match (space, width) {
            (Space::Mem, 1) => b"writeb",
            (Space::Mem, 2) => b"writew",
            (Space::Mem, 4) => b"writel",
            (Space::Mem, 8) => b"writeq",
            (Space::Io, 1) => b"outb",
            (Space::Io, 2) => b"outw",
            (Space::Io, 4) => b"outl",
            _ => return Err(bad_width(space, width)),
        };
        if space == Space::Io && addr > 0xffff {
            return Err(HwError::Invalid(format!("I/O port {addr:#x} is above 0xffff")));
        }
        self.access(op, addr, Some(value & width_mask(width))).map(|_| ())
    }
}

impl Drop for Qtest {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn width_mask(width: u8) -> u64 {
    if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * width as u32)) - 1
    }
}

fn bad_width(space: Space, width: u8) -> HwError {
    match space {
        Space::Io if width == 8 => HwError::Unsupported("port I/O has no 8-byte access".into()),
        _ => HwError::Invalid(format!("access width {width} (1, 2, 4 or 8 bytes)")),
    }
}

fn fail(cmd: &[u8], reply: Reply) -> HwError {
    let cmd = String::from_utf8_lossy(cmd).trim_end().to_string();
    match reply {
        Reply::Fail(s) | Reply::Text(s) => HwError::Qemu(format!("qtest `{cmd}`: {s}")),
        Reply::Ok(v) => HwError::Qemu(format!("qtest `{cmd}`: unexpected reply OK {v:?}")),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// qtest splits requests on spaces and ends them at newlines: refuse words
/// that would break that (or are empty).
fn check_word(what: &str, s: &str) -> Result<(), HwError> {
    if s.is_empty() || s.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
        return Err(HwError::Invalid(format!("{what} {s:?} is empty or contains whitespace")));
    }
    Ok(())
}

fn push_hex(buf: &mut Vec<u8>, v: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    buf.extend_from_slice(b"0x");
    let n = (64 - v.leading_zeros()).div_ceil(4).max(1);
    for i in (0..n).rev() {
        buf.push(DIGITS[((v >> (4 * i)) & 0xf) as usize]);
    }
}

/// One line QEMU sent on the qtest socket, without its newline.
#[derive(Debug)]
pub enum Line {
    /// An answer to the last command.
    Reply(Reply),
    /// `IRQ raise N` / `IRQ lower N`, N at most `MAX_IRQ_LINE`.
    Irq { line: u32, level: bool },
    /// An `IRQ` line that is none of those (a future QEMU, a bad line number).
    Ignored,
}

/// What one line from QEMU says. Nothing QEMU sends makes this fail.
pub fn parse_line(line: &[u8]) -> Line {
    let Some(rest) = line.strip_prefix(b"IRQ ") else {
        return Line::Reply(parse_reply(line));
    };
    let (level, num) = if let Some(n) = rest.strip_prefix(b"raise ") {
        (true, n)
    } else if let Some(n) = rest.strip_prefix(b"lower ") {
        (false, n)
    } else {
        return Line::Ignored;
    };
    match parse_radix(num, 10).and_then(|n| u32::try_from(n).ok()) {
        Some(line) if line <= MAX_IRQ_LINE => Line::Irq { line, level },
        _ => Line::Ignored,
    }
}

fn parse_reply(line: &[u8]) -> Reply {
    if line == b"OK" {
        return Reply::Ok(None);
    }
    if let Some(rest) = line.strip_prefix(b"OK ") {
        let num = if let Some(hex) = rest.strip_prefix(b"0x") { parse_radix(hex, 16) } else { parse_radix(rest, 10) };
        return match num {
            Some(v) => Reply::Ok(Some(v)),
            None => Reply::Text(String::from_utf8_lossy(rest).into_owned()),
        };
    }
    Reply::Fail(String::from_utf8_lossy(line).into_owned())
}

fn parse_radix(s: &[u8], radix: u32) -> Option<u64> {
    if s.is_empty() || s.len() > 16 + (radix == 10) as usize * 4 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        let d = (b as char).to_digit(radix)? as u64;
        v = v.checked_mul(radix as u64)?.checked_add(d)?;
    }
    Some(v)
}

/// The reader thread: owns the socket's read side until EOF.
fn reader_loop(link: Arc<Link>, stream: UnixStream) {
    let mut r = BufReader::with_capacity(1 << 16, stream);
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        let reply = match parse_line(&line) {
            Line::Reply(r) => r,
            Line::Irq { line, level } => {
                on_irq(&link, line, level);
                continue;
            }
            Line::Ignored => continue,
        };
        let mut st = lock(&link.replies);
        st.received += 1;
        st.last = reply;
        drop(st);
        link.cv.notify_all();
    }
    lock(&link.replies).closed = true;
    link.cv.notify_all();
}

fn on_irq(link: &Link, line: u32, level: bool) {
    let at = Instant::now();
    let mut irq = lock(&link.irq);
    let i = line as usize;
    if irq.levels.len() <= i {
        irq.levels.resize(i + 1, false);
    }
    irq.levels[i] = level;
    if irq.log.len() >= IRQ_LOG_CAP {
        irq.log.pop_front();
        irq.dropped += 1;
    }
    irq.log.push_back(IrqEvent { at, line, level });
    if level {
        if let Some(f) = irq.fds.get(&line) {
            // A full counter (EAGAIN) still leaves the fd readable.
            let _ = (&*f).write(&1u64.to_ne_bytes());
        }
    }
}

// ---------------------------------------------------------------------------
// Process management

impl Proc {
    /// Kill and reap QEMU and remove the private directory. Idempotent.
    fn stop(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(mut child) = lock(&self.child).take() {
            let _ = child.kill();
            if let Ok(st) = child.wait() {
                *lock(&self.status) = Some(st);
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// The exit status if QEMU has exited (reaping it), waiting up to `wait`.
    fn exit_status(&self, wait: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(st) = *lock(&self.status) {
                return Some(st);
            }
            {
                let mut child = lock(&self.child);
                if let Some(c) = child.as_mut() {
                    if let Ok(Some(st)) = c.try_wait() {
                        *lock(&self.status) = Some(st);
                        *child = None;
                        return Some(st);
                    }
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn stderr_tail(&self) -> String {
        let deadline = Instant::now() + Duration::from_millis(500);
        while !self.stderr_done.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let tail = lock(&self.stderr);
        String::from_utf8_lossy(&tail).trim().to_string()
    }

    fn gone_error(&self) -> HwError {
        let status = match self.exit_status(Duration::from_secs(1)) {
            Some(st) => format!("QEMU exited ({st})"),
            None => "QEMU closed the qtest socket".to_string(),
        };
        let tail = self.stderr_tail();
        if tail.is_empty() {
            HwError::Qemu(format!("{status}; no stderr output"))
        } else {
            HwError::Qemu(format!("{status}; stderr: {tail}"))
        }
    }

    /// Turn an I/O error during startup into the QEMU error behind it.
    fn explain(&self, e: HwError) -> HwError {
        match e {
            HwError::Io(_) if self.exit_status(Duration::from_millis(200)).is_some() => self.gone_error(),
            e => e,
        }
    }
}

fn keep_tail(mut pipe: std::process::ChildStderr, tail: Arc<Mutex<Vec<u8>>>, done: Arc<AtomicBool>) {
    let mut buf = [0u8; 4096];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let mut t = lock(&tail);
                t.extend_from_slice(&buf[..n]);
                if t.len() > STDERR_TAIL {
                    let cut = t.len() - STDERR_TAIL;
                    t.drain(..cut);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    done.store(true, Ordering::SeqCst);
}

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Spawn from one long-lived thread: PR_SET_PDEATHSIG fires when the thread
/// that forked the child exits, so spawning from a short-lived caller thread
/// would kill QEMU early. The keeper thread lives until the process ends.
fn spawn_from_keeper(cmd: Command) -> std::io::Result<Child> {
    static KEEPER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        // Rust's spawn gives QEMU an empty signal mask, whatever this thread blocks.
        crate::sys::with_signals_blocked(|| {
            std::thread::Builder::new().name("jsk-qemu-parent".into()).spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
        })
        .expect("spawn the QEMU keeper thread");
        Mutex::new(tx)
    });
    let (tx, rx) = mpsc::channel();
    lock(keeper).send((cmd, tx)).map_err(|_| std::io::Error::other("the QEMU keeper thread is gone"))?;
    rx.recv().map_err(|_| std::io::Error::other("the QEMU keeper thread is gone"))?
}

fn accept_both(
    qtest: &UnixListener,
    qmp: &UnixListener,
    proc_: &Proc,
    deadline: Instant,
    timeout: Duration,
) -> Result<(UnixStream, UnixStream), HwError> {
    let (mut a, mut b) = (None, None);
    loop {
        if a.is_none() {
            a = accept_now(qtest)?;
        }
        if b.is_none() {
            b = accept_now(qmp)?;
        }
        if let (Some(_), Some(_)) = (&a, &b) {
            return Ok((a.unwrap(), b.unwrap()));
        }
        if proc_.exit_status(Duration::ZERO).is_some() {
            return Err(proc_.gone_error());
        }
        if Instant::now() >= deadline {
            return Err(HwError::Timeout { what: "QEMU to connect its qtest and QMP sockets".into(), after: timeout });
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn accept_now(l: &UnixListener) -> Result<Option<UnixStream>, HwError> {
    match l.accept() {
        Ok((s, _)) => Ok(Some(s)),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Removes a directory on early return from `launch`.
struct DirGuard(Option<PathBuf>);

impl Drop for DirGuard {
    fn drop(&mut self) {
        if let Some(d) = self.0.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn private_dir() -> Result<PathBuf, HwError> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = base.join(format!("jsk-qemu-{}-{n}-{nanos:x}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(HwError::Qemu("cannot create a private temporary directory".into()))
}

/// A path as one QEMU option value: commas would split it.
fn path_arg(p: &Path) -> Result<String, HwError> {
    let s = p.to_str().ok_or_else(|| HwError::Invalid(format!("{} is not UTF-8", p.display())))?;
    if s.contains(',') {
        return Err(HwError::Invalid(format!("{s}: QEMU option values cannot contain ','")));
    }
    Ok(s.to_string())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Arch {
    X86,
    Aarch64,
    Arm,
    Other,
}

impl Arch {
    fn of(binary: &str) -> Arch {
        let name = Path::new(binary).file_name().and_then(|n| n.to_str()).unwrap_or(binary);
        if name.ends_with("x86_64") || name.ends_with("i386") {
            Arch::X86
        } else if name.ends_with("aarch64") {
            Arch::Aarch64
        } else if name.ends_with("-arm") {
            Arch::Arm
        } else {
            Arch::Other
        }
    }
}

fn check_spec(spec: &QemuSpec, arch: Arch) -> Result<(), HwError> {
    if spec.memory_mb == 0 || spec.memory_mb > (1 << 20) {
        return Err(HwError::Invalid(format!("memory_mb {} is out of range", spec.memory_mb)));
    }
    if arch == Arch::X86 && spec.memory_mb > X86_MAX_LINEAR_MB {
        return Err(HwError::Invalid(format!(
            "memory_mb {} on x86: at most {X86_MAX_LINEAR_MB}, so that guest RAM stays one window at 0 below the PCI hole",
            spec.memory_mb
        )));
    }
    if spec.machine.is_empty() || spec.machine.contains(char::is_whitespace) {
        return Err(HwError::Invalid(format!("machine {:?}", spec.machine)));
    }
    Ok(())
}

/// 64 KiB x86 BIOS image: the reset vector disables interrupts, quiets PIT
/// channel 0 and halts forever.
fn x86_halt_image() -> Vec<u8> {
    let mut img = vec![0xffu8; 64 << 10];
    // F000:FFF0: cli; mov al,0x30; out 0x43,al; hlt; jmp short (back to hlt)
    let code = [0xfa, 0xb0, 0x30, 0xe6, 0x43, 0xf4, 0xeb, 0xfd];
    img[0xfff0..0xfff0 + code.len()].copy_from_slice(&code);
    img
}

/// `wfi; b .-4` for the reset vector of an Arm core.
fn arm_idle_loop(arch: Arch) -> Vec<u8> {
    let words: [u32; 2] = if arch == Arch::Arm { [0xe320_f003, 0xeaff_fffd] } else { [0xd503_207f, 0x17ff_ffff] };
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

// ---------------------------------------------------------------------------
// QMP (JSON lines on the second socket)

struct Qmp {
    stream: UnixStream,
    reader: BufReader<UnixStream>,
    line: String,
    broken: bool,
}

impl Qmp {
    fn new(stream: UnixStream) -> std::io::Result<Qmp> {
        let reader = BufReader::new(stream.try_clone()?);
        Ok(Qmp { stream, reader, line: String::new(), broken: false })
    }

    fn handshake(&mut self, timeout: Duration) -> Result<(), HwError> {
        let deadline = Instant::now() + timeout;
        let greeting = self.read_message(deadline, "the QMP greeting", timeout)?;
        if greeting.get("QMP").is_none() {
            return Err(HwError::Qemu("QMP: no greeting".into()));
        }
        self.execute(r#"{"execute":"qmp_capabilities"}"#, timeout).map(|_| ())
    }

    fn execute(&mut self, cmd: &str, timeout: Duration) -> Result<Json, HwError> {
        if self.broken {
            return Err(HwError::Qemu("the QMP connection was lost after an earlier timeout".into()));
        }
        let deadline = Instant::now() + timeout;
        self.stream.write_all(cmd.as_bytes())?;
        self.stream.write_all(b"\n")?;
        loop {
            let msg = self.read_message(deadline, cmd, timeout)?;
            if let Some(ret) = msg.get("return") {
                return Ok(ret.clone());
            }
            if let Some(err) = msg.get("error") {
                let desc = err.get("desc").and_then(Json::as_str).unwrap_or("unknown error");
                return Err(HwError::Qemu(format!("QMP {cmd}: {desc}")));
            }
            // An asynchronous event: skip it.
        }
    }

    fn read_message(&mut self, deadline: Instant, what: &str, timeout: Duration) -> Result<Json, HwError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.broken = true;
                return Err(HwError::Timeout { what: format!("QMP {what}"), after: timeout });
            }
            self.reader.get_ref().set_read_timeout(Some(left))?;
            match self.reader.read_line(&mut self.line) {
                Ok(0) => return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into()),
                Ok(_) if self.line.ends_with('\n') => {
                    let text = std::mem::take(&mut self.line);
                    if text.trim().is_empty() {
                        continue;
                    }
                    return serde_json::from_str(&text)
                        .map_err(|e| HwError::Qemu(format!("QMP: unreadable reply {}: {e}", text.trim())));
                }
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qtest_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Qtest>();
    }

    #[test]
    fn hex_formatting() {
        let mut b = Vec::new();
        push_hex(&mut b, 0);
        b.push(b' ');
        push_hex(&mut b, 0xfebc_1000);
        b.push(b' ');
        push_hex(&mut b, u64::MAX);
        assert_eq!(b, b"0x0 0xfebc1000 0xffffffffffffffff");
    }

    #[test]
    fn replies() {
        assert!(matches!(parse_reply(b"OK"), Reply::Ok(None)));
        assert!(matches!(parse_reply(b"OK 0x00000000010000ed"), Reply::Ok(Some(0x010000ed))));
        assert!(matches!(parse_reply(b"OK 0x00ff"), Reply::Ok(Some(0xff))));
        assert!(matches!(parse_reply(b"OK 123"), Reply::Ok(Some(123))));
        assert!(matches!(parse_reply(b"OK little"), Reply::Text(t) if t == "little"));
        assert!(matches!(parse_reply(b"FAIL Unknown device"), Reply::Fail(t) if t == "FAIL Unknown device"));
    }

    #[test]
    fn irq_lines_name_a_bounded_line() {
        assert!(matches!(parse_line(b"IRQ raise 4"), Line::Irq { line: 4, level: true }));
        assert!(matches!(parse_line(b"IRQ lower 1023"), Line::Irq { line: 1023, level: false }));
        // A line number sizes the level table: a huge one is ignored, not allocated.
        assert!(matches!(parse_line(b"IRQ raise 4294967295"), Line::Ignored));
        assert!(matches!(parse_line(b"IRQ raise 1024"), Line::Ignored));
        assert!(matches!(parse_line(b"IRQ blink 3"), Line::Ignored));
        assert!(matches!(parse_line(b"OK"), Line::Reply(Reply::Ok(None))));
    }

    #[test]
    fn arch_and_firmware() {
        assert_eq!(Arch::of("/usr/bin/qemu-system-x86_64"), Arch::X86);
        assert_eq!(Arch::of("qemu-system-aarch64"), Arch::Aarch64);
        assert_eq!(Arch::of("qemu-system-arm"), Arch::Arm);
        let img = x86_halt_image();
        assert_eq!(img.len(), 65536);
        assert_eq!(&img[0xfff0..0xfff8], &[0xfa, 0xb0, 0x30, 0xe6, 0x43, 0xf4, 0xeb, 0xfd]);
        assert_eq!(arm_idle_loop(Arch::Aarch64), [0x7f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17]);
    }
}
