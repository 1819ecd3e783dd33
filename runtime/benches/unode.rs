//! unode figures, each beside Node's in the same run (interleaved, so both
//! see the same machine noise):
//! - start to exit of a hello world and of a program requiring 5 core modules
//!   (median time, peak RSS);
//! - an HTTP hello-world server under `wrk` on loopback (requests/s, peak RSS);
//! - Buffer encode/decode throughput (unode/bench/buffer.mjs on both);
//! - a 64 MiB file copy through fs streams (unode/bench/copy.js on both);
//! - asynchronous fs (unode/bench/fs-async.js): concurrent readFile and stat,
//!   a large file through a ReadStream, unode once on io_uring and once on
//!   its thread pool (`UNODE_FS_BACKEND`), each beside node.
//!
//! `cargo bench -p jsk-runtime --bench unode` prints the figures
//! (`UNODE_BENCH_ONLY=startup,http,buffer,copy,fs-async` runs only those); the
//! targets are read off the printout (README, docs/unode.md). Node and wrk
//! are required: without them the benchmark fails rather than printing half.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn which(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| p.to_str().map(|s| s.split(':').map(|d| PathBuf::from(d).join(name)).find(|p| p.is_file())))
        .flatten()
        .unwrap_or_else(|| panic!("{name} not found: `bash dev.sh bench` installs it"))
}

