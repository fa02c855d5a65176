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
    party_availability, prison_vetting, regime_window, unavailability, user,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

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

/// Is the volunteer someone the matcher plans with: active, and a co-facilitator or a lead?
pub fn facilitates(v: &volunteer::Model) -> bool {
    v.status == VolunteerStatus::Active && matches!(v.level, FacilitationLevel::CoFacilitator | FacilitationLevel::Lead)
}

/// Conferences that started longer ago than this are history to the planner: they hold no
/// booking it must avoid, count towards no month's cap and are not "recent".
const HISTORY_DAYS: i64 = 100;

/// Rows of the volunteers `only`, or with no list every row (no long IN list).
fn among(column: impl ColumnTrait, only: Option<&[i64]>) -> Condition {
    match only {
        Some(ids) => Condition::all().add(column.is_in(ids.to_vec())),
        None => Condition::all(),
    }
}

/// An establishment as the planner sees it: its regime and its closures.
struct Place {
    place: establishment::Model,
    windows: Vec<WeeklyWindow>,
    closed: Vec<DateRange>,
}

/// Everything the planning instances of some cases are made of, read in a fixed number of
/// queries whatever the number of cases, volunteers or bookings (the pages that plan must
/// not grow with the data); each instance is then built from it in memory.
pub struct Snapshot {
    today: NaiveDate,
    now: DateTime<Utc>,
    renewal_years: i64,
    places: HashMap<i64, Place>,
    /// Every volunteer (or only those asked for), with their name, by id.
    volunteers: Vec<(volunteer::Model, String)>,
    dbs: HashMap<i64, Vec<DbsCheck>>,
    /// By (volunteer, establishment), oldest first.
    vetting: HashMap<(i64, i64), Vec<Vetting>>,
    availability: HashMap<i64, Vec<WeeklyWindow>>,
    away: HashMap<i64, Vec<LocalPeriod>>,
    booked: HashMap<i64, Vec<LocalInterval>>,
    recent: HashMap<i64, u32>,
    /// By case: the volunteers with a conflict of interest.
    conflicts: HashMap<i64, Vec<i64>>,
    /// By case: everyone who answered (or was asked about) any of its conferences.
    answers: HashMap<i64, Vec<conference_facilitator::Model>>,
    /// By case: the allocated pair.
    allocated: HashMap<i64, Vec<i64>>,
    /// By case: the harmer's appointments.
    appointments: HashMap<i64, Vec<LocalInterval>>,
    /// By case: the weekly windows its parties gave.
    given: HashMap<i64, Vec<party_availability::Model>>,
}

