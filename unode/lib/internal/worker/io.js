// node:internal/worker/io — this thread's mailbox and the MessagePorts.
//
// Every JS thread (the main one and each worker) has a mailbox in the host
// (jsk:native threadSelf/threadPost/threadReceive): a queue of messages made
// of ArrayBuffers, and an eventfd this module watches with jsk:loop. A
// message is [envelope, ports, body, ...buffers]: the envelope says what it
// is for (the thread's parentPort or Worker object, a MessagePort by id, a
// port's close or move), `ports` describes the MessagePorts it transfers,
// `body` is the value (node:internal/worker/serialize) and the buffers are
// the ArrayBuffers it carries (copied once by the host; transferred ones are
// detached on the sending side).
//
// Messages between MessagePorts of one thread do not go through the host:
// they are queued here and delivered from the same eventfd callback, as
// Node delivers them (after the current callback, its nextTicks and microtasks).
//
// The eventfd subscription is referenced (keeps the loop alive) while a
// referenced Worker runs or a referenced port has 'message' listeners.

import * as native from "jsk:native";
import * as loop from "jsk:loop";
import * as sys from "jsk:sys";
import EventEmitter from "node:events";
import { codes } from "node:internal/errors";
import { serialize, deserialize, dataCloneError, isArrayBuffer, isDetached } from "node:internal/worker/serialize";

const { ERR_INVALID_ARG_TYPE } = codes;

export const self = native.threadSelf();

export const K = { INIT: 0, MSG: 1, ONLINE: 2, PORT: 3, CLOSE: 4, MOVED: 5 };

// ---- the mailbox ---------------------------------------------------------------

