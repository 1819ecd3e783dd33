// jsk:hal/smbus — an I2c over a controller that speaks SMBus only (the ICH9
// SMBus host, Linux adapters without I2C_FUNC_I2C such as i2c-stub).
//
// SMBus transfers are fixed shapes of I2C transactions. The transactions
// that have one are carried; any other is refused with an I2cError of kind
// "Other" naming its shape, before anything reaches the bus:
//
//   write 0                 quick (write)
//   write 1                 send byte
//   write 2                 write byte data   (command, byte)
//   write 3                 write word data   (command, low byte, high byte: SMBus sends the low byte first)
//   write 4..33             write I2C block   (command, 1..32 bytes)
//   read 1                  receive byte
//   write 1, read 1         read byte data
//   write 1, read 2         read word data    (bytes in wire order: low, high)
//   write 1, read 3..32     read I2C block
//
// The controller gives what it has of:
//   { quick(address), receiveByte(address) -> byte, sendByte(address, byte),
//     readByteData(address, command) -> byte, writeByteData(address, command, byte),
//     readWordData(address, command) -> word, writeWordData(address, command, word),
//     readI2cBlock(address, command, buffer) (fills buffer), writeI2cBlock(address, command, bytes) }
// each returning a value or a promise; a missing one makes its shape unsupported.

import { I2c, I2cError, ErrorKind } from "jsk:hal/i2c";

/** The most data bytes an SMBus block carries. */
export const SMBUS_BLOCK_MAX = 32;

function shapeOf(segments) {
  return segments.map((s) => (s.read ? `read ${s.read.length}` : `write ${s.write.length}`)).join(", ");
}

/** The SMBus transfer for an I2C transaction, or undefined: { op, args, result(value) }. */
function plan(segments) {
  const [a, b] = segments;
  if (segments.length === 1 && a.write) {
    const w = a.write;
    if (w.length === 0) return { op: "quick", args: [] };
    if (w.length === 1) return { op: "sendByte", args: [w[0]] };
    if (w.length === 2) return { op: "writeByteData", args: [w[0], w[1]] };
    if (w.length === 3) return { op: "writeWordData", args: [w[0], w[1] | (w[2] << 8)] };
    if (w.length <= SMBUS_BLOCK_MAX + 1) return { op: "writeI2cBlock", args: [w[0], w.subarray(1)] };
    return undefined;
  }
  if (segments.length === 1 && a.read) {
    if (a.read.length === 1) return { op: "receiveByte", args: [], result: (v) => { a.read[0] = v; } };
    return undefined;
  }
  if (segments.length === 2 && a.write && b.read && a.write.length === 1) {
    const cmd = a.write[0];
    const n = b.read.length;
    if (n === 1) return { op: "readByteData", args: [cmd], result: (v) => { b.read[0] = v; } };
    if (n === 2) return { op: "readWordData", args: [cmd], result: (v) => { b.read[0] = v & 0xff; b.read[1] = (v >> 8) & 0xff; } };
    if (n <= SMBUS_BLOCK_MAX) return { op: "readI2cBlock", args: [cmd, b.read] };
  }
  return undefined;
}

/**
 * An I2c whose transactions go out as SMBus transfers through `smbus`
 * (see the table above). `i2c.smbus` is the controller's own operations, for
 * drivers that need an SMBus transfer with no I2C form (block reads with a count).
 */
export function smbusI2c(name, smbus) {
  const has = (op) => typeof smbus[op] === "function";
  const i2c = new I2c(name, {
    maxSegment: SMBUS_BLOCK_MAX + 1,
    // What the offered transfers reach: drivers size their chunks by these (an EEPROM
    // reads in 32-byte blocks, or words where the controller has no I2C block read).
    maxRead: has("readI2cBlock") ? SMBUS_BLOCK_MAX : has("readWordData") ? 2 : 1,
    maxWrite: has("writeI2cBlock") ? SMBUS_BLOCK_MAX + 1 : has("writeWordData") ? 3 : has("writeByteData") ? 2 : 1,
    transaction(address, segments) {
      const p = plan(segments);
      if (!p || typeof smbus[p.op] !== "function") {
        const e = new I2cError(`${name}: this controller speaks SMBus only, and a transaction of ${shapeOf(segments)} has no SMBus form `
          + `it offers${p ? ` (it would be ${p.op})` : ""}`, ErrorKind.Other, { address });
        e.unsupported = true;               // I2c.probe then tries a read
        throw e;
      }
      // Synchronous controllers answer at once; a promise (an asynchronous one) is chained.
      const v = smbus[p.op](address, ...p.args);
      if (typeof v?.then === "function") return v.then((x) => { p.result?.(x); });
      p.result?.(v);
      return undefined;
    },
  });
  i2c.smbus = smbus;
  return i2c;
}

