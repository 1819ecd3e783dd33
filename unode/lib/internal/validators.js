// node:internal/validators — argument checks with Node's error codes, shared
// by the unode modules. Each throws the error Node throws for the same input.

import { codes } from "node:internal/errors";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } = codes;

export function validateString(value, name) {
  if (typeof value !== "string") throw ERR_INVALID_ARG_TYPE(name, "string", value);
}

export function validateFunction(value, name) {
  if (typeof value !== "function") throw ERR_INVALID_ARG_TYPE(name, "Function", value);
}

export function validateBoolean(value, name) {
  if (typeof value !== "boolean") throw ERR_INVALID_ARG_TYPE(name, "boolean", value);
}

/** A plain object (not null; arrays and functions only when allowed). */
export function validateObject(value, name, { allowArray = false, allowFunction = false, nullable = false } = {}) {
  const ok = (nullable && value === null) ||
    (value !== null && (typeof value === "object" || (allowFunction && typeof value === "function")) &&
      (allowArray || !Array.isArray(value)));
  if (!ok) throw ERR_INVALID_ARG_TYPE(name, "Object", value);
}

export function validateNumber(value, name, min, max) {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if ((min != null && value < min) || (max != null && value > max) || ((min != null || max != null) && Number.isNaN(value))) {
    const range = min != null && max != null ? `>= ${min} && <= ${max}` : min != null ? `>= ${min}` : `<= ${max}`;
    throw ERR_OUT_OF_RANGE(name, range, value);
  }
}

/** An integer Number in [min, max] (default: the safe integers). */
export function validateInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if (!Number.isInteger(value)) throw ERR_OUT_OF_RANGE(name, "an integer", value);
  if (value < min || value > max) throw ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
}

export function validateInt32(value, name, min = -2147483648, max = 2147483647) {
  validateInteger(value, name, min, max);
}

export function validateUint32(value, name, positive = false) {
  validateInteger(value, name, positive ? 1 : 0, 4294967295);
}

export function validateOneOf(value, name, allowed) {
  if (!allowed.includes(value)) {
    const list = allowed.map((v) => (typeof v === "string" ? `'${v}'` : String(v))).join(", ");
    throw ERR_INVALID_ARG_VALUE(name, value, `must be one of: ${list}`);
  }
}

export function validateArray(value, name, minLength = 0) {
  if (!Array.isArray(value)) throw ERR_INVALID_ARG_TYPE(name, "Array", value);
  if (value.length < minLength) throw ERR_INVALID_ARG_VALUE(name, value, `must be longer than ${minLength}`);
}

export function validateAbortSignal(signal, name) {
  if (signal !== undefined && (signal === null || typeof signal !== "object" || !("aborted" in signal))) {
    throw ERR_INVALID_ARG_TYPE(name, "AbortSignal", signal);
  }
}

/** A Buffer, TypedArray or DataView. */
export function validateBufferSource(value, name) {
  if (!ArrayBuffer.isView(value)) throw ERR_INVALID_ARG_TYPE(name, ["Buffer", "TypedArray", "DataView"], value);
}
