//! The QuickJS C API, the one part of `js/` that may use `unsafe`: buffers
//! and views read without running JavaScript, ArrayBuffers over memory jsk
//! lends (DMA) or the program names (`unsafeArrayBuffer`), module loading
//! from bytecode, the job queue, and the `Region` class (`region`).
#![allow(unsafe_code)]

pub mod region;
pub mod ring;

use rquickjs::ArrayBufferSource;

use crate::hw::DmaBuffer;

/// Memory that jsk does not own: an ArrayBuffer made over it never frees it.
pub struct Borrowed {
    ptr: *mut u8,
    len: usize,
}

impl Borrowed {
    /// # Safety
    /// The caller promises that `len` bytes at `ptr` stay mapped for as long as
    /// JavaScript can reach the ArrayBuffer. This backs `unsafeArrayBuffer`,
    /// whose name tells the JS caller the same.
    pub unsafe fn new(ptr: *mut u8, len: usize) -> Self {
        Borrowed { ptr, len }
    }
}

// SAFETY: `Borrowed::new`'s contract makes the pointer valid for `len` bytes
// while the buffer lives; QuickJS is single-threaded per runtime.
unsafe impl ArrayBufferSource for Borrowed {
    fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }
    fn len(&self) -> usize {
        self.len
    }
}

/// What a value is, as far as passing its bytes to native code goes.
pub enum BufferBytes {
    NotABuffer,
    Detached,
    Bytes(*mut u8, usize),
}

/// The bytes of an ArrayBuffer. rquickjs' `as_array_buffer` leaves a
/// TypeError pending on the context for any other object (which later
/// surfaces in unrelated code, e.g. after a top-level await); this asks
/// QuickJS first and clears what it throws for a detached buffer.
pub fn array_buffer_bytes(v: &rquickjs::Value<'_>) -> BufferBytes {
    // SAFETY: `v` is a live value of its context.
    unsafe { raw_buffer_bytes(v.ctx().as_raw().as_ptr(), v.as_raw()) }
}

/// `array_buffer_bytes` for the raw values C functions get.
///
/// # Safety
/// `raw` is a live value of `ctx`.
pub(crate) unsafe fn raw_buffer_bytes(ctx: *mut rquickjs::qjs::JSContext, raw: rquickjs::qjs::JSValue) -> BufferBytes {
    // SAFETY: per the contract; JS_IsArrayBuffer only inspects `raw`.
    // JS_GetArrayBuffer writes the size through a valid pointer, and the
    // exception it may leave is taken and freed at once.
    unsafe {
        if !rquickjs::qjs::JS_IsArrayBuffer(raw) {
            return BufferBytes::NotABuffer;
        }
        let mut size: rquickjs::qjs::size_t = 0;
        let p = rquickjs::qjs::JS_GetArrayBuffer(ctx, &mut size, raw);
        if p.is_null() {
            // For an ArrayBuffer, JS_GetArrayBuffer throws only when it is
            // detached; a live empty one may have no storage. (Asking the
            // `detached` getter instead would run JavaScript a program can
            // replace, in the middle of a native call.)
            if rquickjs::qjs::JS_HasException(ctx) {
                rquickjs::qjs::JS_FreeValue(ctx, rquickjs::qjs::JS_GetException(ctx));
                return BufferBytes::Detached;
            }
            return BufferBytes::Bytes(std::ptr::NonNull::dangling().as_ptr(), 0);
        }
        BufferBytes::Bytes(p, size as usize)
    }
}

/// What a view is made of, read without running any JavaScript.
pub enum ViewKind<'js> {
    /// A TypedArray: its ArrayBuffer, byte offset and byte length (from the
    /// engine, not from the possibly overridden `buffer`/`byteOffset` getters).
    Typed(rquickjs::Value<'js>, usize, usize),
    /// A TypedArray whose buffer is detached or that lies out of bounds of a
    /// resizable buffer that shrank.
    OutOfBounds,
    /// A DataView (QuickJS has no C accessor for its fields).
    DataView,
    Neither,
}

