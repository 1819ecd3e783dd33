// Guest tier: jsk:linux's backends against the kernel's own drivers, in the
// boot image on jsk's kernel. I2C: the lm75 driver against i2c-stub (the
// kernel's register file at 0x48), the at24 driver against QEMU's smbus-eeproms
// on the q35 SMBus (ICH9, eight at 0x50-0x57) that Linux's i2c-i801 drives,
// both through i2c-dev: the drivers that run on the fake bus and the qtest
// controllers. GPIO: a gpio-sim chip
// made in configfs (gpio_sim.js), whose inputs this app pulls up and down from
// sysfs (the kernel side) while reading the edges through the GPIO character
// device.
//
// Prints `RESULT name value` lines the host test (hwtests/tests/guest.rs) reads.

import * as sys from "jsk:sys";
import { bind, I2cError } from "jsk:hal";
import { openI2c, openGpioChip } from "jsk:linux";
import lm75 from "/jsk/drivers/sensor/lm75.js";
import { simChip } from "./gpio_sim.js";
import at24 from "/jsk/drivers/eeprom/at24.js";

const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);
const readText = (path) => sys.readFile(path, "utf8").trim();
const writeText = (path, text) => sys.writeFile(path, text);
const raw = (name, ...args) => sys.check(sys.syscall(sys.nr[name], ...args), name);

// ---- I2C over i2c-dev ---------------------------------------------------------------

const adapters = sys.readdir("/sys/bus/i2c/devices").filter((n) => /^i2c-\d+$/.test(n))
  .map((n) => ({ n, name: readText(`/sys/bus/i2c/devices/${n}/name`) }));
result("adapters", adapters.map((a) => a.name).sort());
const smbus = adapters.find((a) => a.name.startsWith("SMBus I801"));
// QEMU 7.2's ICH9 SMBus never raises BYTE_DONE for the last byte of an I2C block read
// (pm_smbus.c ends the transfer with INTR alone), so i2c-i801 returns that byte as 0:
// read in words instead.
const i2c = openI2c(`/dev/${smbus.n}`, { blockReads: false });
result("smbusOnly", i2c.smbusOnly);
result("scan", (await i2c.scan()).map((a) => a.toString(16)));

// The sensor over i2c-stub (loaded by PID 1 with chip_addr=0x48): the kernel's SMBus
// register file, a word per register. The test plays the sensor's part from user space:
// it writes the temperature register (word data: MSB first on the wire, as the TMP105
// sends it), the driver reads it back through the same i2c-dev interface.
const stubAdapter = adapters.find((a) => a.name === "SMBus stub driver");
const stub = openI2c(`/dev/${stubAdapter.n}`);
result("stubSmbusOnly", stub.smbusOnly);
await stub.write(0x48, [0, 0x19, 0x80]);                 // 25.5 °C
const t = await bind(lm75, stub.client(0x48, { compatible: ["ti,tmp105"] }));
result("resolution", t.resolution);
const temps = [await t.temperature()];
await stub.write(0x48, [0, 0xf3, 0x70]);                 // -12.5625 °C
temps.push(await t.temperature());
result("temperatures", temps);
// Read back what the driver wrote and what the test put there, byte by byte, as i2c-stub
// holds them: the configuration register (R1:R0 = 11 for 12 bits) and the temperature
// register's first byte on the wire (the MSB: i2c-stub's byte read is the word's low byte).
result("stubConfig", (await stub.writeRead(0x48, [1], 1))[0]);
result("stubTempMsb", (await stub.writeRead(0x48, [0], 1))[0]);
await t.setLimits({ low: -5.5, high: 42.25 });
result("limits", await t.limits());
result("stubScan", (await stub.scan()).map((a) => a.toString(16)));
stub.close();

try {
  await i2c.writeRead(0x4f, [0], 2);
  result("missing", "answered");
} catch (e) {
  result("missing", e instanceof I2cError ? `${e.kind}(${e.source})` : String(e));
}

const eeprom = await bind(at24, i2c.client(0x50, { compatible: ["atmel,24c02"] }));
const data = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff);
await eeprom.write(100, data);
const back = await eeprom.read(100, 40);
result("eeprom", back.every((b, i) => b === data[i]));

// ---- GPIO: gpio-sim ---------------------------------------------------------------------

const { chipName, line: simLine } = simChip("jsk-sim", 8);

const chip = openGpioChip({ label: "jsk-sim" });
result("chip", { name: chip.name, lines: chip.lines, same: chip.name === chipName });

