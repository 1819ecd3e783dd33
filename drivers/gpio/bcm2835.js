// Broadcom BCM2835 / BCM2711 GPIO (Raspberry Pi 1-3 / 4).
// References: BCM2835 ARM Peripherals (2012), §6.1 register view (Table 6-1),
// §6.2 alternative function assignments; BCM2711 ARM Peripherals (2020), §5.2
// register view (GPIO_PUP_PDN_CNTRL_REG0-3 replace GPPUD/GPPUDCLK).
// The register window is 4 KiB at the GPIO block (e.g. /dev/gpiomem on a Pi).
//
// Handle: { pin(n), setFunction(n, fn), getFunction(n), setPull(n, pull), lines, model, mode, lastError }.
//   pin(n)              a jsk:hal Pin for GPIO n (the same object each time); RangeError for
//                       n outside 0..53 (BCM2711: 0..57). intoOutput()/intoInput() set GPFSEL.
//                       setHigh()/setLow() are one write each to GPSETn/GPCLRn; isSetHigh()
//                       and toggle() read the level back from GPLEVn.
//                       Edges (pin.on("edge"), waitFor*Edge) by GPREN/GPFEN and GPEDS: on the
//                       device's interrupt 0 if it has one, else GPEDS is polled every millisecond
//                       while someone listens.
//   setFunction(n, fn)  fn: "input", "output", "alt0".."alt5" (§6.1 GPFSELn); RangeError otherwise.
//   getFunction(n)      the function GPFSEL holds now, by the same names.
//   setPull(n, pull)    pull: "none", "up", "down".
//   lines               54 (BCM2835) or 58 (BCM2711); model "bcm2835" or "bcm2711".
//   mode                "irq" or "poll" (how edges are seen).

import { driver, registers, spinUntil, Pin, EdgeSubscribers, IrqOrPoll, trace } from "jsk:hal";

// §6.1 Table 6-1 (BCM2711 §5.2 adds the pull registers at 0xe4). 32-bit registers;
// bank 0 holds GPIO 0-31, bank 1 GPIO 32-53 (57).
const GPIO = registers({
  GPFSEL0: { offset: 0x00 }, GPFSEL1: { offset: 0x04 }, GPFSEL2: { offset: 0x08 },     // 3 bits per GPIO, 10 per register
  GPFSEL3: { offset: 0x0c }, GPFSEL4: { offset: 0x10 }, GPFSEL5: { offset: 0x14 },
  GPSET0: { offset: 0x1c, access: "w" }, GPSET1: { offset: 0x20, access: "w" },        // write 1: drive high
  GPCLR0: { offset: 0x28, access: "w" }, GPCLR1: { offset: 0x2c, access: "w" },        // write 1: drive low
  GPLEV0: { offset: 0x34, access: "r" }, GPLEV1: { offset: 0x38, access: "r" },        // pin level
  GPEDS0: { offset: 0x40, access: "w1c" }, GPEDS1: { offset: 0x44, access: "w1c" },    // event detected
  GPREN0: { offset: 0x4c }, GPREN1: { offset: 0x50 },                                  // rising edge detect enable
  GPFEN0: { offset: 0x58 }, GPFEN1: { offset: 0x5c },                                  // falling edge detect enable
  GPPUD: { offset: 0x94, fields: { PUD: { bits: [1, 0], values: { none: 0, down: 1, up: 2 } } } },   // BCM2835 only
  GPPUDCLK0: { offset: 0x98 }, GPPUDCLK1: { offset: 0x9c },                            // BCM2835 only
  GPIO_PUP_PDN_CNTRL_REG0: { offset: 0xe4 }, GPIO_PUP_PDN_CNTRL_REG1: { offset: 0xe8 }, // BCM2711 only, 2 bits per GPIO
  GPIO_PUP_PDN_CNTRL_REG2: { offset: 0xec }, GPIO_PUP_PDN_CNTRL_REG3: { offset: 0xf0 },
}, { device: "bcm2835-gpio" });

// §6.1 "GPIO Function Select Registers": FSELn field codes.
const FUNCTIONS = { input: 0b000, output: 0b001, alt0: 0b100, alt1: 0b101, alt2: 0b110, alt3: 0b111, alt4: 0b011, alt5: 0b010 };
const FUNCTION_NAMES = Object.fromEntries(Object.entries(FUNCTIONS).map(([name, code]) => [code, name]));
const PULL_2711 = { none: 0b00, up: 0b01, down: 0b10 };   // BCM2711 §5.2 GPIO_PUP_PDN_CNTRL: 01 up, 10 down
const MODELS = {
  bcm2835: { lines: 54, windowEnd: 0xa0 },
  bcm2711: { lines: 58, windowEnd: 0xf4 },
};
// §6.1 GPPUD: "wait 150 cycles" for the control signal to set up and hold; 150 cycles
// of the slowest core clock (250 MHz) is 0.6 µs.
const PUD_SETTLE_US = 5;
const POLL_MS = 1;
const TRACING = trace.enabled;

