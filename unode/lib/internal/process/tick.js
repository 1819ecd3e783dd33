// node:internal/process/tick — process.nextTick's queue.
//
// Node runs the nextTick queue, then the promise jobs, after every callback
// from the event loop, and again until both are empty. Under unode the host
// does exactly that (node:internal/bootstrap/node's `tick`, run after every
// loop callback and before the host drains promise jobs), so queueing a tick
// costs one array push. Without that host (a plain jsk program importing a
// node: module), the queue is drained from one microtask instead.

const fns = [];
const args = [];
let head = 0;
let hostDriven = false;
let scheduled = false;

/** Called by unode's bootstrap: from now on the host drains the queue. */
export function setHostDriven() { hostDriven = true; }

/** Run every queued tick (including ticks queued while running). Returns true if any ran. */
export function runTicks() {
  if (head === fns.length) return false;
  try {
    while (head < fns.length) {
      const fn = fns[head], a = args[head];
      fns[head] = args[head] = undefined;
      head++;
      if (a === undefined) fn();
      else fn(...a);
    }
  } finally {
    // A tick that throws leaves the rest queued, in order.
    if (head === fns.length) {
      fns.length = args.length = head = 0;
    } else if (head > 1024) {
      fns.splice(0, head);
      args.splice(0, head);
      head = 0;
    }
  }
  return true;
}

function drain() {
  scheduled = false;
  runTicks();
}

/** Queue `fn(...rest)` to run before the next promise job and event-loop callback. */
export function nextTick(fn, a, b, c) {
  if (typeof fn !== "function") {
    const e = new TypeError(`The "callback" argument must be of type function. Received ${fn === null ? "null" : typeof fn}`);
    e.code = "ERR_INVALID_ARG_TYPE";
    throw e;
  }
  fns.push(fn);
  const n = arguments.length;
  args.push(n === 1 ? undefined : n === 2 ? [a] : n === 3 ? [a, b] : n === 4 ? [a, b, c] : Array.prototype.slice.call(arguments, 1));
  if (!hostDriven && !scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}

/** Whether ticks are waiting. */
export function ticksPending() { return head < fns.length; }
