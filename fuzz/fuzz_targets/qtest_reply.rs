//! A line from QEMU's qtest socket: replies and IRQ notifications. Nothing
//! QEMU sends may panic the reader or size a table by a hostile number.
#![no_main]
use jsk::backend::qtest::{parse_line, Line, MAX_IRQ_LINE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Line::Irq { line, .. } = parse_line(data) {
        assert!(line <= MAX_IRQ_LINE);
    }
});
