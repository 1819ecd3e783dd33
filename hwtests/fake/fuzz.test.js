// Fuzzing every driver through the fake backend: each register read returns
// a hostile value (all ones, zero or random) and a DMA-capable device writes
// random bytes; probes and typical operations run with zero-length deadlines
// so no iteration sleeps. The runtime never crashes, nothing hangs, and what
// comes out of a driver is one of the errors it may give for a broken device:
// its own Error naming the device (or the driver), a RangeError (an argument
// or a register value out of range) or a TimeoutError. A TypeError,
// ReferenceError or any other error is a bug in the driver, and fails the test.
//
// Iterations per driver: JSK_FUZZ_ITERATIONS (bash dev.sh fuzz: 1,000,000; CI: 10,000),
// except e1000, a hundredth of that: its bring-up waits 11 ms by the datasheet
// (quiesce, reset settle) and so does its remove, about 25 ms an iteration; and virtio-net,
// a tenth: each bring-up allocates and fills two queues and 640 buffers.

import { test, assert } from "jsk:test";
import { bind, unbind, TimeoutError } from "jsk:hal";
import { fakeDevice } from "jsk:fake";
import { prng } from "../models/prng.js";
import edu from "../../drivers/misc/edu.js";
import uart from "../../drivers/serial/uart16550.js";
import pl061 from "../../drivers/gpio/pl061.js";
import bcm2835 from "../../drivers/gpio/bcm2835.js";
import e1000 from "../../drivers/nic/e1000.js";
import { e1000Model } from "../models/e1000.js";
import virtioNet from "../../drivers/virtio/net.js";
import { virtioNetModel } from "../models/virtio_net.js";

const ITERATIONS = Number(process.env.JSK_FUZZ_ITERATIONS ?? 10000);

/** Whether `e` is an error a driver may give for a hostile device (see the top). */
function expected(e, driver, device) {
  if (e instanceof TimeoutError || e instanceof RangeError) return true;
  if (!(e instanceof Error) || Object.getPrototypeOf(e) !== Error.prototype) return false;
  return e.message.includes(device) || e.message.startsWith(`${driver}:`);
}

/** The error as the failure shows it: name, message and where it was thrown. */
const shown = (e) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : `a non-Error: ${String(e)}`);

/** A fake device whose every register read is hostile (a model's: through its `hostile` hook). */
function hostile(rand, spec) {
  if (spec.model) {
    spec.model.hostile.registers = () => rand.hostile();
    return spec.model.fake;
  }
  const fake = fakeDevice(spec);
  for (const r of spec.regions) fake.onAny(r.index ?? r.name, { read: () => rand.hostile() });
  return fake;
}

/**
 * Fuzz `name.driver` on ITERATIONS fake devices made from `spec(rand)`. In
 * half of them `identify(fake, rand)` makes the identification registers
 * answer as the real chip does (everything else stays hostile), so that
 * probes succeed and `operate` runs against a device that lies afterwards.
 */
