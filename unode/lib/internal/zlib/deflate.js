// node:internal/zlib/deflate — a streaming DEFLATE encoder (RFC 1951) with the
// zlib (RFC 1950) and gzip (RFC 1952) wrappers, written from the RFCs.
//
// LZ77 over a 64 KiB buffer (32 KiB of history and 32 KiB ahead), strings of
// three bytes found through a hash table of chains (head/prev, absolute
// positions, so sliding the buffer rewrites no table). Levels 1–3 take the
// first good match (greedy); 4–9 look one byte ahead before committing to a
// match (lazy), with longer chains at higher levels; level 0 stores. Each
// block is sent the cheapest of three ways — dynamic Huffman codes (lengths
// limited to 15 bits, computed per block), the fixed codes, or stored —
// whichever is fewest bits. Strategies: Z_HUFFMAN_ONLY (no matches), Z_RLE
// (distance 1 only), Z_FIXED (fixed codes only); Z_FILTERED acts as the default.
//
// Flush kinds as zlib: Z_NO_FLUSH keeps the block open; Z_SYNC_FLUSH ends the
// block and adds an empty stored block (00 00 ff ff, byte aligned);
// Z_FULL_FLUSH also forgets the history; Z_PARTIAL_FLUSH adds an empty fixed
// block instead; Z_BLOCK ends the block only; Z_FINISH ends the stream.

import { Buffer } from "node:buffer";
import { crc32, adler32 } from "node:internal/zlib/checksum";
import { reverseBits, RAW, ZLIB, GZIP } from "node:internal/zlib/inflate";

const W = 32768;
const WMASK = W - 1;
const MIN_LOOKAHEAD = 258 + 3 + 1;
const HBITS = 15, HSIZE = 1 << HBITS, HMASK = HSIZE - 1;
const NIL = -0x40000000;
const SYMS = 16384; // symbols per block at most
const TOO_FAR = 4096; // a 3-byte match further than this costs more than three literals

export const Z_NO_FLUSH = 0, Z_PARTIAL_FLUSH = 1, Z_SYNC_FLUSH = 2, Z_FULL_FLUSH = 3, Z_FINISH = 4, Z_BLOCK = 5;
const Z_HUFFMAN_ONLY = 2, Z_RLE = 3, Z_FIXED = 4;

// Per level: [lazy (0: greedy), good (shorten the chain once a match this long is held), nice (stop at this length), chain length].
const LEVELS = [
  null,
  [0, 4, 8, 4],
  [0, 4, 16, 8],
  [0, 6, 32, 24],
  [4, 4, 16, 16],
  [16, 8, 32, 32],
  [16, 8, 128, 96],
  [32, 8, 128, 192],
  [128, 32, 258, 512],
  [258, 32, 258, 2048],
];

const LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEXT = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DEXT = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// Length 3..258 -> length code 0..28; distance-1 -> distance code (below 256 direct, else by (d-1) >> 7).
const LEN_CODE = new Uint8Array(259);
for (let c = 0; c < 29; c++) {
  const top = c === 28 ? 258 : LBASE[c] + (1 << LEXT[c]) - 1;
  for (let l = LBASE[c]; l <= top && l <= 258; l++) LEN_CODE[l] = c;
}
LEN_CODE[258] = 28;
const DIST_CODE = new Uint8Array(512);
for (let c = 0; c < 30; c++) {
  for (let d = DBASE[c]; d < DBASE[c] + (1 << DEXT[c]); d++) {
    if (d <= 256) DIST_CODE[d - 1] = c;
    else DIST_CODE[256 + ((d - 1) >>> 7)] = c;
  }
}
const distCode = (d) => (d <= 256 ? DIST_CODE[d - 1] : DIST_CODE[256 + ((d - 1) >>> 7)]);

/** Enter the string at win[p] (absolute position abs) in its hash chain; the previous head of the chain. */
function insertAt(win, head, prev, p, abs) {
  const h = ((win[p] << 10) ^ (win[p + 1] << 5) ^ win[p + 2]) & HMASK;
  const cand = head[h];
  prev[abs & WMASK] = cand;
  head[h] = abs;
  return cand;
}

