// drivers/flash/spi_nor.js on a fake SPI bus, against ../models/spi_nor.js.
import { test, assert } from "jsk:test";
import { bind, unbind, SpiDevice, TimeoutError } from "jsk:hal";
import { fakeSpiBus } from "jsk:fake";
import spiNor from "../../drivers/flash/spi_nor.js";
import { spiNorModel } from "../models/spi_nor.js";

function flashOn(model, { properties } = {}) {
  const f = fakeSpiBus("spi0");
  const spi = SpiDevice.onBus(f.bus, { cs: f.cs(model), frequency: 10e6, name: "flash0", compatible: ["jedec,spi-nor"], properties });
  return { f, spi };
}

test("probe reads the JEDEC ID and knows the part", async () => {
  const m = spiNorModel();
  const { spi } = flashOn(m);
  const flash = await bind(spiNor, spi);
  assert.equal(flash.id, "ef4016");
  assert.equal(flash.chip, "w25q32");
  assert.equal(flash.size, 4 << 20);
  assert.equal(flash.pageSize, 256);
  unbind(flash);
});

test("write programs page by page, waiting for BUSY; erase sets a sector back to ones; reads see both", async () => {
  const m = spiNorModel({ busyPolls: { program: 3, erase: 6 } });
  const { spi } = flashOn(m);
  const flash = await bind(spiNor, spi);
  const data = Uint8Array.from({ length: 600 }, (_, i) => (i * 13) & 0xff);
  await flash.write(0x1f0, data);
  assert.equal(m.programs, 4, "0x1f0..0x1ff, then 0x200, 0x300, 0x400 pages");
  assert.deepEqual(m.ignored, [], "no command refused (each program had its WREN and waited for BUSY)");
  assert.deepEqual([...await flash.read(0x1f0, 600)], [...data]);
  await flash.erase(0, 4096);
  assert.equal(m.erases, 1);
  assert.ok(m.data.subarray(0, 4096).every((b) => b === 0xff));
  assert.deepEqual([...await flash.read(4096, 4)], [...m.data.subarray(4096, 4100)]);
  await assert.rejects(flash.erase(100, 4096), /not whole 4096-byte sectors/);
  await assert.rejects(flash.read((4 << 20) - 2, 4), RangeError);
});

test("an SST25VF016B programs a byte per command and is unprotected with EWSR", async () => {
  const m = spiNorModel({ id: [0xbf, 0x25, 0x41], size: 2 << 20, status: 0x1c });
  const { spi } = flashOn(m);
  const flash = await bind(spiNor, spi);
  assert.equal(flash.chip, "sst25vf016b");
  await assert.rejects(flash.write(10, [1]), /block protection is set \(status 0x1c\); call unprotect\(\) first/);
  await assert.rejects(flash.erase(0, 4096), /cannot erase/);
  assert.equal(m.programs + m.erases, 0);
  await flash.unprotect();
  assert.equal(m.status & 0x3c, 0);
  await flash.write(10, [1, 2, 3]);
  assert.equal(m.programs, 3);
  assert.deepEqual([...m.data.subarray(10, 13)], [1, 2, 3]);
});

test("a Winbond part keeps status register 2 (QE) when unprotected", async () => {
  const m = spiNorModel({ status: 0x1c });
  const flash = await bind(spiNor, flashOn(m).spi);
  await flash.unprotect();
  assert.equal(m.status & 0x1c, 0);
  assert.equal(m.sr2, 0x02, "both status bytes written, QE as it was");
  await flash.write(0, [0x5a]);
  assert.equal(m.data[0], 0x5a);
});

test("a flash that stays BUSY times out naming the operation; an unknown or absent part is refused", async () => {
  const m = spiNorModel({ busyPolls: { program: 1e9, erase: 1e9 } });
  const { spi } = flashOn(m);
  const flash = await bind(spiNor, spi);
  const e = await assert.rejects(flash.erase(0, 4096), TimeoutError);
  assert.match(e.message, /flash0: erasing the sector at 0/);
  const none = flashOn({ select() {}, exchange: () => 0xff });
  await assert.rejects(bind(spiNor, none.spi), /JEDEC ID ffffff is not a known part \(no flash answering/);
  const odd = spiNorModel({ id: [0x12, 0x34, 0x56], size: 1 << 20 });
  await assert.rejects(bind(spiNor, flashOn(odd).spi), /123456 is not a known part/);
  const given = await bind(spiNor, flashOn(odd, { properties: { size: 1 << 20 } }).spi);
  assert.equal(given.size, 1 << 20);
});
