//! TX packets per second in the Linux guest (boot image, q35 + intel-iommu,
//! TCG), one boot, same QEMU configuration for both:
//! (a) drivers/nic/e1000.js through VFIO (examples/pktgen.js, 60-byte frames);
//! (b) the kernel's own e1000 driver fed by a raw AF_PACKET socket
//!     (examples/af-packet-tx.js) after `jsk-probe restore` hands the NIC back.
//!
//! `cargo bench -p jsk-runtime --bench guest_net` prints the figures (about a minute).

use std::process::Command;

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

fn main() {
    let count = 100_000;
    let repo = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("jsk-bench-guest-net-{}", std::process::id()));
    let build = Command::new(JSK)
        .current_dir(&repo)
        .args(["image", "build", "--app", "examples/pktgen.js", "--app-folder", "--module", "e1000", "-o"])
        .arg(&out)
        .args([
            "--command",
            &format!("/bin/jsk-probe attach 0000:00:06.0 --drivers /jsk/drivers {{app}} -- --count {count}"),
        ])
        .args(["--command", "/bin/jsk-probe restore 0000:00:06.0"])
        .args(["--command", &format!("/init run /jsk/app/af-packet-tx.js eth0 {count}")])
        .output()
        .expect("jsk image build");
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let run = Command::new(JSK)
        .current_dir(&repo)
        .args(["image", "run"])
        .arg(&out)
        .args([
            "--timeout",
            "600",
            "--device",
            "e1000,netdev=n0,addr=06.0",
            "--qemu-arg=-netdev",
            "--qemu-arg=hubport,hubid=0,id=n0",
        ])
        .output()
        .expect("jsk image run");
    let console = String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    let rate = |pat: &str| -> Option<f64> {
        console.lines().find(|l| l.contains(pat)).and_then(|l| {
            let i = l.find(" packets/s")?;
            l[..i].rsplit(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
    };
    let js = rate("pktgen: sent");
    let kernel = rate("RESULT kernel-tx");
    match (js, kernel) {
        (Some(js), Some(k)) => {
            println!("guest    JS e1000.js via VFIO (pktgen)      {js:>9.0} packets/s (target: at least the kernel's)");
            println!("guest    kernel e1000 + AF_PACKET sender     {k:>9.0} packets/s (baseline, same boot)");
            println!("guest    ratio: JS/kernel = {:.2}", js / k);
        }
        _ => println!("guest    no figures; console:\n{console}"),
    }
    let _ = std::fs::remove_dir_all(out);
}
