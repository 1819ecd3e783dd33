// date-fns: formatting, parsing, arithmetic and intervals (dates built from UTC, printed in UTC via TZ-free helpers).
const assert = require("node:assert");
const f = require("date-fns");

// date-fns works in local time: build local dates from parts so the output does not depend on TZ.
const d = new Date(2024, 1, 28, 23, 30, 15, 250);
console.log(f.format(d, "yyyy-MM-dd HH:mm:ss.SSS EEEE MMMM do 'Q'Q"), f.format(d, "PPPppp"));
console.log(f.format(f.addDays(d, 1), "yyyy-MM-dd"), f.format(f.addMonths(d, 12), "yyyy-MM-dd"), f.format(f.subMonths(d, 1), "yyyy-MM-dd"), f.isLeapYear(d));
const p = f.parse("05/03/2021 14:07", "dd/MM/yyyy HH:mm", new Date(2000, 0, 1));
assert.ok(f.isValid(p));
console.log(f.format(p, "yyyy-MM-dd'T'HH:mm"), f.isValid(f.parse("31/02/2021", "dd/MM/yyyy", new Date())));
console.log(f.differenceInCalendarDays(d, p), f.differenceInMonths(d, p), f.formatDistance(p, d), f.formatDistanceStrict(p, d, { unit: "day" }));
console.log(f.getISOWeek(d), f.getDay(d), f.getDaysInMonth(d), f.format(f.startOfWeek(d, { weekStartsOn: 1 }), "yyyy-MM-dd"), f.format(f.endOfMonth(d), "yyyy-MM-dd HH:mm:ss.SSS"));
const days = f.eachDayOfInterval({ start: new Date(2024, 11, 30), end: new Date(2025, 0, 2) }).map((x) => f.format(x, "EEE d MMM"));
console.log(days.join(", "));
console.log(JSON.stringify(f.intervalToDuration({ start: p, end: d })), f.formatDuration({ years: 2, days: 3, minutes: 1 }));
console.log(f.formatISO(new Date(2024, 0, 2, 3, 4, 5), { representation: "date" }), f.isWithinInterval(d, { start: p, end: f.addYears(d, 1) }), f.compareAsc(p, d));
console.log(f.formatRelative(f.subDays(d, 1), d), f.format(f.parseISO("2024-07-01T10:20:30"), "h:mm a, d LLL"));
console.log("ok date-fns");
