//! Candidate conferences for one case: the matcher's ranked (slot, lead, second) list with
//! the score broken down, and for every volunteer who cannot take part, the first rule that
//! ruled them out, in a coordinator's words.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::case;
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use super::instance::{Snapshot, case_id, volunteer_of};
use super::matcher::{self, Problem, RuledOutBy, ScoreBreakdown};
use crate::checks::clearance::Clearance;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Person {
    pub volunteer_id: i64,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Score {
    pub total: i64,
    pub base: i64,
    /// Facilitators already on the case.
    pub continuity: i64,
    /// Sooner rather than later: 2 per day left before the deadline.
    pub days_to_deadline: i64,
    /// Minus the kilometres travelled.
    pub travel: i64,
    /// Fair share: minus 5 per recent conference.
    pub recent: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateSlot {
    /// UK wall-clock YYYY-MM-DDTHH:MM
    pub start: String,
    pub end: String,
    pub lead: Person,
    pub second: Person,
    pub score: Score,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RuledOut {
    pub volunteer_id: i64,
    pub name: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Candidates {
    pub candidates: Vec<CandidateSlot>,
    pub ruled_out: Vec<RuledOut>,
}

impl Score {
    /// Why this option ranks where it does, as a coordinator would say it: "both already
    /// allocated to the case", "40 days before the deadline", "12 miles' travel between
    /// them", "2 recent conferences between them".
    pub fn in_words(&self) -> Vec<String> {
        use matcher::score::{CONTINUITY_PER_FACILITATOR, PER_DAY_TO_DEADLINE, PER_RECENT_CONFERENCE};
        let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut words = Vec::new();
        match self.continuity / CONTINUITY_PER_FACILITATOR {
            0 => {}
            1 => words.push("one already allocated to the case".to_owned()),
            _ => words.push("both already allocated to the case".to_owned()),
        }
        let days = self.days_to_deadline / PER_DAY_TO_DEADLINE;
        words.push(if days < 0 {
            format!("{} after the deadline", plural(-days, "day", "days"))
        } else {
            format!("{} before the deadline", plural(days, "day", "days"))
        });
        let km = -self.travel;
        if km > 0 {
            // Whole kilometres from the matcher, said in miles as people here travel them.
            let miles = (km as f64 / 1.609_344).round() as i64;
            words.push(format!("{} travel between them", plural(miles.max(1), "mile's", "miles'")));
        }
        match -self.recent / PER_RECENT_CONFERENCE {
            0 => words.push("no recent conferences".to_owned()),
            n => words.push(format!("{} between them", plural(n, "recent conference", "recent conferences"))),
        }
        words
    }
}

fn score(b: &ScoreBreakdown) -> Score {
    Score {
        total: b.total(),
        base: b.base,
        continuity: b.continuity,
        days_to_deadline: b.days_to_deadline,
        travel: b.travel,
        recent: b.recent,
    }
}

/// Every facilitator id of the matcher ("v12") in `text` named as the volunteer.
fn with_names(text: &str, names: &HashMap<i64, String>) -> String {
    let mut out = text.to_owned();
    for (id, name) in names {
        out = out.replace(&format!("v{id} "), &format!("{name} ")).replace(&format!("v{id},"), &format!("{name},"));
    }
    out
}

/// The matcher's rule in a coordinator's words. The matcher sees checks and vetting only as
/// one "cleared until" date, so for those the checks module's rule says what exactly is
/// missing or lapses ("prison vetting at HMP Example expires 3 Mar 2027, before 10 Mar
/// 2027"); other rules get names in place of ids.
fn in_words(
    snapshot: &Snapshot,
    ruled_out: &matcher::RuledOut,
    volunteer_id: i64,
    establishment_id: i64,
    today: NaiveDate,
    names: &HashMap<i64, String>,
) -> String {
    let on = match &ruled_out.rule {
        Some(RuledOutBy::NoChecks | RuledOutBy::NotVetted { .. }) => today,
        Some(RuledOutBy::ChecksExpired { date, .. }) => *date,
        Some(RuledOutBy::Conflict) => return "declared a conflict of interest with this case".into(),
        _ => return with_names(&ruled_out.reason, names),
    };
    match snapshot.clearance(volunteer_id, establishment_id, on) {
        Some(Clearance::NotCleared(reasons)) => reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
        _ => with_names(&ruled_out.reason, names),
    }
}

/// The matcher's distinct candidates for case `id` in its planning instance `spec`.
fn run(spec: &matcher::Instance, id: i64, limit: usize, per_pair: usize) -> AppResult<matcher::CaseCandidates> {
    let problem = Problem::compile(spec).map_err(|e| AppError::Internal(anyhow::anyhow!("planning instance: {e}")))?;
    matcher::distinct_candidates(&problem, &case_id(id), limit, per_pair)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("candidates: {e}")))
}

/// Options shown per pair of facilitators, each on a different day: the list offers many
/// pairs rather than one pair at fifteen-minute steps.
const SLOTS_PER_PAIR: usize = 3;

pub async fn for_case(db: &impl ConnectionTrait, found: &case::Model, limit: usize) -> AppResult<Candidates> {
    search(db, found, limit, SLOTS_PER_PAIR).await
}

/// How many candidates (up to `limit`) each of `cases` has, from one read of the data.
pub async fn counts(db: &impl ConnectionTrait, cases: &[case::Model], limit: usize) -> AppResult<Vec<usize>> {
    let snapshot = Snapshot::load(db, cases, crate::clock::today(), None, None).await?;
    cases.iter().map(|c| Ok(run(&snapshot.instance(c)?, c.id, limit, SLOTS_PER_PAIR)?.candidates.len())).collect()
}

/// Why a volunteer the matcher never sees (not active, or not yet core-trained) cannot
/// facilitate, in a coordinator's words: the stage they are at, or for a trained volunteer
/// waiting to become active, what their DBS check lacks.
fn not_active_words(snapshot: &Snapshot, v: &volunteer::Model, today: NaiveDate) -> String {
    use crate::domain::time::short_date;
    match v.status {
        VolunteerStatus::Onboarding => "has not started core training".into(),
        VolunteerStatus::InTraining => "core training not complete yet".into(),
        VolunteerStatus::Trained => match snapshot.dbs_clearance(v.id, today) {
            Clearance::NotCleared(reasons) => format!(
                "trained{}, not yet active: {}",
                v.trained_on.map(|d| format!(" on {}", short_date(d))).unwrap_or_default(),
                reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            ),
            Clearance::Cleared => "trained, not yet active".into(),
        },
        VolunteerStatus::Paused => {
            format!("paused{}", v.paused_on.map(|d| format!(" since {}", short_date(d))).unwrap_or_default())
        }
        VolunteerStatus::Left => {
            format!("left the service{}", v.left_on.map(|d| format!(" on {}", short_date(d))).unwrap_or_default())
        }
        VolunteerStatus::Active => "still a trainee: core training not complete".into(),
    }
}

/// As [`for_case`], with up to `per_pair` slots for each pair (1 for allocating a pair).
pub async fn search(
    db: &impl ConnectionTrait,
    found: &case::Model,
    limit: usize,
    per_pair: usize,
) -> AppResult<Candidates> {
    let today = crate::clock::today();
    let snapshot = Snapshot::load(db, std::slice::from_ref(found), today, None, None).await?;
    let result = run(&snapshot.instance(found)?, found.id, limit, per_pair)?;
    let names = snapshot.names();
    let person = |fid: &str| {
        let volunteer_id = volunteer_of(fid).unwrap_or_default();
        Person { volunteer_id, name: names.get(&volunteer_id).cloned().unwrap_or_default() }
    };
    let candidates = result
        .candidates
        .iter()
        .map(|c| CandidateSlot {
            start: c.start.clone(),
            end: c.end.clone(),
            lead: person(&c.lead),
            second: person(&c.second),
            score: score(&c.breakdown),
        })
        .collect();
    // Volunteers the matcher never saw (not active, or not yet core-trained), by name.
    let mut ruled_out: Vec<RuledOut> = snapshot
        .volunteers()
        .iter()
        .filter(|(v, _)| v.status != VolunteerStatus::Active || v.level == FacilitationLevel::Trainee)
        .map(|(v, name)| RuledOut {
            volunteer_id: v.id,
            name: name.clone(),
            reason: not_active_words(&snapshot, v, today),
        })
        .collect();
    ruled_out.sort_by(|a, b| a.name.cmp(&b.name));
    for r in &result.ruled_out {
        let who = person(&r.facilitator);
        let reason = in_words(&snapshot, r, who.volunteer_id, found.establishment_id, today, &names);
        ruled_out.push(RuledOut { volunteer_id: who.volunteer_id, name: who.name, reason });
    }
    Ok(Candidates { candidates, ruled_out })
}

/// Why any of `ids` could not facilitate case `found` now, in a coordinator's words (empty
/// when none is ruled out by a rule of their own: checks, conflict, cap, availability).
pub async fn ruled_out_of(
    db: &impl ConnectionTrait,
    found: &entity::case::Model,
    ids: &[i64],
    today: NaiveDate,
) -> AppResult<Vec<RuledOut>> {
    let snapshot = Snapshot::load(db, std::slice::from_ref(found), today, Some(ids), None).await?;
    let result = run(&snapshot.instance(found)?, found.id, 1, 1)?;
    let names = snapshot.names();
    let mut out = Vec::new();
    // Their own rules only: the two not being free together is for booking to find out.
    let personal =
        |r: &&matcher::RuledOut| !matches!(r.rule, Some(RuledOutBy::NoPartner { .. } | RuledOutBy::NoSlot) | None);
    for r in result.ruled_out.iter().filter(personal) {
        let volunteer_id = volunteer_of(&r.facilitator).unwrap_or_default();
        let reason = in_words(&snapshot, r, volunteer_id, found.establishment_id, today, &names);
        out.push(RuledOut { volunteer_id, name: names.get(&volunteer_id).cloned().unwrap_or_default(), reason });
    }
    Ok(out)
}

/// Slots to move conference `moving` of case `id` to, for the same pair in the same roles,
/// best first: every rule checked as for a new booking, the conference itself left out.
pub async fn slots_for_pair(
    db: &impl ConnectionTrait,
    id: i64,
    [lead, second]: [i64; 2],
    moving: i64,
    limit: usize,
) -> AppResult<Vec<CandidateSlot>> {
    let found = entity::case::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let today = crate::clock::today();
    let snapshot = Snapshot::load(db, std::slice::from_ref(&found), today, Some(&[lead, second]), Some(moving)).await?;
    let result = run(&snapshot.instance(&found)?, found.id, limit * 2, limit * 2)?;
    let names = snapshot.names();
    let person =
        |volunteer_id: i64| Person { volunteer_id, name: names.get(&volunteer_id).cloned().unwrap_or_default() };
    Ok(result
        .candidates
        .iter()
        .filter(|c| volunteer_of(&c.lead) == Some(lead) && volunteer_of(&c.second) == Some(second))
        .take(limit)
        .map(|c| CandidateSlot {
            start: c.start.clone(),
            end: c.end.clone(),
            lead: person(lead),
            second: person(second),
            score: score(&c.breakdown),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::Score;

    fn score(continuity: i64, days_to_deadline: i64, travel: i64, recent: i64) -> Score {
        Score { total: 0, base: 1000, continuity, days_to_deadline, travel, recent }
    }

    #[test]
    fn a_score_is_said_in_words() {
        assert_eq!(
            score(80, 80, -20, -10).in_words(),
            [
                "both already allocated to the case",
                "40 days before the deadline",
                "12 miles' travel between them",
                "2 recent conferences between them"
            ]
        );
        assert_eq!(
            score(40, 2, -1, -5).in_words(),
            [
                "one already allocated to the case",
                "1 day before the deadline",
                "1 mile's travel between them",
                "1 recent conference between them"
            ]
        );
        assert_eq!(score(0, -6, 0, 0).in_words(), ["3 days after the deadline", "no recent conferences"]);
    }
}
