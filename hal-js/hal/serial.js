// jsk:hal/serial — Serial: a byte stream to and from a UART, whatever the chip.
//
// A UART driver makes one with its operations:
//   new Serial("ttyS0", { configure(cfg), transmit(bytes) -> Promise, drain() -> Promise })
// and calls `serial.received(bytes)` when bytes arrive (from an interrupt
// handler or a poll). Apps write(), and read with `on("data")`, `read()` or
// `for await (const chunk of serial)`.

import { TimeoutError, setTimeout, clearTimeout } from "jsk:loop";

const FORMATS = { dataBits: [5, 6, 7, 8], parity: ["none", "even", "odd", "mark", "space"], stopBits: [1, 1.5, 2] };

export class Serial {
  constructor(name, ops) {
    this.name = name;
    this.ops = ops;
    this.listeners = new Set();
    this.queue = [];
    this.waiters = [];
    this.closed = false;
    this.overruns = 0;
    this.maxQueued = 1 << 20;
    this.queued = 0;
  }
  /**
   * Set baud rate and frame format. Throws RangeError for a format the
   * hardware cannot do (the driver decides, e.g. a baud rate whose divisor is out of range).
   */
  configure({ baud = 115200, dataBits = 8, parity = "none", stopBits = 1 } = {}) {
    if (!FORMATS.dataBits.includes(dataBits)) throw new RangeError(`${this.name}: ${dataBits} data bits not supported`);
    if (!FORMATS.parity.includes(parity)) throw new RangeError(`${this.name}: parity "${parity}" not supported`);
    if (!FORMATS.stopBits.includes(stopBits)) throw new RangeError(`${this.name}: ${stopBits} stop bits not supported`);
    if (!(baud > 0)) throw new RangeError(`${this.name}: baud rate must be positive`);
    this.ops.configure({ baud, dataBits, parity, stopBits });
    return this;
  }
  /** Queue bytes (or a UTF-8 string) for transmission; resolves when the hardware took them all. */
  write(data) {
    if (this.closed) return Promise.reject(new Error(`${this.name}: closed`));
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data);
    return this.ops.transmit(bytes);
  }
  /** Resolves when everything written has left the transmitter. */
  flush() { return this.ops.drain ? this.ops.drain() : Promise.resolve(); }

  /** True while a read() waits or a "data" listener is installed (drivers may poll only then). */
  get hasReaders() { return this.waiters.length > 0 || this.listeners.size > 0; }

  /**
   * For drivers: bytes arrived. "data" listeners and a waiting read() each get
   * them; they are queued for a later read() only when nobody took them.
   */
  received(bytes) {
    if (bytes.length === 0) return;
    for (const cb of this.listeners) cb(bytes);
    const w = this.waiters.shift();
    if (w) { w.resolve(bytes); return; }
    if (this.listeners.size > 0) return;
    if (this.queued + bytes.length > this.maxQueued) { this.overruns += bytes.length; return; }
    this.queue.push(bytes);
    this.queued += bytes.length;
  }
  /** Call `cb(bytes)` for every chunk received. Returns a function that stops it. */
  on(event, cb) {
    if (event !== "data") throw new TypeError(`${this.name}: unknown event "${event}" (only "data")`);
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  /** The next chunk received; rejects with TimeoutError after `timeout` ms if given. */
  read({ timeout } = {}) {
    const chunk = this.queue.shift();
    if (chunk) { this.queued -= chunk.length; return Promise.resolve(chunk); }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      if (timeout !== undefined) {
        w.timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          reject(new TimeoutError(`timed out after ${timeout} ms waiting for data on ${this.name}`));
        }, timeout);
        w.resolve = (v) => { clearTimeout(w.timer); resolve(v); };
      }
      this.waiters.push(w);
    });
  }
  /** Read until `n` bytes arrived; rejects with TimeoutError after `timeout` ms overall. */
  async readExactly(n, { timeout } = {}) {
    const out = new Uint8Array(n);
    let got = 0;
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    while (got < n) {
      const left = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
      const chunk = await this.read({ timeout: left });
      if (chunk === null) throw new Error(`${this.name}: closed after ${got} of ${n} bytes`);
      const take = Math.min(chunk.length, n - got);
      out.set(chunk.subarray(0, take), got);
      got += take;
      if (take < chunk.length) { this.queue.unshift(chunk.subarray(take)); this.queued += chunk.length - take; }
    }
    return out;
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }
  /** Stop reading: pending reads resolve with null. */
  close() {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve(null);
  }
}
