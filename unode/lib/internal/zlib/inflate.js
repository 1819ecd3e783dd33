// node:internal/zlib/inflate — a resumable DEFLATE decoder (RFC 1951) with
// the zlib (RFC 1950) and gzip (RFC 1952) wrappers, written from the RFCs.
//
// Input arrives in pieces of any size (`write(chunk, final)`); output is
// collected in `chunks` (Buffers) for the caller to take. The decoder stops
// wherever the input runs out: a symbol (literal, or length and distance) is
// decoded from a checkpoint and, if its bits are not all there, the state
// goes back to the checkpoint and the unread bytes wait for the next write;
// a block header likewise restarts from the block's first bit; stored
// blocks are copied as far as the input goes.
//
// Hostile input: every code, length, distance and repeat is checked, with
// zlib's messages ("invalid distance too far back", …); the output of one
// stream is bounded by `maxOutput` (checked at every window slide and emit).
//
// Huffman decoding is table driven: a root table indexed by the next 10
// (literal/length) or 8 (distance) bits, whose entries give the symbol and
// its code length directly or point to a second-level table for longer codes.

import { Buffer } from "node:buffer";
import { crc32, adler32 } from "node:internal/zlib/checksum";

export const RAW = 0, ZLIB = 1, GZIP = 2, AUTO = 3;

/** A failure inside the codec: zlib's message and its return code (-3 data error, -5 buffer error, 2 need dict). */
export class ZlibFailure {
  constructor(message, errno) {
    this.message = message;
    this.errno = errno;
  }
}
const dataError = (message) => new ZlibFailure(message, -3);

const WSIZE = 32768;
const BUF = 1 << 17; // the window plus room for output before it slides
const LIMIT = BUF - 258; // one more match always fits below BUF

const LBASE = new Uint16Array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
const LEXT = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DBASE = new Uint16Array([1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]);
const DEXT = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const ORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

const REV8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >>> b;
  REV8[i] = r;
}
/** The low `len` bits of `code`, reversed (Huffman codes are sent most significant bit first). */
export function reverseBits(code, len) {
  return ((REV8[code & 255] << 8) | REV8[code >>> 8]) >>> (16 - len);
}

// Table kinds: the code-length code must be complete; literal/length and distance
// codes may be incomplete only as a single code of length 1 (zlib's rule).
const CODES = 0, LENS = 1, DISTS = 2;
const count = new Uint16Array(16), nextCode = new Uint16Array(16), codeOf = new Uint16Array(320);

/**
 * The decoding table of code lengths lens[off .. off+n), or null when the lengths
 * over-subscribe (or, but for the single-code case, under-subscribe) the code space.
 * Entry: symbol << 5 | length (1..15), 0 for no code; a link is offset << 5 | 16 | sub-table bits.
 * `table.bits` is the root index width.
 */
function buildTable(lens, off, n, maxRoot, kind) {
  count.fill(0);
  for (let i = 0; i < n; i++) count[lens[off + i]]++;
  count[0] = 0;
  let max = 15;
  while (max > 0 && count[max] === 0) max--;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = (left << 1) - count[len];
    if (left < 0) return null;
  }
  if (max === 0) {
    if (kind === CODES) return null;
    const t = new Int32Array(2);
    t.bits = 1;
    return t;
  }
  if (left > 0 && (kind === CODES || max !== 1)) return null;
  const root = Math.min(maxRoot, max);
  const size0 = 1 << root, rmask = size0 - 1;
  nextCode[1] = 0;
  for (let len = 1; len < 15; len++) nextCode[len + 1] = (nextCode[len] + count[len]) << 1;
  let subBits = null, size = size0;
  for (let i = 0; i < n; i++) {
    const len = lens[off + i];
    if (len === 0) continue;
    const r = reverseBits(nextCode[len]++, len);
    codeOf[i] = r;
    if (len > root) {
      if (subBits === null) subBits = new Uint8Array(size0);
      const p = r & rmask;
      if (len - root > subBits[p]) subBits[p] = len - root;
    }
  }
  let subOff = null;
  if (subBits !== null) {
    subOff = new Int32Array(size0);
    for (let p = 0; p < size0; p++) {
      if (subBits[p]) {
        subOff[p] = size;
        size += 1 << subBits[p];
      }
    }
  }
  const t = new Int32Array(size);
  t.bits = root;
  for (let i = 0; i < n; i++) {
    const len = lens[off + i];
    if (len === 0) continue;
    const r = codeOf[i];
    const entry = (i << 5) | len;
    if (len <= root) {
      for (let j = r; j < size0; j += 1 << len) t[j] = entry;
    } else {
      const p = r & rmask, base = subOff[p], sb = subBits[p];
      t[p] = (base << 5) | 16 | sb;
      for (let j = r >>> root; j < 1 << sb; j += 1 << (len - root)) t[base + j] = entry;
    }
  }
  return t;
}

