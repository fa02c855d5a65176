//! Each user's choice of reminder kinds: a page of checkboxes (works without JS, CSRF-checked).

use std::collections::HashMap;

use axum::extract::{Form, State};
use axum::response::Response;
use entity::email_opt_out;
use entity::user::Role;
use maud::{Markup, html};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::reminders::{PREFERENCES_PATH, kinds_for, opted_out};
use crate::auth::RequireUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

/// Replaces the user's opt-outs among the kinds their role gets: every such kind not in
/// `wanted`. Kinds of another role are left alone (a volunteer made coordinator later starts
/// with the coordinators' reminders on).
pub async fn save(db: &impl ConnectionTrait, user_id: i64, role: Role, wanted: &[&str]) -> Result<(), DbErr> {
    let offered: Vec<&str> = kinds_for(role).map(|(kind, _)| kind).collect();
    email_opt_out::Entity::delete_many()
        .filter(email_opt_out::Column::UserId.eq(user_id))
        .filter(email_opt_out::Column::Kind.is_in(offered.iter().copied()))
        .exec(db)
        .await?;
    for kind in offered.iter().filter(|kind| !wanted.contains(kind)) {
        let row = email_opt_out::ActiveModel {
            user_id: Set(user_id),
            kind: Set((*kind).to_owned()),
            created_at: Set(crate::clock::now()),
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
    let mut choices = Vec::new();
    for (kind, label) in kinds_for(user.role) {
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
    let wanted: Vec<&str> =
        kinds_for(user.role).map(|(kind, _)| kind).filter(|kind| form.contains_key(*kind)).collect();
    let txn = crate::db::begin_write(&state.db).await?;
    save(&txn, user.id, user.role, &wanted).await?;
    txn.commit().await?;
    Ok(flash::redirect(PREFERENCES_PATH, FlashKind::Success, "Your email preferences are saved."))
}
