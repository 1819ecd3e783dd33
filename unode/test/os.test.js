import { test, assert } from "jsk:test";
import os, { EOL, constants, tmpdir, hostname, release, type, endianness, userInfo, networkInterfaces, cpus, loadavg } from "node:os";
import * as sys from "jsk:sys";
import process from "node:process";

const procText = (p) => sys.readFile(p, "utf8").trim();

test("uname facts match /proc/sys/kernel", () => {
  assert.equal(hostname(), procText("/proc/sys/kernel/hostname"));
  assert.equal(release(), procText("/proc/sys/kernel/osrelease"));
  assert.equal(type(), "Linux");
  assert.equal(os.platform(), "linux");
  assert.equal(os.version(), procText("/proc/sys/kernel/version"));
  assert.equal(os.machine(), { x64: "x86_64", arm64: "aarch64" }[process.arch]);
});

test("constants and plain values", () => {
  assert.equal(EOL, "\n");
  assert.equal(os.devNull, "/dev/null");
  assert.equal(endianness(), "LE");
  assert.equal(constants.signals.SIGTERM, 15);
  assert.equal(constants.signals.SIGKILL, 9);
  assert.equal(constants.signals.SIGIOT, 6);
  assert.equal(constants.errno.ENOENT, 2);
  assert.equal(constants.errno.EWOULDBLOCK, 11);
  assert.equal(Object.keys(constants.errno).length, 79);
  assert.equal(constants.priority.PRIORITY_HIGHEST, -20);
  assert.equal(constants.dlopen.RTLD_NOW, 2);
  assert.deepEqual(Object.keys(os).sort(), ["EOL", "arch", "availableParallelism", "constants", "cpus", "devNull", "endianness",
    "freemem", "getPriority", "homedir", "hostname", "loadavg", "machine", "networkInterfaces", "platform", "release",
    "setPriority", "tmpdir", "totalmem", "type", "uptime", "userInfo", "version"]);
});

test("tmpdir follows TMPDIR, TMP, TEMP and drops a trailing slash", () => {
  const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
  try {
    delete process.env.TMPDIR; delete process.env.TMP; delete process.env.TEMP;
    assert.equal(tmpdir(), "/tmp");
    process.env.TEMP = "/c/";
    assert.equal(tmpdir(), "/c");
    process.env.TMPDIR = "/a/b/";
    assert.equal(tmpdir(), "/a/b");
    process.env.TMPDIR = "/";
    assert.equal(tmpdir(), "/");
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
});

test("userInfo reads the passwd entry of the real uid", () => {
  const u = userInfo();
  assert.equal(Object.getPrototypeOf(u), null);
  assert.equal(u.uid, sys.getuid());
  const line = procText("/etc/passwd").split("\n").find((l) => Number(l.split(":")[2]) === u.uid).split(":");
  assert.equal(u.username, line[0]);
  assert.equal(u.homedir, line[5]);
  assert.equal(u.shell, line[6]);
  assert.ok(userInfo({ encoding: "buffer" }).username instanceof Uint8Array);
});

test("memory, load, cpus and priority", () => {
  assert.ok(os.totalmem() > os.freemem() && os.freemem() > 0);
  assert.ok(os.uptime() > 0);
  assert.equal(loadavg().length, 3);
  const list = cpus();
  assert.ok(list.length >= os.availableParallelism());
  assert.deepEqual(Object.keys(list[0].times), ["user", "nice", "sys", "idle", "irq"]);
  assert.equal(typeof list[0].model, "string");
  assert.equal(os.getPriority(), 0);
  assert.throws(() => os.setPriority(0, 20), { code: "ERR_OUT_OF_RANGE" });
});

test("networkInterfaces has the loopback addresses", () => {
  const lo = networkInterfaces().lo;
  assert.deepEqual(lo.find((e) => e.family === "IPv4"), {
    address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8",
  });
  const v6 = lo.find((e) => e.family === "IPv6");
  if (v6) {
    assert.deepEqual(v6, {
      address: "::1", netmask: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", family: "IPv6", mac: "00:00:00:00:00:00",
      internal: true, cidr: "::1/128", scopeid: 0,
    });
  }
});
