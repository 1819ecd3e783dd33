//! PCI devices as sysfs shows them, their names from the PCI ID database
//! (`pci-ids`), and the listing `jsk-probe` prints.

use std::path::Path;

use pci_ids::FromId;
use serde::Serialize;

use super::matching::JskDriver;
use super::state::State;
use super::{failed, link_name, normalize_address, read_attr, ProbeError, System};

/// One PCI function, read from `bus/pci/devices/ADDR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PciDevice {
    pub address: String,
    pub vendor: u16,
    pub device: u16,
    pub subsystem_vendor: Option<u16>,
    pub subsystem_device: Option<u16>,
    /// The 24-bit class code: class, subclass, programming interface.
    pub class: u32,
    pub revision: Option<u8>,
    /// The IOMMU group (None: no IOMMU translates for this device).
    pub iommu_group: Option<u32>,
    /// The kernel driver bound now.
    pub driver: Option<String>,
    /// `driver_override` (None when unset, shown by the kernel as "(null)").
    pub driver_override: Option<String>,
    /// Header type (0 ordinary, 1 bridge, 2 CardBus), from config space or the class.
    pub header_type: u8,
}

fn hex_attr(dir: &Path, name: &str) -> Option<u32> {
    let s = read_attr(&dir.join(name))?;
    u32::from_str_radix(s.trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
}

impl PciDevice {
    /// Read `addr` (any form [`normalize_address`] accepts).
    pub fn read(host: &System, addr: &str) -> Result<PciDevice, ProbeError> {
        let address = normalize_address(addr)
            .ok_or_else(|| failed(format!("{addr}: not a PCI address (expected DDDD:BB:SS.F, e.g. 0000:00:02.0)")))?;
        let dir = host.device_dir(&address);
        if !dir.exists() {
            return Err(failed(format!(
                "{address}: no such PCI device (not in {}); `jsk-probe` lists the devices",
                host.pci_devices().display()
            )));
        }
        let need = |name: &str| {
            hex_attr(&dir, name).ok_or_else(|| failed(format!("{address}: cannot read {}", dir.join(name).display())))
        };
        let vendor = need("vendor")? as u16;
        let device = need("device")? as u16;
        let class = need("class")?;
        let iommu_group = link_name(&dir.join("iommu_group")).and_then(|g| g.parse().ok());
        let driver_override = read_attr(&dir.join("driver_override")).filter(|s| !s.is_empty() && s != "(null)");
        // Config space byte 0x0e (readable by anyone for the first 64 bytes);
        // without it, bridges are told by their class (0x0604, 0x0607).
        let header_type = std::fs::read(dir.join("config")).ok().and_then(|c| c.get(0x0e).map(|b| b & 0x7f)).unwrap_or(
            match class >> 8 {
                0x0604 | 0x0609 => 1,
                0x0607 => 2,
                _ => 0,
            },
        );
        Ok(PciDevice {
            address,
            vendor,
            device,
            subsystem_vendor: hex_attr(&dir, "subsystem_vendor").map(|v| v as u16),
            subsystem_device: hex_attr(&dir, "subsystem_device").map(|v| v as u16),
            class,
            revision: hex_attr(&dir, "revision").map(|v| v as u8),
            iommu_group,
            driver: link_name(&dir.join("driver")),
            driver_override,
            header_type,
        })
    }

    /// `8086:100e`
    pub fn id(&self) -> String {
        format!("{:04x}:{:04x}", self.vendor, self.device)
    }
}

/// Every PCI device under the sysfs root, by address.
pub fn list_devices(host: &System) -> Result<Vec<PciDevice>, ProbeError> {
    let root = host.pci_devices();
    let entries =
        std::fs::read_dir(&root).map_err(|e| failed(format!("cannot list PCI devices in {}: {e}", root.display())))?;
    let mut addrs: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| normalize_address(n).as_deref() == Some(n))
        .collect();
    addrs.sort();
    let mut out = Vec::new();
    for a in addrs {
        match PciDevice::read(host, &a) {
            Ok(d) => out.push(d),
            Err(e) => log::warn!("{e}"),
        }
    }
    Ok(out)
}

