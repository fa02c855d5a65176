//! One typed configuration: command-line flags override environment variables, which
//! override defaults. Secrets are never printed.

pub mod metrics_access;
pub mod proxies;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use url::Url;

#[derive(Parser)]
#[command(name = "convene", version, about = "Runs a restorative-justice volunteer service")]
pub struct Cli {
    /// Database to use: a SQLite file (`sqlite:convene.db`) or PostgreSQL (`postgres://…`).
    #[arg(long, env = "DATABASE_URL", global = true, default_value = "sqlite:convene.db", hide_env_values = true)]
    pub database_url: String,
    /// For tests and demonstrations only: the service's clock starts at this instant
    /// (RFC 3339, e.g. `2027-03-27T10:00:00Z`) and runs on from there. Unset: the real time.
    #[arg(long, env = "CONVENE_TEST_NOW", global = true, hide = true)]
    pub test_now: Option<chrono::DateTime<chrono::Utc>>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate, then serve HTTP.
    Serve(ServeArgs),
    /// Apply migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Solve a planning instance offline and print (or write) the bookings as JSON.
    Plan(PlanArgs),
    /// Write a consistent copy of the SQLite database to FILE (for PostgreSQL, use pg_dump).
    Backup(BackupArgs),
}

#[derive(Args)]
pub struct BackupArgs {
    /// Where to write the copy; an existing file is never overwritten.
    pub file: PathBuf,
}

#[derive(Args)]
pub struct PlanArgs {
    /// The planning instance (JSON, the format of docs/API.md).
    #[arg(long)]
    pub instance: std::path::PathBuf,
    /// Write the plan here instead of standard output.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Seconds the local search may run on a large instance (small ones stop when optimal).
    #[arg(long, default_value_t = 3.0)]
    pub time_limit: f64,
    /// Seed of the local search, for reproducible runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CONVENE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Public base URL for links in emails and feeds (default: http://<bind>).
    #[arg(long, env = "CONVENE_BASE_URL")]
    pub base_url: Option<String>,
    /// Load a demo data set first, into an empty database.
    #[arg(long)]
    pub demo: bool,
    /// SMTP server for outgoing mail, e.g. smtp://user:pass@host:587 (unset: mail stays in the outbox).
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From address of outgoing mail.
    #[arg(long, env = "CONVENE_MAIL_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub mail_from: String,
    /// Directory for uploaded files (expense receipts), outside any public path.
    #[arg(long, env = "CONVENE_FILES_DIR", default_value = "convene-files")]
    pub files_dir: PathBuf,
    /// Address ranges allowed to read /metrics, comma-separated CIDRs ("" = none; token only).
    #[arg(long, env = "CONVENE_METRICS_ALLOW", default_value = metrics_access::DEFAULT_ALLOW)]
    pub metrics_allow: String,
    /// Reverse proxies whose X-Forwarded-For is believed, comma-separated CIDRs (default: none).
    #[arg(long, env = "CONVENE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// A bearer token that may read /metrics from any address.
    #[arg(long, env = "CONVENE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from stdin (one line), or generated and
    /// printed when stdin is a terminal.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Print a new API bearer token for an account (shown once, stored hashed).
    Create {
        #[arg(long)]
        email: String,
    },
    /// Revoke every API token of an account.
    Revoke {
        #[arg(long)]
        email: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Coordinator,
    Volunteer,
}

impl From<RoleArg> for entity::user::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Self::Admin,
            RoleArg::Coordinator => Self::Coordinator,
            RoleArg::Volunteer => Self::Volunteer,
        }
    }
}

/// The From address when `CONVENE_MAIL_FROM` is not set.
pub const DEFAULT_MAIL_FROM: &str = "Convene <convene@localhost>";

/// Everything the running service needs to know about its surroundings.
#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub base_url: Url,
    /// `None`: mail is kept in the outbox, for admins to read.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Where uploaded receipts are kept, under generated names; never served directly.
    pub files_dir: PathBuf,
    /// Who may read `/metrics`.
    pub metrics: metrics_access::MetricsAccess,
    /// Whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::config::proxies::TrustedProxies,
}

/// Never prints a password: URLs are shown redacted.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &crate::db::redact(&self.database_url))
            .field("bind", &self.bind)
            .field("base_url", &self.base_url.as_str())
            .field("smtp_url", &self.smtp_url.as_deref().map(crate::db::redact))
            .field("mail_from", &self.mail_from)
            .field("files_dir", &self.files_dir)
            .field("metrics_allow", &self.metrics.allow)
            .field("metrics_token", &self.metrics.token.as_ref().map(|_| "[set]"))
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

impl Settings {
    /// Checks the serve configuration; the error is one line naming what is wrong.
    pub fn for_serve(database_url: String, args: &ServeArgs) -> Result<Self, String> {
        let base_url = match &args.base_url {
            Some(raw) => parse_base_url(raw)?,
            None => parse_base_url(&format!("http://{}", args.bind))?,
        };
        if let Some(smtp) = &args.smtp_url {
            let parsed = Url::parse(smtp).map_err(|e| format!("SMTP_URL is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") {
                return Err("SMTP_URL must start with smtp:// or smtps://".into());
            }
        }
        if args.mail_from.trim().is_empty() {
            return Err("CONVENE_MAIL_FROM must not be empty".into());
        }
        if args.mail_from.trim().parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "CONVENE_MAIL_FROM {:?} is not an email address (e.g. Convene <rj@example.org>)",
                args.mail_from
            ));
        }
        let metrics = metrics_access::MetricsAccess {
            allow: metrics_access::parse_allow_list(&args.metrics_allow)?,
            token: args.metrics_token.clone().filter(|token| !token.trim().is_empty()),
        };
        Ok(Self {
            metrics,
            trusted_proxies: crate::config::proxies::TrustedProxies::parse(&args.trusted_proxies)?,
            database_url,
            bind: args.bind,
            base_url,
            smtp_url: args.smtp_url.clone(),
            mail_from: args.mail_from.clone(),
            files_dir: args.files_dir.clone(),
        })
    }

    /// Cookies are marked Secure, and HSTS sent, when the service is reached over https.
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }
}

pub fn parse_base_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("CONVENE_BASE_URL {raw:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("CONVENE_BASE_URL must start with http:// or https://, not {raw:?}"));
    }
    Ok(url)
}
