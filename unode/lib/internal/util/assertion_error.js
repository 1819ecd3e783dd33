// node:internal/util/assertion_error — assert.AssertionError and the
// messages Node 20 builds for failed comparisons: "1 !== 2" for short
// primitives, a line diff ("+ actual - expected") of the inspected values
// otherwise, with identical runs collapsed and a ^ under the first differing
// character of single-line values.

import { inspect, removeColors } from "node:internal/util/inspect";

const kMaxShortLength = 12;

const headers = {
  deepStrictEqual: "Expected values to be strictly deep-equal:",
  strictEqual: "Expected values to be strictly equal:",
  strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
  deepEqual: "Expected values to be loosely deep-equal:",
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notIdentical: "Values have same structure but are not reference-equal:",
  notDeepEqualUnequal: "Expected values not to be loosely deep-equal:",
};

function inspectValue(value) {
  return inspect(value, {
    compact: false,
    customInspect: false,
    depth: 1000,
    maxArrayLength: Infinity,
    showHidden: false,
    showProxy: false,
    sorted: true,
    getters: true,
  });
}

const isObj = (v) => typeof v === "object" && v !== null;

// The lines kept around a run of identical lines: up to two, then "...".
function flushIdentical(lines, i, identical, state) {
  if (identical <= 2) return "";
  let out = "";
  if (identical > 3) {
    if (identical > 4) {
      if (identical === 5) {
        out += `\n  ${lines[i - 3]}`;
        state.printed++;
      } else {
        out += "\n...";
        state.skipped = true;
      }
    }
    out += `\n  ${lines[i - 2]}`;
    state.printed++;
  }
  out += `\n  ${lines[i - 1]}`;
  state.printed++;
  return out;
}

function createErrDiff(actual, expected, operator, customHeader) {
  let pending = "";
  let res = "";
  let end = "";
  const state = { skipped: false, printed: 0 };
  const actualInspected = inspectValue(actual);
  const actualLines = actualInspected.split("\n");
  const expectedLines = inspectValue(expected).split("\n");
  let i = 0;
  let indicator = "";

  if (operator === "strictEqual" &&
      ((isObj(actual) && isObj(expected)) || (typeof actual === "function" && typeof expected === "function"))) {
    operator = "strictEqualObject";
  }
  const header = customHeader ?? headers[operator];

  if (actualLines.length === 1 && expectedLines.length === 1 && actualLines[0] !== expectedLines[0]) {
    const a = removeColors(actualLines[0]);
    const b = removeColors(expectedLines[0]);
    const inputLength = a.length + b.length;
    if (inputLength <= kMaxShortLength) {
      if (!isObj(actual) && !isObj(expected) && (actual !== 0 || expected !== 0)) {
        return `${header}\n\n${actualLines[0]} !== ${expectedLines[0]}\n`;
      }
    } else if (operator !== "strictEqualObject") {
      const stderr = globalThis.process?.stderr;
      const maxLength = stderr && stderr.isTTY && stderr.columns ? stderr.columns : 80;
      if (inputLength < maxLength) {
        while (a[i] === b[i]) i++;
        if (i > 2) {
          indicator = `\n  ${" ".repeat(i)}^`;
          i = 0;
        }
      }
    }
  }

  // Identical trailing lines are shown once (at most three of them).
  let a = actualLines[actualLines.length - 1];
  let b = expectedLines[expectedLines.length - 1];
  let other = "";
  while (a === b) {
    if (i++ < 3) end = `\n  ${a}${end}`;
    else other = a;
    actualLines.pop();
    expectedLines.pop();
    if (actualLines.length === 0 || expectedLines.length === 0) break;
    a = actualLines[actualLines.length - 1];
    b = expectedLines[expectedLines.length - 1];
  }

  const maxLines = Math.max(actualLines.length, expectedLines.length);
  if (maxLines === 0) {
    const lines = actualInspected.split("\n");
    if (lines.length > 50) {
      lines[46] = "...";
      while (lines.length > 47) lines.pop();
    }
    return `${customHeader ?? headers.notIdentical}\n\n${lines.join("\n")}\n`;
  }
  if (i >= 5) {
    end = `\n...${end}`;
    state.skipped = true;
  }
  if (other !== "") {
    end = `\n  ${other}${end}`;
  }

  let identical = 0;
  const msg = `${header}\n+ actual - expected`;
  const skippedMsg = " ... Lines skipped";
  let lines = actualLines;
  let plusMinus = "+";
  let shorter = expectedLines.length;
  if (actualLines.length < maxLines) {
    lines = expectedLines;
    plusMinus = "-";
    shorter = actualLines.length;
  }

  for (i = 0; i < maxLines; i++) {
    if (shorter < i + 1) {
      // Only the longer side has lines left.
      res += flushIdentical(lines, i, identical, state);
      identical = 0;
      if (lines === actualLines) res += `\n${plusMinus} ${lines[i]}`;
      else pending += `\n${plusMinus} ${lines[i]}`;
      state.printed++;
    } else {
      const expectedLine = expectedLines[i];
      let actualLine = actualLines[i];
      let diverging = actualLine !== expectedLine && (!actualLine.endsWith(",") || actualLine.slice(0, -1) !== expectedLine);
      if (diverging && expectedLine.endsWith(",") && expectedLine.slice(0, -1) === actualLine) {
        diverging = false;
        actualLine += ",";
      }
      if (diverging) {
        res += flushIdentical(actualLines, i, identical, state);
        identical = 0;
        // Consecutive differing lines show as +++--- rather than +-+-.
        res += `\n+ ${actualLine}`;
        pending += `\n- ${expectedLine}`;
        state.printed += 2;
      } else {
        res += pending;
        pending = "";
        identical++;
        if (identical <= 2) {
          res += `\n  ${actualLine}`;
          state.printed++;
        }
      }
    }
    if (state.printed > 50 && i < maxLines - 2) {
      return `${msg}${skippedMsg}\n${res}\n...${pending}\n...`;
    }
  }
  return `${msg}${state.skipped ? skippedMsg : ""}\n${res}${pending}${end}${indicator}`;
}

