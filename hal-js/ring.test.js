// Tests for jsk:native's batch operations over descriptor rings (ring, Ring.count/countWithin/
// sum/gather/scatter, take, transition, compareBytes) and the DMA barriers: results against a plain JS reading of
// the same bytes, wrap-around, and every check (ranges, alignment, types, detached and
// shrunk buffers) ending in a RangeError or TypeError with nothing written.

import { test, assert } from "jsk:test";
import { ring, take, transition, compareBytes, fakeDma } from "jsk:native";
import { dmaWmb, dmaRmb, mb } from "jsk:hal";

// 8 legacy e1000 descriptors (16 bytes): address 0..7, length 8..9, status byte 12.
function descriptors(n = 8) {
  const buf = new ArrayBuffer(n * 16);
  return { buf, u8: new Uint8Array(buf), u16: new Uint16Array(buf), u32: new Uint32Array(buf), r: ring(buf, n, 16) };
}

test("count: consecutive records whose masked field equals the value, wrapping at the end", () => {
  const { u8, r } = descriptors();
  for (const i of [6, 7, 0, 1]) u8[i * 16 + 12] = 0x03;   // DD | EOP
  u8[2 * 16 + 12] = 0x01;                                  // DD without EOP
  assert.equal(r.count(6, 8, 12, 1, 0x01, 0x01), 5);      // 6, 7, 0, 1, 2 are done
  assert.equal(r.count(6, 8, 12, 1, 0x03, 0x03), 4);      // 2 lacks EOP
  assert.equal(r.count(6, 3, 12, 1, 0x01, 0x01), 3);      // at most max
  assert.equal(r.count(3, 8, 12, 1, 0x01, 0x01), 0);
  assert.equal(r.count(0, 0, 12, 1, 0x01, 0x01), 0);
  assert.equal(r.slots, 8);
  assert.equal(r.stride, 16);
});

test("gather and scatter move one field of n records to and from typed arrays", () => {
  const { u16, u32, r } = descriptors();
  for (let i = 0; i < 8; i++) u16[i * 8 + 4] = 60 + i;     // lengths at offset 8
  const lens = new Uint16Array(10);
  assert.equal(r.gather(6, 4, 8, 2, lens, 1), 66 + 67 + 60 + 61, "the sum of what was moved");
  assert.deepEqual([...lens], [0, 66, 67, 60, 61, 0, 0, 0, 0, 0]);
  const wide = new Float64Array(2);
  r.gather(7, 2, 8, 2, wide);
  assert.deepEqual([...wide], [67, 60]);

  // 64-bit addresses from a Float64Array (what a buffer pool keeps), then the words as JS sees them.
  const iovas = new Float64Array([0x1_2345_6000, 0x7000, 2 ** 52]);
  assert.equal(r.scatter(7, 3, 0, 8, iovas), 0x1_2345_6000 + 0x7000 + 2 ** 52);
  assert.deepEqual([u32[7 * 4], u32[7 * 4 + 1], u32[0], u32[1], u32[4], u32[5]], [0x2345_6000, 1, 0x7000, 0, 0, 2 ** 20]);
  const back = new BigUint64Array(3);
  r.gather(7, 3, 0, 8, back);
  assert.deepEqual([...back], [0x1_2345_6000n, 0x7000n, 2n ** 52n]);

  // One value fills the field (clear the status of 3 descriptors).
  const { u8: s8, r: s } = descriptors();
  s8.fill(0xff);
  assert.equal(s.scatter(6, 3, 12, 1, 0), 0);
  assert.deepEqual([s8[6 * 16 + 12], s8[7 * 16 + 12], s8[12], s8[16 + 12], s8[6 * 16 + 13]], [0, 0, 0, 0xff, 0xff]);
  s.scatter(0, 1, 8, 4, 0xdeadbeefn);
  assert.equal(new Uint32Array(s8.buffer)[2], 0xdeadbeef);
});

