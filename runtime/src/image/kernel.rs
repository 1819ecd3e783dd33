//! The image's kernel: Debian's `linux-image-amd64` (the concrete
//! `linux-image-RELEASE` package it depends on), fetched with `apt-get
//! download` and unpacked once into `${XDG_CACHE_HOME:-$HOME/.cache}/jsk/kernel/`,
//! or a bzImage the user names.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The metapackage that names Debian's current kernel.
pub const METAPACKAGE: &str = "linux-image-amd64";

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct KernelInfo {
    /// "debian" (from the package) or "file" (--kernel).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The kernel release (`uname -r`), e.g. 6.1.0-56-amd64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Where the bzImage came from on the build host.
    pub file: String,
}

pub struct Kernel {
    pub bzimage: PathBuf,
    /// The /lib/modules/RELEASE tree to take modules from, if any.
    pub modules_dir: Option<PathBuf>,
    pub info: KernelInfo,
}

pub fn cache_dir() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .context("neither XDG_CACHE_HOME nor HOME is set: no place for the kernel cache")?,
        )
        .join(".cache"),
    };
    Ok(base.join("jsk"))
}

fn tool(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot run {:?} (is this a Debian system with apt?)", cmd.get_program()))?;
    if !out.status.success() {
        bail!("{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `apt-cache depends linux-image-amd64` → `linux-image-6.1.0-NN-amd64`.
fn resolve_package() -> Result<String> {
    let out =
        tool(Command::new("apt-cache").args(["depends", METAPACKAGE]), &format!("apt-cache depends {METAPACKAGE}"))?;
    out.lines()
        .filter_map(|l| l.trim().trim_start_matches('|').strip_prefix("Depends:"))
        .map(str::trim)
        .find(|p| p.starts_with("linux-image-") && p.as_bytes().get(12).is_some_and(u8::is_ascii_digit))
        .map(str::to_string)
        .with_context(|| {
            format!("apt-cache depends {METAPACKAGE} names no linux-image-RELEASE package (output: {:?})", out.trim())
        })
}

/// The version apt would download (the candidate).
pub(super) fn candidate_version(package: &str) -> Result<String> {
    let out = tool(
        Command::new("apt-cache").args(["show", "--no-all-versions", package]),
        &format!("apt-cache show {package}"),
    )?;
    out.lines()
        .find_map(|l| l.strip_prefix("Version:"))
        .map(|v| v.trim().to_string())
        .with_context(|| format!("apt-cache show {package}: no Version field"))
}

fn release_of(package: &str) -> String {
    package.trim_start_matches("linux-image-").to_string()
}

pub(super) fn unique_tmp(parent: &Path, what: &str) -> PathBuf {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    parent.join(format!(".{what}-{}-{nanos}", std::process::id()))
}

/// The newest kernel already unpacked in the cache, for when apt cannot answer.
fn newest_cached(dir: &Path) -> Option<(String, String, PathBuf)> {
    let mut found: Vec<(std::time::SystemTime, String, String, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?.to_string();
            let (package, version) = name.split_once('_')?;
            if !package.starts_with("linux-image-") || !path.join(".complete").exists() {
                return None;
            }
            Some((e.metadata().ok()?.modified().ok()?, package.to_string(), version.to_string(), path.clone()))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p, v, d)| (p, v, d))
}

/// Unpack `deb` into `tree` once: into a fresh folder beside it, then `more(folder)` (further
/// unpacking), a `.complete` marker holding `what`, and one rename. A folder that fails is
/// removed; another process that got there first wins, and its tree is used.
pub(super) fn unpack_once(
    cache: &Path,
    deb: &Path,
    tree: &Path,
    what: &str,
    more: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let tmp = unique_tmp(cache, "unpack");
    std::fs::create_dir_all(&tmp)?;
    let result = (|| -> Result<()> {
        tool(Command::new("dpkg-deb").arg("-x").arg(deb).arg(&tmp), &format!("dpkg-deb -x {}", deb.display()))?;
        more(&tmp)?;
        std::fs::write(tmp.join(".complete"), format!("{what}\n"))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if std::fs::rename(&tmp, tree).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if !tree.join(".complete").exists() {
            bail!("cannot move the unpacked {} to {}", deb.display(), tree.display());
        }
    }
    Ok(())
}

/// Debian's kernel: resolved through apt, downloaded and unpacked once.
/// `log` receives progress lines (download, unpack).
pub fn debian(log: &mut dyn FnMut(String)) -> Result<Kernel> {
    let cache = cache_dir()?.join("kernel");
    std::fs::create_dir_all(&cache).with_context(|| format!("create {}", cache.display()))?;
    let resolved = resolve_package().and_then(|p| candidate_version(&p).map(|v| (p, v)));
    let (package, version, tree) = match resolved {
        Ok((package, version)) => {
            let tree = cache.join(format!("{package}_{version}"));
            (package, version, tree)
        }
        Err(e) => match newest_cached(&cache) {
            Some((package, version, tree)) => {
                log(format!("apt cannot resolve {METAPACKAGE} ({e:#}); using the cached {package} {version}"));
                (package, version, tree)
            }
            None => bail!(
                "cannot get Debian's kernel: {e:#}\n  jsk image needs apt to provide {METAPACKAGE} (run `apt-get update` if the package lists are empty), or name a kernel with --kernel BZIMAGE [--modules DIR]"
            ),
        },
    };
    if !tree.join(".complete").exists() {
        let deb = fetch_deb(&cache, &package, &version, log)?;
        log(format!("unpacking {} into {}", deb.display(), tree.display()));
        unpack_once(&cache, &deb, &tree, &format!("{package} {version}"), |_| Ok(()))?;
    }
    let release = release_of(&package);
    let bzimage = tree.join("boot").join(format!("vmlinuz-{release}"));
    if !bzimage.is_file() {
        bail!("{package} {version}: no boot/vmlinuz-{release} in {}", tree.display());
    }
    let modules_dir = tree.join("lib/modules").join(&release);
    Ok(Kernel {
        info: KernelInfo {
            source: "debian".into(),
            package: Some(package),
            version: Some(version),
            release: Some(release),
            file: bzimage.to_string_lossy().into_owned(),
        },
        bzimage,
        modules_dir: modules_dir.is_dir().then_some(modules_dir),
    })
}

pub(super) fn fetch_deb(cache: &Path, package: &str, version: &str, log: &mut dyn FnMut(String)) -> Result<PathBuf> {
    let is_ours = |name: &str| name.starts_with(&format!("{package}_")) && name.ends_with(".deb");
    // apt names the file PACKAGE_VERSION_ARCH.deb with ':' (epoch) as %3a.
    let expected = format!("{package}_{}_", version.replace(':', "%3a"));
    if let Some(deb) = std::fs::read_dir(cache)?.flatten().map(|e| e.path()).find(|p| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&expected) && n.ends_with(".deb"))
    }) {
        return Ok(deb);
    }
    log(format!("downloading {package} {version} (apt-get download) into {}", cache.display()));
    let tmp = unique_tmp(cache, "download");
    std::fs::create_dir_all(&tmp)?;
    let r = tool(
        Command::new("apt-get").args(["download", "-q", &format!("{package}={version}")]).current_dir(&tmp),
        &format!("apt-get download {package}={version}"),
    );
    let result = r.and_then(|_| {
        let deb = std::fs::read_dir(&tmp)?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(is_ours))
            .with_context(|| format!("apt-get download {package} left no .deb"))?;
        let dest = cache.join(deb.file_name().unwrap_or_default());
        std::fs::rename(&deb, &dest)?;
        Ok(dest)
    });
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// The version string in a bzImage's setup header (`6.1.0-56-amd64 (debian-kernel@...) #1 SMP ...`).
pub fn bzimage_version(bytes: &[u8]) -> Option<String> {
    if bytes.get(0x202..0x206)? != b"HdrS" {
        return None;
    }
    let off = u16::from_le_bytes(bytes.get(0x20e..0x210)?.try_into().ok()?) as usize + 0x200;
    let s = bytes.get(off..off + 256)?;
    let s = s.split(|&c| c == 0).next()?;
    Some(String::from_utf8_lossy(s).into_owned())
}

/// A kernel the user names, with modules from `modules_dir` if given.
pub fn from_file(bzimage: &Path, modules_dir: Option<&Path>) -> Result<Kernel> {
    let bytes = std::fs::read(bzimage).with_context(|| format!("--kernel {}", bzimage.display()))?;
    let release = bzimage_version(&bytes).and_then(|v| v.split_whitespace().next().map(str::to_string));
    if release.is_none() {
        bail!("--kernel {}: not an x86 bzImage (no HdrS setup header)", bzimage.display());
    }
    if let Some(m) = modules_dir {
        if !m.join("kernel").is_dir() {
            bail!("--modules {}: expected a /lib/modules/RELEASE folder (with kernel/ inside)", m.display());
        }
    }
    Ok(Kernel {
        bzimage: bzimage.to_path_buf(),
        modules_dir: modules_dir.map(Path::to_path_buf),
        info: KernelInfo {
            source: "file".into(),
            package: None,
            version: None,
            release,
            file: bzimage.to_string_lossy().into_owned(),
        },
    })
}
