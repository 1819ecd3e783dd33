// node:console — Node's console: log/info/debug (stdout), warn/error/trace
// (stderr), dir, dirxml, table, time/timeLog/timeEnd, count/countReset,
// group/groupEnd, assert, and the Console class over any two writable
// streams. Text is formatted by node:util's format/inspect.
//
// The global console writes straight to fds 1 and 2 (synchronously, as Node
// does on Linux) until the program touches process.stdout/stderr; from then
// on it goes through those streams, so a program that replaces
// process.stdout.write sees console output too.

import { writeAll } from "jsk:sys";
import { importSync } from "jsk:native";
import { codes } from "node:internal/errors";
import { shouldColorize, isTerminalFd, colorDepthOf } from "node:internal/util/colors";

// util.inspect is large: it loads the first time something other than plain
// strings is printed.
let inspectModule;
const util = () => (inspectModule ??= importSync("node:internal/util/inspect"));
const inspect = (v, o) => util().inspect(v, o);

/** format(), without loading inspect when every argument is a string and there are no % directives. */
function formatWithOptions(opts, ...args) {
  let plain = true;
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] !== "string" || (i === 0 && args.length > 1 && args[0].includes("%"))) { plain = false; break; }
  }
  return plain ? args.join(" ") : util().formatWithOptions(opts, ...args);
}

const kCounts = Symbol("counts"), kTimers = Symbol("timers"), kIndent = Symbol("indent");

function nowMs() { return performance.now(); }

