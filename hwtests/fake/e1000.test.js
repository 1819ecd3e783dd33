// drivers/nic/e1000.js on the fake backend, against the model in ../models/e1000.js.
import { test, assert } from "jsk:test";
import { bind, unbind, TimeoutError, Packet, BUFFER } from "jsk:hal";
import e1000 from "../../drivers/nic/e1000.js";
import { e1000Model, REG, ICR, RCTL, TCTL_EN, CTRL_RST, DEFAULT_MAC } from "../models/e1000.js";
import { prng } from "../models/prng.js";
import { frame, seqOf, same } from "../models/frames.js";

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const OTHER_MAC = [0x52, 0x54, 0x00, 0x99, 0x99, 0x99];

/** Bind the driver to a model; `opts` become the driver's options (dev.e1000). */
async function setup(modelOpts = {}, opts = {}) {
  const model = e1000Model(modelOpts);
  model.device.e1000 = opts;
  const nic = await bind(e1000, model.device);
  return { model, nic, regs: model.regs };
}
const reg = (model, name) => model.regs[REG[name] >> 2];

/** Receive until `want` frames arrived (or the ring runs dry), freeing nothing. */
function receiveAll(nic, want) {
  const got = [];
  for (let i = 0; i < 1000 && got.length < want; i++) {
    const batch = nic.rxBatch(want - got.length);
    if (batch.length === 0) break;
    got.push(...batch);
  }
  return got;
}

test("init sequence follows SDM 14.3-14.5: quiet, reset, general config, receive, transmit, interrupts last", async () => {
  const model = e1000Model();
  model.fake.record();
  const nic = await bind(e1000, model.device);
  const writes = model.writes();
  const names = writes.map(([n]) => n);
  const at = (name, pred = () => true, from = 0) => {
    const i = writes.findIndex(([n, v], k) => k >= from && n === name && pred(v));
    assert.ok(i >= 0, `no write of ${name} after step ${from} in ${names.join(",")}`);
    return i;
  };
  const quietIrq = at("IMC", (v) => v === 0xffffffff);
  const rxOff = at("RCTL", (v) => v === 0);
  const txOff = at("TCTL", (v) => (v & TCTL_EN) === 0);
  const reset = at("CTRL", (v) => (v & CTRL_RST) !== 0);
  assert.ok(quietIrq < rxOff && rxOff < reset && txOff < reset, "interrupts masked and both units off before the reset");
  const generalConfig = at("CTRL", (v) => (v & (1 << 6)) !== 0 && (v & (1 << 5)) !== 0 && !(v & CTRL_RST), reset); // SLU, ASDE
  const ral = at("RAL0", () => true, generalConfig);
  const mta = at("MTA", () => true, generalConfig);
  const rdbal = at("RDBAL", () => true, reset);
  const rdlen = at("RDLEN", () => true, rdbal);
  const rdh = at("RDH", () => true, rdlen);
  const rdt = at("RDT", () => true, rdh);
  const tdbal = at("TDBAL", () => true, rdt);
  const tdlen = at("TDLEN", () => true, tdbal);
  const tdh = at("TDH", () => true, tdlen);
  const tdt = at("TDT", () => true, tdh);
  const txOn = at("TCTL", (v) => (v & TCTL_EN) !== 0, tdt);
  const rxOn = at("RCTL", (v) => (v & RCTL.EN) !== 0, tdt);
  const ims = at("IMS", (v) => v !== 0, reset);
  assert.ok(generalConfig < ral && ral < mta && mta < rdbal, "general configuration, then the address filters, then the rings");
  assert.ok(ims > rxOn && ims > txOn, "interrupts are enabled last");
  assert.equal(model.resets, 1);
  assert.equal(model.fake.busMaster, true);

  // What the registers hold now.
  assert.equal(reg(model, "RDLEN"), 256 * 16);
  assert.equal(reg(model, "TDLEN"), 256 * 16);
  assert.equal(reg(model, "RDH"), 0);
  assert.equal(reg(model, "RDT"), 255, "one descriptor held back");
  assert.equal(reg(model, "TDH"), 0);
  assert.equal(reg(model, "TDT"), 0);
  const rctl = reg(model, "RCTL");
  assert.equal(rctl & (RCTL.EN | RCTL.BAM | RCTL.SECRC), RCTL.EN | RCTL.BAM | RCTL.SECRC);
  assert.equal(rctl & (RCTL.UPE | RCTL.MPE | RCTL.LPE | RCTL.BSEX | (3 << 16) | (3 << 6)), 0, "no promiscuity, 2048-byte buffers, no loopback");
  const tctl = reg(model, "TCTL");
  assert.equal(tctl & ((1 << 1) | (1 << 3)), (1 << 1) | (1 << 3), "TCTL.EN and PSP");
  assert.equal((tctl >>> 4) & 0xff, 0x10, "collision threshold");
  assert.equal((tctl >>> 12) & 0x3ff, 0x40, "collision distance, full duplex");
  assert.equal(reg(model, "TIPG"), 10 | (8 << 10) | (6 << 20));
  assert.equal(reg(model, "IMS"), ICR.RXT0 | ICR.RXO | ICR.RXDMT0 | ICR.RXSEQ | ICR.LSC);
  for (let i = 0; i < 128; i++) assert.equal(model.regs[(REG.MTA >> 2) + i], 0);
  assert.equal(nic.mode, "irq");
  assert.equal(nic.model, "82540EM");
  unbind(nic);
});

