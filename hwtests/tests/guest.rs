//! The guest tier: the boot image (Debian's kernel, jsk as PID 1) under QEMU
//! q35 with an intel-iommu, TCG. Inside, jsk-probe lists and binds devices to
//! vfio-pci and the same drivers as in every other tier run through VFIO.
//! Each case asserts on what the guest printed and on what reached the host.

use std::sync::OnceLock;
use std::time::Duration;

use hwtests::{build_image, build_image_with, console_result, read_bytes, run_image, scratch, write_bytes, SerialPeer};

const EDU: &str = "edu,addr=04.0";
const PCI_SERIAL_NULL: &str = "pci-serial,chardev=s0,addr=05.0";
const E1000: &str = "e1000,addr=06.0";

/// One boot shared by the edu cases: list, attach edu, kill jsk in the middle
/// of DMA, attach again.
fn edu_boot() -> &'static (i32, String) {
    static BOOT: OnceLock<(i32, String)> = OnceLock::new();
    BOOT.get_or_init(|| {
        let dir = build_image(
            "edu",
            "hwtests/guest/edu.js",
            &[
                "/bin/jsk-probe --json --drivers /jsk/drivers",
                "/bin/jsk-probe attach 0000:00:04.0 --drivers /jsk/drivers {app}",
                "timeout_ms=6000 /init run --vfio 0000:00:04.0 --drivers /jsk/drivers /jsk/app/dma-loop.js",
                "/bin/jsk-probe attach 0000:00:04.0 --drivers /jsk/drivers {app}",
            ],
        );
        run_image(
            &dir,
            &[
                "--device",
                EDU,
                "--device",
                PCI_SERIAL_NULL,
                "--device",
                E1000,
                "--qemu-arg=-chardev",
                "--qemu-arg=null,id=s0",
            ],
        )
    })
}

fn section(console: &str, command: u32) -> &str {
    // PID 1 numbers its commands "N/TOTAL".
    let start = console
        .find(&format!("command {command}/"))
        .unwrap_or_else(|| panic!("command {command} never started:\n{console}"));
    let rest = &console[start..];
    let end =
        rest.find(&format!("command {}/", command + 1)).or_else(|| rest.find("exit status")).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn guest_probe_lists_edu_pci_serial_and_e1000_with_names_and_groups() {
    let (_, console) = edu_boot();
    let out = section(console, 1);
    let json_start = out.find('[').expect("JSON array");
    let json_end = out.rfind(']').expect("JSON array end");
    let list: serde_json::Value =
        serde_json::from_str(&out[json_start..=json_end].replace('\r', "")).expect("jsk-probe --json parses");
    let find = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed: {list}"))
            .clone()
    };
    let edu = find("1234:11e8");
    assert_eq!(edu["jskDriver"], "edu");
    assert!(edu["iommuGroup"].is_number(), "{edu}");
    let serial = find("1b36:0002");
    assert_eq!(serial["jskDriver"], "uart16550");
    assert!(serial["deviceName"].as_str().unwrap().contains("16550"), "{serial}");
    let e1000 = find("8086:100e");
    assert!(e1000["deviceName"].as_str().unwrap().contains("82540EM"), "{e1000}");
    assert!(e1000["iommuGroup"].is_number());
    assert_ne!(edu["iommuGroup"], serial["iommuGroup"], "each device in its own group");
}

#[test]
fn guest_edu_through_vfio_factorial_by_msi_and_dma_through_the_iommu() {
    let (_, console) = edu_boot();
    let out = section(console, 2);
    assert!(out.contains("drivers attached"), "{out}");
    assert_eq!(console_result(out, "irqKind", None), "\"msi\"");
    assert_eq!(console_result(out, "liveness", None), "\"edcba987\"");
    assert_eq!(console_result(out, "factorial", None), "479001600");
    assert_eq!(console_result(out, "dma", None), "true");
    assert!(console.contains("command 2/4 exited with status 0"), "{console}");
}

#[test]
fn guest_sigkill_in_the_middle_of_dma_then_attach_again() {
    let (code, console) = edu_boot();
    let killed = section(console, 3);
    assert!(killed.contains("RESULT dma-loop started"), "{killed}");
    assert!(console.contains("command 3/4 killed after its timeout"), "{console}");
    let again = section(console, 4);
    assert_eq!(console_result(again, "factorial", None), "479001600", "a fresh attach works after SIGKILL");
    assert_eq!(console_result(again, "dma", None), "true");
    assert_eq!(*code, 0, "{console}");
}

