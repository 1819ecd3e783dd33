// jsk:native — the native surface. Everything else in jsk is JavaScript over these.
declare module "jsk:native" {
  /** A value a system call argument can be made from. */
  export type SyscallArg =
    | number | bigint | boolean | null | undefined
    | string                      // passed as a pointer to a NUL-terminated UTF-8 copy
    | ArrayBuffer | ArrayBufferView; // passed as a pointer to the bytes (at byteOffset)

  /**
   * Raw Linux system call with up to 6 arguments. Returns the kernel's result as a
   * number: a negative errno on failure (e.g. -2 for ENOENT); kernel errors never throw.
   * @throws TypeError for a non-integer number, a string containing NUL, a detached buffer, or another kind of value.
   * @throws RangeError for more than 6 arguments, or a view that claims bytes outside its buffer.
   */
  export function syscall(nr: number, ...args: SyscallArg[]): number;
  /** As `syscall`, with the result as a BigInt (for addresses and 64-bit values). */
  export function syscall64(nr: number, ...args: SyscallArg[]): bigint;
  /** Address of the first byte of a buffer or view. @throws TypeError for anything else. */
  export function addressOf(buffer: ArrayBuffer | ArrayBufferView): bigint;
  /**
   * UNSAFE: an ArrayBuffer aliasing `length` bytes at `address`, never freed by jsk.
   * The caller promises the memory stays mapped while the buffer is reachable.
   * @throws RangeError for address 0 with a non-zero length or a negative length.
   */
  export function unsafeArrayBuffer(address: bigint | number, length: number): ArrayBuffer;
  export const arch: "x86_64" | "aarch64";
  /** [jsk executable, script, ...script arguments] */
  export const argv: string[];
  export const env: Record<string, string>;
  export function encodeUtf8(s: string): Uint8Array;
  /** Invalid UTF-8 becomes U+FFFD. @throws TypeError if not a buffer or view. */
  export function decodeUtf8(b: ArrayBuffer | ArrayBufferView): string;
  /** Linux's dma_wmb(): writes to DMA memory reach the device before later writes (the doorbell). */
  export function dmaWmb(): void;
  /** Linux's dma_rmb(): a read of DMA memory (a done bit) completes before later reads (the rest of the descriptor). */
  export function dmaRmb(): void;
  /** Linux's mb(): a full barrier. */
  export function mb(): void;
  /** Integer TypedArrays and Float64Array (exact below 2^53) the batch operations move values through. */
  type Numbers = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigUint64Array | BigInt64Array | Float64Array;
  /** `slots` records of `stride` bytes in a buffer (a descriptor ring); a field is `width` (1, 2, 4, 8) bytes at `offset`. */
  export interface Ring {
    readonly slots: number;
    readonly stride: number;
    /** Consecutive records from `start` (wrapping), at most `max`, whose `(field & mask) === value`. */
    count(start: number, max: number, offset: number, width: 1 | 2 | 4 | 8, mask: number | bigint, value: number | bigint): number;
    /** Consecutive records from `start`, at most `max`, whose field (unsigned) is in [lo, hi]. */
    countWithin(start: number, max: number, offset: number, width: 1 | 2 | 4 | 8, lo: number | bigint, hi: number | bigint): number;
    /** The sum of the field (unsigned) over `n` records from `start`. @throws RangeError from 2^53. */
    sum(start: number, n: number, offset: number, width: 1 | 2 | 4 | 8): number;
    /** The field of `n` records from `start` into `out[outStart..]`; returns the sum of the fields moved. */
    gather(start: number, n: number, offset: number, width: 1 | 2 | 4 | 8, out: Numbers, outStart?: number): number;
    /** `src[srcStart..]`, or one value, into the field of `n` records; every value checked to fit before any is written. */
    scatter(start: number, n: number, offset: number, width: 1 | 2 | 4 | 8, src: Numbers | number | bigint, srcStart?: number): number;
    /** table[indices[indicesStart + i]] into the field of record start + i; every index and value checked first; returns the sum written. */
    scatterFrom(start: number, n: number, offset: number, width: 1 | 2 | 4 | 8, table: Numbers, indices: Numbers, indicesStart?: number): number;
  }
  /** @throws TypeError unless an ArrayBuffer or TypedArray; RangeError unless the records fit. */
  export function ring(buffer: ArrayBuffer | ArrayBufferView, slots: number, stride: number): Ring;
  /** out[outStart + i] = table[indices[start + i]] for i < n (table and out of one type); every index checked first. */
  export function take(table: Numbers, indices: Numbers, start: number, n: number, out: Numbers, outStart?: number): number;
  /** While table[indices[start + i]] === from (i < n, in order), set it to `to`; returns how many changed. Every index checked first. */
  export function transition(table: Numbers, indices: Numbers, start: number, n: number, from: number | bigint, to: number | bigint): number;
  /** memcmp of `n` bytes: -1, 0 or 1. */
  export function compareBytes(a: ArrayBuffer | ArrayBufferView, aOffset: number, b: ArrayBuffer | ArrayBufferView, bOffset: number, n: number): -1 | 0 | 1;
  /** Run the host's cleanup (devices quiet, QEMU stopped) and end the process. Never returns. */
  export function exit(code?: number): never;
  /** Host options: --trace-vcd path, --board settings. */
  export const options: { traceVcd?: string; pcap?: string; denyUnsafe: boolean; board?: { board: string; backend?: "qtest" | "mem" | "fake" | "vfio"; vfio: string[]; drivers: string[]; chardev: Record<string, string>; netdev: Record<string, string>; observe?: string } };
  /** A zeroed register file as a Region (fake backend). @throws RangeError for a size outside [1, 1 GiB]. */
  export function fakeRegion(name: string, size: number, space?: "mem" | "io"): import("jsk:hal").Region;
  /** mem backend: map `size` bytes of `path` at `offset` (O_SYNC). @throws Error naming the path. */
  export function mapRegion(path: string, offset: number, size: number, name?: string): import("jsk:hal").Region;
  /** [buffer, iova]: zeroed host memory with a made-up device address. @throws RangeError for a bad size/align. */
  export function fakeDma(size: number, align?: number): [ArrayBuffer, bigint];
  /** @throws RangeError unless the bytes lie inside one live DMA buffer. */
  export function fakeDmaRead(iova: bigint | number, length: number): Uint8Array;
  export function fakeDmaWrite(iova: bigint | number, bytes: ArrayBuffer | ArrayBufferView): void;
  /** A board on a backend; see runtime/src/board.rs. Prefer jsk:board's openBoard. */
  export function openBoard(opts: { path: string; backend?: string; chardev?: Record<string, string>; netdev?: Record<string, string>; observe?: string }): any;
}
