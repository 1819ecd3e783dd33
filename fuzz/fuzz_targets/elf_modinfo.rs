//! An ELF file as the image builder reads binaries and kernel modules.
#![no_main]
use jsk::image::elf::Elf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(elf) = Elf::parse(data) {
        let _ = elf.interpreter();
        let _ = elf.sections();
        let _ = elf.has_symbols();
        let _ = elf.modinfo();
    }
});
