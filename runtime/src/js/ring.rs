//! Batch operations over DMA memory: what a descriptor ring driver does to a
//! whole batch of descriptors, in one native call each, so that the driver's
//! logic stays JavaScript while its per-packet work does not run in the
//! interpreter. Nothing here knows a device: a ring is `slots` records of
//! `stride` bytes in a buffer, and a field is `width` bytes at `offset` in
//! each record.
//!
//! | function | contract |
//! | --- | --- |
//! | `ring(buffer, slots, stride)` | a `Ring` over an ArrayBuffer or TypedArray (a DMA buffer). TypeError for anything else (a DataView's fields are getters); RangeError unless `slots`, `stride` >= 1 and `slots * stride` bytes fit. |
//! | `Ring.count(start, max, offset, width, mask, value)` | how many consecutive records from `start` (wrapping at `slots`), at most `max` (<= `slots`), have `(field & mask) === value`: "how many descriptors are done". |
//! | `Ring.gather(start, n, offset, width, out, outStart = 0)` | the field of `n` records from `start` into `out[outStart..]`: an integer TypedArray with elements of at least `width` bytes, or a Float64Array (exact below 2^53). Returns `n`. |
//! | `Ring.scatter(start, n, offset, width, src, srcStart = 0)` | `src[srcStart..]` (an integer TypedArray or Float64Array), or one number/BigInt, into the field of `n` records. Every value must fit `width` bytes (unsigned or two's complement) and be an integer, else RangeError and nothing is written. Returns `n`. |
//! | `take(table, indices, start, n, out, outStart = 0)` | `out[outStart + i] = table[indices[start + i]]` for `i < n`: `table` and `out` TypedArrays of one element type, `indices` an integer TypedArray. RangeError, nothing written, for an index outside `table`. |
//! | `compareBytes(a, aOffset, b, bOffset, n)` | -1, 0 or 1 as memcmp of `n` bytes of two ArrayBuffers or TypedArrays. Bulk copies need nothing new: `TypedArray.prototype.set` and `copyWithin` are native and checked. |
//!
//! Every call checks, before it touches memory: that the buffers are still
//! attached and hold what the ring or the counts say (a resizable buffer may
//! have shrunk), integer arguments in range, fields naturally aligned and
//! inside their record. Values read from the device are returned or copied,
//! never used as an index or a count (`take`'s indices are checked one by one).
//! Memory is read and written with volatile accesses of the field's width.

use rquickjs::{class::Trace, Class, Ctx, Exception, JsLifetime, Result, Value};

use super::ffi::{self, Element};
use super::hw::value_bits;
use super::native::{type_error, view_parts, ViewParts};
use crate::sys::Bytes;

fn range_error<T>(ctx: &Ctx<'_>, msg: String) -> Result<T> {
    Err(Exception::throw_range(ctx, &msg))
}

/// An integer argument `name` of function `what` in [0, max] (the message
/// is made only on error: this is every batch call's path).
fn index(ctx: &Ctx<'_>, (what, name): (&str, &str), v: f64, max: usize) -> Result<usize> {
    if v.fract() == 0.0 && v >= 0.0 && v <= max as f64 {
        Ok(v as usize)
    } else {
        range_error(ctx, format!("{what}: {name} {v} must be an integer in [0, {max}]"))
    }
}

/// An ArrayBuffer or TypedArray argument, read without running JavaScript
/// (DataViews are refused: their fields are getters a program may replace).
fn parts<'js>(ctx: &Ctx<'js>, what: &str, v: &Value<'js>) -> Result<(ViewParts<'js>, Option<Element>)> {
    let element = ffi::element_type(v);
    let buffer = !matches!(ffi::array_buffer_bytes(v), ffi::BufferBytes::NotABuffer);
    match v.as_object() {
        Some(o) if element.is_some() || buffer => match view_parts(o)? {
            Some(p) => Ok((p, element)),
            None => type_error(ctx, format!("{what} must be an ArrayBuffer or a TypedArray")),
        },
        _ => type_error(ctx, format!("{what} must be an ArrayBuffer or a TypedArray")),
    }
}

