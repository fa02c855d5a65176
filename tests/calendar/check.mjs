// Reads a Convene feed with ical.js (an independent parser) and prints its events as JSON,
// each timed start resolved to UTC through the feed's own VTIMEZONE.
// Usage: node check.mjs FEED.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function fail(reason) {
  console.error(`check.mjs: ${reason}`);
  process.exit(1);
}

const path = process.argv[2];
if (!path) fail("usage: node check.mjs FEED.ics");
const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
const zones = calendar.getAllSubcomponents("vtimezone");
if (zones.length !== 1 || zones[0].getFirstPropertyValue("tzid") !== "Europe/London") {
  fail("expected exactly the Europe/London VTIMEZONE");
}
for (const zone of zones) ICAL.TimezoneService.register(zone);

const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const start = event.startDate;
  const out = {
    uid: event.uid,
    summary: event.summary,
    location: event.location,
    description: event.description,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    organizer: component.getFirstPropertyValue("organizer"),
    attendees: component.getAllProperties("attendee").map((a) => ({
      address: a.getFirstValue(),
      partstat: a.getParameter("partstat") ?? null,
    })),
  };
  if (start.isDate) {
    out.start_date = start.toString();
  } else {
    if (start.zone?.tzid !== "Europe/London") fail(`event ${event.uid} starts in zone ${start.zone?.tzid}`);
    out.start_utc = start.toJSDate().toISOString().replace(".000Z", "Z");
  }
  return out;
});
const method = calendar.getFirstPropertyValue("method");
console.log(JSON.stringify({ name: calendar.getFirstPropertyValue("x-wr-calname"), method, events }));
