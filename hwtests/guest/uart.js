// Guest tier: drivers/serial/uart16550.js on pci-serial through VFIO; the
// host test listens on the chardev's socket.
import { attachedAll } from "jsk:board";

const port = attachedAll().find((a) => a.driver === "uart16550");
const serial = port.handle.serial.configure({ baud: 115200 });
await serial.write("hello from jsk through VFIO\n");
await serial.flush();
console.log(`RESULT mode ${JSON.stringify(port.handle.mode)}`);
const reply = await serial.readExactly(5, { timeout: 20000 });
console.log(`RESULT reply ${JSON.stringify(new TextDecoder().decode(reply))}`);
