//! The functions of `jsk:native` that reach memory and the process: the raw
//! `syscall` (and `addressOf`, `unsafeArrayBuffer`, which exist for it),
//! UTF-8 conversion and `exit`; and how every native function reads a buffer
//! or view argument (`view_parts`, `copy_view`): all its JavaScript first,
//! then the pointer, with no JavaScript in between. The list of exports and
//! their contracts is `engine::native_module`.

use rquickjs::{
    function::{Opt, Rest},
    ArrayBuffer, BigInt, Ctx, Exception, Object, Result, TypedArray, Value,
};
use std::ffi::CString;

use crate::js::ffi;
use crate::sys;

/// Strings passed to a syscall live here until it returns.
#[derive(Default)]
struct Keep(Vec<CString>);

pub(crate) fn type_error<T>(ctx: &Ctx<'_>, msg: String) -> Result<T> {
    Err(Exception::throw_type(ctx, &msg))
}

/// A JS number that must be an exact integer, as the 64 bits a register holds.
pub(crate) fn number_to_bits(ctx: &Ctx<'_>, f: f64, what: &dyn Fn() -> String) -> Result<i64> {
    match crate::hw::f64_integer(f) {
        Some(v) => Ok(v as i64),
        None => type_error(ctx, format!("{}: {f} is not a 64-bit integer", what())),
    }
}

/// The bytes a buffer argument names, gathered before any pointer is taken:
/// the ArrayBuffer (held, so it stays alive) and the range in it.
pub(crate) struct ViewParts<'js> {
    buffer: Value<'js>,
    offset: f64,
    length: Option<f64>,
}

/// Read what an ArrayBuffer, TypedArray or DataView argument names. This is
/// the only step that may run JavaScript (a DataView's getters, which a
/// program can override); `ViewParts::bytes` then takes the pointer with no
/// JavaScript in between, against the buffer's size at that moment, so a
/// getter that detaches, transfers or shrinks the buffer gets a TypeError or
/// RangeError, never a dangling pointer. Only real views count: an object
/// that merely has `buffer`/`byteOffset`/`byteLength` is not one (Ok(None)).
pub(crate) fn view_parts<'js>(obj: &Object<'js>) -> Result<Option<ViewParts<'js>>> {
    let v = obj.as_value();
    if !matches!(ffi::array_buffer_bytes(v), ffi::BufferBytes::NotABuffer) {
        return Ok(Some(ViewParts { buffer: v.clone(), offset: 0.0, length: None }));
    }
    match ffi::view_kind(v) {
        ffi::ViewKind::Typed(buffer, offset, length) => {
            Ok(Some(ViewParts { buffer, offset: offset as f64, length: Some(length as f64) }))
        }
        ffi::ViewKind::OutOfBounds => {
            Ok(Some(ViewParts { buffer: Value::new_undefined(obj.ctx().clone()), offset: 0.0, length: Some(0.0) }))
        }
        ffi::ViewKind::DataView => {
            let buffer: Value = obj.get("buffer")?;
            let offset: f64 = obj.get("byteOffset")?;
            let length: f64 = obj.get("byteLength")?;
            Ok(Some(ViewParts { buffer, offset, length: Some(length) }))
        }
        ffi::ViewKind::Neither => Ok(None),
    }
}

