// jsk:sys — Linux system calls over the native `syscall`, with C names and argument order.
//
// Every function below throws SysError when the kernel answers -errno (the codes listed are
// the typical ones, not all); TypeError/RangeError for arguments jsk:sys rejects before the
// call (a buffer length past its end, a path containing NUL, a malformed address).
declare module "jsk:sys" {
  import type { SyscallArg } from "jsk:native";
  export { syscall, syscall64, addressOf, arch } from "jsk:native";

  /** Bytes the kernel reads or writes: an ArrayBuffer or any view (at its byteOffset). */
  export type Bytes = ArrayBuffer | ArrayBufferView;
  /** Bytes to send or write; a string is sent as UTF-8. */
  export type Data = string | Bytes;
  /** A file offset (pread/pwrite/lseek/mmap): a number, or a BigInt beyond 2^53. */
  export type Offset = number | bigint;

  /** Syscall numbers for this architecture, name → number (complete as of Linux 6.1). */
  export const nr: Readonly<Record<string, number>>;

  // ---- errors ------------------------------------------------------------------------

  /** A system call that failed: the kernel returned -errno. */
  export class SysError extends Error {
    /** @param errno positive or negative errno. */
    constructor(syscall: string, errno: number, detail?: string);
    name: "SysError";
    /** Positive errno, e.g. 2. */
    errno: number;
    /** Its name, e.g. "ENOENT"; "EUNKNOWN" for a number not in the table. */
    code: string;
    /** The jsk:sys function that failed, e.g. "open". */
    syscall: string;
    /** E.g. `open("/nope"): ENOENT (No such file or directory)`. */
    message: string;
  }
  /** errno name → number for every Linux errno 1..133, plus aliases EWOULDBLOCK, EDEADLOCK, ENOTSUP. */
  export const E: Readonly<Record<string, number>> & {
    readonly EPERM: 1; readonly ENOENT: 2; readonly ESRCH: 3; readonly EINTR: 4; readonly EIO: 5;
    readonly ENXIO: 6; readonly EBADF: 9; readonly EAGAIN: 11; readonly EWOULDBLOCK: 11;
    readonly ENOMEM: 12; readonly EACCES: 13; readonly EFAULT: 14; readonly EBUSY: 16;
    readonly EEXIST: 17; readonly ENODEV: 19; readonly ENOTDIR: 20; readonly EISDIR: 21;
    readonly EINVAL: 22; readonly EMFILE: 24; readonly ENOTTY: 25; readonly ENOSPC: 28;
    readonly ESPIPE: 29; readonly EPIPE: 32; readonly ERANGE: 34; readonly ENOSYS: 38;
    readonly ENOTEMPTY: 39; readonly ELOOP: 40; readonly EOPNOTSUPP: 95; readonly ENOTSUP: 95;
    readonly EADDRINUSE: 98; readonly EADDRNOTAVAIL: 99; readonly ENETUNREACH: 101;
    readonly ECONNRESET: 104; readonly ENOBUFS: 105; readonly EISCONN: 106; readonly ENOTCONN: 107;
    readonly ETIMEDOUT: 110; readonly ECONNREFUSED: 111; readonly EHOSTUNREACH: 113;
    readonly EALREADY: 114; readonly EINPROGRESS: 115;
  };
  /** "ENOENT" for 2 (or -2); undefined for an unknown number. */
  export function errnoName(errno: number): string | undefined;
  /** glibc's text for an errno, e.g. "No such file or directory"; "Unknown error N" otherwise. */
  export function strerror(errno: number): string;
  /**
   * Checks a raw `syscall`/`syscall64` result: returns it, or throws SysError when it is in
   * -4095..-1 (a BigInt may be signed or the unsigned 64-bit form).
   * @throws SysError named `name`.
   */
  export function check<T extends number | bigint>(result: T, name?: string, detail?: string): T;

  // ---- files -------------------------------------------------------------------------

