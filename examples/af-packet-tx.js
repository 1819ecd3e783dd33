// The baseline of the guest TX benchmark: the Linux kernel's own e1000 driver
// sending the same 60-byte frames, from a raw AF_PACKET socket — written with
// jsk:sys, so no tool is needed in the image.
//   jsk run examples/af-packet-tx.js IFNAME COUNT     (root; in the boot image: /init run /jsk/app/af-packet-tx.js eth0 N)
import * as sys from "jsk:sys";

const [ifname = "eth0", countText = "100000"] = process.argv.slice(2);
const count = Number(countText);
const SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCGIFINDEX = 0x8933, IFF_UP = 0x1;
const ETH_P_ALL = 0x0003;

// struct ifreq: the name (16 bytes), then a union (flags: short; ifindex: int).
const ifr = new Uint8Array(40);
ifr.set(new TextEncoder().encode(ifname));
const ctl = sys.socket(sys.AF_INET, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC);
sys.ioctl(ctl, SIOCGIFFLAGS, ifr);
const view = new DataView(ifr.buffer);
view.setUint16(16, view.getUint16(16, true) | IFF_UP, true);
sys.ioctl(ctl, SIOCSIFFLAGS, ifr);
sys.ioctl(ctl, SIOCGIFINDEX, ifr);
const ifindex = view.getInt32(16, true);

const fd = sys.socket(sys.AF_PACKET, sys.SOCK_RAW | sys.SOCK_CLOEXEC, sys.htons(ETH_P_ALL));
const frame = new Uint8Array(60).fill(0xff, 0, 6);
frame.set([0x52, 0x54, 0x00, 0x12, 0x34, 0x56], 6);
frame.set([0x08, 0x00], 12);
const to = { family: sys.AF_PACKET, protocol: ETH_P_ALL, ifindex, halen: 6, addr: new Uint8Array(8).fill(0xff, 0, 6) };
let sent = 0;
const t0 = performance.now();
while (sent < count) {
  try {
    sys.sendto(fd, frame, 0, to);
    sent++;
  } catch (e) {
    if (e.code !== "ENOBUFS" && e.code !== "EAGAIN") throw e;
  }
}
const s = (performance.now() - t0) / 1000;
console.log(`RESULT kernel-tx ${Math.round(sent / s)} packets/s (${sent} frames of 60 bytes through the kernel's e1000 driver, AF_PACKET)`);
