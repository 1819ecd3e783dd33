// Tests for jsk:net (checksums against published and independently computed vectors, build →
// parse round trips, malformed frames) and jsk:net/pcap (files written and read back, the
// NetDevice tap). Files go in a temporary directory under /tmp that the last test removes.

import { test, assert } from "jsk:test";
import * as sys from "jsk:sys";
import * as net from "jsk:net";
import {
  PcapWriter, readPcap, readPcapFile, pcapTap, sharedPcapWriter, PCAP_MAGIC, PCAP_MAGIC_NS, LINKTYPE_ETHERNET,
} from "jsk:net/pcap";
import { NetDevice, PacketPool } from "jsk:hal";

const dir = `/tmp/jsk-net-test-${sys.getpid()}`;
sys.mkdir(dir);
const hex = (s) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g), (h) => parseInt(h, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

const MAC_A = net.parseMac("52:54:00:12:34:56");
const MAC_B = net.parseMac("02:00:00:00:00:02");
const IP_A = net.parseIPv4Address("10.0.2.15");
const IP_B = net.parseIPv4Address("10.0.2.2");

// A deterministic PRNG (xorshift32) for the fuzz-style tests.
function prng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

// The obvious RFC 1071 checksum, written differently (BigInt, fold at the end) as a reference.
function refChecksum(bytes) {
  let s = 0n;
  for (let i = 0; i < bytes.length; i += 2) s += BigInt((bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0));
  while (s > 0xffffn) s = (s & 0xffffn) + (s >> 16n);
  return Number(~s & 0xffffn);
}

// ---- checksums -----------------------------------------------------------------------------

test("RFC 1071 §3 example: sum 0xddf2, checksum 0x220d", () => {
  const b = hex("0001 f203 f4f5 f6f7");
  assert.equal(net.checksumAdd(b), 0xddf2);
  assert.equal(net.internetChecksum(b), 0x220d);
  // Chained pieces give the same result as the whole.
  assert.equal(net.internetChecksum(b, 4, 4, net.checksumAdd(b, 0, 4)), 0x220d);
});

test("the classic IPv4 header example: checksum 0xb861, verifies to 0", () => {
  const h = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
  assert.equal(net.internetChecksum(h), 0xb861);
  h[10] = 0xb8; h[11] = 0x61;
  assert.equal(net.internetChecksum(h), 0);
  const ip = net.parseIPv4(new Uint8Array([...h, ...new Uint8Array(0x73 - 20)]), 0, 0x73);
  assert.ok(ip && ip.checksumOk);
  assert.equal(net.formatIPv4Address(ip.src), "192.168.0.1");
  assert.equal(net.formatIPv4Address(ip.dst), "192.168.0.199");
  assert.deepEqual([ip.protocol, ip.ttl, ip.dontFragment, ip.headerLength, ip.payloadLength], [17, 64, true, 20, 0x73 - 20]);
});

test("odd lengths, empty input, all-ones and long buffers match a reference implementation", () => {
  assert.equal(net.checksumAdd(hex("01")), 0x0100);
  assert.equal(net.internetChecksum(new Uint8Array(0)), 0xffff);
  assert.equal(net.internetChecksum(new Uint8Array(65536).fill(0xff)), 0);
  const rnd = prng(7);
  for (const n of [1, 2, 3, 19, 20, 1499, 1500, 9000, 16385, 65535, 100001]) {
    const b = Uint8Array.from({ length: n }, () => rnd() & 0xff);
    assert.equal(net.internetChecksum(b), refChecksum(b), `length ${n}`);
    const cut = (n >> 1) & ~1; // an even split point
    assert.equal(net.internetChecksum(b, cut, n - cut, net.checksumAdd(b, 0, cut)), refChecksum(b), `chained at ${cut} of ${n}`);
  }
});

test("every alignment (word loads for long runs) gives the reference sum", () => {
  const rnd = prng(13);
  const backing = Uint8Array.from({ length: 4096 + 16 }, () => rnd() & 0xff);
  for (const start of [0, 1, 2, 3, 5, 6, 7]) {
    const view = backing.subarray(start); // byteOffset of every residue mod 4
    for (const off of [0, 1, 2, 3]) {
      for (const n of [0, 1, 2, 3, 4, 5, 63, 64, 65, 66, 67, 68, 127, 1500, 1501, 4000]) {
        const expected = refChecksum(view.subarray(off, off + n));
        assert.equal(net.internetChecksum(view, off, n), expected, `start ${start}, offset ${off}, length ${n}`);
        assert.equal(net.internetChecksum(view.subarray(off, off + n)), expected, `subarray at ${start + off}, length ${n}`);
      }
    }
  }
  // Past the periodic fold of the word loop (2^20 words): 5 MiB of 0x01 sums to n·0x0101 mod 0xffff.
  const big = new Uint8Array(5 << 20).fill(1);
  let want = (big.length / 2) * 0x0101;
  while (want > 0xffff) want = (want % 65536) + Math.floor(want / 65536);
  assert.equal(net.checksumAdd(big), want);
  assert.equal(net.checksumAdd(big, 2, big.length - 2, net.checksumAdd(big, 0, 2)), want);
});

test("RFC 1624 incremental update agrees with recomputation", () => {
  const rnd = prng(11);
  for (let k = 0; k < 2000; k++) {
    const b = Uint8Array.from({ length: 40 }, () => rnd() & 0xff);
    b[10] = 0; b[11] = 0;
    const c = net.internetChecksum(b);
    b[10] = c >> 8; b[11] = c & 0xff;
    const w = 2 * (rnd() % 20);
    if (w === 10) continue;
    const oldWord = (b[w] << 8) | b[w + 1], newWord = rnd() & 0xffff;
    b[w] = newWord >> 8; b[w + 1] = newWord & 0xff;
    const c2 = net.checksumUpdate16(c, oldWord, newWord);
    b[10] = c2 >> 8; b[11] = c2 & 0xff;
    assert.equal(net.internetChecksum(b), 0, `iteration ${k}`);
  }
  assert.throws(() => net.checksumUpdate16(0x10000, 0, 0), RangeError);
});

test("checksum arguments outside the buffer throw RangeError", () => {
  const b = new Uint8Array(10);
  assert.throws(() => net.checksumAdd(b, 5, 6), RangeError);
  assert.throws(() => net.checksumAdd(b, -1, 2), RangeError);
  assert.throws(() => net.internetChecksum(b, 0, 4, 0x10000), RangeError);
  assert.throws(() => net.checksumAdd([1, 2]), TypeError);
  assert.throws(() => net.udpChecksum(b, 0, 11, 0, 0), RangeError);
});

// ---- addresses -----------------------------------------------------------------------------

test("MAC and IPv4 addresses parse and format; bad text throws", () => {
  assert.equal(net.formatMac(MAC_A), "52:54:00:12:34:56");
  assert.deepEqual(net.parseMac("52-54-00-12-34-56"), MAC_A);
  assert.deepEqual(net.parseMac("a:b:c:d:e:f"), Uint8Array.of(10, 11, 12, 13, 14, 15));
  for (const bad of ["", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5g", "123:54:00:12:34:56", "52:54:00-12:34:56"]) {
    assert.throws(() => net.parseMac(bad), RangeError, bad);
  }
  assert.throws(() => net.parseMac(42), TypeError);
  assert.equal(net.formatMac(hex("00 00 ff ee dd cc bb aa"), 2), "ff:ee:dd:cc:bb:aa");
  assert.throws(() => net.formatMac(new Uint8Array(7), 2), RangeError);

  assert.equal(IP_A, 0x0a00020f);
  assert.equal(net.parseIPv4Address("255.255.255.255"), 0xffffffff);
  assert.equal(net.formatIPv4Address(0xffffffff), "255.255.255.255");
  assert.equal(net.formatIPv4Address(0), "0.0.0.0");
  for (const bad of ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", " 1.2.3.4", "1.2.3.-4", "1..3.4", "0x1.2.3.4"]) {
    assert.throws(() => net.parseIPv4Address(bad), RangeError, bad);
  }
  assert.throws(() => net.formatIPv4Address(2 ** 32), RangeError);
  assert.throws(() => net.formatIPv4Address(-1), RangeError);

  const b = new Uint8Array(8);
  net.writeIPv4Address(b, 2, IP_B);
  assert.equal(toHex(b), "00000a0002020000");
  assert.equal(net.readIPv4Address(b, 2), IP_B);
  assert.ok(net.isBroadcastMac(net.broadcastMac()));
  assert.ok(net.isMulticastMac(hex("01005e000001")));
  assert.ok(!net.isMulticastMac(MAC_A));
  assert.ok(net.macEquals(hex("ff525400123456"), 1, MAC_A));
});

// ---- frames: exact bytes against an independent implementation ----------------------------

test("an ICMP echo request frame, byte for byte", () => {
  const b = new Uint8Array(200).fill(0xee);
  const payload = Uint8Array.from({ length: 32 }, (_, i) => 0x10 + i);
  const n = net.buildIcmpEchoFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, id: 0x1234, seq: 1, payload, ipId: 1 });
  assert.equal(n, 14 + 20 + 8 + 32);
  // Checksums from Python's struct-based RFC 1071 code: IP 0x22b0, ICMP 0xf3c8.
  assert.equal(toHex(b.subarray(0, 42)),
    "525400123456" + "020000000002" + "0800" +
    "4500003c" + "00014000" + "400122b0" + "0a000202" + "0a00020f" +
    "0800f3c8" + "12340001");
  assert.deepEqual(b.subarray(42, n), payload);
  const f = net.parseFrame(b, n);
  assert.equal(f.kind, "icmp");
  assert.deepEqual([f.icmp.type, f.icmp.code, f.icmp.id, f.icmp.seq, f.icmp.payloadLength, f.icmp.checksumOk], [8, 0, 0x1234, 1, 32, true]);
});

