//! `jsk image build`: assemble the initramfs and write it beside the kernel.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::cpio;
use super::elf::Elf;
use super::kbuild;
use super::kernel::{self, Kernel};
use super::modules;
use super::{BinaryEntry, CommandSpec, Manifest, ModuleEntry};
use super::{
    Compression, IMAGE_APP_DIR, IMAGE_DEVICES, IMAGE_DRIVERS, IMAGE_MANIFEST, IMAGE_PROBE, KERNEL_FILE, MANIFEST_FILE,
    SIZE_TARGET,
};

/// `jsk image build --kernel`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum KernelChoice {
    /// The kernel jsk builds (`kbuild`): VFIO built in, modules only for its `=m` lines (i2c-stub).
    #[default]
    Jsk,
    /// Debian's linux-image-amd64 and its modules.
    Debian,
    /// A bzImage the user names (with `modules_dir`, its module tree).
    File(PathBuf),
}

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub app: PathBuf,
    pub out: PathBuf,
    /// Which kernel: jsk's own build (the default), Debian's package, or a bzImage.
    pub kernel: KernelChoice,
    /// The /lib/modules/RELEASE tree that goes with a `KernelChoice::File`.
    pub modules_dir: Option<PathBuf>,
    pub board: Option<PathBuf>,
    /// Default: the nearest drivers/ above the app, else above the current folder.
    pub drivers: Option<PathBuf>,
    /// Default: the nearest devices/ the same way (skipped if there is none).
    pub devices: Option<PathBuf>,
    /// The jsk binary to put in the image (default: this one).
    pub jsk: Option<PathBuf>,
    /// Copy the app's whole folder rather than what it imports.
    pub app_folder: bool,
    /// Replace the default command list.
    pub commands: Vec<CommandSpec>,
    /// Arguments after the app in the default command.
    pub app_args: Vec<String>,
    /// Modules beyond VFIO's.
    pub extra_modules: Vec<String>,
    /// Keep symbols in the binaries.
    pub no_strip: bool,
    pub compression: Compression,
}

/// What went into the image, for the build summary and tests.
#[derive(Clone, Debug, Default)]
pub struct BuildReport {
    pub manifest: Manifest,
    pub kernel_path: PathBuf,
    pub initramfs_path: PathBuf,
    pub kernel_bytes: u64,
    pub initramfs_bytes: u64,
    pub uncompressed_bytes: u64,
    pub compression: Compression,
    /// (what, uncompressed bytes) per part of the initramfs.
    pub parts: Vec<(String, u64)>,
    pub notes: Vec<String>,
}

impl BuildReport {
    pub fn total_bytes(&self) -> u64 {
        self.kernel_bytes + self.initramfs_bytes
    }

    pub fn summary(&self) -> String {
        let m = &self.manifest;
        let mut s = String::new();
        let k = &m.kernel;
        let kname = match (k.source.as_str(), &k.package, &k.version) {
            ("jsk", Some(p), Some(v)) => format!("built by jsk from {p} {v}"),
            (_, Some(p), Some(v)) => format!("{p} {v} (Debian)"),
            _ => k.file.clone(),
        };
        s += &format!(
            "kernel     {} {}, release {}\n",
            super::mb(self.kernel_bytes),
            kname,
            k.release.as_deref().unwrap_or("?")
        );
        s += &format!(
            "initramfs  {} {} ({} uncompressed)\n",
            super::mb(self.initramfs_bytes),
            format!("{:?}", self.compression).to_lowercase(),
            super::mb(self.uncompressed_bytes)
        );
        for (what, bytes) in &self.parts {
            s += &format!("  {:<9} {}\n", super::mb(*bytes), what);
        }
        let total = self.total_bytes();
        let verdict = if total <= SIZE_TARGET {
            "within".to_string()
        } else {
            format!("over by {}", super::mb(total - SIZE_TARGET))
        };
        s += &format!(
            "image size {} (kernel + initramfs; target <= {}: {verdict})\n",
            super::mb(total),
            super::mb(SIZE_TARGET)
        );
        s += &format!(
            "modules    {}\n",
            if m.modules.is_empty() {
                "none".to_string()
            } else {
                m.modules.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
            }
        );
        for (i, c) in m.commands.iter().enumerate() {
            let t = c.timeout_ms.map(|t| format!(" (timeout {t} ms)")).unwrap_or_default();
            s += &format!("command {}  {}{t}\n", i + 1, c.argv.join(" "));
        }
        for n in &self.notes {
            s += &format!("note: {n}\n");
        }
        s
    }
}

