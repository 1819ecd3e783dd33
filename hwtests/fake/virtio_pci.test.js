// jsk:virtio/pci (hal-js/virtio/pci.js): the virtio structure capabilities (VIRTIO 4.1.4) found in a config
// space written here, as QEMU 7.2 lays out virtio-net-pci with disable-legacy=on, and every
// hostile variation refused with an Error that says what is wrong.
import { test, assert } from "jsk:test";
import { fakeRegion } from "jsk:native";
import { findStructures, notifyAddress, COMMON, CFG, COMMON_CFG_MIN } from "jsk:virtio/pci";
import { writeCapabilities, virtioCap, MSIX_CAP, qemuCapabilities, le32 } from "../models/virtio_pci.js";

const BAR4 = 0x4000;
const bars = (i) => (i === 4 ? BAR4 : undefined);

/** A config space holding `caps` (see ../models/virtio_pci.js). */
function configSpace(caps, opts) {
  const c = fakeRegion("config", 256, "mem");
  writeCapabilities(c, caps, opts);
  return c;
}

test("QEMU's layout: the first capability of each type, past the MSI-X one", () => {
  const s = findStructures("vnet", configSpace(qemuCapabilities()), bars);
  assert.deepEqual([s.common.bar, s.common.offset, s.common.length], [4, 0, 0x1000]);
  assert.deepEqual([s.isr.offset, s.device.offset, s.notify.offset, s.notify.multiplier], [0x1000, 0x2000, 0x3000, 4]);
  assert.equal(s.pci.kind, "PCI");
  assert.equal(notifyAddress("vnet", s.notify, 2), 0x3008);
  assert.throws(() => notifyAddress("vnet", s.notify, 1024), /outside the 4096-byte notify structure/);
});

test("a capability with a reserved BAR is ignored; the next of its type is used", () => {
  const caps = qemuCapabilities();
  caps.splice(1, 0, virtioCap(CFG.COMMON, 6, 0x100, 0x1000));
  assert.equal(findStructures("vnet", configSpace(caps), bars).common.offset, 0);
});

test("hostile capability lists are refused with what is wrong", () => {
  const refused = (cfg, pattern, why) => assert.throws(() => findStructures("vnet", cfg, bars), pattern, why);
  refused(undefined, /no PCI config space/, "a backend without config space");
  refused(configSpace(qemuCapabilities(), { status: 0 }), /no PCI capability list/, "status says no list");
  const loop = configSpace(qemuCapabilities());
  loop.write8(0x41, 0x40);
  refused(loop, /loops/, "a capability pointing at itself");
  const outside = configSpace(qemuCapabilities());
  outside.write8(0x34, 0x20);
  refused(outside, /outside the capability area/, "a pointer into the header");
  refused(configSpace(qemuCapabilities().filter(([, b]) => b[1] !== CFG.NOTIFY)), /no usable virtio NOTIFY capability/, "no notify");
  refused(configSpace([MSIX_CAP]), /COMMON, NOTIFY, ISR/, "a device with no virtio capability (legacy only)");
  const short = qemuCapabilities();
  short[1] = virtioCap(CFG.COMMON, 4, 0, COMMON_CFG_MIN - 4);
  refused(configSpace(short), /needs at least 56/, "a common configuration too short");
  const past = qemuCapabilities();
  past[2] = virtioCap(CFG.ISR, 4, 0x3ff0, 0x20);
  refused(configSpace(past), /runs past BAR4/, "a structure running past its BAR");
  const io = qemuCapabilities();
  io[3] = virtioCap(CFG.DEVICE, 2, 0, 0x10);
  refused(configSpace(io), /BAR2 is not a memory BAR/, "a BAR the device does not have");
  const truncated = qemuCapabilities();
  truncated[4] = [0x09, [16, CFG.NOTIFY, 4, 0, 0, 0, ...le32(0x3000), ...le32(0x1000)]];
  refused(configSpace(truncated), /16 bytes long; it takes 20/, "a notify capability without its multiplier");
});

test("the common configuration's registers, bound at the capability's offset", () => {
  const bar = fakeRegion("bar4", BAR4, "mem");
  const common = COMMON.on(bar, { base: 0x100 });
  common.QUEUE_SELECT.write(3);
  assert.equal(bar.read16(0x116), 3);
  common.DEVICE_STATUS.set({ ACKNOWLEDGE: 1, DRIVER: 1 });
  assert.equal(bar.read8(0x114), 3);
  bar.write16(0x112, 3);
  assert.equal(common.NUM_QUEUES.read(), 3);
  assert.throws(() => common.NUM_QUEUES.write(1), TypeError, "read-only");
  assert.throws(() => COMMON.on(bar, { base: -1 }), RangeError);
});