impl<'js> ViewParts<'js> {
    /// Where the bytes start and how many, checked against the buffer as it
    /// is now. Runs no JavaScript; the pointer is valid while `self` is held
    /// and no JavaScript runs.
    pub(crate) fn bytes(&self, ctx: &Ctx<'js>, what: &dyn Fn() -> String) -> Result<(*mut u8, usize)> {
        let (base, len) = match ffi::array_buffer_bytes(&self.buffer) {
            ffi::BufferBytes::Bytes(p, n) => (p, n),
            ffi::BufferBytes::Detached => return type_error(ctx, format!("{}: the ArrayBuffer is detached", what())),
            ffi::BufferBytes::NotABuffer if self.buffer.is_undefined() => {
                return type_error(ctx, format!("{}: the view's ArrayBuffer is detached or too small", what()))
            }
            ffi::BufferBytes::NotABuffer => {
                return type_error(ctx, format!("{}: the view's buffer is not an ArrayBuffer", what()))
            }
        };
        let (offset, length) = (self.offset, self.length.unwrap_or(len as f64));
        if !(offset >= 0.0 && length >= 0.0 && offset + length <= len as f64) {
            return Err(Exception::throw_range(
                ctx,
                &format!("{}: view [{offset}, +{length}) lies outside its {len}-byte buffer", what()),
            ));
        }
        Ok((base.wrapping_add(offset as usize), length as usize))
    }
}

/// Where the bytes of an ArrayBuffer, TypedArray or DataView start, and how
/// many (`view_parts` then `bytes`); Ok(None) for anything else.
pub(crate) fn view_bytes<'js>(
    ctx: &Ctx<'js>,
    obj: &Object<'js>,
    what: &dyn Fn() -> String,
) -> Result<Option<(*mut u8, usize)>> {
    match view_parts(obj)? {
        Some(parts) => parts.bytes(ctx, what).map(Some),
        None => Ok(None),
    }
}

/// A syscall argument after its JavaScript has run: a word, or a buffer
/// whose pointer is taken once every argument has been read.
enum Word<'js> {
    Int(i64),
    View(ViewParts<'js>),
}

fn to_word<'js>(ctx: &Ctx<'js>, v: &Value<'js>, i: usize, keep: &mut Keep) -> Result<Word<'js>> {
    if let Some(n) = v.as_int() {
        return Ok(Word::Int(n as i64));
    }
    let what = || format!("syscall argument {}", i + 1);
    if let Some(f) = v.as_float() {
        return number_to_bits(ctx, f, &what).map(Word::Int);
    }
    if let Some(b) = v.as_big_int() {
        return b.clone().to_i64().map(Word::Int);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Word::Int(b as i64));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Word::Int(0));
    }
    if let Some(s) = v.as_string() {
        let s = s.to_string()?;
        let Ok(c) = CString::new(s) else {
            return type_error(ctx, format!("{}: string contains a NUL byte", what()));
        };
        let p = c.as_ptr() as i64;
        keep.0.push(c);
        return Ok(Word::Int(p));
    }
    if let Some(o) = v.as_object() {
        if let Some(parts) = view_parts(o)? {
            return Ok(Word::View(parts));
        }
    }
    type_error(
        ctx,
        format!(
            "{}: expected an integer, BigInt, string, boolean, null, ArrayBuffer or view, got {}",
            what(),
            v.type_name()
        ),
    )
}

fn do_syscall<'js>(ctx: &Ctx<'js>, nr: &Value<'js>, args: &[Value<'js>]) -> Result<i64> {
    if args.len() > 6 {
        return Err(Exception::throw_range(
            ctx,
            &format!("syscall takes at most 6 arguments after the number, got {}", args.len()),
        ));
    }
    let nr = match nr.as_int() {
        Some(n) => n as i64,
        None => number_to_bits(ctx, nr.as_float().unwrap_or(f64::NAN), &|| "syscall number".into())?,
    };
    // First every argument's JavaScript (a DataView's getters), then every
    // pointer, so that no getter can free a buffer whose address is taken.
    let mut keep = Keep::default();
    let mut read = Vec::with_capacity(args.len());
    for (i, v) in args.iter().enumerate() {
        read.push(to_word(ctx, v, i, &mut keep)?);
    }
    let mut words = [0i64; 6];
    for (i, w) in read.iter().enumerate() {
        words[i] = match w {
            Word::Int(n) => *n,
            Word::View(parts) => parts.bytes(ctx, &|| format!("syscall argument {}", i + 1))?.0 as i64,
        };
    }
    let r = sys::syscall6(nr, words);
    drop(read);
    drop(keep);
    Ok(r)
}

