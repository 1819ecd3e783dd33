//! The sysfs writes that move a device between drivers, and the waits for
//! the kernel to finish. These are all the writes jsk-probe makes:
//!
//! | write | to | when |
//! | --- | --- | --- |
//! | `vfio-pci` | `bus/pci/devices/ADDR/driver_override` | bind |
//! | `ADDR` | `bus/pci/devices/ADDR/driver/unbind` | bind (if bound), restore |
//! | `ADDR` | `bus/pci/drivers_probe` | bind, restore |
//! | original (or `\n` to clear) | `bus/pci/devices/ADDR/driver_override` | restore |
//! | `ADDR` | `bus/pci/drivers/DRIVER/bind` | restore, when drivers_probe did not bring the original back |
//! | `Y` | `module/vfio/parameters/enable_unsafe_noiommu_mode` | bind --unsafe-noiommu |
//!
//! plus `modprobe vfio-pci` when the driver is not loaded (real kernel only).
//! On a fake tree ([`Kernel::Emulated`]) each write creates the file and then
//! does what the kernel would.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::checks::{self, BindPlan, Reason, Refusal};
use super::pci::PciDevice;
use super::state::{Entry, State};
use super::{failed, link_name, now_secs, read_attr, rfc3339, Kernel, ProbeError, System, VFIO_PCI};

/// One sysfs write made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub value: String,
}

/// Makes the writes (and records them).
pub struct Sysfs<'a> {
    host: &'a System,
    pub log: Vec<Written>,
    /// Emulation only: the driver `drivers_probe` picks when no override is set.
    probe_hint: Option<String>,
}

impl<'a> Sysfs<'a> {
    pub fn new(host: &'a System) -> Sysfs<'a> {
        Sysfs { host, log: Vec::new(), probe_hint: None }
    }

    /// Write `value` to the attribute `path`.
    pub fn write(&mut self, path: &Path, value: &str) -> Result<(), ProbeError> {
        let res = match self.host.kernel {
            Kernel::Real => {
                std::fs::OpenOptions::new().write(true).open(path).and_then(|mut f| f.write_all(value.as_bytes()))
            }
            Kernel::Emulated => std::fs::write(path, value),
        };
        res.map_err(|e| write_error(path, value, &e))?;
        self.log.push(Written { path: path.to_path_buf(), value: value.to_string() });
        if self.host.kernel == Kernel::Emulated {
            self.emulate(path, value.trim());
        }
        Ok(())
    }

    /// What the kernel does after a write (fake trees only).
    fn emulate(&mut self, path: &Path, value: &str) {
        let host = self.host;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let dev_dir = host.device_dir(value);
        match name.as_str() {
            "unbind" => {
                let _ = std::fs::remove_file(dev_dir.join("driver"));
            }
            "drivers_probe" if link_name(&dev_dir.join("driver")).is_none() => {
                let over = read_attr(&dev_dir.join("driver_override")).filter(|s| !s.is_empty() && s != "(null)");
                if let Some(d) = over.or_else(|| self.probe_hint.clone()) {
                    self.emulate_bind(value, &d);
                }
            }
            "bind" => {
                if let Some(d) = path.parent().and_then(|p| p.file_name()) {
                    self.emulate_bind(value, &d.to_string_lossy());
                }
            }
            _ => {}
        }
    }

    fn emulate_bind(&self, addr: &str, driver: &str) {
        let host = self.host;
        let ddir = host.pci_drivers().join(driver);
        let _ = std::fs::create_dir_all(&ddir);
        let dev_dir = host.device_dir(addr);
        let _ = std::fs::remove_file(dev_dir.join("driver"));
        let _ = std::os::unix::fs::symlink(&ddir, dev_dir.join("driver"));
        if driver != VFIO_PCI {
            return;
        }
        // vfio-pci: a no-IOMMU group if the device has none, and the /dev nodes.
        let group = match link_name(&dev_dir.join("iommu_group")).and_then(|g| g.parse::<u32>().ok()) {
            Some(g) => g,
            None => {
                if read_attr(&host.noiommu_param()).as_deref() != Some("Y") {
                    return;
                }
                let mut n = 0;
                while host.iommu_groups().join(n.to_string()).exists() {
                    n += 1;
                }
                let gdir = host.iommu_groups().join(n.to_string());
                let _ = std::fs::create_dir_all(gdir.join("devices"));
                let _ = std::fs::write(gdir.join("name"), "vfio-noiommu\n");
                let _ = std::os::unix::fs::symlink(&dev_dir, gdir.join("devices").join(addr));
                let _ = std::os::unix::fs::symlink(&gdir, dev_dir.join("iommu_group"));
                n
            }
        };
        let node = host.vfio_group_dev(&checks::group_dev_name(host, group));
        let _ = std::fs::create_dir_all(node.parent().unwrap());
        let _ = std::fs::write(&node, "");
        let _ = std::fs::write(host.vfio_container_dev(), "");
    }
}

fn write_error(path: &Path, value: &str, e: &std::io::Error) -> ProbeError {
    let shown = value.trim();
    let shown = if shown.is_empty() { "an empty line" } else { shown };
    let why = match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            " — moving devices between drivers needs root: run it with sudo (attaching afterwards works as any user with access to /dev/vfio/N)".to_string()
        }
        _ if matches!(e.raw_os_error(), Some(libc::ENODEV) | Some(libc::EINVAL) | Some(libc::EBUSY) | Some(libc::ENXIO)) => {
            " — the driver did not take the device; `dmesg | tail` tells why".to_string()
        }
        _ => String::new(),
    };
    failed(format!("writing {shown} to {} failed: {e}{why}", path.display()))
}

