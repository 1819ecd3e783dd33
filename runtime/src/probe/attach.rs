//! `jsk-probe attach`: bind where needed, then run `jsk run --vfio ADDR...
//! --drivers ... APP.js` (the sibling `jsk` binary) and pass its exit status on.
//!
//! The child runs in its own process group, so a Ctrl-C at the terminal
//! reaches it exactly once: jsk-probe catches SIGINT/SIGTERM/SIGHUP and
//! forwards the first one, and the child's exit hooks remove the drivers and
//! release the devices. (A second signal ends jsk-probe at once; the child
//! still finishes its cleanup.) The child's stderr passes through jsk-probe,
//! which turns the runtime's `jsk: drivers attached: LIST` into
//! `jsk-probe: drivers attached: LIST`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::checks::{check_bind, BindOptions, Refusal};
use super::matching::{find_match, load_indexed, DriverSource};
use super::pci::{list_devices, PciDevice};
use super::{access, checks, failed, ops, Kernel, ProbeError, System, VFIO_PCI};

#[derive(Clone, Debug, Default)]
pub struct AttachOptions {
    pub addresses: Vec<String>,
    /// Every device whose id matches a jsk driver.
    pub all: bool,
    pub drivers: DriverSource,
    /// The app; None runs a keep-alive app until Ctrl-C / SIGTERM.
    pub app: Option<PathBuf>,
    pub app_args: Vec<String>,
    pub bind: BindOptions,
    /// Give devices this attach bound back to their drivers when the app ends.
    pub restore_after: bool,
    /// `jsk run --timeout`.
    pub timeout: Option<f64>,
    /// Run without `--deny-unsafe` (the app needs jsk:sys or jsk:native).
    pub allow_unsafe: bool,
    /// The jsk binary (default: `JSK_BIN`, else this executable when it is jsk itself, multi-call
    /// as `jsk probe` or by a link named jsk-probe; else `jsk` beside the jsk-probe binary).
    pub jsk_bin: Option<PathBuf>,
    pub state_path: PathBuf,
}

/// The `jsk` binary to run.
pub fn jsk_binary(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("JSK_BIN").filter(|v| !v.is_empty()) {
        return p.into();
    }
    let Ok(exe) = std::env::current_exe() else { return "jsk".into() };
    // jsk itself (multi-call; in the boot image /bin/jsk-probe is a link to /init, which
    // current_exe resolves) runs `jsk run`; the host's thin jsk-probe binary cannot.
    if !super::cli::THIN.load(std::sync::atomic::Ordering::Relaxed) {
        return exe;
    }
    exe.parent().map(|d| d.join("jsk")).filter(|p| p.exists()).unwrap_or_else(|| "jsk".into())
}

/// The app run without one. The short interval is deliberate: the event loop
/// checks for a termination signal after each wake-up, and a signal that
/// lands on another thread of jsk does not interrupt the JS thread's wait.
const KEEP_ALIVE: &str = "// Written by jsk-probe attach: keep the attached drivers running until Ctrl-C or SIGTERM.\n\
setInterval(() => {}, 250);\n";

fn say(msg: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "jsk-probe: {msg}");
}

