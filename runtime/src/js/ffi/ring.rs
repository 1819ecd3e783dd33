//! The batch operations (`hw::ring`) as JavaScript sees them: the `Ring`
//! class (`count`, `countWithin`, `sum`, `gather`, `scatter`, `scatterFrom`) and the `take`,
//! `transition` and `compareBytes` functions, written against the QuickJS C API like `Region`, because a batch
//! call is made several times per batch of packets and the generic binding
//! cost five times the work of a 32-descriptor scan. This file only converts
//! arguments: numbers by their tag and buffers through the engine's own
//! fields, so no JavaScript (no getter, no `valueOf`) runs during a call and
//! every pointer is taken after every argument was read. The checks and the
//! loops are `hw::ring` (safe code).
#![allow(unsafe_code)]

use rquickjs::qjs;
use std::sync::atomic::AtomicU32;

use super::region::{int_of, throw};
use super::BufferBytes;
use crate::hw::ring::{self, Array, Field, Lane};
use crate::hw::AccessError;
use crate::sys::Bytes;

struct RingObject {
    /// The ArrayBuffer or TypedArray the ring is over (a reference we own).
    buffer: qjs::JSValue,
    slots: usize,
    stride: usize,
}

const COUNT: i32 = 1;
const GATHER: i32 = 2;
const SCATTER: i32 = 3;
const TAKE: i32 = 4;
const COMPARE: i32 = 5;
const WITHIN: i32 = 6;
const TRANSITION: i32 = 7;
const SUM: i32 = 8;
const SCATTER_FROM: i32 = 9;

impl super::Opaque for RingObject {
    fn class() -> &'static super::CClass {
        &RING
    }
    fn held(&self) -> qjs::JSValue {
        self.buffer
    }
}

/// The bytes of an ArrayBuffer or TypedArray argument and, for a typed
/// array, its lanes. Runs no JavaScript: DataViews (whose fields are
/// getters) and look-alike objects are refused.
///
/// # Safety
/// `v` must be a live value of `ctx`, and no JavaScript may run while the
/// result is used (then its buffer cannot be freed, detached or resized).
unsafe fn view<'a>(
    ctx: *mut qjs::JSContext,
    v: &'a qjs::JSValue,
    what: &str,
) -> Result<(Bytes<'a>, Option<Lane>), AccessError> {
    // SAFETY: per this function's contract; every exception QuickJS leaves
    // is taken and freed, and the buffer reference JS_GetTypedArrayBuffer
    // returns is freed once its pointer is read (the typed array keeps it).
    unsafe {
        let v = *v;
        let detached = || AccessError::Type(format!("{what}: the ArrayBuffer is detached"));
        match super::raw_buffer_bytes(ctx, v) {
            BufferBytes::Bytes(p, n) => return Ok((Bytes::new(p, n), None)),
            BufferBytes::Detached => return Err(detached()),
            BufferBytes::NotABuffer => {}
        }
        let t = qjs::JS_GetTypedArrayType(v);
        let lane = match u32::try_from(t).ok() {
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_UINT8C | qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_UINT8) => {
                Lane::Unsigned(1)
            }
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_INT8) => Lane::Signed(1),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_UINT16) => Lane::Unsigned(2),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_INT16) => Lane::Signed(2),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_UINT32) => Lane::Unsigned(4),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_INT32) => Lane::Signed(4),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_BIG_UINT64) => Lane::Unsigned(8),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_BIG_INT64) => Lane::Signed(8),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_FLOAT64) => Lane::F64,
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_FLOAT16) => Lane::OtherFloat(2),
            Some(qjs::JSTypedArrayEnum_JS_TYPED_ARRAY_FLOAT32) => Lane::OtherFloat(4),
            _ => return Err(AccessError::Type(format!("{what} must be an ArrayBuffer or a TypedArray"))),
        };
        let too_small = || AccessError::Type(format!("{what}: the view's ArrayBuffer is detached or too small"));
        let (mut offset, mut length): (qjs::size_t, qjs::size_t) = (0, 0);
        let buf = qjs::JS_GetTypedArrayBuffer(ctx, v, &mut offset, &mut length, std::ptr::null_mut());
        if qjs::JS_IsException(buf) {
            qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx));
            return Err(too_small());
        }
        let bytes = super::raw_buffer_bytes(ctx, buf);
        qjs::JS_FreeValue(ctx, buf);
        match bytes {
            BufferBytes::Bytes(p, n) => match Bytes::new(p, n).sub(offset as usize, length as usize) {
                Some(b) => Ok((b, Some(lane))),
                None => Err(too_small()),
            },
            _ => Err(too_small()),
        }
    }
}