impl Snapshot {
    /// Reads what `cases` need on `today`, with every volunteer or only `only`. Existing
    /// conferences other than `except_conference` count as the facilitators' bookings.
    pub async fn load(
        db: &impl ConnectionTrait,
        cases: &[case::Model],
        today: NaiveDate,
        only: Option<&[i64]>,
        except_conference: Option<i64>,
    ) -> Result<Self, DbErr> {
        let now = crate::clock::now();
        let case_ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
        let mut place_ids: Vec<i64> = cases.iter().map(|c| c.establishment_id).collect();
        place_ids.sort_unstable();
        place_ids.dedup();

        // The establishments with their regimes, then their closures still to come.
        let mut places: HashMap<i64, Place> = HashMap::new();
        for (place, mut windows) in establishment::Entity::find()
            .filter(establishment::Column::Id.is_in(place_ids.clone()))
            .find_with_related(regime_window::Entity)
            .all(db)
            .await?
        {
            windows.sort_by_key(|w| (w.weekday, w.starts_at, w.id));
            let windows = windows.iter().filter_map(|w| weekly(w.weekday, w.starts_at, w.ends_at)).collect();
            places.insert(place.id, Place { place, windows, closed: Vec::new() });
        }
        for c in closure::Entity::find()
            .filter(closure::Column::EstablishmentId.is_in(place_ids.clone()))
            .filter(closure::Column::ToDate.gte(today))
            .order_by_asc(closure::Column::Id)
            .all(db)
            .await?
        {
            if let Some(p) = places.get_mut(&c.establishment_id) {
                p.closed.push(DateRange { from: c.from_date.to_string(), to: c.to_date.to_string() });
            }
        }

        let mut people = volunteer::Entity::find().find_also_related(user::Entity);
        if let Some(ids) = only {
            people = people.filter(volunteer::Column::Id.is_in(ids.to_vec()));
        }
        let mut volunteers: Vec<(volunteer::Model, String)> =
            people.all(db).await?.into_iter().filter_map(|(v, account)| account.map(|a| (v, a.name))).collect();
        volunteers.sort_by_key(|(v, _)| v.id);
        let mut dbs: HashMap<i64, Vec<DbsCheck>> = HashMap::new();
        for row in dbs_check::Entity::find()
            .filter(among(dbs_check::Column::VolunteerId, only))
            .order_by_asc(dbs_check::Column::Id)
            .all(db)
            .await?
        {
            dbs.entry(row.volunteer_id).or_default().push(DbsCheck::from(&row));
        }
        let mut vetting: HashMap<(i64, i64), Vec<Vetting>> = HashMap::new();
        for row in prison_vetting::Entity::find()
            .filter(among(prison_vetting::Column::VolunteerId, only))
            .filter(prison_vetting::Column::EstablishmentId.is_in(place_ids.clone()))
            .order_by_asc(prison_vetting::Column::Id)
            .all(db)
            .await?
        {
            vetting.entry((row.volunteer_id, row.establishment_id)).or_default().push(Vetting::from(&row));
        }
        let mut availability: HashMap<i64, Vec<WeeklyWindow>> = HashMap::new();
        for w in availability_window::Entity::find()
            .filter(among(availability_window::Column::VolunteerId, only))
            .order_by_asc(availability_window::Column::Id)
            .all(db)
            .await?
        {
            if let Some(window) = weekly(w.weekday, w.starts_at, w.ends_at) {
                availability.entry(w.volunteer_id).or_default().push(window);
            }
        }
        let mut away: HashMap<i64, Vec<LocalPeriod>> = HashMap::new();
        for u in unavailability::Entity::find()
            .filter(among(unavailability::Column::VolunteerId, only))
            .filter(unavailability::Column::EndsAt.gte(now - Duration::days(HISTORY_DAYS)))
            .order_by_asc(unavailability::Column::Id)
            .all(db)
            .await?
        {
            away.entry(u.volunteer_id)
                .or_default()
                .push(LocalPeriod { from: local(u.starts_at), to: local(u.ends_at) });
        }

        // One read of the conferences that matter: this case's (for continuity, whatever
        // their state) and everyone's live or held ones of the last few months (bookings,
        // monthly caps, recent conferences).
        let history = now - Duration::days(HISTORY_DAYS);
        let rows = conference_facilitator::Entity::find()
            .find_also_related(conference::Entity)
            .filter(
                Condition::any().add(conference::Column::CaseId.is_in(case_ids.clone())).add(
                    Condition::all()
                        .add(conference::Column::Status.ne(ConferenceStatus::Cancelled))
                        .add(conference::Column::StartsAt.gte(history)),
                ),
            )
            .order_by_asc(conference_facilitator::Column::Id)
            .all(db)
            .await?;
        let mut booked: HashMap<i64, Vec<LocalInterval>> = HashMap::new();
        let mut recent: HashMap<i64, u32> = HashMap::new();
        let mut answers: HashMap<i64, Vec<conference_facilitator::Model>> = HashMap::new();
        for (f, c) in rows {
            let Some(c) = c else { continue };
            let live = c.status != ConferenceStatus::Cancelled && c.starts_at >= history;
            if live && f.response != Response::Declined && Some(c.id) != except_conference {
                booked
                    .entry(f.volunteer_id)
                    .or_default()
                    .push(LocalInterval { start: local(c.starts_at), end: local(c.ends_at) });
                if c.status == ConferenceStatus::Held && now - c.starts_at < Duration::days(90) {
                    *recent.entry(f.volunteer_id).or_default() += 1;
                }
            }
            if case_ids.contains(&c.case_id) {
                answers.entry(c.case_id).or_default().push(f);
            }
        }

        // The cases' own people in one read: the pair allocated to each and the volunteers
        // who declared a conflict with it (a row per pair of the two, both few).
        let mut conflicts: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut allocated: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for (found, pair, conflict) in case::Entity::find()
            .filter(case::Column::Id.is_in(case_ids.clone()))
            .find_also_related(case_facilitator::Entity)
            .find_also(case::Entity, conflict_of_interest::Entity)
            .order_by_asc(case::Column::Id)
            .order_by_asc(case_facilitator::Column::Id)
            .all(db)
            .await?
        {
            if let Some(a) = pair.filter(|a| seen.insert(("allocated", a.id))) {
                allocated.entry(found.id).or_default().push(a.volunteer_id);
            }
            if let Some(c) = conflict.filter(|c| seen.insert(("conflict", c.id))) {
                conflicts.entry(found.id).or_default().push(c.volunteer_id);
            }
        }

        // The harmers' appointments still to come, and the weekly windows the parties gave.
        let mut appointments: HashMap<i64, Vec<LocalInterval>> = HashMap::new();
        for (a, who) in appointment::Entity::find()
            .find_also_related(party::Entity)
            .filter(party::Column::CaseId.is_in(case_ids.clone()))
            .filter(party::Column::Role.eq(PartyRole::Harmer))
            .filter(appointment::Column::EndsAt.gte(now - Duration::days(1)))
            .order_by_asc(appointment::Column::Id)
            .all(db)
            .await?
        {
            if let Some(who) = who {
                appointments
                    .entry(who.case_id)
                    .or_default()
                    .push(LocalInterval { start: local(a.starts_at), end: local(a.ends_at) });
            }
        }
        let mut given: HashMap<i64, Vec<party_availability::Model>> = HashMap::new();
        for (w, who) in party_availability::Entity::find()
            .find_also_related(party::Entity)
            .filter(party::Column::CaseId.is_in(case_ids.clone()))
            .order_by_asc(party_availability::Column::Id)
            .all(db)
            .await?
        {
            if let Some(who) = who {
                given.entry(who.case_id).or_default().push(w);
            }
        }

        Ok(Self {
            today,
            now,
            renewal_years: crate::checks::service::renewal_years(db).await?,
            places,
            volunteers,
            dbs,
            vetting,
            availability,
            away,
            booked,
            recent,
            conflicts,
            answers,
            allocated,
            appointments,
            given,
        })
    }

