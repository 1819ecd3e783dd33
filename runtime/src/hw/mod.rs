//! Hardware as the host sees it, in safe code and without JavaScript:
//! register windows (`RegionCore`, whose checked accesses every backend's
//! regions go through), DMA memory and its device-address allocation, board
//! descriptions (`board`), and the errors of all of them. Backends build on
//! this; `js/` shows it to JavaScript.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use std::time::Duration;

use crate::sys::Memory;

pub mod board;
pub mod pci;
pub mod ring;

/// Address spaces a register window can live in (`"mem"`, `"io"` in board
/// files and from JS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Space {
    /// Memory-mapped I/O.
    #[default]
    Mem,
    /// x86 port I/O.
    Io,
}

impl Space {
    pub fn name(self) -> &'static str {
        match self {
            Space::Mem => "mem",
            Space::Io => "io",
        }
    }
}

impl std::str::FromStr for Space {
    type Err = UnknownChoice;
    fn from_str(s: &str) -> Result<Space, UnknownChoice> {
        choose("space", s)
    }
}

/// A name that is none of an option's choices (`space`, `backend`, ...).
#[derive(Debug, thiserror::Error)]
#[error("{what} must be {}, not {given:?}", or_list(.choices))]
pub struct UnknownChoice {
    pub what: &'static str,
    pub given: String,
    pub choices: Vec<String>,
}

