// node:url — the WHATWG URL and URLSearchParams classes, Node's legacy
// url.parse/format/resolve, and the file URL and domain helpers.

import { nodeError, codes } from "node:internal/errors";
import { validateObject } from "node:internal/validators";
import { URL, URLSearchParams, isURL } from "node:internal/url/whatwg";
import { Url, urlParse, urlResolve, urlResolveObject } from "node:internal/url/legacy";
import { domainToUnicode as toUnicode, serialize, newRecord, parseHost, percentEncode, FORM } from "node:internal/url/parser";
import { posix, win32 } from "node:internal/path";

export { URL, URLSearchParams, Url };

export const parse = urlParse;
export const resolve = urlResolve;
export const resolveObject = urlResolveObject;

/** The ASCII (Punycode) form of a domain; '' when it is not a valid domain. */
export function domainToASCII(domain) {
  if (arguments.length < 1) throw codes.ERR_MISSING_ARGS("domain");
  const host = parseHost(`${domain}`, false);
  return host === null || host.charCodeAt(0) === 91 ? (host ?? "") : host;
}

/** The Unicode form of a domain; '' when it is not a valid domain. */
export function domainToUnicode(domain) {
  if (arguments.length < 1) throw codes.ERR_MISSING_ARGS("domain");
  const host = parseHost(`${domain}`, false);
  if (host === null) return "";
  return toUnicode(host);
}

/**
 * url.format(): a legacy Url-like object, a string (parsed first), or a WHATWG
 * URL with options { auth, fragment, search, unicode } (each default true but unicode).
 */
export function format(urlObject, options) {
  if (typeof urlObject === "string") {
    urlObject = urlParse(urlObject);
  } else if (typeof urlObject !== "object" || urlObject === null) {
    throw codes.ERR_INVALID_ARG_TYPE("urlObject", ["object", "string"], urlObject);
  } else if (isURL(urlObject)) {
    let auth = true, fragment = true, search = true, unicode = false;
    if (options !== undefined) {
      validateObject(options, "options");
      if (options.auth != null) auth = !!options.auth;
      if (options.fragment != null) fragment = !!options.fragment;
      if (options.search != null) search = !!options.search;
      if (options.unicode != null) unicode = !!options.unicode;
    }
    let out = urlObject.protocol;
    if (urlObject.host !== "" || urlObject.href.startsWith(`${urlObject.protocol}//`)) {
      out += "//";
      if (auth && (urlObject.username || urlObject.password)) {
        out += urlObject.username;
        if (urlObject.password) out += `:${urlObject.password}`;
        out += "@";
      }
      out += unicode ? toUnicode(urlObject.hostname) : urlObject.hostname;
      if (urlObject.port) out += `:${urlObject.port}`;
    }
    out += urlObject.pathname;
    if (search) out += urlObject.search;
    if (fragment) out += urlObject.hash;
    return out;
  }
  return Url.prototype.format.call(urlObject);
}

// Characters pathToFileURL percent-encodes besides what the URL path setter would.
const fileEncode = /[\0-\x20"#%<>?[\\\]^`{|}~\x7f]|[^\0-\x7f]+/g;

function encodePathChars(s) {
  return s.replace(fileEncode, (m) => (m.charCodeAt(0) < 128 ? `%${m.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}` : percentEncode(m, FORM)));
}

/** A file: URL for a path (resolved against the cwd; a trailing separator is kept). */
export function pathToFileURL(filepath, options) {
  const windows = options?.windows ?? false;
  const r = newRecord();
  r.scheme = "file";
  r.host = "";
  if (windows) {
    if (filepath.startsWith("\\\\?\\")) filepath = filepath.slice(4);
    if (filepath.startsWith("\\\\") || filepath.startsWith("//")) {
      // \\server\share\path: the server is the host.
      const parts = filepath.slice(2).split(/[\\/]/);
      const host = parseHost(parts.shift(), false);
      if (host === null) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'path' must be a UNC path. Received '${filepath}'`);
      r.host = host;
      r.path = parts.map(encodePathChars);
    } else {
      let resolved = win32.resolve(filepath);
      const last = filepath.charCodeAt(filepath.length - 1);
      if ((last === 92 || last === 47) && !resolved.endsWith("\\")) resolved += "\\";
      r.path = resolved.split("\\").map(encodePathChars);
      if (r.path[0] === "") r.path.shift();
    }
  } else {
    let resolved = posix.resolve(filepath);
    if (filepath.charCodeAt(filepath.length - 1) === 47 && resolved !== "/") resolved += "/";
    r.path = resolved.slice(1).split("/").map(encodePathChars);
  }
  return new URL(serialize(r));
}

/** The path of a file: URL (a string or URL). */
export function fileURLToPath(path, options) {
  const windows = options?.windows ?? false;
  let u = path;
  if (typeof path === "string") u = new URL(path);
  else if (!isURL(path)) throw codes.ERR_INVALID_ARG_TYPE("path", ["string", "URL"], path);
  if (u.protocol !== "file:") throw nodeError(TypeError, "ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
  const pathname = u.pathname;
  if (windows) {
    if (/%2f|%5c/i.test(pathname)) throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded \\ or / characters");
    const p = decodeURIComponent(pathname.replace(/\//g, "\\"));
    if (u.hostname !== "") return `\\\\${toUnicode(u.hostname)}${p}`;
    const letter = p.charCodeAt(1) | 0x20;
    if (!(letter >= 97 && letter <= 122) || p[2] !== ":") {
      throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must be absolute");
    }
    return p.slice(1);
  }
  if (u.hostname !== "") {
    throw nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", 'File URL host must be "localhost" or empty on linux');
  }
  if (/%2f/i.test(pathname)) throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  return decodeURIComponent(pathname);
}

/** The options object http.request() takes, from a URL. */
export function urlToHttpOptions(url) {
  const { hostname, pathname, port, username, password, search } = url;
  const options = {
    __proto__: null,
    ...url,
    protocol: url.protocol,
    hostname: hostname && hostname[0] === "[" ? hostname.slice(1, -1) : hostname,
    hash: url.hash,
    search,
    pathname,
    path: `${pathname || ""}${search || ""}`,
    href: url.href,
  };
  if (port !== "") options.port = Number(port);
  if (username || password) options.auth = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return options;
}

const url = {
  Url,
  parse,
  resolve,
  resolveObject,
  format,
  URL,
  URLSearchParams,
  domainToASCII,
  domainToUnicode,
  pathToFileURL,
  fileURLToPath,
  urlToHttpOptions,
};
export default url;
