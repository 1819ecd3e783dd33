// node:internal/crypto/hashes — MD5, SHA-1, SHA-224/256, SHA-384/512,
// SHA-512/224 and SHA-512/256 in JavaScript, for node:crypto.
//
// QuickJS interprets every operation, so the compression functions are made
// for it: whole 64/128-byte blocks are read straight out of the caller's
// Uint8Array, all arithmetic stays in 32-bit integers (`| 0`, `>>> 0`), the
// rounds are unrolled and the message schedule lives in 16 local variables
// used as a ring (no array, no allocation per block). SHA-512's 64-bit words
// are pairs of 32-bit halves (no BigInt). The unrolled bodies are generated
// as source text once, on the first use of each algorithm, and compiled with
// `new Function` — the generator below is the readable form of the code.
//
// The round constants are derived, not typed in: SHA-2's from the square and
// cube roots of the first primes (exact integer roots in BigInt), MD5's from
// sin(), SHA-512/t's initial values by FIPS 180-4's IV generation function.

// ---- constants ----------------------------------------------------------------

const primes = [];
for (let n = 2; primes.length < 80; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);

/** floor(x^(1/k)) for a BigInt x >= 1. */
function iroot(x, k) {
  const K = BigInt(k), K1 = K - 1n;
  let r = 1n << (BigInt(x.toString(2).length) / K + 1n);
  for (;;) {
    const next = (K1 * r + x / r ** K1) / K;
    if (next >= r) return r;
    r = next;
  }
}

/** The first 64 bits of the fractional part of p^(1/k), as [hi, lo] 32-bit signed halves. */
function fraction64(p, k) {
  const v = iroot(BigInt(p) << BigInt(64 * k), k) & ((1n << 64n) - 1n);
  return [Number(v >> 32n) | 0, Number(v & 0xffffffffn) | 0];
}

let K512 = null; // Int32Array [hi0, lo0, hi1, lo1, ...]: cube roots of the first 80 primes
function k512() {
  if (!K512) {
    K512 = new Int32Array(160);
    for (let i = 0; i < 80; i++) [K512[2 * i], K512[2 * i + 1]] = fraction64(primes[i], 3);
  }
  return K512;
}

function sqrtIV(from) { // 8 64-bit words from the square roots of primes[from..from+8)
  const iv = new Int32Array(16);
  for (let i = 0; i < 8; i++) [iv[2 * i], iv[2 * i + 1]] = fraction64(primes[from + i], 2);
  return iv;
}

// ---- code generation ----------------------------------------------------------

const ROTATE_NAMES = (n, i, names) => (j) => names[((j - i) % n + n) % n];

function readBE(p) { return `(b[p + ${p}] << 24 | b[p + ${p + 1}] << 16 | b[p + ${p + 2}] << 8 | b[p + ${p + 3}])`; }
function readLE(p) { return `(b[p + ${p}] | b[p + ${p + 1}] << 8 | b[p + ${p + 2}] << 16 | b[p + ${p + 3}] << 24)`; }
const rotr = (x, n) => `(${x} >>> ${n} | ${x} << ${32 - n})`;
const rotl = (x, n) => `(${x} << ${n} | ${x} >>> ${32 - n})`;

