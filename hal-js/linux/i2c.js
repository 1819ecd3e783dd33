// jsk:linux/i2c — an I2c over Linux's i2c-dev (/dev/i2c-N), in JavaScript over
// jsk:sys's ioctl (Documentation/i2c/dev-interface.rst, include/uapi/linux/i2c-dev.h
// and i2c.h).
//
//   import { openI2c } from "jsk:linux";
//   const i2c = openI2c("/dev/i2c-1");               // or openI2c(1)
//   const t = await bind(lm75, i2c.client(0x48, { compatible: ["ti,tmp105"] }));
//
// An adapter with I2C_FUNC_I2C takes every transaction as one I2C_RDWR (each
// segment one struct i2c_msg, a repeated START between them). An SMBus-only
// adapter (the PC's i801, i2c-stub) gets the transactions that have an SMBus
// form (jsk:hal/smbus) as I2C_SMBUS calls. The kernel's errors become
// I2cError kinds after Documentation/i2c/fault-codes.rst.
//
// The ioctls block until the adapter is done (the kernel's adapter timeout,
// about a second, bounds each one), so a transfer runs synchronously inside
// its promise.

import * as sys from "jsk:sys";
import { addressOf } from "jsk:native";
import { byteLengthOf } from "jsk:linux/bytes";
import { I2c, I2cError, ErrorKind, NoAcknowledgeSource } from "jsk:hal/i2c";
import { smbusI2c } from "jsk:hal/smbus";

// include/uapi/linux/i2c-dev.h
export const I2C_SLAVE = 0x0703;
export const I2C_SLAVE_FORCE = 0x0706;
export const I2C_FUNCS = 0x0705;
export const I2C_RDWR = 0x0707;
export const I2C_SMBUS = 0x0720;
/** The most messages one I2C_RDWR takes (I2C_RDWR_IOCTL_MAX_MSGS). */
export const I2C_RDWR_MAX_MSGS = 42;

// include/uapi/linux/i2c.h
export const I2C_M_RD = 0x0001;
export const I2C_FUNC = Object.freeze({
  I2C: 0x1,
  PROTOCOL_MANGLING: 0x4,
  SMBUS_PEC: 0x8,
  NOSTART: 0x10,
  SMBUS_QUICK: 0x10000,
  SMBUS_READ_BYTE: 0x20000,
  SMBUS_WRITE_BYTE: 0x40000,
  SMBUS_READ_BYTE_DATA: 0x80000,
  SMBUS_WRITE_BYTE_DATA: 0x100000,
  SMBUS_READ_WORD_DATA: 0x200000,
  SMBUS_WRITE_WORD_DATA: 0x400000,
  SMBUS_PROC_CALL: 0x800000,
  SMBUS_READ_BLOCK_DATA: 0x1000000,
  SMBUS_WRITE_BLOCK_DATA: 0x2000000,
  SMBUS_READ_I2C_BLOCK: 0x4000000,
  SMBUS_WRITE_I2C_BLOCK: 0x8000000,
});
const SMBUS_READ = 1;
const SMBUS_WRITE = 0;
const SMBUS_SIZE = { QUICK: 0, BYTE: 1, BYTE_DATA: 2, WORD_DATA: 3, I2C_BLOCK_DATA: 8 };

// struct i2c_msg { __u16 addr; __u16 flags; __u16 len; __u8 *buf; }: 16 bytes on 64-bit.
const MSG_SIZE = 16;
// struct i2c_rdwr_ioctl_data { struct i2c_msg *msgs; __u32 nmsgs; }: 16 bytes.
// struct i2c_smbus_ioctl_data { __u8 read_write; __u8 command; __u32 size; union i2c_smbus_data *data; }: 16 bytes.
// union i2c_smbus_data: byte, word, or block[34] (block[0] the length).
const SMBUS_DATA_SIZE = 34;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The I2cError for a failed i2c-dev ioctl (fault-codes.rst): ENXIO is the
 * address not acknowledged, ENODEV the same from i2c-stub, EREMOTEIO a NAK
 * the adapter cannot place, EAGAIN lost arbitration, EOVERFLOW/EMSGSIZE more
 * data than fits, EIO/EPROTO/ETIMEDOUT/EBADMSG a bus that misbehaved.
 */
export function i2cErrorOf(e, address) {
  if (!(e instanceof sys.SysError)) return e;
  const kindOf = {
    ENXIO: [ErrorKind.NoAcknowledge, NoAcknowledgeSource.Address],
    ENODEV: [ErrorKind.NoAcknowledge, NoAcknowledgeSource.Address],
    EREMOTEIO: [ErrorKind.NoAcknowledge, NoAcknowledgeSource.Unknown],
    EAGAIN: [ErrorKind.ArbitrationLoss],
    EOVERFLOW: [ErrorKind.Overrun],
    EMSGSIZE: [ErrorKind.Overrun],
    EIO: [ErrorKind.Bus],
    EPROTO: [ErrorKind.Bus],
    ETIMEDOUT: [ErrorKind.Bus],
    EBADMSG: [ErrorKind.Bus],
  }[e.code] ?? [ErrorKind.Other];
  return new I2cError(`${e.code} from the adapter (${e.message})`, kindOf[0], { source: kindOf[1], address, cause: e });
}

