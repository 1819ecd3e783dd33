// Intel 8254x gigabit Ethernet controllers as QEMU emulates them: the 82540EM
// (8086:100e, QEMU's "e1000") and the 82545EM (8086:100f, "e1000-82545em").
//
// Reference: Intel, "PCI/PCI-X Family of Gigabit Ethernet Controllers Software
// Developer's Manual" (the 8254x SDM, 317453006EN rev. 4.0), cited as "SDM x.y":
// chapter 3 (legacy receive and transmit descriptors), 5.6 (EEPROM map), 13
// (registers) and 14 (initialization). The bring-up follows SDM 14.3-14.5 step
// by step, in the shape of ixy's ixgbe driver: quiet the device, reset it,
// general configuration, receive unit, transmit unit, interrupts last.
// QEMU's model (hw/net/e1000.c) differs from the silicon in ways noted where
// they matter: CTRL.RST resets nothing, and a write to RCTL holds reception
// back for one second (its flush_queue_timer).
//
// The handle IS a jsk:hal NetDevice (ixy-style batches over preallocated DMA
// buffers; nothing is allocated per packet):
//   mac, macAddress, link, rxBatch(max, out?), txBatch(packets), allocPacket(length),
//   rxBurst(ids, lens, max), txBurst(ids, lens, n), allocBurst(ids, n), freeBurst(ids, n), buffer(id), packet(id), idOf(p),
//   stats, promiscuous, waitRx({ timeout }), on("link", cb), waitForLink({ timeout }), tap(fn)
// and, for this family:
//   mode                 "irq" (interrupt 0 wakes waitRx and reports link changes) or "poll"
//   setMode(mode)        switch at run time (Error without an interrupt line)
//   model                "82540EM" or "82545EM"; macSource: "RAL/RAH" or "EEPROM"
//   readCounters()       the device's statistics registers (SDM 13.7) as numbers
//   reclaimTx()          return finished transmit buffers to their pools now (txBatch does it too)
//   txInFlight           transmit descriptors the device has not finished
//   readEepromMac()      the MAC address in EEPROM words 0-2 (SDM 5.6.1), read through EERD
//   readPhy(r), writePhy(r, v)  the internal PHY's registers, through MDIC (SDM 13.4.7)
//   restartAutoNegotiation()  PHY control register restart (link goes down, then up again)
//   lastError            the error that stopped interrupt/link handling (a device that cannot be read)
//   regs                 the register window (tests read registers through it)
//
// Options, as `dev.e1000 = { ... }` set on the Device before probe (tests do; board files cannot yet):
//   rxRingSize, txRingSize   descriptors per ring: a multiple of 8 in [8, 4096] (default 256)
//   rxPoolSize               receive buffers (default 2 x rxRingSize; more than rxRingSize)
//   txPoolSize               buffers for allocPacket and byte-array frames (default txRingSize)
//   mode                     "irq" or "poll" (default: "irq" when the device has an interrupt)
//   waitMs                   deadline of each reset, EEPROM and PHY wait (default 1000)
//
// Nothing the device writes is trusted: a receive descriptor's status, errors
// and length are checked against the buffer before the frame is handed out; a
// bad one is counted (stats.badDescriptors) and its buffer goes straight back
// to the ring. Only descriptors software gave the device are ever looked at.

import {
  driver, registers, waitFor, spinUntil, delay, PooledNetDevice, BUFFER, restock, dmaWmb, dmaRmb, ring, transition,
} from "jsk:hal";

