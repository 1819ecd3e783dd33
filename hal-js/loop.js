// jsk:loop — the one event loop: timers and fd readiness over epoll.
//
// The host (Rust) runs microtasks, then calls `step()`, which waits in
// epoll_wait until the next timer is due or a watched fd is ready, and runs
// what became due. Interrupts (eventfds), sockets and pipes all arrive here.
// The process ends when nothing that holds a reference is pending.

import * as sys from "jsk:sys";

/** Thrown (as a rejection) when a wait on an fd ran out of time. */
export class TimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = "TimeoutError";
  }
}

const now = sys.monotonicMs;

// ---- timers: a binary min-heap ordered by (due, seq) ----------------------

const heap = [];
let nextId = 1;
let refTimers = 0;
const byId = new Map();

const earlier = (a, b) => a.due < b.due || (a.due === b.due && a.id < b.id);

function heapPush(t) {
  heap.push(t);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!earlier(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}

function heapPop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && earlier(heap[l], heap[m])) m = l;
      if (r < heap.length && earlier(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}

class Timeout {
  constructor(callback, ms, args, repeat) {
    if (typeof callback !== "function") throw new TypeError("timer callback must be a function");
    ms = Number(ms);
    this.ms = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.callback = callback;
    this.args = args;
    this.repeat = repeat;
    this.id = nextId++;
    this.due = now() + this.ms;
    this.active = true;
    this.referenced = true;
    refTimers++;
    byId.set(this.id, this);
    heapPush(this);
  }
  /** Let the process exit even while this timer is pending. */
  unref() {
    if (this.active && this.referenced) refTimers--;
    this.referenced = false;
    return this;
  }
  ref() {
    if (this.active && !this.referenced) refTimers++;
    this.referenced = true;
    return this;
  }
  hasRef() { return this.referenced; }
  [Symbol.toPrimitive]() { return this.id; }
}

function cancel(t) {
  if (!t.active) return;
  t.active = false;
  if (t.referenced) refTimers--;
  byId.delete(t.id);
  // Left in the heap; skipped when it comes up.
}

export function setTimeout(callback, ms = 0, ...args) { return new Timeout(callback, ms, args, false); }
export function setInterval(callback, ms = 0, ...args) { return new Timeout(callback, ms, args, true); }
export function clearTimeout(t) {
  const timer = t instanceof Timeout ? t : byId.get(Number(t));
  if (timer) cancel(timer);
}
export const clearInterval = clearTimeout;

/** A promise resolved after `ms` milliseconds. */
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

// ---- file descriptors ---------------------------------------------------

let epfd = -1;
const fds = new Map(); // fd -> { mask, subs: Set<Subscription> }
let refSubs = 0;

function epoll() {
  if (epfd < 0) epfd = sys.epoll_create1(sys.EPOLL_CLOEXEC);
  return epfd;
}

function update(fd, entry) {
  let mask = 0;
  for (const s of entry.subs) mask |= s.events;
  if (mask === entry.mask) return;
  if (mask === 0) {
    fds.delete(fd);
    try { sys.epoll_ctl(epoll(), sys.EPOLL_CTL_DEL, fd, 0); } catch { /* fd already closed */ }
  } else {
    sys.epoll_ctl(epoll(), entry.mask === 0 ? sys.EPOLL_CTL_ADD : sys.EPOLL_CTL_MOD, fd, mask, fd);
    entry.mask = mask;
  }
}

class Subscription {
  constructor(fd, events, callback, once) {
    this.fd = fd;
    this.events = events;
    this.callback = callback;
    this.once = once;
    this.referenced = true;
    this.open = true;
    let entry = fds.get(fd);
    if (!entry) fds.set(fd, entry = { mask: 0, subs: new Set() });
    entry.subs.add(this);
    refSubs++;
    try {
      update(fd, entry);
    } catch (e) {
      this.close();
      throw e;
    }
  }
  close() {
    if (!this.open) return;
    this.open = false;
    if (this.referenced) refSubs--;
    const entry = fds.get(this.fd);
    if (entry) {
      entry.subs.delete(this);
      update(this.fd, entry);
    }
  }
  unref() {
    if (this.open && this.referenced) refSubs--;
    this.referenced = false;
    return this;
  }
  ref() {
    if (this.open && !this.referenced) refSubs++;
    this.referenced = true;
    return this;
  }
}

/**
 * Call `callback(events)` every time `fd` is ready for `events` (level
 * triggered: the callback must consume what made it ready). Returns a handle
 * with close(), unref() and ref(). Throws SysError if epoll refuses the fd.
 */
export function watch(fd, events, callback) {
  if (typeof callback !== "function") throw new TypeError("watch: callback must be a function");
  return new Subscription(fd, events, callback, false);
}

function once(fd, events, what, { timeout, signal } = {}) {
  return new Promise((resolve, reject) => {
    let timer = null;
    const sub = new Subscription(fd, events, (ev) => {
      if (timer) cancel(timer);
      resolve(ev);
    }, true);
    if (timeout !== undefined && timeout !== Infinity) {
      timer = new Timeout(() => {
        sub.close();
        reject(new TimeoutError(`timed out after ${timeout} ms waiting for fd ${fd} to become ${what}`));
      }, timeout, [], false);
    }
  });
}

/** Resolves with the epoll events once `fd` is readable; rejects with TimeoutError after `timeout` ms. */
export function readable(fd, opts) {
  return once(fd, sys.EPOLLIN | sys.EPOLLRDHUP, "readable", opts);
}

/** Resolves once `fd` is writable; rejects with TimeoutError after `timeout` ms. */
export function writable(fd, opts) {
  return once(fd, sys.EPOLLOUT, "writable", opts);
}

// ---- the step the host calls ---------------------------------------------

/** True while something that keeps the process alive is pending. */
export function alive() { return refTimers > 0 || refSubs > 0; }

// unode runs Node's nextTick queue and the promise jobs after every callback
// (see node:internal/bootstrap/node); plain jsk programs have no hook.
let afterCallback = null;

/** Call `fn()` after every timer and fd callback (null to stop). */
export function setCallbackHook(fn) {
  if (fn !== null && typeof fn !== "function") throw new TypeError("setCallbackHook: expected a function or null");
  afterCallback = fn;
}

/** Run the callback hook now (node:timers does, between immediates). */
export function runCallbackHook() {
  if (afterCallback !== null) afterCallback();
}

function runDueTimers() {
  const t = now();
  while (heap.length > 0 && heap[0].due <= t) {
    const timer = heapPop();
    if (!timer.active) continue;
    if (timer.repeat) {
      timer.due = Math.max(timer.due + timer.ms, t);
      heapPush(timer);
    } else {
      cancel(timer);
    }
    timer.callback(...timer.args);
    if (afterCallback !== null) afterCallback();
  }
}

function dispatch(events) {
  for (const { events: ev, data: fd } of events) {
    const entry = fds.get(fd);
    if (!entry) continue;
    for (const sub of [...entry.subs]) {
      if (!sub.open || (ev & (sub.events | sys.EPOLLERR | sys.EPOLLHUP)) === 0) continue;
      if (sub.once) sub.close();
      sub.callback(ev);
      if (afterCallback !== null) afterCallback();
    }
  }
}

/** Wait once for the next timer or fd, run what is due; false when nothing is pending. */
export function step() {
  // Drop cancelled timers from the top so they do not shorten the wait.
  while (heap.length > 0 && !heap[0].active) heapPop();
  if (!alive()) return false;
  let wait = -1;
  if (heap.length > 0) wait = Math.max(0, Math.ceil(heap[0].due - now()));
  if (fds.size > 0 || wait !== 0) {
    let events;
    try {
      events = sys.epoll_wait(epoll(), 64, wait);
    } catch (e) {
      if (e.code === "EINTR") return true; // the host decides (e.g. --timeout)
      throw e;
    }
    dispatch(events);
  }
  runDueTimers();
  return alive();
}
