// virtio-net (VIRTIO 1.2 section 5.1) on the modern PCI transport (jsk:virtio/pci): the network
// card of every KVM/QEMU virtual machine, 1af4:1041.
//
// Reference: OASIS, "Virtual I/O Device (VIRTIO) Version 1.2", cited as "VIRTIO x.y":
// 5.1.3 (feature bits), 5.1.4 (device configuration), 5.1.5 (initialization), 5.1.6 (device
// operation: the virtio_net_hdr, 5.1.6.2 transmit, 5.1.6.3 receive), 2.7 (split queues,
// jsk:virtio/split_queue), 3.1 (initialization), 4.1.5 (PCI: virtqueue set-up, MSI-X vectors).
//
// What is negotiated: VERSION_1 (required: modern devices only), MAC, STATUS (link changes
// through the configuration interrupt), MTU and SPEED_DUPLEX (read, reported), and
// ACCESS_PLATFORM whenever it is offered (the device then translates its addresses through
// the platform's IOMMU, as the IOVAs this driver programs require behind a vIOMMU). Left off,
// and so done by nobody: checksum and segmentation offloads (CSUM, GUEST_CSUM, the TSO/UFO
// bits: every frame carries a zero header and is sent as it is), MRG_RXBUF (every receive
// buffer holds a whole frame: 2048 bytes), CTRL_VQ and its filters (the device keeps its own
// receive mode: QEMU's passes every frame), multiqueue, EVENT_IDX (notifications are
// suppressed with the ring flags, 2.7.7 and 2.7.10), packed queues.
//
// The handle IS a jsk:hal NetDevice, with the e1000 driver's data path: numbered buffers in
// two preallocated pools (receive, transmit) with one state table, bursts over the batch
// operations (rxBurst/txBurst; rxBatch/txBatch are bursts with a Packet per buffer):
//   mac, macAddress, link, rxBatch(max), txBatch(packets), allocPacket(length),
//   rxBurst(ids, lens, max), txBurst(ids, lens, n), allocBurst(ids, n), freeBurst(ids, n),
//   buffer(id), packet(id), idOf(p), stats, promiscuous, waitRx({ timeout }),
//   on("link", cb), waitForLink({ timeout }), tap(fn)
// and, for this device:
//   mode             "irq" (MSI-X vectors, or INTx through the ISR) or "poll"
//   interrupts       "msix", "intx" or "none": how the device signals
//   features         the accepted feature bits (BigInt); mtu (5.1.4, or undefined)
//   transport        the virtio PCI transport (tests read the common configuration through it)
//   reclaimTx(), txInFlight, lastError, resets (DEVICE_NEEDS_RESET recoveries)
//
// Options, as `dev.virtio = { ... }` set on the Device before probe:
//   rxQueueSize, txQueueSize   descriptors (a power of two, cut to what the device takes; 256)
//   rxPoolSize, txPoolSize     buffers (defaults: 2 x the receive queue's, the transmit queue's slots)
//   mode                       "irq" or "poll"; waitMs: the deadline of each reset (1000)
//
// Nothing the device writes is trusted: used-ring ids and lengths are checked before a
// buffer is handed out (jsk:virtio/split_queue), configuration reads are repeated until
// config_generation holds still, and a device that never finishes its reset is an Error
// with bus mastering turned off anyway.

import { driver, spinUntil, PooledNetDevice, BUFFER, checkBurst, restock, ring, transition } from "jsk:hal";
import { Transport, FEATURE, bits, NO_VECTOR, VIRTIO_VENDOR, MODERN_DEVICE_BASE } from "jsk:virtio/pci";
import { SplitQueue, DESC_F_WRITE } from "jsk:virtio/split_queue";

/** VIRTIO 5.1.3: feature bits of the network device. */
export const NET_F = Object.freeze({
  CSUM: 0n, GUEST_CSUM: 1n, MTU: 3n, MAC: 5n, GUEST_TSO4: 7n, MRG_RXBUF: 15n, STATUS: 16n, CTRL_VQ: 17n,
  CTRL_RX: 18n, MQ: 22n, SPEED_DUPLEX: 63n,
});
const VIRTIO_ID_NET = 1;           // VIRTIO 5: device type 1, network card (PCI 1af4:1041)
const REQUIRED = bits(FEATURE.VERSION_1);
const OPTIONAL = bits(NET_F.MAC, NET_F.STATUS, NET_F.MTU, NET_F.SPEED_DUPLEX, FEATURE.ACCESS_PLATFORM);

