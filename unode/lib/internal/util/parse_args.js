// node:internal/util/parse_args — util.parseArgs as Node 20 documents it:
// options with type/short/multiple/default, strict, allowPositionals,
// allowNegative, tokens; the same error codes and messages.

import { codes, nodeError } from "node:internal/errors";
import { validateArray, validateBoolean, validateObject, validateString } from "node:internal/validators";

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const getOwn = (options, name, prop) => (hasOwn(options, name) ? options[name][prop] : undefined);

const unknownOption = (option, allowPositionals) => nodeError(TypeError, "ERR_PARSE_ARGS_UNKNOWN_OPTION",
  `Unknown option '${option}'` + (allowPositionals
    ? `. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- ${JSON.stringify(option)}`
    : ""));
const invalidValue = (msg) => nodeError(TypeError, "ERR_PARSE_ARGS_INVALID_OPTION_VALUE", msg);
const unexpectedPositional = (arg) => nodeError(TypeError, "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL",
  `Unexpected argument '${arg}'. This command does not take positional arguments`);

function findLongForShort(short, options) {
  for (const name of Object.keys(options)) if (options[name].short === short) return name;
  return short;
}

const isLoneShort = (a) => a.length === 2 && a[0] === "-" && a[1] !== "-";
const isLoneLong = (a) => a.length > 2 && a.startsWith("--") && !a.includes("=", 3);
const isLongAndValue = (a) => a.length > 2 && a.startsWith("--") && a.includes("=", 3);
const isShortGroup = (a, options) =>
  a.length > 2 && a[0] === "-" && a[1] !== "-" && getOwn(options, findLongForShort(a[1], options), "type") !== "string";
const isShortAndValue = (a, options) =>
  a.length > 2 && a[0] === "-" && a[1] !== "-" && getOwn(options, findLongForShort(a[1], options), "type") === "string";
const isOptionLikeValue = (v) => v != null && v.length > 1 && v[0] === "-";

function tokenize(args, options) {
  const tokens = [];
  let index = -1;
  let groupCount = 0;
  const remaining = args.slice();
  while (remaining.length > 0) {
    const arg = remaining.shift();
    const next = remaining[0];
    if (groupCount > 0) groupCount--;
    else index++;

    if (arg === "--") {
      tokens.push({ kind: "option-terminator", index });
      for (const a of remaining) tokens.push({ kind: "positional", index: ++index, value: a });
      break;
    }
    if (isLoneShort(arg)) {
      const name = findLongForShort(arg[1], options);
      let value, inlineValue;
      if (getOwn(options, name, "type") === "string" && next != null) {
        value = remaining.shift();
        inlineValue = false;
      }
      tokens.push({ kind: "option", name, rawName: arg, index, value, inlineValue });
      if (value != null) ++index;
      continue;
    }
    if (isShortGroup(arg, options)) {
      const expanded = [];
      for (let i = 1; i < arg.length; i++) {
        const short = arg[i];
        const name = findLongForShort(short, options);
        if (getOwn(options, name, "type") !== "string" || i === arg.length - 1) {
          expanded.push(`-${short}`);
        } else {
          expanded.push(`-${short}${arg.slice(i + 1)}`);
          break;
        }
      }
      remaining.unshift(...expanded);
      groupCount = expanded.length;
      continue;
    }
    if (isShortAndValue(arg, options)) {
      const name = findLongForShort(arg[1], options);
      tokens.push({ kind: "option", name, rawName: `-${arg[1]}`, index, value: arg.slice(2), inlineValue: true });
      continue;
    }
    if (isLoneLong(arg)) {
      const name = arg.slice(2);
      let value, inlineValue;
      if (getOwn(options, name, "type") === "string" && next != null) {
        value = remaining.shift();
        inlineValue = false;
      }
      tokens.push({ kind: "option", name, rawName: arg, index, value, inlineValue });
      if (value != null) ++index;
      continue;
    }
    if (isLongAndValue(arg)) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq);
      tokens.push({ kind: "option", name, rawName: `--${name}`, index, value: arg.slice(eq + 1), inlineValue: true });
      continue;
    }
    tokens.push({ kind: "positional", index, value: arg });
  }
  return tokens;
}

function checkUsage(options, token, allowPositionals) {
  if (!hasOwn(options, token.name)) throw unknownOption(token.rawName, allowPositionals);
  const short = getOwn(options, token.name, "short");
  const shortAndLong = short ? `-${short}, --${token.name}` : `--${token.name}`;
  const type = getOwn(options, token.name, "type");
  if (type === "string" && typeof token.value !== "string") {
    throw invalidValue(`Option '${shortAndLong} <value>' argument missing`);
  }
  if (type === "boolean" && token.value != null) {
    throw invalidValue(`Option '${shortAndLong}' does not take an argument`);
  }
}

