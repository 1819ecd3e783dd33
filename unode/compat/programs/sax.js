// sax: a streaming XML parser fed through a stream in small chunks.
const assert = require("node:assert");
const sax = require("sax");
const { Readable } = require("node:stream");

const xml = '<?xml version="1.0"?>\n<!DOCTYPE catalog>\n<catalog xmlns:x="urn:x">' +
  '<book id="b1" x:lang="en"><title>Node &amp; You</title><price cur="EUR">12.50</price></book>' +
  '<!-- second --><book id="b2"><title><![CDATA[<raw>]]></title><empty/></book></catalog>';
const events = [];
const stream = sax.createStream(true, { xmlns: true, trim: true });
stream.on("opentag", (n) => events.push(`open ${n.name} ${JSON.stringify(Object.fromEntries(Object.entries(n.attributes).map(([k, a]) => [k, a.value + (a.uri ? "@" + a.uri : "")])))}`));
stream.on("closetag", (name) => events.push(`close ${name}`));
stream.on("text", (t) => events.push(`text ${JSON.stringify(t)}`));
stream.on("cdata", (t) => events.push(`cdata ${t}`));
stream.on("comment", (t) => events.push(`comment ${t}`));
stream.on("processinginstruction", (p) => events.push(`pi ${p.name} ${p.body}`));
stream.on("doctype", (d) => events.push(`doctype ${d.trim()}`));
stream.on("end", () => {
  for (const e of events) console.log(e);
  assert.ok(events.includes('text "Node & You"'));
  const p = sax.parser(true);
  let err;
  p.onerror = (e) => { err = e; p.resume(); };
  p.write("<a><b></a>").close();
  assert.match(err.message, /Unexpected close tag/);
  console.log("error:", err.message.split("\n")[0]);
  console.log("ok sax");
});
const parts = [];
for (let i = 0; i < xml.length; i += 11) parts.push(xml.slice(i, i + 11));
Readable.from(parts).pipe(stream);
