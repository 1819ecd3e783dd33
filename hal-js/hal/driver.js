// jsk:hal/driver — the driver model.
//
//   export default driver({
//     name: "edu",
//     match: { pci: [{ vendor: 0x1234, device: 0x11e8 }] },   // or { compatible: ["arm,pl061"] }
//     async probe(dev) { ...; return handle; },
//     remove(handle) { ... leave the device quiet ... },
//   });
//
// The match table is plain data that tools read without running probe.
// `bind(drv, dev)` runs probe; if probe throws, the device is released
// (interrupts off, bus mastering off, release hooks run) and the error is
// rethrown. Every bound driver is removed at process exit, newest first,
// however the process ends (normal end, exception, process.exit, --timeout).

const bound = [];

function checkMatch(name, match) {
  if (!match || typeof match !== "object") throw new TypeError(`driver ${name}: match must be { pci: [...] } or { compatible: [...] }`);
  for (const key of Object.keys(match))
    if (key !== "pci" && key !== "compatible") throw new TypeError(`driver ${name}: unknown match key "${key}"`);
  for (const id of match.pci ?? []) {
    if (!Number.isInteger(id.vendor) || id.vendor < 0 || id.vendor > 0xffff)
      throw new TypeError(`driver ${name}: pci match needs a 16-bit vendor`);
    if (id.device !== undefined && (!Number.isInteger(id.device) || id.device < 0 || id.device > 0xffff))
      throw new TypeError(`driver ${name}: pci device id must be 16-bit`);
  }
  for (const c of match.compatible ?? [])
    if (typeof c !== "string") throw new TypeError(`driver ${name}: compatible entries are strings`);
}

/** Declare a driver. Returns a frozen descriptor; `match` is deep-frozen data. */
export function driver({ name, match, probe, remove, description }) {
  if (typeof name !== "string" || !name) throw new TypeError("driver: name is required");
  checkMatch(name, match);
  if (typeof probe !== "function") throw new TypeError(`driver ${name}: probe(dev) is required`);
  if (remove !== undefined && typeof remove !== "function") throw new TypeError(`driver ${name}: remove must be a function`);
  const frozenMatch = Object.freeze({
    pci: Object.freeze((match.pci ?? []).map((id) => Object.freeze({ ...id }))),
    compatible: Object.freeze([...(match.compatible ?? [])]),
  });
  return Object.freeze({ kind: "jsk-driver", name, description, match: frozenMatch, probe, remove });
}

/** Whether `drv`'s match table fits a device description ({ bus, vendor, device, compatible }). */
export function matches(drv, dev) {
  if (dev.bus === "pci")
    return drv.match.pci.some((id) => id.vendor === dev.vendor && (id.device === undefined || id.device === dev.device)
      && (id.class === undefined || id.class === dev.class >> 8));
  const compat = dev.compatible ?? [];
  return drv.match.compatible.some((c) => compat.includes(c));
}

/** Run `drv.probe(dev)`; on failure release the device and rethrow with the driver's name. */
export async function bind(drv, dev) {
  if (drv?.kind !== "jsk-driver") throw new TypeError("bind: not a driver (use driver({...}))");
  let handle;
  try {
    handle = await drv.probe(dev);
  } catch (e) {
    try { dev.release(); } catch { /* the probe error is the one to report */ }
    if (e instanceof Error && !e.message.startsWith(`${drv.name}:`)) e.message = `${drv.name}: probe failed: ${e.message}`;
    throw e;
  }
  bound.push({ drv, dev, handle });
  return handle;
}

/** Remove one bound driver now: remove(handle), then release the device. */
export function unbind(handle) {
  const i = bound.findIndex((b) => b.handle === handle);
  if (i < 0) return;
  const [b] = bound.splice(i, 1);
  try {
    b.drv.remove?.(b.handle);
  } finally {
    b.dev.release();
  }
}

/** Drivers bound so far: [{ driver, device, handle }]. */
export function boundDrivers() {
  return bound.map(({ drv, dev, handle }) => ({ driver: drv.name, device: dev, handle }));
}

/** Remove every bound driver, newest first; errors are printed, not thrown. */
export function unbindAll() {
  while (bound.length) {
    const { handle, drv, dev } = bound[bound.length - 1];
    try {
      unbind(handle);
    } catch (e) {
      console.error(`jsk: ${drv.name} (${dev.name}): remove failed: ${e}${e?.stack ? "\n" + e.stack : ""}`);
    }
  }
}

process.on("exit", unbindAll);
