//! The VFIO backend: PCI functions bound to `vfio-pci`, opened through
//! /dev/vfio with `vfio-ioctls` (one container per board, the legacy
//! container/group interface, no hypervisor device).
//!
//! | what | how |
//! | --- | --- |
//! | open | check the function's sysfs entry, IOMMU group and driver first (so errors say what to fix), then container (API version, Type1v2), group (viability), device; reset where supported, bus mastering off |
//! | BARs | `mmap` of the device fd at the region's offset where VFIO allows it; otherwise positioned reads and writes of the device fd at the region's offset (I/O BARs such as pci-serial's, non-mappable regions), one access of exactly the asked width. This is what `VfioDevice::region_read/write` do, on a duplicate of the fd, so that a failed access is an error instead of a log line |
//! | config space | VFIO region 7, read and written through the device fd (8-byte accesses as two 4-byte ones) |
//! | interrupts | all vectors enabled at open with one eventfd each: MSI-X if the function has it, else MSI, else INTx. INTx is masked by the kernel when it fires; `VfioFunction::unmask` re-arms it (`Irq.unmask()` in JS) |
//! | DMA | page-rounded anonymous memory mapped with `vfio_dma_map` at IOVAs from [`IovaAllocator`] (from 1 MiB up, first fit, inside the ranges the IOMMU accepts); unmapped when the buffer is freed and all at release |
//! | release | interrupts disabled, bus mastering off, device reset where VFIO supports it, DMA unmapped; once, from `close()`, the exit hooks (also on `--timeout`) or drop. After SIGKILL the kernel's vfio-pci does the same on close |

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use vfio_bindings::bindings::vfio::{
    VFIO_IOMMU_INFO_CAPS, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_INTX_IRQ_INDEX,
    VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX, VFIO_REGION_INFO_FLAG_MMAP, VFIO_REGION_INFO_FLAG_READ,
    VFIO_REGION_INFO_FLAG_WRITE,
};
use vfio_ioctls::{VfioContainer, VfioDevice, VfioError, VfioOps};
use vmm_sys_util::eventfd::EventFd;

use crate::hw::board::{pci_device, BackendKind, DeviceInfo, RegionInfo};
use crate::hw::pci::{cfg, BadPciAddress, PciAddress, PciBar, PciFunction, PciIds};
use crate::hw::{Bus, HwError, Space};
use crate::hw::{DmaMapping, DmaPool, IommuDma, RegionCore, Window};
use crate::sys;

/// Lowest IOVA handed out: low, so devices with narrow DMA masks (edu: 28
/// bits) reach the first buffers, but not 0 (a null bus address hides bugs).
pub const IOVA_BASE: u64 = 1 << 20;
/// IOVAs stay below 4 GiB, so devices with 32-bit DMA work too.
pub const IOVA_LIMIT: u64 = 1 << 32;
/// Where x86 interrupt messages land; never an IOVA when the kernel gives no ranges.
const X86_MSI_WINDOW: u64 = 0xFEE0_0000;
pub const PAGE: u64 = 4096;
/// Vectors enabled per function at most (MSI-X tables can list 2048).
pub const MAX_VECTORS: u32 = 32;

// ---- PCI addresses and sysfs --------------------------------------------

/// Where sysfs and /dev are (tests point these at a made-up tree).
#[derive(Clone, Debug)]
pub struct SysPaths {
    pub sys: PathBuf,
    pub dev: PathBuf,
}

impl Default for SysPaths {
    fn default() -> Self {
        SysPaths { sys: "/sys".into(), dev: "/dev".into() }
    }
}

impl SysPaths {
    pub fn device_dir(&self, addr: &PciAddress) -> PathBuf {
        self.sys.join("bus/pci/devices").join(addr.to_string())
    }
    pub fn group_node(&self, group: u32) -> PathBuf {
        self.dev.join("vfio").join(group.to_string())
    }
}

fn link_name(p: &Path) -> Option<String> {
    std::fs::read_link(p).ok()?.file_name()?.to_str().map(str::to_string)
}

/// The driver a PCI function is bound to, if any.
pub fn driver_of(paths: &SysPaths, addr: &str) -> Option<String> {
    link_name(&paths.sys.join("bus/pci/devices").join(addr).join("driver"))
}