function registerWindow(dev) {
  return dev.region(dev.hasRegion("regs") ? "regs" : 0);
}

function interruptOf(dev) {
  return dev.irqCount > 0 ? dev.irq(0) : null;
}

function settle() {
  const until = performance.now() + PUD_SETTLE_US / 1000;
  spinUntil(() => performance.now() >= until, { us: 1000, what: "GPPUD set-up time" });
}

/**
 * A Pin whose setHigh()/setLow() are the region's write32 bound to the GPSETn/GPCLRn
 * offset and the GPIO's bit: no JavaScript runs between the call and the store
 * (jsk:hal's Pin goes setHigh -> setState -> levelOf -> ops.write -> trace.level,
 * about 4x slower). GPSET/GPCLR are write-only and the chip has no readable output
 * latch, so the level driven is read back from GPLEV, as Linux's bcm2835 driver does.
 */
class Bcm2835Pin extends Pin {
  constructor(name, ops, region, setOffset, clearOffset, bit) {
    super(name, ops);
    if (TRACING) {
      this.setHigh = () => { region.write32(setOffset, bit); trace.level(name, true); };
      this.setLow = () => { region.write32(clearOffset, bit); trace.level(name, false); };
    } else {
      this.setHigh = region.write32.bind(region, setOffset, bit);
      this.setLow = region.write32.bind(region, clearOffset, bit);
    }
  }
  isSetHigh() { return this.ops.read(); }
  toggle() {
    if (this.ops.read()) this.setLow();
    else this.setHigh();
  }
}

class Bcm2835Gpio {
  constructor(dev, regs, region, irq, model) {
    this.dev = dev;
    this.name = dev.name;
    this.regs = regs;
    this.region = region;
    this.irq = irq;
    this.model = model;
    this.lines = MODELS[model].lines;
    this.mode = irq ? "irq" : "poll";
    this.fsel = [regs.GPFSEL0, regs.GPFSEL1, regs.GPFSEL2, regs.GPFSEL3, regs.GPFSEL4, regs.GPFSEL5];
    this.bank = [
      { SET: regs.GPSET0, CLR: regs.GPCLR0, LEV: regs.GPLEV0, EDS: regs.GPEDS0, REN: regs.GPREN0, FEN: regs.GPFEN0, PUDCLK: regs.GPPUDCLK0 },
      { SET: regs.GPSET1, CLR: regs.GPCLR1, LEV: regs.GPLEV1, EDS: regs.GPEDS1, REN: regs.GPREN1, FEN: regs.GPFEN1, PUDCLK: regs.GPPUDCLK1 },
    ];
    this.pullControl = [regs.GPIO_PUP_PDN_CNTRL_REG0, regs.GPIO_PUP_PDN_CNTRL_REG1, regs.GPIO_PUP_PDN_CNTRL_REG2, regs.GPIO_PUP_PDN_CNTRL_REG3];
    this.pins = new Array(this.lines);
    this.outputs = new Set();                         // GPIOs this driver made outputs
    this.edgeEnabled = [0, 0];                        // per bank: GPIOs whose GPREN/GPFEN bits we set
    this.edges = new EdgeSubscribers({
      configure: (n) => this.configureEdges(n),
      start: () => this.startEvents(),
      stop: () => this.stopEvents(),
    });
    this.lastError = undefined;
    this.events = new IrqOrPoll(irq, POLL_MS, () => this.scanEvents());
  }

  check(n) {
    if (!Number.isInteger(n) || n < 0 || n >= this.lines)
      throw new RangeError(`${this.name}: no GPIO ${n} (a ${this.model} has GPIO 0..${this.lines - 1})`);
  }

  setFunction(n, fn) {
    this.check(n);
    const code = FUNCTIONS[fn];
    if (code === undefined) throw new RangeError(`${this.name}: GPIO ${n}: function "${fn}" is not one of ${Object.keys(FUNCTIONS).join(", ")}`);
    const reg = this.fsel[Math.floor(n / 10)];
    const shift = 3 * (n % 10);
    reg.write(((reg.read() & ~(0b111 << shift)) | (code << shift)) >>> 0);
    if (fn === "output") this.outputs.add(n); else this.outputs.delete(n);
  }

  getFunction(n) {
    this.check(n);
    return FUNCTION_NAMES[(this.fsel[Math.floor(n / 10)].read() >>> (3 * (n % 10))) & 0b111];
  }

  setPull(n, pull) {
    this.check(n);
    if (!(pull in PULL_2711)) throw new RangeError(`${this.name}: GPIO ${n}: pull "${pull}" is not none, up or down`);
    if (this.model === "bcm2711") {
      const reg = this.pullControl[n >> 4];
      const shift = 2 * (n & 15);
      reg.write(((reg.read() & ~(0b11 << shift)) | (PULL_2711[pull] << shift)) >>> 0);
      return;
    }
    // §6.1 GPPUDCLKn: set the control, wait, clock it into the chosen GPIO, wait, remove both.
    const { regs } = this;
    const clock = this.bank[n >> 5].PUDCLK;
    regs.GPPUD.write({ PUD: pull });
    settle();
    clock.write((1 << (n & 31)) >>> 0);
    settle();
    regs.GPPUD.write(0);
    clock.write(0);
  }

