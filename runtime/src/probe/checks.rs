//! The checks before a bind (and a restore), as plain reads of sysfs and
//! procfs. Each refusal names what is in the way: the group member and its
//! driver, the interface and its addresses, the mount point.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use super::pci::{display_name, names, PciDevice};
use super::{link_name, read_attr, System, VFIO_PCI};

/// A group member in the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub address: String,
    pub name: String,
    pub driver: String,
}

/// A mount of a block device below the PCI device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub block: String,
    pub point: String,
    pub fstype: String,
}

/// One reason not to go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The device has no IOMMU group. `groups`: how many groups the machine has.
    NoIommu { groups: usize, noiommu_available: bool },
    /// `--unsafe-noiommu` was asked for but the kernel has no such mode.
    NoIommuModeUnavailable { param: PathBuf },
    /// vfio-pci takes only header type 0 devices.
    Bridge { header_type: u8 },
    /// Other members of the IOMMU group are bound to host drivers.
    GroupNotViable { group: u32, members: Vec<Member> },
    /// A network interface of the device is up with addresses or routes.
    InterfaceUp { interface: String, addresses: Vec<String>, routes: Vec<String> },
    /// Filesystems on the device's block devices are mounted.
    Mounted { mounts: Vec<Mount> },
    /// A block device of the device is in use as swap.
    Swap { block: String },
    /// A process holds the VFIO group open (restore would block).
    InUse { group_dev: String, users: Vec<(u32, String)> },
}

impl Reason {
    /// Whether `--force` lets the operation go on anyway.
    pub fn forcible(&self) -> bool {
        matches!(self, Reason::InterfaceUp { .. } | Reason::Mounted { .. } | Reason::Swap { .. })
    }
}

fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        _ => format!("{} and {}", items[..items.len() - 1].join(", "), items[items.len() - 1]),
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoIommu { groups: 0, noiommu_available } => write!(
                f,
                "it has no IOMMU group: no IOMMU is active on this machine (no groups in /sys/kernel/iommu_groups), so nothing would stop the \
                 device from DMA-ing over any memory. Enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup and boot with \
                 intel_iommu=on (Intel; AMD turns it on by default), then check that /sys/kernel/iommu_groups is not empty{}",
                if *noiommu_available {
                    ". This kernel also offers an unsafe no-IOMMU mode: --unsafe-noiommu (root only, no DMA protection)"
                } else {
                    ""
                }
            ),
            Reason::NoIommu { groups, .. } => write!(
                f,
                "it has no IOMMU group although the IOMMU is on ({groups} groups): the IOMMU does not cover this device, so VFIO cannot isolate it"
            ),
            Reason::NoIommuModeUnavailable { param } => write!(
                f,
                "--unsafe-noiommu: this kernel has no unsafe no-IOMMU mode ({} does not exist; it needs a kernel built with CONFIG_VFIO_NOIOMMU)",
                param.display()
            ),
            Reason::Bridge { header_type } => write!(
                f,
                "it is a PCI bridge (header type {header_type}); vfio-pci takes only ordinary devices (header type 0)"
            ),
            Reason::GroupNotViable { group, members } => {
                let who: Vec<String> = members.iter().map(|m| format!("{} ({}) is bound to {}", m.address, m.name, m.driver)).collect();
                let all: Vec<&str> = members.iter().map(|m| m.address.as_str()).collect();
                write!(
                    f,
                    "IOMMU group {group} is not viable: {}. VFIO opens a group only when every device in it is on vfio-pci or on no driver: \
                     bind them together (jsk-probe bind ADDR {}) or unbind {} first",
                    list(&who),
                    all.join(" "),
                    if members.len() == 1 { "it" } else { "them" }
                )
            }
            Reason::InterfaceUp { interface, addresses, routes } => {
                let mut what = Vec::new();
                if !addresses.is_empty() {
                    what.push(format!("address{} {}", if addresses.len() == 1 { "" } else { "es" }, addresses.join(", ")));
                }
                if !routes.is_empty() {
                    what.push(format!("route{} {}", if routes.len() == 1 { "" } else { "s" }, routes.join(", ")));
                }
                write!(
                    f,
                    "network interface {interface} is up with {}: this machine is using it (a remote session over it would end). \
                     Take it down first (ip link set {interface} down) or pass --force",
                    what.join(" and ")
                )
            }
            Reason::Mounted { mounts } => {
                let what: Vec<String> = mounts.iter().map(|m| format!("{} on {} ({})", m.block, m.point, m.fstype)).collect();
                write!(
                    f,
                    "its block device{} mounted: {}. Binding would pull the disk from under the filesystem{}; unmount first, or pass --force",
                    if mounts.len() == 1 { " is" } else { "s are" },
                    what.join(", "),
                    if mounts.len() == 1 { "" } else { "s" }
                )
            }
            Reason::Swap { block } => write!(f, "its block device {block} is in use as swap: swapoff /dev/{block} first, or pass --force"),
            Reason::InUse { group_dev, users } => {
                let who: Vec<String> = users.iter().map(|(p, c)| format!("pid {p} ({c})")).collect();
                write!(
                    f,
                    "{group_dev} is held open by {}: stop it first (Ctrl-C or SIGTERM lets its exit hooks release the device); \
                     unbinding now would block until it lets go",
                    list(&who)
                )
            }
        }
    }
}

