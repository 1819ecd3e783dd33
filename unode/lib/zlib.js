// node:zlib — deflate/inflate (raw, zlib and gzip formats) in JavaScript:
// the one-shot sync and callback functions, the Transform stream classes
// with flush(kind)/params/reset/close, crc32, constants and codes.
//
// The codecs are node:internal/zlib/inflate and node:internal/zlib/deflate
// (written from RFC 1950/1951/1952). Compressed bytes differ from zlib's
// (another match finder) but any inflater reads them, and what zlib writes
// inflates here. memLevel is validated and ignored (the hash table has a
// fixed size). Brotli is not there: its functions and classes throw
// ERR_NOT_IMPLEMENTED.
//
// The streams compress synchronously inside _transform (Node hands the work
// to its thread pool): output is pushed before the write callback runs, so
// a flush callback sees all of the flushed data, as in Node.

import { Buffer, kMaxLength } from "node:buffer";
import { Transform } from "node:stream";
import { nextTick } from "node:internal/process/tick";
import { setImmediate } from "node:timers";
import { codes as errorCodes, nodeError } from "node:internal/errors";
import { validateFunction, validateUint32 } from "node:internal/validators";
import { Inflater, ZlibFailure, RAW, ZLIB, GZIP, AUTO } from "node:internal/zlib/inflate";
import { Deflater } from "node:internal/zlib/deflate";
import { crc32 as crc32Update } from "node:internal/zlib/checksum";

const { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_NOT_IMPLEMENTED } = errorCodes;

// ---- constants ------------------------------------------------------------------

const zlibConstants = {
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
  Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4880,
  DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
  BROTLI_DECODE: 8, BROTLI_ENCODE: 9,
  Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15,
  Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
  Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8,
  Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
};
const brotliConstants = {
  BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3,
  BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0,
  BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11,
  BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30,
  BROTLI_DEFAULT_WINDOW: 22, BROTLI_PARAM_LGBLOCK: 3, BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24,
  BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4, BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6,
  BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8, BROTLI_DECODER_RESULT_ERROR: 0, BROTLI_DECODER_RESULT_SUCCESS: 1,
  BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3,
  BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0, BROTLI_DECODER_PARAM_LARGE_WINDOW: 1,
  BROTLI_DECODER_NO_ERROR: 0, BROTLI_DECODER_SUCCESS: 1, BROTLI_DECODER_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_NEEDS_MORE_OUTPUT: 3,
  BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_NIBBLE: -1, BROTLI_DECODER_ERROR_FORMAT_RESERVED: -2,
  BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_META_NIBBLE: -3, BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_ALPHABET: -4,
  BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_SAME: -5, BROTLI_DECODER_ERROR_FORMAT_CL_SPACE: -6,
  BROTLI_DECODER_ERROR_FORMAT_HUFFMAN_SPACE: -7, BROTLI_DECODER_ERROR_FORMAT_CONTEXT_MAP_REPEAT: -8,
  BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_1: -9, BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_2: -10,
  BROTLI_DECODER_ERROR_FORMAT_TRANSFORM: -11, BROTLI_DECODER_ERROR_FORMAT_DICTIONARY: -12,
  BROTLI_DECODER_ERROR_FORMAT_WINDOW_BITS: -13, BROTLI_DECODER_ERROR_FORMAT_PADDING_1: -14,
  BROTLI_DECODER_ERROR_FORMAT_PADDING_2: -15, BROTLI_DECODER_ERROR_FORMAT_DISTANCE: -16,
  BROTLI_DECODER_ERROR_DICTIONARY_NOT_SET: -19, BROTLI_DECODER_ERROR_INVALID_ARGUMENTS: -20,
  BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES: -21, BROTLI_DECODER_ERROR_ALLOC_TREE_GROUPS: -22,
  BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MAP: -25, BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_1: -26,
  BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_2: -27, BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES: -30,
  BROTLI_DECODER_ERROR_UNREACHABLE: -31,
};
export const constants = Object.freeze({ ...zlibConstants, ...brotliConstants });

