//! The `convene` commands of docs/API.md.

use entity::Code;
use std::io::{BufRead, IsTerminal};

use crate::app::{self, Application};
use crate::auth::service::{self, NewAccount};
use crate::auth::{Email, password};
use crate::config::{BackupArgs, Cli, Command, PlanArgs, ServeArgs, Settings, TokenCommand, UserCommand};
use crate::db;
use crate::error::AppError;
use crate::notifications::smtp::Mailer;
use crate::notifications::worker::Worker;

/// How a command failed: bad usage or configuration (exit 2) or anything else (exit 1).
#[derive(Debug)]
pub enum CommandError {
    Usage(String),
    Failed(anyhow::Error),
}

impl From<db::ConnectError> for CommandError {
    fn from(error: db::ConnectError) -> Self {
        CommandError::Usage(error.0)
    }
}

impl From<AppError> for CommandError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Validation { fields, message } => {
                let reasons: Vec<String> = fields.iter().map(|(field, why)| format!("{field}: {why}")).collect();
                CommandError::Usage(if reasons.is_empty() { message } else { reasons.join("; ") })
            }
            AppError::Internal(cause) => CommandError::Failed(cause),
            other => CommandError::Failed(anyhow::anyhow!(other.to_string())),
        }
    }
}

impl From<sea_orm::DbErr> for CommandError {
    fn from(error: sea_orm::DbErr) -> Self {
        CommandError::Failed(error.into())
    }
}

pub async fn run(cli: Cli) -> Result<(), CommandError> {
    if let Some(start) = cli.test_now {
        crate::clock::install(crate::clock::Clock::starting_at(start))
            .map_err(|_| CommandError::Usage("the clock was read before CONVENE_TEST_NOW was applied".into()))?;
        tracing::info!(%start, "CONVENE_TEST_NOW is set: the clock starts at this instant, not the real time");
    }
    match cli.command {
        Command::Serve(args) => serve(cli.database_url, args).await,
        Command::Migrate => {
            db::connect_and_migrate(&cli.database_url).await?;
            println!("migrations applied to {}", db::redact(&cli.database_url));
            Ok(())
        }
        Command::User(UserCommand::Add { email, name, role }) => {
            let email = Email::parse(&email).map_err(|why| CommandError::Usage(format!("--email: {why}")))?;
            let (password, generated) = read_password()?;
            let db = db::connect_and_migrate(&cli.database_url).await?;
            let account = service::create_account(
                &db,
                NewAccount { email, name, role: role.into(), password: Some(password.clone()) },
            )
            .await?;
            println!("created {} account {} (id {})", account.role.code(), account.email, account.id);
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
        Command::Token(TokenCommand::Create { email }) => {
            let db = db::connect_and_migrate(&cli.database_url).await?;
            let account = find_account(&db, &email).await?;
            let token = service::create_api_token(&db, account.id).await?;
            println!("{token}");
            Ok(())
        }
        Command::Plan(args) => plan(&args),
        Command::Backup(args) => backup(&cli.database_url, &args).await,
        Command::Token(TokenCommand::Revoke { email }) => {
            let db = db::connect_and_migrate(&cli.database_url).await?;
            let account = find_account(&db, &email).await?;
            let revoked = service::revoke_all_tokens(&db, account.id).await?;
            println!("revoked {revoked} token(s) of {}", account.email);
            Ok(())
        }
    }
}

async fn find_account(db: &sea_orm::DatabaseConnection, email: &str) -> Result<entity::user::Model, CommandError> {
    let email = Email::parse(email).map_err(|why| CommandError::Usage(format!("--email: {why}")))?;
    service::find_by_email(db, &email)
        .await?
        .ok_or_else(|| CommandError::Usage(format!("no account with email {email}")))
}

/// One line from stdin, or a generated password when stdin is a terminal.
fn read_password() -> Result<(String, bool), CommandError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((password::generate(), true));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CommandError::Failed(anyhow::Error::new(e).context("reading the password from stdin")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(CommandError::Usage(
            "no password on stdin (send one line, or run at a terminal to generate one)".into(),
        ));
    }
    password::check_new_password(&password).map_err(|why| CommandError::Usage(format!("password: {why}")))?;
    Ok((password, false))
}

