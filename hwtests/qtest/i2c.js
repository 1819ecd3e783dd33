// qtest tier: I2C controller drivers on QEMU's models, with the device drivers
// of drivers/sensor and drivers/eeprom over them. Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-x86.toml hwtests/qtest/i2c.js ich9
import { attached } from "jsk:board";
import { bind, I2cError } from "jsk:hal";
import at24 from "../../drivers/eeprom/at24.js";
import lm75 from "../../drivers/sensor/lm75.js";

const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);
const pattern = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff);

async function eepromRoundTrip(i2c, address, compatible, { offset = 5, length = 70 } = {}) {
  const e = await bind(at24, i2c.client(address, { compatible: [compatible] }));
  const data = pattern(length, address);
  await e.write(offset, data);
  const back = await e.read(offset, length);
  return { size: e.size, equal: back.every((b, i) => b === data[i]) };
}

async function missing(i2c, address) {
  try {
    await i2c.writeRead(address, [0], 1);
    return "answered";
  } catch (e) {
    return e instanceof I2cError ? `${e.kind}(${e.source ?? ""})` : String(e);
  }
}

switch (process.argv[2]) {
  case "ich9": {
    const { i2c } = attached("ich9-smbus");
    result("scan", (await i2c.scan()).map((a) => a.toString(16)));
    result("eeprom", await eepromRoundTrip(i2c, 0x50, "atmel,24c02"));
    // An I2C block read of 32 bytes: the last one arrives with INTR alone on QEMU's model.
    const block = await i2c.writeRead(0x50, [5], 32);
    result("blockRead", [...block.subarray(28)]);
    // The LM75 on a register file (an smbus-eeprom at 0x51): bytes 0-1 the temperature, MSB first.
    await i2c.write(0x51, [0, 0xe7, 0x00]);       // -25 °C
    const t = await bind(lm75, i2c.client(0x51, { compatible: ["national,lm75"] }));
    result("temperature", await t.temperature());
    result("missing", await missing(i2c, 0x30));
    break;
  }
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
