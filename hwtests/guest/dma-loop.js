// Guest tier: keep edu busy with DMA until PID 1 kills this process with SIGKILL.
import { attached } from "jsk:board";

const edu = attached("edu");
const bytes = new Uint8Array(2048).fill(0x5a);
console.log("RESULT dma-loop started");
for (let i = 0; ; i++) {
  await edu.write(0, bytes);
  await edu.read(0, bytes.length);
}
