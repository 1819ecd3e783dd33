import { test, assert } from "jsk:test";
import Intl from "node:internal/intl";

// The partial Intl unode defines as a global. Every expected string is what node v20 (ICU 74) prints.
const d = new Date(Date.UTC(2024, 0, 2, 15, 4, 5, 67));
const fmt = (o) => new Intl.DateTimeFormat("en-US", { timeZone: "UTC", ...o }).format(d);

test("Segmenter: grapheme clusters", () => {
  const seg = new Intl.Segmenter();
  const s = "e\u0301a👨‍👩‍👧🇫🇷🇩🇪x\r\nक्ष각\u1100\u1161\u11a8👍🏽";
  assert.deepEqual([...seg.segment(s)].map((x) => [x.segment, x.index]), [
    ["e\u0301", 0], ["a", 2], ["👨‍👩‍👧", 3], ["🇫🇷", 11], ["🇩🇪", 15], ["x", 19], ["\r\n", 20], ["क्ष", 22], ["각", 25], ["\u1100\u1161\u11a8", 26], ["👍🏽", 29],
  ]);
  assert.deepEqual(seg.resolvedOptions(), { locale: "en-US", granularity: "grapheme" });
  assert.deepEqual(seg.segment("abc").containing(1), { segment: "b", index: 1, input: "abc" });
  assert.equal(seg.segment("abc").containing(5), undefined);
  assert.equal([...seg.segment("")].length, 0);
  assert.throws(() => new Intl.Segmenter("en", { granularity: "x" }), { name: "RangeError", message: "Value x out of range for Intl.Segmenter options property granularity" });
});

test("Segmenter: words and sentences", () => {
  const w = new Intl.Segmenter("en", { granularity: "word" });
  assert.deepEqual([...w.segment("Hello, world!  It's 3.14 o'clock e.g. x_y 中文 1,000")].map((x) => [x.segment, x.isWordLike]), [
    ["Hello", true], [",", false], [" ", false], ["world", true], ["!", false], ["  ", false], ["It's", true], [" ", false],
    ["3.14", true], [" ", false], ["o'clock", true], [" ", false], ["e.g", true], [".", false], [" ", false], ["x_y", true],
    [" ", false], ["中文", true], [" ", false], ["1,000", true],
  ]);
  const st = new Intl.Segmenter("en", { granularity: "sentence" });
  assert.deepEqual([...st.segment('Hello world. How are you? Fine!  "Yes." Mr. Smith went. e.g. this. 3.14 is pi.')].map((x) => x.segment), [
    "Hello world. ", "How are you? ", "Fine!  ", '"Yes." ', "Mr. ", "Smith went. e.g. this. ", "3.14 is pi.",
  ]);
});

test("DateTimeFormat: styles and components (en-US, UTC)", () => {
  assert.equal(fmt({}), "1/2/2024");
  assert.equal(fmt({ dateStyle: "full" }), "Tuesday, January 2, 2024");
  assert.equal(fmt({ dateStyle: "medium" }), "Jan 2, 2024");
  assert.equal(fmt({ dateStyle: "short" }), "1/2/24");
  assert.equal(fmt({ timeStyle: "full" }), "3:04:05 PM Coordinated Universal Time");
  assert.equal(fmt({ timeStyle: "short" }), "3:04 PM");
  assert.equal(fmt({ dateStyle: "full", timeStyle: "short" }), "Tuesday, January 2, 2024 at 3:04 PM");
  assert.equal(fmt({ dateStyle: "medium", timeStyle: "medium" }), "Jan 2, 2024, 3:04:05 PM");
  assert.equal(fmt({ weekday: "short", year: "numeric", month: "numeric", day: "numeric" }), "Tue, 1/2/2024");
  assert.equal(fmt({ year: "numeric", month: "short" }), "Jan 2024");
  assert.equal(fmt({ hour: "2-digit", minute: "2-digit", second: "2-digit" }), "03:04:05 PM");
  assert.equal(fmt({ hour: "numeric", minute: "numeric", hour12: false }), "15:04");
  assert.equal(fmt({ year: "2-digit", month: "2-digit", day: "2-digit" }), "01/02/24");
  assert.equal(fmt({ timeZoneName: "long" }), "1/2/2024, Coordinated Universal Time");
  assert.equal(fmt({ hour: "numeric", fractionalSecondDigits: 3, minute: "numeric", second: "numeric" }), "3:04:05.067 PM");
  const f = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", hour: "numeric" });
  assert.deepEqual(f.resolvedOptions(), { locale: "en-US", calendar: "gregory", numberingSystem: "latn", timeZone: "UTC", hourCycle: "h12", hour12: true, hour: "numeric" });
  assert.deepEqual(f.formatToParts(d).map((p) => p.type), ["hour", "literal", "dayPeriod"]);
  assert.deepEqual([d, d].map(f.format), ["3 PM", "3 PM"]); // format is bound
  assert.equal(typeof new Intl.DateTimeFormat().resolvedOptions().timeZone, "string");
  assert.throws(() => new Intl.DateTimeFormat("en", { timeZone: "Nope/Zone" }), RangeError);
  // The legacy constructor call (es-value-fixtures' intl-fallback-symbol probes it).
  const legacy = Intl.DateTimeFormat.call({ __proto__: Intl.DateTimeFormat.prototype });
  assert.equal(Object.getOwnPropertySymbols(legacy).map(String).join(), "Symbol(IntlLegacyConstructedSymbol)");
});

