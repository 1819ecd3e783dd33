// jsk:hal/device — what a driver receives: a Device with register windows,
// DMA memory and interrupts, whichever backend (fake, mem, qtest, vfio) made it.

import * as sys from "jsk:sys";
import { readable, watch, setInterval, clearInterval } from "jsk:loop";
import { TimeoutError } from "jsk:loop";

/** Zeroed memory the device can reach by DMA. */
export class Dma {
  constructor(buffer, iova, release) {
    /** The bytes, for typed arrays and DataViews. */
    this.buffer = buffer;
    /** The address the device uses (BigInt). */
    this.iova = iova;
    this.size = buffer.byteLength;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this._release = release;
  }
  /** Give the memory back now (otherwise it goes when collected). The device must no longer use it. */
  free() {
    if (!this.buffer) return;
    const b = this.buffer;
    this.buffer = this.bytes = this.view = null;
    b.transfer?.(0);
    this._release?.();
  }
}

/**
 * One interrupt line, delivered through the event loop. Backed by an eventfd
 * that the backend signals (VFIO, qtest IRQ lines, or a fake device).
 */
export class Irq {
  constructor(name, fd, { unmask } = {}) {
    this.name = name;
    this.fd = fd;
    this.unmaskFn = unmask;
    this.watcher = null;
    this.pending = 0n;
  }
  /** Consume the count of interrupts signalled so far (0n if none). */
  take() {
    try {
      return sys.eventfdRead(this.fd);
    } catch (e) {
      if (e.code === "EAGAIN") return 0n;
      throw e;
    }
  }
  /**
   * Resolve with the number of interrupts (BigInt) once at least one arrived;
   * reject with TimeoutError naming the IRQ after `timeout` ms.
   */
  async wait({ timeout } = {}) {
    const n = this.take();
    if (n > 0n) return n;
    try {
      await readable(this.fd, { timeout });
    } catch (e) {
      if (e instanceof TimeoutError) throw new TimeoutError(`timed out after ${timeout} ms waiting for interrupt ${this.name}`);
      throw e;
    }
    return this.take();
  }
  /**
   * Wait for interrupts until `condition()` holds (checked first, then after
   * each interrupt); TimeoutError "timed out after {ms} ms waiting for {what}"
   * when the deadline passes. The usual shape of an interrupt-driven wait:
   * `await irq.until(() => regs.ISR.DONE.isSet(), { ms: 100, what: "DMA done" })`.
   */
  async until(condition, { ms, what } = {}) {
    if (!Number.isFinite(ms) || typeof what !== "string") throw new TypeError(`${this.name}: until() needs { ms, what }`);
    const deadline = performance.now() + ms;
    for (;;) {
      if (condition()) return;
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError(`timed out after ${ms} ms waiting for ${what}`);
      try {
        await this.wait({ timeout: Math.ceil(left) });
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
      }
    }
  }
  /** Call `handler(count)` on every interrupt until `off()`. */
  on(handler) {
    this.off();
    this.watcher = watch(this.fd, sys.EPOLLIN, () => {
      const n = this.take();
      if (n > 0n) handler(n);
    });
    return this;
  }
  off() {
    this.watcher?.close();
    this.watcher = null;
  }
  /** Let the process exit while a handler is installed. */
  unref() { this.watcher?.unref(); return this; }
  /** Keep the process alive while a handler is installed (the default). */
  ref() { this.watcher?.ref(); return this; }
  /** Re-enable a level-triggered line after the device was serviced (VFIO INTx); a no-op where not needed. */
  unmask() { this.unmaskFn?.(); }
}

/**
 * Run `handler` on every interrupt of `irq`, or every `pollMs` when the device
 * has no interrupt line (`irq` null), between start() and stop(). While
 * started it keeps the process alive, as a pending wait should.
 */