  /** open(2) (as openat(AT_FDCWD, …)): a new fd. @throws SysError ENOENT, EACCES, EEXIST (O_CREAT|O_EXCL), ENOTDIR, EISDIR, ELOOP, EMFILE. @throws TypeError if path is not a string or contains NUL. */
  export function open(path: string, flags?: number, mode?: number): number;
  /** openat(2) relative to `dirfd` (or AT_FDCWD). @throws SysError as open, plus EBADF. */
  export function openat(dirfd: number, path: string, flags?: number, mode?: number): number;
  /** @throws SysError EBADF, EINTR, EIO. */
  export function close(fd: number): number;
  /**
   * read(2) into `buf` (its first `length` bytes; default all): bytes read, 0 at end of file.
   * @throws SysError EAGAIN (non-blocking, nothing ready), EBADF, EINTR, EIO, EISDIR, EFAULT.
   * @throws RangeError if `length` exceeds the buffer. @throws TypeError if buf is not a buffer.
   */
  export function read(fd: number, buf: Bytes, length?: number): number;
  /** write(2): bytes written (may be fewer than given). @throws SysError EAGAIN, EBADF, EPIPE, ENOSPC, EINTR, EIO. @throws RangeError if `length` exceeds the data. */
  export function write(fd: number, data: Data, length?: number): number;
  /** pread64(2) at `offset`, leaving the file offset alone. @throws SysError EBADF, ESPIPE (pipe/socket), EINVAL, EIO. */
  export function pread(fd: number, buf: Bytes, offset: Offset, length?: number): number;
  /** pwrite64(2) at `offset`. @throws SysError EBADF, ESPIPE, ENOSPC, EIO. */
  export function pwrite(fd: number, data: Data, offset: Offset, length?: number): number;
  /** lseek(2): the new offset. whence defaults to SEEK_SET. @throws SysError EBADF, EINVAL, ESPIPE, ENXIO (SEEK_DATA/HOLE). */
  export function lseek(fd: number, offset: Offset, whence?: number): number;
  /** @throws SysError EBADF, EIO, EINVAL. */
  export function fsync(fd: number): number;
  /** @throws SysError EBADF, EINVAL, EFBIG, EPERM. */
  export function ftruncate(fd: number, length: Offset): number;
  /** fcntl(2) with an integer argument: the command's result. @throws SysError EBADF, EINVAL. */
  export function fcntl(fd: number, cmd: number, arg?: number): number;
  /** @throws SysError EBADF, EMFILE. */
  export function dup(fd: number): number;
  /** dup3(2): `newfd`. @throws SysError EBADF, EINVAL (same fd), EMFILE. */
  export function dup3(oldfd: number, newfd: number, flags?: number): number;
  /**
   * ioctl(2). `arg` is passed as given: an integer, or a buffer whose address the driver
   * reads/writes (size it as the request expects: the kernel does not know its length).
   * Returns the driver's non-negative result. @throws SysError ENOTTY (not this device's request), EINVAL, EFAULT, EBADF, EPERM.
   */
  export function ioctl(fd: number, request: number | bigint, arg?: SyscallArg): number;
  /** ioctl request numbers, include/uapi/asm-generic/ioctl.h. `type` is a number or a one-character string. */
  export function _IO(type: number | string, nr: number): number;
  export function _IOR(type: number | string, nr: number, size: number): number;
  export function _IOW(type: number | string, nr: number, size: number): number;
  export function _IOWR(type: number | string, nr: number, size: number): number;

  /** unlink(2). @throws SysError ENOENT, EISDIR, EACCES, EPERM, EBUSY. */
  export function unlink(path: string): number;
  /** unlinkat(2); flags AT_REMOVEDIR removes a directory. @throws SysError as unlink/rmdir. */
  export function unlinkat(dirfd: number, path: string, flags?: number): number;
  /** rmdir(2). @throws SysError ENOENT, ENOTDIR, ENOTEMPTY, EBUSY. */
  export function rmdir(path: string): number;
  /** mkdir(2), mode 0o777 by default (less the umask). @throws SysError EEXIST, ENOENT, EACCES, ENOSPC. */
  export function mkdir(path: string, mode?: number): number;
  export function mkdirat(dirfd: number, path: string, mode?: number): number;
  /** rename(2) (as renameat2 with no flags). @throws SysError ENOENT, EXDEV, EISDIR, ENOTEMPTY, EACCES. */
  export function rename(oldPath: string, newPath: string): number;
  /** readlink(2): the link's target. @throws SysError ENOENT, EINVAL (not a link), EACCES. */
  export function readlink(path: string): string;

  /** A decoded struct stat (x86_64 and aarch64 layouts differ; jsk:sys/arch has both). */
  export class Stats {
    dev: number; ino: number; mode: number; nlink: number; uid: number; gid: number;
    rdev: number; size: number; blksize: number; blocks: number;
    /** Times as milliseconds since the epoch, with the nanoseconds as a fraction. */
    atimeMs: number; mtimeMs: number; ctimeMs: number;
    isFile(): boolean; isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean;
    isFIFO(): boolean; isSymbolicLink(): boolean; isSocket(): boolean;
  }
  /** @throws SysError EBADF. */
  export function fstat(fd: number): Stats;
  /** stat(2), following symlinks. @throws SysError ENOENT, ENOTDIR, EACCES, ELOOP. */
  export function stat(path: string): Stats;
  /** lstat(2): a symlink itself. @throws SysError as stat. */
  export function lstat(path: string): Stats;
  /** newfstatat(2); flags AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. @throws SysError as stat, plus EBADF. */
  export function fstatat(dirfd: number, path: string, flags?: number): Stats;
  /** Major and minor numbers of a dev/rdev (the kernel's new_encode_dev layout), and back. */
  export function major(dev: number): number;
  export function minor(dev: number): number;
  export function makedev(major: number, minor: number): number;

