//! The deployment files, checked without a container runtime: the Dockerfile builds the app into
//! the image and runs as a non-root user with a health check that needs no shell;
//! docker-compose.yml and the Kubernetes example run the production topology with readiness
//! checks; and every `OPSDECK_*` variable they set is a setting opsdeck knows.

use std::collections::BTreeMap;

use opsdeck_api::config;
use yaml_rust2::{Yaml, YamlLoader};

use crate::helpers::TestResult;

fn repository_file(path: &str) -> TestResult<String> {
    Ok(std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))?)
}

/// One Dockerfile instruction: its keyword (upper case) and the rest, continuation lines joined.
type Instruction = (String, String);

/// The Dockerfile's stages, by name, each with its instructions in order.
fn dockerfile_stages(text: &str) -> Vec<(String, Vec<Instruction>)> {
    let joined = text.replace("\\\n", " ");
    let mut stages: Vec<(String, Vec<Instruction>)> = Vec::new();
    for line in joined.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (keyword, rest) = line.split_once(' ').unwrap_or((line, ""));
        let keyword = keyword.to_ascii_uppercase();
        if keyword == "FROM" {
            let name = rest.split_once(" AS ").map_or("", |(_, name)| name.trim());
            stages.push((name.to_owned(), Vec::new()));
        } else if let Some((_, instructions)) = stages.last_mut() {
            instructions.push((keyword, rest.trim().to_owned()));
        }
    }
    stages
}

fn image_of(text: &str, stage: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("FROM "))
        .find(|from| from.ends_with(&format!(" AS {stage}")))
        .and_then(|from| from.split_whitespace().next())
        .map(str::to_owned)
}

fn unknown_settings<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names.into_iter().filter(|name| name.starts_with("OPSDECK_") && !config::is_known(name)).collect()
}

