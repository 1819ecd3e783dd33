// node:path/win32 — Windows path functions (drive letters, UNC roots, '\\' separators).

import { win32 as impl } from "node:internal/path";

export default impl;
export const {
  resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname,
  format, parse, matchesGlob, sep, delimiter, posix, win32, _makeLong,
} = impl;
