// node:internal/intl — a partial `Intl` for unode (QuickJS has none): one
// locale, en-US, whatever the locales argument asks for.
//
// - Segmenter: grapheme clusters by the rules of UAX #29 (CR LF, controls,
//   Hangul syllables, extending and spacing marks, prepend, emoji ZWJ
//   sequences, regional-indicator pairs, Indic conjuncts with a virama) over
//   the engine's Unicode property escapes; words and sentences by a subset
//   of the word and sentence rules (letters, digits, mid-word punctuation,
//   connector runs, whitespace runs; sentence terminators) — no dictionary
//   for CJK words (a run of ideographs is one word).
// - DateTimeFormat: en-US patterns for dateStyle/timeStyle and the
//   component options; time zones UTC and the local zone only.
// - NumberFormat: decimal, percent and currency styles with grouping,
//   integer/fraction/significant digits (rounded half away from zero on
//   the shortest decimal form, as ICU does); compact and unit ✘.
// - PluralRules (English cardinal and ordinal), Collator (base letters,
//   then accents, then case; `numeric`), ListFormat, RelativeTimeFormat,
//   getCanonicalLocales, supportedLocalesOf.

// Only jsk: modules here: Intl is loaded lazily, possibly while a program's ES modules are
// being evaluated, where loading node:fs's graph would be a cycle.
import { readlink } from "jsk:sys";
import { env } from "jsk:native";

const LOCALE = "en-US";

// ---- locales ---------------------------------------------------------------------

function canonicalTag(tag) {
  if (typeof tag !== "string" && (typeof tag !== "object" || tag === null)) throw new TypeError("Language ID should be string or object.");
  const s = String(tag);
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(s)) throw new RangeError(`Incorrect locale information provided`);
  return s.split("-").map((p, i) => {
    if (i === 0) return p.toLowerCase();
    if (p.length === 2 && /^[A-Za-z]+$/.test(p)) return p.toUpperCase();
    if (p.length === 4 && /^[A-Za-z]+$/.test(p)) return p[0].toUpperCase() + p.slice(1).toLowerCase();
    return p.toLowerCase();
  }).join("-");
}

function canonicalList(locales) {
  if (locales === undefined) return [];
  const list = typeof locales === "string" || !(Symbol.iterator in Object(locales)) ? [locales] : [...locales];
  const out = [];
  for (const l of list) {
    const c = canonicalTag(l);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

function getCanonicalLocales(locales) {
  return canonicalList(locales);
}

/** The locale an object reports: the first English one asked for, else en-US (it formats en-US either way). */
function resolveLocale(locales) {
  return canonicalList(locales).find((l) => l === "en" || l.startsWith("en-")) ?? LOCALE;
}

function supportedLocalesOf(locales) {
  return canonicalList(locales).filter((l) => l === "en" || l.startsWith("en-"));
}

function option(options, name, allowed, fallback, ctor) {
  let v = options[name];
  if (v === undefined) return fallback;
  v = String(v);
  if (allowed && !allowed.includes(v)) throw new RangeError(`Value ${v} out of range for ${ctor} options property ${name}`);
  return v;
}

function toOptions(options) {
  if (options === undefined) return { __proto__: null };
  if (options === null) throw new TypeError("Cannot convert undefined or null to object");
  return Object(options);
}

function defineStatics(C) {
  Object.defineProperty(C, "supportedLocalesOf", { value: supportedLocalesOf, writable: true, configurable: true });
}

// ---- Segmenter ------------------------------------------------------------------------

const reControl = /^[\p{Cc}\p{Zl}\p{Zp}]$/u;
const reFormat = /^\p{Cf}$/u;
const reExtend = /^[\p{Grapheme_Extend}\p{Emoji_Modifier}\u200C]$/u;
const reSpacing = /^\p{Mc}$/u;
const rePict = /^\p{Extended_Pictographic}$/u;
const reRI = /^\p{Regional_Indicator}$/u;
const PREPEND = new Set([0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6dd, 0x70f, 0x890, 0x891, 0x8e2, 0xd4e, 0x110bd, 0x110cd, 0x111c2, 0x111c3, 0x1193f, 0x11941, 0x11a3a, 0x11a84, 0x11a85, 0x11a86, 0x11a87, 0x11a88, 0x11a89, 0x11d46, 0x11f02]);
const VIRAMA = new Set([0x94d, 0x9cd, 0xacd, 0xb4d, 0xc4d, 0xd4d]);
const reIndicConsonant = /^[\u0915-\u0939\u0958-\u095F\u0978-\u097F\u0995-\u09B9\u09DC-\u09DF\u0A95-\u0AB9\u0B15-\u0B39\u0C15-\u0C39\u0D15-\u0D3A]$/u;

const CR = 1, LF = 2, CONTROL = 3, EXTEND = 4, ZWJ = 5, RI = 6, PREP = 7, SPACING = 8, HL = 9, HV = 10, HT = 11, HLV = 12, HLVT = 13, PICT = 14, OTHER = 0;

function gcb(ch, cp) {
  if (cp < 0x7f) return cp === 13 ? CR : cp === 10 ? LF : cp < 0x20 ? CONTROL : OTHER;
  if (cp === 0x200d) return ZWJ;
  if (reExtend.test(ch)) return EXTEND;
  if (PREPEND.has(cp)) return PREP;
  if (reControl.test(ch) || (reFormat.test(ch) && cp !== 0x200c)) return CONTROL;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0xa960 && cp <= 0xa97c)) return HL;
  if ((cp >= 0x1160 && cp <= 0x11a7) || (cp >= 0xd7b0 && cp <= 0xd7c6)) return HV;
  if ((cp >= 0x11a8 && cp <= 0x11ff) || (cp >= 0xd7cb && cp <= 0xd7fb)) return HT;
  if (cp >= 0xac00 && cp <= 0xd7a3) return (cp - 0xac00) % 28 === 0 ? HLV : HLVT;
  if (reRI.test(ch)) return RI;
  if (reSpacing.test(ch) || cp === 0xe33 || cp === 0xeb3) return SPACING;
  if (rePict.test(ch)) return PICT;
  return OTHER;
}

