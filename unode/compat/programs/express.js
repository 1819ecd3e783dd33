// requires: node:http node:child_process node:zlib node:async_hooks node:diagnostics_channel
// express: routes, params, query, JSON bodies, middleware, static-like responses, errors and 404s,
// served on 127.0.0.1 and fetched by curl (a client that is not unode).
const assert = require("node:assert");
const { execFile } = require("node:child_process");
const express = require("express");

const app = express();
const log = [];
app.use((req, res, next) => { log.push(`${req.method} ${req.path}`); res.set("X-Powered-By-Test", "unode"); next(); });
app.use(express.json());
app.get("/", (req, res) => res.send("<h1>hello</h1>"));
app.get("/users/:id", (req, res, next) => (/^\d+$/.test(req.params.id) ? res.json({ id: Number(req.params.id), q: req.query }) : next()));
app.post("/echo", (req, res) => res.status(201).json({ got: req.body, type: req.get("content-type") }));
app.get("/redirect", (req, res) => res.redirect(302, "/"));
app.get("/boom", () => { throw new Error("kaboom"); });
const router = express.Router();
router.get("/ping", (req, res) => res.type("text/plain").send("pong"));
app.use("/api", router);
app.use((err, req, res, next) => res.status(500).json({ error: err.message }));

const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const curl = (...args) => new Promise((resolve, reject) => {
    execFile("curl", ["-s", "-S", "-w", "\\n%{http_code} %{content_type}", ...args], (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  try {
    console.log(await curl(`${base}/`));
    console.log(await curl(`${base}/users/42?sort=asc&tags=a&tags=b`));
    console.log(await curl("-X", "POST", "-H", "Content-Type: application/json", "--data", '{"name":"Ada","n":[1,2]}', `${base}/echo`));
    console.log(await curl(`${base}/api/ping`));
    console.log(await curl(`${base}/users/abc`).then((s) => s.split("\n").pop()));
    console.log(await curl(`${base}/boom`));
    console.log(await curl("-o", "/dev/null", "-D", "-", `${base}/redirect`).then((s) => s.split("\r\n").filter((l) => /^(HTTP|Location|X-Powered)/i.test(l)).join(" | ")));
    assert.strictEqual(log.length, 7);
    console.log(log.join(", "));
  } finally {
    server.close(() => console.log("ok express"));
  }
});
