// node:util — inspect/format, promisify/callbackify, inherits, deprecate,
// debuglog, isDeepStrictEqual, types, TextEncoder/TextDecoder, parseArgs,
// styleText, the system error names and the legacy is* helpers, as Node 20
// documents them.

import { errnoName, strerror, getpid } from "jsk:sys";
import * as jskProcess from "jsk:process";
import { writeAll } from "jsk:console";
import {
  inspect, format, formatWithOptions, stripVTControlCharacters,
} from "node:internal/util/inspect";
import types from "node:internal/util/types";
import { isDeepStrictEqual } from "node:internal/util/comparisons";
import { TextEncoder, TextDecoder } from "node:internal/util/encoding";
import { parseArgs } from "node:internal/util/parse_args";
import { codes, nodeError } from "node:internal/errors";
import { nextTick } from "node:internal/process/tick";
import {
  validateFunction, validateNumber, validateString, validateAbortSignal,
} from "node:internal/validators";

const { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_INVALID_ARG_VALUE } = codes;

const proc = () => globalThis.process;

// ---------------------------------------------------------------- promisify

const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");

export function promisify(original) {
  validateFunction(original, "original");
  if (original[kCustomPromisify]) {
    const fn = original[kCustomPromisify];
    validateFunction(fn, "util.promisify.custom");
    return Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      args.push((err, value) => {
        if (err) reject(err);
        else resolve(value);
      });
      Reflect.apply(original, this, args);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  const descriptors = Object.getOwnPropertyDescriptors(original);
  return Object.defineProperties(fn, descriptors);
}
promisify.custom = kCustomPromisify;

// ---------------------------------------------------------------- callbackify

function onRejected(reason, cb) {
  if (!reason) {
    const err = nodeError(Error, "ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value");
    err.reason = reason;
    reason = err;
  }
  return cb(reason);
}

export function callbackify(original) {
  validateFunction(original, "original");
  function callbackified(...args) {
    const maybeCb = args.pop();
    validateFunction(maybeCb, "last argument");
    const cb = maybeCb.bind(this);
    Reflect.apply(original, this, args).then(
      (ret) => nextTick(cb, null, ret),
      (rej) => nextTick(onRejected, rej, cb),
    );
  }
  const descriptors = Object.getOwnPropertyDescriptors(original);
  if (typeof descriptors.length?.value === "number") descriptors.length.value++;
  if (typeof descriptors.name?.value === "string") descriptors.name.value += "Callbackified";
  Object.setPrototypeOf(callbackified, Object.getPrototypeOf(original));
  Object.defineProperties(callbackified, descriptors);
  return callbackified;
}

// ---------------------------------------------------------------- inherits

export function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw ERR_INVALID_ARG_TYPE("ctor", "Function", ctor);
  if (superCtor === undefined || superCtor === null) throw ERR_INVALID_ARG_TYPE("superCtor", "Function", superCtor);
  if (superCtor.prototype === undefined) {
    throw ERR_INVALID_ARG_TYPE("superCtor.prototype", "Object", superCtor.prototype);
  }
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

// ---------------------------------------------------------------- deprecate

const codesWarned = new Set();

function pid() {
  const p = proc();
  return p && typeof p.pid === "number" ? p.pid : getpid();
}

function emitDeprecation(msg, code, ctor) {
  const p = proc();
  if (p && typeof p.emitWarning === "function") {
    if (code !== undefined) p.emitWarning(msg, "DeprecationWarning", code, ctor);
    else p.emitWarning(msg, "DeprecationWarning", ctor);
    return;
  }
  if (p && p.noDeprecation) return;
  const warning = new Error(msg);
  warning.name = "DeprecationWarning";
  if (code !== undefined) warning.code = code;
  if (p && p.throwDeprecation) throw warning;
  writeAll(2, `(node:${pid()}) ${code !== undefined ? `[${code}] ` : ""}DeprecationWarning: ${msg}\n`);
}

export function deprecate(fn, msg, code) {
  const p = proc();
  if (p && p.noDeprecation === true) return fn;
  validateFunction(fn, "fn");
  if (code !== undefined) validateString(code, "code");
  let warned = false;
  function deprecated(...args) {
    const q = proc();
    if (!warned && !(q && q.noDeprecation === true)) {
      warned = true;
      if (code !== undefined) {
        if (!codesWarned.has(code)) {
          codesWarned.add(code);
          emitDeprecation(msg, code, deprecated);
        }
      } else {
        emitDeprecation(msg, undefined, deprecated);
      }
    }
    if (new.target) return Reflect.construct(fn, args, new.target);
    return Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

// ---------------------------------------------------------------- debuglog

let debugPattern;
let debugSpec;

function envValue(name) {
  const p = proc();
  const env = p && p.env ? p.env : jskProcess.process?.env;
  return env ? env[name] : undefined;
}

function debugEnabledFor(set) {
  const spec = envValue("NODE_DEBUG");
  if (debugPattern === undefined || spec !== debugSpec) {
    debugSpec = spec;
    if (spec) {
      const alternatives = spec.split(/[\s,]+/).filter(Boolean)
        .map((s) => s.replace(/[|\\{}()[\]^$+?.]/g, "\\$&").replace(/\*/g, ".*"));
      debugPattern = alternatives.length ? new RegExp(`^(${alternatives.join("|")})$`, "i") : null;
    } else {
      debugPattern = null;
    }
  }
  return debugPattern !== null && debugPattern.test(set);
}

export function debuglog(set, cb) {
  set = String(set);
  let impl;
  const init = () => {
    if (impl !== undefined) return;
    const upper = set.toUpperCase();
    if (debugEnabledFor(upper)) {
      impl = (...args) => {
        const p = proc();
        const text = `${upper} ${pid()}: ${format(...args)}\n`;
        if (p && p.stderr && typeof p.stderr.write === "function") p.stderr.write(text);
        else writeAll(2, text);
      };
      impl.enabled = true;
    } else {
      impl = () => {};
      impl.enabled = false;
    }
    if (typeof cb === "function") cb(impl);
  };
  const logger = (...args) => {
    init();
    impl(...args);
  };
  Object.defineProperty(logger, "enabled", {
    get() { init(); return impl.enabled; },
    configurable: true,
    enumerable: true,
  });
  return logger;
}

// ---------------------------------------------------------------- system errors

export function getSystemErrorName(err) {
  validateNumber(err, "err");
  if (err >= 0 || !Number.isSafeInteger(err)) throw ERR_OUT_OF_RANGE("err", "a negative integer", err);
  return errnoName(-err) ?? `Unknown system error ${err}`;
}

let systemErrorMap;
export function getSystemErrorMap() {
  if (systemErrorMap === undefined) {
    systemErrorMap = new Map();
    for (let n = 1; n < 134; n++) {
      const name = errnoName(n);
      if (name !== undefined && name !== null) systemErrorMap.set(-n, [name, String(strerror(n)).toLowerCase()]);
    }
  }
  return systemErrorMap;
}

// ---------------------------------------------------------------- styleText

function streamCanColor(stream) {
  if (!stream || !stream.isTTY) return false;
  const env = (name) => envValue(name);
  if (env("NO_COLOR") !== undefined || env("NODE_DISABLE_COLORS") !== undefined) return false;
  if (env("TERM") === "dumb") return false;
  if (typeof stream.hasColors === "function") return stream.hasColors();
  return true;
}

export function styleText(format, text, { validateStream = true, stream } = {}) {
  validateString(text, "text");
  const list = Array.isArray(format) ? format : [format];
  let left = "";
  let right = "";
  for (const key of list) {
    const code = inspect.colors[key];
    if (code === undefined || typeof key !== "string") {
      throw ERR_INVALID_ARG_VALUE("format", key, `must be one of: ${Object.keys(inspect.colors).map((k) => `'${k}'`).join(", ")}`);
    }
    left += `\u001b[${code[0]}m`;
    right = `\u001b[${code[1]}m${right}`;
  }
  if (validateStream) {
    const target = stream ?? proc()?.stdout;
    const forced = envValue("FORCE_COLOR");
    if (forced === undefined || forced === "0" || forced === "false") {
      if (forced !== undefined || !streamCanColor(target)) return text;
    }
  }
  return `${left}${text}${right}`;
}

// ---------------------------------------------------------------- misc

export function toUSVString(input) {
  return String(input).toWellFormed();
}

export function aborted(signal, resource) {
  if (signal === undefined) throw ERR_INVALID_ARG_TYPE("signal", "AbortSignal", signal);
  validateAbortSignal(signal, "signal");
  if (resource === null || (typeof resource !== "object" && typeof resource !== "function")) {
    throw ERR_INVALID_ARG_TYPE("resource", "Object", resource);
  }
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** util.parseEnv: the KEY=value lines of a .env file, as Node's dotenv parser reads them. */
export function parseEnv(content) {
  validateString(content, "content");
  const out = {};
  let rest = content;
  while (rest.length > 0) {
    if (rest[0] === "\n" || rest[0] === "#") {
      const nl = rest.indexOf("\n");
      if (nl !== -1) { rest = rest.slice(nl + 1); continue; }
    }
    const eq = rest.indexOf("=");
    if (eq === -1) break;
    let key = rest.slice(0, eq).trim();
    rest = rest.slice(eq + 1);
    if (key === "") {
      const nl = rest.indexOf("\n");
      if (nl === -1) break;
      rest = rest.slice(nl + 1);
      continue;
    }
    if (key.startsWith("export ")) key = key.slice(7);
    if (rest.length === 0) { out[key] = ""; break; }
    const q = rest[0];
    if (q === '"' || q === "'" || q === "`") {
      const close = rest.indexOf(q, 1);
      if (close !== -1) {
        let value = rest.slice(1, close);
        if (q === '"') value = value.replaceAll("\\n", "\n");
        out[key] = value;
        const nl = rest.indexOf("\n", close + 1);
        rest = nl === -1 ? "" : rest.slice(nl + 1);
        continue;
      }
      const nl = rest.indexOf("\n");
      if (nl === -1) { out[key] = rest.trim(); break; }
      out[key] = rest.slice(0, nl);
      rest = rest.slice(nl);
      continue;
    }
    const nl = rest.indexOf("\n");
    let value = nl === -1 ? rest : rest.slice(0, nl);
    if (nl !== -1) {
      const hash = value.indexOf("#");
      if (hash !== -1) value = value.slice(0, hash);
    }
    out[key] = value.trim();
    rest = nl === -1 ? "" : rest.slice(nl);
  }
  return out;
}

/** The system error Node's internals build from a negative errno. */
export function _errnoException(err, syscall, original) {
  const name = errnoName(-err) ?? "UNKNOWN";
  const e = new Error(original ? `${syscall} ${name} ${original}` : `${syscall} ${name}`);
  e.errno = err;
  e.code = name;
  e.syscall = syscall;
  return e;
}

export function _exceptionWithHostPort(err, syscall, address, port, additional) {
  const name = errnoName(-err) ?? "UNKNOWN";
  let details = "";
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  if (additional) details += ` - Local (${additional})`;
  const e = new Error(`${syscall} ${name}${details}`);
  e.errno = err;
  e.code = name;
  e.syscall = syscall;
  e.address = address;
  if (port) e.port = port;
  return e;
}

// The legacy helpers that old packages still call.
export const isArray = Array.isArray;
export const isBoolean = (arg) => typeof arg === "boolean";
export const isBuffer = (arg) => {
  const B = globalThis.Buffer;
  if (B && typeof B.isBuffer === "function") return B.isBuffer(arg);
  return arg instanceof Uint8Array && arg.constructor?.name === "Buffer";
};
export const isDate = types.isDate;
export const isError = (e) => types.isNativeError(e) || e instanceof Error;
export const isFunction = (arg) => typeof arg === "function";
export const isNull = (arg) => arg === null;
export const isNullOrUndefined = (arg) => arg === null || arg === undefined;
export const isNumber = (arg) => typeof arg === "number";
export const isObject = (arg) => arg !== null && typeof arg === "object";
export const isPrimitive = (arg) => arg === null || (typeof arg !== "object" && typeof arg !== "function");
export const isRegExp = types.isRegExp;
export const isString = (arg) => typeof arg === "string";
export const isSymbol = (arg) => typeof arg === "symbol";
export const isUndefined = (arg) => arg === undefined;

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n) => String(n).padStart(2, "0");

/** "26 Feb 16:19:34 - message" on stdout. */
export function log(...args) {
  const d = new Date();
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  const line = `${d.getDate()} ${months[d.getMonth()]} ${time} - ${format(...args)}\n`;
  const p = proc();
  if (p && p.stdout && typeof p.stdout.write === "function") p.stdout.write(line);
  else writeAll(1, line);
}

export function _extend(target, source) {
  if (source === null || typeof source !== "object") return target;
  const keys = Object.keys(source);
  let i = keys.length;
  while (i--) target[keys[i]] = source[keys[i]];
  return target;
}

export function MIMEType() {
  throw codes.ERR_NOT_IMPLEMENTED("util.MIMEType");
}
export function MIMEParams() {
  throw codes.ERR_NOT_IMPLEMENTED("util.MIMEParams");
}

export function transferableAbortSignal(signal) {
  return signal;
}
export function transferableAbortController() {
  return new AbortController();
}

export {
  inspect, format, formatWithOptions, stripVTControlCharacters, types, isDeepStrictEqual,
  TextEncoder, TextDecoder, parseArgs, debuglog as debug,
};

const util = {
  _errnoException, _exceptionWithHostPort, _extend, callbackify, debug: debuglog, debuglog, deprecate, format, formatWithOptions, getSystemErrorMap,
  getSystemErrorName, inherits, inspect, isArray, isBoolean, isBuffer, isDeepStrictEqual, isNull,
  isNullOrUndefined, isNumber, isString, isSymbol, isUndefined, isRegExp, isObject, isDate, isError,
  isFunction, isPrimitive, log, MIMEType, MIMEParams, parseArgs, parseEnv, promisify, stripVTControlCharacters,
  styleText, toUSVString, transferableAbortSignal, transferableAbortController, aborted,
  TextDecoder, TextEncoder, types,
};

export default util;
