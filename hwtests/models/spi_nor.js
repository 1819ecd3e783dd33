// A model of a SPI NOR flash on a fake SPI bus (jsk:fake), after the common
// command set of the Winbond W25Q32JV datasheet (§8: 06h Write Enable, 04h
// Write Disable, 05h Read Status Register-1 with BUSY bit 0 and WEL bit 1,
// 01h Write Status Register, 03h Read Data, 02h Page Program (the address
// wraps within the 256-byte page), 20h Sector Erase (4 KB), 9Fh JEDEC ID)
// and SST's 50h Enable-Write-Status-Register (SST25VF016B), and QEMU's
// hw/block/m25p80.c. A program only clears bits (NOR: an erase sets them).
//
//   const m = spiNorModel({ id: [0xef, 0x40, 0x16], size: 4 << 20 });
//   m.busyPolls = { program: 2, erase: 5 };  // status reads that still say BUSY
//   m.data                                    // the array

export function spiNorModel({ id = [0xef, 0x40, 0x16], size = 4 << 20, pageSize = 256, sectorSize = 4096, status = 0, busyPolls = { program: 2, erase: 4 } } = {}) {
  const m = {
    id, size, pageSize, sectorSize,
    data: new Uint8Array(size).fill(0xff),
    status,                 // bits 2..5 block protection as written; BUSY and WEL are computed
    wel: false,
    ewsr: false,
    sr2: 0x02,              // Winbond status register 2: QE set, as a quad-enabled part ships
    busy: 0,
    busyPolls,
    selected: false,
    cmd: [],                // the bytes of the command so far
    readAt: 0,
    programs: 0, erases: 0,
    ignored: [],            // commands refused (no WEL, busy, or unknown)
    select(on) {
      if (on) { m.cmd = []; m.selected = true; return; }
      m.selected = false;
      m.finish();
    },
    addr(c) { return ((c[1] << 16) | (c[2] << 8) | c[3]) % m.size; },
    finish() {
      const c = m.cmd;
      if (c.length === 0) return;
      const op = c[0];
      const refuse = (why) => m.ignored.push({ op, why });
      if (m.busy > 0 && op !== 0x05) { refuse("busy"); return; }
      if (op === 0x06) m.wel = true;
      else if (op === 0x04) m.wel = false;
      else if (op === 0x01) {
        // WRSR after WREN, or (SST) after EWSR, which enables this one status write only.
        if (!m.wel && !m.ewsr) refuse("no WEL");
        else { m.status = c[1] & 0xfc; m.wel = false; m.sr2 = c.length > 2 ? c[2] : 0; }
        m.ewsr = false;
      } else if (op === 0x50) m.ewsr = true;
      else if (op === 0x35) { /* status register 2: answered in exchange */ }
      else if (op === 0x02) {
        if (!m.wel) { refuse("no WEL"); return; }
        // Protected blocks ignore programs (the model protects the whole array while any BP bit is set).
        if (m.status & 0x3c) { refuse("protected"); m.wel = false; return; }
        if (c.length < 5) { refuse("no data"); m.wel = false; return; }
        const a = m.addr(c);
        const base = a - (a % m.pageSize);
        for (let i = 4; i < c.length; i++) {
          const o = base + ((a % m.pageSize) + i - 4) % m.pageSize;
          m.data[o] &= c[i];
        }
        m.programs++;
        m.wel = false;
        m.busy = m.busyPolls.program;
      } else if (op === 0x20) {
        if (!m.wel || c.length < 4) { refuse(m.wel ? "short" : "no WEL"); m.wel = false; return; }
        if (m.status & 0x3c) { refuse("protected"); m.wel = false; return; }
        const a = m.addr(c);
        const base = a - (a % m.sectorSize);
        m.data.fill(0xff, base, base + m.sectorSize);
        m.erases++;
        m.wel = false;
        m.busy = m.busyPolls.erase;
      } else if (![0x03, 0x05, 0x9f, 0x35].includes(op)) refuse("unknown");
    },
    exchange(byte) {
      const c = m.cmd;
      c.push(byte);
      const op = c[0];
      const k = c.length - 1;          // index of this byte in the command
      if (op === 0x9f) return k >= 1 && k <= m.id.length ? m.id[k - 1] : 0;
      if (op === 0x05) {
        if (k === 0) return 0xff;
        const v = (m.status & 0xfc) | (m.wel ? 2 : 0) | (m.busy > 0 ? 1 : 0);
        if (m.busy > 0) m.busy--;
        return v;
      }
      if (op === 0x35) return k === 0 ? 0xff : m.sr2;
      if (op === 0x03 && k >= 4 && m.busy === 0) return m.data[(m.addr(c) + k - 4) % m.size];
      return 0xff;
    },
  };
  return m;
}
