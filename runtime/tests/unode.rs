//! `unode` end to end: Node's module rules (CommonJS, ES modules, node_modules,
//! package.json main/exports/imports/type, JSON), interop both ways, the
//! command line, the event-loop order (nextTick before promise jobs, after
//! every callback), and how a program ends (exit codes, uncaught errors).
//! Each case writes a small tree of files and runs `jsk node` on it.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::scratch("unode", name, files)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn unode(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_jsk"))
        .arg("node")
        .args(args)
        .current_dir(dir)
        .env_remove("JSK_SOURCE")
        .output()
        .expect("run jsk node");
    assert!(out.status.signal().is_none(), "jsk node ended by signal {:?}", out.status.signal());
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let r = unode(dir, args);
    assert_eq!(r.code, 0, "exit {}\nstdout:\n{}\nstderr:\n{}", r.code, r.stdout, r.stderr);
    r.stdout
}

#[test]
fn commonjs_require_json_cache_and_cycles() {
    let dir = scratch(
        "cjs",
        &[
            (
                "main.js",
                r#"
const a = require("./a");
const data = require("./data.json");
console.log(a.name, a.fromB, data.n, __filename.endsWith("/main.js"), require("path").basename(__dirname));
console.log(require.resolve("./a") === __dirname + "/a.js", Object.keys(require.cache).length);
console.log(require.main === module, module.id, typeof require("node:events"), require("events") === require("node:events"));
"#,
            ),
            ("a.js", "exports.name = 'a'; const b = require('./b'); exports.fromB = b.sawA;"),
            ("b.js", "const a = require('./a'); exports.sawA = a.name + '-partial';"),
            ("data.json", "{\"n\": 7}"),
        ],
    );
    assert_eq!(
        ok(&dir, &["main.js"]),
        "a a-partial 7 true ".to_string()
            + dir.file_name().unwrap().to_str().unwrap()
            + "\ntrue 4\ntrue . function true\n"
    );
}

