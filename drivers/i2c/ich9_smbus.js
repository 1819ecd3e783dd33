// Intel ICH9 SMBus host controller (PCI 8086:2930, device 31 function 3 of
// the q35 chipset), polled.
// References: Intel I/O Controller Hub 9 (ICH9) Family Datasheet (316972),
// §17 "SMBus Controller Registers (D31:F3)": PCI config SMB_BASE (BAR4, I/O)
// and HOSTC (0x40: HST_EN bit 0, I2C_EN bit 2); the I/O registers HST_STS
// (0x00), HST_CNT (0x02), HST_CMD (0x03), XMIT_SLVA (0x04), HST_D0/D1
// (0x05/0x06), HOST_BLOCK_DB (0x07); §5.21.1 the host's commands and the
// byte-by-byte block protocol (BYTE_DONE_STS, LAST_BYTE). QEMU
// hw/i2c/pm_smbus.c and smbus_ich9.c for the model: with INTREN clear a
// transaction runs when HST_STS is next read; at the last byte of an I2C
// block read it raises INTR without BYTE_DONE (real parts raise both), which
// this driver accepts; Linux drivers/i2c/busses/i2c-i801.c for practice.
//
// The controller speaks SMBus only, so the handle's I2c carries the
// transactions that have an SMBus form (jsk:hal/smbus): quick, byte, byte
// and word data, I2C block read (1-32 bytes) and I2C block write.
//
// Handle: { i2c, smbus, name }.
//   i2c      a jsk:hal I2c (smbusI2c) for device drivers: lm75, at24, ...
//   smbus    the SMBus transfers themselves (quick, readByteData, ...).

import { driver, registers, smbusI2c, I2cError, ErrorKind, NoAcknowledgeSource, TimeoutError } from "jsk:hal";

const CFG_HOSTC = 0x40;
const HOSTC = { HST_EN: 1 << 0, I2C_EN: 1 << 2 };
const PCI_COMMAND = 0x04;
const PCI_COMMAND_IO = 1 << 0;

const SMB = registers({
  HST_STS: { offset: 0x00 },          // bits: STS below; write 1 to clear
  HST_CNT: { offset: 0x02 },
  HST_CMD: { offset: 0x03 },
  XMIT_SLVA: { offset: 0x04 },        // address in bits 7:1, bit 0 set to read
  HST_D0: { offset: 0x05 },
  HST_D1: { offset: 0x06 },
  HOST_BLOCK_DB: { offset: 0x07 },
}, { device: "ich9-smbus", width: 8 });

// HST_CNT: SMB_CMD in bits 4:2.
const CNT = { INTREN: 1 << 0, KILL: 1 << 1, LAST_BYTE: 1 << 5, START: 1 << 6 };
const CMD = { QUICK: 0, BYTE: 1, BYTE_DATA: 2, WORD_DATA: 3, BLOCK: 5, I2C_READ: 6 };
const STS = { HOST_BUSY: 0x01, INTR: 0x02, DEV_ERR: 0x04, BUS_ERR: 0x08, FAILED: 0x10, BYTE_DONE: 0x80 };
const STS_ERRORS = STS.DEV_ERR | STS.BUS_ERR | STS.FAILED;
const STS_CLEAR = 0xfe & ~0x40;      // every status bit but HOST_BUSY (read-only) and INUSE (a semaphore)
// INUSE_STS: a semaphore for host software (reading HST_STS takes it); written back after each
// transfer, as i2c-i801 does, so that firmware sharing the controller sees it free.
const STS_INUSE = 0x40;
const READ = 1, WRITE = 0;
// A byte at 10 kHz takes under 1 ms; the datasheet's SMBus timeout is 25-35 ms per transfer.
const TRANSFER_MS = 100;

class Ich9Smbus {
  constructor(dev, regs) {
    this.dev = dev;
    this.name = dev.name;
    this.regs = regs;
    this.hostc = dev.config.read8(CFG_HOSTC);
  }

