import { test, assert } from "jsk:test";
import bufferModule, {
  Buffer, SlowBuffer, kMaxLength, kStringMaxLength, constants, INSPECT_MAX_BYTES,
  atob, btoa, isUtf8, isAscii, transcode, Blob, File,
} from "node:buffer";

const hex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
const inspect = (b) => b[Symbol.for("nodejs.util.inspect.custom")]();

// Values below were computed with node v20 on the same inputs.
const READS = {"readUInt8":[130,243],"readInt8":[-126,-13],"readUInt16LE":[62338,17651],"readUInt16BE":[33523,62276],"readInt16LE":[-3198,17651],"readInt16BE":[-32013,-3260],"readUInt32LE":[2772759426,111494387],"readUInt32BE":[2196980901,4081362182],"readInt32LE":[-1522207870,111494387],"readInt32BE":[-2097986395,-213605114],"readFloatLE":[-1.7082793720613239e-16,6.216741349483457e-35],"readFloatBE":[-3.574504093488871e-37,-1.557979213297125e+31],"readDoubleLE":[1.1475280238486382e-185,-1.4484789078786789e+280],"readDoubleBE":[-1.8855763080137643e-294,-1.8043206525271064e+247],"readBigUInt64LE":["1839992055695471490n","18021585978449544435n"],"readBigUInt64BE":["9435961119848499225n","17529317098974091770n"],"readBigInt64LE":["1839992055695471490n","-425158095260007181n"],"readBigInt64BE":["-9010782953861052391n","-917426974735459846n"]};
const VAR_READS = {"readUIntLE1":130,"readUIntBE1":130,"readIntLE1":-126,"readIntBE1":-126,"readUIntLE2":62338,"readUIntBE2":33523,"readIntLE2":-3198,"readIntBE2":-32013,"readUIntLE3":4518786,"readUIntBE3":8581956,"readIntLE3":4518786,"readIntBE3":-8195260,"readUIntLE4":2772759426,"readUIntBE4":2196980901,"readIntLE4":-1522207870,"readIntBE4":-2097986395,"readUIntLE5":28542563202,"readUIntBE5":562427110662,"readIntLE5":28542563202,"readIntBE5":-537084517114,"readUIntLE6":271607914623874,"readUIntBE6":143981340329719,"readIntLE6":-9867062086782,"readIntBE6":-137493636380937};
const WRITES = [["writeUInt8",254,2,"00fe0000000000000000"],["writeInt8",-2,2,"00fe0000000000000000"],["writeUInt16LE",48879,3,"00efbe00000000000000"],["writeUInt16BE",48879,3,"00beef00000000000000"],["writeInt16LE",-12345,3,"00c7cf00000000000000"],["writeInt16BE",-12345,3,"00cfc700000000000000"],["writeUInt32LE",3735928559,5,"00efbeadde0000000000"],["writeUInt32BE",3735928559,5,"00deadbeef0000000000"],["writeInt32LE",-123456789,5,"00eb32a4f80000000000"],["writeInt32BE",-123456789,5,"00f8a432eb0000000000"],["writeFloatLE",-1.5e-7,5,"00b00f21b40000000000"],["writeFloatBE",3.14159,5,"0040490fd00000000000"],["writeDoubleLE",-3.141592653589793e+100,9,"0084ebf2c3f5b9ccd400"],["writeDoubleBE",5e-324,9,"00000000000000000100"],["writeBigUInt64LE","18364758544493064720n",9,"001032547698badcfe00"],["writeBigUInt64BE","18364758544493064720n",9,"00fedcba987654321000"],["writeBigInt64LE","-81985529216486895n",9,"001132547698badcfe00"],["writeBigInt64BE","-81985529216486895n",9,"00fedcba987654321100"],["writeUIntLE",253,2,"00fd000000000000",1],["writeUIntBE",253,2,"00fd000000000000",1],["writeIntLE",-123,2,"0085000000000000",1],["writeIntBE",-123,2,"0085000000000000",1],["writeUIntLE",65533,3,"00fdff0000000000",2],["writeUIntBE",65533,3,"00fffd0000000000",2],["writeIntLE",-32763,3,"0005800000000000",2],["writeIntBE",-32763,3,"0080050000000000",2],["writeUIntLE",16777213,4,"00fdffff00000000",3],["writeUIntBE",16777213,4,"00fffffd00000000",3],["writeIntLE",-8388603,4,"0005008000000000",3],["writeIntBE",-8388603,4,"0080000500000000",3],["writeUIntLE",4294967293,5,"00fdffffff000000",4],["writeUIntBE",4294967293,5,"00fffffffd000000",4],["writeIntLE",-2147483643,5,"0005000080000000",4],["writeIntBE",-2147483643,5,"0080000005000000",4],["writeUIntLE",1099511627773,6,"00fdffffffff0000",5],["writeUIntBE",1099511627773,6,"00fffffffffd0000",5],["writeIntLE",-549755813883,6,"0005000000800000",5],["writeIntBE",-549755813883,6,"0080000000050000",5],["writeUIntLE",281474976710653,7,"00fdffffffffff00",6],["writeUIntBE",281474976710653,7,"00fffffffffffd00",6],["writeIntLE",-140737488355323,7,"0005000000008000",6],["writeIntBE",-140737488355323,7,"0080000000000500",6]];

const big = (v) => (typeof v === "string" && v.endsWith("n") ? BigInt(v.slice(0, -1)) : v);

