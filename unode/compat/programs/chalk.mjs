// chalk 5 (ESM only): colour levels from the environment (FORCE_COLOR), nesting, and an explicit level.
import assert from "node:assert";
process.env.FORCE_COLOR = "3";
const { default: chalk, Chalk, supportsColor, chalkStderr } = await import("chalk");

const show = (s) => JSON.stringify(s);
// stdout is a pipe here: supports-color's answer for it, with FORCE_COLOR set.
console.log("levels", chalk.level, supportsColor && supportsColor.level, chalkStderr.level);
assert.ok(chalk.level >= 1);
console.log(show(chalk.red("red")), show(chalk.bold.underline.green("x")));
const c24 = new Chalk({ level: 3 });
console.log(show(c24.hex("#ff8800")("hex")), show(c24.rgb(1, 2, 3).bgBlue("rgb")), show(c24.blue(`a ${c24.yellow("b")} c`)));
console.log(show(c24.red("multi\nline")), show(c24.dim.italic.strikethrough.inverse("s")));
const c256 = new Chalk({ level: 2 });
console.log(show(c256.hex("#ff8800")("256")), show(c256.bgAnsi256(201)("bg")));
const c16 = new Chalk({ level: 1 });
console.log(show(c16.hex("#ff8800")("16")), show(c16.rgb(0, 255, 0)("g")));
const none = new Chalk({ level: 0 });
assert.strictEqual(none.red.bold("plain"), "plain");
console.log(show(c24.visible("v")), show(new Chalk({ level: 0 }).visible("v")));
console.log("ok chalk");
