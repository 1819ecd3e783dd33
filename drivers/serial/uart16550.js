// 8250/16450/16550A UART.
// References: TI PC16550D datasheet (SNLS378C): "Registers" (the register summary
// table and one description per register) and "FIFO Interrupt Mode Operation";
// Linux include/uapi/linux/serial_reg.h for the bit names, and
// drivers/tty/serial/8250/8250_port.c for the order of probe and teardown steps.
//
// Found as QEMU's pci-serial (1b36:0002, BAR0 = 8 bytes of port I/O) or as a
// platform/ISA device ("ns16550a", region "regs" or index 0, port I/O or MMIO).
// Platform device info may give `clock` (input clock in Hz, default 1.8432 MHz),
// `regShift` (registers 1 << regShift bytes apart) and `regIoWidth` (1 or 4:
// access width in bytes), as the device tree's clock-frequency, reg-shift and
// reg-io-width do.
//
// Handle: { serial, stats, mode, type, fifoSize, baud, txTimeoutMs, lastError }.
//   serial       a jsk:hal Serial: configure(), write(), flush(), read(), on("data"), for await.
//   stats        { rxBytes, txBytes, overrun, parity, framing, break } (counts since probe).
//   mode         "irq" (receive on the device's interrupt 0) or "poll" (a 1 ms timer).
//   type         "16550A" (16-byte FIFOs), "16550" (FIFO unusable) or "8250" (no FIFO).
//   baud         the rate the divisor actually gives.
//   txTimeoutMs  how long a transmit waits for the transmitter before TimeoutError.
//   lastError    the error that stopped background receive (the Serial is then closed).

import { driver, registers, waitFor, Serial } from "jsk:hal";

// PC16550D register summary. Registers 0 and 1 are the divisor latch while LCR.DLAB = 1; the
// "divisor" bank sets and clears DLAB around every access to DLL/DLM.
const UART = registers({
  RBR: { offset: 0, access: "r" },                        // receiver buffer
  THR: { offset: 0, access: "w" },                        // transmitter holding
  IER: { offset: 1, fields: { RDI: 0, THRI: 1, RLSI: 2, MSI: 3 } },
  IIR: { offset: 2, access: "r", fields: {
    NO_INT: 0,                                            // 1: no interrupt pending
    ID: { bits: [3, 1], values: { MSI: 0, THRI: 1, RDI: 2, RLSI: 3, RX_TIMEOUT: 6 } },
    FIFO: { bits: [7, 6], values: { NONE: 0, UNUSABLE: 2, ENABLED: 3 } },
  } },
  FCR: { offset: 2, access: "w", fields: {
    ENABLE: 0, CLEAR_RCVR: 1, CLEAR_XMIT: 2,
    TRIGGER: { bits: [7, 6], values: { BYTES_1: 0, BYTES_4: 1, BYTES_8: 2, BYTES_14: 3 } },
  } },
  LCR: { offset: 3, fields: {
    WLEN: [1, 0],                                         // data bits - 5
    STOP: 2,                                              // 1: 2 stop bits (1.5 with 5 data bits)
    PARITY: 3, EPAR: 4, SPAR: 5,                          // enable, even, stick
    SBC: 6,                                               // send break
    DLAB: 7,                                              // divisor latch access
  } },
  MCR: { offset: 4, fields: { DTR: 0, RTS: 1, OUT1: 2, OUT2: 3, LOOP: 4 } },
  LSR: { offset: 5, access: "r", fields: { DR: 0, OE: 1, PE: 2, FE: 3, BI: 4, THRE: 5, TEMT: 6, FIFOE: 7 } },
  MSR: { offset: 6, access: "r" },                        // reading clears the modem status interrupt
  DLL: { offset: 0, bank: "divisor" },
  DLM: { offset: 1, bank: "divisor" },
}, {
  device: "16550",
  width: 8,
  banks: {
    divisor: {
      enter: (r) => r.LCR.set({ DLAB: 1 }),
      leave: (r) => r.LCR.set({ DLAB: 0 }),
    },
  },
});

const IIR_ID = UART.regs.IIR.fields.ID.values;
const IIR_FIFO = UART.regs.IIR.fields.FIFO.values;

const DEFAULT_CLOCK_HZ = 1843200;
const FIFO_DEPTH = 16;                 // 16550A transmit and receive FIFOs
const RX_BURST_FIFOS = 4;              // bytes read per event, in FIFOs: bounds a device that says "data ready" forever
const IRQ_ROUNDS = 8;                  // IIR causes handled per interrupt
const POLL_MS = 1;
const TX_TIMEOUT_MIN_MS = 100;
const BAUD_TOLERANCE = 0.05;           // a frame of 10-11 bits is sampled wrongly beyond about 5%
// LCR read-back patterns for "is anything there": a bus with nothing on it reads 0xff (port I/O) or 0x00.
const PROBE_LCR = [0x1b, 0x03];

