//! UK GDPR: subject access (everything held about a person, as JSON), erasure (anonymising
//! a person while the rows that statistics and the service's own obligations need stay),
//! and retention (the scheduled anonymisation of unsuccessful applicants, of volunteers who
//! left long ago and of the parties to cases closed long ago). README.md, "Personal data",
//! lists what is kept and why.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::Code;
use entity::application::{self, ApplicationStatus};
use entity::volunteer::{self, VolunteerStatus};
use entity::{
    api_token, application_note, assessment, attendance, audit_log, availability_window, calendar_token, case,
    case_contact, conference, conference_facilitator, conflict_of_interest, dbs_check, email_opt_out, enrolment,
    expense_claim, expense_receipt, idempotency_key, meeting_attendance, outbox_message, outcome_action, party,
    password_invitation, prison_vetting, session, supervision_session, unavailability, user,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};

use crate::db::{Db, begin_write};
use crate::settings::service::{CLOSED_CASE_MONTHS, LEFT_VOLUNTEER_MONTHS, UNSUCCESSFUL_APPLICATION_MONTHS, number};

/// What an erased text becomes; the audit log's trigger accepts exactly this.
pub const ERASED: &str = "[erased]";
/// The domain of addresses that replace erased ones (reserved: it can never receive mail).
pub const ERASED_DOMAIN: &str = "erased.invalid";

/// Every row of `E` matching `condition`, as JSON objects.
async fn rows<E: EntityTrait>(db: &impl ConnectionTrait, condition: Condition) -> Result<Vec<Value>, DbErr> {
    E::find().filter(condition).into_json().all(db).await
}

fn one<C: ColumnTrait>(column: C, value: impl Into<sea_orm::Value>) -> Condition {
    Condition::all().add(column.eq(value))
}

/// Outbox rows addressed to `email`.
async fn mail_to(db: &impl ConnectionTrait, email: &str) -> Result<Vec<Value>, DbErr> {
    let mut mail = rows::<outbox_message::Entity>(db, one(outbox_message::Column::ToEmail, email)).await?;
    for message in &mut mail {
        // The attachment is an invitation already shown by the conferences; keep the export small.
        if let Some(object) = message.as_object_mut() {
            object.remove("attachment_body");
        }
    }
    Ok(mail)
}

