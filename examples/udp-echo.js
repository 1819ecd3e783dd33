// Echo UDP datagrams back to their sender (RFC 862 style) and answer ARP, on the first NIC:
//   jsk run --board devices/qemu-x86.toml --netdev net0=dgram,... examples/udp-echo.js [IP] [PORT] [--count N] [--device NAME]
// IP defaults to 10.0.2.15, PORT to 7. Stops after N echoed datagrams (--count) or on Ctrl-C,
// printing how many it echoed. Each datagram is turned around in its own receive buffer:
// addresses and ports swapped, the UDP checksum stays valid without being recomputed.
import { netDevice } from "jsk:board";
import { delay } from "jsk:hal";
import * as net from "jsk:net";

const positional = [];
const opts = { count: Infinity, device: 0, verbose: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--count" || a === "--device") {
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    const v = argv[++i];
    if (a === "--device") opts.device = v;
    else if (!Number.isInteger(opts.count = Number(v)) || opts.count < 0) throw new Error(`--count: expected a non-negative integer, got ${v}`);
  } else if (a === "--quiet") opts.verbose = false;
  else if (a.startsWith("--")) throw new Error(`unknown option ${a} (have --count, --device, --quiet)`);
  else positional.push(a);
}
const [ipText = "10.0.2.15", portText = "7"] = positional;
const myIp = net.parseIPv4Address(ipText);
const port = Number(portText);
if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be in [1, 65535], got ${portText}`);

const dev = netDevice(opts.device);
const mac = dev.mac;
const stats = { echoed: 0, bytes: 0, arpReplies: 0, received: 0, ignored: 0, malformed: 0, txFull: 0 };
let done = false;
function summary() {
  console.log(`udp-echo: echoed ${stats.echoed} datagrams (${stats.bytes} payload bytes), ${stats.arpReplies} ARP replies; ` +
    `${stats.received} frames received (${stats.ignored} ignored, ${stats.malformed} malformed, ${stats.txFull} dropped: ring full)`);
}
process.on("exit", () => { if (!done) summary(); });
console.log(`udp-echo: ${ipText}:${port} at ${dev.macAddress} on ${dev.name}; Ctrl-C stops`);

const frame = new net.Frame();
const replies = [];
const sizes = []; // per reply: UDP payload bytes, or -1 for an ARP reply
while (stats.echoed < opts.count) {
  const rx = await dev.receive(32, { timeout: 1000 });
  if (rx.length === 0) continue;
  stats.received += rx.length;
  replies.length = 0;
  let queued = 0;
  for (const p of rx) {
    const f = net.parseFrame(p.bytes, p.length, frame);
    let n = 0, size = -1;
    if (f === null) stats.malformed++;
    else if (f.kind === "arp") {
      if (f.arp.op === net.ARP_REQUEST && f.arp.targetIp === myIp) n = net.arpReplyInPlace(p.bytes, f, mac, myIp);
    } else if (f.kind === "udp" && f.udp.dstPort === port && f.ip.dst === myIp && net.macEquals(p.bytes, 0, mac) &&
               stats.echoed + queued < opts.count) {
      size = f.udp.payloadLength;
      if (opts.verbose) console.log(`udp-echo: ${size} bytes from ${net.formatIPv4Address(f.ip.src)}:${f.udp.srcPort}`);
      n = net.udpEchoInPlace(p.bytes, f, mac);
      queued++;
    }
    if (n > 0) {
      p.setLength(n);
      sizes[replies.length] = size;
      replies.push(p);
    } else {
      if (f !== null) stats.ignored++;
      p.free();
    }
  }
  if (replies.length === 0) continue;
  const sent = dev.txBatch(replies);
  for (let i = 0; i < replies.length; i++) {
    if (i >= sent) { stats.txFull++; replies[i].free(); continue; }
    if (sizes[i] < 0) stats.arpReplies++;
    else { stats.echoed++; stats.bytes += sizes[i]; }
  }
}
await delay.ms(20); // let the last echoes leave before the driver resets the NIC
dev.txBatch([]);
done = true;
summary();
