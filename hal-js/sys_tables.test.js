// jsk:sys's per-architecture tables checked against the kernel's UAPI headers.
//
// The aarch64 syscall numbers, constants and struct layouts in jsk:sys/arch never run on
// this machine (jsk is built for x86_64 only), so nothing else would notice a wrong one.
// This test reads the headers of Debian's linux-libc-dev (the amd64 package, which ships
// the asm-generic headers aarch64 is built from, beside x86_64's asm/ headers) with
// jsk:sys.readFile, runs them through a small C preprocessor (#if/#ifdef/#elif/#else/
// #define/#undef, integer expressions, enums, casts) configured as each architecture's
// own asm/ headers configure it, and compares:
//   - every syscall number of both tables, in both directions (up to the table's highest
//     number, so a newer header with newer syscalls does not fail it);
//   - the O_* flags of both architectures and every other exported jsk:sys constant and
//     errno that the headers define;
//   - struct stat and struct epoll_event as laid out by the C rules (LP64, natural
//     alignment, __attribute__((packed))) against the offsets jsk:sys decodes;
//   - the ioctl request encoding.

import { test, assert } from "jsk:test";
import * as sys from "jsk:sys";
import { X86_64, AARCH64 } from "jsk:sys/arch";

const INC = "/usr/include";
const X86_ASM = `${INC}/x86_64-linux-gnu/asm`;
const GEN = `${INC}/asm-generic`;

// What arch/arm64/include/uapi/asm/*.h define before including the asm-generic header
// (Linux 6.1). These two files are not in linux-libc-dev:amd64, so they are written out
// here; everything else comes from the headers on disk.
const AARCH64_DEFINES = {
  __aarch64__: "1",
  __BITS_PER_LONG: "64",
  // arch/arm64/include/uapi/asm/unistd.h
  __ARCH_WANT_RENAMEAT: "",
  __ARCH_WANT_NEW_STAT: "",
  __ARCH_WANT_SET_GET_RLIMIT: "",
  __ARCH_WANT_TIME32_SYSCALLS: "",
  __ARCH_WANT_SYS_CLONE3: "",
  __ARCH_WANT_MEMFD_SECRET: "",
  // arch/arm64/include/uapi/asm/fcntl.h (kept from 32-bit ARM for AArch32 compat)
  O_DIRECTORY: "040000",
  O_NOFOLLOW: "0100000",
  O_DIRECT: "0200000",
  O_LARGEFILE: "0400000",
};
const X86_64_DEFINES = { __x86_64__: "1", __BITS_PER_LONG: "64" };

// ---- a small C preprocessor ------------------------------------------------------------

