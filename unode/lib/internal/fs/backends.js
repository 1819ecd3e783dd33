// node:internal/fs/backends — which backend runs asynchronous node:fs,
// chosen once, at the first asynchronous operation (node:internal/fs/async
// loads this module then):
//
//   UNODE_FS_BACKEND=io_uring|threads|deferred   forces one (tests); a forced
//                          io_uring the kernel refuses becomes threads
//   otherwise              io_uring when io_uring_setup works and
//                          UV_USE_IO_URING is not "0" (libuv's switch, which
//                          Node honours), else the thread pool, else deferred
//   UNODE_DEBUG=fs         prints the choice (and why) to stderr, once
//
// getBackend().name (node:internal/fs/async) tells which one runs.

import * as native from "jsk:native";
import { nr } from "jsk:sys";
import { openRing, whyNot } from "node:internal/fs/uring";
import { openPool, poolSize } from "node:internal/fs/pool";
import { createBackend } from "node:internal/fs/kernel";

function debugOn(env) {
  const d = env.UNODE_DEBUG;
  return typeof d === "string" && d.split(/[\s,]+/).some((x) => x === "fs" || x === "*");
}

function say(text) {
  const bytes = native.encodeUtf8(`unode fs: ${text}\n`);
  native.syscall(nr.write, 2, bytes, bytes.length);
}

/** The backend to use, given the deferred one (the fallback of the others). */
export function choose(deferred, env = native.env) {
  const forced = env.UNODE_FS_BACKEND;
  let why;
  let backend = null;
  if (forced === "deferred") {
    backend = deferred;
    why = "UNODE_FS_BACKEND=deferred";
  } else if (forced !== "threads" && (forced === "io_uring" || env.UV_USE_IO_URING !== "0")) {
    const ring = openRing();
    if (ring !== null) {
      backend = createBackend(ring, deferred);
      why = `${ring.sqEntries} SQEs, ${ring.cqEntries} CQEs${forced ? ", UNODE_FS_BACKEND=io_uring" : ""}`;
    } else {
      why = `io_uring unavailable (${whyNot})`;
    }
  } else {
    why = forced === "threads" ? "UNODE_FS_BACKEND=threads" : "UV_USE_IO_URING=0";
  }
  if (backend === null) {
    const pool = openPool();
    backend = createBackend(pool, deferred);
    why = `${why}; up to ${poolSize(env)} threads`;
  }
  if (debugOn(env)) say(`asynchronous backend ${backend.name} (${why})`);
  return backend;
}
