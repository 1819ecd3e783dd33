// node:internal/buffer/codec — the byte <-> string conversions behind
// node:buffer and node:string_decoder, over plain Uint8Array views.
//
// Speed: utf8 goes through jsk:native's encodeUtf8/decodeUtf8, base64 and hex
// through the engine's Uint8Array.fromBase64/toBase64/fromHex/toHex (with a
// JavaScript fallback for the inputs Node accepts and those reject), latin1
// and ascii through decodeUtf8 when the bytes are all ASCII, else
// String.fromCharCode.apply over chunks of 8192.

import { encodeUtf8, decodeUtf8 } from "jsk:native";

const CHUNK = 8192;
const fromCharCode = String.fromCharCode;
const u8IndexOf = Uint8Array.prototype.indexOf;
const toBase64 = Uint8Array.prototype.toBase64;
const toHex = Uint8Array.prototype.toHex;
const LOOSE = { lastChunkHandling: "loose" };
const LOOSE_URL = { alphabet: "base64url", lastChunkHandling: "loose" };
const URL_NOPAD = { alphabet: "base64url", omitPadding: true };

/** A plain Uint8Array over bytes [start, end) of `u8` (no species lookup, no copy). */
export function view(u8, start, end) {
  return new Uint8Array(u8.buffer, u8.byteOffset + start, end - start);
}

/**
 * The canonical name of a Node encoding ("utf8", "utf16le", "latin1",
 * "base64", "base64url", "hex", "ascii"), or undefined. Case-insensitive.
 */
export function normalizeEncoding(enc) {
  switch (enc) {
    case "utf8": case "utf-8": return "utf8";
    case "hex": return "hex";
    case "base64": return "base64";
    case "latin1": case "binary": return "latin1";
    case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
    case "ascii": return "ascii";
    case "base64url": return "base64url";
  }
  if (typeof enc !== "string") return undefined;
  const lower = enc.toLowerCase();
  if (lower === enc) return undefined;
  return normalizeEncoding(lower);
}

// ---- utf8 ----

/** UTF-8 bytes of `s`; lone surrogates become U+FFFD as in Node. */
export function utf8Bytes(s) {
  try {
    return encodeUtf8(s);
  } catch {
    return encodeUtf8(s.toWellFormed());
  }
}

export function utf8Slice(u8, start, end) {
  if (start === 0 && end === u8.length) return decodeUtf8(u8);
  return decodeUtf8(view(u8, start, end));
}

/** Writes whole characters only, as many as fit in `max` bytes. */
export function utf8Write(u8, s, off, max) {
  const bytes = utf8Bytes(s);
  let n = bytes.length;
  if (n > max) {
    n = max;
    while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
    u8.set(bytes.subarray(0, n), off);
  } else {
    u8.set(bytes, off);
  }
  return n;
}

// ---- latin1 / ascii ----

/** A string of the char codes in `v` (any typed array), chunked for apply. */
export function fromCharCodes(v) {
  const n = v.length;
  if (n <= CHUNK) return fromCharCode.apply(null, v);
  let s = "";
  for (let i = 0; i < n; i += CHUNK) s += fromCharCode.apply(null, v.subarray(i, i + CHUNK));
  return s;
}

/** The string if `v` is all ASCII, else undefined (one native pass). */
function asciiString(v) {
  const s = decodeUtf8(v);
  // Every non-ASCII byte either joins a sequence (shortening the string) or
  // becomes U+FFFD (3 bytes when encoded again): equal length both ways means
  // every byte was ASCII. (encodeUtf8 is much faster than indexOf here.)
  return s.length === v.length && encodeUtf8(s).length === v.length ? s : undefined;
}

export function latin1Slice(u8, start, end) {
  if (end <= start) return "";
  const v = view(u8, start, end);
  if (v.length > 32) {
    const s = asciiString(v);
    if (s !== undefined) return s;
  }
  return fromCharCodes(v);
}

