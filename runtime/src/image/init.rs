//! jsk as PID 1 of the boot image.
//!
//! 1. mount /proc, /sys and /dev (devtmpfs);
//! 2. load the manifest's kernel modules in order (finit_module);
//! 3. run the manifest's commands one after another as child processes, their
//!    stdout and stderr relayed to the console through one pipe; a command
//!    with `timeout_ms` is killed (SIGKILL to its process group) when its
//!    time is up, counts as status 124, and the next command runs;
//! 4. power off with the last command's status: through QEMU's
//!    isa-debug-exit port first (QEMU exits with (status << 1) | 1), then
//!    reboot(RB_POWER_OFF).
//!
//! "Drivers attached": the first line any command prints that contains
//! `drivers attached` (jsk-probe's convention) makes init print
//! `jsk: drivers attached at uptime X.XXX s`. Every step prints a `jsk: init:`
//! line with the guest uptime (CLOCK_BOOTTIME).
//!
//! PID 1 must not exit (the kernel would panic): every error is printed and
//! leads to power-off with a non-zero status, and a panic is caught.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::console::{ATTACHED_MARK, DRIVERS_ATTACHED, EXIT_STATUS};
use super::{CommandSpec, Manifest, DEBUG_EXIT_PORT, IMAGE_MANIFEST};
use crate::sys::init as sys;

/// Status for a command killed by its timeout (as `timeout(1)` and `jsk --timeout`).
pub const TIMEOUT_STATUS: i32 = 124;
/// Status for a command that could not be started.
pub const NOT_STARTED_STATUS: i32 = 127;

pub fn is_pid1() -> bool {
    std::process::id() == 1
}

fn uptime() -> String {
    format!("{:.3}", sys::boottime().as_secs_f64())
}

fn say(msg: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "jsk: init: {msg}");
    let _ = out.flush();
}

/// What PID 1 does; never returns. Called from `main` before anything else.
pub fn main() -> ! {
    let status = match std::panic::catch_unwind(|| pid1(Path::new(IMAGE_MANIFEST))) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            say(&format!("error: {e:#}"));
            1
        }
        Err(_) => {
            say("internal error (panic)");
            70
        }
    };
    power_off(status)
}

fn pid1(manifest_path: &Path) -> Result<i32> {
    say(&format!("jsk {} is PID 1 at uptime {} s", env!("CARGO_PKG_VERSION"), uptime()));
    mount_all()?;
    let manifest = read_manifest(manifest_path)?;
    load_modules(&manifest)?;
    std::env::set_var("PATH", "/bin:/sbin:/usr/bin:/usr/sbin");
    std::env::set_var("HOME", "/");
    Ok(run_commands(&manifest.commands))
}

fn mount_all() -> Result<()> {
    for (source, target, fstype) in
        [("proc", "/proc", "proc"), ("sysfs", "/sys", "sysfs"), ("devtmpfs", "/dev", "devtmpfs")]
    {
        let _ = std::fs::create_dir_all(target);
        match sys::mount(source, target, fstype) {
            Ok(()) => {}
            // Already mounted (e.g. CONFIG_DEVTMPFS_MOUNT).
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {}
            Err(e) => bail!("mount -t {fstype} {source} {target}: {e}"),
        }
    }
    say(&format!("mounted /proc /sys /dev at uptime {} s", uptime()));
    Ok(())
}

pub fn read_manifest(path: &Path) -> Result<Manifest> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a jsk image manifest", path.display()))
}

fn load_modules(manifest: &Manifest) -> Result<()> {
    if manifest.modules.is_empty() {
        return Ok(());
    }
    let start = sys::boottime();
    for m in &manifest.modules {
        let file = std::fs::File::open(&m.path).with_context(|| format!("module {}: open {}", m.name, m.path))?;
        match sys::finit_module(file.as_fd(), &m.params) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
            Err(e) => bail!("module {}: finit_module({}): {e}", m.name, m.path),
        }
    }
    let took = sys::boottime().saturating_sub(start);
    let names: Vec<&str> = manifest.modules.iter().map(|m| m.name.as_str()).collect();
    say(&format!(
        "loaded {} modules in {:.3} s ({}) at uptime {} s",
        names.len(),
        took.as_secs_f64(),
        names.join(" "),
        uptime()
    ));
    Ok(())
}

