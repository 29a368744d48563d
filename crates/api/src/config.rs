//! The HTTP server's settings, parsed once at start-up from the same `OPSDECK_*` variables as
//! the domain's ([`opsdeck_domain::config`]), into typed values; [`Config`] reads both, and
//! refuses a name one edit from any variable of either layer.

use std::{net::IpAddr, net::SocketAddr, path::PathBuf, time::Duration};

use ipnet::IpNet;
use opsdeck_domain::config::{ConfigError, KNOWN_VARIABLES, Settings, Variables};
use secrecy::SecretString;

/// The variables [`HttpSettings`] reads.
pub const VARIABLES: &[&str] = &[
    "OPSDECK_BIND",
    "OPSDECK_TRUSTED_PROXIES",
    "OPSDECK_MAX_BODY_BYTES",
    "OPSDECK_WEBHOOK_MAX_BODY_BYTES",
    "OPSDECK_STATIC_DIR",
    "OPSDECK_EVENT_STREAMS_PER_CALLER",
    "OPSDECK_EVENTS_SAFETY_POLL_MS",
    "OPSDECK_METRICS_TOKEN",
    "OPSDECK_COOKIE_SECURE",
    "OPSDECK_WORKER_BIND",
];

/// Whether `name` is a variable of either layer (webhook secrets aside).
pub fn is_known(name: &str) -> bool {
    KNOWN_VARIABLES.contains(&name) || VARIABLES.contains(&name)
}

/// Everything a process of opsdeck is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    pub http: HttpSettings,
    /// `OPSDECK_*` names that are no setting and no likely misspelling of one (set by the
    /// platform, such as Kubernetes' service links); ignored, and logged once at start-up.
    pub unrecognised_variables: Vec<String>,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_variables(&Variables::from_env())
    }

    /// Parses a set of variables (see [`Variables::new`]).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        Self::from_variables(&Variables::new(vars))
    }

    fn from_variables(vars: &Variables) -> Result<Self, ConfigError> {
        let unrecognised_variables = vars.unrecognised(&[KNOWN_VARIABLES, VARIABLES].concat())?;
        Ok(Self {
            settings: Settings::from_variables(vars)?,
            http: HttpSettings::from_variables(vars)?,
            unrecognised_variables,
        })
    }
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub bind: SocketAddr,
    /// Proxies (addresses or networks) whose `X-Forwarded-For` entries are believed when
    /// finding a client's address.
    pub trusted_proxies: Vec<IpNet>,
    pub max_body_bytes: usize,
    /// Largest webhook delivery body (its own route limit).
    pub webhook_max_body_bytes: usize,
    /// Directory of the built SPA served at `/`; optional.
    pub static_dir: Option<PathBuf>,
    /// Live-event streams one caller may hold open on one server.
    pub event_streams_per_caller: u32,
    /// How often the live-event feed reads the changed job rows without being told of a change
    /// (a notification lost on the way).
    pub events_safety_poll: Duration,
    /// Bearer token `/metrics` asks for; without one, it answers only on loopback.
    pub metrics_token: Option<SecretString>,
    /// Mark the refresh cookie `Secure` and send `Strict-Transport-Security` (served over TLS).
    pub cookie_secure: bool,
    /// Where a standalone `opsdeck worker` answers `/healthz`, `/readyz` and `/metrics`.
    pub worker_probe_bind: SocketAddr,
}

impl HttpSettings {
    pub fn from_variables(vars: &Variables) -> Result<Self, ConfigError> {
        let bind = vars.parse("OPSDECK_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        Ok(Self {
            bind,
            trusted_proxies: vars.networks("OPSDECK_TRUSTED_PROXIES")?,
            max_body_bytes: vars.parse_in("OPSDECK_MAX_BODY_BYTES", 1 << 20, 1024..=(64 << 20))?,
            webhook_max_body_bytes: vars.parse_in("OPSDECK_WEBHOOK_MAX_BODY_BYTES", 256 << 10, 1024..=(16 << 20))?,
            static_dir: vars.get("OPSDECK_STATIC_DIR").map(PathBuf::from),
            event_streams_per_caller: vars.parse_in("OPSDECK_EVENT_STREAMS_PER_CALLER", 5, 1..=100)?,
            events_safety_poll: Duration::from_millis(vars.parse_in(
                "OPSDECK_EVENTS_SAFETY_POLL_MS",
                10_000,
                100..=3_600_000,
            )?),
            metrics_token: metrics_token(vars)?,
            // Only a server bound to loopback can be sure no cookie crosses a network in clear.
            cookie_secure: vars.flag("OPSDECK_COOKIE_SECURE", !bind.ip().is_loopback())?,
            worker_probe_bind: vars.parse("OPSDECK_WORKER_BIND", SocketAddr::from(([127, 0, 0, 1], 8081)))?,
        })
    }

    /// Whether `ip` (also written IPv4-mapped, as a dual-stack socket reports it) is one of
    /// the trusted proxies.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_proxies.iter().any(|network| network.contains(&ip))
    }
}

