// split2: line splitting of a byte stream, with a mapper, multi-byte UTF-8 split across chunks.
const assert = require("node:assert");
const split2 = require("split2");
const { Readable, pipeline, Writable } = require("node:stream");

const text = Buffer.from('{"n":1}\r\n{"n":2,"s":"héllo"}\n\n{"n":3,"e":"€"}\nlast');
const chunks = [];
for (let i = 0; i < text.length; i += 3) chunks.push(text.subarray(i, i + 3));
const out = [];
pipeline(
  Readable.from(chunks),
  split2(/\r?\n/, (line) => (line ? JSON.parse(line.startsWith("{") ? line : JSON.stringify({ raw: line })) : undefined)),
  new Writable({ objectMode: true, write(o, _, cb) { out.push(o); cb(); } }),
  (err) => {
    assert.ifError(err);
    assert.deepStrictEqual(out, [{ n: 1 }, { n: 2, s: "héllo" }, { n: 3, e: "€" }, { raw: "last" }]);
    console.log(JSON.stringify(out));
    const s = split2({ maxLength: 5 });
    s.on("error", (e) => {
      console.log("maxLength:", e.message);
      console.log("ok split2");
    });
    s.on("data", (l) => console.log("line", l));
    s.write("ab\nabcdefghij");
  },
);
