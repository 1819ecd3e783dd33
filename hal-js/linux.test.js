// jsk:linux's encodings against the kernel's uAPI (6.1 headers: the request
// numbers and offsets below are what gcc printed for them), and its errors.
// The backends themselves run against real kernel drivers in the guest tier
// (hwtests/guest/buses.js).
import { test, assert } from "jsk:test";
import * as sys from "jsk:sys";
import { openI2c, openSpi, openGpioChip, i2cErrorOf } from "jsk:linux";
import * as gpio from "jsk:linux/gpio";
import * as spi from "jsk:linux/spi";
import { I2cError } from "jsk:hal";

test("request numbers match the kernel headers", () => {
  assert.equal(gpio.GPIO_GET_CHIPINFO_IOCTL, 0x8044b401);
  assert.equal(gpio.GPIO_V2_GET_LINEINFO_IOCTL, 0xc100b405);
  assert.equal(gpio.GPIO_V2_GET_LINE_IOCTL, 0xc250b407);
  assert.equal(gpio.GPIO_V2_LINE_SET_CONFIG_IOCTL, 0xc110b40d);
  assert.equal(gpio.GPIO_V2_LINE_GET_VALUES_IOCTL, 0xc010b40e);
  assert.equal(gpio.GPIO_V2_LINE_SET_VALUES_IOCTL, 0xc010b40f);
  assert.equal(spi.SPI_IOC_MESSAGE(1), 0x40206b00);
  assert.equal(spi.SPI_IOC_MESSAGE(2), 0x40406b00);
  assert.equal(spi.SPI_IOC_WR_MODE32, 0x40046b05);
  assert.equal(spi.SPI_IOC_WR_BITS_PER_WORD, 0x40016b03);
  assert.equal(spi.SPI_IOC_WR_MAX_SPEED_HZ, 0x40046b04);
});

test("a line config: flags, output value and debounce as attributes with mask 1", () => {
  const v = new DataView(new ArrayBuffer(272));
  let flags = gpio.encodeLineConfig(v, 0, { dir: "out", level: true, bias: "pull-up", drive: "open-drain", activeLow: true, rising: true });
  assert.equal(flags, gpio.LINE_FLAG.OUTPUT | gpio.LINE_FLAG.BIAS_PULL_UP | gpio.LINE_FLAG.OPEN_DRAIN | gpio.LINE_FLAG.ACTIVE_LOW, "no edge flags on an output");
  assert.equal(v.getBigUint64(0, true), BigInt(flags));
  assert.equal(v.getUint32(8, true), 1, "one attribute");
  assert.deepEqual([v.getUint32(32, true), v.getBigUint64(40, true), v.getBigUint64(48, true)], [2, 1n, 1n], "OUTPUT_VALUES: line 0 high, mask 1");
  flags = gpio.encodeLineConfig(v, 0, { dir: "in", bias: "pull-down", drive: "open-drain", rising: true, falling: true, debounceUs: 500, realtime: true });
  assert.equal(flags, gpio.LINE_FLAG.INPUT | gpio.LINE_FLAG.BIAS_PULL_DOWN | gpio.LINE_FLAG.EDGE_RISING | gpio.LINE_FLAG.EDGE_FALLING | gpio.LINE_FLAG.EVENT_CLOCK_REALTIME, "no drive on an input");
  assert.deepEqual([v.getUint32(32, true), v.getBigUint64(40, true)], [3, 500n], "DEBOUNCE 500 us");
  flags = gpio.encodeLineConfig(v, 0, { bias: "pull-up" });
  assert.equal(flags, 0, "as-is: no direction, so no bias either (the kernel refuses bias without one)");
  assert.equal(v.getUint32(8, true), 0);
});

test("line events decode with their timestamps and sequence numbers", () => {
  const b = new Uint8Array(96);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, 123456789012345n, true); v.setUint32(8, 1, true); v.setUint32(12, 3, true); v.setUint32(16, 7, true); v.setUint32(20, 2, true);
  v.setBigUint64(48, 123456789999999n, true); v.setUint32(56, 2, true); v.setUint32(60, 3, true); v.setUint32(64, 8, true); v.setUint32(68, 3, true);
  assert.deepEqual(gpio.decodeEvents(b, 2), [
    { timestampNs: 123456789012345n, id: 1, offset: 3, seqno: 7, lineSeqno: 2 },
    { timestampNs: 123456789999999n, id: 2, offset: 3, seqno: 8, lineSeqno: 3 },
  ]);
});

