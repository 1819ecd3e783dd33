// node:internal/http/parser — an incremental HTTP/1.1 parser for requests and
// responses, fed Buffers as they arrive (the role llhttp plays in Node).
//
//   const p = new HTTPParser(REQUEST);
//   p.onHeaders = (p) => 0;   // 0: body follows as framed, 1: no body (HEAD response), 2: stop (upgrade)
//   p.onBody = (p, chunk) => {};
//   p.onComplete = (p) => {};
//   const r = p.execute(buf);  // bytes consumed (less than buf.length after an upgrade) or an Error
//   p.finish();                // at EOF: completes a body read until close, or returns an Error
//
// The head is found with a native byte search for CR and decoded once; a
// head split over several reads is gathered in one bounded buffer (never more
// than maxHeaderSize), so feeding byte by byte stays linear. Strict as Node's
// defaults are: CRLF line ends, no obs-fold, Content-Length with
// Transfer-Encoding rejected, duplicate Content-Length rejected, only the
// known methods. Errors carry Node's `code` (HPE_*), `reason`, `bytesParsed`
// and `rawPacket`.

import { decodeUtf8 } from "jsk:native";

export const REQUEST = 1;
export const RESPONSE = 2;

export const METHODS = [
  "ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK", "M-SEARCH", "MERGE",
  "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH",
  "PURGE", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK",
  "UNLOCK", "UNSUBSCRIBE",
];
const methodSet = new Set(METHODS);

// States.
const S_HEAD = 0;
const S_BODY_LEN = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_DATA = 3;
const S_CHUNK_END = 4; // the CRLF after chunk data
const S_TRAILERS = 5;
const S_BODY_EOF = 6;
const S_STOPPED = 7; // upgraded or after an error
const S_CLOSED = 8; // a message with Connection: close ended; anything more is an error

const u8IndexOf = Uint8Array.prototype.indexOf;
const fromCharCode = String.fromCharCode;

// The whole field section after the start line: token ":" value, CRLF separated.
const fieldsRe = /^[^\r\n]*(?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*)*$/; // trailers
const tokenRe = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const badValueRe = /[^\t\x20-\x7e\x80-\xff]/;
const urlBadRe = /[\x00-\x20\x7f]/;

/** Index of CRLFCRLF in u8 at or after `from`, or -1. */
function findHeadEnd(u8, from) {
  const len = u8.length;
  let i = from;
  for (;;) {
    i = u8IndexOf.call(u8, 13, i);
    if (i < 0 || i + 3 >= len) return -1;
    if (u8[i + 1] === 10) {
      if (u8[i + 2] === 13 && u8[i + 3] === 10) return i;
      i += 2;
    } else i++;
  }
}

/** Bytes [start, end) of u8 as a latin1 string. */
function latin1(u8, start, end) {
  const v = start === 0 && end === u8.length ? u8 : u8.subarray(start, end);
  const n = v.length;
  const s = decodeUtf8(v);
  // Same length and no U+FFFD: every byte was ASCII.
  if (s.length === n && s.indexOf("\ufffd") < 0) return s;
  let out = "";
  for (let i = 0; i < n; i += 8192) out += fromCharCode.apply(null, v.subarray(i, Math.min(n, i + 8192)));
  return out;
}

function parseError(code, reason, data, pos) {
  const err = new Error(`Parse Error: ${reason}`);
  err.code = code;
  err.reason = reason;
  err.bytesParsed = pos;
  err.rawPacket = data;
  return err;
}

/** Comma-separated tokens of a Connection header, lower-cased, checked for close/keep-alive/upgrade. */
function connectionFlags(v) {
  let flags = 0;
  const l = v.toLowerCase();
  if (l === "close") return 1;
  if (l === "keep-alive") return 2;
  if (l === "upgrade") return 4;
  for (const part of l.split(",")) {
    const t = part.trim();
    if (t === "close") flags |= 1;
    else if (t === "keep-alive") flags |= 2;
    else if (t === "upgrade") flags |= 4;
  }
  return flags;
}

