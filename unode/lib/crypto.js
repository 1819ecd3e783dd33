// node:crypto — random numbers over getrandom(2), hashes (md5, sha1, sha2),
// HMAC, PBKDF2, HKDF and scrypt in JavaScript (node:internal/crypto/*), with
// Node's argument checks and errors. Ciphers, signatures, key objects and
// Diffie-Hellman are not implemented: they throw ERR_NOT_IMPLEMENTED.
// webcrypto has getRandomValues, randomUUID and subtle.digest only.
//
// The key derivations run synchronously even in their callback forms (the
// result is delivered on a later turn of the loop): there is no thread pool.

import { Buffer } from "node:buffer";
import { codes, nodeError, describeReceived } from "node:internal/errors";
import { validateFunction, validateInteger, validateInt32, validateNumber, validateObject, validateString, validateUint32 } from "node:internal/validators";
import { Transform } from "node:stream";
import { nextTick } from "node:internal/process/tick";
import { DOMException } from "node:internal/abort_controller";
import { encodeUtf8 } from "jsk:native";
import { Digest, lookup, hashNames } from "node:internal/crypto/hashes";
import { HmacCore, pbkdf2Bytes, hkdfBytes, scryptBytes } from "node:internal/crypto/kdf";
import { fillRandom, random48, uuid4 } from "node:internal/crypto/random";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, ERR_NOT_IMPLEMENTED } = codes;