/// A refusal: the action, the device and why. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub action: &'static str,
    pub address: String,
    pub reasons: Vec<Reason>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reasons.as_slice() {
            [one] => write!(f, "refusing to {} {}: {one}", self.action, self.address),
            many => {
                write!(f, "refusing to {} {}:", self.action, self.address)?;
                for r in many {
                    write!(f, "\n  - {r}")?;
                }
                Ok(())
            }
        }
    }
}

/// What `check_bind` lets through, and what the bind will do.
#[derive(Clone, Debug)]
pub struct BindPlan {
    pub device: PciDevice,
    /// Already on vfio-pci: nothing to write.
    pub already: bool,
    /// Bind in the kernel's unsafe no-IOMMU mode.
    pub noiommu: bool,
    /// Problems `--force` overrode, and other notes.
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct BindOptions {
    pub force: bool,
    pub unsafe_noiommu: bool,
}

/// Decide whether `dev` may be moved to vfio-pci. `together`: addresses
/// bound in the same request (group members among them do not count as
/// in the way).
pub fn check_bind(host: &System, dev: &PciDevice, together: &[String], opts: BindOptions) -> Result<BindPlan, Refusal> {
    let mut plan = BindPlan { device: dev.clone(), already: false, noiommu: false, warnings: Vec::new() };
    if dev.driver.as_deref() == Some(VFIO_PCI) {
        plan.already = true;
        return Ok(plan);
    }
    let mut reasons = Vec::new();
    if dev.header_type != 0 {
        reasons.push(Reason::Bridge { header_type: dev.header_type });
    }
    match dev.iommu_group {
        None => {
            let param = host.noiommu_param();
            if opts.unsafe_noiommu {
                if param.exists() {
                    plan.noiommu = true;
                    plan.warnings.push(format!(
                        "UNSAFE: binding {} without an IOMMU (--unsafe-noiommu): the device can DMA over any memory of this machine, \
                         and a driver bug can corrupt the kernel. Only root can use such a device (/dev/vfio/noiommu-N)",
                        dev.address
                    ));
                } else {
                    reasons.push(Reason::NoIommuModeUnavailable { param });
                }
            } else {
                let groups = std::fs::read_dir(host.iommu_groups()).map(|d| d.count()).unwrap_or(0);
                reasons.push(Reason::NoIommu { groups, noiommu_available: param.exists() });
            }
        }
        Some(group) => {
            let members = group_members_in_the_way(host, group, &dev.address, together);
            if !members.is_empty() {
                reasons.push(Reason::GroupNotViable { group, members });
            }
        }
    }
    let dir = host.device_dir(&dev.address);
    for (interface, ifdir) in interfaces(&dir) {
        if let Some(r) = interface_in_use(host, &interface, &ifdir) {
            reasons.push(r);
        }
    }
    let blocks = block_devices(&dir);
    let mounts = mounts_of(host, &blocks);
    if !mounts.is_empty() {
        reasons.push(Reason::Mounted { mounts });
    }
    for b in swaps_of(host, &blocks) {
        reasons.push(Reason::Swap { block: b });
    }
    let (forced, hard): (Vec<Reason>, Vec<Reason>) = reasons.into_iter().partition(|r| opts.force && r.forcible());
    for r in forced {
        plan.warnings.push(format!("--force: binding {} although {r}", dev.address));
    }
    if hard.is_empty() {
        Ok(plan)
    } else {
        Err(Refusal { action: "bind", address: dev.address.clone(), reasons: hard })
    }
}

/// Members of `group` other than `me` bound to a host driver VFIO does not
/// accept (anything but vfio-pci and pci-stub; bridges are always fine).
pub fn group_members_in_the_way(host: &System, group: u32, me: &str, together: &[String]) -> Vec<Member> {
    let dir = host.iommu_groups().join(group.to_string()).join("devices");
    let mut entries: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    entries.sort();
    let mut out = Vec::new();
    for addr in entries {
        if addr == me || together.contains(&addr) {
            continue;
        }
        let Ok(d) = PciDevice::read(host, &addr) else { continue };
        let Some(driver) = d.driver.clone() else { continue };
        if driver == VFIO_PCI || driver == "pci-stub" || d.header_type != 0 {
            continue;
        }
        out.push(Member { address: addr, name: display_name(&d, &names(&d)), driver });
    }
    out
}

/// Real (not symlinked) folders below `dir`, depth-first, at most `depth` deep.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut subs: Vec<PathBuf> =
        entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()).collect();
    subs.sort();
    for s in subs {
        out.push(s.clone());
        walk(&s, depth - 1, out);
    }
}

