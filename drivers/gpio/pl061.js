// ARM PrimeCell GPIO (PL061), 8 lines.
// Reference: PrimeCell GPIO (PL061) Technical Reference Manual, ARM DDI 0190B:
// §3.2 summary of registers (Table 3-1), §3.3 register descriptions (GPIODATA,
// GPIODIR, the interrupt registers, GPIOAFSEL, the peripheral and PrimeCell
// identification registers); QEMU hw/gpio/pl061.c for what the
// model does (writes to GPIODATA only reach pins configured as outputs).
//
// Handle: { pin(n), read(), write(mask, value), lines, mode, lastError }.
//   pin(n)            a jsk:hal Pin for line n (0..7; RangeError otherwise), the same object each time.
//                     Pins report edges (pin.on("edge", cb, { edge }), waitFor*Edge) by the
//                     device's interrupt 0, or by polling GPIORIS every millisecond without one.
//   read()            the level of all 8 lines (bit n = line n), one access.
//   write(mask, v)    drive the output lines in `mask` to the bits of `v` in one access; others untouched.
//   mode              "irq" or "poll" (how edges are seen).
//   lastError         the error that stopped edge reporting, if one did.

import { driver, registers, Pin, EdgeSubscribers, IrqOrPoll } from "jsk:hal";

const LINES = 8;
const ALL = 0xff;
// §3.3.1 GPIODATA, 0x000-0x3fc: address bits [9:2] mask the lines an access reads or writes.
const GPIODATA = 0x000;
const dataOffset = (mask) => GPIODATA + (mask << 2);

// §3.2 Table 3-1. Registers are 32-bit; bits [7:0] hold one bit per line.
const PL061 = registers({
  GPIODIR:   { offset: 0x400 },                         // 1: output
  GPIOIS:    { offset: 0x404 },                         // interrupt sense, 1: level, 0: edge
  GPIOIBE:   { offset: 0x408 },                         // 1: both edges
  GPIOIEV:   { offset: 0x40c },                         // 1: rising edge / high level
  GPIOIE:    { offset: 0x410 },                         // 1: interrupt not masked
  GPIORIS:   { offset: 0x414, access: "r" },            // raw interrupt status
  GPIOMIS:   { offset: 0x418, access: "r" },            // masked interrupt status
  GPIOIC:    { offset: 0x41c, access: "w" },            // write 1: clear an edge interrupt
  GPIOAFSEL: { offset: 0x420 },                         // 1: line under hardware (alternate) control
  GPIOPeriphID0: { offset: 0xfe0, access: "r", fields: { PART_LO: [7, 0] } },
  GPIOPeriphID1: { offset: 0xfe4, access: "r", fields: { PART_HI: [3, 0], DESIGNER_LO: [7, 4] } },
  GPIOPeriphID2: { offset: 0xfe8, access: "r", fields: { DESIGNER_HI: [3, 0], REVISION: [7, 4] } },
  GPIOPeriphID3: { offset: 0xfec, access: "r", fields: { CONFIGURATION: [7, 0] } },
  GPIOPCellID0:  { offset: 0xff0, access: "r" },
  GPIOPCellID1:  { offset: 0xff4, access: "r" },
  GPIOPCellID2:  { offset: 0xff8, access: "r" },
  GPIOPCellID3:  { offset: 0xffc, access: "r" },
}, { device: "pl061" });

const PART_NUMBER = 0x061;
const DESIGNER_ARM = 0x41;
const PCELL_ID = [0x0d, 0xf0, 0x05, 0xb1];
const POLL_MS = 1;

const hex = (v) => (v & 0xff).toString(16).padStart(2, "0");

function registerWindow(dev) {
  return dev.region(dev.hasRegion("regs") ? "regs" : 0);
}

function interruptOf(dev) {
  return dev.irqCount > 0 ? dev.irq(0) : null;
}

/** GPIOPeriphID0-3 and GPIOPCellID0-3: part 0x061, designer 0x41 (ARM), PrimeCell ID 0d f0 05 b1; any revision and configuration. */
function checkIdentification(dev, regs) {
  const pid = [regs.GPIOPeriphID0, regs.GPIOPeriphID1, regs.GPIOPeriphID2, regs.GPIOPeriphID3].map((r) => r.read() & 0xff);
  const cid = [regs.GPIOPCellID0, regs.GPIOPCellID1, regs.GPIOPCellID2, regs.GPIOPCellID3].map((r) => r.read() & 0xff);
  const { PART_LO } = regs.GPIOPeriphID0.decode(pid[0]);
  const { PART_HI, DESIGNER_LO } = regs.GPIOPeriphID1.decode(pid[1]);
  const { DESIGNER_HI, REVISION } = regs.GPIOPeriphID2.decode(pid[2]);
  const part = PART_LO | (PART_HI << 8);
  const designer = DESIGNER_LO | (DESIGNER_HI << 4);
  if (part !== PART_NUMBER || designer !== DESIGNER_ARM || cid.some((b, i) => b !== PCELL_ID[i]))
    throw new Error(`pl061: ${dev.name}: identification registers read PeriphID ${pid.map(hex).join(" ")} PCellID ${cid.map(hex).join(" ")}; `
      + `expected part 0x061 by ARM (0x41) and PCellID 0d f0 05 b1`);
  return REVISION;
}

