//! `/api/v1/cases`, their parties and the parties' appointments.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use entity::Code;
use entity::{appointment, case, party};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{self, AppointmentInput, AssessmentInput, CaseInput, CasePatch, PartyInput};
use crate::auth::{RequireCoordinator, RequireUser};
use crate::db::{PageInfo, PageQuery};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::identity::ClientIp;
use crate::web::json::ApiJson;

#[derive(Serialize, ToSchema)]
pub struct Case {
    pub id: i64,
    /// RJ-YYYY-NNNN
    pub reference: String,
    pub source: String,
    #[schema(value_type = String)]
    pub referred_on: NaiveDate,
    pub offence_category: String,
    pub establishment_id: i64,
    #[schema(value_type = String)]
    pub deadline: NaiveDate,
    pub duration_minutes: i32,
    pub notes: String,
    /// referred, assessing, ready, booked, held, follow_up, closed or not_proceeding
    pub status: String,
    /// The coded reason (the not-proceeding list), with the words in not_proceeding_reason.
    pub not_proceeding_code: Option<String>,
    pub not_proceeding_reason: Option<String>,
    pub version: i32,
}

/// One case with its allocated pair and its conferences.
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub facilitators: Vec<super::allocation_api::Allocated>,
    pub conferences: Vec<ConferenceSummary>,
}

#[derive(Serialize, ToSchema)]
pub struct ConferenceSummary {
    pub id: i64,
    /// proposed, confirmed, held, not_held or cancelled
    pub status: String,
    pub starts_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<Case>,
    pub page: PageInfo,
}

#[derive(Serialize, ToSchema)]
pub struct Party {
    pub id: i64,
    pub case_id: i64,
    /// harmed, harmer or supporter
    pub role: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// pending, given or withdrawn
    pub consent: String,
    #[schema(value_type = Option<String>)]
    pub consent_given_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub consent_withdrawn_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct PartyList {
    pub parties: Vec<Party>,
}

#[derive(Serialize, ToSchema)]
pub struct Appointment {
    pub id: i64,
    pub party_id: i64,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppointmentList {
    pub appointments: Vec<Appointment>,
}

#[derive(Serialize, ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub kind: String,
    pub outcome: String,
    pub assessed_by: i64,
    #[schema(value_type = String)]
    pub assessed_on: NaiveDate,
    /// low, medium or high (risk assessments)
    pub risk_to_harmed: Option<String>,
    pub risk_to_harmer: Option<String>,
    pub risk_to_facilitators: Option<String>,
    pub safeguarding: Option<String>,
    /// Appropriateness assessments.
    pub accepts_responsibility: Option<bool>,
    pub harmed_capacity: Option<bool>,
    pub harmed_voluntary: Option<bool>,
    pub harmer_capacity: Option<bool>,
    pub harmer_voluntary: Option<bool>,
    #[schema(value_type = Option<String>)]
    pub review_on: Option<NaiveDate>,
}

fn case_json(c: case::Model) -> Case {
    Case {
        id: c.id,
        reference: c.reference,
        source: service::source_name(c.source).to_owned(),
        referred_on: c.referred_on,
        offence_category: c.offence_category,
        establishment_id: c.establishment_id,
        deadline: c.deadline,
        duration_minutes: c.duration_minutes,
        notes: c.notes,
        status: c.status.code(),
        not_proceeding_code: c.not_proceeding_code,
        not_proceeding_reason: c.not_proceeding_reason,
        version: c.version,
    }
}

fn party_json(p: party::Model) -> Party {
    Party {
        id: p.id,
        case_id: p.case_id,
        role: p.role.code(),
        name: p.name,
        email: p.email,
        phone: p.phone,
        address: p.address,
        consent: p.consent.code(),
        consent_given_on: p.consent_given_on,
        consent_withdrawn_on: p.consent_withdrawn_on,
    }
}

fn appointment_json(a: appointment::Model) -> Appointment {
    Appointment {
        id: a.id,
        party_id: a.party_id,
        kind: a.kind,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        note: a.note,
    }
}

/// The cases the caller may see: all for coordinators, their own for facilitators.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(PageQuery),
    responses((status = 200, body = CaseList), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Query(paging): Query<PageQuery>,
) -> AppResult<Json<CaseList>> {
    let paging = paging.paging().map_err(AppError::fields)?;
    let listed = service::list(&state.db, &viewer, paging, ip.0.as_deref()).await?;
    Ok(Json(CaseList { cases: listed.items.into_iter().map(case_json).collect(), page: listed.info }))
}

/// Take a referral. The reference and (by default) the deadline are worked out.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput,
    responses((status = 201, body = Case), (status = 422, body = ErrorResponse), (status = 403, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    ApiJson(input): ApiJson<CaseInput>,
) -> AppResult<(StatusCode, Json<Case>)> {
    Ok((StatusCode::CREATED, Json(case_json(service::create(&state.db, &actor, &input).await?))))
}

/// One case with its allocated facilitators and conferences: coordinators and its allocated
/// facilitators; 404 for anyone else. Audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(id): Path<i64>,
) -> AppResult<Json<CaseDetail>> {
    let found = service::read(&state.db, &viewer, id, ip.0.as_deref()).await?;
    let facilitators = super::allocation::facilitators(&state.db, id).await?;
    let conferences = service::conferences(&state.db, id)
        .await?
        .into_iter()
        .map(|r| ConferenceSummary {
            id: r.conference.id,
            status: r.conference.status.code(),
            starts_at: r.conference.starts_at,
        })
        .collect();
    Ok(Json(CaseDetail {
        case: case_json(found),
        facilitators: super::allocation_api::allocated(&facilitators),
        conferences,
    }))
}

/// Change a case's status (following its state machine), deadline or notes.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)), request_body = CasePatch,
    responses((status = 200, body = Case), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<CasePatch>,
) -> AppResult<Json<Case>> {
    Ok(Json(case_json(service::update(&state.db, &state.settings.base_url, &actor, id, &patch).await?)))
}

/// The parties to a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/parties", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = PartyList), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn parties(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(id): Path<i64>,
) -> AppResult<Json<PartyList>> {
    service::read(&state.db, &actor, id, ip.0.as_deref()).await?;
    Ok(Json(PartyList { parties: service::parties(&state.db, id).await?.into_iter().map(party_json).collect() }))
}