export class IrqOrPoll {
  constructor(irq, pollMs, handler) {
    this.irq = irq;
    this.pollMs = pollMs;
    this.handler = handler;
    this.timer = null;
    this.active = false;
  }
  start() {
    if (this.active) return;
    this.active = true;
    if (this.irq) this.irq.on(this.handler);
    else this.timer = setInterval(this.handler, this.pollMs);
  }
  stop() {
    this.active = false;
    this.irq?.off();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * The object a driver's probe() receives. Backends build it from:
 * `{ name, bus, ids, regions: [{ index, name, space, region }], config,
 *    irqs: [{ fd, unmask }], irqKind, dma(size, align) -> [ArrayBuffer, iova],
 *    busMaster(on), release() }`.
 */
export class Device {
  constructor(desc) {
    this.name = desc.name;
    /** "pci" or "platform". */
    this.bus = desc.bus;
    /** PCI: vendor, device, class, subsystem, address. Platform: compatible, address. */
    Object.assign(this, desc.ids ?? {});
    this.regionsByIndex = new Map();
    this.regionsByName = new Map();
    for (const r of desc.regions ?? []) {
      if (r.index !== undefined) this.regionsByIndex.set(r.index, r);
      if (r.name !== undefined) this.regionsByName.set(r.name, r);
    }
    this.config = desc.config;
    this.irqSpecs = desc.irqs ?? [];
    /** How interrupts arrive: "msix" or "msi" (VFIO vectors: edge, one per source), "intx" (VFIO), "line" (qtest, fake, platform) or "none". */
    this.irqKind = desc.irqKind ?? (this.irqSpecs.length ? "line" : "none");
    this.irqs = new Map();
    this.dmaAlloc = desc.dma;
    this.busMasterFn = desc.busMaster;
    this.releaseFns = [];
    if (desc.release) this.releaseFns.push(desc.release);
    this.dmaBuffers = new Set();
  }
  region(key, space) {
    const r = typeof key === "number" ? this.regionsByIndex.get(key) : this.regionsByName.get(key);
    if (!r) throw new Error(`${this.name}: no ${typeof key === "number" ? `region ${key}` : `region "${key}"`}`);
    if (space && r.region.space !== space)
      throw new Error(`${this.name}: region ${key} is ${r.region.space === "io" ? "port I/O" : "memory-mapped"}, not ${space === "io" ? "port I/O" : "memory-mapped"}`);
    return r.region;
  }
  /** Whether the device has region `key` (BAR index or name). */
  hasRegion(key) { return (typeof key === "number" ? this.regionsByIndex : this.regionsByName).has(key); }
  /** How many interrupts the device has. */
  get irqCount() { return this.irqSpecs.length; }
  /** PCI BAR `i` (memory or port I/O). */
  bar(i) { return this.region(i); }
  /** A port I/O window (by index or name). */
  io(key = 0) { return this.region(key, "io"); }
  /** A memory-mapped window of a platform device (by name or index). */
  mmio(key = 0) { return this.region(key, "mem"); }
  /** Interrupt `i` of the device. */
  irq(i = 0) {
    let irq = this.irqs.get(i);
    if (!irq) {
      const spec = this.irqSpecs[i];
      if (!spec) throw new Error(`${this.name}: no interrupt ${i}`);
      irq = new Irq(`${this.name}#${i}`, spec.fd, spec);
      this.irqs.set(i, irq);
    }
    return irq;
  }
  /** Zeroed DMA memory: { buffer, iova, size, bytes, view, free() }. */
  dma(size, { align = 64 } = {}) {
    if (!this.dmaAlloc) throw new Error(`${this.name}: this backend has no DMA memory`);
    const [buffer, iova] = this.dmaAlloc(size, align);
    const d = new Dma(buffer, iova, () => this.dmaBuffers.delete(d));
    this.dmaBuffers.add(d);
    return d;
  }
  /** Let the device master the bus (DMA). Off again in release(). */
  enableBusMaster() { this.busMasterFn?.(true); }
  disableBusMaster() { this.busMasterFn?.(false); }
  /** Run `fn` when the device is released (exit, remove, failed probe). */
  onRelease(fn) { this.releaseFns.push(fn); }
  /** Leave the device quiet: handlers off, bus mastering off, release hooks run (newest first). */
  release() {
    for (const irq of this.irqs.values()) irq.off();
    const errors = [];
    try { this.disableBusMaster(); } catch (e) { errors.push(e); }
    for (const fn of this.releaseFns.splice(0).reverse()) {
      try { fn(); } catch (e) { errors.push(e); }
    }
    if (errors.length) throw errors[0];
  }
}
