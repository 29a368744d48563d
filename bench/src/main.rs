//! `opsdeck-bench`: measures the release `opsdeck` server on a seeded data set, each figure
//! next to the same work done straight against the database in the same run, on SQLite and
//! PostgreSQL. `bash bench/run.sh` builds, installs wrk and runs it; README "Benchmarks" says
//! how to read the results.

mod alongside;
mod api;
mod baseline;
mod closed_loop;
mod database;
mod dataset;
mod endpoints;
mod ingest;
mod jobs;
mod load;
mod memory;
mod opsdeck;
mod report;
mod stats;

use std::{
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant, SystemTime},
};

use anyhow::Context;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use clap::{Parser, ValueEnum};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{
    alongside::{Alongside, Trickle, TrickleTarget},
    api::Api,
    database::Pool,
    dataset::DatasetSpec,
    ingest::Signer,
    load::Wrk,
    memory::PeakSampler,
    opsdeck::{BENCH_USERNAME, POOL_SIZE, Server, ServerSetup},
    report::{EngineReport, ExportScaling, JobComparison, LoadComparison, Machine, Memory, Report},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The parts of a run, for `--only`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// The GET endpoints under load.
    Load,
    /// Signed webhook deliveries under load.
    Ingest,
    /// The bulk discount: all products, then (`--bulk-large-rows`) products padded to 1M.
    Bulk,
    /// The audit log CSV export.
    Export,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Load => "load",
            Part::Ingest => "ingest",
            Part::Bulk => "bulk",
            Part::Export => "export",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Engines {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Parser)]
#[command(name = "opsdeck-bench", about = "opsdeck next to raw SQL, on SQLite and PostgreSQL")]
struct Args {
    #[arg(long, value_enum, default_value = "both")]
    engine: Engines,
    /// Data set scale (1 = 100k products, 1M audit rows); pristine copies are cached per scale.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Seed the pristine data sets again even when cached.
    #[arg(long)]
    reseed: bool,
    /// Length of each load run (each endpoint, the ingest, and each of their baselines).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent clients (wrk connections, webhook senders, baseline tasks).
    #[arg(long, default_value_t = 32)]
    clients: u32,
    #[arg(long, default_value = "target/release/opsdeck")]
    opsdeck: PathBuf,
    #[arg(long, default_value = "bench/data")]
    data_dir: PathBuf,
    #[arg(long, default_value = "bench/results")]
    results_dir: PathBuf,
    /// Measure only these parts (comma-separated, e.g. `--only bulk`); all of them by default.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Part>,
    /// The bulk discount's second case: after the other parts, the working copy's products are
    /// padded to this many rows (INSERT .. SELECT of copies) and the discount is measured again,
    /// next to its own raw baseline. 0 skips it.
    #[arg(long, default_value_t = 1_000_000)]
    bulk_large_rows: u64,
    /// The export's memory check (opt-in, minutes per engine at 10M): after the other parts, the
    /// working copy's audit log is padded to this many rows (INSERT .. SELECT of copies) and
    /// exported again, next to its own raw dump; its peak RSS is reported next to the first
    /// export's. 0 skips it; `--only export --export-large-rows 10000000` is the usual call.
    #[arg(long, default_value_t = 0)]
    export_large_rows: u64,
    /// Names this run's working copy (`bench/data/sqlite-<name>.db`, `opsdeck_bench_<name>`,
    /// `storage-<engine>-<name>`), so that two runs at once do not drop each other's.
    #[arg(long, default_value = "run")]
    copy_name: String,
    /// Where the bench may create its own databases (never the test suite's).
    #[arg(long, env = "BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
}

