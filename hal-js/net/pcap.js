// jsk:net/pcap — classic libpcap capture files (what tcpdump -w writes and tcpdump -r, Wireshark
// read), written and read through jsk:sys.
//
// File: a 24-byte global header (magic, version 2.4, thiszone 0, sigfigs 0, snaplen, linktype),
// then per frame a 16-byte record header (ts_sec, ts_usec or ts_nsec, captured length, original
// length) and the captured bytes. Written little-endian; readers detect the byte order by the
// magic. https://www.tcpdump.org/manpages/pcap-savefile.5.html
//
// A record goes to the file in one write(2), header and bytes together, so a process that is
// killed (even SIGKILL) leaves a file that ends on a record boundary, or at worst with one torn
// record at the very end that readers (tcpdump, readPcap) report as truncated. With
// `bufferSize`, records are gathered and written when the buffer is full, on flush() and
// close(), and when the process exits; what a SIGKILL loses is then at most one buffer.
//
// `jsk run --pcap FILE` makes every NetDevice feed one shared writer (see pcapTap).

import * as sys from "jsk:sys";
import { process } from "jsk:process";

export const PCAP_MAGIC = 0xa1b2c3d4;
/** The nanosecond-timestamp variant. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

// clock_gettime(CLOCK_REALTIME) into a preallocated struct timespec: no BigInt per record.
const NR_clock_gettime = sys.nr.clock_gettime;
const ts = new Uint32Array(4);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LE ? 0 : 1;

/**
 * Writes a capture file. `new PcapWriter(path, { nanosecond = false, snaplen = 65535,
 * linktype = LINKTYPE_ETHERNET, bufferSize = 0 })` creates (truncates) `path` and writes the
 * global header at once. Throws SysError when the file cannot be created, RangeError for bad
 * options.
 */
export class PcapWriter {
  constructor(path, { nanosecond = false, snaplen = 65535, linktype = LINKTYPE_ETHERNET, bufferSize = 0 } = {}) {
    if (typeof path !== "string" || path === "") throw new TypeError("PcapWriter: path must be a non-empty string");
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x40000) throw new RangeError(`PcapWriter: snaplen must be in [1, 262144], got ${snaplen}`);
    if (!Number.isInteger(linktype) || linktype < 0 || linktype > 0xffff) throw new RangeError(`PcapWriter: bad linktype ${linktype}`);
    if (!Number.isInteger(bufferSize) || bufferSize < 0 || bufferSize > 64 << 20) throw new RangeError(`PcapWriter: bufferSize must be in [0, 64 MiB], got ${bufferSize}`);
    this.path = path;
    this.nanosecond = !!nanosecond;
    this.snaplen = snaplen;
    this.linktype = linktype;
    /** Records written (or buffered) so far. */
    this.packets = 0;
    // Staging area: records gather here until `bufferSize` bytes (0: each goes out at once);
    // it always holds at least one whole record.
    this.buf = new Uint8Array(Math.max(bufferSize, PCAP_RECORD_HEADER_LEN + snaplen));
    this.view = new DataView(this.buf.buffer);
    this.bufferSize = bufferSize;
    this.used = 0;
    this.fd = sys.open(path, sys.O_WRONLY | sys.O_CREAT | sys.O_TRUNC | sys.O_CLOEXEC, 0o644);
    const h = new DataView(new ArrayBuffer(PCAP_HEADER_LEN));
    h.setUint32(0, this.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC, true);
    h.setUint16(4, PCAP_VERSION_MAJOR, true);
    h.setUint16(6, PCAP_VERSION_MINOR, true);
    h.setInt32(8, 0, true); // thiszone: timestamps are UTC
    h.setUint32(12, 0, true); // sigfigs
    h.setUint32(16, snaplen, true);
    h.setUint32(20, linktype, true);
    this.writeAll(new Uint8Array(h.buffer), PCAP_HEADER_LEN);
    this.onExit = () => { try { this.close(); } catch { /* exiting: nothing left to report to */ } };
    process.on("exit", this.onExit);
  }

  /** Whether close() has run. */
  get closed() { return this.fd < 0; }

  /**
   * Append one frame (the first `length` bytes of `bytes`, cut to snaplen), stamped with
   * CLOCK_REALTIME now, or with `timeNs` (a BigInt of nanoseconds since the epoch) if given.
   * Throws TypeError for a non-byte array, RangeError for a bad length, Error after close(),
   * SysError when the write fails.
   */
  write(bytes, length = bytes?.byteLength, timeNs) {
    if (this.fd < 0) throw new Error(`PcapWriter ${this.path}: closed`);
    if (!ArrayBuffer.isView(bytes)) throw new TypeError("PcapWriter.write: expected a Uint8Array or other view");
    if (!Number.isInteger(length) || length < 0 || length > bytes.byteLength) throw new RangeError(`PcapWriter.write: length ${length} is outside the ${bytes.byteLength}-byte view`);
    const src = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let sec, frac;
    if (timeNs === undefined) {
      const r = sys.syscall(NR_clock_gettime, sys.CLOCK_REALTIME, ts);
      if (r < 0) sys.check(r, "clock_gettime");
      sec = ts[LO];
      frac = ts[2 + LO];
    } else {
      if (typeof timeNs !== "bigint" || timeNs < 0n) throw new RangeError("PcapWriter.write: timeNs must be a non-negative BigInt");
      sec = Number((timeNs / 1000000000n) & 0xffffffffn);
      frac = Number(timeNs % 1000000000n);
    }
    if (!this.nanosecond) frac = Math.floor(frac / 1000);
    const cap = Math.min(length, this.snaplen);
    const need = PCAP_RECORD_HEADER_LEN + cap;
    if (this.used > 0 && this.used + need > this.bufferSize) this.flush();
    const v = this.view, at = this.used;
    v.setUint32(at, sec, true);
    v.setUint32(at + 4, frac, true);
    v.setUint32(at + 8, cap, true);
    v.setUint32(at + 12, length, true);
    this.buf.set(cap === src.length ? src : src.subarray(0, cap), at + PCAP_RECORD_HEADER_LEN);
    this.used += need;
    this.packets++;
    if (this.used >= this.bufferSize) this.flush();
  }

  /** Write what is buffered. Throws SysError when the write fails. */
  flush() {
    if (this.used === 0 || this.fd < 0) return;
    const n = this.used;
    this.used = 0;
    this.writeAll(this.buf, n);
  }

  /** Flush and close the file (idempotent). Throws SysError when the last write fails. */
  close() {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      sys.close(this.fd);
      this.fd = -1;
    }
  }

  /**
   * A function for `netdev.tap(...)`: writes every frame it is given. A write error is reported
   * once on stderr and stops the capture, instead of failing the app's rxBatch/txBatch.
   */
  tap() {
    return (direction, bytes) => {
      if (this.fd < 0) return;
      try {
        this.write(bytes);
      } catch (e) {
        try { this.close(); } catch { /* already failing */ }
        console.error(`jsk: pcap ${this.path}: capture stopped: ${e?.message ?? e}`);
      }
    };
  }

  writeAll(bytes, length) {
    let off = 0;
    while (off < length) {
      const n = sys.write(this.fd, off === 0 ? bytes : bytes.subarray(off), length - off);
      if (n === 0) throw new Error(`PcapWriter ${this.path}: write made no progress`);
      off += n;
    }
  }
}

