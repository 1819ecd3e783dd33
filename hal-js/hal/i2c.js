// jsk:hal/i2c — I2c, named after embedded-hal 1.0's I2c trait (and
// embedded-hal-async's: every call returns a promise), in camelCase.
//
// A controller driver makes the bus from one operation:
//   new I2c("i2c0", { transaction(address, segments) -> undefined | Promise<void> })
// where `segments` is what the wire carries between START and STOP: an
// array of { read: Uint8Array } (to fill) and { write: Uint8Array }, never
// two of the same kind in a row (adjacent operations of one kind are merged
// here, as embedded-hal's transaction contract says: no repeated START
// between them). A failure is an I2cError whose `kind` is embedded-hal's
// ErrorKind: "NoAcknowledge" (with `source` "Address", "Data" or "Unknown"),
// "ArbitrationLoss", "Bus", "Overrun" or "Other".
//
// Transactions on one bus never interleave: each waits for the one before.
//
// Device drivers take an I2cClient, a bus and a 7-bit address
// (Linux's i2c_client): `bind(lm75, i2c.client(0x48, { compatible: ["ti,tmp105"] }))`.

export const ErrorKind = Object.freeze({
  Bus: "Bus",
  ArbitrationLoss: "ArbitrationLoss",
  NoAcknowledge: "NoAcknowledge",
  Overrun: "Overrun",
  Other: "Other",
});

/** Which part of the transfer was not acknowledged (embedded-hal's NoAcknowledgeSource). */
export const NoAcknowledgeSource = Object.freeze({ Address: "Address", Data: "Data", Unknown: "Unknown" });

/** An I2C transfer that failed on the bus. `kind` and `source` follow embedded-hal's ErrorKind. */
export class I2cError extends Error {
  constructor(message, kind, { source, address, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    if (!Object.hasOwn(ErrorKind, kind)) throw new TypeError(`I2cError: unknown kind ${String(kind)}`);
    this.name = "I2cError";
    this.kind = kind;
    if (kind === ErrorKind.NoAcknowledge) this.source = source ?? NoAcknowledgeSource.Unknown;
    if (address !== undefined) this.address = address;
  }
}

/** The largest transfer one segment may carry (Linux's struct i2c_msg has a 16-bit length). */
export const MAX_SEGMENT = 0xffff;

const hex = (v) => `0x${v.toString(16).padStart(2, "0")}`;

function checkAddress(bus, address) {
  if (!Number.isInteger(address) || address < 0 || address > 0x7f)
    throw new RangeError(`${bus}: I2C address ${String(address)} is not a 7-bit address (0..0x7f)`);
}

const whatOf = (what, index) => (index === undefined ? what : `${what}: operation ${index}`);

/**
 * Bytes to send: a Uint8Array (used as is), an ArrayBuffer, another view, or
 * an array of integers 0..255. `what` (and operation `index`) name it in errors.
 */
export function bytesOf(data, what, index) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new RangeError(`${whatOf(what, index)}: byte ${i} is ${String(b)}, not an integer 0..255`);
      out[i] = b;
    }
    return out;
  }
  throw new TypeError(`${whatOf(what, index)}: bytes must be a Uint8Array, an ArrayBuffer or an array of integers, not ${data === null ? "null" : typeof data}`);
}

/** A buffer to read into: a length (a new Uint8Array) or a Uint8Array to fill. */
export function bufferOf(target, what, index) {
  if (target instanceof Uint8Array) return target;
  if (Number.isInteger(target) && target >= 0 && target <= MAX_SEGMENT) return new Uint8Array(target);
  throw new TypeError(`${whatOf(what, index)}: give a length (0..${MAX_SEGMENT}) or a Uint8Array to read into, not ${String(target)}`);
}

/**
 * Normalise embedded-hal operations ({ read: n | Uint8Array } / { write: bytes })
 * into wire segments: adjacent operations of one kind merged. Returns
 * { segments, reads, scatter } where `reads` are the caller's buffers in order
 * and `scatter()` copies merged reads back into them. Plain loops: this runs
 * for every transaction.
 */
