//! The profile page (`/me`) with the calendar link: made or rotated by a CSRF-checked form,
//! shown once (only its hash is kept), with a subscribe link and short instructions for
//! Google, Outlook and Apple calendars. The dashboard's subscribe card lives here too.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use entity::Code;
use maud::{Markup, html};
use url::Url;

use super::{PUBLIC_FEED_PATH, service};
use crate::audit::{self, AuditEntry};
use crate::auth::RequireUser;
use crate::domain::time::london_display;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::identity::AuthUser;
use crate::web::layout::{PageContext, csrf_field, page};
use crate::web::links::Links;

/// The https and webcal addresses of a feed at `path`.
pub struct FeedLinks {
    pub https: String,
    pub webcal: String,
}

pub fn feed_links(base_url: &Url, path: &str) -> FeedLinks {
    let https = Links::new(base_url).to(path);
    let webcal = match https.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => https.clone(),
    };
    FeedLinks { https, webcal }
}

pub fn personal_path(token: &str) -> String {
    format!("/calendar/{token}.ics")
}

fn links(links: &FeedLinks) -> Markup {
    html! {
        p {
            a class="button" href=(links.webcal) { "Subscribe in your calendar app" }
        }
        p {
            label for="feed-url" { "Or copy this address:" }
            " "
            input id="feed-url" type="text" readonly value=(links.https) size="60";
        }
    }
}

fn instructions() -> Markup {
    html! {
        details {
            summary { "How to subscribe" }
            ul {
                li { strong { "Google Calendar" } " (on a computer): Other calendars, +, From URL; paste the address; Add calendar. It then shows on your phone too." }
                li { strong { "Outlook" } ": Add calendar, Subscribe from web; paste the address; Import." }
                li { strong { "Apple Calendar" } " (iPhone, iPad, Mac): tap Subscribe above, or File, New Calendar Subscription and paste the address." }
            }
            p { "Calendar apps refresh a subscription every few hours; Google can take up to a day." }
        }
    }
}

/// The dashboard's card: the public training feed always, and the way to the personal one.
pub fn subscribe_card(base_url: &Url, has_personal: bool) -> Markup {
    html! {
        section class="card" aria-labelledby="calendar" {
            h2 id="calendar" { "Calendar" }
            p { "See your dates in your own calendar app. Your private link shows your training, conferences, supervision and meetings; it never shows names or case details." }
            form method="get" action="/me" {
                button type="submit" {
                    @if has_personal { "Manage your private calendar link" } @else { "Get your private calendar link" }
                }
            }
            p { "Open training and information sessions, for anyone:" }
            (links(&feed_links(base_url, PUBLIC_FEED_PATH)))
            (instructions())
        }
    }
}

fn calendar_section(ctx: &PageContext, created: Option<DateTime<Utc>>, fresh: Option<&FeedLinks>) -> Markup {
    html! {
        section class="card" aria-labelledby="calendar" {
            h2 id="calendar" { "Your calendar link" }
            @if let Some(fresh) = fresh {
                p class="flash success" role="status" { "Here is your new private calendar link. Copy it or subscribe now: for your safety it is shown only this once." }
                (links(fresh))
                (instructions())
            } @else if let Some(created) = created {
                p { "You made a private calendar link on " (london_display(created)) ". It is shown only when it is made: if you have lost it, make a new one." }
            } @else {
                p { "You have no private calendar link yet." }
            }
            p { "Anyone with the link can see your dates (never names or case details). Making a new link stops the old one at once." }
            form method="post" action="/me/calendar-token" {
                (csrf_field(ctx))
                button type="submit" {
                    @if created.is_some() || fresh.is_some() { "Make a new link (the old one stops working)" } @else { "Make my calendar link" }
                }
            }
        }
    }
}

fn profile_page(
    ctx: &PageContext,
    user: &AuthUser,
    created: Option<DateTime<Utc>>,
    fresh: Option<&FeedLinks>,
) -> Markup {
    page(
        ctx,
        "Your profile",
        html! {
            h1 { "Your profile" }
            dl {
                dt { "Name" } dd { (user.name) }
                dt { "Email" } dd { (user.email) }
                dt { "Role" } dd { (user.role.code()) }
            }
            p { a href=(crate::jobs::reminders::PREFERENCES_PATH) { "Email preferences" } }
            (calendar_section(ctx, created, fresh))
        },
    )
}

pub async fn profile(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
) -> AppResult<Markup> {
    let created = service::token_created_at(&state.db, user.id).await?;
    Ok(profile_page(&ctx, &user, created, None))
}

/// Makes a new link and shows it once; the page is not stored by browsers or proxies.
pub async fn rotate(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
) -> AppResult<Response> {
    let (token, created) = rotate_audited(&state, &user).await?;
    let fresh = feed_links(&state.settings.base_url, &personal_path(&token));
    let mut response = profile_page(&ctx, &user, Some(created), Some(&fresh)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Rotates the user's token in one transaction with its audit entry (which never holds it).
pub async fn rotate_audited(state: &AppState, user: &AuthUser) -> AppResult<(String, DateTime<Utc>)> {
    let txn = crate::db::begin_write(&state.db).await?;
    let token = service::rotate(&txn, user.id).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(user.id),
            actor: &user.email,
            action: "calendar.token_rotated",
            target_type: Some("user"),
            target_id: Some(user.id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok((token, crate::clock::now()))
}
