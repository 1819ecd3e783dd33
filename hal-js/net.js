// jsk:net — Ethernet, ARP, IPv4, ICMP echo and UDP on byte arrays, for apps over a NetDevice.
//
// Everything works in place on a Uint8Array (a Packet's `bytes`, or any buffer):
//
//   parse*(bytes, offset, end, out)  read one header that starts at `offset` and may use the bytes
//                                    before `end`; fill `out` (a reusable object) and return it, or
//                                    return null when the bytes are not a well-formed header (short,
//                                    bad version/IHL, lengths past `end`). Nothing read from the
//                                    wire is used as an index before it is checked against `end`.
//   write*(bytes, offset, ...)       write one header at `offset`; return its length in bytes.
//   build*(bytes, fields)            write a whole frame from byte 0; return the frame length
//                                    (padded with zeros to the 60-byte Ethernet minimum).
//
// Wire data never makes a function throw; arguments that are the caller's mistake do (RangeError
// for an offset/length outside the buffer or a header that does not fit, TypeError for a wrong
// kind of value). The parse path allocates nothing: `parseFrame(bytes, length, frame)` with one
// `Frame` reused for every packet runs without creating objects.
//
// Addresses: MACs are 6-byte Uint8Arrays (parseMac/formatMac); IPv4 addresses are unsigned
// 32-bit numbers (parseIPv4Address("10.0.2.15") === 0x0a00020f), so comparing them allocates nothing.

// ---- constants ---------------------------------------------------------------------------------

export const ETH_ALEN = 6;
/** Ethernet header without a VLAN tag. */
export const ETH_HLEN = 14;
/** Smallest Ethernet frame without the FCS: shorter frames are padded to this. */
export const ETH_ZLEN = 60;
/** Largest standard frame without the FCS (1500-byte payload). */
export const ETH_FRAME_LEN = 1514;
export const ETH_DATA_LEN = 1500;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE = Object.freeze({
  IPV4: ETHERTYPE_IPV4, ARP: ETHERTYPE_ARP, VLAN: ETHERTYPE_VLAN, QINQ: ETHERTYPE_QINQ, IPV6: ETHERTYPE_IPV6,
});

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO = Object.freeze({ ICMP: IPPROTO_ICMP, TCP: IPPROTO_TCP, UDP: IPPROTO_UDP });

export const ARP_HTYPE_ETHERNET = 1;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
/** An ARP packet for IPv4 over Ethernet. */
export const ARP_LEN = 28;

export const IPV4_HLEN = 20;
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
export const UDP_HLEN = 8;
export const ICMP_HLEN = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

/** ff:ff:ff:ff:ff:ff (a fresh copy each call, so nobody can change the original). */
export function broadcastMac() { return new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); }
const ZERO_MAC = new Uint8Array(6);
const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

// ---- argument checks (caller mistakes throw; wire data never does) -----------------------------

function checkBytes(bytes, fn) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${fn}: expected a Uint8Array`);
}

// `offset`..`offset + size` must lie inside `bytes`.
// (`x >>> 0 === x`: a non-negative integer below 2^32, without a builtin call.)
function checkSpan(bytes, offset, size, fn) {
  checkBytes(bytes, fn);
  if (offset >>> 0 !== offset || size >>> 0 !== size || offset + size > bytes.length) {
    throw new RangeError(`${fn}: ${size} bytes at offset ${offset} do not fit a ${bytes.length}-byte buffer`);
  }
}

// For parsers: the window [offset, end) must lie inside `bytes` (a caller mistake otherwise).
function checkWindow(bytes, offset, end, fn) {
  checkBytes(bytes, fn);
  if (offset >>> 0 !== offset || end >>> 0 !== end || end < offset || end > bytes.length) {
    throw new RangeError(`${fn}: window [${offset}, ${end}) is outside the ${bytes.length}-byte buffer`);
  }
}

function checkMac(mac, fn) {
  if (!(mac instanceof Uint8Array) || mac.length !== 6) throw new TypeError(`${fn}: a MAC address is a 6-byte Uint8Array`);
}

function checkU32(n, what, fn) {
  if (n >>> 0 !== n) throw new RangeError(`${fn}: ${what} must be an IPv4 address as an unsigned 32-bit number, got ${n}`);
}

function checkU16(n, what, fn) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`${fn}: ${what} must be an integer in [0, 65535], got ${n}`);
}

function checkU8(n, what, fn) {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`${fn}: ${what} must be an integer in [0, 255], got ${n}`);
}

// Big-endian accessors (network byte order); callers have checked the bounds.
function get16(b, o) { return (b[o] << 8) | b[o + 1]; }
function get32(b, o) { return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0; }
function put16(b, o, v) { b[o] = v >>> 8; b[o + 1] = v; }
function put32(b, o, v) { b[o] = v >>> 24; b[o + 1] = v >>> 16; b[o + 2] = v >>> 8; b[o + 3] = v; }

// ---- MAC addresses -----------------------------------------------------------------------------

const HEX = /^[0-9a-fA-F]{1,2}$/;

/**
 * "52:54:00:12:34:56" (or with "-") → Uint8Array(6).
 * Throws TypeError for a non-string, RangeError for text that is not a MAC address.
 */
export function parseMac(text) {
  if (typeof text !== "string") throw new TypeError("parseMac: expected a string");
  const parts = text.split(text.includes("-") ? "-" : ":");
  if (parts.length !== 6 || !parts.every((p) => HEX.test(p))) throw new RangeError(`parseMac: not a MAC address: ${JSON.stringify(text)}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** The 6 bytes at `offset` as "aa:bb:cc:dd:ee:ff". Throws RangeError if they are not inside `bytes`. */
