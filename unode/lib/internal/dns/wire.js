// node:internal/dns/wire — DNS messages (RFC 1035 §4) as bytes: building a
// query and parsing a reply, with name compression (§4.1.4).
//
// Every length, count and pointer read from a reply is checked against the
// packet's end before it is used; a compression pointer must point before the
// place it was read from (so pointers cannot loop). A malformed reply makes
// parseMessage throw a WireError (the resolver reports EBADRESP), never read
// outside the packet or spin.

import { encodeUtf8 } from "jsk:native";

export const TYPES = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35, OPT: 41, ANY: 255, CAA: 257,
};
const NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));

export class WireError extends Error {}

/** The label bytes of a name, or null when it cannot be a DNS name (EBADNAME). */
export function encodeName(name) {
  if (name.endsWith(".") && name.length > 1) name = name.slice(0, -1);
  const out = [];
  if (name !== "" && name !== ".") {
    for (const label of name.split(".")) {
      const b = encodeUtf8(label);
      if (b.length === 0 || b.length > 63) return null;
      out.push(b.length, ...b);
    }
  }
  out.push(0);
  if (out.length > 255) return null;
  return out;
}

/** A query message: header (ID, RD set, one question) and the question. */
export function encodeQuery(id, name, type) {
  const qname = encodeName(name);
  if (qname === null) return null;
  const msg = new Uint8Array(12 + qname.length + 4);
  msg[0] = id >> 8; msg[1] = id & 255;
  msg[2] = 0x01; // RD
  msg[5] = 1; // QDCOUNT
  msg.set(qname, 12);
  const o = 12 + qname.length;
  msg[o] = type >> 8; msg[o + 1] = type & 255;
  msg[o + 3] = 1; // class IN
  return msg;
}

function escapeLabel(bytes) {
  let plain = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c <= 0x20 || c === 0x2e || c === 0x5c || c >= 0x7f) { plain = false; break; }
  }
  if (plain) return String.fromCharCode.apply(null, bytes);
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x2e || c === 0x5c) s += "\\" + String.fromCharCode(c);
    else if (c <= 0x20 || c >= 0x7f) s += "\\" + String(c).padStart(3, "0");
    else s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Reads the name at `off`: returns [text, offset after it]. `end` bounds where
 * the name's own bytes may lie; pointers may reach anywhere before them.
 */
