// node:internal/worker/serialize — the structured clone of a message as
// bytes, so that it can cross from one thread's JS runtime to another's.
//
// serialize(value, { transfer, ports, inline, extras }) returns
// { body: Uint8Array, buffers: ArrayBuffer[], transferred: Set, ports: [] }:
// `body` holds the value; every ArrayBuffer met (copied or transferred) is
// one entry of `buffers` (the host copies them once; the caller detaches the
// transferred ones afterwards), unless `inline` puts their bytes in the body.
// MessagePorts in the transfer list go to `ports` (the caller describes them);
// the value refers to them by index.
//
// deserialize(body, buffers, ports) rebuilds the value. It trusts nothing:
// every tag, length, index and offset is checked, so that a hostile or
// truncated message is a DataCloneError, never a crash or a runaway
// allocation.
//
// Supported: undefined, null, booleans, numbers, BigInts, strings (lone
// surrogates kept), plain objects and arrays (holes kept), Date, RegExp,
// Map, Set, Error types (name, message, stack, cause), ArrayBuffer, every
// typed array and DataView, boxed primitives, shared and cyclic references.

import { encodeUtf8, decodeUtf8 } from "jsk:native";
import { DOMException } from "node:internal/abort_controller";
import { nodeError } from "node:internal/errors";

export function dataCloneError(message) {
  return new DOMException(message, "DataCloneError");
}

const T = {
  UNDEF: 0, NULL: 1, TRUE: 2, FALSE: 3, INT: 4, NUM: 5, BIGINT: 6, STR8: 7, STR16: 8, REF: 9,
  OBJ: 10, ARR: 11, HOLE: 12, DATE: 13, REGEXP: 14, MAP: 15, SET: 16, ERROR: 17, AB: 18,
  VIEW: 19, BOXNUM: 20, BOXSTR: 21, BOXBOOL: 22, BOXBIGINT: 23, PORT: 24, ABINLINE: 25,
};

const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array];
if (typeof Float16Array === "function") VIEWS.push(Float16Array);
const DATAVIEW = 255;

const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const taTag = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const abByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const abDetached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached")?.get;

/** Whether `v` is an ArrayBuffer (not a SharedArrayBuffer or a look-alike). */
export function isArrayBuffer(v) {
  if (v === null || typeof v !== "object") return false;
  try { abByteLength.call(v); return true; } catch { return false; }
}

export function isDetached(ab) {
  return abDetached ? abDetached.call(ab) : false;
}

// ---- writing -------------------------------------------------------------------

