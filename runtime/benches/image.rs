//! The boot image, both kernels side by side in one run: jsk's own kernel (the default of
//! `jsk image build`) and Debian's (`--kernel debian`), each with the edu demo (examples/edu.js
//! on QEMU's edu device) and an e1000 attach (the e1000 driver brought up, then an app that
//! exits). Per image: its size, and over three boots the median guest uptime at PID 1, at the
//! first command and at "drivers attached", and the host's wall-clock from starting QEMU to
//! "drivers attached". Also the cold kernel build time, as the cache recorded it.
//!
//! `cargo bench -p jsk-runtime --bench image` prints the figures (about two minutes with the
//! kernels cached; the first run builds jsk's, about 4 minutes more).

use std::path::Path;
use std::process::Command;

const JSK: &str = env!("CARGO_BIN_EXE_jsk");
const BOOTS: usize = 3;

/// The number after `key` in `text` (up to the next space), if any.
fn after(text: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(key)? + key.len()..];
    rest.split(|c: char| c.is_whitespace() || c == ',').next()?.parse().ok()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    Some(v[v.len() / 2])
}

struct Figures {
    image_mb: Option<f64>,
    kernel_mb: Option<f64>,
    pid1: Option<f64>,
    first: Option<f64>,
    attached: Option<f64>,
    host: Option<f64>,
    /// The kernel's file as the image's manifest names it (jsk's: in its cache folder).
    kernel_file: Option<String>,
}

/// Build `app` into an image with `build_args`, boot it BOOTS times with `run_args`.
fn measure(name: &str, app: &str, build_args: &[&str], run_args: &[&str]) -> Figures {
    let repo = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("jsk-bench-image-{name}-{}", std::process::id()));
    let b = Command::new(JSK)
        .current_dir(&repo)
        .args(["image", "build", "--app", app, "-o"])
        .arg(&out)
        .args(build_args)
        .output()
        .expect("jsk image build");
    assert!(b.status.success(), "{name}: {}", String::from_utf8_lossy(&b.stderr));
    let (mut pid1, mut first, mut attached, mut host) = (vec![], vec![], vec![], vec![]);
    let mut sizes = (None, None);
    for _ in 0..BOOTS {
        let r = Command::new(JSK)
            .current_dir(&repo)
            .args(["image", "run"])
            .arg(&out)
            .args(["--timeout", "120"])
            .args(run_args)
            .output()
            .expect("jsk image run");
        let text = String::from_utf8_lossy(&r.stdout).into_owned() + &String::from_utf8_lossy(&r.stderr);
        sizes = (after(&text, "jsk image: image size "), after(&text, "(kernel "));
        pid1.extend(after(&text, " is PID 1 at uptime "));
        first.extend(after(&text, "guest uptime: first command "));
        attached.extend(after(&text, ", drivers attached "));
        host.extend(after(&text, "host time: drivers attached "));
    }
    let kernel_file = std::fs::read_to_string(out.join("image.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|m| m["kernel"]["file"].as_str().map(str::to_string));
    let _ = std::fs::remove_dir_all(&out);
    Figures {
        kernel_file,
        image_mb: sizes.0,
        kernel_mb: sizes.1,
        pid1: median(pid1),
        first: median(first),
        attached: median(attached),
        host: median(host),
    }
}

fn show(v: Option<f64>, unit: &str) -> String {
    v.map(|v| format!("{v:.3}{unit}")).unwrap_or_else(|| "?".into())
}

fn main() {
    let edu = ("examples/edu.js", ["--app-arg", "5"], ["--device", "edu"]);
    let e1000_run = ["--device", "e1000,netdev=n0", "--qemu-arg=-netdev", "--qemu-arg=user,id=n0,restrict=on"];
    let rows = [
        ("jsk kernel, edu", measure("jsk-edu", edu.0, &edu.1, &edu.2)),
        ("jsk kernel, e1000", measure("jsk-e1000", "examples/hello.js", &[], &e1000_run)),
        ("Debian kernel, edu", measure("debian-edu", edu.0, &["--kernel", "debian", edu.1[0], edu.1[1]], &edu.2)),
        (
            "Debian kernel, e1000",
            measure("debian-e1000", "examples/hello.js", &["--kernel", "debian", "--module", "e1000"], &e1000_run),
        ),
    ];
    for (what, f) in &rows {
        println!(
            "image    {what:<22} size {} MB (kernel {} MB); guest uptime: PID 1 {} s, first command {} s, drivers attached {} s; host to attached {} s (median of {BOOTS})",
            show(f.image_mb, ""),
            show(f.kernel_mb, ""),
            show(f.pid1, ""),
            show(f.first, ""),
            show(f.attached, ""),
            show(f.host, ""),
        );
    }
    let (jsk, debian) = (&rows[0].1, &rows[2].1);
    if let (Some(a), Some(b), Some(c), Some(d)) = (jsk.image_mb, debian.image_mb, jsk.attached, debian.attached) {
        println!(
            "image    jsk/Debian: size {:.2}, uptime at attached {:.2} (goals: <= 4 MB, <= 0.5 s under TCG)",
            a / b,
            c / d
        );
    }
    // The cold build of the kernel these images used, as jsk's kernel cache recorded it.
    let dir = jsk.kernel_file.as_deref().and_then(|f| Path::new(f).parent().map(Path::to_path_buf));
    match dir.as_ref().and_then(|d| std::fs::read_to_string(d.join("build-seconds")).ok()) {
        Some(secs) => println!(
            "image    cold kernel build (make bzImage, {} cores): {} s ({})",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            secs.trim(),
            dir.as_ref().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ),
        None => println!("image    cold kernel build: not recorded (the cached kernel predates the record; remove ~/.cache/jsk/kernel/jsk-* to measure)"),
    }
}