/// A typed array argument.
///
/// # Safety
/// As `view`.
unsafe fn array<'a>(ctx: *mut qjs::JSContext, v: &'a qjs::JSValue, what: &str) -> Result<Array<'a>, AccessError> {
    // SAFETY: per the contract.
    match unsafe { view(ctx, v, what) }? {
        (bytes, Some(lane)) if bytes.addr().is_multiple_of(lane.size()) => Ok(Array { bytes, lane }),
        (_, Some(lane)) => {
            Err(AccessError::Range(format!("{what}: its elements are not {}-byte aligned", lane.size())))
        }
        _ => Err(AccessError::Type(format!("{what} must be a TypedArray"))),
    }
}

/// A count or index argument: an integer number in [0, max]; a missing one is `default`.
fn index(v: qjs::JSValue, what: &str, name: &str, max: usize, default: Option<usize>) -> Result<usize, AccessError> {
    // SAFETY: inspecting the tag and payload of a live value.
    let f = unsafe {
        match qjs::JS_VALUE_GET_TAG(v) {
            qjs::JS_TAG_INT => qjs::JS_VALUE_GET_INT(v) as f64,
            qjs::JS_TAG_FLOAT64 => qjs::JS_VALUE_GET_FLOAT64(v),
            qjs::JS_TAG_UNDEFINED if default.is_some() => return Ok(default.unwrap_or(0)),
            _ => return Err(AccessError::Type(format!("{what}: {name} must be a number"))),
        }
    };
    if f.fract() == 0.0 && f >= 0.0 && f <= max as f64 {
        Ok(f as usize)
    } else {
        Err(AccessError::Range(format!("{what}: {name} {f} must be an integer in [0, {max}]")))
    }
}

/// A number or BigInt argument as an exact integer: None when it is
/// neither, Some(None) when it is one but no integer in [-2^63, 2^64).
/// Runs no JavaScript (BigInts are compared, not converted by `valueOf`).
fn exact_int(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> Option<Option<i128>> {
    // SAFETY: inspecting a live value; the BigInts made to compare with it
    // are freed here, and an exception from making one (out of memory) is
    // taken and freed.
    unsafe {
        match qjs::JS_VALUE_GET_TAG(v) {
            qjs::JS_TAG_INT => return Some(Some(qjs::JS_VALUE_GET_INT(v) as i128)),
            qjs::JS_TAG_FLOAT64 => return Some(crate::hw::f64_integer(qjs::JS_VALUE_GET_FLOAT64(v))),
            _ if !qjs::JS_IsBigInt(v) => return None,
            _ => {}
        }
        let mut low = 0i64;
        if qjs::JS_ToBigInt64(ctx, &mut low, v) != 0 {
            qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx));
            return Some(None);
        }
        // The low 64 bits, read as signed and as unsigned: whichever equals the BigInt is it.
        for (made, value) in
            [(qjs::JS_NewBigInt64(ctx, low), low as i128), (qjs::JS_NewBigUint64(ctx, low as u64), low as u64 as i128)]
        {
            if qjs::JS_IsException(made) {
                qjs::JS_FreeValue(ctx, qjs::JS_GetException(ctx));
                continue;
            }
            let same = qjs::JS_IsStrictEqual(ctx, made, v);
            qjs::JS_FreeValue(ctx, made);
            if same {
                return Some(Some(value));
            }
        }
        Some(None)
    }
}

/// An integer argument (number or BigInt) as 64 bits.
fn bits(ctx: *mut qjs::JSContext, v: qjs::JSValue, what: &str, name: &str) -> Result<u64, AccessError> {
    int_of(ctx, v)
        .map(|i| i as u64)
        .ok_or_else(|| AccessError::Type(format!("{what}: {name} must be an integer (a number or a BigInt)")))
}

fn result(ctx: *mut qjs::JSContext, r: Result<f64, AccessError>) -> qjs::JSValue {
    match r {
        Ok(n) => qjs::JS_NewFloat64(n),
        Err(e) => throw(ctx, e),
    }
}

const LIMIT: usize = usize::MAX >> 12;