/** LSB-first (bit-reversed) canonical codes for code lengths lens[0..n). */
function canonicalCodes(lens, n) {
  const count = new Uint16Array(16), next = new Uint16Array(16), codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) count[lens[i]]++;
  count[0] = 0;
  for (let len = 1; len < 15; len++) next[len + 1] = (next[len] + count[len]) << 1;
  for (let i = 0; i < n; i++) if (lens[i]) codes[i] = reverseBits(next[lens[i]]++, lens[i]);
  return codes;
}

const FIXED_LLEN = new Uint8Array(288);
FIXED_LLEN.fill(8, 0, 144);
FIXED_LLEN.fill(9, 144, 256);
FIXED_LLEN.fill(7, 256, 280);
FIXED_LLEN.fill(8, 280, 288);
const FIXED_LCODE = canonicalCodes(FIXED_LLEN, 288);
const FIXED_DLEN = new Uint8Array(30).fill(5);
const FIXED_DCODE = canonicalCodes(FIXED_DLEN, 30);

/**
 * Huffman code lengths for freq[0..n), none longer than maxBits, and a complete code: at
 * least two symbols get a code (a lone symbol is paired with a neighbour).
 */
function codeLengths(freq, n, maxBits) {
  const lens = new Uint8Array(n);
  const used = [];
  for (let i = 0; i < n; i++) if (freq[i]) used.push(i);
  if (used.length < 2) {
    const a = used.length ? used[0] : 0;
    lens[a] = 1;
    lens[a === 0 ? 1 : 0] = 1;
    return lens;
  }
  used.sort((x, y) => freq[x] - freq[y] || x - y);
  const m = used.length;
  const weight = new Float64Array(2 * m), parent = new Int32Array(2 * m), depth = new Uint8Array(2 * m);
  for (let i = 0; i < m; i++) weight[i] = freq[used[i]];
  // Two queues: the sorted leaves and the internal nodes, which come out in non-decreasing weight.
  let li = 0, ni = m;
  for (let k = m; k < 2 * m - 1; k++) {
    let a, b;
    if (li < m && (ni >= k || weight[li] <= weight[ni])) a = li++;
    else a = ni++;
    if (li < m && (ni >= k || weight[li] <= weight[ni])) b = li++;
    else b = ni++;
    weight[k] = weight[a] + weight[b];
    parent[a] = k;
    parent[b] = k;
  }
  const root = 2 * m - 2;
  depth[root] = 0;
  for (let k = root - 1; k >= 0; k--) depth[k] = depth[parent[k]] + 1;
  let over = false;
  for (let i = 0; i < m; i++) {
    let d = depth[i];
    if (d > maxBits) {
      d = maxBits;
      over = true;
    }
    lens[used[i]] = d;
  }
  if (over) {
    // Kraft sum in units of 2^-maxBits: lengthen the longest codes below the limit until it fits,
    // then shorten the most frequent symbols while that keeps it within the limit (complete code).
    const target = 1 << maxBits;
    let kraft = 0;
    for (let i = 0; i < m; i++) kraft += 1 << (maxBits - lens[used[i]]);
    while (kraft > target) {
      let pick = -1;
      for (let i = 0; i < m; i++) {
        const l = lens[used[i]];
        if (l < maxBits && (pick < 0 || l > lens[used[pick]])) pick = i;
      }
      lens[used[pick]]++;
      kraft -= 1 << (maxBits - lens[used[pick]]);
    }
    for (let i = m - 1; i >= 0 && kraft < target; i--) {
      while (lens[used[i]] > 1 && kraft + (1 << (maxBits - lens[used[i]])) <= target) {
        kraft += 1 << (maxBits - lens[used[i]]);
        lens[used[i]]--;
      }
    }
  }
  return lens;
}

export class Deflater {
  /** format: RAW, ZLIB or GZIP; level -1..9; windowBits 8..15; strategy 0..4; dictionary: Uint8Array or undefined. */
  constructor(format, level, windowBits, strategy, dictionary) {
    this.format = format;
    this.windowBits = windowBits < 9 ? 9 : windowBits;
    this.dictionary = dictionary;
    this.win = new Uint8Array(2 * W);
    this.head = new Int32Array(HSIZE);
    this.prev = new Int32Array(W);
    this.symL = new Uint16Array(SYMS);
    this.symD = new Uint16Array(SYMS);
    this.lfreq = new Int32Array(286);
    this.dfreq = new Int32Array(30);
    this.out = new Uint8Array(1 << 16);
    this.chunks = [];
    this.setParams(level, strategy);
    this.reset();
  }