/// Network interfaces below a device folder: `net/IF` (also below child
/// devices, as virtio-net has them).
pub fn interfaces(device_dir: &Path) -> Vec<(String, PathBuf)> {
    let mut dirs = Vec::new();
    walk(device_dir, 6, &mut dirs);
    dirs.into_iter()
        .filter(|d| d.parent().and_then(|p| p.file_name()).is_some_and(|n| n == "net"))
        .map(|d| (d.file_name().unwrap().to_string_lossy().into_owned(), d))
        .collect()
}

/// A block device found below a PCI device (a disk, a partition, or a
/// device stacked on them such as dm-0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDev {
    pub name: String,
    /// `major:minor`
    pub dev: String,
    /// Device-mapper name (`vg-root`) for dm-N.
    pub dm_name: Option<String>,
}

impl BlockDev {
    /// The paths /proc/mounts may show it as.
    fn paths(&self) -> Vec<String> {
        let mut p = vec![format!("/dev/{}", self.name)];
        if let Some(n) = &self.dm_name {
            p.push(format!("/dev/mapper/{n}"));
        }
        p
    }
}

fn block_dev_at(dir: &Path) -> Option<BlockDev> {
    let dev = read_attr(&dir.join("dev"))?;
    Some(BlockDev {
        name: dir.file_name()?.to_string_lossy().into_owned(),
        dev,
        dm_name: read_attr(&dir.join("dm/name")),
    })
}

/// Block devices below a device folder (disks, partitions) and what is
/// stacked on them (`holders/`: device-mapper, md).
pub fn block_devices(device_dir: &Path) -> Vec<BlockDev> {
    let mut dirs = Vec::new();
    walk(device_dir, 10, &mut dirs);
    let mut todo: Vec<PathBuf> = dirs
        .into_iter()
        .filter(|d| {
            d.join("dev").is_file()
                && (d.parent().and_then(|p| p.file_name()).is_some_and(|n| n == "block")
                    || d.join("partition").is_file()
                    || link_name(&d.join("subsystem")).is_some_and(|n| n == "block"))
        })
        .collect();
    let mut out: Vec<BlockDev> = Vec::new();
    let mut seen = 0;
    while let Some(d) = todo.pop() {
        seen += 1;
        if seen > 256 {
            break;
        }
        let Some(b) = block_dev_at(&d) else { continue };
        if out.iter().any(|o| o.name == b.name) {
            continue;
        }
        if let Ok(holders) = std::fs::read_dir(d.join("holders")) {
            for h in holders.flatten() {
                if let Ok(target) = std::fs::canonicalize(h.path()) {
                    todo.push(target);
                }
            }
        }
        out.push(b);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Mounts of `blocks`, from `self/mountinfo` (by major:minor or source) and
/// `mounts` (by source) under the procfs root.
pub fn mounts_of(host: &System, blocks: &[BlockDev]) -> Vec<Mount> {
    let mut out: Vec<Mount> = Vec::new();
    let mut add = |m: Mount| {
        if !out.iter().any(|o| o.point == m.point && o.block == m.block) {
            out.push(m);
        }
    };
    if blocks.is_empty() {
        return Vec::new();
    }
    if let Ok(info) = std::fs::read_to_string(host.proc_path("self/mountinfo")) {
        for line in info.lines() {
            let Some((left, right)) = line.split_once(" - ") else { continue };
            let l: Vec<&str> = left.split(' ').collect();
            let r: Vec<&str> = right.split(' ').collect();
            if l.len() < 5 || r.len() < 2 {
                continue;
            }
            let source = super::unescape_mount(r[1]);
            if let Some(b) = blocks.iter().find(|b| b.dev == l[2] || b.paths().contains(&source)) {
                add(Mount { block: b.name.clone(), point: super::unescape_mount(l[4]), fstype: r[0].to_string() });
            }
        }
    }
    if let Ok(mounts) = std::fs::read_to_string(host.proc_path("mounts")) {
        for line in mounts.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 3 {
                continue;
            }
            let source = super::unescape_mount(f[0]);
            if let Some(b) = blocks.iter().find(|b| b.paths().contains(&source)) {
                add(Mount { block: b.name.clone(), point: super::unescape_mount(f[1]), fstype: f[2].to_string() });
            }
        }
    }
    out
}

/// Which of `blocks` are active swap (`swaps` under the procfs root).
pub fn swaps_of(host: &System, blocks: &[BlockDev]) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(host.proc_path("swaps")) else { return Vec::new() };
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|file| blocks.iter().find(|b| b.paths().iter().any(|p| *p == super::unescape_mount(file))))
        .map(|b| b.name.clone())
        .collect()
}

