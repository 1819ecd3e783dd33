// node:internal/util/encoding — TextEncoder and TextDecoder as WHATWG and
// Node describe them: utf-8 (through the native encodeUtf8/decodeUtf8, with
// a JS validator for `fatal`), utf-16le, utf-16be and windows-1252 (the labels
// latin1/ascii/iso-8859-1; decoded byte = code point, as Node 20 does); BOM handling; `stream: true` keeps an
// incomplete sequence for the next call.

import { encodeUtf8, decodeUtf8 } from "jsk:native";
import { codes, nodeError } from "node:internal/errors";

const labels = new Map();
for (const l of ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"]) labels.set(l, "utf-8");
for (const l of ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"]) labels.set(l, "utf-16le");
for (const l of ["unicodefffe", "utf-16be"]) labels.set(l, "utf-16be");
for (const l of ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100",
  "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252"]) {
  labels.set(l, "windows-1252");
}

function invalidData(encoding) {
  return nodeError(TypeError, "ERR_ENCODING_INVALID_ENCODED_DATA", `The encoded data was not valid for encoding ${encoding}`);
}

function toBytes(input) {
  if (input === undefined) return new Uint8Array(0);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && input instanceof SharedArrayBuffer)) {
    return new Uint8Array(input);
  }
  throw codes.ERR_INVALID_ARG_TYPE("input", ["ArrayBuffer", "ArrayBufferView"], input);
}

function concat(a, b) {
  if (a === null || a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// How many bytes at the end of `b` start a valid but unfinished UTF-8 sequence.
function utf8IncompleteTail(b) {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = b[n - back];
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (need <= back) return 0;
    if (back >= 2) {
      const c1 = b[n - back + 1];
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (c1 < lo || c1 > hi) return 0;
    }
    return back;
  }
  return 0;
}

// Whether `b` is well-formed UTF-8 (only for `fatal`).
function utf8Valid(b) {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let need, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; else if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; else if (c === 0xf4) hi = 0x8f; }
    else return false;
    if (i + need >= n) return false;
    const c1 = b[i + 1];
    if (c1 === undefined || c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= need; k++) {
      const ck = b[i + k];
      if (ck === undefined || (ck & 0xc0) !== 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}

function fromCharCodes(units) {
  let s = "";
  const chunk = 8192;
  for (let i = 0; i < units.length; i += chunk) {
    s += String.fromCharCode.apply(null, units.subarray(i, Math.min(i + chunk, units.length)));
  }
  return s;
}

export class TextDecoder {
  #encoding;
  #fatal;
  #ignoreBOM;
  #pending = null;
  #bomChecked = false;

  constructor(encoding = "utf-8", options = {}) {
    const label = String(encoding).trim().toLowerCase();
    const enc = labels.get(label);
    if (enc === undefined) {
      throw nodeError(RangeError, "ERR_ENCODING_NOT_SUPPORTED", `The "${encoding}" encoding is not supported`);
    }
    if (options === null || (typeof options !== "object" && typeof options !== "function")) {
      if (options !== undefined) throw codes.ERR_INVALID_ARG_TYPE("options", "object", options);
      options = {};
    }
    this.#encoding = enc;
    this.#fatal = Boolean(options.fatal);
    this.#ignoreBOM = Boolean(options.ignoreBOM);
  }

  get encoding() { return this.#encoding; }
  get fatal() { return this.#fatal; }
  get ignoreBOM() { return this.#ignoreBOM; }
  get [Symbol.toStringTag]() { return "TextDecoder"; }

  decode(input, options = {}) {
    let bytes = toBytes(input);
    const stream = Boolean(options && options.stream);
    bytes = concat(this.#pending, bytes);
    this.#pending = null;
    let out;
    switch (this.#encoding) {
      case "utf-8": out = this.#utf8(bytes, stream); break;
      case "utf-16le": out = this.#utf16(bytes, stream, true); break;
      case "utf-16be": out = this.#utf16(bytes, stream, false); break;
      default: out = this.#cp1252(bytes); break;
    }
    if (!this.#bomChecked && out.length > 0) {
      this.#bomChecked = true;
      if (!this.#ignoreBOM && out.charCodeAt(0) === 0xfeff && this.#encoding !== "windows-1252") out = out.slice(1);
    }
    if (!stream) this.#bomChecked = false;
    return out;
  }

  #utf8(bytes, stream) {
    let end = bytes.length;
    if (stream) {
      const tail = utf8IncompleteTail(bytes);
      if (tail) {
        end -= tail;
        this.#pending = bytes.slice(end);
      }
    }
    const body = end === bytes.length ? bytes : bytes.subarray(0, end);
    if (body.length === 0) return "";
    const out = decodeUtf8(body);
    // U+FFFD in the output is either a replaced sequence or an encoded U+FFFD.
    if (this.#fatal && out.includes("\ufffd") && !utf8Valid(body)) {
      this.#pending = null;
      throw invalidData("utf-8");
    }
    return out;
  }

  #utf16(bytes, stream, little) {
    let n = bytes.length & ~1;
    if (!stream && n !== bytes.length) {
      if (this.#fatal) throw invalidData(this.#encoding);
    }
    let units;
    if (little && (bytes.byteOffset & 1) === 0) {
      units = new Uint16Array(bytes.buffer, bytes.byteOffset, n >> 1);
    } else {
      units = new Uint16Array(n >> 1);
      for (let i = 0, j = 0; i < n; i += 2, j++) units[j] = little ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1];
    }
    if (stream && units.length > 0) {
      const last = units[units.length - 1];
      if (last >= 0xd800 && last <= 0xdbff) {
        units = units.subarray(0, units.length - 1);
        n -= 2;
      }
    }
    if (stream && n !== bytes.length) this.#pending = bytes.slice(n);
    let s = fromCharCodes(units);
    if (!s.isWellFormed()) {
      if (this.#fatal) throw invalidData(this.#encoding);
      s = s.toWellFormed();
    }
    if (!stream && n !== bytes.length) s += "\ufffd";
    return s;
  }

  #cp1252(bytes) {
    // Node 20 decodes every windows-1252 label as ISO-8859-1 (byte = code point).
    return fromCharCodes(bytes);
  }
}

export class TextEncoder {
  get encoding() { return "utf-8"; }
  get [Symbol.toStringTag]() { return "TextEncoder"; }

  encode(input = "") {
    let s = `${input}`;
    if (!s.isWellFormed()) s = s.toWellFormed();
    return encodeUtf8(s);
  }

  encodeInto(src, dest) {
    if (!(dest instanceof Uint8Array)) throw codes.ERR_INVALID_ARG_TYPE("dest", "Uint8Array", dest);
    let s = `${src}`;
    if (!s.isWellFormed()) s = s.toWellFormed();
    const bytes = encodeUtf8(s);
    if (bytes.length <= dest.length) {
      dest.set(bytes);
      return { read: s.length, written: bytes.length };
    }
    // Only whole characters that fit are written.
    let written = 0;
    let read = 0;
    const limit = dest.length;
    while (written < bytes.length) {
      const c = bytes[written];
      const len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      if (written + len > limit) break;
      written += len;
      read += len === 4 ? 2 : 1;
    }
    dest.set(bytes.subarray(0, written));
    return { read, written };
  }
}