test("poisoned rings: every receive descriptor points at a pool buffer, the transmit ring is poison", async () => {
  const { nic } = await setup({}, { rxRingSize: 16, txRingSize: 16 });
  const buffers = new Set(nic.rxPool.packets.map((p) => Number(p.iova)));
  const rx = new DataView(nic.rxRing.dma.buffer);
  for (let i = 0; i < 16; i++) {
    assert.ok(buffers.has(Number(rx.getBigUint64(i * 16, true))), `descriptor ${i} holds a pool buffer`);
    assert.equal(rx.getUint8(i * 16 + 12), 0, "status clear");
  }
  assert.ok(nic.txRing.u8.every((b) => b === 0xff), "nothing written to the transmit ring yet");
  unbind(nic);
});

test("ring sizes are multiples of 8 descriptors (RDLEN/TDLEN 128-byte multiples); bad options touch nothing", async () => {
  for (const bad of [{ rxRingSize: 12 }, { txRingSize: 0 }, { txRingSize: 8192 }, { rxRingSize: 16, rxPoolSize: 16 }, { mode: "fast" }]) {
    const model = e1000Model();
    model.device.e1000 = bad;
    model.fake.record();
    await assert.rejects(bind(e1000, model.device), (e) => e instanceof RangeError || e instanceof TypeError);
    assert.deepEqual(model.writes(), [], `${JSON.stringify(bad)}: no register written`);
  }
  const { nic, model } = await setup({}, { rxRingSize: 8, txRingSize: 24 });
  assert.equal(reg(model, "RDLEN"), 128);
  assert.equal(reg(model, "TDLEN"), 384);
  assert.equal(Number(nic.rxRing.dma.iova) % 128, 0);
  assert.equal(Number(nic.txRing.dma.iova) % 128, 0);
  unbind(nic);
});

test("tap() sees every frame received and sent", async () => {
  const { nic } = await setup();
  const seen = [];
  const stop = nic.tap((dir, bytes) => seen.push([dir, seqOf(bytes), bytes.length]));
  nic.txBatch([frame(nic.mac, 1, 80)]);
  nic.rxBatch().forEach((p) => p.free());
  stop();
  nic.txBatch([frame(nic.mac, 2)]);
  assert.deepEqual(seen, [["tx", 1, 80], ["rx", 1, 80]]);
  unbind(nic);
});

test("MAC from RAL/RAH, as the EEPROM loaded it", async () => {
  const mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
  const { nic } = await setup({ mac });
  assert.equal(nic.macAddress, "02:11:22:33:44:55");
  assert.deepEqual([...nic.mac], mac);
  assert.equal(nic.macSource, "RAL/RAH");
  assert.deepEqual(nic.readEepromMac(), mac);
  unbind(nic);
});

test("MAC from the EEPROM (EERD) when RAH0 is not valid, written back to RAL0/RAH0", async () => {
  const model = e1000Model({ mac: [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee] });
  let lie = true;
  model.hostile.registers = (off) => (lie && off === REG.RAH0 ? 0 : undefined);  // AV clear
  const nic = await bind(e1000, model.device);
  lie = false;
  assert.equal(nic.macSource, "EEPROM");
  assert.equal(nic.macAddress, "02:aa:bb:cc:dd:ee");
  assert.equal(reg(model, "RAL0"), 0xccbbaa02);
  assert.equal(reg(model, "RAH0"), (0x8000eedd) >>> 0, "AV set");
  unbind(nic);
});

test("a device with no valid address anywhere fails the probe and is left released", async () => {
  const model = e1000Model({ mac: [0x01, 0, 0, 0, 0, 1] });   // multicast: not a station address
  await assert.rejects(bind(e1000, model.device), /e1000: e1000: no valid MAC address/);
  assert.equal(model.fake.busMaster, false);
  assert.equal(model.fake.released, true);
  assert.equal(reg(model, "IMS"), 0);
  assert.equal(reg(model, "RCTL") & RCTL.EN, 0);
});

