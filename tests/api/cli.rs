//! The `opsdeck` binary as an operator runs it: clear one-line errors, never a panic trace.

use std::process::{Command, Output, Stdio};

use opsdeck_domain::Db;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{TestDatabase, TestResult};

fn opsdeck(args: &[&str], vars: &[(&str, &str)]) -> TestResult<Output> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    command.args(args).stdin(Stdio::null());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("OPSDECK_")) {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    Ok(command.output()?)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_malformed_setting_stops_start_up_naming_the_variable() -> TestResult {
    let output = opsdeck(&["migrate"], &[("OPSDECK_BIND", "everywhere")])?;

    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.starts_with("error: OPSDECK_BIND: cannot parse \"everywhere\""), "{message}");
    assert!(!message.contains("panicked"));
    Ok(())
}

#[test]
fn an_unreachable_database_is_one_clear_message() -> TestResult {
    let output = opsdeck(&["migrate"], &[("OPSDECK_DATABASE_URL", "postgres://nobody@127.0.0.1:9/none")])?;

    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.starts_with("error: cannot reach the database"), "{message}");
    assert!(!message.contains("panicked"));
    Ok(())
}

#[test]
fn the_openapi_command_prints_the_committed_document() -> TestResult {
    let output = opsdeck(&["openapi"], &[])?;

    assert!(output.status.success());
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))?;
    assert_eq!(output.stdout, committed);
    Ok(())
}

#[tokio::test]
async fn user_create_prints_a_one_time_password_and_binds_the_role() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let vars = [("OPSDECK_DATABASE_URL", database.url.as_str())];

    let created = opsdeck(&["user", "create", "--username", "olga", "--role", "ops"], &vars)?;
    assert!(created.status.success(), "{}", stderr(&created));
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(stdout.contains("created user olga"), "{stdout}");
    let password = stdout.lines().find_map(|l| l.strip_prefix("password (shown once): ")).unwrap_or("");
    assert_eq!(password.len(), 24);

    let db = Db::connect(&database.url, 1).await?;
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT rb.role AS role FROM role_bindings rb JOIN users u ON u.id = rb.user_id WHERE u.username = 'olga'",
        ))
        .await?
        .ok_or("no role binding")?;
    assert_eq!(row.try_get::<String>("", "role")?, "ops");
    assert!(!stdout.contains("$argon2"), "the hash never leaves the database");
    Ok(())
}

#[tokio::test]
async fn user_create_refuses_a_partner_without_a_tenant_and_changes_nothing() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let vars = [("OPSDECK_DATABASE_URL", database.url.as_str())];

    let refused = opsdeck(&["user", "create", "--username", "pat", "--role", "partner_admin"], &vars)?;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("a partner role needs a tenant"), "{}", stderr(&refused));

    let unknown_role = opsdeck(&["user", "create", "--username", "pat", "--role", "root"], &vars)?;
    assert_eq!(unknown_role.status.code(), Some(2), "clap rejects the value");
    assert!(stderr(&unknown_role).contains("unknown role \"root\""));

    let db = Db::connect(&database.url, 1).await?;
    let users = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), "SELECT COUNT(*) AS n FROM users"))
        .await?
        .ok_or("no count")?;
    assert_eq!(users.try_get::<i64>("", "n")?, 0);
    Ok(())
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin() -> TestResult {
    use std::io::Write;
    let database = TestDatabase::fresh().await?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["user", "create", "--username", "sam", "--role", "support", "--password-stdin"])
        .env("OPSDECK_DATABASE_URL", &database.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child.stdin.take().ok_or("no stdin")?.write_all(b"a long enough passphrase\n")?;
    let output = child.wait_with_output()?;

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("password"));
    Ok(())
}

/// `serve` on an empty database: migrates, creates the first superadmin and prints its one-time
/// password, loads the demo data when asked, and stops cleanly on SIGTERM.
#[tokio::test]
async fn serve_on_first_start_creates_an_admin_and_stops_gracefully() -> TestResult {
    use std::io::{BufRead, BufReader};
    let database = TestDatabase::fresh().await?;
    let storage = std::env::temp_dir().join(format!("opsdeck-serve-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["serve", "--demo"])
        .env("OPSDECK_DATABASE_URL", &database.url)
        .env("OPSDECK_BIND", "127.0.0.1:0")
        .env("OPSDECK_STORAGE_DIR", &storage)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (password, address) = tokio::task::spawn_blocking(move || {
        let mut password = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(found) = line.trim().strip_prefix("password: ") {
                password = Some(found.to_owned());
            }
            if let Some(rest) = line.strip_prefix("opsdeck is serving on ") {
                let address = rest.split_whitespace().next().map(str::to_owned);
                return password.zip(address);
            }
        }
        None
    })
    .await?
    .ok_or("no password and address printed")?;
    assert_eq!(password.len(), 24);

    let health = reqwest::get(format!("{address}/healthz")).await?;
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    let login = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await?;
    assert_eq!(login.status(), reqwest::StatusCode::OK, "the printed password works");
    let db = Db::connect(&database.url, 1).await?;
    let tenants = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), "SELECT COUNT(*) AS n FROM tenants"))
        .await?
        .ok_or("no count")?;
    assert!(tenants.try_get::<i64>("", "n")? >= 2, "demo tenants loaded");
    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
    assert!(terminated.success());
    let status = tokio::task::spawn_blocking(move || child.wait()).await??;
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}");
    let _ = std::fs::remove_dir_all(storage);
    Ok(())
}