  pin(n) {
    this.check(n);
    if (this.pins[n]) return this.pins[n];
    // The hot path goes to the region directly, at offsets taken from the layout once.
    const { SET, CLR, LEV } = this.bank[n >> 5];
    const bit = 1 << (n & 31);                        // GPIO 31 gives -2^31: write32 takes it as 0x80000000
    const { region } = this;
    const ops = {
      write: (high) => region.write32(high ? SET.offset : CLR.offset, bit),
      read: () => (region.read32(LEV.offset) & bit) !== 0,
      direction: (dir) => this.setFunction(n, dir === "out" ? "output" : "input"),
      edges: (edge, cb) => this.edges.subscribe(n, edge, cb),
    };
    return (this.pins[n] = new Bcm2835Pin(`${this.name}.${n}`, ops, region, SET.offset, CLR.offset, bit));
  }

  // ---- edges -------------------------------------------------------------

  setBit(reg, bit, on) {
    const v = reg.read();
    reg.write((on ? v | bit : v & ~bit) >>> 0);
  }

  /** §6.1 GPRENn/GPFENn: edge detection for GPIO n as its subscribers want; a stale event is cleared first. */
  configureEdges(n) {
    const b = this.bank[n >> 5];
    const bit = (1 << (n & 31)) >>> 0;
    const { rising, falling } = this.edges.edgesOf(n);
    b.EDS.write(bit);
    this.setBit(b.REN, bit, rising);
    this.setBit(b.FEN, bit, falling);
    const bank = n >> 5;
    this.edgeEnabled[bank] = (rising || falling ? this.edgeEnabled[bank] | bit : this.edgeEnabled[bank] & ~bit) >>> 0;
  }

  /** Watch for edges while anyone subscribes (this keeps the process alive, as a pending wait should). */
  startEvents() { this.events.start(); }
  stopEvents() { this.events.stop(); }

  /** §6.1 GPEDSn: events of our GPIOs only (others may belong to another driver): read, clear by writing 1, report. */
  scanEvents() {
    const events = [0, 0], levels = [0, 0];
    try {
      for (let bank = 0; bank < 2; bank++) {
        const mine = this.edgeEnabled[bank];
        if (!mine) continue;
        const b = this.bank[bank];
        const pending = (b.EDS.read() & mine) >>> 0;
        if (!pending) continue;
        b.EDS.write(pending);
        events[bank] = pending;
        levels[bank] = b.LEV.read();
      }
      this.irq?.unmask();
    } catch (e) {
      this.lastError = e;
      this.stopEvents();
      console.error(`bcm2835-gpio: ${this.name}: edge reporting stopped: ${e?.message ?? e}`);
      return;
    }
    for (let bank = 0; bank < 2; bank++) {
      for (let bit = 0; bit < 32 && events[bank]; bit++) {
        const mask = (1 << bit) >>> 0;
        if (events[bank] & mask) this.edges.deliver(bank * 32 + bit, (levels[bank] & mask) !== 0);
      }
    }
  }

  /** Edge detection we enabled off, its events cleared, our outputs back to inputs. */
  shutdown() {
    this.stopEvents();
    this.edges.clear();
    for (let bank = 0; bank < 2; bank++) {
      const mine = this.edgeEnabled[bank];
      if (!mine) continue;
      const b = this.bank[bank];
      b.REN.write((b.REN.read() & ~mine) >>> 0);
      b.FEN.write((b.FEN.read() & ~mine) >>> 0);
      b.EDS.write(mine);
      this.edgeEnabled[bank] = 0;
    }
    for (const n of [...this.outputs]) this.setFunction(n, "input");
  }
}

export default driver({
  name: "bcm2835-gpio",
  description: "Broadcom BCM2835/BCM2711 GPIO",
  match: { compatible: ["brcm,bcm2835-gpio", "brcm,bcm2711-gpio"] },

  async probe(dev) {
    const model = (dev.compatible ?? []).includes("brcm,bcm2711-gpio") ? "bcm2711" : "bcm2835";
    const region = registerWindow(dev);
    // There is no identification register: the least we can check is that the window holds every register we use.
    if (region.size < MODELS[model].windowEnd)
      throw new Error(`bcm2835-gpio: ${dev.name}: the register window is ${region.size} bytes; a ${model} needs ${MODELS[model].windowEnd}`);
    // Nothing is written at probe: on a Pi the firmware and the kernel own most GPIOs.
    return new Bcm2835Gpio(dev, GPIO.on(region), region, interruptOf(dev), model);
  },

  remove(gpio) {
    gpio.shutdown();
  },
});
