// jsk:linux/spi — a SpiDevice over Linux's spidev (/dev/spidevB.C), in
// JavaScript over jsk:sys's ioctl (Documentation/spi/spidev.rst,
// include/uapi/linux/spi/spidev.h and spi.h).
//
//   import { openSpi } from "jsk:linux";
//   const spi = openSpi("/dev/spidev0.0", { mode: 0, frequency: 10e6 });
//   const flash = await bind(spiNor, spi);
//
// spidev is one chip select of one controller: the kernel asserts it for a
// whole SPI_IOC_MESSAGE, so a transaction is one ioctl, each operation one
// struct spi_ioc_transfer (a delay becomes the previous transfer's
// delay_usecs). The message's total length is bounded by spidev's buffer
// (the module parameter bufsiz, 4096 bytes by default): `maxTransfer`.

import * as sys from "jsk:sys";
import { addressOf } from "jsk:native";
import { byteLengthOf } from "jsk:linux/bytes";
import { SpiDevice } from "jsk:hal/spi";

// struct spi_ioc_transfer: tx_buf u64, rx_buf u64, len u32, speed_hz u32,
// delay_usecs u16, bits_per_word u8, cs_change u8, tx_nbits u8, rx_nbits u8,
// word_delay_usecs u8, pad u8: 32 bytes.
const XFER_SIZE = 32;
const SPI_IOC_MAGIC = "k";
/** SPI_IOC_MESSAGE(n): _IOW('k', 0, char[n * 32]). */
export const SPI_IOC_MESSAGE = (n) => sys._IOW(SPI_IOC_MAGIC, 0, n * XFER_SIZE);
export const SPI_IOC_WR_MODE32 = sys._IOW(SPI_IOC_MAGIC, 5, 4);
export const SPI_IOC_RD_MODE32 = sys._IOR(SPI_IOC_MAGIC, 5, 4);
export const SPI_IOC_WR_BITS_PER_WORD = sys._IOW(SPI_IOC_MAGIC, 3, 1);
export const SPI_IOC_WR_MAX_SPEED_HZ = sys._IOW(SPI_IOC_MAGIC, 4, 4);
export const SPI_IOC_RD_MAX_SPEED_HZ = sys._IOR(SPI_IOC_MAGIC, 4, 4);
// include/uapi/linux/spi/spi.h
export const SPI_CPHA = 0x01;
export const SPI_CPOL = 0x02;
export const SPI_CS_HIGH = 0x04;
export const SPI_LSB_FIRST = 0x08;
/** The most transfers in one message: the ioctl's size field has 14 bits. */
const MAX_XFERS = Math.floor(0x3fff / XFER_SIZE);
const DEFAULT_BUFSIZ = 4096;

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function pathOf(dev) {
  if (typeof dev === "string" && dev) return dev;
  if (Array.isArray(dev) && dev.length === 2 && dev.every((n) => Number.isInteger(n) && n >= 0)) return `/dev/spidev${dev[0]}.${dev[1]}`;
  throw new TypeError(`openSpi: give a /dev/spidevB.C path or [bus, chipSelect], not ${String(dev)}`);
}

function bufsiz() {
  try {
    const n = parseInt(sys.readFile("/sys/module/spidev/parameters/bufsiz", "utf8"), 10);
    return Number.isInteger(n) && n > 0 ? n : DEFAULT_BUFSIZ;
  } catch {
    return DEFAULT_BUFSIZ;
  }
}

const MAX_DELAY_US = 0xffff;
// spidev rounds each transfer up to ARCH_KMALLOC_MINALIGN when it counts a side against
// bufsiz: 8 on x86-64 and on arm64 since 6.5 (128 before; the kernel's EMSGSIZE says so then).
const KMALLOC_ALIGN = 8;

/**
 * The spi_ioc_transfer array for normalised operations (jsk:hal/spi's
 * operationsOf). The kernel sees only buffers made here: what the caller
 * writes is copied in, and `finish()` copies what was read out into the
 * caller's buffers after the ioctl. A delay goes on the transfer before it
 * (longer than 65.535 ms: extra zero-length transfers). `keep` holds the
 * buffers the structs point at. Exported for tests.
 */
