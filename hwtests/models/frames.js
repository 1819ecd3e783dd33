// Test frames the fake-tier NIC tests share: dst, src, EtherType 88b5 (IEEE 802 local
// experimental), a 32-bit big-endian sequence number at 14, then a pattern.

export const ETHERTYPE_TEST = 0x88b5;

/** A test frame of `length` bytes from `src` to `dst`. */
export function frame(dst, seq, length = 64, src = [0x02, 0, 0, 0, 0, 0x42]) {
  const f = new Uint8Array(length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = ETHERTYPE_TEST >> 8;
  f[13] = ETHERTYPE_TEST & 0xff;
  new DataView(f.buffer).setUint32(14, seq >>> 0);
  for (let i = 18; i < length; i++) f[i] = (seq + i) & 0xff;
  return f;
}
/** The sequence number of a test frame. */
export const seqOf = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(14);
/** Whether two byte arrays hold the same bytes. */
export const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