const codeNames = { 0: "Z_OK", 1: "Z_STREAM_END", 2: "Z_NEED_DICT", "-1": "Z_ERRNO", "-2": "Z_STREAM_ERROR", "-3": "Z_DATA_ERROR", "-4": "Z_MEM_ERROR", "-5": "Z_BUF_ERROR", "-6": "Z_VERSION_ERROR" };
export const codes = Object.freeze({
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
  Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6, ...codeNames,
});

const { Z_NO_FLUSH, Z_BLOCK, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH, Z_PARTIAL_FLUSH } = zlibConstants;
const DEFLATE = 1, INFLATE = 2, GZIP_MODE = 3, GUNZIP = 4, DEFLATERAW = 5, INFLATERAW = 6, UNZIP = 7;

// ---- errors and arguments ---------------------------------------------------------

/** The error Node reports for a codec failure: message, errno, code (Z_DATA_ERROR, …). */
function zlibError(f) {
  if (f.errno === "ERR_BUFFER_TOO_LARGE") return nodeError(RangeError, "ERR_BUFFER_TOO_LARGE", f.message);
  const err = new Error(f.message);
  err.errno = f.errno;
  err.code = codeNames[f.errno];
  return err;
}

function bytesOf(buffer, name = "buffer") {
  if (typeof buffer === "string") return Buffer.from(buffer);
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw ERR_INVALID_ARG_TYPE(name, ["string", "Buffer", "TypedArray", "DataView", "ArrayBuffer"], buffer);
}

/** Node's checkRangesOrGetDefault: undefined or NaN gives the default, else a number in [lower, upper]. */
function rangeOrDefault(value, name, lower, upper, def) {
  if (value === undefined || Number.isNaN(value)) return def;
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if (!Number.isFinite(value)) throw ERR_OUT_OF_RANGE(name, "a finite number", value);
  if (value < lower || value > upper) throw ERR_OUT_OF_RANGE(name, `>= ${lower} and <= ${upper}`, value);
  return value;
}

/** The validated options of a zlib object of `mode`, and its codec. */
function makeEngine(mode, opts) {
  if (opts != null && typeof opts !== "object") throw ERR_INVALID_ARG_TYPE("options", "Object", opts);
  const o = opts || {};
  let chunkSize = o.chunkSize;
  if (chunkSize === undefined || Number.isNaN(chunkSize)) chunkSize = zlibConstants.Z_DEFAULT_CHUNK;
  else if (typeof chunkSize !== "number") throw ERR_INVALID_ARG_TYPE("options.chunkSize", "number", chunkSize);
  else if (!(chunkSize >= 64)) throw ERR_OUT_OF_RANGE("options.chunkSize", ">= 64", chunkSize);
  const flush = rangeOrDefault(o.flush, "options.flush", Z_NO_FLUSH, Z_BLOCK, Z_NO_FLUSH);
  const finishFlush = rangeOrDefault(o.finishFlush, "options.finishFlush", Z_NO_FLUSH, Z_BLOCK, Z_FINISH);
  const inflating = mode === INFLATE || mode === GUNZIP || mode === UNZIP || mode === INFLATERAW;
  let windowBits;
  if ((mode === INFLATE || mode === GUNZIP || mode === UNZIP) && (o.windowBits === 0)) windowBits = 0;
  else windowBits = rangeOrDefault(o.windowBits, "options.windowBits", mode === GZIP_MODE ? 9 : 8, 15, 15);
  const level = rangeOrDefault(o.level, "options.level", -1, 9, -1);
  rangeOrDefault(o.memLevel, "options.memLevel", 1, 9, 8);
  const strategy = rangeOrDefault(o.strategy, "options.strategy", 0, 4, 0);
  let dictionary = o.dictionary;
  if (dictionary !== undefined) {
    if (ArrayBuffer.isView(dictionary)) dictionary = new Uint8Array(dictionary.buffer, dictionary.byteOffset, dictionary.byteLength);
    else if (dictionary instanceof ArrayBuffer) dictionary = new Uint8Array(dictionary);
    else throw ERR_INVALID_ARG_TYPE("options.dictionary", ["Buffer", "TypedArray", "DataView", "ArrayBuffer"], dictionary);
    dictionary = new Uint8Array(dictionary); // the caller may change theirs later
  }
  const maxOutputLength = rangeOrDefault(o.maxOutputLength, "options.maxOutputLength", 1, kMaxLength, kMaxLength);
  let engine;
  if (inflating) {
    const format = mode === INFLATERAW ? RAW : mode === INFLATE ? ZLIB : mode === GUNZIP ? GZIP : AUTO;
    engine = new Inflater(format, windowBits, dictionary, maxOutputLength);
  } else {
    const format = mode === DEFLATERAW ? RAW : mode === DEFLATE ? ZLIB : GZIP;
    engine = new Deflater(format, level, windowBits, strategy, dictionary);
  }
  return { engine, inflating, chunkSize, flush, finishFlush, level, strategy, maxOutputLength, info: Boolean(o.info) };
}

