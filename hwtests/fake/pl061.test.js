// drivers/gpio/pl061.js on the fake backend, against the model in ../models/pl061.js.
import { test, assert } from "jsk:test";
import { bind, unbind, Pin, TimeoutError } from "jsk:hal";
import pl061 from "../../drivers/gpio/pl061.js";
import { pl061Model, PL061_ID } from "../models/pl061.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const writes = (m) => m.fake.accesses.filter((a) => a.op === "write").map((a) => [a.offset, a.value]);

test("probe checks the PrimeCell identification and leaves interrupts masked", async () => {
  const m = pl061Model();
  m.im = 0xff;
  m.istate = 0x11;
  const h = await bind(pl061, m.device);
  assert.equal(h.lines, 8);
  assert.equal(h.mode, "irq");
  assert.equal(h.revision, 0);
  assert.equal(m.im, 0);
  assert.equal(m.istate, 0);
  unbind(h);
});

test("a PrimeCell that is not a PL061 is refused, naming what it read, and released", async () => {
  const pl011 = [0, 0, 0, 0, 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
  const m = pl061Model({ id: pl011 });
  await assert.rejects(bind(pl061, m.device),
    /pl061: gpio@9030000: identification registers read PeriphID 11 10 14 00 PCellID 0d f0 05 b1; expected part 0x061 by ARM/);
  assert.equal(m.fake.released, true);
  const bad = pl061Model({ id: PL061_ID.map((b, i) => (i === 11 ? 0xb0 : b)) });
  await assert.rejects(bind(pl061, bad.device), /PCellID 0d f0 05 b0/);
});

test("any revision of the PL061 is accepted", async () => {
  const m = pl061Model({ id: PL061_ID.map((b, i) => (i === 6 ? 0x24 : b)) });
  const h = await bind(pl061, m.device);
  assert.equal(h.revision, 2);
  unbind(h);
});

test("masked data writes touch only the masked lines", async () => {
  const m = pl061Model();
  const h = await bind(pl061, m.device);
  m.dir = 0xff;                                 // every line an output, as left by someone else
  m.data = 0x81;
  const p3 = h.pin(3);
  m.fake.record();
  p3.setHigh();
  assert.deepEqual(writes(m), [[0x08 << 2, 0x08]], "one write, address bits [9:2] = line 3 only");
  assert.equal(m.data, 0x89);
  p3.setLow();
  assert.equal(m.data, 0x81);
  h.write(0x0f, 0xfe);                          // lines 0-3 to 0,1,1,1
  assert.equal(m.data, 0x8e);
  assert.equal(h.read(), 0x8e);
  assert.throws(() => h.write(0x100, 0), RangeError);
  unbind(h);
});

test("direction: intoOutput drives the level once the line is an output; other lines keep theirs", async () => {
  const m = pl061Model();
  const h = await bind(pl061, m.device);
  m.dir = 0x80;
  m.afsel = 0x03;
  const p1 = h.pin(1);
  assert.equal(m.afsel, 0x01, "line 1 under software control, line 0 untouched");
  p1.intoOutput(true);
  assert.equal(m.dir, 0x82);
  assert.equal(m.out, 0x02, "a PL061 ignores data writes to inputs: the level is written again after GPIODIR");
  assert.equal(p1.isSetHigh(), true);
  p1.toggle();
  assert.equal(m.out, 0x00);
  p1.intoInput();
  assert.equal(m.dir, 0x80);
  assert.equal(h.pin(1), p1, "one Pin per line");
  assert.ok(p1 instanceof Pin);
  unbind(h);
});

test("input levels read through the masked data address", async () => {
  const m = pl061Model();
  const h = await bind(pl061, m.device);
  const p2 = h.pin(2).intoInput();
  m.drive(2, true);
  m.drive(6, true);
  assert.equal(p2.isHigh(), true);
  assert.equal(h.pin(5).isHigh(), false);
  assert.equal(h.read(), 0x44);
  m.drive(2, false);
  assert.equal(p2.isLow(), true);
  unbind(h);
});

test("lines outside 0..7 are refused with RangeError", async () => {
  const h = await bind(pl061, pl061Model().device);
  for (const n of [8, -1, 1.5, "3"]) assert.throws(() => h.pin(n), RangeError);
  unbind(h);
});

test("an edge interrupt reaches pin.on('edge') and is cleared through GPIOIC", async () => {
  const m = pl061Model();
  const h = await bind(pl061, m.device);
  const p4 = h.pin(4).intoInput();
  const seen = [];
  const stop = p4.on("edge", (e) => seen.push(e.edge));
  assert.equal(m.isense & 0x10, 0, "edge sensitive");
  assert.equal(m.ibe & 0x10, 0x10, "both edges");
  assert.equal(m.im, 0x10, "only line 4 unmasked");
  m.drive(4, true);
  await sleep(5);
  m.drive(4, false);
  await sleep(5);
  assert.deepEqual(seen, ["rising", "falling"]);
  assert.equal(m.istate, 0, "cleared");
  assert.equal(m.raised, 2);
  stop();
  assert.equal(m.im, 0);
  m.drive(4, true);
  await sleep(5);
  assert.deepEqual(seen, ["rising", "falling"]);
  unbind(h);
});

test("waitForRisingEdge enables the rising edge only; other lines' edges are not reported", async () => {
  const m = pl061Model();
  const h = await bind(pl061, m.device);
  const p0 = h.pin(0).intoInput();
  const rising = p0.waitForRisingEdge({ timeout: 1000 });
  assert.equal(m.ibe & 1, 0);
  assert.equal(m.iev & 1, 1);
  m.drive(7, true);                             // not watched
  setTimeout(() => m.drive(0, true), 5);
  const e = await rising;
  assert.equal(e.edge, "rising");
  assert.equal(e.pin, p0);
  assert.equal(m.im, 0, "unsubscribed after the edge");
  await assert.rejects(p0.waitForFallingEdge({ timeout: 20 }), TimeoutError);
  unbind(h);
});

test("without an interrupt line edges are found by polling GPIORIS", async () => {
  const m = pl061Model({ irq: false });
  const h = await bind(pl061, m.device);
  assert.equal(h.mode, "poll");
  const p6 = h.pin(6).intoInput();
  setTimeout(() => m.drive(6, true), 5);
  const e = await p6.waitForAnyEdge({ timeout: 1000 });
  assert.equal(e.edge, "rising");
  assert.equal(m.im, 0, "nothing unmasked: there is no line to interrupt");
  assert.equal(m.istate, 0);
  unbind(h);
});

test("remove masks interrupts, clears what is pending and makes every line an input", async () => {
  const m = pl061Model();
  const h = await bind(pl061, m.device);
  h.pin(1).intoOutput(true);
  h.pin(2).on("edge", () => {});
  m.dir |= 0x80;
  m.istate = 0x04;
  unbind(h);
  assert.equal(m.im, 0);
  assert.equal(m.istate, 0);
  assert.equal(m.dir, 0);
  assert.equal(m.fake.released, true);
});

test("hostile registers: probe refuses with an Error naming the identification, never hangs", async () => {
  for (let seed = 1; seed <= 200; seed++) {
    const m = pl061Model({ irq: seed % 2 === 0 });
    m.hostile(seed);
    await assert.rejects(bind(pl061, m.device), (e) => e.constructor === Error && /identification registers read/.test(e.message));
    m.fake.close();
  }
});

test("hostile registers: thousands of pin operations and edge scans end in JS errors or results, never a hang", async () => {
  const allowed = (e) => e instanceof TimeoutError || e instanceof RangeError || e.constructor === Error;
  for (const irq of [true, false]) {
    const m = pl061Model({ irq });
    const h = await bind(pl061, m.device);
    m.hostile(irq ? 0x5eed : 0xfeed);
    let edges = 0, failures = 0;
    const stops = [];
    for (let i = 0; i < 3000; i++) {
      const pin = h.pin(i % 8);
      try {
        switch (i % 9) {
          case 0: pin.intoOutput(i % 2 === 0); break;
          case 1: pin.setHigh(); break;
          case 2: pin.setLow(); break;
          case 3: pin.toggle(); pin.isHigh(); break;
          case 4: pin.intoInput(); break;
          case 5: h.write(i & 0xff, i >> 3); h.read(); break;
          case 6: stops.push(pin.on("edge", () => edges++, { edge: ["both", "rising", "falling"][i % 3] })); break;
          case 7: if (irq) m.fake.raise(0); await sleep(i % 2); break;
          case 8: stops.shift()?.(); break;
        }
      } catch (e) {
        failures++;
        assert.ok(allowed(e), `operation ${i}: ${e?.name}: ${e?.message}`);
      }
    }
    for (const stop of stops) stop();
    assert.equal(h.lastError, undefined);
    assert.ok(edges > 0, "garbage status was reported as edges of watched lines");
    unbind(h);
  }
}, { timeout: 60000 });
