// Freescale/NXP i.MX I2C controller (i.MX1/21/25/27/31/35/5x/6/7/8M: "fsl,imx21-i2c"), polled.
// References: i.MX 6Dual/6Quad Applications Processor Reference Manual
// (IMX6DQRM), chapter 35 "I2C Controller": registers IADR (0x00), IFDR
// (0x04), I2CR (0x08: IEN, IIEN, MSTA, MTX, TXAK, RSTA), I2SR (0x0C: ICF,
// IAAS, IBB, IAL, SRW, IIF, RXAK), I2DR (0x10), 16 bits wide, the low byte
// used; §35.4 the programming sequence (START by setting MSTA, the address
// written to I2DR, a dummy I2DR read to start receiving, TXAK before the
// last byte, STOP by clearing MSTA before reading it); Table 35-3 the IFDR
// divider codes. Linux drivers/i2c/busses/i2c-imx.c for practice; QEMU
// hw/i2c/imx_i2c.c for the model (a NAK sets RXAK without IIF, which sendByte allows for).
//
// Handle: { i2c, name, frequency }.
//   i2c        a jsk:hal I2c (plain I2C: any transaction, repeated STARTs between segments).
//   frequency  the SCL rate the divider gives (Hz), from the module clock (the board's
//              `clock`, 66 MHz for i.MX6's ipg_per by default) and 100 kHz asked.

import { driver, registers, I2c, I2cError, ErrorKind, NoAcknowledgeSource, TimeoutError } from "jsk:hal";

const REGS = registers({
  IADR: { offset: 0x00 },
  IFDR: { offset: 0x04 },
  I2CR: { offset: 0x08 },
  I2SR: { offset: 0x0c },
  I2DR: { offset: 0x10 },
}, { device: "imx-i2c", width: 16 });

const I2CR = { IEN: 0x80, IIEN: 0x40, MSTA: 0x20, MTX: 0x10, TXAK: 0x08, RSTA: 0x04 };
const I2SR = { ICF: 0x80, IAAS: 0x40, IBB: 0x20, IAL: 0x10, SRW: 0x04, IIF: 0x02, RXAK: 0x01 };

// Table 35-3: SCL divider -> IFDR code, in increasing divider order.
const DIVIDERS = [
  [22, 0x20], [24, 0x21], [26, 0x22], [28, 0x23], [30, 0x00], [32, 0x24], [36, 0x25], [40, 0x26],
  [42, 0x03], [44, 0x27], [48, 0x28], [52, 0x05], [56, 0x29], [60, 0x06], [64, 0x2a], [72, 0x2b],
  [80, 0x2c], [88, 0x09], [96, 0x2d], [104, 0x0a], [112, 0x2e], [128, 0x2f], [144, 0x0c], [160, 0x30],
  [192, 0x31], [224, 0x32], [240, 0x0f], [256, 0x33], [288, 0x10], [320, 0x34], [384, 0x35], [448, 0x36],
  [480, 0x13], [512, 0x37], [576, 0x14], [640, 0x38], [768, 0x39], [896, 0x3a], [960, 0x17], [1024, 0x3b],
  [1152, 0x18], [1280, 0x3c], [1536, 0x3d], [1792, 0x3e], [1920, 0x1b], [2048, 0x3f], [2304, 0x1c], [2560, 0x1d],
  [3072, 0x1e], [3840, 0x1f],
];
const MODULE_CLOCK = 66_000_000;
const BUS_FREQUENCY = 100_000;
// One byte at 100 kHz takes 90 us; a device may stretch the clock. A stuck bus ends here.
const BYTE_MS = 25;
// A byte with its ACK takes ~0.1 ms at 100 kHz: past this, RXAK alone is a NAK (QEMU's model).
const NAK_GRACE_MS = 2;

/** The smallest divider that keeps SCL at or below `frequency`. */
function dividerFor(clock, frequency) {
  const want = Math.ceil(clock / frequency);
  const hit = DIVIDERS.find(([d]) => d >= want) ?? DIVIDERS[DIVIDERS.length - 1];
  return { code: hit[1], frequency: Math.floor(clock / hit[0]) };
}

class ImxI2c {
  constructor(dev, regs, ifdr, frequency) {
    this.name = dev.name;
    this.regs = regs;
    this.ifdr = ifdr;
    this.frequency = frequency;
  }

  /** Poll I2SR until `test(sr)`; TimeoutError naming `what` after the deadline. */
  wait(test, what, ms = BYTE_MS) {
    const deadline = performance.now() + ms;
    for (;;) {
      const sr = this.regs.I2SR.read();
      if (test(sr)) return sr;
      if (performance.now() > deadline) throw new TimeoutError(`${this.name}: timed out after ${ms} ms waiting for ${what} (I2SR 0x${sr.toString(16)})`);
    }
  }

