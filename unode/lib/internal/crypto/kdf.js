// node:internal/crypto/kdf — HMAC (RFC 2104) and the key derivations built on
// it: PBKDF2 (RFC 8018), HKDF (RFC 5869) and scrypt (RFC 7914), over the
// digests of node:internal/crypto/hashes. Bytes in, bytes out (Uint8Array);
// node:crypto does the argument checks.

import { Digest } from "node:internal/crypto/hashes";

/** HMAC with the key's inner/outer pad blocks absorbed once, so that reset() is cheap. */
export class HmacCore {
  constructor(spec, key) {
    const bs = spec.blockSize;
    if (key.length > bs) key = new Digest(spec).update(key).digest();
    const pad = new Uint8Array(bs);
    pad.set(key);
    for (let i = 0; i < bs; i++) pad[i] ^= 0x36;
    this.inner = new Digest(spec).update(pad);
    for (let i = 0; i < bs; i++) pad[i] ^= 0x36 ^ 0x5c;
    this.outer = new Digest(spec).update(pad);
    pad.fill(0);
    this.innerSaved = this.inner.save();
    this.outerSaved = this.outer.save();
    this.size = spec.size;
    this.tmp = new Uint8Array(spec.size);
  }

  update(b, start = 0, end = b.length) { this.inner.update(b, start, end); return this; }

  /** Write the MAC into out[offset..]; reset() before the next message. */
  finish(out, offset = 0) {
    this.inner.finish(this.tmp, 0);
    this.outer.update(this.tmp, 0, this.size).finish(out, offset);
    return out;
  }

  reset() {
    this.inner.restore(this.innerSaved);
    this.outer.restore(this.outerSaved);
    return this;
  }
}

/** PBKDF2-HMAC: `keylen` bytes. */
export function pbkdf2Bytes(spec, password, salt, iterations, keylen) {
  const mac = new HmacCore(spec, password);
  const size = spec.size;
  const out = new Uint8Array(keylen);
  const u = new Uint8Array(size), t = new Uint8Array(size), ctr = new Uint8Array(4);
  for (let block = 1, pos = 0; pos < keylen; block++, pos += size) {
    ctr[0] = block >>> 24; ctr[1] = block >>> 16; ctr[2] = block >>> 8; ctr[3] = block;
    mac.reset().update(salt).update(ctr).finish(u, 0);
    t.set(u);
    for (let i = 1; i < iterations; i++) {
      mac.reset().update(u, 0, size).finish(u, 0);
      for (let j = 0; j < size; j++) t[j] ^= u[j];
    }
    out.set(keylen - pos >= size ? t : t.subarray(0, keylen - pos), pos);
  }
  return out;
}

/** HKDF extract-and-expand: `keylen` bytes (keylen <= 255 * hash size, checked by the caller). */
export function hkdfBytes(spec, ikm, salt, info, keylen) {
  const prk = new HmacCore(spec, salt.length ? salt : new Uint8Array(spec.size)).update(ikm).finish(new Uint8Array(spec.size));
  const mac = new HmacCore(spec, prk);
  const out = new Uint8Array(keylen);
  const t = new Uint8Array(spec.size), c = new Uint8Array(1);
  for (let i = 1, pos = 0; pos < keylen; i++, pos += spec.size) {
    mac.reset();
    if (i > 1) mac.update(t);
    c[0] = i;
    mac.update(info).update(c).finish(t, 0);
    out.set(keylen - pos >= spec.size ? t : t.subarray(0, keylen - pos), pos);
  }
  return out;
}

// ---- scrypt -----------------------------------------------------------------------

let salsa = null;
/** salsa(T, X, off): T ^= X[off..off+16); T = Salsa20/8(T). Generated unrolled, as the hashes are. */
function genSalsa() {
  const L = [];
  const x = (i) => `x${i}`;
  L.push("let " + Array.from({ length: 16 }, (_, i) => `x${i} = T[${i}] ^ X[o + ${i}]`).join(", ") + ", u;");
  L.push("const " + Array.from({ length: 16 }, (_, i) => `y${i} = x${i}`).join(", ") + ";");
  const qr = (a, b, c, d) => {
    for (const [dst, p, q, s] of [[b, a, d, 7], [c, b, a, 9], [d, c, b, 13], [a, d, c, 18]]) {
      L.push(`u = (${x(p)} + ${x(q)}) | 0; ${x(dst)} ^= (u << ${s} | u >>> ${32 - s});`);
    }
  };
  for (let r = 0; r < 4; r++) {
    qr(0, 4, 8, 12); qr(5, 9, 13, 1); qr(10, 14, 2, 6); qr(15, 3, 7, 11);
    qr(0, 1, 2, 3); qr(5, 6, 7, 4); qr(10, 11, 8, 9); qr(15, 12, 13, 14);
  }
  for (let i = 0; i < 16; i++) L.push(`T[${i}] = (x${i} + y${i}) | 0;`);
  return new Function("T", "X", "o", L.join("\n"));
}

/** RFC 7914 scrypt. N a power of two > 1, r, p >= 1 (checked by the caller). */
export function scryptBytes(password, salt, N, r, p, keylen, sha256) {
  salsa ??= genSalsa();
  const words = 32 * r;
  const B = pbkdf2Bytes(sha256, password, salt, 1, p * 128 * r);
  const X = new Int32Array(words), Y = new Int32Array(words), T = new Int32Array(16);
  const V = new Int32Array(N * words);
  const mix = () => {
    T.set(X.subarray(words - 16, words));
    for (let i = 0; i < 2 * r; i++) {
      salsa(T, X, i * 16);
      Y.set(T, ((i & 1) ? r + (i >> 1) : i >> 1) * 16);
    }
    X.set(Y);
  };
  for (let k = 0; k < p; k++) {
    const base = k * 128 * r;
    for (let i = 0; i < words; i++) {
      const q = base + 4 * i;
      X[i] = B[q] | B[q + 1] << 8 | B[q + 2] << 16 | B[q + 3] << 24;
    }
    for (let i = 0; i < N; i++) {
      V.set(X, i * words);
      mix();
    }
    for (let i = 0; i < N; i++) {
      const j = (X[words - 16] & (N - 1)) * words;
      for (let w = 0; w < words; w++) X[w] ^= V[j + w];
      mix();
    }
    for (let i = 0; i < words; i++) {
      const q = base + 4 * i, w = X[i];
      B[q] = w; B[q + 1] = w >>> 8; B[q + 2] = w >>> 16; B[q + 3] = w >>> 24;
    }
  }
  return pbkdf2Bytes(sha256, password, B, 1, keylen);
}
