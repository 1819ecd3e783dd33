//! The `jsk image` command line.

use std::path::PathBuf;

use clap::Subcommand;

use super::{BuildOptions, CommandSpec, Compression, KernelChoice, RunOptions};

#[derive(Subcommand, Clone, Debug)]
pub enum ImageCommand {
    /// Write a kernel and an initramfs in which jsk is PID 1 and runs the app.
    ///
    /// The kernel is jsk's own (Debian's linux-source-6.1, tinyconfig plus the fragment in
    /// runtime/src/image/jsk-kernel.config, built once and cached in
    /// ${XDG_CACHE_HOME:-~/.cache}/jsk/kernel), unless --kernel says `debian` (Debian's
    /// linux-image-amd64 with the modules VFIO needs) or names a bzImage. DIR gets bzImage,
    /// initramfs.cpio.zst (.gz, .xz or plain with --compress) and image.json.
    Build {
        /// The app to run in the image.
        #[arg(long, value_name = "APP.js")]
        app: PathBuf,
        /// Output folder.
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: PathBuf,
        /// `jsk` (the default: the kernel jsk builds), `debian` (Debian's binary kernel and its
        /// modules) or a bzImage file.
        #[arg(long, value_name = "jsk|debian|BZIMAGE", default_value = "jsk")]
        kernel: String,
        /// With --kernel BZIMAGE: the /lib/modules/RELEASE folder to take modules from.
        #[arg(long, value_name = "DIR")]
        modules: Option<PathBuf>,
        /// A board description (devices/*.toml) to put in the image as /jsk/devices/NAME.
        #[arg(long, value_name = "FILE")]
        board: Option<PathBuf>,
        /// Drivers folder (default: the nearest drivers/ above the app, else above the current folder).
        #[arg(long, value_name = "DIR")]
        drivers: Option<PathBuf>,
        /// Devices folder (default: the nearest devices/, like --drivers).
        #[arg(long, value_name = "DIR")]
        devices: Option<PathBuf>,
        /// The jsk binary to put in the image (default: this one); it serves as jsk-probe too.
        #[arg(long, value_name = "FILE")]
        jsk: Option<PathBuf>,
        /// Copy the app's whole folder, not only the files it imports.
        #[arg(long = "app-folder")]
        app_folder: bool,
        /// A command for PID 1 instead of the default (repeatable; run in order): words split on
        /// spaces, quotes group, `{app}` is the app's path in the image, a leading `timeout_ms=N`
        /// kills it after N ms and goes on. Default: `/bin/jsk-probe attach --all --drivers
        /// /jsk/drivers {app}` (/bin/jsk-probe is a link to jsk, which is multi-call).
        #[arg(long = "command", value_name = "CMD", allow_hyphen_values = true)]
        commands: Vec<String>,
        /// An argument for the app in the default command (repeatable).
        #[arg(long = "app-arg", value_name = "ARG", allow_hyphen_values = true)]
        app_args: Vec<String>,
        /// Another kernel module to load, with its dependencies (repeatable); parameters after
        /// the name: --module "i2c-stub chip_addr=0x48".
        #[arg(long = "module", value_name = "NAME [PARAMS]")]
        extra_modules: Vec<String>,
        /// Keep symbols in jsk (by default a binary with symbols is stripped with binutils' strip).
        #[arg(long = "no-strip")]
        no_strip: bool,
        /// Initramfs compression: zstd (default) or xz through those tools, gzip (by jsk itself), none.
        #[arg(long, value_enum, default_value_t = Compression::Zstd)]
        compress: Compression,
    },
    /// Boot an image under QEMU (q35, intel-iommu, TCG) with the serial console on stdout;
    /// exit with the app's status (124 when --timeout expires).
    Run {
        /// A folder written by `jsk image build`.
        dir: PathBuf,
        /// Add `-device SPEC` (repeatable), e.g. edu, e1000,netdev=n0.
        #[arg(long = "device", value_name = "SPEC")]
        devices: Vec<String>,
        /// Pass ARG to QEMU (repeatable), e.g. --qemu-arg=-netdev --qemu-arg=user,id=n0.
        #[arg(long = "qemu-arg", value_name = "ARG", allow_hyphen_values = true)]
        qemu_args: Vec<String>,
        /// Guest memory in MiB.
        #[arg(long, value_name = "MB", default_value_t = 512)]
        memory: u32,
        /// Kill QEMU after SECONDS and exit 124.
        #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
        timeout: f64,
        /// Add to the kernel command line (repeatable).
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        append: Vec<String>,
        /// The QEMU binary.
        #[arg(long, value_name = "BIN", default_value = "qemu-system-x86_64")]
        qemu: String,
    },
    /// List an initramfs (a file, or the one in an image folder).
    List { path: PathBuf },
    /// Run the commands of a manifest as PID 1 would, without mounting,
    /// loading modules or powering off (for testing on the host).
    #[command(hide = true)]
    Init {
        #[arg(long, value_name = "FILE")]
        manifest: PathBuf,
    },
}