export function asciiSlice(u8, start, end) {
  if (end <= start) return "";
  const v = view(u8, start, end);
  const s = asciiString(v);
  if (s !== undefined) return s;
  const t = v.slice();
  for (let i = 0; i < t.length; i++) t[i] &= 0x7f;
  return fromCharCodes(t);
}

/** Low byte of each UTF-16 unit (Node's latin1 and ascii encoders). */
export function latin1Bytes(s) {
  const n = s.length;
  if (n > 32) {
    let e;
    try { e = encodeUtf8(s); } catch { e = undefined; }
    if (e !== undefined && e.length === n) return e;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function latin1Write(u8, s, off, max) {
  const n = s.length < max ? s.length : max;
  if (n > 32) {
    u8.set(latin1Bytes(n === s.length ? s : s.slice(0, n)), off);
    return n;
  }
  for (let i = 0; i < n; i++) u8[off + i] = s.charCodeAt(i);
  return n;
}

// ---- utf16le ----

export function ucs2Slice(u8, start, end) {
  const units = (end - start) >>> 1;
  if (units === 0) return "";
  const at = u8.byteOffset + start;
  let u16;
  if ((at & 1) === 0) {
    u16 = new Uint16Array(u8.buffer, at, units);
  } else {
    u16 = new Uint16Array(units);
    new Uint8Array(u16.buffer).set(view(u8, start, start + units * 2));
  }
  return fromCharCodes(u16);
}

export function ucs2Bytes(s) {
  const out = new Uint8Array(s.length * 2);
  ucs2Write(out, s, 0, out.length);
  return out;
}

/** Writes whole code units only. */
export function ucs2Write(u8, s, off, max) {
  const n = Math.min(s.length, max >>> 1);
  for (let i = 0, o = off; i < n; i++) {
    const c = s.charCodeAt(i);
    u8[o++] = c;
    u8[o++] = c >>> 8;
  }
  return n * 2;
}

// ---- hex ----

export function hexSlice(u8, start, end) {
  if (end <= start) return "";
  return toHex.call(view(u8, start, end));
}

/** Node's hex and base64 decoders read only the low byte of each UTF-16 unit. */
function lowBytes(s) {
  if (!/[^\x00-\xff]/.test(s)) return s;
  return s.replace(/[^\x00-\xff]/g, (c) => fromCharCode(c.charCodeAt(0) & 0xff));
}

/** Node's hex decoder: pairs up to the first invalid one; an odd last digit is dropped. */
export function hexBytes(s) {
  if (s.length & 1) s = s.slice(0, s.length - 1);
  try {
    return Uint8Array.fromHex(s);
  } catch {
    s = lowBytes(s);
    const m = /[^0-9a-fA-F]/.exec(s);
    return Uint8Array.fromHex(s.slice(0, m ? m.index & ~1 : s.length));
  }
}

export function hexWrite(u8, s, off, max) {
  if (s.length > max * 2) s = s.slice(0, max * 2);
  const bytes = hexBytes(s);
  u8.set(bytes, off);
  return bytes.length;
}

// ---- base64 / base64url ----

export function base64Slice(u8, start, end) {
  if (end <= start) return "";
  return toBase64.call(view(u8, start, end));
}

export function base64urlSlice(u8, start, end) {
  if (end <= start) return "";
  return toBase64.call(view(u8, start, end), URL_NOPAD);
}

/**
 * Node's base64 decoder: both alphabets, characters outside them skipped,
 * decoding stops at the first '=', a last lone character is dropped.
 */
export function base64Bytes(s) {
  try {
    return Uint8Array.fromBase64(s, LOOSE);
  } catch {}
  try {
    return Uint8Array.fromBase64(s, LOOSE_URL);
  } catch {}
  s = lowBytes(s);
  const eq = s.indexOf("=");
  if (eq !== -1) s = s.slice(0, eq);
  s = s.replace(/[^A-Za-z0-9+/_-]+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  if (s.length % 4 === 1) s = s.slice(0, s.length - 1);
  return Uint8Array.fromBase64(s, LOOSE);
}

/** Node's estimate (from the length and trailing '='), used by byteLength and allocation. */
export function base64ByteLength(s) {
  let n = s.length;
  if (n > 0 && s.charCodeAt(n - 1) === 0x3d) n--;
  if (n > 1 && s.charCodeAt(n - 1) === 0x3d) n--;
  return (n * 3) >>> 2;
}

export function base64Write(u8, s, off, max) {
  const bytes = base64Bytes(s);
  const n = bytes.length < max ? bytes.length : max;
  u8.set(n === bytes.length ? bytes : bytes.subarray(0, n), off);
  return n;
}

// ---- the table ----

/** Per encoding: slice(u8, start, end) → string, write(u8, s, off, max) → bytes written, bytes(s) → Uint8Array, byteLength(s). */
export const ops = {
  utf8: { slice: utf8Slice, write: utf8Write, bytes: utf8Bytes, byteLength: (s) => utf8Bytes(s).length },
  utf16le: { slice: ucs2Slice, write: ucs2Write, bytes: ucs2Bytes, byteLength: (s) => s.length * 2 },
  latin1: { slice: latin1Slice, write: latin1Write, bytes: latin1Bytes, byteLength: (s) => s.length },
  ascii: { slice: asciiSlice, write: latin1Write, bytes: latin1Bytes, byteLength: (s) => s.length },
  hex: { slice: hexSlice, write: hexWrite, bytes: hexBytes, byteLength: (s) => s.length >>> 1 },
  base64: { slice: base64Slice, write: base64Write, bytes: base64Bytes, byteLength: base64ByteLength },
  base64url: { slice: base64urlSlice, write: base64Write, bytes: base64Bytes, byteLength: base64ByteLength },
};

// ---- byte comparison ----

/** -1, 0 or 1 as `a` sorts before, with or after `b` (bytewise). */
export function compareBytes(a, b) {
  const n = a.length < b.length ? a.length : b.length;
  if (n > 48) {
    // Native per chunk: lowercase hex sorts as the bytes do.
    for (let i = 0; i < n; i += 4096) {
      const e = i + 4096 < n ? i + 4096 : n;
      const ha = toHex.call(view(a, i, e));
      const hb = toHex.call(view(b, i, e));
      if (ha !== hb) return ha < hb ? -1 : 1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Whether `m` bytes of `a` at `i` equal `needle`. */
function matchesAt(a, i, needle) {
  const m = needle.length;
  if (m > 48) return compareBytes(view(a, i, i + m), needle) === 0;
  for (let j = 1; j < m; j++) if (a[i + j] !== needle[j]) return false;
  return a[i] === needle[0];
}

/**
 * First (dir) or last index of `needle` in `a` at or after (before) `off`,
 * which is already within [0, a.length]; `even`: only at even indexes (ucs2).
 */
export function indexOfBytes(a, needle, off, dir, even) {
  const m = needle.length;
  const len = a.length;
  if (m === 0) return off;
  const first = needle[0];
  if (dir) {
    const limit = len - m;
    for (let i = off; i <= limit; i++) {
      i = u8IndexOf.call(a, first, i);
      if (i === -1 || i > limit) return -1;
      if ((!even || (i & 1) === 0) && matchesAt(a, i, needle)) return i;
    }
    return -1;
  }
  const lastIndexOf = Uint8Array.prototype.lastIndexOf;
  for (let i = Math.min(off, len - m); i >= 0; i--) {
    i = lastIndexOf.call(a, first, i);
    if (i === -1) return -1;
    if ((!even || (i & 1) === 0) && matchesAt(a, i, needle)) return i;
  }
  return -1;
}

export { encodeUtf8, decodeUtf8 };
