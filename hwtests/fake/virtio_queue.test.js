// jsk:virtio/split_queue (hal-js/virtio/split_queue.js): the split virtqueue's layout (VIRTIO 2.7), offering buffers
// through slots (with and without a chained header), and collecting used entries with the
// test acting as the device, hostile entries included.
import { test, assert } from "jsk:test";
import { fakeDevice } from "jsk:fake";
import { SplitQueue, DESC_F_WRITE, DESC_F_NEXT, AVAIL_F_NO_INTERRUPT } from "jsk:virtio/split_queue";

function queue(size = 8, opts = {}) {
  const fake = fakeDevice({ name: "vq", bus: "pci" });
  const q = new SplitQueue(fake.device, 0, size, opts);
  return { q, u16: new Uint16Array(q.dma.buffer), u32: new Uint32Array(q.dma.buffer), u64: new BigUint64Array(q.dma.buffer) };
}
const iovas = BigUint64Array.from({ length: 16 }, (_, i) => 0x10_0000n + BigInt(i) * 2048n);
const ids = (...v) => Uint16Array.from(v);

/** Offer buffers `bufs` (ids into `iovas`) of `len` bytes each, all at once. */
function offer(t, bufs, len = 2048) {
  const n = t.q.room(bufs.length);
  t.q.fill(n, iovas, ids(...bufs), 0, Uint32Array.from(bufs, () => len));
  t.q.publish(n);
  return n;
}

/** The device's side: used entries (id, len) from used ring position `from`, then the used index. */
function deviceUses(t, entries, from = 0) {
  const base = t.q.usedOffset;
  entries.forEach(([id, len], k) => {
    const e = (base + 4 + 8 * ((from + k) % t.q.size)) >> 2;
    t.u32[e] = id;
    t.u32[e + 1] = len;
  });
  t.u16[(base + 2) >> 1] = (from + entries.length) & 0xffff;
}

test("layout: descriptors, the available ring, the used ring 4-byte aligned; bad sizes are RangeErrors", () => {
  const { q } = queue(8);
  assert.equal(q.availOffset, 128);
  assert.equal(q.usedOffset, 152, "128 + 6 + 2 x 8 = 150, aligned to 4");
  const a = q.addresses;
  assert.equal(a.driver - a.desc, 128n);
  assert.equal(a.device - a.desc, 152n);
  assert.equal(q.slots, 8);
  assert.throws(() => queue(6), RangeError);
  assert.throws(() => queue(65536), RangeError);
  assert.throws(() => queue(8, { header: -1 }), RangeError);
});

test("offer: slot k's descriptor k gets its buffer, the available ring lists them, idx moves once", () => {
  const t = queue(8);
  t.q.preset(2048, DESC_F_WRITE);
  assert.equal(offer(t, [9, 3, 4], 2048), 3);
  assert.deepEqual([t.u64[0], t.u64[2], t.u64[4]], [iovas[9], iovas[3], iovas[4]]);
  assert.equal(t.u32[(1 * 16 + 8) >> 2], 2048);
  assert.equal(t.u16[(1 * 16 + 12) >> 1], DESC_F_WRITE);
  const avail = t.q.availOffset >> 1;
  assert.deepEqual([...t.u16.subarray(avail + 1, avail + 5)], [3, 0, 1, 2], "idx 3, then descriptors 0, 1, 2");
  assert.equal(t.q.outstanding, 3);
  assert.equal(t.q.room(8), 5, "the rest of the queue");
  t.q.interrupts = false;
  assert.equal(t.u16[avail], AVAIL_F_NO_INTERRUPT);
  t.q.interrupts = true;
  assert.equal(t.u16[avail], 0);
});

