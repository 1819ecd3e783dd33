// jsk:hal/registers — declare a device's registers once, use them by name.
//
//   const EDU = registers({
//     ID:     { offset: 0x00, access: "r" },
//     STATUS: { offset: 0x20, fields: { COMPUTING: 0, IRQ_ON_DONE: 7 } },
//     DMA_SRC:{ offset: 0x80, width: 64 },
//   }, { device: "edu", width: 32 });
//   const regs = EDU.on(dev.bar(0));
//   regs.STATUS.set({ IRQ_ON_DONE: 1 });
//   if (regs.STATUS.COMPUTING.isSet()) ...
//
// Fields: `NAME: bit`, `NAME: [hi, lo]` (inclusive, as datasheets write
// "bits 7:4"), or `NAME: { bits: [hi, lo] | bit, values: { LABEL: n } }`.
// Access: "rw" (default), "r", "w", "w1c" (write one to clear); reading a
// write-only register or writing a read-only one throws TypeError.
// Banks: a register declared with `bank: "divisor"` is reachable only inside
// `regs.inBank("divisor", (r) => ...)`, which enters and always leaves the bank.

const ACCESS = new Set(["r", "w", "rw", "w1c"]);

function fieldSpec(device, reg, name, f) {
  let hi, lo, values;
  if (typeof f === "number") hi = lo = f;
  else if (Array.isArray(f)) [hi, lo] = f;
  else if (f && typeof f === "object") {
    if (typeof f.bit === "number") hi = lo = f.bit;
    else if (Array.isArray(f.bits)) [hi, lo] = f.bits;
    values = f.values;
  }
  if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi > 63)
    throw new TypeError(`${device}: field ${reg}.${name}: expected a bit, [hi, lo] or { bits, values }`);
  const width = hi - lo + 1;
  return { name, lo, width, mask: (1n << BigInt(width)) - 1n, values: values ? Object.freeze({ ...values }) : undefined };
}

/** Declare a register layout. Options: `device` (name used in errors), `width` (default register width in bits: 8, 16, 32, 64). */
export function registers(spec, { device = "device", width = 32, banks = {} } = {}) {
  const regs = {};
  for (const [name, r] of Object.entries(spec)) {
    if (!r || !Number.isInteger(r.offset) || r.offset < 0) throw new TypeError(`${device}: register ${name} needs a non-negative integer offset`);
    const w = r.width ?? width;
    if (![8, 16, 32, 64].includes(w)) throw new TypeError(`${device}: register ${name}: width ${w} is not 8, 16, 32 or 64`);
    const access = r.access ?? "rw";
    if (!ACCESS.has(access)) throw new TypeError(`${device}: register ${name}: access "${access}" is not r, w, rw or w1c`);
    if (r.bank !== undefined && !(r.bank in banks)) throw new TypeError(`${device}: register ${name}: unknown bank "${r.bank}"`);
    const fields = {};
    for (const [fname, f] of Object.entries(r.fields ?? {})) {
      const fs = fieldSpec(device, name, fname, f);
      if (fs.lo + fs.width > w) throw new TypeError(`${device}: field ${name}.${fname} does not fit a ${w}-bit register`);
      fields[fname] = fs;
    }
    regs[name] = Object.freeze({ name, offset: r.offset, width: w, access, bank: r.bank, fields: Object.freeze(fields) });
  }
  return new Layout(device, Object.freeze(regs), banks);
}

class Layout {
  constructor(device, regs, banks) {
    this.device = device;
    this.regs = regs;
    this.banks = banks;
    Object.freeze(this);
  }
  /**
   * Bind the layout to a register window. `shift` spaces registers
   * `1 << shift` bytes apart (e.g. a 16550 with reg-shift 2); `accessWidth`
   * overrides the access width in bits (e.g. 32-bit accesses to 8-bit registers);
   * `base` is where the block starts in the window (a structure a capability
   * points at, e.g. virtio's common configuration inside a BAR).
   */
  on(region, { shift = 0, accessWidth, base = 0 } = {}) {
    if (!Number.isInteger(base) || base < 0) throw new RangeError(`${this.device}: base ${base} is not a non-negative integer offset`);
    return new BoundRegisters(this, region, shift, accessWidth, base);
  }
}

const READ = { 8: "read8", 16: "read16", 32: "read32", 64: "read64" };
const WRITE = { 8: "write8", 16: "write16", 32: "write32", 64: "write64" };

class Field {
  constructor(reg, spec) {
    this.reg = reg;
    this.spec = spec;
    this.mask = reg.wide ? spec.mask << BigInt(spec.lo) : Number(spec.mask) * 2 ** spec.lo;
  }
  /** The field's value in the register now (a fresh read). */
  get() { return this.reg.decodeField(this.spec, this.reg.read()); }
  isSet() { return this.get() !== (this.reg.wide ? 0n : 0); }
  isClear() { return !this.isSet(); }
  /** Read-modify-write this one field. */
  set(value = 1) { this.reg.set({ [this.spec.name]: value }); }
  clear() { this.set(0); }
}

