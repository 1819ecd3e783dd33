// node:stream: every expected string below is the event sequence Node 20
// logs for the same code (scenarios run under both while writing them).
import { test, assert } from "jsk:test";
import { Buffer } from "node:buffer";
import stream, { Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished, addAbortSignal } from "node:stream";
import * as sp from "node:stream/promises";
import EventEmitter from "node:events";
import { AbortController, AbortSignal } from "node:internal/abort_controller";

const wait = (ms = 5) => new Promise((r) => setTimeout(r, ms));
const out = [];
function trace(name, s, evs = ["data", "end", "finish", "close", "error", "drain", "pause", "resume", "readable", "prefinish", "pipe", "unpipe"]) {
  for (const ev of evs) s.on(ev, (x) => out.push(`${name}:${ev}${x !== undefined && ev !== "pipe" && ev !== "unpipe" ? "(" + (x instanceof Error ? x.code ?? x.message : String(x)) + ")" : ""}`));
}
function inherits(C, P) { Object.setPrototypeOf(C.prototype, P.prototype); Object.setPrototypeOf(C, P); }
async function check(expected, fn) {
  out.length = 0;
  try { await fn(); } catch (e) { out.push("THROW " + (e.code ?? "") + " " + e.message); }
  await wait(10);
  assert.equal(out.join(" "), expected);
}

