// jsk:hal — what drivers import. Every function states what it throws.
declare module "jsk:hal" {
  import type { TimeoutError as LoopTimeoutError } from "jsk:loop";

  /** A register window (from jsk:native; see runtime/src/hw.rs). */
  export interface Region {
    readonly name: string;
    readonly size: number;
    readonly space: "mem" | "io";
    /** One volatile access of exactly that width. @throws RangeError for an offset that is not a non-negative integer, out of the region, or not naturally aligned; Error when the backend fails (QEMU gone). */
    read8(offset: number): number; read16(offset: number): number; read32(offset: number): number; read64(offset: number): bigint;
    /** @throws RangeError as for reads; TypeError when value does not fit the width (signed or unsigned). */
    write8(offset: number, value: number): void; write16(offset: number, value: number): void;
    write32(offset: number, value: number): void; write64(offset: number, value: bigint | number): void;
    in8(port: number): number; in16(port: number): number; in32(port: number): number;
    out8(port: number, value: number): void; out16(port: number, value: number): void; out32(port: number, value: number): void;
    /** Fake regions only. @throws TypeError on other regions. */
    setHook(hook: ((op: "read" | "write", offset: number, width: number, value?: number | bigint) => number | bigint | void) | null): void;
  }

  // ---- registers ----
  export type FieldSpec = number | [hi: number, lo: number] | { bit?: number; bits?: [number, number]; values?: Record<string, number> };
  export interface RegisterSpec {
    offset: number;
    /** Bits: 8, 16, 32 (default from options) or 64. */
    width?: 8 | 16 | 32 | 64;
    access?: "r" | "w" | "rw" | "w1c";
    /** Reachable only inside regs.inBank(bank, fn). */
    bank?: string;
    fields?: Record<string, FieldSpec>;
  }
  export interface Field {
    readonly mask: number | bigint;
    /** A fresh read of the field. */
    get(): number | bigint;
    isSet(): boolean;
    isClear(): boolean;
    /** Read-modify-write of this field. @throws RangeError if the value does not fit. */
    set(value?: number | boolean | string): void;
    clear(): void;
  }
  export interface Register {
    readonly offset: number;
    /** @throws TypeError for a write-only register or one outside the selected bank. */
    read(): number | bigint;
    /** A value, or an object of field values (other bits 0). @throws TypeError for a read-only register. */
    write(value: number | bigint | Record<string, number | boolean | string>): void;
    /** Read-modify-write of the named fields. @throws TypeError unless access is "rw"; RangeError if a value does not fit. */
    set(fields: Record<string, number | boolean | string>): void;
    clear(...fields: string[]): void;
    /** Every field of `value` (default: a fresh read). */
    decode(value?: number | bigint): Record<string, number | bigint>;
    [field: string]: any;
  }
  export interface BoundRegisters {
    /** Run fn with `bank` selected; the bank is always left again. @throws TypeError for an unknown bank or when a bank is already selected. */
    inBank<T>(bank: string, fn: (regs: this) => T): T;
    [register: string]: any;
  }
  export interface Layout {
    /** Bind to a window: `shift` spaces registers 1 << shift bytes apart; `accessWidth` forces the access width in bits. */
    on(region: Region, opts?: { shift?: number; accessWidth?: 8 | 16 | 32 | 64; base?: number }): BoundRegisters;
  }
  /** Declare a register map once. @throws TypeError for a malformed declaration (naming the register). */
  /**
   * DMA barriers, as Linux's: `dmaWmb()` before the doorbell write that hands the device
   * descriptors just written; `dmaRmb()` between reading a descriptor's done bit and reading
   * the rest of it; `mb()` orders everything. Register writes already order earlier DMA-memory
   * writes before them (Linux's writel). aarch64: dmb oshst / dmb oshld / dsb sy; x86: free.
   */
  export function dmaWmb(): void;
  export function dmaRmb(): void;
  export function mb(): void;
  /** Batch operations over descriptor rings and typed arrays (contracts in native.d.ts). */
  export { ring, take, transition, compareBytes, Ring } from "jsk:native";
  export function registers(spec: Record<string, RegisterSpec>, opts?: {
    device?: string; width?: 8 | 16 | 32 | 64;
    banks?: Record<string, { enter(regs: BoundRegisters): void; leave(regs: BoundRegisters): void }>;
  }): Layout;

