// node:diagnostics_channel — named channels that publish messages to their
// subscribers, with stores bound to a channel (runStores), and tracing
// channels (the start/end/asyncStart/asyncEnd/error quintet with traceSync,
// tracePromise and traceCallback), as Node 20 documents them.
//
// A subscriber that throws does not stop the others: its error is thrown
// again from a nextTick, so it reaches the program as an uncaught exception.
// Channels live as long as the process (Node keeps them in a WeakRef map).

import { nextTick } from "node:internal/process/tick";
import { codes } from "node:internal/errors";
import { validateFunction } from "node:internal/validators";

const { ERR_INVALID_ARG_TYPE } = codes;

const channels = new Map();

function rethrowLater(err) {
  nextTick(() => {
    throw err;
  });
}

export class Channel {
  constructor(name) {
    this._subscribers = [];
    this._stores = new Map();
    this.name = name;
  }

  get hasSubscribers() {
    return this._subscribers.length > 0 || this._stores.size > 0;
  }

  subscribe(subscription) {
    validateFunction(subscription, "subscription");
    this._subscribers = [...this._subscribers, subscription];
  }

  unsubscribe(subscription) {
    const i = this._subscribers.indexOf(subscription);
    if (i === -1) return false;
    const next = this._subscribers.slice();
    next.splice(i, 1);
    this._subscribers = next;
    return true;
  }

  publish(data) {
    const subs = this._subscribers; // a snapshot: (un)subscribing while publishing replaces the array
    for (let i = 0; i < subs.length; i++) {
      try {
        subs[i](data, this.name);
      } catch (err) {
        rethrowLater(err);
      }
    }
  }

  bindStore(store, transform) {
    if (transform !== undefined) validateFunction(transform, "transform");
    this._stores.set(store, transform);
  }

  unbindStore(store) {
    return this._stores.delete(store);
  }

  /** Run fn(...args) with every bound store entered (its value: transform(data), or data), publishing data first. */
  runStores(data, fn, thisArg, ...args) {
    let run = () => {
      this.publish(data);
      return Reflect.apply(fn, thisArg, args);
    };
    for (const [store, transform] of this._stores) {
      const next = run;
      run = () => {
        let value = data;
        if (transform) {
          try {
            value = transform(data);
          } catch (err) {
            rethrowLater(err);
            return next();
          }
        }
        return store.run(value, next);
      };
    }
    return run();
  }
}

function checkName(name) {
  if (typeof name !== "string" && typeof name !== "symbol") throw ERR_INVALID_ARG_TYPE("channel", ["string", "symbol"], name);
}

/** The channel of this name (the same object for the same name). */
export function channel(name) {
  const existing = channels.get(name);
  if (existing) return existing;
  checkName(name);
  const ch = new Channel(name);
  channels.set(name, ch);
  return ch;
}

export function hasSubscribers(name) {
  const ch = channels.get(name);
  return ch !== undefined && ch.hasSubscribers;
}

export function subscribe(name, subscription) {
  channel(name).subscribe(subscription);
}

export function unsubscribe(name, subscription) {
  const ch = channels.get(name);
  return ch !== undefined && ch.unsubscribe(subscription);
}

const traceEvents = ["start", "end", "asyncStart", "asyncEnd", "error"];

export class TracingChannel {
  constructor(nameOrChannels) {
    // The five channels are not enumerable (Node keeps them in private fields).
    const own = (ev, ch) => Object.defineProperty(this, ev, { value: ch, configurable: true, writable: true });
    if (typeof nameOrChannels === "string") {
      for (const ev of traceEvents) own(ev, channel(`tracing:${nameOrChannels}:${ev}`));
    } else if (typeof nameOrChannels === "object" && nameOrChannels !== null) {
      for (const ev of traceEvents) {
        const ch = nameOrChannels[ev];
        if (!(ch instanceof Channel)) throw ERR_INVALID_ARG_TYPE(`nameOrChannels.${ev}`, "Channel", ch);
        own(ev, ch);
      }
    } else {
      throw ERR_INVALID_ARG_TYPE("nameOrChannels", ["string", "object", "TracingChannel"], nameOrChannels);
    }
  }

  get hasSubscribers() {
    return this.start.hasSubscribers || this.end.hasSubscribers || this.asyncStart.hasSubscribers ||
      this.asyncEnd.hasSubscribers || this.error.hasSubscribers;
  }

  subscribe(handlers) {
    for (const ev of traceEvents) if (handlers[ev]) this[ev].subscribe(handlers[ev]);
  }

  unsubscribe(handlers) {
    let done = true;
    for (const ev of traceEvents) {
      if (handlers[ev] && !this[ev].unsubscribe(handlers[ev])) done = false;
    }
    return done;
  }

  traceSync(fn, context = {}, thisArg, ...args) {
    if (!this.hasSubscribers) return Reflect.apply(fn, thisArg, args);
    const { start, end, error } = this;
    return start.runStores(context, () => {
      try {
        const result = Reflect.apply(fn, thisArg, args);
        context.result = result;
        return result;
      } catch (err) {
        context.error = err;
        error.publish(context);
        throw err;
      } finally {
        end.publish(context);
      }
    });
  }

  tracePromise(fn, context = {}, thisArg, ...args) {
    if (!this.hasSubscribers) return Reflect.apply(fn, thisArg, args);
    const { start, end, asyncStart, asyncEnd, error } = this;
    const settled = (result) => {
      context.result = result;
      asyncStart.publish(context);
      asyncEnd.publish(context);
      return result;
    };
    const failed = (err) => {
      context.error = err;
      error.publish(context);
      asyncStart.publish(context);
      asyncEnd.publish(context);
      return Promise.reject(err);
    };
    return start.runStores(context, () => {
      try {
        let promise = Reflect.apply(fn, thisArg, args);
        if (!(promise instanceof Promise)) promise = Promise.resolve(promise);
        return promise.then(settled, failed);
      } catch (err) {
        context.error = err;
        error.publish(context);
        throw err;
      } finally {
        end.publish(context);
      }
    });
  }

  traceCallback(fn, position = -1, context = {}, thisArg, ...args) {
    if (!this.hasSubscribers) return Reflect.apply(fn, thisArg, args);
    const { start, end, asyncStart, asyncEnd, error } = this;
    const callback = args.at(position);
    validateFunction(callback, "callback");
    function wrapped(err, res) {
      if (err) {
        context.error = err;
        error.publish(context);
      } else {
        context.result = res;
      }
      const self = this, cbArgs = arguments;
      return asyncStart.runStores(context, () => {
        try {
          return Reflect.apply(callback, self, cbArgs);
        } finally {
          asyncEnd.publish(context);
        }
      });
    }
    args.splice(position, 1, wrapped);
    return start.runStores(context, () => {
      try {
        return Reflect.apply(fn, thisArg, args);
      } catch (err) {
        context.error = err;
        error.publish(context);
        throw err;
      } finally {
        end.publish(context);
      }
    });
  }
}

export function tracingChannel(nameOrChannels) {
  return new TracingChannel(nameOrChannels);
}

export default { channel, hasSubscribers, subscribe, unsubscribe, tracingChannel, Channel };