  /** getdents64(2) into `buf`: bytes of struct linux_dirent64 records, 0 at the end. @throws SysError EBADF, ENOTDIR, EINVAL (buffer too small). */
  export function getdents64(fd: number, buf: Bytes): number;
  /** Entry names of a directory, without "." and "..", unsorted. @throws SysError ENOENT, ENOTDIR, EACCES. */
  export function readdir(path: string): string[];
  /** A whole file's bytes (works for /proc and /sys, whose sizes are not known up front). @throws SysError ENOENT, EACCES, EISDIR, EIO. */
  export function readFile(path: string): Uint8Array;
  /** A whole file as UTF-8 text. */
  export function readFile(path: string, encoding: "utf8" | "utf-8"): string;
  /**
   * Writes all of `data`, looping over short writes (a sysfs attribute gets it in one
   * write). flags default O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, mode 0o666.
   * @throws SysError ENOENT, EACCES, ENOSPC, and whatever a sysfs attribute's store returns (EINVAL, EBUSY, ENODEV…).
   */
  export function writeFile(path: string, data: Data, flags?: number, mode?: number): void;

  // ---- memory ------------------------------------------------------------------------

  /**
   * mmap(2): an ArrayBuffer of `length` bytes aliasing the mapping (fd -1 and offset 0 by
   * default, for MAP_ANONYMOUS). It stays valid until munmap; munmap of the whole buffer
   * detaches it. @throws SysError EACCES, EBADF, EINVAL (alignment, flags), ENODEV, ENOMEM, EPERM.
   * @throws RangeError unless length is a positive integer.
   */
  export function mmap(addr: bigint | number | null, length: number, prot: number, flags: number, fd?: number, offset?: Offset): ArrayBuffer;
  /** As mmap, returning the mapping's address instead of a buffer. */
  export function mmapAddress(addr: bigint | number | null, length: number, prot: number, flags: number, fd?: number, offset?: Offset): bigint;
  /**
   * munmap(2) of a buffer from mmap (length defaults to its byteLength; unmapping all of
   * an ArrayBuffer detaches it, so later access throws instead of faulting) or of an
   * address and length. @throws SysError EINVAL (unaligned). @throws TypeError if an address comes without a length.
   */
  export function munmap(target: ArrayBuffer | ArrayBufferView | bigint | number, length?: number): number;
  /** mprotect(2) of a mapping (length defaults to the buffer's). @throws SysError EACCES, EINVAL, ENOMEM. */
  export function mprotect(target: ArrayBuffer | ArrayBufferView | bigint | number, length: number | undefined, prot: number): number;
  /** msync(2), MS_SYNC by default. @throws SysError EINVAL, ENOMEM, EBUSY. */
  export function msync(target: ArrayBuffer | ArrayBufferView | bigint | number, length?: number, flags?: number): number;
  /** madvise(2). @throws SysError EINVAL, ENOMEM, EAGAIN. */
  export function madvise(target: ArrayBuffer | ArrayBufferView | bigint | number, length: number | undefined, advice: number): number;
  /** memfd_create(2): an fd for anonymous shareable memory (size it with ftruncate). @throws SysError EINVAL, EMFILE, ENOMEM. */
  export function memfd_create(name: string, flags?: number): number;

  // ---- pipes, eventfd, epoll ---------------------------------------------------------

  /** pipe2(2): [read end, write end]. @throws SysError EMFILE, ENFILE, EINVAL. */
  export function pipe2(flags?: number): [number, number];
  /** eventfd2(2) (aarch64 has only eventfd2): a new fd. @throws SysError EINVAL, EMFILE, ENOMEM. */
  export function eventfd(initval?: number, flags?: number): number;
  /** Reads an eventfd's 8-byte counter (resetting it, or taking 1 with EFD_SEMAPHORE). No allocation beyond the BigInt. @throws SysError EAGAIN (zero and EFD_NONBLOCK), EBADF, EINVAL. */
  export function eventfdRead(fd: number): bigint;
  /** Adds `value` (default 1; at most 2^64-2) to an eventfd's counter. @throws SysError EAGAIN (would overflow, EFD_NONBLOCK), EINVAL (2^64-1). @throws RangeError for a number that is not a safe non-negative integer. */
  export function eventfdWrite(fd: number, value?: number | bigint): void;
  /** @throws SysError EINVAL, EMFILE, ENOMEM. */
  export function epoll_create1(flags?: number): number;
  /**
   * epoll_ctl(2) with events and a u64 user value `data` (default: the fd; a number up
   * to 2^53 or a BigInt). struct epoll_event is packed on x86_64; that is handled here.
   * @throws SysError EEXIST (ADD twice), ENOENT (MOD/DEL of an fd not added), EPERM (regular file), EBADF, EINVAL, ELOOP, ENOSPC.
   */
  export function epoll_ctl(epfd: number, op: number, fd: number, events?: number, data?: number | bigint): number;
  export interface EpollEvent {
    /** EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP… bits, as an unsigned number. */
    events: number;
    /** The data given to epoll_ctl (exact up to 2^53). */
    data: number;
  }
  /**
   * Waits up to `timeoutMs` (undefined, negative or Infinity: forever; fractions round up)
   * for at most `maxEvents` (1..65536) events, using epoll_pwait with no signal mask on both
   * architectures. Returns `out` (default: a new array), its length set to the number of
   * events; objects already in `out` are reused, so passing the same array every loop
   * iteration allocates nothing. A wake-up by a signal (EINTR) returns no events.
   * @throws SysError EBADF, EINVAL. @throws RangeError for a bad maxEvents or a NaN timeout.
   */
  export function epoll_wait(epfd: number, maxEvents: number, timeoutMs?: number, out?: EpollEvent[]): EpollEvent[];

