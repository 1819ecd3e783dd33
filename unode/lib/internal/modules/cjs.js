// node:internal/modules/cjs — CommonJS as Node runs it: `Module`, `require`,
// `require.resolve`, `require.cache`, `module.exports`, `__filename`,
// `__dirname`; `.js`/`.cjs`/`.json` loaders; `require()` of built-ins, of
// `jsk:` modules and of ES modules (their namespace, as Node 22 does for ES
// modules without top-level await). Also the hooks through which the host's
// ES module loader resolves Node-style names and imports CommonJS and JSON.

import { importSync, evalScript } from "jsk:native";
import * as sys from "jsk:sys";
import { nodeError, codes } from "node:internal/errors";
import {
  builtinModules, builtinName, cwd, dirname, formatOf, fromFileURL, nodeModulePaths, globalPaths,
  resolveCommonJS, resolveESM, resolvePath, clearProbeCache,
} from "node:internal/modules/resolve";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE } = codes;

/**
 * The exports `require()` gives for a built-in or jsk: module: Node's
 * CommonJS value, i.e. its default export. The requiring file is the base,
 * so that the host applies its rules for programs (--deny-unsafe).
 */
function builtinExports(name, parent) {
  const ns = importSync(name, parent?.filename || "/[require]");
  if (name.startsWith("jsk:")) return ns;
  return "default" in ns ? ns.default : ns;
}

export function Module(id = "", parent) {
  this.id = id;
  this.path = id ? dirname(id) : ".";
  this.exports = {};
  this.filename = null;
  this.loaded = false;
  this.children = [];
  this.paths = [];
  Object.defineProperty(this, "parent", { value: parent, writable: true, configurable: true, enumerable: false });
  if (parent?.children && !parent.children.includes(this)) parent.children.push(this);
}

Module._cache = Object.create(null);
Module._pathCache = Object.create(null);
Module._extensions = Object.create(null);
Module.globalPaths = globalPaths();
Module.builtinModules = builtinModules;
Module.isBuiltin = (name) => builtinName(String(name)) !== undefined;
Module._nodeModulePaths = (dir) => nodeModulePaths(resolvePath(cwd(), dir));
Module.wrapper = ["(function (exports, require, module, __filename, __dirname) { ", "\n});"];
Module.wrap = (script) => Module.wrapper[0] + script + Module.wrapper[1];
Module.Module = Module;

function requireStackOf(parent) {
  const stack = [];
  for (let m = parent; m && m.filename; m = m.parent) stack.push(m.filename);
  return stack;
}

Module._resolveFilename = function (request, parent, isMain, options) {
  const paths = options?.paths?.map((p) => resolvePath(cwd(), p));
  return resolveCommonJS(request, parent?.filename ?? (parent?.id && parent.id !== "." ? parent.id : undefined), {
    paths,
    requireStack: requireStackOf(parent),
  });
};

Module._resolveLookupPaths = function (request, parent) {
  if (builtinName(request)) return null;
  if (request.startsWith("./") || request.startsWith("../")) return [parent?.filename ? dirname(parent.filename) : cwd()];
  return [...nodeModulePaths(parent?.filename ? dirname(parent.filename) : cwd()), ...globalPaths()];
};

let mainModule;

Module._load = function (request, parent, isMain = false) {
  const b = builtinName(request);
  if (b) return builtinExports(b, parent);
  if (request.startsWith("node:")) {
    throw nodeError(Error, "ERR_UNKNOWN_BUILTIN_MODULE", `No such built-in module: ${request}`);
  }
  if (request.startsWith("jsk:")) return builtinExports(request, parent);
  const filename = Module._resolveFilename(request, parent, isMain);
  if (filename.startsWith("node:") || filename.startsWith("jsk:")) return builtinExports(filename, parent);
  const cached = Module._cache[filename];
  if (cached !== undefined) {
    if (parent?.children && !parent.children.includes(cached)) parent.children.push(cached);
    return cached.exports;
  }
  const module = new Module(filename, parent);
  if (isMain) {
    module.id = ".";
    mainModule = module;
    if (globalThis.process) globalThis.process.mainModule = module;
  }
  Module._cache[filename] = module;
  let threw = true;
  try {
    module.load(filename);
    threw = false;
  } finally {
    if (threw) {
      delete Module._cache[filename];
      if (parent?.children) {
        const i = parent.children.indexOf(module);
        if (i !== -1) parent.children.splice(i, 1);
      }
    }
  }
  return module.exports;
};

function extensionOf(filename) {
  const base = filename.slice(filename.lastIndexOf("/") + 1);
  let dot = base.indexOf(".", 1);
  // The longest registered extension (".test.js" if someone registers it, else ".js").
  while (dot !== -1) {
    const ext = base.slice(dot);
    if (Module._extensions[ext]) return ext;
    dot = base.indexOf(".", dot + 1);
  }
  return ".js";
}

Module.prototype.load = function (filename) {
  this.filename = filename;
  this.paths = nodeModulePaths(dirname(filename));
  Module._extensions[extensionOf(filename)](this, filename);
  this.loaded = true;
};