    /// Every volunteer read (all of them, or only those asked for), with their name.
    pub fn volunteers(&self) -> &[(volunteer::Model, String)] {
        &self.volunteers
    }

    /// The names of the volunteers read, by id.
    pub fn names(&self) -> HashMap<i64, String> {
        self.volunteers.iter().map(|(v, name)| (v.id, name.clone())).collect()
    }

    /// Is the volunteer cleared to facilitate at the establishment on `on`, and if not, why:
    /// the checks module's own rule over what was read.
    pub fn clearance(&self, volunteer_id: i64, establishment_id: i64, on: NaiveDate) -> Option<clearance::Clearance> {
        let place = &self.places.get(&establishment_id)?.place;
        let checks = self.dbs.get(&volunteer_id).map(Vec::as_slice).unwrap_or_default();
        let vetted = self.vetting.get(&(volunteer_id, establishment_id)).map(Vec::as_slice).unwrap_or_default();
        Some(clearance::evaluate(checks, vetted, &place.into(), on, self.renewal_years))
    }

    /// Does the volunteer have a clear enhanced DBS check valid on `on`?
    pub fn dbs_clearance(&self, volunteer_id: i64, on: NaiveDate) -> clearance::Clearance {
        let checks = self.dbs.get(&volunteer_id).map(Vec::as_slice).unwrap_or_default();
        clearance::dbs_clearance(checks, on, self.renewal_years)
    }

