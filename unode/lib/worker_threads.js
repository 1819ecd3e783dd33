// node:worker_threads — Node's worker threads on jsk. Each Worker is its own
// QuickJS runtime on its own OS thread (the host's threadStart), booted like
// a unode program; messages are structured clones serialised to bytes
// (node:internal/worker/serialize) and carried by the host's per-thread
// mailboxes (node:internal/worker/io). ArrayBuffers in a transfer list are
// detached on the sending side; the receiver gets the bytes.
//
// Not there: SHARE_ENV shares nothing (the worker gets a copy of the
// environment); worker.stdout/stderr are empty streams (a worker writes to
// the process's own stdout/stderr directly); stdin: true; BroadcastChannel;
// getHeapSnapshot; MessagePort is an EventEmitter with addEventListener, not
// an EventTarget.

import * as native from "jsk:native";
import EventEmitter from "node:events";
import process from "node:process";
import { codes, nodeError } from "node:internal/errors";
import { validateObject, validateString, validateArray } from "node:internal/validators";
import { cwd, resolvePath, fromFileURL } from "node:internal/modules/resolve";
import { deserialize } from "node:internal/worker/serialize";
import {
  self, hold, handlers, prepare, decode, K, workerState,
  MessagePort, MessageChannel, receiveMessageOnPort,
  markAsUntransferable, isMarkedAsUntransferable,
} from "node:internal/worker/io";

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE } = codes;

export const SHARE_ENV = Symbol.for("nodejs.worker_threads.SHARE_ENV");
export const isMainThread = workerState.isMainThread;
export const parentPort = workerState.parentPort;
export const workerData = workerState.workerData;
export const threadId = self.id;
export const resourceLimits = workerState.resourceLimits;
export { MessagePort, MessageChannel, receiveMessageOnPort, markAsUntransferable, isMarkedAsUntransferable };

const environmentData = workerState.environmentData;

export function setEnvironmentData(key, value) {
  if (value === undefined) environmentData.delete(key);
  else environmentData.set(key, value);
}

export function getEnvironmentData(key) {
  return environmentData.get(key);
}

export function moveMessagePortToContext(port) {
  return port;
}

const LIMIT_KEYS = ["maxYoungGenerationSizeMb", "maxOldGenerationSizeMb", "codeRangeSizeMb", "stackSizeMb"];

function workerPathError(filename) {
  return nodeError(TypeError, "ERR_WORKER_PATH",
    "The worker script or module filename must be an absolute path or a relative path starting with './' or '../'." +
    ` Received "${filename}"`);
}

function scriptPath(filename) {
  if (filename !== null && typeof filename === "object" && typeof filename.href === "string") {
    if (filename.protocol !== "file:") {
      throw nodeError(TypeError, "ERR_WORKER_UNSUPPORTED_OPERATION", `Worker URLs with protocol ${filename.protocol} are not supported`);
    }
    return fromFileURL(filename);
  }
  if (typeof filename !== "string") throw ERR_INVALID_ARG_TYPE("filename", ["string", "URL"], filename);
  if (filename.startsWith("file:")) return fromFileURL(filename);
  if (filename.startsWith("/")) return filename;
  if (filename.startsWith("./") || filename.startsWith("../")) return resolvePath(cwd(), filename);
  throw workerPathError(filename);
}

function envFor(env) {
  if (env === undefined || env === null || env === SHARE_ENV) return { ...process.env };
  if (typeof env !== "object") throw ERR_INVALID_ARG_TYPE("options.env", ["object", "SHARE_ENV"], env);
  const out = {};
  for (const k of Object.keys(env)) out[k] = String(env[k]);
  return out;
}

function limitsFor(limits) {
  const out = {};
  if (limits === undefined) return out;
  validateObject(limits, "options.resourceLimits");
  for (const k of LIMIT_KEYS) {
    const v = limits[k];
    if (v === undefined) continue;
    if (typeof v !== "number") throw ERR_INVALID_ARG_TYPE(`options.resourceLimits.${k}`, "number", v);
    if (v > 0) out[k] = v;
  }
  return out;
}

let streamModule = null;
function emptyReadable() {
  streamModule ??= native.importSync("node:stream");
  return new streamModule.Readable({ read() {} });
}

const kState = Symbol("kWorkerState");

