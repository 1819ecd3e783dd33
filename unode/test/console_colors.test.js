import { test, assert } from "jsk:test";
import { Console } from "node:console";
import process from "node:process";

function logged(isTTY, depth) {
  const out = [];
  const stream = { isTTY, getColorDepth: () => depth, write(x) { out.push(x); return true; } };
  new Console(stream).log(1);
  return out[0];
}

// Checked against Node 20: FORCE_COLOR colours any stream (unless it asks for
// 2 colours); without it only a terminal with more than 4 colours is coloured.
test("console colours by FORCE_COLOR and the stream's colour depth", () => {
  const saved = process.env.FORCE_COLOR;
  const yellow = "\x1b[33m1\x1b[39m\n";
  try {
    delete process.env.FORCE_COLOR;
    assert.equal(logged(true, 8), yellow);
    assert.equal(logged(true, 1), "1\n");
    assert.equal(logged(false, 24), "1\n");
    process.env.FORCE_COLOR = "0";
    assert.equal(logged(true, 8), "1\n");
    process.env.FORCE_COLOR = "1";
    assert.equal(logged(false, 24), yellow);
    assert.equal(logged(true, 1), yellow);
    process.env.FORCE_COLOR = "3";
    assert.equal(logged(false, 1), yellow);
  } finally {
    if (saved === undefined) delete process.env.FORCE_COLOR; else process.env.FORCE_COLOR = saved;
  }
});
