// node:internal/modules/resolve — Node's module resolution, for require()
// and for import: built-in names, relative and absolute paths, node_modules
// up the folder tree (and NODE_PATH), package.json "main", "exports" and
// "imports" with conditions, and each file's module format (the nearest
// package.json "type", .mjs, .cjs, .json).
//
// Paths here are absolute and already normalised; file probes are cached for
// the life of the process, as Node caches them while it loads.

import * as sys from "jsk:sys";
import { env, decodeUtf8 } from "jsk:native";
import { nodeError } from "node:internal/errors";

/** Node's built-in module names (what `require("x")` and `import "x"` may name without `node:`). */
export const builtinModules = Object.freeze([
  "assert", "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
  "crypto", "dgram", "diagnostics_channel", "dns", "dns/promises", "domain", "events", "fs", "fs/promises",
  "http", "http2", "https", "inspector", "module", "net", "os", "path", "path/posix", "path/win32",
  "perf_hooks", "process", "punycode", "querystring", "readline", "readline/promises", "repl", "stream",
  "stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers", "timers/promises",
  "tls", "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib",
]);
const builtinSet = new Set(builtinModules);
/** Built-ins only reachable with the `node:` scheme, as in Node. */
const schemeOnly = new Set(["test", "test/reporters", "sea", "sqlite"]);

/** "node:fs" for "fs" or "node:fs"; undefined if not a built-in name. */
export function builtinName(request) {
  if (request.startsWith("node:")) {
    const bare = request.slice(5);
    return builtinSet.has(bare) || schemeOnly.has(bare) ? request : undefined;
  }
  return builtinSet.has(request) ? `node:${request}` : undefined;
}

// ---- paths ------------------------------------------------------------------

