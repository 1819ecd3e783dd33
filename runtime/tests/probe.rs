//! jsk-probe against fake sysfs/procfs/dev trees in temp folders. With a
//! sysfs root that is not a mounted sysfs, jsk-probe emulates the kernel's
//! reactions to its writes (driver links move, /dev/vfio/N appears), so
//! bind → restore can be followed end to end.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jsk::probe::checks::{check_bind, BindOptions, Reason};
use jsk::probe::matching::{load_drivers, DriverSource};
use jsk::probe::pci::PciDevice;
use jsk::probe::state::State;
use jsk::probe::{ops, Kernel, System};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

fn drivers_dir() -> PathBuf {
    repo().join("drivers")
}

/// A fake host: `sys/`, `proc/`, `dev/` and a state file in a temp folder.
struct Fake {
    root: PathBuf,
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

impl Fake {
    fn new(name: &str) -> Fake {
        let root = std::env::temp_dir().join(format!("jsk-probe-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in
            ["sys/bus/pci/devices", "sys/bus/pci/drivers/vfio-pci", "sys/kernel/iommu_groups", "proc/net", "dev/vfio"]
        {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        write(&root.join("sys/bus/pci/drivers_probe"), "");
        Fake { root }
    }

    fn sys(&self) -> PathBuf {
        self.root.join("sys")
    }
    fn state(&self) -> PathBuf {
        self.root.join("run/jsk/bound.json")
    }
    fn dev_dir(&self, addr: &str) -> PathBuf {
        self.sys().join("bus/pci/devices").join(addr)
    }

    /// A PCI function; `group` None means no IOMMU group.
    fn device(
        &self,
        addr: &str,
        vendor: u16,
        device: u16,
        class: u32,
        driver: Option<&str>,
        group: Option<u32>,
    ) -> &Fake {
        let d = self.dev_dir(addr);
        write(&d.join("vendor"), &format!("0x{vendor:04x}\n"));
        write(&d.join("device"), &format!("0x{device:04x}\n"));
        write(&d.join("class"), &format!("0x{class:06x}\n"));
        write(&d.join("subsystem_vendor"), "0x1af4\n");
        write(&d.join("subsystem_device"), "0x1100\n");
        write(&d.join("revision"), "0x03\n");
        write(&d.join("driver_override"), "(null)\n");
        if let Some(drv) = driver {
            let ddir = self.sys().join("bus/pci/drivers").join(drv);
            std::fs::create_dir_all(&ddir).unwrap();
            symlink(&ddir, &d.join("driver"));
        }
        if let Some(g) = group {
            let gdir = self.sys().join("kernel/iommu_groups").join(g.to_string());
            symlink(&d, &gdir.join("devices").join(addr));
            symlink(&gdir, &d.join("iommu_group"));
        }
        self
    }

    fn interface(&self, addr: &str, name: &str, up: bool) {
        let n = self.dev_dir(addr).join("net").join(name);
        write(&n.join("flags"), if up { "0x1003\n" } else { "0x1002\n" });
        write(&n.join("operstate"), if up { "up\n" } else { "down\n" });
    }

    /// eth0 with 10.0.2.15/24, default via 10.0.2.2 (as /proc/net shows it).
    fn ipv4(&self, ifname: &str) {
        write(
            &self.root.join("proc/net/route"),
            &format!(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                 {ifname}\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
                 {ifname}\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
            ),
        );
        write(
            &self.root.join("proc/net/fib_trie"),
            "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n     +-- 10.0.2.0/24 2 0 2\n\
             \x20       |-- 10.0.2.0\n           /24 link UNICAST\n        |-- 10.0.2.15\n           /32 host LOCAL\n\
             Local:\n  +-- 10.0.2.0/24 2 0 2\n        |-- 10.0.2.15\n           /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host LOCAL\n",
        );
    }

    fn block(&self, addr: &str, disk: &str, part: &str) {
        let b = self.dev_dir(addr).join("host0/target0:0:0/0:0:0:0/block").join(disk);
        write(&b.join("dev"), "8:0\n");
        write(&b.join(part).join("dev"), "8:1\n");
        write(&b.join(part).join("partition"), "1\n");
    }

    fn host(&self) -> System {
        System::with_roots(self.sys(), self.root.join("proc"), self.root.join("dev"))
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_jsk-probe"));
        c.env("JSK_SYSFS_ROOT", self.sys())
            .env("JSK_PROC_ROOT", self.root.join("proc"))
            .env("JSK_DEV_ROOT", self.root.join("dev"))
            .env("JSK_STATE", self.state())
            .env_remove("JSK_BIN")
            .current_dir(&self.root);
        c
    }

    fn driver_of(&self, addr: &str) -> Option<String> {
        std::fs::read_link(self.dev_dir(addr).join("driver"))
            .ok()
            .map(|t| t.file_name().unwrap().to_string_lossy().into_owned())
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_default()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run jsk-probe");
    assert_eq!(out.status.signal(), None, "jsk-probe died by a signal");
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The three QEMU devices the tests use: e1000 (bound to e1000), edu and pci-serial (no driver).
fn qemu_trio(f: &Fake) {
    f.device("0000:00:02.0", 0x1234, 0x11e8, 0x00ff00, None, Some(4));
    f.device("0000:00:03.0", 0x8086, 0x100e, 0x020000, Some("e1000"), Some(3));
    f.device("0000:00:04.0", 0x1b36, 0x0002, 0x070002, None, Some(5));
}

#[test]
fn listing_has_pci_ids_names_and_jsk_matches() {
    let f = Fake::new("list");
    qemu_trio(&f);
    let r = run(f.cmd().arg("--json").arg("--drivers").arg(drivers_dir()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 3);
    let by = |a: &str| rows.iter().find(|r| r["address"] == a).unwrap().clone();

    let e1000 = by("0000:00:03.0");
    assert_eq!(e1000["vendor"], 0x8086);
    assert_eq!(e1000["device"], 0x100e);
    assert_eq!(e1000["vendorHex"], "8086");
    assert_eq!(e1000["deviceHex"], "100e");
    assert_eq!(e1000["id"], "8086:100e");
    assert_eq!(e1000["vendorName"], "Intel Corporation");
    assert_eq!(e1000["deviceName"], "82540EM Gigabit Ethernet Controller");
    assert_eq!(e1000["class"], 0x020000);
    assert_eq!(e1000["classHex"], "020000");
    assert_eq!(e1000["className"], "Ethernet controller");
    assert_eq!(e1000["iommuGroup"], 3);
    assert_eq!(e1000["driver"], "e1000");
    assert_eq!(e1000["subsystemName"], "QEMU Virtual Machine");
    assert_eq!(e1000["revision"], 3);

    let edu = by("0000:00:02.0");
    assert_eq!(edu["id"], "1234:11e8");
    assert!(edu["vendorName"].is_null(), "1234 is not in pci.ids: {edu}");
    assert!(edu["driver"].is_null());
    assert_eq!(edu["iommuGroup"], 4);
    assert_eq!(edu["jskDriver"], "edu");
    assert!(edu["jskDriverFile"].as_str().unwrap().ends_with("drivers/misc/edu.js"), "{edu}");

    let serial = by("0000:00:04.0");
    assert_eq!(serial["vendorName"], "Red Hat, Inc.");
    assert_eq!(serial["deviceName"], "QEMU PCI 16550A Adapter");
    assert_eq!(serial["className"], "Serial controller");
    assert_eq!(serial["progIfName"], "16550");
    assert_eq!(serial["jskDriver"], "uart16550");
    assert!(serial["jskDriverFile"].as_str().unwrap().ends_with("drivers/serial/uart16550.js"));

    // Every object has the same keys, with null where nothing is known.
    let keys = [
        "address",
        "vendor",
        "device",
        "vendorName",
        "deviceName",
        "class",
        "className",
        "iommuGroup",
        "driver",
        "jskDriver",
        "jskDriverFile",
    ];
    for row in rows {
        for k in keys {
            assert!(row.get(k).is_some(), "{k} missing in {row}");
        }
    }
}

#[test]
fn table_lists_like_lspci_k() {
    let f = Fake::new("table");
    qemu_trio(&f);
    let r = run(f.cmd().arg("--drivers").arg(drivers_dir()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("ADDRESS") && lines[0].contains("KERNEL DRIVER") && lines[0].contains("JSK DRIVER"),
        "{}",
        r.stdout
    );
    let e1000 = lines.iter().find(|l| l.starts_with("0000:00:03.0")).unwrap();
    for part in [
        "8086:100e",
        "Ethernet controller [0200]",
        " 3 ",
        "e1000",
        "Intel Corporation 82540EM Gigabit Ethernet Controller (rev 03)",
    ] {
        assert!(e1000.contains(part), "{part:?} not in {e1000:?}");
    }
    let edu = lines.iter().find(|l| l.starts_with("0000:00:02.0")).unwrap();
    assert!(edu.contains("edu (") && edu.contains("Vendor 1234 Device 11e8"), "{edu}");
    assert!(r.stdout.contains("IOMMU: on, 3 groups"), "{}", r.stdout);
}

#[test]
fn match_tables_are_read_without_probing() {
    let files = DriverSource { dirs: vec![drivers_dir()], files: vec![] }.files(&repo()).unwrap();
    let (drivers, warnings) = load_drivers(&files);
    assert!(warnings.is_empty(), "{warnings:?}");
    let edu = drivers.iter().find(|d| d.name == "edu").expect("edu read");
    assert_eq!((edu.pci[0].vendor, edu.pci[0].device), (0x1234, Some(0x11e8)));
    let uart = drivers.iter().find(|d| d.name == "uart16550").expect("uart16550 read");
    assert_eq!((uart.pci[0].vendor, uart.pci[0].device), (0x1b36, Some(0x0002)));
    assert!(uart.compatible.contains(&"ns16550a".to_string()));
    let pl061 = drivers.iter().find(|d| d.name == "pl061").expect("pl061 read");
    assert!(pl061.pci.is_empty() && pl061.compatible == ["arm,pl061"]);
}

#[test]
fn a_driver_file_that_fails_to_import_is_a_warning() {
    let f = Fake::new("bad-driver");
    write(&f.root.join("drv/broken.js"), "import { nope } from \"jsk:hal\";\nexport default 1;\n");
    write(&f.root.join("drv/helper.js"), "export const x = 1;\n");
    let (drivers, warnings) = load_drivers(&[f.root.join("drv/broken.js"), f.root.join("drv/helper.js")]);
    assert!(drivers.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("broken.js: cannot read its match table"), "{warnings:?}");
}

#[test]
fn refuses_without_an_iommu_group() {
    let f = Fake::new("noiommu");
    f.device("0000:00:02.0", 0x1234, 0x11e8, 0x00ff00, None, None);
    let r = run(f.cmd().args(["bind", "0000:00:02.0"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("refusing to bind 0000:00:02.0: it has no IOMMU group: no IOMMU is active"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("intel_iommu=on"), "{}", r.stderr);
    assert!(!r.stderr.contains("--unsafe-noiommu"), "the kernel offers no such mode here: {}", r.stderr);
    assert_eq!(f.read("sys/bus/pci/devices/0000:00:02.0/driver_override"), "(null)\n", "nothing written");
    assert!(!f.state().exists());

    // --unsafe-noiommu where the kernel has no such mode.
    let r = run(f.cmd().args(["bind", "--unsafe-noiommu", "0000:00:02.0"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("this kernel has no unsafe no-IOMMU mode"), "{}", r.stderr);
}

#[test]
fn unsafe_noiommu_binds_where_the_kernel_allows_it() {
    let f = Fake::new("noiommu-ok");
    f.device("0000:00:02.0", 0x1234, 0x11e8, 0x00ff00, None, None);
    write(&f.sys().join("module/vfio/parameters/enable_unsafe_noiommu_mode"), "N\n");
    let r = run(f.cmd().args(["bind", "0000:00:02.0"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--unsafe-noiommu (root only, no DMA protection)"), "{}", r.stderr);

    let r = run(f.cmd().args(["bind", "--unsafe-noiommu", "0000:00:02.0"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("WARNING: UNSAFE"), "{}", r.stderr);
    assert_eq!(f.read("sys/module/vfio/parameters/enable_unsafe_noiommu_mode"), "Y");
    assert_eq!(f.driver_of("0000:00:02.0").as_deref(), Some("vfio-pci"));
    assert!(f.root.join("dev/vfio/noiommu-0").exists());
    let st = State::load(&f.state()).unwrap();
    assert!(st.devices["0000:00:02.0"].noiommu);
}

#[test]
fn refuses_a_group_with_members_on_host_drivers() {
    let f = Fake::new("group");
    f.device("0000:01:00.0", 0x10de, 0x1cb3, 0x030000, Some("nouveau"), Some(7));
    f.device("0000:01:00.1", 0x10de, 0x0fb9, 0x040300, Some("snd_hda_intel"), Some(7));
    let r = run(f.cmd().args(["bind", "01:00.0"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("IOMMU group 7 is not viable: 0000:01:00.1 (NVIDIA Corporation GP107GL High Definition Audio Controller) is bound to snd_hda_intel"),
        "{}",
        r.stderr
    );
    assert_eq!(f.driver_of("0000:01:00.0").as_deref(), Some("nouveau"), "nothing changed");

    // The library names the member too.
    let h = f.host();
    let d = PciDevice::read(&h, "0000:01:00.0").unwrap();
    let refusal = check_bind(&h, &d, &[], BindOptions::default()).unwrap_err();
    assert!(
        matches!(&refusal.reasons[..], [Reason::GroupNotViable { group: 7, members }] if members[0].driver == "snd_hda_intel")
    );
    // --force does not override this one (the kernel would refuse to open the group anyway).
    assert!(check_bind(&h, &d, &[], BindOptions { force: true, unsafe_noiommu: false }).is_err());

    // Binding the whole group at once is fine.
    let r = run(f.cmd().args(["bind", "01:00.0", "01:00.1"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(f.driver_of("0000:01:00.0").as_deref(), Some("vfio-pci"));
    assert_eq!(f.driver_of("0000:01:00.1").as_deref(), Some("vfio-pci"));
}

#[test]
fn a_cloud_vms_virtio_nic_is_listed_with_the_virtio_driver_and_not_taken_while_up() {
    // A KVM machine's NIC: 1af4:1041 on the kernel's virtio-pci, its interface below the
    // virtio child device (virtio0/net/eth0), as on the machines the tests run on.
    let f = Fake::new("virtio");
    f.device("0000:00:03.0", 0x1af4, 0x1041, 0x020000, Some("virtio-pci"), Some(3));
    let n = f.dev_dir("0000:00:03.0").join("virtio0/net/eth0");
    write(&n.join("flags"), "0x1003\n");
    write(&n.join("operstate"), "up\n");
    f.ipv4("eth0");
    let r = run(f.cmd().arg("--json").arg("--drivers").arg(drivers_dir()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let nic = &rows[0];
    assert_eq!(nic["deviceName"], "Virtio 1.0 network device");
    assert_eq!(nic["driver"], "virtio-pci");
    assert_eq!(nic["jskDriver"], "virtio-net");
    assert!(nic["jskDriverFile"].as_str().unwrap().ends_with("drivers/virtio/net.js"), "{nic}");
    let r = run(f.cmd().args(["bind", "0000:00:03.0"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("network interface eth0 is up with address 10.0.2.15/24"), "{}", r.stderr);
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("virtio-pci"), "left where it was");
}

#[test]
fn refuses_an_interface_that_is_up_with_addresses_unless_forced() {
    let f = Fake::new("net");
    qemu_trio(&f);
    f.interface("0000:00:03.0", "eth0", true);
    f.ipv4("eth0");
    write(
        &f.root.join("proc/net/if_inet6"),
        "fe80000000000000505400fffe123456 02 40 20 80     eth0\n20010db8000000000000000000000015 02 40 00 80     eth0\n",
    );
    let r = run(f.cmd().args(["bind", "0000:00:03.0"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("network interface eth0 is up with addresses 10.0.2.15/24, 2001:db8::15/64 and routes default via 10.0.2.2, 10.0.2.0/24"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("ip link set eth0 down") && r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("e1000"));

    // Down: nothing in the way.
    f.interface("0000:00:03.0", "eth0", false);
    let h = f.host();
    let d = PciDevice::read(&h, "0000:00:03.0").unwrap();
    assert!(check_bind(&h, &d, &[], BindOptions::default()).is_ok());

    // Up again, forced.
    f.interface("0000:00:03.0", "eth0", true);
    let r = run(f.cmd().args(["bind", "--force", "0000:00:03.0"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: --force: binding 0000:00:03.0 although network interface eth0 is up"),
        "{}",
        r.stderr
    );
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("vfio-pci"));
}

#[test]
fn an_interface_up_without_addresses_is_not_in_the_way() {
    let f = Fake::new("net-bare");
    qemu_trio(&f);
    f.interface("0000:00:03.0", "eth1", true);
    f.ipv4("eth0"); // addresses belong to another interface
    write(&f.root.join("proc/net/if_inet6"), "fe80000000000000505400fffe123456 03 40 20 80     eth1\n");
    let h = f.host();
    let d = PciDevice::read(&h, "0000:00:03.0").unwrap();
    assert!(check_bind(&h, &d, &[], BindOptions::default()).is_ok());
}

#[test]
fn refuses_a_disk_with_mounted_filesystems_unless_forced() {
    let f = Fake::new("mount");
    f.device("0000:00:1f.2", 0x8086, 0x2922, 0x010601, Some("ahci"), Some(9));
    f.block("0000:00:1f.2", "sda", "sda1");
    write(&f.root.join("proc/mounts"), "sysfs /sys sysfs rw 0 0\n/dev/sda1 /mnt/my\\040data ext4 rw,relatime 0 0\n");
    let r = run(f.cmd().args(["bind", "00:1f.2"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("refusing to bind 0000:00:1f.2: its block device is mounted: sda1 on /mnt/my data (ext4)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("unmount first, or pass --force"), "{}", r.stderr);

    // mountinfo matches by major:minor too (e.g. a root filesystem shown as /dev/root).
    write(&f.root.join("proc/mounts"), "");
    write(&f.root.join("proc/self/mountinfo"), "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n");
    let h = f.host();
    let d = PciDevice::read(&h, "0000:00:1f.2").unwrap();
    let refusal = check_bind(&h, &d, &[], BindOptions::default()).unwrap_err();
    assert!(matches!(&refusal.reasons[..], [Reason::Mounted { mounts }] if mounts[0].point == "/"), "{refusal}");

    let r = run(f.cmd().args(["bind", "--force", "00:1f.2"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning: --force"), "{}", r.stderr);
    assert_eq!(f.driver_of("0000:00:1f.2").as_deref(), Some("vfio-pci"));
}

#[test]
fn refuses_swap_and_bridges() {
    let f = Fake::new("swap");
    f.device("0000:00:1f.2", 0x8086, 0x2922, 0x010601, Some("ahci"), Some(9));
    f.block("0000:00:1f.2", "sda", "sda1");
    write(&f.root.join("proc/swaps"), "Filename\tType\tSize\tUsed\tPriority\n/dev/sda1\tpartition\t1048572\t0\t-2\n");
    f.device("0000:00:1c.0", 0x8086, 0x2918, 0x060400, Some("pcieport"), Some(10));
    let r = run(f.cmd().args(["bind", "00:1f.2"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("its block device sda1 is in use as swap"), "{}", r.stderr);
    let r = run(f.cmd().args(["bind", "00:1c.0"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("it is a PCI bridge (header type 1)"), "{}", r.stderr);
}

#[test]
fn bind_records_the_original_driver_and_restore_gives_it_back() {
    let f = Fake::new("bind-restore");
    qemu_trio(&f);
    let r = run(f.cmd().args(["bind", "0000:00:03.0"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("bound 0000:00:03.0 to vfio-pci (was e1000)"), "{}", r.stdout);
    // The writes a real kernel acts on.
    assert_eq!(f.read("sys/bus/pci/devices/0000:00:03.0/driver_override"), "vfio-pci");
    assert_eq!(f.read("sys/bus/pci/drivers/e1000/unbind"), "0000:00:03.0");
    assert_eq!(f.read("sys/bus/pci/drivers_probe"), "0000:00:03.0");
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("vfio-pci"));
    assert!(f.root.join("dev/vfio/3").exists());
    let st: serde_json::Value = serde_json::from_str(&f.read("run/jsk/bound.json")).unwrap();
    let e = &st["devices"]["0000:00:03.0"];
    assert_eq!(e["originalDriver"], "e1000");
    assert_eq!(e["id"], "8086:100e");
    assert!(e["boundAt"].as_str().unwrap().ends_with('Z'));
    assert!(e["boundAtUnix"].as_u64().unwrap() > 1_600_000_000);

    // Listing shows who bound it.
    let r = run(f.cmd().arg("--json").arg("--drivers").arg(drivers_dir()));
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["address"] == "0000:00:03.0").unwrap();
    assert_eq!(row["driver"], "vfio-pci");
    assert_eq!(row["jskBound"]["originalDriver"], "e1000");

    // Binding again changes nothing and keeps the first record.
    let r = run(f.cmd().args(["bind", "0000:00:03.0"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("already on vfio-pci (bound by jsk-probe"), "{}", r.stdout);

    let r = run(f.cmd().args(["restore", "0000:00:03.0"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("restored 0000:00:03.0 to e1000"), "{}", r.stdout);
    assert_eq!(f.read("sys/bus/pci/devices/0000:00:03.0/driver_override").trim(), "", "override cleared");
    assert_eq!(f.read("sys/bus/pci/drivers/vfio-pci/unbind"), "0000:00:03.0");
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("e1000"));
    assert!(State::load(&f.state()).unwrap().devices.is_empty());

    // Nothing left to restore.
    let r = run(f.cmd().args(["restore", "0000:00:03.0"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("was not bound by jsk-probe"), "{}", r.stderr);
    let r = run(f.cmd().args(["restore", "--all"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("nothing to restore"));
}

#[test]
fn a_device_without_a_driver_stays_without_one_after_restore() {
    let f = Fake::new("unbound");
    qemu_trio(&f);
    let h = f.host();
    assert_eq!(h.kernel, Kernel::Emulated);
    let d = PciDevice::read(&h, "0000:00:02.0").unwrap();
    let plan = check_bind(&h, &d, &[], BindOptions::default()).unwrap();
    let b = ops::bind(&h, &plan, &f.state()).unwrap();
    assert_eq!(b.original_driver, None);
    // No unbind for a device that had no driver: override, then drivers_probe.
    let paths: Vec<String> =
        b.writes.iter().map(|w| w.path.strip_prefix(f.sys()).unwrap().display().to_string()).collect();
    assert_eq!(paths, ["bus/pci/devices/0000:00:02.0/driver_override", "bus/pci/drivers_probe"]);
    let r = ops::restore(&h, "0000:00:02.0", &f.state()).unwrap();
    assert_eq!(r.now, None);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(f.driver_of("0000:00:02.0"), None);
}

#[test]
fn restore_after_a_crash_works_from_the_state_file() {
    let f = Fake::new("crash");
    qemu_trio(&f);
    // As a jsk-probe that bound the device and died would have left it.
    let d = f.dev_dir("0000:00:03.0");
    write(&d.join("driver_override"), "vfio-pci\n");
    symlink(&f.sys().join("bus/pci/drivers/vfio-pci"), &d.join("driver"));
    write(&f.root.join("dev/vfio/3"), "");
    write(
        &f.state(),
        r#"{ "version": 1, "devices": { "0000:00:03.0": { "originalDriver": "e1000", "boundAt": "2025-07-20T08:11:12Z" } } }"#,
    );
    // A process still holding the group: restore refuses (unbinding would block).
    let fd = f.root.join("proc/4242/fd/7");
    symlink(Path::new("/dev/vfio/3"), &fd);
    write(&f.root.join("proc/4242/comm"), "jsk\n");
    let r = run(f.cmd().args(["restore", "--all"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("refusing to restore 0000:00:03.0:") && r.stderr.contains("is held open by pid 4242 (jsk)"),
        "{}",
        r.stderr
    );
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("vfio-pci"));

    // The process is gone (it crashed): restore goes ahead.
    std::fs::remove_dir_all(f.root.join("proc/4242")).unwrap();
    let r = run(f.cmd().args(["restore", "--all"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(f.driver_of("0000:00:03.0").as_deref(), Some("e1000"));
    assert!(State::load(&f.state()).unwrap().devices.is_empty());
}

#[test]
fn errors_and_usage() {
    let f = Fake::new("errors");
    qemu_trio(&f);
    let r = run(f.cmd().args(["bind", "0000:00:09.0"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("0000:00:09.0: no such PCI device"), "{}", r.stderr);
    let r = run(f.cmd().args(["bind", "not-an-address"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a PCI address"), "{}", r.stderr);
    let r = run(f.cmd().args(["bind"]));
    assert_eq!(r.code, 1, "usage errors are 1; 2 means refused");
    let r = run(f.cmd().args(["attach", "0000:00:02.0", "missing.js"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("missing.js is neither a PCI address nor an app file"), "{}", r.stderr);
}

/// A stand-in for `jsk` that records its arguments, says the drivers are
/// attached, and then either exits with `code` or waits for a signal.
fn fake_jsk(f: &Fake, wait_for_signal: bool, code: i32) -> PathBuf {
    let log = f.root.join("jsk.log");
    let body = if wait_for_signal {
        format!("trap 'echo \"got $1\" >> {log}; exit 143' TERM\ntrap 'echo got-INT >> {log}; exit 130' INT\nwhile :; do sleep 0.05; done\n", log = log.display())
    } else {
        format!("exit {code}\n")
    };
    let script = format!(
        "#!/bin/sh\necho \"$@\" > {args}\necho 'jsk: drivers attached: edu on 0000:00:02.0' >&2\necho 'app output'\n{body}",
        args = f.root.join("jsk.args").display()
    )
    .replace("got $1", "got-TERM");
    let p = f.root.join("fake-jsk.sh");
    write(&p, &script);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn attach_binds_runs_jsk_with_vfio_and_passes_the_exit_status_on() {
    let f = Fake::new("attach");
    qemu_trio(&f);
    let jsk = fake_jsk(&f, false, 7);
    write(&f.root.join("app.js"), "console.log('hi');\n");
    let r = run(f.cmd().env("JSK_BIN", &jsk).arg("attach").arg("--drivers").arg(drivers_dir()).args([
        "0000:00:02.0",
        "app.js",
        "x",
        "--",
        "--y",
    ]));
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(r.stderr.contains("jsk-probe: bound 0000:00:02.0 to vfio-pci (was unbound)"), "{}", r.stderr);
    assert!(r.stderr.contains("jsk-probe: drivers attached: edu on 0000:00:02.0"), "{}", r.stderr);
    assert!(!r.stderr.contains("\njsk: drivers attached"), "the child's line is replaced, not repeated: {}", r.stderr);
    assert_eq!(r.stdout, "app output\n");
    let args = f.read("jsk.args");
    // Drivers and app run under --deny-unsafe unless attach is given --allow-unsafe; jsk gets
    // the file of the driver that matches, not the folder (it compiles no other driver).
    assert_eq!(
        args.trim(),
        format!(
            "run --deny-unsafe --vfio 0000:00:02.0 --drivers {} app.js x --y",
            drivers_dir().join("misc/edu.js").display()
        )
    );
    assert_eq!(f.driver_of("0000:00:02.0").as_deref(), Some("vfio-pci"));
    assert!(r.stderr.contains("stays on vfio-pci; `jsk-probe restore --all` gives it back"), "{}", r.stderr);
}

#[test]
fn attach_without_a_matching_driver_hands_jsk_the_folders() {
    let f = Fake::new("attach-nomatch");
    qemu_trio(&f);
    f.device("0000:00:06.0", 0x1b36, 0x0099, 0x00ff00, None, Some(7));
    let jsk = fake_jsk(&f, false, 0);
    let r = run(f.cmd().env("JSK_BIN", &jsk).arg("attach").arg("--drivers").arg(drivers_dir()).arg("0000:00:06.0"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning: no jsk driver matches 0000:00:06.0"), "{}", r.stderr);
    let args = f.read("jsk.args");
    assert!(
        args.starts_with(&format!("run --deny-unsafe --vfio 0000:00:06.0 --drivers {} ", drivers_dir().display())),
        "{args}"
    );
}

#[test]
fn attach_all_takes_every_matching_device_and_skips_refused_ones() {
    let f = Fake::new("attach-all");
    qemu_trio(&f);
    // A second edu whose group partner is on a host driver: skipped.
    f.device("0000:00:05.0", 0x1234, 0x11e8, 0x00ff00, None, Some(6));
    f.device("0000:00:05.1", 0x8086, 0x100e, 0x020000, Some("e1000"), Some(6));
    let jsk = fake_jsk(&f, false, 0);
    let r = run(f
        .cmd()
        .env("JSK_BIN", &jsk)
        .args(["attach", "--all", "--restore", "--driver"])
        .arg(drivers_dir().join("misc/edu.js"))
        .arg("--driver")
        .arg(drivers_dir().join("serial/uart16550.js")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("skipping 0000:00:05.0: refusing to bind 0000:00:05.0: IOMMU group 6 is not viable"),
        "{}",
        r.stderr
    );
    let args = f.read("jsk.args");
    assert!(args.starts_with("run --deny-unsafe --vfio 0000:00:02.0 --vfio 0000:00:04.0 --drivers "), "{args}");
    assert!(args.contains("misc/edu.js --drivers ") && args.contains("serial/uart16550.js "), "{args}");
    assert!(args.contains("jsk-probe-keepalive-"), "without an app a keep-alive app runs: {args}");
    // --restore: both back where they were (no driver).
    assert!(r.stderr.contains("restored 0000:00:02.0 to no driver"), "{}", r.stderr);
    assert_eq!(f.driver_of("0000:00:02.0"), None);
    assert_eq!(f.driver_of("0000:00:04.0"), None);
    assert!(State::load(&f.state()).unwrap().devices.is_empty());
}

#[test]
fn attach_refuses_before_running_anything() {
    let f = Fake::new("attach-refused");
    qemu_trio(&f);
    f.interface("0000:00:03.0", "eth0", true);
    f.ipv4("eth0");
    let jsk = fake_jsk(&f, false, 0);
    let r = run(f.cmd().env("JSK_BIN", &jsk).arg("attach").arg("--drivers").arg(drivers_dir()).arg("0000:00:03.0"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("network interface eth0 is up"), "{}", r.stderr);
    assert!(!f.root.join("jsk.args").exists(), "jsk did not run");
}

#[test]
fn attach_forwards_sigterm_to_jsk_exactly_once() {
    let f = Fake::new("attach-signal");
    qemu_trio(&f);
    let jsk = fake_jsk(&f, true, 0);
    let mut child = f
        .cmd()
        .env("JSK_BIN", &jsk)
        .arg("attach")
        .arg("--drivers")
        .arg(drivers_dir())
        .arg("0000:00:02.0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let start = Instant::now();
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "jsk-probe ended early: {seen}");
        seen.push_str(&line);
        if line.contains("drivers attached") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{seen}");
    }
    assert!(seen.contains("jsk-probe: drivers attached: edu on 0000:00:02.0"), "{seen}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(143), "{seen}{rest}");
    assert!(rest.contains("SIGTERM: stopping jsk"), "{rest}");
    assert_eq!(f.read("jsk.log"), "got-TERM\n", "the child got SIGTERM once");
}