  // ---- devices ----
  export class Dma {
    readonly buffer: ArrayBuffer; readonly iova: bigint; readonly size: number;
    readonly bytes: Uint8Array; readonly view: DataView;
    /** Return the memory now; the device must no longer use it. */
    free(): void;
  }
  export class Irq {
    readonly name: string; readonly fd: number;
    /** Interrupts signalled so far (consumed), 0n if none. */
    take(): bigint;
    /** Resolves with the count once one arrived. Rejects with TimeoutError naming the IRQ after `timeout` ms. */
    wait(opts?: { timeout?: number }): Promise<bigint>;
    /** Wait for interrupts until condition() holds. Rejects with TimeoutError "timed out after {ms} ms waiting for {what}". */
    until(condition: () => boolean, opts: { ms: number; what: string }): Promise<void>;
    on(handler: (count: bigint) => void): this;
    off(): void;
    unref(): this;
    ref(): this;
    /** Re-enable a level-triggered line after servicing (VFIO INTx). */
    unmask(): void;
  }
  /** Run handler on each interrupt of irq, or every pollMs without one, between start() and stop(). */
  export class IrqOrPoll {
    constructor(irq: Irq | null | undefined, pollMs: number, handler: () => void);
    readonly active: boolean;
    start(): void;
    stop(): void;
  }
  export class Device {
    readonly name: string;
    readonly bus: "pci" | "platform";
    readonly vendor?: number; readonly device?: number; readonly class?: number; readonly address?: string;
    readonly compatible?: string[]; readonly clock?: number;
    /** PCI configuration space (qtest, vfio). */
    readonly config?: Region;
    hasRegion(key: number | string): boolean;
    readonly irqCount: number;
    /** How interrupts arrive: VFIO "msix", "msi" or "intx"; "line" (qtest, fake, platform); "none". */
    readonly irqKind: "msix" | "msi" | "intx" | "line" | "none";
    /** @throws Error "NAME: no region N" */
    bar(i: number): Region;
    /** @throws Error when the window is not port I/O. */
    io(key?: number | string): Region;
    /** @throws Error when the window is not memory-mapped. */
    mmio(key?: number | string): Region;
    /** @throws Error "NAME: no interrupt i" */
    irq(i?: number): Irq;
    /** Zeroed DMA memory. @throws Error when the backend has none (mem); RangeError for a bad size/align. */
    dma(size: number, opts?: { align?: number }): Dma;
    enableBusMaster(): void;
    disableBusMaster(): void;
    onRelease(fn: () => void): void;
    /** Interrupt handlers off, bus mastering off, release hooks (newest first). Rethrows the first hook error after running all. */
    release(): void;
  }

  // ---- driver model ----
  export interface PciId { vendor: number; device?: number; class?: number }
  export interface Driver<H = unknown> {
    readonly kind: "jsk-driver"; readonly name: string; readonly description?: string;
    readonly match: { readonly pci: readonly PciId[]; readonly compatible: readonly string[] };
    probe(dev: Device): H | Promise<H>;
    remove?(handle: H): void;
  }
  /** @throws TypeError for a missing name/probe or a malformed match table. */
  export function driver<H>(d: { name: string; description?: string; match: { pci?: PciId[]; compatible?: string[] }; probe(dev: Device): H | Promise<H>; remove?(handle: H): void }): Driver<H>;
  export function matches(drv: Driver, desc: { bus: string; vendor?: number; device?: number; class?: number; compatible?: string[] }): boolean;
  /** Run probe; on failure the device is released and the error rethrown prefixed with the driver's name. */
  export function bind<H>(drv: Driver<H>, dev: Device): Promise<H>;
  /** remove(handle), then release the device (also when remove throws). */
  export function unbind(handle: unknown): void;
  /** Remove every bound driver, newest first (runs at process exit). Errors are printed. */
  export function unbindAll(): void;
  export function boundDrivers(): { driver: string; device: Device; handle: unknown }[];

  // ---- waits ----
  export { LoopTimeoutError as TimeoutError };
  /** Resolves with condition()'s first truthy value. Rejects with TimeoutError "timed out after {ms} ms waiting for {what}". @throws TypeError without { ms, what }. */
  export function waitFor<T>(condition: () => T | Promise<T>, opts: { ms: number; what: string; interval?: number }): Promise<T>;
  /** Busy-wait for microsecond-scale waits. @throws TimeoutError after `us`. */
  export function spinUntil<T>(condition: () => T, opts: { us: number; what: string }): T;
  export const delay: { ms(n: number): Promise<void>; us(n: number): Promise<void>; ns(n: number): Promise<void> };

