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

/// `?page=&per_page=` on an API list, as sent (text, so a bad value gets a 422 per field
/// rather than the extractor's one-line rejection).
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Which page, from 1 (default 1).
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    #[param(value_type = Option<u64>)]
    pub page: String,
    /// Rows per page (default 100, at most 500).
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    #[param(value_type = Option<u64>)]
    pub per_page: String,
}

/// A checked page request: `page` from 1, `per_page` within 1..=[`Paging::MAX_PER_PAGE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    pub const DEFAULT_PER_PAGE: u64 = 100;
    pub const MAX_PER_PAGE: u64 = 500;
}

impl Default for Paging {
    fn default() -> Self {
        Self { page: 1, per_page: Self::DEFAULT_PER_PAGE }
    }
}

impl PageQuery {
    /// The page asked for, or a message per field that is not a whole number in range.
    pub fn paging(&self) -> Result<Paging, std::collections::BTreeMap<String, String>> {
        fn read(raw: &str, default: u64, max: u64) -> Option<u64> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Some(default);
            }
            raw.parse::<u64>().ok().filter(|n| (1..=max).contains(n))
        }
        let page = read(&self.page, 1, u64::MAX);
        let per_page = read(&self.per_page, Paging::DEFAULT_PER_PAGE, Paging::MAX_PER_PAGE);
        if let (Some(page), Some(per_page)) = (page, per_page) {
            return Ok(Paging { page, per_page });
        }
        let mut fields = std::collections::BTreeMap::new();
        if page.is_none() {
            fields.insert("page".to_owned(), "must be a whole number from 1".to_owned());
        }
        if per_page.is_none() {
            fields.insert("per_page".to_owned(), format!("must be a whole number from 1 to {}", Paging::MAX_PER_PAGE));
        }
        Err(fields)
    }
}

/// Where a page sits in its list: beside the rows in every API list's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PageInfo {
    /// This page, from 1.
    pub page: u64,
    pub per_page: u64,
    /// Rows in the whole list under the same filter.
    pub total: u64,
    /// Pages in the whole list (0 when it is empty); a page past the last is empty.
    pub pages: u64,
}

/// One page of a list and where it sits.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub info: PageInfo,
}

impl<T> Page<T> {
    /// No rows at all: a list the viewer has nothing in.
    pub fn empty(paging: Paging) -> Self {
        Page { items: Vec::new(), info: PageInfo { page: paging.page, per_page: paging.per_page, total: 0, pages: 0 } }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), info: self.info }
    }
}

/// Fetches one page of `select` (which must be ordered, so pages do not overlap) and the
/// size of the whole list.
pub async fn page<'db, C, S>(
    db: &'db C,
    select: S,
    paging: Paging,
) -> Result<Page<<S::Selector as sea_orm::SelectorTrait>::Item>, DbErr>
where
    C: ConnectionTrait,
    S: sea_orm::PaginatorTrait<'db, C>,
{
    let paginator = select.paginate(db, paging.per_page);
    let counted = paginator.num_items_and_pages().await?;
    let items = paginator.fetch_page(paging.page - 1).await?;
    Ok(Page {
        items,
        info: PageInfo {
            page: paging.page,
            per_page: paging.per_page,
            total: counted.number_of_items,
            pages: counted.number_of_pages,
        },
    })
}

/// How many rows of `query` have each value of `column`, in one grouped query.
pub async fn count_by<E, V>(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    column: E::Column,
) -> Result<std::collections::HashMap<V, i64>, DbErr>
where
    E: EntityTrait,
    V: sea_orm::TryGetable + Eq + std::hash::Hash,
{
    use sea_orm::{ColumnTrait, QuerySelect};
    let rows: Vec<(V, i64)> =
        query.select_only().column(column).column_as(column.count(), "n").group_by(column).into_tuple().all(db).await?;
    Ok(rows.into_iter().collect())
}
