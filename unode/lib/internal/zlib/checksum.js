// node:internal/zlib/checksum — the two checksums of zlib's formats: CRC-32
// (ISO 3309 / ITU-T V.42, the polynomial 0xEDB88320 reflected; gzip's trailer
// and zlib.crc32) and Adler-32 (RFC 1950's trailer).
//
// CRC-32 runs "slicing by 4": four 256-entry tables, one lookup per byte but
// one table step per 4 bytes, which is about twice the speed of the
// byte-at-a-time loop under an interpreter.

const T0 = new Int32Array(256), T1 = new Int32Array(256), T2 = new Int32Array(256), T3 = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T0[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T0[n];
  c = T0[c & 0xff] ^ (c >>> 8); T1[n] = c;
  c = T0[c & 0xff] ^ (c >>> 8); T2[n] = c;
  c = T0[c & 0xff] ^ (c >>> 8); T3[n] = c;
}

/** CRC-32 of bytes [start, end) of `u8`, continuing from `crc` (0 to start); an unsigned 32-bit number. */
export function crc32(crc, u8, start = 0, end = u8.length) {
  let c = ~crc;
  let i = start;
  const end4 = end - 3;
  while (i < end4) {
    c ^= u8[i] | (u8[i + 1] << 8) | (u8[i + 2] << 16) | (u8[i + 3] << 24);
    c = T3[c & 0xff] ^ T2[(c >>> 8) & 0xff] ^ T1[(c >>> 16) & 0xff] ^ T0[c >>> 24];
    i += 4;
  }
  while (i < end) c = T0[(c ^ u8[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Adler-32 of bytes [start, end) of `u8`, continuing from `adler` (1 to start); an unsigned 32-bit number. */
export function adler32(adler, u8, start = 0, end = u8.length) {
  let a = adler & 0xffff, b = adler >>> 16;
  let i = start;
  while (i < end) {
    // Reduce every 3800 bytes: b stays below 2^31, so the sums remain int32s, which QuickJS
    // adds on its fast path (zlib's NMAX, 5552, bounds b by 2^32). Unrolled by 8: the loop's
    // own compare and increment cost as much as the sums.
    const stop = Math.min(end, i + 3800), stop8 = stop - 8;
    for (; i <= stop8; i += 8) {
      a += u8[i]; b += a; a += u8[i + 1]; b += a; a += u8[i + 2]; b += a; a += u8[i + 3]; b += a;
      a += u8[i + 4]; b += a; a += u8[i + 5]; b += a; a += u8[i + 6]; b += a; a += u8[i + 7]; b += a;
    }
    for (; i < stop; i++) {
      a += u8[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
