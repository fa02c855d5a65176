//! Pure iCalendar (RFC 5545) rendering from plain data. Components and text escaping
//! come from the `icalendar` crate. Its folding can cut between a backslash and the
//! character it escapes, which some clients read as a stray backslash, so each content
//! line is re-folded here at 75 octets on a UTF-8 character boundary and never inside an
//! escape sequence. Times are written as Europe/London wall-clock with `TZID`, and every
//! calendar carries the matching `VTIMEZONE`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Europe::London;
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike, EventStatus, Property};

/// The one time zone the service works in.
pub const TZID: &str = "Europe/London";
const PRODID: &str = "-//Convene//Convene//EN";

/// Europe/London as an RFC 5545 VTIMEZONE: GMT in winter, BST from the last Sunday of
/// March (01:00 GMT) to the last Sunday of October (02:00 BST).
///
/// Written as a fixed block (no text values, every line short): the crate's components
/// would add a random UID and a current DTSTAMP to it, breaking byte-identical output.
const LONDON_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/London\r\n\
X-LIC-LOCATION:Europe/London\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0000\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:BST\r\n\
DTSTART:19700329T010000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0000\r\n\
TZNAME:GMT\r\n\
DTSTART:19701025T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// When an event happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// A timed event between two instants.
    Timed { start: DateTime<Utc>, end: DateTime<Utc> },
    /// Whole days; `end` is exclusive (the day after the last day), as RFC 5545 wants.
    AllDay { start: NaiveDate, end: NaiveDate },
}

/// The STATUS of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    Tentative,
    Cancelled,
}

/// One VEVENT, as plain data. Text fields are raw; escaping happens on render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub sequence: u32,
    pub dtstamp_utc: DateTime<Utc>,
    pub when: When,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub status: Status,
}

impl Event {
    /// Ordering key: London wall-clock start, then UID, so output never depends on
    /// the order rows came from the database.
    fn sort_key(&self) -> (NaiveDateTime, &str) {
        let start = match &self.when {
            When::Timed { start, .. } => start.with_timezone(&London).naive_local(),
            When::AllDay { start, .. } => start.and_time(chrono::NaiveTime::MIN),
        };
        (start, self.uid.as_str())
    }
}

fn london(instant: &DateTime<Utc>) -> DatePerhapsTime {
    DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
        date_time: instant.with_timezone(&London).naive_local(),
        tzid: TZID.to_owned(),
    })
}

fn vevent(event: &Event) -> icalendar::Event {
    let mut out = icalendar::Event::new();
    out.uid(&event.uid).sequence(event.sequence).timestamp(event.dtstamp_utc).summary(&event.summary).status(
        match event.status {
            Status::Confirmed => EventStatus::Confirmed,
            Status::Tentative => EventStatus::Tentative,
            Status::Cancelled => EventStatus::Cancelled,
        },
    );
    match &event.when {
        When::Timed { start, end } => {
            out.starts(london(start)).ends(london(end));
        }
        When::AllDay { start, end } => {
            out.starts(*start).ends(*end);
        }
    }
    if let Some(description) = &event.description {
        out.description(description);
    }
    if let Some(location) = &event.location {
        out.location(location);
    }
    if let Some(url) = &event.url {
        out.url(url);
    }
    out
}

fn calendar_head(name: &str, method: Option<&str>) -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("CALSCALE", "GREGORIAN"));
    if let Some(method) = method {
        calendar.append_property(Property::new("METHOD", method));
    }
    calendar
        .append_property(Property::new("X-WR-CALNAME", name))
        .append_property(Property::new("X-WR-TIMEZONE", TZID))
        .append_property(Property::new("REFRESH-INTERVAL", "PT1H").add_parameter("VALUE", "DURATION").done())
        .append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    calendar
}

/// The longest content line, in octets, not counting its CRLF (RFC 5545 section 3.1).
const LINE_LIMIT: usize = 75;

/// Where to cut `line` so the piece holds at most `limit` octets: on a character boundary,
/// and not between a backslash and the character it escapes.
fn cut_at(line: &str, limit: usize) -> usize {
    let mut cut = limit.min(line.len());
    loop {
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        let backslashes = line.as_bytes()[..cut].iter().rev().take_while(|b| **b == b'\\').count();
        if backslashes % 2 == 1 && cut > 1 {
            cut -= 1;
        } else {
            return cut;
        }
    }
}

