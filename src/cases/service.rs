//! Case rules: references RJ-YYYY-NNNN from a per-year counter, a deadline from the agreed
//! timeframe (setting), parties and consent, appointments, and who may see a case.

use entity::Code;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::case::{self, CaseStatus, ReferralSource};
use entity::party::{self, Consent, PartyRole};
use entity::{appointment, case_counter, conference, conference_facilitator};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::guards::StopReason;
use crate::audit::{self, AuditEntry};
use crate::db::{Db, Page, Paging, begin_write};
use crate::domain::lenient_string;
use crate::domain::time::london_today;
use crate::error::{AppError, AppResult};
use crate::settings::service::{CASE_TIMEFRAME_DAYS, number};
use crate::web::identity::AuthUser;

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CaseInput {
    /// police, probation, prison, youth_offending, community or self
    pub source: String,
    /// YYYY-MM-DD (default today)
    pub referred_on: String,
    pub offence_category: String,
    /// Where the harmer is, and the conference will be.
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = i64)]
    pub establishment_id: String,
    /// YYYY-MM-DD; default: the referral date plus the timeframe setting.
    pub deadline: String,
    /// Conference length in minutes (default 120).
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = Option<i32>)]
    pub duration_minutes: String,
    pub notes: String,
}

fn parse_source(raw: &str) -> Option<ReferralSource> {
    match raw.trim() {
        "self" => Some(ReferralSource::SelfReferral),
        other => ReferralSource::parse(other).filter(|s| *s != ReferralSource::SelfReferral),
    }
}

pub fn source_name(source: ReferralSource) -> &'static str {
    source.as_str()
}

/// Allocates the next reference of `year` inside the caller's transaction.
async fn next_reference(db: &impl ConnectionTrait, year: i32) -> Result<String, DbErr> {
    case_counter::Entity::insert(case_counter::ActiveModel { year: Set(year), last: Set(0) })
        .on_conflict_do_nothing_on([case_counter::Column::Year])
        .exec(db)
        .await?;
    case_counter::Entity::update_many()
        .col_expr(case_counter::Column::Last, Expr::col(case_counter::Column::Last).add(1))
        .filter(case_counter::Column::Year.eq(year))
        .exec(db)
        .await?;
    let counter = case_counter::Entity::find_by_id(year)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("case counter {year}")))?;
    Ok(format!("RJ-{year}-{:04}", counter.last))
}