/// The members of IOMMU group `group` and their drivers, sorted.
pub fn group_members(paths: &SysPaths, group: u32) -> Vec<(String, Option<String>)> {
    let dir = paths.sys.join("kernel/iommu_groups").join(group.to_string()).join("devices");
    let mut out: Vec<(String, Option<String>)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let driver = link_name(&e.path().join("driver"));
                    (name, driver)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Why PCI functions cannot be opened through VFIO; each message says what
/// is wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum VfioOpenError {
    #[error("vfio: no PCI function given (--vfio DDDD:BB:DD.F)")]
    NoneGiven,
    #[error("vfio: {0}")]
    BadAddress(#[from] BadPciAddress),
    #[error("vfio {0}: given twice")]
    GivenTwice(PciAddress),
    #[error("vfio {addr}: no such PCI device ({dir} does not exist; lspci lists the devices there are)")]
    NoSuchDevice { addr: PciAddress, dir: String },
    #[error(
        "vfio {0}: the device has no IOMMU group, so the kernel runs without an IOMMU: boot with intel_iommu=on \
         (or amd_iommu=on) and enable VT-d/AMD-Vi; under QEMU use -M q35,kernel-irqchip=split -device intel-iommu,intremap=on"
    )]
    NoIommuGroup(PciAddress),
    #[error("vfio {addr}: IOMMU group {group:?} is not a number")]
    BadGroup { addr: PciAddress, group: String },
    #[error("vfio {addr}: the device is bound to {driver}, not vfio-pci: `jsk-probe bind {addr}` rebinds it")]
    BoundElsewhere { addr: PciAddress, driver: String },
    #[error("vfio {0}: the device is not bound to vfio-pci (it has no driver): run `jsk-probe bind {0}`")]
    Unbound(PciAddress),
    /// The VFIO container or the device's group refused (`container_message`,
    /// `open_group_message`, `not_viable_message` say why).
    #[error("{0}")]
    Vfio(String),
    /// Opened, but the device could not be brought to a known state.
    #[error("vfio {addr}: {source}")]
    Device { addr: PciAddress, source: HwError },
}

/// Check that `addr` can be opened through VFIO as far as sysfs tells, and
/// return its IOMMU group.
pub fn check_device(paths: &SysPaths, addr: &PciAddress) -> Result<u32, VfioOpenError> {
    let addr = *addr;
    let dir = paths.device_dir(&addr);
    if !dir.exists() {
        return Err(VfioOpenError::NoSuchDevice { addr, dir: dir.display().to_string() });
    }
    let Some(group) = link_name(&dir.join("iommu_group")) else {
        return Err(VfioOpenError::NoIommuGroup(addr));
    };
    let group: u32 = group.parse().map_err(|_| VfioOpenError::BadGroup { addr, group })?;
    match driver_of(paths, &addr.to_string()) {
        Some(d) if d == "vfio-pci" => Ok(group),
        Some(driver) => Err(VfioOpenError::BoundElsewhere { addr, driver }),
        None => Err(VfioOpenError::Unbound(addr)),
    }
}

/// Why group `group` is not viable: the members and their drivers.
pub fn not_viable_message(paths: &SysPaths, addr: &PciAddress, group: u32) -> String {
    let members = group_members(paths, group);
    let list = members
        .iter()
        .map(|(a, d)| format!("{a} ({})", d.as_deref().unwrap_or("no driver")))
        .collect::<Vec<_>>()
        .join(", ");
    let others: Vec<&str> = members
        .iter()
        .filter(|(a, d)| *a != addr.to_string() && d.as_deref().is_some_and(|d| d != "vfio-pci" && d != "pcieport"))
        .map(|(a, _)| a.as_str())
        .collect();
    let hint = if others.is_empty() {
        String::new()
    } else {
        format!("; bind {} to vfio-pci too (`jsk-probe bind ADDR`) or unbind them", others.join(", "))
    };
    format!(
        "vfio {addr}: IOMMU group {group} is not viable: every device in a group must be bound to vfio-pci or have no driver \
         (members: {list}){hint}"
    )
}

/// Why /dev/vfio/N could not be opened.
pub fn open_group_message(paths: &SysPaths, addr: &PciAddress, group: u32, e: &std::io::Error) -> String {
    let node = paths.group_node(group);
    let node = node.display();
    match e.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => format!(
            "vfio {addr}: permission denied opening {node}: the user needs read-write access to it \
             (run as root, or chown/udev-rule {node} to this user) and a large enough locked-memory limit"
        ),
        Some(libc::ENOENT) => {
            format!("vfio {addr}: {node} does not exist: is the device bound to vfio-pci? (`jsk-probe bind {addr}`)")
        }
        Some(libc::EBUSY) => {
            format!("vfio {addr}: {node} is busy: another process (another jsk?) has IOMMU group {group} open")
        }
        _ => format!("vfio {addr}: cannot open {node}: {e}"),
    }
}

