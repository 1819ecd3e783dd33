//! A host-side Ethernet peer for the NIC tests and the demo: the far end of
//! QEMU's `-netdev dgram` on 127.0.0.1 (each UDP datagram carries one
//! Ethernet frame, no FCS), with frame builders for ARP requests, ICMP echo
//! requests and UDP datagrams, and checkers for the replies.
//!
//! ```no_run
//! use hwtests::net::*;
//! let peer = NetPeer::new();
//! // jsk run --board devices/qemu-x86.toml --netdev <peer.netdev("net0")> examples/ping-responder.js
//! let mac = peer.resolve(PEER_MAC, PEER_IP, GUEST_IP, std::time::Duration::from_secs(30)).unwrap();
//! let req = icmp_echo_request(mac, PEER_MAC, PEER_IP, GUEST_IP, 1, 1, b"ping");
//! peer.send(&req);
//! let reply = peer.recv_matching(std::time::Duration::from_secs(5), |f| check_icmp_echo_reply(f, &req, mac).is_ok());
//! ```

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The peer's addresses in tests (QEMU user networking's gateway, a locally administered MAC).
pub const PEER_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
pub const PEER_IP: [u8; 4] = [10, 0, 2, 2];
/// The examples' default address and the MAC devices/qemu-x86.toml gives its e1000.
pub const GUEST_IP: [u8; 4] = [10, 0, 2, 15];
pub const GUEST_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
pub const BROADCAST: [u8; 6] = [0xff; 6];

pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_ARP: u16 = 0x0806;

/// One end of a `-netdev dgram` link: a UDP socket on 127.0.0.1 and the port QEMU listens on.
pub struct NetPeer {
    sock: UdpSocket,
    qemu: SocketAddr,
}

impl Default for NetPeer {
    fn default() -> Self {
        Self::new()
    }
}