/// Run the commands in order; the last one's status is the result.
/// Also used outside PID 1 by `jsk image init --manifest FILE` (host tests).
pub fn run_commands(commands: &[CommandSpec]) -> i32 {
    if commands.is_empty() {
        say("the manifest lists no commands");
        return 1;
    }
    let mut attached_reported = false;
    let mut status = 0;
    for (i, c) in commands.iter().enumerate() {
        let label = format!("{}/{}", i + 1, commands.len());
        say(&format!("command {label} started at uptime {} s: {}", uptime(), c.argv.join(" ")));
        status = match run_one(c, &mut attached_reported) {
            Ok(Outcome::Exited(code)) => {
                say(&format!("command {label} exited with status {code} at uptime {} s", uptime()));
                code
            }
            Ok(Outcome::Signaled(sig)) => {
                say(&format!(
                    "command {label} was killed by signal {sig} (status {}) at uptime {} s",
                    128 + sig,
                    uptime()
                ));
                128 + sig
            }
            Ok(Outcome::TimedOut(ms)) => {
                say(&format!(
                    "command {label} killed after its timeout of {ms} ms (status {TIMEOUT_STATUS}) at uptime {} s",
                    uptime()
                ));
                TIMEOUT_STATUS
            }
            Err(e) => {
                say(&format!("command {label} could not start: {e:#} (status {NOT_STARTED_STATUS})"));
                NOT_STARTED_STATUS
            }
        };
    }
    status
}

enum Outcome {
    Exited(i32),
    Signaled(i32),
    TimedOut(u64),
}

fn run_one(c: &CommandSpec, attached_reported: &mut bool) -> Result<Outcome> {
    use std::os::unix::process::CommandExt;
    let Some((program, args)) = c.argv.split_first() else { bail!("empty argv") };
    let (reader, writer) = sys::pipe().context("pipe")?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::inherit())
        .stdout(Stdio::from(writer.try_clone()?))
        .stderr(Stdio::from(writer))
        .process_group(0);
    let child = cmd.spawn().with_context(|| program.to_string())?;
    drop(cmd); // closes our copies of the pipe's write end
    let pid = child.id() as i32;
    let deadline = c.timeout_ms.map(|ms| Instant::now() + Duration::from_millis(ms));
    let mut reader = std::fs::File::from(reader);
    let mut line = Vec::new();
    let mut buf = [0u8; 4096];
    let (mut eof, mut ended, mut timed_out) = (false, None, false);
    loop {
        let readable = !eof && crate::sys::poll_readable(reader.as_fd(), Duration::from_millis(20)).unwrap_or(false);
        if readable {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => eof = true,
                Ok(n) => relay(&buf[..n], &mut line, attached_reported),
            }
        } else if eof {
            std::thread::sleep(Duration::from_millis(5));
        }
        // Reap everything that ended: our child and any orphan that PID 1 inherited.
        while let Some((p, how)) = sys::reap_any() {
            if p == pid {
                ended = Some(how);
            }
        }
        if let Some(how) = ended {
            // Done once the output is drained (EOF), or nothing more came
            // (a grandchild may still hold the pipe open).
            if eof || !readable {
                if !line.is_empty() {
                    relay(b"\n", &mut line, attached_reported);
                }
                return Ok(match (timed_out, how) {
                    (true, _) => Outcome::TimedOut(c.timeout_ms.unwrap_or(0)),
                    (false, sys::Ended::Exited(code)) => Outcome::Exited(code),
                    (false, sys::Ended::Signaled(sig)) => Outcome::Signaled(sig),
                });
            }
        }
        if !timed_out && deadline.is_some_and(|d| Instant::now() >= d) {
            timed_out = true;
            let _ = sys::kill(-pid, libc::SIGKILL);
            let _ = sys::kill(pid, libc::SIGKILL);
        }
    }
}

/// Copy a command's output to the console and watch its lines for the
/// "drivers attached" mark.
fn relay(bytes: &[u8], line: &mut Vec<u8>, attached_reported: &mut bool) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
    for &b in bytes {
        if b != b'\n' {
            line.push(b);
            continue;
        }
        if !*attached_reported && String::from_utf8_lossy(line).contains(ATTACHED_MARK) {
            *attached_reported = true;
            let _ = writeln!(out, "{DRIVERS_ATTACHED}{} s", uptime());
            let _ = out.flush();
        }
        line.clear();
    }
}

/// End the guest with `status`; never returns.
fn power_off(status: i32) -> ! {
    let status = status & 0xff;
    say(&format!("{}{status}, powering off at uptime {} s", EXIT_STATUS.trim_start_matches("jsk: init: "), uptime()));
    if is_pid1() {
        // Everything else dies first, so nothing writes to the console after this.
        let _ = sys::kill(-1, libc::SIGKILL);
        sys::sync();
        if let Err(e) = sys::debug_exit(DEBUG_EXIT_PORT, status as u32) {
            say(&format!("isa-debug-exit: {e}"));
        }
        let e = sys::power_off();
        say(&format!("reboot(RB_POWER_OFF) failed: {e}; halting here"));
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    crate::sys::process::exit(status)
}

/// `jsk image init --manifest FILE`: run a manifest's commands as init would,
/// without mounting, loading modules or powering off (for tests on the host).
pub fn run_manifest_commands(path: &Path) -> i32 {
    match read_manifest(path) {
        Ok(m) => {
            let status = run_commands(&m.commands);
            say(&format!("{}{status} (not PID 1: no power-off)", EXIT_STATUS.trim_start_matches("jsk: init: ")));
            status
        }
        Err(e) => {
            say(&format!("error: {e:#}"));
            1
        }
    }
}