test("a UDP frame, byte for byte, and checksum 0 is accepted", () => {
  const b = new Uint8Array(100);
  const payload = new TextEncoder().encode("hello, jsk");
  const n = net.buildUdpFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 5000, dstPort: 7, payload, id: 0x1c46 });
  assert.equal(n, 60, "padded to the minimum");
  // IP checksum 0x0671 and UDP checksum 0xfc56, from Python.
  assert.equal(toHex(b.subarray(0, 52)),
    "525400123456020000000002" + "0800" +
    "45000026" + "1c464000" + "40110671" + "0a000202" + "0a00020f" +
    "13880007" + "0012fc56" + toHex(payload));
  assert.ok(b.subarray(52, 60).every((x) => x === 0), "zero padding");
  const f = net.parseFrame(b, n);
  assert.equal(f.kind, "udp");
  assert.deepEqual([f.udp.srcPort, f.udp.dstPort, f.udp.length, f.udp.payloadOffset, f.udp.payloadLength], [5000, 7, 18, 42, 10]);
  assert.equal(f.ip.end, 52, "Ethernet padding is not IP payload");
  // The same datagram without a checksum.
  const m = net.buildUdpFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 5000, dstPort: 7, payloadLength: 10, checksum: false });
  assert.equal(m, 60);
  assert.equal(toHex(b.subarray(40, 42)), "0000");
  assert.equal(net.parseFrame(b, m).kind, "udp");
  // A wrong checksum: parseUdp reports it, parseFrame rejects the frame.
  b[41] = 1;
  const ip = net.parseIPv4(b, 14, 60);
  assert.equal(net.parseUdp(b, ip.payloadOffset, ip.end, ip.src, ip.dst).checksumOk, false);
  assert.equal(net.parseFrame(b, 60), null);
});

