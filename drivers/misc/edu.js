// QEMU's educational PCI device, "edu" (1234:11e8).
// Reference: QEMU docs/specs/edu.rst and hw/misc/edu.c.
//
// What it does: an identification register, a liveness check (reads back the
// inverse of what was written), a factorial unit that can interrupt when done,
// and a DMA engine between RAM and a 4 KiB buffer inside the device.

import { driver, registers, waitFor } from "jsk:hal";

// edu.rst "Register space" (BAR0, 1 MiB). Accesses below 0x80 must be 32-bit.
const EDU = registers({
  ID:         { offset: 0x00, access: "r", fields: { MAJOR: [31, 24], MINOR: [23, 16], MAGIC: [7, 0] } },
  LIVENESS:   { offset: 0x04 },                       // reads back ~value
  FACTORIAL:  { offset: 0x08 },                       // write n, read n! when STATUS.COMPUTING clears
  STATUS:     { offset: 0x20, fields: { COMPUTING: 0, IRQ_ON_FACTORIAL: 7 } },
  IRQ_STATUS: { offset: 0x24, access: "r", fields: { FACTORIAL: 0, DMA: 8 } },
  IRQ_RAISE:  { offset: 0x60, access: "w" },
  IRQ_ACK:    { offset: 0x64, access: "w" },
  DMA_SRC:    { offset: 0x80, width: 64 },
  DMA_DST:    { offset: 0x88, width: 64 },
  DMA_COUNT:  { offset: 0x90, width: 64 },
  DMA_CMD:    { offset: 0x98, width: 64, fields: { START: 0, TO_RAM: 1, IRQ: 2 } },
}, { device: "edu" });

const ID_MAGIC = 0xed;
const BUFFER_OFFSET = 0x40000;  // the device's internal DMA buffer, as seen by DMA_SRC/DMA_DST
const BUFFER_SIZE = 4096;
// edu.c's range check wants the end of a transfer strictly inside the buffer
// (and QEMU aborts on a bad one), so the last byte is never reachable by DMA.
const DMA_LIMIT = BUFFER_SIZE - 1;
const DMA_MASK = (1n << 28n) - 1n; // edu.c: dma_mask = (1UL << 28) - 1
const FACTORIAL_TIMEOUT_MS = 2000;
const DMA_TIMEOUT_MS = 2000;

class Edu {
  constructor(dev, regs, irq) {
    this.dev = dev;
    this.regs = regs;
    this.irq = irq;
    const id = regs.ID.decode();
    this.version = `${id.MAJOR}.${id.MINOR}`;
  }

  /** Write `value` to the liveness register; returns what the device answered (~value). */
  liveness(value) {
    this.regs.LIVENESS.write(value >>> 0);
    return this.regs.LIVENESS.read();
  }

  /**
   * n! modulo 2^32, computed by the device. With `irq` (default) the device
   * interrupts when done; otherwise the status register is polled.
   */
  async factorial(n, { irq = true, timeout = FACTORIAL_TIMEOUT_MS } = {}) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`edu: factorial of ${n}: n must be a 32-bit unsigned integer`);
    const { regs } = this;
    regs.STATUS.write({ IRQ_ON_FACTORIAL: irq ? 1 : 0 });
    regs.FACTORIAL.write(n);
    if (irq) {
      await this.expectInterrupt("FACTORIAL", timeout, "the factorial to complete");
    } else {
      await waitFor(() => regs.STATUS.COMPUTING.isClear(), { ms: timeout, what: "edu: the factorial to complete" });
    }
    return regs.FACTORIAL.read();
  }

  /** Wait for the device's interrupt and acknowledge the given cause. */
  async expectInterrupt(cause, timeout, what) {
    const { regs } = this;
    await this.irq.until(() => regs.IRQ_STATUS[cause].isSet(), { ms: timeout, what: `edu: ${what}` });
    const status = regs.IRQ_STATUS.read();
    regs.IRQ_ACK.write(status);
    this.irq.unmask();
  }

  checkRange(offset, length) {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length <= 0 || offset + length > DMA_LIMIT)
      throw new RangeError(`edu: DMA of ${length} bytes at buffer offset ${offset} does not fit the first ${DMA_LIMIT} bytes of the device buffer`);
  }

  /** One DMA transfer between `dma` memory and the device buffer; resolves when the device says done (TimeoutError after `timeout` ms). */
  async transfer(dma, offset, length, toRam, timeout = DMA_TIMEOUT_MS) {
    if (dma.iova > DMA_MASK || dma.iova + BigInt(length) - 1n > DMA_MASK)
      throw new RangeError(`edu: DMA memory at ${dma.iova.toString(16)} is beyond the device's 28-bit DMA mask`);
    const { regs } = this;
    const deviceAddr = BigInt(BUFFER_OFFSET + offset);
    regs.DMA_SRC.write(toRam ? deviceAddr : dma.iova);
    regs.DMA_DST.write(toRam ? dma.iova : deviceAddr);
    regs.DMA_COUNT.write(BigInt(length));
    regs.DMA_CMD.write({ START: 1, TO_RAM: toRam ? 1 : 0, IRQ: 1 });
    await this.expectInterrupt("DMA", timeout, `DMA ${toRam ? "to RAM" : "from RAM"}`);
  }

  /** Copy `bytes` into the device buffer at `offset` by DMA. */
  async write(offset, bytes, { timeout = DMA_TIMEOUT_MS } = {}) {
    this.checkRange(offset, bytes.length);
    const dma = this.dev.dma(bytes.length, { align: 4096 });
    try {
      dma.bytes.set(bytes);
      await this.transfer(dma, offset, bytes.length, false, timeout);
    } finally {
      dma.free();
    }
  }

  /** Read `length` bytes of the device buffer at `offset` by DMA. */
  async read(offset, length, { timeout = DMA_TIMEOUT_MS } = {}) {
    this.checkRange(offset, length);
    const dma = this.dev.dma(length, { align: 4096 });
    try {
      await this.transfer(dma, offset, length, true, timeout);
      return dma.bytes.slice(0, length);
    } finally {
      dma.free();
    }
  }
}

export default driver({
  name: "edu",
  description: "QEMU educational PCI device",
  match: { pci: [{ vendor: 0x1234, device: 0x11e8 }] },

  async probe(dev) {
    const regs = EDU.on(dev.bar(0));
    const magic = regs.ID.MAGIC.get();
    if (magic !== ID_MAGIC) throw new Error(`edu: identification register reads ${regs.ID.read().toString(16)}, expected ..${ID_MAGIC.toString(16)}`);
    // Quiet first: no interrupt on completion, nothing pending.
    regs.STATUS.write(0);
    regs.IRQ_ACK.write(regs.IRQ_STATUS.read());
    dev.enableBusMaster();
    return new Edu(dev, regs, dev.irq(0));
  },

  remove(edu) {
    edu.regs.STATUS.write(0);
    edu.regs.IRQ_ACK.write(edu.regs.IRQ_STATUS.read());
    edu.dev.disableBusMaster();
  },
});
