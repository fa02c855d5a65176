//! The admin's settings page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::service::{self, MAX_TEXT_CHARS, ROLE_TEXTS};
use crate::auth::RequireAdmin;
use crate::db::begin_write;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::web::components::{FieldErrors, error_summary};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

fn form(ctx: &PageContext, values: &[(&str, &str, String)], errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Settings",
        html! {
            h1 { "Settings" }
            h2 { "The “Volunteer with us” page" }
            (error_summary(errors))
            form method="post" action="/admin/settings" {
                (csrf_field(ctx))
                @for (key, heading, value) in values {
                    @let id = key.replace('.', "_");
                    div class={ "field" @if errors.contains_key(&id) { " field-invalid" } } {
                        label for=(id) { (heading) }
                        @if let Some(message) = errors.get(&id) { p class="field-error" id={ (id) "-error" } { (message) } }
                        textarea id=(id) name=(key) rows="4" { (value) }
                    }
                }
                button type="submit" { "Save settings" }
            }
        },
    )
}

pub async fn edit(State(state): State<AppState>, RequireAdmin(_): RequireAdmin, ctx: PageContext) -> AppResult<Markup> {
    let values = service::role_texts(&state.db).await?;
    Ok(form(&ctx, &values, &FieldErrors::new()))
}

pub async fn save(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
    ctx: PageContext,
    Form(submitted): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let mut values = Vec::new();
    for (key, heading, _) in ROLE_TEXTS {
        let value = submitted.get(key).map(|v| v.trim().to_owned()).unwrap_or_default();
        let id = key.replace('.', "_");
        if value.is_empty() {
            errors.insert(id, format!("Enter the text for “{heading}”."));
        } else if value.chars().count() > MAX_TEXT_CHARS {
            errors.insert(id, format!("“{heading}” can be at most {MAX_TEXT_CHARS} characters."));
        }
        values.push((key, heading, value));
    }
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, form(&ctx, &values, &errors)).into_response());
    }
    let txn = begin_write(&state.db).await?;
    for (key, _, value) in &values {
        service::set(&txn, key, value).await?;
    }
    txn.commit().await?;
    Ok(flash::redirect("/admin/settings", FlashKind::Success, "Settings saved."))
}
