// jsk:board's [[linux]] buses: the Raspberry Pi board files name them, openLinux
// opens them through jsk:linux (here, with no Pi, the device files are missing).
import { test, assert } from "jsk:test";
import { openBoard } from "jsk:board";

// The repository root: this file is hal-js/board_linux.test.js.
const root = import.meta.url.replace(/^file:\/\//, "").replace(/hal-js\/board_linux\.test\.js$/, "");

for (const [n, label] of [[3, "pinctrl-bcm2835"], [4, "pinctrl-bcm2711"], [5, "pinctrl-rp1"]]) {
  test(`raspberry-pi-${n} lists I2C1, SPI0's two chip selects and the GPIO chip by label`, () => {
    const b = openBoard(`${root}devices/raspberry-pi-${n}.toml`, { backend: "fake" });
    const buses = b.linux();
    assert.deepEqual(buses.map((x) => [x.name, x.kind, x.path ?? x.label]),
      [["i2c1", "i2c", "/dev/i2c-1"], ["spi0.0", "spi", "/dev/spidev0.0"], ["spi0.1", "spi", "/dev/spidev0.1"], ["gpio", "gpio", label]]);
    assert.ok(buses.every((x) => x.description));
    b.close();
  });
}

test("openLinux opens through jsk:linux, and names what is missing", () => {
  const b = openBoard(`${root}devices/raspberry-pi-5.toml`, { backend: "fake" });
  assert.throws(() => b.openLinux("i2c9"), /no Linux bus "i2c9" \(has i2c1, spi0.0, spi0.1, gpio\)/);
  assert.throws(() => b.openLinux("spi0.0"), /frequency/, "spidev needs a clock");
  // On a Pi the device files are there: what is checked then is that they open.
  let i2c1 = null;
  try { i2c1 = b.openLinux("i2c1"); } catch (e) {
    assert.ok(e.code === "ENOENT" || e.code === "EACCES", `${e}`);
    assert.match(String(e), /i2c-1/);
  }
  i2c1?.close();
  let gpio = null;
  try { gpio = b.openLinux("gpio"); } catch (e) {
    assert.match(String(e), /no GPIO chip labelled "pinctrl-rp1"/);
  }
  if (gpio) assert.equal(gpio.label, "pinctrl-rp1");
  gpio?.close();
  b.close();
});
