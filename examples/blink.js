// Blink a GPIO pin a bounded number of times:
//   jsk run --board devices/qemu-aarch64-virt.toml --trace-vcd /tmp/blink.vcd examples/blink.js [PIN] [TIMES] [MS]
// Any attached GPIO controller will do (PL061 on QEMU virt, BCM2835 on a Raspberry Pi).
import { gpioController } from "jsk:board";
import { delay } from "jsk:hal";

const [pinNumber = 0, times = 5, periodMs = 50] = process.argv.slice(2).map(Number);
const pin = gpioController().pin(pinNumber).intoOutput(false);
for (let i = 0; i < times; i++) {
  pin.setHigh();
  await delay.ms(periodMs / 2);
  pin.setLow();
  await delay.ms(periodMs / 2);
}
console.log(`blinked pin ${pinNumber} ${times} times`);