function readHeader(path) {
  try {
    return sys.readFile(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: ${e.message} (install Debian's linux-libc-dev; bash dev.sh test does)`);
  }
}

/** A fresh macro table: name → { params, body }. */
function macroTable(defines) {
  const m = new Map();
  for (const [k, v] of Object.entries(defines)) m.set(k, { params: null, body: v });
  return m;
}

const TOKEN = /\s*(0[xX][0-9a-fA-F]+[uUlL]*|[0-9]+[uUlL]*|[A-Za-z_]\w*|<<|>>|==|!=|<=|>=|&&|\|\||[-+~!&|^()*\/%<>])/y;

function tokenize(s) {
  const out = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(s);
    if (m === null) {
      if (/^\s*$/.test(s.slice(at))) break;
      throw new SyntaxError(`cannot tokenize ${JSON.stringify(s.slice(at))}`);
    }
    out.push(m[1]);
  }
  return out;
}

/** A C integer literal (decimal, 0octal, 0xhex, U/L suffixes) as a BigInt, or undefined. */
function cInt(tok) {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(tok);
  if (m === null) return undefined;
  const s = m[1];
  if (s.length > 1 && s[0] === "0" && s[1] !== "x" && s[1] !== "X") return BigInt("0o" + s.slice(1));
  return BigInt(s);
}

const TYPE_WORDS = new Set(["__force", "unsigned", "signed", "int", "long", "short", "char"]);
const isTypeWord = (t) => t !== undefined && (TYPE_WORDS.has(t) || /^_*[a-z][a-z0-9_]*_t$/.test(t) || /^__[us](8|16|32|64)$/.test(t));

class Unknown extends Error {}

/**
 * Evaluates a C constant expression as a BigInt. In `#if` (forIf), `defined` works and an
 * unknown name is 0; elsewhere an unknown name makes the value unknown (undefined).
 */
function evaluate(expr, env, forIf, depth = 0) {
  if (depth > 40) throw new Unknown("macro recursion");
  const toks = tokenize(expr);
  if (toks.length === 0) throw new Unknown("empty");
  let i = 0;
  const b = (x) => (x ? 1n : 0n);
  const expect = (t) => {
    if (toks[i++] !== t) throw new SyntaxError(`expected ${t} in ${expr}`);
  };
  function primary() {
    const t = toks[i++];
    if (t === undefined) throw new SyntaxError(`unexpected end of ${expr}`);
    if (t === "(") {
      let j = i;
      while (isTypeWord(toks[j])) j++;
      if (j > i && toks[j] === ")") { // a cast such as (__force __poll_t): value unchanged
        i = j + 1;
        return unary();
      }
      const v = binary(0);
      expect(")");
      return v;
    }
    if (t === "defined" && forIf) {
      let name = toks[i++];
      if (name === "(") { name = toks[i++]; expect(")"); }
      return b(env.macros.has(name));
    }
    const n = cInt(t);
    if (n !== undefined) return n;
    if (/^[A-Za-z_]/.test(t)) {
      if (env.enums.has(t)) return env.enums.get(t);
      const m = env.macros.get(t);
      if (m === undefined || m.params !== null) {
        if (forIf) return 0n;
        throw new Unknown(t);
      }
      return evaluate(m.body, env, forIf, depth + 1);
    }
    throw new SyntaxError(`unexpected ${t} in ${expr}`);
  }
  function unary() {
    const t = toks[i];
    if (t === "!") { i++; return b(unary() === 0n); }
    if (t === "~") { i++; return ~unary(); }
    if (t === "-") { i++; return -unary(); }
    if (t === "+") { i++; return unary(); }
    return primary();
  }
  const LEVELS = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];
  function apply(op, x, y) {
    switch (op) {
      case "||": return b(x !== 0n || y !== 0n);
      case "&&": return b(x !== 0n && y !== 0n);
      case "|": return x | y;
      case "^": return x ^ y;
      case "&": return x & y;
      case "==": return b(x === y);
      case "!=": return b(x !== y);
      case "<": return b(x < y);
      case ">": return b(x > y);
      case "<=": return b(x <= y);
      case ">=": return b(x >= y);
      case "<<": return x << y;
      case ">>": return x >> y;
      case "+": return x + y;
      case "-": return x - y;
      case "*": return x * y;
      case "/": return x / y;
      case "%": return x % y;
    }
    throw new SyntaxError(op);
  }
  function binary(level) {
    if (level === LEVELS.length) return unary();
    let x = binary(level + 1);
    while (LEVELS[level].includes(toks[i])) {
      const op = toks[i++];
      x = apply(op, x, binary(level + 1));
    }
    return x;
  }
  const v = binary(0);
  if (i !== toks.length) throw new SyntaxError(`trailing ${toks.slice(i).join(" ")} in ${expr}`);
  return v;
}

/** The value of a macro or enum constant as a Number, or undefined if it has none. */
function valueOf(env, name) {
  if (env.enums.has(name)) return Number(env.enums.get(name));
  const m = env.macros.get(name);
  if (m === undefined || m.params !== null) return undefined;
  try {
    return Number(evaluate(m.body, env, false));
  } catch (e) {
    if (e instanceof Unknown) return undefined;
    throw e;
  }
}

