// node:internal/util/types — util.types: brand checks that look at the
// internal slots (through built-in getters and methods called in try/catch)
// rather than at Symbol.toStringTag, so objects that fake their tag are not
// taken for what they claim to be.
//
// Not knowable from JavaScript in QuickJS: isProxy and isExternal (always
// false). isPromise, isGeneratorObject, the iterator checks and
// isModuleNamespaceObject rely on the prototype chain and the tag.

const objToString = Object.prototype.toString;
const getPrototypeOf = Object.getPrototypeOf;
const getDesc = Object.getOwnPropertyDescriptor;

const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getDesc(TypedArrayPrototype, Symbol.toStringTag).get;
const arrayBufferByteLength = getDesc(ArrayBuffer.prototype, "byteLength").get;
const sharedArrayBufferByteLength = typeof SharedArrayBuffer === "function"
  ? getDesc(SharedArrayBuffer.prototype, "byteLength").get : undefined;
const dataViewByteLength = getDesc(DataView.prototype, "byteLength").get;
const mapSize = getDesc(Map.prototype, "size").get;
const setSize = getDesc(Set.prototype, "size").get;
const regExpSource = getDesc(RegExp.prototype, "source").get;
const dateGetTime = Date.prototype.getTime;
const weakMapHas = WeakMap.prototype.has;
const weakSetHas = WeakSet.prototype.has;
const weakRefDeref = typeof WeakRef === "function" ? WeakRef.prototype.deref : undefined;

const AsyncFunctionPrototype = getPrototypeOf(async function () {});
const GeneratorFunctionPrototype = getPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype = getPrototypeOf(async function* () {});
const GeneratorPrototype = GeneratorFunctionPrototype.prototype;
const AsyncGeneratorPrototype = AsyncGeneratorFunctionPrototype.prototype;
const MapIteratorPrototype = getPrototypeOf(new Map().entries());
const SetIteratorPrototype = getPrototypeOf(new Set().values());

function isObjectLike(v) {
  return v !== null && (typeof v === "object" || typeof v === "function");
}

function brand(fn, v) {
  if (!isObjectLike(v)) return false;
  try {
    fn.call(v);
    return true;
  } catch {
    return false;
  }
}

// The built-in tag (Error, Arguments, ...) that Object.prototype.toString
// computes from the internal slots, when no string Symbol.toStringTag hides it.
function builtinTag(v) {
  let tag;
  try { tag = v[Symbol.toStringTag]; } catch { return undefined; }
  if (typeof tag === "string") return undefined;
  return objToString.call(v);
}

/** The name of a typed array's kind ("Uint8Array"), or undefined. */
export function typedArrayName(v) {
  return typedArrayTag.call(v);
}

export const isTypedArray = (v) => typedArrayTag.call(v) !== undefined;
export const isUint8Array = (v) => typedArrayTag.call(v) === "Uint8Array";
export const isUint8ClampedArray = (v) => typedArrayTag.call(v) === "Uint8ClampedArray";
export const isUint16Array = (v) => typedArrayTag.call(v) === "Uint16Array";
export const isUint32Array = (v) => typedArrayTag.call(v) === "Uint32Array";
export const isInt8Array = (v) => typedArrayTag.call(v) === "Int8Array";
export const isInt16Array = (v) => typedArrayTag.call(v) === "Int16Array";
export const isInt32Array = (v) => typedArrayTag.call(v) === "Int32Array";
export const isFloat32Array = (v) => typedArrayTag.call(v) === "Float32Array";
export const isFloat64Array = (v) => typedArrayTag.call(v) === "Float64Array";
export const isBigInt64Array = (v) => typedArrayTag.call(v) === "BigInt64Array";
export const isBigUint64Array = (v) => typedArrayTag.call(v) === "BigUint64Array";

export const isArrayBuffer = (v) => brand(arrayBufferByteLength, v);
export const isSharedArrayBuffer = (v) => sharedArrayBufferByteLength !== undefined && brand(sharedArrayBufferByteLength, v);
export const isAnyArrayBuffer = (v) => isArrayBuffer(v) || isSharedArrayBuffer(v);
export const isArrayBufferView = (v) => ArrayBuffer.isView(v);
export const isDataView = (v) => brand(dataViewByteLength, v);