  /** Wait until `mask` shows in HST_STS (each read lets a deferred transaction run); errors and the deadline end it. */
  waitStatus(mask, address, what) {
    const deadline = performance.now() + TRANSFER_MS;
    for (;;) {
      const sts = this.regs.HST_STS.read();
      if (sts & STS_ERRORS) return this.fail(sts, address, what);
      if (sts & mask) return sts;
      if (performance.now() > deadline) {
        this.regs.HST_CNT.write(CNT.KILL);
        this.regs.HST_CNT.write(0);
        this.regs.HST_STS.write(STS_CLEAR | STS_INUSE);
        throw new TimeoutError(`${this.name}: timed out after ${TRANSFER_MS} ms waiting for ${what} at 0x${address.toString(16)} (HST_STS 0x${sts.toString(16)})`);
      }
    }
  }

  fail(sts, address, what) {
    this.regs.HST_STS.write(STS_CLEAR | STS_INUSE);
    if (sts & STS.DEV_ERR)
      throw new I2cError(`${this.name}: no acknowledge from 0x${address.toString(16)} (${what}: DEV_ERR, no device or command refused)`,
        ErrorKind.NoAcknowledge, { source: NoAcknowledgeSource.Unknown, address });
    if (sts & STS.BUS_ERR) throw new I2cError(`${this.name}: bus collision during ${what} (BUS_ERR)`, ErrorKind.ArbitrationLoss, { address });
    throw new I2cError(`${this.name}: ${what} failed (FAILED: killed)`, ErrorKind.Bus, { address });
  }

  /** Be the bus's host: idle, status clear, I2C mode as asked. */
  begin(address, rw, i2cMode = false) {
    const { regs } = this;
    const deadline = performance.now() + TRANSFER_MS;
    let sts;
    while ((sts = regs.HST_STS.read()) & STS.HOST_BUSY) {
      if (performance.now() > deadline) {
        regs.HST_STS.write(STS_INUSE);
        throw new TimeoutError(`${this.name}: timed out after ${TRANSFER_MS} ms waiting for the controller to go idle (HST_STS 0x${sts.toString(16)})`);
      }
    }
    if (sts & STS_CLEAR) regs.HST_STS.write(STS_CLEAR);
    const hostc = i2cMode ? this.hostc | HOSTC.I2C_EN : this.hostc & ~HOSTC.I2C_EN;
    if (hostc !== this.hostc) { this.dev.config.write8(CFG_HOSTC, hostc); this.hostc = hostc; }
    regs.XMIT_SLVA.write(((address & 0x7f) << 1) | rw);
  }

  /** Start command `cmd` and wait for its end (INTR); returns HST_STS. */
  run(cmd, address, what) {
    this.regs.HST_CNT.write(CNT.START | (cmd << 2));
    const sts = this.waitStatus(STS.INTR, address, what);
    this.regs.HST_STS.write(STS_CLEAR | STS_INUSE);
    return sts;
  }

  quick(address) {
    this.begin(address, WRITE);
    this.run(CMD.QUICK, address, "quick");
  }
  sendByte(address, byte) {
    this.begin(address, WRITE);
    this.regs.HST_CMD.write(byte);
    this.run(CMD.BYTE, address, "send byte");
  }
  receiveByte(address) {
    this.begin(address, READ);
    this.run(CMD.BYTE, address, "receive byte");
    return this.regs.HST_D0.read();
  }
  writeByteData(address, command, byte) {
    this.begin(address, WRITE);
    this.regs.HST_CMD.write(command);
    this.regs.HST_D0.write(byte);
    this.run(CMD.BYTE_DATA, address, "write byte data");
  }
  readByteData(address, command) {
    this.begin(address, READ);
    this.regs.HST_CMD.write(command);
    this.run(CMD.BYTE_DATA, address, "read byte data");
    return this.regs.HST_D0.read();
  }
  writeWordData(address, command, word) {
    this.begin(address, WRITE);
    this.regs.HST_CMD.write(command);
    this.regs.HST_D0.write(word & 0xff);
    this.regs.HST_D1.write((word >> 8) & 0xff);
    this.run(CMD.WORD_DATA, address, "write word data");
  }
  readWordData(address, command) {
    this.begin(address, READ);
    this.regs.HST_CMD.write(command);
    this.run(CMD.WORD_DATA, address, "read word data");
    return this.regs.HST_D0.read() | (this.regs.HST_D1.read() << 8);
  }