/**
 * Runs the files through the preprocessor in order (their own #includes are not followed:
 * the caller lists every file), sharing one macro table. Returns { macros, enums, text }:
 * text is the active (non-directive) code of all files, for struct and enum parsing.
 */
function preprocess(files, defines) {
  const env = { macros: macroTable(defines), enums: new Map(), text: "" };
  for (const file of files) {
    let src = readHeader(file);
    src = src.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, "").replace(/\\\n/g, " ");
    const out = [];
    const stack = [];
    let on = true;
    const cond = (expr) => evaluate(expr, env, true) !== 0n;
    for (const line of src.split("\n")) {
      const d = /^\s*#\s*(\w+)\s*(.*)$/.exec(line);
      if (d === null) {
        if (on) out.push(line);
        continue;
      }
      const [, dir, rest] = d;
      const word = rest.trim().split(/\s+/)[0];
      if (dir === "if" || dir === "ifdef" || dir === "ifndef") {
        const parentOn = on;
        let taken = false;
        if (parentOn) taken = dir === "if" ? cond(rest) : env.macros.has(word) === (dir === "ifdef");
        stack.push({ parentOn, taken });
        on = parentOn && taken;
      } else if (dir === "elif") {
        const top = stack.at(-1);
        on = top.parentOn && !top.taken && cond(rest);
        if (on) top.taken = true;
      } else if (dir === "else") {
        const top = stack.at(-1);
        on = top.parentOn && !top.taken;
        top.taken = true;
      } else if (dir === "endif") {
        on = stack.pop().parentOn;
      } else if (on && dir === "define") {
        const m = /^(\w+)(?:\(([^)]*)\))?\s*(.*)$/.exec(rest);
        // A macro an architecture header defined first keeps its value (as with #ifndef).
        env.macros.set(m[1], { params: m[2] ?? null, body: m[3].trim() });
      } else if (on && dir === "undef") {
        env.macros.delete(word);
      }
    }
    assert.equal(stack.length, 0, `${file}: unbalanced #if`);
    const text = out.join("\n");
    env.text += text + "\n";
    for (const [, body] of text.matchAll(/\benum\b[^{;]*\{([^}]*)\}/g)) {
      let next = 0n;
      for (const item of body.split(",")) {
        const m = /^\s*(\w+)\s*(?:=\s*([^]*?))?\s*$/.exec(item);
        if (m === null) continue;
        let v = next;
        if (m[2] !== undefined) {
          try {
            v = evaluate(m[2], env, false);
          } catch (e) {
            if (!(e instanceof Unknown || e instanceof SyntaxError)) throw e;
            v = undefined; // e.g. __constant_cpu_to_be32(...): not a constant jsk:sys has
          }
        }
        if (v !== undefined) env.enums.set(m[1], v);
        next = v === undefined ? undefined : v + 1n;
      }
    }
  }
  return env;
}

// ---- struct layout -----------------------------------------------------------------

const LP64 = {
  "unsigned long": 8, long: 8, "unsigned long long": 8, "long long": 8,
  __kernel_ulong_t: 8, __kernel_long_t: 8, __u64: 8, __s64: 8,
  "unsigned int": 4, int: 4, __u32: 4, __s32: 4, __poll_t: 4,
  "unsigned short": 2, short: 2, __u16: 2, "unsigned char": 1, char: 1, __u8: 1,
};