test("scatter checks every value before writing any", () => {
  const { u16, r } = descriptors();
  u16.fill(7);
  assert.throws(() => r.scatter(0, 3, 8, 2, new Uint32Array([1, 2, 0x10000])), RangeError);
  assert.throws(() => r.scatter(0, 2, 8, 2, new Float64Array([1, 2.5])), RangeError);
  assert.throws(() => r.scatter(0, 1, 8, 2, 0x10000), RangeError);
  assert.throws(() => r.scatter(0, 1, 8, 2, new Float32Array([1])), RangeError);
  assert.equal(u16.every((x) => x === 7), true, "nothing was written");
  // BigInts are taken exactly, not mod 2^64, and unsigned 64-bit lanes are not negative.
  assert.throws(() => r.scatter(0, 1, 8, 2, 2n ** 64n), RangeError);
  assert.throws(() => r.scatter(0, 1, 8, 2, 2n ** 64n + 5n), RangeError);
  assert.throws(() => r.scatter(0, 1, 8, 2, new BigUint64Array([2n ** 64n - 1n])), RangeError);
  assert.throws(() => r.scatter(0, 1, 8, 2, new Float64Array([2 ** 64 - 2048])), RangeError);
  assert.throws(() => r.scatter(0, 1, 8, 2, 1.5), RangeError);
  assert.equal(u16.every((x) => x === 7), true, "nothing was written");
  r.scatter(0, 1, 0, 8, 2n ** 64n - 1n);
  assert.equal(new BigUint64Array(u16.buffer)[0], 2n ** 64n - 1n);
  // Two's complement fits: -1 into 16 bits.
  assert.equal(r.scatter(0, 1, 8, 2, new Int32Array([-1])), 0xffff, "the sum counts the field's bits");
  assert.equal(u16[4], 0xffff);
});

test("scatterFrom: table[indices[i]] into record i's field, every index and value checked first", () => {
  const { u32, r } = descriptors();
  const iova = new BigUint64Array([0x1000n, 0x2_0000_3000n, 0x5000n, 2n ** 40n]);
  const ids = new Uint16Array([9, 3, 1, 0]);
  assert.equal(r.scatterFrom(7, 3, 0, 8, iova, ids, 1), 2 ** 40 + 0x2_0000_3000 + 0x1000);
  assert.deepEqual([u32[28], u32[29], u32[0], u32[1], u32[4], u32[5]], [0, 2 ** 8, 0x3000, 2, 0x1000, 0]);
  const before = [...u32];
  assert.throws(() => r.scatterFrom(0, 2, 0, 8, iova, ids, 0), RangeError, "index 9 is outside the table");
  assert.throws(() => r.scatterFrom(0, 1, 8, 2, iova, ids, 1), RangeError, "2^40 does not fit 2 bytes");
  assert.throws(() => r.scatterFrom(0, 1, 0, 8, iova, new Float64Array([0]), 0), TypeError);
  assert.throws(() => r.scatterFrom(0, 2, 0, 8, iova, ids, 3), RangeError, "indices [3, +2) are outside 4");
  assert.deepEqual([...u32], before, "nothing was written");
  assert.equal(r.scatterFrom(0, 1, 8, 2, new Float64Array([60]), new Uint8Array([0])), 60);
});

test("take: out[i] = table[indices[start + i]], every index checked first", () => {
  const table = new Float64Array([10, 11, 12, 13]);
  const out = new Float64Array(4);
  assert.equal(take(table, new Uint16Array([3, 0, 2, 9]), 0, 3, out, 1), 3);
  assert.deepEqual([...out], [0, 13, 10, 12]);
  const before = [...out];
  assert.throws(() => take(table, new Uint16Array([1, 4]), 0, 2, out), RangeError);
  assert.throws(() => take(table, new Int32Array([-1]), 0, 1, out), RangeError);
  assert.deepEqual([...out], before, "nothing was written");
  assert.throws(() => take(table, new Uint8Array([0]), 0, 1, new Uint32Array(1)), TypeError);
  assert.throws(() => take(table, new Float64Array([0]), 0, 1, out), TypeError);
  assert.throws(() => take(table, new Uint8Array([0]), 1, 1, out), RangeError);
});