/** VIRTIO 5.1.4: struct virtio_net_config, as offsets in the device configuration. */
const CFG_MAC = 0;                 // u8 mac[6]
const CFG_STATUS = 6;              // le16: LINK_UP 1, ANNOUNCE 2
const CFG_MTU = 10;                // le16
const CFG_SPEED = 12;              // le32 Mbit/s, 0xffffffff unknown
const CFG_DUPLEX = 16;             // u8: 1 full, 0 half, 0xff unknown
const CFG_SIZE_SPEED = 17;
const MTU_MIN = 68;                // RFC 791: every IPv4 host takes 68-byte datagrams
const STATUS_LINK_UP = 1;
const SPEED_UNKNOWN = 0xffffffff;
const CONFIG_TRIES = 100;          // config_generation reads before the device is not believed

const RX_QUEUE = 0;                // 5.1.2: receiveq1, transmitq1 (queue indexes 0 and 1)
const TX_QUEUE = 1;
// 5.1.6: struct virtio_net_hdr is 12 bytes with VERSION_1 (num_buffers is always there). A
// transmit header is all zeros: no checksum to fill in, no segmentation (5.1.6.2).
const HDR_SIZE = 12;
const BUFFER_SIZE = 2048;          // one whole frame and its header per receive buffer (5.1.6.3.1: >= 1526)
const ETH_HLEN = 14;
const ETH_MAX_FRAME = 1518;        // 1500-byte payload, header and an 802.1Q tag; no FCS on virtio
const ISR_QUEUE = 1;               // 4.1.4.5
const ISR_CONFIG = 2;
const MSIX_CONFIG_VECTOR = 0;
const MSIX_RX_VECTOR = 1;
const POLL_MS = 1;
const LINK_POLL_MS = 100;
const { DRIVER, HELD, SENDING } = BUFFER;
const DEFAULTS = Object.freeze({ rxQueueSize: 256, txQueueSize: 256, rxPoolSize: undefined, txPoolSize: undefined, mode: undefined, waitMs: 1000 });
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const powerOfTwoBelow = (n) => 2 ** Math.floor(Math.log2(n));

function options(dev) {
  const o = { ...DEFAULTS, ...(dev.virtio ?? {}) };
  const label = `virtio-net: ${dev.name}`;
  for (const key of ["rxQueueSize", "txQueueSize"]) {
    const n = o[key];
    if (!Number.isInteger(n) || n < 2 || n > 32768 || (n & (n - 1)) !== 0)
      throw new RangeError(`${label}: ${key} ${n}: a split queue is a power of two descriptors, 2 to 32768 (VIRTIO 2.7.10.1)`);
  }
  if (o.rxPoolSize !== undefined && !(Number.isInteger(o.rxPoolSize) && o.rxPoolSize > 0))
    throw new RangeError(`${label}: rxPoolSize ${o.rxPoolSize} must be a positive integer`);
  if (o.txPoolSize !== undefined && !(Number.isInteger(o.txPoolSize) && o.txPoolSize > 0))
    throw new RangeError(`${label}: txPoolSize ${o.txPoolSize} must be a positive integer`);
  if (o.mode !== undefined && o.mode !== "irq" && o.mode !== "poll")
    throw new TypeError(`${label}: mode "${o.mode}" is not "irq" or "poll"`);
  if (!Number.isFinite(o.waitMs) || o.waitMs < 0) throw new RangeError(`${label}: waitMs ${o.waitMs} is not a duration`);
  return o;
}

