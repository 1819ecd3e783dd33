// jsk:linux/gpio — hal Pins over Linux's GPIO character device, uAPI v2
// (/dev/gpiochipN; include/uapi/linux/gpio.h, Documentation/userspace-api/gpio/),
// in JavaScript over jsk:sys's ioctl. No sysfs (/sys/class/gpio is deprecated
// and absent from current kernels), no global GPIO numbers: a line is a chip
// and an offset (or the line's name), on every board alike, the Raspberry Pi
// 5 (whose header pins sit behind RP1, chip label "pinctrl-rp1") included.
//
//   import { openGpioChip } from "jsk:linux";
//   const chip = openGpioChip({ label: "pinctrl-rp1" });      // or openGpioChip(0), or a path
//   const led = chip.pin("GPIO17").intoOutput();
//   const button = chip.pin(27, { bias: "pull-up", debounceUs: 5000 }).intoInput();
//   button.on("edge", ({ edge, timestampNs, lineSeqno }) => ..., { edge: "falling" });
//
// A line is requested (GPIO_V2_GET_LINE_IOCTL) when the pin first gets a
// direction or is first read, so intoOutput(level) requests it as an output
// already driving that level (no glitch). Edge events are read from the
// line's file descriptor in the event loop; each carries the kernel's
// timestamp (CLOCK_MONOTONIC, ns, a BigInt) and sequence numbers, and a gap
// in the line's sequence (the kernel's event buffer overflowed) is counted in
// `pin.lostEdges`.

import * as sys from "jsk:sys";
import { watch } from "jsk:loop";
import { Pin, EdgeSubscribers } from "jsk:hal/gpio";
import { ioctlOwn } from "jsk:linux/bytes";

const GPIO_IOC = 0xb4;
// Structure sizes, as sizeof gives them for the 6.1 headers (hal-js/linux.test.js checks the
// request numbers built from them).
const CHIPINFO_SIZE = 68;
const LINEINFO_SIZE = 256;
const REQUEST_SIZE = 592;
const CONFIG_SIZE = 272;
const VALUES_SIZE = 16;
const EVENT_SIZE = 48;
export const GPIO_GET_CHIPINFO_IOCTL = sys._IOR(GPIO_IOC, 0x01, CHIPINFO_SIZE);
export const GPIO_V2_GET_LINEINFO_IOCTL = sys._IOWR(GPIO_IOC, 0x05, LINEINFO_SIZE);
export const GPIO_V2_GET_LINE_IOCTL = sys._IOWR(GPIO_IOC, 0x07, REQUEST_SIZE);
export const GPIO_V2_LINE_SET_CONFIG_IOCTL = sys._IOWR(GPIO_IOC, 0x0d, CONFIG_SIZE);
export const GPIO_V2_LINE_GET_VALUES_IOCTL = sys._IOWR(GPIO_IOC, 0x0e, VALUES_SIZE);
export const GPIO_V2_LINE_SET_VALUES_IOCTL = sys._IOWR(GPIO_IOC, 0x0f, VALUES_SIZE);

export const LINE_FLAG = Object.freeze({
  USED: 1 << 0,
  ACTIVE_LOW: 1 << 1,
  INPUT: 1 << 2,
  OUTPUT: 1 << 3,
  EDGE_RISING: 1 << 4,
  EDGE_FALLING: 1 << 5,
  OPEN_DRAIN: 1 << 6,
  OPEN_SOURCE: 1 << 7,
  BIAS_PULL_UP: 1 << 8,
  BIAS_PULL_DOWN: 1 << 9,
  BIAS_DISABLED: 1 << 10,
  EVENT_CLOCK_REALTIME: 1 << 11,
});
const ATTR_ID = { FLAGS: 1, OUTPUT_VALUES: 2, DEBOUNCE: 3 };
const EVENT_ID = { RISING: 1, FALLING: 2 };
/** The kernel's largest event buffer for a one-line request (GPIO_V2_LINES_MAX * 16). */
const MAX_EVENT_BUFFER = 1024;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BIAS = { "as-is": 0, "pull-up": LINE_FLAG.BIAS_PULL_UP, "pull-down": LINE_FLAG.BIAS_PULL_DOWN, disabled: LINE_FLAG.BIAS_DISABLED };
const DRIVE = { "push-pull": 0, "open-drain": LINE_FLAG.OPEN_DRAIN, "open-source": LINE_FLAG.OPEN_SOURCE };