/// Add a party (harmed, harmer or supporter) with their consent.
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties", tag = "cases", params(("id" = i64, Path)), request_body = PartyInput,
    responses((status = 201, body = Party), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn add_party(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PartyInput>,
) -> AppResult<(StatusCode, Json<Party>)> {
    Ok((StatusCode::CREATED, Json(party_json(service::add_party(&state.db, id, &input).await?))))
}

/// A party's appointments (the harmer's probation appointments block conference times).
#[utoipa::path(get, path = "/api/v1/parties/{id}/appointments", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = AppointmentList), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn appointments(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Json<AppointmentList>> {
    service::party(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(AppointmentList {
        appointments: service::appointments(&state.db, id).await?.into_iter().map(appointment_json).collect(),
    }))
}

/// Record an appointment of a party.
#[utoipa::path(post, path = "/api/v1/parties/{id}/appointments", tag = "cases", params(("id" = i64, Path)), request_body = AppointmentInput,
    responses((status = 201, body = Appointment), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn add_appointment(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> AppResult<(StatusCode, Json<Appointment>)> {
    Ok((StatusCode::CREATED, Json(appointment_json(service::add_appointment(&state.db, id, &input).await?))))
}

/// Record a risk or appropriateness assessment, with its structured form (both, current and
/// suitable, are needed before the case is ready): coordinators and allocated facilitators.
#[utoipa::path(post, path = "/api/v1/cases/{id}/assessments", tag = "cases", params(("id" = i64, Path)), request_body = AssessmentInput,
    responses((status = 201, body = Assessment), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn add_assessment(
    State(state): State<AppState>,
    RequireUser(actor): RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> AppResult<(StatusCode, Json<Assessment>)> {
    service::workable(&state.db, &actor, id).await?;
    let a = service::add_assessment(&state.db, &state.settings.base_url, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Assessment {
            id: a.id,
            kind: a.kind.code(),
            outcome: a.outcome.code(),
            assessed_by: a.assessed_by,
            assessed_on: a.assessed_on,
            risk_to_harmed: a.risk_to_harmed.map(|r| r.code()),
            risk_to_harmer: a.risk_to_harmer.map(|r| r.code()),
            risk_to_facilitators: a.risk_to_facilitators.map(|r| r.code()),
            safeguarding: a.safeguarding,
            accepts_responsibility: a.accepts_responsibility,
            harmed_capacity: a.harmed_capacity,
            harmed_voluntary: a.harmed_voluntary,
            harmer_capacity: a.harmer_capacity,
            harmer_voluntary: a.harmer_voluntary,
            review_on: a.review_on,
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    pub case_id: i64,
    pub volunteer_id: i64,
    /// meeting or call
    pub kind: String,
    #[schema(value_type = String)]
    pub contact_on: NaiveDate,
    pub minutes: i32,
    /// Tenths of a mile.
    pub mileage_tenths: i32,
    pub notes: String,
    /// Whether its mileage is on an expense claim (each contact is claimed once).
    pub claimed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ContactList {
    pub contacts: Vec<Contact>,
}

fn contact_json(c: entity::case_contact::Model, claimed: bool) -> Contact {
    Contact {
        id: c.id,
        case_id: c.case_id,
        volunteer_id: c.volunteer_id,
        kind: c.kind,
        contact_on: c.contact_on,
        minutes: c.minutes,
        mileage_tenths: c.mileage_tenths,
        notes: c.notes,
        claimed,
    }
}

/// The preparation meetings and calls logged on a case: coordinators and its facilitators.
#[utoipa::path(get, path = "/api/v1/cases/{id}/contacts", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = ContactList), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn contacts(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(id): Path<i64>,
) -> AppResult<Json<ContactList>> {
    let records = super::contacts::list(&state.db, &viewer, id, ip.0.as_deref()).await?;
    Ok(Json(ContactList { contacts: records.into_iter().map(|r| contact_json(r.contact, r.claimed)).collect() }))
}

/// Log a preparation meeting or call (a facilitator assigned to the case).
#[utoipa::path(post, path = "/api/v1/cases/{id}/contacts", tag = "cases", params(("id" = i64, Path)),
    request_body = super::contacts::ContactInput,
    responses((status = 201, body = Contact), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn add_contact(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::contacts::ContactInput>,
) -> AppResult<(StatusCode, Json<Contact>)> {
    let created = super::contacts::record(&state.db, &viewer, id, &input, ip.0.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(contact_json(created, false))))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConsentInput {
    /// given or withdrawn
    pub consent: String,
}

/// Record a party's consent given or withdrawn. A withdrawal cancels every proposed or
/// confirmed conference of the case in the same transaction (the facilitators are told).
#[utoipa::path(post, path = "/api/v1/parties/{id}/consent", tag = "cases", params(("id" = i64, Path)), request_body = ConsentInput,
    responses((status = 200, body = Party), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn record_consent(
    State(state): State<AppState>,
    RequireUser(actor): RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ConsentInput>,
) -> AppResult<Json<Party>> {
    let found = workable_party(&state, &actor, id).await?;
    let to = match entity::party::Consent::from_code(input.consent.trim()) {
        Some(to @ (entity::party::Consent::Given | entity::party::Consent::Withdrawn)) => to,
        _ => return Err(AppError::field("consent", "Send given or withdrawn.")),
    };
    let updated = service::record_consent(&state.db, &state.settings.base_url, &actor, found.case_id, id, to).await?;
    Ok(Json(party_json(updated)))
}

/// The party, if `viewer` may work its case; 404 otherwise.
async fn workable_party(state: &AppState, viewer: &crate::web::identity::AuthUser, id: i64) -> AppResult<party::Model> {
    let found = service::party(&state.db, id).await?.ok_or(AppError::NotFound)?;
    service::workable(&state.db, viewer, found.case_id).await?;
    Ok(found)
}

/// Change a party's name or contact details: coordinators and the case's allocated facilitators.
#[utoipa::path(patch, path = "/api/v1/parties/{id}", tag = "cases", params(("id" = i64, Path)), request_body = service::PartyPatch,
    responses((status = 200, body = Party), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn update_party(
    State(state): State<AppState>,
    RequireUser(actor): RequireUser,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<service::PartyPatch>,
) -> AppResult<Json<Party>> {
    workable_party(&state, &actor, id).await?;
    Ok(Json(party_json(service::update_party(&state.db, &actor, id, &patch).await?)))
}

/// A party's weekly availability: conferences are booked only inside these windows.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct PartyAvailability {
    /// Weekly windows, UK wall-clock; none means any time the regime allows.
    pub windows: Vec<crate::establishments::service::WindowSpec>,
}

/// A party's weekly availability: coordinators and the case's allocated facilitators.
#[utoipa::path(get, path = "/api/v1/parties/{id}/availability", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = PartyAvailability), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn party_availability(
    State(state): State<AppState>,
    RequireUser(actor): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<PartyAvailability>> {
    workable_party(&state, &actor, id).await?;
    Ok(Json(PartyAvailability { windows: service::party_availability(&state.db, id).await? }))
}

/// Replace a party's weekly availability.
#[utoipa::path(put, path = "/api/v1/parties/{id}/availability", tag = "cases", params(("id" = i64, Path)), request_body = PartyAvailability,
    responses((status = 200, body = PartyAvailability), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn set_party_availability(
    State(state): State<AppState>,
    RequireUser(actor): RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PartyAvailability>,
) -> AppResult<Json<PartyAvailability>> {
    workable_party(&state, &actor, id).await?;
    let windows = service::set_party_availability(&state.db, &actor, id, &input.windows).await?;
    Ok(Json(PartyAvailability { windows }))
}
