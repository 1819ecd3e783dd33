// node:internal/fs/watchers — fs.watch (FSWatcher over inotify), fs.watchFile
// (StatWatcher: stat polling) and fs.promises.watch (an async iterator).

import EventEmitter from "node:events";
import { watch as loopWatch, setTimeout, setInterval, clearTimeout } from "jsk:loop";
import { decodeUtf8 } from "jsk:native";
import { nextTick } from "node:internal/process/tick";
import { AbortError } from "node:internal/errors";
import {
  syscall, nr, systemError, getPath, getOptions, encodeName, rawStatx, statsFromBuffer, Stats, BigIntStats,
  joinPath, resolvePath, readDirentBatch, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, constants,
  validateFunction, validateInteger, ERR_INVALID_ARG_TYPE,
} from "node:internal/fs/utils";

const IN_NONBLOCK = 0o4000;
const IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100,
  IN_DELETE = 0x200, IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_IGNORED = 0x8000, IN_ISDIR = 0x40000000,
  IN_Q_OVERFLOW = 0x4000;
const WATCH_MASK = IN_ATTRIB | IN_CREATE | IN_MODIFY | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_MOVED_FROM | IN_MOVED_TO;
const EPOLLIN = 1, EAGAIN = -11, EINTR = -4;

function basename(p) {
  const t = p.replace(/\/+$/, "");
  const i = t.lastIndexOf("/");
  return i < 0 ? t : t.slice(i + 1);
}

function watchError(r, filename) {
  const e = systemError(r, "watch", filename);
  e.filename = filename;
  return e;
}

/** fs.watch's handle: 'change' (eventType, filename), 'error', 'close'. */
export class FSWatcher extends EventEmitter {
  constructor() {
    super();
    this._handle = null;
  }

  /** Begin watching (called by fs.watch). Throws Node's 'watch' system error. */
  start(filename, persistent = true, recursive = false, encoding = "utf8") {
    const path = getPath(filename, "filename");
    const fd = syscall(nr.inotify_init1, IN_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw watchError(fd, path);
    const h = { fd, sub: null, wds: new Map(), root: path, recursive, encoding, buf: new Uint8Array(65536), closed: false };
    const wd = syscall(nr.inotify_add_watch, fd, path, WATCH_MASK);
    if (wd < 0) {
      syscall(nr.close, fd);
      throw watchError(wd, path);
    }
    h.wds.set(wd, "");
    h.rootIsDir = rawStatx(AT_FDCWD, path, 0) >= 0 && (statsFromBuffer(false).mode & constants.S_IFMT) === constants.S_IFDIR;
    this._handle = h;
    if (recursive && h.rootIsDir) this._addTree(path, "");
    h.sub = loopWatch(fd, EPOLLIN, () => this._onReadable());
    if (!persistent) h.sub.unref();
    return this;
  }

  _addTree(dir, rel) {
    const h = this._handle;
    const fd = syscall(nr.openat, AT_FDCWD, dir, O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) return;
    const flat = [];
    try {
      while (readDirentBatch(fd, flat, dir));
    } catch {
      // unreadable: watch what we have
    }
    syscall(nr.close, fd);
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i + 1] !== constants.UV_DIRENT_DIR) continue;
      const sub = joinPath(dir, flat[i]);
      const subRel = rel === "" ? flat[i] : rel + "/" + flat[i];
      const wd = syscall(nr.inotify_add_watch, h.fd, sub, WATCH_MASK);
      if (wd >= 0) {
        h.wds.set(wd, subRel);
        this._addTree(sub, subRel);
      }
    }
  }

  _onReadable() {
    const h = this._handle;
    if (!h || h.closed) return;
    const buf = h.buf;
    const dv = new DataView(buf.buffer);
    for (;;) {
      const n = syscall(nr.read, h.fd, buf, buf.length);
      if (n === EINTR) continue;
      if (n === EAGAIN || n === 0) return;
      if (n < 0) {
        const err = systemError(n, "watch", h.root);
        this.close();
        this.emit("error", err);
        return;
      }
      // struct inotify_event: i32 wd, u32 mask, u32 cookie, u32 len, char name[len]
      for (let off = 0; off < n && !h.closed;) {
        const wd = dv.getInt32(off, true);
        const mask = dv.getUint32(off + 4, true);
        const len = dv.getUint32(off + 12, true);
        let name = "";
        if (len > 0) {
          const end = buf.indexOf(0, off + 16);
          name = decodeUtf8(buf.subarray(off + 16, end < 0 || end > off + 16 + len ? off + 16 + len : end));
        }
        off += 16 + len;
        if (mask & IN_Q_OVERFLOW) continue;
        const rel = h.wds.get(wd);
        if (rel === undefined) continue;
        if (mask & IN_IGNORED) {
          h.wds.delete(wd);
          continue;
        }
        let filename;
        if (name === "") filename = rel === "" ? basename(h.root) : rel;
        else filename = rel === "" ? name : rel + "/" + name;
        if (h.recursive && (mask & IN_ISDIR) && (mask & (IN_CREATE | IN_MOVED_TO))) {
          const full = joinPath(h.root, filename);
          const nwd = syscall(nr.inotify_add_watch, h.fd, full, WATCH_MASK);
          if (nwd >= 0) {
            h.wds.set(nwd, filename);
            this._addTree(full, filename);
          }
        }
        const shown = encodeName(filename, h.encoding);
        if (mask & (IN_ATTRIB | IN_MODIFY)) this.emit("change", "change", shown);
        if (mask & ~(IN_ATTRIB | IN_MODIFY | IN_ISDIR)) this.emit("change", "rename", shown);
      }
    }
  }

  close() {
    const h = this._handle;
    if (!h || h.closed) return;
    h.closed = true;
    h.sub.close();
    syscall(nr.close, h.fd);
    this._handle = null;
    nextTick(() => this.emit("close"));
  }

  ref() {
    this._handle?.sub.ref();
    return this;
  }

  unref() {
    this._handle?.sub.unref();
    return this;
  }
}

