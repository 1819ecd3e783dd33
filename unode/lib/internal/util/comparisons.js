// node:internal/util/comparisons — the deep equality of assert.deepEqual
// (loose), assert.deepStrictEqual and util.isDeepStrictEqual, following the
// rules Node documents: same [[Prototype]] and -0 ≠ 0 in strict mode, own
// enumerable keys (and enumerable symbols in strict mode), Maps and Sets
// unordered with deep keys, typed arrays and ArrayBuffers byte-wise, Dates by
// time, RegExps by source/flags/lastIndex, boxed primitives by value, Errors by
// name/message/cause and own keys, cycles through a memo of visited pairs.

import * as T from "node:internal/util/types";

const hasOwn = Object.prototype.hasOwnProperty;
const propIsEnum = Object.prototype.propertyIsEnumerable;
const objToString = Object.prototype.toString;

const kNoIterator = 0;
const kIsArray = 1;
const kIsSet = 2;
const kIsMap = 3;

export function isDeepEqual(a, b) {
  return innerDeepEqual(a, b, false, undefined);
}

export function isDeepStrictEqual(a, b) {
  return innerDeepEqual(a, b, true, undefined);
}

function isIndex(k) {
  return /^(0|[1-9][0-9]*)$/.test(k) && +k < 4294967295;
}

function nonIndexKeys(obj, strict) {
  const out = [];
  for (const k of Object.keys(obj)) if (!isIndex(k)) out.push(k);
  if (strict) for (const s of Object.getOwnPropertySymbols(obj)) if (propIsEnum.call(obj, s)) out.push(s);
  return out;
}

function innerDeepEqual(a, b, strict, memos) {
  if (a === b) return a !== 0 || !strict || Object.is(a, b);
  if (strict) {
    if (typeof a !== "object") return typeof a === "number" && Number.isNaN(a) && Number.isNaN(b);
    if (typeof b !== "object" || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  } else {
    if (a === null || typeof a !== "object") {
      if (b === null || typeof b !== "object") {
        // eslint-disable-next-line eqeqeq
        return a == b || (Number.isNaN(a) && Number.isNaN(b));
      }
      return false;
    }
    if (b === null || typeof b !== "object") return false;
  }
  const aTag = objToString.call(a);
  const bTag = objToString.call(b);
  if (aTag !== bTag) return false;

  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    const ka = nonIndexKeys(a, strict);
    const kb = nonIndexKeys(b, strict);
    if (ka.length !== kb.length) return false;
    return keyCheck(a, b, strict, memos, kIsArray, ka);
  }
  if (aTag === "[object Object]" && !T.isBoxedPrimitive(a) && !T.isNativeError(a) && !(a instanceof Error) &&
      !T.isMap(a) && !T.isSet(a) && !T.isDate(a) && !T.isRegExp(a) && !ArrayBuffer.isView(a) && !T.isAnyArrayBuffer(a)) {
    if (T.isBoxedPrimitive(b) || T.isMap(b) || T.isSet(b) || T.isDate(b) || T.isRegExp(b) || ArrayBuffer.isView(b) ||
        T.isAnyArrayBuffer(b) || T.isNativeError(b) || b instanceof Error) return false;
    return keyCheck(a, b, strict, memos, kNoIterator);
  }
  if (T.isDate(a)) {
    if (!T.isDate(b) || Date.prototype.getTime.call(a) !== Date.prototype.getTime.call(b)) return false;
  } else if (T.isRegExp(a)) {
    if (!T.isRegExp(b) || a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
  } else if (T.isNativeError(a) || a instanceof Error) {
    if ((!T.isNativeError(b) && !(b instanceof Error)) || a.message !== b.message || a.name !== b.name) return false;
    const aCause = hasOwn.call(a, "cause");
    if (aCause !== hasOwn.call(b, "cause") || (aCause && !innerDeepEqual(a.cause, b.cause, strict, memos))) return false;
    const aErrors = hasOwn.call(a, "errors");
    if (aErrors !== hasOwn.call(b, "errors") || (aErrors && !innerDeepEqual(a.errors, b.errors, strict, memos))) return false;
  } else if (ArrayBuffer.isView(a)) {
    if (!ArrayBuffer.isView(b)) return false;
    if (T.isTypedArray(a) && T.typedArrayName(a) !== T.typedArrayName(b)) return false;
    if (!strict && (T.isFloat32Array(a) || T.isFloat64Array(a))) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    } else if (!sameBytes(a, b)) {
      return false;
    }
    const ka = nonIndexKeys(a, strict);
    const kb = nonIndexKeys(b, strict);
    if (ka.length !== kb.length) return false;
    return keyCheck(a, b, strict, memos, kNoIterator, ka);
  } else if (T.isSet(a)) {
    if (!T.isSet(b) || a.size !== b.size) return false;
    return keyCheck(a, b, strict, memos, kIsSet);
  } else if (T.isMap(a)) {
    if (!T.isMap(b) || a.size !== b.size) return false;
    return keyCheck(a, b, strict, memos, kIsMap);
  } else if (T.isAnyArrayBuffer(a)) {
    if (!T.isAnyArrayBuffer(b) || !sameBytes(new Uint8Array(a), new Uint8Array(b))) return false;
  } else if (T.isBoxedPrimitive(a)) {
    if (!equalBoxed(a, b)) return false;
  } else if (Array.isArray(b) || ArrayBuffer.isView(b) || T.isSet(b) || T.isMap(b) || T.isDate(b) || T.isRegExp(b) ||
      T.isAnyArrayBuffer(b) || T.isBoxedPrimitive(b) || T.isNativeError(b) || b instanceof Error) {
    return false;
  }
  return keyCheck(a, b, strict, memos, kNoIterator);
}

