//! The `Region` class, written against the QuickJS C API rather than through
//! rquickjs' class macros: a register access is the hottest call a driver
//! makes, and this path costs a fraction of the generic binding. The methods
//! only convert arguments and results; the checks and the access itself are
//! `hw::RegionCore::read/write` (safe code).
#![allow(unsafe_code)]

use rquickjs::qjs;
use std::sync::atomic::AtomicU32;

struct RegionObject {
    core: crate::hw::RegionCore,
    /// Fake regions: the behaviour hook, or JS_UNDEFINED.
    hook: qjs::JSValue,
}

const OP_READ: i32 = 0x10;
const OP_WRITE: i32 = 0x20;
const OP_HOOK: i32 = 0x40;

impl super::Opaque for RegionObject {
    fn class() -> &'static super::CClass {
        &REGION
    }
    fn held(&self) -> qjs::JSValue {
        self.hook
    }
}

pub(super) fn throw(ctx: *mut qjs::JSContext, e: crate::hw::AccessError) -> qjs::JSValue {
    let (kind, msg) = match e {
        crate::hw::AccessError::Range(m) => (0, m),
        crate::hw::AccessError::Type(m) => (1, m),
        crate::hw::AccessError::Hw(m) => (2, m),
    };
    let msg = std::ffi::CString::new(msg.replace('\0', " ")).unwrap_or_default();
    let fmt = c"%s";
    // SAFETY: `ctx` is the live context of the current call; the format
    // string takes exactly the one C string passed.
    unsafe {
        match kind {
            0 => qjs::JS_ThrowRangeError(ctx, fmt.as_ptr(), msg.as_ptr()),
            1 => qjs::JS_ThrowTypeError(ctx, fmt.as_ptr(), msg.as_ptr()),
            _ => qjs::JS_ThrowInternalError(ctx, fmt.as_ptr(), msg.as_ptr()),
        }
    }
}

