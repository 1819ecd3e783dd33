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