function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function equalBoxed(a, b) {
  if (T.isNumberObject(a)) return T.isNumberObject(b) && Object.is(Number.prototype.valueOf.call(a), Number.prototype.valueOf.call(b));
  if (T.isStringObject(a)) return T.isStringObject(b) && String.prototype.valueOf.call(a) === String.prototype.valueOf.call(b);
  if (T.isBooleanObject(a)) return T.isBooleanObject(b) && Boolean.prototype.valueOf.call(a) === Boolean.prototype.valueOf.call(b);
  if (T.isBigIntObject(a)) return T.isBigIntObject(b) && BigInt.prototype.valueOf.call(a) === BigInt.prototype.valueOf.call(b);
  if (T.isSymbolObject(a)) return T.isSymbolObject(b) && Symbol.prototype.valueOf.call(a) === Symbol.prototype.valueOf.call(b);
  return false;
}

function keyCheck(a, b, strict, memos, iterationType, aKeys) {
  const explicitKeys = aKeys !== undefined;
  if (!explicitKeys) {
    aKeys = Object.keys(a);
    const bKeys = Object.keys(b);
    if (aKeys.length !== bKeys.length) return false;
  }
  for (let i = 0; i < aKeys.length; i++) {
    if (typeof aKeys[i] === "string" ? !propIsEnum.call(b, aKeys[i]) : !propIsEnum.call(b, aKeys[i])) return false;
  }
  if (strict && !explicitKeys) {
    const aSyms = Object.getOwnPropertySymbols(a);
    let count = 0;
    for (const s of aSyms) {
      if (propIsEnum.call(a, s)) {
        if (!propIsEnum.call(b, s)) return false;
        aKeys.push(s);
        count++;
      } else if (propIsEnum.call(b, s)) {
        return false;
      }
    }
    let bCount = 0;
    for (const s of Object.getOwnPropertySymbols(b)) if (propIsEnum.call(b, s)) bCount++;
    if (count !== bCount) return false;
  }
  if (aKeys.length === 0 &&
      (iterationType === kNoIterator || (iterationType === kIsArray && a.length === 0) || a.size === 0)) {
    return true;
  }
  if (memos === undefined) {
    memos = { a: new Map(), b: new Map(), position: 0 };
  } else {
    const pa = memos.a.get(a);
    if (pa !== undefined) {
      const pb = memos.b.get(b);
      if (pb !== undefined) return pa === pb;
    }
    memos.position++;
  }
  memos.a.set(a, memos.position);
  memos.b.set(b, memos.position);
  const eq = objEquiv(a, b, strict, aKeys, memos, iterationType);
  memos.a.delete(a);
  memos.b.delete(b);
  return eq;
}

function objEquiv(a, b, strict, keys, memos, iterationType) {
  if (iterationType === kIsSet) {
    if (!setEquiv(a, b, strict, memos)) return false;
  } else if (iterationType === kIsMap) {
    if (!mapEquiv(a, b, strict, memos)) return false;
  } else if (iterationType === kIsArray) {
    for (let i = 0; i < a.length; i++) {
      if (hasOwn.call(a, i)) {
        if (!hasOwn.call(b, i) || !innerDeepEqual(a[i], b[i], strict, memos)) return false;
      } else if (hasOwn.call(b, i)) {
        return false;
      }
    }
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!innerDeepEqual(a[key], b[key], strict, memos)) return false;
  }
  return true;
}

function isPrimitive(v) {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

function setEquiv(a, b, strict, memos) {
  let unmatched = null;
  for (const v of a) {
    if (b.has(v)) continue;
    if (strict && isPrimitive(v)) return false;
    (unmatched ??= []).push(v);
  }
  if (unmatched === null) return true;
  const candidates = [];
  for (const v of b) {
    if (!a.has(v)) {
      if (strict && isPrimitive(v)) return false;
      candidates.push(v);
    }
  }
  for (const v of unmatched) {
    let found = -1;
    for (let i = 0; i < candidates.length; i++) {
      if (innerDeepEqual(v, candidates[i], strict, memos)) { found = i; break; }
    }
    if (found === -1) return false;
    candidates.splice(found, 1);
  }
  return candidates.length === 0;
}

function mapEquiv(a, b, strict, memos) {
  let unmatched = null;
  for (const [k, v] of a) {
    if (isPrimitive(k)) {
      if (b.has(k) && innerDeepEqual(v, b.get(k), strict, memos)) continue;
      if (strict) return false;
    } else if (b.has(k) && innerDeepEqual(v, b.get(k), strict, memos)) {
      continue;
    }
    (unmatched ??= []).push([k, v]);
  }
  if (unmatched === null) return true;
  const candidates = [];
  for (const [k, v] of b) {
    if (!a.has(k) || !isPrimitive(k) || !innerDeepEqual(a.get(k), v, strict, memos)) {
      if (!a.has(k) || !innerDeepEqual(a.get(k), v, strict, memos)) candidates.push([k, v]);
    }
  }
  for (const [k, v] of unmatched) {
    let found = -1;
    for (let i = 0; i < candidates.length; i++) {
      const [k2, v2] = candidates[i];
      if (innerDeepEqual(k, k2, strict, memos) && innerDeepEqual(v, v2, strict, memos)) { found = i; break; }
    }
    if (found === -1) return false;
    candidates.splice(found, 1);
  }
  return candidates.length === 0;
}
