import { test, assert } from "jsk:test";
import zlib, { deflateSync, inflateSync, deflateRawSync, inflateRawSync, gzipSync, gunzipSync, unzipSync, constants, codes, crc32 } from "node:zlib";
import { Buffer } from "node:buffer";
import { promisify } from "node:util";

// Vectors were produced by node v20 (zlib 1.3) and by gzip(1); the expected
// errors are what node prints for the same bytes.
const hex = (h) => Buffer.from(h, "hex");
const b64 = (s) => Buffer.from(s, "base64");

let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
function data(kind, n) {
  const b = Buffer.alloc(n);
  const text = "the quick brown fox jumps over the lazy dog ";
  for (let i = 0; i < n; i++) {
    b[i] = kind === 0 ? (rnd() * 256) | 0 : kind === 1 ? 97 + ((rnd() * 4) | 0) : kind === 2 ? text.charCodeAt((i + ((rnd() * 1.05) | 0)) % 44) : i % 251;
  }
  return b;
}

const zerr = (message, code, errno) => (e) => e.message === message && e.code === code && e.errno === errno;

test("module shape: functions, classes, constants and codes as node's", () => {
  for (const k of ["deflateSync", "inflateSync", "gzip", "createGzip", "createUnzip", "crc32", "Deflate", "InflateRaw", "constants", "codes"]) {
    assert.ok(k in zlib, k);
  }
  assert.equal(zlib.Z_SYNC_FLUSH, 2);
  assert.equal(Object.keys(zlib).includes("Z_SYNC_FLUSH"), false);
  assert.equal(constants.Z_DEFAULT_WINDOWBITS, 15);
  assert.equal(constants.Z_MAX_CHUNK, Infinity);
  assert.equal(constants.ZLIB_VERNUM, 4880);
  assert.equal(constants.BROTLI_DEFAULT_QUALITY, 11);
  assert.equal(Object.keys(constants).length, 107);
  assert.equal(codes.Z_DATA_ERROR, -3);
  assert.equal(codes["-5"], "Z_BUF_ERROR");
  const d = zlib.createDeflate();
  assert.ok(d instanceof zlib.Deflate);
  assert.equal(typeof d.flush, "function");
  assert.equal(typeof d.params, "function");
  assert.equal(d.bytesWritten, 0);
  assert.ok(zlib.Gzip() instanceof zlib.Gzip); // callable without new
});

test("inflate node's and gzip(1)'s output", () => {
  assert.equal(inflateSync(hex("789ccb48cdc9c90700062c0215")).toString(), "hello");
  const fox = "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.\n";
  // gzip -9 with a file name (FNAME) and mtime
  const gz = hex("1f8b08080e4b0f6b0203666f782e747874000bc94855282ccd4cce56482aca2fcf5348cbaf50c82acd2d2856c82f4b2d5228014ae72456552aa4e4a7eb298490a0980b00d2d9ff7a5a000000");
  assert.equal(gunzipSync(gz).toString(), fox);
  assert.equal(unzipSync(gz).toString(), fox);
  const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20);
  assert.equal(inflateSync(b64("eNrty9ENwCAIBcBV3gBNJ3EJg8SQiBjA/TtD/7n/a+askBNXMWyZIyTRlfMB2Q6m5LyOPuRIkOwJXpIvWsWKFSv+jx+HeKXI")).toString(), lorem);
  const sq = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * i) % 256));
  const raw = b64("Y2Bk4RSQVDF0CEypnLDyyEMGRZfMCTufCDoULrkp4NlykMGx5aRA5JKPDhOfWE546bKQIfGI5oSfKRcdNqrMFOhkaWRoZOkUmKmy0eFiys8JmkcSGRa6vJxg+WSiw8clkQInWxwZDrZ4CtxcUugg+GTnhEwXRYaHR1ZOqEwJdDBUkRTgZGFkGLV/WNoPAA==");
  assert.deepEqual(inflateRawSync(raw), sq);
  // Concatenated gzip members decode as one; zero padding after them is ignored.
  assert.equal(gunzipSync(Buffer.concat([gzipSync("hello"), gzipSync("world"), Buffer.alloc(8)])).toString(), "helloworld");
  // Data after a zlib or raw stream's end is ignored.
  assert.equal(inflateSync(Buffer.concat([deflateSync("hello"), Buffer.from("garbage")])).toString(), "hello");
  assert.equal(inflateRawSync(hex("0300ff")).length, 0);
});