/// What went wrong opening the container (vfio-ioctls always opens /dev/vfio/vfio).
pub fn container_message(e: &VfioError) -> String {
    match e {
        VfioError::OpenContainer(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "vfio: /dev/vfio/vfio does not exist: load the VFIO modules (vfio, vfio_iommu_type1, vfio-pci)".into()
        }
        VfioError::OpenContainer(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "vfio: permission denied opening /dev/vfio/vfio: the user needs read-write access to it".into()
        }
        VfioError::VfioApiVersion => "vfio: the kernel's VFIO API version is not the one jsk was built for".into(),
        VfioError::VfioExtension => "vfio: the kernel offers no Type1v2 IOMMU for VFIO: load vfio_iommu_type1".into(),
        other => format!("vfio: {other}"),
    }
}

fn device_message(paths: &SysPaths, addr: &PciAddress, group: u32, e: VfioError) -> String {
    match e {
        VfioError::OpenGroup(io, _) => open_group_message(paths, addr, group, &io),
        VfioError::GroupViable => not_viable_message(paths, addr, group),
        VfioError::InvalidPath => {
            format!("vfio {addr}: cannot read the IOMMU group of {}", paths.device_dir(addr).display())
        }
        VfioError::GroupGetDeviceFD(errno) if errno.errno() == libc::EBUSY => {
            format!("vfio {addr}: the device is already open (another process, or given twice)")
        }
        VfioError::GroupGetDeviceFD(errno) => {
            format!(
                "vfio {addr}: IOMMU group {group} would not hand out the device ({errno}); is it bound to vfio-pci?"
            )
        }
        VfioError::GroupSetContainer => format!("vfio {addr}: cannot add IOMMU group {group} to the VFIO container"),
        other => format!("vfio {addr}: {other}"),
    }
}

// ---- IOVA allocation ----------------------------------------------------

/// The IOVA ranges (inclusive) in a `vfio_iommu_type1_info` with its
/// capability chain, as VFIO_IOMMU_GET_INFO returns it. Empty when the
/// kernel lists none (or the bytes are malformed).
pub fn parse_iova_ranges(info: &[u8]) -> Vec<(u64, u64)> {
    let u16_at = |o: usize| info.get(o..o + 2).map(|b| u16::from_ne_bytes(b.try_into().expect("2")));
    let u32_at = |o: usize| info.get(o..o + 4).map(|b| u32::from_ne_bytes(b.try_into().expect("4")));
    let u64_at = |o: usize| info.get(o..o + 8).map(|b| u64::from_ne_bytes(b.try_into().expect("8")));
    let mut out = Vec::new();
    let (Some(flags), Some(mut at)) = (u32_at(4), u32_at(16)) else { return out };
    if flags & VFIO_IOMMU_INFO_CAPS == 0 {
        return out;
    }
    // Capability headers: u16 id, u16 version, u32 offset of the next (0 ends).
    for _ in 0..64 {
        let o = at as usize;
        if o < 24 {
            break;
        }
        let (Some(id), Some(next)) = (u16_at(o), u32_at(o + 4)) else { break };
        if id as u32 == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE {
            let n = u32_at(o + 8).unwrap_or(0) as usize;
            for i in 0..n.min(4096) {
                let r = o + 16 + i * 16;
                match (u64_at(r), u64_at(r + 8)) {
                    (Some(start), Some(end)) if start <= end => out.push((start, end)),
                    (Some(_), Some(_)) => {}
                    _ => break,
                }
            }
        }
        if next == 0 || next <= at {
            break;
        }
        at = next;
    }
    out
}

/// jsk's own IOVA allocator: page-granular, first fit from the lowest
/// address, inside [IOVA_BASE, IOVA_LIMIT) and the ranges the IOMMU accepts.
/// The process's virtual addresses play no part (they need not fit the
/// IOMMU's or the device's address width).
pub struct IovaAllocator {
    pool: Option<DmaPool>,
}

impl IovaAllocator {
    /// `ranges`: inclusive [start, end] ranges the IOMMU accepts (from
    /// VFIO_IOMMU_GET_INFO); empty means unknown, and then everything below
    /// the x86 interrupt window is used.
    pub fn new(ranges: &[(u64, u64)]) -> IovaAllocator {
        let fallback = [(0, X86_MSI_WINDOW - 1)];
        let ranges = if ranges.is_empty() { &fallback[..] } else { ranges };
        let mut extents: Vec<(u64, u64)> = ranges
            .iter()
            .filter_map(|&(start, end)| {
                let start = start.max(IOVA_BASE).checked_add(PAGE - 1)? & !(PAGE - 1);
                let end = end.saturating_add(1).min(IOVA_LIMIT) & !(PAGE - 1);
                (end > start).then(|| (start, end - start))
            })
            .collect();
        extents.sort();
        let mut pool: Option<DmaPool> = None;
        for (start, len) in extents {
            match pool.as_mut() {
                None => pool = Some(DmaPool::new(start, len)),
                // Adding a free extent is what `release` does.
                Some(p) => p.release(start, len),
            }
        }
        IovaAllocator { pool }
    }

