//! `jsk image run DIR`: boot an image under QEMU (q35, virtual Intel IOMMU
//! with interrupt remapping, TCG), relay the serial console, and read back
//! what PID 1 reported: uptimes and the app's exit status.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::console::{uptime_in, COMMAND_STARTED, DRIVERS_ATTACHED, EXIT_STATUS};
use super::KERNEL_FILE;

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub dir: PathBuf,
    /// `-device SPEC` each.
    pub devices: Vec<String>,
    /// Passed to QEMU as they are, after everything else.
    pub qemu_args: Vec<String>,
    pub memory_mb: u32,
    /// Seconds before QEMU is killed (then exit 124).
    pub timeout: f64,
    /// Added to the kernel command line.
    pub append: Vec<String>,
    pub qemu: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            dir: PathBuf::new(),
            devices: Vec::new(),
            qemu_args: Vec::new(),
            memory_mb: 512,
            timeout: 120.0,
            append: Vec::new(),
            qemu: "qemu-system-x86_64".into(),
        }
    }
}

/// The kernel command line: serial console, the IOMMU on, few messages
/// (each console byte is slow under TCG), a panic ends QEMU at once
/// (panic=-1 reboots, -no-reboot turns that into an exit), and no crypto
/// self-tests at boot (they cost ~0.2 s under TCG; they check the kernel's
/// own algorithm implementations and change no protection; fips=1 would
/// force them back on).
pub const CMDLINE: &str = "console=ttyS0 intel_iommu=on quiet panic=-1 cryptomgr.notests=1";

#[derive(Clone, Debug, Default)]
pub struct RunReport {
    pub kernel_bytes: u64,
    pub initramfs_bytes: u64,
    /// The status PID 1 reported (console line, else isa-debug-exit).
    pub status: Option<i32>,
    pub qemu_exit: Option<i32>,
    pub timed_out: bool,
    pub pid1_uptime: Option<f64>,
    /// "loaded N modules in T s" (Debian's kernel), as (N, T).
    pub modules: Option<(u32, f64)>,
    pub first_command_uptime: Option<f64>,
    pub attached_uptime: Option<f64>,
    pub exit_uptime: Option<f64>,
    /// Host seconds from QEMU's start to the "drivers attached" line and to its exit.
    pub host_to_attached: Option<f64>,
    pub host_seconds: f64,
    pub kernel_panic: bool,
    /// The full console output, `\r` removed.
    pub console: String,
}

impl RunReport {
    pub fn image_bytes(&self) -> u64 {
        self.kernel_bytes + self.initramfs_bytes
    }

    pub fn summary(&self) -> String {
        let secs = |v: Option<f64>| v.map(|s| format!("{s:.3} s")).unwrap_or_else(|| "not reported".into());
        let mut s = format!(
            "image size {} (kernel {} + initramfs {})\n",
            super::mb(self.image_bytes()),
            super::mb(self.kernel_bytes),
            super::mb(self.initramfs_bytes)
        );
        s += &format!(
            "guest uptime: first command {}, drivers attached {}, power-off {}\n",
            secs(self.first_command_uptime),
            secs(self.attached_uptime),
            secs(self.exit_uptime)
        );
        s += &format!(
            "host time: drivers attached {}, QEMU ran {:.3} s\n",
            secs(self.host_to_attached),
            self.host_seconds
        );
        s += &self.stages();
        s
    }

    /// Where the guest's time went: kernel (and initramfs unpacking) to PID 1, PID 1's own
    /// work (mounts, modules) to the first command, the attach, the rest.
    pub fn stages(&self) -> String {
        let span = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.3} s", b - a),
            _ => "?".into(),
        };
        let modules = match self.modules {
            Some((n, t)) => format!("{n} modules loaded in {t:.3} s"),
            None => "no modules".into(),
        };
        format!(
            "boot stages: kernel to PID 1 {}, PID 1 to first command {} ({modules}), first command to drivers attached {}, then to power-off {}\n",
            span(Some(0.0), self.pid1_uptime),
            span(self.pid1_uptime, self.first_command_uptime),
            span(self.first_command_uptime, self.attached_uptime),
            span(self.attached_uptime, self.exit_uptime),
        )
    }
}

#[derive(Default)]
struct Seen {
    console: String,
    partial: String,
    pid1: Option<f64>,
    modules: Option<(u32, f64)>,
    first_command: Option<f64>,
    attached: Option<f64>,
    host_attached: Option<f64>,
    exit: Option<(i32, Option<f64>)>,
    panic: bool,
}

