// jsk:net — Ethernet, ARP, IPv4, ICMP echo and UDP on byte arrays; jsk:net/pcap — capture files.
//
// Conventions: parse* never throw for anything read from the wire — they return null for a
// malformed header; they throw only for the caller's mistakes (a window outside the buffer,
// a wrong kind of argument). write*/build* throw RangeError when the header does not fit the
// buffer or a field is out of range, TypeError for a wrong kind of value. MACs are 6-byte
// Uint8Arrays; IPv4 addresses are unsigned 32-bit numbers (0x0a00020f is 10.0.2.15).
declare module "jsk:net" {
  export const ETH_ALEN: 6;
  export const ETH_HLEN: 14;
  export const ETH_ZLEN: 60;
  export const ETH_FRAME_LEN: 1514;
  export const ETH_DATA_LEN: 1500;
  export const ETHERTYPE_IPV4: 0x0800;
  export const ETHERTYPE_ARP: 0x0806;
  export const ETHERTYPE_VLAN: 0x8100;
  export const ETHERTYPE_QINQ: 0x88a8;
  export const ETHERTYPE_IPV6: 0x86dd;
  export const ETHERTYPE: Readonly<{ IPV4: 0x0800; ARP: 0x0806; VLAN: 0x8100; QINQ: 0x88a8; IPV6: 0x86dd }>;
  export const IPPROTO_ICMP: 1;
  export const IPPROTO_TCP: 6;
  export const IPPROTO_UDP: 17;
  export const IPPROTO: Readonly<{ ICMP: 1; TCP: 6; UDP: 17 }>;
  export const ARP_HTYPE_ETHERNET: 1;
  export const ARP_REQUEST: 1;
  export const ARP_REPLY: 2;
  export const ARP_LEN: 28;
  export const IPV4_HLEN: 20;
  export const IPV4_FLAG_DF: 0x4000;
  export const IPV4_FLAG_MF: 0x2000;
  export const UDP_HLEN: 8;
  export const ICMP_HLEN: 8;
  export const ICMP_ECHO_REPLY: 0;
  export const ICMP_DEST_UNREACHABLE: 3;
  export const ICMP_ECHO_REQUEST: 8;
  export const ICMP_TIME_EXCEEDED: 11;

  /** A fresh ff:ff:ff:ff:ff:ff. */
  export function broadcastMac(): Uint8Array;

  // ---- addresses
  /** "52:54:00:12:34:56" or "52-54-00-12-34-56" → 6 bytes. @throws TypeError for a non-string. @throws RangeError for other text. */
  export function parseMac(text: string): Uint8Array;
  /** @throws RangeError if the 6 bytes at `offset` are not inside `bytes`; TypeError if `bytes` is not a Uint8Array. */
  export function formatMac(bytes: Uint8Array, offset?: number): string;
  /** @throws RangeError outside `bytes`; TypeError unless `mac` is a 6-byte Uint8Array. */
  export function macEquals(bytes: Uint8Array, offset: number, mac: Uint8Array): boolean;
  /** @throws RangeError outside `bytes`. */
  export function isBroadcastMac(bytes: Uint8Array, offset?: number): boolean;
  /** Group bit (multicast or broadcast). @throws RangeError outside `bytes`. */
  export function isMulticastMac(bytes: Uint8Array, offset?: number): boolean;
  /** Returns 6. @throws RangeError outside `bytes`; TypeError for a bad MAC. */
  export function writeMac(bytes: Uint8Array, offset: number, mac: Uint8Array): number;
  /** Dotted quad → u32. @throws TypeError for a non-string. @throws RangeError for other text. */
  export function parseIPv4Address(text: string): number;
  /** @throws RangeError unless `addr` is an integer in [0, 2^32). */
  export function formatIPv4Address(addr: number): string;
  /** @throws RangeError outside `bytes`. */
  export function readIPv4Address(bytes: Uint8Array, offset: number): number;
  /** Returns 4. @throws RangeError outside `bytes` or for a bad address. */
  export function writeIPv4Address(bytes: Uint8Array, offset: number, addr: number): number;