/// A TypedArray argument (its element type is needed).
fn typed<'js>(ctx: &Ctx<'js>, what: &str, v: &Value<'js>) -> Result<(ViewParts<'js>, Element)> {
    match parts(ctx, what, v)? {
        (p, Some(e)) => Ok((p, e)),
        _ => type_error(ctx, format!("{what} must be a TypedArray")),
    }
}

fn width_of(ctx: &Ctx<'_>, w: f64) -> Result<u8> {
    match w {
        1.0 => Ok(1),
        2.0 => Ok(2),
        4.0 => Ok(4),
        8.0 => Ok(8),
        _ => range_error(ctx, format!("width {w} must be 1, 2, 4 or 8")),
    }
}

/// Whether `bits` fits `width` bytes, as an unsigned number or as a negative
/// one in two's complement (sign-extended to 64 bits).
fn fits(bits: u64, width: u8) -> bool {
    let v = bits as i64;
    width == 8 || bits < 1u64 << (8 * width as u32) || (v < 0 && v >= -(1i64 << (8 * width as u32 - 1)))
}

/// Element `i` of a typed array as the bits of an integer; None for a
/// Float64 that is not an integer within 64 bits (or a float type jsk does not move).
fn element_bits(mem: &Bytes<'_>, e: Element, i: usize) -> Option<u64> {
    let off = i * e.size();
    let raw = mem.load(off, e.size() as u8)?;
    Some(match e {
        Element::U8 | Element::U8Clamped | Element::U16 | Element::U32 | Element::U64 | Element::I64 => raw,
        Element::I8 => raw as u8 as i8 as i64 as u64,
        Element::I16 => raw as u16 as i16 as i64 as u64,
        Element::I32 => raw as u32 as i32 as i64 as u64,
        Element::F64 => {
            let f = f64::from_bits(raw);
            if f.fract() != 0.0 || !(-9.223372036854776e18..1.8446744073709552e19).contains(&f) {
                return None;
            }
            if f < 0.0 {
                f as i64 as u64
            } else {
                f as u64
            }
        }
        Element::F16 | Element::F32 => return None,
    })
}

/// Store `bits` as element `i` of a typed array whose elements hold them.
fn store_element(mem: &Bytes<'_>, e: Element, i: usize, bits: u64) -> bool {
    let v = if e == Element::F64 { (bits as f64).to_bits() } else { bits };
    mem.store(i * e.size(), e.size() as u8, v)
}

/// `n` elements from `start` inside a typed array of `len` bytes.
fn elements(ctx: &Ctx<'_>, what: &str, e: Element, len: usize, start: usize, n: usize) -> Result<()> {
    let have = len / e.size();
    if start.checked_add(n).is_none_or(|end| end > have) {
        return range_error(ctx, format!("{what}: [{start}, +{n}) is outside its {have} elements"));
    }
    Ok(())
}

/// A ring of `slots` records of `stride` bytes over a buffer.
#[derive(Trace, JsLifetime)]
#[rquickjs::class]
pub struct Ring<'js> {
    buffer: Value<'js>,
    #[qjs(skip_trace)]
    slots: usize,
    #[qjs(skip_trace)]
    stride: usize,
}

/// The records a gather or scatter covers, the field, and where in the other array it starts.
struct Span<'js> {
    start: usize,
    n: usize,
    at: usize,
    parts: ViewParts<'js>,
    offset: usize,
    width: u8,
}

/// The most records a ring may have (a descriptor ring has at most 65536).
const MAX_SLOTS: usize = 1 << 20;

