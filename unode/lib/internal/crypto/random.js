// node:internal/crypto/random — the kernel's random bytes (getrandom(2)) for
// node:crypto's randomBytes/randomFill/randomInt/randomUUID/getRandomValues.

import { getrandom, SysError } from "jsk:sys";

const EINTR = 4;

/** Fill `u8` (a Uint8Array) with random bytes; loops over short reads and EINTR. */
export function fillRandom(u8) {
  let off = 0;
  const n = u8.length;
  while (off < n) {
    let r;
    try {
      r = getrandom(off === 0 ? u8 : u8.subarray(off));
    } catch (e) {
      if (e instanceof SysError && e.errno === EINTR) continue;
      throw e;
    }
    off += r;
  }
  return u8;
}

// A pool for the small draws (randomUUID, randomInt): one syscall per 4 KiB.
const pool = new Uint8Array(4096);
let poolPos = pool.length;

/** `n` (<= 64) random bytes copied into out[offset..]. */
export function poolBytes(out, offset, n) {
  if (poolPos + n > pool.length) {
    fillRandom(pool);
    poolPos = 0;
  }
  out.set(pool.subarray(poolPos, poolPos + n), offset);
  pool.fill(0, poolPos, poolPos + n);
  poolPos += n;
  return out;
}

const six = new Uint8Array(6);
/** A uniform random integer in [0, 2^48). */
export function random48() {
  poolBytes(six, 0, 6);
  return ((six[0] << 8 | six[1]) * 4294967296) + ((six[2] << 24 | six[3] << 16 | six[4] << 8 | six[5]) >>> 0);
}

const hex = [];
for (let i = 0; i < 256; i++) hex.push((i < 16 ? "0" : "") + i.toString(16));
const u16 = new Uint8Array(16);

/** A version 4 UUID string. */
export function uuid4() {
  poolBytes(u16, 0, 16);
  const b = u16;
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return hex[b[0]] + hex[b[1]] + hex[b[2]] + hex[b[3]] + "-" + hex[b[4]] + hex[b[5]] + "-" +
    hex[b[6]] + hex[b[7]] + "-" + hex[b[8]] + hex[b[9]] + "-" + hex[b[10]] + hex[b[11]] +
    hex[b[12]] + hex[b[13]] + hex[b[14]] + hex[b[15]];
}
