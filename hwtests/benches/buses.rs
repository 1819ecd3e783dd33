//! The bus benchmarks of the guest (boot image on jsk's kernel, q35, TCG), JavaScript
//! over jsk:linux beside a static Rust program making the same ioctls, in one boot:
//! - I2C: one SMBus "read byte data" transfer through i2c-dev (i2c-i801 on QEMU's ICH9,
//!   an smbus-eeprom at 0x50), microseconds per transfer;
//! - GPIO (a gpio-sim chip through the GPIO character device): output toggles per second;
//!   edge latency, the median from the kernel's event timestamp to the reader;
//!   and (JS only) the highest edge rate delivered without loss with the kernel's default
//!   16-event buffer, a worker thread making the edges while the event loop takes them.
//!
//! `cargo bench -p hwtests --bench buses` prints the figures (about a minute; QEMU TCG
//! makes every figure slower than on hardware: read them as ratios).

use std::process::Command;

const BASELINE: &str = env!("CARGO_BIN_EXE_bus_baseline");

fn main() {
    let repo = format!("{}/..", env!("CARGO_MANIFEST_DIR"));
    let jsk = hwtests::jsk();
    let app = std::env::temp_dir().join(format!("jsk-bench-buses-{}", std::process::id()));
    let out = app.join("image");
    std::fs::create_dir_all(&app).unwrap();
    for f in ["bus-bench.js", "bus-bench-gen.js", "gpio_sim.js"] {
        std::fs::copy(format!("{repo}/hwtests/guest/{f}"), app.join(f)).unwrap();
    }
    std::fs::copy(BASELINE, app.join("bus_baseline")).unwrap();
    let sim = "/sys/devices/platform/gpio-sim.0/gpiochip0";
    let build = Command::new(jsk)
        .current_dir(&repo)
        .args(["image", "build", "--app"])
        .arg(app.join("bus-bench.js"))
        .args(["--app-folder", "-o"])
        .arg(&out)
        .args(["--command", "/init node {app}"])
        .args(["--command", "/jsk/app/bus_baseline i2c /dev/i2c-0 0x50 2000"])
        .args(["--command", "/jsk/app/bus_baseline toggle /dev/gpiochip0 0 20000"])
        .args(["--command", &format!("/jsk/app/bus_baseline latency /dev/gpiochip0 1 {sim}/sim_gpio1/pull 200")])
        .output()
        .expect("jsk image build");
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let run = Command::new(jsk).current_dir(&repo).args(["image", "run"]).arg(&out).args(["--timeout", "300"]).output();
    let run = run.expect("jsk image run");
    let console = String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    let _ = std::fs::remove_dir_all(&app);
    let get = |name: &str| hwtests::console_result(&console, name, None);
    let num = |name: &str| get(name).parse::<f64>().unwrap_or_else(|_| panic!("{name}: {}\n{console}", get(name)));
    assert_eq!(get("chip"), "gpiochip0", "the Rust side assumes the simulator is gpiochip0");
    let (ji, ri) = (num("js-i2c-us"), num("rust-i2c-us"));
    let (jt, rt) = (num("js-toggles-per-s"), num("rust-toggles-per-s"));
    let (jl, rl) = (num("js-edge-latency-us"), num("rust-edge-latency-us"));
    println!("guest (TCG), one boot, {}", std::env::var("JSK_BENCH_DATE").unwrap_or_else(|_| "today".into()));
    println!("I2C   SMBus read byte data   JS {ji:>8.1} us   Rust {ri:>8.1} us   JS/Rust {:.2}", ji / ri);
    println!("GPIO  output toggles         JS {jt:>8.0} /s   Rust {rt:>8.0} /s   JS/Rust {:.2}", jt / rt);
    println!("GPIO  edge latency (median)  JS {jl:>8.1} us   Rust {rl:>8.1} us   JS/Rust {:.2}", jl / rl);
    println!("GPIO  edges delivered without loss (16-event buffer): up to {} edges/s", get("js-edge-rate-no-loss"));
    println!("      per rate: {}", get("js-edge-rates"));
}