test("writable backpressure", () => check("wa true true false 3 true wb wc w:drain wd true true false we cb-d w:prefinish end-cb w:finish w:close", async () => {
  const w = new Writable({ highWaterMark: 3, write(c, e, cb) { out.push("w" + c); setTimeout(cb, 1); } });
  trace("w", w, ["drain", "finish", "close", "prefinish"]);
  out.push(w.write("a"), w.write("b"), w.write("c"), w.writableLength, w.writableNeedDrain);
  await wait(10);
  out.push(w.write("d", () => out.push("cb-d")));
  w.end("e", () => out.push("end-cb"));
  out.push(w.writableEnded, w.writableFinished);
}));
test("sync write", () => check("wa wb sync final w:prefinish after-end cb-a cb-b end-cb w:finish w:close", async () => {
  const w = new Writable({ write(c, e, cb) { out.push("w" + c); cb(); }, final(cb) { out.push("final"); cb(); } });
  trace("w", w, ["drain", "finish", "close", "prefinish"]);
  w.write("a", () => out.push("cb-a")); w.write("b", () => out.push("cb-b")); out.push("sync"); w.end(() => out.push("end-cb")); out.push("after-end");
}));
test("cork writev", () => check("1 2 va|b vc w:finish w:close", async () => {
  const w = new Writable({ writev(chunks, cb) { out.push("v" + chunks.map((c) => c.chunk).join("|")); cb(); } });
  w.cork(); w.write("a"); w.write("b"); out.push(w.writableCorked, w.writableLength); w.uncork(); w.end("c");
  trace("w", w, ["finish", "close"]);
}));
test("readable hwm read sizes", () => check("read(4) r:readable read(4) got xyz read(4) got 0xy read(4) got z1x got yz2 r:readable r:readable r:end r:close", async () => {
  let i = 0;
  const r = new Readable({ highWaterMark: 4, read(n) { out.push("read(" + n + ")"); if (i < 3) this.push(Buffer.from("xyz" + i++)); else this.push(null); } });
  trace("r", r, ["end", "close", "readable"]);
  r.on("readable", () => { let c; while ((c = r.read(3)) !== null) out.push("got " + c); });
}));
test("read(0) and sizeless", () => check("true true 11 null 11 hello world 0 null r:end r:close null true", async () => {
  const r = new Readable({ read() {} });
  out.push(r.push("hello"), r.push(" world"), r.readableLength);
  out.push(String(r.read(0)), r.readableLength, String(r.read()), r.readableLength);
  r.push(null); out.push(String(r.read()));
  trace("r", r, ["end", "close", "readable"]);
  await wait(); out.push(String(r.read()), r.readableEnded);
}));
test("pause resume", () => check("true false r:resume r:data(a) r:pause true resume r:data(b) r:resume r:end r:close", async () => {
  const r = new Readable({ read() {} });
  trace("r", r, ["data", "pause", "resume", "end", "close"]);
  out.push(String(r.readableFlowing), r.isPaused());
  r.push("a"); await wait(); r.pause(); out.push(r.isPaused()); r.push("b"); await wait(); out.push("resume"); r.resume(); r.push(null);
}));
test("objectMode", () => check("16 true {\"a\":1} 0 \"\" end", async () => {
  const r = new Readable({ objectMode: true, read() {} });
  out.push(r.readableHighWaterMark, r.readableObjectMode);
  r.push({ a: 1 }); r.push(0); r.push(""); r.push(null);
  r.on("data", (x) => out.push(JSON.stringify(x))); r.on("end", () => out.push("end"));
}));
test("pipe slow writer", () => check("w:pipe r:resume W0 r:pause W1 w:drain r:resume W2 r:pause W3 w:drain r:resume W4 r:pause r:end r:close W5 w:finish w:unpipe w:close", async () => {
  let n = 0;
  const r = new Readable({ highWaterMark: 2, read() { if (n < 6) this.push(String(n++)); else this.push(null); } });
  const w = new Writable({ highWaterMark: 2, write(c, e, cb) { out.push("W" + c); setTimeout(cb, 2); } });
  trace("r", r, ["pause", "resume", "end", "close"]); trace("w", w, ["drain", "finish", "close", "pipe", "unpipe"]);
  r.pipe(w);
  await wait(50);
}));
test("transform", () => check("t:data(AB) t:data(CD) t:data(!) t:prefinish t:end t:finish t:close", async () => {
  const t = new Transform({ transform(c, e, cb) { cb(null, c.toString().toUpperCase()); }, flush(cb) { this.push("!"); cb(); } });
  trace("t", t, ["data", "end", "finish", "close", "prefinish"]);
  t.write("ab"); t.end("cd");
}));
test("passthrough", () => check("p:data(x) p:end p:finish p:close", async () => {
  const p = new PassThrough(); trace("p", p, ["data", "end", "finish", "close"]); p.end("x");
}));
test("destroy err", () => check("true boom r:error(boom) r:close w:close wcb ERR_STREAM_DESTROYED", async () => {
  const r = new Readable({ read() {} }); trace("r", r, ["end", "close", "error"]);
  r.destroy(new Error("boom")); out.push(r.destroyed, r.errored?.message);
  const w = new Writable({ write(c, e, cb) { cb(); } }); trace("w", w, ["finish", "close", "error"]);
  w.destroy(); w.write("x", (err) => out.push("wcb " + err?.code));
}));
test("write error", () => check("cb bad w:error(bad) w:close", async () => {
  const w = new Writable({ write(c, e, cb) { cb(new Error("bad")); } }); trace("w", w, ["finish", "close", "error"]);
  w.write("x", (err) => out.push("cb " + err?.message));
}));
test("write after end", () => check("cb ERR_STREAM_WRITE_AFTER_END w:error(ERR_STREAM_WRITE_AFTER_END) w:close", async () => {
  const w = new Writable({ write(c, e, cb) { cb(); } }); trace("w", w, ["finish", "close", "error"]);
  w.end(); w.write("x", (err) => out.push("cb " + err?.code));
}));
test("pipeline error", () => check("t:error(mid) t:close r:error(mid) r:close w:error(mid) w:close cb mid truetruetrue", async () => {
  const r = new Readable({ read() {} });
  const t = new PassThrough(); const w = new Writable({ write(c, e, cb) { cb(); } });
  trace("r", r, ["close", "error"]); trace("t", t, ["close", "error"]); trace("w", w, ["close", "error"]);
  pipeline(r, t, w, (err) => out.push("cb " + err?.message + " " + r.destroyed + t.destroyed + w.destroyed));
  r.push("a"); await wait(); t.destroy(new Error("mid"));
}));
test("pipeline ok", () => check("cb undefined a!b!c!", async () => {
  const r = Readable.from(["a", "b", "c"]);
  const chunks = [];
  const w = new Writable({ objectMode: true, write(c, e, cb) { chunks.push(c); cb(); } });
  pipeline(r, async function* (src) { for await (const c of src) yield c + "!"; }, w, (err, v) => out.push("cb " + err + " " + chunks.join("")));
}));
test("pipeline to async fn", () => check("value 6", async () => {
  const v = await sp.pipeline(Readable.from([1, 2, 3]), async function (src) { let s = 0; for await (const x of src) s += x; return s; });
  out.push("value " + v);
}));
test("finished paths", () => check("r4 AbortError r2 ERR_STREAM_PREMATURE_CLOSE r3 E3 r5 AbortError w ok r ok promise-finished", async () => {
  const r = new Readable({ read() {} }); finished(r, (err) => out.push("r " + (err?.code ?? "ok")));
  r.resume(); r.push(null);
  const w = new Writable({ write(c, e, cb) { cb(); } }); finished(w, (err) => out.push("w " + (err?.code ?? "ok"))); w.end();
  const r2 = new Readable({ read() {} }); finished(r2, (err) => out.push("r2 " + (err?.code ?? "ok"))); r2.destroy();
  const r3 = new Readable({ read() {} }); r3.on("error", () => {}); finished(r3, (err) => out.push("r3 " + (err?.message ?? "ok"))); r3.destroy(new Error("E3"));
  const ac = new AbortController(); const r4 = new Readable({ read() {} }); finished(r4, { signal: ac.signal }, (err) => out.push("r4 " + err?.name)); ac.abort();
  const r5 = new Readable({ read() {} }); r5.on("error", () => {}); addAbortSignal(AbortSignal.abort(), r5); finished(r5, (err) => out.push("r5 " + err?.name));
  await sp.finished(Readable.from([]).resume()); out.push("promise-finished");
}));
test("async iter break", () => check("chunk abc r:error(ABORT_ERR) r:close true", async () => {
  const r = new Readable({ read() { this.push("abc"); } }); trace("r", r, ["error", "close"]);
  for await (const c of r) { out.push("chunk " + c); break; }
  await wait();
  out.push(r.destroyed);
}));
test("async iter full", () => check("x y done caught E", async () => {
  const r = Readable.from(["x", "y"]); for await (const c of r) out.push(c); out.push("done");
  const r2 = new Readable({ read() {} }); setTimeout(() => r2.destroy(new Error("E")), 1);
  try { for await (const c of r2) out.push(c); } catch (e) { out.push("caught " + e.message); }
}));
test("setEncoding split", () => check("utf8 \"\u20acuro\"", async () => {
  const r = new Readable({ read() {} }); r.setEncoding("utf8");
  const euro = Buffer.from("€uro"); r.push(euro.subarray(0, 1)); r.push(euro.subarray(1, 2)); r.push(euro.subarray(2)); r.push(null);
  r.on("data", (c) => out.push(JSON.stringify(c))); out.push(r.readableEncoding);
}));
test("from string/buffer", () => check("[\"abc\"] [\"ab\"] [4,6,8] 6 true 2 [2,3]", async () => {
  out.push(JSON.stringify(await Readable.from("abc").toArray()));
  out.push(JSON.stringify((await Readable.from(Buffer.from("ab")).toArray()).map(String)));
  out.push(JSON.stringify(await Readable.from([1, 2, 3, 4]).map((x) => x * 2).filter((x) => x > 2).toArray()));
  out.push(await Readable.from([1, 2, 3]).reduce((a, b) => a + b, 0), await Readable.from([1, 2, 3]).some((x) => x === 2), await Readable.from([1, 2, 3]).find((x) => x > 1));
  out.push(JSON.stringify(await Readable.from([1, 2, 3, 4]).drop(1).take(2).toArray()));
}));
test("duplex halfopen", () => check("true true true true d:end d:finish d:close", async () => {
  const d = new Duplex({ allowHalfOpen: false, read() {}, write(c, e, cb) { cb(); } });
  trace("d", d, ["end", "finish", "close"]);
  d.resume(); d.push(null);
  out.push(d instanceof Writable, d instanceof Readable, d.writable, d.readable);
}));
test("construct", () => check("sync construct write a w:finish w:close", async () => {
  const w = new Writable({ construct(cb) { out.push("construct"); setTimeout(cb, 1); }, write(c, e, cb) { out.push("write " + c); cb(); } });
  trace("w", w, ["finish", "close"]); w.write("a"); w.end(); out.push("sync");
}));
test("unshift", () => check("b ac", async () => {
  const r = new Readable({ read() {} }); r.push("bc"); out.push(String(r.read(1))); r.unshift("a"); out.push(String(r.read()));
}));
test("readable event ended", () => check("r:readable abc r:end r:close", async () => {
  const r = new Readable({ read() {} }); trace("r", r, ["readable", "end", "close"]);
  r.push("abc"); r.push(null);
  await wait(); out.push(String(r.read()));
}));


