//! Board descriptions: the TOML files in `devices/` (`BoardSpec`), the
//! devices a board has once opened on a backend (`DeviceInfo`, `RegionInfo`)
//! and the options of opening one. No JavaScript here: the `Board` JS class
//! (`crate::js::board`) hands these out.
//!
//! Errors name the board file and what was wrong with it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::hw::pci::{IrqRouting, PciAddress, PciFunction};
use crate::hw::{choose, Space, UnknownChoice};

/// One board file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardSpec {
    pub name: String,
    pub description: String,
    pub arch: String,
    /// Backend used when `--backend` is not given.
    pub default_backend: Option<BackendKind>,
    pub qemu: Option<QemuSection>,
    pub pci: Option<PciSection>,
    #[serde(default, rename = "device")]
    pub devices: Vec<PlatformDevice>,
    /// Buses the board's Linux drives, as jsk:linux opens them (`[[linux]]`).
    #[serde(default)]
    pub linux: Vec<LinuxBus>,
}

/// One bus Linux drives on the board, reached through its character device:
/// an i2c-dev bus, a spidev device, or a GPIO chip (by path or by its label).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinuxBus {
    pub name: String,
    pub kind: LinuxBusKind,
    /// The device file (/dev/i2c-1, /dev/spidev0.0, /dev/gpiochip0).
    pub path: Option<String>,
    /// A GPIO chip's label (what its driver calls it: "pinctrl-rp1"), when its number varies.
    pub label: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinuxBusKind {
    I2c,
    Spi,
    Gpio,
}

impl LinuxBusKind {
    pub fn name(self) -> &'static str {
        match self {
            LinuxBusKind::I2c => "i2c",
            LinuxBusKind::Spi => "spi",
            LinuxBusKind::Gpio => "gpio",
        }
    }
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
    /// How configuration space is reached.
    pub config: ConfigMechanism,
    /// Where ECAM sits (`config = "ecam"`).
    pub ecam_base: Option<u64>,
    /// [start, end) where memory BARs may be placed.
    pub mem_window: [u64; 2],
    /// [start, end) where I/O BARs may be placed.
    pub io_window: [u64; 2],
    /// How INTx reaches the interrupt controller (see hw::pci::IrqRouting).
    pub irq_routing: IrqRouting,
}

/// `pci.config` of a board file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigMechanism {
    /// x86 configuration mechanism #1 (ports 0xCF8/0xCFC).
    Cf8,
    /// PCIe memory-mapped configuration at `pci.ecam_base`.
    Ecam,
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
    /// Input clock in Hz (UARTs, bus controllers).
    pub clock: Option<u64>,
    pub description: Option<String>,
    /// The chips on this controller's bus (`[[device.child]]`, as a device tree's child
    /// nodes): jsk:board binds their drivers over the controller's I2c or SpiBus.
    #[serde(default, rename = "child")]
    pub children: Vec<BusChild>,
}

/// A chip on a bus controller's bus: an I2C device at `reg` (its 7-bit address) or an
/// SPI device on chip select `reg`, with device-tree style properties for its driver
/// (`size`, `pagesize`, `spi-max-frequency`, `cs-gpios = ["gpio3", 19]`, ...).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BusChild {
    pub name: String,
    pub compatible: Vec<String>,
    pub reg: u32,
    pub description: Option<String>,
    #[serde(default)]
    pub properties: toml::Table,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    pub name: String,
    #[serde(default)]
    pub space: Space,
    /// Physical (guest-physical) address, or the port number for space "io".
    pub base: u64,
    pub size: u64,
    /// mem backend: the file to map (default /dev/mem at `base`).
    pub file: Option<String>,
    /// mem backend: offset in `file` (default `base`).
    pub offset: Option<u64>,
}

/// Why a board file cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Bad { path: String, source: BadBoard },
}

/// What is wrong with a board file's text.
#[derive(Debug, thiserror::Error)]
pub enum BadBoard {
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Invalid(String),
}

impl BoardSpec {
    pub fn load(path: &Path) -> Result<BoardSpec, BoardError> {
        let shown = || path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BoardError::Read { path: shown(), source })?;
        Self::parse(&text).map_err(|source| BoardError::Bad { path: shown(), source })
    }

    /// A board file's text, checked.
    pub fn parse(text: &str) -> Result<BoardSpec, BadBoard> {
        let spec: BoardSpec = toml::from_str(text)?;
        spec.check().map_err(BadBoard::Invalid)?;
        Ok(spec)
    }

    fn check(&self) -> Result<(), String> {
        let mut names: Vec<&str> = Vec::new();
        for d in &self.devices {
            for n in std::iter::once(&d.name).chain(d.children.iter().map(|c| &c.name)) {
                if names.contains(&n.as_str()) {
                    return Err(format!("device {n}: named twice"));
                }
                names.push(n);
            }
            for c in &d.children {
                if c.compatible.is_empty() {
                    return Err(format!("device {}: child {}: needs a compatible string", d.name, c.name));
                }
            }
            for r in &d.regions {
                if r.size == 0 {
                    return Err(format!("device {}: region {}: size must be > 0", d.name, r.name));
                }
            }
        }
        for (i, b) in self.linux.iter().enumerate() {
            if self.linux[..i].iter().any(|o| o.name == b.name) {
                return Err(format!("linux bus {}: named twice", b.name));
            }
            match (b.kind, &b.path, &b.label) {
                (LinuxBusKind::Gpio, None, None) => {
                    return Err(format!("linux bus {}: a GPIO chip needs a path or a label", b.name))
                }
                (LinuxBusKind::Gpio, Some(_), Some(_)) => {
                    return Err(format!("linux bus {}: give a GPIO chip's path or its label, not both", b.name))
                }
                (LinuxBusKind::I2c | LinuxBusKind::Spi, None, _) => {
                    return Err(format!("linux bus {}: an {} bus needs its device file (path)", b.name, b.kind.name()))
                }
                (LinuxBusKind::I2c | LinuxBusKind::Spi, _, Some(_)) => {
                    return Err(format!("linux bus {}: only GPIO chips are found by label", b.name))
                }
                _ => {}
            }
        }
        if let Some(p) = &self.pci {
            if p.config == ConfigMechanism::Ecam && p.ecam_base.is_none() {
                return Err("pci.config = \"ecam\" needs pci.ecam_base".into());
            }
        }
        Ok(())
    }
}

