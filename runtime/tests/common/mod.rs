//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A fresh scratch folder `jsk-{suite}-{pid}-{name}` under the temporary
/// directory with `files` (path, contents) written into it.
pub fn scratch(suite: &str, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsk-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, src) in files {
        let p = dir.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, src).unwrap();
    }
    dir
}