const PARITY = {
  none:  { PARITY: 0 },
  odd:   { PARITY: 1, EPAR: 0, SPAR: 0 },
  even:  { PARITY: 1, EPAR: 1, SPAR: 0 },
  mark:  { PARITY: 1, EPAR: 0, SPAR: 1 },                // stick parity: parity bit always 1
  space: { PARITY: 1, EPAR: 1, SPAR: 1 },                // stick parity: parity bit always 0
};

const hex = (v) => "0x" + (v >>> 0).toString(16).padStart(2, "0");

function registerWindow(dev) {
  if (dev.bus === "pci") return dev.bar(0);
  return dev.region(dev.hasRegion("regs") ? "regs" : 0);
}

function interruptOf(dev) {
  return dev.irqCount > 0 ? dev.irq(0) : null;
}

function windowOptions(dev) {
  const shift = dev.regShift ?? 0;
  if (!Number.isInteger(shift) || shift < 0 || shift > 3) throw new TypeError(`uart16550: ${dev.name}: regShift ${shift} is not 0..3`);
  const ioWidth = dev.regIoWidth ?? 1;
  if (ioWidth !== 1 && ioWidth !== 4) throw new TypeError(`uart16550: ${dev.name}: regIoWidth ${ioWidth} is not 1 or 4 (bytes)`);
  const clock = dev.clock ?? DEFAULT_CLOCK_HZ;
  if (!Number.isFinite(clock) || clock <= 0) throw new TypeError(`uart16550: ${dev.name}: clock ${clock} is not a positive frequency in Hz`);
  return { shift, accessWidth: ioWidth === 4 ? 32 : undefined, clock };
}

/** A Serial that tells the port when someone starts or stops reading, so idle ports do not keep the process alive. */
class UartSerial extends Serial {
  constructor(name, port) {
    super(name, {
      configure: (cfg) => port.configure(cfg),
      transmit: (bytes) => port.transmit(bytes),
      drain: () => port.drain(),
    });
    this.port = port;
    this.readersChanged = () => port.readersChanged();
  }
  read(opts) {
    const chunk = super.read(opts);
    this.readersChanged();
    chunk.then(this.readersChanged, this.readersChanged);
    return chunk;
  }
  on(event, cb) {
    const stop = super.on(event, cb);
    this.readersChanged();
    return () => { stop(); this.readersChanged(); };
  }
  get hasReaders() { return this.waiters.length > 0 || this.listeners.size > 0; }
}

class Uart16550 {
  constructor(dev, regs, { clock, type, fifoSize, irq }) {
    this.dev = dev;
    this.name = dev.name;
    this.regs = regs;
    this.clock = clock;
    this.type = type;
    this.fifoSize = fifoSize;
    this.irq = irq;
    this.mode = irq ? "irq" : "poll";
    this.stats = { rxBytes: 0, txBytes: 0, overrun: 0, parity: 0, framing: 0, break: 0 };
    this.baud = undefined;
    this.txTimeoutMs = TX_TIMEOUT_MIN_MS;
    this.lastError = undefined;
    this.removed = false;
    this.txTail = Promise.resolve();
    this.rxBurst = RX_BURST_FIFOS * fifoSize;
    this.rxBuffer = new Uint8Array(this.rxBurst);
    this.pollTimer = null;
    this.referenced = false;
    this.onInterrupt = () => this.serviceInterrupt();
    const { LSR, IIR } = regs;
    this.lsrBits = { DR: LSR.DR.mask, OE: LSR.OE.mask, PE: LSR.PE.mask, FE: LSR.FE.mask, BI: LSR.BI.mask, THRE: LSR.THRE.mask, TEMT: LSR.TEMT.mask };
    this.lsrErrors = this.lsrBits.OE | this.lsrBits.PE | this.lsrBits.FE | this.lsrBits.BI;
    this.noInterrupt = IIR.NO_INT.mask;
    this.serial = new UartSerial(this.name, this);
  }

