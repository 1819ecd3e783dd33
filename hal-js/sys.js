// jsk:sys — Linux system calls for JavaScript, written over the native `syscall` alone.
//
// Functions keep the C names and argument order. Each returns the kernel's result and
// throws a SysError when the kernel answers -errno. Kernel structures are filled in and
// read from buffers allocated once at load, so the calls an event loop makes on every
// iteration (monotonicMs, epoll_wait, eventfdRead/eventfdWrite, read, write) allocate
// nothing beyond their result. What differs between x86_64 and aarch64 (syscall numbers,
// a few O_* flags, struct stat, struct epoll_event) comes from jsk:sys/arch.
//
// Every syscall wrapped here returns a non-negative value on success, so `r < 0` is the
// error test; `check` applies the general -4095..-1 rule for raw syscall results. A
// SysError's `syscall` is the name of the jsk:sys function that failed.

import {
  syscall, syscall64, addressOf, unsafeArrayBuffer, arch, encodeUtf8, decodeUtf8,
} from "jsk:native";
import { current as A } from "jsk:sys/arch";

export { syscall, syscall64, addressOf, arch };

/** Syscall numbers for this architecture, name → number. */
export const nr = A.nr;

function sysnr(name) {
  const n = A.nr[name];
  if (n === undefined) throw new Error(`jsk:sys: no syscall ${name} on ${arch}`);
  return n;
}

const NR_read = sysnr("read");
const NR_write = sysnr("write");
const NR_ppoll = sysnr("ppoll");
const NR_openat = sysnr("openat");
const NR_close = sysnr("close");
const NR_lseek = sysnr("lseek");
const NR_pread64 = sysnr("pread64");
const NR_pwrite64 = sysnr("pwrite64");
const NR_fstat = sysnr("fstat");
const NR_newfstatat = sysnr("newfstatat");
const NR_ioctl = sysnr("ioctl");
const NR_fcntl = sysnr("fcntl");
const NR_dup = sysnr("dup");
const NR_dup3 = sysnr("dup3");
const NR_fsync = sysnr("fsync");
const NR_ftruncate = sysnr("ftruncate");
const NR_unlinkat = sysnr("unlinkat");
const NR_mkdirat = sysnr("mkdirat");
const NR_renameat2 = sysnr("renameat2");
const NR_readlinkat = sysnr("readlinkat");
const NR_getdents64 = sysnr("getdents64");
const NR_mmap = sysnr("mmap");
const NR_munmap = sysnr("munmap");
const NR_mprotect = sysnr("mprotect");
const NR_msync = sysnr("msync");
const NR_madvise = sysnr("madvise");
const NR_memfd_create = sysnr("memfd_create");
const NR_pipe2 = sysnr("pipe2");
const NR_eventfd2 = sysnr("eventfd2");
const NR_epoll_create1 = sysnr("epoll_create1");
const NR_epoll_ctl = sysnr("epoll_ctl");
const NR_epoll_pwait = sysnr("epoll_pwait");
const NR_nanosleep = sysnr("nanosleep");
const NR_clock_gettime = sysnr("clock_gettime");
const NR_getpid = sysnr("getpid");
const NR_getppid = sysnr("getppid");
const NR_gettid = sysnr("gettid");
const NR_getuid = sysnr("getuid");
const NR_geteuid = sysnr("geteuid");
const NR_getgid = sysnr("getgid");
const NR_kill = sysnr("kill");
const NR_getrandom = sysnr("getrandom");
const NR_socket = sysnr("socket");
const NR_socketpair = sysnr("socketpair");
const NR_bind = sysnr("bind");
const NR_connect = sysnr("connect");
const NR_listen = sysnr("listen");
const NR_accept4 = sysnr("accept4");
const NR_sendto = sysnr("sendto");
const NR_recvfrom = sysnr("recvfrom");
const NR_shutdown = sysnr("shutdown");
const NR_setsockopt = sysnr("setsockopt");
const NR_getsockopt = sysnr("getsockopt");
const NR_getsockname = sysnr("getsockname");
const NR_getpeername = sysnr("getpeername");

// Kernel structs are in native byte order; LO/HI index the halves of a 64-bit field
// viewed as two Uint32Array elements.
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LE ? 0 : 1;
const HI = 1 - LO;
const TWO32 = 4294967296;

// ---------------------------------------------------------------------------------------
// Constants. Values are the generic Linux ones, identical on x86_64 and aarch64, unless
// they come from `A` (jsk:sys/arch).

// include/uapi/asm-generic/fcntl.h (+ arch overrides)
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = A.O_DIRECT;
export const O_LARGEFILE = A.O_LARGEFILE;
export const O_DIRECTORY = A.O_DIRECTORY;
export const O_NOFOLLOW = A.O_NOFOLLOW;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4000000 | O_DSYNC;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;
export const O = Object.freeze({
  O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND,
  O_NONBLOCK, O_DSYNC, O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC,
  O_SYNC, O_PATH, O_TMPFILE,
});

// include/uapi/linux/fcntl.h
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;
export const AT = Object.freeze({
  AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH,
});

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;
export const F = Object.freeze({ F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, FD_CLOEXEC });

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const SEEK = Object.freeze({ SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE });

// include/uapi/linux/stat.h
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o60000;
export const S_IFDIR = 0o40000;
export const S_IFCHR = 0o20000;
export const S_IFIFO = 0o10000;
export const S = Object.freeze({ S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO });

// d_type in struct linux_dirent64 (getdents64(2))
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;
export const DT = Object.freeze({ DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK });

// include/uapi/asm-generic/mman-common.h, mman.h
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const PROT = Object.freeze({ PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC });

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_HUGETLB = 0x40000;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP = Object.freeze({
  MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_FIXED, MAP_ANONYMOUS, MAP_LOCKED,
  MAP_NORESERVE, MAP_POPULATE, MAP_HUGETLB, MAP_FIXED_NOREPLACE,
});

export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;
export const MS = Object.freeze({ MS_ASYNC, MS_INVALIDATE, MS_SYNC });

export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_DONTFORK = 10;
export const MADV = Object.freeze({
  MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_DONTFORK,
});

// include/uapi/linux/memfd.h
export const MFD_CLOEXEC = 1;
export const MFD_ALLOW_SEALING = 2;
export const MFD = Object.freeze({ MFD_CLOEXEC, MFD_ALLOW_SEALING });

// include/uapi/linux/eventpoll.h. EPOLLET is 1 << 31: written here as a positive number;
// `|` with it yields a negative int32, which epoll_ctl stores correctly as a u32.
export const EPOLLIN = 0x001;
export const EPOLLPRI = 0x002;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
export const EPOLLRDNORM = 0x040;
export const EPOLLWRNORM = 0x100;
export const EPOLLRDHUP = 0x2000;
export const EPOLLEXCLUSIVE = 0x10000000;
export const EPOLLWAKEUP = 0x20000000;
export const EPOLLONESHOT = 0x40000000;
export const EPOLLET = 0x80000000;
export const EPOLL = Object.freeze({
  EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDNORM, EPOLLWRNORM, EPOLLRDHUP,
  EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT, EPOLLET,
});
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLL_CTL = Object.freeze({ EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD });
export const EPOLL_CLOEXEC = O_CLOEXEC;

// include/uapi/linux/eventfd.h
export const EFD_SEMAPHORE = 1;
export const EFD_NONBLOCK = O_NONBLOCK;
export const EFD_CLOEXEC = O_CLOEXEC;
export const EFD = Object.freeze({ EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC });

// include/uapi/linux/time.h
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6;
export const CLOCK_BOOTTIME = 7;
export const CLOCK = Object.freeze({
  CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
  CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
});

