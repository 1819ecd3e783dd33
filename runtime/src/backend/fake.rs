//! The fake backend: register files in this process (zeroed memory a test
//! drives through hooks or a Rust model such as `fake_nic`), DMA memory from
//! the host with made-up device addresses, and no interrupts.

use std::rc::Rc;

use super::{Backend, HwError, Space};
use crate::hw::board::{BackendKind, DeviceInfo, RegionInfo};
use crate::hw::{DmaSource, RegionCore, Window};

/// A zeroed register file of `size` bytes (1 byte to 1 GiB) as a fake region.
pub fn register_file(name: String, size: u64, space: Space) -> Result<RegionCore, HwError> {
    if !(1..=1 << 30).contains(&size) {
        return Err(HwError::Invalid(format!("fakeRegion {name}: size {size} must be an integer in [1, 1 GiB]")));
    }
    let mem = crate::raw::Memory::zeroed(size as usize, 4096)
        .ok_or_else(|| HwError::Invalid(format!("fakeRegion {name}: out of memory")))?;
    let mut region = RegionCore::new(name, size, space, Window::Mapped { mem: Rc::new(mem), off: 0 });
    region.fake = true;
    Ok(region)
}

pub struct FakeBackend {
    dma: DmaSource,
}

impl Default for FakeBackend {
    /// The fake backend over this thread's fake DMA memory (shared with `fakeDma`).
    fn default() -> FakeBackend {
        FakeBackend { dma: DmaSource::Fake(crate::hw::FAKE_DMA.with(|f| f.clone())) }
    }
}

impl Backend for FakeBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Fake
    }
    fn region(&self, _dev: &DeviceInfo, region: &RegionInfo, label: String) -> Result<RegionCore, HwError> {
        register_file(label, region.size, region.space)
    }
    fn dma(&self) -> Option<&DmaSource> {
        Some(&self.dma)
    }
    fn close(&self) {}
}
