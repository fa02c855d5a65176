//! Recruitment rules: taking applications while an intake is open, the review queue, and
//! the pipeline of decisions with its limit on places. Every change and the emails it
//! causes are written in one transaction.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use entity::Code;
use entity::application::{self, ApplicationStatus};
use entity::user::Role;
use entity::{application_note, equality_monitoring, intake, user};
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Select, Set,
};
use serde::Deserialize;
use url::Url;

use super::input::NewApplication;
use super::intakes::{self, no_such_intake};
use super::pipeline::Decision;
use crate::audit::{self, AuditEntry};
use crate::auth::invitations;
use crate::auth::service::insert_account;
use crate::db::{Db, Page, Paging, begin_write, is_unique_violation};
use crate::domain::time::{london_display, london_to_utc, london_today};
use crate::domain::{Email, lenient_string};
use crate::error::{AppError, AppResult};
use crate::notifications::messages;
use crate::notifications::outbox::{self, Outgoing};
use crate::secrets::{random_token, sha256_hex};
use crate::training::service::enrol;
use crate::web::identity::AuthUser;
use crate::web::links::Links;

/// Applications from one address within an hour before further ones are refused.
pub const MAX_APPLICATIONS_PER_ADDRESS_PER_HOUR: u64 = 5;

async fn queue_email(
    db: &impl ConnectionTrait,
    key: String,
    kind: &'static str,
    to: &str,
    message: messages::Message,
) -> Result<(), DbErr> {
    outbox::enqueue(db, Outgoing { key, kind, to: to.to_owned(), message, send_after: crate::clock::now() })
        .await
        .map(drop)
}

