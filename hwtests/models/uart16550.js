// A model of an 8250/16550A UART on the fake backend (TI PC16550D "Registers", and what
// QEMU's hw/char/serial.c does), enough for unit tests and fuzzing of
// drivers/serial/uart16550.js without QEMU.
//
//   const m = uartModel({ bus: "pci" });          // QEMU pci-serial: BAR0, 8 bytes of port I/O, one IRQ
//   const h = await bind(uart, m.device);
//   m.inject("hi");                                // bytes on the wire: RBR, LSR.DR, IIR, the interrupt
//   m.tx                                           // every byte written to THR
//
// Options: bus "pci" | "platform"; space "io" | "mem"; fifo (false: an 8250
// without FIFOs); irq (false: no interrupt line); regShift; regIoWidth; clock;
// absent (nothing on the bus: every read is 0xff); regionName (platform: default
// "regs", null for an unnamed region 0).
// `m.thre = false` makes a transmitter that never empties; `m.hostile(seed)`
// makes every register read return a seeded pseudo-random value (often
// 0xff.. or 0) and every write be ignored (`{ spare: [3] }` keeps LCR working,
// so that probe gets past its presence check).

import { fakeDevice } from "jsk:fake";
import { prng } from "./prng.js";

const LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;

const REG_NAMES = ["RBR/THR", "IER", "IIR/FCR", "LCR", "MCR", "LSR", "MSR", "SCR"];

