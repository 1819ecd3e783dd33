// node:path/posix — path functions for '/'-separated paths (what node:path is on Linux).

import { posix as impl } from "node:internal/path";

export default impl;
export const {
  resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname,
  format, parse, matchesGlob, sep, delimiter, posix, win32, _makeLong,
} = impl;
