// node:assert/strict — assert.strict: equal, deepEqual, notEqual and
// notDeepEqual are the strict comparisons.
import assert from "node:assert";

const strict = assert.strict;
export const {
  fail, AssertionError, ok, equal, notEqual, deepEqual, notDeepEqual, deepStrictEqual, notDeepStrictEqual,
  strictEqual, notStrictEqual, throws, rejects, doesNotThrow, doesNotReject, ifError, match,
  doesNotMatch, CallTracker,
} = strict;
export { strict };
export default strict;
