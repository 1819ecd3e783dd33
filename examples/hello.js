// The first thing to run: jsk prints through console, reads its arguments,
// and waits on a timer in its event loop.
const who = process.argv[2] ?? "world";
console.log(`Hello, ${who}! jsk on ${process.arch}, pid ${process.pid}`);
await new Promise((resolve) => setTimeout(resolve, 10));
console.log({ runtime: "jsk", engine: "QuickJS", layers: ["syscall", "jsk:sys", "jsk:hal", "drivers"] });