/// Names from the PCI ID database; None where it has no entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub vendor: Option<&'static str>,
    pub device: Option<&'static str>,
    pub subsystem: Option<&'static str>,
    /// The subclass's name, else the class's.
    pub class: Option<&'static str>,
    pub prog_if: Option<&'static str>,
}

pub fn names(dev: &PciDevice) -> Names {
    let vendor = pci_ids::Vendor::from_id(dev.vendor);
    let device = pci_ids::Device::from_vid_pid(dev.vendor, dev.device);
    let subsystem = match (device, dev.subsystem_vendor, dev.subsystem_device) {
        (Some(d), Some(sv), Some(sd)) => {
            d.subsystems().find(|s| s.subvendor() == sv && s.subdevice() == sd).map(|s| s.name())
        }
        _ => None,
    };
    let (c, s, p) = ((dev.class >> 16) as u8, (dev.class >> 8) as u8, dev.class as u8);
    let sub = pci_ids::Subclass::from_cid_sid(c, s);
    Names {
        vendor: vendor.map(|v| v.name()),
        device: device.map(|d| d.name()),
        subsystem,
        class: sub.map(|s| s.name()).or_else(|| pci_ids::Class::from_id(c).map(|c| c.name())),
        prog_if: sub.and_then(|s| s.prog_ifs().find(|pi| pi.id() == p).map(|pi| pi.name())),
    }
}

/// `Intel Corporation 82540EM Gigabit Ethernet Controller`, with
/// `Vendor 1234` / `Device 11e8` for what the database does not know.
pub fn display_name(dev: &PciDevice, n: &Names) -> String {
    let v = n.vendor.map(str::to_string).unwrap_or_else(|| format!("Vendor {:04x}", dev.vendor));
    let d = n.device.map(str::to_string).unwrap_or_else(|| format!("Device {:04x}", dev.device));
    format!("{v} {d}")
}

/// What jsk-probe remembers about a device it bound.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BoundInfo {
    pub original_driver: Option<String>,
    pub bound_at: String,
}

/// One row of the listing (and one object of `--json`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub address: String,
    pub vendor: u16,
    pub device: u16,
    /// `8086`
    pub vendor_hex: String,
    /// `100e`
    pub device_hex: String,
    /// `8086:100e`
    pub id: String,
    pub vendor_name: Option<&'static str>,
    pub device_name: Option<&'static str>,
    pub subsystem_vendor: Option<u16>,
    pub subsystem_device: Option<u16>,
    pub subsystem_name: Option<&'static str>,
    /// 24-bit class code (class, subclass, prog-if), e.g. 0x020000.
    pub class: u32,
    /// `020000`
    pub class_hex: String,
    pub class_name: Option<&'static str>,
    pub prog_if_name: Option<&'static str>,
    pub revision: Option<u8>,
    pub iommu_group: Option<u32>,
    /// The kernel driver in use.
    pub driver: Option<String>,
    pub driver_override: Option<String>,
    /// The jsk driver whose match table fits (first in file order), and its file.
    pub jsk_driver: Option<String>,
    pub jsk_driver_file: Option<String>,
    /// Set when jsk-probe bound the device to vfio-pci (from the state file).
    pub jsk_bound: Option<BoundInfo>,
}

pub fn row(dev: &PciDevice, drivers: &[JskDriver], state: Option<&State>) -> Row {
    let n = names(dev);
    let m = super::matching::find_match(drivers, dev);
    Row {
        address: dev.address.clone(),
        vendor: dev.vendor,
        device: dev.device,
        vendor_hex: format!("{:04x}", dev.vendor),
        device_hex: format!("{:04x}", dev.device),
        id: dev.id(),
        vendor_name: n.vendor,
        device_name: n.device,
        subsystem_vendor: dev.subsystem_vendor,
        subsystem_device: dev.subsystem_device,
        subsystem_name: n.subsystem,
        class: dev.class,
        class_hex: format!("{:06x}", dev.class),
        class_name: n.class,
        prog_if_name: n.prog_if,
        revision: dev.revision,
        iommu_group: dev.iommu_group,
        driver: dev.driver.clone(),
        driver_override: dev.driver_override.clone(),
        jsk_driver: m.map(|d| d.name.clone()),
        jsk_driver_file: m.map(|d| d.file.to_string_lossy().into_owned()),
        jsk_bound: state
            .and_then(|s| s.devices.get(&dev.address))
            .map(|e| BoundInfo { original_driver: e.original_driver.clone(), bound_at: e.bound_at.clone() }),
    }
}