/// `Ring.count`, `Ring.gather`, `Ring.scatter` (magic), on `this`.
unsafe extern "C" fn ring_method(
    ctx: *mut qjs::JSContext,
    this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
    magic: std::ffi::c_int,
) -> qjs::JSValue {
    // SAFETY: QuickJS passes `argc` live arguments at `argv` (a missing one
    // reads as undefined); the opaque, when non-null, is our RingObject, alive
    // while `this` is. No JavaScript runs in this function.
    unsafe {
        let args = super::Args::new(argc, argv);
        let arg = |i: usize| args.get(i);
        let p = qjs::JS_GetOpaque(this, RING.id()) as *const RingObject;
        let Some(obj) = p.as_ref() else {
            return throw(ctx, AccessError::Type("not a Ring".into()));
        };
        let what = match magic {
            COUNT => "Ring.count",
            WITHIN => "Ring.countWithin",
            SUM => "Ring.sum",
            SCATTER_FROM => "Ring.scatterFrom",
            GATHER => "Ring.gather",
            _ => "Ring.scatter",
        };
        let r = (|| {
            let start = index(*arg(0), what, "start", LIMIT, None)?;
            let n = index(*arg(1), what, if magic == COUNT || magic == WITHIN { "max" } else { "n" }, LIMIT, None)?;
            let offset = index(*arg(2), what, "offset", LIMIT, None)?;
            let width = index(*arg(3), what, "width", 8, None)? as u8;
            let (mem, _) = view(ctx, &obj.buffer, what)?;
            let field = Field::new(what, mem, obj.slots, obj.stride, offset, width)?;
            match magic {
                COUNT => {
                    let (mask, value) = (bits(ctx, *arg(4), what, "mask")?, bits(ctx, *arg(5), what, "value")?);
                    field.count(start, n, mask, value).map(|c| c as f64)
                }
                SUM => field.sum(start, n).map(|t| t as f64),
                WITHIN => {
                    let (lo, hi) = (bits(ctx, *arg(4), what, "lo")?, bits(ctx, *arg(5), what, "hi")?);
                    field.count_within(start, n, lo, hi).map(|c| c as f64)
                }
                GATHER => {
                    let at = index(*arg(5), what, "outStart", LIMIT, Some(0))?;
                    let out = array(ctx, arg(4), "Ring.gather: out")?;
                    field.gather(start, n, &out, at).map(|t| t as f64)
                }
                SCATTER_FROM => {
                    let at = index(*arg(6), what, "indicesStart", LIMIT, Some(0))?;
                    let table = array(ctx, arg(4), "Ring.scatterFrom: table")?;
                    let indices = array(ctx, arg(5), "Ring.scatterFrom: indices")?;
                    field.scatter_from(start, n, &table, &indices, at).map(|t| t as f64)
                }
                _ => {
                    let at = index(*arg(5), what, "srcStart", LIMIT, Some(0))?;
                    match exact_int(ctx, *arg(4)) {
                        Some(Some(v)) => field.fill(start, n, v),
                        Some(None) => {
                            Err(AccessError::Range(format!("{what}: the value is no integer in [-2^63, 2^64)")))
                        }
                        None => field.scatter(start, n, &array(ctx, arg(4), "Ring.scatter: src")?, at),
                    }
                    .map(|t| t as f64)
                }
            }
        })();
        result(ctx, r)
    }
}

/// A state argument of `transition`: an exact integer (number or BigInt).
fn state(ctx: *mut qjs::JSContext, v: qjs::JSValue, name: &str) -> Result<i128, AccessError> {
    match exact_int(ctx, v) {
        Some(Some(v)) => Ok(v),
        Some(None) => Err(AccessError::Range(format!("transition: {name} is no integer in [-2^63, 2^64)"))),
        None => Err(AccessError::Type(format!("transition: {name} must be an integer (a number or a BigInt)"))),
    }
}

/// `take(...)`, `transition(...)` and `compareBytes(...)` (magic).
unsafe extern "C" fn batch_function(
    ctx: *mut qjs::JSContext,
    _this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
    magic: std::ffi::c_int,
) -> qjs::JSValue {
    // SAFETY: as in `ring_method`.
    unsafe {
        let args = super::Args::new(argc, argv);
        let arg = |i: usize| args.get(i);
        let r = if magic == TAKE {
            (|| {
                let what = "take";
                let start = index(*arg(2), what, "start", LIMIT, None)?;
                let n = index(*arg(3), what, "n", LIMIT, None)?;
                let at = index(*arg(5), what, "outStart", LIMIT, Some(0))?;
                let table = array(ctx, arg(0), "take: table")?;
                let indices = array(ctx, arg(1), "take: indices")?;
                let out = array(ctx, arg(4), "take: out")?;
                ring::take(&table, &indices, start, n, &out, at).map(|n| n as f64)
            })()
        } else if magic == TRANSITION {
            (|| {
                let what = "transition";
                let start = index(*arg(2), what, "start", LIMIT, None)?;
                let n = index(*arg(3), what, "n", LIMIT, None)?;
                let (from, to) = (state(ctx, *arg(4), "from")?, state(ctx, *arg(5), "to")?);
                let table = array(ctx, arg(0), "transition: table")?;
                let indices = array(ctx, arg(1), "transition: indices")?;
                ring::transition(&table, &indices, start, n, from, to).map(|n| n as f64)
            })()
        } else {
            (|| {
                let what = "compareBytes";
                let a_off = index(*arg(1), what, "aOffset", LIMIT, None)?;
                let b_off = index(*arg(3), what, "bOffset", LIMIT, None)?;
                let n = index(*arg(4), what, "n", LIMIT, None)?;
                let (a, _) = view(ctx, arg(0), "compareBytes: a")?;
                let (b, _) = view(ctx, arg(2), "compareBytes: b")?;
                ring::compare(&a, a_off, &b, b_off, n).map(|c| c as f64)
            })()
        };
        result(ctx, r)
    }
}

