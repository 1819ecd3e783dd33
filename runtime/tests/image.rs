//! `jsk image`: the boot image (Debian's kernel + an initramfs in which jsk
//! is PID 1) and its boot under QEMU.
//!
//! The first build downloads Debian's kernel package into
//! `${XDG_CACHE_HOME:-~/.cache}/jsk/kernel` (70 MB, once). When apt cannot
//! provide it these tests fail with jsk's message; they never skip. The
//! guest tests boot under TCG (no KVM needed), a few seconds each.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jsk::image::cpio::{self, Entry};
use jsk::image::Manifest;

fn jsk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jsk"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// A fresh folder under target/tmp (images are ~15 MB with a debug jsk;
/// each run replaces the last one's, `cargo clean` removes them).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("jsk-image-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn both(&self) -> String {
        format!("--- stdout:\n{}\n--- stderr:\n{}", self.stdout, self.stderr)
    }
}

fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let out = cmd.output().expect("run jsk");
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.signal(), None, "jsk died by a signal\n{stdout}\n{stderr}");
    Run { code: out.status.code().unwrap(), stdout, stderr, took }
}

/// The test app: prints, then exits 3; `hang` loops forever; `ok` exits 0.
/// It imports `./lib.js`; `unrelated.js` beside it must stay out of the image.
const APP: &str = r#"
import { greeting } from "./lib.js";
const mode = process.argv[2] ?? "";
if (mode === "hang") {
  console.log("app: hanging");
  for (;;) {}
}
console.log(greeting("image"));
// The init's "drivers attached" convention, exercised without jsk-probe.
console.log("app: drivers attached (no hardware in this test)");
if (mode !== "ok") process.exit(3);
"#;
const LIB: &str = "export function greeting(who) { return `hello from the ${who}`; }\n";

/// Build an image of the test app with `args`; panics with jsk's output on failure.
fn build(name: &str, args: &[&str]) -> (PathBuf, Run) {
    let dir = scratch(name);
    let app = dir.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("app.js"), APP).unwrap();
    std::fs::write(app.join("lib.js"), LIB).unwrap();
    std::fs::write(app.join("unrelated.js"), "throw new Error('not in the image');\n").unwrap();
    let out = dir.join("image");
    let r = run(jsk()
        .current_dir(repo())
        .args(["image", "build", "--app"])
        .arg(app.join("app.js"))
        .arg("-o")
        .arg(&out)
        .args(args));
    assert_eq!(r.code, 0, "jsk image build failed (the kernels come through apt: are `apt-get download linux-image-amd64 linux-source-6.1` possible here?)\n{}", r.both());
    (out, r)
}

/// One image for the host-side checks and the main guest test: a command
/// that hangs and is killed by its timeout, one that cannot start, then the app.
/// On Debian's kernel: the one image with modules (the smoke case of that path).
fn sequence_image() -> &'static (PathBuf, Run) {
    static IMAGE: OnceLock<(PathBuf, Run)> = OnceLock::new();
    IMAGE.get_or_init(|| {
        build(
            "sequence",
            &[
                "--kernel",
                "debian",
                "--command",
                "timeout_ms=1500 /init run {app} hang",
                "--command",
                "/bin/no-such-program",
                "--command",
                "/init run /jsk/app/app.js",
                "--board",
                "devices/qemu-x86.toml",
            ],
        )
    })
}

fn entries(dir: &Path) -> BTreeMap<String, Entry> {
    cpio::read_initramfs(&dir.join(jsk::image::INITRAMFS_FILE))
        .unwrap()
        .into_iter()
        .map(|e| (format!("/{}", e.name), e))
        .collect()
}

fn manifest(dir: &Path) -> Manifest {
    serde_json::from_str(&std::fs::read_to_string(dir.join("image.json")).unwrap()).unwrap()
}