// SDM 13.4 (Table 13-2, register summary). Only what this driver uses.
const E1000 = registers({
  // 13.4.1 Device Control. RST self-clears; PHY_RST and LRST must be 0 in normal operation.
  CTRL: { offset: 0x0000, fields: {
    FD: 0, LRST: 3, ASDE: 5, SLU: 6, ILOS: 7, SPEED: [9, 8], FRCSPD: 11, FRCDPLX: 12,
    RST: 26, RFCE: 27, TFCE: 28, VME: 30, PHY_RST: 31,
  } },
  // 13.4.2 Device Status.
  STATUS: { offset: 0x0008, access: "r", fields: {
    FD: 0, LU: 1, FUNC_ID: [3, 2], TXOFF: 4, SPEED: { bits: [7, 6], values: { MBPS_10: 0, MBPS_100: 1, MBPS_1000: 2 } },
  } },
  // 13.4.4 EEPROM Read (82540EP/EM and 82545EM layout: DONE is bit 4, the word address bits 15:8).
  EERD: { offset: 0x0014, fields: { START: 0, DONE: 4, ADDR: [15, 8], DATA: [31, 16] } },
  // 13.4.7 MDI Control: PHY register access. R (ready) is set by the device when the cycle is done.
  MDIC: { offset: 0x0020, fields: {
    DATA: [15, 0], REGADD: [20, 16], PHYADD: [25, 21],
    OP: { bits: [27, 26], values: { WRITE: 1, READ: 2 } }, R: 28, I: 29, E: 30,
  } },
  // 13.4.8-10 Flow control address and type: 0 when flow control is not used (SDM 14.3).
  FCAL: { offset: 0x0028 },
  FCAH: { offset: 0x002c },
  FCT: { offset: 0x0030 },
  FCTTV: { offset: 0x0170 },
  // 13.4.17 Interrupt Cause Read: reading clears every cause (and deasserts the line).
  ICR: { offset: 0x00c0, access: "r", fields: {
    TXDW: 0, TXQE: 1, LSC: 2, RXSEQ: 3, RXDMT0: 4, RXO: 6, RXT0: 7, MDAC: 9, RXCFG: 10, TXD_LOW: 15, SRPD: 16,
  } },
  // 13.4.18 Interrupt Throttling: minimum gap between interrupts, in 256 ns units.
  ITR: { offset: 0x00c4, fields: { INTERVAL: [15, 0] } },
  // 13.4.19 Interrupt Cause Set (write-only on the silicon).
  ICS: { offset: 0x00c8, access: "w" },
  // 13.4.20 Interrupt Mask Set/Read: writing 1 enables a cause; reading gives the mask.
  IMS: { offset: 0x00d0 },
  // 13.4.21 Interrupt Mask Clear: writing 1 disables a cause.
  IMC: { offset: 0x00d8, access: "w" },
  // 13.4.22 Receive Control.
  RCTL: { offset: 0x0100, fields: {
    EN: 1, SBP: 2, UPE: 3, MPE: 4, LPE: 5, LBM: [7, 6],
    RDMTS: { bits: [9, 8], values: { HALF: 0, QUARTER: 1, EIGHTH: 2 } },
    MO: [13, 12], BAM: 15,
    BSIZE: { bits: [17, 16], values: { B2048: 0, B1024: 1, B512: 2, B256: 3 } },
    VFE: 18, CFIEN: 19, CFI: 20, DPF: 22, PMCF: 23, BSEX: 25, SECRC: 26,
  } },
  // 13.4.33 Transmit Control.
  TCTL: { offset: 0x0400, fields: { EN: 1, PSP: 3, CT: [11, 4], COLD: [21, 12], SWXOFF: 22, RTLC: 24 } },
  // 13.4.34 Transmit IPG.
  TIPG: { offset: 0x0410, fields: { IPGT: [9, 0], IPGR1: [19, 10], IPGR2: [29, 20] } },
  // 13.4.25-29 Receive descriptor ring: base (16-byte aligned), length (128-byte multiple), head, tail.
  RDBAL: { offset: 0x2800 },
  RDBAH: { offset: 0x2804 },
  RDLEN: { offset: 0x2808 },
  RDH: { offset: 0x2810 },
  RDT: { offset: 0x2818 },
  // 13.4.30 Receive Delay Timer and 13.4.31 Receive Interrupt Absolute Delay: 0, no delay.
  RDTR: { offset: 0x2820 },
  RADV: { offset: 0x282c },
  // 13.4.36-40 Transmit descriptor ring.
  TDBAL: { offset: 0x3800 },
  TDBAH: { offset: 0x3804 },
  TDLEN: { offset: 0x3808 },
  TDH: { offset: 0x3810 },
  TDT: { offset: 0x3818 },
  // 13.5.1 Multicast Table Array (128 words from here).
  MTA: { offset: 0x5200 },
  // 13.5.2/13.5.3 Receive Address 0 (16 pairs, 8 bytes apart, from here). AV: the entry is valid.
  RAL0: { offset: 0x5400 },
  RAH0: { offset: 0x5404, fields: { RAH: [15, 0], ASEL: [17, 16], AV: 31 } },
  // 13.7 Statistics (all clear when read on the silicon).
  CRCERRS: { offset: 0x4000, access: "r" },
  ALGNERRC: { offset: 0x4004, access: "r" },
  SYMERRS: { offset: 0x4008, access: "r" },
  RXERRC: { offset: 0x400c, access: "r" },
  MPC: { offset: 0x4010, access: "r" },
  COLC: { offset: 0x4028, access: "r" },
  GPRC: { offset: 0x4074, access: "r" },
  BPRC: { offset: 0x4078, access: "r" },
  MPRC: { offset: 0x407c, access: "r" },
  GPTC: { offset: 0x4080, access: "r" },
  GORCL: { offset: 0x4088, access: "r" },
  GORCH: { offset: 0x408c, access: "r" },
  GOTCL: { offset: 0x4090, access: "r" },
  GOTCH: { offset: 0x4094, access: "r" },
  RNBC: { offset: 0x40a0, access: "r" },
  RUC: { offset: 0x40a4, access: "r" },
  ROC: { offset: 0x40ac, access: "r" },
  TPR: { offset: 0x40d0, access: "r" },
  TPT: { offset: 0x40d4, access: "r" },
}, { device: "e1000" });

const REG = E1000.regs;
/** The 32-bit mask of some fields of a register, from the declaration above. */
const bits = (reg, ...names) => names.reduce((m, n) => (m | (((1 << reg.fields[n].width) - 1) << reg.fields[n].lo)) >>> 0, 0);

const MODELS = { 0x100e: "82540EM", 0x100f: "82545EM" };
const RA_ENTRIES = 16;                 // SDM 13.5.2: RAL/RAH 0..15
const RA_STRIDE = 8;
const MTA_ENTRIES = 128;               // SDM 13.5.1: 4096 bits
const STATS_FIRST = 0x4000;            // SDM 13.7: the statistics block
const STATS_LAST = 0x40fc;
const REGISTER_WINDOW = 0x6000;        // everything above lies below this

// SDM 3.2.3 legacy receive descriptor (16 bytes): buffer address 0-7, length 8-9,
// packet checksum 10-11, status 12, errors 13, special 14-15.
const DESC_SIZE = 16;
const RXD_ADDRESS = 0;
const RXD_LENGTH = 8;
const RXD_STATUS = 12;
const RXD_ERRORS = 13;
const RXD_STAT_DD = 1 << 0;            // 3.2.3.1 descriptor done
const RXD_STAT_EOP = 1 << 1;           // 3.2.3.1 end of packet
// 3.2.3.2 frame errors: CE (CRC/alignment), SE (symbol), SEQ (sequence), CXE (carrier
// extension), RXE (RX data error). TCPE/IPE only mean something with checksum offload, which is off.
const RXD_ERR_FRAME = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 7);
// Descriptor word 3 (status 7:0, errors 15:8) of a good frame: DD and EOP, no frame error.
const RXD_GOOD_MASK = RXD_STAT_DD | RXD_STAT_EOP | (RXD_ERR_FRAME << 8);
const RXD_GOOD = RXD_STAT_DD | RXD_STAT_EOP;
// SDM 3.3.3 legacy transmit descriptor: buffer address 0-7, length 8-9, CSO 10, CMD 11,
// STA 12 (bits 3:0), CSS 13, special 14-15.
const TXD_ADDRESS = 0;
const TXD_LENGTH = 8;
const TXD_STATUS = 12;
const TXD_CMD_EOP = 1 << 0;            // 3.3.3.1 end of packet
const TXD_CMD_IFCS = 1 << 1;           // 3.3.3.1 insert the FCS
const TXD_CMD_RS = 1 << 3;             // 3.3.3.1 report status: the device writes DD back
const TXD_CMD = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
// Bytes 8-15 as one little-endian field: length 0, CSO 0, CMD, STA 0 (DD clear), CSS 0, special 0.
const TXD_UPPER = TXD_CMD * 2 ** 24;
const TXD_STAT_DD = 1 << 0;            // 3.3.3.2 descriptor done
const TXD_STAT_ERR = (1 << 1) | (1 << 2); // 3.3.3.2 EC (excess collisions), LC (late collision)
const POISON = 0xff;                   // fills rings before the device sees them

