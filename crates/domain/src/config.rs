//! Typed configuration, parsed once at start-up from `OPSDECK_*` environment variables.
//!
//! Every variable has a default that works on a laptop; a value that does not parse stops
//! start-up with an error naming the variable. Secrets are wrapped so they never reach a log.
//! [`Settings`] are the domain's; the HTTP server reads its own settings from the same
//! [`Variables`] (`opsdeck_api::config`), which also checks every name against both layers'.

use std::{collections::BTreeMap, net::IpAddr, path::PathBuf, str::FromStr, time::Duration};

use ipnet::IpNet;
use secrecy::SecretString;

/// Why configuration could not be loaded. Always names the offending variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{variable}: {reason}")]
    Invalid { variable: String, reason: String },
}

impl ConfigError {
    pub fn invalid(variable: &str, reason: impl Into<String>) -> Self {
        Self::Invalid { variable: variable.to_owned(), reason: reason.into() }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub storage: StorageSettings,
    pub worker: WorkerSettings,
    pub webhooks: WebhookSettings,
    pub audit: AuditSettings,
    pub kpi: KpiSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: u32,
    /// Run pending migrations when `serve` or `worker` starts.
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone)]
pub struct SigningKey {
    pub kid: String,
    pub secret: SecretString,
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Signs new access tokens. `None`: a key is generated and kept in the storage directory.
    pub signing_key: Option<SigningKey>,
    /// Retired keys that still verify tokens they signed, so rotation logs nobody out.
    pub previous_keys: Vec<SigningKey>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a session (a login and all its refreshes) lasts at most, however often it is refreshed.
    pub session_lifetime: Duration,
    /// Roles whose users must complete TOTP at login.
    pub mfa_required_roles: Vec<String>,
    /// Failed password or TOTP checks per account in `login_window`.
    pub login_max_failures: u32,
    /// Failed checks per client address (an IPv6 client's /64) in `login_window`, for any
    /// accounts: high, so one office behind one address is not locked out by a few typos.
    pub login_max_failures_per_ip: u32,
    pub login_window: Duration,
}

#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// Local files: the generated signing key, export files (local backend) or their staging
    /// copies (object storage).
    pub dir: PathBuf,
    pub exports: ExportBackend,
}

/// Where finished export files are kept.
#[derive(Debug, Clone)]
pub enum ExportBackend {
    /// `<storage dir>/exports/`: one host.
    Local,
    /// S3-compatible object storage, `s3://bucket/prefix`. Any host serves any download.
    S3 {
        url: String,
        /// The usual `AWS_*` variables (credentials, region, `AWS_ENDPOINT_URL`,
        /// `AWS_ALLOW_HTTP`...), as set, for the S3 client to read.
        aws: Vec<(String, SecretString)>,
    },
}

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Jobs one worker process runs at once.
    pub concurrency: u32,
    /// Runs of a job before it is FAILED (retryable errors only; permanent ones fail at once).
    pub max_attempts: u32,
    /// Wait before the first retry; doubles with each further attempt (capped at an hour).
    pub backoff: Duration,
    /// A RUNNING job whose heartbeat is older than this is taken back from its dead worker.
    pub lease: Duration,
    /// How often the worker looks for due work nobody told it of (a retry whose backoff ran
    /// out, a lost notification) and for stale leases.
    pub poll_interval: Duration,
    /// How long a finished export file stays downloadable.
    pub export_ttl: Duration,
    /// Rows a bulk job changes per transaction (one chunk: applied, checkpointed, committed).
    pub bulk_chunk_size: u32,
}

#[derive(Debug, Clone, Default)]
pub struct WebhookSettings {
    /// Per provider (lower-case), the secrets that verify signatures; several allow rotation.
    pub secrets: BTreeMap<String, Vec<SecretString>>,
    pub tolerance: Duration,
}

