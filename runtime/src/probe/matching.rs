//! Which jsk driver fits a device: each driver file is imported in a
//! `jsk::embed::Session` and its default export's `name` and `match` table
//! are read. `probe` is never called.
//!
//! A drivers folder may carry an index of those tables, [`INDEX_FILE`] (`jsk image build`
//! writes one into the image, as depmod writes modules.alias): a file whose content hash is in
//! the index is not imported, so attaching in the image starts no JS session to match.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::pci::PciDevice;
use super::{failed, ProbeError};

/// One `match.pci` entry.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct PciId {
    pub vendor: u16,
    pub device: Option<u16>,
    /// Class and subclass (the 24-bit class code >> 8), as hal-js/hal/driver.js compares it.
    pub class: Option<u32>,
}

/// A driver file's match table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JskDriver {
    pub name: String,
    pub file: PathBuf,
    pub pci: Vec<PciId>,
    pub compatible: Vec<String>,
}

impl JskDriver {
    /// The same rule as `matches()` in hal-js/hal/driver.js.
    pub fn matches(&self, dev: &PciDevice) -> bool {
        self.pci.iter().any(|id| {
            id.vendor == dev.vendor
                && id.device.is_none_or(|d| d == dev.device)
                && id.class.is_none_or(|c| c == dev.class >> 8)
        })
    }
}

/// The first driver (in file order, as `jsk run` attaches) whose table fits `dev`.
pub fn find_match<'a>(drivers: &'a [JskDriver], dev: &PciDevice) -> Option<&'a JskDriver> {
    drivers.iter().find(|d| d.matches(dev))
}

/// Where the driver files come from.
#[derive(Clone, Debug, Default)]
pub struct DriverSource {
    /// `--drivers DIR` (repeatable; a file is taken as is).
    pub dirs: Vec<PathBuf>,
    /// `--driver FILE` (repeatable).
    pub files: Vec<PathBuf>,
}

impl DriverSource {
    pub fn is_explicit(&self) -> bool {
        !self.dirs.is_empty() || !self.files.is_empty()
    }

    /// The paths to hand `jsk run --drivers` (absolute): the given ones, else
    /// the nearest `drivers/` folder above `cwd`, else above the executable.
    pub fn roots(&self, cwd: &Path) -> Result<Vec<PathBuf>, ProbeError> {
        let given: Vec<&PathBuf> = self.dirs.iter().chain(self.files.iter()).collect();
        if !given.is_empty() {
            return given
                .into_iter()
                .map(|p| std::fs::canonicalize(p).map_err(|e| failed(format!("driver path {}: {e}", p.display()))))
                .collect();
        }
        let exe_dir = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf));
        let found = std::iter::once(cwd.to_path_buf())
            .chain(exe_dir)
            .flat_map(|d| d.ancestors().map(|a| a.join("drivers")).collect::<Vec<_>>())
            .find(|d| d.is_dir());
        match found {
            Some(d) => Ok(vec![std::fs::canonicalize(&d).unwrap_or(d)]),
            None => Ok(Vec::new()),
        }
    }

    /// Every driver file (`*.js`, not `*.test.js`) under the roots, sorted.
    pub fn files(&self, cwd: &Path) -> Result<Vec<PathBuf>, ProbeError> {
        Ok(files_under(&self.roots(cwd)?))
    }
}