/// The two runtimes, as commands that run a Node program.
fn runtimes() -> [(&'static str, Command); 2] {
    let mut unode = Command::new(JSK);
    unode.arg("node").env_remove("JSK_SOURCE");
    // A CA bundle named in the environment makes node read and parse it at
    // every start: the baseline is node as it starts without one.
    let mut node = Command::new(which("node"));
    node.env_remove("NODE_EXTRA_CA_CERTS");
    [("unode", unode), ("node", node)]
}

fn cmd(which: usize) -> Command {
    let [a, b] = runtimes();
    let mut c = if which == 0 { a.1 } else { b.1 };
    c.process_group(0);
    c
}

const NAMES: [&str; 2] = ["unode", "node"];

/// Wall time and peak RSS (KiB) of one run, which must succeed.
fn measure(mut c: Command) -> (Duration, i64) {
    c.stdout(Stdio::null());
    let start = Instant::now();
    let child = c.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid out-value for wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child; status and usage are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = start.elapsed();
    assert_eq!(r, pid, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{c:?} failed: status {status}");
    std::mem::forget(child);
    (took, usage.ru_maxrss)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn scratch(name: &str, src: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsk-bench-unode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, src).unwrap();
    p
}

fn startup(label: &str, file: &Path) {
    let runs = 30;
    let mut t = [vec![], vec![]];
    let mut m = [0i64; 2];
    for _ in 0..runs {
        for (i, times) in t.iter_mut().enumerate() {
            let mut c = cmd(i);
            c.arg(file);
            let (d, rss) = measure(c);
            times.push(d);
            m[i] = m[i].max(rss);
        }
    }
    let [ju, nu] = t.map(median);
    for (i, d) in [ju, nu].iter().enumerate() {
        println!("startup  {label:<22} {:<6} median {:>8.2} ms   peak RSS {:>7} KiB", NAMES[i], ms(*d), m[i]);
    }
    println!(
        "startup  {label:<22} ratio: unode is {:.1}x faster (goal >= 20x), uses {:.2} of node's peak memory (goal <= 0.20)",
        nu.as_secs_f64() / ju.as_secs_f64(),
        m[0] as f64 / m[1] as f64
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "the server exited before listening");
        assert!(Instant::now() < deadline, "the server did not listen on {port} within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn vm_hwm_kib(pid: u32) -> i64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// One wrk run against a fresh server: (requests/s, the server's peak RSS in KiB).
fn wrk_once(i: usize, wrk: &Path, seconds: u32) -> (f64, i64) {
    let port = free_port();
    let mut c = cmd(i);
    c.arg(repo().join("unode/bench/http-hello.js")).arg(port.to_string()).stdout(Stdio::null());
    let mut server = c.spawn().expect("start the server");
    wait_for_port(port, &mut server);
    let out = Command::new(wrk)
        .args(["-t1", "-c50", &format!("-d{seconds}s"), &format!("http://127.0.0.1:{port}/")])
        .output()
        .expect("run wrk");
    let rss = vm_hwm_kib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"));
    let errors = text.lines().find(|l| l.contains("Non-2xx") || l.contains("Socket errors"));
    if let Some(e) = errors {
        println!("http     {} wrk reported: {}", NAMES[i], e.trim());
    }
    (rps, rss)
}

fn http() {
    let wrk = which("wrk");
    let mut rps = [vec![], vec![]];
    let mut rss = [0i64; 2];
    for _ in 0..2 {
        for i in 0..2 {
            let (r, m) = wrk_once(i, &wrk, 5);
            rps[i].push(r);
            rss[i] = rss[i].max(m);
        }
    }
    let best = |v: &Vec<f64>| v.iter().cloned().fold(0.0, f64::max);
    let (ju, nu) = (best(&rps[0]), best(&rps[1]));
    for (i, r) in [ju, nu].iter().enumerate() {
        println!(
            "http     hello world (wrk -c50)   {:<6} {:>10.0} requests/s   peak RSS {:>7} KiB",
            NAMES[i], r, rss[i]
        );
    }
    println!(
        "http     ratio: unode serves {:.2} of node's requests/s (goal >= 0.5) at {:.2} of its peak memory (goal <= 0.20)",
        ju / nu,
        rss[0] as f64 / rss[1] as f64
    );
}

/// Run a bench script on both runtimes; it prints `<group> <figure> <value>` lines.
fn script_figures(group: &str, script: &Path, args: &[&str], unit: &str) {
    let mut outs = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let mut c = cmd(i);
        c.arg(script).args(args).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = c.spawn().expect("spawn");
        let mut s = String::new();
        child.stdout.take().unwrap().read_to_string(&mut s).unwrap();
        assert!(child.wait().unwrap().success(), "{name} {} failed", script.display());
        outs.push(s);
    }
    let figures = |s: &str| -> Vec<(String, f64)> {
        s.lines()
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                (w.next()? == group).then_some(())?;
                Some((w.next()?.to_string(), w.next()?.parse().ok()?))
            })
            .collect()
    };
    let (u, n) = (figures(&outs[0]), figures(&outs[1]));
    assert!(!u.is_empty() && u.len() == n.len(), "{} printed no comparable figures", script.display());
    for ((name, uv), (_, nv)) in u.iter().zip(&n) {
        println!("{group:<8} {name:<22} unode {uv:>9.1} {unit}   node {nv:>9.1} {unit}   ratio {:.2}", uv / nv);
    }
}

/// unode/bench/fs-async.js on unode with each asynchronous-fs backend, beside node.
fn fs_async(dir: &Path) {
    let script = repo().join("unode/bench/fs-async.js");
    let run = |mut c: Command, label: &str| -> Vec<(String, f64)> {
        c.arg(&script).arg(dir).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let out = c.output().expect("spawn");
        assert!(out.status.success(), "{label} {} failed", script.display());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                (w.next()? == "fsasync").then_some(())?;
                Some((w.next()?.to_string(), w.next()?.parse().ok()?))
            })
            .collect()
    };
    for backend in ["io_uring", "threads"] {
        let mut u = cmd(0);
        u.env("UNODE_FS_BACKEND", backend);
        let uf = run(u, backend);
        let nf = run(cmd(1), "node");
        assert!(!uf.is_empty() && uf.len() == nf.len(), "{} printed no comparable figures", script.display());
        for ((name, uv), (_, nv)) in uf.iter().zip(&nf) {
            let unit = if name.starts_with("stream") { "MB/s " } else { "ops/s" };
            println!(
                "fs-async {name:<13} {backend:<9} unode {uv:>9.1} {unit}   node {nv:>9.1} {unit}   ratio {:.2}",
                uv / nv
            );
        }
    }
}

fn main() {
    let only = std::env::var("UNODE_BENCH_ONLY").unwrap_or_default();
    let on = |row: &str| only.is_empty() || only.split(',').any(|r| r.trim() == row);
    let dir = std::env::temp_dir().join(format!("jsk-bench-unode-{}", std::process::id()));
    if on("fs-async") {
        fs_async(&dir);
    }
    if !on("startup") && !on("http") && !on("buffer") && !on("copy") {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    let hello = scratch("hello.js", "console.log('hello world');\n");
    let five = scratch(
        "five.js",
        "const fs = require('fs'), path = require('path'), events = require('events'), util = require('util'), stream = require('stream');\n\
         console.log(typeof fs.readFileSync, path.sep, typeof events, typeof util.inspect, typeof stream.Readable);\n",
    );
    if on("startup") {
        startup("hello world", &hello);
        startup("require 5 core modules", &five);
    }
    if on("http") {
        http();
    }
    if on("buffer") {
        script_figures("buffer", &repo().join("unode/bench/buffer.mjs"), &[], "MB/s");
    }
    if on("copy") {
        script_figures("copy", &repo().join("unode/bench/copy.js"), &[dir.to_str().unwrap(), "64"], "MB/s");
    }
    let _ = std::fs::remove_dir_all(dir);
}