test("old style", () => check("true true true true Wr0t Wr1t finish", async () => {
  function MyR(opts) { if (!(this instanceof MyR)) return new MyR(opts); Readable.call(this, opts); this.n = 0; }
  inherits(MyR, Readable);
  MyR.prototype._read = function () { this.push(this.n < 2 ? "r" + this.n++ : null); };
  function MyW(opts) { Writable.call(this, opts); }
  inherits(MyW, Writable);
  MyW.prototype._write = function (c, e, cb) { out.push("W" + c); cb(); };
  function MyT(opts) { Transform.call(this, opts); }
  inherits(MyT, Transform);
  MyT.prototype._transform = function (c, e, cb) { this.push(c + "t"); cb(); };
  const w = new MyW(); w.on("finish", () => out.push("finish"));
  MyR().pipe(new MyT()).pipe(w);
  out.push(w instanceof Writable, w instanceof EventEmitter, new MyT() instanceof Writable, new MyT() instanceof Duplex);
}));
test("legacy Stream", () => check("got a function function true true end", async () => {
  const s = new stream(); const w = new PassThrough(); w.on("data", (c) => out.push("got " + c)); w.on("end", () => out.push("end"));
  s.pipe(w); s.emit("data", "a"); s.emit("end");
  out.push(typeof stream.Readable, typeof stream.promises.pipeline, stream.Stream === stream, s instanceof EventEmitter);
}));
test("hwm validation", () => check("ERR_INVALID_ARG_VALUE The property 'options.highWaterMark' is invalid. Received -1 ERR_INVALID_ARG_VALUE The property 'options.highWaterMark' is invalid. Received 1.5 16384 16384 16 16384 32768", async () => {
  try { new Readable({ highWaterMark: -1 }); } catch (e) { out.push(e.code, e.message); }
  try { new Writable({ highWaterMark: 1.5 }); } catch (e) { out.push(e.code, e.message); }
  out.push(new Writable().writableHighWaterMark, new Readable().readableHighWaterMark, new Duplex({ readableObjectMode: true }).readableHighWaterMark, new Duplex({ readableObjectMode: true }).writableHighWaterMark);
  const r = new Readable({ read() {} }); r.read(20000); out.push(r.readableHighWaterMark);
}));
test("decodeStrings false", () => check("string utf8 object buffer string hex 0001 buffer ERR_UNKNOWN_ENCODING ERR_INVALID_ARG_TYPE ERR_STREAM_NULL_VALUES", async () => {
  const w = new Writable({ decodeStrings: false, write(c, e, cb) { out.push(typeof c, e); cb(); } });
  w.write("abc"); w.write(Buffer.from("x")); w.write("ff", "hex");
  const w2 = new Writable({ write(c, e, cb) { out.push(c.toString("hex"), e); cb(); } });
  w2.setDefaultEncoding("base64"); w2.write("AAE=");
  try { w2.write("a", "nope"); } catch (e) { out.push(e.code); }
  try { w2.write(5); } catch (e) { out.push(e.code); }
  try { w2.write(null); } catch (e) { out.push(e.code); }
}));
test("two pipes", () => check("a1 b1 a2 b2 a3 b3 b-fin a-fin", async () => {
  const r = new Readable({ read() {} });
  const a = new Writable({ highWaterMark: 1, write(c, e, cb) { out.push("a" + c); setTimeout(cb, 1); } });
  const b = new Writable({ write(c, e, cb) { out.push("b" + c); cb(); } });
  r.pipe(a); r.pipe(b); r.push("1"); r.push("2"); r.push("3"); r.push(null);
  a.on("finish", () => out.push("a-fin")); b.on("finish", () => out.push("b-fin"));
  await wait(20);
}));
test("unpipe", () => check("unpipe true false 0", async () => {
  const r = new Readable({ read() {} }); const w = new PassThrough();
  w.on("unpipe", (s) => out.push("unpipe " + (s === r))); r.pipe(w); r.unpipe(w); out.push(r.readableFlowing, r._readableState.pipes.length);
}));
test("readable error after end ignored", () => check("err ERR_STREAM_PUSH_AFTER_EOF", async () => {
  const r = new Readable({ read() {} }); r.on("error", (e) => out.push("err " + e.code)); r.push(null); r.push("x");
}));
test("duplex from", () => check("d A d B end", async () => {
  const d = Duplex.from(async function* (src) { for await (const c of src) yield String(c).toUpperCase(); });
  d.on("data", (c) => out.push("d " + c)); d.on("end", () => out.push("end"));
  d.write("a"); d.write("b"); d.end();
  await wait(20);
}));
test("emitClose false / autoDestroy false", () => check("fin true rend false", async () => {
  const w = new Writable({ emitClose: false, write(c, e, cb) { cb(); } }); w.on("close", () => out.push("close!")); w.on("finish", () => out.push("fin")); w.end();
  await wait(); out.push(w.destroyed);
  const r = new Readable({ autoDestroy: false, read() {} }); r.on("end", () => out.push("rend")); r.on("close", () => out.push("rclose")); r.resume(); r.push(null);
  await wait(); out.push(r.destroyed);
}));
test("readable destroy _destroy", () => check("_destroy x sync true cb x error x close", async () => {
  const r = new Readable({ read() {}, destroy(err, cb) { out.push("_destroy " + err?.message); setTimeout(() => cb(err), 1); } });
  r.on("error", (e) => out.push("error " + e.message)); r.on("close", () => out.push("close"));
  r.destroy(new Error("x"), (e) => out.push("cb " + e?.message)); out.push("sync " + r.destroyed);
  await wait(10);
}));
test("end twice", () => check("cb2 undefined cb3 ERR_STREAM_ALREADY_FINISHED", async () => {
  const w = new Writable({ write(c, e, cb) { cb(); } }); w.on("error", (e) => out.push("err " + e.code));
  w.end(); w.end((e) => out.push("cb2 " + e?.code)); await wait(); w.end((e) => out.push("cb3 " + e?.code));
}));
test("transform hwm", () => check("[true,true,false,false,false,false,false,false,false,false] 2 2 9", async () => {
  let n = 0;
  const t = new Transform({ readableHighWaterMark: 2, writableHighWaterMark: 2, objectMode: true, transform(c, e, cb) { n++; cb(null, c); } });
  const r = []; for (let i = 0; i < 10; i++) r.push(t.write(i));
  out.push(JSON.stringify(r), n, t.readableLength, t.writableLength);
}));
test("wrong push types", () => check("true AB err ERR_INVALID_ARG_TYPE", async () => {
  const r = new Readable({ read() {} }); r.on("error", (e) => out.push("err " + e.code)); r.push(5);
  const r2 = new Readable({ read() {} }); out.push(r2.push(new Uint8Array([65, 66]))); out.push(String(r2.read()));
}));

