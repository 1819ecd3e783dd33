// node:crypto — FIPS 180-4 / RFC 1321 / RFC 4231 / RFC 6070 / RFC 5869 / RFC 7914
// vectors, a digest of 140 random cases checked against node, the streams,
// the random functions and Node's argument errors.
import { test, assert } from "jsk:test";
import crypto from "node:crypto";
import { createHash, createHmac, hash, randomInt, getHashes } from "node:crypto";
import { Buffer } from "node:buffer";

const hex = (s) => Buffer.from(s, "hex");
const sha = (alg, data, enc = "hex") => crypto.createHash(alg).update(data).digest(enc);
const code = (c) => (e) => e.code === c;

test("RFC 1321 md5 suite", () => {
  const suite = {
    "": "d41d8cd98f00b204e9800998ecf8427e",
    a: "0cc175b9c0f1b6a831c399e269772661",
    abc: "900150983cd24fb0d6963f7d28e17f72",
    "message digest": "f96b697d7cb7938d525a2f31aaf161d0",
    abcdefghijklmnopqrstuvwxyz: "c3fcd3d76192e4007dfb496cca67e13b",
    ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789: "d174ab98d277d9f5a5611c2c9f419d9f",
    ["1234567890".repeat(8)]: "57edf4a22be3c955ac49da2e2107b67a",
  };
  for (const [m, d] of Object.entries(suite)) assert.equal(sha("md5", m), d, m);
});

const ABC2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const ABC4 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

