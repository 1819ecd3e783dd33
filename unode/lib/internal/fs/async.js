// node:internal/fs/async — the single door every asynchronous node:fs
// operation goes through (callback API, fs.promises, FileHandle, Dir,
// streams).
//
//   submit(op, args, cb)   run operation `op` with `args`; later call cb(err) or cb(null, result)
//   submitP(op, args)      the same as a promise
//
// `op` is the name of an operation in the table that node:internal/fs/sync
// fills with defineOps({ openSync, readSync, statSync, … }); `args` are the
// arguments of that synchronous function, already validated by the API layer
// when Node validates them synchronously. Nothing above this file knows how
// an operation is carried out.
//
// Backends (chosen at the first operation by node:internal/fs/backends,
// which says how; getBackend().name tells which one runs):
//   "io_uring"  node:internal/fs/uring — the operations the ring can do are
//               SQEs on an io_uring driven from JS (node:internal/fs/kernel
//               plans them and shapes their results as the synchronous
//               functions do); the rest go to "deferred".
//   "threads"   node:internal/fs/pool — the same plans, each system call made
//               by a pool thread; the rest go to "deferred".
//   "deferred"  below: submissions are queued and the queue is drained from
//               one deferred macrotask (jsk:loop setTimeout 0); each operation
//               makes its blocking system call there, in submission order.
// In every backend callbacks never run before the call that submitted them
// returns; with io_uring and threads they run in completion order.

import { setTimeout } from "jsk:loop";
import { importSync } from "jsk:native";

const ops = Object.create(null);

/** Register synchronous implementations by name (done once by node:internal/fs/sync). */
export function defineOps(table) {
  Object.assign(ops, table);
}

/** Runs `op` synchronously, returning [err, result]. */
export function runNow(op, args) {
  const fn = ops[op];
  if (fn === undefined) return [new Error(`node:fs: unknown operation ${op}`), undefined];
  try {
    return [null, fn.apply(undefined, args)];
  } catch (e) {
    return [e, undefined];
  }
}

// ---- the deferred-macrotask backend -------------------------------------------

let queue = [];
let scheduled = false;

function drain() {
  scheduled = false;
  const batch = queue;
  queue = [];
  for (let i = 0; i < batch.length; i += 3) {
    const op = batch[i], args = batch[i + 1], cb = batch[i + 2];
    let err = null, result;
    try {
      result = ops[op].apply(undefined, args);
    } catch (e) {
      err = e;
    }
    try {
      if (err !== null) cb(err);
      else if (result === undefined) cb(null);
      else cb(null, result);
    } catch (e) {
      // The callback threw: keep the rest of the batch, then let the error escape.
      if (i + 3 < batch.length) {
        queue = batch.slice(i + 3).concat(queue);
        schedule();
      }
      throw e;
    }
  }
}

function schedule() {
  if (!scheduled) {
    scheduled = true;
    setTimeout(drain, 0);
  }
}

const deferredBackend = {
  name: "deferred",
  submit(op, args, cb) {
    queue.push(op, args, cb);
    schedule();
  },
};

let backend = null;

function chosen() {
  if (backend === null) {
    backend = deferredBackend; // while choosing, and if choosing fails (the tests check the name)
    try {
      backend = importSync("node:internal/fs/backends").choose(deferredBackend);
    } catch {
      backend = deferredBackend;
    }
  }
  return backend;
}

/** Swap the backend (an object with submit(op, args, cb)); returns the previous one. */
export function setBackend(b) {
  const prev = chosen();
  backend = b ?? deferredBackend;
  return prev;
}

/** The backend in use (chosen now if no operation chose it yet); `.name` says which. */
export function getBackend() {
  return chosen();
}

/** The deferred backend (the fallback of the others). */
export function deferred() {
  return deferredBackend;
}

/** Queue operation `op(...args)`; `cb(err)` or `cb(null, result)` runs later, never synchronously. */
export function submit(op, args, cb) {
  if (typeof op !== "string" || ops[op] === undefined) throw new Error(`node:fs: unknown operation ${op}`);
  (backend ?? chosen()).submit(op, args, cb);
}

/** As submit, as a promise. */
export function submitP(op, args) {
  return new Promise((resolve, reject) => {
    submit(op, args, (err, result) => (err ? reject(err) : resolve(result)));
  });
}
