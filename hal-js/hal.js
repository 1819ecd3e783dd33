// jsk:hal — everything a driver imports: registers, the driver model,
// devices (regions, DMA, IRQs), waits with deadlines, GPIO pins, serial ports,
// I2C and SPI buses.

export { registers } from "jsk:hal/registers";
export { driver, bind, unbind, unbindAll, matches, boundDrivers } from "jsk:hal/driver";
export { Device, Dma, Irq, IrqOrPoll } from "jsk:hal/device";
export { waitFor, spinUntil, delay, TimeoutError } from "jsk:hal/wait";
export { Pin, EdgeSubscribers } from "jsk:hal/gpio";
export { Serial } from "jsk:hal/serial";
export { I2c, I2cClient, I2cError, ErrorKind, NoAcknowledgeSource } from "jsk:hal/i2c";
export { smbusI2c } from "jsk:hal/smbus";
export { bitbangI2c } from "jsk:hal/bitbang_i2c";
export { SpiBus, SpiDevice, MODE_0, MODE_1, MODE_2, MODE_3, modeOf } from "jsk:hal/spi";
export { trace } from "jsk:hal/trace";
export { NetDevice, PooledNetDevice, Packet, PacketPool, BUFFER, checkBurst, restock, macString } from "jsk:hal/net";
// DMA barriers (Linux's dma_wmb, dma_rmb, mb) and the batch operations over descriptor
// rings (safe: every access is checked); see hal.d.ts and native.d.ts.
export { dmaWmb, dmaRmb, mb, ring, take, transition, compareBytes } from "jsk:native";
