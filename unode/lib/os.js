// node:os — operating-system facts for Linux, read from uname(2), /proc,
// /sys and /etc/passwd: hostname, release, cpus, memory, load, uptime,
// network interfaces (IPv4 through SIOCGIFCONF, IPv6 from /proc/net/if_inet6),
// user info, priorities, and os.constants (signals, errno, priority, dlopen).

import * as sys from "jsk:sys";
import * as native from "jsk:native";
import { systemError } from "node:internal/errors";
import { validateInteger } from "node:internal/validators";
import process from "node:process";

function readText(path) {
  try {
    return sys.readFile(path, "utf8");
  } catch {
    return "";
  }
}

function cstr(bytes, off, len) {
  let end = off;
  while (end < off + len && bytes[end] !== 0) end++;
  return native.decodeUtf8(bytes.subarray(off, end));
}

/** struct utsname: six 65-byte fields. */
function uname() {
  const b = new Uint8Array(65 * 6);
  sys.syscall(sys.nr.uname, b);
  const f = (i) => cstr(b, i * 65, 65);
  return { sysname: f(0), nodename: f(1), release: f(2), version: f(3), machine: f(4) };
}

export const EOL = "\n";
export const devNull = "/dev/null";

export function arch() { return process.arch; }
export function platform() { return "linux"; }
export function type() { return uname().sysname; }
export function release() { return uname().release; }
export function version() { return uname().version; }
export function machine() { return uname().machine; }
export function hostname() { return uname().nodename; }
export function endianness() { return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "LE" : "BE"; }

export function availableParallelism() {
  const mask = new Uint8Array(128);
  const n = sys.syscall(sys.nr.sched_getaffinity, 0, mask.length, mask);
  if (n <= 0) return 1;
  let count = 0;
  for (let i = 0; i < n; i++) for (let b = mask[i]; b; b &= b - 1) count++;
  return count || 1;
}

function meminfo(key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readText("/proc/meminfo"));
  return m ? Number(m[1]) * 1024 : 0;
}
export function totalmem() { return meminfo("MemTotal"); }
export function freemem() { return meminfo("MemAvailable") || meminfo("MemFree"); }

export function uptime() {
  const t = parseFloat(readText("/proc/uptime"));
  return Number.isFinite(t) ? Math.round(t * 100) / 100 : 0;
}

export function loadavg() {
  const parts = readText("/proc/loadavg").split(" ");
  return [0, 1, 2].map((i) => Math.round((parseFloat(parts[i]) || 0) * 100) / 100);
}

/** One entry per CPU: model from /proc/cpuinfo, MHz from cpufreq, times (ms) from /proc/stat. */
export function cpus() {
  const info = readText("/proc/cpuinfo").split("\n\n").filter((s) => /^processor\s*:/m.test(s));
  const models = info.map((s) => (/^model name\s*:\s*(.*)$/m.exec(s) ?? /^Processor\s*:\s*(.*)$/m.exec(s))?.[1] ?? "unknown");
  const out = [];
  // /proc/stat counts in USER_HZ (100 per second on Linux): Node reports milliseconds.
  for (const line of readText("/proc/stat").split("\n")) {
    const m = /^cpu(\d+) (\d+) (\d+) (\d+) (\d+) \d+ (\d+)/.exec(line);
    if (!m) continue;
    const i = Number(m[1]);
    out.push({
      model: models[i] ?? models[0] ?? "unknown",
      // As libuv: the current frequency from cpufreq, in MHz, else 0.
      speed: Math.floor(Number(readText(`/sys/devices/system/cpu/cpu${i}/cpufreq/scaling_cur_freq`)) / 1000) || 0,
      times: { user: m[2] * 10, nice: m[3] * 10, sys: m[4] * 10, idle: m[5] * 10, irq: m[6] * 10 },
    });
  }
  return out;
}

function passwdEntry(uid) {
  for (const line of readText("/etc/passwd").split("\n")) {
    const f = line.split(":");
    if (f.length >= 7 && Number(f[2]) === uid) return f;
  }
  return undefined;
}

