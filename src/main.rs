//! `opsdeck`: the one binary. API server, migrations, demo data, users, OpenAPI document,
//! audit log checks.

use std::{
    io::Read,
    net::{Ipv4Addr, Ipv6Addr},
    process::ExitCode,
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use opsdeck_api::{
    Application, ProbeServer,
    config::{Config, HttpSettings},
};
use opsdeck_domain::{
    Db, audit,
    config::{LogFormat, Settings},
    enums::Role,
    identity::{
        password::{PasswordOwner, generate_password_for},
        users,
    },
    kpis,
};
use opsdeck_seed as seed;
use opsdeck_worker::Worker;
use secrecy::ExposeSecret;
use tracing_subscriber::{EnvFilter, fmt};

#[derive(Parser)]
#[command(name = "opsdeck", version, about = "Operations console of a multi-tenant platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the SPA when built); migrates first unless told not to.
    Serve(ServeArgs),
    /// Run the background worker alone (exports and other jobs); stops gracefully on SIGTERM.
    Worker(WorkerArgs),
    /// Apply pending database migrations (a no-op when there are none).
    Migrate,
    /// Exit 0 when `/readyz` at the address answers ready (for container health checks).
    Healthcheck(HealthcheckArgs),
    /// Load generated data into an empty database.
    Seed(SeedArgs),
    /// Manage staff users.
    #[command(subcommand)]
    User(UserCommand),
    /// Daily KPIs.
    #[command(subcommand)]
    Kpi(KpiCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Check and maintain the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Args)]
struct ServeArgs {
    /// Do not run migrations at start (same as OPSDECK_MIGRATE_ON_START=false).
    #[arg(long)]
    no_migrate: bool,
    /// Do not run the background worker in this process (run `opsdeck worker` elsewhere).
    #[arg(long)]
    no_worker: bool,
    /// Seed the small demo data set (scale 0.01) when the database has no tenants yet.
    #[arg(long)]
    demo: bool,
}

#[derive(Args)]
struct WorkerArgs {
    /// Do not run migrations at start (same as OPSDECK_MIGRATE_ON_START=false).
    #[arg(long)]
    no_migrate: bool,
}

#[derive(Args)]
struct HealthcheckArgs {
    /// `host:port` to ask; default: OPSDECK_BIND (a wildcard address is asked on loopback).
    #[arg(long)]
    address: Option<String>,
}

