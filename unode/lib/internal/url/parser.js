// node:internal/url/parser — the URL Standard's basic URL parser and
// serializer over a plain record { scheme, username, password, host, port,
// path (array of segments, or a string for an opaque path), query, fragment },
// the host parser (domains to ASCII, IPv4 in all its number forms, IPv6), the
// percent-encode sets and application/x-www-form-urlencoded.
//
// Domains: labels are lower-cased, NFKC-normalized and Punycode-encoded; the
// full UTS #46 mapping table (and its validity checks) is not applied.

import { encodeUtf8, decodeUtf8 } from "jsk:native";
import { encode as punyEncode, decode as punyDecode } from "node:punycode";

// ---------------------------------------------------------------------------
// Percent-encode sets, as bit flags over ASCII (every set holds all non-ASCII).

export const C0 = 1;
export const FRAGMENT = 2;
export const QUERY = 4;
export const SPECIAL_QUERY = 8;
export const PATH = 16;
export const USERINFO = 32;
export const COMPONENT = 64;
export const FORM = 128;

const sets = new Uint8Array(128);
(() => {
  const add = (bits, chars) => { for (const ch of chars) sets[ch.charCodeAt(0)] |= bits; };
  const all = C0 | FRAGMENT | QUERY | SPECIAL_QUERY | PATH | USERINFO | COMPONENT | FORM;
  for (let c = 0; c < 0x20; c++) sets[c] = all;
  sets[0x7f] = all;
  add(all & ~C0, " \"<>");
  add(FRAGMENT | FORM | COMPONENT | USERINFO, "`");
  add(PATH, "`");
  add(QUERY | SPECIAL_QUERY | PATH | USERINFO | COMPONENT | FORM, "#");
  add(SPECIAL_QUERY | FORM, "'");
  add(PATH | USERINFO | COMPONENT | FORM, "?{}");
  add(USERINFO | COMPONENT | FORM, "/:;=@[\\]^|");
  add(COMPONENT | FORM, "$%&+,");
  add(FORM, "!()~");
})();

const HEX = [];
for (let i = 0; i < 256; i++) HEX.push(`%${i < 16 ? "0" : ""}${i.toString(16).toUpperCase()}`);

/** UTF-8 percent-encodes the code points of `s` that are in the set `bit` (FORM also turns ' ' into '+'). */
export function percentEncode(s, bit, spaceAsPlus = false) {
  const len = s.length;
  let i = 0;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (sets[c] & bit) !== 0) break;
  }
  if (i === len) return s;
  let out = s.slice(0, i);
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if ((sets[c] & bit) === 0) {
        let j = i + 1;
        while (j < len) {
          const d = s.charCodeAt(j);
          if (d >= 128 || (sets[d] & bit) !== 0) break;
          j++;
        }
        out += s.slice(i, j);
        i = j;
      } else {
        out += c === 32 && spaceAsPlus ? "+" : HEX[c];
        i++;
      }
    } else {
      let j = i + 1;
      while (j < len && s.charCodeAt(j) >= 128) j++;
      const bytes = encodeUtf8(s.slice(i, j).toWellFormed());
      for (let k = 0; k < bytes.length; k++) out += HEX[bytes[k]];
      i = j;
    }
  }
  return out;
}

