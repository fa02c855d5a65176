//! Recording a conference's outcome from its page (coordinators and the lead facilitator,
//! once it has started): held or not (with the coded reason), notes, and the outcome
//! agreement's actions — what, who owes it, by when. A refused form comes back with what was
//! typed and a message per field.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::conferences::{self, ActionInput, OutcomeInput};
use super::reasons::{self, Kind};
use crate::auth::RequireUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors, select, textarea};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field};

/// Rows offered for the outcome agreement's actions.
pub const ACTION_ROWS: usize = 4;

/// What the outcome form sent (or nothing yet).
#[derive(Clone, Debug, Default)]
pub struct OutcomeForm {
    pub fields: HashMap<String, String>,
    pub errors: FieldErrors,
}

impl OutcomeForm {
    fn value(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn input(&self) -> OutcomeInput {
        let actions = (1..=ACTION_ROWS)
            .map(|n| ActionInput {
                description: self.value(&format!("action_{n}_description")).to_owned(),
                owner: self.value(&format!("action_{n}_owner")).to_owned(),
                due_on: self.value(&format!("action_{n}_due")).to_owned(),
            })
            .filter(|a| !(a.description.trim().is_empty() && a.owner.trim().is_empty() && a.due_on.trim().is_empty()))
            .collect();
        OutcomeInput {
            held: self.value("held") == "yes",
            not_held_code: Some(self.value("not_held_code").to_owned()),
            notes: self.value("notes").to_owned(),
            actions,
        }
    }
}

/// The outcome form on a started, confirmed conference's page.
pub fn section(ctx: &PageContext, id: i64, form: &OutcomeForm, codes: &[(String, String)]) -> Markup {
    let errors = &form.errors;
    let codes: Vec<(&str, &str)> = codes.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect();
    html! {
        h2 id="outcome" { "Record the outcome" }
        (error_summary(errors))
        form method="post" action={ "/conferences/" (id) "/outcome" } novalidate {
            (csrf_field(ctx))
            (select("held", "Was the conference held?", &[("yes", "Yes, it was held"), ("no", "No, it did not go ahead")], form.value("held"), errors))
            (select("not_held_code", "If not, why not", &codes, form.value("not_held_code"), errors))
            (textarea("notes", "Notes (not shared with the referrer)", form.value("notes"), errors))
            fieldset {
                legend { "The outcome agreement: what each party agreed to do" }
                p class="hint" { "Leave a row empty if there are fewer actions." }
                @for n in 1..=ACTION_ROWS {
                    @let description = format!("action_{n}_description");
                    @let owner = format!("action_{n}_owner");
                    @let due = format!("action_{n}_due");
                    div class="card" {
                        (Input { value: form.value(&description), ..Input::new(&description, &format!("Action {n}: what")) }.render(errors))
                        (Input { value: form.value(&owner), hint: Some("A party, a facilitator or the service."), ..Input::new(&owner, &format!("Action {n}: who owes it")) }.render(errors))
                        (Input { kind: "date", value: form.value(&due), ..Input::new(&due, &format!("Action {n}: due by")) }.render(errors))
                    }
                }
            }
            button type="submit" { "Record outcome" }
        }
    }
}

/// The codes for "not held".
pub async fn codes(state: &AppState) -> AppResult<Vec<(String, String)>> {
    Ok(reasons::offered(&state.db, Kind::NotHeld).await?)
}

pub async fn record(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut form = OutcomeForm { fields, errors: FieldErrors::new() };
    if form.value("held").is_empty() {
        form.errors.insert("held".into(), "Say whether the conference was held.".into());
        let page = super::response_pages::conference_page(&state, &ctx, &viewer, id, &form).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let back = format!("/conferences/{id}");
    match conferences::record_outcome(&state.db, &viewer, id, &form.input()).await {
        Ok(updated) => {
            let done = if updated.status == entity::conference::ConferenceStatus::Held {
                "Outcome recorded: the conference was held."
            } else {
                "Outcome recorded: the conference did not go ahead. The case is ready to book again."
            };
            Ok(flash::redirect(&back, FlashKind::Success, done))
        }
        Err(AppError::Conflict(why)) => Ok(flash::redirect(&back, FlashKind::Error, why)),
        Err(AppError::Forbidden) => Err(AppError::NotFound),
        Err(error) => {
            // Action i of what was sent is row i + 1 of the form among the rows filled in.
            let filled: Vec<usize> = (1..=ACTION_ROWS)
                .filter(|n| {
                    ["description", "owner", "due"]
                        .iter()
                        .any(|f| !form.value(&format!("action_{n}_{f}")).trim().is_empty())
                })
                .collect();
            form.errors = field_errors(error)?
                .into_iter()
                .map(|(k, v)| {
                    let row = k
                        .strip_prefix("actions[")
                        .and_then(|r| r.strip_suffix(']'))
                        .and_then(|i| i.parse::<usize>().ok());
                    match row.and_then(|i| filled.get(i)) {
                        Some(n) => (format!("action_{n}_description"), v),
                        None => (k, v),
                    }
                })
                .collect();
            let page = super::response_pages::conference_page(&state, &ctx, &viewer, id, &form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
