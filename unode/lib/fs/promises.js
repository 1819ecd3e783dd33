// node:fs/promises — the same object as require("fs").promises.
import promises from "node:internal/fs/promises";

export * from "node:internal/fs/promises";
export default promises;
