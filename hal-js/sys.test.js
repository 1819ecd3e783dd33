// Tests for jsk:sys. They make real system calls: files go in a temporary directory
// under /tmp that the last test removes.

import { test, assert } from "jsk:test";
import * as sys from "jsk:sys";
import { arches, current } from "jsk:sys/arch";

const dir = `/tmp/jsk-sys-test-${sys.getpid()}`;
const path = (name) => `${dir}/${name}`;
const text = (bytes, n = bytes.length) => new TextDecoder().decode(bytes.subarray(0, n));

function withFd(fd, fn) {
  try {
    return fn(fd);
  } finally {
    sys.close(fd);
  }
}

test("syscall tables: numbers checked against the kernel headers", () => {
  const x = arches.x86_64.nr, a = arches.aarch64.nr;
  assert.deepEqual(
    [x.read, x.write, x.openat, x.close, x.getpid, x.mmap, x.epoll_pwait, x.eventfd2, x.pipe2, x.newfstatat],
    [0, 1, 257, 3, 39, 9, 281, 290, 293, 262]);
  assert.deepEqual(
    [a.read, a.write, a.openat, a.close, a.getpid, a.mmap, a.epoll_pwait, a.eventfd2, a.pipe2, a.newfstatat],
    [63, 64, 56, 57, 172, 222, 22, 19, 59, 79]);
  assert.equal(a.open, undefined, "aarch64 has no open");
  assert.equal(a.epoll_wait, undefined, "aarch64 has no epoll_wait");
  assert.equal(a.eventfd, undefined, "aarch64 has no eventfd");
  assert.equal(sys.nr, current.nr);
  assert.equal(current.name, sys.arch);
  assert.equal(sys.syscall(sys.nr.getpid), sys.getpid());
});

test("per-architecture layouts and flags", () => {
  assert.equal(arches.x86_64.O_DIRECTORY, 0o200000);
  assert.equal(arches.aarch64.O_DIRECTORY, 0o40000);
  assert.deepEqual(arches.x86_64.epollEvent, { size: 12, data: 4 });
  assert.deepEqual(arches.aarch64.epollEvent, { size: 16, data: 8 });
  assert.equal(arches.x86_64.stat.bytes, 144);
  assert.equal(arches.aarch64.stat.bytes, 128);
  assert.equal(sys.O_DIRECTORY, current.O_DIRECTORY);
  assert.equal(sys.O.O_DIRECTORY, sys.O_DIRECTORY);
  assert.equal(sys.constants.EPOLLIN, 1);
  assert.equal(sys.SIG.SIGTERM, 15);
  assert.equal(sys.signalName(9), "SIGKILL");
});

test("errno table and SysError", () => {
  assert.equal(sys.E.ENOENT, 2);
  assert.equal(sys.E.EAGAIN, 11);
  assert.equal(sys.E.EWOULDBLOCK, 11);
  assert.equal(sys.E.EINTR, 4);
  assert.equal(sys.E.ETIMEDOUT, 110);
  assert.equal(sys.errnoName(2), "ENOENT");
  assert.equal(sys.errnoName(-11), "EAGAIN");
  assert.equal(sys.errnoName(100000), undefined);
  assert.equal(sys.strerror(13), "Permission denied");
  const e = new sys.SysError("open", 2, '"/x"');
  assert.ok(e instanceof Error);
  assert.equal(e.name, "SysError");
  assert.equal(e.message, 'open("/x"): ENOENT (No such file or directory)');
  assert.throws(() => sys.check(-9, "close", "99"), { code: "EBADF", syscall: "close" });
  assert.equal(sys.check(5), 5);
  assert.throws(() => sys.check(0xffffffffffffffffn, "mmap"), { code: "EPERM", errno: 1 }, "-1 as an unsigned BigInt");
  assert.throws(() => sys.check(-4095n), { code: "EUNKNOWN", errno: 4095 });
  assert.equal(sys.check(0xffffffffffffefffn), 0xffffffffffffefffn, "-4097 is not an error");
  assert.equal(sys.check(-4096), -4096);
});

test("create a scratch directory", () => {
  sys.mkdir(dir, 0o700);
  assert.ok(sys.stat(dir).isDirectory());
  assert.throws(() => sys.mkdir(dir), { code: "EEXIST", errno: 17 });
});

