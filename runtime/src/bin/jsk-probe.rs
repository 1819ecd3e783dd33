//! jsk-probe on the host: the same command line as `jsk probe` (`jsk::probe::cli`), as its
//! own binary. In the boot image there is one binary and /bin/jsk-probe is a link to it.
#![deny(unsafe_code)]

fn main() {
    jsk::probe::cli::THIN.store(true, std::sync::atomic::Ordering::Relaxed);
    jsk::sys::process::exit(jsk::probe::cli::main(std::env::args().collect()));
}
