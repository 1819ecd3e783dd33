// node:internal/fs/uring — an io_uring in JavaScript: the engine of the
// io_uring backend of asynchronous node:fs (the operations themselves are
// planned in node:internal/fs/kernel; this file only moves Reqs through the
// ring).
//
// Layout. io_uring_setup(entries, params) gives a ring fd and the offsets of
// three shared-memory areas, mapped with mmap(MAP_SHARED) of that fd:
//   SQ ring (offset 0)          head, tail, ring_mask, flags, dropped, array[]
//   CQ ring (offset 0x8000000)  head, tail, ring_mask, overflow, cqes[] (16 bytes each)
//   SQEs    (offset 0x10000000) sq_entries × 64-byte submission entries
// With IORING_FEAT_SINGLE_MMAP (5.4+) the two rings are one mapping. We own
// the SQ tail and the CQ head; the kernel owns the SQ head and the CQ tail.
// array[] is set once to the identity, so SQE i is submitted from slot i;
// an SQE may be rewritten as soon as io_uring_enter returned (the kernel
// copied it), so at most sq_entries wait for io_uring_enter and at most
// cq_entries are in flight (the CQ can never overflow); the rest wait in
// a JS backlog.
//
// Submission: exec() writes the SQE and the tail at once and queues one
// io_uring_enter for the end of the current job (a microtask), so the many
// submissions of one callback cost one system call. Completion: an eventfd
// registered with IORING_REGISTER_EVENTFD is watched with jsk:loop; its
// callback reaps every CQE, then runs each request's completion (with the
// nextTick/microtask hook between them, as libuv callbacks are). The watch is
// referenced only while requests are in flight, so an idle ring never keeps
// the process alive.
//
// Memory ordering. The kernel is another CPU (io-wq workers, SQPOLL-less
// task work). We write an SQE, then store the SQ tail; the kernel loads the
// tail, then the SQE. We load the CQ tail, then the CQEs, then store the CQ
// head. The heads and tails are read and written with Atomics.load/store on
// a Uint32Array over the mapping (QuickJS allows Atomics on non-shared
// buffers and implements them as C11 seq_cst atomics). On x86-64 that is
// more than needed: TSO never reorders a store with an earlier store or a
// load with an earlier load, so plain accesses would also be correct (and
// io_uring_enter is a full barrier anyway). On aarch64 the tail store must be
// a store-release (stlr) and the CQ tail load a load-acquire (ldar) — plain
// accesses would let the kernel see the new tail before the SQE bytes, or let
// us read a CQE before the kernel's write of it is visible — which the
// seq_cst Atomics provide.
//
// Opcodes are probed (IORING_REGISTER_PROBE, 5.6+): the kernel of CI or
// Debian 12 (6.1) may lack some; the planner falls back for those. Reads and
// writes at the current file position (offset -1) need IORING_FEAT_RW_CUR_POS
// (5.6+), documented for IORING_OP_READ/WRITE.

import { syscall, addressOf } from "jsk:native";
import { nr, mmap, munmap, eventfd, EPOLLIN, PROT_READ, PROT_WRITE, MAP_SHARED, MAP_POPULATE } from "jsk:sys";
import { watch, runCallbackHook, setTimeout } from "jsk:loop";
import { complete } from "node:internal/fs/kernel";

const IORING_OFF_SQ_RING = 0;
const IORING_OFF_CQ_RING = 0x8000000;
const IORING_OFF_SQES = 0x10000000;
const IORING_FEAT_SINGLE_MMAP = 1 << 0;
const IORING_FEAT_NODROP = 1 << 1;
const IORING_FEAT_RW_CUR_POS = 1 << 3;
const IORING_REGISTER_EVENTFD = 4;
const IORING_REGISTER_PROBE = 8;
const IO_URING_OP_SUPPORTED = 1;
const EFD_CLOEXEC = 0o2000000, EFD_NONBLOCK = 0o4000;
const EINTR = -4, EAGAIN = -11, EBUSY = -16;

/** Why the last openRing() failed (for UNODE_DEBUG=fs). */
export let whyNot = "";

/**
 * A ring engine, or null when the kernel refuses (no io_uring, disabled by
 * sysctl or seccomp, an old kernel without the features we need).
 */
export function openRing(entries = 128) {
  const p = new Uint32Array(30); // struct io_uring_params, 120 bytes
  const fd = syscall(nr.io_uring_setup, entries, p);
  if (fd < 0) {
    whyNot = `io_uring_setup: errno ${-fd}`;
    return null;
  }
  try {
    return new Ring(fd, p);
  } catch (e) {
    syscall(nr.close, fd);
    whyNot = String(e?.message ?? e);
    return null;
  }
}