test("a computed UDP checksum of 0 is sent as 0xffff", () => {
  // Find a payload word that makes the sum come out to 0, then check the result.
  const b = new Uint8Array(64);
  const at = 14 + 20 + 8;
  const f = { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 1, dstPort: 2, payloadLength: 2 };
  b[at] = 0; b[at + 1] = 0;
  net.buildUdpFrame(b, f);
  const c = (b[40] << 8) | b[41]; // checksum with a zero payload word
  // Adding word w changes the checksum to ~(~c + w); choose w = c so that it becomes ~0xffff = 0.
  b[at] = c >> 8; b[at + 1] = c & 0xff;
  net.buildUdpFrame(b, f);
  assert.equal(toHex(b.subarray(40, 42)), "ffff");
  assert.equal(net.parseFrame(b, 60).kind, "udp");
});

// ---- ARP ---------------------------------------------------------------------------------

test("ARP request → parse → reply in place → parse", () => {
  const b = new Uint8Array(64).fill(0x77);
  assert.equal(net.buildArpRequest(b, MAC_B, IP_B, IP_A), 60);
  assert.equal(toHex(b.subarray(0, 42)),
    "ffffffffffff" + "020000000002" + "0806" + "0001" + "0800" + "06" + "04" + "0001" +
    "020000000002" + "0a000202" + "000000000000" + "0a00020f");
  assert.ok(b.subarray(42, 60).every((x) => x === 0));
  const f = net.parseFrame(b, 60);
  assert.equal(f.kind, "arp");
  assert.equal(f.arp.op, net.ARP_REQUEST);
  assert.equal(net.formatMac(f.arp.senderMac), "02:00:00:00:00:02");
  assert.deepEqual([f.arp.senderIp, f.arp.targetIp], [IP_B, IP_A]);
  assert.ok(net.isBroadcastMac(b, 0));

  const n = net.arpReplyInPlace(b, f, MAC_A, IP_A);
  assert.equal(n, 60);
  const r = net.parseFrame(b, n);
  assert.equal(r.kind, "arp");
  assert.equal(net.formatMac(r.eth.dst), "02:00:00:00:00:02");
  assert.equal(net.formatMac(r.eth.src), "52:54:00:12:34:56");
  assert.equal(r.arp.op, net.ARP_REPLY);
  assert.equal(net.formatMac(r.arp.senderMac), "52:54:00:12:34:56");
  assert.equal(net.formatMac(r.arp.targetMac), "02:00:00:00:00:02");
  assert.deepEqual([r.arp.senderIp, r.arp.targetIp], [IP_A, IP_B]);

  // buildArpReply writes the same reply from scratch.
  const c = new Uint8Array(60);
  net.buildArpReply(c, MAC_A, IP_A, MAC_B, IP_B);
  assert.deepEqual(c, b.subarray(0, 60));
  assert.throws(() => net.icmpEchoReplyInPlace(b, r, MAC_A), TypeError);
});

