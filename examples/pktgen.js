// Send sequence-numbered UDP frames as fast as the NIC takes them, then report the rate:
//   jsk run --board devices/qemu-x86.toml --netdev net0=dgram,... examples/pktgen.js \
//     [--count N] [--size BYTES] [--dst-mac MAC] [--dst-ip IP] [--src-ip IP] [--port N] [--batch N] [--device NAME]
// Defaults: 10000 frames of 64 bytes (the Ethernet minimum with FCS; 60 bytes are handed to
// the NIC, which appends the 4-byte FCS), broadcast to 10.0.2.2:9 (discard) from 10.0.2.15.
// Payload: "JSKP", the sequence number (u32, big-endian), then zeros.
//
// Like ixy's packet generator, a frame is built once as a template; each packet copies it
// (one native memcpy) and patches in its sequence number, fixing the UDP checksum
// incrementally (RFC 1624). Buffers come back to the pool when the NIC is done with them
// (txBatch reclaims), so the loop only waits when the ring is full.
import { netDevice } from "jsk:board";
import { delay } from "jsk:hal";
import * as net from "jsk:net";

const FCS = 4;
const WIRE_EXTRA = 8 + 12; // preamble + SFD, inter-frame gap
const MAGIC = [0x4a, 0x53, 0x4b, 0x50]; // "JSKP"

const o = { count: 10000, size: 64, dstMac: "ff:ff:ff:ff:ff:ff", dstIp: "10.0.2.2", srcIp: "10.0.2.15", port: 9, batch: 32, device: 0 };
const argv = process.argv.slice(2);
const names = { "--count": "count", "--size": "size", "--dst-mac": "dstMac", "--dst-ip": "dstIp", "--src-ip": "srcIp", "--port": "port", "--batch": "batch", "--device": "device" };
for (let i = 0; i < argv.length; i++) {
  const key = names[argv[i]];
  if (!key) throw new Error(`unknown argument ${argv[i]} (have ${Object.keys(names).join(", ")})`);
  if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
  const v = argv[++i];
  o[key] = key === "device" ? (/^\d+$/.test(v) ? Number(v) : v) : typeof o[key] === "number" ? Number(v) : v;
}
const int = (k, lo, hi) => {
  if (!Number.isInteger(o[k]) || o[k] < lo || o[k] > hi) throw new Error(`--${k}: expected an integer in [${lo}, ${hi}], got ${o[k]}`);
};
int("count", 1, 2 ** 32);
int("size", 64, 1518);
int("port", 0, 65535);
int("batch", 1, 512);

const dev = netDevice(o.device);
const frameLength = o.size - FCS; // what the NIC is given
const headers = net.ETH_HLEN + net.IPV4_HLEN + net.UDP_HLEN;
const seqAt = headers + MAGIC.length;
const srcIp = net.parseIPv4Address(o.srcIp), dstIp = net.parseIPv4Address(o.dstIp);

// The template: every header and the magic, sequence number 0.
const template = new Uint8Array(frameLength);
template.set(MAGIC, headers);
net.buildUdpFrame(template, {
  dstMac: net.parseMac(o.dstMac), srcMac: dev.mac, srcIp, dstIp, srcPort: 40000, dstPort: o.port,
  payloadLength: frameLength - headers,
});
const baseChecksum = (template[40] << 8) | template[41];

function stamp(bytes, seq) {
  const hi = seq >>> 16, lo = seq & 0xffff;
  bytes[seqAt] = hi >>> 8; bytes[seqAt + 1] = hi & 0xff;
  bytes[seqAt + 2] = lo >>> 8; bytes[seqAt + 3] = lo & 0xff;
  let c = net.checksumUpdate16(net.checksumUpdate16(baseChecksum, 0, hi), 0, lo);
  if (c === 0) c = 0xffff; // UDP: 0 would mean "no checksum"
  bytes[40] = c >>> 8; bytes[41] = c & 0xff;
}

const link = dev.link;
console.log(`pktgen: ${o.count} frames of ${o.size} bytes from ${dev.macAddress} (${o.srcIp}) to ${o.dstMac} (${o.dstIp}:${o.port}) on ${dev.name}, link ${link.up ? `up ${link.speedMbps} Mbit/s` : "down"}`);

let seq = 0, stalls = 0, waits = 0, rounds = 0;
let lastProgress = performance.now();
const batch = [];
const t0 = performance.now();
let tEnd = t0;
process.on("exit", () => { if (seq < o.count) report(performance.now(), "stopped: "); });

function report(t, prefix = "") {
  const s = Math.max((t - t0) / 1000, 1e-9);
  const pps = seq / s;
  console.log(`pktgen: ${prefix}sent ${seq} frames in ${s.toFixed(3)} s: ${Math.round(pps)} packets/s, ` +
    `${(pps * o.size * 8 / 1e6).toFixed(2)} Mbit/s (${(pps * (o.size + WIRE_EXTRA) * 8 / 1e6).toFixed(2)} Mbit/s on the wire); ` +
    `${stalls} ring-full waits`);
}

while (seq < o.count) {
  batch.length = 0;
  const want = Math.min(o.batch, o.count - seq);
  for (let i = 0; i < want; i++) {
    const p = dev.allocPacket(frameLength);
    if (p === null) break;
    p.bytes.set(template);
    stamp(p.bytes, seq + i);
    batch.push(p);
  }
  const sent = batch.length ? dev.txBatch(batch) : 0;
  for (let i = sent; i < batch.length; i++) batch[i].free(); // their numbers are used next time
  seq += sent;
  // Received frames are not ours to look at; give their buffers back now and then.
  if ((++rounds & 15) === 0) for (const p of dev.rxBatch(64)) p.free();
  if (sent > 0) {
    tEnd = performance.now();
    lastProgress = tEnd;
    waits = 0;
    continue;
  }
  // Ring full, or every buffer still in flight: reclaim, and let the event loop run now and
  // then (Ctrl-C, timers) rather than spinning on the NIC for ever.
  stalls++;
  dev.txBatch([]);
  if (++waits % 64 === 0) await delay.ms(0);
  if (performance.now() - lastProgress > 5000) throw new Error(`pktgen: the NIC took no frame for 5 s after ${seq} (link down?)`);
}
report(tEnd);
await delay.ms(20); // let the last frames leave before the driver resets the NIC
dev.txBatch([]);
const st = dev.stats;
if (st && typeof st === "object") console.log(`pktgen: NIC counters: ${JSON.stringify(st)}`);
