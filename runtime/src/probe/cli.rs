//! The `jsk-probe` command line (also `jsk probe`, and `jsk` called by the name jsk-probe:
//! one binary in the boot image): list PCI devices and the jsk driver that fits each, move
//! them to vfio-pci and back, and run jsk drivers on them through VFIO.
//!
//! Exit codes: 0 done, 1 error, 2 refused (nothing was changed; the message says what is in
//! the way).

use std::path::PathBuf;

use super::attach::{attach, AttachOptions};
use super::checks::{check_bind, BindOptions};
use super::matching::{load_indexed, DriverSource};
use super::pci::{iommu_summary, list_devices, row, table, PciDevice};
use super::state::{state_path, State};
use super::{access, normalize_address, ops, ProbeError, System, EXIT_ERROR};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "jsk-probe",
    version,
    about = "Find PCI devices, match them to jsk drivers, bind them to vfio-pci and run the drivers",
    long_about = "Find PCI devices, match them to jsk drivers, bind them to vfio-pci and run the drivers.\n\n\
        Without a command, lists the PCI devices like `lspci -k`, with the jsk driver whose match table fits.\n\
        Exit codes: 0 done, 1 error, 2 refused (nothing was changed; the message says what is in the way).\n\n\
        Environment: JSK_STATE (state file, default /run/jsk/bound.json), JSK_BIN (the jsk binary attach runs; default: this one, or the jsk beside \
        a jsk-probe binary), JSK_SYSFS_ROOT / JSK_PROC_ROOT / JSK_DEV_ROOT (read another tree as /sys, /proc, /dev; a tree that is not a \
        mounted sysfs gets an emulated kernel, for tests), JSK_PROBE_DEADLINE_MS (how long to wait for the kernel to bind or \
        unbind, default 5000)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct Common {
    /// Print the listing as JSON (an array of objects).
    #[arg(long, global = true)]
    json: bool,
    /// Folder (or file) of jsk drivers (repeatable; default: the nearest drivers/ above the current folder).
    #[arg(long = "drivers", value_name = "DIR", global = true)]
    drivers: Vec<PathBuf>,
    /// A jsk driver file (repeatable).
    #[arg(long = "driver", value_name = "FILE", global = true)]
    driver: Vec<PathBuf>,
    /// The state file recording what jsk-probe bound [env: JSK_STATE] [default: /run/jsk/bound.json].
    #[arg(long, value_name = "FILE", global = true)]
    state: Option<PathBuf>,
    /// Read this folder as /sys [env: JSK_SYSFS_ROOT]; a tree that is not a mounted sysfs gets an emulated kernel.
    #[arg(long = "sysfs-root", value_name = "DIR", global = true, hide_short_help = true)]
    sysfs_root: Option<PathBuf>,
    /// Read this folder as /proc [env: JSK_PROC_ROOT].
    #[arg(long = "proc-root", value_name = "DIR", global = true, hide_short_help = true)]
    proc_root: Option<PathBuf>,
    /// Read this folder as /dev [env: JSK_DEV_ROOT].
    #[arg(long = "dev-root", value_name = "DIR", global = true, hide_short_help = true)]
    dev_root: Option<PathBuf>,
}

#[derive(Args, Clone, Copy)]
struct Safety {
    /// Where the kernel offers it (vfio's enable_unsafe_noiommu_mode), bind a device that has no IOMMU group. UNSAFE: no DMA protection; root only.
    #[arg(long = "unsafe-noiommu")]
    unsafe_noiommu: bool,
    /// Bind although a network interface of the device is up with addresses or routes, or its filesystems are mounted.
    #[arg(long)]
    force: bool,
}

impl Safety {
    fn options(self) -> BindOptions {
        BindOptions { force: self.force, unsafe_noiommu: self.unsafe_noiommu }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// List PCI devices (the default): address, ids, names, class, IOMMU group, kernel driver, matching jsk driver.
    List {
        /// Only these devices.
        addresses: Vec<String>,
    },
    /// Move devices to vfio-pci (driver_override), after checks; records the original driver in the state file.
    Bind {
        /// PCI addresses (0000:00:02.0 or 00:02.0).
        #[arg(required = true)]
        addresses: Vec<String>,
        #[command(flatten)]
        safety: Safety,
    },
    /// Bind where needed and run the matching drivers through VFIO, then APP.js (or keep them running until Ctrl-C).
    #[command(override_usage = "jsk-probe attach [OPTIONS] [ADDR... | --all] [APP.js [ARGS...]] [-- ARGS...]")]
    Attach {
        /// PCI addresses, then optionally the app and its arguments.
        #[arg(value_name = "ADDR... APP.js ARGS")]
        rest: Vec<String>,
        /// Arguments for the app after `--`.
        #[arg(last = true, value_name = "ARGS")]
        app_args: Vec<String>,
        /// Every device whose id matches a jsk driver (devices that are refused are skipped).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        safety: Safety,
        /// Give the devices this attach bound back to their drivers when the app ends.
        #[arg(long)]
        restore: bool,
        /// Stop the app after SECONDS (jsk run --timeout).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Let the app import jsk:sys and jsk:native (raw system calls and memory); by default
        /// drivers and app run under `jsk run --deny-unsafe`.
        #[arg(long = "allow-unsafe")]
        allow_unsafe: bool,
    },
    /// Give devices back to their original kernel drivers (from the state file; also after a crash).
    Restore {
        addresses: Vec<String>,
        /// Every device in the state file.
        #[arg(long)]
        all: bool,
    },
}

fn say(msg: &str) {
    eprintln!("jsk-probe: {msg}");
}

/// Print to stdout; a closed pipe (`jsk-probe | head`) ends the program quietly.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        if writeln!(o, $($t)*).and_then(|()| o.flush()).is_err() {
            std::process::exit(0);
        }
    }};
}