export class HTTPParser {
  constructor(kind = REQUEST, options) {
    this.kind = kind;
    this.maxHeaderSize = options?.maxHeaderSize ?? 16384;
    this.onHeaders = null;
    this.onBody = null;
    this.onComplete = null;
    this.owner = null;
    this.state = S_HEAD;
    this.pending = null; // Uint8Array gathering a split head/trailer section
    this.pendingLen = 0;
    this.remaining = 0;
    this.sizeLine = ""; // a chunk-size line split over reads
    this.chunkCR = 0; // S_CHUNK_END: 0 expecting CR, 1 expecting LF
    this.error = null;
    this.headBytes = 0;
    // The current message.
    this.method = null;
    this.url = null;
    this.statusCode = 0;
    this.statusMessage = "";
    this.versionMajor = 1;
    this.versionMinor = 1;
    this.rawHeaders = null;
    this.rawTrailers = null;
    this.contentLength = -1;
    this.chunked = false;
    this.keepAlive = true;
    this.upgrade = false;
    this.hasHost = false;
    this.expect = null;
    this.messages = 0;
  }

  /** Start over (for another socket, or after an error), optionally as another kind. */
  reset(kind) {
    if (kind !== undefined) this.kind = kind;
    this.state = S_HEAD;
    this.pending = null;
    this.pendingLen = 0;
    this.error = null;
    this.sizeLine = "";
  }

  /** True while a message has started and has not completed. */
  get inMessage() {
    return this.state !== S_HEAD || this.pendingLen > 0;
  }

  /** True while a head (or a trailer section) has begun and is not complete. */
  get inHead() {
    return (this.state === S_HEAD && this.pendingLen > 0) || this.state === S_TRAILERS;
  }

  /** The parser stopped after an upgrade/CONNECT head (the rest of the bytes are the new protocol's). */
  get upgraded() {
    return this.state === S_STOPPED && this.error === null;
  }

