// jsk:hal/i2c, jsk:hal/smbus and jsk:hal/spi against jsk:fake's buses.
import { test, assert } from "jsk:test";
import { I2c, I2cError, ErrorKind, smbusI2c, SpiBus, SpiDevice, modeOf } from "jsk:hal";
import { fakeI2cBus, fakeSpiBus } from "jsk:fake";

// A register file at one address: a write sets the pointer then stores bytes; reads go on from the pointer.
function registers(address, size = 16) {
  const m = { address, mem: new Uint8Array(size), p: 0, first: true, stops: 0,
    event(kind) { if (kind === "start-write") m.first = true; if (kind === "stop") m.stops++; },
    send(b) { if (m.first) { m.p = b % size; m.first = false; } else { m.mem[m.p] = b; m.p = (m.p + 1) % size; } return true; },
    recv() { const b = m.mem[m.p]; m.p = (m.p + 1) % size; return b; } };
  return m;
}

test("read, write and writeRead carry the bytes and resolve with what was read", async () => {
  const bus = fakeI2cBus("i2c0", [registers(0x20)]);
  await bus.i2c.write(0x20, [3, 0xaa, 0xbb]);
  assert.deepEqual([...await bus.i2c.writeRead(0x20, [3], 2)], [0xaa, 0xbb]);
  const into = new Uint8Array(1);
  assert.equal(await bus.i2c.read(0x20, into), into, "a given buffer is filled and returned");
  assert.deepEqual(bus.log.map((t) => t.segments), [[{ write: [3, 0xaa, 0xbb] }], [{ write: [3] }, { read: 2 }], [{ read: 1 }]]);
});

test("adjacent operations of one kind are one segment on the wire (no repeated START between them)", async () => {
  const bus = fakeI2cBus("i2c0", [registers(0x20)]);
  const a = new Uint8Array(1), b = new Uint8Array(2);
  await bus.i2c.write(0x20, [0, 1, 2, 3]);
  const reads = await bus.i2c.transaction(0x20, [{ write: [0] }, { write: new Uint8Array([]) }, { read: a }, { read: b }]);
  assert.deepEqual(bus.log[1].segments, [{ write: [0] }, { read: 3 }]);
  assert.equal(reads[0], a);
  assert.deepEqual([...a, ...b], [1, 2, 3], "the merged read is scattered back into each buffer");
});

test("a missing device is NoAcknowledge(Address) naming the bus, the address and the transfer", async () => {
  const bus = fakeI2cBus("i2c0", []);
  const e = await assert.rejects(bus.i2c.writeRead(0x48, [0], 2), I2cError);
  assert.equal(e.kind, ErrorKind.NoAcknowledge);
  assert.equal(e.source, "Address");
  assert.equal(e.address, 0x48);
  assert.match(e.message, /^i2c0: 0x48 \(write 1, read 2\): no acknowledge for address 0x48/);
  assert.equal(await bus.i2c.probe(0x48), false);
  bus.attach(registers(0x48));
  assert.equal(await bus.i2c.probe(0x48), true);
  assert.deepEqual(await bus.i2c.scan(), [0x48]);
  bus.failNext = ErrorKind.ArbitrationLoss;
  assert.equal((await assert.rejects(bus.i2c.write(0x48, [1]))).kind, "ArbitrationLoss");
});

test("bad addresses, bytes and operations are refused before the bus is touched", async () => {
  const bus = fakeI2cBus("i2c0", [registers(0x20)]);
  for (const a of [-1, 0x80, 1.5, "0x20", undefined]) await assert.rejects(bus.i2c.write(a, [0]), RangeError);
  await assert.rejects(bus.i2c.write(0x20, [256]), /byte 0 is 256/);
  await assert.rejects(bus.i2c.write(0x20, "text"), TypeError);
  await assert.rejects(bus.i2c.read(0x20, 0), /a read of 0 bytes/);
  await assert.rejects(bus.i2c.read(0x20, -1), TypeError);
  await assert.rejects(bus.i2c.read(0x20, 0x10000), TypeError);
  await assert.rejects(bus.i2c.transaction(0x20, [{ read: 1, write: [1] }]), /exactly one of read or write/);
  await assert.rejects(bus.i2c.transaction(0x20, [null]), TypeError);
  await assert.rejects(bus.i2c.transaction(0x20, "x"), TypeError);
  assert.deepEqual(await bus.i2c.transaction(0x20, []), []);
  assert.equal(bus.log.length, 0);
  assert.throws(() => new I2cError("x", "Nope"), TypeError);
});