  // ---- GPIO (embedded-hal names) ----
  export interface PinOps {
    write(level: boolean): void;
    read(): boolean;
    direction(dir: "in" | "out"): void;
    /** Subscribe to edges; returns an unsubscribe function. */
    edges?(edge: "rising" | "falling" | "both", cb: (level: boolean) => void): () => void;
  }
  export class Pin {
    constructor(name: string, ops: PinOps);
    readonly name: string;
    /** Drive `initial` first, then switch to output (no glitch). */
    intoOutput(initial?: boolean): this;
    intoInput(): this;
    setHigh(): void; setLow(): void;
    /** @throws TypeError for anything but true/false, 1/0, "high"/"low". */
    setState(state: boolean | 0 | 1 | "high" | "low"): void;
    toggle(): void;
    isSetHigh(): boolean; isSetLow(): boolean;
    isHigh(): boolean; isLow(): boolean;
    /** @throws TypeError when the controller cannot report edges. Returns an unsubscribe function. */
    on(event: "edge", cb: (e: { pin: Pin; level: boolean; edge: "rising" | "falling"; timestampNs?: bigint; seqno?: number; lineSeqno?: number }) => void, opts?: { edge?: "rising" | "falling" | "both" }): () => void;
    /** Reject with TimeoutError after `timeout` ms (required). */
    waitForRisingEdge(opts: { timeout: number }): Promise<{ pin: Pin; level: boolean; edge: string }>;
    waitForFallingEdge(opts: { timeout: number }): Promise<{ pin: Pin; level: boolean; edge: string }>;
    waitForAnyEdge(opts: { timeout: number }): Promise<{ pin: Pin; level: boolean; edge: string }>;
    waitForHigh(opts: { timeout: number }): Promise<void>;
    waitForLow(opts: { timeout: number }): Promise<void>;
  }

  /** Edge subscriptions of a GPIO controller's lines (for drivers). */
  export class EdgeSubscribers {
    constructor(hooks: { configure(line: number): void; start(): void; stop(): void });
    readonly size: number;
    subscribe(line: number, edge: "rising" | "falling" | "both", cb: (level: boolean) => void): () => void;
    edgesOf(line: number): { rising: boolean; falling: boolean };
    /** An edge happened on `line`, whose level is now `levelNow`. */
    deliver(line: number, levelNow: boolean): void;
    clear(): void;
  }

