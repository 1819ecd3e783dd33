// jsk:hal/wait — every wait on hardware has a deadline and says what it waited for.

import { setTimeout, TimeoutError } from "jsk:loop";
import { monotonicMs } from "jsk:sys";

export { TimeoutError };

/**
 * Resolve with the first truthy value of `condition()` (which may be async),
 * polling every `interval` ms; reject with TimeoutError("timed out after
 * {ms} ms waiting for {what}") when `ms` pass first. An exception thrown by
 * `condition` rejects the wait with that exception.
 */
export async function waitFor(condition, { ms, what, interval = 1 } = {}) {
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`waitFor(${what ?? "?"}): a deadline { ms } is required`);
  if (typeof what !== "string" || !what) throw new TypeError("waitFor: say what is awaited: { what: \"link up\" }");
  const deadline = monotonicMs() + ms;
  for (;;) {
    const v = await condition();
    if (v) return v;
    if (monotonicMs() >= deadline) throw new TimeoutError(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - monotonicMs()))));
  }
}

/**
 * Busy-wait (no event loop) until `condition()` is truthy, for waits of
 * microseconds such as a FIFO draining; throws TimeoutError after `us`.
 */
export function spinUntil(condition, { us, what } = {}) {
  if (!Number.isFinite(us) || us < 0) throw new TypeError(`spinUntil(${what ?? "?"}): a deadline { us } is required`);
  if (typeof what !== "string" || !what) throw new TypeError("spinUntil: say what is awaited");
  const deadline = monotonicMs() + us / 1000;
  for (;;) {
    const v = condition();
    if (v) return v;
    if (monotonicMs() >= deadline) throw new TimeoutError(`timed out after ${us} us waiting for ${what}`);
  }
}

/** A promise resolved after `ms` milliseconds (embedded-hal's DelayNs, as promises). */
export const delay = {
  ms: (n) => new Promise((r) => setTimeout(r, n)),
  us: (n) => new Promise((r) => setTimeout(r, n / 1000)),
  ns: (n) => new Promise((r) => setTimeout(r, n / 1e6)),
};