export const GRND_NONBLOCK = 1;
export const GRND_RANDOM = 2;

// include/linux/socket.h (address families, MSG_*, SOL_*), asm-generic/socket.h (SO_*)
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const AF = Object.freeze({ AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET });

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_SEQPACKET = 5;
export const SOCK_NONBLOCK = O_NONBLOCK;
export const SOCK_CLOEXEC = O_CLOEXEC;
export const SOCK = Object.freeze({
  SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_NONBLOCK, SOCK_CLOEXEC,
});

export const SOL_SOCKET = 1;
export const SOL_PACKET = 263;
export const SOL = Object.freeze({ SOL_SOCKET, SOL_PACKET });

export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_REUSEPORT = 15;
export const SO_BINDTODEVICE = 25;
export const SO_DOMAIN = 39;
export const SO = Object.freeze({
  SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_BROADCAST, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE,
  SO_REUSEPORT, SO_BINDTODEVICE, SO_DOMAIN,
});

// include/uapi/linux/in.h, in6.h, tcp.h
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_RAW = 255;
export const IPPROTO = Object.freeze({
  IPPROTO_IP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6, IPPROTO_ICMPV6, IPPROTO_RAW,
});
export const TCP_NODELAY = 1;
export const IPV6_V6ONLY = 26;

export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_WAITALL = 0x100;
export const MSG_NOSIGNAL = 0x4000;
export const MSG = Object.freeze({
  MSG_OOB, MSG_PEEK, MSG_DONTROUTE, MSG_TRUNC, MSG_DONTWAIT, MSG_EOR, MSG_WAITALL, MSG_NOSIGNAL,
});

export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
export const SHUT = Object.freeze({ SHUT_RD, SHUT_WR, SHUT_RDWR });

// include/uapi/linux/if_ether.h, if_packet.h, netlink.h
export const ETH_P_ALL = 0x0003;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P = Object.freeze({ ETH_P_ALL, ETH_P_IP, ETH_P_ARP, ETH_P_8021Q, ETH_P_IPV6 });
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
export const PACKET_ADD_MEMBERSHIP = 1;
export const PACKET_MR_PROMISC = 1;
export const PACKET = Object.freeze({
  PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING,
  PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC,
});
export const NETLINK_ROUTE = 0;
export const NETLINK_KOBJECT_UEVENT = 15;

// include/uapi/asm-generic/signal.h (x86_64's asm/signal.h has the same numbers)
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGVTALRM = 26;
export const SIGPROF = 27;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGPWR = 30;
export const SIGSYS = 31;
export const SIG = Object.freeze({
  SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV,
  SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN,
  SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS,
});
const SIGNAL_NAMES = [];
for (const name in SIG) SIGNAL_NAMES[SIG[name]] = name;

/** "SIGTERM" for 15; undefined for numbers that are not a standard signal. */
export function signalName(n) {
  return SIGNAL_NAMES[n];
}

// ---------------------------------------------------------------------------------------
// errno