  // ---- I2C (embedded-hal 1.0 I2c, async) ----
  export const ErrorKind: { readonly Bus: "Bus"; readonly ArbitrationLoss: "ArbitrationLoss"; readonly NoAcknowledge: "NoAcknowledge"; readonly Overrun: "Overrun"; readonly Other: "Other" };
  export const NoAcknowledgeSource: { readonly Address: "Address"; readonly Data: "Data"; readonly Unknown: "Unknown" };
  /** A transfer that failed on the bus; `kind` (and `source` for NoAcknowledge) follow embedded-hal's ErrorKind. */
  export class I2cError extends Error {
    constructor(message: string, kind: keyof typeof ErrorKind, extra?: { source?: keyof typeof NoAcknowledgeSource; address?: number; cause?: unknown });
    readonly kind: keyof typeof ErrorKind;
    readonly source?: keyof typeof NoAcknowledgeSource;
    address?: number;
  }
  type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView | number[];
  /** A length to read, or a buffer to fill. */
  type ReadTarget = number | Uint8Array;
  export type I2cOperation = { read: ReadTarget } | { write: Bytes };
  /** What a controller driver implements: segments alternate read/write, adjacent ones already merged. */
  export interface I2cOps {
    /** Returns when done (synchronous controllers) or a promise. */
    transaction(address: number, segments: ({ read: Uint8Array } | { write: Uint8Array })[]): void | Promise<void>;
    /** The longest segment the controller carries (default 65535). */
    maxSegment?: number;
  }
  export class I2c {
    constructor(name: string, ops: I2cOps);
    readonly name: string;
    readonly maxSegment: number;
    /** START, the operations, STOP; resolves with the read buffers in order. @throws RangeError/TypeError for bad arguments, I2cError from the bus. */
    transaction(address: number, operations: I2cOperation[]): Promise<Uint8Array[]>;
    read(address: number, target: ReadTarget): Promise<Uint8Array>;
    write(address: number, bytes: Bytes): Promise<void>;
    writeRead(address: number, bytes: Bytes, target: ReadTarget): Promise<Uint8Array>;
    /** Whether `address` acknowledges (a zero-length write). */
    probe(address: number): Promise<boolean>;
    /** Addresses that answer, 0x08..0x77 by default. */
    scan(range?: { from?: number; to?: number }): Promise<number[]>;
    client(address: number, opts?: { name?: string; compatible?: string[]; properties?: Record<string, unknown> }): I2cClient;
  }
  /** One device on a bus: what I2C device drivers' probe receives. */
  export class I2cClient {
    readonly i2c: I2c; readonly address: number; readonly name: string; readonly bus: "i2c";
    readonly compatible: readonly string[]; readonly properties: Readonly<Record<string, unknown>>;
    read(target: ReadTarget): Promise<Uint8Array>;
    write(bytes: Bytes): Promise<void>;
    writeRead(bytes: Bytes, target: ReadTarget): Promise<Uint8Array>;
    transaction(operations: I2cOperation[]): Promise<Uint8Array[]>;
    release(): void;
  }
  /** SMBus transfers a controller offers; each may return a promise. */
  export interface SmbusOps {
    quick?(address: number): unknown; receiveByte?(address: number): number | Promise<number>; sendByte?(address: number, byte: number): unknown;
    readByteData?(address: number, command: number): number | Promise<number>; writeByteData?(address: number, command: number, byte: number): unknown;
    readWordData?(address: number, command: number): number | Promise<number>; writeWordData?(address: number, command: number, word: number): unknown;
    readI2cBlock?(address: number, command: number, buffer: Uint8Array): unknown; writeI2cBlock?(address: number, command: number, bytes: Uint8Array): unknown;
  }
  /** An I2c over an SMBus-only controller: transactions with an SMBus shape are carried, others fail with I2cError kind "Other". */
  export function smbusI2c(name: string, smbus: SmbusOps): I2c & { smbus: SmbusOps };
  /** An I2c bit-banged on two open-drain pins (setHigh releases the line). frequency 0: no waits. */
  export function bitbangI2c(name: string, opts: { scl: Pin; sda: Pin; frequency?: number; stretchUs?: number }): I2c;

  // ---- SPI (embedded-hal 1.0 SpiBus / SpiDevice, async) ----
  export const MODE_0: 0, MODE_1: 1, MODE_2: 2, MODE_3: 3;
  export function modeOf(mode: 0 | 1 | 2 | 3): { polarity: "IdleLow" | "IdleHigh"; phase: "CaptureOnFirstTransition" | "CaptureOnSecondTransition" };
  export interface SpiConfig { mode?: 0 | 1 | 2 | 3; frequency: number; lsbFirst?: boolean; chipSelect?: number }
  export type SpiOperation = { read: ReadTarget } | { write: Bytes } | { transfer: { read: ReadTarget; write: Bytes } } | { transferInPlace: Uint8Array } | { delayNs: number };
  export class SpiBus {
    constructor(name: string, ops: { configure(c: Required<Omit<SpiConfig, "chipSelect">> & { chipSelect?: number }): number | void; transfer(read: Uint8Array, write: Uint8Array): Promise<void>; flush?(): Promise<void> });
    readonly name: string;
    /** Hz the controller actually uses after configure(). */
    readonly frequency: number | undefined;
    /** @throws RangeError for a mode or frequency out of range. */
    configure(config: SpiConfig): this;
    transfer(read: ReadTarget, write: Bytes): Promise<Uint8Array>;
    transferInPlace(buffer: Uint8Array): Promise<Uint8Array>;
    read(target: ReadTarget): Promise<Uint8Array>;
    write(bytes: Bytes): Promise<void>;
    flush(): Promise<void>;
  }
  export class SpiDevice {
    constructor(name: string, ops: { transaction(ops: SpiOperation[]): Promise<void>; maxTransfer?: number }, ids?: { compatible?: string[]; properties?: Record<string, unknown> });
    /** A chip on a SpiBus: chip select a Pin (active low unless csActiveHigh), the controller's line number, or null. */
    static onBus(bus: SpiBus, opts: SpiConfig & { cs?: Pin | number | null; csActiveHigh?: boolean; name?: string; compatible?: string[]; properties?: Record<string, unknown> }): SpiDevice;
    readonly name: string; readonly bus: "spi"; readonly maxTransfer: number | undefined;
    readonly compatible: readonly string[]; readonly properties: Readonly<Record<string, unknown>>;
    /** Chip select held throughout; resolves with what read/transfer/transferInPlace operations read, in order. */
    transaction(operations: SpiOperation[]): Promise<Uint8Array[]>;
    read(target: ReadTarget): Promise<Uint8Array>;
    write(bytes: Bytes): Promise<void>;
    transfer(read: ReadTarget, write: Bytes): Promise<Uint8Array>;
    transferInPlace(buffer: Uint8Array): Promise<Uint8Array>;
    release(): void;
  }