// The fixed codes of block type 1 (RFC 1951 3.2.6).
const fixedLens = new Uint8Array(320);
for (let i = 0; i < 144; i++) fixedLens[i] = 8;
for (let i = 144; i < 256; i++) fixedLens[i] = 9;
for (let i = 256; i < 280; i++) fixedLens[i] = 7;
for (let i = 280; i < 288; i++) fixedLens[i] = 8;
for (let i = 288; i < 320; i++) fixedLens[i] = 5;
const FIXED_L = buildTable(fixedLens, 0, 288, 10, LENS);
const FIXED_D = buildTable(fixedLens, 288, 32, 8, DISTS);

// Modes.
const M_HEAD = 0, M_BLOCK = 1, M_STORED = 2, M_CODES = 3, M_CHECK = 4, M_DONE = 5;
const NEED = 1, OK = 0;
const EMPTY = new Uint8Array(0);

export class Inflater {
  /**
   * format: RAW, ZLIB, GZIP or AUTO (gzip or zlib by the first bytes);
   * windowBits: 8..15 (0 for zlib: the header's); dictionary: a Uint8Array or undefined;
   * maxOutput: the most bytes the stream may produce.
   */
  constructor(format, windowBits, dictionary, maxOutput) {
    this.format = format;
    this.windowBits = windowBits;
    this.dictionary = dictionary;
    this.maxOutput = maxOutput;
    this.win = new Uint8Array(BUF);
    this.lens = new Uint8Array(320);
    this.chunks = [];
    this.reset();
  }

  reset() {
    this.kind = this.format; // AUTO becomes ZLIB or GZIP
    this.mode = this.format === RAW ? M_BLOCK : M_HEAD;
    this.inp = EMPTY;
    this.pos = 0;
    this.hold = 0;
    this.bits = 0;
    this.op = 0;
    this.lo = 0;
    this.emitted = 0;
    this.last = false;
    this.stored = 0;
    this.lcode = null;
    this.dcode = null;
    this.check = 0;
    this.size = 0;
    this.total = 0;
    this.wsize = 1 << (this.windowBits || 15);
    this.ended = false;
    if (this.format === RAW && this.dictionary) this.setDictionary(this.dictionary);
  }

  /** Preset history (inflateSetDictionary): distances may reach into it; it is not output. */
  setDictionary(dict) {
    let d = dict;
    if (d.length > WSIZE) d = d.subarray(d.length - WSIZE);
    this.win.set(d, this.op);
    this.op += d.length;
    this.emitted = this.op;
  }

  /** Bytes of input not consumed (after the end of the stream, what followed it). */
  get pending() {
    return this.inp.length - this.pos;
  }

  /**
   * Decode what `chunk` (a Uint8Array, possibly empty) completes. With `final`, the stream must end
   * within the input so far ("unexpected end of file" otherwise). Output goes to this.chunks.
   */
  write(chunk, final) {
    if (this.pos < this.inp.length) {
      if (chunk.length) {
        const rest = this.inp.subarray(this.pos);
        const joined = new Uint8Array(rest.length + chunk.length);
        joined.set(rest, 0);
        joined.set(chunk, rest.length);
        this.inp = joined;
        this.pos = 0;
      }
    } else {
      this.inp = chunk;
      this.pos = 0;
    }
    for (;;) {
      const mode = this.mode;
      let r;
      if (mode === M_CODES) r = this.codes();
      else if (mode === M_BLOCK) r = this.blockHeader();
      else if (mode === M_STORED) r = this.copyStored();
      else if (mode === M_HEAD) r = this.header();
      else if (mode === M_CHECK) r = this.trailer();
      else {
        // The stream has ended. gzip: a non-zero byte after a member starts another member
        // (zero bytes are padding); anything else after the end is ignored.
        if (this.kind === GZIP && this.pos < this.inp.length && this.inp[this.pos] !== 0) {
          this.newMember();
          continue;
        }
        if (this.kind === GZIP) this.pos = this.inp.length;
        r = NEED;
      }
      if (r === NEED) break;
    }
    this.emit();
    if (final && this.mode !== M_DONE) throw new ZlibFailure("unexpected end of file", -5);
    this.ended = this.mode === M_DONE;
  }

