// jsk:virtio/pci — the modern virtio PCI transport; jsk:virtio/split_queue — split virtqueues.
// What drivers/virtio/* build on (VIRTIO 1.2, sections 4.1 and 2.7).
declare module "jsk:virtio/pci" {
  import type { Device, Region } from "jsk:hal";
  export const VIRTIO_VENDOR: 0x1af4;
  export const MODERN_DEVICE_BASE: 0x1040;
  /** cfg_type values of the virtio vendor capabilities (4.1.4). */
  export const CFG: Readonly<{ COMMON: 1; NOTIFY: 2; ISR: 3; DEVICE: 4; PCI: 5; SHARED_MEMORY: 8; VENDOR: 9 }>;
  /** struct virtio_pci_common_cfg as a register map (4.1.4.3). */
  export const COMMON: any;
  export const COMMON_CFG_MIN: 0x38;
  export const NO_VECTOR: 0xffff;
  /** Reserved feature bits (6) as BigInt bit numbers. */
  export const FEATURE: Readonly<Record<"INDIRECT_DESC" | "EVENT_IDX" | "VERSION_1" | "ACCESS_PLATFORM" | "RING_PACKED" | "IN_ORDER" | "ORDER_PLATFORM" | "SR_IOV" | "NOTIFICATION_DATA", bigint>>;
  /** A feature set from bit numbers. */
  export function bits(...n: (number | bigint)[]): bigint;
  export interface Structure { bar: number; offset: number; length: number; id: number; multiplier?: number }
  /** The device's virtio structures from its config space; Error naming what is wrong. */
  export function findStructures(name: string, config: Region | undefined, bars: (i: number) => number | undefined):
    { common: Structure; notify: Structure; isr: Structure; device?: Structure; pci?: Structure };
  /** Where a queue's notifications go (cap.offset + notify_off x multiplier), checked. */
  export function notifyAddress(name: string, notify: Structure, notifyOff: number): number;
  export class Transport {
    constructor(dev: Device, opts?: { waitMs?: number });
    readonly structures: ReturnType<typeof findStructures>;
    readonly deviceConfig: { region: Region; offset: number; length: number } | null;
    features: bigint;
    status(): number;
    reset(): Promise<void>;
    deviceFeatures(): bigint;
    /** 3.1.1 steps 1-6; `check(offered)` returns optional bits to leave out. */
    begin(opts?: { required?: bigint; optional?: bigint; check?: (offered: bigint) => bigint }): Promise<bigint>;
    ready(): void;
    fail(): void;
    needsReset(): boolean;
    has(bit: number | bigint): boolean;
    readonly queueCount: number;
    maxQueueSize(index: number): number;
    setupQueue(q: import("jsk:virtio/split_queue").SplitQueue, opts?: { vector?: number }): { notify: number; vector: number };
    notify(at: number, index: number): void;
    readIsr(): number;
    close(): void;
  }
}

declare module "jsk:virtio/split_queue" {
  import type { Device, Ring } from "jsk:hal";
  export const DESC_F_NEXT: 1;
  export const DESC_F_WRITE: 2;
  export const AVAIL_F_NO_INTERRUPT: 1;
  export const USED_F_NO_NOTIFY: 1;
  /** A split virtqueue; buffers offered in order through fixed slots. */
  export class SplitQueue {
    constructor(dev: Device, index: number, size: number, opts?: { name?: string; header?: number });
    readonly index: number; readonly size: number; readonly slots: number;
    readonly records: Ring; slot: number; outstanding: number;
    readonly addresses: { desc: bigint; driver: bigint; device: bigint };
    readonly refused: Uint16Array; refusedCount: number; bytes: number; bad: number; blocked: number;
    interrupts: boolean;
    readonly pending: boolean;
    room(n: number): number;
    preset(len: number, flags: number): void;
    fill(n: number, iovas: BigUint64Array, bufIds: Uint16Array, start: number, lens: Uint16Array | Uint32Array | null): number;
    publish(n: number): void;
    wantsNotify(): boolean;
    collect(ids: Uint16Array, lens: Uint16Array | Uint32Array | null, max: number, minLen?: number, maxLen?: number, bias?: number): number;
    drain(ids: Uint16Array): number;
    free(): void;
  }
}
