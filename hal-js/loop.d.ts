// jsk:loop — the event loop: timers and fd readiness (interrupts, sockets, pipes).
declare module "jsk:loop" {
  /** Rejection reason of a wait that ran out of time. */
  export class TimeoutError extends Error {}
  export interface Timeout {
    /** Let the process exit while this timer is pending. */
    unref(): this;
    ref(): this;
    hasRef(): boolean;
  }
  export function setTimeout<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): Timeout;
  export function setInterval<A extends unknown[]>(cb: (...args: A) => void, ms?: number, ...args: A): Timeout;
  /** Accepts a Timeout or its numeric id; unknown values are ignored. */
  export function clearTimeout(t: Timeout | number | undefined): void;
  export function clearInterval(t: Timeout | number | undefined): void;
  export function sleep(ms: number): Promise<void>;
  export interface Watch {
    close(): void;
    unref(): this;
    ref(): this;
  }
  /**
   * Call `callback(events)` each time `fd` is ready for `events` (EPOLLIN, EPOLLOUT...).
   * Level-triggered: the callback must consume what made the fd ready.
   * @throws SysError if epoll refuses the fd (EBADF, EPERM for regular files).
   */
  export function watch(fd: number, events: number, callback: (events: number) => void): Watch;
  /** Resolves with the epoll events once `fd` is readable. Rejects with TimeoutError after `timeout` ms. */
  export function readable(fd: number, opts?: { timeout?: number }): Promise<number>;
  /** Resolves once `fd` is writable. Rejects with TimeoutError after `timeout` ms. */
  export function writable(fd: number, opts?: { timeout?: number }): Promise<number>;
  /** True while a referenced timer or fd watch is pending. */
  export function alive(): boolean;
  /** Host hook: wait once and run what became due; false when nothing is pending. */
  export function step(): boolean;
}
