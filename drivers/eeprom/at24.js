// AT24-family I2C EEPROMs (Atmel/Microchip AT24Cxx and the many compatible parts).
// References: Microchip AT24C02C (DS20005202) and AT24C32E (DS20006014)
// datasheets: device addressing (one address byte up to 2 Kbit parts' 256
// bytes, the next address bits in the device address's low bits up to 16
// Kbit, two address bytes from 32 Kbit), page write (the address rolls over
// within a page: a write never crosses a page boundary), the self-timed write
// cycle (t_WR 5 ms max) during which the part does not acknowledge, so the
// host polls with a START until it does (ACK polling), sequential read.
// Linux drivers/misc/eeprom/at24.c for the part table and the timeout
// (it polls for 25 ms).
//
//   const eeprom = await bind(at24, i2c.client(0x50, { compatible: ["atmel,24c32"] }));
//
// Handle: { read(offset, length), write(offset, bytes), size, pageSize, addressBytes, chip }.
//   read(o, n)        resolves with n bytes from o (RangeError past the end).
//   write(o, bytes)   page by page, each followed by ACK polling with a deadline
//                     (TimeoutError naming the page if the part never answers).
// The client's device-tree style properties { size, pagesize, address-width }
// describe a part not in the table (or override it); "write-cycle-ms" sets
// the ACK-polling deadline (25 ms).

import { driver, TimeoutError, I2cError, ErrorKind, delay } from "jsk:hal";

// size in bytes, page in bytes (at24.c's AT24_CHIP_DATA entries).
const CHIPS = {
  "atmel,24c01": { size: 128, page: 8 },
  "atmel,24c02": { size: 256, page: 8 },
  "atmel,24c04": { size: 512, page: 16 },
  "atmel,24c08": { size: 1024, page: 16 },
  "atmel,24c16": { size: 2048, page: 16 },
  "atmel,24c32": { size: 4096, page: 32 },
  "atmel,24c64": { size: 8192, page: 32 },
  "atmel,24c128": { size: 16384, page: 64 },
  "atmel,24c256": { size: 32768, page: 64 },
  "atmel,24c512": { size: 65536, page: 128 },
};

const WRITE_CYCLE_MS = 25;

function geometryOf(client, options) {
  let chip;
  for (const c of client.compatible ?? []) if (CHIPS[c]) { chip = { name: c.slice(c.indexOf(",") + 1), ...CHIPS[c] }; break; }
  const size = options.size ?? chip?.size;
  const pageSize = options.pageSize ?? chip?.page;
  if (!size || !pageSize) throw new TypeError(`at24: ${client.name}: unknown part (compatible ${JSON.stringify(client.compatible ?? [])}); give { size, pageSize }`);
  if (!Number.isInteger(size) || size < 1 || size > 1 << 17) throw new RangeError(`at24: size ${size} is not 1..128 KiB`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > size) throw new RangeError(`at24: page size ${pageSize} does not fit`);
  const addressBytes = options.addressBytes ?? (size > 2048 ? 2 : 1);
  if (addressBytes !== 1 && addressBytes !== 2) throw new RangeError("at24: addressBytes is 1 or 2");
  if (addressBytes === 1 && size > 2048) throw new RangeError("at24: more than 2 KiB needs two address bytes");
  if (addressBytes === 2 && size > 65536) throw new RangeError("at24: two address bytes reach 64 KiB; larger parts take bit 16 in the device address (not supported)");
  return { chip: chip?.name ?? "at24", size, pageSize, addressBytes };
}

class At24 {
  constructor(client, geometry, writeCycleMs) {
    this.client = client;
    this.i2c = client.i2c;
    this.name = client.name;
    Object.assign(this, geometry);
    this.writeCycleMs = writeCycleMs;
    // The longest transfers the controller carries (an SMBus-only one: 32-byte reads,
    // 33-byte writes with the address; words without I2C block transfers).
    this.maxRead = client.i2c.maxRead;
    this.maxWrite = client.i2c.maxWrite;
    // Two address bytes then a read has no SMBus form: on an SMBus-only controller set the
    // address with a byte-data write (high byte as the command) and receive byte by byte
    // (the part's address pointer moves on), as Linux's regmap does for 16-bit registers.
    const sm = client.i2c.smbus;
    this.pointerReads = geometry.addressBytes === 2 && sm !== undefined;
    if (this.pointerReads && !(typeof sm.writeByteData === "function" && typeof sm.receiveByte === "function"))
      throw new TypeError(`at24: ${client.name}: a part with two address bytes on an SMBus-only controller needs its write byte data and receive byte transfers`);
  }