fn boot(dir: &Path, args: &[&str]) -> Run {
    run(jsk().args(["image", "run"]).arg(dir).args(["--timeout", "90"]).args(args))
}

fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

// ---- host: what the image holds ----------------------------------------

#[test]
fn image_holds_jsk_as_init_the_modules_and_the_app() {
    let (dir, _) = sequence_image();
    let e = entries(dir);
    let init = &e["/init"];
    assert!(init.is_file() && init.mode & 0o111 != 0, "/init is an executable file");
    assert!(init.data.starts_with(b"\x7fELF"));
    assert!(e["/bin/jsk"].is_symlink() && e["/bin/jsk"].data == b"/init");
    assert!(
        e["/dev/console"].is_char_device() && e["/dev/console"].rdev == (5, 1),
        "the kernel opens /dev/console for PID 1 before devtmpfs exists"
    );
    for d in ["/proc", "/sys", "/dev", "/tmp"] {
        assert!(e[d].is_dir(), "{d}");
    }
    // A dynamically linked jsk brings its loader and libraries.
    let m = manifest(dir);
    let init_entry = m.binaries.iter().find(|b| b.path == "/init").unwrap();
    if !init_entry.is_static {
        assert!(e.keys().any(|k| k.contains("libc.so")), "dynamic jsk without libc in the image");
        assert!(e.contains_key("/lib64/ld-linux-x86-64.so.2"));
    }
    assert!(init_entry.stripped, "a debug jsk is stripped for the image");
    // jsk is multi-call: jsk-probe is a link to it, not a second binary.
    assert!(e["/bin/jsk-probe"].is_symlink() && e["/bin/jsk-probe"].data == b"/init");
    // The app and what it imports; nothing else from its folder.
    assert_eq!(e["/jsk/app/app.js"].data, APP.as_bytes());
    assert_eq!(e["/jsk/app/lib.js"].data, LIB.as_bytes());
    assert!(!e.contains_key("/jsk/app/unrelated.js"));
    // The board file is inside devices/, so it is there once.
    assert_eq!(m.board.as_deref(), Some("/jsk/devices/qemu-x86.toml"));
}

#[test]
fn driver_and_device_files_are_byte_identical_to_the_repository() {
    let (dir, _) = sequence_image();
    let e = entries(dir);
    for (folder, base) in [("drivers", "/jsk/drivers"), ("devices", "/jsk/devices")] {
        let root = repo().join(folder);
        let files = files_under(&root);
        assert!(!files.is_empty());
        for f in &files {
            let want = std::fs::read(root.join(f)).unwrap();
            let got = e.get(&format!("{base}/{f}")).unwrap_or_else(|| panic!("{base}/{f} missing"));
            assert!(got.data == want, "{base}/{f} differs from {folder}/{f}");
        }
        let index = format!("{base}/{}", jsk::probe::matching::INDEX_FILE);
        let in_image =
            e.keys().filter(|k| k.starts_with(&format!("{base}/")) && e[*k].is_file() && **k != index).count();
        assert_eq!(in_image, files.len(), "{base} holds exactly {folder}/ (and the drivers' match index)");
    }
    // The index of the drivers' match tables, read on the host: jsk-probe in the image uses it.
    let index = &e[&format!("/jsk/drivers/{}", jsk::probe::matching::INDEX_FILE)];
    let v: serde_json::Value = serde_json::from_slice(&index.data).expect("the index is JSON");
    let files = v["files"].as_array().expect("files");
    let e1000 = files.iter().find(|f| f["file"] == "nic/e1000.js").expect("nic/e1000.js indexed");
    assert_eq!(e1000["read"]["driver"]["name"], "e1000", "{e1000}");
    assert_eq!(e1000["read"]["driver"]["pci"][0]["vendor"], 0x8086, "{e1000}");
    assert!(files.iter().all(|f| f["fnv1a"].as_str().is_some_and(|h| h.len() == 16)), "{v}");
}

