// node:internal/fs/pool_worker — the entry module of one thread of the
// asynchronous-fs thread pool (node:internal/fs/pool).
//
// The thread makes raw system calls for the main thread and nothing else: a
// job is 8 little-endian 64-bit words [id, nr, a0, a1, a2, a3, a4, a5], where
// the arguments are integers or addresses of memory the main thread's pool
// owns and keeps referenced until the answer arrives (the same address
// space). The answer is [id, result] (result: the kernel's return value,
// negative errno on failure), posted back as soon as each call returns, so
// a slow call never delays the answers of the calls before it.
//
// start() never returns: it blocks in ppoll on the mailbox's eventfd between
// jobs (no event loop, no timers). The thread ends when the process does, or
// when the pool stops it (threadStop interrupts the ppoll).

import { syscall, threadSelf, threadReceive, threadPost, encodeUtf8 } from "jsk:native";
import { nr } from "jsk:sys";

const EINTR = -4;
const POLLIN = 1;

export function start() {
  const self = threadSelf();
  const pfd = new Int32Array([self.fd, POLLIN]); // struct pollfd { int fd; short events, revents; }
  const answer = new Float64Array(2);
  for (;;) {
    const got = threadReceive();
    for (let i = 0; i < got.length; i++) {
      const [from, kind, parts] = got[i];
      if (kind !== 0) continue;
      for (let p = 0; p < parts.length; p++) {
        const w = new BigInt64Array(parts[p]);
        for (let j = 0; j + 8 <= w.length; j += 8) {
          const n = Number(w[j + 1]);
          let r;
          do r = syscall(n, w[j + 2], w[j + 3], w[j + 4], w[j + 5], w[j + 6], w[j + 7]);
          while (r === EINTR);
          answer[0] = Number(w[j]);
          answer[1] = r;
          threadPost(from, [answer]);
        }
      }
    }
    if (got.length === 0) {
      pfd[1] = POLLIN;
      syscall(nr.ppoll, pfd, 1, 0, 0, 8);
    }
  }
}

/** An error escaped start(): let the parent see it (the pool then retires this thread). */
export function uncaught(error) {
  try {
    return encodeUtf8(String(error?.stack ?? error));
  } catch {
    return new Uint8Array(0);
  }
}
