//! `jsk image`: a bootable kernel + initramfs in which jsk is PID 1.
//!
//! - [`kernel`] finds the kernel (Debian's package, cached) or takes a bzImage.
//! - [`modules`] computes the kernel modules VFIO needs, in load order.
//! - [`cpio`] writes and reads the initramfs format.
//! - `build` assembles the image; `qemu` boots it (`jsk image run`).
//! - [`init`] is what jsk does as PID 1 inside the image.
//! - [`cli`] is the `jsk image` command line.
//!
//! Image layout (initramfs):
//!
//! ```text
//! /init                    jsk itself (stripped if it carried symbols)
//! /bin/jsk -> /init
//! /bin/jsk-probe           when it sits beside jsk
//! /lib/..., /lib64/...     jsk's shared libraries, when it is not static
//! /lib/modules/RELEASE/kernel/...   the modules, uncompressed
//! /jsk/image.json          the manifest: kernel, modules in load order, commands
//! /jsk/drivers/...         byte-identical copy of drivers/
//! /jsk/devices/...         copy of devices/ (and --board)
//! /jsk/app/...             the app and the files it imports relatively
//! /dev/console, /proc, /sys, /dev, /tmp, /run
//! ```

pub mod cli;
pub mod cpio;
pub mod elf;
pub mod init;
pub mod kbuild;
pub mod kernel;
pub mod modules;

mod build;
mod qemu;

pub use build::{build, BuildOptions, BuildReport, KernelChoice};
pub use qemu::{run, RunOptions, RunReport};

use serde::{Deserialize, Serialize};

/// Files `jsk image build` writes into its output folder.
pub const KERNEL_FILE: &str = "bzImage";
/// The initramfs of the default compression (zstd); `initramfs_in` finds any of them.
pub const INITRAMFS_FILE: &str = "initramfs.cpio.zst";

/// How the initramfs is compressed (Debian's kernel takes all four).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Compression {
    /// gzip level 6, written by jsk (flate2), no tool needed.
    Gzip,
    /// `zstd -19 --long=24` (the zstd tool): the default. Unpacked as fast as gzip under TCG
    /// (kernel to PID 1 0.88 s either way, measured 2026-12-02) and 18% smaller (3.07 MB vs
    /// 3.75 MB for the default image); about 4 s to write on 2 cores.
    #[default]
    Zstd,
    /// `xz -9 --check=crc32` (xz-utils): smallest (2.8 MB), ~0.5 s slower to unpack under TCG.
    Xz,
    /// Plain cpio.
    None,
}

impl Compression {
    pub fn file_name(self) -> &'static str {
        match self {
            Compression::Gzip => "initramfs.cpio.gz",
            Compression::Zstd => INITRAMFS_FILE,
            Compression::Xz => "initramfs.cpio.xz",
            Compression::None => "initramfs.cpio",
        }
    }
    pub const ALL: [Compression; 4] = [Compression::Gzip, Compression::Zstd, Compression::Xz, Compression::None];
}

/// The initramfs in an image folder, whichever compression it has.
pub fn initramfs_in(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    Compression::ALL.iter().map(|c| dir.join(c.file_name())).find(|p| p.is_file())
}
pub const MANIFEST_FILE: &str = "image.json";

/// Where things live inside the image.
pub const IMAGE_MANIFEST: &str = "/jsk/image.json";
pub const IMAGE_DRIVERS: &str = "/jsk/drivers";
pub const IMAGE_DEVICES: &str = "/jsk/devices";
pub const IMAGE_APP_DIR: &str = "/jsk/app";
pub const IMAGE_PROBE: &str = "/bin/jsk-probe";

/// The size the issue sets for kernel + initramfs, in bytes (10 MB).
pub const SIZE_TARGET: u64 = 10_000_000;

/// The I/O port of the isa-debug-exit device `jsk image run` adds.
pub const DEBUG_EXIT_PORT: u16 = 0xf4;

/// Console lines PID 1 prints that `jsk image run` reads back. Each ends in
/// `uptime SECONDS s` (guest CLOCK_BOOTTIME, milliseconds).
pub mod console {
    /// `jsk: init: command 1/2 started at uptime 1.234 s: /init run ...`
    pub const COMMAND_STARTED: &str = "jsk: init: command ";
    /// Printed by init, once, right after the first line any command prints
    /// that contains [`ATTACHED_MARK`]: `jsk: drivers attached at uptime 1.456 s`.
    pub const DRIVERS_ATTACHED: &str = "jsk: drivers attached at uptime ";
    /// What a command prints when its drivers are attached (jsk-probe's
    /// convention; any line containing it counts).
    pub const ATTACHED_MARK: &str = "drivers attached";
    /// `jsk: init: exit status 3, powering off at uptime 1.789 s`
    pub const EXIT_STATUS: &str = "jsk: init: exit status ";