class VirtioNetDevice extends PooledNetDevice {
  constructor(dev, transport, opts) {
    super(dev.name, `virtio-net: ${dev.name}`, {
      link: () => this.readLink(),
      counters: () => ({ ...this.counters, badDescriptors: this.counters.badDescriptors + this.queueBad() }),
      setPromiscuous: (on) => this.setPromiscuous(on),
    });
    this.dev = dev;
    this.transport = transport;
    this.opts = opts;
    this.features = 0n;
    this.mtu = undefined;
    this.up = false;                 // DRIVER_OK and not recovering: the queues may be used
    this.resets = 0;
    this.mode_ = "off";
    this.interrupts = "none";
    this.counters = {
      rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0,
      rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0, badDescriptors: 0,
      interrupts: 0, linkChanges: 0,
    };
    this.pollTimer = null;
    this.linkTimer = null;
    this.handlers = [];              // [Irq] with handlers installed
    this.rxHandler = null;           // the one receive interrupts arrive on (referenced while waiting)
    this.vectors = { config: NO_VECTOR, rx: NO_VECTOR };
    this.onPoll = () => {
      if (!this.up) return;
      this.fillRx(false);                 // also reclaims transmissions when buffers are short
      if (this.rxq.pending) this.wakeRx();
      else if (this.mode_ === "irq") this.updateWaiting();   // starving no longer: stop polling
    };
    this.onLinkPoll = () => this.configChanged();

    // Memory first: if it cannot be had, the device has not been touched. Queue sizes are the
    // options' here and cut to the device's maximum when the queues are made (start).
    const rxSlots = opts.rxQueueSize;
    const txSlots = opts.txQueueSize / 2;         // each transmit buffer behind the shared header
    this.setupPools(dev, {
      rxCount: opts.rxPoolSize ?? 2 * rxSlots, txCount: opts.txPoolSize ?? txSlots,
      size: BUFFER_SIZE, headroom: HDR_SIZE, batch: Math.max(rxSlots, txSlots),
    });
    // Device addresses per buffer id: bufIova the frame (sent behind the transmit queue's
    // shared header), bufHdrIova the whole buffer, header first, for receiving.
    this.bufHdrIova = BigUint64Array.from(this.bufPackets, (p) => p.iova - BigInt(HDR_SIZE));
    this.reclaimed = new Uint16Array(txSlots);
    this.reclaimedIds = ring(this.reclaimed, txSlots, 2);
    this.rxq = null;
    this.txq = null;
  }

  get mode() { return this.mode_; }
  get txInFlight() { return this.txq ? this.txq.outstanding : 0; }

  // ---- bring-up (VIRTIO 3.1.1, 5.1.5) ----------------------------------------------------

  async start() {
    const t = this.transport;
    // Steps 1-6: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back; MTU only if
    // this driver can meet its MUSTs (5.1.4.2: receive an mtu-sized frame in one buffer).
    this.features = await t.begin({ required: REQUIRED, optional: OPTIONAL, check: (offered) => this.mtuUnusable(offered) });
    this.checkLive();                   // removed while the reset was waited for
    // Step 7: the queues (5.1.5: receiveq1 and transmitq1; no control queue), the MAC.
    if (t.queueCount < 2) throw this.failed(`the device has ${t.queueCount} queues; a network device has at least receiveq1 and transmitq1 (5.1.2)`);
    if (this.rxq === null) {
      const size = (i, want) => {
        const max = t.maxQueueSize(i);
        if (max < 2) throw this.failed(`queue ${i} takes ${max} descriptors`);
        return Math.min(want, powerOfTwoBelow(max));
      };
      this.rxq = new SplitQueue(this.dev, RX_QUEUE, size(RX_QUEUE, this.opts.rxQueueSize), { name: `${this.label} receive queue` });
      this.txq = new SplitQueue(this.dev, TX_QUEUE, size(TX_QUEUE, this.opts.txQueueSize), { name: `${this.label} transmit queue`, header: HDR_SIZE });
      this.rxq.preset(BUFFER_SIZE, DESC_F_WRITE);   // every receive buffer whole and device-writable
      this.refillAt = Math.max(1, this.rxq.slots >> 2);
      this.reclaimAt = Math.max(1, this.txq.slots >> 2);
    }
    this.chooseInterrupts();
    const rx = t.setupQueue(this.rxq, { vector: this.vectors.rx });
    this.rxNotifyAt = rx.notify;
    this.txNotifyAt = t.setupQueue(this.txq, { vector: NO_VECTOR }).notify;
    if (this.interrupts === "msix" && rx.vector === NO_VECTOR) {
      console.error(`${this.label}: the device refused MSI-X vector ${this.vectors.rx} for the receive queue: polling`);
      t.common.CONFIG_MSIX_VECTOR.write(NO_VECTOR);
      this.interrupts = "none";
      this.vectors = { config: NO_VECTOR, rx: NO_VECTOR };
    }
    this.readConfig();
    this.frameMax = t.has(NET_F.MTU) ? Math.min(ETH_MAX_FRAME, this.mtu + ETH_HLEN) : ETH_MAX_FRAME;
    // Receive buffers before DRIVER_OK (5.1.5: "fill the receive queues"); the device may use
    // them once DRIVER_OK is set: DMA from here on.
    this.dev.enableBusMaster();
    this.rxq.interrupts = false;
    this.txq.interrupts = false;        // finished transmissions are reclaimed by txBurst, never by interrupt
    this.fillRx(true);
    t.ready();                          // step 8
    if (t.status() & 0x80 || t.needsReset()) throw this.failed(`the device did not take DRIVER_OK (device_status ${t.status()})`);
    this.up = true;
    t.notify(this.rxNotifyAt, RX_QUEUE);
    this.setMode(this.opts.mode ?? (this.interrupts === "none" ? "poll" : "irq"));
    this.lastLinkUp = this.readLink().up;
  }

