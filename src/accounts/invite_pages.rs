//! Making accounts from the pages: admins and coordinators invite someone by name, email and
//! role (the account gets an emailed link to set its password); admins change staff roles.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entity::Code;
use entity::user::Role;
use maud::{Markup, html};
use serde::Deserialize;

use super::service::{self, Invite};
use crate::auth::{RequireAdmin, RequireCoordinator};
use crate::domain::{Email, capitalised};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, select};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::AuthUser;
use crate::web::layout::{PageContext, csrf_field, page};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub name: String,
    pub email: String,
    pub role: String,
}

fn role_options(actor: Role) -> Vec<(String, String)> {
    service::grantable(actor).iter().map(|role| (role.code(), capitalised(service::role_words(*role)))).collect()
}

fn invite_page(ctx: &PageContext, actor: &AuthUser, form: &InviteForm, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Invite someone",
        html! {
            h1 { "Invite someone" }
            p { "They get an email with a link to set their password; the link works once, for 14 days. Volunteers who applied online get theirs when their application is accepted." }
            (error_summary(errors))
            form method="post" action="/accounts/new" novalidate {
                (csrf_field(ctx))
                (Input { value: &form.name, autocomplete: Some("off"), required: true, ..Input::new("name", "Full name") }.render(errors))
                (Input { kind: "email", value: &form.email, autocomplete: Some("off"), required: true, ..Input::new("email", "Email address") }.render(errors))
                (select("role", "Role", &role_options(actor.role), &form.role, errors))
                button type="submit" { "Send invitation" }
            }
        },
    )
}

pub async fn invite_form(RequireCoordinator(actor): RequireCoordinator, ctx: PageContext) -> Markup {
    invite_page(&ctx, &actor, &InviteForm::default(), &FieldErrors::new())
}

pub async fn invite(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    ctx: PageContext,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&form.email).map_err(|reason| errors.insert("email".into(), reason.into())).ok();
    let role = Role::from_code(&form.role).filter(|role| service::grantable(actor.role).contains(role));
    if role.is_none() {
        errors.insert("role".into(), "Choose a role.".into());
    }
    if form.name.trim().is_empty() {
        errors.insert("name".into(), "Enter their name.".into());
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, invite_page(&ctx, &actor, &form, &errors)).into_response());
    };
    let invited = Invite { email, name: form.name.clone(), role };
    match service::invite(&state.db, &state.settings.base_url, &actor, invited).await {
        Ok(account) => {
            let back = if actor.role == Role::Admin { "/admin/accounts" } else { "/accounts/new" };
            let message = format!("Invitation sent to {}. The link works once, for 14 days.", account.email);
            Ok(flash::redirect(back, FlashKind::Success, message))
        }
        Err(AppError::Validation { fields, .. }) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, invite_page(&ctx, &actor, &form, &fields)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let Some(role) = Role::from_code(&form.role) else {
        return Ok(flash::redirect("/admin/accounts", FlashKind::Error, "Choose a role."));
    };
    match service::change_role(&state.db, &admin, id, role).await {
        Ok(()) => Ok(flash::redirect("/admin/accounts", FlashKind::Success, "Role changed.")),
        Err(AppError::Conflict(message)) => Ok(flash::redirect("/admin/accounts", FlashKind::Error, message)),
        Err(other) => Err(other),
    }
}