// Errors compared in a message are shown without their stacks.
function copyError(source) {
  const target = Object.assign(Object.create(Object.getPrototypeOf(source)), source);
  Object.defineProperty(target, "message", { value: source.message });
  Object.defineProperty(target, "stack", { value: undefined });
  return target;
}

export class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== "object") {
      const err = new TypeError(`The "options" argument must be of type object.${options === undefined ? " Received undefined" : ` Received type ${typeof options} (${inspect(options)})`}`);
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    const { message, operator, stackStartFn, details } = options;
    let { actual, expected } = options;
    if (message != null) {
      if (operator === "deepStrictEqual" || operator === "strictEqual") {
        super(createErrDiff(actual, expected, operator, String(message)));
      } else {
        super(String(message));
      }
    } else {
      if (isObj(actual) && isObj(expected) && "stack" in actual && actual instanceof Error &&
          "stack" in expected && expected instanceof Error) {
        actual = copyError(actual);
        expected = copyError(expected);
      }
      if (operator === "deepStrictEqual" || operator === "strictEqual") {
        super(createErrDiff(actual, expected, operator));
      } else if (operator === "notDeepStrictEqual" || operator === "notStrictEqual") {
        let base = headers[operator];
        const res = inspectValue(actual).split("\n");
        if (operator === "notStrictEqual" && (isObj(actual) || typeof actual === "function")) {
          base = headers.notStrictEqualObject;
        }
        if (res.length > 50) {
          res[46] = "...";
          while (res.length > 47) res.pop();
        }
        if (res.length === 1) super(`${base}${res[0].length > 5 ? "\n\n" : " "}${res[0]}`);
        else super(`${base}\n\n${res.join("\n")}\n`);
      } else {
        let res = inspectValue(actual);
        let other = inspectValue(expected);
        const known = headers[operator];
        if (operator === "notDeepEqual" && res === other) {
          res = `${known}\n\n${res}`;
          if (res.length > 1024) res = `${res.slice(0, 1021)}...`;
          super(res);
        } else {
          if (res.length > 512) res = `${res.slice(0, 509)}...`;
          if (other.length > 512) other = `${other.slice(0, 509)}...`;
          if (operator === "deepEqual") {
            res = `${known}\n\n${res}\n\nshould loosely deep-equal\n\n`;
          } else {
            const unequal = headers[`${operator}Unequal`];
            if (unequal) res = `${unequal}\n\n${res}\n\nshould not loosely deep-equal\n\n`;
            else other = ` ${operator} ${other}`;
          }
          super(`${res}${other}`);
        }
      }
    }
    Object.defineProperty(this, "name", { value: "AssertionError [ERR_ASSERTION]", enumerable: false, writable: true, configurable: true });
    this.generatedMessage = !message;
    this.code = "ERR_ASSERTION";
    if (details) {
      this.actual = undefined;
      this.expected = undefined;
      this.operator = undefined;
      for (let i = 0; i < details.length; i++) {
        this[`message ${i}`] = details[i].message;
        this[`actual ${i}`] = details[i].actual;
        this[`expected ${i}`] = details[i].expected;
        this[`operator ${i}`] = details[i].operator;
        this[`stack trace ${i}`] = details[i].stack;
      }
    } else {
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = operator;
    }
    setStack(this, stackStartFn);
    this.name = "AssertionError";
  }

  toString() {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](recurseTimes, ctx) {
    const tmpActual = this.actual;
    const tmpExpected = this.expected;
    const clip = (v) => (typeof v === "string" && v.length > 512 * 2 ? `${v.slice(0, 512 * 2 - 3)}...` : v);
    if (typeof this.actual === "string") this.actual = clip(this.actual);
    if (typeof this.expected === "string") this.expected = clip(this.expected);
    const result = inspect(this, { ...ctx, customInspect: false, depth: 0 });
    this.actual = tmpActual;
    this.expected = tmpExpected;
    return result;
  }
}

// "AssertionError [ERR_ASSERTION]: message" and the frames below the
// assert function that failed.
function setStack(err, stackStartFn) {
  if (typeof Error.captureStackTrace === "function" && typeof stackStartFn === "function") {
    try { Error.captureStackTrace(err, stackStartFn); } catch {}
  }
  let frames = String(err.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  const cut = frames.findIndex((l) => /\(jsk:|node:internal\/util\/assertion_error|node:assert/.test(l) === false);
  if (cut > 0) frames = frames.slice(cut);
  Object.defineProperty(err, "stack", {
    value: `AssertionError [ERR_ASSERTION]: ${err.message}` + (frames.length ? `\n${frames.join("\n")}` : ""),
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
