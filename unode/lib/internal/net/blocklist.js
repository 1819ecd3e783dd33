// node:internal/net/blocklist — net.BlockList and net.SocketAddress.
//
// Addresses are compared as BigInts (32 bits for IPv4, 128 for IPv6). An IPv4
// rule also matches the IPv4-mapped IPv6 form (::ffff:a.b.c.d) and the other
// way round, as in Node.

import { codes } from "node:internal/errors";
import { validateString, validateObject, validateInt32, validateUint32 } from "node:internal/validators";
import { parseIPv4, parseIPv6, isIPv4, isIPv6, validatePort } from "node:internal/net/util";

const { ERR_INVALID_ARG_VALUE } = codes;

function toBig(bytes) {
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

const MAPPED_PREFIX = 0xffffn << 32n;

function validateFamily(family, name = "family") {
  validateString(family, name);
  const f = family.toLowerCase();
  if (f !== "ipv4" && f !== "ipv6") throw ERR_INVALID_ARG_VALUE(name, family, "must be one of: 'ipv4', 'ipv6'");
  return f;
}

/** { family, value } of an address text or SocketAddress, or throws Node's error. */
function addressValue(address, family, name) {
  if (address instanceof SocketAddress) return { family: address.family, value: address[kValue] };
  validateString(address, name);
  const f = validateFamily(family);
  const bytes = f === "ipv4" ? parseIPv4(address) : parseIPv6(address);
  if (!bytes) throw ERR_INVALID_ARG_VALUE(name, address, "is invalid");
  return { family: f, value: toBig(bytes) };
}

function toText(family, value) {
  if (family === "ipv4") {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  }
  const bytes = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) { bytes[i] = Number(value & 255n); value >>= 8n; }
  const g = [];
  for (let i = 0; i < 8; i++) g.push(((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
  return compress(g);
}

function compress(g) {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === "0") j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return g.join(":");
  return `${g.slice(0, best).join(":")}::${g.slice(best + bestLen).join(":")}`;
}

const kRules = Symbol("kRules");

export class BlockList {
  constructor() {
    this[kRules] = [];
  }

  static isBlockList(value) { return value instanceof BlockList; }

  addAddress(address, family = "ipv4") {
    const a = addressValue(address, family, "address");
    this[kRules].unshift({ type: "address", family: a.family, lo: a.value, hi: a.value });
  }

  addRange(start, end, family = "ipv4") {
    const s = addressValue(start, family, "start");
    const e = addressValue(end, family, "end");
    if (s.family !== e.family || s.value > e.value) throw ERR_INVALID_ARG_VALUE("start", start, "must come before end");
    this[kRules].unshift({ type: "range", family: s.family, lo: s.value, hi: e.value });
  }

  addSubnet(network, prefix, family = "ipv4") {
    let n;
    if (network instanceof SocketAddress) n = { family: network.family, value: network[kValue] };
    else n = addressValue(network, family, "network");
    const bits = n.family === "ipv4" ? 32 : 128;
    validateInt32(prefix, "prefix", 0, bits);
    const hostBits = BigInt(bits - prefix);
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << hostBits) - 1n);
    const lo = n.value & mask;
    this[kRules].unshift({ type: "subnet", family: n.family, lo, hi: lo | ((1n << hostBits) - 1n), prefix, net: n.value });
  }

  check(address, family = "ipv4") {
    let a;
    if (address instanceof SocketAddress) a = { family: address.family, value: address[kValue] };
    else {
      validateString(address, "address");
      const f = validateFamily(family);
      const bytes = f === "ipv4" ? parseIPv4(address) : parseIPv6(address);
      if (!bytes) return false;
      a = { family: f, value: toBig(bytes) };
    }
    // The other form of the same address: a.b.c.d <-> ::ffff:a.b.c.d.
    let alt = null;
    if (a.family === "ipv4") alt = { family: "ipv6", value: MAPPED_PREFIX | a.value };
    else if ((a.value >> 32n) === 0xffffn) alt = { family: "ipv4", value: a.value & 0xffffffffn };
    for (const r of this[kRules]) {
      if (r.family === a.family && a.value >= r.lo && a.value <= r.hi) return true;
      if (alt && r.family === alt.family && alt.value >= r.lo && alt.value <= r.hi) return true;
    }
    return false;
  }

  get rules() {
    return this[kRules].map((r) => {
      const fam = r.family === "ipv4" ? "IPv4" : "IPv6";
      if (r.type === "address") return `Address: ${fam} ${toText(r.family, r.lo)}`;
      if (r.type === "range") return `Range: ${fam} ${toText(r.family, r.lo)}-${toText(r.family, r.hi)}`;
      return `Subnet: ${fam} ${toText(r.family, r.net)}/${r.prefix}`;
    });
  }
}

const kValue = Symbol("kValue");
const kData = Symbol("kData");

export class SocketAddress {
  static isSocketAddress(value) { return value instanceof SocketAddress; }

  constructor(options = {}) {
    validateObject(options, "options");
    let { family = "ipv4" } = options;
    const { address = family === "ipv6" ? "::" : "127.0.0.1", port = 0, flowlabel = 0 } = options;
    family = validateFamily(family, "options.family");
    validateString(address, "options.address");
    validateUint32(flowlabel, "options.flowlabel");
    const p = validatePort(port, "Port");
    const bytes = family === "ipv4" ? parseIPv4(address) : parseIPv6(address);
    if (!bytes) throw ERR_INVALID_ARG_VALUE("options.address", address, "is invalid");
    this[kValue] = toBig(bytes);
    this[kData] = { address: toText(family, this[kValue]), port: p, family, flowlabel };
  }

  get address() { return this[kData].address; }
  get port() { return this[kData].port; }
  get family() { return this[kData].family; }
  get flowlabel() { return this[kData].flowlabel; }

  toJSON() { return { ...this[kData] }; }

  /** "1.2.3.4:80" or "[::1]:80" into a SocketAddress, or undefined. */
  static parse(input) {
    validateString(input, "input");
    let m = /^\[([^\]]+)\](?::(\d+))?$/.exec(input);
    if (m && isIPv6(m[1])) return new SocketAddress({ address: m[1], port: +(m[2] ?? 0), family: "ipv6" });
    m = /^([^:]+)(?::(\d+))?$/.exec(input);
    if (m && isIPv4(m[1])) return new SocketAddress({ address: m[1], port: +(m[2] ?? 0), family: "ipv4" });
    if (isIPv6(input)) return new SocketAddress({ address: input, family: "ipv6" });
    return undefined;
  }
}
