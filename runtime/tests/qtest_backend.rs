//! The qtest backend and PCI layer against real QEMU device models. These
//! need `qemu-system-x86_64` and `qemu-system-aarch64` (Debian's 7.2): a
//! missing QEMU makes them fail, never skip.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsk::backend::qtest::{QemuSpec, Qtest};
use jsk::hw::pci::{self, ConfigAccess, IrqRouting, PciFunction, PciWindows};
use jsk::hw::{Bus, HwError, Space};

const WAIT: Duration = Duration::from_secs(5);

fn x86(machine: &str, args: &[&str]) -> QemuSpec {
    QemuSpec {
        binary: "qemu-system-x86_64".into(),
        machine: machine.into(),
        memory_mb: 128,
        ram_base: 0,
        cpu: None,
        args: args.iter().map(|s| s.to_string()).collect(),
        startup_timeout: Duration::from_secs(20),
    }
}

fn virt(args: &[&str]) -> QemuSpec {
    QemuSpec {
        binary: "qemu-system-aarch64".into(),
        machine: "virt".into(),
        memory_mb: 128,
        ram_base: 0x4000_0000,
        cpu: Some("cortex-a57".into()),
        args: args.iter().map(|s| s.to_string()).collect(),
        startup_timeout: Duration::from_secs(20),
    }
}

fn raspi3b() -> QemuSpec {
    QemuSpec {
        binary: "qemu-system-aarch64".into(),
        machine: "raspi3b".into(),
        memory_mb: 1024, // raspi3b accepts exactly 1 GiB
        ram_base: 0,
        cpu: None,
        args: vec![],
        startup_timeout: Duration::from_secs(20),
    }
}

fn launch(spec: &QemuSpec) -> Arc<Qtest> {
    match Qtest::launch(spec) {
        Ok(q) => q,
        Err(e) => panic!("launching {} -M {}: {e}", spec.binary, spec.machine),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsk-qt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// q35 with an edu: intercept the IOAPIC, enumerate, return edu's function.
fn q35_edu() -> (Arc<Qtest>, PciFunction) {
    let qt = launch(&x86("q35", &["-device", "edu"]));
    qt.irq_intercept_in("ioapic").unwrap();
    let funcs = pci::enumerate_and_assign(&*qt, &ConfigAccess::Cf8, &PciWindows::X86, &IrqRouting::Ich9).unwrap();
    let edu = funcs.into_iter().find(|f| (f.ids.vendor, f.ids.device) == (0x1234, 0x11e8)).expect("edu on bus 0");
    (qt, edu)
}

fn bar0(f: &PciFunction) -> u64 {
    let b = f.bars.iter().find(|b| b.index == 0).expect("BAR0");
    assert_eq!(b.space, Space::Mem);
    b.addr
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap() // utime, stime
}

/// Whether `pid` is gone (or a zombie nobody has reaped yet).
fn is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat[stat.rfind(')').unwrap() + 2..].starts_with('Z'),
    }
}

