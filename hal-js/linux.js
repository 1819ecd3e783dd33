// jsk:linux — the buses Linux already drives, from JavaScript over its
// character devices (i2c-dev, spidev, the GPIO character device), with no
// native code: each is ioctls through jsk:sys. What they return are the same
// hal objects a controller driver makes (I2c, SpiDevice, Pin), so device
// drivers (drivers/sensor, drivers/eeprom, drivers/flash) run unchanged over
// them. Access follows the device files' permissions: no root needed once a
// udev rule or chmod lets the user open /dev/i2c-N, /dev/spidevB.C, /dev/gpiochipN.

export { openI2c, i2cErrorOf, I2C_FUNC } from "jsk:linux/i2c";
export { openSpi } from "jsk:linux/spi";
export { openGpioChip, gpioChips, LINE_FLAG } from "jsk:linux/gpio";