test("ARP that is not IPv4 over Ethernet is rejected", () => {
  const b = new Uint8Array(60);
  net.buildArpRequest(b, MAC_B, IP_B, IP_A);
  for (const [at, v] of [[15, 6], [16, 0x86], [18, 8], [19, 16]]) {
    const c = b.slice();
    c[at] = v;
    assert.equal(net.parseFrame(c, 60), null, `byte ${at} = ${v}`);
  }
  assert.equal(net.parseFrame(b, 14 + 27), null, "27-byte ARP");
  assert.equal(net.parseFrame(b, 14 + 28).kind, "arp", "unpadded 42-byte frame");
});

// ---- replies in place --------------------------------------------------------------------

test("ICMP echo request → reply in place: addresses swapped, TTL 64, checksums valid", () => {
  const b = new Uint8Array(2048);
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => i * 7);
  const n = net.buildIcmpEchoFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, id: 77, seq: 9, payload, ttl: 3 });
  const f = net.parseFrame(b, n);
  const m = net.icmpEchoReplyInPlace(b, f, MAC_A);
  assert.equal(m, n);
  const r = net.parseFrame(b, m);
  assert.equal(r.kind, "icmp");
  assert.ok(r.ip.checksumOk && r.icmp.checksumOk);
  assert.deepEqual([r.icmp.type, r.icmp.id, r.icmp.seq, r.ip.ttl], [0, 77, 9, 64]);
  assert.deepEqual([r.ip.src, r.ip.dst], [IP_A, IP_B]);
  assert.deepEqual([net.formatMac(r.eth.src), net.formatMac(r.eth.dst)], ["52:54:00:12:34:56", "02:00:00:00:00:02"]);
  assert.deepEqual(b.subarray(42, 42 + 1000), payload);
  // Exactly what a freshly built reply would be.
  const c = new Uint8Array(2048);
  net.buildIcmpEchoFrame(c, { type: 0, dstMac: MAC_B, srcMac: MAC_A, srcIp: IP_A, dstIp: IP_B, id: 77, seq: 9, payload });
  assert.deepEqual(b.subarray(0, m), c.subarray(0, m));
});

test("a short received echo request (no padding) gets a zero-padded 60-byte reply", () => {
  const b = new Uint8Array(2048).fill(0xaa);
  const n = net.buildIcmpEchoFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, payloadLength: 0 });
  assert.equal(n, 60);
  const f = net.parseFrame(b, 42); // as if the NIC delivered 42 bytes
  assert.equal(f.kind, "icmp");
  assert.equal(net.icmpEchoReplyInPlace(b, f, MAC_A), 60);
  assert.ok(b.subarray(42, 60).every((x) => x === 0));
  assert.equal(b[60], 0xaa, "nothing past the minimum is touched");
});

test("UDP echo in place: ports and addresses swapped, the checksum still verifies", () => {
  const b = new Uint8Array(2048);
  const payload = new TextEncoder().encode("seq 41: the quick brown fox");
  const n = net.buildUdpFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 40000, dstPort: 7, payload, ttl: 1 });
  const f = net.parseFrame(b, n);
  const m = net.udpEchoInPlace(b, f, MAC_A);
  const r = net.parseFrame(b, m);
  assert.equal(r.kind, "udp");
  assert.ok(r.ip.checksumOk && r.udp.checksumOk && r.udp.checksum !== 0);
  assert.deepEqual([r.udp.srcPort, r.udp.dstPort, r.ip.src, r.ip.dst, r.ip.ttl], [7, 40000, IP_A, IP_B, 64]);
  assert.deepEqual(b.subarray(r.udp.payloadOffset, r.udp.end), payload);
});

