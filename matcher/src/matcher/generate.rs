//! A deterministic, seeded generator of realistic planning instances: prisons with regime
//! windows, rooms and closures; community venues; facilitators around England with weekly
//! patterns, holidays, existing bookings, vetting, expiring checks and conflicts; cases with
//! deadlines, the harmer's appointments and continuity. Same parameters, same instance.

use chrono::{Duration, NaiveDate};

use super::instance::{
    CaseSpec, DateRange, FacilitatorSpec, Horizon, Instance, Level, LocalInterval, LocalPeriod, VenueSpec, Weekday,
    WeeklyWindow,
};
use super::score::haversine_km;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenParams {
    pub facilitators: usize,
    pub cases: usize,
    pub weeks: u32,
    pub venues: usize,
    pub seed: u64,
}

const TOWNS: [(&str, f64, f64); 20] = [
    ("gloucester", 51.864, -2.244),
    ("bristol", 51.454, -2.587),
    ("birmingham", 52.486, -1.890),
    ("manchester", 53.480, -2.242),
    ("leeds", 53.800, -1.549),
    ("sheffield", 53.381, -1.470),
    ("nottingham", 52.954, -1.158),
    ("leicester", 52.637, -1.139),
    ("oxford", 51.752, -1.258),
    ("reading", 51.455, -0.978),
    ("london", 51.507, -0.128),
    ("norwich", 52.630, 1.297),
    ("exeter", 50.718, -3.534),
    ("york", 53.960, -1.082),
    ("newcastle", 54.978, -1.618),
    ("liverpool", 53.408, -2.991),
    ("cambridge", 52.205, 0.121),
    ("southampton", 50.909, -1.404),
    ("worcester", 52.192, -2.220),
    ("lincoln", 53.234, -0.538),
];