/** Run the codec over `input` with flush kind `flush`; the output chunks. Throws Node's error. */
function run(engine, inflating, input, flush) {
  try {
    if (inflating) engine.write(input, flush === Z_FINISH);
    else engine.write(input, flush);
  } catch (e) {
    engine.chunks.length = 0;
    if (e instanceof ZlibFailure) throw zlibError(e);
    throw e;
  }
  const out = engine.chunks;
  engine.chunks = [];
  return out;
}

function concat(chunks, max) {
  let total = 0;
  for (const c of chunks) total += c.length;
  if (total > max) throw nodeError(RangeError, "ERR_BUFFER_TOO_LARGE", `Cannot create a Buffer larger than ${max} bytes`);
  if (chunks.length === 1) return chunks[0];
  return Buffer.concat(chunks, total);
}

// ---- the stream classes ----------------------------------------------------------------

const kFlushFlag = Symbol("kFlushFlag");
const kFlushBuffers = [];
for (let k = 0; k <= Z_BLOCK; k++) {
  kFlushBuffers[k] = Buffer.alloc(0);
  kFlushBuffers[k][kFlushFlag] = k;
}
const kEngine = Symbol("kEngine");
const kInflating = Symbol("kInflating");

function ZlibBase(opts, mode) {
  const cfg = makeEngine(mode, opts);
  Transform.call(this, { autoDestroy: true, ...opts });
  this[kEngine] = cfg.engine;
  this[kInflating] = cfg.inflating;
  this._hadError = false;
  this.bytesWritten = 0;
  this._handle = { mode };
  this._chunkSize = cfg.chunkSize;
  this._defaultFlushFlag = cfg.flush;
  this._finishFlushFlag = cfg.finishFlush;
  this._defaultFullFlushFlag = Z_FULL_FLUSH;
  this._info = cfg.info;
  this._maxOutputLength = cfg.maxOutputLength;
  this._level = cfg.level;
  this._strategy = cfg.strategy;
}
Object.setPrototypeOf(ZlibBase.prototype, Transform.prototype);
Object.setPrototypeOf(ZlibBase, Transform);

Object.defineProperty(ZlibBase.prototype, "_closed", {
  configurable: true,
  enumerable: true,
  get() {
    return !this._handle;
  },
});

ZlibBase.prototype.reset = function reset() {
  if (!this._handle) throw nodeError(Error, "ERR_ZLIB_INITIALIZATION_FAILED", "Initialization failed");
  this[kEngine].reset();
};

ZlibBase.prototype._flush = function _flush(callback) {
  this._transform(Buffer.alloc(0), "", callback);
};

ZlibBase.prototype._final = function _final(callback) {
  callback();
};

ZlibBase.prototype.flush = function flush(kind, callback) {
  if (typeof kind === "function" || (kind === undefined && !callback)) {
    callback = kind;
    kind = this._defaultFullFlushFlag;
  }
  if (this.writableFinished) {
    if (callback) nextTick(callback);
  } else if (this.writableEnded) {
    if (callback) this.once("end", callback);
  } else {
    this.write(kFlushBuffers[kind], "", callback);
  }
};