/// Run an attach; returns the exit code to end with.
pub fn attach(host: &System, opts: &AttachOptions) -> Result<i32, ProbeError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let roots = opts.drivers.roots(&cwd)?;
    if roots.is_empty() {
        return Err(failed("no drivers/ folder above the current folder or this executable; name one with --drivers DIR or --driver FILE"));
    }
    let (drivers, warnings) = load_indexed(&roots);
    for w in warnings {
        say(&format!("warning: {w}"));
    }

    // Which devices.
    let mut targets: Vec<PciDevice> = Vec::new();
    if opts.all {
        targets = list_devices(host)?.into_iter().filter(|d| find_match(&drivers, d).is_some()).collect();
        if targets.is_empty() {
            let names: Vec<&str> = drivers.iter().map(|d| d.name.as_str()).collect();
            return Err(failed(format!(
                "--all: no PCI device matches a jsk driver ({} driver{} read: {})",
                drivers.len(),
                if drivers.len() == 1 { "" } else { "s" },
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            )));
        }
    }
    for a in &opts.addresses {
        let d = PciDevice::read(host, a)?;
        if !targets.iter().any(|t| t.address == d.address) {
            targets.push(d);
        }
    }
    if targets.is_empty() {
        return Err(failed("attach what? name PCI addresses (jsk-probe attach 0000:00:02.0) or pass --all"));
    }
    for d in &targets {
        if find_match(&drivers, d).is_none() {
            say(&format!(
                "warning: no jsk driver matches {} ({}); it is opened but nothing attaches to it",
                d.address,
                d.id()
            ));
        }
    }

    // Bind where needed: all checks first, then the writes. With --all a
    // refused device is dropped, and the rest are checked again without it
    // (it may share an IOMMU group with them).
    let mut plans;
    loop {
        let together: Vec<String> = targets.iter().map(|d| d.address.clone()).collect();
        plans = Vec::new();
        let mut refusals: Vec<Refusal> = Vec::new();
        for d in &targets {
            match check_bind(host, d, &together, opts.bind) {
                Ok(p) => plans.push(p),
                Err(r) => refusals.push(r),
            }
        }
        if refusals.is_empty() {
            break;
        }
        if !opts.all {
            let first = refusals.remove(0);
            for r in &refusals {
                say(&r.to_string());
            }
            return Err(first.into());
        }
        for r in &refusals {
            say(&format!("skipping {}: {r}", r.address));
        }
        targets.retain(|d| !refusals.iter().any(|r| r.address == d.address));
    }
    if host.kernel == Kernel::Real && plans.iter().any(|p| !p.already) && !access::Identity::current().is_root() {
        let need: Vec<String> = plans.iter().filter(|p| !p.already).map(|p| p.device.address.clone()).collect();
        return Err(failed(format!(
            "{} {} not on vfio-pci, and binding needs root: run `sudo jsk-probe bind {}` first; attaching then works as any user who can open /dev/vfio/N",
            need.join(", "),
            if need.len() == 1 { "is" } else { "are" },
            need.join(" ")
        )));
    }
    if plans.is_empty() {
        return Err(failed("--all: every matching device was refused (see above); nothing to attach"));
    }
    let mut bound_now: Vec<String> = Vec::new();
    let mut addresses = Vec::new();
    for p in &plans {
        for w in &p.warnings {
            say(&format!("warning: {w}"));
        }
        let b = ops::bind(host, p, &opts.state_path)?;
        if !b.already {
            say(&format!(
                "bound {} to vfio-pci (was {})",
                b.address,
                b.original_driver.as_deref().unwrap_or("unbound")
            ));
            bound_now.push(b.address.clone());
        }
        addresses.push(b.address);
    }

    // Can this process open what the child will open?
    for a in &addresses {
        let d = PciDevice::read(host, a)?;
        if d.driver.as_deref() != Some(VFIO_PCI) {
            return Err(failed(format!(
                "{a} is on {} after binding, not vfio-pci",
                d.driver.as_deref().unwrap_or("no driver")
            )));
        }
        let g = d.iommu_group.ok_or_else(|| failed(format!("{a} is on vfio-pci but has no IOMMU group")))?;
        access::check_vfio_access(host, a, &checks::group_dev_name(host, g))?;
    }
    if let Some(w) = access::memlock_warning() {
        say(&format!("warning: {w}"));
    }

    // The app: given, or a keep-alive one.
    let keep_alive = match &opts.app {
        Some(_) => None,
        None => {
            let p = std::env::temp_dir().join(format!("jsk-probe-keepalive-{}.js", std::process::id()));
            std::fs::write(&p, KEEP_ALIVE).map_err(|e| failed(format!("cannot write {}: {e}", p.display())))?;
            Some(p)
        }
    };
    let app = opts.app.clone().or_else(|| keep_alive.clone()).expect("one of them");
    let jsk = jsk_binary(opts.jsk_bin.as_deref());
    let mut cmd = Command::new(&jsk);
    // Drivers need nothing unsafe: they reach devices through jsk:hal only.
    cmd.arg("run");
    if !opts.allow_unsafe {
        cmd.arg("--deny-unsafe");
    }
    if let Some(t) = opts.timeout {
        cmd.arg("--timeout").arg(t.to_string());
    }
    for a in &addresses {
        cmd.arg("--vfio").arg(a);
    }
    // Only the files of the drivers that match (in file order, so `jsk run` picks the same
    // driver for each device): it compiles those and no others.
    let mut matched: Vec<&Path> =
        plans.iter().filter_map(|p| find_match(&drivers, &p.device)).map(|d| d.file.as_path()).collect();
    matched.sort_by_key(|f| drivers.iter().position(|d| d.file == *f));
    matched.dedup();
    let given: Vec<&Path> = if matched.is_empty() { roots.iter().map(PathBuf::as_path).collect() } else { matched };
    for r in given {
        cmd.arg("--drivers").arg(r);
    }
    cmd.arg(&app).args(&opts.app_args);
    cmd.stderr(Stdio::piped()).process_group(0);

    crate::sys::process::install_termination_handlers();
    let code = run_child(&mut cmd, &jsk, keep_alive.is_some());
    if let Some(p) = keep_alive {
        let _ = std::fs::remove_file(p);
    }
    let code = code?;

    if opts.restore_after {
        for a in &bound_now {
            match ops::restore(host, a, &opts.state_path) {
                Ok(r) => {
                    say(&format!("restored {a} to {}", r.now.as_deref().unwrap_or("no driver")));
                    for w in r.warnings {
                        say(&format!("warning: {w}"));
                    }
                }
                Err(e) => say(&format!("{e}")),
            }
        }
    } else if !bound_now.is_empty() {
        say(&format!(
            "{} stay{} on vfio-pci; `jsk-probe restore --all` gives {} back",
            bound_now.join(", "),
            if bound_now.len() == 1 { "s" } else { "" },
            if bound_now.len() == 1 { "it" } else { "them" }
        ));
    }
    Ok(code)
}

