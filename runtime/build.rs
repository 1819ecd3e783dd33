//! Compile hal-js/ and unode/lib/ into QuickJS bytecode and embed them, so
//! that `jsk` runs with nothing beside it. `hal-js/x.js` becomes module
//! `jsk:x`, `hal-js/sys/arch.js` becomes `jsk:sys/arch`, `unode/lib/fs/promises.js`
//! becomes `node:fs/promises`. Test files are left out.

use std::path::{Path, PathBuf};

use rquickjs::{
    loader::{ImportAttributes, Loader, Resolver},
    module::Declared,
    Context, Ctx, Module, Result, Runtime, WriteOptions,
};

/// QuickJS resolves a module's imports while compiling it; at build time every
/// import is answered with an empty stand-in (linking happens at run time).
struct StandIn;

impl Resolver for StandIn {
    fn resolve<'js>(
        &mut self,
        _: &Ctx<'js>,
        _base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<String> {
        Ok(name.to_string())
    }
}

impl Loader for StandIn {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> Result<Module<'js, Declared>> {
        Module::declare(ctx.clone(), name, "")
    }
}

include!("src/engine/registration.rs");

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "js") && !p.to_string_lossy().ends_with(".test.js") {
            out.push(p);
        }
    }
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for (dir, prefix) in [("hal-js", "jsk:"), ("unode/lib", "node:")] {
        let root = repo.join(dir);
        println!("cargo:rerun-if-changed={}", root.display());
        let mut found = Vec::new();
        collect(&root, &mut found);
        found.sort();
        for f in found {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = f.strip_prefix(&root).unwrap().with_extension("");
            files.push((format!("{prefix}{}", rel.to_string_lossy()), f));
        }
    }

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let rt = Runtime::new().expect("QuickJS runtime");
    rt.set_loader(StandIn, StandIn);
    let ctx = Context::full(&rt).expect("QuickJS context");
    let mut table = String::from("pub static MODULES: &[(&str, &[u8])] = &[\n");
    // An id of the built-in modules' sources: what read a driver's match table (jsk-probe's
    // index records it).
    let mut id = std::collections::hash_map::DefaultHasher::new();
    for (name, f) in &files {
        let source = with_registration(name, &std::fs::read_to_string(f).unwrap());
        std::hash::Hash::hash(&(name, &source), &mut id);
        let bytecode = ctx.with(|ctx| {
            let m = Module::declare(ctx.clone(), name.as_str(), source).map_err(|e| {
                let ex = ctx.catch();
                let stack: Option<String> = ex.as_object().and_then(|o| o.get("stack").ok());
                let msg: Option<String> = ex.as_object().and_then(|o| o.get("message").ok());
                format!("{e}: {} {}", msg.unwrap_or_default(), stack.unwrap_or_default())
            })?;
            // jsk: modules without their source text (0.25 MB: Function.prototype.toString of
            // their functions then says `[native code]`), with the debug information (files and
            // lines in stack traces). node: modules keep it: util.inspect tells a class from a
            // function by its source (`[class URL]`, as Node prints it).
            let strip_source = name.starts_with("jsk:");
            m.write(WriteOptions { strip_source, ..WriteOptions::default() }).map_err(|e| e.to_string())
        });
        let bytecode = bytecode.unwrap_or_else(|e| panic!("hal-js: {} does not compile: {e}", f.display()));
        let file = format!("{}.qbc", name.replace([':', '/'], "_"));
        std::fs::write(out_dir.join(&file), bytecode).unwrap();
        table.push_str(&format!("    ({name:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{file}\"))),\n"));
    }
    table.push_str("];\n");
    table.push_str(&format!(
        "/// Hash of the built-in modules' sources.\npub const MODULES_ID: &str = \"{:016x}\";\n",
        std::hash::Hasher::finish(&id)
    ));
    std::fs::write(out_dir.join("embedded.rs"), table).unwrap();
}
