// jsk:hal/net — NetDevice: the interface every NIC driver offers (e1000 now,
// virtio-net later), in the batch style of ixy and DPDK.
//
// Packets live in DMA buffers from pools the driver preallocates: nothing is
// allocated per packet. Two ways to move them, over the same buffers:
//   Packets (a `Packet` is a view of one buffer):
//     rxBatch(max)        -> Packet[] received (each must later be sent or freed)
//     txBatch(packets)    -> how many the ring took (the rest stay the caller's)
//     allocPacket(length) -> a Packet from the transmit pool, to fill and send
//     packet.free()       -> give a received or unsent packet back to its pool
//   bursts (DPDK's rte_eth_rx_burst in typed arrays: buffers are numbered, and
//   a batch moves as numbers, so no per-packet object is touched):
//     rxBurst(ids, lens, max)  -> n: ids[0..n) buffers received, lens[0..n) their lengths
//     txBurst(ids, lens, n)    -> how many of ids[0..n) the ring took
//     allocBurst(ids, n)       -> how many transmit buffers were taken into ids[0..)
//     freeBurst(ids, n)        -> give buffers back
//     buffer(id)               -> the whole buffer as a Uint8Array (fill or read it in place)
//   and packet(id) / idOf(packet) go from one to the other.
// A transmitted buffer goes back to its pool by itself once the device is done
// with it (TX completion reclaim).

import { setTimeout, clearTimeout, TimeoutError } from "jsk:loop";
import { options } from "jsk:native";
import { pcapTap } from "jsk:net/pcap";

/**
 * Who has a pool's buffer: its driver (free in the pool, or in a receive ring), the program
 * (received and not yet sent or freed, or allocated), or the device (queued for transmission).
 */
export const BUFFER = Object.freeze({ DRIVER: 0, HELD: 1, SENDING: 2 });

/** One frame in a DMA buffer. `data` is a view of exactly `length` bytes. */
export class Packet {
  constructor(pool, index, buffer, offset, capacity, iova) {
    this.pool = pool;
    this.index = index;
    this.id = pool.first + index;   // unique among the pools that share a state table
    this.bytes = new Uint8Array(buffer, offset, capacity);
    this.capacity = capacity;
    this.iova = iova;
    this.length = 0;
  }
  /** The frame: a view of the first `length` bytes of the buffer. */
  get data() { return this.bytes.subarray(0, this.length); }
  /** BUFFER.DRIVER, HELD (the program's) or SENDING. */
  get state() { return this.pool.state[this.id]; }
  /** Set the frame length (throws RangeError beyond the buffer). */
  setLength(n) {
    if (!Number.isInteger(n) || n < 0 || n > this.capacity) throw new RangeError(`packet length ${n} does not fit a ${this.capacity}-byte buffer`);
    this.length = n;
    return this;
  }
  /** Give the buffer back to its pool (a no-op unless the program holds it). */
  free() { this.pool.put(this); }
}

/**
 * `count` equal buffers of `size` bytes carved from one DMA allocation, numbered `first` to
 * `first + count - 1` (the ids bursts move). The free ones are `stack[0..top)`. The pools of
 * one device share one `state` table (BUFFER values indexed by id, a Uint8Array of at least
 * `first + count`), so that its driver moves the states of a whole batch with `transition`;
 * a pool on its own makes its own. `take()` returns a free Packet or null when all are in use.
 */
export class PacketPool {
  constructor(dev, { count, size = 2048, name = "pool", first = 0, state = undefined }) {
    if (!Number.isInteger(count) || count <= 0) throw new RangeError(`${name}: count must be a positive integer`);
    if (!Number.isInteger(first) || first < 0 || first + count > 65536)
      throw new RangeError(`${name}: buffers ${first} to ${first + count - 1}: ids are 16 bits (0 to 65535)`);
    state ??= new Uint8Array(first + count);
    if (!(state instanceof Uint8Array) || state.length < first + count)
      throw new TypeError(`${name}: state must be a Uint8Array of at least ${first + count} entries`);
    this.name = name;
    this.first = first;
    this.state = state;
    this.dma = dev.dma(count * size, { align: 4096 });
    this.size = size;
    this.packets = [];
    this.stack = new Uint16Array(count);
    this.top = count;
    for (let i = 0; i < count; i++) {
      this.packets.push(new Packet(this, i, this.dma.buffer, i * size, size, this.dma.iova + BigInt(i * size)));
      this.stack[i] = first + i;
      state[first + i] = BUFFER.DRIVER;
    }
  }
  get available() { return this.top; }
  take() {
    if (this.top === 0) return null;
    const id = this.stack[--this.top];
    this.state[id] = BUFFER.HELD;
    const p = this.packets[id - this.first];
    p.length = 0;
    return p;
  }
  put(p) {
    if (p.pool !== this) throw new TypeError(`${this.name}: packet from another pool`);
    if (this.state[p.id] !== BUFFER.HELD) return;   // free already, or the driver's or the device's
    this.state[p.id] = BUFFER.DRIVER;
    this.stack[this.top++] = p.id;
  }
}

