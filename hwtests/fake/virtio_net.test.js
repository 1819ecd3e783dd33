// drivers/virtio/net.js on the fake backend, against the model in ../models/virtio_net.js:
// bring-up order, feature negotiation, the data path in loopback, link changes, hostile
// used-ring entries and configuration, DEVICE_NEEDS_RESET and remove.
import { test, assert } from "jsk:test";
import { bind, unbind, waitFor, TimeoutError, BUFFER } from "jsk:hal";
import virtioNet, { NET_F } from "../../drivers/virtio/net.js";
import { virtioNetModel, HDR_SIZE } from "../models/virtio_net.js";
import { prng } from "../models/prng.js";
import { frame as testFrame, seqOf, same } from "../models/frames.js";

const MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x57];
const bit = (n) => 1n << BigInt(n);

const frame = (seq, length = 64, dst = MAC) => testFrame(dst, seq, length);

async function setup(modelOpts = {}, opts = {}) {
  const model = virtioNetModel(modelOpts);
  model.device.virtio = opts;
  const nic = await bind(virtioNet, model.device);
  return { model, nic };
}

test("bring-up: VIRTIO 3.1.1 in order, VERSION_1 MAC STATUS MTU accepted, MRG_RXBUF and CTRL_VQ not; queues set up before DRIVER_OK", async () => {
  const model = virtioNetModel();
  model.fake.record();
  const nic = await bind(virtioNet, model.device);
  assert.deepEqual(model.statusWrites, [0, 1, 3, 11, 15], "reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK");
  assert.equal(model.driverFeatures, bit(32) | bit(NET_F.MAC) | bit(NET_F.STATUS) | bit(NET_F.MTU));
  assert.equal(nic.macAddress, "52:54:00:12:34:57");
  assert.equal(nic.mtu, 1500);
  assert.deepEqual(nic.link, { up: true, speedMbps: null, fullDuplex: null });
  const [rx, tx, ctrl] = model.queues;
  assert.deepEqual([rx.enable, tx.enable, ctrl.enable], [1, 1, 0], "receiveq1 and transmitq1; no control queue");
  assert.deepEqual([rx.size, tx.size], [256, 256]);
  assert.equal(rx.desc, nic.rxq.addresses.desc);
  assert.equal(tx.device, nic.txq.addresses.device);
  assert.equal(nic.rxq.outstanding, 256, "the receive queue is full of buffers");
  assert.ok(model.fake.busMaster);
  // The last queue register written (enable) comes before DRIVER_OK; the receive queue is
  // notified only after DRIVER_OK.
  const acc = model.fake.accesses.filter((a) => a.op === "write");
  const driverOk = acc.findIndex((a) => a.offset === 0x14 && a.value === 15);
  const lastEnable = acc.findLastIndex((a) => a.offset === 0x1c);
  const firstNotify = acc.findIndex((a) => a.offset >= 0x3000);
  assert.ok(lastEnable < driverOk && driverOk < firstNotify, `enable ${lastEnable}, DRIVER_OK ${driverOk}, notify ${firstNotify}`);
  assert.equal(nic.interrupts, "intx");
  assert.equal(nic.mode, "irq");
  unbind(nic);
});

test("a legacy device (no VERSION_1) is refused with a clear error, left FAILED, and its memory freed", async () => {
  const model = virtioNetModel({ features: bit(NET_F.MAC) });
  await assert.rejects(bind(virtioNet, model.device), /does not offer feature bit\(s\) 32 .*legacy device/);
  assert.ok(model.statusWrites.includes(0x80 | 3) || model.statusWrites.some((v) => v & 0x80), "FAILED written");
  assert.equal(model.device.dmaBuffers.size, 0, "nothing left allocated");
  assert.equal(model.fake.busMaster, false);
});

test("a device that refuses the features (FEATURES_OK not kept) and one that never resets are clear errors", async () => {
  await assert.rejects(bind(virtioNet, virtioNetModel({ refuseFeatures: true }).device), /refused feature bits/);
  const stuck = virtioNetModel({ neverResets: true });
  stuck.status = 0x0f;
  stuck.device.virtio = { waitMs: 20 };
  await assert.rejects(bind(virtioNet, stuck.device), TimeoutError);
});

