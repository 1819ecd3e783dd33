// A model of QEMU's edu device on the fake backend (hw/misc/edu.c), enough
// for unit tests and fuzzing of drivers/misc/edu.js without QEMU.

import { fakeDevice } from "jsk:fake";

export function eduModel({ name = "edu" } = {}) {
  const fake = fakeDevice({
    name, bus: "pci", ids: { vendor: 0x1234, device: 0x11e8, class: 0x00ff00 },
    regions: [{ index: 0, size: 0x100000 }], irqs: 1,
  });
  const state = { status: 0, irqStatus: 0, fact: 0, liveness: 0, dma: { src: 0n, dst: 0n, cnt: 0n }, buffer: new Uint8Array(4096) };
  const raise = (cause) => { state.irqStatus |= cause; fake.raise(0); };
  fake.on(0, 0x00, { read: () => 0x010000ed });
  fake.on(0, 0x04, { read: () => ~state.liveness >>> 0, write: (v) => { state.liveness = v; } });
  fake.on(0, 0x08, {
    read: () => state.fact,
    write: (n) => {
      let f = 1;
      for (let i = 2; i <= n && i < 40; i++) f = Math.imul(f, i) >>> 0;
      state.fact = n >= 34 ? 0 : f;
      if (state.status & 0x80) raise(0x1);
    },
  });
  fake.on(0, 0x20, { read: () => state.status & 0x80, write: (v) => { state.status = v & 0x80; } });
  fake.on(0, 0x24, { read: () => state.irqStatus });
  fake.on(0, 0x60, { write: (v) => raise(v) });
  fake.on(0, 0x64, { write: (v) => { state.irqStatus &= ~v; } });
  fake.on(0, 0x80, { write: (v) => { state.dma.src = BigInt(v); } });
  fake.on(0, 0x88, { write: (v) => { state.dma.dst = BigInt(v); } });
  fake.on(0, 0x90, { write: (v) => { state.dma.cnt = BigInt(v); } });
  fake.on(0, 0x98, {
    write: (v) => {
      const cmd = Number(BigInt(v) & 7n);
      if (!(cmd & 1)) return;
      const { src, dst, cnt } = state.dma;
      const n = Number(cnt);
      if (cmd & 2) fake.dmaWrite(dst, state.buffer.subarray(Number(src) - 0x40000, Number(src) - 0x40000 + n));
      else state.buffer.set(fake.dmaRead(src, n), Number(dst) - 0x40000);
      if (cmd & 4) raise(0x100);
    },
  });
  return { fake, state, device: fake.device };
}
