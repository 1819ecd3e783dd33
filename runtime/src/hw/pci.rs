//! PCI on a register [`Bus`] (the qtest socket): configuration space access,
//! enumeration of bus 0, BAR sizing and placement, and INTx routing — the
//! part of firmware a qtest machine does not have.
//!
//! # Configuration access
//!
//! - [`ConfigAccess::Cf8`] (x86 pc/q35): configuration mechanism #1, the
//!   address in port 0xCF8 (`0x8000_0000 | bus<<16 | dev<<11 | fn<<8 | reg&0xFC`)
//!   and the data at 0xCFC + (reg & 3). Two bus accesses per config access;
//!   registers 0..0xFF only.
//! - [`ConfigAccess::Ecam`] (aarch64 virt): memory-mapped, `base + (bus<<20 |
//!   dev<<15 | fn<<12 | reg)`, registers 0..0xFFF. On QEMU 7.2 `virt` (highmem
//!   ECAM, the default) the base is 0x40_1000_0000; the MMIO window is
//!   [0x1000_0000, 0x3EFF_0000) and PCI I/O port P is reached by the CPU at
//!   0x3EFF_0000 + P (a memory access: there is no port I/O on Arm).
//!
//! # INTx routing (what [`IrqRouting`] computes and programs)
//!
//! The qtest line numbers assume the interrupt controller's inputs are
//! intercepted (`irq_intercept_in ioapic` on x86, the `arm_gic` on virt):
//!
//! - `Piix3` (pc, i440FX): device INTx pin p (0 = INTA) in slot s drives
//!   PIRQ (p + s - 1) & 3 (`pc_pci_slot_get_pirq`, QEMU 7.2 hw/i386/pc_piix.c);
//!   PIIX3 register 0x60 + PIRQ (function 00:01.0) routes it to an ISA IRQ
//!   (bit 7 = disabled, which is the reset value 0x80: with no firmware, PCI
//!   interrupts go nowhere until these are programmed). The ISA IRQ is the
//!   IOAPIC pin, hence the line. jsk also marks those IRQs level-triggered in
//!   the ELCR (0x4D0/0x4D1), as a BIOS would.
//! - `Ich9` (q35): INTx of a device in slot s < 25 drives PIRQ E..H as
//!   `(s + p) % 4 + 4`; slots 25..31 follow the D25IR..D31IR chipset defaults
//!   (INTA..D -> PIRQ A..D); PIRQ A..H are wired to GSI 16..23 whatever the
//!   PIC routing registers say (`ich9_lpc_map_irq`, `ich9_pirq_to_gsi`,
//!   hw/isa/lpc_ich9.c). Nothing to program; lines never collide with ISA.
//! - `Gpex` (virt): the host bridge swizzles `(slot + p) % 4`
//!   (`pci_swizzle_map_irq_fn`) onto its four outputs, which virt wires to
//!   GIC SPI 3..6; an intercepted GICv2 numbers its inputs by SPI, so the
//!   lines are 3..6 ([`IrqRouting::VIRT`]).
//!
//! ISA devices on x86 (both pc and q35) interrupt on IOAPIC pin = ISA IRQ, so
//! the 16550 at 0x3F8 (IRQ 4) is line 4 ([`IrqRouting::isa_line`]).

use std::fmt;

use crate::hw::{Bus, HwError, Space};

/// The type-0/1 configuration header's registers, by name (PCI Local Bus 3.0 §6.1).
pub mod cfg {
    pub const VENDOR_ID: u16 = 0x00;
    pub const DEVICE_ID: u16 = 0x02;
    pub const COMMAND: u16 = 0x04;
    pub const STATUS: u16 = 0x06;
    /// Revision ID; the 24-bit class code follows at 0x09..0x0b.
    pub const REVISION_ID: u16 = 0x08;
    pub const HEADER_TYPE: u16 = 0x0e;
    pub const BAR0: u16 = 0x10;
    pub const SUBSYSTEM_VENDOR_ID: u16 = 0x2c;
    pub const SUBSYSTEM_ID: u16 = 0x2e;
    pub const CAPABILITIES_POINTER: u16 = 0x34;
    pub const INTERRUPT_LINE: u16 = 0x3c;
    pub const INTERRUPT_PIN: u16 = 0x3d;

