// A file copy through fs streams (createReadStream → createWriteStream with
// stream.pipeline), the same program on node and on unode. Usage:
//   node copy.js DIR MIB     prints: copy stream-copy <MB/s>
const fs = require("fs");
const path = require("path");
const { pipeline } = require("stream");

const dir = process.argv[2] || require("os").tmpdir();
const mib = Number(process.argv[3] || 64);
const src = path.join(dir, `copy-src-${process.pid}`);
const dst = path.join(dir, `copy-dst-${process.pid}`);
fs.mkdirSync(dir, { recursive: true });

const block = Buffer.alloc(1 << 20, "jsk unode stream copy\n");
const fd = fs.openSync(src, "w");
for (let i = 0; i < mib; i++) fs.writeSync(fd, block);
fs.closeSync(fd);

const t0 = performance.now();
pipeline(fs.createReadStream(src), fs.createWriteStream(dst), (err) => {
  const t1 = performance.now();
  if (err) throw err;
  const size = fs.statSync(dst).size;
  fs.unlinkSync(src);
  fs.unlinkSync(dst);
  if (size !== mib << 20) throw new Error(`copied ${size} bytes, expected ${mib << 20}`);
  console.log(`copy stream-copy ${((mib * 1.048576) / ((t1 - t0) / 1000)).toFixed(1)}`);
});
