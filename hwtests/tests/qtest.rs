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
    s.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.trim_matches('"').to_string())
        .collect()
}

// ---- 16550 UART -----------------------------------------------------------

fn uart_transmit(which: &'static str, chardev_id: &str) {
    require_qemu("qemu-system-x86_64");
    let dir = scratch(&format!("uart-tx-{which}"));
    let peer = SerialPeer::new(&dir, "s");
    let chardev = peer.chardev(chardev_id);
    let handle = std::thread::spawn(move || {
        run_jsk(&["--board", X86, "--chardev", &chardev, "hwtests/qtest/uart.js", which, "transmit"])
    });
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
    let handle = std::thread::spawn(move || {
        run_jsk(&["--board", X86, "--chardev", &chardev, "hwtests/qtest/uart.js", which, "receive"])
    });
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

// ---- I2C controllers, with the sensor and EEPROM drivers over them ------------------

#[test]
fn ich9_smbus_carries_at24_and_lm75_on_q35s_eeproms() {
    let r = x86(&["hwtests/qtest/i2c.js", "ich9"]);
    assert_eq!(r.result("scan"), r#"["50","51","52","53","54","55","56","57"]"#, "q35's eight smbus-eeproms");
    assert_eq!(r.result("eeprom"), r#"{"size":256,"equal":true}"#, "70 bytes in 8-byte pages, read back in I2C blocks");
    assert_eq!(r.result("blockRead"), "[124,153,182,211]", "the last byte of a 32-byte I2C block read is the data");
    assert_eq!(r.result("temperature"), "-25");
    assert_eq!(r.result("missing"), r#""NoAcknowledge(Unknown)""#, "DEV_ERR: the ICH9 cannot tell address from data");
}

const VERSATILE: &str = "devices/qemu-versatilepb.toml";
const SABRELITE: &str = "devices/qemu-sabrelite.toml";

/// The sensor and EEPROM cases hwtests/qtest/i2c.js runs on a bus with a tmp105 and an AT24.
fn assert_sensor_and_eeprom(r: &hwtests::JskRun, scan: &str, eeprom_size: u32) {
    assert_eq!(r.result("scan"), scan);
    assert_eq!(
        r.result("children"),
        r#"["lm75 on temp0","at24 on eeprom0"]"#,
        "the board file's [[device.child]] entries, bound"
    );
    assert_eq!(r.result("resolution"), "12");
    assert_eq!(
        r.result("temperatures"),
        "[25.5,-12.375,85]",
        "QMP qom-set m°C, read at 12 bits (1/16 °C, toward -inf)"
    );
    assert_eq!(r.result("limits"), r#"{"low":10.5,"high":50}"#);
    assert_eq!(
        r.result("eeprom"),
        format!(r#"{{"size":{eeprom_size},"equal":true}}"#),
        "100 bytes across 32-byte pages, two address bytes"
    );
    assert_eq!(r.result("missing"), r#""NoAcknowledge(Address)""#, "no ACK on the ninth clock of the address byte");
}

#[test]
fn bitbanged_i2c_on_versatilepb_carries_lm75_at24_and_the_ds1338() {
    require_qemu("qemu-system-arm");
    let r = run_jsk(&["--board", VERSATILE, "hwtests/qtest/i2c.js", "versatile"]);
    r.assert_ok();
    assert_sensor_and_eeprom(&r, r#"["48","50","68"]"#, 4096);
    assert_eq!(r.result("rtcSecondsBcd"), "true");
}

#[test]
fn imx_i2c_on_sabrelite_carries_lm75_and_at24() {
    require_qemu("qemu-system-arm");
    let r = run_jsk(&["--board", SABRELITE, "hwtests/qtest/i2c.js", "imx"]);
    r.assert_ok();
    assert_eq!(r.result("frequency"), "85937", "66 MHz / 768, the first divider at or below 100 kHz");
    assert_sensor_and_eeprom(&r, r#"["48","50"]"#, 8192);
}

// ---- SPI: i.MX ECSPI with chip select on a GPIO, the SPI NOR driver over it ----------

#[test]
fn imx_ecspi_and_gpio_chip_select_carry_spi_nor_to_sabrelites_flash() {
    require_qemu("qemu-system-arm");
    let r = run_jsk(&["--board", SABRELITE, "hwtests/qtest/spi.js", "flash"]);
    r.assert_ok();
    assert_eq!(r.result("part"), r#"{"id":"bf2541","chip":"sst25vf016b","size":2097152}"#, "JEDEC ID over ECSPI1");
    assert_eq!(r.result("clock"), "20000000", "60 MHz / 3");
    assert_eq!(r.result("programmed"), "true", "24 bytes programmed (a byte per command on SST) and read back");
    assert_eq!(r.result("erased"), "true", "the programmed 4 KiB sector erased to ones again");
    assert_eq!(r.result("csIdle"), "true", "GPIO3's DR bit 19 high after the last transaction");
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

// ---- e1000 (82540EM) --------------------------------------------------------------
//
// The board's e1000 (net0) is wired to a host UDP socket with QEMU's dgram netdev: each
// Ethernet frame is one datagram. Frames of both sides share the layout hwtests/qtest/e1000.js
// documents: EtherType 88b5, kind, a big-endian sequence number, a pattern.

const E1000_CASE: &str = "hwtests/qtest/e1000.js";
const GUEST_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const HOST_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
const OTHER_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x99, 0x99, 0x99];
const BROADCAST: [u8; 6] = [0xff; 6];
const KIND_READY: u8 = 1;
const KIND_DATA: u8 = 2;
const KIND_ACK: u8 = 3;
const KIND_END: u8 = 4;
const KIND_PHASE: u8 = 5;

fn test_frame(dst: [u8; 6], src: [u8; 6], kind: u8, seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[0..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&src);
    f[12..14].copy_from_slice(&0x88b5u16.to_be_bytes());
    f[14] = kind;
    f[15..19].copy_from_slice(&seq.to_be_bytes());
    for (i, b) in f.iter_mut().enumerate().skip(19) {
        *b = (seq.wrapping_mul(7).wrapping_add(i as u32) & 0xff) as u8;
    }
    f
}

/// (kind, seq, pattern intact) of a test frame.
fn parse_frame(f: &[u8]) -> Option<(u8, u32, bool)> {
    if f.len() < 19 || f[12..14] != 0x88b5u16.to_be_bytes() {
        return None;
    }
    let seq = u32::from_be_bytes(f[15..19].try_into().unwrap());
    let intact =
        f.iter().enumerate().skip(19).all(|(i, b)| *b == (seq.wrapping_mul(7).wrapping_add(i as u32) & 0xff) as u8);
    Some((f[14], seq, intact))
}

/// Run NIC case script `case` with netdev `netdev` on `peer`, in a thread (the host side talks meanwhile).
fn nic_with_peer(
    case: &'static str,
    netdev: &str,
    peer: &hwtests::net::NetPeer,
    args: &[&str],
) -> std::thread::JoinHandle<hwtests::JskRun> {
    require_qemu("qemu-system-x86_64");
    let mut all: Vec<String> = vec!["--board".into(), X86.into(), "--netdev".into(), peer.netdev(netdev), case.into()];
    all.extend(args.iter().map(|s| s.to_string()));
    std::thread::spawn(move || run_jsk(&all.iter().map(String::as_str).collect::<Vec<_>>()))
}

/// The `tx` case of nic_cases.js: five frames (60 to 1514 bytes) on the wire byte for byte,
/// every descriptor and buffer back; returns the run for the driver's own checks.
fn nic_tx(case: &'static str, netdev: &str, guest_mac: [u8; 6], extra: &[&str]) -> hwtests::JskRun {
    let peer = hwtests::net::NetPeer::new();
    let mut args = vec!["tx"];
    args.extend_from_slice(extra);
    let run = nic_with_peer(case, netdev, &peer, &args);
    let expected = [
        test_frame(HOST_MAC, guest_mac, KIND_DATA, 1, 60),
        test_frame(HOST_MAC, guest_mac, KIND_DATA, 2, 64),
        test_frame(BROADCAST, guest_mac, KIND_DATA, 3, 100),
        test_frame(HOST_MAC, guest_mac, KIND_DATA, 4, 1514),
        test_frame(HOST_MAC, guest_mac, KIND_DATA, 5, 600),
    ];
    let mut got = Vec::new();
    while got.len() < expected.len() {
        match peer.recv(Duration::from_secs(30)) {
            Some(f) => got.push(f),
            None => break,
        }
    }
    let r = run.join().unwrap();
    r.assert_ok();
    assert_eq!(got.len(), expected.len(), "frames on the wire");
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g.len(), e.len(), "frame {i}: length on the wire");
        assert!(g == e, "frame {i}: bytes on the wire differ");
    }
    assert!(peer.recv(Duration::from_millis(200)).is_none(), "nothing else was sent");
    assert_eq!(r.result("queued"), "5");
    assert_eq!(r.result("txInFlight"), "0", "every descriptor reclaimed");
    assert_eq!(r.result("txPoolAvailable"), "true", "every transmit buffer back in its pool");
    assert_eq!(
        r.result("stats"),
        format!(r#"{{"txPackets":5,"txBytes":{},"txErrors":0,"txDropped":0}}"#, 60 + 64 + 100 + 1514 + 600)
    );
    r
}

#[test]
fn e1000_init() {
    let r = x86(&[E1000_CASE, "init"]);
    assert_eq!(r.result("mac"), "\"52:54:00:12:34:56\"", "QEMU's -device e1000,mac=... as RAL0/RAH0 hold it");
    assert_eq!(r.result("macSource"), "\"RAL/RAH\"");
    assert_eq!(r.result("eepromMac"), "\"52:54:00:12:34:56\"", "the EEPROM (EERD) agrees");
    assert_eq!(r.result("model"), "\"82540EM\"");
    assert_eq!(r.result("pci"), "[32902,4110]");
    assert_eq!(r.result("mode"), "\"irq\"");
    assert_eq!(r.result("link"), r#"{"up":true,"speedMbps":1000,"fullDuplex":true}"#, "link up at init");
    let regs: serde_json::Value = serde_json::from_str(&r.result("registers")).unwrap();
    // RCTL: EN | BAM | SECRC, BSIZE 2048, no UPE/MPE/LPE, no loopback (SDM 13.4.22).
    assert_eq!(regs["RCTL"], "4008002");
    // TCTL: EN | PSP | CT 10h | COLD 40h (SDM 14.5).
    assert_eq!(regs["TCTL"], "4010a");
    // IMS: RXT0 | RXO | RXDMT0 | RXSEQ | LSC.
    assert_eq!(regs["IMS"], "dc");
    assert_eq!(regs["RDLEN"], 4096);
    assert_eq!(regs["TDLEN"], 4096);
    assert_eq!((regs["RDH"].as_u64(), regs["RDT"].as_u64()), (Some(0), Some(255)), "one receive descriptor held back");
    assert_eq!((regs["TDH"].as_u64(), regs["TDT"].as_u64()), (Some(0), Some(0)));
    assert_eq!((regs["RAH0_AV"].as_u64(), regs["CTRL_SLU"].as_u64()), (Some(1), Some(1)));
    // One software-set cause (ICS.RXT0): INTx raised on a PIRQ pin, the handler's ICR read lowers it.
    let log = serde_like_strings(&r.result("irqLog"));
    let line = log.iter().find_map(|e| e.strip_prefix("raise ")).expect("the e1000 raised its line").to_string();
    assert!((16..24).contains(&line.parse::<u32>().unwrap()), "PCI INTx on a PIRQ pin, got {line}");
    let mine: Vec<&String> = log.iter().filter(|e| e.ends_with(&format!(" {line}"))).collect();
    assert_eq!(mine, [&format!("raise {line}"), &format!("lower {line}")], "{log:?}");
    assert_eq!(r.result("interrupts"), "1");
    assert_eq!(r.result("icrAfter"), "0");
}

#[test]
fn e1000_tx() {
    let r = nic_tx(E1000_CASE, "net0", GUEST_MAC, &[]);
    assert_eq!(r.result("goodPacketsSent"), "5", "the device's own count (GPTC)");
}

/// The host side of receivePhase (nic_cases.js): when the guest asks for phase k (1-based),
/// send `phases[k - 1]` and then END k. Returns the run once it ended.
fn nic_rx_phases(case: &'static str, netdev: &str, guest_mac: [u8; 6], phases: &[Vec<Vec<u8>>]) -> hwtests::JskRun {
    let peer = hwtests::net::NetPeer::new();
    let run = nic_with_peer(case, netdev, &peer, &["rx"]);
    let mut served = vec![false; phases.len()];
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while !run.is_finished() && std::time::Instant::now() < deadline {
        let Some(f) = peer.recv(Duration::from_millis(100)) else { continue };
        if let Some((KIND_PHASE, phase, _)) = parse_frame(&f) {
            let i = phase as usize;
            if (1..=phases.len()).contains(&i) && !served[i - 1] {
                served[i - 1] = true;
                for frame in &phases[i - 1] {
                    peer.send(frame);
                }
                peer.send(&test_frame(guest_mac, HOST_MAC, KIND_END, phase, 64));
            }
        }
    }
    let r = run.join().unwrap();
    r.assert_ok();
    assert!(served.iter().all(|s| *s), "the guest asked for every phase: {served:?}");
    r
}

#[test]
fn e1000_rx() {
    let to = |dst: [u8; 6], seq: u32, len: usize| test_frame(dst, HOST_MAC, KIND_DATA, seq, len);
    let phases = [
        // irq mode, not promiscuous: unicast to the guest, broadcast, another station's (filtered), unicast.
        vec![to(GUEST_MAC, 1, 64), to(BROADCAST, 2, 100), to(OTHER_MAC, 3, 64), to(GUEST_MAC, 4, 60)],
        // promiscuous: another station's frame comes in too.
        vec![to(OTHER_MAC, 5, 64), to(GUEST_MAC, 6, 200)],
        // poll mode, not promiscuous again.
        vec![to(GUEST_MAC, 7, 64), to(OTHER_MAC, 8, 64), to(GUEST_MAC, 9, 1514)],
    ];
    let r = nic_rx_phases(E1000_CASE, "net0", GUEST_MAC, &phases);
    assert_eq!(
        r.result("irqMode"),
        r#"{"mode":"irq","seqs":[1,2,4],"broken":[]}"#,
        "RAL0 match and broadcast (BAM) in; the other station's frame filtered"
    );
    assert_eq!(r.result("promiscuous"), r#"{"seqs":[5,6],"broken":[]}"#, "RCTL.UPE lets the other station's frame in");
    assert_eq!(r.result("pollMode"), r#"{"mode":"poll","seqs":[7,9],"broken":[],"interrupts":0}"#);
    assert_eq!(r.result("stats"), r#"{"rxErrors":0,"badDescriptors":0,"rxDropped":0}"#);
}

#[test]
fn e1000_link() {
    // The link goes down and up through the PHY (MDIC, PHY control
    // restart auto-negotiation), which QEMU models with a 500 ms timer and an LSC interrupt.
    let r = x86(&[E1000_CASE, "link"]);
    assert_eq!(r.result("downAtOnce"), "true");
    assert_eq!(r.result("events"), r#"["down","up"]"#);
    let up_after: u64 = r.result("upAfterMs").parse().unwrap();
    assert!((400..5000).contains(&up_after), "auto-negotiation took {up_after} ms (QEMU: 500)");
    assert_eq!(r.result("linkAfter"), r#"{"up":true,"speedMbps":1000,"fullDuplex":true}"#);
    assert!(r.result("lscInterrupts").parse::<u32>().unwrap() >= 1, "the link came back through the LSC interrupt");
    assert!(r.result("raises").parse::<u32>().unwrap() >= 1);
}

#[test]
fn e1000_multiple_transfers() {
    let r = nic_multiple_transfers(E1000_CASE, "net0", GUEST_MAC);
    assert_eq!(r.result("mode"), "\"irq\"");
}

/// The `transfers` case: N sequence-numbered frames each way, windowed by acknowledgements;
/// count, order, duplicates and intactness on both sides. Returns the run.
fn nic_multiple_transfers(case: &'static str, netdev: &str, guest_mac: [u8; 6]) -> hwtests::JskRun {
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use std::sync::Arc;
    const N: u32 = 10_000;
    // Frames a side may have sent beyond the other's last acknowledgement: below the guest's
    // 255 free receive descriptors, and what a UDP socket buffer (QEMU's while the ring is full,
    // the host's while its receiver is not scheduled) holds.
    const WINDOW: u32 = 128;
    const ACK_EVERY: u32 = 16;
    let peer = hwtests::net::NetPeer::new();
    let listener = peer.try_clone();
    let started = std::time::Instant::now();
    let run = nic_with_peer(case, netdev, &peer, &["transfers", &N.to_string()]);
    let ready = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU32::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // The host's receiver: the guest's numbered frames (count, order, duplicates), its acks,
    // and the host's acks of what it received. After `stop` it drains what is left.
    let receiver = {
        let (ready, acked, stop) = (ready.clone(), acked.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut seen = vec![false; N as usize];
            let (mut received, mut out_of_order, mut duplicates, mut broken, mut next) = (0u32, 0u32, 0u32, 0u32, 0u32);
            let mut host_acked = 0u32;
            loop {
                let stopping = stop.load(Ordering::Relaxed);
                let frame = listener.recv(Duration::from_millis(if stopping { 200 } else { 20 }));
                if received != host_acked && (frame.is_none() || received - host_acked >= ACK_EVERY) {
                    listener.send(&test_frame(guest_mac, HOST_MAC, KIND_ACK, received, 64));
                    host_acked = received;
                }
                let Some(f) = frame else {
                    if stopping {
                        break;
                    }
                    continue;
                };
                match parse_frame(&f) {
                    Some((KIND_READY, _, _)) => ready.store(true, Ordering::Relaxed),
                    Some((KIND_ACK, n, _)) => {
                        acked.fetch_max(n, Ordering::Relaxed);
                    }
                    Some((KIND_DATA, seq, intact)) if intact && seq < N && f.len() == 64 => {
                        if seen[seq as usize] {
                            duplicates += 1;
                        } else {
                            seen[seq as usize] = true;
                            received += 1;
                            if seq != next {
                                out_of_order += 1;
                            }
                            next = seq + 1;
                        }
                    }
                    _ => broken += 1,
                }
            }
            (received, out_of_order, duplicates, broken)
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while !ready.load(Ordering::Relaxed) {
        if run.is_finished() || std::time::Instant::now() >= deadline {
            stop.store(true, Ordering::Relaxed);
            let r = run.join().unwrap();
            panic!("the guest never said it was ready\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let sending = std::time::Instant::now();
    for seq in 0..N {
        while seq >= acked.load(Ordering::Relaxed) + WINDOW {
            if std::time::Instant::now() >= deadline || run.is_finished() {
                break;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        peer.send(&test_frame(guest_mac, HOST_MAC, KIND_DATA, seq, 64));
    }
    let r = run.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    let (received, out_of_order, duplicates, broken) = receiver.join().unwrap();
    eprintln!(
        "{case} multiple_transfers: {N} frames each way in {:.2} s after the guest was ready ({:.2} s in all)",
        sending.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    r.assert_ok();
    // The guest's view of the host's frames.
    assert_eq!(r.result("received"), N.to_string(), "guest: frames received\n{}", r.stdout);
    assert_eq!(r.result("outOfOrder"), "0");
    assert_eq!(r.result("duplicates"), "0");
    assert_eq!(r.result("broken"), "0");
    assert_eq!(r.result("sent"), N.to_string());
    // The host's view of the guest's frames.
    assert_eq!(received, N, "host: frames received");
    assert_eq!(out_of_order, 0, "host: frames out of order");
    assert_eq!(duplicates, 0, "host: duplicate frames");
    assert_eq!(broken, 0, "host: frames that were not the guest's");
    let stats: serde_json::Value = serde_json::from_str(&r.result("stats")).unwrap();
    assert_eq!(stats["rxErrors"], 0);
    assert_eq!(stats["badDescriptors"], 0);
    assert_eq!(stats["rxDropped"], 0);
    r
}

#[test]
fn e1000_82545em_init() {
    // The same driver file on QEMU's other 8254x model: the x86 board with e1000-82545em.
    require_qemu("qemu-system-x86_64");
    let board = std::fs::read_to_string(hwtests::repo().join(X86)).unwrap();
    let swapped = board.replace("\"e1000,netdev=net0,", "\"e1000-82545em,netdev=net0,");
    assert_ne!(board, swapped, "the x86 board's e1000 line changed: update this test");
    let path = scratch("e1000-82545em").join("qemu-x86-82545em.toml");
    std::fs::write(&path, swapped).unwrap();
    let r = run_jsk(&["--board", path.to_str().unwrap(), E1000_CASE, "init"]);
    r.assert_ok();
    assert_eq!(r.result("model"), "\"82545EM\"");
    assert_eq!(r.result("pci"), "[32902,4111]");
    assert_eq!(r.result("mac"), "\"52:54:00:12:34:56\"");
    assert_eq!(r.result("link"), r#"{"up":true,"speedMbps":1000,"fullDuplex":true}"#);
    assert_eq!(r.result("interrupts"), "1");
}

// ---- virtio-net (virtio-net-pci, disable-legacy=on) ---------------------------------------
//
// The board's virtio-net (net1), modern interface only (1af4:1041), its capabilities in BAR4.
// The same host side as the e1000's (nic_cases.js on the guest side).

const VIRTIO_NET_CASE: &str = "hwtests/qtest/virtio_net.js";
const VIRTIO_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x57];

#[test]
fn virtio_net_init() {
    let r = x86(&[VIRTIO_NET_CASE, "init"]);
    assert_eq!(r.result("pci"), "[6900,4161]", "1af4:1041: a modern virtio-net");
    assert_eq!(
        r.result("mac"),
        "\"52:54:00:12:34:57\"",
        "QEMU's -device virtio-net-pci,mac=... through VIRTIO_NET_F_MAC"
    );
    assert_eq!(r.result("features"), "[5,16,32]", "MAC, STATUS, VERSION_1: the driver's optional bits QEMU offers");
    let offered: Vec<u32> = serde_json::from_str(&r.result("offered")).unwrap();
    assert!(
        offered.contains(&15) && offered.contains(&17),
        "QEMU offers MRG_RXBUF and CTRL_VQ, not taken: {offered:?}"
    );
    assert_eq!(r.result("status"), "15", "ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK");
    assert_eq!(
        r.result("queues"),
        r#"[{"size":256,"enable":1,"vector":65535},{"size":256,"enable":1,"vector":65535}]"#,
        "receiveq1 and transmitq1 enabled, no MSI-X here (INTx through the ISR)"
    );
    assert_eq!(r.result("numQueues"), "3");
    let s: serde_json::Value = serde_json::from_str(&r.result("structures")).unwrap();
    assert_eq!((s["common"]["bar"].as_u64(), s["common"]["offset"].as_u64()), (Some(4), Some(0)));
    assert_eq!(s["isr"]["offset"], 0x1000);
    assert_eq!(s["device"]["offset"], 0x2000);
    assert_eq!(s["notify"]["offset"], 0x3000);
    assert_eq!(r.result("rxOffered"), "256", "the receive queue full of buffers");
    assert_eq!(r.result("mode"), "\"irq\"");
    assert_eq!(r.result("interrupts"), "\"intx\"");
    assert_eq!(r.result("link"), r#"{"up":true,"speedMbps":null,"fullDuplex":null}"#);
}

#[test]
fn virtio_net_tx() {
    nic_tx(VIRTIO_NET_CASE, "net1", VIRTIO_MAC, &[]);
}

#[test]
fn virtio_net_rx() {
    let to = |dst: [u8; 6], seq: u32, len: usize| test_frame(dst, HOST_MAC, KIND_DATA, seq, len);
    let phases = [
        // irq mode: unicast, broadcast, another station's (QEMU's device passes it: no CTRL_RX), 1514 bytes.
        vec![to(VIRTIO_MAC, 1, 64), to(BROADCAST, 2, 100), to(OTHER_MAC, 3, 64), to(VIRTIO_MAC, 4, 1514)],
        // poll mode.
        vec![to(VIRTIO_MAC, 5, 60), to(VIRTIO_MAC, 6, 200)],
    ];
    let r = nic_rx_phases(VIRTIO_NET_CASE, "net1", VIRTIO_MAC, &phases);
    assert_eq!(r.result("filterRefused"), "true", "asking for filtering names CTRL_RX");
    assert_eq!(r.result("irqMode"), r#"{"mode":"irq","seqs":[1,2,3,4],"broken":[]}"#);
    let lines: Vec<u32> = serde_json::from_str(&r.result("irqLines")).unwrap();
    assert!(lines.iter().all(|l| (16..24).contains(l)) && !lines.is_empty(), "INTx on a PIRQ pin: {lines:?}");
    assert_eq!(r.result("irqInterrupts"), "true");
    assert_eq!(r.result("pollMode"), r#"{"mode":"poll","seqs":[5,6],"broken":[],"interrupts":0}"#);
    assert_eq!(r.result("stats"), r#"{"rxErrors":0,"badDescriptors":0,"rxDropped":0}"#);
}

#[test]
fn virtio_net_link() {
    // QMP set_link on net1: status.LINK_UP and a configuration interrupt each way.
    let r = x86(&[VIRTIO_NET_CASE, "link"]);
    assert_eq!(r.result("linkDown"), r#"{"up":false,"speedMbps":null,"fullDuplex":null}"#);
    assert_eq!(r.result("events"), r#"["down","up"]"#);
    assert_eq!(r.result("linkAfter"), r#"{"up":true,"speedMbps":null,"fullDuplex":null}"#);
    assert!(r.result("configInterrupts").parse::<u32>().unwrap() >= 2, "the link changes came by interrupt");
    assert_eq!(r.result("linkChanges"), "2");
}

#[test]
fn virtio_net_multiple_transfers() {
    let r = nic_multiple_transfers(VIRTIO_NET_CASE, "net1", VIRTIO_MAC);
    assert_eq!(r.result("mode"), "\"irq\"");
}

// The examples (ping-responder with --pcap, udp-echo, pktgen) on the virtio NIC: hwtests/src/net.rs.
