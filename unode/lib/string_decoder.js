// node:string_decoder — StringDecoder: bytes in chunks to strings, holding
// back what cannot be decoded yet as Node does: an incomplete UTF-8
// sequence (by its lead byte), an odd byte or a high surrogate in UTF-16LE,
// the 1–2 bytes of an unfinished base64 group. `end()` flushes what is held
// (U+FFFD for an incomplete UTF-8 character) and resets the decoder.

import { Buffer } from "node:buffer";
import { codes } from "node:internal/errors";
import { ops, normalizeEncoding, view, decodeUtf8 } from "node:internal/buffer/codec";

const { ERR_INVALID_ARG_TYPE, ERR_UNKNOWN_ENCODING } = codes;

const kChar = Symbol("lastChar");
const kNeed = Symbol("lastNeed");
const kTotal = Symbol("lastTotal");

/** Bytes of a UTF-8 character from its lead byte (Node's rule: F0–F7 lead 4), 0 for others. */
function utf8Length(b) {
  if (b >= 0xc0) {
    if (b < 0xe0) return 2;
    if (b < 0xf0) return 3;
    if (b < 0xf8) return 4;
  }
  return 0;
}

function asBytes(buf) {
  if (buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  throw ERR_INVALID_ARG_TYPE("buf", ["Buffer", "TypedArray", "DataView"], buf);
}

export class StringDecoder {
  constructor(encoding) {
    const enc = encoding == null || encoding === "" ? "utf8" : normalizeEncoding(encoding);
    if (enc === undefined) throw ERR_UNKNOWN_ENCODING(encoding);
    this.encoding = enc;
    Object.defineProperty(this, kChar, { value: Buffer.alloc(4), writable: true });
    Object.defineProperty(this, kNeed, { value: 0, writable: true });
    Object.defineProperty(this, kTotal, { value: 0, writable: true });
  }

  get lastChar() { return this[kChar]; }
  get lastNeed() { return this[kNeed]; }
  get lastTotal() { return this[kTotal]; }

  /** The decoded text of `buf` and what was held before it, minus what must wait for more bytes. */
  write(buf) {
    if (typeof buf === "string") return buf;
    const bytes = asBytes(buf);
    switch (this.encoding) {
      case "utf8": return utf8Write(this, bytes);
      case "utf16le": return utf16Write(this, bytes);
      case "base64": case "base64url": return base64Write(this, bytes);
      default: return ops[this.encoding].slice(bytes, 0, bytes.length);
    }
  }

  /** Flush: `write(buf)` if given, then whatever is held; the decoder starts afresh. */
  end(buf) {
    let r = buf === undefined ? "" : this.write(buf);
    const held = this[kTotal] - this[kNeed];
    if (held > 0) {
      const c = this[kChar];
      switch (this.encoding) {
        case "utf8": r += decodeUtf8(view(c, 0, held)); break;
        case "utf16le": r += ops.utf16le.slice(c, 0, held & ~1); break;
        case "base64": case "base64url": r += ops[this.encoding].slice(c, 0, held); break;
      }
    }
    this[kNeed] = 0;
    this[kTotal] = 0;
    return r;
  }

  /** Decode `buf` from `offset`, forgetting what was held. */
  text(buf, offset) {
    this[kNeed] = 0;
    this[kTotal] = 0;
    const bytes = asBytes(buf);
    return this.write(view(bytes, offset, bytes.length));
  }
}

function utf8Write(d, buf) {
  const len = buf.length;
  let r = "";
  let i = 0;
  if (d[kNeed] > 0) {
    const c = d[kChar];
    const total = d[kTotal];
    let need = d[kNeed];
    while (need > 0 && i < len && (buf[i] & 0xc0) === 0x80) {
      c[total - need] = buf[i++];
      need--;
    }
    if (need > 0 && i === len) {
      d[kNeed] = need;
      return "";
    }
    // Complete, or cut short by a byte that cannot continue it (then U+FFFD).
    r = decodeUtf8(view(c, 0, total - need));
    d[kNeed] = 0;
    d[kTotal] = 0;
  }
  // An incomplete character at the end waits for the next chunk.
  let end = len;
  let j = len - 1;
  while (j >= i && j > len - 4 && (buf[j] & 0xc0) === 0x80) j--;
  if (j >= i) {
    const n = utf8Length(buf[j]);
    if (n > len - j) {
      hold(d, buf, j, n);
      end = j;
    }
  }
  if (end > i) r += i === 0 && end === len ? decodeUtf8(buf) : decodeUtf8(view(buf, i, end));
  return r;
}

/** `buf` with the held bytes in front (they are consumed). */
function prependHeld(d, buf) {
  const held = d[kTotal] - d[kNeed];
  if (held === 0) return buf;
  const all = new Uint8Array(held + buf.length);
  all.set(view(d[kChar], 0, held));
  all.set(buf, held);
  d[kNeed] = 0;
  d[kTotal] = 0;
  return all;
}

/** Keep buf[from..] for later, as part of a unit of `total` bytes. */
function hold(d, buf, from, total) {
  const c = d[kChar];
  const n = buf.length - from;
  for (let k = 0; k < n; k++) c[k] = buf[from + k];
  d[kTotal] = total;
  d[kNeed] = total - n;
}

function utf16Write(d, buf) {
  const len = buf.length;
  let r = "";
  let i = 0;
  if (d[kNeed] > 0) {
    // Complete the held unit (or surrogate pair) first; it is emitted as it is.
    const c = d[kChar];
    const total = d[kTotal];
    const need = d[kNeed];
    const take = need < len ? need : len;
    for (let k = 0; k < take; k++) c[total - need + k] = buf[k];
    if (take < need) {
      d[kNeed] = need - take;
      return "";
    }
    i = take;
    r = ops.utf16le.slice(c, 0, total);
    d[kNeed] = 0;
    d[kTotal] = 0;
  }
  if ((len - i) % 2 === 1) {
    hold(d, buf, len - 1, 2); // an odd byte waits
    return r + ops.utf16le.slice(buf, i, len - 1);
  }
  if (len - i >= 2) {
    const hi = buf[len - 1];
    if (hi >= 0xd8 && hi <= 0xdb) {
      hold(d, buf, len - 2, 4); // a high surrogate waits for its pair
      return r + ops.utf16le.slice(buf, i, len - 2);
    }
  }
  return r + ops.utf16le.slice(buf, i, len);
}

function base64Write(d, buf) {
  buf = prependHeld(d, buf);
  const len = buf.length;
  const end = len - (len % 3);
  if (end < len) hold(d, buf, end, 3);
  return ops[d.encoding].slice(buf, 0, end);
}

export default { StringDecoder };