test("countWithin: consecutive records whose field lies in [lo, hi], wrapping", () => {
  const { u16, r } = descriptors();
  [60, 14, 2048, 13, 64, 60, 1514, 64].forEach((len, i) => { u16[i * 8 + 4] = len; });
  assert.equal(r.countWithin(0, 8, 8, 2, 14, 2048), 3);     // 13 is too short
  assert.equal(r.countWithin(4, 8, 8, 2, 14, 2048), 7);     // 4..7, then 0..2 after the wrap
  assert.equal(r.countWithin(4, 2, 8, 2, 14, 2048), 2);
  assert.equal(r.countWithin(0, 8, 8, 2, 2048, 14), 0, "an empty range holds nothing");
  assert.equal(r.countWithin(0, 8, 8, 2, 0n, 0xffffn), 8);
  assert.throws(() => r.countWithin(0, 9, 8, 2, 0, 1), RangeError);
  assert.equal(r.sum(6, 4, 8, 2), 1514 + 64 + 60 + 14, "sum wraps too");
  assert.equal(r.sum(0, 0, 8, 2), 0);
  new BigUint64Array(u16.buffer)[1] = 2n ** 53n;
  assert.throws(() => r.sum(0, 1, 8, 8), RangeError, "2^53 is not exact");
  assert.throws(() => r.countWithin(0, 1, 8, 2, "0", 1), TypeError);
});

test("transition: a state per buffer moved for a batch, stopping at the first that is not `from`", () => {
  const state = new Uint8Array(6);
  const ids = new Uint16Array([4, 1, 4, 2]);
  assert.equal(transition(state, ids, 0, 4, 0, 3), 2, "the second 4 is already 3");
  assert.deepEqual([...state], [0, 3, 0, 0, 3, 0]);
  assert.equal(transition(state, ids, 3, 1, 0, 3), 1);
  assert.equal(transition(state, ids, 0, 2, 3, 1), 2);
  assert.deepEqual([...state], [0, 1, 3, 0, 1, 0]);
  assert.equal(transition(state, ids, 0, 0, 0, 1), 0);
  // Checked before anything is written: indices, states, types.
  assert.throws(() => transition(state, new Uint16Array([1, 6]), 0, 2, 1, 0), RangeError);
  assert.throws(() => transition(state, new Int8Array([-1]), 0, 1, 1, 0), RangeError);
  assert.throws(() => transition(state, ids, 0, 1, 1, 256), RangeError);
  assert.throws(() => transition(state, ids, 0, 1, 0.5, 1), RangeError);
  assert.throws(() => transition(state, ids, 0, 1, "1", 0), TypeError);
  assert.throws(() => transition(state, ids, 2, 3, 1, 0), RangeError);
  assert.throws(() => transition(new Float64Array(6), ids, 0, 1, 0, 1), TypeError);
  assert.throws(() => transition(state, new Float64Array([1]), 0, 1, 0, 1), TypeError);
  assert.deepEqual([...state], [0, 1, 3, 0, 1, 0], "nothing was written");
  // Wide and signed tables take their own ranges.
  const wide = new BigInt64Array(2);
  assert.equal(transition(wide, new Uint8Array([1]), 0, 1, 0n, -5n), 1);
  assert.equal(wide[1], -5n);
});

test("compareBytes is memcmp over buffers and views", () => {
  const a = new Uint8Array([1, 2, 3, 4]);
  const b = new Uint8Array([0, 1, 2, 9]);
  assert.equal(compareBytes(a, 0, b, 1, 2), 0);
  assert.equal(compareBytes(a, 0, b, 1, 3), -1);
  assert.equal(compareBytes(b.buffer, 3, a, 0, 1), 1);
  assert.equal(compareBytes(a, 4, b, 4, 0), 0);
  assert.throws(() => compareBytes(a, 2, b, 0, 3), RangeError);
  assert.throws(() => compareBytes(new DataView(a.buffer), 0, b, 0, 1), TypeError);
});

