// drivers/sensor/lm75.js on a fake I2C bus, against ../models/lm75.js; and the same
// driver, unchanged, over bit-banged I2C on the wire model (../models/i2c_wire.js).
import { test, assert } from "jsk:test";
import { bind, unbind, bitbangI2c, I2cError } from "jsk:hal";
import { fakeI2cBus } from "jsk:fake";
import lm75 from "../../drivers/sensor/lm75.js";
import { tmp105Model, lm75Model } from "../models/lm75.js";
import { i2cWire } from "../models/i2c_wire.js";

test("a TMP105 is set to 12 bits at probe and reads in sixteenths of a degree, negative ones too", async () => {
  const m = tmp105Model({ celsius: 23.5625 });
  const bus = fakeI2cBus("i2c0", [m]);
  const t = await bind(lm75, bus.i2c.client(0x48, { compatible: ["ti,tmp105"] }));
  assert.equal(t.chip, "TMP105");
  assert.equal(t.resolution, 12);
  assert.equal((m.config >> 5) & 3, 3, "R1:R0 = 11");
  assert.equal(await t.temperature(), 23.5625);
  m.celsius = -12.25;
  assert.equal(await t.temperature(), -12.25);
  m.celsius = -55;
  assert.equal(await t.temperature(), -55);
  await t.setResolution(9);
  m.celsius = 21.8;
  assert.equal(await t.temperature(), 21.5, "9 bits: half degrees");
  await assert.rejects(t.setResolution(13), RangeError);
  await t.setLimits({ low: -0.0625, high: 127.97 });
  assert.deepEqual(await t.limits(), { low: -0.0625, high: 127.9375 }, "12-bit limits, the top clamped to 0x7ff0");
  unbind(t);
});

test("an LM75 keeps its 9 bits, a shut-down sensor is woken, limits round-trip", async () => {
  const m = lm75Model({ celsius: 30.3 });
  m.config = 1;                                           // left shut down
  const bus = fakeI2cBus("i2c0", [m]);
  const t = await bind(lm75, bus.i2c.client(0x48, { compatible: ["national,lm75"] }));
  assert.equal(m.config & 1, 0, "SD cleared");
  assert.equal(t.resolution, 9);
  assert.equal(await t.temperature(), 30);
  await assert.rejects(t.setResolution(12), /has no resolution to set/);
  assert.deepEqual(await t.limits(), { low: 75, high: 80 });
  await t.setLimits({ low: -10.5, high: 60.25 });
  assert.deepEqual(await t.limits(), { low: -10.5, high: 60.5 }, "an LM75 keeps half degrees (60.25 rounds to 60.5)");
  await t.setLimits({ high: 127.97 });
  assert.equal((await t.limits()).high, 127.5, "the top step is clamped, not wrapped to -128");
  await assert.rejects(t.setLimits({ high: 200 }), RangeError);
  await t.shutdown(true);
  assert.equal(m.config & 1, 1);
  unbind(t);
});

test("no sensor at the address: probe fails with NoAcknowledge(Address)", async () => {
  const bus = fakeI2cBus("i2c0", []);
  const e = await assert.rejects(bind(lm75, bus.i2c.client(0x49, { compatible: ["ti,tmp105"] })), I2cError);
  assert.equal(e.kind, "NoAcknowledge");
  assert.equal(e.source, "Address");
  assert.match(e.message, /^lm75: probe failed: i2c0: 0x49/);
  await assert.rejects(bind(lm75, { name: "not a client" }), /needs an I2cClient/);
});

test("the same driver over bit-banged I2C: START, address, ACKs and STOP on two pins", async () => {
  const m = tmp105Model({ celsius: 41.125 });
  const w = i2cWire(m);
  const i2c = bitbangI2c("i2c-bb", { scl: w.scl, sda: w.sda, frequency: 0 });
  const t = await bind(lm75, i2c.client(0x48, { compatible: ["ti,tmp105"] }));
  assert.equal(t.resolution, 12);
  assert.equal(await t.temperature(), 41.125);
  m.celsius = -0.0625;
  assert.equal(await t.temperature(), -0.0625);
  w.events.length = 0;
  await t.temperature();
  assert.deepEqual(w.events, ["start", "ack", "ack", "start", "ack", "stop"], "write pointer, repeated START, read two bytes, STOP");
  unbind(t);
});

test("bit-banged I2C: a missing device NAKs its address, clock stretching is waited for, a held SDA is arbitration loss", async () => {
  const m = tmp105Model();
  const w = i2cWire(m);
  const i2c = bitbangI2c("i2c-bb", { scl: w.scl, sda: w.sda, frequency: 0, stretchUs: 50_000 });
  let e = await assert.rejects(i2c.write(0x50, [0]), I2cError);
  assert.equal(e.kind, "NoAcknowledge");
  assert.equal(e.source, "Address");
  assert.equal(w.events.at(-1), "stop", "the bus is left idle");
  assert.deepEqual(await i2c.scan(), [0x48]);
  w.stretch = 5;
  assert.equal((await i2c.writeRead(0x48, [1], 1))[0], 0);
  w.stretch = 1e9;
  e = await assert.rejects(i2c.write(0x48, [1, 0]), I2cError);
  assert.equal(e.kind, "Bus");
  assert.match(e.message, /SCL held low for more than 50000 us/);
  w.stretch = 0;
  w.dev.sda = false;                                      // something holds SDA for good
  e = await assert.rejects(i2c.write(0x48, [1, 0]), I2cError);
  assert.equal(e.kind, "Bus");
  assert.match(e.message, /SDA stays low after nine clocks of bus recovery/);
  w.dev.sda = true;
  await i2c.write(0x48, [1, 0x60]);
  assert.equal(m.config, 0x60, "the bus works again once released");
});
