"""Reads a Convene feed with the Python `icalendar` package (7.x), an independent parser.

Usage: check.py FEED.ics. Fails (exit 1, reason on stderr) unless the feed parses, validates
where the package can, and every TZID it uses has its VTIMEZONE; prints the events as JSON.
"""

import datetime
import json
import sys

import icalendar


def fail(reason):
    print(f"check.py: {reason}", file=sys.stderr)
    sys.exit(1)


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def attendees(event):
    """The ATTENDEE properties: the package gives one as a value and several as a list."""
    found = event.get("ATTENDEE")
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def main(path):
    with open(path, "rb") as feed:
        raw = feed.read()
    calendar = icalendar.Calendar.from_ical(raw)
    if hasattr(calendar, "validate"):
        calendar.validate()
    missing = calendar.get_missing_tzids()
    if missing:
        fail(f"TZIDs without a VTIMEZONE: {sorted(missing)}")
    zones = [str(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")]
    if zones != ["Europe/London"]:
        fail(f"expected exactly the Europe/London VTIMEZONE, got {zones}")
    for required in ("PRODID", "VERSION", "X-WR-CALNAME"):
        if calendar.get(required) is None:
            fail(f"calendar has no {required}")
    events = []
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "SEQUENCE"):
            if event.get(required) is None:
                fail(f"event {text(event, 'UID')} has no {required}")
        start = event.decoded("DTSTART")
        out = {
            "uid": text(event, "UID"),
            "summary": text(event, "SUMMARY"),
            "location": text(event, "LOCATION"),
            "description": text(event, "DESCRIPTION"),
            "status": text(event, "STATUS"),
            "sequence": int(event.get("SEQUENCE")),
            "organizer": text(event, "ORGANIZER"),
            "attendees": [{"address": str(a), "partstat": a.params.get("PARTSTAT")} for a in attendees(event)],
        }
        if isinstance(start, datetime.datetime):
            if start.tzinfo is None:
                fail(f"event {out['uid']} has a floating start")
            if event["DTSTART"].params.get("TZID") != "Europe/London":
                fail(f"event {out['uid']} is not in Europe/London")
            out["start_utc"] = start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            out["start_date"] = start.isoformat()
        events.append(out)
    method = calendar.get("METHOD")
    name = str(calendar.get("X-WR-CALNAME"))
    print(json.dumps({"name": name, "method": None if method is None else str(method), "events": events}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check.py FEED.ics")
    main(sys.argv[1])