    /// The number before " s" after the last "uptime " in `line`.
    pub fn uptime_in(line: &str) -> Option<f64> {
        let rest = &line[line.rfind("uptime ")? + 7..];
        rest.split_whitespace().next()?.parse().ok()
    }
}

/// One command PID 1 runs, in order.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommandSpec {
    pub argv: Vec<String>,
    /// After this many milliseconds init kills the command (SIGKILL to its
    /// process group), records status 124 and goes on with the next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl CommandSpec {
    /// Parse `--command` text: words split on whitespace (single or double
    /// quotes group words), an optional leading `timeout_ms=N`, and `{app}`
    /// replaced by the app's path in the image.
    pub fn parse(text: &str, app: &str) -> Result<CommandSpec, String> {
        let mut words = Vec::new();
        let mut cur = String::new();
        let (mut quote, mut any) = (None::<char>, false);
        for c in text.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => cur.push(c),
                (None, '"' | '\'') => {
                    quote = Some(c);
                    any = true
                }
                (None, c) if c.is_whitespace() => {
                    if any || !cur.is_empty() {
                        words.push(std::mem::take(&mut cur));
                    }
                    any = false
                }
                (None, c) => cur.push(c),
            }
        }
        if quote.is_some() {
            return Err(format!("--command {text:?}: unterminated quote"));
        }
        if any || !cur.is_empty() {
            words.push(cur);
        }
        let mut timeout_ms = None;
        if let Some(t) = words.first().and_then(|w| w.strip_prefix("timeout_ms=")) {
            timeout_ms = Some(
                t.parse::<u64>()
                    .map_err(|_| format!("--command {text:?}: timeout_ms={t} is not a number of milliseconds"))?,
            );
            words.remove(0);
        }
        if words.is_empty() {
            return Err(format!("--command {text:?}: no program"));
        }
        let argv = words.into_iter().map(|w| w.replace("{app}", app)).collect();
        Ok(CommandSpec { argv, timeout_ms })
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ModuleEntry {
    pub name: String,
    /// Absolute path inside the image.
    pub path: String,
    /// Parameters for finit_module ("chip_addr=0x48").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub params: String,
}

/// `/jsk/image.json`: what the image holds and what PID 1 does.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    /// Build time, seconds since the epoch (SOURCE_DATE_EPOCH if set), and as UTC text.
    pub created_unix: u64,
    pub created: String,
    pub kernel: kernel::KernelInfo,
    /// Loaded by init in this order (dependencies first).
    #[serde(default)]
    pub modules: Vec<ModuleEntry>,
    /// Built into the kernel, so not loaded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builtin_modules: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drivers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    /// Run by init in order; the last one's status is the image's.
    #[serde(default)]
    pub commands: Vec<CommandSpec>,
    /// Host-side facts about the binaries: static or not, libraries copied.
    #[serde(default)]
    pub binaries: Vec<BinaryEntry>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BinaryEntry {
    /// Path inside the image.
    pub path: String,
    /// Where it came from on the build host.
    pub source: String,
    #[serde(rename = "static")]
    pub is_static: bool,
    pub stripped: bool,
    pub bytes: u64,
}

/// UTC `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch.
pub fn utc_text(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Bytes as decimal megabytes with two decimals.
pub fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_text() {
        let c = CommandSpec::parse("timeout_ms=1500 /init run {app} 'a b' \"\"", "/jsk/app/x.js").unwrap();
        assert_eq!(c.argv, ["/init", "run", "/jsk/app/x.js", "a b", ""]);
        assert_eq!(c.timeout_ms, Some(1500));
        assert!(CommandSpec::parse("timeout_ms=x /init", "").is_err());
        assert!(CommandSpec::parse("  ", "").is_err());
        assert!(CommandSpec::parse("'open", "").is_err());
    }

    #[test]
    fn dates_and_uptimes() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(console::uptime_in("jsk: drivers attached at uptime 1.456 s"), Some(1.456));
        assert_eq!(console::uptime_in("no time here"), None);
    }
}
