// drivers/virtio/split_queue.js: the split virtqueue's layout (VIRTIO 2.7), offering buffers,
// and collecting used entries with the test acting as the device, hostile entries included.
import { test, assert } from "jsk:test";
import { fakeDevice } from "jsk:fake";
import { SplitQueue, DESC_F_WRITE } from "../../drivers/virtio/split_queue.js";

function queue(size = 8) {
  const fake = fakeDevice({ name: "vq", bus: "pci" });
  const q = new SplitQueue(fake.device, 0, size);
  return { q, u16: new Uint16Array(q.dma.buffer), u32: new Uint32Array(q.dma.buffer), u64: new BigUint64Array(q.dma.buffer) };
}
const iovas = BigUint64Array.from({ length: 16 }, (_, i) => 0x10_0000n + BigInt(i) * 2048n);

/** The device's side: used entry k (id, len), then the used index. */
function deviceUses(t, entries, from = 0) {
  const base = t.q.usedOffset;
  entries.forEach(([id, len], k) => {
    const e = (base + 4 + 8 * ((from + k) % t.q.size)) >> 2;
    t.u32[e] = id;
    t.u32[e + 1] = len;
  });
  t.u16[(base + 2) >> 1] = (from + entries.length) & 0xffff;
}

test("layout: descriptors, the available ring, then the used ring 4-byte aligned", () => {
  const { q } = queue(8);
  assert.equal(q.availOffset, 128);
  assert.equal(q.usedOffset, 152, "128 + 6 + 2 x 8 = 150, aligned to 4");
  const a = q.addresses;
  assert.equal(a.driver - a.desc, 128n);
  assert.equal(a.device - a.desc, 152n);
  assert.throws(() => queue(6), RangeError);
  assert.throws(() => queue(65536), RangeError);
});

test("offer: descriptors written where their ids say, the available ring and idx after them", () => {
  const t = queue(8);
  const descs = Uint16Array.of(2, 5, 0);
  assert.equal(t.q.offer(descs, 3, iovas, Uint16Array.of(9, 3, 4), Uint32Array.of(2048, 2048, 1514), DESC_F_WRITE), 3);
  assert.equal(t.u64[(5 * 16) >> 3], iovas[3]);
  assert.equal(t.u32[(5 * 16 + 8) >> 2], 2048);
  assert.equal(t.u16[(5 * 16 + 12) >> 1], DESC_F_WRITE);
  assert.equal(t.u64[0], iovas[4]);
  const avail = t.q.availOffset >> 1;
  assert.deepEqual([t.u16[avail + 1], t.u16[avail + 2], t.u16[avail + 3], t.u16[avail + 4]], [3, 2, 5, 0]);
  assert.throws(() => t.q.offer(Uint16Array.of(1, 5), 2, iovas, Uint16Array.of(0, 0), Uint32Array.of(64, 64), 0), /descriptor 5 is offered already/);
  assert.equal(t.q.offer(Uint16Array.of(1), 1, iovas, Uint16Array.of(0), Uint32Array.of(64), 0), 1, "nothing of the refused offer stuck");
});

test("collect: good used entries out, hostile ones (an id not offered, a length past its buffer) counted and skipped", () => {
  const t = queue(8);
  t.q.offer(Uint16Array.of(0, 1, 2), 3, iovas, Uint16Array.of(0, 1, 2), Uint32Array.of(2048, 2048, 2048), DESC_F_WRITE);
  deviceUses(t, [[1, 60], [7, 10], [0, 5000], [1, 60], [2, 2048]]);
  const ids = new Uint16Array(8), lens = new Uint32Array(8);
  assert.equal(t.q.collect(ids, lens, 8), 2);
  assert.deepEqual([...ids.slice(0, 2)], [1, 2]);
  assert.deepEqual([...lens.slice(0, 2)], [60, 2048]);
  assert.equal(t.q.bad, 3, "7 was never offered, 0's length is past its buffer, 1 came back twice");
  assert.equal(t.q.collect(ids, lens, 8), 0, "nothing new");
  // A used index that jumps by more than the queue holds is not believed.
  t.u16[(t.q.usedOffset + 2) >> 1] = 5 + 9;
  assert.throws(() => t.q.collect(ids, lens, 8), /moved by 9, more than the 8 descriptors/);
});
