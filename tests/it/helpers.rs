//! The TestApp harness: a fresh database migrated by the real Migrator, the real router
//! on port 0, and browsers signed in as each role.

use entity::Code;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use convene::clock::Clock;

use convene::app::Application;
use convene::auth::Email;
use convene::auth::service::{self, NewAccount};
use convene::config::Settings;
use entity::user::Role;
use reqwest::redirect::Policy;
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub const PASSWORD: &str = "correct horse battery staple";

/// The instant the suite's clock starts at unless `CONVENE_TEST_NOW` says otherwise: a
/// Wednesday morning in winter. `.ci/run` runs the suite again under other dates.
const DEFAULT_TEST_NOW: &str = "2027-01-13T10:00:00Z";

/// The instant this test process's clock started at (`CONVENE_TEST_NOW`, or the default).
pub fn test_start() -> DateTime<Utc> {
    static START: OnceLock<DateTime<Utc>> = OnceLock::new();
    *START.get_or_init(|| {
        let raw = std::env::var("CONVENE_TEST_NOW").unwrap_or_else(|_| DEFAULT_TEST_NOW.to_owned());
        raw.parse().unwrap_or_else(|e| panic!("CONVENE_TEST_NOW {raw:?} is not an RFC 3339 instant: {e}"))
    })
}

/// Fixes the service's clock for this process (the same instant for every test in it).
pub fn fix_clock() {
    static CLOCK: OnceLock<Clock> = OnceLock::new();
    let clock = *CLOCK.get_or_init(|| Clock::starting_at(test_start()));
    convene::clock::install(clock).expect("the clock was read before the test harness fixed it");
}

/// The service's "now", as the app under test sees it.
pub fn now() -> DateTime<Utc> {
    fix_clock();
    convene::clock::now()
}

/// Today in London, as the app under test sees it.
pub fn today() -> NaiveDate {
    fix_clock();
    convene::clock::today()
}

/// `CONVENE_TEST_NOW` for a `convene` child process, so it keeps the suite's date: the
/// instant the child starts at is this process's now.
pub fn child_clock_env() -> (&'static str, String) {
    ("CONVENE_TEST_NOW", now().to_rfc3339())
}

pub struct TestApp {
    pub address: String,
    /// The database this app serves.
    pub database_url: String,
    /// The served app's state (its settings and metrics), for calling jobs as the scheduler does.
    pub state: convene::state::AppState,
    pub db: DatabaseConnection,
    /// Where this app keeps uploaded files (its own temporary directory).
    pub files_dir: std::path::PathBuf,
    /// Statements the served app has sent to its database so far (sea-orm's metric callback).
    pub statements: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    _dir: Option<tempfile::TempDir>,
    _files: tempfile::TempDir,
}

pub struct TestUser {
    pub id: i64,
    pub email: String,
}

/// A fresh, empty database URL: a temporary SQLite file, or a new uniquely named
/// PostgreSQL database under TEST_DATABASE_URL.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    fix_clock();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let name = format!("convene_test_{}", uuid::Uuid::new_v4().simple());
            let admin = convene::db::connect(&base).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&base).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&format!("/{name}"));
            (url.to_string(), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite:{}", dir.path().join("convene.db").display());
            (url, Some(dir))
        }
    }
}

impl TestApp {
    /// The app on a fresh database with the default settings.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    /// An app to be served some other way: its base URL, an existing database, settings.
    pub fn builder() -> Spawn {
        Spawn { database: None, base_url: "http://127.0.0.1/".to_owned(), configure: Vec::new() }
    }
}

/// How [`TestApp::builder`] serves the app; [`Spawn::spawn`] starts it.
pub struct Spawn {
    database: Option<(String, Option<tempfile::TempDir>)>,
    base_url: String,
    configure: Vec<Adjustment>,
}

/// One change to the settings an app is served with.
type Adjustment = Box<dyn FnOnce(&mut Settings)>;

impl Spawn {
    /// The absolute URL the app builds its links from.
    pub fn base_url(mut self, base_url: &str) -> Self {
        base_url.clone_into(&mut self.base_url);
        self
    }

