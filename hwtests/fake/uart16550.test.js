// drivers/serial/uart16550.js on the fake backend, against the model in ../models/uart16550.js.
import { test, assert } from "jsk:test";
import { bind, unbind, TimeoutError } from "jsk:hal";
import uart from "../../drivers/serial/uart16550.js";
import { uartModel } from "../models/uart16550.js";

const text = (bytes) => new TextDecoder().decode(Uint8Array.from(bytes));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The register writes since index `from`, as "REG=value" strings. */
const writesSince = (m, from) => m.log.slice(from).map((w) => `${w.reg}=${w.value.toString(16)}`);
const lsrReads = (m) => m.fake.accesses.filter((a) => a.op === "read" && a.offset === 5).length;

test("probe finds a 16550A on QEMU pci-serial and sets 115200 8N1 with DLAB cleared afterwards", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  assert.equal(h.type, "16550A");
  assert.equal(h.fifoSize, 16);
  assert.equal(h.mode, "irq");
  assert.equal(h.baud, 115200);
  assert.equal(m.divisor, 1);
  assert.equal(m.lcr, 0x03, "8 data bits, no parity, 1 stop bit, DLAB clear");
  assert.equal(m.ier, 0x05, "receive data and line status interrupts");
  assert.equal(m.mcr, 0x0b, "DTR, RTS, OUT2");
  assert.equal(m.fifoEnabled, true);
  assert.deepEqual(m.tx, [], "nothing was sent while programming the divisor");
  const dll = m.log.findIndex((w) => w.reg === "DLL");
  assert.ok(dll > 0 && m.log[dll - 1].reg === "LCR" && m.log[dll - 1].value & 0x80, "DLAB set before DLL");
  assert.deepEqual(writesSince(m, dll).slice(0, 3), ["DLL=1", "DLM=0", "LCR=3"]);
  unbind(h);
});

test("configure 9600 7E2 programs divisor 12 inside the divisor bank and the LCR format bits", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  const from = m.log.length;
  h.serial.configure({ baud: 9600, dataBits: 7, parity: "even", stopBits: 2 });
  // format first (DLAB 0), then DLAB set by read-modify-write, the latch, DLAB cleared
  assert.deepEqual(writesSince(m, from), ["LCR=1e", "LCR=9e", "DLL=c", "DLM=0", "LCR=1e"]);
  assert.ok(m.log.slice(from).every((w) => (w.reg === "DLL" || w.reg === "DLM") === w.dlab || w.reg === "LCR"));
  assert.equal(m.divisor, 12);
  assert.equal(h.baud, 9600);
  assert.deepEqual(m.tx, []);
  unbind(h);
});

test("each parity, word length and stop-bit setting lands in LCR", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  const cases = [
    [{ dataBits: 8, parity: "none", stopBits: 1 }, 0x03],
    [{ dataBits: 8, parity: "odd", stopBits: 1 }, 0x0b],
    [{ dataBits: 8, parity: "even", stopBits: 1 }, 0x1b],
    [{ dataBits: 8, parity: "mark", stopBits: 1 }, 0x2b],
    [{ dataBits: 8, parity: "space", stopBits: 1 }, 0x3b],
    [{ dataBits: 6, parity: "none", stopBits: 2 }, 0x05],
    [{ dataBits: 5, parity: "none", stopBits: 1.5 }, 0x04],
  ];
  for (const [format, lcr] of cases) {
    h.serial.configure({ baud: 57600, ...format });
    assert.equal(m.lcr, lcr, JSON.stringify(format));
    assert.equal(m.divisor, 2);
  }
  unbind(h);
});

test("rates the divisor latch cannot make and impossible formats are refused with RangeError, touching nothing", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  const before = m.log.length;
  assert.throws(() => h.serial.configure({ baud: 1 }), /1 baud needs divisor 115200 .*1\.\.65535/);
  assert.throws(() => h.serial.configure({ baud: 10_000_000 }), (e) => e instanceof RangeError && /divisor 0/.test(e.message));
  assert.throws(() => h.serial.configure({ baud: 200000 }), /not reachable .*nearest 115200/);
  assert.throws(() => h.serial.configure({ dataBits: 8, stopBits: 1.5 }), RangeError);
  assert.throws(() => h.serial.configure({ dataBits: 5, stopBits: 2 }), RangeError);
  assert.throws(() => h.serial.configure({ dataBits: 9 }), RangeError);
  assert.equal(m.log.length, before);
  assert.equal(m.divisor, 1);
  unbind(h);
});