#[test]
fn guest_uart16550_through_vfio_reaches_a_host_socket() {
    let dir = build_image(
        "uart",
        "hwtests/guest/uart.js",
        &["/bin/jsk-probe attach 0000:00:05.0 --drivers /jsk/drivers {app}"],
    );
    let tmp = scratch("guest-uart");
    let peer = SerialPeer::new(&tmp, "s");
    let chardev = format!("--qemu-arg=socket,id=s0,path={}", peer.path.display());
    let handle = std::thread::spawn(move || {
        run_image(&dir, &["--device", "pci-serial,chardev=s0,addr=05.0", "--qemu-arg=-chardev", &chardev])
    });
    let mut sock = peer.accept(Duration::from_secs(60));
    let want = b"hello from jsk through VFIO\n";
    let got = read_bytes(&mut sock, want.len(), Duration::from_secs(120));
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
    write_bytes(&mut sock, b"pong!");
    let (code, console) = handle.join().unwrap();
    assert_eq!(code, 0, "{console}");
    assert_eq!(console_result(&console, "reply", None), "\"pong!\"");
    assert_eq!(console_result(&console, "mode", None), "\"irq\"");
}

#[test]
fn guest_bind_is_refused_when_the_group_is_not_viable() {
    // Behind a conventional PCI bridge, edu and pci-serial share an IOMMU
    // group, and the kernel's serial driver holds pci-serial.
    let dir = build_image("group", "hwtests/guest/edu.js", &["/bin/jsk-probe bind 0000:01:01.0"]);
    let (code, console) = run_image(
        &dir,
        &[
            "--device",
            "pci-bridge,id=br0,chassis_nr=1,addr=07.0",
            "--device",
            "edu,bus=br0,addr=01.0",
            "--device",
            "pci-serial,bus=br0,addr=02.0,chardev=s0",
            "--qemu-arg=-chardev",
            "--qemu-arg=null,id=s0",
        ],
    );
    assert_eq!(code, 2, "a refusal exits 2\n{console}");
    assert!(console.contains("not viable"), "{console}");
    assert!(
        console.contains("0000:01:02.0") && console.contains("serial"),
        "names the member and its driver:\n{console}"
    );
}

/// examples/ping-responder.js through VFIO on the NIC at `address` (made by QEMU `-device`
/// `device` on netdev n0): the host resolves it with ARP and pings it 1,000 times.
fn ping_through_vfio(case: &str, device: &str, address: &str) -> [u8; 6] {
    use hwtests::net::NetPeer;
    let peer = NetPeer::new();
    let command =
        format!("/bin/jsk-probe attach {address} --drivers /jsk/drivers {{app}} -- 10.0.2.15 --count 1000 --every 0");
    let dir = build_image(case, "examples/ping-responder.js", &[&command]);
    let netdev = format!("--qemu-arg={}", peer.qemu_netdev("n0"));
    let device = device.to_string();
    let handle = std::thread::spawn(move || run_image(&dir, &["--device", &device, "--qemu-arg=-netdev", &netdev]));
    let (host_mac, host_ip, jsk_ip) = ([0x02, 0, 0, 0, 0, 0x99], [10, 0, 2, 2], [10, 0, 2, 15]);
    // ARP until the driver in the guest is up and answers (the guest boots meanwhile).
    let jsk_mac =
        peer.resolve(host_mac, host_ip, jsk_ip, Duration::from_secs(120)).expect("an ARP reply from the JS driver");
    peer.ping((host_mac, host_ip), (jsk_mac, jsk_ip), 1000, b"jsk guest tier ping").unwrap();
    let (code, console) = handle.join().unwrap();
    assert_eq!(code, 0, "{console}");
    jsk_mac
}

#[test]
fn guest_e1000_through_vfio_answers_arp_and_1000_pings() {
    ping_through_vfio("e1000-ping", "e1000,netdev=n0,addr=06.0", "0000:00:06.0");
}

#[test]
fn guest_virtio_net_through_vfio_and_the_iommu_answers_arp_and_1000_pings() {
    // iommu_platform=on: the device offers VIRTIO_F_ACCESS_PLATFORM and its DMA goes through
    // the vIOMMU, where VFIO mapped the driver's buffers (without it QEMU's virtio DMA would
    // bypass the IOMMU and the IOVAs would name the wrong memory).
    let mac = ping_through_vfio(
        "virtio-net-ping",
        "virtio-net-pci,netdev=n0,addr=07.0,disable-legacy=on,iommu_platform=on,mac=52:54:00:12:34:57",
        "0000:00:07.0",
    );
    assert_eq!(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x57]);
}

