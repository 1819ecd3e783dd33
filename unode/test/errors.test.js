import { test, assert } from "jsk:test";
import { codes, systemError } from "node:internal/errors";
import { validateString, validateInteger } from "node:internal/validators";

test("argument errors carry Node's code, class and message", () => {
  const e = codes.ERR_INVALID_ARG_TYPE("path", "string", 5);
  assert.ok(e instanceof TypeError);
  assert.equal(e.code, "ERR_INVALID_ARG_TYPE");
  assert.equal(e.message, 'The "path" argument must be of type string. Received type number (5)');
  assert.ok(e.stack.startsWith("TypeError [ERR_INVALID_ARG_TYPE]: The \"path\""), e.stack);
  assert.equal(codes.ERR_INVALID_ARG_TYPE("cb", "Function", undefined).message,
    'The "cb" argument must be of type function. Received undefined');
  assert.equal(codes.ERR_INVALID_ARG_TYPE("buf", ["Buffer", "Uint8Array"], {}).message,
    'The "buf" argument must be an instance of Buffer or Uint8Array. Received an instance of Object');
  assert.equal(codes.ERR_OUT_OF_RANGE("offset", ">= 0 && <= 8", 12000).message,
    'The value of "offset" is out of range. It must be >= 0 && <= 8. Received 12_000');
});

test("validators throw what Node throws", () => {
  assert.throws(() => validateString(1, "name"), /must be of type string/);
  assert.throws(() => validateInteger(1.5, "n"), /It must be an integer/);
  validateInteger(3, "n");
});

test("system errors read as Node's", () => {
  const e = systemError(-2, "open", "/nope");
  assert.equal(e.message, "ENOENT: no such file or directory, open '/nope'");
  assert.equal(e.errno, -2);
  assert.equal(e.code, "ENOENT");
  assert.equal(e.syscall, "open");
  assert.equal(e.path, "/nope");
});
