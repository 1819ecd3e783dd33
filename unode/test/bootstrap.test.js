import { test, assert } from "jsk:test";
import "node:internal/bootstrap/node";
import { readLazyGlobals } from "./fixtures/lazy_globals.js";

test("lazy globals and process.stdout load when first read from a user's function", () => {
  assert.deepEqual(readLazyGlobals(), { abort: false, clone: 1, target: "function", stdout: "function", stderr: 2 });
});
