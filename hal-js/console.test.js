import { test, assert } from "jsk:test";
import { inspect, format } from "jsk:console";

test("inspect shows primitives as Node does", () => {
  assert.equal(inspect("a'b"), "'a\\'b'");
  assert.equal(inspect(12n), "12n");
  assert.equal(inspect(-0), "-0");
  assert.equal(inspect(undefined), "undefined");
  assert.equal(inspect(Symbol("irq")), "Symbol(irq)");
});

test("inspect shows containers, typed arrays and buffers", () => {
  assert.equal(inspect([1, [2, [3, [4, [5]]]]]), "[ 1, [ 2, [ 3, [Array] ] ] ]");
  assert.equal(inspect(new Uint16Array([1, 2])), "Uint16Array(2) [ 1, 2 ]");
  assert.equal(inspect(new ArrayBuffer(8)), "ArrayBuffer { byteLength: 8 }");
  assert.equal(inspect(new Set(["a"])), "Set(1) { 'a' }");
  assert.equal(inspect({ "not-an-id": 1, ok: true }), "{ 'not-an-id': 1, ok: true }");
  class Ring { constructor() { this.head = 0; } }
  assert.equal(inspect(new Ring()), "Ring { head: 0 }");
  assert.equal(inspect(function probe() {}), "[Function: probe]");
});

test("inspect marks cycles and breaks long values over lines", () => {
  const a = { name: "a" };
  a.self = a;
  assert.equal(inspect(a), "{ name: 'a', self: [Circular] }");
  const long = inspect({ registers: ["CTRL", "STATUS", "EECD", "EERD", "ICR", "IMS", "IMC", "RCTL", "TCTL", "RDBAL"] });
  assert.ok(long.includes("\n"), long);
});

test("format fills %s %d %j and appends the rest", () => {
  assert.equal(format("%s reg %d = %j", "edu", 4, { v: 1 }, "extra"), "edu reg 4 = {\"v\":1} extra");
  assert.equal(format("100%%"), "100%");
  assert.equal(format(1, "a", { b: 2 }), "1 a { b: 2 }");
});