const BUFFER_SIZE = 2048;              // RCTL.BSIZE = 2048 with BSEX = 0 (SDM 13.4.22)
const ETH_HLEN = 14;                   // a frame shorter than its header is no frame
const ETH_MAX_FRAME = 1518;            // 1500-byte payload, header and an 802.1Q tag, FCS not included
const INTERRUPTS_PER_SECOND = 10000;   // ITR: 1e9 / (10000 x 256 ns) ~ 390 (SDM 13.4.18)
// Causes SDM 14.4 suggests (receive timer, overrun, descriptor minimum threshold, sequence
// error, link status change); transmit interrupts are not needed (txBatch reclaims).
const IMS_CAUSES = bits(REG.ICR, "RXT0", "RXO", "RXDMT0", "RXSEQ", "LSC");
const RX_CAUSES = bits(REG.ICR, "RXT0", "RXO", "RXDMT0");
const LSC = bits(REG.ICR, "LSC");
const RXO = bits(REG.ICR, "RXO");
const ALL_CAUSES = 0xffffffff;
const PHY_ADDRESS = 1;                 // the 8254x's internal PHY answers at MDIO address 1
const PHY_CTRL = 0;                    // IEEE 802.3 clause 22 register 0 (the SDM's PCTRL)
const PHY_CTRL_ANRESTART = 1 << 9;
const PHY_CTRL_ANENABLE = 1 << 12;
const QUIESCE_MS = 10;                 // after RCTL/TCTL.EN = 0 before a reset (Linux e1000_reset_hw)
const RESET_SETTLE_MS = 1;             // SDM 13.4.1: wait after setting RST before touching registers
const POLL_MS = 1;                     // waitRx in poll mode
const LINK_POLL_MS = 100;              // link changes in poll mode
const { DRIVER, HELD, SENDING } = BUFFER;   // who has a buffer (jsk:hal/net)

const DEFAULTS = Object.freeze({ rxRingSize: 256, txRingSize: 256, rxPoolSize: undefined, txPoolSize: undefined, mode: undefined, waitMs: 1000 });

// Descriptors are little-endian (SDM 3.2.3) and written through typed arrays, which use the host's order.
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const hex = (v) => "0x" + (v >>> 0).toString(16).padStart(8, "0");
/** What a buffer that is not the program's is, for an error (BUFFER states). */
const macText = (m) => Array.from(m, (b) => b.toString(16).padStart(2, "0")).join(":");
/** An individual (not multicast), non-zero address. */
const validMac = (m) => m.length === 6 && (m[0] & 1) === 0 && m.some((b) => b !== 0);

function options(dev) {
  const o = { ...DEFAULTS, ...(dev.e1000 ?? {}) };
  const name = dev.name;
  for (const key of ["rxRingSize", "txRingSize"]) {
    const n = o[key];
    if (!Number.isInteger(n) || n < 8 || n > 4096 || n % 8 !== 0)
      throw new RangeError(`e1000: ${name}: ${key} ${n}: a ring is a multiple of 8 descriptors (RDLEN/TDLEN are 128-byte multiples, SDM 14.4), 8 to 4096`);
  }
  o.rxPoolSize ??= 2 * o.rxRingSize;
  o.txPoolSize ??= o.txRingSize;
  if (!Number.isInteger(o.rxPoolSize) || o.rxPoolSize <= o.rxRingSize)
    throw new RangeError(`e1000: ${name}: rxPoolSize ${o.rxPoolSize} must be an integer above rxRingSize (${o.rxRingSize}): every descriptor holds a buffer`);
  if (!Number.isInteger(o.txPoolSize) || o.txPoolSize < 1)
    throw new RangeError(`e1000: ${name}: txPoolSize ${o.txPoolSize} must be a positive integer`);
  if (o.rxPoolSize + o.txPoolSize > 65536)
    throw new RangeError(`e1000: ${name}: ${o.rxPoolSize + o.txPoolSize} buffers: buffer ids are 16 bits (at most 65536)`);
  if (o.mode !== undefined && o.mode !== "irq" && o.mode !== "poll")
    throw new TypeError(`e1000: ${name}: mode "${o.mode}" is not "irq" or "poll"`);
  if (!Number.isFinite(o.waitMs) || o.waitMs < 0) throw new RangeError(`e1000: ${name}: waitMs ${o.waitMs} is not a duration`);
  return o;
}

/** One descriptor ring in DMA memory, with typed views made once (SDM 3.2.6 / 3.4: a circular queue). */
class DescriptorRing {
  constructor(dev, size, what) {
    this.size = size;
    this.bytes = size * DESC_SIZE;           // RDLEN/TDLEN: a multiple of 128 since size % 8 === 0
    this.dma = dev.dma(this.bytes, { align: 4096 }); // base 16-byte aligned (SDM 14.4, 14.5); a page keeps it simple
    this.what = what;
    this.u8 = new Uint8Array(this.dma.buffer);
    this.u32 = new Uint32Array(this.dma.buffer);
    this.records = ring(this.dma.buffer, size, DESC_SIZE);   // one field of many descriptors per call
    this.iovaLo = Number(this.dma.iova & 0xffffffffn);
    this.iovaHi = Number(this.dma.iova >> 32n);
  }
  poison() { this.u8.fill(POISON); }
  free() { this.dma.free(); }
}

class E1000Device extends PooledNetDevice {
  constructor(dev, regs, opts) {
    // The NetDevice ops the base class calls; the data path is this class's bursts.
    super(dev.name, `e1000: ${dev.name}`, {
      link: () => this.readLink(),
      counters: () => ({ ...this.counters }),
      setPromiscuous: (on) => this.setPromiscuous(on),
    });
    this.dev = dev;
    this.regs = regs;
    this.bar = regs.region;
    this.opts = opts;
    this.model = MODELS[dev.device] ?? `8086:${(dev.device ?? 0).toString(16)}`;
    this.macSource = undefined;
    this.irq = dev.irqCount > 0 ? dev.irq(0) : null;
    this.mode_ = "off";
    this.counters = {
      rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0,
      rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0, badDescriptors: 0,
      rxOverruns: 0, interrupts: 0, linkChanges: 0,
    };
    this.pollTimer = null;
    this.linkTimer = null;
    this.onInterrupt = () => this.serviceInterrupt();
    this.onPoll = () => { if (this.rxReady()) this.wakeRx(); };
    this.onLinkPoll = () => this.linkChanged();
    this.irqMasked = false;   // the interrupt line waits for its unmask (serviceInterrupt)
    this.unmaskTimer = null;
    this.onUnmask = () => { this.unmaskTimer = null; this.unmaskIrq(); };
    // Hot-path constants: register offsets from the declaration, not retyped.
    this.RDT = REG.RDT.offset;
    this.TDT = REG.TDT.offset;
    this.ICR = REG.ICR.offset;

    // Memory first: if it cannot be had, the device has not been touched.
    this.rxRing = new DescriptorRing(dev, opts.rxRingSize, "receive");
    this.txRing = new DescriptorRing(dev, opts.txRingSize, "transmit");
    // Buffers are numbered: receive ones 0 to rxPoolSize - 1, transmit ones after them, with
    // one state table (BUFFER: the driver's, the program's, being sent) and one table of
    // device addresses, so that a batch moves as numbers through the batch operations.
    this.setupPools(dev, { rxCount: opts.rxPoolSize, txCount: opts.txPoolSize, size: BUFFER_SIZE, batch: Math.max(opts.rxRingSize, opts.txRingSize) });
    // The buffer each descriptor holds, as rings of ids beside the descriptor rings.
    this.rxSlotIds = new Uint16Array(opts.rxRingSize);
    this.rxIds = ring(this.rxSlotIds.buffer, opts.rxRingSize, 2);
    this.txSlotIds = new Uint16Array(opts.txRingSize);
    this.txIds = ring(this.txSlotIds.buffer, opts.txRingSize, 2);
    // Ids on their way back to the pools.
    this.reclaimed = new Uint16Array(opts.txRingSize);
    this.reclaimedIds = ring(this.reclaimed.buffer, opts.txRingSize, 2);
    this.rxNext = 0;        // the next receive descriptor to look at; the one before it is held back
    this.rxDiscarding = false;
    this.txTail = 0;        // the next transmit descriptor to fill (what TDT says)
    this.txClean = 0;       // the oldest transmit descriptor not yet reclaimed
    this.txInFlight = 0;
    this.reclaimAt = opts.txRingSize >> 2;   // reclaim once this many transmissions are in flight
  }