/** A FIFO whose shift() is O(1) (Array.prototype.shift moves every element). */
class Queue {
  constructor() {
    this.items = [];
    this.head = 0;
  }
  get length() {
    return this.items.length - this.head;
  }
  push(x) {
    this.items.push(x);
  }
  shift() {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  /** Remove and return everything queued. */
  take() {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }
  clear() {
    this.items = [];
    this.head = 0;
  }
}

let sub = null;
let holds = 0;
const pending = new Queue();     // entries from threadReceive not yet handled
const localFlush = new Queue();  // ports with queued in-thread messages or events
let kicked = false;

function watching() {
  if (sub === null) {
    sub = loop.watch(self.fd, sys.EPOLLIN, drain);
    if (holds <= 0) sub.unref();
  }
  return sub;
}

/** One more (+1) or one fewer (-1) thing that keeps this thread's loop alive. */
export function hold(delta) {
  holds += delta;
  if (holds > 0) watching().ref();
  else if (sub !== null) sub.unref();
}

/** Make the mailbox callback run soon (for in-thread deliveries). */
function kick() {
  watching();
  if (kicked || draining) return;
  kicked = true;
  sys.eventfdWrite(self.fd, 1);
}

export function scheduleLocal(port) {
  localFlush.push(port);
  kick();
}

/** The entries received so far (the worker entry takes its init message from them). */
export function receiveNow() {
  const got = native.threadReceive();
  for (let i = 0; i < got.length; i++) pending.push(got[i]);
  return pending;
}

/** Take the first received entry that `match` accepts. */
export function takeReceived(match) {
  receiveNow();
  const all = pending.take();
  const i = all.findIndex(match);
  const found = i < 0 ? undefined : all.splice(i, 1)[0];
  for (const e of all) pending.push(e);
  if (pending.length > 0) kick();
  return found;
}

/** Handlers for thread-level messages: set by node:worker_threads and the worker entry. */
export const handlers = {
  workers: new Map(),     // thread id -> { onMessage(raw), onOnline(), onExit(error, code) }
  parentPort: null,       // the worker's parentPort
  raw: new Map(),         // thread id -> fn(entry): every entry from that thread, unparsed (the fs thread pool)
};

let draining = false;

function drain() {
  kicked = false;
  draining = true;
  receiveNow();
  try {
    while (pending.length > 0) {
      const e = pending.shift();
      handle(e);
      loop.runCallbackHook();
    }
    while (localFlush.length > 0) {
      const port = localFlush.shift();
      port[kFlush]();
      loop.runCallbackHook();
    }
  } finally {
    draining = false;
    if (pending.length > 0 || localFlush.length > 0) kick();
  }
}

function handle(entry) {
  const raw = handlers.raw.get(entry[0]);
  if (raw !== undefined) return raw(entry);
  const [from, kind, payload, code] = entry;
  if (kind === 1) {
    threadGone(from);
    const w = handlers.workers.get(from);
    handlers.workers.delete(from);
    if (w) w.onExit(payload, code);
    return;
  }
  const parts = payload;
  let env;
  try {
    env = parseEnvelope(parts[0]);
  } catch {
    env = { kind: K.MSG };
  }
  switch (env.kind) {
    case K.MSG:
      if (from === self.parent) handlers.parentPort?.[kEnqueue]({ parts });
      else handlers.workers.get(from)?.onMessage({ parts });
      return;
    case K.ONLINE:
      handlers.workers.get(from)?.onOnline();
      return;
    case K.PORT:
      toPort(env.id, { parts });
      return;
    case K.CLOSE:
      closeMessage(env.id, parts);
      return;
    case K.MOVED:
      movedMessage(env.id, env.moved, env.thread, parts);
      return;
    default:
      // K.INIT after the start, or garbage: nothing to deliver it to.
  }
}

// ---- envelopes and raw messages -----------------------------------------------------

function envelope(kind, id = "", moved = "", thread = 0) {
  return native.encodeUtf8(`${kind}|${id}|${moved}|${thread}`);
}

function parseEnvelope(ab) {
  if (!isArrayBuffer(ab) || ab.byteLength > 4096) throw dataCloneError("Unable to deserialize cloned data: a malformed envelope.");
  const f = native.decodeUtf8(ab).split("|");
  if (f.length !== 4) throw dataCloneError("Unable to deserialize cloned data: a malformed envelope.");
  return { kind: Number(f[0]), id: f[1], moved: f[2], thread: Number(f[3]) };
}

function encodeDescs(descs) {
  return descs.length === 0 ? new ArrayBuffer(0) : native.encodeUtf8(JSON.stringify(descs));
}

function badMessage(why) {
  return dataCloneError(`Unable to deserialize cloned data: ${why}.`);
}

/** `{ descs, body, buffers }` of a raw message; throws a DataCloneError if it is malformed. */
export function openRaw(raw) {
  if (!raw.parts) return raw;
  const parts = raw.parts;
  if (!Array.isArray(parts) || parts.length < 3 || !parts.every(isArrayBuffer)) throw badMessage("the message lacks its parts");
  let descs = [];
  if (parts[1].byteLength > 0) {
    try { descs = JSON.parse(native.decodeUtf8(parts[1])); } catch { throw badMessage("malformed port descriptions"); }
    if (!Array.isArray(descs) || !descs.every((d) => Array.isArray(d) && d.length === 3 &&
        typeof d[0] === "string" && d[0] !== "" && Number.isInteger(d[1]) && typeof d[2] === "string")) {
      throw badMessage("malformed port descriptions");
    }
  }
  return { descs, body: parts[2], buffers: parts.slice(3) };
}

function rawParts(env, raw) {
  if (raw.parts) return [env, ...raw.parts.slice(1)];
  return [env, encodeDescs(raw.descs), raw.body, ...raw.buffers];
}

/** The value of a raw message and the ports it brought. Throws a DataCloneError. */
export function decode(raw) {
  const { descs, body, buffers } = openRaw(raw);
  const ports = descs.map(adoptPort);
  return { value: deserialize(body, buffers, ports), ports };
}

// ---- sending -------------------------------------------------------------------------

const untransferable = new WeakSet();
export function markAsUntransferable(obj) {
  if ((typeof obj === "object" && obj !== null) || typeof obj === "function") untransferable.add(obj);
}
export function isMarkedAsUntransferable(obj) {
  return (typeof obj === "object" && obj !== null) || typeof obj === "function" ? untransferable.has(obj) : false;
}

function transferListOf(list, source) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    if (typeof list === "object" && "transfer" in list) return transferListOf(list.transfer, source);
    if (typeof list === "object" && typeof list[Symbol.iterator] === "function") return transferListOf([...list], source);
    throw ERR_INVALID_ARG_TYPE("transferList", "Array", list);
  }
  const out = [];
  const seen = new Set();
  for (const t of list) {
    if (isArrayBuffer(t)) {
      if (seen.has(t)) throw dataCloneError("Transfer list contains duplicate ArrayBuffer");
      if (isDetached(t)) throw dataCloneError("An ArrayBuffer is detached and could not be cloned.");
      seen.add(t);
      if (!untransferable.has(t)) out.push(t);
    } else if (t instanceof MessagePort) {
      if (seen.has(t)) throw dataCloneError("Transfer list contains duplicate MessagePort");
      if (t === source || (source && t[kId] !== "" && source[kPeer]?.id === t[kId])) throw dataCloneError("Transfer list contains source port");
      if (t[kId] === "") throw dataCloneError("The parentPort cannot be transferred");
      if (t[kMoved]) throw dataCloneError("MessagePort in transfer list is already detached");
      seen.add(t);
      out.push(t);
    } else if (ArrayBuffer.isView(t) || (t !== null && typeof t === "object")) {
      throw dataCloneError("Value not transferable");
    } else {
      throw ERR_INVALID_ARG_TYPE("transferList", "Array of transferable objects", list);
    }
  }
  return out;
}

