//! A loopback model of two split virtqueues (VIRTIO 1.2 §2.7) for the fake backend: a
//! notification of the transmit queue moves every chain the driver made available there
//! (its device-readable bytes) into the next available chain of the receive queue (its
//! device-writable buffers), then marks both used. With virtio-net's 12-byte header at the
//! front of every transmitted chain, a frame comes back received with that header, as the
//! device would write it; the model itself knows no device type. It runs in Rust so that a
//! benchmark measures the driver: `runtime/benches/net.rs` drives drivers/virtio/net.js and a
//! Rust reference loop over it. Interrupts are not modelled (poll-mode drivers).
//!
//! Split-queue layout (§2.7.5-2.7.8): descriptors { le64 addr, le32 len, le16 flags, le16 next },
//! available { le16 flags, le16 idx, le16 ring[size] }, used { le16 flags, le16 idx,
//! { le32 id, le32 len } ring[size] }. A chain longer than the queue, a descriptor outside
//! memory or an index past the queue is counted (`bad_chain`) and skipped, never followed.

use std::rc::Rc;

use super::fake_nic::DeviceMemory;
use crate::sys::Memory;

const DESC: u64 = 16;
const F_NEXT: u64 = 1;
const F_WRITE: u64 = 2;
/// The largest chain the model copies (bytes); longer ones are truncated and counted.
pub const MAX_FRAME: usize = 65536;

/// Where a queue lives in device memory (the transport's queue_desc, queue_driver,
/// queue_device and queue_size), and the device's own indexes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Queue {
    pub desc: u64,
    pub driver: u64,
    pub device: u64,
    pub size: u16,
    pub last_avail: u16,
    pub used_idx: u16,
}

/// Chains moved, and what went wrong.
#[derive(Default, Debug, Clone, Copy)]
pub struct Counters {
    pub looped: u64,
    pub no_rx_buffer: u64,
    pub bad_chain: u64,
    pub truncated: u64,
}

pub struct VirtqLoopback {
    pub rx: Queue,
    pub tx: Queue,
    pub counters: Counters,
    frame: Vec<u8>,
}

fn read(mem: &dyn DeviceMemory, addr: u64, width: u8) -> Option<u64> {
    let (m, off) = mem.find(addr, width as usize)?;
    m.read(off, width)
}

fn write(mem: &dyn DeviceMemory, addr: u64, width: u8, value: u64) -> bool {
    mem.find(addr, width as usize).is_some_and(|(m, off)| m.write(off, width, value))
}

/// One descriptor: (addr, len, flags, next).
fn descriptor(mem: &dyn DeviceMemory, q: &Queue, i: u64) -> Option<(u64, u32, u64, u64)> {
    if i >= q.size as u64 {
        return None;
    }
    let (m, off): (Rc<Memory>, usize) = mem.find(q.desc + i * DESC, DESC as usize)?;
    Some((m.read(off, 8)?, m.read(off + 8, 4)? as u32, m.read(off + 12, 2)?, m.read(off + 14, 2)?))
}

impl Queue {
    /// The head of the next available chain, if the driver made one available.
    fn pop(&mut self, mem: &dyn DeviceMemory) -> Option<u64> {
        if self.size == 0 {
            return None;
        }
        let idx = read(mem, self.driver + 2, 2)? as u16;
        if idx == self.last_avail {
            return None;
        }
        let at = self.driver + 4 + 2 * (self.last_avail % self.size) as u64;
        self.last_avail = self.last_avail.wrapping_add(1);
        read(mem, at, 2)
    }

    /// Hand chain `head` back with `len` bytes written (§2.7.8): the entry, then the index.
    fn push(&mut self, mem: &dyn DeviceMemory, head: u64, len: u32) {
        let at = self.device + 4 + 8 * (self.used_idx % self.size) as u64;
        write(mem, at, 4, head);
        write(mem, at + 4, 4, len as u64);
        self.used_idx = self.used_idx.wrapping_add(1);
        write(mem, self.device + 2, 2, self.used_idx as u64);
    }
}

impl VirtqLoopback {
    pub fn new(rx: Queue, tx: Queue) -> VirtqLoopback {
        VirtqLoopback { rx, tx, counters: Counters::default(), frame: Vec::with_capacity(MAX_FRAME) }
    }

    /// The transmit queue was notified: loop every available chain back.
    pub fn on_notify(&mut self, mem: &dyn DeviceMemory) {
        while let Some(head) = self.tx.pop(mem) {
            let ok = self.gather(mem, head);
            if ok {
                self.deliver(mem);
            } else {
                self.counters.bad_chain += 1;
            }
            self.tx.push(mem, head, 0);
        }
    }

    /// The device-readable bytes of transmit chain `head` into `frame`.
    fn gather(&mut self, mem: &dyn DeviceMemory, head: u64) -> bool {
        self.frame.clear();
        let mut i = head;
        for _ in 0..self.tx.size {
            let Some((addr, len, flags, next)) = descriptor(mem, &self.tx, i) else { return false };
            if flags & F_WRITE == 0 && len > 0 {
                let take = (len as usize).min(MAX_FRAME - self.frame.len());
                if take < len as usize {
                    self.counters.truncated += 1;
                }
                match mem.find(addr, take).and_then(|(m, off)| m.copy_out(off, take)) {
                    Some(bytes) => self.frame.extend_from_slice(&bytes),
                    None => return false,
                }
            }
            if flags & F_NEXT == 0 {
                return true;
            }
            i = next;
        }
        false
    }