/// Make sure vfio-pci is loaded: `modprobe vfio-pci` on a real kernel
/// when `bus/pci/drivers/vfio-pci` is missing.
pub fn ensure_vfio_pci(host: &System) -> Result<(), ProbeError> {
    let dir = host.pci_drivers().join(VFIO_PCI);
    if dir.is_dir() {
        return Ok(());
    }
    if host.kernel == Kernel::Emulated {
        std::fs::create_dir_all(&dir).map_err(|e| failed(format!("{}: {e}", dir.display())))?;
        return Ok(());
    }
    modprobe(VFIO_PCI)?;
    if wait_until(host.deadline, || dir.is_dir()) {
        Ok(())
    } else {
        Err(failed(format!("modprobe vfio-pci ran but {} did not appear within {:?}", dir.display(), host.deadline)))
    }
}

fn modprobe(what: &str) -> Result<(), ProbeError> {
    let out = std::process::Command::new("modprobe")
        .arg(what)
        .output()
        .map_err(|e| failed(format!("{what} is not loaded and `modprobe {what}` could not run: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(failed(format!(
            "{what} is not loaded and `modprobe {what}` failed: {}{}",
            err.trim(),
            if err.contains("Operation not permitted") || err.contains("ermission") {
                " (loading modules needs root)"
            } else {
                ""
            }
        )))
    }
}

