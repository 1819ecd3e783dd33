// A model of the Intel 82540EM (QEMU's "e1000") on the fake backend, for
// drivers/nic/e1000.js without QEMU. It follows the 8254x SDM where QEMU's
// model cuts corners (CTRL.RST really resets, link changes raise LSC both
// ways, statistics clear when read) and QEMU where the SDM leaves freedom:
//
// - the register file (SDM 13.4): CTRL (RST resets the model), STATUS from the
//   link, EERD reads the EEPROM (words 0-2: the MAC, SDM 5.6.1), MDIC reaches a
//   PHY at address 1 (register 0: restart auto-negotiation takes the link down,
//   then up again after `autonegMs`), ICR/ICS/IMS/IMC with an interrupt line
//   that rises when ICR & IMS becomes non-zero, RAL/RAH and the MTA for the
//   receive filter, statistics (MPC, RNBC, GPRC, GPTC, TPR, TPT, ROC, octets);
// - legacy descriptor rings (SDM 3.2.3, 3.3.3) in loopback: a TDT write sends
//   TDH..TDT; with `loopback` on, each sent frame comes back through the
//   receive filter (RCTL.UPE/MPE/BAM, RAL/RAH, MTA) into RDH, with DD|EOP, RXT0
//   (and RXDMT0 below the RCTL.RDMTS threshold); no receive descriptor left
//   means a drop counted in MPC/RNBC and an RXO interrupt.
//
// DMA goes straight to the driver's memory: the model finds an address in the
// Device's live DMA buffers (an IOMMU's view: nothing else is reachable), and a
// miss is a DMA fault, counted, never a crash.
//
// Hooks for tests: inject(frame) delivers a frame as if from the wire;
// setLink(up) plugs or unplugs the cable; transmitted[] (with `capture`) and
// onTransmit(frame) see what was sent; writes() names the register writes
// recorded since fake.record(); `hostile` makes the device lie:
//   hostile.registers(offset)   -> a value replacing any register read (undefined: the real one)
//   hostile.rxDescriptor(d)     -> d = { length, status, errors } the model is about to write back
//   hostile.txStatus(sta)       -> the STA byte written back into a transmit descriptor
//   hostile.scribble(ring, u8)  -> called after every TDT write with each ring's bytes ("rx", "tx")

import { fakeDevice } from "jsk:fake";
import { dmaWindow } from "./dma.js";

/** Register offsets (SDM Table 13-2). */
export const REG = Object.freeze({
  CTRL: 0x0000, STATUS: 0x0008, EECD: 0x0010, EERD: 0x0014, MDIC: 0x0020,
  FCAL: 0x0028, FCAH: 0x002c, FCT: 0x0030, FCTTV: 0x0170,
  ICR: 0x00c0, ITR: 0x00c4, ICS: 0x00c8, IMS: 0x00d0, IMC: 0x00d8,
  RCTL: 0x0100, TCTL: 0x0400, TIPG: 0x0410,
  RDBAL: 0x2800, RDBAH: 0x2804, RDLEN: 0x2808, RDH: 0x2810, RDT: 0x2818, RDTR: 0x2820, RADV: 0x282c,
  TDBAL: 0x3800, TDBAH: 0x3804, TDLEN: 0x3808, TDH: 0x3810, TDT: 0x3818,
  MTA: 0x5200, RAL0: 0x5400, RAH0: 0x5404,
  CRCERRS: 0x4000, MPC: 0x4010, GPRC: 0x4074, BPRC: 0x4078, MPRC: 0x407c, GPTC: 0x4080,
  GORCL: 0x4088, GORCH: 0x408c, GOTCL: 0x4090, GOTCH: 0x4094, RNBC: 0x40a0, ROC: 0x40ac, TPR: 0x40d0, TPT: 0x40d4,
});
const NAMES = new Map(Object.entries(REG).map(([k, v]) => [v, k]));

