// drivers/misc/edu.js on the fake backend, against the model in ../models/edu.js.
import { test, assert } from "jsk:test";
import { bind, unbind } from "jsk:hal";
import edu from "../../drivers/misc/edu.js";
import { eduModel } from "../models/edu.js";

test("probe checks the identification register and reads the version", async () => {
  const m = eduModel();
  const h = await bind(edu, m.device);
  assert.equal(h.version, "1.0");
  assert.equal(m.fake.busMaster, true);
  unbind(h);
  assert.equal(m.fake.busMaster, false);
  assert.equal(m.fake.released, true);
});

test("probe refuses a device with the wrong identification and leaves it released", async () => {
  const m = eduModel();
  m.fake.on(0, 0x00, { read: () => 0x12345678 });
  await assert.rejects(bind(edu, m.device), /edu: identification register reads 12345678/);
  assert.equal(m.fake.released, true);
  assert.equal(m.fake.busMaster, false);
});

test("liveness reads back the inverse", async () => {
  const h = await bind(edu, eduModel().device);
  assert.equal(h.liveness(0x12345678), 0xedcba987);
  unbind(h);
});

test("factorial by interrupt and by polling", async () => {
  const h = await bind(edu, eduModel().device);
  assert.equal(await h.factorial(10), 3628800);
  assert.equal(await h.factorial(12, { irq: false }), 479001600);
  unbind(h);
});

test("DMA round trip through the device buffer", async () => {
  const h = await bind(edu, eduModel().device);
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 0xff);
  await h.write(100, bytes);
  assert.deepEqual(await h.read(100, 256), bytes);
  unbind(h);
});

test("DMA outside the device buffer is refused before the device sees it", async () => {
  const m = eduModel();
  const h = await bind(edu, m.device);
  m.fake.record();
  await assert.rejects(h.read(4000, 200), RangeError);
  assert.deepEqual(m.fake.accesses, []);
  unbind(h);
});

test("a device that never interrupts makes the wait time out, naming it", async () => {
  const m = eduModel();
  m.fake.on(0, 0x08, { write: () => {} });
  const h = await bind(edu, m.device);
  await assert.rejects(h.factorial(5, { timeout: 50 }), /timed out after 50 ms waiting for edu: the factorial to complete/);
  unbind(h);
});