test("a header is chained in front of every buffer once: slot k uses descriptors 2k and 2k+1", () => {
  const t = queue(8, { header: 12 });
  assert.equal(t.q.slots, 4);
  const hdr = t.q.dma.iova + BigInt(t.q.headerOffset);
  for (let k = 0; k < 4; k++) {
    assert.equal(t.u64[(32 * k) >> 3], hdr, `header descriptor ${2 * k}: the shared zero header`);
    assert.equal(t.u32[(32 * k + 8) >> 2], 12);
    assert.deepEqual([t.u16[(32 * k + 12) >> 1], t.u16[(32 * k + 14) >> 1]], [DESC_F_NEXT, 2 * k + 1]);
  }
  const n = t.q.room(3);
  t.q.fill(n, iovas, ids(5, 6, 7), 0, Uint32Array.of(60, 1514, 100));
  t.q.publish(n);
  assert.deepEqual([t.u64[(16 + 32) >> 3], t.u32[(16 + 32 + 8) >> 2], t.u16[(16 + 32 + 12) >> 1]], [iovas[6], 1514, 0]);
  const avail = t.q.availOffset >> 1;
  assert.deepEqual([...t.u16.subarray(avail + 1, avail + 5)], [3, 0, 2, 4], "heads in the available ring");
  assert.equal(t.q.room(4), 1);
  // Used out of order: slot 1 first. Its buffer (6) comes back; the next offer stops at slot 0.
  deviceUses(t, [[2, 0]]);
  const out = new Uint16Array(4);
  assert.equal(t.q.collect(out, null, 4), 1);
  assert.equal(out[0], 6);
  offer(t, [8], 64);
  assert.equal(t.q.room(4), 0, "slot 0 is still the device's, though slot 1 is free");
  assert.equal(t.q.bad, 0);
});

test("collect: good entries out with their lengths less the bias; hostile ones never hand out a buffer", () => {
  const t = queue(8);
  offer(t, [10, 11, 12, 13]);
  // 1 fine, 7 never offered, 0 with a length past its buffer, 1 again, 2 fine, 9 outside the table, 3 too short.
  deviceUses(t, [[1, 72], [7, 10], [0, 5000], [1, 60], [2, 2048], [9, 64], [3, 5]]);
  const out = new Uint16Array(8), lens = new Uint16Array(8);
  assert.throws(() => t.q.collect(out, lens, 8, 26, 2048, 12), /moved by 7; the device holds 4/);
  deviceUses(t, [[1, 72], [7, 10], [0, 5000], [1, 60], [2, 2048], [3, 5]]);
  assert.throws(() => t.q.collect(out, lens, 8, 26, 2048, 12), /moved by 6; the device holds 4/, "no more than was offered either");
  deviceUses(t, [[1, 72], [7, 10], [0, 5000], [2, 2048]]);
  assert.equal(t.q.collect(out, lens, 8, 26, 2048, 12), 2);
  assert.deepEqual([...out.slice(0, 2)], [11, 12]);
  assert.deepEqual([...lens.slice(0, 2)], [60, 2036]);
  assert.deepEqual([...t.q.refused.slice(0, t.q.refusedCount)], [10], "buffer 10 (length 5000) is the caller's again");
  assert.equal(t.q.bad, 2, "7 was never offered; 0's length is out of bounds");
  assert.equal(t.q.outstanding, 1, "13 is still the device's");
  assert.equal(t.q.collect(out, lens, 8), 0, "nothing new");
  // The same id twice in one batch: the second is not believed.
  offer(t, [1, 2, 3]);
  deviceUses(t, [[4, 100], [4, 100], [3, 100]], 4);
  assert.equal(t.q.collect(out, lens, 8, 26, 2048, 12), 2);
  assert.deepEqual([...out.slice(0, 2)], [1, 13], "descriptor 4 held buffer 1; descriptor 3 buffer 13");
  assert.equal(t.q.bad, 3);
  // A used index that jumps by more than the queue holds is not believed.
  t.u16[(t.q.usedOffset + 2) >> 1] = 7 + 9;
  assert.throws(() => t.q.collect(out, lens, 8), /moved by 9/);
});

test("a bad length in the middle of a run: the entries after it are still looked at", () => {
  const t = queue(8);
  offer(t, [0, 1, 2, 3]);
  deviceUses(t, [[0, 100], [1, 9999], [2, 100], [3, 100]]);
  const out = new Uint16Array(8), lens = new Uint32Array(8);
  assert.equal(t.q.collect(out, lens, 8, 26, 2048), 3);
  assert.deepEqual([...out.slice(0, 3)], [0, 2, 3]);
  assert.deepEqual([...t.q.refused.slice(0, t.q.refusedCount)], [1]);
  assert.equal(t.q.outstanding, 0);
  assert.equal(t.q.room(8), 8);
});

test("drain: every buffer the device holds comes back and the queue starts over", () => {
  const t = queue(8, { header: 12 });
  offer(t, [4, 5, 6], 64);
  deviceUses(t, [[2, 0]]);
  t.q.collect(new Uint16Array(4), null, 4);
  const out = new Uint16Array(4);
  assert.equal(t.q.drain(out), 2);
  assert.deepEqual([...out.slice(0, 2)].sort(), [4, 6]);
  assert.deepEqual([t.q.slot, t.q.availIdx, t.q.outstanding, t.q.room(4)], [0, 0, 0, 4]);
});
