//! `jsk-probe`: find PCI devices, tell which jsk driver fits each, move
//! devices to `vfio-pci` and back, and run drivers on them through VFIO.
//!
//! Everything reads the host through a [`System`]: a sysfs root (default
//! `/sys`, env `JSK_SYSFS_ROOT`), a procfs root (`/proc`, `JSK_PROC_ROOT`) and
//! a dev root (`/dev`, `JSK_DEV_ROOT`). Tests point them at fake trees in a
//! temp folder. The decisions (may this device be bound? what must be
//! written?) are plain reads ([`checks`]); the few sysfs writes that act on
//! the kernel live in [`ops`], each one named there.
//!
//! When the sysfs root is not a mounted sysfs (a fake tree), nothing reacts
//! to the writes, so [`ops`] plays the kernel's part itself: unbinding
//! removes the `driver` link, `drivers_probe` links the device to its
//! override (or its original driver), and a vfio-pci bind creates
//! `dev/vfio/N`. That is [`Kernel::Emulated`].

pub mod access;
pub mod attach;
pub mod checks;
pub mod cli;
pub mod matching;
pub mod ops;
pub mod pci;
pub mod state;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit code of a refusal (the device was left as it was, for a stated reason).
pub const EXIT_REFUSED: i32 = 2;
/// Exit code of any other failure.
pub const EXIT_ERROR: i32 = 1;

/// The kernel's driver for VFIO on PCI.
pub const VFIO_PCI: &str = "vfio-pci";

/// What acts on sysfs writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// A real, mounted sysfs: the kernel reacts; `modprobe` may be run.
    Real,
    /// A fake tree: jsk-probe emulates the kernel's reactions (tests).
    Emulated,
}

/// Where jsk-probe reads (and writes) the host's state.
#[derive(Clone, Debug)]
pub struct System {
    pub sys: PathBuf,
    pub proc_root: PathBuf,
    pub dev: PathBuf,
    pub kernel: Kernel,
    /// How long to wait for the kernel to finish a bind or unbind.
    pub deadline: Duration,
}

impl System {
    /// The running system: `/sys`, `/proc`, `/dev`.
    pub fn running() -> System {
        System::with_roots("/sys", "/proc", "/dev")
    }

    /// Roots given explicitly; the kernel is [`Kernel::Real`] only when `sys`
    /// is a mounted sysfs.
    pub fn with_roots(sys: impl Into<PathBuf>, proc_root: impl Into<PathBuf>, dev: impl Into<PathBuf>) -> System {
        let sys = sys.into();
        let kernel = if is_sysfs_mount(&sys) { Kernel::Real } else { Kernel::Emulated };
        System { sys, proc_root: proc_root.into(), dev: dev.into(), kernel, deadline: Duration::from_secs(5) }
    }

    /// Roots from `JSK_SYSFS_ROOT`, `JSK_PROC_ROOT`, `JSK_DEV_ROOT` (defaults `/sys`, `/proc`, `/dev`).
    pub fn from_env() -> System {
        let get = |k: &str, d: &str| {
            std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| d.into())
        };
        System::with_roots(get("JSK_SYSFS_ROOT", "/sys"), get("JSK_PROC_ROOT", "/proc"), get("JSK_DEV_ROOT", "/dev"))
    }

    pub fn pci_devices(&self) -> PathBuf {
        self.sys.join("bus/pci/devices")
    }
    pub fn device_dir(&self, addr: &str) -> PathBuf {
        self.pci_devices().join(addr)
    }
    pub fn pci_drivers(&self) -> PathBuf {
        self.sys.join("bus/pci/drivers")
    }
    pub fn iommu_groups(&self) -> PathBuf {
        self.sys.join("kernel/iommu_groups")
    }
    pub fn noiommu_param(&self) -> PathBuf {
        self.sys.join("module/vfio/parameters/enable_unsafe_noiommu_mode")
    }
    /// `/dev/vfio/N` for group `N` (as a string: noiommu groups are `noiommu-N`).
    pub fn vfio_group_dev(&self, group: &str) -> PathBuf {
        self.dev.join("vfio").join(group)
    }
    pub fn vfio_container_dev(&self) -> PathBuf {
        self.dev.join("vfio/vfio")
    }
    /// A path under the procfs root (`net/route`, `mounts`, ...).
    pub fn proc_path(&self, rel: &str) -> PathBuf {
        self.proc_root.join(rel)
    }
}

