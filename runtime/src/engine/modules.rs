//! The module loader: names to modules for QuickJS, the built-in modules
//! (`jsk:` from hal-js, `node:` from unode, embedded as bytecode), files, and
//! the module hooks through which unode (JavaScript) takes over resolution and
//! loading: Node's `node_modules` search, package.json `exports`, CommonJS and
//! JSON modules are all written in `unode/lib/internal/modules/`.
//!
//! Every module records its namespace when its evaluation starts and that it
//! finished (see `registration.rs`); `importSync` reads those records so that
//! unode's `require` can return an ES module's namespace synchronously without
//! ever loading a module twice.

use std::path::{Component, Path, PathBuf};

use rquickjs::{
    context::EvalOptions,
    loader::{ImportAttributes, Loader, Resolver},
    module::Declared,
    promise::PromiseState,
    Ctx, Error, Exception, Function, Module, Object, Result, Value,
};

use super::native_module::NativeModule;
use crate::js::ffi;

include!("registration.rs");

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// A hash of the built-in modules' sources: changes with any of them.
pub const BUILTIN_MODULES_ID: &str = embedded::MODULES_ID;

/// The built-in modules in the binary: (name, bytecode).
pub fn builtin_modules() -> &'static [(&'static str, &'static [u8])] {
    embedded::MODULES
}

fn builtin(name: &str) -> Option<&'static [u8]> {
    embedded::MODULES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Whether `name` is a built-in module's name (`jsk:x` from hal-js, `node:x` from unode).
pub fn is_builtin_name(name: &str) -> bool {
    name.starts_with("jsk:") || name.starts_with("node:")
}

/// `JSK_SOURCE=REPO`: load the built-in modules from `REPO/hal-js` and
/// `REPO/unode/lib` instead of the embedded bytecode, so that a change to
/// them is tried without rebuilding jsk (development only).
fn source_override() -> Option<&'static Path> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("JSK_SOURCE").filter(|d| !d.is_empty()).map(PathBuf::from)).as_deref()
}

/// The source file of built-in module `name` under a `JSK_SOURCE` tree.
fn builtin_source_path(root: &Path, name: &str) -> Option<PathBuf> {
    let (dir, rest) = if let Some(rest) = name.strip_prefix("jsk:") {
        ("hal-js", rest)
    } else {
        ("unode/lib", name.strip_prefix("node:")?)
    };
    Some(root.join(dir).join(format!("{rest}.js")))
}

/// Lexically normalise a module path (no filesystem access, so relative
/// names stay relative and error messages show what the user wrote).
pub fn normalize(path: &Path) -> String {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(".."),
            },
            c => out.push(c),
        }
    }
    out.to_string_lossy().into_owned()
}

/// The global holding unode's `{ resolve(specifier, base), load(name) }`
/// once `node:internal/modules/esm` installed them.
const HOOKS: &str = "__jskModuleHooks";

fn hooks<'js>(ctx: &Ctx<'js>) -> Option<Object<'js>> {
    ctx.globals().get::<_, Option<Object>>(HOOKS).ok().flatten()
}

thread_local! {
    /// While `importSync` declares a module graph: every name resolved in it.
    static RESOLVED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// The name `name` imported from module `base` refers to.
pub fn resolve<'js>(ctx: &Ctx<'js>, base: &str, name: &str) -> Result<String> {
    let r = resolve_name(ctx, base, name)?;
    RESOLVED.with(|c| {
        if let Some(v) = c.borrow_mut().as_mut() {
            v.push(r.clone());
        }
    });
    Ok(r)
}