fn err(e: impl std::fmt::Display) -> i32 {
    eprintln!("jsk image: {e}");
    1
}

pub fn main(cmd: ImageCommand) -> i32 {
    match cmd {
        ImageCommand::Build {
            app,
            out,
            kernel,
            modules,
            board,
            drivers,
            devices,
            jsk,
            app_folder,
            commands,
            app_args,
            extra_modules,
            no_strip,
            compress,
        } => {
            let mut specs = Vec::new();
            for c in &commands {
                match CommandSpec::parse(c, "{app}") {
                    Ok(s) => specs.push(s),
                    Err(e) => return err(e),
                }
            }
            let kernel = match kernel.as_str() {
                "jsk" => KernelChoice::Jsk,
                "debian" => KernelChoice::Debian,
                file => KernelChoice::File(PathBuf::from(file)),
            };
            let opts = BuildOptions {
                app,
                out,
                kernel,
                modules_dir: modules,
                board,
                drivers,
                devices,
                jsk,
                app_folder,
                commands: specs,
                app_args,
                extra_modules,
                no_strip,
                compression: compress,
            };
            match super::build(&opts, &mut |line| eprintln!("jsk image: {line}")) {
                Ok(report) => {
                    print!("{}", report.summary());
                    println!(
                        "wrote {}, {}, {}",
                        report.kernel_path.display(),
                        report.initramfs_path.display(),
                        opts.out.join(super::MANIFEST_FILE).display()
                    );
                    0
                }
                Err(e) => err(format!("{e:#}")),
            }
        }
        ImageCommand::Run { dir, devices, qemu_args, memory, timeout, append, qemu } => {
            let opts = RunOptions { dir, devices, qemu_args, memory_mb: memory, timeout, append, qemu };
            match super::run(&opts, Box::new(std::io::stdout())) {
                Ok(r) => {
                    print!("{}", r.summary().lines().map(|l| format!("jsk image: {l}\n")).collect::<String>());
                    if r.timed_out {
                        println!("jsk image: timed out after {} s (--timeout): QEMU stopped", opts.timeout);
                        return crate::sys::process::TIMEOUT_EXIT;
                    }
                    match r.status {
                        Some(s) => {
                            println!("jsk image: exit status {s}");
                            s
                        }
                        None => {
                            let why = if r.kernel_panic {
                                "the kernel panicked"
                            } else {
                                "the guest ended without reporting a status"
                            };
                            err(format!(
                                "{why} (QEMU exited with {})",
                                r.qemu_exit.map(|c| c.to_string()).unwrap_or_else(|| "a signal".into())
                            ))
                        }
                    }
                }
                Err(e) => err(format!("{e:#}")),
            }
        }
        ImageCommand::List { path } => {
            let file = if path.is_dir() {
                super::initramfs_in(&path).unwrap_or_else(|| path.join(super::INITRAMFS_FILE))
            } else {
                path
            };
            match super::cpio::read_initramfs(&file) {
                Ok(entries) => {
                    for e in entries {
                        let extra = if e.is_symlink() {
                            format!(" -> {}", String::from_utf8_lossy(&e.data))
                        } else if e.is_char_device() {
                            format!(" (char {}:{})", e.rdev.0, e.rdev.1)
                        } else {
                            String::new()
                        };
                        println!("{:06o} {:>9} /{}{extra}", e.mode, e.data.len(), e.name);
                    }
                    0
                }
                Err(e) => err(format!("{e:#}")),
            }
        }
        ImageCommand::Init { manifest } => super::init::run_manifest_commands(&manifest),
    }
}