/// Everything held about a volunteer (and the applications that made them one).
pub async fn export_volunteer(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<Option<Value>, DbErr> {
    let Some((_, Some(account))) =
        volunteer::Entity::find_by_id(volunteer_id).find_also_related(user::Entity).one(db).await?
    else {
        return Ok(None);
    };
    let applications = application::Entity::find()
        .filter(
            Condition::any()
                .add(application::Column::VolunteerId.eq(volunteer_id))
                .add(application::Column::Email.eq(account.email.clone())),
        )
        .all(db)
        .await?;
    let application_ids: Vec<i64> = applications.iter().map(|a| a.id).collect();
    let mut user_json = json!({
        "id": account.id, "email": account.email, "name": account.name, "role": account.role.code(),
        "disabled_at": account.disabled_at, "created_at": account.created_at, "updated_at": account.updated_at,
    });
    if let Some(object) = user_json.as_object_mut() {
        object.insert("has_password".into(), Value::Bool(account.password_hash.is_some()));
    }
    Ok(Some(json!({
        "exported_at": crate::clock::now(),
        "kind": "volunteer",
        "account": user_json,
        "volunteer": rows::<volunteer::Entity>(db, one(volunteer::Column::Id, volunteer_id)).await?,
        "applications": rows::<application::Entity>(db, Condition::all().add(application::Column::Id.is_in(application_ids.clone()))).await?,
        "application_notes": rows::<application_note::Entity>(db, Condition::all().add(application_note::Column::ApplicationId.is_in(application_ids))).await?,
        "dbs_checks": rows::<dbs_check::Entity>(db, one(dbs_check::Column::VolunteerId, volunteer_id)).await?,
        "prison_vettings": rows::<prison_vetting::Entity>(db, one(prison_vetting::Column::VolunteerId, volunteer_id)).await?,
        "enrolments": rows::<enrolment::Entity>(db, one(enrolment::Column::VolunteerId, volunteer_id)).await?,
        "training_attendance": rows::<attendance::Entity>(db, one(attendance::Column::VolunteerId, volunteer_id)).await?,
        "meeting_attendance": rows::<meeting_attendance::Entity>(db, one(meeting_attendance::Column::VolunteerId, volunteer_id)).await?,
        "supervision_sessions": rows::<supervision_session::Entity>(db, one(supervision_session::Column::VolunteerId, volunteer_id)).await?,
        "availability": rows::<availability_window::Entity>(db, one(availability_window::Column::VolunteerId, volunteer_id)).await?,
        "unavailability": rows::<unavailability::Entity>(db, one(unavailability::Column::VolunteerId, volunteer_id)).await?,
        "conflicts_of_interest": rows::<conflict_of_interest::Entity>(db, one(conflict_of_interest::Column::VolunteerId, volunteer_id)).await?,
        "conference_assignments": rows::<conference_facilitator::Entity>(db, one(conference_facilitator::Column::VolunteerId, volunteer_id)).await?,
        "expense_claims": rows::<expense_claim::Entity>(db, one(expense_claim::Column::VolunteerId, volunteer_id)).await?,
        "expense_receipts": rows::<expense_receipt::Entity>(db, one(expense_receipt::Column::UploadedByUserId, account.id)).await?,
        "email_opt_outs": rows::<email_opt_out::Entity>(db, one(email_opt_out::Column::UserId, account.id)).await?,
        "emails": mail_to(db, &account.email).await?,
        "audit_log": audit_rows(db, Some(account.id), &account.email).await?,
    })))
}

/// Everything held about an applicant from one application.
pub async fn export_application(db: &impl ConnectionTrait, application_id: i64) -> Result<Option<Value>, DbErr> {
    let Some(found) = application::Entity::find_by_id(application_id).one(db).await? else {
        return Ok(None);
    };
    let mut application_json = rows::<application::Entity>(db, one(application::Column::Id, application_id)).await?;
    for row in &mut application_json {
        // A hash of the status link: not information about the person.
        if let Some(object) = row.as_object_mut() {
            object.remove("status_token_hash");
        }
    }
    Ok(Some(json!({
        "exported_at": crate::clock::now(),
        "kind": "applicant",
        "applications": application_json,
        "application_notes": rows::<application_note::Entity>(db, one(application_note::Column::ApplicationId, application_id)).await?,
        "volunteer_id": found.volunteer_id,
        "emails": mail_to(db, &found.email).await?,
        "audit_log": audit_rows(db, None, &found.email).await?,
    })))
}

async fn audit_rows(db: &impl ConnectionTrait, user_id: Option<i64>, email: &str) -> Result<Vec<Value>, DbErr> {
    let mut about = Condition::any().add(audit_log::Column::Actor.eq(email.to_lowercase()));
    if let Some(id) = user_id {
        about = about.add(audit_log::Column::ActorUserId.eq(id));
    }
    audit_log::Entity::find().filter(about).order_by_asc(audit_log::Column::Id).limit(10_000).into_json().all(db).await
}

/// What an erasure changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// False when the person had been erased already (nothing changed).
    pub fresh: bool,
    pub applications: u64,
    pub emails: u64,
    pub audit_entries: u64,
    /// Receipt files to delete from disk once the erasure has committed
    /// ([`remove_receipt_files`]); their rows stay with the claims, marked erased.
    #[serde(skip)]
    pub receipt_files: Vec<String>,
    /// How many receipts' files go.
    pub receipts: u64,
}

/// What a receipt's display name becomes when its file is erased.
pub const ERASED_RECEIPT: &str = "[erased receipt]";

