// ARM Versatile / RealView serial bus: two open-drain lines (SCL, SDA) under
// software control, made into an I2C bus by bit-banging (jsk:hal's bitbangI2c).
// References: ARM RealView Platform Baseboard for ARM926EJ-S User Guide
// (DUI 0224), §4.15 "Serial bus interface": SB_CONTROL at offset 0x0 (read:
// bit 0 SCL, bit 1 SDA), SB_CONTROLS at 0x0 (write 1: release the line, it
// goes high) and SB_CONTROLC at 0x4 (write 1: pull the line low); QEMU
// hw/i2c/versatile_i2c.c and bitbang_i2c.c; Linux
// drivers/i2c/busses/i2c-versatile.c.
//
// Handle: { i2c, scl, sda, name }.
//   i2c        a jsk:hal I2c: START, address, data, ACK and STOP clocked by the host.
//   scl, sda   the two lines as open-drain hal Pins (setHigh releases, isHigh reads the line).

import { driver, registers, Pin, bitbangI2c } from "jsk:hal";

const SB = registers({
  SB_CONTROL: { offset: 0x0, access: "r", fields: { SCL: 0, SDA: 1 } },
  SB_CONTROLS: { offset: 0x0, access: "w" },
  SB_CONTROLC: { offset: 0x4, access: "w" },
}, { device: "versatile-i2c" });

const SCL = 1 << 0;
const SDA = 1 << 1;
// The bus runs at up to 100 kHz (standard mode); under QEMU each access is slower than that anyway.
const FREQUENCY = 100_000;

function line(name, regs, bit) {
  return new Pin(name, {
    // Open drain: "high" releases the line, "low" pulls it down.
    write: (high) => (high ? regs.SB_CONTROLS : regs.SB_CONTROLC).write(bit),
    read: () => (regs.SB_CONTROL.read() & bit) !== 0,
    direction: () => {},
  });
}

export default driver({
  name: "versatile-i2c",
  description: "ARM Versatile serial bus (bit-banged I2C)",
  match: { compatible: ["arm,versatile-i2c"] },

  async probe(dev) {
    const regs = SB.on(dev.mmio(dev.hasRegion("regs") ? "regs" : 0));
    // Both lines released: the bus idle.
    regs.SB_CONTROLS.write(SCL | SDA);
    const scl = line(`${dev.name}.scl`, regs, SCL);
    const sda = line(`${dev.name}.sda`, regs, SDA);
    const i2c = bitbangI2c(dev.name, { scl, sda, frequency: FREQUENCY });
    return { name: dev.name, i2c, scl, sda, regs };
  },

  remove(h) {
    h.regs.SB_CONTROLS.write(SCL | SDA);
  },
});
