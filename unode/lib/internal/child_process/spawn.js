// node:internal/child_process/spawn — starting a program with fork + execve
// from raw system calls, for node:child_process.
//
// Why fork from a JavaScript interpreter is acceptable here
// ----------------------------------------------------------
// jsk is multi-threaded (the JS thread, the main thread waiting for it, maybe
// a watchdog). fork() copies only the calling thread; any lock another thread
// held at that instant stays locked forever in the child. The child therefore
// must not take locks, which in practice means: no allocation. So everything
// the child needs — the NUL-terminated argv/envp strings in one ArrayBuffer,
// the pointer arrays (BigUint64Array of addressOf() values), every candidate
// path of the PATH search, the fd plan, the zeroed `struct sigaction` and the
// signal sets — is built BEFORE the fork, and reduced to plain numbers held in
// local variables. After clone() returns 0 the child runs straight-line JS
// that only reads those locals and typed-array elements and calls `syscall`
// with number arguments: dup3 the stdio plan onto 0,1,2..., chdir, setsid,
// setgroups/setgid/setuid, every signal back to SIG_DFL, the signal mask
// emptied, then execve over each PATH candidate (execve does not search). If
// all fail it writes the errno into the CLOEXEC status pipe and calls
// exit_group(127). It never returns into the caller, so the parent's exit
// listeners, timers and device cleanup can never run in the child, and there
// is no throw on that path (all arguments are pre-validated numbers).
//
// The parent blocks every signal around clone(), so jsk's SIGINT/SIGTERM/
// SIGHUP handlers cannot run in the child before they are reset.
//
// The remaining risk: the `syscall` native itself is entered through
// rquickjs, which collects the arguments into a small Vec (one malloc/free of
// ~100 bytes per call). glibc serves that from the thread's tcache without a
// lock in practice; only if the tcache were empty and another thread held the
// same arena's lock at the instant of the fork could the child block before
// execve. (The QuickJS interpreter allocates nothing for these operations:
// numbers are immediate values and no object is created; GC runs only on
// allocation.) A termination flag already raised at the instant of the fork
// would make QuickJS's interrupt check throw in the child; the host's
// termination path runs only once the JS stack unwinds, a window of a few
// instructions that this code does not close.
//
// clone's argument order for the thread-id and TLS arguments differs between
// x86_64 (flags, stack, ptid, ctid, tls) and aarch64 (flags, stack, ptid,
// tls, ctid); with all of them 0 (plain fork semantics: SIGCHLD as the exit
// signal, no CLONE_* flags) the difference does not matter.

import { syscall, addressOf, encodeUtf8 } from "jsk:native";
import { nr, O_CLOEXEC, O_NONBLOCK, O_RDWR, F_SETFL, F_GETFL } from "jsk:sys";

const NR_clone = nr.clone, NR_dup3 = nr.dup3, NR_fcntl = nr.fcntl, NR_chdir = nr.chdir;
const NR_setsid = nr.setsid, NR_setgid = nr.setgid, NR_setuid = nr.setuid, NR_setgroups = nr.setgroups;
const NR_rt_sigaction = nr.rt_sigaction, NR_rt_sigprocmask = nr.rt_sigprocmask, NR_execve = nr.execve;
const NR_write = nr.write, NR_read = nr.read, NR_exit_group = nr.exit_group, NR_close = nr.close;
const NR_pipe2 = nr.pipe2, NR_pidfd_open = nr.pidfd_open, NR_waitid = nr.waitid, NR_wait4 = nr.wait4;
const NR_ppoll = nr.ppoll, NR_openat = nr.openat, NR_kill = nr.kill;

const SIGCHLD = 17, SIG_SETMASK = 2, F_SETFD = 2, F_DUPFD_CLOEXEC = 1030;
const EINTR = 4, ENOENT = 2, ENOTDIR = 20, EACCES = 13, EAGAIN = 11;
const AT_FDCWD = -100;
export const P_PID = 1, P_PIDFD = 3, WEXITED = 4, WNOHANG = 1;

// Kernel structures shared by every spawn (the child reads copies of them).
const sigactionDefault = new ArrayBuffer(64); // all zero: SIG_DFL, no flags, empty mask
const sigsetEmpty = new ArrayBuffer(8);
const sigsetFull = new Uint8Array(8).fill(0xff).buffer;
const sigsetSaved = new ArrayBuffer(8);
const addrDefault = Number(addressOf(sigactionDefault));
const addrEmpty = Number(addressOf(sigsetEmpty));
const addrFull = Number(addressOf(sigsetFull));
const addrSaved = Number(addressOf(sigsetSaved));
const errnoBox = new Int32Array(1);
const addrErrno = Number(addressOf(errnoBox));
const pair = new Int32Array(2);

