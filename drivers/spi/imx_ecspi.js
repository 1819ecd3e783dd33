// Freescale/NXP i.MX Enhanced Configurable SPI (ECSPI, "fsl,imx51-ecspi": i.MX51/53/6/7/8M), polled, master.
// References: i.MX 6Dual/6Quad Applications Processor Reference Manual
// (IMX6DQRM), chapter 21 "Enhanced Configurable SPI (ECSPI)": RXDATA (0x00),
// TXDATA (0x04), CONREG (0x08: EN bit 0, XCH bit 2, SMC bit 3,
// CHANNEL_MODE 7:4, POST_DIVIDER 11:8, PRE_DIVIDER 15:12, CHANNEL_SELECT
// 19:18, BURST_LENGTH 31:20), CONFIGREG (0x0C: SCLK_PHA 3:0, SCLK_POL 7:4,
// SS_CTL 11:8, SS_POL 15:12), STATREG (0x18: TE, TDR, TF, RR bit 3, RDR, RF,
// RO, TC bit 7), 64-word FIFOs; the clock: SCLK = clock /
// ((PRE_DIVIDER + 1) * 2^POST_DIVIDER). Linux drivers/spi/spi-imx.c for
// practice, QEMU hw/ssi/imx_spi.c for the model (32-bit accesses only).
//
// Bytes go one 8-bit burst at a time with SMC set (a burst starts when its
// word is written), so chip select can be a GPIO held across a whole
// transaction (SpiDevice.onBus(bus, { cs: gpio.pin(19) })), as on boards
// that wire the flash's select to a GPIO (the SABRE Lite: GPIO3_19). The
// controller's own SS lines would go inactive between bursts: refused.
//
// Handle: { spi, name }.   spi: a jsk:hal SpiBus.

import { driver, registers, SpiBus, TimeoutError } from "jsk:hal";

const REGS = registers({
  RXDATA: { offset: 0x00, access: "r" },
  TXDATA: { offset: 0x04, access: "w" },
  CONREG: { offset: 0x08 },
  CONFIGREG: { offset: 0x0c },
  INTREG: { offset: 0x10 },
  DMAREG: { offset: 0x14 },
  STATREG: { offset: 0x18 },
}, { device: "imx-ecspi" });

const CON = { EN: 1 << 0, SMC: 1 << 3 };
const STAT = { RR: 1 << 3 };
const MODULE_CLOCK = 60_000_000;
// One byte at the slowest clock this driver sets (60 MHz / 16 / 2^15) takes 70 ms.
const BYTE_MS = 100;

/** PRE (0..15) and POST (0..15) dividers for the fastest SCLK at or below `frequency`. */
function dividers(clock, frequency) {
  for (let post = 0; post <= 15; post++) {
    const pre = Math.max(0, Math.ceil(clock / (frequency * 2 ** post)) - 1);
    if (pre <= 15) return { pre, post, frequency: Math.floor(clock / ((pre + 1) * 2 ** post)) };
  }
  return { pre: 15, post: 15, frequency: Math.floor(clock / (16 * 2 ** 15)) };
}

class ImxEcspi {
  constructor(dev, regs, clock) {
    this.name = dev.name;
    this.regs = regs;
    this.clock = clock;
  }

  configure({ mode, frequency, lsbFirst, chipSelect }) {
    if (lsbFirst) throw new RangeError(`${this.name}: the ECSPI shifts MSB first only`);
    // One burst per byte (SMC) lets the controller's own SS line go inactive between bytes,
    // which ends a flash command: chip select must be a GPIO held for the transaction.
    if (chipSelect !== undefined)
      throw new RangeError(`${this.name}: give the chip select as a GPIO Pin (cs-gpios); this driver sends a burst per byte and the ECSPI's own SS${chipSelect} would drop between them`);
    const d = dividers(this.clock, frequency);
    const ch = 0;
    // Enabled, bursts start on write (SMC), channel `ch` a master and selected, 8-bit bursts.
    const conreg = CON.EN | CON.SMC | ((1 << ch) << 4) | (d.post << 8) | (d.pre << 12) | (ch << 18) | (7 << 20);
    this.regs.CONREG.write(conreg >>> 0);
    // The mode for channel `ch`: CPHA in SCLK_PHA (3:0), CPOL in SCLK_POL (7:4) and the
    // idle level in SCLK_CTL (23:20), as spi-imx sets them; SS active low.
    const cpol = (mode >> 1) & 1;
    this.regs.CONFIGREG.write(((mode & 1) << ch) | (cpol << (4 + ch)) | (cpol << (20 + ch)));
    // The new configuration takes effect after two SCLK periods (spi-imx waits as long).
    const until = performance.now() + Math.max(0.001, 2000 / d.frequency);
    while (performance.now() < until);
    return d.frequency;
  }

  /** Clock `write` out byte by byte while filling `read`. */
  async transfer(read, write) {
    const { regs } = this;
    for (let i = 0; i < write.length; i++) {
      regs.TXDATA.write(write[i]);
      const deadline = performance.now() + BYTE_MS;
      let st;
      while (!((st = regs.STATREG.read()) & STAT.RR)) {
        if (performance.now() > deadline) throw new TimeoutError(`${this.name}: timed out after ${BYTE_MS} ms waiting for byte ${i} to come back (STATREG 0x${st.toString(16)})`);
      }
      read[i] = regs.RXDATA.read() & 0xff;
    }
  }

  /** Off: CONREG with EN clear also empties the FIFOs. */
  shutdown() { this.regs.CONREG.write(0); }
}

export default driver({
  name: "imx-ecspi",
  description: "Freescale/NXP i.MX ECSPI controller",
  match: { compatible: ["fsl,imx51-ecspi", "fsl,imx6q-ecspi"] },

  async probe(dev) {
    const regs = REGS.on(dev.mmio(dev.hasRegion("regs") ? "regs" : 0));
    // CONREG with EN clear resets the block (FIFOs emptied, state machines idle).
    regs.CONREG.write(0);
    regs.INTREG.write(0);
    regs.DMAREG.write(0);
    const host = new ImxEcspi(dev, regs, dev.clock ?? MODULE_CLOCK);
    const spi = new SpiBus(dev.name, {
      configure: (c) => host.configure(c),
      transfer: (read, write) => host.transfer(read, write),
    });
    return { name: dev.name, spi, host };
  },

  remove(h) {
    h.host.shutdown();
  },
});
