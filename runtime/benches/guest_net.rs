//! TX packets per second in the Linux guest (boot image on Debian's kernel, whose NIC drivers
//! are the baselines; q35 + intel-iommu, TCG), per NIC one boot, the same QEMU configuration
//! for both sides of it:
//! (a) the JS driver through VFIO (examples/pktgen.js, 60-byte frames);
//! (b) the kernel's own driver fed by a raw AF_PACKET socket (examples/af-packet-tx.js)
//!     after `jsk-probe restore` hands the NIC back.
//! NICs: QEMU's e1000 (drivers/nic/e1000.js vs Linux's e1000) and a modern virtio-net with
//! iommu_platform=on (drivers/virtio/net.js vs Linux's virtio_net); the virtio JS figure is
//! also set beside the JS e1000's.
//!
//! `cargo bench -p jsk-runtime --bench guest_net` prints the figures (about two minutes).

use std::process::Command;

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

/// (JS packets/s, kernel packets/s) for one NIC: QEMU `-device` `device` at `address`,
/// the kernel's driver in `modules`.
fn measure(
    name: &str,
    device: &str,
    address: &str,
    modules: &[&str],
    count: u32,
) -> (Option<f64>, Option<f64>, String) {
    let repo = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("jsk-bench-guest-net-{name}-{}", std::process::id()));
    let mut build = Command::new(JSK);
    build
        .current_dir(&repo)
        .args(["image", "build", "--kernel", "debian", "--app", "examples/pktgen.js", "--app-folder", "-o"])
        .arg(&out);
    for m in modules {
        build.args(["--module", m]);
    }
    let build = build
        .args([
            "--command",
            &format!("/bin/jsk-probe attach {address} --drivers /jsk/drivers {{app}} -- --count {count}"),
        ])
        .args(["--command", &format!("/bin/jsk-probe restore {address}")])
        .args(["--command", &format!("/init run /jsk/app/af-packet-tx.js eth0 {count}")])
        .output()
        .expect("jsk image build");
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let run = Command::new(JSK)
        .current_dir(&repo)
        .args(["image", "run"])
        .arg(&out)
        // slirp with no way out takes every frame (a hub port without another port would not:
        // QEMU then holds virtio-net's transmissions back, though e1000's are dropped).
        .args(["--timeout", "600", "--device", device, "--qemu-arg=-netdev", "--qemu-arg=user,id=n0,restrict=on"])
        .output()
        .expect("jsk image run");
    let console = String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    let rate = |pat: &str| -> Option<f64> {
        console.lines().find(|l| l.contains(pat)).and_then(|l| {
            let i = l.find(" packets/s")?;
            l[..i].rsplit(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
    };
    let _ = std::fs::remove_dir_all(out);
    (rate("pktgen: sent"), rate("RESULT kernel-tx"), console)
}

fn main() {
    let count = 100_000;
    let e1000 = measure("e1000", "e1000,netdev=n0,addr=06.0", "0000:00:06.0", &["e1000"], count);
    let virtio = measure(
        "virtio",
        "virtio-net-pci,netdev=n0,addr=06.0,disable-legacy=on,iommu_platform=on",
        "0000:00:06.0",
        &["virtio_pci", "virtio_net"],
        count,
    );
    for (label, kernel, (js, k, console)) in [("e1000.js", "e1000", &e1000), ("virtio/net.js", "virtio_net", &virtio)] {
        match (js, k) {
            (Some(js), Some(k)) => {
                println!(
                    "guest    JS {label} via VFIO (pktgen)      {js:>9.0} packets/s (target: at least the kernel's)"
                );
                println!("guest    kernel {kernel} + AF_PACKET sender     {k:>9.0} packets/s (baseline, same boot)");
                println!("guest    ratio ({label}): JS/kernel = {:.2}", js / k);
            }
            _ => println!("guest    {label}: no figures; console:\n{console}"),
        }
    }
    if let (Some(v), Some(e)) = (virtio.0, e1000.0) {
        println!("guest    JS virtio/net.js / JS e1000.js = {:.2} (two boots, same run)", v / e);
    }
}
