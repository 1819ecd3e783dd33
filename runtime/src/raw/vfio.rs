//! Raw VFIO code: device-region mappings, ioctls the vfio-ioctls crate does
//! not wrap, DMA memory handed to the IOMMU.
