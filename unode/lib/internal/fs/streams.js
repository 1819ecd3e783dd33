// node:internal/fs/streams — TODO: ReadStream/WriteStream once node:stream lands.
import { codes } from "node:internal/errors";
export class ReadStream { constructor() { throw codes.ERR_NOT_IMPLEMENTED("fs.ReadStream"); } }
export class WriteStream { constructor() { throw codes.ERR_NOT_IMPLEMENTED("fs.WriteStream"); } }
export function createReadStream(path, options) { return new ReadStream(path, options); }
export function createWriteStream(path, options) { return new WriteStream(path, options); }