export function homedir() {
  const home = process.env.HOME;
  if (home) return home;
  return passwdEntry(sys.getuid())?.[5] ?? "/";
}

export function tmpdir() {
  let dir = process.env.TMPDIR || process.env.TMP || process.env.TEMP || "/tmp";
  if (dir.length > 1 && dir.endsWith("/")) dir = dir.slice(0, -1);
  return dir;
}

export function userInfo(options) {
  const uid = sys.getuid();
  const gid = sys.getgid();
  const entry = passwdEntry(uid);
  if (!entry) {
    throw systemError(-sys.E.ENOENT, "uv_os_get_passwd");
  }
  const asBuffer = (options?.encoding ?? options) === "buffer";
  const enc = (s) => (asBuffer ? native.importSync("node:buffer").Buffer.from(s) : s);
  const info = Object.create(null);
  info.uid = uid;
  info.gid = gid;
  info.username = enc(entry[0]);
  info.homedir = enc(entry[5]);
  info.shell = entry[6] ? enc(entry[6]) : null;
  return info;
}

const PRIO_PROCESS = 0;
export function getPriority(pid = 0) {
  validateInteger(pid, "pid");
  // The raw syscall answers 20 - nice so that it is never negative.
  const r = sys.syscall(sys.nr.getpriority, PRIO_PROCESS, pid);
  if (r < 0) throw systemError(r, "uv_os_getpriority");
  return 20 - r;
}

export function setPriority(pid, priority) {
  if (priority === undefined) {
    priority = pid;
    pid = 0;
  }
  validateInteger(pid, "pid");
  validateInteger(priority, "priority", -20, 19);
  const r = sys.syscall(sys.nr.setpriority, PRIO_PROCESS, pid, priority);
  if (r < 0) throw systemError(r, "uv_os_setpriority");
}

// ---- network interfaces --------------------------------------------------------------

const SIOCGIFCONF = 0x8912, SIOCGIFNETMASK = 0x891b, SIOCGIFFLAGS = 0x8913, IFF_LOOPBACK = 0x8;
const IFREQ = 40;

function macOf(name) {
  const t = readText(`/sys/class/net/${name}/address`).trim();
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(t) ? t : "00:00:00:00:00:00";
}

function isLoopback(fd, name) {
  if (name === "lo") return true;
  if (fd < 0) return false;
  const req = new Uint8Array(IFREQ);
  req.set(native.encodeUtf8(name).subarray(0, 15));
  if (sys.syscall(sys.nr.ioctl, fd, SIOCGIFFLAGS, req) < 0) return false;
  return ((req[16] | (req[17] << 8)) & IFF_LOOPBACK) !== 0;
}

const ipv4 = (b, o) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

function prefixOf(bytes) {
  let n = 0;
  for (const x of bytes) for (let bit = 0x80; bit; bit >>= 1) if (x & bit) n++;
  return n;
}