const ERR_CRYPTO_HASH_FINALIZED = () => nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
const ERR_CRYPTO_HASH_UPDATE_FAILED = () => nodeError(Error, "ERR_CRYPTO_HASH_UPDATE_FAILED", "Hash update failed");
const ERR_CRYPTO_INVALID_DIGEST = (d) => nodeError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${d}`);
const ERR_CRYPTO_INVALID_KEYLEN = () => nodeError(RangeError, "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length");
const ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH = () =>
  nodeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
const ERR_CRYPTO_INVALID_SCRYPT_PARAMS = (why) =>
  nodeError(RangeError, "ERR_CRYPTO_INVALID_SCRYPT_PARAMS", `Invalid scrypt params${why ? `: ${why}` : ""}`);

const BUFFER_TYPES = ["string", "Buffer", "TypedArray", "DataView"];
const BINARY_TYPES = ["string", "ArrayBuffer", "Buffer", "TypedArray", "DataView"];

// ---- byte helpers -----------------------------------------------------------------

function viewBytes(v) {
  return v instanceof Uint8Array && v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** string | ArrayBufferView → Uint8Array, as Hash#update takes data. */
function dataBytes(data, encoding, name) {
  if (typeof data === "string") {
    if (encoding === undefined || encoding === "utf8" || encoding === "utf-8" || encoding === "buffer") return encodeUtf8(data);
    if (encoding === "hex" && (data.length & 1) !== 0) {
      throw ERR_INVALID_ARG_VALUE("encoding", encoding, `is invalid for data of length ${data.length}`);
    }
    return viewBytes(Buffer.from(data, Buffer.isEncoding(encoding) ? encoding : "utf8"));
  }
  if (ArrayBuffer.isView(data)) return viewBytes(data);
  throw ERR_INVALID_ARG_TYPE(name, BUFFER_TYPES, data);
}

/** Keys, passwords, salts: string, ArrayBuffer or view → Uint8Array. */
function binaryBytes(v, name, encoding) {
  if (typeof v === "string") return encoding && encoding !== "utf8" ? viewBytes(Buffer.from(v, encoding)) : encodeUtf8(v);
  if (ArrayBuffer.isView(v)) return viewBytes(v);
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer)) return new Uint8Array(v);
  if (v && typeof v === "object" && v.type === "secret" && typeof v.export === "function") return viewBytes(v.export());
  throw ERR_INVALID_ARG_TYPE(name, BINARY_TYPES, v);
}

function asBuffer(u8) { return Buffer.from(u8.buffer, u8.byteOffset, u8.length); }

function encodeOutput(u8, encoding) {
  const buf = asBuffer(u8);
  return encoding === undefined || encoding === "buffer" || !Buffer.isEncoding(encoding) ? buf : buf.toString(encoding);
}

function digestSpec(algorithm, name = "algorithm") {
  validateString(algorithm, name);
  return lookup(algorithm);
}

// ---- LazyTransform: the stream machinery is built on first use ----------------------

function LazyTransform(options) { this._options = options; }
Object.setPrototypeOf(LazyTransform.prototype, Transform.prototype);
Object.setPrototypeOf(LazyTransform, Transform);
for (const prop of ["_readableState", "_writableState", "_transformState"]) {
  Object.defineProperty(LazyTransform.prototype, prop, {
    configurable: true,
    enumerable: true,
    get() {
      Transform.call(this, this._options);
      this._writableState.decodeStrings = false;
      return this[prop];
    },
    set(v) { Object.defineProperty(this, prop, { value: v, enumerable: true, configurable: true, writable: true }); },
  });
}

// ---- Hash ------------------------------------------------------------------------

const kDigest = Symbol("kDigest");
const kFinalized = Symbol("kFinalized");

export function Hash(algorithm, options) {
  if (!(this instanceof Hash)) return new Hash(algorithm, options);
  let digest;
  if (algorithm instanceof Digest) {
    digest = algorithm; // copy()
  } else {
    const spec = digestSpec(algorithm);
    if (options !== undefined && options !== null) validateObject(options, "options");
    if (spec === undefined) throw new Error("Digest method not supported");
    if (options?.outputLength !== undefined) {
      validateUint32(options.outputLength, "options.outputLength");
      if (options.outputLength !== spec.size) {
        throw nodeError(Error, "ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH", "error:1C8000DD:Provider routines::not XOF or invalid length");
      }
    }
    digest = new Digest(spec);
  }
  this[kDigest] = digest;
  this[kFinalized] = false;
  LazyTransform.call(this, options);
}
Object.setPrototypeOf(Hash.prototype, LazyTransform.prototype);
Object.setPrototypeOf(Hash, LazyTransform);

Hash.prototype.update = function update(data, inputEncoding) {
  if (this[kFinalized]) throw ERR_CRYPTO_HASH_FINALIZED();
  const b = dataBytes(data, inputEncoding, "data");
  this[kDigest].update(b, 0, b.length);
  return this;
};

const kResult = Symbol("kResult");

// The digest is computed once and kept: the stream's end pushes it, and digest() still
// returns it once after that (a second digest() throws), as in Node.
function result(h) {
  return (h[kResult] ??= h[kDigest].digest());
}

Hash.prototype.digest = function digest(outputEncoding) {
  if (this[kFinalized]) throw ERR_CRYPTO_HASH_FINALIZED();
  this[kFinalized] = true;
  return encodeOutput(result(this), outputEncoding);
};

Hash.prototype.copy = function copy(options) {
  if (this[kFinalized]) throw ERR_CRYPTO_HASH_FINALIZED();
  return new Hash(this[kDigest].copy(), options);
};

Hash.prototype._transform = function _transform(chunk, encoding, callback) {
  try {
    this.update(chunk, encoding);
  } catch (e) {
    callback(e);
    return;
  }
  callback();
};

Hash.prototype._flush = function _flush(callback) {
  this.push(result(this));
  callback();
};

export function createHash(algorithm, options) { return new Hash(algorithm, options); }

/** crypto.hash(algorithm, data[, outputEncoding = 'hex']): a one-shot digest. */
export function hash(algorithm, data, outputEncoding = "hex") {
  validateString(algorithm, "algorithm");
  if (typeof data !== "string" && !ArrayBuffer.isView(data)) throw ERR_INVALID_ARG_TYPE("input", BUFFER_TYPES, data);
  if (outputEncoding !== undefined) validateString(outputEncoding, "outputEncoding");
  const spec = lookup(algorithm);
  if (spec === undefined) throw new Error(`Digest method ${algorithm} is not supported`);
  const b = typeof data === "string" ? encodeUtf8(data) : viewBytes(data);
  const out = new Digest(spec).update(b, 0, b.length).digest();
  return outputEncoding === "buffer" ? asBuffer(out) : encodeOutput(out, outputEncoding);
}

// ---- Hmac ------------------------------------------------------------------------

const kMac = Symbol("kMac");

export function Hmac(hmac, key, options) {
  if (!(this instanceof Hmac)) return new Hmac(hmac, key, options);
  validateString(hmac, "hmac");
  const encoding = options?.encoding;
  const k = binaryBytes(key, "key", encoding);
  const spec = lookup(hmac);
  if (spec === undefined) throw ERR_CRYPTO_INVALID_DIGEST(hmac);
  this[kMac] = new HmacCore(spec, k);
  this[kFinalized] = false;
  LazyTransform.call(this, options);
}
Object.setPrototypeOf(Hmac.prototype, LazyTransform.prototype);
Object.setPrototypeOf(Hmac, LazyTransform);

Hmac.prototype.update = function update(data, inputEncoding) {
  if (this[kFinalized]) throw ERR_CRYPTO_HASH_FINALIZED();
  const b = dataBytes(data, inputEncoding, "data");
  this[kMac].update(b, 0, b.length);
  return this;
};

Hmac.prototype.digest = function digest(outputEncoding) {
  // As Node: a second digest() returns an empty result rather than throwing.
  if (this[kFinalized]) return encodeOutput(new Uint8Array(0), outputEncoding);
  this[kFinalized] = true;
  const mac = this[kMac];
  return encodeOutput(mac.finish(new Uint8Array(mac.size), 0), outputEncoding);
};
Hmac.prototype._transform = Hash.prototype._transform;
Hmac.prototype._flush = function _flush(callback) {
  this.push(this.digest()); // a later digest() is empty, as in Node
  callback();
};

export function createHmac(hmac, key, options) { return new Hmac(hmac, key, options); }

// ---- random ----------------------------------------------------------------------

const kMaxUint32 = 4294967295;
const kMaxPossibleLength = 2147483647;

function assertSize(size, name = "size", max = kMaxPossibleLength) {
  validateNumber(size, name);
  if (!(size >= 0 && size <= max)) throw outOfRange(name, `>= 0 && <= ${max}`, size);
}

/** ERR_OUT_OF_RANGE with Node's rendering of the value (digit groups only past 2^32). */
function outOfRange(name, range, value) {
  let shown = String(value);
  if (Number.isInteger(value) && Math.abs(value) > 2 ** 32) shown = shown.replace(/\B(?=(\d{3})+$)/g, "_");
  return nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`);
}