  /**
   * Write `byte` to I2DR and wait for the end of its transfer: IIF, which real parts
   * raise on the ninth clock, ACK or NAK. QEMU's model raises no IIF on a NAK, only
   * RXAK; RXAK alone is taken as the end when it was clear before the byte (on real
   * parts it keeps the last byte's value until the next ninth clock), and after a
   * short grace when it was already set. Clears IIF; returns I2SR.
   */
  sendByte(byte, what) {
    const { regs } = this;
    const rxakBefore = (regs.I2SR.read() & I2SR.RXAK) !== 0;
    regs.I2DR.write(byte);
    const grace = performance.now() + NAK_GRACE_MS;
    const sr = this.wait((s) => (s & (I2SR.IIF | I2SR.IAL)) !== 0
      || ((s & I2SR.RXAK) !== 0 && (!rxakBefore || performance.now() > grace)), what);
    regs.I2SR.write(0);
    if (sr & I2SR.IAL) throw new I2cError(`${this.name}: lost arbitration during ${what}`, ErrorKind.ArbitrationLoss);
    return sr;
  }

  /** A received byte's end: IIF (clears it). */
  received(what) {
    const sr = this.wait((s) => (s & (I2SR.IIF | I2SR.IAL)) !== 0, what);
    this.regs.I2SR.write(0);
    if (sr & I2SR.IAL) throw new I2cError(`${this.name}: lost arbitration during ${what}`, ErrorKind.ArbitrationLoss);
    return sr;
  }

  stop() {
    const { regs } = this;
    regs.I2CR.write(I2CR.IEN);
    this.wait((s) => !(s & I2SR.IBB), "the bus to go idle after STOP");
  }

  transaction(address, segments) {
    const { regs } = this;
    try {
      this.wait((s) => !(s & I2SR.IBB), "the bus to be free");
      regs.I2SR.write(0);
      regs.I2CR.write(I2CR.IEN | I2CR.MSTA | I2CR.MTX);                  // START
      this.wait((s) => (s & I2SR.IBB) !== 0, "START (bus busy)");
      segments.forEach((seg, i) => {
        const rd = seg.read !== undefined;
        if (i > 0) regs.I2CR.write(I2CR.IEN | I2CR.MSTA | I2CR.MTX | I2CR.RSTA);   // repeated START
        if (this.sendByte((address << 1) | (rd ? 1 : 0), `the address byte of 0x${address.toString(16)}`) & I2SR.RXAK)
          throw new I2cError(`${this.name}: no acknowledge for address 0x${address.toString(16)}`, ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Address });
        const last = i === segments.length - 1;
        if (rd) this.receive(seg.read, last);
        else this.send(seg.write);
      });
      // A read that ended the transaction already sent STOP.
      if (segments[segments.length - 1].read === undefined) this.stop();
    } catch (e) {
      try { this.stop(); } catch { /* the first error is the one to report */ }
      throw e;
    }
  }

  send(bytes) {
    for (let k = 0; k < bytes.length; k++) {
      if (this.sendByte(bytes[k], `data byte ${k}`) & I2SR.RXAK)
        throw new I2cError(`${this.name}: no acknowledge for data byte ${k} of ${bytes.length}`, ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Data });
    }
  }

  /**
   * Receive into `buf`: MTX off (TXAK already for a one-byte read), a dummy
   * I2DR read starts the first byte; before the last byte is read, STOP (or,
   * when a segment follows, MTX on again so the read does not start another byte).
   */
  receive(buf, last) {
    const { regs } = this;
    const n = buf.length;
    const base = I2CR.IEN | I2CR.MSTA;
    regs.I2CR.write(base | (n === 1 ? I2CR.TXAK : 0));
    regs.I2DR.read();
    for (let k = 0; k < n; k++) {
      this.received(`received byte ${k}`);
      if (k === n - 1) {
        if (last) { regs.I2CR.write(I2CR.IEN); this.wait((s) => !(s & I2SR.IBB), "STOP after the last byte"); }
        else regs.I2CR.write(base | I2CR.MTX | I2CR.TXAK);
      } else if (k === n - 2) regs.I2CR.write(base | I2CR.TXAK);
      buf[k] = regs.I2DR.read() & 0xff;
    }
  }
}

export default driver({
  name: "imx-i2c",
  description: "Freescale/NXP i.MX I2C controller",
  match: { compatible: ["fsl,imx21-i2c", "fsl,imx6q-i2c"] },

  async probe(dev) {
    const regs = REGS.on(dev.mmio(dev.hasRegion("regs") ? "regs" : 0));
    const { code, frequency } = dividerFor(dev.clock ?? MODULE_CLOCK, BUS_FREQUENCY);
    // A soft reset (IEN off), the divider, then on: master mode comes with each START.
    regs.I2CR.write(0);
    regs.IFDR.write(code);
    regs.I2CR.write(I2CR.IEN);
    regs.I2SR.write(0);
    const host = new ImxI2c(dev, regs, code, frequency);
    const i2c = new I2c(dev.name, { transaction: (address, segments) => host.transaction(address, segments) });
    return { name: dev.name, i2c, frequency, regs };
  },

  remove(h) {
    h.regs.I2CR.write(0);
  },
});
