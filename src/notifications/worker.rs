//! The delivery worker: claims due outbox rows under a lease, sends them, records what happened.
//!
//! A claim is a conditional UPDATE per row (`… WHERE id = ? AND status = 'queued' AND the lease
//! is free`) that counts only when it changed exactly one row, so two workers, in one process or
//! on two hosts sharing PostgreSQL, never both hold a row. A worker that dies mid-send leaves
//! its rows leased; when the lease runs out another worker takes them again, so no row is lost
//! and at most the rows that were in flight are sent twice.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::outbox_message::{self, Column, OutboxStatus};
use futures_util::StreamExt;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::{mpsc, watch};

use super::smtp::{Delivery, Mailer};
use crate::db::begin_write;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub claimed: usize,
    pub sent: usize,
    /// Temporary failures put back in the queue for later.
    pub retrying: usize,
    /// Permanent failures, and temporary ones that ran out of retries.
    pub failed: usize,
}

/// Rows claimed by a worker and not yet recorded.
pub struct Claimed {
    pub rows: Vec<outbox_message::Model>,
}

pub struct Worker {
    db: DatabaseConnection,
    mailer: Mailer,
    batch_size: u64,
    lease: TimeDelta,
    concurrency: usize,
}

/// The most results one commit records; also the most that can wait for a commit, so a
/// crash re-sends at most this many besides the sends in flight.
pub const RECORD_GROUP: usize = 64;

/// Attempts before a temporary failure becomes permanent: with `retry_delay` the retries
/// span about 24 hours.
pub const MAX_ATTEMPTS: i32 = 14;

/// The wait after the `attempts`-th failed try: 1, 2, 4 … minutes, at most 4 hours apart;
/// `None` once the attempts are used up. 1+2+…+128 minutes plus five 4-hour waits ≈ 24¼ hours.
pub fn retry_delay(attempts: i32) -> Option<TimeDelta> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exponent = Ord::min(u32::try_from(attempts - 1).unwrap_or(0), 16);
    Some(TimeDelta::minutes(Ord::min(1_i64 << exponent, 240)))
}

/// ±20%, so rows that failed together (a server outage) do not all return at the same second.
fn with_jitter(delay: TimeDelta) -> TimeDelta {
    let factor = 0.8 + 0.4 * fastrand::f64();
    TimeDelta::milliseconds((delay.num_milliseconds() as f64 * factor) as i64)
}

impl Worker {
    pub fn new(db: DatabaseConnection, mailer: Mailer) -> Self {
        // The lease must outlast the slowest batch: 100 rows, 8 at a time, 20 s timeout each.
        Self { db, mailer, batch_size: 100, lease: TimeDelta::minutes(10), concurrency: 8 }
    }

    pub fn with_batch_size(mut self, batch_size: u64) -> Self {
        self.batch_size = Ord::max(batch_size, 1);
        self
    }

    pub fn lease(&self) -> TimeDelta {
        self.lease
    }

