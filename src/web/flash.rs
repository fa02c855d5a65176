//! One-time messages shown on the page after a redirect ("Account disabled.").

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::append_cookie;
use crate::error::{AppError, AppResult};

pub const COOKIE: &str = "convene_flash";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

#[derive(Clone, Debug)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

impl Flash {
    fn encode(&self) -> String {
        let kind = match self.kind {
            FlashKind::Success => 's',
            FlashKind::Info => 'i',
            FlashKind::Error => 'e',
        };
        URL_SAFE_NO_PAD.encode(format!("{kind}{}", self.message))
    }

    /// Reads the cookie; anything malformed is ignored.
    pub fn decode(value: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut chars = text.chars();
        let kind = match chars.next()? {
            's' => FlashKind::Success,
            'i' => FlashKind::Info,
            'e' => FlashKind::Error,
            _ => return None,
        };
        let message: String = chars.take(300).collect();
        Some(Self { kind, message })
    }
}

/// A 303 redirect that shows `message` on the next page.
pub fn redirect(to: &str, kind: FlashKind, message: impl Into<String>) -> Response {
    let flash = Flash { kind, message: message.into() };
    let mut response = Redirect::to(to).into_response();
    let cookie = Cookie::build((COOKIE, flash.encode())).path("/").http_only(true).same_site(SameSite::Lax).build();
    append_cookie(&mut response, &cookie);
    response
}

/// Back to `back` after a form that has no page of its own to re-render: `done` on success;
/// a conflict, or invalid fields (their messages joined), as an error shown there. Any other
/// error is the caller's.
pub fn back_after<T>(result: AppResult<T>, back: &str, done: &str) -> AppResult<Response> {
    match result {
        Ok(_) => Ok(redirect(back, FlashKind::Success, done)),
        Err(AppError::Conflict(message)) => Ok(redirect(back, FlashKind::Error, message)),
        Err(AppError::Validation { fields, .. }) => {
            Ok(redirect(back, FlashKind::Error, fields.into_values().collect::<Vec<_>>().join(" ")))
        }
        Err(other) => Err(other),
    }
}
