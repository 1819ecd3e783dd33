// fast-deep-equal: plain and ES6 (Map, Set, typed arrays) deep equality.
const assert = require("node:assert");
const equal = require("fast-deep-equal");
const equal6 = require("fast-deep-equal/es6");
const cases = [
  [{ a: [1, { b: 2 }], c: "x" }, { c: "x", a: [1, { b: 2 }] }],
  [{ a: 1 }, { a: 1, b: undefined }],
  [[1, 2], [2, 1]],
  [new Date(5), new Date(5)],
  [/a/g, /a/g],
  [/a/g, /a/i],
  [NaN, NaN],
  [null, undefined],
  [Object.create(null), {}],
];
for (const [a, b] of cases) console.log(equal(a, b));
console.log(equal6(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])), equal6(new Set([1, 2]), new Set([2, 1])), equal6(new Set([1]), new Set([2])));
console.log(equal6(new Uint8Array([1, 2]), new Uint8Array([1, 2])), equal6(new Uint8Array([1, 2]), new Uint8Array([1, 3])), equal6(Buffer.from("ab"), Buffer.from("ab")));
assert.ok(equal6({ m: new Map([["k", new Set([1])]]) }, { m: new Map([["k", new Set([1])]]) }));
console.log("ok fast-deep-equal");
