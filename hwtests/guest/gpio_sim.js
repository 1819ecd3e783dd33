// A gpio-sim chip made in configfs (Documentation/admin-guide/gpio/gpio-sim.rst), for
// the guest tier and the bus benchmarks: `simChip(label, lines)` mounts configfs if
// needed, makes the chip live and returns { chipName, line(n) } where line(n) is the
// sysfs folder of line n (`pull` drives an input from the kernel side, `value` shows
// what an output drives).
import * as sys from "jsk:sys";

const readText = (path) => sys.readFile(path, "utf8").trim();

export function simChip(label, lines = 8) {
  if (!sys.readFile("/proc/mounts", "utf8").includes(" /sys/kernel/config ")) {
    // sysfs has the mount point once configfs is built in.
    sys.check(sys.syscall(sys.nr.mount, "configfs", "/sys/kernel/config", "configfs", 0, 0), "mount");
  }
  const dir = `/sys/kernel/config/gpio-sim/${label}`;
  sys.mkdir(dir);
  sys.mkdir(`${dir}/bank0`);
  sys.writeFile(`${dir}/bank0/num_lines`, String(lines));
  sys.writeFile(`${dir}/bank0/label`, label);
  sys.writeFile(`${dir}/live`, "1");
  const chipName = readText(`${dir}/bank0/chip_name`);
  const devName = readText(`${dir}/dev_name`);
  return { chipName, line: (n) => `/sys/devices/platform/${devName}/${chipName}/sim_gpio${n}` };
}