test("without VIRTIO_NET_F_MAC the driver picks a random locally administered unicast MAC; ACCESS_PLATFORM is accepted when offered", async () => {
  const { model, nic } = await setup({ features: bit(32) | bit(33) });
  assert.equal(nic.mac[0] & 3, 2, "locally administered, unicast");
  assert.equal(model.driverFeatures, bit(32) | bit(33));
  assert.deepEqual(nic.link, { up: true, speedMbps: null, fullDuplex: null }, "no STATUS: always up");
  unbind(nic);
});

test("loopback: frames sent with txBatch come back through rxBatch, byte for byte, each with a zero header on the wire", async () => {
  const { model, nic } = await setup();
  const sent = [60, 64, 100, 1514, 600].map((len, i) => frame(i + 1, len));
  assert.equal(nic.txBatch(sent), 5);
  assert.equal(model.transmitted.length, 5);
  sent.forEach((f, i) => assert.ok(same(model.transmitted[i], f), `frame ${i} on the wire`));
  const got = nic.rxBatch(32);
  assert.equal(got.length, 5);
  got.forEach((p, i) => assert.ok(same(p.data, sent[i]), `frame ${i} received`));
  for (const p of got) p.free();
  const s = nic.stats;
  assert.deepEqual([s.txPackets, s.rxPackets, s.rxBytes, s.badDescriptors, s.rxErrors], [5, 5, 60 + 64 + 100 + 1514 + 600, 0, 0]);
  nic.reclaimTx();
  assert.equal(nic.txInFlight, 0);
  unbind(nic);
});

test("bursts: received buffers forwarded by id without a copy; every buffer comes home", async () => {
  const { model, nic } = await setup({ loopback: false });
  const ids = new Uint16Array(64), lens = new Uint16Array(64);
  for (let i = 0; i < 40; i++) model.inject(frame(i, 64 + i));
  const n = nic.rxBurst(ids, lens, 64);
  assert.equal(n, 40);
  for (let i = 0; i < n; i++) {
    assert.equal(lens[i], 64 + i);
    assert.equal(seqOf(nic.buffer(ids[i])), i);
  }
  assert.equal(nic.txBurst(ids, lens, n), 40);
  assert.equal(model.transmitted.length, 40);
  assert.ok(model.transmitted.every((f, i) => same(f, frame(i, 64 + i))));
  assert.throws(() => nic.txBurst(ids, lens, 1), TypeError, "buffers sent are not the program's any more");
  nic.reclaimTx();
  const state = nic.bufState;
  assert.ok([...state].every((s) => s === BUFFER.DRIVER), "every buffer is the driver's again");
  assert.equal(nic.rxPool.available + nic.rxq.outstanding, nic.rxPool.packets.length);
  unbind(nic);
});

test("txBurst refuses a bad length or a buffer not held before anything is queued", async () => {
  const { model, nic } = await setup({ loopback: false });
  const ids = new Uint16Array(4), lens = new Uint16Array(4);
  assert.equal(nic.allocBurst(ids, 3), 3);
  lens.set([64, 2000, 64]);
  assert.throws(() => nic.txBurst(ids, lens, 3), /frame 1 is 2000 bytes/);
  lens[1] = 13;
  assert.throws(() => nic.txBurst(ids, lens, 3), /frame 1 is 13 bytes/);
  lens[1] = 64;
  ids[2] = ids[0];
  assert.throws(() => nic.txBurst(ids, lens, 3), /frame 2 .* already queued/);
  assert.equal(model.transmitted.length, 0);
  assert.equal(nic.txInFlight, 0);
  assert.equal(nic.txBurst(ids, lens, 2), 2, "the same buffers go once the mistakes are gone");
  unbind(nic);
});

