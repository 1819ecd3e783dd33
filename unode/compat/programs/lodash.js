// lodash: collections, objects, strings, functions (debounce/throttle on real timers), templates.
const assert = require("node:assert");
const _ = require("lodash");

const users = [
  { user: "barney", age: 36, active: true, tags: ["a", "b"] },
  { user: "fred", age: 40, active: false, tags: ["b"] },
  { user: "pebbles", age: 1, active: true, tags: [] },
];
console.log(JSON.stringify(_.groupBy(users, "active")));
console.log(JSON.stringify(_.sortBy(users, ["age"]).map((u) => u.user)), JSON.stringify(_.orderBy(users, ["active", "age"], ["desc", "asc"]).map((u) => u.user)));
console.log(JSON.stringify(_.partition(users, "active").map((g) => _.map(g, "user"))), _.sumBy(users, "age"), _.maxBy(users, "age").user);
console.log(JSON.stringify(_.chunk([1, 2, 3, 4, 5], 2)), JSON.stringify(_.zip(["a", "b"], [1, 2], [true])), JSON.stringify(_.uniqBy([2.1, 1.2, 2.3], Math.floor)));
console.log(JSON.stringify(_.merge({ a: [{ b: 2 }, { d: 4 }] }, { a: [{ c: 3 }, { e: 5 }] })), JSON.stringify(_.pick({ a: 1, b: "2", c: 3 }, ["a", "c"])));
const deep = { a: { b: [1, { c: new Date(0) }] } };
const clone = _.cloneDeep(deep);
assert.ok(_.isEqual(clone, deep) && clone.a.b[1] !== deep.a.b[1] && clone.a.b[1].c instanceof Date);
console.log(_.get(deep, "a.b[1].c").toISOString(), _.has(deep, ["a", "b", 0]), JSON.stringify(_.set({}, "x[0].y", 5)));
console.log(_.camelCase("Foo Bar-baz_qux"), _.kebabCase("fooBarBaz"), _.snakeCase("Foo Bar"), _.startCase("--foo-bar--"), _.capitalize("FRED"));
console.log(_.padStart("7", 3, "0"), _.truncate("hi-diddly-ho there, neighborino", { length: 24, separator: " " }), _.escape("<a href=\"x\">&</a>"));
console.log(_.template("hello <%= user %>! <% _.forEach(list, function(x) { %><li><%- x %></li><% }); %>")({ user: "fred", list: ["<b>", "c"] }));
console.log(JSON.stringify(_.range(0, 20, 5)), JSON.stringify(_.countBy(["one", "two", "three"], "length")), JSON.stringify(_.invert({ a: 1, b: 2 })));
const memo = _.memoize((n) => n * 2);
memo(2); memo(2);
assert.strictEqual(memo.cache.size, 1);
const curried = _.curry((a, b, c) => a + b + c);
assert.strictEqual(curried(1)(2)(3), 6);
console.log(_.flow([_.add, _.partial(_.multiply, 3)])(1, 2), _.isPlainObject(Object.create(null)), _.isTypedArray(new Uint8Array(1)), _.isBuffer(Buffer.alloc(1)));

let debounced = 0, throttled = 0;
const d = _.debounce(() => debounced++, 20);
const t = _.throttle(() => throttled++, 30, { trailing: true });
for (let i = 0; i < 5; i++) { d(); t(); }
setTimeout(() => {
  assert.strictEqual(debounced, 1);
  assert.strictEqual(throttled, 2);
  console.log("debounce", debounced, "throttle", throttled);
  console.log("ok lodash");
}, 100);