    /// `frame` into the next receive chain's writable buffers.
    fn deliver(&mut self, mem: &dyn DeviceMemory) {
        let Some(head) = self.rx.pop(mem) else {
            self.counters.no_rx_buffer += 1;
            return;
        };
        let (mut done, mut i) = (0usize, head);
        for _ in 0..self.rx.size {
            let Some((addr, len, flags, next)) = descriptor(mem, &self.rx, i) else {
                self.counters.bad_chain += 1;
                break;
            };
            if flags & F_WRITE != 0 && done < self.frame.len() {
                let n = (len as usize).min(self.frame.len() - done);
                if !mem.find(addr, n).is_some_and(|(m, off)| m.copy_in(off, &self.frame[done..done + n])) {
                    self.counters.bad_chain += 1;
                    break;
                }
                done += n;
            }
            if flags & F_NEXT == 0 {
                break;
            }
            i = next;
        }
        if done < self.frame.len() {
            self.counters.truncated += 1;
        }
        self.rx.push(mem, head, done as u32);
        self.counters.looped += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u64 = 0x1000;

    struct Flat(Rc<Memory>);

    impl DeviceMemory for Flat {
        fn find(&self, addr: u64, len: usize) -> Option<(Rc<Memory>, usize)> {
            let off = addr.checked_sub(BASE)? as usize;
            (off.checked_add(len)? <= self.0.len()).then(|| (self.0.clone(), off))
        }
    }

    /// Two 4-entry queues at 0x0 and 0x1000 of a 16 KiB memory, buffers from 0x2000.
    fn setup() -> (Rc<Memory>, Flat, VirtqLoopback) {
        let mem = Rc::new(Memory::zeroed(0x4000, 4096).unwrap());
        let q = |at: u64| Queue {
            desc: BASE + at,
            driver: BASE + at + 64,
            device: BASE + at + 80,
            size: 4,
            ..Default::default()
        };
        (mem.clone(), Flat(mem), VirtqLoopback::new(q(0), q(0x1000)))
    }

    fn desc(mem: &Memory, queue: usize, i: usize, addr: u64, len: u32, flags: u16, next: u16) {
        let d = queue + 16 * i;
        mem.write(d, 8, addr);
        mem.write(d + 8, 4, len as u64);
        mem.write(d + 12, 2, flags as u64);
        mem.write(d + 14, 2, next as u64);
    }

    fn offer(mem: &Memory, queue: usize, slot: usize, head: u16, idx: u16) {
        mem.write(queue + 64 + 4 + 2 * slot, 2, head as u64);
        mem.write(queue + 64 + 2, 2, idx as u64);
    }

    #[test]
    fn a_chain_sent_comes_back_in_the_next_receive_chain_and_both_are_used() {
        let (mem, dma, mut model) = setup();
        // Receive: one 64-byte writable buffer at 0x2000. Transmit: header (2 bytes) + frame (3 bytes).
        desc(&mem, 0, 0, BASE + 0x2000, 64, F_WRITE as u16, 0);
        offer(&mem, 0, 0, 0, 1);
        mem.copy_in(0x2100, &[0xaa, 0xbb]);
        mem.copy_in(0x2200, &[1, 2, 3]);
        desc(&mem, 0x1000, 2, BASE + 0x2100, 2, F_NEXT as u16, 3);
        desc(&mem, 0x1000, 3, BASE + 0x2200, 3, 0, 0);
        offer(&mem, 0x1000, 0, 2, 1);
        model.on_notify(&dma);
        assert_eq!(mem.copy_out(0x2000, 5).unwrap(), [0xaa, 0xbb, 1, 2, 3]);
        assert_eq!((mem.read(80 + 2, 2), mem.read(80 + 4, 4), mem.read(80 + 8, 4)), (Some(1), Some(0), Some(5)));
        assert_eq!(
            (mem.read(0x1000 + 80 + 2, 2), mem.read(0x1000 + 80 + 4, 4)),
            (Some(1), Some(2)),
            "transmit chain 2 used"
        );
        assert_eq!(model.counters.looped, 1);
        model.on_notify(&dma);
        assert_eq!(model.counters.looped, 1, "nothing new: nothing moved");
    }

    #[test]
    fn hostile_queues_are_counted_never_followed_out_of_bounds() {
        let (mem, dma, mut model) = setup();
        // A chain that loops on itself, a head past the table, an address outside memory.
        desc(&mem, 0x1000, 0, BASE + 0x2000, 4, F_NEXT as u16, 0);
        desc(&mem, 0x1000, 1, u64::MAX - 2, 4, 0, 0);
        offer(&mem, 0x1000, 0, 0, 1);
        offer(&mem, 0x1000, 1, 9, 2);
        offer(&mem, 0x1000, 2, 1, 3);
        model.on_notify(&dma);
        assert_eq!(model.counters.bad_chain, 3);
        assert_eq!(model.counters.looped, 0);
        // No receive buffer at all: the frame is dropped, the transmit chain still used.
        desc(&mem, 0x1000, 2, BASE + 0x2000, 4, 0, 0);
        offer(&mem, 0x1000, 3, 2, 4);
        model.on_notify(&dma);
        assert_eq!(model.counters.no_rx_buffer, 1);
        assert_eq!(mem.read(0x1000 + 80 + 2, 2), Some(4));
        // Queues outside memory altogether.
        let far = Queue { desc: 1 << 40, driver: 1 << 41, device: 1 << 42, size: 8, ..Default::default() };
        let mut lost = VirtqLoopback::new(far, far);
        lost.on_notify(&dma);
        assert_eq!(lost.counters.looped, 0);
    }
}