#[test]
fn vfio_modules_come_with_their_dependencies_in_load_order() {
    let (dir, _) = sequence_image();
    let m = manifest(dir);
    let e = entries(dir);
    let names: Vec<&str> = m.modules.iter().map(|x| x.name.as_str()).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap_or_else(|| panic!("{n} not in {names:?}"));
    for (dep, user) in [
        ("vfio", "vfio_iommu_type1"),
        ("vfio", "vfio_pci_core"),
        ("vfio_virqfd", "vfio_pci_core"),
        ("irqbypass", "vfio_pci_core"),
        ("vfio_pci_core", "vfio_pci"),
    ] {
        assert!(at(dep) < at(user), "{dep} must load before {user}: {names:?}");
    }
    let release = m.kernel.release.clone().unwrap();
    for x in &m.modules {
        assert!(
            x.path.starts_with(&format!("/lib/modules/{release}/kernel/")) && x.path.ends_with(".ko"),
            "{}",
            x.path
        );
        let entry = e.get(&x.path).unwrap_or_else(|| panic!("{} missing", x.path));
        assert!(entry.data.starts_with(b"\x7fELF"), "{} is an uncompressed module", x.path);
    }
}

#[test]
fn manifest_names_the_kernel_package_and_the_commands() {
    let (dir, r) = sequence_image();
    let m = manifest(dir);
    let inside: Manifest = serde_json::from_slice(&entries(dir)["/jsk/image.json"].data).unwrap();
    assert_eq!(inside, m, "image.json beside the image is /jsk/image.json");
    assert_eq!(m.format, 1);
    assert_eq!(m.kernel.source, "debian");
    let package = m.kernel.package.clone().unwrap();
    assert!(package.starts_with("linux-image-") && package.ends_with("-amd64"), "{package}");
    assert_eq!(package, format!("linux-image-{}", m.kernel.release.clone().unwrap()));
    assert!(m.kernel.version.is_some());
    assert!(m.created_unix > 1_600_000_000 && m.created.ends_with('Z'));
    assert_eq!(m.app.as_deref(), Some("/jsk/app/app.js"));
    let argv: Vec<Vec<&str>> = m.commands.iter().map(|c| c.argv.iter().map(String::as_str).collect()).collect();
    assert_eq!(
        argv,
        [
            vec!["/init", "run", "/jsk/app/app.js", "hang"],
            vec!["/bin/no-such-program"],
            vec!["/init", "run", "/jsk/app/app.js"]
        ]
    );
    assert_eq!(m.commands[0].timeout_ms, Some(1500));
    assert_eq!(m.commands[2].timeout_ms, None);
    // The cache lives outside the repository.
    assert!(!Path::new(&m.kernel.file).starts_with(repo()), "{}", m.kernel.file);
    // Size report: kernel + initramfs, in MB.
    let kernel = std::fs::metadata(dir.join("bzImage")).unwrap().len();
    let initramfs = std::fs::metadata(dir.join(jsk::image::INITRAMFS_FILE)).unwrap().len();
    let want = format!("image size {:.2} MB", (kernel + initramfs) as f64 / 1e6);
    assert!(r.stdout.contains(&want), "build output lacks {want:?}\n{}", r.both());
    assert!(r.stdout.contains("vfio_pci"), "{}", r.stdout);
}

#[test]
fn list_shows_the_archive() {
    let (dir, _) = sequence_image();
    let r = run(jsk().args(["image", "list"]).arg(dir));
    assert_eq!(r.code, 0, "{}", r.both());
    assert!(
        r.stdout.contains(" /init\n")
            && r.stdout.contains("/bin/jsk -> /init")
            && r.stdout.contains("/dev/console (char 5:1)"),
        "{}",
        r.stdout
    );
}