test("transactions on one bus run one at a time, in order, and a failure does not block the next", async () => {
  const order = [];
  let active = 0;
  const i2c = new I2c("slow", {
    async transaction(address, segments) {
      active++;
      assert.equal(active, 1, "never two at once");
      order.push(address);
      await new Promise((r) => setTimeout(r, 2));
      active--;
      if (address === 0x11) throw new I2cError("boom", ErrorKind.Bus);
      if (segments[0].read) segments[0].read[0] = address;
    },
  });
  const all = await Promise.allSettled([i2c.read(0x10, 1), i2c.read(0x11, 1), i2c.read(0x12, 1)]);
  assert.deepEqual(order, [0x10, 0x11, 0x12]);
  assert.deepEqual(all.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.equal(all[2].value[0], 0x12);
  assert.equal(all[1].reason.kind, "Bus");
});

test("smbusI2c maps each transaction shape to its SMBus transfer and refuses the rest", async () => {
  const calls = [];
  const mem = new Uint8Array(256).map((_, i) => i);
  const smbus = {
    quick: (a) => calls.push(["quick", a]),
    sendByte: (a, b) => calls.push(["sendByte", a, b]),
    receiveByte: (a) => { calls.push(["receiveByte", a]); return 0x5a; },
    writeByteData: (a, c, v) => calls.push(["writeByteData", a, c, v]),
    readByteData: (a, c) => { calls.push(["readByteData", a, c]); return mem[c]; },
    writeWordData: (a, c, w) => calls.push(["writeWordData", a, c, w]),
    readWordData: (a, c) => { calls.push(["readWordData", a, c]); return mem[c] | (mem[c + 1] << 8); },
    readI2cBlock: async (a, c, buf) => { calls.push(["readI2cBlock", a, c, buf.length]); buf.set(mem.subarray(c, c + buf.length)); },
  };
  const i2c = smbusI2c("smb", smbus);
  await i2c.write(0x50, []);
  await i2c.write(0x50, [7]);
  await i2c.write(0x50, [7, 8]);
  await i2c.write(0x50, [7, 0x34, 0x12]);
  assert.deepEqual([...await i2c.read(0x50, 1)], [0x5a]);
  assert.deepEqual([...await i2c.writeRead(0x50, [9], 1)], [9]);
  assert.deepEqual([...await i2c.writeRead(0x50, [9], 2)], [9, 10], "a word in wire order: low byte first");
  assert.deepEqual([...await i2c.writeRead(0x50, [9], 5)], [9, 10, 11, 12, 13]);
  assert.deepEqual(calls, [["quick", 0x50], ["sendByte", 0x50, 7], ["writeByteData", 0x50, 7, 8], ["writeWordData", 0x50, 7, 0x1234],
    ["receiveByte", 0x50], ["readByteData", 0x50, 9], ["readWordData", 0x50, 9], ["readI2cBlock", 0x50, 9, 5]]);
  await assert.rejects(i2c.write(0x50, [1, 2, 3, 4]), /a write of 4 bytes is more than this controller carries \(3\)/, "no I2C block write offered: words at most");
  assert.deepEqual([i2c.maxRead, i2c.maxWrite], [32, 3]);
  let e = await assert.rejects(i2c.writeRead(0x50, [0, 0], 4), I2cError);
  assert.equal(e.kind, "Other");
  assert.match(e.message, /speaks SMBus only, and a transaction of write 2, read 4 has no SMBus form it offers$/);
  e = await assert.rejects(i2c.read(0x50, 2), I2cError);
  assert.match(e.message, /read 2 has no SMBus form/);
  await assert.rejects(i2c.read(0x50, 40), /more than this controller carries \(32\)/);
  const withBlocks = smbusI2c("smb2", { ...smbus, writeI2cBlock: (a, c, b) => calls.push(["writeI2cBlock", a, c, [...b]]) });
  await withBlocks.write(0x50, [1, 2, 3, 4]);
  assert.deepEqual(calls.at(-1), ["writeI2cBlock", 0x50, 1, [2, 3, 4]]);
  delete smbus.readI2cBlock;
  assert.equal(smbusI2c("smb3", smbus).maxRead, 2, "without I2C block reads: words");
});

// ---- SPI ----------------------------------------------------------------------

// A chip that answers each byte with the previous one it received (a shift register), counting selects.
function echoChip() {
  const m = { last: 0, selects: 0, seen: [], select(on) { if (on) { m.selects++; m.last = 0; } }, exchange(b) { m.seen.push(b); const r = m.last; m.last = b; return r; } };
  return m;
}

test("SpiDevice.onBus holds chip select for the whole transaction and configures the bus for its chip", async () => {
  const f = fakeSpiBus("spi0");
  const chip = echoChip();
  const cs = f.cs(chip);
  const dev = SpiDevice.onBus(f.bus, { cs, mode: 3, frequency: 1e6 });
  assert.equal(cs.isSetHigh(), true, "chip select idles high (active low)");
  const [r1, r2] = await dev.transaction([{ write: [1, 2] }, { read: 2 }, { transfer: { read: 3, write: [7] } }]);
  assert.equal(chip.selects, 1, "one select for three operations");
  assert.deepEqual([...r1], [2, 0], "what the chip shifted back while the host clocked zeros");
  assert.deepEqual([...r2], [0, 7, 0], "a transfer's shorter write is padded with zeros");
  assert.deepEqual(chip.seen, [1, 2, 0, 0, 7, 0, 0]);
  assert.equal(cs.isSetHigh(), true);
  assert.deepEqual(f.configs.map((c) => [c.mode, c.frequency]), [[3, 1e6]]);
  const buf = new Uint8Array([9, 8]);
  assert.equal(await dev.transferInPlace(buf), buf);
  assert.deepEqual([...buf], [0, 9]);
  assert.equal(chip.selects, 2);
});

test("two devices on one bus never overlap, and each gets its own mode", async () => {
  const f = fakeSpiBus("spi0");
  const a = echoChip(), b = echoChip();
  const da = SpiDevice.onBus(f.bus, { cs: f.cs(a), mode: 0, frequency: 2e6 });
  const db = SpiDevice.onBus(f.bus, { cs: f.cs(b), mode: 2, frequency: 5e5 });
  await Promise.all([da.write([1]), db.write([2]), da.transaction([{ write: [3] }, { delayNs: 1e6 }, { write: [4] }]), db.write([5])]);
  assert.deepEqual(a.seen, [1, 3, 4]);
  assert.deepEqual(b.seen, [2, 5]);
  assert.deepEqual(f.configs.map((c) => c.mode), [0, 2, 0, 2]);
});

test("a failing transfer deselects the chip and names the device", async () => {
  const chip = echoChip();
  let fail = true;
  const bus = new SpiBus("spi1", { configure: (c) => c.frequency, transfer: async () => { if (fail) throw new Error("FIFO stuck"); } });
  const pin = fakeSpiBus().cs(chip);
  const dev = SpiDevice.onBus(bus, { cs: pin, frequency: 1e6, name: "flash" });
  assert.equal((await assert.rejects(dev.write([1]))).message, "flash: FIFO stuck");
  assert.equal(pin.isSetHigh(), true, "deselected after the failure");
  fail = false;
  await dev.write([1]);
});

test("SPI arguments are checked", async () => {
  const f = fakeSpiBus("spi0");
  assert.throws(() => SpiDevice.onBus(f.bus, { frequency: 0 }), RangeError);
  assert.throws(() => SpiDevice.onBus(f.bus, { mode: 4, frequency: 1e6 }), /SPI mode 4 is not 0..3/);
  assert.throws(() => SpiDevice.onBus({}, { frequency: 1 }), TypeError);
  const dev = SpiDevice.onBus(f.bus, { frequency: 1e6 });
  await assert.rejects(dev.transaction([{ read: 1, write: [1] }]), TypeError);
  await assert.rejects(dev.transaction([{ bogus: 1 }]), /unknown operation "bogus"/);
  await assert.rejects(dev.transaction([{ delayNs: -1 }]), RangeError);
  await assert.rejects(dev.transferInPlace([1, 2]), /needs a Uint8Array/);
  assert.deepEqual(modeOf(3), { polarity: "IdleHigh", phase: "CaptureOnSecondTransition" });
  await assert.rejects(f.bus.write([1]), /configure the bus/);
});

test("probe asks as i2cdetect does: reads at EEPROM addresses, a read where no quick write exists, in-use counts", async () => {
  const asked = [];
  const smbus = {
    receiveByte: (a) => {
      asked.push(["receiveByte", a]);
      if (a === 0x20) { const e = new I2cError("EBUSY from the adapter", ErrorKind.Other); e.inUse = true; throw e; }
      if (a !== 0x10 && a !== 0x51) throw new I2cError("nak", ErrorKind.NoAcknowledge, { source: "Address" });
      return 0;
    },
  };
  const i2c = smbusI2c("noquick", smbus);
  assert.equal(await i2c.probe(0x10), true, "no quick write: a read instead");
  assert.equal(await i2c.probe(0x20), true, "held by a kernel driver: present");
  assert.equal(await i2c.probe(0x11), false);
  const quick = [];
  const both = smbusI2c("both", { ...smbus, quick: (a) => { quick.push(a); throw new I2cError("nak", ErrorKind.NoAcknowledge); } });
  assert.equal(await both.probe(0x51), true, "0x50-0x5f: read, not written");
  assert.equal(await both.probe(0x40), false);
  assert.deepEqual(quick, [0x40], "the quick write only outside the EEPROM ranges");
});

test("exclusive: transactions through the held bus never wait for themselves, and nothing comes between", async () => {
  const order = [];
  const i2c = new I2c("x", { transaction: async (a) => { order.push(a); await new Promise((r) => setTimeout(r, 1)); } });
  const other = i2c.write(0x30, [1]);
  const held = i2c.exclusive(async (bus) => {
    await bus.write(0x10, [1]);
    await new Promise((r) => setTimeout(r, 5));
    await bus.read(0x10, 1);
  });
  const after = i2c.write(0x31, [1]);
  await Promise.all([other, held, after]);
  assert.deepEqual(order, [0x30, 0x10, 0x10, 0x31]);
});