/** function (H, b, p, n): compress n 64-byte blocks of b from p into the 4-word state H. */
function genMd5() {
  const T = [];
  for (let i = 0; i < 64; i++) T.push(Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0);
  const S = [[7, 12, 17, 22], [5, 9, 14, 20], [4, 11, 16, 23], [6, 10, 15, 21]];
  const lines = ["let a = H[0], b0 = H[1], c = H[2], d = H[3], t;",
    "let " + Array.from({ length: 16 }, (_, i) => `x${i}`).join(", ") + ";",
    "for (; n > 0; n--, p += 64) {"];
  for (let i = 0; i < 16; i++) lines.push(`x${i} = ${readLE(4 * i)};`);
  lines.push("const a0 = a, b1 = b0, c0 = c, d0 = d;");
  const names = ["a", "b0", "c", "d"];
  for (let i = 0; i < 64; i++) {
    const r = ROTATE_NAMES(4, i, names);
    const A = r(0), B = r(1), C = r(2), D = r(3);
    const round = i >> 4;
    let f, k;
    if (round === 0) { f = `(${D} ^ (${B} & (${C} ^ ${D})))`; k = i; }
    else if (round === 1) { f = `(${C} ^ (${D} & (${B} ^ ${C})))`; k = (5 * i + 1) & 15; }
    else if (round === 2) { f = `(${B} ^ ${C} ^ ${D})`; k = (3 * i + 5) & 15; }
    else { f = `(${C} ^ (${B} | ~${D}))`; k = (7 * i) & 15; }
    const s = S[round][i & 3];
    lines.push(`t = (${A} + ${f} + x${k} + ${T[i]}) | 0; ${A} = (${B} + ${rotl("t", s)}) | 0;`);
  }
  lines.push("a = (a + a0) | 0; b0 = (b0 + b1) | 0; c = (c + c0) | 0; d = (d + d0) | 0;", "}",
    "H[0] = a; H[1] = b0; H[2] = c; H[3] = d;");
  return new Function("H", "b", "p", "n", lines.join("\n"));
}

/** SHA-1 compression, 5-word state. */
function genSha1() {
  const names = ["a", "b0", "c", "d", "e"];
  const lines = ["let a = H[0], b0 = H[1], c = H[2], d = H[3], e = H[4];",
    "let " + Array.from({ length: 16 }, (_, i) => `w${i}`).join(", ") + ";",
    "for (; n > 0; n--, p += 64) {",
    "const a0 = a, b1 = b0, c0 = c, d0 = d, e0 = e;"];
  const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc | 0, 0xca62c1d6 | 0];
  for (let i = 0; i < 80; i++) {
    const r = ROTATE_NAMES(5, i, names);
    const A = r(0), B = r(1), C = r(2), D = r(3), E = r(4);
    const w = `w${i & 15}`;
    if (i < 16) lines.push(`${w} = ${readBE(4 * i)};`);
    else {
      lines.push(`t = w${(i + 13) & 15} ^ w${(i + 8) & 15} ^ w${(i + 2) & 15} ^ ${w}; ${w} = ${rotl("t", 1)};`);
    }
    let f;
    if (i < 20) f = `(${D} ^ (${B} & (${C} ^ ${D})))`;
    else if (i < 40 || i >= 60) f = `(${B} ^ ${C} ^ ${D})`;
    else f = `((${B} & ${C}) | (${D} & (${B} | ${C})))`;
    lines.push(`${E} = (${rotl(A, 5)} + ${f} + ${E} + ${K[(i / 20) | 0]} + ${w}) | 0; ${B} = ${rotl(B, 30)};`);
  }
  lines.push("a = (a + a0) | 0; b0 = (b0 + b1) | 0; c = (c + c0) | 0; d = (d + d0) | 0; e = (e + e0) | 0;", "}",
    "H[0] = a; H[1] = b0; H[2] = c; H[3] = d; H[4] = e;");
  lines[1] += " let t;";
  return new Function("H", "b", "p", "n", lines.join("\n"));
}

