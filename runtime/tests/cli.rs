//! The `jsk` binary end to end: errors, limits and exit codes. Every case
//! also checks that the process ended by exiting, never by a signal.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn jsk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jsk"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

mod common;

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::scratch("cli", name, files)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let Output { status, stdout, stderr } = cmd.output().expect("run jsk");
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert_eq!(status.signal(), None, "jsk died by a signal\nstdout:\n{stdout}\nstderr:\n{stderr}");
    Run { code: status.code().unwrap(), stdout, stderr, took }
}

fn run_js(name: &str, src: &str, flags: &[&str]) -> Run {
    let dir = scratch(name, &[("main.js", src)]);
    let file = dir.join("main.js");
    let mut cmd = jsk();
    cmd.arg("run").args(flags).arg(&file);
    run(&mut cmd)
}

#[test]
fn hello_syscall_writes_through_the_raw_syscall() {
    let r = run(jsk().current_dir(repo()).args(["run", "examples/hello-syscall.js"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "Hello world\n");
}

#[test]
fn shorthand_runs_a_file_with_arguments() {
    let r = run(jsk().current_dir(repo()).args(["examples/hello.js", "driver-writer"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Hello, driver-writer!"), "{}", r.stdout);
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let dir = scratch("syntax", &[("bad.js", "// one comment line\nlet x = ;\n")]);
    let file = dir.join("bad.js");
    let r = run(jsk().arg("run").arg(&file));
    assert_eq!(r.code, 1);
    let want = format!("{}:2:", file.display());
    assert!(r.stderr.contains(&want), "expected {want} in: {}", r.stderr);
    assert!(r.stderr.contains("SyntaxError"), "{}", r.stderr);
}

#[test]
fn syntax_error_on_the_first_line() {
    let dir = scratch("syntax1", &[("bad.js", "let x = ;\n")]);
    let r = run(jsk().current_dir(&dir).args(["run", "bad.js"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("bad.js:1:"), "{}", r.stderr);
}

#[test]
fn syntax_error_in_an_imported_module_names_that_module() {
    let dir = scratch("syntax-import", &[("main.js", "import './lib/bad.js';\n"), ("lib/bad.js", "\n\nfunction (\n")]);
    let r = run(jsk().current_dir(&dir).args(["run", "main.js"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("lib/bad.js:3:"), "{}", r.stderr);
}

#[test]
fn busy_loop_is_stopped_by_timeout() {
    let r = run_js("busy", "while (true) {}\n", &["--timeout", "1"]);
    assert_eq!(r.code, 124, "{}", r.stderr);
    assert!(r.took < Duration::from_secs(3), "took {:?}", r.took);
    assert!(r.stderr.contains("timed out after 1 s"), "{}", r.stderr);
}

#[test]
fn timeout_cannot_be_caught_by_the_script() {
    let r = run_js(
        "busy-catch",
        "for (;;) { try { for (;;) {} } catch (e) { console.log('caught', e); } }\n",
        &["--timeout", "1"],
    );
    assert_eq!(r.code, 124, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("caught"), "{}", r.stdout);
}

#[test]
fn timeout_stops_a_blocking_native_wait() {
    // A raw blocking read on a pipe nobody writes to: the thread sits in the kernel.
    let src = r#"
        import * as sys from "jsk:sys";
        const [r, w] = sys.pipe2();
        syscall(sys.nr.read, r, new Uint8Array(1), 1);
    "#;
    let r = run_js("blocked-read", src, &["--timeout", "1"]);
    assert_eq!(r.code, 124, "{}", r.stderr);
    assert!(r.took < Duration::from_secs(4), "took {:?}", r.took);
}

#[test]
fn timeout_stops_a_wait_in_the_event_loop() {
    let src = r#"
        import * as sys from "jsk:sys";
        import { readable } from "jsk:loop";
        const [r, w] = sys.pipe2();
        await readable(r);
    "#;
    let r = run_js("blocked-loop", src, &["--timeout", "1"]);
    assert_eq!(r.code, 124, "{}", r.stderr);
    assert!(r.took < Duration::from_secs(3), "took {:?}", r.took);
}

#[test]
fn uncaught_exception_prints_message_and_stack() {
    let src = "function probe() {\n  throw new Error('device did not answer');\n}\nprobe();\n";
    let r = run_js("throw", src, &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Uncaught Error: device did not answer"), "{}", r.stderr);
    assert!(r.stderr.contains("main.js:2"), "no file:line in {}", r.stderr);
}

#[test]
fn uncaught_exception_in_a_timer_callback() {
    let r = run_js("timer-throw", "setTimeout(() => { throw new TypeError('late'); }, 5);\n", &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Uncaught TypeError: late"), "{}", r.stderr);
}

#[test]
fn unhandled_rejection_exits_1() {
    let r = run_js(
        "reject",
        "Promise.reject(new RangeError('no link'));\nsetTimeout(() => console.log('not reached'), 50);\n",
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Unhandled promise rejection"), "{}", r.stderr);
    assert!(r.stderr.contains("RangeError: no link"), "{}", r.stderr);
    assert!(!r.stdout.contains("not reached"));
}

#[test]
fn rejection_handled_later_in_the_same_tick_is_not_reported() {
    let r = run_js(
        "reject-handled",
        "const p = Promise.reject(new Error('x'));\nawait null;\np.catch(() => console.log('handled'));\n",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "handled\n");
}

#[test]
fn rejected_top_level_await_exits_1() {
    let r = run_js(
        "tla-reject",
        "await new Promise((_, reject) => setTimeout(() => reject(new Error('probe failed')), 5));\n",
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("probe failed"), "{}", r.stderr);
}

#[test]
fn memory_limit_turns_exhaustion_into_a_clear_error() {
    let src = "const keep = [];\nfor (;;) keep.push(new Array(100000).fill(1));\n";
    let r = run_js("oom", src, &["--memory-limit", "32"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("out of memory") && r.stderr.contains("--memory-limit 32"), "{}", r.stderr);
}

#[test]
fn stack_size_sets_how_deep_js_may_recurse() {
    let src =
        "let d = 0;\nfunction f() { d++; f(); }\ntry { f(); } catch (e) { console.log(e instanceof RangeError, d); }\n";
    let depth = |kb: &str| -> u64 {
        let r = run_js(&format!("stack-{kb}"), src, &["--stack-size", kb]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (ok, d) = r.stdout.trim().split_once(' ').expect("two words");
        assert_eq!(ok, "true", "{}", r.stdout);
        d.parse().unwrap()
    };
    let (small, large) = (depth("256"), depth("4096"));
    assert!(small > 50 && large > small * 8, "256 KiB: {small} frames, 4096 KiB: {large}");
    for bad in ["0", "99999", "x"] {
        let r = run_js("stack-bad", "console.log(1);\n", &["--stack-size", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("--stack-size") && r.stderr.contains("KiB"), "{}", r.stderr);
    }
}

#[test]
fn deep_recursion_is_a_range_error() {
    let src = "function f(n) { return f(n + 1) + 1; }\ntry { f(0); } catch (e) { console.log(e instanceof RangeError, e.message); }\nf(0);\n";
    let r = run_js("recursion", src, &[]);
    assert!(r.stdout.starts_with("true"), "{}", r.stdout);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("RangeError"), "{}", r.stderr);
}

#[test]
fn process_exit_sets_the_code_and_runs_exit_listeners() {
    let r = run_js(
        "exit",
        "process.on('exit', (c) => console.log('bye', c));\nprocess.exit(3);\nconsole.log('not reached');\n",
        &[],
    );
    assert_eq!(r.code, 3);
    assert_eq!(r.stdout, "bye 3\n");
}

#[test]
fn exit_code_property_is_used_at_the_end() {
    let r = run_js("exitcode", "process.exitCode = 7;\n", &[]);
    assert_eq!(r.code, 7);
}

#[test]
fn modules_import_relatively_and_await_at_top_level() {
    let dir = scratch(
        "modules",
        &[
            ("app/main.js", "import { twice } from './lib/math.js';\nconst v = await Promise.resolve(21);\nconsole.log(twice(v));\n"),
            ("app/lib/math.js", "import { one } from '../one.js';\nexport const twice = (x) => x * 2 * one;\n"),
            ("app/one.js", "export const one = 1;\n"),
        ],
    );
    let r = run(jsk().current_dir(&dir).args(["run", "app/main.js"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "42\n");
}

#[test]
fn missing_module_is_a_clear_error() {
    let r = run_js("missing", "import './nope.js';\n", &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nope.js"), "{}", r.stderr);
}

#[test]
fn missing_file_is_a_clear_error() {
    let r = run(jsk().args(["run", "/nonexistent/x.js"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot read /nonexistent/x.js"), "{}", r.stderr);
}

#[test]
fn console_prints_objects_readably() {
    let src = "console.log({ a: 1, b: 'two', c: [1, 2n], d: new Uint8Array([1, 2]) });\nconsole.log(new Map([[1, { x: null }]]), 'text', -0);\nconsole.log('%s=%d', 'n', 42);\n";
    let r = run_js("console", src, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{ a: 1, b: 'two', c: [ 1, 2n ], d: Uint8Array(2) [ 1, 2 ] }\nMap(1) { 1 => { x: null } } text -0\nn=42\n"
    );
}

#[test]
fn syscall_argument_errors_are_type_errors() {
    let src = r#"
        for (const bad of [1.5, {}, "a\0b", Symbol("s")]) {
          try { syscall(39, bad); console.log("no error"); } catch (e) { console.log(e.name); }
        }
        try { syscall(39, 1, 2, 3, 4, 5, 6, 7); } catch (e) { console.log(e.name); }
        console.log(syscall(-1));
    "#;
    let r = run_js("syscall-args", src, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "TypeError\nTypeError\nTypeError\nTypeError\nRangeError\n-38\n");
}

#[test]
fn jsk_test_reports_passes_failures_and_crashes() {
    let dir = scratch(
        "testrun",
        &[
            ("a.test.js", "import { test, assert } from 'jsk:test';\ntest('adds', () => assert.equal(1 + 1, 2));\ntest('async', async () => { await null; assert.deepEqual({ a: [1] }, { a: [1] }); });\ntest.skip('later', () => {});\n"),
            ("b.test.js", "import { test, assert } from 'jsk:test';\ntest('differs', () => assert.deepEqual({ a: 1, b: 2 }, { a: 1, b: 3 }));\n"),
            ("c.test.js", "let x = ;\n"),
        ],
    );
    let r = run(jsk().current_dir(&dir).args(["test", "."]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("ok   a.test.js: adds"), "{}", r.stdout);
    assert!(r.stdout.contains("FAIL b.test.js: differs"), "{}", r.stdout);
    assert!(r.stdout.contains("-   b: 3") && r.stdout.contains("+   b: 2"), "no diff in {}", r.stdout);
    assert!(r.stdout.contains("FAIL c.test.js"), "{}", r.stdout);
    assert!(r.stdout.trim_end().ends_with("2 passed, 2 failed, 1 skipped"), "{}", r.stdout);
}

#[test]
fn an_unrefd_timer_does_not_keep_the_process_alive() {
    let r = run_js("unref", "setTimeout(() => console.log('late'), 100000).unref();\nconsole.log('done');\n", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "done\n");
    assert!(r.took < Duration::from_secs(5), "took {:?}", r.took);
}

#[test]
fn a_non_buffer_argument_leaves_no_exception_behind() {
    // rquickjs' ArrayBuffer check used to leave a TypeError pending for views,
    // which surfaced after the next top-level await.
    let dir = scratch("pending", &[("a.js", "export default 1;\n"), ("b.js", "export default 2;\n")]);
    let src = "const a = await import('./a.js');\nsyscall(39, new Uint8Array(4).subarray(1));\nconst b = await import('./b.js');\nconsole.log(a.default + b.default);\n";
    std::fs::write(dir.join("main.js"), src).unwrap();
    let r = run(jsk().current_dir(&dir).args(["run", "main.js"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "3\n");
}

#[test]
fn an_exception_in_probe_exits_1_with_the_stack_and_releases_the_device() {
    let dir = scratch(
        "probe-throws",
        &[
            (
                "drivers/bad.js",
                "import { driver } from 'jsk:hal';\n\
                 export default driver({ name: 'bad', match: { compatible: ['arm,pl061'] },\n\
                   probe(dev) { dev.onRelease(() => console.log('released', dev.name)); throw new Error('no answer from the chip'); } });\n",
            ),
            ("app.js", "console.log('app ran');\n"),
        ],
    );
    let board = repo().join("devices/qemu-aarch64-virt.toml");
    let r = run(jsk().current_dir(&dir).args(["run", "--backend", "fake", "--board"]).arg(&board).args([
        "--drivers",
        "drivers",
        "app.js",
    ]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("bad: probe failed: no answer from the chip"), "{}", r.stderr);
    assert!(r.stderr.contains("drivers/bad.js:3"), "no file:line in {}", r.stderr);
    assert_eq!(r.stdout, "released gpio0\n", "the device is released and the app never ran");
}

#[test]
fn a_board_file_error_names_the_file() {
    let dir = scratch("bad-board", &[("b.toml", "name = \"x\"\n"), ("app.js", "")]);
    let r = run(jsk().current_dir(&dir).args([
        "run",
        "--backend",
        "fake",
        "--board",
        "b.toml",
        "--drivers",
        ".",
        "app.js",
    ]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("b.toml") && r.stderr.contains("missing field"), "{}", r.stderr);
}

fn stop_with(sig: i32, name: &str) -> (i32, String, String) {
    let dir = scratch(name, &[("main.js", "process.on('exit', (c) => console.log('exit listeners ran', c));\nsetInterval(() => {}, 0x7fffffff);\nconsole.log('running');\n")]);
    let child = jsk()
        .current_dir(&dir)
        .args(["run", "main.js"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill").arg(format!("-{sig}")).arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let start = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    assert_eq!(out.status.signal(), None, "died by a signal");
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sigint_runs_the_exit_listeners_and_exits_130() {
    let (code, stdout, stderr) = stop_with(2, "sigint");
    assert_eq!(code, 130, "{stderr}");
    assert_eq!(stdout, "running\nexit listeners ran 130\n");
    assert!(stderr.contains("stopped by SIGINT"), "{stderr}");
}

#[test]
fn sigterm_runs_the_exit_listeners_and_exits_143() {
    let (code, stdout, _) = stop_with(15, "sigterm");
    assert_eq!(code, 143);
    assert!(stdout.ends_with("exit listeners ran 143\n"), "{stdout}");
}

/// Issue 9's reproduction and its relatives: a getter, Proxy or resize that
/// frees or shrinks a buffer while a native function reads its arguments
/// gets a JS exception; the process never ends by a signal.
#[test]
fn hostile_views_get_exceptions_not_signals() {
    let r = run_js(
        "hostile_views",
        r#"
import { decodeUtf8, syscall, addressOf, fakeRegion } from "jsk:native";
const cases = [];
const ab = new ArrayBuffer(8 << 20);
cases.push(() => decodeUtf8({ buffer: ab, get byteOffset() { ab.transfer(0); return 0; }, byteLength: 8 << 20 }));
const ab2 = new ArrayBuffer(8 << 20);
const dv = new DataView(ab2);
Object.defineProperty(dv, "byteOffset", { get() { ab2.transfer(0); return 0; } });
cases.push(() => decodeUtf8(dv));
const ab3 = new ArrayBuffer(64, { maxByteLength: 1 << 20 });
const dv3 = new DataView(ab3);
Object.defineProperty(dv3, "byteLength", { get() { ab3.resize(0); return 64; } });
cases.push(() => decodeUtf8(dv3));
const ab4 = new ArrayBuffer(1 << 20);
const dv4 = new DataView(new ArrayBuffer(8));
Object.defineProperty(dv4, "byteOffset", { get() { ab4.transfer(0); return 0; } });
cases.push(() => syscall(1, 1, new Uint8Array(ab4), 0, dv4));
const rab = new ArrayBuffer(64, { maxByteLength: 128 });
const t = new Uint8Array(rab, 32);
rab.resize(16);
cases.push(() => decodeUtf8(t));
cases.push(() => addressOf(Object.create(Uint8Array.prototype)));
cases.push(() => decodeUtf8(new Proxy(new Uint8Array(4), {})));
for (const f of cases) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name); }
}
const r = fakeRegion("r", 64);
r.setHook(() => { r.setHook(null); for (let i = 0; i < 1000; i++) new Array(100); return 7; });
console.log(r.read32(0), r.read32(0));
"#,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "TypeError\nTypeError\nRangeError\nTypeError\nTypeError\nTypeError\nTypeError\n7 0\n");
}

/// Found by the native fuzzer: a mapRegion window past the end of a regular
/// file mapped, and touching it ended jsk with SIGBUS. It is a RangeError now.
#[test]
fn map_region_past_the_end_of_a_file_is_a_range_error() {
    let dir = scratch("map_region_eof", &[("data.bin", &"\0".repeat(8192))]);
    let src = r#"
import { mapRegion, argv } from "jsk:native";
const path = argv[2];
for (const [offset, size] of [[0, 8192], [4096, 4096], [0, 8193], [4096, 8192], [8192, 4096], [0, 1 << 20]]) {
  try { const r = mapRegion(path, offset, size); r.write8(size - 1, 1); console.log(r.read8(size - 1)); }
  catch (e) { console.log(e.name); }
}
"#;
    std::fs::write(dir.join("main.js"), src).unwrap();
    let r = run(jsk().arg("run").arg(dir.join("main.js")).arg(dir.join("data.bin")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "1\n1\nRangeError\nRangeError\nRangeError\nRangeError\n");
}

/// `--deny-unsafe`: the program cannot reach raw memory (jsk:sys, jsk:native,
/// the raw globals), statically, dynamically or through require(); jsk:
/// modules that use them inside, and a driver on QEMU, work as before.
#[test]
fn deny_unsafe_refuses_the_raw_primitives_to_the_program_only() {
    let dir = scratch(
        "deny_unsafe",
        &[
            ("static.mjs", "import * as sys from \"jsk:sys\";\nconsole.log(sys.getpid());\n"),
            ("native.mjs", "import { syscall } from \"jsk:native\";\nconsole.log(syscall);\n"),
            (
                "dynamic.mjs",
                r#"import { bind } from "jsk:hal";
import { setTimeout } from "jsk:loop";
console.log(typeof syscall, typeof syscall64, typeof addressOf, typeof unsafeArrayBuffer, typeof bind);
for (const m of ["jsk:sys", "jsk:native"]) {
  try { await import(m); console.log("loaded", m); } catch (e) { console.log(/refused under --deny-unsafe/.test(e.message)); }
}
await new Promise((r) => setTimeout(r, 1));
"#,
            ),
            (
                "cjs.js",
                "for (const m of ['jsk:sys', 'jsk:native']) { try { require(m); console.log('loaded', m); } catch (e) { console.log(/refused under --deny-unsafe/.test(e.message)); } }\nconsole.log(typeof require('fs').readFileSync);\n",
            ),
        ],
    );
    for f in ["static.mjs", "native.mjs"] {
        let r = run(jsk().args(["run", "--deny-unsafe"]).arg(dir.join(f)));
        assert_eq!(r.code, 1, "{f}: {}", r.stdout);
        assert!(r.stderr.contains("is refused under --deny-unsafe"), "{f}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    let r = run(jsk().args(["run", "--deny-unsafe"]).arg(dir.join("dynamic.mjs")));
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "undefined undefined undefined undefined function\ntrue\ntrue\n"),
        "{}",
        r.stderr
    );
    let r = run(jsk().args(["node", "--deny-unsafe"]).arg(dir.join("cjs.js")));
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\ntrue\nfunction\n"), "{}", r.stderr);
    // Without the flag the same program reaches them.
    let r = run(jsk().arg("run").arg(dir.join("static.mjs")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A driver on QEMU's edu device needs nothing unsafe.
    let r = run(jsk().current_dir(repo()).args([
        "run",
        "--deny-unsafe",
        "--board",
        "devices/qemu-x86.toml",
        "examples/edu.js",
        "10",
    ]));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("3628800"), "{}", r.stdout);
}