/** Start indices (code units) of the grapheme clusters of s, and s.length last. */
function graphemeBreaks(s) {
  const breaks = [0];
  let prev = -1, prevCp = 0, riRun = 0, pictState = 0; // pictState: 1 after Pict Extend*, 2 after Pict Extend* ZWJ
  let conjunct = 0; // 1 after an Indic consonant (with extends), 2 after consonant + virama
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i);
    const ch = String.fromCodePoint(cp);
    const t = gcb(ch, cp);
    let join;
    if (prev === -1) join = true;
    else if (prev === CR && t === LF) join = true;
    else if (prev === CR || prev === LF || prev === CONTROL || t === CR || t === LF || t === CONTROL) join = false;
    else if (prev === HL && (t === HL || t === HV || t === HLV || t === HLVT)) join = true;
    else if ((prev === HLV || prev === HV) && (t === HV || t === HT)) join = true;
    else if ((prev === HLVT || prev === HT) && t === HT) join = true;
    else if (t === EXTEND || t === ZWJ || t === SPACING) join = true;
    else if (prev === PREP) join = true;
    else if (prev === ZWJ && t === PICT && pictState === 2) join = true;
    else if (prev === RI && t === RI) join = riRun % 2 === 1;
    else if (conjunct === 2 && reIndicConsonant.test(ch)) join = true;
    else join = false;
    if (!join && i > 0) breaks.push(i);
    // state after this code point
    if (t === PICT) pictState = 1;
    else if (t === EXTEND && pictState === 1) pictState = 1;
    else if (t === ZWJ && pictState === 1) pictState = 2;
    else pictState = 0;
    riRun = t === RI ? (join ? riRun + 1 : 1) : 0;
    if (reIndicConsonant.test(ch)) conjunct = 1;
    else if (VIRAMA.has(cp) && conjunct >= 1) conjunct = 2;
    else if ((t === EXTEND || t === ZWJ) && conjunct >= 1) conjunct = conjunct === 2 ? 2 : 1;
    else conjunct = 0;
    prev = t;
    prevCp = cp;
    i += cp > 0xffff ? 2 : 1;
  }
  void prevCp;
  if (s.length > 0) breaks.push(s.length);
  return breaks;
}

const reLetter = /^[\p{Alphabetic}\p{M}]$/u;
const reIdeo = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
const reDigit = /^\p{Nd}$/u;
const reSpace = /^[\p{Zs}\t]$/u;
const MID_LETTER = new Set([":", "·", "'", "’", ".", "\u2018", "\u2024", "\uFE52", "\uFF07", "\uFF0E", "\u05F4", "\u0387", "\uFE13", "\uFE55", "\uFF1A"]);
const MID_NUM = new Set([",", ";", ".", "'", "’", "\u066C", "\uFE50", "\uFE54", "\uFF0C", "\uFF1B"]);

function wordClass(cluster) {
  const c = String.fromCodePoint(cluster.codePointAt(0));
  if (c === "_" || /^\p{Pc}$/u.test(c)) return "X"; // connector
  if (reIdeo.test(c)) return "I";
  if (reDigit.test(c)) return "N";
  if (reLetter.test(c)) return "A";
  if (reSpace.test(c)) return "S";
  return "O";
}

/** Word segments: [start, end, isWordLike] over grapheme clusters. */
function wordSegments(s) {
  const g = graphemeBreaks(s);
  const clusters = [];
  for (let k = 0; k + 1 < g.length; k++) clusters.push(s.slice(g[k], g[k + 1]));
  const cls = clusters.map(wordClass);
  const out = [];
  let k = 0;
  while (k < clusters.length) {
    const start = g[k];
    const c = cls[k];
    let j = k + 1;
    if (c === "A" || c === "N" || c === "X") {
      for (;;) {
        const n = cls[j];
        if (n === "A" || n === "N" || n === "X") j++;
        else if (j + 1 < clusters.length && (cls[j + 1] === "A" || cls[j + 1] === "N") && cls[j - 1] === cls[j + 1] &&
          (cls[j + 1] === "A" ? MID_LETTER.has(clusters[j]) : MID_NUM.has(clusters[j]))) j += 2;
        else break;
      }
      out.push([start, g[j], true]);
    } else if (c === "I") {
      while (cls[j] === "I") j++;
      out.push([start, g[j], true]);
    } else if (c === "S") {
      while (cls[j] === "S") j++;
      out.push([start, g[j], false]);
    } else {
      out.push([start, g[j], false]);
    }
    k = j;
  }
  return out;
}

/** After a full stop: is the next letter (skipping what is neither a letter nor a terminator) lower case? */
function lowerFollows(s, j) {
  for (; j < s.length; j++) {
    const c = s[j];
    if (/[.!?\n\r\u2029]/.test(c)) return false;
    if (/\p{L}/u.test(c)) return /\p{Ll}/u.test(c);
  }
  return false;
}