  execute(data) {
    const len = data.length;
    let pos = 0;
    while (pos < len) {
      switch (this.state) {
        case S_HEAD: {
          let end; // index in data just past the head's CRLFCRLF
          let head; // the head as a string, without the final CRLFCRLF
          if (this.pendingLen === 0) {
            // Empty lines before a request line are ignored (RFC 9112 2.2).
            let c = data[pos];
            while (c === 13 || c === 10) {
              if (++pos === len) return len;
              c = data[pos];
            }
            const i = findHeadEnd(data, pos);
            if (i < 0) {
              if (len - pos > this.maxHeaderSize) return this.fail("HPE_HEADER_OVERFLOW", "Header overflow", data, pos);
              const lf = u8IndexOf.call(data, 10, pos);
              if (lf >= 0 && (lf === pos || data[lf - 1] !== 13)) return this.bareLF(data, pos, lf);
              this.gather(data, pos, len);
              return len;
            }
            if (i - pos > this.maxHeaderSize) return this.fail("HPE_HEADER_OVERFLOW", "Header overflow", data, pos);
            end = i + 4;
            if (pos === 0 && end === len) {
              // A read holding just this head: decoded whole (no view to
              // make), and a head seen before is not parsed again.
              const whole = decodeUtf8(data);
              const cache = this.kind === REQUEST ? requestHeads : responseHeads;
              const t = cache.get(whole);
              if (t !== undefined) {
                this.applyHead(t);
                this.headBytes = len;
                pos = len;
                const r = this.onHeaders(this);
                if (this.state === S_STOPPED) return pos;
                if (r === 2) {
                  this.state = S_STOPPED;
                  return pos;
                }
                if (r === 1 || this.noBody()) {
                  if (this.complete() === false) return pos;
                  break;
                }
                if (this.afterHead() === false) return pos;
                break;
              }
              if (whole.length === len && whole.indexOf("\ufffd") < 0) {
                head = whole.slice(0, i);
                const err = this.parseHead(head);
                if (err !== null) return this.fail(err[0], err[1], data, pos);
                if (len <= 2048) {
                  if (cache.size >= 128) cache.clear();
                  cache.set(whole, new HeadTemplate(this));
                }
                this.headBytes = len;
                pos = len;
                const r = this.onHeaders(this);
                if (this.state === S_STOPPED) return pos;
                if (r === 2) {
                  this.state = S_STOPPED;
                  return pos;
                }
                if (r === 1 || this.noBody()) {
                  if (this.complete() === false) return pos;
                  break;
                }
                if (this.afterHead() === false) return pos;
                break;
              }
            }
            head = latin1(data, pos, i);
          } else {
            const before = this.pendingLen;
            const take = Math.min(len - pos, this.maxHeaderSize + 4 - before);
            this.gather(data, pos, pos + take);
            const i = findHeadEnd(this.pending, Math.max(0, before - 3));
            if (i < 0 || i >= this.pendingLen) {
              if (this.pendingLen > this.maxHeaderSize) return this.fail("HPE_HEADER_OVERFLOW", "Header overflow", data, pos);
              const lf = u8IndexOf.call(this.pending.subarray(0, this.pendingLen), 10, Math.max(0, before - 1));
              if (lf >= 0 && (lf === 0 || this.pending[lf - 1] !== 13)) return this.bareLF(data, pos, lf);
              return len;
            }
            if (i > this.maxHeaderSize) return this.fail("HPE_HEADER_OVERFLOW", "Header overflow", data, pos);
            head = latin1(this.pending, 0, i);
            end = pos + (i + 4 - before);
            this.pending = null;
            this.pendingLen = 0;
          }
          this.headBytes = head.length + 4;
          const err = this.parseHead(head);
          if (err !== null) return this.fail(err[0], err[1], data, pos);
          pos = end;
          const r = this.onHeaders(this);
          if (this.state === S_STOPPED) return pos; // the callback stopped or reset us
          if (r === 2) {
            this.state = S_STOPPED;
            return pos;
          }
          if (r === 1 || this.noBody()) {
            if (this.complete() === false) return pos;
            break;
          }
          if (this.afterHead() === false) return pos;
          break;
        }
        case S_BODY_LEN: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          this.onBody(this, n === len ? data : data.subarray(pos, pos + n));
          pos += n;
          if (this.remaining === 0 && this.state === S_BODY_LEN) {
            if (this.complete() === false) return pos;
          }
          break;
        }
        case S_CHUNK_SIZE: {
          const r = this.chunkSize(data, pos);
          if (r < 0) return this.error;
          pos = r;
          break;
        }
        case S_CHUNK_DATA: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          this.onBody(this, n === len ? data : data.subarray(pos, pos + n));
          pos += n;
          if (this.remaining === 0 && this.state === S_CHUNK_DATA) {
            this.state = S_CHUNK_END;
            this.chunkCR = 0;
          }
          break;
        }
        case S_CHUNK_END: {
          const c = data[pos];
          if (this.chunkCR === 0) {
            if (c !== 13) return this.fail("HPE_STRICT", "Expected LF after chunk data", data, pos);
            this.chunkCR = 1;
          } else {
            if (c !== 10) return this.fail("HPE_STRICT", "Expected LF after chunk data", data, pos);
            this.state = S_CHUNK_SIZE;
            this.sizeLine = "";
          }
          pos++;
          break;
        }
        case S_TRAILERS: {
          const r = this.trailers(data, pos);
          if (r < 0) return this.error;
          pos = r;
          if (this.state === S_STOPPED) return pos;
          break;
        }
        case S_BODY_EOF:
          this.onBody(this, pos === 0 ? data : data.subarray(pos));
          return len;
        case S_STOPPED:
          return this.error ?? pos;
        case S_CLOSED:
          // Node ignores what follows a response that closes the connection;
          // a request after `Connection: close` is refused.
          if (this.kind === RESPONSE) return len;
          return this.fail("HPE_CLOSED_CONNECTION", "Data after `Connection: close`", data, pos);
      }
    }
    return pos;
  }

  /** After a head with a body: the body's framing (false: stopped). */
  afterHead() {
    if (this.chunked) {
      this.state = S_CHUNK_SIZE;
      this.sizeLine = "";
    } else if (this.contentLength > 0) {
      this.state = S_BODY_LEN;
      this.remaining = this.contentLength;
    } else if (this.contentLength === 0 || this.kind === REQUEST) {
      return this.complete();
    } else {
      this.state = S_BODY_EOF;
      this.keepAlive = false;
    }
    return true;
  }

  /** The fields of a head parsed before. */
  applyHead(t) {
    this.method = t.method;
    this.url = t.url;
    this.statusCode = t.statusCode;
    this.statusMessage = t.statusMessage;
    this.versionMajor = t.versionMajor;
    this.versionMinor = t.versionMinor;
    this.rawHeaders = t.rawHeaders.slice();
    this.rawTrailers = null;
    this.contentLength = t.contentLength;
    this.chunked = t.chunked;
    this.keepAlive = t.keepAlive;
    this.upgrade = t.upgrade;
    this.hasHost = t.hasHost;
    this.expect = t.expect;
  }

  /** End of input: a body read until close completes; a partial message is an error. */
  finish() {
    if (this.state === S_BODY_EOF) {
      this.complete();
      return 0;
    }
    if (this.state === S_STOPPED && this.error) return this.error;
    if (this.state === S_HEAD && this.pendingLen === 0) return 0;
    if (this.state === S_STOPPED || this.state === S_CLOSED) return 0;
    const err = parseError("HPE_INVALID_EOF_STATE", "Invalid EOF state", null, 0);
    this.state = S_STOPPED;
    this.error = err;
    return err;
  }

  /** A line ended with LF alone (Node's parser is strict about CRLF). */
  bareLF(data, pos, lf) {
    const firstLine = this.pendingLen === 0 ? u8IndexOf.call(data, 13, pos) < 0 || u8IndexOf.call(data, 13, pos) > lf
      : this.pending.indexOf(13) < 0 || this.pending.indexOf(13) > lf;
    if (firstLine && this.kind === REQUEST) return this.fail("HPE_INVALID_VERSION", "Expected CRLF after version", data, pos);
    return this.fail("HPE_LF_EXPECTED", "Missing expected LF after header value", data, pos);
  }

  fail(code, reason, data, pos) {
    const err = parseError(code, reason, data, pos);
    this.state = S_STOPPED;
    this.error = err;
    this.pending = null;
    this.pendingLen = 0;
    return err;
  }

  /** Stop parsing (the owner takes over the socket). */
  stop() {
    this.state = S_STOPPED;
  }

  gather(data, start, end) {
    const n = end - start;
    const need = this.pendingLen + n;
    if (this.pending === null || this.pending.length < need) {
      const grown = new Uint8Array(Math.max(need, Math.min(this.maxHeaderSize + 4, (this.pendingLen || 256) * 2)));
      if (this.pendingLen > 0) grown.set(this.pending.subarray(0, this.pendingLen));
      this.pending = grown;
    }
    this.pending.set(start === 0 && end === data.length ? data : data.subarray(start, end), this.pendingLen);
    this.pendingLen = need;
  }

  noBody() {
    if (this.kind === REQUEST) return false;
    const s = this.statusCode;
    return (s >= 100 && s < 200) || s === 204 || s === 304;
  }

  /** The message ended: tell the owner, then get ready for the next one (false: stopped). */
  complete() {
    const keep = this.keepAlive;
    const informational = this.kind === RESPONSE && this.statusCode >= 100 && this.statusCode < 200 && this.statusCode !== 101;
    this.state = S_HEAD;
    this.messages++;
    this.onComplete(this);
    if (this.state !== S_HEAD) return false;
    if (!keep && !informational) {
      this.state = S_CLOSED;
    }
    if (this.upgrade && !informational && this.kind === RESPONSE) {
      this.state = S_STOPPED;
      return false;
    }
    return true;
  }

  /** Parse the start line and the fields; sets the message fields. Returns null or [code, reason]. */
  parseHead(head) {
    const lines = head.split("\r\n");
    const first = lines[0];
    if (this.kind === REQUEST) {
      let line = requestLines.get(first);
      if (line === undefined) {
        line = this.requestLine(first);
        if (line.length === 2) return line;
        if (first.length <= 256) {
          if (requestLines.size >= 256) requestLines.clear();
          requestLines.set(first, line);
        }
      }
      this.method = line[0];
      this.url = line[1];
      this.versionMajor = line[2];
      this.versionMinor = line[3];
    } else {
      const e = this.version(first, 0, true);
      if (e !== null) return e;
      if (first.charCodeAt(8) !== 32) return ["HPE_INVALID_VERSION", "Expected space after version"];
      const digits = first.slice(9, 12);
      if (!/^\d{3}$/.test(digits) || (first.length > 12 && first.charCodeAt(12) !== 32)) {
        return ["HPE_INVALID_STATUS", "Invalid status code"];
      }
      this.statusCode = +digits;
      this.statusMessage = first.length > 13 ? first.slice(13) : "";
    }
    const nl = lines.length;
    const raw = new Array((nl - 1) * 2);
    let cl = -1;
    let te = null;
    let conn = 0;
    let upgradeHeader = false;
    this.hasHost = false;
    this.expect = null;
    for (let i = 1, r = 0; i < nl; i++, r += 2) {
      const line = lines[i];
      let f = fieldLines.get(line);
      if (f === undefined) {
        f = parseField(line);
        if (f === null) return diagnoseFields(lines);
        if (line.length <= 256) {
          if (fieldLines.size >= 1024) fieldLines.clear();
          fieldLines.set(line, f);
        }
      }
      const value = f[1];
      raw[r] = f[0];
      raw[r + 1] = value;
      switch (f[2]) {
        case F_OTHER:
          break;
        case F_HOST:
          this.hasHost = true;
          break;
        case F_EXPECT:
          this.expect = value;
          break;
        case F_UPGRADE:
          upgradeHeader = true;
          break;
        case F_CONNECTION:
          conn |= f[3];
          break;
        case F_CONTENT_LENGTH:
          if (cl !== -1) return ["HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length"];
          if (f[3] < 0) {
            return ["HPE_INVALID_CONTENT_LENGTH", f[3] === -1 ? "Invalid character in Content-Length" : "Content-Length overflow"];
          }
          cl = f[3];
          break;
        case F_TRANSFER_ENCODING:
          te = te === null ? value : `${te}, ${value}`;
          break;
      }
    }
    this.rawHeaders = raw;
    this.rawTrailers = null;
    let chunked = false;
    if (te !== null) {
      if (cl !== -1) return ["HPE_INVALID_TRANSFER_ENCODING", "Transfer-Encoding can't be present with Content-Length"];
      const codings = te.toLowerCase().split(",");
      const last = codings[codings.length - 1].trim();
      chunked = last === "chunked";
      for (let i = 0; i < codings.length - 1; i++) {
        if (codings[i].trim() === "chunked") return ["HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value"];
      }
      if (!chunked && this.kind === REQUEST) return ["HPE_INVALID_TRANSFER_ENCODING", "Request has invalid `Transfer-Encoding`"];
    }
    this.chunked = chunked;
    this.contentLength = chunked ? -1 : cl;
    const v11 = this.versionMajor === 1 && this.versionMinor === 1;
    const v10plus = this.versionMajor > 1 || v11;
    let keep = v10plus ? (conn & 1) === 0 : (conn & 2) !== 0;
    this.upgrade = this.kind === REQUEST
      ? (upgradeHeader && (conn & 4) !== 0) || this.method === "CONNECT"
      : this.statusCode === 101;
    if (this.kind === RESPONSE && !this.noBody() && !chunked && cl === -1) keep = false;
    this.keepAlive = keep;
    return null;
  }

  /** [method, url, major, minor] of a request line, or [code, reason]. */
  requestLine(first) {
    const sp1 = first.indexOf(" ");
    if (sp1 <= 0) return ["HPE_INVALID_METHOD", "Invalid method encountered"];
    const method = first.slice(0, sp1);
    if (!methodSet.has(method)) {
      return ["HPE_INVALID_METHOD", tokenRe.test(method) ? "Invalid method encountered" : "Expected space after method"];
    }
    const sp2 = first.indexOf(" ", sp1 + 1);
    if (sp2 < 0) return ["HPE_INVALID_VERSION", "Expected HTTP/"];
    const url = first.slice(sp1 + 1, sp2);
    if (url.length === 0) return ["HPE_INVALID_URL", "Unexpected start char in url"];
    if (urlBadRe.test(url)) return ["HPE_INVALID_URL", "Invalid char in url path"];
    const e = this.version(first, sp2 + 1);
    if (e !== null) return e;
    return [method, url, this.versionMajor, this.versionMinor];
  }

  /** "HTTP/x.y" at `at` in the start line; a request's must end the line. */
  version(line, at, isResponse) {
    if (line.charCodeAt(at) !== 72 || line.charCodeAt(at + 1) !== 84 || line.charCodeAt(at + 2) !== 84 ||
        line.charCodeAt(at + 3) !== 80 || line.charCodeAt(at + 4) !== 47) {
      return ["HPE_INVALID_CONSTANT", "Expected HTTP/"];
    }
    const ma = line.charCodeAt(at + 5) - 48;
    const mi = line.charCodeAt(at + 7) - 48;
    if (!(ma >= 0 && ma <= 9) || line.charCodeAt(at + 6) !== 46 || !(mi >= 0 && mi <= 9)) {
      return ["HPE_INVALID_VERSION", "Invalid HTTP version"];
    }
    if (!((ma === 1 && mi <= 1) || (ma === 0 && mi === 9) || (ma === 2 && mi === 0))) {
      return ["HPE_INVALID_VERSION", "Invalid HTTP version"];
    }
    if (!isResponse && line.length !== at + 8) return ["HPE_INVALID_VERSION", "Expected CRLF after version"];
    this.versionMajor = ma;
    this.versionMinor = mi;
    return null;
  }

  /** S_CHUNK_SIZE: hex size, extensions, CRLF. Returns the new position or -1. */
  chunkSize(data, pos) {
    const len = data.length;
    let i = u8IndexOf.call(data, 10, pos);
    const end = i < 0 ? len : i + 1;
    if (end - pos + this.sizeLine.length > 16384) {
      this.fail("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", data, pos);
      return -1;
    }
    const part = latin1(data, pos, end);
    if (i < 0) {
      this.sizeLine += part;
      return len;
    }
    const line = this.sizeLine + part; // ends with "\n"
    this.sizeLine = "";
    if (line.length < 2 || line.charCodeAt(line.length - 2) !== 13) {
      this.fail("HPE_STRICT", "Expected LF after chunk size", data, i);
      return -1;
    }
    let size = 0;
    let k = 0;
    const n = line.length - 2;
    for (; k < n; k++) {
      const c = line.charCodeAt(k);
      let d;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      size = size * 16 + d;
      if (size > Number.MAX_SAFE_INTEGER) {
        this.fail("HPE_INVALID_CHUNK_SIZE", "Chunk size overflow", data, pos);
        return -1;
      }
    }
    if (k === 0) {
      this.fail("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size", data, pos);
      return -1;
    }
    if (k < n) {
      // Optional whitespace, then ";ext"; nothing else.
      let c = line.charCodeAt(k);
      while (c === 32 || c === 9) c = line.charCodeAt(++k);
      if (k < n && c !== 59) {
        this.fail("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size", data, pos);
        return -1;
      }
      if (k < n && /[\x00-\x08\x0a-\x1f\x7f]/.test(line.slice(k, n))) {
        this.fail("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk extensions", data, pos);
        return -1;
      }
    }
    if (size === 0) {
      this.state = S_TRAILERS;
      return end;
    }
    this.state = S_CHUNK_DATA;
    this.remaining = size;
    return end;
  }

  /** S_TRAILERS: after the last chunk, fields until an empty line. */
  trailers(data, pos) {
    const len = data.length;
    if (this.pendingLen === 0) {
      if (data[pos] === 13 && pos + 1 < len) {
        if (data[pos + 1] !== 10) {
          this.fail("HPE_STRICT", "Expected LF after trailers", data, pos);
          return -1;
        }
        this.rawTrailers = [];
        this.complete();
        return pos + 2;
      }
      // Gather "\r\n" + the fields until CRLFCRLF.
      this.gather(CRLF, 0, 2);
    }
    const before = this.pendingLen;
    const take = Math.min(len - pos, this.maxHeaderSize + 4 - before);
    this.gather(data, pos, pos + take);
    const i = findHeadEnd(this.pending, Math.max(0, before - 3));
    if (i < 0 || i >= this.pendingLen) {
      if (this.pendingLen > this.maxHeaderSize) {
        this.fail("HPE_HEADER_OVERFLOW", "Header overflow", data, pos);
        return -1;
      }
      return len;
    }
    const block = latin1(this.pending, 0, i);
    const end = pos + (i + 4 - before);
    this.pending = null;
    this.pendingLen = 0;
    const raw = [];
    if (block.length > 2) {
      if (!fieldsRe.test(block)) {
        const e = diagnoseFields(block.split("\r\n"));
        this.fail(e[0], e[1], data, pos);
        return -1;
      }
      const lines = block.split("\r\n");
      for (let k = 1; k < lines.length; k++) {
        const line = lines[k];
        const colon = line.indexOf(":");
        raw.push(line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ""));
      }
    }
    this.rawTrailers = raw;
    this.complete();
    return end;
  }
}

