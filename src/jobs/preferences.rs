//! Each user's choice of reminder kinds: a page of checkboxes (works without JS, CSRF-checked).

use std::collections::HashMap;

use axum::extract::{Form, State};
use axum::response::Response;
use chrono::Utc;
use entity::email_opt_out;
use maud::{Markup, html};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::reminders::{KINDS, PREFERENCES_PATH, opted_out};
use crate::auth::RequireUser;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

/// Replaces the user's opt-outs: every kind not in `wanted`.
pub async fn save(db: &impl ConnectionTrait, user_id: i64, wanted: &[&str]) -> Result<(), DbErr> {
    email_opt_out::Entity::delete_many().filter(email_opt_out::Column::UserId.eq(user_id)).exec(db).await?;
    for (kind, _) in KINDS.iter().filter(|(kind, _)| !wanted.contains(kind)) {
        let row = email_opt_out::ActiveModel {
            user_id: Set(user_id),
            kind: Set((*kind).to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        email_opt_out::Entity::insert(row).exec(db).await?;
    }
    Ok(())
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
) -> AppResult<Markup> {
    let mut choices = Vec::with_capacity(KINDS.len());
    for (kind, label) in KINDS {
        choices.push((kind, label, !opted_out(&state.db, user.id, kind).await?));
    }
    Ok(page(
        &ctx,
        "Email preferences",
        html! {
            h1 { "Email preferences" }
            p { "Choose the reminders you want by email. Emails about your application, bookings and claims always come." }
            form method="post" action=(PREFERENCES_PATH) {
                (csrf_field(&ctx))
                @for (kind, label, on) in &choices {
                    div class="field" {
                        input type="checkbox" id=(kind) name=(kind) value="on" checked[*on];
                        " "
                        label for=(kind) { (label) }
                    }
                }
                button type="submit" { "Save" }
            }
        },
    ))
}

pub async fn update(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let wanted: Vec<&str> = KINDS.iter().map(|(kind, _)| *kind).filter(|kind| form.contains_key(*kind)).collect();
    let txn = crate::db::begin_write(&state.db).await?;
    save(&txn, user.id, &wanted).await?;
    txn.commit().await?;
    Ok(flash::redirect(PREFERENCES_PATH, FlashKind::Success, "Your email preferences are saved."))
}
