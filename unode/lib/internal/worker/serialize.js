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
  if (!(v instanceof ArrayBuffer)) return false;
  try { abByteLength.call(v); return true; } catch { return false; }
}

export function isDetached(ab) {
  return abDetached ? abDetached.call(ab) : false;
}

// ---- writing -------------------------------------------------------------------

const NO_TRANSFER = new Set();
const NO_PORTS = [];

function viewKind(v) {
  if (v instanceof DataView) return DATAVIEW;
  const tag = taTag.call(v);
  for (let i = 0; i < VIEWS.length; i++) if (VIEWS[i].name === tag) return i;
  return -1;
}

/** One serialisation's state; the write buffer is kept for the next message. */
class Serializer {
  constructor() {
    this.buf = new Uint8Array(1024);
    this.dv = new DataView(this.buf.buffer);
    this.pos = 0;
    this.seen = new Map();
    this.count = 0;
    this.buffers = [];
    this.bufferIndex = null;
    this.transferred = NO_TRANSFER;
    this.ports = NO_PORTS;
    this.isPort = null;
    this.inline = false;
    this.extras = false;
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

  tagU32(tag, x) {
    if (this.pos + 5 > this.buf.length) this.grow(5);
    this.buf[this.pos] = tag;
    this.dv.setUint32(this.pos + 1, x, true);
    this.pos += 5;
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
    if (n < 128) {
      if (this.pos + 5 + n > this.buf.length) this.grow(5 + n);
      const buf = this.buf;
      const at = this.pos + 5;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[at + i] = c;
      }
      if (i === n) {
        this.tagU32(T.STR8, n);
        this.pos += n;
        return;
      }
    }
    if (s.isWellFormed()) {
      this.u8(T.STR8);
      this.bytes(encodeUtf8(s));
      return;
    }
    this.tagU32(T.STR16, n);
    if (this.pos + 2 * n > this.buf.length) this.grow(2 * n);
    for (let i = 0; i < n; i++) this.dv.setUint16(this.pos + 2 * i, s.charCodeAt(i), true);
    this.pos += 2 * n;
  }

  f64(tag, x) {
    if (this.pos + 9 > this.buf.length) this.grow(9);
    this.buf[this.pos] = tag;
    this.dv.setFloat64(this.pos + 1, x, true);
    this.pos += 9;
  }

  buffer(ab) {
    if (isDetached(ab)) throw dataCloneError("An ArrayBuffer is detached and could not be cloned.");
    if (this.inline) {
      this.u8(T.ABINLINE);
      this.bytes(new Uint8Array(ab));
      return;
    }
    this.bufferIndex ??= new Map();
    let i = this.bufferIndex.get(ab);
    if (i === undefined) {
      i = this.buffers.length;
      this.buffers.push(ab);
      this.bufferIndex.set(ab, i);
    }
    this.tagU32(T.AB, i);
  }

