//! Pages: a volunteer's "My expenses" (claims, a draft built item by item, receipts,
//! submitting) and the coordinators' queue with approve / reject / mark paid, and the CSV
//! export for finance.

use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::Code;
use entity::expense_claim::ExpenseStatus;
use entity::expense_item::{ExpenseKind, Vehicle};
use maud::{Markup, html};
use serde::Deserialize;

use super::input::{ItemInput, miles_text, parse_purpose};
use super::service::{self, ClaimView, DecisionInput, ListFilter};
use super::{csv, receipts};
use crate::auth::{RequireCoordinator, RequireUser};
use crate::domain::time::{london_display, long_date};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::field_errors;
use crate::web::components::{FieldErrors, Input, PageAt, error_summary, page_number, pager, search_field, select};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::AuthUser;
use crate::web::layout::{PageContext, csrf_field, page};

fn status_tag(status: ExpenseStatus) -> Markup {
    html! { span class={ "tag status-" (status.code()) } { (status.code()) } }
}

/// Claims a list page shows at once.
const PAGE_ROWS: u64 = 50;

fn claims_table(claims: &[ClaimView], show_volunteer: bool) -> Markup {
    html! {
        div class="table-wrap" role="region" aria-label="Claims" tabindex="0" { table {
            thead { tr { th { "Claim" } @if show_volunteer { th { "Volunteer" } } th { "For" } th { "Status" } th { "Total" } } }
            tbody {
                @for v in claims {
                    tr {
                        td { a href={ "/expenses/" (v.claim.id) } { (service::reference(v.claim.id)) } }
                        @if show_volunteer { td { (v.volunteer_name) } }
                        td { (v.claim.purpose) }
                        td { (status_tag(v.claim.status)) }
                        td { (v.total) @if v.total_is_estimate { " (estimate)" } }
                    }
                }
            }
        } }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewClaimForm {
    pub purpose: String,
}

async fn list_page(
    state: &AppState,
    ctx: &PageContext,
    user: &AuthUser,
    filter: &ListFilter,
    page_at: u64,
    form: &NewClaimForm,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let paging = crate::db::Paging { page: page_at, per_page: PAGE_ROWS };
    let listed = service::page_visible(&state.db, user, filter, paging).await?;
    let claims = &listed.items;
    let kept = serde_urlencoded::to_string([(
        "status",
        if filter.status.is_empty() { "all" } else { filter.status.as_str() },
    )])
    .unwrap_or_default();
    if user.role.is_coordinator() {
        return Ok(page(
            ctx,
            "Expense claims",
            html! {
                h1 { "Expense claims" }
                nav aria-label="Filter claims" {
                    ul class="inline" {
                        @for s in ExpenseStatus::ALL {
                            li { a href={ "/expenses?status=" (s.code()) } aria-current=[(filter.status == s.code()).then_some("page")] { (s.code()) } }
                        }
                        li { a href="/expenses?status=all" { "all" } }
                    }
                }
                form method="get" action="/expenses" class="filters" {
                    input type="hidden" name="status" value=(if filter.status.is_empty() { "all" } else { filter.status.as_str() });
                    (search_field("q", "Claim or volunteer", &filter.q))
                    div class="field" {
                        label for="sort" { "Order" }
                        select id="sort" name="sort" {
                            option value="" { "Newest first" }
                            option value="oldest" selected[filter.sort == "oldest"] { "Oldest first" }
                        }
                    }
                    button type="submit" class="secondary" { "Search" }
                }
                p { a href="/expenses.csv" download { "Download approved claims for finance (CSV)" } }
                @if claims.is_empty() { p { "No claims here." } } @else { (claims_table(claims, true)) (pager("/expenses", &kept, &listed.info)) }
            },
        ));
    }
    Ok(page(
        ctx,
        "My expenses",
        html! {
            h1 { "My expenses" }
            p { "Claim what volunteering costs you: mileage at HMRC rates, fares, parking and subsistence. Attach receipts where you have them." }
            @if claims.is_empty() { p { "You have no claims yet." } } @else { (claims_table(claims, false)) (pager("/expenses", "", &listed.info)) }
            h2 { "Start a claim" }
            (error_summary(errors))
            form method="post" action="/expenses" novalidate {
                (csrf_field(ctx))
                (Input { value: &form.purpose, required: true, hint: Some("For example “Core training, March”. Do not name anyone involved in a case."), ..Input::new("purpose", "What is the claim for?") }.render(errors))
                button type="submit" { "Start claim" }
            }
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Query(mut filter): Query<ListFilter>,
    Query(at): Query<PageAt>,
) -> AppResult<Markup> {
    // Coordinators land on the queue of claims waiting for a decision; `all` lists every one.
    if user.role.is_coordinator() {
        match filter.status.trim() {
            "" => filter.status = ExpenseStatus::Submitted.code(),
            "all" => filter.status.clear(),
            _ => {}
        }
    }
    list_page(&state, &ctx, &user, &filter, page_number(&at.page), &NewClaimForm::default(), &FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Form(form): Form<NewClaimForm>,
) -> AppResult<Response> {
    let purpose = match parse_purpose(&form.purpose) {
        Ok(purpose) => purpose,
        Err(message) => {
            let errors = FieldErrors::from([("purpose".to_owned(), message.to_owned())]);
            let markup = list_page(&state, &ctx, &user, &ListFilter::default(), 1, &form, &errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
        }
    };
    let claim = service::create(&state.db, &user, &super::input::NewClaim { purpose, items: Vec::new() }).await?;
    Ok(flash::redirect(&format!("/expenses/{}", claim.id), FlashKind::Success, "Claim started. Add its items."))
}

fn item_form(ctx: &PageContext, claim_id: i64, input: &ItemInput, errors: &FieldErrors) -> Markup {
    let kinds: Vec<(String, &str)> = ExpenseKind::ALL.iter().map(|k| (k.code(), k.label())).collect();
    let vehicles: Vec<(String, &str)> = Vehicle::ALL.iter().map(|v| (v.code(), v.label())).collect();
    html! {
        h2 { "Add an item" }
        (error_summary(errors))
        form method="post" action={ "/expenses/" (claim_id) "/items" } novalidate {
            (csrf_field(ctx))
            (select("kind", "Kind of expense", &kinds, &input.kind, errors))
            (Input { kind: "date", value: &input.date, required: true, hint: Some("The date of the journey or of the spending, for example 2027-03-02."), ..Input::new("date", "Date") }.render(errors))
            (Input { value: &input.description, required: true, hint: Some("For a journey: from and to. Otherwise: what you paid for."), ..Input::new("description", "Description") }.render(errors))
            fieldset {
                legend { "For mileage" }
                (Input { value: &input.miles, hint: Some("Business miles, with at most one decimal place, for example 12.5."), ..Input::new("miles", "Miles") }.render(errors))
                (select("vehicle", "Vehicle", &vehicles, &input.vehicle, errors))
                (Input { kind: "number", value: &input.passengers, hint: Some("Colleagues you carried on the same business journey (car or van), 0 to 9."), ..Input::new("passengers", "Passengers") }.render(errors))
            }
            fieldset {
                legend { "For anything else" }
                (Input { value: &input.amount, hint: Some("In pounds and pence, for example 4.50."), ..Input::new("amount", "Amount (£)") }.render(errors))
            }
            button type="submit" { "Add item" }
        }
    }
}

async fn claim_page(
    state: &AppState,
    ctx: &PageContext,
    user: &AuthUser,
    id: i64,
    input: &ItemInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let claim = service::find_visible(&state.db, user, id).await?.ok_or(AppError::NotFound)?;
    let v = service::view(&state.db, claim).await?;
    let own = !user.role.is_coordinator()
        || service::own_volunteer(&state.db, user).await.is_ok_and(|o| o.id == v.claim.volunteer_id);
    let editable = own && v.claim.status == ExpenseStatus::Draft;
    let c = &v.claim;
    Ok(page(
        ctx,
        &service::reference(c.id),
        html! {
            p { a href="/expenses" { "Back to expenses" } }
            h1 { "Expense claim " (service::reference(c.id)) }
            p { (c.purpose) " — " (status_tag(c.status)) }
            @if user.role.is_coordinator() { p { "Volunteer: " (v.volunteer_name) } }
            @if let Some(reason) = &c.decision_reason { p { "Reason: " (reason) } }
            @if v.items.is_empty() { p { "No items yet." } } @else {
                div class="table-wrap" role="region" aria-label="Items" tabindex="0" { table {
                    thead { tr { th { "Date" } th { "Kind" } th { "Description" } th { "Details" } th { "Amount" } @if editable { th { span class="visually-hidden" { "Actions" } } } } }
                    tbody {
                        @for i in &v.items {
                            tr {
                                td { (long_date(i.item.incurred_on)) }
                                td { (i.item.kind.label()) }
                                td { (i.item.description) }
                                td {
                                    @if let (Some(tenths), Some(vehicle)) = (i.item.miles_tenths, i.item.vehicle) {
                                        (miles_text(tenths)) " miles, " (vehicle.label())
                                        @if let Some(p) = i.item.passengers.filter(|p| *p > 0) { ", " (p) " passenger(s)" }
                                    }
                                }
                                td { (i.amount) @if i.is_estimate { " (estimate)" } }
                                @if editable {
                                    td {
                                        form method="post" action={ "/expenses/" (c.id) "/items/" (i.item.id) "/delete" } {
                                            (csrf_field(ctx))
                                            button type="submit" class="link" { "Remove" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    tfoot { tr { th colspan="4" { "Total" } td { (v.total) @if v.total_is_estimate { " (estimate: mileage is priced when the claim is approved)" } } } }
                } }
            }
            h2 { "Receipts" }
            @if v.receipts.is_empty() { p { "No receipts attached." } }
            ul {
                @for r in &v.receipts {
                    li { a href={ "/expenses/" (c.id) "/receipts/" (r.id) } { (r.display_name) } " (" (r.size_bytes / 1024) " KB)" }
                }
            }
            @if editable {
                // Without JavaScript a multipart form cannot send a header, so the CSRF
                // token travels as the form's first field; the middleware reads it there.
                form method="post" action={ "/expenses/" (c.id) "/receipts" } enctype="multipart/form-data" {
                    (csrf_field(ctx))
                    div class={ "field" @if errors.contains_key("file") { " field-invalid" } } {
                        label for="file" { "Attach a receipt" }
                        p class="hint" id="file-hint" { "A PDF, JPEG or PNG of at most " (receipts::MAX_RECEIPT_BYTES / 1024 / 1024) " MB." }
                        @if let Some(message) = errors.get("file") { p class="field-error" id="file-error" { (message) } }
                        input type="file" id="file" name="file" accept="application/pdf,image/jpeg,image/png" aria-describedby="file-hint";
                    }
                    button type="submit" { "Upload receipt" }
                }
                (item_form(ctx, c.id, input, errors))
                h2 { "Submit" }
                @if let Some(message) = errors.get("items") { p class="field-error" { (message) } }
                form method="post" action={ "/expenses/" (c.id) "/submit" } {
                    (csrf_field(ctx))
                    p { "Once submitted, the claim cannot be changed." }
                    button type="submit" { "Submit claim" }
                }
            }
            @if user.role.is_coordinator() && matches!(c.status, ExpenseStatus::Submitted | ExpenseStatus::Approved) {
                h2 { "Decision" }
                (error_summary(errors))
                @if c.status == ExpenseStatus::Submitted {
                    form method="post" action={ "/expenses/" (c.id) "/decision" } {
                        (csrf_field(ctx))
                        input type="hidden" name="decision" value="approve";
                        button type="submit" { "Approve" }
                    }
                    form method="post" action={ "/expenses/" (c.id) "/decision" } {
                        (csrf_field(ctx))
                        input type="hidden" name="decision" value="reject";
                        (Input { hint: Some("The volunteer will see this."), ..Input::new("reason", "Reason for rejecting") }.render(errors))
                        button type="submit" class="secondary" { "Reject" }
                    }
                } @else {
                    @if let Some(at) = c.decided_at { p { "Approved " (london_display(at)) "." } }
                    form method="post" action={ "/expenses/" (c.id) "/decision" } {
                        (csrf_field(ctx))
                        input type="hidden" name="decision" value="paid";
                        button type="submit" { "Mark paid" }
                    }
                }
            }
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    claim_page(&state, &ctx, &user, id, &ItemInput::default(), &FieldErrors::new()).await
}

/// Re-renders the claim with the submitted values and a message per field.
async fn rerender(
    state: &AppState,
    ctx: &PageContext,
    user: &AuthUser,
    id: i64,
    input: &ItemInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, claim_page(state, ctx, user, id, input, errors).await?).into_response())
}

pub async fn add_item(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<ItemInput>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let parsed = input.parse(crate::clock::today(), "", &mut errors);
    let item = match parsed {
        Some(item) if errors.is_empty() => item,
        _ => return rerender(&state, &ctx, &user, id, &input, &errors).await,
    };
    match service::add_item(&state.db, &user, id, &item).await {
        Ok(_) => Ok(flash::redirect(&format!("/expenses/{id}"), FlashKind::Success, "Item added.")),
        Err(error) => {
            let errors = field_errors(error)?;
            rerender(&state, &ctx, &user, id, &input, &errors).await
        }
    }
}

pub async fn remove_item(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path((id, item_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    service::remove_item(&state.db, &user, id, item_id).await?;
    Ok(flash::redirect(&format!("/expenses/{id}"), FlashKind::Success, "Item removed."))
}

pub async fn submit(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    match service::submit(&state.db, &user, id).await {
        Ok(_) => {
            Ok(flash::redirect(&format!("/expenses/{id}"), FlashKind::Success, "Claim submitted to the coordinators."))
        }
        Err(error) => {
            let errors = field_errors(error)?;
            rerender(&state, &ctx, &user, id, &ItemInput::default(), &errors).await
        }
    }
}

pub async fn upload_receipt(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let result = match super::read_upload(multipart).await {
        Ok(upload) => service::add_receipt(&state.db, &state.settings.files_dir, &user, id, upload).await.map(drop),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(flash::redirect(&format!("/expenses/{id}"), FlashKind::Success, "Receipt attached.")),
        Err(error) => {
            let errors = field_errors(error)?;
            rerender(&state, &ctx, &user, id, &ItemInput::default(), &errors).await
        }
    }
}

pub async fn download_receipt(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path((id, receipt_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (receipt, bytes) = service::receipt_file(&state.db, &state.settings.files_dir, &user, id, receipt_id).await?;
    Ok(super::attachment(&receipt, bytes))
}

pub async fn decide(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<DecisionInput>,
) -> AppResult<Response> {
    match service::decide(&state.db, &state.settings.base_url, &actor, id, &input).await {
        Ok(claim) => Ok(flash::redirect(
            &format!("/expenses/{id}"),
            FlashKind::Success,
            format!("Claim {} is now {}.", service::reference(id), claim.status.code()),
        )),
        Err(error) => {
            let errors = field_errors(error)?;
            rerender(&state, &ctx, &actor, id, &ItemInput::default(), &errors).await
        }
    }
}

pub async fn export_csv(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
) -> AppResult<Response> {
    let claims = service::approved_for_payment(&state.db).await?;
    let body = csv::approved_claims(&claims)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"approved-expenses.csv\""),
        ],
        body,
    )
        .into_response())
}