/** Lays out `struct name` from the active header text: { fields: name → [offset, size], size }. */
function structLayout(env, name) {
  const m = new RegExp(`\\bstruct\\s+${name}\\s*\\{([^}]*)\\}([^;]*);`).exec(env.text);
  assert.ok(m, `struct ${name} not found in the headers`);
  const attrs = m[2].trim().split(/\s+/).filter(Boolean).map((w) => env.macros.get(w)?.body ?? w).join(" ");
  const packed = /\bpacked\b/.test(attrs);
  const fields = {};
  let off = 0, maxAlign = 1;
  for (const decl of m[1].split(";")) {
    const d = decl.trim().replace(/\s+/g, " ");
    if (d === "") continue;
    const f = /^(.*?) ?\b(\w+) ?(?:\[(\d+)\])?$/.exec(d);
    const size = LP64[f[1]];
    assert.ok(size, `struct ${name}: unknown type ${f[1]}`);
    const align = packed ? 1 : size;
    off = Math.ceil(off / align) * align;
    fields[f[2]] = [off, size];
    off += size * (f[3] === undefined ? 1 : Number(f[3]));
    maxAlign = Math.max(maxAlign, align);
  }
  return { fields, size: Math.ceil(off / maxAlign) * maxAlign };
}

/** st_atime_nsec → atimeNsec, the names jsk:sys/arch uses. */
const jsName = (field) => field.replace(/^st_/, "").replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function checkStat(table, layout, label) {
  const problems = [];
  const seen = new Set();
  for (const [field, [off, size]] of Object.entries(layout.fields)) {
    if (field.startsWith("__")) continue; // padding
    const name = jsName(field);
    seen.add(name);
    const js = table[name];
    if (js === undefined) problems.push(`${name} (${field}) missing, header has [${off}, ${size}]`);
    else if (js[0] !== off || js[1] !== size) problems.push(`${name}: [${js}], header has [${off}, ${size}]`);
  }
  for (const name of Object.keys(table)) {
    if (name !== "bytes" && !seen.has(name)) problems.push(`${name}: not a field of the header's struct stat`);
  }
  if (table.bytes !== layout.size) problems.push(`bytes: ${table.bytes}, header's sizeof is ${layout.size}`);
  assert.deepEqual(problems, [], `${label} struct stat`);
}

// ---- syscall numbers ------------------------------------------------------------------

function syscallNumbers(env) {
  const out = {};
  for (const [name, m] of env.macros) {
    if (!name.startsWith("__NR_") || m.params !== null) continue;
    const sc = name.slice(5);
    if (sc === "syscalls" || sc === "arch_specific_syscall") continue; // a count, a base
    const v = valueOf(env, name);
    assert.ok(v !== undefined, `${name}: no value`);
    out[sc] = v;
  }
  return out;
}

function compareSyscalls(js, header, label) {
  const problems = [];
  const top = Math.max(...Object.values(js));
  for (const [name, n] of Object.entries(js)) {
    if (header[name] === undefined) problems.push(`${name}: ${n}, but the header has no __NR_${name}`);
    else if (header[name] !== n) problems.push(`${name}: ${n}, the header says ${header[name]}`);
  }
  for (const [name, n] of Object.entries(header)) {
    if (js[name] === undefined && n <= top) problems.push(`${name}: missing (the header says ${n})`);
  }
  assert.deepEqual(problems, [], `${label} syscall table`);
  return Object.keys(js).length;
}

// ---- the headers, per architecture -------------------------------------------------------

// Constants: the files jsk:sys's comments cite, in include order.
const COMMON_BEFORE = [`${INC}/linux/libc-compat.h`];
const COMMON_AFTER = [
  `${INC}/linux/fcntl.h`, `${INC}/linux/fs.h`, `${INC}/linux/stat.h`, `${INC}/linux/mman.h`, `${INC}/linux/memfd.h`,
  `${INC}/linux/eventpoll.h`, `${INC}/linux/time.h`, `${INC}/linux/random.h`,
  `${INC}/linux/in.h`, `${INC}/linux/in6.h`, `${INC}/linux/tcp.h`, `${INC}/linux/if_ether.h`,
  `${INC}/linux/if_packet.h`, `${INC}/linux/netlink.h`,
  `${GEN}/errno-base.h`, `${GEN}/errno.h`, `${GEN}/ioctl.h`,
];
const CONSTANT_HEADERS = {
  x86_64: [
    ...COMMON_BEFORE, `${GEN}/fcntl.h`, `${GEN}/mman-common.h`, `${X86_ASM}/mman.h`, `${GEN}/mman.h`,
    `${GEN}/socket.h`, `${X86_ASM}/signal.h`, ...COMMON_AFTER,
  ],
  aarch64: [
    ...COMMON_BEFORE, `${GEN}/fcntl.h`, `${GEN}/mman-common.h`, `${GEN}/mman.h`,
    `${GEN}/socket.h`, `${GEN}/signal-defs.h`, `${GEN}/signal.h`, ...COMMON_AFTER,
  ],
};

