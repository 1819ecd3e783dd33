//! Backends: where a device's registers, DMA memory and interrupts come from.
//!
//! | backend | registers | DMA memory | interrupts |
//! | --- | --- | --- | --- |
//! | `fake` | an in-process register file, with optional JS behaviour | host memory | raised by the test |
//! | `mem` | memmap2 over /dev/mem, /dev/gpiomem, a sysfs `resourceN` or any file | none | none |
//! | `qtest` | QEMU device models over the qtest socket | carved from guest RAM shared as a file | qtest IRQ lines |
//!
//! A driver sees none of this: it gets a `Device` whose regions, DMA buffers
//! and IRQs behave the same whichever backend made them.

pub mod pci;
pub mod qtest;
pub mod vfio;

use std::time::Duration;

/// Address spaces a register window can live in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// Memory-mapped I/O.
    Mem,
    /// x86 port I/O.
    Io,
}

#[derive(Debug, thiserror::Error)]
pub enum HwError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("QEMU: {0}")]
    Qemu(String),
    #[error("timed out after {} ms waiting for {what}", .after.as_millis())]
    Timeout { what: String, after: Duration },
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

/// A bus that carries register accesses one at a time (the qtest socket).
/// Mapped windows do not use this: they are read and written in place.
/// Called from the JS thread only; widths are 1, 2, 4 or 8 bytes.
pub trait Bus {
    fn read(&self, space: Space, addr: u64, width: u8) -> Result<u64, HwError>;
    fn write(&self, space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError>;
}