// ---- malformed frames ----------------------------------------------------------------------

function validFrames() {
  const out = [];
  let b = new Uint8Array(200);
  out.push(b.slice(0, net.buildArpRequest(b, MAC_B, IP_B, IP_A)));
  b = new Uint8Array(200);
  out.push(b.slice(0, net.buildUdpFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 9, dstPort: 7, payload: new Uint8Array(50).fill(3) })));
  b = new Uint8Array(200);
  out.push(b.slice(0, net.buildIcmpEchoFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, id: 1, seq: 2, payloadLength: 56 })));
  return out;
}

test("truncated frames: null or a shorter layer, never a throw, never a byte past the length", () => {
  const rnd = prng(5);
  for (const frame of validFrames()) {
    for (let len = 0; len <= frame.length; len++) {
      // The frame's first `len` bytes followed by garbage: a parser that read past `len`
      // would see the garbage; the result must equal parsing an exact-length copy.
      const big = new Uint8Array(frame.length + 64);
      for (let i = 0; i < big.length; i++) big[i] = rnd() & 0xff;
      big.set(frame.subarray(0, len));
      const exact = frame.slice(0, len);
      const a = net.parseFrame(big, len), e = net.parseFrame(exact, len);
      assert.equal(a === null, e === null, `length ${len}`);
      if (a) assert.equal(a.kind, e.kind, `length ${len}`);
      if (len < 42 && a) assert.notEqual(a.kind, "udp");
      if (len < frame.length && len < 42 && a) assert.ok(a.kind === "other", `length ${len}: ${a.kind}`);
    }
  }
});

test("inconsistent IPv4 and UDP lengths are rejected", () => {
  const [, udp, icmp] = validFrames();
  const cases = [
    ["IHL 4", (c) => { c[14] = 0x44; }],
    ["IHL 15 past the end", (c) => { c[14] = 0x4f; c.fill(0, 34, 74); }],
    ["version 6 under EtherType IPv4", (c) => { c[14] = 0x65; }],
    ["total length past the frame", (c) => { c[16] = 0x10; }],
    ["total length under the header", (c) => { c[16] = 0; c[17] = 19; }],
    ["UDP length under 8", (c) => { c[38] = 0; c[39] = 7; }],
    ["UDP length past the IP payload", (c) => { c[38] = 0; c[39] = 200; }],
  ];
  for (const [what, spoil] of cases) {
    const c = udp.slice();
    spoil(c);
    // Keep the IP header checksum right so that the length check itself is what rejects.
    c[24] = 0; c[25] = 0;
    const ihl = Math.min((c[14] & 15) * 4, c.length - 14);
    const s = net.internetChecksum(c, 14, ihl >= 20 ? ihl : 20);
    c[24] = s >> 8; c[25] = s & 0xff;
    assert.equal(net.parseFrame(c), null, what);
  }
  // A bad IPv4 header checksum is reported, not hidden.
  const bad = icmp.slice();
  bad[22] ^= 1;
  const f = net.parseFrame(bad);
  assert.deepEqual([f.kind, f.ipChecksumBad], ["other", true]);
  // ICMP shorter than 8 bytes (total length says 20 + 7).
  const short = icmp.slice();
  short[16] = 0; short[17] = 27; short[24] = 0; short[25] = 0;
  const s = net.internetChecksum(short, 14, 20);
  short[24] = s >> 8; short[25] = s & 0xff;
  assert.equal(net.parseFrame(short), null);
  // A fragment is IPv4, not UDP.
  const frag = udp.slice();
  frag[20] |= 0x20; frag[24] = 0; frag[25] = 0;
  const fs = net.internetChecksum(frag, 14, 20);
  frag[24] = fs >> 8; frag[25] = fs & 0xff;
  const ff = net.parseFrame(frag);
  assert.deepEqual([ff.kind, ff.ip.isFragment], ["ipv4", true]);
});