  /** An Error for the bring-up, with the device left FAILED (VIRTIO 3.1.1). */
  failed(what) {
    this.transport.fail();
    return new Error(`${this.label}: ${what}`);
  }

  /**
   * MSI-X when the backend enabled it (VFIO): vector 0 for configuration changes and vector 1
   * for the receive queue, or both on vector 0 when the function has one (4.1.5.1.2: the device
   * must keep the numbers it is given; a configuration vector refused means polling the link).
   * INTx (one line, the ISR says why) otherwise; no interrupt at all: polling.
   */
  chooseInterrupts() {
    const { dev, transport: t } = this;
    this.vectors = { config: NO_VECTOR, rx: NO_VECTOR };
    if (dev.irqKind === "msix" && dev.irqCount > 0) {
      this.interrupts = "msix";
      this.vectors.rx = dev.irqCount > MSIX_RX_VECTOR ? MSIX_RX_VECTOR : MSIX_CONFIG_VECTOR;
      t.common.CONFIG_MSIX_VECTOR.write(MSIX_CONFIG_VECTOR);
      if (t.common.CONFIG_MSIX_VECTOR.read() === MSIX_CONFIG_VECTOR) this.vectors.config = MSIX_CONFIG_VECTOR;
      else console.error(`${this.label}: the device refused MSI-X vector ${MSIX_CONFIG_VECTOR} for configuration changes: the link is polled`);
      return;
    }
    t.common.CONFIG_MSIX_VECTOR.write(NO_VECTOR);
    this.interrupts = (dev.irqKind === "intx" || dev.irqKind === "line") && dev.irqCount > 0 ? "intx" : "none";
  }

  /**
   * VIRTIO_NET_F_MTU's bit when its mtu is one this driver cannot honour (5.1.4.2: it must
   * receive a frame of mtu bytes plus the Ethernet header in one 2048-byte buffer behind the
   * 12-byte header; below 68, IPv4's minimum, Linux declines it too), else 0n. Read before
   * the features are accepted (3.1.1 step 4).
   */
  mtuUnusable(offered) {
    if ((offered & bits(NET_F.MTU)) === 0n) return 0n;
    const cfg = this.transport.deviceConfig;
    if (cfg === null || cfg.length < CFG_MTU + 2) return bits(NET_F.MTU);
    const mtu = this.consistent(() => cfg.region.read16(cfg.offset + CFG_MTU));
    return mtu >= MTU_MIN && mtu + ETH_HLEN <= BUFFER_SIZE - HDR_SIZE ? 0n : bits(NET_F.MTU);
  }

  /** The device configuration (5.1.4), read until config_generation holds still (4.1.4.3.1). */
  readConfig() {
    const t = this.transport;
    const cfg = t.deviceConfig;
    const has = (n) => t.has(n);
    const need = has(NET_F.SPEED_DUPLEX) ? CFG_SIZE_SPEED : has(NET_F.MTU) ? CFG_MTU + 2 : CFG_STATUS + 2;
    if (has(NET_F.MAC) || has(NET_F.STATUS) || has(NET_F.MTU) || has(NET_F.SPEED_DUPLEX)) {
      if (cfg === null) throw this.failed("the device offers configuration fields but has no device configuration structure (VIRTIO 4.1.4.6)");
      if (cfg.length < need) throw this.failed(`the device configuration is ${cfg.length} bytes; the features accepted need ${need}`);
    }
    const v = this.consistent(() => ({
      mac: has(NET_F.MAC) ? Array.from({ length: 6 }, (_, i) => cfg.region.read8(cfg.offset + CFG_MAC + i)) : null,
      mtu: has(NET_F.MTU) ? cfg.region.read16(cfg.offset + CFG_MTU) : undefined,
    }));
    if (v.mac !== null) {
      if ((v.mac[0] & 1) || v.mac.every((b) => b === 0))
        throw this.failed(`the device's MAC address ${v.mac.map((b) => b.toString(16).padStart(2, "0")).join(":")} is not a unicast address`);
      this.mac.set(v.mac);
    } else if (this.mac.every((b) => b === 0)) {
      // 5.1.5: without VIRTIO_NET_F_MAC the driver picks one: random, locally administered.
      // The device is not told (that takes the control queue's CTRL_MAC_ADDR): QEMU's passes
      // every frame anyway, a filtering backend would not.
      for (let i = 0; i < 6; i++) this.mac[i] = Math.floor(Math.random() * 256);
      this.mac[0] = (this.mac[0] & 0xfe) | 0x02;
    }
    this.mtu = v.mtu;
  }

