// drivers/gpio/bcm2835.js on the fake backend, against the model in ../models/bcm2835.js.
import { test, assert } from "jsk:test";
import { bind, unbind, Pin, TimeoutError } from "jsk:hal";
import bcm2835 from "../../drivers/gpio/bcm2835.js";
import { bcm2835Model } from "../models/bcm2835.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const accesses = (m) => m.fake.accesses.map((a) => `${a.op} ${a.offset.toString(16)}${a.op === "write" ? ` ${a.value.toString(16)}` : ""}`);

test("function select of GPIOs in different GPFSEL registers leaves the neighbours alone", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  assert.equal(h.lines, 54);
  assert.equal(h.model, "bcm2835");
  m.fsel[3] = 4;                      // alt0, set by firmware
  m.fsel[18] = 2;                     // alt5
  h.setFunction(4, "output");         // GPFSEL0 bits 14:12
  h.setFunction(17, "alt5");          // GPFSEL1 bits 23:21
  h.setFunction(53, "alt3");          // GPFSEL5 bits 11:9
  h.setFunction(30, "alt4");          // GPFSEL3 bits 2:0
  assert.deepEqual([m.fsel[3], m.fsel[4], m.fsel[17], m.fsel[18], m.fsel[30], m.fsel[53]], [4, 1, 2, 2, 3, 7]);
  assert.deepEqual([3, 4, 17, 30, 53, 0].map((n) => h.getFunction(n)), ["alt0", "output", "alt5", "alt4", "alt3", "input"]);
  m.fake.record();
  h.setFunction(12, "alt0");
  assert.deepEqual(accesses(m), ["read 4", `write 4 ${((2 << 21) | (2 << 24) | (4 << 6)).toString(16)}`], "GPIO 12 alt0 beside 17 and 18 in alt5");
  assert.throws(() => h.setFunction(5, "alt6"), RangeError);
  assert.throws(() => h.setFunction(5, 1), RangeError);
  unbind(h);
});

test("setHigh/setLow are one write each to GPSETn/GPCLRn, with no read", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  const p17 = h.pin(17).intoOutput();
  const p40 = h.pin(40).intoOutput();
  const p31 = h.pin(31).intoOutput();
  m.fake.record();
  p17.setHigh();
  p40.setHigh();
  p17.setLow();
  p40.setLow();
  p31.setHigh();
  assert.deepEqual(accesses(m), ["write 1c 20000", "write 20 100", "write 28 20000", "write 2c 100", "write 1c 80000000"]);
  assert.equal(m.level(31), true);
  assert.equal(m.level(17), false);
  assert.ok(p17 instanceof Pin);
  assert.equal(p31.isSetHigh(), true);
  p31.toggle();
  assert.equal(p31.isSetHigh(), false);
  assert.equal(m.level(31), false);
  p31.setState("high");
  assert.equal(m.level(31), true);
  unbind(h);
});

test("intoOutput sets the level before switching GPFSEL (so the pin never glitches) and again after", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  m.latch[0] = 0;
  m.fake.record();
  h.pin(7).intoOutput(true);
  assert.deepEqual(accesses(m), ["write 1c 80", "read 0", `write 0 ${(1 << 21).toString(16)}`, "write 1c 80"]);
  assert.equal(m.level(7), true);
  unbind(h);
});

test("levels read from GPLEV0 and GPLEV1", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  m.drive(22, true);
  m.drive(45, true);
  assert.equal(h.pin(22).isHigh(), true);
  assert.equal(h.pin(45).isHigh(), true);
  assert.equal(h.pin(23).isLow(), true);
  m.drive(45, false);
  assert.equal(h.pin(45).isHigh(), false);
  unbind(h);
});

test("GPIO numbers past the chip are refused with RangeError (54 on BCM2835, 58 on BCM2711)", async () => {
  const h = await bind(bcm2835, bcm2835Model().device);
  for (const n of [54, 57, -1, 2.5, "3"]) {
    assert.throws(() => h.pin(n), RangeError);
    assert.throws(() => h.setFunction(n, "input"), RangeError);
  }
  assert.throws(() => h.pin(54), /no GPIO 54 \(a bcm2835 has GPIO 0\.\.53\)/);
  unbind(h);
  const m4 = bcm2835Model({ model: "bcm2711" });
  const h4 = await bind(bcm2835, m4.device);
  assert.equal(h4.lines, 58);
  h4.pin(57).intoOutput(true);
  assert.equal(m4.level(57), true);
  assert.throws(() => h4.pin(58), RangeError);
  unbind(h4);
});

test("BCM2835 pulls go through the GPPUD / GPPUDCLK sequence and leave both cleared", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  m.fake.record();
  h.setPull(4, "up");
  assert.deepEqual(accesses(m), ["write 94 2", "write 98 10", "write 94 0", "write 98 0"]);
  h.setPull(33, "down");
  h.setPull(5, "none");
  assert.deepEqual([m.pull[4], m.pull[33], m.pull[5], m.pull[6]], ["up", "down", "none", "none"]);
  assert.throws(() => h.setPull(4, "sideways"), RangeError);
  unbind(h);
});

test("BCM2711 pulls go to GPIO_PUP_PDN_CNTRL_REGn, two bits per GPIO", async () => {
  const m = bcm2835Model({ model: "bcm2711" });
  const h = await bind(bcm2835, m.device);
  h.setPull(4, "down");
  h.setPull(5, "up");
  h.setPull(57, "up");
  assert.equal(m.pupPdn[0], (0b10 << 8) | (0b01 << 10));
  assert.equal(m.pupPdn[3], 0b01 << 18);
  assert.deepEqual([m.pull[4], m.pull[5], m.pull[57], m.pull[6]], ["down", "up", "up", "none"]);
  h.setPull(4, "none");
  assert.equal(m.pupPdn[0], 0b01 << 10);
  unbind(h);
});

