//! The state file: which devices jsk-probe moved to vfio-pci and what they
//! were bound to before, so `restore` can give them back, also after a crash.
//!
//! Default `/run/jsk/bound.json` (env `JSK_STATE`, `--state FILE`). It is
//! written before the first sysfs write of a bind (so a crash mid-way can
//! still be undone) and replaced atomically: a temp file in the same folder,
//! fsync, rename.
//!
//! ```json
//! {
//!   "version": 1,
//!   "devices": {
//!     "0000:00:03.0": {
//!       "originalDriver": "e1000",
//!       "originalOverride": null,
//!       "boundAt": "2025-07-20T08:11:12Z",
//!       "boundAtUnix": 1752999072,
//!       "id": "8086:100e",
//!       "noiommu": false
//!     }
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{failed, ProbeError};

pub const DEFAULT_STATE: &str = "/run/jsk/bound.json";

/// The state file's path: `explicit`, else `JSK_STATE`, else the default.
pub fn state_path(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("JSK_STATE").filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| DEFAULT_STATE.into())
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The kernel driver the device had before (None: it had none).
    pub original_driver: Option<String>,
    /// `driver_override` before jsk-probe set it (None: unset).
    #[serde(default)]
    pub original_override: Option<String>,
    /// When it was bound, RFC 3339 UTC.
    pub bound_at: String,
    #[serde(default)]
    pub bound_at_unix: u64,
    /// `vendor:device`, to notice a different device at the same address.
    #[serde(default)]
    pub id: String,
    /// Bound in the kernel's unsafe no-IOMMU mode.
    #[serde(default)]
    pub noiommu: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    pub version: u32,
    pub devices: BTreeMap<String, Entry>,
}

impl Default for State {
    fn default() -> Self {
        State { version: 1, devices: BTreeMap::new() }
    }
}

impl State {
    /// Read the state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, ProbeError> {
        match std::fs::read_to_string(path) {
            Ok(s) if s.trim().is_empty() => Ok(State::default()),
            Ok(s) => {
                serde_json::from_str(&s).map_err(|e| failed(format!("state file {}: not valid: {e}", path.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(failed(format!("cannot read the state file {}: {e}{}", path.display(), perm_hint(&e)))),
        }
    }

    /// Replace the state file atomically (temp file + fsync + rename).
    pub fn save(&self, path: &Path) -> Result<(), ProbeError> {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().recursive(true).mode(0o755).create(dir).map_err(|e| {
                failed(format!("cannot create {} for the state file: {e}{}", dir.display(), perm_hint(&e)))
            })?;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "bound.json".into());
        let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
        let text = serde_json::to_string_pretty(self).expect("state serializes") + "\n";
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            failed(format!("cannot write the state file {}: {e}{}", path.display(), perm_hint(&e)))
        })
    }

    /// Load, change, save.
    pub fn update<T>(path: &Path, f: impl FnOnce(&mut State) -> T) -> Result<T, ProbeError> {
        let mut s = State::load(path)?;
        let out = f(&mut s);
        s.save(path)?;
        Ok(out)
    }
}

fn perm_hint(e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        " (bind and restore need root; name another file with --state or JSK_STATE)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_round_trip_and_atomic_replace() {
        let dir = crate::scratch_dir("probe-state");
        let path = dir.join("sub/bound.json");
        assert_eq!(State::load(&path).unwrap(), State::default());
        let e = Entry {
            original_driver: Some("e1000".into()),
            original_override: None,
            bound_at: "2025-07-20T08:11:12Z".into(),
            bound_at_unix: 1_752_999_072,
            id: "8086:100e".into(),
            noiommu: false,
        };
        State::update(&path, |s| s.devices.insert("0000:00:03.0".into(), e.clone())).unwrap();
        let back = State::load(&path).unwrap();
        assert_eq!(back.devices["0000:00:03.0"], e);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"originalDriver\": \"e1000\""), "{text}");
        // No temp files left behind.
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
