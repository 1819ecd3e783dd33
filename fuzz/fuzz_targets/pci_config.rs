//! PCI enumeration over configuration space a hostile device answers with
//! arbitrary bytes: enumeration ends, and every BAR it places lies inside its
//! window, aligned to its size.
#![no_main]
use jsk::hw::pci::{enumerate_and_assign, ConfigAccess, IrqRouting, PciWindows};
use jsk::hw::{Bus, HwError, Space};
use libfuzzer_sys::fuzz_target;

const ECAM: u64 = 0x3000_0000;

/// Configuration space of every function on bus 0 is the input, repeated;
/// writes are dropped (so a BAR's size probe reads back what the input says).
struct Hostile<'a>(&'a [u8]);

impl Bus for Hostile<'_> {
    fn read(&self, _space: Space, addr: u64, width: u8) -> Result<u64, HwError> {
        let off = addr.wrapping_sub(ECAM) as usize;
        let mut v = 0u64;
        for i in 0..width as usize {
            let b = self.0.get((off + i) % self.0.len()).copied().unwrap_or(0xff);
            v |= (b as u64) << (8 * i);
        }
        Ok(v)
    }
    fn write(&self, _space: Space, _addr: u64, _width: u8, _value: u64) -> Result<(), HwError> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let windows = PciWindows { mem: (0x1000_0000, 0x2000_0000), io: (0x1000, 0x1_0000) };
    let access = ConfigAccess::Ecam { base: ECAM };
    let Ok(found) = enumerate_and_assign(&Hostile(data), &access, &windows, &IrqRouting::VIRT) else { return };
    for f in found {
        for b in f.bars {
            let (start, end) = if b.space == Space::Mem { windows.mem } else { windows.io };
            assert!(b.size > 0 && b.size.is_power_of_two(), "{b:?}");
            assert!(b.addr >= start && b.addr.checked_add(b.size).is_some_and(|e| e <= end), "{b:?}");
            assert_eq!(b.addr % b.size, 0, "{b:?}");
        }
    }
});
