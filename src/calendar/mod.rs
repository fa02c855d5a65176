//! Calendar feeds (issue 6): iCalendar rendering of conferences, training sessions,
//! supervision sessions and volunteer meetings.

pub mod ics;
