//! The "newc" cpio format the kernel unpacks as an initramfs
//! (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
//! ASCII header of 13 hex fields, the NUL-terminated name, the data, each
//! padded to 4 bytes; the archive ends with an entry named `TRAILER!!!`.

use std::collections::BTreeSet;
use std::io::{self, Write};

use anyhow::{bail, Context, Result};

pub const S_IFDIR: u32 = 0o040000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFCHR: u32 = 0o020000;
const MAGIC: &[u8; 6] = b"070701";
const TRAILER: &str = "TRAILER!!!";

/// Writes entries in the order given, creating missing parent directories
/// first (the kernel needs a directory before anything inside it).
pub struct Writer<W: Write> {
    out: W,
    written: u64,
    next_ino: u32,
    mtime: u32,
    dirs: BTreeSet<String>,
    names: BTreeSet<String>,
}

/// One archive entry, as read back by [`read`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path without a leading slash, e.g. `jsk/drivers/misc/edu.js`.
    pub name: String,
    pub mode: u32,
    pub data: Vec<u8>,
    pub rdev: (u32, u32),
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170000 == S_IFDIR
    }
    pub fn is_file(&self) -> bool {
        self.mode & 0o170000 == S_IFREG
    }
    pub fn is_symlink(&self) -> bool {
        self.mode & 0o170000 == S_IFLNK
    }
    pub fn is_char_device(&self) -> bool {
        self.mode & 0o170000 == S_IFCHR
    }
}

fn clean(path: &str) -> Result<String> {
    let p = path.trim_start_matches('/').trim_end_matches('/');
    if p.is_empty() || p.split('/').any(|c| c.is_empty() || c == "." || c == "..") || p.contains('\0') {
        bail!("cpio: bad path {path:?}");
    }
    Ok(p.to_string())
}

impl<W: Write> Writer<W> {
    /// `mtime` is stamped on every entry (the build time, or SOURCE_DATE_EPOCH).
    pub fn new(out: W, mtime: u32) -> Self {
        Writer { out, written: 0, next_ino: 1, mtime, dirs: BTreeSet::new(), names: BTreeSet::new() }
    }

    fn pad(&mut self) -> io::Result<()> {
        let n = ((4 - self.written % 4) % 4) as usize;
        self.out.write_all(&[0u8; 3][..n])?;
        self.written += n as u64;
        Ok(())
    }

    fn raw(&mut self, name: &str, mode: u32, nlink: u32, rdev: (u32, u32), data: &[u8]) -> io::Result<()> {
        let ino = if name == TRAILER { 0 } else { self.next_ino };
        self.next_ino += 1;
        let fields =
            [ino, mode, 0, 0, nlink, self.mtime, data.len() as u32, 0, 0, rdev.0, rdev.1, name.len() as u32 + 1, 0];
        let mut header = Vec::with_capacity(110 + name.len() + 1);
        header.extend_from_slice(MAGIC);
        for f in fields {
            header.extend_from_slice(format!("{f:08x}").as_bytes());
        }
        header.extend_from_slice(name.as_bytes());
        header.push(0);
        self.out.write_all(&header)?;
        self.written += header.len() as u64;
        self.pad()?;
        self.out.write_all(data)?;
        self.written += data.len() as u64;
        self.pad()
    }

    fn parents(&mut self, name: &str) -> Result<()> {
        let mut prefix = String::new();
        let parts: Vec<&str> = name.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if !self.dirs.contains(&prefix) {
                let p = prefix.clone();
                self.dir(&p, 0o755)?;
            }
        }
        Ok(())
    }

    fn claim(&mut self, name: &str) -> Result<()> {
        if !self.names.insert(name.to_string()) {
            bail!("cpio: {name} added twice");
        }
        Ok(())
    }

    pub fn dir(&mut self, path: &str, perm: u32) -> Result<()> {
        let name = clean(path)?;
        if self.dirs.contains(&name) {
            return Ok(());
        }
        self.parents(&name)?;
        self.claim(&name)?;
        self.dirs.insert(name.clone());
        self.raw(&name, S_IFDIR | (perm & 0o7777), 2, (0, 0), &[]).context("cpio: write")
    }

    pub fn file(&mut self, path: &str, perm: u32, data: &[u8]) -> Result<()> {
        let name = clean(path)?;
        if data.len() > u32::MAX as usize {
            bail!("cpio: {name} is larger than 4 GiB");
        }
        self.parents(&name)?;
        self.claim(&name)?;
        self.raw(&name, S_IFREG | (perm & 0o7777), 1, (0, 0), data).context("cpio: write")
    }

    pub fn symlink(&mut self, path: &str, target: &str) -> Result<()> {
        let name = clean(path)?;
        self.parents(&name)?;
        self.claim(&name)?;
        self.raw(&name, S_IFLNK | 0o777, 1, (0, 0), target.as_bytes()).context("cpio: write")
    }

    pub fn char_device(&mut self, path: &str, perm: u32, major: u32, minor: u32) -> Result<()> {
        let name = clean(path)?;
        self.parents(&name)?;
        self.claim(&name)?;
        self.raw(&name, S_IFCHR | (perm & 0o7777), 1, (major, minor), &[]).context("cpio: write")
    }

    /// Write the trailer and hand back the output.
    pub fn finish(mut self) -> Result<W> {
        self.raw(TRAILER, 0, 1, (0, 0), &[]).context("cpio: write")?;
        Ok(self.out)
    }
}

