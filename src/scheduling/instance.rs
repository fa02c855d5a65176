//! Turns the database into a planning instance for the matcher: the case's establishment
//! (regime, closures, rooms, vetting), the facilitators (level, monthly maximum, how long
//! their checks stay valid, availability, unavailability, existing bookings, conflicts) and
//! the case (duration, dates, the harmer's appointments). Wall-clock Europe/London, as the
//! matcher reads it; the clearance rules are the checks module's own `evaluate`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, Response};
use entity::party::{self, PartyRole};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use entity::{
    appointment, availability_window, case, case_facilitator, closure, conflict_of_interest, dbs_check, establishment,
    party_availability, prison_vetting, unavailability,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::matcher::Instance;
use super::matcher::instance::{
    CaseSpec, DateRange, FacilitatorSpec, Horizon, Level, LocalInterval, LocalPeriod, VenueSpec, Weekday, WeeklyWindow,
};
use crate::checks::clearance::{self, DbsCheck, Vetting};

pub const GRANULARITY_MINUTES: u32 = 15;
pub const TRAVEL_BUFFER_MINUTES: u32 = 60;

pub fn venue_id(id: i64) -> String {
    format!("e{id}")
}
pub fn facilitator_id(id: i64) -> String {
    format!("v{id}")
}
pub fn case_id(id: i64) -> String {
    format!("c{id}")
}
/// The volunteer id behind a matcher facilitator id.
pub fn volunteer_of(facilitator: &str) -> Option<i64> {
    facilitator.strip_prefix('v')?.parse().ok()
}

pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%Y-%m-%dT%H:%M").to_string()
}

const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn weekly(weekday: i16, start: chrono::NaiveTime, end: chrono::NaiveTime) -> Option<WeeklyWindow> {
    Some(WeeklyWindow {
        days: vec![*WEEKDAYS.get(usize::try_from(weekday).ok()?)?],
        start: start.format("%H:%M").to_string(),
        end: end.format("%H:%M").to_string(),
    })
}

/// The last day in `[from, to]` on which the volunteer is cleared at the establishment, by
/// the same rule as everywhere else; clearance only ever lapses as days pass.
fn cleared_until(
    checks: &[DbsCheck],
    vetting: &[Vetting],
    place: &clearance::Establishment,
    from: NaiveDate,
    to: NaiveDate,
    renewal_years: i64,
) -> Option<NaiveDate> {
    let ok = |day: NaiveDate| clearance::evaluate(checks, vetting, place, day, renewal_years).is_cleared();
    if !ok(from) {
        return None;
    }
    if ok(to) {
        return Some(to);
    }
    let (mut good, mut bad) = (from, to);
    while (bad - good).num_days() > 1 {
        let mid = good + Duration::days((bad - good).num_days() / 2);
        if ok(mid) { good = mid } else { bad = mid }
    }
    Some(good)
}

