// qtest tier: drivers/misc/edu.js on QEMU's edu model. Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-x86.toml hwtests/qtest/edu.js CASE
import { attached, board, attachedAll } from "jsk:board";

const edu = attached("edu");
const device = attachedAll().find((a) => a.driver === "edu").device;
const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);

switch (process.argv[2]) {
  case "identity": {
    result("version", edu.version);
    result("id", edu.regs.ID.read().toString(16));
    result("address", board().device(device).address);
    break;
  }
  case "liveness":
    result("liveness", [0x12345678, 0, 0xffffffff].map((v) => edu.liveness(v).toString(16)));
    break;
  case "factorial": {
    board().irqLog(); // start from a clean log
    const values = [];
    for (const n of [0, 1, 5, 12]) values.push(await edu.factorial(n));
    result("factorials", values);
    // What crossed the wire: one raise and one lower of edu's INTx per computation.
    const events = board().irqLog();
    const eduLine = events.find((e) => e.level)?.line;
    result("irqLog", events.filter((e) => e.line === eduLine).map((e) => `${e.level ? "raise" : "lower"} ${e.line}`));
    result("otherRaises", events.filter((e) => e.line !== eduLine && e.level).length);
    result("polled", await edu.factorial(10, { irq: false }));
    break;
  }
  case "dma": {
    const pattern = Uint8Array.from({ length: 4095 }, (_, i) => (i * 31 + 7) & 0xff);
    await edu.write(0, pattern);
    const back = await edu.read(0, 4095);
    result("equal", back.every((b, i) => b === pattern[i]));
    await edu.write(1000, new TextEncoder().encode("jsk"));
    result("middle", new TextDecoder().decode(await edu.read(1000, 3)));
    break;
  }
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
