//! Register windows and DMA memory as JS sees them.
//!
//! `Region` (JS class, `ffi::region`) — one register window of a device:
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

use rquickjs::{function::Opt, ArrayBuffer, BigInt, Ctx, Exception, Result, Value};

use super::ffi::{self, Lent};
use super::native::copy_view;
use crate::backend::fake::{self, FAKE_DMA};
use crate::backend::fake_virtq;
use crate::hw::{DmaSource, HwError, Space, UnknownChoice};

/// The JS exception for a hardware error: RangeError for an offset or size
/// outside the resource, Error otherwise.
pub fn throw_hw(ctx: &Ctx<'_>, e: HwError) -> rquickjs::Error {
    match e.root() {
        HwError::OutOfRange(_) => Exception::throw_range(ctx, &e.to_string()),
        _ => Exception::throw_message(ctx, &e.to_string()),
    }
}

/// Integer bits of a number or BigInt; None for anything else (or a non-integer).
pub(crate) fn value_bits(v: &Value<'_>) -> Result<Option<u64>> {
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
    let region = fake::register_file(name, size as u64, space).map_err(|e| throw_hw(&ctx, e))?;
    ffi::region::new_region(&ctx, region)
}

fn parse_space(ctx: &Ctx<'_>, s: Option<&str>) -> Result<Space> {
    s.map_or(Ok(Space::Mem), |s| s.parse().map_err(|e: UnknownChoice| Exception::throw_type(ctx, &e.to_string())))
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
    let region =
        crate::backend::mem::map_file(&path, offset as u64, size as u64, name).map_err(|e| throw_hw(&ctx, e))?;
    ffi::region::new_region(&ctx, region)
}

fn dma_args(ctx: &Ctx<'_>, size: f64, align: f64) -> Result<(u64, u64)> {
    if !(size >= 1.0 && size.fract() == 0.0 && size <= (1u64 << 30) as f64) {
        return Err(Exception::throw_range(ctx, &format!("dma: size {size} must be an integer in [1, 1 GiB]")));
    }
    let align = align as u64;
    if align == 0 || !align.is_power_of_two() || align > 1 << 21 {
        return Err(Exception::throw_range(ctx, &format!("dma: align {align} must be a power of two up to 2 MiB")));
    }
    Ok((size as u64, align))
}

/// DMA memory from `src` as an ArrayBuffer, and its device address; the
/// memory is given back when the buffer is collected or detached.
pub fn dma_alloc<'js>(ctx: &Ctx<'js>, src: &DmaSource, size: f64, align: f64) -> Result<(ArrayBuffer<'js>, u64)> {
    let (size, align) = dma_args(ctx, size, align)?;
    let buf = src.alloc(size, align).map_err(|e| throw_hw(ctx, e))?;
    let addr = buf.addr;
    Ok((ArrayBuffer::from_source(ctx.clone(), Lent(buf))?, addr))
}

/// `fakeNicLoopback(region)`: give a fake region (an e1000's BAR0, 128 KiB)
/// the loopback model of `fake_nic`: transmitted frames come back received.
/// TypeError for a region that is not a fake register file.
pub fn js_fake_nic_loopback<'js>(ctx: Ctx<'js>, region: Value<'js>) -> Result<()> {
    let done = ffi::region::with_region_core(&region, fake::attach_nic_loopback);
    if done != Some(true) {
        return Err(Exception::throw_type(&ctx, "fakeNicLoopback: expects a fake region of at least 0x6000 bytes"));
    }
    Ok(())
}

/// `fakeVirtqLoopback(region, { notify, queue, rx, tx })`: the split-virtqueue loopback model
/// (`backend/fake_virtq.rs`) on a fake region; `rx`/`tx` are `{ desc, driver, device, size }`.
pub fn js_fake_virtq_loopback<'js>(ctx: Ctx<'js>, region: Value<'js>, spec: Value<'js>) -> Result<()> {
    let bad = |what: &str| Exception::throw_type(&ctx, &format!("fakeVirtqLoopback: {what}"));
    let spec = spec.into_object().ok_or_else(|| bad("the second argument is { notify, queue, rx, tx }"))?;
    let int = |o: &rquickjs::Object<'js>, key: &str| -> Result<u64> {
        let v: Value = o.get(key)?;
        value_bits(&v)?.ok_or_else(|| bad(&format!("{key} must be an integer or BigInt")))
    };
    let queue = |key: &str| -> Result<fake_virtq::Queue> {
        let v: Value = spec.get(key)?;
        let o = v.into_object().ok_or_else(|| bad(&format!("{key} must be {{ desc, driver, device, size }}")))?;
        let size = int(&o, "size")?;
        if size == 0 || size > 32768 || !size.is_power_of_two() {
            return Err(Exception::throw_range(
                &ctx,
                &format!("fakeVirtqLoopback: {key}.size {size} is not a power of two up to 32768"),
            ));
        }
        Ok(fake_virtq::Queue {
            desc: int(&o, "desc")?,
            driver: int(&o, "driver")?,
            device: int(&o, "device")?,
            size: size as u16,
            ..Default::default()
        })
    };
    let (notify, index, rx, tx) = (int(&spec, "notify")?, int(&spec, "queue")?, queue("rx")?, queue("tx")?);
    let done = ffi::region::with_region_core(&region, |core| fake::attach_virtq_loopback(core, notify, index, rx, tx));
    if done != Some(true) {
        return Err(bad("expects a fake region holding the notify offset"));
    }
    Ok(())
}

/// `fakeDma(size, align)` -> [ArrayBuffer, iova].
pub fn js_fake_dma<'js>(ctx: Ctx<'js>, size: f64, align: Opt<f64>) -> Result<rquickjs::Array<'js>> {
    let src = DmaSource::Fake(FAKE_DMA.with(|f| f.clone()));
    let (buf, iova) = dma_alloc(&ctx, &src, size, align.0.unwrap_or(64.0))?;
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
    let src = copy_view(&ctx, &data, "fake DMA write")?;
    let ok = FAKE_DMA.with(|f| f.borrow().find(addr, src.len())).is_some_and(|(mem, off)| mem.copy_in(off, &src));
    if !ok {
        return Err(Exception::throw_range(
            &ctx,
            &format!("fake DMA write of {} bytes at {addr:#x}: not inside a live DMA buffer", src.len()),
        ));
    }
    Ok(())
}