// ---- I2C and GPIO through the kernel's character devices (jsk:linux) --------------

/// One boot for the bus cases: hwtests/guest/buses.js on jsk's kernel (i2c-i801, i2c-dev,
/// gpio-sim, gpio-cdev built in; i2c-stub, a module, loaded by PID 1 with a chip at 0x48).
fn buses_boot() -> &'static (i32, String) {
    static BOOT: OnceLock<(i32, String)> = OnceLock::new();
    BOOT.get_or_init(|| {
        let dir = build_image_with(
            "buses",
            "hwtests/guest/buses.js",
            &["/init run {app}"],
            &["--module", "i2c-stub chip_addr=0x48"],
        );
        run_image(&dir, &[])
    })
}

fn buses(name: &str) -> String {
    let (code, console) = buses_boot();
    assert_eq!(*code, 0, "{console}");
    console_result(console, name, None)
}

#[test]
fn guest_i2c_dev_carries_lm75_to_i2c_stub_and_at24_to_the_pc_smbus() {
    let adapters = buses("adapters");
    assert!(
        adapters.starts_with(r#"["SMBus I801 adapter at "#) && adapters.ends_with(r#"","SMBus stub driver"]"#),
        "{adapters}"
    );
    assert_eq!(buses("stubSmbusOnly"), "true", "i2c-stub has no I2C_FUNC_I2C: transactions go as SMBus transfers");
    assert_eq!(buses("resolution"), "12", "the TMP105 set to 12 bits through i2c-stub's configuration register");
    assert_eq!(buses("temperatures"), "[25.5,-12.5625]", "the temperature register as the test wrote it");
    assert_eq!(buses("limits"), r#"{"low":-5.5,"high":42.25}"#);
    assert_eq!(buses("stubConfig"), "96", "0x60 in i2c-stub's configuration register: R1:R0 set by the driver");
    assert_eq!(buses("stubTempMsb"), "243", "0xf3 first on the wire: the word's byte order as a TMP105 sends it");
    assert_eq!(buses("stubScan"), r#"["48"]"#, "chip_addr=0x48 reached the module");
    assert_eq!(buses("smbusOnly"), "true", "i801 has no I2C_FUNC_I2C either");
    assert_eq!(buses("scan"), r#"["50","51","52","53","54","55","56","57"]"#, "q35's eight smbus-eeproms");
    assert_eq!(buses("missing"), r#""NoAcknowledge(Address)""#, "ENXIO from i801 for an empty address");
    assert_eq!(buses("eeprom"), "true", "40 bytes written page by page and read back");
}

#[test]
fn guest_gpio_cdev_outputs_read_back_on_gpio_sim() {
    assert_eq!(buses("chip"), r#"{"name":"gpiochip0","lines":8,"same":true}"#);
    assert_eq!(buses("outputs"), r#"["1","0","1"]"#, "intoOutput(true), setLow, toggle as the simulator saw them");
    assert_eq!(buses("consumer"), r#""jsk-test""#);
}

#[test]
fn guest_gpio_cdev_edges_arrive_in_order_with_timestamps_and_none_lost_at_1_khz() {
    assert_eq!(buses("edges"), r#"["rising","falling","rising","falling"]"#);
    assert_eq!(buses("edgeTimestampsAscending"), "true");
    assert_eq!(buses("edgeSeqnos"), "[1,2,3,4]");
    assert_eq!(buses("fast"), r#"{"sent":1000,"seen":1000,"lost":0,"inOrder":true,"alternate":true}"#);
    assert_eq!(
        buses("overflow"),
        r#"{"kept":[9,10],"lost":8}"#,
        "a 2-event buffer overrun: the newest kept, the gap counted"
    );
    let rate: f64 = buses("fastRateHz").parse().unwrap();
    assert!(rate >= 900.0, "the edges were generated at {rate} Hz, not 1 kHz");
}

#[test]
fn guest_gpio_cdev_needs_only_the_device_files_permissions() {
    assert_eq!(
        buses("unprivileged"),
        r#"{"before":"EACCES","after":{"euid":1000,"level":true},"line5":"1"}"#,
        "uid 1000 is refused a 0600 root chip, then drives a line once the chip is group-writable"
    );
}