test("82545EM (8086:100f) is driven the same way", async () => {
  const { nic, model } = await setup({ deviceId: 0x100f });
  assert.equal(nic.model, "82545EM");
  assert.equal(nic.txBatch([frame(nic.mac, 7)]), 1);
  assert.equal(seqOf(nic.rxBatch(4)[0].data), 7);
  assert.equal(model.counters.received, 1);
  unbind(nic);
});

test("tx and rx through the loopback: bytes out are the bytes in", async () => {
  const { nic, model } = await setup();
  const sent = [frame(nic.mac, 1, 60), frame(BROADCAST, 2, 64), frame(nic.mac, 3, 1514), frame(nic.mac, 4, 100)];
  // Byte arrays are copied into transmit buffers; Packets from allocPacket go as they are.
  const p = nic.allocPacket(sent[3].length);
  p.bytes.set(sent[3]);
  assert.equal(nic.txBatch([sent[0], sent[1], sent[2], p]), 4);
  assert.equal(model.transmitted.length, 4);
  sent.forEach((f, i) => assert.ok(same(model.transmitted[i], f), `frame ${i} on the wire`));
  const got = nic.rxBatch(32);
  assert.equal(got.length, 4);
  got.forEach((q, i) => {
    assert.ok(q instanceof Packet);
    assert.ok(same(q.data, sent[i]), `frame ${i} received intact`);
    q.free();
  });
  const s = nic.stats;
  assert.equal(s.txPackets, 4);
  assert.equal(s.rxPackets, 4);
  assert.equal(s.txBytes, 60 + 64 + 1514 + 100);
  assert.equal(s.rxBytes, s.txBytes);
  assert.equal(s.rxErrors + s.badDescriptors + s.rxDropped + s.txErrors, 0);
  const hw = nic.readCounters();
  assert.equal(hw.goodPacketsSent, 4);
  assert.equal(hw.goodPacketsReceived, 4);
  assert.equal(hw.broadcastReceived, 1);
  assert.equal(hw.goodOctetsReceived, s.rxBytes + 4 * 4, "octets count the FCS");
  assert.equal(nic.readCounters().goodPacketsSent, 0, "statistics clear when read (SDM 13.7)");
  unbind(nic);
});

test("batch sizes: rxBatch honours max, txBatch takes what the ring holds and reports the rest", async () => {
  const { nic, model } = await setup({ loopback: false }, { rxRingSize: 16, txRingSize: 8, txPoolSize: 32 });
  const frames = Array.from({ length: 20 }, (_, i) => frame(nic.mac, i));
  model.transmitted.length = 0;
  const taken = nic.txBatch(frames);
  assert.equal(taken, 7, "an 8-descriptor ring holds 7 frames in flight");
  assert.equal(nic.stats.txDropped, 13);
  assert.equal(nic.txBatch(frames.slice(taken)), 7, "the device finished the first ones: reclaimed, room again");
  assert.deepEqual(model.transmitted.map(seqOf), Array.from({ length: 14 }, (_, i) => i));
  for (let i = 0; i < 10; i++) assert.ok(model.inject(frame(nic.mac, 100 + i)));
  assert.equal(nic.rxBatch(3).length, 3);
  assert.equal(nic.rxBatch(0).length, 0);
  const rest = nic.rxBatch(100);
  assert.equal(rest.length, 7);
  assert.equal(seqOf(rest[0].data), 103);
  assert.equal(nic.txBatch([]), 0);
  unbind(nic);
});

test("ring wrap-around: 5000 frames in order through 8-descriptor rings", async () => {
  const { nic, model } = await setup({ capture: false }, { rxRingSize: 8, txRingSize: 8, rxPoolSize: 24, txPoolSize: 8 });
  model.capture = false;
  const order = [];
  let seq = 0;
  while (order.length < 5000) {
    const batch = [];
    for (let i = 0; i < 3 && seq < 5000; i++) batch.push(frame(nic.mac, seq++, 64 + (seq % 50)));
    const n = nic.txBatch(batch);
    seq -= batch.length - n;
    for (const p of nic.rxBatch(5)) {
      order.push(seqOf(p.data));
      assert.equal(p.length, 64 + ((seqOf(p.data) + 1) % 50));
      p.free();
    }
  }
  assert.deepEqual(order, Array.from({ length: 5000 }, (_, i) => i));
  assert.equal(model.counters.noDescriptor, 0);
  assert.equal(nic.stats.rxPackets, 5000);
  assert.ok(nic.txRing.size === 8 && nic.rxNext < 8);
  unbind(nic);
});