function ipv6Text(hex) {
  const groups = [];
  for (let i = 0; i < 32; i += 4) groups.push(parseInt(hex.slice(i, i + 4), 16).toString(16));
  // The longest run (of at least two) of zero groups becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best === -1) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

function ipv6Mask(prefix) {
  const hex = [];
  for (let i = 0; i < 32; i++) {
    const bits = Math.max(0, Math.min(4, prefix - i * 4));
    hex.push(((0xf << (4 - bits)) & 0xf).toString(16));
  }
  return ipv6Text(hex.join(""));
}

export function networkInterfaces() {
  const result = {};
  const add = (name, entry) => (result[name] ??= []).push(entry);
  const fd = sys.syscall(sys.nr.socket, sys.AF_INET, 2 /* SOCK_DGRAM */ | sys.O_CLOEXEC, 0);
  try {
    if (fd >= 0) {
      const buf = new Uint8Array(IFREQ * 64);
      // struct ifconf { int ifc_len; (pad) char *ifc_buf; }
      const conf = new DataView(new ArrayBuffer(16));
      conf.setInt32(0, buf.length, true);
      conf.setBigUint64(8, native.addressOf(buf), true);
      const confBytes = new Uint8Array(conf.buffer);
      if (sys.syscall(sys.nr.ioctl, fd, SIOCGIFCONF, confBytes) >= 0) {
        const len = conf.getInt32(0, true);
        for (let off = 0; off + IFREQ <= len; off += IFREQ) {
          const name = cstr(buf, off, 16);
          const address = ipv4(buf, off + 20);
          const req = new Uint8Array(IFREQ);
          req.set(buf.subarray(off, off + 16));
          let netmask = "0.0.0.0", prefix = 0;
          if (sys.syscall(sys.nr.ioctl, fd, SIOCGIFNETMASK, req) >= 0) {
            netmask = ipv4(req, 20);
            prefix = prefixOf(req.subarray(20, 24));
          }
          add(name, { address, netmask, family: "IPv4", mac: macOf(name), internal: isLoopback(fd, name), cidr: `${address}/${prefix}` });
        }
      }
    }
    for (const line of readText("/proc/net/if_inet6").split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f.length < 6) continue;
      const [hex, index, plen, scope, , name] = f;
      const prefix = parseInt(plen, 16);
      const address = ipv6Text(hex);
      // Link-local addresses (scope 0x20) carry their interface index as scope id.
      const scopeid = parseInt(scope, 16) === 0x20 ? parseInt(index, 16) : 0;
      add(name, {
        address, netmask: ipv6Mask(prefix), family: "IPv6", mac: macOf(name), internal: isLoopback(fd, name),
        cidr: `${address}/${prefix}`, scopeid,
      });
    }
  } finally {
    if (fd >= 0) sys.syscall(sys.nr.close, fd);
  }
  return result;
}

// ---- constants --------------------------------------------------------------------------

const SIGNALS = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGSTKFLT: 16,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};

const ERRNO_NAMES = ("E2BIG EACCES EADDRINUSE EADDRNOTAVAIL EAFNOSUPPORT EAGAIN EALREADY EBADF EBADMSG EBUSY ECANCELED " +
  "ECHILD ECONNABORTED ECONNREFUSED ECONNRESET EDEADLK EDESTADDRREQ EDOM EDQUOT EEXIST EFAULT EFBIG EHOSTUNREACH EIDRM " +
  "EILSEQ EINPROGRESS EINTR EINVAL EIO EISCONN EISDIR ELOOP EMFILE EMLINK EMSGSIZE EMULTIHOP ENAMETOOLONG ENETDOWN " +
  "ENETRESET ENETUNREACH ENFILE ENOBUFS ENODATA ENODEV ENOENT ENOEXEC ENOLCK ENOLINK ENOMEM ENOMSG ENOPROTOOPT ENOSPC " +
  "ENOSR ENOSTR ENOSYS ENOTCONN ENOTDIR ENOTEMPTY ENOTSOCK ENOTSUP ENOTTY ENXIO EOPNOTSUPP EOVERFLOW EPERM EPIPE EPROTO " +
  "EPROTONOSUPPORT EPROTOTYPE ERANGE EROFS ESPIPE ESRCH ESTALE ETIME ETIMEDOUT ETXTBSY EWOULDBLOCK EXDEV").split(" ");

const errno = {};
for (const name of ERRNO_NAMES) errno[name] = sys.E[name];

export const constants = Object.freeze({
  UV_UDP_REUSEADDR: 4,
  dlopen: Object.freeze({ RTLD_LAZY: 1, RTLD_NOW: 2, RTLD_GLOBAL: 256, RTLD_LOCAL: 0, RTLD_DEEPBIND: 8 }),
  errno: Object.freeze(errno),
  signals: Object.freeze(SIGNALS),
  priority: Object.freeze({
    PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20,
  }),
});

const os = {
  arch, availableParallelism, cpus, endianness, freemem, getPriority, homedir, hostname, loadavg, networkInterfaces,
  platform, release, setPriority, tmpdir, totalmem, type, userInfo, uptime, version, machine, constants, EOL, devNull,
};
export default os;