test("empty inputs and node's exact bytes for them", () => {
  assert.equal(deflateRawSync("").toString("hex"), "0300");
  assert.equal(deflateSync("").toString("hex"), "789c030000000001");
  assert.equal(deflateSync("", { level: 1 }).toString("hex"), "7801030000000001");
  assert.equal(deflateSync("", { level: 9 }).toString("hex"), "78da030000000001");
  assert.equal(gzipSync("").toString("hex"), "1f8b080000000000000303000000000000000000");
  assert.equal(gzipSync("", { level: 9 }).toString("hex"), "1f8b080000000000020303000000000000000000");
  assert.equal(deflateSync("hello").toString("hex"), "789ccb48cdc9c90700062c0215");
});

test("round trips: sizes around block and window edges, all levels and strategies", () => {
  const sizes = [0, 1, 2, 3, 4, 100, 257, 258, 259, 1000, 4000, 32769, 65537];
  let n = 0;
  for (const size of sizes) {
    for (let kind = 0; kind < 4; kind++) {
      seed = size * 4 + kind;
      const d = data(kind, size);
      for (const o of [{ level: 0 }, { level: 1 }, { level: 4 }, {}, { level: 9 }, { strategy: 2 }, { strategy: 3 }, { strategy: 4 }, { windowBits: 9 }]) {
        if (size > 4000 && (o.strategy || o.level === 4 || o.level === 9 || o.windowBits) && kind !== 1) continue;
        assert.deepEqual(inflateSync(deflateSync(d, o)), d, `zlib ${size} ${kind} ${JSON.stringify(o)}`);
        n++;
      }
      assert.deepEqual(inflateRawSync(deflateRawSync(d)), d);
      assert.deepEqual(gunzipSync(gzipSync(d, { level: 1 })), d);
    }
  }
  assert.ok(n > 400);
});

test("compression ratios: repetitive data shrinks, random data is stored", () => {
  const x = Buffer.alloc(100000, "x");
  assert.ok(deflateSync(x).length < 200);
  assert.ok(deflateSync(x, { level: 1 }).length < 600);
  seed = 9;
  const r = data(0, 70000);
  const c = deflateSync(r);
  assert.ok(c.length <= 70000 + 6 + 4 + 5 * 2 + 8, String(c.length)); // stored blocks: 5 bytes per block
  assert.ok(deflateSync(data(2, 50000)).length < 50000 / 8);
});

test("errors as node's: message, errno, code", () => {
  assert.throws(() => inflateSync(Buffer.from("hello")), zerr("incorrect header check", "Z_DATA_ERROR", -3));
  assert.throws(() => inflateSync(deflateSync("hello").subarray(0, 5)), zerr("unexpected end of file", "Z_BUF_ERROR", -5));
  assert.throws(() => inflateSync(Buffer.alloc(0)), zerr("unexpected end of file", "Z_BUF_ERROR", -5));
  assert.throws(() => inflateRawSync(hex("07")), zerr("invalid block type", "Z_DATA_ERROR", -3));
  assert.throws(() => inflateRawSync(hex("0101 00fefe41".replace(" ", ""))), zerr("invalid stored block lengths", "Z_DATA_ERROR", -3));
  assert.throws(() => inflateSync(hex("7918")), zerr("unknown compression method", "Z_DATA_ERROR", -3));
  assert.throws(() => inflateSync(hex("f807")), zerr("incorrect header check", "Z_DATA_ERROR", -3));
  assert.throws(() => inflateSync(deflateSync("x"), { windowBits: 9 }), zerr("invalid window size", "Z_DATA_ERROR", -3));
  const d = deflateSync("hello");
  d[d.length - 1] ^= 1;
  assert.throws(() => inflateSync(d), zerr("incorrect data check", "Z_DATA_ERROR", -3));
  const g = gzipSync("hello");
  const g1 = Buffer.from(g);
  g1[g1.length - 1] ^= 1;
  assert.throws(() => gunzipSync(g1), zerr("incorrect length check", "Z_DATA_ERROR", -3));
  const g2 = Buffer.from(g);
  g2[g2.length - 5] ^= 1;
  assert.throws(() => gunzipSync(g2), zerr("incorrect data check", "Z_DATA_ERROR", -3));
  const g3 = Buffer.from(g);
  g3[3] = 0x20;
  assert.throws(() => gunzipSync(g3), zerr("unknown header flags set", "Z_DATA_ERROR", -3));
  const g4 = Buffer.from(g);
  g4[3] = 0x02;
  assert.throws(() => gunzipSync(g4), zerr("header crc mismatch", "Z_DATA_ERROR", -3));
  assert.throws(() => gunzipSync(Buffer.concat([g, Buffer.from("garbage")])), zerr("incorrect header check", "Z_DATA_ERROR", -3));
  assert.throws(() => gunzipSync(Buffer.concat([g, hex("1f")])), zerr("unexpected end of file", "Z_BUF_ERROR", -5));
  assert.throws(() => unzipSync(hex("1f8c010203")), zerr("incorrect header check", "Z_DATA_ERROR", -3));
  // A distance before the start of the output.
  assert.deepEqual(inflateRawSync(hex("63000200")), Buffer.alloc(4));
  assert.throws(() => inflateRawSync(hex("6300410400")), zerr("invalid distance too far back", "Z_DATA_ERROR", -3));
  // A dynamic block header with 32 distance codes; the same cut short.
  assert.throws(() => inflateRawSync(hex("edff07")), zerr("too many length or distance symbols", "Z_DATA_ERROR", -3));
  assert.throws(() => inflateRawSync(hex("edff")), zerr("unexpected end of file", "Z_BUF_ERROR", -5));
});