  // ---- time and processes ------------------------------------------------------------

  /** clock_gettime(2) in nanoseconds; CLOCK_MONOTONIC by default. @throws SysError EINVAL (unknown clock). */
  export function clock_gettime(clockId?: number): bigint;
  /** CLOCK_MONOTONIC in milliseconds, fractional. Allocation-free; for the event loop. */
  export function monotonicMs(): number;
  /**
   * Sleeps `ms` milliseconds (fractional) or `{sec, nsec}`, resuming after signal
   * interruptions; zero or negative returns at once. @throws RangeError for NaN/Infinity or nsec outside 0..999999999.
   */
  export function nanosleep(duration: number | { sec?: number; nsec?: number }): void;
  export function getpid(): number;
  export function getppid(): number;
  export function gettid(): number;
  export function getuid(): number;
  export function geteuid(): number;
  export function getgid(): number;
  /** kill(2); signal 0 only checks the process exists. @throws SysError ESRCH, EPERM, EINVAL. */
  export function kill(pid: number, sig: number): number;
  /** getrandom(2) filling `buf`: bytes written. @throws SysError EAGAIN (GRND_NONBLOCK), EINTR. */
  export function getrandom(buf: Bytes, flags?: number): number;

  // ---- sockets -----------------------------------------------------------------------

  /** struct sockaddr_in: address in dotted-quad text (default "0.0.0.0"), port 0..65535. */
  export interface SockaddrIn { family: 2; address?: string; port?: number }
  /** struct sockaddr_in6: RFC 4291 text (decoded as RFC 5952), numeric scope id. */
  export interface SockaddrIn6 { family: 10; address?: string; port?: number; flowinfo?: number; scopeId?: number }
  /**
   * struct sockaddr_un. A path starting with "\0" or "@" names the Linux abstract
   * namespace (decoded addresses use "\0"); "" means unnamed (bind: autobind).
   */
  export interface SockaddrUn { family: 1; path: string }
  /** struct sockaddr_ll: protocol is an ETH_P_* value in host order; address is a MAC "aa:bb:…" (or bytes when encoding). */
  export interface SockaddrLl {
    family: 17; protocol?: number; ifindex?: number; hatype?: number; pkttype?: number;
    address?: string | ArrayLike<number>;
  }
  /** struct sockaddr_nl. */
  export interface SockaddrNl { family: 16; pid?: number; groups?: number }
  export type Sockaddr = SockaddrIn | SockaddrIn6 | SockaddrUn | SockaddrLl | SockaddrNl;
  /** What decoding gives back; an unknown family comes back as its raw bytes. */
  export type DecodedSockaddr = Required<SockaddrIn> | Required<SockaddrIn6> | SockaddrUn
    | (Required<Omit<SockaddrLl, "address">> & { address: string }) | Required<SockaddrNl>
    | { family: number; bytes: Uint8Array };

  /** The kernel's bytes for an address. @throws TypeError for a malformed address or unknown family. @throws RangeError for a bad port or an over-long path. */
  export function encodeSockaddr(addr: Sockaddr): Uint8Array;
  /** Decodes struct sockaddr_* bytes (the first `length`); null if shorter than a family. */
  export function decodeSockaddr(bytes: Bytes, length?: number): DecodedSockaddr | null;
  /** 16-bit host ↔ network byte order, e.g. socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)). */
  export function htons(n: number): number;
  export function ntohs(n: number): number;