test("random corruption never throws and every offset stays inside the frame", () => {
  const rnd = prng(99);
  const frames = validFrames();
  const out = new net.Frame();
  let parsed = 0;
  for (let k = 0; k < 5000; k++) {
    const c = frames[k % 3].slice();
    const flips = 1 + (rnd() % 4);
    for (let j = 0; j < flips; j++) c[rnd() % Math.min(c.length, 50)] = rnd() & 0xff;
    const len = rnd() % 4 === 0 ? rnd() % (c.length + 1) : c.length;
    const f = net.parseFrame(c, len, out);
    if (!f) continue;
    parsed++;
    assert.ok(f.eth.payloadOffset <= len);
    if (f.kind === "ipv4" || f.kind === "udp" || f.kind === "icmp") assert.ok(f.ip.end <= len && f.ip.payloadOffset <= f.ip.end);
    if (f.kind === "udp") assert.ok(f.udp.end <= f.ip.end && f.udp.payloadOffset <= f.udp.end);
    if (f.kind === "icmp") assert.ok(f.icmp.end <= f.ip.end);
    if (f.kind === "arp") assert.ok(f.arp.offset + net.ARP_LEN <= len);
  }
  assert.ok(parsed > 100, `only ${parsed} frames parsed`);
});

test("VLAN-tagged frames: the tag is skipped and reported", () => {
  const b = new Uint8Array(100);
  const n = net.buildUdpFrame(b, { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 9, dstPort: 7, payloadLength: 4 });
  const t = new Uint8Array(n + 4);
  t.set(b.subarray(0, 12));
  t.set(hex("8100 2064"), 12); // PCP 1, VLAN 100
  t.set(b.subarray(12, n), 16);
  const f = net.parseFrame(t);
  assert.deepEqual([f.kind, f.eth.vlan, f.eth.payloadOffset, f.ip.offset], ["udp", 100, 18, 18]);
  assert.equal(net.parseEthernet(t, 17), null, "a tag cut short");
  // The echo keeps the tag.
  net.udpEchoInPlace(t, f, MAC_A);
  const r = net.parseFrame(t);
  assert.deepEqual([r.kind, r.eth.vlan, r.udp.dstPort], ["udp", 100, 9]);
});

test("caller mistakes throw: windows outside the buffer, headers that do not fit", () => {
  const b = new Uint8Array(40);
  assert.throws(() => net.parseEthernet(b, 41), RangeError);
  assert.throws(() => net.parseFrame(b, -1), RangeError);
  assert.throws(() => net.parseIPv4(b, 30, 50), RangeError);
  assert.throws(() => net.parseUdp(b, 0, 8, -1, 0), RangeError);
  assert.throws(() => net.parseFrame([1, 2, 3]), TypeError);
  assert.throws(() => net.writeEthernet(b, 30, MAC_A, MAC_B, 0x800), RangeError);
  assert.throws(() => net.writeEthernet(b, 0, MAC_A, new Uint8Array(5), 0x800), TypeError);
  assert.throws(() => net.writeEthernet(b, 0, MAC_A, MAC_B, 0x10000), RangeError);
  assert.throws(() => net.buildArpRequest(new Uint8Array(59), MAC_A, IP_A, IP_B), RangeError);
  assert.throws(() => net.writeIPv4(b, 0, { src: IP_A, dst: IP_B, protocol: 17, payloadLength: 21 }), RangeError);
  assert.throws(() => net.writeIPv4(b, 0, { src: IP_A, dst: IP_B, protocol: 256, payloadLength: 0 }), RangeError);
  assert.throws(() => net.writeIPv4(b, 0, null), TypeError);
  assert.throws(() => net.writeUdp(b, 0, IP_A, IP_B, 70000, 1, 0), RangeError);
  assert.throws(() => net.buildUdpFrame(new Uint8Array(100), { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, srcPort: 9, dstPort: 7, payloadLength: 59 }), RangeError);
  assert.throws(() => net.buildIcmpEchoFrame(new Uint8Array(100), { dstMac: MAC_A, srcMac: MAC_B, srcIp: IP_B, dstIp: IP_A, payload: new Uint8Array(59) }), RangeError);
  assert.throws(() => net.icmpEchoReplyInPlace(b, new net.Frame(), MAC_A), TypeError);
});

test("parseFrame with a reused Frame gives the same answers as fresh ones", () => {
  const out = new net.Frame();
  for (const f of validFrames()) {
    const a = net.parseFrame(f, f.length, out), e = net.parseFrame(f, f.length);
    assert.equal(a, out);
    assert.equal(a.kind, e.kind);
  }
});

// ---- pcap ----------------------------------------------------------------------------------

