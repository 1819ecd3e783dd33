// requires: node:crypto
// nanoid 5 (ESM only): random ids of the URL-safe alphabet, custom alphabets and sizes, the non-secure variant.
import assert from "node:assert";
import { nanoid, customAlphabet, customRandom, urlAlphabet, random } from "nanoid";
import { nanoid as weak } from "nanoid/non-secure";

const id = nanoid();
assert.match(id, /^[A-Za-z0-9_-]{21}$/);
assert.strictEqual(nanoid(10).length, 10);
const ids = new Set(Array.from({ length: 2000 }, () => nanoid()));
assert.strictEqual(ids.size, 2000);
const hex = customAlphabet("0123456789abcdef", 12);
assert.match(hex(), /^[0-9a-f]{12}$/);
assert.match(weak(), /^[A-Za-z0-9_-]{21}$/);
const bytes = random(8);
assert.strictEqual(bytes.length, 8);
// A fixed "random" source makes the output deterministic.
let seed = 1;
const fixed = customRandom("abcdef", 10, (size) => new Uint8Array(size).map(() => (seed = (seed * 48271) % 2147483647) & 255));
console.log(urlAlphabet.length, fixed(), fixed());
console.log("ok nanoid");