impl NetPeer {
    /// Bind a socket on 127.0.0.1 and pick a free port for QEMU's end.
    pub fn new() -> NetPeer {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind the peer's UDP socket");
        // A port the kernel just handed out and we gave back: free for QEMU to bind next.
        let qemu = UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("pick a port for QEMU");
        NetPeer { sock, qemu }
    }
    /// The peer's own address (QEMU's `remote`).
    pub fn local(&self) -> SocketAddr {
        self.sock.local_addr().unwrap()
    }
    /// The `--netdev` value connecting board netdev `id` to this peer.
    pub fn netdev(&self, id: &str) -> String {
        format!(
            "{id}=dgram,local.type=inet,local.host=127.0.0.1,local.port={},remote.type=inet,remote.host=127.0.0.1,remote.port={}",
            self.qemu.port(),
            self.local().port()
        )
    }
    /// The same link as QEMU's own `-netdev` value (`dgram,id=ID,...`), for `jsk image run`.
    pub fn qemu_netdev(&self, id: &str) -> String {
        let spec = self.netdev(id);
        let rest = spec.split_once("=dgram,").map(|(_, r)| r).expect("a dgram netdev");
        format!("dgram,id={id},{rest}")
    }
    /// Send one Ethernet frame to the NIC. A datagram sent before QEMU bound its port is lost
    /// (and may come back as ECONNREFUSED on a later receive, which `recv` ignores).
    pub fn send(&self, frame: &[u8]) {
        let _ = self.sock.send_to(frame, self.qemu);
    }
    /// A second handle on the same socket (for a receiving thread).
    pub fn try_clone(&self) -> NetPeer {
        NetPeer { sock: self.sock.try_clone().expect("clone the UDP socket"), qemu: self.qemu }
    }
    /// The next frame the NIC sends, or None after `within`.
    pub fn recv(&self, within: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + within;
        let mut buf = vec![0u8; 65536];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.sock.set_read_timeout(Some(left)).unwrap();
            match self.sock.recv_from(&mut buf) {
                Ok((n, from)) if from == self.qemu => return Some(buf[..n].to_vec()),
                Ok(_) => continue, // not from QEMU
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return None
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => continue,
                Err(e) => panic!("net peer: {e}"),
            }
        }
    }
    /// The next frame for which `want` holds (others are dropped), or None after `within`.
    pub fn recv_matching(&self, within: Duration, mut want: impl FnMut(&[u8]) -> bool) -> Option<Vec<u8>> {
        let deadline = Instant::now() + within;
        loop {
            let f = self.recv(deadline.saturating_duration_since(Instant::now()))?;
            if want(&f) {
                return Some(f);
            }
        }
    }
    /// Every frame that arrives until `within` passes with none (for counting a burst).
    pub fn collect(&self, quiet: Duration, max_total: Duration) -> Vec<Vec<u8>> {
        let end = Instant::now() + max_total;
        let mut out = Vec::new();
        while let Some(f) = self.recv(quiet.min(end.saturating_duration_since(Instant::now()))) {
            out.push(f);
        }
        out
    }
    /// Ask who has `target_ip` every 200 ms until a valid reply comes (the guest may still be
    /// starting), or `within` passes. Returns the MAC it answered with.
    pub fn resolve(
        &self,
        my_mac: [u8; 6],
        my_ip: [u8; 4],
        target_ip: [u8; 4],
        within: Duration,
    ) -> Result<[u8; 6], String> {
        let deadline = Instant::now() + within;
        let req = arp_request(my_mac, my_ip, target_ip);
        while Instant::now() < deadline {
            self.send(&req);
            let step = Duration::from_millis(200).min(deadline.saturating_duration_since(Instant::now()));
            if let Some(f) = self.recv_matching(step, |f| check_arp_reply(f, my_mac, my_ip, target_ip).is_ok()) {
                return check_arp_reply(&f, my_mac, my_ip, target_ip);
            }
        }
        Err(format!("no ARP reply for {target_ip:?} within {within:?}"))
    }
    /// `count` ICMP echo requests to `target`, one at a time, each answered by a valid reply
    /// from `target_mac` within 5 s; the first that is not is the error.
    pub fn ping(
        &self,
        (my_mac, my_ip): ([u8; 6], [u8; 4]),
        (target_mac, target_ip): ([u8; 6], [u8; 4]),
        count: u16,
        payload: &[u8],
    ) -> Result<(), String> {
        for seq in 0..count {
            let req = icmp_echo_request(target_mac, my_mac, my_ip, target_ip, 0x6a73, seq, payload);
            self.send(&req);
            if self
                .recv_matching(Duration::from_secs(5), |f| check_icmp_echo_reply(f, &req, target_mac).is_ok())
                .is_none()
            {
                return Err(format!("no reply to echo request {seq} of {count}"));
            }
        }
        Ok(())
    }
}

// ---- checksums and builders -------------------------------------------------

/// RFC 1071 one's-complement sum (folded, not complemented), continuing `sum`.
pub fn ones_sum(bytes: &[u8], mut sum: u32) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [b] = chunks.remainder() {
        sum += u32::from(*b) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum
}

/// The Internet checksum; 0 over data that includes a correct one.
pub fn checksum(bytes: &[u8]) -> u16 {
    !(ones_sum(bytes, 0) as u16)
}

fn pseudo(src: [u8; 4], dst: [u8; 4], proto: u8, len: usize) -> u32 {
    let mut p = Vec::with_capacity(12);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(&[0, proto]);
    p.extend_from_slice(&(len as u16).to_be_bytes());
    ones_sum(&p, 0)
}

fn ethernet(dst: [u8; 6], src: [u8; 6], ethertype: u16) -> Vec<u8> {
    let mut f = Vec::with_capacity(64);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f
}

fn pad(mut f: Vec<u8>) -> Vec<u8> {
    if f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload_len: usize, id: u16) -> [u8; 20] {
    let mut h = [0u8; 20];
    h[0] = 0x45;
    h[2..4].copy_from_slice(&((20 + payload_len) as u16).to_be_bytes());
    h[4..6].copy_from_slice(&id.to_be_bytes());
    h[6] = 0x40; // DF
    h[8] = 64;
    h[9] = proto;
    h[12..16].copy_from_slice(&src);
    h[16..20].copy_from_slice(&dst);
    let c = checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h
}