function cString(bytes) {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * A struct gpio_v2_line_config for one line: direction, bias, drive, edges,
 * the output value and the debounce period as attributes. Exported for tests.
 */
export function encodeLineConfig(view, at, { dir, bias = "as-is", drive = "push-pull", activeLow = false, rising = false, falling = false, level = false, debounceUs = 0, realtime = false }) {
  let flags = 0;
  if (dir === "in") flags |= LINE_FLAG.INPUT;
  if (dir === "out") flags |= LINE_FLAG.OUTPUT;
  if (activeLow) flags |= LINE_FLAG.ACTIVE_LOW;
  // The kernel takes bias with a direction only, drive with output only, edges with input only.
  if (dir) flags |= BIAS[bias];
  if (dir === "out") flags |= DRIVE[drive];
  if (dir === "in") {
    if (rising) flags |= LINE_FLAG.EDGE_RISING;
    if (falling) flags |= LINE_FLAG.EDGE_FALLING;
    if ((rising || falling) && realtime) flags |= LINE_FLAG.EVENT_CLOCK_REALTIME;
  }
  for (let i = 0; i < CONFIG_SIZE; i++) view.setUint8(at + i, 0);
  view.setBigUint64(at, BigInt(flags), LE);
  let attrs = 0;
  const attr = (id, value) => {
    const a = at + 32 + attrs * 24;
    view.setUint32(a, id, LE);
    view.setBigUint64(a + 8, BigInt(value), LE);
    view.setBigUint64(a + 16, 1n, LE);            // mask: line 0 of the request
    attrs++;
  };
  if (dir === "out") attr(ATTR_ID.OUTPUT_VALUES, level ? 1 : 0);
  if (dir === "in" && debounceUs > 0) attr(ATTR_ID.DEBOUNCE, debounceUs);
  view.setUint32(at + 8, attrs, LE);
  return flags;
}

/** The events in `bytes` (struct gpio_v2_line_event, 48 bytes each). Exported for tests. */
export function decodeEvents(bytes, count) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let i = 0; i < count; i++) {
    const at = i * EVENT_SIZE;
    out.push({
      timestampNs: v.getBigUint64(at, LE),
      id: v.getUint32(at + 8, LE),
      offset: v.getUint32(at + 12, LE),
      seqno: v.getUint32(at + 16, LE),
      lineSeqno: v.getUint32(at + 20, LE),
    });
  }
  return out;
}

function checkOptions(name, { bias = "as-is", drive = "push-pull", activeLow = false, debounceUs = 0, eventBufferSize = MAX_EVENT_BUFFER, clock = "monotonic" }) {
  if (!Object.hasOwn(BIAS, bias)) throw new RangeError(`${name}: bias must be ${Object.keys(BIAS).join(", ")}`);
  if (!Object.hasOwn(DRIVE, drive)) throw new RangeError(`${name}: drive must be ${Object.keys(DRIVE).join(", ")}`);
  if (typeof activeLow !== "boolean") throw new TypeError(`${name}: activeLow must be true or false`);
  if (!Number.isInteger(debounceUs) || debounceUs < 0 || debounceUs > 0xffffffff) throw new RangeError(`${name}: debounceUs must be a whole number of microseconds`);
  if (!Number.isInteger(eventBufferSize) || eventBufferSize < 1 || eventBufferSize > MAX_EVENT_BUFFER) throw new RangeError(`${name}: eventBufferSize must be 1..${MAX_EVENT_BUFFER}`);
  if (clock !== "monotonic" && clock !== "realtime") throw new RangeError(`${name}: clock is "monotonic" or "realtime"`);
  return { bias, drive, activeLow, debounceUs, eventBufferSize, realtime: clock === "realtime" };
}

/** One requested line: its fd, configuration and edge subscribers. */
class Line {
  constructor(chip, offset, name, options, consumer) {
    this.chip = chip;
    this.offset = offset;
    this.name = name;
    this.options = options;
    this.consumer = consumer;
    this.fd = -1;
    this.dir = undefined;
    this.level = false;
    // The line's edge subscribers (one line: index 0): a change asks the kernel for the
    // edges they want (requesting the line if need be); the first starts reading events.
    this.closed = false;
    this.subs = new EdgeSubscribers({
      configure: () => { if (!this.closed) this.apply(); },
      start: () => { this.watcher = watch(this.fd, sys.EPOLLIN, () => this.drain()); },
      stop: () => { this.watcher?.close(); this.watcher = null; },
    });
    this.watcher = null;
    this.lost = 0;
    this.lastLineSeqno = 0;
    this.values = new DataView(new ArrayBuffer(VALUES_SIZE));
    this.eventBuf = new Uint8Array(EVENT_SIZE * 16);
  }