  /** `read()` again until config_generation is the same before and after (4.1.4.3.1). */
  consistent(read) {
    const gen = this.transport.common.CONFIG_GENERATION;
    for (let i = 0; i < CONFIG_TRIES; i++) {
      const before = gen.read();
      const v = read();
      if (gen.read() === before) return v;
    }
    throw new Error(`${this.label}: config_generation changed on each of ${CONFIG_TRIES} reads: the device configuration cannot be read consistently`);
  }

  /** Link state (5.1.4 status.LINK_UP; always up without VIRTIO_NET_F_STATUS). */
  readLink() {
    this.checkLive();
    const t = this.transport;
    const cfg = t.deviceConfig;
    const { status, speed, duplex } = this.consistent(() => ({
      status: t.has(NET_F.STATUS) ? cfg.region.read16(cfg.offset + CFG_STATUS) : STATUS_LINK_UP,
      speed: t.has(NET_F.SPEED_DUPLEX) ? cfg.region.read32(cfg.offset + CFG_SPEED) >>> 0 : SPEED_UNKNOWN,
      duplex: t.has(NET_F.SPEED_DUPLEX) ? cfg.region.read8(cfg.offset + CFG_DUPLEX) : 0xff,
    }));
    return {
      up: (status & STATUS_LINK_UP) !== 0,
      speedMbps: speed === SPEED_UNKNOWN ? null : speed,
      fullDuplex: duplex === 0xff ? null : duplex === 1,
    };
  }

  // ---- interrupts, waiting ------------------------------------------------------------------

  setMode(mode) {
    this.checkLive();
    if (mode !== "irq" && mode !== "poll") throw new TypeError(`${this.label}: mode "${mode}" is not "irq" or "poll"`);
    if (mode === "irq" && this.interrupts === "none") throw new Error(`${this.label}: no interrupt to use (the backend enabled none, or the device refused the vectors)`);
    this.handlersOff();
    let linkPolled = true;
    if (mode === "irq" && this.interrupts === "msix") {
      const { config, rx } = this.vectors;
      if (config !== NO_VECTOR && config !== rx) this.handlers.push(this.dev.irq(config).on(() => { this.counters.interrupts++; this.configChanged(); }).unref());
      this.rxHandler = this.dev.irq(rx).on(() => {
        this.counters.interrupts++;
        if (config === rx) this.configChanged();
        this.wakeRx();
      });
      this.handlers.push(this.rxHandler);
      linkPolled = config === NO_VECTOR;
    } else if (mode === "irq") {
      this.rxHandler = this.dev.irq(0).on(() => this.serviceIntx());
      this.handlers.push(this.rxHandler);
      linkPolled = false;
    }
    if (linkPolled) this.linkTimer = setInterval(this.onLinkPoll, LINK_POLL_MS).unref();
    this.mode_ = mode;
    this.updateWaiting();
  }

  /** Interrupt handlers and the link poll off. */
  handlersOff() {
    for (const irq of this.handlers) irq.off();
    this.handlers = [];
    this.rxHandler = null;
    clearInterval(this.linkTimer);
    this.linkTimer = null;
  }