const CRLF = new Uint8Array([13, 10]);

/** What parseHead found in a head, kept to apply to the same head again. */
class HeadTemplate {
  constructor(p) {
    this.method = p.method;
    this.url = p.url;
    this.statusCode = p.statusCode;
    this.statusMessage = p.statusMessage;
    this.versionMajor = p.versionMajor;
    this.versionMinor = p.versionMinor;
    this.rawHeaders = p.rawHeaders.slice();
    this.contentLength = p.contentLength;
    this.chunked = p.chunked;
    this.keepAlive = p.keepAlive;
    this.upgrade = p.upgrade;
    this.hasHost = p.hasHost;
    this.expect = p.expect;
  }
}
// Whole reads that were exactly one head (with its CRLFCRLF), by their text.
const requestHeads = new Map();
const responseHeads = new Map();

// Parsed field lines by their text: a client sends the same lines again and
// again (Host, User-Agent, Accept, …), so each is checked and split once.
const requestLines = new Map();
const fieldLines = new Map();
const F_OTHER = 0;
const F_HOST = 1;
const F_EXPECT = 2;
const F_UPGRADE = 3;
const F_CONNECTION = 4;
const F_CONTENT_LENGTH = 5;
const F_TRANSFER_ENCODING = 6;
const fieldLineRe = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*$/;

