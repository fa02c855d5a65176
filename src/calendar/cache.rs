//! Feeds served from memory. Each instance keeps every feed it has built — bytes and ETag —
//! with the database's feed version (a counter that triggers bump at the commit of any change
//! to a table a feed shows) and the London date it was built on. A request costs one indexed
//! lookup: the token's hash, joined to its account, with the current version beside it. When
//! both still match, the kept bytes are the answer (or a 304); otherwise the feed is rebuilt
//! and kept. The version lives in the database, so several instances on one PostgreSQL
//! database each notice the others' changes on the next request.

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use entity::user::Role;
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use url::Url;

use super::service::{self, Feed};
use crate::domain::time::london_today;
use crate::secrets::{constant_time_eq, sha256_hex};
use crate::state::{FeedKey, KeptFeed, KeptFeeds};

/// A built feed, ready to send.
#[derive(Clone)]
pub struct Built {
    pub etag: String,
    pub body: Bytes,
    /// A personal feed (private caching), not the public one.
    pub personal: bool,
}

impl From<&KeptFeed> for Built {
    fn from(kept: &KeptFeed) -> Self {
        Self { etag: kept.etag.clone(), body: kept.body.clone(), personal: kept.role.is_some() }
    }
}

/// What the one lookup found for a token: its account's id and role, and the feed version.
struct Lookup {
    user_id: i64,
    role: Role,
    version: i64,
}

/// The public training feed.
pub async fn public(
    kept: &KeptFeeds,
    db: &impl ConnectionTrait,
    base_url: &Url,
    now: DateTime<Utc>,
) -> Result<Built, DbErr> {
    let version = current_version(db).await?;
    get_or_build(kept, db, FeedKey::Public, version, None, base_url, now, |_| async { Ok(Feed::Public) }).await
}

/// A personal feed by its secret token; `None` when the token is not a live one.
pub async fn personal(
    kept: &KeptFeeds,
    db: &impl ConnectionTrait,
    token: &str,
    base_url: &Url,
    now: DateTime<Utc>,
) -> Result<Option<Built>, DbErr> {
    // A real token is 43 base64url characters: anything else is not looked up.
    if token.len() != 43 || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Ok(None);
    }
    let hash = sha256_hex(token);
    let Some(found) = lookup(db, &hash).await? else {
        // A rotated or revoked token: forget what was built for it.
        kept.forget(&FeedKey::Token(hash));
        return Ok(None);
    };
    let (user_id, role) = (found.user_id, found.role);
    let built =
        get_or_build(kept, db, FeedKey::Token(hash), found.version, Some(role), base_url, now, |db| async move {
            service::feed_for_account(db, user_id, role).await
        })
        .await?;
    Ok(Some(built))
}

#[allow(clippy::too_many_arguments)]
async fn get_or_build<'a, C, F, Fut>(
    kept: &KeptFeeds,
    db: &'a C,
    key: FeedKey,
    version: i64,
    role: Option<Role>,
    base_url: &Url,
    now: DateTime<Utc>,
    feed_of: F,
) -> Result<Built, DbErr>
where
    C: ConnectionTrait,
    F: FnOnce(&'a C) -> Fut,
    Fut: std::future::Future<Output = Result<Feed, DbErr>>,
{
    let day = london_today(now);
    if let Some(found) = kept.get(&key)
        && found.version == version
        && found.day == day
        && found.role == role
    {
        return Ok(Built::from(found.as_ref()));
    }
    let feed = feed_of(db).await?;
    // The feed is read in several queries: it is kept only when no change was committed
    // while they ran (the version is the same after as before), so the kept bytes are
    // one consistent state, labelled with that state's version.
    let mut version = version;
    let mut body = String::new();
    let mut consistent = false;
    for _ in 0..3 {
        body = crate::ics::render(feed.name(), &service::events(db, feed, base_url, now).await?);
        let after = current_version(db).await?;
        consistent = after == version;
        if consistent {
            break;
        }
        version = after;
    }
    // A strong ETag from the bytes themselves: equal on every instance for equal bytes.
    let etag = format!("\"{}\"", &sha256_hex(&body)[..32]);
    let built = Built { etag, body: Bytes::from(body), personal: feed.is_personal() };
    // Under a stream of changes the bytes are still served, just not kept.
    if consistent {
        let feed = KeptFeed { version, day, role, etag: built.etag.clone(), body: built.body.clone() };
        kept.keep(key, feed);
    }
    Ok(built)
}

async fn current_version(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT n FROM feed_version WHERE id = 1"))
        .await?;
    row.map_or(Ok(0), |row| row.try_get::<i64>("", "n"))
}

/// The token's live account (not disabled) and the feed version, in one indexed lookup.
async fn lookup(db: &impl ConnectionTrait, hash: &str) -> Result<Option<Lookup>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT t.token_hash, t.user_id, u.role, (SELECT n FROM feed_version WHERE id = 1) AS version \
             FROM calendar_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.disabled_at IS NULL"
        }
        _ => {
            "SELECT t.token_hash, t.user_id, u.role, (SELECT n FROM feed_version WHERE id = 1) AS version \
             FROM calendar_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = ? AND u.disabled_at IS NULL"
        }
    };
    let Some(row) = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [Value::from(hash)])).await? else {
        return Ok(None);
    };
    let stored: String = row.try_get("", "token_hash")?;
    if !constant_time_eq(&stored, hash) {
        return Ok(None);
    }
    Ok(Some(Lookup {
        user_id: row.try_get("", "user_id")?,
        role: row.try_get("", "role")?,
        version: row.try_get("", "version")?,
    }))
}