test("open of a missing file throws ENOENT", () => {
  const err = assert.throws(() => sys.open(path("missing")), sys.SysError);
  assert.equal(err.code, "ENOENT");
  assert.equal(err.errno, 2);
  assert.equal(err.syscall, "open");
  assert.equal(err.message, `open("${path("missing")}"): ENOENT (No such file or directory)`);
});

test("write, read, lseek, pread, pwrite, fstat", () => {
  const f = path("data.txt");
  withFd(sys.open(f, sys.O_RDWR | sys.O_CREAT | sys.O_TRUNC | sys.O_CLOEXEC, 0o640), (fd) => {
    assert.equal(sys.write(fd, "hello, world\n"), 13);
    assert.equal(sys.write(fd, new Uint8Array([0x41, 0x42, 0x43, 0x44]), 2), 2);
    assert.equal(sys.lseek(fd, 0, sys.SEEK_CUR), 15);
    assert.equal(sys.lseek(fd, 0, sys.SEEK_SET), 0);
    const buf = new Uint8Array(64);
    assert.equal(sys.read(fd, buf), 15);
    assert.equal(text(buf, 15), "hello, world\nAB");
    assert.equal(sys.read(fd, buf), 0, "EOF");

    assert.equal(sys.pwrite(fd, "J", 0), 1);
    assert.equal(sys.pwrite(fd, new TextEncoder().encode("W!"), 7n), 2);
    const part = new Uint8Array(16);
    assert.equal(sys.pread(fd, part.subarray(4), 0, 5), 5);
    assert.equal(text(part.subarray(4), 5), "Jello");
    assert.equal(sys.pread(fd, part, 7), 8);
    assert.equal(text(part, 8), "W!rld\nAB");
    assert.equal(sys.lseek(fd, 0, sys.SEEK_CUR), 15, "pread/pwrite leave the offset alone");

    const st = sys.fstat(fd);
    assert.ok(st instanceof sys.Stats);
    assert.equal(st.size, 15);
    assert.ok(st.isFile());
    assert.ok(!st.isDirectory());
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.mode & sys.S_IFMT, sys.S_IFREG);
    assert.equal(st.nlink, 1);
    assert.equal(st.uid, sys.geteuid());
    assert.ok(st.ino > 0);
    assert.ok(st.blksize > 0);
    const now = Date.now();
    assert.ok(Math.abs(st.mtimeMs - now) < 60000, `mtime ${st.mtimeMs} is close to now ${now}`);
    assert.ok(st.ctimeMs >= st.mtimeMs - 1000);

    assert.throws(() => sys.read(fd, buf, 65), RangeError);
    assert.throws(() => sys.read(fd, "not a buffer"), TypeError);
    sys.ftruncate(fd, 5);
    assert.equal(sys.fstat(fd).size, 5);
  });
  assert.equal(sys.readFile(f, "utf8"), "Jello");
  assert.throws(() => sys.lseek(-1, 0, sys.SEEK_SET), { code: "EBADF" });
});

test("stat of /dev/null: a character device 1:3", () => {
  const st = sys.stat("/dev/null");
  assert.ok(st.isCharacterDevice());
  assert.equal(sys.major(st.rdev), 1);
  assert.equal(sys.minor(st.rdev), 3);
  assert.equal(sys.makedev(1, 3), st.rdev);
  assert.equal(sys.minor(sys.makedev(259, 70000)), 70000);
  assert.equal(sys.major(sys.makedev(259, 70000)), 259);
});

test("writeFile, readFile, readdir, rename, readlink, unlink", () => {
  sys.writeFile(path("a"), "alpha");
  sys.writeFile(path("b"), new Uint8Array([1, 2, 3]));
  assert.equal(sys.readFile(path("a"), "utf8"), "alpha");
  assert.deepEqual(Array.from(sys.readFile(path("b"))), [1, 2, 3]);
  sys.rename(path("b"), path("c"));
  const names = sys.readdir(dir).sort();
  assert.deepEqual(names, ["a", "c", "data.txt"]);
  assert.equal(sys.readlink("/proc/self/cwd").startsWith("/"), true);
  for (const n of ["a", "c", "data.txt"]) sys.unlink(path(n));
  assert.deepEqual(sys.readdir(dir), []);
  assert.throws(() => sys.unlink(path("a")), { code: "ENOENT" });
  assert.throws(() => sys.open("bad\0path"), TypeError);
});

