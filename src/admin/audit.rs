//! The admin's audit log page: filter by person, case, action and London dates; 50 a page.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
use maud::html;

use crate::audit::{self, AuditFilter};
use crate::auth::RequireAdmin;
use crate::domain::time::{london_display, london_to_utc};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary};
use crate::web::layout::{PageContext, page};

const FIELDS: [&str; 5] = ["person", "case", "action", "from", "to"];

/// The start of a London date, as UTC.
fn london_midnight(date: NaiveDate) -> Option<chrono::DateTime<chrono::Utc>> {
    london_to_utc(date.and_hms_opt(0, 0, 0)?)
}

fn parse_date(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.insert(field.to_owned(), "Enter a date like 2027-03-01.".to_owned());
    }
    parsed
}

/// The filter the query asks for, or the messages explaining what is wrong with it.
fn parse_filter(query: &HashMap<String, String>) -> (AuditFilter, u64, FieldErrors) {
    let text = |key: &str| query.get(key).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut errors = FieldErrors::new();
    let from = parse_date(&text("from").unwrap_or_default(), "from", &mut errors);
    let to = parse_date(&text("to").unwrap_or_default(), "to", &mut errors);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.insert("to".to_owned(), "The end date must not be before the start date.".to_owned());
    }
    let page = match text("page") {
        None => 1,
        Some(raw) => raw.parse::<u64>().ok().filter(|p| *p >= 1).unwrap_or_else(|| {
            errors.insert("page".to_owned(), "The page must be a whole number from 1.".to_owned());
            1
        }),
    };
    let filter = AuditFilter {
        person: text("person"),
        case: text("case"),
        action: text("action"),
        from: from.and_then(london_midnight),
        // The end date is inclusive: up to the next London midnight.
        until: to.and_then(|d| d.checked_add_days(Days::new(1))).and_then(london_midnight),
    };
    (filter, page, errors)
}

fn link_to_page(query: &HashMap<String, String>, page: u64) -> String {
    let mut pairs: Vec<(&str, String)> =
        FIELDS.iter().filter_map(|key| query.get(*key).filter(|v| !v.is_empty()).map(|v| (*key, v.clone()))).collect();
    pairs.push(("page", page.to_string()));
    format!("/admin/audit?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

pub async fn list(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
    ctx: PageContext,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let (filter, page_number, errors) = parse_filter(&query);
    let value = |key: &str| query.get(key).map(String::as_str).unwrap_or_default();
    let form = html! {
        (error_summary(&errors))
        form method="get" action="/admin/audit" class="filters" {
            (Input { value: value("person"), hint: Some("Part of an email, or an account number."), ..Input::new("person", "Person") }.render(&errors))
            (Input { value: value("case"), hint: Some("A case reference such as RJ-2027-0042."), ..Input::new("case", "Case") }.render(&errors))
            (Input { value: value("action"), hint: Some("An action such as case.viewed, or a prefix such as login."), ..Input::new("action", "Action") }.render(&errors))
            (Input { kind: "date", value: value("from"), ..Input::new("from", "From (date)") }.render(&errors))
            (Input { kind: "date", value: value("to"), ..Input::new("to", "To (date, inclusive)") }.render(&errors))
            button type="submit" { "Filter" }
        }
    };
    if !errors.is_empty() {
        let body = page(&ctx, "Audit log", html! { h1 { "Audit log" } (form) });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    }
    let (rows, pages) = audit::search(&state.db, &filter, page_number).await?;
    Ok(page(
        &ctx,
        "Audit log",
        html! {
            h1 { "Audit log" }
            p { "Every sign-in, refusal, change and read of a case record. The log can be read here but never changed." }
            (form)
            @if rows.is_empty() {
                p { "No entries match." }
            } @else {
                div class="table-wrap" role="region" aria-label="Audit entries" tabindex="0" { table {
                    caption { "Page " (page_number) " of " (pages) }
                    thead { tr { th scope="col" { "When (London)" } th scope="col" { "Who" } th scope="col" { "Action" } th scope="col" { "Record" } th scope="col" { "From" } th scope="col" { "Detail" } } }
                    tbody {
                        @for row in &rows {
                            tr {
                                td { (london_display(row.occurred_at)) }
                                td { (row.actor) }
                                td { code { (row.action) } }
                                td { @if let Some(kind) = &row.target_type { (kind) " " (row.target_id.as_deref().unwrap_or("")) } }
                                td { (row.ip.as_deref().unwrap_or("")) }
                                td { (row.detail.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                } }
            }
            nav aria-label="Pages" {
                @if page_number > 1 { a href=(link_to_page(&query, page_number - 1)) rel="prev" { "Newer" } " " }
                @if page_number < pages { a href=(link_to_page(&query, page_number + 1)) rel="next" { "Older" } }
            }
        },
    )
    .into_response())
}