  /** PC16550D "Line Control Register" and "Programmable Baud Generator" (divisor = clock / (16 x baud)). RangeError for a rate the clock cannot make or a format the chip cannot send. */
  configure({ baud, dataBits, parity, stopBits }) {
    const divisor = Math.round(this.clock / (16 * baud));
    if (!(divisor >= 1 && divisor <= 0xffff))
      throw new RangeError(`${this.name}: ${baud} baud needs divisor ${divisor} with a ${this.clock} Hz clock; the divisor latch holds 1..65535`);
    const actual = this.clock / (16 * divisor);
    if (Math.abs(actual - baud) / baud > BAUD_TOLERANCE)
      throw new RangeError(`${this.name}: ${baud} baud is not reachable with a ${this.clock} Hz clock (nearest ${actual.toFixed(0)} baud)`);
    if (stopBits === 1.5 && dataBits !== 5) throw new RangeError(`${this.name}: 1.5 stop bits exist only with 5 data bits`);
    if (stopBits === 2 && dataBits === 5) throw new RangeError(`${this.name}: with 5 data bits the chip sends 1.5 stop bits, not 2`);
    if (this.removed) throw new Error(`${this.name}: removed`);
    const { regs } = this;
    regs.LCR.write({ WLEN: dataBits - 5, STOP: stopBits === 1 ? 0 : 1, ...PARITY[parity] });
    regs.inBank("divisor", (r) => {
      r.DLL.write(divisor & 0xff);
      r.DLM.write(divisor >> 8);
    });
    this.baud = actual;
    const frameBits = 1 + dataBits + (parity === "none" ? 0 : 1) + stopBits;
    // Generous: four times what a full FIFO takes to leave at this rate.
    this.txTimeoutMs = Math.max(TX_TIMEOUT_MIN_MS, Math.ceil((4 * this.fifoSize * frameBits * 1000) / actual));
  }

  /** LSR, with its error bits counted: reading LSR clears them (PC16550D "Line Status Register"), so every read goes through here. */
  lineStatus() {
    const lsr = this.regs.LSR.read();
    if (lsr & this.lsrErrors) {
      const { OE, PE, FE, BI } = this.lsrBits;
      if (lsr & OE) this.stats.overrun++;
      if (lsr & BI) this.stats.break++;
      else {
        if (lsr & PE) this.stats.parity++;
        if (lsr & FE) this.stats.framing++;
      }
    }
    return lsr;
  }

  /** Read what the receiver holds, at most rxBurst bytes; RBR only while LSR.DR says a byte is there. */
  receive() {
    const { regs, rxBuffer } = this;
    const { DR, BI } = this.lsrBits;
    let n = 0;
    for (let i = 0; i < this.rxBurst; i++) {
      const lsr = this.lineStatus();
      if (!(lsr & DR)) break;
      const byte = regs.RBR.read() & 0xff;
      if (lsr & BI) continue;                  // a break reads as a NUL character: not data
      rxBuffer[n++] = byte;
    }
    if (n === 0) return null;
    this.stats.rxBytes += n;
    return rxBuffer.slice(0, n);
  }

  /** PC16550D "Interrupt Identification Register" (interrupt control functions table): handle IIR causes, highest priority first, until none is pending (bounded). */
  serviceInterrupt() {
    const chunks = [];
    try {
      const { regs } = this;
      for (let round = 0; round < IRQ_ROUNDS; round++) {
        const iir = regs.IIR.read();
        if (iir & this.noInterrupt) break;
        const cause = regs.IIR.decode(iir).ID;
        if (cause === IIR_ID.MSI) regs.MSR.read();
        else if (cause === IIR_ID.THRI) continue;            // cleared by reading IIR
        else {
          // RLSI, RDI, RX_TIMEOUT, or a cause no 16550 reports: LSR and the FIFO tell the truth.
          const chunk = this.receive();
          if (chunk) chunks.push(chunk);
          else if (cause !== IIR_ID.RLSI) break;             // RLSI with no data: the LSR read cleared it
        }
      }
      this.irq.unmask();
    } catch (e) {
      this.fail(e);
    }
    for (const chunk of chunks) this.serial.received(chunk);
  }

  poll() {
    let chunk = null;
    try {
      chunk = this.receive();
    } catch (e) {
      this.fail(e);
    }
    if (chunk) this.serial.received(chunk);
  }

  /** Start background receive, unreferenced until someone reads. */
  startReceive() {
    const { regs } = this;
    if (this.irq) {
      this.irq.on(this.onInterrupt).unref();
      regs.IER.write({ RDI: 1, RLSI: 1 });
    } else {
      regs.IER.write(0);
      this.pollTimer = setInterval(() => this.poll(), POLL_MS).unref();
    }
  }

  /** Keep the process alive while reads or data listeners wait, not otherwise. */
  readersChanged() {
    const wanted = !this.removed && !this.lastError && this.serial.hasReaders;
    if (wanted === this.referenced) return;
    this.referenced = wanted;
    if (this.pollTimer) {
      if (wanted) this.pollTimer.ref(); else this.pollTimer.unref();
    } else if (this.irq) {
      // Irq has unref() but no ref(): installing the handler again gives a referenced watch.
      if (wanted) this.irq.on(this.onInterrupt); else this.irq.unref();
    }
  }

  stopReceive() {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.irq?.off();
    this.referenced = false;
  }

