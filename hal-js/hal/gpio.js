// jsk:hal/gpio — Pin, named after embedded-hal 1.0 (OutputPin, InputPin,
// StatefulOutputPin) and embedded-hal-async's Wait, in camelCase.
//
// A GPIO controller driver makes pins from small per-pin operations:
//   new Pin("gpio0.3", { write(level), read(), direction(dir), edges(kind, cb) -> unsubscribe })
// and every level a Pin drives is recorded for `--trace-vcd`.

import { trace } from "jsk:hal/trace";
import { TimeoutError } from "jsk:loop";
import { setTimeout, clearTimeout } from "jsk:loop";

function levelOf(state) {
  if (state === true || state === 1 || state === "high") return true;
  if (state === false || state === 0 || state === "low") return false;
  throw new TypeError(`pin state must be true/false, 1/0 or "high"/"low", not ${String(state)}`);
}

export class Pin {
  constructor(name, ops) {
    this.name = name;
    this.ops = ops;
    this.driven = undefined;
    this.dir = undefined;
  }
  /**
   * Make the pin an output driving `initial` (default low). The level is
   * written before the direction changes, so the pin never glitches, and again
   * after, for controllers that ignore data writes to input pins (PL061).
   */
  intoOutput(initial = false) {
    this.setState(initial);
    this.ops.direction("out");
    this.dir = "out";
    this.setState(initial);
    return this;
  }
  /** Make the pin an input (the safe state). */
  intoInput() {
    this.ops.direction("in");
    this.dir = "in";
    return this;
  }
  setHigh() { this.setState(true); }
  setLow() { this.setState(false); }
  /** Drive `state` (true/false, 1/0, "high"/"low"). */
  setState(state) {
    const level = levelOf(state);
    this.ops.write(level);
    this.driven = level;
    trace.level(this.name, level);
  }
  toggle() { this.setState(!this.isSetHigh()); }
  /** The level last driven (StatefulOutputPin). */
  isSetHigh() { return this.driven ?? this.ops.read(); }
  isSetLow() { return !this.isSetHigh(); }
  /** The level on the pin now (InputPin). */
  isHigh() { return this.ops.read(); }
  isLow() { return !this.ops.read(); }
  /**
   * Call `cb({ pin, level, edge })` on each edge ("rising", "falling" or "both"),
   * with what the controller adds (Linux's gpio-cdev: `timestampNs`, `seqno`, `lineSeqno`).
   * Returns a function that stops it. Throws if the controller has no edge interrupts.
   */
  on(event, cb, { edge = "both" } = {}) {
    if (event !== "edge") throw new TypeError(`${this.name}: unknown event "${event}" (only "edge")`);
    if (!this.ops.edges) throw new TypeError(`${this.name}: this GPIO controller cannot report edges`);
    if (!["rising", "falling", "both"].includes(edge)) throw new TypeError(`${this.name}: edge must be rising, falling or both`);
    // A controller may add what it knows of the edge (gpio-cdev: timestampNs, seqno, lineSeqno).
    return this.ops.edges(edge, (level, info) => cb({ ...info, pin: this, level, edge: level ? "rising" : "falling" }));
  }
  waitForRisingEdge(opts) { return this.waitEdge("rising", opts); }
  waitForFallingEdge(opts) { return this.waitEdge("falling", opts); }
  waitForAnyEdge(opts) { return this.waitEdge("both", opts); }
  async waitForHigh(opts) { if (!this.isHigh()) await this.waitEdge("rising", opts); }
  async waitForLow(opts) { if (!this.isLow()) await this.waitEdge("falling", opts); }
  /** Resolves with the edge; rejects with TimeoutError after `timeout` ms (required). */
  waitEdge(edge, { timeout } = {}) {
    if (!Number.isFinite(timeout)) throw new TypeError(`${this.name}: waiting for an edge needs { timeout }`);
    return new Promise((resolve, reject) => {
      const stop = this.on("edge", (e) => { clearTimeout(timer); stop(); resolve(e); }, { edge });
      const timer = setTimeout(() => {
        stop();
        reject(new TimeoutError(`timed out after ${timeout} ms waiting for a ${edge} edge on ${this.name}`));
      }, timeout);
    });
  }
}

/**
 * The edge subscriptions of a GPIO controller's lines, for drivers: which
 * edges each line needs (to program the hardware), and delivery of events to
 * the subscribers. `configure(line)` is called when a line's wanted edges
 * change; `start()`/`stop()` when the first subscriber comes and the last goes.
 */
export class EdgeSubscribers {
  constructor({ configure, start, stop }) {
    this.hooks = { configure, start, stop };
    this.subs = new Set(); // { line, edge, cb }
  }
  get size() { return this.subs.size; }
  /** Add a subscriber; returns the function that removes it. */
  subscribe(line, edge, cb) {
    const sub = { line, edge, cb };
    this.subs.add(sub);
    this.hooks.configure(line);
    if (this.subs.size === 1) this.hooks.start();
    return () => {
      if (!this.subs.delete(sub)) return;
      this.hooks.configure(line);
      if (this.subs.size === 0) this.hooks.stop();
    };
  }
  /** The edges subscribers of `line` want: { rising, falling }. */
  edgesOf(line) {
    let rising = false, falling = false;
    for (const s of this.subs) {
      if (s.line !== line) continue;
      if (s.edge !== "falling") rising = true;
      if (s.edge !== "rising") falling = true;
    }
    return { rising, falling };
  }
  /**
   * An edge happened on `line`, whose level is now `levelNow`. With one kind
   * of edge enabled it is that one; with both, the level says which. `info`
   * (what the controller knows of the edge: a timestamp) goes to each subscriber.
   */
  deliver(line, levelNow, info) {
    const { rising, falling } = this.edgesOf(line);
    const high = rising && falling ? levelNow : rising;
    for (const s of [...this.subs]) {
      if (s.line === line && (s.edge === "both" || s.edge === (high ? "rising" : "falling"))) s.cb(high, info);
    }
  }
  clear() { this.subs.clear(); }
}