function checkOptionLikeValue(token) {
  if (!token.inlineValue && isOptionLikeValue(token.value)) {
    const example = token.rawName.startsWith("--")
      ? `'${token.rawName}=-XYZ'`
      : `'--${token.name}=-XYZ' or '${token.rawName}-XYZ'`;
    throw invalidValue(`Option '${token.rawName}' argument is ambiguous.\nDid you forget to specify the option argument for '${token.rawName}'?\nTo specify an option argument starting with a dash use ${example}.`);
  }
}

function store(name, value, options, values) {
  if (name === "__proto__") return;
  const newValue = value ?? true;
  if (getOwn(options, name, "multiple")) {
    if (values[name] === undefined) values[name] = [newValue];
    else values[name].push(newValue);
  } else {
    values[name] = newValue;
  }
}

function defaultArgs() {
  const proc = globalThis.process;
  if (!proc || !Array.isArray(proc.argv)) return [];
  const exec = Array.isArray(proc.execArgv) ? proc.execArgv : [];
  const evalMode = exec.some((a) => a === "-e" || a === "-p" || a === "--eval" || a === "--print");
  return proc.argv.slice(evalMode ? 1 : 2);
}

export function parseArgs(config = { __proto__: null }) {
  const args = config.args ?? defaultArgs();
  const strict = config.strict ?? true;
  const allowPositionals = config.allowPositionals ?? !strict;
  const returnTokens = config.tokens ?? false;
  const allowNegative = config.allowNegative ?? false;
  const options = config.options ?? { __proto__: null };
  validateArray(args, "args");
  validateBoolean(strict, "strict");
  validateBoolean(allowPositionals, "allowPositionals");
  validateBoolean(returnTokens, "tokens");
  validateBoolean(allowNegative, "allowNegative");
  validateObject(options, "options");

  for (const name of Object.keys(options)) {
    const conf = options[name];
    validateObject(conf, `options.${name}`);
    const type = conf.type;
    if (type !== "string" && type !== "boolean") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
        `The "options.${name}.type" property must be ('string|boolean').${describe(type)}`);
    }
    if (hasOwn(conf, "short")) {
      const short = conf.short;
      validateString(short, `options.${name}.short`);
      if (short.length !== 1) {
        throw codes.ERR_INVALID_ARG_VALUE(`options.${name}.short`, short, "must be a single character");
      }
    }
    const multiple = hasOwn(conf, "multiple") ? conf.multiple : false;
    if (hasOwn(conf, "multiple")) validateBoolean(multiple, `options.${name}.multiple`);
    if (hasOwn(conf, "default") && conf.default !== undefined) {
      const d = conf.default;
      const ok = multiple
        ? Array.isArray(d) && d.every((x) => typeof x === type)
        : typeof d === type;
      if (!ok) {
        throw codes.ERR_INVALID_ARG_TYPE(`options.${name}.default`, multiple ? `${type}[]` : type, d);
      }
    }
  }

  const tokens = tokenize(args, options);
  const result = { values: { __proto__: null }, positionals: [] };
  if (returnTokens) result.tokens = tokens;

  for (const token of tokens) {
    if (token.kind === "option") {
      if (allowNegative && token.name.startsWith("no-") && token.value === undefined) {
        const positive = token.name.slice(3);
        if (getOwn(options, positive, "type") === "boolean" || (!strict && !hasOwn(options, token.name))) {
          store(positive, false, options, result.values);
          continue;
        }
      }
      if (strict) {
        checkUsage(options, token, allowPositionals);
        checkOptionLikeValue(token);
      }
      store(token.name, token.value, options, result.values);
    } else if (token.kind === "positional") {
      if (!allowPositionals) throw unexpectedPositional(token.value);
      result.positionals.push(token.value);
    }
  }
  for (const name of Object.keys(options)) {
    const d = options[name].default;
    if (d !== undefined && result.values[name] === undefined) {
      result.values[name] = Array.isArray(d) ? d.slice() : d;
    }
  }
  if (returnTokens) {
    // Boolean options carry no value fields, as in Node.
    for (const t of tokens) {
      if (t.kind === "option" && t.value === undefined) {
        delete t.value;
        delete t.inlineValue;
      }
    }
  }
  return result;
}

function describe(v) {
  if (v == null) return ` Received ${v}`;
  if (typeof v === "function") return ` Received function ${v.name || "<anonymous>"}`;
  if (typeof v === "object") return ` Received an instance of ${v.constructor?.name ?? "Object"}`;
  const s = typeof v === "string" ? `'${v}'` : String(v);
  return ` Received type ${typeof v} (${s})`;
}
