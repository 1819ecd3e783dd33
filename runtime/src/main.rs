//! The `jsk` command line (and `unode`/`node` by the name it is called by).
#![deny(unsafe_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use jsk::engine::{self, Mode, Options};
use jsk::hw::board::{AttachOptions, BackendKind, BoardOptions};

#[derive(Parser)]
#[command(
    name = "jsk",
    version,
    about = "Run hardware drivers written in JavaScript",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Limits {
    /// Stop the script after SECONDS (exit code 124), also inside a native wait.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Cap the JS heap at MB mebibytes; running out becomes a clear error (exit 1).
    #[arg(long = "memory-limit", value_name = "MB")]
    memory_limit: Option<usize>,
    /// Let QuickJS use up to KB kibibytes of stack (default 16384; the unit of `node --stack-size`); deeper recursion is a RangeError.
    #[arg(long = "stack-size", value_name = "KB")]
    stack_size: Option<String>,
    /// Refuse the raw primitives to the program: it cannot import jsk:sys or jsk:native, and the
    /// syscall/addressOf/unsafeArrayBuffer globals are absent (jsk: modules, drivers included, work as before).
    #[arg(long = "deny-unsafe")]
    deny_unsafe: bool,
}

impl Limits {
    fn options(&self) -> Options {
        if self.deny_unsafe {
            jsk::engine::modules::deny_unsafe();
        }
        let mut opts = Options {
            timeout: self.timeout.filter(|t| *t > 0.0).map(Duration::from_secs_f64),
            memory_limit_mb: self.memory_limit,
            stack_limit: None,
        };
        if let Some(kb) = &self.stack_size {
            if let Err(e) = opts.set_stack_size_kb(kb) {
                eprintln!("jsk: {e}");
                jsk::sys::process::exit(2);
            }
        }
        opts
    }
}

