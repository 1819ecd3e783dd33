//! Per-packet driver cost without QEMU, side by side in one run:
//! (a) drivers/nic/e1000.js on the fake backend with the Rust loopback model
//!     of the e1000's rings (`fake_nic`), forwarding 64-byte frames
//!     (receive a batch, send the same buffers, as ixy's forwarder does),
//!     once with Packets (rxBatch/txBatch) and once with bursts of buffer
//!     ids (rxBurst/txBurst);
//! (b) the Rust reference loop below over the same model: what the JS driver
//!     does, written directly in Rust, as the baseline.
//!
//! `cargo bench -p jsk-runtime --bench net` prints the figures.

use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use jsk::backend::fake_nic::{reg, DeviceMemory, Loopback, DD, DESC};
use jsk::sys::Memory;

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

fn main() {
    let packets = 2_000_000u64;
    let driver = format!("{}/../drivers/nic/e1000.js", env!("CARGO_MANIFEST_DIR"));
    let script = std::env::temp_dir().join(format!("jsk-bench-net-{}.js", std::process::id()));
    std::fs::write(
        &script,
        format!(
            "import {{ fakeDevice }} from 'jsk:fake';\n\
             import {{ fakeNicLoopback }} from 'jsk:native';\n\
             import {{ bind }} from 'jsk:hal';\n\
             import e1000 from {driver:?};\n\
             const fake = fakeDevice({{ name: 'e1000', bus: 'pci', ids: {{ vendor: 0x8086, device: 0x100e }}, regions: [{{ index: 0, size: 0x20000 }}], irqs: 0 }});\n\
             fakeNicLoopback(fake.region(0));\n\
             const nic = await bind(e1000, fake.device);\n\
             const batch = 32, total = {packets};\n\
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
        ),
    )
    .unwrap();
    let out = Command::new(JSK).arg("run").arg(&script).output().expect("run jsk");
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let js = stdout.lines().find_map(|l| l.strip_prefix("mpps ")).map(|v| v.trim().parse::<f64>().unwrap());
    let figures = |prefix: &str| -> Option<Vec<f64>> {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.split_whitespace().filter_map(|x| x.parse().ok()).collect())
    };
    let split = figures("split ");
    let burst = figures("burst ").and_then(|v| v.first().copied());
    let burst_split = figures("burstsplit ");
    let (n, t, _) = reference::forward(packets * 5, 32, 64, false);
    let (m, _, model) = reference::forward(packets, 32, 64, true);
    assert!(n >= packets * 5, "the reference loop forwarded {n} of {} frames", packets * 5);
    let rust = n as f64 / t.as_secs_f64() / 1e6;
    match js {
        Some(js) => {
            let burst = burst.unwrap_or(f64::NAN);
            println!("net      JS e1000.js forwarding 64 B, bursts (rxBurst/txBurst)   {burst:>7.3} Mpps");
            println!("net      JS e1000.js forwarding 64 B, Packets (rxBatch/txBatch) {js:>7.3} Mpps");
            println!("net      Rust reference loop                                  {rust:>7.3} Mpps (baseline, same loopback model)");
            println!(
                "net      ratio: bursts reach {:.3} and Packets {:.3} of the Rust loop (goal 0.35); {:.0} ns and {:.0} ns vs {:.0} ns per packet",
                burst / rust,
                js / rust,
                1e3 / burst,
                1e3 / js,
                1e3 / rust
            );
            let model_ns = model.as_secs_f64() * 1e9 / m as f64;
            for (what, split) in [("bursts: rxBurst", &burst_split), ("Packets: rxBatch", &split)] {
                if let Some([rx, tx]) = split.as_deref() {
                    println!(
                        "net      per packet, {what} {rx:.0} ns, tx {:.0} ns, the loopback model {model_ns:.0} ns \
                         (driver JS with its native calls; the model timed in the Rust loop)",
                        (tx - model_ns).max(0.0)
                    );
                }
            }
        }
        None => {
            println!(
                "net      JS e1000.js: no figure ({})",
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("no output")
            );
            println!("net      Rust reference loop           {rust:>7.3} Mpps");
        }
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

    struct Flat(Rc<Memory>);

    impl DeviceMemory for Flat {
        fn find(&self, addr: u64, len: usize) -> Option<(Rc<Memory>, usize)> {
            let off = addr.checked_sub(BASE)? as usize;
            (off.checked_add(len)? <= self.0.len()).then(|| (self.0.clone(), off))
        }
    }

    /// Forward `packets` frames of `frame` bytes in batches of `batch`;
    /// returns how many were forwarded, how long it took, and how much of
    /// that the model took (timed only when `time_model`: the clock reads
    /// would slow the baseline).
    pub fn forward(packets: u64, batch: usize, frame: usize, time_model: bool) -> (u64, Duration, Duration) {
        let regs = Memory::zeroed(0x20000, 4096).expect("registers");
        let mem = Rc::new(Memory::zeroed(2 * RING * DESC + POOL * BUF, 4096).expect("DMA memory"));
        let dma = Flat(mem.clone());
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
            if time_model {
                let m = Instant::now();
                model.on_tdt(&regs, &dma);
                in_model += m.elapsed();
            } else {
                model.on_tdt(&regs, &dma);
            }
            done += got.len() as u64;
            if got.is_empty() {
                break;
            }
        }
        (done, start.elapsed(), in_model)
    }
}