    /// Serves an existing database (one the CLI wrote to, or another app's), keeping `dir`
    /// (its temporary directory) alive as long as the app.
    pub fn on(mut self, database_url: &str, dir: Option<tempfile::TempDir>) -> Self {
        self.database = Some((database_url.to_owned(), dir));
        self
    }

    /// Adjusts the settings before the app binds.
    pub fn configure(mut self, configure: impl FnOnce(&mut Settings) + 'static) -> Self {
        self.configure.push(Box::new(configure));
        self
    }

    pub async fn spawn(self) -> TestApp {
        let (database_url, dir) = match self.database {
            Some(existing) => existing,
            None => fresh_database().await,
        };
        let base_url = self.base_url.as_str();
        fix_clock();
        let db = convene::db::connect_and_migrate(&database_url).await.expect("migrate test database");
        let statements = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut served = db.clone();
        let counter = statements.clone();
        let show = std::env::var_os("CONVENE_TEST_SHOW_SQL").is_some();
        served.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            if show {
                eprintln!("sql: {}", info.statement.sql.chars().take(160).collect::<String>());
            }
        });
        let files = tempfile::tempdir().expect("temporary files directory");
        let mut settings = Settings {
            database_url,
            bind: "127.0.0.1:0".parse().expect("address"),
            base_url: url::Url::parse(base_url).expect("base url"),
            smtp_url: None,
            mail_from: "Convene <convene@example.org>".into(),
            files_dir: files.path().join("files"),
            metrics: Default::default(),
            trusted_proxies: Default::default(),
        };
        for configure in self.configure {
            configure(&mut settings);
        }
        let application = Application::bind(served, settings.clone()).await.expect("bind");
        let address = format!("http://{}", application.local_addr().expect("local address"));
        let state = application.state.clone();
        tokio::spawn(application.run_until(std::future::pending()));
        TestApp {
            address,
            database_url: settings.database_url,
            state,
            db,
            files_dir: files.path().join("files"),
            statements,
            _dir: dir,
            _files: files,
        }
    }
}

/// Requests to the JSON API with one bearer token: `app.api(&token).post(path, &body)`.
pub struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
        CLIENT.get_or_init(reqwest::Client::new).request(method, self.app.url(path)).bearer_auth(&self.token)
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> reqwest::Response {
        request.send().await.unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(self.request(reqwest::Method::GET, path), &format!("GET {path}")).await
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.send(self.request(reqwest::Method::DELETE, path), &format!("DELETE {path}")).await
    }

    pub async fn post(&self, path: &str, body: &impl serde::Serialize) -> reqwest::Response {
        self.send(self.request(reqwest::Method::POST, path).json(body), &format!("POST {path}")).await
    }

    pub async fn patch(&self, path: &str, body: &impl serde::Serialize) -> reqwest::Response {
        self.send(self.request(reqwest::Method::PATCH, path).json(body), &format!("PATCH {path}")).await
    }

    pub async fn put(&self, path: &str, body: &impl serde::Serialize) -> reqwest::Response {
        self.send(self.request(reqwest::Method::PUT, path).json(body), &format!("PUT {path}")).await
    }
}

impl TestApp {
    /// The JSON API as the holder of `token` calls it.
    pub fn api(&self, token: &str) -> Api<'_> {
        Api { app: self, token: token.to_owned() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn create_user(&self, role: Role) -> TestUser {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let email = format!("{}{n}@example.org", role.code());
        let created = service::create_account(
            &self.db,
            NewAccount {
                email: Email::parse(&email).expect("email"),
                name: format!("Test {} {n}", role.code()),
                role,
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .expect("create account");
        TestUser { id: created.id, email }
    }

    pub async fn token_for(&self, user: &TestUser) -> String {
        service::create_api_token(&self.db, user.id).await.expect("token")
    }

    /// A browser that has not signed in (it has the visitor's CSRF cookie after `open`).
    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
        Browser { client, base: self.address.clone(), csrf: String::new() }
    }

    /// A browser signed in as `user`.
    pub async fn signed_in(&self, user: &TestUser) -> Browser {
        let mut browser = self.browser();
        browser.open("/login").await;
        let response = browser.post_form("/login", &[("email", &user.email), ("password", PASSWORD)]).await;
        assert_eq!(response.status(), 303, "sign in as {}", user.email);
        browser.open("/").await;
        browser
    }

    /// Drops the triggers that keep the audit log append-only, so a test can make entries look
    /// older (the only way to let time pass for the sign-in throttle). Never done by the service.
    pub async fn allow_audit_rewrites(&self) {
        let statements: &[&str] = match self.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => &["DROP TRIGGER audit_log_append_only ON audit_log"],
            _ => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        };
        for sql in statements {
            self.db.execute_unprepared(sql).await.expect("drop an audit log trigger");
        }
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                self.db.get_database_backend(),
                match self.db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1",
                    _ => "SELECT COUNT(*) AS n FROM audit_log WHERE action = ?",
                },
                [action.into()],
            ))
            .await
            .expect("count audit rows")
            .expect("one row");
        row.try_get::<i64>("", "n").expect("count")
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    base: String,
    /// The CSRF token from the last page opened.
    pub csrf: String,
}

