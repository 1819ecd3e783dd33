// node:internal/process/tick — process.nextTick's queue.
//
// Node runs the nextTick queue before the promise jobs after every callback
// from the event loop. Until the host drains this queue itself, the queue is
// drained from one microtask (callbacks still run in order, after the current
// job).

const queue = [];
let head = 0;
let scheduled = false;

/** Run every queued tick (including ticks queued while running). Returns true if any ran. */
export function runTicks() {
  if (head === queue.length) return false;
  while (head < queue.length) {
    const { fn, args } = queue[head];
    queue[head++] = undefined;
    fn(...args);
  }
  queue.length = 0;
  head = 0;
  return true;
}

function drain() {
  scheduled = false;
  runTicks();
}

/** Queue `fn(...args)` to run before the next promise job and event-loop callback. */
export function nextTick(fn, ...args) {
  if (typeof fn !== "function") {
    const e = new TypeError(`The "callback" argument must be of type function. Received ${fn === null ? "null" : typeof fn}`);
    e.code = "ERR_INVALID_ARG_TYPE";
    throw e;
  }
  queue.push({ fn, args });
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}

/** Whether ticks are waiting. */
export function ticksPending() { return head < queue.length; }