/// `IFF_UP` in `net/IF/flags`.
const IFF_UP: u32 = 0x1;
const RTF_GATEWAY: u32 = 0x2;

/// A reason when `interface` is up and has addresses or routes.
fn interface_in_use(host: &System, interface: &str, ifdir: &Path) -> Option<Reason> {
    let flags = read_attr(&ifdir.join("flags"))
        .and_then(|s| u32::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0);
    let up = flags & IFF_UP != 0 || read_attr(&ifdir.join("operstate")).as_deref() == Some("up");
    if !up {
        return None;
    }
    let routes4 = ipv4_routes(host);
    let mut addresses: Vec<String> = ipv4_local_addresses(host)
        .into_iter()
        .filter_map(|a| {
            owner_of(&routes4, a)
                .filter(|r| r.iface == interface)
                .map(|r| format!("{a}/{}", u32::from(r.mask).count_ones()))
        })
        .collect();
    addresses.extend(ipv6_addresses(host, interface));
    let mut routes: Vec<String> = routes4.iter().filter(|r| r.iface == interface).map(|r| r.to_string()).collect();
    routes.extend(ipv6_routes(host, interface));
    if addresses.is_empty() && routes.is_empty() {
        return None;
    }
    Some(Reason::InterfaceUp { interface: interface.to_string(), addresses, routes })
}

#[derive(Clone, Debug)]
struct Route4 {
    iface: String,
    dest: Ipv4Addr,
    gateway: Ipv4Addr,
    flags: u32,
    mask: Ipv4Addr,
}

impl fmt::Display for Route4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plen = u32::from(self.mask).count_ones();
        if plen == 0 {
            write!(f, "default")?;
        } else {
            write!(f, "{}/{plen}", self.dest)?;
        }
        if self.flags & RTF_GATEWAY != 0 {
            write!(f, " via {}", self.gateway)?;
        }
        Ok(())
    }
}

/// `/proc/net/route` stores addresses as host-order hex of the network-order bytes.
fn hex_ipv4(s: &str) -> Option<Ipv4Addr> {
    let v = u32::from_str_radix(s, 16).ok()?;
    Some(Ipv4Addr::from(v.to_le_bytes()))
}

fn ipv4_routes(host: &System) -> Vec<Route4> {
    let Ok(text) = std::fs::read_to_string(host.proc_path("net/route")) else { return Vec::new() };
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 8 {
                return None;
            }
            Some(Route4 {
                iface: f[0].to_string(),
                dest: hex_ipv4(f[1])?,
                gateway: hex_ipv4(f[2])?,
                flags: u32::from_str_radix(f[3], 16).ok()?,
                mask: hex_ipv4(f[7])?,
            })
        })
        .collect()
}

/// The (longest) on-link route that covers `a`: its interface has the address.
fn owner_of(routes: &[Route4], a: Ipv4Addr) -> Option<&Route4> {
    routes
        .iter()
        .filter(|r| {
            r.flags & RTF_GATEWAY == 0
                && u32::from(r.mask) != 0
                && u32::from(a) & u32::from(r.mask) == u32::from(r.dest)
        })
        .max_by_key(|r| u32::from(r.mask).count_ones())
}

