//! The `opsdeck` binary as an operator runs it: clear one-line errors, never a panic trace.

use std::process::{Output, Stdio};

use opsdeck_domain::Db;
use sea_orm::{ConnectionTrait, Statement};

use crate::{
    helpers::{TestDatabase, TestResult},
    process::{Server, opsdeck, opsdeck_command},
};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `opsdeck serve ARGS` on the database, on a free port, with storage in its scratch directory.
async fn serve(database: &TestDatabase, args: &[&str]) -> TestResult<Server> {
    let storage = database.scratch_dir.join("storage").display().to_string();
    let vars = [
        ("OPSDECK_DATABASE_URL", database.url.as_str()),
        ("OPSDECK_BIND", "127.0.0.1:0"),
        ("OPSDECK_STORAGE_DIR", &storage),
    ];
    Server::start(args, &vars).await
}

async fn rows_in(database: &TestDatabase, table: &str) -> TestResult<i64> {
    let db = Db::connect(&database.url, 1).await?;
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await?
        .ok_or("no count")?;
    Ok(row.try_get::<i64>("", "n")?)
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

/// The committed document is the contract integrators and the SPA's generated types rely on;
/// `opsdeck openapi` is how it is regenerated.
#[test]
fn the_committed_openapi_document_is_what_the_openapi_command_prints() -> TestResult {
    let output = opsdeck(&["openapi"], &[])?;

    assert!(output.status.success(), "{}", stderr(&output));
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))?;
    assert!(
        output.stdout == committed,
        "openapi/openapi.json is stale: run `cargo run -q -- openapi > openapi/openapi.json` and commit it"
    );
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

    assert_eq!(rows_in(&database, "users").await?, 0);
    Ok(())
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin() -> TestResult {
    use std::io::Write;
    let database = TestDatabase::fresh().await?;
    let mut child = opsdeck_command(
        &["user", "create", "--username", "sam", "--role", "support", "--password-stdin"],
        &[("OPSDECK_DATABASE_URL", &database.url)],
    )
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
    let database = TestDatabase::fresh().await?;
    let server = serve(&database, &["--demo"]).await?;
    let password = server.admin_password.clone().ok_or("no password printed")?;
    let address = server.address.clone();
    assert_eq!(password.len(), 24);

    let health = reqwest::get(format!("{address}/healthz")).await?;
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    let login = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await?;
    assert_eq!(login.status(), reqwest::StatusCode::OK, "the printed password works");
    assert!(rows_in(&database, "tenants").await? >= 2, "demo tenants loaded");
    assert!(server.terminate().await?, "graceful shutdown exits 0");
    Ok(())
}

/// Several replicas starting at once on an empty database (as an orchestrator starts them): one
/// creates the first superadmin, the others see it and serve as well.
#[tokio::test]
async fn replicas_starting_together_create_one_superadmin_and_all_serve() -> TestResult {
    let database = TestDatabase::fresh().await?;

    // The schema is migrated (the database is a migrated copy); only user creation races here.
    let starts = (0..4).map(|_| serve(&database, &["--no-worker", "--no-migrate"]));
    let servers = futures_util::future::join_all(starts).await.into_iter().collect::<TestResult<Vec<_>>>()?;

    let passwords: Vec<&String> = servers.iter().filter_map(|s| s.admin_password.as_ref()).collect();
    assert_eq!(passwords.len(), 1, "exactly one replica created the superadmin");
    for server in &servers {
        let ready = reqwest::get(format!("{}/readyz", server.address)).await?;
        assert_eq!(ready.status(), reqwest::StatusCode::OK, "{} serves", server.address);
    }
    let password = passwords.first().map(|p| p.as_str()).unwrap_or_default();
    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", servers.last().map(|s| s.address.as_str()).unwrap_or_default()))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await?;
    assert_eq!(login.status(), reqwest::StatusCode::OK, "the one printed password works on any replica");
    assert_eq!(rows_in(&database, "users").await?, 1);
    for server in servers {
        assert!(server.terminate().await?, "graceful shutdown exits 0");
    }
    Ok(())
}