const shared = new Map();

/**
 * The tap function of the one writer for `path` in this process (created at the first call): how
 * every NetDevice feeds `jsk run --pcap FILE`. Throws SysError when the file cannot be created.
 */
export function pcapTap(path) {
  let w = shared.get(path);
  if (!w) {
    w = new PcapWriter(path);
    shared.set(path, w);
  }
  return w.tap();
}

/** The writer pcapTap(path) created, or undefined. */
export function sharedPcapWriter(path) { return shared.get(path); }

/**
 * Parse a capture file's bytes. Returns { magic, nanosecond, swapped, versionMajor, versionMinor,
 * thiszone, snaplen, linktype, records: [{ sec, frac, timeNs, capturedLength, originalLength,
 * data }], truncated } where `truncated` counts the bytes of an incomplete last record (what a
 * killed writer may leave). `data` views `bytes`. Throws RangeError for a file shorter than its
 * header, an unknown magic, or a record whose captured length exceeds its original length or
 * 256 KiB.
 */
export function readPcap(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("readPcap: expected a Uint8Array");
  if (bytes.length < PCAP_HEADER_LEN) throw new RangeError(`readPcap: ${bytes.length} bytes is shorter than the 24-byte header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = v.getUint32(0, true);
  let le, nanosecond;
  if (m === PCAP_MAGIC || m === PCAP_MAGIC_NS) le = true;
  else {
    const mb = v.getUint32(0, false);
    if (mb !== PCAP_MAGIC && mb !== PCAP_MAGIC_NS) throw new RangeError(`readPcap: not a pcap file (magic 0x${m.toString(16)})`);
    le = false;
  }
  const magic = v.getUint32(0, le);
  nanosecond = magic === PCAP_MAGIC_NS;
  const out = {
    magic,
    nanosecond,
    swapped: le !== LE,
    versionMajor: v.getUint16(4, le),
    versionMinor: v.getUint16(6, le),
    thiszone: v.getInt32(8, le),
    snaplen: v.getUint32(16, le),
    linktype: v.getUint32(20, le),
    records: [],
    truncated: 0,
  };
  let at = PCAP_HEADER_LEN;
  while (at < bytes.length) {
    if (bytes.length - at < PCAP_RECORD_HEADER_LEN) { out.truncated = bytes.length - at; break; }
    const sec = v.getUint32(at, le), frac = v.getUint32(at + 4, le);
    const cap = v.getUint32(at + 8, le), orig = v.getUint32(at + 12, le);
    if (cap > 0x40000 || cap > orig) throw new RangeError(`readPcap: record at byte ${at}: captured length ${cap} (original ${orig}) is impossible`);
    if (bytes.length - at - PCAP_RECORD_HEADER_LEN < cap) { out.truncated = bytes.length - at; break; }
    const data = bytes.subarray(at + PCAP_RECORD_HEADER_LEN, at + PCAP_RECORD_HEADER_LEN + cap);
    const timeNs = BigInt(sec) * 1000000000n + BigInt(nanosecond ? frac : frac * 1000);
    out.records.push({ sec, frac, timeNs, capturedLength: cap, originalLength: orig, data });
    at += PCAP_RECORD_HEADER_LEN + cap;
  }
  return out;
}

/** readPcap of a file. Throws SysError when it cannot be read, and what readPcap throws. */
export function readPcapFile(path) {
  return readPcap(sys.readFile(path));
}