  write(v) {
    switch (typeof v) {
      case "undefined": this.u8(T.UNDEF); return;
      case "boolean": this.u8(v ? T.TRUE : T.FALSE); return;
      case "number":
        if ((v | 0) === v && !(v === 0 && 1 / v < 0)) this.tagU32(T.INT, v >>> 0);
        else this.f64(T.NUM, v);
        return;
      case "bigint": this.u8(T.BIGINT); this.str(v.toString(16)); return;
      case "string": this.str(v); return;
      case "symbol": throw dataCloneError(`${String(v)} could not be cloned.`);
      case "function": throw dataCloneError(`${String(v).slice(0, 60)} could not be cloned.`);
    }
    if (v === null) { this.u8(T.NULL); return; }
    const ref = this.seen.get(v);
    if (ref !== undefined) { this.tagU32(T.REF, ref); return; }
    if (this.isPort !== null && this.isPort(v)) {
      const i = this.ports.indexOf(v);
      if (i < 0) {
        throw nodeError(TypeError, "ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST",
          "Object that needs transfer was found in message but not listed in transferList");
      }
      this.seen.set(v, this.count++);
      this.tagU32(T.PORT, i);
      return;
    }
    this.seen.set(v, this.count++);
    if (Array.isArray(v)) {
      const n = v.length;
      this.tagU32(T.ARR, n);
      for (let i = 0; i < n; i++) {
        if (i in v) this.write(v[i]); else this.u8(T.HOLE);
      }
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) { this.object(v); return; }
    if (v instanceof ArrayBuffer && isArrayBuffer(v)) { this.buffer(v); return; }
    if (ArrayBuffer.isView(v)) { this.view(v); return; }
    if (v instanceof Date) { this.f64(T.DATE, v.getTime()); return; }
    if (v instanceof RegExp) { this.u8(T.REGEXP); this.str(v.source); this.str(v.flags); return; }
    if (v instanceof Map) {
      this.tagU32(T.MAP, v.size);
      for (const [k, x] of v) { this.write(k); this.write(x); }
      return;
    }
    if (v instanceof Set) {
      this.tagU32(T.SET, v.size);
      for (const k of v) this.write(k);
      return;
    }
    if (v instanceof Error) { this.error(v); return; }
    if (v instanceof Number) { this.f64(T.BOXNUM, v.valueOf()); return; }
    if (v instanceof String) { this.u8(T.BOXSTR); this.str(v.valueOf()); return; }
    if (v instanceof Boolean) { this.u8(T.BOXBOOL); this.u8(v.valueOf() ? 1 : 0); return; }
    if (v instanceof BigInt) { this.u8(T.BOXBIGINT); this.str(v.valueOf().toString(16)); return; }
    if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef ||
        (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer)) {
      throw dataCloneError(`#<${v.constructor.name}> could not be cloned.`);
    }
    this.object(v);
  }

  object(v) {
    const keys = Object.keys(v);
    this.tagU32(T.OBJ, keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      this.str(k);
      this.write(v[k]);
    }
  }

  view(v) {
    const kind = viewKind(v);
    if (kind < 0) throw dataCloneError(`${Object.prototype.toString.call(v)} could not be cloned.`);
    this.u8(T.VIEW);
    this.u8(kind);
    this.u32(v.byteOffset);
    this.u32(kind === DATAVIEW ? v.byteLength : v.length);
    const b = v.buffer;
    if (!isArrayBuffer(b)) throw dataCloneError("A view on a SharedArrayBuffer could not be cloned.");
    const r = this.seen.get(b);
    if (r !== undefined) this.tagU32(T.REF, r);
    else { this.seen.set(b, this.count++); this.buffer(b); }
  }

  error(v) {
    this.u8(T.ERROR);
    const name = String(v.name);
    this.str(ERRORS[name] ? name : "Error");
    const message = String(v.message ?? "");
    this.str(message);
    // QuickJS's stack holds only the frames; V8's (Node's) starts with "Name: message".
    let stack = v.stack;
    if (typeof stack === "string" && !stack.startsWith(name)) stack = `${name}: ${message}\n${stack}`.trimEnd();
    const hasCause = Object.prototype.hasOwnProperty.call(v, "cause");
    this.u8((typeof stack === "string" ? 1 : 0) | (hasCause ? 2 : 0));
    if (typeof stack === "string") this.str(stack);
    if (hasCause) this.write(v.cause);
    const keys = this.extras ? Object.keys(v).filter((k) => k !== "message" && k !== "stack" && k !== "cause") : [];
    this.u32(keys.length);
    for (const k of keys) { this.str(k); this.write(v[k]); }
  }
}

let spare = null;

/**
 * Serialize `value`. `transfer` is the validated transfer list (ArrayBuffers
 * and ports); `isPort(v)` says whether an object is a MessagePort.
 */
export function serialize(value, { transfer, isPort = null, inline = false, extras = false } = {}) {
  // A getter may post a message while its object is being serialised: that one gets its own state.
  const s = spare ?? new Serializer();
  spare = null;
  s.pos = 0;
  s.count = 0;
  s.isPort = isPort;
  s.inline = inline;
  s.extras = extras;
  if (transfer !== undefined && transfer.length > 0) {
    s.transferred = new Set();
    s.ports = [];
    for (const t of transfer) {
      if (isArrayBuffer(t)) s.transferred.add(t);
      else if (isPort !== null && isPort(t)) s.ports.push(t);
    }
  }
  try {
    s.write(value);
    return { body: s.buf.slice(0, s.pos), buffers: s.buffers, transferred: s.transferred, ports: s.ports };
  } finally {
    s.seen.clear();
    s.bufferIndex = null;
    s.buffers = [];
    s.transferred = NO_TRANSFER;
    s.ports = NO_PORTS;
    s.isPort = null;
    if (s.buf.length > 1 << 20) {
      s.buf = new Uint8Array(1024);
      s.dv = new DataView(s.buf.buffer);
    }
    spare = s;
  }
}

