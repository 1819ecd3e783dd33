// SPI NOR flash with the common command set (JEDEC JESD216's basic commands
// as Winbond, Macronix, Micron, ISSI and SST parts implement them).
// References: Winbond W25Q32JV datasheet §8.2 (06h Write Enable, 05h Read
// Status Register-1: BUSY bit 0, WEL bit 1, BP bits 2..4; 01h Write Status
// Register; 03h Read Data; 02h Page Program, which wraps within its 256-byte
// page; 20h Sector Erase 4 KB; 9Fh JEDEC ID) and §9.6 (tPP 3 ms, tSE 400 ms
// maximum); SST25VF016B datasheet (Microchip DS20005044): 02h programs one
// byte, 50h enables a status write, the block protection bits are set at
// power-up; Linux drivers/mtd/spi-nor for the part table.
//
//   const flash = await bind(spiNor, SpiDevice.onBus(spi1, { cs, frequency: 20e6 }));
//
// Handle: { id, chip, size, pageSize, sectorSize, read(o, n), write(o, bytes), erase(o, n), status(), unprotect() }.
//   read(o, n)       n bytes from o (chunks of at most the device's transfer limit).
//   write(o, bytes)  program (bits only go from 1 to 0: erase first), page by page,
//                    waiting for BUSY to clear after each with a deadline.
//   erase(o, n)      sector by sector; o and n multiples of sectorSize.
//   unprotect()      clear the block protection bits (SST parts power up protected);
//                    write and erase refuse while any are set (the part would ignore them).
// 03h reads are specified up to 25-50 MHz depending on the part: keep the clock there.
// probe takes a SpiDevice; its properties { size, "page-size",
// "sector-size" } describe a part not in the table.

import { driver, waitFor, TimeoutError } from "jsk:hal";

const CMD = {
  WRSR: 0x01, PP: 0x02, READ: 0x03, WRDI: 0x04, RDSR: 0x05, WREN: 0x06,
  SE_4K: 0x20, RDSR2: 0x35, EWSR: 0x50, RDID: 0x9f,
};
// Block protection: BP0-BP2 in bits 2-4 by default (Winbond's TB, bit 5, only says which end
// they protect); parts with BP0-BP3 in bits 2-5 (SST, some Macronix) say `bp: 0x3c`.
// Winbond's status register 2 bit 6 (CMP) inverts the protected range.
const SR = { BUSY: 1 << 0, WEL: 1 << 1, BP: 0x1c };
const SR2_CMP = 1 << 6;
// Three address bytes reach 16 MiB; larger parts need 4-byte addressing (not supported).
const MAX_SIZE = 16 << 20;

// JEDEC ID -> part. page: bytes one Page Program may write (SST: one byte);
// times: datasheet maxima in ms (tPP, tSE) with a margin.
const PARTS = {
  "ef4014": { chip: "w25q80", size: 1 << 20 },
  "ef4015": { chip: "w25q16", size: 2 << 20 },
  "ef4016": { chip: "w25q32", size: 4 << 20 },
  "ef4017": { chip: "w25q64", size: 8 << 20 },
  "ef4018": { chip: "w25q128", size: 16 << 20 },
  "c22015": { chip: "mx25l1606e", size: 2 << 20, bp: 0x3c },
  "c22016": { chip: "mx25l3205d", size: 4 << 20 },
  "c22017": { chip: "mx25l6405d", size: 8 << 20, bp: 0x3c },
  "bf2541": { chip: "sst25vf016b", size: 2 << 20, page: 1, sst: true, tPP: 1, tSE: 25, bp: 0x3c },
  "bf254a": { chip: "sst25vf032b", size: 4 << 20, page: 1, sst: true, tPP: 1, tSE: 25, bp: 0x3c },
};
const DEFAULTS = { page: 256, sector: 4096, tPP: 5, tSE: 450 };
// Bytes per transfer when the device sets no limit (Linux's spidev takes 4096 by default).
const CHUNK = 4096;

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

class SpiNor {
  constructor(spi, name, id, part) {
    this.spi = spi;
    this.name = name;
    this.id = id;
    this.chip = part.chip;
    this.size = part.size;
    this.pageSize = part.page ?? DEFAULTS.page;
    this.sectorSize = part.sector ?? DEFAULTS.sector;
    this.tPP = part.tPP ?? DEFAULTS.tPP;
    this.tSE = part.tSE ?? DEFAULTS.tSE;
    this.sst = part.sst === true;
    this.winbond = id.startsWith("ef");
    this.bp = part.bp ?? SR.BP;
    this.chunk = Math.min(spi.maxTransfer ?? CHUNK, CHUNK);
  }

  command(op, address) {
    return address === undefined ? [op] : [op, (address >> 16) & 0xff, (address >> 8) & 0xff, address & 0xff];
  }