test("getpid matches /proc/self/stat", () => {
  const stat = sys.readFile("/proc/self/stat", "utf8");
  assert.equal(sys.getpid(), Number(stat.split(" ")[0]));
  assert.equal(sys.getppid(), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  assert.ok(sys.gettid() > 0);
  assert.equal(sys.kill(sys.getpid(), 0), 0, "signal 0 checks that the process exists");
  assert.throws(() => sys.kill(0x7ffffff0, 0), { code: "ESRCH" });
});

test("pipe: write then read", () => {
  const [r, w] = sys.pipe2(sys.O_CLOEXEC | sys.O_NONBLOCK);
  try {
    assert.ok(sys.fstat(r).isFIFO());
    const buf = new Uint8Array(16);
    assert.throws(() => sys.read(r, buf), { code: "EAGAIN" });
    assert.equal(sys.write(w, "ping"), 4);
    assert.equal(sys.read(r, buf), 4);
    assert.equal(text(buf, 4), "ping");
    sys.close(w);
    assert.equal(sys.read(r, buf), 0, "EOF after the write end closes");
  } finally {
    sys.close(r);
    try { sys.close(w); } catch { /* closed above */ }
  }
});

test("eventfd: written and read back", () => {
  withFd(sys.eventfd(3, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK), (fd) => {
    sys.eventfdWrite(fd, 4);
    sys.eventfdWrite(fd, 5n);
    assert.equal(sys.eventfdRead(fd), 12n);
    assert.throws(() => sys.eventfdRead(fd), { code: "EAGAIN" });
    sys.eventfdWrite(fd, 0x1_0000_0001);
    assert.equal(sys.eventfdRead(fd), 0x1_0000_0001n);
    assert.throws(() => sys.eventfdWrite(fd, 0xffffffffffffffffn), { code: "EINVAL" });
  });
  withFd(sys.eventfd(2, sys.EFD_SEMAPHORE | sys.EFD_NONBLOCK), (fd) => {
    assert.equal(sys.eventfdRead(fd), 1n);
    assert.equal(sys.eventfdRead(fd), 1n);
    assert.throws(() => sys.eventfdRead(fd), { code: "EAGAIN" });
  });
});

test("epoll: a pipe and an eventfd report readiness", () => {
  const ep = sys.epoll_create1(sys.EPOLL_CLOEXEC);
  const [r, w] = sys.pipe2(sys.O_CLOEXEC | sys.O_NONBLOCK);
  const efd = sys.eventfd(0, sys.EFD_CLOEXEC | sys.EFD_NONBLOCK);
  try {
    sys.epoll_ctl(ep, sys.EPOLL_CTL_ADD, r, sys.EPOLLIN);
    sys.epoll_ctl(ep, sys.EPOLL_CTL_ADD, efd, sys.EPOLLIN | sys.EPOLLET, 0x1234_5678_9abc);
    assert.throws(() => sys.epoll_ctl(ep, sys.EPOLL_CTL_ADD, r, sys.EPOLLIN), { code: "EEXIST" });
    assert.deepEqual(sys.epoll_wait(ep, 8, 0), []);

    sys.write(w, "x");
    assert.deepEqual(sys.epoll_wait(ep, 8, 0), [{ events: sys.EPOLLIN, data: r }]);

    sys.eventfdWrite(efd, 1);
    const out = [];
    const got = sys.epoll_wait(ep, 8, 100, out);
    assert.equal(got, out, "fills the array it is given");
    got.sort((a, b) => a.data - b.data);
    assert.deepEqual(got, [{ events: sys.EPOLLIN, data: r }, { events: sys.EPOLLIN, data: 0x1234_5678_9abc }]);
    const first = out[0];
    assert.equal(sys.epoll_wait(ep, 1, 0, out).length, 1, "maxEvents bounds the result");
    assert.equal(out[0], first, "reuses the objects in `out`");

    sys.epoll_ctl(ep, sys.EPOLL_CTL_MOD, r, sys.EPOLLOUT, 7n);
    sys.epoll_ctl(ep, sys.EPOLL_CTL_ADD, w, sys.EPOLLOUT, 99);
    const evs = sys.epoll_wait(ep, 8, 0).sort((a, b) => a.data - b.data);
    assert.deepEqual(evs, [{ events: sys.EPOLLOUT, data: 99 }], "edge-triggered eventfd stays quiet; r no longer wants EPOLLIN");

    sys.epoll_ctl(ep, sys.EPOLL_CTL_DEL, w);
    sys.close(w);
    sys.epoll_ctl(ep, sys.EPOLL_CTL_MOD, r, sys.EPOLLIN, 7);
    const hup = sys.epoll_wait(ep, 8, 0);
    assert.equal(hup.length, 1);
    assert.equal(hup[0].data, 7);
    assert.ok(hup[0].events & sys.EPOLLHUP);

    const t0 = sys.monotonicMs();
    sys.read(r, new Uint8Array(1));
    assert.deepEqual(sys.epoll_wait(ep, 64, 30), [{ events: sys.EPOLLHUP, data: 7 }]);
    sys.epoll_ctl(ep, sys.EPOLL_CTL_DEL, r);
    assert.deepEqual(sys.epoll_wait(ep, 100, 20.2), []);
    assert.ok(sys.monotonicMs() - t0 >= 20, "waited for the timeout");
    assert.throws(() => sys.epoll_wait(ep, 0, 0), RangeError);
  } finally {
    for (const fd of [ep, r, efd]) sys.close(fd);
    try { sys.close(w); } catch { /* closed above */ }
  }
});

test("mmap of a file: write through the mapping, read back with pread", () => {
  const f = path("mapped");
  withFd(sys.open(f, sys.O_RDWR | sys.O_CREAT | sys.O_TRUNC | sys.O_CLOEXEC, 0o600), (fd) => {
    sys.ftruncate(fd, 4096);
    const map = sys.mmap(null, 4096, sys.PROT_READ | sys.PROT_WRITE, sys.MAP_SHARED, fd, 0);
    assert.ok(map instanceof ArrayBuffer);
    assert.equal(map.byteLength, 4096);
    const u8 = new Uint8Array(map);
    u8.set(new TextEncoder().encode("mapped bytes"), 100);
    new DataView(map).setUint32(4092, 0xdeadbeef, true);
    sys.msync(map, undefined, sys.MS_SYNC);
    const back = new Uint8Array(12);
    assert.equal(sys.pread(fd, back, 100), 12);
    assert.equal(text(back), "mapped bytes");
    const tail = new Uint8Array(4);
    sys.pread(fd, tail, 4092);
    assert.deepEqual(Array.from(tail), [0xef, 0xbe, 0xad, 0xde]);
    sys.pwrite(fd, "through the file", 200);
    assert.equal(text(u8.subarray(200, 216)), "through the file");
    sys.munmap(map);
    assert.equal(map.byteLength, 0, "detached after munmap");
  });
  sys.unlink(f);
});

test("anonymous mmap, mprotect, munmap by address", () => {
  const size = 3 * 4096;
  const map = sys.mmap(0, size, sys.PROT_READ | sys.PROT_WRITE, sys.MAP_PRIVATE | sys.MAP_ANONYMOUS);
  const words = new Uint32Array(map);
  assert.equal(words[0], 0);
  words[words.length - 1] = 42;
  assert.equal(words[words.length - 1], 42);
  const address = sys.addressOf(map);
  assert.equal(address % 4096n, 0n, "page aligned");
  sys.mprotect(map, undefined, sys.PROT_READ);
  sys.munmap(address, size);
  assert.throws(() => sys.mmap(0, 4096, sys.PROT_READ, sys.MAP_SHARED, -1), { code: "EBADF", syscall: "mmap" });
  assert.throws(() => sys.mmap(0, 0, sys.PROT_READ, sys.MAP_PRIVATE | sys.MAP_ANONYMOUS), RangeError);
  const a = sys.mmapAddress(0, 4096, sys.PROT_NONE, sys.MAP_PRIVATE | sys.MAP_ANONYMOUS);
  assert.equal(typeof a, "bigint");
  assert.equal(sys.munmap(a, 4096), 0);
});

test("memfd shared by two mappings", () => {
  withFd(sys.memfd_create("jsk-test", sys.MFD_CLOEXEC), (fd) => {
    sys.ftruncate(fd, 8192);
    const a = sys.mmap(null, 8192, sys.PROT_READ | sys.PROT_WRITE, sys.MAP_SHARED, fd, 0);
    const b = sys.mmap(null, 4096, sys.PROT_READ, sys.MAP_SHARED, fd, 4096);
    new Uint8Array(a)[4096 + 7] = 0x5a;
    assert.equal(new Uint8Array(b)[7], 0x5a);
    sys.munmap(a);
    sys.munmap(b);
  });
});

test("clock_gettime is monotonic; nanosleep sleeps", () => {
  const t0 = sys.clock_gettime();
  assert.equal(typeof t0, "bigint");
  const m0 = sys.monotonicMs();
  sys.nanosleep(15);
  const t1 = sys.clock_gettime(sys.CLOCK_MONOTONIC);
  const m1 = sys.monotonicMs();
  assert.ok(t1 - t0 >= 15_000_000n, `slept ${t1 - t0} ns`);
  assert.ok(m1 - m0 >= 15 && m1 - m0 < 5000, `slept ${m1 - m0} ms`);
  assert.ok(Math.abs(Number(t1 / 1_000_000n) - m1) < 5, "the two clocks agree");
  sys.nanosleep({ sec: 0, nsec: 2_000_000 });
  assert.ok(sys.monotonicMs() - m1 >= 2);
  sys.nanosleep(0);
  sys.nanosleep(-5);
  assert.throws(() => sys.nanosleep(NaN), RangeError);
  assert.throws(() => sys.nanosleep({ sec: 0, nsec: 1e9 }), RangeError);
  const wall = Number(sys.clock_gettime(sys.CLOCK_REALTIME) / 1_000_000n);
  assert.ok(Math.abs(wall - Date.now()) < 1000);
  assert.throws(() => sys.clock_gettime(12345), { code: "EINVAL" });
});

test("sockaddr encoding", () => {
  const in4 = sys.encodeSockaddr({ family: sys.AF_INET, address: "192.168.1.20", port: 0x1234 });
  assert.equal(in4.length, 16);
  assert.deepEqual(Array.from(in4.subarray(2, 8)), [0x12, 0x34, 192, 168, 1, 20]);
  assert.deepEqual(sys.decodeSockaddr(in4), { family: sys.AF_INET, address: "192.168.1.20", port: 0x1234 });
  assert.throws(() => sys.encodeSockaddr({ family: sys.AF_INET, address: "256.1.1.1", port: 1 }), TypeError);
  assert.throws(() => sys.encodeSockaddr({ family: sys.AF_INET, address: "1.2.3.4", port: 65536 }), RangeError);

  const cases = [
    ["::1", "::1"], ["::", "::"], ["fe80::1:2", "fe80::1:2"], ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"], ["::ffff:10.0.0.1", "::ffff:10.0.0.1"], ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1::", "1::"], ["1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"],
  ];
  for (const [input, canonical] of cases) {
    const b = sys.encodeSockaddr({ family: sys.AF_INET6, address: input, port: 80, scopeId: 3 });
    assert.equal(b.length, 28);
    assert.deepEqual(sys.decodeSockaddr(b), { family: sys.AF_INET6, address: canonical, port: 80, flowinfo: 0, scopeId: 3 });
  }
  for (const bad of ["1:2", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::1.2.3", "g::"]) {
    assert.throws(() => sys.encodeSockaddr({ family: sys.AF_INET6, address: bad, port: 0 }), TypeError, bad);
  }

  const un = sys.encodeSockaddr({ family: sys.AF_UNIX, path: "/run/x.sock" });
  assert.equal(un.length, 2 + 11 + 1);
  assert.deepEqual(sys.decodeSockaddr(un), { family: sys.AF_UNIX, path: "/run/x.sock" });
  const abs = sys.encodeSockaddr({ family: sys.AF_UNIX, path: "@jsk" });
  assert.deepEqual(Array.from(abs.subarray(2)), [0, 0x6a, 0x73, 0x6b]);
  assert.deepEqual(sys.decodeSockaddr(abs), { family: sys.AF_UNIX, path: "\0jsk" });
  assert.deepEqual(sys.encodeSockaddr({ family: sys.AF_UNIX, path: "\0jsk" }), abs);
  assert.throws(() => sys.encodeSockaddr({ family: sys.AF_UNIX, path: "x".repeat(108) }), RangeError);

  const ll = sys.encodeSockaddr({ family: sys.AF_PACKET, protocol: sys.ETH_P_ARP, ifindex: 2, address: "52:54:00:12:34:56" });
  assert.equal(ll.length, 20);
  assert.deepEqual(Array.from(ll.subarray(2, 4)), [0x08, 0x06], "sll_protocol is big-endian");
  assert.equal(ll[11], 6, "sll_halen");
  assert.deepEqual(sys.decodeSockaddr(ll), {
    family: sys.AF_PACKET, protocol: sys.ETH_P_ARP, ifindex: 2, hatype: 0, pkttype: 0, address: "52:54:00:12:34:56",
  });
  const nl = sys.encodeSockaddr({ family: sys.AF_NETLINK, pid: 0, groups: 1 });
  assert.deepEqual(sys.decodeSockaddr(nl), { family: sys.AF_NETLINK, pid: 0, groups: 1 });
  assert.throws(() => sys.encodeSockaddr({ family: 99 }), TypeError);
});

test("AF_UNIX: socketpair and datagram sockets bound to abstract names", () => {
  const [a, b] = sys.socketpair(sys.AF_UNIX, sys.SOCK_STREAM | sys.SOCK_CLOEXEC);
  try {
    assert.equal(sys.send(a, "over the pair"), 13);
    const buf = new Uint8Array(32);
    assert.equal(sys.recv(b, buf), 13);
    assert.equal(text(buf, 13), "over the pair");
    assert.equal(sys.getsockopt(a, sys.SOL_SOCKET, sys.SO_TYPE), sys.SOCK_STREAM);
    assert.ok(sys.fstat(a).isSocket());
  } finally {
    sys.close(a);
    sys.close(b);
  }

  const nameA = `@jsk-test-${sys.getpid()}-a`, nameB = `\0jsk-test-${sys.getpid()}-b`;
  const sa = sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC | sys.SOCK_NONBLOCK);
  const sb = sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC | sys.SOCK_NONBLOCK);
  try {
    sys.bind(sa, { family: sys.AF_UNIX, path: nameA });
    sys.bind(sb, { family: sys.AF_UNIX, path: nameB });
    assert.deepEqual(sys.getsockname(sa), { family: sys.AF_UNIX, path: `\0${nameA.slice(1)}` });
    withFd(sys.socket(sys.AF_UNIX, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC), (sc) => {
      assert.throws(() => sys.bind(sc, { family: sys.AF_UNIX, path: nameA }), { code: "EADDRINUSE" });
    });
    assert.equal(sys.sendto(sa, "datagram", 0, { family: sys.AF_UNIX, path: nameB }), 8);
    const buf = new Uint8Array(64);
    const got = sys.recvfrom(sb, buf);
    assert.equal(got.bytes, 8);
    assert.equal(text(buf, got.bytes), "datagram");
    assert.deepEqual(got.address, { family: sys.AF_UNIX, path: `\0${nameA.slice(1)}` });
    assert.throws(() => sys.recvfrom(sb, buf), { code: "EAGAIN", syscall: "recvfrom" });
  } finally {
    sys.close(sa);
    sys.close(sb);
  }
});