export function randomBytes(size, callback) {
  assertSize(size);
  if (callback !== undefined) validateFunction(callback, "callback");
  const buf = Buffer.alloc(size);
  if (callback === undefined) {
    fillRandom(viewBytes(buf));
    return buf;
  }
  nextTick(() => {
    let err = null;
    try { fillRandom(viewBytes(buf)); } catch (e) { err = e; }
    if (err) callback(err);
    else callback(null, buf);
  });
}

function checkFillTarget(buf) {
  if (ArrayBuffer.isView(buf)) return viewBytes(buf);
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  throw ERR_INVALID_ARG_TYPE("buf", ["ArrayBuffer", "ArrayBufferView"], buf);
}

function fillRange(buf, u8, offset, size) {
  const elem = ArrayBuffer.isView(buf) && buf.BYTES_PER_ELEMENT ? buf.BYTES_PER_ELEMENT : 1;
  const total = u8.length;
  validateNumber(offset, "offset");
  offset *= elem;
  if (!Number.isInteger(offset)) throw ERR_OUT_OF_RANGE("offset", "an integer", offset);
  if (offset < 0 || offset > total) throw ERR_OUT_OF_RANGE("offset", `>= 0 && <= ${total}`, offset);
  if (size === undefined) size = total - offset;
  else {
    validateNumber(size, "size");
    size *= elem;
    if (!Number.isInteger(size)) throw ERR_OUT_OF_RANGE("size", "an integer", size);
    if (size < 0 || size > total) throw ERR_OUT_OF_RANGE("size", `>= 0 && <= ${total}`, size);
    if (offset + size > total) throw ERR_OUT_OF_RANGE("size + offset", `<= ${total}`, size + offset);
  }
  return u8.subarray(offset, offset + size);
}