export function formatMac(bytes, offset = 0) {
  checkSpan(bytes, offset, 6, "formatMac");
  let s = "";
  for (let i = 0; i < 6; i++) s += (i ? ":" : "") + (bytes[offset + i] < 16 ? "0" : "") + bytes[offset + i].toString(16);
  return s;
}

/** Whether the 6 bytes at `offset` equal `mac`. Throws RangeError/TypeError on bad arguments. */
export function macEquals(bytes, offset, mac) {
  checkSpan(bytes, offset, 6, "macEquals");
  checkMac(mac, "macEquals");
  for (let i = 0; i < 6; i++) if (bytes[offset + i] !== mac[i]) return false;
  return true;
}

/** ff:ff:ff:ff:ff:ff at `offset`? */
export function isBroadcastMac(bytes, offset = 0) { return macEquals(bytes, offset, BROADCAST); }

/** Group bit set (multicast or broadcast) at `offset`? */
export function isMulticastMac(bytes, offset = 0) {
  checkSpan(bytes, offset, 6, "isMulticastMac");
  return (bytes[offset] & 1) === 1;
}

/** Copy a 6-byte MAC into `bytes` at `offset`. Throws on bad arguments. */
export function writeMac(bytes, offset, mac) {
  checkSpan(bytes, offset, 6, "writeMac");
  checkMac(mac, "writeMac");
  for (let i = 0; i < 6; i++) bytes[offset + i] = mac[i];
  return 6;
}

// ---- IPv4 addresses ----------------------------------------------------------------------------

/**
 * "10.0.2.15" → 0x0a00020f (an unsigned 32-bit number). Only the dotted-quad form with decimal
 * parts 0..255 is accepted. Throws TypeError for a non-string, RangeError for anything else.
 */
export function parseIPv4Address(text) {
  if (typeof text !== "string") throw new TypeError("parseIPv4Address: expected a string");
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new RangeError(`parseIPv4Address: not an IPv4 address: ${JSON.stringify(text)}`);
  }
  return ((Number(parts[0]) << 24) | (Number(parts[1]) << 16) | (Number(parts[2]) << 8) | Number(parts[3])) >>> 0;
}

/** 0x0a00020f → "10.0.2.15". Throws RangeError unless `addr` is an unsigned 32-bit integer. */
export function formatIPv4Address(addr) {
  checkU32(addr, "the address", "formatIPv4Address");
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** The IPv4 address stored at `offset` (4 bytes, network order). Throws RangeError outside `bytes`. */
export function readIPv4Address(bytes, offset) {
  checkSpan(bytes, offset, 4, "readIPv4Address");
  return get32(bytes, offset);
}

/** Store an IPv4 address at `offset`. Throws RangeError outside `bytes` or for a bad address. */
export function writeIPv4Address(bytes, offset, addr) {
  checkSpan(bytes, offset, 4, "writeIPv4Address");
  checkU32(addr, "the address", "writeIPv4Address");
  put32(bytes, offset, addr);
  return 4;
}

// ---- the Internet checksum (RFC 1071) ----------------------------------------------------------

// One's-complement sum of big-endian 16-bit words, folded to 16 bits. Unchecked: callers pass a
// window inside `bytes`. An odd last byte counts as the high byte of a word padded with zero.
function sumBytes(bytes, offset, length, sum) {
  const end = offset + length;
  let i = offset;
  while (i + 3 < end) {
    // Two words per round; fold every 4096 words so the sum stays a small integer (< 2^29).
    const stop = Math.min(end - 3, i + 8192);
    for (; i < stop; i += 4) sum += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3]);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (i + 1 < end) { sum += (bytes[i] << 8) | bytes[i + 1]; i += 2; }
  if (i < end) sum += bytes[i] << 8;
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum & 0xffff) + (sum >>> 16);
}

// The same sum, four bytes per load for longer runs (an interpreter pays per operation, not per
// byte): 32-bit words in the machine's (little-endian) order are summed exactly, the total is
// folded to 16 bits, and the folded sum is byte-swapped into network order — the one's-complement
// sum commutes with byte swapping (RFC 1071 §2(B)) and 2^16 ≡ 2^32 ≡ 1 (mod 0xffff).
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const wordViews = new WeakMap(); // ArrayBuffer -> Uint32Array over all of it (made once)
function sum16(bytes, offset, length, sum) {
  const at = bytes.byteOffset + offset;
  if (length < 64 || !LITTLE_ENDIAN || (at & 1) !== 0) return sumBytes(bytes, offset, length, sum);
  let i = offset;
  if ((at & 2) !== 0) { sum += (bytes[i] << 8) | bytes[i + 1]; i += 2; }
  const buffer = bytes.buffer;
  let u = wordViews.get(buffer);
  if (u === undefined) { u = new Uint32Array(buffer, 0, buffer.byteLength >>> 2); wordViews.set(buffer, u); }
  let w = (bytes.byteOffset + i) >>> 2;
  const words = (offset + length - i) >>> 2;
  const wend = w + words, wend4 = w + (words & ~3);
  let total = 0; // exact: at most 2^18 rounds of < 2^34 between folds
  while (w < wend4) {
    const stop = Math.min(wend4, w + (1 << 20));
    for (; w < stop; w += 4) total += u[w] + u[w + 1] + u[w + 2] + u[w + 3];
    total = (total % 4294967296) + Math.floor(total / 4294967296);
  }
  for (; w < wend; w++) total += u[w];
  total = (total % 4294967296) + Math.floor(total / 4294967296);
  total = (total % 65536) + Math.floor(total / 65536);
  total = (total & 0xffff) + (total >>> 16);
  total = (total & 0xffff) + (total >>> 16);
  sum += ((total & 0xff) << 8) | (total >>> 8);
  i += words * 4;
  return sumBytes(bytes, i, offset + length - i, sum);
}