// Outputs: what the pin drives is what the simulator's line shows.
const out = chip.pin(0, { consumer: "jsk-test" }).intoOutput(true);
const levels = [readText(`${simLine(0)}/value`)];
out.setLow();
levels.push(readText(`${simLine(0)}/value`));
out.toggle();
levels.push(readText(`${simLine(0)}/value`));
result("outputs", levels);
result("consumer", chip.lineInfo(0).consumer);

// Inputs: pulls from the kernel side arrive as edge events, in order, with timestamps.
const input = chip.pin(1).intoInput();
const events = [];
const stop = input.on("edge", (e) => events.push(e));
for (const pull of ["pull-up", "pull-down", "pull-up", "pull-down"]) {
  writeText(`${simLine(1)}/pull`, pull);
  await new Promise((r) => setTimeout(r, 5));
}
await new Promise((r) => setTimeout(r, 20));
stop();
result("edges", events.map((e) => e.edge));
result("edgeTimestampsAscending", events.every((e, i) => typeof e.timestampNs === "bigint" && (i === 0 || e.timestampNs > events[i - 1].timestampNs)));
result("edgeSeqnos", events.map((e) => e.lineSeqno));

// 1 kHz for one second: every edge delivered, none lost, in order.
const fast = chip.pin(2).intoInput();
const seen = [];
const stopFast = fast.on("edge", (e) => seen.push(e));
let level = false;
let sent = 0;
const t0 = sys.monotonicMs();
await new Promise((resolve) => {
  const tick = setInterval(() => {
    // Catch up on ticks a slow timer missed, so the rate stays 1 per millisecond on average.
    const due = Math.min(1000, Math.floor(sys.monotonicMs() - t0) + 1);
    while (sent < due) {
      level = !level;
      writeText(`${simLine(2)}/pull`, level ? "pull-up" : "pull-down");
      sent++;
    }
    if (sent >= 1000) { clearInterval(tick); resolve(); }
  }, 1);
});
const genMs = sys.monotonicMs() - t0;
await new Promise((r) => setTimeout(r, 50));
stopFast();
const inOrder = seen.every((e, i) => i === 0 || (e.lineSeqno === seen[i - 1].lineSeqno + 1 && e.timestampNs > seen[i - 1].timestampNs));
const alternate = seen.every((e, i) => e.edge === (i % 2 === 0 ? "rising" : "falling"));
result("fast", { sent, seen: seen.length, lost: fast.lostEdges, inOrder, alternate });
result("fastRateHz", Math.round(sent / (genMs / 1000)));

// A kernel buffer of two events and ten edges before the app reads: the kernel keeps the
// newest two, and the gap in their line sequence numbers is counted as lost.
const small = chip.pin(3, { eventBufferSize: 2 }).intoInput();
const kept = [];
const stopSmall = small.on("edge", (e) => kept.push(e.lineSeqno));
for (let i = 0; i < 10; i++) writeText(`${simLine(3)}/pull`, i % 2 === 0 ? "pull-up" : "pull-down");
await new Promise((r) => setTimeout(r, 20));
stopSmall();
result("overflow", { kept, lost: small.lostEdges });

// ---- least privilege: a user opens the chip once the file's permissions let it ----------

const path = `/dev/${chipName}`;
const USER = 1000;
raw("fchmodat", sys.AT_FDCWD, path, 0o600, 0);
// Only this thread's credentials change (a raw setresuid, not glibc's all-threads one);
// the saved set-user-ID stays 0, so the app can take root back for the chmod below.
raw("setresgid", -1, USER, 0);
raw("setresuid", -1, USER, 0);
let before;
try { openGpioChip(path).close(); before = "opened"; } catch (e) { before = e.code; }
raw("setresuid", -1, 0, 0);
raw("setresgid", -1, 0, 0);
// What a udev rule does: the group "gpio" (here gid 1000) may read and write the chip.
raw("fchownat", sys.AT_FDCWD, path, 0, USER, 0);
raw("fchmodat", sys.AT_FDCWD, path, 0o660, 0);
raw("setresgid", -1, USER, 0);
raw("setresuid", -1, USER, 0);
let after, c;
try {
  c = openGpioChip(path);
  const p = c.pin(5).intoOutput(true);
  after = { euid: sys.syscall(sys.nr.geteuid), level: p.isSetHigh() };
} catch (e) {
  after = e.code ?? String(e);
}
raw("setresuid", -1, 0, 0);
raw("setresgid", -1, 0, 0);
result("unprivileged", { before, after, line5: readText(`${simLine(5)}/value`) });
c?.close();
chip.close();
i2c.close();
