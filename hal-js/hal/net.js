// jsk:hal/net — NetDevice: the interface every NIC driver offers (e1000 now,
// virtio-net later), in the batch style of ixy.
//
// Packets live in DMA buffers from a pool the driver preallocates: nothing
// is allocated per packet. A `Packet` is a view of one buffer:
//   rxBatch(max)        -> Packet[] received (each must later be sent or freed)
//   txBatch(packets)    -> how many the ring took (the rest stay the caller's)
//   allocPacket(length) -> a Packet from the transmit pool, to fill and send
//   packet.free()       -> give a received or unsent packet back to its pool
// A transmitted packet goes back to its pool by itself once the device is done
// with it (TX completion reclaim).

import { setTimeout, clearTimeout, TimeoutError } from "jsk:loop";
import { options } from "jsk:native";
import { pcapTap } from "jsk:net/pcap";

/** One frame in a DMA buffer. `data` is a view of exactly `length` bytes. */
export class Packet {
  constructor(pool, index, buffer, offset, capacity, iova) {
    this.pool = pool;
    this.index = index;
    this.bytes = new Uint8Array(buffer, offset, capacity);
    this.capacity = capacity;
    this.iova = iova;
    this.length = 0;
    this.free_ = true;
  }
  /** The frame: a view of the first `length` bytes of the buffer. */
  get data() { return this.bytes.subarray(0, this.length); }
  /** Set the frame length (throws RangeError beyond the buffer). */
  setLength(n) {
    if (!Number.isInteger(n) || n < 0 || n > this.capacity) throw new RangeError(`packet length ${n} does not fit a ${this.capacity}-byte buffer`);
    this.length = n;
    return this;
  }
  /** Give the buffer back to its pool (a no-op if it is already free). */
  free() { this.pool.put(this); }
}

/**
 * A fixed set of equal buffers carved from one DMA allocation. `take()`
 * returns a free Packet or null when all are in use.
 */
export class PacketPool {
  constructor(dev, { count, size = 2048, name = "pool" }) {
    if (!Number.isInteger(count) || count <= 0) throw new RangeError(`${name}: count must be a positive integer`);
    this.name = name;
    this.dma = dev.dma(count * size, { align: 4096 });
    this.size = size;
    this.packets = [];
    this.freeList = [];
    for (let i = 0; i < count; i++) {
      const p = new Packet(this, i, this.dma.buffer, i * size, size, this.dma.iova + BigInt(i * size));
      this.packets.push(p);
      this.freeList.push(p);
    }
  }
  get available() { return this.freeList.length; }
  take() {
    const p = this.freeList.pop();
    if (!p) return null;
    p.free_ = false;
    p.length = 0;
    return p;
  }
  put(p) {
    if (p.pool !== this) throw new TypeError(`${this.name}: packet from another pool`);
    if (p.free_) return;
    p.free_ = true;
    this.freeList.push(p);
  }
}

/** Format six bytes as aa:bb:cc:dd:ee:ff. */
export function macString(mac) {
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join(":");
}

/**
 * The driver side implements `ops`:
 *   rxBatch(max) -> Packet[]; txBatch(packets) -> number; allocPacket(length) -> Packet | null;
 *   link() -> { up, speedMbps, fullDuplex }; counters() -> object of numbers;
 *   setPromiscuous(on); waitRx({ timeout }) -> Promise (resolves when packets may be there)
 * and calls `netdev.linkChanged()` when the link changes.
 */
export class NetDevice {
  constructor(name, mac, ops) {
    this.name = name;
    this.mac = Uint8Array.from(mac);
    this.ops = ops;
    this.linkListeners = new Set();
    this.taps = new Set();
    this.lastLinkUp = undefined;
    // `jsk run --pcap FILE`: every frame of every NetDevice, into one file.
    if (options.pcap) this.tap(pcapTap(options.pcap));
  }
  get macAddress() { return macString(this.mac); }
  /** { up, speedMbps, fullDuplex } read from the device now. */
  get link() { return this.ops.link(); }
  /** Up to `max` received frames; each must later be sent (txBatch) or freed. */
  rxBatch(max = 32) {
    const packets = this.ops.rxBatch(max);
    if (this.taps.size) for (const t of this.taps) for (const p of packets) t("rx", p.data);
    return packets;
  }
  /**
   * Queue packets for transmission: Packet objects (taken from rxBatch or
   * allocPacket) or plain byte arrays (copied into pool buffers). Returns how
   * many were queued, in order; the rest are still the caller's.
   */
  txBatch(packets) {
    // Byte arrays are copied into pool buffers first; the first one that does
    // not fit ends the batch, so what is queued keeps the caller's order.
    const list = [];
    for (const p of packets) {
      const q = p instanceof Packet ? p : this.copyIn(p);
      if (q === null) break;
      list.push(q);
    }
    const n = this.ops.txBatch(list);
    if (this.taps.size) for (let i = 0; i < n; i++) for (const t of this.taps) t("tx", list[i].data);
    for (let i = n; i < list.length; i++) if (!(packets[i] instanceof Packet)) list[i].free();
    return n;
  }
  /** A transmit buffer of `length` bytes, or null when the pool is exhausted. RangeError beyond a buffer. */
  allocPacket(length) {
    const p = this.ops.allocPacket(length);
    if (!p) return null;
    try {
      return p.setLength(length);
    } catch (e) {
      p.free();
      throw e;
    }
  }
  copyIn(bytes) {
    const p = this.allocPacket(bytes.length);
    if (p) p.bytes.set(bytes);
    return p;
  }
  /** Counters: packets, bytes, errors, drops, bad descriptors, in and out. */
  get stats() { return this.ops.counters(); }
  set promiscuous(on) { this.ops.setPromiscuous(!!on); }
  /** Resolves once received packets may be waiting; TimeoutError after `timeout` ms. */
  waitRx({ timeout } = {}) { return this.ops.waitRx({ timeout }); }
  /**
   * The receive loop's step: up to `max` frames now, or, when there are none,
   * after waiting up to `timeout` ms for some (an empty batch if none came).
   */
  async receive(max = 32, { timeout = 1000 } = {}) {
    const rx = this.rxBatch(max);
    if (rx.length > 0) return rx;
    try {
      await this.waitRx({ timeout });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    return this.rxBatch(max);
  }
  /** `on("link", cb)`: cb({ up, speedMbps, fullDuplex }) whenever the link changes. Returns an unsubscribe function. */
  on(event, cb) {
    if (event !== "link") throw new TypeError(`${this.name}: unknown event "${event}" (only "link")`);
    this.linkListeners.add(cb);
    return () => this.linkListeners.delete(cb);
  }
  /** For drivers: the link may have changed. */
  linkChanged() {
    let l;
    try {
      l = this.link;
    } catch (e) {
      console.error(`${this.name}: cannot read the link state: ${e?.message ?? e}`);
      return;
    }
    if (l.up === this.lastLinkUp) return;
    this.lastLinkUp = l.up;
    for (const cb of this.linkListeners) cb(l);
  }
  /** Resolves when the link is up; TimeoutError after `timeout` ms. */
  waitForLink({ timeout }) {
    if (this.link.up) return Promise.resolve(this.link);
    return new Promise((resolve, reject) => {
      const stop = this.on("link", (l) => { if (l.up) { clearTimeout(t); stop(); resolve(l); } });
      const t = setTimeout(() => { stop(); reject(new TimeoutError(`timed out after ${timeout} ms waiting for link up on ${this.name}`)); }, timeout);
    });
  }
  /** See every frame received and sent: tap(direction, bytes). Returns a function that stops it. */
  tap(fn) {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }
}