  // ---- checksums (RFC 1071, RFC 1624)
  /**
   * One's-complement sum of the bytes, folded to 16 bits (not complemented), continuing `sum`.
   * Only the last piece of a chain may have an odd length.
   * @throws RangeError if the bytes are not inside `bytes` or `sum` is not in [0, 0xffff].
   */
  export function checksumAdd(bytes: Uint8Array, offset?: number, length?: number, sum?: number): number;
  /** The Internet checksum (~sum & 0xffff); 0 over data that includes a correct checksum. @throws RangeError as checksumAdd. */
  export function internetChecksum(bytes: Uint8Array, offset?: number, length?: number, sum?: number): number;
  /** RFC 1624 eqn. 3: the checksum after one covered 16-bit word changes. @throws RangeError for values outside [0, 0xffff]. */
  export function checksumUpdate16(checksum: number, oldWord: number, newWord: number): number;
  /** UDP checksum with the IPv4 pseudo-header over `length` bytes at `offset` (checksum field zeroed); 0 comes back as 0xffff. @throws RangeError for bad arguments. */
  export function udpChecksum(bytes: Uint8Array, offset: number, length: number, srcIp: number, dstIp: number): number;

  // ---- headers (reusable parse results)
  export class EthernetHeader {
    dst: Uint8Array; src: Uint8Array;
    /** After an optional 802.1Q tag; values below 0x600 are 802.3 lengths. */
    ethertype: number;
    /** 802.1Q VLAN id, -1 when untagged. */
    vlan: number;
    /** 14, or 18 after a VLAN tag. */
    payloadOffset: number;
    end: number;
  }
  export class ArpPacket {
    offset: number; op: number;
    senderMac: Uint8Array; senderIp: number;
    targetMac: Uint8Array; targetIp: number;
  }
  export class IPv4Header {
    offset: number; headerLength: number; totalLength: number; tos: number; id: number;
    dontFragment: boolean; moreFragments: boolean; fragmentOffset: number;
    ttl: number; protocol: number; checksum: number; checksumOk: boolean;
    src: number; dst: number; payloadOffset: number; payloadLength: number;
    readonly end: number;
    readonly isFragment: boolean;
  }
  export class IcmpHeader {
    offset: number; type: number; code: number; checksum: number; checksumOk: boolean;
    id: number; seq: number; payloadOffset: number; payloadLength: number;
    readonly end: number;
  }
  export class UdpHeader {
    offset: number; srcPort: number; dstPort: number; length: number;
    /** 0: the sender computed none. */
    checksum: number;
    /** Verifies, or 0 (none). */
    checksumOk: boolean;
    payloadOffset: number; payloadLength: number;
    readonly end: number;
  }
  export class Frame {
    kind: "arp" | "icmp" | "udp" | "ipv4" | "other";
    length: number;
    eth: EthernetHeader; arp: ArpPacket; ip: IPv4Header; icmp: IcmpHeader; udp: UdpHeader;
    /** IPv4 whose header checksum is wrong (kind is then "other"). */
    ipChecksumBad: boolean;
  }

  // ---- parsing: null for malformed wire data
  /** null if shorter than its header (with a VLAN tag, 18 bytes). @throws RangeError if `length` is outside `bytes`. */
  export function parseEthernet(bytes: Uint8Array, length?: number, out?: EthernetHeader): EthernetHeader | null;
  /** null unless 28 bytes of ARP for IPv4 over Ethernet. @throws RangeError if [offset, end) is outside `bytes`. */
  export function parseArp(bytes: Uint8Array, offset: number, end: number, out?: ArpPacket): ArpPacket | null;
  /** null for < 20 bytes, version ≠ 4, IHL < 5, header or Total Length past `end`, Total Length < header. @throws RangeError if [offset, end) is outside `bytes`. */
  export function parseIPv4(bytes: Uint8Array, offset: number, end: number, out?: IPv4Header): IPv4Header | null;
  /** null for < 8 bytes. @throws RangeError if [offset, end) is outside `bytes`. */
  export function parseIcmp(bytes: Uint8Array, offset: number, end: number, out?: IcmpHeader): IcmpHeader | null;
  /** null for < 8 bytes, Length < 8 or past `end`. @throws RangeError if [offset, end) is outside `bytes` or an address is not a u32. */
  export function parseUdp(bytes: Uint8Array, offset: number, end: number, srcIp: number, dstIp: number, out?: UdpHeader): UdpHeader | null;
  /**
   * All layers at once, allocating nothing when `out` is reused. null for a malformed frame
   * (a truncated/inconsistent layer, a wrong ICMP/UDP checksum).
   * @throws RangeError if `length` is outside `bytes`.
   */
  export function parseFrame(bytes: Uint8Array, length?: number, out?: Frame): Frame | null;