/// A container's health check: `opsdeck healthcheck` asks `/readyz` and says so in its exit code,
/// without a shell or curl in the image.
#[tokio::test]
async fn healthcheck_exits_0_for_a_ready_server_and_1_naming_the_address_otherwise() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let server = serve(&database, &["--no-worker"]).await?;
    let address = server.address.trim_start_matches("http://").to_owned();

    let ready = opsdeck(&["healthcheck", "--address", &address], &[])?;
    assert_eq!(ready.status.code(), Some(0), "{}", stderr(&ready));
    assert_eq!(String::from_utf8_lossy(&ready.stdout).trim(), format!("ready: http://{address}/readyz"));
    // Without --address it asks OPSDECK_BIND, on loopback when that is a wildcard address.
    let port = address.rsplit(':').next().unwrap_or_default();
    let from_bind = opsdeck(&["healthcheck"], &[("OPSDECK_BIND", &format!("0.0.0.0:{port}"))])?;
    assert_eq!(from_bind.status.code(), Some(0), "{}", stderr(&from_bind));

    assert!(server.terminate().await?);
    let gone = opsdeck(&["healthcheck", "--address", &address], &[])?;
    assert_eq!(gone.status.code(), Some(1));
    assert!(stderr(&gone).starts_with(&format!("error: http://{address}/readyz does not answer")), "{}", stderr(&gone));
    Ok(())
}

/// A standalone worker answers its orchestrator on a small address of its own.
#[tokio::test]
async fn a_standalone_worker_serves_health_readiness_and_metrics_on_its_own_address() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let storage = database.scratch_dir.join("storage").display().to_string();
    let worker = Server::start_worker(
        &["--no-migrate"],
        &[
            ("OPSDECK_DATABASE_URL", &database.url),
            ("OPSDECK_WORKER_BIND", "127.0.0.1:0"),
            ("OPSDECK_STORAGE_DIR", &storage),
        ],
    )
    .await?;

    let health: serde_json::Value = reqwest::get(format!("{}/healthz", worker.address)).await?.json().await?;
    assert_eq!(health["status"], "ok");
    let ready: serde_json::Value = reqwest::get(format!("{}/readyz", worker.address)).await?.json().await?;
    assert_eq!(ready["status"], "ready");
    let metrics = reqwest::get(format!("{}/metrics", worker.address)).await?;
    assert_eq!(metrics.status(), reqwest::StatusCode::OK);
    let text = metrics.text().await?;
    assert!(text.contains("opsdeck_queue_depth{kind=\"export\"}"), "{text}");
    let checked = opsdeck(&["healthcheck", "--address", worker.address.trim_start_matches("http://")], &[])?;
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(worker.terminate().await?, "a worker stopped with SIGTERM exits 0");
    Ok(())
}

/// A stop (an orchestrator's SIGTERM) does not wait for browsers' live-event streams: they end
/// at once, so their clients reconnect to another instance, and the process is gone well within
/// the 10 s grace Docker gives.
#[tokio::test]
async fn serve_stops_promptly_on_sigterm_with_live_streams_open() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let server = serve(&database, &[]).await?;
    let password = server.admin_password.clone().ok_or("no password printed")?;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{}/api/v1/auth/login", server.address))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().ok_or("no token")?.to_owned();
    let mut streams = Vec::new();
    for _ in 0..5 {
        let stream = client.get(format!("{}/api/v1/events", server.address)).bearer_auth(&token).send().await?;
        assert_eq!(stream.status(), reqwest::StatusCode::OK);
        streams.push(stream);
    }

    let asked = std::time::Instant::now();
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(5), server.terminate()).await;
    assert!(matches!(stopped, Ok(Ok(true))), "stopped with exit 0 within 5 s: {stopped:?}");
    for stream in streams {
        // Each stream ended rather than being cut: its body completes.
        tokio::time::timeout(std::time::Duration::from_secs(1), stream.bytes()).await??;
    }
    eprintln!("stopped {:?} after SIGTERM with 5 open streams", asked.elapsed());
    Ok(())
}
