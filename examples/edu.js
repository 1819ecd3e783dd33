// Drive QEMU's edu device through its JS driver (drivers/misc/edu.js):
//   jsk run --board devices/qemu-x86.toml examples/edu.js [N]
// The same file runs on the qtest backend and, inside the boot image, on VFIO.
import { attached } from "jsk:board";

const n = Number(process.argv[2] ?? 10);
const edu = attached("edu");
console.log(`edu ${edu.version}: liveness(0x12345678) = 0x${edu.liveness(0x12345678).toString(16)}`);
console.log(`factorial(${n}) = ${await edu.factorial(n)} (computed by the device, completion by interrupt)`);
const message = new TextEncoder().encode("hello from JavaScript through DMA");
await edu.write(0, message);
const back = await edu.read(0, message.length);
console.log(`DMA round trip: "${new TextDecoder().decode(back)}"`);