/// `ring(buffer, slots, stride)`.
pub fn js_ring<'js>(ctx: Ctx<'js>, buffer: Value<'js>, slots: f64, stride: f64) -> Result<Class<'js, Ring<'js>>> {
    let (p, _) = parts(&ctx, "ring: buffer", &buffer)?;
    let (_, len) = p.bytes(&ctx, &|| "ring: buffer".into())?;
    let slots = index(&ctx, ("ring", "slots"), slots, MAX_SLOTS)?;
    let stride = index(&ctx, ("ring", "stride"), stride, 4096)?;
    if slots == 0 || stride == 0 || slots * stride > len {
        return range_error(&ctx, format!("ring: {slots} slots of {stride} bytes do not fit a {len}-byte buffer"));
    }
    Class::instance(ctx, Ring { buffer, slots, stride })
}

impl<'js> Ring<'js> {
    /// The ring's memory now, and where field `offset`/`width` sits: checked
    /// that the buffer still holds every record and that the field is inside
    /// its record and naturally aligned in every one.
    fn field(&self, ctx: &Ctx<'js>, what: &str, offset: f64, width: f64) -> Result<(ViewParts<'js>, usize, u8)> {
        let width = width_of(ctx, width)?;
        if width as usize > self.stride {
            return range_error(
                ctx,
                format!("{what}: a {width}-byte field does not fit a {}-byte record", self.stride),
            );
        }
        let offset = index(ctx, (what, "offset"), offset, self.stride.saturating_sub(width as usize))?;
        let (p, _) = parts(ctx, what, &self.buffer)?;
        Ok((p, offset, width))
    }

    fn memory<'a>(
        &self,
        ctx: &Ctx<'js>,
        what: &str,
        p: &'a ViewParts<'js>,
        offset: usize,
        width: u8,
    ) -> Result<Bytes<'a>> {
        let view = p.bytes(ctx, &|| what.to_string())?;
        let mem = ffi::view_memory(p, view);
        if self.slots * self.stride > mem.len() {
            return range_error(ctx, format!("{what}: the buffer shrank to {} bytes under the ring", mem.len()));
        }
        if !self.stride.is_multiple_of(width as usize) || !(mem.addr() + offset).is_multiple_of(width as usize) {
            return range_error(
                ctx,
                format!("{what}: a {width}-byte field at offset {offset} is not aligned in every record"),
            );
        }
        Ok(mem)
    }

    /// `start, n, offset, width` and the other array's start, checked.
    fn span(
        &self,
        ctx: &Ctx<'js>,
        what: &str,
        [start, n, offset, width]: [f64; 4],
        at: (&str, Option<f64>),
    ) -> Result<Span<'js>> {
        let start = index(ctx, (what, "start"), start, self.slots - 1)?;
        let n = index(ctx, (what, "n"), n, self.slots)?;
        let at = index(ctx, (what, at.0), at.1.unwrap_or(0.0), usize::MAX >> 12)?;
        let (parts, offset, width) = self.field(ctx, what, offset, width)?;
        Ok(Span { start, n, at, parts, offset, width })
    }

    /// The byte offset of the field in record `start + i` (wrapping).
    fn at(&self, start: usize, i: usize, offset: usize) -> usize {
        (start + i) % self.slots * self.stride + offset
    }
}

#[rquickjs::methods]
impl<'js> Ring<'js> {
    #[qjs(get)]
    pub fn slots(&self) -> usize {
        self.slots
    }

    #[qjs(get)]
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// How many consecutive records from `start` have `(field & mask) === value`.
    #[allow(clippy::too_many_arguments)]
    pub fn count(
        &self,
        ctx: Ctx<'js>,
        start: f64,
        max: f64,
        offset: f64,
        width: f64,
        mask: Value<'js>,
        value: Value<'js>,
    ) -> Result<usize> {
        let what = "Ring.count";
        let start = index(&ctx, ("Ring.count", "start"), start, self.slots - 1)?;
        let max = index(&ctx, ("Ring.count", "max"), max, self.slots)?;
        let (Some(mask), Some(value)) = (value_bits(&mask)?, value_bits(&value)?) else {
            return type_error(&ctx, format!("{what}: mask and value must be integers (numbers or BigInts)"));
        };
        let (p, offset, width) = self.field(&ctx, what, offset, width)?;
        let mem = self.memory(&ctx, what, &p, offset, width)?;
        let mut n = 0;
        while n < max {
            match mem.load(self.at(start, n, offset), width) {
                Some(v) if v & mask == value => n += 1,
                _ => break,
            }
        }
        Ok(n)
    }