test("dictionaries", () => {
  const dict = Buffer.from("hello world, hello dictionary");
  const c = deflateSync("hello world", { dictionary: dict });
  assert.equal((c[1] & 0x20) !== 0, true);
  assert.equal(inflateSync(c, { dictionary: dict }).toString(), "hello world");
  assert.throws(() => inflateSync(c), zerr("Missing dictionary", "Z_NEED_DICT", 2));
  assert.throws(() => inflateSync(c, { dictionary: Buffer.from("other") }), zerr("Bad dictionary", "Z_NEED_DICT", 2));
  const raw = deflateRawSync("hello world", { dictionary: dict });
  assert.equal(inflateRawSync(raw, { dictionary: dict }).toString(), "hello world");
  assert.ok(raw.length < deflateRawSync("hello world").length);
});

test("maxOutputLength bounds a decompression bomb", () => {
  const bomb = deflateSync(Buffer.alloc(5 << 20), { level: 1 });
  assert.ok(bomb.length < 60000, String(bomb.length));
  assert.throws(() => inflateSync(bomb, { maxOutputLength: 100000 }), { code: "ERR_BUFFER_TOO_LARGE", name: "RangeError", message: "Cannot create a Buffer larger than 100000 bytes" });
  assert.equal(inflateSync(deflateSync("x".repeat(1000)), { maxOutputLength: 1000 }).length, 1000);
});