  /** "irq" or "poll". */
  get mode() { return this.mode_; }

  // ---- bring-up -------------------------------------------------------------

  async start() {
    const { regs, opts } = this;

    // Quiet first: whoever had the device before may have left it receiving and interrupting
    // (SDM 13.4.21 IMC; 13.4.22/13.4.33 EN = 0 stops the units after the frame in progress).
    regs.IMC.write(ALL_CAUSES);
    regs.RCTL.write(0);
    regs.TCTL.write({ PSP: 1 });
    regs.STATUS.read();                                   // flush the posted writes
    await delay.ms(QUIESCE_MS);

    // SDM 14.3 / 13.4.1: global reset. RST self-clears; wait before touching the device again.
    // QEMU's model is the target here: on the silicon, Linux's e1000_reset_hw issues this
    // write through the I/O BAR on the 82540/82545 (they "can't ack the 64-bit write when
    // issuing the reset") and waits 5 ms; a driver for real 8254x cards would do the same.
    regs.CTRL.set({ RST: 1 });
    await delay.ms(RESET_SETTLE_MS);
    await waitFor(() => regs.CTRL.RST.isClear(), { ms: opts.waitMs, what: `e1000: ${this.name}: CTRL.RST to clear after a device reset` });
    // The reset masks every interrupt on the silicon (not in QEMU's model): mask and clear anyway.
    regs.IMC.write(ALL_CAUSES);
    regs.ICR.read();

    // SDM 14.3 General configuration: link set up by the PHY's auto-negotiation, speed and
    // duplex taken from it (ASDE with SLU), nothing forced, no flow control, no VLANs.
    regs.CTRL.set({ SLU: 1, ASDE: 1, LRST: 0, PHY_RST: 0, ILOS: 0, FRCSPD: 0, FRCDPLX: 0, VME: 0, RFCE: 0, TFCE: 0 });
    regs.FCAL.write(0);
    regs.FCAH.write(0);
    regs.FCT.write(0);
    regs.FCTTV.write(0);

    // SDM 14.4 Receive initialization.
    // RAL0/RAH0 hold the station address: loaded from the EEPROM at reset, else read it there (SDM 5.6.1).
    this.setMac(this.readStationAddress());
    for (let i = 1; i < RA_ENTRIES; i++) {
      this.bar.write32(REG.RAL0.offset + i * RA_STRIDE, 0);
      this.bar.write32(REG.RAH0.offset + i * RA_STRIDE, 0);
    }
    for (let i = 0; i < MTA_ENTRIES; i++) this.bar.write32(REG.MTA.offset + 4 * i, 0);   // "initialize the MTA to 0b"
    // 13.7: statistics are not reset by software; read them so they start from zero.
    for (let off = STATS_FIRST; off <= STATS_LAST; off += 4) this.bar.read32(off);

    const rx = this.rxRing;
    rx.poison();
    this.fillRxRing();
    regs.RDBAL.write(rx.iovaLo);
    regs.RDBAH.write(rx.iovaHi);
    regs.RDLEN.write(rx.bytes);
    // Head at the first valid descriptor, tail one past the last: the device owns RDH..RDT-1,
    // we hold back descriptor RDT so that a full ring never looks empty.
    regs.RDH.write(0);
    regs.RDT.write(rx.size - 1);
    regs.RDTR.write(0);
    regs.RADV.write(0);
    regs.ITR.write({ INTERVAL: Math.round(1e9 / (INTERRUPTS_PER_SECOND * 256)) });

    // SDM 14.5 Transmit initialization.
    const tx = this.txRing;
    tx.poison();
    regs.TDBAL.write(tx.iovaLo);
    regs.TDBAH.write(tx.iovaHi);
    regs.TDLEN.write(tx.bytes);
    regs.TDH.write(0);                                    // the device owns the head, we own the tail
    regs.TDT.write(0);
    regs.TIPG.write({ IPGT: 10, IPGR1: 8, IPGR2: 6 });   // 14.5: the minimum legal IPG for copper

    // DMA from here on. Receive last among the units: 14.4 advises enabling it only once
    // the ring is ready and software is ready for frames.
    this.dev.enableBusMaster();
    // 14.5: EN, pad short frames, collision threshold 10h, collision distance 40h (full duplex).
    regs.TCTL.write({ EN: 1, PSP: 1, CT: 0x10, COLD: 0x40 });
    this.writeRctl(false);

    // Interrupts last (14.4 lists IMS among the receive steps; enabling it after the units
    // means no cause can arrive before its handler is there).
    this.setMode(opts.mode ?? (this.irq ? "irq" : "poll"));
    this.lastLinkUp = this.readLink().up;
  }

  /** 14.4 RCTL: receiver on, broadcasts accepted, 2048-byte buffers, CRC stripped, no loopback. */
  writeRctl(promiscuous) {
    this.promiscuous_ = promiscuous;
    this.regs.RCTL.write({
      EN: 1, BAM: 1, SECRC: 1, BSIZE: "B2048", BSEX: 0, LPE: 0, LBM: 0, RDMTS: "HALF", MO: 0,
      UPE: promiscuous ? 1 : 0, MPE: promiscuous ? 1 : 0,
    });
  }