#[test]
fn the_image_builds_the_app_in_and_runs_it_as_a_non_root_user_with_a_readiness_health_check() -> TestResult {
    let text = repository_file("Dockerfile")?;
    let stages = dockerfile_stages(&text);
    let names: Vec<&str> = stages.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["frontend", "build", "runtime"]);
    assert!(image_of(&text, "frontend").is_some_and(|image| image.starts_with("node:")));
    assert!(image_of(&text, "build").is_some_and(|image| image.starts_with("rust:")));
    let instructions =
        |stage: &str| stages.iter().find(|(name, _)| name == stage).map(|(_, i)| i.clone()).unwrap_or_default();

    let frontend = instructions("frontend");
    assert!(frontend.iter().any(|(k, rest)| k == "RUN" && rest.contains("npm ci")));
    assert!(frontend.iter().any(|(k, rest)| k == "RUN" && rest.contains("npm run build")));

    // Dependencies compile in a layer of their own: a cargo build before the sources arrive.
    let build = instructions("build");
    let first_cargo = build.iter().position(|(k, rest)| k == "RUN" && rest.contains("cargo build --release --locked"));
    let sources = build.iter().position(|(k, rest)| k == "COPY" && rest == ". .");
    assert!(matches!((first_cargo, sources), (Some(cargo), Some(copy)) if cargo < copy), "{build:?}");
    assert!(build.iter().skip(sources.unwrap_or(0)).any(|(k, rest)| k == "RUN" && rest.contains("cargo build")));
    // Every workspace member's manifest is in that layer (cargo refuses a workspace missing one).
    let manifest = repository_file("Cargo.toml")?;
    let members = manifest.lines().find_map(|line| line.strip_prefix("members = ")).ok_or("no members")?;
    for member in members.trim_matches(['[', ']']).split(',').map(|m| m.trim().trim_matches('"')) {
        let copied = format!("{member}/Cargo.toml {member}/");
        assert!(build.iter().any(|(k, rest)| k == "COPY" && rest == &copied), "the dependency layer lacks {member}");
    }

    let runtime = instructions("runtime");
    let value_of = |keyword: &str| runtime.iter().rev().find(|(k, _)| k == keyword).map(|(_, rest)| rest.clone());
    let user = value_of("USER").ok_or("no USER")?;
    let user_name = user.split(':').next().unwrap_or_default();
    assert!(!["root", "0", ""].contains(&user_name), "runs as {user}");
    let env: BTreeMap<&str, &str> = runtime
        .iter()
        .filter(|(k, _)| k == "ENV")
        .flat_map(|(_, rest)| rest.split_whitespace().filter_map(|pair| pair.split_once('=')))
        .collect();
    let storage = env.get("OPSDECK_STORAGE_DIR").ok_or("no storage dir")?;
    let static_dir = env.get("OPSDECK_STATIC_DIR").ok_or("no static dir: the image would serve no app")?;
    assert!(
        runtime
            .iter()
            .any(|(k, rest)| k == "COPY" && rest.starts_with("--from=frontend") && rest.ends_with(static_dir)),
        "the SPA build is copied to {static_dir}"
    );
    assert!(
        runtime.iter().any(|(k, rest)| k == "RUN"
            && rest.contains(&format!("mkdir -p {storage}"))
            && rest.contains(&format!("chown -R {user} "))),
        "the storage directory {storage} is created and owned by {user}"
    );
    assert_eq!(env.get("OPSDECK_BIND"), Some(&"0.0.0.0:8080"));
    assert_eq!(unknown_settings(env.keys().copied()), Vec::<&str>::new());
    let healthcheck = value_of("HEALTHCHECK").ok_or("no HEALTHCHECK")?;
    assert!(healthcheck.ends_with(r#"CMD ["opsdeck", "healthcheck"]"#), "exec form, no shell: {healthcheck}");
    assert_eq!(value_of("ENTRYPOINT").as_deref(), Some(r#"["opsdeck"]"#));

    let ignored = repository_file(".dockerignore")?;
    for never_sent in ["**/target", "**/node_modules", ".git", "frontend/dist"] {
        assert!(ignored.lines().any(|line| line.trim() == never_sent), ".dockerignore lacks {never_sent}");
    }
    Ok(())
}

/// A compose service with its `<<:` merge keys applied (the YAML parser keeps them as keys).
fn merged(node: &Yaml) -> Yaml {
    let Yaml::Hash(hash) = node else { return node.clone() };
    let mut out = match hash.get(&Yaml::String("<<".to_owned())) {
        Some(base) => match merged(base) {
            Yaml::Hash(base) => base,
            _ => yaml_rust2::yaml::Hash::new(),
        },
        None => yaml_rust2::yaml::Hash::new(),
    };
    for (key, value) in hash {
        if key.as_str() != Some("<<") {
            out.insert(key.clone(), merged(value));
        }
    }
    Yaml::Hash(out)
}

fn strings(node: &Yaml) -> Vec<String> {
    node.as_vec().map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn keys(node: &Yaml) -> Vec<String> {
    node.as_hash().map(|hash| hash.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[test]
fn compose_runs_two_apis_behind_a_tls_proxy_a_worker_minio_and_a_one_shot_migration() -> TestResult {
    let documents = YamlLoader::load_from_str(&repository_file("docker-compose.yml")?)?;
    let compose = documents.first().ok_or("empty compose file")?;
    let services = compose["services"].as_hash().ok_or("no services")?;
    let service = |name: &str| merged(&services[&Yaml::String(name.to_owned())]);
    let mut names = keys(&compose["services"]);
    names.sort();
    assert_eq!(names, ["api", "migrate", "minio", "minio-bucket", "postgres", "proxy", "worker"]);

    let (api, worker, migrate) = (service("api"), service("worker"), service("migrate"));
    assert_eq!(strings(&migrate["command"]), ["migrate"]);
    assert_eq!(strings(&api["command"]), ["serve", "--no-worker"]);
    assert_eq!(api["deploy"]["replicas"].as_i64(), Some(2));
    assert_eq!(strings(&worker["command"])[0], "worker");
    for (name, svc, bind) in [("api", &api, "OPSDECK_BIND"), ("worker", &worker, "OPSDECK_WORKER_BIND")] {
        assert_eq!(
            svc["depends_on"]["migrate"]["condition"].as_str(),
            Some("service_completed_successfully"),
            "{name}"
        );
        let port = svc["environment"][bind].as_str().and_then(|a| a.rsplit(':').next()).ok_or("no bind")?;
        let check = strings(&svc["healthcheck"]["test"]);
        assert_eq!(check, ["CMD", "opsdeck", "healthcheck", "--address", &format!("127.0.0.1:{port}")], "{name}");
        assert!(svc["stop_grace_period"].as_str().is_some(), "{name} gets time to finish its work on stop");
        let env = &svc["environment"];
        assert!(env["OPSDECK_EXPORT_STORE_URL"].as_str().is_some_and(|url| url.starts_with("s3://")), "{name}");
        assert_eq!(env["AWS_ENDPOINT_URL"].as_str(), Some("http://minio:9000"), "{name}");
        assert!(env["OPSDECK_DATABASE_URL"].as_str().is_some_and(|url| url.contains("@postgres:5432/")), "{name}");
        assert_eq!(unknown_settings(keys(env).iter().map(String::as_str)), Vec::<&str>::new(), "{name}");
    }
    assert_eq!(api["environment"]["OPSDECK_COOKIE_SECURE"].as_str(), Some("true"), "behind TLS, the cookie is Secure");
    assert!(service("postgres")["healthcheck"]["test"].as_vec().is_some());
    assert!(service("minio")["healthcheck"]["test"].as_vec().is_some());

    let proxy = service("proxy");
    assert_eq!(proxy["depends_on"]["api"]["condition"].as_str(), Some("service_healthy"));
    let proxy_address = proxy["networks"]["backend"]["ipv4_address"].as_str().ok_or("no fixed proxy address")?;
    assert_eq!(api["environment"]["OPSDECK_TRUSTED_PROXIES"].as_str(), Some(proxy_address));
    let mounted = strings(&proxy["volumes"]);
    let caddyfile = mounted.iter().find_map(|v| v.strip_suffix(":/etc/caddy/Caddyfile:ro")).ok_or("no Caddyfile")?;
    let caddy = repository_file(caddyfile.trim_start_matches("./"))?;
    assert!(caddy.contains("reverse_proxy") && caddy.contains("name api") && caddy.contains("port 8080"), "{caddy}");
    Ok(())
}

#[test]
fn the_kubernetes_example_runs_api_and_worker_with_readiness_probes_resources_and_a_migrate_job() -> TestResult {
    let documents = YamlLoader::load_from_str(&repository_file("deploy/kubernetes/opsdeck.yaml")?)?;
    let of_kind =
        |kind: &str| documents.iter().filter(|d| d["kind"].as_str() == Some(kind)).cloned().collect::<Vec<_>>();
    let container = |workload: &Yaml| workload["spec"]["template"]["spec"]["containers"][0].clone();

    let jobs = of_kind("Job");
    assert_eq!(jobs.len(), 1);
    assert_eq!(strings(&container(&jobs[0])["args"]), ["migrate"]);
    let deployments = of_kind("Deployment");
    let names: Vec<&str> = deployments.iter().filter_map(|d| d["metadata"]["name"].as_str()).collect();
    assert_eq!(names, ["opsdeck-api", "opsdeck-worker"]);
    for (deployment, command) in deployments.iter().zip(["serve", "worker"]) {
        let name = deployment["metadata"]["name"].as_str().unwrap_or_default();
        let main = container(deployment);
        assert_eq!(strings(&main["args"])[0], command, "{name}");
        assert_eq!(main["readinessProbe"]["httpGet"]["path"].as_str(), Some("/readyz"), "{name}");
        assert_eq!(main["livenessProbe"]["httpGet"]["path"].as_str(), Some("/healthz"), "{name}");
        assert!(main["resources"]["requests"]["memory"].as_str().is_some(), "{name} requests memory");
        assert!(main["resources"]["limits"]["memory"].as_str().is_some(), "{name} is limited");
        let pod = &deployment["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true), "{name}");
        assert!(pod["terminationGracePeriodSeconds"].as_i64().is_some_and(|s| s > 30), "{name}");
        let env_names: Vec<String> =
            main["env"].as_vec().into_iter().flatten().filter_map(|e| e["name"].as_str().map(str::to_owned)).collect();
        assert_eq!(unknown_settings(env_names.iter().map(String::as_str)), Vec::<&str>::new(), "{name}");
    }
    assert!(deployments[0]["spec"]["replicas"].as_i64().is_some_and(|n| n >= 2), "the API scales out");
    let services = of_kind("Service");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0]["spec"]["selector"]["app.kubernetes.io/component"].as_str(), Some("api"));
    for config in of_kind("ConfigMap").iter().chain(&of_kind("Secret")) {
        let data = if config["data"].is_badvalue() { &config["stringData"] } else { &config["data"] };
        assert_eq!(unknown_settings(keys(data).iter().map(String::as_str)), Vec::<&str>::new());
    }
    Ok(())
}