export function readName(msg, off, end) {
  const labels = [];
  let pos = off;
  let next = -1; // where reading continues after the first pointer
  let total = 0;
  let jumps = 0;
  let limit = end;
  for (;;) {
    if (pos >= limit) throw new WireError("name runs past the end");
    const len = msg[pos];
    if (len === 0) { pos++; break; }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= limit) throw new WireError("truncated pointer");
      const target = ((len & 0x3f) << 8) | msg[pos + 1];
      if (target >= pos || target < 12) throw new WireError("bad compression pointer");
      if (next < 0) next = pos + 2;
      if (++jumps > 127) throw new WireError("too many pointers");
      limit = pos; // a pointed-to name must lie before the pointer
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireError("bad label type");
    if (pos + 1 + len > limit) throw new WireError("label runs past the end");
    total += len + 1;
    if (total > 255) throw new WireError("name too long");
    labels.push(escapeLabel(msg.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return [labels.join("."), next >= 0 ? next : pos];
}

function u16(msg, o) { return (msg[o] << 8) | msg[o + 1]; }
function u32(msg, o) { return ((msg[o] << 24) >>> 0) + (msg[o + 1] << 16) + (msg[o + 2] << 8) + msg[o + 3]; }

function ipv6Text(msg, o) {
  const g = [];
  for (let i = 0; i < 8; i++) g.push(u16(msg, o + 2 * i));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best === 0 && bestLen === 5 && g[5] === 0xffff) {
    return `::ffff:${msg[o + 12]}.${msg[o + 13]}.${msg[o + 14]}.${msg[o + 15]}`;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

// Node gives record strings byte for byte (one char per byte), not decoded as UTF-8.
function latin1(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096));
  return s;
}

function charString(msg, o, end) {
  if (o >= end) throw new WireError("missing character-string");
  const len = msg[o];
  if (o + 1 + len > end) throw new WireError("character-string runs past the record");
  return [latin1(msg.subarray(o + 1, o + 1 + len)), o + 1 + len];
}

function parseRdata(msg, type, o, end) {
  const len = end - o;
  switch (type) {
    case TYPES.A:
      if (len < 4) throw new WireError("short A record"); // longer: the first 4 bytes, as c-ares
      return { address: `${msg[o]}.${msg[o + 1]}.${msg[o + 2]}.${msg[o + 3]}` };
    case TYPES.AAAA:
      if (len < 16) throw new WireError("short AAAA record");
      return { address: ipv6Text(msg, o) };
    case TYPES.CNAME: case TYPES.NS: case TYPES.PTR: {
      const [value, after] = readName(msg, o, end);
      if (after !== end) throw new WireError("trailing bytes in record");
      return { value };
    }
    case TYPES.MX: {
      if (len < 3) throw new WireError("short MX record");
      const [exchange, after] = readName(msg, o + 2, end);
      if (after !== end) throw new WireError("trailing bytes in record");
      return { priority: u16(msg, o), exchange };
    }
    case TYPES.TXT: {
      const entries = [];
      let p = o;
      while (p < end) {
        const [s, after] = charString(msg, p, end);
        entries.push(s);
        p = after;
      }
      return { entries };
    }
    case TYPES.SRV: {
      if (len < 7) throw new WireError("short SRV record");
      const [target, after] = readName(msg, o + 6, end);
      if (after !== end) throw new WireError("trailing bytes in record");
      return { priority: u16(msg, o), weight: u16(msg, o + 2), port: u16(msg, o + 4), target };
    }
    case TYPES.SOA: {
      const [nsname, a1] = readName(msg, o, end);
      const [hostmaster, a2] = readName(msg, a1, end);
      if (a2 + 20 !== end) throw new WireError("bad SOA record");
      return {
        nsname, hostmaster, serial: u32(msg, a2), refresh: u32(msg, a2 + 4), retry: u32(msg, a2 + 8),
        expire: u32(msg, a2 + 12), minttl: u32(msg, a2 + 16),
      };
    }
    case TYPES.NAPTR: {
      if (len < 4) throw new WireError("short NAPTR record");
      const [flags, a1] = charString(msg, o + 4, end);
      const [service, a2] = charString(msg, a1, end);
      const [regexp, a3] = charString(msg, a2, end);
      const [replacement, a4] = readName(msg, a3, end);
      if (a4 !== end) throw new WireError("trailing bytes in record");
      return { flags, service, regexp, replacement, order: u16(msg, o), preference: u16(msg, o + 2) };
    }
    case TYPES.CAA: {
      if (len < 2) throw new WireError("short CAA record");
      const tagLen = msg[o + 1];
      if (tagLen === 0 || o + 2 + tagLen > end) throw new WireError("bad CAA tag");
      const tag = latin1(msg.subarray(o + 2, o + 2 + tagLen));
      return { critical: msg[o], tag, value: latin1(msg.subarray(o + 2 + tagLen, end)) };
    }
    default:
      return { data: msg.slice(o, end) };
  }
}

/**
 * Parses a whole message of `length` bytes. Returns
 * { id, qr, opcode, aa, tc, rd, ra, rcode, question: [{name, type, class}], answers, authorities, additionals }
 * where each record is { name, type, typeName, class, ttl, ...rdata }. Throws WireError.
 */
export function parseMessage(msg, length = msg.length) {
  if (length > msg.length) length = msg.length;
  if (length < 12) throw new WireError("short header");
  const id = u16(msg, 0);
  const flags = u16(msg, 2);
  const counts = [u16(msg, 4), u16(msg, 6), u16(msg, 8), u16(msg, 10)];
  const out = {
    id, qr: (flags >> 15) & 1, opcode: (flags >> 11) & 15, aa: (flags >> 10) & 1, tc: (flags >> 9) & 1,
    rd: (flags >> 8) & 1, ra: (flags >> 7) & 1, rcode: flags & 15,
    question: [], answers: [], authorities: [], additionals: [],
  };
  let o = 12;
  for (let i = 0; i < counts[0]; i++) {
    const [name, after] = readName(msg, o, length);
    if (after + 4 > length) throw new WireError("truncated question");
    out.question.push({ name, type: u16(msg, after), class: u16(msg, after + 2) });
    o = after + 4;
  }
  const sections = [out.answers, out.authorities, out.additionals];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const [name, after] = readName(msg, o, length);
      if (after + 10 > length) throw new WireError("truncated record header");
      const type = u16(msg, after);
      const rdlen = u16(msg, after + 8);
      const start = after + 10;
      if (start + rdlen > length) throw new WireError("record data runs past the end");
      const rec = parseRdata(msg, type, start, start + rdlen);
      rec.name = name;
      rec.type = type;
      rec.typeName = NAMES[type] ?? `TYPE${type}`;
      rec.class = u16(msg, after + 2);
      rec.ttl = u32(msg, after + 4);
      sections[s].push(rec);
      o = start + rdlen;
    }
  }
  return out;
}

// ---- building replies (used by tests and fake servers) -----------------------------

/**
 * A reply message: { id, rcode, flags (extra bits), question: {name, type}, answers: [{name, type, ttl, rdata: bytes}] }.
 * Names are written without compression.
 */
export function encodeReply({ id, rcode = 0, tc = false, question, answers = [] }) {
  const parts = [];
  const header = [id >> 8, id & 255, 0x81 | (tc ? 0x02 : 0), 0x80 | rcode, 0, question ? 1 : 0, answers.length >> 8, answers.length & 255, 0, 0, 0, 0];
  parts.push(...header);
  if (question) parts.push(...encodeName(question.name), question.type >> 8, question.type & 255, 0, 1);
  for (const a of answers) {
    const rd = a.rdata;
    parts.push(...encodeName(a.name), a.type >> 8, a.type & 255, 0, 1,
      (a.ttl >>> 24) & 255, (a.ttl >>> 16) & 255, (a.ttl >>> 8) & 255, a.ttl & 255, rd.length >> 8, rd.length & 255, ...rd);
  }
  return Uint8Array.from(parts);
}