/** pipe2(flags) → [read end, write end], or throws with errno. */
export function pipe(flags) {
  const r = syscall(NR_pipe2, pair, flags);
  if (r < 0) throw errnoError(-r, "pipe2");
  return [pair[0], pair[1]];
}

export function errnoError(errno, syscallName) {
  const e = new Error(`${syscallName} failed: errno ${errno}`);
  e.errno = errno;
  e.syscall = syscallName;
  return e;
}

export function setNonBlocking(fd) {
  const fl = syscall(NR_fcntl, fd, F_GETFL, 0);
  if (fl >= 0) syscall(NR_fcntl, fd, F_SETFL, fl | O_NONBLOCK);
}

export function closeFd(fd) { if (fd >= 0) syscall(NR_close, fd); }

let devNull = -1;
/** One O_RDWR|O_CLOEXEC descriptor of /dev/null for the 'ignore' slots, kept open. */
export function devNullFd() {
  if (devNull < 0) {
    devNull = syscall(NR_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC, 0);
    if (devNull < 0) throw errnoError(-devNull, "open");
  }
  return devNull;
}

/** NUL-terminated UTF-8 strings packed into one buffer; offsets of each. */
function packStrings(lists) {
  const encoded = [];
  let total = 0;
  for (const list of lists) {
    for (const s of list) {
      const b = encodeUtf8(s);
      if (b.indexOf(0) !== -1) return null;
      encoded.push(b);
      total += b.length + 1;
    }
  }
  const buf = new Uint8Array(total);
  const base = Number(addressOf(buf));
  const addrs = [];
  let off = 0;
  for (const b of encoded) {
    buf.set(b, off);
    addrs.push(base + off);
    off += b.length + 1;
  }
  return { buf, addrs };
}

/** The paths execve should try for `file`, as execvp would search them. */
export function candidates(file, pathEnv) {
  if (file.includes("/")) return [file];
  const dirs = (pathEnv ?? "/usr/local/bin:/usr/bin:/bin").split(":");
  return [...new Set(dirs.map((d) => (d === "" ? file : d.endsWith("/") ? d + file : `${d}/${file}`)))];
}

/**
 * Build everything the child needs. `spec`: { file, argv, env (array of "K=V"),
 * cwd, fds: [[src, dst], ...] (src -1 = leave dst alone), detached, uid, gid, pathEnv }.
 * Returns null if a string contains NUL (Node throws ERR_INVALID_ARG_VALUE first).
 */
export function prepare(spec) {
  const cands = candidates(spec.file, spec.pathEnv);
  const packed = packStrings([cands, spec.argv, spec.env, spec.cwd === undefined ? [] : [spec.cwd]]);
  if (packed === null) return null;
  const nC = cands.length, nA = spec.argv.length, nE = spec.env.length;
  const argv = new BigUint64Array(nA + 1);
  for (let i = 0; i < nA; i++) argv[i] = BigInt(packed.addrs[nC + i]);
  const envp = new BigUint64Array(nE + 1);
  for (let i = 0; i < nE; i++) envp[i] = BigInt(packed.addrs[nC + nA + i]);
  const candAddrs = new Float64Array(nC);
  for (let i = 0; i < nC; i++) candAddrs[i] = packed.addrs[i];
  const fdSrc = new Int32Array(spec.fds.length), fdDst = new Int32Array(spec.fds.length);
  let maxFd = 0;
  spec.fds.forEach(([s, d], i) => { fdSrc[i] = s; fdDst[i] = d; if (d + 1 > maxFd) maxFd = d + 1; });
  return {
    packed, argv, envp, candAddrs, fdSrc, fdDst, maxFd,
    argvAddr: Number(addressOf(argv)), envpAddr: Number(addressOf(envp)),
    cwdAddr: spec.cwd === undefined ? 0 : packed.addrs[nC + nA + nE],
    detached: spec.detached ? 1 : 0,
    uid: spec.uid === undefined ? -1 : spec.uid, gid: spec.gid === undefined ? -1 : spec.gid,
  };
}

/**
 * fork + exec. Returns { pid } on success, { errno } if the child could not
 * exec (it has been reaped), or throws for a failure before the fork.
 */