    /// The field of `n` records from `start` into `out[outStart..]`.
    #[allow(clippy::too_many_arguments)]
    pub fn gather(
        &self,
        ctx: Ctx<'js>,
        start: f64,
        n: f64,
        offset: f64,
        width: f64,
        out: Value<'js>,
        out_start: rquickjs::function::Opt<f64>,
    ) -> Result<usize> {
        let what = "Ring.gather";
        let Span { start, n, at: out_start, parts: p, offset, width } =
            self.span(&ctx, what, [start, n, offset, width], ("outStart", out_start.0))?;
        let (op, oe) = typed(&ctx, "Ring.gather: out", &out)?;
        if matches!(oe, Element::F16 | Element::F32) || (oe != Element::F64 && oe.size() < width as usize) {
            return type_error(&ctx, format!("{what}: out holds {oe:?} elements: too small for {width}-byte fields"));
        }
        // Every pointer is taken now, after every argument was read.
        let mem = self.memory(&ctx, what, &p, offset, width)?;
        let oview = op.bytes(&ctx, &|| "Ring.gather: out".into())?;
        let omem = ffi::view_memory(&op, oview);
        elements(&ctx, "Ring.gather: out", oe, omem.len(), out_start, n)?;
        for i in 0..n {
            let v = mem.load(self.at(start, i, offset), width).unwrap_or(0);
            store_element(&omem, oe, out_start + i, v);
        }
        Ok(n)
    }

    /// `src[srcStart..]` (or one value) into the field of `n` records from `start`.
    #[allow(clippy::too_many_arguments)]
    pub fn scatter(
        &self,
        ctx: Ctx<'js>,
        start: f64,
        n: f64,
        offset: f64,
        width: f64,
        src: Value<'js>,
        src_start: rquickjs::function::Opt<f64>,
    ) -> Result<usize> {
        let what = "Ring.scatter";
        let Span { start, n, at: src_start, parts: p, offset, width } =
            self.span(&ctx, what, [start, n, offset, width], ("srcStart", src_start.0))?;
        let bad = |ctx: &Ctx<'js>, v: u64, at: Option<usize>| -> Result<usize> {
            let whose = at.map_or("the value".to_string(), |i| format!("src[{i}]"));
            range_error(ctx, format!("{what}: {whose} ({v:#x}) does not fit a {width}-byte field"))
        };
        if let Some(fill) = value_bits(&src)? {
            if !fits(fill, width) {
                return bad(&ctx, fill, None);
            }
            let mem = self.memory(&ctx, what, &p, offset, width)?;
            for i in 0..n {
                mem.store(self.at(start, i, offset), width, fill);
            }
            return Ok(n);
        }
        let (sp, se) = typed(&ctx, "Ring.scatter: src", &src)?;
        let mem = self.memory(&ctx, what, &p, offset, width)?;
        let sview = sp.bytes(&ctx, &|| "Ring.scatter: src".into())?;
        let smem = ffi::view_memory(&sp, sview);
        elements(&ctx, "Ring.scatter: src", se, smem.len(), src_start, n)?;
        // Every value is read and checked before anything is written.
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            match element_bits(&smem, se, src_start + i) {
                Some(v) if fits(v, width) => values.push(v),
                Some(v) => return bad(&ctx, v, Some(src_start + i)),
                None => {
                    return range_error(&ctx, format!("{what}: src[{}] is not an integer", src_start + i));
                }
            }
        }
        for (i, v) in values.into_iter().enumerate() {
            mem.store(self.at(start, i, offset), width, v);
        }
        Ok(n)
    }
}

