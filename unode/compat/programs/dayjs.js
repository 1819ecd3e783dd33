// dayjs: parse, format, arithmetic, UTC and custom-parse plugins, relative time.
const assert = require("node:assert");
const dayjs = require("dayjs");
dayjs.extend(require("dayjs/plugin/utc"));
dayjs.extend(require("dayjs/plugin/customParseFormat"));
dayjs.extend(require("dayjs/plugin/relativeTime"));
dayjs.extend(require("dayjs/plugin/duration"));
dayjs.extend(require("dayjs/plugin/isoWeek"));
dayjs.extend(require("dayjs/plugin/advancedFormat"));

const d = dayjs.utc("2024-02-28T23:30:15.250Z");
console.log(d.format("YYYY-MM-DD HH:mm:ss.SSS dddd MMMM Do [Q]Q"), d.valueOf(), d.toISOString());
console.log(d.add(1, "day").format("YYYY-MM-DD"), d.add(2, "day").format("YYYY-MM-DD"), d.subtract(1, "month").format("YYYY-MM-DD"), d.add(1, "year").format("YYYY-MM-DD"));
console.log(d.startOf("week").format(), d.endOf("month").format("YYYY-MM-DDTHH:mm:ss.SSS"), d.isoWeek(), d.isoWeekday(), d.daysInMonth());
const p = dayjs.utc("05/03/2021 14:07", "DD/MM/YYYY HH:mm");
assert.ok(p.isValid());
console.log(p.format("YYYY-MM-DDTHH:mm"), dayjs.utc("31/02/2021", "DD/MM/YYYY", true).isValid());
console.log(d.diff(p, "day"), d.diff(p, "month", true).toFixed(4), p.from(d), d.to(p, true), dayjs.utc(0).from(dayjs.utc(45 * 1000)));
const dur = dayjs.duration({ hours: 26, minutes: 3, seconds: 4 });
console.log(dur.asMinutes(), dur.days(), dur.hours(), dur.toISOString(), dur.humanize());
assert.ok(d.isAfter(p) && p.isBefore(d) && d.isSame("2024-02-28T23:30:15.250Z"));
console.log(dayjs.utc("2024-13-45").isValid(), dayjs(NaN).isValid(), dayjs.utc("2024-01-01").utcOffset());
console.log("ok dayjs");
