//! Register windows, DMA memory and the fake backend, as JS sees them.
//!
//! `Region` (JS class) — one register window of a device:
//!
//! | member | contract |
//! | --- | --- |
//! | `name`, `size`, `space` | the window's name ("edu BAR0"), its length in bytes, `"mem"` or `"io"` |
//! | `read8/16/32(offset)` | one volatile access of exactly that width; returns a number |
//! | `read64(offset)` | returns a BigInt |
//! | `write8/16/32(offset, value)` | `value` an integer in [-2^(w-1), 2^w) (two's complement is stored) |
//! | `write64(offset, value)` | BigInt (taken mod 2^64) or a safe integer |
//! | `in8/16/32`, `out8/16/32` | the same, named for port I/O windows |
//!
//! Every access throws `RangeError` naming the region when `offset` is not an
//! integer, is negative, runs past the end, or is not naturally aligned;
//! `TypeError` for a value of the wrong type or range; a backend failure
//! (QEMU gone, a deadline passed) is an `Error` naming the region. Never a signal.
//!
//! Fake regions (`fakeRegion`) are register files in host memory; a test may
//! give them behaviour with `setHook(fn)`, called as `fn("read", offset, width)`
//! (a number/BigInt result replaces the stored value) and
//! `fn("write", offset, width, value)` after the value is stored.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use rquickjs::{function::Opt, ArrayBuffer, BigInt, Ctx, Exception, Result, Value};

use crate::backend::{Bus, Space};
use crate::raw;

pub mod board;

/// How a window's bytes are reached.
pub enum Window {
    /// Mapped into this process (mem backend, fake register files, VFIO BARs):
    /// accessed in place with volatile loads and stores, from `off` on.
    Mapped { mem: Rc<raw::Memory>, off: usize },
    /// Carried one access at a time by a bus (QEMU's qtest socket).
    Bus { bus: Rc<dyn Bus>, space: Space, base: u64 },
}

/// One register window. JS sees it as a `Region` object (built in
/// `raw::new_region`, whose methods call `read`/`write` here).
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

/// A fake device's behaviour in Rust (e.g. `fake_nic::Loopback`): runs after
/// each write is stored in the register file `regs`.
pub trait RegisterModel {
    fn written(&mut self, regs: &raw::Memory, off: usize, width: u8, value: u64);
}

/// Why an access was refused.
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
        if !off.is_multiple_of(width as u64) {
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
        match self.space {
            Space::Mem => "mem",
            Space::Io => "io",
        }
    }
}

pub fn mask(width: u8) -> u64 {
    if width == 8 {
        u64::MAX
    } else {
        (1u64 << (width * 8)) - 1
    }
}

/// Whether an integer fits a `width`-byte register, signed or unsigned.
pub fn fits(v: i64, width: u8) -> bool {
    if width == 8 {
        return true;
    }
    let bits = width as u32 * 8;
    v >= -(1i64 << (bits - 1)) && v < (1i64 << bits)
}

/// Integer bits of a number or BigInt; None for anything else (or a non-integer).
fn value_bits(v: &Value<'_>) -> Result<Option<u64>> {
    if let Some(i) = v.as_int() {
        return Ok(Some(i as i64 as u64));
    }
    if let Some(f) = v.as_float() {
        if f.fract() == 0.0 && f.abs() <= 9.007199254740992e15 {
            return Ok(Some(f as i64 as u64));
        }
        return Ok(None);
    }
    if let Some(b) = v.as_big_int() {
        return Ok(Some(b.clone().to_i64()? as u64));
    }
    Ok(None)
}

pub(crate) fn describe_key(v: &Value<'_>) -> String {
    if let Some(s) = v.as_string().and_then(|s| s.to_string().ok()) {
        return format!("{s:?}");
    }
    match (v.as_int(), v.as_float()) {
        (Some(i), _) if i >= 0 => format!("{i:#x}"),
        (Some(i), _) => i.to_string(),
        (_, Some(f)) => f.to_string(),
        _ => v.type_name().to_string(),
    }
}

/// `fakeRegion(name, size, space = "mem")`: a zeroed register file.
pub fn js_fake_region<'js>(ctx: Ctx<'js>, name: String, size: f64, space: Opt<String>) -> Result<Value<'js>> {
    if !(size >= 1.0 && size <= (1u64 << 30) as f64 && size.fract() == 0.0) {
        return Err(Exception::throw_range(
            &ctx,
            &format!("fakeRegion {name}: size {size} must be an integer in [1, 1 GiB]"),
        ));
    }
    let space = parse_space(&ctx, space.0.as_deref())?;
    let region = crate::backend::fake::register_file(name, size as u64, space)
        .map_err(|e| Exception::throw_internal(&ctx, &e.to_string()))?;
    raw::new_region(&ctx, region)
}

fn parse_space(ctx: &Ctx<'_>, s: Option<&str>) -> Result<Space> {
    match s.unwrap_or("mem") {
        "mem" => Ok(Space::Mem),
        "io" => Ok(Space::Io),
        other => Err(Exception::throw_type(ctx, &format!("space must be \"mem\" or \"io\", not {other:?}"))),
    }
}

