//! Round-trip time of pings between two Linux guests under TCG, one run,
//! the same QEMU settings for every guest (boot image, q35 + intel-iommu, an
//! e1000 at 06.0, QEMU's `dgram` netdev joining two QEMU processes over
//! loopback UDP):
//! - the pinger: a guest whose kernel drives its e1000, running busybox
//!   `ping` (1 request every 20 ms) against 10.0.2.15;
//! - (a) the JS responder: a guest where jsk-probe binds its e1000 to
//!   vfio-pci and examples/ping-responder.js answers through
//!   drivers/nic/e1000.js;
//! - (b) the baseline: the same guest answering with its kernel (the e1000
//!   module, the address set with busybox `ifconfig`).
//!
//! The pinger boots beside each responder, waits for its first answer, warms
//! up, then sends COUNT requests; the bench prints the median and the 90th
//! percentile of the round trips, and the losses, of both.
//!
//! `cargo bench -p jsk-runtime --bench guest_ping` prints the figures (a few minutes).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const JSK: &str = env!("CARGO_BIN_EXE_jsk");
const COUNT: usize = 500;
const RESPONDER_PORT: u16 = 47301;
const PINGER_PORT: u16 = 47302;

fn main() {
    let repo = PathBuf::from(format!("{}/..", env!("CARGO_MANIFEST_DIR")));
    let work = std::env::temp_dir().join(format!("jsk-bench-guest-ping-{}", std::process::id()));
    let tools = work.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let busybox = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).exists());
    let Some(busybox) = busybox else {
        panic!("busybox-static is not installed: the pinger and the kernel responder need it (bash dev.sh bench installs it)");
    };
    std::fs::copy(busybox, tools.join("busybox")).unwrap();
    std::fs::write(tools.join("noop.js"), "// The shell scripts beside this file are the image's commands.\n").unwrap();
    std::fs::write(
        tools.join("pinger.sh"),
        format!(
            "B=/jsk/app/busybox\n\
             $B ifconfig eth0 10.0.2.2 netmask 255.255.255.0 up || exit 1\n\
             i=0\n\
             until $B ping -c 1 -W 1 10.0.2.15 >/dev/null 2>&1; do\n\
             \x20 i=$((i+1)); if [ $i -gt 180 ]; then echo 'RESULT pinger: no answer'; exit 1; fi\n\
             done\n\
             echo 'RESULT pinger: answered'\n\
             $B ping -c 50 -i 0.02 10.0.2.15 >/dev/null 2>&1\n\
             echo 'RESULT pinger: measuring'\n\
             $B ping -c {COUNT} -i 0.02 10.0.2.15\n\
             echo 'RESULT pinger: done'\n"
        ),
    )
    .unwrap();
    std::fs::write(
        tools.join("responder.sh"),
        "B=/jsk/app/busybox\n\
         $B ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up || exit 1\n\
         echo 'RESULT responder: kernel answering'\n\
         exec $B sleep 600\n",
    )
    .unwrap();

    let image = |name: &str, app: &Path, commands: &[String], modules: &[&str]| -> PathBuf {
        let out = work.join(name);
        let mut c = Command::new(JSK);
        c.current_dir(&repo)
            .args(["image", "build", "--kernel", "debian", "--app"])
            .arg(app)
            .arg("--app-folder")
            .arg("-o")
            .arg(&out);
        for m in modules {
            c.args(["--module", m]);
        }
        for cmd in commands {
            c.args(["--command", cmd]);
        }
        let r = c.output().expect("jsk image build");
        assert!(r.status.success(), "jsk image build {name}: {}", String::from_utf8_lossy(&r.stderr));
        out
    };
    let noop = tools.join("noop.js");
    let pinger = image("pinger", &noop, &["/jsk/app/busybox sh /jsk/app/pinger.sh".into()], &["e1000"]);
    let kernel = image("kernel", &noop, &["/jsk/app/busybox sh /jsk/app/responder.sh".into()], &["e1000"]);
    let js = image(
        "js",
        &repo.join("examples/ping-responder.js"),
        &["/bin/jsk-probe attach 0000:00:06.0 --drivers /jsk/drivers {app} -- 10.0.2.15 --every 0".into()],
        &[],
    );

    let mut results = Vec::new();
    for (what, responder) in [("JS e1000.js via VFIO", &js), ("kernel e1000", &kernel)] {
        let mut r = boot(responder, RESPONDER_PORT, PINGER_PORT, Stdio::null());
        let p = boot(&pinger, PINGER_PORT, RESPONDER_PORT, Stdio::piped()).wait_with_output().expect("the pinger");
        let _ = r.kill();
        let _ = r.wait();
        let console = String::from_utf8_lossy(&p.stdout).into_owned();
        results.push((what, Pings::parse(&console), console));
    }
    for (what, pings, console) in &results {
        match pings {
            Some(p) => println!(
                "ping     {what:<22} median {:>7.3} ms, p90 {:>7.3} ms, {} of {} answered",
                p.median, p.p90, p.received, p.sent
            ),
            None => println!("ping     {what}: no figures; the pinger's console:\n{console}"),
        }
    }
    if let [(_, Some(js), _), (_, Some(k), _)] = &results[..] {
        println!(
            "ping     ratio: JS/kernel median = {:.2} (goal <= 1.00), losses {} vs {} (goal: no more)",
            js.median / k.median,
            js.sent - js.received,
            k.sent - k.received
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// `jsk image run` of `dir` with its e1000 on a dgram netdev from `local` to `remote`.
fn boot(dir: &Path, local: u16, remote: u16, stdout: Stdio) -> Child {
    Command::new(JSK)
        .args(["image", "run"])
        .arg(dir)
        .args(["--timeout", "300", "--device", "e1000,netdev=n0,addr=06.0", "--qemu-arg=-netdev"])
        .arg(format!(
            "--qemu-arg=dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={local},\
             remote.type=inet,remote.host=127.0.0.1,remote.port={remote}"
        ))
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("jsk image run")
}

/// What busybox ping printed after "measuring".
struct Pings {
    sent: usize,
    received: usize,
    median: f64,
    p90: f64,
}

impl Pings {
    fn parse(console: &str) -> Option<Pings> {
        let measured = &console[console.find("RESULT pinger: measuring")?..];
        let mut times: Vec<f64> =
            measured.lines().filter_map(|l| l.split("time=").nth(1)?.split_whitespace().next()?.parse().ok()).collect();
        // "N packets transmitted, M packets received, ..."
        let stats = measured.lines().find(|l| l.contains("packets transmitted"))?;
        let mut numbers = stats.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
        let sent = numbers.next()?.parse().ok()?;
        let received = numbers.next()?.parse().ok()?;
        if times.is_empty() {
            return None;
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        Some(Pings { sent, received, median: at(0.5), p90: at(0.9) })
    }
}
