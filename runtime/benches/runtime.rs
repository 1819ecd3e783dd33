//! Runtime figures, each beside its baseline in the same run:
//! - start-to-exit of a hello-world script: jsk against `node -e 0` (time and peak RSS);
//! - one `syscall(getpid)` round trip from JS against the same call from Rust;
//! - the size of the stripped release binary.
//!
//! `cargo bench -p jsk-runtime --bench runtime` prints the figures; nothing is
//! asserted here (targets are read off the printout, see the README).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

/// Wall time and peak RSS (KiB) of one run of `cmd`, which must succeed.
fn measure(cmd: &mut Command) -> (Duration, i64) {
    cmd.stdout(std::process::Stdio::null());
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid out-value for wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child; status and usage are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = start.elapsed();
    assert_eq!(r, pid, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{cmd:?} failed: status {status}");
    std::mem::forget(child);
    (took, usage.ru_maxrss)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn scratch(name: &str, src: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("jsk-bench-{}-{name}", std::process::id()));
    std::fs::write(&p, src).unwrap();
    p
}

fn startup() {
    let hello = scratch("hello.js", "console.log('hello world');\n");
    let node = which("node");
    let runs = 40;
    let (mut jt, mut nt, mut jm, mut nm) = (vec![], vec![], 0, 0);
    for _ in 0..runs {
        // Interleaved, so both see the same machine noise.
        let (t, m) = measure(Command::new(JSK).arg("run").arg(&hello));
        jt.push(t);
        jm = jm.max(m);
        if let Some(node) = &node {
            let (t, m) = measure(Command::new(node).args(["-e", "0"]).process_group(0));
            nt.push(t);
            nm = nm.max(m);
        }
    }
    let jt = median(jt);
    println!("startup  jsk run hello.js       median {:>8.2} ms   peak RSS {:>7} KiB   ({runs} runs)", ms(jt), jm);
    if node.is_some() {
        let nt = median(nt);
        println!("startup  node -e 0 (baseline)   median {:>8.2} ms   peak RSS {:>7} KiB", ms(nt), nm);
        println!(
            "startup  ratio: jsk is {:.1}x faster (target >= 10x), uses {:.2} of node's peak memory (target <= 0.20)",
            nt.as_secs_f64() / jt.as_secs_f64(),
            jm as f64 / nm as f64
        );
    } else {
        println!("startup  node not found: no baseline");
    }
}

fn syscall_round_trip() {
    let iterations = 2_000_000;
    let script = scratch(
        "getpid.js",
        &format!(
            "import {{ nr }} from 'jsk:sys';\nconst getpid = nr.getpid, n = {iterations};\n\
             for (let i = 0; i < 10000; i++) syscall(getpid);\n\
             const t0 = performance.now();\nfor (let i = 0; i < n; i++) syscall(getpid);\n\
             const t1 = performance.now();\nconsole.log(((t1 - t0) * 1e6 / n).toFixed(1));\n"
        ),
    );
    let out = Command::new(JSK).arg("run").arg(&script).output().expect("run jsk");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let js_ns: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("ns figure");
    let start = Instant::now();
    for _ in 0..iterations {
        // SAFETY: getpid has no arguments and no side effects.
        std::hint::black_box(unsafe { libc::syscall(libc::SYS_getpid) });
    }
    let rust_ns = start.elapsed().as_nanos() as f64 / iterations as f64;
    println!("syscall  JS syscall(getpid)      {js_ns:>8.1} ns per call (target <= 300 ns)");
    println!("syscall  Rust libc::syscall      {rust_ns:>8.1} ns per call (baseline)");
    println!(
        "syscall  ratio: JS costs {:.2}x the bare system call ({:.1} ns of JS/native overhead)",
        js_ns / rust_ns,
        js_ns - rust_ns
    );
}

fn binary_size() {
    let size = std::fs::metadata(JSK).map(|m| m.len()).unwrap_or(0);
    println!("size     stripped jsk binary     {:>8.2} MB ({size} bytes; target <= 4 MB)", size as f64 / 1e6);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(name)).find(|p| p.is_file())
}

fn main() {
    // `cargo bench` passes --bench; a filter argument is not supported.
    startup();
    syscall_round_trip();
    binary_size();
}
