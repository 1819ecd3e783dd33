// zod 4: schemas, parsing, transforms, refinements, error reporting.
const assert = require("node:assert");
const { z } = require("zod");

const User = z.object({
  id: z.number().int().positive(),
  email: z.string().email(),
  name: z.string().min(2).max(20).trim(),
  role: z.enum(["admin", "user"]).default("user"),
  tags: z.array(z.string()).max(3).optional(),
  birthday: z.coerce.date(),
  address: z.object({ city: z.string(), zip: z.string().regex(/^\d{5}$/) }).strict(),
}).refine((u) => u.role !== "admin" || u.id < 100, { message: "admins have small ids", path: ["id"] });

const good = User.parse({ id: 7, email: "ada@example.com", name: "  Ada  ", birthday: "1815-12-10", address: { city: "London", zip: "12345" } });
assert.strictEqual(good.name, "Ada");
assert.ok(good.birthday instanceof Date);
console.log(JSON.stringify(good));
const bad = User.safeParse({ id: -1.5, email: "nope", name: "A", role: "root", tags: ["a", "b", "c", "d"], birthday: "x", address: { city: 1, zip: "1", extra: true } });
assert.strictEqual(bad.success, false);
for (const issue of bad.error.issues) console.log(issue.path.join("."), issue.code, issue.message);
console.log(JSON.stringify(z.treeifyError(bad.error).properties.address));
const Shape = z.discriminatedUnion("kind", [z.object({ kind: z.literal("circle"), r: z.number() }), z.object({ kind: z.literal("square"), s: z.number() })]);
const area = Shape.transform((s) => (s.kind === "circle" ? Math.PI * s.r ** 2 : s.s ** 2));
console.log(area.parse({ kind: "square", s: 3 }), area.parse({ kind: "circle", r: 1 }).toFixed(5));
console.log(JSON.stringify(z.toJSONSchema(z.object({ a: z.string(), b: z.number().optional() }))));
const asyncSchema = z.string().refine(async (s) => s.length > 3, "too short");
asyncSchema.safeParseAsync("ab").then((r) => {
  console.log(r.success, r.error.issues[0].message);
  console.log("ok zod");
});