  newMember() {
    this.mode = M_HEAD;
    this.lo = this.op;
    this.hold = 0;
    this.bits = 0;
    this.last = false;
  }

  // ---- output -------------------------------------------------------------

  /** Hand out the bytes decoded since the last emit, folding them into the running check. */
  emit() {
    const op = this.op, from = this.emitted;
    if (op === from) return;
    const n = op - from;
    if (this.total + n > this.maxOutput) throw new ZlibFailure(`Cannot create a Buffer larger than ${this.maxOutput} bytes`, "ERR_BUFFER_TOO_LARGE");
    this.total += n;
    const out = Buffer.allocUnsafe(n);
    out.set(this.win.subarray(from, op));
    if (this.kind === ZLIB) this.check = adler32(this.check, out);
    else if (this.kind === GZIP) {
      this.check = crc32(this.check, out);
      this.size = (this.size + n) >>> 0;
    }
    this.chunks.push(out);
    this.emitted = op;
  }

  /** Emit, then keep only the last WSIZE bytes as history at the start of the buffer. */
  slide() {
    this.emit();
    const op = this.op, keep = Math.min(op, WSIZE), shift = op - keep;
    this.win.copyWithin(0, shift, op);
    this.op = keep;
    this.emitted = keep;
    this.lo = Math.max(0, this.lo - shift);
  }

  // ---- bits (for headers; the symbol loop keeps them in locals) -------------

  needBits(n) {
    while (this.bits < n) {
      if (this.pos >= this.inp.length) return false;
      this.hold |= this.inp[this.pos++] << this.bits;
      this.bits += 8;
    }
    return true;
  }

  take(n) {
    const v = this.hold & ((1 << n) - 1);
    this.hold >>>= n;
    this.bits -= n;
    return v;
  }

  /** Give whole bytes held in the bit buffer back to the input (they were read ahead). */
  unread() {
    const k = this.bits >>> 3;
    this.pos -= k;
    this.bits &= 7;
    this.hold &= (1 << this.bits) - 1;
  }

  /** Go back to the byte boundary after the deflate data (for the trailer or a stored block). */
  alignToByte() {
    this.unread();
    this.hold = 0;
    this.bits = 0;
  }

  // ---- wrappers --------------------------------------------------------------

  header() {
    const inp = this.inp, p = this.pos, avail = inp.length - p;
    if (this.kind === AUTO) {
      if (avail < 1) return NEED;
      if (inp[p] === 0x1f) {
        if (avail < 2) return NEED;
        this.kind = inp[p + 1] === 0x8b ? GZIP : ZLIB;
      } else this.kind = ZLIB;
    }
    if (this.kind === ZLIB) {
      if (avail < 2) return NEED;
      const cmf = inp[p], flg = inp[p + 1];
      if ((cmf * 256 + flg) % 31 !== 0) throw dataError("incorrect header check");
      if ((cmf & 15) !== 8) throw dataError("unknown compression method");
      const wbits = (cmf >>> 4) + 8;
      if (wbits > 15 || (this.windowBits !== 0 && wbits > this.windowBits)) throw dataError("invalid window size");
      this.wsize = 1 << wbits;
      if (flg & 0x20) {
        if (avail < 6) return NEED;
        const id = ((inp[p + 2] << 24) | (inp[p + 3] << 16) | (inp[p + 4] << 8) | inp[p + 5]) >>> 0;
        if (!this.dictionary) throw new ZlibFailure("Missing dictionary", 2);
        if (adler32(1, this.dictionary) !== id) throw new ZlibFailure("Bad dictionary", 2);
        this.pos = p + 6;
        this.setDictionary(this.dictionary);
      } else this.pos = p + 2;
      this.check = 1;
    } else {
      // gzip: ID1 ID2 CM FLG MTIME(4) XFL OS, then the optional fields FLG announces.
      if (avail < 1) return NEED;
      if (inp[p] !== 0x1f || (avail > 1 && inp[p + 1] !== 0x8b)) throw dataError("incorrect header check");
      if (avail > 2 && inp[p + 2] !== 8) throw dataError("unknown compression method");
      if (avail > 3 && inp[p + 3] & 0xe0) throw dataError("unknown header flags set");
      if (avail < 10) return NEED;
      const flg = inp[p + 3], end = inp.length;
      let q = p + 10;
      if (flg & 4) {
        if (q + 2 > end) return NEED;
        q += 2 + (inp[q] | (inp[q + 1] << 8));
        if (q > end) return NEED;
      }
      if (flg & 8) {
        while (q < end && inp[q] !== 0) q++;
        if (q++ >= end) return NEED;
      }
      if (flg & 16) {
        while (q < end && inp[q] !== 0) q++;
        if (q++ >= end) return NEED;
      }
      if (flg & 2) {
        if (q + 2 > end) return NEED;
        const want = inp[q] | (inp[q + 1] << 8);
        if ((crc32(0, inp, p, q) & 0xffff) !== want) throw dataError("header crc mismatch");
        q += 2;
      }
      this.pos = q;
      this.check = 0;
      this.size = 0;
    }
    this.mode = M_BLOCK;
    return OK;
  }