impl Args {
    /// Whether `--only` leaves this part in.
    fn wants(&self, part: Part) -> bool {
        self.only.is_empty() || self.only.contains(&part)
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|runtime| runtime.block_on(run(args)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let load_at_start = load_average();
    let engines = match args.engine {
        Engines::Sqlite => vec![Engine::Sqlite],
        Engines::Postgres => vec![Engine::Postgres],
        Engines::Both => vec![Engine::Sqlite, Engine::Postgres],
    };
    let mut reports = Vec::new();
    for engine in &engines {
        eprintln!("== {}", engine.name());
        reports.push(bench_engine(*engine, &args).await?);
    }
    let now = chrono::Utc::now();
    let machine = machine([load_at_start, load_average()]);
    let report = Report {
        date: now.format("%Y-%m-%d %H:%M UTC").to_string(),
        git_revision: git_revision(),
        scale: args.scale,
        seed: args.seed,
        clients: args.clients,
        seconds_per_load: args.seconds,
        engines: reports,
        total_seconds: started.elapsed().as_secs_f64(),
        machine,
    };
    let engine_names: Vec<&str> = engines.iter().map(|e| e.name()).collect();
    // A partial run is named for its parts, so it never overwrites a full run's results.
    let parts = if args.only.is_empty() {
        String::new()
    } else {
        format!("-only-{}", args.only.iter().map(|part| part.name()).collect::<Vec<_>>().join("-"))
    };
    let stem = format!(
        "{}-{}-{}cpu-scale-{}-{}{parts}",
        now.format("%Y-%m-%d"),
        report.machine.host,
        report.machine.cpus,
        args.scale,
        engine_names.join("-")
    );
    let written = report.write(&args.results_dir, &stem)?;
    write_stdout(&report.markdown());
    eprintln!("results: {} (and .json)", written.display());
    Ok(())
}

async fn bench_engine(engine: Engine, args: &Args) -> anyhow::Result<EngineReport> {
    let started = Instant::now();
    let duration = Duration::from_secs(args.seconds);
    let spec = DatasetSpec {
        opsdeck: &args.opsdeck,
        data_dir: &args.data_dir,
        postgres_admin_url: &args.postgres_url,
        scale: args.scale,
        seed: args.seed,
        reseed: args.reseed,
        copy_name: &args.copy_name,
    };
    let copy = dataset::working_copy(engine, &spec).await?;
    eprintln!("  working copy ready in {:.1} s", copy.origin.copy_seconds);
    opsdeck::migrate(&args.opsdeck, &copy.url)?;
    let password = hex::encode(ephemeral_secret("password"));
    opsdeck::create_bench_user(&args.opsdeck, &copy.url, &password)?;
    let pool = Pool::connect(&copy.url, POOL_SIZE).await?;
    let set_aside = set_aside_seeded_jobs(&pool).await?;
    eprintln!("  {set_aside} seeded queued or running jobs set aside");

    let webhook_secret = format!("whsec_{}", STANDARD.encode(ephemeral_secret("webhook")));
    let setup = ServerSetup {
        opsdeck: args.opsdeck.clone(),
        database_url: copy.url.clone(),
        storage_dir: args.data_dir.join(match args.copy_name.as_str() {
            "run" => format!("storage-{}", engine.name()),
            name => format!("storage-{}-{name}", engine.name()),
        }),
        log_dir: args.results_dir.join("tmp").join(engine.name()),
        jwt_signing_key: hex::encode(ephemeral_secret("jwt")),
        webhook_secret: webhook_secret.clone(),
    };
    if setup.storage_dir.exists() {
        std::fs::remove_dir_all(&setup.storage_dir).context("cannot clear the previous run's exports")?;
    }

    // The jobs, run by the server's embedded worker; their baselines after it stopped.
    let (mut bulk, mut export, mut export_memory) = (None, None, None);
    if args.wants(Part::Bulk) || args.wants(Part::Export) {
        let server = Server::start(&setup, true).await?;
        let api = Api::sign_in(&server.base_url, BENCH_USERNAME, &password).await?;
        let mut bulk_ours = None;
        if args.wants(Part::Bulk) {
            eprintln!("  bulk job: opsdeck");
            let ours = jobs::bulk_discount(&api).await?;
            eprintln!("    {:.0} rows/s", ours.rows_per_second);
            bulk_ours = Some(ours);
        }
        let mut export_ours = None;
        if args.wants(Part::Export) {
            eprintln!("  export job: opsdeck");
            let ours = jobs::export_audit_log(&api, server.pid()).await?;
            eprintln!("    {:.0} rows/s", ours.throughput.rows_per_second);
            export_ours = Some(ours);
        }
        server.stop().await?;
        if let Some(ours) = bulk_ours {
            eprintln!("  bulk job: raw SQL");
            let comparison = JobComparison::new(ours, baseline::bulk_discount(&pool).await?, BULK_METHOD);
            eprintln!(
                "    {:.0} rows/s (ratio {:.2})",
                comparison.baseline.rows_per_second, comparison.throughput_ratio
            );
            bulk = Some(comparison);
        }
        if let Some(ours) = export_ours {
            eprintln!("  export job: raw SQL");
            let export_raw = baseline::export_audit_log(&pool).await?;
            eprintln!("    {:.0} rows/s", export_raw.rows_per_second);
            export = Some(JobComparison::new(ours.throughput, export_raw, baseline::export_method(&pool)));
            export_memory = Some((ours.rss_before_mib, ours.peak_rss_mib));
        }
    }

    // The HTTP surface, with the worker elsewhere (none): each endpoint, then its raw SQL.
    let mut loads = Vec::new();
    let mut http_memory = None;
    if args.wants(Part::Load) || args.wants(Part::Ingest) {
        let server = Server::start(&setup, false).await?;
        let api = Api::sign_in(&server.base_url, BENCH_USERNAME, &password).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let idle_mib = memory::rss_mib(server.pid())?;
        let sampler = PeakSampler::start(server.pid());
        if args.wants(Part::Load) {
            let wrk = Wrk::new(&setup.log_dir, args.clients, duration)?;
            for endpoint in endpoints::list(&pool, &api).await? {
                eprintln!("  {}: opsdeck, then raw SQL", endpoint.name);
                let ours = wrk.run(&api.url(&endpoint.path), &api.token).await?;
                let raw = baseline::statements(&pool, &endpoint, args.clients, duration).await?;
                eprintln!("    {:.0} req/s (p99 {:.1} ms) vs {:.0} raw", ours.per_second, ours.p99_ms, raw.per_second);
                loads.push(LoadComparison::new(
                    &endpoint.name,
                    &format!("GET {}", endpoint.path),
                    ours,
                    raw,
                    endpoint.baseline_statements(&pool),
                ));
            }
        }
        if args.wants(Part::Ingest) {
            let (tenant_id, tenant_slug) = endpoints::a_tenant(&pool).await?;
            eprintln!("  webhook ingest: opsdeck, then raw SQL");
            let signer = Signer::new(&webhook_secret)?;
            let ours = ingest::deliver(&server.base_url, signer, &tenant_slug, args.clients, duration).await?;
            let raw = baseline::ingest(&pool, tenant_id, &tenant_slug, args.clients, duration).await?;
            eprintln!("    {:.0} deliveries/s vs {:.0} raw inserts/s", ours.per_second, raw.per_second);
            loads.push(LoadComparison::new(
                "webhook ingest (signed)",
                &format!("POST /api/v1/webhooks/{}", opsdeck::WEBHOOK_PROVIDER),
                ours,
                raw,
                vec![
                    "INSERT INTO webhook_events .. ON CONFLICT (provider, event_id) DO NOTHING RETURNING id".to_owned(),
                ],
            ));
        }
        let under_load_peak_mib = sampler.finish().await;
        server.stop().await?;
        http_memory = Some((idle_mib, under_load_peak_mib));
    }

    // The discount again over many more products, last: the padding changes the catalog.
    let (mut bulk_large, mut bulk_alongside) = (None, None);
    if args.wants(Part::Bulk) && args.bulk_large_rows > 0 {
        eprintln!("  padding products to {} rows", args.bulk_large_rows);
        let padding = Instant::now();
        let products = dataset::pad_products(&pool, args.bulk_large_rows).await?;
        eprintln!("    {products} products ({:.1} s)", padding.elapsed().as_secs_f64());
        let server = Server::start(&setup, true).await?;
        let api = Api::sign_in(&server.base_url, BENCH_USERNAME, &password).await?;
        let (tenant_id, tenant_slug) = endpoints::a_tenant(&pool).await?;
        let target = TrickleTarget { tenant_id, tenant_slug };
        let signer = Signer::new(&webhook_secret)?;
        let trickle = |target| Trickle::start(&server.base_url, &api, signer.clone(), target);
        eprintln!("  other work, alone for {} s", TRICKLE_ALONE.as_secs());
        let alone = trickle(target.clone());
        tokio::time::sleep(TRICKLE_ALONE).await;
        let idle = alone.finish().await?;
        eprintln!("  bulk job over {products} products: opsdeck, with other work alongside");
        let alongside = trickle(target);
        let ours = jobs::bulk_discount(&api).await?;
        let during_bulk = alongside.finish().await?;
        eprintln!(
            "    {:.0} rows/s; exports done in p50 {:.0} ms alone, {:.0} ms alongside",
            ours.rows_per_second, idle.export_done.p50_ms, during_bulk.export_done.p50_ms
        );
        bulk_alongside = Some(Alongside { idle, during_bulk });
        server.stop().await?;
        eprintln!("  bulk job over {products} products: raw SQL");
        let comparison = JobComparison::new(ours, baseline::bulk_discount(&pool).await?, BULK_METHOD);
        eprintln!("    {:.0} rows/s (ratio {:.2})", comparison.baseline.rows_per_second, comparison.throughput_ratio);
        bulk_large = Some(comparison);
    }

    // The export again over an audit log padded to many more rows, last: the padding drops the
    // log's secondary indexes. On a fresh server, like the first export under `--only export`.
    let mut export_large = None;
    if args.wants(Part::Export) && args.export_large_rows > 0 {
        eprintln!("  padding audit_log to {} rows", args.export_large_rows);
        let padding = Instant::now();
        let rows = dataset::pad_audit_log(&pool, args.export_large_rows).await?;
        let padding_seconds = padding.elapsed().as_secs_f64();
        eprintln!("    {rows} entries ({padding_seconds:.1} s)");
        let server = Server::start(&setup, true).await?;
        let api = Api::sign_in(&server.base_url, BENCH_USERNAME, &password).await?;
        eprintln!("  export job over {rows} audit rows: opsdeck");
        let ours = jobs::export_audit_log(&api, server.pid()).await?;
        eprintln!("    {:.0} rows/s, peak VmRSS {:.0} MiB", ours.throughput.rows_per_second, ours.peak_rss_mib);
        server.stop().await?;
        // Gigabytes of CSV: gone before the raw dump reads the disk.
        let _ = std::fs::remove_dir_all(setup.storage_dir.join("exports"));
        eprintln!("  export job over {rows} audit rows: raw SQL");
        let raw = baseline::export_audit_log(&pool).await?;
        let comparison = JobComparison::new(ours.throughput, raw, baseline::export_method(&pool));
        eprintln!("    {:.0} rows/s (ratio {:.2})", comparison.baseline.rows_per_second, comparison.throughput_ratio);
        export_large = Some(ExportScaling::new(
            comparison,
            padding_seconds,
            ours.rss_before_mib,
            ours.peak_rss_mib,
            export_memory.map(|(_, peak)| peak),
        ));
    }
    pool.close().await;

    Ok(EngineReport {
        engine,
        dataset: copy.origin,
        loads,
        bulk,
        bulk_large,
        bulk_alongside,
        export,
        export_large,
        memory: Memory {
            idle_mib: http_memory.map(|(idle, _)| idle),
            under_load_peak_mib: http_memory.map(|(_, peak)| peak),
            before_export_mib: export_memory.map(|(before, _)| before),
            export_peak_mib: export_memory.map(|(_, peak)| peak),
        },
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// How long the reference trickle of other work runs with no bulk job.
const TRICKLE_ALONE: Duration = Duration::from_secs(5);

const BULK_METHOD: &str = "UPDATE, 500 rows per transaction";

/// The seeded data set has jobs queued and running "right now" (hundreds of exports at scale 1);
/// the worker would run the queued ones, and take back the running ones once their lease
/// expires, alongside the measured job. In the working copy, the queued ones are moved a year
/// ahead and the running ones' heartbeats too; statuses stay as seeded.
async fn set_aside_seeded_jobs(pool: &Pool) -> anyhow::Result<u64> {
    let later = chrono::Utc::now() + chrono::Duration::days(365);
    let mut moved = 0;
    for table in ["export_jobs", "webhook_events", "bulk_jobs", "kpi_rebuild_jobs"] {
        moved += pool.execute_at(&format!("UPDATE {table} SET run_after = $1 WHERE status = 'PENDING'"), later).await?;
        moved +=
            pool.execute_at(&format!("UPDATE {table} SET heartbeat_at = $1 WHERE status = 'RUNNING'"), later).await?;
    }
    Ok(moved)
}

/// 32 bytes no one can guess from outside this run: credentials of a throwaway server.
fn ephemeral_secret(purpose: &str) -> [u8; 32] {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    Sha256::digest(format!("{purpose}:{}:{}:{:p}", now.as_nanos(), std::process::id(), &now)).into()
}

/// The 1-minute load average.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

fn machine(load_average: [Option<f64>; 2]) -> Machine {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map_or_else(|_| "unknown".to_owned(), |h| h.trim().to_owned());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':').map(|(_, model)| model.trim().to_owned()));
    let memory_gib = memory::total_kib().ok().map(|kib| kib as f64 / 1024.0 / 1024.0);
    Machine {
        host,
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model,
        memory_gib,
        load_average,
    }
}

fn git_revision() -> Option<String> {
    let output = std::process::Command::new("git").args(["describe", "--always", "--dirty"]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[allow(clippy::print_stdout)]
fn write_stdout(text: &str) {
    print!("{text}");
}