/// When and how daily KPIs are built.
#[derive(Debug, Clone)]
pub struct KpiSettings {
    /// Days are calendar days in this time zone.
    pub timezone: chrono_tz::Tz,
    /// When the nightly rebuild runs (cron with seconds, in `timezone`).
    pub schedule: cron::Schedule,
    /// How many trailing days each nightly run rebuilds (late orders and events land there).
    pub window_days: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct AuditSettings {
    /// Entries older than this many days are pruned (`opsdeck audit prune`).
    pub retention_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct LogSettings {
    pub format: LogFormat,
}

const WEBHOOK_SECRET_PREFIX: &str = "OPSDECK_WEBHOOK_SECRET_";

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_variables(&Variables::from_env())
    }

    /// Parses a set of variables; only the `OPSDECK_*` ones are looked at, and the `AWS_*` ones
    /// when exports go to S3.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        Self::from_variables(&Variables::new(vars))
    }

    pub fn from_variables(vars: &Variables) -> Result<Self, ConfigError> {
        Ok(Self {
            database: DatabaseSettings {
                url: SecretString::from(vars.string("OPSDECK_DATABASE_URL", "sqlite://opsdeck.db")),
                max_connections: vars.parse_in("OPSDECK_DATABASE_MAX_CONNECTIONS", 10, 1..=1000)?,
                migrate_on_start: vars.flag("OPSDECK_MIGRATE_ON_START", true)?,
            },
            auth: AuthSettings {
                signing_key: vars.signing_key()?,
                previous_keys: vars.previous_keys()?,
                access_token_ttl: Duration::from_secs(vars.parse_in("OPSDECK_ACCESS_TOKEN_TTL_SECS", 900, 30..=900)?),
                refresh_token_ttl: Duration::from_secs(vars.parse_in(
                    "OPSDECK_REFRESH_TOKEN_TTL_SECS",
                    14 * 86_400,
                    300..=90 * 86_400,
                )?),
                session_lifetime: Duration::from_secs(vars.parse_in(
                    "OPSDECK_SESSION_LIFETIME_SECS",
                    30 * 86_400,
                    300..=365 * 86_400,
                )?),
                mfa_required_roles: vars.roles("OPSDECK_MFA_REQUIRED_ROLES")?,
                login_max_failures: vars.parse_in("OPSDECK_LOGIN_MAX_FAILURES", 5, 1..=1000)?,
                login_max_failures_per_ip: vars.parse_in("OPSDECK_LOGIN_MAX_FAILURES_PER_IP", 100, 1..=100_000)?,
                login_window: Duration::from_secs(vars.parse_in("OPSDECK_LOGIN_WINDOW_SECS", 900, 1..=86_400)?),
            },
            storage: StorageSettings {
                dir: PathBuf::from(vars.string("OPSDECK_STORAGE_DIR", "storage")),
                exports: vars.export_backend()?,
            },
            worker: WorkerSettings {
                concurrency: vars.parse_in("OPSDECK_WORKER_CONCURRENCY", 4, 1..=256)?,
                max_attempts: vars.parse_in("OPSDECK_JOB_MAX_ATTEMPTS", 5, 1..=100)?,
                backoff: Duration::from_secs(vars.parse_in("OPSDECK_JOB_BACKOFF_SECS", 10, 0..=3600)?),
                lease: Duration::from_secs(vars.parse_in("OPSDECK_JOB_LEASE_SECS", 60, 2..=3600)?),
                // A safety net: a queued job wakes a worker at once (`Db::job_signals`).
                poll_interval: Duration::from_millis(vars.parse_in("OPSDECK_WORKER_POLL_MS", 15_000, 50..=600_000)?),
                export_ttl: Duration::from_secs(3600 * vars.parse_in("OPSDECK_EXPORT_TTL_HOURS", 168, 1..=24 * 365)?),
                bulk_chunk_size: vars.parse_in("OPSDECK_BULK_CHUNK_SIZE", 500, 1..=10_000)?,
            },
            webhooks: WebhookSettings {
                secrets: vars.webhook_secrets()?,
                tolerance: Duration::from_secs(vars.parse_in("OPSDECK_WEBHOOK_TOLERANCE_SECS", 300, 1..=3600)?),
            },
            kpi: KpiSettings {
                timezone: vars.parse("OPSDECK_KPI_TIMEZONE", chrono_tz::Tz::UTC)?,
                schedule: vars.cron("OPSDECK_KPI_SCHEDULE", "0 30 2 * * *")?,
                window_days: vars.parse_in("OPSDECK_KPI_WINDOW_DAYS", 3, 1..=31)?,
            },
            audit: AuditSettings { retention_days: vars.parse_in("OPSDECK_AUDIT_RETENTION_DAYS", 90, 1..=3650)? },
            log: LogSettings {
                format: match vars.get("OPSDECK_LOG_FORMAT").as_deref() {
                    None | Some("pretty") => LogFormat::Pretty,
                    Some("json") => LogFormat::Json,
                    Some(_) => return Err(ConfigError::invalid("OPSDECK_LOG_FORMAT", "expected `pretty` or `json`")),
                },
            },
        })
    }
}