    /// An IOVA for `size` bytes aligned to `align` (at least a page): returns
    /// the IOVA and the length reserved (`size` rounded up to whole pages).
    pub fn alloc(&mut self, size: u64, align: u64) -> Option<(u64, u64)> {
        if size == 0 || !align.is_power_of_two() {
            return None;
        }
        let len = size.checked_add(PAGE - 1)? & !(PAGE - 1);
        let iova = self.pool.as_mut()?.alloc(len, align.max(PAGE))?;
        Some((iova, len))
    }

    /// Give back what `alloc` returned.
    pub fn release(&mut self, iova: u64, len: u64) {
        if let Some(p) = self.pool.as_mut() {
            p.release(iova, len);
        }
    }

    pub fn free_bytes(&self) -> u64 {
        self.pool.as_ref().map_or(0, DmaPool::free_bytes)
    }
}

// ---- devices ------------------------------------------------------------

/// Which interrupt mechanism a function's vectors use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqKind {
    MsiX,
    Msi,
    Intx,
    None,
}

impl IrqKind {
    pub fn name(self) -> &'static str {
        match self {
            IrqKind::MsiX => "msix",
            IrqKind::Msi => "msi",
            IrqKind::Intx => "intx",
            IrqKind::None => "none",
        }
    }
    fn index(self) -> Option<u32> {
        match self {
            IrqKind::MsiX => Some(VFIO_PCI_MSIX_IRQ_INDEX),
            IrqKind::Msi => Some(VFIO_PCI_MSI_IRQ_INDEX),
            IrqKind::Intx => Some(VFIO_PCI_INTX_IRQ_INDEX),
            IrqKind::None => None,
        }
    }
}

/// One BAR as VFIO describes it.
#[derive(Clone, Debug)]
pub struct VfioBar {
    pub index: u32,
    pub space: Space,
    pub size: u64,
    /// VFIO allows mmap of the region (memory BARs of a page or more).
    pub mappable: bool,
    /// Where the region sits in the device fd.
    offset: u64,
}

/// One opened PCI function.
pub struct VfioFunction {
    pub address: PciAddress,
    pub ids: PciIds,
    pub bars: Vec<VfioBar>,
    pub irq_kind: IrqKind,
    /// One eventfd per enabled vector, signalled by the kernel.
    irq_fds: Vec<EventFd>,
    /// Config space (region 7): offset in the device fd and size.
    config: (u64, u64),
    /// A second descriptor of the device, for positioned I/O and mmap.
    file: File,
    device: VfioDevice,
}

fn io_err(e: std::io::Error) -> HwError {
    HwError::Io(e)
}

impl VfioFunction {
    fn open(addr: PciAddress, device: VfioDevice) -> Result<VfioFunction, VfioOpenError> {
        let failed = |what: &str, e: HwError| VfioOpenError::Device { addr, source: e.during(what) };
        let file =
            sys::vfio::dup_fd(&device).map_err(|e| failed("cannot duplicate the device descriptor", HwError::Io(e)))?;
        let config = (
            device.get_region_offset(VFIO_PCI_CONFIG_REGION_INDEX),
            device.get_region_size(VFIO_PCI_CONFIG_REGION_INDEX),
        );
        if config.1 < 64 {
            let e = HwError::Refused(format!("VFIO reports no PCI config space (region 7 has {} bytes)", config.1));
            return Err(VfioOpenError::Device { addr, source: e });
        }
        let mut f = VfioFunction {
            address: addr,
            ids: PciIds::default(),
            bars: Vec::new(),
            irq_kind: IrqKind::None,
            irq_fds: Vec::new(),
            config,
            file,
            device,
        };
        // Start from a known state whatever the last user left (a jsk killed
        // with SIGKILL included): reset where VFIO can, no bus mastering.
        f.device.reset();
        f.set_bus_master(false).map_err(|e| failed("turning bus mastering off", e))?;
        f.ids = f.read_ids().map_err(|e| failed("reading config space", e))?;
        f.bars = f.read_bars().map_err(|e| failed("reading the BARs", e))?;
        f.enable_irqs().map_err(|e| failed("interrupts", e))?;
        Ok(f)
    }

    pub fn config_read(&self, off: u64, width: u8) -> Result<u64, HwError> {
        if width == 8 {
            return Ok(self.config_read(off, 4)? | self.config_read(off + 4, 4)? << 32);
        }
        let mut b = [0u8; 8];
        self.file.read_exact_at(&mut b[..width as usize], self.config.0 + off).map_err(io_err)?;
        Ok(u64::from_le_bytes(b))
    }

