// node:internal/structured_clone — structuredClone() for the data the HTML
// structured clone algorithm copies: primitives, plain objects and arrays,
// Date, RegExp, Map, Set, ArrayBuffer and views, Error types, boxed
// primitives, with cycles and shared references kept. Functions, symbols,
// class instances' prototypes and DOM-only types are refused or dropped as
// the algorithm says. `transfer` detaches the listed ArrayBuffers.

function dataCloneError(message) {
  const DOMException = globalThis.DOMException;
  if (typeof DOMException === "function") return new DOMException(message, "DataCloneError");
  const e = new Error(message);
  e.name = "DataCloneError";
  return e;
}

const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

function cloneValue(v, seen, transferred) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) {
    if (typeof v === "symbol") throw dataCloneError(`${String(v)} could not be cloned.`);
    return v;
  }
  if (typeof v === "function") throw dataCloneError(`${v.toString().slice(0, 60)} could not be cloned.`);
  if (seen.has(v)) return seen.get(v);
  let out;
  if (Array.isArray(v)) {
    out = new Array(v.length);
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k], seen, transferred);
    return out;
  }
  if (v instanceof Date) out = new Date(v.getTime());
  else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
  else if (v instanceof ArrayBuffer) {
    out = transferred.get(v) ?? v.slice(0);
  } else if (ArrayBuffer.isView(v)) {
    const buffer = cloneValue(v.buffer, seen, transferred);
    out = v instanceof DataView ? new DataView(buffer, v.byteOffset, v.byteLength)
      : new (typedArrayCtor(v))(buffer, v.byteOffset, v.length);
  } else if (v instanceof Map) {
    out = new Map();
    seen.set(v, out);
    for (const [k, val] of v) out.set(cloneValue(k, seen, transferred), cloneValue(val, seen, transferred));
    return out;
  } else if (v instanceof Set) {
    out = new Set();
    seen.set(v, out);
    for (const k of v) out.add(cloneValue(k, seen, transferred));
    return out;
  } else if (v instanceof Error) {
    const Ctor = ERRORS[v.name] ?? Error;
    out = new Ctor(v.message);
    seen.set(v, out);
    if (v.stack !== undefined) out.stack = v.stack;
    if ("cause" in v) out.cause = cloneValue(v.cause, seen, transferred);
    return out;
  } else if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt) {
    out = Object(v.valueOf());
  } else if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) {
    throw dataCloneError(`#<${v.constructor.name}> could not be cloned.`);
  } else {
    out = {};
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k], seen, transferred);
    return out;
  }
  seen.set(v, out);
  return out;
}

/** The typed array constructor of `view` (Buffer and other subclasses clone as their base type). */
function typedArrayCtor(view) {
  let proto = Object.getPrototypeOf(view);
  while (proto && Object.getPrototypeOf(proto) !== Object.getPrototypeOf(Uint8Array.prototype)) proto = Object.getPrototypeOf(proto);
  return proto ? proto.constructor : Uint8Array;
}

export function structuredClone(value, options) {
  if (arguments.length === 0) {
    const e = new TypeError("The \"value\" argument must be specified");
    e.code = "ERR_MISSING_ARGS";
    throw e;
  }
  const transferred = new Map();
  for (const item of options?.transfer ?? []) {
    if (!(item instanceof ArrayBuffer)) throw dataCloneError("Value not transferable");
    if (transferred.has(item)) throw dataCloneError("ArrayBuffer transferred more than once");
    transferred.set(item, null);
  }
  // Transfer: the clone takes the bytes, the original is detached.
  for (const item of transferred.keys()) transferred.set(item, item.transfer());
  return cloneValue(value, new Map(), transferred);
}

export default structuredClone;