/// The listing as a table: one line per device, columns aligned.
pub fn table(rows: &[Row], relative_to: Option<&Path>) -> String {
    let mut lines: Vec<[String; 7]> = vec![[
        "ADDRESS".into(),
        "ID".into(),
        "CLASS".into(),
        "IOMMU".into(),
        "KERNEL DRIVER".into(),
        "JSK DRIVER".into(),
        "NAME".into(),
    ]];
    let mut bound_note = false;
    for r in rows {
        let class = match r.class_name {
            Some(n) => format!("{n} [{:04x}]", r.class >> 8),
            None => format!("Class [{:04x}]", r.class >> 8),
        };
        let driver = match (&r.driver, &r.jsk_bound) {
            (Some(d), Some(_)) => {
                bound_note = true;
                format!("{d}*")
            }
            (Some(d), None) => d.clone(),
            (None, _) => "-".into(),
        };
        let jsk = match (&r.jsk_driver, &r.jsk_driver_file) {
            (Some(n), Some(f)) => {
                let f = Path::new(f);
                let shown = relative_to.and_then(|base| f.strip_prefix(base).ok()).unwrap_or(f);
                format!("{n} ({})", shown.display())
            }
            _ => "-".into(),
        };
        let mut name = format!(
            "{} {}",
            r.vendor_name.map(str::to_string).unwrap_or_else(|| format!("Vendor {}", r.vendor_hex)),
            r.device_name.map(str::to_string).unwrap_or_else(|| format!("Device {}", r.device_hex))
        );
        if let Some(rev) = r.revision {
            name.push_str(&format!(" (rev {rev:02x})"));
        }
        lines.push([
            r.address.clone(),
            r.id.clone(),
            class,
            r.iommu_group.map(|g| g.to_string()).unwrap_or_else(|| "-".into()),
            driver,
            jsk,
            name,
        ]);
    }
    let mut widths = [0usize; 7];
    for l in &lines {
        for (i, c) in l.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for l in &lines {
        let mut line = String::new();
        for (i, c) in l.iter().enumerate() {
            if i + 1 == l.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if bound_note {
        let was: Vec<String> = rows
            .iter()
            .filter_map(|r| {
                r.jsk_bound
                    .as_ref()
                    .map(|b| format!("{} (was {})", r.address, b.original_driver.as_deref().unwrap_or("unbound")))
            })
            .collect();
        out.push_str(&format!(
            "* bound to vfio-pci by jsk-probe: {}; `jsk-probe restore --all` gives them back\n",
            was.join(", ")
        ));
    }
    out
}

/// One line about the IOMMU: on (how many groups) or off (what to do).
pub fn iommu_summary(host: &System) -> String {
    let groups = std::fs::read_dir(host.iommu_groups()).map(|d| d.count()).unwrap_or(0);
    let units: Vec<String> = std::fs::read_dir(host.sys.join("class/iommu"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    if groups > 0 {
        let u = if units.is_empty() { String::new() } else { format!(" ({})", units.join(", ")) };
        format!("IOMMU: on, {groups} group{}{u}", if groups == 1 { "" } else { "s" })
    } else {
        let param = if host.noiommu_param().exists() { "; this kernel allows --unsafe-noiommu" } else { "" };
        format!(
            "IOMMU: off (no groups in {}): `jsk-probe bind` refuses without one{param}",
            host.iommu_groups().display()
        )
    }
}
