//! Hardware-surface figures, each beside its baseline in the same run:
//! - one 32-bit MMIO access from JS (Region.read32/write32 on a RAM-backed
//!   mapping) against the same volatile accesses from Rust, and against the
//!   cheapest native call QuickJS can make (Math.abs), the interpreter's floor;
//! - GPIO writes per second through drivers/gpio/bcm2835.js on a RAM-backed
//!   mapping, against the same GPSET/GPCLR stores from Rust.
//!
//! `cargo bench -p jsk-runtime --bench hardware` prints the figures.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const JSK: &str = env!("CARGO_BIN_EXE_jsk");

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("jsk-bench-{}-{name}", std::process::id()))
}

fn run_js(name: &str, src: &str) -> String {
    let script = scratch(name);
    std::fs::write(&script, src).unwrap();
    let out = Command::new(JSK).arg("run").arg(&script).output().expect("run jsk");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_file(&script);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn figure(out: &str, name: &str) -> f64 {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in {out}"))
        .trim()
        .parse()
        .unwrap()
}

/// A RAM-backed "register window": a plain file mapped shared.
fn ram_file(name: &str, size: usize) -> PathBuf {
    let p = scratch(name);
    std::fs::write(&p, vec![0u8; size]).unwrap();
    p
}

fn rust_mmio_ns(path: &PathBuf, n: u64) -> (f64, f64) {
    let f = std::fs::OpenOptions::new().read(true).write(true).open(path).unwrap();
    let map = memmap2::MmapOptions::new().len(4096).map_raw(&f).unwrap();
    let reg = map.as_mut_ptr().wrapping_add(0x10) as *mut u32;
    let t = Instant::now();
    for i in 0..n {
        // SAFETY: reg points into a live 4 KiB mapping, aligned.
        unsafe { std::ptr::write_volatile(reg, i as u32) };
    }
    let w = t.elapsed().as_nanos() as f64 / n as f64;
    let t = Instant::now();
    let mut s = 0u64;
    for _ in 0..n {
        // SAFETY: as above.
        s = s.wrapping_add(unsafe { std::ptr::read_volatile(reg) } as u64);
    }
    std::hint::black_box(s);
    (w, t.elapsed().as_nanos() as f64 / n as f64)
}

fn mmio() {
    let path = ram_file("mmio", 4096);
    let n = 3_000_000u64;
    let out = run_js(
        "mmio.js",
        &format!(
            "import {{ mapRegion }} from 'jsk:native';\n\
             const r = mapRegion({path:?}, 0, 4096, 'ram'), n = {n};\n\
             const time = (f) => {{ const t = performance.now(); f(); return (performance.now() - t) * 1e6 / n; }};\n\
             const empty = time(() => {{ for (let i = 0; i < n; i++); }});\n\
             const w = time(() => {{ for (let i = 0; i < n; i++) r.write32(0x10, i); }});\n\
             const rd = time(() => {{ let s = 0; for (let i = 0; i < n; i++) s += r.read32(0x10); }});\n\
             const abs = time(() => {{ for (let i = 0; i < n; i++) Math.abs(i); }});\n\
             console.log('write', w - empty); console.log('read', rd - empty); console.log('abs', abs - empty); console.log('loop', empty);\n"
        ),
    );
    let (rw, rr) = rust_mmio_ns(&path, n);
    let (jw, jr, abs, lp) = (figure(&out, "write"), figure(&out, "read"), figure(&out, "abs"), figure(&out, "loop"));
    println!("mmio     JS Region.write32          {jw:>7.1} ns per access (target <= 40 ns; loop overhead of {lp:.1} ns subtracted)");
    println!("mmio     JS Region.read32           {jr:>7.1} ns per access");
    println!("mmio     JS Math.abs (floor)        {abs:>7.1} ns per call: the cheapest native call QuickJS makes here");
    println!("mmio     Rust write_volatile        {rw:>7.2} ns per access (baseline)");
    println!("mmio     Rust read_volatile         {rr:>7.2} ns per access (baseline)");
    println!("mmio     ratio: JS write is {:.2}x a bare QuickJS native call, {:.0}x Rust", jw / abs, jw / rw.max(0.01));
    let _ = std::fs::remove_file(path);
}

fn gpio() {
    let path = ram_file("gpio", 4096);
    let n = 2_000_000u64;
    let driver = format!("{}/../drivers/gpio/bcm2835.js", env!("CARGO_MANIFEST_DIR"));
    let out = run_js(
        "gpio.js",
        &format!(
            "import {{ mapRegion }} from 'jsk:native';\n\
             import {{ Device, bind }} from 'jsk:hal';\n\
             import gpio from {driver:?};\n\
             const region = mapRegion({path:?}, 0, 0xb4, 'gpio regs');\n\
             const dev = new Device({{ name: 'gpio', bus: 'platform', ids: {{ compatible: ['brcm,bcm2835-gpio'] }}, regions: [{{ index: 0, name: 'regs', region }}] }});\n\
             const h = await bind(gpio, dev);\n\
             const pin = h.pin(17).intoOutput(false), n = {n};\n\
             const t = performance.now();\n\
             for (let i = 0; i < n; i += 2) {{ pin.setHigh(); pin.setLow(); }}\n\
             console.log('rate', n / ((performance.now() - t) / 1000));\n"
        ),
    );
    let rate = figure(&out, "rate");
    // The same stores from Rust: GPSET0 (0x1c) and GPCLR0 (0x28), bit 17.
    let f = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
    let map = memmap2::MmapOptions::new().len(4096).map_raw(&f).unwrap();
    let (set, clr) = (map.as_mut_ptr().wrapping_add(0x1c) as *mut u32, map.as_mut_ptr().wrapping_add(0x28) as *mut u32);
    let t = Instant::now();
    for _ in 0..n / 2 {
        // SAFETY: both point into the live mapping, aligned.
        unsafe {
            std::ptr::write_volatile(set, 1 << 17);
            std::ptr::write_volatile(clr, 1 << 17);
        }
    }
    let rust_rate = n as f64 / t.elapsed().as_secs_f64();
    println!("gpio     bcm2835.js pin.setHigh/setLow {:>7.2} M writes/s (target >= 10 M/s)", rate / 1e6);
    println!("gpio     Rust GPSET/GPCLR stores       {:>7.1} M writes/s (baseline)", rust_rate / 1e6);
    println!("gpio     ratio: JS reaches {:.3} of Rust's rate", rate / rust_rate);
    let _ = std::fs::remove_file(path);
}

fn main() {
    mmio();
    gpio();
}