/// Classify `v` as a TypedArray (with its parts) or a DataView. Runs no JS.
pub fn view_kind<'js>(v: &rquickjs::Value<'js>) -> ViewKind<'js> {
    let raw = v.as_raw();
    // SAFETY: `raw` is a live value borrowed from `v`. JS_GetTypedArrayType
    // and JS_IsDataView only inspect it; JS_GetTypedArrayBuffer (called only
    // for a typed array) writes two sizes through valid pointers and returns
    // a new reference to the buffer, or an exception that is taken and freed.
    unsafe {
        if rquickjs::qjs::JS_IsDataView(raw) {
            return ViewKind::DataView;
        }
        if rquickjs::qjs::JS_GetTypedArrayType(raw) < 0 {
            return ViewKind::Neither;
        }
        let ctx = v.ctx().as_raw().as_ptr();
        let (mut offset, mut length): (rquickjs::qjs::size_t, rquickjs::qjs::size_t) = (0, 0);
        let buf = rquickjs::qjs::JS_GetTypedArrayBuffer(ctx, raw, &mut offset, &mut length, std::ptr::null_mut());
        if rquickjs::qjs::JS_IsException(buf) {
            rquickjs::qjs::JS_FreeValue(ctx, rquickjs::qjs::JS_GetException(ctx));
            return ViewKind::OutOfBounds;
        }
        ViewKind::Typed(rquickjs::Value::from_raw(v.ctx().clone(), buf), offset as usize, length as usize)
    }
}

/// A native method as QuickJS calls it with a magic number (JS_CFUNC_generic_magic).
pub(crate) type MagicFn = unsafe extern "C" fn(
    *mut rquickjs::qjs::JSContext,
    rquickjs::qjs::JSValue,
    std::ffi::c_int,
    *mut rquickjs::qjs::JSValue,
    std::ffi::c_int,
) -> rquickjs::qjs::JSValue;

/// A new function object calling `f` with `magic`.
///
/// # Safety
/// `ctx` is the live context of this thread.
pub(crate) unsafe fn c_function(
    ctx: *mut rquickjs::qjs::JSContext,
    f: MagicFn,
    name: &std::ffi::CStr,
    len: i32,
    magic: i32,
) -> rquickjs::qjs::JSValue {
    use rquickjs::qjs;
    // SAFETY: QuickJS calls a JS_CFUNC_generic_magic function with the
    // five-argument signature `f` has; JSCFunction is only its storage type.
    unsafe {
        let f: qjs::JSCFunction = Some(std::mem::transmute::<
            MagicFn,
            unsafe extern "C" fn(*mut qjs::JSContext, qjs::JSValue, std::ffi::c_int, *mut qjs::JSValue) -> qjs::JSValue,
        >(f));
        qjs::JS_NewCFunction2(ctx, f, name.as_ptr(), len, qjs::JSCFunctionEnum_JS_CFUNC_generic_magic, magic)
    }
}

/// A class written against the C API: its id (allocated on first use), its
/// name, finalizer and marker, and the methods of its prototype (name, magic,
/// length), all calling `method`.
pub(crate) struct CClass {
    pub id: std::sync::atomic::AtomicU32,
    pub name: &'static std::ffi::CStr,
    pub finalizer: unsafe extern "C" fn(*mut rquickjs::qjs::JSRuntime, rquickjs::qjs::JSValue),
    pub mark: unsafe extern "C" fn(*mut rquickjs::qjs::JSRuntime, rquickjs::qjs::JSValue, rquickjs::qjs::JS_MarkFunc),
    pub methods: &'static [(&'static std::ffi::CStr, i32, i32)],
    pub method: MagicFn,
}

