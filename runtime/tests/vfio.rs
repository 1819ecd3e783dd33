//! The VFIO backend's host-runnable parts: PCI address parsing, jsk's IOVA
//! allocator, the IOMMU info parser, and the error messages for devices that
//! cannot be opened (against a made-up sysfs tree, and the real one for a
//! device that does not exist). The device path itself needs an IOMMU and
//! runs in the guest tier.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use jsk::backend::vfio::{
    check_device, container_message, group_members, not_viable_message, open_group_message, parse_iova_ranges,
    IovaAllocator, SysPaths, VfioHost, IOVA_BASE, IOVA_LIMIT, PAGE,
};
use jsk::hw::pci::PciAddress;

// ---- addresses ----------------------------------------------------------

#[test]
fn address_parses_full_and_short_forms() {
    let a = PciAddress::parse("0000:00:02.0").unwrap();
    assert_eq!((a.domain, a.bus, a.device, a.function), (0, 0, 2, 0));
    assert_eq!(a.to_string(), "0000:00:02.0");
    let b = PciAddress::parse("3a:1F.7").unwrap();
    assert_eq!((b.domain, b.bus, b.device, b.function), (0, 0x3a, 0x1f, 7));
    assert_eq!(b.to_string(), "0000:3a:1f.7");
    assert_eq!(PciAddress::parse("10000:ff:00.1").ok(), None, "domain is 16-bit");
    assert_eq!(PciAddress::parse("abcd:ff:00.1").unwrap().to_string(), "abcd:ff:00.1");
    // The short form jsk-probe takes, one parser for both (they disagreed).
    assert_eq!(PciAddress::parse("2.0").unwrap().to_string(), "0000:00:02.0");
    assert_eq!(PciAddress::parse("001:02.0").ok(), None, "bus has two digits");
}

#[test]
fn address_rejects_what_is_not_one() {
    for bad in [
        "",
        "00:02",
        "00:20.0",
        "00:02.8",
        "0000:00:02.0.1",
        "zz:02.0",
        "00:02.x",
        "0000:100:02.0",
        "a:b:c:d.0",
        "00:-1.0",
    ] {
        let e = PciAddress::parse(bad).unwrap_err().to_string();
        assert!(e.contains("is not a PCI address") && e.contains("DDDD:BB:DD.F"), "{bad:?}: {e}");
    }
}

// ---- IOVA allocation ----------------------------------------------------

#[test]
fn iovas_start_low_page_aligned_and_rounded() {
    let mut a = IovaAllocator::new(&[(0, (1 << 39) - 1)]);
    assert_eq!(a.alloc(100, 64), Some((IOVA_BASE, PAGE)), "first buffer at 1 MiB, one page");
    assert_eq!(a.alloc(5000, 8192), Some((IOVA_BASE + 0x2000, 0x2000)), "aligned to 8 KiB, two pages");
    assert_eq!(a.alloc(4096, 1), Some((IOVA_BASE + 0x1000, PAGE)), "first fit fills the gap");
    // Everything a 28-bit device (edu) can reach comes first.
    for _ in 0..100 {
        let (iova, len) = a.alloc(64 << 10, 4096).unwrap();
        assert!(iova + len <= 1 << 28);
    }
}

#[test]
fn iovas_come_back_and_coalesce() {
    let mut a = IovaAllocator::new(&[(0, (1 << 32) - 1)]);
    let total = a.free_bytes();
    assert_eq!(total, IOVA_LIMIT - IOVA_BASE);
    let x = a.alloc(PAGE, PAGE).unwrap();
    let y = a.alloc(3 * PAGE, PAGE).unwrap();
    let z = a.alloc(1, PAGE).unwrap();
    a.release(y.0, y.1);
    assert_eq!(a.alloc(2 * PAGE, PAGE).unwrap().0, y.0, "a freed IOVA is reused first");
    a.release(y.0, 2 * PAGE);
    a.release(x.0, x.1);
    a.release(z.0, z.1);
    assert_eq!(a.free_bytes(), total);
    assert_eq!(a.alloc(total, PAGE), Some((IOVA_BASE, total)), "freed extents merged back into one");
}

#[test]
fn iovas_stay_inside_the_ranges_the_iommu_accepts() {
    // What Intel's IOMMU reports on q35: everything but the interrupt window.
    let ranges = [(0, 0xfedf_ffff), (0xfef0_0000, 0x7f_ffff_ffff)];
    let mut a = IovaAllocator::new(&ranges);
    assert_eq!(a.free_bytes(), (0xfee0_0000 - IOVA_BASE) + (IOVA_LIMIT - 0xfef0_0000));
    // Fill up to the window, then the next one must skip it.
    let below = 0xfee0_0000 - IOVA_BASE;
    assert_eq!(a.alloc(below, PAGE), Some((IOVA_BASE, below)));
    let (iova, _) = a.alloc(PAGE, PAGE).unwrap();
    assert_eq!(iova, 0xfef0_0000);
    assert_eq!(a.alloc(IOVA_LIMIT, PAGE), None, "nothing beyond 4 GiB");
}