/** Sentence segments: [start, end]. */
function sentenceSegments(s) {
  const out = [];
  let start = 0, i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "." || c === "!" || c === "?" || c === "\u3002" || c === "\n" || c === "\u2029") {
      const sterm = c !== ".";
      let j = i + 1;
      if (c !== "\n" && c !== "\u2029") {
        while (j < s.length && /[.!?]/.test(s[j])) j++;
        while (j < s.length && /["'\u201D\u2019)\]}»]/u.test(s[j])) j++;
      }
      const afterTerm = j;
      while (j < s.length && (s[j] === " " || s[j] === "\t" || s[j] === "\u00A0")) j++;
      if (j < s.length && (s[j] === "\n" || s[j] === "\r")) {
        j++;
        if (s[j - 1] === "\r" && s[j] === "\n") j++;
      }
      let brk;
      if (c === "\n" || c === "\u2029") brk = true;
      else if (j >= s.length) brk = false;
      else if (j === afterTerm && !sterm) brk = false; // "3.14", "e.g": no space after a full stop
      else if (!sterm && lowerFollows(s, j)) brk = false;
      else brk = j > afterTerm || sterm;
      if (brk) {
        out.push([start, j]);
        start = j;
      }
      i = Math.max(j, i + 1);
    } else i++;
  }
  if (start < s.length) out.push([start, s.length]);
  return out;
}

const kGranularity = Symbol("granularity");

class Segments {
  constructor(granularity, input) {
    this[kGranularity] = granularity;
    Object.defineProperty(this, "_input", { value: input });
    Object.defineProperty(this, "_list", { value: null, writable: true });
  }

  list() {
    if (this._list) return this._list;
    const s = this._input, g = this[kGranularity];
    let spans;
    if (g === "grapheme") {
      const b = graphemeBreaks(s);
      spans = [];
      for (let k = 0; k + 1 < b.length; k++) spans.push([b[k], b[k + 1]]);
    } else if (g === "word") spans = wordSegments(s);
    else spans = sentenceSegments(s);
    this._list = spans.map(([a, b, w]) => {
      const seg = { segment: s.slice(a, b), index: a, input: s };
      if (g === "word") seg.isWordLike = w;
      return seg;
    });
    return this._list;
  }

  containing(index) {
    let n = Number(index);
    if (Number.isNaN(n)) n = 0;
    n = Math.trunc(n);
    if (n < 0 || n >= this._input.length) return undefined;
    for (const seg of this.list()) if (n >= seg.index && n < seg.index + seg.segment.length) return { ...seg };
    return undefined;
  }

  *[Symbol.iterator]() {
    for (const seg of this.list()) yield { ...seg };
  }
}

class Segmenter {
  constructor(locales, options) {
    this._locale = resolveLocale(locales);
    const o = toOptions(options);
    option(o, "localeMatcher", ["lookup", "best fit"], "best fit", "Intl.Segmenter");
    this[kGranularity] = option(o, "granularity", ["grapheme", "word", "sentence"], "grapheme", "Intl.Segmenter");
  }

  segment(string) {
    return new Segments(this[kGranularity], String(string));
  }

  resolvedOptions() {
    return { locale: this._locale, granularity: this[kGranularity] };
  }
}
Object.defineProperty(Segmenter.prototype, Symbol.toStringTag, { value: "Intl.Segmenter", configurable: true });
defineStatics(Segmenter);

// ---- time zones -----------------------------------------------------------------------

const UTC_NAMES = new Set(["UTC", "ETC/UTC", "ETC/GMT", "GMT", "ETC/UCT", "UCT", "UNIVERSAL", "ETC/UNIVERSAL", "ZULU", "ETC/ZULU", "ETC/GREENWICH", "GREENWICH", "GMT0", "ETC/GMT0", "GMT+0", "GMT-0", "ETC/GMT+0", "ETC/GMT-0"]);

let localZone;
function localTimeZone() {
  if (localZone) return localZone;
  let tz = globalThis.process?.env ? globalThis.process.env.TZ : env.TZ;
  if (tz !== undefined && tz.startsWith(":")) tz = tz.slice(1);
  if (!tz) {
    try {
      const link = String(readlink("/etc/localtime"));
      const at = link.indexOf("zoneinfo/");
      tz = at >= 0 ? link.slice(at + 9) : "UTC";
    } catch {
      tz = "UTC";
    }
  }
  localZone = UTC_NAMES.has(tz.toUpperCase()) ? "UTC" : tz;
  return localZone;
}

function resolveTimeZone(tz) {
  if (tz === undefined) return localTimeZone();
  const s = String(tz);
  if (UTC_NAMES.has(s.toUpperCase())) return "UTC";
  if (s === localTimeZone()) return s;
  throw new RangeError(`Invalid time zone specified: ${s} (unode's Intl knows UTC and the local time zone, ${localTimeZone()})`);
}

// ---- DateTimeFormat ---------------------------------------------------------------------

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const kDTF = Symbol("dtf");
const kLegacy = Symbol("IntlLegacyConstructedSymbol");

function pad2(n) {
  return n < 10 ? `0${n}` : String(n);
}

function fields(date, utc) {
  return utc
    ? { y: date.getUTCFullYear(), mo: date.getUTCMonth(), d: date.getUTCDate(), wd: date.getUTCDay(), h: date.getUTCHours(), mi: date.getUTCMinutes(), s: date.getUTCSeconds(), ms: date.getUTCMilliseconds(), off: 0 }
    : { y: date.getFullYear(), mo: date.getMonth(), d: date.getDate(), wd: date.getDay(), h: date.getHours(), mi: date.getMinutes(), s: date.getSeconds(), ms: date.getMilliseconds(), off: -date.getTimezoneOffset() };
}

function zoneName(f, zone, style) {
  if (zone === "UTC") return style === "long" ? "Coordinated Universal Time" : "UTC";
  const off = f.off;
  if (off === 0) return "GMT";
  const sign = off > 0 ? "+" : "-", a = Math.abs(off), h = Math.floor(a / 60), m = a % 60;
  if (style === "long" || style === "longOffset") return `GMT${sign}${pad2(h)}:${pad2(m)}`;
  return `GMT${sign}${h}${m ? `:${pad2(m)}` : ""}`;
}