  // ---- serial ----
  export interface SerialFormat { baud?: number; dataBits?: 5 | 6 | 7 | 8; parity?: "none" | "even" | "odd" | "mark" | "space"; stopBits?: 1 | 1.5 | 2 }
  export class Serial implements AsyncIterable<Uint8Array> {
    constructor(name: string, ops: { configure(f: Required<SerialFormat>): void; transmit(bytes: Uint8Array): Promise<void>; drain?(): Promise<void> });
    readonly name: string;
    /** @throws RangeError for a format the hardware cannot do. */
    configure(format?: SerialFormat): this;
    /** Resolves when the hardware took all bytes; rejects with TimeoutError if the transmitter never empties. The buffer is not kept. */
    write(data: Uint8Array | ArrayBuffer | string): Promise<void>;
    /** Resolves when everything written has left the transmitter. */
    flush(): Promise<void>;
    /** The next chunk, or null after close(). Rejects with TimeoutError after `timeout` ms. */
    read(opts?: { timeout?: number }): Promise<Uint8Array | null>;
    readExactly(n: number, opts?: { timeout?: number }): Promise<Uint8Array>;
    on(event: "data", cb: (bytes: Uint8Array) => void): () => void;
    /** For drivers: bytes arrived ("data" listeners and a waiting read() get them; queued only if nobody took them). */
    received(bytes: Uint8Array): void;
    /** True while a read() waits or a "data" listener is installed. */
    readonly hasReaders: boolean;
    close(): void;
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  }

