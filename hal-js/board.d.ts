// jsk:board — boards from devices/*.toml and the drivers attached to them.
declare module "jsk:board" {
  import type { Device } from "jsk:hal";
  export interface DeviceDescription {
    id: string; name: string; bus: "pci" | "platform";
    vendor?: number; device?: number; class?: number; address?: string;
    compatible: string[]; clock?: number;
    regions: { index?: number; name?: string; space: "mem" | "io"; size: number }[];
    irqs: number;
    /** vfio: how the interrupts are delivered. */
    irqKind?: "msix" | "msi" | "intx" | "none";
    /** The chips on a bus controller (the board file's [[device.child]]): reg is the I2C address or SPI chip select. */
    children: { name: string; compatible: string[]; reg: number; description?: string; properties: Record<string, unknown> }[];
  }
  export interface Board {
    readonly name: string; readonly backend: "qtest" | "mem" | "fake" | "vfio"; readonly arch: string;
    list(): DeviceDescription[];
    /** @throws Error naming the devices there are. */
    device(id: string): Device;
    /** qtest: line changes since the last call ({ t: ms since open }). */
    irqLog(): { t: number; line: number; level: boolean }[];
    /** qtest: drive input `line` of the model of QOM type `qomType`. @throws Error on other backends. */
    setIrqIn(qomType: string, name: string | undefined, line: number, level: number): void;
    /** qtest: QMP qom-set of an integer property of device `id` (a tmp105's temperature in m°C). */
    setProperty(id: string, property: string, value: number): void;
    /** qtest: plug (`up` true) or pull the cable of netdev `id` (QMP set_link). */
    setLink(id: string, up: boolean): void;
    /** The board file's `[[linux]]` buses. */
    linux(): { name: string; kind: "i2c" | "spi" | "gpio"; path?: string; label?: string; description?: string }[];
    /** Open a `[[linux]]` bus through jsk:linux: an I2c, a SpiDevice (options: mode, frequency, ...) or a GPIO chip. */
    openLinux(name: string, options?: Record<string, unknown>): any;
    /** Stop QEMU (qtest). */
    close(): void;
  }
  /**
   * @throws Error naming the board file for a missing or malformed file, an unknown backend, a
   * chardev/netdev the board does not have, or QEMU failing to start (with its stderr).
   * With `vfio` (path ""): the PCI addresses to open; errors say which check failed (no IOMMU
   * group, not bound to vfio-pci, group not viable with its members, /dev/vfio/N permission).
   */
  export function openBoard(path: string, opts?: { backend?: "qtest" | "mem" | "fake" | "vfio"; chardev?: Record<string, string>; netdev?: Record<string, string>; observe?: string; vfio?: string[] }): Board;
  /** The board `jsk run --board` opened, or null. */
  export function board(): Board | null;
  export function attachAll(b: Board, drivers: import("jsk:hal").Driver[]): Promise<{ driver: string; device: string; handle: unknown }[]>;
  /** The handle a driver's probe returned. @throws Error listing what is attached. */
  export function attached<H = any>(driverName: string, opts?: { device?: string }): H;
  export function attachedAll(): { driver: string; device: string; handle: any }[];
  export function kindOf(handle: unknown): "gpio" | "serial" | "net" | "i2c" | "spi" | undefined;
  /** @throws Error when no GPIO controller is attached. */
  export function gpioController(index?: number): { pin(n: number): import("jsk:hal").Pin; [k: string]: any };
  /** @throws Error when no serial port is attached. */
  export function serialPort(which?: number | string): import("jsk:hal").Serial;
  /** An attached NIC's NetDevice, by device name or index (default 0). @throws Error listing what is attached when there is none. */
  export function netDevice(which?: number | string): import("jsk:hal").NetDevice;
  /** An attached I2C controller's I2c, by device name or index. @throws Error listing what is attached. */
  export function i2cBus(which?: number | string): import("jsk:hal").I2c;
  /** An attached SPI controller's SpiBus, by device name or index. @throws Error listing what is attached. */
  export function spiBus(which?: number | string): import("jsk:hal").SpiBus;
}