/// A broadcast "who has `target_ip`? tell `src_ip`", padded to 60 bytes.
pub fn arp_request(src_mac: [u8; 6], src_ip: [u8; 4], target_ip: [u8; 4]) -> Vec<u8> {
    let mut f = ethernet(BROADCAST, src_mac, ETHERTYPE_ARP);
    f.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&src_ip);
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&target_ip);
    pad(f)
}

/// An ICMP echo request (type 8) frame.
pub fn icmp_echo_request(
    dst_mac: [u8; 6],
    src_mac: [u8; 6],
    src_ip: [u8; 4],
    dst_ip: [u8; 4],
    id: u16,
    seq: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut icmp = vec![8, 0, 0, 0];
    icmp.extend_from_slice(&id.to_be_bytes());
    icmp.extend_from_slice(&seq.to_be_bytes());
    icmp.extend_from_slice(payload);
    let c = checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let mut f = ethernet(dst_mac, src_mac, ETHERTYPE_IPV4);
    f.extend_from_slice(&ipv4(src_ip, dst_ip, 1, icmp.len(), seq));
    f.extend_from_slice(&icmp);
    pad(f)
}

/// A UDP frame with the pseudo-header checksum.
pub fn udp_frame(
    dst_mac: [u8; 6],
    src_mac: [u8; 6],
    src_ip: [u8; 4],
    dst_ip: [u8; 4],
    src_port: u16,
    dst_port: u16,
    payload: &[u8],
) -> Vec<u8> {
    let len = 8 + payload.len();
    let mut udp = Vec::with_capacity(len);
    udp.extend_from_slice(&src_port.to_be_bytes());
    udp.extend_from_slice(&dst_port.to_be_bytes());
    udp.extend_from_slice(&(len as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    let mut c = !(ones_sum(&udp, pseudo(src_ip, dst_ip, 17, len)) as u16);
    if c == 0 {
        c = 0xffff;
    }
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    let mut f = ethernet(dst_mac, src_mac, ETHERTYPE_IPV4);
    f.extend_from_slice(&ipv4(src_ip, dst_ip, 17, len, 0));
    f.extend_from_slice(&udp);
    pad(f)
}

// ---- parsing and checkers -------------------------------------------------------

/// An IPv4 datagram inside an Ethernet frame, checked: header checksum, lengths.
#[derive(Debug, Clone)]
pub struct Ipv4<'a> {
    pub src: [u8; 4],
    pub dst: [u8; 4],
    pub proto: u8,
    pub ttl: u8,
    pub payload: &'a [u8],
}

fn ethertype(f: &[u8]) -> Option<u16> {
    (f.len() >= 14).then(|| u16::from_be_bytes([f[12], f[13]]))
}

/// The IPv4 datagram of an untagged frame, or an error saying what is wrong.
pub fn parse_ipv4(f: &[u8]) -> Result<Ipv4<'_>, String> {
    if ethertype(f) != Some(ETHERTYPE_IPV4) {
        return Err(format!("not IPv4: ethertype {:?}", ethertype(f)));
    }
    let ip = &f[14..];
    if ip.len() < 20 || ip[0] >> 4 != 4 {
        return Err("short or not version 4".into());
    }
    let ihl = usize::from(ip[0] & 15) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    if ihl < 20 || ihl > ip.len() || total < ihl || total > ip.len() {
        return Err(format!("bad lengths: ihl {ihl}, total {total}, have {}", ip.len()));
    }
    if checksum(&ip[..ihl]) != 0 {
        return Err("bad IPv4 header checksum".into());
    }
    Ok(Ipv4 {
        src: ip[12..16].try_into().unwrap(),
        dst: ip[16..20].try_into().unwrap(),
        proto: ip[9],
        ttl: ip[8],
        payload: &ip[ihl..total],
    })
}