/** jsk:sys's numeric constants as they are on `table`'s architecture. */
function constantsFor(table) {
  const out = {};
  for (const [k, v] of Object.entries(sys)) if (typeof v === "number" && /^[A-Z][A-Z0-9_]+$/.test(k)) out[k] = v;
  for (const [k, v] of Object.entries(sys.E)) out[k] = v;
  // What jsk:sys derives from jsk:sys/arch, re-derived for the other architecture.
  for (const k of ["O_DIRECT", "O_LARGEFILE", "O_DIRECTORY", "O_NOFOLLOW"]) out[k] = table[k];
  out.O_TMPFILE = (sys.O_TMPFILE & ~sys.O_DIRECTORY) | table.O_DIRECTORY;
  return out;
}

// Names jsk:sys exports that no UAPI header defines, so they are not checked here: AF_*,
// MSG_*, SOL_PACKET and SOCK_* types are in the kernel's internal include/linux/socket.h
// and net.h, EFD_* in include/linux/eventfd.h (equal to O_NONBLOCK/O_CLOEXEC, which are
// checked), DT_* in include/linux/fs_types.h, SHUT_* and ENOTSUP are glibc's names.
const NOT_IN_UAPI = /^(AF_|SOL_PACKET$|MSG_|SHUT_|SOCK_(STREAM|DGRAM|RAW|SEQPACKET|NONBLOCK|CLOEXEC)$|EFD_|DT_|ENOTSUP$)/;

function checkConstants(table, defines) {
  const env = preprocess(CONSTANT_HEADERS[table.name], defines);
  const problems = [];
  const unchecked = [];
  let checked = 0;
  for (const [name, v] of Object.entries(constantsFor(table))) {
    const h = valueOf(env, name);
    if (h === undefined) {
      if (!NOT_IN_UAPI.test(name)) unchecked.push(name);
      continue;
    }
    checked++;
    if (h !== v) problems.push(`${name}: ${v} (0o${v.toString(8)}), the header says ${h} (0o${h.toString(8)})`);
  }
  assert.deepEqual(problems, [], `${table.name} constants`);
  assert.deepEqual(unchecked, [], `${table.name}: constants the headers should define but do not`);
  return { env, checked };
}

// ---- tests ---------------------------------------------------------------------------------

test("x86_64 syscall numbers = asm/unistd_64.h", () => {
  const env = preprocess([`${X86_ASM}/unistd_64.h`], X86_64_DEFINES);
  const n = compareSyscalls(X86_64.nr, syscallNumbers(env), "x86_64");
  assert.ok(n > 350, `only ${n} x86_64 syscalls`);
});

test("aarch64 syscall numbers = asm-generic/unistd.h as arm64 configures it", () => {
  const env = preprocess([`${GEN}/unistd.h`], AARCH64_DEFINES);
  const header = syscallNumbers(env);
  // The 64-bit names of the __NR3264_* entries, and what arm64 leaves out.
  assert.equal(header.fstat, 80);
  assert.equal(header.newfstatat, 79);
  assert.equal(header.fcntl, 25);
  assert.equal(header.mmap, 222);
  assert.equal(header.fcntl64, undefined);
  assert.equal(header.open, undefined);
  assert.equal(header.sync_file_range2, undefined);
  const n = compareSyscalls(AARCH64.nr, header, "aarch64");
  assert.ok(n > 300, `only ${n} aarch64 syscalls`);
});

