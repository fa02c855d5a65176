//! Europe/London wall-clock at the edges; UTC instants everywhere else.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// Today's date in London.
pub fn london_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&London).date_naive()
}

/// A London wall-clock time as a UTC instant. A time in the spring-forward gap does not
/// exist (`None`); one in the autumn overlap means its first occurrence.
pub fn london_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match London.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// A UTC instant shown as London wall-clock.
pub fn london_display(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%-d %B %Y, %H:%M").to_string()
}

/// A date for people: "Tuesday 2 March 2027".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// A short date for people: "3 Mar 2027".
pub fn short_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// How far `deadline` is from `today`, in words: "3 days left", "due today", "1 day overdue".
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> String {
    match (deadline - today).num_days() {
        0 => "due today".into(),
        1 => "1 day left".into(),
        n if n > 0 => format!("{n} days left"),
        -1 => "1 day overdue".into(),
        n => format!("{} days overdue", -n),
    }
}

/// Whole years from `born` to `on`; -1 when `born` is later than `on`.
pub fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    on.years_since(born).map_or(-1, |years| i32::try_from(years).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        assert_eq!(age_on(date("2008-12-01"), date("2026-12-01")), 18);
        assert_eq!(age_on(date("2008-12-02"), date("2026-12-01")), 17);
        assert_eq!(age_on(date("2027-01-01"), date("2026-12-01")), -1);
    }

    #[test]
    fn london_times_across_the_clock_changes() {
        let summer = NaiveDateTime::parse_from_str("2027-06-10 18:00", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(london_to_utc(summer).unwrap().to_rfc3339(), "2027-06-10T17:00:00+00:00");
        let gap = NaiveDateTime::parse_from_str("2027-03-28 01:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(london_to_utc(gap), None);
        let overlap = NaiveDateTime::parse_from_str("2027-10-31 01:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(london_to_utc(overlap).unwrap().to_rfc3339(), "2027-10-31T00:30:00+00:00");
    }
}