async function fuzz(name, spec, operate, identify, iterations = ITERATIONS) {
  const ITERATIONS = iterations;
  const rand = prng(0x5eed + name.length);
  const outcomes = new Map();
  const count = (k) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  for (let i = 0; i < ITERATIONS; i++) {
    const s = spec(rand);
    const honest = identify && rand.below(2) === 0;
    const fake = honest && s.model ? s.model.fake : hostile(rand, s);
    if (honest) identify(fake, rand, s);
    let handle;
    try {
      handle = await bind(name.driver, fake.device);
      count("probed");
      await operate(handle, rand, fake);
      count("ok");
    } catch (e) {
      assert.ok(expected(e, name.driver.name, s.name), `${name.driver.name}, iteration ${i}: a driver bug: ${shown(e)}`);
      count(e.name);
    } finally {
      if (handle) {
        try { unbind(handle); } catch (e) { assert.ok(expected(e, name.driver.name, s.name), `${name.driver.name}, iteration ${i}: remove failed: ${shown(e)}`); }
      }
      fake.close();
    }
  }
  console.log(`${name.driver.name}: ${ITERATIONS} iterations: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  // A fuzz that never gets past the probe tests nothing else.
  assert.ok((outcomes.get("probed") ?? 0) >= ITERATIONS / 10, `${name.driver.name}: only ${outcomes.get("probed") ?? 0} of ${ITERATIONS} probes succeeded`);
  assert.ok((outcomes.get("ok") ?? 0) > 0, `${name.driver.name}: no iteration got through its operations`);
  return outcomes;
}

test(`edu: ${ITERATIONS} probes and operations against hostile registers and random DMA data`, async () => {
  await fuzz({ driver: edu, length: 3 }, () => ({
    name: "edu", bus: "pci", regions: [{ index: 0, size: 0x100000 }], irqs: 1,
  }), async (h, rand, fake) => {
    // The device answers DMA commands by writing random bytes wherever it was pointed.
    fake.on(0, 0x98, { write: () => { try { fake.dmaWrite(BigInt(rand.u32() & 0xfff) + 0x100000n, rand.bytes(rand.below(64) + 1)); } catch (e) { if (!(e instanceof RangeError)) throw e; } } });
    h.liveness(rand.u32());
    await h.factorial(rand.below(20), { irq: rand.below(2) === 0, timeout: 0 });
    const got = await h.read(rand.below(2000), rand.below(2000) + 1, { timeout: 0 });
    assert.ok(got instanceof Uint8Array);
  }, (fake, rand) => {
    // ID: the magic 0xed in the low byte, any version above it.
    fake.on(0, 0x00, { read: () => ((rand.u32() & 0xffffff00) | 0xed) >>> 0 });
  });
}, { timeout: 3_600_000 });

test(`uart16550: ${ITERATIONS} probes, configures and transfers against hostile registers`, async () => {
  await fuzz({ driver: uart, length: 9 }, (rand) => ({
    name: "ttyS0", bus: "platform", ids: { compatible: ["ns16550a"] },
    regions: [{ index: 0, name: "regs", size: 8, space: rand.below(2) ? "io" : "mem" }], irqs: rand.below(2),
  }), async (h, rand) => {
    h.serial.configure({ baud: [9600, 115200, 1, 3_000_000][rand.below(4)], dataBits: 5 + rand.below(4) });
    h.txTimeoutMs = 0; // after configure(), which sets it from the baud rate
    await h.serial.write(rand.bytes(rand.below(40)));
    await h.serial.read({ timeout: 0 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
  }, (fake) => {
    // LCR (offset 3) holds what was written: a UART is there.
    fake.on(0, 3, {});
  });
}, { timeout: 3_600_000 });

test(`pl061: ${ITERATIONS} probes and pin operations against hostile registers`, async () => {
  await fuzz({ driver: pl061, length: 5 }, (rand) => ({
    name: "gpio0", bus: "platform", ids: { compatible: ["arm,pl061"] }, regions: [{ index: 0, name: "regs", size: 0x1000 }], irqs: rand.below(2),
  }), async (h, rand) => {
    const pin = h.pin(rand.below(10));
    pin.intoOutput(rand.below(2) === 1);
    pin.toggle();
    pin.intoInput();
    pin.isHigh();
  }, (fake, rand) => {
    // PeriphID0-3: part 0x061, designer ARM (0x41), any revision; PCellID0-3: 0d f0 05 b1.
    const id = [0x61, 0x10, 0x04 | (rand.below(16) << 4), rand.below(256), 0x0d, 0xf0, 0x05, 0xb1];
    id.forEach((b, i) => fake.on(0, 0xfe0 + 4 * i, { read: () => b }));
  });
}, { timeout: 3_600_000 });

test(`bcm2835: ${ITERATIONS} probes and pin operations against hostile registers`, async () => {
  await fuzz({ driver: bcm2835, length: 7 }, (rand) => ({
    name: "gpio", bus: "platform", ids: { compatible: [rand.below(2) ? "brcm,bcm2835-gpio" : "brcm,bcm2711-gpio"] },
    regions: [{ index: 0, name: "regs", size: 0xf4 }],
  }), async (h, rand) => {
    const pin = h.pin(rand.below(60));
    pin.intoOutput(true);
    pin.toggle();
    h.setFunction(rand.below(54), ["input", "output", "alt0", "alt5"][rand.below(4)]);
    pin.isHigh();
  });
}, { timeout: 3_600_000 });

test(`e1000: ${Math.ceil(ITERATIONS / 100)} bring-ups and transfers against hostile registers, descriptors and ring memory`, async () => {
  await fuzz({ driver: e1000, length: 5 }, (rand) => {
    // Either a device that lies about everything, or the model of a real one (../models/e1000.js)
    // that lies now and then: register reads, receive descriptors, transmit status, ring bytes.
    const model = e1000Model({ irqs: rand.below(2), autonegMs: 0 });
    model.device.e1000 = { waitMs: rand.below(3), rxRingSize: 8 * (1 + rand.below(2)), txRingSize: 8, mode: [undefined, "poll", "irq"][rand.below(3)] };
    return { name: "e1000", bus: "pci", ids: { vendor: 0x8086, device: 0x100e }, regions: [{ index: 0, size: 0x20000 }], model };
  }, async (nic, rand, fake) => {
    const frame = rand.bytes(rand.below(1600));
    nic.txBatch([frame, rand.bytes(60)]);
    for (const p of nic.rxBatch(rand.below(10))) p.free();
    nic.setPromiscuous(rand.below(2) === 1);
    assert.ok(nic.stats.rxPackets >= 0);
    await nic.waitRx({ timeout: 0 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
  }, (fake, rand, s) => {
    const m = s.model;
    const rate = [4, 16, 64][rand.below(3)];
    const lie = () => rand.below(rate) === 0;
    m.hostile.registers = (off) => (lie() ? rand.hostile() : undefined);
    m.hostile.rxDescriptor = (d) => (lie() ? { length: rand.below(0x10000), status: rand.below(256), errors: rand.below(256) } : d);
    m.hostile.txStatus = (sta) => (lie() ? rand.below(256) : sta);
    m.hostile.scribble = (ring, u8) => { if (lie()) u8[rand.below(u8.length || 1)] = rand.below(256); };
    for (let i = 0; i < 3; i++) m.inject(rand.bytes(60 + rand.below(100)));
  }, Math.ceil(ITERATIONS / 100));
}, { timeout: 3_600_000 });

const virtioModels = new WeakMap();   // fake device -> its model, for operate

test(`virtio-net: ${Math.ceil(ITERATIONS / 10)} bring-ups and transfers against hostile registers, config space, used rings and configuration`, async () => {
  await fuzz({ driver: virtioNet, length: 10 }, (rand) => {
    // Either a device whose every BAR4 read lies and whose capability list is random bytes, or
    // the model of a real one (../models/virtio_net.js) that lies now and then.
    const model = virtioNetModel({ neverResets: rand.below(8) === 0 });
    model.device.virtio = { waitMs: rand.below(3), rxQueueSize: 8 << rand.below(3), txQueueSize: 8, mode: [undefined, "poll", "irq"][rand.below(3)] };
    if (rand.below(2) === 0) {
      for (let at = 0x40; at < 0x100; at++) model.fake.config.write8(at, rand.below(4) ? model.fake.config.read8(at) : rand.below(256));
    }
    virtioModels.set(model.fake, model);
    return { name: "virtio0", model };
  }, async (nic, rand, fake) => {
    nic.txBatch([rand.bytes(14 + rand.below(1500)), rand.bytes(60)]);
    for (const p of nic.rxBatch(rand.below(10))) p.free();
    const ids = new Uint16Array(8), lens = new Uint16Array(8);
    nic.freeBurst(ids, nic.rxBurst(ids, lens, 8));
    assert.ok(nic.stats.rxPackets >= 0);
    nic.link;
    await nic.waitRx({ timeout: 0 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
    // Now and then the device asks for a reset while bound, and may be removed mid-recovery.
    const m = virtioModels.get(fake);
    if (m && rand.below(8) === 0) {
      m.needsReset();
      await new Promise((r) => setTimeout(r, rand.below(3)));
    }
  }, (fake, rand, s) => {
    const m = s.model;
    const rate = [4, 16, 64][rand.below(3)];
    const lie = () => rand.below(rate) === 0;
    // Register reads lie more rarely: a bring-up makes some fifty of them.
    const registerRate = 16 * rate;
    m.hostile.registers = () => (rand.below(registerRate) === 0 ? rand.hostile() : undefined);
    m.hostile.used = (q, e) => { if (lie()) { e.id = rand.hostile(); e.len = rand.hostile(); } };
    m.hostile.usedIdx = (q, idx) => (lie() ? rand.below(0x10000) : idx);
    m.hostile.config = (i, v) => (lie() ? rand.below(256) : v);
    m.hostile.generation = () => (lie() ? rand.below(256) : m.generation);
    for (let i = 0; i < 3; i++) m.inject(rand.bytes(60 + rand.below(100)));
  }, Math.ceil(ITERATIONS / 10));
}, { timeout: 3_600_000 });
