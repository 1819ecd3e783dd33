// Freescale/NXP i.MX GPIO controller ("fsl,imx35-gpio": i.MX35/5x/6/7/8M), 32 lines.
// References: i.MX 6Dual/6Quad Applications Processor Reference Manual
// (IMX6DQRM), chapter 28 "General Purpose Input/Output (GPIO)": DR (0x00,
// data; reads the output latch for outputs, the pad for inputs), GDIR
// (0x04, 1: output), PSR (0x08, pad status), ICR1/ICR2, IMR, ISR (write 1 to
// clear), EDGE_SEL (0x1C); QEMU hw/gpio/imx_gpio.c (32-bit accesses only).
// Edges are not reported yet (ICR/IMR/ISR are left masked).
//
// Handle: { pin(n), read(), lines }.
//   pin(n)   a jsk:hal Pin for line n (0..31; RangeError otherwise), the same object each time.
//   read()   PSR: the level of all 32 pads (bit n = line n).

import { driver, registers, Pin } from "jsk:hal";

const REGS = registers({
  DR: { offset: 0x00 },
  GDIR: { offset: 0x04 },
  PSR: { offset: 0x08, access: "r" },
  ICR1: { offset: 0x0c },
  ICR2: { offset: 0x10 },
  IMR: { offset: 0x14 },
  ISR: { offset: 0x18 },
  EDGE_SEL: { offset: 0x1c },
}, { device: "imx-gpio" });

const LINES = 32;

class ImxGpio {
  constructor(dev, regs) {
    this.name = dev.name;
    this.regs = regs;
    this.lines = LINES;
    this.pins = new Array(LINES);
    // DR reads back pad levels for inputs: output levels are kept here, as Linux's
    // gpio-mxc does, so that setting one line never latches another's pad value.
    this.out = (regs.DR.read() & regs.GDIR.read()) >>> 0;
  }

  read() { return this.regs.PSR.read() >>> 0; }

  /** Set or clear `bit` of a per-line register (read-modify-write). */
  update(reg, bit, on) {
    const v = reg.read() >>> 0;
    reg.write((on ? v | bit : v & ~bit) >>> 0);
  }

  pin(n) {
    if (!Number.isInteger(n) || n < 0 || n >= LINES) throw new RangeError(`${this.name}: no line ${n} (an i.MX GPIO bank has lines 0..31)`);
    if (this.pins[n]) return this.pins[n];
    const bit = (1 << n) >>> 0;
    const { regs } = this;
    const ops = {
      // DR holds the output level whatever the direction: set it before GDIR makes the line drive.
      write: (high) => {
        this.out = (high ? this.out | bit : this.out & ~bit) >>> 0;
        regs.DR.write(this.out);
      },
      read: () => ((regs.PSR.read() >>> 0) & bit) !== 0,
      direction: (dir) => this.update(regs.GDIR, bit, dir === "out"),
    };
    return (this.pins[n] = new Pin(`${this.name}.${n}`, ops));
  }
}

export default driver({
  name: "imx-gpio",
  description: "Freescale/NXP i.MX GPIO controller (32 lines)",
  match: { compatible: ["fsl,imx35-gpio", "fsl,imx6q-gpio"] },

  async probe(dev) {
    const regs = REGS.on(dev.mmio(dev.hasRegion("regs") ? "regs" : 0));
    // Interrupts masked and acknowledged; directions and levels are left as found
    // (a line may be a chip select someone set up).
    regs.IMR.write(0);
    regs.ISR.write(0xffffffff);
    return new ImxGpio(dev, regs);
  },
});