test("the input clock comes from the device info", async () => {
  const m = uartModel({ bus: "platform", clock: 48_000_000 });
  const h = await bind(uart, m.device);
  assert.equal(m.divisor, 26);                     // 48 MHz / 16 / 115200 = 26.04
  assert.ok(Math.abs(h.baud - 115384.6) < 1);
  unbind(h);
});

test("written bytes appear in the transmit log, 16 at a time through the FIFO", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  m.fake.record();
  await h.serial.write("hello, ");
  await h.serial.write(new TextEncoder().encode("0123456789abcdefghijklmnopqrstuvwxyz!"));
  await h.serial.flush();
  assert.equal(text(m.tx), "hello, 0123456789abcdefghijklmnopqrstuvwxyz!");
  assert.equal(h.stats.txBytes, 44);
  // 1 THRE wait for 7 bytes, 3 for 37, 1 TEMT wait
  assert.equal(lsrReads(m), 5);
  unbind(h);
});

test("an 8250 without FIFOs is detected and sent one byte per THRE", async () => {
  const m = uartModel({ fifo: false });
  const h = await bind(uart, m.device);
  assert.equal(h.type, "8250");
  assert.equal(h.fifoSize, 1);
  m.fake.record();
  await h.serial.write("abc");
  assert.equal(text(m.tx), "abc");
  assert.equal(lsrReads(m), 3);
  m.inject("z");
  assert.equal(text(await h.serial.read({ timeout: 1000 })), "z");
  unbind(h);
});

test("bytes from the wire arrive through read() and for await, by interrupt", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  m.inject("abc");
  assert.equal(text(await h.serial.read({ timeout: 1000 })), "abc");
  setTimeout(() => m.inject("de"), 5);
  setTimeout(() => m.inject("f"), 10);
  let got = "";
  for await (const chunk of h.serial) {
    got += text(chunk);
    if (got.length >= 3) break;
  }
  assert.equal(got, "def");
  assert.equal(h.stats.rxBytes, 6);
  assert.ok(m.raised >= 3);
  unbind(h);
});

test("receive waits for the interrupt: data sits in the FIFO until fake.raise(0)", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  m.inject("xyz", { raise: false });
  await assert.rejects(h.serial.read({ timeout: 20 }), TimeoutError);
  m.fake.raise(0);
  assert.equal(text(await h.serial.read({ timeout: 1000 })), "xyz");
  unbind(h);
});

test("without an interrupt line the receiver is polled", async () => {
  const m = uartModel({ irq: false });
  const h = await bind(uart, m.device);
  assert.equal(h.mode, "poll");
  assert.equal(m.ier, 0);
  assert.equal(m.mcr & 0x08, 0, "OUT2 stays low without an interrupt");
  m.inject("polled");
  assert.equal(text(await h.serial.readExactly(6, { timeout: 1000 })), "polled");
  unbind(h);
});

test("an idle port holds the event loop only while someone reads", async () => {
  for (const irq of [true, false]) {
    const m = uartModel({ irq });
    const h = await bind(uart, m.device);
    assert.equal(h.referenced, false);
    const pending = h.serial.read({ timeout: 1000 });
    assert.equal(h.referenced, true);
    m.inject("!");
    assert.equal(text(await pending), "!");
    await sleep(0);
    assert.equal(h.referenced, false);
    const stop = h.serial.on("data", () => {});
    assert.equal(h.referenced, true);
    stop();
    assert.equal(h.referenced, false);
    unbind(h);
  }
});

test("line errors are counted: overrun, parity, framing, break (the break's NUL is not data)", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  m.inject("p", { parity: true });
  m.inject("f", { framing: true });
  m.inject("b", { break: true });
  m.inject("o", { overrun: true });
  assert.equal(text(await h.serial.readExactly(4, { timeout: 1000 })), "pfbo");
  assert.deepEqual(h.stats, { rxBytes: 4, txBytes: 0, overrun: 1, parity: 1, framing: 1, break: 1 });
  unbind(h);
});

test("a FIFO overflow on the wire is counted as an overrun", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  m.inject(new Uint8Array(20).fill(0x41), { raise: false });      // 16 fit, 4 lost
  m.fake.raise(0);
  assert.equal((await h.serial.readExactly(16, { timeout: 1000 })).length, 16);
  assert.equal(h.stats.overrun, 1);
  unbind(h);
});

test("a transmitter that never empties makes write() reject with a TimeoutError naming LSR.THRE", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  m.thre = false;
  h.txTimeoutMs = 30;
  const e = await assert.rejects(h.serial.write("stuck"), TimeoutError);
  assert.match(e.message, /timed out after 30 ms waiting for ttyS0: the transmitter to take data \(LSR\.THRE\)/);
  // the next write is not stuck behind the failed one
  m.thre = true;
  await h.serial.write("ok");
  assert.equal(text(m.tx), "ok");
  unbind(h);
});

