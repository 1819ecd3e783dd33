// node:internal/url/legacy — Node's legacy URL API: url.parse() into a Url
// object (protocol, slashes, auth, host, port, hostname, hash, search, query,
// pathname, path, href), Url#format, and url.resolve()/resolveObject() with
// the RFC 1808 style merging that API has always done.

import { nodeError } from "node:internal/errors";
import { validateString } from "node:internal/validators";
import querystring from "node:querystring";
import { domainToASCII } from "node:internal/url/parser";

const hostless = new Set(["javascript", "javascript:"]);
const unsafe = hostless;
const slashed = new Set(["http", "http:", "https", "https:", "ftp", "ftp:", "gopher", "gopher:", "file", "file:", "ws", "ws:", "wss", "wss:"]);

// Characters that end a host in the legacy parser (never allowed in a hostname),
// and those that end it because a path, query or fragment starts.
const nonHostChar = new Uint8Array(128);
for (const ch of " \"%';<>\\^`{|}") nonHostChar[ch.charCodeAt(0)] = 1;
for (const ch of "#/?") nonHostChar[ch.charCodeAt(0)] = 2;

// Characters escaped in the part after the host whatever encodeURIComponent thinks.
const autoEscape = { "\t": "%09", "\n": "%0A", "\r": "%0D", " ": "%20", "\"": "%22", "'": "%27", "<": "%3C", ">": "%3E",
  "\\": "%5C", "^": "%5E", "`": "%60", "{": "%7B", "|": "%7C", "}": "%7D" };