/// Where a board's devices come from (`--backend`, `default_backend`,
/// `openBoard(path, { backend })`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// QEMU device models over the qtest protocol.
    Qtest,
    /// memmap2 over /dev/mem, /dev/gpiomem or the files the board names.
    Mem,
    /// In-process register files.
    Fake,
    /// PCI functions through VFIO (PCI addresses, no board file).
    Vfio,
}

impl std::str::FromStr for BackendKind {
    type Err = UnknownChoice;
    fn from_str(s: &str) -> Result<BackendKind, UnknownChoice> {
        choose("backend", s)
    }
}

impl BackendKind {
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
    /// The chips the board file puts on this controller's bus.
    pub children: Vec<BusChild>,
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
                    space: r.space,
                    base: r.base,
                    size: r.size,
                    file: r.file.clone(),
                    offset: r.offset,
                })
                .collect(),
            irq_lines: d.irqs.clone(),
            children: d.children.clone(),
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
        children: Vec::new(),
    }
}

/// How to open a board: `openBoard(path, options)` from JS, `--board` or
/// `--vfio` on the command line, `embed::Session::attach_board`.
#[derive(Clone, Debug, Default)]
pub struct BoardOptions {
    /// The board file; empty for PCI functions opened through VFIO.
    pub path: String,
    /// The board file's `default_backend` (else qtest with a `[qemu]` section, else mem) when None.
    pub backend: Option<BackendKind>,
    /// vfio: the PCI functions to open.
    pub vfio: Vec<String>,
    /// qtest: watch this device model's output lines instead of the interrupt controller.
    pub observe: Option<String>,
    /// qtest: chardev backends by id, over the board file's.
    pub chardev: BTreeMap<String, String>,
    /// qtest: netdev backends by id, over the board file's.
    pub netdev: BTreeMap<String, String>,
}

/// A board and the driver files to attach to its devices (`--board` with
/// `--drivers`, `embed::Session::attach_board`).
#[derive(Clone, Debug, Default)]
pub struct AttachOptions {
    pub board: BoardOptions,
    /// Absolute paths of the driver modules to try.
    pub drivers: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_file_in_devices_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../devices");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                BoardSpec::load(&p).unwrap_or_else(|e| panic!("{e}"));
                n += 1;
            }
        }
        assert!(n >= 8, "only {n} board files");
    }

    #[test]
    fn linux_buses_are_checked() {
        let board = |linux: &str| format!("name = \"b\"\ndescription = \"d\"\narch = \"aarch64\"\n{linux}");
        let bad = |linux: &str| BoardSpec::parse(&board(linux)).unwrap_err().to_string();
        assert!(bad("[[linux]]\nname = \"g\"\nkind = \"gpio\"\n").contains("a GPIO chip needs a path or a label"));
        assert!(bad("[[linux]]\nname = \"i\"\nkind = \"i2c\"\n").contains("an i2c bus needs its device file"));
        assert!(bad("[[linux]]\nname = \"s\"\nkind = \"spi\"\npath = \"/dev/spidev0.0\"\nlabel = \"x\"\n")
            .contains("only GPIO chips are found by label"));
        let twice = "[[linux]]\nname = \"a\"\nkind = \"i2c\"\npath = \"/dev/i2c-1\"\n";
        assert!(bad(&format!("{twice}{twice}")).contains("named twice"));
        assert!(bad("[[linux]]\nname = \"g\"\nkind = \"gpio\"\npath = \"/dev/gpiochip0\"\nlabel = \"x\"\n")
            .contains("not both"));
        assert!(bad("[[linux]]\nname = \"a\"\nkind = \"uart\"\npath = \"/dev/ttyS0\"\n").contains("unknown variant"));
        let ok =
            BoardSpec::parse(&board("[[linux]]\nname = \"gpio\"\nkind = \"gpio\"\nlabel = \"pinctrl-rp1\"\n")).unwrap();
        assert_eq!(ok.linux[0].kind, LinuxBusKind::Gpio);
    }
}