/// Every variable the domain's settings (and the binary) read, besides the
/// `OPSDECK_WEBHOOK_SECRET_<PROVIDER>` family; the HTTP server's are `opsdeck_api::config::VARIABLES`.
pub const KNOWN_VARIABLES: &[&str] = &[
    "OPSDECK_CONFIG_FILE",
    "OPSDECK_DATABASE_URL",
    "OPSDECK_DATABASE_MAX_CONNECTIONS",
    "OPSDECK_MIGRATE_ON_START",
    "OPSDECK_JWT_SIGNING_KEY",
    "OPSDECK_JWT_KEY_ID",
    "OPSDECK_JWT_PREVIOUS_KEYS",
    "OPSDECK_ACCESS_TOKEN_TTL_SECS",
    "OPSDECK_REFRESH_TOKEN_TTL_SECS",
    "OPSDECK_SESSION_LIFETIME_SECS",
    "OPSDECK_MFA_REQUIRED_ROLES",
    "OPSDECK_LOGIN_MAX_FAILURES",
    "OPSDECK_LOGIN_MAX_FAILURES_PER_IP",
    "OPSDECK_LOGIN_WINDOW_SECS",
    "OPSDECK_STORAGE_DIR",
    "OPSDECK_EXPORT_STORE_URL",
    "OPSDECK_WORKER_CONCURRENCY",
    "OPSDECK_JOB_MAX_ATTEMPTS",
    "OPSDECK_JOB_BACKOFF_SECS",
    "OPSDECK_JOB_LEASE_SECS",
    "OPSDECK_WORKER_POLL_MS",
    "OPSDECK_EXPORT_TTL_HOURS",
    "OPSDECK_BULK_CHUNK_SIZE",
    "OPSDECK_WEBHOOK_TOLERANCE_SECS",
    "OPSDECK_AUDIT_RETENTION_DAYS",
    "OPSDECK_KPI_TIMEZONE",
    "OPSDECK_KPI_SCHEDULE",
    "OPSDECK_KPI_WINDOW_DAYS",
    "OPSDECK_LOG_FORMAT",
    "OPSDECK_LOG",
    "OPSDECK_TEST_POSTGRES_URL",
];

const ROLE_NAMES: [&str; 5] = ["superadmin", "ops", "support", "partner_admin", "partner_viewer"];

/// The `OPSDECK_*` variables (and the `AWS_*` ones, for the S3 export store) as set, read into
/// typed values by each layer's settings.
pub struct Variables {
    opsdeck: BTreeMap<String, String>,
    aws: Vec<(String, SecretString)>,
}