  // ---- writing: returns the number of bytes written
  /** @throws RangeError if 14 bytes do not fit at `offset` or `ethertype` is not a u16; TypeError for bad MACs. */
  export function writeEthernet(bytes: Uint8Array, offset: number, dst: Uint8Array, src: Uint8Array, ethertype: number): number;
  /** @throws RangeError if 28 bytes do not fit or a field is out of range; TypeError for bad MACs. */
  export function writeArp(bytes: Uint8Array, offset: number, op: number, senderMac: Uint8Array, senderIp: number, targetMac: Uint8Array, targetIp: number): number;
  export interface IPv4Fields { src: number; dst: number; protocol: number; payloadLength: number; ttl?: number; id?: number; tos?: number; dontFragment?: boolean }
  /** A 20-byte header with its checksum. @throws RangeError when a field is out of range or header + payload do not fit; TypeError if `h` is not an object. */
  export function writeIPv4(bytes: Uint8Array, offset: number, h: IPv4Fields): number;
  /** Echo header + checksum over the payload already at offset + 8. Returns 8 + payloadLength. @throws RangeError for bad fields or if it does not fit. */
  export function writeIcmpEcho(bytes: Uint8Array, offset: number, type: number, id: number, seq: number, payloadLength: number): number;
  /** UDP header + checksum over the payload already at offset + 8. Returns 8 + payloadLength. @throws RangeError for bad fields or if it does not fit. */
  export function writeUdp(bytes: Uint8Array, offset: number, srcIp: number, dstIp: number, srcPort: number, dstPort: number, payloadLength: number, withChecksum?: boolean): number;

  // ---- whole frames from byte 0; padded to 60 bytes
  /** Returns 60. @throws TypeError/RangeError for bad arguments or a buffer under 60 bytes. */
  export function buildArpRequest(bytes: Uint8Array, srcMac: Uint8Array, srcIp: number, targetIp: number): number;
  /** Returns 60. @throws TypeError/RangeError for bad arguments or a buffer under 60 bytes. */
  export function buildArpReply(bytes: Uint8Array, srcMac: Uint8Array, srcIp: number, dstMac: Uint8Array, dstIp: number): number;
  export interface UdpFrameFields {
    dstMac: Uint8Array; srcMac: Uint8Array; srcIp: number; dstIp: number; srcPort: number; dstPort: number;
    /** Copied to offset 42. */
    payload?: Uint8Array;
    /** Or: the payload is already at offset 42. */
    payloadLength?: number;
    ttl?: number; id?: number; tos?: number;
    /** Compute the UDP checksum (default true; false sends 0). */
    checksum?: boolean;
  }
  /** Returns the frame length. @throws TypeError/RangeError for bad fields or a frame that does not fit. */
  export function buildUdpFrame(bytes: Uint8Array, f: UdpFrameFields): number;
  export interface IcmpEchoFrameFields {
    dstMac: Uint8Array; srcMac: Uint8Array; srcIp: number; dstIp: number;
    /** ICMP_ECHO_REQUEST (default) or ICMP_ECHO_REPLY. */
    type?: number; id?: number; seq?: number;
    payload?: Uint8Array; payloadLength?: number; ttl?: number; ipId?: number;
  }
  /** Returns the frame length. @throws TypeError/RangeError for bad fields or a frame that does not fit. */
  export function buildIcmpEchoFrame(bytes: Uint8Array, f: IcmpEchoFrameFields): number;

