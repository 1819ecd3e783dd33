//! Just enough of ELF64 (little-endian) for the image builder: a binary's
//! program interpreter (dynamic or static), its section names (does it
//! still carry symbols?) and a kernel module's `.modinfo` strings.

use anyhow::{bail, Context, Result};

pub struct Elf<'a> {
    bytes: &'a [u8],
}

const PT_INTERP: u32 = 3;

/// `len` bytes at `at`, None when they are not all inside `b` (offsets come
/// from the file, so every sum is checked).
fn bytes_at(b: &[u8], at: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(at).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    b.get(start..end)
}
fn u16_at(b: &[u8], at: u64) -> Result<u16> {
    Ok(u16::from_le_bytes(bytes_at(b, at, 2).context("ELF: truncated")?.try_into()?))
}
fn u32_at(b: &[u8], at: u64) -> Result<u32> {
    Ok(u32::from_le_bytes(bytes_at(b, at, 4).context("ELF: truncated")?.try_into()?))
}
fn u64_at(b: &[u8], at: u64) -> Result<u64> {
    Ok(u64::from_le_bytes(bytes_at(b, at, 8).context("ELF: truncated")?.try_into()?))
}
/// Entry `i` of a table at `off` with entries of `size` bytes.
fn entry(off: u64, i: usize, size: usize) -> Result<u64> {
    (i as u64).checked_mul(size as u64).and_then(|o| o.checked_add(off)).context("ELF: table outside the file")
}

pub struct Section<'a> {
    pub name: String,
    pub data: &'a [u8],
}

impl<'a> Elf<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" {
            bail!("not an ELF file");
        }
        if bytes[4] != 2 || bytes[5] != 1 {
            bail!("not a 64-bit little-endian ELF file");
        }
        Ok(Elf { bytes })
    }

    /// The PT_INTERP path (e.g. /lib64/ld-linux-x86-64.so.2), None for a
    /// static (or static-pie) executable.
    pub fn interpreter(&self) -> Result<Option<String>> {
        let b = self.bytes;
        let (phoff, phentsize, phnum) = (u64_at(b, 0x20)?, u16_at(b, 0x36)? as usize, u16_at(b, 0x38)? as usize);
        for i in 0..phnum {
            let ph = entry(phoff, i, phentsize)?;
            if u32_at(b, ph)? == PT_INTERP {
                let (off, size) = (u64_at(b, ph.saturating_add(8))?, u64_at(b, ph.saturating_add(32))?);
                let raw = bytes_at(b, off, size).context("ELF: PT_INTERP outside the file")?;
                let s = raw.split(|&c| c == 0).next().unwrap_or_default();
                return Ok(Some(String::from_utf8_lossy(s).into_owned()));
            }
        }
        Ok(None)
    }

    pub fn sections(&self) -> Result<Vec<Section<'a>>> {
        let b = self.bytes;
        let (shoff, shentsize, shnum, shstrndx) =
            (u64_at(b, 0x28)?, u16_at(b, 0x3a)? as usize, u16_at(b, 0x3c)? as usize, u16_at(b, 0x3e)? as usize);
        if shoff == 0 || shnum == 0 {
            return Ok(Vec::new());
        }
        let header = |i: usize| -> Result<(u32, u32, u64, u64)> {
            let sh = entry(shoff, i, shentsize)?;
            let at = |o: u64| sh.saturating_add(o);
            Ok((u32_at(b, sh)?, u32_at(b, at(4))?, u64_at(b, at(24))?, u64_at(b, at(32))?))
        };
        let (_, _, str_off, str_size) = header(shstrndx)?;
        let names = bytes_at(b, str_off, str_size).context("ELF: section names outside the file")?;
        let mut out = Vec::with_capacity(shnum);
        for i in 0..shnum {
            let (name, kind, off, size) = header(i)?;
            let name = names.get(name as usize..).unwrap_or_default();
            let name = String::from_utf8_lossy(name.split(|&c| c == 0).next().unwrap_or_default()).into_owned();
            // SHT_NOBITS (.bss) occupies no file bytes.
            let data = if kind == 8 {
                &b[0..0]
            } else {
                bytes_at(b, off, size).with_context(|| format!("ELF: section {name} outside the file"))?
            };
            out.push(Section { name, data });
        }
        Ok(out)
    }

    /// Whether `strip` would remove something: a symbol table or debug info.
    pub fn has_symbols(&self) -> Result<bool> {
        Ok(self.sections()?.iter().any(|s| s.name == ".symtab" || s.name.starts_with(".debug_")))
    }

    /// A kernel module's `.modinfo` as key=value pairs (`depends`, `name`, `vermagic`, ...).
    pub fn modinfo(&self) -> Result<Vec<(String, String)>> {
        let sections = self.sections()?;
        let info =
            sections.iter().find(|s| s.name == ".modinfo").context("no .modinfo section (not a kernel module?)")?;
        Ok(info
            .data
            .split(|&c| c == 0)
            .filter_map(|kv| {
                let s = std::str::from_utf8(kv).ok()?;
                let (k, v) = s.split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<u8> {
        let mut b = vec![0u8; 64];
        b[..6].copy_from_slice(b"\x7fELF\x02\x01");
        b
    }

    #[test]
    fn offsets_from_the_file_never_overflow() {
        // cargo fuzz found `phoff + i * phentsize` overflowing on a 64-byte file.
        let mut b = header();
        b[0x20..0x28].copy_from_slice(&u64::MAX.to_le_bytes());
        b[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        b[0x38..0x3a].copy_from_slice(&3u16.to_le_bytes());
        assert!(Elf::parse(&b).unwrap().interpreter().is_err());
        let mut b = header();
        b[0x28..0x30].copy_from_slice(&(u64::MAX - 8).to_le_bytes());
        b[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        b[0x3c..0x3e].copy_from_slice(&2u16.to_le_bytes());
        assert!(Elf::parse(&b).unwrap().sections().is_err());
    }
}
