//! `jsk test`: find `*.test.js` files, run each in its own `jsk` process (so a
//! crash, a timeout or `process.exit` in one file cannot take the others with
//! it), and add up what they report.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The line a test file's process prints last, read by the parent.
pub const SUMMARY_PREFIX: &str = "#jsk-test-summary ";

const SKIP_DIRS: &[&str] = &["target", "node_modules", ".git"];

fn find_tests(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if p.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                find_tests(&p, out);
            }
        } else if name.ends_with(".test.js") {
            out.push(p);
        }
    }
}

/// The repository root: the nearest ancestor with a `.git`, else the current folder.
fn repo_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf).unwrap_or(cwd)
}

#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
    skipped: u64,
}

fn parse_summary(line: &str) -> Option<Counts> {
    let rest = line.strip_prefix(SUMMARY_PREFIX)?;
    let mut c = Counts::default();
    for kv in rest.split_whitespace() {
        let (k, v) = kv.split_once('=')?;
        let v: u64 = v.parse().ok()?;
        match k {
            "passed" => c.passed = v,
            "failed" => c.failed = v,
            "skipped" => c.skipped = v,
            _ => {}
        }
    }
    Some(c)
}

pub fn run(paths: &[PathBuf], timeout_secs: f64) -> i32 {
    let roots = if paths.is_empty() { vec![repo_root()] } else { paths.to_vec() };
    let mut files = Vec::new();
    for r in &roots {
        if !r.exists() {
            eprintln!("jsk test: {} does not exist", r.display());
            return 2;
        }
        find_tests(r, &mut files);
    }
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("jsk"));
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut total = Counts::default();
    for file in &files {
        let shown = crate::engine::normalize(file.strip_prefix(&cwd).unwrap_or(file));
        println!("# {shown}");
        let child = Command::new(&exe)
            .args(["test-file", "--timeout", &timeout_secs.to_string(), &shown])
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                println!("FAIL {shown}: cannot start {}: {e}", exe.display());
                total.failed += 1;
                continue;
            }
        };
        let mut summary = None;
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(|l| l.ok()) {
                match parse_summary(&line) {
                    Some(c) => summary = Some(c),
                    None => println!("{line}"),
                }
            }
        }
        let status = child.wait();
        match (summary, status) {
            (Some(c), Ok(s)) if s.success() || c.failed > 0 => {
                total.passed += c.passed;
                total.failed += c.failed;
                total.skipped += c.skipped;
            }
            (c, s) => {
                let how = match s {
                    Ok(s) => s.to_string(),
                    Err(e) => e.to_string(),
                };
                println!("FAIL {shown}: the file did not finish its tests ({how})");
                if let Some(c) = c {
                    total.passed += c.passed;
                    total.skipped += c.skipped;
                    total.failed += c.failed;
                }
                total.failed += 1;
            }
        }
    }
    if files.is_empty() {
        println!("jsk test: no *.test.js files found");
    }
    let mut line = format!("{} passed, {} failed", total.passed, total.failed);
    if total.skipped > 0 {
        line.push_str(&format!(", {} skipped", total.skipped));
    }
    println!("{line}");
    if total.failed > 0 || files.is_empty() {
        1
    } else {
        0
    }
}