test("x86_64 constants = the x86_64 headers", () => {
  const { checked } = checkConstants(X86_64, X86_64_DEFINES);
  assert.ok(checked > 200, `only ${checked} constants checked`);
});

test("aarch64 constants = the asm-generic headers with arm64's fcntl.h overrides", () => {
  const { env, checked } = checkConstants(AARCH64, AARCH64_DEFINES);
  assert.ok(checked > 200, `only ${checked} constants checked`);
  // The generic values are the ones x86_64 uses: arm64 really does differ.
  const generic = preprocess([`${GEN}/fcntl.h`], X86_64_DEFINES);
  for (const k of ["O_DIRECT", "O_LARGEFILE", "O_DIRECTORY", "O_NOFOLLOW"]) {
    assert.equal(valueOf(generic, k), X86_64[k], k);
    assert.notEqual(valueOf(env, k), X86_64[k], k);
  }
  // Every O_* flag of each architecture is its own bit(s), none shared.
  for (const table of [X86_64, AARCH64]) {
    const c = constantsFor(table);
    const single = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK",
      "O_DSYNC", "O_DIRECT", "O_LARGEFILE", "O_DIRECTORY", "O_NOFOLLOW", "O_NOATIME", "O_CLOEXEC", "O_PATH"];
    let seen = 0;
    for (const k of single) {
      assert.equal(seen & c[k], 0, `${table.name} ${k} overlaps another flag`);
      seen |= c[k];
    }
  }
});

test("struct stat: the offsets jsk:sys decodes = the headers' layout", () => {
  const x86 = preprocess([`${X86_ASM}/stat.h`], X86_64_DEFINES);
  checkStat(X86_64.stat, structLayout(x86, "stat"), "x86_64");
  const gen = preprocess([`${GEN}/stat.h`], AARCH64_DEFINES);
  const layout = structLayout(gen, "stat");
  assert.equal(layout.size, 128);
  checkStat(AARCH64.stat, layout, "aarch64");
});

test("struct epoll_event: packed on x86_64 only", () => {
  for (const [table, defines] of [[X86_64, X86_64_DEFINES], [AARCH64, AARCH64_DEFINES]]) {
    const layout = structLayout(preprocess([`${INC}/linux/eventpoll.h`], defines), "epoll_event");
    assert.deepEqual(layout.fields.events, [0, 4], table.name);
    assert.deepEqual(
      { size: table.epollEvent.size, data: table.epollEvent.data },
      { size: layout.size, data: layout.fields.data[0] },
      `${table.name} struct epoll_event`,
    );
  }
});

test("ioctl request encoding = asm-generic/ioctl.h", () => {
  const env = preprocess([`${GEN}/ioctl.h`], X86_64_DEFINES);
  const v = (k) => valueOf(env, k);
  const enc = (dir, type, nr, size) =>
    ((dir << v("_IOC_DIRSHIFT")) | (type << v("_IOC_TYPESHIFT")) | (nr << v("_IOC_NRSHIFT")) | (size << v("_IOC_SIZESHIFT"))) >>> 0;
  const f = "f".charCodeAt(0);
  assert.equal(sys._IO(f, 3), enc(v("_IOC_NONE"), f, 3, 0));
  assert.equal(sys._IOW(f, 2, 8), enc(v("_IOC_WRITE"), f, 2, 8));
  assert.equal(sys._IOR(f, 1, 8), enc(v("_IOC_READ"), f, 1, 8));
  assert.equal(sys._IOWR(0x12, 114, 0x3fff), enc(v("_IOC_READ") | v("_IOC_WRITE"), 0x12, 114, 0x3fff));
  assert.equal(v("_IOC_SIZEBITS"), 14);
});
