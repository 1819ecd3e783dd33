// qtest tier: the i.MX ECSPI driver with chip select on an i.MX GPIO line, and
// drivers/flash/spi_nor.js over them, on QEMU's sabrelite (its SST25VF016B on
// ECSPI1, selected by GPIO3_19). Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-sabrelite.toml hwtests/qtest/spi.js flash
import { attached, spiBus } from "jsk:board";
import { bind, SpiDevice } from "jsk:hal";
import spiNor from "../../drivers/flash/spi_nor.js";

const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);

switch (process.argv[2]) {
  case "flash": {
    const gpio3 = attached("imx-gpio", { device: "gpio3" });
    const cs = gpio3.pin(19);
    const spi = SpiDevice.onBus(spiBus("ecspi1"), { cs, mode: 0, frequency: 20e6, name: "flash0", compatible: ["jedec,spi-nor"] });
    const flash = await bind(spiNor, spi);
    result("part", { id: flash.id, chip: flash.chip, size: flash.size });
    result("clock", spiBus("ecspi1").frequency);
    await flash.unprotect();
    await flash.erase(0x1000, 0x1000);
    const erased = await flash.read(0x1000, 16);
    const data = Uint8Array.from({ length: 24 }, (_, i) => (i * 53 + 7) & 0xff);
    await flash.write(0x1004, data);
    const back = await flash.read(0x1000, 32);
    result("erased", erased.every((b) => b === 0xff));
    result("programmed", back.subarray(4, 28).every((b, i) => b === data[i]) && back[0] === 0xff && back[31] === 0xff);
    result("csIdle", cs.isSetHigh());
    break;
  }
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
