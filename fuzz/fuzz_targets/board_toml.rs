//! A board description (devices/*.toml): any text is a board or an error.
#![no_main]
use jsk::hw::board::{platform_devices, BoardSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(spec) = BoardSpec::parse(text) {
        for d in platform_devices(&spec) {
            assert!(d.regions.iter().all(|r| r.size > 0));
        }
    }
});
