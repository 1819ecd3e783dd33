// jsk:test — named tests and assertions, run by `jsk test`.
//
//   import { test, assert } from "jsk:test";
//   test("reads back what it wrote", async () => { assert.equal(await f(), 3); });
//
// Each *.test.js file runs in its own jsk process; tests run one after the
// other in the order they were declared. A test fails if it throws, if its
// promise rejects, or if it runs longer than its timeout.

import { inspect, writeAll } from "jsk:console";
import { setTimeout, clearTimeout } from "jsk:loop";

const registered = [];
let onlyMode = false;

/** Thrown by every assert helper; `actual`/`expected` are kept for reports. */
export class AssertionError extends Error {
  constructor(message, { actual, expected, operator } = {}) {
    super(message);
    this.name = "AssertionError";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
  }
}

/**
 * Declare a test. `fn` may be async. Options: `timeout` (ms, default 30000),
 * `skip` (boolean or reason), `only`.
 */
export function test(name, fn, options = {}) {
  if (typeof options === "function") [fn, options] = [options, fn ?? {}];
  if (typeof name !== "string") throw new TypeError("test: the name must be a string");
  if (typeof fn !== "function") throw new TypeError(`test "${name}": the body must be a function`);
  registered.push({ name, fn, timeout: options.timeout ?? 30000, skip: options.skip ?? false, only: !!options.only });
  if (options.only) onlyMode = true;
}
test.skip = (name, fn, options = {}) => test(name, fn, { ...options, skip: options.skip || true });
test.only = (name, fn, options = {}) => test(name, fn, { ...options, only: true });

// ---- assertions ----------------------------------------------------------

const show = (v, breakLength = 60) => inspect(v, { depth: 6, breakLength });

/** A line diff of two multi-line texts, "-" for expected and "+" for actual. */
function lineDiff(expected, actual) {
  const a = expected.split("\n"), b = actual.split("\n");
  const n = a.length, m = b.length;
  if (n * m > 250000) return `- ${expected}\n+ ${actual}`;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push(`  ${a[i]}`); i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.join("\n");
}

function fail(message, actual, expected, operator, diff) {
  let text = message;
  if (diff) text += `\n+ actual - expected\n\n${lineDiff(show(expected, 0), show(actual, 0))}`;
  throw new AssertionError(text, { actual, expected, operator });
}

function isDeepEqual(a, b, seen = new Map()) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (a instanceof ArrayBuffer) return isDeepEqual(new Uint8Array(a), new Uint8Array(b), seen);
  if (a instanceof DataView)
    return isDeepEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength), seen);
  if (ArrayBuffer.isView(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !isDeepEqual(v, b.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Reflect.ownKeys(a).filter((k) => Object.prototype.propertyIsEnumerable.call(a, k));
  const kb = Reflect.ownKeys(b).filter((k) => Object.prototype.propertyIsEnumerable.call(b, k));
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !isDeepEqual(a[k], b[k], seen)) return false;
  return true;
}

function matches(err, matcher) {
  if (matcher === undefined) return true;
  if (matcher instanceof RegExp) return matcher.test(String(err?.message ?? err));
  if (typeof matcher === "function") {
    if (matcher.prototype !== undefined && err instanceof matcher) return true;
    if (Error.isPrototypeOf(matcher) || matcher === Error) return false;
    return matcher(err) === true;
  }
  if (typeof matcher === "object" && matcher !== null) {
    return Object.entries(matcher).every(([k, v]) =>
      v instanceof RegExp && typeof err?.[k] === "string" ? v.test(err[k]) : isDeepEqual(err?.[k], v));
  }
  return false;
}

export const assert = {
  /** Fails unless `value` is truthy. */
  ok(value, message) {
    if (!value) fail(message ?? `expected a truthy value, got ${show(value)}`, value, true, "ok");
  },
  /** Fails unless Object.is(actual, expected). */
  equal(actual, expected, message) {
    if (!Object.is(actual, expected))
      fail(message ?? `expected ${show(actual)} to equal ${show(expected)}`, actual, expected, "equal");
  },
  notEqual(actual, expected, message) {
    if (Object.is(actual, expected))
      fail(message ?? `expected a value other than ${show(expected)}`, actual, expected, "notEqual");
  },
  /** Structural equality (own enumerable keys, prototypes, Maps, Sets, typed arrays); fails with a line diff. */
  deepEqual(actual, expected, message) {
    if (!isDeepEqual(actual, expected))
      fail(message ?? "expected values to be deeply equal:", actual, expected, "deepEqual", true);
  },
  notDeepEqual(actual, expected, message) {
    if (isDeepEqual(actual, expected))
      fail(message ?? `expected values not to be deeply equal: ${show(actual)}`, actual, expected, "notDeepEqual");
  },
  /** Fails unless `string` matches `regexp`. */
  match(string, regexp, message) {
    if (typeof string !== "string" || !regexp.test(string))
      fail(message ?? `expected ${show(string)} to match ${regexp}`, string, regexp, "match");
  },
  /** Fails unless `fn()` throws an error that fits `matcher` (class, RegExp, predicate or object of properties). Returns the error. */
  throws(fn, matcher, message) {
    try {
      fn();
    } catch (e) {
      if (!matches(e, matcher))
        fail(message ?? `the error thrown does not match ${show(matcher)}: ${show(e)}`, e, matcher, "throws");
      return e;
    }
    fail(message ?? "expected the function to throw", undefined, matcher, "throws");
  },
  /** As `throws`, for a promise or an async function. Resolves with the error. */
  async rejects(promiseOrFn, matcher, message) {
    try {
      await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
    } catch (e) {
      if (!matches(e, matcher))
        fail(message ?? `the rejection does not match ${show(matcher)}: ${show(e)}`, e, matcher, "rejects");
      return e;
    }
    fail(message ?? "expected the promise to reject", undefined, matcher, "rejects");
  },
  fail(message = "failed") { fail(message); },
};

export const { ok, equal, notEqual, deepEqual, notDeepEqual, match, throws, rejects } = assert;

// ---- running -------------------------------------------------------------

function withTimeout(promise, ms, name) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test "${name}" timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function indent(text) { return text.replace(/^/gm, "    "); }

function describe(e) {
  if (e instanceof Error) return e.stack ? `${e.name}: ${e.message}\n${e.stack.trimEnd()}` : `${e.name}: ${e.message}`;
  return `thrown: ${inspect(e)}`;
}

/** Run the tests this file declared; called by the host in `jsk test`. */
export async function runRegistered(file) {
  let passed = 0, failed = 0, skipped = 0;
  for (const t of registered.splice(0)) {
    if (t.skip || (onlyMode && !t.only)) {
      skipped++;
      writeAll(1, `skip ${file}: ${t.name}${typeof t.skip === "string" ? ` (${t.skip})` : ""}\n`);
      continue;
    }
    const start = performance.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeout, t.name);
      passed++;
      writeAll(1, `ok   ${file}: ${t.name} (${(performance.now() - start).toFixed(1)} ms)\n`);
    } catch (e) {
      failed++;
      writeAll(1, `FAIL ${file}: ${t.name}\n${indent(describe(e))}\n`);
    }
  }
  writeAll(1, `#jsk-test-summary passed=${passed} failed=${failed} skipped=${skipped}\n`);
}