/** The arguments every burst call takes: Uint16Arrays and a count they hold. */
export function checkBurst(name, what, ids, lens, n) {
  if (!(ids instanceof Uint16Array) || !(lens instanceof Uint16Array))
    throw new TypeError(`${name}: ${what}: buffer ids and lengths are Uint16Arrays`);
  if (!Number.isInteger(n) || n < 0 || n > ids.length || n > lens.length)
    throw new RangeError(`${name}: ${what}: ${n} must be an integer count the arrays hold (${Math.min(ids.length, lens.length)})`);
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
  // ---- bursts ---------------------------------------------------------------------
  // A driver with bursts of its own (e1000) overrides these; for any other the burst calls
  // are made of the Packet ones, numbering each Packet the first time it is seen.

  /** Up to `max` received frames as buffer ids (`ids`) and lengths (`lens`), both Uint16Arrays; returns how many. */
  rxBurst(ids, lens, max = ids?.length) {
    checkBurst(this.name, "rxBurst", ids, lens, max);
    const packets = this.rxBatch(max);
    for (let i = 0; i < packets.length; i++) {
      ids[i] = this.burstId(packets[i]);
      lens[i] = packets[i].length;
    }
    return packets.length;
  }
  /** Queue buffers `ids[0..n)` holding `lens[0..n)` bytes; returns how many were queued, in order. */
  txBurst(ids, lens, n) {
    checkBurst(this.name, "txBurst", ids, lens, n);
    const list = [];
    for (let i = 0; i < n; i++) list.push(this.packet(ids[i]).setLength(lens[i]));
    return this.txBatch(list);
  }
  /** Take up to `n` transmit buffers into `ids[0..)`; returns how many (fewer when the pool runs dry). */
  allocBurst(ids, n) {
    checkBurst(this.name, "allocBurst", ids, ids, n);
    let i = 0;
    for (let p; i < n && (p = this.allocPacket(0)) !== null; i++) ids[i] = this.burstId(p);
    return i;
  }
  /** Give buffers `ids[0..n)` back to their pools. TypeError at the first the program does not hold (the ones before it are freed). */
  freeBurst(ids, n) {
    checkBurst(this.name, "freeBurst", ids, ids, n);
    for (let i = 0; i < n; i++) {
      const p = this.packet(ids[i]);
      if (p.state !== BUFFER.HELD) throw new TypeError(`${this.name}: freeBurst: buffer ${ids[i]} (entry ${i}) is not the program's`);
      p.free();
    }
  }
  /** The burst id of a Packet this device handed out. */
  idOf(p) {
    if (!(p instanceof Packet)) throw new TypeError(`${this.name}: idOf takes a Packet`);
    return this.burstId(p);
  }
  /** Buffer `id` whole (its capacity): fill a frame or read one in place. */
  buffer(id) { return this.packet(id).bytes; }
  /** The Packet of buffer `id`. */
  packet(id) {
    const p = this.burstPackets?.[id];
    if (p === undefined) throw new RangeError(`${this.name}: ${id} is not a buffer id of this device`);
    return p;
  }
  burstId(p) {
    this.burstPackets ??= [];
    this.burstIds ??= new Map();
    let id = this.burstIds.get(p);
    if (id === undefined) {
      id = this.burstPackets.length;
      if (id > 0xffff) throw new RangeError(`${this.name}: more than 65536 buffers seen: ids are 16 bits`);
      this.burstIds.set(p, id);
      this.burstPackets.push(p);
    }
    return id;
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
