//! The kernel jsk builds for its image: Debian's `linux-source-6.1` (fetched with `apt-get
//! download`, unpacked once), configured as `make tinyconfig` plus `jsk-kernel.config` (kept
//! beside this file, every line explained there; loadable modules only where a line says
//! `=m`: the test devices that Kconfig allows only as modules), built once into
//! `${XDG_CACHE_HOME:-$HOME/.cache}/jsk/kernel/jsk-VERSION-KEY/`, KEY a hash of the
//! fragment, the source version and the build steps. A cached kernel costs nothing; a cold
//! build takes minutes (progress lines while it runs).
//!
//! Result folder: `bzImage`, `.config` (the whole configuration), `modules.builtin` (what
//! the image builder reads to know that VFIO needs no module) and `build-seconds` (the cold
//! `make bzImage`), `kernel/PATH.ko` for the `=m` modules (`make modules`), then `.complete`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::kernel::{self, Kernel, KernelInfo};

/// The Debian package with the kernel source (`/usr/src/linux-source-6.1.tar.xz`).
pub const SOURCE_PACKAGE: &str = "linux-source-6.1";
/// What jsk adds to `make tinyconfig`.
pub const FRAGMENT: &str = include_str!("jsk-kernel.config");
/// Changes when the steps below change (part of the cache key).
const STEPS: &str = "ARCH=x86_64 tinyconfig+merge_config+olddefconfig+bzImage+modules v3";

/// The cache key's hash: FNV-1a over the parts (not a security hash).
fn fnv1a(parts: &[&str]) -> u64 {
    let bytes: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
    crate::fnv1a(&bytes)
}

/// The `CONFIG_X=v` lines of a fragment, in order.
pub fn assignments(fragment: &str) -> Vec<(&str, &str)> {
    fragment.lines().map(str::trim).filter(|l| l.starts_with("CONFIG_")).filter_map(|l| l.split_once('=')).collect()
}

/// The fragment's assignments the final `.config` does not hold (Kconfig drops a symbol whose
/// dependencies are off without a word): `(symbol, wanted, got)`.
pub fn missing(fragment: &str, config: &str) -> Vec<(String, String, String)> {
    let value = |sym: &str| -> String {
        for l in config.lines() {
            if let Some(v) = l.strip_prefix(sym).and_then(|r| r.strip_prefix('=')) {
                return v.to_string();
            }
            if l == format!("# {sym} is not set") {
                return "n".into();
            }
        }
        "n".into()
    };
    assignments(fragment)
        .into_iter()
        .filter_map(|(sym, want)| {
            let got = value(sym);
            (got != want).then(|| (sym.to_string(), want.to_string(), got))
        })
        .collect()
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out =
        cmd.stdin(Stdio::null()).output().with_context(|| format!("{what}: cannot run {:?}", cmd.get_program()))?;
    if !out.status.success() {
        // merge_config.sh says what is wrong on stdout; make and tar on stderr.
        let err = String::from_utf8_lossy(if out.stderr.is_empty() { &out.stdout } else { &out.stderr }).into_owned();
        bail!("{what} failed ({}):\n{}", out.status, useful_tail(&err));
    }
    Ok(())
}

