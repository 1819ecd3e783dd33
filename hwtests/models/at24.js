// A model of an AT24-family I2C EEPROM on a fake I2C bus (jsk:fake), after
// the Atmel/Microchip AT24C02 and AT24C32 datasheets: "Device addressing"
// (1 or 2 address bytes; parts over 256 bytes with one address byte take the
// high address bits in the device address), "Write operations" (page write,
// the address rolls over within the page), the self-timed write cycle during
// which the part does not acknowledge its address (ACK polling), "Read
// operations" (sequential reads roll over at the end of memory).
//
//   const m = at24Model({ size: 256, pageSize: 8 });   // at 0x50
//   m.busyFor = 3;          // the write cycle lasts three STARTs (each NAKs)
//   m.data                  // the memory

export function at24Model({ address = 0x50, size = 256, pageSize = 8, addressBytes = size > 2048 ? 2 : 1, busyFor = 2, fill = 0xff } = {}) {
  const blocks = addressBytes === 1 ? Math.max(1, size / 256) : 1;
  const m = {
    addresses: Array.from({ length: blocks }, (_, i) => address + i),
    size, pageSize, addressBytes,
    data: new Uint8Array(size).fill(fill),
    busyFor,
    busy: 0,                  // STARTs still to refuse
    pointer: 0,
    block: 0,
    phase: "idle",            // "address", "data", "read"
    got: 0,                   // address bytes received
    page: null,               // { base, bytes: Map(offset -> byte) } of the write in progress
    writeCycles: 0,
    event(kind, addr) {
      if (kind === "stop") {
        if (m.page && m.page.bytes.size) {
          for (const [o, b] of m.page.bytes) m.data[o] = b;
          m.writeCycles++;
          m.busy = m.busyFor;
        }
        m.page = null;
        m.phase = "idle";
        return true;
      }
      if (m.busy > 0) { m.busy--; return false; }
      m.block = addr - address;
      if (kind === "start-write") { m.phase = "address"; m.got = 0; m.page = null; }
      else m.phase = "read";
      return true;
    },
    send(byte) {
      if (m.phase === "address") {
        m.pointer = m.got === 0 && addressBytes === 2 ? (byte << 8) : (m.pointer & ~0xff) | byte;
        if (addressBytes === 1) m.pointer = (m.block << 8) | byte;
        if (++m.got === addressBytes) {
          m.pointer %= size;
          m.phase = "data";
          m.page = { base: m.pointer - (m.pointer % pageSize), next: m.pointer % pageSize, bytes: new Map() };
        }
        return true;
      }
      if (m.phase !== "data") return false;
      const p = m.page;
      p.bytes.set(p.base + p.next, byte);
      p.next = (p.next + 1) % pageSize;        // roll over within the page
      m.pointer = p.base + p.next;
      return true;
    },
    recv() {
      const b = m.data[m.pointer];
      m.pointer = (m.pointer + 1) % size;
      return b;
    },
  };
  return m;
}
