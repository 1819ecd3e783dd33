// node:internal/url/whatwg — the WHATWG URL and URLSearchParams classes over
// the record parser of node:internal/url/parser.

import { nodeError, codes } from "node:internal/errors";
import {
  basicParse, serialize, serializeOrigin, serializePath, percentEncode, parseForm, serializeForm,
  includesCredentials, specialPorts, USERINFO, SCHEME_START, HOST, HOSTNAME, PORT, PATH_START,
  QUERY_STATE, FRAGMENT_STATE,
} from "node:internal/url/parser";

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

function invalidURL(input, base) {
  const err = nodeError(TypeError, "ERR_INVALID_URL", "Invalid URL", { input });
  if (base !== undefined) err.base = base;
  return err;
}

function toUSV(v) {
  return `${v}`.toWellFormed();
}

let recordOf; // URL → its record (set in the class's static block)
let attachQuery; // URLSearchParams ← a URL's query

function cannotHaveCredentialsOrPort(r) {
  return r.host === null || r.host === "" || r.scheme === "file";
}

// An opaque path loses its trailing spaces when the query and fragment that
// protected them are removed.
function stripTrailingSpaces(r) {
  if (typeof r.path !== "string" || r.fragment !== null || r.query !== null) return;
  r.path = r.path.replace(/ +$/, "");
}

export class URL {
  #r;
  #params = null;

  static {
    recordOf = (u) => u.#r;
  }