/** [name, value, kind, extra] for one field line, or null if it is malformed. */
function parseField(line) {
  if (!fieldLineRe.test(line)) return null;
  const colon = line.indexOf(":");
  const name = line.slice(0, colon);
  let a = colon + 1;
  let b = line.length;
  let c = line.charCodeAt(a);
  while (c === 32 || c === 9) c = line.charCodeAt(++a);
  if (b > a) {
    c = line.charCodeAt(b - 1);
    while (c === 32 || c === 9) c = line.charCodeAt(--b - 1);
  }
  const value = line.slice(a, b);
  let kind = F_OTHER;
  let extra = 0;
  switch (colon) {
    case 4:
      if (name.toLowerCase() === "host") kind = F_HOST;
      break;
    case 6:
      if (name.toLowerCase() === "expect") kind = F_EXPECT;
      break;
    case 7:
      if (name.toLowerCase() === "upgrade") kind = F_UPGRADE;
      break;
    case 10:
      if (name.toLowerCase() === "connection") {
        kind = F_CONNECTION;
        extra = connectionFlags(value);
      }
      break;
    case 14:
      if (name.toLowerCase() === "content-length") {
        kind = F_CONTENT_LENGTH;
        if (value.length === 0 || !/^\d+$/.test(value)) extra = -1;
        else {
          extra = +value;
          if (extra > Number.MAX_SAFE_INTEGER) extra = -2;
        }
      }
      break;
    case 17:
      if (name.toLowerCase() === "transfer-encoding") kind = F_TRANSFER_ENCODING;
      break;
  }
  return [name, value, kind, extra];
}

