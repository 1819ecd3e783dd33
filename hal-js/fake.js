// jsk:fake — in-process fake devices for unit tests and fuzzing.
//
//   const fake = fakeDevice({ name: "edu", bus: "pci", ids: { vendor: 0x1234, device: 0x11e8 },
//                             regions: [{ index: 0, size: 0x100 }], irqs: 1 });
//   fake.on(0, 0x00, { read: () => 0x010000ed });        // behaviour of one register
//   fake.on(0, 0x08, { write: (v) => { ...; fake.raise(0); } });
//   const handle = await bind(eduDriver, fake.device);
//
// Registers without behaviour are plain memory (reads return what was last
// written). `fake.raise(i)` signals interrupt i; `fake.dmaRead/dmaWrite`
// are the device's side of DMA. `config: true` gives a PCI device a
// 256-byte config space (`fake.config`, plain memory the test fills in:
// capabilities, ids), which the driver sees as `dev.config`. `irqKind` says how the
// interrupts arrive (Device.irqKind: "msix" for a model of MSI-X vectors; "line" by default).

import { fakeRegion, fakeDma, fakeDmaRead, fakeDmaWrite } from "jsk:native";
import * as sys from "jsk:sys";
import { Device } from "jsk:hal/device";

class FakeDevice {
  constructor({ name = "fake", bus = "platform", ids = {}, regions = [{ index: 0, size: 0x1000 }], irqs = 0, irqKind = undefined, dma = true, config = false }) {
    this.name = name;
    this.regions = new Map();
    this.behaviour = new Map(); // region key -> Map(offset -> {read, write})
    this.accesses = [];
    this.recording = false;
    const descs = regions.map((r, i) => {
      const key = r.index ?? r.name ?? i;
      const label = r.name ?? (bus === "pci" ? `BAR${key}` : `${key}`);
      const region = fakeRegion(`${name} ${label}`, r.size, r.space ?? "mem");
      this.regions.set(key, region);
      const table = new Map();
      this.behaviour.set(key, table);
      region.setHook((op, offset, width, value) => {
        if (this.recording) this.accesses.push({ region: key, op, offset, width, value });
        const b = table.get(offset) ?? this.fallback?.get(key);
        if (!b) return undefined;
        if (op === "read") return b.read ? b.read(offset, width) : undefined;
        if (b.write) b.write(value, offset, width);
        return undefined;
      });
      return { index: r.index ?? (r.name === undefined ? i : undefined), name: r.name, region };
    });
    this.irqFds = Array.from({ length: irqs }, () => sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC));
    this.busMaster = false;
    this.released = false;
    this.config = config ? fakeRegion(`${name} config`, 256, "mem") : undefined;
    this.device = new Device({
      name,
      bus,
      ids,
      regions: descs,
      config: this.config,
      irqs: this.irqFds.map((fd) => ({ fd })),
      irqKind,
      dma: dma ? (size, align) => fakeDma(size, align) : undefined,
      busMaster: (on) => { this.busMaster = on; },
      release: () => { this.released = true; },
    });
  }
  /** The raw register file of a region (a Region). */
  region(key = 0) {
    const r = this.regions.get(key);
    if (!r) throw new Error(`${this.name}: no fake region ${key}`);
    return r;
  }
  /** Give register `offset` of region `key` behaviour: { read(offset, width) -> value|undefined, write(value, offset, width) }. */
  on(key, offset, behaviour) {
    this.region(key);
    this.behaviour.get(key).set(offset, behaviour);
    return this;
  }
  /** Behaviour for every register of region `key` without its own. */
  onAny(key, behaviour) {
    (this.fallback ??= new Map()).set(key, behaviour);
    return this;
  }
  /** Record every access ({region, op, offset, width, value}) into `accesses`. */
  record(on = true) {
    this.recording = on;
    if (on) this.accesses = [];
    return this;
  }
  /** Signal interrupt `i`. */
  raise(i = 0) {
    const fd = this.irqFds[i];
    if (fd === undefined) throw new Error(`${this.name}: no fake interrupt ${i}`);
    sys.eventfdWrite(fd, 1n);
  }
  dmaRead(iova, length) { return fakeDmaRead(iova, length); }
  dmaWrite(iova, bytes) { fakeDmaWrite(iova, bytes); }
  /** Close the interrupt eventfds. */
  close() {
    for (const fd of this.irqFds.splice(0)) sys.close(fd);
  }
}

export function fakeDevice(spec = {}) {
  return new FakeDevice(spec);
}
