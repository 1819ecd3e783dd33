// node:module — `require("module")`: the Module class with createRequire,
// builtinModules, isBuiltin and the rest of Node's CommonJS loader surface.

import Module, { createRequire } from "node:internal/modules/cjs";
import { builtinModules } from "node:internal/modules/resolve";

export { Module, createRequire, builtinModules };
export const isBuiltin = Module.isBuiltin;
export const syncBuiltinESMExports = Module.syncBuiltinESMExports;
export const findSourceMap = Module.findSourceMap;
export const register = Module.register;
export default Module;