pub async fn create(db: &impl Db, actor: &AuthUser, input: &CaseInput) -> AppResult<case::Model> {
    let mut errors = BTreeMap::new();
    let source = parse_source(&input.source);
    if source.is_none() {
        errors.insert("source".into(), "Choose police, probation, prison, youth_offending, community or self.".into());
    }
    let today = crate::clock::today();
    let referred_on = if input.referred_on.trim().is_empty() {
        Some(today)
    } else {
        NaiveDate::parse_from_str(input.referred_on.trim(), "%Y-%m-%d").ok().filter(|d| *d <= today)
    };
    if referred_on.is_none() {
        errors.insert("referred_on".into(), "Enter the referral date as YYYY-MM-DD, not in the future.".into());
    }
    let offence = input.offence_category.trim();
    if offence.is_empty() || offence.chars().count() > 100 {
        errors.insert("offence_category".into(), "Enter the offence category (at most 100 characters).".into());
    }
    let establishment = match input.establishment_id.trim().parse::<i64>() {
        Ok(id) => crate::establishments::service::find(db, id).await?,
        Err(_) => None,
    };
    if establishment.is_none() {
        errors.insert("establishment_id".into(), "Choose the establishment where the harmer is.".into());
    }
    let duration = match input.duration_minutes.trim() {
        "" => Some(120),
        raw => raw.parse::<i32>().ok().filter(|m| (15..=600).contains(m)),
    };
    if duration.is_none() {
        errors.insert("duration_minutes".into(), "Enter the conference length in minutes, from 15 to 600.".into());
    }
    let timeframe = number(db, &CASE_TIMEFRAME_DAYS).await?;
    let deadline = match (input.deadline.trim(), referred_on) {
        ("", Some(referred)) => Some(referred + Duration::days(timeframe)),
        ("", None) => None,
        (raw, referred) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().filter(|d| referred.is_none_or(|r| *d >= r)),
    };
    if deadline.is_none() && referred_on.is_some() {
        errors.insert(
            "deadline".into(),
            "Enter the agreed deadline as YYYY-MM-DD, on or after the referral date.".into(),
        );
    }
    if input.notes.chars().count() > 20_000 {
        errors.insert("notes".into(), "Notes can be at most 20,000 characters.".into());
    }
    let (Some(source), Some(referred_on), Some(establishment), Some(duration), Some(deadline), true) =
        (source, referred_on, establishment, duration, deadline, errors.is_empty())
    else {
        return Err(AppError::fields(errors));
    };
    let txn = begin_write(db).await?;
    let year = chrono::Datelike::year(&referred_on);
    let reference = next_reference(&txn, year).await?;
    let now = crate::clock::now();
    let created = case::ActiveModel {
        reference: Set(reference),
        source: Set(source),
        referred_on: Set(referred_on),
        offence_category: Set(offence.to_owned()),
        establishment_id: Set(establishment.id),
        deadline: Set(deadline),
        duration_minutes: Set(duration),
        notes: Set(input.notes.trim().to_owned()),
        status: Set(CaseStatus::Referred),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: "case.created",
            target_type: Some("case"),
            target_id: Some(created.reference.clone()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Ids of the cases a volunteer is allocated to. Allocation is what gives a facilitator
/// the case (booking a pair allocates it): one taken off a case loses it at once.
pub(crate) async fn assigned_case_ids(db: &impl ConnectionTrait, user: &AuthUser) -> Result<Vec<i64>, DbErr> {
    let Some(record) = crate::volunteers::service::for_user(db, user.id).await? else { return Ok(Vec::new()) };
    Ok(entity::case_facilitator::Entity::find()
        .filter(entity::case_facilitator::Column::VolunteerId.eq(record.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.case_id)
        .collect())
}

/// The case if `viewer` may work it (a coordinator, or one of its allocated facilitators);
/// anyone else finds nothing. Not audited: the change that follows is.
pub async fn workable(db: &impl ConnectionTrait, viewer: &AuthUser, id: i64) -> AppResult<case::Model> {
    let found = if allowed(db, viewer, id).await? { case::Entity::find_by_id(id).one(db).await? } else { None };
    found.ok_or(AppError::NotFound)
}

/// Who may see and work case `id`: coordinators and its allocated facilitators.
async fn allowed(db: &impl ConnectionTrait, viewer: &AuthUser, id: i64) -> Result<bool, DbErr> {
    Ok(viewer.role.is_coordinator() || super::allocation::is_allocated(db, viewer, id).await?)
}

/// A case as `viewer` may see it — coordinators, or a facilitator assigned to it; anyone
/// else finds nothing — and the read is audited.
pub async fn read(db: &impl ConnectionTrait, viewer: &AuthUser, id: i64, ip: Option<&str>) -> AppResult<case::Model> {
    let found = if allowed(db, viewer, id).await? { case::Entity::find_by_id(id).one(db).await? } else { None };
    audit::record(
        db,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: if found.is_some() { "case.viewed" } else { "case.view_refused" },
            target_type: Some("case"),
            target_id: Some(id.to_string()),
            ip,
            ..Default::default()
        },
    )
    .await?;
    found.ok_or(AppError::NotFound)
}

/// One page of the cases `viewer` may see, newest first (each listed case's read is audited).
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    paging: Paging,
    ip: Option<&str>,
) -> AppResult<Page<case::Model>> {
    let listed = crate::db::page(db, visible(db, viewer, None, CaseOrder::Newest).await?, paging).await?;
    audit_listed(db, viewer, &listed.items, ip).await?;
    Ok(listed)
}

/// How a list of cases is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseOrder {
    #[default]
    Newest,
    /// Nearest deadline first.
    Deadline,
}

/// One page of the cases `viewer` may see, only those in `status` when one is given and
/// whose reference contains `reference` when one is given, in `order` (each listed case's
/// read is audited).
pub async fn list_with_status(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    status: Option<CaseStatus>,
    reference: &str,
    order: CaseOrder,
    paging: Paging,
    ip: Option<&str>,
) -> AppResult<Page<case::Model>> {
    let mut query = visible(db, viewer, status, order).await?;
    let reference = reference.trim().to_uppercase();
    if !reference.is_empty() {
        query = query.filter(case::Column::Reference.contains(&reference));
    }
    let listed = crate::db::page(db, query, paging).await?;
    audit_listed(db, viewer, &listed.items, ip).await?;
    Ok(listed)
}

/// The cases `viewer` may see, in `order`: every case for coordinators, their assigned
/// cases for facilitators.
async fn visible(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    status: Option<CaseStatus>,
    order: CaseOrder,
) -> AppResult<Select<case::Entity>> {
    let mut query = match order {
        CaseOrder::Newest => case::Entity::find().order_by_desc(case::Column::Id),
        CaseOrder::Deadline => case::Entity::find().order_by_asc(case::Column::Deadline).order_by_asc(case::Column::Id),
    };
    if let Some(status) = status {
        query = query.filter(case::Column::Status.eq(status));
    }
    if !viewer.role.is_coordinator() {
        query = query.filter(case::Column::Id.is_in(assigned_case_ids(db, viewer).await?));
    }
    Ok(query)
}

pub(crate) async fn audit_listed(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    cases: &[case::Model],
    ip: Option<&str>,
) -> AppResult<()> {
    audit::record(
        db,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: "case.listed",
            target_type: Some("case"),
            detail: Some(cases.iter().map(|c| c.reference.as_str()).collect::<Vec<_>>().join(",")),
            ip,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CasePatch {
    /// assessing, ready, not_proceeding, closed (booking, holding and follow-up move on their own)
    pub status: Option<String>,
    /// With not_proceeding: a code from the not-proceeding list (`other` needs the reason in
    /// words); a reason in words alone counts as `other`.
    pub not_proceeding_code: Option<String>,
    /// With not_proceeding: the reason in words (required with `other`).
    pub not_proceeding_reason: Option<String>,
    /// YYYY-MM-DD
    pub deadline: Option<String>,
    pub notes: Option<String>,
}

impl CasePatch {
    /// What the patch changes, for the audit trail: the new status and deadline, and only
    /// the names of the free-text fields (their words stay out of the log).
    fn changed_fields(&self) -> String {
        let mut parts = Vec::new();
        if let Some(status) = self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            parts.push(format!("status {status}"));
        }
        if let Some(code) = self.not_proceeding_code.as_deref().filter(|c| !c.trim().is_empty()) {
            parts.push(format!("reason {}", code.trim()));
        }
        if let Some(deadline) = self.deadline.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            parts.push(format!("deadline {deadline}"));
        }
        if self.notes.is_some() {
            parts.push("notes".into());
        }
        parts.join(", ")
    }
}

/// Coordinators change a case; a status change must follow the case's state machine.
/// A case that stops proceeding stops its live bookings in the same transaction.
pub async fn update(
    db: &impl Db,
    base_url: &url::Url,
    actor: &AuthUser,
    id: i64,
    patch: &CasePatch,
) -> AppResult<case::Model> {
    let txn = begin_write(db).await?;
    let found = super::guards::lock_case(&txn, id).await?.ok_or(AppError::NotFound)?;
    let mut change = case::ActiveModel {
        id: Set(found.id),
        updated_at: Set(crate::clock::now()),
        version: Set(found.version + 1),
        ..Default::default()
    };
    if let Some(raw) = &patch.status {
        let to = CaseStatus::from_code(raw.trim()).ok_or_else(|| AppError::field("status", "Unknown status."))?;
        let allowed = match (found.status, to) {
            (CaseStatus::Referred, CaseStatus::Assessing) => true,
            (CaseStatus::Assessing, CaseStatus::Ready) => ready_to_book(&txn, found.id).await?.is_ok(),
            (CaseStatus::Held, CaseStatus::FollowUp) => true,
            (CaseStatus::FollowUp, CaseStatus::Closed) => super::conferences::open_actions(&txn, id).await? == 0,
            (from, CaseStatus::NotProceeding) => !matches!(from, CaseStatus::Closed | CaseStatus::NotProceeding),
            _ => false,
        };
        if !allowed {
            let why = match (found.status, to) {
                (CaseStatus::Assessing, CaseStatus::Ready) => {
                    ready_to_book(&txn, found.id).await?.err().unwrap_or_default()
                }
                (CaseStatus::FollowUp, CaseStatus::Closed) => format!(
                    "{} agreed action(s) are still open: record each as completed or not before closing.",
                    super::conferences::open_actions(&txn, id).await?
                ),
                (from, to) => format!("A case that is {} cannot become {}.", from.code(), to.code()),
            };
            return Err(AppError::Conflict(why));
        }
        if to == CaseStatus::NotProceeding {
            let (code, words) = super::reasons::check(
                &txn,
                super::reasons::Kind::NotProceeding,
                patch.not_proceeding_code.as_deref(),
                patch.not_proceeding_reason.as_deref(),
                ["not_proceeding_code", "not_proceeding_reason"],
            )
            .await?;
            change.not_proceeding_code = Set(Some(code));
            change.not_proceeding_reason = Set(words);
        }
        if matches!(to, CaseStatus::Closed | CaseStatus::NotProceeding) {
            change.closed_at = Set(Some(crate::clock::now()));
        }
        change.status = Set(to);
    }
    if let Some(raw) = &patch.deadline {
        let deadline =
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok().filter(|d| *d >= found.referred_on).ok_or_else(
                || AppError::field("deadline", "Enter the deadline as YYYY-MM-DD, on or after the referral date."),
            )?;
        change.deadline = Set(deadline);
    }
    if let Some(notes) = &patch.notes {
        change.notes = Set(notes.trim().to_owned());
    }
    // Optimistic: only the version read may be changed.
    let read =
        sea_orm::Condition::all().add(case::Column::Id.eq(found.id)).add(case::Column::Version.eq(found.version));
    if !crate::db::compare_and_set::<case::Entity>(&txn, change, read).await? {
        return Err(AppError::changed_elsewhere("The case"));
    }
    if patch.status.as_deref().map(str::trim).and_then(CaseStatus::from_code) == Some(CaseStatus::NotProceeding) {
        super::guards::stop_live_bookings(&txn, base_url, id, StopReason::NotProceeding, None).await?;
    }
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: "case.updated",
            target_type: Some("case"),
            target_id: Some(found.reference.clone()),
            detail: Some(patch.changed_fields()),
            ..Default::default()
        },
    )
    .await?;
    let updated = case::Entity::find_by_id(found.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}

