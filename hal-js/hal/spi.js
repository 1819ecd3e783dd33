// jsk:hal/spi — SpiBus and SpiDevice, named after embedded-hal 1.0's SPI
// traits (embedded-hal-async's: every call returns a promise), in camelCase.
//
// SpiBus is the controller without chip select: clocks and data lines.
// A controller driver makes one from:
//   new SpiBus("spi0", { configure({ mode, frequency, lsbFirst, chipSelect }) -> Hz actually used,
//                        transfer(read, write) -> Promise<void>, flush?() -> Promise<void> })
// where `transfer` clocks `write` out while filling `read` (two Uint8Arrays of one length).
//
// SpiDevice is one chip on a bus: its chip select held for a whole
// transaction, the bus configured for that chip (mode, frequency) and no other
// device's transfer in between. `SpiDevice.onBus(bus, { cs, mode, frequency })`
// makes one over a SpiBus with chip select on a Pin (or the controller's own
// line number); Linux's spidev gives a SpiDevice directly.
//
// Operations of a transaction (embedded-hal's Operation):
//   { read: n | Uint8Array }               clock in (writing 0x00)
//   { write: bytes }                       clock out, discard what comes in
//   { transfer: { read, write } }          both; the shorter one is padded (0x00) / discarded
//   { transferInPlace: Uint8Array }        write the buffer, replace it with what came in
//   { delayNs: n }                         wait with chip select held
// A transaction resolves with what its read, transfer and transferInPlace
// operations read, in order.

import { setTimeout } from "jsk:loop";
import { bytesOf, bufferOf, BusLock } from "jsk:hal/i2c";

/** SPI modes as Linux and most datasheets number them: CPOL (clock idle high) is bit 1, CPHA (capture on the second edge) bit 0. */
export const MODE_0 = 0;
export const MODE_1 = 1;
export const MODE_2 = 2;
export const MODE_3 = 3;

/** embedded-hal's Mode of a mode number: { polarity: "IdleLow" | "IdleHigh", phase: "CaptureOnFirstTransition" | "CaptureOnSecondTransition" }. */
export function modeOf(mode) {
  checkMode("spi", mode);
  return {
    polarity: mode & 2 ? "IdleHigh" : "IdleLow",
    phase: mode & 1 ? "CaptureOnSecondTransition" : "CaptureOnFirstTransition",
  };
}

function checkMode(name, mode) {
  if (!Number.isInteger(mode) || mode < 0 || mode > 3) throw new RangeError(`${name}: SPI mode ${String(mode)} is not 0..3`);
}

function checkConfig(name, { mode = 0, frequency, lsbFirst = false, chipSelect } = {}) {
  checkMode(name, mode);
  if (!(Number.isFinite(frequency) && frequency > 0)) throw new RangeError(`${name}: an SPI clock frequency in Hz is required, not ${String(frequency)}`);
  if (typeof lsbFirst !== "boolean") throw new TypeError(`${name}: lsbFirst must be true or false`);
  if (chipSelect !== undefined && !(Number.isInteger(chipSelect) && chipSelect >= 0)) throw new RangeError(`${name}: chipSelect must be a line number`);
  return { mode, frequency, lsbFirst, chipSelect };
}

/** Validate and normalise operations; returns { ops, reads } with every buffer made. */
export function operationsOf(name, operations) {
  if (!Array.isArray(operations)) throw new TypeError(`${name}: operations must be an array`);
  const reads = [];
  const ops = operations.map((op, i) => {
    const what = `${name}: operation ${i}`;
    const keys = op !== null && typeof op === "object" ? Object.keys(op) : [];
    if (keys.length !== 1) throw new TypeError(`${what} must be one of { read }, { write }, { transfer }, { transferInPlace }, { delayNs }`);
    const [key] = keys;
    switch (key) {
      case "read": { const b = bufferOf(op.read, what); reads.push(b); return { read: b }; }
      case "write": return { write: bytesOf(op.write, what) };
      case "transfer": {
        const t = op.transfer;
        if (t === null || typeof t !== "object") throw new TypeError(`${what}: transfer is { read, write }`);
        const r = bufferOf(t.read, what);
        reads.push(r);
        return { transfer: { read: r, write: bytesOf(t.write, what) } };
      }
      case "transferInPlace": {
        if (!(op.transferInPlace instanceof Uint8Array)) throw new TypeError(`${what}: transferInPlace needs a Uint8Array`);
        reads.push(op.transferInPlace);
        return { transferInPlace: op.transferInPlace };
      }
      case "delayNs": {
        if (!Number.isFinite(op.delayNs) || op.delayNs < 0 || op.delayNs > 1e9) throw new RangeError(`${what}: delayNs must be 0..1e9`);
        return { delayNs: op.delayNs };
      }
      default: throw new TypeError(`${what}: unknown operation "${key}"`);
    }
  });
  return { ops, reads };
}

const sleepNs = (ns) => new Promise((r) => setTimeout(r, ns / 1e6));

export class SpiBus {
  constructor(name, ops) {
    if (typeof ops?.transfer !== "function" || typeof ops?.configure !== "function")
      throw new TypeError(`SpiBus ${name}: ops.configure(config) and ops.transfer(read, write) are required`);
    this.name = name;
    this.ops = ops;
    this.lock = new BusLock();
    this.config = undefined;
    this.frequency = undefined;
  }

  /** Run `fn` once every earlier use of the bus has finished (SpiDevice holds the bus this way). */
  exclusive(fn) { return this.lock.run(fn); }