/** fs.watch(filename[, options][, listener]) */
export function watch(filename, options, listener) {
  if (typeof options === "function") {
    listener = options;
    options = undefined;
  }
  const opts = getOptions(options, { persistent: true, recursive: false, encoding: "utf8" });
  if (opts.persistent === undefined) opts.persistent = true;
  if (opts.recursive === undefined) opts.recursive = false;
  const w = new FSWatcher();
  w.start(filename, opts.persistent, opts.recursive, opts.encoding);
  if (listener) w.on("change", listener);
  if (opts.signal) {
    if (opts.signal.aborted) nextTick(() => w.close());
    else opts.signal.addEventListener("abort", () => w.close(), { once: true });
  }
  return w;
}

/** fs.promises.watch: an async iterator of { eventType, filename }. */
export function watchAsync(filename, options = {}) {
  const opts = getOptions(options, { persistent: true, recursive: false, encoding: "utf8" });
  const signal = opts.signal;
  if (signal?.aborted) {
    return { async next() { throw new AbortError(undefined, { cause: signal.reason }); }, [Symbol.asyncIterator]() { return this; } };
  }
  const w = new FSWatcher();
  w.start(filename, opts.persistent ?? true, opts.recursive ?? false, opts.encoding);
  const events = [];
  const waiting = [];
  let error = null, done = false;
  const push = (v) => {
    if (waiting.length) waiting.shift().resolve(v);
    else events.push(v);
  };
  w.on("change", (eventType, name) => push({ value: { eventType, filename: name }, done: false }));
  w.on("error", (e) => {
    error = e;
    while (waiting.length) waiting.shift().reject(e);
  });
  const finish = () => {
    done = true;
    w.close();
    while (waiting.length) waiting.shift().resolve({ value: undefined, done: true });
  };
  const onAbort = () => {
    const e = new AbortError(undefined, { cause: signal.reason });
    error = e;
    w.close();
    while (waiting.length) waiting.shift().reject(e);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    next() {
      if (events.length) return Promise.resolve(events.shift());
      if (error) return Promise.reject(error);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      finish();
      signal?.removeEventListener("abort", onAbort);
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(e) {
      finish();
      return Promise.reject(e);
    },
    [Symbol.asyncIterator]() { return this; },
  };
}

// ---- watchFile ----------------------------------------------------------------

function zeroStats(bigint) {
  return bigint ? new BigIntStats(0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n)
    : new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

function sameStats(a, b) {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.mode === b.mode &&
    a.uid === b.uid && a.gid === b.gid && a.ino === b.ino && a.dev === b.dev && a.nlink === b.nlink;
}

/** fs.watchFile's handle: 'change' (current, previous) each time stat(2) answers differently. */
export class StatWatcher extends EventEmitter {
  constructor(bigint) {
    super();
    this._bigint = bigint;
    this._timer = null;
    this._prev = null;
    this._refed = true;
  }

  _stat() {
    const r = rawStatx(AT_FDCWD, this._path, 0);
    return r < 0 ? zeroStats(this._bigint) : statsFromBuffer(this._bigint);
  }

  start(path, persistent, interval) {
    if (this._timer) return;
    this._path = path;
    this._refed = persistent;
    const first = rawStatx(AT_FDCWD, path, 0);
    this._prev = first < 0 ? zeroStats(this._bigint) : statsFromBuffer(this._bigint);
    if (first < 0) {
      // As Node: a file missing at the start is reported once, with zeroed stats.
      const z = this._prev;
      setTimeout(() => { if (this._timer) this.emit("change", z, z); }, 0);
    }
    this._timer = setInterval(() => {
      const cur = this._stat();
      const prev = this._prev;
      if (!sameStats(cur, prev)) {
        this._prev = cur;
        this.emit("change", cur, prev);
      }
    }, interval);
    if (!persistent) this._timer.unref?.();
  }

  stop() {
    if (!this._timer) return;
    clearTimeout(this._timer);
    this._timer = null;
    nextTick(() => this.emit("stop"));
  }

  ref() {
    this._refed = true;
    this._timer?.ref?.();
    return this;
  }

  unref() {
    this._refed = false;
    this._timer?.unref?.();
    return this;
  }
}

const statWatchers = new Map();

export function watchFile(filename, options, listener) {
  const path = resolvePath(getPath(filename, "filename"));
  if (typeof options === "function") {
    listener = options;
    options = undefined;
  }
  const opts = { interval: 5007, persistent: true, bigint: false, ...(options ?? {}) };
  validateFunction(listener, "listener");
  validateInteger(opts.interval, "interval", 0);
  let w = statWatchers.get(path);
  if (w === undefined) {
    w = new StatWatcher(opts.bigint);
    w.start(path, opts.persistent, opts.interval);
    statWatchers.set(path, w);
  }
  w.addListener("change", listener);
  return w;
}

export function unwatchFile(filename, listener) {
  const path = resolvePath(getPath(filename, "filename"));
  const w = statWatchers.get(path);
  if (w === undefined) return;
  if (typeof listener === "function") w.removeListener("change", listener);
  else w.removeAllListeners("change");
  if (w.listenerCount("change") === 0) {
    w.stop();
    statWatchers.delete(path);
  }
}

void ERR_INVALID_ARG_TYPE;
