// A hello-world HTTP server for wrk, the same file under node and `jsk node`:
//   node unode/bench/http-hello.js 8080 &   wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//   jsk node unode/bench/http-hello.js 8081 & wrk -t1 -c50 -d5s http://127.0.0.1:8081/
// It exits by itself after DURATION seconds (argv[3], default 30).
"use strict";
const http = require("http");
const port = Number(process.argv[2] || 8080);
const seconds = Number(process.argv[3] || 30);
const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("hello world\n");
});
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
setTimeout(() => {
  server.close();
  server.closeAllConnections();
}, seconds * 1000).unref();
setTimeout(() => process.exit(0), seconds * 1000 + 500);
