//! The mem backend: a board's regions mapped from a file with memmap2
//! (`/dev/mem`, `/dev/gpiomem`, a sysfs `resourceN`, or any file), port I/O
//! through `/dev/port`. No DMA memory, no interrupts.

use std::rc::Rc;

use super::Backend;
use crate::hw::board::{BackendKind, DeviceInfo, RegionInfo};
use crate::hw::{Bus, HwError, Space};
use crate::hw::{RegionCore, Window};

/// `size` bytes of `path` at `offset`, mapped shared and read-write; opened
/// with O_SYNC so that /dev/mem mappings are uncached.
pub fn map_file(path: &str, offset: u64, size: u64, name: String) -> Result<RegionCore, HwError> {
    use std::os::unix::fs::OpenOptionsExt;
    if size == 0 {
        return Err(HwError::Invalid(format!("mapRegion {name}: size must be > 0")));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_SYNC)
        .open(path)
        .map_err(|e| HwError::Invalid(format!("mapRegion {name}: cannot open {path}: {e}")))?;
    // Pages of a mapping past the end of a regular file fault (SIGBUS) when
    // touched: refuse a window the file does not hold. Device files (/dev/mem)
    // are not regular files; sysfs resourceN files report their BAR's size.
    // (A file truncated after it was mapped still faults: keep it whole.)
    if let Ok(meta) = file.metadata() {
        if meta.is_file() && offset.checked_add(size).is_none_or(|end| end > meta.len()) {
            return Err(HwError::OutOfRange(format!(
                "mapRegion {name}: {size} bytes at {offset:#x} run past the end of {path} ({} bytes)",
                meta.len()
            )));
        }
    }
    let map = memmap2::MmapOptions::new()
        .offset(offset)
        .len(size as usize)
        .map_raw(&file)
        .map_err(|e| HwError::Invalid(format!("mapRegion {name}: cannot map {path} at {offset:#x}: {e}")))?;
    let window = Window::Mapped { mem: Rc::new(crate::sys::Memory::from_map(map)), off: 0 };
    Ok(RegionCore::new(name, size, Space::Mem, window))
}

/// Port I/O through /dev/port (x86): one pread/pwrite of exactly the access
/// width per access.
struct DevPort(std::fs::File);

impl Bus for DevPort {
    fn read(&self, _space: Space, addr: u64, width: u8) -> Result<u64, HwError> {
        use std::os::unix::fs::FileExt;
        let mut b = [0u8; 8];
        self.0.read_exact_at(&mut b[..width as usize], addr)?;
        Ok(u64::from_le_bytes(b))
    }
    fn write(&self, _space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError> {
        use std::os::unix::fs::FileExt;
        self.0.write_all_at(&value.to_le_bytes()[..width as usize], addr)?;
        Ok(())
    }
}

pub struct MemBackend;

impl Backend for MemBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Mem
    }
    fn region(&self, _dev: &DeviceInfo, r: &RegionInfo, label: String) -> Result<RegionCore, HwError> {
        if r.space == Space::Io {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/port")
                .map_err(|e| HwError::Unsupported(format!("{label}: port I/O needs /dev/port: {e}")))?;
            let window = Window::Bus { bus: Rc::new(DevPort(f)), space: Space::Io, base: r.base };
            return Ok(RegionCore::new(label, r.size, Space::Io, window));
        }
        map_file(r.file.as_deref().unwrap_or("/dev/mem"), r.offset.unwrap_or(r.base), r.size, label)
    }
    fn close(&self) {}
}