  constructor(url, base = undefined) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS("url");
    const input = toUSV(url);
    let baseRecord = null;
    if (base !== undefined) {
      baseRecord = basicParse(toUSV(base), null);
      if (baseRecord === null) throw invalidURL(input, `${base}`);
    }
    const r = basicParse(input, baseRecord);
    if (r === null) throw invalidURL(input, base === undefined ? undefined : `${base}`);
    this.#r = r;
  }

  static canParse(url, base = undefined) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS("url");
    let baseRecord = null;
    if (base !== undefined) {
      baseRecord = basicParse(toUSV(base), null);
      if (baseRecord === null) return false;
    }
    return basicParse(toUSV(url), baseRecord) !== null;
  }

  static parse(url, base = undefined) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS("url");
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  }

  static createObjectURL() {
    throw codes.ERR_NOT_IMPLEMENTED("URL.createObjectURL");
  }

  static revokeObjectURL() {}

  toString() { return serialize(this.#r); }

  get href() { return serialize(this.#r); }
  set href(value) {
    const input = toUSV(value);
    const r = basicParse(input, null);
    if (r === null) throw invalidURL(input);
    this.#r = r;
    if (this.#params) attachQuery(this.#params, r.query);
  }

  get origin() { return serializeOrigin(this.#r); }

  get protocol() { return `${this.#r.scheme}:`; }
  set protocol(value) {
    basicParse(`${toUSV(value)}:`, null, this.#r, SCHEME_START);
  }

  get username() { return this.#r.username; }
  set username(value) {
    if (cannotHaveCredentialsOrPort(this.#r)) return;
    this.#r.username = percentEncode(toUSV(value), USERINFO);
  }

  get password() { return this.#r.password; }
  set password(value) {
    if (cannotHaveCredentialsOrPort(this.#r)) return;
    this.#r.password = percentEncode(toUSV(value), USERINFO);
  }

  get host() {
    const r = this.#r;
    if (r.host === null) return "";
    return r.port === null ? r.host : `${r.host}:${r.port}`;
  }
  set host(value) {
    if (typeof this.#r.path === "string") return;
    this.#edit(toUSV(value), HOST);
  }

  get hostname() { return this.#r.host ?? ""; }
  set hostname(value) {
    if (typeof this.#r.path === "string") return;
    this.#edit(toUSV(value), HOSTNAME);
  }

  get port() { return this.#r.port === null ? "" : `${this.#r.port}`; }
  set port(value) {
    if (cannotHaveCredentialsOrPort(this.#r)) return;
    const v = toUSV(value);
    if (v === "") this.#r.port = null;
    else this.#edit(v, PORT);
  }

  get pathname() { return serializePath(this.#r); }
  set pathname(value) {
    const r = this.#r;
    if (typeof r.path === "string") return;
    const saved = r.path;
    r.path = [];
    if (!basicParse(toUSV(value), null, r, PATH_START)) r.path = saved;
  }

  get search() {
    const q = this.#r.query;
    return q === null || q === "" ? "" : `?${q}`;
  }
  set search(value) {
    const r = this.#r;
    let input = toUSV(value);
    if (input === "") {
      r.query = null;
      stripTrailingSpaces(r);
    } else {
      if (input.charCodeAt(0) === 63) input = input.slice(1);
      r.query = "";
      basicParse(input, null, r, QUERY_STATE);
    }
    if (this.#params) attachQuery(this.#params, r.query);
  }

  get searchParams() {
    if (this.#params === null) {
      this.#params = new URLSearchParams();
      attachQuery(this.#params, this.#r.query, this);
    }
    return this.#params;
  }

  get hash() {
    const f = this.#r.fragment;
    return f === null || f === "" ? "" : `#${f}`;
  }
  set hash(value) {
    const r = this.#r;
    let input = toUSV(value);
    if (input === "") {
      r.fragment = null;
      stripTrailingSpaces(r);
      return;
    }
    if (input.charCodeAt(0) === 35) input = input.slice(1);
    r.fragment = "";
    basicParse(input, null, r, FRAGMENT_STATE);
  }

  toJSON() { return serialize(this.#r); }

  // The setters parse into the record itself (a host is kept when the port after it fails, as in Node).
  #edit(value, state) {
    const r = this.#r;
    // Node leaves a host-less non-special URL alone when given an empty host.
    if ((state === HOST || state === HOSTNAME) && r.host === null && value.replace(/[\t\n\r]/g, "") === "" &&
        !(r.scheme in specialPorts)) return;
    basicParse(value, null, r, state);
  }

  [inspectCustom](depth, options, inspect) {
    const obj = {
      href: this.href, origin: this.origin, protocol: this.protocol, username: this.username, password: this.password,
      host: this.host, hostname: this.hostname, port: this.port, pathname: this.pathname, search: this.search,
      searchParams: this.searchParams, hash: this.hash,
    };
    if (typeof inspect !== "function") return obj;
    if (depth < 0) return "URL {}";
    return `URL ${inspect(obj, { ...options, depth: options?.depth == null ? options?.depth : depth })}`;
  }
}

Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: "URL", configurable: true });
for (const name of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname",
  "search", "searchParams", "hash", "toString", "toJSON"]) {
  const d = Object.getOwnPropertyDescriptor(URL.prototype, name);
  d.enumerable = true;
  Object.defineProperty(URL.prototype, name, d);
}

/** The record behind a URL object (for node:url's legacy helpers). */
export function urlRecord(u) {
  try {
    return recordOf(u);
  } catch {
    return undefined;
  }
}

export function isURL(u) {
  return u != null && typeof u === "object" && urlRecord(u) !== undefined;
}

// ---------------------------------------------------------------------------

const kKeys = 0;
const kValues = 1;
const kEntries = 2;

class URLSearchParamsIterator {
  #params;
  #kind;
  #index = 0;
  static create;

  static {
    URLSearchParamsIterator.create = (params, kind) => {
      const it = new URLSearchParamsIterator();
      it.#params = params;
      it.#kind = kind;
      return it;
    };
  }

  next() {
    const list = listOf(this.#params);
    if (this.#index >= list.length) return { value: undefined, done: true };
    const pair = list[this.#index++];
    const value = this.#kind === kKeys ? pair[0] : this.#kind === kValues ? pair[1] : [pair[0], pair[1]];
    return { value, done: false };
  }

  [Symbol.iterator]() {
    return this;
  }
}
Object.setPrototypeOf(URLSearchParamsIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
Object.defineProperty(URLSearchParamsIterator.prototype, Symbol.toStringTag, { value: "URLSearchParams Iterator", configurable: true });

let listOf;

export class URLSearchParams {
  #list = [];
  #url = null;

  static {
    listOf = (p) => p.#list;
    attachQuery = (p, query, url) => {
      if (url) p.#url = url;
      p.#list = query === null || query === "" ? [] : parseForm(query);
    };
  }

  constructor(init = undefined) {
    if (init === undefined || init === null) return;
    if (typeof init === "object" || typeof init === "function") {
      const iter = init[Symbol.iterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== "function") throw codes.ERR_INVALID_ARG_TYPE("query", "Iterable", init);
        for (const pair of init) {
          if ((typeof pair !== "object" && typeof pair !== "function") || pair === null || typeof pair[Symbol.iterator] !== "function") {
            throw nodeError(TypeError, "ERR_INVALID_TUPLE", "Each query pair must be an iterable [name, value] tuple");
          }
          const items = [...pair];
          if (items.length !== 2) {
            throw nodeError(TypeError, "ERR_INVALID_TUPLE", "Each query pair must be an iterable [name, value] tuple");
          }
          this.#list.push([toUSV(items[0]), toUSV(items[1])]);
        }
      } else {
        for (const key of Reflect.ownKeys(init)) {
          if (typeof key !== "string") continue;
          const d = Reflect.getOwnPropertyDescriptor(init, key);
          if (d === undefined || !d.enumerable) continue;
          this.#list.push([toUSV(key), toUSV(init[key])]);
        }
      }
      return;
    }
    let s = toUSV(init);
    if (s.charCodeAt(0) === 63) s = s.slice(1);
    this.#list = parseForm(s);
  }

  #update() {
    if (this.#url === null) return;
    const r = recordOf(this.#url);
    const s = serializeForm(this.#list);
    r.query = s === "" ? null : s;
    if (s === "") stripTrailingSpaces(r);
  }

  get size() { return this.#list.length; }

  append(name, value) {
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS("name", "value");
    this.#list.push([toUSV(name), toUSV(value)]);
    this.#update();
  }

  delete(name, value = undefined) {
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS("name");
    const n = toUSV(name);
    if (value === undefined) this.#list = this.#list.filter((p) => p[0] !== n);
    else {
      const v = toUSV(value);
      this.#list = this.#list.filter((p) => p[0] !== n || p[1] !== v);
    }
    this.#update();
  }

  get(name) {
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS("name");
    const n = toUSV(name);
    for (const p of this.#list) if (p[0] === n) return p[1];
    return null;
  }

  getAll(name) {
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS("name");
    const n = toUSV(name);
    const out = [];
    for (const p of this.#list) if (p[0] === n) out.push(p[1]);
    return out;
  }

  has(name, value = undefined) {
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS("name");
    const n = toUSV(name);
    if (value === undefined) return this.#list.some((p) => p[0] === n);
    const v = toUSV(value);
    return this.#list.some((p) => p[0] === n && p[1] === v);
  }

  set(name, value) {
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS("name", "value");
    const n = toUSV(name);
    const v = toUSV(value);
    const i = this.#list.findIndex((p) => p[0] === n);
    if (i < 0) this.#list.push([n, v]);
    else {
      this.#list[i][1] = v;
      this.#list = this.#list.filter((p, j) => j <= i || p[0] !== n);
    }
    this.#update();
  }

  sort() {
    // Stable, by UTF-16 code units of the names.
    const indexed = this.#list.map((p, i) => [p, i]);
    indexed.sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1]));
    this.#list = indexed.map((x) => x[0]);
    this.#update();
  }

  forEach(callback, thisArg = undefined) {
    if (typeof callback !== "function") throw codes.ERR_INVALID_ARG_TYPE("callback", "Function", callback);
    for (let i = 0; i < this.#list.length; i++) {
      const [name, value] = this.#list[i];
      callback.call(thisArg, value, name, this);
    }
  }

  keys() { return URLSearchParamsIterator.create(this, kKeys); }
  values() { return URLSearchParamsIterator.create(this, kValues); }
  entries() { return URLSearchParamsIterator.create(this, kEntries); }
  [Symbol.iterator]() { return URLSearchParamsIterator.create(this, kEntries); }

  toString() { return serializeForm(this.#list); }

  [inspectCustom](depth, options, inspect) {
    if (typeof inspect !== "function") return Object.fromEntries(this.#list);
    if (depth < 0) return "[Object]";
    if (this.#list.length === 0) return "URLSearchParams {}";
    const parts = this.#list.map(([k, v]) => `${inspect(k, options)} => ${inspect(v, options)}`);
    return `URLSearchParams { ${parts.join(", ")} }`;
  }
}

Object.defineProperty(URLSearchParams.prototype, Symbol.toStringTag, { value: "URLSearchParams", configurable: true });
for (const name of ["append", "delete", "get", "getAll", "has", "set", "size", "sort", "entries", "forEach", "keys", "values", "toString"]) {
  const d = Object.getOwnPropertyDescriptor(URLSearchParams.prototype, name);
  d.enumerable = true;
  Object.defineProperty(URLSearchParams.prototype, name, d);
}

export { includesCredentials, specialPorts };
