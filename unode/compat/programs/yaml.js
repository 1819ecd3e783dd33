// yaml and js-yaml: parse and dump documents, anchors, multi-documents, errors.
const assert = require("node:assert");
const YAML = require("yaml");
const jsyaml = require("js-yaml");

const src = `# config
server:
  host: localhost
  ports: [80, 443]
  tls: &tls { enabled: true, cert: /etc/x.pem }
backup:
  tls: *tls
  when: 2024-01-02
text: |
  line one
  line two
folded: >
  a
  b
nothing: ~
num: 0x1F
`;
const a = YAML.parse(src);
const b = jsyaml.load(src);
console.log(JSON.stringify(a));
console.log(JSON.stringify(b));
assert.deepStrictEqual(a.backup.tls, { enabled: true, cert: "/etc/x.pem" });
assert.strictEqual(b.num, 31);
const doc = YAML.parseDocument(src);
doc.setIn(["server", "host"], "example.org");
console.log(String(doc));
console.log(YAML.stringify({ list: [1, "two", { three: [3] }], s: "multi\nline", q: "yes", empty: [] }));
console.log(jsyaml.dump({ list: [1, "two", { three: [3] }], s: "multi\nline", q: "yes", date: new Date(Date.UTC(2020, 1, 3)) }, { sortKeys: true }));
console.log(JSON.stringify(jsyaml.loadAll("---\na: 1\n---\n- x\n- y\n")), JSON.stringify(YAML.parseAllDocuments("a: 1\n---\nb: 2").map((d) => d.toJS())));
try { jsyaml.load("a: [1, 2\nb: c"); } catch (e) { console.log(e.name, e.reason, e.mark.line); }
const bad = YAML.parseDocument("a: 1\na: 2");
console.log(bad.errors.map((e) => e.code).join());
console.log("ok yaml");
