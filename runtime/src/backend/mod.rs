//! Backends: where a device's registers, DMA memory and interrupts come from.
//!
//! | backend | registers | DMA memory | interrupts |
//! | --- | --- | --- | --- |
//! | `fake` | an in-process register file, with optional JS behaviour | host memory | raised by the test |
//! | `mem` | memmap2 over /dev/mem, /dev/gpiomem, a sysfs `resourceN` or any file | none | none |
//! | `qtest` | QEMU device models over the qtest socket | carved from guest RAM shared as a file | qtest IRQ lines |
//! | `vfio` | PCI BARs mapped through VFIO | host memory mapped in the IOMMU | eventfds (MSI-X, MSI, INTx) |
//!
//! Each is one `Backend`; a driver sees none of this: it gets a `Device`
//! whose regions, DMA buffers and IRQs behave the same whichever backend
//! made them.

pub mod fake;
pub mod fake_nic;
pub mod fake_virtq;
pub mod mem;
pub mod qtest;
pub mod qtest_board;
pub mod vfio;

use crate::hw::board::{BackendKind, DeviceInfo, RegionInfo};
use crate::hw::{DmaSource, HwError, RegionCore};

/// One opened board's backend: what `Board` (the JS class in `js::board`)
/// asks for each device. `Board` checks once that the board is still open
/// before it calls any of these; a backend only answers for live devices.
/// Errors are the backend's; `Board` adds the device's name.
pub trait Backend {
    fn kind(&self) -> BackendKind;
    /// The register window of region `region` of device `dev`, named `label`.
    fn region(&self, dev: &DeviceInfo, region: &RegionInfo, label: String) -> Result<RegionCore, HwError>;
    /// PCI configuration space of `dev` as a register window; None where the backend has none.
    fn config(&self, _dev: &DeviceInfo, _label: String) -> Result<Option<RegionCore>, HwError> {
        Ok(None)
    }
    /// An eventfd signalled on interrupt `i` of `dev`, whose board line is `line`.
    fn irq_fd(&self, _dev: &DeviceInfo, _i: u32, _line: u32) -> Result<i32, HwError> {
        Err(HwError::Unsupported(format!("the {} backend delivers no interrupts", self.kind().name())))
    }
    /// Re-arm interrupt `i` after servicing (VFIO INTx); nothing elsewhere.
    fn irq_unmask(&self, _dev: &DeviceInfo, _i: u32) -> Result<(), HwError> {
        Ok(())
    }
    /// Where DMA memory comes from; None where devices cannot reach host memory.
    fn dma(&self) -> Option<&DmaSource> {
        None
    }
    fn bus_master(&self, _dev: &DeviceInfo, _on: bool) -> Result<(), HwError> {
        Ok(())
    }
    /// Interrupt line changes seen since the last call (qtest).
    fn irq_log(&self) -> Vec<qtest::IrqEvent> {
        Vec::new()
    }
    /// Drive input `line` of the first device model of type `qom_type` (qtest).
    fn set_irq_in(&self, _qom_type: &str, _name: Option<&str>, _line: u32, _level: i32) -> Result<(), HwError> {
        Err(HwError::Unsupported("setIrqIn needs the qtest backend".into()))
    }
    /// Plug or unplug the cable of netdev `id` (qtest: QMP `set_link`), as a link change the
    /// NIC model reports to its driver.
    fn set_link(&self, _id: &str, _up: bool) -> Result<(), HwError> {
        Err(HwError::Unsupported("setLink needs the qtest backend".into()))
    }
    /// Set integer property `property` of the device QEMU knows as `id` (qtest: QMP
    /// `qom-set` under /machine/peripheral), as a change in the world the model sees.
    fn set_property(&self, _id: &str, _property: &str, _value: i64) -> Result<(), HwError> {
        Err(HwError::Unsupported("setProperty needs the qtest backend".into()))
    }
    /// True once the devices were let go of other than by `close` (VFIO's exit hook).
    fn released(&self) -> bool {
        false
    }
    /// Quiet the devices and let go of them (stop QEMU; VFIO: interrupts off,
    /// bus mastering off, reset, DMA unmapped). Called once.
    fn close(&self);
}