async fn serve(database_url: String, args: ServeArgs) -> Result<(), CommandError> {
    let settings = Settings::for_serve(database_url, &args).map_err(CommandError::Usage)?;
    crate::notifications::sender::install(&settings.mail_from);
    let db = db::connect_and_migrate(&settings.database_url).await?;
    if args.demo {
        crate::demo::load_and_print(&db, &settings.base_url).await.map_err(CommandError::Failed)?;
    }
    let mailer = Mailer::from_settings(&settings).map_err(CommandError::Usage)?;
    let application = Application::bind(db.clone(), settings.clone())
        .await
        .map_err(|e| CommandError::Usage(format!("cannot listen on {}: {e}", settings.bind)))?;
    let address = application.local_addr().map_err(|e| CommandError::Failed(e.into()))?;
    tracing::info!(%address, base_url = %settings.base_url, "Convene is serving");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics = application.state.metrics.clone();
    let mut reminders = crate::jobs::start(db.clone(), settings.clone(), metrics)
        .await
        .map_err(|e| CommandError::Failed(anyhow::anyhow!("cannot start the reminder sweep: {e}")))?;
    // Without SMTP_URL no worker runs: mail stays queued in the outbox for admins to read.
    let worker = match mailer {
        Some(mailer) => Some(tokio::spawn(Worker::new(db, mailer).run(MAIL_TICK, stopped))),
        None => {
            tracing::info!("no SMTP_URL: email is kept in the outbox");
            None
        }
    };
    let served = application
        .run_until(async move {
            app::shutdown_signal().await;
            let _ = stop.send(true);
        })
        .await
        .map_err(|e| CommandError::Failed(anyhow::Error::new(e).context("serving HTTP")));
    if let Err(error) = reminders.shutdown().await {
        tracing::error!(%error, "reminder sweep did not stop cleanly");
    }
    // Let the worker record the batch in hand, so a clean stop sends nothing twice.
    if let Some(worker) = worker
        && let Err(error) = worker.await
    {
        tracing::error!(%error, "mail worker ended abnormally");
    }
    served
}

/// How often the worker looks for due mail when the queue is empty.
const MAIL_TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// `convene plan`: no database, no network; the same planner the service uses.
fn plan(args: &PlanArgs) -> Result<(), CommandError> {
    use crate::scheduling::matcher::{self, Instance, PlanOptions, Problem};
    let text = std::fs::read_to_string(&args.instance)
        .map_err(|e| CommandError::Usage(format!("cannot read {}: {e}", args.instance.display())))?;
    let instance = Instance::from_json(&text)
        .map_err(|e| CommandError::Usage(format!("{}: {}", args.instance.display(), one_line(&e.to_string()))))?;
    let problem = Problem::compile(&instance)
        .map_err(|e| CommandError::Usage(format!("{}: {}", args.instance.display(), one_line(&e.to_string()))))?;
    if !(args.time_limit.is_finite() && args.time_limit > 0.0 && args.time_limit <= 3600.0) {
        return Err(CommandError::Usage("--time-limit must be between 0 and 3600 seconds".into()));
    }
    let options = PlanOptions { time_budget: std::time::Duration::from_secs_f64(args.time_limit), seed: args.seed };
    let result = matcher::plan(&problem, &options);
    let json = serde_json::to_string_pretty(&result).map_err(|e| CommandError::Failed(e.into()))?;
    match &args.out {
        Some(path) => std::fs::write(path, format!("{json}\n"))
            .map_err(|e| CommandError::Usage(format!("cannot write {}: {e}", path.display())))?,
        None => println!("{json}"),
    }
    Ok(())
}

/// `convene backup FILE`: SQLite's `VACUUM INTO` writes a consistent snapshot while the
/// service keeps running (it reads inside one transaction), and the copy is a complete
/// database that `convene serve --database-url sqlite:FILE` starts from.
async fn backup(database_url: &str, args: &BackupArgs) -> Result<(), CommandError> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return Err(CommandError::Usage(
            "convene backup copies SQLite databases only; for PostgreSQL use pg_dump (e.g. pg_dump --format=custom \
             --file=convene.dump \"$DATABASE_URL\")"
                .into(),
        ));
    }
    let target = &args.file;
    if target.exists() {
        return Err(CommandError::Usage(format!(
            "{} already exists; choose a new file name (a backup never overwrites a file)",
            target.display()
        )));
    }
    let Some(target_text) = target.to_str() else {
        return Err(CommandError::Usage(format!("{} is not a UTF-8 path", target.display())));
    };
    let source = database_path(database_url);
    if source.as_deref().is_some_and(|path| !std::path::Path::new(path).exists()) {
        return Err(CommandError::Usage(format!("no database at {}", db::redact(database_url))));
    }
    // Connect without migrating: a backup copies what is there and changes nothing.
    let db = db::connect(database_url).await?;
    use sea_orm::ConnectionTrait;
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        "VACUUM INTO ?",
        [target_text.into()],
    ))
    .await
    .map_err(|e| CommandError::Failed(anyhow::Error::new(e).context(format!("writing {}", target.display()))))?;
    db.close().await.ok();
    println!("backed up {} to {}", db::redact(database_url), target.display());
    Ok(())
}

/// The file of a `sqlite:` URL, when it names one (not `:memory:`).
fn database_path(database_url: &str) -> Option<String> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.to_owned())
}

fn one_line(text: &str) -> String {
    text.replace('\n', " ")
}