ZlibBase.prototype.close = function close(callback) {
  if (callback) this.once("close", callback);
  this.destroy();
};

ZlibBase.prototype._destroy = function _destroy(err, callback) {
  this._handle = null;
  callback(err);
};

ZlibBase.prototype._transform = function _transform(chunk, encoding, cb) {
  if (!this._handle) {
    cb(nodeError(Error, "ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed"));
    return;
  }
  let flushFlag = this._defaultFlushFlag;
  if (typeof chunk[kFlushFlag] === "number") flushFlag = chunk[kFlushFlag];
  // The last chunk of an ending stream finishes it.
  const ws = this._writableState;
  if ((ws.ending || ws.ended) && ws.length === chunk.byteLength) flushFlag = this._finishFlushFlag;
  let out;
  try {
    out = run(this[kEngine], this[kInflating], chunk, flushFlag);
  } catch (err) {
    this._hadError = true;
    cb(err);
    return;
  }
  this.bytesWritten += chunk.byteLength;
  for (const c of out) this.push(c);
  cb();
};

/** Node's old internal entry: process one chunk with a flush flag; sync without a callback. */
ZlibBase.prototype._processChunk = function _processChunk(chunk, flushFlag, cb) {
  if (typeof cb === "function") {
    this.write(Object.assign(Buffer.from(chunk), { [kFlushFlag]: flushFlag }), "", cb);
    return;
  }
  const out = run(this[kEngine], this[kInflating], bytesOf(chunk), flushFlag);
  this.bytesWritten += chunk.byteLength;
  return concat(out, this._maxOutputLength);
};

function Zlib(opts, mode) {
  ZlibBase.call(this, opts, mode);
}
Object.setPrototypeOf(Zlib.prototype, ZlibBase.prototype);
Object.setPrototypeOf(Zlib, ZlibBase);

Zlib.prototype.params = function params(level, strategy, callback) {
  rangeOrDefault(level, "level", -1, 9, -1);
  rangeOrDefault(strategy, "strategy", 0, 4, 0);
  const apply = () => {
    if (!this[kInflating]) this[kEngine].setParams(level, strategy);
    this._level = level;
    this._strategy = strategy;
    if (callback) callback();
  };
  if (this._level !== level || this._strategy !== strategy) this.flush(Z_SYNC_FLUSH, apply);
  else nextTick(apply);
};

function defineClass(name, mode) {
  const C = {
    [name]: function (opts) {
      if (!(this instanceof C)) return new C(opts);
      Zlib.call(this, opts, mode);
    },
  }[name];
  Object.setPrototypeOf(C.prototype, Zlib.prototype);
  Object.setPrototypeOf(C, Zlib);
  Object.defineProperty(C.prototype, "constructor", { value: C, writable: true, configurable: true });
  return C;
}

export const Deflate = defineClass("Deflate", DEFLATE);
export const Inflate = defineClass("Inflate", INFLATE);
export const Gzip = defineClass("Gzip", GZIP_MODE);
export const Gunzip = defineClass("Gunzip", GUNZIP);
export const DeflateRaw = defineClass("DeflateRaw", DEFLATERAW);
export const InflateRaw = defineClass("InflateRaw", INFLATERAW);
export const Unzip = defineClass("Unzip", UNZIP);

export function BrotliCompress() {
  throw ERR_NOT_IMPLEMENTED("zlib.BrotliCompress (brotli)");
}
export function BrotliDecompress() {
  throw ERR_NOT_IMPLEMENTED("zlib.BrotliDecompress (brotli)");
}

// ---- one-shot functions -------------------------------------------------------------

function syncCall(mode, Class) {
  return function (buffer, opts) {
    const input = bytesOf(buffer);
    const cfg = makeEngine(mode, opts);
    const result = concat(run(cfg.engine, cfg.inflating, input, cfg.finishFlush), cfg.maxOutputLength);
    if (cfg.info) {
      const engine = new Class(opts);
      engine.bytesWritten = input.length;
      return { buffer: result, engine };
    }
    return result;
  };
}