  /** RAL0/RAH0 if they hold a valid address (AV set), else EEPROM words 0-2 (SDM 5.6.1). */
  readStationAddress() {
    const ral = this.regs.RAL0.read();
    const rah = this.regs.RAH0.read();
    const fromRa = [ral & 0xff, (ral >>> 8) & 0xff, (ral >>> 16) & 0xff, ral >>> 24, rah & 0xff, (rah >>> 8) & 0xff];
    if (this.regs.RAH0.decode(rah).AV && validMac(fromRa)) {
      this.macSource = "RAL/RAH";
      return fromRa;
    }
    const fromEeprom = this.readEepromMac();
    if (!validMac(fromEeprom))
      throw new Error(`e1000: ${this.name}: no valid MAC address: RAL0/RAH0 read ${hex(ral)}/${hex(rah)}, EEPROM words 0-2 give ${macText(fromEeprom)}`);
    this.macSource = "EEPROM";
    return fromEeprom;
  }

  /** Program RAL0/RAH0 (AV set) and the NetDevice's address. */
  setMac(mac) {
    this.mac = Uint8Array.from(mac);
    this.regs.RAL0.write((mac[0] | (mac[1] << 8) | (mac[2] << 16) | (mac[3] << 24)) >>> 0);
    this.regs.RAH0.write({ RAH: mac[4] | (mac[5] << 8), ASEL: 0, AV: 1 });
  }

  /** One EEPROM word through EERD (SDM 13.4.4): START with the address, then DONE with the data. */
  readEepromWord(address) {
    const { regs } = this;
    regs.EERD.write({ START: 1, ADDR: address });
    let value = 0;
    spinUntil(() => (value = regs.EERD.read(), regs.EERD.decode(value).DONE), {
      us: this.opts.waitMs * 1000, what: `e1000: ${this.name}: EERD.DONE for EEPROM word ${address}`,
    });
    return regs.EERD.decode(value).DATA;
  }

  /** SDM 5.6.1: the Ethernet address is EEPROM words 0-2, low byte first. */
  readEepromMac() {
    const mac = [];
    for (let w = 0; w < 3; w++) {
      const word = this.readEepromWord(w);
      mac.push(word & 0xff, word >>> 8);
    }
    return mac;
  }

  // ---- link ---------------------------------------------------------------------

  /** SDM 13.4.2: STATUS.LU, SPEED and FD (speed and duplex as the MAC resolved them). */
  readLink() {
    const s = this.regs.STATUS.decode();
    return { up: s.LU === 1, speedMbps: [10, 100, 1000, 1000][s.SPEED], fullDuplex: s.FD === 1 };
  }

