//! The `convene` binary: user add, token create, bad configuration, serve and restart.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{PASSWORD, TestApp, fresh_database};

pub fn convene() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_convene"));
    command.env_remove("DATABASE_URL").env_remove("CONVENE_BIND").env_remove("CONVENE_BASE_URL");
    command.env("RUST_LOG", "warn");
    let (key, value) = crate::helpers::child_clock_env();
    command.env(key, value);
    command
}

fn run_with_stdin(mut command: Command, stdin: &str) -> std::process::Output {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn user_add_then_sign_in_and_token_create_then_call_the_api() {
    let (database_url, dir) = fresh_database().await;
    let mut add = convene();
    add.args(["user", "add", "--email", "Chris@Example.org", "--name", "Chris Coordinator", "--role", "coordinator"])
        .env("DATABASE_URL", &database_url);
    let output = run_with_stdin(add, &format!("{PASSWORD}\n"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("created coordinator account chris@example.org"), "{stdout}");
    assert!(!stdout.contains(PASSWORD), "a password from stdin is not printed");

    let output = convene()
        .args(["token", "create", "--email", "chris@example.org", "--database-url", &database_url])
        .output()
        .unwrap();
    assert!(output.status.success());
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("cvn_"));

    let app = TestApp::builder().on(&database_url, dir).spawn().await;
    let mut browser = app.browser();
    browser.open("/login").await;
    let response = browser.post_form("/login", &[("email", "chris@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), 303);
    let response = app.api(&token).get("/api/v1/volunteers").await;
    assert_eq!(response.status(), 200);

    // The same email twice is a usage error, not a crash.
    let mut again = convene();
    again
        .args(["user", "add", "--email", "chris@example.org", "--name", "Again", "--role", "admin"])
        .env("DATABASE_URL", &database_url);
    let output = run_with_stdin(again, &format!("{PASSWORD}\n"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));

    let output = convene()
        .args(["token", "revoke", "--email", "chris@example.org", "--database-url", &database_url])
        .output()
        .unwrap();
    assert!(output.status.success());
    let response = app.api(&token).get("/api/v1/volunteers").await;
    assert_eq!(response.status(), 401);
}

#[test]
fn a_short_password_or_bad_email_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("c.db").display());
    let mut short = convene();
    short.args(["user", "add", "--email", "a@example.org", "--name", "A", "--role", "admin"]).env("DATABASE_URL", &url);
    let output = run_with_stdin(short, "short\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));

    let mut bad = convene();
    bad.args(["user", "add", "--email", "not-an-email", "--name", "A", "--role", "admin"]).env("DATABASE_URL", &url);
    let output = run_with_stdin(bad, &format!("{PASSWORD}\n"));
    assert_eq!(output.status.code(), Some(2));

    let output = convene().args(["user", "add", "--email", "a@example.org"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "missing arguments");
}

#[test]
fn a_bad_database_url_exits_2_with_one_line() {
    for url in ["mysql://localhost/convene", "nonsense", "postgres://convene@127.0.0.1:1/convene"] {
        let output = convene().arg("migrate").env("DATABASE_URL", url).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line for {url}: {stderr}");
        assert!(stderr.starts_with("convene: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let output = convene().args(["serve", "--base-url", "ftp://x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls /healthz until it answers (bounded), instead of sleeping a fixed time.
pub async fn wait_healthy(base: &str, child: &mut std::process::Child) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await
            && response.status() == 200
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("convene serve exited early: {status}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("convene serve did not become healthy within 10 s");
}

pub fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    child.wait().unwrap()
}

#[tokio::test]
async fn serve_in_an_empty_folder_creates_the_database_and_restarts_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let start = || {
        convene()
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut server = start();
    wait_healthy(&base, &mut server).await;
    assert!(dir.path().join("convene.db").exists(), "convene.db created in the working directory");

    let mut add = convene();
    add.args(["user", "add", "--email", "ana@example.org", "--name", "Ana", "--role", "admin"]).current_dir(dir.path());
    assert!(run_with_stdin(add, &format!("{PASSWORD}\n")).status.success());
    let token = String::from_utf8(
        convene()
            .args(["token", "create", "--email", "ana@example.org"])
            .current_dir(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(terminate(&mut server).success(), "graceful shutdown on SIGTERM exits 0");

    let mut server = start();
    wait_healthy(&base, &mut server).await;
    let response =
        reqwest::Client::new().get(format!("{base}/api/v1/volunteers")).bearer_auth(token.trim()).send().await.unwrap();
    assert_eq!(response.status(), 200, "the account and token survived the restart");
    assert!(terminate(&mut server).success());
}

#[test]
fn plan_solves_the_examples_to_their_optimum_and_writes_the_plan() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("matcher/tests/fixtures");
    let output = convene().args(["plan", "--instance"]).arg(fixtures.join("example-tiny.json")).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["bookings"].as_array().unwrap().len(), 3);
    assert_eq!(plan["objective"], 2897);
    assert_eq!(plan["unbooked"].as_array().unwrap().len(), 1);
    assert!(plan["unbooked"][0]["reason"].as_str().is_some_and(|r| !r.is_empty()));
    let booking = &plan["bookings"][0];
    for field in ["case", "start", "end"] {
        assert!(booking[field].is_string(), "{field} in {booking}");
    }
    assert_eq!(booking["facilitators"].as_array().unwrap().len(), 2);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let output = convene()
        .args(["plan", "--instance"])
        .arg(fixtures.join("example-small.json"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["bookings"].as_array().unwrap().len(), 15);
    assert_eq!(written["objective"], 14840);
}

#[test]
fn plan_refuses_a_bad_instance_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"timezone": "Europe/London"}"#).unwrap();
    for path in [bad, dir.path().join("missing.json")] {
        let output = convene().args(["plan", "--instance"]).arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&output.stderr).trim_end().lines().count(), 1);
    }
}

#[tokio::test]
async fn backup_copies_a_running_database_that_serve_starts_from() {
    let app = TestApp::spawn().await;
    let database_url = app.database_url.clone();
    if !database_url.starts_with("sqlite:") {
        // On PostgreSQL the command names pg_dump and exits 2.
        let output =
            convene().args(["backup", "/tmp/never-written.db"]).env("DATABASE_URL", &database_url).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    let admin = app.create_user(entity::user::Role::Admin).await;
    let token = app.token_for(&admin).await;
    let mut browser = app.signed_in(&admin).await;
    assert_eq!(browser.open("/admin/settings").await.0, 200);

    // The app keeps serving, and writing, while the copy is taken.
    let writing = tokio::spawn({
        let db = app.db.clone();
        async move {
            for n in 0..200 {
                let entry = convene::audit::AuditEntry {
                    actor: "writer",
                    action: "test.write",
                    target_id: Some(n.to_string()),
                    ..Default::default()
                };
                convene::audit::record(&db, entry).await.unwrap();
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    // Off the runtime's thread, so the writer (and the app) run while the backup does.
    let mut backup = convene();
    backup.arg("backup").arg(&copy).env("DATABASE_URL", &database_url);
    let output = tokio::task::spawn_blocking(move || backup.output()).await.unwrap().unwrap();
    writing.await.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("backed up"));
    assert!(copy.exists());

    // A second backup to the same file is refused, and the copy is left as it was.
    let size = std::fs::metadata(&copy).unwrap().len();
    let output = convene().arg("backup").arg(&copy).env("DATABASE_URL", &database_url).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), size);

    // `convene serve` starts from the copy: the token made before the backup works.
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = convene()
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &format!("sqlite:{}", copy.display()),
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(&base, &mut server).await;
    let response =
        reqwest::Client::new().get(format!("{base}/api/v1/volunteers")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200, "the account and token are in the copy");
    assert!(terminate(&mut server).success());

    // A consistent database: it passes SQLite's own check, and holds a prefix of the writes.
    let restored = convene::db::connect(&format!("sqlite:{}", copy.display())).await.unwrap();
    use sea_orm::ConnectionTrait;
    let check = restored
        .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA integrity_check"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    let written = restored
        .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "SELECT COUNT(*) AS n, COALESCE(MAX(CAST(target_id AS INTEGER)), -1) AS top FROM audit_log WHERE action = 'test.write'"))
        .await
        .unwrap()
        .unwrap();
    let (n, top): (i64, i64) = (written.try_get("", "n").unwrap(), written.try_get("", "top").unwrap());
    assert_eq!(n, top + 1, "the copy holds the writes up to a point, with no gaps");
    assert_eq!(count_logins(&restored).await, 1, "the sign-in before the backup is in its audit log");
}

async fn count_logins(db: &sea_orm::DatabaseConnection) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login.success'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[test]
fn backup_of_postgres_points_to_pg_dump_and_of_a_missing_file_refuses() {
    let output = convene()
        .args(["backup", "/tmp/never-written.db"])
        .env("DATABASE_URL", "postgres://convene@127.0.0.1:1/convene")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!std::path::Path::new("/tmp/never-written.db").exists());

    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite:{}", dir.path().join("missing.db").display());
    let output = convene().arg("backup").arg(dir.path().join("out.db")).env("DATABASE_URL", &missing).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no database"));
    assert!(!dir.path().join("missing.db").exists(), "a backup does not create the database it copies");
}