/**
 * The one's-complement sum (folded to 16 bits, not complemented) of `length` bytes at `offset`,
 * added to `sum` (a previous result, to chain pieces such as a pseudo-header). Only the last
 * piece of a chain may have an odd length. Throws RangeError if the bytes are not in `bytes`.
 */
export function checksumAdd(bytes, offset = 0, length = bytes.length - offset, sum = 0) {
  checkSpan(bytes, offset, length, "checksumAdd");
  checkU16(sum, "sum", "checksumAdd");
  return sum16(bytes, offset, length, sum);
}

/**
 * RFC 1071 Internet checksum of `length` bytes at `offset` (optionally continuing from a
 * `checksumAdd` result): the complement of their one's-complement sum, 0..0xffff. Over a header
 * that includes a correct checksum field the result is 0. Throws RangeError outside `bytes`.
 */
export function internetChecksum(bytes, offset = 0, length = bytes.length - offset, sum = 0) {
  return ~checksumAdd(bytes, offset, length, sum) & 0xffff;
}

/**
 * RFC 1624 incremental update: the new checksum after one 16-bit word covered by `checksum`
 * changes from `oldWord` to `newWord` (HC' = ~(~HC + ~m + m')). Throws RangeError for values
 * outside 0..0xffff.
 */
export function checksumUpdate16(checksum, oldWord, newWord) {
  checkU16(checksum, "checksum", "checksumUpdate16");
  checkU16(oldWord, "oldWord", "checksumUpdate16");
  checkU16(newWord, "newWord", "checksumUpdate16");
  let s = (~checksum & 0xffff) + (~oldWord & 0xffff) + newWord;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

// Sum of the IPv4 pseudo-header (src, dst, zero, protocol, length) for UDP/TCP.
function pseudoSum(src, dst, protocol, length) {
  let s = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

// ---- Ethernet ----------------------------------------------------------------------------------

/** A parsed Ethernet header (reuse one per loop). MACs are copied into its own arrays. */
export class EthernetHeader {
  constructor() {
    this.dst = new Uint8Array(6);
    this.src = new Uint8Array(6);
    /** The EtherType after an optional 802.1Q tag (values below 0x600 are 802.3 lengths). */
    this.ethertype = 0;
    /** The 802.1Q VLAN id, or -1 for an untagged frame. */
    this.vlan = -1;
    /** Where the payload starts: 14, or 18 after a VLAN tag. */
    this.payloadOffset = ETH_HLEN;
    /** The frame length the header was parsed with. */
    this.end = 0;
  }
}

/**
 * Parse the Ethernet header of a `length`-byte frame in `bytes` (one 802.1Q tag is skipped and
 * reported in `vlan`). Returns `out`, or null for a frame shorter than its header.
 * Throws RangeError if `length` is outside `bytes` (the caller's mistake, not the wire's).
 */
export function parseEthernet(bytes, length = bytes?.length, out = new EthernetHeader()) {
  checkWindow(bytes, 0, length, "parseEthernet");
  return ethAt(bytes, length, out);
}

// The parsers proper, without argument checks: the exported functions check, then call these;
// parseFrame checks once and calls them all.
function ethAt(bytes, length, out) {
  if (length < ETH_HLEN) return null;
  for (let i = 0; i < 6; i++) { out.dst[i] = bytes[i]; out.src[i] = bytes[6 + i]; }
  let type = get16(bytes, 12);
  let off = ETH_HLEN;
  out.vlan = -1;
  if (type === ETHERTYPE_VLAN) {
    if (length < ETH_HLEN + 4) return null;
    out.vlan = get16(bytes, 14) & 0xfff;
    type = get16(bytes, 16);
    off += 4;
  }
  out.ethertype = type;
  out.payloadOffset = off;
  out.end = length;
  return out;
}

/**
 * Write an untagged Ethernet header at `offset`. Returns 14.
 * Throws TypeError for MACs that are not 6-byte Uint8Arrays, RangeError if it does not fit.
 */
export function writeEthernet(bytes, offset, dst, src, ethertype) {
  checkSpan(bytes, offset, ETH_HLEN, "writeEthernet");
  checkMac(dst, "writeEthernet");
  checkMac(src, "writeEthernet");
  checkU16(ethertype, "ethertype", "writeEthernet");
  for (let i = 0; i < 6; i++) { bytes[offset + i] = dst[i]; bytes[offset + 6 + i] = src[i]; }
  put16(bytes, offset + 12, ethertype);
  return ETH_HLEN;
}

// Zero-fill up to the Ethernet minimum; returns the padded length. Buffers are reused, so the
// padding must not leak a previous frame's bytes.
function pad(bytes, length, fn) {
  if (length >= ETH_ZLEN) return length;
  if (bytes.length < ETH_ZLEN) throw new RangeError(`${fn}: a frame needs ${ETH_ZLEN} bytes, the buffer has ${bytes.length}`);
  bytes.fill(0, length, ETH_ZLEN);
  return ETH_ZLEN;
}

// ---- ARP (RFC 826, IPv4 over Ethernet) ---------------------------------------------------------

export class ArpPacket {
  constructor() {
    this.offset = 0;
    /** ARP_REQUEST (1), ARP_REPLY (2) or another operation code. */
    this.op = 0;
    this.senderMac = new Uint8Array(6);
    this.senderIp = 0;
    this.targetMac = new Uint8Array(6);
    this.targetIp = 0;
  }
}

/**
 * Parse an ARP packet at `offset` (bytes up to `end` are available). Returns `out`, or null
 * unless it is ARP for IPv4 over Ethernet (htype 1, ptype 0x0800, hlen 6, plen 4) and 28 bytes
 * long. Throws RangeError if [offset, end) is outside `bytes`.
 */
export function parseArp(bytes, offset, end, out = new ArpPacket()) {
  checkWindow(bytes, offset, end, "parseArp");
  return arpAt(bytes, offset, end, out);
}

function arpAt(bytes, offset, end, out) {
  if (end - offset < ARP_LEN) return null;
  const o = offset;
  if (get16(bytes, o) !== ARP_HTYPE_ETHERNET || get16(bytes, o + 2) !== ETHERTYPE_IPV4 || bytes[o + 4] !== 6 || bytes[o + 5] !== 4) return null;
  out.offset = o;
  out.op = get16(bytes, o + 6);
  for (let i = 0; i < 6; i++) { out.senderMac[i] = bytes[o + 8 + i]; out.targetMac[i] = bytes[o + 18 + i]; }
  out.senderIp = get32(bytes, o + 14);
  out.targetIp = get32(bytes, o + 24);
  return out;
}

/**
 * Write a 28-byte ARP packet (IPv4 over Ethernet) at `offset`. Returns 28.
 * Throws TypeError/RangeError for bad MACs, addresses or op, or if it does not fit.
 */
export function writeArp(bytes, offset, op, senderMac, senderIp, targetMac, targetIp) {
  checkSpan(bytes, offset, ARP_LEN, "writeArp");
  checkU16(op, "op", "writeArp");
  checkMac(senderMac, "writeArp");
  checkMac(targetMac, "writeArp");
  checkU32(senderIp, "senderIp", "writeArp");
  checkU32(targetIp, "targetIp", "writeArp");
  const o = offset;
  put16(bytes, o, ARP_HTYPE_ETHERNET);
  put16(bytes, o + 2, ETHERTYPE_IPV4);
  bytes[o + 4] = 6;
  bytes[o + 5] = 4;
  put16(bytes, o + 6, op);
  for (let i = 0; i < 6; i++) bytes[o + 8 + i] = senderMac[i];
  put32(bytes, o + 14, senderIp);
  for (let i = 0; i < 6; i++) bytes[o + 18 + i] = targetMac[i];
  put32(bytes, o + 24, targetIp);
  return ARP_LEN;
}

/**
 * A broadcast "who has `targetIp`? tell `srcIp`" frame from byte 0. Returns 60 (padded).
 * Throws TypeError/RangeError for bad arguments or a buffer under 60 bytes.
 */
export function buildArpRequest(bytes, srcMac, srcIp, targetIp) {
  checkSpan(bytes, 0, ETH_ZLEN, "buildArpRequest");
  writeEthernet(bytes, 0, BROADCAST, srcMac, ETHERTYPE_ARP);
  writeArp(bytes, ETH_HLEN, ARP_REQUEST, srcMac, srcIp, ZERO_MAC, targetIp);
  return pad(bytes, ETH_HLEN + ARP_LEN, "buildArpRequest");
}

/**
 * "`srcIp` is at `srcMac`", sent to `dstMac`/`dstIp` (who asked). Returns 60 (padded).
 * Throws TypeError/RangeError for bad arguments or a buffer under 60 bytes.
 */
export function buildArpReply(bytes, srcMac, srcIp, dstMac, dstIp) {
  checkSpan(bytes, 0, ETH_ZLEN, "buildArpReply");
  writeEthernet(bytes, 0, dstMac, srcMac, ETHERTYPE_ARP);
  writeArp(bytes, ETH_HLEN, ARP_REPLY, srcMac, srcIp, dstMac, dstIp);
  return pad(bytes, ETH_HLEN + ARP_LEN, "buildArpReply");
}

// ---- IPv4 (RFC 791) ----------------------------------------------------------------------------

export class IPv4Header {
  constructor() {
    this.offset = 0;
    /** IHL × 4: 20..60. */
    this.headerLength = 0;
    /** The Total Length field: header + payload (Ethernet padding after it is not payload). */
    this.totalLength = 0;
    this.tos = 0;
    this.id = 0;
    this.dontFragment = false;
    this.moreFragments = false;
    /** Fragment offset in bytes. */
    this.fragmentOffset = 0;
    this.ttl = 0;
    this.protocol = 0;
    this.checksum = 0;
    /** Whether the header checksum verifies (parse does not reject on it; callers decide). */
    this.checksumOk = false;
    this.src = 0;
    this.dst = 0;
    this.payloadOffset = 0;
    this.payloadLength = 0;
  }
  /** Offset just past the datagram (payloadOffset + payloadLength). */
  get end() { return this.payloadOffset + this.payloadLength; }
  /** A fragment (MF set or a non-zero fragment offset): its payload is not a whole UDP/ICMP message. */
  get isFragment() { return this.moreFragments || this.fragmentOffset !== 0; }
}

/**
 * Parse an IPv4 header at `offset` with bytes up to `end` available. Returns `out`, or null when
 * fewer than 20 bytes are there, the version is not 4, IHL < 5, the header (IHL × 4) runs past
 * `end`, or Total Length is shorter than the header or runs past `end`. The header checksum is
 * verified into `out.checksumOk`. Throws RangeError if [offset, end) is outside `bytes`.
 */
export function parseIPv4(bytes, offset, end, out = new IPv4Header()) {
  checkWindow(bytes, offset, end, "parseIPv4");
  return ipv4At(bytes, offset, end, out);
}

function ipv4At(bytes, offset, end, out) {
  const avail = end - offset;
  if (avail < IPV4_HLEN) return null;
  const o = offset;
  const vihl = bytes[o];
  if (vihl >>> 4 !== 4) return null;
  const hlen = (vihl & 0xf) * 4;
  if (hlen < IPV4_HLEN || hlen > avail) return null;
  const total = get16(bytes, o + 2);
  if (total < hlen || total > avail) return null;
  const frag = get16(bytes, o + 6);
  out.offset = o;
  out.headerLength = hlen;
  out.totalLength = total;
  out.tos = bytes[o + 1];
  out.id = get16(bytes, o + 4);
  out.dontFragment = (frag & IPV4_FLAG_DF) !== 0;
  out.moreFragments = (frag & IPV4_FLAG_MF) !== 0;
  out.fragmentOffset = (frag & 0x1fff) * 8;
  out.ttl = bytes[o + 8];
  out.protocol = bytes[o + 9];
  out.checksum = get16(bytes, o + 10);
  out.checksumOk = sum16(bytes, o, hlen, 0) === 0xffff;
  out.src = get32(bytes, o + 12);
  out.dst = get32(bytes, o + 16);
  out.payloadOffset = o + hlen;
  out.payloadLength = total - hlen;
  return out;
}

/**
 * Write a 20-byte IPv4 header (no options) at `offset` with its checksum. `h`: { src, dst,
 * protocol, payloadLength, ttl = 64, id = 0, tos = 0, dontFragment = true }. Returns 20.
 * Throws RangeError when a field is out of range, the datagram exceeds 65535 bytes, or the
 * header plus payload does not fit in `bytes`; TypeError if `h` is not an object.
 */
export function writeIPv4(bytes, offset, h) {
  if (typeof h !== "object" || h === null) throw new TypeError("writeIPv4: expected the header fields as an object");
  const { src, dst, protocol, payloadLength, ttl = 64, id = 0, tos = 0, dontFragment = true } = h;
  checkU32(src, "src", "writeIPv4");
  checkU32(dst, "dst", "writeIPv4");
  checkU8(protocol, "protocol", "writeIPv4");
  checkU8(ttl, "ttl", "writeIPv4");
  checkU8(tos, "tos", "writeIPv4");
  checkU16(id, "id", "writeIPv4");
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > 0xffff - IPV4_HLEN) {
    throw new RangeError(`writeIPv4: payloadLength must be in [0, ${0xffff - IPV4_HLEN}], got ${payloadLength}`);
  }
  checkSpan(bytes, offset, IPV4_HLEN + payloadLength, "writeIPv4");
  const o = offset;
  bytes[o] = 0x45;
  bytes[o + 1] = tos;
  put16(bytes, o + 2, IPV4_HLEN + payloadLength);
  put16(bytes, o + 4, id);
  put16(bytes, o + 6, dontFragment ? IPV4_FLAG_DF : 0);
  bytes[o + 8] = ttl;
  bytes[o + 9] = protocol;
  put16(bytes, o + 10, 0);
  put32(bytes, o + 12, src);
  put32(bytes, o + 16, dst);
  put16(bytes, o + 10, ~sum16(bytes, o, IPV4_HLEN, 0) & 0xffff);
  return IPV4_HLEN;
}

// ---- ICMP (RFC 792) ----------------------------------------------------------------------------

export class IcmpHeader {
  constructor() {
    this.offset = 0;
    this.type = 0;
    this.code = 0;
    this.checksum = 0;
    /** Whether the checksum over the whole message verifies. */
    this.checksumOk = false;
    /** Echo identifier and sequence number (bytes 4..7; meaningful for echo request/reply). */
    this.id = 0;
    this.seq = 0;
    this.payloadOffset = 0;
    this.payloadLength = 0;
  }
  get end() { return this.payloadOffset + this.payloadLength; }
}

/**
 * Parse an ICMP message occupying [offset, end) (for IPv4: the IP payload). Returns `out`, or
 * null when it is shorter than 8 bytes. The checksum is verified into `out.checksumOk`.
 * Throws RangeError if [offset, end) is outside `bytes`.
 */
export function parseIcmp(bytes, offset, end, out = new IcmpHeader()) {
  checkWindow(bytes, offset, end, "parseIcmp");
  return icmpAt(bytes, offset, end, out);
}

function icmpAt(bytes, offset, end, out) {
  if (end - offset < ICMP_HLEN) return null;
  out.offset = offset;
  out.type = bytes[offset];
  out.code = bytes[offset + 1];
  out.checksum = get16(bytes, offset + 2);
  out.checksumOk = sum16(bytes, offset, end - offset, 0) === 0xffff;
  out.id = get16(bytes, offset + 4);
  out.seq = get16(bytes, offset + 6);
  out.payloadOffset = offset + ICMP_HLEN;
  out.payloadLength = end - offset - ICMP_HLEN;
  return out;
}

/**
 * Write an ICMP echo header (type ICMP_ECHO_REQUEST or ICMP_ECHO_REPLY, code 0) at `offset` for
 * the `payloadLength` bytes already at offset + 8, with the checksum over both. Returns
 * 8 + payloadLength. Throws RangeError for bad fields or if the message does not fit.
 */
export function writeIcmpEcho(bytes, offset, type, id, seq, payloadLength) {
  checkU8(type, "type", "writeIcmpEcho");
  checkU16(id, "id", "writeIcmpEcho");
  checkU16(seq, "seq", "writeIcmpEcho");
  if (!Number.isInteger(payloadLength) || payloadLength < 0) throw new RangeError(`writeIcmpEcho: bad payloadLength ${payloadLength}`);
  checkSpan(bytes, offset, ICMP_HLEN + payloadLength, "writeIcmpEcho");
  bytes[offset] = type;
  bytes[offset + 1] = 0;
  put16(bytes, offset + 2, 0);
  put16(bytes, offset + 4, id);
  put16(bytes, offset + 6, seq);
  put16(bytes, offset + 2, ~sum16(bytes, offset, ICMP_HLEN + payloadLength, 0) & 0xffff);
  return ICMP_HLEN + payloadLength;
}

// ---- UDP (RFC 768) -----------------------------------------------------------------------------

export class UdpHeader {
  constructor() {
    this.offset = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    /** The Length field: header + payload. */
    this.length = 0;
    /** 0 means the sender computed none. */
    this.checksum = 0;
    /** True when the checksum verifies or is 0 (none). */
    this.checksumOk = false;
    this.payloadOffset = 0;
    this.payloadLength = 0;
  }
  get end() { return this.payloadOffset + this.payloadLength; }
}

/**
 * The UDP checksum of the `length`-byte datagram at `offset` (header with its checksum field
 * zeroed, then payload) with the IPv4 pseudo-header for `srcIp`/`dstIp`. A computed 0 is
 * returned as 0xffff (0 on the wire means "no checksum"). Throws RangeError on bad arguments.
 */
export function udpChecksum(bytes, offset, length, srcIp, dstIp) {
  checkSpan(bytes, offset, length, "udpChecksum");
  checkU32(srcIp, "srcIp", "udpChecksum");
  checkU32(dstIp, "dstIp", "udpChecksum");
  if (length > 0xffff) throw new RangeError(`udpChecksum: a UDP datagram has at most 65535 bytes, got ${length}`);
  const c = ~sum16(bytes, offset, length, pseudoSum(srcIp, dstIp, IPPROTO_UDP, length)) & 0xffff;
  return c === 0 ? 0xffff : c;
}

/**
 * Parse a UDP datagram in [offset, end) (the IPv4 payload) sent from `srcIp` to `dstIp`. Returns
 * `out`, or null when fewer than 8 bytes are there or the Length field is under 8 or runs past
 * `end`. The checksum (with the pseudo-header; 0 = none is accepted) goes to `out.checksumOk`.
 * Throws RangeError if [offset, end) is outside `bytes` or an address is not a u32.
 */
export function parseUdp(bytes, offset, end, srcIp, dstIp, out = new UdpHeader()) {
  checkWindow(bytes, offset, end, "parseUdp");
  checkU32(srcIp, "srcIp", "parseUdp");
  checkU32(dstIp, "dstIp", "parseUdp");
  return udpAt(bytes, offset, end, srcIp, dstIp, out);
}

function udpAt(bytes, offset, end, srcIp, dstIp, out) {
  if (end - offset < UDP_HLEN) return null;
  const len = get16(bytes, offset + 4);
  if (len < UDP_HLEN || len > end - offset) return null;
  out.offset = offset;
  out.srcPort = get16(bytes, offset);
  out.dstPort = get16(bytes, offset + 2);
  out.length = len;
  out.checksum = get16(bytes, offset + 6);
  out.checksumOk = out.checksum === 0 || sum16(bytes, offset, len, pseudoSum(srcIp, dstIp, IPPROTO_UDP, len)) === 0xffff;
  out.payloadOffset = offset + UDP_HLEN;
  out.payloadLength = len - UDP_HLEN;
  return out;
}

/**
 * Write a UDP header at `offset` for the `payloadLength` bytes already at offset + 8, with the
 * pseudo-header checksum (or 0 when `withChecksum` is false). Returns 8 + payloadLength.
 * Throws RangeError for bad ports/addresses or if the datagram does not fit.
 */
export function writeUdp(bytes, offset, srcIp, dstIp, srcPort, dstPort, payloadLength, withChecksum = true) {
  checkU16(srcPort, "srcPort", "writeUdp");
  checkU16(dstPort, "dstPort", "writeUdp");
  checkU32(srcIp, "srcIp", "writeUdp");
  checkU32(dstIp, "dstIp", "writeUdp");
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > 0xffff - UDP_HLEN) {
    throw new RangeError(`writeUdp: payloadLength must be in [0, ${0xffff - UDP_HLEN}], got ${payloadLength}`);
  }
  const len = UDP_HLEN + payloadLength;
  checkSpan(bytes, offset, len, "writeUdp");
  put16(bytes, offset, srcPort);
  put16(bytes, offset + 2, dstPort);
  put16(bytes, offset + 4, len);
  put16(bytes, offset + 6, 0);
  if (withChecksum) put16(bytes, offset + 6, udpChecksum(bytes, offset, len, srcIp, dstIp));
  return len;
}

