// jsk:virtio/pci — the virtio PCI transport, modern (virtio 1.x) devices only: how a driver
// finds a device's structures and talks to its common configuration. Device drivers
// (drivers/virtio/net.js, ...) are built on it; this module knows no device type.
//
// Reference: OASIS, "Virtual I/O Device (VIRTIO) Version 1.2", cited as "VIRTIO x.y":
// 4.1.4 (virtio structure PCI capabilities), 4.1.4.3 (common configuration), 4.1.4.4
// (notifications), 4.1.4.5 (ISR status), 2.1 (device status), 2.2 (feature bits),
// 3.1 (device initialization).
//
// Nothing the device presents is trusted: every capability is checked (inside config space,
// no loop in the list, a BAR that exists and is memory, the structure inside its BAR, the
// length the spec requires) before it is used, and a device without what a modern driver
// needs gets an Error that says what is missing.

import { registers, waitFor } from "jsk:hal";

// VIRTIO 4.1.2: PCI ids. Modern devices are 0x1040 + the device type (5: device types).
export const VIRTIO_VENDOR = 0x1af4;
export const MODERN_DEVICE_BASE = 0x1040;

// PCI 3.0 config space: status register bit 4 says there is a capability list at 0x34.
const PCI_STATUS = 0x06;
const PCI_STATUS_CAP_LIST = 1 << 4;
const PCI_CAPABILITY_LIST = 0x34;
const PCI_CAP_ID_VNDR = 0x09;
const PCI_CONFIG_SIZE = 256;      // the capability list lives in the first 256 bytes
const MAX_CAPS = 48;              // (256 - 64) / 4: more than this is a loop

// VIRTIO 4.1.4: struct virtio_pci_cap { cap_vndr, cap_next, cap_len, cfg_type, bar, id,
// padding[2], le32 offset, le32 length }, 16 bytes; the notify capability adds le32
// notify_off_multiplier at 16.
const CAP_LEN = 2;
const CAP_CFG_TYPE = 3;
const CAP_BAR = 4;
const CAP_ID = 5;
const CAP_OFFSET = 8;
const CAP_LENGTH = 12;
const CAP_NOTIFY_MULTIPLIER = 16;
const CAP_SIZE = 16;
const NOTIFY_CAP_SIZE = 20;

/** VIRTIO 4.1.4: cfg_type values. */
export const CFG = Object.freeze({ COMMON: 1, NOTIFY: 2, ISR: 3, DEVICE: 4, PCI: 5, SHARED_MEMORY: 8, VENDOR: 9 });
const CFG_NAMES = Object.fromEntries(Object.entries(CFG).map(([k, v]) => [v, k]));

/** VIRTIO 4.1.4.3: struct virtio_pci_common_cfg. 64-bit fields as 32-bit halves, low first (4.1.3.1). */
export const COMMON = registers({
  DEVICE_FEATURE_SELECT: { offset: 0x00 },
  DEVICE_FEATURE: { offset: 0x04, access: "r" },
  DRIVER_FEATURE_SELECT: { offset: 0x08 },
  DRIVER_FEATURE: { offset: 0x0c },
  CONFIG_MSIX_VECTOR: { offset: 0x10, width: 16 },
  NUM_QUEUES: { offset: 0x12, width: 16, access: "r" },
  // 2.1: ACKNOWLEDGE 1, DRIVER 2, DRIVER_OK 4, FEATURES_OK 8, DEVICE_NEEDS_RESET 64, FAILED 128.
  DEVICE_STATUS: { offset: 0x14, width: 8, fields: {
    ACKNOWLEDGE: 0, DRIVER: 1, DRIVER_OK: 2, FEATURES_OK: 3, DEVICE_NEEDS_RESET: 6, FAILED: 7,
  } },
  CONFIG_GENERATION: { offset: 0x15, width: 8, access: "r" },
  QUEUE_SELECT: { offset: 0x16, width: 16 },
  QUEUE_SIZE: { offset: 0x18, width: 16 },
  QUEUE_MSIX_VECTOR: { offset: 0x1a, width: 16 },
  QUEUE_ENABLE: { offset: 0x1c, width: 16 },
  QUEUE_NOTIFY_OFF: { offset: 0x1e, width: 16, access: "r" },
  QUEUE_DESC_LO: { offset: 0x20 },
  QUEUE_DESC_HI: { offset: 0x24 },
  QUEUE_DRIVER_LO: { offset: 0x28 },
  QUEUE_DRIVER_HI: { offset: 0x2c },
  QUEUE_DEVICE_LO: { offset: 0x30 },
  QUEUE_DEVICE_HI: { offset: 0x34 },
}, { device: "virtio common configuration" });
/** The common configuration up to queue_device: what a 1.0 device has at least. */
export const COMMON_CFG_MIN = 0x38;
/** VIRTIO 4.1.4.5: the ISR status is one byte. */
const ISR_MIN = 1;
/** VIRTIO 4.1.4.3 msix_config / queue_msix_vector: no vector. */
export const NO_VECTOR = 0xffff;

