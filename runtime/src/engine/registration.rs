// Shared by the build script (built-in modules) and the runtime (modules read
// from files): how a module's source is wrapped so that it records its own
// namespace when its evaluation starts and records that it finished. unode's
// synchronous `require` of ES modules reads those records (engine/modules.rs).
// The wrapper keeps every line of the module where it was (only columns of
// line 1 move), so stack traces and syntax errors still point at the source.

/// The global (frozen, not writable) through which a module records itself:
/// `set(name, namespace)` when its evaluation starts, `done(name)` when it
/// finished. The records themselves are the host's (`modules.rs`): no
/// program can read another module's namespace through them.
pub const MODULE_RECORDS: &str = "__jskModules";

/// `source` with the registration prefix on line 1 and the suffix after the last line.
pub fn with_registration(name: &str, source: &str) -> String {
    // A module imports itself by its own name (the resolver answers a
    // module's own name with itself).
    let quoted = quote_js(name);
    let own = &quoted;
    // A hashbang line must stay first; it becomes a comment after the prefix.
    let (hashbang, body) = match source.strip_prefix("#!") {
        Some(rest) => ("//", rest),
        None => ("", source),
    };
    format!(
        "import * as __jsk$ns from {own}; {MODULE_RECORDS}.set({quoted}, __jsk$ns); {hashbang}{body}\n;{MODULE_RECORDS}.done({quoted});\n"
    )
}

/// A JS string literal for `s`.
fn quote_js(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
