// A model of the ARM PrimeCell PL061 GPIO on the fake backend, after ARM DDI
// 0190B and QEMU's hw/gpio/pl061.c, enough for unit tests and fuzzing of
// drivers/gpio/pl061.js without QEMU.
//
//   const m = pl061Model();                 // "arm,pl061", region "regs" (4 KiB), one IRQ
//   m.drive(3, true)                        // the outside world drives input line 3 high
//   m.out                                   // the level of each line as the PL061 drives it (outputs)
//
// Options: irq (false: no interrupt line), id (12 ID bytes from 0xfd0, to
// model another PrimeCell). `m.hostile(seed)` makes every read return a
// seeded pseudo-random value (often all ones or zero) and writes do nothing.

import { fakeDevice } from "jsk:fake";
import { prng } from "./prng.js";

export const PL061_ID = [0x00, 0x00, 0x00, 0x00, 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];


export function pl061Model({ name = "gpio@9030000", irq = true, id = PL061_ID } = {}) {
  const fake = fakeDevice({
    name, bus: "platform", ids: { compatible: ["arm,pl061", "arm,primecell"] },
    regions: [{ name: "regs", size: 0x1000 }], irqs: irq ? 1 : 0,
  });
  const m = {
    fake,
    device: fake.device,
    data: 0, dir: 0, isense: 0, ibe: 0, iev: 0, im: 0, istate: 0, afsel: 0,
    oldIn: 0,
    dataWrites: [],              // { mask, value } of every GPIODATA write
    raised: 0,
    line: false,
    rng: null,
  };

  function update() {
    // Edges on inputs, then level interrupts (pl061_update).
    const changed = (m.oldIn ^ m.data) & ~m.dir & 0xff;
    if (changed) {
      m.oldIn = m.data;
      const edge = changed & ~m.isense;
      m.istate |= edge & m.ibe;
      m.istate |= edge & ~m.ibe & ~(m.data ^ m.iev);
    }
    m.istate |= ~(m.data ^ m.iev) & m.isense & 0xff;
    const line = (m.istate & m.im) !== 0;
    if (irq && line && !m.line) { m.raised++; fake.raise(0); }
    m.line = line;
  }

  function read(offset) {
    if (offset < 0x400) return m.data & (offset >> 2);
    switch (offset) {
      case 0x400: return m.dir;
      case 0x404: return m.isense;
      case 0x408: return m.ibe;
      case 0x40c: return m.iev;
      case 0x410: return m.im;
      case 0x414: return m.istate;
      case 0x418: return m.istate & m.im;
      case 0x420: return m.afsel;
      default: return offset >= 0xfd0 ? id[(offset - 0xfd0) >> 2] : 0;
    }
  }

  function write(offset, value) {
    if (offset < 0x400) {
      const mask = (offset >> 2) & m.dir;
      m.dataWrites.push({ mask: offset >> 2, value });
      m.data = (m.data & ~mask) | (value & mask);
      update();
      return;
    }
    const v = value & 0xff;
    switch (offset) {
      case 0x400: m.dir = v; break;
      case 0x404: m.isense = v; break;
      case 0x408: m.ibe = v; break;
      case 0x40c: m.iev = v; break;
      case 0x410: m.im = v; break;
      case 0x41c: m.istate &= ~value; break;
      case 0x420: m.afsel = v; break;
      default: return;
    }
    update();
  }

  fake.onAny("regs", {
    read: (offset) => (m.rng ? m.rng() : read(offset)),
    write: (value, offset) => { if (!m.rng) write(offset, Number(value)); },
  });

  /** The outside world drives input `line` (pl061_set_irq: ignored while it is an output). */
  m.drive = (line, high) => {
    const bit = 1 << line;
    if (m.dir & bit) return;
    m.data = high ? m.data | bit : m.data & ~bit;
    update();
  };
  /** Levels the PL061 drives on its output lines. */
  Object.defineProperty(m, "out", { get: () => m.data & m.dir });
  m.hostile = (seed) => { m.rng = prng(seed).hostile; };
  return m;
}