    pub const COMMAND_IO: u32 = 1 << 0;
    pub const COMMAND_MEMORY: u32 = 1 << 1;
    pub const COMMAND_MASTER: u32 = 1 << 2;
    /// Header type bit 7: the device has more than one function.
    pub const HEADER_MULTI_FUNCTION: u32 = 0x80;
}

/// A PCI function's address, `DDDD:BB:DD.F`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PciAddress {
    pub domain: u16,
    pub bus: u8,
    pub device: u8,
    pub function: u8,
}

impl PciAddress {
    /// `0000:00:02.0`, `00:02.0` (domain 0) or `02.0` (domain 0, bus 0),
    /// hexadecimal, any case; at most 4 digits of domain, 2 of bus and device.
    pub fn parse(s: &str) -> Result<PciAddress, BadPciAddress> {
        let bad = || BadPciAddress(s.to_string());
        let parts: Vec<&str> = s.trim().split(':').collect();
        let (domain, bus, devfn) = match parts.as_slice() {
            [d, b, df] => (*d, *b, *df),
            [b, df] => ("0", *b, *df),
            [df] => ("0", "0", *df),
            _ => return Err(bad()),
        };
        let (dev, func) = devfn.split_once('.').ok_or_else(bad)?;
        let hex = |t: &str, digits: usize, max: u32| -> Result<u32, BadPciAddress> {
            if t.is_empty() || t.len() > digits || !t.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad());
            }
            u32::from_str_radix(t, 16).ok().filter(|v| *v <= max).ok_or_else(bad)
        };
        Ok(PciAddress {
            domain: hex(domain, 4, 0xffff)? as u16,
            bus: hex(bus, 2, 0xff)? as u8,
            device: hex(dev, 2, 0x1f)? as u8,
            function: hex(func, 1, 7)? as u8,
        })
    }
}

/// Text that is not a PCI address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a PCI address (DDDD:BB:DD.F, e.g. 0000:00:02.0)")]
pub struct BadPciAddress(pub String);

impl std::str::FromStr for PciAddress {
    type Err = BadPciAddress;
    fn from_str(s: &str) -> Result<PciAddress, BadPciAddress> {
        PciAddress::parse(s)
    }
}

impl fmt::Display for PciAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04x}:{:02x}:{:02x}.{}", self.domain, self.bus, self.device, self.function)
    }
}

/// Identification from config space (subsystem (0, 0) for bridges; irq_pin
/// 0 = no INTx, 1..4 = INTA..INTD).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PciIds {
    pub vendor: u16,
    pub device: u16,
    /// class << 16 | subclass << 8 | prog_if
    pub class: u32,
    pub revision: u8,
    pub subsystem: (u16, u16),
    pub irq_pin: u8,
}

/// How configuration space is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigAccess {
    /// x86 ports 0xCF8/0xCFC.
    Cf8,
    /// Memory-mapped (PCIe ECAM) at `base`.
    Ecam { base: u64 },
}

/// One implemented BAR after placement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PciBar {
    /// BAR register index 0..5 (a 64-bit BAR uses `index` and `index + 1`).
    pub index: u8,
    /// Memory or I/O space of the PCI bus.
    pub space: Space,
    /// Bus address: a memory address, or an I/O port number.
    pub addr: u64,
    pub size: u64,
    pub prefetchable: bool,
    pub is64: bool,
}

/// One function found on bus 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PciFunction {
    pub bdf: (u8, u8, u8),
    pub ids: PciIds,
    pub bars: Vec<PciBar>,
    /// The qtest IRQ line this function's INTx arrives on.
    pub irq_line: Option<u32>,
}

/// Where BARs may be placed: [start, end) in PCI memory and I/O space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PciWindows {
    pub mem: (u64, u64),
    pub io: (u64, u64),
}