// ---- reading -------------------------------------------------------------------

const MAX_DEPTH = 2000;
const PENDING = Symbol("pending");

function bad(why) {
  return dataCloneError(`Unable to deserialize cloned data: ${why}.`);
}

function defineValue(o, k, value, enumerable) {
  Object.defineProperty(o, k, { value, writable: true, enumerable, configurable: true });
}

class Reader {
  constructor(u8, buffers, ports) {
    this.u8 = u8;
    this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    this.end = u8.length;
    this.pos = 0;
    this.depth = 0;
    this.objs = [];
    this.buffers = buffers;
    this.ports = ports;
    this.used = null;
  }

  need(n) {
    if (this.pos + n > this.end) throw bad("the message is truncated");
  }

  rU8() {
    if (this.pos >= this.end) throw bad("the message is truncated");
    return this.u8[this.pos++];
  }

  rU32() {
    if (this.pos + 4 > this.end) throw bad("the message is truncated");
    const x = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return x;
  }

  rF64() {
    if (this.pos + 8 > this.end) throw bad("the message is truncated");
    const x = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  /** A count of items each taking at least `min` bytes: no more than the bytes left allow. */
  rCount(min) {
    const n = this.rU32();
    if (n * min > this.end - this.pos) throw bad(`a count of ${n} exceeds the message`);
    return n;
  }

  strAfterTag(tag) {
    if (tag === T.STR8) {
      const n = this.rU32();
      this.need(n);
      const at = this.pos;
      this.pos += n;
      const u8 = this.u8;
      if (n <= 8) {
        let s = "";
        for (let i = 0; i < n; i++) {
          const c = u8[at + i];
          if (c > 0x7f) return decodeUtf8(u8.subarray(at, at + n));
          s += String.fromCharCode(c);
        }
        return s;
      }
      if (n < 256) {
        let i = 0;
        while (i < n && u8[at + i] <= 0x7f) i++;
        if (i === n) return String.fromCharCode.apply(null, u8.subarray(at, at + n));
      }
      return decodeUtf8(u8.subarray(at, at + n));
    }
    if (tag === T.STR16) {
      const n = this.rU32();
      if (n > (this.end - this.pos) / 2) throw bad("the message is truncated");
      let s = "";
      const units = new Array(Math.min(n, 4096));
      for (let i = 0; i < n; i += 4096) {
        const m = Math.min(4096, n - i);
        units.length = m;
        for (let j = 0; j < m; j++) units[j] = this.dv.getUint16(this.pos + 2 * (i + j), true);
        s += String.fromCharCode.apply(null, units);
      }
      this.pos += 2 * n;
      return s;
    }
    throw bad(`expected a string, found tag ${tag}`);
  }

  str() {
    return this.strAfterTag(this.rU8());
  }

  bigint() {
    const s = this.str();
    if (!/^-?[0-9a-f]+$/.test(s)) throw bad("a malformed BigInt");
    return s[0] === "-" ? -BigInt(`0x${s.slice(1)}`) : BigInt(`0x${s}`);
  }

  bufferValue() {
    const tag = this.rU8();
    if (tag === T.AB) {
      const i = this.rU32();
      const b = this.buffers[i];
      if (i >= this.buffers.length || !isArrayBuffer(b)) throw bad(`buffer ${i} is missing`);
      this.used ??= new Set();
      if (this.used.has(i)) throw bad(`buffer ${i} is used twice`);
      this.used.add(i);
      return b;
    }
    if (tag === T.ABINLINE) {
      const n = this.rU32();
      this.need(n);
      const start = this.u8.byteOffset + this.pos;
      this.pos += n;
      return this.u8.buffer.slice(start, start + n);
    }
    throw bad(`expected an ArrayBuffer, found tag ${tag}`);
  }

  read() {
    if (++this.depth > MAX_DEPTH) throw bad("the value is nested too deeply");
    const v = this.tagged(this.rU8());
    this.depth--;
    return v;
  }

  tagged(tag) {
    const objs = this.objs;
    switch (tag) {
      case T.UNDEF: return undefined;
      case T.NULL: return null;
      case T.TRUE: return true;
      case T.FALSE: return false;
      case T.INT: return this.rU32() | 0;
      case T.NUM: return this.rF64();
      case T.BIGINT: return this.bigint();
      case T.STR8: case T.STR16: return this.strAfterTag(tag);
      case T.REF: {
        const i = this.rU32();
        if (i >= objs.length || objs[i] === PENDING) throw bad(`reference ${i} is invalid`);
        return objs[i];
      }
      case T.PORT: {
        const i = this.rU32();
        if (i >= this.ports.length) throw bad(`port ${i} is missing`);
        objs.push(this.ports[i]);
        return this.ports[i];
      }
      case T.OBJ: {
        const o = {};
        objs.push(o);
        const n = this.rCount(6);
        for (let i = 0; i < n; i++) {
          const k = this.str();
          const v = this.read();
          if (k === "__proto__") defineValue(o, k, v, true);
          else o[k] = v;
        }
        return o;
      }
      case T.ARR: {
        const n = this.rCount(1);
        const a = new Array(n);
        objs.push(a);
        for (let i = 0; i < n; i++) {
          if (this.pos < this.end && this.u8[this.pos] === T.HOLE) { this.pos++; continue; }
          a[i] = this.read();
        }
        return a;
      }
      case T.DATE: { const d = new Date(this.rF64()); objs.push(d); return d; }
      case T.REGEXP: {
        const source = this.str();
        const flags = this.str();
        let r;
        try { r = new RegExp(source, flags); } catch { throw bad("a malformed RegExp"); }
        objs.push(r);
        return r;
      }
      case T.MAP: {
        const m = new Map();
        objs.push(m);
        const n = this.rCount(2);
        for (let i = 0; i < n; i++) { const k = this.read(); m.set(k, this.read()); }
        return m;
      }
      case T.SET: {
        const s = new Set();
        objs.push(s);
        const n = this.rCount(1);
        for (let i = 0; i < n; i++) s.add(this.read());
        return s;
      }
      case T.ERROR: {
        const name = this.str();
        const message = this.str();
        const Ctor = Object.prototype.hasOwnProperty.call(ERRORS, name) ? ERRORS[name] : Error;
        const e = new Ctor(message);
        objs.push(e);
        const flags = this.rU8();
        if (flags & ~3) throw bad("malformed Error flags");
        if (flags & 1) defineValue(e, "stack", this.str(), false);
        if (flags & 2) defineValue(e, "cause", this.read(), false);
        const n = this.rCount(6);
        for (let i = 0; i < n; i++) {
          const k = this.str();
          defineValue(e, k, this.read(), true);
        }
        return e;
      }
      case T.AB: case T.ABINLINE: {
        this.pos--;
        const ab = this.bufferValue();
        objs.push(ab);
        return ab;
      }
      case T.VIEW: return this.view();
      case T.BOXNUM: { const o = Object(this.rF64()); objs.push(o); return o; }
      case T.BOXSTR: { const o = Object(this.str()); objs.push(o); return o; }
      case T.BOXBOOL: { const o = Object(this.rU8() !== 0); objs.push(o); return o; }
      case T.BOXBIGINT: { const o = Object(this.bigint()); objs.push(o); return o; }
      default:
        throw bad(`unknown tag ${tag} at byte ${this.pos - 1}`);
    }
  }

  view() {
    const objs = this.objs;
    const kind = this.rU8();
    const offset = this.rU32();
    const length = this.rU32();
    const slot = objs.length;
    objs.push(PENDING);
    let buffer;
    const btag = this.rU8();
    if (btag === T.REF) {
      const i = this.rU32();
      if (i >= objs.length || !isArrayBuffer(objs[i])) throw bad(`reference ${i} is not an ArrayBuffer`);
      buffer = objs[i];
    } else {
      this.pos--;
      buffer = this.bufferValue();
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
}

/**
 * Rebuild a value from `body` (Uint8Array or ArrayBuffer), `buffers` (the
 * ArrayBuffers the message carried) and `ports` (objects for T.PORT).
 * Throws a DataCloneError for anything malformed.
 */
export function deserialize(body, buffers = [], ports = []) {
  const r = new Reader(body instanceof Uint8Array ? body : new Uint8Array(body), buffers, ports);
  let value;
  try {
    value = r.read();
  } catch (e) {
    if (e instanceof RangeError) throw bad(e.message);
    throw e;
  }
  if (r.pos !== r.end) throw bad(`${r.end - r.pos} bytes left over`);
  return value;
}