test("TX reclaim returns buffers to their pool", async () => {
  const { nic, model } = await setup({ loopback: false }, { txRingSize: 16, txPoolSize: 8 });
  const pool = nic.txPool;
  const packets = [];
  for (let p = nic.allocPacket(64); p !== null; p = nic.allocPacket(64)) {
    p.bytes.set(frame(BROADCAST, packets.length));
    packets.push(p);
  }
  assert.equal(packets.length, 8);
  assert.equal(pool.available, 0);
  // The device stops writing DD back: nothing can be reclaimed.
  model.hostile.txStatus = () => 0;
  assert.equal(nic.txBatch(packets), 8);
  assert.equal(nic.txInFlight, 8);
  assert.equal(nic.reclaimTx(), 0);
  assert.equal(nic.allocPacket(64), null, "all buffers are with the device");
  assert.equal(nic.txBatch([frame(BROADCAST, 99)]), 0, "a byte-array frame needs a buffer");
  // Done: the next call reclaims all of them.
  model.hostile.txStatus = undefined;
  for (let i = 0; i < packets.length; i++) nic.txRing.u8[(i << 4) + 12] = 1;   // as the device writes DD
  const p = nic.allocPacket(64);
  assert.ok(p !== null);
  assert.equal(nic.txInFlight, 0);
  assert.equal(pool.available, 7);
  p.free();
  assert.equal(pool.available, 8);
  unbind(nic);
});

test("forwarded receive buffers go back to the receive pool when sent", async () => {
  const { nic } = await setup({}, { rxRingSize: 16 });
  const free0 = nic.rxPool.available;
  nic.txBatch([frame(nic.mac, 1), frame(nic.mac, 2)]);
  const got = nic.rxBatch(8);
  assert.equal(nic.rxPool.available, free0 - 2);
  assert.equal(nic.txBatch(got), 2);            // echo: the device loops them back again
  assert.equal(nic.rxBatch(8).length, 2);
  nic.reclaimTx();
  assert.equal(nic.rxPool.available, free0 - 2, "sent buffers back, the two just received out");
  unbind(nic);
});

test("rx pool exhaustion is counted as a drop and the ring stays full", async () => {
  const { nic, model } = await setup({}, { rxRingSize: 16, rxPoolSize: 18 });
  for (let i = 0; i < 5; i++) assert.ok(model.inject(frame(nic.mac, i)));
  const held = nic.rxBatch(16);
  assert.deepEqual(held.map((p) => seqOf(p.data)), [0, 1], "two spare buffers: two frames handed out");
  assert.equal(nic.stats.rxDropped, 3);
  assert.equal(nic.stats.rxPackets, 2);
  // The ring never ran dry: the device can still take 15 frames.
  for (let i = 0; i < 15; i++) assert.ok(model.inject(frame(nic.mac, 10 + i)), `frame ${i} found a descriptor`);
  assert.equal(model.counters.noDescriptor, 0);
  assert.ok(!model.inject(frame(nic.mac, 99)), "the 16th has none: that is the device's drop (MPC)");
  assert.equal(nic.readCounters().missedPackets, 1);
  held.forEach((p) => p.free());
  assert.equal(nic.rxBatch(16).length, 2);
  unbind(nic);
});

test("a descriptor claiming more bytes than its buffer is counted and dropped, never read", async () => {
  const { nic, model } = await setup();
  const lies = [
    { length: 4000 },                    // beyond the 2048-byte buffer
    { length: 65535 },
    { length: 0 },                        // no frame
    { length: 10 },                       // shorter than an Ethernet header
    { status: 0x01 },                     // DD without EOP: a frame spanning descriptors
    { status: 0x03, errors: 0x01 },       // CRC error
  ];
  let next = 0;
  model.hostile.rxDescriptor = (d) => (next < lies.length ? { ...d, ...lies[next++] } : d);
  for (let i = 0; i < lies.length + 2; i++) model.inject(frame(nic.mac, i));
  const got = nic.rxBatch(32);
  // The no-EOP descriptor starts a discard that ends with the next EOP (the CRC-error one).
  assert.deepEqual(got.map((p) => seqOf(p.data)), [6, 7]);
  const s = nic.stats;
  assert.equal(s.badDescriptors, 6, "four bad lengths, the descriptor without EOP and the rest of its frame");
  assert.equal(s.rxErrors, 1, "the spanning frame is one error");
  assert.equal(s.rxPackets, 2);
  for (const p of got) assert.ok(p.length <= p.capacity && p.data.byteLength === p.length);
  unbind(nic);
});