function asyncCall(mode, Class) {
  const sync = syncCall(mode, Class);
  return function (buffer, opts, callback) {
    if (typeof opts === "function") {
      callback = opts;
      opts = {};
    }
    validateFunction(callback, "callback");
    const input = bytesOf(buffer);
    makeEngine(mode, opts); // argument errors are thrown now, as in Node
    setImmediate(() => {
      let result;
      try {
        result = sync(input, opts);
      } catch (err) {
        callback(err);
        return;
      }
      callback(null, result);
    });
  };
}

export const deflateSync = syncCall(DEFLATE, Deflate);
export const inflateSync = syncCall(INFLATE, Inflate);
export const gzipSync = syncCall(GZIP_MODE, Gzip);
export const gunzipSync = syncCall(GUNZIP, Gunzip);
export const deflateRawSync = syncCall(DEFLATERAW, DeflateRaw);
export const inflateRawSync = syncCall(INFLATERAW, InflateRaw);
export const unzipSync = syncCall(UNZIP, Unzip);
export const deflate = asyncCall(DEFLATE, Deflate);
export const inflate = asyncCall(INFLATE, Inflate);
export const gzip = asyncCall(GZIP_MODE, Gzip);
export const gunzip = asyncCall(GUNZIP, Gunzip);
export const deflateRaw = asyncCall(DEFLATERAW, DeflateRaw);
export const inflateRaw = asyncCall(INFLATERAW, InflateRaw);
export const unzip = asyncCall(UNZIP, Unzip);

const brotli = (name) => function () {
  throw ERR_NOT_IMPLEMENTED(`zlib.${name} (brotli)`);
};
export const brotliCompress = brotli("brotliCompress");
export const brotliCompressSync = brotli("brotliCompressSync");
export const brotliDecompress = brotli("brotliDecompress");
export const brotliDecompressSync = brotli("brotliDecompressSync");
export const createBrotliCompress = brotli("createBrotliCompress");
export const createBrotliDecompress = brotli("createBrotliDecompress");

export const createDeflate = (o) => new Deflate(o);
export const createInflate = (o) => new Inflate(o);
export const createGzip = (o) => new Gzip(o);
export const createGunzip = (o) => new Gunzip(o);
export const createDeflateRaw = (o) => new DeflateRaw(o);
export const createInflateRaw = (o) => new InflateRaw(o);
export const createUnzip = (o) => new Unzip(o);

/** CRC-32 of `data` (a string as UTF-8, or bytes), continuing from `value` (Node 20.15). */
export function crc32(data, value = 0) {
  let bytes;
  if (typeof data === "string") bytes = Buffer.from(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else throw ERR_INVALID_ARG_TYPE("data", ["Buffer", "TypedArray", "DataView", "string"], data);
  validateUint32(value, "value");
  return crc32Update(value, bytes);
}

const zlib = {
  crc32, Deflate, Inflate, Gzip, Gunzip, DeflateRaw, InflateRaw, Unzip, BrotliCompress, BrotliDecompress,
  deflate, deflateSync, gzip, gzipSync, deflateRaw, deflateRawSync, unzip, unzipSync, inflate, inflateSync,
  gunzip, gunzipSync, inflateRaw, inflateRawSync, brotliCompress, brotliCompressSync, brotliDecompress,
  brotliDecompressSync, createDeflate, createInflate, createDeflateRaw, createInflateRaw, createGzip,
  createGunzip, createUnzip, createBrotliCompress, createBrotliDecompress, constants, codes,
};
// The legacy constants on the module itself, read-only and not enumerable, as in Node.
for (const [k, v] of Object.entries(zlibConstants)) {
  if (k.startsWith("BROTLI")) continue;
  Object.defineProperty(zlib, k, { value: v, enumerable: false, writable: false, configurable: false });
}

export default zlib;