fn wait_dead(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if is_dead(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    is_dead(pid)
}

#[test]
fn edu_identity_and_liveness() {
    let (qt, edu) = q35_edu();
    assert_eq!(edu.ids.class >> 8, 0x00ff, "edu is PCI_CLASS_OTHERS");
    assert_eq!(edu.ids.revision, 0x10);
    assert_eq!(edu.ids.irq_pin, 1);
    let bar = &edu.bars[0];
    assert_eq!((bar.index, bar.size, bar.is64), (0, 1 << 20, false));
    assert!(bar.addr >= PciWindows::X86.mem.0 && bar.addr + bar.size <= PciWindows::X86.mem.1);
    assert_eq!(bar.addr % bar.size, 0, "naturally aligned");
    // Memory decode on, bus mastering off.
    let cmd = pci::config_read(&*qt, &ConfigAccess::Cf8, edu.bdf, 0x04, 2).unwrap();
    assert_eq!(cmd & 0x7, 0x2);
    assert_eq!(pci::config_read(&*qt, &ConfigAccess::Cf8, edu.bdf, 0x10, 4).unwrap() as u64, bar.addr);

    let base = bar0(&edu);
    assert_eq!(qt.read(Space::Mem, base, 4).unwrap(), 0x010000ed);
    for v in [0u64, 0x1234_5678, 0xffff_ffff, 0xdead_beef] {
        qt.write(Space::Mem, base + 4, 4, v).unwrap();
        assert_eq!(qt.read(Space::Mem, base + 4, 4).unwrap(), !v & 0xffff_ffff);
    }
}

#[test]
fn edu_factorial_interrupt() {
    let (qt, edu) = q35_edu();
    let base = bar0(&edu);
    let line = edu.irq_line.expect("edu has an INTx line");
    // q35: edu's slot s < 25, INTA -> PIRQ (s % 4) + 4 -> GSI 20 + s % 4.
    assert_eq!(line, 20 + edu.bdf.1 as u32 % 4);
    eprintln!(
        "q35: edu at {:02x}:{:02x}.{} INT{} -> line {line}",
        edu.bdf.0,
        edu.bdf.1,
        edu.bdf.2,
        (b'@' + edu.ids.irq_pin) as char
    );
    assert_eq!(pci::config_read(&*qt, &ConfigAccess::Cf8, edu.bdf, 0x3c, 1).unwrap(), line);
    let fd = qt.irq_eventfd(line).unwrap();
    assert_eq!(qt.irq_eventfd(line).unwrap(), fd, "one eventfd per line");
    qt.take_irq_log();

    qt.write(Space::Mem, base + 0x20, 4, 0x80).unwrap(); // status: raise an IRQ when done
    qt.write(Space::Mem, base + 0x08, 4, 10).unwrap();
    assert_eq!(qt.wait_irq(line, WAIT).unwrap(), 1);
    assert!(qt.irq_level(line));
    assert_eq!(qt.read(Space::Mem, base + 0x20, 4).unwrap() & 1, 0, "no longer computing");
    assert_eq!(qt.read(Space::Mem, base + 0x08, 4).unwrap(), 3_628_800);
    assert_eq!(qt.read(Space::Mem, base + 0x24, 4).unwrap(), 1, "FACT_IRQ pending");
    qt.write(Space::Mem, base + 0x64, 4, 1).unwrap(); // acknowledge
    assert!(!qt.irq_level(line), "lowered by the time the ack write returned");
    let log: Vec<(u32, bool)> =
        qt.take_irq_log().into_iter().filter(|e| e.line != 0).map(|e| (e.line, e.level)).collect();
    assert_eq!(log, [(line, true), (line, false)]);
}

#[test]
fn edu_factorial_interrupt_pc_piix3() {
    let qt = launch(&x86("pc", &["-device", "edu"]));
    qt.irq_intercept_in("ioapic").unwrap();
    let routing = IrqRouting::Piix3 { pirq_irqs: [5, 10, 11, 9] };
    let funcs = pci::enumerate_and_assign(&*qt, &ConfigAccess::Cf8, &PciWindows::X86, &routing).unwrap();
    let edu = funcs.iter().find(|f| (f.ids.vendor, f.ids.device) == (0x1234, 0x11e8)).unwrap();
    // Slot s, INTA -> PIRQ (s - 1) & 3.
    let line = edu.irq_line.unwrap();
    assert_eq!(line, [5, 10, 11, 9][(edu.bdf.1 as usize + 3) & 3]);
    eprintln!(
        "pc: edu at {:02x}:{:02x}.{} INT{} -> line {line}",
        edu.bdf.0,
        edu.bdf.1,
        edu.bdf.2,
        (b'@' + edu.ids.irq_pin) as char
    );
    assert_eq!(pci::config_read(&*qt, &ConfigAccess::Cf8, (0, 1, 0), 0x60, 4).unwrap(), 0x090b_0a05);
    assert_eq!(
        qt.read(Space::Io, 0x4d0, 1).unwrap() | qt.read(Space::Io, 0x4d1, 1).unwrap() << 8,
        0x0e20,
        "ELCR: 5, 9, 10, 11 level"
    );
    let base = bar0(edu);
    qt.write(Space::Mem, base + 0x20, 4, 0x80).unwrap();
    qt.write(Space::Mem, base + 0x08, 4, 5).unwrap();
    let deadline = Instant::now() + WAIT;
    while !qt.irq_level(line) {
        assert!(Instant::now() < deadline, "INTx never raised");
        std::thread::sleep(Duration::from_millis(1));
    }
    // The eventfd is made only now, with the line already high: it starts at 1.
    assert_eq!(qt.wait_irq(line, Duration::ZERO).unwrap(), 1);
    assert_eq!(qt.read(Space::Mem, base + 0x08, 4).unwrap(), 120);
    qt.write(Space::Mem, base + 0x64, 4, 1).unwrap();
    assert!(!qt.irq_level(line));
}

#[test]
fn edu_dma_round_trip() {
    let (qt, edu) = q35_edu();
    let base = bar0(&edu);
    let line = edu.irq_line.unwrap();
    let (src, dst, n) = (0x1_0000u64, 0x2_0000u64, 256usize);
    let pattern: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
    qt.write_ram(src, &pattern).unwrap();
    let mut seen = vec![0u8; n];
    qt.read_ram(dst, &mut seen).unwrap();
    assert!(seen.iter().all(|b| *b == 0), "destination starts zeroed");
    // The host mapping and the device's view of RAM agree.
    assert_eq!(qt.read(Space::Mem, src, 4).unwrap(), u32::from_le_bytes(pattern[..4].try_into().unwrap()) as u64);

    pci::set_bus_master(&*qt, &ConfigAccess::Cf8, edu.bdf, true).unwrap();
    let dma = |from: u64, to: u64, cmd: u64| {
        qt.write(Space::Mem, base + 0x80, 8, from).unwrap();
        qt.write(Space::Mem, base + 0x88, 8, to).unwrap();
        qt.write(Space::Mem, base + 0x90, 8, n as u64).unwrap();
        qt.write(Space::Mem, base + 0x98, 8, cmd | 0x1 | 0x4).unwrap(); // run, IRQ when done
        assert_eq!(qt.wait_irq(line, WAIT).unwrap(), 1);
        assert_eq!(qt.read(Space::Mem, base + 0x98, 8).unwrap() & 1, 0, "DMA finished");
        assert_eq!(qt.read(Space::Mem, base + 0x24, 4).unwrap(), 0x100, "DMA_IRQ pending");
        qt.write(Space::Mem, base + 0x64, 4, 0x100).unwrap();
        assert!(!qt.irq_level(line));
    };
    let t = Instant::now();
    dma(src, 0x40000, 0); // RAM -> edu buffer
    dma(0x40000, dst, 0x2); // edu buffer -> RAM
    eprintln!("two edu DMAs (100 ms virtual-clock timer each): {:?}", t.elapsed());
    qt.read_ram(dst, &mut seen).unwrap();
    assert_eq!(seen, pattern);
}

#[test]
fn isa_serial_transmit() {
    let dir = scratch("serial");
    let sock = dir.join("com1.sock");
    let chardev = format!("socket,id=s0,path={},server=on,wait=off", sock.display());
    let qt = launch(&x86("q35", &["-chardev", &chardev, "-device", "isa-serial,chardev=s0"]));
    qt.irq_intercept_in("ioapic").unwrap();
    let line = IrqRouting::Ich9.isa_line(4).unwrap();
    assert_eq!(line, 4);
    let mut host = UnixStream::connect(&sock).unwrap();
    host.set_read_timeout(Some(WAIT)).unwrap();

    let com1 = 0x3f8;
    qt.write(Space::Io, com1 + 3, 1, 0x03).unwrap(); // LCR: 8N1, DLAB off
    qt.write(Space::Io, com1 + 4, 1, 0x08).unwrap(); // MCR: OUT2
    qt.write(Space::Io, com1 + 1, 1, 0x01).unwrap(); // IER: received data available
    qt.take_irq_log();

    // Host -> guest: LSR.DR, IRQ 4 up, RBR, IRQ 4 down.
    host.write_all(b"Z").unwrap();
    let deadline = Instant::now() + WAIT;
    while qt.read(Space::Io, com1 + 5, 1).unwrap() & 1 == 0 {
        assert!(Instant::now() < deadline, "LSR.DR never set");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(qt.irq_level(line), "IRQ 4 raised with data ready");
    assert_eq!(qt.read(Space::Io, com1, 1).unwrap(), b'Z' as u64);
    assert!(!qt.irq_level(line), "IRQ 4 lowered once RBR is read");
    let log: Vec<(u32, bool)> =
        qt.take_irq_log().into_iter().filter(|e| e.line != 0).map(|e| (e.line, e.level)).collect();
    assert_eq!(log, [(4, true), (4, false)]);

    // Guest -> host through THR.
    qt.write(Space::Io, com1, 1, b'A' as u64).unwrap();
    qt.write(Space::Io, com1, 1, b'!' as u64).unwrap();
    let mut got = [0u8; 2];
    host.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"A!");
    assert_ne!(qt.read(Space::Io, com1 + 5, 1).unwrap() & 0x20, 0, "THR empty again");
    drop(qt);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pl061_gpio_out_levels() {
    let qt = launch(&virt(&[]));
    let paths = qt.find_qom_path("pl061").unwrap();
    assert_eq!(paths.len(), 1, "one PL061 on virt: {paths:?}");
    let path = &paths[0];
    qt.irq_intercept_out(path).unwrap();
    let base = 0x0903_0000u64;
    assert_eq!(qt.read(Space::Mem, base + 0xfe0, 4).unwrap(), 0x61, "PL061 PeriphID0");

    qt.write(Space::Mem, base + 0x400, 4, 0x01).unwrap(); // GPIODIR: pin 0 out
    qt.take_irq_log();
    qt.write(Space::Mem, base + (0x01 << 2), 4, 0xff).unwrap(); // mask bit 0: pin 0 high
    assert!(qt.irq_level(0));
    qt.write(Space::Mem, base + (0xfe << 2), 4, 0x00).unwrap(); // mask excludes pin 0: no change
    assert!(qt.irq_level(0));
    assert_eq!(qt.read(Space::Mem, base + 0x3fc, 4).unwrap() & 1, 1);
    qt.write(Space::Mem, base + (0x01 << 2), 4, 0x00).unwrap(); // pin 0 low
    assert!(!qt.irq_level(0));
    let log: Vec<(u32, bool)> = qt.take_irq_log().into_iter().map(|e| (e.line, e.level)).collect();
    assert_eq!(log, [(0, true), (0, false)]);

    // Pin 1 is an input: drive it from outside and read it back.
    qt.set_irq_in(path, None, 1, 1).unwrap();
    assert_eq!(qt.read(Space::Mem, base + 0x3fc, 4).unwrap() & 0x2, 0x2);
    assert_eq!(qt.read(Space::Mem, base + (0x01 << 2), 4).unwrap(), 0, "address mask hides pin 1");
    qt.set_irq_in(path, None, 1, 0).unwrap();
    assert_eq!(qt.read(Space::Mem, base + 0x3fc, 4).unwrap() & 0x2, 0);

    // The PL061's own interrupt is the named list `sysbus-irq`: it fires
    // (GPIOMIS) but an out-intercept never reports it.
    qt.write(Space::Mem, base + 0x408, 4, 0x02).unwrap(); // GPIOIBE: both edges on pin 1
    qt.write(Space::Mem, base + 0x410, 4, 0x02).unwrap(); // GPIOIE
    qt.take_irq_log();
    qt.set_irq_in(path, None, 1, 1).unwrap();
    assert_eq!(qt.read(Space::Mem, base + 0x418, 4).unwrap(), 0x02, "GPIOMIS");
    assert_eq!(qt.take_irq_log(), [], "no line for sysbus-irq");
    qt.write(Space::Mem, base + 0x41c, 4, 0x02).unwrap(); // GPIOIC
                                                          // Out-of-range lines would abort QEMU (g_assert): refused before sending.
    assert!(matches!(qt.set_irq_in(path, None, 8, 1), Err(HwError::Invalid(_))));
    assert!(matches!(qt.set_irq_in(path, Some("nope"), 0, 1), Err(HwError::Invalid(_))));
    assert_eq!(qt.read(Space::Mem, base + 0x400, 4).unwrap(), 1, "QEMU still alive");
}

#[test]
fn bcm2835_gpio() {
    let qt = launch(&raspi3b());
    let paths = qt.find_qom_path("bcm2835_gpio").unwrap();
    assert_eq!(paths, ["/machine/soc/peripherals/gpio"]);
    qt.irq_intercept_out(&paths[0]).unwrap();
    let base = 0x3f20_0000u64;
    qt.write(Space::Mem, base, 4, 1 << 12).unwrap(); // GPFSEL0: pin 4 output
    assert_eq!(qt.read(Space::Mem, base, 4).unwrap(), 1 << 12);
    qt.take_irq_log();
    qt.write(Space::Mem, base + 0x1c, 4, 1 << 4).unwrap(); // GPSET0
    assert!(qt.irq_level(4));
    assert_eq!(qt.read(Space::Mem, base + 0x34, 4).unwrap() & (1 << 4), 1 << 4, "GPLEV0");
    qt.write(Space::Mem, base + 0x1c, 4, 1 << 5).unwrap(); // pin 5 is an input: no edge
    qt.write(Space::Mem, base + 0x28, 4, 1 << 4).unwrap(); // GPCLR0
    assert!(!qt.irq_level(4));
    assert_eq!(qt.read(Space::Mem, base + 0x34, 4).unwrap() & (1 << 4), 0);
    let log: Vec<(u32, bool)> = qt.take_irq_log().into_iter().map(|e| (e.line, e.level)).collect();
    assert_eq!(log, [(4, true), (4, false)]);
}

#[test]
fn virt_pci_edu_intx() {
    let qt = launch(&virt(&["-device", "edu"]));
    let gic = qt.find_qom_path("arm_gic").unwrap();
    assert_eq!(gic.len(), 1, "{gic:?}");
    qt.irq_intercept_in(&gic[0]).unwrap();
    let ecam = ConfigAccess::Ecam { base: 0x40_1000_0000 };
    let funcs = pci::enumerate_and_assign(&*qt, &ecam, &PciWindows::VIRT, &IrqRouting::VIRT).unwrap();
    assert_eq!((funcs[0].ids.vendor, funcs[0].ids.device), (0x1b36, 0x0008), "GPEX root at 00:00.0");
    let edu = funcs.iter().find(|f| (f.ids.vendor, f.ids.device) == (0x1234, 0x11e8)).unwrap();
    let line = edu.irq_line.unwrap();
    assert_eq!(line, 3 + (edu.bdf.1 as u32 % 4));
    eprintln!(
        "virt: edu at {:02x}:{:02x}.{} INT{} -> line {line}",
        edu.bdf.0,
        edu.bdf.1,
        edu.bdf.2,
        (b'@' + edu.ids.irq_pin) as char
    );
    qt.irq_eventfd(line).unwrap();
    let base = bar0(edu);
    assert!(base >= PciWindows::VIRT.mem.0 && base < PciWindows::VIRT.mem.1);
    assert_eq!(qt.read(Space::Mem, base, 4).unwrap(), 0x010000ed);
    qt.write(Space::Mem, base + 0x20, 4, 0x80).unwrap();
    qt.write(Space::Mem, base + 0x08, 4, 6).unwrap();
    assert_eq!(qt.wait_irq(line, WAIT).unwrap(), 1);
    assert_eq!(qt.read(Space::Mem, base + 0x08, 4).unwrap(), 720);
    qt.write(Space::Mem, base + 0x64, 4, 1).unwrap();
    assert!(!qt.irq_level(line));
}

#[test]
fn intercept_rules() {
    let qt = launch(&x86("q35", &["-device", "edu"]));
    assert!(matches!(qt.irq_intercept_in("/machine"), Err(HwError::Invalid(_))), "not a device");
    assert!(matches!(qt.irq_intercept_in("no-such-thing"), Err(HwError::Qemu(_))));
    assert!(matches!(qt.irq_intercept_in("bad path"), Err(HwError::Invalid(_))));
    qt.irq_intercept_in("ioapic").unwrap();
    qt.irq_intercept_in("ioapic").unwrap(); // the same again is fine
    let ioapic = qt.find_qom_path("ioapic").unwrap();
    assert_eq!(ioapic, ["/machine/q35/ioapic"]);
    qt.irq_intercept_in(&ioapic[0]).unwrap(); // and so is its full path
    assert!(matches!(qt.irq_intercept_out("ioapic"), Err(HwError::Unsupported(_))), "one direction");
    let lpc = qt.find_qom_path("ICH9-LPC").unwrap();
    assert!(matches!(qt.irq_intercept_in(&lpc[0]), Err(HwError::Unsupported(_))), "one device");
    assert!(matches!(qt.read(Space::Io, 0x1_0000, 1), Err(HwError::Invalid(_))), "ports stop at 0xffff");
    assert!(matches!(qt.read(Space::Io, 0x80, 8), Err(HwError::Unsupported(_))));
    assert!(matches!(qt.read(Space::Mem, 0, 3), Err(HwError::Invalid(_))));
    qt.write(Space::Mem, 0xfec0_0000, 4, 0x01).unwrap(); // IOREGSEL: IOAPICVER
    assert_eq!(qt.read(Space::Mem, 0xfec0_0010, 4).unwrap(), 0x0017_0020, "24 pins, version 0x20");
}

#[test]
fn cpu_quiet_and_clock_running() {
    for spec in [x86("q35", &[]), x86("pc", &[]), virt(&[]), raspi3b()] {
        let qt = launch(&spec);
        if spec.machine == "q35" {
            // The halt firmware parks PIT channel 0: IRQ 0 stops toggling.
            qt.irq_intercept_in("ioapic").unwrap();
            std::thread::sleep(Duration::from_millis(200));
            qt.take_irq_log();
        }
        std::thread::sleep(Duration::from_millis(100));
        let t0 = cpu_ticks(qt.pid());
        std::thread::sleep(Duration::from_millis(500));
        let used = cpu_ticks(qt.pid()) - t0;
        eprintln!("{}: QEMU used {used} ticks of CPU in 500 ms", spec.machine);
        assert!(used <= 10, "{}: QEMU busy ({used} ticks in 500 ms)", spec.machine);
        if spec.machine == "q35" {
            assert_eq!(qt.take_irq_log(), [], "IRQ 0 quiet");
        }
    }
    // The virtual clock runs: edu's DMA completes from a 100 ms timer.
    let (qt, edu) = q35_edu();
    pci::set_bus_master(&*qt, &ConfigAccess::Cf8, edu.bdf, true).unwrap();
    let base = bar0(&edu);
    qt.write(Space::Mem, base + 0x80, 8, 0x1_0000).unwrap();
    qt.write(Space::Mem, base + 0x88, 8, 0x40000).unwrap();
    qt.write(Space::Mem, base + 0x90, 8, 16).unwrap();
    qt.write(Space::Mem, base + 0x98, 8, 1).unwrap();
    let deadline = Instant::now() + WAIT;
    while qt.read(Space::Mem, base + 0x98, 8).unwrap() & 1 != 0 {
        assert!(Instant::now() < deadline, "the DMA timer never fired");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn round_trip_time() {
    let (qt, edu) = q35_edu();
    let base = bar0(&edu);
    let n = 5000;
    let t = Instant::now();
    for _ in 0..n {
        assert_eq!(qt.read(Space::Mem, base, 4).unwrap(), 0x010000ed);
    }
    let read = t.elapsed() / n;
    let t = Instant::now();
    for i in 0..n {
        qt.write(Space::Mem, base + 4, 4, i as u64).unwrap();
    }
    let write = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        qt.read(Space::Io, 0xcfc, 4).unwrap();
    }
    let pio = t.elapsed() / n;
    eprintln!("qtest round trip: readl {read:?}, writel {write:?}, inl {pio:?} per access");
    assert!(read < Duration::from_millis(2) && write < Duration::from_millis(2));
}

#[test]
fn dead_or_stuck_qemu_is_an_error() {
    // Stuck: SIGSTOP makes a request time out; after SIGCONT the late reply
    // is not mistaken for the next one.
    let (qt, edu) = q35_edu();
    let base = bar0(&edu);
    let pid = qt.pid().to_string();
    qt.set_request_timeout(Duration::from_millis(300));
    assert!(std::process::Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let t = Instant::now();
    match qt.write(Space::Mem, base + 4, 4, 0x1111) {
        Err(HwError::Timeout { what, .. }) => assert!(what.contains("writel"), "{what}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(std::process::Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    qt.set_request_timeout(WAIT);
    qt.write(Space::Mem, base + 4, 4, 0x2222).unwrap();
    assert_eq!(qt.read(Space::Mem, base + 4, 4).unwrap(), !0x2222u64 & 0xffff_ffff);

    // Dead: every request fails fast with the exit status.
    assert!(std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let t = Instant::now();
    match qt.read(Space::Mem, base, 4) {
        Err(HwError::Qemu(msg)) => assert!(msg.contains("signal: 9"), "{msg}"),
        other => panic!("expected a QEMU error, got {other:?}"),
    }
    assert!(matches!(qt.find_qom_path("edu"), Err(HwError::Qemu(_))));
    assert!(matches!(qt.wait_irq(20, WAIT), Err(HwError::Qemu(_))));
    assert!(t.elapsed() < Duration::from_secs(3));
}

#[test]
fn launch_errors_carry_qemu_stderr() {
    let err = Qtest::launch(&x86("q35", &["-device", "no-such-device"])).err().expect("launch must fail");
    match err {
        HwError::Qemu(msg) => assert!(msg.contains("no-such-device"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let mut spec = x86("q35", &[]);
    spec.binary = "/nonexistent/qemu-system-x86_64".into();
    assert!(matches!(Qtest::launch(&spec), Err(HwError::Qemu(_))));
    spec = x86("q35", &[]);
    spec.memory_mb = 4096;
    assert!(matches!(Qtest::launch(&spec), Err(HwError::Invalid(_))));
}

#[test]
fn qemu_dies_with_jsk() {
    // Shutdown and drop: QEMU is reaped and the private directory is gone.
    let qt = launch(&x86("q35", &[]));
    let (pid, dir) = (qt.pid(), qt.workdir().to_path_buf());
    assert!(dir.join("ram").exists());
    qt.shutdown();
    qt.shutdown(); // idempotent
    assert!(is_dead(pid));
    assert!(!dir.exists());
    assert!(matches!(qt.read(Space::Io, 0x80, 1), Err(HwError::Qemu(_))));
    drop(qt);
    let qt = launch(&x86("q35", &[]));
    let pid = qt.pid();
    drop(qt);
    assert!(is_dead(pid));

    // A jsk killed with SIGKILL runs no cleanup: PR_SET_PDEATHSIG kills QEMU.
    let dir = scratch("pdeathsig");
    let script = dir.join("wait.js");
    std::fs::write(&script, "await new Promise((r) => setTimeout(r, 60000));\n").unwrap();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut jsk = std::process::Command::new(env!("CARGO_BIN_EXE_jsk"))
        .current_dir(&repo)
        .args(["run", "--board", "devices/qemu-x86.toml", "--drivers", "drivers/misc"])
        .arg(&script)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let qemu_pid = loop {
        if let Some(p) = child_named(jsk.id(), "qemu-system") {
            break p;
        }
        assert!(Instant::now() < deadline, "jsk never started QEMU");
        std::thread::sleep(Duration::from_millis(10));
    };
    jsk.kill().unwrap();
    jsk.wait().unwrap();
    assert!(wait_dead(qemu_pid, Duration::from_secs(5)), "QEMU outlived jsk killed by SIGKILL");
    let _ = std::fs::remove_dir_all(dir);
}

/// A child of `parent` whose command name starts with `name`.
fn child_named(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid ...
        let (comm, rest) = stat.split_once(") ")?;
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm.split_once('(')?.1.starts_with(name)).then_some(pid)
    })
}
