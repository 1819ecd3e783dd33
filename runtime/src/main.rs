use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use jsk::engine::{self, Mode, Options};

#[derive(Parser)]
#[command(name = "jsk", version, about = "Run hardware drivers written in JavaScript", args_conflicts_with_subcommands = true)]
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
}

impl Limits {
    fn options(&self) -> Options {
        Options {
            timeout: self.timeout.filter(|t| *t > 0.0).map(Duration::from_secs_f64),
            memory_limit_mb: self.memory_limit,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a JavaScript module (`jsk FILE` is short for `jsk run FILE`).
    Run {
        #[command(flatten)]
        limits: Limits,
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
}

const SUBCOMMANDS: &[&str] = &["run", "test", "test-file", "help"];

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    // `jsk FILE ...` is shorthand for `jsk run FILE ...`.
    if let Some(first) = args.get(1) {
        if !first.starts_with('-') && !SUBCOMMANDS.contains(&first.as_str()) {
            args.insert(1, "run".into());
        }
    }
    let cli = Cli::parse_from(args);
    let exe = std::env::args().next().unwrap_or_else(|| "jsk".into());
    let code = match cli.command {
        Command::Run { limits, file, args } => {
            let file = file.to_string_lossy().into_owned();
            let mut argv = vec![exe, file.clone()];
            argv.extend(args);
            let _ = jsk::native::ARGV.set(argv);
            let opts = limits.options();
            jsk::on_js_thread(move || engine::run_file(&file, Mode::Run, opts))
        }
        Command::TestFile { limits, file } => {
            let file = file.to_string_lossy().into_owned();
            let _ = jsk::native::ARGV.set(vec![exe, file.clone()]);
            let opts = limits.options();
            jsk::on_js_thread(move || engine::run_file(&file, Mode::Test, opts))
        }
        Command::Test { timeout, paths } => jsk::testrun::run(&paths, timeout),
    };
    jsk::host::exit(code)
}
