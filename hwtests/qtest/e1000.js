// qtest tier: drivers/nic/e1000.js on QEMU's e1000 (82540EM). Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-x86.toml [--netdev net0=dgram,...] hwtests/qtest/e1000.js CASE [N]
// The cases every NIC shares (tx, transfers, the frames both sides build) are ./nic_cases.js.
import { attached, board, attachedAll } from "jsk:board";
import { waitFor } from "jsk:hal";
import { nicCases, result } from "./nic_cases.js";

const nic = attached("e1000");
const device = attachedAll().find((a) => a.driver === "e1000").device;
const cases = nicCases(nic, "e1000");
const { receivePhase } = cases;

const hexOf = (r) => r.read().toString(16);

switch (process.argv[2]) {
  case "init": {
    const r = nic.regs;
    result("mac", nic.macAddress);
    result("macSource", nic.macSource);
    result("eepromMac", nic.readEepromMac().map((b) => b.toString(16).padStart(2, "0")).join(":"));
    result("model", nic.model);
    result("mode", nic.mode);
    result("link", nic.link);
    result("pci", [board().device(device).vendor, board().device(device).device]);
    result("registers", {
      RCTL: hexOf(r.RCTL), TCTL: hexOf(r.TCTL), TIPG: hexOf(r.TIPG), IMS: hexOf(r.IMS),
      RDLEN: r.RDLEN.read(), TDLEN: r.TDLEN.read(), RDH: r.RDH.read(), RDT: r.RDT.read(), TDH: r.TDH.read(), TDT: r.TDT.read(),
      RAH0_AV: r.RAH0.AV.get(), CTRL_SLU: r.CTRL.SLU.get(),
    });
    // The interrupt path end to end: a cause set by software (ICS, SDM 13.4.19) raises INTx;
    // the driver's handler reads ICR, which lowers it again.
    board().irqLog();
    const before = nic.stats.interrupts;
    r.ICS.write(1 << 7);   // RXT0
    await waitFor(() => nic.stats.interrupts > before, { ms: 2000, what: "the e1000 interrupt handler to run" });
    // QEMU reports a line change before the reply to the access that caused it: the handler's
    // ICR read has lowered the line by now.
    result("irqLog", board().irqLog().map((e) => `${e.level ? "raise" : "lower"} ${e.line}`));
    result("interrupts", nic.stats.interrupts - before);
    result("icrAfter", r.ICR.read());
    break;
  }
  case "tx":
    await cases.tx();
    result("goodPacketsSent", nic.readCounters().goodPacketsSent);
    break;
  case "rx": {
    await nic.waitForLink({ timeout: 5000 });
    const t0 = performance.now();
    const irq = await receivePhase(1);
    result("irqMode", { mode: nic.mode, ...irq });
    nic.promiscuous = true;
    const promiscuous = await receivePhase(2);
    result("promiscuous", promiscuous);
    nic.promiscuous = false;
    nic.setMode("poll");
    const interruptsBefore = nic.stats.interrupts;
    const poll = await receivePhase(3);
    result("pollMode", { mode: nic.mode, ...poll, interrupts: nic.stats.interrupts - interruptsBefore });
    const s = nic.stats;
    result("stats", { rxErrors: s.rxErrors, badDescriptors: s.badDescriptors, rxDropped: s.rxDropped });
    result("elapsedMs", Math.round(performance.now() - t0));
    break;
  }
  case "link": {
    const events = [];
    nic.on("link", (l) => events.push({ up: l.up, atMs: Math.round(performance.now() - t0) }));
    board().irqLog();
    const t0 = performance.now();
    const interruptsBefore = nic.stats.interrupts;
    await nic.restartAutoNegotiation();
    result("downAtOnce", nic.link.up === false);
    const l = await nic.waitForLink({ timeout: 5000 });
    result("events", events.map((e) => (e.up ? "up" : "down")));
    result("upAfterMs", events.at(-1).atMs);
    result("linkAfter", l);
    result("lscInterrupts", nic.stats.interrupts - interruptsBefore);
    result("raises", board().irqLog().filter((e) => e.level).length);
    break;
  }
  case "transfers":
    await cases.transfers(Number(process.argv[3] ?? 10000));
    break;
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
