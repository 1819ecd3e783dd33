// The device's view of the driver's memory for the fake models: an address range inside one
// of the Device's live DMA buffers (what an IOMMU would let through), or a DMA fault.

/**
 * A lookup over `device`'s live DMA buffers: `(addr, length)` -> `{ u8, off }` (the buffer's
 * bytes and where the range starts in them) or null, after calling `fault()`.
 */
export function dmaWindow(device, fault) {
  let cache = [];
  let key = -1;
  return (addr, length) => {
    const live = device.dmaBuffers;
    if (key !== live.size || cache.some((c) => c.d.bytes === null)) {
      cache = [...live].filter((d) => d.bytes).map((d) => ({ d, start: Number(d.iova), end: Number(d.iova) + d.size }));
      key = live.size;
    }
    for (const c of cache) {
      if (addr >= c.start && addr + length <= c.end) return { u8: c.d.bytes, off: addr - c.start };
    }
    fault();
    return null;
  };
}