export const CTRL_RST = 1 << 26;
export const CTRL_SLU = 1 << 6;
export const ICR = Object.freeze({ TXDW: 1 << 0, TXQE: 1 << 1, LSC: 1 << 2, RXSEQ: 1 << 3, RXDMT0: 1 << 4, RXO: 1 << 6, RXT0: 1 << 7, MDAC: 1 << 9 });
export const RCTL = Object.freeze({ EN: 1 << 1, SBP: 1 << 2, UPE: 1 << 3, MPE: 1 << 4, LPE: 1 << 5, BAM: 1 << 15, BSEX: 1 << 25, SECRC: 1 << 26 });
export const TCTL_EN = 1 << 1;
const RAH_AV = 1 << 31;
const EERD_START = 1 << 0;
const EERD_DONE = 1 << 4;
const MDIC_R = 1 << 28;
const MDIC_I = 1 << 29;
const MDIC_E = 1 << 30;
const PHY_BMCR_ANENABLE = 1 << 12;
const PHY_BMCR_ANRESTART = 1 << 9;
const PHY_BMCR_RESET = 1 << 15;
const PHY_BMSR_LINK = 1 << 2;
const PHY_BMSR_ANCOMPLETE = 1 << 5;
const RXD_DD = 1 << 0;
const RXD_EOP = 1 << 1;
const TXD_CMD_EOP = 1 << 0;
const TXD_CMD_RS = 1 << 3;
const TXD_CMD_DEXT = 1 << 5;
const TXD_STA_DD = 1 << 0;
const REGISTERS_SIZE = 0x20000;
const EEPROM_CHECKSUM = 0xbaba;        // SDM 5.6: words 0x00-0x3F add up to BABAh