  /** socket(2); type may include SOCK_NONBLOCK | SOCK_CLOEXEC. @throws SysError EAFNOSUPPORT, EPROTONOSUPPORT, EACCES/EPERM (raw, packet), EMFILE. */
  export function socket(domain: number, type: number, protocol?: number): number;
  /** socketpair(2): two connected sockets. @throws SysError EOPNOTSUPP, EAFNOSUPPORT, EMFILE. */
  export function socketpair(domain: number, type: number, protocol?: number): [number, number];
  /** @throws SysError EADDRINUSE, EADDRNOTAVAIL, EACCES, EINVAL (already bound), ENOENT (AF_UNIX dir). */
  export function bind(fd: number, addr: Sockaddr): number;
  /** @throws SysError ECONNREFUSED, EINPROGRESS (non-blocking: wait for EPOLLOUT, then SO_ERROR), ENETUNREACH, ETIMEDOUT, EISCONN, ENOENT (AF_UNIX). */
  export function connect(fd: number, addr: Sockaddr): number;
  /** listen(2); backlog defaults to 4096 (the kernel caps it at net.core.somaxconn). @throws SysError EADDRINUSE, EOPNOTSUPP. */
  export function listen(fd: number, backlog?: number): number;
  /** accept4(2): the connection's fd (its address: getpeername). @throws SysError EAGAIN, EINVAL (not listening), EMFILE, ECONNABORTED. */
  export function accept4(fd: number, flags?: number): number;
  /** shutdown(2), SHUT_RDWR by default. @throws SysError ENOTCONN. */
  export function shutdown(fd: number, how?: number): number;
  /** sendto(2), to `addr` or the connected peer: bytes sent. @throws SysError EAGAIN, EMSGSIZE, ECONNREFUSED, EPIPE, EDESTADDRREQ, ENETUNREACH. */
  export function sendto(fd: number, data: Data, flags?: number, addr?: Sockaddr | null): number;
  /** sendto(2) without an address. @throws SysError as sendto. */
  export function send(fd: number, data: Data, flags?: number): number;
  /**
   * recvfrom(2) into `buf`: bytes received (with MSG_TRUNC, a datagram's full length) and
   * the sender's address (null when the socket gives none, e.g. connected TCP).
   * @throws SysError EAGAIN, ECONNREFUSED, ENOTCONN, EINTR.
   */
  export function recvfrom(fd: number, buf: Bytes, flags?: number): { bytes: number; address: DecodedSockaddr | null };
  /** recvfrom(2) without the address: bytes received. @throws SysError as recvfrom. */
  export function recv(fd: number, buf: Bytes, flags?: number): number;
  /** @throws SysError EBADF, ENOTSOCK. */
  export function getsockname(fd: number): DecodedSockaddr | null;
  /** @throws SysError ENOTCONN, EBADF, ENOTSOCK. */
  export function getpeername(fd: number): DecodedSockaddr | null;
  /** setsockopt(2) with an int (number or boolean) or a buffer's bytes. @throws SysError ENOPROTOOPT, EINVAL, EPERM. */
  export function setsockopt(fd: number, level: number, name: number, value: number | boolean | Bytes): number;
  /** getsockopt(2) of an int option. @throws SysError ENOPROTOOPT, EINVAL. */
  export function getsockopt(fd: number, level: number, name: number): number;
  /** getsockopt(2) into `buf`: the option's length in bytes. */
  export function getsockopt(fd: number, level: number, name: number, buf: Bytes): number;

  // ---- constants ---------------------------------------------------------------------
  // Each is a named export (use these in code) and sits in a frozen group keyed by its
  // full C name (for lookups and printing flags): O.O_RDWR === O_RDWR. `constants` holds
  // them all. Values are the generic Linux ones unless noted as per-architecture.

  type Group<K extends string> = Readonly<Record<K, number>>;

