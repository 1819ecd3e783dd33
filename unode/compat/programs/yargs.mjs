// requires: node:url global:Intl
// yargs 18 (ESM): commands, options with types/defaults/choices, coercion, validation errors, help text.
import assert from "node:assert";
import yargs from "yargs";

const make = (argv) => yargs(argv)
  .scriptName("tool")
  .usage("$0 <cmd> [args]")
  .command("serve [port]", "start the server", (y) => y.positional("port", { type: "number", default: 8080, describe: "port to bind" }))
  .command("greet <name..>", "say hello", (y) => y.positional("name", { type: "string" }))
  .option("verbose", { alias: "v", type: "count", describe: "more output" })
  .option("mode", { choices: ["dev", "prod"], default: "dev" })
  .option("tag", { type: "array", string: true })
  .option("size", { type: "number", coerce: (n) => n * 2 })
  .strict()
  .exitProcess(false)
  .wrap(80);

const a = await make(["serve", "3000", "-vv", "--mode", "prod", "--tag", "x", "y", "--size", "21"]).parseAsync();
assert.strictEqual(a.port, 3000);
console.log(JSON.stringify({ cmd: a._, port: a.port, verbose: a.verbose, mode: a.mode, tag: a.tag, size: a.size }));
const g = await make(["greet", "Ada", "Bob"]).parseAsync();
console.log(JSON.stringify({ cmd: g._, name: g.name, mode: g.mode }));
let failure;
await make(["serve", "--mode", "test"]).fail((msg) => { failure = msg; }).parseAsync();
console.log("fail:", failure);
const help = await make([]).getHelp();
console.log(help);
console.log("ok yargs");
