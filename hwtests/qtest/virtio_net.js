// qtest tier: drivers/virtio/net.js on QEMU's virtio-net-pci with disable-legacy=on (1af4:1041).
// Run by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-x86.toml [--netdev net1=dgram,...] hwtests/qtest/virtio_net.js CASE [N]
// The cases every NIC shares (tx, transfers, the frames both sides build) are ./nic_cases.js.
import { attached, board, attachedAll } from "jsk:board";
import { waitFor } from "jsk:hal";
import { nicCases, result } from "./nic_cases.js";

const nic = attached("virtio-net");
const device = attachedAll().find((a) => a.driver === "virtio-net").device;
const cases = nicCases(nic, "virtio-net");
const NETDEV = "net1";
const bitList = (set) => { const out = []; for (let i = 0n; i < 64n; i++) if (set & (1n << i)) out.push(Number(i)); return out; };

switch (process.argv[2]) {
  case "init": {
    const c = nic.transport.common;
    const queue = (i) => {
      c.QUEUE_SELECT.write(i);
      return { size: c.QUEUE_SIZE.read(), enable: c.QUEUE_ENABLE.read(), vector: c.QUEUE_MSIX_VECTOR.read() };
    };
    const d = board().device(device);
    result("pci", [d.vendor, d.device]);
    result("mac", nic.macAddress);
    result("features", bitList(nic.features));
    result("offered", bitList(nic.transport.deviceFeatures()));
    result("status", nic.transport.status());
    result("queues", [queue(0), queue(1)]);
    result("numQueues", nic.transport.queueCount);
    result("structures", Object.fromEntries(Object.entries(nic.transport.structures).filter(([, v]) => v).map(([k, v]) => [k, { bar: v.bar, offset: v.offset }])));
    result("rxOffered", nic.rxq.outstanding);
    result("mode", nic.mode);
    result("interrupts", nic.interrupts);
    result("link", nic.link);
    break;
  }
  case "tx":
    await cases.tx();
    break;
  case "rx": {
    // The device keeps its own receive mode (no CTRL_RX): QEMU's passes every frame.
    let refused = null;
    try { nic.promiscuous = false; } catch (e) { refused = e.message; }
    result("filterRefused", /CTRL_RX/.test(refused ?? ""));
    await nic.waitForLink({ timeout: 5000 });
    board().irqLog();
    const before = nic.stats.interrupts;
    // A receiver waits before the phase is asked for: interrupts are wanted (the driver asks
    // the device for none while nobody waits), so the answer arrives by interrupt, however
    // quickly it comes.
    const early = nic.waitRx({ timeout: 5000 }).catch(() => {});
    const irq = await cases.receivePhase(1);
    await early;
    const raises = board().irqLog().filter((e) => e.level).map((e) => e.line);
    result("irqMode", { mode: nic.mode, ...irq });
    result("irqLines", [...new Set(raises)]);
    // The line may have been raised just before the phase ended: give the handler its turn
    // (it runs from the event loop) before counting; 500 ms at most.
    for (let t = 0; nic.stats.interrupts === before && raises.length && t < 50; t++) await new Promise((r) => setTimeout(r, 10));
    result("irqInterrupts", nic.stats.interrupts - before > 0);
    nic.setMode("poll");
    const interruptsBefore = nic.stats.interrupts;
    const poll = await cases.receivePhase(2);
    result("pollMode", { mode: nic.mode, ...poll, interrupts: nic.stats.interrupts - interruptsBefore });
    const s = nic.stats;
    result("stats", { rxErrors: s.rxErrors, badDescriptors: s.badDescriptors, rxDropped: s.rxDropped });
    break;
  }
  case "link": {
    // QMP set_link: QEMU clears status.LINK_UP and raises a configuration interrupt (ISR bit 1).
    const t0 = performance.now();
    const events = [];
    nic.on("link", (l) => events.push({ up: l.up, atMs: Math.round(performance.now() - t0) }));
    const before = nic.stats.interrupts;
    board().setLink(NETDEV, false);
    await waitFor(() => events.length === 1, { ms: 5000, what: "the link-down event" });
    result("linkDown", nic.link);
    board().setLink(NETDEV, true);
    await waitFor(() => events.length === 2, { ms: 5000, what: "the link-up event" });
    result("events", events.map((e) => (e.up ? "up" : "down")));
    result("linkAfter", nic.link);
    result("configInterrupts", nic.stats.interrupts - before);
    result("linkChanges", nic.stats.linkChanges);
    break;
  }
  case "transfers":
    await cases.transfers(Number(process.argv[3] ?? 10000));
    break;
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
