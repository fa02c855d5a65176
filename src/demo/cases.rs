//! The demo's cases, one or more in every state: just referred, being assessed, ready to book
//! (with the assessments and consents booking needs, and bookable candidates), booked and
//! waiting for a facilitator's acceptance, booked and confirmed, held with an outcome
//! agreement, in follow-up, closed, and not proceeding.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, FacilitatorRole, Response};
use entity::outcome_action;
use entity::party::Consent;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, Set};

use super::Demo;
use super::people::{Member, Team};
use super::places::Places;
use crate::cases::allocation::{self, AllocationInput};
use crate::cases::booking::{self, NewBooking};
use crate::cases::conferences::{self, ActionInput, CompletionInput, OutcomeInput, ResponseInput};
use crate::cases::service::{
    self as cases, Answer, AppointmentInput, AssessmentInput, CaseInput, CasePatch, PartyInput,
};
use crate::db::begin_write;
use crate::domain::time::london_to_utc;
use crate::error::AppError;
use crate::scheduling::availability::{ConflictInput, declare_conflict};
use crate::secrets::random_token;

struct Referral {
    source: &'static str,
    /// Days from today (negative: past).
    referred: i64,
    offence: &'static str,
    at: i64,
    /// Days from today; `None` for the default timeframe.
    deadline: Option<i64>,
    notes: &'static str,
}

async fn refer(demo: &Demo<'_>, r: Referral) -> anyhow::Result<case::Model> {
    let input = CaseInput {
        source: r.source.into(),
        referred_on: demo.day(r.referred).to_string(),
        offence_category: r.offence.into(),
        establishment_id: r.at.to_string(),
        deadline: r.deadline.map(|d| demo.day(d).to_string()).unwrap_or_default(),
        duration_minutes: String::new(),
        notes: r.notes.into(),
    };
    cases::create(demo.db, &demo.coordinator, &input).await.with_context(|| format!("a case of {}", r.offence))
}

async fn party(demo: &Demo<'_>, case_id: i64, role: &str, name: &str, consent: &str) -> anyhow::Result<i64> {
    let input = PartyInput {
        role: role.into(),
        name: name.into(),
        consent: consent.into(),
        phone: if role == "harmer" { String::new() } else { "07700 900 200".into() },
        ..Default::default()
    };
    Ok(cases::add_party(demo.db, case_id, &input).await.with_context(|| format!("the {role} of a case"))?.id)
}

async fn assess(demo: &Demo<'_>, case_id: i64, kind: &str, outcome: &str, on: i64) -> anyhow::Result<()> {
    let input = AssessmentInput {
        kind: kind.into(),
        outcome: outcome.into(),
        assessed_on: demo.day(on).to_string(),
        notes: "Home visit and telephone follow-up; see the case contacts.".into(),
        risk_to_harmed: "low".into(),
        risk_to_harmer: "medium".into(),
        risk_to_facilitators: "low".into(),
        accepts_responsibility: Some(Answer::Bool(true)),
        harmed_capacity: Some(Answer::Bool(true)),
        harmed_voluntary: Some(Answer::Bool(true)),
        harmer_capacity: Some(Answer::Bool(true)),
        harmer_voluntary: Some(Answer::Bool(true)),
        ..Default::default()
    };
    cases::add_assessment(demo.db, demo.base_url, &demo.coordinator, case_id, &input).await.context("an assessment")?;
    Ok(())
}

/// Moves a case on; `reason` is the coded reason and its words, for not proceeding.
async fn move_to(demo: &Demo<'_>, case_id: i64, status: &str, reason: Option<(&str, &str)>) -> anyhow::Result<()> {
    let patch = CasePatch {
        status: Some(status.into()),
        not_proceeding_code: reason.map(|(code, _)| code.to_owned()),
        not_proceeding_reason: reason.map(|(_, words)| words.to_owned()),
        ..Default::default()
    };
    cases::update(demo.db, demo.base_url, &demo.coordinator, case_id, &patch)
        .await
        .with_context(|| format!("a case to {status}"))?;
    Ok(())
}

/// Allocates the case to a lead and a co-facilitator, as a coordinator does.
async fn allocate(demo: &Demo<'_>, case_id: i64, lead: &Member, co: &Member) -> anyhow::Result<()> {
    let input = AllocationInput { lead_id: Some(lead.id), co_facilitator_id: Some(co.id) };
    allocation::allocate(demo.db, demo.base_url, &demo.coordinator, case_id, &input)
        .await
        .with_context(|| format!("allocating {} and {}", lead.user.name, co.user.name))?;
    Ok(())
}

