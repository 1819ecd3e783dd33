// jsk:console — `inspect`, `format` and the `console` object.
// Output goes straight to fds 1 and 2 with write(2) (jsk:sys writeAll): no buffering,
// so nothing is lost when a driver exits or the process is killed.

import * as sys from "jsk:sys";

const kIndent = "  ";
const kBreakLength = 80;

function quote(s) {
  return "'" + s.replace(/[\\'\n\r\t\x00-\x1f]/g, (c) => ({
    "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t",
  })[c] ?? "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")) + "'";
}

function keyText(k) {
  if (typeof k === "symbol") return `[${k.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
}

function className(v) {
  const proto = Object.getPrototypeOf(v);
  if (proto === null) return "[Object: null prototype]";
  const ctor = proto.constructor;
  return typeof ctor === "function" && ctor.name ? ctor.name : "Object";
}

function join(open, parts, close, indent, breakLength) {
  if (parts.length === 0) return open.trimEnd() + close.trimStart();
  const oneLine = `${open}${parts.join(", ")}${close}`;
  if (oneLine.length + indent.length <= breakLength && !oneLine.includes("\n")) return oneLine;
  const inner = indent + kIndent;
  return `${open.trimEnd()}\n${parts.map((p) => inner + p).join(",\n")}\n${indent}${close.trimStart()}`;
}

function formatValue(v, depth, seen, indent, opts) {
  switch (typeof v) {
    case "string": return depth === 0 && opts.bareStrings ? v : quote(v);
    case "number": return Object.is(v, -0) ? "-0" : String(v);
    case "bigint": return `${v}n`;
    case "boolean": case "undefined": return String(v);
    case "symbol": return v.toString();
    case "function": {
      const kind = /^class\b/.test(Function.prototype.toString.call(v)) ? "class" : "Function";
      return v.name ? `[${kind}: ${v.name}]` : `[${kind} (anonymous)]`;
    }
  }
  if (v === null) return "null";
  if (seen.includes(v)) return "[Circular]";
  if (v instanceof Error) {
    const head = v.stack ? `${v.name}: ${v.message}\n${v.stack.trimEnd()}` : `${v.name}: ${v.message}`;
    return head.split("\n").join("\n" + indent);
  }
  if (v instanceof Date) return isNaN(v) ? "Invalid Date" : v.toISOString();
  if (v instanceof RegExp) return String(v);
  if (v instanceof Promise) return "Promise {}";
  if (v instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${v.byteLength} }`;
  if (v instanceof DataView) return `DataView { byteLength: ${v.byteLength}, byteOffset: ${v.byteOffset} }`;
  const name = className(v);
  if (depth > opts.depth) return Array.isArray(v) ? "[Array]" : `[${name}]`;
  seen = [...seen, v];
  const sub = (x) => formatValue(x, depth + 1, seen, indent + kIndent, opts);
  const maxItems = 100;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const n = v.length;
    const parts = [];
    for (let i = 0; i < Math.min(n, maxItems); i++) parts.push(i in v ? sub(v[i]) : "<empty>");
    if (n > maxItems) parts.push(`... ${n - maxItems} more item${n - maxItems > 1 ? "s" : ""}`);
    const prefix = Array.isArray(v) ? (name === "Array" ? "" : `${name}(${n}) `) : `${name}(${n}) `;
    return join(prefix + "[ ", parts, " ]", indent, opts.breakLength);
  }
  if (v instanceof Map) {
    const parts = [...v].slice(0, maxItems).map(([k, x]) => `${sub(k)} => ${sub(x)}`);
    return join(`Map(${v.size}) { `, parts, " }", indent, opts.breakLength);
  }
  if (v instanceof Set) {
    const parts = [...v].slice(0, maxItems).map(sub);
    return join(`Set(${v.size}) { `, parts, " }", indent, opts.breakLength);
  }
  const parts = [];
  for (const k of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (!d.enumerable) continue;
    const shown = "value" in d ? sub(d.value) : d.get && d.set ? "[Getter/Setter]" : d.get ? "[Getter]" : "[Setter]";
    parts.push(`${keyText(k)}: ${shown}`);
  }
  const prefix = name === "Object" ? "" : `${name} `;
  return join(prefix + "{ ", parts, " }", indent, opts.breakLength);
}

/** Readable text for any value, in the style of Node's util.inspect. */
export function inspect(value, { depth = 2, breakLength = kBreakLength } = {}) {
  return formatValue(value, 0, [], "", { depth, breakLength, bareStrings: false });
}

/** printf-like formatting: %s %d %i %f %j %o %O %c %%, then the rest inspected. */
export function format(...args) {
  let out = "";
  let i = 0;
  if (typeof args[0] === "string") {
    const fmt = args[0];
    i = 1;
    out = fmt.replace(/%[sdifjoOc%]/g, (m) => {
      if (m === "%%") return "%";
      if (i >= args.length) return m;
      const a = args[i++];
      switch (m) {
        case "%s": return typeof a === "string" ? a : typeof a === "bigint" ? `${a}n` : inspect(a, { depth: 1 });
        case "%d": case "%i": {
          if (typeof a === "bigint") return `${a}n`;
          const n = Number(a);
          return String(m === "%i" ? Math.trunc(n) : n);
        }
        case "%f": return String(Number(a));
        case "%j": try { return JSON.stringify(a); } catch { return "[Circular]"; }
        case "%c": return "";
        default: return inspect(a, { depth: m === "%O" ? 2 : 4 });
      }
    });
  }
  for (; i < args.length; i++) {
    const a = args[i];
    out += (out === "" && i === 0 ? "" : " ") + (typeof a === "string" ? a : inspect(a));
  }
  return out;
}

/** Write all of `text` to `fd`, retrying short writes; errors are dropped (there is nowhere to report them). */
export function writeAll(fd, text) {
  try {
    sys.writeAll(fd, text);
  } catch {
    // EPIPE, a closed fd: dropped.
  }
}

const timers = new Map();
const counts = new Map();
let groupIndent = "";

function emit(fd, args) {
  const text = format(...args);
  writeAll(fd, (groupIndent ? text.replace(/^/gm, groupIndent) : text) + "\n");
}

export const console = {
  log: (...a) => emit(1, a),
  info: (...a) => emit(1, a),
  debug: (...a) => emit(1, a),
  warn: (...a) => emit(2, a),
  error: (...a) => emit(2, a),
  trace: (...a) => emit(2, [format("Trace:", ...a) + "\n" + (new Error().stack ?? "").split("\n").slice(1).join("\n")]),
  dir: (v, opts) => writeAll(1, inspect(v, opts) + "\n"),
  assert: (cond, ...a) => { if (!cond) emit(2, ["Assertion failed" + (a.length ? ":" : ""), ...a]); },
  time: (label = "default") => timers.set(label, performance.now()),
  timeEnd: (label = "default") => {
    const t = timers.get(label);
    if (t === undefined) return emit(2, [`Warning: No such label '${label}'`]);
    timers.delete(label);
    emit(1, [`${label}: ${(performance.now() - t).toFixed(3)}ms`]);
  },
  timeLog: (label = "default", ...a) => {
    const t = timers.get(label);
    if (t !== undefined) emit(1, [`${label}: ${(performance.now() - t).toFixed(3)}ms`, ...a]);
  },
  count: (label = "default") => {
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    emit(1, [`${label}: ${n}`]);
  },
  group: (...a) => { if (a.length) emit(1, a); groupIndent += "  "; },
  groupEnd: () => { groupIndent = groupIndent.slice(2); },
};
