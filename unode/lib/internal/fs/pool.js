// node:internal/fs/pool — the thread-pool engine of asynchronous node:fs,
// for kernels without io_uring (or UV_USE_IO_URING=0, libuv's switch). The
// operations are planned in node:internal/fs/kernel exactly as for the ring;
// this file carries each Req out as one raw system call on a pool thread.
//
// Why raw system calls on our addresses rather than running the synchronous
// function by name in the thread's own runtime: every JS thread is its own
// QuickJS runtime, but all share one address space. A Req's buffers (path
// bytes, bounce buffers, statx buffers, readFile's result) are memory of this
// runtime that the planner owns and keeps referenced until the answer, so a
// pool thread can pass their addresses to the kernel directly — the same
// memory-ownership rule as the ring's, the same result shaping on this side,
// and a job is 64 bytes each way (no structured clone of arguments, Stats or
// Buffers, no second copy of node:fs in every thread). The cost: compound
// operations the planner cannot express as system calls (readdir, realpath,
// rm -r, cp) do not go to the pool; they take the deferred fallback.
//
// Threads (node:internal/fs/pool_worker) start lazily, one when a job finds
// no idle thread, up to UV_THREADPOOL_SIZE (default 4, 1..1024 as libuv).
// Each runs one job at a time; jobs wait here in FIFO order. Answers arrive
// in this thread's mailbox, which node:internal/worker/io drains; it hands
// every entry from a pool thread to us (handlers.raw). The mailbox is held
// (keeps the loop alive) only while jobs are outstanding: idle threads sleep
// in ppoll and never keep the process alive; they die with the process.

import * as native from "jsk:native";
import { nr } from "jsk:sys";
import { setTimeout, runCallbackHook } from "jsk:loop";
import { handlers, hold } from "node:internal/worker/io";
import { syscallOf, complete } from "node:internal/fs/kernel";

const EIO = -5, EINTR = -4;
const kMaxThreads = 1024;

/** UV_THREADPOOL_SIZE as libuv reads it: atoi, 0 → 1, at most 1024; unset → 4. */
export function poolSize(env = native.env) {
  const v = env.UV_THREADPOOL_SIZE;
  if (v === undefined) return 4;
  const n = parseInt(v, 10);
  if (!(n > 0)) return 1;
  return Math.min(n, kMaxThreads);
}

class Worker {
  constructor(id) {
    this.id = id;
    this.busy = null;
  }
}

class Pool {
  constructor(size) {
    this.name = "threads";
    this.size = size;
    this.rwCurPos = true;
    this.workers = [];
    this.idleWorkers = [];
    this.queue = [];
    this.queueHead = 0;
    this.pending = 0;
    this.nextJob = 1;
    this.hereQueued = false;
    this.job = new BigInt64Array(8);
    this.stats = { ops: 0, fallbacks: 0, jobs: 0, threads: 0, maxInFlight: 0 };
  }

  has() {
    return true;
  }

  exec(req) {
    this.queue.push(req);
    if (this.pending++ === 0) hold(1);
    this.pump();
  }

  pump() {
    if (this.size === 0) {
      if (!this.hereQueued && this.queueHead < this.queue.length) {
        this.hereQueued = true;
        setTimeout(() => this.runHere(), 0);
      }
      return;
    }
    while (this.queueHead < this.queue.length) {
      let w = this.idleWorkers.pop();
      if (w === undefined) {
        if (this.workers.length >= this.size) break;
        w = this.startWorker();
        if (w === null) return this.pump();
      }
      const req = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined;
      this.send(w, req);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
  }

  startWorker() {
    let id;
    try {
      id = native.threadStart("node:internal/fs/pool_worker", []);
    } catch (e) {
      if (this.workers.length === 0) {
        // No thread at all: make the calls from this thread, one macrotask later (pump).
        this.size = 0;
      } else {
        this.size = this.workers.length;
      }
      return null;
    }
    const w = new Worker(id);
    this.workers.push(w);
    this.stats.threads++;
    handlers.raw.set(id, (entry) => this.onEntry(w, entry));
    return w;
  }

  send(w, req) {
    w.busy = req;
    const call = syscallOf(req, nr);
    const job = this.job;
    job[0] = BigInt(this.nextJob++);
    for (let i = 0; i < 7; i++) {
      const v = call[i];
      job[i + 1] = typeof v === "bigint" ? v : BigInt(v);
    }
    this.stats.jobs++;
    const inFlight = this.workers.length - this.idleWorkers.length;
    if (inFlight > this.stats.maxInFlight) this.stats.maxInFlight = inFlight;
    if (!native.threadPost(w.id, [job])) this.gone(w);
  }

  onEntry(w, entry) {
    if (entry[1] === 1) return this.gone(w);
    const parts = entry[2];
    if (!Array.isArray(parts) || parts.length === 0) return;
    const answer = new Float64Array(parts[0]);
    const req = w.busy;
    w.busy = null;
    this.idleWorkers.push(w);
    this.pump();
    if (req !== null) this.complete(req, answer[1]);
  }

  /** A pool thread ended (it should not): its job fails with EIO, the rest go on. */
  gone(w) {
    handlers.raw.delete(w.id);
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const j = this.idleWorkers.indexOf(w);
    if (j >= 0) this.idleWorkers.splice(j, 1);
    const req = w.busy;
    w.busy = null;
    this.pump();
    if (req !== null) this.complete(req, EIO);
  }

  complete(req, res) {
    try {
      complete(req, res);
    } finally {
      if (--this.pending === 0) hold(-1);
    }
  }

  /** Without threads: the queued calls from this thread (blocking, like the deferred backend). */
  runHere() {
    this.hereQueued = false;
    while (this.queueHead < this.queue.length) {
      const req = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined;
      const [n, a, b, c, d, e, f] = syscallOf(req, nr);
      let r;
      do r = native.syscall(n, a, b, c, d, e, f);
      while (r === EINTR);
      this.complete(req, r);
      runCallbackHook();
    }
    this.queue = [];
    this.queueHead = 0;
  }
}

export function openPool(size = poolSize()) {
  return new Pool(size);
}