export const isMap = (v) => brand(mapSize, v);
export const isSet = (v) => brand(setSize, v);
export const isWeakMap = (v) => {
  if (!isObjectLike(v)) return false;
  try { weakMapHas.call(v, {}); return true; } catch { return false; }
};
export const isWeakSet = (v) => {
  if (!isObjectLike(v)) return false;
  try { weakSetHas.call(v, {}); return true; } catch { return false; }
};
export const isWeakRef = (v) => weakRefDeref !== undefined && brand(weakRefDeref, v);
export const isDate = (v) => brand(dateGetTime, v);
export const isRegExp = (v) => v !== RegExp.prototype && brand(regExpSource, v);

export const isNumberObject = (v) => typeof v === "object" && brand(Number.prototype.valueOf, v);
export const isStringObject = (v) => typeof v === "object" && brand(String.prototype.valueOf, v);
export const isBooleanObject = (v) => typeof v === "object" && brand(Boolean.prototype.valueOf, v);
export const isBigIntObject = (v) => typeof v === "object" && brand(BigInt.prototype.valueOf, v);
export const isSymbolObject = (v) => typeof v === "object" && brand(Symbol.prototype.valueOf, v);
export const isBoxedPrimitive = (v) =>
  isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v);

export const isAsyncFunction = (v) => {
  if (typeof v !== "function") return false;
  const p = getPrototypeOf(v);
  return p === AsyncFunctionPrototype || p === AsyncGeneratorFunctionPrototype;
};
export const isGeneratorFunction = (v) => {
  if (typeof v !== "function") return false;
  const p = getPrototypeOf(v);
  return p === GeneratorFunctionPrototype || p === AsyncGeneratorFunctionPrototype;
};
export const isGeneratorObject = (v) => {
  if (!isObjectLike(v)) return false;
  try {
    return GeneratorPrototype.isPrototypeOf(v) || AsyncGeneratorPrototype.isPrototypeOf(v);
  } catch {
    return false;
  }
};
export const isMapIterator = (v) => {
  if (!isObjectLike(v)) return false;
  try { return MapIteratorPrototype.isPrototypeOf(v) && objToString.call(v) === "[object Map Iterator]"; } catch { return false; }
};
export const isSetIterator = (v) => {
  if (!isObjectLike(v)) return false;
  try { return SetIteratorPrototype.isPrototypeOf(v) && objToString.call(v) === "[object Set Iterator]"; } catch { return false; }
};

export const isPromise = (v) => {
  if (!isObjectLike(v)) return false;
  try {
    if (!(v instanceof Promise)) return false;
    const tag = builtinTag(v);
    return tag === undefined ? objToString.call(v) === "[object Promise]" : tag === "[object Promise]";
  } catch {
    return false;
  }
};

export const isNativeError = (v) => {
  if (!isObjectLike(v)) return false;
  const tag = builtinTag(v);
  if (tag !== undefined) return tag === "[object Error]";
  // A string Symbol.toStringTag hides the built-in tag: fall back to the chain.
  try { return v instanceof Error && Object.prototype.hasOwnProperty.call(v, "stack"); } catch { return false; }
};

export const isArgumentsObject = (v) => {
  if (!isObjectLike(v)) return false;
  return builtinTag(v) === "[object Arguments]";
};

export const isModuleNamespaceObject = (v) => {
  if (!isObjectLike(v) || getPrototypeOf(v) !== null || Object.isExtensible(v)) return false;
  const d = getDesc(v, Symbol.toStringTag);
  return d !== undefined && d.value === "Module" && d.writable === false && d.enumerable === false && d.configurable === false;
};

export const isProxy = () => false;
export const isExternal = () => false;
export const isKeyObject = () => false;
export const isCryptoKey = () => false;

const types = {
  isExternal, isDate, isArgumentsObject, isBigIntObject, isBooleanObject, isNumberObject,
  isStringObject, isSymbolObject, isNativeError, isRegExp, isAsyncFunction, isGeneratorFunction,
  isGeneratorObject, isPromise, isMap, isSet, isMapIterator, isSetIterator, isWeakMap, isWeakSet,
  isArrayBuffer, isDataView, isSharedArrayBuffer, isProxy, isModuleNamespaceObject,
  isAnyArrayBuffer, isBoxedPrimitive, isArrayBufferView, isTypedArray, isUint8Array,
  isUint8ClampedArray, isUint16Array, isUint32Array, isInt8Array, isInt16Array, isInt32Array,
  isFloat32Array, isFloat64Array, isBigInt64Array, isBigUint64Array, isKeyObject, isCryptoKey,
};

export default types;