  /**
   * The link may have changed: read STATUS and tell the "link" listeners if LU differs from
   * what they heard last (NetDevice.linkChanged, with a device that cannot be read stopping
   * the driver's background work instead of escaping into the event loop).
   */
  linkChanged() {
    let link;
    try {
      link = this.readLink();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (link.up === this.lastLinkUp) return;
    this.lastLinkUp = link.up;
    this.counters.linkChanges++;
    for (const cb of this.linkListeners) cb(link);
  }

  /** PHY register `register` (0-31) of the internal PHY, through MDIC. */
  readPhy(register) { this.checkLive(); return this.phyAccess("READ", register); }
  /** Write PHY register `register`. Error if the PHY refuses (MDIC.E), TimeoutError without MDIC.R. */
  writePhy(register, value) { this.checkLive(); this.phyAccess("WRITE", register, value); }

  /** One PHY register cycle through MDIC (SDM 13.4.7), waiting for R with a deadline. */
  phyAccess(op, register, data = 0) {
    const { regs } = this;
    regs.MDIC.write({ DATA: data, REGADD: register, PHYADD: PHY_ADDRESS, OP: op });
    let value = 0;
    spinUntil(() => (value = regs.MDIC.read(), regs.MDIC.decode(value).R), {
      us: this.opts.waitMs * 1000, what: `e1000: ${this.name}: MDIC.R after a PHY ${op === "READ" ? "read" : "write"} of register ${register}`,
    });
    const m = regs.MDIC.decode(value);
    if (m.E) throw new Error(`e1000: ${this.name}: the PHY refused a ${op === "READ" ? "read" : "write"} of register ${register} (MDIC.E, MDIC ${hex(value)})`);
    return m.DATA;
  }

  /**
   * Restart auto-negotiation (PHY control register bit 9, through MDIC): the link goes down
   * now and comes back when the PHY has negotiated (an LSC interrupt in irq mode).
   * Listeners hear "down" at once.
   */
  async restartAutoNegotiation() {
    this.checkLive();
    const ctrl = this.phyAccess("READ", PHY_CTRL);
    this.phyAccess("WRITE", PHY_CTRL, ctrl | PHY_CTRL_ANENABLE | PHY_CTRL_ANRESTART);
    this.linkChanged();
  }

  // ---- interrupts and polling ------------------------------------------------------

  /** Switch between interrupt-driven ("irq") and polled ("poll") operation. */
  setMode(mode) {
    this.checkLive();
    if (mode !== "irq" && mode !== "poll") throw new TypeError(`e1000: ${this.name}: mode "${mode}" is not "irq" or "poll"`);
    if (mode === "irq" && !this.irq) throw new Error(`e1000: ${this.name}: no interrupt line: only "poll" mode`);
    if (mode === this.mode_) return;
    const { regs } = this;
    if (mode === "irq") {
      clearInterval(this.linkTimer);
      this.linkTimer = null;
      // Handler first, then causes on: nothing can arrive unserved.
      this.irq.on(this.onInterrupt).unref();
      regs.ICR.read();
      this.irq.unmask();
      regs.IMS.write(IMS_CAUSES);
    } else {
      regs.IMC.write(ALL_CAUSES);
      this.irq?.off();
      this.linkTimer = setInterval(this.onLinkPoll, LINK_POLL_MS).unref();
    }
    this.mode_ = mode;
    this.updateWaiting();
  }

  /** The interrupt handler: ICR read clears the causes and lowers the line (SDM 13.4.17). */
  serviceInterrupt() {
    if (this.removed || this.lastError) return;
    let icr;
    try {
      icr = this.bar.read32(this.ICR);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.counters.interrupts++;
    if (icr & RXO) this.counters.rxOverruns++;
    // Level-triggered INTx under VFIO stays masked until it is unmasked (an ioctl, a good
    // part of the round trip in a guest). With someone waiting for frames, they run first
    // and the line is unmasked when they wait again (waitForFrames), or at the latest on the
    // next turn of the loop; otherwise at once.
    if (this.rxWaiters.length && ((icr & RX_CAUSES) || this.rxReady())) {
      this.irqMasked = true;
      this.unmaskTimer ??= setTimeout(this.onUnmask, 0);
      this.wakeRx();
    } else {
      this.irq.unmask();
    }
    if (icr & LSC) this.linkChanged();
  }

  /** Unmask the interrupt line if serviceInterrupt left it masked. */
  unmaskIrq() {
    if (!this.irqMasked || this.removed) return;
    this.irqMasked = false;
    try {
      this.irq.unmask();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Whether the device finished the next receive descriptor. */
  rxReady() { return (this.rxRing.u8[(this.rxNext << 4) + RXD_STATUS] & RXD_STAT_DD) !== 0; }

  /** waitRx resolves at once when the next descriptor is done; else interrupts are wanted again. */
  framesReady() {
    if (this.rxReady()) return true;
    this.unmaskIrq();   // about to sleep
    return false;
  }

  /**
   * Background work failed (the device or its backend is gone): stop interrupts and timers,
   * keep the error (lastError), and hand it to whoever waits for frames.
   */
  fail(e) {
    if (this.lastError) return;
    this.lastError = e;
    console.error(`e1000: ${this.name}: interrupt and link handling stopped: ${e?.message ?? e}`);
    this.irq?.off();
    clearInterval(this.linkTimer);
    this.linkTimer = null;
    this.rejectWaiters(e);
    this.updateWaiting();
  }

  /** Keep the process alive (and poll, in poll mode) only while someone waits for frames. */
  updateWaiting() {
    const waiting = this.rxWaiters.length > 0 && !this.removed;
    if (this.mode_ === "irq" && !this.lastError) {
      if (waiting) this.irq.ref(); else this.irq.unref();
    }
    if (this.mode_ === "poll" && waiting) {
      this.pollTimer ??= setInterval(this.onPoll, POLL_MS);
    } else if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
  }

  // ---- receive -------------------------------------------------------------------
  //
  // The data path works on numbered buffers (the burst calls); rxBatch and txBatch are the
  // same calls with a Packet object per buffer. Per batch it makes a fixed number of batch
  // operations (jsk:hal ring/take/transition), whatever the batch size: the interpreter
  // touches no descriptor field on the good path.

  /** Every receive descriptor gets a free buffer (start; rxPoolSize > rxRingSize, options). */
  fillRxRing() { this.armRx(0, this.rxRing.size); }

  /**
   * Receive descriptors `at..at+n` (wrapping) get the top `n` free buffers of the pool: our
   * addresses (never what the device left there), everything else cleared.
   */
  armRx(at, n) {
    const pool = this.rxPool;
    const records = this.rxRing.records;
    pool.top -= n;
    this.rxIds.scatter(at, n, 0, 2, pool.stack, pool.top);
    records.scatterFrom(at, n, RXD_ADDRESS, 8, this.bufIova, pool.stack, pool.top);
    records.scatter(at, n, RXD_LENGTH, 8, 0);        // length, checksum, status, errors, special
  }

  /**
   * Up to `max` received frames as buffer ids (`ids`) and lengths (`lens`), in order, from the
   * next `max` descriptors the device finished (a bad one takes a place too); returns how many.
   * Each finished descriptor is checked (DD and EOP set, no frame error, ETH_HLEN <= length <=
   * buffer) before its buffer leaves the ring, and a fresh buffer from the pool takes its
   * place; RDT is written once. Without a spare buffer the frame is dropped (stats.rxDropped)
   * and its buffer stays in the ring. The buffers handed out are the program's until sent
   * (txBurst/txBatch) or freed (freeBurst/packet.free()).
   */
  rxBurst(ids, lens, max = ids?.length) {
    if (this.removed) this.checkLive();
    const ok = this.rxChecked;
    if (ids !== ok.ids || lens !== ok.lens || !(max >= 0 && max <= ok.room)) this.checkArrays(ok, "rxBurst", ids, lens, max);
    const { rxRing: rx, rxPool: pool, counters } = this;
    const { records, size } = rx;
    let next = this.rxNext;
    // At most size - 1: the descriptor held back (just before rxNext) is never the device's.
    const want = Math.min(max, size - 1);
    let got = 0;
    let seen = 0;
    let bytes = 0;
    let retried = -1;
    while (seen < want) {
      // The run of finished, whole, error-free frames from `next` (status and errors read
      // as one 16-bit field: DD and EOP set, no frame error); then one dmaRmb() before
      // anything else of them is read, as Linux's e1000_clean_rx_irq. Of those, the ones
      // whose lengths fit their buffers, as long as spare buffers can replace them.
      let run = this.rxDiscarding ? 0 : records.count(next, want - seen, RXD_STATUS, 2, RXD_GOOD_MASK, RXD_GOOD);
      if (run > 0) {
        dmaRmb();
        run = records.countWithin(next, run, RXD_LENGTH, 2, ETH_HLEN, pool.size);
        // Forwarded buffers come home only when transmissions are reclaimed: do it now
        // rather than drop frames for want of them.
        if (pool.top < run && this.txInFlight > 0) this.reclaimTx();
        run = Math.min(run, pool.top);
      }
      if (run > 0) {
        bytes += records.gather(next, run, RXD_LENGTH, 2, lens, got);   // returns their sum
        // Their buffers go to the program...
        this.rxIds.gather(next, run, 0, 2, ids, got);
        if (transition(this.bufState, ids, got, run, DRIVER, HELD) !== run)
          throw new Error(`${this.label}: receive ring slot ${next}: a buffer the driver did not hold (a driver bug)`);
        // ...fresh ones from the pool take their places.
        this.armRx(next, run);
        got += run;
        seen += run;
        next += run;
        if (next >= size) next -= size;
        if (seen === want) break;
      }
      // The descriptor the run stopped at: not finished (the end of this batch), or finished
      // but no frame to hand out (counted; its buffer goes back to the device).
      if ((rx.u8[(next << 4) + RXD_STATUS] & RXD_STAT_DD) === 0) break;
      dmaRmb();
      // A good frame the device finished after the scan (it runs beside us): the next run
      // takes it. Once per descriptor, so a device that keeps changing its mind cannot hold
      // this loop.
      if (retried !== next && this.rxTakeable(next)) {
        retried = next;
        continue;
      }
      this.rxOne(next);
      seen++;
      next = next + 1 === size ? 0 : next + 1;
    }
    if (seen === 0) return 0;
    this.rxNext = next;
    // Everything before `next` goes back to the device except the held-back one; the
    // descriptors' new contents reach memory before the device sees RDT move.
    dmaWmb();
    this.bar.write32(this.RDT, next === 0 ? size - 1 : next - 1);
    counters.rxPackets += got;
    counters.rxBytes += bytes;
    if (this.taps.size) this.tapBurst("rx", ids, lens, got);
    return got;
  }

  /** Whether finished descriptor `i` holds a whole, error-free frame that fits its buffer. */
  rxGood(i) {
    const { u32 } = this.rxRing;
    const length = u32[(i << 2) + 2] & 0xffff;     // word 2: length 15:0, checksum 31:16
    return (u32[(i << 2) + 3] & RXD_GOOD_MASK) === RXD_GOOD && length >= ETH_HLEN && length <= this.rxPool.size;
  }

  /** Whether finished descriptor `i` holds a frame a run would hand out now (and a spare buffer waits). */
  rxTakeable(i) {
    if (this.rxPool.top === 0 && this.txInFlight > 0) this.reclaimTx();
    return !this.rxDiscarding && this.rxPool.top > 0 && this.rxGood(i);
  }

  /**
   * One finished descriptor a run stopped at: a good frame without a spare buffer to replace
   * its own (dropped), a frame error, a bad length, or part of a frame spanning descriptors.
   * Counted; its buffer goes straight back to the device.
   */
  rxOne(i) {
    const { counters } = this;
    const { u32, records } = this.rxRing;
    const w = i << 2;
    const word3 = u32[w + 3];                    // status 7:0, errors 15:8, special 31:16 (SDM 3.2.3)
    if (this.rxDiscarding) {
      // The rest of a frame that spanned descriptors: not a frame this driver can take.
      counters.badDescriptors++;
      if (word3 & RXD_STAT_EOP) this.rxDiscarding = false;
    } else if (this.rxGood(i)) {
      counters.rxDropped++;
    } else if ((word3 & RXD_STAT_EOP) === 0) {
      // LPE is off and buffers hold 2048 bytes: a good frame always fits one descriptor.
      counters.badDescriptors++;
      counters.rxErrors++;
      this.rxDiscarding = true;
    } else if ((word3 >>> 8) & RXD_ERR_FRAME) {
      counters.rxErrors++;
    } else {
      counters.badDescriptors++;                 // a length outside [ETH_HLEN, buffer]
    }
    // Our buffer's address again (never what the device left there), status cleared.
    records.scatter(i, 1, RXD_ADDRESS, 8, this.bufIova, this.rxSlotIds[i]);
    u32[w + 3] = 0;
  }

  // ---- transmit ----------------------------------------------------------------

  /** txBatch: reclaim if due, then how many frames the ring has room for. */
  txRoom(n) {
    this.reclaimDue(n);
    return this.txRing.size - 1 - this.txInFlight;
  }

  /**
   * Return the buffers of transmissions the device finished (TX descriptor DD, SDM 3.3.3.2)
   * to their pools, oldest first. Returns how many. Only descriptors in flight are read.
   */
  reclaimTx() {
    const { records, u8, size } = this.txRing;
    let clean = this.txClean;
    let inFlight = this.txInFlight;
    let done = 0;
    let retried = -1;
    while (inFlight > 0) {
      // The run of transmissions done without an error (DD set, EC and LC clear), oldest first.
      // Nothing else of these descriptors is read: their buffers are known by their slots.
      const run = records.count(clean, inFlight, TXD_STATUS, 1, TXD_STAT_DD | TXD_STAT_ERR, TXD_STAT_DD);
      if (run > 0) {
        this.txIds.gather(clean, run, 0, 2, this.reclaimed, 0);
        this.giveBack(run);
        clean += run;
        if (clean >= size) clean -= size;
        inFlight -= run;
        done += run;
        if (inFlight === 0) break;
      }
      // The one it stopped at: not done yet, done just after the scan (the device runs beside
      // us: scan again, once per descriptor), or done with an error (counted; its buffer back too).
      const status = u8[(clean << 4) + TXD_STATUS];
      if ((status & TXD_STAT_DD) === 0) break;
      if ((status & TXD_STAT_ERR) === 0 && retried !== clean) {
        retried = clean;
        continue;
      }
      this.counters.txErrors++;
      this.reclaimed[0] = this.txSlotIds[clean];
      this.giveBack(1);
      clean = clean + 1 === size ? 0 : clean + 1;
      inFlight--;
      done++;
    }
    this.txClean = clean;
    this.txInFlight = inFlight;
    return done;
  }

  /**
   * Finished transmissions go back in runs, as ixy's batched cleaning: once a quarter of the
   * ring is in flight, or when `n` more frames need the room.
   */
  reclaimDue(n) {
    const inFlight = this.txInFlight;
    if (inFlight > this.reclaimAt || (inFlight > 0 && inFlight + n > this.txRing.size - 1)) this.reclaimTx();
  }

  /** The sent buffers `reclaimed[0..n)` back to their pools, in runs of one pool's ids. */
  giveBack(n) {
    if (transition(this.bufState, this.reclaimed, 0, n, SENDING, DRIVER) !== n)
      throw new Error(`${this.label}: a transmit slot held a buffer that was not being sent (a driver bug)`);
    restock(this.reclaimedIds, this.reclaimed, n, this.rxPool, this.txPool);
  }

  /**
   * Queue the program's buffers `ids[0..n)` holding `lens[0..n)` bytes. Returns how many were
   * queued, in order (as many as the ring has room for; the rest stay the caller's, counted
   * in stats.txDropped). TDT is written once. A queued buffer is the device's until it is
   * done with it, then goes back to its pool. Throws RangeError (a length outside
   * [14, 1518]) or TypeError (a buffer the program does not hold: free, in the receive ring,
   * or queued already) and then queues nothing.
   */
  txBurst(ids, lens, n) {
    if (this.removed) this.checkLive();
    const ok = this.txChecked;
    if (ids !== ok.ids || lens !== ok.lens || !(n >= 0 && n <= ok.room)) this.checkArrays(ok, "txBurst", ids, lens, n);
    this.reclaimDue(n);
    const { counters } = this;
    const { records, size } = this.txRing;
    const q = Math.min(n, size - 1 - this.txInFlight);   // one descriptor stays empty: TDT never catches TDH
    if (q > 0) {
      const tail = this.txTail;
      // The upper 8 bytes: CSO 0, CMD (EOP, IFCS, RS), STA (DD cleared), CSS and special 0;
      // then the lengths over their two bytes, checked where the device will read them:
      // nothing is the device's before TDT moves, so a bad frame leaves nothing behind.
      records.scatter(tail, q, TXD_LENGTH, 8, TXD_UPPER);
      const bytes = records.scatter(tail, q, TXD_LENGTH, 2, lens, 0);   // returns their sum
      const sane = records.countWithin(tail, q, TXD_LENGTH, 2, ETH_HLEN, ETH_MAX_FRAME);
      if (sane < q) throw new RangeError(`${this.label}: txBurst: frame ${sane} is ${lens[sane]} bytes; a frame is ${ETH_HLEN} to ${ETH_MAX_FRAME} bytes`);
      // The program's buffers become the device's: each must be held, and queued once.
      const claimed = transition(this.bufState, ids, 0, q, HELD, SENDING);
      if (claimed < q) this.refuseSend(ids, claimed);
      records.scatterFrom(tail, q, TXD_ADDRESS, 8, this.bufIova, ids, 0);
      this.txIds.scatter(tail, q, 0, 2, ids, 0);
      counters.txBytes += bytes;
      let end = tail + q;
      if (end >= size) end -= size;
      this.txTail = end;
      this.txInFlight += q;
      dmaWmb();                                            // the descriptors, then the doorbell
      this.bar.write32(this.TDT, end);
      counters.txPackets += q;
      if (this.taps.size) this.tapBurst("tx", ids, lens, q);
    }
    if (q < n) counters.txDropped += n - q;
    return q;
  }

  // ---- configuration, statistics --------------------------------------------------

  setPromiscuous(on) {
    this.checkLive();
    // RCTL.UPE and MPE (SDM 13.4.22): every unicast and multicast frame passes the filters.
    // QEMU's model holds reception back for 1 s after any RCTL write.
    this.writeRctl(on);
  }

  get promiscuous() { return this.promiscuous_; }
  set promiscuous(on) { this.setPromiscuous(!!on); }

  /**
   * The device's statistics registers (SDM 13.7). On the silicon each read clears the
   * register, so these count since the previous call; QEMU's model clears some (GPRC,
   * GPTC, TPR, TPT, RUC, ROC, BPRC, MPRC, the 64-bit octet pairs) and not others (MPC, RNBC,
   * the error counters).
   */
  readCounters() {
    this.checkLive();
    const r = this.regs;
    const octets = (lo, hi) => { const l = lo.read(); return hi.read() * 2 ** 32 + l; };  // low first, then high (13.7)
    return {
      crcErrors: r.CRCERRS.read(), alignmentErrors: r.ALGNERRC.read(), symbolErrors: r.SYMERRS.read(),
      rxErrors: r.RXERRC.read(), missedPackets: r.MPC.read(), noBuffers: r.RNBC.read(),
      undersize: r.RUC.read(), oversize: r.ROC.read(), collisions: r.COLC.read(),
      goodPacketsReceived: r.GPRC.read(), broadcastReceived: r.BPRC.read(), multicastReceived: r.MPRC.read(),
      goodPacketsSent: r.GPTC.read(), totalPacketsReceived: r.TPR.read(), totalPacketsSent: r.TPT.read(),
      goodOctetsReceived: octets(r.GORCL, r.GORCH), goodOctetsSent: octets(r.GOTCL, r.GOTCH),
    };
  }

  // ---- teardown -----------------------------------------------------------------------

  /**
   * Leave the device quiet and safe, also after errors: interrupts masked, both units off,
   * in-flight DMA given time to end, a global reset, bus mastering off, then the rings and
   * buffers freed. Every step is tried; the first error is rethrown at the end.
   */
  shutdown() {
    if (this.removed) return;
    this.removed = true;
    this.mode_ = "off";
    clearInterval(this.pollTimer);
    clearInterval(this.linkTimer);
    clearTimeout(this.unmaskTimer);
    this.pollTimer = this.linkTimer = this.unmaskTimer = null;
    this.irq?.off();
    this.rejectWaiters(new Error(`e1000: ${this.name}: removed while waiting for frames`));
    const { regs } = this;
    const errors = [];
    const step = (fn) => { try { fn(); } catch (e) { errors.push(e); } };
    step(() => regs.IMC.write(ALL_CAUSES));
    step(() => regs.RCTL.write(0));
    step(() => regs.TCTL.write({ PSP: 1 }));
    // The 8254x has no "DMA idle" bit (GIO master status came with the 82571): flush the
    // writes with a read, then give the frame in progress time to finish, as Linux does.
    step(() => {
      regs.STATUS.read();
      const until = performance.now() + QUIESCE_MS;
      while (performance.now() < until) { /* bounded by the deadline */ }
    });
    step(() => {
      regs.CTRL.set({ RST: 1 });
      const settle = performance.now() + RESET_SETTLE_MS;
      while (performance.now() < settle) { /* SDM 13.4.1: let the reset begin */ }
      spinUntil(() => regs.CTRL.RST.isClear(), { us: this.opts.waitMs * 1000, what: `e1000: ${this.name}: CTRL.RST to clear at remove` });
    });
    step(() => { regs.IMC.write(ALL_CAUSES); regs.ICR.read(); });
    step(() => this.dev.disableBusMaster());
    // No DMA can reach these any more.
    for (const m of [this.rxRing, this.txRing, this.rxPool.dma, this.txPool.dma]) step(() => m.free());
    if (errors.length) throw errors[0];
  }
}

export default driver({
  name: "e1000",
  description: "Intel 8254x gigabit Ethernet (82540EM, 82545EM)",
  match: { pci: [{ vendor: 0x8086, device: 0x100e }, { vendor: 0x8086, device: 0x100f }] },

  async probe(dev) {
    if (!LITTLE_ENDIAN_HOST) throw new Error(`e1000: ${dev.name}: descriptors are written in host byte order, which must be little-endian`);
    const bar = dev.bar(0);
    if (bar.space !== "mem" || bar.size < REGISTER_WINDOW)
      throw new Error(`e1000: ${dev.name}: BAR0 is ${bar.space === "mem" ? `${bar.size} bytes` : "port I/O"}; the registers need a memory BAR of at least ${REGISTER_WINDOW} bytes`);
    const opts = options(dev);
    const nic = new E1000Device(dev, E1000.on(bar), opts);
    try {
      await nic.start();
    } catch (e) {
      try { nic.shutdown(); } catch { /* the bring-up error is the one to report */ }
      throw e;
    }
    return nic;
  },

  remove(nic) {
    nic.shutdown();
  },
});