/** SHA-256 compression (also SHA-224), 8-word state. */
function genSha256() {
  const K = k512();
  const names = ["a", "b0", "c", "d", "e", "f", "g", "h"];
  const lines = ["let a = H[0], b0 = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7], t, u;",
    "let " + Array.from({ length: 16 }, (_, i) => `w${i}`).join(", ") + ";",
    "for (; n > 0; n--, p += 64) {",
    "const a0 = a, b1 = b0, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;"];
  for (let i = 0; i < 64; i++) {
    const r = ROTATE_NAMES(8, i, names);
    const A = r(0), B = r(1), C = r(2), D = r(3), E = r(4), F = r(5), G = r(6), Hh = r(7);
    const w = `w${i & 15}`;
    if (i < 16) lines.push(`${w} = ${readBE(4 * i)};`);
    else {
      const x = `w${(i + 1) & 15}`, y = `w${(i + 14) & 15}`;
      lines.push(`${w} = (${w} + (${rotr(x, 7)} ^ ${rotr(x, 18)} ^ (${x} >>> 3)) + w${(i + 9) & 15} + (${rotr(y, 17)} ^ ${rotr(y, 19)} ^ (${y} >>> 10))) | 0;`);
    }
    lines.push(`t = ${Hh} + (${rotr(E, 6)} ^ ${rotr(E, 11)} ^ ${rotr(E, 25)}) + (${G} ^ (${E} & (${F} ^ ${G}))) + ${K[2 * i]} + ${w};`);
    lines.push(`u = (${rotr(A, 2)} ^ ${rotr(A, 13)} ^ ${rotr(A, 22)}) + ((${A} & ${B}) | (${C} & (${A} | ${B})));`);
    lines.push(`${D} = (${D} + t) | 0; ${Hh} = (t + u) | 0;`);
  }
  lines.push("a = (a + a0) | 0; b0 = (b0 + b1) | 0; c = (c + c0) | 0; d = (d + d0) | 0;",
    "e = (e + e0) | 0; f = (f + f0) | 0; g = (g + g0) | 0; h = (h + h0) | 0;", "}",
    "H[0] = a; H[1] = b0; H[2] = c; H[3] = d; H[4] = e; H[5] = f; H[6] = g; H[7] = h;");
  return new Function("H", "b", "p", "n", lines.join("\n"));
}

