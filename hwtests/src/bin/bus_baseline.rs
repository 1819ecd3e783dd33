//! The Rust side of the bus benchmarks (hwtests/benches/buses.rs): the same ioctls
//! jsk:linux makes from JavaScript, from a static Rust program in the same guest.
//!
//!   bus_baseline i2c /dev/i2c-0 0x50 N        N SMBus "read byte data" transfers
//!   bus_baseline toggle /dev/gpiochip0 LINE N  N output toggles (GPIO_V2_LINE_SET_VALUES)
//!   bus_baseline latency /dev/gpiochip0 LINE PULL N
//!                                              N edges made by writing PULL (gpio-sim's sysfs
//!                                              file), each read back as an event: the time from
//!                                              the kernel's timestamp to the read
//!
//! Prints `RESULT name value` lines.

use std::ffi::CString;
use std::time::Instant;

const I2C_SLAVE: libc::c_ulong = 0x0703;
const I2C_SMBUS: libc::c_ulong = 0x0720;
const GPIO_V2_GET_LINE_IOCTL: libc::c_ulong = 0xc250_b407;
const GPIO_V2_LINE_SET_VALUES_IOCTL: libc::c_ulong = 0xc010_b40f;
const FLAG_INPUT: u64 = 1 << 2;
const FLAG_OUTPUT: u64 = 1 << 3;
const FLAG_EDGES: u64 = (1 << 4) | (1 << 5);

#[repr(C)]
struct SmbusIoctlData {
    read_write: u8,
    command: u8,
    size: u32,
    data: *mut u8,
}

#[repr(C)]
struct LineRequest {
    offsets: [u32; 64],
    consumer: [u8; 32],
    config_flags: u64,
    config_num_attrs: u32,
    config_padding: [u32; 5],
    config_attrs: [[u64; 3]; 10],
    num_lines: u32,
    event_buffer_size: u32,
    padding: [u32; 5],
    fd: i32,
}

fn open(path: &str, flags: libc::c_int) -> libc::c_int {
    let c = CString::new(path).unwrap();
    // SAFETY: a NUL-terminated path; the fd is checked.
    let fd = unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC) };
    assert!(fd >= 0, "open {path}: {}", std::io::Error::last_os_error());
    fd
}

fn ioctl<T>(fd: libc::c_int, req: libc::c_ulong, arg: *mut T) -> libc::c_int {
    // SAFETY: `arg` points at the struct the request number says, alive for the call.
    let r = unsafe { libc::ioctl(fd, req, arg) };
    assert!(r >= 0, "ioctl 0x{req:x}: {}", std::io::Error::last_os_error());
    r
}

fn request_line(chip: &str, line: u32, flags: u64) -> libc::c_int {
    let fd = open(chip, libc::O_RDWR);
    // SAFETY: LineRequest is plain data; all zeroes is a valid value.
    let mut req: LineRequest = unsafe { std::mem::zeroed() };
    assert_eq!(std::mem::size_of::<LineRequest>(), 592);
    req.offsets[0] = line;
    req.consumer[..8].copy_from_slice(b"baseline");
    req.config_flags = flags;
    req.num_lines = 1;
    ioctl(fd, GPIO_V2_GET_LINE_IOCTL, &mut req);
    // SAFETY: closing the chip fd we opened; the line fd stays.
    unsafe { libc::close(fd) };
    req.fd
}

fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid timespec to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = |i: usize| -> u64 { args[i].parse().expect("a count") };
    match args.get(1).map(String::as_str) {
        Some("i2c") => {
            let fd = open(&args[2], libc::O_RDWR);
            let addr = u64::from_str_radix(args[3].trim_start_matches("0x"), 16).unwrap();
            // SAFETY: I2C_SLAVE takes the address as the argument itself.
            assert!(unsafe { libc::ioctl(fd, I2C_SLAVE, addr as libc::c_ulong) } >= 0);
            let count = n(4);
            let mut data = [0u8; 34];
            let t = Instant::now();
            for i in 0..count {
                let mut a =
                    SmbusIoctlData { read_write: 1, command: (i & 0xff) as u8, size: 2, data: data.as_mut_ptr() };
                ioctl(fd, I2C_SMBUS, &mut a);
            }
            println!("RESULT rust-i2c-us {:.1}", t.elapsed().as_secs_f64() * 1e6 / count as f64);
        }
        Some("toggle") => {
            let fd = request_line(&args[2], args[3].parse().unwrap(), FLAG_OUTPUT);
            let count = n(4);
            let t = Instant::now();
            for i in 0..count {
                let mut v = [i & 1, 1u64];
                ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, v.as_mut_ptr());
            }
            println!("RESULT rust-toggles-per-s {:.0}", count as f64 / t.elapsed().as_secs_f64());
        }
        Some("latency") => {
            let fd = request_line(&args[2], args[3].parse().unwrap(), FLAG_INPUT | FLAG_EDGES);
            let pull = &args[4];
            let count = n(5);
            let mut lat = Vec::new();
            let mut ev = [0u8; 48];
            for i in 0..count {
                std::fs::write(pull, if i % 2 == 0 { "pull-up" } else { "pull-down" }).unwrap();
                // SAFETY: reading one 48-byte event into a 48-byte buffer.
                let r = unsafe { libc::read(fd, ev.as_mut_ptr().cast(), ev.len()) };
                assert_eq!(r, 48);
                let now = monotonic_ns();
                let stamp = u64::from_ne_bytes(ev[..8].try_into().unwrap());
                lat.push(now.saturating_sub(stamp));
            }
            lat.sort_unstable();
            println!("RESULT rust-edge-latency-us {:.1}", lat[lat.len() / 2] as f64 / 1000.0);
        }
        _ => {
            eprintln!("usage: bus_baseline i2c DEV ADDR N | toggle CHIP LINE N | latency CHIP LINE PULL N");
            std::process::exit(2);
        }
    }
}
