//! Board descriptions: the TOML files in `devices/` (`BoardSpec`), the
//! devices a board has once opened on a backend (`DeviceInfo`, `RegionInfo`)
//! and the options of opening one. No JavaScript here: the `Board` JS class
//! (`crate::js::board`) hands these out.
//!
//! Errors name the board file and what was wrong with it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::hw::pci::{PciAddress, PciFunction};
use crate::hw::Space;

/// One board file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardSpec {
    pub name: String,
    pub description: String,
    pub arch: String,
    /// Backend used when `--backend` is not given.
    pub default_backend: Option<String>,
    pub qemu: Option<QemuSection>,
    pub pci: Option<PciSection>,
    #[serde(default, rename = "device")]
    pub devices: Vec<PlatformDevice>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QemuSection {
    pub binary: String,
    pub machine: String,
    pub cpu: Option<String>,
    pub memory_mb: u64,
    #[serde(default)]
    pub ram_base: u64,
    /// Guest RAM kept out of the DMA pool: [ram_base, ram_base + reserved) (firmware, tables).
    #[serde(default)]
    pub dma_reserved: u64,
    /// Device arguments (`-device ...`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Chardev backends by id (`"null"`, `"socket,path=..."`); `--chardev ID=SPEC` overrides.
    #[serde(default)]
    pub chardev: BTreeMap<String, String>,
    /// Netdev backends by id; `--netdev ID=SPEC` overrides.
    #[serde(default)]
    pub netdev: BTreeMap<String, String>,
    /// QOM type of the interrupt controller whose inputs qtest intercepts (e.g. "ioapic").
    pub irq_controller: Option<String>,
    /// QOM type of a device whose output lines qtest intercepts (GPIO levels, e.g. "pl061").
    pub intercept_out: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PciSection {
    /// "cf8" (x86 config mechanism #1) or "ecam".
    pub config: String,
    pub ecam_base: Option<u64>,
    /// [start, end) where memory BARs may be placed.
    pub mem_window: [u64; 2],
    /// [start, end) where I/O BARs may be placed.
    pub io_window: [u64; 2],
    /// How INTx reaches the interrupt controller (see hw::pci::IrqRouting).
    pub irq_routing: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformDevice {
    pub name: String,
    pub compatible: Vec<String>,
    pub regions: Vec<RegionSpec>,
    /// Interrupt lines: qtest line numbers on the intercepted controller.
    #[serde(default)]
    pub irqs: Vec<u32>,
    /// Input clock in Hz (UARTs).
    pub clock: Option<u64>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    pub name: String,
    #[serde(default = "mem_space")]
    pub space: String,
    /// Physical (guest-physical) address, or the port number for space "io".
    pub base: u64,
    pub size: u64,
    /// mem backend: the file to map (default /dev/mem at `base`).
    pub file: Option<String>,
    /// mem backend: offset in `file` (default `base`).
    pub offset: Option<u64>,
}

fn mem_space() -> String {
    "mem".into()
}

impl BoardSpec {
    pub fn load(path: &Path) -> std::result::Result<BoardSpec, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let spec: BoardSpec = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        spec.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(spec)
    }

    fn check(&self) -> std::result::Result<(), String> {
        for d in &self.devices {
            for r in &d.regions {
                if r.space != "mem" && r.space != "io" {
                    return Err(format!("device {}: region {}: space must be \"mem\" or \"io\"", d.name, r.name));
                }
                if r.size == 0 {
                    return Err(format!("device {}: region {}: size must be > 0", d.name, r.name));
                }
            }
        }
        if let Some(p) = &self.pci {
            if p.config != "cf8" && p.config != "ecam" {
                return Err("pci.config must be \"cf8\" or \"ecam\"".into());
            }
            if p.config == "ecam" && p.ecam_base.is_none() {
                return Err("pci.config = \"ecam\" needs pci.ecam_base".into());
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Fake,
    Mem,
    Qtest,
    Vfio,
}

impl BackendKind {
    pub fn parse(s: &str) -> Option<BackendKind> {
        match s {
            "fake" => Some(BackendKind::Fake),
            "mem" => Some(BackendKind::Mem),
            "qtest" => Some(BackendKind::Qtest),
            "vfio" => Some(BackendKind::Vfio),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Fake => "fake",
            BackendKind::Mem => "mem",
            BackendKind::Qtest => "qtest",
            BackendKind::Vfio => "vfio",
        }
    }
}

/// A device as the board knows it.
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub bus: &'static str,
    pub pci: Option<PciFunction>,
    /// PCI address shown to JS (`DDDD:BB:DD.F`).
    pub address: Option<String>,
    /// VFIO: the interrupt mechanism in use.
    pub irq_kind: Option<&'static str>,
    pub compatible: Vec<String>,
    pub clock: Option<u64>,
    pub regions: Vec<RegionInfo>,
    pub irq_lines: Vec<u32>,
}

pub struct RegionInfo {
    pub index: Option<u32>,
    pub name: Option<String>,
    pub space: Space,
    pub base: u64,
    pub size: u64,
    pub file: Option<String>,
    pub offset: Option<u64>,
}

pub fn platform_devices(spec: &BoardSpec) -> Vec<DeviceInfo> {
    spec.devices
        .iter()
        .map(|d| DeviceInfo {
            id: d.name.clone(),
            name: d.name.clone(),
            bus: "platform",
            pci: None,
            address: None,
            irq_kind: None,
            compatible: d.compatible.clone(),
            clock: d.clock,
            regions: d
                .regions
                .iter()
                .enumerate()
                .map(|(i, r)| RegionInfo {
                    index: Some(i as u32),
                    name: Some(r.name.clone()),
                    space: if r.space == "io" { Space::Io } else { Space::Mem },
                    base: r.base,
                    size: r.size,
                    file: r.file.clone(),
                    offset: r.offset,
                })
                .collect(),
            irq_lines: d.irqs.clone(),
        })
        .collect()
}

/// A PCI function in PCI domain `domain` as a board lists it: named by its address.
pub fn pci_device(domain: u16, f: &PciFunction) -> DeviceInfo {
    let (bus, device, function) = f.bdf;
    let address = PciAddress { domain, bus, device, function }.to_string();
    DeviceInfo {
        id: address.clone(),
        name: address.clone(),
        bus: "pci",
        pci: Some(f.clone()),
        address: Some(address),
        irq_kind: None,
        compatible: Vec::new(),
        clock: None,
        regions: f
            .bars
            .iter()
            .map(|b| RegionInfo {
                index: Some(b.index as u32),
                name: None,
                space: b.space,
                base: b.addr,
                size: b.size,
                file: None,
                offset: None,
            })
            .collect(),
        irq_lines: f.irq_line.into_iter().collect(),
    }
}

/// Options of opening a board (`openBoard` from JS, `--board` on the command line).
pub struct OpenOptions {
    pub path: String,
    /// vfio: the PCI functions to open.
    pub vfio: Vec<String>,
    /// qtest: watch this device model's output lines instead of the interrupt controller.
    pub observe: Option<String>,
    pub backend: Option<String>,
    pub chardev: BTreeMap<String, String>,
    pub netdev: BTreeMap<String, String>,
}