/// Local IPv4 addresses from `/proc/net/fib_trie` (`|-- A.B.C.D` then `/32 host LOCAL`).
fn ipv4_local_addresses(host: &System) -> Vec<Ipv4Addr> {
    let Ok(text) = std::fs::read_to_string(host.proc_path("net/fib_trie")) else { return Vec::new() };
    let mut last: Option<Ipv4Addr> = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start_matches([' ', '|', '+', '-', '`']);
        if line.contains("|--") {
            last = t.trim().parse().ok();
        } else if line.trim_start().starts_with("/32 host LOCAL") {
            if let Some(a) = last {
                if !a.is_loopback() && !out.contains(&a) {
                    out.push(a);
                }
            }
        }
    }
    out
}

fn hex_ipv6(s: &str) -> Option<Ipv6Addr> {
    if s.len() != 32 {
        return None;
    }
    let v = u128::from_str_radix(s, 16).ok()?;
    Some(Ipv6Addr::from(v))
}

/// Global IPv6 addresses of `interface` from `/proc/net/if_inet6` (link-local ones do not count).
fn ipv6_addresses(host: &System, interface: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(host.proc_path("net/if_inet6")) else { return Vec::new() };
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 6 || f[5] != interface {
                return None;
            }
            let a = hex_ipv6(f[0])?;
            let plen = u32::from_str_radix(f[2], 16).ok()?;
            let scope = u32::from_str_radix(f[3], 16).ok()?;
            (scope != 0x20 && !is_link_local6(&a)).then(|| format!("{a}/{plen}"))
        })
        .collect()
}

fn is_link_local6(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// IPv6 routes through `interface` from `/proc/net/ipv6_route`, without
/// link-local and multicast ones (every IPv6 interface has those).
fn ipv6_routes(host: &System, interface: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(host.proc_path("net/ipv6_route")) else { return Vec::new() };
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 10 || f[9] != interface {
                return None;
            }
            let dest = hex_ipv6(f[0])?;
            let plen = u32::from_str_radix(f[1], 16).ok()?;
            let gw = hex_ipv6(f[4])?;
            if is_link_local6(&dest) || dest.segments()[0] & 0xff00 == 0xff00 {
                return None;
            }
            // Local /128 entries of the interface's own addresses are not routes to report.
            let flags = u32::from_str_radix(f[8], 16).unwrap_or(0);
            if plen == 128 && flags & 0x8000_0000 != 0 {
                return None;
            }
            let d = if plen == 0 { "default".to_string() } else { format!("{dest}/{plen}") };
            Some(if gw.is_unspecified() { d } else { format!("{d} via {gw}") })
        })
        .collect()
}

/// The name `/dev/vfio/` uses for `group`: `N`, or `noiommu-N` for a no-IOMMU group.
pub fn group_dev_name(host: &System, group: u32) -> String {
    let name = read_attr(&host.iommu_groups().join(group.to_string()).join("name"));
    if name.as_deref() == Some("vfio-noiommu") {
        format!("noiommu-{group}")
    } else {
        group.to_string()
    }
}

/// Processes holding `/dev/vfio/<group_dev>` open (from `PID/fd/*` under the procfs root).
pub fn vfio_users(host: &System, group_dev: &str) -> Vec<(u32, String)> {
    let wanted = [host.vfio_group_dev(group_dev), PathBuf::from("/dev/vfio").join(group_dev)];
    let Ok(procs) = std::fs::read_dir(&host.proc_root) else { return Vec::new() };
    let mut out = Vec::new();
    let me = std::process::id();
    for p in procs.flatten() {
        let Ok(pid) = p.file_name().to_string_lossy().parse::<u32>() else { continue };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else { continue };
        if fds.flatten().any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| wanted.contains(&t))) {
            let comm = read_attr(&p.path().join("comm")).unwrap_or_else(|| "?".into());
            out.push((pid, comm));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_hex_is_network_order_bytes() {
        // 10.0.2.0 as /proc/net/route prints it.
        assert_eq!(hex_ipv4("0002000A"), Some(Ipv4Addr::new(10, 0, 2, 0)));
        assert_eq!(hex_ipv4("00FFFFFF"), Some(Ipv4Addr::new(255, 255, 255, 0)));
    }

    #[test]
    fn messages_read_as_sentences() {
        let r = Refusal {
            action: "bind",
            address: "0000:00:03.0".into(),
            reasons: vec![Reason::Swap { block: "sda2".into() }],
        };
        assert_eq!(r.to_string(), "refusing to bind 0000:00:03.0: its block device sda2 is in use as swap: swapoff /dev/sda2 first, or pass --force");
    }
}
