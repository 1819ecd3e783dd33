// node:internal/path — the two flavours of node:path: `posix` ('/' only) and
// `win32` (drive letters, UNC roots, '\' and '/' both separators). node:path is
// `posix` on Linux; node:path/posix and node:path/win32 are these objects.

import { validateString, validateObject } from "node:internal/validators";
import { cwd } from "node:internal/cwd";

// ---------------------------------------------------------------------------
// Shared: collapse the segments of a path tail ('.' dropped, '..' eating its
// parent; kept at the front when the path may climb above its start).

function collapse(segments, keepAboveStart) {
  const out = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s === "" || s === ".") continue;
    if (s === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (keepAboveStart) out.push("..");
    } else {
      out.push(s);
    }
  }
  return out;
}

// The extension of a final segment: from its last '.', unless that dot is
// its first character or the segment is '..'.
function extOf(base) {
  const dot = base.lastIndexOf(".");
  if (dot <= 0 || base === "..") return "";
  // A run of dots at the start ("..a" → ".a", "..." → "."); only ".." alone has none.
  return base.slice(dot);
}

// basename's suffix removal, with Node's edge cases: the whole path equal to
// the suffix gives '', a path of separators only comes back whole, a base
// equal to the suffix is kept, and a base that is the tail of a longer suffix
// comes back with its trailing separators.
function dropSuffix(p, base, baseStart, suffix, rootStart = 0) {
  if (suffix.length === 0 || suffix.length > p.length) return base;
  if (p === suffix) return "";
  if (base === "") return p.slice(rootStart);
  if (base.endsWith(suffix)) return base.length === suffix.length ? base : base.slice(0, base.length - suffix.length);
  if (suffix.endsWith(base)) return p.slice(baseStart);
  return base;
}

function formatWith(sep, pathObject) {
  validateObject(pathObject, "pathObject");
  const dir = pathObject.dir || pathObject.root;
  let base = pathObject.base;
  if (!base) {
    const ext = pathObject.ext ? (pathObject.ext[0] === "." ? pathObject.ext : `.${pathObject.ext}`) : "";
    base = `${pathObject.name || ""}${ext}`;
  }
  if (!dir) return base;
  return dir === pathObject.root ? `${dir}${base}` : `${dir}${sep}${base}`;
}

// ---------------------------------------------------------------------------
// POSIX

function posixTrimTrailing(p) {
  let end = p.length;
  while (end > 1 && p.charCodeAt(end - 1) === 47) end--;
  return end === p.length ? p : p.slice(0, end);
}

export const posix = {
  sep: "/",
  delimiter: ":",

  resolve(...paths) {
    let resolved = "";
    let absolute = false;
    for (let i = paths.length - 1; i >= -1 && !absolute; i--) {
      const p = i >= 0 ? paths[i] : cwd();
      validateString(p, `paths[${i}]`);
      if (p.length === 0) continue;
      resolved = resolved === "" ? p : `${p}/${resolved}`;
      absolute = p.charCodeAt(0) === 47;
    }
    const tail = collapse(resolved.split("/"), !absolute).join("/");
    if (absolute) return `/${tail}`;
    return tail.length > 0 ? tail : ".";
  },

  normalize(p) {
    validateString(p, "path");
    if (p.length === 0) return ".";
    const absolute = p.charCodeAt(0) === 47;
    const trailing = p.charCodeAt(p.length - 1) === 47;
    let out = collapse(p.split("/"), !absolute).join("/");
    if (out.length === 0) {
      if (absolute) return "/";
      return trailing ? "./" : ".";
    }
    if (trailing) out += "/";
    return absolute ? `/${out}` : out;
  },

  isAbsolute(p) {
    validateString(p, "path");
    return p.length > 0 && p.charCodeAt(0) === 47;
  },

  join(...paths) {
    let joined = "";
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i];
      validateString(p, "path");
      if (p.length > 0) joined = joined === "" ? p : `${joined}/${p}`;
    }
    return joined === "" ? "." : posix.normalize(joined);
  },

  relative(from, to) {
    validateString(from, "from");
    validateString(to, "to");
    if (from === to) return "";
    from = posix.resolve(from);
    to = posix.resolve(to);
    if (from === to) return "";
    const a = from === "/" ? [] : from.slice(1).split("/");
    const b = to === "/" ? [] : to.slice(1).split("/");
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    const parts = [];
    for (let i = common; i < a.length; i++) parts.push("..");
    for (let i = common; i < b.length; i++) parts.push(b[i]);
    return parts.join("/");
  },

  toNamespacedPath(p) {
    return p;
  },

  dirname(p) {
    validateString(p, "path");
    if (p.length === 0) return ".";
    const rooted = p.charCodeAt(0) === 47;
    const s = posixTrimTrailing(p);
    const slash = s.lastIndexOf("/");
    if (slash < 0) return rooted ? "/" : ".";
    if (slash === 0) return "/";
    if (rooted && slash === 1) return "//";
    return s.slice(0, slash);
  },

  basename(p, suffix) {
    if (suffix !== undefined) validateString(suffix, "suffix");
    validateString(p, "path");
    const s = posixTrimTrailing(p);
    const start = s.lastIndexOf("/") + 1;
    let base = s.slice(start);
    if (base === "/") base = "";
    return suffix !== undefined ? dropSuffix(p, base, start, suffix) : base;
  },

  extname(p) {
    validateString(p, "path");
    const s = posixTrimTrailing(p);
    const base = s.slice(s.lastIndexOf("/") + 1);
    return base === "/" ? "" : extOf(base);
  },

  format(pathObject) {
    return formatWith("/", pathObject);
  },

  parse(p) {
    validateString(p, "path");
    const ret = { root: "", dir: "", base: "", ext: "", name: "" };
    if (p.length === 0) return ret;
    const rooted = p.charCodeAt(0) === 47;
    if (rooted) ret.root = "/";
    const s = posixTrimTrailing(p);
    const start = rooted ? 1 : 0;
    const slash = s.lastIndexOf("/");
    const base = slash >= start ? s.slice(slash + 1) : s.slice(start);
    if (base.length > 0) {
      ret.base = base;
      // Node's parse reads a ".." directly under the root as name "." + ext ".".
      ret.ext = rooted && slash < start && base === ".." ? "." : extOf(base);
      ret.name = ret.ext ? base.slice(0, base.length - ret.ext.length) : base;
    }
    if (slash >= start && slash > 0) ret.dir = s.slice(0, slash);
    else if (rooted) ret.dir = "/";
    return ret;
  },

  matchesGlob() {
    throw new Error("path.matchesGlob is not implemented in unode");
  },
};