test("pcap: header, records and timestamps read back", () => {
  const path = `${dir}/a.pcap`;
  const before = Date.now();
  const w = new PcapWriter(path);
  const frames = validFrames();
  for (const f of frames) w.write(f);
  w.write(new Uint8Array(100).fill(9), 64); // the first 64 bytes only
  assert.equal(w.packets, 4);
  // Written at once: readable before close().
  const open = readPcapFile(path);
  assert.equal(open.records.length, 4);
  w.close();
  w.close();
  assert.ok(w.closed);
  assert.throws(() => w.write(frames[0]), /closed/);

  const bytes = sys.readFile(path);
  assert.equal(toHex(bytes.subarray(0, 24)), "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "01000000");
  const p = readPcap(bytes);
  assert.deepEqual([p.magic, p.nanosecond, p.versionMajor, p.versionMinor, p.snaplen, p.linktype, p.truncated],
    [PCAP_MAGIC, false, 2, 4, 65535, LINKTYPE_ETHERNET, 0]);
  assert.equal(p.records.length, 4);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(p.records[i].data, frames[i]);
    assert.equal(p.records[i].originalLength, frames[i].length);
  }
  assert.equal(p.records[3].capturedLength, 64);
  for (const r of p.records) {
    const ms = r.sec * 1000 + r.frac / 1000;
    assert.ok(r.frac < 1e6 && ms >= before - 1000 && ms <= Date.now() + 1000, `timestamp ${r.sec}.${r.frac}`);
  }
  assert.equal(bytes.length, 24 + 3 * 16 + frames.reduce((s, f) => s + f.length, 0) + 16 + 64);
});

test("pcap: nanosecond variant, snaplen, given timestamps", () => {
  const path = `${dir}/ns.pcap`;
  const w = new PcapWriter(path, { nanosecond: true, snaplen: 50 });
  w.write(new Uint8Array(60).fill(1), undefined, 1700000000123456789n);
  w.write(new Uint8Array(40).fill(2));
  w.close();
  const p = readPcapFile(path);
  assert.deepEqual([p.magic, p.nanosecond, p.snaplen], [PCAP_MAGIC_NS, true, 50]);
  assert.deepEqual([p.records[0].sec, p.records[0].frac, p.records[0].capturedLength, p.records[0].originalLength], [1700000000, 123456789, 50, 60]);
  assert.equal(p.records[0].timeNs, 1700000000123456789n);
  assert.deepEqual([p.records[1].capturedLength, p.records[1].originalLength], [40, 40]);
  assert.ok(p.records[1].frac < 1e9);
  assert.throws(() => new PcapWriter(`${dir}/x.pcap`, { snaplen: 0 }), RangeError);
  assert.throws(() => new PcapWriter(`${dir}/no/such/dir.pcap`), sys.SysError);
});

test("pcap: a buffered writer writes at flush; a torn last record is reported, not fatal", () => {
  const path = `${dir}/buf.pcap`;
  const w = new PcapWriter(path, { bufferSize: 4096 });
  for (let i = 0; i < 10; i++) w.write(new Uint8Array(60).fill(i));
  assert.equal(sys.stat(path).size, 24, "only the global header before a flush");
  w.write(new Uint8Array(4000)); // does not fit: the first ten go out
  assert.equal(sys.stat(path).size, 24 + 10 * 76);
  w.flush();
  assert.equal(sys.stat(path).size, 24 + 10 * 76 + 4016);
  w.close();
  const all = sys.readFile(path);
  const cut = readPcap(all.subarray(0, all.length - 100));
  assert.equal(cut.records.length, 10);
  assert.equal(cut.truncated, 4016 - 100);
  assert.equal(readPcap(all.subarray(0, 24 + 76 + 5)).truncated, 5);
  assert.throws(() => readPcap(new Uint8Array(10)), RangeError);
  assert.throws(() => readPcap(new Uint8Array(24)), RangeError);
  // A big-endian file (as written on another machine) reads the same.
  const be = new Uint8Array(24 + 16 + 4);
  const v = new DataView(be.buffer);
  v.setUint32(0, PCAP_MAGIC); v.setUint16(4, 2); v.setUint16(6, 4); v.setUint32(16, 65535); v.setUint32(20, 1);
  v.setUint32(24, 5); v.setUint32(28, 6); v.setUint32(32, 4); v.setUint32(36, 4);
  const q = readPcap(be);
  assert.deepEqual([q.swapped, q.linktype, q.records[0].sec, q.records[0].frac, q.records[0].capturedLength], [true, 1, 5, 6, 4]);
});