    pub fn config_write(&self, off: u64, width: u8, value: u64) -> Result<(), HwError> {
        if width == 8 {
            self.config_write(off, 4, value & 0xffff_ffff)?;
            return self.config_write(off + 4, 4, value >> 32);
        }
        self.file.write_all_at(&value.to_le_bytes()[..width as usize], self.config.0 + off).map_err(io_err)
    }

    pub fn config_size(&self) -> u64 {
        self.config.1
    }

    fn read_ids(&self) -> Result<PciIds, HwError> {
        let r = |o: u16, w| self.config_read(o as u64, w);
        Ok(PciIds {
            vendor: r(cfg::VENDOR_ID, 2)? as u16,
            device: r(cfg::DEVICE_ID, 2)? as u16,
            revision: r(cfg::REVISION_ID, 1)? as u8,
            class: (r(cfg::REVISION_ID, 4)? >> 8) as u32,
            subsystem: (r(cfg::SUBSYSTEM_VENDOR_ID, 2)? as u16, r(cfg::SUBSYSTEM_ID, 2)? as u16),
            irq_pin: r(cfg::INTERRUPT_PIN, 1)? as u8,
        })
    }

    fn read_bars(&self) -> Result<Vec<VfioBar>, HwError> {
        let mut bars = Vec::new();
        for index in 0..6u32 {
            let size = self.device.get_region_size(index);
            // Unused BARs and the upper halves of 64-bit BARs have size 0.
            if size == 0 {
                continue;
            }
            let flags = self.device.get_region_flags(index);
            if flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE) == 0 {
                continue;
            }
            // VFIO emulates the BAR registers; bit 0 still says I/O space.
            let reg = self.config_read(cfg::BAR0 as u64 + 4 * index as u64, 4)?;
            let space = if reg & 1 == 1 { Space::Io } else { Space::Mem };
            let mappable = space == Space::Mem && flags & VFIO_REGION_INFO_FLAG_MMAP != 0;
            bars.push(VfioBar { index, space, size, mappable, offset: self.device.get_region_offset(index) });
        }
        Ok(bars)
    }

    /// Enable every vector of the best mechanism the function offers, one
    /// eventfd each; fall back to fewer vectors, then to the next mechanism.
    /// A function whose interrupts all refuse is still usable by polling
    /// drivers, so that is a warning, not an error.
    fn enable_irqs(&mut self) -> Result<(), HwError> {
        let mut offered = Vec::new();
        for kind in [IrqKind::MsiX, IrqKind::Msi, IrqKind::Intx] {
            let index = kind.index().expect("a real kind");
            let count = self.device.get_irq_info(index).map_or(0, |i| i.count);
            if count == 0 {
                continue;
            }
            offered.push(format!("{} x{count}", kind.name()));
            let want = count.min(MAX_VECTORS);
            for n in if want > 1 { vec![want, 1] } else { vec![1] } {
                let fds = (0..n)
                    .map(|_| EventFd::new(libc::EFD_NONBLOCK | libc::EFD_CLOEXEC))
                    .collect::<std::io::Result<Vec<_>>>()
                    .map_err(|e| HwError::Io(e).during("cannot create an eventfd"))?;
                if self.device.enable_irq(index, fds.iter().collect()).is_ok() {
                    self.irq_kind = kind;
                    self.irq_fds = fds;
                    return Ok(());
                }
            }
        }
        if !offered.is_empty() {
            log::warn!(
                "vfio {}: no interrupt could be enabled (offered: {}); drivers must poll",
                self.address,
                offered.join(", ")
            );
        }
        Ok(())
    }

    /// Number of interrupt vectors enabled.
    pub fn irq_count(&self) -> usize {
        self.irq_fds.len()
    }

    /// The eventfd of vector `i`.
    pub fn irq_fd(&self, i: usize) -> Option<i32> {
        self.irq_fds.get(i).map(|f| f.as_raw_fd())
    }

    /// Re-arm INTx after the device was serviced (the kernel masks it when
    /// it fires); nothing to do for MSI and MSI-X.
    pub fn unmask(&self) -> Result<(), HwError> {
        if self.irq_kind != IrqKind::Intx {
            return Ok(());
        }
        self.device
            .unmask_irq(VFIO_PCI_INTX_IRQ_INDEX)
            .map_err(|e| HwError::Refused(format!("vfio {}: INTx unmask: {e}", self.address)))
    }

    /// Bus mastering (command register bit 2) on or off.
    pub fn set_bus_master(&self, on: bool) -> Result<(), HwError> {
        let cmd = self.config_read(cfg::COMMAND as u64, 2)?;
        let master = cfg::COMMAND_MASTER as u64;
        let new = if on { cmd | master } else { cmd & !master };
        if new != cmd {
            self.config_write(cfg::COMMAND as u64, 2, new)?;
        }
        Ok(())
    }

    /// Quiet the function: interrupts off, bus mastering off, reset.
    fn quiesce(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(index) = self.irq_kind.index() {
            if let Err(e) = self.device.disable_irq(index) {
                problems.push(format!("disabling {} interrupts: {e}", self.irq_kind.name()));
            }
        }
        if let Err(e) = self.set_bus_master(false) {
            problems.push(format!("turning bus mastering off: {e}"));
        }
        self.device.reset();
        problems
    }
}

