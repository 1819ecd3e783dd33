// minimatch: glob patterns (braces, extglobs, globstars, classes, negation, dot files).
const { minimatch, Minimatch, braceExpand, escape, filter, match } = require("minimatch");
const files = ["a.js", "b.ts", "src/x.js", "src/deep/y.js", ".hidden.js", "src/.cfg", "README.md", "lib/a.min.js", "test/a.test.js", "x/y/z.JSON"];
const patterns = ["*.js", "**/*.js", "src/**", "**/*.{js,ts}", "!(*.md)", "**/*.+(min|test).js", "?.[jt]s", "**/*.json", "**/.*", "[!a-c]*"];
for (const p of patterns) console.log(p.padEnd(22), files.filter((f) => minimatch(f, p)).join(" "));
console.log(files.filter((f) => minimatch(f, "**/*.json", { nocase: true })).join(" "), files.filter((f) => minimatch(f, "**/*.js", { dot: true })).length);
console.log(files.filter((f) => minimatch(f, "*.js", { matchBase: true })).join(" "));
const m = new Minimatch("src/{a,b}/**/*.{c,h}");
console.log(JSON.stringify(m.set.map((s) => s.length)), match(files, "src/*.js").join(), files.filter(filter("*.md")).join(), braceExpand("{x,y}{1..3}").join(","));
console.log(escape("a*b?[c]"), minimatch("a*b", escape("a*b")), minimatch("abc", "a\\*c"));
console.log("ok minimatch");
