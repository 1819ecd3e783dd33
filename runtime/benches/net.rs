//! Per-packet driver cost without QEMU, side by side in one run:
//! (a) drivers/nic/e1000.js on the fake backend with the Rust loopback model
//!     of the e1000's rings (`fake_nic`), forwarding 64-byte frames
//!     (receive a batch, send the same buffers, as ixy's forwarder does),
//!     once with Packets (rxBatch/txBatch) and once with bursts of buffer
//!     ids (rxBurst/txBurst);
//! (b) the Rust reference loop below over the same model: what the JS driver
//!     does, written directly in Rust, as the baseline.
//!
//! (c) and (d): the same for drivers/virtio/net.js over the Rust loopback model of two
//!     split virtqueues (`fake_virtq`), and a Rust reference loop over that model.
//!
//! `cargo bench -p jsk-runtime --bench net` prints the figures.

use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use jsk::backend::fake_nic::{reg, DeviceMemory, Loopback, DD, DESC};
use jsk::backend::fake_virtq::{Queue, VirtqLoopback};
use jsk::sys::Memory;

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

/// The forwarding loops every JS driver runs here (after `nic` is bound to a loopback
/// model): Packets, then bursts, each once whole and once with rx and tx timed apart.
fn js_loops(packets: u64) -> String {
    format!(
        "const batch = 32, total = {packets};\n\
         const prime = [];\n\
         for (let i = 0; i < batch; i++) prime.push(nic.allocPacket(64));\n\
         nic.txBatch(prime);\n\
         let done = 0;\n\
         const t0 = performance.now();\n\
         while (done < total) {{\n\
           const rx = nic.rxBatch(batch);\n\
           if (rx.length === 0) {{ nic.txBatch([]); continue; }}\n\
           const sent = nic.txBatch(rx);\n\
           for (let i = sent; i < rx.length; i++) rx[i].free();\n\
           done += rx.length;\n\
         }}\n\
         const s = (performance.now() - t0) / 1000;\n\
         console.log('mpps', done / s / 1e6);\n\
         // The same loop again, timing rxBatch and txBatch apart (the clock reads cost a little).\n\
         let rxMs = 0, txMs = 0, n = 0;\n\
         while (n < total / 2) {{\n\
           const a = performance.now();\n\
           const rx = nic.rxBatch(batch);\n\
           const b = performance.now();\n\
           const sent = nic.txBatch(rx);\n\
           txMs += performance.now() - b; rxMs += b - a;\n\
           for (let i = sent; i < rx.length; i++) rx[i].free();\n\
           n += rx.length;\n\
         }}\n\
         console.log('split', rxMs * 1e6 / n, txMs * 1e6 / n);\n\
         // Bursts: the same forwarding with buffer ids and lengths in typed arrays.\n\
         const ids = new Uint16Array(batch), lens = new Uint16Array(batch);\n\
         let bd = 0;\n\
         const t1 = performance.now();\n\
         while (bd < total) {{\n\
           const got = nic.rxBurst(ids, lens, batch);\n\
           if (got === 0) {{ nic.txBurst(ids, lens, 0); continue; }}\n\
           const sent = nic.txBurst(ids, lens, got);\n\
           if (sent < got) nic.freeBurst(ids.subarray(sent), got - sent);\n\
           bd += got;\n\
         }}\n\
         console.log('burst', bd / ((performance.now() - t1) / 1000) / 1e6);\n\
         rxMs = 0; txMs = 0; n = 0;\n\
         while (n < total / 2) {{\n\
           const a = performance.now();\n\
           const got = nic.rxBurst(ids, lens, batch);\n\
           const b = performance.now();\n\
           const sent = nic.txBurst(ids, lens, got);\n\
           txMs += performance.now() - b; rxMs += b - a;\n\
           if (sent < got) nic.freeBurst(ids.subarray(sent), got - sent);\n\
           n += got;\n\
         }}\n\
         console.log('burstsplit', rxMs * 1e6 / n, txMs * 1e6 / n);\n"
    )
}

/// What the JS loops printed: Packets Mpps, its rx/tx split (ns), bursts Mpps and split.
struct JsFigures {
    packets: Option<f64>,
    split: Option<Vec<f64>>,
    burst: Option<f64>,
    burst_split: Option<Vec<f64>>,
    stderr: String,
}