/// A BAR or config space reached one access at a time through the device fd.
struct RegionBus {
    host: Arc<VfioHost>,
    function: usize,
    /// Offset of the region in the device fd (0 and config for config space).
    offset: u64,
    config: bool,
}

impl RegionBus {
    /// One access of exactly `width` bytes (8 as two 4-byte ones: VFIO's
    /// I/O-port path takes at most 4).
    fn read_at(&self, addr: u64, width: u8) -> Result<u64, HwError> {
        let f = &self.host.functions[self.function];
        if self.config {
            return f.config_read(addr, width);
        }
        if width == 8 {
            return Ok(self.read_at(addr, 4)? | self.read_at(addr + 4, 4)? << 32);
        }
        let mut b = [0u8; 8];
        f.file.read_exact_at(&mut b[..width as usize], self.offset + addr).map_err(io_err)?;
        Ok(u64::from_le_bytes(b))
    }

    fn write_at(&self, addr: u64, width: u8, value: u64) -> Result<(), HwError> {
        let f = &self.host.functions[self.function];
        if self.config {
            return f.config_write(addr, width, value);
        }
        if width == 8 {
            self.write_at(addr, 4, value & 0xffff_ffff)?;
            return self.write_at(addr + 4, 4, value >> 32);
        }
        f.file.write_all_at(&value.to_le_bytes()[..width as usize], self.offset + addr).map_err(io_err)
    }
}

impl Bus for RegionBus {
    fn read(&self, _space: Space, addr: u64, width: u8) -> Result<u64, HwError> {
        self.read_at(addr, width)
    }
    fn write(&self, _space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError> {
        self.write_at(addr, width, value)
    }
}

// ---- the host: container, functions, DMA --------------------------------

struct DmaBook {
    iova: IovaAllocator,
    /// Live IOMMU mappings: IOVA -> length.
    mapped: BTreeMap<u64, u64>,
}

/// The PCI functions of one `--vfio` board and their shared IOMMU container.
/// Shared (Arc) between the JS side and the exit hook, which may run on the
/// watchdog thread.
pub struct VfioHost {
    pub functions: Vec<VfioFunction>,
    dma: Mutex<DmaBook>,
    released: AtomicBool,
    // Dropped last: the devices close before their groups leave the container.
    container: Arc<VfioContainer>,
}

impl VfioHost {
    /// Open `addrs` (each `DDDD:BB:DD.F` or `BB:DD.F`), bound to vfio-pci.
    pub fn open(addrs: &[String]) -> Result<Arc<VfioHost>, VfioOpenError> {
        Self::open_at(&SysPaths::default(), addrs)
    }

    pub fn open_at(paths: &SysPaths, addrs: &[String]) -> Result<Arc<VfioHost>, VfioOpenError> {
        if addrs.is_empty() {
            return Err(VfioOpenError::NoneGiven);
        }
        let mut checked = Vec::new();
        for a in addrs {
            let addr = PciAddress::parse(a)?;
            if checked.iter().any(|(b, _)| *b == addr) {
                return Err(VfioOpenError::GivenTwice(addr));
            }
            let group = check_device(paths, &addr)?;
            checked.push((addr, group));
        }
        let container = Arc::new(VfioContainer::new(None).map_err(|e| VfioOpenError::Vfio(container_message(&e)))?);
        let ops: Arc<dyn VfioOps> = container.clone();
        let mut functions = Vec::new();
        for (addr, group) in checked {
            let device = VfioDevice::new(&paths.device_dir(&addr), ops.clone(), false)
                .map_err(|e| VfioOpenError::Vfio(device_message(paths, &addr, group, e)))?;
            functions.push(VfioFunction::open(addr, device)?);
        }
        // The IOMMU is set up once the first group joined the container.
        let ranges = sys::vfio::iommu_info(&container).map(|b| parse_iova_ranges(&b)).unwrap_or_default();
        let book = DmaBook { iova: IovaAllocator::new(&ranges), mapped: BTreeMap::new() };
        Ok(Arc::new(VfioHost { functions, dma: Mutex::new(book), released: AtomicBool::new(false), container }))
    }

    pub fn function(&self, address: &str) -> Option<(usize, &VfioFunction)> {
        self.functions.iter().enumerate().find(|(_, f)| f.address.to_string() == address)
    }

