// A model of the BCM2835/BCM2711 GPIO block on the fake backend (BCM2835 ARM
// Peripherals §6, BCM2711 ARM Peripherals §5), enough for unit tests and
// fuzzing of drivers/gpio/bcm2835.js without QEMU or a Pi.
//
//   const m = bcm2835Model();               // "brcm,bcm2835-gpio", region "regs" (4 KiB), no IRQ
//   m.drive(17, true)                        // the outside world drives GPIO 17 high
//   m.level(17), m.fsel[17], m.pull[17]      // what the pin does
//
// Options: model "bcm2835" | "bcm2711"; irq (true: one interrupt line raised
// when an event is detected); size (of the register window). `m.hostile(seed)`
// makes every read return a seeded pseudo-random value (often all ones or
// zero) and writes do nothing.

import { fakeDevice } from "jsk:fake";
import { prng } from "./prng.js";


const PUD_NAMES = ["none", "down", "up"];           // GPPUD codes (BCM2835)
const PUP_PDN_NAMES = ["none", "up", "down"];       // GPIO_PUP_PDN_CNTRL codes (BCM2711)

export function bcm2835Model({ name = "gpio@7e200000", model = "bcm2835", irq = false, size = 0x1000 } = {}) {
  const lines = model === "bcm2711" ? 58 : 54;
  const fake = fakeDevice({
    name, bus: "platform", ids: { compatible: [`brcm,${model}-gpio`] },
    regions: [{ name: "regs", size }], irqs: irq ? 1 : 0,
  });
  const bankMask = [0xffffffff, (2 ** (lines - 32) - 1)];
  const m = {
    fake,
    device: fake.device,
    lines,
    fsel: new Array(lines).fill(0),
    pull: new Array(lines).fill("none"),
    latch: [0, 0],               // GPSET/GPCLR output latch
    input: [0, 0],               // levels driven from outside onto inputs
    eds: [0, 0], ren: [0, 0], fen: [0, 0],
    pud: 0, pupPdn: [0, 0, 0, 0],
    raised: 0,
    rng: null,
  };

  const bit = (n) => (1 << (n & 31)) >>> 0;
  /** The level on each pin of a bank: outputs from the latch, the rest from outside. */
  function levels(bank) {
    let out = 0;
    for (let i = 0; i < 32; i++) {
      const n = bank * 32 + i;
      if (n < lines && m.fsel[n] === 1) out |= 1 << i;
    }
    return ((m.latch[bank] & out) | (m.input[bank] & ~out)) & bankMask[bank];
  }
  /** Detect edges between two level snapshots (§6.1 GPRENn/GPFENn, synchronous edge detect). */
  function detect(before) {
    let fresh = false;
    for (let bank = 0; bank < 2; bank++) {
      const after = levels(bank);
      const events = ((~before[bank] & after & m.ren[bank]) | (before[bank] & ~after & m.fen[bank])) >>> 0;
      if (events & ~m.eds[bank]) fresh = true;
      m.eds[bank] = (m.eds[bank] | events) >>> 0;
    }
    if (irq && fresh) { m.raised++; fake.raise(0); }
  }
  const change = (fn) => {
    const before = [levels(0), levels(1)];
    fn();
    detect(before);
  };

  function read(offset) {
    if (offset <= 0x14) {
      const reg = offset >> 2;
      let v = 0;
      for (let i = 0; i < 10; i++) if (reg * 10 + i < lines) v |= m.fsel[reg * 10 + i] << (3 * i);
      return v >>> 0;
    }
    switch (offset) {
      case 0x34: case 0x38: return levels((offset - 0x34) >> 2) >>> 0;
      case 0x40: case 0x44: return m.eds[(offset - 0x40) >> 2];
      case 0x4c: case 0x50: return m.ren[(offset - 0x4c) >> 2];
      case 0x58: case 0x5c: return m.fen[(offset - 0x58) >> 2];
      case 0x94: return m.pud;
      case 0xe4: case 0xe8: case 0xec: case 0xf0: return model === "bcm2711" ? m.pupPdn[(offset - 0xe4) >> 2] : 0;
      default: return 0;                        // GPSET/GPCLR are write-only and read 0
    }
  }

  function write(offset, value) {
    const v = value >>> 0;
    if (offset <= 0x14) {
      const reg = offset >> 2;
      change(() => {
        for (let i = 0; i < 10; i++) if (reg * 10 + i < lines) m.fsel[reg * 10 + i] = (v >>> (3 * i)) & 7;
      });
      return;
    }
    switch (offset) {
      case 0x1c: case 0x20: { const b = (offset - 0x1c) >> 2; change(() => { m.latch[b] = (m.latch[b] | v) >>> 0; }); break; }
      case 0x28: case 0x2c: { const b = (offset - 0x28) >> 2; change(() => { m.latch[b] = (m.latch[b] & ~v) >>> 0; }); break; }
      case 0x40: case 0x44: { const b = (offset - 0x40) >> 2; m.eds[b] = (m.eds[b] & ~v) >>> 0; break; }
      case 0x4c: case 0x50: m.ren[(offset - 0x4c) >> 2] = v & bankMask[(offset - 0x4c) >> 2]; break;
      case 0x58: case 0x5c: m.fen[(offset - 0x58) >> 2] = v & bankMask[(offset - 0x58) >> 2]; break;
      case 0x94: m.pud = v & 3; break;
      case 0x98: case 0x9c: {
        // §6.1: the control signal in GPPUD is clocked into the pads whose GPPUDCLK bit is set.
        const b = (offset - 0x98) >> 2;
        for (let i = 0; i < 32; i++) if (v & bit(i) && b * 32 + i < lines) m.pull[b * 32 + i] = PUD_NAMES[m.pud] ?? "reserved";
        break;
      }
      case 0xe4: case 0xe8: case 0xec: case 0xf0: {
        if (model !== "bcm2711") break;
        const r = (offset - 0xe4) >> 2;
        m.pupPdn[r] = v;
        for (let i = 0; i < 16; i++) if (r * 16 + i < lines) m.pull[r * 16 + i] = PUP_PDN_NAMES[(v >>> (2 * i)) & 3] ?? "reserved";
        break;
      }
      default: break;
    }
  }

  fake.onAny("regs", {
    read: (offset) => (m.rng ? m.rng() : read(offset)),
    write: (value, offset) => { if (!m.rng) write(offset, Number(value)); },
  });

  /** The outside world drives GPIO n (seen only while it is not an output). */
  m.drive = (n, high) => change(() => {
    const b = n >> 5;
    m.input[b] = (high ? m.input[b] | bit(n) : m.input[b] & ~bit(n)) >>> 0;
  });
  /** The level on GPIO n. */
  m.level = (n) => (levels(n >> 5) & bit(n)) !== 0;
  m.hostile = (seed) => { m.rng = prng(seed).hostile; };
  return m;
}
