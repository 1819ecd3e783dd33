import { test, assert } from "jsk:test";
import tty, { isatty, WriteStream, ReadStream } from "node:tty";
import * as sys from "jsk:sys";

// Expected values checked against Node 20's tty.WriteStream.prototype.getColorDepth(env).
const DEPTHS = [
  [{}, 1], [{ TERM: "dumb" }, 1], [{ TERM: "xterm" }, 4], [{ TERM: "xterm-256color" }, 8], [{ TERM: "screen-256color" }, 4],
  [{ TERM: "linux" }, 4], [{ TERM: "alacritty" }, 1], [{ TERM: "mosh" }, 24], [{ TERM: "terminator" }, 24],
  [{ TERM: "konsole" }, 4], [{ TERM: "konsole-256" }, 1], [{ TERM: "con1x2" }, 4], [{ TERM: "vt220" }, 1],
  [{ COLORTERM: "truecolor" }, 24], [{ COLORTERM: "24bit" }, 24], [{ COLORTERM: "x" }, 4], [{ COLORTERM: "" }, 1],
  [{ TERM: "xterm-256color", COLORTERM: "truecolor" }, 24], [{ TERM: "dumb", COLORTERM: "truecolor" }, 1],
  [{ FORCE_COLOR: "0" }, 1], [{ FORCE_COLOR: "" }, 4], [{ FORCE_COLOR: "1" }, 4], [{ FORCE_COLOR: "true" }, 4],
  [{ FORCE_COLOR: "2" }, 8], [{ FORCE_COLOR: "3" }, 24], [{ FORCE_COLOR: "7" }, 1],
  [{ NO_COLOR: "" }, 1], [{ NODE_DISABLE_COLORS: "1", TERM: "xterm" }, 1], [{ TMUX: "1" }, 8], [{ TMUX: "1", NO_COLOR: "1" }, 1],
  [{ CI: "1" }, 1], [{ CI: "1", GITHUB_ACTIONS: "1" }, 8], [{ CI: "1", TERM: "xterm-256color" }, 1], [{ CI: "", TRAVIS: "1" }, 1],
  [{ TEAMCITY_VERSION: "9.1" }, 1], [{ TEAMCITY_VERSION: "9.1.2" }, 4], [{ TEAMCITY_VERSION: "10.0" }, 4],
  [{ TERM_PROGRAM: "iTerm.app" }, 8], [{ TERM_PROGRAM: "iTerm.app", TERM_PROGRAM_VERSION: "3.0" }, 24],
  [{ TERM_PROGRAM: "Apple_Terminal", COLORTERM: "truecolor" }, 8],
];

test("getColorDepth and hasColors follow Node's environment rules", () => {
  const depth = WriteStream.prototype.getColorDepth;
  for (const [env, bits] of DEPTHS) assert.equal(depth.call({}, env), bits, JSON.stringify(env));
  const has = WriteStream.prototype.hasColors;
  assert.equal(has.call({}, 256, { TERM: "xterm-256color" }), true);
  assert.equal(has.call({}, 257, { TERM: "xterm-256color" }), false);
  assert.equal(has.call({}, { TERM: "xterm" }), true);
  assert.equal(has.call({}, { TERM: "dumb" }), false);
  assert.throws(() => has.call({}, 0, {}), { code: "ERR_INVALID_ARG_TYPE" });
});

test("isatty: false for files, bad and closed fds", () => {
  const fd = sys.open("/etc/passwd", sys.O_RDONLY);
  try {
    assert.equal(isatty(fd), false);
  } finally {
    sys.close(fd);
  }
  assert.equal(isatty(fd), false);
  assert.equal(isatty(-1), false);
  assert.equal(isatty(1.5), false);
  assert.equal(isatty("1"), false);
  assert.deepEqual(Object.keys(tty), ["isatty", "ReadStream", "WriteStream"]);
});

test("the streams refuse fds that are not terminals, as libuv does", () => {
  const fd = sys.open("/etc/passwd", sys.O_RDONLY);
  try {
    assert.throws(() => new WriteStream(fd), { name: "SystemError", code: "ERR_TTY_INIT_FAILED", message: "TTY initialization failed: uv_tty_init returned EINVAL (invalid argument)" });
    assert.throws(() => new ReadStream(fd), { code: "ERR_TTY_INIT_FAILED" });
  } finally {
    sys.close(fd);
  }
  assert.throws(() => new WriteStream(-1), { name: "RangeError", code: "ERR_INVALID_FD", message: '"fd" must be a positive integer: -1' });
});

test("a WriteStream on a pseudo-terminal writes through and controls the cursor", () => {
  const master = sys.open("/dev/ptmx", sys.O_RDWR | sys.O_NOCTTY);
  try {
    // unlockpt, then the peer's number (TIOCSPTLCK, TIOCGPTN)
    sys.syscall(sys.nr.ioctl, master, 0x40045431, new Int32Array([0]));
    const n = new Int32Array(1);
    sys.syscall(sys.nr.ioctl, master, 0x80045430, n);
    const slave = sys.open(`/dev/pts/${n[0]}`, sys.O_RDWR | sys.O_NOCTTY);
    try {
      assert.equal(isatty(slave), true);
      const ws = new WriteStream(slave);
      assert.equal(ws.isTTY, true);
      assert.equal(ws.fd, slave);
      assert.deepEqual(ws.getWindowSize(), [ws.columns, ws.rows]);
      ws.write("hi");
      ws.cursorTo(2, 1);
      ws.moveCursor(-1, 2);
      ws.clearLine(0);
      const buf = new Uint8Array(64);
      let got = 0;
      while (got < 20) got += sys.read(master, buf.subarray(got));
      // the terminal's output side turns nothing here (no newlines)
      assert.equal(new TextDecoder().decode(buf.subarray(0, got)), "hi\x1b[2;3H\x1b[1D\x1b[2B\x1b[2K");
      const rs = new ReadStream(slave);
      assert.equal(rs.isRaw, false);
      assert.equal(rs.setRawMode(true), rs);
      assert.equal(rs.isRaw, true);
      rs.setRawMode(false);
      assert.equal(rs.isRaw, false);
    } finally {
      sys.close(slave);
    }
  } finally {
    sys.close(master);
  }
});