  /** Set mode (0..3), clock (Hz; the controller picks the nearest it can at or below) and bit order. Returns the bus. */
  configure(config) {
    const c = checkConfig(this.name, config);
    const same = this.config && c.mode === this.config.mode && c.frequency === this.config.frequency
      && c.lsbFirst === this.config.lsbFirst && c.chipSelect === this.config.chipSelect;
    if (!same) {
      this.frequency = this.ops.configure(c) ?? c.frequency;
      this.config = c;
    }
    return this;
  }

  /** The operations on the wire, without taking the bus (for SpiDevice inside `exclusive`). */
  async run(ops) {
    if (!this.config) throw new Error(`${this.name}: configure the bus (mode, frequency) before the first transfer`);
    for (const op of ops) {
      if (op.read) await this.ops.transfer(op.read, new Uint8Array(op.read.length));
      else if (op.write) { if (op.write.length) await this.ops.transfer(new Uint8Array(op.write.length), op.write); }
      else if (op.transfer) {
        const { read, write } = op.transfer;
        const n = Math.max(read.length, write.length);
        const out = write.length === n ? write : padded(write, n);
        const into = read.length === n ? read : new Uint8Array(n);
        if (n) await this.ops.transfer(into, out);
        if (into !== read) read.set(into.subarray(0, read.length));
      } else if (op.transferInPlace) {
        const buf = op.transferInPlace;
        if (buf.length) await this.ops.transfer(buf, buf.slice());
      } else if (op.delayNs !== undefined) await sleepNs(op.delayNs);
    }
  }

  /** Clock `write` out while reading `read` (a length or a Uint8Array); resolves with what was read. */
  async transfer(read, write) {
    const { ops, reads } = operationsOf(this.name, [{ transfer: { read, write } }]);
    await this.exclusive(() => this.run(ops));
    return reads[0];
  }
  async transferInPlace(buffer) {
    const { ops } = operationsOf(this.name, [{ transferInPlace: buffer }]);
    await this.exclusive(() => this.run(ops));
    return buffer;
  }
  async read(target) {
    const { ops, reads } = operationsOf(this.name, [{ read: target }]);
    await this.exclusive(() => this.run(ops));
    return reads[0];
  }
  async write(bytes) {
    const { ops } = operationsOf(this.name, [{ write: bytes }]);
    await this.exclusive(() => this.run(ops));
  }
  /** Resolves when every word written has left the controller. */
  flush() { return this.exclusive(() => this.ops.flush?.()); }
}

function padded(bytes, n) {
  const out = new Uint8Array(n);
  out.set(bytes);
  return out;
}

export class SpiDevice {
  /**
   * `ops.transaction(ops)` runs normalised operations with chip select held
   * (see operationsOf); `ops.maxTransfer` caps the bytes of one transaction.
   * `compatible` and device-tree style `properties` are what a device
   * driver's probe reads (a SpiDevice is what SPI chip drivers bind to).
   */
  constructor(name, ops, { compatible = [], properties = {} } = {}) {
    if (typeof ops?.transaction !== "function") throw new TypeError(`SpiDevice ${name}: ops.transaction(operations) is required`);
    this.name = name;
    this.ops = ops;
    this.bus = "spi";
    this.compatible = Object.freeze([...compatible]);
    this.properties = Object.freeze({ ...properties });
  }

  /** The most bytes one transaction may carry (undefined: no limit). */
  get maxTransfer() { return this.ops.maxTransfer; }

  /** Nothing to give back: the bus stays with its controller (bind calls this when probe fails). */
  release() {}

  /**
   * A device on `bus` with chip select `cs`: a Pin (driven low while selected,
   * high with `csActiveHigh`), a number (the controller's own select line), or
   * null (the chip's select is wired active). `mode` and `frequency` are
   * applied to the bus before each transaction.
   */
  static onBus(bus, { cs = null, mode = 0, frequency, lsbFirst = false, csActiveHigh = false, name, compatible, properties } = {}) {
    if (!(bus instanceof SpiBus)) throw new TypeError("SpiDevice.onBus: the first argument must be a SpiBus");
    const pin = cs !== null && typeof cs === "object" ? cs : null;
    if (pin && typeof pin.setState !== "function") throw new TypeError("SpiDevice.onBus: cs must be a Pin, a line number or null");
    const chipSelect = typeof cs === "number" ? cs : undefined;
    const config = checkConfig(bus.name, { mode, frequency, lsbFirst, chipSelect });
    const label = name ?? `${bus.name}.${pin ? pin.name : chipSelect ?? "0"}`;
    const idle = !csActiveHigh;
    if (pin) pin.intoOutput(idle);
    const dev = new SpiDevice(label, {
      transaction: (ops) => bus.exclusive(async () => {
        bus.configure(config);
        pin?.setState(!idle);
        try {
          await bus.run(ops);
          await bus.ops.flush?.();
        } finally {
          pin?.setState(idle);
        }
      }),
    }, { compatible, properties });
    dev.spiBus = bus;
    dev.config = config;
    return dev;
  }

  /** Chip select held for all `operations`; resolves with what the reading operations read, in order. */
  async transaction(operations) {
    const { ops, reads } = operationsOf(this.name, operations);
    if (ops.length === 0) return [];
    try {
      await this.ops.transaction(ops);
    } catch (e) {
      if (e instanceof Error && !e.message.startsWith(this.name)) e.message = `${this.name}: ${e.message}`;
      throw e;
    }
    return reads;
  }
  async read(target) { return (await this.transaction([{ read: target }]))[0]; }
  async write(bytes) { await this.transaction([{ write: bytes }]); }
  async transfer(read, write) { return (await this.transaction([{ transfer: { read, write } }]))[0]; }
  async transferInPlace(buffer) { return (await this.transaction([{ transferInPlace: buffer }]))[0]; }
}