impl Variables {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::new(std::env::vars())
    }

    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut opsdeck = BTreeMap::new();
        let mut aws = Vec::new();
        for (name, value) in vars {
            if name.starts_with("OPSDECK_") {
                opsdeck.insert(name, value);
            } else if name.starts_with("AWS_") {
                aws.push((name, SecretString::from(value)));
            }
        }
        aws.sort_by(|(a, _), (b, _)| a.cmp(b));
        Self { opsdeck, aws }
    }

    /// The names set that are none of `known` (every layer's variables), nor webhook secrets.
    /// A misspelt variable would silently fall back to its default: a name one edit (an
    /// insertion, a deletion, a substitution or two swapped neighbours) away from a known one is
    /// refused, naming the one meant. Other unknown names are let through and returned, because
    /// the platform sets some: Kubernetes gives every pod `OPSDECK_PORT`,
    /// `OPSDECK_SERVICE_HOST`, `OPSDECK_PORT_8080_TCP`... for a Service named `opsdeck`.
    pub fn unrecognised(&self, known: &[&str]) -> Result<Vec<String>, ConfigError> {
        let mut unrecognised = Vec::new();
        for name in self.opsdeck.keys() {
            if known.contains(&name.as_str()) || name.starts_with(WEBHOOK_SECRET_PREFIX) {
                continue;
            }
            if let Some(meant) = meant_variable(name, known) {
                return Err(ConfigError::invalid(
                    name,
                    format!("unknown variable; did you mean {meant}? (see README, Configuration)"),
                ));
            }
            unrecognised.push(name.clone());
        }
        Ok(unrecognised)
    }

    /// The value, trimmed; `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        self.opsdeck.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    pub fn string(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }

    pub fn parse<T: FromStr>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e| ConfigError::invalid(name, format!("cannot parse {raw:?}: {e}"))),
        }
    }

    pub fn parse_in<T>(&self, name: &str, default: T, range: std::ops::RangeInclusive<T>) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + std::fmt::Debug,
        T::Err: std::fmt::Display,
    {
        let value = self.parse(name, default)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::invalid(
                name,
                format!("{value:?} is out of range {:?}..={:?}", range.start(), range.end()),
            ))
        }
    }

    /// A cron expression with seconds (`sec min hour day month weekday`).
    fn cron(&self, name: &str, default: &str) -> Result<cron::Schedule, ConfigError> {
        let raw = self.get(name).unwrap_or_else(|| default.to_owned());
        raw.parse().map_err(|e| {
            ConfigError::invalid(name, format!("not a cron expression {raw:?} (6 fields, seconds first): {e}"))
        })
    }

    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(ConfigError::invalid(name, format!("expected true or false, got {other:?}"))),
        }
    }

    fn list<T: FromStr>(&self, name: &str) -> Result<Vec<T>, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| item.parse().map_err(|e| ConfigError::invalid(name, format!("cannot parse {item:?}: {e}"))))
            .collect()
    }

    /// Addresses (`10.0.0.7`, `::1`) and networks (`10.0.0.0/8`, `fd00::/8`), comma-separated.
    pub fn networks(&self, name: &str) -> Result<Vec<IpNet>, ConfigError> {
        let items: Vec<String> = self.list(name)?;
        items
            .iter()
            .map(|item| {
                item.parse::<IpNet>().or_else(|_| item.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    ConfigError::invalid(
                        name,
                        format!("{item:?} is neither an address nor a network (such as 10.0.0.0/8)"),
                    )
                })
            })
            .collect()
    }

    fn roles(&self, name: &str) -> Result<Vec<String>, ConfigError> {
        let roles: Vec<String> = self.list(name)?;
        match roles.iter().find(|r| !ROLE_NAMES.contains(&r.as_str())) {
            Some(unknown) => Err(ConfigError::invalid(
                name,
                format!("unknown role {unknown:?}; expected some of {}", ROLE_NAMES.join(", ")),
            )),
            None => Ok(roles),
        }
    }

    fn export_backend(&self) -> Result<ExportBackend, ConfigError> {
        const NAME: &str = "OPSDECK_EXPORT_STORE_URL";
        let Some(url) = self.get(NAME) else {
            return Ok(ExportBackend::Local);
        };
        let bucket = url.strip_prefix("s3://").map(|rest| rest.split('/').next().unwrap_or_default());
        match bucket {
            Some(bucket) if !bucket.is_empty() => {
                Ok(ExportBackend::S3 { url: url.trim_end_matches('/').to_owned(), aws: self.aws.clone() })
            }
            _ => Err(ConfigError::invalid(NAME, format!("expected s3://bucket or s3://bucket/prefix, got {url:?}"))),
        }
    }

    fn signing_key(&self) -> Result<Option<SigningKey>, ConfigError> {
        let Some(secret) = self.get("OPSDECK_JWT_SIGNING_KEY") else {
            return Ok(None);
        };
        check_key_strength("OPSDECK_JWT_SIGNING_KEY", &secret)?;
        let kid = self.string("OPSDECK_JWT_KEY_ID", "k1");
        check_kid("OPSDECK_JWT_KEY_ID", &kid)?;
        Ok(Some(SigningKey { kid, secret: SecretString::from(secret) }))
    }

    /// `kid:secret` pairs separated by commas.
    fn previous_keys(&self) -> Result<Vec<SigningKey>, ConfigError> {
        const NAME: &str = "OPSDECK_JWT_PREVIOUS_KEYS";
        self.get(NAME)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (kid, secret) = entry
                    .split_once(':')
                    .ok_or_else(|| ConfigError::invalid(NAME, "expected comma-separated `kid:secret` pairs"))?;
                check_kid(NAME, kid)?;
                check_key_strength(NAME, secret)?;
                Ok(SigningKey { kid: kid.to_owned(), secret: SecretString::from(secret.to_owned()) })
            })
            .collect()
    }

    /// `OPSDECK_WEBHOOK_SECRET_<PROVIDER>=whsec_...[ whsec_...]`.
    fn webhook_secrets(&self) -> Result<BTreeMap<String, Vec<SecretString>>, ConfigError> {
        let mut secrets = BTreeMap::new();
        for (name, value) in &self.opsdeck {
            let Some(provider) = name.strip_prefix(WEBHOOK_SECRET_PREFIX) else { continue };
            let provider = provider.to_ascii_lowercase();
            if provider.is_empty() || !provider.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(ConfigError::invalid(name, "the provider name must be letters, digits or `_`"));
            }
            let values: Vec<SecretString> = value
                .split_whitespace()
                .map(|secret| match crate::webhooks::signature::Secret::parse(secret) {
                    Ok(_) => Ok(SecretString::from(secret.to_owned())),
                    Err(reason) => {
                        Err(ConfigError::invalid(name, format!("each secret must be `whsec_<base64>`: {reason}")))
                    }
                })
                .collect::<Result<_, _>>()?;
            if values.is_empty() {
                return Err(ConfigError::invalid(name, "no secret given"));
            }
            secrets.insert(provider.replace('_', "-"), values);
        }
        Ok(secrets)
    }
}

