import { test, assert } from "jsk:test";
import * as sys from "jsk:sys";
import { readable, writable, watch, sleep, TimeoutError, alive } from "jsk:loop";

test("timers fire in order of their deadlines, ties in order of creation", async () => {
  const order = [];
  await new Promise((done) => {
    setTimeout(() => order.push("b"), 20);
    setTimeout(() => order.push("a"), 5);
    setTimeout(() => order.push("a2"), 5);
    setTimeout(() => { order.push("c"); done(); }, 30);
  });
  assert.deepEqual(order, ["a", "a2", "b", "c"]);
});

test("a timer waits at least its delay", async () => {
  const t0 = performance.now();
  await sleep(25);
  assert.ok(performance.now() - t0 >= 24, `woke after ${performance.now() - t0} ms`);
});

test("clearTimeout cancels, also by numeric id; setInterval repeats until cleared", async () => {
  let fired = false;
  const t = setTimeout(() => { fired = true; }, 5);
  clearTimeout(t);
  clearTimeout(+setTimeout(() => { fired = true; }, 5));
  let ticks = 0;
  await new Promise((done) => {
    const iv = setInterval(() => { if (++ticks === 3) { clearInterval(iv); done(); } }, 2);
  });
  await sleep(15);
  assert.equal(fired, false);
  assert.equal(ticks, 3);
});

test("timer callbacks get their extra arguments", async () => {
  const got = await new Promise((resolve) => setTimeout((a, b) => resolve([a, b]), 1, "x", 2));
  assert.deepEqual(got, ["x", 2]);
});

test("an eventfd written from a timer wakes a wait in the event loop", async () => {
  const efd = sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
  try {
    setTimeout(() => sys.eventfdWrite(efd, 5n), 10);
    const t0 = performance.now();
    const events = await readable(efd, { timeout: 2000 });
    assert.ok(events & sys.EPOLLIN);
    assert.ok(performance.now() - t0 >= 5, "woke before the write");
    assert.equal(sys.eventfdRead(efd), 5n);
  } finally {
    sys.close(efd);
  }
});

test("readable() on a pipe resolves when the other end writes", async () => {
  const [r, w] = sys.pipe2(sys.O_NONBLOCK | sys.O_CLOEXEC);
  try {
    setTimeout(() => sys.write(w, "ping"), 5);
    await readable(r, { timeout: 2000 });
    const buf = new Uint8Array(16);
    const n = sys.read(r, buf);
    assert.equal(new TextDecoder().decode(buf.subarray(0, n)), "ping");
    await writable(w, { timeout: 100 });
  } finally {
    sys.close(r);
    sys.close(w);
  }
});

test("a wait with a deadline rejects with TimeoutError naming the fd", async () => {
  const [r, w] = sys.pipe2(sys.O_CLOEXEC);
  try {
    const err = await assert.rejects(readable(r, { timeout: 20 }), TimeoutError);
    assert.match(err.message, new RegExp(`fd ${r}`));
    // The expired wait left epoll clean: a new wait on the same fd works.
    sys.write(w, "x");
    await readable(r, { timeout: 1000 });
  } finally {
    sys.close(r);
    sys.close(w);
  }
});

test("watch() calls back on every readiness until closed", async () => {
  const efd = sys.eventfd(0, sys.EFD_NONBLOCK | sys.EFD_CLOEXEC);
  const seen = [];
  await new Promise((done) => {
    const handle = watch(efd, sys.EPOLLIN, () => {
      seen.push(sys.eventfdRead(efd));
      if (seen.length === 3) { handle.close(); done(); }
      else setTimeout(() => sys.eventfdWrite(efd, BigInt(seen.length + 1)), 1);
    });
    sys.eventfdWrite(efd, 1n);
  });
  sys.close(efd);
  assert.deepEqual(seen, [1n, 2n, 3n]);
});

test("unref and ref switch whether a timer holds the loop", () => {
  const t = setTimeout(() => {}, 100000);
  assert.equal(alive(), true);
  assert.equal(t.unref().hasRef(), false);
  assert.equal(t.ref().hasRef(), true);
  clearTimeout(t);
});

test("microtasks run before the next timer", async () => {
  const order = [];
  await new Promise((done) => {
    setTimeout(() => { order.push("timer"); done(); }, 0);
    queueMicrotask(() => order.push("micro"));
    Promise.resolve().then(() => order.push("then"));
  });
  assert.deepEqual(order, ["micro", "then", "timer"]);
});