/// `mapRegion(path, offset, size, name)`: the mem backend. Maps `size` bytes of
/// `path` (/dev/mem, /dev/gpiomem, a sysfs resourceN, or any file) at `offset`,
/// shared and read-write, opened with O_SYNC so /dev/mem mappings are uncached.
pub fn js_map_region<'js>(
    ctx: Ctx<'js>,
    path: String,
    offset: f64,
    size: f64,
    name: Opt<String>,
) -> Result<Value<'js>> {
    let name = name.0.unwrap_or_else(|| format!("{path}@{offset:#x}", offset = offset as u64));
    if !(size >= 1.0 && size.fract() == 0.0 && offset >= 0.0 && offset.fract() == 0.0) {
        return Err(Exception::throw_range(
            &ctx,
            &format!("mapRegion {name}: offset and size must be integers, size > 0"),
        ));
    }
    let region = crate::backend::mem::map_file(&path, offset as u64, size as u64, name).map_err(|e| match e {
        crate::backend::HwError::OutOfRange(m) => Exception::throw_range(&ctx, &m),
        e => Exception::throw_message(&ctx, &e.to_string()),
    })?;
    raw::new_region(&ctx, region)
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
    Window { memory: Rc<raw::Memory>, device_base: u64, pool: Rc<RefCell<DmaPool>> },
    /// Host memory with made-up device addresses (fake backend).
    Fake(Rc<RefCell<FakeDma>>),
    /// Memory a backend maps for the device behind an IOMMU (VFIO).
    Iommu(Rc<dyn IommuDma>),
}

/// DMA memory a backend mapped: the memory (at least the size asked,
/// zeroed), its device address, and what to run when the buffer is freed.
pub type DmaMapping = (Rc<raw::Memory>, u64, Box<dyn FnOnce()>);

/// A backend that allocates DMA memory and maps it for its devices (VFIO:
/// page-aligned memory at an IOVA of jsk's choosing); the release unmaps it
/// and gives the IOVA back. An error says what failed.
pub trait IommuDma {
    fn map(&self, size: u64, align: u64) -> std::result::Result<DmaMapping, String>;
}

#[derive(Default)]
pub struct FakeDma {
    pool: Option<DmaPool>,
    /// Live buffers: device address -> their memory.
    live: BTreeMap<u64, Rc<raw::Memory>>,
}

/// Low, so that devices with narrow DMA masks (edu: 28 bits) reach it.
pub const FAKE_IOVA_BASE: u64 = 0x0010_0000;
const FAKE_IOVA_SPACE: u64 = 0x0FF0_0000;

fn check_dma_args(ctx: &Ctx<'_>, size: f64, align: f64) -> Result<(u64, u64)> {
    if !(size >= 1.0 && size.fract() == 0.0 && size <= (1u64 << 30) as f64) {
        return Err(Exception::throw_range(ctx, &format!("dma: size {size} must be an integer in [1, 1 GiB]")));
    }
    let align = align as u64;
    if align == 0 || !align.is_power_of_two() || align > 1 << 21 {
        return Err(Exception::throw_range(ctx, &format!("dma: align {align} must be a power of two up to 2 MiB")));
    }
    Ok((size as u64, align))
}

impl DmaSource {
    /// Zeroed memory and its device address; freed when the ArrayBuffer is
    /// collected or detached.
    pub fn alloc<'js>(&self, ctx: &Ctx<'js>, size: f64, align: f64) -> Result<(ArrayBuffer<'js>, u64)> {
        let (size, align) = check_dma_args(ctx, size, align)?;
        let no_room = || Exception::throw_message(ctx, &format!("dma: no room for {size} bytes (align {align})"));
        match self {
            DmaSource::Window { memory, device_base, pool } => {
                let addr = pool.borrow_mut().alloc(size, align).ok_or_else(no_room)?;
                let pool2 = pool.clone();
                let release = Box::new(move || pool2.borrow_mut().release(addr, size));
                let lent = raw::Lent::new(memory.clone(), (addr - device_base) as usize, size as usize, release)
                    .ok_or_else(|| Exception::throw_internal(ctx, "dma: pool and window disagree"))?;
                Ok((ArrayBuffer::from_source(ctx.clone(), lent)?, addr))
            }
            DmaSource::Iommu(mapper) => {
                let (memory, addr, release) =
                    mapper.map(size, align).map_err(|e| Exception::throw_message(ctx, &format!("dma: {e}")))?;
                let lent = raw::Lent::new(memory, 0, size as usize, release)
                    .ok_or_else(|| Exception::throw_internal(ctx, "dma: mapping smaller than asked"))?;
                Ok((ArrayBuffer::from_source(ctx.clone(), lent)?, addr))
            }
            DmaSource::Fake(state) => {
                let mut st = state.borrow_mut();
                let addr = st
                    .pool
                    .get_or_insert_with(|| DmaPool::new(FAKE_IOVA_BASE, FAKE_IOVA_SPACE))
                    .alloc(size, align)
                    .ok_or_else(no_room)?;
                let mem = Rc::new(raw::Memory::zeroed(size as usize, align as usize).ok_or_else(no_room)?);
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
                let lent = raw::Lent::new(mem, 0, size as usize, release)
                    .ok_or_else(|| Exception::throw_internal(ctx, "dma: allocation smaller than asked"))?;
                Ok((ArrayBuffer::from_source(ctx.clone(), lent)?, addr))
            }
        }
    }
}