  check(offset, length, align = 1) {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size)
      throw new RangeError(`${this.name}: ${length} bytes at ${offset} do not fit the ${this.size}-byte ${this.chip}`);
    if (offset % align || length % align) throw new RangeError(`${this.name}: ${length} bytes at ${offset} are not whole ${align}-byte sectors`);
  }

  async status() {
    const [sr] = await this.spi.transaction([{ write: [CMD.RDSR] }, { read: 1 }]);
    return sr[0];
  }

  async status2() {
    const [sr2] = await this.spi.transaction([{ write: [CMD.RDSR2] }, { read: 1 }]);
    return sr2[0];
  }

  async writeEnable() {
    await this.spi.write([CMD.WREN]);
  }

  /** Poll BUSY until clear; TimeoutError after `ms` naming what was being waited for. */
  async waitReady(ms, what) {
    let sr = await this.status();
    if (!(sr & SR.BUSY)) return sr;
    await waitFor(async () => { sr = await this.status(); return !(sr & SR.BUSY); }, { ms, what: `${this.name}: ${what}`, interval: 1 });
    return sr;
  }

  /** Clear the block protection bits (SST parts power up with every block protected). */
  async unprotect() {
    const sr = await this.status();
    if (!(sr & this.bp) && !(this.winbond && (await this.status2()) & SR2_CMP)) return;
    const value = [sr & ~this.bp & ~SR.WEL & ~SR.BUSY & 0xff];
    // Winbond: a one-byte status write clears status register 2 (QE) on some parts: write both,
    // QE kept, CMP cleared (with BP 0 and CMP 1 the whole array is protected).
    if (this.winbond) value.push((await this.status2()) & ~SR2_CMP);
    await this.spi.write([this.sst ? CMD.EWSR : CMD.WREN]);
    await this.spi.write([CMD.WRSR, ...value]);
    const after = await this.waitReady(this.tPP * 10, "the status register write");
    if (after & this.bp) throw new Error(`${this.name}: block protection still set after a status write (status 0x${after.toString(16)}; WP# held low?)`);
  }

  /** Programs and erases of protected blocks are silently ignored by the part: refuse them here. */
  async checkUnprotected(what) {
    const sr = await this.status();
    const cmp = this.winbond && (sr & this.bp) === 0 ? (await this.status2()) & SR2_CMP : 0;
    if (sr & this.bp || cmp) throw new Error(`${this.name}: cannot ${what}: block protection is set (status 0x${sr.toString(16)}${cmp ? ", CMP" : ""}); call unprotect() first`);
  }

  async read(offset, length) {
    this.check(offset, length);
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const n = Math.min(length - done, this.chunk - 4);
      await this.spi.transaction([{ write: this.command(CMD.READ, offset + done) }, { read: out.subarray(done, done + n) }]);
      done += n;
    }
    return out;
  }

  async write(offset, data) {
    const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
    this.check(offset, bytes.length);
    if (bytes.length) await this.checkUnprotected(`program ${bytes.length} bytes at ${offset}`);
    for (let done = 0; done < bytes.length;) {
      const at = offset + done;
      const n = Math.min(bytes.length - done, this.pageSize - (at % this.pageSize), this.chunk - 4);
      await this.writeEnable();
      await this.spi.transaction([{ write: this.command(CMD.PP, at) }, { write: bytes.subarray(done, done + n) }]);
      // WEL is not checked afterwards: parts clear it, QEMU's m25p80 leaves it set.
      await this.waitReady(this.tPP, `programming ${n} bytes at ${at}`);
      done += n;
    }
  }

  async erase(offset, length) {
    this.check(offset, length, this.sectorSize);
    if (length) await this.checkUnprotected(`erase ${length} bytes at ${offset}`);
    for (let at = offset; at < offset + length; at += this.sectorSize) {
      await this.writeEnable();
      await this.spi.write(this.command(CMD.SE_4K, at));
      await this.waitReady(this.tSE, `erasing the sector at ${at}`);
    }
  }
}

export default driver({
  name: "spi-nor",
  description: "SPI NOR flash (JEDEC ID, read, page program, 4 KiB sector erase)",
  match: { compatible: ["jedec,spi-nor"] },

  async probe(spi) {
    if (typeof spi?.transaction !== "function") throw new TypeError("spi-nor: probe needs a SpiDevice");
    const { name } = spi;
    const [idBytes] = await spi.transaction([{ write: [CMD.RDID] }, { read: 3 }]);
    const id = hex(idBytes);
    const p = spi.properties ?? {};
    let part = PARTS[id];
    if (p.size !== undefined) part = { chip: part?.chip ?? `spi-nor ${id}`, ...part, size: p.size, page: p["page-size"] ?? part?.page, sector: p["sector-size"] ?? part?.sector };
    if (!part) {
      const what = id === "000000" || id === "ffffff" ? " (no flash answering: check chip select and wiring)" : "";
      throw new Error(`spi-nor: ${name}: JEDEC ID ${id} is not a known part${what}; give properties { size } for it`);
    }
    if (part.size > MAX_SIZE) throw new RangeError(`spi-nor: ${name}: ${part.size} bytes need 4-byte addressing, which this driver does not do (at most 16 MiB)`);
    const flash = new SpiNor(spi, name, id, part);
    // A part still busy from before (an erase cut short by a reset) finishes first.
    await flash.waitReady(flash.tSE, "a program or erase in progress at probe").catch((e) => {
      throw e instanceof TimeoutError ? new TimeoutError(`${e.message} (status stays BUSY)`) : e;
    });
    await spi.write([CMD.WRDI]);
    return flash;
  },
});
