// Answer ARP and ping for one IPv4 address, on the first attached NIC:
//   jsk run --board devices/qemu-x86.toml \
//     --netdev net0=dgram,local.type=inet,local.host=127.0.0.1,local.port=5555,remote.type=inet,remote.host=127.0.0.1,remote.port=5556 \
//     examples/ping-responder.js [IP] [--count N] [--every N] [--device NAME]
// IP defaults to 10.0.2.15. Stops after N echo replies (--count; default: run until Ctrl-C).
// Prints a line every N replies (--every, default 1; 0 for the summary only) and a summary at
// the end, Ctrl-C included. Frames are answered in place: each received request becomes its
// own reply in the same DMA buffer (rxBatch -> parse -> rewrite -> txBatch), nothing is copied.
import { netDevice } from "jsk:board";
import { delay } from "jsk:hal";
import * as net from "jsk:net";

function parseArgs(argv) {
  const o = { ip: "10.0.2.15", count: Infinity, every: 1, device: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const count = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a}: expected a non-negative integer, got ${v}`);
      return n;
    };
    if (a === "--count") o.count = count(value());
    else if (a === "--every") o.every = count(value());
    else if (a === "--device") o.device = value();
    else if (a.startsWith("--")) throw new Error(`unknown option ${a} (have --count, --every, --device)`);
    else o.ip = a;
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const myIp = net.parseIPv4Address(opts.ip);
const dev = netDevice(opts.device);
const mac = dev.mac;

const stats = { received: 0, arpReplies: 0, echoReplies: 0, ignored: 0, malformed: 0, txFull: 0 };
const start = performance.now();
let done = false;

function summary() {
  const s = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`ping-responder: ${stats.echoReplies} echo replies, ${stats.arpReplies} ARP replies; ` +
    `${stats.received} frames received (${stats.ignored} ignored, ${stats.malformed} malformed, ${stats.txFull} replies dropped: ring full) in ${s} s`);
}
process.on("exit", () => { if (!done) summary(); });

const link = dev.link;
console.log(`ping-responder: ${opts.ip} at ${dev.macAddress} on ${dev.name}, link ${link.up ? `up ${link.speedMbps} Mbit/s` : "down"}; Ctrl-C stops`);

const frame = new net.Frame(); // reused for every packet: the parse path allocates nothing
const replies = [];
const isEcho = []; // per reply: an echo reply (true) or an ARP reply (false)
while (stats.echoReplies < opts.count) {
  const rx = await dev.receive(32, { timeout: 1000 });
  if (rx.length === 0) continue;
  stats.received += rx.length;
  replies.length = 0;
  let echoes = 0;
  for (const p of rx) {
    const bytes = p.bytes;
    const f = net.parseFrame(bytes, p.length, frame);
    let n = 0;
    if (f === null) {
      stats.malformed++;
    } else if (f.kind === "arp") {
      if (f.arp.op === net.ARP_REQUEST && f.arp.targetIp === myIp) n = net.arpReplyInPlace(bytes, f, mac, myIp);
    } else if (f.kind === "icmp") {
      // An echo request for our address, sent to our MAC (not one we saw in promiscuous mode),
      // and not past --count.
      if (f.icmp.type === net.ICMP_ECHO_REQUEST && f.icmp.code === 0 && f.ip.dst === myIp &&
          net.macEquals(bytes, 0, mac) && stats.echoReplies + echoes < opts.count) {
        n = net.icmpEchoReplyInPlace(bytes, f, mac);
        echoes++;
      }
    }
    if (n > 0) {
      p.setLength(n);
      isEcho[replies.length] = f.kind === "icmp";
      replies.push(p);
    } else {
      if (f !== null) stats.ignored++;
      p.free();
    }
  }
  if (replies.length === 0) continue;
  const sent = dev.txBatch(replies);
  for (let i = 0; i < replies.length; i++) {
    const p = replies[i];
    if (i >= sent) {
      stats.txFull++;
      p.free();
      continue;
    }
    // Count what went out; the bytes are still ours to read until the next txBatch reclaims.
    if (!isEcho[i]) stats.arpReplies++;
    else {
      stats.echoReplies++;
      if (opts.every > 0 && stats.echoReplies % opts.every === 0) {
        const f = net.parseFrame(p.bytes, p.length, frame);
        console.log(`echo reply ${stats.echoReplies} to ${net.formatIPv4Address(f.ip.dst)}: id ${f.icmp.id} seq ${f.icmp.seq}, ${f.icmp.payloadLength} bytes`);
      }
    }
  }
}
// Let the last replies leave the NIC before the driver's remove() resets it.
await delay.ms(20);
dev.txBatch([]);
done = true;
summary();