fn or_list(choices: &[String]) -> String {
    let quoted: Vec<String> = choices.iter().map(|c| format!("{c:?}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// The choice of a `clap::ValueEnum` named `s`, exactly as the CLI spells it.
pub fn choose<T: clap::ValueEnum>(what: &'static str, s: &str) -> Result<T, UnknownChoice> {
    T::from_str(s, false).map_err(|_| UnknownChoice {
        what,
        given: s.to_string(),
        choices: T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum HwError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("QEMU: {0}")]
    Qemu(String),
    #[error("timed out after {} ms waiting for {what}", .after.as_millis())]
    Timeout { what: String, after: Duration },
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
    /// An offset or size outside what the resource holds (JS: RangeError).
    #[error("{0}")]
    OutOfRange(String),
    /// A pool or space with no room left.
    #[error("{0}")]
    Exhausted(String),
    /// The host (kernel, VFIO, the IOMMU) refused.
    #[error("{0}")]
    Refused(String),
    /// `source`, met while doing `what` (`vfio 0000:00:03.0: reading the BARs`).
    #[error("{what}: {source}")]
    During { what: String, source: Box<HwError> },
}

impl HwError {
    /// This error, as met while doing `what`.
    pub fn during(self, what: impl Into<String>) -> HwError {
        HwError::During { what: what.into(), source: Box::new(self) }
    }

    /// The error under every `During`.
    pub fn root(&self) -> &HwError {
        match self {
            HwError::During { source, .. } => source.root(),
            e => e,
        }
    }
}

/// A bus that carries register accesses one at a time (the qtest socket).
/// Mapped windows do not use this: they are read and written in place.
/// Called from the JS thread only; widths are 1, 2, 4 or 8 bytes.
pub trait Bus {
    fn read(&self, space: Space, addr: u64, width: u8) -> Result<u64, HwError>;
    fn write(&self, space: Space, addr: u64, width: u8, value: u64) -> Result<(), HwError>;
}

/// How a window's bytes are reached.
pub enum Window {
    /// Mapped into this process (mem backend, fake register files, VFIO BARs):
    /// accessed in place with volatile loads and stores, from `off` on.
    Mapped { mem: Rc<Memory>, off: usize },
    /// Carried one access at a time by a bus (QEMU's qtest socket).
    Bus { bus: Rc<dyn Bus>, space: Space, base: u64 },
}

/// One register window. JS sees it as a `Region` object (built in
/// `js::ffi::region::new_region`, whose methods call `read`/`write` here).
pub struct RegionCore {
    pub name: String,
    pub size: u64,
    pub space: Space,
    pub window: Window,
    /// Fake register files accept a JS hook (see the module doc).
    pub fake: bool,
    /// Fake register files may carry a device model written in Rust, told of every write.
    pub model: Option<Rc<RefCell<dyn RegisterModel>>>,
}

/// A fake device's behaviour in Rust (e.g. `backend::fake_nic::Loopback`): runs after
/// each write is stored in the register file `regs`.
pub trait RegisterModel {
    fn written(&mut self, regs: &Memory, off: usize, width: u8, value: u64);
}

/// Why an access was refused.
#[derive(Debug)]
pub enum AccessError {
    Range(String),
    Type(String),
    Hw(String),
}

impl RegionCore {
    pub fn new(name: String, size: u64, space: Space, window: Window) -> Self {
        RegionCore { name, size, space, window, fake: false, model: None }
    }

    /// Validate an access at integer offset `off`.
    pub fn check(&self, off: u64, width: u8) -> std::result::Result<(), AccessError> {
        let bits = width as u32 * 8;
        if off.checked_add(width as u64).is_none_or(|end| end > self.size) {
            return Err(AccessError::Range(format!(
                "{}: offset {off:#x} is outside the region ({:#x} bytes) for a {bits}-bit access",
                self.name, self.size
            )));
        }
        // Widths are powers of two: a mask, not a division, on this hot path.
        if off & (width as u64).wrapping_sub(1) != 0 {
            return Err(AccessError::Range(format!(
                "{}: offset {off:#x} is not aligned for a {bits}-bit access",
                self.name
            )));
        }
        Ok(())
    }

    pub fn bad_offset(&self, shown: &str) -> AccessError {
        AccessError::Range(format!("{}: offset {shown} is not a non-negative integer", self.name))
    }

    pub fn bad_value(&self, off: u64, width: u8, shown: &str) -> AccessError {
        let bits = width as u32 * 8;
        AccessError::Type(format!("{}: write{bits} at {off:#x}: {shown} is not a {bits}-bit value", self.name))
    }

    /// A checked read of exactly `width` bytes.
    pub fn read(&self, off: u64, width: u8) -> std::result::Result<u64, AccessError> {
        self.check(off, width)?;
        match &self.window {
            Window::Mapped { mem, off: base } => mem
                .read(base + off as usize, width)
                .ok_or_else(|| AccessError::Range(format!("{}: offset {off:#x} is outside the mapping", self.name))),
            Window::Bus { bus, space, base } => {
                bus.read(*space, base + off, width).map_err(|e| AccessError::Hw(format!("{}: {e}", self.name)))
            }
        }
    }

    /// A checked write of exactly `width` bytes of `value` (already masked).
    pub fn write(&self, off: u64, width: u8, value: u64) -> std::result::Result<(), AccessError> {
        self.check(off, width)?;
        match &self.window {
            Window::Mapped { mem, off: base } => {
                if mem.write(base + off as usize, width, value) {
                    if let Some(m) = &self.model {
                        m.borrow_mut().written(mem, base + off as usize, width, value);
                    }
                    Ok(())
                } else {
                    Err(AccessError::Range(format!("{}: offset {off:#x} is outside the mapping", self.name)))
                }
            }
            Window::Bus { bus, space, base } => {
                bus.write(*space, base + off, width, value).map_err(|e| AccessError::Hw(format!("{}: {e}", self.name)))
            }
        }
    }

    pub fn space_name(&self) -> &'static str {
        self.space.name()
    }
}

pub fn mask(width: u8) -> u64 {
    if width == 8 {
        u64::MAX
    } else {
        (1u64 << (width * 8)) - 1
    }
}

/// Whether an integer fits `width` bytes (a register, a descriptor field),
/// as an unsigned number or a negative one in two's complement.
pub fn fits(v: i128, width: u8) -> bool {
    let bits = width as u32 * 8;
    v >= -(1i128 << (bits - 1)) && v < 1i128 << bits
}

/// The integer a double holds, when it is one in [-2^63, 2^64) (what 64
/// bits hold, signed or unsigned); None for fractions, NaN, infinities and
/// anything larger.
pub fn f64_integer(f: f64) -> Option<i128> {
    (f.fract() == 0.0 && (-9.223372036854776e18..1.8446744073709552e19).contains(&f)).then_some(f as i128)
}

// ---- DMA memory -------------------------------------------------------

/// First-fit allocator over a device-address range (guest RAM, an IOVA space).
pub struct DmaPool {
    /// Free extents: start -> length.
    free: BTreeMap<u64, u64>,
}

impl DmaPool {
    pub fn new(base: u64, len: u64) -> Self {
        let mut free = BTreeMap::new();
        free.insert(base, len);
        DmaPool { free }
    }

    pub fn alloc(&mut self, size: u64, align: u64) -> Option<u64> {
        let (start, len, addr) = self.free.iter().find_map(|(&start, &len)| {
            let addr = start.checked_add(align - 1)? & !(align - 1);
            (addr.checked_add(size)? <= start + len).then_some((start, len, addr))
        })?;
        self.free.remove(&start);
        if addr > start {
            self.free.insert(start, addr - start);
        }
        let end = addr + size;
        if end < start + len {
            self.free.insert(end, start + len - end);
        }
        Some(addr)
    }

    pub fn release(&mut self, addr: u64, size: u64) {
        let mut start = addr;
        let mut len = size;
        if let Some((&s, &l)) = self.free.range(..addr).next_back() {
            if s + l == addr {
                self.free.remove(&s);
                start = s;
                len += l;
            }
        }
        if let Some(&l) = self.free.get(&(addr + size)) {
            self.free.remove(&(addr + size));
            len += l;
        }
        self.free.insert(start, len);
    }

    pub fn free_bytes(&self) -> u64 {
        self.free.values().sum()
    }
}

/// Where DMA memory comes from for one backend.
pub enum DmaSource {
    /// Memory the device reaches at `device_base + offset`: QEMU's guest RAM
    /// shared with jsk (qtest).
    Window { memory: Rc<Memory>, device_base: u64, pool: Rc<RefCell<DmaPool>> },
    /// Host memory with made-up device addresses (fake backend).
    Fake(Rc<RefCell<FakeDma>>),
    /// Memory a backend maps for the device behind an IOMMU (VFIO).
    Iommu(Rc<dyn IommuDma>),
}

/// DMA memory a backend mapped: the memory (at least the size asked,
/// zeroed), its device address, and what to run when the buffer is freed.
pub type DmaMapping = (Rc<Memory>, u64, Box<dyn FnOnce()>);

/// A backend that allocates DMA memory and maps it for its devices (VFIO:
/// page-aligned memory at an IOVA of jsk's choosing); the release unmaps it
/// and gives the IOVA back. An error says what failed.
pub trait IommuDma {
    fn map(&self, size: u64, align: u64) -> Result<DmaMapping, HwError>;
}

#[derive(Default)]
pub struct FakeDma {
    pool: Option<DmaPool>,
    /// Live buffers: device address -> their memory.
    live: BTreeMap<u64, Rc<Memory>>,
}

/// Low, so that devices with narrow DMA masks (edu: 28 bits) reach it.
pub const FAKE_IOVA_BASE: u64 = 0x0010_0000;
const FAKE_IOVA_SPACE: u64 = 0x0FF0_0000;

/// Largest DMA buffer and alignment a driver may ask for.
pub const DMA_MAX_SIZE: u64 = 1 << 30;
pub const DMA_MAX_ALIGN: u64 = 1 << 21;

impl DmaSource {
    /// `size` zeroed bytes aligned to `align` (a power of two) and their
    /// device address; the address is given back when the buffer is dropped.
    pub fn alloc(&self, size: u64, align: u64) -> Result<DmaBuffer, HwError> {
        if !(1..=DMA_MAX_SIZE).contains(&size) {
            return Err(HwError::OutOfRange(format!("dma: size {size} must be an integer in [1, 1 GiB]")));
        }
        if !align.is_power_of_two() || align > DMA_MAX_ALIGN {
            return Err(HwError::OutOfRange(format!("dma: align {align} must be a power of two up to 2 MiB")));
        }
        let no_room = || HwError::Exhausted(format!("dma: no room for {size} bytes (align {align})"));
        let len = size as usize;
        match self {
            DmaSource::Window { memory, device_base, pool } => {
                let addr = pool.borrow_mut().alloc(size, align).ok_or_else(no_room)?;
                let pool2 = pool.clone();
                let release = Box::new(move || pool2.borrow_mut().release(addr, size));
                DmaBuffer::new(memory.clone(), (addr - device_base) as usize, len, addr, release)
                    .ok_or_else(|| HwError::Invalid("dma: pool and window disagree".into()))
            }
            DmaSource::Iommu(mapper) => {
                let (memory, addr, release) = mapper.map(size, align).map_err(|e| e.during("dma"))?;
                DmaBuffer::new(memory, 0, len, addr, release)
                    .ok_or_else(|| HwError::Invalid("dma: mapping smaller than asked".into()))
            }
            DmaSource::Fake(state) => {
                let mut st = state.borrow_mut();
                let addr = st
                    .pool
                    .get_or_insert_with(|| DmaPool::new(FAKE_IOVA_BASE, FAKE_IOVA_SPACE))
                    .alloc(size, align)
                    .ok_or_else(no_room)?;
                let mem = Rc::new(Memory::zeroed(len, align as usize).ok_or_else(no_room)?);
                st.live.insert(addr, mem.clone());
                drop(st);
                let state2 = state.clone();
                let release = Box::new(move || {
                    let mut st = state2.borrow_mut();
                    st.live.remove(&addr);
                    if let Some(p) = st.pool.as_mut() {
                        p.release(addr, size);
                    }
                });
                DmaBuffer::new(mem, 0, len, addr, release)
                    .ok_or_else(|| HwError::Invalid("dma: allocation smaller than asked".into()))
            }
        }
    }
}

/// DMA memory handed out: `len` bytes at `off` in `memory`, which the device
/// reaches at `addr`. Zeroed when made; `release` runs once, on drop, and the
/// memory stays alive until then.
pub struct DmaBuffer {
    memory: Rc<Memory>,
    ptr: std::ptr::NonNull<u8>,
    len: usize,
    pub addr: u64,
    release: Option<Box<dyn FnOnce()>>,
}

impl DmaBuffer {
    /// None when `[off, off+len)` is not inside `memory`.
    pub fn new(memory: Rc<Memory>, off: usize, len: usize, addr: u64, release: Box<dyn FnOnce()>) -> Option<Self> {
        let ptr = memory.range_ptr(off, len)?;
        memory.fill_zero(off, len);
        Some(DmaBuffer { memory, ptr, len, addr, release: Some(release) })
    }

    /// The first byte: `len()` bytes from here lie inside memory this buffer keeps alive.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The memory the buffer lies in.
    pub fn memory(&self) -> &Rc<Memory> {
        &self.memory
    }
}

impl Drop for DmaBuffer {
    fn drop(&mut self) {
        if let Some(r) = self.release.take() {
            r();
        }
    }
}

impl FakeDma {
    /// The live buffer holding [addr, addr+len), and the offset in it.
    pub fn find(&self, addr: u64, len: usize) -> Option<(Rc<Memory>, usize)> {
        let (&start, mem) = self.live.range(..=addr).next_back()?;
        let off = (addr - start) as usize;
        (off.checked_add(len)? <= mem.len()).then(|| (mem.clone(), off))
    }
}

#[cfg(test)]
mod tests {
    use super::DmaPool;

    #[test]
    fn pool_allocates_aligned_and_coalesces_on_release() {
        let mut p = DmaPool::new(0x1000, 0x10000);
        let a = p.alloc(0x100, 0x1000).unwrap();
        assert_eq!(a, 0x1000);
        let b = p.alloc(0x10, 0x100).unwrap();
        assert_eq!(b, 0x1100);
        let c = p.alloc(0x1000, 0x1000).unwrap();
        assert_eq!(c, 0x2000);
        assert!(p.alloc(0x10000, 1).is_none());
        p.release(b, 0x10);
        p.release(a, 0x100);
        p.release(c, 0x1000);
        assert_eq!(p.free_bytes(), 0x10000);
        assert_eq!(p.alloc(0x10000, 0x1000), Some(0x1000));
    }
}