test("Buffer is a Uint8Array subclass, callable without new", () => {
  const b = Buffer.from("hi");
  assert.ok(b instanceof Uint8Array);
  assert.ok(b instanceof Buffer);
  assert.ok(Buffer.isBuffer(b));
  assert.ok(!Buffer.isBuffer(new Uint8Array(2)));
  assert.ok(!Buffer.isBuffer("hi"));
  assert.equal(b.constructor, Buffer);
  assert.equal(Object.getPrototypeOf(Buffer.prototype), Uint8Array.prototype);
  assert.equal(hex(Buffer(3)), "000000");
  assert.equal(Buffer("ab").toString(), "ab");
  assert.equal(new Buffer("6162", "hex").toString(), "ab");
  assert.ok(b.subarray(1) instanceof Buffer);
  assert.ok(b.map((x) => x + 1) instanceof Buffer);
  assert.equal(b.map((x) => x + 1).toString(), "ij");
  assert.equal(Buffer.poolSize, 8192);
  assert.ok(SlowBuffer(4) instanceof Buffer);
  assert.equal(SlowBuffer(4).length, 4);
  assert.equal(b.parent, b.buffer);
  assert.equal(b.offset, b.byteOffset);
});

test("module exports match require('buffer')", () => {
  for (const k of ["Buffer", "SlowBuffer", "transcode", "isUtf8", "isAscii", "kMaxLength", "kStringMaxLength", "btoa", "atob", "constants", "INSPECT_MAX_BYTES", "Blob", "resolveObjectURL", "File"]) {
    assert.ok(k in bufferModule, k);
  }
  assert.equal(bufferModule.Buffer, Buffer);
  assert.equal(INSPECT_MAX_BYTES, 50);
  assert.equal(constants.MAX_LENGTH, kMaxLength);
  assert.equal(constants.MAX_STRING_LENGTH, kStringMaxLength);
  assert.equal(bufferModule.resolveObjectURL("blob:nodedata:x"), undefined);
});

test("utf8: multi-byte characters, lone surrogates, invalid bytes", () => {
  assert.equal(hex(Buffer.from("aé€😀")), "61c3a9e282acf09f9880");
  assert.equal(hex(Buffer.from("a\ud800b\udc00")), "61efbfbd62efbfbd");
  assert.equal(Buffer.from("f09f9880", "hex").toString(), "😀");
  const bad = Buffer.from([0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xff, 0xef, 0xbb, 0xbf, 0x42]);
  assert.equal(bad.toString(), "\ufffdA\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufeffB");
  assert.equal(Buffer.byteLength("aé€😀"), 10);
  assert.equal(Buffer.byteLength("a\ud800"), 4);
  assert.equal(Buffer.from("héllo", "UTF-8").toString("Utf8"), "héllo");
});

test("utf16le / ucs2 in every spelling", () => {
  for (const enc of ["utf16le", "utf-16le", "ucs2", "ucs-2", "UCS2", "UTF16LE"]) {
    assert.equal(hex(Buffer.from("a€😀", enc)), "6100ac203dd800de", enc);
  }
  assert.equal(Buffer.from("6100ac203dd800de", "hex").toString("ucs2"), "a€😀");
  assert.equal(Buffer.from([0x61, 0, 0x62]).toString("utf16le"), "a"); // odd byte dropped
  const odd = Buffer.from([0, 0x61, 0, 0x62, 0]).subarray(1); // odd byteOffset
  assert.equal(odd.toString("utf16le"), "ab");
  assert.equal(Buffer.byteLength("abc", "ucs2"), 6);
});

test("latin1 / binary and ascii", () => {
  assert.equal(hex(Buffer.from("\u00ff\u0100a", "latin1")), "ff0061");
  assert.equal(hex(Buffer.from("\u00ff\u0100a", "binary")), "ff0061");
  assert.equal(hex(Buffer.from("\u00ff\u0100a", "ascii")), "ff0061");
  assert.equal(Buffer.from([0xe9, 0x41, 0xff]).toString("latin1"), "\u00e9A\u00ff");
  assert.equal(Buffer.from([0x80, 0xff, 0x41]).toString("ascii"), "\u0000\u007fA"); // masked to 7 bits
  const long = Buffer.alloc(20000, 0xe9);
  assert.equal(long.toString("latin1"), "\u00e9".repeat(20000));
  const ascii = "plain ascii text ".repeat(100);
  assert.equal(Buffer.from(ascii, "latin1").toString("latin1"), ascii);
  assert.equal(Buffer.from(ascii + "\u00e9", "latin1").toString("latin1"), ascii + "\u00e9");
});

test("hex: known vectors, stops at the first invalid pair", () => {
  assert.equal(Buffer.from("0123456789abcdefABCDEF", "hex").toString("hex"), "0123456789abcdefabcdef");
  assert.equal(hex(Buffer.from("abc", "hex")), "ab");
  assert.equal(hex(Buffer.from("abzz12", "hex")), "ab");
  assert.equal(hex(Buffer.from("0g12", "hex")), "");
  assert.equal(hex(Buffer.from("12 34", "hex")), "12");
  assert.equal(hex(Buffer.from("\u0161\u0162", "hex")), "ab"); // low byte of each unit, as Node
  assert.equal(Buffer.byteLength("abcde", "hex"), 2);
  assert.equal(Buffer.alloc(0).toString("hex"), "");
});