/// Deletes erased receipts' files, after the erasure committed (a rolled-back erasure must
/// leave them). A file already gone counts as deleted; any other failure is logged and the
/// rest are still tried, and the names stay in the log for an admin to remove by hand.
pub async fn remove_receipt_files(files_dir: &std::path::Path, stored_names: &[String]) -> usize {
    let mut removed = 0;
    for name in stored_names {
        match tokio::fs::remove_file(files_dir.join(name)).await {
            Ok(()) => removed += 1,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => removed += 1,
            Err(error) => tracing::error!(file = %name, %error, "an erased receipt's file could not be deleted"),
        }
    }
    removed
}

/// Why a person cannot be erased yet.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("record the volunteer leaving first: an active record cannot be erased")]
    StillVolunteering,
    #[error("this application made a volunteer: erase the volunteer instead")]
    BecameVolunteer,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The strings that identify a person, to find them in free text (email bodies, audit details).
struct Needles(Vec<String>);

impl Needles {
    fn new(items: impl IntoIterator<Item = String>) -> Self {
        let mut items: Vec<String> =
            items.into_iter().map(|s| s.trim().to_owned()).filter(|s| s.chars().count() >= 4).collect();
        items.sort();
        items.dedup();
        Self(items)
    }

    fn in_any<C: ColumnTrait + Copy>(&self, columns: &[C]) -> Condition {
        let mut any = Condition::any();
        for needle in &self.0 {
            for column in columns {
                any = any.add(column.contains(needle));
            }
        }
        any
    }
}