  setParams(level, strategy) {
    this.level = level === -1 ? 6 : level;
    this.strategy = strategy;
    const cfg = LEVELS[this.level];
    if (cfg) [this.lazy, this.good, this.nice, this.chain] = cfg;
  }

  reset() {
    this.head.fill(NIL);
    this.base = 0; // absolute position of win[0]
    this.strstart = 0;
    this.lookahead = 0;
    this.blockStart = 0;
    this.symEnd = 0;
    this.histStart = 0; // absolute: no match may reach before this (a full flush moves it)
    this.nsym = 0;
    this.lfreq.fill(0);
    this.dfreq.fill(0);
    this.prevLen = 2;
    this.prevDist = 0;
    this.available = false;
    this.opos = 0;
    this.ob = 0;
    this.on = 0;
    this.started = false;
    this.finished = false;
    this.check = this.format === ZLIB ? 1 : 0;
    this.size = 0;
    this.maxDist = (1 << this.windowBits) - MIN_LOOKAHEAD;
    if (this.dictionary && this.format !== GZIP) this.presetDictionary(this.dictionary);
  }

  presetDictionary(dict) {
    const d = dict.length > W ? dict.subarray(dict.length - W) : dict;
    this.win.set(d, 0);
    for (let p = 0; p + 2 < d.length; p++) this.insert(p);
    this.strstart = this.blockStart = this.symEnd = d.length;
  }

  // ---- output bits ------------------------------------------------------------------

  reserve(bytes) {
    if (this.opos + bytes > this.out.length) {
      let size = this.out.length * 2;
      while (size < this.opos + bytes) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(this.out.subarray(0, this.opos));
      this.out = bigger;
    }
  }

  putBits(v, n) {
    this.ob |= v << this.on;
    this.on += n;
    while (this.on >= 8) {
      this.out[this.opos++] = this.ob & 255;
      this.ob >>>= 8;
      this.on -= 8;
    }
  }

  alignBits() {
    if (this.on > 0) this.out[this.opos++] = this.ob & 255;
    this.ob = 0;
    this.on = 0;
  }

  putBytes(bytes) {
    this.reserve(bytes.length);
    this.out.set(bytes, this.opos);
    this.opos += bytes.length;
  }

  header() {
    this.reserve(16);
    if (this.format === ZLIB) {
      const lvl = this.strategy >= Z_HUFFMAN_ONLY || this.level < 2 ? 0 : this.level < 6 ? 1 : this.level === 6 ? 2 : 3;
      const cmf = ((this.windowBits - 8) << 4) | 8;
      let flg = (lvl << 6) | (this.dictionary ? 0x20 : 0);
      flg += 31 - ((cmf * 256 + flg) % 31);
      this.out[this.opos++] = cmf;
      this.out[this.opos++] = flg;
      if (this.dictionary) {
        const id = adler32(1, this.dictionary);
        this.putBytes([id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255]);
      }
    } else if (this.format === GZIP) {
      const xfl = this.level === 9 ? 2 : this.level === 1 ? 4 : 0;
      this.putBytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
    }
  }

  trailer() {
    this.reserve(8);
    const c = this.check;
    if (this.format === ZLIB) this.putBytes([c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255, c & 255]);
    else if (this.format === GZIP) {
      const s = this.size;
      this.putBytes([c & 255, (c >>> 8) & 255, (c >>> 16) & 255, c >>> 24, s & 255, (s >>> 8) & 255, (s >>> 16) & 255, s >>> 24]);
    }
  }

  // ---- input ---------------------------------------------------------------------------