fn hex(field: &[u8], what: &str) -> Result<u32> {
    let s = std::str::from_utf8(field).with_context(|| format!("cpio: {what} is not ASCII"))?;
    u32::from_str_radix(s, 16).with_context(|| format!("cpio: {what} {s:?} is not hex"))
}

fn up4(n: usize) -> usize {
    (n + 3) & !3
}

/// Parse a newc archive (uncompressed) up to its trailer.
pub fn read(bytes: &[u8]) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut at = 0usize;
    loop {
        let header = bytes.get(at..at + 110).with_context(|| format!("cpio: truncated header at byte {at}"))?;
        if &header[..6] != MAGIC {
            bail!("cpio: bad magic at byte {at} (not a newc archive)");
        }
        let field = |i: usize, what: &str| hex(&header[6 + 8 * i..14 + 8 * i], what);
        let mode = field(1, "mode")?;
        let size = field(6, "filesize")? as usize;
        let rdev = (field(9, "rdevmajor")?, field(10, "rdevminor")?);
        let namesize = field(11, "namesize")? as usize;
        let name_bytes = bytes.get(at + 110..at + 110 + namesize).context("cpio: truncated name")?;
        let name = String::from_utf8_lossy(name_bytes.strip_suffix(&[0]).unwrap_or(name_bytes)).into_owned();
        let data_at = up4(at + 110 + namesize);
        let data = bytes.get(data_at..data_at + size).with_context(|| format!("cpio: {name}: truncated data"))?;
        at = up4(data_at + size);
        if name == TRAILER {
            return Ok(entries);
        }
        entries.push(Entry { name, mode, data: data.to_vec(), rdev });
    }
}

/// Read an initramfs file: plain newc, gzip, or (through the `zstd` and
/// `xz` tools) zstd or xz.
pub fn read_initramfs(path: &std::path::Path) -> Result<Vec<Entry>> {
    let raw = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut out)
            .with_context(|| format!("{}: gunzip", path.display()))?;
        read(&out)
    } else if raw.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || raw.starts_with(b"\xfd7zXZ") {
        let (tool, args): (&str, &[&str]) =
            if raw[0] == 0x28 { ("zstd", &["-dc", "--long=31"]) } else { ("xz", &["-dc"]) };
        let out = std::process::Command::new(tool)
            .args(args)
            .arg(path)
            .output()
            .with_context(|| format!("{}: cannot run {tool}", path.display()))?;
        if !out.status.success() {
            bail!("{tool} -dc {}: {}", path.display(), String::from_utf8_lossy(&out.stderr).trim());
        }
        let out = out.stdout;
        read(&out)
    } else {
        read(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut w = Writer::new(Vec::new(), 1_700_000_000);
        w.file("/a/b/c.txt", 0o644, b"hello").unwrap();
        w.symlink("bin/jsk", "/init").unwrap();
        w.char_device("dev/console", 0o600, 5, 1).unwrap();
        w.dir("a", 0o755).unwrap();
        assert!(w.file("a/b/c.txt", 0o644, b"again").is_err());
        assert!(w.file("a/../x", 0o644, b"").is_err());
        let bytes = w.finish().unwrap();
        assert_eq!(bytes.len() % 4, 0);
        let e = read(&bytes).unwrap();
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "a/b", "a/b/c.txt", "bin", "bin/jsk", "dev", "dev/console"]);
        assert_eq!(e[2].data, b"hello");
        assert!(e[2].is_file() && e[0].is_dir() && e[4].is_symlink() && e[6].is_char_device());
        assert_eq!(e[4].data, b"/init");
        assert_eq!(e[6].rdev, (5, 1));
    }
}