#[test]
fn iova_ranges_are_trimmed_to_whole_pages_above_one_mib() {
    let a = IovaAllocator::new(&[(0x1234, 0x20_0fff), (0x30_0800, 0x30_2fff)]);
    // [1 MiB, 2 MiB + 4 KiB) and [0x301000, 0x303000)
    assert_eq!(a.free_bytes(), 0x10_1000 + 0x2000);
    let none = IovaAllocator::new(&[(0, 0xf_ffff)]);
    assert_eq!(none.free_bytes(), 0, "a range entirely below 1 MiB gives nothing");
}

#[test]
fn without_kernel_ranges_the_x86_interrupt_window_is_kept_out() {
    let mut a = IovaAllocator::new(&[]);
    assert_eq!(a.free_bytes(), 0xfee0_0000 - IOVA_BASE);
    assert!(a.alloc(0xfee0_0000 - IOVA_BASE + PAGE, PAGE).is_none());
}

#[test]
fn iova_allocation_refuses_nonsense() {
    let mut a = IovaAllocator::new(&[(0, 1 << 30)]);
    assert_eq!(a.alloc(0, PAGE), None, "zero bytes");
    assert_eq!(a.alloc(PAGE, 3 * PAGE), None, "alignment not a power of two");
    assert_eq!(a.alloc(u64::MAX, PAGE), None, "rounding would overflow");
    let mut empty = IovaAllocator::new(&[(0, 0xfff)]);
    assert_eq!(empty.alloc(1, 1), None);
}

// ---- VFIO_IOMMU_GET_INFO ------------------------------------------------

const CAPS: u32 = 2; // VFIO_IOMMU_INFO_CAPS
const PGSIZES: u32 = 1;

fn info(caps: &[Vec<u8>]) -> Vec<u8> {
    // struct vfio_iommu_type1_info: argsz, flags, iova_pgsizes, cap_offset, pad.
    let mut b = Vec::new();
    let mut body = Vec::new();
    let mut offsets = Vec::new();
    let mut at = 24u32;
    for c in caps {
        offsets.push(at);
        at += c.len() as u32;
    }
    for (i, c) in caps.iter().enumerate() {
        let mut c = c.clone();
        let next = offsets.get(i + 1).copied().unwrap_or(0);
        c[4..8].copy_from_slice(&next.to_ne_bytes());
        body.extend(c);
    }
    b.extend((24 + body.len() as u32).to_ne_bytes());
    b.extend((PGSIZES | if caps.is_empty() { 0 } else { CAPS }).to_ne_bytes());
    b.extend(0x1000u64.to_ne_bytes());
    b.extend(if caps.is_empty() { 0u32 } else { 24u32 }.to_ne_bytes());
    b.extend(0u32.to_ne_bytes());
    b.extend(body);
    b
}

fn cap(id: u16, payload: &[u8]) -> Vec<u8> {
    let mut c = Vec::new();
    c.extend(id.to_ne_bytes());
    c.extend(1u16.to_ne_bytes());
    c.extend(0u32.to_ne_bytes()); // next, filled by `info`
    c.extend(payload);
    c
}

fn iova_cap(ranges: &[(u64, u64)]) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend((ranges.len() as u32).to_ne_bytes());
    p.extend(0u32.to_ne_bytes());
    for (s, e) in ranges {
        p.extend(s.to_ne_bytes());
        p.extend(e.to_ne_bytes());
    }
    cap(1, &p)
}

#[test]
fn iommu_info_gives_the_iova_ranges() {
    let want = vec![(0, 0xfedf_ffff), (0xfef0_0000, 0x7f_ffff_ffff)];
    assert_eq!(parse_iova_ranges(&info(&[iova_cap(&want)])), want);
    // Behind another capability (DMA_AVAIL, id 3) in the chain.
    let avail = cap(3, &65535u32.to_ne_bytes());
    assert_eq!(parse_iova_ranges(&info(&[avail, iova_cap(&want)])), want);
}