  /** Compress `chunk` (a Uint8Array) and flush as `flush` asks; output goes to this.chunks. */
  write(chunk, flush) {
    if (!this.started) {
      this.started = true;
      this.header();
    }
    if (chunk.length) {
      if (this.format === ZLIB) this.check = adler32(this.check, chunk);
      else if (this.format === GZIP) {
        this.check = crc32(this.check, chunk);
        this.size = (this.size + chunk.length) >>> 0;
      }
    }
    let at = 0;
    while (at < chunk.length) {
      let end = this.strstart + this.lookahead;
      if (end === 2 * W) {
        this.slide();
        end -= W;
      }
      const n = Math.min(2 * W - end, chunk.length - at);
      this.win.set(n === chunk.length ? chunk : chunk.subarray(at, at + n), end);
      at += n;
      this.lookahead += n;
      this.compress(false);
    }
    if (flush !== Z_NO_FLUSH) {
      this.compress(true);
      if (flush === Z_FINISH) {
        this.flushBlock(true);
        this.alignBits();
        this.trailer();
        this.finished = true;
      } else {
        if (this.nsym || this.symEnd > this.blockStart) this.flushBlock(false);
        this.reserve(16);
        if (flush === Z_SYNC_FLUSH || flush === Z_FULL_FLUSH) {
          this.putBits(0, 3);
          this.alignBits();
          this.putBytes([0, 0, 0xff, 0xff]);
        } else if (flush === Z_PARTIAL_FLUSH) {
          this.putBits(2, 3);
          this.putBits(FIXED_LCODE[256], FIXED_LLEN[256]);
        }
        if (flush === Z_FULL_FLUSH) {
          this.head.fill(NIL);
          this.histStart = this.base + this.strstart;
        }
      }
    }
    if (this.opos) {
      const buf = Buffer.allocUnsafe(this.opos);
      buf.set(this.out.subarray(0, this.opos));
      this.chunks.push(buf);
      this.opos = 0;
    }
  }

  slide() {
    // Level 0 stores every block: end it before its bytes go. Otherwise the open block
    // keeps going and may no longer be sent stored (blockStart < 0), as in zlib.
    if (this.level === 0 && this.blockStart < W) this.flushBlock(false);
    this.win.copyWithin(0, W, 2 * W);
    this.strstart -= W;
    this.blockStart -= W;
    this.symEnd -= W;
    this.base += W;
  }

  insert(p) {
    return insertAt(this.win, this.head, this.prev, p, this.base + p);
  }

  // ---- LZ77 ------------------------------------------------------------------------------

  /** Turn the lookahead into symbols; without `flushing`, keep MIN_LOOKAHEAD bytes for longer matches. */
  compress(flushing) {
    const keep = flushing ? 0 : MIN_LOOKAHEAD - 1;
    if (this.level === 0) {
      if (this.lookahead > keep) {
        this.strstart += this.lookahead - keep;
        this.lookahead = keep;
        this.symEnd = this.strstart;
      }
      return;
    }
    if (this.strategy === Z_HUFFMAN_ONLY || this.strategy === Z_RLE) return this.compressSimple(keep);
    if (this.lazy === 0) this.compressGreedy(keep);
    else this.compressLazy(keep);
    if (flushing && this.available) {
      this.literal(this.strstart - 1);
      this.available = false;
      this.prevLen = 2;
    }
  }

  literal(p) {
    const c = this.win[p];
    this.symL[this.nsym] = c;
    this.symD[this.nsym++] = 0;
    this.lfreq[c]++;
    this.symEnd = p + 1;
    if (this.nsym === SYMS) this.flushBlock(false);
  }

  match(p, len, dist) {
    this.symL[this.nsym] = len;
    this.symD[this.nsym++] = dist;
    this.lfreq[257 + LEN_CODE[len]]++;
    this.dfreq[distCode(dist)]++;
    this.symEnd = p + len;
    if (this.nsym === SYMS) this.flushBlock(false);
  }

  // The two match loops keep the state in locals and inline the hash insert, the chain
  // search and the symbol store (a method call per byte costs as much as the work).