  trailer() {
    this.emit();
    const inp = this.inp, p = this.pos;
    if (this.kind === ZLIB) {
      if (inp.length - p < 4) return NEED;
      const want = ((inp[p] << 24) | (inp[p + 1] << 16) | (inp[p + 2] << 8) | inp[p + 3]) >>> 0;
      if (want !== this.check) throw dataError("incorrect data check");
      this.pos = p + 4;
    } else if (this.kind === GZIP) {
      if (inp.length - p < 8) return NEED;
      const crc = (inp[p] | (inp[p + 1] << 8) | (inp[p + 2] << 16) | (inp[p + 3] << 24)) >>> 0;
      const size = (inp[p + 4] | (inp[p + 5] << 8) | (inp[p + 6] << 16) | (inp[p + 7] << 24)) >>> 0;
      if (crc !== this.check) throw dataError("incorrect data check");
      if (size !== this.size) throw dataError("incorrect length check");
      this.pos = p + 8;
    }
    this.mode = M_DONE;
    return OK;
  }

  // ---- blocks ------------------------------------------------------------------

  blockHeader() {
    if (this.last) {
      this.alignToByte();
      this.mode = this.kind === RAW ? M_DONE : M_CHECK;
      return OK;
    }
    const sp = this.pos, sh = this.hold, sb = this.bits;
    const back = () => {
      this.pos = sp;
      this.hold = sh;
      this.bits = sb;
      this.unread();
      return NEED;
    };
    if (!this.needBits(3)) return back();
    const last = this.take(1) === 1, type = this.take(2);
    if (type === 0) {
      this.alignToByte();
      const inp = this.inp, p = this.pos;
      if (inp.length - p < 4) return back();
      const len = inp[p] | (inp[p + 1] << 8), nlen = inp[p + 2] | (inp[p + 3] << 8);
      if (len !== (~nlen & 0xffff)) throw dataError("invalid stored block lengths");
      this.pos = p + 4;
      this.stored = len;
      this.mode = M_STORED;
    } else if (type === 1) {
      this.lcode = FIXED_L;
      this.dcode = FIXED_D;
      this.mode = M_CODES;
    } else if (type === 2) {
      const r = this.dynamicHeader();
      if (r === NEED) return back();
      this.mode = M_CODES;
    } else throw dataError("invalid block type");
    this.last = last;
    return OK;
  }

  dynamicHeader() {
    if (!this.needBits(14)) return NEED;
    const nlen = this.take(5) + 257, ndist = this.take(5) + 1, ncode = this.take(4) + 4;
    if (nlen > 286 || ndist > 30) throw dataError("too many length or distance symbols");
    const lens = this.lens;
    lens.fill(0, 0, 19);
    for (let i = 0; i < ncode; i++) {
      if (!this.needBits(3)) return NEED;
      lens[ORDER[i]] = this.take(3);
    }
    const ctab = buildTable(lens, 0, 19, 7, CODES);
    if (ctab === null) throw dataError("invalid code lengths set");
    const cbits = ctab.bits, cmask = (1 << cbits) - 1, total = nlen + ndist;
    let have = 0;
    while (have < total) {
      // Decode one code-length symbol from as many bits as there are (at most 7 needed).
      while (this.bits < 7 && this.pos < this.inp.length) {
        this.hold |= this.inp[this.pos++] << this.bits;
        this.bits += 8;
      }
      const e = ctab[this.hold & cmask], n = e & 15;
      if (n === 0 || n > this.bits) return NEED;
      const sym = e >>> 5;
      if (sym < 16) {
        this.take(n);
        lens[have++] = sym;
        continue;
      }
      const extra = sym === 16 ? 2 : sym === 17 ? 3 : 7;
      if (!this.needBits(n + extra)) return NEED;
      this.take(n);
      let value = 0, rep;
      if (sym === 16) {
        if (have === 0) throw dataError("invalid bit length repeat");
        value = lens[have - 1];
        rep = 3 + this.take(2);
      } else if (sym === 17) rep = 3 + this.take(3);
      else rep = 11 + this.take(7);
      if (have + rep > total) throw dataError("invalid bit length repeat");
      lens.fill(value, have, have + rep);
      have += rep;
    }
    if (lens[256] === 0) throw dataError("invalid code -- missing end-of-block");
    const lcode = buildTable(lens, 0, nlen, 10, LENS);
    if (lcode === null) throw dataError("invalid literal/lengths set");
    const dcode = buildTable(lens, nlen, ndist, 8, DISTS);
    if (dcode === null) throw dataError("invalid distances set");
    this.lcode = lcode;
    this.dcode = dcode;
    return OK;
  }