// [errno, name, text]: include/uapi/asm-generic/errno-base.h and errno.h (the same numbers
// on x86_64 and aarch64); the text is glibc's strerror().
const ERRNOS = [
  [1, "EPERM", "Operation not permitted"],
  [2, "ENOENT", "No such file or directory"],
  [3, "ESRCH", "No such process"],
  [4, "EINTR", "Interrupted system call"],
  [5, "EIO", "Input/output error"],
  [6, "ENXIO", "No such device or address"],
  [7, "E2BIG", "Argument list too long"],
  [8, "ENOEXEC", "Exec format error"],
  [9, "EBADF", "Bad file descriptor"],
  [10, "ECHILD", "No child processes"],
  [11, "EAGAIN", "Resource temporarily unavailable"],
  [12, "ENOMEM", "Cannot allocate memory"],
  [13, "EACCES", "Permission denied"],
  [14, "EFAULT", "Bad address"],
  [15, "ENOTBLK", "Block device required"],
  [16, "EBUSY", "Device or resource busy"],
  [17, "EEXIST", "File exists"],
  [18, "EXDEV", "Invalid cross-device link"],
  [19, "ENODEV", "No such device"],
  [20, "ENOTDIR", "Not a directory"],
  [21, "EISDIR", "Is a directory"],
  [22, "EINVAL", "Invalid argument"],
  [23, "ENFILE", "Too many open files in system"],
  [24, "EMFILE", "Too many open files"],
  [25, "ENOTTY", "Inappropriate ioctl for device"],
  [26, "ETXTBSY", "Text file busy"],
  [27, "EFBIG", "File too large"],
  [28, "ENOSPC", "No space left on device"],
  [29, "ESPIPE", "Illegal seek"],
  [30, "EROFS", "Read-only file system"],
  [31, "EMLINK", "Too many links"],
  [32, "EPIPE", "Broken pipe"],
  [33, "EDOM", "Numerical argument out of domain"],
  [34, "ERANGE", "Numerical result out of range"],
  [35, "EDEADLK", "Resource deadlock avoided"],
  [36, "ENAMETOOLONG", "File name too long"],
  [37, "ENOLCK", "No locks available"],
  [38, "ENOSYS", "Function not implemented"],
  [39, "ENOTEMPTY", "Directory not empty"],
  [40, "ELOOP", "Too many levels of symbolic links"],
  [42, "ENOMSG", "No message of desired type"],
  [43, "EIDRM", "Identifier removed"],
  [44, "ECHRNG", "Channel number out of range"],
  [45, "EL2NSYNC", "Level 2 not synchronized"],
  [46, "EL3HLT", "Level 3 halted"],
  [47, "EL3RST", "Level 3 reset"],
  [48, "ELNRNG", "Link number out of range"],
  [49, "EUNATCH", "Protocol driver not attached"],
  [50, "ENOCSI", "No CSI structure available"],
  [51, "EL2HLT", "Level 2 halted"],
  [52, "EBADE", "Invalid exchange"],
  [53, "EBADR", "Invalid request descriptor"],
  [54, "EXFULL", "Exchange full"],
  [55, "ENOANO", "No anode"],
  [56, "EBADRQC", "Invalid request code"],
  [57, "EBADSLT", "Invalid slot"],
  [59, "EBFONT", "Bad font file format"],
  [60, "ENOSTR", "Device not a stream"],
  [61, "ENODATA", "No data available"],
  [62, "ETIME", "Timer expired"],
  [63, "ENOSR", "Out of streams resources"],
  [64, "ENONET", "Machine is not on the network"],
  [65, "ENOPKG", "Package not installed"],
  [66, "EREMOTE", "Object is remote"],
  [67, "ENOLINK", "Link has been severed"],
  [68, "EADV", "Advertise error"],
  [69, "ESRMNT", "Srmount error"],
  [70, "ECOMM", "Communication error on send"],
  [71, "EPROTO", "Protocol error"],
  [72, "EMULTIHOP", "Multihop attempted"],
  [73, "EDOTDOT", "RFS specific error"],
  [74, "EBADMSG", "Bad message"],
  [75, "EOVERFLOW", "Value too large for defined data type"],
  [76, "ENOTUNIQ", "Name not unique on network"],
  [77, "EBADFD", "File descriptor in bad state"],
  [78, "EREMCHG", "Remote address changed"],
  [79, "ELIBACC", "Can not access a needed shared library"],
  [80, "ELIBBAD", "Accessing a corrupted shared library"],
  [81, "ELIBSCN", ".lib section in a.out corrupted"],
  [82, "ELIBMAX", "Attempting to link in too many shared libraries"],
  [83, "ELIBEXEC", "Cannot exec a shared library directly"],
  [84, "EILSEQ", "Invalid or incomplete multibyte or wide character"],
  [85, "ERESTART", "Interrupted system call should be restarted"],
  [86, "ESTRPIPE", "Streams pipe error"],
  [87, "EUSERS", "Too many users"],
  [88, "ENOTSOCK", "Socket operation on non-socket"],
  [89, "EDESTADDRREQ", "Destination address required"],
  [90, "EMSGSIZE", "Message too long"],
  [91, "EPROTOTYPE", "Protocol wrong type for socket"],
  [92, "ENOPROTOOPT", "Protocol not available"],
  [93, "EPROTONOSUPPORT", "Protocol not supported"],
  [94, "ESOCKTNOSUPPORT", "Socket type not supported"],
  [95, "EOPNOTSUPP", "Operation not supported"],
  [96, "EPFNOSUPPORT", "Protocol family not supported"],
  [97, "EAFNOSUPPORT", "Address family not supported by protocol"],
  [98, "EADDRINUSE", "Address already in use"],
  [99, "EADDRNOTAVAIL", "Cannot assign requested address"],
  [100, "ENETDOWN", "Network is down"],
  [101, "ENETUNREACH", "Network is unreachable"],
  [102, "ENETRESET", "Network dropped connection on reset"],
  [103, "ECONNABORTED", "Software caused connection abort"],
  [104, "ECONNRESET", "Connection reset by peer"],
  [105, "ENOBUFS", "No buffer space available"],
  [106, "EISCONN", "Transport endpoint is already connected"],
  [107, "ENOTCONN", "Transport endpoint is not connected"],
  [108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown"],
  [109, "ETOOMANYREFS", "Too many references: cannot splice"],
  [110, "ETIMEDOUT", "Connection timed out"],
  [111, "ECONNREFUSED", "Connection refused"],
  [112, "EHOSTDOWN", "Host is down"],
  [113, "EHOSTUNREACH", "No route to host"],
  [114, "EALREADY", "Operation already in progress"],
  [115, "EINPROGRESS", "Operation now in progress"],
  [116, "ESTALE", "Stale file handle"],
  [117, "EUCLEAN", "Structure needs cleaning"],
  [118, "ENOTNAM", "Not a XENIX named type file"],
  [119, "ENAVAIL", "No XENIX semaphores available"],
  [120, "EISNAM", "Is a named type file"],
  [121, "EREMOTEIO", "Remote I/O error"],
  [122, "EDQUOT", "Disk quota exceeded"],
  [123, "ENOMEDIUM", "No medium found"],
  [124, "EMEDIUMTYPE", "Wrong medium type"],
  [125, "ECANCELED", "Operation canceled"],
  [126, "ENOKEY", "Required key not available"],
  [127, "EKEYEXPIRED", "Key has expired"],
  [128, "EKEYREVOKED", "Key has been revoked"],
  [129, "EKEYREJECTED", "Key was rejected by service"],
  [130, "EOWNERDEAD", "Owner died"],
  [131, "ENOTRECOVERABLE", "State not recoverable"],
  [132, "ERFKILL", "Operation not possible due to RF-kill"],
  [133, "EHWPOISON", "Memory page has hardware error"],
];
const ERRNO_NAMES = [];
const ERRNO_TEXTS = [];
const errnoEntries = {};
for (const [n, name, text] of ERRNOS) {
  ERRNO_NAMES[n] = name;
  ERRNO_TEXTS[n] = text;
  errnoEntries[name] = n;
}
errnoEntries.EWOULDBLOCK = errnoEntries.EAGAIN;
errnoEntries.EDEADLOCK = errnoEntries.EDEADLK;
errnoEntries.ENOTSUP = errnoEntries.EOPNOTSUPP;

/** errno names → numbers: E.ENOENT === 2. Includes the aliases EWOULDBLOCK, EDEADLOCK, ENOTSUP. */
export const E = Object.freeze(errnoEntries);

const EINTR = E.EINTR;

/** "ENOENT" for 2; undefined for an unknown number. Accepts -errno too. */
export function errnoName(n) {
  return ERRNO_NAMES[n < 0 ? -n : n];
}

/** The C library's description of an errno, e.g. "No such file or directory". */
export function strerror(n) {
  const e = n < 0 ? -n : n;
  return ERRNO_TEXTS[e] ?? `Unknown error ${e}`;
}

/** A failed system call: the kernel returned -errno. */
export class SysError extends Error {
  constructor(syscallName, errno, detail = "") {
    if (errno < 0) errno = -errno;
    const code = ERRNO_NAMES[errno] ?? "EUNKNOWN";
    super(`${syscallName}(${detail}): ${code} (${strerror(errno)})`);
    this.errno = errno;
    this.code = code;
    this.syscall = syscallName;
  }
}
Object.defineProperty(SysError.prototype, "name", {
  value: "SysError", writable: true, configurable: true,
});

function fail(r, name, detail) {
  throw new SysError(name, -r, detail);
}

/**
 * Checks a raw result from `syscall`/`syscall64`: throws SysError for -4095..-1 (either a
 * Number or a BigInt, signed or as an unsigned 64-bit value), otherwise returns it.
 */
export function check(result, name = "syscall", detail = "") {
  if (typeof result === "bigint") {
    const s = BigInt.asIntN(64, result);
    if (s < 0n && s >= -4095n) fail(Number(s), name, detail);
  } else if (result < 0 && result >= -4095) {
    fail(result, name, detail);
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Argument helpers

function pathArg(path, fn) {
  if (typeof path !== "string") throw new TypeError(`${fn}: path must be a string`);
  if (path.includes("\0")) throw new TypeError(`${fn}: path contains a NUL byte`);
  return path;
}

// Number of bytes to pass for `buf`, checked against its size: the kernel only gets a
// pointer, so a length past the end would let it write outside the buffer.
function lengthOf(buf, length, fn) {
  const size = buf?.byteLength;
  if (typeof size !== "number") {
    throw new TypeError(`${fn}: expected an ArrayBuffer, TypedArray or DataView`);
  }
  if (length === undefined) return size;
  if (!(length >= 0 && length <= size) || length !== Math.floor(length)) {
    throw new RangeError(`${fn}: length ${length} is outside the buffer (${size} bytes)`);
  }
  return length;
}

function dataArg(data) {
  return typeof data === "string" ? encodeUtf8(data) : data;
}

function str(s) {
  return JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------
// Files

export function openat(dirfd, path, flags = O_RDONLY, mode = 0) {
  const r = syscall(NR_openat, dirfd, pathArg(path, "openat"), flags, mode);
  if (r < 0) fail(r, "openat", `${dirfd}, ${str(path)}`);
  return r;
}

export function open(path, flags = O_RDONLY, mode = 0) {
  const r = syscall(NR_openat, AT_FDCWD, pathArg(path, "open"), flags, mode);
  if (r < 0) fail(r, "open", str(path));
  return r;
}

export function close(fd) {
  const r = syscall(NR_close, fd);
  if (r < 0) fail(r, "close", fd);
  return r;
}

export function read(fd, buf, length) {
  const r = syscall(NR_read, fd, buf, lengthOf(buf, length, "read"));
  if (r < 0) fail(r, "read", fd);
  return r;
}

export function write(fd, data, length) {
  const bytes = dataArg(data);
  const r = syscall(NR_write, fd, bytes, lengthOf(bytes, length, "write"));
  if (r < 0) fail(r, "write", fd);
  return r;
}

/**
 * Writes all of `data` (bytes or a string, as UTF-8) to `fd`, retrying short
 * writes and EINTR, and waiting in poll(2) while a non-blocking fd is full.
 * Throws SysError for any other failure (EPIPE, EBADF, ...).
 */
export function writeAll(fd, data) {
  const bytes = typeof data === "string" ? encodeUtf8(data.isWellFormed() ? data : data.toWellFormed()) : data;
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  let off = 0;
  while (off < view.byteLength) {
    const r = syscall(NR_write, fd, off === 0 ? view : view.subarray(off), view.byteLength - off);
    if (r >= 0) { off += r; continue; }
    if (r === -EINTR) continue;
    if (r === -E.EAGAIN) {
      pollOut[0] = fd;
      pollOut[1] = EPOLLOUT;
      syscall(NR_ppoll, pollOut, 1, null, null, 8);
      continue;
    }
    fail(r, "write", fd);
  }
}
const pollOut = new Int32Array(2);

export function pread(fd, buf, offset, length) {
  const r = syscall(NR_pread64, fd, buf, lengthOf(buf, length, "pread"), offset);
  if (r < 0) fail(r, "pread", `${fd}, offset ${offset}`);
  return r;
}

export function pwrite(fd, data, offset, length) {
  const bytes = dataArg(data);
  const r = syscall(NR_pwrite64, fd, bytes, lengthOf(bytes, length, "pwrite"), offset);
  if (r < 0) fail(r, "pwrite", `${fd}, offset ${offset}`);
  return r;
}

export function lseek(fd, offset, whence = SEEK_SET) {
  const r = syscall(NR_lseek, fd, offset, whence);
  if (r < 0) fail(r, "lseek", `${fd}, ${offset}, ${whence}`);
  return r;
}

export function fsync(fd) {
  const r = syscall(NR_fsync, fd);
  if (r < 0) fail(r, "fsync", fd);
  return r;
}

export function ftruncate(fd, length) {
  const r = syscall(NR_ftruncate, fd, length);
  if (r < 0) fail(r, "ftruncate", `${fd}, ${length}`);
  return r;
}

export function fcntl(fd, cmd, arg = 0) {
  const r = syscall(NR_fcntl, fd, cmd, arg);
  if (r < 0) fail(r, "fcntl", `${fd}, ${cmd}`);
  return r;
}

export function dup(fd) {
  const r = syscall(NR_dup, fd);
  if (r < 0) fail(r, "dup", fd);
  return r;
}

export function dup3(oldfd, newfd, flags = 0) {
  const r = syscall(NR_dup3, oldfd, newfd, flags);
  if (r < 0) fail(r, "dup3", `${oldfd}, ${newfd}`);
  return r;
}

export function ioctl(fd, request, arg = 0) {
  // The kernel takes `unsigned int cmd`; a request built with `|` may be a negative int32.
  const req = typeof request === "number" ? request >>> 0 : request;
  // A request that encodes a direction and a size (asm-generic/ioctl.h) gets at least that
  // many bytes: the kernel reads and writes _IOC_SIZE of them at the pointer.
  if (typeof req === "number" && req >>> 30 !== 0) {
    const have = bufferLength(arg);
    const size = (req >>> 16) & 0x3fff;
    if (have >= 0 && have < size) throw new RangeError(`ioctl(${fd}, 0x${req.toString(16)}): the request moves ${size} bytes; the buffer has ${have}`);
  }
  const r = syscall(NR_ioctl, fd, req, arg);
  if (r < 0) fail(r, "ioctl", `${fd}, 0x${req.toString(16)}`);
  return r;
}

// The built-in byteLength getters (an own `byteLength` property cannot shadow them).
const typedByteLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "byteLength").get;
const dataViewByteLength = Object.getOwnPropertyDescriptor(DataView.prototype, "byteLength").get;
const bufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
/** A buffer's or view's byte length by those getters; -1 for anything else (an address, 0). */
function bufferLength(arg) {
  if (ArrayBuffer.isView(arg)) return arg instanceof DataView ? dataViewByteLength.call(arg) : typedByteLength.call(arg);
  return arg instanceof ArrayBuffer ? bufferByteLength.call(arg) : -1;
}

// ioctl request encoding, include/uapi/asm-generic/ioctl.h (used by x86_64 and arm64):
// nr in bits 0-7, type in 8-15, size in 16-29, direction in 30-31 (1 = write, 2 = read).
function ioc(dir, type, number, size) {
  const t = typeof type === "string" ? type.charCodeAt(0) : type;
  if (!(size >= 0 && size < 0x4000)) throw new RangeError(`ioctl size ${size} does not fit 14 bits`);
  return ((dir << 30) | (size << 16) | ((t & 0xff) << 8) | (number & 0xff)) >>> 0;
}
export function _IO(type, number) { return ioc(0, type, number, 0); }
export function _IOW(type, number, size) { return ioc(1, type, number, size); }
export function _IOR(type, number, size) { return ioc(2, type, number, size); }
export function _IOWR(type, number, size) { return ioc(3, type, number, size); }

export function unlinkat(dirfd, path, flags = 0) {
  const r = syscall(NR_unlinkat, dirfd, pathArg(path, "unlinkat"), flags);
  if (r < 0) fail(r, "unlinkat", `${dirfd}, ${str(path)}, ${flags}`);
  return r;
}

export function unlink(path) {
  const r = syscall(NR_unlinkat, AT_FDCWD, pathArg(path, "unlink"), 0);
  if (r < 0) fail(r, "unlink", str(path));
  return r;
}

export function rmdir(path) {
  const r = syscall(NR_unlinkat, AT_FDCWD, pathArg(path, "rmdir"), AT_REMOVEDIR);
  if (r < 0) fail(r, "rmdir", str(path));
  return r;
}

export function mkdirat(dirfd, path, mode = 0o777) {
  const r = syscall(NR_mkdirat, dirfd, pathArg(path, "mkdirat"), mode);
  if (r < 0) fail(r, "mkdirat", `${dirfd}, ${str(path)}`);
  return r;
}

export function mkdir(path, mode = 0o777) {
  const r = syscall(NR_mkdirat, AT_FDCWD, pathArg(path, "mkdir"), mode);
  if (r < 0) fail(r, "mkdir", str(path));
  return r;
}

export function rename(oldPath, newPath) {
  const r = syscall(NR_renameat2, AT_FDCWD, pathArg(oldPath, "rename"),
    AT_FDCWD, pathArg(newPath, "rename"), 0);
  if (r < 0) fail(r, "rename", `${str(oldPath)}, ${str(newPath)}`);
  return r;
}

const pathBuf = new Uint8Array(4096); // PATH_MAX

export function readlink(path) {
  const r = syscall(NR_readlinkat, AT_FDCWD, pathArg(path, "readlink"), pathBuf, pathBuf.length);
  if (r < 0) fail(r, "readlink", str(path));
  return decodeUtf8(pathBuf.subarray(0, r));
}

// ---- stat

const STAT = A.stat;
const statBuf = new DataView(new ArrayBuffer(STAT.bytes));

function u64(dv, off) {
  return dv.getUint32(off + 4 * LO, LE) + dv.getUint32(off + 4 * HI, LE) * TWO32;
}
function i64(dv, off) {
  return dv.getUint32(off + 4 * LO, LE) + dv.getInt32(off + 4 * HI, LE) * TWO32;
}
function ufield(dv, [off, width]) {
  return width === 8 ? u64(dv, off) : dv.getUint32(off, LE);
}
function ms(dv, sec, nsec) {
  return i64(dv, sec[0]) * 1000 + u64(dv, nsec[0]) / 1e6;
}

/** File status, decoded from the architecture's struct stat. */
export class Stats {
  constructor(dv) {
    this.dev = ufield(dv, STAT.dev);
    this.ino = ufield(dv, STAT.ino);
    this.mode = ufield(dv, STAT.mode);
    this.nlink = ufield(dv, STAT.nlink);
    this.uid = ufield(dv, STAT.uid);
    this.gid = ufield(dv, STAT.gid);
    this.rdev = ufield(dv, STAT.rdev);
    this.size = i64(dv, STAT.size[0]);
    this.blksize = ufield(dv, STAT.blksize);
    this.blocks = i64(dv, STAT.blocks[0]);
    this.atimeMs = ms(dv, STAT.atime, STAT.atimeNsec);
    this.mtimeMs = ms(dv, STAT.mtime, STAT.mtimeNsec);
    this.ctimeMs = ms(dv, STAT.ctime, STAT.ctimeNsec);
  }
  isFile() { return (this.mode & S_IFMT) === S_IFREG; }
  isDirectory() { return (this.mode & S_IFMT) === S_IFDIR; }
  isCharacterDevice() { return (this.mode & S_IFMT) === S_IFCHR; }
  isBlockDevice() { return (this.mode & S_IFMT) === S_IFBLK; }
  isFIFO() { return (this.mode & S_IFMT) === S_IFIFO; }
  isSymbolicLink() { return (this.mode & S_IFMT) === S_IFLNK; }
  isSocket() { return (this.mode & S_IFMT) === S_IFSOCK; }
}

export function fstat(fd) {
  const r = syscall(NR_fstat, fd, statBuf);
  if (r < 0) fail(r, "fstat", fd);
  return new Stats(statBuf);
}

export function fstatat(dirfd, path, flags = 0) {
  const r = syscall(NR_newfstatat, dirfd, pathArg(path, "fstatat"), statBuf, flags);
  if (r < 0) fail(r, "fstatat", `${dirfd}, ${str(path)}, ${flags}`);
  return new Stats(statBuf);
}

export function stat(path) {
  const r = syscall(NR_newfstatat, AT_FDCWD, pathArg(path, "stat"), statBuf, 0);
  if (r < 0) fail(r, "stat", str(path));
  return new Stats(statBuf);
}

export function lstat(path) {
  const r = syscall(NR_newfstatat, AT_FDCWD, pathArg(path, "lstat"), statBuf, AT_SYMLINK_NOFOLLOW);
  if (r < 0) fail(r, "lstat", str(path));
  return new Stats(statBuf);
}

// Device numbers as the kernel encodes them in st_dev/st_rdev (new_encode_dev in
// include/linux/kdev_t.h): minor bits 0-7 and 20-31, major bits 8-19.
export function major(dev) { return (dev >>> 8) & 0xfff; }
export function minor(dev) { return (dev & 0xff) | ((dev >>> 12) & 0xfff00); }
export function makedev(maj, min) {
  return ((min & 0xff) | ((maj & 0xfff) << 8) | ((min & ~0xff) << 12)) >>> 0;
}

// ---- directories and whole files

export function getdents64(fd, buf) {
  const r = syscall(NR_getdents64, fd, buf, lengthOf(buf, undefined, "getdents64"));
  if (r < 0) fail(r, "getdents64", fd);
  return r;
}

/** Names in a directory, without "." and "..", in the order the filesystem gives them. */
export function readdir(path) {
  const fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const names = [];
  try {
    const buf = new Uint8Array(32768);
    const dv = new DataView(buf.buffer);
    for (;;) {
      const n = getdents64(fd, buf);
      if (n === 0) break;
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
      for (let off = 0; off < n;) {
        const reclen = dv.getUint16(off + 16, LE);
        let end = off + 19;
        while (end < off + reclen && buf[end] !== 0) end++;
        const name = decodeUtf8(buf.subarray(off + 19, end));
        if (name !== "." && name !== "..") names.push(name);
        off += reclen;
      }
    }
  } finally {
    close(fd);
  }
  return names;
}

/** Reads a whole file (also /proc and /sys files, whose st_size is no guide). */
export function readFile(path, encoding) {
  const fd = open(path, O_RDONLY | O_CLOEXEC);
  let buf, n = 0;
  try {
    const size = fstat(fd).size;
    buf = new Uint8Array(size > 0 ? size + 1 : 4096);
    for (;;) {
      if (n === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const r = read(fd, buf.subarray(n));
      if (r === 0) break;
      n += r;
    }
  } finally {
    close(fd);
  }
  const bytes = n === buf.length ? buf : buf.slice(0, n);
  if (encoding === undefined) return bytes;
  if (encoding === "utf8" || encoding === "utf-8") return decodeUtf8(bytes);
  throw new TypeError(`readFile: unsupported encoding ${str(encoding)}`);
}

/** Writes `data` to `path` with as few write(2) calls as the kernel allows (one for sysfs). */
export function writeFile(path, data, flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode = 0o666) {
  const bytes = dataArg(data);
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const total = lengthOf(view, undefined, "writeFile");
  const u8 = new Uint8Array(view.buffer, view.byteOffset, total);
  const fd = open(path, flags, mode);
  try {
    for (let done = 0; done < total;) done += write(fd, u8.subarray(done));
  } finally {
    close(fd);
  }
}

// ---------------------------------------------------------------------------------------
// Memory

function addressArg(target) {
  return target instanceof ArrayBuffer || ArrayBuffer.isView(target) ? addressOf(target) : target;
}

function hex(a) {
  return `0x${a.toString(16)}`;
}

/** mmap(2) returning the mapping's address as a BigInt. */
export function mmapAddress(addr, length, prot, flags, fd = -1, offset = 0) {
  const r = syscall64(NR_mmap, addr ?? 0, length, prot, flags, fd, offset);
  const s = BigInt.asIntN(64, r);
  if (s < 0n && s >= -4095n) fail(Number(s), "mmap", `${length}, prot ${prot}, flags ${hex(flags)}, fd ${fd}, offset ${offset}`);
  return BigInt.asUintN(64, r);
}

/** mmap(2) returning an ArrayBuffer of `length` bytes that aliases the mapping. */
export function mmap(addr, length, prot, flags, fd = -1, offset = 0) {
  if (!(length > 0) || length !== Math.floor(length)) {
    throw new RangeError(`mmap: length must be a positive integer, got ${length}`);
  }
  const address = mmapAddress(addr, length, prot, flags, fd, offset);
  try {
    return unsafeArrayBuffer(address, length);
  } catch (e) {
    syscall(NR_munmap, address, length);
    throw e;
  }
}

/**
 * munmap(2) of an ArrayBuffer from mmap (whole or `length` bytes of it) or of an address.
 * An ArrayBuffer unmapped whole is detached, so later access throws instead of faulting.
 */
export function munmap(target, length = target?.byteLength) {
  if (length === undefined) throw new TypeError("munmap: length is required with an address");
  const address = addressArg(target);
  const r = syscall(NR_munmap, address, length);
  if (r < 0) fail(r, "munmap", `${hex(address)}, ${length}`);
  if (target instanceof ArrayBuffer && length === target.byteLength && typeof target.transfer === "function") {
    target.transfer(0);
  }
  return r;
}

export function mprotect(target, length, prot) {
  const address = addressArg(target);
  length ??= target.byteLength;
  const r = syscall(NR_mprotect, address, length, prot);
  if (r < 0) fail(r, "mprotect", `${hex(address)}, ${length}, ${prot}`);
  return r;
}

export function msync(target, length, flags = MS_SYNC) {
  const address = addressArg(target);
  length ??= target.byteLength;
  const r = syscall(NR_msync, address, length, flags);
  if (r < 0) fail(r, "msync", `${hex(address)}, ${length}, ${flags}`);
  return r;
}

export function madvise(target, length, advice) {
  const address = addressArg(target);
  length ??= target.byteLength;
  const r = syscall(NR_madvise, address, length, advice);
  if (r < 0) fail(r, "madvise", `${hex(address)}, ${length}, ${advice}`);
  return r;
}

export function memfd_create(name, flags = 0) {
  const r = syscall(NR_memfd_create, pathArg(name, "memfd_create"), flags);
  if (r < 0) fail(r, "memfd_create", str(name));
  return r;
}

// ---------------------------------------------------------------------------------------
// Pipes, eventfd, epoll

const fdPair = new Int32Array(2);

export function pipe2(flags = 0) {
  const r = syscall(NR_pipe2, fdPair, flags);
  if (r < 0) fail(r, "pipe2", flags);
  return [fdPair[0], fdPair[1]];
}

export function eventfd(initval = 0, flags = 0) {
  const r = syscall(NR_eventfd2, initval, flags);
  if (r < 0) fail(r, "eventfd", `${initval}, ${flags}`);
  return r;
}

const counterBuf = new ArrayBuffer(8);
const counterWords = new Uint32Array(counterBuf);
const counterBig = new BigUint64Array(counterBuf);

/** Reads (and, unless EFD_SEMAPHORE, resets) an eventfd counter. */
export function eventfdRead(fd) {
  const r = syscall(NR_read, fd, counterWords, 8);
  if (r < 0) fail(r, "eventfdRead", fd);
  return counterBig[0];
}

/** Adds `value` (1 .. 2^64-2) to an eventfd counter. */
export function eventfdWrite(fd, value = 1) {
  if (typeof value === "bigint") {
    counterBig[0] = value;
  } else {
    if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER) || value !== Math.floor(value)) {
      throw new RangeError(`eventfdWrite: bad value ${value}`);
    }
    counterWords[LO] = value % TWO32;
    counterWords[HI] = value / TWO32;
  }
  const r = syscall(NR_write, fd, counterWords, 8);
  if (r < 0) fail(r, "eventfdWrite", fd);
}

export function epoll_create1(flags = 0) {
  const r = syscall(NR_epoll_create1, flags);
  if (r < 0) fail(r, "epoll_create1", flags);
  return r;
}

// struct epoll_event as Uint32Array words: events in word 0, the u64 data in two words
// starting at A.epollEvent.data / 4 (packed at byte 4 on x86_64, byte 8 on aarch64).
const EV_WORDS = A.epollEvent.size / 4;
const EV_DATA_LO = A.epollEvent.data / 4 + LO;
const EV_DATA_HI = A.epollEvent.data / 4 + HI;
const ctlEvent = new Uint32Array(4);
let waitEvents = new Uint32Array(EV_WORDS * 64);

export function epoll_ctl(epfd, op, fd, events = 0, data = fd) {
  ctlEvent[0] = events;
  if (typeof data === "number" && data >= 0 && data <= Number.MAX_SAFE_INTEGER) {
    ctlEvent[EV_DATA_LO] = data % TWO32;
    ctlEvent[EV_DATA_HI] = data / TWO32;
  } else {
    const d = BigInt.asUintN(64, BigInt(data));
    ctlEvent[EV_DATA_LO] = Number(d & 0xffffffffn);
    ctlEvent[EV_DATA_HI] = Number(d >> 32n);
  }
  const r = syscall(NR_epoll_ctl, epfd, op, fd, ctlEvent);
  if (r < 0) fail(r, "epoll_ctl", `${epfd}, ${op}, ${fd}`);
  return r;
}

/**
 * Waits for events (epoll_pwait with no signal mask, on both architectures). Returns
 * `out` (a new array if not given) holding one {events, data} per ready fd; the objects
 * already in `out` are reused. An EINTR wake-up returns no events rather than throwing.
 */
export function epoll_wait(epfd, maxEvents, timeoutMs = -1, out) {
  if (!(maxEvents > 0 && maxEvents <= 0x10000) || maxEvents !== Math.floor(maxEvents)) {
    throw new RangeError(`epoll_wait: maxEvents must be an integer in 1..65536, got ${maxEvents}`);
  }
  let timeout;
  if (timeoutMs === undefined || timeoutMs === null || timeoutMs < 0 || timeoutMs === Infinity) {
    timeout = -1;
  } else if (timeoutMs >= 0) {
    timeout = timeoutMs >= 0x7fffffff ? 0x7fffffff : Math.ceil(timeoutMs);
  } else {
    throw new RangeError(`epoll_wait: bad timeout ${timeoutMs}`);
  }
  if (maxEvents * EV_WORDS > waitEvents.length) waitEvents = new Uint32Array(maxEvents * EV_WORDS);
  let n = syscall(NR_epoll_pwait, epfd, waitEvents, maxEvents, timeout, 0, 8);
  if (n < 0) {
    if (n !== -EINTR) fail(n, "epoll_wait", `${epfd}, ${maxEvents}, ${timeout}`);
    n = 0;
  }
  if (out === undefined) out = [];
  for (let i = 0, w = 0; i < n; i++, w += EV_WORDS) {
    const events = waitEvents[w];
    const data = waitEvents[w + EV_DATA_LO] + waitEvents[w + EV_DATA_HI] * TWO32;
    const e = out[i];
    if (e === undefined) {
      out[i] = { events, data };
    } else {
      e.events = events;
      e.data = data;
    }
  }
  out.length = n;
  return out;
}

// ---------------------------------------------------------------------------------------
// Time, processes

// struct timespec { s64 tv_sec; long tv_nsec; }: four Uint32Array words on 64-bit arches.
const clockTs = new Uint32Array(4);
const sleepTs = new Uint32Array(4);

/** clock_gettime(2) as BigInt nanoseconds. */
export function clock_gettime(clockId = CLOCK_MONOTONIC) {
  const r = syscall(NR_clock_gettime, clockId, clockTs);
  if (r < 0) fail(r, "clock_gettime", clockId);
  const sec = clockTs[LO] + clockTs[HI] * TWO32;
  return BigInt(sec) * 1000000000n + BigInt(clockTs[2 + LO]);
}

/** CLOCK_MONOTONIC in milliseconds, as a float. */
export function monotonicMs() {
  const r = syscall(NR_clock_gettime, CLOCK_MONOTONIC, clockTs);
  if (r < 0) fail(r, "monotonicMs", "");
  return (clockTs[LO] + clockTs[HI] * TWO32) * 1000 + clockTs[2 + LO] / 1e6;
}

/**
 * Sleeps for `ms` milliseconds (a float) or `{sec, nsec}`, resuming after signals.
 * Zero or negative durations return at once.
 */
export function nanosleep(duration) {
  let sec, nsec;
  if (typeof duration === "number") {
    if (!Number.isFinite(duration)) throw new RangeError(`nanosleep: bad duration ${duration}`);
    if (duration <= 0) return;
    sec = Math.floor(duration / 1000);
    nsec = Math.round((duration - sec * 1000) * 1e6);
    if (nsec >= 1e9) {
      sec += 1;
      nsec -= 1e9;
    }
  } else {
    sec = duration?.sec ?? 0;
    nsec = duration?.nsec ?? 0;
    if (!(Number.isSafeInteger(sec) && sec >= 0 && Number.isInteger(nsec) && nsec >= 0 && nsec < 1e9)) {
      throw new RangeError(`nanosleep: bad timespec {sec: ${sec}, nsec: ${nsec}}`);
    }
  }
  sleepTs[LO] = sec % TWO32;
  sleepTs[HI] = sec / TWO32;
  sleepTs[2 + LO] = nsec;
  sleepTs[2 + HI] = 0;
  // On EINTR the kernel stores the time left in the same timespec; sleep again for it.
  for (;;) {
    const r = syscall(NR_nanosleep, sleepTs, sleepTs);
    if (r === 0) return;
    if (r !== -EINTR) fail(r, "nanosleep", `{sec: ${sec}, nsec: ${nsec}}`);
  }
}

export function getpid() { return syscall(NR_getpid); }
export function getppid() { return syscall(NR_getppid); }
export function gettid() { return syscall(NR_gettid); }
export function getuid() { return syscall(NR_getuid); }
export function geteuid() { return syscall(NR_geteuid); }
export function getgid() { return syscall(NR_getgid); }

export function kill(pid, sig) {
  const r = syscall(NR_kill, pid, sig);
  if (r < 0) fail(r, "kill", `${pid}, ${sig}`);
  return r;
}

export function getrandom(buf, flags = 0) {
  const r = syscall(NR_getrandom, buf, lengthOf(buf, undefined, "getrandom"), flags);
  if (r < 0) fail(r, "getrandom", flags);
  return r;
}

// ---------------------------------------------------------------------------------------
// Socket addresses

// One scratch struct sockaddr_storage (128 bytes, include/uapi/linux/socket.h) for every
// call that passes an address in or gets one back.
const SOCKADDR_MAX = 128;
const saBytes = new Uint8Array(SOCKADDR_MAX);
const saView = new DataView(saBytes.buffer);
const saLen = new Uint32Array(1); // socklen_t

/** 16-bit host ↔ network byte order, e.g. socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)). */
export function htons(n) {
  return LE ? ((n & 0xff) << 8) | ((n >> 8) & 0xff) : n & 0xffff;
}
export const ntohs = htons;

function parseIPv4(text, out, off) {
  const parts = typeof text === "string" ? text.split(".") : [];
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p) || +p > 255) return false;
    out[off + i] = +p;
  }
  return true;
}