/** VIRTIO 6: reserved feature bits this transport knows (device types have bits 0-23). */
export const FEATURE = Object.freeze({
  INDIRECT_DESC: 28n, EVENT_IDX: 29n, VERSION_1: 32n, ACCESS_PLATFORM: 33n, RING_PACKED: 34n,
  IN_ORDER: 35n, ORDER_PLATFORM: 36n, SR_IOV: 37n, NOTIFICATION_DATA: 38n,
});
/** A feature set from bit numbers: bits(FEATURE.VERSION_1, 5n). */
export const bits = (...ns) => ns.reduce((a, n) => a | (1n << BigInt(n)), 0n);

const hex = (v) => "0x" + v.toString(16);
const bitList = (set) => {
  const out = [];
  for (let i = 0n; i < 64n; i++) if (set & (1n << i)) out.push(Number(i));
  return out.join(", ");
};

/**
 * The virtio structures of a device (VIRTIO 4.1.4), read from PCI config space `config` (a
 * Region: read8/read16/read32). Returns `{ common, notify, isr, device, pci }`, each
 * `{ bar, offset, length, id }` (notify also `multiplier`), the first capability of each type
 * (4.1.4: "the driver SHOULD use the first instance"); `device` and `pci` may be missing.
 * `bars(i)` tells the size of memory BAR `i`, or undefined when it is not a memory BAR.
 * Throws an Error naming the device (`name`) and what is wrong.
 */
export function findStructures(name, config, bars) {
  if (!config) throw new Error(`${name}: no PCI config space on this backend: the virtio transport reads its capabilities there`);
  if ((config.read16(PCI_STATUS) & PCI_STATUS_CAP_LIST) === 0)
    throw new Error(`${name}: no PCI capability list (status register ${hex(config.read16(PCI_STATUS))}): not a modern virtio device`);
  const found = {};
  const seen = new Set();
  let at = config.read8(PCI_CAPABILITY_LIST) & 0xfc;
  for (let n = 0; at !== 0; n++) {
    if (n >= MAX_CAPS || seen.has(at)) throw new Error(`${name}: the PCI capability list loops (at ${hex(at)})`);
    if (at < 0x40 || at + 2 > PCI_CONFIG_SIZE) throw new Error(`${name}: a PCI capability at ${hex(at)} lies outside the capability area`);
    seen.add(at);
    const id = config.read8(at);
    const next = config.read8(at + 1) & 0xfc;
    if (id === PCI_CAP_ID_VNDR) {
      const cap = readCap(name, config, at, bars);
      if (cap && found[cap.kind] === undefined) found[cap.kind] = cap;
    }
    at = next;
  }
  const missing = ["COMMON", "NOTIFY", "ISR"].filter((k) => found[k] === undefined);
  if (missing.length)
    throw new Error(`${name}: no usable virtio ${missing.join(", ")} capability (VIRTIO 4.1.4): a modern (1.x) device has them; a legacy-only device is not supported`);
  if (found.COMMON.length < COMMON_CFG_MIN)
    throw new Error(`${name}: the common configuration is ${found.COMMON.length} bytes; VIRTIO 4.1.4.3 needs at least ${COMMON_CFG_MIN}`);
  if (found.ISR.length < ISR_MIN) throw new Error(`${name}: the ISR capability has length 0`);
  return { common: found.COMMON, notify: found.NOTIFY, isr: found.ISR, device: found.DEVICE, pci: found.PCI };
}

/** One vendor capability; null for one the driver must ignore (4.1.4: reserved BAR, unknown type). */
function readCap(name, config, at, bars) {
  const len = config.read8(at + CAP_LEN);
  const type = config.read8(at + CAP_CFG_TYPE);
  const kind = CFG_NAMES[type];
  if (kind === undefined || kind === "SHARED_MEMORY" || kind === "VENDOR") return null;
  const where = `${name}: virtio ${kind} capability at ${hex(at)}`;
  const size = type === CFG.NOTIFY ? NOTIFY_CAP_SIZE : CAP_SIZE;
  if (len < size || at + size > PCI_CONFIG_SIZE) throw new Error(`${where}: ${len} bytes long; it takes ${size}`);
  const bar = config.read8(at + CAP_BAR);
  if (bar > 5) return null;       // 4.1.4: "MUST ignore any ... which has a reserved bar value"
  const cap = {
    kind, bar, id: config.read8(at + CAP_ID),
    offset: config.read32(at + CAP_OFFSET) >>> 0, length: config.read32(at + CAP_LENGTH) >>> 0,
  };
  if (type === CFG.NOTIFY) cap.multiplier = config.read32(at + CAP_NOTIFY_MULTIPLIER) >>> 0;
  if (type === CFG.PCI) return cap;    // a window through config space: its BAR fields are the driver's to set
  const barSize = bars(bar);
  if (barSize === undefined) throw new Error(`${where}: BAR${bar} is not a memory BAR of this device`);
  if (cap.offset + cap.length > barSize)
    throw new Error(`${where}: ${hex(cap.offset)} + ${hex(cap.length)} runs past BAR${bar}'s ${hex(barSize)} bytes`);
  return cap;
}