impl PciWindows {
    /// pc and q35 with at most 2 GiB of RAM: above RAM and MMCONFIG, below
    /// the IOAPIC; ports from 0xC000 as SeaBIOS does.
    pub const X86: PciWindows = PciWindows { mem: (0xC000_0000, 0xFEC0_0000), io: (0xC000, 0x1_0000) };
    /// aarch64 virt (QEMU 7.2): the 32-bit MMIO window; ports above the
    /// legacy range inside the 64 KiB PIO window.
    pub const VIRT: PciWindows = PciWindows { mem: (0x1000_0000, 0x3EFF_0000), io: (0x1000, 0x1_0000) };
}

/// INTx routing of the machine (see the module docs).
/// How INTx reaches the interrupt controller; a board file's
/// `pci.irq_routing` (see [`IrqRouting::parse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum IrqRouting {
    /// Leave INTx alone; `irq_line` is None.
    None,
    /// pc: PIIX3 PIRQ A..D -> these ISA IRQs (each 3..15; 0x60..0x63 of 00:01.0).
    Piix3 { pirq_irqs: [u8; 4] },
    /// q35: PIRQ A..H -> GSI 16..23 (fixed).
    Ich9,
    /// A host bridge that swizzles INTx over four outputs, arriving on these lines.
    Gpex { lines: [u32; 4] },
}

impl TryFrom<String> for IrqRouting {
    type Error = String;
    fn try_from(s: String) -> Result<IrqRouting, String> {
        IrqRouting::parse(&s).ok_or_else(|| {
            format!("irq_routing {s:?} is unknown (none, ich9, piix3, piix3:A,B,C,D, gpex or gpex:A,B,C,D)")
        })
    }
}

impl IrqRouting {
    /// pc with PIRQ A..D on ISA IRQ 10, 10, 11, 11, as SeaBIOS routes them.
    pub const PIIX3_DEFAULT: IrqRouting = IrqRouting::Piix3 { pirq_irqs: [10, 10, 11, 11] };
    /// aarch64 virt with the GICv2 intercepted: SPI 3..6.
    pub const VIRT: IrqRouting = IrqRouting::Gpex { lines: [3, 4, 5, 6] };

    /// Read a board file's `irq_routing`: "none", "ich9", "piix3" (=
    /// [`Self::PIIX3_DEFAULT`]) or "piix3:A,B,C,D" (ISA IRQs of PIRQ A..D),
    /// "gpex" (= [`Self::VIRT`]) or "gpex:A,B,C,D" (lines of the swizzled
    /// INTA..INTD outputs).
    pub fn parse(s: &str) -> Option<IrqRouting> {
        fn four<T: std::str::FromStr>(list: &str) -> Option<[T; 4]> {
            let v: Vec<T> = list.split(',').map(|x| x.trim().parse().ok()).collect::<Option<_>>()?;
            v.try_into().ok()
        }
        let (kind, list) = s.trim().split_once(':').map_or((s.trim(), None), |(k, l)| (k, Some(l)));
        match (kind, list) {
            ("none", None) => Some(IrqRouting::None),
            ("ich9", None) => Some(IrqRouting::Ich9),
            ("piix3", None) => Some(IrqRouting::PIIX3_DEFAULT),
            ("piix3", Some(l)) => four::<u8>(l).map(|pirq_irqs| IrqRouting::Piix3 { pirq_irqs }),
            ("gpex", None) => Some(IrqRouting::VIRT),
            ("gpex", Some(l)) => four::<u32>(l).map(|lines| IrqRouting::Gpex { lines }),
            _ => None,
        }
    }

    /// The line of INTx `pin` (1..4) of device `dev` on bus 0.
    pub fn intx_line(&self, dev: u8, pin: u8) -> Option<u32> {
        if !(1..=4).contains(&pin) || dev > 31 {
            return None;
        }
        let p = (pin - 1) as u32;
        let s = dev as u32;
        match *self {
            IrqRouting::None => None,
            IrqRouting::Piix3 { pirq_irqs } => {
                let pirq = (p + s).wrapping_sub(1) & 3;
                Some(pirq_irqs[pirq as usize] as u32)
            }
            IrqRouting::Ich9 => {
                let pirq = if s < 25 { (s + p) % 4 + 4 } else { p };
                Some(16 + pirq)
            }
            IrqRouting::Gpex { lines } => Some(lines[((s + p) % 4) as usize]),
        }
    }

