// A Node program that drives a jsk driver: an HTTP status page of QEMU's edu
// device, served with node:http, the device reached through drivers/misc/edu.js
// on the qtest backend. Run it with unode (jsk as a drop-in for node):
//
//   unode examples/status-page.js [PORT]        # or: jsk node examples/status-page.js
//   curl http://127.0.0.1:8080/                  # the page; /status.json for the data
//
// The drivers stay removed and QEMU stopped however the program ends.
"use strict";

const http = require("node:http");
const path = require("node:path");
const os = require("node:os");
const { hostAttach, attached, attachedAll } = require("jsk:board");

const port = Number(process.argv[2] ?? 8080);
const repo = path.join(__dirname, "..");

async function status(edu) {
  const n = 10;
  const started = process.hrtime.bigint();
  const factorial = await edu.factorial(n);
  const micros = Number(process.hrtime.bigint() - started) / 1000;
  return {
    host: os.hostname(),
    uptime: process.uptime(),
    drivers: attachedAll().map((a) => `${a.driver} on ${a.device}`),
    edu: {
      version: edu.version,
      liveness: edu.liveness(0x12345678) === (~0x12345678 >>> 0),
      factorial: { n, value: factorial, micros: Math.round(micros) },
    },
  };
}

function page(s) {
  const row = (k, v) => `<tr><th>${k}</th><td>${v}</td></tr>`;
  return `<!doctype html><title>jsk status</title><h1>jsk status: ${s.host}</h1><table>
${row("drivers", s.drivers.join(", "))}
${row("edu version", s.edu.version)}
${row("liveness check", s.edu.liveness ? "ok" : "FAILED")}
${row(`factorial(${s.edu.factorial.n})`, `${s.edu.factorial.value} (${s.edu.factorial.micros} µs, by the device)`)}
${row("uptime", `${s.uptime.toFixed(1)} s`)}
</table>\n`;
}

async function main() {
  await hostAttach({
    board: path.join(repo, "devices/qemu-x86.toml"),
    drivers: [path.join(repo, "drivers/misc/edu.js")],
  });
  const edu = attached("edu");
  const server = http.createServer(async (req, res) => {
    try {
      const s = await status(edu);
      if (req.url === "/status.json") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(s) + "\n");
      } else {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(page(s));
      }
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`edu: ${e.message}\n`);
    }
  });
  server.listen(port, "127.0.0.1", () => {
    console.log(`status page on http://127.0.0.1:${server.address().port}/`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