test("base64: RFC 4648 vectors and base64url", () => {
  const vectors = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"]];
  for (const [plain, enc] of vectors) {
    assert.equal(Buffer.from(plain).toString("base64"), enc);
    assert.equal(Buffer.from(enc, "base64").toString(), plain);
    assert.equal(Buffer.from(plain).toString("base64url"), enc.replace(/=/g, ""));
    assert.equal(Buffer.from(enc.replace(/=/g, ""), "base64url").toString(), plain);
  }
  assert.equal(Buffer.from([0xfb, 0xff]).toString("base64"), "+/8=");
  assert.equal(Buffer.from([0xfb, 0xff]).toString("base64url"), "-_8");
});

test("base64 decoding quirks: both alphabets, whitespace, '=' stops, junk skipped", () => {
  const cases = [
    ["YQ", "61", 1], ["YWJ", "6162", 2], ["YWJjZ", "616263", 3], [" Y W J j\nZA==", "61626364", 8],
    ["YQ==YQ==", "61", 4], ["YQ=", "61", 1], ["Y", "", 0], ["YR==", "61", 1], ["YW-_", "616fbf", 3],
    ["YW+/", "616fbf", 3], ["Y*Q", "61", 2], ["YQ=a", "61", 3], ["a=b=c", "", 3], ["YWJj=ZGVm", "616263", 6],
    ["\u0100YQ", "61", 2], ["%%%%YQ", "61", 4], ["\u0141\u0141\u0141\u0141", "000000", 3], ["g😀😀Fÿ", "", 5],
  ];
  for (const [s, bytes, len] of cases) {
    assert.equal(hex(Buffer.from(s, "base64")), bytes, JSON.stringify(s));
    assert.equal(hex(Buffer.from(s, "base64url")), bytes, JSON.stringify(s));
    assert.equal(Buffer.byteLength(s, "base64"), len, JSON.stringify(s));
  }
});