    /// The line of ISA IRQ `irq` (x86 machines only).
    pub fn isa_line(&self, irq: u8) -> Option<u32> {
        match self {
            IrqRouting::Piix3 { .. } | IrqRouting::Ich9 if irq < 16 => Some(irq as u32),
            _ => None,
        }
    }
}

use cfg::{COMMAND, COMMAND_IO as CMD_IO, COMMAND_MASTER as CMD_MASTER, COMMAND_MEMORY as CMD_MEM};

fn check_bdf(bdf: (u8, u8, u8)) -> Result<(), HwError> {
    if bdf.1 > 31 || bdf.2 > 7 {
        return Err(HwError::Invalid(format!("PCI address {:02x}:{:02x}.{} is out of range", bdf.0, bdf.1, bdf.2)));
    }
    Ok(())
}

/// Where a config access goes: (space, address of the data).
fn locate(
    bus: &dyn Bus,
    access: &ConfigAccess,
    bdf: (u8, u8, u8),
    offset: u16,
    width: u8,
) -> Result<(Space, u64), HwError> {
    check_bdf(bdf)?;
    if !matches!(width, 1 | 2 | 4) || !offset.is_multiple_of(width as u16) {
        return Err(HwError::Invalid(format!(
            "config access of {width} bytes at {offset:#x}: widths are 1, 2, 4, naturally aligned"
        )));
    }
    let (b, d, f) = (bdf.0 as u64, bdf.1 as u64, bdf.2 as u64);
    match *access {
        ConfigAccess::Cf8 => {
            if offset >= 0x100 {
                return Err(HwError::Invalid(format!("config offset {offset:#x}: mechanism #1 reaches 0..0xff only")));
            }
            let addr = 0x8000_0000u64 | b << 16 | d << 11 | f << 8 | (offset as u64 & 0xfc);
            bus.write(Space::Io, 0xcf8, 4, addr)?;
            Ok((Space::Io, 0xcfc + (offset as u64 & 3)))
        }
        ConfigAccess::Ecam { base } => {
            if offset >= 0x1000 {
                return Err(HwError::Invalid(format!("config offset {offset:#x} is beyond 4 KiB")));
            }
            Ok((Space::Mem, base + (b << 20 | d << 15 | f << 12 | offset as u64)))
        }
    }
}

/// Read `width` (1, 2, 4) bytes of configuration space.
pub fn config_read(
    bus: &dyn Bus,
    access: &ConfigAccess,
    bdf: (u8, u8, u8),
    offset: u16,
    width: u8,
) -> Result<u32, HwError> {
    let (space, addr) = locate(bus, access, bdf, offset, width)?;
    Ok(bus.read(space, addr, width)? as u32)
}

/// Write `width` (1, 2, 4) bytes of configuration space.
pub fn config_write(
    bus: &dyn Bus,
    access: &ConfigAccess,
    bdf: (u8, u8, u8),
    offset: u16,
    width: u8,
    value: u32,
) -> Result<(), HwError> {
    let (space, addr) = locate(bus, access, bdf, offset, width)?;
    bus.write(space, addr, width, value as u64)
}

/// Turn bus mastering (DMA) of a function on or off.
pub fn set_bus_master(bus: &dyn Bus, access: &ConfigAccess, bdf: (u8, u8, u8), on: bool) -> Result<(), HwError> {
    let cmd = config_read(bus, access, bdf, COMMAND, 2)?;
    let new = if on { cmd | CMD_MASTER } else { cmd & !CMD_MASTER };
    if new != cmd {
        config_write(bus, access, bdf, COMMAND, 2, new)?;
    }
    Ok(())
}

/// A BAR found while sizing, before placement.
struct Sized {
    func: usize,
    index: u8,
    space: Space,
    size: u64,
    prefetchable: bool,
    is64: bool,
}

