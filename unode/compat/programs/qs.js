// qs: nested query strings both ways.
const assert = require("node:assert");
const qs = require("qs");
const cases = ["a[b][c]=d&a[e]=f", "a[]=1&a[]=2&a[5]=z", "a.b.c=1&x=%E2%82%AC", "search=hello%20world&page=2&tags[0]=x&tags[1]=y", "a=1&a=2&b", "__proto__[polluted]=yes&ok=1"];
for (const s of cases) console.log(s, "->", JSON.stringify(qs.parse(s, { allowDots: true })));
const obj = { user: { name: "Ada Lovelace", langs: ["en", "fr"], meta: { born: 1815 } }, empty: "", list: [{ a: 1 }, { a: 2 }], d: new Date(Date.UTC(2020, 0, 2)) };
for (const arrayFormat of ["indices", "brackets", "repeat", "comma"]) console.log(arrayFormat, qs.stringify(obj, { arrayFormat }));
console.log(qs.stringify(obj, { encode: false, allowDots: true }), qs.stringify({ a: "b c", e: "ü" }, { format: "RFC1738" }));
assert.deepStrictEqual(qs.parse(qs.stringify(obj, { serializeDate: (d) => d.toISOString() })), { user: { name: "Ada Lovelace", langs: ["en", "fr"], meta: { born: "1815" } }, empty: "", list: [{ a: "1" }, { a: "2" }], d: "2020-01-02T00:00:00.000Z" });
assert.strictEqual(({}).polluted, undefined);
console.log(JSON.stringify(qs.parse("?a=1;b=2", { ignoreQueryPrefix: true, delimiter: /[;,]/ })), JSON.stringify(qs.parse("a=%A7", { charset: "iso-8859-1" })));
console.log("ok qs");
