// node:internal/util/colors — how many colours a terminal has, by Node's
// rules on the environment (FORCE_COLOR, NO_COLOR, NODE_DISABLE_COLORS, TMUX,
// CI, TEAMCITY_VERSION, TERM_PROGRAM, COLORTERM, TERM), and whether console
// output to a stream is coloured. Shared by node:tty, the stdio streams and
// node:console; it imports nothing heavy, so the console can use it early.

import * as sys from "jsk:sys";
import process from "node:process";

const TERM_EXACT = {
  cons25: 4, console: 4, cygwin: 4, dtterm: 4, gnome: 4, hurd: 4, jfbterm: 4, konsole: 4, kterm: 4, mlterm: 4,
  putty: 4, st: 4, Eterm: 4, eterm: 4, mosh: 24, terminator: 24,
};
const TERM_PATTERNS = [/ansi/, /color/, /linux/, /^con[0-9]*x[0-9]/, /^rxvt/, /^screen/, /^xterm/, /^vt100/];
const CI_VENDORS = ["APPVEYOR", "BUILDKITE", "CIRCLECI", "DRONE", "GITHUB_ACTIONS", "GITLAB_CI", "TRAVIS"];

let warnedForce = false;

/** Colour bits (1, 4, 8 or 24) the terminal described by `env` supports, by Node's rules. */
export function colorDepthOf(env = process.env) {
  if (env.FORCE_COLOR !== undefined) {
    if ((env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined) && !warnedForce) {
      warnedForce = true;
      process.emitWarning?.(`The '${env.NO_COLOR !== undefined ? "NO_COLOR" : "NODE_DISABLE_COLORS"}' env is ignored due to the 'FORCE_COLOR' env being set.`);
    }
    switch (env.FORCE_COLOR) {
      case "": case "1": case "true": return 4;
      case "2": return 8;
      case "3": return 24;
      default: return 1;
    }
  }
  if (env.NODE_DISABLE_COLORS !== undefined || env.NO_COLOR !== undefined || env.TERM === "dumb") return 1;
  if (env.TMUX) return 8;
  if (env.CI) return CI_VENDORS.some((k) => k in env) ? 8 : 1;
  if (env.TEAMCITY_VERSION) return /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/.test(env.TEAMCITY_VERSION) ? 4 : 1;
  switch (env.TERM_PROGRAM) {
    case "iTerm.app":
      return !env.TERM_PROGRAM_VERSION || /^[0-2]\./.test(env.TERM_PROGRAM_VERSION) ? 8 : 24;
    case "Apple_Terminal":
      return 8;
  }
  if (env.COLORTERM === "truecolor" || env.COLORTERM === "24bit") return 24;
  const term = env.TERM;
  if (term) {
    if (term.startsWith("xterm-256")) return 8;
    if (TERM_EXACT[term] !== undefined) return TERM_EXACT[term];
    if (TERM_PATTERNS.some((re) => re.test(term))) return 4;
  }
  if (env.COLORTERM) return 4;
  return 1;
}

const TCGETS = 0x5401;
const ttyCache = [];

/** Whether fd is a terminal (cached for 0, 1 and 2, which do not change). */
export function isTerminalFd(fd) {
  if (fd <= 2 && ttyCache[fd] !== undefined) return ttyCache[fd];
  const r = sys.syscall(sys.nr.ioctl, fd, TCGETS, new Uint8Array(64)) === 0;
  if (fd <= 2) ttyCache[fd] = r;
  return r;
}

/**
 * Whether console output to `stream` is coloured (colorMode "auto"): with
 * FORCE_COLOR set, when the environment gives more than 4 colours, whatever
 * the stream is; otherwise only on a terminal that has them.
 */
export function shouldColorize(stream) {
  if (process.env.FORCE_COLOR !== undefined) return colorDepthOf() > 2;
  if (!stream?.isTTY) return false;
  return typeof stream.getColorDepth === "function" ? stream.getColorDepth() > 2 : true;
}
