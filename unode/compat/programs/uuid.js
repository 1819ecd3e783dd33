// requires: node:crypto
// uuid: generate v1/v4/v5/v6/v7 ids, validate, parse/stringify, versions.
const assert = require("node:assert");
const uuid = require("uuid");

const ids = { v1: uuid.v1(), v4: uuid.v4(), v6: uuid.v6(), v7: uuid.v7() };
for (const [k, id] of Object.entries(ids)) {
  assert.ok(uuid.validate(id), id);
  assert.strictEqual(uuid.version(id), Number(k.slice(1)));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
}
const many = new Set(Array.from({ length: 1000 }, () => uuid.v4()));
assert.strictEqual(many.size, 1000);
const v7s = Array.from({ length: 50 }, () => uuid.v7());
assert.deepStrictEqual([...v7s].sort(), v7s, "v7 ids sort by time");
// Name-based ids are deterministic.
console.log(uuid.v5("hello.example.com", uuid.v5.DNS), uuid.v5("https://example.com/", uuid.v5.URL), uuid.v3("hello", uuid.v3.DNS));
console.log(uuid.v4({ random: Uint8Array.from({ length: 16 }, (_, i) => i * 17) }));
console.log(uuid.v1({ node: Uint8Array.of(1, 2, 3, 4, 5, 6), clockseq: 0x1234, msecs: Date.UTC(2020, 0, 1), nsecs: 5 }));
console.log(uuid.v7({ msecs: Date.UTC(2024, 5, 1), random: new Uint8Array(16).fill(0xab) }));
const bytes = uuid.parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
console.log(Array.from(bytes).join(","), uuid.stringify(bytes), uuid.NIL, uuid.MAX, uuid.validate("nope"), uuid.version(uuid.NIL));
console.log(uuid.v1ToV6("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), uuid.v6ToV1(uuid.v1ToV6("6ba7b810-9dad-11d1-80b4-00c04fd430c8")));
assert.throws(() => uuid.parse("xyz"), TypeError);
console.log("ok uuid");
