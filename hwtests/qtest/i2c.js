// qtest tier: I2C controller drivers on QEMU's models, with the device drivers
// of drivers/sensor and drivers/eeprom over them. Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-x86.toml hwtests/qtest/i2c.js ich9
import { attached, attachedAll, board } from "jsk:board";
import { bind, I2cError } from "jsk:hal";
import at24 from "../../drivers/eeprom/at24.js";
import lm75 from "../../drivers/sensor/lm75.js";

const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);
const pattern = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff);

async function eepromRoundTrip(e, { offset = 5, length = 70 } = {}) {
  const data = pattern(length, e.client.address);
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

/**
 * The TMP105 and AT24 the board file puts on the bus ([[device.child]] temp0 and
 * eeprom0), bound by `jsk run --board` through the controller's I2c.
 */
async function sensorAndEeprom(i2c, range) {
  result("scan", (await i2c.scan(range)).map((a) => a.toString(16)));
  result("children", attachedAll().filter((a) => a.device === "temp0" || a.device === "eeprom0").map((a) => `${a.driver} on ${a.device}`));
  const t = attached("lm75", { device: "temp0" });
  const temps = [];
  for (const mc of [25500, -12345, 85000]) {
    board().setProperty("temp0", "temperature", mc);   // QEMU's tmp105 takes m°C
    temps.push(await t.temperature());
  }
  result("resolution", t.resolution);
  result("temperatures", temps);
  await t.setLimits({ low: 10.5, high: 50 });
  result("limits", await t.limits());
  result("eeprom", await eepromRoundTrip(attached("at24", { device: "eeprom0" }), { offset: 0x7e0, length: 100 }));
  result("missing", await missing(i2c, 0x30));
}

switch (process.argv[2]) {
  case "ich9": {
    const { i2c } = attached("ich9-smbus");
    result("scan", (await i2c.scan()).map((a) => a.toString(16)));
    result("eeprom", await eepromRoundTrip(await bind(at24, i2c.client(0x50, { compatible: ["atmel,24c02"] }))));
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
  case "versatile": {
    // Bit-banged: the same lm75 and at24 drivers, clocked by hand on two open-drain lines.
    const { i2c } = attached("versatile-i2c");
    // A narrower scan than the i.MX case: every bit is a qtest round trip here.
    await sensorAndEeprom(i2c, { from: 0x40, to: 0x6f });
    // The DS1338's seconds register (0x00, BCD) as the RTC keeps it.
    const [sec] = await i2c.writeRead(0x68, [0], 1);
    result("rtcSecondsBcd", (sec & 0x0f) <= 9 && ((sec >> 4) & 0x7) <= 5);
    break;
  }
  case "imx": {
    const h = attached("imx-i2c");
    result("frequency", h.frequency);
    await sensorAndEeprom(h.i2c);
    break;
  }
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