function segmentsOf(name, operations) {
  if (!Array.isArray(operations)) throw new TypeError(`${name}: operations must be an array of { read } / { write }`);
  const segments = [];
  const reads = [];
  let parts = null;           // segment index -> the buffers merged into it
  let lastKind = "";
  for (let i = 0; i < operations.length; i++) {
    const op = operations[i];
    const isRead = op !== null && typeof op === "object" && op.read !== undefined;
    const isWrite = op !== null && typeof op === "object" && op.write !== undefined;
    if (isRead === isWrite) throw new TypeError(`${name}: operation ${i} must have exactly one of read or write`);
    const kind = isRead ? "read" : "write";
    const buf = isRead ? bufferOf(op.read, name, i) : bytesOf(op.write, name, i);
    if (isRead) reads.push(buf);
    if (kind === lastKind) {
      const at = segments.length - 1;
      parts ??= new Map();
      if (!parts.has(at)) parts.set(at, [segments[at][kind]]);
      parts.get(at).push(buf);
    } else {
      segments.push(isRead ? { read: buf } : { write: buf });
      lastKind = kind;
    }
  }
  let scatterList = null;
  if (parts) {
    for (const [at, buffers] of parts) {
      const kind = segments[at].read ? "read" : "write";
      let length = 0;
      for (const b of buffers) length += b.length;
      const joined = new Uint8Array(length);
      if (kind === "write") {
        let off = 0;
        for (const b of buffers) { joined.set(b, off); off += b.length; }
      } else {
        (scatterList ??= []).push({ joined, buffers });
      }
      segments[at] = { [kind]: joined };
    }
  }
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k];
    const n = (seg.read ?? seg.write).length;
    if (n > MAX_SEGMENT) throw new RangeError(`${name}: a ${seg.read ? "read" : "write"} of ${n} bytes is more than one transfer carries (${MAX_SEGMENT})`);
    if (seg.read && n === 0) throw new RangeError(`${name}: a read of 0 bytes cannot be made on the wire`);
  }
  const scatter = scatterList === null ? noScatter : () => {
    for (const { joined, buffers } of scatterList) {
      let off = 0;
      for (const b of buffers) { b.set(joined.subarray(off, off + b.length)); off += b.length; }
    }
  };
  return { segments, reads, scatter };
}
const noScatter = () => {};

/**
 * Transactions on one bus one at a time, in order. acquire() is synchronous
 * (no promise) while the bus is free, so an uncontended transaction costs no
 * extra promise jobs; release() hands the bus to the next waiter directly.
 */