/** SHA-512 compression (all SHA-384/512 variants), state = 16 halves [hi0, lo0, ...]. */
function genSha512() {
  const K = k512();
  const v = ["a", "b0", "c", "d", "e", "f", "g", "h"];
  const decl = [];
  for (let j = 0; j < 8; j++) decl.push(`${v[j]}h = H[${2 * j}]`, `${v[j]}l = H[${2 * j + 1}]`);
  const ws = [];
  for (let i = 0; i < 16; i++) ws.push(`w${i}h`, `w${i}l`);
  const lines = [`let ${decl.join(", ")};`, `let ${ws.join(", ")}, s, t1h, t1l, xh, xl, s0h, s0l, s1h, s1l;`,
    "for (; n > 0; n--, p += 128) {",
    "const " + v.map((x, j) => `${x}h0 = ${x}h, ${x}l0 = ${x}l`).join(", ") + ";"];
  const CARRY = (x) => `((${x}) / 4294967296 | 0)`;
  for (let i = 0; i < 80; i++) {
    const r = ROTATE_NAMES(8, i, v);
    const A = r(0), B = r(1), C = r(2), D = r(3), E = r(4), F = r(5), G = r(6), Hn = r(7);
    const wh = `w${i & 15}h`, wl = `w${i & 15}l`;
    if (i < 16) lines.push(`${wh} = ${readBE(8 * i)}; ${wl} = ${readBE(8 * i + 4)};`);
    else {
      const x = `w${(i + 1) & 15}`, y = `w${(i + 14) & 15}`, z = `w${(i + 9) & 15}`;
      // σ0(x) = rotr1 ^ rotr8 ^ shr7; σ1(y) = rotr19 ^ rotr61 ^ shr6
      lines.push(`xh = ${x}h; xl = ${x}l;`,
        `s0h = (xh >>> 1 | xl << 31) ^ (xh >>> 8 | xl << 24) ^ (xh >>> 7);`,
        `s0l = (xl >>> 1 | xh << 31) ^ (xl >>> 8 | xh << 24) ^ (xl >>> 7 | xh << 25);`,
        `xh = ${y}h; xl = ${y}l;`,
        `s1h = (xh >>> 19 | xl << 13) ^ (xl >>> 29 | xh << 3) ^ (xh >>> 6);`,
        `s1l = (xl >>> 19 | xh << 13) ^ (xh >>> 29 | xl << 3) ^ (xl >>> 6 | xh << 26);`,
        `s = (${wl} >>> 0) + (s0l >>> 0) + (${z}l >>> 0) + (s1l >>> 0);`,
        `${wh} = (${wh} + s0h + ${z}h + s1h + ${CARRY("s")}) | 0; ${wl} = s | 0;`);
    }
    // T1 = h + Σ1(e) + Ch(e,f,g) + K + W;  Σ1 = rotr14 ^ rotr18 ^ rotr41
    lines.push(
      `s1h = (${E}h >>> 14 | ${E}l << 18) ^ (${E}h >>> 18 | ${E}l << 14) ^ (${E}l >>> 9 | ${E}h << 23);`,
      `s1l = (${E}l >>> 14 | ${E}h << 18) ^ (${E}l >>> 18 | ${E}h << 14) ^ (${E}h >>> 9 | ${E}l << 23);`,
      `s = (${Hn}l >>> 0) + (s1l >>> 0) + ((${G}l ^ (${E}l & (${F}l ^ ${G}l))) >>> 0) + ${K[2 * i + 1] >>> 0} + (${wl} >>> 0);`,
      `t1h = ${Hn}h + s1h + (${G}h ^ (${E}h & (${F}h ^ ${G}h))) + ${K[2 * i]} + ${wh} + ${CARRY("s")}; t1l = s >>> 0;`,
      // Σ0 = rotr28 ^ rotr34 ^ rotr39
      `s0h = (${A}h >>> 28 | ${A}l << 4) ^ (${A}l >>> 2 | ${A}h << 30) ^ (${A}l >>> 7 | ${A}h << 25);`,
      `s0l = (${A}l >>> 28 | ${A}h << 4) ^ (${A}h >>> 2 | ${A}l << 30) ^ (${A}h >>> 7 | ${A}l << 25);`,
      `s = (${D}l >>> 0) + t1l; ${D}h = (${D}h + t1h + ${CARRY("s")}) | 0; ${D}l = s | 0;`,
      `s = t1l + (s0l >>> 0) + (((${A}l & ${B}l) | (${C}l & (${A}l | ${B}l))) >>> 0);`,
      `${Hn}h = (t1h + s0h + ((${A}h & ${B}h) | (${C}h & (${A}h | ${B}h))) + ${CARRY("s")}) | 0; ${Hn}l = s | 0;`);
  }
  for (const x of v) {
    lines.push(`s = (${x}l >>> 0) + (${x}l0 >>> 0); ${x}h = (${x}h + ${x}h0 + ${CARRY("s")}) | 0; ${x}l = s | 0;`);
  }
  lines.push("}", v.map((x, j) => `H[${2 * j}] = ${x}h; H[${2 * j + 1}] = ${x}l;`).join(" "));
  return new Function("H", "b", "p", "n", lines.join("\n"));
}

// ---- the digest objects -------------------------------------------------------

const compressors = {};
function compressor(kind) {
  return compressors[kind] ??= kind === "md5" ? genMd5() : kind === "sha1" ? genSha1()
    : kind === "sha256" ? genSha256() : genSha512();
}

/**
 * One running digest. `update(bytes, start, end)` any number of times, then
 * `finish(out, offset)` writes the digest; `copy()` forks the running state.
 */
export class Digest {
  constructor(spec) {
    this.spec = spec;
    this.compress = compressor(spec.kind);
    this.blockSize = spec.blockSize;
    this.size = spec.size;
    this.state = new Int32Array(spec.iv);
    this.block = new Uint8Array(spec.blockSize);
    this.blockLen = 0;
    this.total = 0; // bytes absorbed (a double: exact to 2^53)
  }

  reset() {
    this.state.set(this.spec.iv);
    this.blockLen = 0;
    this.total = 0;
    return this;
  }

