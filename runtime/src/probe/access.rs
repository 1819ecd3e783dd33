//! Who may use a device on vfio-pci: `/dev/vfio/vfio` and `/dev/vfio/N` must
//! open for reading and writing; DMA memory counts against RLIMIT_MEMLOCK.
//! Errors say which file, its owner and mode, and who this process is.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

use super::{checks, failed, ProbeError, System};

/// This process's user and groups, from `/proc/self/status`.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

impl Identity {
    pub fn current() -> Identity {
        let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| -> Vec<u32> {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|rest| rest.split_whitespace().filter_map(|v| v.parse().ok()).collect())
                .unwrap_or_default()
        };
        // Uid:/Gid: list real, effective, saved, filesystem; access checks use the effective one.
        let uid = field("Uid:").get(1).copied().unwrap_or(0);
        let gid = field("Gid:").get(1).copied().unwrap_or(0);
        Identity { uid, gid, groups: field("Groups:") }
    }

    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    fn describe(&self) -> String {
        let mut groups: Vec<u32> = std::iter::once(self.gid).chain(self.groups.iter().copied()).collect();
        groups.sort();
        groups.dedup();
        let g: Vec<String> = groups.iter().map(|g| group_name(*g)).collect();
        format!("you are {} in group{} {}", user_name(self.uid), if g.len() == 1 { "" } else { "s" }, g.join(", "))
    }
}

fn name_from(file: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2].parse() == Ok(id)).then(|| f[0].to_string())
    })
}

fn user_name(uid: u32) -> String {
    name_from("/etc/passwd", uid).map(|n| format!("{n} (uid {uid})")).unwrap_or_else(|| format!("uid {uid}"))
}

fn group_name(gid: u32) -> String {
    name_from("/etc/group", gid).unwrap_or_else(|| gid.to_string())
}

/// `crw------- root:root` for a file.
pub fn describe_node(path: &Path) -> String {
    let Ok(m) = std::fs::metadata(path) else { return "missing".into() };
    let t = m.file_type();
    let kind = if t.is_char_device() {
        'c'
    } else if t.is_dir() {
        'd'
    } else {
        '-'
    };
    let mode = m.permissions().mode();
    let mut s = String::from(kind);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    let owner = name_from("/etc/passwd", m.uid()).unwrap_or_else(|| m.uid().to_string());
    let group = name_from("/etc/group", m.gid()).unwrap_or_else(|| m.gid().to_string());
    format!("{s} {owner}:{group}")
}

fn open_rw(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).write(true).open(path)
}

/// Check that this process can open the VFIO container and `group_dev`
/// (`3`, or `noiommu-3`) for reading and writing. The group is closed again at once.
pub fn check_vfio_access(host: &System, address: &str, group_dev: &str) -> Result<(), ProbeError> {
    let me = Identity::current();
    let container = host.vfio_container_dev();
    if let Err(e) = open_rw(&container) {
        return Err(failed(match e.kind() {
            std::io::ErrorKind::NotFound => format!("{} does not exist: the vfio module is not loaded (as root: modprobe vfio-pci)", container.display()),
            std::io::ErrorKind::PermissionDenied => format!(
                "cannot open {} for reading and writing: permission denied (it is {}; {}); it is normally crw-rw-rw-: as root, chmod 0666 {}",
                container.display(),
                describe_node(&container),
                me.describe(),
                container.display()
            ),
            _ => format!("cannot open {}: {e}", container.display()),
        }));
    }
    let node = host.vfio_group_dev(group_dev);
    match open_rw(&node) {
        Ok(_) => Ok(()),
        Err(e) => Err(failed(match (e.kind(), e.raw_os_error()) {
            (std::io::ErrorKind::NotFound, _) => {
                format!(
                    "{} does not exist: is {address} bound to vfio-pci? (as root: jsk-probe bind {address})",
                    node.display()
                )
            }
            (_, Some(libc::EBUSY)) => {
                let users = checks::vfio_users(host, group_dev);
                let who: Vec<String> = users.iter().map(|(p, c)| format!("pid {p} ({c})")).collect();
                format!(
                    "{} is already open in another process{}: a VFIO group has one user at a time",
                    node.display(),
                    if who.is_empty() { String::new() } else { format!(" ({})", who.join(", ")) }
                )
            }
            (_, Some(libc::EPERM)) if group_dev.starts_with("noiommu-") => format!(
                "cannot open {}: operation not permitted: a no-IOMMU group opens only with CAP_SYS_RAWIO (run as root)",
                node.display()
            ),
            (std::io::ErrorKind::PermissionDenied, _) => {
                let user = std::env::var("USER")
                    .ok()
                    .filter(|u| !u.is_empty() && u != "root")
                    .unwrap_or_else(|| "USER".into());
                format!(
                    "cannot open {} for reading and writing: permission denied (it is {}; {}). Give your user read and write access, as root: \
                     chown {user} {} (until the device is rebound), or a udev rule such as SUBSYSTEM==\"vfio\", GROUP=\"vfio\", MODE=\"0660\" \
                     with your user in group vfio",
                    node.display(),
                    describe_node(&node),
                    me.describe(),
                    node.display()
                )
            }
            _ => format!("cannot open {}: {e}", node.display()),
        })),
    }
}

/// A note for `bind` run as root through sudo: whether the invoking user
/// can open the group node, and how to let them.
pub fn note_for_sudo_user(node: &Path) -> Option<String> {
    let user = std::env::var("SUDO_USER").ok().filter(|u| !u.is_empty() && u != "root")?;
    let uid: u32 = std::env::var("SUDO_UID").ok()?.parse().ok()?;
    let m = std::fs::metadata(node).ok()?;
    let mode = m.permissions().mode();
    let ok = (m.uid() == uid && mode & 0o600 == 0o600) || mode & 0o006 == 0o006;
    (!ok).then(|| {
        format!(
            "{} is {}: {user} cannot open it yet; to attach without root: sudo chown {user} {}",
            node.display(),
            describe_node(node),
            node.display()
        )
    })
}

/// A warning when a non-root process has a small RLIMIT_MEMLOCK (VFIO pins
/// DMA memory and counts it there; root has CAP_IPC_LOCK).
pub fn memlock_warning() -> Option<String> {
    if Identity::current().is_root() {
        return None;
    }
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max locked memory"))?;
    let soft = line.trim_start_matches("Max locked memory").split_whitespace().next()?;
    if soft == "unlimited" {
        return None;
    }
    let bytes: u64 = soft.parse().ok()?;
    (bytes < 64 << 20).then(|| {
        format!(
            "RLIMIT_MEMLOCK is {} KiB: the DMA memory drivers map through VFIO is pinned and counts against it; \
             if a probe fails with ENOMEM, raise it (ulimit -l, or memlock in /etc/security/limits.conf)",
            bytes >> 10
        )
    })
}
