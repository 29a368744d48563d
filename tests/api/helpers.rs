//! The test harness: each test spawns the app on port 0 against its own fresh database and
//! talks HTTP, like an integrator. SQLite by default; PostgreSQL when
//! `OPSDECK_TEST_POSTGRES_URL` is set (a fresh database per test, copied from a migrated
//! template so it stays fast).
//!
//! Where a response's shape matters the tests compare it with an insta snapshot
//! (`tests/api/snapshots/`), ids, times and tokens redacted so that both engines give the same
//! one. A missing or different snapshot fails the test: locally insta leaves the new one beside
//! it as `.snap.new` for `cargo insta review`; with `CI=true` it writes nothing. Only
//! `INSTA_UPDATE=always` or `INSTA_FORCE_PASS` would let a test pass on a new snapshot: neither
//! belongs in CI.

use std::{
    fmt::Debug,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use opsdeck_api::{Application, config::Config};
use opsdeck_domain::{
    Db,
    config::Settings,
    enums::Role,
    identity::users::{self, NewUser},
};
use opsdeck_worker::Worker;
use reqwest::{StatusCode, header};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const SIGNING_KEY: &str = "test-signing-key-0123456789abcdef0123456789";

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub client: reqwest::Client,
    pub settings: Arc<Settings>,
    /// Statements the server (its HTTP workers and its change feed) has run so far.
    pub server_statements: Arc<AtomicU64>,
    database: TestDatabase,
}