    /// The planning instance for one of the cases read, over today to its deadline, with
    /// every active facilitator read.
    pub fn instance(&self, found: &case::Model) -> Result<Instance, DbErr> {
        let today = self.today;
        let Place { place, windows, closed } = self
            .places
            .get(&found.establishment_id)
            .ok_or_else(|| DbErr::RecordNotFound(format!("establishment {}", found.establishment_id)))?;
        let horizon_end = found.deadline.max(today);
        let renewal_years = self.renewal_years;
        let place_rule = clearance::Establishment::from(place);
        let conflicted = self.conflicts.get(&found.id).map(Vec::as_slice).unwrap_or_default();
        let facilitators = self
            .volunteers
            .iter()
            .map(|(v, _)| v)
            .filter(|v| facilitates(v))
            .map(|v| {
                let checks = self.dbs.get(&v.id).map(Vec::as_slice).unwrap_or_default();
                let vetted = self.vetting.get(&(v.id, place.id)).map(Vec::as_slice).unwrap_or_default();
                let valid_until = cleared_until(checks, vetted, &place_rule, today, horizon_end, renewal_years);
                FacilitatorSpec {
                    id: facilitator_id(v.id),
                    level: if v.level == FacilitationLevel::Lead { Level::Lead } else { Level::Co },
                    max_per_month: u32::try_from(v.max_conferences_per_month.max(0)).unwrap_or(0),
                    checks_valid_until: valid_until.map(|d| d.to_string()),
                    // Vetting validity is folded into checks_valid_until (it is per establishment).
                    vetted_at: if valid_until.is_some() { vec![venue_id(place.id)] } else { Vec::new() },
                    availability: self.availability.get(&v.id).cloned().unwrap_or_default(),
                    unavailable: self.away.get(&v.id).cloned().unwrap_or_default(),
                    booked: self.booked.get(&v.id).cloned().unwrap_or_default(),
                    conflicts: if conflicted.contains(&v.id) { vec![case_id(found.id)] } else { Vec::new() },
                    recent_conferences: self.recent.get(&v.id).copied().unwrap_or(0),
                    location: None,
                }
            })
            .collect();

        // Continuity: whoever is (or was, until a colleague declined) on this case and did
        // not decline, including on its cancelled conferences, then the pair allocated to it,
        // unless they declined a conference of it.
        let answers = self.answers.get(&found.id).map(Vec::as_slice).unwrap_or_default();
        let mut continuity: Vec<String> = Vec::new();
        let declined = |volunteer_id: i64| {
            answers.iter().any(|f| f.volunteer_id == volunteer_id && f.response == Response::Declined)
        };
        let staying = answers.iter().filter(|f| f.response != Response::Declined).map(|f| f.volunteer_id);
        let allocated = self.allocated.get(&found.id).into_iter().flatten().copied().filter(|v| !declined(*v));
        for volunteer_id in staying.chain(allocated) {
            let id = facilitator_id(volunteer_id);
            if !continuity.contains(&id) {
                continuity.push(id);
            }
        }

        let mut blocked: Vec<LocalInterval> = self.appointments.get(&found.id).cloned().unwrap_or_default();
        let given = self.given.get(&found.id).map(Vec::as_slice).unwrap_or_default();
        blocked.extend(outside_party_availability(given, today, horizon_end));
        // The part of today already gone (and, with the travel buffer, the next hour): no
        // conference can start in the past.
        if crate::domain::time::london_today(self.now) == today {
            blocked.push(LocalInterval { start: format!("{today}T00:00"), end: local(self.now) });
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
                windows: windows.clone(),
                closed: closed.clone(),
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
    Snapshot::load(db, std::slice::from_ref(found), today, only, except_conference).await?.instance(found)
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