test("bursts: numbered buffers out and back in, forwarded without a Packet object", async () => {
  const { nic, model } = await setup({}, { rxRingSize: 16, txRingSize: 16, txPoolSize: 8 });
  const ids = new Uint16Array(8), lens = new Uint16Array(8);
  assert.equal(nic.allocBurst(ids, 5), 5);
  for (let i = 0; i < 5; i++) {
    nic.buffer(ids[i]).set(frame(nic.mac, i, 60 + i));
    lens[i] = 60 + i;
    assert.equal(nic.packet(ids[i]).state, BUFFER.HELD);
  }
  const sent = ids.slice(0, 5);
  assert.equal(nic.txBurst(ids, lens, 5), 5);
  assert.equal(nic.packet(sent[0]).state, BUFFER.SENDING);
  assert.deepEqual(model.transmitted.map(seqOf), [0, 1, 2, 3, 4]);
  // Received: ids of receive buffers, lengths as the device wrote them, in order.
  assert.equal(nic.rxBurst(ids, lens, 3), 3);
  assert.deepEqual([...lens.slice(0, 3)], [60, 61, 62]);
  assert.ok(same(nic.buffer(ids[1]).subarray(0, lens[1]), frame(nic.mac, 1, 61)));
  assert.ok(ids.slice(0, 3).every((id) => nic.packet(id).pool === nic.rxPool));
  // Forwarded as they are: the loopback brings them in again; the rest come after.
  assert.equal(nic.txBurst(ids, lens, 3), 3);
  const order = [];
  for (let n; (n = nic.rxBurst(ids, lens, 8)) > 0;) {
    for (let i = 0; i < n; i++) order.push(seqOf(nic.buffer(ids[i])));
    nic.freeBurst(ids, n);
  }
  assert.deepEqual(order, [3, 4, 0, 1, 2]);
  nic.reclaimTx();
  assert.equal(nic.txInFlight, 0);
  assert.equal(nic.txPool.available, 8, "sent transmit buffers went home");
  assert.equal(nic.rxPool.available, nic.rxPool.packets.length - 16, "and receive buffers too: the ring holds 16");
  const s = nic.stats;
  assert.equal(s.txPackets, 8);
  assert.equal(s.rxPackets, 8);
  assert.equal(s.txBytes, 60 + 61 + 62 + 63 + 64 + 60 + 61 + 62);
  assert.equal(s.rxBytes, s.txBytes);
  unbind(nic);
});

test("bursts and Packets are one set of buffers: a received Packet goes out by its id", async () => {
  const { nic, model } = await setup({}, { rxRingSize: 16 });
  nic.txBatch([frame(nic.mac, 7)]);
  const [p] = nic.rxBatch(1);
  assert.equal(nic.idOf(p), p.id);
  const ids = Uint16Array.of(nic.idOf(p)), lens = Uint16Array.of(p.length);
  model.transmitted.length = 0;
  assert.equal(nic.txBurst(ids, lens, 1), 1);
  assert.equal(seqOf(model.transmitted[0]), 7);
  p.free();    // queued: a no-op, it goes home once sent
  assert.equal(p.state, BUFFER.SENDING);
  unbind(nic);
});