test("hostile used entries: ids never offered, ids twice, lengths past the buffer or below a header never hand out a buffer, and lose none", async () => {
  const { model, nic } = await setup({ loopback: false });
  const rand = prng(7);
  let k = 0;
  model.hostile.used = (queue, e) => {
    if (queue !== 0) return;
    switch (k++ % 5) {
      case 1: e.id = rand.below(512); break;                   // anything, often not offered
      case 2: e.len = 2049 + rand.below(100000); break;      // past the buffer
      case 3: e.len = rand.below(HDR_SIZE + 14); break;      // no room for the headers
      default: break;
    }
  };
  const ids = new Uint16Array(64), lens = new Uint16Array(64);
  let good = 0;
  const seen = new Set();
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 20; i++) model.inject(frame(round * 20 + i, 64));
    const n = nic.rxBurst(ids, lens, 64);
    for (let i = 0; i < n; i++) {
      assert.ok(!seen.has(ids[i]), `buffer ${ids[i]} handed out twice`);
      assert.equal(lens[i] >= 14 && lens[i] <= 2036, true);
      assert.equal(nic.bufState[ids[i]], BUFFER.HELD);
      seen.add(ids[i]);
    }
    good += n;
    nic.freeBurst(ids, n);
    seen.clear();
  }
  assert.ok(good > 0 && nic.stats.badDescriptors > 0, `good ${good}, bad ${nic.stats.badDescriptors}`);
  // Every receive buffer is accounted for: in the pool, or offered to the device.
  model.hostile.used = null;
  assert.ok(nic.rxPool.available + nic.rxq.outstanding <= nic.rxPool.packets.length);
  unbind(nic);
});

test("a used index that jumps past what was offered stops the device with a clear error", async () => {
  const { model, nic } = await setup({ loopback: false });
  model.hostile.usedIdx = (queue, idx) => (queue === 0 ? idx + 1000 : idx);
  model.inject(frame(1));
  const ids = new Uint16Array(8), lens = new Uint16Array(8);
  assert.throws(() => nic.rxBurst(ids, lens, 8), /used index moved by/);
  assert.throws(() => nic.rxBurst(ids, lens, 8), /used index moved by/, "and stays stopped");
  assert.ok(nic.lastError);
  unbind(nic);
});

test("the device configuration is read until config_generation holds still; a device whose generation never does is an error", async () => {
  let reads = 0;
  const model = virtioNetModel();
  model.hostile.generation = () => (reads++ < 5 ? reads : 5);   // torn for a few reads, then still
  const nic = await bind(virtioNet, model.device);
  assert.equal(nic.macAddress, "52:54:00:12:34:57");
  unbind(nic);
  const torn = virtioNetModel();
  let g = 0;
  torn.hostile.generation = () => g++;
  await assert.rejects(bind(virtioNet, torn.device), /config_generation changed on each of 100 reads/);
  const multicast = virtioNetModel({ mac: [0x01, 0, 0x5e, 0, 0, 1] });
  await assert.rejects(bind(virtioNet, multicast.device), /not a unicast address/);
});

test("link: status.LINK_UP changes reach on('link') through the configuration interrupt", async () => {
  const { model, nic } = await setup();
  const events = [];
  nic.on("link", (l) => events.push(l.up ? "up" : "down"));
  model.setLink(false);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(nic.link.up, false);
  model.setLink(true);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, ["down", "up"]);
  assert.ok(nic.stats.interrupts >= 2);
  assert.equal(nic.stats.linkChanges, 2);
  unbind(nic);
});

test("waitRx: an interrupt wakes a waiting receiver; without waiters the device is asked for none; poll mode works too", async () => {
  const { model, nic } = await setup({ loopback: false });
  const avail = nic.rxq.availOffset >> 1;
  assert.equal(nic.rxq.u16[avail] & 1, 1, "no interrupt wanted while nobody waits");
  const before = model.counters.interrupts;
  model.inject(frame(1));
  assert.equal(model.counters.interrupts, before, "none raised");
  assert.equal(nic.rxBatch(8).length, 1);
  setTimeout(() => model.inject(frame(2)), 10);
  await nic.waitRx({ timeout: 2000 });
  const got = nic.rxBatch(8);
  assert.equal(got.length, 1);
  assert.equal(seqOf(got[0].data), 2);
  got[0].free();
  await assert.rejects(nic.waitRx({ timeout: 20 }), TimeoutError);
  nic.setMode("poll");
  setTimeout(() => model.inject(frame(3)), 10);
  await nic.waitRx({ timeout: 2000 });
  assert.equal(nic.rxBatch(8).length, 1);
  unbind(nic);
});