export function dirname(p) {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

/** Join and normalise onto an absolute base. */
export function resolvePath(base, rel) {
  const parts = (rel.startsWith("/") ? rel : `${base}/${rel}`).split("/");
  const out = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

export function cwd() {
  const buf = new Uint8Array(4096);
  const n = sys.syscall(sys.nr.getcwd, buf, buf.length);
  if (n < 0) throw new sys.SysError("getcwd", -n);
  return decodeUtf8(buf.subarray(0, n - 1));
}

/** A `file:` URL (string or URL object) to its path; anything else unchanged. */
export function fromFileURL(spec) {
  const href = typeof spec === "string" ? spec : spec?.href;
  if (typeof href !== "string" || !href.startsWith("file:")) return spec;
  let rest = href.slice(5);
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const host = rest.slice(2, slash < 0 ? rest.length : slash);
    if (host !== "" && host !== "localhost") throw nodeError(TypeError, "ERR_INVALID_FILE_URL_HOST", `File URL host must be "localhost" or empty on linux`);
    rest = slash < 0 ? "/" : rest.slice(slash);
  }
  rest = rest.replace(/[?#].*$/, "");
  if (/%2f/i.test(rest)) throw nodeError(TypeError, "ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  return decodeURIComponent(rest);
}

// ---- file probes (cached) ---------------------------------------------------

const KIND_NONE = 0, KIND_FILE = 1, KIND_DIR = 2;
const statCache = new Map();

function kindOf(path) {
  let k = statCache.get(path);
  if (k !== undefined) return k;
  try {
    const st = sys.stat(path);
    k = st.isDirectory() ? KIND_DIR : KIND_FILE;
  } catch {
    k = KIND_NONE;
  }
  statCache.set(path, k);
  return k;
}
export const isFile = (p) => kindOf(p) === KIND_FILE;
export const isDir = (p) => kindOf(p) === KIND_DIR;

/** Forget cached probes (after the program writes files it then requires). */
export function clearProbeCache() { statCache.clear(); }

const packageCache = new Map();

/** The parsed package.json in folder `dir`, or null. Throws ERR_INVALID_PACKAGE_CONFIG for bad JSON. */
export function readPackage(dir) {
  const file = dir === "/" ? "/package.json" : `${dir}/package.json`;
  if (packageCache.has(file)) return packageCache.get(file);
  let pkg = null;
  if (isFile(file)) {
    const text = sys.readFile(file, "utf8");
    try {
      pkg = JSON.parse(text);
    } catch (e) {
      throw nodeError(Error, "ERR_INVALID_PACKAGE_CONFIG", `Invalid package config ${file}: ${e.message}`);
    }
    if (pkg === null || typeof pkg !== "object") pkg = {};
    Object.defineProperty(pkg, "__dir", { value: dir });
  }
  packageCache.set(file, pkg);
  return pkg;
}

/** The package.json governing `path`: the nearest one in its folder or above (stopping at node_modules). */
export function packageScope(path) {
  let dir = dirname(path);
  for (;;) {
    if (dir.endsWith("/node_modules")) return null;
    const pkg = readPackage(dir);
    if (pkg) return pkg;
    if (dir === "/") return null;
    dir = dirname(dir);
  }
}

/** "esm", "commonjs", "json" or "addon": how Node loads the file at `path`. */
export function formatOf(path) {
  if (path.endsWith(".mjs")) return "esm";
  if (path.endsWith(".cjs")) return "commonjs";
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".node")) return "addon";
  const type = packageScope(path)?.type;
  if (type === "module") return "esm";
  if (type === "commonjs") return "commonjs";
  // No "type": Node (20.19+, 22.7+) detects ES module syntax in the file.
  return looksLikeESM(path) ? "esm" : "commonjs";
}

const detected = new Map();
// import/export at the start of a statement (not `import(` or `import.meta`).
const ESM_SYNTAX = /(?:^|[;}\n])\s*(?:import\s*(?:[\w$]+\s*(?:,|from)|\*|\{|["'])|export\s*(?:\{|\*|default\b|const\b|let\b|var\b|function\b|async\b|class\b))/;

function looksLikeESM(path) {
  let r = detected.get(path);
  if (r !== undefined) return r;
  try {
    const src = sys.readFile(path, "utf8").replace(/\/\*[\s\S]*?\*\/|(^|[^:"'`\\])\/\/.*$/gm, "$1");
    r = ESM_SYNTAX.test(src) && !/\b(?:module\.exports|exports\.[\w$]+\s*=|require\s*\()/.test(src);
  } catch {
    r = false;
  }
  detected.set(path, r);
  return r;
}

// ---- errors -------------------------------------------------------------------

function notFound(request, parentPath, requireStack) {
  let msg = `Cannot find module '${request}'`;
  if (requireStack?.length) msg += `\nRequire stack:\n- ${requireStack.join("\n- ")}`;
  const e = new Error(msg);
  e.code = "MODULE_NOT_FOUND";
  e.requireStack = requireStack ?? [];
  return e;
}

function esmNotFound(what, request, parent) {
  return nodeError(Error, "ERR_MODULE_NOT_FOUND", `Cannot find ${what} '${request}' imported from ${parent}`);
}

function notExported(pkgDir, subpath, isImports) {
  if (isImports) {
    return nodeError(TypeError, "ERR_PACKAGE_IMPORT_NOT_DEFINED", `Package import specifier "${subpath}" is not defined in package ${pkgDir}/package.json`);
  }
  return nodeError(Error, "ERR_PACKAGE_PATH_NOT_EXPORTED", subpath === "."
    ? `No "exports" main defined in ${pkgDir}/package.json`
    : `Package subpath '${subpath}' is not defined by "exports" in ${pkgDir}/package.json`);
}

function invalidTarget(pkgDir, key, target) {
  return nodeError(Error, "ERR_INVALID_PACKAGE_TARGET", `Invalid "exports" target ${JSON.stringify(target)} defined for '${key}' in the package config ${pkgDir}/package.json`);
}

// ---- package "exports" / "imports" (Node's PACKAGE_*_RESOLVE) ------------------

export const REQUIRE_CONDITIONS = Object.freeze(["require", "node", "node-addons", "default"]);
export const IMPORT_CONDITIONS = Object.freeze(["import", "node", "node-addons", "default"]);

function isConditionMap(obj) {
  const keys = Object.keys(obj);
  return keys.length > 0 && !keys[0].startsWith(".");
}

/** Resolve one target of an exports/imports map; undefined when no condition matched, null when explicitly excluded. */
function resolveTarget(pkgDir, key, target, patternMatch, conditions, isImports, resolveBare) {
  if (typeof target === "string") {
    if (!target.startsWith("./")) {
      if (isImports && !target.startsWith("../") && !target.startsWith("/")) {
        const spec = patternMatch === undefined ? target : target.replaceAll("*", patternMatch);
        return resolveBare(spec);
      }
      throw invalidTarget(pkgDir, key, target);
    }
    const resolved = patternMatch === undefined ? target : target.replaceAll("*", patternMatch);
    const segments = resolved.split(/[/\\]/).slice(1);
    if (segments.some((s) => s === ".." || s === "." || s === "node_modules")) throw invalidTarget(pkgDir, key, target);
    return resolvePath(pkgDir, resolved);
  }
  if (Array.isArray(target)) {
    let lastError;
    for (const t of target) {
      try {
        const r = resolveTarget(pkgDir, key, t, patternMatch, conditions, isImports, resolveBare);
        if (r === undefined) continue;
        if (r === null) return null;
        return r;
      } catch (e) {
        if (e.code !== "ERR_INVALID_PACKAGE_TARGET") throw e;
        lastError = e;
      }
    }
    if (lastError) throw lastError;
    return null;
  }
  if (target && typeof target === "object") {
    for (const cond of Object.keys(target)) {
      if (cond === "default" || conditions.includes(cond)) {
        const r = resolveTarget(pkgDir, key, target[cond], patternMatch, conditions, isImports, resolveBare);
        if (r !== undefined) return r;
      }
    }
    return undefined;
  }
  if (target === null) return null;
  throw invalidTarget(pkgDir, key, target);
}

/** Node's PATTERN_KEY_COMPARE: longer prefix first, then longer key. */
function patternCompare(a, b) {
  const ai = a.indexOf("*"), bi = b.indexOf("*");
  const al = ai === -1 ? a.length : ai + 1, bl = bi === -1 ? b.length : bi + 1;
  if (al > bl) return -1;
  if (bl > al) return 1;
  if (ai === -1) return 1;
  if (bi === -1) return -1;
  if (a.length > b.length) return -1;
  if (b.length > a.length) return 1;
  return 0;
}

function resolveMap(pkgDir, map, subpath, conditions, isImports, resolveBare) {
  if (Object.hasOwn(map, subpath) && !subpath.includes("*")) {
    const r = resolveTarget(pkgDir, subpath, map[subpath], undefined, conditions, isImports, resolveBare);
    if (r == null) throw notExported(pkgDir, subpath, isImports);
    return r;
  }
  let bestKey = "", bestMatch;
  for (const key of Object.keys(map)) {
    const star = key.indexOf("*");
    if (star === -1 || key.indexOf("*", star + 1) !== -1) continue;
    const prefix = key.slice(0, star), suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath !== prefix && (suffix === "" ||
        (subpath.endsWith(suffix) && subpath.length >= key.length))) {
      if (patternCompare(bestKey, key) === 1) {
        bestKey = key;
        bestMatch = subpath.slice(prefix.length, subpath.length - suffix.length);
      }
    }
  }
  if (bestKey) {
    const r = resolveTarget(pkgDir, bestKey, map[bestKey], bestMatch, conditions, isImports, resolveBare);
    if (r == null) throw notExported(pkgDir, subpath, isImports);
    return r;
  }
  throw notExported(pkgDir, subpath, isImports);
}

/** The file a package's "exports" gives for `subpath` ("." or "./x"). */
export function resolveExports(pkgDir, exports, subpath, conditions) {
  let map = exports;
  if (typeof exports === "string" || Array.isArray(exports) || (exports && typeof exports === "object" && isConditionMap(exports))) {
    map = { ".": exports };
  }
  if (map === null || typeof map !== "object") throw notExported(pkgDir, subpath, false);
  return resolveMap(pkgDir, map, subpath, conditions, false, null);
}

/** "#x" through the "imports" of the package scope of `parentPath`. */
export function resolveImports(request, parentPath, conditions, resolveBare) {
  const pkg = packageScope(parentPath);
  if (!pkg || !pkg.imports || typeof pkg.imports !== "object") {
    throw nodeError(TypeError, "ERR_PACKAGE_IMPORT_NOT_DEFINED", `Package import specifier "${request}" is not defined${pkg ? ` in package ${pkg.__dir}/package.json` : ""} imported from ${parentPath}`);
  }
  return resolveMap(pkg.__dir, pkg.imports, request, conditions, true, resolveBare);
}

/** ["@scope/name" or "name", "./sub" or "."] for a bare specifier; throws for an invalid one. */
export function splitPackage(request, parent) {
  let end = request.indexOf("/");
  if (request.startsWith("@")) {
    end = end === -1 ? -1 : request.indexOf("/", end + 1);
    if (request.indexOf("/") === -1) {
      throw nodeError(TypeError, "ERR_INVALID_MODULE_SPECIFIER", `Invalid module "${request}" is not a valid package name imported from ${parent}`);
    }
  }
  const name = end === -1 ? request : request.slice(0, end);
  return [name, end === -1 ? "." : `.${request.slice(end)}`];
}

/** node_modules folders from `dir` up to the root, then NODE_PATH's folders. */
export function nodeModulePaths(dir) {
  const out = [];
  for (let d = dir; ; d = dirname(d)) {
    if (!d.endsWith("/node_modules")) out.push(d === "/" ? "/node_modules" : `${d}/node_modules`);
    if (d === "/") break;
  }
  return out;
}

export function globalPaths() {
  const extra = (env.NODE_PATH ?? "").split(":").filter(Boolean).map((p) => resolvePath(cwd(), p));
  const home = env.HOME;
  if (home) extra.push(`${home}/.node_modules`, `${home}/.node_libraries`);
  return extra;
}

// ---- CommonJS: Node's require.resolve algorithm ---------------------------------

const CJS_EXTENSIONS = [".js", ".json", ".node"];

function tryFile(path, extensions) {
  if (isFile(path)) return path;
  for (const ext of extensions) if (isFile(path + ext)) return path + ext;
  return undefined;
}

function tryDirectory(dir, extensions) {
  const pkg = readPackage(dir);
  if (pkg && typeof pkg.main === "string" && pkg.main !== "") {
    const main = resolvePath(dir, pkg.main);
    const f = tryFile(main, extensions) ?? tryIndex(main, extensions);
    if (f) return f;
  }
  return tryIndex(dir, extensions);
}

function tryIndex(dir, extensions) {
  for (const ext of extensions) if (isFile(`${dir}/index${ext}`)) return `${dir}/index${ext}`;
  return undefined;
}

/** The file `require(request)` from a module in folder `dir` loads, with `paths` searched for bare names. */
export function resolveCommonJS(request, parentPath, { paths, extensions = CJS_EXTENSIONS, requireStack, conditions = REQUIRE_CONDITIONS } = {}) {
  const b = builtinName(request);
  if (b) return b;
  if (request.startsWith("jsk:")) return request;
  const dir = parentPath ? dirname(parentPath) : cwd();
  request = fromFileURL(request);
  if (request.startsWith("./") || request.startsWith("../") || request.startsWith("/") || request === "." || request === "..") {
    const roots = paths && !request.startsWith("/") ? paths : [dir];
    for (const root of roots) {
      const target = resolvePath(root, request);
      const f = (request.endsWith("/") ? undefined : tryFile(target, extensions)) ?? (isDir(target) ? tryDirectory(target, extensions) : undefined);
      if (f) return f;
    }
    throw notFound(request, parentPath, requireStack);
  }
  if (request.startsWith("#")) {
    return resolveImports(request, parentPath ?? `${dir}/`, conditions, (spec) => resolveCommonJS(spec, parentPath, { paths, extensions, requireStack, conditions }));
  }
  const [name, subpath] = splitPackage(request, parentPath ?? dir);
  // A package may require itself by its own name through its "exports".
  const scope = parentPath ? packageScope(parentPath) : null;
  if (scope && scope.name === name && scope.exports !== undefined) {
    return resolveExports(scope.__dir, scope.exports, subpath, conditions);
  }
  const searched = paths ? paths.flatMap((p) => nodeModulePaths(p)) : [...nodeModulePaths(dir), ...globalPaths()];
  for (const nm of searched) {
    const pkgDir = `${nm}/${name}`;
    if (!isDir(pkgDir)) continue;
    const pkg = readPackage(pkgDir);
    if (pkg && pkg.exports !== undefined && pkg.exports !== null) {
      const f = resolveExports(pkgDir, pkg.exports, subpath, conditions);
      if (isFile(f)) return f;
      throw notFound(f, parentPath, requireStack);
    }
    const target = `${nm}/${request}`;
    const f = tryFile(target, extensions) ?? (isDir(target) ? tryDirectory(target, extensions) : undefined);
    if (f) return f;
  }
  throw notFound(request, parentPath, requireStack);
}

// ---- ES modules: Node's ESM resolver ---------------------------------------------

const ESM_LEGACY_MAIN = [".js", ".json", ".node"];

/** The module name `import(specifier)` from module `parent` loads: an absolute path, or `node:x`/`jsk:x`. */
export function resolveESM(specifier, parent) {
  const b = builtinName(specifier);
  if (b) return b;
  if (specifier.startsWith("node:")) {
    throw nodeError(Error, "ERR_UNKNOWN_BUILTIN_MODULE", `No such built-in module: ${specifier}`);
  }
  if (specifier.startsWith("jsk:")) return specifier;
  const parentPath = parent.startsWith("/") ? parent : resolvePath(cwd(), parent);
  const dir = dirname(parentPath);
  let path;
  if (specifier.startsWith("file:")) {
    path = fromFileURL(specifier);
  } else if (specifier.startsWith("/") || specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..") {
    path = resolvePath(dir, specifier.replace(/[?#].*$/, ""));
  } else if (specifier.startsWith("#")) {
    path = resolveImports(specifier, parentPath, IMPORT_CONDITIONS, (spec) => resolveESM(spec, parentPath));
  } else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)) {
    throw nodeError(Error, "ERR_UNSUPPORTED_ESM_URL_SCHEME", `Only URLs with a scheme in: file, node, and jsk are supported by the default ESM loader. Received protocol '${specifier.slice(0, specifier.indexOf(":") + 1)}'`);
  } else {
    path = resolvePackageESM(specifier, parentPath);
  }
  if (path.startsWith("node:") || path.startsWith("jsk:")) return path;
  if (isDir(path)) {
    throw nodeError(Error, "ERR_UNSUPPORTED_DIR_IMPORT", `Directory import '${path}' is not supported resolving ES modules imported from ${parentPath}`);
  }
  if (!isFile(path)) throw esmNotFound("module", path, parentPath);
  return path;
}

function resolvePackageESM(specifier, parentPath) {
  const [name, subpath] = splitPackage(specifier, parentPath);
  const scope = packageScope(parentPath);
  if (scope && scope.name === name && scope.exports !== undefined) {
    return resolveExports(scope.__dir, scope.exports, subpath, IMPORT_CONDITIONS);
  }
  for (const nm of [...nodeModulePaths(dirname(parentPath)), ...globalPaths()]) {
    const pkgDir = `${nm}/${name}`;
    if (!isDir(pkgDir)) continue;
    const pkg = readPackage(pkgDir);
    if (pkg && pkg.exports !== undefined && pkg.exports !== null) {
      return resolveExports(pkgDir, pkg.exports, subpath, IMPORT_CONDITIONS);
    }
    if (subpath === ".") {
      const f = tryDirectory(pkgDir, ESM_LEGACY_MAIN);
      if (f) return f;
      throw esmNotFound("package", pkgDir, parentPath);
    }
    return resolvePath(pkgDir, subpath);
  }
  throw esmNotFound("package", name, parentPath);
}