static DENY_UNSAFE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--deny-unsafe`: from now on (in every thread) no program module may
/// import the modules that reach raw memory; built-in modules still may.
pub fn deny_unsafe() {
    DENY_UNSAFE.store(true, std::sync::atomic::Ordering::SeqCst);
}

pub fn unsafe_denied() -> bool {
    DENY_UNSAFE.load(std::sync::atomic::Ordering::SeqCst)
}

/// The modules whose exports can read or write any memory: raw system calls
/// with pointer arguments, `mmap`/`munmap` at any address, `addressOf`,
/// `unsafeArrayBuffer` (and `jsk:native`'s loader hooks).
const UNSAFE_MODULES: &[&str] = &["jsk:native", "jsk:sys"];

fn resolve_name<'js>(ctx: &Ctx<'js>, base: &str, name: &str) -> Result<String> {
    if name == base {
        return Ok(name.to_string());
    }
    // An empty base is the host (or a built-in asking through importSync).
    if unsafe_denied() && !base.is_empty() && !is_builtin_name(base) {
        if UNSAFE_MODULES.contains(&name) {
            return Err(Error::new_resolving_message(
                base,
                name,
                format!("{name} is refused under --deny-unsafe: it reaches raw memory (use jsk:hal, jsk:loop, node: modules)"),
            ));
        }
        if name.starts_with("node:internal/") {
            return Err(Error::new_resolving_message(base, name, "node:internal/ modules are private to unode"));
        }
    }
    // Tests may reach into unode's internals; programs may not (as in Node).
    // (The host itself imports with an empty base.)
    if name.starts_with("node:internal/") && !base.is_empty() && !is_builtin_name(base) && !base.ends_with(".test.js") {
        return Err(Error::new_resolving_message(base, name, "node:internal/ modules are private to unode"));
    }
    if is_builtin_name(name) {
        return Ok(name.to_string());
    }
    if !is_builtin_name(base) {
        if let Some(h) = hooks(ctx) {
            let f: Function = h.get("resolve")?;
            return f.call((name, base));
        }
    }
    if name.starts_with('/') {
        return Ok(normalize(Path::new(name)));
    }
    if name.starts_with("./") || name.starts_with("../") {
        if is_builtin_name(base) {
            return Err(Error::new_resolving_message(
                base,
                name,
                "built-in modules import only jsk: and node: modules",
            ));
        }
        let dir = Path::new(base).parent().unwrap_or(Path::new(""));
        return Ok(normalize(&dir.join(name)));
    }
    Err(Error::new_resolving_message(
        base,
        name,
        "bare module names need unode (`unode app.js` or `jsk node app.js`): use a relative path (./x.js), a jsk: or a node: module",
    ))
}

/// Declare the module `name` (already resolved) without evaluating it.
fn load<'js>(ctx: &Ctx<'js>, name: &str) -> Result<Module<'js, Declared>> {
    if name == "jsk:native" {
        return Module::declare_def::<NativeModule, _>(ctx.clone(), name);
    }
    if is_builtin_name(name) {
        if let Some(path) = source_override().and_then(|root| builtin_source_path(root, name)) {
            if let Ok(source) = std::fs::read(&path) {
                return declare_source(ctx, name, &source);
            }
        }
        let Some(bytecode) = builtin(name) else {
            return Err(Error::new_loading_message(name, "no such built-in module"));
        };
        return ffi::load_builtin_module(ctx, bytecode);
    }
    if let Some(h) = hooks(ctx) {
        let f: Function = h.get("load")?;
        if let Some(source) = f.call::<_, Option<rquickjs::String>>((name,))? {
            return declare_source(ctx, name, source.to_string()?.as_bytes());
        }
    }
    let source = std::fs::read(name).map_err(|e| Error::new_loading_message(name, e.to_string()))?;
    declare_source(ctx, name, &source)
}

/// Compile an ES module from source, with the registration wrapper; a file
/// module's `import.meta` gets `url`, `filename`, `dirname` and `resolve()`.
pub fn declare_source<'js>(ctx: &Ctx<'js>, name: &str, source: &[u8]) -> Result<Module<'js, Declared>> {
    let m = Module::declare(ctx.clone(), name, with_registration(name, &String::from_utf8_lossy(source)))?;
    if !is_builtin_name(name) {
        let path = match std::env::current_dir() {
            Ok(cwd) if !name.starts_with('/') => normalize(&cwd.join(name)),
            _ => name.to_string(),
        };
        let meta = m.meta()?;
        meta.set("url", file_url(&path))?;
        meta.set("dirname", Path::new(&path).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default())?;
        meta.set("filename", path)?;
        let base = name.to_string();
        let resolve = Function::new(ctx.clone(), move |ctx: Ctx<'js>, specifier: String| -> Result<String> {
            let r = resolve(&ctx, &base, &specifier)?;
            Ok(if is_builtin_name(&r) { r } else { file_url(&r) })
        })?;
        meta.set("resolve", resolve)?;
    }
    Ok(m)
}

/// `file:` URL of an absolute path, percent-encoding what a URL path may not hold.
pub fn file_url(path: &str) -> String {
    let mut out = String::from("file://");
    for b in path.bytes() {
        match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'/'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub struct JskResolver;

impl Resolver for JskResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _a: Option<ImportAttributes<'js>>,
    ) -> Result<String> {
        resolve(ctx, base, name)
    }
}

pub struct JskLoader;

impl Loader for JskLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _a: Option<ImportAttributes<'js>>,
    ) -> Result<Module<'js, Declared>> {
        let m = load(ctx, name)?;
        map_call::<Value>(ctx, "declared", "add", name)?;
        Ok(m)
    }
}

/// The module records `{ ns: Map, done: Set, declared: Set }`, kept by the
/// host: JavaScript gets only the write side (the `MODULE_RECORDS` global's
/// `set` and `done`), so that no program can fetch the namespace of a
/// module it may not import (`jsk:sys` under `--deny-unsafe`).
#[derive(rquickjs::JsLifetime)]
struct Records {
    all: rquickjs::Persistent<Object<'static>>,
}

/// Create the module records and their global; before any module is loaded.
pub fn install_records(ctx: &Ctx<'_>) -> Result<()> {
    if ctx.userdata::<Records>().is_some() {
        return Ok(());
    }
    let all: Object = ctx.eval("({ ns: new Map(), done: new Set(), declared: new Set() })")?;
    let writer: Function = ctx.eval(
        "(r) => Object.freeze({ set(name, ns) { r.ns.set(String(name), ns); }, done(name) { r.done.add(String(name)); } })",
    )?;
    let global: Object = writer.call((all.clone(),))?;
    ctx.globals().prop(MODULE_RECORDS, rquickjs::object::Property::from(global))?;
    let _ = ctx.store_userdata(Records { all: rquickjs::Persistent::save(ctx, all) });
    Ok(())
}

fn records<'js>(ctx: &Ctx<'js>) -> Result<Object<'js>> {
    let r = ctx
        .userdata::<Records>()
        .ok_or_else(|| Exception::throw_internal(ctx, "the module records are not installed"))?;
    r.all.clone().restore(ctx)
}

fn map_call<'js, T: rquickjs::FromJs<'js>>(ctx: &Ctx<'js>, field: &str, method: &str, name: &str) -> Result<T> {
    let m: Object = records(ctx)?.get(field)?;
    let f: Function = m.get(method)?;
    f.call((rquickjs::function::This(m), name))
}

fn node_error<'js>(ctx: &Ctx<'js>, code: &str, message: &str) -> Error {
    let e = match Exception::from_message(ctx.clone(), message) {
        Ok(e) => e,
        Err(e) => return e,
    };
    if let Err(err) = e.as_object().set("code", code) {
        return err;
    }
    ctx.throw(e.into_value())
}

/// `importSync(specifier, base)`: the namespace of the ES module `specifier`
/// (resolved from module `base`), loaded and evaluated now if it was not.
/// Throws what the module's evaluation threw, `ERR_REQUIRE_ASYNC_MODULE` when
/// the module waits at a top-level await, and resolution/load errors as
/// `import` would.
pub fn js_import_sync<'js>(
    ctx: Ctx<'js>,
    specifier: String,
    base: rquickjs::function::Opt<String>,
) -> Result<Object<'js>> {
    // Without a base the host is asking (built-in callers); a relative or
    // bare specifier then resolves from the root folder.
    let base = base.0.unwrap_or_default();
    let from = if base.is_empty() && !is_builtin_name(&specifier) && !specifier.starts_with('/') { "/" } else { &base };
    let name = resolve(&ctx, from, &specifier)?;
    if name == "jsk:native" {
        return Err(node_error(
            &ctx,
            "ERR_REQUIRE_ESM",
            "jsk:native can only be imported (import * as native from \"jsk:native\")",
        ));
    }
    let have_source = || source_override().and_then(|r| builtin_source_path(r, &name)).is_some_and(|p| p.is_file());
    if is_builtin_name(&name) && builtin(&name).is_none() && !have_source() {
        return Err(node_error(
            &ctx,
            "ERR_UNKNOWN_BUILTIN_MODULE",
            &format!("No such built-in module: {name} (unode does not have it yet)"),
        ));
    }
    let finished = |ctx: &Ctx<'js>| -> Result<Option<Object<'js>>> {
        if map_call::<bool>(ctx, "done", "has", &name)? {
            return map_call::<Option<Object>>(ctx, "ns", "get", &name);
        }
        Ok(None)
    };
    if let Some(ns) = finished(&ctx)? {
        return Ok(ns);
    }
    if map_call::<bool>(&ctx, "ns", "has", &name)? {
        // Started, not finished: a cycle back into a module being evaluated
        // (its bindings may still be uninitialised), as Node allows for CommonJS.
        return map_call::<Object>(&ctx, "ns", "get", &name);
    }
    // QuickJS cannot link a graph that contains a module still being
    // evaluated (it would abort), so such a require() is refused: a module
    // declared but not finished is either mid-evaluation or failed.
    if is_builtin_name(&name) {
        // Built-ins import only built-ins, so while no built-in's body is
        // running none of them is mid-evaluation: one declared but not yet
        // evaluated (later in the graph being evaluated) is simply evaluated now.
        if let Some(busy) = running_builtin(&ctx)? {
            return Err(cycle(&ctx, &name, &busy));
        }
        // Built-ins are bytecode, linked by QuickJS as it loads them; none of
        // their dependencies is mid-evaluation (checked just above).
        let promise = ffi::load_module(&ctx, &name)?;
        mark_handled(&ctx, &promise)?;
        return match finished(&ctx)? {
            Some(ns) => Ok(ns),
            None if map_call::<bool>(&ctx, "ns", "has", &name)? => Err(async_module(&ctx, &name)),
            None => Err(missing(&ctx, &name)),
        };
    }
    if map_call::<bool>(&ctx, "declared", "has", &name)? {
        // Declared, not started: possibly waiting for its own imports to
        // finish evaluating.
        return Err(cycle(&ctx, &name, &name));
    }
    // A file never seen: declare it (QuickJS resolves its imports then),
    // check that none of them is mid-evaluation, and evaluate it here, which
    // gives its evaluation's promise, hence its error.
    RESOLVED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let before: usize = records(&ctx)?.get::<_, Object>("declared")?.get("size")?;
    let declared_now = JskLoader.load(&ctx, &name, None);
    let resolved = RESOLVED.with(|c| c.borrow_mut().take()).unwrap_or_default();
    let m = declared_now?;
    let fresh: Vec<String> = ctx
        .eval::<Function, _>("(set, n) => [...set].slice(n)")?
        .call((records(&ctx)?.get::<_, Value>("declared")?, before))?;
    for dep in resolved {
        // jsk:native is a C module: evaluated when loaded, never recorded.
        if dep != "jsk:native" && !fresh.contains(&dep) && !map_call::<bool>(&ctx, "done", "has", &dep)? {
            return Err(cycle(&ctx, &name, &dep));
        }
    }
    let (_m, promise) = m.eval()?;
    match promise.state() {
        PromiseState::Resolved => finished(&ctx)?.ok_or_else(|| missing(&ctx, &name)),
        PromiseState::Rejected => {
            mark_handled(&ctx, &promise)?;
            match promise.result::<Value>() {
                Some(Err(e)) => Err(e),
                _ => Err(missing(&ctx, &name)),
            }
        }
        PromiseState::Pending => Err(async_module(&ctx, &name)),
    }
}

/// A built-in whose body is running (started, not finished); unode's entry
/// module, which nothing imports, does not count.
fn running_builtin(ctx: &Ctx<'_>) -> Result<Option<String>> {
    ctx.eval::<Function, _>(
        "(r) => { for (const n of r.ns.keys()) if ((n.startsWith('node:') || n.startsWith('jsk:')) && n !== 'node:internal/main' && !r.done.has(n)) return n; }",
    )?
    .call((records(ctx)?,))
}

fn cycle(ctx: &Ctx<'_>, name: &str, busy: &str) -> Error {
    node_error(
        ctx,
        "ERR_REQUIRE_CYCLE_MODULE",
        &format!("cannot require() {name} while {busy} is still being evaluated (a cycle through an ES module): use import() instead"),
    )
}

/// The module's failure, if any, is thrown to require()'s caller: its
/// evaluation promise is not an unhandled rejection (now or when it settles).
fn mark_handled<'js>(ctx: &Ctx<'js>, promise: &rquickjs::Promise<'js>) -> Result<()> {
    let catch: Function = promise.get("catch")?;
    let noop = Function::new(ctx.clone(), || ())?;
    catch.call::<_, Value>((rquickjs::function::This(promise.clone()), noop))?;
    Ok(())
}

fn async_module(ctx: &Ctx<'_>, name: &str) -> Error {
    node_error(
        ctx,
        "ERR_REQUIRE_ASYNC_MODULE",
        &format!(
            "require() cannot be used on an ES module that awaits at its top level ({name}): use import() instead"
        ),
    )
}

fn missing(ctx: &Ctx<'_>, name: &str) -> Error {
    node_error(
        ctx,
        "ERR_REQUIRE_ESM",
        &format!("{name} could not be evaluated synchronously (its evaluation failed earlier, or it awaits)"),
    )
}

/// `evalScript(source, filename)`: run `source` as a classic (sloppy-mode)
/// script named `filename` in stack traces and syntax errors; returns its
/// completion value. unode compiles CommonJS modules with it.
pub fn js_eval_script<'js>(ctx: Ctx<'js>, source: rquickjs::String<'js>, filename: String) -> Result<Value<'js>> {
    let mut opts = EvalOptions::default();
    opts.strict = false;
    opts.filename = Some(filename);
    ctx.eval_with_options(source.to_string()?, opts)
}

/// `runMicrotasks()`: run every queued promise job now (unode runs them
/// between event-loop callbacks, after the nextTick queue, as Node does).
/// Throws what a job threw.
pub fn js_run_microtasks(ctx: Ctx<'_>) -> Result<()> {
    loop {
        match ffi::execute_pending_job(&ctx) {
            Ok(true) => continue,
            Ok(false) => return Ok(()),
            Err(ffi::JobThrew) => return Err(ctx.throw(ctx.catch())),
        }
    }
}