#[derive(Args)]
struct SeedArgs {
    /// The demo data set (tenants, catalog, orders, jobs, events, audit log, KPIs).
    #[arg(long, required = true)]
    demo: bool,
    /// 1 = 20 tenants, 100k products, 200k orders, 1M audit rows; 0.01 for a small set.
    #[arg(long, default_value_t = 0.01)]
    scale: f64,
    /// The same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Subcommand)]
enum KpiCommand {
    /// Rebuild the daily KPIs of a range of days now (every tenant and the platform).
    Backfill {
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day, inclusive.
        #[arg(long)]
        to: chrono::NaiveDate,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints a generated password unless --password-stdin is given.
    Create {
        #[arg(long)]
        username: String,
        /// superadmin, ops, support, partner_admin or partner_viewer.
        #[arg(long)]
        role: Role,
        /// The tenant's slug (partner roles only).
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; fails naming the first changed, removed or inserted entry.
    Verify,
    /// Delete entries past the retention period; the chain still verifies afterwards.
    Prune {
        /// Delete entries older than this many days (default: OPSDECK_AUDIT_RETENTION_DAYS).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
        older_than_days: Option<u32>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|runtime| runtime.block_on(run(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        let document = opsdeck_api::openapi::document().to_pretty_json()?;
        write_stdout(&format!("{document}\n"));
        return Ok(());
    }
    let Config { settings, http, unrecognised_variables } = load_config()?;
    let (settings, http) = (Arc::new(settings), Arc::new(http));
    if let Command::Healthcheck(args) = &cli.command {
        return healthcheck(&http, args.address.as_deref()).await;
    }
    init_tracing(settings.log.format);
    if !unrecognised_variables.is_empty() {
        tracing::info!(variables = ?unrecognised_variables, "ignoring OPSDECK_* variables that are no setting");
    }
    let db = Db::connect(settings.database.url.expose_secret(), settings.database.max_connections).await?;
    match cli.command {
        Command::Serve(args) => serve(settings, http, db, args).await,
        Command::Worker(args) => {
            if settings.database.migrate_on_start && !args.no_migrate {
                db.migrate().await?;
            }
            let stop = shutdown_signal()?;
            let probes = ProbeServer::build(http.worker_probe_bind, db.clone())?;
            let address = probes.address();
            let probes = probes.spawn();
            let worker = Worker::start(db, settings).await?;
            write_stdout(&format!(
                "opsdeck worker is running; probes on http://{address} (/healthz, /readyz, /metrics)\n"
            ));
            stop.await;
            worker.shutdown().await;
            probes.stop(true).await;
            Ok(())
        }
        Command::Migrate => {
            let applied = db.migrate().await?;
            write_stdout(&format!("migrations applied: {applied}\n"));
            Ok(())
        }
        Command::Seed(args) => {
            db.migrate().await?;
            let report = seed::seed_demo(&db, seed_options(args.scale, args.seed)?).await?;
            write_stdout(&format!("{}\n", describe(&report)));
            Ok(())
        }
        Command::User(UserCommand::Create { username, role, tenant, display_name, email, password_stdin }) => {
            let password = if password_stdin {
                read_password_from_stdin()?
            } else {
                let owner = PasswordOwner {
                    username: &username,
                    display_name: display_name.as_deref(),
                    email: email.as_deref(),
                };
                generate_password_for(&owner)
            };
            let user = users::create(
                &db,
                users::NewUser { username, display_name, email, password: password.clone(), role, tenant_slug: tenant },
            )
            .await?;
            write_stdout(&format!("created user {} (id {}) with role {}\n", user.username, user.id, role.as_str()));
            if !password_stdin {
                write_stdout(&format!("password (shown once): {password}\n"));
            }
            Ok(())
        }
        Command::Audit(command) => audit(&settings, &db, command).await,
        Command::Kpi(KpiCommand::Backfill { from, to }) => {
            if to < from || (to - from).num_days() >= kpis::MAX_REBUILD_DAYS {
                bail!("--to must be on or after --from, at most {} days later", kpis::MAX_REBUILD_DAYS - 1);
            }
            let mut day = from;
            while day <= to {
                kpis::build_day(&db, day, settings.kpi.timezone).await?;
                day += chrono::Duration::days(1);
            }
            write_stdout(&format!("KPIs rebuilt for {} days ({from} to {to})\n", (to - from).num_days() + 1));
            Ok(())
        }
        Command::Openapi | Command::Healthcheck(_) => Ok(()),
    }
}

async fn audit(settings: &Settings, db: &Db, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => {
            let report = audit::verify::verify(db).await?;
            if let Some(broken) = report.broken {
                bail!("audit chain broken at entry {}: {}", broken.id, broken.reason);
            }
            let ids = match (report.first_id, report.last_id) {
                (Some(first), Some(last)) => format!(" (ids {first}..{last})"),
                _ => String::new(),
            };
            write_stdout(&format!("audit chain verified: {}{ids}\n", entries(report.entries)));
            Ok(())
        }
        AuditCommand::Prune { older_than_days } => {
            let days = older_than_days.unwrap_or(settings.audit.retention_days);
            let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
            let report = audit::retention::prune(db, cutoff).await?;
            write_stdout(&format!(
                "audit log pruned: {} older than {} deleted; the chain now starts after entry {}\n",
                entries(report.deleted),
                cutoff.format("%Y-%m-%d %H:%M:%S UTC"),
                report.anchor_id,
            ));
            Ok(())
        }
    }
}

async fn serve(settings: Arc<Settings>, http: Arc<HttpSettings>, db: Db, args: ServeArgs) -> anyhow::Result<()> {
    if settings.database.migrate_on_start && !args.no_migrate {
        let applied = db.migrate().await?;
        tracing::info!(applied, "database migrated");
    }
    if let Some((username, password)) = users::ensure_first_superadmin(&db).await? {
        write_stdout(&format!(
            "\nCreated the first superadmin.\n  username: {username}\n  password: {password}\n  \
             (shown once; store it now. Create more users with `opsdeck user create`.)\n\n"
        ));
    }
    if args.demo && !seed::has_demo_data(&db).await? {
        let report = seed::seed_demo(&db, seed_options(0.01, 42)?).await?;
        tracing::info!(summary = describe(&report), "demo data loaded");
    }
    let worker = if args.no_worker { None } else { Some(Worker::start(db.clone(), settings.clone()).await?) };
    let address = http.bind.ip();
    let application = Application::build(settings.clone(), http, db)?;
    let address = format!("http://{address}:{}", application.port());
    write_stdout(&format!("opsdeck is serving on {address} (API docs: {address}/api/docs)\n"));
    // actix stops on SIGINT/SIGTERM after in-flight requests; the worker then finishes its jobs.
    application.run_until_stopped().await?;
    if let Some(worker) = worker {
        worker.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Asks `/readyz` once, with a short timeout; anything but a ready answer is an error.
async fn healthcheck(http: &HttpSettings, address: Option<&str>) -> anyhow::Result<()> {
    let address = match address {
        Some(address) => address.to_owned(),
        None => {
            let mut bind = http.bind;
            if bind.ip().is_unspecified() {
                bind.set_ip(if bind.is_ipv4() { Ipv4Addr::LOCALHOST.into() } else { Ipv6Addr::LOCALHOST.into() });
            }
            bind.to_string()
        }
    };
    let url = format!("http://{address}/readyz");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let response = client.get(&url).send().await.with_context(|| format!("{url} does not answer"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if status.is_success() && body["status"] == "ready" {
        write_stdout(&format!("ready: {url}\n"));
        Ok(())
    } else {
        bail!("{url} is not ready: {status} {body}")
    }
}

fn entries(count: u64) -> String {
    format!("{count} {}", if count == 1 { "entry" } else { "entries" })
}

fn describe(report: &seed::SeedReport) -> String {
    format!(
        "seeded in {:.1} s: {} tenants, {} products, {} orders, {} customers, {} articles, {} comments, \
         {} webhook events, {} export jobs, {} audit rows, {} days of KPIs",
        report.elapsed.as_secs_f64(),
        report.tenants,
        report.products,
        report.orders,
        report.customers,
        report.articles,
        report.comments,
        report.webhook_events,
        report.export_jobs,
        report.audit_rows,
        report.kpi_days,
    )
}

fn seed_options(scale: f64, seed_value: u64) -> anyhow::Result<seed::SeedOptions> {
    if !(scale > 0.0 && scale <= 100.0) {
        bail!("--scale must be greater than 0 and at most 100");
    }
    Ok(seed::SeedOptions { scale, seed: seed_value, now: chrono::Utc::now() })
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).context("cannot read the password from standard input")?;
    let password = input.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
}

/// Resolves on SIGINT or SIGTERM. Listens from the moment it is called, so a signal that
/// arrives while the process is still starting is not lost.
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down");
    })
}

/// The optional `OPSDECK_CONFIG_FILE` holds `KEY=value` lines; real environment variables win.
fn load_config() -> anyhow::Result<Config> {
    if let Ok(path) = std::env::var("OPSDECK_CONFIG_FILE") {
        dotenvy::from_path(&path).with_context(|| format!("OPSDECK_CONFIG_FILE: cannot read {path}"))?;
    }
    Ok(Config::from_env()?)
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_env("OPSDECK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

/// Command output goes to stdout; logs go to stderr.
#[allow(clippy::print_stdout)]
fn write_stdout(text: &str) {
    print!("{text}");
}