  /**
   * I2C block read, byte by byte (§5.21.1.1): the command goes in HST_D1,
   * each byte waits for BYTE_DONE, LAST_BYTE is set before the last one.
   */
  readI2cBlock(address, command, buf) {
    const { regs } = this;
    const n = buf.length;
    // R/W clear in XMIT_SLVA, as i2c-i801 does on ICH9 (ICH5 datasheet p. 240: the I2C read
    // command's direction comes from the protocol; parts with SPD write disable want it set).
    this.begin(address, WRITE);
    regs.HST_D1.write(command);
    const cnt = (CMD.I2C_READ << 2) | (n === 1 ? CNT.LAST_BYTE : 0);
    regs.HST_CNT.write(CNT.START | cnt);
    for (let i = 0; i < n; i++) {
      // The last byte may come with INTR alone (QEMU 7.2's model), the others with BYTE_DONE.
      const mask = i === n - 1 ? STS.BYTE_DONE | STS.INTR : STS.BYTE_DONE;
      this.waitStatus(mask, address, `byte ${i} of an I2C block read`);
      buf[i] = regs.HOST_BLOCK_DB.read();
      if (i === n - 2) regs.HST_CNT.write(cnt | CNT.LAST_BYTE);
      regs.HST_STS.write(STS.BYTE_DONE);
    }
    if (!(regs.HST_STS.read() & STS.INTR)) this.waitStatus(STS.INTR, address, "the end of an I2C block read");
    regs.HST_STS.write(STS_CLEAR | STS_INUSE);
  }

  /** I2C block write: the block command with HOSTC.I2C_EN (no count byte on the wire), byte by byte. */
  writeI2cBlock(address, command, bytes) {
    const { regs } = this;
    this.begin(address, WRITE, true);
    try {
      regs.HST_CMD.write(command);
      regs.HST_D0.write(bytes.length);
      regs.HOST_BLOCK_DB.write(bytes[0]);
      regs.HST_CNT.write(CNT.START | (CMD.BLOCK << 2));
      for (let i = 1; i < bytes.length; i++) {
        this.waitStatus(STS.BYTE_DONE, address, `byte ${i} of an I2C block write`);
        regs.HOST_BLOCK_DB.write(bytes[i]);
        regs.HST_STS.write(STS.BYTE_DONE);
      }
      const sts = this.waitStatus(STS.BYTE_DONE | STS.INTR, address, "the end of an I2C block write");
      if (!(sts & STS.INTR)) { regs.HST_STS.write(STS.BYTE_DONE); this.waitStatus(STS.INTR, address, "the end of an I2C block write"); }
      regs.HST_STS.write(STS_CLEAR | STS_INUSE);
    } finally {
      this.dev.config.write8(CFG_HOSTC, this.hostc & ~HOSTC.I2C_EN);
      this.hostc &= ~HOSTC.I2C_EN;
    }
  }

  /** Nothing running, status clear, the host off as it was found. */
  shutdown(hostcAtProbe) {
    this.regs.HST_CNT.write(0);
    this.regs.HST_STS.write(STS_CLEAR | STS_INUSE);
    this.dev.config.write8(CFG_HOSTC, hostcAtProbe);
  }
}

export default driver({
  name: "ich9-smbus",
  description: "Intel ICH9 SMBus host controller",
  match: { pci: [{ vendor: 0x8086, device: 0x2930 }] },

  async probe(dev) {
    const hostcAtProbe = dev.config.read8(CFG_HOSTC);
    // I/O decoding for BAR4, then the host controller on (HOSTC.HST_EN).
    dev.config.write16(PCI_COMMAND, dev.config.read16(PCI_COMMAND) | PCI_COMMAND_IO);
    dev.config.write8(CFG_HOSTC, (hostcAtProbe | HOSTC.HST_EN) & ~HOSTC.I2C_EN);
    dev.onRelease(() => dev.config.write8(CFG_HOSTC, hostcAtProbe));
    const regs = SMB.on(dev.io(4));
    const host = new Ich9Smbus(dev, regs);
    regs.HST_CNT.write(0);                     // polled: INTREN off
    regs.HST_STS.write(STS_CLEAR);
    const ops = {};
    for (const op of ["quick", "sendByte", "receiveByte", "writeByteData", "readByteData", "writeWordData", "readWordData", "readI2cBlock", "writeI2cBlock"])
      ops[op] = (...a) => host[op](...a);
    const i2c = smbusI2c(dev.name, ops);
    return { name: dev.name, i2c, smbus: ops, host, hostcAtProbe };
  },

  remove(h) {
    h.host.shutdown(h.hostcAtProbe);
  },
});