/**
 * Where queue `notifyOff`'s notifications go in the notify structure (VIRTIO 4.1.4.4:
 * cap.offset + queue_notify_off * notify_off_multiplier), checked to hold a 16-bit write.
 */
export function notifyAddress(name, notify, notifyOff) {
  const off = notifyOff * notify.multiplier;
  if (!(off + 2 <= notify.length))
    throw new Error(`${name}: queue_notify_off ${notifyOff} x multiplier ${notify.multiplier} lies outside the ${notify.length}-byte notify structure`);
  if ((notify.offset + off) % 2 !== 0)
    throw new Error(`${name}: the notify address ${hex(notify.offset + off)} (queue_notify_off ${notifyOff} x multiplier ${notify.multiplier}) cannot take the 16-bit write of 4.1.5.2`);
  return notify.offset + off;
}

/** The size of memory BAR `i` of `dev`, or undefined. */
function memoryBarSize(dev, i) {
  if (!dev.hasRegion(i)) return undefined;
  const r = dev.bar(i);
  return r.space === "mem" ? r.size : undefined;
}

/**
 * A modern virtio PCI device's transport: its structures bound (constructing it reads config
 * space only), the status handshake of VIRTIO 3.1.1, feature negotiation (2.2) and reset.
 */
export class Transport {
  constructor(dev, { waitMs = 1000 } = {}) {
    this.dev = dev;
    this.name = dev.name;
    this.waitMs = waitMs;
    const s = findStructures(dev.name, dev.config, (i) => memoryBarSize(dev, i));
    this.structures = s;
    this.common = COMMON.on(dev.bar(s.common.bar), { base: s.common.offset });
    this.isr = { region: dev.bar(s.isr.bar), offset: s.isr.offset };
    this.notifyRegion = dev.bar(s.notify.bar);
    this.deviceConfig = s.device ? { region: dev.bar(s.device.bar), offset: s.device.offset, length: s.device.length } : null;
    this.features = 0n;
    this.closed = false;          // the device was let go of: begin() stops at its next step
  }

  /** device_status now (VIRTIO 2.1). */
  status() { return this.common.DEVICE_STATUS.read(); }

  /**
   * VIRTIO 4.1.4.3.1 / 2.4.1: write 0, then wait (with a deadline) until device_status reads
   * 0: the device has stopped using its queues. A device that never gets there is an Error.
   */
  async reset() {
    this.common.DEVICE_STATUS.write(0);
    await waitFor(() => this.status() === 0, { ms: this.waitMs, what: `${this.name}: the virtio device to reset (device_status 0)` });
    this.features = 0n;
  }