/// Whether `path` is the mount point of a sysfs (per this process's mountinfo).
fn is_sysfs_mount(path: &Path) -> bool {
    let Ok(canon) = std::fs::canonicalize(path) else { return false };
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return canon == Path::new("/sys");
    };
    info.lines().any(|line| {
        let mut halves = line.splitn(2, " - ");
        let (Some(left), Some(right)) = (halves.next(), halves.next()) else { return false };
        let mount_point = left.split(' ').nth(4).map(unescape_mount);
        right.split(' ').next() == Some("sysfs") && mount_point.as_deref() == Some(canon.to_string_lossy().as_ref())
    })
}

/// Undo the octal escapes (`\040` for a space) of /proc/mounts and mountinfo.
pub(crate) fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why a command did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A check refused the operation; nothing was changed (exit code 2).
    #[error("{0}")]
    Refused(checks::Refusal),
    /// Anything else (exit code 1).
    #[error("{0}")]
    Failed(String),
}

impl ProbeError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ProbeError::Refused(_) => EXIT_REFUSED,
            ProbeError::Failed(_) => EXIT_ERROR,
        }
    }
    pub fn refusal(&self) -> Option<&checks::Refusal> {
        match self {
            ProbeError::Refused(r) => Some(r),
            ProbeError::Failed(_) => None,
        }
    }
}

impl From<checks::Refusal> for ProbeError {
    fn from(r: checks::Refusal) -> Self {
        ProbeError::Refused(r)
    }
}

pub(crate) fn failed(msg: impl Into<String>) -> ProbeError {
    ProbeError::Failed(msg.into())
}

/// A PCI address in sysfs form (`0000:00:02.0`), from `0000:00:02.0`,
/// `00:02.0` (domain 0) or `02.0` (domain 0, bus 0); hex digits in either case.
pub fn normalize_address(s: &str) -> Option<String> {
    crate::hw::pci::PciAddress::parse(s).ok().map(|a| a.to_string())
}

/// Whether `s` looks like a PCI address (see [`normalize_address`]).
pub fn is_address(s: &str) -> bool {
    normalize_address(s).is_some()
}

/// Read a sysfs attribute, trimmed; None when absent or unreadable.
pub(crate) fn read_attr(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

/// The last component of a symlink's target (`driver` -> `.../e1000` gives `e1000`).
pub(crate) fn link_name(path: &Path) -> Option<String> {
    let t = std::fs::read_link(path).ok()?;
    t.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Seconds since the epoch as RFC 3339 UTC (`2025-07-20T10:11:12Z`).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_normalize() {
        assert_eq!(normalize_address("0000:00:02.0").as_deref(), Some("0000:00:02.0"));
        assert_eq!(normalize_address("00:1F.3").as_deref(), Some("0000:00:1f.3"));
        assert_eq!(normalize_address("2.0").as_deref(), Some("0000:00:02.0"));
        assert_eq!(normalize_address("10000:00:02.0"), None);
        assert_eq!(normalize_address("00:20.0"), None);
        assert_eq!(normalize_address("00:02.8"), None);
        assert_eq!(normalize_address("app.js"), None);
        assert_eq!(normalize_address("examples/x.js"), None);
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_752_999_072), "2025-07-20T08:11:12Z");
    }

    #[test]
    fn mount_escapes() {
        assert_eq!(unescape_mount("/mnt/my\\040disk"), "/mnt/my disk");
        assert_eq!(unescape_mount("/plain"), "/plain");
    }
}
