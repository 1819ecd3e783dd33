// jsk:fake — in-process fake devices for unit tests and fuzzing.
declare module "jsk:fake" {
  import type { Device, Region } from "jsk:hal";
  export interface Behaviour {
    /** Return a value to replace the stored one, or undefined to read the register file. */
    read?(offset: number, width: number): number | bigint | undefined;
    /** Called after the value is stored. */
    write?(value: number | bigint, offset: number, width: number): void;
  }
  export interface FakeDevice {
    readonly device: Device;
    readonly busMaster: boolean;
    readonly released: boolean;
    accesses: { region: number | string; op: "read" | "write"; offset: number; width: number; value?: number | bigint }[];
    /** @throws Error for an unknown region. */
    region(key?: number | string): Region;
    /** The config space when made with `config: true`. */
    readonly config: Region | undefined;
    on(key: number | string, offset: number, b: Behaviour): this;
    onAny(key: number | string, b: Behaviour): this;
    record(on?: boolean): this;
    /** Signal interrupt i. @throws Error if there is none. */
    raise(i?: number): void;
    /** The device's side of DMA. @throws RangeError unless inside one live DMA buffer. */
    dmaRead(iova: bigint | number, length: number): Uint8Array;
    dmaWrite(iova: bigint | number, bytes: Uint8Array): void;
    close(): void;
  }
  export function fakeDevice(spec?: {
    name?: string; bus?: "pci" | "platform"; ids?: Record<string, unknown>;
    regions?: { index?: number; name?: string; size: number; space?: "mem" | "io" }[];
    irqs?: number; irqKind?: "msix" | "msi" | "intx" | "line"; dma?: boolean;
    /** A 256-byte PCI config space (plain memory, `fake.config`), seen by the driver as `dev.config`. */
    config?: boolean;
  }): FakeDevice;
  /** An I2C target model: false from event() for a START refuses it (no acknowledge). */
  export interface I2cTargetModel {
    address?: number; addresses?: number[];
    event(kind: "start-write" | "start-read" | "stop", address: number): boolean | void;
    send(byte: number): boolean;
    recv(): number;
  }
  export interface FakeI2cBus {
    readonly i2c: import("jsk:hal").I2c;
    log: { address: number; segments: ({ read: number } | { write: number[] })[] }[];
    /** Make the next transaction fail with this ErrorKind. */
    failNext: "Bus" | "ArbitrationLoss" | "NoAcknowledge" | "Overrun" | "Other" | undefined;
    attach<T extends I2cTargetModel>(model: T): T;
    detach(model: I2cTargetModel): void;
  }
  export function fakeI2cBus(name?: string, targets?: I2cTargetModel[]): FakeI2cBus;
  export interface SpiTargetModel { select(on: boolean): void; exchange(byte: number): number }
  export interface FakeSpiBus {
    readonly bus: import("jsk:hal").SpiBus;
    configs: import("jsk:hal").SpiConfig[];
    /** A chip-select Pin (active low) for the model. */
    cs(model: SpiTargetModel, name?: string): import("jsk:hal").Pin;
  }
  export function fakeSpiBus(name?: string): FakeSpiBus;
}