function DateTimeFormat(locales, options) {
  if (!new.target) {
    const made = new DateTimeFormat(locales, options);
    if (this instanceof DateTimeFormat && this !== DateTimeFormat.prototype) {
      Object.defineProperty(this, kLegacy, { value: made });
      return this;
    }
    return made;
  }
  const locale = resolveLocale(locales);
  const o = toOptions(options);
  const C = "Intl.DateTimeFormat";
  const st = {
    locale,
    timeZone: resolveTimeZone(o.timeZone),
    weekday: option(o, "weekday", ["narrow", "short", "long"], undefined, C),
    era: option(o, "era", ["narrow", "short", "long"], undefined, C),
    year: option(o, "year", ["2-digit", "numeric"], undefined, C),
    month: option(o, "month", ["2-digit", "numeric", "narrow", "short", "long"], undefined, C),
    day: option(o, "day", ["2-digit", "numeric"], undefined, C),
    hour: option(o, "hour", ["2-digit", "numeric"], undefined, C),
    minute: option(o, "minute", ["2-digit", "numeric"], undefined, C),
    second: option(o, "second", ["2-digit", "numeric"], undefined, C),
    fractionalSecondDigits: o.fractionalSecondDigits === undefined ? undefined : Number(o.fractionalSecondDigits),
    timeZoneName: option(o, "timeZoneName", ["short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric"], undefined, C),
    dateStyle: option(o, "dateStyle", ["full", "long", "medium", "short"], undefined, C),
    timeStyle: option(o, "timeStyle", ["full", "long", "medium", "short"], undefined, C),
    hourCycle: option(o, "hourCycle", ["h11", "h12", "h23", "h24"], undefined, C),
  };
  if (st.fractionalSecondDigits !== undefined && !(st.fractionalSecondDigits >= 1 && st.fractionalSecondDigits <= 3)) {
    throw new RangeError("fractionalSecondDigits value is out of range.");
  }
  if (o.hour12 !== undefined) st.hourCycle = o.hour12 ? "h12" : "h24"; // V8 with en-US: hour12 false is h24
  const styled = st.dateStyle || st.timeStyle;
  const anyField = ["weekday", "year", "month", "day", "hour", "minute", "second", "fractionalSecondDigits"].some((k) => st[k] !== undefined);
  if (styled && anyField) throw new TypeError(`Can't set option ${["weekday", "year", "month", "day", "hour", "minute", "second"].find((k) => st[k] !== undefined)} when ${st.dateStyle ? "dateStyle" : "timeStyle"} is used`);
  if (!styled && !anyField) {
    st.year = "numeric";
    st.month = "numeric";
    st.day = "numeric";
  }
  if (st.hour !== undefined || st.timeStyle) {
    st.hourCycle ??= "h12";
    if (st.hourCycle === "h24" || st.hourCycle === "h23") {
      if (st.hour) st.hour = "2-digit";
    }
  } else st.hourCycle = undefined;
  this[kDTF] = st;
}
Object.defineProperty(DateTimeFormat.prototype, Symbol.toStringTag, { value: "Intl.DateTimeFormat", configurable: true });
defineStatics(DateTimeFormat);

function dtfState(obj) {
  const st = obj?.[kDTF] ?? obj?.[kLegacy]?.[kDTF];
  if (!st) throw new TypeError("Method Intl.DateTimeFormat.prototype.format called on incompatible receiver");
  return st;
}

function toDate(date) {
  const d = date === undefined ? new Date() : new Date(typeof date === "object" ? Number(date) : date);
  if (Number.isNaN(d.getTime())) throw new RangeError("Invalid time value");
  return d;
}

/** The parts of `date` as st formats it. */
function formatParts(st, date) {
  const f = fields(date, st.timeZone === "UTC");
  const parts = [];
  const lit = (v) => parts.push({ type: "literal", value: v });
  const part = (type, value) => parts.push({ type, value });
  let ds = st.dateStyle, ts = st.timeStyle;
  let weekday = st.weekday, year = st.year, month = st.month, day = st.day;
  let hour = st.hour, minute = st.minute, second = st.second, tzn = st.timeZoneName;
  if (ds === "full") [weekday, month, day, year] = ["long", "long", "numeric", "numeric"];
  else if (ds === "long") [month, day, year] = ["long", "numeric", "numeric"];
  else if (ds === "medium") [month, day, year] = ["short", "numeric", "numeric"];
  else if (ds === "short") [month, day, year] = ["numeric", "numeric", "2-digit"];
  if (ts) {
    hour = "numeric";
    minute = "2-digit";
    if (ts !== "short") second = "2-digit";
    if (ts === "full") tzn = "long";
    else if (ts === "long") tzn = "short";
  }
  const textMonth = month === "long" || month === "short" || month === "narrow";
  const monthStr = month === "long" ? MONTHS[f.mo] : month === "short" ? MONTHS[f.mo].slice(0, 3) : month === "narrow" ? MONTHS[f.mo][0] : month === "2-digit" ? pad2(f.mo + 1) : String(f.mo + 1);
  const dayStr = day === "2-digit" ? pad2(f.d) : String(f.d);
  const yearStr = year === "2-digit" ? pad2(f.y % 100) : String(f.y);
  const hasDate = weekday || year || month || day;
  if (weekday) {
    part("weekday", weekday === "long" ? DAYS[f.wd] : weekday === "short" ? DAYS[f.wd].slice(0, 3) : DAYS[f.wd][0]);
    if (year || month || day) lit(", ");
  }
  if (textMonth) {
    part("month", monthStr);
    if (day) {
      lit(" ");
      part("day", dayStr);
      if (year) lit(", ");
    } else if (year) lit(" ");
    if (year) part("year", yearStr);
  } else {
    const seq = [];
    if (month) seq.push(["month", monthStr]);
    if (day) seq.push(["day", dayStr]);
    if (year) seq.push(["year", yearStr]);
    seq.forEach(([t, v], i) => {
      if (i) lit("/");
      part(t, v);
    });
  }
  const hasTime = hour || minute || second || st.fractionalSecondDigits;
  if (hasDate && hasTime) lit(ds && ts && (ds === "full" || ds === "long") ? " at " : ", ");
  if (hasTime) {
    const cyc = st.hourCycle;
    let h = f.h;
    if (cyc === "h12") h = h % 12 === 0 ? 12 : h % 12;
    else if (cyc === "h11") h %= 12;
    else if (cyc === "h24") h = h === 0 ? 24 : h;
    const seq = [];
    if (hour) seq.push(["hour", hour === "2-digit" ? pad2(h) : String(h)]);
    if (minute) seq.push(["minute", hour || second ? pad2(f.mi) : minute === "2-digit" ? pad2(f.mi) : String(f.mi)]);
    if (second) seq.push(["second", hour || minute ? pad2(f.s) : second === "2-digit" ? pad2(f.s) : String(f.s)]);
    seq.forEach(([t, v], i) => {
      if (i) lit(":");
      part(t, v);
    });
    if (st.fractionalSecondDigits) {
      if (seq.length) lit(".");
      part("fractionalSecond", String(f.ms).padStart(3, "0").slice(0, st.fractionalSecondDigits));
    }
    if (hour && (cyc === "h12" || cyc === "h11")) {
      lit(" ");
      part("dayPeriod", f.h < 12 ? "AM" : "PM");
    }
  }
  if (tzn) {
    if (parts.length) lit(hasTime ? " " : ", ");
    part("timeZoneName", zoneName(f, st.timeZone, tzn));
  }
  return parts;
}