/// A UDP datagram: (src port, dst port, payload), checksum verified (0 accepted).
pub fn parse_udp<'a>(ip: &Ipv4<'a>) -> Result<(u16, u16, &'a [u8]), String> {
    if ip.proto != 17 {
        return Err(format!("not UDP: protocol {}", ip.proto));
    }
    let u = ip.payload;
    if u.len() < 8 {
        return Err("short UDP header".into());
    }
    let len = usize::from(u16::from_be_bytes([u[4], u[5]]));
    if len < 8 || len > u.len() {
        return Err(format!("bad UDP length {len} (have {})", u.len()));
    }
    if u[6..8] != [0, 0] && ones_sum(&u[..len], pseudo(ip.src, ip.dst, 17, len)) != 0xffff {
        return Err("bad UDP checksum".into());
    }
    Ok((u16::from_be_bytes([u[0], u[1]]), u16::from_be_bytes([u[2], u[3]]), &u[8..len]))
}

/// Check an ARP reply to `my_mac`/`my_ip` saying where `target_ip` is; returns that MAC.
pub fn check_arp_reply(f: &[u8], my_mac: [u8; 6], my_ip: [u8; 4], target_ip: [u8; 4]) -> Result<[u8; 6], String> {
    if ethertype(f) != Some(ETHERTYPE_ARP) || f.len() < 42 {
        return Err("not an ARP frame".into());
    }
    let a = &f[14..42];
    if a[..6] != [0, 1, 0x08, 0x00, 6, 4] {
        return Err(format!("not ARP for IPv4 over Ethernet: {:02x?}", &a[..6]));
    }
    if a[6..8] != [0, 2] {
        return Err(format!("op {} is not a reply", u16::from_be_bytes([a[6], a[7]])));
    }
    let sha: [u8; 6] = a[8..14].try_into().unwrap();
    if a[14..18] != target_ip || a[18..24] != my_mac || a[24..28] != my_ip {
        return Err(format!("reply for someone else: {:02x?}", a));
    }
    if f[..6] != my_mac || f[6..12] != sha {
        return Err(format!(
            "Ethernet addresses {:02x?} -> {:02x?} do not match the ARP sender {sha:02x?}",
            &f[6..12],
            &f[..6]
        ));
    }
    Ok(sha)
}

/// Check that `f` is the echo reply to `request` from `responder_mac`: addresses swapped, type
/// 0 code 0, same id, seq and payload, valid IPv4 and ICMP checksums.
pub fn check_icmp_echo_reply(f: &[u8], request: &[u8], responder_mac: [u8; 6]) -> Result<(), String> {
    let q = parse_ipv4(request).map_err(|e| format!("request: {e}"))?;
    let r = parse_ipv4(f)?;
    if r.proto != 1 {
        return Err(format!("protocol {} is not ICMP", r.proto));
    }
    if f[..6] != request[6..12] || f[6..12] != responder_mac {
        return Err(format!(
            "Ethernet {:02x?} -> {:02x?}, expected {responder_mac:02x?} -> {:02x?}",
            &f[6..12],
            &f[..6],
            &request[6..12]
        ));
    }
    if r.src != q.dst || r.dst != q.src {
        return Err(format!("IP {:?} -> {:?}, expected {:?} -> {:?}", r.src, r.dst, q.dst, q.src));
    }
    let (c, qc) = (r.payload, q.payload);
    if c.len() < 8 || c[0] != 0 || c[1] != 0 {
        return Err(format!("not an echo reply: {:02x?}", &c[..c.len().min(8)]));
    }
    if checksum(c) != 0 {
        return Err("bad ICMP checksum".into());
    }
    if c[4..] != qc[4..] {
        return Err("id, seq or payload differ from the request".into());
    }
    Ok(())
}