function hexValue(c) {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** The bytes of `s` (UTF-8) with its %XX sequences decoded. */
export function percentDecodeBytes(s) {
  const bytes = encodeUtf8(s.toWellFormed());
  const n = bytes.length;
  let p = bytes.indexOf(37);
  if (p < 0) return bytes;
  const out = new Uint8Array(n);
  out.set(bytes.subarray(0, p));
  let o = p;
  for (let i = p; i < n; i++) {
    const b = bytes[i];
    if (b === 37 && i + 2 < n) {
      const hi = hexValue(bytes[i + 1]);
      const lo = hi >= 0 ? hexValue(bytes[i + 2]) : -1;
      if (lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = b;
  }
  return out.subarray(0, o);
}

/** Percent-decodes `s` and reads the bytes as UTF-8 (invalid sequences become U+FFFD). */
export function percentDecode(s) {
  if (s.indexOf("%") < 0) return s.toWellFormed();
  return decodeUtf8(percentDecodeBytes(s));
}

// ---------------------------------------------------------------------------
// application/x-www-form-urlencoded

/** Parses "a=1&b=%20+" into [["a", "1"], ["b", "  "]]. */
export function parseForm(input) {
  const out = [];
  const len = input.length;
  let start = 0;
  while (start < len) {
    let end = input.indexOf("&", start);
    if (end < 0) end = len;
    if (end > start) {
      let piece = input.slice(start, end);
      if (piece.indexOf("+") >= 0) piece = piece.replace(/\+/g, " ");
      const eq = piece.indexOf("=");
      if (eq >= 0) out.push([percentDecode(piece.slice(0, eq)), percentDecode(piece.slice(eq + 1))]);
      else out.push([percentDecode(piece), ""]);
    }
    start = end + 1;
  }
  return out;
}

/** Serializes [[name, value], ...] as application/x-www-form-urlencoded. */
export function serializeForm(list) {
  let out = "";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += "&";
    out += `${percentEncode(list[i][0], FORM, true)}=${percentEncode(list[i][1], FORM, true)}`;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Schemes

export const specialPorts = { __proto__: null, "ftp": 21, "file": null, "http": 80, "https": 443, "ws": 80, "wss": 443 };

export function isSpecialScheme(s) {
  return s in specialPorts;
}

// ---------------------------------------------------------------------------
// Hosts

/** An IPv4 part as a number: decimal, 0x hex or 0-prefixed octal; -1 for failure. */
function parseIPv4Number(s) {
  if (s.length === 0) return -1;
  let radix = 10;
  if (s.length >= 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 0x20) === 120) {
    radix = 16;
    s = s.slice(2);
  } else if (s.length >= 2 && s.charCodeAt(0) === 48) {
    radix = 8;
    s = s.slice(1);
  }
  if (s.length === 0) return 0;
  const re = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/;
  if (!re.test(s)) return -1;
  return parseInt(s, radix);
}

function endsInANumber(s) {
  const parts = s.split(".");
  if (parts[parts.length - 1] === "") {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts[parts.length - 1];
  if (last !== "" && /^[0-9]+$/.test(last)) return true;
  return parseIPv4Number(last) >= 0;
}

/** The IPv4 address in `s` as a 32-bit number, or -1. */
function parseIPv4(s) {
  const parts = s.split(".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.pop();
  if (parts.length > 4) return -1;
  const nums = [];
  for (let i = 0; i < parts.length; i++) {
    const n = parseIPv4Number(parts[i]);
    if (n < 0) return -1;
    nums.push(n);
  }
  for (let i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return -1;
  const last = nums[nums.length - 1];
  if (last >= 256 ** (5 - nums.length)) return -1;
  let v = last;
  for (let i = 0; i < nums.length - 1; i++) v += nums[i] * 256 ** (3 - i);
  return v;
}

export function serializeIPv4(n) {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** The eight 16-bit pieces of an IPv6 address (text without brackets), or null. */
export function parseIPv6(s) {
  const addr = [0, 0, 0, 0, 0, 0, 0, 0];
  let piece = 0;
  let compress = -1;
  let p = 0;
  const len = s.length;
  const at = (i) => (i < len ? s.charCodeAt(i) : -1);
  if (at(0) === 58) {
    if (at(1) !== 58) return null;
    p = 2;
    piece = 1;
    compress = 1;
  }
  while (p < len) {
    if (piece === 8) return null;
    if (at(p) === 58) {
      if (compress >= 0) return null;
      p++;
      piece++;
      compress = piece;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && hexValue(at(p)) >= 0) {
      value = value * 16 + hexValue(at(p));
      p++;
      length++;
    }
    if (at(p) === 46) {
      if (length === 0) return null;
      p -= length;
      if (piece > 6) return null;
      let seen = 0;
      while (p < len) {
        let v4 = -1;
        if (seen > 0) {
          if (at(p) === 46 && seen < 4) p++;
          else return null;
        }
        let c = at(p);
        if (!(c >= 48 && c <= 57)) return null;
        while (c >= 48 && c <= 57) {
          const d = c - 48;
          if (v4 < 0) v4 = d;
          else if (v4 === 0) return null;
          else v4 = v4 * 10 + d;
          if (v4 > 255) return null;
          p++;
          c = at(p);
        }
        addr[piece] = addr[piece] * 256 + v4;
        seen++;
        if (seen === 2 || seen === 4) piece++;
      }
      if (seen !== 4) return null;
      break;
    } else if (at(p) === 58) {
      p++;
      if (p >= len) return null;
    } else if (p < len) {
      return null;
    }
    addr[piece] = value;
    piece++;
  }
  if (compress >= 0) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const t = addr[piece];
      addr[piece] = addr[compress + swaps - 1];
      addr[compress + swaps - 1] = t;
      piece--;
      swaps--;
    }
  } else if (piece !== 8) {
    return null;
  }
  return addr;
}

/** Lower-case hex pieces with the first longest run of two or more zero pieces as "::". */
export function serializeIPv6(addr) {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (addr[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && addr[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    out += addr[i].toString(16);
    if (i < 7) out += ":";
  }
  return out;
}

// Forbidden host code points: NUL TAB LF CR space # / : < > ? @ [ \ ] ^ |
const forbiddenHost = /[\0\t\n\r #/:<>?@[\\\]^|]/;
// Forbidden domain code points: those, C0 controls, % and DEL.
const forbiddenDomain = /[\0-\x20#%/:<>?@[\\\]^|\x7f]/;
// Code points UTS #46 maps to nothing (a few common ones: soft hyphen, joiners, variation selectors, BOM).
const ignoredInDomain = /[\u00ad\u034f\u180b-\u180f\u200b\u2060\ufe00-\ufe0f\ufeff]/g;
// Disallowed in a domain: controls, unassigned and private-use code points, surrogates, U+FFFD.
const disallowedInDomain = /[\p{Cc}\p{Cn}\p{Co}\p{Cs}\ufffd]/u;

/**
 * A domain in ASCII: lower case, each non-ASCII label as "xn--" Punycode;
 * null when a label cannot be encoded or decoded.
 */
export function domainToASCII(domain, beStrict = false) {
  let s = domain;
  if (/[^\0-\x7f]/.test(s)) {
    s = s.replace(ignoredInDomain, "").normalize("NFKC").toLowerCase().normalize("NFC").replace(/[\u3002\uff0e\uff61]/g, ".");
    if (disallowedInDomain.test(s)) return null;
  } else {
    s = s.toLowerCase();
    if (s.indexOf("xn--") < 0) return s;
  }
  const labels = s.split(".");
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label.startsWith("xn--")) {
      let decoded;
      try {
        decoded = punyDecode(label.slice(4));
      } catch {
        return null;
      }
      // A Punycode label must decode to non-ASCII text that the mapping leaves as it is.
      if (decoded.length === 0 || !/[^\0-\x7f]/.test(decoded) || disallowedInDomain.test(decoded) ||
          decoded.normalize("NFKC").toLowerCase() !== decoded) return null;
    } else if (/[^\0-\x7f]/.test(label)) {
      try {
        labels[i] = `xn--${punyEncode(label)}`;
      } catch {
        return null;
      }
    }
  }
  const out = labels.join(".");
  if (beStrict && (out.length > 253 || labels.some((l) => l.length > 63 || l.length === 0))) return null;
  return out;
}

/** A domain with its "xn--" labels decoded; '' when it is not a valid domain. */
export function domainToUnicode(domain) {
  const ascii = domainToASCII(domain);
  if (ascii === null) return "";
  return ascii.split(".").map((l) => (l.startsWith("xn--") ? punyDecode(l.slice(4)) : l)).join(".");
}

/**
 * The host parser: the serialized host ("example.com", "127.0.0.1",
 * "[::1]", or an opaque host for non-special schemes), or null for failure.
 */
export function parseHost(input, isOpaque) {
  if (input.charCodeAt(0) === 91) {
    if (input.charCodeAt(input.length - 1) !== 93) return null;
    const addr = parseIPv6(input.slice(1, -1));
    return addr === null ? null : `[${serializeIPv6(addr)}]`;
  }
  if (isOpaque) {
    if (forbiddenHost.test(input)) return null;
    return percentEncode(input, C0);
  }
  const domain = percentDecode(input);
  const ascii = domainToASCII(domain, false);
  if (ascii === null || ascii.length === 0 || forbiddenDomain.test(ascii)) return null;
  if (endsInANumber(ascii)) {
    const v4 = parseIPv4(ascii);
    return v4 < 0 ? null : serializeIPv4(v4);
  }
  return ascii;
}

// ---------------------------------------------------------------------------
// The basic URL parser

export const SCHEME_START = 1;
const SCHEME = 2;
const NO_SCHEME = 3;
const SPECIAL_RELATIVE_OR_AUTHORITY = 4;
const PATH_OR_AUTHORITY = 5;
const RELATIVE = 6;
const RELATIVE_SLASH = 7;
const SPECIAL_AUTHORITY_SLASHES = 8;
const SPECIAL_AUTHORITY_IGNORE_SLASHES = 9;
const AUTHORITY = 10;
export const HOST = 11;
export const HOSTNAME = 12;
export const PORT = 13;
const FILE = 14;
const FILE_SLASH = 15;
const FILE_HOST = 16;
export const PATH_START = 17;
const PATH_STATE = 18;
const OPAQUE_PATH = 19;
export const QUERY_STATE = 20;
export const FRAGMENT_STATE = 21;

export function newRecord() {
  return { scheme: "", username: "", password: "", host: null, port: null, path: [], query: null, fragment: null };
}

function isAlpha(c) {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isWindowsDriveLetter(s, normalizedOnly) {
  if (s.length !== 2 || !isAlpha(s.charCodeAt(0))) return false;
  const c = s.charCodeAt(1);
  return c === 58 || (!normalizedOnly && c === 124);
}

function startsWithWindowsDriveLetter(s, p) {
  if (s.length - p < 2) return false;
  if (!isAlpha(s.charCodeAt(p))) return false;
  const c1 = s.charCodeAt(p + 1);
  if (c1 !== 58 && c1 !== 124) return false;
  if (s.length - p === 2) return true;
  const c2 = s.charCodeAt(p + 2);
  return c2 === 47 || c2 === 92 || c2 === 63 || c2 === 35;
}

function shortenPath(url) {
  const path = url.path;
  if (url.scheme === "file" && path.length === 1 && isWindowsDriveLetter(path[0], true)) return;
  path.pop();
}

function isSingleDot(s) {
  return s === "." || (s.length === 3 && s.toLowerCase() === "%2e");
}

function isDoubleDot(s) {
  switch (s.length) {
    case 2: return s === "..";
    case 4: { const l = s.toLowerCase(); return l === ".%2e" || l === "%2e."; }
    case 6: return s.toLowerCase() === "%2e%2e";
    default: return false;
  }
}

export function includesCredentials(url) {
  return url.username !== "" || url.password !== "";
}

const tabNewline = /[\t\n\r]/g;

/**
 * Parses `input` against `base` (a record or null). Without `override` it
 * returns a new record or null (failure). With a state override it edits
 * `url` in place (the setters) and returns false for failure.
 */
export function basicParse(input, base, url, override = 0) {
  if (!url) {
    url = newRecord();
    // Leading and trailing C0 controls and spaces go.
    let a = 0;
    let b = input.length;
    while (a < b && input.charCodeAt(a) <= 0x20) a++;
    while (b > a && input.charCodeAt(b - 1) <= 0x20) b--;
    if (a > 0 || b < input.length) input = input.slice(a, b);
  }
  if (/[\t\n\r]/.test(input)) input = input.replace(tabNewline, "");
  const len = input.length;
  let state = override || SCHEME_START;
  let buffer = "";
  let atSignSeen = false;
  let insideBrackets = false;
  let passwordTokenSeen = false;
  let p = 0;
  const FAIL = override ? false : null;
  const DONE = override ? true : url;

  for (;;) {
    const c = p < len ? input.charCodeAt(p) : -1; // -1: end of input
    switch (state) {
      case SCHEME_START:
        if (isAlpha(c)) {
          buffer += String.fromCharCode(c | 0x20);
          state = SCHEME;
        } else if (!override) {
          state = NO_SCHEME;
          p--;
        } else {
          return FAIL;
        }
        break;

      case SCHEME:
        if (isAlpha(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
          // The rest of the scheme's characters at once.
          let end = p + 1;
          for (; end < len; end++) {
            const d = input.charCodeAt(end);
            if (!(isAlpha(d) || (d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) break;
          }
          buffer += input.slice(p, end).toLowerCase();
          p = end - 1;
        } else if (c === 58) {
          if (override) {
            const urlSpecial = isSpecialScheme(url.scheme);
            const bufSpecial = isSpecialScheme(buffer);
            if (urlSpecial !== bufSpecial) return DONE;
            if ((includesCredentials(url) || url.port !== null) && buffer === "file") return DONE;
            if (url.scheme === "file" && url.host === "") return DONE;
          }
          url.scheme = buffer;
          if (override) {
            if (url.port === specialPorts[url.scheme]) url.port = null;
            return DONE;
          }
          buffer = "";
          if (url.scheme === "file") {
            state = FILE;
          } else if (isSpecialScheme(url.scheme)) {
            state = base && base.scheme === url.scheme ? SPECIAL_RELATIVE_OR_AUTHORITY : SPECIAL_AUTHORITY_SLASHES;
          } else if (input.charCodeAt(p + 1) === 47) {
            state = PATH_OR_AUTHORITY;
            p++;
          } else {
            url.path = "";
            state = OPAQUE_PATH;
          }
        } else if (!override) {
          buffer = "";
          state = NO_SCHEME;
          p = -1;
        } else {
          return FAIL;
        }
        break;

      case NO_SCHEME:
        if (!base || (typeof base.path === "string" && c !== 35)) return FAIL;
        if (typeof base.path === "string" && c === 35) {
          url.scheme = base.scheme;
          url.path = base.path;
          url.query = base.query;
          url.fragment = "";
          state = FRAGMENT_STATE;
        } else {
          state = base.scheme !== "file" ? RELATIVE : FILE;
          p--;
        }
        break;

      case SPECIAL_RELATIVE_OR_AUTHORITY:
        if (c === 47 && input.charCodeAt(p + 1) === 47) {
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
          p++;
        } else {
          state = RELATIVE;
          p--;
        }
        break;

      case PATH_OR_AUTHORITY:
        if (c === 47) {
          state = AUTHORITY;
        } else {
          state = PATH_STATE;
          p--;
        }
        break;

      case RELATIVE: {
        url.scheme = base.scheme;
        const special = isSpecialScheme(url.scheme);
        if (c === 47 || (special && c === 92)) {
          state = RELATIVE_SLASH;
        } else {
          url.username = base.username;
          url.password = base.password;
          url.host = base.host;
          url.port = base.port;
          url.path = base.path.slice();
          url.query = base.query;
          if (c === 63) {
            url.query = "";
            state = QUERY_STATE;
          } else if (c === 35) {
            url.fragment = "";
            state = FRAGMENT_STATE;
          } else if (c !== -1) {
            url.query = null;
            shortenPath(url);
            state = PATH_STATE;
            p--;
          }
        }
        break;
      }

      case RELATIVE_SLASH:
        if (isSpecialScheme(url.scheme) && (c === 47 || c === 92)) {
          state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        } else if (c === 47) {
          state = AUTHORITY;
        } else {
          url.username = base.username;
          url.password = base.password;
          url.host = base.host;
          url.port = base.port;
          state = PATH_STATE;
          p--;
        }
        break;

      case SPECIAL_AUTHORITY_SLASHES:
        state = SPECIAL_AUTHORITY_IGNORE_SLASHES;
        if (c === 47 && input.charCodeAt(p + 1) === 47) p++;
        else p--;
        break;

      case SPECIAL_AUTHORITY_IGNORE_SLASHES:
        if (c !== 47 && c !== 92) {
          state = AUTHORITY;
          p--;
        }
        break;

      case AUTHORITY: {
        // Take the whole authority at once: up to the first '/', '?', '#' (or '\' when special).
        const special = isSpecialScheme(url.scheme);
        let end = p;
        while (end < len) {
          const d = input.charCodeAt(end);
          if (d === 47 || d === 63 || d === 35 || (special && d === 92)) break;
          end++;
        }
        const authority = input.slice(p, end);
        const at = authority.lastIndexOf("@");
        if (at >= 0) {
          atSignSeen = true;
          const creds = authority.slice(0, at);
          const colon = creds.indexOf(":");
          const user = colon >= 0 ? creds.slice(0, colon) : creds;
          const pass = colon >= 0 ? creds.slice(colon + 1) : "";
          url.username += percentEncode(user, USERINFO);
          if (colon >= 0) url.password += percentEncode(pass, USERINFO);
          if (at === authority.length - 1) return FAIL; // credentials without a host
          p += at + 1;
        }
        state = HOST;
        p--;
        break;
      }

      case HOST:
      case HOSTNAME:
        if (override && url.scheme === "file") {
          p--;
          state = FILE_HOST;
        } else if (c === 58 && !insideBrackets) {
          if (buffer === "") return FAIL;
          if (override === HOSTNAME) return FAIL;
          const host = parseHost(buffer, !isSpecialScheme(url.scheme));
          if (host === null) return FAIL;
          url.host = host;
          buffer = "";
          state = PORT;
        } else if (c === -1 || c === 47 || c === 63 || c === 35 || (c === 92 && isSpecialScheme(url.scheme))) {
          p--;
          const special = isSpecialScheme(url.scheme);
          if (special && buffer === "") return FAIL;
          if (override && buffer === "" && (includesCredentials(url) || url.port !== null)) return FAIL;
          const host = parseHost(buffer, !special);
          if (host === null) return FAIL;
          url.host = host;
          buffer = "";
          state = PATH_START;
          if (override) return DONE;
        } else {
          // This character and the ones after it up to the next that matters here.
          if (c === 91) insideBrackets = true;
          else if (c === 93) insideBrackets = false;
          let end = p + 1;
          for (; end < len; end++) {
            const d = input.charCodeAt(end);
            if (d === 91) insideBrackets = true;
            else if (d === 93) insideBrackets = false;
            else if ((d === 58 && !insideBrackets) || d === 47 || d === 63 || d === 35 || d === 92) break;
          }
          buffer += input.slice(p, end);
          p = end - 1;
        }
        break;

      case PORT:
        if (c >= 48 && c <= 57) {
          buffer += input[p];
        } else if (c === -1 || c === 47 || c === 63 || c === 35 || (c === 92 && isSpecialScheme(url.scheme)) || override) {
          if (buffer !== "") {
            const port = parseInt(buffer, 10);
            if (port > 65535) return FAIL;
            url.port = port === specialPorts[url.scheme] ? null : port;
            buffer = "";
          } else if (override) {
            return FAIL;
          }
          if (override) return DONE;
          state = PATH_START;
          p--;
        } else {
          return FAIL;
        }
        break;

      case FILE:
        url.scheme = "file";
        url.host = "";
        if (c === 47 || c === 92) {
          state = FILE_SLASH;
        } else if (base && base.scheme === "file") {
          url.host = base.host;
          url.path = base.path.slice();
          url.query = base.query;
          if (c === 63) {
            url.query = "";
            state = QUERY_STATE;
          } else if (c === 35) {
            url.fragment = "";
            state = FRAGMENT_STATE;
          } else if (c !== -1) {
            url.query = null;
            if (!startsWithWindowsDriveLetter(input, p)) shortenPath(url);
            else url.path = [];
            state = PATH_STATE;
            p--;
          }
        } else {
          state = PATH_STATE;
          p--;
        }
        break;

      case FILE_SLASH:
        if (c === 47 || c === 92) {
          state = FILE_HOST;
        } else {
          if (base && base.scheme === "file") {
            url.host = base.host;
            if (!startsWithWindowsDriveLetter(input, p) && base.path.length > 0 && isWindowsDriveLetter(base.path[0], true)) {
              url.path.push(base.path[0]);
            }
          }
          state = PATH_STATE;
          p--;
        }
        break;

      case FILE_HOST:
        if (c === -1 || c === 47 || c === 92 || c === 63 || c === 35) {
          p--;
          if (!override && isWindowsDriveLetter(buffer, false)) {
            state = PATH_STATE; // the buffer is the first path segment
          } else if (buffer === "") {
            url.host = "";
            if (override) return DONE;
            state = PATH_START;
          } else {
            let host = parseHost(buffer, !isSpecialScheme(url.scheme));
            if (host === null) return FAIL;
            if (host === "localhost") host = "";
            url.host = host;
            if (override) return DONE;
            buffer = "";
            state = PATH_START;
          }
        } else {
          buffer += input[p];
        }
        break;

      case PATH_START:
        if (isSpecialScheme(url.scheme)) {
          state = PATH_STATE;
          if (c !== 47 && c !== 92) p--;
        } else if (!override && c === 63) {
          url.query = "";
          state = QUERY_STATE;
        } else if (!override && c === 35) {
          url.fragment = "";
          state = FRAGMENT_STATE;
        } else if (c !== -1) {
          state = PATH_STATE;
          if (c !== 47) p--;
        } else if (override && url.host === null) {
          url.path.push("");
        }
        break;

      case PATH_STATE: {
        // One segment at a time: up to '/', '?', '#' (or '\' when special).
        const special = isSpecialScheme(url.scheme);
        let end = p;
        while (end < len) {
          const d = input.charCodeAt(end);
          if (d === 47 || (special && d === 92) || (!override && (d === 63 || d === 35))) break;
          end++;
        }
        buffer += percentEncode(input.slice(p, end), PATH);
        p = end;
        const d = p < len ? input.charCodeAt(p) : -1;
        const slash = d === 47 || (special && d === 92);
        if (isDoubleDot(buffer)) {
          shortenPath(url);
          if (!slash) url.path.push("");
        } else if (isSingleDot(buffer)) {
          if (!slash) url.path.push("");
        } else {
          if (url.scheme === "file" && url.path.length === 0 && isWindowsDriveLetter(buffer, false)) {
            buffer = `${buffer[0]}:`;
          }
          url.path.push(buffer);
        }
        buffer = "";
        if (d === 63) {
          url.query = "";
          state = QUERY_STATE;
        } else if (d === 35) {
          url.fragment = "";
          state = FRAGMENT_STATE;
        } else if (d === -1) {
          return DONE;
        }
        break;
      }

      case OPAQUE_PATH: {
        let end = p;
        while (end < len) {
          const d = input.charCodeAt(end);
          if (d === 63 || d === 35) break;
          end++;
        }
        url.path += percentEncode(input.slice(p, end), C0);
        p = end;
        const d = p < len ? input.charCodeAt(p) : -1;
        if (d === 63) {
          url.query = "";
          state = QUERY_STATE;
        } else if (d === 35) {
          url.fragment = "";
          state = FRAGMENT_STATE;
        } else {
          return DONE;
        }
        break;
      }

      case QUERY_STATE: {
        let end = override ? len : input.indexOf("#", p);
        if (end < 0) end = len;
        url.query += percentEncode(input.slice(p, end), isSpecialScheme(url.scheme) ? SPECIAL_QUERY : QUERY);
        p = end;
        if (p >= len) return DONE;
        url.fragment = "";
        state = FRAGMENT_STATE;
        break;
      }

      case FRAGMENT_STATE:
        url.fragment += percentEncode(input.slice(p), FRAGMENT);
        return DONE;

      default:
        throw new Error(`url parser: bad state ${state}`);
    }
    // The machine stops once a state has run with the pointer at the end.
    if (p >= len) return DONE;
    p++;
  }
}

/** The serialized path: "/a/b", or an opaque path as it is. */
export function serializePath(url) {
  if (typeof url.path === "string") return url.path;
  let out = "";
  for (let i = 0; i < url.path.length; i++) out += `/${url.path[i]}`;
  return out;
}

/** The URL serializer (href), optionally without the fragment. */
export function serialize(url, excludeFragment = false) {
  let out = `${url.scheme}:`;
  if (url.host !== null) {
    out += "//";
    if (includesCredentials(url)) {
      out += url.username;
      if (url.password !== "") out += `:${url.password}`;
      out += "@";
    }
    out += url.host;
    if (url.port !== null) out += `:${url.port}`;
  } else if (typeof url.path !== "string" && url.path.length > 1 && url.path[0] === "") {
    out += "/.";
  }
  out += serializePath(url);
  if (url.query !== null) out += `?${url.query}`;
  if (!excludeFragment && url.fragment !== null) out += `#${url.fragment}`;
  return out;
}

/** The ASCII serialization of a URL's origin ("null" for opaque origins). */
export function serializeOrigin(url) {
  switch (url.scheme) {
    case "blob": {
      const inner = basicParse(serializePath(url), null);
      if (inner && (inner.scheme === "http" || inner.scheme === "https")) return serializeOrigin(inner);
      return "null";
    }
    case "ftp": case "http": case "https": case "ws": case "wss":
      return `${url.scheme}://${url.host}${url.port !== null ? `:${url.port}` : ""}`;
    default:
      return "null";
  }
}
