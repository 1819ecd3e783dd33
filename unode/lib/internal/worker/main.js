// node:internal/worker/main — the entry module of a worker thread. The host
// (runtime/src/engine/workers.rs) boots the worker's runtime like a unode program,
// then calls start() and drives the event loop until the worker's work is
// done; an error nobody caught goes to uncaught(), whose bytes reach the
// parent's Worker as its 'error' event.
//
// start() reads the init message the parent queued (what to run, workerData,
// argv, env, environment data, limits), makes process look like a worker's
// (argv, env, exit() ends only this thread), tells the parent the worker is
// online, then runs the file (CommonJS or ES module) or the eval code.

import * as native from "jsk:native";
import process, { emitExit } from "node:process";
import { Module, createRequire } from "node:internal/modules/cjs";
import { runMain } from "node:internal/modules/run_main";
import { cwd } from "node:internal/modules/resolve";
import { serialize } from "node:internal/worker/serialize";
import { self, takeReceived, decode, handlers, makeParentPort, workerState, postOnline, K } from "node:internal/worker/io";

function takeInit() {
  const init = takeReceived(([from, kind, parts]) => from === self.parent && kind === 0 && Array.isArray(parts) &&
    native.decodeUtf8(parts[0]).startsWith(`${K.INIT}|`));
  if (init === undefined) throw new Error("worker: the init message is missing");
  return decode({ parts: init[2] }).value;
}

function exitThread(code) {
  native.threadStop(self.id, code | 0);
  // Interrupted at the next check: nothing after process.exit() runs.
  for (;;) { /* wait for the interrupt */ }
}

export async function start() {
  const init = takeInit();
  const parentPort = makeParentPort(self.parent);
  handlers.parentPort = parentPort;
  Object.assign(workerState, {
    isMainThread: false,
    parentPort,
    workerData: init.workerData,
    resourceLimits: init.resourceLimits,
    environmentData: init.environmentData instanceof Map ? init.environmentData : new Map(),
  });

  process.argv = [process.execPath, init.isEval ? "[worker eval]" : init.filename, ...init.argv];
  if (init.env && typeof init.env === "object") process.env = init.env;
  process.exit = function exit(code) {
    if (code !== undefined) process.exitCode = code;
    exitThread(emitExit(Number(process.exitCode ?? 0) | 0));
  };
  process.reallyExit = (code) => exitThread(code ?? 0);
  process.chdir = () => {
    const e = new TypeError("process.chdir() is not supported in workers");
    e.code = "ERR_WORKER_UNSUPPORTED_OPERATION";
    throw e;
  };
  if (init.name) process.title = init.name;

  postOnline();
  if (init.isEval) {
    runEvalCode(init.code);
    return;
  }
  await runMain(init.filename);
}

/** eval: true — the code runs as a CommonJS script named [worker eval]. */
function runEvalCode(code) {
  const filename = `${cwd()}/[worker eval]`;
  const m = new Module("[worker eval]", null);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(cwd());
  const require = createRequire(filename);
  Object.assign(globalThis, { module: m, exports: m.exports, require, __filename: "[worker eval]", __dirname: "." });
  native.evalScript(code, "[worker eval]");
}

/**
 * An error reached the top of the worker: true if a process listener took
 * it (the worker goes on), else the bytes of the error for the parent.
 */
export function uncaught(err, isRejection) {
  try {
    if (isRejection && process.listenerCount("unhandledRejection") > 0) {
      process.emit("unhandledRejection", err, undefined);
      return true;
    }
    if (process.listenerCount("uncaughtException") > 0) {
      process.emit("uncaughtException", err, isRejection ? "unhandledRejection" : "uncaughtException");
      return true;
    }
  } catch (e) {
    err = e;
  }
  try {
    return serialize(err, { inline: true, extras: true }).body;
  } catch {
    const e = new Error(String(err?.message ?? err));
    if (err && typeof err.stack === "string") e.stack = err.stack;
    return serialize(e, { inline: true }).body;
  }
}
