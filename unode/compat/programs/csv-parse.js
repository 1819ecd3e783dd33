// csv-parse: the streaming parser fed in small chunks through pipeline(), plus the sync API.
const assert = require("node:assert");
const { parse } = require("csv-parse");
const { parse: parseSync } = require("csv-parse/sync");
const { Readable, Writable, pipeline } = require("node:stream");

const csv = 'id,name,note,amount\n1,Ada,"likes ""quotes""",3.5\n2,Bob,"multi\nline",10\n3,Cy,,\n# a comment\n4,"Dee, Jr.",x,-1\n';
const chunks = [];
for (let i = 0; i < csv.length; i += 7) chunks.push(Buffer.from(csv.slice(i, i + 7)));
const rows = [];
pipeline(
  Readable.from(chunks),
  parse({ columns: true, comment: "#", cast: (v, ctx) => (ctx.column === "amount" && v !== "" ? Number(v) : v) }),
  new Writable({ objectMode: true, write(row, _, cb) { rows.push(row); cb(); } }),
  (err) => {
    assert.ifError(err);
    assert.strictEqual(rows.length, 4);
    assert.deepStrictEqual(rows[1], { id: "2", name: "Bob", note: "multi\nline", amount: 10 });
    for (const r of rows) console.log(JSON.stringify(r));
    const recs = parseSync("a;b\n1;2\n3;4", { delimiter: ";", from_line: 2, info: true });
    console.log(JSON.stringify(recs.map((r) => [r.record, r.info.lines])));
    assert.throws(() => parseSync('a,"b\n'), { code: "CSV_QUOTE_NOT_CLOSED" });
    const p = parse({ relax_column_count: false });
    p.on("error", (e) => {
      console.log("error event:", e.code);
      console.log("ok csv-parse");
    });
    p.write("a,b\n1,2,3\n");
    p.end();
  },
);
