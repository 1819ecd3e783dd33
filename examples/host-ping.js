// The host's side of the demo: ping a JS NIC driver inside QEMU from the
// host, with no tap device and no root networking. QEMU's `-netdev dgram`
// carries each Ethernet frame as one UDP datagram on loopback; this script
// is the far end of that cable: it resolves the driver's IPv4 address with
// ARP, then sends ICMP echo requests and prints the round-trip times.
//
//   jsk examples/host-ping.js LOCAL_PORT QEMU_PORT [IP] [COUNT]
//
// QEMU side: -netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=QEMU_PORT,
//            remote.type=inet,remote.host=127.0.0.1,remote.port=LOCAL_PORT
import * as sys from "jsk:sys";
import * as net from "jsk:net";
import { readable, TimeoutError } from "jsk:loop";

const [localPort, qemuPort, ip = "10.0.2.15", countText = "10", waitText = "120"] = process.argv.slice(2);
if (!localPort || !qemuPort) throw new Error("usage: host-ping.js LOCAL_PORT QEMU_PORT [IP] [COUNT] [BOOT_WAIT_S]");
const target = net.parseIPv4Address(ip);
const me = { mac: net.parseMac("02:00:00:00:00:99"), ip: net.parseIPv4Address("10.0.2.2") };
const qemu = { family: sys.AF_INET, address: "127.0.0.1", port: Number(qemuPort) };

const fd = sys.socket(sys.AF_INET, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC | sys.SOCK_NONBLOCK);
sys.bind(fd, { family: sys.AF_INET, address: "127.0.0.1", port: Number(localPort) });
const out = new Uint8Array(1514), inbuf = new Uint8Array(2048), frame = new net.Frame();

/** The next frame that `accept` likes, or null after `ms`. */
async function receive(ms, accept) {
  const deadline = performance.now() + ms;
  for (;;) {
    let n;
    try {
      n = sys.recvfrom(fd, inbuf).bytes;
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      try { await readable(fd, { timeout: Math.ceil(left) }); } catch (t) { if (t instanceof TimeoutError) return null; throw t; }
      continue;
    }
    if (net.parseFrame(inbuf, n, frame) && accept(frame)) return frame;
  }
}

// ARP until the driver answers: the guest may still be booting.
let mac = null;
const bootWait = performance.now() + Number(waitText) * 1000;
while (!mac) {
  sys.sendto(fd, out.subarray(0, net.buildArpRequest(out, me.mac, me.ip, target)), 0, qemu);
  const f = await receive(500, (f) => f.kind === "arp" && f.arp.op === net.ARP_REPLY && f.arp.senderIp === target);
  if (f) mac = Uint8Array.from(f.arp.senderMac);
  else if (performance.now() > bootWait) throw new Error(`no ARP reply from ${ip}`);
}
console.log(`${ip} is at ${net.formatMac(mac)} (ARP answered by the JS driver)`);

const count = Number(countText), rtts = [];
for (let seq = 0; seq < count; seq++) {
  const len = net.buildIcmpEchoFrame(out, { dstMac: mac, srcMac: me.mac, srcIp: me.ip, dstIp: target, id: 0x6a73, seq, payload: new TextEncoder().encode("jsk host ping") });
  const t0 = performance.now();
  sys.sendto(fd, out.subarray(0, len), 0, qemu);
  const f = await receive(2000, (f) => f.kind === "icmp" && f.icmp.type === net.ICMP_ECHO_REPLY && f.icmp.seq === seq);
  if (!f) { console.log(`no reply to icmp_seq=${seq}`); continue; }
  const rtt = performance.now() - t0;
  rtts.push(rtt);
  console.log(`${f.length} bytes from ${ip}: icmp_seq=${seq} ttl=${f.ip.ttl} time=${rtt.toFixed(2)} ms`);
}
const sorted = [...rtts].sort((a, b) => a - b);
const avg = rtts.reduce((a, b) => a + b, 0) / (rtts.length || 1);
console.log(`--- ${ip} ping statistics ---`);
console.log(`${count} packets transmitted, ${rtts.length} received, rtt min/avg/max = ${(sorted[0] ?? 0).toFixed(2)}/${avg.toFixed(2)}/${(sorted.at(-1) ?? 0).toFixed(2)} ms`);
sys.close(fd);
process.exitCode = rtts.length === count ? 0 : 1;
