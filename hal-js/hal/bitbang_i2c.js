// jsk:hal/bitbang_i2c — an I2c made of two open-drain pins (SCL, SDA), the
// way Linux's i2c-algo-bit does it, after the I2C-bus specification (NXP
// UM10204 rev. 7, §3.1: START and STOP conditions, byte format,
// acknowledge, clock stretching).
//
//   const i2c = bitbangI2c("i2c-gpio", { scl, sda, frequency: 100_000 });
//
// `scl` and `sda` are hal Pins that behave as open drain: setHigh() releases
// the line (the pull-up takes it high unless a device holds it low),
// setLow() pulls it low, isHigh() reads the line. Pins of a controller with
// real open-drain outputs, or a GPIO switched between input (release) and
// output low, both fit. The host runs the clock: each half period is a busy
// wait, and a device stretching SCL is waited for, up to `stretchUs`.

import { I2c, I2cError, ErrorKind, NoAcknowledgeSource } from "jsk:hal/i2c";
import { monotonicMs } from "jsk:sys";

function checkPin(what, pin) {
  for (const m of ["setHigh", "setLow", "isHigh"])
    if (typeof pin?.[m] !== "function") throw new TypeError(`bitbangI2c: ${what} must be a Pin (it has no ${m}())`);
}

/**
 * An I2c over pins `scl` and `sda`. `frequency` (Hz, default 100 kHz) sets
 * the half period waited between edges; 0 waits nothing (a model that needs
 * no timing). `stretchUs` bounds how long a device may hold SCL low (default 10 ms).
 */
export function bitbangI2c(name, { scl, sda, frequency = 100_000, stretchUs = 10_000 } = {}) {
  checkPin("scl", scl);
  checkPin("sda", sda);
  if (!(Number.isFinite(frequency) && frequency >= 0)) throw new RangeError(`${name}: frequency must be a number of Hz (0: no waits)`);
  const halfMs = frequency > 0 ? 1000 / frequency / 2 : 0;
  const wait = halfMs > 0
    ? () => { const until = monotonicMs() + halfMs; while (monotonicMs() < until); }
    : () => {};

  const fail = (message, kind, extra) => new I2cError(`${name}: ${message}`, kind, extra);

  // SCL high, then wait while a device stretches the clock.
  function sclHigh() {
    scl.setHigh();
    if (scl.isHigh()) return;
    const deadline = monotonicMs() + stretchUs / 1000;
    while (!scl.isHigh())
      if (monotonicMs() > deadline) throw fail(`SCL held low for more than ${stretchUs} us (a device stretching the clock, or a stuck bus)`, ErrorKind.Bus);
  }

  function start(repeated) {
    if (repeated) { sda.setHigh(); wait(); sclHigh(); wait(); }
    else {
      sda.setHigh();
      sclHigh();
      if (!sda.isHigh()) recover();
      wait();
    }
    sda.setLow(); wait();          // START: SDA falls while SCL is high
    scl.setLow(); wait();
  }

  // SDA held low before START: on a bus this host alone drives, a device stuck in the middle
  // of a byte (a reset host left it there). Bus recovery (UM10204 §3.1.16): up to nine
  // clocks until it lets go, then a STOP.
  function recover() {
    for (let i = 0; i < 9 && !sda.isHigh(); i++) {
      scl.setLow(); wait();
      sclHigh(); wait();
    }
    if (!sda.isHigh()) throw fail("SDA stays low after nine clocks of bus recovery (a device holds it, or the line is shorted)", ErrorKind.Bus);
    sda.setLow(); wait();
    sda.setHigh(); wait();         // STOP: every device back to idle
  }

  function stop() {
    sda.setLow(); wait();
    sclHigh(); wait();
    sda.setHigh(); wait();         // STOP: SDA rises while SCL is high
  }

  // Clock one bit out; a 1 that reads back 0 means another master drove the line.
  function writeBit(bit) {
    if (bit) sda.setHigh(); else sda.setLow();
    wait();
    sclHigh();
    if (bit && !sda.isHigh()) { scl.setLow(); throw fail("lost arbitration: SDA read low while sending a 1", ErrorKind.ArbitrationLoss); }
    wait();
    scl.setLow();
  }

  function readBit() {
    sda.setHigh();
    wait();
    sclHigh();
    const bit = sda.isHigh();
    wait();
    scl.setLow();
    return bit;
  }

  /** Send a byte MSB first; returns true when the receiver acknowledged it (SDA low on the ninth clock). */
  function writeByte(byte) {
    for (let i = 7; i >= 0; i--) writeBit((byte >> i) & 1);
    return !readBit();
  }

  function readByte(ack) {
    let v = 0;
    for (let i = 0; i < 8; i++) v = (v << 1) | (readBit() ? 1 : 0);
    writeBit(ack ? 0 : 1);
    return v;
  }

  function transaction(address, segments) {
    try {
      segments.forEach((seg, i) => {
        start(i > 0);
        const rd = seg.read !== undefined;
        if (!writeByte((address << 1) | (rd ? 1 : 0)))
          throw fail(`no acknowledge for address 0x${address.toString(16)} (${rd ? "read" : "write"})`, ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Address });
        if (rd) {
          const buf = seg.read;
          for (let k = 0; k < buf.length; k++) buf[k] = readByte(k < buf.length - 1);   // NACK the last byte
        } else {
          const buf = seg.write;
          for (let k = 0; k < buf.length; k++)
            if (!writeByte(buf[k])) throw fail(`no acknowledge for data byte ${k} of ${buf.length}`, ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Data });
        }
      });
      stop();
    } catch (e) {
      // Leave the bus idle whatever happened: after a lost arbitration the
      // bus is another master's, so only let go of both lines; else a STOP.
      try {
        if (e instanceof I2cError && e.kind === ErrorKind.ArbitrationLoss) { sda.setHigh(); scl.setHigh(); }
        else stop();
      } catch { /* the first error is the one to report */ }
      throw e;
    }
  }

  return new I2c(name, { transaction });
}