test("FIPS 180-4 examples: sha1, sha224, sha256", () => {
  assert.equal(sha("sha1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(sha("sha1", ABC2), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  assert.equal(sha("sha224", "abc"), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
  assert.equal(sha("sha224", ABC2), "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525");
  assert.equal(sha("sha256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(sha("sha256", ABC2), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  assert.equal(sha("sha256", ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("FIPS 180-4 examples: sha384, sha512, sha512/256, sha512/224", () => {
  assert.equal(sha("sha384", "abc"), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  assert.equal(sha("sha384", ABC4), "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
  assert.equal(sha("sha512", "abc"), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  assert.equal(sha("sha512", ABC4), "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
  assert.equal(sha("sha512-256", "abc"), "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  assert.equal(sha("sha512-224", "abc"), "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa");
  assert.equal(sha("RSA-SHA512/256", ABC4), sha("sha512-256", ABC4));
});

test("one million 'a' (md5, sha1, sha256, sha512), fed in uneven chunks", () => {
  const expected = {
    md5: "7707d6ae4e027c70eea2a935c2296f21",
    sha1: "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
    sha256: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    sha512: "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
  };
  const a = Buffer.alloc(1e6, "a");
  for (const [alg, d] of Object.entries(expected)) {
    const h = createHash(alg);
    for (let p = 0, k = 1; p < a.length; p += k, k = (k * 7 + 3) % 9000) h.update(a.subarray(p, p + k));
    assert.equal(h.digest("hex"), d, alg);
  }
});

const RFC4231 = {
  "sha224": [
    "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
    "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
    "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
    "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
    "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
    "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
  ],
  "sha256": [
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
  ],
  "sha384": [
    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
  ],
  "sha512": [
    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
  ],
};

test("RFC 4231 HMAC-SHA-224/256/384/512 test cases 1-4, 6, 7 and 5 (truncated)", () => {
  const cases = [
    [hex("0b".repeat(20)), "Hi There"],
    ["Jefe", "what do ya want for nothing?"],
    [hex("aa".repeat(20)), hex("dd".repeat(50))],
    [hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), hex("cd".repeat(50))],
    [hex("aa".repeat(131)), "Test Using Larger Than Block-Size Key - Hash Key First"],
    [hex("aa".repeat(131)), "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."],
  ];
  for (const [alg, want] of Object.entries(RFC4231)) {
    cases.forEach(([k, d], i) => assert.equal(createHmac(alg, k).update(d).digest("hex"), want[i], `${alg} case ${i}`));
  }
  const tc5 = { sha224: "0e2aea68a90c8d37c988bcdb9fca6fa8", sha256: "a3b6167473100ee06e0c796c2955552b",
    sha384: "3abf34c3503b2a23a46efc619baef897", sha512: "415fad6271580a531d4179bc891d87a6" };
  for (const [alg, want] of Object.entries(tc5)) {
    assert.equal(createHmac(alg, hex("0c".repeat(20))).update("Test With Truncation").digest("hex").slice(0, 32), want);
  }
  // RFC 2202 md5 / sha1 case 2.
  assert.equal(createHmac("md5", "Jefe").update("what do ya want for nothing?").digest("hex"), "750c783e6ab0b503eaa86e310a5db738");
  assert.equal(createHmac("sha1", "Jefe").update("what do ya want for nothing?").digest("hex"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
});

test("140 random inputs (0..1000 bytes, random update() chunks) agree with node", () => {
  let seed = 987654321;
  const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const algs = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512-256"];
  const all = createHash("sha256");
  for (let t = 0; t < 140; t++) {
    const a = algs[t % algs.length], len = rnd(1001);
    const data = new Uint8Array(len);
    for (let i = 0; i < len; i++) data[i] = rnd(256);
    const x = createHash(a), m = createHmac(a, data.subarray(0, rnd(200)));
    for (let p = 0; p < len;) {
      const k = Math.min(len - p, rnd(300));
      x.update(data.subarray(p, p + k));
      m.update(data.subarray(p, p + k));
      p += k;
    }
    all.update(x.digest("hex") + m.digest("hex"));
  }
  // node 20: the same loop's digest
  assert.equal(all.digest("hex"), "025291a787047aae2a3b26cbffdbfa0bb1d548cf5ac43acb1bafe81938a0ecad");
});

test("update encodings, digest encodings, copy()", () => {
  assert.equal(sha("md5", hex("68656c6c6f")), sha("md5", "hello"));
  assert.equal(createHash("md5").update("68656c6c6f", "hex").digest("hex"), sha("md5", "hello"));
  assert.equal(createHash("md5").update("aGVsbG8=", "base64").digest("hex"), sha("md5", "hello"));
  assert.equal(createHash("md5").update("héllo", "latin1").digest("hex"), sha("md5", hex("68e96c6c6f")));
  assert.equal(sha("sha1", "héllo"), sha("sha1", Buffer.from("héllo", "utf8")));
  assert.equal(sha("sha256", new Uint16Array([0x6261, 0x63])), sha("sha256", hex("61626300")));
  const d = createHash("sha256").update("abc").digest();
  assert.ok(Buffer.isBuffer(d) && d.length === 32);
  assert.equal(sha("sha256", "abc", "base64"), d.toString("base64"));
  assert.equal(sha("sha256", "abc", "base64url"), d.toString("base64url"));
  assert.equal(sha("sha256", "abc", "latin1"), d.toString("latin1"));
  assert.ok(Buffer.isBuffer(sha("sha256", "abc", "buffer")));
  const h = createHash("sha1").update("ab");
  const c = h.copy();
  h.update("c");
  assert.equal(c.digest("hex"), sha("sha1", "ab"));
  assert.equal(h.digest("hex"), sha("sha1", "abc"));
  assert.throws(() => h.update("x"), code("ERR_CRYPTO_HASH_FINALIZED"));
  assert.throws(() => h.digest(), /Digest already called/);
  assert.throws(() => h.copy(), code("ERR_CRYPTO_HASH_FINALIZED"));
  assert.ok(createHash("md5") instanceof crypto.Hash);
  assert.equal(crypto.Hash("md5").update("a").digest("hex"), "0cc175b9c0f1b6a831c399e269772661");
});

test("crypto.hash one-shot", () => {
  assert.equal(hash("sha1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(hash("md5", "abc", "base64"), "kAFQmDzST7DWlj99KOF/cg==");
  assert.deepEqual(hash("md5", Buffer.from("abc"), "buffer"), hex("900150983cd24fb0d6963f7d28e17f72"));
  assert.throws(() => hash("nope", "a"), /Digest method nope is not supported/);
  assert.throws(() => hash("sha1", 5), code("ERR_INVALID_ARG_TYPE"));
});

test("Hash and Hmac as Transform streams", async () => {
  const s = createHash("sha1");
  const got = new Promise((resolve) => s.on("data", resolve));
  s.write("streamed ");
  s.end(Buffer.from("data"));
  assert.equal((await got).toString("hex"), sha("sha1", "streamed data"));
  const m = createHmac("sha256", "k");
  m.setEncoding("hex");
  const got2 = new Promise((resolve) => m.on("data", resolve));
  m.end("abc");
  assert.equal(await got2, createHmac("sha256", "k").update("abc").digest("hex"));
});

test("Hmac: second digest() is empty, update after digest throws, keys of any size", () => {
  const h = createHmac("md5", "k");
  h.digest();
  assert.equal(h.digest("hex"), "");
  assert.equal(h.digest().length, 0);
  assert.throws(() => h.update("x"), code("ERR_CRYPTO_HASH_FINALIZED"));
  assert.equal(createHmac("sha256", Buffer.alloc(0)).digest("hex"), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  assert.equal(createHmac("sha256", "key").update("x").digest("hex"), createHmac("sha256", new TextEncoder().encode("key").buffer).update("x").digest("hex"));
  assert.throws(() => createHmac("nope", "k"), (e) => e.code === "ERR_CRYPTO_INVALID_DIGEST" && e.message === "Invalid digest: nope");
  assert.throws(() => createHmac("sha1", 5), code("ERR_INVALID_ARG_TYPE"));
});

test("argument errors as Node's", () => {
  assert.throws(() => createHash("nope"), (e) => e.message === "Digest method not supported" && e.code === undefined);
  assert.throws(() => createHash(), (e) => e.code === "ERR_INVALID_ARG_TYPE" && /"algorithm" argument must be of type string/.test(e.message));
  assert.throws(() => createHash("sha256").update(5), (e) => e.message ===
    'The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)');
  assert.throws(() => createHash("sha256").update("abc", "hex"), (e) => e.code === "ERR_INVALID_ARG_VALUE" &&
    e.message === "The argument 'encoding' is invalid for data of length 3. Received 'hex'");
  assert.throws(() => crypto.createCipheriv("aes-128-cbc", Buffer.alloc(16), Buffer.alloc(16)), code("ERR_NOT_IMPLEMENTED"));
  assert.throws(() => crypto.createSign("sha256"), code("ERR_NOT_IMPLEMENTED"));
  assert.throws(() => crypto.generateKeyPairSync("rsa"), code("ERR_NOT_IMPLEMENTED"));
  assert.throws(() => crypto.createDiffieHellman(512), code("ERR_NOT_IMPLEMENTED"));
  assert.throws(() => new crypto.KeyObject(), code("ERR_NOT_IMPLEMENTED"));
});

test("getHashes, constants", () => {
  const names = getHashes();
  for (const n of ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512-256", "RSA-SHA256"]) assert.ok(names.includes(n), n);
  for (const n of names) assert.equal(createHash(n).digest().length, createHash(n).digest().length, n);
  assert.equal(crypto.constants.RSA_PKCS1_PADDING, 1);
  assert.equal(crypto.constants.TLS1_3_VERSION, 772);
});

test("timingSafeEqual", () => {
  assert.equal(crypto.timingSafeEqual(Buffer.from("abc"), Buffer.from("abc")), true);
  assert.equal(crypto.timingSafeEqual(Buffer.from("ab"), Buffer.from("ac")), false);
  assert.equal(crypto.timingSafeEqual(Buffer.from("ab"), new Uint16Array([0x6261])), true);
  assert.equal(crypto.timingSafeEqual(new ArrayBuffer(3), new Uint8Array(3)), true);
  assert.throws(() => crypto.timingSafeEqual(Buffer.from("a"), Buffer.from("ab")), (e) =>
    e instanceof RangeError && e.code === "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH" && e.message === "Input buffers must have the same byte length");
  assert.throws(() => crypto.timingSafeEqual("a", "a"), code("ERR_INVALID_ARG_TYPE"));
});

test("RFC 6070 PBKDF2-HMAC-SHA1 (all but the 2^24-iteration vector), sha256/sha512", () => {
  const p = crypto.pbkdf2Sync;
  assert.equal(p("password", "salt", 1, 20, "sha1").toString("hex"), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  assert.equal(p("password", "salt", 2, 20, "sha1").toString("hex"), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  assert.equal(p("password", "salt", 4096, 20, "sha1").toString("hex"), "4b007901b765489abead49d926f721d065a429c1");
  assert.equal(p("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25, "sha1").toString("hex"),
    "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
  assert.equal(p("pass\0word", "sa\0lt", 4096, 16, "sha1").toString("hex"), "56fa6aa75548099dcc37d7f03425e0c3");
  assert.equal(p("password", "salt", 1, 32, "sha256").toString("hex"), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  assert.equal(p("p", "s", 3, 100, "sha512").length, 100);
  assert.equal(p("p", "s", 1, 0, "sha1").length, 0);
  assert.throws(() => p("p", "s", 0, 20, "sha1"), (e) => e.code === "ERR_OUT_OF_RANGE" && /"iterations"/.test(e.message));
  assert.throws(() => p("p", "s", 1, 20, "nope"), (e) => e.message === "Invalid digest: nope");
  assert.throws(() => p("p", "s", 1, 1), code("ERR_INVALID_ARG_TYPE"));
  assert.throws(() => p(1, "s", 1, 1, "sha1"), code("ERR_INVALID_ARG_TYPE"));
});

test("pbkdf2, hkdf, scrypt callbacks", async () => {
  const k = await new Promise((res, rej) => crypto.pbkdf2("password", "salt", 2, 20, "sha1", (e, key) => (e ? rej(e) : res(key))));
  assert.equal(k.toString("hex"), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  const h = await new Promise((res, rej) => crypto.hkdf("sha256", "k", "s", "i", 8, (e, key) => (e ? rej(e) : res(key))));
  assert.ok(h instanceof ArrayBuffer && h.byteLength === 8);
  const s = await new Promise((res, rej) => crypto.scrypt("", "", 64, { N: 16, r: 1, p: 1 }, (e, key) => (e ? rej(e) : res(key))));
  assert.equal(s.toString("hex").slice(0, 32), "77d6576238657b203b19ca42c18a0497");
  assert.throws(() => crypto.pbkdf2("p", "s", 1, 1, "sha1"), code("ERR_INVALID_ARG_TYPE"));
});

test("RFC 5869 HKDF test cases 1 (sha256) and 4 (sha1); limits", () => {
  const okm1 = crypto.hkdfSync("sha256", hex("0b".repeat(22)), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  assert.ok(okm1 instanceof ArrayBuffer);
  assert.equal(Buffer.from(okm1).toString("hex"), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  const okm4 = crypto.hkdfSync("sha1", hex("0b".repeat(11)), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  assert.equal(Buffer.from(okm4).toString("hex"), "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896");
  assert.throws(() => crypto.hkdfSync("sha256", "k", "s", "i", 255 * 32 + 1), (e) => e.code === "ERR_CRYPTO_INVALID_KEYLEN");
  assert.equal(crypto.hkdfSync("sha256", "k", "s", "i", 255 * 32).byteLength, 8160);
  assert.throws(() => crypto.hkdfSync("nope", "k", "s", "i", 10), code("ERR_CRYPTO_INVALID_DIGEST"));
  assert.throws(() => crypto.hkdfSync("sha256", "k", "s", "x".repeat(1025), 10), code("ERR_OUT_OF_RANGE"));
});

test("RFC 7914 scrypt vector 1, N=1024 r=8 p=2 against node, parameter errors", () => {
  assert.equal(crypto.scryptSync("", "", 64, { N: 16, r: 1, p: 1 }).toString("hex"),
    "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
  assert.equal(crypto.scryptSync("password", "NaCl", 64, { N: 1024, r: 8, p: 2 }).toString("hex"),
    "6d1a16d34e5543ffa9f6322de7fc17a0e1a41b56e9b1d2a74803b067d24e5f6696b60530009edb8dd0d12ca5c60a383d863ff024437a89fbf23f1b4c7069bacd");
  assert.throws(() => crypto.scryptSync("p", "s", 16, { N: 3 }), code("ERR_CRYPTO_INVALID_SCRYPT_PARAMS"));
  assert.throws(() => crypto.scryptSync("p", "s", 16, { N: 2 ** 20 }), /memory limit exceeded/);
  assert.throws(() => crypto.scryptSync("p", "s", 16, { N: 16, cost: 16 }), code("ERR_CRYPTO_SCRYPT_INVALID_PARAMETER"));
});

test("randomBytes, randomFillSync, randomFill", async () => {
  const a = crypto.randomBytes(64), b = crypto.randomBytes(64);
  assert.ok(Buffer.isBuffer(a) && a.length === 64);
  assert.notDeepEqual(a, b);
  assert.equal(crypto.randomBytes(0).length, 0);
  assert.equal(crypto.randomBytes(1 << 20).length, 1 << 20);
  const big = crypto.randomBytes(4096);
  const seen = new Set(big);
  assert.ok(seen.size > 200, `only ${seen.size} distinct bytes`);
  const viaCb = await new Promise((res, rej) => crypto.randomBytes(16, (e, buf) => (e ? rej(e) : res(buf))));
  assert.equal(viaCb.length, 16);
  assert.throws(() => crypto.randomBytes(-1), (e) => e.message === 'The value of "size" is out of range. It must be >= 0 && <= 2147483647. Received -1');
  assert.throws(() => crypto.randomBytes("a"), code("ERR_INVALID_ARG_TYPE"));
  const u = new Uint32Array(4);
  crypto.randomFillSync(u, 1, 2);
  assert.equal(u[0], 0);
  assert.equal(u[3], 0);
  assert.ok(u[1] !== 0 || u[2] !== 0);
  assert.throws(() => crypto.randomFillSync(new Uint32Array(4), 5), code("ERR_OUT_OF_RANGE"));
  assert.throws(() => crypto.randomFillSync(new Uint8Array(4), 2, 3), code("ERR_OUT_OF_RANGE"));
  assert.throws(() => crypto.randomFillSync("x"), code("ERR_INVALID_ARG_TYPE"));
  const z = new Uint8Array(32);
  const filled = await new Promise((res, rej) => crypto.randomFill(z, (e, buf) => (e ? rej(e) : res(buf))));
  assert.ok(filled === z && z.some((x) => x !== 0));
});

test("randomInt: range, uniformity, Node's range checks", async () => {
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 6000; i++) {
    const n = randomInt(3, 9);
    assert.ok(Number.isInteger(n) && n >= 3 && n < 9);
    counts[n - 3]++;
  }
  for (const c of counts) assert.ok(c > 800 && c < 1200, `counts ${counts}`);
  const big = randomInt(2 ** 48 - 1);
  assert.ok(big >= 0 && big < 2 ** 48 - 1);
  assert.equal(randomInt(-5, -4), -5);
  const n = await new Promise((res) => randomInt(10, (e, v) => res([e, v])));
  assert.equal(n[0], undefined);
  assert.ok(n[1] >= 0 && n[1] < 10);
  assert.throws(() => randomInt(10, 5), (e) => e.message === 'The value of "max" is out of range. It must be greater than the value of "min" (10). Received 5');
  assert.throws(() => randomInt(2 ** 48 + 1), (e) => e.message === 'The value of "max" is out of range. It must be <= 281474976710655. Received 281_474_976_710_657');
  assert.throws(() => randomInt(5, 2 ** 48 + 10), /"max - min" is out of range/);
  assert.throws(() => randomInt(1.5), (e) => e.message === 'The "max" argument must be a safe integer. Received type number (1.5)');
  assert.throws(() => randomInt(0), code("ERR_OUT_OF_RANGE"));
  assert.throws(() => randomInt(1, 2, 3), code("ERR_INVALID_ARG_TYPE"));
});

test("randomUUID, getRandomValues, webcrypto", async () => {
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const ids = new Set();
  for (let i = 0; i < 500; i++) {
    const id = crypto.randomUUID();
    assert.match(id, re);
    ids.add(id);
  }
  assert.equal(ids.size, 500);
  assert.match(crypto.webcrypto.randomUUID(), re);
  const v = new Uint16Array(8);
  assert.equal(crypto.getRandomValues(v), v);
  assert.equal(crypto.webcrypto.getRandomValues(new BigInt64Array(2)).length, 2);
  assert.throws(() => crypto.getRandomValues(new Float32Array(2)), (e) => e.name === "TypeMismatchError" && e.code === 17);
  assert.throws(() => crypto.getRandomValues(new Uint8Array(65537)), (e) => e.name === "QuotaExceededError" && e.code === 22);
  const d = await crypto.webcrypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"));
  assert.equal(Buffer.from(d).toString("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  await assert.rejects(crypto.subtle.importKey("raw", new Uint8Array(4), "AES-GCM", false, []), code("ERR_NOT_IMPLEMENTED"));
});

test("a Hash used as a stream: its end pushes the digest, and digest() still returns it once (node's pipeline(src, hash) idiom)", async () => {
  const { Readable, pipeline } = await import("node:stream");
  const h = createHash("md5");
  await new Promise((resolve, reject) => pipeline(Readable.from([Buffer.from("abc")]), h, (e) => (e ? reject(e) : resolve())));
  assert.equal(h.read().toString("hex"), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(h.digest("hex"), "900150983cd24fb0d6963f7d28e17f72");
  assert.throws(() => h.digest("hex"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
  // An Hmac's digest() after its end is empty, as in node.
  const m = createHmac("sha256", "k");
  await new Promise((resolve, reject) => pipeline(Readable.from([Buffer.from("abc")]), m, (e) => (e ? reject(e) : resolve())));
  assert.equal(m.digest("hex"), "");
  // digest() before end(): the stream still pushes the same digest.
  const h2 = createHash("sha1");
  h2.update("x");
  const d = h2.digest("hex");
  h2.end();
  await new Promise((resolve) => h2.once("finish", resolve));
  assert.equal(h2.read().toString("hex"), d);
});
