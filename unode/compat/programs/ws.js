// requires: node:http node:https node:net node:tls node:crypto node:zlib node:url
// ws: a WebSocket server and a client talking over 127.0.0.1 — text, binary, JSON echo,
// permessage-deflate (the first client; the second one declines it), ping/pong, broadcast to two
// clients, and a clean close with code and reason.
const assert = require("node:assert");
const { WebSocketServer, WebSocket } = require("ws");

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: { threshold: 0 } });
const seen = [];
wss.on("connection", (socket, req) => {
  seen.push(`server: connection ${req.url} ${req.headers["sec-websocket-protocol"] ?? "-"} extensions: ${socket.extensions || "none"}`);
  socket.on("message", (data, isBinary) => {
    if (isBinary) {
      socket.send(Buffer.from(data).reverse(), { binary: true });
    } else {
      const text = data.toString();
      if (text === "broadcast") {
        for (const c of wss.clients) c.send("to everyone");
      } else {
        socket.send(JSON.stringify({ echo: text, length: text.length }));
      }
    }
  });
  socket.on("close", (code, reason) => seen.push(`server: close ${code} ${reason}`));
});

wss.on("listening", () => {
  const { port } = wss.address();
  const client = new WebSocket(`ws://127.0.0.1:${port}/chat?room=1`, "proto-a");
  const replies = [];
  client.on("open", () => {
    assert.strictEqual(client.protocol, "proto-a");
    assert.match(client.extensions, /permessage-deflate/);
    client.send("hello");
    client.send("x".repeat(100000));
    client.send(Buffer.from([1, 2, 3, 4]));
    client.ping("are you there");
  });
  client.on("pong", (data) => replies.push(`pong ${data}`));
  client.on("message", (data, isBinary) => {
    replies.push(isBinary ? `binary ${Array.from(data).join(",")}` : `text ${data.toString().slice(0, 60)}`);
    if (replies.filter((r) => !r.startsWith("pong")).length === 3) {
      const second = new WebSocket(`ws://127.0.0.1:${port}/second`, { perMessageDeflate: false });
      second.on("open", () => {
        assert.strictEqual(second.extensions, "");
        client.send("broadcast");
      });
      second.on("message", (d) => {
        replies.push(`second got ${d}`);
        second.close();
      });
    }
    if (String(data) === "to everyone") client.close(4001, "done here");
  });
  client.on("close", (code, reason) => {
    replies.push(`client: close ${code} ${reason}`);
    setTimeout(() => wss.close(() => {
      for (const r of replies.sort()) console.log(r);
      for (const s of seen.sort()) console.log(s);
      console.log("ok ws");
    }), 50);
  });
});
