// debug: namespaces enabled by DEBUG, printed to stderr (not a TTY: no colours, ISO timestamps).
const assert = require("node:assert");
process.env.DEBUG = "app:*,-app:secret";
process.env.DEBUG_COLORS = "no";
const lines = [];
const write = process.stderr.write;
process.stderr.write = function (chunk, ...rest) {
  lines.push(String(chunk));
  return true;
};
const debug = require("debug");
const http = debug("app:http");
const db = debug("app:db");
const secret = debug("app:secret");
const other = debug("other");
http("listening on %d (%s)", 8080, "tcp");
db("query %o took %dms", { table: "users", id: 7 }, 12);
secret("hidden");
other("also hidden");
const sub = http.extend("req");
sub("GET %s", "/index.html");
assert.strictEqual(http.enabled, true);
assert.strictEqual(secret.enabled, false);
assert.strictEqual(other.enabled, false);
assert.strictEqual(debug.enabled("app:x"), true);
debug.disable();
http("after disable");
debug.enable("other");
other("now shown %j", [1, "two"]);
process.stderr.write = write;
assert.strictEqual(lines.length, 4);
for (const l of lines) {
  // 2024-01-01T00:00:00.000Z app:http listening on 8080 (tcp)
  assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ /);
  console.log(l.replace(/^\S+ /, "").trimEnd());
}
console.log(require("ms")(1500), debug.humanize(86400000));
console.log("ok debug");
