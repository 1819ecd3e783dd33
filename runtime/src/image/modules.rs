//! Kernel modules for the image: the modules VFIO needs and everything they
//! depend on, in load order.
//!
//! Debian's kernel package ships no `modules.dep` (depmod writes it at install
//! time), so dependencies come from each module's own `.modinfo`
//! (`depends=a,b`), which is what depmod reads too. Names are compared with
//! `-` and `_` folded together, as the kernel does.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::elf::Elf;

/// What `jsk image build` loads by default: VFIO's core, its type-1 IOMMU
/// backend and the PCI driver (which pulls in vfio-pci-core, vfio_virqfd and
/// irqbypass).
pub const VFIO_MODULES: &[&str] = &["vfio", "vfio_iommu_type1", "vfio-pci-core", "vfio-pci", "irqbypass"];

#[derive(Clone, Debug)]
pub struct Module {
    /// The module's name as the kernel spells it (`vfio_pci_core`).
    pub name: String,
    /// The file on the host.
    pub path: PathBuf,
    /// Its path below /lib/modules/RELEASE (e.g. `kernel/drivers/vfio/vfio.ko`).
    pub rel: String,
    /// Its bytes, uncompressed.
    pub data: Vec<u8>,
    pub depends: Vec<String>,
}

pub fn normalize(name: &str) -> String {
    name.replace('-', "_")
}

/// The module name a file name stands for, or None if it is not a module.
fn module_name(file: &str) -> Option<String> {
    [".ko", ".ko.gz", ".ko.xz", ".ko.zst"].iter().find_map(|ext| file.strip_suffix(ext)).map(normalize)
}

fn index(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.join("kernel")];
    if !stack[0].is_dir() {
        // A kernel without loadable modules (jsk's): only modules.builtin says what it has.
        if dir.join("modules.builtin").is_file() {
            return Ok(out);
        }
        bail!("{}: no kernel/ folder (not a /lib/modules/RELEASE tree?)", dir.display());
    }
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("read {}", d.display()))? {
            let path = e?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(module_name) {
                out.entry(name).or_insert(path);
            }
        }
    }
    Ok(out)
}

/// Modules built into the kernel (`modules.builtin`), by normalized name.
fn builtin(dir: &Path) -> HashSet<String> {
    std::fs::read_to_string(dir.join("modules.builtin"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.rsplit('/').next().and_then(module_name))
        .collect()
}

fn load(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let name = path.to_string_lossy();
    if name.ends_with(".ko.gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).with_context(|| format!("{name}: gunzip"))?;
        Ok(out)
    } else if name.ends_with(".ko.xz") || name.ends_with(".ko.zst") {
        bail!("{name}: compressed modules (.ko.xz, .ko.zst) are not supported; Debian 12's kernel ships plain .ko files (CONFIG_MODULE_COMPRESS_NONE)")
    } else {
        Ok(raw)
    }
}

/// The modules `wanted` names and all their dependencies, dependencies
/// first, each once. Names built into the kernel are skipped and returned
/// in the second list.
pub fn closure(dir: &Path, wanted: &[String]) -> Result<(Vec<Module>, Vec<String>)> {
    let index = index(dir)?;
    let builtin = builtin(dir);
    let mut order = Vec::new();
    let mut skipped = Vec::new();
    let mut done = HashSet::new();

    fn visit(
        name: &str,
        chain: &mut Vec<String>,
        ctx: (&Path, &BTreeMap<String, PathBuf>, &HashSet<String>),
        done: &mut HashSet<String>,
        order: &mut Vec<Module>,
        skipped: &mut Vec<String>,
    ) -> Result<()> {
        let (dir, index, builtin) = ctx;
        let name = normalize(name);
        if done.contains(&name) {
            return Ok(());
        }
        if chain.contains(&name) {
            bail!("module dependency cycle: {} -> {name}", chain.join(" -> "));
        }
        let Some(path) = index.get(&name) else {
            if builtin.contains(&name) {
                done.insert(name.clone());
                skipped.push(name);
                return Ok(());
            }
            let needed_by = chain.last().map(|p| format!(" (needed by {p})")).unwrap_or_default();
            bail!("kernel module {name}{needed_by} is not in {} and not built in", dir.display());
        };
        let data = load(path)?;
        let info = Elf::parse(&data).and_then(|e| e.modinfo()).with_context(|| format!("{}", path.display()))?;
        let depends: Vec<String> = info
            .iter()
            .filter(|(k, _)| k == "depends")
            .flat_map(|(_, v)| v.split(',').filter(|s| !s.is_empty()).map(normalize).collect::<Vec<_>>())
            .collect();
        chain.push(name.clone());
        for dep in &depends {
            visit(dep, chain, ctx, done, order, skipped)?;
        }
        chain.pop();
        done.insert(name.clone());
        let rel = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().into_owned();
        // A compressed file is stored uncompressed, under the plain name.
        let rel = rel.strip_suffix(".gz").map(str::to_string).unwrap_or(rel);
        order.push(Module { name, path: path.clone(), rel, data, depends });
        Ok(())
    }

    for w in wanted {
        visit(w, &mut Vec::new(), (dir, &index, &builtin), &mut done, &mut order, &mut skipped)?;
    }
    Ok((order, skipped))
}