function pathOf(bus) {
  if (Number.isInteger(bus) && bus >= 0) return `/dev/i2c-${bus}`;
  if (typeof bus === "string" && bus) return bus;
  throw new TypeError(`openI2c: give a bus number or a /dev/i2c-N path, not ${String(bus)}`);
}

class I2cDev {
  constructor(path, fd, funcs, force) {
    this.path = path;
    this.fd = fd;
    this.funcs = funcs;
    this.force = force;
    this.current = -1;                          // the address I2C_SLAVE last set
    this.msgs = new DataView(new ArrayBuffer(MSG_SIZE * I2C_RDWR_MAX_MSGS));
    this.rdwr = new DataView(new ArrayBuffer(16));
    this.smbusArgs = new DataView(new ArrayBuffer(16));
    this.smbusData = new Uint8Array(SMBUS_DATA_SIZE);
    this.rdwr.setBigUint64(0, addressOf(this.msgs), LE);
    this.smbusArgs.setBigUint64(8, addressOf(this.smbusData), LE);
  }

  checkOpen() {
    if (this.fd < 0) throw new Error(`${this.path}: closed`);
  }

  /**
   * One I2C_RDWR carrying `segments`. The kernel only ever sees buffers made here
   * (bounce buffers): the caller's are copied in and out with TypedArray set(), so
   * no caller-defined `length`, getter or resizable buffer decides what the kernel
   * reads or writes.
   */
  rdwrTransfer(address, segments) {
    this.checkOpen();
    if (segments.length > I2C_RDWR_MAX_MSGS) throw new RangeError(`${this.path}: ${segments.length} segments; i2c-dev takes at most ${I2C_RDWR_MAX_MSGS}`);
    const bounce = [];
    const reads = [];              // the caller's read buffer per segment (null for a write), read once
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      const rd = s.read ?? null;
      const user = rd ?? s.write;
      const n = byteLengthOf(user);
      if (n > 8192) throw new RangeError(`${this.path}: a message of ${n} bytes; i2c-dev takes at most 8192`);
      const own = new Uint8Array(n);
      if (!rd) own.set(user);
      bounce.push(own);
      reads.push(rd);
    }
    // Only now the pointers: nothing between here and the ioctl runs caller code.
    const m = this.msgs;
    for (let i = 0; i < bounce.length; i++) {
      const at = i * MSG_SIZE;
      const n = byteLengthOf(bounce[i]);
      m.setUint16(at, address, LE);
      m.setUint16(at + 2, reads[i] ? I2C_M_RD : 0, LE);
      m.setUint16(at + 4, n, LE);
      m.setUint16(at + 6, 0, LE);
      m.setBigUint64(at + 8, n ? addressOf(bounce[i]) : 0n, LE);
    }
    this.rdwr.setUint32(8, bounce.length, LE);
    try {
      sys.ioctl(this.fd, I2C_RDWR, this.rdwr);
    } catch (e) {
      throw i2cErrorOf(e, address);
    }
    for (let i = 0; i < bounce.length; i++) if (reads[i]) reads[i].set(bounce[i]);
  }

  target(address) {
    if (this.current === address) return;
    try {
      sys.ioctl(this.fd, this.force ? I2C_SLAVE_FORCE : I2C_SLAVE, address);
    } catch (e) {
      if (e.code === "EBUSY") {
        const err = new I2cError(`${this.path}: address 0x${address.toString(16)} is in use by a kernel driver (unbind it, or openI2c(..., { force: true }))`, ErrorKind.Other, { address, cause: e });
        // I2c.probe counts such an address as present (i2cdetect's "UU").
        err.inUse = true;
        throw err;
      }
      throw e;
    }
    this.current = address;
  }

  /** One I2C_SMBUS ioctl; returns the data union's bytes. */
  smbus(address, readWrite, command, size, fill) {
    this.checkOpen();
    this.target(address);
    const a = this.smbusArgs;
    a.setUint8(0, readWrite);
    a.setUint8(1, command & 0xff);
    a.setUint32(4, size, LE);
    this.smbusData.fill(0);
    fill?.(this.smbusData);
    try {
      sys.ioctl(this.fd, I2C_SMBUS, a);
    } catch (e) {
      throw i2cErrorOf(e, address);
    }
    return this.smbusData;
  }

  smbusOps() {
    const f = this.funcs;
    const has = (bit) => (f & bit) !== 0;
    const d = this;
    const ops = {};
    if (has(I2C_FUNC.SMBUS_QUICK)) ops.quick = (a) => { d.smbus(a, SMBUS_WRITE, 0, SMBUS_SIZE.QUICK); };
    if (has(I2C_FUNC.SMBUS_WRITE_BYTE)) ops.sendByte = (a, b) => { d.smbus(a, SMBUS_WRITE, b, SMBUS_SIZE.BYTE); };
    if (has(I2C_FUNC.SMBUS_READ_BYTE)) ops.receiveByte = (a) => d.smbus(a, SMBUS_READ, 0, SMBUS_SIZE.BYTE)[0];
    if (has(I2C_FUNC.SMBUS_WRITE_BYTE_DATA)) ops.writeByteData = (a, c, v) => { d.smbus(a, SMBUS_WRITE, c, SMBUS_SIZE.BYTE_DATA, (u) => { u[0] = v; }); };
    if (has(I2C_FUNC.SMBUS_READ_BYTE_DATA)) ops.readByteData = (a, c) => d.smbus(a, SMBUS_READ, c, SMBUS_SIZE.BYTE_DATA)[0];
    // The union's word is a host-order __u16: low byte first on x86-64 and arm64 alike.
    if (has(I2C_FUNC.SMBUS_WRITE_WORD_DATA)) ops.writeWordData = (a, c, w) => { d.smbus(a, SMBUS_WRITE, c, SMBUS_SIZE.WORD_DATA, (u) => { u[0] = w & 0xff; u[1] = w >> 8; }); };
    if (has(I2C_FUNC.SMBUS_READ_WORD_DATA)) ops.readWordData = (a, c) => { const u = d.smbus(a, SMBUS_READ, c, SMBUS_SIZE.WORD_DATA); return u[0] | (u[1] << 8); };
    if (has(I2C_FUNC.SMBUS_READ_I2C_BLOCK)) ops.readI2cBlock = (a, c, buf) => {
      const u = d.smbus(a, SMBUS_READ, c, SMBUS_SIZE.I2C_BLOCK_DATA, (x) => { x[0] = buf.length; });
      // block[0] is how many the adapter read; never trust it past what was asked.
      if (u[0] < buf.length) throw new I2cError(`${d.path}: the adapter returned ${u[0]} of ${buf.length} bytes`, ErrorKind.Bus, { address: a });
      buf.set(u.subarray(1, 1 + buf.length));
    };
    if (has(I2C_FUNC.SMBUS_WRITE_I2C_BLOCK)) ops.writeI2cBlock = (a, c, bytes) => {
      d.smbus(a, SMBUS_WRITE, c, SMBUS_SIZE.I2C_BLOCK_DATA, (x) => { x[0] = bytes.length; x.set(bytes, 1); });
    };
    return ops;
  }

  close() {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    sys.close(fd);
  }
}

