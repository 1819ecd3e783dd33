//! A loopback model of the e1000's descriptor rings for the fake backend:
//! every frame the driver queues for transmission comes back on the receive
//! ring. It implements just enough of the 8254x legacy descriptor semantics
//! (SDM §3.2.3 receive descriptors, §3.3.3 transmit descriptors) to measure a
//! driver's per-packet cost without QEMU: the model runs in Rust, so what is
//! measured is the driver. `runtime/benches/net.rs` drives the JS driver and a
//! Rust reference loop (written in the benchmark) over the same model.
//!
//! The model acts when the driver writes TDT: it walks TDH..TDT, copies each
//! frame into the next free receive buffer (RDH..RDT), writes the receive
//! descriptor (length, DD|EOP), marks the transmit descriptor done (DD) and
//! advances both heads. Interrupt causes are not modelled (poll-mode drivers).

use std::rc::Rc;

use crate::sys::Memory;

/// Register offsets (SDM §13.4).
pub mod reg {
    pub const CTRL: usize = 0x0000;
    pub const STATUS: usize = 0x0008;
    pub const EERD: usize = 0x0014;
    pub const RDBAL: usize = 0x2800;
    pub const RDBAH: usize = 0x2804;
    pub const RDLEN: usize = 0x2808;
    pub const RDH: usize = 0x2810;
    pub const RDT: usize = 0x2818;
    pub const TDBAL: usize = 0x3800;
    pub const TDBAH: usize = 0x3804;
    pub const TDLEN: usize = 0x3808;
    pub const TDH: usize = 0x3810;
    pub const TDT: usize = 0x3818;
    pub const RAL0: usize = 0x5400;
    pub const RAH0: usize = 0x5404;
}

/// Bytes per legacy descriptor, and the descriptor-done status bit.
pub const DESC: usize = 16;
pub const DD: u8 = 1 << 0;
const EOP: u8 = 1 << 1;

/// Where the model finds memory by device address.
pub trait DeviceMemory {
    /// The memory holding [addr, addr+len) and the offset of addr in it.
    fn find(&self, addr: u64, len: usize) -> Option<(Rc<Memory>, usize)>;
}

/// Frames moved and frames lost (no receive buffer, bad descriptor).
#[derive(Default, Debug, Clone, Copy)]
pub struct LoopbackCounters {
    pub looped: u64,
    pub no_rx_buffer: u64,
    pub bad_descriptor: u64,
}

pub struct Loopback {
    pub counters: LoopbackCounters,
}

fn r32(regs: &Memory, off: usize) -> u32 {
    regs.read(off, 4).unwrap_or(0) as u32
}

fn w32(regs: &Memory, off: usize, v: u32) {
    regs.write(off, 4, v as u64);
}

fn ring(regs: &Memory, bal: usize, bah: usize, len: usize) -> (u64, usize) {
    let base = r32(regs, bal) as u64 | (r32(regs, bah) as u64) << 32;
    (base, r32(regs, len) as usize / DESC)
}

const CTRL_RST: u32 = 1 << 26;
const EERD_START: u32 = 1 << 0;
const EERD_DONE: u32 = 1 << 4;
/// The MAC 02:00:00:00:00:01 as the EEPROM's first three words.
const EEPROM_MAC: [u16; 3] = [0x0002, 0x0000, 0x0100];

impl Loopback {
    /// A register write the model answers: reset completes at once, EEPROM
    /// reads finish at once, TDT moves frames.
    pub fn written(&mut self, regs: &Memory, mem: &dyn DeviceMemory, off: usize, value: u64) {
        match off {
            reg::CTRL if value as u32 & CTRL_RST != 0 => w32(regs, reg::CTRL, value as u32 & !CTRL_RST),
            reg::EERD if value as u32 & EERD_START != 0 => {
                let addr = (value as u32 >> 8) & 0xff;
                let data = EEPROM_MAC.get(addr as usize).copied().unwrap_or(0xffff) as u32;
                w32(regs, reg::EERD, (data << 16) | (addr << 8) | EERD_DONE);
            }
            reg::TDT => self.on_tdt(regs, mem),
            _ => {}
        }
    }

    pub fn new(regs: &Memory) -> Loopback {
        // Link up, full duplex, 1000 Mb/s (STATUS.LU | FD | SPEED=10b).
        w32(regs, reg::STATUS, 0x2 | 0x1 | (2 << 6));
        // A locally administered MAC 02:00:00:00:00:01 in RAL0/RAH0 (AV set).
        w32(regs, reg::RAL0, 0x0000_0002);
        w32(regs, reg::RAH0, 0x8000_0100);
        Loopback { counters: LoopbackCounters::default() }
    }

    /// The driver wrote TDT: move every queued frame to the receive ring.
    pub fn on_tdt(&mut self, regs: &Memory, mem: &dyn DeviceMemory) {
        let (tx_base, tx_n) = ring(regs, reg::TDBAL, reg::TDBAH, reg::TDLEN);
        let (rx_base, rx_n) = ring(regs, reg::RDBAL, reg::RDBAH, reg::RDLEN);
        if tx_n == 0 {
            return;
        }
        let mut tdh = r32(regs, reg::TDH) as usize % tx_n;
        let tdt = r32(regs, reg::TDT) as usize % tx_n;
        let mut rdh = if rx_n > 0 { r32(regs, reg::RDH) as usize % rx_n } else { 0 };
        let rdt = if rx_n > 0 { r32(regs, reg::RDT) as usize % rx_n } else { 0 };
        let mut frame = [0u8; 2048];
        while tdh != tdt {
            let Some((tx_ring, toff)) = mem.find(tx_base + (tdh * DESC) as u64, DESC) else {
                self.counters.bad_descriptor += 1;
                break;
            };
            let addr = tx_ring.read(toff, 8).unwrap_or(0);
            let len = tx_ring.read(toff + 8, 2).unwrap_or(0) as usize;
            let ok = len <= frame.len()
                && mem
                    .find(addr, len)
                    .and_then(|(m, o)| m.copy_out(o, len))
                    .map(|b| frame[..len].copy_from_slice(&b))
                    .is_some();
            if !ok {
                self.counters.bad_descriptor += 1;
            } else if rx_n == 0 || rdh == rdt {
                self.counters.no_rx_buffer += 1;
            } else if let Some((rx_ring, roff)) = mem.find(rx_base + (rdh * DESC) as u64, DESC) {
                let buf = rx_ring.read(roff, 8).unwrap_or(0);
                match mem.find(buf, len) {
                    Some((m, o)) => {
                        m.copy_in(o, &frame[..len]);
                        rx_ring.write(roff + 8, 2, len as u64);
                        rx_ring.write(roff + 13, 1, 0);
                        rx_ring.write(roff + 12, 1, (DD | EOP) as u64);
                        rdh = (rdh + 1) % rx_n;
                        self.counters.looped += 1;
                    }
                    None => self.counters.bad_descriptor += 1,
                }
            }
            // Transmit descriptor done: STA.DD (byte 12).
            tx_ring.write(toff + 12, 1, DD as u64);
            tdh = (tdh + 1) % tx_n;
        }
        w32(regs, reg::TDH, tdh as u32);
        if rx_n > 0 {
            w32(regs, reg::RDH, rdh as u32);
        }
    }
}
