// semver: parse, compare, ranges, coercion, increments.
const assert = require("node:assert");
const semver = require("semver");

const versions = ["1.2.3", "1.2.3-beta.1", "1.2.3-alpha", "2.0.0", "0.9.12", "1.10.0", "1.2.10", "2.0.0-rc.1+build.5"];
const sorted = semver.sort(versions.slice());
assert.deepStrictEqual(sorted, ["0.9.12", "1.2.3-alpha", "1.2.3-beta.1", "1.2.3", "1.2.10", "1.10.0", "2.0.0-rc.1+build.5", "2.0.0"]);
console.log(sorted.join(" < "));
const ranges = ["^1.2.0", "~1.2.3", ">=1.2.4 <2", "1.x || >=2.0.0-rc.0", "*", "<1.0.0", "1.2.3 - 1.9"];
for (const r of ranges) {
  console.log(`${r} -> ${semver.validRange(r)} max=${semver.maxSatisfying(versions, r)} min=${semver.minSatisfying(versions, r)}`);
}
assert.ok(semver.satisfies("1.2.10", "^1.2.0"));
assert.ok(!semver.satisfies("2.0.0-rc.1", "^1.2.0"));
assert.ok(semver.satisfies("2.0.0-rc.1", ">=2.0.0-rc.0", { includePrerelease: true }));
assert.strictEqual(semver.coerce("v3.4 beta").version, "3.4.0");
assert.strictEqual(semver.inc("1.2.3", "prerelease", "beta"), "1.2.4-beta.0");
assert.strictEqual(semver.inc("1.2.4-beta.0", "prerelease"), "1.2.4-beta.1");
assert.strictEqual(semver.diff("1.2.3", "2.0.0"), "major");
assert.strictEqual(semver.valid("01.2.3"), null);
assert.strictEqual(semver.clean("  =v1.2.3  "), "1.2.3");
const v = semver.parse("2.0.0-rc.1+build.5");
console.log(JSON.stringify({ major: v.major, pre: v.prerelease, build: v.build }));
console.log(semver.intersects("^1.2.0", "~1.5.0"), semver.gtr("3.0.0", "^2"), semver.outside("0.1.0", "^1", "<"));
console.log(semver.subset("~1.2.3", "^1.0.0"), semver.simplifyRange(versions, ">=1.2.3"));
console.log("ok semver");
