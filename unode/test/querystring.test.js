import { test, assert } from "jsk:test";
import qs, { parse, stringify, escape, unescape, unescapeBuffer, encode, decode } from "node:querystring";

const plain = (o) => JSON.parse(JSON.stringify(o));

test("parse: '+' as space, repeated keys as arrays, empty pieces, null prototype", () => {
  const r = parse("a=1&a=2&b=x+y&c&=d&e=%zz&f=%E9&g=%F0%9F%98%80");
  assert.equal(Object.getPrototypeOf(r), null);
  assert.deepEqual(plain(r), { a: ["1", "2"], b: "x y", c: "", "": "d", e: "%zz", f: "\ufffd", g: "\u{1f600}" });
  assert.deepEqual(plain(parse("a&&b=&=&=x")), { a: "", b: "", "": ["", "x"] });
  assert.deepEqual(plain(parse("a==b")), { a: "=b" });
  assert.deepEqual(plain(parse("a+b=c+d")), { "a b": "c d" });
  assert.deepEqual(plain(parse("a[]=1&a[]=2")), { "a[]": ["1", "2"] });
  assert.deepEqual(plain(parse("")), {});
  assert.deepEqual(plain(parse(5)), {});
  assert.deepEqual(plain(parse("b=%C3%28")), { b: "\ufffd(" });
});

test("parse: sep, eq, maxKeys, decodeURIComponent", () => {
  assert.deepEqual(plain(parse("a:1;b:2", ";", ":")), { a: "1", b: "2" });
  assert.deepEqual(plain(parse("a=b&&&c", "&&")), { a: "b", "&c": "" });
  assert.deepEqual(plain(parse("a=1&b=2&c=3", null, null, { maxKeys: 2 })), { a: "1", b: "2" });
  assert.equal(Object.keys(parse("a=1&".repeat(1500))).length, 1);
  assert.equal(parse(Array.from({ length: 1200 }, (_, i) => `k${i}=1`).join("&"), null, null, { maxKeys: 0 }).k1100, "1");
  assert.equal(Object.keys(parse(Array.from({ length: 1200 }, (_, i) => `k${i}=1`).join("&"))).length, 1000);
  assert.deepEqual(plain(parse("a=1&b=2", "&", "=", { decodeURIComponent: (s) => s.toUpperCase() })), { A: "1", B: "2" });
  // A decoder that throws falls back to the lenient unescape.
  assert.deepEqual(plain(parse("a=%zz&b=%41", null, null, { decodeURIComponent: () => { throw new Error("x"); } })), { a: "%zz", b: "A" });
  assert.equal(decode, parse);
  assert.equal(qs.decode, qs.parse);
});

test("stringify: arrays, primitives, separators, encoder", () => {
  assert.equal(stringify({ a: [1, 2], b: "x y", c: true, d: null, e: undefined, f: {}, g: NaN, h: 1n, "é": "é!*()~'" }),
    "a=1&a=2&b=x%20y&c=true&d=&e=&f=&g=&h=1&%C3%A9=%C3%A9!*()~'");
  assert.equal(stringify({ a: "b", c: "d" }, ";", ":"), "a:b;c:d");
  assert.equal(stringify({ a: 1 }, "", ""), "a=1");
  assert.equal(stringify({ a: "b" }, null, null, { encodeURIComponent: (s) => s.toUpperCase() }), "A=B");
  assert.equal(stringify({ a: [] }), "");
  assert.equal(stringify("x"), "");
  assert.equal(stringify(null), "");
  assert.equal(stringify([1, 2]), "0=1&1=2");
  assert.equal(encode, stringify);
  assert.equal(stringify(parse("w=%D6%D0%CE%C4&foo=bar")), "w=%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD&foo=bar");
});

test("escape, unescape, unescapeBuffer", () => {
  assert.equal(escape("a b/?é*"), "a%20b%2F%3F%C3%A9*");
  assert.equal(escape(5), "5");
  assert.equal(escape({}), "%5Bobject%20Object%5D");
  assert.throws(() => escape("\ud800"), (e) => e instanceof URIError && e.code === "ERR_INVALID_URI" && e.message === "URI malformed");
  assert.equal(unescape("a%20b"), "a b");
  assert.equal(unescape("a+b"), "a+b");
  assert.equal(unescape("a+b%zz", true), "a b%zz");
  assert.equal(unescape("é%zz"), "\ufffd%zz");
  const b = unescapeBuffer("a%20b%zz%4");
  assert.deepEqual([...b], [0x61, 0x20, 0x62, 0x25, 0x7a, 0x7a, 0x25, 0x34]);
  assert.deepEqual([...unescapeBuffer("a+b", true)], [0x61, 0x20, 0x62]);
  assert.deepEqual([...unescapeBuffer("%e9")], [0xe9]);
});