class Ring {
  constructor(fd, p) {
    this.name = "io_uring";
    this.fd = fd;
    const features = p[5];
    if ((features & IORING_FEAT_NODROP) === 0) throw new Error("io_uring: no IORING_FEAT_NODROP (kernel < 5.5)");
    this.rwCurPos = (features & IORING_FEAT_RW_CUR_POS) !== 0;
    const sqEntries = p[0], cqEntries = p[1];
    // sq_off at byte 40, cq_off at byte 80 (u32 words 10.. and 20..)
    const sqHead = p[10], sqTail = p[11], sqMask = p[12], sqArray = p[16];
    const cqHead = p[20], cqTail = p[21], cqMask = p[22], cqCqes = p[25];
    const sqSize = sqArray + sqEntries * 4;
    const cqSize = cqCqes + cqEntries * 16;
    const prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED | MAP_POPULATE;
    if (features & IORING_FEAT_SINGLE_MMAP) {
      this.sqMap = this.cqMap = mmap(null, Math.max(sqSize, cqSize), prot, flags, fd, IORING_OFF_SQ_RING);
    } else {
      this.sqMap = mmap(null, sqSize, prot, flags, fd, IORING_OFF_SQ_RING);
      this.cqMap = mmap(null, cqSize, prot, flags, fd, IORING_OFF_CQ_RING);
    }
    this.sqeMap = mmap(null, sqEntries * 64, prot, flags, fd, IORING_OFF_SQES);
    this.sq = new Uint32Array(this.sqMap);
    this.cq = new Uint32Array(this.cqMap);
    this.sqHeadI = sqHead >>> 2;
    this.sqTailI = sqTail >>> 2;
    this.cqHeadI = cqHead >>> 2;
    this.cqTailI = cqTail >>> 2;
    this.sqMask = this.sq[sqMask >>> 2];
    this.cqMask = this.cq[cqMask >>> 2];
    this.sqEntries = sqEntries;
    this.cqEntries = cqEntries;
    this.cqes = new Int32Array(this.cqMap, cqCqes, cqEntries * 4);
    this.cqesU = new Uint32Array(this.cqMap, cqCqes, cqEntries * 4);
    const array = new Uint32Array(this.sqMap, sqArray, sqEntries);
    for (let i = 0; i < sqEntries; i++) array[i] = i;
    this.sqe32 = new Int32Array(this.sqeMap);
    this.sqe64 = new BigInt64Array(this.sqeMap);
    this.tail = Atomics.load(this.sq, this.sqTailI);
    this.toSubmit = 0;
    this.flushQueued = false;

    // Which opcodes the kernel has.
    const probe = new Uint8Array(16 + 256 * 8);
    const r = syscall(nr.io_uring_register, fd, IORING_REGISTER_PROBE, probe, 256);
    if (r < 0) throw new Error(`io_uring_register(PROBE): errno ${-r} (kernel < 5.6)`);
    this.ops = new Uint8Array(256);
    const last = probe[0];
    for (let i = 0; i <= last && i < 256; i++) {
      const o = 16 + i * 8;
      if (probe[o + 2] & IO_URING_OP_SUPPORTED) this.ops[probe[o]] = 1;
    }

    // Completions wake an eventfd that the loop watches.
    this.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    const efdArg = new Int32Array([this.efd]);
    const rr = syscall(nr.io_uring_register, fd, IORING_REGISTER_EVENTFD, efdArg, 1);
    if (rr < 0) {
      syscall(nr.close, this.efd);
      throw new Error(`io_uring_register(EVENTFD): errno ${-rr}`);
    }
    this.counter = new BigUint64Array(1);
    this.sub = watch(this.efd, EPOLLIN, () => this.reap());
    this.sub.unref();
    this.referenced = false;

    // user_data → Req: slot ids 1..cqEntries
    this.slots = new Array(cqEntries + 1).fill(null);
    this.freeSlots = [];
    for (let i = cqEntries; i >= 1; i--) this.freeSlots.push(i);
    this.inFlight = 0;
    this.backlog = [];
    this.backlogHead = 0;
    this.ready = [];      // reaped completions not yet run: req, res, req, res, …
    this.readyHead = 0;
    this.stats = { ops: 0, fallbacks: 0, sqes: 0, enters: 0, maxInFlight: 0 };
    this.flushFn = () => this.flush();
  }

  has(opc) {
    return this.ops[opc] === 1;
  }