pub fn js_syscall<'js>(ctx: Ctx<'js>, nr: Value<'js>, args: Rest<Value<'js>>) -> Result<Value<'js>> {
    let r = do_syscall(&ctx, &nr, &args.0)?;
    Ok(if r >= i32::MIN as i64 && r <= i32::MAX as i64 {
        Value::new_int(ctx, r as i32)
    } else {
        Value::new_float(ctx, r as f64)
    })
}

pub fn js_syscall64<'js>(ctx: Ctx<'js>, nr: Value<'js>, args: Rest<Value<'js>>) -> Result<BigInt<'js>> {
    let r = do_syscall(&ctx, &nr, &args.0)?;
    BigInt::from_i64(ctx, r)
}

pub fn js_address_of<'js>(ctx: Ctx<'js>, v: Value<'js>) -> Result<BigInt<'js>> {
    let what = || "addressOf".to_string();
    if let Some(o) = v.as_object() {
        if let Some((p, _)) = view_bytes(&ctx, o, &what)? {
            return BigInt::from_u64(ctx, p as u64);
        }
    }
    type_error(&ctx, format!("addressOf: expected an ArrayBuffer, TypedArray or DataView, got {}", v.type_name()))
}

pub fn js_unsafe_array_buffer<'js>(ctx: Ctx<'js>, address: Value<'js>, length: Value<'js>) -> Result<ArrayBuffer<'js>> {
    let mut keep = Keep::default();
    let addr = match address.is_string() {
        true => return type_error(&ctx, "unsafeArrayBuffer: address must be a number or BigInt".into()),
        false => match to_word(&ctx, &address, 0, &mut keep)? {
            Word::Int(n) => n,
            Word::View(parts) => parts.bytes(&ctx, &|| "unsafeArrayBuffer".into())?.0 as i64,
        },
    };
    let len = number_to_bits(&ctx, length.as_number().unwrap_or(f64::NAN), &|| "unsafeArrayBuffer length".into())?;
    if len < 0 || len > isize::MAX as i64 {
        return Err(Exception::throw_range(&ctx, &format!("unsafeArrayBuffer: length {len} out of range")));
    }
    if addr == 0 && len != 0 {
        return Err(Exception::throw_range(&ctx, "unsafeArrayBuffer: address 0 with a non-zero length"));
    }
    ffi::alias_array_buffer(ctx, addr as u64, len as usize)
}

pub fn js_encode_utf8<'js>(ctx: Ctx<'js>, s: rquickjs::String<'js>) -> Result<TypedArray<'js, u8>> {
    TypedArray::new(ctx, s.to_string()?.into_bytes())
}

/// A copy of the bytes of an ArrayBuffer or view. TypeError for anything else.
pub(crate) fn copy_view<'js>(ctx: &Ctx<'js>, v: &Value<'js>, what: &str) -> Result<Vec<u8>> {
    let w = || what.to_string();
    if let Some(o) = v.as_object() {
        if let Some(parts) = view_parts(o)? {
            let view = parts.bytes(ctx, &w)?;
            return Ok(ffi::copy_view_bytes(&parts, view));
        }
    }
    type_error(ctx, format!("{what}: expected an ArrayBuffer or view, got {}", v.type_name()))
}

pub fn js_decode_utf8<'js>(ctx: Ctx<'js>, v: Value<'js>) -> Result<String> {
    Ok(String::from_utf8_lossy(&copy_view(&ctx, &v, "decodeUtf8")?).into_owned())
}

/// `dmaWmb()`, `dmaRmb()`, `mb()`: `sys::barrier`'s three, for drivers.
pub fn js_dma_wmb() {
    sys::barrier::dma_wmb()
}
pub fn js_dma_rmb() {
    sys::barrier::dma_rmb()
}
pub fn js_mb() {
    sys::barrier::mb()
}

pub fn js_exit(code: Opt<i32>) -> Result<()> {
    sys::process::exit(code.0.unwrap_or(0))
}