export class BusLock {
  constructor() {
    this.busy = false;
    this.waiters = [];
  }
  /** Undefined when the bus was free (now taken), else a promise resolved when it is this caller's. */
  acquire() {
    if (!this.busy) { this.busy = true; return undefined; }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    const next = this.waiters.shift();
    if (next) next();
    else this.busy = false;
  }
  /** Run `fn` (sync or async) holding the lock; resolves with its result. */
  async run(fn) {
    const wait = this.acquire();
    if (wait) await wait;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

const describe = (segments) => segments.map((s) => (s.read ? `read ${s.read.length}` : `write ${s.write.length}`)).join(", ");

export class I2c {
  /**
   * `ops.transaction(address, segments)` carries one transaction on the wire:
   * it returns when done (a synchronous controller) or returns a promise, and
   * throws (or rejects with) an I2cError. Optional
   * `ops.maxSegment` caps a segment's length for this controller.
   */
  constructor(name, ops) {
    if (typeof ops?.transaction !== "function") throw new TypeError(`I2c ${name}: ops.transaction(address, segments) is required`);
    this.name = name;
    this.ops = ops;
    this.lock = new BusLock();
  }

  /** The longest segment (read or write) this controller carries in one transaction. */
  get maxSegment() { return this.ops.maxSegment ?? MAX_SEGMENT; }
  /** The longest read segment (an SMBus controller: 32, or 2 without I2C block reads). */
  get maxRead() { return this.ops.maxRead ?? this.maxSegment; }
  /** The longest write segment, the command byte included. */
  get maxWrite() { return this.ops.maxWrite ?? this.maxSegment; }

  /**
   * Run `fn(bus)` holding the bus: no other transaction comes between the ones `fn` makes
   * through `bus` (an object with this I2c's transaction, read, write and writeRead that
   * do not take the lock again). Use `bus` only inside `fn`.
   */
  exclusive(fn) {
    this.held ??= {
      transaction: (address, operations) => this.carry(address, operations, false),
      read: async (address, target) => (await this.carry(address, [{ read: target }], false))[0],
      write: async (address, bytes) => { await this.carry(address, [{ write: bytes }], false); },
      writeRead: async (address, bytes, target) => (await this.carry(address, [{ write: bytes }, { read: target }], false))[0],
    };
    return this.lock.run(() => fn(this.held));
  }

  /**
   * embedded-hal's transaction: START, the operations (adjacent ones of one
   * kind without a repeated START between them), STOP. Resolves with the read
   * buffers in order.
   */
  transaction(address, operations) { return this.carry(address, operations, true); }

  /** One transaction, taking the bus lock unless the caller holds it (exclusive). */
  async carry(address, operations, lock) {
    checkAddress(this.name, address);
    const { segments, reads, scatter } = segmentsOf(this.name, operations);
    if (segments.length === 0) return [];
    for (let k = 0; k < segments.length; k++) {
      const s = segments[k];
      const n = (s.read ?? s.write).length;
      const max = s.read ? this.maxRead : this.maxWrite;
      if (n > max) throw new RangeError(`${this.name}: a ${s.read ? "read" : "write"} of ${n} bytes is more than this controller carries (${max})`);
    }
    // ops.transaction may finish synchronously (most controllers do: MMIO, ioctls); only a
    // returned promise, or a busy bus, is awaited.
    if (lock) {
      const wait = this.lock.acquire();
      if (wait) await wait;
    }
    try {
      const r = this.ops.transaction(address, segments);
      if (r != null && typeof r.then === "function") await r;
    } catch (e) {
      if (e instanceof I2cError && e.address === undefined) e.address = address;
      if (e instanceof Error && !e.message.startsWith(this.name)) e.message = `${this.name}: ${hex(address)} (${describe(segments)}): ${e.message}`;
      throw e;
    } finally {
      if (lock) this.lock.release();
    }
    scatter();
    return reads;
  }

  /** Read `target` bytes (a length, or a Uint8Array to fill) from `address`; resolves with the bytes. */
  async read(address, target) {
    const [buf] = await this.transaction(address, [{ read: target }]);
    return buf;
  }

  /** Write `bytes` to `address`. A zero-length write only checks that the address is acknowledged. */
  async write(address, bytes) {
    await this.transaction(address, [{ write: bytes }]);
  }

  /** Write `bytes`, then (repeated START) read `target`; resolves with the bytes read. */
  async writeRead(address, bytes, target) {
    const [buf] = await this.transaction(address, [{ write: bytes }, { read: target }]);
    return buf;
  }

  /**
   * Whether a device answers at `address`, the way i2cdetect asks: a one-byte read at
   * 0x30-0x37 and 0x50-0x5f (EEPROMs, some of which a quick write would disturb), a
   * zero-length write elsewhere, a read where the controller cannot make that write.
   * An address a kernel driver holds (Linux's EBUSY, i2cdetect's "UU") counts as present.
   */
  async probe(address) {
    const readFirst = (address >= 0x30 && address <= 0x37) || (address >= 0x50 && address <= 0x5f);
    for (const read of readFirst ? [true] : [false, true]) {
      try {
        if (read) await this.read(address, 1);
        else await this.write(address, new Uint8Array(0));
        return true;
      } catch (e) {
        if (!(e instanceof I2cError)) throw e;
        if (e.inUse) return true;
        if (e.kind === ErrorKind.NoAcknowledge) return false;
        if (!(e.unsupported && !read)) throw e;
      }
    }
    return false;
  }

  /** Addresses 0x08..0x77 that answer (what `i2cdetect` shows). */
  async scan({ from = 0x08, to = 0x77 } = {}) {
    const found = [];
    for (let a = from; a <= to; a++) if (await this.probe(a)) found.push(a);
    return found;
  }

  /** A client: this bus and one address, what a device driver's probe receives. */
  client(address, { name, compatible = [], properties = {} } = {}) {
    return new I2cClient(this, address, { name, compatible, properties });
  }
}

/**
 * One device on an I2C bus (Linux's i2c_client): the bus, the device's 7-bit
 * address, its compatible strings and device-tree style properties
 * ({ size: 256, pagesize: 8 } for an EEPROM), as a board file gives them.
 */
export class I2cClient {
  constructor(i2c, address, { name, compatible = [], properties = {} } = {}) {
    if (!(i2c instanceof I2c)) throw new TypeError("I2cClient: the first argument must be an I2c bus");
    checkAddress(i2c.name, address);
    this.i2c = i2c;
    this.address = address;
    this.name = name ?? `${i2c.name}-${hex(address)}`;
    this.bus = "i2c";
    this.ids = Object.freeze({ address, compatible: Object.freeze([...compatible]) });
    this.compatible = this.ids.compatible;
    this.properties = Object.freeze({ ...properties });
  }
  read(target) { return this.i2c.read(this.address, target); }
  write(bytes) { return this.i2c.write(this.address, bytes); }
  writeRead(bytes, target) { return this.i2c.writeRead(this.address, bytes, target); }
  transaction(operations) { return this.i2c.transaction(this.address, operations); }
  /** Nothing to give back: the bus stays with its controller (bind calls this when probe fails). */
  release() {}
}