/// Check that `f` echoes the UDP `request` back from `responder_mac` (addresses and ports
/// swapped, same payload, checksums valid).
pub fn check_udp_echo(f: &[u8], request: &[u8], responder_mac: [u8; 6]) -> Result<(), String> {
    let q = parse_ipv4(request).map_err(|e| format!("request: {e}"))?;
    let (qs, qd, qp) = parse_udp(&q).map_err(|e| format!("request: {e}"))?;
    let r = parse_ipv4(f)?;
    let (rs, rd, rp) = parse_udp(&r)?;
    if f[..6] != request[6..12] || f[6..12] != responder_mac {
        return Err("Ethernet addresses not swapped".into());
    }
    if r.src != q.dst || r.dst != q.src || rs != qd || rd != qs {
        return Err(format!("{:?}:{rs} -> {:?}:{rd}, expected {:?}:{qd} -> {:?}:{qs}", r.src, r.dst, q.dst, q.src));
    }
    if rp != qp {
        return Err("payload differs".into());
    }
    Ok(())
}

/// The sequence number of a frame from examples/pktgen.js ("JSKP" + u32), after checking it.
pub fn pktgen_seq(f: &[u8]) -> Option<u32> {
    let ip = parse_ipv4(f).ok()?;
    let (_, _, p) = parse_udp(&ip).ok()?;
    (p.len() >= 8 && &p[..4] == b"JSKP").then(|| u32::from_be_bytes([p[4], p[5], p[6], p[7]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_of_known_vectors() {
        // RFC 1071 §3 and the classic IPv4 header example.
        assert_eq!(ones_sum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7], 0), 0xddf2);
        let h = [0x45, 0x00, 0x00, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7];
        assert_eq!(checksum(&h), 0xb861);
    }

    #[test]
    fn builders_agree_with_the_checkers() {
        let req = icmp_echo_request(GUEST_MAC, PEER_MAC, PEER_IP, GUEST_IP, 7, 9, b"abcdefgh");
        assert_eq!(parse_ipv4(&req).unwrap().payload.len(), 16);
        // A hand-made reply passes; a wrong one does not.
        let mut rep = icmp_echo_request(PEER_MAC, GUEST_MAC, GUEST_IP, PEER_IP, 7, 9, b"abcdefgh");
        rep[34] = 0;
        rep[36..38].copy_from_slice(&[0, 0]);
        let c = checksum(&rep[34..50]);
        rep[36..38].copy_from_slice(&c.to_be_bytes());
        check_icmp_echo_reply(&rep, &req, GUEST_MAC).unwrap();
        assert!(check_icmp_echo_reply(&rep, &req, PEER_MAC).is_err());
        let udp = udp_frame(GUEST_MAC, PEER_MAC, PEER_IP, GUEST_IP, 4000, 7, b"hi");
        let back = udp_frame(PEER_MAC, GUEST_MAC, GUEST_IP, PEER_IP, 7, 4000, b"hi");
        check_udp_echo(&back, &udp, GUEST_MAC).unwrap();
        let arp = arp_request(PEER_MAC, PEER_IP, GUEST_IP);
        assert_eq!(arp.len(), 60);
        assert!(check_arp_reply(&arp, PEER_MAC, PEER_IP, GUEST_IP).is_err());
    }
}

/// The examples on QEMU's e1000 and virtio-net (qtest tier), unchanged, with this peer at the
/// other end of the wire.
#[cfg(test)]
mod qtest_examples {
    use super::*;
    use crate::{jsk, repo, require_qemu, scratch};
    use std::process::{Child, Command, Stdio};

    const WAIT: Duration = Duration::from_secs(60);

    /// A NIC of the x86 board: its netdev, the examples' `--device` for it, its MAC.
    struct Nic {
        netdev: &'static str,
        device: &'static [&'static str],
        mac: [u8; 6],
    }
    const E1000: Nic = Nic { netdev: "net0", device: &[], mac: GUEST_MAC };
    const VIRTIO: Nic =
        Nic { netdev: "net1", device: &["--device", "0000:00:04.0"], mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x57] };

    fn spawn(nic: &Nic, peer: &NetPeer, pre: &[&str], args: &[&str]) -> Child {
        require_qemu("qemu-system-x86_64");
        Command::new(jsk())
            .current_dir(repo())
            .args(["run", "--timeout", "120", "--board", "devices/qemu-x86.toml", "--netdev", &peer.netdev(nic.netdev)])
            .args(pre)
            .args(args)
            .args(nic.device)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start jsk")
    }

    fn finish(child: Child) -> (i32, String) {
        let out = child.wait_with_output().expect("wait for jsk");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), text)
    }

    /// (captured frames) of a classic pcap file, checking its global header.
    fn read_pcap(path: &std::path::Path) -> Vec<Vec<u8>> {
        let b = std::fs::read(path).expect("the pcap file exists");
        assert!(b.len() >= 24, "pcap shorter than its header");
        let u32le = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!(u32le(0), 0xa1b2c3d4, "magic");
        assert_eq!((u16::from_le_bytes([b[4], b[5]]), u16::from_le_bytes([b[6], b[7]])), (2, 4), "version");
        assert_eq!((u32le(16), u32le(20)), (65535, 1), "snaplen, linktype");
        let mut out = Vec::new();
        let mut at = 24;
        while at + 16 <= b.len() {
            let cap = u32le(at + 8) as usize;
            assert_eq!(cap, u32le(at + 12) as usize, "whole frames are captured");
            assert!(at + 16 + cap <= b.len(), "a torn record");
            out.push(b[at + 16..at + 16 + cap].to_vec());
            at += 16 + cap;
        }
        assert_eq!(at, b.len());
        out
    }

    #[test]
    fn ping_responder_answers_arp_and_echo_and_writes_a_pcap() {
        ping_responder(&E1000, "net-ping");
    }

    #[test]
    fn ping_responder_on_virtio_net() {
        ping_responder(&VIRTIO, "net-ping-virtio");
    }

    fn ping_responder(nic: &Nic, case: &str) {
        let dir = scratch(case);
        let pcap = dir.join("ping.pcap");
        let peer = NetPeer::new();
        let child = spawn(
            nic,
            &peer,
            &["--pcap", pcap.to_str().unwrap()],
            &["examples/ping-responder.js", "10.0.2.15", "--count", "3"],
        );
        let mac = peer.resolve(PEER_MAC, PEER_IP, GUEST_IP, WAIT);
        let mac = match mac {
            Ok(m) => m,
            Err(e) => {
                let (_, text) = finish(child);
                panic!("{e}\n{text}");
            }
        };
        assert_eq!(mac, nic.mac);
        // An echo request for another address is not answered.
        peer.send(&icmp_echo_request(mac, PEER_MAC, PEER_IP, [10, 0, 2, 16], 1, 99, b"not me"));
        for seq in 0..3u16 {
            let payload: Vec<u8> = (0..56).map(|i| (i as u8).wrapping_mul(seq as u8 + 3)).collect();
            let req = icmp_echo_request(mac, PEER_MAC, PEER_IP, GUEST_IP, 0x4a53, seq, &payload);
            peer.send(&req);
            let reply =
                peer.recv_matching(Duration::from_secs(10), |f| parse_ipv4(f).map(|ip| ip.proto == 1).unwrap_or(false));
            let reply = reply.unwrap_or_else(|| panic!("no echo reply for seq {seq}"));
            check_icmp_echo_reply(&reply, &req, nic.mac).unwrap_or_else(|e| panic!("seq {seq}: {e}"));
        }
        let (code, text) = finish(child);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("ping-responder: 3 echo replies"), "{text}");
        let frames = read_pcap(&pcap);
        let replies = frames
            .iter()
            .filter(|f| parse_ipv4(f).map(|ip| ip.proto == 1 && ip.src == GUEST_IP).unwrap_or(false))
            .count();
        let requests = frames
            .iter()
            .filter(|f| parse_ipv4(f).map(|ip| ip.proto == 1 && ip.dst == GUEST_IP).unwrap_or(false))
            .count();
        let arp_replies = frames.iter().filter(|f| check_arp_reply(f, PEER_MAC, PEER_IP, GUEST_IP).is_ok()).count();
        assert_eq!((requests, replies), (3, 3), "{} frames captured", frames.len());
        assert!(arp_replies >= 1);
        // tcpdump reads the file and shows the ARP and ICMP exchange (dev.sh installs tcpdump).
        let out = Command::new("tcpdump")
            .args(["-nn", "-r"])
            .arg(&pcap)
            .output()
            .expect("tcpdump is installed (bash dev.sh test installs it)");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "tcpdump: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("ARP, Request") && text.contains("ARP, Reply"), "{text}");
        assert_eq!(text.matches("> 10.0.2.15: ICMP echo request").count(), 3, "{text}");
        assert_eq!(text.matches("ICMP echo reply").count(), 3, "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn udp_echo_returns_datagrams() {
        udp_echo(&E1000);
    }

    #[test]
    fn udp_echo_on_virtio_net() {
        udp_echo(&VIRTIO);
    }

    fn udp_echo(nic: &Nic) {
        let peer = NetPeer::new();
        let child = spawn(nic, &peer, &[], &["examples/udp-echo.js", "10.0.2.15", "7", "--count", "3"]);
        let mac = match peer.resolve(PEER_MAC, PEER_IP, GUEST_IP, WAIT) {
            Ok(m) => m,
            Err(e) => panic!("{e}\n{}", finish(child).1),
        };
        // Another port is ignored.
        peer.send(&udp_frame(mac, PEER_MAC, PEER_IP, GUEST_IP, 5000, 8, b"wrong port"));
        for (i, size) in [1usize, 100, 1472].into_iter().enumerate() {
            let payload: Vec<u8> = (0..size).map(|k| (k * 31 + i) as u8).collect();
            let req = udp_frame(mac, PEER_MAC, PEER_IP, GUEST_IP, 40000 + i as u16, 7, &payload);
            peer.send(&req);
            let back = peer
                .recv_matching(Duration::from_secs(10), |f| parse_ipv4(f).map(|ip| ip.proto == 17).unwrap_or(false));
            let back = back.unwrap_or_else(|| panic!("no echo of {size} bytes"));
            check_udp_echo(&back, &req, nic.mac).unwrap_or_else(|e| panic!("{size} bytes: {e}"));
        }
        let (code, text) = finish(child);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("udp-echo: echoed 3 datagrams (1573 payload bytes)"), "{text}");
    }

    #[test]
    fn pktgen_sends_numbered_frames() {
        pktgen(&E1000);
    }

    #[test]
    fn pktgen_on_virtio_net() {
        pktgen(&VIRTIO);
    }

    fn pktgen(nic: &Nic) {
        let peer = NetPeer::new();
        let n = 300u32;
        let child = spawn(
            nic,
            &peer,
            &[],
            &["examples/pktgen.js", "--count", &n.to_string(), "--size", "128", "--dst-mac", "02:00:00:00:00:02"],
        );
        let mut seqs = Vec::new();
        let deadline = Instant::now() + WAIT;
        while seqs.len() < n as usize && Instant::now() < deadline {
            if let Some(f) = peer.recv(Duration::from_secs(1)) {
                if let Some(s) = pktgen_seq(&f) {
                    assert_eq!(f.len(), 124, "128 bytes on the wire less the FCS");
                    assert_eq!(f[..6], PEER_MAC);
                    seqs.push(s);
                }
            }
        }
        let (code, text) = finish(child);
        assert_eq!(code, 0, "{text}");
        assert_eq!(seqs, (0..n).collect::<Vec<_>>(), "{text}");
        assert!(text.contains(&format!("pktgen: sent {n} frames in")), "{text}");
        assert!(text.contains("packets/s") && text.contains("Mbit/s"), "{text}");
    }
}
