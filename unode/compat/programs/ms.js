// ms: durations both ways.
const assert = require("node:assert");
const ms = require("ms");
const inputs = ["2 days", "1d", "10h", "2.5 hrs", "2h", "1m", "5s", "1y", "100", "-3 days", "-200", "1.5w", "1 millisecond", "nope"];
for (const s of inputs) console.log(JSON.stringify(s), ms(s));
for (const n of [60000, 2 * 60000, -3 * 60000, ms("10 hours"), 1500, 86400000 * 3]) console.log(n, ms(n), ms(n, { long: true }));
assert.throws(() => ms({}), /val is not a non-empty string or a valid number/);
console.log("ok ms");