    /// Claims up to a batch of due rows, sends them and records each result.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<Report, DbErr> {
        let claimed = self.claim(now).await?;
        self.deliver(claimed, now).await
    }

    /// Leases up to a batch of due rows to this worker (and counts the attempt), in three
    /// statements whatever the batch size: read the due rows, lease them, and (only if
    /// someone raced us) read back which are ours.
    pub async fn claim(&self, now: DateTime<Utc>) -> Result<Claimed, DbErr> {
        let free = Condition::any().add(Column::LockedUntil.is_null()).add(Column::LockedUntil.lt(now));
        let until = now + self.lease;
        // On SQLite begin_write takes the write lock, so claimers queue and nothing can change
        // the rows between the read and the lease; on PostgreSQL the read locks them (SKIP
        // LOCKED passes over rows another claimer holds). The lease is still conditional, so
        // a row is never taken from under a live lease either way.
        let txn = begin_write(&self.db).await?;
        let mut rows: Vec<outbox_message::Model> = outbox_message::Entity::find()
            .filter(Column::Status.eq(OutboxStatus::Queued))
            .filter(Column::SendAfter.lte(now))
            .filter(free.clone())
            .order_by_asc(Column::SendAfter)
            .order_by_asc(Column::Id)
            .limit(self.batch_size)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            txn.commit().await?;
            return Ok(Claimed { rows });
        }
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let leased = outbox_message::Entity::update_many()
            .col_expr(Column::LockedUntil, Expr::value(until))
            .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
            .filter(Column::Id.is_in(ids.clone()))
            .filter(Column::Status.eq(OutboxStatus::Queued))
            .filter(free)
            .exec(&txn)
            .await?;
        if leased.rows_affected == rows.len() as u64 {
            for row in &mut rows {
                row.attempts += 1;
                row.locked_until = Some(until);
            }
        } else {
            rows = outbox_message::Entity::find()
                .filter(Column::Id.is_in(ids))
                .filter(Column::Status.eq(OutboxStatus::Queued))
                .filter(Column::LockedUntil.eq(until))
                .order_by_asc(Column::Id)
                .all(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(Claimed { rows })
    }

    /// Sends claimed rows, several at a time over the pool, and records each result as soon
    /// as it is known. Results that arrive while a record is being committed go together in
    /// the next commit (a group commit of at most [`RECORD_GROUP`] rows: a commit waits for the
    /// disk, and sends must not wait for it one by one), so a crash can send again only the
    /// rows in flight: those being sent and those whose result is not yet committed. They stay
    /// leased and go again after the lease.
    pub async fn deliver(&self, claimed: Claimed, now: DateTime<Utc>) -> Result<Report, DbErr> {
        let mut report = Report { claimed: claimed.rows.len(), ..Report::default() };
        if claimed.rows.is_empty() {
            return Ok(report);
        }
        let (results, mut received) = mpsc::channel::<(outbox_message::Model, Delivery)>(RECORD_GROUP);
        let sending = async move {
            let mut sends = futures_util::stream::iter(claimed.rows)
                .map(|row| async move {
                    let outcome = self.mailer.send(&row).await;
                    (row, outcome)
                })
                .buffer_unordered(self.concurrency);
            while let Some(result) = sends.next().await {
                if results.send(result).await.is_err() {
                    break;
                }
            }
            Ok::<_, DbErr>(())
        };
        let recording = async {
            let mut group = Vec::with_capacity(RECORD_GROUP);
            while received.recv_many(&mut group, RECORD_GROUP).await > 0 {
                self.record(group.drain(..), now, &mut report).await?;
            }
            Ok(())
        };
        // A failed record stops the sending: what is not recorded goes again after the lease.
        tokio::try_join!(sending, recording)?;
        Ok(report)
    }

    /// Records the outcome of some sends in one transaction.
    async fn record(
        &self,
        outcomes: impl Iterator<Item = (outbox_message::Model, Delivery)>,
        now: DateTime<Utc>,
        report: &mut Report,
    ) -> Result<(), DbErr> {
        let txn = begin_write(&self.db).await?;
        // The usual case, every send accepted, is one statement for the group.
        let mut sent = Vec::new();
        for (row, outcome) in outcomes {
            if outcome == Delivery::Sent {
                sent.push(row.id);
                continue;
            }
            // Only a row still queued: if our lease ran out and another worker has already
            // recorded it, its record stands.
            let update = outbox_message::Entity::update_many()
                .filter(Column::Id.eq(row.id))
                .filter(Column::Status.eq(OutboxStatus::Queued))
                .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None));
            let update = match &outcome {
                Delivery::Sent => continue,
                Delivery::Temporary(why) => match retry_delay(row.attempts) {
                    Some(delay) => {
                        report.retrying += 1;
                        tracing::warn!(id = row.id, attempts = row.attempts, error = %why, "email will be retried");
                        update
                            .col_expr(Column::SendAfter, Expr::value(now + with_jitter(delay)))
                            .col_expr(Column::LastError, Expr::value(Some(why.clone())))
                    }
                    None => {
                        report.failed += 1;
                        tracing::error!(id = row.id, attempts = row.attempts, error = %why, "email gave up after retries");
                        update.col_expr(Column::Status, Expr::value(OutboxStatus::Failed)).col_expr(
                            Column::LastError,
                            Expr::value(Some(format!("gave up after {} attempts: {why}", row.attempts))),
                        )
                    }
                },
                Delivery::Permanent(why) => {
                    report.failed += 1;
                    tracing::error!(id = row.id, error = %why, "email refused");
                    update
                        .col_expr(Column::Status, Expr::value(OutboxStatus::Failed))
                        .col_expr(Column::LastError, Expr::value(Some(why.clone())))
                }
            };
            update.exec(&txn).await?;
        }
        if !sent.is_empty() {
            report.sent += sent.len();
            // Only rows still queued: if our lease ran out and another worker has already
            // recorded one, its record stands.
            outbox_message::Entity::update_many()
                .col_expr(Column::Status, Expr::value(OutboxStatus::Sent))
                .col_expr(Column::SentAt, Expr::value(Some(now)))
                .col_expr(Column::LastError, Expr::value(Option::<String>::None))
                .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(Column::Id.is_in(sent))
                .filter(Column::Status.eq(OutboxStatus::Queued))
                .exec(&txn)
                .await?;
        }
        txn.commit().await
    }

    /// Delivers until `stop` turns true: a batch every `tick`, or at once after a full batch
    /// (a backlog drains without waiting). The batch in hand is finished before stopping.
    pub async fn run(self, tick: Duration, mut stop: watch::Receiver<bool>) {
        tracing::info!("mail worker started");
        loop {
            let full = match self.run_once(crate::clock::now()).await {
                Ok(report) => {
                    if report.claimed > 0 {
                        tracing::info!(?report, "mail delivered");
                    }
                    report.claimed as u64 >= self.batch_size
                }
                Err(error) => {
                    tracing::error!(%error, "mail worker could not reach the database");
                    false
                }
            };
            if *stop.borrow() {
                break;
            }
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(tick) => {}
                    _ = stop.changed() => break,
                }
            }
        }
        self.mailer.close().await;
        tracing::info!("mail worker stopped");
    }
}
