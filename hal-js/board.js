// jsk:board — a board from devices/*.toml on a backend, its devices as hal
// Devices, and the drivers attached to them.
//
// `jsk run --board devices/X.toml [--backend qtest|mem|fake] APP.js` opens the
// board and attaches the matching drivers from drivers/ before APP.js runs;
// the app then asks for what it needs:
//
//   import { attached } from "jsk:board";
//   const edu = attached("edu");           // the handle the edu driver's probe returned
//   const uart = attached("uart16550", { device: "serial0" });

import * as native from "jsk:native";
import { openI2c, openSpi, openGpioChip } from "jsk:linux";
import { Device } from "jsk:hal/device";
import { bind, matches } from "jsk:hal/driver";
import { SpiDevice } from "jsk:hal/spi";

let current = null;
const attachments = []; // { driver, device, handle }

class Board {
  constructor(nb) {
    this.native = nb;
    this.name = nb.name;
    this.backend = nb.backend;
    this.arch = nb.arch;
    this.descriptions = nb.devices();
    for (const d of this.descriptions) for (const c of d.children) c.properties = JSON.parse(c.properties);
    this.linuxBuses = nb.linux();
    this.cache = new Map();
  }
  /** The buses the board's Linux drives (`[[linux]]` in the board file): [{ name, kind, path?, label?, description? }]. */
  linux() { return this.linuxBuses; }
  /**
   * Open a `[[linux]]` bus by name through jsk:linux: an I2c (i2c-dev), a
   * SpiDevice (spidev; `options` give mode and frequency) or a GPIO chip.
   * @throws Error naming the buses the board has; SysError when the device file cannot be opened.
   */
  openLinux(name, options = {}) {
    const bus = this.linuxBuses.find((b) => b.name === name);
    if (!bus) throw new Error(`board ${this.name}: no Linux bus "${name}" (has ${this.linuxBuses.map((b) => b.name).join(", ") || "none"})`);
    if (bus.kind === "i2c") return openI2c(bus.path, { name, ...options });
    if (bus.kind === "spi") return openSpi(bus.path, { name, ...options });
    return openGpioChip(bus.path ?? { label: bus.label });
  }
  /** Device descriptions: [{ id, name, bus, vendor, device, class, address, compatible, regions, irqs }]. */
  list() { return this.descriptions; }
  /** The hal Device for a description id or name (one object per device). */
  device(id) {
    const desc = this.descriptions.find((d) => d.id === id || d.name === id);
    if (!desc) throw new Error(`board ${this.name}: no device "${id}" (has ${this.descriptions.map((d) => d.name).join(", ")})`);
    let dev = this.cache.get(desc.id);
    if (dev) return dev;
    const nb = this.native;
    const regions = desc.regions.map((r) => ({
      index: r.index,
      name: r.name,
      get region() { const v = nb.region(desc.id, r.index ?? r.name); Object.defineProperty(this, "region", { value: v }); return v; },
    }));
    dev = new Device({
      name: desc.name,
      bus: desc.bus,
      ids: {
        id: desc.id, vendor: desc.vendor, device: desc.device, class: desc.class, address: desc.address,
        compatible: desc.compatible, clock: desc.clock,
      },
      regions,
      config: desc.bus === "pci" ? nb.config(desc.id) : undefined,
      irqKind: desc.irqKind,
      irqs: Array.from({ length: desc.irqs }, (_, i) => ({
        get fd() { const v = nb.irqFd(desc.id, i); Object.defineProperty(this, "fd", { value: v }); return v; },
        // VFIO INTx is masked by the kernel when it fires; Irq.unmask() re-arms it.
        unmask: this.backend === "vfio" ? () => nb.irqUnmask(desc.id, i) : undefined,
      })),
      dma: this.backend === "mem" ? undefined : (size, align) => nb.dma(size, align),
      busMaster: desc.bus === "pci" ? (on) => nb.busMaster(desc.id, on) : undefined,
    });
    this.cache.set(desc.id, dev);
    return dev;
  }
  /** qtest: interrupt and GPIO-output line changes since the last call. */
  irqLog() { return this.native.irqLog(); }
  /** qtest: drive input `line` of the device model of QOM type `qomType`. */
  setIrqIn(qomType, name, line, level) { this.native.setIrqIn(qomType, name ?? "", line, level); }
  /** qtest: set integer `property` of the device QEMU's arguments call `id` (QMP qom-set), e.g. a sensor's temperature. */
  setProperty(id, property, value) { this.native.setProperty(String(id), String(property), value); }
  /** qtest: plug (`up` true) or pull the cable of netdev `id` (QMP set_link). */
  setLink(id, up) { this.native.setLink(String(id), up === true); }
  close() { this.native.close(); }
}