test("the ring's checks: arguments, fields, alignment, types", () => {
  assert.throws(() => ring(new ArrayBuffer(64), 5, 16), RangeError);
  assert.throws(() => ring(new ArrayBuffer(64), 0, 16), RangeError);
  assert.throws(() => ring(new DataView(new ArrayBuffer(64)), 4, 16), TypeError);
  assert.throws(() => ring({ buffer: new ArrayBuffer(64), byteOffset: 0, byteLength: 64 }, 4, 16), TypeError);
  const { r } = descriptors();
  assert.throws(() => r.count(8, 1, 12, 1, 1, 1), RangeError);      // start outside the ring
  assert.throws(() => r.count(0, 9, 12, 1, 1, 1), RangeError);      // more than the ring
  assert.throws(() => r.count(0.5, 1, 12, 1, 1, 1), RangeError);
  assert.throws(() => r.count(0, 1, 15, 2, 1, 1), RangeError);      // the field leaves its record
  assert.throws(() => r.count(0, 1, 13, 2, 1, 1), RangeError);      // misaligned
  assert.throws(() => r.count(0, 1, 12, 3, 1, 1), RangeError);      // no 3-byte fields
  assert.throws(() => r.count(0, 1, 12, 1, "1", 1), TypeError);
  assert.throws(() => r.gather(0, 2, 8, 4, new Uint16Array(2)), TypeError); // elements too small
  assert.throws(() => r.gather(0, 3, 8, 2, new Uint16Array(2)), RangeError);
  assert.throws(() => r.gather(0, 1, 8, 2, [0]), TypeError);
  // A ring over a view starts at the view's offset, alignment checked against it.
  const big = new ArrayBuffer(130);
  const shifted = ring(new Uint8Array(big, 1, 128), 8, 16);
  assert.throws(() => shifted.count(0, 1, 12, 4, 1, 1), RangeError);
  assert.equal(shifted.count(0, 8, 12, 1, 1, 0), 8);
});

test("detachment is read from the engine, not from a getter a program replaced", () => {
  let ran = false;
  const d = new ArrayBuffer(8);
  d.transfer();
  Object.defineProperty(d, "detached", { get() { ran = true; return false; } });
  assert.throws(() => compareBytes(new Uint8Array(4), 0, d, 0, 0), TypeError);
  const e = new ArrayBuffer(0);
  assert.equal(compareBytes(e, 0, e, 0, 0), 0, "an empty live buffer is not detached");
  assert.equal(ran, false);
});

test("detached, transferred and shrunk buffers are errors, not stale memory", () => {
  const buf = new ArrayBuffer(128, { maxByteLength: 256 });
  const r = ring(buf, 8, 16);
  buf.resize(64);
  assert.throws(() => r.count(0, 8, 12, 1, 1, 1), RangeError);
  buf.resize(128);
  assert.equal(r.count(0, 8, 12, 1, 1, 0), 8);
  buf.transfer();
  assert.throws(() => r.count(0, 8, 12, 1, 1, 1), TypeError);
  const { r: r2 } = descriptors();
  const out = new Uint16Array(8);
  out.buffer.transfer();
  assert.throws(() => r2.gather(0, 1, 8, 2, out), TypeError);
});

test("a ring over DMA memory and the barriers", () => {
  const [buf] = fakeDma(4096, 4096);
  const r = ring(buf, 256, 16);
  new Uint8Array(buf)[12] = 1;
  assert.equal(r.count(0, 256, 12, 1, 1, 1), 1);
  assert.equal(dmaWmb(), undefined);
  assert.equal(dmaRmb(), undefined);
  assert.equal(mb(), undefined);
});