const autoEscapeRe = /[\t\n\r "'<>\\^`{|}]/g;

function invalidURL(input) {
  return nodeError(TypeError, "ERR_INVALID_URL", "Invalid URL", { input });
}

export function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

function isSpace(c) {
  return c < 33 || c === 0xa0 || c === 0xfeff;
}

Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
  validateString(url, "url");
  // Trim, and turn backslashes before the query or fragment into slashes.
  let start = 0;
  let end = url.length;
  while (start < end && isSpace(url.charCodeAt(start))) start++;
  while (end > start && isSpace(url.charCodeAt(end - 1))) end--;
  let rest = url.slice(start, end);
  let split = rest.search(/[?#]/);
  if (split < 0) split = rest.length;
  const head = rest.slice(0, split);
  const hasAt = head.includes("@");
  const hasHash = rest.includes("#");
  if (head.includes("\\")) rest = head.replace(/\\/g, "/") + rest.slice(split);

  if (!slashesDenoteHost && !hasHash && !hasAt) {
    // A plain path ("/a/b?c") needs none of the rest.
    const m = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/.exec(rest);
    if (m) {
      this.path = rest;
      this.href = rest;
      this.pathname = m[1];
      if (m[2]) {
        this.search = m[2];
        this.query = parseQueryString ? querystring.parse(this.search.slice(1)) : this.search.slice(1);
      } else if (parseQueryString) {
        this.search = null;
        this.query = Object.create(null);
      }
      return this;
    }
  }

  let proto = /^[a-z0-9.+-]+:/i.exec(rest);
  let lowerProto;
  if (proto) {
    proto = proto[0];
    lowerProto = proto.toLowerCase();
    this.protocol = lowerProto;
    rest = rest.slice(proto.length);
  }

  let slashes = false;
  if (slashesDenoteHost || proto || /^\/\/[^@/]+@[^@/]+/.test(rest)) {
    slashes = rest.charCodeAt(0) === 47 && rest.charCodeAt(1) === 47;
    if (slashes && !(proto && hostless.has(lowerProto))) {
      rest = rest.slice(2);
      this.slashes = true;
    }
  }

  if (!hostless.has(lowerProto) && (slashes || (proto && !slashed.has(proto)))) {
    // The host runs to the first character that cannot be in one; an '@'
    // before the path starts ends the credentials (the last such '@' wins).
    let nonHost = -1;
    let atSign = -1;
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i);
      if (c === 9 || c === 10 || c === 13) {
        // Tabs and newlines are dropped up to where the path starts.
        rest = rest.slice(0, i) + rest.slice(i + 1);
        i--;
        continue;
      }
      const kind = c < 128 ? nonHostChar[c] : 0;
      if (kind === 1) {
        if (nonHost < 0) nonHost = i;
      } else if (kind === 2) {
        if (nonHost < 0) nonHost = i;
        break;
      } else if (c === 64) {
        atSign = i;
        nonHost = -1;
      }
    }
    let hostStart = 0;
    if (atSign >= 0) {
      this.auth = decodeURIComponent(rest.slice(0, atSign));
      hostStart = atSign + 1;
    }
    if (nonHost < 0) {
      this.host = rest.slice(hostStart);
      rest = "";
    } else {
      this.host = rest.slice(hostStart, nonHost);
      rest = rest.slice(nonHost);
    }
    this.parseHost();
    if (typeof this.hostname !== "string") this.hostname = "";
    const ipv6 = this.hostname.charCodeAt(0) === 91 && this.hostname.charCodeAt(this.hostname.length - 1) === 93;
    if (!ipv6) {
      // A character that cannot be in a hostname starts the path.
      const bad = this.hostname.search(/[/\\#?:]/);
      if (bad >= 0) {
        rest = `/${this.hostname.slice(bad)}${rest}`;
        this.hostname = this.hostname.slice(0, bad);
      }
    }
    this.hostname = this.hostname.length > 255 ? "" : this.hostname.toLowerCase();
    if (this.hostname !== "") {
      if (ipv6) {
        if (/[\0\t\n\r #%/<>?@\\^|]/.test(this.hostname)) throw invalidURL(url);
      } else {
        const ascii = domainToASCII(this.hostname);
        if (!ascii || /[\0\t\n\r #%/:<>?@[\\\]^|]/.test(ascii)) throw invalidURL(url);
        this.hostname = ascii;
      }
    }
    this.host = this.hostname + (this.port ? `:${this.port}` : "");
    if (ipv6) {
      this.hostname = this.hostname.slice(1, -1);
      if (rest.charCodeAt(0) !== 47) rest = `/${rest}`;
    }
  }

  if (!unsafe.has(lowerProto)) rest = rest.replace(autoEscapeRe, (ch) => autoEscape[ch]);

  const hashAt = rest.indexOf("#");
  if (hashAt >= 0) {
    this.hash = rest.slice(hashAt);
    rest = rest.slice(0, hashAt);
  }
  const qAt = rest.indexOf("?");
  if (qAt >= 0) {
    this.search = rest.slice(qAt);
    this.query = rest.slice(qAt + 1);
    if (parseQueryString) this.query = querystring.parse(this.query);
    rest = rest.slice(0, qAt);
  } else if (parseQueryString) {
    this.search = null;
    this.query = Object.create(null);
  }
  if (rest.length > 0) this.pathname = rest;
  if (slashed.has(lowerProto) && this.hostname && !this.pathname) this.pathname = "/";
  if (this.pathname || this.search) this.path = (this.pathname || "") + (this.search || "");
  this.href = this.format();
  return this;
};

Url.prototype.parseHost = function parseHost() {
  let host = this.host;
  const m = /:[0-9]*$/.exec(host);
  if (m) {
    if (m[0] !== ":") this.port = m[0].slice(1);
    host = host.slice(0, host.length - m[0].length);
  }
  if (host) this.hostname = host;
};

// Characters of `auth` that format() leaves as they are.
const authKeep = /[A-Za-z0-9!'()*\-._~:]/;

Url.prototype.format = function format() {
  let auth = this.auth || "";
  if (auth) {
    let out = "";
    for (const ch of auth) out += authKeep.test(ch) ? ch : encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    auth = `${out}@`;
  }
  let protocol = this.protocol || "";
  let pathname = this.pathname || "";
  let hash = this.hash || "";
  let host = "";
  let query = "";
  if (this.host) {
    host = auth + this.host;
  } else if (this.hostname) {
    const h = this.hostname;
    host = auth + (h.includes(":") && !(h[0] === "[" && h[h.length - 1] === "]") ? `[${h}]` : h);
    if (this.port) host += `:${this.port}`;
  }
  if (this.query !== null && typeof this.query === "object") query = querystring.stringify(this.query);
  let search = this.search || (query && `?${query}`) || "";
  if (protocol && protocol.charCodeAt(protocol.length - 1) !== 58) protocol += ":";
  if (pathname.includes("#") || pathname.includes("?")) pathname = pathname.replace(/[#?]/g, (c) => (c === "#" ? "%23" : "%3F"));
  if (this.slashes || slashed.has(protocol)) {
    if (this.slashes || host) {
      if (pathname && pathname.charCodeAt(0) !== 47) pathname = `/${pathname}`;
      host = `//${host}`;
    } else if (protocol.length >= 4 && protocol.slice(0, 4).toLowerCase() === "file") {
      host = "//";
    }
  }
  search = search.replace(/#/g, "%23");
  if (hash && hash.charCodeAt(0) !== 35) hash = `#${hash}`;
  if (search && search.charCodeAt(0) !== 63) search = `?${search}`;
  return protocol + host + pathname + search + hash;
};

Url.prototype.resolve = function resolve(relative) {
  return this.resolveObject(urlParse(relative, false, true)).format();
};

function copyInto(target, source, skip) {
  for (const k of Object.keys(source)) if (k !== skip) target[k] = source[k];
}

// Removes '.' and '..' segments; returns how far the path tried to climb above its start.
function removeDots(segments) {
  let up = 0;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i];
    if (s === ".") segments.splice(i, 1);
    else if (s === "..") { segments.splice(i, 1); up++; }
    else if (up > 0) { segments.splice(i, 1); up--; }
  }
  return up;
}

// A host that still holds credentials ("user@host", from a path segment).
function splitAuthFromHost(result) {
  const h = result.host;
  if (h && h.indexOf("@") > 0) {
    const parts = h.split("@");
    result.auth = parts.shift();
    result.host = result.hostname = parts.shift();
  }
}

Url.prototype.resolveObject = function resolveObject(relative) {
  if (typeof relative === "string") relative = urlParse(relative, false, true);
  const result = new Url();
  copyInto(result, this);
  result.hash = relative.hash;
  if (relative.href === "") {
    result.href = result.format();
    return result;
  }

  // "//host/path": everything but the protocol comes from the reference.
  if (relative.slashes && !relative.protocol) {
    copyInto(result, relative, "protocol");
    if (slashed.has(result.protocol) && result.hostname && !result.pathname) result.path = result.pathname = "/";
    result.href = result.format();
    return result;
  }

  // Another protocol: an absolute reference, except that for the slashed
  // protocols a missing host is taken from the first path segment.
  if (relative.protocol && relative.protocol !== result.protocol) {
    if (!slashed.has(relative.protocol)) {
      copyInto(result, relative);
      result.href = result.format();
      return result;
    }
    result.protocol = relative.protocol;
    if (!relative.host && !/^file:?$/.test(relative.protocol) && !hostless.has(relative.protocol)) {
      const segs = (relative.pathname || "").split("/");
      while (segs.length && !(relative.host = segs.shift()));
      if (!relative.host) relative.host = "";
      if (!relative.hostname) relative.hostname = "";
      if (segs[0] !== "") segs.unshift("");
      if (segs.length < 2) segs.unshift("");
      result.pathname = segs.join("/");
    } else {
      result.pathname = relative.pathname;
    }
    result.search = relative.search;
    result.query = relative.query;
    result.host = relative.host || "";
    result.auth = relative.auth;
    result.hostname = relative.hostname || relative.host;
    result.port = relative.port;
    if (result.pathname || result.search) result.path = (result.pathname || "") + (result.search || "");
    result.slashes = result.slashes || relative.slashes;
    result.href = result.format();
    return result;
  }

  const sourceAbsolute = !!(result.pathname && result.pathname[0] === "/");
  const relAbsolute = !!(relative.host || (relative.pathname && relative.pathname[0] === "/"));
  let mustEndAbs = relAbsolute || sourceAbsolute || !!(result.host && relative.pathname);
  const removeAllDots = mustEndAbs;
  let src = (result.pathname && result.pathname.split("/")) || [];
  const rel = (relative.pathname && relative.pathname.split("/")) || [];
  // Protocols without "//" (mailto:, news:) keep their host as the first path segment while merging.
  const hostInPath = !!(result.protocol && !slashed.has(result.protocol));
  if (hostInPath) {
    result.hostname = "";
    result.port = null;
    if (result.host) {
      if (src[0] === "") src[0] = result.host;
      else src.unshift(result.host);
    }
    result.host = "";
    if (relative.protocol) {
      // A reference with its own protocol brings its own credentials (or none).
      relative.hostname = null;
      relative.port = null;
      result.auth = null;
      if (relative.host) {
        if (rel[0] === "") rel[0] = relative.host;
        else rel.unshift(relative.host);
      }
      relative.host = null;
    }
    mustEndAbs = mustEndAbs && (rel[0] === "" || src[0] === "");
  }

  if (relAbsolute) {
    if (relative.host || relative.host === "") {
      if (result.host !== relative.host) result.auth = null;
      result.host = relative.host;
      result.port = relative.port;
    }
    if (relative.hostname || relative.hostname === "") {
      if (result.hostname !== relative.hostname) result.auth = null;
      result.hostname = relative.hostname;
    }
    result.search = relative.search;
    result.query = relative.query;
    src = rel;
  } else if (rel.length) {
    src.pop();
    src = src.concat(rel);
    result.search = relative.search;
    result.query = relative.query;
  } else if (relative.search !== null && relative.search !== undefined) {
    // Only a query ("?x"): the base with that query.
    if (hostInPath) {
      result.hostname = result.host = src.shift();
      splitAuthFromHost(result);
    }
    result.search = relative.search;
    result.query = relative.query;
    if (result.pathname !== null || result.search !== null) result.path = (result.pathname || "") + (result.search || "");
    result.href = result.format();
    return result;
  }

  if (!src.length) {
    result.pathname = null;
    result.path = result.search ? `/${result.search}` : null;
    result.href = result.format();
    return result;
  }

  let last = src[src.length - 1];
  const trailingSlash = ((result.host || relative.host || src.length > 1) && (last === "." || last === "..")) || last === "";
  let up = removeDots(src);
  if (!mustEndAbs && !removeAllDots) while (up--) src.unshift("..");
  if (mustEndAbs && src[0] !== "" && (!src[0] || src[0][0] !== "/")) src.unshift("");
  if (trailingSlash && src.join("/").slice(-1) !== "/") src.push("");
  const absolute = src[0] === "" || (src[0] && src[0][0] === "/");
  if (hostInPath) {
    result.hostname = result.host = absolute ? "" : src.length ? src.shift() : "";
    splitAuthFromHost(result);
  }
  mustEndAbs = mustEndAbs || (result.host && src.length);
  if (mustEndAbs && !absolute) src.unshift("");
  if (src.length > 0) {
    result.pathname = src.join("/");
  } else {
    result.pathname = null;
    result.path = null;
  }
  if (result.pathname !== null || result.search !== null) result.path = (result.pathname || "") + (result.search || "");
  result.auth = relative.auth || result.auth;
  result.slashes = result.slashes || relative.slashes;
  result.href = result.format();
  return result;
};

/** url.parse(): a legacy Url object. */
export function urlParse(url, parseQueryString, slashesDenoteHost) {
  if (url instanceof Url) return url;
  const u = new Url();
  u.parse(url, parseQueryString, slashesDenoteHost);
  return u;
}

export function urlResolve(source, relative) {
  return urlParse(source, false, true).resolve(relative);
}

export function urlResolveObject(source, relative) {
  if (!source) return relative;
  return urlParse(source, false, true).resolveObject(relative);
}
