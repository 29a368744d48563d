//! Driving the release `opsdeck` binary: one-shot commands and the server under test.

use std::{
    fs::File,
    io::Write,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

/// The webhook provider the ingest benchmark delivers to (`/api/v1/webhooks/bench`).
pub const WEBHOOK_PROVIDER: &str = "bench";
pub const BENCH_USERNAME: &str = "bench";
/// The server's connection pool (opsdeck's default), which the raw baselines get too.
pub const POOL_SIZE: u32 = 10;

/// `opsdeck` with only the variables we set: an `OPSDECK_*` left in the caller's shell must not
/// change what is measured (and opsdeck refuses unknown ones).
pub fn opsdeck_command(opsdeck: &Path, database_url: &str) -> Command {
    let mut command = Command::new(opsdeck);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OPSDECK_") {
            command.env_remove(&name);
        }
    }
    command.env("OPSDECK_DATABASE_URL", database_url);
    command
}

/// Brings a cached data set up to this binary's schema (a no-op when it is).
pub fn migrate(opsdeck: &Path, database_url: &str) -> anyhow::Result<()> {
    let status = opsdeck_command(opsdeck, database_url)
        .arg("migrate")
        .stdout(Stdio::null())
        .status()
        .context("cannot run opsdeck migrate")?;
    if !status.success() {
        bail!("opsdeck migrate failed ({status})");
    }
    Ok(())
}

/// Creates the staff user the benchmark signs in as (ops: reads everything, runs jobs).
pub fn create_bench_user(opsdeck: &Path, database_url: &str, password: &str) -> anyhow::Result<()> {
    let mut child = opsdeck_command(opsdeck, database_url)
        .args(["user", "create", "--username", BENCH_USERNAME, "--role", "ops", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("cannot run opsdeck user create")?;
    child.stdin.take().context("no stdin")?.write_all(password.as_bytes())?;
    let status = child.wait()?;
    if !status.success() {
        bail!("opsdeck user create failed ({status})");
    }
    Ok(())
}

/// Everything a server start needs besides whether it runs the worker.
pub struct ServerSetup {
    pub opsdeck: PathBuf,
    pub database_url: String,
    pub storage_dir: PathBuf,
    pub log_dir: PathBuf,
    pub jwt_signing_key: String,
    pub webhook_secret: String,
}

/// A running `opsdeck serve`, stopped with SIGTERM by [`Server::stop`].
pub struct Server {
    child: Child,
    pub base_url: String,
}

impl Server {
    pub async fn start(setup: &ServerSetup, worker: bool) -> anyhow::Result<Self> {
        let port = free_port()?;
        std::fs::create_dir_all(&setup.log_dir)?;
        let log_name = if worker { "serve-with-worker.log" } else { "serve.log" };
        let log = File::create(setup.log_dir.join(log_name)).context("cannot create the server log")?;
        let mut command = opsdeck_command(&setup.opsdeck, &setup.database_url);
        command
            .arg("serve")
            .envs([
                ("OPSDECK_BIND", format!("127.0.0.1:{port}")),
                ("OPSDECK_DATABASE_MAX_CONNECTIONS", POOL_SIZE.to_string()),
                ("OPSDECK_JWT_SIGNING_KEY", setup.jwt_signing_key.clone()),
                ("OPSDECK_STORAGE_DIR", setup.storage_dir.display().to_string()),
                (&format!("OPSDECK_WEBHOOK_SECRET_{}", WEBHOOK_PROVIDER.to_uppercase()), setup.webhook_secret.clone()),
                // The seeded audit log spans a year: the default 90-day retention would have
                // the worker's hourly prune delete most of it in the middle of a measurement.
                ("OPSDECK_AUDIT_RETENTION_DAYS", "3650".to_owned()),
                // A worker on a fresh database catches up the nightly KPI slot at once; a yearly
                // slot keeps that rebuild out of the measured jobs.
                ("OPSDECK_KPI_SCHEDULE", "0 0 3 1 1 *".to_owned()),
            ])
            .stdout(log.try_clone()?)
            .stderr(log);
        if !worker {
            command.arg("--no-worker");
        }
        let child = command.spawn().context("cannot start opsdeck serve")?;
        let mut server = Self { child, base_url: format!("http://127.0.0.1:{port}") };
        server.wait_until_ready().await?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            if let Some(status) = self.child.try_wait()? {
                bail!("opsdeck serve exited during start-up ({status}); see its log");
            }
            let ready = client.get(format!("{}/readyz", self.base_url)).send().await;
            if ready.is_ok_and(|response| response.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("opsdeck serve was not ready within 120 s")
    }

    /// Graceful stop (in-flight requests and jobs finish), forced after 40 s.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        // std has no way to send SIGTERM (and unsafe code is forbidden here): ask kill(1).
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(40) {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    /// A benchmark that fails half-way must not leave a server behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A port free on loopback now (the OS picks it; the server binds it right after).
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
