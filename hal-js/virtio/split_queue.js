// jsk:virtio/split_queue — a split virtqueue (VIRTIO 2.7): descriptor table, available
// ring (driver area) and used ring (device area) in one DMA allocation. Buffers move
// through it in batches, with jsk:hal's batch operations: a fixed number of calls per
// batch, whatever its size, and no descriptor field touched by the interpreter.
//
// Slots. The queue's buffers are offered in order through `slots`: slot k always uses the
// same descriptor (or, with a `header`, the same two: 2k for the header, 2k+1 for the
// buffer), so a batch of buffers fills consecutive descriptor records. The device may hand
// them back in any order (2.7.8): whatever id a used entry names is freed, and the next
// offer stops at the first slot the device still holds.
//
// A `header` is a device-readable prefix every buffer gets, the same bytes each time (virtio
// net's 12-byte virtio_net_hdr with no offloads): zeros in this queue's own memory, chained
// in front of each buffer once at set-up, so nothing is written per buffer for it.
//
// Everything the device writes (the used index, used ids and lengths) is checked before it
// is believed: an id the driver did not offer, or given twice, is counted in `bad` and
// skipped; an entry with a good id and a length outside the caller's bounds frees its
// buffer to the caller as `refused` (it was never filled as the device claims).
//
// Layout (2.7: alignment 16 / 2 / 4; 2.7.5 descriptor: le64 addr, le32 len, le16 flags,
// le16 next; 2.7.6 available: le16 flags, le16 idx, le16 ring[size], le16 used_event;
// 2.7.8 used: le16 flags, le16 idx, { le32 id, le32 len } ring[size], le16 avail_event).

import { ring, transition, take, dmaWmb, dmaRmb, mb } from "jsk:hal";

export const DESC_F_NEXT = 1;     // 2.7.5
export const DESC_F_WRITE = 2;    // the device writes this buffer (receive)
export const AVAIL_F_NO_INTERRUPT = 1;   // 2.7.7: the driver asks for no interrupt
export const USED_F_NO_NOTIFY = 1;       // 2.7.10: the device asks for no notification
const DESC_SIZE = 16;
const DESC_ADDR = 0;
const DESC_LEN = 8;
const DESC_FLAGS = 12;            // le16 flags, le16 next: written as one 32-bit field
const USED_ELEM_SIZE = 8;
const USED_ID = 0;
const USED_LEN = 4;
const OFFERED = 1;                // a slot's head descriptor the device holds
const FREE = 0;

const align = (v, a) => Math.ceil(v / a) * a;

export class SplitQueue {
  /**
   * Queue `index` of `size` descriptors (a power of two, 2.7.10.1: at most 32768) in DMA memory
   * of `dev`; with `header` (bytes), every buffer is chained behind that many zero bytes and
   * the queue holds size / 2 buffers. `name` is used in errors.
   */
  constructor(dev, index, size, { name = `${dev.name} queue ${index}`, header = 0 } = {}) {
    if (!Number.isInteger(size) || size < 1 || size > 32768 || (size & (size - 1)) !== 0)
      throw new RangeError(`${name}: size ${size}: a split queue has a power of two descriptors, 1 to 32768 (VIRTIO 2.7.10.1)`);
    if (!Number.isInteger(header) || header < 0 || header > 4096 || (header > 0 && size < 2))
      throw new RangeError(`${name}: header ${header}: 0 to 4096 bytes, and two descriptors per buffer`);
    this.name = name;
    this.index = index;
    this.size = size;
    const chain = header > 0 ? 2 : 1;
    this.slots = size / chain;    // buffers the queue holds at once
    this.availOffset = size * DESC_SIZE;
    this.usedOffset = align(this.availOffset + 6 + 2 * size, 4);
    this.headerOffset = align(this.usedOffset + 6 + USED_ELEM_SIZE * size, 16);
    const bytes = this.headerOffset + header;
    this.dma = dev.dma(align(bytes, 8), { align: 4096 });   // whole 64-bit words: any typed view fits
    const buf = this.dma.buffer;
    new Uint8Array(buf).fill(0);
    this.u16 = new Uint16Array(buf);
    // The buffer descriptor of every slot (the second of a chain), one record per slot.
    this.records = ring(new Uint8Array(buf, (chain - 1) * DESC_SIZE, size * DESC_SIZE), this.slots, chain * DESC_SIZE);
    this.availRing = ring(new Uint16Array(buf, this.availOffset + 4, size), size, 2);
    this.usedRing = ring(new Uint8Array(buf, this.usedOffset + 4, USED_ELEM_SIZE * size), size, USED_ELEM_SIZE);
    this.availFlagsAt = this.availOffset >> 1;
    this.availIdxAt = (this.availOffset + 2) >> 1;
    this.usedFlagsAt = this.usedOffset >> 1;
    this.usedIdxAt = (this.usedOffset + 2) >> 1;
    // Per descriptor id: FREE or OFFERED (heads only), and the caller's buffer id it carries.
    this.state = new Uint8Array(size);
    this.stateOfSlot = ring(this.state, this.slots, chain);
    this.bufOf = new Uint16Array(size);
    this.bufOfSlot = ring(this.bufOf, this.slots, 2 * chain);
    // The head descriptor id of each slot, twice over: a run from any slot reads it straight.
    this.heads = Uint16Array.from({ length: 2 * this.slots }, (_, k) => (k % this.slots) * chain);
    // Slots are published in order, so the slot at available-ring position p is p mod slots,
    // whatever the lap: the ring's entries are written once, here, and publishing is the idx
    // write alone (as DPDK's in-order virtio paths do). slots divides size.
    this.availRing.scatter(0, size, 0, 2, this.heads, 0);
    if (header > 0) {
      // 2.7.5: the header descriptors, made once: address, length, NEXT to their buffer.
      const headers = ring(buf, this.slots, 2 * DESC_SIZE);
      headers.scatter(0, this.slots, DESC_ADDR, 8, this.dma.iova + BigInt(this.headerOffset));
      headers.scatter(0, this.slots, DESC_LEN, 4, header);
      const next = Uint32Array.from({ length: this.slots }, (_, k) => DESC_F_NEXT | ((2 * k + 1) << 16));
      headers.scatter(0, this.slots, DESC_FLAGS, 4, next, 0);
    }
    this.slot = 0;                // the next slot to offer
    this.availIdx = 0;            // free-running 16-bit, as the device sees it
    this.lastUsed = 0;
    this.outstanding = 0;         // slots the device holds
    this.usedIds = new Uint32Array(size);
    this.usedLens = new Uint32Array(size);
    this.refused = new Uint16Array(this.slots);
    this.refusedCount = 0;        // buffers the last collect() refused
    this.bytes = 0;               // the sum of the lengths the last collect() handed out (less the bias)
    this.bad = 0;                 // used entries refused (an id not offered, a length out of bounds)
    this.blocked = 0;             // offers cut short by a slot the device still held (head-of-line)
  }