impl TestApp {
    /// The database goes away under the running server: SQLite's one pool is closed; a
    /// PostgreSQL database is dropped, which ends every worker's connections and refuses new ones.
    pub async fn lose_the_database(&self) -> TestResult {
        match &self.database.postgres {
            Some((admin_url, name)) => {
                let admin = Database::connect(admin_url).await?;
                admin.execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)")).await?;
            }
            None => self.db.clone().close().await,
        }
        Ok(())
    }

    pub async fn spawn() -> TestResult<Self> {
        Self::spawn_with(&[]).await
    }

    /// Spawns with extra `OPSDECK_*` variables on top of the test defaults.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestResult<Self> {
        let database = TestDatabase::fresh().await?;
        let storage = database.scratch_dir.join("storage");
        let mut vars = vec![
            ("OPSDECK_DATABASE_URL".to_owned(), database.url.clone()),
            ("OPSDECK_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            ("OPSDECK_JWT_SIGNING_KEY".to_owned(), SIGNING_KEY.to_owned()),
            ("OPSDECK_STORAGE_DIR".to_owned(), storage.display().to_string()),
            // No nightly KPI slot in reach: a worker started by a test rebuilds only when asked.
            ("OPSDECK_KPI_SCHEDULE".to_owned(), "0 0 0 1 1 * 2099".to_owned()),
        ];
        vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let config = Config::from_vars(vars)?;
        let settings = Arc::new(config.settings);
        let db = Db::connect(&database.url, 5).await?;
        let server_statements = Arc::new(AtomicU64::new(0));
        let counter = server_statements.clone();
        let observed = db.observed(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let application = Application::build(settings.clone(), Arc::new(config.http), observed)?;
        let address = format!("http://127.0.0.1:{}", application.port());
        tokio::spawn(application.run_until_stopped());
        let client =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build()?;
        Ok(Self { address, db, client, settings, server_statements, database })
    }

    /// Spawns the app with a background worker tuned for tests (fast polling, short leases).
    pub async fn spawn_with_worker(extra: &[(&str, &str)]) -> TestResult<(Self, Worker)> {
        let mut vars =
            vec![("OPSDECK_WORKER_POLL_MS", "100"), ("OPSDECK_JOB_BACKOFF_SECS", "0"), ("OPSDECK_JOB_LEASE_SECS", "2")];
        vars.extend_from_slice(extra);
        let app = Self::spawn_with(&vars).await?;
        let worker = app.start_worker().await?;
        Ok((app, worker))
    }

    /// Another worker on the same database, as a second process would be.
    pub async fn start_worker(&self) -> TestResult<Worker> {
        Ok(Worker::start(self.db.clone(), self.settings.clone()).await?)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> TestResult<reqwest::Response> {
        Ok(self.client.get(self.url(path)).send().await?)
    }

    pub async fn get_as(&self, token: &str, path: &str) -> TestResult<reqwest::Response> {
        Ok(self.client.get(self.url(path)).bearer_auth(token).send().await?)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResult<reqwest::Response> {
        Ok(self.client.post(self.url(path)).json(body).send().await?)
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> TestResult<reqwest::Response> {
        Ok(self.client.post(self.url(path)).bearer_auth(token).json(body).send().await?)
    }

    pub async fn patch_as(&self, token: &str, path: &str, body: &Value) -> TestResult<reqwest::Response> {
        Ok(self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await?)
    }

    /// Creates an integrator token over HTTP, confirming with the creator's current password.
    pub async fn create_token(&self, bearer: &str, password: &str, body: Value) -> TestResult<reqwest::Response> {
        let mut body = body;
        body["password"] = password.into();
        self.post_as(bearer, "/api/v1/tokens", &body).await
    }

    /// The secret of a new integrator token.
    pub async fn token_secret(&self, bearer: &str, password: &str, body: Value) -> TestResult<String> {
        let response = self.create_token(bearer, password, body).await?;
        let status = response.status();
        let created: Value = response.json().await?;
        created["secret"].as_str().map(str::to_owned).ok_or_else(|| format!("no token: {status} {created}").into())
    }

    /// Creates a user with one role directly in the database; returns its password.
    pub async fn user(&self, username: &str, role: Role, tenant_slug: Option<&str>) -> TestResult<String> {
        let password = "quartz-lantern-drizzle-48".to_owned();
        users::create(
            &self.db,
            NewUser {
                username: username.to_owned(),
                display_name: None,
                email: None,
                password: password.clone(),
                role,
                tenant_slug: tenant_slug.map(str::to_owned),
            },
        )
        .await?;
        Ok(password)
    }

    /// Logs in over HTTP (with a client of its own, so cookies do not mix); returns the token.
    pub async fn login(&self, username: &str, password: &str) -> TestResult<String> {
        Ok(self.browser_login(username, password).await?.1)
    }

    /// Logs in with a browser of its own, which keeps the refresh cookie; returns it and the access token.
    pub async fn browser_login(&self, username: &str, password: &str) -> TestResult<(reqwest::Client, String)> {
        let browser = reqwest::Client::builder().cookie_store(true).build()?;
        let response = browser
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        let access = body["access_token"].as_str().ok_or_else(|| format!("login failed: {status} {body}"))?.to_owned();
        Ok((browser, access))
    }

    /// A user with `role` (in `tenant_slug` for partner roles), logged in.
    pub async fn signed_in(&self, username: &str, role: Role, tenant_slug: Option<&str>) -> TestResult<String> {
        let password = self.user(username, role, tenant_slug).await?;
        self.login(username, &password).await
    }

    /// The small demo data set: two tenants with shops, products, orders, customers and more.
    pub async fn seed(&self) -> TestResult<Vec<(i64, String)>> {
        opsdeck_seed::seed_demo(&self.db, opsdeck_seed::SeedOptions { scale: 0.01, seed: 7, now: chrono::Utc::now() })
            .await?;
        let rows = self
            .db
            .conn()
            .query_all_raw(Statement::from_string(self.db.backend(), "SELECT id, slug FROM tenants ORDER BY id"))
            .await?;
        rows.iter().map(|row| Ok((row.try_get::<i64>("", "id")?, row.try_get::<String>("", "slug")?))).collect()
    }

    /// A single text value from SQL.
    pub async fn string(&self, sql: &str) -> TestResult<String> {
        self.scalar(sql).await
    }

    /// A single number from SQL, for assertions on the database.
    pub async fn count(&self, sql: &str) -> TestResult<i64> {
        self.scalar(sql).await
    }

    async fn scalar<T: sea_orm::TryGetable>(&self, sql: &str) -> TestResult<T> {
        let row = self
            .db
            .conn()
            .query_one_raw(Statement::from_string(self.db.backend(), sql.to_owned()))
            .await?
            .ok_or("no row")?;
        Ok(row.try_get_by_index::<T>(0)?)
    }
}

/// A problem answer (RFC 9457) as a client reads it. Compares with `(status, code)`, or with
/// `(status, code, fields)` to also name the fields its `errors` list, in order.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: String,
    /// The `field` of each entry of `errors`.
    pub fields: Vec<String>,
    /// The whole document, for a snapshot.
    pub body: Value,
}

impl PartialEq<(StatusCode, &str)> for Problem {
    fn eq(&self, (status, code): &(StatusCode, &str)) -> bool {
        self.status == *status && self.code == *code
    }
}

impl PartialEq<(StatusCode, &str, &[&str])> for Problem {
    fn eq(&self, (status, code, fields): &(StatusCode, &str, &[&str])) -> bool {
        self.status == *status && self.code == *code && self.fields == *fields
    }
}

/// Reads a problem answer, checking that it is `application/problem+json`.
pub async fn problem(response: reqwest::Response) -> TestResult<Problem> {
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = response.json().await?;
    assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{status} {body}");
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    let fields = body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Ok(Problem { status, code, fields, body })
}

/// A snapshot redaction for what differs between runs or engines (ids, times, tokens): the value
/// becomes `label`, but `null` stays `null`, so the snapshot still tells which ones are set.
pub fn redacted(label: &'static str) -> insta::internals::Redaction {
    insta::dynamic_redaction(move |value, _| if value.is_nil() { value } else { label.into() })
}

/// How long a poll waits between two looks: short enough to catch a job mid-way.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Looks with `observe` until `done` holds for what it saw, and returns that. Fails after
/// `within`, naming what was `awaited` and the last thing seen.
pub async fn eventually<T: Debug>(
    awaited: &str,
    within: Duration,
    mut observe: impl AsyncFnMut() -> TestResult<T>,
    done: impl Fn(&T) -> bool,
) -> TestResult<T> {
    let deadline = Instant::now() + within;
    loop {
        let seen = observe().await?;
        if done(&seen) {
            return Ok(seen);
        }
        if Instant::now() >= deadline {
            return Err(format!("{awaited}: not within {within:?}; last seen: {seen:?}").into());
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// A wait that never ends fails the test, saying what it waited for and what it saw last.
#[tokio::test]
async fn eventually_gives_up_naming_what_it_awaited_and_what_it_saw_last() {
    let mut looks = 0;
    let count = async || {
        looks += 1;
        TestResult::Ok(looks)
    };
    let outcome = eventually("the count to reach 1000", Duration::from_millis(100), count, |n| *n >= 1000).await;
    let message = outcome.err().map(|error| error.to_string()).unwrap_or_default();
    assert!(message.starts_with("the count to reach 1000: not within 100ms; last seen: "), "{message}");
}

/// A database of its own for one test; removed when dropped.
pub struct TestDatabase {
    pub url: String,
    pub scratch_dir: PathBuf,
    postgres: Option<(String, String)>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos % 1_000_000_000)
}

impl TestDatabase {
    pub async fn fresh() -> TestResult<Self> {
        let scratch_dir = std::env::temp_dir().join(format!("opsdeck-test-{}", unique_name()));
        std::fs::create_dir_all(&scratch_dir)?;
        match std::env::var("OPSDECK_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty()) {
            Some(admin_url) => {
                let name = format!("opsdeck_test_{}", unique_name());
                create_postgres_database(&admin_url, &name).await?;
                let url = replace_database(&admin_url, &name);
                Ok(Self { url, scratch_dir, postgres: Some((admin_url, name)) })
            }
            None => {
                let url = format!("sqlite://{}", scratch_dir.join("opsdeck.db").display());
                let db = Db::connect(&url, 1).await?;
                db.migrate().await?;
                db.close().await;
                Ok(Self { url, scratch_dir, postgres: None })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch_dir);
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs outside async context: use a short-lived runtime on its own thread.
            let dropper = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let admin = Database::connect(&admin_url).await.ok()?;
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok()
                })
            });
            let _ = dropper.join();
        }
    }
}