impl Seen {
    fn line(&mut self, line: &str, started: Instant) {
        if let Some(rest) = line.strip_prefix("jsk: init: ").and_then(|l| l.split(" is PID 1 at uptime ").nth(1)) {
            if self.pid1.is_none() {
                self.pid1 = rest.split_whitespace().next().and_then(|v| v.parse().ok());
            }
        } else if let Some(rest) = line.strip_prefix("jsk: init: loaded ") {
            // "jsk: init: loaded N modules in T s (...)"
            let mut w = rest.split_whitespace();
            let n = w.next().and_then(|v| v.parse().ok());
            let t = w.nth(2).and_then(|v| v.parse().ok());
            if let (Some(n), Some(t)) = (n, t) {
                self.modules = Some((n, t));
            }
        } else if line.starts_with(COMMAND_STARTED)
            && line.contains(" started at uptime ")
            && self.first_command.is_none()
        {
            self.first_command = line
                .split(" started at uptime ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|v| v.parse().ok());
        } else if let Some(rest) = line.strip_prefix(DRIVERS_ATTACHED) {
            if self.attached.is_none() {
                self.attached = rest.split_whitespace().next().and_then(|v| v.parse().ok());
                self.host_attached = Some(started.elapsed().as_secs_f64());
            }
        } else if let Some(rest) = line.strip_prefix(EXIT_STATUS) {
            let code = rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|v| v.parse().ok());
            if let Some(code) = code {
                self.exit = Some((code, uptime_in(line)));
            }
        } else if line.contains("Kernel panic") {
            self.panic = true;
        }
    }
}

pub fn qemu_command(opts: &RunOptions) -> Result<Command> {
    let kernel = opts.dir.join(KERNEL_FILE);
    let initramfs = super::initramfs_in(&opts.dir);
    let (true, Some(initramfs)) = (kernel.is_file(), initramfs) else {
        bail!(
            "{}: no {KERNEL_FILE} and initramfs.cpio* (is it a folder written by `jsk image build`?)",
            opts.dir.display()
        );
    };
    let mut append = CMDLINE.to_string();
    for a in &opts.append {
        append.push(' ');
        append.push_str(a);
    }
    let mut cmd = Command::new(&opts.qemu);
    cmd.args(["-accel", "tcg", "-M", "q35,kernel-irqchip=split", "-device", "intel-iommu,intremap=on"]);
    cmd.args([
        "-m",
        &opts.memory_mb.to_string(),
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-serial",
        "stdio",
        "-no-reboot",
    ]);
    cmd.args(["-device", &format!("isa-debug-exit,iobase={:#x},iosize=0x04", super::DEBUG_EXIT_PORT)]);
    cmd.arg("-kernel").arg(&kernel).arg("-initrd").arg(&initramfs).arg("-append").arg(append);
    for d in &opts.devices {
        cmd.args(["-device", d]);
    }
    cmd.args(&opts.qemu_args);
    Ok(cmd)
}

/// Boot the image; the console goes to `console_out` as it arrives.
pub fn run(opts: &RunOptions, console_out: Box<dyn Write + Send>) -> Result<RunReport> {
    let mut cmd = qemu_command(opts)?;
    let mut report = RunReport {
        kernel_bytes: std::fs::metadata(opts.dir.join(KERNEL_FILE))?.len(),
        initramfs_bytes: super::initramfs_in(&opts.dir)
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .unwrap_or(0),
        ..Default::default()
    };
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    crate::sys::kill_child_with_parent(&mut cmd);
    let started = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("cannot start {} (install qemu-system-x86)", opts.qemu))?;
    let mut stdout = child.stdout.take().context("QEMU's stdout")?;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let reader = {
        let seen = seen.clone();
        let mut console_out = console_out;
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = console_out.write_all(&buf[..n]);
                let _ = console_out.flush();
                let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
                let text = String::from_utf8_lossy(&buf[..n]).replace('\r', "");
                s.console.push_str(&text);
                s.partial.push_str(&text);
                while let Some(i) = s.partial.find('\n') {
                    let line: String = s.partial.drain(..=i).collect();
                    s.line(line.trim_end_matches('\n'), started);
                }
            }
            let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
            let rest = std::mem::take(&mut s.partial);
            s.line(&rest, started);
        })
    };
    let deadline = started + Duration::from_secs_f64(opts.timeout.max(0.0));
    let exit = loop {
        if let Some(st) = child.try_wait()? {
            break Some(st);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    report.host_seconds = started.elapsed().as_secs_f64();
    let _ = reader.join();
    let s = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    report.console = s.console;
    report.pid1_uptime = s.pid1;
    report.modules = s.modules;
    report.first_command_uptime = s.first_command;
    report.attached_uptime = s.attached;
    report.host_to_attached = s.host_attached;
    report.kernel_panic = s.panic;
    report.timed_out = exit.is_none();
    report.qemu_exit = exit.and_then(|e| e.code());
    report.exit_uptime = s.exit.and_then(|e| e.1);
    // The console line carries the full 0-255 status; isa-debug-exit only
    // 7 bits (QEMU exits with (status << 1) | 1, truncated to 8 bits).
    report.status = match (s.exit, report.qemu_exit) {
        (Some((code, _)), _) => Some(code),
        (None, Some(q)) if q % 2 == 1 && q > 1 => Some(q >> 1),
        _ => None,
    };
    Ok(report)
}