#[derive(clap::Args, Clone)]
struct Hardware {
    /// Open this board (devices/*.toml) and attach the matching drivers before the app runs.
    #[arg(long, value_name = "FILE", conflicts_with = "vfio")]
    board: Option<PathBuf>,
    /// Open this PCI device through VFIO (repeatable; it must be bound to vfio-pci, see jsk-probe) and attach the matching drivers.
    #[arg(long, value_name = "ADDR")]
    vfio: Vec<String>,
    /// Backend for --board (default: the board file's default_backend, else qtest with a [qemu] section, else mem).
    #[arg(long, value_enum)]
    backend: Option<BackendKind>,
    /// Driver files or folders to attach from (default: the nearest drivers/ folder above the app, else above the current folder).
    #[arg(long = "drivers", value_name = "PATH")]
    drivers: Vec<PathBuf>,
    /// Connect a board chardev (qtest), e.g. --chardev ser0=socket,path=/tmp/s,server=on,wait=off
    #[arg(long, value_name = "ID=SPEC", requires = "board")]
    chardev: Vec<String>,
    /// Connect a board netdev (qtest), e.g. --netdev net0=dgram,local.type=inet,...
    #[arg(long, value_name = "ID=SPEC", requires = "board")]
    netdev: Vec<String>,
    /// qtest: watch this device model's output lines (e.g. pl061) instead of the interrupt controller.
    #[arg(long = "qtest-observe", value_name = "QOM-TYPE", requires = "board")]
    qtest_observe: Option<String>,
    /// Write every frame a network device receives or sends to FILE (libpcap; tcpdump -r, Wireshark).
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Record every GPIO level the app drives into a VCD file (GTKWave, PulseView).
    #[arg(long = "trace-vcd", value_name = "FILE")]
    trace_vcd: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a JavaScript module (`jsk FILE` is short for `jsk run FILE`).
    Run {
        #[command(flatten)]
        limits: Limits,
        #[command(flatten)]
        hardware: Hardware,
        /// The module to run.
        file: PathBuf,
        /// Arguments for the script (process.argv.slice(2)).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run `*.test.js` files (default: every one in the repository) and report.
    Test {
        /// Per-file time limit in seconds.
        #[arg(long, default_value_t = 120.0, value_name = "SECONDS")]
        timeout: f64,
        /// Files or folders to search for `*.test.js`.
        paths: Vec<PathBuf>,
    },
    /// Run one test file in this process (used by `jsk test`).
    #[command(name = "test-file", hide = true)]
    TestFile {
        #[command(flatten)]
        limits: Limits,
        file: PathBuf,
    },
    /// Run a Node.js program on unode (`jsk node app.js`; the binary named `unode` or `node` does the same).
    Node {
        /// Node's options, the script and its arguments (`jsk node -h` lists the options).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build and boot a Linux image in which jsk is PID 1 (`jsk image build|run|list`).
    Image {
        #[command(subcommand)]
        command: jsk::image::cli::ImageCommand,
    },
    /// Find PCI devices, bind them to vfio-pci and run the drivers: jsk-probe (`jsk probe -h`).
    Probe {
        /// jsk-probe's command and options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

const SUBCOMMANDS: &[&str] = &["run", "test", "test-file", "image", "help", "node", "probe"];

fn pairs(flag: &str, items: &[String]) -> Result<BTreeMap<String, String>, String> {
    items
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("--{flag} {s}: expected ID=SPEC"))
        })
        .collect()
}

/// The driver files to attach: what --drivers names, else the nearest
/// `drivers/` folder above the app, else above the current folder.
fn driver_files(given: &[PathBuf], app: &std::path::Path) -> Result<Vec<String>, String> {
    let roots: Vec<PathBuf> =
        if given.is_empty() {
            let app_dir = std::fs::canonicalize(app).ok().and_then(|p| p.parent().map(|p| p.to_path_buf()));
            let cwd = std::env::current_dir().ok();
            let found = app_dir
                .iter()
                .chain(cwd.iter())
                .flat_map(|d| d.ancestors().map(|a| a.join("drivers")).collect::<Vec<_>>())
                .find(|d| d.is_dir());
            match found {
                Some(d) => vec![d],
                None => return Err(
                    "--board: no drivers/ folder found above the app or the current folder; name one with --drivers"
                        .into(),
                ),
            }
        } else {
            given.to_vec()
        };
    let mut out = Vec::new();
    for r in roots {
        let r = std::fs::canonicalize(&r).map_err(|e| format!("--drivers {}: {e}", r.display()))?;
        let mut files = Vec::new();
        jsk::collect_driver_files(&r, &mut files);
        out.extend(files.into_iter().map(|f| f.to_string_lossy().into_owned()));
    }
    // As paths, component by component: the order jsk-probe matches in (`nic/x.js` before `nic-y/`).
    out.sort_by(|a, b| std::path::Path::new(a).cmp(std::path::Path::new(b)));
    Ok(out)
}

fn host_options(hw: &Hardware, app: &std::path::Path) -> Result<(), String> {
    let path = match (&hw.board, hw.vfio.is_empty()) {
        (Some(b), _) => Some(b.to_string_lossy().into_owned()),
        (None, false) => Some(String::new()),
        (None, true) => None,
    };
    if path.is_none() && (hw.backend.is_some() || !hw.drivers.is_empty()) {
        return Err("--backend and --drivers go with --board or --vfio".into());
    }
    let board = match path {
        Some(path) => Some(AttachOptions {
            board: BoardOptions {
                path,
                vfio: hw.vfio.clone(),
                backend: if hw.vfio.is_empty() { hw.backend } else { Some(BackendKind::Vfio) },
                chardev: pairs("chardev", &hw.chardev)?,
                netdev: pairs("netdev", &hw.netdev)?,
                observe: hw.qtest_observe.clone(),
            },
            drivers: driver_files(&hw.drivers, app)?,
        }),
        None => None,
    };
    let opts = jsk::engine::native_module::HostOptions {
        trace_vcd: hw.trace_vcd.as_ref().map(|p| p.to_string_lossy().into_owned()),
        pcap: hw.pcap.as_ref().map(|p| p.to_string_lossy().into_owned()),
        board,
    };
    let _ = jsk::engine::native_module::OPTIONS.set(opts);
    Ok(())
}

fn main() {
    // Called as jsk-probe (the image's /bin/jsk-probe is a link to jsk), or `jsk probe ...`:
    // before jsk's own logger, so that jsk-probe's messages carry its name.
    let mut args: Vec<String> = std::env::args().collect();
    if !jsk::image::init::is_pid1() {
        let exe = args.first().cloned().unwrap_or_default();
        if std::path::Path::new(&exe).file_name().is_some_and(|n| n == "jsk-probe") {
            jsk::sys::process::exit(jsk::probe::cli::main(args));
        }
        if args.get(1).map(String::as_str) == Some("probe") {
            let mut rest = args.split_off(2);
            rest.insert(0, "jsk-probe".into());
            jsk::sys::process::exit(jsk::probe::cli::main(rest));
        }
    }
    jsk::sys::process::init_log("jsk");
    // In the boot image the kernel starts jsk as /init: PID 1 mounts, loads
    // modules, runs the image's commands and powers off (never returns).
    if jsk::image::init::is_pid1() {
        jsk::image::init::main();
    }
    // `unode ...`, `node ...` (a symlink) and `jsk node ...` run Node programs.
    let exe = args.first().cloned().unwrap_or_else(|| "jsk".into());

    if jsk::unode::invoked_as_node(&exe) {
        jsk::sys::process::exit(jsk::unode::main(exe, args.split_off(1)));
    }
    if args.get(1).map(String::as_str) == Some("node") {
        jsk::sys::process::exit(jsk::unode::main(exe, args.split_off(2)));
    }
    // `jsk FILE ...` is shorthand for `jsk run FILE ...`.
    if let Some(first) = args.get(1) {
        if !first.starts_with('-') && !SUBCOMMANDS.contains(&first.as_str()) {
            args.insert(1, "run".into());
        }
    }
    let cli = Cli::parse_from(args);
    let exe = std::env::args().next().unwrap_or_else(|| "jsk".into());
    let code = match cli.command {
        Command::Run { limits, hardware, file, args } => {
            if let Err(e) = host_options(&hardware, &file) {
                eprintln!("jsk: {e}");
                jsk::sys::process::exit(2);
            }
            let file = file.to_string_lossy().into_owned();
            let mut argv = vec![exe, file.clone()];
            argv.extend(args);
            let _ = jsk::engine::native_module::ARGV.set(argv);
            let opts = limits.options();
            jsk::on_js_thread(move || engine::run_file(&file, Mode::Run, opts))
        }
        Command::TestFile { limits, file } => {
            let file = file.to_string_lossy().into_owned();
            let _ = jsk::engine::native_module::ARGV.set(vec![exe, file.clone()]);
            let opts = limits.options();
            jsk::on_js_thread(move || engine::run_file(&file, Mode::Test, opts))
        }
        Command::Test { timeout, paths } => jsk::testrun::run(&paths, timeout),
        Command::Image { command } => jsk::image::cli::main(command),
        Command::Node { args } => jsk::unode::main(exe.clone(), args),
        // Dispatched before clap (above); the variant is there for `jsk --help`.
        Command::Probe { mut args } => {
            args.insert(0, "jsk-probe".into());
            jsk::probe::cli::main(args)
        }
    };
    jsk::sys::process::exit(code)
}