test("spidev transfers: one struct per operation over bounce buffers, delays on the one before, padding for uneven transfers", () => {
  const rd = new Uint8Array(3);
  const ops = [{ write: new Uint8Array([0x9f]) }, { delayNs: 2500 }, { read: rd }, { transfer: { read: new Uint8Array(1), write: new Uint8Array([1, 2]) } }];
  const x = spi.encodeTransfers(ops, { frequency: 1e6 });
  assert.equal(x.count, 3);
  const v = x.view;
  assert.ok(v.getBigUint64(0, true) !== 0n && v.getBigUint64(8, true) === 0n, "write: tx only");
  assert.deepEqual([v.getUint32(16, true), v.getUint32(20, true), v.getUint16(24, true), v.getUint8(26), v.getUint8(27)], [1, 1e6, 3, 8, 0], "len, speed, 2.5 us rounded up to 3, 8 bits, cs held");
  const rx = x.keep.find((b) => sys.addressOf(b) === v.getBigUint64(40, true));
  assert.ok(v.getBigUint64(32, true) === 0n && rx && rx !== rd, "read: rx into a buffer of its own, not the caller's");
  rx.set([7, 8, 9]);
  x.finish();
  assert.deepEqual([...rd], [7, 8, 9], "copied to the caller's buffer after the ioctl");
  assert.equal(v.getUint32(80, true), 2, "a transfer runs as long as its longer side");
  const lead = spi.encodeTransfers([{ delayNs: 1000 }, { write: new Uint8Array([1]) }], { frequency: 1 });
  assert.deepEqual([lead.count, lead.view.getUint32(16, true), lead.view.getUint16(24, true)], [2, 0, 1], "a leading delay is a zero-length transfer");
  const long = spi.encodeTransfers([{ write: new Uint8Array([1]) }, { delayNs: 100e6 }, { delayNs: 40e6 }], { frequency: 1 });
  const delays = Array.from({ length: long.count }, (_, i) => long.view.getUint16(i * 32 + 24, true));
  assert.deepEqual(delays, [65535, 65535, 8930], "140 ms of delay: split, never wrapped");
});

test("a view whose length lies does not decide what the kernel touches", () => {
  const small = new Uint8Array(4);
  Object.defineProperty(small, "length", { get: () => 4096 });
  const x = spi.encodeTransfers([{ read: small }], { frequency: 1 });
  assert.equal(x.view.getUint32(16, true), 4, "the real byteLength, not the property");
});

test("kernel errors become embedded-hal kinds; missing device files are clear errors", () => {
  const nak = i2cErrorOf(new sys.SysError("ioctl", 6 /* ENXIO */), 0x48);
  assert.ok(nak instanceof I2cError);
  assert.deepEqual([nak.kind, nak.source, nak.address], ["NoAcknowledge", "Address", 0x48]);
  assert.equal(i2cErrorOf(new sys.SysError("ioctl", 11 /* EAGAIN */)).kind, "ArbitrationLoss");
  assert.equal(i2cErrorOf(new sys.SysError("ioctl", 121 /* EREMOTEIO */)).source, "Unknown");
  assert.equal(i2cErrorOf(new sys.SysError("ioctl", 5 /* EIO */)).kind, "Bus");
  assert.equal(i2cErrorOf(new sys.SysError("ioctl", 95 /* EOPNOTSUPP */)).kind, "Other");
  assert.equal(assert.throws(() => openI2c("/nonexistent/i2c-9")).code, "ENOENT");
  assert.throws(() => openI2c(-1), TypeError);
  assert.equal(assert.throws(() => openSpi("/nonexistent/spidev0.0", { frequency: 1e6 })).code, "ENOENT");
  assert.throws(() => openSpi("/dev/null", {}), /frequency/);
  assert.throws(() => openSpi([0, 0], { mode: 5, frequency: 1 }), RangeError);
  assert.equal(assert.throws(() => openGpioChip("/nonexistent/gpiochip0")).code, "ENOENT");
  assert.throws(() => openGpioChip({ label: "no-such-chip-label" }), /no GPIO chip labelled "no-such-chip-label"/);
  // /dev/null is no GPIO chip: the chip-info ioctl fails and the fd is closed again.
  assert.equal(assert.throws(() => openGpioChip("/dev/null")).syscall, "ioctl");
});
