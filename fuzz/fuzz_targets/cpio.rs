//! A newc cpio archive (an initramfs the image builder reads back).
#![no_main]
use jsk::image::cpio;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = cpio::read(data) {
        // What was read writes back out.
        let mut w = cpio::Writer::new(Vec::new(), 0);
        for e in &entries {
            if e.is_file() {
                let _ = w.file(&e.name, e.mode & 0o7777, &e.data);
            }
        }
        let _ = w.finish();
    }
});
