//! Just enough of ELF64 (little-endian) for the image builder: a binary's
//! program interpreter (dynamic or static), its section names (does it
//! still carry symbols?) and a kernel module's `.modinfo` strings.

use anyhow::{bail, Context, Result};

pub struct Elf<'a> {
    bytes: &'a [u8],
}

const PT_INTERP: u32 = 3;

fn u16_at(b: &[u8], at: usize) -> Result<u16> {
    Ok(u16::from_le_bytes(b.get(at..at + 2).context("ELF: truncated")?.try_into()?))
}
fn u32_at(b: &[u8], at: usize) -> Result<u32> {
    Ok(u32::from_le_bytes(b.get(at..at + 4).context("ELF: truncated")?.try_into()?))
}
fn u64_at(b: &[u8], at: usize) -> Result<u64> {
    Ok(u64::from_le_bytes(b.get(at..at + 8).context("ELF: truncated")?.try_into()?))
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
        let (phoff, phentsize, phnum) =
            (u64_at(b, 0x20)? as usize, u16_at(b, 0x36)? as usize, u16_at(b, 0x38)? as usize);
        for i in 0..phnum {
            let ph = phoff + i * phentsize;
            if u32_at(b, ph)? == PT_INTERP {
                let (off, size) = (u64_at(b, ph + 8)? as usize, u64_at(b, ph + 32)? as usize);
                let raw = b.get(off..off + size).context("ELF: PT_INTERP outside the file")?;
                let s = raw.split(|&c| c == 0).next().unwrap_or_default();
                return Ok(Some(String::from_utf8_lossy(s).into_owned()));
            }
        }
        Ok(None)
    }

    pub fn sections(&self) -> Result<Vec<Section<'a>>> {
        let b = self.bytes;
        let (shoff, shentsize, shnum, shstrndx) = (
            u64_at(b, 0x28)? as usize,
            u16_at(b, 0x3a)? as usize,
            u16_at(b, 0x3c)? as usize,
            u16_at(b, 0x3e)? as usize,
        );
        if shoff == 0 || shnum == 0 {
            return Ok(Vec::new());
        }
        let header = |i: usize| -> Result<(u32, u32, usize, usize)> {
            let sh = shoff + i * shentsize;
            Ok((u32_at(b, sh)?, u32_at(b, sh + 4)?, u64_at(b, sh + 24)? as usize, u64_at(b, sh + 32)? as usize))
        };
        let (_, _, str_off, str_size) = header(shstrndx)?;
        let names = b.get(str_off..str_off + str_size).context("ELF: section names outside the file")?;
        let mut out = Vec::with_capacity(shnum);
        for i in 0..shnum {
            let (name, kind, off, size) = header(i)?;
            let name = names.get(name as usize..).unwrap_or_default();
            let name = String::from_utf8_lossy(name.split(|&c| c == 0).next().unwrap_or_default()).into_owned();
            // SHT_NOBITS (.bss) occupies no file bytes.
            let data = if kind == 8 {
                &b[0..0]
            } else {
                b.get(off..off + size).with_context(|| format!("ELF: section {name} outside the file"))?
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