fn run_js(name: &str, setup: &str, packets: u64) -> JsFigures {
    let script = std::env::temp_dir().join(format!("jsk-bench-net-{name}-{}.js", std::process::id()));
    std::fs::write(&script, format!("{setup}{}", js_loops(packets))).unwrap();
    let out = Command::new(JSK).arg("run").arg(&script).output().expect("run jsk");
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let figures = |prefix: &str| -> Option<Vec<f64>> {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.split_whitespace().filter_map(|x| x.parse().ok()).collect())
    };
    JsFigures {
        packets: figures("mpps ").and_then(|v| v.first().copied()),
        split: figures("split "),
        burst: figures("burst ").and_then(|v| v.first().copied()),
        burst_split: figures("burstsplit "),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Print one driver's figures beside its Rust reference (Mpps; model ns per packet).
fn report(label: &str, js: &JsFigures, rust: f64, model_ns: f64) {
    let Some(packets) = js.packets else {
        println!("net      JS {label}: no figure ({})", js.stderr.lines().next().unwrap_or("no output"));
        println!("net      Rust reference loop ({label}) {rust:>7.3} Mpps");
        return;
    };
    let burst = js.burst.unwrap_or(f64::NAN);
    println!("net      JS {label} forwarding 64 B, bursts (rxBurst/txBurst)   {burst:>7.3} Mpps");
    println!("net      JS {label} forwarding 64 B, Packets (rxBatch/txBatch) {packets:>7.3} Mpps");
    println!("net      Rust reference loop ({label} model)                  {rust:>7.3} Mpps (baseline, same loopback model)");
    println!(
        "net      ratio ({label}): bursts reach {:.3} and Packets {:.3} of the Rust loop (goal 0.35); {:.0} ns and {:.0} ns vs {:.0} ns per packet",
        burst / rust,
        packets / rust,
        1e3 / burst,
        1e3 / packets,
        1e3 / rust
    );
    for (what, split) in [("bursts: rxBurst", &js.burst_split), ("Packets: rxBatch", &js.split)] {
        if let Some([rx, tx]) = split.as_deref() {
            println!(
                "net      {label} per packet, {what} {rx:.0} ns, tx {:.0} ns, the loopback model {model_ns:.0} ns \
                 (driver JS with its native calls; the model timed in the Rust loop)",
                (tx - model_ns).max(0.0)
            );
        }
    }
}

fn main() {
    let packets = 2_000_000u64;
    let root = env!("CARGO_MANIFEST_DIR");
    let e1000 = run_js(
        "e1000",
        &format!(
            "import {{ fakeDevice }} from 'jsk:fake';\n\
             import {{ fakeNicLoopback }} from 'jsk:native';\n\
             import {{ bind }} from 'jsk:hal';\n\
             import e1000 from {:?};\n\
             const fake = fakeDevice({{ name: 'e1000', bus: 'pci', ids: {{ vendor: 0x8086, device: 0x100e }}, regions: [{{ index: 0, size: 0x20000 }}], irqs: 0 }});\n\
             fakeNicLoopback(fake.region(0));\n\
             const nic = await bind(e1000, fake.device);\n",
            format!("{root}/../drivers/nic/e1000.js")
        ),
        packets,
    );
    let (n, t, _) = reference::forward(packets * 5, 32, 64, false);
    let (m, _, model) = reference::forward(packets, 32, 64, true);
    assert!(n >= packets * 5, "the reference loop forwarded {n} of {} frames", packets * 5);
    report("e1000.js", &e1000, n as f64 / t.as_secs_f64() / 1e6, model.as_secs_f64() * 1e9 / m as f64);

    // virtio-net: brought up on the JS device model (hwtests/models/virtio_net.js), whose
    // registers are then let go of: the data path runs on the Rust split-queue loopback.
    let virtio = run_js(
        "virtio",
        &format!(
            "import {{ fakeVirtqLoopback }} from 'jsk:native';\n\
             import {{ bind }} from 'jsk:hal';\n\
             import virtioNet from {:?};\n\
             import {{ virtioNetModel }} from {:?};\n\
             const m = virtioNetModel({{ loopback: false }});\n\
             m.device.virtio = {{ mode: 'poll' }};\n\
             const nic = await bind(virtioNet, m.device);\n\
             const q = (i) => ({{ desc: m.queues[i].desc, driver: m.queues[i].driver, device: m.queues[i].device, size: m.queues[i].size }});\n\
             m.fake.region(4).setHook(null);\n\
             fakeVirtqLoopback(m.fake.region(4), {{ notify: 0x3000 + 4 * m.queues[1].notifyOff, queue: 1, rx: q(0), tx: q(1) }});\n",
            format!("{root}/../drivers/virtio/net.js"),
            format!("{root}/../hwtests/models/virtio_net.js")
        ),
        packets,
    );
    let (n, t, _) = virtio_reference::forward(packets * 5, 32, 64, false);
    let (m, _, model) = virtio_reference::forward(packets, 32, 64, true);
    assert!(n >= packets * 5, "the virtio reference loop forwarded {n} of {} frames", packets * 5);
    report("virtio/net.js", &virtio, n as f64 / t.as_secs_f64() / 1e6, model.as_secs_f64() * 1e9 / m as f64);
}

/// DMA memory for the reference loops: one allocation whose device addresses start at `.1`.
struct Flat(Rc<Memory>, u64);

impl DeviceMemory for Flat {
    fn find(&self, addr: u64, len: usize) -> Option<(Rc<Memory>, usize)> {
        let off = addr.checked_sub(self.1)? as usize;
        (off.checked_add(len)? <= self.0.len()).then(|| (self.0.clone(), off))
    }
}

/// Run the model's step `f`, adding its time to `total` when `time_model` (the clock reads
/// would slow the baseline otherwise).
fn timed(time_model: bool, total: &mut Duration, f: impl FnOnce()) {
    if time_model {
        let m = Instant::now();
        f();
        *total += m.elapsed();
    } else {
        f();
    }
}

/// The Rust reference for the per-packet benchmark: the same forwarding loop
/// a JS driver runs (receive a batch, send the same buffers back out, reclaim
/// finished transmissions), written directly against the loopback model.
mod reference {
    use super::*;

    const RING: usize = 512;
    const BUF: usize = 2048;
    const POOL: usize = 4 * RING;
    const BASE: u64 = 0x10_0000;

    fn w32(regs: &Memory, off: usize, v: u32) {
        regs.write(off, 4, v as u64);
    }

    /// Forward `packets` frames of `frame` bytes in batches of `batch`;
    /// returns how many were forwarded, how long it took, and how much of
    /// that the model took (timed only when `time_model`: the clock reads
    /// would slow the baseline).
    pub fn forward(packets: u64, batch: usize, frame: usize, time_model: bool) -> (u64, Duration, Duration) {
        let regs = Memory::zeroed(0x20000, 4096).expect("registers");
        let mem = Rc::new(Memory::zeroed(2 * RING * DESC + POOL * BUF, 4096).expect("DMA memory"));
        let dma = Flat(mem.clone(), BASE);
        let mut model = Loopback::new(&regs);
        let (rx_ring, tx_ring) = (0usize, RING * DESC);
        let buf_off = |i: usize| 2 * RING * DESC + i * BUF;
        let iova = |off: usize| BASE + off as u64;
        w32(&regs, reg::RDBAL, iova(rx_ring) as u32);
        w32(&regs, reg::RDLEN, (RING * DESC) as u32);
        w32(&regs, reg::TDBAL, iova(tx_ring) as u32);
        w32(&regs, reg::TDLEN, (RING * DESC) as u32);
        let mut free: Vec<usize> = (0..POOL).collect();
        let mut rx_buf = vec![0usize; RING];
        for (i, slot) in rx_buf.iter_mut().enumerate() {
            *slot = free.pop().unwrap();
            mem.write(rx_ring + i * DESC, 8, iova(buf_off(*slot)));
        }
        w32(&regs, reg::RDT, (RING - 1) as u32);
        let mut tx_buf = vec![usize::MAX; RING];
        let (mut rx_next, mut tx_next, mut tx_clean) = (0usize, 0usize, 0usize);
        let send = |tx_next: &mut usize, tx_buf: &mut Vec<usize>, b: usize, len: usize| {
            let d = tx_ring + *tx_next * DESC;
            mem.write(d, 8, iova(buf_off(b)));
            mem.write(d + 8, 2, len as u64);
            mem.write(d + 11, 1, 0x0b); // CMD: EOP | IFCS | RS
            mem.write(d + 12, 1, 0);
            tx_buf[*tx_next] = b;
            *tx_next = (*tx_next + 1) % RING;
        };
        // Prime the loop with one batch of frames.
        for _ in 0..batch {
            let b = free.pop().unwrap();
            send(&mut tx_next, &mut tx_buf, b, frame);
        }
        w32(&regs, reg::TDT, tx_next as u32);
        model.on_tdt(&regs, &dma);
        let mut got = Vec::with_capacity(batch);
        let mut done = 0u64;
        let mut in_model = Duration::ZERO;
        let start = Instant::now();
        while done < packets {
            // Receive a batch: descriptors the device marked done, refilled from the pool.
            got.clear();
            while got.len() < batch {
                let d = rx_ring + rx_next * DESC;
                if mem.read(d + 12, 1).unwrap_or(0) as u8 & DD == 0 {
                    break;
                }
                let len = (mem.read(d + 8, 2).unwrap_or(0) as usize).min(BUF);
                got.push((rx_buf[rx_next], len));
                let nb = free.pop().expect("pool");
                rx_buf[rx_next] = nb;
                mem.write(d, 8, iova(buf_off(nb)));
                mem.write(d + 12, 1, 0);
                rx_next = (rx_next + 1) % RING;
            }
            w32(&regs, reg::RDT, ((rx_next + RING - 1) % RING) as u32);
            // Reclaim finished transmissions, then send what came in.
            while tx_clean != tx_next && mem.read(tx_ring + tx_clean * DESC + 12, 1).unwrap_or(0) as u8 & DD != 0 {
                free.push(tx_buf[tx_clean]);
                tx_clean = (tx_clean + 1) % RING;
            }
            for &(b, len) in &got {
                send(&mut tx_next, &mut tx_buf, b, len);
            }
            w32(&regs, reg::TDT, tx_next as u32);
            timed(time_model, &mut in_model, || model.on_tdt(&regs, &dma));
            done += got.len() as u64;
            if got.is_empty() {
                break;
            }
        }
        (done, start.elapsed(), in_model)
    }
}

/// The Rust reference for virtio-net: what drivers/virtio/net.js does per batch, written
/// directly against the split-queue loopback model. A receive queue of 256 descriptors, each
/// a whole 2048-byte buffer; a transmit queue of 256 descriptors as 128 chains of the shared
/// zero header and a frame; buffers received are sent as they are and come back to the pool
/// when the transmit queue hands them back.
mod virtio_reference {
    use super::*;

    const SIZE: usize = 256;
    const TX_SLOTS: usize = SIZE / 2;
    const BUF: usize = 2048;
    const HDR: usize = 12;
    const POOL: usize = 4 * SIZE;
    const BASE: u64 = 0x20_0000;
    // One queue's bytes: descriptors, available ring (6 + 2 x SIZE), used ring (6 + 8 x SIZE).
    const AVAIL: usize = SIZE * 16;
    const USED: usize = (AVAIL + 6 + 2 * SIZE + 3) & !3;
    const QUEUE: usize = (USED + 6 + 8 * SIZE + 4095) & !4095;

    /// As `reference::forward`, over two split queues.
    pub fn forward(packets: u64, batch: usize, frame: usize, time_model: bool) -> (u64, Duration, Duration) {
        let hdr = 2 * QUEUE;
        let bufs = hdr + 4096;
        let mem = Rc::new(Memory::zeroed(bufs + POOL * BUF, 4096).expect("DMA memory"));
        let dma = Flat(mem.clone(), BASE);
        let iova = |off: usize| BASE + off as u64;
        let buf_off = |b: usize| bufs + b * BUF;
        let (rxq, txq) = (0usize, QUEUE);
        let queue = |q: usize| Queue {
            desc: iova(q),
            driver: iova(q + AVAIL),
            device: iova(q + USED),
            size: SIZE as u16,
            ..Default::default()
        };
        let mut model = VirtqLoopback::new(queue(rxq), queue(txq));
        // Receive: descriptor i holds a whole buffer, device-writable; all offered.
        let mut free: Vec<usize> = (0..POOL).collect();
        let mut rx_buf = vec![0usize; SIZE];
        for (i, slot) in rx_buf.iter_mut().enumerate() {
            *slot = free.pop().unwrap();
            let d = rxq + i * 16;
            mem.write(d, 8, iova(buf_off(*slot)));
            mem.write(d + 8, 4, BUF as u64);
            mem.write(d + 12, 2, 2); // WRITE
            mem.write(rxq + AVAIL + 4 + 2 * i, 2, i as u64);
        }
        let mut rx_avail = SIZE as u16;
        mem.write(rxq + AVAIL + 2, 2, rx_avail as u64);
        // Transmit: slot k is descriptor 2k (the shared header, NEXT) and 2k+1 (the frame).
        for k in 0..TX_SLOTS {
            let d = txq + 2 * k * 16;
            mem.write(d, 8, iova(hdr));
            mem.write(d + 8, 4, HDR as u64);
            mem.write(d + 12, 2, 1); // NEXT
            mem.write(d + 14, 2, (2 * k + 1) as u64);
        }
        let mut tx_buf = vec![usize::MAX; TX_SLOTS];
        let (mut tx_avail, mut tx_slot, mut tx_out) = (0u16, 0usize, 0usize);
        let (mut rx_used, mut tx_used) = (0u16, 0u16);
        let send = |b: usize, len: usize, tx_slot: &mut usize, tx_avail: &mut u16, tx_buf: &mut Vec<usize>| {
            let d = txq + (2 * *tx_slot + 1) * 16;
            mem.write(d, 8, iova(buf_off(b) + HDR));
            mem.write(d + 8, 4, len as u64);
            mem.write(txq + AVAIL + 4 + 2 * (*tx_avail as usize % SIZE), 2, (2 * *tx_slot) as u64);
            tx_buf[*tx_slot] = b;
            *tx_slot = (*tx_slot + 1) % TX_SLOTS;
            *tx_avail = tx_avail.wrapping_add(1);
        };
        for _ in 0..batch {
            let b = free.pop().unwrap();
            send(b, frame, &mut tx_slot, &mut tx_avail, &mut tx_buf);
        }
        tx_out += batch;
        mem.write(txq + AVAIL + 2, 2, tx_avail as u64);
        model.on_notify(&dma);
        let mut got = Vec::with_capacity(batch);
        let mut done = 0u64;
        let mut in_model = Duration::ZERO;
        let start = Instant::now();
        while done < packets {
            // Receive: used entries since the last look, each id and length checked, the
            // descriptor refilled with a fresh buffer and offered again.
            got.clear();
            let idx = mem.read(rxq + USED + 2, 2).unwrap_or(0) as u16;
            while rx_used != idx && got.len() < batch {
                let e = rxq + USED + 4 + 8 * (rx_used as usize % SIZE);
                let id = mem.read(e, 4).unwrap_or(u64::MAX) as usize;
                let len = mem.read(e + 4, 4).unwrap_or(0) as usize;
                rx_used = rx_used.wrapping_add(1);
                if id >= SIZE || !(HDR + 14..=BUF).contains(&len) {
                    continue;
                }
                got.push((rx_buf[id], len - HDR));
                let nb = free.pop().expect("pool");
                rx_buf[id] = nb;
                mem.write(rxq + id * 16, 8, iova(buf_off(nb)));
                mem.write(rxq + AVAIL + 4 + 2 * (rx_avail as usize % SIZE), 2, id as u64);
                rx_avail = rx_avail.wrapping_add(1);
            }
            mem.write(rxq + AVAIL + 2, 2, rx_avail as u64);
            // Reclaim finished transmissions, then send what came in; one notification.
            let idx = mem.read(txq + USED + 2, 2).unwrap_or(0) as u16;
            while tx_used != idx {
                let e = txq + USED + 4 + 8 * (tx_used as usize % SIZE);
                let id = mem.read(e, 4).unwrap_or(u64::MAX) as usize;
                tx_used = tx_used.wrapping_add(1);
                if id.is_multiple_of(2) && id / 2 < TX_SLOTS {
                    free.push(tx_buf[id / 2]);
                    tx_out -= 1;
                }
            }
            let room = (TX_SLOTS - tx_out).min(got.len());
            for &(b, len) in &got[..room] {
                send(b, len, &mut tx_slot, &mut tx_avail, &mut tx_buf);
            }
            for &(b, _) in &got[room..] {
                free.push(b);
            }
            tx_out += room;
            mem.write(txq + AVAIL + 2, 2, tx_avail as u64);
            timed(time_model, &mut in_model, || model.on_notify(&dma));
            done += got.len() as u64;
            if got.is_empty() {
                break;
            }
        }
        (done, start.elapsed(), in_model)
    }
}
