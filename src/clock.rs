//! The service's one clock: every "now" and "today" in the service reads it, so a test (or a
//! demonstration) can start the whole process at a chosen instant instead of the real date.
//!
//! It is process-wide: `convene` installs it once at start-up from `CONVENE_TEST_NOW` (unset:
//! the system clock), and the test harness installs the suite's fixed instant before it builds
//! an app. A clock that starts at a fixed instant keeps running from there, so timeouts,
//! leases and throttling windows behave as they do in production.

use std::sync::OnceLock;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Clone, Copy, Debug)]
pub struct Clock(Kind);

#[derive(Clone, Copy, Debug)]
enum Kind {
    System,
    /// Reads `start` at `origin` and runs at the speed of real time from there.
    StartingAt {
        start: DateTime<Utc>,
        origin: Instant,
    },
}

impl Clock {
    pub fn system() -> Self {
        Self(Kind::System)
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self(Kind::StartingAt { start, origin: Instant::now() })
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.0 {
            Kind::System => Utc::now(),
            Kind::StartingAt { start, origin } => {
                start + chrono::Duration::from_std(origin.elapsed()).unwrap_or(chrono::Duration::zero())
            }
        }
    }

    /// The instant this clock was started at, when it is not the system clock.
    pub fn fixed_start(&self) -> Option<DateTime<Utc>> {
        match self.0 {
            Kind::System => None,
            Kind::StartingAt { start, .. } => Some(start),
        }
    }
}

static CLOCK: OnceLock<Clock> = OnceLock::new();

/// Installs the process's clock. The first installation wins; a later one with a different
/// start is refused (`Err` with the clock in force), so a clock read before the harness fixed
/// it shows up as an error instead of a silent mix of dates.
pub fn install(clock: Clock) -> Result<(), Clock> {
    let installed = *CLOCK.get_or_init(|| clock);
    if installed.fixed_start() == clock.fixed_start() { Ok(()) } else { Err(installed) }
}

/// The clock in force (the system clock unless one was installed).
pub fn current() -> Clock {
    *CLOCK.get_or_init(Clock::system)
}

/// The current instant (UTC).
pub fn now() -> DateTime<Utc> {
    current().now()
}

/// Today's date in London.
pub fn today() -> NaiveDate {
    crate::domain::time::london_today(now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_started_at_an_instant_reads_it_and_runs_on() {
        let start: DateTime<Utc> = "2027-03-27T10:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(start);
        let read = clock.now();
        assert!(read >= start && read < start + chrono::Duration::seconds(5));
        assert_eq!(clock.fixed_start(), Some(start));
        assert_eq!(Clock::system().fixed_start(), None);
    }
}