  check(offset, length) {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size)
      throw new RangeError(`${this.name}: ${length} bytes at ${offset} do not fit the ${this.size}-byte ${this.chip}`);
  }

  /** The device address and address bytes for `offset`: one-byte parts take bits 8..10 in the device address. */
  where(offset) {
    if (this.addressBytes === 2) return { address: this.client.address, prefix: [offset >> 8, offset & 0xff] };
    return { address: this.client.address + (offset >> 8), prefix: [offset & 0xff] };
  }

  async read(offset, length) {
    this.check(offset, length);
    const out = new Uint8Array(length);
    // Chunks stay within one 256-byte block on one-byte parts (each block is its own device address).
    const blockLimit = this.addressBytes === 1 ? 256 : this.size;
    if (this.pointerReads) {
      const { address, prefix } = this.where(offset);
      // Holding the bus: another transaction in between would move the part's pointer.
      await this.i2c.exclusive(async (bus) => {
        await bus.write(address, prefix);
        for (let k = 0; k < length; k++) out[k] = (await bus.read(address, 1))[0];
      });
      return out;
    }
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const n = Math.min(length - done, blockLimit - (at % blockLimit), this.maxRead, 4096);
      const { address, prefix } = this.where(at);
      await this.i2c.writeRead(address, prefix, out.subarray(done, done + n));
      done += n;
    }
    return out;
  }

  async write(offset, data) {
    const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
    this.check(offset, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const at = offset + done;
      const n = Math.min(bytes.length - done, this.pageSize - (at % this.pageSize), this.maxWrite - this.addressBytes);
      if (n < 1) throw new RangeError(`${this.name}: the controller's writes (${this.maxWrite} bytes) cannot carry a ${this.addressBytes}-byte address and data`);
      const { address, prefix } = this.where(at);
      const frame = new Uint8Array(prefix.length + n);
      frame.set(prefix);
      frame.set(bytes.subarray(done, done + n), prefix.length);
      await this.i2c.write(address, frame);
      await this.waitWriteCycle(address, at, n);
      done += n;
    }
  }

  /** ACK polling: the part NAKs its address until the write cycle is over. */
  async waitWriteCycle(address, at, n) {
    const deadline = performance.now() + this.writeCycleMs;
    for (let polls = 0; ; polls++) {
      try {
        // A zero-length write, or a one-byte read where the controller cannot send one.
        if (this.pollByRead) await this.i2c.read(address, 1);
        else await this.i2c.write(address, new Uint8Array(0));
        return;
      } catch (e) {
        if (e instanceof I2cError && e.unsupported && !this.pollByRead) { this.pollByRead = true; continue; }
        if (!(e instanceof I2cError && e.kind === ErrorKind.NoAcknowledge)) throw e;
      }
      if (performance.now() > deadline)
        throw new TimeoutError(`${this.name}: timed out after ${this.writeCycleMs} ms waiting for the write cycle of ${n} bytes at ${at} (the part never acknowledged again)`);
      // Most parts finish in 1-5 ms: poll at once a few times, then every millisecond.
      if (polls >= 4) await delay.ms(1);
    }
  }
}

export default driver({
  name: "at24",
  description: "AT24-family I2C EEPROM (24c01 .. 24c512)",
  match: { compatible: Object.keys(CHIPS) },

  async probe(client) {
    if (typeof client?.writeRead !== "function") throw new TypeError("at24: probe needs an I2cClient (i2c.client(address))");
    // Device-tree properties (Documentation/devicetree/bindings/eeprom/at24.yaml) override the part table.
    const p = client.properties ?? {};
    const width = p["address-width"];
    if (width !== undefined && width !== 8 && width !== 16) throw new RangeError(`at24: address-width is 8 or 16, not ${String(width)}`);
    const g = geometryOf(client, { size: p.size, pageSize: p.pagesize, addressBytes: width && width / 8 });
    const writeCycleMs = p["write-cycle-ms"] ?? WRITE_CYCLE_MS;
    if (!(Number.isFinite(writeCycleMs) && writeCycleMs > 0)) throw new RangeError("at24: writeCycleMs must be a positive number");
    const e = new At24(client, g, writeCycleMs);
    // One byte read: a part that is not there fails now with the bus's NoAcknowledge.
    await e.read(0, 1);
    return e;
  },
});