impl CClass {
    pub fn id(&self) -> u32 {
        self.id.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Register the class with the runtime and give `ctx` its prototype, once;
    /// `installed` records the context that has it (one per thread).
    pub fn ensure(
        &self,
        ctx: *mut rquickjs::qjs::JSContext,
        installed: &'static std::thread::LocalKey<std::cell::Cell<usize>>,
    ) {
        use rquickjs::qjs;
        // SAFETY: class registration and prototype setup on the live context
        // and runtime of this thread; QuickJS copies the class definition.
        unsafe {
            let rt = qjs::JS_GetRuntime(ctx);
            let mut id = self.id();
            if id == 0 {
                qjs::JS_NewClassID(rt, &mut id);
                self.id.store(id, std::sync::atomic::Ordering::Relaxed);
            }
            if !qjs::JS_IsRegisteredClass(rt, id) {
                let def = qjs::JSClassDef {
                    class_name: self.name.as_ptr(),
                    finalizer: Some(self.finalizer),
                    gc_mark: Some(self.mark),
                    call: None,
                    exotic: std::ptr::null_mut(),
                };
                qjs::JS_NewClass(rt, id, &def);
            }
            if installed.with(|c| c.get()) == ctx as usize {
                return;
            }
            let proto = qjs::JS_NewObject(ctx);
            for (name, magic, len) in self.methods {
                qjs::JS_SetPropertyStr(ctx, proto, name.as_ptr(), c_function(ctx, self.method, name, *len, *magic));
            }
            qjs::JS_SetClassProto(ctx, id, proto);
            installed.with(|c| c.set(ctx as usize));
        }
    }
}

/// The Rust object behind the instances of a C class, owning one JS value
/// (a Region's hook, a Ring's buffer) that the class's finalizer frees and
/// its marker marks.
pub(crate) trait Opaque: Sized + 'static {
    fn class() -> &'static CClass;
    fn held(&self) -> rquickjs::qjs::JSValue;
}

/// The finalizer of the instances of `T`'s class.
pub(crate) unsafe extern "C" fn finalize<T: Opaque>(rt: *mut rquickjs::qjs::JSRuntime, val: rquickjs::qjs::JSValue) {
    // SAFETY: called once by QuickJS for an object of the class; its opaque
    // is the Box<T> leaked when the object was made.
    unsafe {
        let p = rquickjs::qjs::JS_GetOpaque(val, T::class().id()) as *mut T;
        if !p.is_null() {
            let obj = Box::from_raw(p);
            rquickjs::qjs::JS_FreeValueRT(rt, obj.held());
        }
    }
}

/// The GC marker of the instances of `T`'s class: marking the value the
/// object holds keeps the cycle collector aware of that reference.
pub(crate) unsafe extern "C" fn mark<T: Opaque>(
    rt: *mut rquickjs::qjs::JSRuntime,
    val: rquickjs::qjs::JSValue,
    mark: rquickjs::qjs::JS_MarkFunc,
) {
    // SAFETY: the opaque, when non-null, is the live T of this object.
    unsafe {
        let p = rquickjs::qjs::JS_GetOpaque(val, T::class().id()) as *const T;
        if let Some(obj) = p.as_ref() {
            rquickjs::qjs::JS_MarkValue(rt, obj.held(), mark);
        }
    }
}

/// The arguments QuickJS passed a C function; a missing one reads as undefined.
pub(crate) struct Args<'a> {
    given: &'a [rquickjs::qjs::JSValue],
    undefined: rquickjs::qjs::JSValue,
}

impl<'a> Args<'a> {
    /// # Safety
    /// `argv` holds `argc` live values for the duration of the call.
    pub unsafe fn new(argc: std::ffi::c_int, argv: *mut rquickjs::qjs::JSValue) -> Args<'a> {
        let given = if argc > 0 && !argv.is_null() {
            // SAFETY: per the contract.
            unsafe { std::slice::from_raw_parts(argv, argc as usize) }
        } else {
            &[]
        };
        Args { given, undefined: rquickjs::qjs::JS_UNDEFINED }
    }

    pub fn get(&self, i: usize) -> &rquickjs::qjs::JSValue {
        self.given.get(i).unwrap_or(&self.undefined)
    }
}

/// A queued microtask threw: the exception is left pending on the (only)
/// context, for `ctx.catch()`.
#[derive(Debug)]
pub struct JobThrew;

/// Run one queued microtask: Ok(false) when none was queued.
pub fn execute_pending_job(ctx: &rquickjs::Ctx<'_>) -> Result<bool, JobThrew> {
    let mut job_ctx: *mut rquickjs::qjs::JSContext = std::ptr::null_mut();
    // SAFETY: the runtime is live on this thread and `job_ctx` is a valid
    // out-pointer; jsk runs one context per runtime, so the failing job's
    // context is `ctx`.
    let r = unsafe { rquickjs::qjs::JS_ExecutePendingJob(runtime_of(ctx), &mut job_ctx) };
    match r {
        0 => Ok(false),
        r if r > 0 => Ok(true),
        _ => Err(JobThrew),
    }
}