function parseHexGroups(text, groups) {
  if (text === "") return true;
  for (const g of text.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    groups.push(parseInt(g, 16));
  }
  return true;
}

// Parses RFC 4291 text (with "::" and an optional trailing dotted quad) into 16 bytes.
function parseIPv6(text, out, off) {
  if (typeof text !== "string") return false;
  let s = text;
  let v4 = false;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) >= 0) {
    if (!parseIPv4(s.slice(lastColon + 1), out, off + 12)) return false;
    v4 = true;
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const want = v4 ? 6 : 8;
  const gap = s.indexOf("::");
  const groups = [];
  if (gap < 0) {
    if (!parseHexGroups(s, groups) || groups.length !== want) return false;
  } else {
    if (s.indexOf("::", gap + 1) >= 0) return false;
    const tail = [];
    if (!parseHexGroups(s.slice(0, gap), groups) || !parseHexGroups(s.slice(gap + 2), tail)) return false;
    const zeros = want - groups.length - tail.length;
    if (zeros < 1) return false;
    for (let i = 0; i < zeros; i++) groups.push(0);
    groups.push(...tail);
  }
  for (let i = 0; i < want; i++) {
    out[off + 2 * i] = groups[i] >> 8;
    out[off + 2 * i + 1] = groups[i] & 0xff;
  }
  return true;
}