  /** Background receive failed (the device or its backend is gone): stop, keep the error, end the stream. */
  fail(e) {
    if (this.lastError) return;
    this.lastError = e;
    this.stopReceive();
    console.error(`uart16550: ${this.name}: receive stopped: ${e?.message ?? e}`);
    this.serial.close();
  }

  transmit(bytes) {
    const done = this.txTail.then(() => this.send(bytes));
    this.txTail = done.catch(() => {});
    return done;
  }

  /** LSR.THRE: in FIFO mode set when the whole transmit FIFO is empty, so up to fifoSize bytes go at once. */
  async send(bytes) {
    const { regs } = this;
    const what = `${this.name}: the transmitter to take data (LSR.THRE)`;
    const ready = () => {
      if (this.removed) throw new Error(`${this.name}: removed while transmitting`);
      return this.lineStatus() & this.lsrBits.THRE;
    };
    for (let sent = 0; sent < bytes.length;) {
      await waitFor(ready, { ms: this.txTimeoutMs, what });
      const n = Math.min(this.fifoSize, bytes.length - sent);
      for (let k = 0; k < n; k++) regs.THR.write(bytes[sent + k]);
      sent += n;
      this.stats.txBytes += n;
    }
  }

  /** Resolves once everything written has left the shift register (LSR.TEMT). */
  async drain() {
    await this.txTail;
    const ready = () => {
      if (this.removed) throw new Error(`${this.name}: removed while draining`);
      return this.lineStatus() & this.lsrBits.TEMT;
    };
    await waitFor(ready, { ms: this.txTimeoutMs, what: `${this.name}: the transmitter to empty (LSR.TEMT)` });
  }

  /** Quiet and safe: no interrupts, modem lines down, FIFOs cleared and off (8250_port.c serial8250_clear_fifos). */
  shutdown() {
    this.removed = true;
    this.stopReceive();
    const { regs } = this;
    regs.IER.write(0);
    regs.MCR.write(0);
    regs.LCR.set({ SBC: 0 });
    if (this.fifoSize > 1) regs.FCR.write({ ENABLE: 1, CLEAR_RCVR: 1, CLEAR_XMIT: 1 });
    regs.FCR.write(0);
    this.serial.close();
  }
}

export default driver({
  name: "uart16550",
  description: "8250/16450/16550A UART",
  match: {
    pci: [{ vendor: 0x1b36, device: 0x0002 }],                // QEMU pci-serial
    compatible: ["ns16550a", "ns16550", "ns8250"],
  },

  async probe(dev) {
    const { shift, accessWidth, clock } = windowOptions(dev);
    const regs = UART.on(registerWindow(dev), { shift, accessWidth });

    // Is a UART there? LCR is read-write on every 8250 descendant; an empty bus is not.
    for (const pattern of PROBE_LCR) {
      regs.LCR.write(pattern);
      const back = regs.LCR.read() & 0xff;
      if (back !== pattern)
        throw new Error(`uart16550: ${dev.name}: no UART answers: LCR reads ${hex(back)} after writing ${hex(pattern)}`);
    }
    regs.IER.write(0);                                        // quiet while we set up

    // FCR bit 0 / IIR bits 7:6: both set once the FIFOs are enabled, on a 16550A only.
    regs.FCR.write({ ENABLE: 1 });
    const fifo = regs.IIR.decode().FIFO;
    let type, fifoSize;
    if (fifo === IIR_FIFO.ENABLED) {
      type = "16550A";
      fifoSize = FIFO_DEPTH;
      // Receive interrupt at the first byte: the handler then empties the FIFO.
      regs.FCR.write({ ENABLE: 1, CLEAR_RCVR: 1, CLEAR_XMIT: 1, TRIGGER: "BYTES_1" });
    } else {
      type = fifo === IIR_FIFO.UNUSABLE ? "16550" : "8250";   // the 16550 (no A) FIFO is broken: run without
      fifoSize = 1;
      regs.FCR.write(0);
    }

    const irq = interruptOf(dev);
    const port = new Uart16550(dev, regs, { clock, type, fifoSize, irq });
    port.serial.configure();                                  // 115200 8N1

    // Drop what the receiver held before us and clear stale status (LSR errors, MSR deltas).
    for (let i = 0; i < port.rxBurst && (regs.LSR.read() & port.lsrBits.DR); i++) regs.RBR.read();
    regs.MSR.read();
    regs.IIR.read();

    // MCR: DTR and RTS say we are ready; OUT2 gates the interrupt line on PC-style boards.
    regs.MCR.write({ DTR: 1, RTS: 1, OUT2: irq ? 1 : 0 });
    port.startReceive();
    return port;
  },

  remove(port) {
    port.shutdown();
  },
});