/// A case can be booked only with a suitable risk and appropriateness assessment and the
/// consent of every party; `Err` says what is missing.
pub async fn ready_to_book(db: &impl ConnectionTrait, case_id: i64) -> Result<Result<(), String>, DbErr> {
    use entity::assessment;
    let assessments = assessment::Entity::find().filter(assessment::Column::CaseId.eq(case_id)).all(db).await?;
    let parties = party::Entity::find().filter(party::Column::CaseId.eq(case_id)).all(db).await?;
    Ok(readiness(&assessments, &parties))
}

/// [`ready_to_book`] over a case's assessments and parties already read.
pub fn readiness(assessments: &[entity::assessment::Model], parties: &[party::Model]) -> Result<(), String> {
    use entity::assessment::{AssessmentKind, AssessmentOutcome};
    for kind in [AssessmentKind::Risk, AssessmentKind::Appropriateness] {
        let latest = assessments.iter().filter(|a| a.kind == kind).max_by_key(|a| (a.assessed_on, a.id));
        match latest {
            None => return Err(format!("No {} assessment has been recorded.", kind.code())),
            Some(a) if a.outcome == AssessmentOutcome::NotSuitable => {
                return Err(format!("The {} assessment found the case not suitable.", kind.code()));
            }
            Some(a) if a.outcome == AssessmentOutcome::ReviewNeeded => {
                return Err(format!("The {} assessment needs a review: assess again.", kind.code()));
            }
            Some(a) => {
                if let Some(due) = a.review_on.filter(|d| *d < crate::clock::today()) {
                    return Err(format!(
                        "The {} assessment was due for review by {}: assess again.",
                        kind.code(),
                        crate::domain::time::long_date(due)
                    ));
                }
            }
        }
    }
    if !parties.iter().any(|p| p.role == PartyRole::Harmer) || !parties.iter().any(|p| p.role == PartyRole::Harmed) {
        return Err("The case needs a harmed party and a harmer.".into());
    }
    if let Some(p) = parties.iter().find(|p| p.consent != Consent::Given) {
        return Err(format!("A {} has not given consent.", p.role.code()));
    }
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PartyInput {
    /// harmed, harmer or supporter
    pub role: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// pending, given or withdrawn
    pub consent: String,
}

pub async fn parties(db: &impl ConnectionTrait, case_id: i64) -> Result<Vec<party::Model>, DbErr> {
    party::Entity::find().filter(party::Column::CaseId.eq(case_id)).order_by_asc(party::Column::Id).all(db).await
}

/// A party's name and how to reach them, checked.
struct ContactDetails {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
}

impl ContactDetails {
    fn check(name: &str, email: &str, phone: &str, address: &str, errors: &mut BTreeMap<String, String>) -> Self {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.insert("name".into(), "Enter the name (at most 200 characters).".into());
        }
        let email = match email.trim() {
            "" => None,
            raw => match crate::domain::Email::parse(raw) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(why) => {
                    errors.insert("email".into(), why.into());
                    None
                }
            },
        };
        let phone = match phone.trim() {
            "" => None,
            raw => match crate::domain::Phone::parse(raw) {
                Ok(p) => Some(p.as_str().to_owned()),
                Err(why) => {
                    errors.insert("phone".into(), why.into());
                    None
                }
            },
        };
        if address.chars().count() > 1000 {
            errors.insert("address".into(), "Keep the address under 1,000 characters.".into());
        }
        let address = Some(address.trim().to_owned()).filter(|a| !a.is_empty());
        Self { name: name.to_owned(), email, phone, address }
    }
}