test("argument errors", () => {
  assert.throws(() => deflateSync(5), {
    code: "ERR_INVALID_ARG_TYPE",
    message: 'The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received type number (5)',
  });
  assert.throws(() => deflateSync("x", { level: 12 }), { code: "ERR_OUT_OF_RANGE", message: 'The value of "options.level" is out of range. It must be >= -1 and <= 9. Received 12' });
  assert.throws(() => deflateSync("x", { windowBits: 7 }), { code: "ERR_OUT_OF_RANGE", message: 'The value of "options.windowBits" is out of range. It must be >= 8 and <= 15. Received 7' });
  assert.throws(() => gzipSync("x", { windowBits: 8 }), { code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => deflateSync("x", { memLevel: 10 }), { code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => deflateSync("x", { chunkSize: 10 }), { code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => deflateSync("x", { dictionary: "abc" }), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => zlib.deflate("x"), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => zlib.createBrotliCompress(), { code: "ERR_NOT_IMPLEMENTED" });
  assert.throws(() => zlib.brotliDecompressSync(Buffer.alloc(1)), { code: "ERR_NOT_IMPLEMENTED" });
  // Accepted inputs: ArrayBuffer, DataView, typed arrays.
  const c = deflateSync("abc");
  assert.equal(inflateSync(c.buffer.slice(c.byteOffset, c.byteOffset + c.length)).toString(), "abc");
  assert.equal(inflateSync(new DataView(c.buffer, c.byteOffset, c.length)).toString(), "abc");
});

test("crc32 (node 20.15)", () => {
  assert.equal(crc32(""), 0);
  assert.equal(crc32("hello"), 907060870);
  assert.equal(crc32("world", 12345), 1718432533);
  assert.equal(crc32("The quick brown fox jumps over the lazy dog"), 1095738169);
  assert.equal(crc32(Buffer.from([1, 2, 3]), 0xffffffff), 1426237168);
  assert.equal(crc32("world", crc32("hello ")), crc32("hello world"));
  assert.throws(() => crc32(5), { code: "ERR_INVALID_ARG_TYPE" });
});

test("callback and promisified forms", async () => {
  const c = await promisify(zlib.deflate)("hello callback");
  assert.equal((await promisify(zlib.inflate)(c)).toString(), "hello callback");
  const g = await new Promise((res, rej) => zlib.gzip("gz", { level: 1 }, (e, b) => (e ? rej(e) : res(b))));
  assert.equal(gunzipSync(g).toString(), "gz");
  const err = await new Promise((res) => zlib.inflate(Buffer.from("bad"), (e) => res(e)));
  assert.equal(err.code, "Z_DATA_ERROR");
  const { buffer, engine } = deflateSync("info", { info: true });
  assert.equal(inflateSync(buffer).toString(), "info");
  assert.ok(engine instanceof zlib.Deflate);
});

function collect(stream) {
  return new Promise((resolve, reject) => {
    const parts = [];
    stream.on("data", (c) => parts.push(c));
    stream.on("error", reject);
    stream.on("end", () => resolve(Buffer.concat(parts)));
  });
}

test("streams: byte-at-a-time inflate, gzip through pipe, errors as events", async () => {
  const text = Buffer.from("abc".repeat(1000) + "xyz".repeat(500));
  const c = deflateSync(text);
  const inf = zlib.createInflate();
  const got = collect(inf);
  for (let i = 0; i < c.length; i++) inf.write(c.subarray(i, i + 1));
  inf.end();
  assert.deepEqual(await got, text);

  const gz = zlib.createGzip();
  const gun = zlib.createGunzip();
  gz.pipe(gun);
  const back = collect(gun);
  for (let i = 0; i < 10; i++) gz.write(text.subarray(i * 600, i * 600 + 600));
  gz.end();
  assert.deepEqual(await back, text.subarray(0, 6000));

  const bad = zlib.createGunzip();
  const e = await new Promise((res) => {
    bad.on("error", res);
    bad.resume();
    bad.end(Buffer.from("not gzip at all"));
  });
  assert.equal(e.message, "incorrect header check");
  assert.equal(e.errno, -3);
  const trunc = zlib.createInflate();
  const e2 = await new Promise((res) => {
    trunc.on("error", res);
    trunc.resume();
    trunc.end(c.subarray(0, 10));
  });
  assert.equal(e2.code, "Z_BUF_ERROR");
  assert.equal(e2.message, "unexpected end of file");
});

test("flush: Z_SYNC_FLUSH ends in 00 00 ff ff with all data out before the callback (ws's permessage-deflate)", async () => {
  const d = zlib.createDeflateRaw({ windowBits: 15, memLevel: 8, level: 6 });
  const inf = zlib.createInflateRaw({ windowBits: 15 });
  const out = [];
  d.on("data", (c) => out.push(c));
  const got = [];
  inf.on("data", (c) => got.push(c));
  const flush = (s, kind) => new Promise((res) => s.flush(kind, res));
  const messages = ["hello", "hello", "x".repeat(100000), "hello again, hello"];
  for (const m of messages) {
    d.write(m);
    await flush(d, zlib.Z_SYNC_FLUSH);
    const frame = Buffer.concat(out.splice(0));
    assert.equal(frame.subarray(-4).toString("hex"), "0000ffff");
    // Sent without its tail, as ws does, and the receiver adds it back.
    inf.write(frame.subarray(0, -4));
    inf.write(hex("0000ffff"));
    await flush(inf, zlib.Z_SYNC_FLUSH);
    assert.equal(Buffer.concat(got.splice(0)).toString(), m);
  }
  // node's first frame for "hello" (the same bytes: a fixed block)
  const d2 = zlib.createDeflateRaw();
  const first = [];
  d2.on("data", (c) => first.push(c));
  d2.write("hello");
  await flush(d2, zlib.Z_SYNC_FLUSH);
  assert.equal(Buffer.concat(first).toString("hex"), "ca48cdc9c907000000ffff");
  // flush() with no kind is Z_FULL_FLUSH: later data does not reach back
  d2.write("hello");
  await new Promise((res) => d2.flush(res));
  const inflater = zlib.createInflateRaw();
  const all = collect(inflater);
  inflater.end(Buffer.concat([...first, hex("0300")]));
  assert.equal((await all).toString(), "hellohello");
});

test("reset, params, close", async () => {
  const d = zlib.createDeflate();
  const out = collect(d);
  d.write("first");
  await new Promise((res) => d.params(9, 0, res));
  d.end("second");
  assert.equal(inflateSync(await out).toString(), "firstsecond");
  const inf = zlib.createInflateRaw();
  const chunks = [];
  inf.on("data", (c) => chunks.push(c));
  inf.write(deflateRawSync("one"));
  await new Promise((res) => inf.flush(res));
  inf.reset();
  inf.write(deflateRawSync("two"));
  await new Promise((res) => inf.flush(res));
  assert.equal(Buffer.concat(chunks).toString(), "onetwo");
  await new Promise((res) => inf.close(res));
  assert.equal(inf._closed, true);
});
