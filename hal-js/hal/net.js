// jsk:hal/net — NetDevice: the interface every NIC driver offers (e1000 and
// virtio-net), in the batch style of ixy and DPDK.
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
import { options, transition } from "jsk:native";
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
 * a pool on its own makes its own. `headroom` bytes at the start of every buffer are the
 * driver's (a device header in front of the frame, as virtio-net's): a Packet's bytes, capacity
 * and iova begin after them. `take()` returns a free Packet or null when all are in use.
 */
export class PacketPool {
  constructor(dev, { count, size = 2048, name = "pool", first = 0, state = undefined, headroom = 0 }) {
    if (!Number.isInteger(count) || count <= 0) throw new RangeError(`${name}: count must be a positive integer`);
    if (!Number.isInteger(headroom) || headroom < 0 || headroom >= size)
      throw new RangeError(`${name}: headroom ${headroom} must be an integer below the ${size}-byte buffer`);
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
    this.headroom = headroom;
    this.packets = [];
    this.stack = new Uint16Array(count);
    this.top = count;
    for (let i = 0; i < count; i++) {
      const at = i * size + headroom;
      this.packets.push(new Packet(this, i, this.dma.buffer, at, size - headroom, this.dma.iova + BigInt(at)));
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

/**
 * Buffers `ids[0..n)` back onto the free stacks of a device's two pools, `rx` (ids below
 * `tx.first`) and `tx`, in runs of one pool's ids; `list` is `ring(ids, ids.length, 2)`.
 * Their states are the caller's to have set (BUFFER.DRIVER).
 */
export function restock(list, ids, n, rx, tx) {
  for (let i = 0; i < n;) {
    const r = list.countWithin(i, n - i, 0, 2, 0, tx.first - 1);
    if (r > 0) {
      list.gather(i, r, 0, 2, rx.stack, rx.top);
      rx.top += r;
      i += r;
    }
    if (i === n) break;
    const t = list.countWithin(i, n - i, 0, 2, tx.first, 0xffff);
    list.gather(i, t, 0, 2, tx.stack, tx.top);
    tx.top += t;
    i += t;
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

/**
 * The data path a DMA-ring NIC driver shares (e1000, virtio-net): buffers in two numbered
 * pools (receive ids first, then transmit) with one state table and one table of device
 * addresses, and the Packet calls made of the driver's bursts. The driver writes
 *   rxBurst(ids, lens, max), txBurst(ids, lens, n), reclaimTx()
 *   txRoom(n)        -> how many frames the device takes now (reclaiming first if that is due)
 *   framesReady()    -> whether waitRx may resolve at once (it may refill or re-arm first)
 *   updateWaiting()  -> called whenever the set of waiters changes
 * and `ops` link, counters, setPromiscuous (as NetDevice's). It calls setupPools() in its
 * constructor, and keeps `removed` (checkLive) and `lastError`.
 */
export class PooledNetDevice extends NetDevice {
  constructor(name, label, ops) {
    super(name, [0, 0, 0, 0, 0, 0], { ...ops, waitRx: (o) => this.waitForFrames(o), allocPacket: () => this.takeTxBuffer() });
    this.label = label;
    this.removed = false;
    this.lastError = undefined;
    this.rxWaiters = [];
    this.frameMin = 14;               // ETH_HLEN: a frame shorter than its header is no frame
    this.frameMax = 1518;             // 1500-byte payload, header and an 802.1Q tag
  }

  /**
   * `rxCount` receive and `txCount` transmit buffers of `size` bytes (`headroom` of them the
   * driver's), their states (`bufState`), Packets and device addresses by id (`bufPackets`,
   * `bufIova`), and scratch for batches of up to `batch`.
   */
  setupPools(dev, { rxCount, txCount, size, headroom = 0, batch }) {
    if (rxCount + txCount > 65536) throw new RangeError(`${this.label}: ${rxCount + txCount} buffers: buffer ids are 16 bits (at most 65536)`);
    this.bufState = new Uint8Array(rxCount + txCount);
    const pool = (count, what, first) => new PacketPool(dev, { count, size, headroom, name: `${dev.name} ${what}`, first, state: this.bufState });
    this.rxPool = pool(rxCount, "rx", 0);
    this.txPool = pool(txCount, "tx", rxCount);
    this.bufPackets = [...this.rxPool.packets, ...this.txPool.packets];
    this.bufIova = BigUint64Array.from(this.bufPackets, (p) => p.iova);
    this.bufferCapacity = size - headroom;
    this.batchIds = new Uint16Array(batch);      // rxBatch's
    this.batchLens = new Uint16Array(batch);
    this.txBatchIds = new Uint16Array(batch);    // txBatch's (a tap may send while rxBatch runs)
    this.txBatchLens = new Uint16Array(batch);
    // The last arrays rxBurst and txBurst each checked in full (checkArrays).
    this.rxChecked = { ids: null, lens: null, room: 0 };
    this.txChecked = { ids: null, lens: null, room: 0 };
    this.rxOut = [];
  }

  /**
   * Up to `max` received frames as Packets, as rxBurst. The array returned is `out` (default:
   * one array this device reuses on every call): use or copy it before the next rxBatch.
   * Each packet must later be sent or freed.
   */
  rxBatch(max = 32, out = this.rxOut) {
    const { batchIds: ids, batchLens: lens, bufPackets } = this;
    const n = this.rxBurst(ids, lens, Math.min(max, ids.length));
    for (let i = 0; i < n; i++) {
      const p = bufPackets[ids[i]];
      p.length = lens[i];
      out[i] = p;
    }
    out.length = n;
    return out;
  }

  /**
   * Queue frames: Packets (from rxBatch or allocPacket) or byte arrays (copied into transmit
   * buffers; a Packet of another device is copied too, and then freed). Returns how many were
   * queued, in order; the rest stay the caller's (counted in stats.txDropped). Throws
   * RangeError (a length outside [frameMin, frameMax]) or TypeError (a freed or already
   * queued packet, something that is not a frame) and then queues nothing of this batch.
   */
  txBatch(packets) {
    this.checkLive();
    const n = packets.length;
    const room = Math.min(n, this.txRoom(n), this.txBatchIds.length);
    if (!(n > 0)) return 0;
    const { txBatchIds: ids, txBatchLens: lens, rxPool, txPool, frameMin, frameMax } = this;
    let copies = null;   // index, Packet: the frames copied into our buffers
    let k = 0;
    let queued;
    try {
      for (; k < room; k++) {
        let p = packets[k];
        if (p?.pool !== rxPool && p?.pool !== txPool) {
          // Not one of this device's buffers: bytes to copy (or another device's Packet).
          p = this.copyFrame(p, k);
          if (p === null) break;
          (copies ??= []).push(k, p);
        }
        const length = p.length;
        if (!(length >= frameMin && length <= frameMax)) {
          if (p.state !== BUFFER.HELD)   // the worse mistake: not the program's to send at all
            throw new TypeError(`${this.label}: txBatch: packet ${k} is ${notHeld(p.state)}`);
          throw new RangeError(`${this.label}: txBatch: packet ${k} is ${length} bytes; a frame is ${frameMin} to ${frameMax} bytes`);
        }
        ids[k] = p.id;
        lens[k] = length;
      }
      queued = this.txBurst(ids, lens, k);
    } catch (e) {
      // Nothing of this batch was queued: our copies go back.
      if (copies !== null) for (let i = 1; i < copies.length; i += 2) copies[i].free();
      throw e;
    }
    if (k < n) this.counters.txDropped += n - k;
    if (copies !== null) {
      for (let i = 0; i < copies.length; i += 2) {
        if (copies[i] >= queued) copies[i + 1].free();                            // not sent: ours again
        else if (packets[copies[i]] instanceof Packet) packets[copies[i]].free();  // another device's, sent as a copy
      }
    }
    return queued;
  }

  /** Frame `bytes` (a byte array or another device's Packet) copied into a transmit buffer; null when none is free. */
  copyFrame(bytes, index) {
    if (bytes instanceof Packet && bytes.state !== BUFFER.HELD)
      throw new TypeError(`${this.label}: txBatch: packet ${index} (another device's) is ${notHeld(bytes.state)}`);
    const data = bytes instanceof Packet ? bytes.data : bytes;
    if (!(data instanceof Uint8Array) && !Array.isArray(data))
      throw new TypeError(`${this.label}: txBatch: item ${index} is neither a Packet nor a byte array`);
    if (data.length > this.bufferCapacity)
      throw new RangeError(`${this.label}: txBatch: frame ${index} is ${data.length} bytes; a frame is ${this.frameMin} to ${this.frameMax} bytes`);
    const p = this.takeTxBuffer();
    if (p === null) return null;
    p.length = data.length;
    p.bytes.set(data);
    return p;
  }

  /** A transmit buffer holding `length` bytes (to fill, then txBatch), or null when every one is in use. RangeError beyond a buffer. */
  allocPacket(length) {
    if (!Number.isInteger(length) || length < 0 || length > this.bufferCapacity)
      throw new RangeError(`${this.label}: allocPacket(${length}): a buffer holds 0 to ${this.bufferCapacity} bytes`);
    const p = this.takeTxBuffer();
    if (p !== null) p.length = length;
    return p;
  }

  /** A transmit buffer, reclaiming finished transmissions first if the pool ran dry. */
  takeTxBuffer() {
    this.checkLive();
    return this.txPool.take() ?? (this.reclaimTx(), this.txPool.take());
  }

  /** Up to `n` transmit buffers into `ids[0..)` (reclaiming first if needed); returns how many. */
  allocBurst(ids, n) {
    this.checkLive();
    checkBurst(this.label, "allocBurst", ids, ids, n);
    const pool = this.txPool;
    if (pool.top < n) this.reclaimTx();
    const k = Math.min(n, pool.top);
    pool.top -= k;
    ids.set(pool.stack.subarray(pool.top, pool.top + k));
    transition(this.bufState, ids, 0, k, BUFFER.DRIVER, BUFFER.HELD);
    return k;
  }

  /** NetDevice's freeBurst (a buffer the program does not hold is a TypeError), on a live device. */
  freeBurst(ids, n) {
    this.checkLive();
    super.freeBurst(ids, n);
  }

  /** The burst id of one of this device's Packets (its `id`). */
  idOf(p) {
    if (p?.pool !== this.rxPool && p?.pool !== this.txPool) throw new TypeError(`${this.label}: idOf: not a Packet of this device`);
    return p.id;
  }

  /** The Packet of buffer `id`. */
  packet(id) {
    const p = this.bufPackets[id];
    if (p === undefined) throw new RangeError(`${this.label}: ${id} is not a buffer id of this device (0 to ${this.bufPackets.length - 1})`);
    return p;
  }

  /**
   * txBurst's refusal, after `transition(bufState, ids, 0, n, HELD, SENDING)` claimed only the
   * first `claimed` buffers: those are given back (SENDING to HELD) and the TypeError names
   * the first the program does not hold (free, receiving, or queued already, also earlier in
   * this burst).
   */
  refuseSend(ids, claimed) {
    const queued = this.bufState[ids[claimed]] === BUFFER.SENDING;
    transition(this.bufState, ids, 0, claimed, BUFFER.SENDING, BUFFER.HELD);
    throw new TypeError(`${this.label}: txBurst: frame ${claimed} (buffer ${ids[claimed]}) is ${queued ? "already queued" : "not the program's: free (given back to its pool) or receiving"}`);
  }

  /** Frames `ids[0..n)` of `lens[0..n)` bytes to every tap (`direction` "rx" or "tx"); callers check taps.size first. */
  tapBurst(direction, ids, lens, n) {
    for (let i = 0; i < n; i++) this.runTaps(direction, this.bufPackets[ids[i]].bytes.subarray(0, lens[i]));
  }

  /**
   * Show a frame to every tap. The frames are handed out (or queued) already: a tap that
   * throws is reported, and loses nothing.
   */
  runTaps(direction, bytes) {
    for (const t of this.taps) {
      try {
        t(direction, bytes);
      } catch (e) {
        console.error(`${this.label}: a tap threw on a ${direction} frame: ${e?.message ?? e}`);
      }
    }
  }

  /**
   * The arrays of a burst call, checked in full once: the next calls with the same two
   * arrays compare identities (what the batch operations check again costs nothing here).
   */
  checkArrays(ok, what, ids, lens, n) {
    checkBurst(this.label, what, ids, lens, n);
    ok.ids = ids;
    ok.lens = lens;
    ok.room = Math.min(ids.length, lens.length);
  }

  checkLive() {
    if (this.removed) throw new Error(`${this.label}: removed`);
  }

  /** waitRx: resolves once frames may be there; TimeoutError after `timeout` ms; rejects on a removed or failed device. */
  waitForFrames({ timeout } = {}) {
    if (this.removed) return Promise.reject(new Error(`${this.label}: removed`));
    if (this.lastError) return Promise.reject(this.lastError);
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0))
      return Promise.reject(new TypeError(`${this.label}: waitRx timeout ${timeout} is not a duration in ms`));
    if (this.framesReady()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, timer: null };
      if (timeout !== undefined) {
        w.timer = setTimeout(() => {
          const i = this.rxWaiters.indexOf(w);
          if (i >= 0) this.rxWaiters.splice(i, 1);
          this.updateWaiting();
          reject(new TimeoutError(`timed out after ${timeout} ms waiting for a received frame on ${this.name}`));
        }, timeout);
      }
      this.rxWaiters.push(w);
      this.updateWaiting();
    });
  }

  /** Resolve every waiter of waitRx. */
  wakeRx() {
    const waiters = this.rxWaiters;
    this.rxWaiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.updateWaiting();
  }

  /** Reject every waiter of waitRx with `e`. */
  rejectWaiters(e) {
    const waiters = this.rxWaiters;
    this.rxWaiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  }
}

const notHeld = (state) => (state === BUFFER.SENDING ? "already queued" : "free (given back to its pool)");