function formatIPv4(u8, off) {
  return `${u8[off]}.${u8[off + 1]}.${u8[off + 2]}.${u8[off + 3]}`;
}

// RFC 5952: lower case, the longest run (2+ groups) of zeros as "::", ::ffff:a.b.c.d.
function formatIPv6(u8, off) {
  const g = [];
  for (let i = 0; i < 8; i++) g.push((u8[off + 2 * i] << 8) | u8[off + 2 * i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIPv4(u8, off + 12)}`;
  }
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hexes = g.map((x) => x.toString(16));
  if (best < 0) return hexes.join(":");
  return `${hexes.slice(0, best).join(":")}::${hexes.slice(best + bestLen).join(":")}`;
}

function parseMac(address, out, off) {
  let bytes;
  if (typeof address === "string") {
    bytes = address === "" ? [] : address.split(/[:-]/).map((h) => (/^[0-9a-fA-F]{1,2}$/.test(h) ? parseInt(h, 16) : NaN));
  } else {
    bytes = address ?? [];
  }
  if (bytes.length > 8) throw new RangeError("sockaddr_ll: hardware address longer than 8 bytes");
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (!(b >= 0 && b <= 255)) throw new TypeError(`sockaddr_ll: bad hardware address ${str(String(address))}`);
    out[off + i] = b;
  }
  return bytes.length;
}

function portArg(port) {
  const p = port ?? 0;
  if (!(p >= 0 && p <= 0xffff) || p !== Math.floor(p)) throw new RangeError(`bad port ${port}`);
  return p;
}

// Encodes `addr` into saBytes; returns its length.
function encodeInto(addr) {
  if (addr === null || typeof addr !== "object") throw new TypeError("socket address must be an object");
  const family = addr.family;
  saBytes.fill(0);
  saView.setUint16(0, family, LE);
  switch (family) {
    case AF_INET: {
      // struct sockaddr_in, include/uapi/linux/in.h: port and address in network order.
      saView.setUint16(2, portArg(addr.port), false);
      if (!parseIPv4(addr.address ?? "0.0.0.0", saBytes, 4)) {
        throw new TypeError(`bad IPv4 address ${str(addr.address)}`);
      }
      return 16;
    }
    case AF_INET6: {
      // struct sockaddr_in6, include/uapi/linux/in6.h; sin6_scope_id is host order.
      saView.setUint16(2, portArg(addr.port), false);
      saView.setUint32(4, addr.flowinfo ?? 0, false);
      if (!parseIPv6(addr.address ?? "::", saBytes, 8)) {
        throw new TypeError(`bad IPv6 address ${str(addr.address)}`);
      }
      saView.setUint32(24, addr.scopeId ?? 0, LE);
      return 28;
    }
    case AF_UNIX: {
      // struct sockaddr_un, include/uapi/linux/un.h: char sun_path[108]. A name starting
      // with "\0" or "@" is in the abstract namespace: sun_path[0] = 0, then exactly the
      // name's bytes (no terminator; the address length delimits it).
      const path = addr.path;
      if (typeof path !== "string") throw new TypeError("AF_UNIX address needs a string path");
      const abstract = path.length > 0 && (path[0] === "\0" || path[0] === "@");
      const name = encodeUtf8(abstract ? path.slice(1) : path);
      if (name.length > 107) throw new RangeError(`AF_UNIX path too long (${name.length} bytes, max 107)`);
      if (abstract) {
        saBytes.set(name, 3);
        return 3 + name.length;
      }
      if (name.includes(0)) throw new TypeError("AF_UNIX path contains a NUL byte");
      saBytes.set(name, 2);
      return name.length === 0 ? 2 : 3 + name.length;
    }
    case AF_PACKET: {
      // struct sockaddr_ll, include/uapi/linux/if_packet.h: only sll_protocol is big-endian.
      saView.setUint16(2, addr.protocol ?? 0, false);
      saView.setInt32(4, addr.ifindex ?? 0, LE);
      saView.setUint16(8, addr.hatype ?? 0, LE);
      saBytes[10] = addr.pkttype ?? 0;
      saBytes[11] = parseMac(addr.address, saBytes, 12);
      return 20;
    }
    case AF_NETLINK: {
      // struct sockaddr_nl, include/uapi/linux/netlink.h
      saView.setUint32(4, addr.pid ?? 0, LE);
      saView.setUint32(8, addr.groups ?? 0, LE);
      return 12;
    }
    default:
      throw new TypeError(`unsupported address family ${family}`);
  }
}

function decodeFrom(u8, dv, len) {
  if (len < 2) return null;
  const family = dv.getUint16(0, LE);
  switch (family) {
    case AF_INET:
      if (len < 8) break;
      return { family, address: formatIPv4(u8, 4), port: dv.getUint16(2, false) };
    case AF_INET6:
      if (len < 24) break;
      return {
        family,
        address: formatIPv6(u8, 8),
        port: dv.getUint16(2, false),
        flowinfo: dv.getUint32(4, false),
        scopeId: len >= 28 ? dv.getUint32(24, LE) : 0,
      };
    case AF_UNIX: {
      if (len === 2) return { family, path: "" };
      if (u8[2] === 0) return { family, path: `\0${decodeUtf8(u8.subarray(3, len))}` };
      let end = 2;
      while (end < len && u8[end] !== 0) end++;
      return { family, path: decodeUtf8(u8.subarray(2, end)) };
    }
    case AF_PACKET: {
      if (len < 12) break;
      const halen = Math.min(u8[11], 8, Math.max(len - 12, 0));
      const mac = [];
      for (let i = 0; i < halen; i++) mac.push(u8[12 + i].toString(16).padStart(2, "0"));
      return {
        family,
        protocol: dv.getUint16(2, false),
        ifindex: dv.getInt32(4, LE),
        hatype: dv.getUint16(8, LE),
        pkttype: u8[10],
        address: mac.join(":"),
      };
    }
    case AF_NETLINK:
      if (len < 12) break;
      return { family, pid: dv.getUint32(4, LE), groups: dv.getUint32(8, LE) };
    default:
      break;
  }
  return { family, bytes: u8.slice(0, len) };
}

/** Encodes a socket address object as the kernel's struct sockaddr_* bytes. */
export function encodeSockaddr(addr) {
  return saBytes.slice(0, encodeInto(addr));
}

/** Decodes struct sockaddr_* bytes (the first `length` of them) into an address object. */
export function decodeSockaddr(bytes, length) {
  const u8 = bytes instanceof Uint8Array ? bytes
    : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : new Uint8Array(bytes);
  const len = Math.min(length ?? u8.length, u8.length);
  return decodeFrom(u8, new DataView(u8.buffer, u8.byteOffset, u8.byteLength), len);
}

function addrText(addr) {
  if (addr === null || typeof addr !== "object") return String(addr);
  if (addr.path !== undefined) return str(addr.path);
  if (addr.port !== undefined) return addr.family === AF_INET6 ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
  return `family ${addr.family}`;
}

// ---------------------------------------------------------------------------------------
// Sockets

export function socket(domain, type, protocol = 0) {
  const r = syscall(NR_socket, domain, type, protocol);
  if (r < 0) fail(r, "socket", `${domain}, ${type}, ${protocol}`);
  return r;
}

export function socketpair(domain, type, protocol = 0) {
  const r = syscall(NR_socketpair, domain, type, protocol, fdPair);
  if (r < 0) fail(r, "socketpair", `${domain}, ${type}, ${protocol}`);
  return [fdPair[0], fdPair[1]];
}

export function bind(fd, addr) {
  const r = syscall(NR_bind, fd, saBytes, encodeInto(addr));
  if (r < 0) fail(r, "bind", `${fd}, ${addrText(addr)}`);
  return r;
}

export function connect(fd, addr) {
  const r = syscall(NR_connect, fd, saBytes, encodeInto(addr));
  if (r < 0) fail(r, "connect", `${fd}, ${addrText(addr)}`);
  return r;
}

export function listen(fd, backlog = 4096) {
  const r = syscall(NR_listen, fd, backlog);
  if (r < 0) fail(r, "listen", fd);
  return r;
}

export function accept4(fd, flags = 0) {
  const r = syscall(NR_accept4, fd, 0, 0, flags);
  if (r < 0) fail(r, "accept4", fd);
  return r;
}

export function shutdown(fd, how = SHUT_RDWR) {
  const r = syscall(NR_shutdown, fd, how);
  if (r < 0) fail(r, "shutdown", `${fd}, ${how}`);
  return r;
}

export function sendto(fd, data, flags = 0, addr) {
  const bytes = dataArg(data);
  const length = lengthOf(bytes, undefined, "sendto");
  const r = addr == null
    ? syscall(NR_sendto, fd, bytes, length, flags, 0, 0)
    : syscall(NR_sendto, fd, bytes, length, flags, saBytes, encodeInto(addr));
  if (r < 0) fail(r, "sendto", addr == null ? fd : `${fd}, ${addrText(addr)}`);
  return r;
}

export function send(fd, data, flags = 0) {
  const bytes = dataArg(data);
  const r = syscall(NR_sendto, fd, bytes, lengthOf(bytes, undefined, "send"), flags, 0, 0);
  if (r < 0) fail(r, "send", fd);
  return r;
}

/** Receives into `buf`; `address` is the sender's, or null when the socket reports none. */
export function recvfrom(fd, buf, flags = 0) {
  saLen[0] = SOCKADDR_MAX;
  const r = syscall(NR_recvfrom, fd, buf, lengthOf(buf, undefined, "recvfrom"), flags, saBytes, saLen);
  if (r < 0) fail(r, "recvfrom", fd);
  return { bytes: r, address: decodeFrom(saBytes, saView, Math.min(saLen[0], SOCKADDR_MAX)) };
}

export function recv(fd, buf, flags = 0) {
  const r = syscall(NR_recvfrom, fd, buf, lengthOf(buf, undefined, "recv"), flags, 0, 0);
  if (r < 0) fail(r, "recv", fd);
  return r;
}

function nameOf(nr, name, fd) {
  saLen[0] = SOCKADDR_MAX;
  const r = syscall(nr, fd, saBytes, saLen);
  if (r < 0) fail(r, name, fd);
  return decodeFrom(saBytes, saView, Math.min(saLen[0], SOCKADDR_MAX));
}

export function getsockname(fd) { return nameOf(NR_getsockname, "getsockname", fd); }
export function getpeername(fd) { return nameOf(NR_getpeername, "getpeername", fd); }

const optInt = new Int32Array(1);

/** setsockopt(2) with an int (number or boolean) or the bytes of a buffer. */
export function setsockopt(fd, level, name, value) {
  let r;
  if (typeof value === "number" || typeof value === "boolean") {
    optInt[0] = +value;
    r = syscall(NR_setsockopt, fd, level, name, optInt, 4);
  } else {
    r = syscall(NR_setsockopt, fd, level, name, value, lengthOf(value, undefined, "setsockopt"));
  }
  if (r < 0) fail(r, "setsockopt", `${fd}, ${level}, ${name}`);
  return r;
}

/** getsockopt(2): an int option's value, or, given `buf`, the number of bytes stored in it. */
export function getsockopt(fd, level, name, buf) {
  const target = buf ?? optInt;
  saLen[0] = lengthOf(target, undefined, "getsockopt");
  const r = syscall(NR_getsockopt, fd, level, name, target, saLen);
  if (r < 0) fail(r, "getsockopt", `${fd}, ${level}, ${name}`);
  return buf === undefined ? optInt[0] : saLen[0];
}

/** Every constant above by name, flat (like Node's os.constants). */
export const constants = Object.freeze({
  ...O, ...AT, ...F, ...SEEK, ...S, ...DT, ...PROT, ...MAP, ...MS, ...MADV, ...MFD, ...EPOLL,
  ...EPOLL_CTL, EPOLL_CLOEXEC, ...EFD, ...CLOCK, GRND_NONBLOCK, GRND_RANDOM, ...AF, ...SOCK,
  ...SOL, ...SO, ...IPPROTO, TCP_NODELAY, IPV6_V6ONLY, ...MSG, ...SHUT, ...ETH_P, ...PACKET,
  NETLINK_ROUTE, NETLINK_KOBJECT_UEVENT, ...SIG,
});