  update(b, start = 0, end = b.length) {
    const bs = this.blockSize;
    this.total += end - start;
    let p = start;
    if (this.blockLen > 0) {
      const take = Math.min(bs - this.blockLen, end - p);
      this.block.set(b.subarray(p, p + take), this.blockLen);
      this.blockLen += take;
      p += take;
      if (this.blockLen < bs) return this;
      this.compress(this.state, this.block, 0, 1);
      this.blockLen = 0;
    }
    const n = ((end - p) / bs) | 0;
    if (n > 0) {
      this.compress(this.state, b, p, n);
      p += n * bs;
    }
    if (p < end) {
      this.block.set(b.subarray(p, end), 0);
      this.blockLen = end - p;
    }
    return this;
  }

  /** Pad, write the digest into out[offset..offset+size); the digest is then spent (reset() to reuse). */
  finish(out, offset = 0) {
    const bs = this.blockSize, blk = this.block, lenBytes = bs === 128 ? 16 : 8;
    let k = this.blockLen;
    blk[k++] = 0x80;
    if (k > bs - lenBytes) {
      blk.fill(0, k);
      this.compress(this.state, blk, 0, 1);
      k = 0;
    }
    blk.fill(0, k);
    const bitsLo = (this.total * 8) % 4294967296, bitsHi = Math.floor(this.total / 536870912);
    if (this.spec.kind === "md5") {
      writeLE(blk, bs - 8, bitsLo);
      writeLE(blk, bs - 4, bitsHi);
    } else {
      writeBE(blk, bs - 8, bitsHi);
      writeBE(blk, bs - 4, bitsLo);
    }
    this.compress(this.state, blk, 0, 1);
    const st = this.state, size = this.size;
    if (this.spec.kind === "md5") {
      for (let i = 0; i < size; i += 4) writeLE(out, offset + i, st[i >> 2]);
    } else {
      for (let i = 0; i + 4 <= size; i += 4) writeBE(out, offset + i, st[i >> 2]);
      if (size & 3) { // SHA-512/224 ends in half a word
        const w = st[size >> 2];
        for (let i = size & ~3, s = 24; i < size; i++, s -= 8) out[offset + i] = w >>> s;
      }
    }
    return out;
  }

  /** The digest as a new Uint8Array. */
  digest() { return this.finish(new Uint8Array(this.size), 0); }

  copy() {
    const d = Object.create(Digest.prototype);
    d.spec = this.spec;
    d.compress = this.compress;
    d.blockSize = this.blockSize;
    d.size = this.size;
    d.state = new Int32Array(this.state);
    d.block = new Uint8Array(this.block);
    d.blockLen = this.blockLen;
    d.total = this.total;
    return d;
  }

  /** Save into / restore from `saved` (an object from a previous save, or undefined). */
  save(saved) {
    if (!saved) saved = { state: new Int32Array(this.state.length), block: new Uint8Array(this.blockSize), blockLen: 0, total: 0 };
    saved.state.set(this.state);
    saved.block.set(this.block);
    saved.blockLen = this.blockLen;
    saved.total = this.total;
    return saved;
  }

  restore(saved) {
    this.state.set(saved.state);
    if (saved.blockLen) this.block.set(saved.block);
    this.blockLen = saved.blockLen;
    this.total = saved.total;
    return this;
  }
}

function writeBE(b, p, w) { b[p] = w >>> 24; b[p + 1] = w >>> 16; b[p + 2] = w >>> 8; b[p + 3] = w; }
function writeLE(b, p, w) { b[p] = w; b[p + 1] = w >>> 8; b[p + 2] = w >>> 16; b[p + 3] = w >>> 24; }

// ---- the algorithms -----------------------------------------------------------

const specs = {};
function define(name, make) {
  let spec = null;
  Object.defineProperty(specs, name, { enumerable: true, get: () => (spec ??= make()) });
}

