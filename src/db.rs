//! Connecting to the database (SQLite by default, PostgreSQL in production) and
//! starting write transactions that behave the same on both.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    Condition, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait, UpdateMany,
};

/// Why the database could not be used; always a one-line message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

/// Opens a pool. SQLite files are created on first use, in WAL mode with foreign keys
/// enforced and fully synchronous (durable) commits.
pub async fn connect(url: &str) -> Result<DatabaseConnection, ConnectError> {
    let backend = if url.starts_with("sqlite:") {
        DbBackend::Sqlite
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        DbBackend::Postgres
    } else {
        return Err(ConnectError(format!(
            "DATABASE_URL must start with sqlite: or postgres://, got {:?}",
            redact(url)
        )));
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
    match backend {
        DbBackend::Sqlite => {
            // An embedded file has no connection to lose: no ping before each statement
            // (it cost as much as the statement itself on the busiest pages).
            options.max_connections(4).test_before_acquire(false).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        }
        _ => {
            options.max_connections(16);
        }
    }
    Database::connect(options)
        .await
        .map_err(|e| ConnectError(format!("cannot open database {}: {}", redact(url), one_line(&e))))
}

/// Connects and applies every pending migration.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, ConnectError> {
    let db = connect(url).await?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| ConnectError(format!("cannot migrate database {}: {}", redact(url), one_line(&e))))?;
    Ok(db)
}

/// What a service that writes takes: the pool, or a caller's transaction, so a caller can
/// hold several services' writes in one transaction.
pub trait Db: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync {}

impl<T: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync> Db for T {}

/// Starts a transaction that will write. On SQLite it takes the write lock at BEGIN, so
/// two writers queue on the busy timeout instead of failing when one upgrades its read.
/// Inside a caller's transaction it is a savepoint, and the caller's BEGIN took the lock.
pub async fn begin_write(
    db: &impl TransactionTrait<Transaction = DatabaseTransaction>,
) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Makes the rest of this transaction wait for any other transaction holding the same
/// `key`, until the holder commits or rolls back: a count read afterwards (say, of one
/// address's submissions this hour) stays true until this transaction ends. SQLite needs
/// nothing: a write transaction holds the database's one write lock from BEGIN.
pub async fn serialise_on(txn: &DatabaseTransaction, key: &str) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Writes `changes` to the rows `only_if` selects, as one compare-and-set: true when exactly
/// one row matched, so a caller that read a row (say at SEQUENCE 3) and filters on what it
/// read learns whether someone else changed it in between.
pub async fn compare_and_set<E: EntityTrait>(
    db: &impl ConnectionTrait,
    changes: E::ActiveModel,
    only_if: Condition,
) -> Result<bool, DbErr> {
    changed_one(db, E::update_many().set(changes).filter(only_if)).await
}

/// Runs `update` (its filter names the row as the caller read it) as one compare-and-set:
/// true when exactly one row still matched and was changed.
pub async fn changed_one<E: EntityTrait>(db: &impl ConnectionTrait, update: UpdateMany<E>) -> Result<bool, DbErr> {
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// True when the error is a unique-constraint violation (a duplicate row).
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            if parsed.query().is_some_and(|q| q.contains("password")) {
                parsed.set_query(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => url.to_owned(),
    }
}

fn one_line(error: &DbErr) -> String {
    error.to_string().replace('\n', " ")
}
