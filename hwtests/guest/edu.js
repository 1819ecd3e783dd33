// Guest tier: drivers/misc/edu.js through VFIO inside the boot image.
import { attached, board } from "jsk:board";

const edu = attached("edu");
const desc = board().list().find((d) => d.vendor === 0x1234 && d.device === 0x11e8);
console.log(`RESULT irqKind ${JSON.stringify(desc.irqKind)}`);
console.log(`RESULT liveness ${JSON.stringify(edu.liveness(0x12345678).toString(16))}`);
console.log(`RESULT factorial ${await edu.factorial(12)}`);
const pattern = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13 + 5) & 0xff);
await edu.write(0, pattern);
const back = await edu.read(0, pattern.length);
console.log(`RESULT dma ${back.every((b, i) => b === pattern[i])}`);