class Register {
  constructor(bound, spec) {
    this.bound = bound;
    this.spec = spec;
    this.wide = spec.width === 64;
    const accessWidth = bound.accessWidth ?? spec.width;
    this.readFn = READ[accessWidth];
    this.writeFn = WRITE[accessWidth];
    this.offset = bound.base + (spec.offset << bound.shift);
    for (const f of Object.values(spec.fields)) this[f.name] = new Field(this, f);
  }
  where() { return `${this.bound.layout.device}: ${this.spec.name} (offset ${"0x" + this.spec.offset.toString(16)})`; }
  checkBank() {
    const bank = this.spec.bank;
    if (bank !== undefined && this.bound.currentBank !== bank)
      throw new TypeError(`${this.where()} is in bank "${bank}": use regs.inBank("${bank}", (r) => ...)`);
    if (bank === undefined && this.bound.currentBank !== undefined && this.bound.shadowed(this.spec))
      throw new TypeError(`${this.where()} is hidden while bank "${this.bound.currentBank}" is selected`);
  }
  /** The register's value: a number (BigInt for 64-bit registers). */
  read() {
    if (this.spec.access === "w") throw new TypeError(`${this.where()} is write-only`);
    this.checkBank();
    const v = this.bound.region[this.readFn](this.offset);
    return this.wide ? BigInt(v) : v >>> 0;
  }
  /** Write a value, or an object of field values (the other bits written as 0). */
  write(value) {
    if (this.spec.access === "r") throw new TypeError(`${this.where()} is read-only`);
    this.checkBank();
    const v = typeof value === "object" && value !== null && typeof value !== "bigint" ? this.encode(value, this.wide ? 0n : 0) : value;
    this.bound.region[this.writeFn](this.offset, this.wide ? BigInt.asUintN(64, BigInt(v)) : v >>> 0);
  }
  /** Read-modify-write: set the named fields, keep the rest. */
  set(fields) {
    if (this.spec.access !== "rw") throw new TypeError(`${this.where()}: set() needs a read-write register (it is ${this.spec.access})`);
    this.write(this.encode(fields, this.read()));
  }
  /** Read-modify-write: clear the named fields. */
  clear(...names) {
    this.set(Object.fromEntries(names.map((n) => [n, 0])));
  }
  /** All fields of `value` (default: a fresh read) by name. */
  decode(value = this.read()) {
    const out = {};
    for (const f of Object.values(this.spec.fields)) out[f.name] = this.decodeField(f, value);
    return out;
  }
  decodeField(f, value) {
    const v = (BigInt(value) >> BigInt(f.lo)) & f.mask;
    return this.wide ? v : Number(v);
  }
  encode(fields, base) {
    let v = BigInt.asUintN(this.spec.width, BigInt(base));
    for (const [name, raw] of Object.entries(fields)) {
      const f = this.spec.fields[name];
      if (!f) throw new TypeError(`${this.where()} has no field ${name}`);
      let value = raw;
      if (typeof raw === "string") {
        value = f.values?.[raw];
        if (value === undefined) throw new TypeError(`${this.where()}: field ${name} has no value named ${raw}`);
      } else if (typeof raw === "boolean") value = raw ? 1 : 0;
      value = BigInt(value);
      if (value < 0n || value > f.mask) throw new RangeError(`${this.where()}: ${value} does not fit field ${name} (${f.width} bits)`);
      v = (v & ~(f.mask << BigInt(f.lo))) | (value << BigInt(f.lo));
    }
    return this.wide ? v : Number(v);
  }
}

class BoundRegisters {
  constructor(layout, region, shift, accessWidth, base) {
    this.layout = layout;
    this.region = region;
    this.shift = shift;
    this.base = base;
    this.accessWidth = accessWidth;
    this.currentBank = undefined;
    for (const spec of Object.values(layout.regs)) this[spec.name] = new Register(this, spec);
  }
  /** Whether a bankless register shares its offset with a register of the selected bank. */
  shadowed(spec) {
    return Object.values(this.layout.regs).some((r) => r.bank === this.currentBank && r.offset === spec.offset);
  }
  /** Run `fn(regs)` with `bank` selected; the bank is left afterwards, even if fn throws. */
  inBank(bank, fn) {
    const b = this.layout.banks[bank];
    if (!b) throw new TypeError(`${this.layout.device}: no register bank "${bank}"`);
    if (this.currentBank !== undefined) throw new TypeError(`${this.layout.device}: bank "${this.currentBank}" is already selected`);
    b.enter(this);
    this.currentBank = bank;
    try {
      return fn(this);
    } finally {
      this.currentBank = undefined;
      b.leave(this);
    }
  }
}
