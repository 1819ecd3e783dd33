//! The fake backend: register files in this process (zeroed memory a test
//! drives through hooks or a Rust model such as `fake_nic`), DMA memory from
//! the host with made-up device addresses, and no interrupts.

use std::cell::RefCell;
use std::rc::Rc;

use super::fake_nic;
use super::fake_virtq::{Queue, VirtqLoopback};
use super::Backend;
use crate::hw::board::{BackendKind, DeviceInfo, RegionInfo};
use crate::hw::{DmaSource, FakeDma, HwError, RegionCore, RegisterModel, Space, Window};
use crate::sys::Memory;

thread_local! {
    /// The fake backend's DMA memory, one per JS thread.
    pub static FAKE_DMA: Rc<RefCell<FakeDma>> = Rc::new(RefCell::new(FakeDma::default()));
}

/// A zeroed register file of `size` bytes (1 byte to 1 GiB) as a fake region.
pub fn register_file(name: String, size: u64, space: Space) -> Result<RegionCore, HwError> {
    if !(1..=1 << 30).contains(&size) {
        return Err(HwError::Invalid(format!("fakeRegion {name}: size {size} must be an integer in [1, 1 GiB]")));
    }
    let mem = Memory::zeroed(size as usize, 4096)
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
        FakeBackend { dma: DmaSource::Fake(FAKE_DMA.with(|f| f.clone())) }
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

impl fake_nic::DeviceMemory for FakeDma {
    fn find(&self, addr: u64, len: usize) -> Option<(Rc<Memory>, usize)> {
        FakeDma::find(self, addr, len)
    }
}

/// The e1000 loopback model on a fake register file.
struct NicModel(fake_nic::Loopback);

impl RegisterModel for NicModel {
    fn written(&mut self, regs: &Memory, off: usize, _width: u8, value: u64) {
        FAKE_DMA.with(|d| self.0.written(regs, &*d.borrow(), off, value));
    }
}

/// Give a fake register file of at least 0x6000 bytes (an e1000's BAR0) the
/// loopback model of `fake_nic`: transmitted frames come back received.
/// False for any other region.
pub fn attach_nic_loopback(core: &mut RegionCore) -> bool {
    match (&core.window, core.fake) {
        (Window::Mapped { mem, .. }, true) if core.size >= 0x6000 => {
            let model = fake_nic::Loopback::new(mem);
            core.model = Some(Rc::new(RefCell::new(NicModel(model))));
            true
        }
        _ => false,
    }
}

/// The split-virtqueue loopback model on a fake register file: a write of `queue` (the
/// transmit queue's index) at `notify` moves its chains into the receive queue.
struct VirtqModel {
    notify: usize,
    queue: u64,
    model: VirtqLoopback,
}

impl RegisterModel for VirtqModel {
    fn written(&mut self, _regs: &Memory, off: usize, _width: u8, value: u64) {
        if off == self.notify && value & 0xffff == self.queue {
            FAKE_DMA.with(|d| self.model.on_notify(&*d.borrow()));
        }
    }
}

/// Give a fake register file the loopback model of `fake_virtq` (the queues where a driver
/// set them up, the notify offset inside the region). False for any other region.
pub fn attach_virtq_loopback(core: &mut RegionCore, notify: u64, queue: u64, rx: Queue, tx: Queue) -> bool {
    match (&core.window, core.fake) {
        (Window::Mapped { .. }, true) if notify.checked_add(2).is_some_and(|end| end <= core.size) => {
            let model = VirtqLoopback::new(rx, tx);
            core.model = Some(Rc::new(RefCell::new(VirtqModel { notify: notify as usize, queue, model })));
            true
        }
        _ => false,
    }
}