Object.defineProperties(DateTimeFormat.prototype, {
  format: {
    configurable: true,
    get() {
      const st = dtfState(this);
      return (date) => formatParts(st, toDate(date)).map((p) => p.value).join("");
    },
  },
  formatToParts: {
    configurable: true,
    writable: true,
    value: function formatToParts(date) {
      return formatParts(dtfState(this), toDate(date));
    },
  },
  formatRange: {
    configurable: true,
    writable: true,
    value: function formatRange(a, b) {
      const st = dtfState(this);
      const x = formatParts(st, toDate(a)).map((p) => p.value).join(""), y = formatParts(st, toDate(b)).map((p) => p.value).join("");
      return x === y ? x : `${x} – ${y}`;
    },
  },
  resolvedOptions: {
    configurable: true,
    writable: true,
    value: function resolvedOptions() {
      const st = dtfState(this);
      const r = { locale: st.locale, calendar: "gregory", numberingSystem: "latn", timeZone: st.timeZone };
      if (st.hourCycle) {
        r.hourCycle = st.hourCycle;
        r.hour12 = st.hourCycle === "h12" || st.hourCycle === "h11";
      }
      for (const k of ["weekday", "era", "year", "month", "day", "hour", "minute", "second", "fractionalSecondDigits", "timeZoneName", "dateStyle", "timeStyle"]) {
        if (st[k] !== undefined) r[k] = st[k];
      }
      if (r.minute && r.hour) r.minute = "2-digit";
      if (r.second && (r.hour || r.minute)) r.second = "2-digit";
      return r;
    },
  },
});

// ---- NumberFormat ---------------------------------------------------------------------

const CURRENCY_SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥", CNY: "CN¥", INR: "₹", KRW: "₩", CAD: "CA$", AUD: "A$", MXN: "MX$", BRL: "R$", ILS: "₪", VND: "₫", TWD: "NT$", NZD: "NZ$", HKD: "HK$" };
const ZERO_DECIMAL = new Set(["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG"]);
const kNF = Symbol("nf");

/** |x| as a plain decimal string (no exponent), from the shortest round-trip form. */
function plainDecimal(x) {
  const s = String(Math.abs(x));
  const e = s.indexOf("e");
  if (e < 0) return s;
  const mant = s.slice(0, e).replace(".", ""), exp = Number(s.slice(e + 1));
  const point = (s.indexOf(".") < 0 || s.indexOf(".") > e ? e : s.indexOf(".")) + exp;
  if (point <= 0) return `0.${"0".repeat(-point)}${mant}`;
  if (point >= mant.length) return mant + "0".repeat(point - mant.length);
  return `${mant.slice(0, point)}.${mant.slice(point)}`;
}

/** Round the decimal string [int, frac] half away from zero to `n` fraction digits. */
function roundFraction(int, frac, n) {
  if (frac.length <= n) return [int, frac];
  const up = frac.charCodeAt(n) >= 53; // '5'
  let digits = int + frac.slice(0, n);
  if (up) {
    const a = digits.split("");
    let i = a.length - 1;
    while (i >= 0) {
      if (a[i] === "9") {
        a[i] = "0";
        i--;
      } else {
        a[i] = String.fromCharCode(a[i].charCodeAt(0) + 1);
        break;
      }
    }
    digits = (i < 0 ? "1" : "") + a.join("");
  }
  const intLen = digits.length - n;
  return [digits.slice(0, intLen) || "0", digits.slice(intLen)];
}

function roundSignificant(int, frac, maxSig) {
  const first = int !== "0" ? 0 : int.length + (frac.length - frac.replace(/^0+/, "").length);
  const idx = first + maxSig, point = int.length;
  if (idx >= int.length + frac.length) return [int, frac];
  if (idx >= point) return roundFraction(int, frac, idx - point);
  const k = point - idx;
  const [ri] = roundFraction(int.slice(0, int.length - k), int.slice(int.length - k), 0);
  return [ri + "0".repeat(k), ""];
}