impl Browser {
    /// GETs a page and remembers its CSRF token; returns status and body.
    pub async fn open(&mut self, path: &str) -> (u16, String) {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.expect("GET");
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");
        if let Some(token) = csrf_token_in(&body) {
            self.csrf = token;
        }
        (status, body)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")
    }

    /// POSTs a form with the remembered CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &self.csrf));
        self.post_raw_form(path, &all).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = serde_urlencoded::to_string(fields).expect("encode form");
        self.client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST")
    }
}

pub fn csrf_token_in(html: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(r#"input[name="csrf_token"]"#).ok()?;
    document.select(&selector).next()?.value().attr("value").map(str::to_owned)
}

/// Asserts the error format of docs/API.md and returns the code.
pub async fn error_code(response: reqwest::Response) -> String {
    assert_eq!(
        response.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "errors under /api are JSON"
    );
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    let error = &body["error"];
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "error.message in {body}");
    error["code"].as_str().expect("error.code").to_owned()
}

/// The fields of a complete assessment form of `kind` ("risk" or "appropriateness") with
/// this outcome: every party low risk, or every answer yes.
pub fn assessment_fields(kind: &str, outcome: &str) -> Vec<(&'static str, String)> {
    let mut fields = vec![("kind", kind.to_owned()), ("outcome", outcome.to_owned())];
    if kind == "risk" {
        for name in ["risk_to_harmed", "risk_to_harmer", "risk_to_facilitators"] {
            fields.push((name, "low".into()));
        }
    } else {
        for name in
            ["accepts_responsibility", "harmed_capacity", "harmed_voluntary", "harmer_capacity", "harmer_voluntary"]
        {
            fields.push((name, "yes".into()));
        }
    }
    fields
}

/// [`assessment_fields`] as the API's JSON.
pub fn assessment_json(kind: &str, outcome: &str) -> serde_json::Value {
    serde_json::Value::Object(
        assessment_fields(kind, outcome)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
            .collect(),
    )
}

/// Runs one of the headless-Chromium scripts in tests/browser with its arguments (and
/// environment), fails the test with its output if it fails, and returns its last line of
/// output parsed as JSON (`null` when it prints none).
pub async fn browser_script(script: &str, args: Vec<String>, env: Vec<(&'static str, String)>) -> serde_json::Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        dir.join("node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser tests need Debian's chromium and tests/browser/node_modules: run .ci/test-tools first"
    );
    let script = script.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node").arg(&script).args(args).envs(env).current_dir(dir).output()
    })
    .await
    .expect("the browser task")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the browser script failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().last().map_or(serde_json::Value::Null, |line| serde_json::from_str(line).expect("the script's JSON"))
}

impl TestApp {
    /// Loads the demo into this app's empty database; its sign-ins (admin, coordinator,
    /// volunteer).
    pub async fn load_demo(&self) -> Vec<convene::demo::Login> {
        let base = url::Url::parse(&self.url("/")).expect("the app's address");
        match convene::demo::load(&self.db, &base).await.expect("the demo loads") {
            convene::demo::Outcome::Loaded(logins) => logins,
            _ => panic!("a fresh database is empty"),
        }
    }
}