/// `take(table, indices, start, n, out, outStart)`.
pub fn js_take<'js>(
    ctx: Ctx<'js>,
    table: Value<'js>,
    indices: Value<'js>,
    start: f64,
    n: f64,
    out: Value<'js>,
    out_start: rquickjs::function::Opt<f64>,
) -> Result<usize> {
    let what = "take";
    let start = index(&ctx, ("take", "start"), start, usize::MAX >> 12)?;
    let n = index(&ctx, ("take", "n"), n, usize::MAX >> 12)?;
    let out_start = index(&ctx, ("take", "outStart"), out_start.0.unwrap_or(0.0), usize::MAX >> 12)?;
    let (tp, te) = typed(&ctx, "take: table", &table)?;
    let (ip, ie) = typed(&ctx, "take: indices", &indices)?;
    let (op, oe) = typed(&ctx, "take: out", &out)?;
    if te != oe {
        return type_error(&ctx, format!("{what}: table holds {te:?} and out {oe:?} elements; they must be one type"));
    }
    if matches!(ie, Element::F16 | Element::F32 | Element::F64) {
        return type_error(&ctx, format!("{what}: indices must be an integer TypedArray, not {ie:?}"));
    }
    let tview = tp.bytes(&ctx, &|| "take: table".into())?;
    let iview = ip.bytes(&ctx, &|| "take: indices".into())?;
    let oview = op.bytes(&ctx, &|| "take: out".into())?;
    let (tmem, imem, omem) = (ffi::view_memory(&tp, tview), ffi::view_memory(&ip, iview), ffi::view_memory(&op, oview));
    elements(&ctx, "take: indices", ie, imem.len(), start, n)?;
    elements(&ctx, "take: out", oe, omem.len(), out_start, n)?;
    let have = tmem.len() / te.size();
    let mut picked = Vec::with_capacity(n);
    for i in 0..n {
        let k = element_bits(&imem, ie, start + i).unwrap_or(u64::MAX);
        if k >= have as u64 {
            return range_error(
                &ctx,
                format!("{what}: indices[{}] = {} is outside the table's {have} elements", start + i, k as i64),
            );
        }
        picked.push(tmem.load(k as usize * te.size(), te.size() as u8).unwrap_or(0));
    }
    for (i, v) in picked.into_iter().enumerate() {
        omem.store((out_start + i) * oe.size(), oe.size() as u8, v);
    }
    Ok(n)
}

/// `compareBytes(a, aOffset, b, bOffset, n)`.
pub fn js_compare_bytes<'js>(
    ctx: Ctx<'js>,
    a: Value<'js>,
    a_offset: f64,
    b: Value<'js>,
    b_offset: f64,
    n: f64,
) -> Result<i32> {
    let a_offset = index(&ctx, ("compareBytes", "aOffset"), a_offset, usize::MAX >> 12)?;
    let b_offset = index(&ctx, ("compareBytes", "bOffset"), b_offset, usize::MAX >> 12)?;
    let n = index(&ctx, ("compareBytes", "n"), n, usize::MAX >> 12)?;
    let (ap, _) = parts(&ctx, "compareBytes: a", &a)?;
    let (bp, _) = parts(&ctx, "compareBytes: b", &b)?;
    let aview = ap.bytes(&ctx, &|| "compareBytes: a".into())?;
    let bview = bp.bytes(&ctx, &|| "compareBytes: b".into())?;
    let (am, bm) = (ffi::view_memory(&ap, aview), ffi::view_memory(&bp, bview));
    for (what, off, len) in [("a", a_offset, am.len()), ("b", b_offset, bm.len())] {
        if off.checked_add(n).is_none_or(|end| end > len) {
            return range_error(&ctx, format!("compareBytes: {what} [{off}, +{n}) is outside its {len} bytes"));
        }
    }
    for i in 0..n {
        let (x, y) = (am.load(a_offset + i, 1), bm.load(b_offset + i, 1));
        if x != y {
            return Ok(if x < y { -1 } else { 1 });
        }
    }
    Ok(0)
}
