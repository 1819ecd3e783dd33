// jsk:virtio/pci (hal-js/virtio/pci.js)'s Transport against the model in ../models/virtio_pci.js: the status
// handshake of VIRTIO 3.1.1 in order, feature negotiation, and the refusals.
import { test, assert } from "jsk:test";
import { TimeoutError } from "jsk:hal";
import { Transport, FEATURE, bits } from "jsk:virtio/pci";
import { SplitQueue } from "jsk:virtio/split_queue";
import { virtioPciModel } from "../models/virtio_pci.js";

test("begin: reset, ACKNOWLEDGE, DRIVER, the features both want, FEATURES_OK read back; then DRIVER_OK", async () => {
  const m = virtioPciModel();
  const t = new Transport(m.device);
  assert.equal(t.common.NUM_QUEUES.read(), 3);
  const accepted = await t.begin({ required: bits(FEATURE.VERSION_1), optional: bits(5n, 16n) });
  assert.equal(accepted, bits(FEATURE.VERSION_1, 5n), "bit 16 is not offered: not accepted");
  assert.equal(m.driverFeatures, accepted);
  assert.deepEqual(m.statusWrites, [0, 1, 3, 11]);
  assert.ok(t.has(5) && !t.has(16));
  t.ready();
  assert.equal(m.status, 15);
  assert.equal(t.needsReset(), false);
  m.status |= 64;
  assert.equal(t.needsReset(), true);
});

test("a device without VERSION_1 (legacy) is refused with a clear error and left FAILED", async () => {
  const m = virtioPciModel({ features: bits(5n) });
  const t = new Transport(m.device);
  await assert.rejects(t.begin(), /does not offer feature bit\(s\) 32 .*legacy device/);
  assert.ok(m.status & 128, "FAILED");
});

test("a device that drops FEATURES_OK fails the negotiation; one that never resets times out", async () => {
  const m = virtioPciModel({ refuseFeatures: true });
  await assert.rejects(new Transport(m.device).begin(), /refused feature bits 32 \(FEATURES_OK did not stay set/);
  assert.ok(m.status & 128);
  const stuck = virtioPciModel({ neverResets: true });
  stuck.status = 15;
  await assert.rejects(new Transport(stuck.device, { waitMs: 20 }).begin(), (e) => e instanceof TimeoutError && /to reset/.test(e.message));
});

test("no config space (a fake device without one) is an error before anything is touched", () => {
  const m = virtioPciModel();
  m.device.config = undefined;
  assert.throws(() => new Transport(m.device), /no PCI config space/);
});

test("setupQueue: size, the three areas, vector and enable, in order; the notify address from queue_notify_off", async () => {
  const m = virtioPciModel();
  const t = new Transport(m.device);
  await t.begin();
  assert.equal(t.maxQueueSize(1), 256);
  const q = new SplitQueue(m.device, 1, 128);
  const { notify: at, vector } = t.setupQueue(q);
  assert.equal(vector, 0xffff);
  assert.equal(at, 0x3000 + 1 * 4, "notify structure + queue_notify_off x multiplier");
  const mq = m.queues[1];
  assert.deepEqual([mq.size, mq.enable, mq.vector], [128, 1, 0xffff]);
  assert.equal(mq.desc, q.addresses.desc);
  assert.equal(mq.driver, q.addresses.driver);
  assert.equal(mq.device, q.addresses.device);
  assert.throws(() => t.setupQueue(q), /enabled already/);
  await t.reset();
  assert.equal(m.queues[1].enable, 0, "a reset disables the queues");
  await t.begin();
  assert.equal(t.setupQueue(q).notify, at, "and the queue can be given again");
  assert.throws(() => t.setupQueue(new SplitQueue(m.device, 2, 128)), /at most 64 descriptors/);
  assert.throws(() => t.maxQueueSize(3), /the device has 3 queues/);
  t.ready();
  t.notify(at, 1);
  assert.equal(m.fake.region(4).read16(0x3004), 1);
});