test("AF_INET UDP on 127.0.0.1: getsockname, sendto and recvfrom to itself", () => {
  const fd = sys.socket(sys.AF_INET, sys.SOCK_DGRAM | sys.SOCK_CLOEXEC, sys.IPPROTO_UDP);
  try {
    sys.setsockopt(fd, sys.SOL_SOCKET, sys.SO_REUSEADDR, 1);
    assert.equal(sys.getsockopt(fd, sys.SOL_SOCKET, sys.SO_REUSEADDR), 1);
    sys.bind(fd, { family: sys.AF_INET, address: "127.0.0.1", port: 0 });
    const me = sys.getsockname(fd);
    assert.equal(me.family, sys.AF_INET);
    assert.equal(me.address, "127.0.0.1");
    assert.ok(me.port > 0 && me.port < 65536);
    assert.equal(sys.sendto(fd, new Uint8Array([1, 2, 3, 4, 5]), 0, me), 5);
    const buf = new Uint8Array(16);
    const { bytes, address } = sys.recvfrom(fd, buf);
    assert.equal(bytes, 5);
    assert.deepEqual(Array.from(buf.subarray(0, 5)), [1, 2, 3, 4, 5]);
    assert.deepEqual(address, me);
    assert.throws(() => sys.recvfrom(fd, buf, sys.MSG_DONTWAIT), { code: "EAGAIN" });
  } finally {
    sys.close(fd);
  }
});

