//! The admin's settings page: the numbers the rules use, and the role description texts.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::service::{self, MAX_TEXT_CHARS, NUMBER_SETTINGS, ROLE_TEXTS};
use crate::audit::{self, AuditEntry};
use crate::auth::RequireAdmin;
use crate::db::begin_write;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::components::{FieldErrors, error_summary};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

/// What the form shows: each setting's key and current (or submitted) text.
type Values = HashMap<String, String>;

fn field_id(key: &str) -> String {
    key.replace('.', "_")
}

fn form(ctx: &PageContext, values: &Values, errors: &FieldErrors) -> Markup {
    let value = |key: &str| values.get(key).cloned().unwrap_or_default();
    page(
        ctx,
        "Settings",
        html! {
            h1 { "Settings" }
            (error_summary(errors))
            form method="post" action="/admin/settings" {
                (csrf_field(ctx))
                h2 { "Rules" }
                @for setting in NUMBER_SETTINGS {
                    @let id = field_id(setting.key);
                    div class={ "field" @if errors.contains_key(&id) { " field-invalid" } } {
                        label for=(id) { (setting.label) }
                        p class="hint" id={ (id) "-hint" } { "From " (setting.min) " to " (setting.max) "; default " (setting.default) "." }
                        @let error = errors.get(&id);
                        @if let Some(message) = error { p class="field-error" id={ (id) "-error" } { span class="visually-hidden" { "Error: " } (message) } }
                        input type="number" id=(id) name=(setting.key) value=(value(setting.key)) min=(setting.min) max=(setting.max) required
                            aria-describedby={ (id) "-hint" @if error.is_some() { " " (id) "-error" } }
                            aria-invalid=[error.map(|_| "true")];
                    }
                }
                h2 { "The “Volunteer with us” page" }
                @for (key, heading, _) in ROLE_TEXTS {
                    @let id = field_id(key);
                    div class={ "field" @if errors.contains_key(&id) { " field-invalid" } } {
                        label for=(id) { (heading) }
                        @let error = errors.get(&id);
                        @if let Some(message) = error { p class="field-error" id={ (id) "-error" } { span class="visually-hidden" { "Error: " } (message) } }
                        textarea id=(id) name=(key) rows="4" required maxlength=(MAX_TEXT_CHARS)
                            aria-describedby=[error.map(|_| format!("{id}-error"))]
                            aria-invalid=[error.map(|_| "true")] { (value(key)) }
                    }
                }
                button type="submit" { "Save settings" }
            }
        },
    )
}

async fn current(state: &AppState) -> AppResult<Values> {
    let mut values = Values::new();
    for setting in NUMBER_SETTINGS {
        values.insert(setting.key.to_owned(), service::number(&state.db, setting).await?.to_string());
    }
    for (key, _, text) in service::role_texts(&state.db).await? {
        values.insert(key.to_owned(), text);
    }
    Ok(values)
}

pub async fn edit(State(state): State<AppState>, RequireAdmin(_): RequireAdmin, ctx: PageContext) -> AppResult<Markup> {
    Ok(form(&ctx, &current(&state).await?, &FieldErrors::new()))
}

pub async fn save(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    ctx: PageContext,
    Form(submitted): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let mut values = Values::new();
    for setting in NUMBER_SETTINGS {
        let raw = submitted.get(setting.key).map(|v| v.trim().to_owned()).unwrap_or_default();
        match raw.parse::<i64>() {
            Ok(n) if (setting.min..=setting.max).contains(&n) => {}
            _ => {
                errors.insert(
                    field_id(setting.key),
                    format!("Enter a whole number from {} to {}.", setting.min, setting.max),
                );
            }
        }
        values.insert(setting.key.to_owned(), raw);
    }
    for (key, heading, _) in ROLE_TEXTS {
        let value = submitted.get(key).map(|v| v.trim().to_owned()).unwrap_or_default();
        if value.is_empty() {
            errors.insert(field_id(key), format!("Enter the text for “{heading}”."));
        } else if value.chars().count() > MAX_TEXT_CHARS {
            errors.insert(field_id(key), format!("“{heading}” can be at most {MAX_TEXT_CHARS} characters."));
        }
        values.insert(key.to_owned(), value);
    }
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, form(&ctx, &values, &errors)).into_response());
    }
    let before = current(&state).await?;
    let mut changed: Vec<&str> =
        values.iter().filter(|(key, value)| before.get(*key) != Some(*value)).map(|(key, _)| key.as_str()).collect();
    changed.sort_unstable();
    let txn = begin_write(&state.db).await?;
    for (key, value) in &values {
        service::set(&txn, key, value).await?;
    }
    if !changed.is_empty() {
        audit::record(
            &txn,
            AuditEntry {
                actor_user_id: Some(admin.id),
                actor: &admin.email,
                action: "settings.changed",
                target_type: Some("settings"),
                detail: Some(changed.join(",")),
                ..Default::default()
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(flash::redirect("/admin/settings", FlashKind::Success, "Settings saved."))
}
