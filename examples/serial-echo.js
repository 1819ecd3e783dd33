// Echo every byte a UART receives, until it receives Ctrl-D (0x04) or goes
// quiet for IDLE_MS:
//   jsk run --board devices/qemu-x86.toml --chardev ser0=socket,path=/tmp/s,server=on,wait=off examples/serial-echo.js [IDLE_MS] [DEVICE]
// (then `socat - UNIX-CONNECT:/tmp/s` and type.) DEVICE defaults to serial0,
// the ISA UART on chardev ser0; give the PCI UART's address to use pciser0.
import { serialPort } from "jsk:board";
import { TimeoutError } from "jsk:hal";

const idleMs = Number(process.argv[2] ?? 10000);
const serial = serialPort(process.argv[3] ?? "serial0").configure({ baud: 115200 });
await serial.write("jsk serial echo: type, Ctrl-D ends\r\n");
let echoed = 0;
for (;;) {
  let chunk;
  try {
    chunk = await serial.read({ timeout: idleMs });
  } catch (e) {
    if (e instanceof TimeoutError) break;
    throw e;
  }
  const end = chunk.indexOf(0x04);
  const part = end >= 0 ? chunk.subarray(0, end) : chunk;
  await serial.write(part);
  echoed += part.length;
  if (end >= 0) break;
}
await serial.flush();
console.log(`echoed ${echoed} bytes`);