Module.prototype.require = function (id) {
  if (typeof id !== "string") throw ERR_INVALID_ARG_TYPE("id", "string", id);
  if (id === "") throw ERR_INVALID_ARG_VALUE("id", id, "must be a non-empty string");
  return Module._load(id, this, false);
};

function stripBOM(s) {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

Module.prototype._compile = function (content, filename) {
  content = stripBOM(content);
  // A hashbang line stays line 1, as a comment.
  if (content.startsWith("#!")) content = "//" + content.slice(2);
  const fn = evalScript(Module.wrap(content), filename);
  const require = makeRequire(this);
  return fn.call(this.exports, this.exports, require, this, filename, dirname(filename));
};

function readSource(filename) {
  return sys.readFile(filename, "utf8");
}

Module._extensions[".js"] = function (module, filename) {
  if (formatOf(filename) === "esm") {
    module.exports = importSync(filename);
    return;
  }
  module._compile(readSource(filename), filename);
};
Module._extensions[".cjs"] = function (module, filename) {
  module._compile(readSource(filename), filename);
};
Module._extensions[".mjs"] = function (module, filename) {
  module.exports = importSync(filename);
};
Module._extensions[".json"] = function (module, filename) {
  const text = readSource(filename);
  try {
    module.exports = JSON.parse(stripBOM(text));
  } catch (e) {
    e.message = `${filename}: ${e.message}`;
    throw e;
  }
};
Module._extensions[".node"] = function (module, filename) {
  throw nodeError(Error, "ERR_DLOPEN_FAILED", `Cannot load native addon ${filename}: unode runs JavaScript only (no node-gyp addons)`);
};

function makeRequire(mod) {
  const require = (id) => mod.require(id);
  function resolve(request, options) {
    if (typeof request !== "string") throw ERR_INVALID_ARG_TYPE("request", "string", request);
    return Module._resolveFilename(request, mod, false, options);
  }
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  Object.defineProperty(require, "main", { get: () => mainModule, enumerable: true, configurable: true });
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** `module.createRequire(filename)`: a require() working as if from that file (a path or file: URL). */
export function createRequire(filename) {
  const path = fromFileURL(filename);
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received ${JSON.stringify(filename)}`);
  }
  const m = new Module(path, null);
  m.filename = path.endsWith("/") ? `${path}noop.js` : path;
  m.paths = nodeModulePaths(dirname(m.filename));
  return makeRequire(m);
}
Module.createRequire = createRequire;
Module.syncBuiltinESMExports = () => {};
Module.findSourceMap = () => undefined;
Module.register = () => { throw codes.ERR_NOT_IMPLEMENTED("module.register (loader hooks)"); };
Module._initPaths = () => { Module.globalPaths = globalPaths(); };
Module._clearProbeCache = clearProbeCache;

// ---- the host's ES module loader -------------------------------------------------

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(("break case catch class const continue debugger default delete do else enum export extends false " +
  "finally for function if import in instanceof new null return super switch this throw true try typeof var void while with " +
  "yield let static implements interface package private protected public await").split(" "));

/** The exports of CommonJS/JSON module `filename` for its ES module wrapper (loads it if needed). */
export function exportsOf(filename) {
  const cached = Module._cache[filename];
  return cached ? cached.exports : Module._load(filename, null, false);
}

// The ES wrapper of a CommonJS module reaches its exports through this
// (wrappers are user-land modules, which may not import node:internal/).
const EXPORTS_OF = Symbol.for("jsk.unode.exportsOf");
Object.defineProperty(globalThis, EXPORTS_OF, { value: exportsOf });

/** ES source standing in for a CommonJS or JSON module imported with `import`. */
function wrapperSource(filename) {
  const exports = exportsOf(filename);
  const q = JSON.stringify(filename);
  let src = `const m = globalThis[Symbol.for("jsk.unode.exportsOf")](${q});\nexport default m;\n`;
  if (exports !== null && (typeof exports === "object" || typeof exports === "function") && !filename.endsWith(".json")) {
    const names = Object.keys(exports).filter((k) => IDENTIFIER.test(k) && !RESERVED.has(k) && k !== "m");
    if (names.length) src += `export const { ${names.join(", ")} } = m;\n`;
  }
  return src;
}

/** Installed as the host's module hooks (see runtime/src/engine/modules.rs). */
export const hooks = Object.freeze({
  resolve(specifier, base) {
    return resolveESM(specifier, base);
  },
  load(name) {
    const format = formatOf(name);
    if (format === "esm") return undefined; // the host reads the file itself
    if (format === "addon") return Module._extensions[".node"](null, name);
    return wrapperSource(name);
  },
});

/** Run the program's entry file as Node does: CommonJS now, an ES module through import(). */
export function runMain(path) {
  const file = resolveCommonJS(resolvePath(cwd(), path), undefined, { requireStack: [] });
  if (formatOf(file) === "esm") {
    const m = new Module(file, null);
    m.id = ".";
    m.filename = file;
    mainModule = m;
    return import(file);
  }
  Module._load(file, null, true);
  return undefined;
}

export default Module;