/** Which rule a field section broke (only on the error path). */
function diagnoseFields(lines) {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) return ["HPE_INVALID_HEADER_TOKEN", "Invalid header token"];
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9) return ["HPE_INVALID_HEADER_TOKEN", "Unexpected whitespace after header value"];
    if (line.indexOf("\n") >= 0) return ["HPE_INVALID_HEADER_TOKEN", "Invalid header value char"];
    const colon = line.indexOf(":");
    if (colon < 0) {
      const cr = line.indexOf("\r");
      if (cr >= 0 && tokenRe.test(line.slice(0, cr))) return ["HPE_INVALID_HEADER_TOKEN", "Invalid header token"];
      return ["HPE_INVALID_HEADER_TOKEN", "Invalid header token"];
    }
    if (!tokenRe.test(line.slice(0, colon))) return ["HPE_INVALID_HEADER_TOKEN", "Invalid header token"];
    const value = line.slice(colon + 1);
    const cr = value.indexOf("\r");
    if (cr >= 0) return ["HPE_LF_EXPECTED", "Missing expected LF after header value"];
    if (badValueRe.test(value)) return ["HPE_INVALID_HEADER_TOKEN", "Invalid header value char"];
  }
  if (/[\r\n]/.test(lines[0])) return ["HPE_LF_EXPECTED", "Missing expected LF after header value"];
  return ["HPE_INVALID_HEADER_TOKEN", "Invalid header token"];
}
