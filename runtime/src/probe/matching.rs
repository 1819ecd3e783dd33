//! Which jsk driver fits a device: each driver file is imported in a
//! `jsk::embed::Session` and its default export's `name` and `match` table
//! are read. `probe` is never called.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::pci::PciDevice;
use super::{failed, ProbeError};

/// One `match.pci` entry.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
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
        let mut out = Vec::new();
        for r in self.roots(cwd)? {
            crate::collect_driver_files(&r, &mut out);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

#[derive(Deserialize)]
struct Table {
    kind: Option<String>,
    name: Option<String>,
    pci: Vec<PciId>,
    compatible: Vec<String>,
}

/// Import each file in one session and read its match table. Files that
/// do not export a jsk driver are skipped; files that fail to import give
/// a warning (returned) and are skipped.
pub fn load_drivers(files: &[PathBuf]) -> (Vec<JskDriver>, Vec<String>) {
    let mut drivers = Vec::new();
    let mut warnings = Vec::new();
    if files.is_empty() {
        return (drivers, warnings);
    }
    let session = match jsk_session() {
        Ok(s) => s,
        Err(e) => {
            warnings.push(format!("cannot start a JS session to read match tables: {e}"));
            return (drivers, warnings);
        }
    };
    for (i, f) in files.iter().enumerate() {
        let abs = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        let spec = serde_json::to_string(&abs.to_string_lossy()).expect("a string serializes");
        let src = format!(
            "import * as ns from {spec};\n\
             const d = ns.default;\n\
             const m = d?.match ?? {{}};\n\
             globalThis.__jskProbeTable = {{ kind: d?.kind ?? null, name: typeof d?.name === \"string\" ? d.name : null,\n\
               pci: (m.pci ?? []).map((x) => ({{ vendor: x.vendor, device: x.device ?? null, class: x.class ?? null }})),\n\
               compatible: [...(m.compatible ?? [])].map(String) }};\n"
        );
        let read = session
            .eval_module(&format!("jsk-probe-match-{i}.js"), &src)
            .and_then(|()| session.eval_json("globalThis.__jskProbeTable"));
        match read {
            Ok(json) => match serde_json::from_str::<Table>(&json) {
                Ok(t) if t.kind.as_deref() == Some("jsk-driver") => drivers.push(JskDriver {
                    name: t.name.unwrap_or_else(|| {
                        abs.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
                    }),
                    file: abs,
                    pci: t.pci,
                    compatible: t.compatible,
                }),
                Ok(_) => {} // a helper module, not a driver
                Err(e) => warnings.push(format!("{}: match table is not understood: {e}", abs.display())),
            },
            Err(e) => {
                warnings.push(format!("{}: cannot read its match table: {}", abs.display(), first_line(&e.to_string())))
            }
        }
    }
    (drivers, warnings)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn jsk_session() -> Result<crate::embed::Session, String> {
    crate::embed::Session::new().map_err(|e| e.to_string())
}