test("edge events are polled from GPEDS while someone listens, and cleared by writing 1", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  assert.equal(h.mode, "poll");
  const p5 = h.pin(5).intoInput();
  const rising = p5.waitForRisingEdge({ timeout: 1000 });
  assert.equal(m.ren[0], 1 << 5);
  assert.equal(m.fen[0], 0);
  setTimeout(() => m.drive(5, true), 5);
  assert.equal((await rising).edge, "rising");
  assert.equal(m.eds[0], 0, "event cleared");
  assert.equal(m.ren[0], 0, "edge detection off when nobody listens");

  const seen = [];
  const p40 = h.pin(40);
  const stop = p40.on("edge", (e) => seen.push(e.edge));
  m.drive(40, true);
  await sleep(5);
  m.drive(40, false);
  await sleep(5);
  stop();
  assert.deepEqual(seen, ["rising", "falling"]);
  assert.deepEqual([m.ren[1], m.fen[1]], [0, 0]);
  await assert.rejects(p5.waitForFallingEdge({ timeout: 20 }), TimeoutError);
  unbind(h);
});

test("events of GPIOs this driver does not watch are left for their owner", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  m.ren[0] = 1 << 2;                  // someone else's rising edge detect on GPIO 2
  const got = h.pin(3).waitForAnyEdge({ timeout: 1000 });
  m.drive(2, true);
  setTimeout(() => m.drive(3, true), 5);
  await got;
  assert.equal(m.eds[0], 1 << 2);
  assert.equal(m.ren[0], 1 << 2);
  unbind(h);
  assert.equal(m.eds[0], 1 << 2);
  assert.equal(m.ren[0], 1 << 2);
});

test("with an interrupt line, events arrive by interrupt", async () => {
  const m = bcm2835Model({ irq: true });
  const h = await bind(bcm2835, m.device);
  assert.equal(h.mode, "irq");
  const got = h.pin(50).waitForFallingEdge({ timeout: 1000 });
  m.drive(50, true);                  // rising: not enabled, no event
  assert.equal(m.raised, 0);
  setTimeout(() => m.drive(50, false), 5);
  assert.equal((await got).edge, "falling");
  assert.equal(m.raised, 1);
  unbind(h);
});

test("remove turns this driver's outputs back to inputs and its edge detection off", async () => {
  const m = bcm2835Model();
  const h = await bind(bcm2835, m.device);
  m.fsel[14] = 4;                     // UART TXD in alt0: not ours
  m.fsel[2] = 1;                      // an output someone else made
  h.pin(17).intoOutput(true);
  h.setFunction(40, "output");
  h.setFunction(41, "output");
  h.setFunction(41, "alt2");
  h.pin(6).on("edge", () => {});
  h.pin(35).on("edge", () => {}, { edge: "falling" });
  m.drive(6, true);
  unbind(h);
  assert.deepEqual([m.fsel[17], m.fsel[40], m.fsel[41], m.fsel[14], m.fsel[2]], [0, 0, 6, 4, 1]);
  assert.deepEqual([m.ren, m.fen, m.eds], [[0, 0], [0, 0], [0, 0]]);
  assert.equal(m.fake.released, true);
});

test("a register window too small for the model is refused", async () => {
  const m = bcm2835Model({ model: "bcm2711", size: 0xb4 });
  await assert.rejects(bind(bcm2835, m.device), /bcm2835-gpio: gpio@7e200000: the register window is 180 bytes; a bcm2711 needs 244/);
  assert.equal(m.fake.released, true);
});

test("hostile registers: thousands of pin, function, pull and event operations end in JS errors or results, never a hang", async () => {
  const allowed = (e) => e instanceof TimeoutError || e instanceof RangeError || e.constructor === Error;
  const functions = ["input", "output", "alt0", "alt1", "alt2", "alt3", "alt4", "alt5"];
  for (const [model, irq] of [["bcm2835", false], ["bcm2711", true]]) {
    const m = bcm2835Model({ model, irq });
    const h = await bind(bcm2835, m.device);
    m.hostile(model === "bcm2835" ? 2835 : 2711);
    let edges = 0;
    const stops = [];
    for (let i = 0; i < 3000; i++) {
      const n = (i * 7) % 60;                     // some past the end on purpose
      try {
        switch (i % 10) {
          case 0: h.pin(n).intoOutput(i % 3 === 0); break;
          case 1: h.pin(n).setHigh(); h.pin(n).setLow(); break;
          case 2: h.pin(n).toggle(); h.pin(n).isHigh(); break;
          case 3: h.setFunction(n, functions[i % 8]); h.getFunction(n); break;
          case 4: h.setPull(n, ["none", "up", "down"][i % 3]); break;
          case 5: stops.push(h.pin(n).on("edge", () => edges++, { edge: ["both", "rising", "falling"][i % 3] })); break;
          case 6: if (irq) m.fake.raise(0); await sleep(2); break;   // at least one poll tick
          case 7: stops.shift()?.(); break;
          case 8: await h.pin(n).waitForAnyEdge({ timeout: 1 }); break;
          case 9: h.pin(n).intoInput(); break;
        }
      } catch (e) {
        assert.ok(allowed(e), `operation ${i}: ${e?.name}: ${e?.message}`);
      }
    }
    for (const stop of stops) stop();
    assert.equal(h.lastError, undefined);
    assert.ok(edges > 0);
    unbind(h);
  }
}, { timeout: 60000 });