  // open(2) flags, include/uapi/asm-generic/fcntl.h. Per-architecture: O_DIRECT, O_LARGEFILE,
  // O_DIRECTORY, O_NOFOLLOW (arch/arm64/include/uapi/asm/fcntl.h) and so O_TMPFILE.
  export const O_ACCMODE: number, O_RDONLY: number, O_WRONLY: number, O_RDWR: number,
    O_CREAT: number, O_EXCL: number, O_NOCTTY: number, O_TRUNC: number, O_APPEND: number,
    O_NONBLOCK: number, O_DSYNC: number, O_DIRECT: number, O_LARGEFILE: number, O_DIRECTORY: number,
    O_NOFOLLOW: number, O_NOATIME: number, O_CLOEXEC: number, O_SYNC: number, O_PATH: number,
    O_TMPFILE: number;
  export const O: Group<"O_ACCMODE" | "O_RDONLY" | "O_WRONLY" | "O_RDWR" | "O_CREAT" | "O_EXCL" |
    "O_NOCTTY" | "O_TRUNC" | "O_APPEND" | "O_NONBLOCK" | "O_DSYNC" | "O_DIRECT" | "O_LARGEFILE" |
    "O_DIRECTORY" | "O_NOFOLLOW" | "O_NOATIME" | "O_CLOEXEC" | "O_SYNC" | "O_PATH" | "O_TMPFILE">;
  // *at() directory fd and flags, include/uapi/linux/fcntl.h.
  export const AT_FDCWD: number, AT_SYMLINK_NOFOLLOW: number, AT_REMOVEDIR: number,
    AT_SYMLINK_FOLLOW: number, AT_EMPTY_PATH: number;
  export const AT: Group<"AT_FDCWD" | "AT_SYMLINK_NOFOLLOW" | "AT_REMOVEDIR" | "AT_SYMLINK_FOLLOW" |
    "AT_EMPTY_PATH">;
  // fcntl(2) commands and the FD_CLOEXEC fd flag.
  export const F_DUPFD: number, F_GETFD: number, F_SETFD: number, F_GETFL: number, F_SETFL: number,
    F_DUPFD_CLOEXEC: number, FD_CLOEXEC: number;
  export const F: Group<"F_DUPFD" | "F_GETFD" | "F_SETFD" | "F_GETFL" | "F_SETFL" |
    "F_DUPFD_CLOEXEC" | "FD_CLOEXEC">;
  // lseek(2) whence.
  export const SEEK_SET: number, SEEK_CUR: number, SEEK_END: number, SEEK_DATA: number,
    SEEK_HOLE: number;
  export const SEEK: Group<"SEEK_SET" | "SEEK_CUR" | "SEEK_END" | "SEEK_DATA" | "SEEK_HOLE">;
  // File type bits of Stats.mode, include/uapi/linux/stat.h.
  export const S_IFMT: number, S_IFSOCK: number, S_IFLNK: number, S_IFREG: number, S_IFBLK: number,
    S_IFDIR: number, S_IFCHR: number, S_IFIFO: number;
  export const S: Group<"S_IFMT" | "S_IFSOCK" | "S_IFLNK" | "S_IFREG" | "S_IFBLK" | "S_IFDIR" |
    "S_IFCHR" | "S_IFIFO">;
  // d_type of a getdents64(2) record.
  export const DT_UNKNOWN: number, DT_FIFO: number, DT_CHR: number, DT_DIR: number, DT_BLK: number,
    DT_REG: number, DT_LNK: number, DT_SOCK: number;
  export const DT: Group<"DT_UNKNOWN" | "DT_FIFO" | "DT_CHR" | "DT_DIR" | "DT_BLK" | "DT_REG" |
    "DT_LNK" | "DT_SOCK">;
  // mmap(2)/mprotect(2) protection, include/uapi/asm-generic/mman-common.h.
  export const PROT_NONE: number, PROT_READ: number, PROT_WRITE: number, PROT_EXEC: number;
  export const PROT: Group<"PROT_NONE" | "PROT_READ" | "PROT_WRITE" | "PROT_EXEC">;
  // mmap(2) flags.
  export const MAP_SHARED: number, MAP_PRIVATE: number, MAP_SHARED_VALIDATE: number,
    MAP_FIXED: number, MAP_ANONYMOUS: number, MAP_LOCKED: number, MAP_NORESERVE: number,
    MAP_POPULATE: number, MAP_HUGETLB: number, MAP_FIXED_NOREPLACE: number;
  export const MAP: Group<"MAP_SHARED" | "MAP_PRIVATE" | "MAP_SHARED_VALIDATE" | "MAP_FIXED" |
    "MAP_ANONYMOUS" | "MAP_LOCKED" | "MAP_NORESERVE" | "MAP_POPULATE" | "MAP_HUGETLB" |
    "MAP_FIXED_NOREPLACE">;
  // msync(2) flags.
  export const MS_ASYNC: number, MS_INVALIDATE: number, MS_SYNC: number;
  export const MS: Group<"MS_ASYNC" | "MS_INVALIDATE" | "MS_SYNC">;
  // madvise(2) advice.
  export const MADV_NORMAL: number, MADV_RANDOM: number, MADV_SEQUENTIAL: number,
    MADV_WILLNEED: number, MADV_DONTNEED: number, MADV_DONTFORK: number;
  export const MADV: Group<"MADV_NORMAL" | "MADV_RANDOM" | "MADV_SEQUENTIAL" | "MADV_WILLNEED" |
    "MADV_DONTNEED" | "MADV_DONTFORK">;
  // memfd_create(2) flags.
  export const MFD_CLOEXEC: number, MFD_ALLOW_SEALING: number;
  export const MFD: Group<"MFD_CLOEXEC" | "MFD_ALLOW_SEALING">;
  // epoll event bits, include/uapi/linux/eventpoll.h. EPOLLET is 0x80000000 (positive);
  // EPOLLIN | EPOLLET is a negative int32, which epoll_ctl stores correctly.
  export const EPOLLIN: number, EPOLLPRI: number, EPOLLOUT: number, EPOLLERR: number,
    EPOLLHUP: number, EPOLLRDNORM: number, EPOLLWRNORM: number, EPOLLRDHUP: number,
    EPOLLEXCLUSIVE: number, EPOLLWAKEUP: number, EPOLLONESHOT: number, EPOLLET: number;
  export const EPOLL: Group<"EPOLLIN" | "EPOLLPRI" | "EPOLLOUT" | "EPOLLERR" | "EPOLLHUP" |
    "EPOLLRDNORM" | "EPOLLWRNORM" | "EPOLLRDHUP" | "EPOLLEXCLUSIVE" | "EPOLLWAKEUP" |
    "EPOLLONESHOT" | "EPOLLET">;
  // epoll_ctl(2) operations.
  export const EPOLL_CTL_ADD: number, EPOLL_CTL_DEL: number, EPOLL_CTL_MOD: number;
  export const EPOLL_CTL: Group<"EPOLL_CTL_ADD" | "EPOLL_CTL_DEL" | "EPOLL_CTL_MOD">;
  // eventfd flags.
  export const EFD_SEMAPHORE: number, EFD_NONBLOCK: number, EFD_CLOEXEC: number;
  export const EFD: Group<"EFD_SEMAPHORE" | "EFD_NONBLOCK" | "EFD_CLOEXEC">;
  // Clock ids, include/uapi/linux/time.h.
  export const CLOCK_REALTIME: number, CLOCK_MONOTONIC: number, CLOCK_PROCESS_CPUTIME_ID: number,
    CLOCK_THREAD_CPUTIME_ID: number, CLOCK_MONOTONIC_RAW: number, CLOCK_REALTIME_COARSE: number,
    CLOCK_MONOTONIC_COARSE: number, CLOCK_BOOTTIME: number;
  export const CLOCK: Group<"CLOCK_REALTIME" | "CLOCK_MONOTONIC" | "CLOCK_PROCESS_CPUTIME_ID" |
    "CLOCK_THREAD_CPUTIME_ID" | "CLOCK_MONOTONIC_RAW" | "CLOCK_REALTIME_COARSE" |
    "CLOCK_MONOTONIC_COARSE" | "CLOCK_BOOTTIME">;
  // Address families.
  export const AF_UNSPEC: 0, AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16, AF_PACKET: 17;
  export const AF: Group<"AF_UNSPEC" | "AF_UNIX" | "AF_INET" | "AF_INET6" | "AF_NETLINK" |
    "AF_PACKET">;
  // Socket types; OR in SOCK_NONBLOCK, SOCK_CLOEXEC.
  export const SOCK_STREAM: number, SOCK_DGRAM: number, SOCK_RAW: number, SOCK_SEQPACKET: number,
    SOCK_NONBLOCK: number, SOCK_CLOEXEC: number;
  export const SOCK: Group<"SOCK_STREAM" | "SOCK_DGRAM" | "SOCK_RAW" | "SOCK_SEQPACKET" |
    "SOCK_NONBLOCK" | "SOCK_CLOEXEC">;
  // Socket option levels.
  export const SOL_SOCKET: number, SOL_PACKET: number;
  export const SOL: Group<"SOL_SOCKET" | "SOL_PACKET">;
  // SOL_SOCKET options, include/uapi/asm-generic/socket.h.
  export const SO_REUSEADDR: number, SO_TYPE: number, SO_ERROR: number, SO_BROADCAST: number,
    SO_SNDBUF: number, SO_RCVBUF: number, SO_KEEPALIVE: number, SO_REUSEPORT: number,
    SO_BINDTODEVICE: number, SO_DOMAIN: number;
  export const SO: Group<"SO_REUSEADDR" | "SO_TYPE" | "SO_ERROR" | "SO_BROADCAST" | "SO_SNDBUF" |
    "SO_RCVBUF" | "SO_KEEPALIVE" | "SO_REUSEPORT" | "SO_BINDTODEVICE" | "SO_DOMAIN">;
  // IP protocols (also option levels).
  export const IPPROTO_IP: number, IPPROTO_ICMP: number, IPPROTO_TCP: number, IPPROTO_UDP: number,
    IPPROTO_IPV6: number, IPPROTO_ICMPV6: number, IPPROTO_RAW: number;
  export const IPPROTO: Group<"IPPROTO_IP" | "IPPROTO_ICMP" | "IPPROTO_TCP" | "IPPROTO_UDP" |
    "IPPROTO_IPV6" | "IPPROTO_ICMPV6" | "IPPROTO_RAW">;
  // send/recv flags.
  export const MSG_OOB: number, MSG_PEEK: number, MSG_DONTROUTE: number, MSG_TRUNC: number,
    MSG_DONTWAIT: number, MSG_EOR: number, MSG_WAITALL: number, MSG_NOSIGNAL: number;
  export const MSG: Group<"MSG_OOB" | "MSG_PEEK" | "MSG_DONTROUTE" | "MSG_TRUNC" | "MSG_DONTWAIT" |
    "MSG_EOR" | "MSG_WAITALL" | "MSG_NOSIGNAL">;
  // shutdown(2) how.
  export const SHUT_RD: number, SHUT_WR: number, SHUT_RDWR: number;
  export const SHUT: Group<"SHUT_RD" | "SHUT_WR" | "SHUT_RDWR">;
  // Ethernet protocol ids, include/uapi/linux/if_ether.h (host order; socket() wants htons()).
  export const ETH_P_ALL: number, ETH_P_IP: number, ETH_P_ARP: number, ETH_P_8021Q: number,
    ETH_P_IPV6: number;
  export const ETH_P: Group<"ETH_P_ALL" | "ETH_P_IP" | "ETH_P_ARP" | "ETH_P_8021Q" | "ETH_P_IPV6">;
  // sockaddr_ll.pkttype values and AF_PACKET options, include/uapi/linux/if_packet.h.
  export const PACKET_HOST: number, PACKET_BROADCAST: number, PACKET_MULTICAST: number,
    PACKET_OTHERHOST: number, PACKET_OUTGOING: number, PACKET_ADD_MEMBERSHIP: number,
    PACKET_MR_PROMISC: number;
  export const PACKET: Group<"PACKET_HOST" | "PACKET_BROADCAST" | "PACKET_MULTICAST" |
    "PACKET_OTHERHOST" | "PACKET_OUTGOING" | "PACKET_ADD_MEMBERSHIP" | "PACKET_MR_PROMISC">;
  // Signal numbers (the same on x86_64 and aarch64).
  export const SIGHUP: number, SIGINT: number, SIGQUIT: number, SIGILL: number, SIGTRAP: number,
    SIGABRT: number, SIGBUS: number, SIGFPE: number, SIGKILL: number, SIGUSR1: number,
    SIGSEGV: number, SIGUSR2: number, SIGPIPE: number, SIGALRM: number, SIGTERM: number,
    SIGSTKFLT: number, SIGCHLD: number, SIGCONT: number, SIGSTOP: number, SIGTSTP: number,
    SIGTTIN: number, SIGTTOU: number, SIGURG: number, SIGXCPU: number, SIGXFSZ: number,
    SIGVTALRM: number, SIGPROF: number, SIGWINCH: number, SIGIO: number, SIGPWR: number,
    SIGSYS: number;
  export const SIG: Group<"SIGHUP" | "SIGINT" | "SIGQUIT" | "SIGILL" | "SIGTRAP" | "SIGABRT" |
    "SIGBUS" | "SIGFPE" | "SIGKILL" | "SIGUSR1" | "SIGSEGV" | "SIGUSR2" | "SIGPIPE" | "SIGALRM" |
    "SIGTERM" | "SIGSTKFLT" | "SIGCHLD" | "SIGCONT" | "SIGSTOP" | "SIGTSTP" | "SIGTTIN" |
    "SIGTTOU" | "SIGURG" | "SIGXCPU" | "SIGXFSZ" | "SIGVTALRM" | "SIGPROF" | "SIGWINCH" | "SIGIO" |
    "SIGPWR" | "SIGSYS">;
  /** epoll_create1 flag. */
  export const EPOLL_CLOEXEC: number;
  /** getrandom(2) flags. */
  export const GRND_NONBLOCK: number, GRND_RANDOM: number;
  /** IPPROTO_TCP / IPPROTO_IPV6 options. */
  export const TCP_NODELAY: number, IPV6_V6ONLY: number;
  /** AF_NETLINK protocols (NETLINK_KOBJECT_UEVENT: device hotplug events). */
  export const NETLINK_ROUTE: number, NETLINK_KOBJECT_UEVENT: number;