#[test]
fn node_modules_main_exports_conditions_and_imports() {
    let dir = scratch(
        "pkgs",
        &[
            (
                "app/src/main.js",
                r##"
console.log(require("plain"), require("dual"), require("dual/feature"), require("dual/lib/x"));
try { require("dual/secret"); } catch (e) { console.log(e.code); }
try { require("nope"); } catch (e) { console.log(e.code, e.message.split("\n")[0]); }
console.log(require("#internal"), require("@scope/pkg"));
import("dual").then((m) => console.log("esm:", m.default));
"##,
            ),
            ("app/package.json", r##"{"name": "app", "imports": {"#internal": "./src/internal.js"}}"##),
            ("app/src/internal.js", "module.exports = 'internal';"),
            ("node_modules/plain/package.json", r#"{"main": "lib/index"}"#),
            ("node_modules/plain/lib/index.js", "module.exports = 'plain';"),
            (
                "node_modules/dual/package.json",
                r#"{"exports": {".": {"import": "./esm.mjs", "require": "./cjs.js"}, "./feature": "./feature.js", "./lib/*": "./lib/*.js", "./secret": null}}"#,
            ),
            ("node_modules/dual/cjs.js", "module.exports = 'dual-cjs';"),
            ("node_modules/dual/esm.mjs", "export default 'dual-esm';"),
            ("node_modules/dual/feature.js", "module.exports = 'feature';"),
            ("node_modules/dual/lib/x.js", "module.exports = 'x';"),
            ("node_modules/@scope/pkg/index.js", "module.exports = 'scoped';"),
        ],
    );
    assert_eq!(
        ok(&dir, &["app/src/main.js"]),
        "plain dual-cjs feature x\nERR_PACKAGE_PATH_NOT_EXPORTED\nMODULE_NOT_FOUND Cannot find module 'nope'\ninternal scoped\nesm: dual-esm\n"
    );
}

#[test]
fn es_modules_and_commonjs_interop() {
    let dir = scratch(
        "esm",
        &[
            ("package.json", r#"{"type": "module"}"#),
            (
                "main.js",
                r#"
import cjs, { hello } from "./lib.cjs";
import data from "./data.json" with { type: "json" };
import { createRequire } from "node:module";
import { EventEmitter } from "events";
const require = createRequire(import.meta.url);
console.log(hello(), cjs.hello === hello, data.n, typeof EventEmitter);
console.log(require("./lib.cjs") === cjs, require("./esm.js").value, import.meta.filename.endsWith("/main.js"));
try { require("./tla.js"); } catch (e) { console.log(e.code); }
console.log(import.meta.resolve("./lib.cjs").startsWith("file:///"));
"#,
            ),
            ("lib.cjs", "exports.hello = () => 'hi';"),
            ("esm.js", "export const value = 42;"),
            ("tla.js", "await null; export const x = 1;"),
            ("data.json", "{\"n\": 5}"),
        ],
    );
    assert_eq!(ok(&dir, &["main.js"]), "hi true 5 function\ntrue 42 true\nERR_REQUIRE_ASYNC_MODULE\ntrue\n");
}

#[test]
fn next_tick_runs_before_promise_jobs_after_every_callback() {
    let dir = scratch(
        "ticks",
        &[(
            "order.js",
            r#"
const log = [];
Promise.resolve().then(() => log.push("promise"));
process.nextTick(() => log.push("tick"));
setTimeout(() => {
  log.push("t1");
  process.nextTick(() => log.push("t1-tick"));
  Promise.resolve().then(() => log.push("t1-promise"));
}, 0);
setTimeout(() => log.push("t2"), 0);
setImmediate(() => log.push("immediate"));
process.on("exit", () => console.log(log.filter((x) => x !== "immediate").join(" ")));
"#,
        )],
    );
    assert_eq!(ok(&dir, &["order.js"]), "tick promise t1 t1-tick t1-promise t2\n");
}

#[test]
fn exit_codes_uncaught_errors_and_before_exit() {
    let dir = scratch(
        "exits",
        &[
            ("throws.js", "function boom() { throw new TypeError('boom'); }\nboom();\n"),
            ("rejects.mjs", "await Promise.reject(new Error('rejected'));\n"),
            ("code.js", "process.exitCode = 3; process.on('exit', (c) => console.log('exit', c));"),
            ("before.js", "let n = 0; process.on('beforeExit', () => { if (n++ < 2) setTimeout(() => console.log('more', n), 1); });"),
            ("syntax.js", "const x = ;\n"),
            ("missing.js", "require('./nowhere');\n"),
        ],
    );
    let r = unode(&dir, &["throws.js"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("TypeError: boom"), "{}", r.stderr);
    assert!(r.stderr.contains("throws.js:1"), "{}", r.stderr);
    let r = unode(&dir, &["rejects.mjs"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("rejected"), "{}", r.stderr);
    let r = unode(&dir, &["code.js"]);
    assert_eq!((r.code, r.stdout.as_str()), (3, "exit 3\n"));
    assert_eq!(ok(&dir, &["before.js"]), "more 1\nmore 2\n");
    let r = unode(&dir, &["syntax.js"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("SyntaxError") && r.stderr.contains("syntax.js:1"), "{}", r.stderr);
    let r = unode(&dir, &["missing.js"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Cannot find module './nowhere'") && r.stderr.contains("missing.js"), "{}", r.stderr);
}

#[test]
fn command_line_eval_print_argv_and_names() {
    let dir = scratch(
        "cli",
        &[("args.js", "console.log(JSON.stringify(process.argv.slice(2)), process.argv[1].endsWith('/args.js'));")],
    );
    assert_eq!(
        ok(&dir, &["-e", "console.log(require('path') !== undefined, typeof module, __filename)"]),
        "true object [eval]\n"
    );
    assert_eq!(ok(&dir, &["-p", "1 + 2"]), "3\n");
    // Built-in classes print as classes (the embedded node: modules keep their source text).
    assert_eq!(ok(&dir, &["-p", "require('util').inspect([URL, Blob])"]), "[ [class URL], [class Blob] ]\n");
    assert_eq!(ok(&dir, &["--input-type=module", "-e", "import { sep } from 'node:path'; console.log(sep)"]), "/\n");
    assert_eq!(ok(&dir, &["args.js", "--flag", "x"]), "[\"--flag\",\"x\"] true\n");
    assert!(ok(&dir, &["--version"]).starts_with("v20."));
    let r = unode(&dir, &["--no-such-flag", "args.js"]);
    assert_eq!(r.code, 9);
    assert!(r.stderr.contains("bad option"), "{}", r.stderr);
    // --stack-size (KiB, as V8's) sets how deep JS recurses.
    let deep = "let d = 0; function f() { d++; f(); } try { f(); } catch { console.log(d); }";
    let depth = |kb: &str| -> u64 { ok(&dir, &[&format!("--stack-size={kb}"), "-e", deep]).trim().parse().unwrap() };
    assert!(depth("2048") > 8 * depth("128"));
    assert_eq!(unode(&dir, &["--stack-size=0", "-e", "1"]).code, 9);
    let big = unode(&dir, &["--stack-size=65500", "-e", "console.log(1)"]);
    assert_eq!((big.code, big.stdout.as_str()), (0, "1\n"), "{}", big.stderr);
    assert!(big.stderr.contains("using 32768"), "{}", big.stderr);
    // The binary called `unode` (or `node`) is unode.
    let link = dir.join("unode");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_jsk"), &link).unwrap();
    let out = Command::new(&link).arg("args.js").arg("y").current_dir(&dir).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[\"y\"] true\n");
}

#[test]
fn node_programs_reach_jsk_modules() {
    let dir = scratch(
        "jsk",
        &[("sys.js", "const sys = require('jsk:sys'); console.log(sys.getpid() === process.pid, typeof sys.open);")],
    );
    assert_eq!(ok(&dir, &["sys.js"]), "true function\n");
}

/// The README's Node program: an HTTP status page of the edu device (qtest
/// backend), fetched by a client that is not jsk (this test, over TCP).
#[test]
fn status_page_serves_a_jsk_driver_over_node_http() {
    use std::io::{BufRead, BufReader, Read, Write};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jsk"))
        .args(["node", "examples/status-page.js", &port.to_string()])
        .current_dir(&repo)
        .env_remove("JSK_SOURCE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("start the status page");
    // However the test ends, the server (and its QEMU) does not outlive it.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let mut child = KillOnDrop(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert!(line.starts_with("status page on http://127.0.0.1:"), "{line:?}");
    let get = |path: &str| -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
        // HTTP/1.0: the body comes unchunked and the server closes after it.
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let json = get("/status.json");
    assert!(json.starts_with("HTTP/1.1 200 OK\r\n"), "{json}");
    let body: serde_json::Value = serde_json::from_str(json.split("\r\n\r\n").nth(1).unwrap().trim()).unwrap();
    assert_eq!(body["edu"]["factorial"]["value"], 3628800);
    assert_eq!(body["edu"]["liveness"], true);
    assert!(body["drivers"][0].as_str().unwrap().starts_with("edu on "), "{body}");
    let html = get("/");
    assert!(html.contains("<h1>jsk status") && html.contains("3628800"), "{html}");
    // SIGTERM: the drivers are removed, QEMU stopped, and jsk exits 128 + 15.
    Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
}

#[test]
fn worker_threads_keep_the_process_alive_and_report_errors() {
    let dir = scratch(
        "workers",
        &[
            (
                "alive.js",
                "const { Worker } = require('node:worker_threads');\n\
                 const w = new Worker('./w.js', { workerData: 20 });\n\
                 w.on('message', (m) => console.log('message', m));\n\
                 w.on('exit', (c) => console.log('exit', c));\n\
                 console.log('main done');\n",
            ),
            (
                "w.js",
                "const { parentPort, workerData } = require('node:worker_threads');\n\
                 const { double } = require('./lib');\n\
                 setTimeout(() => parentPort.postMessage([double(workerData), require('path').basename(__filename)]), 100);\n",
            ),
            ("lib.js", "exports.double = (x) => x * 2;\n"),
            (
                "unref.js",
                "const { Worker } = require('node:worker_threads');\n\
                 const w = new Worker('setTimeout(() => console.log(\"late\"), 3000)', { eval: true });\n\
                 w.unref();\n\
                 console.log('unref done');\n",
            ),
            (
                "crash.js",
                "const { Worker } = require('node:worker_threads');\n\
                 new Worker('throw new RangeError(\"worker boom\")', { eval: true });\n\
                 setTimeout(() => console.log('not reached'), 2000);\n",
            ),
            (
                "exit.js",
                "const { Worker } = require('node:worker_threads');\n\
                 const w = new Worker('process.exit(5)', { eval: true });\n\
                 w.on('exit', (c) => { console.log('worker exit', c); process.exitCode = 2; });\n",
            ),
        ],
    );
    assert_eq!(ok(&dir, &["alive.js"]), "main done\nmessage [ 40, 'w.js' ]\nexit 0\n");
    let t0 = std::time::Instant::now();
    assert_eq!(ok(&dir, &["unref.js"]), "unref done\n");
    assert!(t0.elapsed() < std::time::Duration::from_millis(2500), "an unref'd worker kept the process alive");
    let r = unode(&dir, &["crash.js"]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("RangeError") && r.stderr.contains("worker boom"), "{}", r.stderr);
    assert!(!r.stdout.contains("not reached"));
    let r = unode(&dir, &["exit.js"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, "worker exit 5\n"), "{}", r.stderr);
}

#[test]
fn worker_threads_inherit_the_heap_limit_and_stop_at_the_timeout() {
    let dir = scratch(
        "worker-limits",
        &[
            (
                "oom.js",
                "const { Worker } = require('node:worker_threads');\n\
                 const w = new Worker('const a = []; for (;;) a.push(new Array(4096).fill(1));', { eval: true });\n\
                 w.on('error', (e) => console.log('error', e.code));\n\
                 w.on('exit', (c) => console.log('exit', c));\n",
            ),
            (
                "spin.js",
                "const { Worker } = require('node:worker_threads');\n\
                 new Worker('for (;;) {}', { eval: true });\n\
                 new Worker('for (;;) {}', { eval: true });\n",
            ),
        ],
    );
    let r = unode(&dir, &["--max-old-space-size=32", "oom.js"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "error ERR_WORKER_OUT_OF_MEMORY\nexit 1\n"), "{}", r.stderr);
    let t0 = std::time::Instant::now();
    let r = unode(&dir, &["--timeout", "1", "spin.js"]);
    assert_eq!(r.code, 124, "{}", r.stderr);
    assert!(t0.elapsed() < std::time::Duration::from_secs(6));
}

/// require() of an ES module whose graph leads back to a module still being
/// evaluated is refused with an error (QuickJS would abort on linking it).
#[test]
fn require_cycles_through_es_modules_are_errors_not_aborts() {
    let dir = scratch(
        "cycle",
        &[
            ("main.mjs", "import { createRequire } from 'node:module';\nexport const early = 1;\nconst require = createRequire(import.meta.url);\ntry { require('./b.cjs'); } catch (e) { console.log(e.code); }\n"),
            ("b.cjs", "module.exports = require('./c.mjs');\n"),
            ("c.mjs", "import { early } from './main.mjs';\nexport const fromMain = early;\n"),
        ],
    );
    assert_eq!(ok(&dir, &["main.mjs"]), "ERR_REQUIRE_CYCLE_MODULE\n");
}

/// A lazily loaded global read at the top of an ES module while a built-in
/// later in the same graph is not evaluated yet (it is evaluated then).
#[test]
fn lazy_globals_load_while_the_graph_is_evaluating() {
    let dir = scratch(
        "lazy",
        &[
            ("a.mjs", "import './b.mjs';\nimport { sep } from 'node:path';\nimport { Buffer as B } from 'node:buffer';\nconsole.log(sep, B === Buffer);\n"),
            ("b.mjs", "console.log(typeof URL, typeof Buffer.from);\n"),
        ],
    );
    assert_eq!(ok(&dir, &["a.mjs"]), "function function\n/ true\n");
}

/// require() of an ES module that throws gives the caller its error, and the
/// failed evaluation is not reported again as an unhandled rejection.
#[test]
fn require_of_a_throwing_es_module_throws_once() {
    let dir = scratch(
        "throwing",
        &[
            ("bad.mjs", "export const x = 1;\nthrow new TypeError('bad esm');\n"),
            ("main.js", "try { require('./bad.mjs'); } catch (e) { console.log(e.name, e.message); }\nsetTimeout(() => console.log('still running'), 5);\n"),
        ],
    );
    assert_eq!(ok(&dir, &["main.js"]), "TypeError bad esm\nstill running\n");
}

#[test]
fn uncaught_exception_and_unhandled_rejection_listeners_keep_the_program_going() {
    let dir = scratch(
        "uncaught",
        &[
            (
                "caught.js",
                r#"
process.on('uncaughtExceptionMonitor', (e, origin) => console.log('monitor', origin, e.message));
process.on('uncaughtException', (e, origin) => console.log('caught', origin, e.message, e.code ?? '-'));
setTimeout(() => { throw new Error('in a timer'); }, 1);
Promise.reject(42);
setTimeout(() => console.log('still running'), 20);
process.on('exit', (c) => console.log('exit', c));
throw new Error('at the top');
"#,
            ),
            (
                "rejections.mjs",
                r#"
process.on('unhandledRejection', (reason, promise) => console.log('unhandled', reason.message, promise instanceof Promise));
Promise.reject(new Error('one'));
await new Promise((r) => setTimeout(r, 5));
Promise.reject(new Error('two'));
"#,
            ),
            ("listener_throws.js", "process.on('uncaughtException', () => { throw new Error('in the listener'); });\nsetTimeout(() => { throw new Error('first'); }, 1);\n"),
            ("capture.js", "process.setUncaughtExceptionCaptureCallback((e) => console.log('captured', e.message));\nconsole.log(process.hasUncaughtExceptionCaptureCallback());\nthrow new Error('x');\n"),
            ("plain.js", "Promise.reject(new Error('nobody'));\n"),
        ],
    );
    let out = ok(&dir, &["caught.js"]);
    assert_eq!(
        out,
        "monitor uncaughtException at the top\ncaught uncaughtException at the top -\n\
         monitor unhandledRejection This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason \"42\".\n\
         caught unhandledRejection This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason \"42\". ERR_UNHANDLED_REJECTION\n\
         monitor uncaughtException in a timer\ncaught uncaughtException in a timer -\nstill running\nexit 0\n"
    );
    assert_eq!(ok(&dir, &["rejections.mjs"]), "unhandled one true\nunhandled two true\n");
    let r = unode(&dir, &["listener_throws.js"]);
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(r.stderr.contains("Error: in the listener"), "{}", r.stderr);
    assert_eq!(ok(&dir, &["capture.js"]), "true\ncaptured x\n");
    let r = unode(&dir, &["plain.js"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nobody"), "{}", r.stderr);
}

#[test]
fn signal_listeners_receive_signals_and_removing_them_restores_the_default() {
    let dir = scratch(
        "signals",
        &[
            (
                "signals.js",
                r#"
const got = [];
const h = (name, n) => got.push(`${name}:${n}`);
for (const s of ['SIGUSR1', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH']) process.on(s, h);
for (const s of ['SIGUSR1', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH']) process.kill(process.pid, s);
setTimeout(() => {
  console.log(got.sort().join(' '));
  try { process.on('SIGKILL', h); } catch (e) { console.log(e.code, e.syscall); }
  for (const s of ['SIGUSR1', 'SIGINT', 'SIGHUP', 'SIGWINCH']) process.removeListener(s, h);
  process.removeAllListeners('SIGTERM');
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => console.log('not stopped'), 2000);
}, 100);
"#,
            ),
            // A listener alone does not keep the program alive, as in Node.
            ("idle.js", "process.on('SIGINT', () => {}); console.log('done');\n"),
            (
                "child.js",
                r#"
// A child started while SIGINT is blocked for its listener gets the default mask.
process.on('SIGINT', () => {});
const { spawnSync } = require('child_process');
const r = spawnSync('sh', ['-c', 'kill -INT $$; echo survived'], { encoding: 'utf8' });
console.log(r.signal, JSON.stringify(r.stdout));
"#,
            ),
        ],
    );
    let r = unode(&dir, &["signals.js"]);
    assert_eq!(r.code, 128 + 15, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "SIGHUP:1 SIGINT:2 SIGTERM:15 SIGUSR1:10 SIGWINCH:28\nEINVAL uv_signal_start\n");
    assert_eq!(ok(&dir, &["idle.js"]), "done\n");
    assert_eq!(ok(&dir, &["child.js"]), "SIGINT \"\"\n");
}