static RING: super::CClass = super::CClass {
    id: AtomicU32::new(0),
    name: c"Ring",
    finalizer: super::finalize::<RingObject>,
    mark: super::mark::<RingObject>,
    methods: &[
        (c"count", COUNT, 6),
        (c"countWithin", WITHIN, 6),
        (c"sum", SUM, 4),
        (c"gather", GATHER, 6),
        (c"scatter", SCATTER, 6),
        (c"scatterFrom", SCATTER_FROM, 7),
    ],
    method: ring_method,
};

thread_local! {
    /// The context whose Ring prototype is installed.
    static RING_PROTO_CTX: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// `ring(buffer, slots, stride)`: a `Ring` with read-only `slots` and `stride`.
pub fn js_ring<'js>(
    ctx: rquickjs::Ctx<'js>,
    buffer: rquickjs::Value<'js>,
    slots: rquickjs::Value<'js>,
    stride: rquickjs::Value<'js>,
) -> rquickjs::Result<rquickjs::Value<'js>> {
    let c = ctx.as_raw().as_ptr();
    RING.ensure(c, &RING_PROTO_CTX);
    let raw = buffer.as_raw();
    let shape = (|| {
        let slots = index(slots.as_raw(), "ring", "slots", ring::MAX_SLOTS, None)?;
        let stride = index(stride.as_raw(), "ring", "stride", ring::MAX_STRIDE, None)?;
        // SAFETY: `raw` is borrowed from `buffer`, live for this call; no JS runs here.
        let (mem, _) = unsafe { view(c, &raw, "ring: buffer") }?;
        ring::check_ring("ring", mem.len(), slots, stride)?;
        Ok((slots, stride))
    })();
    let (slots, stride) = match shape {
        Ok(s) => s,
        Err(e) => {
            throw(c, e);
            return Err(rquickjs::Error::Exception);
        }
    };
    // SAFETY: a fresh object of our class owning a new reference to the
    // buffer (freed in the finalizer); the returned value is handed to
    // rquickjs, which takes over its reference.
    unsafe {
        let obj = qjs::JS_NewObjectClass(c, RING.id());
        if qjs::JS_IsException(obj) {
            return Err(rquickjs::Error::Exception);
        }
        let ring = RingObject { buffer: qjs::JS_DupValue(c, raw), slots, stride };
        qjs::JS_SetOpaque(obj, Box::into_raw(Box::new(ring)) as *mut _);
        let flags = qjs::JS_PROP_ENUMERABLE as i32;
        qjs::JS_DefinePropertyValueStr(c, obj, c"slots".as_ptr(), qjs::JS_NewFloat64(slots as f64), flags);
        qjs::JS_DefinePropertyValueStr(c, obj, c"stride".as_ptr(), qjs::JS_NewFloat64(stride as f64), flags);
        Ok(rquickjs::Value::from_raw(ctx.clone(), obj))
    }
}

/// `take`, `transition` and `compareBytes` as functions to export.
pub fn batch_functions<'js>(ctx: &rquickjs::Ctx<'js>) -> rquickjs::Result<[(&'static str, rquickjs::Value<'js>); 3]> {
    let c = ctx.as_raw().as_ptr();
    // SAFETY: new function objects on the live context, handed to rquickjs
    // with their one reference.
    unsafe {
        let make = |name: &'static std::ffi::CStr, len, magic| -> rquickjs::Result<rquickjs::Value<'js>> {
            let f = super::c_function(c, batch_function, name, len, magic);
            if qjs::JS_IsException(f) {
                return Err(rquickjs::Error::Exception);
            }
            Ok(rquickjs::Value::from_raw(ctx.clone(), f))
        };
        Ok([
            ("take", make(c"take", 6, TAKE)?),
            ("transition", make(c"transition", 6, TRANSITION)?),
            ("compareBytes", make(c"compareBytes", 5, COMPARE)?),
        ])
    }
}