impl crate::fake_nic::DeviceMemory for FakeDma {
    fn find(&self, addr: u64, len: usize) -> Option<(Rc<raw::Memory>, usize)> {
        FakeDma::find(self, addr, len)
    }
}

/// The e1000 loopback model on a fake register file.
struct NicModel(crate::fake_nic::Loopback);

impl RegisterModel for NicModel {
    fn written(&mut self, regs: &raw::Memory, off: usize, _width: u8, value: u64) {
        FAKE_DMA.with(|d| self.0.written(regs, &*d.borrow(), off, value));
    }
}

/// `fakeNicLoopback(region)`: give a fake region (an e1000's BAR0, 128 KiB)
/// the loopback model of `fake_nic`: transmitted frames come back received.
/// TypeError for a region that is not a fake register file.
pub fn js_fake_nic_loopback<'js>(ctx: Ctx<'js>, region: Value<'js>) -> Result<()> {
    let done = raw::with_region_core(&region, |core| match (&core.window, core.fake) {
        (Window::Mapped { mem, .. }, true) if core.size >= 0x6000 => {
            let model = crate::fake_nic::Loopback::new(mem);
            core.model = Some(Rc::new(RefCell::new(NicModel(model))));
            true
        }
        _ => false,
    });
    if done != Some(true) {
        return Err(Exception::throw_type(&ctx, "fakeNicLoopback: expects a fake region of at least 0x6000 bytes"));
    }
    Ok(())
}

impl FakeDma {
    /// The live buffer holding [addr, addr+len), and the offset in it.
    fn find(&self, addr: u64, len: usize) -> Option<(Rc<raw::Memory>, usize)> {
        let (&start, mem) = self.live.range(..=addr).next_back()?;
        let off = (addr - start) as usize;
        (off.checked_add(len)? <= mem.len()).then(|| (mem.clone(), off))
    }
}

thread_local! {
    /// The fake backend's DMA memory, one per JS thread.
    pub static FAKE_DMA: Rc<RefCell<FakeDma>> = Rc::new(RefCell::new(FakeDma::default()));
}

/// `fakeDma(size, align)` -> [ArrayBuffer, iova].
pub fn js_fake_dma<'js>(ctx: Ctx<'js>, size: f64, align: Opt<f64>) -> Result<rquickjs::Array<'js>> {
    let src = DmaSource::Fake(FAKE_DMA.with(|f| f.clone()));
    let (buf, iova) = src.alloc(&ctx, size, align.0.unwrap_or(64.0))?;
    let arr = rquickjs::Array::new(ctx.clone())?;
    arr.set(0, buf)?;
    arr.set(1, BigInt::from_u64(ctx, iova)?)?;
    Ok(arr)
}

fn iova_arg(ctx: &Ctx<'_>, v: &Value<'_>) -> Result<u64> {
    value_bits(v)?
        .ok_or_else(|| Exception::throw_type(ctx, "fake DMA: the device address must be an integer or BigInt"))
}

/// `fakeDmaRead(iova, length)` -> Uint8Array copy: what a fake device reads by DMA.
/// RangeError if the bytes are not inside one live DMA buffer.
pub fn js_fake_dma_read<'js>(ctx: Ctx<'js>, iova: Value<'js>, len: f64) -> Result<rquickjs::TypedArray<'js, u8>> {
    let addr = iova_arg(&ctx, &iova)?;
    let len = len.max(0.0) as usize;
    let bytes = FAKE_DMA.with(|f| f.borrow().find(addr, len)).and_then(|(mem, off)| mem.copy_out(off, len));
    let Some(bytes) = bytes else {
        return Err(Exception::throw_range(
            &ctx,
            &format!("fake DMA read of {len} bytes at {addr:#x}: not inside a live DMA buffer"),
        ));
    };
    rquickjs::TypedArray::new(ctx, bytes)
}

/// `fakeDmaWrite(iova, bytes)`: what a fake device writes by DMA.
pub fn js_fake_dma_write<'js>(ctx: Ctx<'js>, iova: Value<'js>, data: Value<'js>) -> Result<()> {
    let addr = iova_arg(&ctx, &iova)?;
    let src = crate::native::copy_view(&ctx, &data, "fake DMA write")?;
    let ok = FAKE_DMA.with(|f| f.borrow().find(addr, src.len())).is_some_and(|(mem, off)| mem.copy_in(off, &src));
    if !ok {
        return Err(Exception::throw_range(
            &ctx,
            &format!("fake DMA write of {} bytes at {addr:#x}: not inside a live DMA buffer", src.len()),
        ));
    }
    Ok(())
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