/**
 * Open an i2c-dev bus (a number N for /dev/i2c-N, or a path). Resolves
 * nothing: the returned I2c is ready. `force` uses I2C_SLAVE_FORCE for SMBus
 * transfers to an address a kernel driver holds; `blockReads: false` leaves
 * out SMBus I2C block reads (QEMU 7.2's ICH9 model never signals the last
 * byte's BYTE_DONE, so i2c-i801 returns it as 0; reads then go as words).
 * The I2c has `funcs` (the
 * adapter's I2C_FUNCS), `smbusOnly`, `path` and `close()`.
 * @throws SysError when the device file cannot be opened (ENOENT: no such
 *   bus, or i2c-dev not loaded; EACCES: the file's permissions).
 */
export function openI2c(bus, { force = false, blockReads = true, name } = {}) {
  const path = pathOf(bus);
  const fd = sys.open(path, sys.O_RDWR | sys.O_CLOEXEC);
  let funcs;
  try {
    const out = new Uint32Array(2);
    sys.ioctl(fd, I2C_FUNCS, out);
    funcs = out[LE ? 0 : 1];
  } catch (e) {
    sys.close(fd);
    throw e;
  }
  const dev = new I2cDev(path, fd, funcs, force === true);
  const label = name ?? path.replace(/^\/dev\//, "");
  let i2c;
  if (funcs & I2C_FUNC.I2C) {
    // A lone zero-length write (a probe, ACK polling) goes as SMBus quick where the adapter
    // has it: some adapters refuse zero-length messages (I2C_AQ_NO_ZERO_LEN).
    const quick = funcs & I2C_FUNC.SMBUS_QUICK ? dev.smbusOps().quick : undefined;
    i2c = new I2c(label, {
      // i2cdev_ioctl_rdwr refuses a message over 8192 bytes.
      maxSegment: 8192,
      transaction(address, segments) {
        const lone = segments.length === 1 && segments[0].write?.length === 0;
        if (lone && quick) quick(address);
        else if (lone) {
          // No quick command, and many adapters refuse zero-length messages (RP1's DesignWare
          // I2C: I2C_AQ_NO_ZERO_LEN): say so, and probe and ACK polling read a byte instead.
          const e = new I2cError(`${label}: the adapter has no SMBus quick command; a zero-length write is not sent`, ErrorKind.Other, { address });
          e.unsupported = true;
          throw e;
        } else dev.rdwrTransfer(address, segments);
      },
    });
    i2c.smbusOnly = false;
  } else {
    const ops = dev.smbusOps();
    if (!blockReads) delete ops.readI2cBlock;
    i2c = smbusI2c(label, ops);
    i2c.smbusOnly = true;
  }
  i2c.funcs = funcs;
  i2c.path = path;
  i2c.close = () => dev.close();
  return i2c;
}