function group(int, useGrouping) {
  if (!useGrouping || int.length <= 3 || (useGrouping === "min2" && int.length <= 4)) return [int];
  const out = [];
  let i = int.length % 3 || 3;
  out.push(int.slice(0, i));
  for (; i < int.length; i += 3) out.push(int.slice(i, i + 3));
  return out;
}

function NumberFormat(locales, options) {
  if (!new.target) {
    const made = new NumberFormat(locales, options);
    if (this instanceof NumberFormat && this !== NumberFormat.prototype) {
      Object.defineProperty(this, kLegacy, { value: made });
      return this;
    }
    return made;
  }
  const locale = resolveLocale(locales);
  const o = toOptions(options);
  const C = "Intl.NumberFormat";
  const style = option(o, "style", ["decimal", "percent", "currency", "unit"], "decimal", C);
  if (style === "unit") throw new RangeError("Intl.NumberFormat: style 'unit' is not available in unode");
  let currency = o.currency;
  if (currency !== undefined) {
    currency = String(currency).toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`Invalid currency code : ${o.currency}`);
  }
  if (style === "currency" && currency === undefined) throw new TypeError("Currency code is required with currency style.");
  const currencyDisplay = option(o, "currencyDisplay", ["code", "symbol", "narrowSymbol", "name"], "symbol", C);
  const notation = option(o, "notation", ["standard", "scientific", "engineering", "compact"], "standard", C);
  if (notation !== "standard") throw new RangeError(`Intl.NumberFormat: notation '${notation}' is not available in unode`);
  const cd = style === "currency" ? (ZERO_DECIMAL.has(currency) ? 0 : 2) : 0;
  const num = (name, lo, hi, def) => {
    const v = o[name];
    if (v === undefined) return def;
    const n = Number(v);
    if (!(n >= lo && n <= hi)) throw new RangeError(`${name} value is out of range.`);
    return Math.floor(n);
  };
  const minimumIntegerDigits = num("minimumIntegerDigits", 1, 21, 1);
  let minimumFractionDigits = num("minimumFractionDigits", 0, 100, undefined);
  let maximumFractionDigits = num("maximumFractionDigits", 0, 100, undefined);
  const defMax = style === "currency" ? Math.max(cd, minimumFractionDigits ?? 0) : style === "percent" ? Math.max(0, minimumFractionDigits ?? 0) : Math.max(3, minimumFractionDigits ?? 0);
  if (minimumFractionDigits === undefined) minimumFractionDigits = Math.min(cd, maximumFractionDigits ?? cd);
  if (maximumFractionDigits === undefined) maximumFractionDigits = defMax;
  if (minimumFractionDigits > maximumFractionDigits) throw new RangeError("maximumFractionDigits value is out of range.");
  const minimumSignificantDigits = o.minimumSignificantDigits === undefined && o.maximumSignificantDigits === undefined ? undefined : num("minimumSignificantDigits", 1, 21, 1);
  const maximumSignificantDigits = minimumSignificantDigits === undefined ? undefined : num("maximumSignificantDigits", minimumSignificantDigits, 21, 21);
  let useGrouping = o.useGrouping;
  if (useGrouping === undefined || useGrouping === "auto" || useGrouping === "true") useGrouping = "auto";
  else if (useGrouping === "always" || useGrouping === true) useGrouping = "always";
  else if (useGrouping === "min2") useGrouping = "min2";
  else if (useGrouping === false || useGrouping === "false") useGrouping = false;
  else throw new RangeError(`Value ${useGrouping} out of range for Intl.NumberFormat options property useGrouping`);
  const signDisplay = option(o, "signDisplay", ["auto", "never", "always", "exceptZero", "negative"], "auto", C);
  this[kNF] = {
    locale, style, currency, currencyDisplay, minimumIntegerDigits, minimumFractionDigits, maximumFractionDigits,
    minimumSignificantDigits, maximumSignificantDigits, useGrouping, signDisplay, notation,
  };
}
Object.defineProperty(NumberFormat.prototype, Symbol.toStringTag, { value: "Intl.NumberFormat", configurable: true });
defineStatics(NumberFormat);

function nfState(obj) {
  const st = obj?.[kNF] ?? obj?.[kLegacy]?.[kNF];
  if (!st) throw new TypeError("Method Intl.NumberFormat.prototype.format called on incompatible receiver");
  return st;
}

function numberParts(st, value) {
  const parts = [];
  const part = (type, v) => parts.push({ type, value: v });
  let negative, int, frac = "", special;
  const x = typeof value === "bigint" ? value : Number(value);
  negative = x < 0 || Object.is(x, -0);
  if (typeof x === "number" && Number.isNaN(x)) special = "NaN";
  else if (typeof x === "number" && !Number.isFinite(x)) special = "∞";
  else {
    let s = typeof x === "bigint" ? (negative ? -x : x).toString() : plainDecimal(x);
    if (st.style === "percent") {
      const [a, b = ""] = s.split(".");
      const b2 = b.padEnd(2, "0");
      s = `${(a + b2.slice(0, 2)).replace(/^0+(?=\d)/, "")}.${b2.slice(2)}`;
    }
    [int, frac = ""] = s.split(".");
    if (st.maximumSignificantDigits !== undefined) {
      [int, frac] = roundSignificant(int, frac, st.maximumSignificantDigits);
      frac = frac.replace(/0+$/, "");
      const sig = () => (int !== "0" ? int.length + frac.length : /^0*$/.test(frac) ? 1 + frac.length : frac.replace(/^0+/, "").length);
      while (sig() < st.minimumSignificantDigits) frac += "0";
    } else {
      [int, frac] = roundFraction(int, frac, st.maximumFractionDigits);
      frac = frac.replace(/0+$/, "");
      if (frac.length < st.minimumFractionDigits) frac = frac.padEnd(st.minimumFractionDigits, "0");
    }
  }
  const isZero = special === undefined && /^0*$/.test(int) && /^0*$/.test(frac);
  const sd = st.signDisplay;
  let showSign = null;
  if (sd === "auto") showSign = negative ? "-" : null;
  else if (sd === "always") showSign = negative ? "-" : "+";
  else if (sd === "exceptZero") showSign = isZero || special === "NaN" ? null : negative ? "-" : "+";
  else if (sd === "negative") showSign = negative && !isZero ? "-" : null;
  if (showSign === "-") part("minusSign", "-");
  else if (showSign === "+") part("plusSign", "+");
  if (st.style === "currency" && st.currencyDisplay !== "name") {
    const sym = st.currencyDisplay === "code" ? st.currency : CURRENCY_SYMBOLS[st.currency] ?? st.currency;
    part("currency", sym);
    if (/[A-Za-z]$/.test(sym) && !special) part("literal", "\u00A0");
  }
  if (special === "NaN") part("nan", "NaN");
  else if (special) part("infinity", "∞");
  else {
    int = int.padStart(st.minimumIntegerDigits, "0");
    const groups = group(int, st.useGrouping);
    groups.forEach((g, i) => {
      if (i) part("group", ",");
      part("integer", g);
    });
    if (frac) {
      part("decimal", ".");
      part("fraction", frac);
    }
  }
  if (st.style === "percent") part("percentSign", "%");
  if (st.style === "currency" && st.currencyDisplay === "name") {
    part("literal", " ");
    part("currency", st.currency);
  }
  return parts;
}