export function uartModel({
  name = "ttyS0", bus = "pci", space = "io", fifo = true, irq = true,
  regShift = 0, regIoWidth, clock, absent = false, regionName,
} = {}) {
  const size = 8 << regShift;
  const ids = bus === "pci"
    ? { vendor: 0x1b36, device: 0x0002, class: 0x070002 }
    : { compatible: ["ns16550a"], ...(clock ? { clock } : {}), ...(regShift ? { regShift } : {}), ...(regIoWidth ? { regIoWidth } : {}) };
  const region = bus === "pci" || regionName === null ? { index: 0, size, space } : { name: regionName ?? "regs", size, space };
  const key = region.index ?? region.name;
  const fake = fakeDevice({ name, bus, ids, regions: [region], irqs: irq ? 1 : 0 });

  const m = {
    fake,
    device: fake.device,
    tx: [],                      // bytes written to THR
    log: [],                     // { reg, value, dlab } for every write, by register name
    rx: [],                      // receive FIFO: { byte, errors }
    ier: 0, lcr: 0, mcr: 0, scr: 0, msr: 0xb0, dll: 0, dlm: 0,
    fifoEnabled: false, trigger: 1,
    overrun: false,              // sticky until LSR is read
    topReported: false,          // the errors of the byte at the FIFO's top were shown by an LSR read
    thrEmptyPending: false,      // THRI: set when THR empties, cleared by reading IIR or writing THR
    thre: true,                  // false: the transmitter never takes a byte
    raised: 0,
    rng: null,
    spared: [],
  };
  const depth = fifo ? 16 : 1;
  const dlab = () => (m.lcr & 0x80) !== 0;

  function lsr() {
    let v = 0;
    if (m.rx.length) {
      v |= LSR_DR;
      if (!m.topReported) v |= m.rx[0].errors;
    }
    if (m.overrun) v |= LSR_OE;
    if (m.thre) v |= LSR_THRE | LSR_TEMT;
    return v;
  }

  /** PC16550D interrupt control functions: the highest-priority pending cause, or 0x01 (none), plus the FIFO bits. */
  function iir() {
    const fifoBits = m.fifoEnabled ? 0xc0 : 0;
    const l = lsr();
    if ((m.ier & 0x04) && (l & (LSR_OE | LSR_PE | LSR_FE | LSR_BI))) return fifoBits | 0x06;
    if ((m.ier & 0x01) && (l & LSR_DR)) return fifoBits | 0x04;
    if ((m.ier & 0x02) && m.thrEmptyPending) return fifoBits | 0x02;
    return fifoBits | 0x01;
  }

  function update(force = false) {
    const pending = (iir() & 1) === 0;
    if (irq && pending && (force || !m.line)) { m.raised++; fake.raise(0); }
    m.line = pending;
  }

  function read(reg) {
    if (absent) return 0xff;
    switch (reg) {
      case 0: {
        if (dlab()) return m.dll;
        const top = m.rx.shift();
        m.topReported = false;
        update();
        return top ? top.byte : 0;
      }
      case 1: return dlab() ? m.dlm : m.ier;
      case 2: {
        const v = iir();
        if ((v & 0x0f) === 0x02) m.thrEmptyPending = false;
        update();
        return v;
      }
      case 3: return m.lcr;
      case 4: return m.mcr;
      case 5: {
        const v = lsr();
        m.overrun = false;
        if (m.rx.length) m.topReported = true;
        update();
        return v;
      }
      case 6: return m.msr;
      case 7: return fifo ? m.scr : 0xff;          // an 8250 has no scratch register
      default: return 0xff;
    }
  }

  function write(reg, value) {
    if (absent) return;
    const v = value & 0xff;
    const regName = dlab() && reg < 2 ? (reg === 0 ? "DLL" : "DLM") : REG_NAMES[reg];
    m.log.push({ reg: regName, value: v, dlab: dlab() });
    switch (reg) {
      case 0:
        if (dlab()) { m.dll = v; break; }
        if (!m.thre) break;                           // a stuck transmitter loses the byte
        m.tx.push(v);
        if (m.mcr & 0x10) m.inject([v]);              // MCR.LOOP: transmitter wired to receiver
        m.thrEmptyPending = true;
        update();
        break;
      case 1:
        if (dlab()) { m.dlm = v; break; }
        m.ier = v & 0x0f;
        if (m.ier & 0x02) m.thrEmptyPending = true;
        update(true);
        break;
      case 2:
        if (!fifo) break;
        if ((v & 1) !== (m.fifoEnabled ? 1 : 0) || (v & 2)) { m.rx.length = 0; m.topReported = false; }
        m.fifoEnabled = (v & 1) !== 0;
        m.trigger = [1, 4, 8, 14][v >> 6];
        update();
        break;
      case 3: m.lcr = v; break;
      case 4: m.mcr = v & 0x1f; break;
      case 7: m.scr = v; break;
      default: break;
    }
  }

  const sane = (reg) => !m.rng || m.spared.includes(reg);
  fake.onAny(key, {
    read(offset) {
      const reg = offset >> regShift;
      return sane(reg) ? read(reg) : m.rng();
    },
    write(value, offset) {
      const reg = offset >> regShift;
      if (sane(reg)) write(reg, Number(value));
    },
  });

  /**
   * Bytes arrive on the wire. `errors`: { parity, framing, break, overrun } mark the
   * first byte (break: a NUL with BI). `raise: false` leaves the interrupt to the test.
   */
  m.inject = (data, { parity = false, framing = false, break: brk = false, overrun = false, raise = true } = {}) => {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : Uint8Array.from(data);
    let errors = (parity ? LSR_PE : 0) | (framing ? LSR_FE : 0) | (brk ? LSR_BI : 0);
    const room = (m.fifoEnabled ? depth : 1);
    for (const byte of brk ? [0, ...bytes] : bytes) {
      if (m.rx.length >= room) { m.overrun = true; continue; }
      m.rx.push({ byte, errors });
      errors = 0;
    }
    if (overrun) m.overrun = true;
    if (raise) update(true);
    else m.line = (iir() & 1) === 0;
  };
  /** The divisor latch as the chip holds it. */
  Object.defineProperty(m, "divisor", { get: () => m.dll | (m.dlm << 8) });
  /** From now on every read returns a seeded hostile value and writes do nothing, except for the registers (0..7) in `spare`. */
  m.hostile = (seed, { spare = [] } = {}) => { m.rng = prng(seed).hostile; m.spared = spare; };
  return m;
}
