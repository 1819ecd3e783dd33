//! The qtest tier: every driver in drivers/ on QEMU's own device models, no
//! guest OS. Each case runs `jsk` on a board from devices/ and asserts on
//! what crossed the wire: register values, interrupt lines QEMU reported,
//! bytes on a host socket, GPIO lines QEMU saw change.

use std::time::Duration;

use hwtests::{read_bytes, require_qemu, run_jsk, scratch, write_bytes, SerialPeer};

const X86: &str = "devices/qemu-x86.toml";
const VIRT: &str = "devices/qemu-aarch64-virt.toml";
const RASPI: &str = "devices/qemu-raspi3b.toml";

fn x86(args: &[&str]) -> hwtests::JskRun {
    require_qemu("qemu-system-x86_64");
    let mut all = vec!["--board", X86];
    all.extend_from_slice(args);
    let r = run_jsk(&all);
    r.assert_ok();
    r
}

// ---- edu ----------------------------------------------------------------

#[test]
fn edu_identity() {
    let r = x86(&["hwtests/qtest/edu.js", "identity"]);
    assert_eq!(r.result("version"), "\"1.0\"");
    assert_eq!(r.result("id"), "\"10000ed\"");
    assert!(r.result("address").starts_with("\"0000:00:"), "{}", r.result("address"));
}

#[test]
fn edu_liveness() {
    let r = x86(&["hwtests/qtest/edu.js", "liveness"]);
    assert_eq!(r.result("liveness"), r#"["edcba987","ffffffff","0"]"#);
}

#[test]
fn edu_factorial_with_interrupt() {
    let r = x86(&["hwtests/qtest/edu.js", "factorial"]);
    assert_eq!(r.result("factorials"), "[1,1,120,479001600]");
    // q35: edu's INTA arrives on IOAPIC pin 16 + its PIRQ; one raise and lower per computation.
    let log: Vec<String> = serde_like_strings(&r.result("irqLog"));
    assert_eq!(log.len(), 8, "{log:?}");
    let line = log[0].strip_prefix("raise ").expect("starts with a raise").to_string();
    assert!((16..24).contains(&line.parse::<u32>().unwrap()), "PCI INTx on a PIRQ pin, got {line}");
    for pair in log.chunks(2) {
        assert_eq!(pair, [format!("raise {line}"), format!("lower {line}")]);
    }
    assert_eq!(r.result("otherRaises"), "0");
    assert_eq!(r.result("polled"), "3628800");
}

#[test]
fn edu_dma_round_trip() {
    let r = x86(&["hwtests/qtest/edu.js", "dma"]);
    assert_eq!(r.result("equal"), "true");
    assert_eq!(r.result("middle"), "\"jsk\"");
}

/// `["a","b"]` -> [a, b] (the cases print flat arrays of plain strings).
fn serde_like_strings(s: &str) -> Vec<String> {
    s.trim_matches(|c| c == '[' || c == ']').split(',').filter(|x| !x.is_empty()).map(|x| x.trim_matches('"').to_string()).collect()
}

// ---- 16550 UART -----------------------------------------------------------

fn uart_transmit(which: &'static str, chardev_id: &str) {
    require_qemu("qemu-system-x86_64");
    let dir = scratch(&format!("uart-tx-{which}"));
    let peer = SerialPeer::new(&dir, "s");
    let chardev = peer.chardev(chardev_id);
    let handle = std::thread::spawn(move || run_jsk(&["--board", X86, "--chardev", &chardev, "hwtests/qtest/uart.js", which, "transmit"]));
    let mut sock = peer.accept(Duration::from_secs(30));
    let want = format!("hello from jsk over {which}-serial\n");
    let got = read_bytes(&mut sock, want.len(), Duration::from_secs(30));
    let r = handle.join().unwrap();
    r.assert_ok();
    assert_eq!(String::from_utf8_lossy(&got), want);
}

fn uart_receive(which: &'static str, chardev_id: &str) {
    require_qemu("qemu-system-x86_64");
    let dir = scratch(&format!("uart-rx-{which}"));
    let peer = SerialPeer::new(&dir, "s");
    let chardev = peer.chardev(chardev_id);
    let handle = std::thread::spawn(move || run_jsk(&["--board", X86, "--chardev", &chardev, "hwtests/qtest/uart.js", which, "receive"]));
    let mut sock = peer.accept(Duration::from_secs(30));
    let ready = read_bytes(&mut sock, 6, Duration::from_secs(30));
    assert_eq!(ready, b"READY\n");
    let text = "bytes sent by the host test -> 1"; // 32 bytes: two FIFOs' worth
    write_bytes(&mut sock, text.as_bytes());
    let r = handle.join().unwrap();
    r.assert_ok();
    assert_eq!(r.result("received"), format!("{text:?}"));
    assert_eq!(r.result("mode"), "\"irq\"");
}

#[test]
fn uart16550_isa_serial_transmit() {
    uart_transmit("isa", "ser0");
}

#[test]
fn uart16550_isa_serial_receive() {
    uart_receive("isa", "ser0");
}

#[test]
fn uart16550_pci_serial_transmit() {
    uart_transmit("pci", "pciser0");
}

#[test]
fn uart16550_pci_serial_receive() {
    uart_receive("pci", "pciser0");
}

// ---- PL061 on QEMU virt -----------------------------------------------------

fn virt(args: &[&str]) -> hwtests::JskRun {
    require_qemu("qemu-system-aarch64");
    let mut all = vec!["--board", VIRT];
    all.extend_from_slice(args);
    let r = run_jsk(&all);
    r.assert_ok();
    r
}

#[test]
fn pl061_output_levels() {
    let r = virt(&["--qtest-observe", "pl061", "hwtests/qtest/gpio.js", "outputs"]);
    assert_eq!(
        serde_like_strings(&r.result("log")),
        ["raise 0", "raise 2", "lower 0", "raise 3", "raise 1", "lower 1"],
        "the PL061's output lines as QEMU saw them"
    );
    assert_eq!(r.result("levels"), "[false,false,true,true]");
}

#[test]
fn pl061_inputs() {
    let r = virt(&["hwtests/qtest/gpio.js", "inputs"]);
    assert_eq!(r.result("inputs"), "[true,false,true]");
}

#[test]
fn pl061_edge_interrupt() {
    let r = virt(&["hwtests/qtest/gpio.js", "edge-interrupt"]);
    assert_eq!(r.result("edge"), "\"rising\"");
}

// ---- BCM2835 GPIO on QEMU raspi3b ----------------------------------------------

fn raspi(args: &[&str]) -> hwtests::JskRun {
    require_qemu("qemu-system-aarch64");
    let mut all = vec!["--board", RASPI];
    all.extend_from_slice(args);
    let r = run_jsk(&all);
    r.assert_ok();
    r
}

#[test]
fn bcm2835_function_select_set_and_clear() {
    let r = raspi(&["--qtest-observe", "bcm2835_gpio", "hwtests/qtest/gpio.js", "outputs-high"]);
    assert_eq!(serde_like_strings(&r.result("log")), ["raise 17", "raise 40", "lower 17"]);
    assert_eq!(r.result("functions"), r#"["output","output","input"]"#);
}

#[test]
fn bcm2835_level_read() {
    let r = raspi(&["--qtest-observe", "bcm2835_gpio", "hwtests/qtest/gpio.js", "outputs-high"]);
    assert_eq!(r.result("levels"), "[false,true]");
}