fn host(c: &Common) -> System {
    let env = System::from_env();
    let mut h = System::with_roots(
        c.sysfs_root.clone().unwrap_or(env.sys),
        c.proc_root.clone().unwrap_or(env.proc_root),
        c.dev_root.clone().unwrap_or(env.dev),
    );
    if let Some(ms) = std::env::var("JSK_PROBE_DEADLINE_MS").ok().and_then(|v| v.parse().ok()) {
        h.deadline = std::time::Duration::from_millis(ms);
    }
    h
}

fn addresses(given: &[String]) -> Result<Vec<String>, ProbeError> {
    given
        .iter()
        .map(|a| {
            normalize_address(a).ok_or_else(|| {
                ProbeError::Failed(format!("{a}: not a PCI address (expected DDDD:BB:SS.F, e.g. 0000:00:02.0)"))
            })
        })
        .collect()
}

fn list(c: &Common, only: &[String]) -> Result<i32, ProbeError> {
    let h = host(c);
    let only = addresses(only)?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let source = DriverSource { dirs: c.drivers.clone(), files: c.driver.clone() };
    let roots = source.roots(&cwd)?;
    let (drivers, warnings) = load_indexed(&roots);
    for w in warnings {
        say(&format!("warning: {w}"));
    }
    let state = State::load(&state_path(c.state.as_deref())).ok();
    let mut devices = list_devices(&h)?;
    if !only.is_empty() {
        for a in &only {
            if !devices.iter().any(|d| &d.address == a) {
                PciDevice::read(&h, a)?;
            }
        }
        devices.retain(|d| only.contains(&d.address));
    }
    let rows: Vec<_> = devices.iter().map(|d| row(d, &drivers, state.as_ref())).collect();
    if c.json {
        out!("{}", serde_json::to_string_pretty(&rows).expect("rows serialize"));
        return Ok(0);
    }
    out!("{}", table(&rows, Some(&cwd)).trim_end());
    out!("{}", iommu_summary(&h));
    if roots.is_empty() {
        out!("jsk drivers: none found (no drivers/ above the current folder; use --drivers DIR)");
    } else {
        let shown: Vec<String> = roots
            .iter()
            .map(|r| r.strip_prefix(&cwd).map(|p| p.display().to_string()).unwrap_or_else(|_| r.display().to_string()))
            .collect();
        out!("jsk drivers: {} from {}", drivers.len(), shown.join(", "));
    }
    Ok(0)
}

fn bind(c: &Common, given: &[String], safety: Safety) -> Result<i32, ProbeError> {
    let h = host(c);
    let addrs = addresses(given)?;
    let state = state_path(c.state.as_deref());
    let as_user = h.kernel == super::Kernel::Real && !access::Identity::current().is_root();
    if safety.unsafe_noiommu && !as_user {
        // The no-IOMMU switch belongs to the vfio module: load it before looking.
        ops::ensure_vfio_pci(&h)?;
    }
    let mut plans = Vec::new();
    let mut refused = Vec::new();
    for a in &addrs {
        let d = PciDevice::read(&h, a)?;
        match check_bind(&h, &d, &addrs, safety.options()) {
            Ok(p) => plans.push(p),
            Err(r) => refused.push(r),
        }
    }
    if !refused.is_empty() {
        let n = refused.len();
        for (i, r) in refused.into_iter().enumerate() {
            if i + 1 == n {
                return Err(r.into());
            }
            say(&r.to_string());
        }
    }
    if as_user && plans.iter().any(|p| !p.already) {
        return Err(ProbeError::Failed(
            "bind needs root (it writes driver_override and unbind in /sys): run it with sudo; attaching afterwards works as any user who can open /dev/vfio/N".into(),
        ));
    }
    for p in &plans {
        for w in &p.warnings {
            if w.starts_with("UNSAFE") {
                eprintln!("jsk-probe: ********************************************************************");
                say(&format!("WARNING: {w}"));
                eprintln!("jsk-probe: ********************************************************************");
            } else {
                say(&format!("warning: {w}"));
            }
        }
        let b = ops::bind(&h, p, &state)?;
        if b.already {
            let st = State::load(&state).ok();
            match st.as_ref().and_then(|s| s.devices.get(&b.address)) {
                Some(e) => out!(
                    "{} is already on vfio-pci (bound by jsk-probe at {}, was {})",
                    b.address,
                    e.bound_at,
                    e.original_driver.as_deref().unwrap_or("unbound")
                ),
                None => out!("{} is already on vfio-pci (not bound by jsk-probe: restore leaves it alone)", b.address),
            }
        } else {
            out!(
                "bound {} to vfio-pci (was {}){}; recorded in {}",
                b.address,
                b.original_driver.as_deref().unwrap_or("unbound"),
                b.group_dev.as_ref().map(|g| format!(", {}", g.display())).unwrap_or_default(),
                state.display()
            );
        }
        if let Some(note) = b.group_dev.as_deref().and_then(access::note_for_sudo_user) {
            say(&format!("note: {note}"));
        }
    }
    Ok(0)
}