/// Blocked intervals covering everything in `[from, to]` outside the weekly windows each
/// party gave (wall-clock), so a conference must fit inside the availability of every party
/// who gave any; parties who gave none constrain nothing. The matcher widens `blocked` by the
/// travel buffer on both sides, so each gap is narrowed by it first; a gap narrower than two
/// buffers becomes a point, which blocks a little more than the gap (never less).
fn outside_party_availability(
    given: &[party_availability::Model],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<LocalInterval> {
    let buffer = Duration::minutes(i64::from(TRAVEL_BUFFER_MINUTES));
    let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default();
    let text = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    let mut by_party: HashMap<i64, Vec<&party_availability::Model>> = HashMap::new();
    for w in given {
        by_party.entry(w.party_id).or_default().push(w);
    }
    let mut blocked = Vec::new();
    for windows in by_party.values() {
        // The open windows day by day, from the day before the horizon to the day after.
        let mut open: Vec<(chrono::NaiveDateTime, chrono::NaiveDateTime)> = Vec::new();
        let mut day = from - Duration::days(1);
        while day <= to + Duration::days(1) {
            let weekday = i16::try_from(chrono::Datelike::weekday(&day).num_days_from_monday()).unwrap_or(0);
            open.extend(
                windows
                    .iter()
                    .filter(|w| w.weekday == weekday)
                    .map(|w| (day.and_time(w.starts_at), day.and_time(w.ends_at))),
            );
            day += Duration::days(1);
        }
        open.sort();
        // Noon, not midnight, at the far edges: noon exists on every day, clock change or not.
        let mut free_from = (from - Duration::days(2)).and_time(noon);
        let last = (to + Duration::days(2)).and_time(noon);
        for (start, end) in open.into_iter().chain([(last, last)]) {
            if start > free_from {
                let (a, b) = (free_from + buffer, start - buffer);
                let (a, b) = if a <= b {
                    (a, b)
                } else {
                    let mid = free_from + (start - free_from) / 2;
                    (mid, mid)
                };
                blocked.push(LocalInterval { start: text(a), end: text(b) });
            }
            free_from = std::cmp::max(free_from, end);
        }
    }
    blocked
}

/// A planning instance for one case, over `today` to its deadline, with every active
/// facilitator (or only `only`). Existing conferences other than `except_conference` count
/// as the facilitators' bookings.
pub async fn for_case(
    db: &impl ConnectionTrait,
    found: &case::Model,
    today: NaiveDate,
    only: Option<&[i64]>,
    except_conference: Option<i64>,
) -> Result<Instance, DbErr> {
    let place = establishment::Entity::find_by_id(found.establishment_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("establishment {}", found.establishment_id)))?;
    let windows = crate::establishments::service::windows(db, place.id).await?;
    let closures = closure::Entity::find().filter(closure::Column::EstablishmentId.eq(place.id)).all(db).await?;
    let horizon_end = found.deadline.max(today);

    let mut query = volunteer::Entity::find()
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active))
        .filter(volunteer::Column::Level.is_in([FacilitationLevel::CoFacilitator, FacilitationLevel::Lead]));
    if let Some(ids) = only {
        query = query.filter(volunteer::Column::Id.is_in(ids.to_vec()));
    }
    let volunteers = query.all(db).await?;
    let ids: Vec<i64> = volunteers.iter().map(|v| v.id).collect();

    // Everything about these volunteers in a handful of queries, grouped in memory.
    let mut dbs: HashMap<i64, Vec<DbsCheck>> = HashMap::new();
    let mut dbs_rows =
        dbs_check::Entity::find().filter(dbs_check::Column::VolunteerId.is_in(ids.clone())).all(db).await?;
    dbs_rows.sort_by_key(|r| r.id);
    for row in &dbs_rows {
        dbs.entry(row.volunteer_id).or_default().push(DbsCheck::from(row));
    }
    let mut vetting: HashMap<i64, Vec<Vetting>> = HashMap::new();
    let mut vetting_rows = prison_vetting::Entity::find()
        .filter(prison_vetting::Column::VolunteerId.is_in(ids.clone()))
        .filter(prison_vetting::Column::EstablishmentId.eq(place.id))
        .all(db)
        .await?;
    vetting_rows.sort_by_key(|r| r.id);
    for row in &vetting_rows {
        vetting.entry(row.volunteer_id).or_default().push(Vetting::from(row));
    }
    let mut availability: HashMap<i64, Vec<WeeklyWindow>> = HashMap::new();
    for w in availability_window::Entity::find()
        .filter(availability_window::Column::VolunteerId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        if let Some(window) = weekly(w.weekday, w.starts_at, w.ends_at) {
            availability.entry(w.volunteer_id).or_default().push(window);
        }
    }
    let mut away: HashMap<i64, Vec<LocalPeriod>> = HashMap::new();
    for u in
        unavailability::Entity::find().filter(unavailability::Column::VolunteerId.is_in(ids.clone())).all(db).await?
    {
        away.entry(u.volunteer_id).or_default().push(LocalPeriod { from: local(u.starts_at), to: local(u.ends_at) });
    }
    let mut conflicts: HashMap<i64, Vec<String>> = HashMap::new();
    for c in conflict_of_interest::Entity::find()
        .filter(conflict_of_interest::Column::VolunteerId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        conflicts.entry(c.volunteer_id).or_default().push(case_id(c.case_id));
    }
    let assignments = conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::VolunteerId.is_in(ids.clone()))
        .filter(conference_facilitator::Column::Response.ne(Response::Declined))
        .all(db)
        .await?;
    let conferences: HashMap<i64, conference::Model> = conference::Entity::find()
        .filter(conference::Column::Id.is_in(assignments.iter().map(|a| a.conference_id).collect::<Vec<_>>()))
        .filter(conference::Column::Status.ne(ConferenceStatus::Cancelled))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| Some(c.id) != except_conference)
        .map(|c| (c.id, c))
        .collect();
    let mut booked: HashMap<i64, Vec<LocalInterval>> = HashMap::new();
    let mut recent: HashMap<i64, u32> = HashMap::new();
    let mut continuity: Vec<String> = Vec::new();
    let now = crate::clock::now();
    for a in &assignments {
        let Some(c) = conferences.get(&a.conference_id) else { continue };
        booked
            .entry(a.volunteer_id)
            .or_default()
            .push(LocalInterval { start: local(c.starts_at), end: local(c.ends_at) });
        if c.status == ConferenceStatus::Held && now - c.starts_at < Duration::days(90) {
            *recent.entry(a.volunteer_id).or_default() += 1;
        }
    }
    // Continuity: whoever is (or was, until a colleague declined) on this case and did not
    // decline, including on its cancelled conferences.
    let on_case: Vec<i64> = conference::Entity::find()
        .filter(conference::Column::CaseId.eq(found.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let answers = conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::ConferenceId.is_in(on_case))
        .all(db)
        .await?;
    for f in answers.iter().filter(|f| f.response != Response::Declined) {
        let id = facilitator_id(f.volunteer_id);
        if !continuity.contains(&id) {
            continuity.push(id);
        }
    }
    // ... and the pair allocated to it, unless they declined a conference of it.
    for a in case_facilitator::Entity::find().filter(case_facilitator::Column::CaseId.eq(found.id)).all(db).await? {
        let declined = answers.iter().any(|f| f.volunteer_id == a.volunteer_id && f.response == Response::Declined);
        let id = facilitator_id(a.volunteer_id);
        if !declined && !continuity.contains(&id) {
            continuity.push(id);
        }
    }

    let renewal_years = crate::checks::service::renewal_years(db).await?;
    let place_rule = clearance::Establishment::from(&place);
    let facilitators = volunteers
        .iter()
        .map(|v| {
            let checks = dbs.get(&v.id).map(Vec::as_slice).unwrap_or_default();
            let vetted = vetting.get(&v.id).map(Vec::as_slice).unwrap_or_default();
            let valid_until = cleared_until(checks, vetted, &place_rule, today, horizon_end, renewal_years);
            FacilitatorSpec {
                id: facilitator_id(v.id),
                level: if v.level == FacilitationLevel::Lead { Level::Lead } else { Level::Co },
                max_per_month: u32::try_from(v.max_conferences_per_month.max(0)).unwrap_or(0),
                checks_valid_until: valid_until.map(|d| d.to_string()),
                // Vetting validity is folded into checks_valid_until (it is per establishment).
                vetted_at: if valid_until.is_some() { vec![venue_id(place.id)] } else { Vec::new() },
                availability: availability.remove(&v.id).unwrap_or_default(),
                unavailable: away.remove(&v.id).unwrap_or_default(),
                booked: booked.remove(&v.id).unwrap_or_default(),
                conflicts: conflicts.remove(&v.id).unwrap_or_default(),
                recent_conferences: recent.get(&v.id).copied().unwrap_or(0),
                location: None,
            }
        })
        .collect();

    let parties = party::Entity::find().filter(party::Column::CaseId.eq(found.id)).all(db).await?;
    let harmers: Vec<i64> = parties.iter().filter(|p| p.role == PartyRole::Harmer).map(|p| p.id).collect();
    let mut blocked: Vec<LocalInterval> = appointment::Entity::find()
        .filter(appointment::Column::PartyId.is_in(harmers))
        .all(db)
        .await?
        .into_iter()
        .map(|a| LocalInterval { start: local(a.starts_at), end: local(a.ends_at) })
        .collect();
    let given = party_availability::Entity::find()
        .filter(party_availability::Column::PartyId.is_in(parties.iter().map(|p| p.id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    blocked.extend(outside_party_availability(&given, today, horizon_end));
    // The part of today already gone (and, with the travel buffer, the next hour): no
    // conference can start in the past.
    if crate::domain::time::london_today(now) == today {
        blocked.push(LocalInterval { start: format!("{today}T00:00"), end: local(now) });
    }

    Ok(Instance {
        timezone: "Europe/London".into(),
        horizon: Horizon { start: today.to_string(), end: horizon_end.to_string() },
        granularity_minutes: GRANULARITY_MINUTES,
        travel_buffer_minutes: TRAVEL_BUFFER_MINUTES,
        venues: vec![VenueSpec {
            id: venue_id(place.id),
            rooms: u32::try_from(place.rooms.max(1)).unwrap_or(1),
            requires_vetting: place.requires_vetting,
            windows: windows.iter().filter_map(|w| weekly(w.weekday, w.starts_at, w.ends_at)).collect(),
            closed: closures
                .iter()
                .map(|c| DateRange { from: c.from_date.to_string(), to: c.to_date.to_string() })
                .collect(),
            location: place.latitude.zip(place.longitude).map(|(lat, lon)| [lat, lon]),
        }],
        facilitators,
        cases: vec![CaseSpec {
            id: case_id(found.id),
            venue: venue_id(place.id),
            duration_minutes: u32::try_from(found.duration_minutes.max(1)).unwrap_or(120),
            earliest: today.to_string(),
            deadline: found.deadline.to_string(),
            blocked,
            continuity,
        }],
    })
}

/// One case's view of a facilitator's clearance: (cleared until, venue, horizon end).
type Fold = (Option<String>, String, String);

/// One planning instance for several cases (batch planning), merged from each case's own
/// instance. Those agree on everything but clearance: each folds the facilitator's prison
/// vetting at *its* establishment into `checks_valid_until`, capped at its own horizon. The
/// merge keeps the latest of those dates, which never outlasts the DBS check (every fold
/// includes it), and counts a facilitator vetted at a venue only where, for every case
/// there, the fold reaches that date or the case's horizon: someone whose vetting lapses
/// sooner is left out of that venue rather than risk a booking after it lapses (the single-
/// case search, which batch planning falls back on, still finds them).
pub fn merge(parts: Vec<Instance>) -> Option<Instance> {
    let mut parts = parts.into_iter();
    let mut joint = parts.next()?;
    let mut folds: HashMap<String, Vec<Fold>> = HashMap::new();
    let record = |folds: &mut HashMap<String, Vec<Fold>>, part: &Instance| {
        let venue = part.cases.first().map(|c| c.venue.clone()).unwrap_or_default();
        for f in &part.facilitators {
            folds.entry(f.id.clone()).or_default().push((
                f.checks_valid_until.clone(),
                venue.clone(),
                part.horizon.end.clone(),
            ));
        }
    };
    record(&mut folds, &joint);
    let mut listed: std::collections::HashSet<String> = joint.facilitators.iter().map(|f| f.id.clone()).collect();
    for part in parts {
        record(&mut folds, &part);
        // ISO dates order as text.
        joint.horizon.start = joint.horizon.start.min(part.horizon.start);
        joint.horizon.end = joint.horizon.end.max(part.horizon.end);
        for venue in part.venues {
            if !joint.venues.iter().any(|v| v.id == venue.id) {
                joint.venues.push(venue);
            }
        }
        // Every part lists the same facilitators; only their clearance differs (`folds`).
        for facilitator in part.facilitators {
            if listed.insert(facilitator.id.clone()) {
                joint.facilitators.push(facilitator);
            }
        }
        joint.cases.extend(part.cases);
    }
    let vetting_venues: Vec<String> =
        joint.venues.iter().filter(|v| v.requires_vetting).map(|v| v.id.clone()).collect();
    for facilitator in &mut joint.facilitators {
        let fold = folds.remove(&facilitator.id).unwrap_or_default();
        let latest = fold.iter().filter_map(|(until, _, _)| until.clone()).max();
        facilitator.vetted_at = match &latest {
            None => Vec::new(),
            Some(latest) => vetting_venues
                .iter()
                .filter(|venue| {
                    fold.iter()
                        .filter(|(_, at, _)| at == *venue)
                        .all(|(until, _, horizon_end)| until.as_ref() == Some(latest.min(horizon_end)))
                })
                .cloned()
                .collect(),
        };
        facilitator.checks_valid_until = latest;
    }
    Some(joint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(venue: &str, vetting: bool, case: &str, horizon_end: &str, until: Option<&str>) -> Instance {
        serde_json::from_value(serde_json::json!({
            "timezone": "Europe/London",
            "horizon": {"start": "2027-03-01", "end": horizon_end},
            "granularity_minutes": 15,
            "travel_buffer_minutes": 60,
            "venues": [{"id": venue, "rooms": 1, "requires_vetting": vetting}],
            "facilitators": [{"id": "v1", "level": "lead", "max_per_month": 4,
                              "checks_valid_until": until, "vetted_at": if until.is_some() { vec![venue] } else { vec![] }}],
            "cases": [{"id": case, "venue": venue, "duration_minutes": 120,
                       "earliest": "2027-03-01", "deadline": horizon_end}]
        }))
        .expect("instance")
    }

    #[test]
    fn merging_keeps_every_case_and_venue_over_the_widest_horizon() {
        let joint = merge(vec![
            part("e1", true, "c1", "2027-03-20", Some("2027-03-20")),
            part("e2", false, "c2", "2027-04-30", Some("2027-04-30")),
            part("e1", true, "c3", "2027-04-10", Some("2027-04-10")),
        ])
        .expect("joint");
        assert_eq!((joint.horizon.start.as_str(), joint.horizon.end.as_str()), ("2027-03-01", "2027-04-30"));
        assert_eq!(joint.venues.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["e1", "e2"]);
        assert_eq!(joint.cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["c1", "c2", "c3"]);
        assert_eq!(joint.facilitators.len(), 1);
        let v1 = &joint.facilitators[0];
        assert_eq!(v1.checks_valid_until.as_deref(), Some("2027-04-30"));
        assert_eq!(v1.vetted_at, ["e1"], "cleared at e1 through both its cases' horizons");
        assert!(crate::scheduling::matcher::Problem::compile(&joint).is_ok());
    }

    #[test]
    fn vetting_that_lapses_before_the_latest_check_date_leaves_that_venue_out() {
        // Vetting at e1 ends 2027-03-15, inside c1's horizon; the DBS check runs on.
        let joint = merge(vec![
            part("e1", true, "c1", "2027-03-31", Some("2027-03-15")),
            part("e2", false, "c2", "2027-04-30", Some("2027-04-30")),
        ])
        .expect("joint");
        let v1 = &joint.facilitators[0];
        assert_eq!(v1.checks_valid_until.as_deref(), Some("2027-04-30"));
        assert!(v1.vetted_at.is_empty(), "not offered at e1 after its vetting lapses: {:?}", v1.vetted_at);
    }

    #[test]
    fn a_facilitator_cleared_nowhere_has_no_valid_checks() {
        let joint = merge(vec![part("e1", true, "c1", "2027-03-31", None), part("e2", true, "c2", "2027-03-31", None)])
            .expect("joint");
        assert_eq!(joint.facilitators[0].checks_valid_until, None);
        assert!(joint.facilitators[0].vetted_at.is_empty());
        assert!(merge(Vec::new()).is_none());
    }
}
