// node:querystring — Node's query string parser and serializer: '&'/'=' (or
// any separators) between pairs, '+' read as a space, repeated keys collected
// into arrays, percent escapes read as UTF-8, invalid escapes kept as text.

import { nodeError } from "node:internal/errors";
import { decodeUtf8 } from "jsk:native";

/** Percent-encodes as encodeURIComponent does (Node's escape set); a lone surrogate throws ERR_INVALID_URI. */
export function escape(str) {
  if (typeof str !== "string") str = typeof str === "object" ? String(str) : `${str}`;
  try {
    return encodeURIComponent(str);
  } catch {
    throw nodeError(URIError, "ERR_INVALID_URI", "URI malformed");
  }
}

function hexValue(c) {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** The bytes of `s` with %XX escapes decoded (and '+' as a space when `decodeSpaces`); malformed escapes stay. */
export function unescapeBuffer(s, decodeSpaces) {
  s = `${s}`;
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hi >= 0 ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = c === 43 && decodeSpaces ? 32 : c & 0xff;
  }
  const bytes = out.subarray(0, n);
  const B = globalThis.Buffer;
  return typeof B?.from === "function" ? B.from(bytes.buffer, 0, n) : bytes;
}

/** decodeURIComponent, falling back to a byte-wise decode that keeps malformed escapes. */
export function unescape(s, decodeSpaces) {
  try {
    return decodeURIComponent(s);
  } catch {
    const b = unescapeBuffer(s, decodeSpaces);
    return decodeUtf8(b);
  }
}

function primitive(v) {
  switch (typeof v) {
    case "string": return v;
    case "number": return Number.isFinite(v) ? `${v}` : "";
    case "bigint": return `${v}`;
    case "boolean": return v ? "true" : "false";
    default: return "";
  }
}

/** Serializes an object's own enumerable properties; array values repeat their key. */
export function stringify(obj, sep, eq, options) {
  sep = sep || "&";
  eq = eq || "=";
  const encode = typeof options?.encodeURIComponent === "function" ? options.encodeURIComponent : querystring.escape;
  if (obj === null || typeof obj !== "object") return "";
  const keys = Object.keys(obj);
  const parts = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = obj[k];
    const ks = encode(primitive(k)) + eq;
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) parts.push(ks + encode(primitive(v[j])));
    } else {
      parts.push(ks + encode(primitive(v)));
    }
  }
  return parts.join(sep);
}

function decodePart(s, decoder, plain) {
  if (s.indexOf("+") >= 0) s = s.replace(/\+/g, " ");
  // Without a valid %XX escape the text is taken as it is.
  if (plain && !/%[0-9a-fA-F]{2}/.test(s)) return s;
  try {
    return decoder(s);
  } catch {
    return querystring.unescape(s, true);
  }
}

/** Parses 'a=1&b=2&a=3' into { a: ['1', '3'], b: '2' } (an object without prototype). */
export function parse(qs, sep, eq, options) {
  const obj = Object.create(null);
  if (typeof qs !== "string" || qs.length === 0) return obj;
  sep = sep ? `${sep}` : "&";
  eq = eq ? `${eq}` : "=";
  let maxKeys = 1000;
  if (options && typeof options.maxKeys === "number") maxKeys = options.maxKeys;
  const limit = maxKeys > 0 ? maxKeys : Infinity;
  const custom = typeof options?.decodeURIComponent === "function" && options.decodeURIComponent !== querystring.unescape;
  const decoder = custom ? options.decodeURIComponent : querystring.unescape;
  let pairs = 0;
  let start = 0;
  while (start <= qs.length && pairs < limit) {
    let end = qs.indexOf(sep, start);
    if (end < 0) end = qs.length;
    if (end > start) {
      const piece = qs.slice(start, end);
      const at = piece.indexOf(eq);
      const rawKey = at >= 0 ? piece.slice(0, at) : piece;
      const rawValue = at >= 0 ? piece.slice(at + eq.length) : "";
      const key = decodePart(rawKey, decoder, !custom);
      const value = decodePart(rawValue, decoder, !custom);
      const old = obj[key];
      if (old === undefined) obj[key] = value;
      else if (Array.isArray(old)) old.push(value);
      else obj[key] = [old, value];
      pairs++;
    }
    start = end + sep.length;
  }
  return obj;
}

const querystring = {
  unescapeBuffer,
  unescape,
  escape,
  stringify,
  encode: stringify,
  parse,
  decode: parse,
};

export { stringify as encode, parse as decode };
export default querystring;