  // ---- replies in place (the received frame becomes the reply)
  /** ARP request → reply "`ip` is at `mac`". Returns the reply length. @throws TypeError unless frame.kind is "arp" or for a bad MAC; RangeError for a bad address. */
  export function arpReplyInPlace(bytes: Uint8Array, frame: Frame, mac: Uint8Array, ip: number): number;
  /** Echo request → echo reply (addresses swapped, TTL reset, checksums updated). @throws TypeError unless frame.kind is "icmp" or for a bad MAC; RangeError for a bad TTL. */
  export function icmpEchoReplyInPlace(bytes: Uint8Array, frame: Frame, mac: Uint8Array, ttl?: number): number;
  /** UDP datagram → the same payload back (addresses and ports swapped). @throws TypeError unless frame.kind is "udp" or for a bad MAC; RangeError for a bad TTL. */
  export function udpEchoInPlace(bytes: Uint8Array, frame: Frame, mac: Uint8Array, ttl?: number): number;
}

declare module "jsk:net/pcap" {
  export const PCAP_MAGIC: 0xa1b2c3d4;
  export const PCAP_MAGIC_NS: 0xa1b23c4d;
  export const PCAP_VERSION_MAJOR: 2;
  export const PCAP_VERSION_MINOR: 4;
  export const LINKTYPE_ETHERNET: 1;
  export const PCAP_HEADER_LEN: 24;
  export const PCAP_RECORD_HEADER_LEN: 16;

  export interface PcapWriterOptions {
    /** Nanosecond timestamps (magic 0xa1b23c4d); default microseconds. */
    nanosecond?: boolean;
    /** Default 65535; frames are cut to it (the original length is kept). */
    snaplen?: number;
    /** Default LINKTYPE_ETHERNET (1). */
    linktype?: number;
    /**
     * 0 (default): every record is written at once, in one write(2), so a killed process leaves
     * a readable file. N: gather up to N bytes and write when full, on flush()/close() and at exit.
     */
    bufferSize?: number;
  }
  export class PcapWriter {
    /** Creates/truncates `path` and writes the global header. @throws SysError if it cannot; RangeError for bad options; TypeError for a bad path. */
    constructor(path: string, options?: PcapWriterOptions);
    readonly path: string;
    readonly nanosecond: boolean;
    readonly snaplen: number;
    readonly linktype: number;
    /** Records written so far. */
    readonly packets: number;
    readonly closed: boolean;
    /**
     * One record, stamped with CLOCK_REALTIME (or `timeNs`, nanoseconds since the epoch).
     * @throws TypeError for a non-view, RangeError for a bad length or timeNs, Error after close(), SysError when the write fails.
     */
    write(bytes: ArrayBufferView, length?: number, timeNs?: bigint): void;
    /** @throws SysError when the write fails. */
    flush(): void;
    /** Flush and close; idempotent. Also runs at process exit. @throws SysError when the last write fails. */
    close(): void;
    /** A function for NetDevice.tap: write errors stop the capture with one line on stderr, never throw. */
    tap(): (direction: "rx" | "tx", bytes: Uint8Array) => void;
  }
  /** The tap of the one shared writer for `path` (what `jsk run --pcap FILE` gives every NetDevice). @throws SysError if the file cannot be created. */
  export function pcapTap(path: string): (direction: "rx" | "tx", bytes: Uint8Array) => void;
  export function sharedPcapWriter(path: string): PcapWriter | undefined;

  export interface PcapRecord {
    sec: number;
    /** Microseconds, or nanoseconds in a nanosecond file. */
    frac: number;
    timeNs: bigint;
    capturedLength: number;
    originalLength: number;
    /** A view of the file's bytes. */
    data: Uint8Array;
  }
  export interface PcapFile {
    magic: number; nanosecond: boolean;
    /** Written in the other byte order than this machine's. */
    swapped: boolean;
    versionMajor: number; versionMinor: number; thiszone: number; snaplen: number; linktype: number;
    records: PcapRecord[];
    /** Bytes of an incomplete last record (a writer killed mid-write), else 0. */
    truncated: number;
  }
  /** @throws TypeError for a non-Uint8Array; RangeError for a short header, an unknown magic or an impossible record length. */
  export function readPcap(bytes: Uint8Array): PcapFile;
  /** @throws SysError if the file cannot be read, and what readPcap throws. */
  export function readPcapFile(path: string): PcapFile;
}