  /** The 64 feature bits the device offers (device_feature, two 32-bit halves). */
  deviceFeatures() {
    const c = this.common;
    c.DEVICE_FEATURE_SELECT.write(0);
    const lo = c.DEVICE_FEATURE.read();
    c.DEVICE_FEATURE_SELECT.write(1);
    const hi = c.DEVICE_FEATURE.read();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * VIRTIO 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, accept `required` and whichever of
   * `optional` the device offers (less what `check(offered)` leaves out, having read the device
   * configuration), FEATURES_OK, and read it back. Returns the accepted set. After close()
   * (the device removed while the reset was waited for) it writes nothing more: an Error.
   * A device lacking a required bit, or refusing the set (FEATURES_OK not kept), is left
   * FAILED and is an Error naming the bits.
   */
  async begin({ required = bits(FEATURE.VERSION_1), optional = 0n, check = undefined } = {}) {
    await this.reset();
    if (this.closed) throw new Error(`${this.name}: removed while it was reset`);
    const status = this.common.DEVICE_STATUS;
    status.set({ ACKNOWLEDGE: 1 });
    status.set({ DRIVER: 1 });
    const offered = this.deviceFeatures();
    const missing = required & ~offered;
    if (missing) {
      this.fail();
      throw new Error(`${this.name}: the device does not offer feature bit(s) ${bitList(missing)} (offered: ${bitList(offered) || "none"})` +
        (missing & bits(FEATURE.VERSION_1) ? "; without VERSION_1 (32) it is a legacy device, which this driver does not drive" : ""));
    }
    // 3.1.1 step 4: the driver may read the device configuration before it accepts a feature;
    // `check(offered)` returns optional bits to leave out after all.
    const dropped = check ? check(offered) : 0n;
    const accepted = offered & (required | (optional & ~dropped));
    const c = this.common;
    c.DRIVER_FEATURE_SELECT.write(0);
    c.DRIVER_FEATURE.write(Number(accepted & 0xffffffffn));
    c.DRIVER_FEATURE_SELECT.write(1);
    c.DRIVER_FEATURE.write(Number(accepted >> 32n));
    status.set({ FEATURES_OK: 1 });
    if (!status.FEATURES_OK.isSet()) {
      this.fail();
      throw new Error(`${this.name}: the device refused feature bits ${bitList(accepted)} (FEATURES_OK did not stay set, VIRTIO 3.1.1 step 6)`);
    }
    this.features = accepted;
    return accepted;
  }

  /** VIRTIO 3.1.1 step 8: the driver is set up; the device may use its queues. */
  ready() { this.common.DEVICE_STATUS.set({ DRIVER_OK: 1 }); }

  /** VIRTIO 2.1: FAILED, best effort (the device may be gone). */
  fail() {
    try { this.common.DEVICE_STATUS.set({ FAILED: 1 }); } catch { /* the error that led here is the one to report */ }
  }

  /** Whether the device asks for a reset (DEVICE_NEEDS_RESET, VIRTIO 2.1.1). */
  needsReset() { return this.common.DEVICE_STATUS.DEVICE_NEEDS_RESET.isSet(); }

  /** Whether the accepted set has feature bit `n`. */
  has(n) { return (this.features & (1n << BigInt(n))) !== 0n; }

  /** How many queues the device has (num_queues). */
  get queueCount() { return this.common.NUM_QUEUES.read(); }

  /**
   * The largest size queue `index` takes (queue_size as the device presents it, 4.1.4.3);
   * 0 for a queue that does not exist. RangeError for an index beyond num_queues.
   */
  maxQueueSize(index) {
    const n = this.queueCount;
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`${this.name}: queue ${index}: the device has ${n} queues`);
    this.common.QUEUE_SELECT.write(index);
    return this.common.QUEUE_SIZE.read();
  }

  /**
   * Give queue `q` (a SplitQueue of `q.size` descriptors) to the device (VIRTIO 4.1.5.1.3):
   * its size, its three areas, its MSI-X vector (NO_VECTOR by default) and enable, in that
   * order. Returns `{ notify, vector }`: where its notifications go in the notify structure,
   * and the vector the device kept (NO_VECTOR when it refused the one asked for, 4.1.5.1.2:
   * the queue then signals nothing). Before DRIVER_OK.
   */
  setupQueue(q, { vector = NO_VECTOR } = {}) {
    const c = this.common;
    const max = this.maxQueueSize(q.index);
    if (max === 0) throw new Error(`${this.name}: queue ${q.index} is not available (queue_size 0)`);
    if (q.size > max) throw new RangeError(`${this.name}: queue ${q.index} takes at most ${max} descriptors, not ${q.size}`);
    if (c.QUEUE_ENABLE.read() !== 0) throw new Error(`${this.name}: queue ${q.index} is enabled already (reset the device first)`);
    c.QUEUE_SIZE.write(q.size);
    const a = q.addresses;
    const lo = (v) => Number(v & 0xffffffffn);
    const hi = (v) => Number(v >> 32n);
    c.QUEUE_DESC_LO.write(lo(a.desc));
    c.QUEUE_DESC_HI.write(hi(a.desc));
    c.QUEUE_DRIVER_LO.write(lo(a.driver));
    c.QUEUE_DRIVER_HI.write(hi(a.driver));
    c.QUEUE_DEVICE_LO.write(lo(a.device));
    c.QUEUE_DEVICE_HI.write(hi(a.device));
    c.QUEUE_MSIX_VECTOR.write(vector);
    let kept = vector;
    if (vector !== NO_VECTOR && c.QUEUE_MSIX_VECTOR.read() !== vector) {
      c.QUEUE_MSIX_VECTOR.write(NO_VECTOR);
      kept = NO_VECTOR;
    }
    const notify = notifyAddress(this.name, this.structures.notify, c.QUEUE_NOTIFY_OFF.read());
    c.QUEUE_ENABLE.write(1);
    return { notify, vector: kept };
  }

  /** The device was let go of (remove): a begin() waiting for its reset writes nothing more. */
  close() { this.closed = true; }

  /** Tell the device queue `index` has new buffers: a 16-bit write of its index (4.1.5.2). */
  notify(notifyAt, index) { this.notifyRegion.write16(notifyAt, index); }

  /** Read (and so clear, 4.1.4.5) the ISR status: bit 0 a queue interrupt, bit 1 a configuration change. */
  readIsr() { return this.isr.region.read8(this.isr.offset); }
}