test("DEVICE_NEEDS_RESET: the driver resets the device, takes its buffers back and brings it up again", async () => {
  const { model, nic } = await setup();
  nic.txBatch([frame(1)]);
  const held = nic.rxBatch(8);
  assert.equal(held.length, 1);
  model.needsReset();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(nic.resets, 1);
  assert.equal(model.status, 15, "DRIVER_OK again");
  assert.equal(model.resets, 3, "the bring-up's reset, the recovery's, and its bring-up's");
  assert.equal(held[0].state, BUFFER.HELD, "the program's buffer is still its own");
  held[0].free();
  assert.equal(nic.txBatch([frame(2)]), 1);
  const got = nic.rxBatch(8);
  assert.deepEqual(got.map((p) => seqOf(p.data)), [2]);
  unbind(nic);
});

test("remove: the device is reset (device_status 0), bus mastering off, memory freed; a device that never resets still gets bus mastering off", async () => {
  const { model, nic } = await setup();
  unbind(nic);
  assert.equal(model.status, 0);
  assert.equal(model.fake.busMaster, false);
  assert.equal(model.device.dmaBuffers.size, 0);
  assert.throws(() => nic.rxBatch(1), /removed/);
  const stuck = virtioNetModel({ neverResets: true });
  const n2 = await bind(virtioNet, stuck.device).catch((e) => e);
  assert.ok(!(n2 instanceof Error), "neverResets holds device_status at 0 before DRIVER_OK");
  n2.opts.waitMs = 5;
  assert.throws(() => unbind(n2), /reset at remove/);
  assert.equal(stuck.fake.busMaster, false, "bus mastering off anyway");
});

test("options are checked: queue sizes, pool sizes, mode", async () => {
  for (const [o, re] of [[{ rxQueueSize: 100 }, /power of two/], [{ txPoolSize: 0 }, /txPoolSize/], [{ mode: "fast" }, /mode "fast"/]]) {
    const model = virtioNetModel();
    model.device.virtio = o;
    await assert.rejects(bind(virtioNet, model.device), re);
  }
  const { nic, model } = await setup({}, { rxQueueSize: 1024 });
  assert.equal(nic.rxq.size, 256, "cut to the device's queue_size");
  assert.equal(model.queues[0].size, 256);
  unbind(nic);
});

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test("MSI-X: vector 0 for configuration changes, 1 for the receive queue, none for transmit; each wakes what it should", async () => {
  const { model, nic } = await setup({ msix: 3, loopback: false });
  assert.equal(nic.interrupts, "msix");
  assert.deepEqual([model.configVector, model.queues[0].vector, model.queues[1].vector], [0, 1, 0xffff]);
  const events = [];
  nic.on("link", (l) => events.push(l.up));
  model.setLink(false);
  await tick();
  assert.deepEqual(events, [false], "the configuration vector brought the link change");
  model.setLink(true);
  setTimeout(() => model.inject(frame(7)), 5);
  await nic.waitRx({ timeout: 2000 });
  assert.deepEqual(nic.rxBatch(4).map((p) => seqOf(p.data)), [7], "the receive vector woke the waiter");
  unbind(nic);
});

test("MSI-X with one vector: configuration and receive share it; vectors refused: polling", async () => {
  const one = await setup({ msix: 1, loopback: false });
  assert.deepEqual([one.model.configVector, one.model.queues[0].vector], [0, 0]);
  const events = [];
  one.nic.on("link", (l) => events.push(l.up));
  one.model.setLink(false);
  await tick();
  one.model.setLink(true);
  setTimeout(() => one.model.inject(frame(8)), 5);
  // The link-up interrupt on the shared vector may wake the waiter before the frame is there.
  let got = [];
  for (const until = performance.now() + 2000; got.length === 0 && performance.now() < until;) {
    await one.nic.waitRx({ timeout: 2000 });
    got = one.nic.rxBatch(4).map((p) => seqOf(p.data));
  }
  assert.deepEqual(events, [false, true]);
  assert.deepEqual(got, [8]);
  unbind(one.nic);
  const refused = await setup({ msix: 3, refuseVectors: true, loopback: false });
  assert.deepEqual([refused.nic.interrupts, refused.nic.mode], ["none", "poll"]);
  setTimeout(() => refused.model.inject(frame(9)), 5);
  await refused.nic.waitRx({ timeout: 2000 });
  assert.equal(refused.nic.rxBatch(4).length, 1);
  unbind(refused.nic);
});

