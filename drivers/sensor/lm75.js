// LM75-family I2C temperature sensors: LM75, LM75A/B, TMP75, TMP105 and the
// parts that copied them.
// References: TI TMP105 datasheet (SBOS368), §7.5 Programming: the pointer
// register (bits 1:0 select the register), the temperature register (12 bits
// left-justified, two's complement, 0.0625 °C per LSB), the configuration
// register (SD bit 0, TM bit 1, POL bit 2, F1:F0 bits 4:3, R1:R0 bits 6:5,
// OS bit 7) and the T_LOW/T_HIGH limit registers; Table 7-8, resolution and
// conversion time. National LM75 datasheet: the same registers with 9 bits
// (0.5 °C) fixed, T_HYST and T_OS for the limits. Linux drivers/hwmon/lm75.c
// for which parts have which resolution.
//
// The driver sits on an I2c client (any controller: an i.MX I2C, a
// bit-banged bus, Linux's i2c-dev):
//   const t = await bind(lm75, i2c.client(0x48, { compatible: ["ti,tmp105"] }));
//
// Handle: { temperature(), resolution, setResolution(bits), shutdown(on), limits(), setLimits({ low, high }), chip }.
//   temperature()        °C as a number (resolves), at the current resolution.
//   resolution           bits (9..12) the sensor converts with now.
//   setResolution(b)     9..12 on parts that have R1:R0 (TMP75/TMP105); RangeError elsewhere.
//   shutdown(on)         stop (true) or resume (false) conversions: the SD bit.
//   limits()             { low, high } in °C (T_LOW/T_HYST and T_HIGH/T_OS).
//   setLimits(l)         write them (RangeError outside -128..127.9375 °C), rounded to what the
//                        part keeps: 0.5 °C on the LM75/LM75A/LM75B, 1/16 °C on the TMPs.
// After probe changes the configuration (resolution, waking from shutdown) the first
// conversion takes up to ~320 ms (TMP105 at 12 bits): a reading before then is older.

import { driver } from "jsk:hal";

const REG = { TEMP: 0, CONFIG: 1, LOW: 2, HIGH: 3 };
const CONFIG = { SD: 1 << 0, R_SHIFT: 5, R_MASK: 3 << 5 };

// Parts, after lm75.c's table: how many bits each converts with, and whether R1:R0 chooses.
const CHIPS = {
  // limitBits: what the T_HYST/T_OS (T_LOW/T_HIGH) registers keep.
  "national,lm75": { name: "LM75", bits: 9, limitBits: 9 },
  "national,lm75a": { name: "LM75A", bits: 9, limitBits: 9 },
  "nxp,lm75b": { name: "LM75B", bits: 11, limitBits: 9 },
  "ti,tmp75": { name: "TMP75", bits: 12, settable: true },
  "ti,tmp105": { name: "TMP105", bits: 12, settable: true },
  "ti,tmp175": { name: "TMP175", bits: 12, settable: true },
  "ti,tmp275": { name: "TMP275", bits: 12, settable: true },
};

/** A 16-bit register value (two's complement, 1/256 °C per LSB) in °C. */
const celsiusOf = (raw) => ((raw << 16) >> 16) / 256;

function chipOf(client) {
  for (const c of client.compatible ?? []) if (CHIPS[c]) return CHIPS[c];
  // Without a compatible the safe guess is the original LM75: 9 bits, nothing to set.
  return CHIPS["national,lm75"];
}

class Lm75 {
  constructor(client, chip, config) {
    this.client = client;
    this.name = client.name;
    this.chip = chip.name;
    this.settable = chip.settable === true;
    this.limitBits = chip.limitBits ?? 12;
    this.config = config;
    this.resolution = this.settable ? 9 + ((config & CONFIG.R_MASK) >> CONFIG.R_SHIFT) : chip.bits;
  }

  async readRegister16(reg) {
    const b = await this.client.writeRead([reg], 2);
    return (b[0] << 8) | b[1];
  }

  async writeConfig(value) {
    await this.client.write([REG.CONFIG, value]);
    this.config = value;
  }

  /** The temperature in °C at the current resolution. */
  async temperature() {
    const raw = await this.readRegister16(REG.TEMP);
    // Bits below the resolution are undefined on some parts: clear them.
    const mask = (0xffff << (16 - this.resolution)) & 0xffff;
    return celsiusOf(raw & mask);
  }

  /** Convert with `bits` (9..12): R1:R0 of the configuration register. */
  async setResolution(bits) {
    if (!this.settable) throw new RangeError(`${this.name}: the ${this.chip} converts with ${this.resolution} bits; it has no resolution to set`);
    if (!Number.isInteger(bits) || bits < 9 || bits > 12) throw new RangeError(`${this.name}: resolution must be 9..12 bits, not ${String(bits)}`);
    await this.writeConfig((this.config & ~CONFIG.R_MASK) | ((bits - 9) << CONFIG.R_SHIFT));
    this.resolution = bits;
  }

  /** Stop conversions (true, the sensor draws microamps) or resume them (false). */
  async shutdown(on = true) {
    await this.writeConfig(on ? this.config | CONFIG.SD : this.config & ~CONFIG.SD);
  }

  /** The alert limits in °C: { low (T_LOW / T_HYST), high (T_HIGH / T_OS) }. */
  async limits() {
    return { low: celsiusOf(await this.readRegister16(REG.LOW)), high: celsiusOf(await this.readRegister16(REG.HIGH)) };
  }

  async setLimits({ low, high }) {
    for (const [reg, v] of [[REG.LOW, low], [REG.HIGH, high]]) {
      if (v === undefined) continue;
      if (!Number.isFinite(v) || v < -128 || v >= 128) throw new RangeError(`${this.name}: a limit of ${String(v)} °C is outside -128..127.9375`);
      // Left-justified two's complement in the part's limit resolution (9 bits: 0.5 °C,
      // 12 bits: 1/16 °C); the top step is clamped, not wrapped to -128.
      const steps = 2 ** (this.limitBits - 8);
      const max = 2 ** (this.limitBits - 1) - 1;
      const q = Math.max(-max - 1, Math.min(max, Math.round(v * steps)));
      const raw = (q << (16 - this.limitBits)) & 0xffff;
      await this.client.write([reg, raw >> 8, raw & 0xff]);
    }
  }
}

export default driver({
  name: "lm75",
  description: "LM75-family I2C temperature sensor (LM75, LM75B, TMP75, TMP105, TMP175, TMP275)",
  match: { compatible: Object.keys(CHIPS) },

  async probe(client) {
    if (typeof client?.writeRead !== "function") throw new TypeError("lm75: probe needs an I2cClient (i2c.client(address))");
    const chip = chipOf(client);
    // One configuration read: a missing sensor fails here with the bus's NoAcknowledge.
    const [config] = await client.writeRead([REG.CONFIG], 1);
    const t = new Lm75(client, chip, config);
    if (config & CONFIG.SD) await t.shutdown(false);     // left shut down by someone: convert again
    if (t.settable && t.resolution !== chip.bits) await t.setResolution(chip.bits);
    return t;
  },
});