test("AF_INET TCP: listen, connect, accept4 over loopback", () => {
  const server = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC);
  const client = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC);
  let conn = -1;
  try {
    sys.bind(server, { family: sys.AF_INET, address: "127.0.0.1", port: 0 });
    sys.listen(server, 4);
    const addr = sys.getsockname(server);
    sys.connect(client, addr);
    conn = sys.accept4(server, sys.SOCK_CLOEXEC);
    assert.deepEqual(sys.getpeername(conn), sys.getsockname(client));
    sys.write(client, "tcp");
    const buf = new Uint8Array(8);
    assert.equal(sys.read(conn, buf), 3);
    assert.equal(text(buf, 3), "tcp");
    sys.shutdown(client, sys.SHUT_WR);
    assert.equal(sys.read(conn, buf), 0);
    const closed = sys.socket(sys.AF_INET, sys.SOCK_STREAM | sys.SOCK_CLOEXEC);
    sys.close(server);
    assert.throws(() => sys.connect(closed, addr), { code: "ECONNREFUSED", syscall: "connect" });
    sys.close(closed);
  } finally {
    try { sys.close(server); } catch { /* closed above */ }
    sys.close(client);
    if (conn >= 0) sys.close(conn);
  }
});

test("ioctl: FIONREAD on a pipe, request encoding", () => {
  // FIONREAD = TIOCINQ = 0x541B (include/uapi/asm-generic/ioctls.h)
  const [r, w] = sys.pipe2(sys.O_CLOEXEC);
  try {
    sys.write(w, "12345");
    const n = new Int32Array(1);
    assert.equal(sys.ioctl(r, 0x541b, n), 0);
    assert.equal(n[0], 5);
    assert.throws(() => sys.ioctl(r, 0x5401, new Uint8Array(64)), { code: "ENOTTY" }); // TCGETS
    // A request that encodes its size gets a buffer that large, before the kernel sees it.
    assert.throws(() => sys.ioctl(r, sys._IOR("f", 1, 8), new Uint8Array(4)), /moves 8 bytes; the buffer has 4/);
  } finally {
    sys.close(r);
    sys.close(w);
  }
  // include/uapi/linux/fs.h: BLKGETSIZE64 = _IOR(0x12, 114, size_t), FS_IOC_GETFLAGS = _IOR('f', 1, long)
  assert.equal(sys._IOR(0x12, 114, 8), 0x80081272);
  assert.equal(sys._IOR("f", 1, 8), 0x80086601);
  assert.equal(sys._IOW("f", 2, 8), 0x40086602);
  assert.equal(sys._IO(0x3b, 100), 0x3b64); // VFIO_GET_API_VERSION
  assert.equal(sys._IOWR("U", 0, 16), 0xc0105500);
});