test("txBurst checks every buffer and length first: a bad one throws and nothing is queued or changed", async () => {
  const { nic, model } = await setup({ loopback: false }, { txRingSize: 16, txPoolSize: 8 });
  const ids = new Uint16Array(4), lens = new Uint16Array(4).fill(64);
  assert.equal(nic.allocBurst(ids, 3), 3);
  model.transmitted.length = 0;
  const tdt = reg(model, "TDT");
  const states = () => [...ids.slice(0, 3)].map((id) => nic.packet(id).state);
  const check = (fn, type, pattern, why) => {
    assert.throws(fn, (e) => e instanceof type && pattern.test(e.message), why);
    assert.equal(reg(model, "TDT"), tdt, `${why}: TDT untouched`);
    assert.equal(nic.txInFlight, 0, why);
    assert.deepEqual(states(), [BUFFER.HELD, BUFFER.HELD, BUFFER.HELD], `${why}: every buffer still the program's`);
  };
  lens[2] = 13;
  check(() => nic.txBurst(ids, lens, 3), RangeError, /frame 2 is 13 bytes/, "a runt");
  lens[2] = 1519;
  check(() => nic.txBurst(ids, lens, 3), RangeError, /frame 2 is 1519 bytes/, "a giant");
  lens[2] = 64;
  const dup = Uint16Array.of(ids[0], ids[1], ids[0]);
  check(() => nic.txBurst(dup, lens, 3), TypeError, /frame 2 .*already queued/, "one buffer twice");
  const free = nic.txPool.stack[0];
  const withFree = Uint16Array.of(ids[0], free);
  check(() => nic.txBurst(withFree, lens, 2), TypeError, /frame 1 .*not the program's/, "a free buffer");
  const inRing = Uint16Array.of(nic.rxSlotIds[0]);
  check(() => nic.txBurst(inRing, lens, 1), TypeError, /not the program's/, "a buffer in the receive ring");
  check(() => nic.txBurst(Uint16Array.of(60000), lens, 1), RangeError, /outside/, "no such buffer");
  check(() => nic.txBurst([ids[0]], lens, 1), TypeError, /Uint16Arrays/, "a plain array");
  check(() => nic.txBurst(ids, lens, 5), RangeError, /count/, "more than the arrays hold");
  assert.equal(model.transmitted.length, 0);
  assert.equal(nic.txBurst(ids, lens, 3), 3, "the same buffers, now good, go out");
  assert.equal(model.transmitted.length, 3);
  unbind(nic);
});

test("rxBurst, allocBurst and freeBurst: counts, exhaustion, and frees of buffers the program does not hold", async () => {
  const { nic, model } = await setup({}, { rxRingSize: 16, txRingSize: 16, txPoolSize: 4 });
  const ids = new Uint16Array(8), lens = new Uint16Array(8);
  assert.equal(nic.rxBurst(ids, lens), 0, "nothing received yet");
  assert.equal(nic.allocBurst(ids, 8), 4, "four transmit buffers in all");
  assert.equal(nic.allocBurst(ids.subarray(4), 4), 0);
  nic.freeBurst(ids, 2);
  assert.equal(nic.txPool.available, 2);
  assert.throws(() => nic.freeBurst(ids, 3), /buffer \d+ \(entry 0\) is not the program's/);
  assert.equal(nic.txPool.available, 2, "nothing freed twice");
  nic.freeBurst(ids.subarray(2), 2);
  assert.equal(nic.txPool.available, 4);
  for (let i = 0; i < 6; i++) assert.ok(model.inject(frame(nic.mac, i)));
  assert.equal(nic.rxBurst(ids, lens, 4), 4);
  assert.equal(nic.rxBurst(ids, lens, 0), 0);
  assert.throws(() => nic.rxBurst(ids, new Uint16Array(2), 4), RangeError);
  assert.throws(() => nic.rxBurst(new Uint32Array(8), lens, 4), TypeError);
  assert.equal(nic.rxBurst(ids.subarray(4), lens.subarray(4)), 2, "the other two, into other arrays");
  assert.throws(() => nic.buffer(nic.bufPackets.length), RangeError);
  unbind(nic);
  assert.throws(() => nic.rxBurst(ids, lens, 1), /removed/);
});

test("forwarding with few spare receive buffers never stalls: sent ones are reclaimed when the pool runs short", async () => {
  const { nic, model } = await setup({ loopback: false }, { rxRingSize: 16, rxPoolSize: 20 });
  const ids = new Uint16Array(16), lens = new Uint16Array(16);
  let forwarded = 0;
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 4; i++) assert.ok(model.inject(frame(nic.mac, round * 4 + i)));
    const n = nic.rxBurst(ids, lens);
    forwarded += nic.txBurst(ids, lens, n);
  }
  assert.equal(forwarded, 160);
  assert.equal(nic.stats.rxDropped, 0, "every frame found a spare buffer");
  unbind(nic);
});

test("review fixes: another device's freed Packet, a throwing tap, negative counts", async () => {
  const a = await setup({}, { rxRingSize: 16 });
  const b = await setup({ loopback: false }, { rxRingSize: 16 });
  a.nic.txBatch([frame(a.nic.mac, 1)]);
  const [p] = a.nic.rxBatch(1);
  p.free();
  assert.throws(() => b.nic.txBatch([p]), /another device's\) is free/);
  assert.equal(b.model.transmitted.length, 0);
  // A tap that throws is reported; the frames are still handed out.
  const stop = a.nic.tap(() => { throw new Error("tap broke"); });
  a.nic.txBatch([frame(a.nic.mac, 2), frame(a.nic.mac, 3)]);
  const got = a.nic.rxBatch(8);
  assert.equal(got.length, 2);
  assert.ok(got.every((q) => q.state === BUFFER.HELD));
  stop();
  got.forEach((q) => q.free());
  const ids = new Uint16Array(4), lens = new Uint16Array(4);
  assert.equal(a.nic.rxBurst(ids, lens, 4), 0);
  assert.throws(() => a.nic.rxBurst(ids, lens, -3), RangeError, "after the arrays were checked once, too");
  assert.throws(() => a.nic.txBurst(ids, lens, -1), RangeError);
  unbind(a.nic);
  unbind(b.nic);
});

test("link change: LSC interrupts and restarting auto-negotiation reach on('link')", async () => {
  const { nic, model } = await setup();
  assert.deepEqual(nic.link, { up: true, speedMbps: 1000, fullDuplex: true });
  const events = [];
  nic.on("link", (l) => events.push(l.up ? "up" : "down"));
  const settle = () => new Promise((r) => setTimeout(r, 20));
  model.setLink(false);
  await settle();
  assert.deepEqual(events, ["down"]);
  assert.equal(nic.link.up, false);
  model.setLink(true);
  await settle();
  assert.deepEqual(events, ["down", "up"]);
  await nic.restartAutoNegotiation();
  assert.deepEqual(events, ["down", "up", "down"], "down at once");
  await nic.waitForLink({ timeout: 1000 });
  assert.deepEqual(events, ["down", "up", "down", "up"]);
  assert.equal(nic.stats.linkChanges, 4);
  assert.ok(nic.stats.interrupts >= 3);
  unbind(nic);
});

test("link change in poll mode is found by the link poll", async () => {
  const { nic, model } = await setup({}, { mode: "poll" });
  assert.equal(nic.mode, "poll");
  assert.equal(reg(model, "IMS"), 0, "no interrupt enabled in poll mode");
  const events = [];
  nic.on("link", (l) => events.push(l.up));
  model.setLink(false);
  await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(events, [false]);
  unbind(nic);
});

test("promiscuous mode: RCTL.UPE and MPE, and frames for other stations come in", async () => {
  const { nic, model } = await setup();
  assert.ok(!model.inject(frame(OTHER_MAC, 1)), "filtered");
  assert.ok(!model.inject(frame([0x01, 0x00, 0x5e, 0, 0, 1], 2)), "multicast not in the MTA: filtered");
  assert.ok(model.inject(frame(BROADCAST, 3)), "broadcast accepted (BAM)");
  nic.promiscuous = true;
  assert.equal(nic.promiscuous, true);
  assert.equal(reg(model, "RCTL") & (RCTL.UPE | RCTL.MPE | RCTL.EN), RCTL.UPE | RCTL.MPE | RCTL.EN);
  assert.ok(model.inject(frame(OTHER_MAC, 4)));
  assert.ok(model.inject(frame([0x01, 0x00, 0x5e, 0, 0, 1], 5)));
  nic.promiscuous = false;
  assert.equal(reg(model, "RCTL") & (RCTL.UPE | RCTL.MPE), 0);
  assert.ok(!model.inject(frame(OTHER_MAC, 6)));
  assert.deepEqual(nic.rxBatch(8).map((p) => seqOf(p.data)), [3, 4, 5]);
  unbind(nic);
});

test("waitRx: the receive interrupt wakes it, poll mode polls, and a timeout names the device", async () => {
  const { nic, model } = await setup();
  const waiting = nic.waitRx({ timeout: 1000 });
  setTimeout(() => model.inject(frame(nic.mac, 1)), 5);
  await waiting;
  assert.equal(nic.rxBatch(4).length, 1);
  assert.ok(nic.stats.interrupts >= 1);
  assert.equal(model.line, false, "ICR read: the line is down again");
  await assert.rejects(nic.waitRx({ timeout: 20 }), (e) => e instanceof TimeoutError && /waiting for a received frame on e1000/.test(e.message));
  nic.setMode("poll");
  assert.equal(nic.mode, "poll");
  assert.equal(reg(model, "IMS"), 0);
  const before = nic.stats.interrupts;
  const polled = nic.waitRx({ timeout: 1000 });
  setTimeout(() => model.inject(frame(nic.mac, 2)), 5);
  await polled;
  assert.equal(nic.stats.interrupts, before, "no interrupt in poll mode");
  assert.equal(seqOf(nic.rxBatch(4)[0].data), 2);
  nic.setMode("irq");
  assert.notEqual(reg(model, "IMS"), 0);
  unbind(nic);
});

test("a device without an interrupt line runs in poll mode", async () => {
  const { nic, model } = await setup({ irqs: 0 });
  assert.equal(nic.mode, "poll");
  assert.throws(() => nic.setMode("irq"), /no interrupt line/);
  const waiting = nic.waitRx({ timeout: 1000 });
  model.inject(frame(nic.mac, 1));
  await waiting;
  assert.equal(nic.rxBatch().length, 1);
  unbind(nic);
});

test("txBatch: a bad frame throws and queues nothing of its batch", async () => {
  const { nic, model } = await setup({ loopback: false });
  const ok = nic.allocPacket(64);
  ok.bytes.set(frame(BROADCAST, 1));
  const tooShort = nic.allocPacket(10);
  const txFree = nic.txPool.available;
  assert.throws(() => nic.txBatch([frame(BROADCAST, 0), ok, tooShort]), RangeError);
  assert.equal(nic.txPool.available, txFree, "the copy made for the byte array went back");
  assert.equal(nic.txInFlight, 0);
  assert.equal(model.transmitted.length, 0);
  assert.throws(() => nic.txBatch([frame(BROADCAST, 0, 1600)]), RangeError);
  assert.throws(() => nic.txBatch(["not a frame"]), TypeError);
  assert.throws(() => nic.txBatch([ok, null]), /neither a Packet nor a byte array/);
  assert.equal(ok.state, BUFFER.HELD, "unwound: ok is still the program's, and can be sent");
  assert.throws(() => nic.allocPacket(4096), RangeError);
  model.hostile.txStatus = () => 0;          // the device keeps it: not done yet
  assert.equal(nic.txBatch([ok]), 1);
  assert.throws(() => nic.txBatch([ok]), /already queued/);
  tooShort.free();
  assert.throws(() => nic.txBatch([tooShort]), /free/);
  unbind(nic);
});

test("remove leaves the device reset and quiet: no interrupts, no DMA, waiters told", async () => {
  const { nic, model } = await setup();
  nic.txBatch([frame(nic.mac, 1)]);
  nic.rxBatch().forEach((p) => p.free());
  const waiting = nic.waitRx();              // no timeout: only remove ends it
  model.fake.record();
  unbind(nic);
  await assert.rejects(waiting, /removed while waiting/);
  const names = model.writes().map(([n]) => n);
  assert.ok(names.indexOf("IMC") < names.indexOf("CTRL"), "interrupts masked before the reset");
  assert.equal(model.resets, 2, "reset at probe and at remove");
  assert.equal(reg(model, "IMS"), 0);
  assert.equal(reg(model, "RCTL") & RCTL.EN, 0);
  assert.equal(reg(model, "TCTL") & TCTL_EN, 0);
  assert.equal(model.line, false);
  assert.equal(model.fake.busMaster, false);
  assert.equal(model.fake.released, true);
  assert.equal(model.device.dmaBuffers.size, 0, "rings and buffers freed");
  assert.throws(() => nic.rxBatch(), /removed/);
  assert.throws(() => nic.txBatch([]), /removed/);
  // The device saw nothing after the reset: a frame from the wire goes nowhere.
  assert.ok(!model.inject(frame(DEFAULT_MAC, 2)));
});

test("a device that can no longer be read stops interrupt handling and hands the error to waiters", async () => {
  const { nic, model } = await setup();
  const waiting = nic.waitRx({ timeout: 2000 });
  model.hostile.registers = (off) => { if (off === REG.ICR) throw new Error("the bus is gone"); };
  model.fake.raise(0);
  await assert.rejects(waiting, /the bus is gone/);
  assert.match(nic.lastError.message, /the bus is gone/);
  await assert.rejects(nic.waitRx({ timeout: 10 }), /the bus is gone/);
  model.hostile.registers = undefined;
  unbind(nic);
  assert.equal(model.fake.busMaster, false);
});

test("hostile registers and descriptors never hang, throw only Errors, and never hand out a bad length", async () => {
  const rand = prng(0xe1000);
  const outcomes = new Map();
  const started = performance.now();
  for (let round = 0; round < 150; round++) {
    const model = e1000Model({ irqs: rand.below(2) });
    const lieRegisters = rand.below(3) === 0;
    model.hostile.registers = (off) => (lieRegisters && rand.below(4) === 0 ? rand.hostile() : undefined);
    model.hostile.rxDescriptor = () => ({ length: rand.below(3) ? rand.below(70000) : 64, status: rand.u32(), errors: rand.below(4) ? 0 : rand.u32() });
    model.hostile.txStatus = () => rand.u32();
    model.hostile.scribble = (which, u8) => { if (rand.below(3) === 0) for (let i = 0; i < 8; i++) u8[rand.below(u8.length)] = rand.u32(); };
    model.device.e1000 = { rxRingSize: 8 * (1 + rand.below(4)), txRingSize: 8 * (1 + rand.below(4)), waitMs: 2 };
    let nic;
    try {
      nic = await bind(e1000, model.device);
      for (let i = 0; i < 20; i++) {
        const n = nic.txBatch(Array.from({ length: rand.below(12) }, (_, k) => frame(rand.below(2) ? nic.mac : BROADCAST, k, 14 + rand.below(1500))));
        assert.ok(n >= 0 && n <= 12);
        if (rand.below(3) === 0) model.inject(rand.bytes(rand.below(1600)));
        for (const p of nic.rxBatch(1 + rand.below(40))) {
          assert.ok(p.length >= 14 && p.length <= p.capacity, `a ${p.length}-byte frame in a ${p.capacity}-byte buffer`);
          assert.equal(p.data.length, p.length);
          p.free();
        }
        if (rand.below(10) === 0) nic.promiscuous = rand.below(2) === 0;
        if (rand.below(10) === 0) nic.readCounters();
      }
      await nic.waitRx({ timeout: 0 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
      outcomes.set("ok", (outcomes.get("ok") ?? 0) + 1);
    } catch (e) {
      assert.ok(e instanceof Error, `a non-Error escaped: ${e}`);
      assert.ok(!(e.constructor.name === "AssertionError"), e.message);
      outcomes.set(e.name, (outcomes.get(e.name) ?? 0) + 1);
    } finally {
      if (nic) {
        try { unbind(nic); } catch (e) { assert.ok(e instanceof Error, `remove threw a non-Error: ${e}`); }
      }
      model.fake.close();
    }
  }
  assert.ok(outcomes.get("ok") > 0, `some rounds ran through: ${[...outcomes]}`);
  assert.ok(performance.now() - started < 60_000, "bounded time");
}, { timeout: 120_000 });