/**
 * Serialize `value` for a message of kind `kind` (K.MSG, or K.PORT for port
 * `portId`). Throws DataCloneError before anything is sent. Returns
 * `{ parts, commit(thread) }`: once the parts were posted to `thread`,
 * commit() detaches the transferred ArrayBuffers and moves the ports there.
 */
export function prepare(kind, portId, value, transferList, source = null) {
  const transfer = transferListOf(transferList, source);
  const s = serialize(value, { transfer, isPort: (v) => v instanceof MessagePort });
  const descs = s.ports.map((p) => [p[kId], p[kPeer]?.thread ?? -1, p[kPeer]?.id ?? ""]);
  return {
    s,
    descs,
    parts: [envelope(kind, portId), encodeDescs(descs), s.body, ...s.buffers],
    commit(thread) {
      for (const ab of s.transferred) if (!isDetached(ab)) ab.transfer(0);
      for (const p of s.ports) movePort(p, thread);
    },
  };
}

/** Send `value` to thread `thread` (see prepare); false if that thread is gone. */
export function send(thread, kind, portId, value, transferList, source = null) {
  const m = prepare(kind, portId, value, transferList, source);
  if (thread === self.id) {
    const { s } = m;
    const buffers = s.buffers.map((ab) => (s.transferred.has(ab) ? ab.transfer() : ab.slice(0)));
    m.commit(thread);
    deliverLocal(kind, portId, { descs: m.descs, body: s.body, buffers });
    return true;
  }
  if (!native.threadPost(thread, m.parts)) return false;
  m.commit(thread);
  return true;
}

/** Tell the parent thread that this worker runs. */
export function postOnline() {
  native.threadPost(self.parent, [envelope(K.ONLINE), new ArrayBuffer(0), new ArrayBuffer(0)]);
}

function deliverLocal(kind, portId, raw) {
  if (kind === K.PORT) toPort(portId, raw);
  else if (kind === K.MSG && handlers.parentPort) handlers.parentPort[kEnqueue](raw);
}

// ---- ports across threads --------------------------------------------------------------

const kId = Symbol("kId");
const kPeer = Symbol("kPeer");
const kQueue = Symbol("kQueue");
const kEnqueue = Symbol("kEnqueue");
const kFlush = Symbol("kFlush");
const kPeerClosed = Symbol("kPeerClosed");
const kMoved = Symbol("kMoved");
const kToken = Symbol("MessagePort constructor token");