  compressGreedy(keep) {
    const win = this.win, head = this.head, prev = this.prev, symL = this.symL, symD = this.symD;
    const lfreq = this.lfreq, dfreq = this.dfreq, base = this.base, maxDist = this.maxDist;
    const niceCfg = this.nice, chainCfg = this.chain, histLimit = this.histStart - 1;
    let s = this.strstart, look = this.lookahead, nsym = this.nsym, symEnd = this.symEnd;
    while (look > keep) {
      let len = 0, dist = 0;
      if (look >= 3) {
        const abs = base + s;
        const h = ((win[s] << 10) ^ (win[s + 1] << 5) ^ win[s + 2]) & HMASK;
        let cand = head[h];
        prev[abs & WMASK] = cand;
        head[h] = abs;
        let limit = abs - maxDist;
        if (limit < histLimit) limit = histLimit;
        if (cand > limit) {
          const maxLen = look < 258 ? look : 258;
          const nice = niceCfg < maxLen ? niceCfg : maxLen;
          let chain = chainCfg, best = 2;
          if (best < maxLen) {
            const c0 = win[s], c1 = win[s + 1];
            let bc = win[s + 2];
            do {
              const m = cand - base;
              if (win[m + best] === bc && win[m] === c0 && win[m + 1] === c1) {
                let l = 2;
                while (l < maxLen && win[m + l] === win[s + l]) l++;
                if (l > best) {
                  best = len = l;
                  dist = abs - cand;
                  if (l >= nice) break;
                  bc = win[s + l];
                }
              }
              const next = prev[cand & WMASK];
              if (next >= cand) break;
              cand = next;
            } while (cand > limit && --chain > 0);
          }
          if (len === 3 && dist > TOO_FAR) len = 0;
        }
      }
      if (len >= 3) {
        symL[nsym] = len;
        symD[nsym++] = dist;
        lfreq[257 + LEN_CODE[len]]++;
        dfreq[dist <= 256 ? DIST_CODE[dist - 1] : DIST_CODE[256 + ((dist - 1) >>> 7)]]++;
        if (len <= niceCfg) {
          const dataEnd = s + look;
          for (let p = s + 1; p < s + len && p + 2 < dataEnd; p++) insertAt(win, head, prev, p, base + p);
        }
        s += len;
        look -= len;
      } else {
        const c = win[s];
        symL[nsym] = c;
        symD[nsym++] = 0;
        lfreq[c]++;
        s++;
        look--;
      }
      symEnd = s;
      if (nsym === SYMS) {
        this.strstart = s;
        this.lookahead = look;
        this.nsym = nsym;
        this.symEnd = symEnd;
        this.flushBlock(false);
        nsym = 0;
      }
    }
    this.strstart = s;
    this.lookahead = look;
    this.nsym = nsym;
    this.symEnd = symEnd;
  }

  compressLazy(keep) {
    const win = this.win, head = this.head, prev = this.prev, symL = this.symL, symD = this.symD;
    const lfreq = this.lfreq, dfreq = this.dfreq, base = this.base, maxDist = this.maxDist;
    const lazy = this.lazy, good = this.good, niceCfg = this.nice, chainCfg = this.chain, histLimit = this.histStart - 1;
    let s = this.strstart, look = this.lookahead, nsym = this.nsym, symEnd = this.symEnd;
    let prevLen = this.prevLen, prevDist = this.prevDist, avail = this.available;
    while (look > keep) {
      let len = 0, dist = 0;
      if (look >= 3) {
        const abs = base + s;
        const h = ((win[s] << 10) ^ (win[s + 1] << 5) ^ win[s + 2]) & HMASK;
        let cand = head[h];
        prev[abs & WMASK] = cand;
        head[h] = abs;
        let limit = abs - maxDist;
        if (limit < histLimit) limit = histLimit;
        if (prevLen < lazy && cand > limit) {
          const maxLen = look < 258 ? look : 258;
          const nice = niceCfg < maxLen ? niceCfg : maxLen;
          let chain = prevLen >= good ? chainCfg >> 2 : chainCfg;
          let best = prevLen < 2 ? 2 : prevLen;
          if (best < maxLen) {
            const c0 = win[s], c1 = win[s + 1];
            let bc = win[s + best], bc1 = win[s + best - 1];
            do {
              const m = cand - base;
              if (win[m + best] === bc && win[m + best - 1] === bc1 && win[m] === c0 && win[m + 1] === c1) {
                let l = 2;
                while (l < maxLen && win[m + l] === win[s + l]) l++;
                if (l > best) {
                  best = len = l;
                  dist = abs - cand;
                  if (l >= nice) break;
                  bc = win[s + l];
                  bc1 = win[s + l - 1];
                }
              }
              const next = prev[cand & WMASK];
              if (next >= cand) break;
              cand = next;
            } while (cand > limit && --chain > 0);
          }
          if (len === 3 && dist > TOO_FAR) len = 0;
        }
      }
      if (prevLen >= 3 && len <= prevLen) {
        // The match that began one byte back is at least as good: take it.
        const end = s - 1 + prevLen;
        symL[nsym] = prevLen;
        symD[nsym++] = prevDist;
        lfreq[257 + LEN_CODE[prevLen]]++;
        dfreq[prevDist <= 256 ? DIST_CODE[prevDist - 1] : DIST_CODE[256 + ((prevDist - 1) >>> 7)]]++;
        const dataEnd = s + look;
        for (let p = s + 1; p < end && p + 2 < dataEnd; p++) insertAt(win, head, prev, p, base + p);
        look -= end - s;
        s = end;
        symEnd = end;
        avail = false;
        prevLen = 2;
      } else {
        if (avail) {
          const c = win[s - 1];
          symL[nsym] = c;
          symD[nsym++] = 0;
          lfreq[c]++;
          symEnd = s;
        }
        avail = true;
        prevLen = len >= 3 ? len : 2;
        prevDist = dist;
        s++;
        look--;
      }
      if (nsym === SYMS) {
        this.strstart = s;
        this.lookahead = look;
        this.nsym = nsym;
        this.symEnd = symEnd;
        this.flushBlock(false);
        nsym = 0;
      }
    }
    this.strstart = s;
    this.lookahead = look;
    this.nsym = nsym;
    this.symEnd = symEnd;
    this.prevLen = prevLen;
    this.prevDist = prevDist;
    this.available = avail;
  }