  /** "SIGTERM" for 15; undefined otherwise. */
  export function signalName(signal: number): string | undefined;
  /** Every constant above, flat, by name. */
  export const constants: Readonly<Record<string, number>>;
}

// jsk:sys/arch — what differs between the architectures jsk:sys supports.
declare module "jsk:sys/arch" {
  /** A struct field: [byte offset, width in bytes]. */
  type Field = readonly [number, number];
  export interface Arch {
    readonly name: "x86_64" | "aarch64";
    /** Syscall name → number, complete as of Linux 6.1. */
    readonly nr: Readonly<Record<string, number>>;
    readonly O_DIRECT: number;
    readonly O_LARGEFILE: number;
    readonly O_DIRECTORY: number;
    readonly O_NOFOLLOW: number;
    /** struct stat: its size in bytes and each field's place. */
    readonly stat: {
      readonly bytes: number;
      readonly dev: Field; readonly ino: Field; readonly nlink: Field; readonly mode: Field;
      readonly uid: Field; readonly gid: Field; readonly rdev: Field; readonly size: Field;
      readonly blksize: Field; readonly blocks: Field;
      readonly atime: Field; readonly atimeNsec: Field; readonly mtime: Field;
      readonly mtimeNsec: Field; readonly ctime: Field; readonly ctimeNsec: Field;
    };
    /** struct epoll_event: 12 bytes with data at 4 (packed) on x86_64, 16 with data at 8 on aarch64. */
    readonly epollEvent: { readonly size: number; readonly data: number };
  }
  export const X86_64: Arch;
  export const AARCH64: Arch;
  export const arches: { readonly x86_64: Arch; readonly aarch64: Arch };
  /** The running architecture's. Importing throws on any other architecture. */
  export const current: Arch;
}