/// A change to a party's name or contact details; what is left out stays, an empty string
/// clears an optional detail.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PartyPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// Changes a party's contact details (a coordinator or an allocated facilitator; the caller
/// has checked which). Audited without the details themselves.
pub async fn update_party(
    db: &impl Db,
    actor: &AuthUser,
    party_id: i64,
    patch: &PartyPatch,
) -> AppResult<party::Model> {
    let txn = begin_write(db).await?;
    let found = party::Entity::find_by_id(party_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let mut errors = BTreeMap::new();
    let keep = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone()).unwrap_or_default();
    let details = ContactDetails::check(
        patch.name.as_deref().unwrap_or(&found.name),
        &keep(&patch.email, &found.email),
        &keep(&patch.phone, &found.phone),
        &keep(&patch.address, &found.address),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let updated = party::ActiveModel {
        id: Set(found.id),
        name: Set(details.name),
        email: Set(details.email),
        phone: Set(details.phone),
        address: Set(details.address),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    party_audited(&txn, actor, &found, "case.party_updated").await?;
    txn.commit().await?;
    Ok(updated)
}

/// Audits a change to a party under its case's reference (the details themselves stay out).
async fn party_audited(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    party: &party::Model,
    action: &str,
) -> Result<(), DbErr> {
    let reference = case::Entity::find_by_id(party.case_id).one(db).await?.map(|c| c.reference);
    audit::record(
        db,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action,
            target_type: Some("case"),
            target_id: reference,
            detail: Some(format!("party {}", party.id)),
            ..Default::default()
        },
    )
    .await
}

/// A party's weekly windows (UK wall-clock): conferences are booked only inside them, when
/// any are given.
pub async fn party_availability(
    db: &impl ConnectionTrait,
    party_id: i64,
) -> Result<Vec<crate::establishments::service::WindowSpec>, DbErr> {
    use entity::party_availability;
    let rows = party_availability::Entity::find()
        .filter(party_availability::Column::PartyId.eq(party_id))
        .order_by_asc(party_availability::Column::Weekday)
        .all(db)
        .await?;
    Ok(crate::establishments::service::group(rows.iter().map(|w| (w.weekday, w.starts_at, w.ends_at))))
}

/// Replaces a party's weekly windows (an empty list: any time the regime allows). Audited.
pub async fn set_party_availability(
    db: &impl Db,
    actor: &AuthUser,
    party_id: i64,
    windows: &[crate::establishments::service::WindowSpec],
) -> AppResult<Vec<crate::establishments::service::WindowSpec>> {
    use entity::party_availability;
    let parsed = crate::establishments::service::parse_windows(windows).map_err(AppError::fields)?;
    let txn = begin_write(db).await?;
    let found = party::Entity::find_by_id(party_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    party_availability::Entity::delete_many()
        .filter(party_availability::Column::PartyId.eq(found.id))
        .exec(&txn)
        .await?;
    for w in parsed {
        party_availability::ActiveModel {
            party_id: Set(found.id),
            weekday: Set(w.weekday),
            starts_at: Set(w.start),
            ends_at: Set(w.end),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    party_audited(&txn, actor, &found, "case.party_availability").await?;
    let saved = party_availability(&txn, found.id).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn add_party(db: &impl ConnectionTrait, case_id: i64, input: &PartyInput) -> AppResult<party::Model> {
    let mut errors = BTreeMap::new();
    let role = PartyRole::from_code(input.role.trim());
    if role.is_none() {
        errors.insert("role".into(), "Choose harmed, harmer or supporter.".into());
    }
    let details = ContactDetails::check(&input.name, &input.email, &input.phone, &input.address, &mut errors);
    let consent = match input.consent.trim() {
        "" => Some(Consent::Pending),
        raw => Consent::from_code(raw),
    };
    if consent.is_none() {
        errors.insert("consent".into(), "Choose pending, given or withdrawn.".into());
    }
    let (Some(role), Some(consent), true) = (role, consent, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    case::Entity::find_by_id(case_id).one(db).await?.ok_or(AppError::NotFound)?;
    let now = crate::clock::now();
    let today = london_today(now);
    Ok(party::ActiveModel {
        case_id: Set(case_id),
        role: Set(role),
        name: Set(details.name),
        email: Set(details.email),
        phone: Set(details.phone),
        address: Set(details.address),
        consent: Set(consent),
        consent_given_on: Set((consent == Consent::Given).then_some(today)),
        consent_withdrawn_on: Set((consent == Consent::Withdrawn).then_some(today)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AppointmentInput {
    /// e.g. probation
    pub kind: String,
    /// UTC instant, RFC 3339 (e.g. 2027-03-04T10:00:00Z) or London wall-clock YYYY-MM-DDTHH:MM
    pub starts_at: String,
    pub ends_at: String,
    pub note: String,
}

fn instant(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw).map(|d| d.with_timezone(&Utc)).ok().or_else(|| {
        chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").ok().and_then(crate::domain::time::london_to_utc)
    })
}

pub async fn party(db: &impl ConnectionTrait, party_id: i64) -> Result<Option<party::Model>, DbErr> {
    party::Entity::find_by_id(party_id).one(db).await
}

pub async fn appointments(db: &impl ConnectionTrait, party_id: i64) -> Result<Vec<appointment::Model>, DbErr> {
    appointments_of(db, &[party_id]).await
}

/// The appointments of any of `party_ids`, soonest first, in one query.
pub async fn appointments_of(db: &impl ConnectionTrait, party_ids: &[i64]) -> Result<Vec<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(appointment::Column::PartyId.is_in(party_ids.to_vec()))
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await
}

pub async fn add_appointment(
    db: &impl ConnectionTrait,
    party_id: i64,
    input: &AppointmentInput,
) -> AppResult<appointment::Model> {
    party(db, party_id).await?.ok_or(AppError::NotFound)?;
    let mut errors = BTreeMap::new();
    let starts = instant(&input.starts_at);
    if starts.is_none() {
        errors
            .insert("starts_at".into(), "Enter the start as 2027-03-04T10:00 (UK time) or an RFC 3339 instant.".into());
    }
    let ends = instant(&input.ends_at);
    match (starts, ends) {
        (_, None) => {
            errors
                .insert("ends_at".into(), "Enter the end as 2027-03-04T11:00 (UK time) or an RFC 3339 instant.".into());
        }
        (Some(s), Some(e)) if e <= s => {
            errors.insert("ends_at".into(), "The end must be after the start.".into());
        }
        _ => {}
    }
    let kind = input.kind.trim();
    if kind.is_empty() || kind.chars().count() > 32 {
        errors.insert("kind".into(), "Say what the appointment is, e.g. probation.".into());
    }
    let (Some(starts), Some(ends), true) = (starts, ends, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    Ok(appointment::ActiveModel {
        party_id: Set(party_id),
        kind: Set(kind.to_owned()),
        starts_at: Set(starts),
        ends_at: Set(ends),
        note: Set(input.note.trim().chars().take(200).collect()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A yes/no answer on a form: `true`/`false` in JSON, `yes`/`no` from a page.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Answer {
    Bool(bool),
    Text(String),
}

impl Answer {
    /// `Some(Some(_))` answered, `Some(None)` not answered, `None` not a yes or no.
    fn read(answer: Option<&Self>) -> Option<Option<bool>> {
        match answer {
            None => Some(None),
            Some(Self::Bool(b)) => Some(Some(*b)),
            Some(Self::Text(t)) => match t.trim() {
                "" => Some(None),
                "yes" | "true" => Some(Some(true)),
                "no" | "false" => Some(Some(false)),
                _ => None,
            },
        }
    }
}

/// A risk or an appropriateness assessment: the structured form and the assessor's verdict.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AssessmentInput {
    /// risk or appropriateness (`assessment_kind` on the case page, whose contact form also has a kind)
    #[serde(alias = "assessment_kind")]
    pub kind: String,
    /// suitable, not_suitable or review_needed
    pub outcome: String,
    /// YYYY-MM-DD (default today)
    pub assessed_on: String,
    #[serde(alias = "assessment_notes")]
    pub notes: String,
    /// Risk form: low, medium or high, each required.
    pub risk_to_harmed: String,
    pub risk_to_harmer: String,
    pub risk_to_facilitators: String,
    /// Risk form: any safeguarding concern, and what is done about it.
    pub safeguarding: String,
    /// Appropriateness form, each required: does the harmer accept responsibility; does each
    /// party have capacity and take part voluntarily.
    pub accepts_responsibility: Option<Answer>,
    pub harmed_capacity: Option<Answer>,
    pub harmed_voluntary: Option<Answer>,
    pub harmer_capacity: Option<Answer>,
    pub harmer_voluntary: Option<Answer>,
    /// YYYY-MM-DD: assess again by then (required with review_needed).
    pub review_on: String,
}

/// The checked form of an [`AssessmentInput`].
struct AssessmentForm {
    kind: entity::assessment::AssessmentKind,
    outcome: entity::assessment::AssessmentOutcome,
    assessed_on: NaiveDate,
    risks: [Option<entity::assessment::RiskLevel>; 3],
    answers: [Option<bool>; 5],
    review_on: Option<NaiveDate>,
}

const RISK_FIELDS: [&str; 3] = ["risk_to_harmed", "risk_to_harmer", "risk_to_facilitators"];
const ANSWER_FIELDS: [&str; 5] =
    ["accepts_responsibility", "harmed_capacity", "harmed_voluntary", "harmer_capacity", "harmer_voluntary"];

impl AssessmentInput {
    fn check(&self, today: NaiveDate) -> AppResult<AssessmentForm> {
        use entity::assessment::{AssessmentKind, AssessmentOutcome, RiskLevel};
        let mut errors = BTreeMap::new();
        let kind = AssessmentKind::from_code(self.kind.trim());
        if kind.is_none() {
            errors.insert("kind".into(), "Choose risk or appropriateness.".into());
        }
        let outcome = AssessmentOutcome::from_code(self.outcome.trim());
        if outcome.is_none() {
            errors.insert("outcome".into(), "Choose suitable, not suitable or review needed.".into());
        }
        let assessed_on = match self.assessed_on.trim() {
            "" => Some(today),
            raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().filter(|d| *d <= today),
        };
        if assessed_on.is_none() {
            errors.insert("assessed_on".into(), "Enter the date as YYYY-MM-DD, not in the future.".into());
        }
        let mut risks = [None; 3];
        let mut answers = [None; 5];
        match kind {
            Some(AssessmentKind::Risk) => {
                let given = [&self.risk_to_harmed, &self.risk_to_harmer, &self.risk_to_facilitators];
                for (i, raw) in given.into_iter().enumerate() {
                    risks[i] = RiskLevel::from_code(raw.trim());
                    if risks[i].is_none() {
                        errors.insert(RISK_FIELDS[i].into(), "Choose low, medium or high.".into());
                    }
                }
                if risks.contains(&Some(RiskLevel::High))
                    && outcome == Some(AssessmentOutcome::Suitable)
                    && self.safeguarding.trim().is_empty()
                    && self.notes.trim().is_empty()
                {
                    errors.insert("safeguarding".into(), "Say how the high risk is managed.".into());
                }
            }
            Some(AssessmentKind::Appropriateness) => {
                let given = [
                    &self.accepts_responsibility,
                    &self.harmed_capacity,
                    &self.harmed_voluntary,
                    &self.harmer_capacity,
                    &self.harmer_voluntary,
                ];
                for (i, raw) in given.into_iter().enumerate() {
                    match Answer::read(raw.as_ref()) {
                        Some(Some(b)) => answers[i] = Some(b),
                        _ => {
                            errors.insert(ANSWER_FIELDS[i].into(), "Answer yes or no.".into());
                        }
                    }
                }
                if outcome == Some(AssessmentOutcome::Suitable) && answers.contains(&Some(false)) {
                    errors.insert(
                        "outcome".into(),
                        "A case is not suitable while the harmer does not accept responsibility or a party \
                         lacks capacity or is not taking part voluntarily."
                            .into(),
                    );
                }
            }
            None => {}
        }
        if self.safeguarding.chars().count() > 4000 || self.notes.chars().count() > 4000 {
            errors.insert("notes".into(), "Keep the notes under 4,000 characters.".into());
        }
        let review_on = match self.review_on.trim() {
            "" => None,
            raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().filter(|d| *d >= today) {
                Some(d) => Some(d),
                None => {
                    errors.insert("review_on".into(), "Enter the review date as YYYY-MM-DD, today or later.".into());
                    None
                }
            },
        };
        if outcome == Some(AssessmentOutcome::ReviewNeeded) && self.review_on.trim().is_empty() {
            errors.insert("review_on".into(), "Give the date by which to assess again.".into());
        }
        match (kind, outcome, assessed_on, errors.is_empty()) {
            (Some(kind), Some(outcome), Some(assessed_on), true) => {
                Ok(AssessmentForm { kind, outcome, assessed_on, risks, answers, review_on })
            }
            _ => Err(AppError::fields(errors)),
        }
    }
}

/// Records an assessment (who: the caller; when; the form; the verdict). One that finds the
/// case not suitable stops its live bookings and sends it back to assessing, in the same
/// transaction. The caller has checked that `actor` may work the case.
pub async fn add_assessment(
    db: &impl Db,
    base_url: &url::Url,
    actor: &AuthUser,
    case_id: i64,
    input: &AssessmentInput,
) -> AppResult<entity::assessment::Model> {
    use entity::assessment::{self, AssessmentOutcome};
    let txn = begin_write(db).await?;
    super::guards::lock_case(&txn, case_id).await?.ok_or(AppError::NotFound)?;
    let form = input.check(crate::clock::today())?;
    let [risk_to_harmed, risk_to_harmer, risk_to_facilitators] = form.risks;
    let [accepts_responsibility, harmed_capacity, harmed_voluntary, harmer_capacity, harmer_voluntary] = form.answers;
    let (kind, outcome, assessed_on) = (form.kind, form.outcome, form.assessed_on);
    let safeguarding = Some(input.safeguarding.trim().to_owned()).filter(|s| !s.is_empty());
    let created = assessment::ActiveModel {
        case_id: Set(case_id),
        kind: Set(kind),
        outcome: Set(outcome),
        assessed_by: Set(actor.id),
        assessed_on: Set(assessed_on),
        notes: Set(input.notes.trim().to_owned()),
        created_at: Set(crate::clock::now()),
        risk_to_harmed: Set(risk_to_harmed),
        risk_to_harmer: Set(risk_to_harmer),
        risk_to_facilitators: Set(risk_to_facilitators),
        safeguarding: Set(safeguarding),
        accepts_responsibility: Set(accepts_responsibility),
        harmed_capacity: Set(harmed_capacity),
        harmed_voluntary: Set(harmed_voluntary),
        harmer_capacity: Set(harmer_capacity),
        harmer_voluntary: Set(harmer_voluntary),
        review_on: Set(form.review_on),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if outcome == AssessmentOutcome::NotSuitable {
        super::guards::stop_live_bookings(
            &txn,
            base_url,
            case_id,
            StopReason::NotSuitable,
            Some(CaseStatus::Assessing),
        )
        .await?;
    }
    let reference = case::Entity::find_by_id(case_id).one(&txn).await?.map(|c| c.reference);
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: "case.assessed",
            target_type: Some("case"),
            target_id: reference,
            detail: Some(format!("{} {}", kind.code(), outcome.code())),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Records a party's consent given or withdrawn, dated today. Withdrawn consent stops every
/// live booking of the case in the same transaction and sends it back to assessing until it
/// is given again; recording the state a party is already in is refused, so the dates stay
/// the first ones. The caller has checked that `actor` may work the case.
pub async fn record_consent(
    db: &impl Db,
    base_url: &url::Url,
    actor: &AuthUser,
    case_id: i64,
    party_id: i64,
    to: Consent,
) -> AppResult<party::Model> {
    if to == Consent::Pending {
        return Err(AppError::field("consent", "Record consent given or withdrawn."));
    }
    let txn = begin_write(db).await?;
    super::guards::lock_case(&txn, case_id).await?.ok_or(AppError::NotFound)?;
    let found = party::Entity::find_by_id(party_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|p| p.case_id == case_id)
        .ok_or(AppError::NotFound)?;
    if found.consent == to {
        let already = if to == Consent::Given { "already given" } else { "already withdrawn" };
        return Err(AppError::Conflict(format!("The {} has {already} consent.", found.role.code())));
    }
    let now = crate::clock::now();
    let today = london_today(now);
    let mut change =
        party::ActiveModel { id: Set(found.id), consent: Set(to), updated_at: Set(now), ..Default::default() };
    if to == Consent::Given {
        change.consent_given_on = Set(Some(today));
    } else {
        change.consent_withdrawn_on = Set(Some(today));
    }
    let updated = change.update(&txn).await?;
    if to == Consent::Withdrawn {
        super::guards::stop_live_bookings(
            &txn,
            base_url,
            case_id,
            StopReason::ConsentWithdrawn,
            Some(CaseStatus::Assessing),
        )
        .await?;
    }
    let reference = case::Entity::find_by_id(case_id).one(&txn).await?.map(|c| c.reference);
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: if to == Consent::Given { "case.consent_given" } else { "case.consent_withdrawn" },
            target_type: Some("case"),
            target_id: reference,
            detail: Some(format!("party {}", found.id)),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn assessments(db: &impl ConnectionTrait, case_id: i64) -> Result<Vec<entity::assessment::Model>, DbErr> {
    use entity::assessment;
    assessment::Entity::find()
        .filter(assessment::Column::CaseId.eq(case_id))
        .order_by_asc(assessment::Column::AssessedOn)
        .order_by_asc(assessment::Column::Id)
        .all(db)
        .await
}

/// One conference of a case with its facilitators and its outcome agreement's actions.
pub struct ConferenceRecord {
    pub conference: conference::Model,
    pub facilitators: Vec<conference_facilitator::Model>,
    pub actions: Vec<entity::outcome_action::Model>,
}

/// A case's conferences, oldest first, with their facilitators and actions.
pub async fn conferences(db: &impl ConnectionTrait, case_id: i64) -> Result<Vec<ConferenceRecord>, DbErr> {
    use entity::outcome_action;
    let found = conference::Entity::find()
        .filter(conference::Column::CaseId.eq(case_id))
        .find_with_related(conference_facilitator::Entity)
        .order_by_asc(conference::Column::StartsAt)
        .order_by_asc(conference::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = found.iter().map(|(c, _)| c.id).collect();
    let mut actions: HashMap<i64, Vec<outcome_action::Model>> = HashMap::new();
    if !ids.is_empty() {
        for a in outcome_action::Entity::find()
            .filter(outcome_action::Column::ConferenceId.is_in(ids))
            .order_by_asc(outcome_action::Column::DueOn)
            .order_by_asc(outcome_action::Column::Id)
            .all(db)
            .await?
        {
            actions.entry(a.conference_id).or_default().push(a);
        }
    }
    Ok(found
        .into_iter()
        .map(|(c, mut facilitators)| {
            facilitators.sort_by_key(|f| f.id);
            ConferenceRecord { facilitators, actions: actions.remove(&c.id).unwrap_or_default(), conference: c }
        })
        .collect())
}