#[test]
fn build_errors_are_clear() {
    let dir = scratch("errors");
    let r = run(jsk().args(["image", "build", "--app"]).arg(dir.join("missing.js")).arg("-o").arg(dir.join("out")));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("missing.js: no such file"), "{}", r.stderr);
    std::fs::write(dir.join("a.js"), "").unwrap();
    let r = run(jsk()
        .args(["image", "build", "--app"])
        .arg(dir.join("a.js"))
        .arg("-o")
        .arg(dir.join("out"))
        .args(["--command", "timeout_ms=soon /init"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("timeout_ms=soon is not a number"), "{}", r.stderr);
    let r = run(jsk().args(["image", "run"]).arg(&dir));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("written by `jsk image build`"), "{}", r.stderr);
}

/// PID 1's command runner, on the host (`jsk image init --manifest`): a
/// command past its timeout is killed and the next one runs; the last
/// status is the result; the "drivers attached" mark is timed.
#[test]
fn init_runs_commands_in_order_and_kills_on_timeout() {
    let dir = scratch("init-host");
    let manifest = r#"{"format":1,"created_unix":0,"created":"","kernel":{"source":"file","file":""},
        "commands":[
          {"argv":["sh","-c","echo first; echo 'probe: drivers attached'; sleep 30"],"timeout_ms":400},
          {"argv":["/no/such/program"]},
          {"argv":["sh","-c","echo second; exit 5"]}]}"#;
    std::fs::write(dir.join("m.json"), manifest).unwrap();
    let r = run(jsk().args(["image", "init", "--manifest"]).arg(dir.join("m.json")));
    assert_eq!(r.code, 5, "{}", r.both());
    assert!(r.took < Duration::from_secs(10), "the sleeping command was not killed: {:?}", r.took);
    let out = &r.stdout;
    let order = [
        "first",
        "jsk: drivers attached at uptime ",
        "command 1/3 killed after its timeout of 400 ms (status 124)",
        "command 2/3 could not start",
        "(status 127)",
        "second",
        "command 3/3 exited with status 5",
        "jsk: init: exit status 5",
    ];
    let mut from = 0;
    for want in order {
        let at = out[from..].find(want).unwrap_or_else(|| panic!("{want:?} missing or out of order in\n{out}"));
        from += at + want.len();
    }
}

// ---- guest: boot under QEMU ----------------------------------------------

#[test]
fn guest_runs_the_commands_and_exits_with_the_apps_status() {
    let (dir, _) = sequence_image();
    let r = boot(dir, &[]);
    let out = &r.stdout;
    assert_eq!(r.code, 3, "jsk image run exits with the app's status\n{}", r.both());
    // In order: the hung command is killed, the missing one fails, the app runs.
    let order = [
        "jsk: init: mounted /proc /sys /dev",
        "jsk: init: loaded 6 modules",
        "command 1/3 started at uptime",
        "app: hanging",
        "command 1/3 killed after its timeout of 1500 ms (status 124)",
        "command 2/3 could not start",
        "command 3/3 started at uptime",
        "hello from the image",
        "jsk: drivers attached at uptime ",
        "command 3/3 exited with status 3",
        "jsk: init: exit status 3, powering off",
    ];
    let mut from = 0;
    for want in order {
        let at = out[from..].find(want).unwrap_or_else(|| panic!("{want:?} missing or out of order\n{}", r.both()));
        from += at + want.len();
    }
    assert!(!out.contains("Kernel panic"), "{out}");
    // The summary: image size and uptimes.
    assert!(out.contains("jsk image: image size "), "{out}");
    let uptime = |key: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.starts_with("jsk image: guest uptime:"))
            .unwrap_or_else(|| panic!("no uptime summary\n{out}"));
        let v = line.split(key).nth(1).unwrap_or_else(|| panic!("{key} not in {line}"));
        v.split_whitespace().next().unwrap().parse().unwrap_or_else(|_| panic!("{line}"))
    };
    let (first, attached) = (uptime("first command "), uptime("drivers attached "));
    assert!(first > 0.1 && first < 30.0, "first command at {first} s");
    assert!(
        attached > first + 1.0,
        "drivers attached ({attached} s) after the 1.5 s timeout of the first command ({first} s)"
    );
    assert!(out.contains("jsk image: exit status 3"), "{out}");
}

