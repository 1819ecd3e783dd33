// A split virtqueue (VIRTIO 2.7): descriptor table, available ring (driver area) and used
// ring (device area) in one DMA allocation, one descriptor per buffer. Batches move through
// jsk:hal's batch operations: descriptors are offered and collected in runs, whatever their
// number, and everything the device writes (used-ring ids, lengths, the used index) is
// checked before it is believed.
//
// Layout (2.7: alignment 16 / 2 / 4; 2.7.5 descriptor: le64 addr, le32 len, le16 flags,
// le16 next; 2.7.6 available: le16 flags, le16 idx, le16 ring[size], le16 used_event;
// 2.7.8 used: le16 flags, le16 idx, { le32 id, le32 len } ring[size], le16 avail_event).

import { ring, transition, dmaWmb, dmaRmb } from "jsk:hal";

export const DESC_F_NEXT = 1;     // 2.7.5
export const DESC_F_WRITE = 2;    // the device writes this buffer (receive)
const DESC_SIZE = 16;
const USED_ELEM_SIZE = 8;
const OFFERED = 1;                // a descriptor the device holds
const FREE = 0;

const align = (v, a) => Math.ceil(v / a) * a;

export class SplitQueue {
  /**
   * Queue `index` of `size` descriptors (a power of two, 2.7.10.1: at most 32768) in DMA memory
   * of `dev`. `name` is used in errors.
   */
  constructor(dev, index, size, { name = `${dev.name} queue ${index}` } = {}) {
    if (!Number.isInteger(size) || size < 1 || size > 32768 || (size & (size - 1)) !== 0)
      throw new RangeError(`${name}: size ${size}: a split queue has a power of two descriptors, 1 to 32768 (VIRTIO 2.7.10.1)`);
    this.name = name;
    this.index = index;
    this.size = size;
    this.availOffset = size * DESC_SIZE;
    this.usedOffset = align(this.availOffset + 6 + 2 * size, 4);
    const bytes = this.usedOffset + 6 + USED_ELEM_SIZE * size;
    this.dma = dev.dma(align(bytes, 8), { align: 4096 });   // whole 64-bit words: any typed view fits
    const buf = this.dma.buffer;
    this.u16 = new Uint16Array(buf);
    this.descs = ring(buf, size, DESC_SIZE);
    this.availRing = ring(new Uint16Array(buf, this.availOffset + 4, size), size, 2);
    this.usedRing = ring(new Uint8Array(buf, this.usedOffset + 4, USED_ELEM_SIZE * size), size, USED_ELEM_SIZE);
    this.availIdxAt = (this.availOffset + 2) >> 1;
    this.usedIdxAt = (this.usedOffset + 2) >> 1;
    this.availIdx = 0;            // free-running 16-bit, as the device sees it
    this.lastUsed = 0;
    this.state = new Uint8Array(size);     // FREE or OFFERED, per descriptor
    this.lens = new Uint32Array(size);     // each descriptor's buffer length (what a used len may reach)
    this.scratch = new Uint32Array(size);
    this.bad = 0;                 // used entries refused (an id not offered, a length too long)
  }

  /** Device addresses for the transport (queue_desc, queue_driver, queue_device). */
  get addresses() {
    const base = this.dma.iova;
    return { desc: base, driver: base + BigInt(this.availOffset), device: base + BigInt(this.usedOffset) };
  }

  /**
   * Point descriptors `descIds[0..n)` at `iovas[bufIds[i]]`, `lens[i]` bytes each, with
   * `flags` (DESC_F_WRITE for receive buffers), and put them in the available ring; the
   * device sees them after one barrier and one idx write (2.7.13). Returns n. A descriptor
   * the device holds already is a TypeError and nothing is offered.
   */
  offer(descIds, n, iovas, bufIds, lens, flags) {
    if (n === 0) return 0;
    if (n > this.size) throw new RangeError(`${this.name}: ${n} descriptors offered; the queue has ${this.size}`);
    const taken = transition(this.state, descIds, 0, n, FREE, OFFERED);
    if (taken < n) {
      transition(this.state, descIds, 0, taken, OFFERED, FREE);
      throw new TypeError(`${this.name}: descriptor ${descIds[taken]} is offered already`);
    }
    // Each descriptor's record, where its id says (per descriptor for now: the batch
    // operations write runs of records, and offered ids need not be consecutive).
    const d = this.descs;
    for (let i = 0; i < n; i++) {
      const id = descIds[i];
      this.lens[id] = lens[i];
      d.scatterFrom(id, 1, 0, 8, iovas, bufIds, i);
      d.scatter(id, 1, 8, 4, lens[i]);
      d.scatter(id, 1, 12, 4, flags);   // flags, next 0
    }
    const at = this.availIdx & (this.size - 1);
    this.availRing.scatter(at, n, 0, 2, descIds, 0);
    dmaWmb();                                   // 2.7.13: ring entries before idx
    this.availIdx = (this.availIdx + n) & 0xffff;
    this.u16[this.availIdxAt] = this.availIdx;
    return n;
  }

  /**
   * Used entries the device added since the last call, at most `max`: their descriptor ids
   * into `ids` and lengths into `lens` (a Uint32Array: used lengths are 32 bits); returns how many were good. An id the driver did not
   * offer, or a length beyond its buffer, is counted in `bad` and skipped; a used index that
   * moved by more than the queue holds is an Error (the device is not to be believed).
   */
  collect(ids, lens, max) {
    const usedIdx = this.u16[this.usedIdxAt];
    const ready = (usedIdx - this.lastUsed) & 0xffff;
    if (ready === 0) return 0;
    if (ready > this.size) throw new Error(`${this.name}: the used index moved by ${ready}, more than the ${this.size} descriptors (VIRTIO 2.7.8)`);
    dmaRmb();                                   // idx before the entries it covers
    const n = Math.min(ready, max, ids.length, lens.length);
    const at = this.lastUsed & (this.size - 1);
    this.usedRing.gather(at, n, 0, 4, this.scratch, 0);
    this.usedRing.gather(at, n, 4, 4, lens, 0);
    this.lastUsed = (this.lastUsed + n) & 0xffff;
    let good = 0;
    for (let i = 0; i < n; i++) {
      const id = this.scratch[i];
      if (id < this.size && this.state[id] === OFFERED && lens[i] <= this.lens[id]) {
        this.state[id] = FREE;
        ids[good] = id;
        lens[good] = lens[i];
        good++;
      } else {
        this.bad++;
      }
    }
    return good;
  }

  free() { this.dma.free(); }
}