  exec(req) {
    if (this.inFlight >= this.cqEntries || this.toSubmit >= this.sqEntries) {
      this.backlog.push(req);
    } else {
      this.place(req);
    }
    if (!this.referenced) {
      this.referenced = true;
      this.sub.ref();
    }
  }

  /** Write `req` as the SQE at the tail and publish the tail. */
  place(req) {
    const slot = this.freeSlots.pop();
    this.slots[slot] = req;
    this.inFlight++;
    if (this.inFlight > this.stats.maxInFlight) this.stats.maxInFlight = this.inFlight;
    const i = this.tail & this.sqMask;
    const w = i * 16, q = i * 8;
    const s32 = this.sqe32, s64 = this.sqe64;
    // word 0: opcode, flags (0), ioprio (0); 1: fd; 2-3: off/addr2; 4-5: addr; 6: len; 7: op flags;
    // 8-9: user_data; 10: buf_index/personality; 11: splice_fd_in; 12-15: addr3, pad.
    s32[w] = req.opc;
    s32[w + 1] = req.fd;
    s64[q + 1] = req.buf2 !== null ? addressOf(req.buf2) : BigInt(req.off);
    s64[q + 2] = req.buf !== null ? addressOf(req.buf) : 0n;
    s32[w + 6] = req.len;
    s32[w + 7] = req.flags;
    s32[w + 8] = slot;
    s32[w + 9] = 0;
    s32[w + 10] = 0;
    s32[w + 11] = 0;
    s64[q + 6] = 0n;
    s64[q + 7] = 0n;
    this.tail = (this.tail + 1) >>> 0;
    Atomics.store(this.sq, this.sqTailI, this.tail);
    this.toSubmit++;
    this.stats.sqes++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushFn);
    }
  }

  /** io_uring_enter for everything placed since the last one. */
  flush() {
    this.flushQueued = false;
    while (this.toSubmit > 0) {
      const r = syscall(nr.io_uring_enter, this.fd, this.toSubmit, 0, 0, 0, 0);
      this.stats.enters++;
      if (r === EINTR) continue;
      if (r === EAGAIN || r === EBUSY) {
        // The kernel is short of memory or the CQ is busy: try again soon.
        this.flushQueued = true;
        setTimeout(this.flushFn, 1);
        return;
      }
      if (r < 0) throw new Error(`io_uring_enter: errno ${-r}`);
      this.toSubmit -= r;
      if (r === 0) break;
    }
  }

  /** The eventfd fired: take every CQE, refill from the backlog, run the completions. */
  reap() {
    syscall(nr.read, this.efd, this.counter, 8);
    let head = Atomics.load(this.cq, this.cqHeadI);
    const tail = Atomics.load(this.cq, this.cqTailI);
    const ready = this.ready;
    while (head !== tail) {
      const o = (head & this.cqMask) * 4;
      const slot = this.cqesU[o];
      const res = this.cqes[o + 2];
      head = (head + 1) >>> 0;
      const req = this.slots[slot];
      if (req === null || req === undefined) continue;
      this.slots[slot] = null;
      this.freeSlots.push(slot);
      this.inFlight--;
      ready.push(req, res);
    }
    Atomics.store(this.cq, this.cqHeadI, head);
    while (this.backlogHead < this.backlog.length && this.inFlight < this.cqEntries && this.toSubmit < this.sqEntries) {
      const req = this.backlog[this.backlogHead];
      this.backlog[this.backlogHead++] = undefined;
      this.place(req);
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog = [];
      this.backlogHead = 0;
    }
    this.run();
  }

  run() {
    const ready = this.ready;
    try {
      while (this.readyHead < ready.length) {
        const req = ready[this.readyHead];
        const res = ready[this.readyHead + 1];
        ready[this.readyHead] = undefined;
        this.readyHead += 2;
        complete(req, res);
        runCallbackHook();
      }
    } finally {
      if (this.readyHead >= ready.length) {
        this.ready = [];
        this.readyHead = 0;
      } else {
        // A callback threw: the rest run from a later turn, then the error escapes.
        setTimeout(() => this.run(), 0);
      }
      this.idle();
    }
  }

  idle() {
    if (this.referenced && this.inFlight === 0 && this.backlogHead === this.backlog.length &&
        this.readyHead >= this.ready.length) {
      this.referenced = false;
      this.sub.unref();
    }
  }

  /** Tear the ring down (tests). Requests in flight must have completed. */
  close() {
    this.sub.close();
    munmap(this.sqeMap);
    if (this.cqMap !== this.sqMap) munmap(this.cqMap);
    munmap(this.sqMap);
    syscall(nr.close, this.efd);
    syscall(nr.close, this.fd);
  }
}