export class Worker extends EventEmitter {
  constructor(filename, options = {}) {
    super();
    if (options === null || typeof options !== "object") throw ERR_INVALID_ARG_TYPE("options", "Object", options);
    const isEval = Boolean(options.eval);
    let path = null;
    if (isEval) {
      if (typeof filename !== "string") {
        throw ERR_INVALID_ARG_VALUE("options.eval", options.eval, "must be false when 'filename' is not a string");
      }
    } else {
      path = scriptPath(filename);
    }
    const argv = options.argv === undefined ? [] : (validateArray(options.argv, "options.argv"), options.argv.map(String));
    if (options.execArgv !== undefined) validateArray(options.execArgv, "options.execArgv");
    if (options.name !== undefined) validateString(options.name, "options.name");
    const limits = limitsFor(options.resourceLimits);
    const init = {
      isEval,
      code: isEval ? filename : undefined,
      filename: path,
      workerData: options.workerData,
      argv,
      env: envFor(options.env),
      environmentData: new Map(environmentData),
      name: options.name ?? "",
      resourceLimits: {
        maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb ?? 0,
        maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb ?? 0,
        codeRangeSizeMb: limits.codeRangeSizeMb ?? 0,
        stackSizeMb: limits.stackSizeMb ?? 16,
      },
    };
    const msg = prepare(K.INIT, "", init, options.transferList);
    const native_limits = {};
    if (limits.maxOldGenerationSizeMb) {
      native_limits.memoryLimitMb = limits.maxOldGenerationSizeMb + (limits.maxYoungGenerationSizeMb ?? 0);
    }
    if (limits.stackSizeMb) native_limits.stackSizeMb = limits.stackSizeMb;
    const id = native.threadStart("node:internal/worker/main", msg.parts, native_limits);
    msg.commit(id);
    this[kState] = { id, exited: false, refed: true, code: undefined, waiters: [], limits: init.resourceLimits, stdout: null, stderr: null };
    this.threadId = id;
    this.stdin = null;
    hold(1);
    handlers.workers.set(id, {
      onOnline: () => this.emit("online"),
      onMessage: (raw) => {
        let m;
        try {
          m = decode(raw);
        } catch (err) {
          this.emit("messageerror", err);
          return;
        }
        this.emit("message", m.value);
      },
      onExit: (error, code) => this._exited(error, code),
    });
  }

  get resourceLimits() {
    return this[kState].exited ? {} : { ...this[kState].limits };
  }

  get stdout() {
    const st = this[kState];
    if (!st.stdout) {
      st.stdout = emptyReadable();
      if (st.exited) st.stdout.push(null);
    }
    return st.stdout;
  }

  get stderr() {
    const st = this[kState];
    if (!st.stderr) {
      st.stderr = emptyReadable();
      if (st.exited) st.stderr.push(null);
    }
    return st.stderr;
  }

  _exited(error, code) {
    const st = this[kState];
    st.exited = true;
    st.code = code;
    if (st.refed) hold(-1);
    if (error !== undefined) {
      let err;
      if (typeof error === "string") {
        err = new Error(error);
        if (error.startsWith("ERR_WORKER_OUT_OF_MEMORY")) {
          err = nodeError(Error, "ERR_WORKER_OUT_OF_MEMORY", error.replace(/^ERR_WORKER_OUT_OF_MEMORY: /, ""));
        }
      } else {
        try {
          err = deserialize(error);
        } catch (e) {
          err = e;
        }
      }
      this.emit("error", err);
    }
    this.threadId = -1;
    st.stdout?.push(null);
    st.stderr?.push(null);
    this.emit("exit", code);
    for (const resolve of st.waiters.splice(0)) resolve(code);
  }

  postMessage(value, transferList) {
    const st = this[kState];
    const msg = prepare(K.MSG, "", value, transferList);
    if (st.exited) return;
    if (native.threadPost(st.id, msg.parts)) msg.commit(st.id);
  }

  terminate(callback) {
    const st = this[kState];
    if (st.exited) {
      if (typeof callback === "function") process.nextTick(callback, null, undefined);
      return Promise.resolve(undefined);
    }
    native.threadStop(st.id, 1);
    return new Promise((resolve) => {
      st.waiters.push((code) => {
        if (typeof callback === "function") callback(null, code);
        resolve(code);
      });
    });
  }

  ref() {
    const st = this[kState];
    if (!st.refed && !st.exited) hold(1);
    st.refed = true;
  }

  unref() {
    const st = this[kState];
    if (st.refed && !st.exited) hold(-1);
    st.refed = false;
  }

  getHeapSnapshot() {
    return Promise.reject(codes.ERR_NOT_IMPLEMENTED("worker.getHeapSnapshot()"));
  }

  get performance() {
    return { eventLoopUtilization: () => ({ idle: 0, active: 0, utilization: 0 }) };
  }
}

const workerThreads = {
  isMainThread,
  parentPort,
  workerData,
  threadId,
  resourceLimits,
  SHARE_ENV,
  Worker,
  MessageChannel,
  MessagePort,
  receiveMessageOnPort,
  markAsUntransferable,
  isMarkedAsUntransferable,
  moveMessagePortToContext,
  getEnvironmentData,
  setEnvironmentData,
};
export default workerThreads;
