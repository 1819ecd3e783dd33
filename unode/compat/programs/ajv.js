// ajv: JSON Schema validators compiled to JavaScript (new Function), formats of errors, $ref, defaults, coercion.
const assert = require("node:assert");
const Ajv = require("ajv");

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true });
ajv.addSchema({ $id: "https://example.com/point", type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"] });
const validate = ajv.compile({
  type: "object",
  properties: {
    name: { type: "string", minLength: 2, pattern: "^[A-Z]" },
    age: { type: "integer", minimum: 0, maximum: 150 },
    kind: { enum: ["a", "b"], default: "a" },
    tags: { type: "array", items: { type: "string" }, uniqueItems: true, maxItems: 3 },
    at: { $ref: "https://example.com/point" },
    extra: { oneOf: [{ type: "string" }, { type: "null" }] },
  },
  required: ["name", "age"],
  additionalProperties: false,
});
const data = { name: "Ada", age: "36", at: { x: 1, y: "2" } };
assert.strictEqual(validate(data), true);
console.log(JSON.stringify(data));
const bad = { name: "x", age: -1, tags: ["a", "a", "b", "c"], at: { x: 1 }, other: true };
assert.strictEqual(validate(bad), false);
for (const e of validate.errors) console.log(e.instancePath || "/", e.keyword, e.message);
console.log(ajv.errorsText(validate.errors, { separator: " | " }).length > 0, typeof validate.source === "undefined");
const cond = ajv.compile({ if: { properties: { t: { const: "n" } } }, then: { properties: { v: { type: "number" } } }, else: { properties: { v: { type: "string" } } } });
console.log(cond({ t: "n", v: 1 }), cond({ t: "s", v: 1 }), cond({ t: "s", v: "1" }));
const asyncAjv = new Ajv();
asyncAjv.addKeyword({ keyword: "idExists", async: true, type: "number", validate: async (schema, id) => id < 10 });
const av = asyncAjv.compile({ $async: true, properties: { id: { type: "number", idExists: true } } });
av({ id: 3 }).then((r) => {
  console.log("async ok", JSON.stringify(r));
  return av({ id: 30 });
}).catch((e) => {
  console.log(e instanceof Ajv.ValidationError, e.errors[0].keyword);
  console.log("ok ajv");
});