export const DEFAULT_MAC = Object.freeze([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

/**
 * A fake e1000. Options: name, deviceId (0x100e 82540EM, 0x100f 82545EM), mac, irqs
 * (1, or 0 for a device without an interrupt line), loopback (default true),
 * autonegMs (auto-negotiation time after a restart, default 5).
 */
export function e1000Model({ name = "e1000", deviceId = 0x100e, mac = DEFAULT_MAC, irqs = 1, loopback = true, autonegMs = 5 } = {}) {
  const fake = fakeDevice({
    name, bus: "pci", ids: { vendor: 0x8086, device: deviceId, class: 0x020000 },
    regions: [{ index: 0, size: REGISTERS_SIZE }], irqs,
  });
  const regs = new Uint32Array(REGISTERS_SIZE / 4);   // what the device holds, by offset / 4
  const eeprom = new Uint16Array(64);
  const phy = new Uint16Array(32);
  const txFrame = new Uint8Array(16384);
  let txLength = 0;
  let line = false;

  const m = {
    fake, device: fake.device, regs, eeprom, phy,
    loopback, capture: true, transmitted: [], onTransmit: null, hostile: {},
    cable: true, linkUp: true, resets: 0,
    counters: { sent: 0, received: 0, filtered: 0, noDescriptor: 0, oversize: 0, dmaFaults: 0, badRing: 0, interruptsRaised: 0 },
    inject, setLink, reset, writes, name: (off) => NAMES.get(off) ?? `0x${off.toString(16)}`,
    /** The interrupt line's level now. */
    get line() { return line; },
  };

  // ---- EEPROM and reset ----------------------------------------------------------

  for (let i = 0; i < 3; i++) eeprom[i] = mac[2 * i] | (mac[2 * i + 1] << 8);
  eeprom[0x0a] = 0x6403;              // initialization control word 1 (as QEMU's template)
  eeprom[0x0b] = deviceId;            // subsystem id
  eeprom[0x0c] = 0x8086;              // subsystem vendor
  eeprom[0x0d] = deviceId;            // device id
  eeprom[0x0e] = 0x8086;              // vendor
  let sum = 0;
  for (let i = 0; i < 63; i++) sum = (sum + eeprom[i]) & 0xffff;
  eeprom[63] = (EEPROM_CHECKSUM - sum) & 0xffff;

  function reset() {
    regs.fill(0);
    // SDM 13.4.1 / QEMU mac_reg_init: link up set, 1000 Mb/s.
    regs[REG.CTRL >> 2] = CTRL_SLU | (2 << 8);
    // RAL0/RAH0 loaded from the EEPROM, valid.
    regs[REG.RAL0 >> 2] = (eeprom[0] | (eeprom[1] << 16)) >>> 0;
    regs[REG.RAH0 >> 2] = (eeprom[2] | RAH_AV) >>> 0;
    phy.fill(0);
    phy[0] = PHY_BMCR_ANENABLE | (1 << 8) | (1 << 6);   // auto-negotiation on, full duplex, 1000
    phy[1] = PHY_BMSR_ANCOMPLETE | (m.linkUp ? PHY_BMSR_LINK : 0);
    phy[2] = 0x0141;
    phy[3] = 0x0c20;
    txLength = 0;
    line = false;
    m.resets++;
  }

  // ---- interrupts ------------------------------------------------------------------

  function updateLine() {
    const level = (regs[REG.ICR >> 2] & regs[REG.IMS >> 2]) !== 0;
    if (level && !line && irqs > 0) {
      m.counters.interruptsRaised++;
      fake.raise(0);
    }
    line = level;
  }
  function cause(bits) {
    regs[REG.ICR >> 2] |= bits;
    updateLine();
  }

  // ---- link and PHY ----------------------------------------------------------------

  function linkTo(up) {
    if (up === m.linkUp) return;
    m.linkUp = up;
    phy[1] = up ? phy[1] | PHY_BMSR_LINK | PHY_BMSR_ANCOMPLETE : phy[1] & ~(PHY_BMSR_LINK | PHY_BMSR_ANCOMPLETE);
    cause(ICR.LSC);
  }
  /** Plug (true) or unplug (false) the cable: the link follows, with an LSC interrupt. */
  function setLink(up) {
    m.cable = !!up;
    linkTo(m.cable);
  }
  function mdic(v) {
    const data = v & 0xffff;
    const reg = (v >>> 16) & 31;
    const phyAddress = (v >>> 21) & 31;
    const op = (v >>> 26) & 3;
    let out = (v | MDIC_R) >>> 0;
    if (phyAddress !== 1) out = (out | MDIC_E) >>> 0;
    else if (op === 2) out = ((out & ~0xffff) | phy[reg]) >>> 0;
    else if (op === 1) {
      if (reg === 0) {
        phy[0] = data & ~(PHY_BMCR_RESET | PHY_BMCR_ANRESTART);
        if ((data & PHY_BMCR_ANRESTART) && (phy[0] & PHY_BMCR_ANENABLE)) {
          linkTo(false);
          setTimeout(() => { if (m.cable) linkTo(true); }, autonegMs);
        }
      } else if (reg !== 1 && reg !== 2 && reg !== 3) phy[reg] = data;
    } else out = (out | MDIC_E) >>> 0;
    regs[REG.MDIC >> 2] = out;
    if (v & MDIC_I) cause(ICR.MDAC);
  }

  // ---- DMA: the driver's live buffers ------------------------------------------------------

  /** { u8, off } for [addr, addr + length) inside one live DMA buffer, or null (a DMA fault). */
  const dma = dmaWindow(fake.device, () => { m.counters.dmaFaults++; });
  const read32 = (u8, off) => (u8[off] | (u8[off + 1] << 8) | (u8[off + 2] << 16) | (u8[off + 3] << 24)) >>> 0;
  const read64 = (u8, off) => read32(u8, off) + read32(u8, off + 4) * 2 ** 32;
  const ringBase = (lo, hi) => ((regs[lo >> 2] & ~0xf) >>> 0) + regs[hi >> 2] * 2 ** 32;

  // ---- statistics (SDM 13.7) ---------------------------------------------------------

  const count = (off, n = 1) => { regs[off >> 2] = Math.min(0xffffffff, regs[off >> 2] + n); };
  function octets(lowOff, n) {
    const total = regs[lowOff >> 2] + regs[(lowOff + 4) >> 2] * 2 ** 32 + n;
    regs[lowOff >> 2] = total % 2 ** 32;
    regs[(lowOff + 4) >> 2] = Math.floor(total / 2 ** 32);
  }

  // ---- transmit ----------------------------------------------------------------------

  function transmit() {
    if (!(regs[REG.TCTL >> 2] & TCTL_EN)) return;
    const n = (regs[REG.TDLEN >> 2] / 16) | 0;
    if (n === 0) return;
    const base = ringBase(REG.TDBAL, REG.TDBAH);
    let tdh = regs[REG.TDH >> 2];
    const tdt = regs[REG.TDT >> 2];
    if (tdh >= n || tdt >= n) {
      m.counters.badRing++;
      return;
    }
    let causes = ICR.TXQE;
    for (let guard = n; tdh !== tdt && guard > 0; guard--) {
      const desc = dma(base + tdh * 16, 16);
      if (!desc) break;
      const { u8, off } = desc;
      const cmd = u8[off + 11];
      if (!(cmd & TXD_CMD_DEXT)) {
        // SDM 3.3.3 legacy descriptor: the buffer, its length; EOP ends the frame.
        const length = u8[off + 8] | (u8[off + 9] << 8);
        const buffer = length > 0 ? dma(read64(u8, off), length) : null;
        if (buffer && txLength + length <= txFrame.length) {
          txFrame.set(buffer.u8.subarray(buffer.off, buffer.off + length), txLength);
          txLength += length;
        }
        if (cmd & TXD_CMD_EOP) {
          send(txFrame.subarray(0, txLength));
          txLength = 0;
        }
      }
      if (cmd & TXD_CMD_RS) {
        u8[off + 12] = m.hostile.txStatus ? m.hostile.txStatus(u8[off + 12] | TXD_STA_DD) & 0xff : u8[off + 12] | TXD_STA_DD;
        causes |= ICR.TXDW;
      }
      tdh = tdh + 1 === n ? 0 : tdh + 1;
    }
    regs[REG.TDH >> 2] = tdh;
    cause(causes);
    if (m.hostile.scribble) scribble();
  }

  function send(frame) {
    m.counters.sent++;
    count(REG.GPTC);
    count(REG.TPT);
    octets(REG.GOTCL, frame.length + 4);
    if (m.capture) m.transmitted.push(frame.slice());
    m.onTransmit?.(frame);
    if (m.loopback) receive(frame);
  }

  function scribble() {
    for (const [which, lo, hi, len] of [["rx", REG.RDBAL, REG.RDBAH, REG.RDLEN], ["tx", REG.TDBAL, REG.TDBAH, REG.TDLEN]]) {
      const bytes = regs[len >> 2];
      const ring = bytes > 0 ? dma(ringBase(lo, hi), bytes) : null;
      if (ring) m.hostile.scribble(which, ring.u8.subarray(ring.off, ring.off + bytes));
    }
  }

  // ---- receive -----------------------------------------------------------------------

  /** SDM 13.4.22 / 13.5: broadcast with BAM, multicast with MPE or an MTA bit, unicast with UPE or an RA match. */
  function accept(frame) {
    if (frame.length < 6) return false;
    const rctl = regs[REG.RCTL >> 2];
    let broadcast = true;
    for (let i = 0; i < 6; i++) if (frame[i] !== 0xff) broadcast = false;
    if (broadcast) return (rctl & RCTL.BAM) !== 0;
    if (frame[0] & 1) {
      if (rctl & RCTL.MPE) return true;
      const shift = [4, 3, 2, 0][(rctl >>> 12) & 3];
      const bit = (((frame[5] << 8) | frame[4]) >> shift) & 0xfff;
      return (regs[(REG.MTA >> 2) + (bit >> 5)] & (1 << (bit & 31))) !== 0;
    }
    if (rctl & RCTL.UPE) return true;
    for (let i = 0; i < 16; i++) {
      const ral = regs[(REG.RAL0 >> 2) + 2 * i];
      const rah = regs[(REG.RAH0 >> 2) + 2 * i];
      if (!(rah & RAH_AV)) continue;
      if (frame[0] === (ral & 0xff) && frame[1] === ((ral >>> 8) & 0xff) && frame[2] === ((ral >>> 16) & 0xff)
        && frame[3] === ral >>> 24 && frame[4] === (rah & 0xff) && frame[5] === ((rah >>> 8) & 0xff)) return true;
    }
    return false;
  }

  function bufferSize(rctl) {
    const bsize = (rctl >>> 16) & 3;
    return rctl & RCTL.BSEX ? [0, 16384, 8192, 4096][bsize] : [2048, 1024, 512, 256][bsize];
  }

  /** A frame from the wire (or the loopback): true if it reached a receive descriptor. */
  function receive(frame) {
    const rctl = regs[REG.RCTL >> 2];
    if (!m.linkUp || !(rctl & RCTL.EN)) return false;
    if (!accept(frame)) {
      m.counters.filtered++;
      return false;
    }
    const crc = rctl & RCTL.SECRC ? 0 : 4;
    const length = frame.length + crc;
    if (frame.length > 1518 && !(rctl & RCTL.LPE)) {
      m.counters.oversize++;
      count(REG.ROC);
      return false;
    }
    const n = (regs[REG.RDLEN >> 2] / 16) | 0;
    const rdh = regs[REG.RDH >> 2];
    const rdt = regs[REG.RDT >> 2];
    if (n === 0 || rdh >= n || rdt >= n || rdh === rdt) {
      // SDM 13.7: no descriptor: missed (MPC) for want of a buffer (RNBC); ICR.RXO.
      m.counters.noDescriptor++;
      count(REG.MPC);
      count(REG.RNBC);
      cause(ICR.RXO);
      return false;
    }
    if (length > bufferSize(rctl)) {
      m.counters.oversize++;
      return false;
    }
    const desc = dma(ringBase(REG.RDBAL, REG.RDBAH) + rdh * 16, 16);
    if (!desc) return false;
    const { u8, off } = desc;
    const buffer = dma(read64(u8, off), length);
    if (!buffer) return false;
    buffer.u8.set(frame, buffer.off);
    if (crc) buffer.u8.fill(0, buffer.off + frame.length, buffer.off + length);
    let d = { length, status: RXD_DD | RXD_EOP, errors: 0 };
    if (m.hostile.rxDescriptor) d = m.hostile.rxDescriptor(d) ?? d;
    u8[off + 8] = d.length & 0xff;
    u8[off + 9] = (d.length >>> 8) & 0xff;
    u8[off + 10] = u8[off + 11] = 0;
    u8[off + 13] = d.errors & 0xff;
    u8[off + 14] = u8[off + 15] = 0;
    u8[off + 12] = d.status & 0xff;      // status last: DD says the rest is written
    const head = rdh + 1 === n ? 0 : rdh + 1;
    regs[REG.RDH >> 2] = head;
    m.counters.received++;
    count(REG.GPRC);
    count(REG.TPR);
    octets(REG.GORCL, frame.length + 4);
    if (frame[0] & 1) count((frame[0] & frame[1] & frame[2] & frame[3] & frame[4] & frame[5]) === 0xff ? REG.BPRC : REG.MPRC);
    let causes = ICR.RXT0;
    const free = (rdt - head + n) % n;
    const rdmts = (rctl >>> 8) & 3;
    if (free <= n >> (rdmts + 1)) causes |= ICR.RXDMT0;
    cause(causes);
    return true;
  }

  /** Deliver `frame` (bytes) as if it came from the wire. True if it reached a receive descriptor. */
  function inject(frame) {
    return receive(frame instanceof Uint8Array ? frame : Uint8Array.from(frame));
  }

  // ---- the register file -----------------------------------------------------------

  function readRegister(off) {
    if (m.hostile.registers) {
      const v = m.hostile.registers(off);
      if (v !== undefined) return v;
    }
    const i = off >> 2;
    switch (off) {
      case REG.STATUS:
        // SDM 13.4.2: FD, LU, SPEED = 10b (1000 Mb/s).
        return (m.linkUp ? 0x3 : 0x1) | (2 << 6);
      case REG.ICR: {
        const v = regs[i];
        regs[i] = 0;
        updateLine();
        return v;
      }
      case REG.EECD:
        return 1 << 8;                  // EE_PRES: an EEPROM is there
      default:
        if (off >= 0x4000 && off <= 0x40fc) {
          const v = regs[i];
          // SDM 13.7: statistics clear when read; the high half of a 64-bit pair clears both.
          regs[i] = 0;
          if (off === REG.GORCH || off === REG.GOTCH) regs[i - 1] = 0;
          return v;
        }
        return regs[i];
    }
  }

  function writeRegister(value, off) {
    const v = typeof value === "bigint" ? Number(value & 0xffffffffn) : value >>> 0;
    const i = off >> 2;
    switch (off) {
      case REG.CTRL:
        if (v & CTRL_RST) reset();
        else regs[i] = v;
        return;
      case REG.EERD:
        if (v & EERD_START) {
          const address = (v >>> 8) & 0xff;
          const data = address < eeprom.length ? eeprom[address] : 0;
          regs[i] = ((data << 16) | (address << 8) | EERD_DONE) >>> 0;
        } else regs[i] = v;
        return;
      case REG.MDIC: mdic(v); return;
      case REG.ICR: regs[i] &= ~v; updateLine(); return;
      case REG.ICS: cause(v); return;
      case REG.IMS: regs[i] |= v; updateLine(); return;
      case REG.IMC: regs[REG.IMS >> 2] &= ~v; updateLine(); return;
      case REG.RDLEN: case REG.TDLEN: regs[i] = v & 0xfff80; return;
      case REG.RDH: case REG.RDT: case REG.TDH: regs[i] = v & 0xffff; return;
      case REG.TDT: regs[i] = v & 0xffff; transmit(); return;
      case REG.TCTL: regs[i] = v; transmit(); return;
      default: regs[i] = v;
    }
  }

  fake.onAny(0, {
    read: (off, width) => (width === 4 ? readRegister(off) : undefined),
    write: (value, off, width) => { if (width === 4) writeRegister(value, off); },
  });

  /** Register writes recorded since `fake.record()`, by name, as [name, value]. */
  function writes() {
    return fake.accesses.filter((a) => a.op === "write").map((a) => [m.name(a.offset), Number(a.value) >>> 0]);
  }

  reset();
  m.resets = 0;
  return m;
}
