//! `unode`: jsk as a drop-in for `node`. The same binary runs as unode when
//! it is called `unode` (or `node`, e.g. through a symlink, so that npm
//! package scripts with `#!/usr/bin/env node` run on it), or as `jsk node`.
//! Node's command line: options first, then the script and its arguments.

use std::time::Duration;

use crate::engine::{self, Mode, NodeEntry, Options};

const USAGE: &str = "usage: unode [options] [script.js | -e \"script\" | -p \"expr\"] [arguments]

Runs a Node.js program on jsk: Node's module rules (CommonJS, ES modules,
node_modules, package.json exports) and Node's built-in modules written in
JavaScript over jsk's syscall.

options:
  -e, --eval SCRIPT          evaluate SCRIPT (CommonJS; --input-type=module for an ES module)
  -p, --print SCRIPT         evaluate SCRIPT and print the result
  -r, --require MODULE       require MODULE before the program starts (repeatable)
  --input-type=TYPE          commonjs (default) or module, for -e/-p
  --max-old-space-size=MB    cap the JS heap (jsk's --memory-limit)
  --timeout SECONDS          stop the program after SECONDS (exit 124)
  --deny-unsafe              refuse jsk:sys and jsk:native (raw memory) to the program
  --no-warnings              do not print process warnings
  --no-deprecation           do not print deprecation warnings
  -v, --version              print Node's version unode follows
  -h, --help                 this text";

/// Node options that unode accepts and ignores (they tune V8 or Node internals).
const IGNORED: &[&str] = &[
    "--enable-source-maps",
    "--trace-warnings",
    "--trace-uncaught",
    "--trace-deprecation",
    "--preserve-symlinks",
    "--preserve-symlinks-main",
    "--experimental-vm-modules",
    "--experimental-modules",
    "--experimental-require-module",
    "--experimental-default-type=commonjs",
    "--no-experimental-fetch",
    "--expose-gc",
    "--unhandled-rejections=strict",
    "--unhandled-rejections=throw",
];

/// `args` are the arguments after the program name (or after `jsk node`).
pub fn main(exe: String, args: Vec<String>) -> i32 {
    let mut opts = Options::default();
    let mut preload = Vec::new();
    let mut eval: Option<(String, bool)> = None;
    let mut module = false;
    let mut i = 0;
    let value = |i: &mut usize, flag: &str| -> Result<String, String> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| format!("{flag} requires an argument"))
    };
    let parsed: Result<(), String> = (|| {
        while i < args.len() {
            let a = args[i].as_str();
            if a == "--" {
                i += 1;
                break;
            }
            if !a.starts_with('-') || a == "-" {
                break;
            }
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if a.starts_with("--") => (f, Some(v.to_string())),
                _ => (a, None),
            };
            let take = |i: &mut usize| inline.clone().map_or_else(|| value(i, flag), Ok);
            match flag {
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                "-v" | "--version" => {
                    println!("v{}", crate::NODE_VERSION);
                    std::process::exit(0);
                }
                "-e" | "--eval" => eval = Some((take(&mut i)?, false)),
                "-p" | "--print" => eval = Some((take(&mut i)?, true)),
                "-pe" => eval = Some((take(&mut i)?, true)),
                "-r" | "--require" => preload.push(take(&mut i)?),
                "--input-type" => match take(&mut i)?.as_str() {
                    "module" => module = true,
                    "commonjs" => module = false,
                    other => return Err(format!("--input-type must be \"module\" or \"commonjs\", not {other:?}")),
                },
                "--max-old-space-size" => {
                    let mb = take(&mut i)?;
                    opts.memory_limit_mb =
                        Some(mb.parse().map_err(|_| format!("--max-old-space-size={mb}: not a number of MB"))?);
                }
                "--timeout" => {
                    let s = take(&mut i)?;
                    let secs: f64 = s.parse().map_err(|_| format!("--timeout {s}: not a number of seconds"))?;
                    opts.timeout = (secs > 0.0).then(|| Duration::from_secs_f64(secs));
                }
                "--deny-unsafe" => crate::engine::modules::deny_unsafe(),
                "--no-warnings" => std::env::set_var("NODE_NO_WARNINGS", "1"),
                "--no-deprecation" => std::env::set_var("UNODE_NO_DEPRECATION", "1"),
                // As V8's (KiB); more than jsk's JS thread can give is taken as its most.
                "--stack-size" => {
                    let kb = take(&mut i)?;
                    let most = Options::MAX_STACK_KB;
                    match kb.parse::<usize>() {
                        Ok(k) if k > most => {
                            eprintln!("unode: --stack-size={kb}: using {most}, the most jsk's JS thread has");
                            opts.set_stack_size_kb(&most.to_string())?
                        }
                        _ => opts.set_stack_size_kb(&kb)?,
                    }
                }
                "--max-semi-space-size" | "--conditions" | "-C" | "--title" => {
                    let _ = take(&mut i)?;
                }
                f if IGNORED.contains(&a) || IGNORED.contains(&f) => {}
                _ => return Err(format!("bad option: {a}")),
            }
            i += 1;
        }
        Ok(())
    })();
    if let Err(e) = parsed {
        eprintln!("unode: {e}");
        return 9; // Node's exit code for an invalid argument
    }
    let rest: Vec<String> = args[i.min(args.len())..].to_vec();
    let (entry, argv) = match eval {
        Some((code, print)) => {
            let mut argv = vec![exe];
            argv.extend(rest);
            (NodeEntry::Eval { code, print, module, preload }, argv)
        }
        None => match rest.split_first() {
            Some((script, script_args)) => {
                let mut argv = vec![exe, script.clone()];
                argv.extend(script_args.iter().cloned());
                (NodeEntry::File { path: script.clone(), preload }, argv)
            }
            None => {
                eprintln!("unode: no script given (unode has no REPL yet)\n\n{USAGE}");
                return 9;
            }
        },
    };
    let _ = crate::engine::native_module::ARGV.set(argv);
    crate::on_js_thread(move || engine::run_file("", Mode::Node(entry), opts))
}

/// Whether the program was started under a name that means Node.
pub fn invoked_as_node(argv0: &str) -> bool {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    base == "unode" || base == "node"
}