test("encodings: isEncoding, unknown encodings", () => {
  for (const e of ["utf8", "UTF-8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "ucs2", "UCS-2", "utf16le", "UTF-16LE"]) {
    assert.ok(Buffer.isEncoding(e), e);
  }
  assert.ok(!Buffer.isEncoding(""));
  assert.ok(!Buffer.isEncoding("utf-16"));
  assert.ok(!Buffer.isEncoding(null));
  assert.throws(() => Buffer.from("a", "foo"), { code: "ERR_UNKNOWN_ENCODING", name: "TypeError", message: "Unknown encoding: foo" });
  assert.throws(() => Buffer.from("a").toString("foo"), { code: "ERR_UNKNOWN_ENCODING" });
  assert.throws(() => Buffer.from("a").toString(null), { message: "Unknown encoding: null" });
  assert.throws(() => Buffer.alloc(2).write("a", "foo"), { code: "ERR_UNKNOWN_ENCODING" });
  assert.equal(hex(Buffer.from("a", null)), "61");
  assert.equal(hex(Buffer.from("a", "")), "61");
  assert.equal(Buffer.byteLength("a€", "foo"), 4); // unknown: utf8
});

test("toString with ranges", () => {
  const b = Buffer.from("hello world");
  assert.equal(b.toString("utf8", 6), "world");
  assert.equal(b.toString("utf8", 0, 5), "hello");
  assert.equal(b.toString("utf8", -1, 100), "hello world");
  assert.equal(b.toString("utf8", 1.7, 3.2), "el");
  assert.equal(b.toString(undefined, 2, 4), "ll");
  assert.equal(b.toString("hex", 4, 2), "");
  assert.equal(b.toString("utf8", 20), "");
  assert.equal(b.toString("base64", 0, 3), "aGVs");
  assert.equal(b.toLocaleString(), "hello world");
});

test("write: offset, length, encoding, whole characters only", () => {
  const b = Buffer.alloc(8);
  assert.equal(b.write("abc"), 3);
  assert.equal(b.write("xy", 6), 2);
  assert.equal(b.toString(), "abc\0\0\0xy");
  assert.equal(b.write("zz", 3, 1), 1);
  assert.equal(b.write("ffee", 4, "hex"), 2);
  assert.equal(hex(b), "6162637affee7879");
  assert.equal(b.write("abc", 1, "latin1"), 3);
  assert.equal(Buffer.alloc(2).write("a€"), 1);
  assert.equal(Buffer.alloc(3).write("€€"), 3);
  assert.equal(Buffer.alloc(3).write("abc", "utf16le"), 2);
  const c = Buffer.alloc(4);
  assert.equal(c.write("abcdef", "base64"), 4);
  assert.equal(hex(c), "69b71d79");
  assert.equal(c.write("zz", "hex"), 0);
  assert.equal(c.write("a1zz", 1, "hex"), 1);
  assert.equal(hex(c), "69a11d79");
  assert.throws(() => b.write(5), { code: "ERR_INVALID_ARG_TYPE", message: "argument must be a string" });
  assert.throws(() => b.write("a", 9), { code: "ERR_OUT_OF_RANGE", message: 'The value of "offset" is out of range. It must be >= 0 && <= 8. Received 9' });
  assert.throws(() => b.write("a", 1.5), { code: "ERR_OUT_OF_RANGE", message: 'The value of "offset" is out of range. It must be an integer. Received 1.5' });
  assert.throws(() => b.write("a", 0, 10), { code: "ERR_OUT_OF_RANGE", message: 'The value of "length" is out of range. It must be >= 0 && <= 8. Received 10' });
});

test("fixed-width reads match node's values", () => {
  const b = Buffer.from([0x01, 0x82, 0xf3, 0x44, 0xa5, 0x06, 0xf7, 0x88, 0x19, 0xfa]);
  for (const [m, [at1, at2]] of Object.entries(READS)) {
    assert.equal(b[m](1), big(at1), `${m}(1)`);
    assert.equal(b[m](2), big(at2), `${m}(2)`);
    const alias = m.replace("UInt", "Uint");
    assert.equal(b[alias](1), big(at1), `${alias}(1)`);
  }
  for (const [key, v] of Object.entries(VAR_READS)) {
    const m = key.slice(0, -1);
    const w = Number(key.slice(-1));
    assert.equal(b[m](1, w), v, key);
    assert.equal(b[m.replace("UInt", "Uint")](1, w), v, key);
  }
  assert.equal(b.readUInt8(), 1); // default offset 0
  assert.equal(b.readUInt32BE(), 0x0182f344);
  assert.equal(b.readBigUInt64LE(), 0x88f706a544f38201n);
});

test("writes of every width and byte order match node's bytes", () => {
  for (const [m, v, ret, bytes, w] of WRITES) {
    const x = Buffer.alloc(w === undefined ? 10 : 8);
    const r = w === undefined ? x[m](big(v), 1) : x[m](v, 1, w);
    assert.equal(r, ret, m);
    assert.equal(x.toString("hex"), bytes, `${m} ${v} ${w ?? ""}`);
    const y = Buffer.alloc(x.length);
    const alias = m.replace("UInt", "Uint");
    if (w === undefined) y[alias](big(v), 1); else y[alias](v, 1, w);
    assert.equal(y.toString("hex"), bytes, alias);
  }
  const z = Buffer.alloc(4);
  assert.equal(z.writeUInt8(1.5, 0), 1);
  assert.equal(z[0], 1);
  z.writeUInt8("3", 1);
  assert.equal(z[1], 3);
  z.writeUInt8(NaN, 1);
  assert.equal(z[1], 0);
  assert.equal(z.writeFloatLE("x"), 4);
  assert.ok(Number.isNaN(z.readFloatLE()));
  const d = Buffer.alloc(8);
  d.writeDoubleLE(-0);
  assert.ok(Object.is(d.readDoubleLE(), -0));
  d.writeFloatBE(Infinity);
  assert.equal(d.readFloatBE(), Infinity);
});

test("read/write range errors carry Node's codes and messages", () => {
  const b = Buffer.alloc(6);
  const oor = (fn, message) => assert.throws(fn, { name: "RangeError", code: "ERR_OUT_OF_RANGE", message: `The value of ${message}` });
  oor(() => b.readUInt8(12000), '"offset" is out of range. It must be >= 0 and <= 5. Received 12000');
  oor(() => b.readUInt8(2 ** 33), '"offset" is out of range. It must be >= 0 and <= 5. Received 8_589_934_592');
  oor(() => b.readUInt32LE(3), '"offset" is out of range. It must be >= 0 and <= 2. Received 3');
  oor(() => b.readUInt8(1.5), '"offset" is out of range. It must be an integer. Received 1.5');
  oor(() => b.readUIntLE(0, 7), '"byteLength" is out of range. It must be >= 1 and <= 6. Received 7');
  oor(() => b.readIntLE(0, 0), '"byteLength" is out of range. It must be >= 1 and <= 6. Received 0');
  oor(() => b.writeUInt8(256), '"value" is out of range. It must be >= 0 and <= 255. Received 256');
  oor(() => b.writeUInt8(-1), '"value" is out of range. It must be >= 0 and <= 255. Received -1');
  oor(() => b.writeUInt32LE(2 ** 32), '"value" is out of range. It must be >= 0 and <= 4294967295. Received 4294967296');
  oor(() => b.writeInt32LE(-(2 ** 31) - 1), '"value" is out of range. It must be >= -2147483648 and <= 2147483647. Received -2147483649');
  oor(() => b.writeInt16BE(40000), '"value" is out of range. It must be >= -32768 and <= 32767. Received 40000');
  oor(() => b.writeUIntLE(2 ** 48, 0, 6), '"value" is out of range. It must be >= 0 and < 2 ** 48. Received 281_474_976_710_656');
  oor(() => b.writeIntLE(2 ** 47, 0, 6), '"value" is out of range. It must be >= -(2 ** 47) and < 2 ** 47. Received 140_737_488_355_328');
  oor(() => b.writeUInt16LE(1, 5), '"offset" is out of range. It must be >= 0 and <= 4. Received 5');
  const e8 = Buffer.alloc(8);
  oor(() => e8.writeBigInt64LE(2n ** 63n), '"value" is out of range. It must be >= -(2n ** 63n) and < 2n ** 63n. Received 9_223_372_036_854_775_808n');
  oor(() => e8.writeBigUInt64LE(-1n), '"value" is out of range. It must be >= 0n and < 2n ** 64n. Received -1n');
  assert.throws(() => e8.writeBigUInt64LE(1), TypeError);
  const oob = { name: "RangeError", code: "ERR_BUFFER_OUT_OF_BOUNDS", message: "Attempt to access memory outside buffer bounds" };
  assert.throws(() => Buffer.alloc(2).readUInt32LE(0), oob);
  assert.throws(() => b.readBigInt64LE(), oob);
  assert.throws(() => Buffer.alloc(1).writeUInt16LE(1), oob);
  assert.throws(() => b.readUInt8("1"), { code: "ERR_INVALID_ARG_TYPE", message: `The "offset" argument must be of type number. Received type string ('1')` });
  assert.throws(() => b.readUIntLE(0), { code: "ERR_INVALID_ARG_TYPE", message: 'The "byteLength" argument must be of type number. Received undefined' });
  assert.throws(() => b.readUIntLE(undefined, 2), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => b.writeIntLE(1, 0, "2"), { code: "ERR_INVALID_ARG_TYPE" });
});

test("indexOf / lastIndexOf / includes", () => {
  const b = Buffer.from("abcabc");
  assert.equal(b.indexOf("b"), 1);
  assert.equal(b.indexOf("b", 2), 4);
  assert.equal(b.indexOf("b", -2), 4);
  assert.equal(b.indexOf("b", 1.5), 1);
  assert.equal(b.indexOf("b", null), 1);
  assert.equal(b.indexOf("b", true), 1);
  assert.equal(b.indexOf("bc", -3), 4);
  assert.equal(b.indexOf("zz"), -1);
  assert.equal(b.indexOf(98), 1);
  assert.equal(b.indexOf(98 + 256), 1);
  assert.equal(b.indexOf(-159), 0);
  assert.equal(b.indexOf(Buffer.from("ca")), 2);
  assert.equal(b.indexOf(new Uint8Array([0x63, 0x61])), 2);
  assert.equal(b.indexOf("6361", "hex"), 2);
  assert.equal(b.indexOf("6361", 3, "hex"), -1);
  assert.equal(b.indexOf("YWJj", "base64"), 0);
  assert.equal(b.indexOf(""), 0);
  assert.equal(b.indexOf("", 4), 4);
  assert.equal(b.indexOf("", 10), 6);
  assert.equal(b.indexOf(Buffer.alloc(0), 2), 2);
  assert.equal(b.indexOf(Buffer.from("abcabcd")), -1);
  assert.equal(b.lastIndexOf("c"), 5);
  assert.equal(b.lastIndexOf("c", -2), 2);
  assert.equal(b.lastIndexOf("b", null), -1);
  assert.equal(b.lastIndexOf("a", NaN), 3);
  assert.equal(b.lastIndexOf("a", {}), 3);
  assert.equal(b.lastIndexOf("a", -10), -1);
  assert.equal(b.lastIndexOf("", -10), 0);
  assert.equal(b.lastIndexOf(""), 6);
  assert.equal(b.lastIndexOf("", 2), 2);
  assert.equal(b.lastIndexOf(97, 10), 3);
  assert.equal(b.lastIndexOf("abc", 2), 0);
  assert.ok(b.includes("cab"));
  assert.ok(!b.includes("cab", 3));
  assert.ok(b.includes(99));
  // ucs2 needles match at even offsets only
  assert.equal(Buffer.from("\u0000b\u0000c", "latin1").indexOf("b", 0, "ucs2"), -1);
  assert.equal(Buffer.from("ab", "ucs2").indexOf("b", 0, "ucs2"), 2);
  const long = Buffer.alloc(10000, "x");
  long.write("needle".repeat(20), 9000);
  assert.equal(long.indexOf("needle".repeat(20)), 9000);
  assert.equal(long.lastIndexOf("x".repeat(100)), 9900);
  assert.equal(long.lastIndexOf("x".repeat(100), 9050), 8900);
  assert.throws(() => b.indexOf({}), { code: "ERR_INVALID_ARG_TYPE", message: 'The "value" argument must be one of type number or string or an instance of Buffer or Uint8Array. Received an instance of Object' });
  assert.throws(() => b.indexOf("a", 0, "foo"), { code: "ERR_UNKNOWN_ENCODING" });
});

test("concat, compare, equals", () => {
  assert.equal(Buffer.concat([Buffer.from("ab"), new Uint8Array([0x63]), Buffer.from("de")]).toString(), "abcde");
  assert.equal(Buffer.concat([Buffer.from("ab"), Buffer.from("cd")], 3).toString(), "abc");
  assert.equal(hex(Buffer.concat([Buffer.from("ab")], 4)), "61620000");
  assert.equal(Buffer.concat([]).length, 0);
  assert.throws(() => Buffer.concat("x"), { code: "ERR_INVALID_ARG_TYPE", message: `The "list" argument must be an instance of Array. Received type string ('x')` });
  assert.throws(() => Buffer.concat([Buffer.alloc(1), 1]), { code: "ERR_INVALID_ARG_TYPE", message: 'The "list[1]" argument must be an instance of Buffer or Uint8Array. Received type number (1)' });
  assert.throws(() => Buffer.concat([Buffer.from("ab")], -1), { code: "ERR_OUT_OF_RANGE" });

  assert.equal(Buffer.compare(Buffer.from("abc"), Buffer.from("abd")), -1);
  assert.equal(Buffer.compare(Buffer.from("b"), Buffer.from("abd")), 1);
  assert.equal(Buffer.compare(Buffer.from("ab"), Buffer.from("abc")), -1);
  assert.equal(Buffer.compare(Buffer.from("abc"), new Uint8Array([97, 98, 99])), 0);
  const x = Buffer.alloc(5000, 1);
  const y = Buffer.alloc(5000, 1);
  assert.equal(Buffer.compare(x, y), 0);
  y[4999] = 0;
  assert.equal(Buffer.compare(x, y), 1);
  assert.ok(!x.equals(y));
  y[4999] = 1;
  assert.ok(x.equals(y));
  y[0] = 0xff;
  assert.equal(x.compare(y), -1);
  assert.equal([Buffer.from("b"), Buffer.from("a"), Buffer.from("ab")].sort(Buffer.compare).map(String).join(), "a,ab,b");
  const s = Buffer.from("abc");
  assert.equal(s.compare(Buffer.from("xbcx"), 1, 3, 1), 0);
  assert.equal(s.compare(Buffer.from("b"), 5), 1);
  assert.equal(s.compare(Buffer.from("b"), 0, 1, 7), -1);
  assert.ok(Buffer.from("abc").equals(new Uint8Array([97, 98, 99])));
  assert.throws(() => Buffer.compare(1, s), { code: "ERR_INVALID_ARG_TYPE", message: 'The "buf1" argument must be an instance of Buffer or Uint8Array. Received type number (1)' });
  assert.throws(() => s.equals("abc"), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => s.compare(s, 0, 4), { code: "ERR_OUT_OF_RANGE" });
});

test("slice and subarray share memory with Node's index rules", () => {
  const p = Buffer.from("hello");
  const s = p.slice(1, 3);
  s[0] = 0x45;
  assert.equal(p.toString(), "hEllo");
  assert.equal(s.toString(), "El");
  assert.equal(s.buffer, p.buffer);
  assert.equal(s.byteOffset, p.byteOffset + 1);
  assert.equal(p.subarray(-3).toString(), "llo");
  assert.equal(p.slice(-2, -1).toString(), "l");
  assert.equal(p.slice(3, 1).length, 0);
  assert.equal(p.slice(1, 100).toString(), "Ello");
  assert.equal(p.slice("1", "3").toString(), "El");
  assert.equal(p.slice(NaN).length, 5);
  const ab = new ArrayBuffer(8);
  const v = Buffer.from(ab, 2, 4);
  v[0] = 7;
  assert.equal(new Uint8Array(ab)[2], 7);
  assert.equal(v.length, 4);
  assert.equal(Buffer.from(ab, 6).length, 2);
  assert.throws(() => Buffer.from(ab, 9), { code: "ERR_BUFFER_OUT_OF_BOUNDS", message: '"offset" is outside of buffer bounds' });
  assert.throws(() => Buffer.from(ab, 1, 8), { code: "ERR_BUFFER_OUT_OF_BOUNDS", message: '"length" is outside of buffer bounds' });
});

test("Buffer.from: arrays, array-likes, typed arrays (copied), objects", () => {
  assert.equal(hex(Buffer.from([257, -1, 1.7, "3", "x"])), "01ff010300");
  assert.equal(hex(Buffer.from(new Uint16Array([0x1234, 0x5678]))), "3478");
  const src = Buffer.from("ab");
  const copy = Buffer.from(src);
  copy[0] = 0;
  assert.equal(src.toString(), "ab");
  assert.equal(hex(Buffer.from({ length: 2, 0: 5, 1: 6 })), "0506");
  assert.equal(Buffer.from({ length: "3" }).length, 0);
  assert.equal(hex(Buffer.from({ type: "Buffer", data: [1, 2] })), "0102");
  assert.equal(Buffer.from(new String("ab")).toString(), "ab");
  assert.equal(Buffer.from({ [Symbol.toPrimitive]() { return "cd"; } }).toString(), "cd");
  assert.equal(Buffer.from({ valueOf() { return [1, 2]; } }).length, 2);
  assert.equal(Buffer.from(JSON.parse(JSON.stringify(Buffer.from("xyz")))).toString(), "xyz");
  const firstArg = "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.";
  assert.throws(() => Buffer.from(5), { code: "ERR_INVALID_ARG_TYPE", message: `${firstArg} Received type number (5)` });
  assert.throws(() => Buffer.from({}), { code: "ERR_INVALID_ARG_TYPE", message: `${firstArg} Received an instance of Object` });
  assert.throws(() => Buffer.from(null), { code: "ERR_INVALID_ARG_TYPE" });
  assert.equal(hex(Buffer.of(1, 2, 255)), "0102ff");
  assert.equal(hex(Buffer.copyBytesFrom(new Uint16Array([1, 2, 3]), 1, 1)), "0200");
  assert.equal(hex(Buffer.copyBytesFrom(new Uint8Array([1, 2, 3]), 1)), "0203");
  assert.throws(() => Buffer.copyBytesFrom([1]), { code: "ERR_INVALID_ARG_TYPE" });
});

test("alloc, allocUnsafe, byteLength", () => {
  assert.equal(hex(Buffer.alloc(4)), "00000000");
  assert.equal(Buffer.alloc(5, "ab").toString(), "ababa");
  assert.equal(Buffer.alloc(5, "YWI=", "base64").toString(), "ababa");
  assert.equal(hex(Buffer.alloc(4, 257)), "01010101");
  assert.equal(hex(Buffer.alloc(4, Buffer.from([1, 2, 3]))), "01020301");
  assert.equal(hex(Buffer.alloc(4, "")), "00000000");
  assert.equal(Buffer.allocUnsafe(10).length, 10);
  assert.equal(Buffer.allocUnsafeSlow(3).length, 3);
  assert.throws(() => Buffer.alloc(-1), { code: "ERR_OUT_OF_RANGE", message: `The value of "size" is out of range. It must be >= 0 && <= ${kMaxLength}. Received -1` });
  assert.throws(() => Buffer.alloc("5"), { code: "ERR_INVALID_ARG_TYPE", message: `The "size" argument must be of type number. Received type string ('5')` });
  assert.throws(() => Buffer.allocUnsafe(kMaxLength + 1), { code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => Buffer.alloc(4, "zz", "hex"), { code: "ERR_INVALID_ARG_VALUE", message: "The argument 'value' is invalid. Received 'zz'" });
  assert.equal(Buffer.byteLength(new Uint16Array(3)), 6);
  assert.equal(Buffer.byteLength(new ArrayBuffer(7)), 7);
  assert.equal(Buffer.byteLength(""), 0);
  assert.throws(() => Buffer.byteLength(5), { code: "ERR_INVALID_ARG_TYPE", message: 'The "string" argument must be of type string or an instance of Buffer or ArrayBuffer. Received type number (5)' });
});

test("fill: numbers, strings with encodings, buffers, ranges", () => {
  assert.equal(Buffer.alloc(5).fill("ab", 1).toString(), "\0abab");
  assert.equal(hex(Buffer.alloc(3).fill(-1)), "ffffff");
  assert.equal(hex(Buffer.alloc(3).fill({})), "000000");
  assert.equal(hex(Buffer.alloc(3).fill(true)), "010101");
  assert.equal(hex(Buffer.alloc(6).fill("e282ac", "hex")), "e282ace282ac");
  assert.equal(hex(Buffer.alloc(4).fill("€")), "e282ace2");
  assert.equal(hex(Buffer.alloc(4).fill("ab", 0, 3)), "61626100");
  assert.equal(hex(Buffer.alloc(4).fill("\u0101", "latin1")), "01010101");
  assert.equal(hex(Buffer.alloc(4).fill(0x61, 1, 3)), "00616100");
  assert.equal(hex(Buffer.alloc(3).fill(1, 7)), "000000"); // offset past the end: nothing
  const big = Buffer.alloc(10000).fill("xyz");
  assert.equal(big.toString("latin1", 9990), "xyzxyzxyzx");
  assert.throws(() => Buffer.alloc(4).fill("ab", 0, 5), { code: "ERR_OUT_OF_RANGE", message: 'The value of "end" is out of range. It must be >= 0 && <= 4. Received 5' });
  assert.throws(() => Buffer.alloc(4).fill("ab", -1), { code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => Buffer.alloc(4).fill("x", 0, 2, "foo"), { code: "ERR_UNKNOWN_ENCODING" });
  assert.throws(() => Buffer.alloc(4).fill(Buffer.alloc(0)), { code: "ERR_INVALID_ARG_VALUE", message: "The argument 'value' is invalid. Received <Buffer >" });
});

test("copy", () => {
  const src = Buffer.from("abcdef");
  const t = Buffer.alloc(3);
  assert.equal(src.copy(t), 3);
  assert.equal(t.toString(), "abc");
  assert.equal(src.copy(t, 1, 4), 2);
  assert.equal(t.toString(), "aef");
  assert.equal(src.copy(t, 1.5, "1"), 2);
  assert.equal(t.toString(), "abc");
  assert.equal(src.copy(t, 5), 0);
  assert.equal(src.copy(t, 0, 2, 100), 3);
  assert.equal(t.toString(), "cde");
  const self = Buffer.from("abcdef");
  self.copy(self, 2, 0, 4); // overlapping
  assert.equal(self.toString(), "ababcd");
  assert.throws(() => src.copy(1), { code: "ERR_INVALID_ARG_TYPE", message: 'The "target" argument must be an instance of Buffer or Uint8Array. Received type number (1)' });
  assert.throws(() => src.copy(t, -1), { code: "ERR_OUT_OF_RANGE", message: 'The value of "targetStart" is out of range. It must be >= 0. Received -1' });
  assert.throws(() => src.copy(t, 0, 7), { code: "ERR_OUT_OF_RANGE", message: 'The value of "sourceStart" is out of range. It must be >= 0 && <= 6. Received 7' });
  assert.throws(() => src.copy(t, 0, 0, -1), { code: "ERR_OUT_OF_RANGE", message: 'The value of "sourceEnd" is out of range. It must be >= 0. Received -1' });
});

test("swap16/32/64", () => {
  assert.equal(Buffer.from("abcdef").swap16().toString(), "badcfe");
  assert.equal(Buffer.from("abcdefgh").swap32().toString(), "dcbahgfe");
  assert.equal(Buffer.from("abcdefgh").swap64().toString(), "hgfedcba");
  assert.throws(() => Buffer.alloc(3).swap16(), { name: "RangeError", code: "ERR_INVALID_BUFFER_SIZE", message: "Buffer size must be a multiple of 16-bits" });
  assert.throws(() => Buffer.alloc(6).swap32(), { code: "ERR_INVALID_BUFFER_SIZE", message: "Buffer size must be a multiple of 32-bits" });
  assert.throws(() => Buffer.alloc(4).swap64(), { code: "ERR_INVALID_BUFFER_SIZE", message: "Buffer size must be a multiple of 64-bits" });
});

test("toJSON and inspect", () => {
  assert.deepEqual(Buffer.from("ab").toJSON(), { type: "Buffer", data: [97, 98] });
  assert.equal(JSON.stringify(Buffer.from("ab")), '{"type":"Buffer","data":[97,98]}');
  assert.equal(inspect(Buffer.from("hello")), "<Buffer 68 65 6c 6c 6f>");
  assert.equal(inspect(Buffer.alloc(0)), "<Buffer >");
  assert.equal(inspect(Buffer.alloc(51)), `<Buffer ${"00 ".repeat(50).trim()} ... 1 more byte>`);
  assert.equal(inspect(Buffer.alloc(60)).slice(-21), "00 ... 10 more bytes>");
  bufferModule.INSPECT_MAX_BYTES = 2;
  try {
    assert.equal(inspect(Buffer.from("abc")), "<Buffer 61 62 ... 1 more byte>");
  } finally {
    bufferModule.INSPECT_MAX_BYTES = 50;
  }
});

test("encoding-specific methods (utf8Slice, hexWrite, …)", () => {
  const b = Buffer.from("héllo");
  assert.equal(b.utf8Slice(0, 3), "hé");
  assert.equal(b.hexSlice(0, 2), "68c3");
  assert.equal(b.latin1Slice(1, 3), "\u00c3\u00a9");
  const w = Buffer.alloc(4);
  assert.equal(w.hexWrite("abcd", 1), 2);
  assert.equal(w.utf8Write("z"), 1);
  assert.equal(hex(w), "7aabcd00");
});

test("atob / btoa", () => {
  assert.equal(btoa("hello"), "aGVsbG8=");
  assert.equal(btoa("\u00ff\u00fe"), "//4=");
  assert.equal(btoa(undefined), "dW5kZWZpbmVk");
  assert.equal(atob("aGVsbG8="), "hello");
  assert.equal(atob(" YQ = = "), "a");
  assert.equal(atob("//4="), "\u00ff\u00fe");
  assert.equal(atob("YQ"), "a");
  assert.throws(() => btoa("\u0100"), { name: "InvalidCharacterError", message: "Invalid character" });
  assert.throws(() => atob("YQ="), { name: "InvalidCharacterError", message: "Invalid character" });
  assert.throws(() => atob("Y*=="), { name: "InvalidCharacterError", message: "Invalid character" });
  assert.throws(() => atob("Y"), { name: "InvalidCharacterError", message: "The string to be decoded is not correctly encoded." });
  assert.throws(() => atob(), { code: "ERR_MISSING_ARGS", message: 'The "input" argument must be specified' });
});

test("isUtf8 / isAscii", () => {
  assert.ok(isUtf8(Buffer.from("€\ufffd😀")));
  assert.ok(isUtf8(new ArrayBuffer(3)));
  assert.ok(!isUtf8(Buffer.from([0xff])));
  assert.ok(!isUtf8(Buffer.from([0xed, 0xa0, 0x80])));
  assert.ok(!isUtf8(Buffer.from([0xe2, 0x82])));
  assert.ok(isAscii(Buffer.from("abc")));
  assert.ok(!isAscii(Buffer.from("é")));
  assert.ok(!isAscii(new Uint8Array([0x80])));
  assert.ok(!isAscii(new Uint8Array([0x41, 0xff, 0x41])));
  assert.throws(() => isUtf8("abc"), { code: "ERR_INVALID_ARG_TYPE" });
});

test("transcode between utf8, ucs2, latin1 and ascii", () => {
  assert.equal(hex(transcode(Buffer.from("€a"), "utf8", "latin1")), "3f61");
  assert.equal(hex(transcode(Buffer.from("éa"), "utf8", "latin1")), "e961");
  assert.equal(hex(transcode(Buffer.from("éa"), "utf8", "ascii")), "3f61");
  assert.equal(hex(transcode(Buffer.from("€a"), "utf8", "ucs2")), "ac206100");
  assert.equal(transcode(Buffer.from("ac206100", "hex"), "ucs2", "utf8").toString(), "€a");
  assert.equal(transcode(Buffer.from([0xe9]), "latin1", "utf8").toString(), "é");
  assert.throws(() => transcode(Buffer.from("a"), "utf8", "hex"), { code: "U_ILLEGAL_ARGUMENT_ERROR", message: "Unable to transcode Buffer [U_ILLEGAL_ARGUMENT_ERROR]" });
});

test("Blob and File", async () => {
  const blob = new Blob(["ab", Buffer.from("cd"), new Uint16Array([0x6665]), new Blob(["g"])], { type: "Text/Plain" });
  assert.equal(blob.size, 7);
  assert.equal(blob.type, "text/plain");
  assert.equal(await blob.text(), "abcdefg");
  assert.equal(Object.prototype.toString.call(blob), "[object Blob]");
  const part = blob.slice(1, -1, "x/y");
  assert.equal(part.size, 5);
  assert.equal(part.type, "x/y");
  assert.equal(await part.text(), "bcdef");
  assert.equal(await blob.slice(-2).text(), "fg");
  assert.equal(new Uint8Array(await blob.arrayBuffer())[0], 0x61);
  assert.equal((await blob.bytes()).length, 7);
  assert.equal(new Blob([]).size, 0);
  assert.equal(new Blob(["a"], { type: "\u00e9" }).type, "");
  assert.throws(() => new Blob("abc"), { code: "ERR_INVALID_ARG_TYPE" });
  const file = new File(["hi"], "a.txt", { type: "text/plain", lastModified: 42 });
  assert.ok(file instanceof Blob);
  assert.equal(file.name, "a.txt");
  assert.equal(file.lastModified, 42);
  assert.equal(file.size, 2);
  assert.equal(await file.text(), "hi");
  assert.throws(() => new File(["x"]), { code: "ERR_MISSING_ARGS" });
});