/// Swaps the database name at the end of a PostgreSQL URL.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Copies a migrated template (built once per schema version, under an advisory lock so that
/// concurrent test processes neither race to build it nor copy it while it is in use).
async fn create_postgres_database(admin_url: &str, name: &str) -> TestResult {
    let fingerprint = hex::encode(Sha256::digest(opsdeck_migrations::SOURCES.concat().as_bytes()));
    let template = format!("opsdeck_tpl_{}", &fingerprint[..16]);
    // One connection: a session-level advisory lock belongs to the connection that took it.
    let admin = Database::connect(sea_orm::ConnectOptions::new(admin_url).max_connections(1).to_owned()).await?;
    admin.execute_unprepared("SELECT pg_advisory_lock(727274)").await?;
    let outcome = async {
        let exists = admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT 1 AS one FROM pg_database WHERE datname = '{template}'"),
            ))
            .await?
            .is_some();
        if !exists {
            admin.execute_unprepared(&format!("CREATE DATABASE \"{template}\"")).await?;
            let db = Db::connect(&replace_database(admin_url, &template), 1).await?;
            db.migrate().await?;
            db.close().await;
        }
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).await?;
        TestResult::Ok(())
    }
    .await;
    admin.execute_unprepared("SELECT pg_advisory_unlock(727274)").await?;
    outcome
}
