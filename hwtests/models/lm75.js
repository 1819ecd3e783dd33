// Models of LM75-family temperature sensors on a fake I2C bus (jsk:fake), after
// TI's TMP105 datasheet (SBOS368, §7.5 "Programming": pointer register,
// temperature, configuration, T_LOW and T_HIGH registers, Table 7-8 resolution)
// and the LM75 datasheet (the same four registers, 9 bits fixed), and QEMU's
// hw/sensor/tmp105.c.
//
//   const m = tmp105Model({ address: 0x48 });   // or lm75Model()
//   m.celsius = -12.5;                          // what the sensor measures
//   m.config, m.limits                          // the registers as the driver left them

const RES_BITS = [9, 10, 11, 12];

function sensorModel({ address, celsius, resolutionBits, limitMask = 0xf0 }) {
  const m = {
    address,
    celsius,
    config: 0,
    limits: [75 * 256, 80 * 256],       // T_LOW / T_HYST, T_HIGH / T_OS at power-up: 75 and 80 °C
    pointer: 0,
    written: 0,                         // bytes of this write, the pointer byte included
    readIndex: 0,
    writes: [],                         // [pointer, value] of each register write
    bits() { return resolutionBits ?? RES_BITS[(m.config >> 5) & 3]; },
    /** The temperature register: two's complement, 1/256 °C per LSB, the low bits cleared below the resolution. */
    temperatureRegister() {
      const raw = Math.round(m.celsius * 256);
      const clamped = Math.max(-0x8000, Math.min(0x7fff, raw));
      const mask = (0xffff << (16 - m.bits())) & 0xffff;
      return clamped & mask;
    },
    register(p) {
      if (p === 0) return m.temperatureRegister();
      if (p === 1) return m.config;
      return m.limits[p - 2];
    },
    event(kind) {
      if (kind === "start-write") m.written = 0;
      if (kind === "start-read") m.readIndex = 0;
    },
    send(byte) {
      if (m.written === 0) m.pointer = byte & 3;
      else if (m.pointer === 1) { m.config = byte; m.writes.push([1, byte]); }
      else if (m.pointer >= 2) {
        const i = m.pointer - 2;
        const k = m.written - 1;        // 0: MSB, 1: LSB
        if (k === 0) m.limits[i] = (byte << 8) | (m.limits[i] & 0xff);
        else if (k === 1) { m.limits[i] = (m.limits[i] & 0xff00) | (byte & limitMask); m.writes.push([m.pointer, m.limits[i]]); }
      }
      m.written++;
      return m.pointer !== 0 || m.written === 1;   // the temperature register is read-only
    },
    recv() {
      const v = m.register(m.pointer);
      const k = m.readIndex++;
      if (m.pointer === 1) return v;               // one byte, repeated
      return k % 2 === 0 ? v >> 8 : v & 0xff;     // MSB, then LSB
    },
  };
  return m;
}

/** A TMP105: resolution 9..12 bits from config bits R1:R0 (6:5). */
export function tmp105Model({ address = 0x48, celsius = 25 } = {}) {
  return sensorModel({ address, celsius });
}

/** An LM75: 9 bits, whatever the configuration says; the limits keep 9 bits too. */
export function lm75Model({ address = 0x48, celsius = 25 } = {}) {
  return sensorModel({ address, celsius, resolutionBits: 9, limitMask: 0x80 });
}