/// Parties who consent and suitable assessments (`assessed` days from today), then ready.
async fn make_ready(demo: &Demo<'_>, found: &case::Model, names: [&str; 2], assessed: i64) -> anyhow::Result<i64> {
    party(demo, found.id, "harmed", names[0], "given").await?;
    let harmer = party(demo, found.id, "harmer", names[1], "given").await?;
    move_to(demo, found.id, "assessing", None).await?;
    assess(demo, found.id, "risk", "suitable", assessed).await?;
    assess(demo, found.id, "appropriateness", "suitable", assessed + 1).await?;
    move_to(demo, found.id, "ready", None).await?;
    Ok(harmer)
}

/// Books the first slot from `from` days on, at one of `times`, that the booking rules allow
/// for these two facilitators (weekends skipped).
async fn book_first_free(
    demo: &Demo<'_>,
    case_id: i64,
    lead: &Member,
    second: &Member,
    from: i64,
    times: &[&str],
) -> anyhow::Result<conference::Model> {
    let mut last = None;
    for offset in from..from + 42 {
        let day = demo.day(offset);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for time in times {
            let starts_at = booking::parse_start(&format!("{day}T{time}")).context("a demo conference's start")?;
            let input = NewBooking { starts_at, pair: Some([lead.id, second.id]) };
            match booking::book(demo.db, demo.base_url, &demo.coordinator, case_id, input).await {
                Ok((created, _)) => return Ok(created),
                Err(AppError::Conflict(why)) => last = Some(why),
                Err(other) => return Err(other).context("booking a demo conference"),
            }
        }
    }
    anyhow::bail!("no slot could be booked for the demo case {case_id}: {}", last.unwrap_or_default())
}

async fn accept(demo: &Demo<'_>, who: &Member, conference_id: i64) -> anyhow::Result<()> {
    conferences::respond(
        demo.db,
        demo.base_url,
        &who.user,
        conference_id,
        &ResponseInput { response: "accept".into() },
    )
    .await
    .with_context(|| format!("{} accepting a conference", who.user.name))?;
    Ok(())
}

/// The last Tuesday, Wednesday or Thursday on or before `day`.
fn midweek_on_or_before(mut day: NaiveDate) -> NaiveDate {
    while !matches!(day.weekday(), Weekday::Tue | Weekday::Wed | Weekday::Thu) {
        day -= Duration::days(1);
    }
    day
}