  // ---- network devices ----
  /** Who has a pool's buffer: its driver (free, or in a receive ring), the program, or the device sending it. */
  export const BUFFER: { readonly DRIVER: 0; readonly HELD: 1; readonly SENDING: 2 };
  /** The arguments of a burst call: TypeError unless Uint16Arrays, RangeError unless `n` is a count both hold. */
  export function checkBurst(name: string, what: string, ids: Uint16Array, lens: Uint16Array, n: number): void;
  /** Buffers ids[0..n) back onto the free stacks of a device's rx pool (ids below tx.first) and tx pool; `list` is ring(ids, ids.length, 2). */
  export function restock(list: Ring, ids: Uint16Array, n: number, rx: PacketPool, tx: PacketPool): void;
  /** One frame in a DMA buffer of a PacketPool. */
  export class Packet {
    readonly capacity: number; readonly iova: bigint; length: number;
    /** The buffer's number in its pools' shared state table (a device's burst id: use `dev.idOf(p)`). */
    readonly id: number;
    /** BUFFER.DRIVER, HELD or SENDING. */
    readonly state: 0 | 1 | 2;
    /** The whole buffer. */
    readonly bytes: Uint8Array;
    /** The frame: the first `length` bytes. */
    readonly data: Uint8Array;
    /** @throws RangeError beyond the buffer. */
    setLength(n: number): this;
    /** Back to the pool (no-op if already free). */
    free(): void;
  }
  /** Equal buffers carved from one DMA allocation. */
  export class PacketPool {
    /** Buffers numbered `first`..`first + count - 1`; pools of one device share one `state` table; `headroom` bytes before each Packet are the driver's. */
    constructor(dev: Device, opts: { count: number; size?: number; name?: string; first?: number; state?: Uint8Array; headroom?: number });
    readonly available: number;
    readonly size: number; readonly headroom: number;
    readonly first: number;
    /** Free buffer ids: stack[0..top). */
    readonly stack: Uint16Array; top: number;
    readonly state: Uint8Array;
    take(): Packet | null;
    put(p: Packet): void;
  }
  export function macString(mac: Uint8Array): string;
  export interface Link { up: boolean; speedMbps: number; fullDuplex: boolean }
  /** The interface every NIC driver offers (e1000, virtio-net). */
  export class NetDevice {
    constructor(name: string, mac: ArrayLike<number>, ops: {
      rxBatch(max: number): Packet[]; txBatch(p: Packet[]): number; allocPacket(length: number): Packet | null;
      link(): Link; counters(): Record<string, number>; setPromiscuous(on: boolean): void;
      waitRx(opts: { timeout?: number }): Promise<unknown>;
    });
    readonly name: string; readonly mac: Uint8Array; readonly macAddress: string;
    readonly link: Link;
    /** Up to max received frames; each must later be sent or freed. */
    rxBatch(max?: number): Packet[];
    /** Queue Packets (or byte arrays, copied); returns how many were queued, in order; the rest stay the caller's. */
    txBatch(packets: (Packet | Uint8Array)[]): number;
    /** null when the pool is exhausted. @throws RangeError beyond a buffer. */
    allocPacket(length: number): Packet | null;
    /** Up to `max` (default ids.length) received frames as buffer ids and lengths; returns how many. */
    rxBurst(ids: Uint16Array, lens: Uint16Array, max?: number): number;
    /** Queue the program's buffers ids[0..n) of lens[0..n) bytes; returns how many (in order). @throws RangeError, TypeError and then queues nothing. */
    txBurst(ids: Uint16Array, lens: Uint16Array, n: number): number;
    /** Up to `n` transmit buffers into ids[0..); returns how many. */
    allocBurst(ids: Uint16Array, n: number): number;
    /** Give buffers ids[0..n) back. @throws TypeError at one the program does not hold. */
    freeBurst(ids: Uint16Array, n: number): void;
    /** Buffer `id` whole. */
    buffer(id: number): Uint8Array;
    /** The Packet of buffer `id`. @throws RangeError for no such buffer. */
    packet(id: number): Packet;
    /** The burst id of a Packet this device handed out. */
    idOf(p: Packet): number;
    readonly stats: { rxPackets: number; rxBytes: number; txPackets: number; txBytes: number; rxErrors: number; txErrors: number; rxDropped: number; txDropped: number; badDescriptors: number; [k: string]: number };
    promiscuous: boolean;
    /** Resolves when packets may be waiting. Rejects with TimeoutError after `timeout` ms. */
    waitRx(opts?: { timeout?: number }): Promise<unknown>;
    /** Up to max frames now, or after waiting up to `timeout` ms (default 1000) when none; [] if none came. */
    receive(max?: number, opts?: { timeout?: number }): Promise<Packet[]>;
    on(event: "link", cb: (l: Link) => void): () => void;
    /** Rejects with TimeoutError after `timeout` ms. */
    waitForLink(opts: { timeout: number }): Promise<Link>;
    /** Every frame received ("rx") and sent ("tx"). Returns a function that stops it. */
    tap(fn: (dir: "rx" | "tx", bytes: Uint8Array) => void): () => void;
    /** For drivers: the link may have changed. */
    linkChanged(): void;
  }
  /**
   * The data path DMA-ring NIC drivers share (e1000, virtio-net): two numbered pools with one
   * state table, and rxBatch/txBatch/allocPacket/allocBurst/freeBurst/packet/idOf over the
   * driver's rxBurst, txBurst, reclaimTx, txRoom(n), framesReady() and updateWaiting().
   */
  export class PooledNetDevice extends NetDevice {
    constructor(name: string, label: string, ops: { link(): Link; counters(): Record<string, number>; setPromiscuous(on: boolean): void });
    readonly label: string;
    removed: boolean; lastError: unknown;
    frameMin: number; frameMax: number;
    readonly rxPool: PacketPool; readonly txPool: PacketPool;
    readonly bufState: Uint8Array; readonly bufIova: BigUint64Array; readonly bufPackets: Packet[];
    setupPools(dev: Device, opts: { rxCount: number; txCount: number; size: number; headroom?: number; batch: number }): void;
    runTaps(direction: "rx" | "tx", bytes: Uint8Array): void;
    tapBurst(direction: "rx" | "tx", ids: Uint16Array, lens: Uint16Array, n: number): void;
    /** After transition(bufState, ids, 0, n, HELD, SENDING) claimed `claimed` < n: undo them and throw the TypeError naming the first. */
    refuseSend(ids: Uint16Array, claimed: number): never;
    checkArrays(ok: { ids: Uint16Array | null; lens: Uint16Array | null; room: number }, what: string, ids: Uint16Array, lens: Uint16Array, n: number): void;
    checkLive(): void;
    wakeRx(): void;
    rejectWaiters(e: unknown): void;
  }

  /** GPIO levels recorded for --trace-vcd. */
  export const trace: { readonly enabled: boolean; level(signal: string, level: boolean): void };
}
