import { test, assert } from "jsk:test";
import "node:internal/bootstrap/node";
import { readLazyGlobals } from "./fixtures/lazy_globals.js";

test("lazy globals and process.stdout load when first read from a user's function", () => {
  assert.deepEqual(readLazyGlobals(), { abort: false, clone: 1, target: "function", stdout: "function", stderr: 2 });
});

test("Error.prepareStackTrace gets CallSites with V8's whole API (depd, used by express, calls isEval/getThis/getTypeName)", () => {
  const saved = Error.prepareStackTrace;
  let sites;
  try {
    Error.prepareStackTrace = (_, s) => s;
    const holder = {};
    (function outerFn() { Error.captureStackTrace(holder); })();
    sites = holder.stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  const site = sites[0];
  assert.equal(site.getFunctionName(), "outerFn");
  assert.equal(site.isEval(), false);
  assert.equal(site.getEvalOrigin(), undefined);
  assert.equal(site.getThis(), undefined);
  assert.equal(site.getTypeName(), null);
  assert.equal(site.isAsync(), false);
  assert.equal(site.getScriptNameOrSourceURL(), site.getFileName());
  assert.match(String(site), /^outerFn \(.*bootstrap\.test\.js:\d+:\d+\)$/);
});