fn metrics_token(vars: &Variables) -> Result<Option<SecretString>, ConfigError> {
    const NAME: &str = "OPSDECK_METRICS_TOKEN";
    match vars.get(NAME) {
        None => Ok(None),
        Some(token) if token.len() < 16 => Err(ConfigError::invalid(NAME, "a token needs at least 16 characters")),
        Some(token) => Ok(Some(SecretString::from(token))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    fn error_of(vars: &[(&str, &str)]) -> String {
        match config(vars) {
            Ok(_) => String::from("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_need_no_variable() -> Result<(), ConfigError> {
        let http = config(&[])?.http;
        assert_eq!(http.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(http.worker_probe_bind.to_string(), "127.0.0.1:8081");
        assert_eq!(http.webhook_max_body_bytes, 256 << 10);
        Ok(())
    }

    #[test]
    fn the_refresh_cookie_is_secure_unless_the_server_only_listens_on_loopback() -> Result<(), ConfigError> {
        let secure = |vars: &[(&str, &str)]| config(vars).map(|c| c.http.cookie_secure);
        assert!(!secure(&[])?);
        assert!(!secure(&[("OPSDECK_BIND", "[::1]:8080")])?);
        assert!(secure(&[("OPSDECK_BIND", "0.0.0.0:8080")])?);
        assert!(secure(&[("OPSDECK_BIND", "10.0.0.5:8080")])?);
        assert!(!secure(&[("OPSDECK_BIND", "0.0.0.0:8080"), ("OPSDECK_COOKIE_SECURE", "false")])?);
        assert!(secure(&[("OPSDECK_COOKIE_SECURE", "true")])?);
        Ok(())
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        assert!(error_of(&[("OPSDECK_BIND", "localhost")]).starts_with("OPSDECK_BIND: cannot parse"));
        assert!(error_of(&[("OPSDECK_COOKIE_SECURE", "maybe")]).starts_with("OPSDECK_COOKIE_SECURE:"));
        assert!(error_of(&[("OPSDECK_METRICS_TOKEN", "short")]).starts_with("OPSDECK_METRICS_TOKEN:"));
        assert!(
            error_of(&[("OPSDECK_EVENT_STREAMS_PER_CALLER", "0")]).starts_with("OPSDECK_EVENT_STREAMS_PER_CALLER:")
        );
        assert!(error_of(&[("OPSDECK_WORKER_CONCURRENCY", "0")]).starts_with("OPSDECK_WORKER_CONCURRENCY:"));
    }

    #[test]
    fn a_name_one_edit_from_a_setting_stops_start_up_naming_the_one_meant() {
        let meant = [
            ("OPSDECK_BINDD", "OPSDECK_BIND"),
            ("OPSDECK_BND", "OPSDECK_BIND"),
            ("OPSDECK_DATABSAE_URL", "OPSDECK_DATABASE_URL"),
            ("OPSDECK_COOKIE_SECUR", "OPSDECK_COOKIE_SECURE"),
            ("OPSDECK_WEBHOOK_SECRT_ACME", "OPSDECK_WEBHOOK_SECRET_<PROVIDER>"),
            ("OPSDECK_WEBHOOKS_SECRET_ACME", "OPSDECK_WEBHOOK_SECRET_<PROVIDER>"),
        ];
        for (typo, known) in meant {
            let error = error_of(&[(typo, "x")]);
            assert_eq!(
                error,
                format!("{typo}: unknown variable; did you mean {known}? (see README, Configuration)"),
                "{typo}"
            );
        }
    }

    /// What Kubernetes injects into every pod for a Service named `opsdeck` on port 8080.
    #[test]
    fn kubernetes_service_links_do_not_stop_start_up() -> Result<(), ConfigError> {
        let injected = [
            ("OPSDECK_PORT", "tcp://10.0.0.11:8080"),
            ("OPSDECK_SERVICE_HOST", "10.0.0.11"),
            ("OPSDECK_SERVICE_PORT", "8080"),
            ("OPSDECK_SERVICE_PORT_HTTP", "8080"),
            ("OPSDECK_PORT_8080_TCP", "tcp://10.0.0.11:8080"),
            ("OPSDECK_PORT_8080_TCP_PROTO", "tcp"),
            ("OPSDECK_PORT_8080_TCP_PORT", "8080"),
            ("OPSDECK_PORT_8080_TCP_ADDR", "10.0.0.11"),
            ("OPSDECK_WORKER_SERVICE_HOST", "10.0.0.12"),
        ];
        let config = config(&[&injected[..], &[("OPSDECK_BIND", "0.0.0.0:8080")]].concat())?;
        assert_eq!(config.http.bind.to_string(), "0.0.0.0:8080");
        let mut expected: Vec<&str> = injected.iter().map(|(name, _)| *name).collect();
        expected.sort_unstable();
        assert_eq!(config.unrecognised_variables, expected);
        Ok(())
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() -> Result<(), ConfigError> {
        let http = config(&[("OPSDECK_TRUSTED_PROXIES", "192.0.2.1, 10.0.0.0/8,fd00::/8")])?.http;
        for trusted in ["192.0.2.1", "10.200.3.4", "::ffff:10.0.0.1", "fd12::1"] {
            assert!(http.is_trusted_proxy(trusted.parse().map_err(|_| ConfigError::invalid("test", trusted))?));
        }
        for untrusted in ["192.0.2.2", "11.0.0.1", "fe80::1"] {
            assert!(!http.is_trusted_proxy(untrusted.parse().map_err(|_| ConfigError::invalid("test", untrusted))?));
        }
        assert!(error_of(&[("OPSDECK_TRUSTED_PROXIES", "10.0.0.0/33")]).contains("OPSDECK_TRUSTED_PROXIES"));
        Ok(())
    }
}