fn restore(c: &Common, given: &[String], all: bool) -> Result<i32, ProbeError> {
    let h = host(c);
    if h.kernel == super::Kernel::Real && !access::Identity::current().is_root() {
        return Err(ProbeError::Failed(
            "restore needs root (it writes driver_override, unbind and drivers_probe in /sys): run it with sudo".into(),
        ));
    }
    let state = state_path(c.state.as_deref());
    let addrs = if all {
        if !given.is_empty() {
            return Err(ProbeError::Failed("restore: name addresses or --all, not both".into()));
        }
        State::load(&state)?.devices.keys().cloned().collect()
    } else {
        addresses(given)?
    };
    if addrs.is_empty() {
        if all {
            out!("nothing to restore ({} lists no devices)", state.display());
            return Ok(0);
        }
        return Err(ProbeError::Failed("restore what? name PCI addresses or pass --all".into()));
    }
    let mut code = 0;
    for a in &addrs {
        match ops::restore(&h, a, &state) {
            Ok(r) => {
                for w in &r.warnings {
                    say(&format!("warning: {w}"));
                }
                out!("restored {} to {}", r.address, r.now.as_deref().unwrap_or("no driver"));
            }
            Err(e) => {
                say(&e.to_string());
                code = code.max(e.exit_code());
            }
        }
    }
    Ok(code)
}

fn run(cli: Cli) -> Result<i32, ProbeError> {
    let c = &cli.common;
    match cli.command {
        None => list(c, &[]),
        Some(Cmd::List { addresses }) => list(c, &addresses),
        Some(Cmd::Bind { addresses, safety }) => bind(c, &addresses, safety),
        Some(Cmd::Restore { addresses, all }) => restore(c, &addresses, all),
        Some(Cmd::Attach { rest, app_args, all, safety, restore, timeout, allow_unsafe }) => {
            let split = rest.iter().position(|s| normalize_address(s).is_none()).unwrap_or(rest.len());
            let mut extra: Vec<String> = rest[split..].iter().skip(1).cloned().collect();
            extra.extend(app_args);
            let app = rest.get(split).map(PathBuf::from);
            if app.is_none() && !extra.is_empty() {
                return Err(ProbeError::Failed(
                    "attach: arguments after -- need an app (jsk-probe attach ADDR APP.js -- ARGS)".into(),
                ));
            }
            if let Some(a) = &app {
                if !a.is_file() {
                    return Err(ProbeError::Failed(format!(
                        "attach: {} is neither a PCI address nor an app file",
                        a.display()
                    )));
                }
            }
            let opts = AttachOptions {
                addresses: addresses(&rest[..split])?,
                all,
                drivers: DriverSource { dirs: c.drivers.clone(), files: c.driver.clone() },
                app,
                app_args: extra,
                bind: safety.options(),
                restore_after: restore,
                timeout,
                allow_unsafe,
                jsk_bin: None,
                state_path: state_path(c.state.as_deref()),
            };
            attach(&host(c), &opts)
        }
    }
}

/// Set by the host's thin jsk-probe binary (`bin/jsk-probe.rs`), which cannot run `jsk run`
/// itself: attach then starts the jsk beside it. Unset, this executable is jsk (multi-call).
pub static THIN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Run jsk-probe with `args` (`args[0]` the name it was called by); returns the exit code.
pub fn main(args: Vec<String>) -> i32 {
    crate::sys::process::init_log("jsk-probe");
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // Usage errors exit 1: exit code 2 means "refused".
            return if e.use_stderr() { EXIT_ERROR } else { 0 };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            say(&e.to_string());
            e.exit_code()
        }
    }
}