test("probe fails on a bus where no UART answers and leaves the device released", async () => {
  const m = uartModel({ absent: true });
  await assert.rejects(bind(uart, m.device), /uart16550: ttyS0: no UART answers: LCR reads 0xff after writing 0x1b/);
  assert.equal(m.fake.released, true);
});

test("ISA-style port I/O region named regs (isa-serial at 0x3f8, IRQ 4)", async () => {
  const m = uartModel({ bus: "platform", space: "io", name: "isa-serial" });
  const h = await bind(uart, m.device);
  assert.equal(h.mode, "irq");
  await h.serial.write("isa");
  m.inject("ok");
  assert.equal(text(await h.serial.read({ timeout: 1000 })), "ok");
  assert.equal(text(m.tx), "isa");
  unbind(h);
});

test("memory-mapped 16550 with reg-shift 2 and 32-bit accesses, found by region index", async () => {
  const m = uartModel({ bus: "platform", space: "mem", regShift: 2, regIoWidth: 4, regionName: null });
  const h = await bind(uart, m.device);
  m.fake.record();
  await h.serial.write("mmio");
  m.inject("in");
  assert.equal(text(await h.serial.read({ timeout: 1000 })), "in");
  assert.equal(text(m.tx), "mmio");
  assert.ok(m.fake.accesses.length > 0);
  assert.ok(m.fake.accesses.every((a) => a.width === 4 && a.offset % 4 === 0), "32-bit accesses, 4 bytes apart");
  unbind(h);
});

test("remove masks interrupts, drops DTR/RTS/OUT2 and leaves the FIFOs reset", async () => {
  const m = uartModel();
  const h = await bind(uart, m.device);
  const reading = h.serial.read();
  m.inject("late", { raise: false });
  unbind(h);
  assert.equal(m.ier, 0);
  assert.equal(m.mcr, 0);
  assert.equal(m.rx.length, 0, "receive FIFO cleared");
  assert.equal(m.fifoEnabled, false);
  assert.equal(m.lcr & 0xc0, 0, "no break, no DLAB");
  assert.equal(m.fake.released, true);
  assert.equal(await reading, null, "pending reads end");
  await assert.rejects(h.serial.write("x"), /closed/);
});

test("hostile registers: probe never hangs and either binds or fails with an Error", async () => {
  let bound = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const m = uartModel({ irq: seed % 2 === 0 });
    m.hostile(seed, { spare: seed % 3 === 0 ? [3] : [] });    // a working LCR gets probe past its presence check
    try {
      const h = await bind(uart, m.device);
      bound++;
      unbind(h);
    } catch (e) {
      assert.equal(e.constructor, Error, String(e));
      assert.match(e.message, /no UART answers/);
    }
    m.fake.close();
  }
  assert.equal(bound, 100);
});

test("hostile registers: thousands of operations end in JS errors or results, never a hang", async () => {
  const allowed = (e) => e instanceof TimeoutError || e instanceof RangeError || e.constructor === Error;
  const bauds = [50, 300, 9600, 115200, 230400, 1_000_000, 3];
  for (const irq of [true, false]) {
    const m = uartModel({ irq });
    const h = await bind(uart, m.device);
    m.hostile(irq ? 0xc0ffee : 0xbadf00d);
    let ops = 0, failures = 0;
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      h.txTimeoutMs = 1;
      try {
        switch (i % 6) {
          case 0: h.serial.configure({ baud: bauds[i % bauds.length], dataBits: 5 + (i % 4), parity: ["none", "odd", "even", "mark", "space"][i % 5] }); break;
          case 1: await h.serial.write(new Uint8Array(1 + (i % 40)).fill(i & 0xff)); break;
          case 2: if (irq) m.fake.raise(0); await sleep(0); break;
          case 3: await h.serial.read({ timeout: 0 }); break;
          case 4: await h.serial.flush(); break;
          case 5: await sleep(0); break;
        }
        ops++;
      } catch (e) {
        failures++;
        assert.ok(allowed(e), `operation ${i}: ${e?.name}: ${e?.message}`);
      }
    }
    assert.equal(ops + failures, 2000);
    assert.equal(h.lastError, undefined, "background receive survived");
    assert.ok(h.stats.rxBytes > 0, "garbage was received, bounded per event");
    assert.ok(performance.now() - started < 20000);
    unbind(h);
  }
}, { timeout: 60000 });