/** Open a board file on a backend (default: the board's own, qtest for QEMU boards). */
export function openBoard(path, { backend, chardev, netdev, observe, vfio } = {}) {
  return new Board(native.openBoard({ path, backend, chardev, netdev, observe, vfio }));
}

/** The board `jsk run --board` opened (null without --board). */
export function board() { return current; }

/**
 * Bind every driver in `drivers` (modules or descriptors) to the devices of
 * `b` that it matches, first match wins. Returns the attachments.
 */
export async function attachAll(b, drivers) {
  const out = [];
  const add = (a) => { attachments.push(a); out.push(a); };
  for (const desc of b.list()) {
    const drv = drivers.find((d) => matches(d, desc));
    if (!drv) continue;
    add({ driver: drv.name, device: desc.name, handle: await bind(drv, b.device(desc.id)) });
  }
  // Then the chips on the attached controllers' buses (a board file's [[device.child]]),
  // once every controller is there (an SPI chip's select may be another controller's pin).
  // As Linux does, a chip that is not there (or whose controller has no driver) is reported
  // and skipped: the rest of the board still comes up.
  for (const desc of b.list()) {
    if (!desc.children.length) continue;
    const parent = out.find((a) => a.device === desc.name);
    for (const child of desc.children) {
      const drv = drivers.find((d) => matches(d, { bus: "platform", compatible: child.compatible }));
      if (!drv) continue;
      if (!parent) {
        console.error(`jsk: board ${b.name}: ${child.name} not attached: it sits on ${desc.name}, which no driver attached`);
        continue;
      }
      let client;
      try {
        client = busClient(parent, child, out);
        add({ driver: drv.name, device: child.name, handle: await bind(drv, client) });
      } catch (e) {
        client?.releaseChipSelect?.();
        console.error(`jsk: board ${b.name}: ${child.name} (${drv.name}) not attached: ${e?.message ?? e}`);
      }
    }
  }
  return out;
}

/**
 * What a chip's driver probes: an I2cClient on an I2C controller, a SpiDevice on an SPI
 * one (chip select from `cs-gpios = ["gpio3", 19]`, a pin of another attached GPIO
 * controller, else the controller's line `reg`; `spi-max-frequency`, `spi-cpol`, `spi-cpha`).
 */
function busClient(parent, child, attachedNow) {
  const { name, compatible, properties: p, reg } = child;
  const kind = kindOf(parent.handle);
  if (kind === "i2c") return parent.handle.i2c.client(reg, { name, compatible, properties: p });
  if (kind === "spi") {
    let cs = reg;
    let pin = null;
    if (p["cs-gpios"] !== undefined) {
      const g = p["cs-gpios"];
      if (!Array.isArray(g) || g.length !== 2 || typeof g[0] !== "string" || !Number.isInteger(g[1]))
        throw new TypeError(`${name}: cs-gpios is [controller, line] (["gpio3", 19]), not ${JSON.stringify(g)}`);
      const gpio = attachedNow.find((a) => a.device === g[0] && kindOf(a.handle) === "gpio");
      if (!gpio) throw new Error(`${name}: cs-gpios names ${g[0]}, which is no attached GPIO controller`);
      cs = pin = gpio.handle.pin(g[1]);
    }
    const mode = (p["spi-cpol"] ? 2 : 0) | (p["spi-cpha"] ? 1 : 0);
    const dev = SpiDevice.onBus(parent.handle.spi, {
      cs, mode, frequency: p["spi-max-frequency"] ?? 1_000_000, csActiveHigh: p["spi-cs-high"] === true,
      lsbFirst: p["spi-lsb-first"] === true, name, compatible, properties: p,
    });
    // A probe that fails leaves the select line an input again (the safe state).
    dev.releaseChipSelect = () => pin?.intoInput();
    return dev;
  }
  throw new Error(`${name}: ${parent.device} (${parent.driver}) is not an I2C or SPI controller`);
}