/// The nearest `name/` folder above `start`'s folder, else above the current folder.
fn nearest(name: &str, start: &Path) -> Option<PathBuf> {
    let app_dir = std::fs::canonicalize(start).ok().and_then(|p| p.parent().map(Path::to_path_buf));
    let cwd = std::env::current_dir().ok();
    app_dir
        .iter()
        .chain(cwd.iter())
        .flat_map(|d| d.ancestors().map(|a| a.join(name)).collect::<Vec<_>>())
        .find(|d| d.is_dir())
}

/// Every regular file under `dir`, sorted, as (path relative to dir, path).
fn tree_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("read {}", d.display()))? {
            let path = e?.path();
            let meta = std::fs::metadata(&path).with_context(|| format!("{}", path.display()))?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().into_owned();
                out.push((rel, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Relative module specifiers (`./x.js`, `../lib/y.js`) after `from`,
/// `import` or `import(` in JavaScript source. A scan, not a parser: a
/// match inside a comment only costs a "not found" note.
pub fn relative_imports(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c != b'"' && c != b'\'' && c != b'`' {
            continue;
        }
        let mut j = i;
        while j > 0 && b[j - 1].is_ascii_whitespace() {
            j -= 1;
        }
        if j > 0 && b[j - 1] == b'(' {
            j -= 1;
            while j > 0 && b[j - 1].is_ascii_whitespace() {
                j -= 1;
            }
        }
        let word_end = j;
        while j > 0 && (b[j - 1].is_ascii_alphanumeric() || b[j - 1] == b'_' || b[j - 1] == b'$') {
            j -= 1;
        }
        let word = &src[j..word_end];
        if word != "from" && word != "import" {
            continue;
        }
        let Some(len) = src[i + 1..].find(c as char) else { continue };
        let spec = &src[i + 1..i + 1 + len];
        if (spec.starts_with("./") || spec.starts_with("../")) && !spec.contains('\n') {
            out.push(spec.to_string());
        }
    }
    out
}

fn resolve_import(from_dir: &Path, spec: &str) -> Option<PathBuf> {
    let base = from_dir.join(spec);
    [base.clone(), PathBuf::from(format!("{}.js", base.display())), base.join("index.js")]
        .into_iter()
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
}

/// The app and every file it imports relatively, transitively (canonical paths).
fn app_closure(app: &Path, notes: &mut Vec<String>) -> Result<Vec<PathBuf>> {
    let app = std::fs::canonicalize(app).with_context(|| format!("--app {}", app.display()))?;
    let mut seen = BTreeSet::from([app.clone()]);
    let mut todo = vec![app];
    while let Some(f) = todo.pop() {
        let Ok(src) = std::fs::read_to_string(&f) else { continue };
        let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
        for spec in relative_imports(&src) {
            match resolve_import(&dir, &spec) {
                Some(p) if seen.insert(p.clone()) => todo.push(p),
                Some(_) => {}
                None => notes.push(format!("{} imports {spec:?}, which was not found (left out)", f.display())),
            }
        }
    }
    Ok(seen.into_iter().collect())
}

fn common_dir(files: &[PathBuf]) -> PathBuf {
    let mut root = files[0].parent().map(Path::to_path_buf).unwrap_or_default();
    for f in files {
        while !f.starts_with(&root) {
            if !root.pop() {
                break;
            }
        }
    }
    root
}

fn perm(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644)
}

/// A binary's bytes for the image: stripped with binutils' `strip` when it
/// carries symbols (a debug build is ~10x larger), unless `keep`.
fn binary_bytes(path: &Path, keep: bool, scratch: &Path, notes: &mut Vec<String>) -> Result<(Vec<u8>, bool)> {
    let raw = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let has_symbols = Elf::parse(&raw).and_then(|e| e.has_symbols()).with_context(|| format!("{}", path.display()))?;
    if keep || !has_symbols {
        return Ok((raw, !has_symbols));
    }
    let tmp = scratch.join(format!(
        ".strip-{}-{}",
        std::process::id(),
        path.file_name().and_then(|n| n.to_str()).unwrap_or("bin")
    ));
    let r = Command::new("strip").arg("--strip-all").arg("-o").arg(&tmp).arg(path).output();
    let out = match r {
        Ok(o) if o.status.success() => std::fs::read(&tmp).ok(),
        Ok(o) => {
            notes.push(format!(
                "strip {} failed: {}; kept the symbols",
                path.display(),
                String::from_utf8_lossy(&o.stderr).trim()
            ));
            None
        }
        Err(e) => {
            notes.push(format!("cannot run strip ({e}); {} keeps its symbols", path.display()));
            None
        }
    };
    let _ = std::fs::remove_file(&tmp);
    Ok(match out {
        Some(bytes) => (bytes, true),
        None => (raw, false),
    })
}

/// The shared libraries a dynamic binary loads (through `ldd`), as
/// (resolved path on the host) — the interpreter included.
fn shared_libraries(bin: &Path) -> Result<Vec<PathBuf>> {
    let out = Command::new("ldd").arg(bin).output().with_context(|| {
        format!(
            "ldd {}: cannot run ldd (needed for a dynamically linked jsk; a static build needs nothing)",
            bin.display()
        )
    })?;
    if !out.status.success() {
        bail!("ldd {}: {}", bin.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    let mut libs = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let line = line.trim();
        let path = match line.split_once("=>") {
            Some((name, rest)) => {
                let rest = rest.trim();
                if rest.starts_with("not found") {
                    bail!("ldd {}: {} not found", bin.display(), name.trim());
                }
                rest.split(" (").next().unwrap_or("").trim()
            }
            None => line.split(" (").next().unwrap_or("").trim(),
        };
        if path.starts_with('/') {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}

/// gzip in-process (level 6: within 1% of level 9's size, 3x faster);
/// zstd and xz through their command-line tools.
fn compress(archive: &[u8], how: Compression) -> Result<Vec<u8>> {
    let (tool, args): (&str, &[&str]) = match how {
        Compression::None => return Ok(archive.to_vec()),
        Compression::Gzip => {
            let mut gz =
                flate2::write::GzEncoder::new(Vec::with_capacity(archive.len() / 2), flate2::Compression::new(6));
            gz.write_all(archive)?;
            return Ok(gz.finish()?);
        }
        // A 16 MiB window: matches across the whole archive (jsk is most of it).
        Compression::Zstd => ("zstd", &["-19", "--long=24", "-q", "-c", "-T0"]),
        // The kernel's xz decoder checks CRC32, not xz's default CRC64.
        Compression::Xz => ("xz", &["-9", "--check=crc32", "-c", "-T1"]),
    };
    let mut child = Command::new(tool)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "--compress {}: cannot run {tool} (apt-get install {})",
                tool,
                if tool == "xz" { "xz-utils" } else { "zstd" }
            )
        })?;
    let mut stdin = child.stdin.take().context("compressor stdin")?;
    let input = archive.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    let _ = feeder.join();
    if !out.status.success() {
        bail!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out.stdout)
}

fn now_unix() -> u64 {
    if let Some(s) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()) {
        return s;
    }
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Build the image into `opts.out`; `log` gets progress lines.
pub fn build(opts: &BuildOptions, log: &mut dyn FnMut(String)) -> Result<BuildReport> {
    let mut notes = Vec::new();
    if !opts.app.is_file() {
        bail!("--app {}: no such file", opts.app.display());
    }
    if opts.modules_dir.is_some() && !matches!(opts.kernel, KernelChoice::File(_)) {
        bail!("--modules goes with --kernel BZIMAGE (jsk's kernel and Debian's bring their own module trees)");
    }
    std::fs::create_dir_all(&opts.out).with_context(|| format!("create {}", opts.out.display()))?;

    // Kernel and modules.
    let kernel: Kernel = match &opts.kernel {
        KernelChoice::File(k) => kernel::from_file(k, opts.modules_dir.as_deref())?,
        KernelChoice::Debian => kernel::debian(log)?,
        KernelChoice::Jsk => kbuild::jsk_kernel(log)?,
    };
    let release = kernel.info.release.clone().unwrap_or_default();
    let mut wanted: Vec<String> = modules::VFIO_MODULES.iter().map(|s| s.to_string()).collect();
    // `--module "NAME PARAMS"`: the name to find, the rest for finit_module.
    let extra: Vec<(String, String)> = opts
        .extra_modules
        .iter()
        .map(|m| match m.trim().split_once(char::is_whitespace) {
            Some((n, p)) => (modules::normalize(n), p.trim().to_string()),
            None => (modules::normalize(m.trim()), String::new()),
        })
        .collect();
    for (i, (n, _)) in extra.iter().enumerate() {
        if extra[..i].iter().any(|(o, _)| o == n) {
            bail!("--module {n} is given twice");
        }
    }
    wanted.extend(extra.iter().map(|(n, _)| n.clone()));
    let (mods, builtin) = match &kernel.modules_dir {
        Some(dir) => modules::closure(dir, &wanted)?,
        None if !extra.is_empty() => {
            bail!("--module needs the kernel's module tree (--kernel BZIMAGE goes with --modules DIR)")
        }
        None => {
            notes.push("no module tree (--kernel without --modules): the kernel must have VFIO built in".into());
            (Vec::new(), Vec::new())
        }
    };
    // Parameters for a module the kernel has built in cannot reach finit_module.
    if let Some((n, p)) = extra.iter().find(|(n, p)| !p.is_empty() && !mods.iter().any(|m| &m.name == n)) {
        let first = p.split_whitespace().next().unwrap_or_default();
        bail!("--module \"{n} {p}\": {n} is built into this kernel; give its parameters on the kernel command line ({n}.{first})");
    }

    // Binaries.
    let jsk = match &opts.jsk {
        Some(p) => p.clone(),
        None => std::env::current_exe().context("cannot find this jsk binary (current_exe)")?,
    };
    // jsk is multi-call: /bin/jsk-probe is a link to it (jsk::probe::cli), not a second binary.

    // App, drivers, devices.
    let app_files = if opts.app_folder {
        let dir = std::fs::canonicalize(&opts.app)?.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut files: Vec<PathBuf> = tree_files(&dir)?.into_iter().map(|(_, p)| p).collect();
        files.push(std::fs::canonicalize(&opts.app)?);
        files.sort();
        files.dedup();
        files
    } else {
        app_closure(&opts.app, &mut notes)?
    };
    let app_root = if opts.app_folder {
        std::fs::canonicalize(&opts.app)?.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        common_dir(&app_files)
    };
    let app_rel = std::fs::canonicalize(&opts.app)?
        .strip_prefix(&app_root)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let app_in_image = format!("{IMAGE_APP_DIR}/{app_rel}");

    let drivers = match &opts.drivers {
        Some(d) if d.is_dir() => Some(d.clone()),
        Some(d) => bail!("--drivers {}: not a folder", d.display()),
        None => nearest("drivers", &opts.app),
    };
    if drivers.is_none() {
        notes.push("no drivers/ folder above the app or the current folder: the image has no drivers (name one with --drivers)".into());
    }
    let devices = match &opts.devices {
        Some(d) if d.is_dir() => Some(d.clone()),
        Some(d) => bail!("--devices {}: not a folder", d.display()),
        None => nearest("devices", &opts.app),
    };
    // The drivers' match tables, read here once (an index in the image's drivers folder), so
    // that jsk-probe attach in the image imports no driver to match devices.
    let index_rel = crate::probe::matching::INDEX_FILE;
    let drivers_files: Vec<(String, PathBuf)> = match &drivers {
        Some(d) => tree_files(d)?.into_iter().filter(|(rel, _)| rel != index_rel).collect(),
        None => Vec::new(),
    };
    let drivers_index = drivers.as_ref().map(|d| {
        let (json, warnings) = crate::probe::matching::index_json(d);
        notes.extend(warnings.into_iter().map(|w| format!("driver {w}")));
        json
    });
    let devices_files = match &devices {
        Some(d) => tree_files(d)?,
        None => Vec::new(),
    };
    let board = match &opts.board {
        Some(b) => {
            let canon = std::fs::canonicalize(b).with_context(|| format!("--board {}", b.display()))?;
            let inside = devices
                .as_ref()
                .and_then(|d| std::fs::canonicalize(d).ok())
                .and_then(|d| canon.strip_prefix(&d).ok().map(|r| r.to_string_lossy().into_owned()));
            let rel = inside.clone().unwrap_or_else(|| {
                canon.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "board.toml".into())
            });
            Some((canon, format!("{IMAGE_DEVICES}/{rel}"), inside.is_some()))
        }
        None => None,
    };

    // Commands.
    let commands = if opts.commands.is_empty() {
        let mut argv: Vec<String> = vec![
            IMAGE_PROBE.into(),
            "attach".into(),
            "--all".into(),
            "--drivers".into(),
            IMAGE_DRIVERS.into(),
            app_in_image.clone(),
        ];
        argv.extend(opts.app_args.iter().cloned());
        vec![CommandSpec { argv, timeout_ms: None }]
    } else {
        if !opts.app_args.is_empty() {
            bail!("--app-arg goes with the default command; with --command, put the arguments in the command");
        }
        opts.commands
            .iter()
            .map(|c| CommandSpec {
                argv: c.argv.iter().map(|a| a.replace("{app}", &app_in_image)).collect(),
                timeout_ms: c.timeout_ms,
            })
            .collect()
    };

    let created_unix = now_unix();
    let modules_base = format!("/lib/modules/{release}");
    let mut manifest = Manifest {
        format: 1,
        created_unix,
        created: super::utc_text(created_unix),
        kernel: kernel.info.clone(),
        modules: mods
            .iter()
            .map(|m| ModuleEntry {
                name: m.name.clone(),
                path: format!("{modules_base}/{}", m.rel),
                params: extra.iter().find(|(n, _)| *n == m.name).map(|(_, p)| p.clone()).unwrap_or_default(),
            })
            .collect(),
        builtin_modules: builtin,
        app: Some(app_in_image.clone()),
        drivers: drivers.as_ref().map(|_| IMAGE_DRIVERS.to_string()),
        devices: (devices.is_some() || board.is_some()).then(|| IMAGE_DEVICES.to_string()),
        board: board.as_ref().map(|b| b.1.clone()),
        commands,
        binaries: Vec::new(),
    };

    // Write the archive.
    let mut parts: Vec<(String, u64)> = Vec::new();
    let mut w = cpio::Writer::new(Vec::new(), created_unix.min(u32::MAX as u64) as u32);
    for d in ["dev", "proc", "sys", "tmp", "run", "bin", "jsk"] {
        w.dir(d, 0o755)?;
    }
    w.char_device("dev/console", 0o600, 5, 1)?;
    w.char_device("dev/null", 0o666, 1, 3)?;

    // The one binary: jsk as /init, with /bin/jsk and /bin/jsk-probe linked to it.
    let mut libraries: BTreeSet<PathBuf> = BTreeSet::new();
    let (bytes, stripped) = binary_bytes(&jsk, opts.no_strip, &opts.out, &mut notes)?;
    let interp = Elf::parse(&bytes)?.interpreter()?;
    if interp.is_some() {
        libraries.extend(shared_libraries(&jsk)?);
    }
    w.file("/init", 0o755, &bytes)?;
    let kind = if interp.is_some() { "dynamic" } else { "static" };
    parts.push((
        format!("/init ({kind}{})", if stripped { ", stripped" } else { ", with symbols" }),
        bytes.len() as u64,
    ));
    manifest.binaries.push(BinaryEntry {
        path: "/init".into(),
        source: jsk.to_string_lossy().into_owned(),
        is_static: interp.is_none(),
        stripped,
        bytes: bytes.len() as u64,
    });
    w.symlink("bin/jsk", "/init")?;
    w.symlink(IMAGE_PROBE.trim_start_matches('/'), "/init")?;
    if !libraries.is_empty() {
        let mut total = 0;
        for lib in &libraries {
            let bytes = std::fs::read(lib).with_context(|| format!("read {}", lib.display()))?;
            total += bytes.len() as u64;
            w.file(&lib.to_string_lossy(), 0o755, &bytes)?;
        }
        let names: Vec<String> =
            libraries.iter().filter_map(|l| l.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
        parts.push((format!("shared libraries ({})", names.join(", ")), total));
        notes.push(format!("jsk is dynamically linked: {} of shared libraries added; a static build (RUSTFLAGS='-C target-feature=+crt-static' --target x86_64-unknown-linux-gnu) avoids them", super::mb(total)));
    }

    let mut total = 0;
    for m in &mods {
        w.file(&format!("{modules_base}/{}", m.rel), 0o644, &m.data)?;
        total += m.data.len() as u64;
    }
    if !mods.is_empty() {
        parts.push((format!("{} kernel modules", mods.len()), total));
    }

    let mut copy_tree =
        |w: &mut cpio::Writer<Vec<u8>>, files: &[(String, PathBuf)], base: &str, what: &str| -> Result<()> {
            let mut total = 0;
            for (rel, path) in files {
                let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
                total += bytes.len() as u64;
                w.file(&format!("{base}/{rel}"), perm(path), &bytes)?;
            }
            parts.push((format!("{what} ({} files)", files.len()), total));
            Ok(())
        };
    if let Some(d) = &drivers {
        copy_tree(&mut w, &drivers_files, IMAGE_DRIVERS, &format!("drivers from {}", d.display()))?;
    }
    if let Some(json) = &drivers_index {
        w.file(&format!("{IMAGE_DRIVERS}/{index_rel}"), 0o644, json.as_bytes())?;
    }
    if let Some(d) = &devices {
        copy_tree(&mut w, &devices_files, IMAGE_DEVICES, &format!("devices from {}", d.display()))?;
    }
    if let Some((src, dest, false)) = &board {
        let bytes = std::fs::read(src)?;
        w.file(dest, 0o644, &bytes)?;
    }
    let app_list: Vec<(String, PathBuf)> = app_files
        .iter()
        .map(|p| (p.strip_prefix(&app_root).unwrap_or(p).to_string_lossy().into_owned(), p.clone()))
        .collect();
    copy_tree(&mut w, &app_list, IMAGE_APP_DIR, "app")?;

    let manifest_json = serde_json::to_string_pretty(&manifest)? + "\n";
    w.file(IMAGE_MANIFEST, 0o644, manifest_json.as_bytes())?;
    let archive = w.finish()?;

    // Compress, write (and drop an initramfs of another compression left by an earlier build).
    let initramfs_path = opts.out.join(opts.compression.file_name());
    for c in Compression::ALL {
        let _ = std::fs::remove_file(opts.out.join(c.file_name()));
    }
    let compressed = compress(&archive, opts.compression)?;
    std::fs::write(&initramfs_path, &compressed).with_context(|| format!("write {}", initramfs_path.display()))?;
    let kernel_path = opts.out.join(KERNEL_FILE);
    std::fs::copy(&kernel.bzimage, &kernel_path)
        .with_context(|| format!("copy {} to {}", kernel.bzimage.display(), kernel_path.display()))?;
    std::fs::write(opts.out.join(MANIFEST_FILE), &manifest_json)?;

    Ok(BuildReport {
        manifest,
        kernel_bytes: std::fs::metadata(&kernel_path)?.len(),
        initramfs_bytes: compressed.len() as u64,
        uncompressed_bytes: archive.len() as u64,
        compression: opts.compression,
        kernel_path,
        initramfs_path,
        parts,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_imports() {
        let src = r#"
            import { a } from "./a.js";
            import b from '../lib/b.js';
            export * from "./c.js";
            import "./side.js";
            const d = await import ( "./d.js" );
            import { attached } from "jsk:board";
            const s = "./not-an-import.js";
        "#;
        assert_eq!(relative_imports(src), ["./a.js", "../lib/b.js", "./c.js", "./side.js", "./d.js"]);
    }
}