  /** Request the line (first use) or change its configuration. */
  apply() {
    const cfg = { dir: this.dir, level: this.level, ...this.options, ...this.subs.edgesOf(0) };
    if (this.fd < 0) {
      const req = new DataView(new ArrayBuffer(REQUEST_SIZE));
      req.setUint32(0, this.offset, LE);
      const c = new TextEncoder().encode(this.consumer).subarray(0, 31);
      new Uint8Array(req.buffer, 256, 32).set(c);
      encodeLineConfig(req, 288, cfg);
      req.setUint32(560, 1, LE);
      req.setUint32(564, this.options.eventBufferSize, LE);
      try {
        sys.ioctl(this.chip.fd, GPIO_V2_GET_LINE_IOCTL, req);
      } catch (e) {
        if (e.code === "EBUSY") e.message += ` (line ${this.offset} of ${this.chip.path} is held by "${this.chip.lineInfo(this.offset).consumer}")`;
        throw e;
      }
      this.fd = req.getInt32(588, LE);
      sys.fcntl(this.fd, sys.F_SETFL, sys.O_NONBLOCK);
      return;
    }
    const v = new DataView(new ArrayBuffer(CONFIG_SIZE));
    encodeLineConfig(v, 0, cfg);
    sys.ioctl(this.fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, v);
  }

  write(high) {
    this.level = high;
    if (this.dir !== "out" || this.fd < 0) return;
    this.values.setBigUint64(0, high ? 1n : 0n, LE);
    this.values.setBigUint64(8, 1n, LE);
    ioctlOwn(this.fd, GPIO_V2_LINE_SET_VALUES_IOCTL, this.values);
  }

  read() {
    if (this.fd < 0) this.apply();                  // requested as it is: no direction change
    this.values.setBigUint64(0, 0n, LE);
    this.values.setBigUint64(8, 1n, LE);
    ioctlOwn(this.fd, GPIO_V2_LINE_GET_VALUES_IOCTL, this.values);
    return (this.values.getBigUint64(0, LE) & 1n) === 1n;
  }

  direction(dir) {
    if (dir === "out" && this.subs.size) throw new TypeError(`${this.name}: has edge subscribers; an output reports no edges`);
    this.dir = dir;
    this.apply();
  }

  edges(edge, cb) {
    if (this.dir === "out") throw new TypeError(`${this.name}: is an output; make it an input to watch its edges`);
    this.dir = "in";
    return this.subs.subscribe(0, edge, cb);
  }

  /** Read every queued event (the fd is non-blocking) and hand each to the subscribers. */
  drain() {
    for (;;) {
      let n;
      try {
        n = sys.read(this.fd, this.eventBuf);
      } catch (e) {
        if (e.code === "EAGAIN") return;
        throw e;
      }
      if (n <= 0) return;
      for (const ev of decodeEvents(this.eventBuf, Math.floor(n / EVENT_SIZE))) {
        // line_seqno counts from 1 for the request: a gap (even before the first event read) is events the kernel dropped.
        if (ev.lineSeqno > this.lastLineSeqno + 1) this.lost += ev.lineSeqno - this.lastLineSeqno - 1;
        this.lastLineSeqno = ev.lineSeqno;
        const info = { timestampNs: ev.timestampNs, seqno: ev.seqno, lineSeqno: ev.lineSeqno };
        this.subs.deliver(0, ev.id === EVENT_ID.RISING, info);
      }
      if (n < this.eventBuf.length) return;
    }
  }

  close() {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    this.subs.clear();
    if (this.fd >= 0) { const fd = this.fd; this.fd = -1; sys.close(fd); }
  }
}