/// A BAR's size from the address bits that took the all-ones probe: its
/// lowest writable bit, as Linux's `pci_size` has it. A device whose bits
/// have holes (a broken or hostile one) still gets a power of two, so its
/// placement stays aligned and inside the window; 0 means not implemented.
fn bar_size(writable: u64) -> u64 {
    writable & writable.wrapping_neg()
}

/// Enumerate bus 0 (multi-function aware), size every BAR, place it aligned
/// inside `windows`, enable memory/I/O decode (never bus mastering), and set
/// up INTx per `routing` (also writing the line to Interrupt Line, 0x3C, when
/// it fits). Bridges are listed but what lies behind them is not.
pub fn enumerate_and_assign(
    bus: &dyn Bus,
    access: &ConfigAccess,
    windows: &PciWindows,
    routing: &IrqRouting,
) -> Result<Vec<PciFunction>, HwError> {
    for (name, (start, end)) in [("memory", windows.mem), ("I/O", windows.io)] {
        if start >= end {
            return Err(HwError::Invalid(format!("PCI {name} window [{start:#x}, {end:#x}) is empty")));
        }
    }
    if windows.io.1 > 0x1_0000 {
        return Err(HwError::Invalid(format!("PCI I/O window ends at {:#x}, above 64 KiB", windows.io.1)));
    }
    if let IrqRouting::Piix3 { pirq_irqs } = routing {
        program_piix3(bus, access, pirq_irqs)?;
    }

    let mut funcs = Vec::new();
    let mut headers = Vec::new();
    for dev in 0..32u8 {
        let id0 = config_read(bus, access, (0, dev, 0), cfg::VENDOR_ID, 4)?;
        if id0 & 0xffff == 0xffff || id0 & 0xffff == 0 {
            continue;
        }
        let multi = config_read(bus, access, (0, dev, 0), cfg::HEADER_TYPE, 1)? & cfg::HEADER_MULTI_FUNCTION != 0;
        for func in 0..if multi { 8 } else { 1 } {
            let bdf = (0, dev, func);
            let id = if func == 0 { id0 } else { config_read(bus, access, bdf, cfg::VENDOR_ID, 4)? };
            if id & 0xffff == 0xffff || id & 0xffff == 0 {
                continue;
            }
            let class_rev = config_read(bus, access, bdf, cfg::REVISION_ID, 4)?;
            let header = config_read(bus, access, bdf, cfg::HEADER_TYPE, 1)? as u8 & 0x7f;
            let subsystem = if header == 0 {
                let s = config_read(bus, access, bdf, cfg::SUBSYSTEM_VENDOR_ID, 4)?;
                (s as u16, (s >> 16) as u16)
            } else {
                (0, 0)
            };
            let irq_pin = config_read(bus, access, bdf, cfg::INTERRUPT_PIN, 1)? as u8;
            let ids = PciIds {
                vendor: id as u16,
                device: (id >> 16) as u16,
                class: class_rev >> 8,
                revision: class_rev as u8,
                subsystem,
                irq_pin,
            };
            funcs.push(PciFunction { bdf, ids, bars: Vec::new(), irq_line: None });
            headers.push(header);
        }
    }

    // Size every BAR with decode off, then place the largest first so that
    // natural alignment wastes nothing.
    let mut sized = Vec::new();
    let mut commands = Vec::with_capacity(funcs.len());
    for (i, f) in funcs.iter().enumerate() {
        let cmd = config_read(bus, access, f.bdf, COMMAND, 2)?;
        commands.push(cmd);
        let nbars = match headers[i] {
            0 => 6,
            1 => 2,
            _ => 0,
        };
        if nbars == 0 {
            continue;
        }
        config_write(bus, access, f.bdf, COMMAND, 2, cmd & !(CMD_IO | CMD_MEM))?;
        let mut index = 0u8;
        while index < nbars {
            let reg = cfg::BAR0 + 4 * index as u16;
            let orig = config_read(bus, access, f.bdf, reg, 4)?;
            config_write(bus, access, f.bdf, reg, 4, 0xffff_ffff)?;
            let probe = config_read(bus, access, f.bdf, reg, 4)?;
            config_write(bus, access, f.bdf, reg, 4, orig)?;
            if probe == 0 {
                index += 1;
                continue;
            }
            if probe & 1 == 1 {
                // A 16-bit I/O decoder reads back zeros in the upper half.
                let writable = (probe & !0x3) as u64 & if probe & 0xffff_0000 == 0 { 0xffff } else { 0xffff_ffff };
                let size = bar_size(writable);
                if size != 0 {
                    sized.push(Sized { func: i, index, space: Space::Io, size, prefetchable: false, is64: false });
                }
                index += 1;
                continue;
            }
            let is64 = (probe >> 1) & 3 == 2 && index + 1 < nbars;
            let prefetchable = probe & 8 != 0;
            let mut mask = (probe & !0xf) as u64;
            if is64 {
                let hi_reg = reg + 4;
                let orig_hi = config_read(bus, access, f.bdf, hi_reg, 4)?;
                config_write(bus, access, f.bdf, hi_reg, 4, 0xffff_ffff)?;
                let probe_hi = config_read(bus, access, f.bdf, hi_reg, 4)?;
                config_write(bus, access, f.bdf, hi_reg, 4, orig_hi)?;
                mask = (probe_hi as u64) << 32 | (probe & !0xf) as u64;
            }
            let size = bar_size(mask);
            if size != 0 {
                sized.push(Sized { func: i, index, space: Space::Mem, size, prefetchable, is64 });
            }
            index += if is64 { 2 } else { 1 };
        }
    }

    sized.sort_by(|a, b| b.size.cmp(&a.size).then(a.func.cmp(&b.func)).then(a.index.cmp(&b.index)));
    let (mut next_mem, mut next_io) = (windows.mem.0, windows.io.0);
    for s in &sized {
        let f = &mut funcs[s.func];
        let (next, end, align) = match s.space {
            Space::Mem => (&mut next_mem, windows.mem.1, s.size.max(0x1000)),
            Space::Io => (&mut next_io, windows.io.1, s.size.max(4)),
        };
        let addr = next
            .checked_next_multiple_of(align)
            .filter(|a| a.checked_add(s.size).is_some_and(|e| e <= end))
            .ok_or_else(|| {
                HwError::Unsupported(format!(
                    "no room for BAR{} ({:#x} bytes) of {:02x}:{:02x}.{} in the {:?} window",
                    s.index, s.size, f.bdf.0, f.bdf.1, f.bdf.2, s.space
                ))
            })?;
        *next = addr + s.size;
        let reg = cfg::BAR0 + 4 * s.index as u16;
        config_write(bus, access, f.bdf, reg, 4, addr as u32)?;
        if s.is64 {
            config_write(bus, access, f.bdf, reg + 4, 4, (addr >> 32) as u32)?;
        }
        f.bars.push(PciBar {
            index: s.index,
            space: s.space,
            addr,
            size: s.size,
            prefetchable: s.prefetchable,
            is64: s.is64,
        });
    }

    for (i, f) in funcs.iter_mut().enumerate() {
        f.bars.sort_by_key(|b| b.index);
        let mut cmd = commands[i];
        if headers[i] <= 1 {
            if f.bars.iter().any(|b| b.space == Space::Mem) {
                cmd |= CMD_MEM;
            }
            if f.bars.iter().any(|b| b.space == Space::Io) {
                cmd |= CMD_IO;
            }
        }
        config_write(bus, access, f.bdf, COMMAND, 2, cmd)?;
        f.irq_line = routing.intx_line(f.bdf.1, f.ids.irq_pin);
        if let Some(line) = f.irq_line.filter(|l| *l < 0xff) {
            config_write(bus, access, f.bdf, cfg::INTERRUPT_LINE, 1, line)?;
        }
    }
    Ok(funcs)
}

