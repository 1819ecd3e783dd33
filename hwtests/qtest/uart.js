// qtest tier: drivers/serial/uart16550.js on QEMU's 16550 models, wired to a
// host socket by hwtests/tests/qtest.rs:
//   jsk run --board devices/qemu-x86.toml --chardev ser0=socket,path=S hwtests/qtest/uart.js DEVICE CASE
// DEVICE is "serial0" (isa-serial, port I/O) or the PCI address of pci-serial.
import { attachedAll } from "jsk:board";

const [which, kase] = process.argv.slice(2);
const port = attachedAll().find((a) => a.driver === "uart16550" && (which === "isa" ? a.device === "serial0" : a.device !== "serial0"));
if (!port) throw new Error(`no ${which} UART attached`);
const serial = port.handle.serial;
serial.configure({ baud: 115200, dataBits: 8, parity: "none", stopBits: 1 });
const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);

switch (kase) {
  case "transmit": {
    const text = `hello from jsk over ${which}-serial\n`;
    await serial.write(text);
    await serial.flush();
    result("sent", text.length);
    break;
  }
  case "receive": {
    await serial.write("READY\n");
    await serial.flush();
    const bytes = await serial.readExactly(32, { timeout: 10000 });
    result("received", new TextDecoder().decode(bytes));
    result("mode", port.handle.mode);
    break;
  }
  default:
    throw new Error(`unknown case ${kase}`);
}