  /** INTx: reading the ISR clears it and lowers the line (4.1.4.5); then the line is re-armed. */
  serviceIntx() {
    if (this.removed || this.lastError) return;
    let isr;
    try {
      isr = this.transport.readIsr();
    } catch (e) {
      this.fail(e);
      return;
    }
    this.counters.interrupts++;
    try {
      this.dev.irq(0).unmask();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (isr & ISR_QUEUE) this.wakeRx();
    if (isr & ISR_CONFIG) this.configChanged();
  }

  /** A configuration change (or the link poll): DEVICE_NEEDS_RESET, else maybe the link. */
  configChanged() {
    if (this.removed || this.lastError || !this.up) return;
    let reset;
    try {
      reset = this.transport.needsReset();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (reset) {
      this.recover().catch((e) => { if (!this.removed) this.fail(e); });
      return;
    }
    const before = this.lastLinkUp;
    this.linkChanged();
    if (this.lastLinkUp !== before) this.counters.linkChanges++;
  }

  /**
   * DEVICE_NEEDS_RESET (2.1.1): reset the device, take back every buffer it held (receive ones
   * to their pool, transmissions count as dropped), and bring it up again (3.1.1). Buffers the
   * program holds stay its own. An Error if the device does not come back (then lastError).
   */
  async recover() {
    if (!this.up) return;
    this.up = false;
    this.resets++;
    console.error(`${this.label}: the device asks for a reset (DEVICE_NEEDS_RESET): resetting it`);
    this.handlersOff();
    await this.transport.reset();
    if (this.removed) return;           // removed meanwhile: shutdown has done the rest
    this.takeBack();
    await this.start();
  }

  /** After a reset: every buffer the queues held is the driver's again. */
  takeBack() {
    const ids = new Uint16Array(Math.max(this.rxq.slots, this.txq.slots));
    const pool = this.rxPool;
    const n = this.rxq.drain(ids);
    for (let i = 0; i < n; i++) pool.stack[pool.top++] = ids[i];
    const k = this.txq.drain(ids);
    this.counters.txDropped += k;
    transition(this.bufState, ids, 0, k, SENDING, DRIVER);
    restock(ring(ids, ids.length, 2), ids, k, this.rxPool, this.txPool);
  }

  /** waitRx resolves at once when used receive entries wait (after a refill: the device may be starved). */
  framesReady() {
    if (!this.up) return false;
    this.fillRx(false);
    return this.rxq.pending;
  }

  /**
   * Background work failed, or the device was caught lying: keep the error, tell the waiters,
   * and stop the device (a reset with a deadline, then FAILED, 2.1) so that it no longer DMAs
   * into the buffers it held, which go back to the pools. Best effort: the device may be gone.
   */
  fail(e) {
    if (this.lastError) return;
    this.lastError = e;
    const wasUp = this.up;
    this.up = false;
    console.error(`${this.label}: interrupt and link handling stopped: ${e?.message ?? e}`);
    this.handlersOff();
    this.rejectWaiters(e);
    this.updateWaiting();
    if (!wasUp) return;
    const t = this.transport;
    try {
      t.common.DEVICE_STATUS.write(0);
      spinUntil(() => t.status() === 0, { us: this.opts.waitMs * 1000, what: `${this.label}: the device to reset after an error` });
      this.takeBack();
    } catch { /* a device that cannot be reset keeps its buffers until remove turns bus mastering off */ }
    t.fail();
  }

  /**
   * While someone waits for frames: receive interrupts on (the device is asked for them, 2.7.7)
   * and the process kept alive, or the poll timer running; otherwise neither.
   */
  updateWaiting() {
    const waiting = this.rxWaiters.length > 0 && !this.removed && !this.lastError;
    let starving = false;
    if (this.up) {
      this.rxq.interrupts = waiting && this.mode_ === "irq";
      // Frames that came while interrupts were off: the waiters need not wait for the next one.
      if (waiting && this.mode_ === "irq" && this.rxq.pending) queueMicrotask(() => this.wakeRx());
      // Receive buffers that were forwarded come back only when their transmissions are
      // reclaimed, which no interrupt announces: with the receive queue nearly empty, poll.
      starving = waiting && this.rxq.outstanding < this.refillAt && this.txq.outstanding > 0;
    }
    if (this.mode_ === "irq" && this.rxHandler) {
      if (waiting) this.rxHandler.ref(); else this.rxHandler.unref();
    }
    if ((this.mode_ === "poll" && waiting) || starving) {
      this.pollTimer ??= setInterval(this.onPoll, POLL_MS);
    } else if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
  }

  // ---- receive (5.1.6.3, 5.1.6.4) -------------------------------------------------------------

  /**
   * Offer free receive buffers, each whole (header and frame: 5.1.6.3.1), once at least
   * `refillAt` slots are free (or any, with `now`), and notify the device if it wants that.
   */
  fillRx(now) {
    const q = this.rxq;
    const pool = this.rxPool;
    const free = q.slots - q.outstanding;
    if (free === 0 || (!now && free < this.refillAt)) return;   // (rxBurst checks this too, before calling)
    // Forwarded buffers come home only when transmissions are reclaimed.
    if (pool.top < free && this.txq.outstanding > 0) this.reclaimTx();
    const n = q.room(Math.min(free, pool.top));
    if (n === 0) return;
    pool.top -= n;
    q.fill(n, this.bufHdrIova, pool.stack, pool.top, null);
    q.publish(n);
    if (this.up && q.wantsNotify()) this.transport.notify(this.rxNotifyAt, RX_QUEUE);
  }

  /**
   * Up to `max` received frames as buffer ids (`ids`) and lengths (`lens`), in the order the
   * device used them; returns how many. Each used entry is checked (an id the driver offered,
   * once; a length that holds the header and an Ethernet header and fits the buffer) before
   * its buffer leaves the queue: a bad one is counted (stats.badDescriptors) and its buffer,
   * if it names one, goes back to the pool. Then free buffers refill the queue. The buffers
   * handed out are the program's until sent (txBurst/txBatch) or freed (freeBurst/packet.free()).
   */
  rxBurst(ids, lens, max = ids?.length) {
    if (!this.up) { this.checkLive(); return 0; }
    const ok = this.rxChecked;
    if (ids !== ok.ids || lens !== ok.lens || !(max >= 0 && max <= ok.room)) this.checkArrays(ok, "rxBurst", ids, lens, max);
    const q = this.rxq;
    if (!q.pending) {
      if (q.slots - q.outstanding >= this.refillAt) this.fillRx(false);
      return 0;
    }
    let got;
    try {
      got = q.collect(ids, lens, max, HDR_SIZE + ETH_HLEN, BUFFER_SIZE, HDR_SIZE);
    } catch (e) {
      this.fail(e);                     // a used index not to be believed: the device is stopped being used
      throw e;
    }
    if (q.refusedCount > 0) {
      const pool = this.rxPool;
      for (let i = 0; i < q.refusedCount; i++) pool.stack[pool.top++] = q.refused[i];
    }
    if (got > 0 && transition(this.bufState, ids, 0, got, DRIVER, HELD) !== got)
      throw new Error(`${this.label}: the receive queue held a buffer the driver did not (a driver bug)`);
    if (q.slots - q.outstanding >= this.refillAt) this.fillRx(false);
    if (got === 0) return 0;
    const c = this.counters;
    c.rxPackets += got;
    c.rxBytes += q.bytes;
    if (this.taps.size) this.tapBurst("rx", ids, lens, got);
    return got;
  }

  // ---- transmit (5.1.6.2) ----------------------------------------------------------------------

  /** txBatch: reclaim if due, then how many frames the queue has room for. */
  txRoom(n) {
    if (!this.up) return n;             // txBurst counts them as dropped
    this.reclaimDue(n);
    return this.txq.room(n);
  }

  /** Finished transmissions go back in runs: once a quarter of the queue is in flight, or when `n` more need the room. */
  reclaimDue(n) {
    const q = this.txq;
    if (q.outstanding > this.reclaimAt || q.outstanding + n > q.slots) this.reclaimTx();
  }

  /** Buffers of transmissions the device finished back to their pools. Returns how many. */
  reclaimTx() {
    const q = this.txq;
    if (q === null || q.outstanding === 0 || !q.pending) return 0;
    let n;
    try {
      n = q.collect(this.reclaimed, null, q.outstanding);
    } catch (e) {
      this.fail(e);
      throw e;
    }
    if (n === 0) return 0;
    if (transition(this.bufState, this.reclaimed, 0, n, SENDING, DRIVER) !== n)
      throw new Error(`${this.label}: the transmit queue held a buffer that was not being sent (a driver bug)`);
    restock(this.reclaimedIds, this.reclaimed, n, this.rxPool, this.txPool);
    return n;
  }

  /**
   * Queue the program's buffers `ids[0..n)` holding `lens[0..n)` bytes, each behind the zero
   * header. Returns how many were queued, in order (as many as the queue has room for; the
   * rest stay the caller's, counted in stats.txDropped). Throws RangeError (a length outside
   * [14, frameMax]: 1518, or the device's mtu + 14 when lower) or TypeError (a buffer the
   * program does not hold) and then queues nothing.
   */
  txBurst(ids, lens, n) {
    if (!this.up) {
      this.checkLive();
      checkBurst(this.label, "txBurst", ids, lens, n);
      this.counters.txDropped += n;
      return 0;
    }
    const ok = this.txChecked;
    if (ids !== ok.ids || lens !== ok.lens || !(n >= 0 && n <= ok.room)) this.checkArrays(ok, "txBurst", ids, lens, n);
    this.reclaimDue(n);
    const q = this.txq;
    const k = q.room(n);
    const c = this.counters;
    if (k > 0) {
      // Lengths checked where the device will read them, then the buffers claimed: nothing is
      // the device's before publish, so a bad frame leaves nothing behind.
      const bytes = q.fill(k, this.bufIova, ids, 0, lens);
      const sane = q.records.countWithin(q.slot, k, 8, 4, ETH_HLEN, this.frameMax);
      if (sane < k) throw new RangeError(`${this.label}: txBurst: frame ${sane} is ${lens[sane]} bytes; a frame is ${ETH_HLEN} to ${this.frameMax} bytes${this.frameMax < ETH_MAX_FRAME ? ` (the device's mtu ${this.mtu})` : ""}`);
      const claimed = transition(this.bufState, ids, 0, k, HELD, SENDING);
      if (claimed < k) this.refuseSend(ids, claimed);
      q.publish(k);
      if (q.wantsNotify()) this.transport.notify(this.txNotifyAt, TX_QUEUE);
      c.txPackets += k;
      c.txBytes += bytes;
      if (this.taps.size) this.tapBurst("tx", ids, lens, k);
    }
    if (k < n) c.txDropped += n - k;
    return k;
  }

  // ---- configuration --------------------------------------------------------------------------

  /**
   * Without VIRTIO_NET_F_CTRL_RX (not negotiated) the device keeps its own receive mode: QEMU's
   * passes every frame. So promiscuous is what the device does; asking for filtering is an Error.
   */
  setPromiscuous(on) {
    this.checkLive();
    if (!on) throw new Error(`${this.label}: receive filtering needs the control queue (VIRTIO_NET_F_CTRL_RX), which this driver does not drive: the device passes what it likes (QEMU: every frame)`);
  }
  get promiscuous() { return true; }
  set promiscuous(on) { this.setPromiscuous(!!on); }

  queueBad() { return (this.rxq?.bad ?? 0) + (this.txq?.bad ?? 0); }

  checkLive() {
    super.checkLive();
    if (this.lastError) throw this.lastError;
  }

  // ---- teardown ----------------------------------------------------------------------------------

  /**
   * Leave the device quiet, also after errors: handlers off, a device reset (4.1.4.3.1: the
   * device stops using its queues once device_status reads 0, waited for with a deadline), bus
   * mastering off (also when the reset did not finish: then no DMA can reach memory anyway),
   * and the queues and buffers freed. The first error is rethrown at the end.
   */
  shutdown() {
    if (this.removed) return;
    this.removed = true;
    this.up = false;
    this.mode_ = "off";
    clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.handlersOff();
    this.rejectWaiters(new Error(`${this.label}: removed while waiting for frames`));
    const errors = [];
    const step = (fn) => { try { fn(); } catch (e) { errors.push(e); } };
    const t = this.transport;
    t.close();                          // a recovery waiting for its reset writes nothing more
    let stopped = false;
    step(() => {
      t.common.DEVICE_STATUS.write(0);
      spinUntil(() => t.status() === 0, { us: this.opts.waitMs * 1000, what: `${this.label}: the device to reset at remove (device_status 0)` });
      stopped = true;
    });
    step(() => this.dev.disableBusMaster());
    // Memory the device may still reach stays allocated when neither the reset nor bus
    // mastering could be confirmed off.
    if (stopped || errors.length < 2) {
      for (const m of [this.rxq, this.txq, this.rxPool.dma, this.txPool.dma]) if (m) step(() => m.free());
    }
    if (errors.length) throw errors[0];
  }
}

export default driver({
  name: "virtio-net",
  description: "virtio network device, modern PCI (VIRTIO 1.x; QEMU's virtio-net-pci, every KVM cloud VM's NIC)",
  match: { pci: [{ vendor: VIRTIO_VENDOR, device: MODERN_DEVICE_BASE + VIRTIO_ID_NET }] },

  async probe(dev) {
    if (!LITTLE_ENDIAN_HOST) throw new Error(`virtio-net: ${dev.name}: the queues are written in host byte order; VIRTIO 1.x is little-endian`);
    const opts = options(dev);
    const transport = new Transport(dev, { waitMs: opts.waitMs });
    const nic = new VirtioNetDevice(dev, transport, opts);
    try {
      await nic.start();
    } catch (e) {
      try { nic.shutdown(); } catch { /* the bring-up error is the one to report */ }
      throw e;
    }
    return nic;
  },

  remove(nic) {
    nic.shutdown();
  },
});
