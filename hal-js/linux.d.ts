// jsk:linux — i2c-dev, spidev and the GPIO character device (uAPI v2) as hal objects.
declare module "jsk:linux" {
  import type { I2c, I2cError, SpiDevice, Pin } from "jsk:hal";
  export const I2C_FUNC: Readonly<Record<string, number>>;
  export const LINE_FLAG: Readonly<Record<string, number>>;
  /**
   * An i2c-dev bus (N for /dev/i2c-N, or a path): I2C_RDWR when the adapter has
   * I2C_FUNC_I2C, else the transactions with an SMBus form as I2C_SMBUS calls.
   * `force`: I2C_SLAVE_FORCE for addresses a kernel driver holds; `blockReads: false`
   * leaves out SMBus I2C block reads. @throws SysError when the file cannot be opened.
   */
  export function openI2c(bus: number | string, opts?: { force?: boolean; blockReads?: boolean; name?: string }): I2c & {
    readonly funcs: number; readonly smbusOnly: boolean; readonly path: string; close(): void;
  };
  /** The I2cError for a failed i2c-dev ioctl (Documentation/i2c/fault-codes.rst). */
  export function i2cErrorOf(e: unknown, address?: number): I2cError | unknown;
  /** A spidev device ([bus, cs] or a path) set to `mode` and `frequency`. @throws SysError, RangeError. */
  export function openSpi(dev: string | [number, number], opts: {
    mode?: 0 | 1 | 2 | 3; frequency: number; lsbFirst?: boolean; csActiveHigh?: boolean; name?: string;
    compatible?: string[]; properties?: Record<string, unknown>;
  }): SpiDevice & { readonly path: string; readonly frequency: number; close(): void };
  export interface LineInfo {
    offset: number; name: string; consumer: string; used: boolean; direction: "in" | "out"; activeLow: boolean;
    bias: "as-is" | "pull-up" | "pull-down" | "disabled"; drive: "push-pull" | "open-drain" | "open-source";
    edges: "none" | "rising" | "falling" | "both";
  }
  export interface LineOptions {
    bias?: LineInfo["bias"]; drive?: LineInfo["drive"]; activeLow?: boolean; debounceUs?: number;
    /** Events the kernel keeps before dropping (1..1024, default 1024). */
    eventBufferSize?: number; clock?: "monotonic" | "realtime"; consumer?: string;
  }
  export interface GpioChip {
    readonly path: string; readonly name: string; readonly label: string; readonly lines: number;
    lineInfo(offset: number): LineInfo;
    /** @throws RangeError when no line has that name. */
    lineOffset(name: string): number;
    /** The hal Pin of a line (an offset or a name); edge events carry timestampNs (BigInt), seqno, lineSeqno. */
    pin(line: number | string, opts?: LineOptions): Pin & { readonly lostEdges: number; release(): void };
    close(): void;
  }
  /** A GPIO chip: N (/dev/gpiochipN), a path, or { label } ("pinctrl-rp1"). @throws SysError, Error. */
  export function openGpioChip(which: number | string | { label: string }): GpioChip;
  /** /dev/gpiochip* in number order. */
  export function gpioChips(): string[];
}