Object.defineProperties(NumberFormat.prototype, {
  format: {
    configurable: true,
    get() {
      const st = nfState(this);
      return (value) => numberParts(st, value).map((p) => p.value).join("");
    },
  },
  formatToParts: {
    configurable: true,
    writable: true,
    value: function formatToParts(value) {
      return numberParts(nfState(this), value);
    },
  },
  resolvedOptions: {
    configurable: true,
    writable: true,
    value: function resolvedOptions() {
      const st = nfState(this);
      const r = { locale: st.locale, numberingSystem: "latn", style: st.style };
      if (st.style === "currency") {
        r.currency = st.currency;
        r.currencyDisplay = st.currencyDisplay;
        r.currencySign = "standard";
      }
      r.minimumIntegerDigits = st.minimumIntegerDigits;
      if (st.maximumSignificantDigits !== undefined) {
        r.minimumSignificantDigits = st.minimumSignificantDigits;
        r.maximumSignificantDigits = st.maximumSignificantDigits;
      } else {
        r.minimumFractionDigits = st.minimumFractionDigits;
        r.maximumFractionDigits = st.maximumFractionDigits;
      }
      Object.assign(r, {
        useGrouping: st.useGrouping, notation: st.notation, signDisplay: st.signDisplay, roundingMode: "halfExpand",
        roundingIncrement: 1, trailingZeroDisplay: "auto", roundingPriority: "auto",
      });
      return r;
    },
  },
});

// ---- PluralRules, Collator, ListFormat, RelativeTimeFormat ------------------------------------

class PluralRules {
  constructor(locales, options) {
    this._locale = resolveLocale(locales);
    this._type = option(toOptions(options), "type", ["cardinal", "ordinal"], "cardinal", "Intl.PluralRules");
  }

  select(n) {
    const x = Number(n);
    if (this._type === "ordinal") {
      if (!Number.isInteger(x)) return "other";
      const a = Math.abs(x), m10 = a % 10, m100 = a % 100;
      if (m10 === 1 && m100 !== 11) return "one";
      if (m10 === 2 && m100 !== 12) return "two";
      if (m10 === 3 && m100 !== 13) return "few";
      return "other";
    }
    return x === 1 || x === -1 ? "one" : "other";
  }

  resolvedOptions() {
    return {
      locale: this._locale, type: this._type, minimumIntegerDigits: 1, minimumFractionDigits: 0, maximumFractionDigits: 3,
      pluralCategories: this._type === "ordinal" ? ["few", "one", "two", "other"] : ["one", "other"],
      roundingIncrement: 1, roundingMode: "halfExpand", roundingPriority: "auto", trailingZeroDisplay: "auto",
    };
  }
}
Object.defineProperty(PluralRules.prototype, Symbol.toStringTag, { value: "Intl.PluralRules", configurable: true });
defineStatics(PluralRules);

function baseForm(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

class Collator {
  constructor(locales, options) {
    this._locale = resolveLocale(locales);
    const o = toOptions(options);
    const C = "Intl.Collator";
    this._usage = option(o, "usage", ["sort", "search"], "sort", C);
    this._sensitivity = option(o, "sensitivity", ["base", "accent", "case", "variant"], "variant", C);
    this._ignorePunctuation = Boolean(o.ignorePunctuation);
    this._numeric = Boolean(o.numeric);
    this._caseFirst = option(o, "caseFirst", ["upper", "lower", "false"], "false", C);
    const cmp = (a, b) => this._compare(String(a), String(b));
    Object.defineProperty(this, "_bound", { value: cmp });
  }

  get compare() {
    return this._bound;
  }

  _compare(a, b) {
    if (this._ignorePunctuation) {
      a = a.replace(/[\p{P}\s]/gu, "");
      b = b.replace(/[\p{P}\s]/gu, "");
    }
    const keyCmp = (x, y) => {
      if (this._numeric) {
        const rx = x.match(/\d+|\D+/g) ?? [], ry = y.match(/\d+|\D+/g) ?? [];
        for (let i = 0; i < Math.min(rx.length, ry.length); i++) {
          const p = rx[i], q = ry[i];
          if (/^\d/.test(p) && /^\d/.test(q)) {
            const d = Number(p) - Number(q);
            if (d) return d < 0 ? -1 : 1;
          } else if (p !== q) return p < q ? -1 : 1;
        }
        return rx.length === ry.length ? 0 : rx.length < ry.length ? -1 : 1;
      }
      return x === y ? 0 : x < y ? -1 : 1;
    };
    const s = this._sensitivity;
    const base = keyCmp(baseForm(a), baseForm(b));
    if (base || s === "base") return base;
    if (s === "accent" || s === "variant") {
      const acc = keyCmp(a.normalize("NFD").toLowerCase(), b.normalize("NFD").toLowerCase());
      if (acc || s === "accent") return acc;
    }
    // case: lower before upper (en default), unless caseFirst upper
    if (a === b) return 0;
    const upperFirst = this._caseFirst === "upper";
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) {
        const aUpper = a[i] !== a[i].toLowerCase();
        return aUpper === upperFirst ? -1 : 1;
      }
    }
    return a.length < b.length ? -1 : 1;
  }

  resolvedOptions() {
    return {
      locale: this._locale, usage: this._usage, sensitivity: this._sensitivity, ignorePunctuation: this._ignorePunctuation,
      collation: "default", numeric: this._numeric, caseFirst: this._caseFirst,
    };
  }
}
Object.defineProperty(Collator.prototype, Symbol.toStringTag, { value: "Intl.Collator", configurable: true });
defineStatics(Collator);

