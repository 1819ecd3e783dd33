// jsk:process — the `process` object: argv, env, exit, exitCode, "exit" listeners.

import * as native from "jsk:native";
import { getpid } from "jsk:sys";

const exitListeners = [];
let exiting = false;

function runExitListeners(code) {
  if (exiting) return;
  exiting = true;
  for (const fn of exitListeners.splice(0)) fn(code);
}

export const process = {
  argv: native.argv,
  env: native.env,
  platform: "linux",
  arch: native.arch === "x86_64" ? "x64" : native.arch === "aarch64" ? "arm64" : native.arch,
  exitCode: undefined,
  get pid() { return getpid(); },
  /** Run the "exit" listeners, then end the process with `code` (default: process.exitCode or 0). */
  exit(code) {
    const status = code ?? process.exitCode ?? 0;
    try {
      runExitListeners(status);
    } finally {
      native.exit(status);
    }
  },
  /** Only "exit" is emitted: listeners run synchronously with the exit code, before devices are released. */
  on(event, fn) {
    if (event !== "exit") throw new TypeError(`process.on: unsupported event "${event}" (only "exit")`);
    if (typeof fn !== "function") throw new TypeError("process.on: listener must be a function");
    exitListeners.push(fn);
    return process;
  },
};

/** Called by the host when the script ends by itself; returns the final exit code. */
export function emitExit(code) {
  const status = code === 0 ? (process.exitCode ?? 0) : code;
  runExitListeners(status);
  return code === 0 ? (process.exitCode ?? 0) : code;
}