class GpioChip {
  // Private: a program must not swap the fd or reach the lines' buffers.
  #fd;
  #requested = new Map();
  #pins = new Map();
  constructor(path, fd) {
    this.path = path;
    this.#fd = fd;
    const info = new Uint8Array(CHIPINFO_SIZE);
    sys.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, info);
    this.name = cString(info.subarray(0, 32));
    this.label = cString(info.subarray(32, 64));
    this.lines = new DataView(info.buffer).getUint32(64, LE);
  }

  /** The chip's file descriptor (-1 once closed). */
  get fd() { return this.#fd; }

  checkOffset(offset) {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.lines)
      throw new RangeError(`${this.name} (${this.label}): no line ${String(offset)} (it has 0..${this.lines - 1})`);
  }

  /** What the kernel says of a line: { offset, name, consumer, used, direction, activeLow, bias, drive, edges }. */
  lineInfo(offset) {
    this.checkOffset(offset);
    const v = new DataView(new ArrayBuffer(LINEINFO_SIZE));
    v.setUint32(64, offset, LE);
    sys.ioctl(this.#fd, GPIO_V2_GET_LINEINFO_IOCTL, v);
    const bytes = new Uint8Array(v.buffer);
    const flags = Number(v.getBigUint64(72, LE));
    const f = (bit) => (flags & bit) !== 0;
    return {
      offset,
      name: cString(bytes.subarray(0, 32)),
      consumer: cString(bytes.subarray(32, 64)),
      used: f(LINE_FLAG.USED),
      direction: f(LINE_FLAG.OUTPUT) ? "out" : "in",
      activeLow: f(LINE_FLAG.ACTIVE_LOW),
      bias: f(LINE_FLAG.BIAS_PULL_UP) ? "pull-up" : f(LINE_FLAG.BIAS_PULL_DOWN) ? "pull-down" : f(LINE_FLAG.BIAS_DISABLED) ? "disabled" : "as-is",
      drive: f(LINE_FLAG.OPEN_DRAIN) ? "open-drain" : f(LINE_FLAG.OPEN_SOURCE) ? "open-source" : "push-pull",
      edges: f(LINE_FLAG.EDGE_RISING) && f(LINE_FLAG.EDGE_FALLING) ? "both" : f(LINE_FLAG.EDGE_RISING) ? "rising" : f(LINE_FLAG.EDGE_FALLING) ? "falling" : "none",
    };
  }

  /** The offset of the line called `name` (what the board's device tree names it, e.g. "GPIO17"). */
  lineOffset(name) {
    for (let i = 0; i < this.lines; i++) if (this.lineInfo(i).name === name) return i;
    throw new RangeError(`${this.name} (${this.label}): no line named "${name}"`);
  }

  /**
   * The hal Pin for a line (an offset or a line name), the same object each
   * time. Options, fixed for the pin's life: bias ("as-is", "pull-up",
   * "pull-down", "disabled"), drive ("push-pull", "open-drain",
   * "open-source"), activeLow, debounceUs, eventBufferSize (events the
   * kernel keeps before it drops, 1..1024), clock ("monotonic" or
   * "realtime" for event timestamps), consumer (the label other programs see).
   * Options count at the first call for a line; later calls return that pin.
   */
  pin(line, options = {}) {
    if (this.#fd < 0) throw new Error(`${this.path}: closed`);
    const offset = typeof line === "string" ? this.lineOffset(line) : line;
    this.checkOffset(offset);
    const existing = this.#pins.get(offset);
    if (existing) return existing;
    const lineName = typeof line === "string" ? line : `${this.name}.${offset}`;
    const l = new Line(this, offset, lineName, checkOptions(lineName, options), options.consumer ?? "jsk");
    this.#requested.set(offset, l);
    const pin = new Pin(lineName, {
      write: (high) => l.write(high),
      read: () => l.read(),
      direction: (dir) => l.direction(dir),
      edges: (edge, cb) => l.edges(edge, cb),
    });
    Object.defineProperty(pin, "lostEdges", { get: () => l.lost, enumerable: true });
    pin.release = () => { l.close(); this.#requested.delete(offset); this.#pins.delete(offset); };
    this.#pins.set(offset, pin);
    return pin;
  }

  /** Release every line and close the chip. */
  close() {
    for (const l of this.#requested.values()) l.close();
    this.#requested.clear();
    this.#pins.clear();
    if (this.#fd >= 0) { const fd = this.#fd; this.#fd = -1; sys.close(fd); }
  }
}

function chipPath(which) {
  if (Number.isInteger(which) && which >= 0) return `/dev/gpiochip${which}`;
  if (typeof which === "string" && which) return which;
  throw new TypeError(`openGpioChip: give a chip number, a /dev/gpiochipN path or { label }, not ${String(which)}`);
}

/** The gpiochip files under /dev, in number order. */
export function gpioChips() {
  let names;
  try { names = sys.readdir("/dev"); } catch { return []; }
  return names.filter((n) => /^gpiochip\d+$/.test(n))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8))).map((n) => `/dev/${n}`);
}

/**
 * Open a GPIO chip: a number N (/dev/gpiochipN), a path, or { label } to
 * find the chip whose driver calls itself that ("pinctrl-rp1" on a Pi 5,
 * "pinctrl-bcm2711" on a Pi 4, "pinctrl-bcm2835" on a Pi 3).
 * @throws SysError when the file cannot be opened (EACCES: its permissions); Error when no chip has the label.
 */
export function openGpioChip(which) {
  if (which !== null && typeof which === "object" && typeof which.label === "string") {
    const seen = [];
    for (const path of gpioChips()) {
      let fd;
      try { fd = sys.open(path, sys.O_RDWR | sys.O_CLOEXEC); } catch { continue; }
      let chip;
      try { chip = new GpioChip(path, fd); } catch { sys.close(fd); continue; }
      if (chip.label === which.label) return chip;
      seen.push(`${chip.name} "${chip.label}"`);
      chip.close();
    }
    throw new Error(`openGpioChip: no GPIO chip labelled "${which.label}" (found: ${seen.join(", ") || "none"})`);
  }
  const path = chipPath(which);
  const fd = sys.open(path, sys.O_RDWR | sys.O_CLOEXEC);
  try {
    return new GpioChip(path, fd);
  } catch (e) {
    sys.close(fd);
    throw e;
  }
}