/// The known name (or the webhook secret family) that `name` is one edit away from.
fn meant_variable(name: &str, known: &[&str]) -> Option<String> {
    if let Some(known) = known.iter().find(|known| strsim::osa_distance(name, known) <= 1) {
        return Some((*known).to_owned());
    }
    let family = WEBHOOK_SECRET_PREFIX.len();
    let misspelt_family = (family - 1..=family + 1)
        .filter(|&end| end < name.len() && name.is_char_boundary(end))
        .any(|end| strsim::osa_distance(&name[..end], WEBHOOK_SECRET_PREFIX) <= 1);
    misspelt_family.then(|| format!("{WEBHOOK_SECRET_PREFIX}<PROVIDER>"))
}

fn check_key_strength(name: &str, secret: &str) -> Result<(), ConfigError> {
    if secret.len() < 32 {
        return Err(ConfigError::invalid(name, "a signing key needs at least 32 characters"));
    }
    Ok(())
}

fn check_kid(name: &str, kid: &str) -> Result<(), ConfigError> {
    if kid.is_empty() || kid.len() > 64 || !kid.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(ConfigError::invalid(name, format!("invalid key id {kid:?}: use 1-64 of [A-Za-z0-9._-]")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    fn error_of(vars: &[(&str, &str)]) -> String {
        match settings(vars) {
            Ok(_) => String::from("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_need_no_variable() -> Result<(), ConfigError> {
        let s = settings(&[])?;
        assert_eq!(s.database.url.expose_secret(), "sqlite://opsdeck.db");
        assert!(s.database.migrate_on_start);
        assert_eq!(s.auth.access_token_ttl, Duration::from_secs(900));
        assert_eq!(s.auth.session_lifetime, Duration::from_secs(30 * 86_400));
        assert_eq!(s.audit.retention_days, 90);
        Ok(())
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        assert!(error_of(&[("OPSDECK_WORKER_CONCURRENCY", "0")]).starts_with("OPSDECK_WORKER_CONCURRENCY:"));
        assert!(error_of(&[("OPSDECK_MFA_REQUIRED_ROLES", "ops,root")]).contains("unknown role \"root\""));
        assert!(error_of(&[("OPSDECK_JWT_SIGNING_KEY", "short")]).starts_with("OPSDECK_JWT_SIGNING_KEY:"));
        assert!(error_of(&[("OPSDECK_AUDIT_RETENTION_DAYS", "0")]).starts_with("OPSDECK_AUDIT_RETENTION_DAYS:"));
        assert!(error_of(&[("OPSDECK_BULK_CHUNK_SIZE", "0")]).starts_with("OPSDECK_BULK_CHUNK_SIZE:"));
    }

    #[test]
    fn kpi_schedule_and_time_zone_are_checked() -> Result<(), ConfigError> {
        assert!(error_of(&[("OPSDECK_KPI_SCHEDULE", "nightly")]).starts_with("OPSDECK_KPI_SCHEDULE: not a cron"));
        assert!(error_of(&[("OPSDECK_KPI_TIMEZONE", "Mars/Olympus")]).starts_with("OPSDECK_KPI_TIMEZONE:"));
        let s = settings(&[("OPSDECK_KPI_TIMEZONE", "Europe/Berlin"), ("OPSDECK_KPI_SCHEDULE", "0 0 3 * * *")])?;
        assert_eq!(s.kpi.timezone, chrono_tz::Europe::Berlin);
        assert_eq!(s.kpi.window_days, 3);
        Ok(())
    }

    #[test]
    fn access_tokens_live_at_most_fifteen_minutes() {
        assert!(error_of(&[("OPSDECK_ACCESS_TOKEN_TTL_SECS", "901")]).starts_with("OPSDECK_ACCESS_TOKEN_TTL_SECS:"));
    }

    #[test]
    fn webhook_secrets_are_grouped_per_provider() -> Result<(), ConfigError> {
        let s = settings(&[("OPSDECK_WEBHOOK_SECRET_ACME_PAY", "whsec_b2xk whsec_bmV3")])?;
        let secrets = s.webhooks.secrets.get("acme-pay").map(Vec::len);
        assert_eq!(secrets, Some(2));
        assert!(error_of(&[("OPSDECK_WEBHOOK_SECRET_ACME", "plain")]).contains("whsec_"));
        let garbled = error_of(&[("OPSDECK_WEBHOOK_SECRET_ACME", "whsec_b2xk whsec_not*base64")]);
        assert!(garbled.starts_with("OPSDECK_WEBHOOK_SECRET_ACME:"), "{garbled}");
        Ok(())
    }

    #[test]
    fn exports_go_to_the_storage_directory_or_an_s3_bucket() -> Result<(), ConfigError> {
        assert!(matches!(settings(&[])?.storage.exports, ExportBackend::Local));
        let s3 = settings(&[
            ("OPSDECK_EXPORT_STORE_URL", "s3://ops-exports/prod/"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("HOME", "/root"),
        ])?;
        let ExportBackend::S3 { url, aws } = s3.storage.exports else { panic!("not S3") };
        assert_eq!(url, "s3://ops-exports/prod");
        let aws: Vec<(&str, &str)> = aws.iter().map(|(k, v)| (k.as_str(), v.expose_secret())).collect();
        assert_eq!(aws, [("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")]);
        for bad in ["ops-exports", "s3://", "s3:///prefix", "https://example.com/bucket"] {
            let error = error_of(&[("OPSDECK_EXPORT_STORE_URL", bad)]);
            assert!(error.starts_with("OPSDECK_EXPORT_STORE_URL: expected s3://bucket"), "{bad}: {error}");
        }
        Ok(())
    }

    #[test]
    fn previous_keys_are_kid_secret_pairs() -> Result<(), ConfigError> {
        let old = "o".repeat(32);
        let s = settings(&[("OPSDECK_JWT_PREVIOUS_KEYS", &format!("k0:{old}"))])?;
        assert_eq!(s.auth.previous_keys.first().map(|k| k.kid.as_str()), Some("k0"));
        assert!(error_of(&[("OPSDECK_JWT_PREVIOUS_KEYS", "nocolon")]).contains("kid:secret"));
        Ok(())
    }
}
