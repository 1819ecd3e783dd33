// drivers/eeprom/at24.js on a fake I2C bus, against ../models/at24.js.
import { test, assert } from "jsk:test";
import { bind, unbind, smbusI2c, TimeoutError } from "jsk:hal";
import { fakeI2cBus } from "jsk:fake";
import at24 from "../../drivers/eeprom/at24.js";
import { at24Model } from "../models/at24.js";

const counting = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

test("a 24c02: page writes split at 8-byte pages, each waited for by ACK polling; reads come back", async () => {
  const m = at24Model({ size: 256, pageSize: 8, busyFor: 3 });
  const bus = fakeI2cBus("i2c0", [m]);
  const e = await bind(at24, bus.i2c.client(0x50, { compatible: ["atmel,24c02"] }));
  assert.equal(e.size, 256);
  assert.equal(e.pageSize, 8);
  const data = counting(21);
  await e.write(5, data);
  assert.equal(m.writeCycles, 4, "5..7, 8..15, 16..23, 24..25: four pages");
  assert.deepEqual([...m.data.subarray(5, 26)], [...data]);
  assert.equal(m.data[4], 0xff);
  assert.deepEqual([...await e.read(5, 21)], [...data]);
  assert.deepEqual([...await e.read(250, 6)], [...m.data.subarray(250)]);
  await assert.rejects(e.read(250, 7), RangeError);
  await assert.rejects(e.write(-1, [1]), RangeError);
  unbind(e);
});

test("a 24c32 takes two address bytes and 32-byte pages", async () => {
  const m = at24Model({ size: 4096, pageSize: 32 });
  const bus = fakeI2cBus("i2c0", [m]);
  const e = await bind(at24, bus.i2c.client(0x50, { compatible: ["atmel,24c32"] }));
  assert.equal(e.addressBytes, 2);
  const data = counting(100);
  await e.write(0x7f0, data);
  assert.deepEqual([...m.data.subarray(0x7f0, 0x7f0 + 100)], [...data]);
  assert.deepEqual([...await e.read(0x7f0, 100)], [...data]);
  const writes = bus.log.filter((t) => t.segments.length === 1 && t.segments[0].write?.length > 2);
  assert.deepEqual(writes.map((t) => t.segments[0].write.slice(0, 2)), [[0x07, 0xf0], [0x08, 0x00], [0x08, 0x20], [0x08, 0x40]]);
});

test("a 24c08 reaches its upper blocks through the device address's low bits", async () => {
  const m = at24Model({ size: 1024, pageSize: 16 });
  const bus = fakeI2cBus("i2c0", [m]);
  const e = await bind(at24, bus.i2c.client(0x50, { compatible: ["atmel,24c08"] }));
  await e.write(0x2fe, [1, 2, 3, 4]);
  assert.deepEqual([...m.data.subarray(0x2fe, 0x302)], [1, 2, 3, 4]);
  assert.deepEqual([...await e.read(0x2f0, 32)], [...m.data.subarray(0x2f0, 0x310)]);
  assert.ok(bus.log.some((t) => t.address === 0x52) && bus.log.some((t) => t.address === 0x53), "blocks 2 and 3 at 0x52 and 0x53");
});

test("a part that never finishes its write cycle times out, naming the page", async () => {
  const m = at24Model({ size: 256, pageSize: 8, busyFor: 1e9 });
  const bus = fakeI2cBus("i2c0", [m]);
  m.busyFor = 0;
  const e = await bind(at24, bus.i2c.client(0x50, { compatible: ["atmel,24c02"], properties: { "write-cycle-ms": 5 } }));
  m.busyFor = 1e9;
  const err = await assert.rejects(e.write(16, [1, 2]), TimeoutError);
  assert.match(err.message, /timed out after 5 ms waiting for the write cycle of 2 bytes at 16/);
});

test("properties describe an unknown part; nonsense is refused", async () => {
  const m = at24Model({ size: 128, pageSize: 8 });
  const bus = fakeI2cBus("i2c0", [m]);
  const e = await bind(at24, bus.i2c.client(0x50, { properties: { size: 128, pagesize: 8 } }));
  assert.equal(e.size, 128);
  await assert.rejects(bind(at24, bus.i2c.client(0x50, {})), /unknown part/);
  await assert.rejects(bind(at24, bus.i2c.client(0x50, { properties: { size: 128, pagesize: 8, "address-width": 12 } })), /address-width is 8 or 16/);
  await assert.rejects(bind(at24, bus.i2c.client(0x51, { compatible: ["atmel,24c02"] })), /NoAcknowledge|no acknowledge/);
});