/// Route PIIX3 PIRQ A..D (00:01.0, registers 0x60..0x63) and mark the IRQs
/// level-triggered in the ELCR.
fn program_piix3(bus: &dyn Bus, access: &ConfigAccess, pirq_irqs: &[u8; 4]) -> Result<(), HwError> {
    let id = config_read(bus, access, (0, 1, 0), 0x00, 4)?;
    if id != 0x7000_8086 {
        return Err(HwError::Unsupported(format!(
            "00:01.0 is {:04x}:{:04x}, not the PIIX3 ISA bridge (8086:7000)",
            id as u16,
            id >> 16
        )));
    }
    let mut elcr = 0u16;
    for (pirq, &irq) in pirq_irqs.iter().enumerate() {
        if !(3..16).contains(&irq) || irq == 8 || irq == 13 {
            return Err(HwError::Invalid(format!(
                "PIRQ{} -> ISA IRQ {irq}: not a routable IRQ",
                (b'A' + pirq as u8) as char
            )));
        }
        config_write(bus, access, (0, 1, 0), 0x60 + pirq as u16, 1, irq as u32)?;
        elcr |= 1 << irq;
    }
    let low = bus.read(Space::Io, 0x4d0, 1)? as u16;
    let high = bus.read(Space::Io, 0x4d1, 1)? as u16;
    let elcr = elcr | low | high << 8;
    bus.write(Space::Io, 0x4d0, 1, (elcr & 0xff) as u64)?;
    bus.write(Space::Io, 0x4d1, 1, (elcr >> 8) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_sizes_are_the_lowest_writable_bit() {
        // A proper 4 KiB memory BAR and a 32-byte I/O BAR (16-bit decoder).
        assert_eq!(bar_size(0xffff_f000), 0x1000);
        assert_eq!(bar_size(0xffe0), 0x20);
        // A 64-bit BAR of 8 GiB.
        assert_eq!(bar_size(0xffff_fffe_0000_0000), 0x2_0000_0000);
        // Holes in the mask (cargo fuzz found an I/O BAR "of 152 bytes"): still a power of two.
        assert_eq!(bar_size(0x98), 8);
        assert_eq!(bar_size(0), 0);
    }

    #[test]
    fn intx_routing() {
        // pc: edu in slot 2, INTA -> PIRQB.
        let pc = IrqRouting::Piix3 { pirq_irqs: [10, 11, 5, 9] };
        assert_eq!(pc.intx_line(2, 1), Some(11));
        assert_eq!(pc.intx_line(1, 1), Some(10));
        assert_eq!(pc.intx_line(3, 2), Some(9));
        // q35: slot 1 INTA -> PIRQF -> GSI 21; slot 31 INTA -> PIRQA -> 16.
        assert_eq!(IrqRouting::Ich9.intx_line(1, 1), Some(21));
        assert_eq!(IrqRouting::Ich9.intx_line(31, 2), Some(17));
        assert_eq!(IrqRouting::VIRT.intx_line(1, 1), Some(4));
        assert_eq!(IrqRouting::Ich9.intx_line(1, 0), None);
        assert_eq!(IrqRouting::Ich9.isa_line(4), Some(4));
        assert_eq!(IrqRouting::VIRT.isa_line(4), None);
    }

    #[test]
    fn parse_routing() {
        assert_eq!(IrqRouting::parse("ich9"), Some(IrqRouting::Ich9));
        assert_eq!(IrqRouting::parse("none"), Some(IrqRouting::None));
        assert_eq!(IrqRouting::parse("piix3"), Some(IrqRouting::PIIX3_DEFAULT));
        assert_eq!(IrqRouting::parse("piix3:5, 10,11,9"), Some(IrqRouting::Piix3 { pirq_irqs: [5, 10, 11, 9] }));
        assert_eq!(IrqRouting::parse("gpex"), Some(IrqRouting::VIRT));
        assert_eq!(IrqRouting::parse("gpex:35,36,37,38"), Some(IrqRouting::Gpex { lines: [35, 36, 37, 38] }));
        assert_eq!(IrqRouting::parse("piix3:1,2,3"), None);
        assert_eq!(IrqRouting::parse("pirq"), None);
    }
}
