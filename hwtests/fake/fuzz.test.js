// Fuzzing every driver through the fake backend: each register read returns
// a hostile value (all ones, zero or random) and a DMA-capable device writes
// random bytes; probes and typical operations run with zero-length deadlines
// so no iteration sleeps. Only JavaScript errors may come out: the runtime
// never crashes, nothing hangs.
//
// Iterations per driver: JSK_FUZZ_ITERATIONS (bash dev.sh fuzz: 100,000; CI: 2,000).

import { test, assert } from "jsk:test";
import { bind, unbind, TimeoutError } from "jsk:hal";
import { fakeDevice } from "jsk:fake";
import { prng } from "../models/prng.js";
import edu from "../../drivers/misc/edu.js";
import uart from "../../drivers/serial/uart16550.js";
import pl061 from "../../drivers/gpio/pl061.js";
import bcm2835 from "../../drivers/gpio/bcm2835.js";

const ITERATIONS = Number(process.env.JSK_FUZZ_ITERATIONS ?? 2000);
const EXPECTED = [TimeoutError, RangeError, TypeError, Error];

/** A fake device whose every register read is hostile. */
function hostile(rand, spec) {
  const fake = fakeDevice(spec);
  for (const r of spec.regions) fake.onAny(r.index ?? r.name, { read: () => rand.hostile() });
  return fake;
}

async function fuzz(name, spec, operate) {
  const rand = prng(0x5eed + name.length);
  const outcomes = new Map();
  for (let i = 0; i < ITERATIONS; i++) {
    const fake = hostile(rand, spec(rand));
    let handle;
    try {
      handle = await bind(name.driver, fake.device);
      await operate(handle, rand, fake);
      outcomes.set("ok", (outcomes.get("ok") ?? 0) + 1);
    } catch (e) {
      assert.ok(EXPECTED.some((E) => e instanceof E), `${name.driver.name}: a non-Error escaped: ${e}`);
      outcomes.set(e.name, (outcomes.get(e.name) ?? 0) + 1);
    } finally {
      if (handle) {
        try { unbind(handle); } catch (e) { assert.ok(e instanceof Error, `remove threw a non-Error: ${e}`); }
      }
      fake.close();
    }
  }
  let total = 0;
  for (const n of outcomes.values()) total += n;
  assert.equal(total, ITERATIONS);
  return outcomes;
}

test(`edu: ${ITERATIONS} probes and operations against hostile registers and random DMA data`, async () => {
  const out = await fuzz({ driver: edu, length: 3 }, () => ({
    name: "edu", bus: "pci", regions: [{ index: 0, size: 0x100000 }], irqs: 1,
  }), async (h, rand, fake) => {
    // The device answers DMA commands by writing random bytes wherever it was pointed.
    fake.on(0, 0x98, { write: () => { try { fake.dmaWrite(BigInt(rand.u32() & 0xfff) + 0x100000n, rand.bytes(rand.below(64) + 1)); } catch (e) { if (!(e instanceof RangeError)) throw e; } } });
    h.liveness(rand.u32());
    await h.factorial(rand.below(20), { irq: rand.below(2) === 0, timeout: 0 });
    const got = await h.read(rand.below(2000), rand.below(2000) + 1);
    assert.ok(got instanceof Uint8Array);
  });
  assert.ok(out.size > 0);
}, { timeout: 3_600_000 });

test(`uart16550: ${ITERATIONS} probes, configures and transfers against hostile registers`, async () => {
  await fuzz({ driver: uart, length: 9 }, (rand) => ({
    name: "ttyS0", bus: "platform", ids: { compatible: ["ns16550a"] },
    regions: [{ index: 0, name: "regs", size: 8, space: rand.below(2) ? "io" : "mem" }], irqs: rand.below(2),
  }), async (h, rand) => {
    h.txTimeoutMs = 0;
    h.serial.configure({ baud: [9600, 115200, 1, 3_000_000][rand.below(4)], dataBits: 5 + rand.below(4) });
    await h.serial.write(rand.bytes(rand.below(40)));
    await h.serial.read({ timeout: 0 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
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
