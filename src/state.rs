//! What every request handler is given: the database, the settings, and what this instance
//! keeps in memory. Data the assembly (`app.rs`) fills in, so that this floor names no domain.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::{MatchedPath, Request};
use chrono::NaiveDate;
use entity::user::Role;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use url::Url;

use crate::config::Settings;
use crate::error::AppResult;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    /// Calendar feeds this instance has built, kept while the data they show is unchanged.
    pub feeds: Arc<KeptFeeds>,
    pub body_limits: Arc<BodyLimits>,
    pub guards: Guards,
}

impl AppState {
    pub fn new(db: DatabaseConnection, settings: Settings, body_limits: BodyLimits, guards: Guards) -> Self {
        Self {
            db,
            settings: Arc::new(settings),
            metrics: Arc::default(),
            feeds: Arc::default(),
            body_limits: Arc::new(body_limits),
            guards,
        }
    }
}

/// The future a guard returns: how many live bookings it stopped.
pub type GuardFuture<'a> = Pin<Box<dyn Future<Output = AppResult<usize>> + Send + 'a>>;

/// What the case room does, in the same transaction, when a room below it changes something a
/// live booking depends on. The assembly fills these in (`cases::guards`), so the rooms that
/// call them (establishments, checks) name no room above them.
#[derive(Clone, Copy)]
pub struct Guards {
    /// A closure was added at an establishment, from and to (London dates, inclusive).
    pub closure_added: for<'a> fn(&'a DatabaseTransaction, &'a Url, i64, NaiveDate, NaiveDate) -> GuardFuture<'a>,
    /// A volunteer's checks changed: stop what they are no longer cleared for.
    pub clearance_changed: for<'a> fn(&'a DatabaseTransaction, &'a Url, i64) -> GuardFuture<'a>,
}

/// The largest request body each route takes: `default`, except the routes listed.
#[derive(Clone, Debug)]
pub struct BodyLimits {
    pub default: usize,
    /// Route patterns (as matched, e.g. `/claims/{id}/receipts`) with their own limit.
    pub routes: Vec<(&'static str, usize)>,
}

/// Largest request body accepted where a route sets no other limit.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

impl Default for BodyLimits {
    fn default() -> Self {
        Self { default: MAX_BODY_BYTES, routes: Vec::new() }
    }
}

impl BodyLimits {
    pub fn for_request(&self, request: &Request) -> usize {
        let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
        route
            .and_then(|route| self.routes.iter().find(|(pattern, _)| *pattern == route))
            .map_or(self.default, |(_, limit)| *limit)
    }
}

/// Which feed: the public training feed, or a personal one by the SHA-256 of its token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FeedKey {
    Public,
    Token(String),
}

/// A feed as built: its bytes and ETag, with what it was built for — the database's feed
/// version, the London day, and the account's role (personal feeds).
pub struct KeptFeed {
    pub version: i64,
    pub day: NaiveDate,
    pub role: Option<Role>,
    pub etag: String,
    pub body: Bytes,
}

/// The feeds this instance has built, by key. `calendar::cache` decides what is still current.
#[derive(Default)]
pub struct KeptFeeds {
    kept: RwLock<HashMap<FeedKey, Arc<KeptFeed>>>,
}

impl KeptFeeds {
    pub fn get(&self, key: &FeedKey) -> Option<Arc<KeptFeed>> {
        self.kept.read().ok().and_then(|map| map.get(key).cloned())
    }

    pub fn keep(&self, key: FeedKey, feed: KeptFeed) {
        if let Ok(mut map) = self.kept.write() {
            map.insert(key, Arc::new(feed));
        }
    }

    pub fn forget(&self, key: &FeedKey) {
        if let Ok(mut map) = self.kept.write() {
            map.remove(key);
        }
    }
}