/// Every driver file under `roots`, sorted, each once.
fn files_under(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for r in roots {
        crate::collect_driver_files(r, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

#[derive(Deserialize)]
struct Table {
    kind: Option<String>,
    name: Option<String>,
    pci: Vec<PciId>,
    compatible: Vec<String>,
}

/// What reading one file's match table gave.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Read {
    Driver {
        name: String,
        pci: Vec<PciId>,
        compatible: Vec<String>,
    },
    /// A helper module, not a driver.
    Helper,
    /// It could not be imported or its table is not understood (the warning, without the path).
    Warning(String),
}

/// Import each file in one session and read its match table. Files that
/// do not export a jsk driver are skipped; files that fail to import give
/// a warning (returned) and are skipped.
pub fn load_drivers(files: &[PathBuf]) -> (Vec<JskDriver>, Vec<String>) {
    gather(files.iter().map(|f| (canonical(f), None)).collect())
}

/// As [`load_drivers`] for the driver files under `roots` ([`DriverSource::roots`]), taking the
/// tables of files the roots' indexes know (same content hash) from there.
pub fn load_indexed(roots: &[PathBuf]) -> (Vec<JskDriver>, Vec<String>) {
    let mut known: HashMap<PathBuf, IndexEntry> = HashMap::new();
    for root in roots {
        let Ok(text) = std::fs::read_to_string(root.join(INDEX_FILE)) else { continue };
        match serde_json::from_str::<Index>(&text) {
            // Written by a jsk with these built-in modules: another jsk:hal (or jsk:virtio/...,
            // which tables import) may read a table differently.
            Ok(ix) if ix.format == INDEX_FORMAT && ix.jsk == index_jsk() => {
                known.extend(ix.files.into_iter().map(|e| (root.join(&e.file), e)));
            }
            _ => {} // another format or damaged: the files are read instead
        }
    }
    let files = files_under(roots);
    let slots = files
        .iter()
        .map(|f| {
            let abs = canonical(f);
            let read =
                known.get(&abs).and_then(|e| (content_hash(&abs).as_deref() == Some(&e.fnv1a)).then(|| e.read.clone()));
            (abs, read)
        })
        .collect();
    gather(slots)
}

/// The index of the driver files under `root` (a folder), paths relative to it, as
/// [`INDEX_FILE`] holds it; with the warnings reading them gave.
pub fn index_json(root: &Path) -> (String, Vec<String>) {
    let mut files = Vec::new();
    crate::collect_driver_files(root, &mut files);
    files.sort();
    let reads = read_tables(&files.iter().map(|f| canonical(f)).collect::<Vec<_>>());
    let base = canonical(root);
    let mut warnings = Vec::new();
    let entries = reads
        .into_iter()
        .filter_map(|(abs, read)| {
            // A file that gave a warning is left out: it is read (and warned about) again.
            if let Read::Warning(w) = &read {
                warnings.push(format!("{}: {w}", abs.display()));
                return None;
            }
            let rel = abs.strip_prefix(&base).ok()?.to_string_lossy().into_owned();
            Some(IndexEntry { file: rel, fnv1a: content_hash(&abs)?, read })
        })
        .collect();
    let ix = Index { format: INDEX_FORMAT, jsk: index_jsk(), files: entries };
    (serde_json::to_string_pretty(&ix).expect("the index serializes") + "\n", warnings)
}

/// The index file in a drivers folder.
pub const INDEX_FILE: &str = "jsk-match.json";
const INDEX_FORMAT: u32 = 1;

#[derive(Deserialize, Serialize)]
struct Index {
    format: u32,
    /// The jsk that read the tables: its version and built-in modules ([`index_jsk`]).
    jsk: String,
    files: Vec<IndexEntry>,
}

#[derive(Deserialize, Serialize)]
struct IndexEntry {
    /// Relative to the folder.
    file: String,
    /// [`content_hash`] of the file when indexed.
    fnv1a: String,
    read: Read,
}

fn index_jsk() -> String {
    format!("{} {}", env!("CARGO_PKG_VERSION"), crate::engine::modules::BUILTIN_MODULES_ID)
}

fn content_hash(f: &Path) -> Option<String> {
    std::fs::read(f).ok().map(|b| format!("{:016x}", crate::fnv1a(&[&b])))
}

fn canonical(f: &Path) -> PathBuf {
    std::fs::canonicalize(f).unwrap_or_else(|_| f.to_path_buf())
}

/// Drivers and warnings from files in order, reading (in one session) those whose table is
/// not given.
fn gather(slots: Vec<(PathBuf, Option<Read>)>) -> (Vec<JskDriver>, Vec<String>) {
    let missing: Vec<PathBuf> = slots.iter().filter(|(_, r)| r.is_none()).map(|(f, _)| f.clone()).collect();
    let mut read = read_tables(&missing).into_iter().map(|(_, r)| r);
    let mut drivers = Vec::new();
    let mut warnings = Vec::new();
    for (file, given) in slots {
        match given.or_else(|| read.next()) {
            Some(Read::Driver { name, pci, compatible }) => drivers.push(JskDriver { name, file, pci, compatible }),
            Some(Read::Helper) | None => {}
            Some(Read::Warning(w)) => warnings.push(format!("{}: {w}", file.display())),
        }
    }
    (drivers, warnings)
}

/// Import each file (absolute paths) in one session and read its match table.
fn read_tables(files: &[PathBuf]) -> Vec<(PathBuf, Read)> {
    if files.is_empty() {
        return Vec::new();
    }
    let session = match jsk_session() {
        Ok(s) => s,
        Err(e) => {
            let w = format!("cannot start a JS session to read match tables: {e}");
            return files.iter().map(|f| (f.clone(), Read::Warning(w.clone()))).collect();
        }
    };
    files
        .iter()
        .enumerate()
        .map(|(i, abs)| {
            let spec = serde_json::to_string(&abs.to_string_lossy()).expect("a string serializes");
            let src = format!(
                "import * as ns from {spec};\n\
                 const d = ns.default;\n\
                 const m = d?.match ?? {{}};\n\
                 globalThis.__jskProbeTable = {{ kind: d?.kind ?? null, name: typeof d?.name === \"string\" ? d.name : null,\n\
                   pci: (m.pci ?? []).map((x) => ({{ vendor: x.vendor, device: x.device ?? null, class: x.class ?? null }})),\n\
                   compatible: [...(m.compatible ?? [])].map(String) }};\n"
            );
            let got = session
                .eval_module(&format!("jsk-probe-match-{i}.js"), &src)
                .and_then(|()| session.eval_json("globalThis.__jskProbeTable"));
            let read = match got {
                Ok(json) => match serde_json::from_str::<Table>(&json) {
                    Ok(t) if t.kind.as_deref() == Some("jsk-driver") => Read::Driver {
                        name: t.name.unwrap_or_else(|| {
                            abs.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
                        }),
                        pci: t.pci,
                        compatible: t.compatible,
                    },
                    Ok(_) => Read::Helper,
                    Err(e) => Read::Warning(format!("match table is not understood: {e}")),
                },
                Err(e) => Read::Warning(format!("cannot read its match table: {}", first_line(&e.to_string()))),
            };
            (abs.clone(), read)
        })
        .collect()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn jsk_session() -> Result<crate::embed::Session, String> {
    crate::embed::Session::new().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRIVER: &str = "import { driver } from 'jsk:hal';\n\
        export default driver({ name: 'NAME', match: { pci: [{ vendor: 0x1234, device: 0x11e8 }] }, probe() {} });\n";

    fn folder(tag: &str) -> PathBuf {
        let dir = crate::scratch_dir(&format!("match-{tag}"));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.js"), DRIVER.replace("NAME", "alpha")).unwrap();
        std::fs::write(dir.join("sub/b.js"), DRIVER.replace("NAME", "beta")).unwrap();
        std::fs::write(dir.join("helper.js"), "export const x = 1;\n").unwrap();
        std::fs::write(dir.join("broken.js"), "export default (;\n").unwrap();
        dir
    }

    fn names(dir: &Path) -> (Vec<String>, Vec<String>) {
        let source = DriverSource { dirs: vec![dir.to_path_buf()], files: vec![] };
        let (drivers, warnings) = load_indexed(&source.roots(dir).unwrap());
        (drivers.into_iter().map(|d| d.name).collect(), warnings)
    }

    #[test]
    fn an_index_gives_what_reading_gives() {
        let dir = folder("same");
        let read = names(&dir);
        let (json, warnings) = index_json(&dir);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("broken.js"), "{warnings:?}");
        std::fs::write(dir.join(INDEX_FILE), json).unwrap();
        assert_eq!(names(&dir), read, "the broken file is read again, and warned about again");
        assert_eq!(read.0, ["alpha", "beta"]);
        assert!(!std::fs::read_to_string(dir.join(INDEX_FILE)).unwrap().contains("broken.js"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_index_is_used_only_for_files_whose_content_it_knows() {
        let dir = folder("stale");
        let (json, _) = index_json(&dir);
        // An index that says something else about a.js is believed while a.js is unchanged...
        std::fs::write(dir.join(INDEX_FILE), json.replace("\"alpha\"", "\"from-the-index\"")).unwrap();
        assert_eq!(names(&dir).0, ["from-the-index", "beta"]);
        // ...and not once a.js changes; a file the index does not know is read.
        std::fs::write(dir.join("a.js"), DRIVER.replace("NAME", "alpha2")).unwrap();
        std::fs::write(dir.join("c.js"), DRIVER.replace("NAME", "gamma")).unwrap();
        assert_eq!(names(&dir).0, ["alpha2", "gamma", "beta"]);
        // A damaged index or another format is no index.
        std::fs::write(dir.join(INDEX_FILE), "{ not json").unwrap();
        assert_eq!(names(&dir).0, ["alpha2", "gamma", "beta"]);
        let (json, _) = index_json(&dir);
        std::fs::write(
            dir.join(INDEX_FILE),
            json.replace("\"format\": 1", "\"format\": 99").replace("\"beta\"", "\"stale\""),
        )
        .unwrap();
        assert_eq!(names(&dir).0, ["alpha2", "gamma", "beta"]);
        // One written by another jsk version is no index either.
        let (json, _) = index_json(&dir);
        let other = json.replace(&format!("\"jsk\": \"{}\"", index_jsk()), "\"jsk\": \"0.1.0 0000000000000000\"");
        assert_ne!(other, json);
        std::fs::write(dir.join(INDEX_FILE), other.replace("\"beta\"", "\"stale\"")).unwrap();
        assert_eq!(names(&dir).0, ["alpha2", "gamma", "beta"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