// ---------------------------------------------------------------------------
// win32

function isSep(c) {
  return c === 47 || c === 92;
}

function isLetter(c) {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The root of a Windows path: `device` ("C:" or "\\server\share"), where the
 * root ends (`end`), and whether the path is absolute (starts at a root
 * separator). "\\server" alone has no device; it is still absolute.
 */
function winRoot(p, namespaces = false) {
  const len = p.length;
  if (len === 0) return { device: "", end: 0, absolute: false };
  const c0 = p.charCodeAt(0);
  if (isSep(c0)) {
    if (len > 1 && isSep(p.charCodeAt(1))) {
      // resolve and normalize read "\\.\" and "\\?\" as a whole root (the device namespaces).
      if (namespaces && len > 4 && (p.charCodeAt(2) === 46 || p.charCodeAt(2) === 63) && isSep(p.charCodeAt(3)) && /[^\\/]/.test(p.slice(4))) {
        return { device: `\\\\${p[2]}\\`, end: 4, absolute: true, ns: true };
      }
      // \\server\share: two runs of non-separators after the two leading ones.
      let j = 2;
      while (j < len && !isSep(p.charCodeAt(j))) j++;
      if (j < len && j > 2) {
        const server = p.slice(2, j);
        while (j < len && isSep(p.charCodeAt(j))) j++;
        if (j < len) {
          const shareStart = j;
          while (j < len && !isSep(p.charCodeAt(j))) j++;
          return { device: `\\\\${server}\\${p.slice(shareStart, j)}`, end: j, absolute: true };
        }
      }
      return { device: "", end: 0, absolute: true };
    }
    return { device: "", end: 1, absolute: true };
  }
  if (len >= 2 && isLetter(c0) && p.charCodeAt(1) === 58) {
    if (len > 2 && isSep(p.charCodeAt(2))) return { device: p.slice(0, 2), end: 3, absolute: true };
    return { device: p.slice(0, 2), end: 2, absolute: false };
  }
  return { device: "", end: 0, absolute: false };
}

// Windows reserved device names: a relative first segment "CON:x" must not be
// read as a drive or stream, so normalize/join prefix it with ".\".
const reservedNames = new Set(["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
  "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "COM\xb9", "COM\xb2", "COM\xb3", "LPT\xb9", "LPT\xb2", "LPT\xb3"]);

function winSplit(s) {
  return s.split(/[\\/]/);
}

// The cwd as win32.resolve sees it on a POSIX host: '/' becomes '\'.
function winCwd() {
  return cwd().replace(/\//g, "\\");
}

function winTrimEnd(p, min) {
  let end = p.length;
  while (end > min && isSep(p.charCodeAt(end - 1))) end--;
  return end;
}

export const win32 = {
  sep: "\\",
  delimiter: ";",

  resolve(...paths) {
    let device = "";
    let tail = "";
    let absolute = false;
    for (let i = paths.length - 1; i >= -1; i--) {
      let p;
      if (i >= 0) {
        p = paths[i];
        validateString(p, `paths[${i}]`);
        if (p.length === 0) continue;
      } else if (device.length === 0) {
        p = winCwd();
      } else {
        // A drive-relative path: that drive's cwd when known, else its root.
        p = winCwd();
        const c2 = p.charCodeAt(2);
        if (p.slice(0, 2).toLowerCase() !== device.toLowerCase() && c2 === 92) p = `${device}\\`;
      }
      const r = winRoot(p, true);
      if (r.device.length > 0) {
        if (device.length > 0) {
          if (r.device.toLowerCase() !== device.toLowerCase()) continue; // another drive
        } else {
          device = r.device;
        }
      }
      if (absolute) {
        if (device.length > 0) break;
      } else {
        tail = tail === "" ? p.slice(r.end) : `${p.slice(r.end)}\\${tail}`;
        absolute = r.absolute;
        if (absolute && device.length > 0) break;
      }
    }
    const out = collapse(winSplit(tail), !absolute).join("\\");
    if (device.length === 4 && device.charCodeAt(3) === 92) return `${device}${out}`; // \\.\ or \\?\
    if (absolute) return `${device}\\${out}`;
    return `${device}${out}` || ".";
  },

  normalize(p) {
    validateString(p, "path");
    const len = p.length;
    if (len === 0) return ".";
    if (len === 1) return isSep(p.charCodeAt(0)) ? "\\" : p;
    const r = winRoot(p, true);
    let device = r.device;
    let end = r.end;
    let guard = false;
    if (!r.absolute && device.length === 0) {
      // A reserved device name with a colon ("CON:x") is a device: the result
      // starts with ".\\" so that it stays one. So does a result whose colon
      // could be read as a drive ("b:c") or an input with a segment ending in ':'.
      const colon = p.indexOf(":");
      if (colon > 0 && reservedNames.has(p.slice(0, colon).toUpperCase())) {
        device = p.slice(0, colon + 1);
        end = colon + 1;
        guard = true;
      } else if (colon > 0 && /:(?:[\\/]|$)/.test(p)) {
        guard = true;
      }
    }
    const trailing = isSep(p.charCodeAt(len - 1));
    let out = end < len ? collapse(winSplit(p.slice(end)), !r.absolute).join("\\") : "";
    if (out.length === 0 && !r.absolute) out = ".";
    if (out.length > 0 && trailing) out += "\\";
    if (!r.absolute && device.length === 0 && out.length > 1 && out.charCodeAt(1) === 58 && isLetter(out.charCodeAt(0))) guard = true;
    if (guard) return `.\\${device}${out}`;
    if (r.ns) return `${device}${out}`;
    if (device.length === 0) return r.absolute ? `\\${out}` : out;
    return r.absolute ? `${device}\\${out}` : `${device}${out}`;
  },

  isAbsolute(p) {
    validateString(p, "path");
    const len = p.length;
    if (len === 0) return false;
    const c0 = p.charCodeAt(0);
    return isSep(c0) || (len > 2 && isLetter(c0) && p.charCodeAt(1) === 58 && isSep(p.charCodeAt(2)));
  },

  join(...paths) {
    if (paths.length === 0) return ".";
    let joined;
    let first;
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i];
      validateString(p, "path");
      if (p.length > 0) {
        if (joined === undefined) joined = first = p;
        else joined += `\\${p}`;
      }
    }
    if (joined === undefined) return ".";
    // A first argument that starts with exactly two separators ("\\server") keeps
    // a UNC root; any more leading separators collapse to that pair, and a first
    // argument with a single leading separator never becomes UNC.
    let needsReplace = true;
    let slashes = 0;
    if (isSep(first.charCodeAt(0))) {
      slashes++;
      const len = first.length;
      if (len > 1 && isSep(first.charCodeAt(1))) {
        slashes++;
        if (len > 2) {
          if (isSep(first.charCodeAt(2))) slashes++;
          else needsReplace = false;
        }
      }
    }
    if (needsReplace) {
      while (slashes < joined.length && isSep(joined.charCodeAt(slashes))) slashes++;
      if (slashes >= 2) joined = `\\${joined.slice(slashes)}`;
    }
    return win32.normalize(joined);
  },

  relative(from, to) {
    validateString(from, "from");
    validateString(to, "to");
    if (from === to) return "";
    const fromAbs = win32.resolve(from);
    const toAbs = win32.resolve(to);
    if (fromAbs === toAbs) return "";
    if (fromAbs.toLowerCase() === toAbs.toLowerCase()) return "";
    // Segments of the resolved paths; a drive ("C:") and a UNC server and share
    // count as segments, a bare "\\" root as none. Paths whose first segments
    // differ (other drives, shares, top-level directories) give the target itself.
    const a = fromAbs.split("\\").filter((x) => x !== "");
    const b = toAbs.split("\\").filter((x) => x !== "");
    let common = 0;
    while (common < a.length && common < b.length && a[common].toLowerCase() === b[common].toLowerCase()) common++;
    if (common === 0 && a.length > 0 && b.length > 0) return toAbs;
    const parts = [];
    for (let i = common; i < a.length; i++) parts.push("..");
    for (let i = common; i < b.length; i++) parts.push(b[i]);
    return parts.join("\\");
  },

  toNamespacedPath(p) {
    if (typeof p !== "string" || p.length === 0) return p;
    const resolved = win32.resolve(p);
    if (resolved.length <= 2) return p;
    if (resolved.charCodeAt(0) === 92) {
      if (resolved.charCodeAt(1) === 92) {
        const c2 = resolved.charCodeAt(2);
        if (c2 === 63 || c2 === 46) return resolved; // already \\?\ or \\.\
        return `\\\\?\\UNC\\${resolved.slice(2)}`;
      }
    } else if (isLetter(resolved.charCodeAt(0)) && resolved.charCodeAt(1) === 58 && resolved.charCodeAt(2) === 92) {
      return `\\\\?\\${resolved}`;
    }
    return resolved;
  },

  dirname(p) {
    validateString(p, "path");
    const len = p.length;
    if (len === 0) return ".";
    const r = winRoot(p);
    // The root as dirname sees it: "\\server\share\" includes the separator after the share.
    let rootEnd = r.end;
    if (r.device.length > 2 && rootEnd < len) rootEnd++;
    if (r.absolute && r.end === 0) rootEnd = 1;
    if (rootEnd >= len) return p; // only a root
    const end = winTrimEnd(p, rootEnd);
    let i = end - 1;
    while (i >= rootEnd && !isSep(p.charCodeAt(i))) i--;
    // No separator after the root: the root (or "." without one).
    if (i < rootEnd) return rootEnd === 0 ? "." : p.slice(0, rootEnd);
    // Up to the separator before the last segment, never shorter than the root.
    return p.slice(0, Math.max(i, rootEnd));
  },

  basename(p, suffix) {
    if (suffix !== undefined) validateString(suffix, "suffix");
    validateString(p, "path");
    let start = 0;
    if (p.length >= 2 && isLetter(p.charCodeAt(0)) && p.charCodeAt(1) === 58) start = 2;
    const end = winTrimEnd(p, start);
    let i = end - 1;
    while (i >= start && !isSep(p.charCodeAt(i))) i--;
    const baseStart = Math.max(i + 1, start);
    const base = end === start ? "" : p.slice(baseStart, end);
    return suffix !== undefined ? dropSuffix(p, base, baseStart, suffix, start) : base;
  },

  extname(p) {
    validateString(p, "path");
    let start = 0;
    if (p.length >= 2 && isLetter(p.charCodeAt(0)) && p.charCodeAt(1) === 58) start = 2;
    const end = winTrimEnd(p, start);
    let i = end - 1;
    while (i >= start && !isSep(p.charCodeAt(i))) i--;
    return extOf(p.slice(Math.max(i + 1, start), end));
  },

  format(pathObject) {
    return formatWith("\\", pathObject);
  },

  parse(p) {
    validateString(p, "path");
    const ret = { root: "", dir: "", base: "", ext: "", name: "" };
    const len = p.length;
    if (len === 0) return ret;
    const r = winRoot(p);
    let rootEnd = r.end;
    if (r.absolute && r.end === 0) rootEnd = 1;
    if (r.device.length > 2 && rootEnd < len) rootEnd++; // the separator after the share
    ret.root = p.slice(0, rootEnd);
    if (rootEnd === len) {
      ret.dir = ret.root;
      return ret;
    }
    const end = winTrimEnd(p, rootEnd);
    let i = end - 1;
    while (i >= rootEnd && !isSep(p.charCodeAt(i))) i--;
    const base = p.slice(i + 1, end);
    if (base.length > 0) {
      ret.base = base;
      ret.ext = extOf(base);
      ret.name = ret.ext ? base.slice(0, base.length - ret.ext.length) : base;
    }
    ret.dir = i >= rootEnd ? p.slice(0, Math.max(i, rootEnd)) : ret.root;
    return ret;
  },

  matchesGlob() {
    throw new Error("path.matchesGlob is not implemented in unode");
  },
};

posix.posix = win32.posix = posix;
posix.win32 = win32.win32 = win32;
posix._makeLong = posix.toNamespacedPath;
win32._makeLong = win32.toNamespacedPath;