  /** Device addresses for the transport (queue_desc, queue_driver, queue_device). */
  get addresses() {
    const base = this.dma.iova;
    return { desc: base, driver: base + BigInt(this.availOffset), device: base + BigInt(this.usedOffset) };
  }

  /** How many of the next `n` slots are free to offer (the run up to the first the device holds). */
  room(n) {
    const want = Math.min(n, this.slots - this.outstanding);
    if (want <= 0) return 0;
    const got = this.stateOfSlot.count(this.slot, want, 0, 1, 0xff, FREE);
    if (got < want) this.blocked++;             // a slot the device still holds, used out of order
    return got;
  }

  /**
   * Every slot's buffer descriptor gets length `len` and `flags` (DESC_F_WRITE for receive
   * buffers), for queues whose buffers are all alike: fill() then writes addresses only.
   * The descriptors keep them across drain() and device resets (the memory is the driver's).
   */
  preset(len, flags) {
    this.records.scatter(0, this.slots, DESC_LEN, 4, len);
    this.records.scatter(0, this.slots, DESC_FLAGS, 2, flags);
  }

  /**
   * Write the next `n` slots' buffer descriptors (n <= room(n)): buffer `bufIds[start + i]`
   * at `iovas[bufIds[start + i]]`, with `lens[start + i]` bytes, or, with `lens` null, the
   * length preset() gave every slot; flags are preset()'s (0 by default). Nothing is the
   * device's before publish(n); until then the caller may check the records (`records`,
   * from slot `slot`) and give up. Returns the sum of the lengths (0 with `lens` null).
   */
  fill(n, iovas, bufIds, start, lens) {
    const { records, slot } = this;
    records.scatterFrom(slot, n, DESC_ADDR, 8, iovas, bufIds, start);
    this.bufOfSlot.scatter(slot, n, 0, 2, bufIds, start);
    return lens === null ? 0 : records.scatter(slot, n, DESC_LEN, 4, lens, start);
  }

  /**
   * Give the `n` slots fill() wrote to the device: one barrier, then one idx write (2.7.13).
   * Their available-ring entries are in place since the constructor (see `heads`).
   */
  publish(n) {
    if (n <= 0) return;
    const { slot, slots } = this;
    this.stateOfSlot.scatter(slot, n, 0, 1, OFFERED);
    dmaWmb();                                   // 2.7.13: descriptors before idx
    this.availIdx = (this.availIdx + n) & 0xffff;
    this.u16[this.availIdxAt] = this.availIdx;
    this.slot = slot + n >= slots ? slot + n - slots : slot + n;
    this.outstanding += n;
  }