#[test]
fn guest_attaches_edu_through_jsk_probe_by_default() {
    let dir = scratch("edu");
    let out = dir.join("image");
    let r = run(jsk()
        .current_dir(repo())
        .args(["image", "build", "--app", "examples/edu.js", "--app-arg", "5", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.both());
    let m = manifest(&out);
    assert_eq!(
        m.commands[0].argv,
        ["/bin/jsk-probe", "attach", "--all", "--drivers", "/jsk/drivers", "/jsk/app/edu.js", "5"]
    );
    // jsk's own kernel by default: VFIO built in, so no module in the image.
    assert_eq!(m.kernel.source, "jsk");
    assert_eq!(m.kernel.package.as_deref(), Some("linux-source-6.1"));
    assert!(m.modules.is_empty(), "{:?}", m.modules);
    assert!(
        r.stderr.contains("built by jsk from linux-source-6.1")
            || r.stdout.contains("built by jsk from linux-source-6.1"),
        "{}",
        r.both()
    );
    let r = boot(&out, &["--device", "edu"]);
    assert_eq!(r.code, 0, "{}", r.both());
    for want in [
        "drivers attached",
        "factorial(5) = 120",
        "DMA round trip: \"hello from JavaScript through DMA\"",
        "jsk: drivers attached at uptime ",
    ] {
        assert!(r.stdout.contains(want), "{want:?} missing\n{}", r.both());
    }
    assert!(!r.stdout.contains("drivers attached not reported"), "{}", r.stdout);
}

/// PID 1 never exits (the kernel would panic): an error, here a manifest
/// that does not parse, is printed and the guest powers off with status 1.
#[test]
fn guest_init_error_powers_off_with_status_1() {
    let (dir, _) = sequence_image();
    let broken = scratch("broken").join("image");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::copy(dir.join("bzImage"), broken.join("bzImage")).unwrap();
    let mut w = cpio::Writer::new(Vec::new(), 0);
    for e in cpio::read_initramfs(&dir.join(jsk::image::INITRAMFS_FILE)).unwrap() {
        match () {
            _ if e.name == "jsk/image.json" => w.file(&e.name, 0o644, b"{ not json").unwrap(),
            _ if e.is_dir() => w.dir(&e.name, e.mode & 0o7777).unwrap(),
            _ if e.is_symlink() => w.symlink(&e.name, std::str::from_utf8(&e.data).unwrap()).unwrap(),
            _ if e.is_char_device() => w.char_device(&e.name, e.mode & 0o7777, e.rdev.0, e.rdev.1).unwrap(),
            _ => w.file(&e.name, e.mode & 0o7777, &e.data).unwrap(),
        }
    }
    std::fs::write(broken.join("initramfs.cpio"), w.finish().unwrap()).unwrap();
    let r = boot(&broken, &[]);
    assert_eq!(r.code, 1, "{}", r.both());
    assert!(r.stdout.contains("jsk: init: error: /jsk/image.json: not a jsk image manifest"), "{}", r.both());
    assert!(r.stdout.contains("jsk: init: exit status 1, powering off"), "{}", r.both());
    assert!(!r.stdout.contains("Kernel panic"), "{}", r.both());
}

#[test]
fn guest_deadline_stops_qemu_with_124() {
    let (dir, _) = sequence_image();
    let r = run(jsk().args(["image", "run"]).arg(dir).args(["--timeout", "1"]));
    assert_eq!(r.code, 124, "{}", r.both());
    assert!(r.stdout.contains("timed out after 1 s"), "{}", r.stdout);
    assert!(r.took < Duration::from_secs(10), "{:?}", r.took);
}