const ports = new Map();        // id -> MessagePort living in this thread
const forward = new Map();      // id -> thread a port of ours was sent to
const orphans = new Map();      // id -> raw messages for a port not adopted yet
const peerUpdates = new Map();  // id -> new peer (or null: closed) for a port not adopted yet
let nextPort = 0;

function newPortId() {
  return `${self.id}.${nextPort++}`;
}

function toPort(id, raw) {
  const port = ports.get(id);
  if (port) return port[kEnqueue](raw);
  const to = forward.get(id);
  if (to !== undefined) {
    if (!native.threadPost(to, rawParts(envelope(K.PORT, id), raw))) forward.delete(id);
    return;
  }
  let list = orphans.get(id);
  if (!list) orphans.set(id, (list = []));
  list.push(raw);
}

function closeMessage(id, parts) {
  const port = ports.get(id);
  if (port) return port[kPeerClosed]();
  const to = forward.get(id);
  if (to !== undefined) native.threadPost(to, [envelope(K.CLOSE, id), ...parts.slice(1)]);
  else peerUpdates.set(id, null);
}

function movedMessage(id, moved, thread, parts) {
  if (!Number.isInteger(thread) || moved === "") return;
  const port = ports.get(id);
  if (port) {
    if (port[kPeer]) port[kPeer] = { thread, id: moved };
    return;
  }
  const to = forward.get(id);
  if (to !== undefined) native.threadPost(to, [envelope(K.MOVED, id, moved, thread), ...parts.slice(1)]);
  else peerUpdates.set(id, { thread, id: moved });
}

/** Tell the peer of `port` (id `id`) where its other end went. */
function notifyPeer(peer, id, thread) {
  if (peer.thread === self.id) {
    const q = ports.get(peer.id);
    if (q) q[kPeer] = { thread, id };
    else movedMessage(peer.id, id, thread, [null, new ArrayBuffer(0), new ArrayBuffer(0)]);
  } else {
    native.threadPost(peer.thread, [envelope(K.MOVED, peer.id, id, thread), new ArrayBuffer(0), new ArrayBuffer(0)]);
  }
}

/** `port` was sent to thread `thread`: it lives there now, with its queued messages. */
function movePort(port, thread) {
  const id = port[kId];
  const queued = port[kQueue].take();
  const peer = port[kPeer];
  port[kMoved] = true;
  port[kPeer] = null;
  port._setClosed();
  ports.delete(id);
  if (thread !== self.id) forward.set(id, thread);
  if (peer) notifyPeer(peer, id, thread);
  for (const raw of queued) toPort(id, raw);
}

function adoptPort([id, thread, peerId]) {
  forward.delete(id);
  let peer = thread >= 0 && peerId !== "" ? { thread, id: peerId } : null;
  if (peerUpdates.has(id)) {
    peer = peerUpdates.get(id);
    peerUpdates.delete(id);
  }
  const port = new MessagePort(kToken, id, peer);
  if (peer === null) port[kPeerClosed]();
  const queued = orphans.get(id);
  if (queued) {
    orphans.delete(id);
    for (const raw of queued) port[kEnqueue](raw);
  }
  return port;
}

/** Thread `id` ended: ports whose other end lived there are closed. */
function threadGone(id) {
  for (const port of [...ports.values()]) if (port[kPeer]?.thread === id) port[kPeerClosed]();
  for (const [pid, t] of forward) if (t === id) forward.delete(pid);
}

// ---- MessagePort -----------------------------------------------------------------------

class MessageEvent {
  constructor(type, init = {}) {
    this.type = String(type);
    this.data = init.data;
    this.ports = init.ports ?? [];
    this.origin = "";
    this.lastEventId = "";
    this.source = null;
    this.target = init.target ?? null;
    this.currentTarget = this.target;
    this.defaultPrevented = false;
    this.timeStamp = 0;
  }
  preventDefault() { this.defaultPrevented = true; }
  stopPropagation() {}
  stopImmediatePropagation() {}
}
export { MessageEvent };