/**
 * The handle of an attached driver by name (and device name if several).
 * Throws naming what is attached when there is no such driver.
 */
export function attached(driverName, { device } = {}) {
  const hit = attachments.find((a) => a.driver === driverName && (device === undefined || a.device === device));
  if (!hit) {
    const have = attachments.map((a) => `${a.driver} on ${a.device}`).join(", ") || "none";
    throw new Error(`no ${driverName} driver attached${device ? ` to ${device}` : ""} (attached: ${have})`);
  }
  return hit.handle;
}

/** What kind of interface a driver handle offers: "gpio", "serial", "net", "i2c", "spi" or undefined. */
export function kindOf(handle) {
  if (typeof handle?.pin === "function") return "gpio";
  if (typeof handle?.i2c?.transaction === "function") return "i2c";
  if (typeof handle?.spi?.transfer === "function" && typeof handle.spi.configure === "function") return "spi";
  if (handle?.serial && typeof handle.serial.write === "function") return "serial";
  if (typeof handle?.txBatch === "function") return "net";
  return undefined;
}

function firstOf(kind, index) {
  const all = attachments.filter((a) => kindOf(a.handle) === kind);
  const hit = all[index];
  if (!hit) throw new Error(`no ${kind} controller attached${index ? ` at index ${index}` : ""} (attached: ${attachments.map((a) => `${a.driver} on ${a.device}`).join(", ") || "none"})`);
  return hit.handle;
}

/** The `index`th attached GPIO controller handle (it has `pin(n)`). */
export function gpioController(index = 0) { return firstOf("gpio", index); }

/** An attached serial port (a hal Serial): by device name ("serial0"), or the `index`th. */
export function serialPort(which = 0) { return byKind("serial", which, "serial port").serial; }

/** An attached NetDevice (a NIC driver's handle): by device name ("net0"), or the `index`th. */
export function netDevice(which = 0) { return byKind("net", which, "network device"); }

/** An attached I2C controller's I2c: by device name ("i2c0"), or the `index`th. */
export function i2cBus(which = 0) { return byKind("i2c", which, "i2c controller").i2c; }

/** An attached SPI controller's SpiBus: by device name ("ecspi1"), or the `index`th. */
export function spiBus(which = 0) { return byKind("spi", which, "spi controller").spi; }

/** The handle of kind `kind` attached to device `which` (a name), or the `which`th of that kind. */
function byKind(kind, which, noun) {
  if (typeof which === "string") {
    const hit = attachments.find((a) => a.device === which && kindOf(a.handle) === kind);
    if (!hit) throw new Error(`no ${noun} attached to ${which} (attached: ${attachments.map((a) => `${a.driver} on ${a.device}`).join(", ") || "none"})`);
    return hit.handle;
  }
  return firstOf(kind, which);
}

/** Every attachment: [{ driver, device, handle }]. */
export function attachedAll() { return [...attachments]; }

/** Host hook for `--board`: open the board, import the driver files, attach. */
export async function hostAttach({ board: path, backend, chardev, netdev, observe, vfio, drivers }) {
  current = openBoard(path, { backend, chardev, netdev, observe, vfio });
  process.on("exit", () => current.close());
  const loaded = [];
  for (const file of drivers) {
    const mod = await import(file);
    if (mod.default?.kind === "jsk-driver") loaded.push(mod.default);
  }
  const done = await attachAll(current, loaded);
  if (backend === "vfio") {
    // The boot image's PID 1 takes its "drivers attached" uptime from this line.
    const list = done.map((a) => `${a.driver} on ${a.device}`).join(", ") || "none";
    console.error(`jsk: drivers attached: ${list}`);
  }
  return done;
}
