//! Support for the hardware-in-the-loop tiers: find (or build) the `jsk`
//! binary, run a JS case on a board with chardevs wired to host sockets,
//! and fail loudly, never skip, when QEMU is missing.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root").to_path_buf()
}

/// The `jsk` binary of this build profile, built once per test process.
/// The target .cargo/config.toml builds for.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

pub fn jsk() -> &'static Path {
    static JSK: OnceLock<PathBuf> = OnceLock::new();
    JSK.get_or_init(|| {
        let release = !cfg!(debug_assertions);
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(repo()).args(["build", "-q", "-p", "jsk-runtime", "--bin", "jsk"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build for jsk");
        assert!(status.success(), "building jsk failed");
        let dir = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| repo().join("target"));
        // .cargo/config.toml builds for an explicit target (jsk is linked statically).
        dir.join(TARGET).join(if release { "release" } else { "debug" }).join("jsk")
    })
}

/// Fail (not skip) when a QEMU binary is missing: the tier must run in CI.
pub fn require_qemu(binary: &str) {
    let found =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(binary).is_file())).unwrap_or(false);
    assert!(found, "{binary} is not installed: the qtest tier cannot run (bash dev.sh test installs it)");
}

/// A private scratch folder for one case.
pub fn scratch(case: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jsk-hw-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub struct JskRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl JskRun {
    /// The JSON-ish value a case printed as `RESULT name value`.
    pub fn result(&self, name: &str) -> String {
        let prefix = format!("RESULT {name} ");
        self.stdout.lines().find_map(|l| l.strip_prefix(&prefix).map(str::to_string)).unwrap_or_else(|| {
            panic!("the case printed no RESULT {name}\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
    pub fn assert_ok(&self) {
        assert_eq!(self.code, 0, "jsk failed\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
    }
}

/// Run `jsk run` with `args` (board, chardevs, the case file...).
pub fn run_jsk(args: &[&str]) -> JskRun {
    let Output { status, stdout, stderr } = Command::new(jsk())
        .current_dir(repo())
        .arg("run")
        .arg("--timeout")
        .arg("120")
        .args(args)
        .output()
        .expect("run jsk");
    use std::os::unix::process::ExitStatusExt;
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert_eq!(status.signal(), None, "jsk died by a signal\nstdout:\n{stdout}\nstderr:\n{stderr}");
    JskRun { code: status.code().unwrap_or(-1), stdout, stderr }
}

/// A host-side serial peer: QEMU connects to this socket as a chardev client.
pub struct SerialPeer {
    pub path: PathBuf,
    listener: UnixListener,
}

impl SerialPeer {
    pub fn new(dir: &Path, name: &str) -> SerialPeer {
        let path = dir.join(format!("{name}.sock"));
        let listener = UnixListener::bind(&path).expect("bind serial socket");
        SerialPeer { path, listener }
    }
    /// The `--chardev` value that connects board chardev `id` here.
    pub fn chardev(&self, id: &str) -> String {
        format!("{id}=socket,path={}", self.path.display())
    }
    /// Accept QEMU's connection (it connects when it starts).
    pub fn accept(&self, within: Duration) -> UnixStream {
        self.listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + within;
        loop {
            match self.listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    return s;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("QEMU did not connect to {}: {e}", self.path.display()),
            }
        }
    }
}

/// Read from `s` until `want` bytes arrived or `within` passed.
pub fn read_bytes(s: &mut UnixStream, want: usize, within: Duration) -> Vec<u8> {
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while out.len() < want {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => break,
            Err(e) => panic!("serial socket: {e}"),
        }
    }
    out
}

pub fn write_bytes(s: &mut UnixStream, bytes: &[u8]) {
    s.write_all(bytes).expect("write to the serial socket");
}

// ---- guest tier ------------------------------------------------------------

/// Build a boot image for `app` (a file in hwtests/guest; the whole folder is
/// copied) with PID 1 running `commands` in order. Returns the image folder.
pub fn build_image(case: &str, app: &str, commands: &[&str]) -> PathBuf {
    build_image_with(case, app, commands, &[])
}

/// `build_image` with more `jsk image build` arguments (`--module "i2c-stub chip_addr=0x48"`).
pub fn build_image_with(case: &str, app: &str, commands: &[&str], extra: &[&str]) -> PathBuf {
    let out = scratch(&format!("image-{case}"));
    let mut cmd = Command::new(jsk());
    cmd.current_dir(repo()).args(["image", "build", "--app", app, "--app-folder", "-o"]).arg(&out).args(extra);
    for c in commands {
        cmd.arg("--command").arg(c);
    }
    let Output { status, stdout, stderr } = cmd.output().expect("run jsk image build");
    assert!(
        status.success(),
        "jsk image build failed (the guest tier needs Debian's kernel package: bash dev.sh test fetches it)\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    out
}

/// Boot an image; returns (exit status, console text).
pub fn run_image(dir: &Path, args: &[&str]) -> (i32, String) {
    require_qemu("qemu-system-x86_64");
    let Output { status, stdout, stderr } = Command::new(jsk())
        .current_dir(repo())
        .args(["image", "run"])
        .arg(dir)
        .args(["--timeout", "300"])
        .args(args)
        .output()
        .expect("run jsk image run");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), None, "jsk image run died by a signal");
    let text = format!("{}{}", String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
    (status.code().unwrap_or(-1), text)
}

/// The `RESULT name value` a guest app printed, after `after` if given.
pub fn console_result(console: &str, name: &str, after: Option<&str>) -> String {
    let start = after.and_then(|a| console.find(a)).unwrap_or(0);
    let prefix = format!("RESULT {name} ");
    console[start..]
        .lines()
        .find_map(|l| l.trim_end_matches('\r').split_once(&prefix).map(|(_, v)| v.to_string()))
        .unwrap_or_else(|| panic!("no RESULT {name} on the console:\n{console}"))
}

// ---- network peer: the far end of -netdev dgram (net.rs) ----------------------
pub mod net;