#[test]
fn iommu_info_without_ranges_or_malformed_gives_none() {
    assert!(parse_iova_ranges(&info(&[])).is_empty(), "no capabilities");
    assert!(parse_iova_ranges(&[]).is_empty());
    let mut truncated = info(&[iova_cap(&[(0, 0xffff_ffff), (1 << 32, 1 << 39)])]);
    truncated.truncate(24 + 16 + 16 + 8);
    assert_eq!(parse_iova_ranges(&truncated), vec![(0, 0xffff_ffff)], "only whole ranges");
    let mut looped = info(&[iova_cap(&[(0, 0xfff)])]);
    looped[24 + 4..24 + 8].copy_from_slice(&24u32.to_ne_bytes()); // next points at itself
    assert_eq!(parse_iova_ranges(&looped), vec![(0, 0xfff)]);
    let backwards = info(&[iova_cap(&[(0x2000, 0x1000)])]);
    assert!(parse_iova_ranges(&backwards).is_empty(), "start after end is dropped");
}

// ---- error messages -----------------------------------------------------

static TREE: AtomicU32 = AtomicU32::new(0);

/// A made-up /sys and /dev under the temp directory.
struct FakeSys {
    root: PathBuf,
    paths: SysPaths,
}

impl FakeSys {
    fn new() -> FakeSys {
        let root = std::env::temp_dir().join(format!(
            "jsk-vfio-test-{}-{}",
            std::process::id(),
            TREE.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("sys/bus/pci/devices")).unwrap();
        std::fs::create_dir_all(root.join("dev/vfio")).unwrap();
        let paths = SysPaths { sys: root.join("sys"), dev: root.join("dev") };
        FakeSys { root, paths }
    }
    /// A PCI function, optionally in an IOMMU group and bound to a driver.
    fn device(&self, addr: &str, group: Option<u32>, driver: Option<&str>) {
        let real = self.root.join("sys/devices/pci0000:00").join(addr);
        std::fs::create_dir_all(&real).unwrap();
        symlink(&real, self.root.join("sys/bus/pci/devices").join(addr)).unwrap();
        if let Some(g) = group {
            let gdir = self.root.join("sys/kernel/iommu_groups").join(g.to_string());
            std::fs::create_dir_all(gdir.join("devices")).unwrap();
            symlink(&gdir, real.join("iommu_group")).unwrap();
            symlink(&real, gdir.join("devices").join(addr)).unwrap();
        }
        if let Some(d) = driver {
            let ddir = self.root.join("sys/bus/pci/drivers").join(d);
            std::fs::create_dir_all(&ddir).unwrap();
            symlink(&ddir, real.join("driver")).unwrap();
        }
    }
}

impl Drop for FakeSys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn addr(s: &str) -> PciAddress {
    PciAddress::parse(s).unwrap()
}

#[test]
fn a_missing_device_is_named() {
    let t = FakeSys::new();
    let e = check_device(&t.paths, &addr("0000:00:09.0")).unwrap_err().to_string();
    assert!(e.starts_with("vfio 0000:00:09.0: no such PCI device"), "{e}");
    assert!(e.contains("bus/pci/devices/0000:00:09.0 does not exist"), "{e}");
}

#[test]
fn no_iommu_group_says_to_turn_the_iommu_on() {
    let t = FakeSys::new();
    t.device("0000:00:04.0", None, Some("vfio-pci"));
    let e = check_device(&t.paths, &addr("0000:00:04.0")).unwrap_err().to_string();
    assert!(e.contains("no IOMMU group") && e.contains("intel_iommu=on") && e.contains("intel-iommu"), "{e}");
}

#[test]
fn a_device_on_another_driver_or_none_points_at_jsk_probe() {
    let t = FakeSys::new();
    t.device("0000:00:05.0", Some(4), Some("serial"));
    t.device("0000:00:06.0", Some(5), None);
    let e = check_device(&t.paths, &addr("0000:00:05.0")).unwrap_err().to_string();
    assert_eq!(
        e,
        "vfio 0000:00:05.0: the device is bound to serial, not vfio-pci: `jsk-probe bind 0000:00:05.0` rebinds it"
    );
    let e = check_device(&t.paths, &addr("00:06.0")).unwrap_err().to_string();
    assert!(e.contains("not bound to vfio-pci (it has no driver)") && e.contains("jsk-probe bind 0000:00:06.0"), "{e}");
}

#[test]
fn a_device_bound_to_vfio_pci_gives_its_group() {
    let t = FakeSys::new();
    t.device("0000:00:04.0", Some(3), Some("vfio-pci"));
    assert_eq!(check_device(&t.paths, &addr("0000:00:04.0")).ok(), Some(3));
}

#[test]
fn a_group_that_is_not_viable_lists_its_members_and_drivers() {
    let t = FakeSys::new();
    t.device("0000:00:07.0", Some(6), None); // the PCI bridge
    t.device("0000:01:01.0", Some(6), Some("vfio-pci"));
    t.device("0000:01:02.0", Some(6), Some("serial"));
    assert_eq!(
        group_members(&t.paths, 6),
        vec![
            ("0000:00:07.0".to_string(), None),
            ("0000:01:01.0".to_string(), Some("vfio-pci".to_string())),
            ("0000:01:02.0".to_string(), Some("serial".to_string()))
        ]
    );
    let e = not_viable_message(&t.paths, &addr("0000:01:01.0"), 6);
    assert!(e.starts_with("vfio 0000:01:01.0: IOMMU group 6 is not viable"), "{e}");
    assert!(e.contains("members: 0000:00:07.0 (no driver), 0000:01:01.0 (vfio-pci), 0000:01:02.0 (serial)"), "{e}");
    assert!(e.contains("bind 0000:01:02.0 to vfio-pci too"), "{e}");
}

#[test]
fn group_node_errors_say_which_file_and_what_to_do() {
    let t = FakeSys::new();
    let a = addr("0000:00:04.0");
    let node = t.paths.dev.join("vfio/3");
    let denied = open_group_message(&t.paths, &a, 3, &std::io::Error::from_raw_os_error(libc::EACCES));
    assert!(denied.contains(&format!("permission denied opening {}", node.display())), "{denied}");
    assert!(denied.contains("needs read-write access"), "{denied}");
    let missing = open_group_message(&t.paths, &a, 3, &std::io::Error::from_raw_os_error(libc::ENOENT));
    assert!(missing.contains("does not exist") && missing.contains("jsk-probe bind 0000:00:04.0"), "{missing}");
    let busy = open_group_message(&t.paths, &a, 3, &std::io::Error::from_raw_os_error(libc::EBUSY));
    assert!(busy.contains("is busy") && busy.contains("IOMMU group 3"), "{busy}");
}

#[test]
fn a_missing_container_says_to_load_the_modules() {
    let e = vfio_ioctls::VfioError::OpenContainer(std::io::Error::from_raw_os_error(libc::ENOENT));
    let m = container_message(&e);
    assert!(m.contains("/dev/vfio/vfio does not exist") && m.contains("vfio_iommu_type1"), "{m}");
}

#[test]
fn opening_checks_every_address_before_touching_vfio() {
    let t = FakeSys::new();
    t.device("0000:00:04.0", Some(3), Some("vfio-pci"));
    let e = VfioHost::open_at(&t.paths, &[]).err().unwrap().to_string();
    assert!(e.contains("no PCI function given"), "{e}");
    let e = VfioHost::open_at(&t.paths, &["0000:00:04.0".into(), "00:04.0".into()]).err().unwrap().to_string();
    assert_eq!(e, "vfio 0000:00:04.0: given twice");
    let e = VfioHost::open_at(&t.paths, &["0000:00:04.0".into(), "0000:00:05.0".into()]).err().unwrap().to_string();
    assert!(e.starts_with("vfio 0000:00:05.0: no such PCI device"), "{e}");
    let e = VfioHost::open_at(&t.paths, &["0000:00:04".into()]).err().unwrap().to_string();
    assert!(e.contains("is not a PCI address"), "{e}");
}

#[test]
fn opening_a_device_this_machine_lacks_names_it() {
    // PCI domain 0xfffe exists nowhere real.
    let e = VfioHost::open(&["fffe:ff:1f.7".into()]).err().unwrap().to_string();
    assert!(e.starts_with("vfio fffe:ff:1f.7: no such PCI device"), "{e}");
}

fn jsk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jsk"))
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn jsk_run_vfio_reports_a_missing_device_and_fails() {
    let out = jsk()
        .current_dir(repo())
        .args(["run", "--vfio", "fffe:ff:1f.7", "--drivers", "drivers", "examples/edu.js"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("vfio fffe:ff:1f.7: no such PCI device"), "{stderr}");
}

#[test]
fn open_board_vfio_from_js_throws_a_catchable_error() {
    let dir = std::env::temp_dir().join(format!("jsk-vfio-js-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = dir.join("app.js");
    std::fs::write(
        &app,
        r#"import { openBoard } from "jsk:board";
try { openBoard("", { backend: "vfio", vfio: ["fffe:ff:1f.7"] }); console.log("opened?"); }
catch (e) { console.log(`caught: ${e.message}`); }
try { openBoard("", { backend: "vfio", vfio: [] }); } catch (e) { console.log(`caught: ${e.message}`); }
"#,
    )
    .unwrap();
    let out = jsk().arg("run").arg(&app).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("caught: vfio fffe:ff:1f.7: no such PCI device"), "{stdout}");
    assert!(stdout.contains("caught: vfio: no PCI function given"), "{stdout}");
}