// ---- whole frames ------------------------------------------------------------------------------

// Copy `payload` (when given) to `at` and return its length, or check `payloadLength`.
function placePayload(bytes, at, f, fn) {
  if (f.payload !== undefined) {
    if (!(f.payload instanceof Uint8Array)) throw new TypeError(`${fn}: payload must be a Uint8Array`);
    checkSpan(bytes, at, f.payload.length, fn);
    if (f.payload.buffer !== bytes.buffer || f.payload.byteOffset !== bytes.byteOffset + at) bytes.set(f.payload, at);
    return f.payload.length;
  }
  const n = f.payloadLength ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${fn}: bad payloadLength ${n}`);
  checkSpan(bytes, at, n, fn);
  return n;
}

/**
 * An Ethernet + IPv4 + UDP frame from byte 0. `f`: { dstMac, srcMac, srcIp, dstIp, srcPort,
 * dstPort, payload?: Uint8Array (copied to offset 42) | payloadLength?: number (already there),
 * ttl?, id?, tos?, checksum = true }. Returns the frame length (at least 60).
 * Throws TypeError/RangeError for bad fields or a frame that does not fit.
 */
export function buildUdpFrame(bytes, f) {
  if (typeof f !== "object" || f === null) throw new TypeError("buildUdpFrame: expected the fields as an object");
  const at = ETH_HLEN + IPV4_HLEN + UDP_HLEN;
  const n = placePayload(bytes, at, f, "buildUdpFrame");
  writeEthernet(bytes, 0, f.dstMac, f.srcMac, ETHERTYPE_IPV4);
  writeUdp(bytes, ETH_HLEN + IPV4_HLEN, f.srcIp, f.dstIp, f.srcPort, f.dstPort, n, f.checksum ?? true);
  writeIPv4(bytes, ETH_HLEN, { src: f.srcIp, dst: f.dstIp, protocol: IPPROTO_UDP, payloadLength: UDP_HLEN + n, ttl: f.ttl, id: f.id, tos: f.tos });
  return pad(bytes, at + n, "buildUdpFrame");
}

/**
 * An Ethernet + IPv4 + ICMP echo frame from byte 0. `f`: { dstMac, srcMac, srcIp, dstIp,
 * type = ICMP_ECHO_REQUEST, id, seq, payload? | payloadLength?, ttl?, ipId? }. Returns the frame
 * length (at least 60). Throws TypeError/RangeError for bad fields or a frame that does not fit.
 */
export function buildIcmpEchoFrame(bytes, f) {
  if (typeof f !== "object" || f === null) throw new TypeError("buildIcmpEchoFrame: expected the fields as an object");
  const at = ETH_HLEN + IPV4_HLEN + ICMP_HLEN;
  const n = placePayload(bytes, at, f, "buildIcmpEchoFrame");
  writeEthernet(bytes, 0, f.dstMac, f.srcMac, ETHERTYPE_IPV4);
  writeIcmpEcho(bytes, ETH_HLEN + IPV4_HLEN, f.type ?? ICMP_ECHO_REQUEST, f.id ?? 0, f.seq ?? 0, n);
  writeIPv4(bytes, ETH_HLEN, { src: f.srcIp, dst: f.dstIp, protocol: IPPROTO_ICMP, payloadLength: ICMP_HLEN + n, ttl: f.ttl, id: f.ipId });
  return pad(bytes, at + n, "buildIcmpEchoFrame");
}

/**
 * A frame parsed layer by layer (reuse one per loop). `kind` says how far parsing got:
 *   "arp"   eth + arp valid            "icmp"  eth + ip + icmp valid
 *   "udp"   eth + ip + udp valid       "ipv4"  eth + ip valid, another protocol or a fragment
 *   "other" eth valid, another EtherType (or IPv4 with a bad header checksum: `ipChecksumBad`)
 * Layers that were not reached keep stale values: look only at those `kind` names.
 */
export class Frame {
  constructor() {
    this.kind = "other";
    this.length = 0;
    this.eth = new EthernetHeader();
    this.arp = new ArpPacket();
    this.ip = new IPv4Header();
    this.icmp = new IcmpHeader();
    this.udp = new UdpHeader();
    this.ipChecksumBad = false;
  }
}

/**
 * Parse a `length`-byte frame into `out`. Returns `out`, or null when the frame is malformed:
 * shorter than an Ethernet header, or an ARP/IPv4/ICMP/UDP layer it announces is truncated or
 * inconsistent, or an ICMP/UDP checksum is wrong. IPv4 with a bad header checksum comes back as
 * kind "other" with `ipChecksumBad` set. Allocates nothing. Throws RangeError if `length` is
 * outside `bytes`.
 */
export function parseFrame(bytes, length = bytes?.length, out = new Frame()) {
  checkWindow(bytes, 0, length, "parseFrame");
  out.kind = "other";
  out.length = length;
  out.ipChecksumBad = false;
  const eth = ethAt(bytes, length, out.eth);
  if (eth === null) return null;
  const at = eth.payloadOffset;
  if (eth.ethertype === ETHERTYPE_ARP) {
    if (arpAt(bytes, at, length, out.arp) === null) return null;
    out.kind = "arp";
    return out;
  }
  if (eth.ethertype !== ETHERTYPE_IPV4) return out;
  const ip = ipv4At(bytes, at, length, out.ip);
  if (ip === null) return null;
  if (!ip.checksumOk) { out.ipChecksumBad = true; return out; }
  out.kind = "ipv4";
  if (ip.moreFragments || ip.fragmentOffset !== 0) return out;
  const end = ip.payloadOffset + ip.payloadLength;
  if (ip.protocol === IPPROTO_ICMP) {
    const icmp = icmpAt(bytes, ip.payloadOffset, end, out.icmp);
    if (icmp === null || !icmp.checksumOk) return null;
    out.kind = "icmp";
  } else if (ip.protocol === IPPROTO_UDP) {
    const udp = udpAt(bytes, ip.payloadOffset, end, ip.src, ip.dst, out.udp);
    if (udp === null || !udp.checksumOk) return null;
    out.kind = "udp";
  }
  return out;
}

// ---- replies in place --------------------------------------------------------------------------
// A received frame becomes its own reply: no copy, no allocation. Each takes a Frame that
// parseFrame filled from these same bytes and returns the reply's length.

function needKind(frame, kind, fn) {
  if (!(frame instanceof Frame) || frame.kind !== kind) throw new TypeError(`${fn}: expected a Frame parsed as "${kind}", got ${frame?.kind}`);
}

// Set TTL to `ttl`, updating the header checksum incrementally.
function resetTtl(bytes, ip, ttl) {
  const o = ip.offset;
  const oldWord = get16(bytes, o + 8);
  const newWord = (ttl << 8) | bytes[o + 9];
  put16(bytes, o + 10, checksumUpdate16(get16(bytes, o + 10), oldWord, newWord));
  bytes[o + 8] = ttl;
}

// Swap the Ethernet addresses (source becomes `mac`) and the IPv4 addresses. Swapping leaves
// every checksum that covers both addresses unchanged (the sum is commutative).
function swapAddresses(bytes, frame, mac) {
  for (let i = 0; i < 6; i++) { bytes[i] = frame.eth.src[i]; bytes[6 + i] = mac[i]; }
  const o = frame.ip.offset;
  put32(bytes, o + 12, frame.ip.dst);
  put32(bytes, o + 16, frame.ip.src);
}

// The reply ends where the datagram ends; a short one is zero-padded to the Ethernet minimum
// (not echoing whatever padding the sender left) when the buffer has room.
function replyLength(bytes, end) {
  if (end >= ETH_ZLEN || bytes.length < ETH_ZLEN) return end;
  bytes.fill(0, end, ETH_ZLEN);
  return ETH_ZLEN;
}

/**
 * Turn a parsed ARP request into the reply "`ip` is at `mac`" in place: Ethernet to the asker,
 * op 2, sender `mac`/`ip`, target the asker. Returns the reply length (zero-padded to 60 when
 * `bytes` has room, as a Packet's `bytes` always has). Throws TypeError unless `frame.kind` is "arp".
 */
export function arpReplyInPlace(bytes, frame, mac, ip) {
  needKind(frame, "arp", "arpReplyInPlace");
  checkMac(mac, "arpReplyInPlace");
  const a = frame.arp;
  for (let i = 0; i < 6; i++) { bytes[i] = frame.eth.src[i]; bytes[6 + i] = mac[i]; }
  writeArp(bytes, a.offset, ARP_REPLY, mac, ip, a.senderMac, a.senderIp);
  return replyLength(bytes, a.offset + ARP_LEN);
}

/**
 * Turn a parsed ICMP echo request into its echo reply in place: Ethernet and IP addresses
 * swapped (source MAC `mac`), TTL 64, type 0, checksums updated incrementally (RFC 1624). IP
 * options are kept. Returns the reply length. Throws TypeError unless `frame.kind` is "icmp".
 */
export function icmpEchoReplyInPlace(bytes, frame, mac, ttl = 64) {
  needKind(frame, "icmp", "icmpEchoReplyInPlace");
  checkMac(mac, "icmpEchoReplyInPlace");
  checkU8(ttl, "ttl", "icmpEchoReplyInPlace");
  const c = frame.icmp;
  swapAddresses(bytes, frame, mac);
  resetTtl(bytes, frame.ip, ttl);
  const oldWord = get16(bytes, c.offset);
  bytes[c.offset] = ICMP_ECHO_REPLY;
  bytes[c.offset + 1] = 0;
  put16(bytes, c.offset + 2, checksumUpdate16(get16(bytes, c.offset + 2), oldWord, ICMP_ECHO_REPLY << 8));
  return replyLength(bytes, frame.ip.end);
}

/**
 * Turn a parsed UDP datagram into its echo in place: addresses and ports swapped (source MAC
 * `mac`), TTL 64, same payload. The UDP checksum stays valid as it is. Returns the reply length.
 * Throws TypeError unless `frame.kind` is "udp".
 */
export function udpEchoInPlace(bytes, frame, mac, ttl = 64) {
  needKind(frame, "udp", "udpEchoInPlace");
  checkMac(mac, "udpEchoInPlace");
  checkU8(ttl, "ttl", "udpEchoInPlace");
  const u = frame.udp;
  swapAddresses(bytes, frame, mac);
  resetTtl(bytes, frame.ip, ttl);
  put16(bytes, u.offset, u.dstPort);
  put16(bytes, u.offset + 2, u.srcPort);
  return replyLength(bytes, frame.ip.end);
}