// A NetDevice whose ops loop every transmitted frame back to receive, over a pool in plain memory.
function loopbackDevice(name) {
  const mem = { dma: (size) => ({ buffer: new ArrayBuffer(size), iova: 0n }) };
  const rxPool = new PacketPool(mem, { count: 16, name: `${name} rx` });
  const txPool = new PacketPool(mem, { count: 16, name: `${name} tx` });
  const queue = [];
  return new NetDevice(name, MAC_A, {
    rxBatch: (max) => queue.splice(0, max),
    txBatch: (packets) => {
      for (const p of packets) {
        const r = rxPool.take();
        r.bytes.set(p.data);
        r.setLength(p.length);
        queue.push(r);
        p.free();
      }
      return packets.length;
    },
    allocPacket: () => txPool.take(),
    link: () => ({ up: true, speedMbps: 1000, fullDuplex: true }),
    counters: () => ({}),
    setPromiscuous() {},
    waitRx: () => Promise.resolve(),
  });
}

test("pcap: one shared writer taps several NetDevices (what --pcap does)", () => {
  const path = `${dir}/tap.pcap`;
  const a = loopbackDevice("a"), b = loopbackDevice("b");
  a.tap(pcapTap(path));
  b.tap(pcapTap(path));
  const frames = validFrames();
  const p = a.allocPacket(frames[1].length);
  p.bytes.set(frames[1]);
  assert.equal(a.txBatch([p]), 1);
  assert.equal(b.txBatch([frames[2]]), 1);
  const got = [...a.rxBatch(), ...b.rxBatch()];
  assert.equal(got.length, 2);
  for (const g of got) g.free();
  const w = sharedPcapWriter(path);
  assert.equal(w.packets, 4);
  w.close();
  // After close the taps are inert rather than failing the device.
  a.txBatch([frames[0]]);
  const r = readPcapFile(path);
  assert.deepEqual(r.records.map((x) => x.data.length), [frames[1].length, frames[2].length, frames[1].length, frames[2].length]);
  assert.deepEqual(r.records[0].data, frames[1]);
  assert.deepEqual(r.records[3].data, frames[2]);
});

test("bursts on a NetDevice without its own: made of rxBatch/txBatch, each Packet numbered once", () => {
  const dev = loopbackDevice("burst");
  const ids = new Uint16Array(4), lens = new Uint16Array(4);
  assert.equal(dev.allocBurst(ids, 2), 2);
  const frames = validFrames();
  for (let i = 0; i < 2; i++) {
    dev.buffer(ids[i]).set(frames[i]);
    lens[i] = frames[i].length;
  }
  assert.equal(dev.txBurst(ids, lens, 2), 2);
  assert.equal(dev.rxBurst(ids, lens), 2);
  assert.deepEqual([...lens.slice(0, 2)], [frames[0].length, frames[1].length]);
  assert.deepEqual(dev.buffer(ids[1]).subarray(0, lens[1]), frames[1]);
  assert.equal(dev.packet(ids[0]).length, frames[0].length);
  dev.freeBurst(ids, 2);
  assert.throws(() => dev.freeBurst(ids, 1), /is not the program's/, "freed twice");
  assert.equal(dev.rxBurst(ids, lens), 0);
  const p = dev.allocPacket(60);
  assert.equal(dev.packet(dev.idOf(p)), p);
  p.free();
  assert.throws(() => dev.packet(999), RangeError);
  assert.throws(() => dev.rxBurst([0], lens, 1), TypeError);
  assert.throws(() => dev.txBurst(ids, lens, 5), RangeError);
});

test("the pcap tests left exactly their own files (a writer that threw made none), then the folder is removed", () => {
  assert.deepEqual(sys.readdir(dir).sort(), ["a.pcap", "buf.pcap", "ns.pcap", "tap.pcap"]);
  for (const name of sys.readdir(dir)) sys.unlink(`${dir}/${name}`);
  sys.rmdir(dir);
  assert.throws(() => sys.stat(dir), (e) => e.code === "ENOENT");
});

test("PacketPool headroom: each Packet begins after the driver's bytes; a headroom that leaves no buffer is a RangeError", () => {
  const mem = { dma: (size) => ({ buffer: new ArrayBuffer(size), iova: 0x1000n }) };
  const pool = new PacketPool(mem, { count: 3, size: 256, headroom: 12 });
  const p = pool.packets[2];
  assert.deepEqual([p.capacity, p.bytes.byteOffset, p.iova, pool.headroom], [244, 2 * 256 + 12, 0x1000n + 524n, 12]);
  assert.throws(() => new PacketPool(mem, { count: 1, size: 64, headroom: 64 }), RangeError);
  assert.throws(() => new PacketPool(mem, { count: 1, size: 64, headroom: -1 }), RangeError);
  assert.equal(new PacketPool(mem, { count: 1 }).packets[0].capacity, 2048);
});
