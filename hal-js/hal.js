// jsk:hal — everything a driver imports: registers, the driver model,
// devices (regions, DMA, IRQs), waits with deadlines, GPIO pins, serial ports.

export { registers } from "jsk:hal/registers";
export { driver, bind, unbind, unbindAll, matches, boundDrivers } from "jsk:hal/driver";
export { Device, Dma, Irq, IrqOrPoll } from "jsk:hal/device";
export { waitFor, spinUntil, delay, TimeoutError } from "jsk:hal/wait";
export { Pin, EdgeSubscribers } from "jsk:hal/gpio";
export { Serial } from "jsk:hal/serial";
export { trace } from "jsk:hal/trace";
export { NetDevice, PooledNetDevice, Packet, PacketPool, BUFFER, checkBurst, restock, macString } from "jsk:hal/net";
// DMA barriers (Linux's dma_wmb, dma_rmb, mb) and the batch operations over descriptor
// rings (safe: every access is checked); see hal.d.ts and native.d.ts.
export { dmaWmb, dmaRmb, mb, ring, take, transition, compareBytes } from "jsk:native";