/// Spawn, pass stderr through, forward the first termination signal, and
/// return the child's exit code (128 + signal if a signal ended it).
fn run_child(cmd: &mut Command, jsk: &Path, keep_alive: bool) -> Result<i32, ProbeError> {
    let mut child = cmd.spawn().map_err(|e| {
        failed(format!(
            "cannot start {}: {e} (build it with `cargo build -p jsk-runtime`, or name it with JSK_BIN)",
            jsk.display()
        ))
    })?;
    let pid = child.id();
    let stderr = child.stderr.take().expect("piped");
    let pump = std::thread::spawn(move || {
        let mut r = BufReader::new(stderr);
        let mut line = Vec::new();
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
            let text = String::from_utf8_lossy(&line);
            let mut err = std::io::stderr().lock();
            if let Some(list) = text.trim_end().strip_prefix("jsk: drivers attached: ") {
                let _ = writeln!(err, "jsk-probe: drivers attached: {list}");
                if keep_alive {
                    let _ = writeln!(err, "jsk-probe: drivers running; Ctrl-C or SIGTERM stops them");
                }
            } else {
                let _ = err.write_all(&line);
            }
            let _ = err.flush();
        }
    });
    let mut forwarded = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(failed(format!("waiting for jsk (pid {pid}): {e}"))),
        }
        let sig = crate::sys::process::termination_signal();
        if sig != 0 && !forwarded {
            forwarded = true;
            say(&format!(
                "{}: stopping jsk (pid {pid}); its exit hooks remove the drivers and release the devices",
                crate::sys::process::signal_name(sig)
            ));
            send_signal(pid, sig);
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let _ = pump.join();
    Ok(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
}

/// kill(pid, sig) through the runtime's one raw syscall entry point.
fn send_signal(pid: u32, sig: i32) {
    let r = crate::sys::syscall6(libc::SYS_kill, [pid as i64, sig as i64, 0, 0, 0, 0]);
    if r < 0 && r != -(libc::ESRCH as i64) {
        say(&format!("could not signal jsk (pid {pid}): errno {}", -r));
    }
}