/// The integer in a JS number or BigInt (two's complement for negatives),
/// or None.
pub(super) fn int_of(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> Option<i64> {
    // SAFETY: inspecting the tag of a live value; JS_ToBigInt64 only reads it.
    unsafe {
        let tag = qjs::JS_VALUE_GET_TAG(v);
        if tag == qjs::JS_TAG_INT {
            return Some(qjs::JS_VALUE_GET_INT(v) as i64);
        }
        if tag == qjs::JS_TAG_FLOAT64 {
            let f = qjs::JS_VALUE_GET_FLOAT64(v);
            return (f.fract() == 0.0 && f.abs() <= 9.007199254740992e15).then_some(f as i64);
        }
        if qjs::JS_IsBigInt(v) {
            let mut out = 0i64;
            return (qjs::JS_ToBigInt64(ctx, &mut out, v) == 0).then_some(out);
        }
        None
    }
}

/// A register offset: a non-negative integer number (never a BigInt), read
/// from the value's tag alone (this is every access's hot path).
fn offset_of(v: qjs::JSValue) -> Option<u64> {
    // SAFETY: inspecting the tag and payload of a live value.
    unsafe {
        match qjs::JS_VALUE_GET_TAG(v) {
            qjs::JS_TAG_INT => u64::try_from(qjs::JS_VALUE_GET_INT(v)).ok(),
            qjs::JS_TAG_FLOAT64 => {
                let f = qjs::JS_VALUE_GET_FLOAT64(v);
                (f.fract() == 0.0 && (0.0..=9.007199254740992e15).contains(&f)).then_some(f as u64)
            }
            _ => None,
        }
    }
}

fn shown(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> String {
    match int_of(ctx, v) {
        Some(i) if i >= 0 => format!("{i:#x}"),
        Some(i) => i.to_string(),
        // SAFETY: reading the tag of a live value.
        None => unsafe {
            match qjs::JS_VALUE_GET_TAG(v) {
                t if t == qjs::JS_TAG_FLOAT64 => qjs::JS_VALUE_GET_FLOAT64(v).to_string(),
                t if t == qjs::JS_TAG_STRING => "a string".into(),
                t if t == qjs::JS_TAG_UNDEFINED => "undefined".into(),
                t if t == qjs::JS_TAG_OBJECT => "an object".into(),
                _ => "a non-number".into(),
            }
        },
    }
}

fn new_number(ctx: *mut qjs::JSContext, v: u64, width: u8) -> qjs::JSValue {
    if width == 8 {
        // SAFETY: plain constructor on the live context.
        return unsafe { qjs::JS_NewBigUint64(ctx, v) };
    }
    if v <= i32::MAX as u64 {
        qjs::JS_MKVAL(qjs::JS_TAG_INT, v as i32)
    } else {
        qjs::JS_NewFloat64(v as f64)
    }
}

/// Call the fake hook; Ok(Some(v)) when a read hook supplied a value.
fn call_hook(
    ctx: *mut qjs::JSContext,
    obj: &RegionObject,
    write: bool,
    off: u64,
    width: u8,
    value: u64,
) -> Result<Option<u64>, qjs::JSValue> {
    // SAFETY: `hook` is a live function value we hold a reference to; the
    // argument values are created here and freed after the call.
    unsafe {
        let op = if write { c"write" } else { c"read" };
        let mut args = [
            qjs::JS_NewStringLen(ctx, op.as_ptr(), op.count_bytes() as _),
            qjs::JS_NewFloat64(off as f64),
            qjs::JS_MKVAL(qjs::JS_TAG_INT, width as i32),
            if write { new_number(ctx, value, width) } else { qjs::JS_UNDEFINED },
        ];
        // Hold our own reference: the hook may replace itself (setHook) while it runs.
        let hook = qjs::JS_DupValue(ctx, obj.hook);
        let r = qjs::JS_Call(ctx, hook, qjs::JS_UNDEFINED, if write { 4 } else { 3 }, args.as_mut_ptr());
        qjs::JS_FreeValue(ctx, hook);
        for a in args {
            qjs::JS_FreeValue(ctx, a);
        }
        if qjs::JS_IsException(r) {
            return Err(r);
        }
        let out = if write { None } else { int_of(ctx, r).map(|v| v as u64 & crate::hw::mask(width)) };
        qjs::JS_FreeValue(ctx, r);
        Ok(out)
    }
}

unsafe extern "C" fn region_method(
    ctx: *mut qjs::JSContext,
    this: qjs::JSValue,
    argc: std::ffi::c_int,
    argv: *mut qjs::JSValue,
    magic: std::ffi::c_int,
) -> qjs::JSValue {
    // SAFETY: QuickJS passes `argc` live arguments at `argv`; a missing one
    // reads as undefined. The opaque, when non-null, is our RegionObject,
    // alive while `this` is.
    unsafe {
        let args = super::Args::new(argc, argv);
        let arg = |i: usize| *args.get(i);
        let p = qjs::JS_GetOpaque(this, REGION.id()) as *mut RegionObject;
        if p.is_null() {
            return throw(ctx, crate::hw::AccessError::Type("not a Region".into()));
        }
        let obj = &mut *p;
        if magic == OP_HOOK {
            let h = arg(0);
            if !obj.core.fake {
                return throw(
                    ctx,
                    crate::hw::AccessError::Type(format!("{}: only fake regions take hooks", obj.core.name)),
                );
            }
            if !qjs::JS_IsUndefined(h) && !qjs::JS_IsNull(h) && !qjs::JS_IsFunction(ctx, h) {
                return throw(
                    ctx,
                    crate::hw::AccessError::Type(format!("{}: setHook takes a function or null", obj.core.name)),
                );
            }
            let old = std::mem::replace(
                &mut obj.hook,
                if qjs::JS_IsFunction(ctx, h) { qjs::JS_DupValue(ctx, h) } else { qjs::JS_UNDEFINED },
            );
            qjs::JS_FreeValue(ctx, old);
            return qjs::JS_UNDEFINED;
        }
        let width = (magic & 0xf) as u8;
        let off_v = arg(0);
        let Some(off) = offset_of(off_v) else {
            return throw(ctx, obj.core.bad_offset(&shown(ctx, off_v)));
        };
        if magic & OP_READ != 0 {
            let v = match obj.core.read(off, width) {
                Ok(v) => v,
                Err(e) => return throw(ctx, e),
            };
            let v = if qjs::JS_IsUndefined(obj.hook) {
                v
            } else {
                match call_hook(ctx, obj, false, off, width, 0) {
                    Ok(Some(h)) => h,
                    Ok(None) => v,
                    Err(ex) => return ex,
                }
            };
            new_number(ctx, v, width)
        } else {
            let val_v = arg(1);
            let v = match int_of(ctx, val_v) {
                Some(v) if crate::hw::fits(v as i128, width) || qjs::JS_IsBigInt(val_v) => {
                    v as u64 & crate::hw::mask(width)
                }
                _ => return throw(ctx, obj.core.bad_value(off, width, &shown(ctx, val_v))),
            };
            if let Err(e) = obj.core.write(off, width, v) {
                return throw(ctx, e);
            }
            if !qjs::JS_IsUndefined(obj.hook) {
                if let Err(ex) = call_hook(ctx, obj, true, off, width, v) {
                    return ex;
                }
            }
            qjs::JS_UNDEFINED
        }
    }
}

const REGION_METHODS: &[(&std::ffi::CStr, i32, i32)] = &[
    (c"read8", OP_READ | 1, 1),
    (c"read16", OP_READ | 2, 1),
    (c"read32", OP_READ | 4, 1),
    (c"read64", OP_READ | 8, 1),
    (c"write8", OP_WRITE | 1, 2),
    (c"write16", OP_WRITE | 2, 2),
    (c"write32", OP_WRITE | 4, 2),
    (c"write64", OP_WRITE | 8, 2),
    (c"in8", OP_READ | 1, 1),
    (c"in16", OP_READ | 2, 1),
    (c"in32", OP_READ | 4, 1),
    (c"out8", OP_WRITE | 1, 2),
    (c"out16", OP_WRITE | 2, 2),
    (c"out32", OP_WRITE | 4, 2),
    (c"setHook", OP_HOOK, 1),
];

static REGION: super::CClass = super::CClass {
    id: AtomicU32::new(0),
    name: c"Region",
    finalizer: super::finalize::<RegionObject>,
    mark: super::mark::<RegionObject>,
    methods: REGION_METHODS,
    method: region_method,
};

thread_local! {
    /// The context whose Region prototype is installed.
    static REGION_PROTO_CTX: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Run `f` on the RegionCore behind a JS `Region`; None for other values.
pub fn with_region_core<R>(v: &rquickjs::Value<'_>, f: impl FnOnce(&mut crate::hw::RegionCore) -> R) -> Option<R> {
    // SAFETY: JS_GetOpaque checks the class id; the opaque, when non-null, is
    // the RegionObject owned by the live object `v` holds. JS is single-threaded
    // and no region method runs while `f` does.
    unsafe {
        let p = qjs::JS_GetOpaque(v.as_raw(), REGION.id()) as *mut RegionObject;
        p.as_mut().map(|o| f(&mut o.core))
    }
}

/// A new JS `Region` over `core`, with read-only `name`, `size` and `space`.
pub fn new_region<'js>(
    ctx: &rquickjs::Ctx<'js>,
    core: crate::hw::RegionCore,
) -> rquickjs::Result<rquickjs::Value<'js>> {
    let c = ctx.as_raw().as_ptr();
    REGION.ensure(c, &REGION_PROTO_CTX);
    let (name, size, space) = (core.name.clone(), core.size as f64, core.space_name());
    // SAFETY: a fresh object of our class; the Box is owned by the object from
    // here on and freed in the finalizer. The returned value is handed to
    // rquickjs, which takes over its reference.
    let value = unsafe {
        let obj = qjs::JS_NewObjectClass(c, REGION.id());
        if qjs::JS_IsException(obj) {
            return Err(rquickjs::Error::Exception);
        }
        qjs::JS_SetOpaque(obj, Box::into_raw(Box::new(RegionObject { core, hook: qjs::JS_UNDEFINED })) as *mut _);
        // The accessors again as own properties: QuickJS finds an own
        // property faster than one on the prototype, and this is the hot call.
        let proto = qjs::JS_GetClassProto(c, REGION.id());
        for (name, _, _) in REGION_METHODS {
            let f = qjs::JS_GetPropertyStr(c, proto, name.as_ptr());
            qjs::JS_DefinePropertyValueStr(c, obj, name.as_ptr(), f, qjs::JS_PROP_CONFIGURABLE as i32);
        }
        qjs::JS_FreeValue(c, proto);
        rquickjs::Value::from_raw(ctx.clone(), obj)
    };
    let o = value.as_object().expect("an object");
    o.prop("name", rquickjs::object::Property::from(name).enumerable())?;
    o.prop("size", rquickjs::object::Property::from(size).enumerable())?;
    o.prop("space", rquickjs::object::Property::from(space).enumerable())?;
    Ok(value)
}