  compressSimple(keep) {
    const rle = this.strategy === Z_RLE, win = this.win;
    while (this.lookahead > keep) {
      const s = this.strstart;
      if (rle && this.lookahead >= 3 && this.base + s - 1 >= this.histStart && s > 0) {
        const c = win[s - 1];
        const maxLen = this.lookahead < 258 ? this.lookahead : 258;
        let len = 0;
        while (len < maxLen && win[s + len] === c) len++;
        if (len >= 3) {
          this.match(s, len, 1);
          this.strstart = s + len;
          this.lookahead -= len;
          continue;
        }
      }
      this.literal(s);
      this.strstart = s + 1;
      this.lookahead--;
    }
  }

  // ---- blocks ------------------------------------------------------------------------------

  flushBlock(last) {
    const lfreq = this.lfreq, dfreq = this.dfreq, n = this.nsym;
    lfreq[256] = 1;
    let extra = 0;
    for (let c = 0; c < 29; c++) extra += lfreq[257 + c] * LEXT[c];
    for (let c = 0; c < 30; c++) extra += dfreq[c] * DEXT[c];
    let fixedBits = 3 + extra;
    for (let i = 0; i < 286; i++) fixedBits += lfreq[i] * FIXED_LLEN[i];
    for (let i = 0; i < 30; i++) fixedBits += dfreq[i] * 5;
    const storedLen = this.symEnd - this.blockStart;
    const storedOk = this.blockStart >= 0 && storedLen >= 0;
    const storedBits = 8 * (storedLen + 5 * Math.max(1, Math.ceil(storedLen / 65535))) + 7;

    let kind = "fixed", best = fixedBits, llen, dlen, clen, rle, hlit, hdist, hclen;
    if (this.level === 0) kind = "stored";
    else if (this.strategy !== Z_FIXED) {
      llen = codeLengths(lfreq, 286, 15);
      dlen = codeLengths(dfreq, 30, 15);
      hlit = 286;
      while (hlit > 257 && llen[hlit - 1] === 0) hlit--;
      hdist = 30;
      while (hdist > 1 && dlen[hdist - 1] === 0) hdist--;
      rle = runLengths(llen, hlit, dlen, hdist);
      const cfreq = new Int32Array(19);
      for (let i = 0; i < rle.length; i += 2) cfreq[rle[i]]++;
      clen = codeLengths(cfreq, 19, 7);
      hclen = 19;
      while (hclen > 4 && clen[ORDER[hclen - 1]] === 0) hclen--;
      let dynBits = 3 + 14 + 3 * hclen + extra;
      for (let i = 0; i < 19; i++) dynBits += cfreq[i] * clen[i];
      dynBits += cfreq[16] * 2 + cfreq[17] * 3 + cfreq[18] * 7;
      for (let i = 0; i < 286; i++) dynBits += lfreq[i] * llen[i];
      for (let i = 0; i < 30; i++) dynBits += dfreq[i] * dlen[i];
      if (dynBits < best) {
        best = dynBits;
        kind = "dynamic";
      }
    }
    if (storedOk && (kind === "stored" || storedBits < best)) kind = "stored";

    if (kind === "stored") {
      let p = this.blockStart;
      const end = this.symEnd;
      do {
        const len = Math.min(65535, end - p);
        this.reserve(len + 16);
        this.putBits(last && p + len === end ? 1 : 0, 3);
        this.alignBits();
        this.out[this.opos++] = len & 255;
        this.out[this.opos++] = len >>> 8;
        this.out[this.opos++] = ~len & 255;
        this.out[this.opos++] = (~len >>> 8) & 255;
        this.out.set(this.win.subarray(p, p + len), this.opos);
        this.opos += len;
        p += len;
      } while (p < end);
    } else {
      this.reserve((best >>> 3) + 64);
      let lcode, dcode;
      if (kind === "fixed") {
        this.putBits(last ? 3 : 2, 3);
        llen = FIXED_LLEN;
        dlen = FIXED_DLEN;
        lcode = FIXED_LCODE;
        dcode = FIXED_DCODE;
      } else {
        this.putBits(last ? 5 : 4, 3);
        this.putBits(hlit - 257, 5);
        this.putBits(hdist - 1, 5);
        this.putBits(hclen - 4, 4);
        for (let i = 0; i < hclen; i++) this.putBits(clen[ORDER[i]], 3);
        const ccode = canonicalCodes(clen, 19);
        for (let i = 0; i < rle.length; i += 2) {
          const sym = rle[i];
          this.putBits(ccode[sym], clen[sym]);
          if (sym === 16) this.putBits(rle[i + 1], 2);
          else if (sym === 17) this.putBits(rle[i + 1], 3);
          else if (sym === 18) this.putBits(rle[i + 1], 7);
        }
        lcode = canonicalCodes(llen, 286);
        dcode = canonicalCodes(dlen, 30);
      }
      this.writeSymbols(lcode, llen, dcode, dlen);
    }
    this.nsym = 0;
    lfreq.fill(0);
    dfreq.fill(0);
    this.blockStart = this.symEnd;
  }