  copyStored() {
    while (this.stored > 0) {
      const avail = this.inp.length - this.pos;
      if (avail === 0) return NEED;
      if (this.op >= LIMIT) this.slide();
      const n = Math.min(this.stored, avail, BUF - this.op);
      this.win.set(this.inp.subarray(this.pos, this.pos + n), this.op);
      this.pos += n;
      this.op += n;
      this.stored -= n;
    }
    this.mode = M_BLOCK;
    return OK;
  }

  /** The symbols of a Huffman-coded block, until its end-of-block code (OK) or the input runs out (NEED). */
  codes() {
    const inp = this.inp, end = inp.length, win = this.win, wsize = this.wsize;
    const lt = this.lcode, lroot = lt.bits, lmask = (1 << lroot) - 1;
    const dt = this.dcode, droot = dt.bits, dmask = (1 << droot) - 1;
    let pos = this.pos, hold = this.hold, bits = this.bits, op = this.op, lo = this.lo;
    let sp = pos, sh = hold, sb = bits;
    for (;;) {
      if (op >= LIMIT) {
        this.op = op;
        this.slide();
        op = this.op;
        lo = this.lo;
      }
      sp = pos;
      sh = hold;
      sb = bits;
      while (bits < 25 && pos < end) {
        hold |= inp[pos++] << bits;
        bits += 8;
      }
      let e = lt[hold & lmask];
      if (e & 16) e = lt[(e >>> 5) + ((hold >>> lroot) & ((1 << (e & 15)) - 1))];
      let n = e & 15;
      if (n === 0 || n > bits) {
        if (n === 0 && bits >= lroot) throw dataError("invalid literal/length code");
        break;
      }
      hold >>>= n;
      bits -= n;
      let sym = e >>> 5;
      if (sym < 256) {
        win[op++] = sym;
        continue;
      }
      if (sym === 256) {
        this.pos = pos;
        this.hold = hold;
        this.bits = bits;
        this.op = op;
        this.unread();
        this.mode = M_BLOCK;
        return OK;
      }
      sym -= 257;
      if (sym >= 29) throw dataError("invalid literal/length code");
      let len = LBASE[sym], extra = LEXT[sym];
      if (extra) {
        if (bits < extra) break;
        len += hold & ((1 << extra) - 1);
        hold >>>= extra;
        bits -= extra;
      }
      while (bits < 25 && pos < end) {
        hold |= inp[pos++] << bits;
        bits += 8;
      }
      e = dt[hold & dmask];
      if (e & 16) e = dt[(e >>> 5) + ((hold >>> droot) & ((1 << (e & 15)) - 1))];
      n = e & 15;
      if (n === 0 || n > bits) {
        if (n === 0 && bits >= droot) throw dataError("invalid distance code");
        break;
      }
      hold >>>= n;
      bits -= n;
      sym = e >>> 5;
      if (sym >= 30) throw dataError("invalid distance code");
      let dist = DBASE[sym];
      extra = DEXT[sym];
      if (extra) {
        if (bits < extra) {
          while (bits < extra && pos < end) {
            hold |= inp[pos++] << bits;
            bits += 8;
          }
          if (bits < extra) break;
        }
        dist += hold & ((1 << extra) - 1);
        hold >>>= extra;
        bits -= extra;
      }
      if (dist > op - lo || dist > wsize) throw dataError("invalid distance too far back");
      let from = op - dist;
      if (len > 16 && dist >= len) {
        win.copyWithin(op, from, from + len);
        op += len;
      } else {
        const stop = op + len;
        while (op < stop) win[op++] = win[from++];
      }
    }
    // Out of input in the middle of a symbol: back to its first bit.
    this.pos = sp;
    this.hold = sh;
    this.bits = sb;
    this.op = op;
    this.unread();
    return NEED;
  }
}
