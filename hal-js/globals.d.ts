// Globals every jsk script has (installed by jsk:globals before user code runs).
/// <reference path="./native.d.ts" />
/// <reference path="./loop.d.ts" />
declare const syscall: typeof import("jsk:native").syscall;
declare const syscall64: typeof import("jsk:native").syscall64;
declare const addressOf: typeof import("jsk:native").addressOf;
declare const unsafeArrayBuffer: typeof import("jsk:native").unsafeArrayBuffer;
declare const setTimeout: typeof import("jsk:loop").setTimeout;
declare const setInterval: typeof import("jsk:loop").setInterval;
declare const clearTimeout: typeof import("jsk:loop").clearTimeout;
declare const clearInterval: typeof import("jsk:loop").clearInterval;
declare const process: {
  argv: string[];
  env: Record<string, string>;
  platform: "linux";
  arch: "x64" | "arm64";
  readonly pid: number;
  /** Used as the exit status when the script ends by itself. */
  exitCode: number | undefined;
  /** Runs "exit" listeners, then the host's cleanup, then ends the process. */
  exit(code?: number): never;
  on(event: "exit", listener: (code: number) => void): typeof process;
};