class ListFormat {
  constructor(locales, options) {
    this._locale = resolveLocale(locales);
    const o = toOptions(options);
    this._type = option(o, "type", ["conjunction", "disjunction", "unit"], "conjunction", "Intl.ListFormat");
    this._style = option(o, "style", ["long", "short", "narrow"], "long", "Intl.ListFormat");
  }

  formatToParts(list) {
    const items = [...list].map((x) => {
      if (typeof x !== "string") throw new TypeError(`Iterable yielded ${x} which is not a string`);
      return x;
    });
    const word = this._type === "disjunction" ? "or" : this._type === "unit" ? "" : this._style === "long" ? "and" : "&";
    const parts = [];
    items.forEach((x, i) => {
      if (i > 0) {
        const last = i === items.length - 1;
        let sep;
        if (this._type === "unit") sep = this._style === "narrow" ? " " : ", ";
        else if (!last) sep = ", ";
        else if (items.length === 2) sep = this._type === "conjunction" && this._style === "narrow" ? ", " : ` ${word} `;
        else sep = this._type === "conjunction" && this._style === "narrow" ? ", " : `, ${word} `;
        parts.push({ type: "literal", value: sep });
      }
      parts.push({ type: "element", value: x });
    });
    return parts;
  }

  format(list) {
    return this.formatToParts(list).map((p) => p.value).join("");
  }

  resolvedOptions() {
    return { locale: this._locale, type: this._type, style: this._style };
  }
}
Object.defineProperty(ListFormat.prototype, Symbol.toStringTag, { value: "Intl.ListFormat", configurable: true });
defineStatics(ListFormat);

const UNITS = ["year", "quarter", "month", "week", "day", "hour", "minute", "second"];

class RelativeTimeFormat {
  constructor(locales, options) {
    this._locale = resolveLocale(locales);
    const o = toOptions(options);
    this._numeric = option(o, "numeric", ["always", "auto"], "always", "Intl.RelativeTimeFormat");
    this._style = option(o, "style", ["long", "short", "narrow"], "long", "Intl.RelativeTimeFormat");
    this._nf = new NumberFormat();
  }

  format(value, unit) {
    const v = Number(value);
    let u = String(unit);
    if (u.endsWith("s")) u = u.slice(0, -1);
    if (!UNITS.includes(u)) throw new RangeError(`Invalid unit argument for format() '${unit}'`);
    if (!Number.isFinite(v)) throw new RangeError("Invalid value");
    if (this._numeric === "auto") {
      const words = {
        day: { "-1": "yesterday", 0: "today", 1: "tomorrow" }, year: { "-1": "last year", 0: "this year", 1: "next year" },
        month: { "-1": "last month", 0: "this month", 1: "next month" }, week: { "-1": "last week", 0: "this week", 1: "next week" },
        quarter: { "-1": "last quarter", 0: "this quarter", 1: "next quarter" }, hour: { 0: "this hour" }, minute: { 0: "this minute" }, second: { 0: "now" },
      };
      const w = words[u]?.[Object.is(v, -0) ? 0 : v];
      if (w) return w;
    }
    const abs = this._nf.format(Math.abs(v));
    const short = { year: "yr.", quarter: "qtr.", month: "mo.", week: "wk.", day: "day", hour: "hr.", minute: "min.", second: "sec." };
    let name;
    if (this._style === "long") name = Math.abs(v) === 1 ? u : `${u}s`;
    else name = Math.abs(v) === 1 || ["day"].includes(u) ? (u === "day" && Math.abs(v) !== 1 ? "days" : short[u]) : (short[u].endsWith(".") && (u === "quarter") ? "qtrs." : short[u]);
    return v < 0 || Object.is(v, -0) ? `${abs} ${name} ago` : `in ${abs} ${name}`;
  }

  resolvedOptions() {
    return { locale: this._locale, style: this._style, numeric: this._numeric, numberingSystem: "latn" };
  }
}
Object.defineProperty(RelativeTimeFormat.prototype, Symbol.toStringTag, { value: "Intl.RelativeTimeFormat", configurable: true });
defineStatics(RelativeTimeFormat);

const Intl = {};
for (const [k, v] of Object.entries({ getCanonicalLocales, Collator, DateTimeFormat, ListFormat, NumberFormat, PluralRules, RelativeTimeFormat, Segmenter })) {
  Object.defineProperty(Intl, k, { value: v, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(Intl, Symbol.toStringTag, { value: "Intl", configurable: true });

export default Intl;