const kWrapped = Symbol("kWrapped");

export class MessagePort extends EventEmitter {
  constructor(token, id, peer) {
    if (token !== kToken) throw new TypeError("Illegal constructor");
    super();
    this[kId] = id;
    this[kPeer] = peer;
    this[kQueue] = new Queue();
    this[kMoved] = false;
    this._started = false;
    this._closed = false;
    this._refed = true;
    this._held = false;
    this._scheduled = false;
    this._onmessage = null;
    this._onmessageerror = null;
    this._closeEmitted = false;
    if (id !== "") ports.set(id, this);
  }

  postMessage(value, transferList) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS("message");
    const peer = this[kPeer];
    if (this._closed || !peer) {
      // Nothing is sent, but the value must still be cloneable (as in Node).
      serialize(value, { transfer: transferListOf(transferList, this), isPort: (v) => v instanceof MessagePort });
      return;
    }
    const ok = peer.id === ""
      ? send(peer.thread, K.MSG, "", value, transferList, this)
      : send(peer.thread, K.PORT, peer.id, value, transferList, this);
    if (!ok) this[kPeerClosed]();
  }

  start() {
    this._started = true;
    this._schedule();
  }

  close() {
    if (this._closed) return;
    const peer = this[kPeer];
    this[kPeer] = null;
    this[kQueue].clear();
    this._setClosed();
    this._emitClose();
    if (peer && peer.id !== "") {
      if (peer.thread === self.id) ports.get(peer.id)?.[kPeerClosed]();
      else native.threadPost(peer.thread, [envelope(K.CLOSE, peer.id), new ArrayBuffer(0), new ArrayBuffer(0)]);
    }
  }

  ref() {
    this._refed = true;
    this._update();
    return this;
  }

  unref() {
    this._refed = false;
    this._update();
    return this;
  }

  hasRef() {
    return this._held;
  }

  // EventEmitter methods that change the 'message' listeners start/stop the port.
  on(type, fn) { super.on(type, fn); this._listenersChanged(type, true); return this; }
  addListener(type, fn) { return this.on(type, fn); }
  once(type, fn) { super.once(type, fn); this._listenersChanged(type, true); return this; }
  prependListener(type, fn) { super.prependListener(type, fn); this._listenersChanged(type, true); return this; }
  prependOnceListener(type, fn) { super.prependOnceListener(type, fn); this._listenersChanged(type, true); return this; }
  off(type, fn) { super.off(type, fn); this._listenersChanged(type, false); return this; }
  removeListener(type, fn) { return this.off(type, fn); }
  removeAllListeners(type) {
    if (type === undefined) super.removeAllListeners(); else super.removeAllListeners(type);
    this._listenersChanged(type ?? "message", false);
    return this;
  }

  // The EventTarget side: listeners get a MessageEvent.
  addEventListener(type, listener, options) {
    if (typeof listener !== "function" && !(listener && typeof listener.handleEvent === "function")) return;
    const once = typeof options === "object" && options !== null && options.once;
    const wrapped = (value, ports) => {
      const event = type === "message" || type === "messageerror"
        ? new MessageEvent(type, { data: value, ports: ports ?? [], target: this })
        : new MessageEvent(type, { target: this });
      if (typeof listener === "function") listener.call(this, event); else listener.handleEvent(event);
    };
    wrapped[kWrapped] = listener;
    if (once) this.once(type, wrapped); else this.on(type, wrapped);
  }

  removeEventListener(type, listener) {
    const found = this.rawListeners(type).find((f) => f[kWrapped] === listener || f.listener?.[kWrapped] === listener);
    if (found) this.off(type, found.listener ?? found);
  }

  dispatchEvent(event) {
    this.emit(event.type, event.data);
    return true;
  }

  get onmessage() { return this._onmessage; }
  set onmessage(fn) { this._setHandler("message", fn); }
  get onmessageerror() { return this._onmessageerror; }
  set onmessageerror(fn) { this._setHandler("messageerror", fn); }

  _setHandler(type, fn) {
    const key = type === "message" ? "_onmessage" : "_onmessageerror";
    if (this[`${key}Wrapped`]) this.off(type, this[`${key}Wrapped`]);
    this[key] = typeof fn === "function" ? fn : null;
    this[`${key}Wrapped`] = null;
    if (this[key]) {
      const w = (value, ports) => fn.call(this, new MessageEvent(type, { data: value, ports: ports ?? [], target: this }));
      this[`${key}Wrapped`] = w;
      this.on(type, w);
    }
  }

  _listenersChanged(type, added) {
    if (type !== "message") return;
    if (added) this._started = true;
    else if (this.listenerCount("message") === 0) this._started = false;
    this._update();
    this._schedule();
  }

  _update() {
    const active = !this._closed && this._refed && this.listenerCount("message") > 0;
    if (active !== this._held) {
      this._held = active;
      hold(active ? 1 : -1);
    }
  }

  _setClosed() {
    this._closed = true;
    if (this[kId] !== "") ports.delete(this[kId]);
    this._update();
  }

  _emitClose() {
    if (this._closeEmitted) return;
    this._closeEmitted = true;
    this._pendingClose = true;
    this._scheduled = true;
    scheduleLocal(this);
  }

  _schedule() {
    if (this._scheduled || this._closed || !this._started || this[kQueue].length === 0) return;
    this._scheduled = true;
    scheduleLocal(this);
  }

  [kEnqueue](raw) {
    if (this._closed) return;
    this[kQueue].push(raw);
    this._schedule();
  }

  [kPeerClosed]() {
    if (this._closed) return;
    this[kPeer] = null;
    // Messages already here are still delivered; then 'close'.
    this._closing = true;
    if (this[kQueue].length === 0 || !this._started) {
      this[kQueue].clear();
      this._setClosed();
      this._emitClose();
    }
  }

  /** Deliver one queued message (the mailbox calls this; more are rescheduled). */
  [kFlush]() {
    this._scheduled = false;
    if (this._pendingClose) {
      this._pendingClose = false;
      this.emit("close");
      return;
    }
    if (this._closed || !this._started) return;
    const raw = this[kQueue].shift();
    if (raw === undefined) return;
    try {
      if (this[kQueue].length > 0) this._schedule();
      else if (this._closing) { this._setClosed(); this._emitClose(); }
      let msg;
      try {
        msg = decode(raw);
      } catch (err) {
        this.emit("messageerror", err);
        return;
      }
      this.emit("message", msg.value, msg.ports);
    } finally {
      this._schedule();
    }
  }

  /** receiveMessageOnPort: the next queued message now, or undefined. */
  _receiveNow() {
    const raw = this[kQueue].shift();
    if (raw === undefined) return undefined;
    return { message: decode(raw).value };
  }

  get [Symbol.toStringTag]() { return "MessagePort"; }
}

/** A new port object for the parentPort of a worker (its peer is the parent thread). */
export function makeParentPort(parent) {
  return new MessagePort(kToken, "", { thread: parent, id: "" });
}

export class MessageChannel {
  constructor() {
    const a = newPortId();
    const b = newPortId();
    this.port1 = new MessagePort(kToken, a, { thread: self.id, id: b });
    this.port2 = new MessagePort(kToken, b, { thread: self.id, id: a });
  }
}

export function receiveMessageOnPort(port) {
  if (!(port instanceof MessagePort)) throw ERR_INVALID_ARG_TYPE("port", "MessagePort", port);
  return port._receiveNow();
}

/** What node:worker_threads shows of this thread (the worker entry fills it in a worker). */
export const workerState = {
  isMainThread: self.parent < 0,
  parentPort: null,
  workerData: null,
  resourceLimits: {},
  environmentData: new Map(),
};