class Pl061 {
  constructor(dev, regs, region, irq, revision) {
    this.dev = dev;
    this.name = dev.name;
    this.regs = regs;
    this.region = region;
    this.irq = irq;
    this.revision = revision;
    this.lines = LINES;
    this.mode = irq ? "irq" : "poll";
    this.pins = new Array(LINES);
    this.edges = new EdgeSubscribers({
      configure: (line) => this.configureLine(line),
      start: () => this.startEvents(),
      stop: () => this.stopEvents(),
    });
    this.watched = 0;                                   // lines with at least one subscriber
    this.lastError = undefined;
    this.events = new IrqOrPoll(irq, POLL_MS, () => this.scanEvents());
  }

  /** The level of every line: bit n is line n. */
  read() {
    return this.region.read32(dataOffset(ALL)) & ALL;
  }

  /** Drive the lines in `mask` to the matching bits of `value`; lines outside the mask keep their level. */
  write(mask, value) {
    if (!Number.isInteger(mask) || mask < 0 || mask > ALL) throw new RangeError(`${this.name}: line mask ${mask} is not 0..0xff`);
    this.region.write32(dataOffset(mask), value & mask);
  }

  /** Set or clear the bits of `mask` in a per-line register (read-modify-write of bits [7:0]). */
  update(reg, mask, on) {
    const v = reg.read() & ALL;
    reg.write(on ? v | mask : v & ~mask & ALL);
  }

  pin(n) {
    if (!Number.isInteger(n) || n < 0 || n >= LINES) throw new RangeError(`${this.name}: no line ${n} (a PL061 has lines 0..7)`);
    if (this.pins[n]) return this.pins[n];
    const bit = 1 << n;
    const offset = dataOffset(bit);
    const { region } = this;
    let level = false;
    this.update(this.regs.GPIOAFSEL, bit, false);      // GPIOAFSEL 0: software, not hardware, controls the line
    const ops = {
      write: (high) => {
        level = high;
        region.write32(offset, high ? bit : 0);
      },
      read: () => (region.read32(offset) & bit) !== 0,
      direction: (dir) => {
        this.update(this.regs.GPIODIR, bit, dir === "out");
        // Writes to GPIODATA reach only output lines: drive the level again now that it is one.
        if (dir === "out") region.write32(offset, level ? bit : 0);
      },
      edges: (edge, cb) => this.edges.subscribe(n, edge, cb),
    };
    return (this.pins[n] = new Pin(`${this.name}.${n}`, ops));
  }

  // ---- edges -------------------------------------------------------------

  /** GPIOIS/IBE/IEV/IE: mask the line, set edge sense (IS 0) and which edges (IBE, IEV), clear what is pending, unmask. */
  configureLine(line) {
    const { regs } = this;
    const bit = 1 << line;
    const { rising, falling } = this.edges.edgesOf(line);
    this.update(regs.GPIOIE, bit, false);
    if (!rising && !falling) {
      this.watched &= ~bit;
      return;
    }
    this.update(regs.GPIOIS, bit, false);
    this.update(regs.GPIOIBE, bit, rising && falling);
    this.update(regs.GPIOIEV, bit, rising);
    regs.GPIOIC.write(bit);
    this.watched |= bit;
    if (this.irq) this.update(regs.GPIOIE, bit, true);
  }

  /** Watch for edges while anyone subscribes (this keeps the process alive, as a pending wait should). */
  startEvents() { this.events.start(); }
  stopEvents() { this.events.stop(); }

  /** Pending edges of watched lines: read (MIS with an interrupt, RIS when polling), clear, then tell subscribers. */
  scanEvents() {
    let pending = 0, levels = 0;
    try {
      const { regs } = this;
      pending = (this.irq ? regs.GPIOMIS.read() : regs.GPIORIS.read()) & this.watched;
      if (pending) {
        regs.GPIOIC.write(pending);
        levels = this.region.read32(dataOffset(pending));
      }
      this.irq?.unmask();
    } catch (e) {
      this.lastError = e;
      this.stopEvents();
      console.error(`pl061: ${this.name}: edge reporting stopped: ${e?.message ?? e}`);
      return;
    }
    for (let line = 0; line < LINES; line++) {
      if (pending & (1 << line)) this.edges.deliver(line, (levels & (1 << line)) !== 0);
    }
  }

  /** Masked, nothing pending, every line an input. */
  shutdown() {
    this.stopEvents();
    this.edges.clear();
    this.watched = 0;
    const { regs } = this;
    regs.GPIOIE.write(0);
    regs.GPIOIC.write(ALL);
    regs.GPIODIR.write(0);
  }
}

export default driver({
  name: "pl061",
  description: "ARM PrimeCell PL061 GPIO",
  match: { compatible: ["arm,pl061"] },

  async probe(dev) {
    const region = registerWindow(dev);
    const regs = PL061.on(region);
    const revision = checkIdentification(dev, regs);
    // Quiet until someone asks for edges.
    regs.GPIOIE.write(0);
    regs.GPIOIC.write(ALL);
    return new Pl061(dev, regs, region, interruptOf(dev), revision);
  },

  remove(gpio) {
    gpio.shutdown();
  },
});