  writeSymbols(lcode, llen, dcode, dlen) {
    const symL = this.symL, symD = this.symD, out = this.out, n = this.nsym;
    let ob = this.ob, on = this.on, op = this.opos;
    for (let i = 0; i < n; i++) {
      const l = symL[i], d = symD[i];
      if (d === 0) {
        ob |= lcode[l] << on;
        on += llen[l];
      } else {
        const lc = LEN_CODE[l];
        ob |= lcode[257 + lc] << on;
        on += llen[257 + lc];
        let e = LEXT[lc];
        if (e) {
          ob |= (l - LBASE[lc]) << on;
          on += e;
        }
        while (on >= 8) {
          out[op++] = ob & 255;
          ob >>>= 8;
          on -= 8;
        }
        const dc = d <= 256 ? DIST_CODE[d - 1] : DIST_CODE[256 + ((d - 1) >>> 7)];
        ob |= dcode[dc] << on;
        on += dlen[dc];
        e = DEXT[dc];
        if (e) {
          while (on >= 8) {
            out[op++] = ob & 255;
            ob >>>= 8;
            on -= 8;
          }
          ob |= (d - DBASE[dc]) << on;
          on += e;
        }
      }
      while (on >= 8) {
        out[op++] = ob & 255;
        ob >>>= 8;
        on -= 8;
      }
    }
    // End of block.
    ob |= lcode[256] << on;
    on += llen[256];
    while (on >= 8) {
      out[op++] = ob & 255;
      ob >>>= 8;
      on -= 8;
    }
    this.ob = ob;
    this.on = on;
    this.opos = op;
  }
}

/** The code lengths of both codes as code-length symbols: [symbol, extra, symbol, extra, …]. */
function runLengths(llen, hlit, dlen, hdist) {
  const all = new Uint8Array(hlit + hdist);
  all.set(llen.subarray(0, hlit), 0);
  all.set(dlen.subarray(0, hdist), hlit);
  const out = [];
  for (let i = 0; i < all.length;) {
    const v = all[i];
    let run = 1;
    while (i + run < all.length && all[i + run] === v) run++;
    i += run;
    if (v === 0) {
      while (run >= 11) {
        const r = Math.min(run, 138);
        out.push(18, r - 11);
        run -= r;
      }
      if (run >= 3) {
        out.push(17, run - 3);
        run = 0;
      }
      while (run-- > 0) out.push(0, 0);
    } else {
      out.push(v, 0);
      run--;
      while (run >= 3) {
        const r = Math.min(run, 6);
        out.push(16, r - 3);
        run -= r;
      }
      while (run-- > 0) out.push(v, 0);
    }
  }
  return out;
}