    pub fn is_released(&self) -> bool {
        self.released.load(Ordering::SeqCst)
    }

    /// BAR `bar` of function `index` as a register window named `label`:
    /// mapped in place where VFIO allows, else through the device fd.
    pub fn bar_region(self: &Arc<Self>, index: usize, bar: u32, label: String) -> Result<RegionCore, HwError> {
        let f = &self.functions[index];
        let b =
            f.bars.iter().find(|b| b.index == bar).ok_or_else(|| HwError::Invalid(format!("{label}: no such BAR")))?;
        if b.mappable {
            let len = usize::try_from(b.size).map_err(|_| HwError::OutOfRange(format!("{label}: too large to map")))?;
            // A failed mmap (e.g. a BAR smaller than a page) falls back to positioned I/O.
            if let Ok(map) = memmap2::MmapOptions::new().offset(b.offset).len(len).map_raw(&f.file) {
                let window = Window::Mapped { mem: Rc::new(sys::Memory::from_map(map)), off: 0 };
                return Ok(RegionCore::new(label, b.size, b.space, window));
            }
        }
        let bus = Rc::new(RegionBus { host: self.clone(), function: index, offset: b.offset, config: false });
        Ok(RegionCore::new(label, b.size, b.space, Window::Bus { bus, space: b.space, base: 0 }))
    }

    /// Config space of function `index` as a register window.
    pub fn config_region(self: &Arc<Self>, index: usize, label: String) -> RegionCore {
        let size = self.functions[index].config_size();
        let bus = Rc::new(RegionBus { host: self.clone(), function: index, offset: 0, config: true });
        RegionCore::new(label, size, Space::Mem, Window::Bus { bus, space: Space::Mem, base: 0 })
    }

    /// DMA memory for this board's devices, for `hw::DmaSource::Iommu`.
    pub fn dma_source(self: &Arc<Self>) -> Rc<dyn IommuDma> {
        Rc::new(VfioDma(Arc::downgrade(self)))
    }

    /// Allocate, map, and book `size` bytes for DMA.
    fn map_dma(self: &Arc<Self>, size: u64, align: u64) -> Result<DmaMapping, HwError> {
        let mut book = self.dma.lock().unwrap_or_else(|e| e.into_inner());
        // Checked under the lock: `release` sets the flag before it collects
        // the mappings to undo, so nothing is mapped behind its back.
        if self.is_released() {
            return Err(HwError::Invalid("the VFIO board is closed".into()));
        }
        let (iova, len) = book.iova.alloc(size, align).ok_or_else(|| {
            HwError::Exhausted(format!(
                "no IOVA space left for {size} bytes (align {align}; {} bytes free)",
                book.iova.free_bytes()
            ))
        })?;
        let mapped = memmap2::MmapOptions::new()
            .len(len as usize)
            .populate()
            .map_anon()
            .map_err(|e| HwError::Io(e).during(format!("cannot allocate {len} bytes")))
            .and_then(|m| {
                let mem = sys::Memory::from_map(memmap2::MmapRaw::from(m));
                match sys::vfio::dma_map(&self.container, iova, &mem) {
                    Ok(()) => Ok(mem),
                    Err(VfioError::IommuDmaMap(e)) if e.errno() == libc::ENOMEM => Err(HwError::Exhausted(format!(
                        "mapping {len} bytes at IOVA {iova:#x} for the device: out of lockable memory \
                         (raise the locked-memory limit, ulimit -l / RLIMIT_MEMLOCK, or run as root)"
                    ))),
                    Err(e) => {
                        Err(HwError::Refused(format!("mapping {len} bytes at IOVA {iova:#x} for the device: {e}")))
                    }
                }
            });
        let mem = match mapped {
            Ok(m) => Rc::new(m),
            Err(e) => {
                book.iova.release(iova, len);
                return Err(e);
            }
        };
        book.mapped.insert(iova, len);
        let host = Arc::downgrade(self);
        let release = Box::new(move || {
            if let Some(h) = host.upgrade() {
                h.unmap_dma(iova);
            }
        });
        Ok((mem, iova, release))
    }

    /// Unmap one buffer and give its IOVA back (a failed unmap keeps the
    /// IOVA out of use: the IOMMU may still translate it).
    fn unmap_dma(&self, iova: u64) {
        let mut book = self.dma.lock().unwrap_or_else(|e| e.into_inner());
        let Some(len) = book.mapped.remove(&iova) else { return };
        match self.container.vfio_dma_unmap(iova, len as usize) {
            Ok(()) => book.iova.release(iova, len),
            Err(e) => log::error!("vfio: unmapping DMA at IOVA {iova:#x} ({len} bytes): {e}"),
        }
    }