  /** Whether the device wants a notification now (2.7.10: used flags NO_NOTIFY clear), after publish. */
  wantsNotify() {
    mb();                                       // 2.7.13.3: idx written before flags read
    return (this.u16[this.usedFlagsAt] & USED_F_NO_NOTIFY) === 0;
  }

  /** Ask for an interrupt when the device uses buffers, or not (2.7.7; the device may ignore it). */
  set interrupts(on) {
    this.u16[this.availFlagsAt] = on ? 0 : AVAIL_F_NO_INTERRUPT;
    if (on) mb();                               // flags written before the caller checks used idx again
  }

  /** Whether used entries wait (without reading them). */
  get pending() { return this.u16[this.usedIdxAt] !== this.lastUsed; }

  /**
   * Buffers the device used since the last call, at most `max`: the caller's buffer ids into
   * `ids` (a Uint16Array) and, with `lens` (a Uint32Array or Uint16Array), the lengths the
   * device wrote less `bias`, each in [minLen, maxLen] (else the entry is refused). Returns how many were
   * good. Refused buffers are `refused[0..refusedCount)`, the caller's again; entries naming
   * no offered slot are counted in `bad`. A used index that moved by more than the queue
   * holds is an Error (the device is not to be believed). `bytes` is then the sum of the
   * lengths handed out.
   */
  collect(ids, lens, max, minLen = 0, maxLen = 0xffffffff, bias = 0) {
    this.refusedCount = 0;
    this.bytes = 0;
    const usedIdx = this.u16[this.usedIdxAt];
    const ready = (usedIdx - this.lastUsed) & 0xffff;
    if (ready === 0) return 0;
    if (ready > this.outstanding)
      throw new Error(`${this.name}: the used index moved by ${ready}; the device holds ${this.outstanding} buffers (VIRTIO 2.7.8)`);
    dmaRmb();                                   // idx before the entries it covers
    const n = Math.min(ready, max);
    const { usedRing, usedIds, usedLens, size } = this;
    const at = this.lastUsed & (size - 1);
    usedRing.gather(at, n, USED_ID, 4, usedIds, 0);
    let good = 0;
    let freed = 0;
    for (let i = 0; i < n;) {
      // The run of ids inside the table, of those the run the driver offered (each once)...
      const inside = usedRing.countWithin((at + i) & (size - 1), n - i, USED_ID, 4, 0, size - 1);
      const offered = transition(this.state, usedIds, i, inside, OFFERED, FREE);
      freed += offered;
      // ...and of those the run with lengths in bounds.
      let fine = offered;
      if (lens !== null && offered > 0) {
        fine = usedRing.countWithin((at + i) & (size - 1), offered, USED_LEN, 4, minLen, maxLen);
        if (fine > 0) this.bytes += usedRing.gather((at + i) & (size - 1), fine, USED_LEN, 4, usedLens, i) - bias * fine;
      }
      if (fine > 0) {
        take(this.bufOf, usedIds, i, fine, ids, good);
        if (lens !== null) for (let k = 0; k < fine; k++) lens[good + k] = usedLens[i + k] - bias;
        good += fine;
      }
      if (fine + i === n) break;
      if (fine < offered) {
        // A good id with a bad length: its buffer is the caller's again. The ones after it in
        // this run were freed above: offered again, they are looked at from the next entry on.
        this.refused[this.refusedCount++] = this.bufOf[usedIds[i + fine]];
        transition(this.state, usedIds, i + fine + 1, offered - fine - 1, FREE, OFFERED);
        freed -= offered - fine - 1;
      } else {
      }
      this.bad++;                               // and any id outside the table, not offered, or given twice
      i += fine + 1;
    }
    this.lastUsed = (this.lastUsed + n) & 0xffff;
    this.outstanding -= freed;
    return good;
  }

  /**
   * Every buffer the device holds, into `ids` (the caller's again after a device reset; the
   * queue starts over). Returns how many.
   */
  drain(ids) {
    let n = 0;
    for (let k = 0; k < this.slots; k++) {
      const d = this.heads[k];
      if (this.state[d] === OFFERED) {
        this.state[d] = FREE;
        ids[n++] = this.bufOf[d];
      }
    }
    this.slot = 0;
    this.availIdx = 0;
    this.lastUsed = 0;
    this.outstanding = 0;
    // Both rings as new (Linux's virtqueue_reinit_split): flags, indexes and event words, the
    // used entries; a NO_NOTIFY the device left behind would otherwise silence the driver.
    // The available ring's entries stay: slot 0 is at position 0 again.
    const u16 = this.u16;
    u16[this.availFlagsAt] = 0;
    u16[this.availIdxAt] = 0;
    u16[this.availIdxAt + 1 + this.size] = 0;                     // used_event
    u16.fill(0, this.usedFlagsAt, this.usedIdxAt + 1 + 4 * this.size + 1);   // flags, idx, ring, avail_event
    return n;
  }

  free() { this.dma.free(); }
}