/// DMA memory shown to JS as an ArrayBuffer. The buffer's `release` runs
/// when the ArrayBuffer is freed or detached; its memory stays alive until then.
pub struct Lent(pub DmaBuffer);

// SAFETY: a `DmaBuffer` points at `len` bytes inside the memory it keeps alive
// (checked when it was made), for as long as it lives.
unsafe impl ArrayBufferSource for Lent {
    fn as_ptr(&self) -> *mut u8 {
        self.0.as_ptr()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Copy the bytes of a JS buffer or view. `view` must come from
/// `_keep.bytes()`, which checked `[ptr, ptr+len)` lies inside that live
/// ArrayBuffer with no JavaScript run since; holding `_keep` keeps it alive.
pub(crate) fn copy_view_bytes(_keep: &crate::js::native::ViewParts<'_>, view: (*mut u8, usize)) -> Vec<u8> {
    // SAFETY: per the contract above, the range is inside a live buffer that
    // cannot be freed or detached during this synchronous copy.
    unsafe { std::slice::from_raw_parts(view.0, view.1) }.to_vec()
}

/// The JS escape hatch `unsafeArrayBuffer(address, length)`: an ArrayBuffer
/// over memory jsk does not own. Its soundness rests on the JS caller, as the
/// name says; jsk only refuses a null address.
pub fn alias_array_buffer<'js>(
    ctx: rquickjs::Ctx<'js>,
    addr: u64,
    len: usize,
) -> rquickjs::Result<rquickjs::ArrayBuffer<'js>> {
    // SAFETY: none from Rust's side: this is the documented unchecked hatch.
    let src = unsafe { Borrowed::new(addr as usize as *mut u8, len) };
    rquickjs::ArrayBuffer::from_source(ctx, src)
}

/// Load a module from bytecode that build.rs compiled with this QuickJS.
pub fn load_builtin_module<'js>(
    ctx: &rquickjs::Ctx<'js>,
    bytecode: &'static [u8],
) -> rquickjs::Result<rquickjs::Module<'js>> {
    // SAFETY: the bytecode was produced at build time by the same QuickJS
    // version and configuration that this binary links.
    unsafe { rquickjs::Module::load(ctx.clone(), bytecode) }
}

/// Load, link and evaluate module `name` (already resolved) as the host,
/// i.e. with an empty base name, so that no user module's name takes part in
/// resolving it. Returns the promise QuickJS settles with the namespace.
pub fn load_module<'js>(ctx: &rquickjs::Ctx<'js>, name: &str) -> rquickjs::Result<rquickjs::Promise<'js>> {
    let name = std::ffi::CString::new(name)?;
    // SAFETY: both strings are NUL-terminated and outlive the call; the
    // context is live on this thread; JS_LoadModule returns an owned value
    // (a promise, or JS_EXCEPTION with the exception pending), which
    // Value::from_js_value takes over.
    let v = unsafe {
        let raw = rquickjs::qjs::JS_LoadModule(ctx.as_raw().as_ptr(), c"".as_ptr(), name.as_ptr());
        if rquickjs::qjs::JS_IsException(raw) {
            return Err(rquickjs::Error::Exception);
        }
        rquickjs::Value::from_raw(ctx.clone(), raw)
    };
    v.into_promise().ok_or(rquickjs::Error::Unknown)
}

fn runtime_of(ctx: &rquickjs::Ctx<'_>) -> *mut rquickjs::qjs::JSRuntime {
    // SAFETY: JS_GetRuntime only reads the live context's runtime pointer.
    unsafe { rquickjs::qjs::JS_GetRuntime(ctx.as_raw().as_ptr()) }
}

/// Whether a microtask is queued.
pub fn job_pending(ctx: &rquickjs::Ctx<'_>) -> bool {
    // SAFETY: JS_IsJobPending only reads the runtime's job list.
    unsafe { rquickjs::qjs::JS_IsJobPending(runtime_of(ctx)) }
}