function formatDuration(ms) {
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)}s`;
  return `${ms.toFixed(3)}ms`;
}

export class Console {
  constructor(stdout, stderr, ignoreErrors = true) {
    let opts = stdout;
    if (!opts || typeof opts.write === "function") opts = { stdout, stderr, ignoreErrors };
    if (!opts.stdout || typeof opts.stdout.write !== "function") throw codes.ERR_INVALID_ARG_TYPE("stdout", "Writable", opts.stdout);
    this._stdout = opts.stdout;
    this._stderr = opts.stderr ?? opts.stdout;
    this._ignoreErrors = opts.ignoreErrors ?? true;
    this._inspectOptions = opts.inspectOptions ?? {};
    this._colorMode = opts.colorMode ?? "auto";
    this[kCounts] = new Map();
    this[kTimers] = new Map();
    this[kIndent] = "";
    // Methods work detached (`const { log } = console`), as in Node.
    for (const k of Object.getOwnPropertyNames(Console.prototype)) {
      if (k !== "constructor" && typeof this[k] === "function") this[k] = this[k].bind(this);
    }
  }
  _print(toErr, args) {
    let text = formatWithOptions(this._inspectOptionsFor(toErr), ...args);
    if (this[kIndent]) text = text.replace(/^/gm, this[kIndent]);
    this._write(toErr, text + "\n");
  }
  _inspectOptionsFor(toErr) {
    const stream = toErr ? this._stderr : this._stdout;
    const colors = this._colorMode === "auto" ? shouldColorize(stream) : this._colorMode === true;
    return colors ? { ...this._inspectOptions, colors } : this._inspectOptions;
  }
  _write(toErr, text) {
    const stream = toErr ? this._stderr : this._stdout;
    try {
      stream.write(text);
    } catch (e) {
      if (!this._ignoreErrors) throw e;
    }
  }
  log(...args) { this._print(false, args); }
  info(...args) { this._print(false, args); }
  debug(...args) { this._print(false, args); }
  warn(...args) { this._print(true, args); }
  error(...args) { this._print(true, args); }
  dir(obj, options) { this._write(false, inspect(obj, { customInspect: false, ...this._inspectOptionsFor(false), ...options }) + "\n"); }
  dirxml(...args) { this.log(...args); }
  trace(...args) {
    const err = new Error(formatWithOptions(this._inspectOptions, ...args));
    const frames = String(err.stack ?? "").split("\n").filter(Boolean).slice(1).join("\n");
    this._print(true, [`Trace: ${err.message}${frames ? "\n" + frames : ""}`]);
  }
  assert(value, ...args) {
    if (value) return;
    args[0] = `Assertion failed${args.length === 0 ? "" : `: ${args[0]}`}`;
    this.warn(...args);
  }
  count(label = "default") {
    label = `${label}`;
    const n = (this[kCounts].get(label) ?? 0) + 1;
    this[kCounts].set(label, n);
    this.log(`${label}: ${n}`);
  }
  countReset(label = "default") {
    label = `${label}`;
    if (!this[kCounts].has(label)) {
      process.emitWarning?.(`Count for '${label}' does not exist`);
      return;
    }
    this[kCounts].set(label, 0);
  }
  group(...label) {
    if (label.length) this.log(...label);
    this[kIndent] += "  ";
  }
  groupCollapsed(...label) { this.group(...label); }
  groupEnd() { this[kIndent] = this[kIndent].slice(0, -2); }
  time(label = "default") {
    label = `${label}`;
    if (this[kTimers].has(label)) {
      process.emitWarning?.(`Label '${label}' already exists for console.time()`);
      return;
    }
    this[kTimers].set(label, nowMs());
  }
  timeLog(label = "default", ...data) { this.#timeReport(label, data, false); }
  timeEnd(label = "default") { this.#timeReport(label, [], true); }
  #timeReport(label, data, end) {
    label = `${label}`;
    const start = this[kTimers].get(label);
    if (start === undefined) {
      process.emitWarning?.(`No such label '${label}' for console.${end ? "timeEnd" : "timeLog"}()`);
      return;
    }
    if (end) this[kTimers].delete(label);
    this.log(`${label}: ${formatDuration(nowMs() - start)}`, ...data);
  }
  table(data, properties) {
    if (data === null || typeof data !== "object") return this.log(data);
    this.log(renderTable(data, properties));
  }
  clear() {
    if (this._stdout.isTTY) this._write(false, "\x1b[1;1H\x1b[0J");
  }
  profile() {}
  profileEnd() {}
  timeStamp() {}
  context() { return this; }
}

function cell(v) {
  return typeof v === "string" ? v : inspect(v, { depth: 1, breakLength: Infinity });
}

function renderTable(data, properties) {
  const indexHeader = "(index)", valuesHeader = "Values";
  const rows = data instanceof Map ? [...data.entries()] : Object.entries(data);
  const columns = [];
  let hasValues = false;
  for (const [, v] of rows) {
    if (v !== null && typeof v === "object") {
      for (const k of Object.keys(v)) if (!columns.includes(k)) columns.push(k);
    } else {
      hasValues = true;
    }
  }
  const cols = properties ?? columns;
  const header = [indexHeader, ...cols, ...(hasValues ? [valuesHeader] : [])];
  const body = rows.map(([k, v]) => [
    cell(k),
    ...cols.map((c) => (v !== null && typeof v === "object" && c in v ? cell(v[c]) : "")),
    ...(hasValues ? [v !== null && typeof v === "object" ? "" : cell(v)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)) + 2);
  const pad = (s, w) => {
    const left = Math.floor((w - s.length) / 2);
    return " ".repeat(left) + s + " ".repeat(w - s.length - left);
  };
  const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const out = [line("┌", "┬", "┐"), "│" + header.map((h, i) => pad(h, widths[i])).join("│") + "│", line("├", "┼", "┤")];
  for (const r of body) out.push("│" + r.map((c, i) => pad(c, widths[i])).join("│") + "│");
  out.push(line("└", "┴", "┘"));
  return out.join("\n");
}

/** fd 1 and 2 as write()-ables, until process.stdout/stderr exist. */
function stdioWriter(fd, name) {
  return {
    get isTTY() { return globalThis.process?.[name]?.isTTY; },
    hasColors() { return globalThis.process?.[name]?.hasColors?.() ?? false; },
    write(text) {
      const p = globalThis.process;
      const desc = p && Object.getOwnPropertyDescriptor(p, name);
      // Once the program has the stream (or replaced it), write through it.
      if (desc && "value" in desc) return desc.value.write(text);
      writeAll(fd, text);
      return true;
    },
  };
}

const globalConsole = new Console({ stdout: stdioWriter(1, "stdout"), stderr: stdioWriter(2, "stderr") });
// The global console decides colours without creating process.stdout/stderr
// (asking the streams would): by the fd, until the program has the stream.
globalConsole._inspectOptionsFor = function (toErr) {
  const p = globalThis.process;
  const desc = p && Object.getOwnPropertyDescriptor(p, toErr ? "stderr" : "stdout");
  let colors;
  if (desc && "value" in desc) colors = shouldColorize(desc.value);
  else if (p?.env.FORCE_COLOR !== undefined) colors = colorDepthOf() > 2;
  else colors = isTerminalFd(toErr ? 2 : 1) && colorDepthOf() > 2;
  return colors ? { ...this._inspectOptions, colors } : this._inspectOptions;
};
globalConsole.Console = Console;

export default globalConsole;
