// A small seeded PRNG (xorshift32) for fuzzing: runs repeat for a seed.

export function prng(seed = 1) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  return {
    u32: next,
    /** Integer in [0, n). */
    below: (n) => next() % n,
    /** A register value a hostile or broken device might return: all ones, zero, or random. */
    hostile() {
      const r = next() & 7;
      if (r < 2) return 0xffffffff;
      if (r === 2) return 0;
      return next();
    },
    bytes(n) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}