    /// Live DMA mappings (IOVA, length), lowest first.
    pub fn dma_mappings(&self) -> Vec<(u64, u64)> {
        self.dma.lock().unwrap_or_else(|e| e.into_inner()).mapped.iter().map(|(&a, &l)| (a, l)).collect()
    }

    /// Leave every function quiet and the IOMMU empty: interrupts disabled,
    /// bus mastering off, reset where supported, then all DMA unmapped. Runs
    /// once; later calls do nothing. Problems are logged, not returned
    /// (this runs on exit paths).
    pub fn release(&self) {
        if self.released.swap(true, Ordering::SeqCst) {
            return;
        }
        for f in &self.functions {
            for p in f.quiesce() {
                log::error!("vfio {}: release: {p}", f.address);
            }
        }
        let iovas: Vec<u64> = self.dma.lock().unwrap_or_else(|e| e.into_inner()).mapped.keys().copied().collect();
        for iova in iovas {
            self.unmap_dma(iova);
        }
    }
}

impl Drop for VfioHost {
    fn drop(&mut self) {
        self.release();
    }
}

struct VfioDma(Weak<VfioHost>);

impl IommuDma for VfioDma {
    fn map(&self, size: u64, align: u64) -> Result<DmaMapping, HwError> {
        let host = self.0.upgrade().ok_or_else(|| HwError::Invalid("the VFIO board is gone".into()))?;
        host.map_dma(size, align)
    }
}

/// The PCI functions of one `VfioHost` as a board's backend.
pub struct VfioBackend {
    host: Arc<VfioHost>,
    dma: crate::hw::DmaSource,
}

impl VfioBackend {
    /// Open `addrs` and release them on every exit path (process.exit,
    /// --timeout, signals) even if JS never closes the board; the hook holds
    /// a Weak, so a board that is closed and collected does not stay open.
    pub fn open(addrs: &[String]) -> Result<VfioBackend, VfioOpenError> {
        let host = VfioHost::open(addrs)?;
        let weak = Arc::downgrade(&host);
        crate::sys::process::on_exit(move || {
            if let Some(h) = weak.upgrade() {
                h.release();
            }
        });
        let dma = crate::hw::DmaSource::Iommu(host.dma_source());
        Ok(VfioBackend { host, dma })
    }

    /// The opened functions as the board lists them. A BAR's bus address is
    /// the host's business under VFIO: regions are offsets into the device fd.
    pub fn devices(&self) -> Vec<DeviceInfo> {
        self.host
            .functions
            .iter()
            .map(|f| {
                let a = f.address;
                let bars = f
                    .bars
                    .iter()
                    .map(|b| PciBar {
                        index: b.index as u8,
                        space: b.space,
                        addr: 0,
                        size: b.size,
                        prefetchable: false,
                        is64: false,
                    })
                    .collect();
                let pci = PciFunction { bdf: (a.bus, a.device, a.function), ids: f.ids, bars, irq_line: None };
                DeviceInfo {
                    irq_kind: Some(f.irq_kind.name()),
                    irq_lines: (0..f.irq_count() as u32).collect(),
                    ..pci_device(a.domain, &pci)
                }
            })
            .collect()
    }

    fn function(&self, dev: &DeviceInfo) -> Result<(usize, &VfioFunction), HwError> {
        self.host.function(&dev.id).ok_or_else(|| HwError::Invalid("not opened through VFIO".into()))
    }
}

impl super::Backend for VfioBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Vfio
    }
    fn region(&self, dev: &DeviceInfo, r: &RegionInfo, label: String) -> Result<RegionCore, HwError> {
        let (index, _) = self.function(dev)?;
        self.host.bar_region(index, r.index.unwrap_or(0), label)
    }
    fn config(&self, dev: &DeviceInfo, label: String) -> Result<Option<RegionCore>, HwError> {
        let (index, _) = self.function(dev)?;
        Ok(Some(self.host.config_region(index, label)))
    }
    fn irq_fd(&self, dev: &DeviceInfo, i: u32, _line: u32) -> Result<i32, HwError> {
        let (_, f) = self.function(dev)?;
        f.irq_fd(i as usize).ok_or_else(|| HwError::Invalid(format!("no interrupt {i}")))
    }
    fn irq_unmask(&self, dev: &DeviceInfo, _i: u32) -> Result<(), HwError> {
        let (_, f) = self.function(dev)?;
        f.unmask()
    }
    fn dma(&self) -> Option<&crate::hw::DmaSource> {
        Some(&self.dma)
    }
    fn bus_master(&self, dev: &DeviceInfo, on: bool) -> Result<(), HwError> {
        let (_, f) = self.function(dev)?;
        f.set_bus_master(on)
    }
    fn released(&self) -> bool {
        self.host.is_released()
    }
    fn close(&self) {
        self.host.release();
    }
}
