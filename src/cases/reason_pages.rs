//! `/admin/reasons`: admins keep the lists of coded reasons (not proceeding, not held) —
//! add a reason, retire one that is no longer used, bring it back.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::reasons::{self, Kind, NewReason};
use crate::auth::RequireAdmin;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors, select};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

async fn reasons_page(
    state: &AppState,
    ctx: &PageContext,
    sent: &NewReason,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let mut lists = Vec::new();
    for kind in Kind::ALL {
        lists.push((kind, reasons::all(&state.db, kind).await?));
    }
    let kinds: Vec<(&str, &str)> = Kind::ALL.iter().map(|k| (k.as_str(), k.title())).collect();
    Ok(page(
        ctx,
        "Reasons",
        html! {
            h1 { "Reasons" }
            p { "The coded reasons coordinators choose from, so they can be counted in reports. “Other” is always offered and needs the reason in words." }
            @for (kind, codes) in &lists {
                h2 { (kind.title()) }
                ul class="slots" { @for c in codes {
                    li {
                        form method="post" action={ "/admin/reasons/" (c.id) } class="inline-form reason" {
                            (csrf_field(ctx))
                            span { (c.label) @if c.retired { " (retired)" } }
                            @if c.code != reasons::OTHER {
                                @if c.retired {
                                    button type="submit" name="retired" value="false" class="secondary" aria-label={ "Bring back: " (c.label) } { "Bring back" }
                                } @else {
                                    button type="submit" name="retired" value="true" class="secondary" aria-label={ "Retire: " (c.label) } { "Retire" }
                                }
                            }
                        }
                    }
                } }
            }
            h2 id="add" { "Add a reason" }
            (error_summary(errors))
            form method="post" action="/admin/reasons" novalidate {
                (csrf_field(ctx))
                (select("kind", "List", &kinds, &sent.kind, errors))
                (Input { value: &sent.label, required: true, ..Input::new("label", "Reason") }.render(errors))
                button type="submit" { "Add reason" }
            }
        },
    ))
}

pub async fn show(State(state): State<AppState>, RequireAdmin(_): RequireAdmin, ctx: PageContext) -> AppResult<Markup> {
    reasons_page(&state, &ctx, &NewReason::default(), &FieldErrors::new()).await
}

pub async fn add(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    ctx: PageContext,
    Form(input): Form<NewReason>,
) -> AppResult<Response> {
    match reasons::add(&state.db, &admin, &input).await {
        Ok(created) => Ok(flash::redirect("/admin/reasons", FlashKind::Success, format!("“{}” added.", created.label))),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, reasons_page(&state, &ctx, &input, &errors).await?).into_response())
        }
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RetireForm {
    pub retired: String,
}

pub async fn retire(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
    Form(form): Form<RetireForm>,
) -> AppResult<Response> {
    let retired = form.retired == "true";
    match reasons::set_retired(&state.db, &admin, id, retired).await {
        Ok(code) => {
            let done = if retired {
                format!("“{}” retired.", code.label)
            } else {
                format!("“{}” is offered again.", code.label)
            };
            Ok(flash::redirect("/admin/reasons", FlashKind::Success, done))
        }
        Err(AppError::Conflict(why)) => Ok(flash::redirect("/admin/reasons", FlashKind::Error, why)),
        Err(other) => Err(other),
    }
}
