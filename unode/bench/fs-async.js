// Asynchronous fs throughput, the same program on node and on unode. Usage:
//   node fs-async.js DIR [N] [MIB]     prints:
//   fsasync readfile-x<N>  <ops/s>   N concurrent fs.promises.readFile of a 1 KiB file, repeated
//   fsasync stat-x<N>      <ops/s>   N concurrent fs.promises.stat, repeated
//   fsasync stream-read    <MB/s>    a MIB MiB file read through fs.createReadStream
// (under unode, UNODE_FS_BACKEND picks the backend: io_uring or threads)
const fs = require("fs");
const path = require("path");

const dir = process.argv[2] || require("os").tmpdir();
const n = Number(process.argv[3] || 64);
const mib = Number(process.argv[4] || 64);
fs.mkdirSync(dir, { recursive: true });
const small = path.join(dir, `fsasync-small-${process.pid}`);
const big = path.join(dir, `fsasync-big-${process.pid}`);
fs.writeFileSync(small, Buffer.alloc(1024, "fs async bench\n"));
const block = Buffer.alloc(1 << 20, "jsk unode fs async\n");
const fd = fs.openSync(big, "w");
for (let i = 0; i < mib; i++) fs.writeSync(fd, block);
fs.closeSync(fd);

async function rate(label, make, minMs = 500) {
  let ops = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < minMs) {
    const batch = [];
    for (let i = 0; i < n; i++) batch.push(make());
    await Promise.all(batch);
    ops += n;
    t1 = performance.now();
  }
  console.log(`fsasync ${label} ${(ops / ((t1 - t0) / 1000)).toFixed(1)}`);
}

function streamRead() {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const t0 = performance.now();
    fs.createReadStream(big)
      .on("data", (c) => { bytes += c.length; })
      .on("error", reject)
      .on("end", () => {
        const t1 = performance.now();
        if (bytes !== mib << 20) reject(new Error(`read ${bytes} bytes, expected ${mib << 20}`));
        console.log(`fsasync stream-read ${((bytes / 1e6) / ((t1 - t0) / 1000)).toFixed(1)}`);
        resolve();
      });
  });
}

(async () => {
  const want = fs.readFileSync(small).length;
  await rate(`readfile-x${n}`, () => fs.promises.readFile(small).then((b) => {
    if (b.length !== want) throw new Error("short readFile");
  }));
  await rate(`stat-x${n}`, () => fs.promises.stat(small));
  await streamRead();
  fs.unlinkSync(small);
  fs.unlinkSync(big);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
