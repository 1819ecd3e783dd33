// A virtio-net device (VIRTIO 5.1) on the modern PCI transport model (./virtio_pci.js), for
// drivers/virtio/net.js without QEMU: split queues (2.7) read and written by DMA in the
// driver's memory, receiveq0 (0) and transmitq0 (1), the device configuration (5.1.4: mac,
// status, max_virtqueue_pairs, mtu) behind config_generation, and INTx through the ISR
// (4.1.4.5: reading it clears it).
//
// - A notification of the transmit queue sends every available chain: its device-readable
//   bytes less the 12-byte virtio_net_hdr are the frame (`transmitted[]`, `onTransmit`);
//   with `loopback`, each comes back on the receive queue.
// - inject(frame) receives a frame: the next available receive chain gets a header
//   (num_buffers 1) and the frame, or the frame is dropped (counters.noBuffer).
// - setLink(up) changes status.LINK_UP, config_generation, and raises a configuration
//   interrupt; needsReset() sets DEVICE_NEEDS_RESET the same way.
// - Interrupts follow the driver's avail flags (VIRTQ_AVAIL_F_NO_INTERRUPT): INTx through the
//   ISR, or with `msix` the queue's or the configuration's vector.
// - `noNotify` keeps VIRTQ_USED_F_NO_NOTIFY set in both used rings (the driver should then not
//   notify; the model still transmits on `kick()`); `deferTx` sends on the next loop turn
//   instead of at the notification (a device that works beside the driver).
//
// `hostile` makes the device lie (and hostile.registers, ./virtio_pci.js, any BAR4 read):
//   hostile.used(queue, entry)   -> change entry = { id, len } before it is written to the used ring
//   hostile.usedIdx(queue, idx)  -> the used index to write instead of idx
//   hostile.config(offset, v)    -> a device configuration byte to read instead of v
//   hostile.generation()         -> a config_generation to read (changing on every read: torn config)
import { virtioPciModel } from "./virtio_pci.js";
import { dmaWindow } from "./dma.js";

export const NET_F = Object.freeze({ CSUM: 0, MTU: 3, MAC: 5, MRG_RXBUF: 15, STATUS: 16, CTRL_VQ: 17 });
export const HDR_SIZE = 12;
const DEVICE_CFG = 0x2000;
const ISR = 0x1000;
const NOTIFY = 0x3000;
const LINK_UP = 1;
const NEEDS_RESET = 64;
const VERSION_1 = 1n << 32n;
const bit = (n) => 1n << BigInt(n);
export const DEFAULT_FEATURES = VERSION_1 | bit(NET_F.MAC) | bit(NET_F.STATUS) | bit(NET_F.MTU) | bit(NET_F.MRG_RXBUF) | bit(NET_F.CTRL_VQ);

