// I2C and GPIO on a Raspberry Pi through Linux's character devices (jsk:linux):
//   jsk run examples/pi-buses.js                    the GPIO chip's lines and what answers on I2C1
//   jsk run examples/pi-buses.js --tmp105 0x48      five readings of a TMP105/LM75 on header pins 3/5
//   jsk run examples/pi-buses.js --blink GPIO17     blink an LED on header pin 11 ten times
// The board file comes from /proc/device-tree/model (Raspberry Pi 3, 4 or 5), or --pi FILE.
import * as sys from "jsk:sys";
import { openBoard } from "jsk:board";
import { bind, delay } from "jsk:hal";
import lm75 from "../drivers/sensor/lm75.js";

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const here = import.meta.url.replace(/^file:\/\//, "").replace(/examples\/pi-buses\.js$/, "");

function boardFile() {
  const given = option("--pi");
  if (given) return given;
  let model;
  try {
    model = sys.readFile("/proc/device-tree/model", "utf8").replace(/\0/g, "").trim();
  } catch {
    throw new Error("pi-buses: not a Raspberry Pi (no /proc/device-tree/model); give --pi devices/raspberry-pi-N.toml");
  }
  const n = /^Raspberry Pi (\d)/.exec(model)?.[1];
  if (!["3", "4", "5"].includes(n)) throw new Error(`pi-buses: "${model}" is not a Raspberry Pi 3, 4 or 5; give --pi FILE`);
  return `${here}devices/raspberry-pi-${n}.toml`;
}

const pi = openBoard(boardFile(), { backend: "fake" });   // only its [[linux]] buses are used
console.log(`${pi.name}: ${pi.linux().map((b) => `${b.name} (${b.path ?? b.label})`).join(", ")}`);

const tmp = option("--tmp105");
const blink = option("--blink");
if (tmp !== undefined) {
  const i2c = pi.openLinux("i2c1");
  const sensor = await bind(lm75, i2c.client(Number(tmp), { compatible: ["ti,tmp105"] }));
  for (let k = 0; k < 5; k++) {
    console.log(`${sensor.chip} at ${tmp}: ${await sensor.temperature()} °C`);
    await delay.ms(500);
  }
} else if (blink !== undefined) {
  const chip = pi.openLinux("gpio");
  const led = chip.pin(/^\d+$/.test(blink) ? Number(blink) : blink, { consumer: "pi-buses" }).intoOutput(false);
  for (let k = 0; k < 10; k++) {
    led.toggle();
    await delay.ms(250);
  }
  led.setLow();
  console.log(`blinked ${blink} on ${chip.name} "${chip.label}"`);
} else {
  const chip = pi.openLinux("gpio");
  console.log(`${chip.name} "${chip.label}", ${chip.lines} lines`);
  for (let i = 0; i < Math.min(chip.lines, 28); i++) {
    const l = chip.lineInfo(i);
    console.log(`  ${String(i).padStart(2)} ${l.name.padEnd(8)} ${l.direction.padEnd(3)} ${l.used ? `used by ${l.consumer}` : ""}`);
  }
  const i2c = pi.openLinux("i2c1");
  console.log(`i2c1 answers at: ${(await i2c.scan()).map((a) => `0x${a.toString(16)}`).join(" ") || "nothing"}`);
}