/// Poll `ok` until it holds or `deadline` passes: 1 ms apart at first, doubling to 20 ms (the
/// kernel usually binds within a few milliseconds; a boot under TCG counts every one).
fn wait_until(deadline: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        if ok() {
            return true;
        }
        if start.elapsed() >= deadline {
            return false;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// What a bind did.
#[derive(Clone, Debug)]
pub struct Bound {
    pub address: String,
    /// The driver it had before (None: none).
    pub original_driver: Option<String>,
    /// Already on vfio-pci: nothing was written.
    pub already: bool,
    /// `/dev/vfio/N`
    pub group_dev: Option<PathBuf>,
    pub writes: Vec<Written>,
}

/// Move a checked device to vfio-pci and record it in the state file.
///
/// The state entry is written first, so that even a crash half-way leaves
/// what `restore` needs. Waits (up to `host.deadline`) for the driver link
/// to show vfio-pci and for `/dev/vfio/N` to exist.
pub fn bind(host: &System, plan: &BindPlan, state_path: &Path) -> Result<Bound, ProbeError> {
    let dev = &plan.device;
    let addr = dev.address.clone();
    if plan.already {
        let group_dev = dev.iommu_group.map(|g| host.vfio_group_dev(&checks::group_dev_name(host, g)));
        return Ok(Bound {
            address: addr,
            original_driver: Some(VFIO_PCI.into()),
            already: true,
            group_dev,
            writes: Vec::new(),
        });
    }
    ensure_vfio_pci(host)?;
    let mut sysfs = Sysfs::new(host);
    if plan.noiommu {
        sysfs.write(&host.noiommu_param(), "Y")?;
    }
    let now = now_secs();
    let entry = Entry {
        original_driver: dev.driver.clone(),
        original_override: dev.driver_override.clone(),
        bound_at: rfc3339(now),
        bound_at_unix: now,
        id: dev.id(),
        noiommu: plan.noiommu,
    };
    State::update(state_path, |s| {
        // Bound before and never restored: keep the first record of the original driver.
        s.devices.entry(addr.clone()).or_insert(entry);
    })?;
    let dir = host.device_dir(&addr);
    if let Err(e) = sysfs.write(&dir.join("driver_override"), VFIO_PCI) {
        // Nothing changed yet: forget the entry again.
        let _ = State::update(state_path, |s| s.devices.remove(&addr));
        return Err(e);
    }
    let undo = |e: ProbeError| -> ProbeError {
        failed(format!(
            "{e}\n{addr} may be left without a driver: `jsk-probe restore {addr}` gives it back to {}",
            dev.driver.as_deref().unwrap_or("no driver")
        ))
    };
    if dev.driver.is_some() {
        sysfs.write(&dir.join("driver/unbind"), &addr).map_err(undo)?;
    }
    sysfs.write(&host.sys.join("bus/pci/drivers_probe"), &addr).map_err(undo)?;
    let driver_link = dir.join("driver");
    if !wait_until(host.deadline, || link_name(&driver_link).as_deref() == Some(VFIO_PCI)) {
        let now = link_name(&driver_link).unwrap_or_else(|| "no driver".into());
        return Err(undo(failed(format!(
            "{addr} did not bind to vfio-pci within {:?} (it is on {now}); `dmesg | tail` tells why",
            host.deadline
        ))));
    }
    // The group (for --unsafe-noiommu it appears only now) and its /dev node.
    let after = PciDevice::read(host, &addr)?;
    let group_dev = after.iommu_group.map(|g| host.vfio_group_dev(&checks::group_dev_name(host, g)));
    if let Some(node) = &group_dev {
        if !wait_until(host.deadline, || node.exists()) {
            return Err(failed(format!(
                "{addr} is on vfio-pci but {} did not appear within {:?} (is devtmpfs mounted on /dev?)",
                node.display(),
                host.deadline
            )));
        }
    }
    Ok(Bound { address: addr, original_driver: dev.driver.clone(), already: false, group_dev, writes: sysfs.log })
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub address: String,
    pub original_driver: Option<String>,
    /// The driver it is on now.
    pub now: Option<String>,
    pub warnings: Vec<String>,
    pub writes: Vec<Written>,
}

/// Give a device jsk-probe bound back to its original driver (from the
/// state entry), and drop the entry. Refuses while a process holds its VFIO
/// group open.
pub fn restore(host: &System, addr: &str, state_path: &Path) -> Result<Restored, ProbeError> {
    let state = State::load(state_path)?;
    let Some(entry) = state.devices.get(addr).cloned() else {
        let known: Vec<&str> = state.devices.keys().map(String::as_str).collect();
        return Err(failed(format!(
            "{addr} was not bound by jsk-probe (it is not in {}{}); nothing to restore",
            state_path.display(),
            if known.is_empty() { String::new() } else { format!(", which lists {}", known.join(", ")) }
        )));
    };
    let mut warnings = Vec::new();
    let dir = host.device_dir(addr);
    if !dir.exists() {
        State::update(state_path, |s| s.devices.remove(addr))?;
        warnings.push(format!("{addr} is gone (removed or renumbered); its entry was dropped"));
        return Ok(Restored {
            address: addr.into(),
            original_driver: entry.original_driver,
            now: None,
            warnings,
            writes: Vec::new(),
        });
    }
    let dev = PciDevice::read(host, addr)?;
    if !entry.id.is_empty() && entry.id != dev.id() {
        warnings.push(format!("{addr} is now {} (it was {} when bound)", dev.id(), entry.id));
    }
    if dev.driver.as_deref() == Some(VFIO_PCI) {
        if let Some(g) = dev.iommu_group {
            let name = checks::group_dev_name(host, g);
            let users = checks::vfio_users(host, &name);
            if !users.is_empty() {
                let group_dev = host.vfio_group_dev(&name).display().to_string();
                return Err(Refusal {
                    action: "restore",
                    address: addr.into(),
                    reasons: vec![Reason::InUse { group_dev, users }],
                }
                .into());
            }
        }
    }
    let mut sysfs = Sysfs::new(host);
    sysfs.write(&dir.join("driver_override"), entry.original_override.as_deref().unwrap_or("\n"))?;
    match dev.driver.as_deref() {
        Some(VFIO_PCI) => {
            sysfs.write(&dir.join("driver/unbind"), addr)?;
            let link = dir.join("driver");
            wait_until(host.deadline, || link_name(&link).is_none());
        }
        Some(other) => {
            warnings.push(format!("{addr} is on {other} now, not vfio-pci; leaving it there"));
            State::update(state_path, |s| s.devices.remove(addr))?;
            return Ok(Restored {
                address: addr.into(),
                original_driver: entry.original_driver,
                now: Some(other.into()),
                warnings,
                writes: sysfs.log,
            });
        }
        None => {}
    }
    let link = dir.join("driver");
    if let Some(orig) = &entry.original_driver {
        sysfs.probe_hint = Some(orig.clone());
        sysfs.write(&host.sys.join("bus/pci/drivers_probe"), addr)?;
        let back = |want: &str| wait_until(host.deadline, || link_name(&link).as_deref() == Some(want));
        if !back(orig) {
            // Not taken by the id tables (a driver bound by hand, or not loaded): bind by name.
            let ddir = host.pci_drivers().join(orig);
            if !ddir.is_dir() && host.kernel == Kernel::Real {
                if let Some(alias) = read_attr(&dir.join("modalias")) {
                    let _ = modprobe(&alias);
                }
            }
            if link_name(&link).is_none() && ddir.is_dir() {
                if let Err(e) = sysfs.write(&ddir.join("bind"), addr) {
                    warnings.push(e.to_string());
                }
                back(orig);
            }
        }
    }
    let now = link_name(&link);
    if now != entry.original_driver {
        warnings.push(format!(
            "{addr} is on {} now, not {}",
            now.as_deref().unwrap_or("no driver"),
            entry.original_driver.as_deref().unwrap_or("no driver")
        ));
    }
    State::update(state_path, |s| s.devices.remove(addr))?;
    Ok(Restored { address: addr.into(), original_driver: entry.original_driver, now, warnings, writes: sysfs.log })
}
