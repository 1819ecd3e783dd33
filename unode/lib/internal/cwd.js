// node:internal/cwd — the process's current directory, read with getcwd(2).
// process.cwd() and path.resolve() use this.

import { syscall, nr, SysError } from "jsk:sys";
import { decodeUtf8 } from "jsk:native";

let buf = new Uint8Array(4096);

/** The current working directory as an absolute path (throws a SysError when getcwd fails). */
export function cwd() {
  for (;;) {
    const r = syscall(nr.getcwd, buf, buf.length);
    if (r >= 0) {
      // r is the length including the terminating NUL.
      const end = r > 0 ? r - 1 : buf.indexOf(0);
      return decodeUtf8(buf.subarray(0, end));
    }
    if (r === -34 /* ERANGE */ && buf.length < 1 << 20) {
      buf = new Uint8Array(buf.length * 4);
      continue;
    }
    throw new SysError("getcwd", -r);
  }
}

export default cwd;