test("NumberFormat: grouping, rounding on the decimal form, percent, currency, significant digits", () => {
  const nums = [0, -0, 1.005, 2.5, -2.5, 1234567.891, 1e21, 1e-7, 0.07, 999.9995, 12345n, NaN, -Infinity];
  const row = (o) => nums.map((n) => new Intl.NumberFormat("en-US", o).format(n)).join(" | ");
  assert.equal(row({}), "0 | -0 | 1.005 | 2.5 | -2.5 | 1,234,567.891 | 1,000,000,000,000,000,000,000 | 0 | 0.07 | 1,000 | 12,345 | NaN | -∞");
  assert.equal(row({ maximumFractionDigits: 2 }), "0 | -0 | 1.01 | 2.5 | -2.5 | 1,234,567.89 | 1,000,000,000,000,000,000,000 | 0 | 0.07 | 1,000 | 12,345 | NaN | -∞");
  assert.equal(row({ style: "percent" }), "0% | -0% | 101% | 250% | -250% | 123,456,789% | 100,000,000,000,000,000,000,000% | 0% | 7% | 100,000% | 1,234,500% | NaN% | -∞%");
  assert.equal(row({ style: "currency", currency: "USD" }), "$0.00 | -$0.00 | $1.01 | $2.50 | -$2.50 | $1,234,567.89 | $1,000,000,000,000,000,000,000.00 | $0.00 | $0.07 | $1,000.00 | $12,345.00 | $NaN | -$∞");
  assert.equal(new Intl.NumberFormat("en", { style: "currency", currency: "CHF" }).format(5), "CHF\u00A05.00");
  assert.equal(new Intl.NumberFormat("en", { style: "currency", currency: "JPY" }).format(1234.5), "¥1,235");
  assert.equal(row({ maximumSignificantDigits: 3 }), "0 | -0 | 1.01 | 2.5 | -2.5 | 1,230,000 | 1,000,000,000,000,000,000,000 | 0.0000001 | 0.07 | 1,000 | 12,300 | NaN | -∞");
  assert.equal(new Intl.NumberFormat("en", { minimumSignificantDigits: 5 }).format(0), "0.0000");
  assert.equal(new Intl.NumberFormat("en", { signDisplay: "exceptZero" }).format(0), "0");
  assert.equal(new Intl.NumberFormat("en", { signDisplay: "always" }).format(3), "+3");
  assert.equal(new Intl.NumberFormat("en", { useGrouping: false }).format(1234567), "1234567");
  assert.equal(new Intl.NumberFormat("en", { minimumIntegerDigits: 3 }).format(7), "007");
  assert.deepEqual(new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).formatToParts(-1234.5).map((p) => p.type),
    ["minusSign", "currency", "integer", "group", "integer", "decimal", "fraction"]);
  assert.equal(new Intl.NumberFormat("en", { style: "currency", currency: "usd" }).resolvedOptions().locale, "en");
  assert.throws(() => new Intl.NumberFormat("en", { style: "currency" }), TypeError);
  assert.deepEqual([1234, 5678].map(new Intl.NumberFormat().format), ["1,234", "5,678"]);
});

test("PluralRules, Collator, ListFormat, RelativeTimeFormat, getCanonicalLocales", () => {
  const pr = new Intl.PluralRules("en"), po = new Intl.PluralRules("en", { type: "ordinal" });
  assert.equal([0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 1.5].map((n) => `${pr.select(n)}/${po.select(n)}`).join(" "),
    "other/other one/one other/two other/few other/other other/other other/other other/other other/one other/two other/few other/one other/other");
  const col = new Intl.Collator("en");
  assert.equal(["b", "A", "a", "B", "é", "e", "E", "z", "Z"].sort(col.compare).join(" "), "a A b B e E é z Z");
  assert.equal(["a10", "a9", "a1"].sort(new Intl.Collator("en", { numeric: true }).compare).join(" "), "a1 a9 a10");
  assert.equal(new Intl.Collator("en", { sensitivity: "base" }).compare("a", "Á"), 0);
  const lf = new Intl.ListFormat("en");
  assert.equal(lf.format(["a", "b", "c"]), "a, b, and c");
  assert.equal(lf.format(["a", "b"]), "a and b");
  assert.equal(new Intl.ListFormat("en", { type: "disjunction" }).format(["a", "b", "c"]), "a, b, or c");
  const rtf = new Intl.RelativeTimeFormat("en");
  assert.equal(rtf.format(-1, "day"), "1 day ago");
  assert.equal(rtf.format(3, "hours"), "in 3 hours");
  assert.equal(rtf.format(1000, "second"), "in 1,000 seconds");
  assert.equal(new Intl.RelativeTimeFormat("en", { numeric: "auto" }).format(-1, "day"), "yesterday");
  assert.deepEqual(Intl.getCanonicalLocales(["EN-us", "zh-hant-tw", "en-US"]), ["en-US", "zh-Hant-TW"]);
  assert.equal(Object.prototype.toString.call(Intl), "[object Intl]");
  assert.deepEqual(Object.keys(Intl), []);
});
