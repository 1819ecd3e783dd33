//! Raw VFIO code: device-region mappings, ioctls the vfio-ioctls crate does
//! not wrap, DMA memory handed to the IOMMU.
//!
//! The checks (which region, how long, which IOVA) live in
//! `backend::vfio`; what is here only crosses into the kernel.

use std::fs::File;
use std::os::fd::{AsRawFd, BorrowedFd};

use vfio_bindings::bindings::vfio::{vfio_iommu_type1_info, VFIO_BASE, VFIO_TYPE};
use vfio_ioctls::{VfioContainer, VfioError};

use super::Memory;

/// A second descriptor for what `owner` has open (a VFIO device), owned by
/// the caller: read and written with safe positioned I/O (`FileExt`) and
/// mapped with memmap2, independent of the owner's lifetime.
pub fn dup_fd(owner: &impl AsRawFd) -> std::io::Result<File> {
    // SAFETY: `owner` is borrowed for the whole call, so its descriptor stays
    // open while it is duplicated; the duplicate (F_DUPFD_CLOEXEC) is a new
    // descriptor that nothing else owns.
    let fd = unsafe { BorrowedFd::borrow_raw(owner.as_raw_fd()) };
    Ok(File::from(fd.try_clone_to_owned()?))
}

/// Let the devices of `container` reach all of `mem` at `iova`, read and write.
pub fn dma_map(container: &VfioContainer, iova: u64, mem: &Memory) -> Result<(), VfioError> {
    // SAFETY: vfio-ioctls asks that no Rust reference to the memory is live or
    // made while it is mapped, since the device writes it concurrently. `mem`
    // is an anonymous mapping that jsk reaches only through raw pointers
    // (volatile accesses and byte copies in `Memory`/`Lent`) and through
    // QuickJS's ArrayBuffer, which is C. The caller unmaps (`vfio_dma_unmap`,
    // or closing the container) before the last `Rc<Memory>` goes, because
    // `Lent` runs its release before dropping the memory and the VFIO
    // backend unmaps everything when it is released or dropped.
    unsafe { container.vfio_dma_map(iova, mem.len, mem.ptr) }
}

/// `_IO(VFIO_TYPE, VFIO_BASE + 12)`: VFIO_IOMMU_GET_INFO.
const VFIO_IOMMU_GET_INFO: libc::c_ulong = ((VFIO_TYPE as libc::c_ulong) << 8) | (VFIO_BASE as libc::c_ulong + 12);

/// The bytes of `struct vfio_iommu_type1_info` with its capability chain
/// (the IOVA ranges the IOMMU accepts), asked twice: once for the size the
/// kernel wants, once with room for it. Parsed in `backend::vfio`.
pub fn iommu_info(container: &VfioContainer) -> std::io::Result<Vec<u8>> {
    const HEADER: usize = std::mem::size_of::<vfio_iommu_type1_info>();
    let mut argsz = HEADER;
    for _ in 0..2 {
        // u64 words keep the buffer aligned for the kernel's u64 fields.
        let mut words = vec![0u64; argsz.div_ceil(8)];
        let head = (argsz as u32).to_ne_bytes();
        let mut first = [0u8; 8];
        first[..4].copy_from_slice(&head);
        words[0] = u64::from_ne_bytes(first);
        // SAFETY: the buffer holds `argsz` bytes (rounded up to whole words)
        // and its first field says so; the kernel writes at most argsz bytes
        // and the buffer outlives the call. The container fd is borrowed.
        let r = unsafe { libc::ioctl(container.as_raw_fd(), VFIO_IOMMU_GET_INFO, words.as_mut_ptr()) };
        if r < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let wanted = u32::from_ne_bytes(bytes[..4].try_into().expect("4 bytes")) as usize;
        if wanted <= argsz {
            return Ok(bytes);
        }
        argsz = wanted.min(1 << 16);
    }
    Err(std::io::Error::other("VFIO_IOMMU_GET_INFO kept asking for a larger buffer"))
}
