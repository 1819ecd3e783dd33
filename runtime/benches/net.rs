//! Per-packet driver cost without QEMU, side by side in one run:
//! (a) drivers/nic/e1000.js on the fake backend with the Rust loopback model
//!     of the e1000's rings (`fake_nic`), forwarding 64-byte frames
//!     (rxBatch -> txBatch of the same buffers, as ixy's forwarder does);
//! (b) the Rust reference loop (`fake_nic::reference`) over the same model.
//!
//! `cargo bench -p jsk-runtime --bench net` prints the figures.

use std::process::Command;

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
             console.log('mpps', done / s / 1e6);\n"
        ),
    )
    .unwrap();
    let out = Command::new(JSK).arg("run").arg(&script).output().expect("run jsk");
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let js = stdout.lines().find_map(|l| l.strip_prefix("mpps ")).map(|v| v.trim().parse::<f64>().unwrap());
    let (n, t) = jsk::fake_nic::reference::forward(packets * 5, 32, 64);
    let rust = n as f64 / t.as_secs_f64() / 1e6;
    match js {
        Some(js) => {
            println!("net      JS e1000.js forwarding 64 B   {js:>7.3} Mpps (target >= 2 Mpps per core)");
            println!("net      Rust reference loop           {rust:>7.3} Mpps (baseline, same loopback model)");
            println!(
                "net      ratio: JS reaches {:.3} of the Rust loop ({:.0} ns vs {:.0} ns per packet)",
                js / rust,
                1e3 / js,
                1e3 / rust
            );
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
