//! The native-surface fuzzer (`tests/fuzz/native.mjs`) run by the `jsk`
//! binary: every function of `jsk:native`, every `Region` method, fake DMA,
//! the fake NIC model and the HAL's `Dma`/`Irq` objects called with hostile
//! values. Passes when the process exits 0 (every call returned or threw an
//! `Error`) and was not ended by a signal.
//!
//! `JSK_NATIVE_FUZZ_CALLS` (default 100,000; `bash dev.sh fuzz` more) and
//! `JSK_NATIVE_FUZZ_SEED` pass through to the fuzzer.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

const DEFAULT_CALLS: u64 = 100_000;

#[test]
fn native_surface_fuzz_gets_exceptions_not_signals() {
    let calls = std::env::var("JSK_NATIVE_FUZZ_CALLS").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_CALLS);
    let dir = common::scratch("native-fuzz", "run", &[]);
    // mapRegion's file: 64 KiB (the fuzzer also asks for windows past its end).
    let file = dir.join("scratch.bin");
    std::fs::write(&file, vec![0u8; 64 << 10]).unwrap();
    let program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/native.mjs");
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_jsk"))
        .current_dir(&dir)
        .arg("run")
        .arg(&program)
        .arg(&file)
        .env("JSK_NATIVE_FUZZ_CALLS", calls.to_string())
        .env_remove("JSK_SOURCE")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run jsk");
    let start = Instant::now();
    let limit = Duration::from_secs(120) + Duration::from_millis(calls);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the fuzzer ran longer than {limit:?}\nstdout:\n{}", std::fs::read_to_string(&out).unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out).unwrap();
    let stderr = std::fs::read_to_string(&err).unwrap();
    println!("{stdout}");
    let tail = |s: &str| s.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert_eq!(
        status.signal(),
        None,
        "jsk died by a signal (rerun with JSK_NATIVE_FUZZ_TRACE=1 to see the last call)\nstdout:\n{}\nstderr:\n{}",
        tail(&stdout),
        tail(&stderr)
    );
    assert_eq!(status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", tail(&stdout), tail(&stderr));
    let made: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("native fuzz: ")?.split_once(" calls in ")?.0.parse().ok())
        .unwrap_or_else(|| panic!("no call count in the fuzzer's output:\n{stdout}"));
    assert!(made >= calls, "{made} calls made, {calls} asked");
    assert!(stdout.contains("native fuzz: ok"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SIGBUS `mapRegion` had (a window past the end of a regular file),
/// reached through a board file on the mem backend: the size check lives in
/// `backend::mem::map_file`, which both paths use.
#[test]
fn mem_board_region_past_the_end_of_its_file_is_an_error() {
    let dir = common::scratch("native-fuzz", "mem-board", &[]);
    let data = dir.join("data.bin");
    std::fs::write(&data, vec![0u8; 8192]).unwrap();
    let board = format!(
        "name = \"eof\"\ndescription = \"a mem board whose window runs past its file\"\narch = \"{}\"\n\
         default_backend = \"mem\"\n\n[[device]]\nname = \"blk\"\ncompatible = [\"x,y\"]\n\
         regions = [{{ name = \"regs\", base = 0, size = 0x100000, file = {:?}, offset = 0 }}]\n",
        std::env::consts::ARCH,
        data.display().to_string()
    );
    std::fs::write(dir.join("board.toml"), board).unwrap();
    let src = r#"
import { openBoard, argv } from "jsk:native";
try { const r = openBoard({ path: argv[2] }).region("blk", "regs"); console.log(r.read32(0x80000)); }
catch (e) { console.log(e instanceof Error ? "Error" : "non-Error"); }
"#;
    std::fs::write(dir.join("main.js"), src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jsk"))
        .arg("run")
        .arg(dir.join("main.js"))
        .arg(dir.join("board.toml"))
        .output()
        .expect("run jsk");
    assert_eq!(out.status.signal(), None, "jsk died by a signal: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Error\n");
}
