// The qtest tier's NIC cases every driver shares (hwtests/qtest/e1000.js, virtio_net.js),
// against the host side in hwtests/tests/qtest.rs. Frames between the two share one layout
// (qtest.rs builds the same): EtherType 88b5, then kind (1 byte), a 32-bit big-endian
// sequence number, and a pattern byte (seq * 7 + i) & 0xff at every offset i from 19 to the end.
import { waitFor, TimeoutError } from "jsk:hal";

export const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);
export const ETHERTYPE_TEST = 0x88b5;
export const KIND = { READY: 1, DATA: 2, ACK: 3, END: 4, PHASE: 5 };
export const HOST_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** The cases over NetDevice `nic`; `name` is used in errors. */
export function nicCases(nic, name) {
  /** Write a test frame into `bytes` (a Packet's buffer or a new array); returns its length. */
  function build(bytes, dst, kind, seq, length) {
    bytes.set(dst, 0);
    bytes.set(nic.mac, 6);
    bytes[12] = ETHERTYPE_TEST >> 8;
    bytes[13] = ETHERTYPE_TEST & 0xff;
    bytes[14] = kind;
    bytes[15] = seq >>> 24;
    bytes[16] = (seq >>> 16) & 0xff;
    bytes[17] = (seq >>> 8) & 0xff;
    bytes[18] = seq & 0xff;
    for (let i = 19; i < length; i++) bytes[i] = (seq * 7 + i) & 0xff;
    return length;
  }
  const frame = (dst, kind, seq, length = 64) => { const f = new Uint8Array(length); build(f, dst, kind, seq, length); return f; };

  /** { kind, seq, intact } of a received test frame, or null for anything else. */
  function parse(data) {
    if (data.length < 19 || data[12] !== ETHERTYPE_TEST >> 8 || data[13] !== (ETHERTYPE_TEST & 0xff)) return null;
    const seq = ((data[15] << 24) | (data[16] << 16) | (data[17] << 8) | data[18]) >>> 0;
    let intact = true;
    for (let i = 19; i < data.length; i++) if (data[i] !== ((seq * 7 + i) & 0xff)) { intact = false; break; }
    return { kind: data[14], seq, intact };
  }

  /** Send `f` until a frame satisfying `until(parsed, packet)` arrives; returns what arrived of that phase. */
  async function announce(f, { timeoutMs = 20000, collect }) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      nic.txBatch([f]);
      const wait = performance.now() + 200;
      while (performance.now() < wait) {
        try {
          await nic.waitRx({ timeout: Math.max(1, Math.ceil(wait - performance.now())) });
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
        }
        let started = false;
        for (const p of nic.rxBatch(64)) {
          const m = parse(p.data);
          if (m) started = collect(m, p) || started;
          p.free();
        }
        if (started) return;
      }
      if (performance.now() > deadline) throw new Error(`${name} case: no answer from the host within ${timeoutMs} ms`);
    }
  }

  /** Receive test frames until END `phase`; returns the DATA frames' sequence numbers. */
  async function receivePhase(phase) {
    const seqs = [];
    const broken = [];
    let done = false;
    await announce(frame(BROADCAST, KIND.PHASE, phase), {
      collect: (m) => {
        if (m.kind === KIND.DATA) { seqs.push(m.seq); if (!m.intact) broken.push(m.seq); return true; }
        if (m.kind === KIND.END && m.seq === phase) { done = true; return true; }
        return false;
      },
    });
    const deadline = performance.now() + 20000;
    while (!done) {
      if (performance.now() > deadline) throw new Error(`${name} case: phase ${phase} never ended`);
      await nic.waitRx({ timeout: 1000 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
      for (const p of nic.rxBatch(64)) {
        const m = parse(p.data);
        if (m?.kind === KIND.DATA) { seqs.push(m.seq); if (!m.intact) broken.push(m.seq); }
        if (m?.kind === KIND.END && m.seq === phase) done = true;
        p.free();
      }
    }
    return { seqs, broken };
  }

  /** Send five frames (four copied, one filled in place) and wait for the device to finish them. */
  async function tx() {
    await nic.waitForLink({ timeout: 5000 });
    const frames = [
      frame(HOST_MAC, KIND.DATA, 1, 60),
      frame(HOST_MAC, KIND.DATA, 2, 64),
      frame(BROADCAST, KIND.DATA, 3, 100),
      frame(HOST_MAC, KIND.DATA, 4, 1514),
    ];
    // One through allocPacket, filled in place; the others as byte arrays (copied).
    const p = nic.allocPacket(600);
    build(p.bytes, HOST_MAC, KIND.DATA, 5, 600);
    const queued = nic.txBatch([...frames, p]);
    result("queued", queued);
    await waitFor(() => (nic.reclaimTx(), nic.txInFlight === 0), { ms: 2000, what: "the device to finish transmitting" });
    result("txInFlight", nic.txInFlight);
    result("txPoolAvailable", nic.txPool.available === nic.txPool.packets.length);
    const s = nic.stats;
    result("stats", { txPackets: s.txPackets, txBytes: s.txBytes, txErrors: s.txErrors, txDropped: s.txDropped });
  }

  /** N numbered frames each way, acknowledged in windows (count, order, duplicates on both sides). */
  async function transfers(N) {
    const seen = new Uint8Array(N);
    let received = 0, outOfOrder = 0, duplicates = 0, broken = 0, strays = 0, expected = 0;
    // Each side keeps at most WINDOW of its frames unacknowledged by the other: less than the
    // receive ring here, and less than a UDP socket buffer holds on the host.
    const WINDOW = 128;
    let sent = 0, acked = -1, hostAcked = 0;
    const t0 = performance.now();
    const take = (m) => {
      if (m.kind === KIND.ACK) {
        hostAcked = Math.max(hostAcked, m.seq);
        return true;
      }
      if (m.kind !== KIND.DATA) return false;
      if (m.seq >= N || !m.intact) broken++;
      else if (seen[m.seq]) duplicates++;
      else {
        seen[m.seq] = 1;
        received++;
        if (m.seq !== expected) outOfOrder++;
        expected = m.seq + 1;
      }
      return true;
    };
    await nic.waitForLink({ timeout: 5000 });
    await announce(frame(BROADCAST, KIND.READY, 0), { timeoutMs: 30000, collect: take });
    const out = [];
    const deadline = performance.now() + 60000;
    while (received < N || sent < N || acked !== received) {
      if (performance.now() > deadline) break;
      const rx = nic.rxBatch(64);
      for (const p of rx) {
        const m = parse(p.data);
        if (!(m && take(m))) strays++;
        p.free();
      }
      // Acknowledge what arrived, then send a batch of our own, numbered, within the window.
      out.length = 0;
      const ack = received !== acked ? nic.allocPacket(64) : null;
      if (ack) out.push(ack.setLength(build(ack.bytes, HOST_MAC, KIND.ACK, received, 64)));
      for (let k = 0; k < 32 && sent + k < N && sent + k < hostAcked + WINDOW; k++) {
        const p = nic.allocPacket(64);
        if (!p) break;
        out.push(p.setLength(build(p.bytes, HOST_MAC, KIND.DATA, sent + k, 64)));
      }
      const n = out.length ? nic.txBatch(out) : 0;
      for (let i = n; i < out.length; i++) out[i].free();
      if (ack && n > 0) acked = received;
      const data = Math.max(0, n - (ack ? 1 : 0));
      sent += data;
      if (rx.length === 0 && data === 0) {
        await nic.waitRx({ timeout: 20 }).catch((e) => { if (!(e instanceof TimeoutError)) throw e; });
      }
    }
    await waitFor(() => (nic.reclaimTx(), nic.txInFlight === 0), { ms: 2000, what: "the last frames to leave" });
    result("received", received);
    result("outOfOrder", outOfOrder);
    result("duplicates", duplicates);
    result("broken", broken);
    result("strays", strays);
    result("sent", sent);
    result("elapsedMs", Math.round(performance.now() - t0));
    const s = nic.stats;
    result("stats", { rxPackets: s.rxPackets, txPackets: s.txPackets, rxErrors: s.rxErrors, badDescriptors: s.badDescriptors, rxDropped: s.rxDropped, txDropped: s.txDropped, interrupts: s.interrupts });
    result("mode", nic.mode);
  }

  return { build, frame, parse, announce, receivePhase, tx, transfers };
}
