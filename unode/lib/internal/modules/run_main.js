// node:internal/modules/run_main — how `unode` starts a program: the preload
// modules (-r), then the entry file (CommonJS or ES module by Node's rules)
// or the -e/-p code.

import { evalScript } from "jsk:native";
import { Module, runMain as runEntry, createRequire } from "node:internal/modules/cjs";
import { cwd } from "node:internal/modules/resolve";

function preloadAll(preload) {
  if (preload.length === 0) return;
  const require = createRequire(`${cwd()}/[preload]`);
  for (const id of preload) require(id);
}

export async function runMain(path, preload = []) {
  preloadAll(preload);
  await runEntry(path);
}

/** -e / -p: CommonJS code with require, module, exports, __filename and __dirname in scope (Node's [eval]). */
export async function runEval(code, print, isModule, preload = []) {
  preloadAll(preload);
  const filename = `${cwd()}/[eval]`;
  const m = new Module("[eval]", null);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(cwd());
  const require = createRequire(filename);
  const g = globalThis;
  Object.assign(g, { module: m, exports: m.exports, require, __filename: "[eval]", __dirname: "." });
  const result = evalScript(code, "[eval]");
  if (print) console.log(result);
}
