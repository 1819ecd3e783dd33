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
import { I2c, I2cError, ErrorKind, NoAcknowledgeSource } from "jsk:hal/i2c";
import { SpiBus } from "jsk:hal/spi";
import { Pin } from "jsk:hal/gpio";

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

// ---- buses -------------------------------------------------------------------
//
// Fake I2C and SPI buses carry transfers to models in the test, byte by byte,
// the way QEMU's bus models do (hw/i2c/core.c, hw/ssi/ssi.c):
//
//   const bus = fakeI2cBus("i2c0", [tmp105Model({ address: 0x48 })]);
//   const t = await bind(lm75, bus.i2c.client(0x48));
//
// An I2C target model is { address (or addresses: [...]), event(kind, address)
// with kind "start-write" | "start-read" | "stop" (false to a START: no
// acknowledge), send(byte) -> true to acknowledge, recv() -> byte }.
// An SPI target model is { select(on), exchange(byte) -> byte }.


class FakeI2cBus {
  constructor(name, targets) {
    this.name = name;
    this.targets = new Map();
    for (const t of targets) this.attach(t);
    /** Every transaction carried: { address, segments: [{ read: n } | { write: [bytes] }] }. */
    this.log = [];
    /** Set to an ErrorKind to make the next transaction fail that way (after its address byte). */
    this.failNext = undefined;
    this.i2c = new I2c(name, { transaction: (address, segments) => this.carry(address, segments) });
  }
  /** Put a model on the bus at its `address` (or every one of its `addresses`). */
  attach(target) {
    const addresses = target?.addresses ?? [target?.address];
    for (const a of addresses) {
      if (!Number.isInteger(a)) throw new TypeError(`${this.name}: a target model needs an address`);
      if (this.targets.has(a)) throw new Error(`${this.name}: two models at 0x${a.toString(16)}`);
    }
    for (const a of addresses) this.targets.set(a, target);
    return target;
  }
  detach(target) {
    for (const [a, t] of this.targets) if (t === target) this.targets.delete(a);
  }
  async carry(address, segments) {
    this.log.push({ address, segments: segments.map((s) => (s.read ? { read: s.read.length } : { write: [...s.write] })) });
    const t = this.targets.get(address);
    const fault = this.failNext;
    this.failNext = undefined;
    try {
      for (const s of segments) {
        // A model answers false to a START it does not acknowledge (an EEPROM in its write cycle).
        if (!t || t.event(s.read ? "start-read" : "start-write", address) === false)
          throw new I2cError(`no acknowledge for address 0x${address.toString(16)}`, ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Address });
        if (fault) throw new I2cError(`injected ${fault}`, fault, { source: NoAcknowledgeSource.Data });
        if (s.read) {
          for (let i = 0; i < s.read.length; i++) s.read[i] = t.recv() & 0xff;
        } else {
          for (let i = 0; i < s.write.length; i++)
            if (!t.send(s.write[i])) throw new I2cError(`no acknowledge for data byte ${i}`, ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Data });
        }
      }
    } finally {
      t?.event("stop", address);
    }
  }
}

/** A fake I2C bus with target models; `.i2c` is its hal I2c. */
export function fakeI2cBus(name = "i2c-fake", targets = []) {
  return new FakeI2cBus(name, targets);
}

class FakeSpiBus {
  constructor(name) {
    this.name = name;
    this.selected = new Set();
    this.pins = 0;
    /** Every configure() the bus received. */
    this.configs = [];
    this.bus = new SpiBus(name, {
      configure: (c) => { this.configs.push(c); return c.frequency; },
      transfer: async (read, write) => {
        if (this.selected.size > 1) throw new Error(`${name}: ${this.selected.size} chips selected at once`);
        const [model] = this.selected;
        for (let i = 0; i < write.length; i++) read[i] = model ? model.exchange(write[i]) & 0xff : 0xff;
      },
    });
  }
  /** A chip-select Pin for `model` (active low): the model is selected while the pin is low. */
  cs(model, name = `${this.name}.cs${this.pins++}`) {
    let level = true;
    return new Pin(name, {
      write: (high) => {
        if (high === level) return;
        level = high;
        if (high) { this.selected.delete(model); model.select(false); }
        else { this.selected.add(model); model.select(true); }
      },
      read: () => level,
      direction: () => {},
    });
  }
}

/** A fake SPI bus: `.bus` is its hal SpiBus, `cs(model)` a chip-select Pin for a target model. */
export function fakeSpiBus(name = "spi-fake") {
  return new FakeSpiBus(name);
}
