// node:punycode — RFC 3492 Punycode (the Bootstring parameters for IDNA) and
// the IDNA label helpers toASCII/toUnicode, with the API of the punycode.js
// package that Node bundles (version 2.1.0).

const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_INT = 2147483647;

function fail(kind) {
  const messages = {
    overflow: "Overflow: input needs wider integers to process",
    "not-basic": "Illegal input >= 0x80 (not a basic code point)",
    "invalid-input": "Invalid input",
  };
  throw new RangeError(messages[kind]);
}

/** The code points of a string (a surrogate pair is one, a lone surrogate stays itself). */
function ucs2decode(string) {
  const out = [];
  const len = string.length;
  for (let i = 0; i < len; i++) {
    const c = string.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = string.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

/** A string from code points. */
function ucs2encode(codePoints) {
  let s = "";
  for (let i = 0; i < codePoints.length; i += 4096) {
    s += String.fromCodePoint.apply(null, codePoints.slice(i, i + 4096));
  }
  return s;
}

// 0..25 → 'a'..'z', 26..35 → '0'..'9'.
function digitChar(d) {
  return d + 22 + 75 * (d < 26);
}

function digitValue(c) {
  if (c >= 0x30 && c < 0x3a) return 26 + (c - 0x30);
  if (c >= 0x41 && c < 0x5b) return c - 0x41;
  if (c >= 0x61 && c < 0x7b) return c - 0x61;
  return BASE;
}

function adapt(delta, numPoints, firstTime) {
  delta = firstTime ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN));
    k += BASE;
  }
  return Math.floor(k + ((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

/** Punycode → Unicode ("mnchen-3ya" → "münchen"). */
export function decode(input) {
  const output = [];
  let basic = input.lastIndexOf("-");
  if (basic < 0) basic = 0;
  for (let j = 0; j < basic; j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) fail("not-basic");
    output.push(c);
  }
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  let i = 0;
  for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
    const oldi = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      if (index >= input.length) fail("invalid-input");
      const digit = digitValue(input.charCodeAt(index++));
      if (digit >= BASE) fail("invalid-input");
      if (digit > Math.floor((MAX_INT - i) / w)) fail("overflow");
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(MAX_INT / (BASE - t))) fail("overflow");
      w *= BASE - t;
    }
    const out = output.length + 1;
    bias = adapt(i - oldi, out, oldi === 0);
    if (Math.floor(i / out) > MAX_INT - n) fail("overflow");
    n += Math.floor(i / out);
    i %= out;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint.apply(null, output);
}

/** Unicode → Punycode ("münchen" → "mnchen-3ya"). */
export function encode(input) {
  const cps = ucs2decode(input);
  const len = cps.length;
  let out = "";
  for (let j = 0; j < len; j++) if (cps[j] < 0x80) out += String.fromCharCode(cps[j]);
  const basicLength = out.length;
  let handled = basicLength;
  if (basicLength > 0) out += "-";
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (handled < len) {
    let m = MAX_INT;
    for (let j = 0; j < len; j++) if (cps[j] >= n && cps[j] < m) m = cps[j];
    if (m - n > Math.floor((MAX_INT - delta) / (handled + 1))) fail("overflow");
    delta += (m - n) * (handled + 1);
    n = m;
    for (let j = 0; j < len; j++) {
      const c = cps[j];
      if (c < n && ++delta > MAX_INT) fail("overflow");
      if (c === n) {
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
          if (q < t) break;
          out += String.fromCharCode(digitChar(t + ((q - t) % (BASE - t))));
          q = Math.floor((q - t) / (BASE - t));
        }
        out += String.fromCharCode(digitChar(q));
        bias = adapt(delta, handled + 1, handled === basicLength);
        delta = 0;
        handled++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

// Labels are separated by '.', U+3002, U+FF0E or U+FF61; an e-mail address
// keeps its local part unchanged.
function mapDomain(domain, fn) {
  const at = domain.split("@");
  let prefix = "";
  if (at.length > 1) {
    prefix = `${at[0]}@`;
    domain = at[1];
  }
  const labels = domain.replace(/[\u3002\uFF0E\uFF61]/g, ".").split(".");
  return prefix + labels.map(fn).join(".");
}

/** Each non-ASCII label of a domain as "xn--" + Punycode. */
export function toASCII(domain) {
  return mapDomain(domain, (label) => (/[^\0-\x7F]/.test(label) ? `xn--${encode(label)}` : label));
}

/** Each "xn--" label of a domain decoded to Unicode. */
export function toUnicode(domain) {
  return mapDomain(domain, (label) => (/^xn--/.test(label) ? decode(label.slice(4).toLowerCase()) : label));
}

export const version = "2.1.0";
export const ucs2 = { decode: ucs2decode, encode: ucs2encode };

const punycode = { version, ucs2, decode, encode, toASCII, toUnicode };
export default punycode;