/// Appends `text` (CRLF-terminated content lines, possibly folded) to `out`, each logical
/// line unfolded and folded again by `cut_at`.
fn push_folded(out: &mut String, text: &str) {
    let mut logical = String::with_capacity(256);
    for physical in text.split_terminator("\r\n") {
        if let Some(continued) = physical.strip_prefix(' ') {
            logical.push_str(continued);
            continue;
        }
        fold_into(out, &logical);
        logical.clear();
        logical.push_str(physical);
    }
    fold_into(out, &logical);
}

fn fold_into(out: &mut String, line: &str) {
    if line.is_empty() {
        return;
    }
    let mut rest = line;
    let mut limit = LINE_LIMIT;
    while rest.len() > limit {
        let cut = cut_at(rest, limit);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // A continuation line starts with the space.
        limit = LINE_LIMIT - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// Header properties, the VTIMEZONE, then the events in the given order.
fn write_calendar(head: Calendar, events: impl Iterator<Item = icalendar::Event>) -> String {
    const END: &str = "END:VCALENDAR\r\n";
    let head = head.to_string();
    let mut out = String::with_capacity(head.len() + LONDON_VTIMEZONE.len() + 4096);
    push_folded(&mut out, head.strip_suffix(END).unwrap_or(&head));
    out.push_str(LONDON_VTIMEZONE);
    for event in events {
        push_folded(&mut out, &event.to_string());
    }
    out.push_str(END);
    out
}

/// A subscribable feed: every event, ordered by start then UID, CRLF line ends.
pub fn render(name: &str, events: &[Event]) -> String {
    let mut ordered: Vec<&Event> = events.iter().collect();
    ordered.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    write_calendar(calendar_head(name, None), ordered.into_iter().map(vevent))
}

/// What an emailed invitation asks of the reader's calendar (RFC 5546 iTIP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add the event, or update it when its SEQUENCE is higher than the one held.
    Request,
    /// Remove the event.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// A calendar user: the address calendar apps match on, and the name shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarUser {
    pub email: String,
    pub name: String,
}

impl CalendarUser {
    /// `NAME;CN=…:mailto:…`. A parameter value cannot hold a double quote or a control
    /// character (RFC 5545 section 3.1), so those are dropped from the name; the crate
    /// quotes a name with a comma, colon or semicolon.
    fn property(&self, name: &str) -> Property {
        let cn: String = self.name.chars().filter(|c| *c != '"' && !c.is_control()).collect();
        let mut property = Property::new(name, format!("mailto:{}", self.email));
        if !cn.trim().is_empty() {
            property.add_parameter("CN", cn.trim());
        }
        property
    }
}

/// A single-event invitation to attach to an email (iMIP), from `organizer` (the service's
/// sending address) to one `attendee`, who has `accepted` it already or not. Calendar apps
/// match it to the event they hold by UID and act on it when its SEQUENCE is higher: a
/// REQUEST adds or moves the event, a CANCEL (sent with STATUS:CANCELLED) removes it.
pub fn invitation(
    event: &Event,
    method: Method,
    organizer: &CalendarUser,
    attendee: &CalendarUser,
    accepted: bool,
) -> String {
    let mut out = vevent(event);
    out.append_property(organizer.property("ORGANIZER"));
    let mut invited = attendee.property("ATTENDEE");
    invited
        .add_parameter("CUTYPE", "INDIVIDUAL")
        .add_parameter("ROLE", "REQ-PARTICIPANT")
        .add_parameter("PARTSTAT", if accepted { "ACCEPTED" } else { "NEEDS-ACTION" })
        .add_parameter("RSVP", "FALSE");
    out.append_property(invited);
    write_calendar(calendar_head("Convene", Some(method.as_str())), std::iter::once(out))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn event(summary: &str, location: Option<&str>, start: DateTime<Utc>) -> Event {
        Event {
            uid: "conference-7@convene".into(),
            sequence: 2,
            dtstamp_utc: Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap(),
            when: When::Timed { start, end: start + chrono::TimeDelta::hours(2) },
            summary: summary.into(),
            description: Some("You are the lead facilitator.".into()),
            location: location.map(str::to_owned),
            url: Some("https://convene.example.org/conferences/7".into()),
            status: Status::Confirmed,
        }
    }

    fn june_six_pm() -> DateTime<Utc> {
        // 18:00 BST is 17:00 UTC.
        Utc.with_ymd_and_hms(2026, 6, 18, 17, 0, 0).unwrap()
    }

    /// Undo RFC 5545 folding (CRLF followed by one space or tab).
    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "").replace("\r\n\t", "")
    }

    fn assert_lines_within_75_octets(text: &str) {
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        }
    }

    #[test]
    fn escapes_comma_semicolon_backslash_and_newline() {
        let text = render(
            "Feed, with; specials",
            &[event("a, b; c \\ d\nsecond line", Some("Room 1; Floor 2, East"), june_six_pm())],
        );
        let text = unfold(&text);
        assert!(text.contains("\r\nSUMMARY:a\\, b\\; c \\\\ d\\nsecond line\r\n"), "{text}");
        assert!(text.contains("\r\nLOCATION:Room 1\\; Floor 2\\, East\r\n"), "{text}");
        assert!(text.contains("\r\nX-WR-CALNAME:Feed\\, with\\; specials\r\n"), "{text}");
    }

    #[test]
    fn welsh_diacritics_and_emoji_survive_folding_intact() {
        let place = "Pen-y-bont ar Ogwr — Tŷ Ŵyn 🙂";
        // Long enough that folds fall inside multi-byte characters at several offsets.
        let summary = format!("{place} {place} {place} {place}");
        for pad in 0..8 {
            let summary = format!("{}{summary}", "x".repeat(pad));
            let text = render("Cofrestr", &[event(&summary, Some(place), june_six_pm())]);
            assert_lines_within_75_octets(&text);
            let text = unfold(&text);
            assert!(text.contains(&format!("\r\nSUMMARY:{summary}\r\n")), "{text}");
            assert!(text.contains(&format!("\r\nLOCATION:{place}\r\n")), "{text}");
        }
    }

    #[test]
    fn folding_never_splits_an_escape_sequence() {
        let awkward = "Ysbyty Ystwyth, Llanfair-ym-Muallt; Tŷ Hywel\\ a,b;c\\d\n🙂 ";
        for pad in 0..80 {
            let summary = format!("{}{}", "x".repeat(pad), awkward.repeat(4));
            let text = render("Feed", &[event(&summary, Some(awkward), june_six_pm())]);
            assert_lines_within_75_octets(&text);
            for pair in text.split("\r\n").collect::<Vec<_>>().windows(2) {
                if pair[1].starts_with(' ') {
                    let trailing = pair[0].bytes().rev().take_while(|b| *b == b'\\').count();
                    assert!(trailing % 2 == 0, "escape split after {:?}", pair[0]);
                }
            }
            let escaped = "Ysbyty Ystwyth\\, Llanfair-ym-Muallt\\; Tŷ Hywel\\\\ a\\,b\\;c\\\\d\\n🙂 ";
            assert!(unfold(&text).contains(&format!("\r\nSUMMARY:{}{}\r\n", "x".repeat(pad), escaped.repeat(4))));
        }
    }

    #[test]
    fn every_line_is_at_most_75_octets() {
        let long = "🙂".repeat(100) + &"ŷ".repeat(50) + &"a".repeat(200);
        let mut e = event(&long, Some(&long), june_six_pm());
        e.url = Some(format!("https://convene.example.org/{}", "p".repeat(300)));
        assert_lines_within_75_octets(&render(&long, std::slice::from_ref(&e)));
        assert_lines_within_75_octets(&invitation(&e, Method::Request, &service(), &attendee(), false));
    }

    #[test]
    fn june_six_pm_is_written_as_london_local_six_pm() {
        let text = render("Convene", &[event("Training", None, june_six_pm())]);
        assert!(text.contains("\r\nDTSTART;TZID=Europe/London:20260618T180000\r\n"), "{text}");
        assert!(text.contains("\r\nDTEND;TZID=Europe/London:20260618T200000\r\n"));
        // January: GMT, so 18:00 UTC is 18:00 local.
        let january = Utc.with_ymd_and_hms(2027, 1, 14, 18, 0, 0).unwrap();
        let text = render("Convene", &[event("Training", None, january)]);
        assert!(text.contains("\r\nDTSTART;TZID=Europe/London:20270114T180000\r\n"));
    }

    #[test]
    fn calendar_head_and_vtimezone_with_both_rules() {
        let text = render("My Convene", &[]);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//Convene//EN\r\n"));
        for line in [
            "X-WR-CALNAME:My Convene",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-PUBLISHED-TTL:PT1H",
            "BEGIN:VTIMEZONE",
            "TZID:Europe/London",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "TZOFFSETTO:+0100",
            "TZOFFSETTO:+0000",
            "END:VTIMEZONE",
        ] {
            assert!(text.contains(&format!("\r\n{line}\r\n")), "{line} missing: {text}");
        }
        assert!(text.ends_with("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"));
        assert!(!text.contains("METHOD:"));
        // Only the events carry UID and DTSTAMP (none here), so the output is stable.
        assert!(!text.contains("UID:") && !text.contains("DTSTAMP:"));
        assert_eq!(text, render("My Convene", &[]));
        // Every line break is CRLF.
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    }

    #[test]
    fn output_is_deterministic_whatever_the_input_order() {
        let mut a = event("A", None, june_six_pm());
        a.uid = "a@convene".into();
        let mut b = event("B", None, june_six_pm() - chrono::TimeDelta::days(1));
        b.uid = "b@convene".into();
        let mut c = event("C", None, june_six_pm());
        c.uid = "c@convene".into();
        let one = render("Feed", &[a.clone(), b.clone(), c.clone()]);
        let two = render("Feed", &[c, a, b]);
        assert_eq!(one, two);
        let order: Vec<&str> = one.lines().filter(|l| l.starts_with("UID:")).collect();
        assert_eq!(order, ["UID:b@convene", "UID:a@convene", "UID:c@convene"]);
    }

    #[test]
    fn cancelled_all_day_and_sequence_are_written() {
        let mut e = event("Away day", None, june_six_pm());
        e.status = Status::Cancelled;
        e.when = When::AllDay {
            start: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 7, 2).unwrap(),
        };
        let text = render("Feed", &[e]);
        for line in [
            "STATUS:CANCELLED",
            "SEQUENCE:2",
            "DTSTAMP:20260601T090000Z",
            "DTSTART;VALUE=DATE:20260701",
            "DTEND;VALUE=DATE:20260702",
            "UID:conference-7@convene",
        ] {
            assert!(text.contains(&format!("\r\n{line}\r\n")), "{line} missing: {text}");
        }
    }

    fn service() -> CalendarUser {
        CalendarUser { email: "rj@convene.example.org".into(), name: "Convene".into() }
    }

    fn attendee() -> CalendarUser {
        CalendarUser { email: "jo@example.org".into(), name: "O\"Brien, Jo".into() }
    }

    #[test]
    fn invite_is_a_request_with_one_event_an_organizer_and_the_attendee() {
        let text = invitation(
            &event("Restorative conference", None, june_six_pm()),
            Method::Request,
            &service(),
            &attendee(),
            false,
        );
        assert!(text.contains("\r\nMETHOD:REQUEST\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
        assert!(text.contains("BEGIN:VTIMEZONE"));
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        let unfolded = unfold(&text);
        assert!(unfolded.contains("\r\nORGANIZER;CN=Convene:mailto:rj@convene.example.org\r\n"), "{unfolded}");
        // The quote goes; the comma makes the crate quote the name.
        assert!(
            unfolded.contains(
                "\r\nATTENDEE;CN=\"OBrien, Jo\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:jo@example.org\r\n"
            ),
            "{unfolded}"
        );
    }

    #[test]
    fn a_cancellation_says_cancel() {
        let mut e = event("Restorative conference", None, june_six_pm());
        e.status = Status::Cancelled;
        let text = invitation(&e, Method::Cancel, &service(), &attendee(), true);
        assert!(text.contains("\r\nMETHOD:CANCEL\r\n") && text.contains("\r\nSTATUS:CANCELLED\r\n"), "{text}");
        assert!(text.contains("\r\nSEQUENCE:2\r\n"));
    }
}