/// The `error:` lines of a build's output if there are any (with -jN they may be far from the
/// end), else its last 20 lines.
fn useful_tail(text: &str) -> String {
    let errors: Vec<&str> = text.lines().filter(|l| l.contains("error:") || l.contains("Error ")).collect();
    let lines: Vec<&str> = if errors.is_empty() { text.lines().collect() } else { errors };
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// `make -C src O=build TARGET` for x86-64 (tinyconfig is otherwise 32-bit x86 first), with
/// none of the caller's kbuild variables (ARCH, CROSS_COMPILE, KCONFIG_CONFIG, ...) and a C
/// locale, so that the output is what the progress parser expects.
fn make(src: &Path, build: &Path) -> Command {
    let mut c = Command::new("make");
    for v in [
        "ARCH",
        "SRCARCH",
        "CROSS_COMPILE",
        "KCONFIG_CONFIG",
        "KBUILD_OUTPUT",
        "LLVM",
        "MAKEFLAGS",
        "MFLAGS",
        "CC",
        "LD",
    ] {
        c.env_remove(v);
    }
    c.env("LC_ALL", "C").arg("-C").arg(src).arg(format!("O={}", build.display())).arg("ARCH=x86_64");
    c
}

/// Whether `out` holds a finished kernel: `.complete`, and a bzImage with its setup header.
fn complete(out: &Path) -> bool {
    out.join(".complete").exists()
        && std::fs::read(out.join("bzImage")).is_ok_and(|b| kernel::bzimage_version(&b).is_some())
}

/// The fragment's symbols that no Kconfig file of `src` defines (a typo reads as "n" otherwise).
pub fn unknown_symbols(fragment: &str, src: &Path) -> Vec<String> {
    let mut known = std::collections::HashSet::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if !name.starts_with('.') {
                    stack.push(path);
                }
            } else if name.starts_with("Kconfig") {
                for l in std::fs::read_to_string(&path).unwrap_or_default().lines() {
                    let mut w = l.split_whitespace();
                    if let (Some("config" | "menuconfig"), Some(sym)) = (w.next(), w.next()) {
                        known.insert(format!("CONFIG_{sym}"));
                    }
                }
            }
        }
    }
    assignments(fragment).into_iter().map(|(s, _)| s.to_string()).filter(|s| !known.contains(s)).collect()
}

/// The unpacked source tree of `version`, unpacking the package once.
fn source_tree(cache: &Path, version: &str, log: &mut dyn FnMut(String)) -> Result<PathBuf> {
    let tree = cache.join(format!("{SOURCE_PACKAGE}_{version}"));
    if tree.join(".complete").exists() {
        return Ok(tree);
    }
    let deb = kernel::fetch_deb(cache, SOURCE_PACKAGE, version, log)?;
    log(format!("unpacking {} (the kernel source, about 1.3 GB unpacked)", deb.display()));
    kernel::unpack_once(cache, &deb, &tree, &format!("{SOURCE_PACKAGE} {version}"), |tmp| {
        let tarball = tmp.join(format!("usr/src/{SOURCE_PACKAGE}.tar.xz"));
        if !tarball.is_file() {
            bail!("{} holds no usr/src/{SOURCE_PACKAGE}.tar.xz", deb.display());
        }
        run(
            Command::new("tar").arg("-xJf").arg(&tarball).arg("-C").arg(tmp),
            &format!("tar -xJf {}", tarball.display()),
        )?;
        std::fs::remove_file(&tarball)?;
        Ok(())
    })?;
    Ok(tree)
}

/// The newest source version already unpacked, for when apt cannot answer.
fn cached_source_version(cache: &Path) -> Option<String> {
    let mut found: Vec<String> = std::fs::read_dir(cache)
        .ok()?
        .flatten()
        .filter(|e| e.path().join(".complete").exists())
        .filter_map(|e| e.file_name().to_str()?.strip_prefix(&format!("{SOURCE_PACKAGE}_"))?.to_string().into())
        .collect();
    found.sort();
    found.pop()
}

/// `make -jN bzImage` in `build`, with a progress line every 20 s (compiled files so far).
fn jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn make_bzimage(src: &Path, build: &Path, log: &mut dyn FnMut(String)) -> Result<()> {
    let mut child = make(src, build)
        .arg(format!("-j{}", jobs()))
        .arg("bzImage")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("make bzImage: cannot run make (bash dev.sh installs the build tools)")?;
    let stderr = child.stderr.take().context("make's stderr")?;
    // Both pipes are read to their ends whatever their bytes (a line that is not UTF-8 must
    // not stop the draining: make would block on a full pipe).
    let errors = std::thread::spawn(move || {
        let mut kept: Vec<String> = Vec::new();
        for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
            kept.push(String::from_utf8_lossy(&line).into_owned());
            if kept.len() > 400 {
                kept.drain(..200);
            }
        }
        kept.join("\n")
    });
    let started = Instant::now();
    let mut next = 20u64;
    let mut compiled = 0u64;
    for line in BufReader::new(child.stdout.take().context("make's stdout")?).split(b'\n').map_while(Result::ok) {
        if line.trim_ascii_start().starts_with(b"CC") {
            compiled += 1;
        }
        let s = started.elapsed().as_secs();
        if s >= next {
            log(format!("building the kernel: {compiled} files compiled, {s} s"));
            next = s + 20;
        }
    }
    let status = child.wait()?;
    let stderr = errors.join().unwrap_or_default();
    if !status.success() {
        bail!("make bzImage failed ({status}):\n{}", useful_tail(&stderr));
    }
    log(format!("kernel built: {compiled} files compiled in {:.0} s", started.elapsed().as_secs_f64()));
    Ok(())
}