const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn round1000(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Generates an instance. The horizon starts on Monday 2027-03-01, so an 8-week horizon
/// crosses the March clock change.
pub fn generate(params: &GenParams) -> Instance {
    let mut rng = fastrand::Rng::with_seed(params.seed ^ 0x9e37_79b9_7f4a_7c15);
    let start = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default();
    let weeks = params.weeks.max(1);
    let end = start + Duration::days(i64::from(weeks) * 7 - 1);
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let at = |d: NaiveDate, minutes: u32| format!("{}T{}", day(d), hhmm(minutes));
    let random_date = |rng: &mut fastrand::Rng, from: NaiveDate, to: NaiveDate| {
        let span = (to - from).num_days().max(0);
        from + Duration::days(rng.i64(0..=span))
    };

    // Venues: mostly prisons, some community venues; towns without repetition where possible.
    let mut town_order: Vec<usize> = (0..TOWNS.len()).collect();
    rng.shuffle(&mut town_order);
    let venue_count = params.venues.max(1);
    let mut venues = Vec::with_capacity(venue_count);
    let mut prisons = Vec::new();
    for v in 0..venue_count {
        let (town, lat, lon) = TOWNS[town_order[v % TOWNS.len()]];
        let prison = venue_count == 1 || v % 4 != 3;
        let suffix = if v >= TOWNS.len() { format!("-{}", v / TOWNS.len()) } else { String::new() };
        let mut closed = Vec::new();
        for _ in 0..rng.usize(0..=weeks as usize / 2 + 1) {
            let from = random_date(&mut rng, start, end);
            let to = from + Duration::days(rng.i64(0..=2));
            closed.push(DateRange { from: day(from), to: day(to) });
        }
        let windows = if prison {
            let morning_start = 495 + 15 * rng.u32(0..4); // 08:15–09:00
            let morning_end = 660 + 15 * rng.u32(0..3); // 11:00–11:30
            let afternoon_start = 810 + 15 * rng.u32(0..3); // 13:30–14:00
            let afternoon_end = 960 + 15 * rng.u32(0..3); // 16:00–16:30
            let afternoon_days: Vec<Weekday> = if rng.bool() { WEEKDAYS[..4].to_vec() } else { WEEKDAYS.to_vec() };
            let mut w = vec![
                WeeklyWindow { days: WEEKDAYS.to_vec(), start: hhmm(morning_start), end: hhmm(morning_end) },
                WeeklyWindow { days: afternoon_days, start: hhmm(afternoon_start), end: hhmm(afternoon_end) },
            ];
            if rng.u32(0..4) == 0 {
                w.push(WeeklyWindow { days: vec![Weekday::Sat], start: "09:00".to_string(), end: "11:30".to_string() });
            }
            w
        } else {
            vec![WeeklyWindow { days: WEEKDAYS.to_vec(), start: "09:00".to_string(), end: "18:00".to_string() }]
        };
        let id = format!("{}-{town}{suffix}", if prison { "hmp" } else { "cv" });
        if prison {
            prisons.push(v);
        }
        venues.push(VenueSpec {
            id,
            rooms: if prison { 1 + rng.u32(0..3) } else { 1 + rng.u32(0..2) },
            requires_vetting: prison,
            windows,
            closed,
            location: Some([lat, lon]),
        });
    }

    // Facilitators live near one of the venues' towns (a few further afield).
    let mut facilitators = Vec::with_capacity(params.facilitators);
    for i in 0..params.facilitators {
        let home = rng.usize(0..venue_count);
        let [hlat, hlon] = venues[home].location.unwrap_or([52.0, -1.5]);
        let spread = if rng.u32(0..10) == 0 { 1.0 } else { 0.25 };
        let location = [
            round1000(hlat + (rng.f64() * 2.0 - 1.0) * spread),
            round1000(hlon + (rng.f64() * 2.0 - 1.0) * spread * 1.5),
        ];
        let checks_valid_until = match rng.u32(0..100) {
            0..=2 => None,
            3..=12 => Some(day(random_date(&mut rng, start, end))),
            _ => Some(day(random_date(&mut rng, end + Duration::days(30), end + Duration::days(900)))),
        };
        let mut vetted_at = Vec::new();
        for &p in &prisons {
            let near = venues[p].location.is_some_and(|loc| haversine_km(loc, location) < 80.0);
            let chance = if near { 60 } else { 10 };
            if rng.u32(0..100) < chance {
                vetted_at.push(venues[p].id.clone());
            }
        }
        let mut availability = Vec::new();
        for _ in 0..1 + rng.usize(0..3) {
            let mut days: Vec<Weekday> = WEEKDAYS.iter().copied().filter(|_| rng.u32(0..100) < 35).collect();
            if days.is_empty() {
                days.push(WEEKDAYS[rng.usize(0..5)]);
            }
            if rng.u32(0..12) == 0 {
                days.push(Weekday::Sat);
            }
            let (from, to) = match rng.u32(0..10) {
                0..=2 => (480 + 15 * rng.u32(0..4), 780),  // morning
                3..=5 => (750, 1020 + 30 * rng.u32(0..2)), // afternoon
                6..=8 => (480 + 15 * rng.u32(0..4), 1050), // whole day
                _ => (1050, 1260),                         // evening
            };
            availability.push(WeeklyWindow { days, start: hhmm(from), end: hhmm(to) });
        }
        let mut unavailable = Vec::new();
        if rng.u32(0..100) < 30 {
            let from = random_date(&mut rng, start, end);
            let to = from + Duration::days(rng.i64(3..=10));
            unavailable.push(LocalPeriod { from: at(from, 0), to: at(to, 0) });
        }
        if rng.u32(0..100) < 10 {
            let d = random_date(&mut rng, start, end);
            unavailable.push(LocalPeriod { from: at(d, 600), to: at(d, 840) });
        }
        let mut booked = Vec::new();
        for _ in 0..rng.usize(0..=3) {
            let d = random_date(&mut rng, start - Duration::days(14), end);
            let from = if rng.bool() { 540 } else { 840 } + 30 * rng.u32(0..3);
            booked.push(LocalInterval { start: at(d, from), end: at(d, from + 120 + 30 * rng.u32(0..3)) });
        }
        let conflicts = if rng.u32(0..100) < 5 && params.cases > 0 {
            vec![format!("c{:03}", 1 + rng.usize(0..params.cases))]
        } else {
            Vec::new()
        };
        facilitators.push(FacilitatorSpec {
            id: format!("v{:03}", i + 1),
            level: if rng.u32(0..100) < 35 { Level::Lead } else { Level::Co },
            max_per_month: 2 + rng.u32(0..5),
            checks_valid_until,
            vetted_at,
            availability,
            unavailable,
            booked,
            conflicts,
            recent_conferences: rng.u32(0..7),
            location: if rng.u32(0..20) == 0 { None } else { Some(location) },
        });
    }

    // Prison regime windows are 2½–3 hours, so prison conferences are shorter; a community
    // venue also takes the long ones.
    let prison_durations = [90, 120, 120, 150];
    let community_durations = [90, 120, 150, 180];
    let mut cases = Vec::with_capacity(params.cases);
    for i in 0..params.cases {
        let venue = &venues[rng.usize(0..venue_count)];
        let lead_in = (i64::from(weeks) * 7 / 4).max(1);
        let earliest = start + Duration::days(rng.i64(0..lead_in));
        let deadline = earliest + Duration::days(rng.i64(7..=(i64::from(weeks) * 7).max(8)));
        let mut blocked = Vec::new();
        for _ in 0..rng.usize(0..=4) {
            let d = random_date(&mut rng, earliest, deadline.min(end));
            let from = 540 + 15 * rng.u32(0..28);
            blocked.push(LocalInterval { start: at(d, from), end: at(d, from + 30 + 15 * rng.u32(0..3)) });
        }
        let mut continuity = Vec::new();
        if rng.u32(0..100) < 25 && params.facilitators > 0 {
            for _ in 0..1 + rng.usize(0..2) {
                let f = format!("v{:03}", 1 + rng.usize(0..params.facilitators));
                if !continuity.contains(&f) {
                    continuity.push(f);
                }
            }
        }
        cases.push(CaseSpec {
            id: format!("c{:03}", i + 1),
            venue: venue.id.clone(),
            duration_minutes: if venue.requires_vetting {
                prison_durations[rng.usize(0..prison_durations.len())]
            } else {
                community_durations[rng.usize(0..community_durations.len())]
            },
            earliest: day(earliest),
            deadline: day(deadline),
            blocked,
            continuity,
        });
    }

    Instance {
        timezone: "Europe/London".to_string(),
        horizon: Horizon { start: day(start), end: day(end) },
        granularity_minutes: 15,
        travel_buffer_minutes: 60,
        venues,
        facilitators,
        cases,
    }
}
