//! One typed configuration: command-line flags override environment variables, which
//! override defaults. Secrets are never printed.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};
use url::Url;

#[derive(Debug, Parser)]
#[command(name = "convene", version, about = "Runs a restorative-justice volunteer service")]
pub struct Cli {
    /// Database to use: a SQLite file (`sqlite:convene.db`) or PostgreSQL (`postgres://…`).
    #[arg(long, env = "DATABASE_URL", global = true, default_value = "sqlite:convene.db", hide_env_values = true)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
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
}

#[derive(Debug, Args)]
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
}

#[derive(Debug, Subcommand)]
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

#[derive(Debug, Subcommand)]
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

#[derive(Debug, Clone, Copy, ValueEnum)]
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

/// Everything the running service needs to know about its surroundings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub base_url: Url,
}

impl Settings {
    /// Checks the serve configuration; the error is one line naming what is wrong.
    pub fn for_serve(database_url: String, args: &ServeArgs) -> Result<Self, String> {
        let base_url = match &args.base_url {
            Some(raw) => parse_base_url(raw)?,
            None => parse_base_url(&format!("http://{}", args.bind))?,
        };
        Ok(Self { database_url, bind: args.bind, base_url })
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