export function encodeTransfers(ops, { frequency, bitsPerWord = 8 }) {
  const xfers = [];             // { tx, rx, len, delay, into }
  const pendingDelay = (us) => {
    let left = us;
    if (xfers.length) {
      const last = xfers[xfers.length - 1];
      const take = Math.min(left, MAX_DELAY_US - last.delay);
      last.delay += take;
      left -= take;
    }
    while (left > 0) {
      const take = Math.min(left, MAX_DELAY_US);
      xfers.push({ tx: null, rx: null, len: 0, delay: take, into: null });
      left -= take;
    }
  };
  for (const op of ops) {
    if (op.delayNs !== undefined) { pendingDelay(Math.ceil(op.delayNs / 1000)); continue; }
    let tx = null, rx = null, len = 0, into = null;
    if (op.read) { len = byteLengthOf(op.read); rx = new Uint8Array(len); into = op.read; }
    else if (op.write) { len = byteLengthOf(op.write); tx = new Uint8Array(len); tx.set(op.write); }
    else if (op.transferInPlace) {
      len = byteLengthOf(op.transferInPlace);
      tx = new Uint8Array(len); tx.set(op.transferInPlace);
      rx = new Uint8Array(len); into = op.transferInPlace;
    } else if (op.transfer) {
      const { read, write } = op.transfer;
      const w = byteLengthOf(write);
      len = Math.max(byteLengthOf(read), w);
      tx = new Uint8Array(len); tx.set(write);
      rx = new Uint8Array(len); into = read;
    }
    if (len === 0) continue;
    xfers.push({ tx, rx, len, delay: 0, into });
  }
  if (xfers.length > MAX_XFERS) throw new RangeError(`spidev: ${xfers.length} transfers in one transaction; one message takes at most ${MAX_XFERS}`);
  const view = new DataView(new ArrayBuffer(Math.max(1, xfers.length) * XFER_SIZE));
  const keep = [];
  let txTotal = 0, rxTotal = 0;
  for (let i = 0; i < xfers.length; i++) {
    const x = xfers[i];
    const at = i * XFER_SIZE;
    const aligned = Math.ceil(x.len / KMALLOC_ALIGN) * KMALLOC_ALIGN;
    if (x.tx) { keep.push(x.tx); txTotal += aligned; }
    if (x.rx) { keep.push(x.rx); rxTotal += aligned; }
    view.setBigUint64(at, x.tx ? addressOf(x.tx) : 0n, LE);
    view.setBigUint64(at + 8, x.rx ? addressOf(x.rx) : 0n, LE);
    view.setUint32(at + 16, x.len, LE);
    view.setUint32(at + 20, Math.round(frequency), LE);
    view.setUint16(at + 24, x.delay, LE);
    view.setUint8(at + 26, bitsPerWord);
    // cs_change 0: chip select stays asserted between the transfers of one message.
  }
  const finish = () => {
    for (const x of xfers) if (x.into) x.into.set(x.rx.subarray(0, byteLengthOf(x.into)));
  };
  return { view, count: xfers.length, keep, finish, txTotal, rxTotal };
}

/**
 * Open a spidev device (a path, or [bus, chipSelect] for /dev/spidevB.C)
 * and set its mode (0..3, plus `csActiveHigh`, `lsbFirst`) and clock. The
 * returned SpiDevice has `path`, `frequency`, `maxTransfer` and `close()`.
 * @throws SysError when the file cannot be opened or the controller refuses the mode.
 */
export function openSpi(dev, { mode = 0, frequency, lsbFirst = false, csActiveHigh = false, name, compatible, properties } = {}) {
  const path = pathOf(dev);
  if (!Number.isInteger(mode) || mode < 0 || mode > 3) throw new RangeError(`openSpi: SPI mode ${String(mode)} is not 0..3`);
  if (!(Number.isFinite(frequency) && frequency > 0 && frequency <= 0xffffffff)) throw new RangeError("openSpi: a clock frequency in Hz is required");
  const fd = sys.open(path, sys.O_RDWR | sys.O_CLOEXEC);
  let open = true;
  try {
    const m = new Uint32Array([mode | (csActiveHigh ? SPI_CS_HIGH : 0) | (lsbFirst ? SPI_LSB_FIRST : 0)]);
    sys.ioctl(fd, SPI_IOC_WR_MODE32, m);
    sys.ioctl(fd, SPI_IOC_WR_BITS_PER_WORD, new Uint8Array([8]));
    sys.ioctl(fd, SPI_IOC_WR_MAX_SPEED_HZ, new Uint32Array([Math.round(frequency)]));
  } catch (e) {
    sys.close(fd);
    throw e;
  }
  const maxTransfer = bufsiz();
  const spi = new SpiDevice(name ?? path.replace(/^\/dev\//, ""), {
    maxTransfer,
    async transaction(ops) {
      if (!open) throw new Error(`${path}: closed`);
      const x = encodeTransfers(ops, { frequency });
      if (x.count === 0) return;
      // spidev counts each direction against its buffer, each transfer rounded up to the kmalloc alignment.
      const side = Math.max(x.txTotal, x.rxTotal);
      if (side > maxTransfer) throw new RangeError(`${path}: this transaction needs ${side} bytes of spidev's ${maxTransfer}-byte buffer (the spidev.bufsiz parameter; each transfer counts rounded up to ${KMALLOC_ALIGN})`);
      try {
        sys.ioctl(fd, SPI_IOC_MESSAGE(x.count), x.view);
      } catch (e) {
        if (e.code === "EMSGSIZE") throw new RangeError(`${path}: spidev refused the message as too large for its buffer (${maxTransfer} bytes, the spidev.bufsiz parameter)`, { cause: e });
        throw e;
      }
      x.finish();
    },
  }, { compatible, properties });
  spi.path = path;
  spi.frequency = frequency;
  spi.close = () => { if (open) { open = false; sys.close(fd); } };
  return spi;
}
