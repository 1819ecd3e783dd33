// qtest tier: the GPIO drivers (pl061 on QEMU virt, bcm2835 on raspi3b):
//   jsk run --board devices/qemu-aarch64-virt.toml [--qtest-observe pl061] hwtests/qtest/gpio.js CASE
import { gpioController, board } from "jsk:board";

const gpio = gpioController();
const kase = process.argv[2];
const model = board().name === "qemu-raspi3b" ? "bcm2835_gpio" : "pl061";
const result = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value)}`);
const log = () => board().irqLog().map((e) => `${e.level ? "raise" : "lower"} ${e.line}`);

switch (kase) {
  case "outputs": {
    // Run with --qtest-observe: QEMU reports every change of the model's output lines.
    const pins = [0, 1, 2, 3].map((n) => gpio.pin(n).intoOutput(false));
    log();
    pins[0].setHigh();
    pins[2].setHigh();
    pins[0].setLow();
    pins[3].toggle();
    pins[1].setState(true);
    pins[1].setState("low");
    result("log", log());
    result("levels", pins.map((p) => p.isHigh()));
    break;
  }
  case "outputs-high": {
    // bcm2835: pins 17 and 40 sit in different GPFSEL/GPSET/GPCLR words.
    const pins = [17, 40].map((n) => gpio.pin(n).intoOutput(false));
    log();
    pins[0].setHigh();
    pins[1].setHigh();
    pins[0].setLow();
    result("log", log());
    result("levels", pins.map((p) => p.isHigh()));
    result("functions", [17, 40, 41].map((n) => gpio.getFunction(n)));
    break;
  }
  case "inputs": {
    // QEMU drives the model's input line; the driver reads it back.
    const pin = gpio.pin(5).intoInput();
    const seen = [];
    for (const level of [1, 0, 1]) {
      board().setIrqIn(model, "", 5, level);
      seen.push(pin.isHigh());
    }
    result("inputs", seen);
    break;
  }
  case "edge-interrupt": {
    // The default virt board intercepts the GIC: the PL061's interrupt (SPI 7) arrives through it.
    const pin = gpio.pin(6).intoInput();
    board().setIrqIn(model, "", 6, 0);
    const edge = pin.waitForRisingEdge({ timeout: 5000 });
    setTimeout(() => board().setIrqIn(model, "", 6, 1), 20);
    const e = await edge;
    result("edge", e.edge);
    result("mode", gpio.mode ?? "unknown");
    break;
  }
  default:
    throw new Error(`unknown case ${kase}`);
}