export function virtioNetModel({
  name = "virtio0", mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x57], features = DEFAULT_FEATURES,
  loopback = true, linkUp = true, mtu = 1500, noNotify = false, deferTx = false, ...transport
} = {}) {
  const m = virtioPciModel({ name, deviceId: 0x1041, features, ...transport });
  const { fake, bar } = m;
  Object.assign(m, {
    loopback, linkUp, mac: Uint8Array.from(mac), transmitted: [], capture: true, onTransmit: null, isr: 0,
    counters: { sent: 0, received: 0, noBuffer: 0, oversize: 0, dmaFaults: 0, badChain: 0, interrupts: 0, notifies: [0, 0, 0] },
    inject, setLink, needsReset, noNotify, deferTx, kick: () => transmit(),
  });
  const dma = dmaWindow(fake.device, () => { m.counters.dmaFaults++; });

  // ---- device configuration (5.1.4), behind config_generation ----------------------------
  const config = new Uint8Array(12);
  const writeConfig = () => {
    config.set(m.mac, 0);
    config[6] = m.linkUp ? LINK_UP : 0;
    config[8] = 1;                                   // max_virtqueue_pairs
    config[10] = mtu & 0xff;
    config[11] = mtu >> 8;
  };
  writeConfig();
  const cfgByte = (i) => {
    const v = i < config.length ? config[i] : 0;
    return m.hostile.config ? (m.hostile.config(i, v) ?? v) : v;
  };
  for (let off = 0; off < 16; off++) {
    fake.on(4, DEVICE_CFG + off, {
      read: (_, width) => {
        let v = 0;
        for (let k = 0; k < width; k++) v |= cfgByte(off + k) << (8 * k);
        return v >>> 0;
      },
    });
  }
  fake.on(4, 0x15, { read: () => (m.hostile.generation ? m.hostile.generation() : m.generation) & 0xff });

  // ---- interrupts: the ISR (4.1.4.5) and the line ------------------------------------------
  fake.on(4, ISR, { read: () => { const v = m.isr; m.isr = 0; return v; } });
  /** `cause` 1 (queue `index`) or 2 (configuration): an MSI-X vector, or the ISR and the line. */
  function interrupt(cause, index) {
    m.counters.interrupts++;
    if (m.msix) {
      const v = cause === 2 ? m.configVector : m.queues[index].vector;
      if (v !== 0xffff) fake.raise(v);
      return;
    }
    m.isr |= cause;
    fake.raise(0);
  }
  function configChanged() {
    m.generation++;
    if (m.status & 4) interrupt(2);                  // only once the driver is up (DRIVER_OK)
  }
  function setLink(up) {
    m.linkUp = up;
    writeConfig();
    configChanged();
  }
  function needsReset() {
    m.status |= NEEDS_RESET;
    configChanged();
  }

  // ---- split queues (2.7) in the driver's memory -------------------------------------------
  const r16 = (u8, o) => u8[o] | (u8[o + 1] << 8);
  const r32 = (u8, o) => (u8[o] | (u8[o + 1] << 8) | (u8[o + 2] << 16) | (u8[o + 3] << 24)) >>> 0;
  const w16 = (u8, o, v) => { u8[o] = v & 0xff; u8[o + 1] = (v >> 8) & 0xff; };
  const w32 = (u8, o, v) => { w16(u8, o, v & 0xffff); w16(u8, o + 2, v >>> 16); };
  const live = (q) => q.enable && (m.status & 4) && !(m.status & NEEDS_RESET);

  /** The next available chain of queue `q`: { head, parts: [{ u8, off, len, write }] } or null. */
  function pop(q) {
    const avail = dma(Number(q.driver), 4 + 2 * q.size);
    if (!avail) return null;
    if (r16(avail.u8, avail.off + 2) === q.lastAvail) return null;
    const head = r16(avail.u8, avail.off + 4 + 2 * (q.lastAvail % q.size));
    q.lastAvail = (q.lastAvail + 1) & 0xffff;
    const parts = [];
    let d = head;
    for (let n = 0; ; n++) {
      const desc = d < q.size && n < q.size ? dma(Number(q.desc) + 16 * d, 16) : null;
      if (!desc) { m.counters.badChain++; return { head, parts: null }; }
      const { u8, off } = desc;
      const addr = r32(u8, off) + r32(u8, off + 4) * 2 ** 32;
      const len = r32(u8, off + 8);
      const flags = r16(u8, off + 12);
      const mem = len > 0 ? dma(addr, len) : { u8: null, off: 0 };
      if (!mem) return { head, parts: null };
      parts.push({ ...mem, len, write: (flags & 2) !== 0 });
      if (!(flags & 1)) break;
      d = r16(u8, off + 14);
    }
    return { head, parts };
  }

  /** Put { id, len } in queue `q`'s used ring and move its index; an interrupt unless suppressed. */
  function used(q, index, id, len) {
    const entry = { id, len };
    m.hostile.used?.(index, entry);
    const ring = dma(Number(q.device), 4 + 8 * q.size);
    if (!ring) return;
    const at = ring.off + 4 + 8 * (q.usedIdx % q.size);
    w32(ring.u8, at, entry.id);
    w32(ring.u8, at + 4, entry.len);
    q.usedIdx = (q.usedIdx + 1) & 0xffff;
    w16(ring.u8, ring.off + 2, m.hostile.usedIdx ? m.hostile.usedIdx(index, q.usedIdx) : q.usedIdx);
    const avail = dma(Number(q.driver), 2);
    if (avail && !(r16(avail.u8, avail.off) & 1)) interrupt(1, index);
  }

  /** VIRTQ_USED_F_NO_NOTIFY in queue `q`'s used ring, as `noNotify` says. */
  function usedFlags(q) {
    const ring = dma(Number(q.device), 2);
    if (ring) w16(ring.u8, ring.off, m.noNotify ? 1 : 0);
  }

  function transmit() {
    const q = m.queues[1];
    if (!live(q)) return;
    usedFlags(q);
    usedFlags(m.queues[0]);
    for (let c; (c = pop(q)) !== null;) {
      if (c.parts === null) continue;
      const bytes = [];
      for (const p of c.parts) if (!p.write && p.u8) for (let i = 0; i < p.len; i++) bytes.push(p.u8[p.off + i]);
      used(q, 1, c.head, 0);
      if (bytes.length < HDR_SIZE) { m.counters.badChain++; continue; }
      const frame = Uint8Array.from(bytes.slice(HDR_SIZE));
      m.counters.sent++;
      if (m.capture) m.transmitted.push(frame);
      m.onTransmit?.(frame);
      if (m.loopback) inject(frame);
    }
  }

  /** Receive `frame`: into the next receive chain with its header, or dropped. Returns whether it was taken. */
  function inject(frame) {
    const q = m.queues[0];
    if (!live(q) || !m.linkUp) return false;
    const c = pop(q);
    if (c === null) { m.counters.noBuffer++; return false; }
    if (c.parts === null) return false;
    const data = new Uint8Array(HDR_SIZE + frame.length);
    data[10] = 1;                                    // num_buffers (5.1.6.4)
    data.set(frame, HDR_SIZE);
    const room = c.parts.reduce((a, p) => a + (p.write ? p.len : 0), 0);
    if (room < data.length) { m.counters.oversize++; used(q, 0, c.head, 0); return false; }
    let done = 0;
    for (const p of c.parts) {
      if (!p.write || done === data.length) continue;
      const k = Math.min(p.len, data.length - done);
      p.u8.set(data.subarray(done, done + k), p.off);
      done += k;
    }
    m.counters.received++;
    used(q, 0, c.head, data.length);
    return true;
  }

  m.queues.forEach((q, i) => {
    fake.on(4, NOTIFY + 4 * q.notifyOff, { write: (v) => {
      m.counters.notifies[i]++;
      if ((v & 0xffff) !== 1) return;
      if (m.deferTx) setTimeout(transmit, 0); else transmit();
    } });
  });
  return m;
}
