// mime-types (and mime-db): lookups by extension and by type.
const assert = require("node:assert");
const mime = require("mime-types");
for (const p of ["index.html", "a/b/style.CSS", "photo.jpeg", "data.json", "x.mjs", "archive.tar.gz", "file.wasm", "noext", ".md", "font.woff2"]) {
  console.log(p, mime.lookup(p), mime.contentType(p) || "-");
}
for (const t of ["text/html", "application/json; charset=utf-8", "image/svg+xml", "application/x-nothing"]) console.log(t, mime.extension(t), mime.charset(t));
assert.strictEqual(mime.contentType("json"), "application/json; charset=utf-8");
assert.deepStrictEqual(mime.extensions["audio/mpeg"].slice(0, 2), ["mpga", "mp2"]);
console.log(Object.keys(mime.types).length > 1000, mime.types.md);
console.log("ok mime-types");