/// jsk's kernel, built once per source version and fragment.
pub fn jsk_kernel(log: &mut dyn FnMut(String)) -> Result<Kernel> {
    let cache = kernel::cache_dir()?.join("kernel");
    std::fs::create_dir_all(&cache).with_context(|| format!("create {}", cache.display()))?;
    let version = match kernel::candidate_version(SOURCE_PACKAGE) {
        Ok(v) => v,
        Err(e) => match cached_source_version(&cache) {
            Some(v) => {
                log(format!("apt cannot resolve {SOURCE_PACKAGE} ({e:#}); using the cached source {v}"));
                v
            }
            None => bail!(
                "cannot get the kernel source: {e:#}\n  jsk image builds its kernel from Debian's {SOURCE_PACKAGE} (run `apt-get update` if the package lists are empty); `--kernel debian` uses Debian's binary kernel instead"
            ),
        },
    };
    let key = format!("{:016x}", fnv1a(&[FRAGMENT, &version, STEPS]));
    let out = cache.join(format!("jsk-{version}-{key}"));
    // One build at a time (tests build images in parallel): the others wait here, then find
    // the kernel built, or the failure it ended with (not a second try of the same build).
    let failed = cache.join(format!(".failed-{key}"));
    let mut lock = None;
    if !complete(&out) {
        let file = std::fs::File::create(cache.join(".jsk-kernel.lock")).context("the kernel cache's lock file")?;
        if file.try_lock().is_err() {
            log("another jsk is building the kernel: waiting for it".into());
            file.lock().context("lock the kernel cache")?;
            if let (false, Ok(why)) = (complete(&out), std::fs::read_to_string(&failed)) {
                bail!("the kernel build another jsk ran just now failed:\n{why}");
            }
        }
        lock = Some(file);
    }
    if !complete(&out) {
        // A folder left half-written (a crash, a disk that filled up) is built again.
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&failed);
        // CONFIG_KERNEL_ZSTD: the kernel's last build step runs zstd; say so now, not after minutes.
        if Command::new("zstd").arg("--version").output().is_err() {
            bail!("building jsk's kernel needs the zstd tool (apt-get install zstd; bash dev.sh installs it)");
        }
        let src = source_tree(&cache, &version, log)?;
        let src = src.join(SOURCE_PACKAGE);
        let build = kernel::unique_tmp(&cache, "kbuild");
        std::fs::create_dir_all(&build)?;
        let result = (|| -> Result<()> {
            log(format!("configuring the kernel ({SOURCE_PACKAGE} {version}: tinyconfig + jsk-kernel.config)"));
            run(make(&src, &build).arg("tinyconfig"), "make tinyconfig")?;
            let fragment = build.join("jsk-kernel.config");
            std::fs::write(&fragment, FRAGMENT)?;
            run(
                Command::new(src.join("scripts/kconfig/merge_config.sh"))
                    .current_dir(&src)
                    .env_remove("KCONFIG_CONFIG")
                    .env("ARCH", "x86_64")
                    .args(["-m", "-O"])
                    .arg(&build)
                    .arg(build.join(".config"))
                    .arg(&fragment),
                "merge_config.sh",
            )?;
            run(make(&src, &build).arg("olddefconfig"), "make olddefconfig")?;
            let unknown = unknown_symbols(FRAGMENT, &src);
            if !unknown.is_empty() {
                bail!(
                    "jsk-kernel.config names symbols Linux {version} does not have: {} (a typo?)",
                    unknown.join(", ")
                );
            }
            let config = std::fs::read_to_string(build.join(".config"))?;
            let lost = missing(FRAGMENT, &config);
            if !lost.is_empty() {
                let list: Vec<String> = lost.iter().map(|(s, w, g)| format!("{s}={w} (got {g})")).collect();
                bail!(
                    "jsk-kernel.config: Kconfig did not keep {} (their dependencies are off: add them to the fragment)",
                    list.join(", ")
                );
            }
            let started = Instant::now();
            make_bzimage(&src, &build, log)?;
            let build_seconds = started.elapsed().as_secs_f64();
            // The result goes into the build folder first (removed with it on any error), then
            // moves to its cache place in one rename.
            let tmp = build.join("result");
            std::fs::create_dir_all(&tmp)?;
            std::fs::copy(build.join("arch/x86/boot/bzImage"), tmp.join("bzImage")).context("copy bzImage")?;
            std::fs::write(tmp.join(".config"), &config)?;
            let builtin = std::fs::read_to_string(build.join("modules.builtin")).unwrap_or_default();
            if !builtin.lines().any(|l| l.ends_with("/vfio-pci.ko") || l.ends_with("/vfio_pci.ko")) {
                bail!("the built kernel's modules.builtin does not list vfio-pci: the image would not find VFIO");
            }
            std::fs::write(tmp.join("modules.builtin"), builtin)?;
            // The few loadable modules the fragment asks for (=m): built and kept as a module
            // tree (kernel/PATH.ko, what image::modules indexes by their .modinfo).
            if assignments(FRAGMENT).iter().any(|(_, v)| *v == "m") {
                run(make(&src, &build).arg(format!("-j{}", jobs())).arg("modules"), "make modules")?;
                let order = std::fs::read_to_string(build.join("modules.order")).context("modules.order")?;
                for rel in order.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    // 6.1 lists PATH.ko; later kernels PATH.o.
                    let rel = rel.strip_suffix(".o").map(|r| format!("{r}.ko")).unwrap_or_else(|| rel.to_string());
                    let dest = tmp.join("kernel").join(&rel);
                    std::fs::create_dir_all(dest.parent().context("module path")?)?;
                    std::fs::copy(build.join(&rel), &dest).with_context(|| format!("copy module {rel}"))?;
                }
            }
            // How long the cold build took, for the image benchmark.
            std::fs::write(tmp.join("build-seconds"), format!("{build_seconds:.1}\n"))?;
            std::fs::write(tmp.join(".complete"), format!("{SOURCE_PACKAGE} {version} {key}\n"))?;
            if std::fs::rename(&tmp, &out).is_err() {
                let _ = std::fs::remove_dir_all(&tmp);
                bail!("cannot move the built kernel to {}", out.display());
            }
            Ok(())
        })();
        let _ = std::fs::remove_dir_all(&build);
        if let Err(e) = &result {
            let _ = std::fs::write(&failed, format!("{e:#}\n"));
        }
        result?;
        prune(&cache, &out);
    }
    drop(lock);
    // Last use, for `prune` (which keeps the newest).
    let _ = std::fs::File::options()
        .write(true)
        .open(out.join(".complete"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    let bzimage = out.join("bzImage");
    let bytes = std::fs::read(&bzimage).with_context(|| format!("read {}", bzimage.display()))?;
    let release = kernel::bzimage_version(&bytes).and_then(|v| v.split_whitespace().next().map(str::to_string));
    Ok(Kernel {
        bzimage: bzimage.clone(),
        modules_dir: Some(out.clone()),
        info: KernelInfo {
            source: "jsk".into(),
            package: Some(SOURCE_PACKAGE.into()),
            version: Some(version),
            release,
            file: bzimage.to_string_lossy().into_owned(),
        },
    })
}

/// How many built kernels the cache keeps (the newest; each is about 2 MB).
const KEEP_BUILDS: usize = 3;

/// After a build (under the lock): drop all but the [`KEEP_BUILDS`] jsk kernels used last (never
/// `current`), and the temporary folders of builds, downloads and unpacks whose process is gone
/// and that are over a day old (an interrupted `jsk image build` leaves them; the age guards
/// against another PID namespace sharing the cache).
fn prune(cache: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(cache) else { return };
    let mut builds = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("jsk-") && path != current {
            let when = std::fs::metadata(path.join(".complete")).and_then(|m| m.modified()).ok();
            builds.push((when, path));
        } else if let Some(pid) = tmp_owner(&name) {
            let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if !Path::new(&format!("/proc/{pid}")).exists() && old.is_some_and(|a| a.as_secs() > 24 * 3600) {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
    builds.sort_by_key(|b| std::cmp::Reverse(b.0)); // newest first; incomplete ones (None) last
    for (_, path) in builds.into_iter().skip(KEEP_BUILDS - 1) {
        let _ = std::fs::remove_dir_all(path);
    }
}

/// The process id in a temporary folder's name (`.kbuild-PID-N`, `.unpack-PID-N`, ...).
fn tmp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (_, tail) = rest.split_once('-')?;
    let (pid, nanos) = tail.split_once('-')?;
    nanos.parse::<u64>().ok()?;
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_the_newest_builds_and_live_temporaries() {
        let dir = crate::scratch_dir("kbuild-prune");
        for (i, name) in ["jsk-a", "jsk-b", "jsk-c", "jsk-d"].iter().enumerate() {
            std::fs::create_dir_all(dir.join(name)).unwrap();
            let done = dir.join(name).join(".complete");
            std::fs::write(&done, "x").unwrap();
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + i as u64);
            std::fs::File::options().write(true).open(&done).unwrap().set_modified(t).unwrap();
        }
        std::fs::create_dir_all(dir.join("jsk-half")).unwrap(); // never completed
        let dead = dir.join(".kbuild-999999999-1");
        let young = dir.join(".unpack-999999999-3");
        let alive = dir.join(format!(".unpack-{}-2", std::process::id()));
        let other = dir.join("linux-source-6.1_6.1.1");
        for d in [&dead, &young, &alive, &other] {
            std::fs::create_dir_all(d).unwrap();
        }
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 24 * 3600);
        std::fs::File::open(&dead).unwrap().set_modified(long_ago).unwrap();
        prune(&dir, &dir.join("jsk-a"));
        let left: Vec<bool> =
            ["jsk-a", "jsk-b", "jsk-c", "jsk-d", "jsk-half"].iter().map(|n| dir.join(n).exists()).collect();
        // The current build, and the two newest others.
        assert_eq!(left, [true, false, true, true, false]);
        assert!(!dead.exists() && young.exists() && alive.exists() && other.exists());
        assert_eq!(tmp_owner(".kbuild-12-345"), Some(12));
        assert_eq!(tmp_owner(".jsk-kernel.lock"), None);
        assert_eq!(tmp_owner(".failed-0123abcd"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_assignment_of_the_fragment_is_explained_and_checked() {
        let a = assignments(FRAGMENT);
        assert!(a.len() > 30, "{a:?}");
        assert!(a.contains(&("CONFIG_VFIO_PCI", "y")) && a.contains(&("CONFIG_INTEL_IOMMU", "y")));
        // Every group of assignments is followed or preceded by a comment saying why.
        let lines: Vec<&str> = FRAGMENT.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.starts_with("CONFIG_") {
                let near = lines[i.saturating_sub(6)..(i + 8).min(lines.len())].iter().any(|x| x.starts_with("# "));
                assert!(near, "line {}: {l} has no explanation near it", i + 1);
            }
        }
    }

    #[test]
    fn missing_names_what_kconfig_dropped() {
        let config = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\n";
        let fragment = "CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\nCONFIG_D=n\n# CONFIG_E=y\n";
        assert_eq!(
            missing(fragment, config),
            vec![("CONFIG_B".into(), "y".into(), "n".into()), ("CONFIG_C".into(), "y".into(), "m".into())]
        );
    }

    #[test]
    fn unknown_symbols_are_the_ones_no_kconfig_file_defines() {
        let dir = crate::scratch_dir("kbuild-kconfig");
        std::fs::create_dir_all(dir.join("drivers/net")).unwrap();
        std::fs::write(dir.join("Kconfig"), "config FOO\n\tbool \"foo\"\n").unwrap();
        std::fs::write(dir.join("drivers/net/Kconfig.x"), "menuconfig BAR\n").unwrap();
        let fragment = "CONFIG_FOO=y\n# CONFIG_QUX=y is a comment\nCONFIG_BAR=n\nCONFIG_INPTU=n\n";
        assert_eq!(unknown_symbols(fragment, &dir), vec!["CONFIG_INPTU".to_string()]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_cache_key_follows_the_fragment_and_the_version() {
        assert_ne!(fnv1a(&["a", "6.1.1"]), fnv1a(&["a", "6.1.2"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]), "parts are separated");
        assert_eq!(fnv1a(&["x"]), fnv1a(&["x"]));
    }
}
