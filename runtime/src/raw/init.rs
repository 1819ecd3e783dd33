//! Raw code jsk needs as PID 1 in the boot image: mount, kernel modules, power-off.