test("a device asking for no notifications (VIRTQ_USED_F_NO_NOTIFY) gets none; a flag left over from before a reset does not silence the driver", async () => {
  const { model, nic } = await setup({ loopback: false });
  model.noNotify = true;
  model.kick();                                      // the device sets the flag in both used rings
  const before = model.counters.notifies[1];
  assert.equal(nic.txBatch([frame(1)]), 1);
  assert.equal(model.counters.notifies[1], before, "not notified");
  model.kick();
  assert.equal(model.transmitted.length, 1, "the device found the frame by itself");
  // Reset with the flag still set in memory: after the recovery the rings are new.
  model.needsReset();
  await tick(20);
  assert.equal(nic.resets, 1);
  model.noNotify = false;
  assert.equal(nic.txBatch([frame(2)]), 1);
  assert.equal(model.counters.notifies[1], before + 1, "notified again");
  assert.deepEqual(model.transmitted.map(seqOf), [1, 2]);
  unbind(nic);
});

test("VIRTIO_NET_F_MTU is taken only when this driver can honour it; then no frame above mtu + 14 is sent", async () => {
  const MTU = bit(NET_F.MTU);
  for (const [mtu, taken] of [[9000, false], [60, false], [1400, true], [1500, true]]) {
    const { model, nic } = await setup({ mtu, loopback: false });
    assert.equal((model.driverFeatures & MTU) !== 0n, taken, `mtu ${mtu}`);
    assert.equal(nic.frameMax, taken ? Math.min(1518, mtu + 14) : 1518, `mtu ${mtu}`);
    unbind(nic);
  }
  const { model, nic } = await setup({ mtu: 1400, loopback: false });
  assert.equal(nic.txBatch([frame(1, 1414)]), 1);
  assert.throws(() => nic.txBatch([frame(2, 1415)]), /1415 bytes; a frame is 14 to 1414/);
  assert.equal(model.transmitted.length, 1);
  unbind(nic);
});

test("a remove while a recovery waits for its reset: nothing is written to the device afterwards", async () => {
  const { model, nic } = await setup({ slowReset: 30 });
  nic.opts.waitMs = 5;
  model.needsReset();
  await waitFor(() => nic.resets === 1, { ms: 1000, what: "the recovery to start" });
  assert.throws(() => unbind(nic), /reset at remove/, "the slow reset outlasts remove's deadline");
  const writes = model.statusWrites.length;
  await tick(80);                                    // the recovery's reset completes now
  assert.equal(model.statusWrites.length, writes, `written after remove: ${model.statusWrites.slice(writes)}`);
  assert.equal(model.fake.busMaster, false);
});

test("a forwarder whose receive buffers are all in flight is not starved: waiting reclaims them and refills", async () => {
  const { model, nic } = await setup({ loopback: false, deferTx: true }, { rxQueueSize: 8, rxPoolSize: 8 });
  for (let i = 0; i < 8; i++) model.inject(frame(i));
  const ids = new Uint16Array(8), lens = new Uint16Array(8);
  assert.equal(nic.rxBurst(ids, lens, 8), 8);
  assert.equal(nic.txBurst(ids, lens, 8), 8, "every receive buffer forwarded");
  assert.equal(nic.rxq.outstanding, 0, "the receive queue is empty");
  setTimeout(() => model.inject(frame(100)), 20);    // the device has sent them meanwhile
  await nic.waitRx({ timeout: 2000 });
  assert.deepEqual(nic.rxBatch(8).map((p) => seqOf(p.data)), [100]);
  assert.equal(model.counters.noBuffer, 0, "no frame dropped for want of buffers");
  unbind(nic);
});

test("a device whose queues take fewer descriptors, or not a power of two, gets the largest power of two it takes", async () => {
  const { model, nic } = await setup({ queueMax: 100 });
  assert.deepEqual([nic.rxq.size, nic.txq.size, model.queues[0].size], [64, 64, 64]);
  assert.equal(nic.txBatch([frame(1)]), 1);
  assert.equal(nic.rxBatch(4).length, 1);
  unbind(nic);
});