export function randomFillSync(buf, offset = 0, size) {
  const u8 = checkFillTarget(buf);
  fillRandom(fillRange(buf, u8, offset, size));
  return buf;
}

export function randomFill(buf, offset, size, callback) {
  const u8 = checkFillTarget(buf);
  if (typeof offset === "function") { callback = offset; offset = 0; size = undefined; }
  else if (typeof size === "function") { callback = size; size = undefined; }
  validateFunction(callback, "callback");
  const range = fillRange(buf, u8, offset, size);
  nextTick(() => {
    let err = null;
    try { fillRandom(range); } catch (e) { err = e; }
    callback(err, buf);
  });
}

const RAND_MAX = 0xffffffffffff; // 2^48 - 1
const notSafeInteger = (name, v) =>
  nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be a safe integer.${describeReceived(v)}`);

export function randomInt(min, max, callback) {
  const minNotSpecified = typeof max === "undefined" || typeof max === "function";
  if (minNotSpecified) { callback = max; max = min; min = 0; }
  const isSync = typeof callback === "undefined";
  if (!isSync) validateFunction(callback, "callback");
  if (!Number.isSafeInteger(min)) throw notSafeInteger("min", min);
  if (!Number.isSafeInteger(max)) throw notSafeInteger("max", max);
  if (max <= min) throw ERR_OUT_OF_RANGE("max", `greater than the value of "min" (${min})`, max);
  const range = max - min;
  if (!(range <= RAND_MAX)) throw ERR_OUT_OF_RANGE(`max${minNotSpecified ? "" : " - min"}`, `<= ${RAND_MAX}`, range);
  // Rejection sampling: draws at or above the largest multiple of `range` are redrawn.
  const limit = RAND_MAX + 1 - ((RAND_MAX + 1) % range);
  const draw = () => {
    for (;;) {
      const x = random48();
      if (x < limit) return min + (x % range);
    }
  };
  if (isSync) return draw();
  nextTick(() => {
    let n;
    try { n = draw(); } catch (e) { callback(e); return; }
    callback(undefined, n);
  });
}

export function randomUUID(options) {
  if (options !== undefined) validateObject(options, "options");
  if (options?.disableEntropyCache !== undefined && typeof options.disableEntropyCache !== "boolean") {
    throw ERR_INVALID_ARG_TYPE("options.disableEntropyCache", "boolean", options.disableEntropyCache);
  }
  return uuid4();
}

const integerArrays = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "BigInt64Array", "BigUint64Array"];

export function getRandomValues(data) {
  const tag = ArrayBuffer.isView(data) && !(data instanceof DataView) ? Object.prototype.toString.call(data).slice(8, -1) : "";
  if (!integerArrays.includes(tag)) {
    throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
  }
  if (data.byteLength > 65536) {
    throw new DOMException(`The requested length exceeds 65,536 bytes`, "QuotaExceededError");
  }
  fillRandom(viewBytes(data));
  return data;
}

// ---- comparison --------------------------------------------------------------------

export function timingSafeEqual(buf1, buf2) {
  const a = compareTarget(buf1, "buf1"), b = compareTarget(buf2, "buf2");
  if (a.length !== b.length) throw ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH();
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function compareTarget(v, name) {
  if (ArrayBuffer.isView(v)) return viewBytes(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
}

// ---- key derivation ----------------------------------------------------------------

function pbkdf2Args(password, salt, iterations, keylen, digest) {
  const pw = binaryBytes(password, "password");
  const s = binaryBytes(salt, "salt");
  validateInt32(iterations, "iterations", 1);
  validateInt32(keylen, "keylen", 0);
  validateString(digest, "digest");
  const spec = lookup(digest);
  if (spec === undefined) throw ERR_CRYPTO_INVALID_DIGEST(digest);
  return [spec, pw, s, iterations, keylen];
}

export function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  return asBuffer(pbkdf2Bytes(...pbkdf2Args(password, salt, iterations, keylen, digest)));
}

export function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof digest === "function") { callback = digest; digest = undefined; }
  const args = pbkdf2Args(password, salt, iterations, keylen, digest);
  validateFunction(callback, "callback");
  deferred(() => asBuffer(pbkdf2Bytes(...args)), callback);
}

function deferred(work, callback) {
  setTimeoutish(() => {
    let out;
    try { out = work(); } catch (e) { callback(e); return; }
    callback(null, out);
  });
}
// The derivations run after the current turn (as a thread-pool job would complete).
function setTimeoutish(fn) { nextTick(() => Promise.resolve().then(fn)); }

function hkdfArgs(digest, ikm, salt, info, keylen) {
  validateString(digest, "digest");
  const k = binaryBytes(ikm, "ikm");
  const s = binaryBytes(salt, "salt");
  const i = binaryBytes(info, "info");
  validateInteger(keylen, "length", 0, kMaxPossibleLength);
  if (i.length > 1024) throw outOfRange("info", "must not contain more than 1024 bytes", i.length);
  const spec = lookup(digest);
  if (spec === undefined) throw ERR_CRYPTO_INVALID_DIGEST(digest);
  if (keylen > 255 * spec.size) throw ERR_CRYPTO_INVALID_KEYLEN();
  return [spec, k, s, i, keylen];
}

function toArrayBuffer(u8) {
  return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? u8.buffer : u8.slice().buffer;
}

export function hkdfSync(digest, ikm, salt, info, keylen) {
  return toArrayBuffer(hkdfBytes(...hkdfArgs(digest, ikm, salt, info, keylen)));
}

export function hkdf(digest, ikm, salt, info, keylen, callback) {
  const args = hkdfArgs(digest, ikm, salt, info, keylen);
  validateFunction(callback, "callback");
  deferred(() => toArrayBuffer(hkdfBytes(...args)), callback);
}

function scryptArgs(password, salt, keylen, options) {
  const pw = binaryBytes(password, "password");
  const s = binaryBytes(salt, "salt");
  validateInt32(keylen, "keylen", 0);
  let N = 16384, r = 8, p = 1, maxmem = 32 << 20;
  if (options !== undefined && options !== null) {
    validateObject(options, "options");
    const pick = (a, b, name) => {
      if (options[a] !== undefined && options[b] !== undefined) {
        throw nodeError(Error, "ERR_CRYPTO_SCRYPT_INVALID_PARAMETER", "Invalid scrypt parameter");
      }
      const v = options[a] ?? options[b];
      if (v !== undefined) validateUint32(v, name);
      return v;
    };
    N = pick("N", "cost", "N") ?? N;
    r = pick("r", "blockSize", "r") ?? r;
    p = pick("p", "parallelization", "p") ?? p;
    if (options.maxmem !== undefined) {
      validateInteger(options.maxmem, "maxmem", 0);
      maxmem = options.maxmem;
    }
  }
  if (N < 2 || (N & (N - 1)) !== 0) throw ERR_CRYPTO_INVALID_SCRYPT_PARAMS();
  if (r < 1 || p < 1 || p * r > 0x3fffffff) throw ERR_CRYPTO_INVALID_SCRYPT_PARAMS();
  if (128 * N * r + 128 * r * p > maxmem) throw ERR_CRYPTO_INVALID_SCRYPT_PARAMS("error:030000AC:digital envelope routines::memory limit exceeded");
  return [pw, s, N, r, p, keylen, lookup("sha256")];
}

export function scryptSync(password, salt, keylen, options) {
  return asBuffer(scryptBytes(...scryptArgs(password, salt, keylen, options)));
}

export function scrypt(password, salt, keylen, options, callback) {
  if (typeof options === "function") { callback = options; options = undefined; }
  const args = scryptArgs(password, salt, keylen, options);
  validateFunction(callback, "callback");
  deferred(() => asBuffer(scryptBytes(...args)), callback);
}

// ---- lists, constants -------------------------------------------------------------

export function getHashes() { return hashNames.slice(); }
export function getCiphers() { return []; }
export function getCurves() { return []; }
export function getFips() { return 0; }
export function setFips(on) {
  if (on) throw nodeError(Error, "ERR_CRYPTO_FIPS_FORCED", "Cannot set FIPS mode in unode.");
}
export function secureHeapUsed() { return { total: 0, min: 0, used: 0, utilization: 0 }; }

const cipherList = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:" +
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:" +
  "ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:" +
  "DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA";

// The values OpenSSL 3 gives these names (Node exposes them as crypto.constants).
export const constants = {
  OPENSSL_VERSION_NUMBER: 805306672, SSL_OP_ALL: 2147485776, SSL_OP_ALLOW_NO_DHE_KEX: 1024,
  SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION: 262144, SSL_OP_CIPHER_SERVER_PREFERENCE: 4194304,
  SSL_OP_CISCO_ANYCONNECT: 32768, SSL_OP_COOKIE_EXCHANGE: 8192, SSL_OP_CRYPTOPRO_TLSEXT_BUG: 2147483648,
  SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: 2048, SSL_OP_LEGACY_SERVER_CONNECT: 4, SSL_OP_NO_COMPRESSION: 131072,
  SSL_OP_NO_ENCRYPT_THEN_MAC: 524288, SSL_OP_NO_QUERY_MTU: 4096, SSL_OP_NO_RENEGOTIATION: 1073741824,
  SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION: 65536, SSL_OP_NO_SSLv2: 0, SSL_OP_NO_SSLv3: 33554432,
  SSL_OP_NO_TICKET: 16384, SSL_OP_NO_TLSv1: 67108864, SSL_OP_NO_TLSv1_1: 268435456, SSL_OP_NO_TLSv1_2: 134217728,
  SSL_OP_NO_TLSv1_3: 536870912, SSL_OP_PRIORITIZE_CHACHA: 2097152, SSL_OP_TLS_ROLLBACK_BUG: 8388608,
  ENGINE_METHOD_RSA: 1, ENGINE_METHOD_DSA: 2, ENGINE_METHOD_DH: 4, ENGINE_METHOD_RAND: 8, ENGINE_METHOD_EC: 2048,
  ENGINE_METHOD_CIPHERS: 64, ENGINE_METHOD_DIGESTS: 128, ENGINE_METHOD_PKEY_METHS: 512,
  ENGINE_METHOD_PKEY_ASN1_METHS: 1024, ENGINE_METHOD_ALL: 65535, ENGINE_METHOD_NONE: 0,
  DH_CHECK_P_NOT_SAFE_PRIME: 2, DH_CHECK_P_NOT_PRIME: 1, DH_UNABLE_TO_CHECK_GENERATOR: 4, DH_NOT_SUITABLE_GENERATOR: 8,
  RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_X931_PADDING: 5, RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
  defaultCoreCipherList: cipherList, TLS1_VERSION: 769, TLS1_1_VERSION: 770, TLS1_2_VERSION: 771, TLS1_3_VERSION: 772,
  POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6,
  defaultCipherList: cipherList,
};

// ---- not implemented ---------------------------------------------------------------

function notImplemented(name) {
  const f = { [name]() { throw ERR_NOT_IMPLEMENTED(`crypto.${name}`); } }[name];
  return f;
}
function notImplementedClass(name) {
  return { [name]: class { constructor() { throw ERR_NOT_IMPLEMENTED(`crypto.${name}`); } } }[name];
}

export const createCipheriv = notImplemented("createCipheriv");
export const createDecipheriv = notImplemented("createDecipheriv");
export const createSign = notImplemented("createSign");
export const createVerify = notImplemented("createVerify");
export const sign = notImplemented("sign");
export const verify = notImplemented("verify");
export const createPrivateKey = notImplemented("createPrivateKey");
export const createPublicKey = notImplemented("createPublicKey");
export const createSecretKey = notImplemented("createSecretKey");
export const generateKey = notImplemented("generateKey");
export const generateKeySync = notImplemented("generateKeySync");
export const generateKeyPair = notImplemented("generateKeyPair");
export const generateKeyPairSync = notImplemented("generateKeyPairSync");
export const createDiffieHellman = notImplemented("createDiffieHellman");
export const createDiffieHellmanGroup = notImplemented("createDiffieHellmanGroup");
export const getDiffieHellman = notImplemented("getDiffieHellman");
export const createECDH = notImplemented("createECDH");
export const diffieHellman = notImplemented("diffieHellman");
export const publicEncrypt = notImplemented("publicEncrypt");
export const publicDecrypt = notImplemented("publicDecrypt");
export const privateEncrypt = notImplemented("privateEncrypt");
export const privateDecrypt = notImplemented("privateDecrypt");
export const generatePrime = notImplemented("generatePrime");
export const generatePrimeSync = notImplemented("generatePrimeSync");
export const checkPrime = notImplemented("checkPrime");
export const checkPrimeSync = notImplemented("checkPrimeSync");
export const getCipherInfo = notImplemented("getCipherInfo");
export const setEngine = notImplemented("setEngine");
export const Cipher = notImplementedClass("Cipher");
export const Cipheriv = notImplementedClass("Cipheriv");
export const Decipher = notImplementedClass("Decipher");
export const Decipheriv = notImplementedClass("Decipheriv");
export const Sign = notImplementedClass("Sign");
export const Verify = notImplementedClass("Verify");
export const KeyObject = notImplementedClass("KeyObject");
export const DiffieHellman = notImplementedClass("DiffieHellman");
export const DiffieHellmanGroup = notImplementedClass("DiffieHellmanGroup");
export const ECDH = notImplementedClass("ECDH");
export const X509Certificate = notImplementedClass("X509Certificate");
export const Certificate = notImplementedClass("Certificate");

// ---- webcrypto: getRandomValues, randomUUID, subtle.digest --------------------------

const subtleDigests = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

class SubtleCrypto {
  async digest(algorithm, data) {
    const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
    const id = typeof name === "string" ? subtleDigests[name.toUpperCase()] : undefined;
    if (id === undefined) throw new DOMException("Unrecognized algorithm name", "NotSupportedError");
    let bytes;
    if (ArrayBuffer.isView(data)) bytes = viewBytes(data);
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else throw ERR_INVALID_ARG_TYPE("data", ["ArrayBuffer", "Buffer", "TypedArray", "DataView"], data);
    return toArrayBuffer(new Digest(lookup(id)).update(bytes).digest());
  }
}
for (const m of ["encrypt", "decrypt", "sign", "verify", "generateKey", "deriveKey", "deriveBits", "importKey",
  "exportKey", "wrapKey", "unwrapKey"]) {
  SubtleCrypto.prototype[m] = async function () { throw ERR_NOT_IMPLEMENTED(`crypto.subtle.${m}`); };
}

export const subtle = new SubtleCrypto();
class Crypto {
  get subtle() { return subtle; }
  getRandomValues(data) { return getRandomValues(data); }
  randomUUID() { return uuid4(); }
}
export const webcrypto = new Crypto();

const crypto = {
  checkPrime, checkPrimeSync, createCipheriv, createDecipheriv, createDiffieHellman, createDiffieHellmanGroup,
  createECDH, createHash, createHmac, createPrivateKey, createPublicKey, createSecretKey, createSign, createVerify,
  diffieHellman, generatePrime, generatePrimeSync, getCiphers, getCipherInfo, getCurves, getDiffieHellman, getHashes,
  hkdf, hkdfSync, pbkdf2, pbkdf2Sync, generateKeyPair, generateKeyPairSync, generateKey, generateKeySync,
  privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, randomBytes, randomFill, randomFillSync, randomInt,
  randomUUID, scrypt, scryptSync, sign, setEngine, timingSafeEqual, getFips, setFips, verify, hash,
  Certificate, Cipher, Cipheriv, Decipher, Decipheriv, DiffieHellman, DiffieHellmanGroup, ECDH, Hash, Hmac,
  KeyObject, Sign, Verify, X509Certificate, secureHeapUsed, constants, webcrypto, subtle, getRandomValues,
};
// Node's legacy aliases.
crypto.pseudoRandomBytes = randomBytes;
crypto.prng = randomBytes;
crypto.rng = randomBytes;

export const pseudoRandomBytes = randomBytes, prng = randomBytes, rng = randomBytes;
export default crypto;
