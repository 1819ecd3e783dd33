// minimist: parse a real argv (process.argv.slice(2) of a spawned-looking command line).
const assert = require("node:assert");
const minimist = require("minimist");

const argv = ["-x", "3", "-y", "4", "-n5", "-pqr", "--beep=boop", "--no-color", "--name", "deep", "--tag", "a", "--tag", "b",
  "--a.b.c", "1", "foo", "bar", "--", "--not-a-flag", "baz"];
const parsed = minimist(argv, { string: ["name"], boolean: ["verbose"], alias: { v: "verbose", t: "tag" }, default: { verbose: false }, "--": true });
assert.deepStrictEqual(parsed.tag, ["a", "b"]);
assert.deepStrictEqual(parsed.t, ["a", "b"]);
assert.strictEqual(parsed.x, 3);
assert.strictEqual(parsed.n, 5);
assert.strictEqual(parsed.color, false);
assert.strictEqual(parsed.a.b.c, 1);
assert.deepStrictEqual(parsed._, ["foo", "bar"]);
assert.deepStrictEqual(parsed["--"], ["--not-a-flag", "baz"]);
console.log(JSON.stringify(parsed));

const stop = minimist(["--a", "run", "--b", "c"], { stopEarly: true, unknown: (arg) => arg !== "--b" });
console.log(JSON.stringify(stop));
console.log(JSON.stringify(minimist(["-vvv", "--no-x", "-n", "-7.5", "--s=", "--b", "false"], { boolean: ["b"] })));
console.log("ok minimist");