/// A conference held in the past. Booking looks forward from today, so its booking is written
/// here as the booking service writes it (both facilitators accepted, the case booked); the
/// outcome then goes through the service.
async fn held(
    demo: &Demo<'_>,
    found: &case::Model,
    [lead, co]: [&Member; 2],
    about: i64,
    notes: &str,
    actions: &[(&str, &str, i64)],
) -> anyhow::Result<conference::Model> {
    allocate(demo, found.id, lead, co).await?;
    let on = midweek_on_or_before(demo.day(about));
    let starts_at =
        london_to_utc(on.and_time(NaiveTime::from_hms_opt(9, 30, 0).context("a time")?)).context("a London time")?;
    let booked_at = starts_at - Duration::days(21);
    let txn = begin_write(demo.db).await?;
    let created = conference::ActiveModel {
        case_id: Set(found.id),
        establishment_id: Set(found.establishment_id),
        starts_at: Set(starts_at),
        ends_at: Set(starts_at + Duration::minutes(i64::from(found.duration_minutes))),
        status: Set(ConferenceStatus::Confirmed),
        uid: Set(format!("{}@convene", random_token(18))),
        sequence: Set(1),
        created_at: Set(booked_at),
        updated_at: Set(booked_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (who, role) in [(lead, FacilitatorRole::Lead), (co, FacilitatorRole::Co)] {
        conference_facilitator::ActiveModel {
            conference_id: Set(created.id),
            volunteer_id: Set(who.id),
            role: Set(role),
            response: Set(Response::Accepted),
            responded_at: Set(Some(booked_at + Duration::days(1))),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(CaseStatus::Booked))
        .col_expr(case::Column::Version, Expr::col(case::Column::Version).add(1))
        .filter(case::Column::Id.eq(found.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let outcome = OutcomeInput {
        held: true,
        not_held_code: None,
        notes: notes.into(),
        actions: actions
            .iter()
            .map(|(description, owner, due)| ActionInput {
                description: (*description).into(),
                owner: (*owner).into(),
                due_on: demo.day(*due).to_string(),
            })
            .collect(),
    };
    conferences::record_outcome(demo.db, &demo.coordinator, created.id, &outcome).await.context("an outcome")?;
    Ok(created)
}

/// Outcome actions settled as completed, `on` days from today (the first one only, unless
/// `all`); the held case moves to follow-up.
async fn complete_actions(demo: &Demo<'_>, conference_id: i64, on: i64, all: bool) -> anyhow::Result<()> {
    let actions = outcome_action::Entity::find()
        .filter(outcome_action::Column::ConferenceId.eq(conference_id))
        .all(demo.db)
        .await?;
    for action in actions.iter().take(if all { actions.len() } else { 1 }) {
        let input = CompletionInput { completed: true, on: demo.day(on).to_string(), note: String::new() };
        conferences::settle_action(demo.db, &demo.coordinator, action.id, &input).await.context("an action settled")?;
    }
    Ok(())
}

pub async fn cases(demo: &Demo<'_>, places: &Places, team: &Team) -> anyhow::Result<()> {
    // Just referred: nobody has consented yet.
    let referred = refer(
        demo,
        Referral {
            source: "police",
            referred: -3,
            offence: "Burglary (dwelling)",
            at: places.gloucester,
            deadline: None,
            notes: "Referred by the neighbourhood policing team; the harmed person asked about meeting.",
        },
    )
    .await?;
    party(demo, referred.id, "harmed", "Margaret Ellis", "pending").await?;
    party(demo, referred.id, "harmer", "Jordan Pike", "pending").await?;

    // Being assessed: the risk assessment is done, appropriateness is not.
    let assessing = refer(
        demo,
        Referral {
            source: "probation",
            referred: -18,
            offence: "Assault occasioning actual bodily harm",
            at: places.cardiff,
            deadline: None,
            notes: "Offender manager reports the harmer is keen; harmed person to be visited.",
        },
    )
    .await?;
    party(demo, assessing.id, "harmed", "Rhys Jenkins", "given").await?;
    party(demo, assessing.id, "harmer", "Callum Price", "pending").await?;
    allocate(demo, assessing.id, &team.tom, &team.sian).await?;
    move_to(demo, assessing.id, "assessing", None).await?;
    assess(demo, assessing.id, "risk", "suitable", -5).await?;

    // Ready to book at HMP Gloucester: the case the candidates page shows.
    let ready = refer(
        demo,
        Referral {
            source: "prison",
            referred: -25,
            offence: "Robbery",
            at: places.gloucester,
            deadline: None,
            notes: "Both parties have had two preparation meetings.",
        },
    )
    .await?;
    allocate(demo, ready.id, &team.priya, &team.marcus).await?;
    let harmer = make_ready(demo, &ready, ["Susan Clarke", "Dean Marshall"], -10).await?;
    party(demo, ready.id, "supporter", "Amy Clarke", "given").await?;
    for (offset, start, end, kind) in [(3, "10:00", "11:00", "court video link"), (8, "14:00", "15:00", "healthcare")] {
        let day = demo.day(offset);
        let input = AppointmentInput {
            kind: kind.into(),
            starts_at: format!("{day}T{start}"),
            ends_at: format!("{day}T{end}"),
            note: String::new(),
        };
        cases::add_appointment(demo.db, harmer, &input).await.context("an appointment")?;
    }

    // Ready at the probation office; Aisha knows the family, so she is never matched to it.
    let community = refer(
        demo,
        Referral {
            source: "community",
            referred: -12,
            offence: "Criminal damage",
            at: places.probation,
            deadline: Some(40),
            notes: "Neighbour dispute that ended in damage to a car; both sides want to talk.",
        },
    )
    .await?;
    allocate(demo, community.id, &team.tom, &team.sian).await?;
    let harmer = make_ready(demo, &community, ["Peter Osei", "Liam Doyle"], -4).await?;
    for week in [1, 2, 3] {
        let day = demo.day(7 * week);
        let input = AppointmentInput {
            kind: "probation".into(),
            starts_at: format!("{day}T11:00"),
            ends_at: format!("{day}T12:00"),
            note: "Weekly probation supervision".into(),
        };
        cases::add_appointment(demo.db, harmer, &input).await.context("an appointment")?;
    }
    declare_conflict(
        demo.db,
        team.aisha.id,
        &ConflictInput { case_id: community.id, note: "Knows the harmed person's family.".into() },
    )
    .await
    .context("a conflict of interest")?;

    // Booked: Aisha has accepted, Val (the demo volunteer) has still to answer.
    let asked = refer(
        demo,
        Referral {
            source: "police",
            referred: -40,
            offence: "Theft from the person",
            at: places.gloucester,
            deadline: None,
            notes: "",
        },
    )
    .await?;
    make_ready(demo, &asked, ["Grace Adeyemi", "Tyler Brooks"], -20).await?;
    let proposed = book_first_free(demo, asked.id, &team.val, &team.aisha, 7, &["09:00", "14:00"]).await?;
    accept(demo, &team.aisha, proposed.id).await?;

    // Booked and confirmed at HMP Cardiff.
    let confirmed = refer(
        demo,
        Referral {
            source: "youth_offending",
            referred: -35,
            offence: "Vehicle crime",
            at: places.cardiff,
            deadline: None,
            notes: "",
        },
    )
    .await?;
    make_ready(demo, &confirmed, ["Owain Griffiths", "Kyle Matthews"], -15).await?;
    let booked = book_first_free(demo, confirmed.id, &team.priya, &team.sian, 9, &["09:00", "14:00"]).await?;
    accept(demo, &team.priya, booked.id).await?;
    accept(demo, &team.sian, booked.id).await?;

    // Held last week: the outcome agreement's actions are due.
    let held_case = refer(
        demo,
        Referral {
            source: "probation",
            referred: -100,
            offence: "Burglary (non-dwelling)",
            at: places.gloucester,
            deadline: Some(20),
            notes: "",
        },
    )
    .await?;
    make_ready(demo, &held_case, ["Robert Haines", "Ashley Cole"], -60).await?;
    held(
        demo,
        &held_case,
        [&team.tom, &team.marcus],
        -7,
        "Both parties spoke; the harmed person said they now feel able to return to the workshop.",
        &[
            ("Letter of explanation to the harmed person", "Harmer, with the prison chaplaincy", 14),
            ("Complete the victim awareness course", "Harmer; offender manager to confirm", 45),
        ],
    )
    .await?;

    // In follow-up: one action done, one still open.
    let follow_up = refer(
        demo,
        Referral {
            source: "self",
            referred: -150,
            offence: "Harassment",
            at: places.gloucester,
            deadline: Some(-25),
            notes: "",
        },
    )
    .await?;
    make_ready(demo, &follow_up, ["Joanne Pritchard", "Martin Fowler"], -90).await?;
    let conference = held(
        demo,
        &follow_up,
        [&team.val, &team.marcus],
        -40,
        "An apology was given and accepted.",
        &[
            ("Return the harmed person's belongings", "Harmer's family", -20),
            ("Monthly check-in call with the harmed person for three months", "Coordinator", 50),
        ],
    )
    .await?;
    complete_actions(demo, conference.id, -22, false).await?;

    // Closed: everything agreed was done.
    let closed = refer(
        demo,
        Referral {
            source: "prison",
            referred: -200,
            offence: "Assault on an emergency worker",
            at: places.gloucester,
            deadline: Some(-60),
            notes: "",
        },
    )
    .await?;
    make_ready(demo, &closed, ["Officer D. Patel", "Ryan Short"], -130).await?;
    let conference = held(
        demo,
        &closed,
        [&team.tom, &team.marcus],
        -75,
        "The officer explained the effect on their family; the harmer agreed to the actions below.",
        &[("Write to the officer's team", "Harmer", -60), ("Join the prison's anger management course", "Harmer", -30)],
    )
    .await?;
    complete_actions(demo, conference.id, -35, true).await?;
    move_to(demo, closed.id, "closed", None).await?;

    // Not proceeding: the harmed person withdrew consent.
    let withdrawn = refer(
        demo,
        Referral {
            source: "police",
            referred: -60,
            offence: "Threatening behaviour",
            at: places.probation,
            deadline: None,
            notes: "",
        },
    )
    .await?;
    allocate(demo, withdrawn.id, &team.val, &team.marcus).await?;
    party(demo, withdrawn.id, "harmed", "Kerry Lloyd", "withdrawn").await?;
    party(demo, withdrawn.id, "harmer", "Stephen Moss", "given").await?;
    move_to(demo, withdrawn.id, "assessing", None).await?;
    move_to(
        demo,
        withdrawn.id,
        "not_proceeding",
        Some(("consent_withdrawn", "The harmed person does not wish to be contacted again.")),
    )
    .await?;

    // Stopped by a withdrawal: booked and accepted, then the harmer withdrew consent, which
    // cancelled the conference (both facilitators told) and sent the case back to assessing.
    let stopped = refer(
        demo,
        Referral {
            source: "probation",
            referred: -30,
            offence: "Burglary (dwelling)",
            at: places.gloucester,
            deadline: None,
            notes: "The harmer's offender manager says he is under pressure from his family.",
        },
    )
    .await?;
    allocate(demo, stopped.id, &team.tom, &team.marcus).await?;
    let harmer = make_ready(demo, &stopped, ["Nadia Hussain", "Craig Evans"], -12).await?;
    let booked = book_first_free(demo, stopped.id, &team.tom, &team.marcus, 10, &["09:00", "10:00"]).await?;
    accept(demo, &team.tom, booked.id).await?;
    accept(demo, &team.marcus, booked.id).await?;
    cases::record_consent(demo.db, demo.base_url, &demo.coordinator, stopped.id, harmer, Consent::Withdrawn)
        .await
        .context("a consent withdrawn")?;
    Ok(())
}