test("getrandom and fcntl", () => {
  const buf = new Uint8Array(32);
  assert.equal(sys.getrandom(buf), 32);
  assert.ok(buf.some((b) => b !== 0));
  const [r, w] = sys.pipe2(0);
  try {
    assert.equal(sys.fcntl(r, sys.F_GETFD) & sys.FD_CLOEXEC, 0);
    sys.fcntl(r, sys.F_SETFD, sys.FD_CLOEXEC);
    assert.equal(sys.fcntl(r, sys.F_GETFD) & sys.FD_CLOEXEC, sys.FD_CLOEXEC);
    assert.equal(sys.fcntl(w, sys.F_GETFL) & sys.O_ACCMODE, sys.O_WRONLY);
    const d = sys.dup(w);
    const d2 = sys.fcntl(w, sys.F_DUPFD_CLOEXEC, 100);
    assert.ok(d2 >= 100);
    assert.equal(sys.dup3(r, d2, sys.O_CLOEXEC), d2);
    assert.equal(sys.fcntl(d2, sys.F_GETFL) & sys.O_ACCMODE, sys.O_RDONLY);
    sys.close(d);
    sys.close(d2);
  } finally {
    sys.close(r);
    sys.close(w);
  }
});

test("remove the scratch directory", () => {
  for (const name of sys.readdir(dir)) sys.unlink(path(name)); // left by a failed test
  sys.rmdir(dir);
  assert.throws(() => sys.stat(dir), { code: "ENOENT", syscall: "stat" });
});
