// A modern virtio PCI device as QEMU 7.2 lays out virtio-net-pci with disable-legacy=on
// (VIRTIO 4.1.4): capabilities in config space pointing into BAR4 (common configuration at
// 0x0, ISR 0x1000, device configuration 0x2000, notify 0x3000 with multiplier 4), and the
// common configuration's behaviour: 64 feature bits behind the select registers, and
// device_status with reset and FEATURES_OK (VIRTIO 2.1, 3.1.1), config_generation (`generation`),
// per-queue registers behind queue_select (`queues[i]`, cleared by a reset, which also calls
// `onReset`), MSI-X vectors (`msix` of them; config_msix_vector, queue_msix_vector) or one
// INTx line, `queueMax` (queue_size of queues 0 and 1). `hostile.registers(offset)` may
// replace any BAR4 read. `slowReset` (ms): a reset that takes that long. Hostile switches:
// `refuseVectors` (no vector is kept),
// `refuseFeatures` (FEATURES_OK never stays set), `neverResets` (device_status never reads 0).
import { fakeDevice } from "jsk:fake";

export const BAR4_SIZE = 0x4000;
const STATUS = 0x14;
const FEATURES_OK = 8;

/** Capabilities from 0x40 as [id, body bytes after id and next], 4-byte aligned. */
export function writeCapabilities(config, caps, { status = 0x10 } = {}) {
  config.write16(0x06, status);
  let at = 0x40;
  config.write8(0x34, caps.length ? at : 0);
  caps.forEach(([id, body], i) => {
    const next = i + 1 < caps.length ? at + 2 + body.length + ((4 - ((2 + body.length) % 4)) % 4) : 0;
    config.write8(at, id);
    config.write8(at + 1, next);
    body.forEach((b, k) => config.write8(at + 2 + k, b));
    at = next;
  });
}
export const le32 = (v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** A virtio_pci_cap body (with notify_off_multiplier when given). */
export function virtioCap(type, bar, offset, length, multiplier) {
  const len = multiplier === undefined ? 16 : 20;
  return [0x09, [len, type, bar, 0, 0, 0, ...le32(offset), ...le32(length), ...(multiplier === undefined ? [] : le32(multiplier))]];
}
export const MSIX_CAP = [0x11, [0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]];
export const qemuCapabilities = () => [
  MSIX_CAP,
  virtioCap(1, 4, 0x0000, 0x1000),
  virtioCap(3, 4, 0x1000, 0x1000),
  virtioCap(4, 4, 0x2000, 0x1000),
  virtioCap(2, 4, 0x3000, 0x1000, 4),
  virtioCap(5, 0, 0, 0),
];

export function virtioPciModel({
  name = "virtio", deviceId = 0x1041, features = (1n << 32n) | (1n << 5n), refuseFeatures = false, neverResets = false,
  msix = 0, refuseVectors = false, queueMax = 256, slowReset = 0,
} = {}) {
  // `msix` vectors (MSI-X as VFIO enables it: one eventfd each), else one INTx line.
  const fake = fakeDevice({
    name, bus: "pci", ids: { vendor: 0x1af4, device: deviceId },
    regions: [{ index: 4, size: BAR4_SIZE }], irqs: msix || 1, irqKind: msix ? "msix" : undefined, config: true,
  });
  // `hostile.registers(offset)`: a value replacing any BAR4 read (undefined: the real one).
  const realOn = fake.on.bind(fake);
  fake.on = (key, offset, b) => realOn(key, offset, key !== 4 || !b.read ? b : {
    ...b, read: (o, w) => m.hostile.registers?.(offset) ?? b.read(o, w),
  });
  fake.onAny(4, { read: (o) => m.hostile.registers?.(o) });
  writeCapabilities(fake.config, qemuCapabilities());
  const bar = fake.region(4);
  const m = { fake, device: fake.device, bar, status: 0, driverFeatures: 0n, features, statusWrites: [], resets: 0, generation: 0, onReset: null, hostile: {}, msix, configVector: 0xffff, slowReset };
  fake.on(4, 0x04, { read: () => Number((m.features >> (bar.read32(0x00) ? 32n : 0n)) & 0xffffffffn) });
  fake.on(4, 0x0c, { write: (v) => {
    const hi = bar.read32(0x08) === 1;
    const keep = hi ? m.driverFeatures & 0xffffffffn : m.driverFeatures & (0xffffffffn << 32n);
    m.driverFeatures = keep | (BigInt(v >>> 0) << (hi ? 32n : 0n));
  } });
  /** 2.4: device_status 0, queues disabled and cleared, no vectors; never, with `neverResets`. */
  const reset = () => {
    if (neverResets) return;
    m.status = 0;
    m.driverFeatures = 0n;
    for (const q of m.queues) Object.assign(q, { size: q.max, vector: 0xffff, enable: 0, desc: 0n, driver: 0n, device: 0n, lastAvail: 0, usedIdx: 0 });
    m.configVector = 0xffff;
    m.resets++;
    m.onReset?.();
  };
  fake.on(4, STATUS, {
    read: () => m.status,
    write: (v) => {
      m.statusWrites.push(v);
      if (v === 0) {
        // With `slowReset` the reset completes that many ms later: device_status reads as it was.
        if (m.slowReset > 0) setTimeout(reset, m.slowReset); else reset();
        return;
      }
      // FEATURES_OK stays only for a subset of what was offered (and not when refusing).
      if ((v & FEATURES_OK) && !(m.status & FEATURES_OK) && (refuseFeatures || (m.driverFeatures & ~m.features) !== 0n)) v &= ~FEATURES_OK;
      m.status = v;
    },
  });
  bar.write16(0x12, 3);   // num_queues: receive, transmit, control
  // Per-queue registers behind queue_select (4.1.4.3): what the driver wrote, per queue.
  m.queues = Array.from({ length: 3 }, (_, i) => ({ max: i === 2 ? 64 : queueMax, size: i === 2 ? 64 : queueMax, vector: 0xffff, enable: 0, notifyOff: i, desc: 0n, driver: 0n, device: 0n, lastAvail: 0, usedIdx: 0 }));
  // MSI-X vectors (4.1.5.1.2): a vector the function has is kept, unless `refuseVectors`.
  const vector = (v) => (v !== 0xffff && (refuseVectors || v >= msix) ? 0xffff : v);
  fake.on(4, 0x10, { read: () => m.configVector, write: (v) => { m.configVector = vector(v); } });
  fake.on(4, 0x15, { read: () => m.generation & 0xff });   // config_generation (4.1.4.3)
  const sel = () => m.queues[bar.read16(0x16)];
  const reg16 = (off, key) => fake.on(4, off, { read: () => sel()?.[key] ?? 0, write: (v) => { const q = sel(); if (q) q[key] = v; } });
  reg16(0x18, "size");
  fake.on(4, 0x1a, { read: () => sel()?.vector ?? 0xffff, write: (v) => { const q = sel(); if (q) q.vector = vector(v); } });
  reg16(0x1c, "enable");
  fake.on(4, 0x1e, { read: () => sel()?.notifyOff ?? 0 });
  for (const [off, key] of [[0x20, "desc"], [0x28, "driver"], [0x30, "device"]]) {
    fake.on(4, off, { read: () => Number((sel()?.[key] ?? 0n) & 0xffffffffn), write: (v) => { const q = sel(); if (q) q[key] = (q[key] & (0xffffffffn << 32n)) | BigInt(v >>> 0); } });
    fake.on(4, off + 4, { read: () => Number((sel()?.[key] ?? 0n) >> 32n), write: (v) => { const q = sel(); if (q) q[key] = (q[key] & 0xffffffffn) | (BigInt(v >>> 0) << 32n); } });
  }
  return m;
}