/// Stores an application and queues its acknowledgement; returns it with the private
/// status token (shown once, stored hashed).
pub async fn submit(
    db: &impl Db,
    base_url: &Url,
    new: NewApplication,
    ip: Option<&str>,
) -> AppResult<(application::Model, String)> {
    let now = crate::clock::now();
    let txn = begin_write(db).await?;
    // Counted in the transaction that records this one, with other submissions from the
    // address held off until it ends, so concurrent ones count each other.
    if let Some(ip) = ip {
        crate::db::serialise_on(&txn, &format!("application.submitted:{ip}")).await?;
        let recent = audit::count_by_ip_since(&txn, "application.submitted", ip, now - Duration::hours(1)).await?;
        if recent >= MAX_APPLICATIONS_PER_ADDRESS_PER_HOUR {
            return Err(AppError::RateLimited { retry_after_secs: 3600 });
        }
    }
    let found = intakes::find(&txn, new.intake_id).await?.ok_or_else(no_such_intake)?;
    if !intakes::is_open(&found, london_today(now)) {
        return Err(AppError::field("intake_id", "Applications to this intake are closed. Choose an open intake."));
    }
    let token = random_token(32);
    let stored = application::ActiveModel {
        intake_id: Set(found.id),
        email: Set(new.email.as_str().to_owned()),
        name: Set(new.name.clone()),
        phone: Set(new.phone.as_str().to_owned()),
        postcode: Set(new.postcode.as_str().to_owned()),
        date_of_birth: Set(new.date_of_birth),
        motivation: Set(new.motivation.clone()),
        experience: Set(new.experience.clone()),
        available_weekdays: Set(new.available_weekdays),
        available_evenings: Set(new.available_evenings),
        available_weekends: Set(new.available_weekends),
        can_attend_all_dates: Set(new.can_attend_all_dates),
        can_commit_year: Set(new.can_commit_year),
        agrees_to_checks: Set(new.agrees_to_checks),
        willing_to_use_it: Set(new.willing_to_use_it),
        privacy_consent_at: Set(now),
        status: Set(ApplicationStatus::Submitted),
        status_token_hash: Set(sha256_hex(&token)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|error| {
        if is_unique_violation(&error) {
            AppError::field(
                "email",
                "You have already applied to this intake with this email address. Your private status link is in the email we sent you.",
            )
        } else {
            error.into()
        }
    })?;
    if let Some(answers) = new.equality {
        equality_monitoring::ActiveModel {
            intake_id: Set(found.id),
            age_band: Set(answers.age_band),
            gender: Set(answers.gender),
            ethnicity: Set(answers.ethnicity),
            disability: Set(answers.disability),
            submitted_on: Set(london_today(now)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let status_url = Links::new(base_url).application_status(&token);
    queue_email(
        &txn,
        format!("application.received:{}", stored.id),
        "application.received",
        &stored.email,
        messages::application_received(&stored.name, &found.name, &status_url),
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: &stored.email,
            action: "application.submitted",
            target_type: Some("application"),
            target_id: Some(stored.id.to_string()),
            ip,
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok((stored, token))
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct QueueFilter {
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub intake_id: String,
    pub q: Option<String>,
    /// `newest`: newest first; otherwise oldest first (the order they are worked in).
    pub sort: Option<String>,
}

impl QueueFilter {
    fn ordered(&self) -> Select<application::Entity> {
        let found = application::Entity::find().filter(self.condition());
        if self.sort.as_deref() == Some("newest") {
            found.order_by_desc(application::Column::CreatedAt).order_by_desc(application::Column::Id)
        } else {
            found.order_by_asc(application::Column::CreatedAt).order_by_asc(application::Column::Id)
        }
    }

    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(status) = self.status.as_deref().and_then(ApplicationStatus::from_code) {
            condition = condition.add(application::Column::Status.eq(status));
        }
        if let Ok(intake_id) = self.intake_id.trim().parse::<i64>() {
            condition = condition.add(application::Column::IntakeId.eq(intake_id));
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            let lower = |column: application::Column| SimpleExpr::from(Func::lower(Expr::col(column)));
            condition = condition.add(
                Condition::any()
                    .add(
                        lower(application::Column::Name).like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\')),
                    )
                    .add(
                        lower(application::Column::Email)
                            .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\')),
                    ),
            );
        }
        condition
    }
}

/// Applications shown on one page of the queue.
pub const PAGE_ROWS: u64 = 50;

/// One page of the review queue (oldest first) under a filter, and the count of every
/// status over the same intake and search.
pub async fn queue(
    db: &impl ConnectionTrait,
    filter: &QueueFilter,
    paging: Paging,
) -> Result<(Page<application::Model>, Vec<(ApplicationStatus, u64)>), DbErr> {
    let rows = crate::db::page(db, filter.ordered(), paging).await?;
    let without_status = QueueFilter { status: None, ..filter.clone() };
    let any_status = application::Entity::find().filter(without_status.condition());
    let counted = crate::db::count_by::<_, ApplicationStatus>(db, any_status, application::Column::Status).await?;
    let counts = ApplicationStatus::ALL
        .into_iter()
        .map(|status| (status, counted.get(&status).map_or(0, |n| u64::try_from(*n).unwrap_or(0))))
        .collect();
    Ok((rows, counts))
}

/// Every application under a filter, in its order (for the CSV).
pub async fn queue_all(db: &impl ConnectionTrait, filter: &QueueFilter) -> Result<Vec<application::Model>, DbErr> {
    filter.ordered().all(db).await
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<application::Model>, DbErr> {
    application::Entity::find_by_id(id).one(db).await
}

pub async fn find_by_token(db: &impl ConnectionTrait, token: &str) -> Result<Option<application::Model>, DbErr> {
    application::Entity::find().filter(application::Column::StatusTokenHash.eq(sha256_hex(token))).one(db).await
}

/// 1-based place on the waiting list, for a waitlisted application.
pub async fn waitlist_position(db: &impl ConnectionTrait, found: &application::Model) -> Result<Option<u64>, DbErr> {
    let (ApplicationStatus::Waitlisted, Some(at)) = (found.status, found.waitlisted_at) else {
        return Ok(None);
    };
    let ahead = application::Entity::find()
        .filter(application::Column::IntakeId.eq(found.intake_id))
        .filter(application::Column::Status.eq(ApplicationStatus::Waitlisted))
        .filter(Condition::any().add(application::Column::WaitlistedAt.lt(at)).add(
            Condition::all().add(application::Column::WaitlistedAt.eq(at)).add(application::Column::Id.lt(found.id)),
        ))
        .count(db)
        .await?;
    Ok(Some(ahead + 1))
}

pub async fn notes(
    db: &impl ConnectionTrait,
    application_id: i64,
) -> Result<Vec<(application_note::Model, String)>, DbErr> {
    let rows = application_note::Entity::find()
        .filter(application_note::Column::ApplicationId.eq(application_id))
        .order_by_asc(application_note::Column::Id)
        .all(db)
        .await?;
    let mut result = Vec::with_capacity(rows.len());
    for note in rows {
        let author = user::Entity::find_by_id(note.author_user_id).one(db).await?.map_or_else(String::new, |u| u.name);
        result.push((note, author));
    }
    Ok(result)
}

pub async fn add_note(db: &impl ConnectionTrait, author: &AuthUser, application_id: i64, body: &str) -> AppResult<()> {
    find(db, application_id).await?.ok_or(AppError::NotFound)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return Err(AppError::field("body", "Write a note of at most 5,000 characters."));
    }
    application_note::ActiveModel {
        application_id: Set(application_id),
        author_user_id: Set(author.id),
        body: Set(body.to_owned()),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A coordinator's decision, as sent by the form or the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// shortlist, interview, offer, waitlist, reject, accept or withdraw
    pub decision: String,
    /// Required to reject; shown to the applicant in a kind email.
    pub reason: String,
    /// For `interview`: YYYY-MM-DD
    pub interview_date: String,
    /// For `interview`: HH:MM, UK time
    pub interview_time: String,
    /// For `interview`
    pub interview_place: String,
}

/// Takes a decision on an application, in one transaction with its emails.
pub async fn decide(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    id: i64,
    input: &DecisionInput,
) -> AppResult<application::Model> {
    let decision = Decision::parse(input.decision.trim()).ok_or_else(|| {
        AppError::field(
            "decision",
            "Choose a decision: shortlist, interview, offer, waitlist, reject, accept or withdraw.",
        )
    })?;
    let txn = begin_write(db).await?;
    let found = find(&txn, id).await?.ok_or(AppError::NotFound)?;
    let updated = apply(&txn, base_url, Some(actor), found, decision, input).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The applicant withdraws through their private link.
pub async fn withdraw_by_token(db: &impl Db, base_url: &Url, token: &str) -> AppResult<application::Model> {
    let txn = begin_write(db).await?;
    let found = find_by_token(&txn, token).await?.ok_or(AppError::NotFound)?;
    let updated = apply(&txn, base_url, None, found, Decision::Withdraw, &DecisionInput::default()).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves `found` to `to` only if it is still in the status it was read in; anything else
/// means someone else decided first.
async fn transition(
    db: &impl ConnectionTrait,
    found: &application::Model,
    to: ApplicationStatus,
    extra: Vec<(application::Column, SimpleExpr)>,
) -> AppResult<application::Model> {
    let mut update = application::Entity::update_many()
        .col_expr(application::Column::Status, Expr::value(to))
        .col_expr(application::Column::Version, Expr::col(application::Column::Version).add(1))
        .col_expr(application::Column::UpdatedAt, Expr::value(crate::clock::now()));
    if matches!(to, ApplicationStatus::Rejected | ApplicationStatus::Withdrawn) {
        update = update.col_expr(application::Column::DecidedAt, Expr::value(Some(crate::clock::now())));
    }
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    let update =
        update.filter(application::Column::Id.eq(found.id)).filter(application::Column::Status.eq(found.status));
    if !crate::db::changed_one(db, update).await? {
        return Err(AppError::changed_elsewhere("This application"));
    }
    find(db, found.id).await?.ok_or(AppError::NotFound)
}

/// Takes one of the intake's places if any is free. The conditional update and the CHECK
/// constraint make this safe when coordinators offer at the same moment.
async fn take_place(db: &impl ConnectionTrait, intake_id: i64) -> Result<bool, DbErr> {
    let take = intake::Entity::update_many()
        .col_expr(intake::Column::PlacesTaken, Expr::col(intake::Column::PlacesTaken).add(1))
        .filter(intake::Column::Id.eq(intake_id))
        .filter(Expr::col(intake::Column::PlacesTaken).lt(Expr::col(intake::Column::Places)));
    crate::db::changed_one(db, take).await
}

/// Frees a place and flags the first on the waiting list to the coordinators.
async fn release_place(
    db: &impl ConnectionTrait,
    base_url: &Url,
    intake_row: &intake::Model,
    freed_by: i64,
) -> AppResult<()> {
    intake::Entity::update_many()
        .col_expr(intake::Column::PlacesTaken, Expr::col(intake::Column::PlacesTaken).sub(1))
        .filter(intake::Column::Id.eq(intake_row.id))
        .filter(intake::Column::PlacesTaken.gt(0))
        .exec(db)
        .await?;
    let first = application::Entity::find()
        .filter(application::Column::IntakeId.eq(intake_row.id))
        .filter(application::Column::Status.eq(ApplicationStatus::Waitlisted))
        .order_by_asc(application::Column::WaitlistedAt)
        .order_by_asc(application::Column::Id)
        .one(db)
        .await?;
    let Some(first) = first else { return Ok(()) };
    application::Entity::update_many()
        .col_expr(application::Column::PlaceFreeFlaggedAt, Expr::value(Some(crate::clock::now())))
        .filter(application::Column::Id.eq(first.id))
        .exec(db)
        .await?;
    let coordinators = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Coordinator, Role::Admin]))
        .filter(user::Column::DisabledAt.is_null())
        .all(db)
        .await?;
    let url = Links::new(base_url).application(first.id);
    for coordinator in coordinators {
        queue_email(
            db,
            format!("application.place_free:{freed_by}:{}", coordinator.id),
            "application.place_free",
            &coordinator.email,
            messages::place_free(&intake_row.name, &first.name, &url),
        )
        .await?;
    }
    Ok(())
}

/// An accepted applicant who withdraws leaves: the volunteer is recorded as left, the
/// account disabled with its sessions ended, and the password link revoked.
async fn end_accepted_volunteer(db: &impl ConnectionTrait, volunteer_id: i64) -> AppResult<()> {
    use entity::{password_invitation, session, volunteer};
    let now = crate::clock::now();
    let Some(record) = volunteer::Entity::find_by_id(volunteer_id).one(db).await? else { return Ok(()) };
    volunteer::ActiveModel {
        id: Set(record.id),
        status: Set(entity::volunteer::VolunteerStatus::Left),
        left_on: Set(Some(london_today(now))),
        left_reason: Set(Some("Withdrew their application before starting".into())),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(db)
    .await?;
    user::Entity::update_many()
        .col_expr(user::Column::DisabledAt, Expr::value(Some(now)))
        .filter(user::Column::Id.eq(record.user_id))
        .exec(db)
        .await?;
    session::Entity::delete_many().filter(session::Column::UserId.eq(record.user_id)).exec(db).await?;
    password_invitation::Entity::update_many()
        .col_expr(password_invitation::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_invitation::Column::UserId.eq(record.user_id))
        .filter(password_invitation::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

fn interview_details(input: &DecisionInput) -> AppResult<(chrono::DateTime<Utc>, String)> {
    let mut fields = std::collections::BTreeMap::new();
    let date = NaiveDate::parse_from_str(input.interview_date.trim(), "%Y-%m-%d").ok();
    if date.is_none() {
        fields.insert("interview_date".into(), "Enter the interview date as YYYY-MM-DD.".into());
    }
    let time = NaiveTime::parse_from_str(input.interview_time.trim(), "%H:%M").ok();
    if time.is_none() {
        fields.insert("interview_time".into(), "Enter the interview time as HH:MM.".into());
    }
    let place = input.interview_place.trim();
    if place.is_empty() || place.chars().count() > 200 {
        fields.insert("interview_place".into(), "Enter where the interview is (at most 200 characters).".into());
    }
    let at = match (date, time) {
        (Some(date), Some(time)) => {
            let at = london_to_utc(date.and_time(time));
            if at.is_none() {
                fields.insert(
                    "interview_time".into(),
                    "That time does not exist on that day (the clocks go forward).".into(),
                );
            }
            at
        }
        _ => None,
    };
    match at {
        Some(at) if fields.is_empty() => Ok((at, place.to_owned())),
        _ => Err(crate::error::AppError::fields(fields)),
    }
}

async fn apply(
    db: &impl ConnectionTrait,
    base_url: &Url,
    actor: Option<&AuthUser>,
    found: application::Model,
    decision: Decision,
    input: &DecisionInput,
) -> AppResult<application::Model> {
    use ApplicationStatus as S;
    use application::Column as C;
    if !decision.allowed(found.status) {
        return Err(AppError::Conflict(format!(
            "This application is {}; it cannot be given the decision “{}”.",
            found.status.code(),
            decision.as_str()
        )));
    }
    let intake_row = intakes::find(db, found.intake_id).await?.ok_or(AppError::NotFound)?;
    let key = |kind: &str| format!("{kind}:{}:{}", found.id, found.version + 1);
    let now = crate::clock::now();
    let updated = match decision {
        Decision::Shortlist => transition(db, &found, S::Shortlisted, vec![]).await?,
        Decision::Interview => {
            let (at, place) = interview_details(input)?;
            let updated = transition(
                db,
                &found,
                S::Interview,
                vec![(C::InterviewAt, Expr::value(Some(at))), (C::InterviewPlace, Expr::value(Some(place.clone())))],
            )
            .await?;
            let message = messages::interview_invitation(&found.name, &london_display(at), &place);
            queue_email(db, key("application.interview"), "application.interview", &found.email, message).await?;
            updated
        }
        Decision::Offer | Decision::Waitlist => {
            let offered = decision == Decision::Offer && take_place(db, intake_row.id).await?;
            if decision == Decision::Offer && !offered && found.status == S::Waitlisted {
                return Err(AppError::Conflict("Every place on this intake is taken; no offer can be made.".into()));
            }
            if offered {
                let updated = transition(
                    db,
                    &found,
                    S::Offered,
                    vec![(C::PlaceFreeFlaggedAt, Expr::value(Option::<chrono::DateTime<Utc>>::None))],
                )
                .await?;
                let message = messages::offer(&found.name, &intake_row.name);
                queue_email(db, key("application.offered"), "application.offered", &found.email, message).await?;
                updated
            } else {
                // Past the last place an offer becomes a waitlisting, in the order it came.
                let updated =
                    transition(db, &found, S::Waitlisted, vec![(C::WaitlistedAt, Expr::value(Some(now)))]).await?;
                let message = messages::waitlisted(&found.name, &intake_row.name);
                queue_email(db, key("application.waitlisted"), "application.waitlisted", &found.email, message).await?;
                updated
            }
        }
        Decision::Reject => {
            let reason = input.reason.trim();
            if reason.is_empty() || reason.chars().count() > 2000 {
                return Err(AppError::field(
                    "reason",
                    "Give a reason (at most 2,000 characters); the applicant will see it.",
                ));
            }
            let updated =
                transition(db, &found, S::Rejected, vec![(C::DecisionReason, Expr::value(Some(reason.to_owned())))])
                    .await?;
            if found.status.holds_place() {
                release_place(db, base_url, &intake_row, found.id).await?;
            }
            queue_email(
                db,
                key("application.rejected"),
                "application.rejected",
                &found.email,
                messages::rejected(&found.name, reason),
            )
            .await?;
            updated
        }
        Decision::Accept => {
            let email = Email::parse(&found.email).map_err(|m| AppError::Conflict(m.into()))?;
            let (account, record) = insert_account(db, &email, &found.name, Role::Volunteer, None).await.map_err(|error| match error {
                AppError::Validation { .. } => AppError::Conflict(format!(
                    "An account with the email {} already exists, so no new volunteer can be created from this application.",
                    found.email
                )),
                other => other,
            })?;
            let volunteer_id = record
                .map(|r| r.id)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("volunteer record not created")))?;
            enrol(db, intake_row.course_id, volunteer_id).await?;
            let updated =
                transition(db, &found, S::Accepted, vec![(C::VolunteerId, Expr::value(Some(volunteer_id)))]).await?;
            let (invitation_id, token) = invitations::create(db, account.id).await?;
            let url = Links::new(base_url).invitation(&token);
            queue_email(
                db,
                format!("account.invitation:{invitation_id}"),
                "account.invitation",
                &account.email,
                messages::password_invitation(&account.name, &url),
            )
            .await?;
            updated
        }
        Decision::Withdraw => {
            let updated = transition(db, &found, S::Withdrawn, vec![]).await?;
            if found.status.holds_place() {
                release_place(db, base_url, &intake_row, found.id).await?;
            }
            if let (S::Accepted, Some(volunteer_id)) = (found.status, found.volunteer_id) {
                end_accepted_volunteer(db, volunteer_id).await?;
            }
            updated
        }
    };
    let actor_label = actor.map_or(found.email.as_str(), |a| a.email.as_str());
    audit::record(
        db,
        AuditEntry {
            actor_user_id: actor.map(|a| a.id),
            actor: actor_label,
            action: "application.decided",
            target_type: Some("application"),
            target_id: Some(found.id.to_string()),
            detail: Some(format!("{} → {}", found.status.code(), updated.status.code())),
            ..Default::default()
        },
    )
    .await?;
    Ok(updated)
}

/// The stages where an application waits for a coordinator, in order.
pub const WAITING: [ApplicationStatus; 5] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::Shortlisted,
    ApplicationStatus::Interview,
    ApplicationStatus::Offered,
    ApplicationStatus::Waitlisted,
];

/// How many applications wait at each of the [`WAITING`] stages (stages with none left out).
pub async fn waiting_by_stage(db: &impl ConnectionTrait) -> Result<Vec<(ApplicationStatus, i64)>, DbErr> {
    let waiting = application::Entity::find().filter(application::Column::Status.is_in(WAITING));
    let counts = crate::db::count_by::<_, ApplicationStatus>(db, waiting, application::Column::Status).await?;
    Ok(WAITING.iter().filter_map(|s| counts.get(s).map(|n| (*s, *n))).collect())
}

/// Interviews arranged to start in `[from, to)`.
pub async fn interviews_between(
    db: &impl ConnectionTrait,
    from: chrono::DateTime<Utc>,
    to: chrono::DateTime<Utc>,
) -> Result<u64, DbErr> {
    application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Interview))
        .filter(application::Column::InterviewAt.gte(from))
        .filter(application::Column::InterviewAt.lt(to))
        .count(db)
        .await
}