define("md5", () => ({ name: "md5", kind: "md5", blockSize: 64, size: 16,
  iv: new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]) }));
define("sha1", () => ({ name: "sha1", kind: "sha1", blockSize: 64, size: 20,
  iv: new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]) }));
define("sha256", () => ({ name: "sha256", kind: "sha256", blockSize: 64, size: 32,
  iv: sqrtIV(0).filter((_, i) => (i & 1) === 0) }));
define("sha224", () => ({ name: "sha224", kind: "sha256", blockSize: 64, size: 28,
  iv: sqrtIV(8).filter((_, i) => (i & 1) === 1) }));
define("sha512", () => ({ name: "sha512", kind: "sha512", blockSize: 128, size: 64, iv: sqrtIV(0) }));
define("sha384", () => ({ name: "sha384", kind: "sha512", blockSize: 128, size: 48, iv: sqrtIV(8) }));
define("sha512-256", () => ({ name: "sha512-256", kind: "sha512", blockSize: 128, size: 32, iv: sha512tIV(256) }));
define("sha512-224", () => ({ name: "sha512-224", kind: "sha512", blockSize: 128, size: 28, iv: sha512tIV(224) }));

/** FIPS 180-4 5.3.6: SHA-512 with the IV xor a5a5…, over the string "SHA-512/t". */
function sha512tIV(t) {
  const spec = { ...specs.sha512, size: 64, iv: specs.sha512.iv.map((x) => x ^ 0xa5a5a5a5) };
  const out = new Digest(spec).update(new TextEncoder().encode(`SHA-512/${t}`)).digest();
  const iv = new Int32Array(16);
  for (let i = 0; i < 16; i++) iv[i] = out[4 * i] << 24 | out[4 * i + 1] << 16 | out[4 * i + 2] << 8 | out[4 * i + 3];
  return iv;
}

const aliases = {
  md5: "md5", "rsa-md5": "md5", md5withrsaencryption: "md5", "ssl3-md5": "md5",
  sha1: "sha1", "rsa-sha1": "sha1", sha1withrsaencryption: "sha1", "ssl3-sha1": "sha1", "rsa-sha1-2": "sha1",
  sha224: "sha224", "rsa-sha224": "sha224", sha224withrsaencryption: "sha224",
  sha256: "sha256", "rsa-sha256": "sha256", sha256withrsaencryption: "sha256",
  sha384: "sha384", "rsa-sha384": "sha384", sha384withrsaencryption: "sha384",
  sha512: "sha512", "rsa-sha512": "sha512", sha512withrsaencryption: "sha512",
  "sha512-256": "sha512-256", "rsa-sha512/256": "sha512-256", "sha512-256withrsaencryption": "sha512-256",
  "sha512-224": "sha512-224", "rsa-sha512/224": "sha512-224", "sha512-224withrsaencryption": "sha512-224",
};

/** The spec of a digest name as Node/OpenSSL accept it (case-insensitive), or undefined. */
export function lookup(name) {
  if (typeof name !== "string") return undefined;
  const id = aliases[name.toLowerCase()];
  return id === undefined ? undefined : specs[id];
}

/** The names getHashes() lists, sorted as Node lists them. */
export const hashNames = [
  "RSA-MD5", "RSA-SHA1", "RSA-SHA1-2", "RSA-SHA224", "RSA-SHA256", "RSA-SHA384", "RSA-SHA512",
  "RSA-SHA512/224", "RSA-SHA512/256", "md5", "md5WithRSAEncryption", "sha1", "sha1WithRSAEncryption",
  "sha224", "sha224WithRSAEncryption", "sha256", "sha256WithRSAEncryption", "sha384",
  "sha384WithRSAEncryption", "sha512", "sha512-224", "sha512-224WithRSAEncryption", "sha512-256",
  "sha512-256WithRSAEncryption", "sha512WithRSAEncryption", "ssl3-md5", "ssl3-sha1",
];