/// Blanks emails to or mentioning the person; a queued one is not sent.
async fn erase_mail(db: &impl ConnectionTrait, emails: &[String], needles: &Needles) -> Result<u64, DbErr> {
    use outbox_message::Column as C;
    let which = Condition::any().add(C::ToEmail.is_in(emails.to_vec())).add(needles.in_any(&[
        C::Subject,
        C::TextBody,
        C::HtmlBody,
        C::AttachmentBody,
    ]));
    let ids: Vec<i64> =
        outbox_message::Entity::find().select_only().column(C::Id).filter(which).into_tuple().all(db).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    outbox_message::Entity::update_many()
        .col_expr(C::Status, Expr::value(outbox_message::OutboxStatus::Failed))
        .col_expr(C::LastError, Expr::value("not sent: the person's data was erased"))
        .filter(C::Id.is_in(ids.clone()))
        .filter(C::Status.eq(outbox_message::OutboxStatus::Queued))
        .exec(db)
        .await?;
    let result = outbox_message::Entity::update_many()
        .col_expr(C::ToEmail, Expr::value(format!("erased@{ERASED_DOMAIN}")))
        .col_expr(C::Subject, Expr::value(ERASED))
        .col_expr(C::TextBody, Expr::value(ERASED))
        .col_expr(C::HtmlBody, Expr::value(ERASED))
        .col_expr(C::ListUnsubscribe, Expr::value(Option::<String>::None))
        .col_expr(C::AttachmentBody, Expr::value(Option::<String>::None))
        .col_expr(C::AttachmentFilename, Expr::value(Option::<String>::None))
        .filter(C::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Blanks the person in the audit log: who acted and any detail naming them. The entries
/// themselves (what happened, when, to which record) stay, as the log's trigger requires.
async fn erase_audit(
    db: &impl ConnectionTrait,
    user_id: Option<i64>,
    emails: &[String],
    needles: &Needles,
) -> Result<u64, DbErr> {
    use audit_log::Column as C;
    let mut acting = Condition::any().add(C::Actor.is_in(emails.iter().map(|e| e.to_lowercase())));
    if let Some(id) = user_id {
        acting = acting.add(C::ActorUserId.eq(id));
    }
    let actor = audit_log::Entity::update_many()
        .col_expr(C::Actor, Expr::value(ERASED))
        .col_expr(C::Ip, Expr::value(Option::<String>::None))
        .filter(acting)
        .filter(C::Actor.ne(ERASED))
        .exec(db)
        .await?;
    let detail = audit_log::Entity::update_many()
        .col_expr(C::Detail, Expr::value(ERASED))
        .filter(needles.in_any(&[C::Detail]))
        .exec(db)
        .await?;
    Ok(actor.rows_affected + detail.rows_affected)
}

/// Anonymises applications: contact details and free text go; intake, status, dates, the
/// year of birth and the yes/no answers stay for statistics.
async fn anonymise_applications(db: &impl ConnectionTrait, ids: &[i64]) -> Result<u64, DbErr> {
    use application::Column as C;
    let found = application::Entity::find().filter(C::Id.is_in(ids.to_vec())).all(db).await?;
    for row in &found {
        let year_only = NaiveDate::from_ymd_opt(row.date_of_birth.year(), 1, 1).unwrap_or(row.date_of_birth);
        application::Entity::update_many()
            .col_expr(C::Email, Expr::value(format!("erased-application-{}@{ERASED_DOMAIN}", row.id)))
            .col_expr(C::Name, Expr::value(ERASED))
            .col_expr(C::Phone, Expr::value(""))
            .col_expr(C::Postcode, Expr::value(""))
            .col_expr(C::DateOfBirth, Expr::value(year_only))
            .col_expr(C::Motivation, Expr::value(""))
            .col_expr(C::Experience, Expr::value(""))
            .col_expr(C::InterviewPlace, Expr::value(Option::<String>::None))
            .col_expr(C::DecisionReason, Expr::value(Option::<String>::None))
            .col_expr(C::UpdatedAt, Expr::value(crate::clock::now()))
            .filter(C::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    application_note::Entity::update_many()
        .col_expr(application_note::Column::Body, Expr::value(ERASED))
        .filter(application_note::Column::ApplicationId.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(u64::try_from(found.len()).unwrap_or(u64::MAX))
}

fn is_erased_email(email: &str) -> bool {
    email.ends_with(&format!("@{ERASED_DOMAIN}"))
}

/// Erases an applicant: this application and any other they made with the same email. When
/// one of them made a volunteer, the volunteer is the one to erase.
pub async fn erase_application(db: &impl ConnectionTrait, application_id: i64) -> Result<Option<Erasure>, EraseError> {
    let Some(found) = application::Entity::find_by_id(application_id).one(db).await? else {
        return Ok(None);
    };
    if is_erased_email(&found.email) {
        return Ok(Some(Erasure::default()));
    }
    let all = application::Entity::find().filter(application::Column::Email.eq(found.email.clone())).all(db).await?;
    if all.iter().any(|a| a.volunteer_id.is_some()) {
        return Err(EraseError::BecameVolunteer);
    }
    let emails = vec![found.email.clone()];
    let mut needles = vec![found.email.clone()];
    for a in &all {
        needles.extend([a.name.clone(), a.phone.clone(), a.postcode.clone()]);
    }
    let needles = Needles::new(needles);
    let emails_erased = erase_mail(db, &emails, &needles).await?;
    let audit_entries = erase_audit(db, None, &emails, &needles).await?;
    idempotency_key::Entity::delete_many()
        .filter(needles.in_any(&[idempotency_key::Column::ResponseBody]))
        .exec(db)
        .await?;
    let ids: Vec<i64> = all.iter().map(|a| a.id).collect();
    let applications = anonymise_applications(db, &ids).await?;
    Ok(Some(Erasure { fresh: true, applications, emails: emails_erased, audit_entries, ..Erasure::default() }))
}

/// Erases a volunteer who has left: account, applications, checks' numbers and notes,
/// supervision notes, emails and audit entries naming them. Conference assignments, training
/// attendance and expense claims stay (statistics; financial records), now about nobody.
pub async fn erase_volunteer(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<Option<Erasure>, EraseError> {
    let Some((record, Some(account))) =
        volunteer::Entity::find_by_id(volunteer_id).find_also_related(user::Entity).one(db).await?
    else {
        return Ok(None);
    };
    if record.status != VolunteerStatus::Left {
        return Err(EraseError::StillVolunteering);
    }
    if is_erased_email(&account.email) {
        return Ok(Some(Erasure::default()));
    }
    let applications = application::Entity::find()
        .filter(
            Condition::any()
                .add(application::Column::VolunteerId.eq(volunteer_id))
                .add(application::Column::Email.eq(account.email.clone())),
        )
        .all(db)
        .await?;
    let mut emails = vec![account.email.clone()];
    let mut needles = vec![account.email.clone(), account.name.clone()];
    for a in &applications {
        emails.push(a.email.clone());
        needles.extend([a.email.clone(), a.name.clone(), a.phone.clone(), a.postcode.clone()]);
    }
    let needles = Needles::new(needles);
    let emails_erased = erase_mail(db, &emails, &needles).await?;
    let audit_entries = erase_audit(db, Some(account.id), &emails, &needles).await?;
    let ids: Vec<i64> = applications.iter().map(|a| a.id).collect();
    let applications = anonymise_applications(db, &ids).await?;

    // Secrets and sessions go entirely: they only serve signing in.
    session::Entity::delete_many().filter(session::Column::UserId.eq(account.id)).exec(db).await?;
    api_token::Entity::delete_many().filter(api_token::Column::UserId.eq(account.id)).exec(db).await?;
    calendar_token::Entity::delete_many().filter(calendar_token::Column::UserId.eq(account.id)).exec(db).await?;
    password_invitation::Entity::delete_many()
        .filter(password_invitation::Column::UserId.eq(account.id))
        .exec(db)
        .await?;
    email_opt_out::Entity::delete_many().filter(email_opt_out::Column::UserId.eq(account.id)).exec(db).await?;
    idempotency_key::Entity::delete_many()
        .filter(
            Condition::any()
                .add(idempotency_key::Column::UserId.eq(account.id))
                .add(needles.in_any(&[idempotency_key::Column::ResponseBody])),
        )
        .exec(db)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(format!("erased-user-{}@{ERASED_DOMAIN}", account.id)))
        .col_expr(user::Column::Name, Expr::value(ERASED))
        .col_expr(user::Column::PasswordHash, Expr::value(Option::<String>::None))
        .col_expr(user::Column::DisabledAt, Expr::value(account.disabled_at.unwrap_or_else(crate::clock::now)))
        .col_expr(user::Column::UpdatedAt, Expr::value(crate::clock::now()))
        .filter(user::Column::Id.eq(account.id))
        .exec(db)
        .await?;
    volunteer::Entity::update_many()
        .col_expr(volunteer::Column::LeftReason, Expr::value(Option::<String>::None))
        .filter(volunteer::Column::Id.eq(volunteer_id))
        .exec(db)
        .await?;
    // Checks keep their type, dates and outcome (that a check was done); not the certificate.
    dbs_check::Entity::update_many()
        .col_expr(dbs_check::Column::CertificateNumber, Expr::value(Option::<String>::None))
        .col_expr(dbs_check::Column::Notes, Expr::value(Option::<String>::None))
        .filter(dbs_check::Column::VolunteerId.eq(volunteer_id))
        .exec(db)
        .await?;
    prison_vetting::Entity::update_many()
        .col_expr(prison_vetting::Column::Notes, Expr::value(Option::<String>::None))
        .filter(prison_vetting::Column::VolunteerId.eq(volunteer_id))
        .exec(db)
        .await?;
    supervision_session::Entity::update_many()
        .col_expr(supervision_session::Column::Notes, Expr::value(""))
        .filter(supervision_session::Column::VolunteerId.eq(volunteer_id))
        .exec(db)
        .await?;
    unavailability::Entity::update_many()
        .col_expr(unavailability::Column::Reason, Expr::value(""))
        .filter(unavailability::Column::VolunteerId.eq(volunteer_id))
        .exec(db)
        .await?;
    conflict_of_interest::Entity::update_many()
        .col_expr(conflict_of_interest::Column::Note, Expr::value(""))
        .filter(conflict_of_interest::Column::VolunteerId.eq(volunteer_id))
        .exec(db)
        .await?;
    // Receipts (tickets, fuel slips) name and locate the person: their files go; each row
    // stays with its claim, which finance keeps, as a record that a receipt was checked.
    let claims = expense_claim::Entity::find()
        .select_only()
        .column(expense_claim::Column::Id)
        .filter(expense_claim::Column::VolunteerId.eq(volunteer_id));
    let theirs = Condition::any()
        .add(expense_receipt::Column::UploadedByUserId.eq(account.id))
        .add(expense_receipt::Column::ClaimId.in_subquery(sea_orm::QueryTrait::into_query(claims)));
    let receipt_files: Vec<String> = expense_receipt::Entity::find()
        .select_only()
        .column(expense_receipt::Column::StoredName)
        .filter(theirs.clone())
        .filter(expense_receipt::Column::DisplayName.ne(ERASED_RECEIPT))
        .into_tuple()
        .all(db)
        .await?;
    expense_receipt::Entity::update_many()
        .col_expr(expense_receipt::Column::DisplayName, Expr::value(ERASED_RECEIPT))
        .filter(theirs)
        .exec(db)
        .await?;
    let receipts = u64::try_from(receipt_files.len()).unwrap_or(u64::MAX);
    Ok(Some(Erasure { fresh: true, applications, emails: emails_erased, audit_entries, receipt_files, receipts }))
}

/// Anonymises the parties to a closed case and the case's free text (notes, the contacts
/// log, assessments, conference outcome notes, agreed actions), with emails and audit details
/// naming a party. The case, its dates, codes, outcomes and counts stay for the reports.
/// Returns the parties anonymised (0 when done before).
pub async fn anonymise_case(db: &impl ConnectionTrait, case_id: i64) -> Result<u64, DbErr> {
    let parties = party::Entity::find()
        .filter(party::Column::CaseId.eq(case_id))
        .filter(party::Column::Name.ne(ERASED))
        .all(db)
        .await?;
    if parties.is_empty() {
        return Ok(0);
    }
    let emails: Vec<String> = parties.iter().filter_map(|p| p.email.clone()).collect();
    let needles = Needles::new(parties.iter().flat_map(|p| {
        [Some(p.name.clone()), p.email.clone(), p.phone.clone(), p.address.clone()].into_iter().flatten()
    }));
    erase_mail(db, &emails, &needles).await?;
    erase_audit(db, None, &emails, &needles).await?;
    let now = crate::clock::now();
    party::Entity::update_many()
        .col_expr(party::Column::Name, Expr::value(ERASED))
        .col_expr(party::Column::Email, Expr::value(Option::<String>::None))
        .col_expr(party::Column::Phone, Expr::value(Option::<String>::None))
        .col_expr(party::Column::Address, Expr::value(Option::<String>::None))
        .col_expr(party::Column::UpdatedAt, Expr::value(now))
        .filter(party::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    case::Entity::update_many()
        .col_expr(case::Column::Notes, Expr::value(""))
        .filter(case::Column::Id.eq(case_id))
        .exec(db)
        .await?;
    case_contact::Entity::update_many()
        .col_expr(case_contact::Column::Notes, Expr::value(""))
        .filter(case_contact::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    assessment::Entity::update_many()
        .col_expr(assessment::Column::Notes, Expr::value(""))
        .filter(assessment::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    let conferences = conference::Entity::find()
        .select_only()
        .column(conference::Column::Id)
        .filter(conference::Column::CaseId.eq(case_id));
    outcome_action::Entity::update_many()
        .col_expr(outcome_action::Column::Description, Expr::value(ERASED))
        .col_expr(outcome_action::Column::Owner, Expr::value(ERASED))
        .filter(outcome_action::Column::ConferenceId.in_subquery(sea_orm::QueryTrait::into_query(conferences)))
        .exec(db)
        .await?;
    conference::Entity::update_many()
        .col_expr(conference::Column::OutcomeNotes, Expr::value(Option::<String>::None))
        .filter(conference::Column::CaseId.eq(case_id))
        .filter(conference::Column::OutcomeNotes.is_not_null())
        .exec(db)
        .await?;
    Ok(u64::try_from(parties.len()).unwrap_or(u64::MAX))
}

/// What one retention run anonymised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    pub applications: u64,
    pub volunteers: u64,
    /// Cases whose parties were anonymised.
    pub cases: u64,
}

/// Anonymises rejected and withdrawn applications decided more than the set months ago,
/// volunteers who left more than the set months ago (deleting their receipts' files from
/// `files_dir` after each commit) and the parties to cases closed more than the set months
/// ago. Running it again changes nothing.
pub async fn apply_retention(
    db: &impl Db,
    files_dir: &std::path::Path,
    now: DateTime<Utc>,
) -> Result<Retention, DbErr> {
    let months = |n: i64| Months::new(u32::try_from(n).unwrap_or(0));
    let application_cutoff =
        now.checked_sub_months(months(number(db, &UNSUCCESSFUL_APPLICATION_MONTHS).await?)).unwrap_or(now);
    let is_due = Condition::all()
        .add(application::Column::Status.is_in([ApplicationStatus::Rejected, ApplicationStatus::Withdrawn]))
        .add(application::Column::DecidedAt.lt(application_cutoff))
        .add(application::Column::VolunteerId.is_null());
    let due: Vec<(i64, String)> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::Email)
        .filter(is_due.clone())
        .filter(application::Column::Email.not_like(format!("%@{ERASED_DOMAIN}")))
        .into_tuple()
        .all(db)
        .await?;
    let mut report = Retention::default();
    for (id, email) in due {
        // The same person applying again, or who became a volunteer, keeps their details
        // until that record is due too.
        let still_needed = application::Entity::find()
            .filter(application::Column::Email.eq(email))
            .filter(is_due.clone().not())
            .count(db)
            .await?;
        if still_needed > 0 {
            continue;
        }
        // One transaction per person: a failure leaves the others done and this one whole.
        let txn = begin_write(db).await?;
        if counted(erase_application(&txn, id).await)? {
            report.applications += 1;
        }
        txn.commit().await?;
    }
    let left_cutoff = crate::domain::time::london_today(now)
        .checked_sub_months(months(number(db, &LEFT_VOLUNTEER_MONTHS).await?))
        .unwrap_or(NaiveDate::MIN);
    let left: Vec<(i64, String)> = volunteer::Entity::find()
        .select_only()
        .column(volunteer::Column::Id)
        .column(user::Column::Email)
        .inner_join(user::Entity)
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Left))
        .filter(volunteer::Column::LeftOn.lt(left_cutoff))
        .into_tuple()
        .all(db)
        .await?;
    for (id, email) in left {
        if is_erased_email(&email) {
            continue;
        }
        let txn = begin_write(db).await?;
        let outcome = erase_volunteer(&txn, id).await;
        let files = match &outcome {
            Ok(Some(erasure)) => erasure.receipt_files.clone(),
            _ => Vec::new(),
        };
        let erased = counted(outcome)?;
        txn.commit().await?;
        remove_receipt_files(files_dir, &files).await;
        if erased {
            report.volunteers += 1;
        }
    }
    let case_cutoff = now.checked_sub_months(months(number(db, &CLOSED_CASE_MONTHS).await?)).unwrap_or(now);
    let named =
        party::Entity::find().select_only().column(party::Column::CaseId).filter(party::Column::Name.ne(ERASED));
    let closed: Vec<i64> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(case::Column::Status.is_in([case::CaseStatus::Closed, case::CaseStatus::NotProceeding]))
        .filter(case::Column::ClosedAt.lt(case_cutoff))
        .filter(case::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(named)))
        .into_tuple()
        .all(db)
        .await?;
    for id in closed {
        let txn = begin_write(db).await?;
        if anonymise_case(&txn, id).await? > 0 {
            report.cases += 1;
        }
        txn.commit().await?;
    }
    Ok(report)
}

/// Whether an erasure happened; a rule refusal is skipped, a database error is an error.
fn counted(outcome: Result<Option<Erasure>, EraseError>) -> Result<bool, DbErr> {
    match outcome {
        Ok(Some(erasure)) => Ok(erasure.fresh),
        Ok(None) | Err(EraseError::BecameVolunteer | EraseError::StillVolunteering) => Ok(false),
        Err(EraseError::Db(error)) => Err(error),
    }
}
