// object-inspect: a util.inspect look-alike that leans on many engine details (symbols, getters, boxed primitives, Maps, errors).
const inspect = require("object-inspect");
class Foo { constructor() { this.x = 1; } }
const circ = { a: 1 };
circ.self = circ;
const err = new RangeError("bad");
err.code = "E_BAD";
const values = [
  1, -0, 10n, "str'q", Symbol("s"), null, undefined, [1, [2, [3, [4, [5]]]]], { a: { b: { c: { d: {} } } } },
  new Map([[1, "a"], [{ k: 1 }, [2]]]), new Set([1, "x"]), new WeakMap(), new Foo(), circ, err,
  /re/gi, function named() {}, () => {}, class K {}, Object(1), Object("s"), Object(true), Object(Symbol.iterator),
  Object.assign([1, 2], { extra: true }), Object.create(null), { [Symbol("k")]: 1, "a-b": 2 }, new Uint8Array([1, 2]),
  Buffer.from("hi"), new Array(3), Promise.resolve(1),
];
for (const v of values) console.log(inspect(v));
// (a Date prints through Date.prototype.toString, whose "(Coordinated Universal Time)" suffix QuickJS lacks)
console.log(inspect({ a: [1, 2], b: "x".repeat(10) }, { indent: 2, maxStringLength: 4 }));
console.log(inspect(Array.from({ length: 30 }, (_, i) => i), { depth: 1 }));
console.log("ok object-inspect");