export function forkExec(p) {
  const [statusR, statusW] = pipe(O_CLOEXEC);
  // Everything the child touches, as locals.
  const fdSrc = p.fdSrc, fdDst = p.fdDst, nFds = fdSrc.length, maxFd = p.maxFd;
  const cands = p.candAddrs, nCands = cands.length, argvAddr = p.argvAddr, envpAddr = p.envpAddr;
  const cwdAddr = p.cwdAddr, detached = p.detached, uid = p.uid, gid = p.gid;
  const box = errnoBox, boxAddr = addrErrno, dfl = addrDefault;

  syscall(NR_rt_sigprocmask, SIG_SETMASK, addrFull, addrSaved, 8);
  const pid = syscall(NR_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid === 0) {
    // ---- the child: raw syscalls on prepared numbers only; never returns ----
    let r = 0;
    fail: {
      if (detached === 1) {
        r = syscall(NR_setsid);
        if (r < 0) break fail;
      }
      // Sources that sit where another target goes are moved out of the way first.
      for (let i = 0; i < nFds; i++) {
        const s = fdSrc[i];
        if (s >= 0 && s < maxFd && s !== fdDst[i]) {
          r = syscall(NR_fcntl, s, F_DUPFD_CLOEXEC, maxFd);
          if (r < 0) break fail;
          fdSrc[i] = r;
        }
      }
      for (let i = 0; i < nFds; i++) {
        const s = fdSrc[i], d = fdDst[i];
        if (s < 0) continue;
        r = s === d ? syscall(NR_fcntl, d, F_SETFD, 0) : syscall(NR_dup3, s, d, 0);
        if (r < 0) break fail;
      }
      if (cwdAddr !== 0) {
        r = syscall(NR_chdir, cwdAddr);
        if (r < 0) break fail;
      }
      if (gid >= 0 || uid >= 0) syscall(NR_setgroups, 0, 0);
      if (gid >= 0) {
        r = syscall(NR_setgid, gid);
        if (r < 0) break fail;
      }
      if (uid >= 0) {
        r = syscall(NR_setuid, uid);
        if (r < 0) break fail;
      }
      for (let sig = 1; sig < 65; sig++) {
        if (sig !== 9 && sig !== 19) syscall(NR_rt_sigaction, sig, dfl, 0, 8);
      }
      syscall(NR_rt_sigprocmask, SIG_SETMASK, addrEmpty, 0, 8);
      let denied = 0;
      r = -ENOENT;
      for (let i = 0; i < nCands; i++) {
        r = syscall(NR_execve, cands[i], argvAddr, envpAddr);
        if (r === -EACCES) denied = 1;
        else if (r !== -ENOENT && r !== -ENOTDIR) break fail;
      }
      if (denied === 1) r = -EACCES;
    }
    box[0] = -r;
    syscall(NR_write, statusW, boxAddr, 4);
    for (;;) syscall(NR_exit_group, 127);
  }
  // ---- the parent ----
  syscall(NR_rt_sigprocmask, SIG_SETMASK, addrSaved, 0, 8);
  syscall(NR_close, statusW);
  if (pid < 0) {
    syscall(NR_close, statusR);
    throw errnoError(-pid, "clone");
  }
  const got = new Int32Array(1);
  let n;
  do n = syscall(NR_read, statusR, got, 4); while (n === -EINTR);
  syscall(NR_close, statusR);
  if (n === 4) {
    reap(pid);
    return { errno: got[0] };
  }
  return { pid };
}

const siginfo = new Int32Array(32); // siginfo_t is 128 bytes

/** Wait for `pid` (blocking) and discard its status. */
export function reap(pid) {
  let r;
  do r = syscall(NR_wait4, pid, 0, 0, 0); while (r === -EINTR);
}

/**
 * Collect an exited child: { code, signal } (signal a number or 0), or null
 * if it has not exited yet. Uses waitid(P_PID, pid, WEXITED|WNOHANG).
 */
export function tryWait(pid) {
  siginfo.fill(0);
  let r;
  do r = syscall(NR_waitid, P_PID, pid, siginfo, WEXITED | WNOHANG, 0); while (r === -EINTR);
  // si_code at byte 8; the SIGCHLD fields start at 16: si_pid, si_uid, si_status.
  if (r < 0 || siginfo[4] === 0) return null; // si_pid 0: still running
  const siCode = siginfo[2], status = siginfo[6];
  return siCode === 1 ? { code: status, signal: 0 } : { code: null, signal: status };
}

/** pidfd_open(pid): a descriptor readable once the child exits, or -errno. */
export function pidfdOpen(pid) { return syscall(NR_pidfd_open, pid, 0); }

export function sendSignal(pid, sig) { return syscall(NR_kill, pid, sig); }

// ---- ppoll for the sync forms --------------------------------------------------

export const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;
const timespec = new BigInt64Array(2);

/** ppoll over `pfds` (Int32Array of [fd, events|revents<<16] pairs). Returns the count or -errno. */
export function poll(pfds, n, timeoutMs) {
  let ts = 0;
  if (timeoutMs >= 0) {
    timespec[0] = BigInt(Math.floor(timeoutMs / 1000));
    timespec[1] = BigInt(Math.floor((timeoutMs % 1000) * 1e6));
    ts = timespec;
  }
  return syscall(NR_ppoll, pfds, n, ts, 0, 8);
}

export { EAGAIN, EINTR };
