// qtest tier: the i.MX ECSPI driver with chip select on an i.MX GPIO line, and
// drivers/flash/spi_nor.js over them, on QEMU's sabrelite (its SST25VF016B on
// ECSPI1, selected by GPIO3_19). Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-sabrelite.toml hwtests/qtest/spi.js flash
import { attached, spiBus } from "jsk:board";

const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);

switch (process.argv[2]) {
  case "flash": {
    // The board file's flash0 ([[device.child]] of ecspi1, cs-gpios = ["gpio3", 19]),
    // bound by `jsk run --board`: spi-nor over a SpiDevice whose chip select is GPIO3_19.
    const flash = attached("spi-nor", { device: "flash0" });
    const gpio3 = attached("imx-gpio", { device: "gpio3" });
    result("part", { id: flash.id, chip: flash.chip, size: flash.size });
    result("clock", spiBus("ecspi1").frequency);
    await flash.unprotect();
    const data = Uint8Array.from({ length: 24 }, (_, i) => (i * 53 + 7) & 0xff);
    await flash.write(0x1004, data);
    const back = await flash.read(0x1000, 32);
    result("programmed", back.subarray(4, 28).every((b, i) => b === data[i]) && back[0] === 0xff && back[31] === 0xff);
    // Erase after programming, so that the check can fail (the part starts erased).
    await flash.erase(0x1000, 0x1000);
    result("erased", (await flash.read(0x1000, 32)).every((b) => b === 0xff));
    // GPIO3's data register, bit 19: the chip select as the controller drives it.
    result("csIdle", ((gpio3.regs.DR.read() >>> 19) & 1) === 1);
    break;
  }
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
