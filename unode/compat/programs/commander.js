// requires: node:child_process
// commander: options of every kind, subcommands, variadic arguments, custom parsing, help text and errors.
const assert = require("node:assert");
const { Command, Option, InvalidArgumentError } = require("commander");

function make() {
  const program = new Command("tool").version("1.2.3").description("a test tool").exitOverride().configureOutput({
    writeOut: (s) => out.push(s), writeErr: (s) => out.push(`ERR ${s}`),
  });
  program.option("-d, --debug", "debug output").option("-p, --port <n>", "port", (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError("not an integer");
    return n;
  }, 8080).addOption(new Option("-m, --mode <m>", "mode").choices(["dev", "prod"]).default("dev")).option("--no-color", "no colours")
    .option("-t, --tag <t...>", "tags");
  program.command("copy <src> [dest...]").description("copy files").option("-f, --force", "overwrite").action((src, dest, opts) => {
    out.push(`copy ${src} -> ${dest.join(",")} force=${!!opts.force}`);
  });
  return program;
}
let out = [];
const p = make();
p.parse(["-d", "-p", "3000", "--mode", "prod", "-t", "a", "b", "--no-color", "copy", "x.txt", "y", "z", "-f"], { from: "user" });
assert.deepStrictEqual(p.opts(), { debug: true, port: 3000, mode: "prod", color: false, tag: ["a", "b"] });
console.log(JSON.stringify(p.opts()), out.join(""));
for (const argv of [["-p", "x"], ["--mode", "test"], ["--nope"], ["--version"], ["--help"], ["copy"]]) {
  out = [];
  try {
    make().parse(argv, { from: "user" });
  } catch (e) {
    console.log(argv.join(" "), "->", e.code, e.exitCode);
  }
  console.log(out.join("").trimEnd());
}
console.log("ok commander");