test("over an SMBus-only controller reads go in 32-byte I2C block reads and pages fit one block write", async () => {
  const m = at24Model({ size: 256, pageSize: 16, busyFor: 0 });
  const bus = fakeI2cBus("raw", [m]);
  const block = (a, c, buf) => bus.i2c.writeRead(a, [c], buf);
  const i2c = smbusI2c("smb", {
    quick: (a) => bus.i2c.write(a, []),
    readI2cBlock: block,
    writeI2cBlock: (a, c, bytes) => bus.i2c.write(a, [c, ...bytes]),
    writeByteData: (a, c, v) => bus.i2c.write(a, [c, v]),
    readByteData: async (a, c) => (await bus.i2c.writeRead(a, [c], 1))[0],
  });
  const e = await bind(at24, i2c.client(0x50, { compatible: ["atmel,24c02"], properties: { pagesize: 16 } }));
  const data = counting(80);
  await e.write(0, data);
  assert.deepEqual([...await e.read(0, 80)], [...data]);
  const reads = bus.log.filter((t) => t.segments[1]?.read).map((t) => t.segments[1].read);
  assert.deepEqual(reads, [1, 32, 32, 16], "probe's byte, then blocks of at most 32");
});

test("over an SMBus controller without I2C block transfers the EEPROM goes in words", async () => {
  const m = at24Model({ size: 256, pageSize: 8, busyFor: 1 });
  const bus = fakeI2cBus("raw", [m]);
  const i2c = smbusI2c("smb-words", {
    quick: (a) => bus.i2c.write(a, []),
    readByteData: async (a, c) => (await bus.i2c.writeRead(a, [c], 1))[0],
    readWordData: async (a, c) => { const b = await bus.i2c.writeRead(a, [c], 2); return b[0] | (b[1] << 8); },
    writeByteData: (a, c, v) => bus.i2c.write(a, [c, v]),
    writeWordData: (a, c, w) => bus.i2c.write(a, [c, w & 0xff, w >> 8]),
  });
  const e = await bind(at24, i2c.client(0x50, { compatible: ["atmel,24c02"] }));
  const data = counting(9);
  await e.write(3, data);
  assert.deepEqual([...m.data.subarray(3, 12)], [...data]);
  assert.deepEqual([...await e.read(3, 9)], [...data]);
  const shapes = bus.log.map((t) => t.segments.map((s) => (s.read ? `r${s.read}` : `w${s.write.length}`)).join(" "));
  assert.ok(shapes.includes("w3") && shapes.includes("w1 r2") && !shapes.some((x) => /r([3-9]|\d\d)/.test(x)), shapes.join(","));
});

test("a 24c32 on an SMBus-only controller: the address by byte-data write, then byte by byte", async () => {
  const m = at24Model({ size: 4096, pageSize: 32, busyFor: 0 });
  const bus = fakeI2cBus("raw", [m]);
  const i2c = smbusI2c("smb", {
    quick: (a) => bus.i2c.write(a, []),
    receiveByte: async (a) => (await bus.i2c.read(a, 1))[0],
    writeByteData: (a, c, v) => bus.i2c.write(a, [c, v]),
    writeWordData: (a, c, w) => bus.i2c.write(a, [c, w & 0xff, w >> 8]),
    writeI2cBlock: (a, c, bytes) => bus.i2c.write(a, [c, ...bytes]),
  });
  const e = await bind(at24, i2c.client(0x50, { compatible: ["atmel,24c32"] }));
  const data = counting(40);
  await e.write(0x123, data);
  assert.deepEqual([...m.data.subarray(0x123, 0x123 + 40)], [...data]);
  assert.deepEqual([...await e.read(0x123, 40)], [...data]);
  await assert.rejects(bind(at24, smbusI2c("bare", { quick: () => {} }).client(0x50, { compatible: ["atmel,24c32"] })),
    /needs its write byte data and receive byte transfers/);
});