class Writer {
  constructor() {
    this.buf = new Uint8Array(256);
    this.dv = new DataView(this.buf.buffer);
    this.pos = 0;
  }
  grow(n) {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(x) {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = x;
  }
  u32(x) {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.dv.setUint32(this.pos, x, true);
    this.pos += 4;
  }
  i32(x) {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.dv.setInt32(this.pos, x, true);
    this.pos += 4;
  }
  f64(x) {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.dv.setFloat64(this.pos, x, true);
    this.pos += 8;
  }
  bytes(b) {
    this.u32(b.length);
    if (this.pos + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A string: ASCII byte by byte, UTF-8 when well formed, else UTF-16 units. */
  str(s) {
    const n = s.length;
    if (n < 64) {
      let ascii = true;
      for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
      if (ascii) {
        this.u8(T.STR8);
        this.u32(n);
        if (this.pos + n > this.buf.length) this.grow(n);
        for (let i = 0; i < n; i++) this.buf[this.pos + i] = s.charCodeAt(i);
        this.pos += n;
        return;
      }
    }
    if (s.isWellFormed()) {
      this.u8(T.STR8);
      this.bytes(encodeUtf8(s));
      return;
    }
    this.u8(T.STR16);
    this.u32(n);
    if (this.pos + 2 * n > this.buf.length) this.grow(2 * n);
    for (let i = 0; i < n; i++) this.dv.setUint16(this.pos + 2 * i, s.charCodeAt(i), true);
    this.pos += 2 * n;
  }
}

function viewKind(v) {
  if (v instanceof DataView) return DATAVIEW;
  const tag = taTag.call(v);
  const i = VIEWS.findIndex((C) => C.name === tag);
  return i;
}

/**
 * Serialize `value`. `transfer` is the validated transfer list (ArrayBuffers
 * and ports); `isPort(v)` says whether an object is a MessagePort.
 */
export function serialize(value, { transfer = [], isPort = () => false, inline = false, extras = false } = {}) {
  const w = new Writer();
  const seen = new Map();
  const buffers = [];
  const bufferIndex = new Map();
  const transferred = new Set();
  const ports = [];
  for (const t of transfer) {
    if (isArrayBuffer(t)) transferred.add(t);
    else if (isPort(t)) ports.push(t);
  }
  let count = 0;

  function writeBuffer(ab) {
    if (isDetached(ab)) throw dataCloneError("An ArrayBuffer is detached and could not be cloned.");
    if (inline) {
      w.u8(T.ABINLINE);
      w.bytes(new Uint8Array(ab));
      return;
    }
    let i = bufferIndex.get(ab);
    if (i === undefined) {
      i = buffers.length;
      buffers.push(ab);
      bufferIndex.set(ab, i);
    }
    w.u8(T.AB);
    w.u32(i);
  }

  function write(v) {
    switch (typeof v) {
      case "undefined": w.u8(T.UNDEF); return;
      case "boolean": w.u8(v ? T.TRUE : T.FALSE); return;
      case "number":
        if ((v | 0) === v && !(v === 0 && 1 / v < 0)) { w.u8(T.INT); w.i32(v); } else { w.u8(T.NUM); w.f64(v); }
        return;
      case "bigint": w.u8(T.BIGINT); w.str(v.toString(16)); return;
      case "string": w.str(v); return;
      case "symbol": throw dataCloneError(`${String(v)} could not be cloned.`);
      case "function": throw dataCloneError(`${String(v).slice(0, 60)} could not be cloned.`);
    }
    if (v === null) { w.u8(T.NULL); return; }
    const ref = seen.get(v);
    if (ref !== undefined) { w.u8(T.REF); w.u32(ref); return; }
    if (isPort(v)) {
      const i = ports.indexOf(v);
      if (i < 0) {
        throw nodeError(TypeError, "ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST",
          "Object that needs transfer was found in message but not listed in transferList");
      }
      seen.set(v, count++);
      w.u8(T.PORT);
      w.u32(i);
      return;
    }
    seen.set(v, count++);
    if (Array.isArray(v)) {
      const n = v.length;
      w.u8(T.ARR);
      w.u32(n);
      for (let i = 0; i < n; i++) {
        if (i in v) write(v[i]); else w.u8(T.HOLE);
      }
      return;
    }
    if (isArrayBuffer(v)) { writeBuffer(v); return; }
    if (ArrayBuffer.isView(v)) {
      const kind = viewKind(v);
      if (kind < 0) throw dataCloneError(`${Object.prototype.toString.call(v)} could not be cloned.`);
      w.u8(T.VIEW);
      w.u8(kind);
      w.u32(v.byteOffset);
      w.u32(kind === DATAVIEW ? v.byteLength : v.length);
      const b = v.buffer;
      if (!isArrayBuffer(b)) throw dataCloneError("A view on a SharedArrayBuffer could not be cloned.");
      const r = seen.get(b);
      if (r !== undefined) { w.u8(T.REF); w.u32(r); } else { seen.set(b, count++); writeBuffer(b); }
      return;
    }
    if (v instanceof Date) { w.u8(T.DATE); w.f64(v.getTime()); return; }
    if (v instanceof RegExp) { w.u8(T.REGEXP); w.str(v.source); w.str(v.flags); return; }
    if (v instanceof Map) {
      w.u8(T.MAP);
      w.u32(v.size);
      for (const [k, x] of v) { write(k); write(x); }
      return;
    }
    if (v instanceof Set) {
      w.u8(T.SET);
      w.u32(v.size);
      for (const k of v) write(k);
      return;
    }
    if (v instanceof Error) {
      w.u8(T.ERROR);
      const name = String(v.name);
      w.str(ERRORS[name] ? name : "Error");
      const message = String(v.message ?? "");
      w.str(message);
      // QuickJS's stack holds only the frames; V8's (Node's) starts with "Name: message".
      let stack = v.stack;
      if (typeof stack === "string" && !stack.startsWith(name)) stack = `${name}: ${message}\n${stack}`.trimEnd();
      const hasCause = Object.prototype.hasOwnProperty.call(v, "cause");
      w.u8((typeof stack === "string" ? 1 : 0) | (hasCause ? 2 : 0));
      if (typeof stack === "string") w.str(stack);
      if (hasCause) write(v.cause);
      const keys = extras ? Object.keys(v).filter((k) => k !== "message" && k !== "stack" && k !== "cause") : [];
      w.u32(keys.length);
      for (const k of keys) { w.str(k); write(v[k]); }
      return;
    }
    if (v instanceof Number) { w.u8(T.BOXNUM); w.f64(v.valueOf()); return; }
    if (v instanceof String) { w.u8(T.BOXSTR); w.str(v.valueOf()); return; }
    if (v instanceof Boolean) { w.u8(T.BOXBOOL); w.u8(v.valueOf() ? 1 : 0); return; }
    if (v instanceof BigInt) { w.u8(T.BOXBIGINT); w.str(v.valueOf().toString(16)); return; }
    if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef ||
        (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer)) {
      throw dataCloneError(`#<${v.constructor.name}> could not be cloned.`);
    }
    const keys = Object.keys(v);
    w.u8(T.OBJ);
    w.u32(keys.length);
    for (const k of keys) { w.str(k); write(v[k]); }
  }

  write(value);
  return { body: w.buf.subarray(0, w.pos), buffers, transferred, ports };
}

// ---- reading -------------------------------------------------------------------

const MAX_DEPTH = 2000;

function bad(why) {
  return dataCloneError(`Unable to deserialize cloned data: ${why}.`);
}

/**
 * Rebuild a value from `body` (Uint8Array or ArrayBuffer), `buffers` (the
 * ArrayBuffers the message carried) and `ports` (objects for T.PORT).
 * Throws a DataCloneError for anything malformed.
 */
export function deserialize(body, buffers = [], ports = []) {
  const u8 = body instanceof Uint8Array ? body : new Uint8Array(body);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const end = u8.length;
  let pos = 0;
  let depth = 0;
  const objs = [];
  const usedBuffers = new Set();
  const PENDING = objs; // placeholder for an object not built yet

  const need = (n) => { if (pos + n > end) throw bad("the message is truncated"); };
  const rU8 = () => { need(1); return u8[pos++]; };
  const rU32 = () => { need(4); const x = dv.getUint32(pos, true); pos += 4; return x; };
  const rI32 = () => { need(4); const x = dv.getInt32(pos, true); pos += 4; return x; };
  const rF64 = () => { need(8); const x = dv.getFloat64(pos, true); pos += 8; return x; };
  /** A count of items each taking at least `min` bytes: no more than the bytes left allow. */
  const rCount = (min) => {
    const n = rU32();
    if (n * min > end - pos) throw bad(`a count of ${n} exceeds the message`);
    return n;
  };
  const rStrAfterTag = (tag) => {
    if (tag === T.STR8) {
      const n = rU32();
      need(n);
      const slice = u8.subarray(pos, pos + n);
      pos += n;
      if (n < 64) {
        let ascii = true;
        for (let i = 0; i < n; i++) if (slice[i] > 0x7f) { ascii = false; break; }
        if (ascii) return String.fromCharCode.apply(null, slice);
      }
      return decodeUtf8(slice);
    }
    if (tag === T.STR16) {
      const n = rU32();
      if (n > (end - pos) / 2) throw bad("the message is truncated");
      let s = "";
      const units = new Array(Math.min(n, 4096));
      for (let i = 0; i < n; i += 4096) {
        const m = Math.min(4096, n - i);
        units.length = m;
        for (let j = 0; j < m; j++) units[j] = dv.getUint16(pos + 2 * (i + j), true);
        s += String.fromCharCode.apply(null, units);
      }
      pos += 2 * n;
      return s;
    }
    throw bad(`expected a string, found tag ${tag}`);
  };
  const rStr = () => rStrAfterTag(rU8());
  const rBigInt = () => {
    const s = rStr();
    if (!/^-?[0-9a-f]+$/.test(s)) throw bad("a malformed BigInt");
    return s[0] === "-" ? -BigInt(`0x${s.slice(1)}`) : BigInt(`0x${s}`);
  };
  const takeBuffer = () => {
    const i = rU32();
    if (i >= buffers.length || !isArrayBuffer(buffers[i])) throw bad(`buffer ${i} is missing`);
    if (usedBuffers.has(i)) throw bad(`buffer ${i} is used twice`);
    usedBuffers.add(i);
    return buffers[i];
  };
  const rBufferValue = () => {
    const tag = rU8();
    if (tag === T.AB) return takeBuffer();
    if (tag === T.ABINLINE) {
      const n = rU32();
      need(n);
      const ab = u8.buffer.slice(u8.byteOffset + pos, u8.byteOffset + pos + n);
      pos += n;
      return ab;
    }
    throw bad(`expected an ArrayBuffer, found tag ${tag}`);
  };

  function read() {
    if (++depth > MAX_DEPTH) throw bad("the value is nested too deeply");
    try {
      return readTagged(rU8());
    } finally {
      depth--;
    }
  }

  function readTagged(tag) {
    switch (tag) {
      case T.UNDEF: return undefined;
      case T.NULL: return null;
      case T.TRUE: return true;
      case T.FALSE: return false;
      case T.INT: return rI32();
      case T.NUM: return rF64();
      case T.BIGINT: return rBigInt();
      case T.STR8: case T.STR16: return rStrAfterTag(tag);
      case T.REF: {
        const i = rU32();
        if (i >= objs.length || objs[i] === PENDING) throw bad(`reference ${i} is invalid`);
        return objs[i];
      }
      case T.PORT: {
        const i = rU32();
        if (i >= ports.length) throw bad(`port ${i} is missing`);
        objs.push(ports[i]);
        return ports[i];
      }
      case T.OBJ: {
        const o = {};
        objs.push(o);
        const n = rCount(6);
        for (let i = 0; i < n; i++) {
          const k = rStr();
          const v = read();
          if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case T.ARR: {
        const n = rCount(1);
        const a = new Array(n);
        objs.push(a);
        for (let i = 0; i < n; i++) {
          if (pos < end && u8[pos] === T.HOLE) { pos++; continue; }
          a[i] = read();
        }
        return a;
      }
      case T.DATE: { const d = new Date(rF64()); objs.push(d); return d; }
      case T.REGEXP: {
        const source = rStr();
        const flags = rStr();
        let r;
        try { r = new RegExp(source, flags); } catch { throw bad("a malformed RegExp"); }
        objs.push(r);
        return r;
      }
      case T.MAP: {
        const m = new Map();
        objs.push(m);
        const n = rCount(2);
        for (let i = 0; i < n; i++) { const k = read(); m.set(k, read()); }
        return m;
      }
      case T.SET: {
        const s = new Set();
        objs.push(s);
        const n = rCount(1);
        for (let i = 0; i < n; i++) s.add(read());
        return s;
      }
      case T.ERROR: {
        const name = rStr();
        const message = rStr();
        const Ctor = Object.prototype.hasOwnProperty.call(ERRORS, name) ? ERRORS[name] : Error;
        const e = new Ctor(message);
        objs.push(e);
        const flags = rU8();
        if (flags & ~3) throw bad("malformed Error flags");
        if (flags & 1) Object.defineProperty(e, "stack", { value: rStr(), writable: true, configurable: true, enumerable: false });
        if (flags & 2) Object.defineProperty(e, "cause", { value: read(), writable: true, configurable: true, enumerable: false });
        const n = rCount(6);
        for (let i = 0; i < n; i++) {
          const k = rStr();
          Object.defineProperty(e, k, { value: read(), writable: true, configurable: true, enumerable: true });
        }
        return e;
      }
      case T.AB: case T.ABINLINE: {
        pos--;
        const ab = rBufferValue();
        objs.push(ab);
        return ab;
      }
      case T.VIEW: {
        const kind = rU8();
        const offset = rU32();
        const length = rU32();
        const slot = objs.length;
        objs.push(PENDING);
        let buffer;
        const btag = rU8();
        if (btag === T.REF) {
          const i = rU32();
          if (i >= objs.length || !isArrayBuffer(objs[i])) throw bad(`reference ${i} is not an ArrayBuffer`);
          buffer = objs[i];
        } else {
          pos--;
          buffer = rBufferValue();
          objs.push(buffer);
        }
        const size = buffer.byteLength;
        let view;
        if (kind === DATAVIEW) {
          if (offset > size || length > size - offset) throw bad("a DataView lies outside its buffer");
          view = new DataView(buffer, offset, length);
        } else {
          const C = VIEWS[kind];
          if (!C) throw bad(`unknown view kind ${kind}`);
          const bpe = C.BYTES_PER_ELEMENT;
          if (offset % bpe !== 0 || offset > size || length > (size - offset) / bpe) throw bad(`a ${C.name} lies outside its buffer`);
          view = new C(buffer, offset, length);
        }
        objs[slot] = view;
        return view;
      }
      case T.BOXNUM: { const o = Object(rF64()); objs.push(o); return o; }
      case T.BOXSTR: { const o = Object(rStr()); objs.push(o); return o; }
      case T.BOXBOOL: { const o = Object(rU8() !== 0); objs.push(o); return o; }
      case T.BOXBIGINT: { const o = Object(rBigInt()); objs.push(o); return o; }
      default:
        throw bad(`unknown tag ${tag} at byte ${pos - 1}`);
    }
  }

  let value;
  try {
    value = read();
  } catch (e) {
    if (e instanceof RangeError && !(e instanceof DOMException)) throw bad(e.message);
    throw e;
  }
  if (pos !== end) throw bad(`${end - pos} bytes left over`);
  return value;
}
