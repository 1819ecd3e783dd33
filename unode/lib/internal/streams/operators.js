// node:internal/streams/operators — Readable.prototype.map/filter/forEach/
// toArray/some/every/find/reduce/take/drop/flatMap. Stages run one value at
// a time (the `concurrency` option is accepted and validated, not used).

import { AbortError, codes } from "node:internal/errors";
import { validateFunction, validateObject, validateAbortSignal, validateInteger } from "node:internal/validators";

const { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE } = codes;
const kEmpty = Symbol("kEmpty");

function checkOptions(options) {
  if (options != null) validateObject(options, "options");
  if (options?.signal != null) validateAbortSignal(options.signal, "options.signal");
  if (options?.concurrency != null) validateInteger(options.concurrency, "options.concurrency", 1);
}

function throwIfAborted(signal) {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

function toNumber(n, name) {
  n = Number(n);
  if (Number.isNaN(n)) return 0;
  if (n < 0) throw ERR_OUT_OF_RANGE(name, ">= 0", n);
  return n;
}

export function install(Readable) {
  const from = (gen, stream) => Readable.from(gen, { objectMode: true });

  function map(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const stream = this;
    const signal = options?.signal;
    return from(async function* () {
      throwIfAborted(signal);
      for await (const val of stream) {
        throwIfAborted(signal);
        const res = await fn(val, { signal });
        if (res === kEmpty) continue;
        yield res;
      }
    }(), stream);
  }

  function filter(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const stream = this;
    const signal = options?.signal;
    return from(async function* () {
      throwIfAborted(signal);
      for await (const val of stream) {
        throwIfAborted(signal);
        if (await fn(val, { signal })) yield val;
      }
    }(), stream);
  }

  function flatMap(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const stream = this;
    const signal = options?.signal;
    return from(async function* () {
      for await (const val of stream) {
        throwIfAborted(signal);
        yield* await fn(val, { signal });
      }
    }(), stream);
  }

  function take(number, options) {
    if (options != null) validateObject(options, "options");
    validateAbortSignal(options?.signal, "options.signal");
    number = toNumber(number, "number");
    const stream = this;
    const signal = options?.signal;
    return from(async function* () {
      throwIfAborted(signal);
      if (number <= 0) return;
      for await (const val of stream) {
        throwIfAborted(signal);
        yield val;
        if (--number <= 0) return;
      }
    }(), stream);
  }

  function drop(number, options) {
    if (options != null) validateObject(options, "options");
    validateAbortSignal(options?.signal, "options.signal");
    number = toNumber(number, "number");
    const stream = this;
    const signal = options?.signal;
    return from(async function* () {
      throwIfAborted(signal);
      for await (const val of stream) {
        throwIfAborted(signal);
        if (number-- <= 0) yield val;
      }
    }(), stream);
  }

  async function forEach(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const signal = options?.signal;
    throwIfAborted(signal);
    for await (const val of this) {
      throwIfAborted(signal);
      await fn(val, { signal });
    }
  }

  async function toArray(options) {
    if (options != null) validateObject(options, "options");
    validateAbortSignal(options?.signal, "options.signal");
    const signal = options?.signal;
    const result = [];
    for await (const val of this) {
      throwIfAborted(signal);
      result.push(val);
    }
    throwIfAborted(signal);
    return result;
  }

  async function some(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const signal = options?.signal;
    for await (const val of this) {
      throwIfAborted(signal);
      if (await fn(val, { signal })) return true;
    }
    return false;
  }

  async function every(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const signal = options?.signal;
    for await (const val of this) {
      throwIfAborted(signal);
      if (!(await fn(val, { signal }))) return false;
    }
    return true;
  }

  async function find(fn, options) {
    validateFunction(fn, "fn");
    checkOptions(options);
    const signal = options?.signal;
    for await (const val of this) {
      throwIfAborted(signal);
      if (await fn(val, { signal })) return val;
    }
    return undefined;
  }

  async function reduce(reducer, initialValue, options) {
    validateFunction(reducer, "reducer");
    if (options != null) validateObject(options, "options");
    validateAbortSignal(options?.signal, "options.signal");
    const signal = options?.signal;
    let hasInitial = arguments.length > 1;
    let acc = initialValue;
    throwIfAborted(signal);
    for await (const val of this) {
      throwIfAborted(signal);
      if (!hasInitial) {
        acc = val;
        hasInitial = true;
      } else {
        acc = await reducer(acc, val, { signal });
      }
    }
    if (!hasInitial) {
      const err = new TypeError("Reduce of an empty stream requires an initial value");
      err.code = "ERR_INVALID_ARGS";
      throw err;
    }
    return acc;
  }

  async function* asIndexedPairsGen(stream, signal) {
    let index = 0;
    for await (const val of stream) {
      throwIfAborted(signal);
      yield [index++, val];
    }
  }
  function asIndexedPairs(options) {
    if (options != null) validateObject(options, "options");
    return from(asIndexedPairsGen(this, options?.signal), this);
  }

  const methods = { map, filter, flatMap, take, drop, forEach, toArray, some, every, find, reduce, asIndexedPairs };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(Readable.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  void ERR_INVALID_ARG_TYPE;
}
