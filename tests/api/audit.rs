//! The audit log as ops, partners and a security review meet it: every action recorded with
//! it, nothing secret inside, tampering detected by `opsdeck audit verify`, partners confined to
//! their tenant, exports that match the list, and retention that keeps the chain verifiable.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use opsdeck_domain::{
    Db,
    audit::{
        self, AuditActor, AuditEvent, AuditOutcome, RequestMeta,
        chain::{CanonicalEntry, HashVersion, canonical_time, entry_hash, storable_time},
    },
    enums::Role,
};
use reqwest::{StatusCode, header};
use sea_orm::{
    ConnectionTrait, Statement,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, TestDatabase, TestResult},
    process::opsdeck,
};

// ---- helpers ------------------------------------------------------------------------------

async fn login(app: &TestApp, username: &str, password: &str) -> TestResult<reqwest::Response> {
    // A client of its own: the refresh cookie must not leak into the shared one.
    Ok(reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?)
}

async fn create_tenant(app: &TestApp, token: &str, slug: &str) -> TestResult<reqwest::Response> {
    Ok(app
        .client
        .post(app.url("/api/v1/tenants"))
        .bearer_auth(token)
        .json(&json!({"slug": slug, "name": slug.to_uppercase()}))
        .send()
        .await?)
}

async fn tenant(app: &TestApp, token: &str, slug: &str) -> TestResult<i64> {
    let response = create_tenant(app, token, slug).await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await?["id"].as_i64().ok_or_else(|| "no tenant id".into())
}

async fn get(app: &TestApp, token: &str, path: &str, query: &[(&str, String)]) -> TestResult<reqwest::Response> {
    Ok(app.client.get(app.url(path)).bearer_auth(token).query(query).send().await?)
}

/// Every entry of a search, following the cursors page by page.
async fn list_all(app: &TestApp, token: &str, query: &[(&str, String)], limit: u32) -> TestResult<Vec<Value>> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = query.to_vec();
        params.push(("limit", limit.to_string()));
        if let Some(cursor) = &cursor {
            params.push(("cursor", cursor.clone()));
        }
        let response = get(app, token, "/api/v1/audit-logs", &params).await?;
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(items),
        }
    }
}

/// The CSV export: (its text, its rows without the header).
async fn export(app: &TestApp, token: &str, query: &[(&str, String)]) -> TestResult<(String, Vec<csv::StringRecord>)> {
    let response = get(app, token, "/api/v1/audit-logs/export", query).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let header_of = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header_of(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert!(header_of(header::CONTENT_DISPOSITION).starts_with("attachment; filename=\"audit-log-"));
    let text = response.text().await?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers()?.get(0), Some("id"));
    let rows = reader.records().collect::<Result<Vec<_>, _>>()?;
    Ok((text, rows))
}

/// Position of `action` in the export's columns.
const ACTION_COLUMN: usize = 9;

fn column(rows: &[csv::StringRecord], index: usize) -> Vec<String> {
    rows.iter().map(|row| row.get(index).unwrap_or("").to_owned()).collect()
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().filter_map(|item| item["id"].as_i64()).collect()
}

async fn scalar(db: &Db, sql: &str) -> TestResult<i64> {
    let row = db.conn().query_one_raw(Statement::from_string(db.backend(), sql)).await?.ok_or("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn hash_of(db: &Db, id: i64) -> TestResult<String> {
    let sql = format!("SELECT hash FROM audit_log WHERE id = {id}");
    let row = db.conn().query_one_raw(Statement::from_string(db.backend(), sql)).await?.ok_or("no such entry")?;
    Ok(row.try_get::<String>("", "hash")?)
}

/// Appends `count` entries the way opsdeck does, each in its own transaction.
async fn append_entries(db: &Db, count: usize, event: impl Fn(usize) -> AuditEvent) -> TestResult {
    for n in 1..=count {
        let txn = db.begin_write().await?;
        audit::append(&txn, &AuditActor::system("test"), &RequestMeta::default(), event(n)).await?;
        txn.commit().await?;
    }
    Ok(())
}

fn numbered(n: usize) -> AuditEvent {
    AuditEvent::succeeded("test.event").metadata(json!({"n": n}))
}

/// Inserts a well-formed entry by hand (as an attacker with database access could) and
/// returns its hash. The chain head is left alone.
async fn insert_entry(db: &Db, id: i64, at: DateTime<Utc>, prev_hash: &str) -> TestResult<String> {
    let at = storable_time(at);
    let metadata = json!({"n": id}).to_string();
    let hash = entry_hash(
        prev_hash,
        &CanonicalEntry {
            id,
            occurred_at: canonical_time(at),
            actor_type: "system",
            actor_id: None,
            actor_label: "history",
            tenant_id: None,
            ip: None,
            method: None,
            path: None,
            action: "test.history",
            target_type: None,
            target_id: None,
            request_id: None,
            status: None,
            outcome: AuditOutcome::Succeeded,
            reason: None,
            metadata: &metadata,
        },
    );
    let insert = Query::insert()
        .into_table("audit_log")
        .columns([
            "id",
            "occurred_at",
            "actor_type",
            "actor_label",
            "action",
            "outcome",
            "metadata",
            "prev_hash",
            "hash",
            "hash_version",
        ])
        .values([
            id.into(),
            at.into(),
            "system".into(),
            "history".into(),
            "test.history".into(),
            "succeeded".into(),
            metadata.into(),
            prev_hash.into(),
            hash.clone().into(),
            HashVersion::CURRENT.stored().into(),
        ])?
        .to_owned();
    db.conn().execute(&insert).await?;
    Ok(hash)
}

/// A history written with the given ages (in days), oldest id first, as a sound chain.
async fn write_history(db: &Db, ages_in_days: &[i64]) -> TestResult {
    let now = Utc::now();
    let mut prev_hash = "0".repeat(64);
    let mut id = 0;
    for age in ages_in_days {
        id += 1;
        prev_hash = insert_entry(db, id, now - Duration::days(*age), &prev_hash).await?;
    }
    let head = Query::update()
        .table("audit_chain")
        .value("head_id", id)
        .value("head_hash", prev_hash)
        .and_where(Expr::col("id").eq(1))
        .to_owned();
    db.conn().execute(&head).await?;
    Ok(())
}

/// `opsdeck audit verify`: Ok(stdout) when the chain holds, Err(stderr) when it does not.
fn verify(database: &TestDatabase) -> TestResult<Result<String, String>> {
    let output = opsdeck(&["audit", "verify"], &[("OPSDECK_DATABASE_URL", &database.url)])?;
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Ok(if output.status.success() { Ok(stdout) } else { Err(stderr) })
}

async fn fresh_chain(entries: usize) -> TestResult<(TestDatabase, Db)> {
    let database = TestDatabase::fresh().await?;
    let db = Db::connect(&database.url, 2).await?;
    append_entries(&db, entries, numbered).await?;
    assert_eq!(verify(&database)?, Ok(format!("audit chain verified: {entries} entries (ids 1..{entries})")));
    Ok((database, db))
}

// ---- an action and its entry are one ------------------------------------------------------

#[tokio::test]
async fn an_action_and_its_audit_entry_commit_or_roll_back_together() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;

    let acme = tenant(&app, &root, "acme").await?;
    assert_eq!(create_tenant(&app, &root, "acme").await?.status(), StatusCode::CONFLICT);

    let created = "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.create'";
    assert_eq!(scalar(&app.db, created).await?, 1, "the refused duplicate left no entry");
    let target = format!("SELECT COUNT(*) FROM audit_log WHERE target_type = 'tenant' AND target_id = '{acme}'");
    assert_eq!(scalar(&app.db, &target).await?, 1);

    // A transaction that rolls back takes its entry with it, and the chain head stays put.
    let before = scalar(&app.db, "SELECT COUNT(*) FROM audit_log").await?;
    let txn = app.db.begin_write().await?;
    audit::append(&txn, &AuditActor::system("test"), &RequestMeta::default(), numbered(1)).await?;
    txn.rollback().await?;
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM audit_log").await?, before);
    let report = audit::verify::verify(&app.db).await?;
    assert_eq!((report.broken, report.entries), (None, u64::try_from(before)?));
    Ok(())
}

// ---- no secrets ---------------------------------------------------------------------------

#[tokio::test]
async fn a_password_sent_to_login_appears_nowhere_in_the_log_or_its_export() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let secret = "Tr0ub4dor&3-never-to-be-logged";

    assert_eq!(login(&app, "root", secret).await?.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "nobody-here", secret).await?.status(), StatusCode::UNAUTHORIZED);
    let spelled = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "root", "password": secret, "totp_code": "123456"}))
        .send()
        .await?;
    assert_eq!(spelled.status(), StatusCode::UNAUTHORIZED);

    let failures = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed'";
    assert_eq!(scalar(&app.db, failures).await?, 3, "the failures are on record");
    let columns =
        ["actor_label", "ip", "method", "path", "action", "target_type", "target_id", "request_id", "metadata"];
    let sql = format!("SELECT {} FROM audit_log", columns.join(", "));
    let rows = app.db.conn().query_all_raw(Statement::from_string(app.db.backend(), sql)).await?;
    let mut stored = String::new();
    for row in &rows {
        for name in columns {
            stored.push_str(&row.try_get::<Option<String>>("", name)?.unwrap_or_default());
            stored.push('\n');
        }
    }
    assert!(stored.contains("nobody-here"), "the attempted username is kept: {stored}");
    assert!(!stored.contains(secret), "{stored}");
    assert!(!stored.contains("root-correct-horse-battery"), "nor the successful one's password");

    let (csv, rows) = export(&app, &root, &[]).await?;
    assert!(column(&rows, 9).iter().any(|action| action == "auth.login_failed"));
    assert!(!csv.contains(secret));
    assert!(!csv.contains("root-correct-horse-battery"));
    Ok(())
}

// ---- tampering ----------------------------------------------------------------------------

#[tokio::test]
async fn verify_names_a_changed_entry() -> TestResult {
    let (database, db) = fresh_chain(6).await?;

    db.conn().execute_unprepared(r#"UPDATE audit_log SET metadata = '{"n":99}' WHERE id = 3"#).await?;

    let failure = verify(&database)?.err().unwrap_or_default();
    assert!(
        failure.starts_with("error: audit chain broken at entry 3: its contents do not match its hash"),
        "{failure}"
    );
    Ok(())
}

#[tokio::test]
async fn verify_names_a_changed_entry_even_when_its_hash_was_recomputed() -> TestResult {
    let (database, db) = fresh_chain(6).await?;
    let prev = hash_of(&db, 2).await?;
    db.conn().execute_unprepared("DELETE FROM audit_log WHERE id = 3").await?;
    insert_entry(&db, 3, Utc::now(), &prev).await?;

    let failure = verify(&database)?.err().unwrap_or_default();
    assert!(
        failure.starts_with("error: audit chain broken at entry 4: its prev_hash does not match the hash of entry 3"),
        "{failure}"
    );
    Ok(())
}

#[tokio::test]
async fn verify_names_a_removed_entry() -> TestResult {
    let (database, db) = fresh_chain(6).await?;

    db.conn().execute_unprepared("DELETE FROM audit_log WHERE id = 3").await?;
    let failure = verify(&database)?.err().unwrap_or_default();
    assert!(
        failure.starts_with("error: audit chain broken at entry 3: the entry is missing (the next entry is 4)"),
        "{failure}"
    );

    db.conn().execute_unprepared("DELETE FROM audit_log WHERE id >= 3").await?;
    let failure = verify(&database)?.err().unwrap_or_default();
    assert!(
        failure.starts_with("error: audit chain broken at entry 3: the entry is missing (the log ends"),
        "{failure}"
    );
    Ok(())
}

#[tokio::test]
async fn verify_names_an_inserted_entry() -> TestResult {
    let (database, db) = fresh_chain(6).await?;

    let head = hash_of(&db, 6).await?;
    insert_entry(&db, 7, Utc::now(), &head).await?;

    let failure = verify(&database)?.err().unwrap_or_default();
    assert!(
        failure.starts_with("error: audit chain broken at entry 7: it lies past the chain head (entry 6)"),
        "{failure}"
    );
    Ok(())
}

// ---- scope --------------------------------------------------------------------------------

#[tokio::test]
async fn partners_see_and_export_only_their_tenants_entries() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let alpha = tenant(&app, &root, "alpha").await?;
    let bravo = tenant(&app, &root, "bravo").await?;
    append_entries(&app.db, 4, |n| numbered(n).tenant(Some(if n % 2 == 0 { alpha } else { bravo }))).await?;
    let partner = app.signed_in("pat", Role::PartnerAdmin, Some("alpha")).await?;

    let seen = list_all(&app, &partner, &[], 2).await?;
    assert_eq!(seen.len(), 3, "alpha's creation and its two entries: {seen:?}");
    assert!(seen.iter().all(|entry| entry["tenant_id"] == alpha), "{seen:?}");
    assert_eq!(ids(&list_all(&app, &partner, &[("tenant_id", alpha.to_string())], 50).await?), ids(&seen));

    let other = get(&app, &partner, "/api/v1/audit-logs", &[("tenant_id", bravo.to_string())]).await?;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let other_export = get(&app, &partner, "/api/v1/audit-logs/export", &[("tenant_id", bravo.to_string())]).await?;
    assert_eq!(other_export.status(), StatusCode::NOT_FOUND);

    // The refused export attempt just above is on record too, in the partner's tenant.
    let (_, rows) = export(&app, &partner, &[]).await?;
    assert_eq!(column(&rows, 5), vec![alpha.to_string(); 4]);
    assert_eq!(
        rows.first().map(|row| row.get(ACTION_COLUMN).unwrap_or_default().to_owned()),
        Some("request.rejected".to_owned())
    );

    let staff_view = list_all(&app, &root, &[("tenant_id", bravo.to_string())], 50).await?;
    assert_eq!(staff_view.len(), 3);
    assert!(staff_view.iter().all(|entry| entry["tenant_id"] == bravo));

    let support = app.signed_in("sue", Role::Support, None).await?;
    assert_eq!(get(&app, &support, "/api/v1/audit-logs", &[]).await?.status(), StatusCode::OK);
    let refused = get(&app, &support, "/api/v1/audit-logs/export", &[]).await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "support reads but does not export");
    let recorded =
        scalar(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'request.forbidden' AND actor_label = 'sue'")
            .await?;
    assert_eq!(recorded, 1, "the refused export is audited");
    Ok(())
}

#[tokio::test]
async fn one_entry_is_read_in_the_callers_scope_like_the_list() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let alpha = tenant(&app, &root, "alpha").await?;
    let bravo = tenant(&app, &root, "bravo").await?;
    append_entries(&app.db, 2, |n| numbered(n).tenant(Some(if n == 1 { alpha } else { bravo }))).await?;
    let partner = app.signed_in("pat", Role::PartnerAdmin, Some("alpha")).await?;
    let entry_of = |tenant: i64| format!("SELECT MAX(id) FROM audit_log WHERE tenant_id = {tenant}");
    let (own, foreign) = (scalar(&app.db, &entry_of(alpha)).await?, scalar(&app.db, &entry_of(bravo)).await?);
    let staff_only = scalar(&app.db, "SELECT MIN(id) FROM audit_log WHERE tenant_id IS NULL").await?;

    let read = get(&app, &partner, &format!("/api/v1/audit-logs/{own}"), &[]).await?;
    assert_eq!(read.status(), StatusCode::OK);
    let listed = list_all(&app, &partner, &[], 50).await?;
    assert_eq!(Some(&read.json::<Value>().await?), listed.iter().find(|entry| entry["id"] == own), "as listed");

    for hidden in [foreign, staff_only, 999_999] {
        let response = get(&app, &partner, &format!("/api/v1/audit-logs/{hidden}"), &[]).await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "entry {hidden}");
        assert_eq!(response.json::<Value>().await?["code"], "not_found");
    }
    for visible in [own, foreign, staff_only] {
        let response = get(&app, &root, &format!("/api/v1/audit-logs/{visible}"), &[]).await?;
        assert_eq!(response.json::<Value>().await?["id"], visible, "staff read every tenant's entries");
    }
    // `export` is the CSV download, not an entry id.
    let export = get(&app, &root, "/api/v1/audit-logs/export", &[]).await?;
    assert_eq!(
        export.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    Ok(())
}

// ---- search and export --------------------------------------------------------------------

#[tokio::test]
async fn filters_narrow_the_list() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let acme = tenant(&app, &root, "acme").await?;
    let patch = app
        .client
        .patch(app.url(&format!("/api/v1/tenants/{acme}")))
        .bearer_auth(&root)
        .json(&json!({"name": "Acme Inc"}))
        .send()
        .await?;
    assert_eq!(patch.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let later = Utc::now();
    append_entries(&app.db, 2, |_| AuditEvent::succeeded("tenants.bogus")).await?;
    let root_id = scalar(&app.db, "SELECT id FROM users WHERE username = 'root'").await?;

    let actions = |items: Vec<Value>| -> Vec<String> {
        items.iter().map(|item| item["action"].as_str().unwrap_or("").to_owned()).collect()
    };
    let search = |query: Vec<(&'static str, String)>| {
        let (app, root) = (&app, &root);
        async move { list_all(app, root, &query, 50).await }
    };

    let prefix = search(vec![("action_prefix", "tenant.".into())]).await?;
    assert_eq!(actions(prefix), ["tenant.update", "tenant.create"]);
    assert_eq!(search(vec![("action_prefix", "tenant".into())]).await?.len(), 4);
    assert_eq!(actions(search(vec![("action_prefix", "auth.login".into())]).await?), ["auth.login"]);
    assert!(search(vec![("action_prefix", "zzz".into())]).await?.is_empty());

    let by_user = search(vec![("actor_type", "user".into()), ("actor_id", root_id.to_string())]).await?;
    assert_eq!(actions(by_user), ["tenant.update", "tenant.create", "auth.login"]);
    assert_eq!(search(vec![("actor_label", "test".into())]).await?.len(), 2);
    assert_eq!(search(vec![("actor_type", "system".into())]).await?.len(), 2);

    let target = search(vec![("target_type", "tenant".into()), ("target_id", acme.to_string())]).await?;
    assert_eq!(actions(target), ["tenant.update", "tenant.create"]);

    let since = search(vec![("occurred_from", later.to_rfc3339_opts(SecondsFormat::Micros, true))]).await?;
    assert_eq!(actions(since), ["tenants.bogus", "tenants.bogus"]);
    let until = search(vec![
        ("occurred_from", (later - Duration::days(1)).to_rfc3339_opts(SecondsFormat::Micros, true)),
        ("occurred_to", later.to_rfc3339_opts(SecondsFormat::Micros, true)),
    ])
    .await?;
    assert_eq!(actions(until), ["tenant.update", "tenant.create", "auth.login"]);

    let now = Utc::now();
    let stamp = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let refused: [(&[(&str, String)], &str); 6] = [
        (&[("occurred_to", stamp(now))], "occurred_from"),
        (&[("occurred_from", stamp(now - Duration::days(400)))], "occurred_from"),
        (&[("occurred_from", stamp(now)), ("occurred_to", stamp(now - Duration::days(1)))], "occurred_to"),
        (&[("action_prefix", "Tenant.%".into())], "action_prefix"),
        (&[("actor_id", root_id.to_string())], "actor_id"),
        (&[("target_id", acme.to_string())], "target_id"),
    ];
    for (query, field) in refused {
        for path in ["/api/v1/audit-logs", "/api/v1/audit-logs/export"] {
            let response = get(&app, &root, path, query).await?;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path} {query:?}");
            let problem: Value = response.json().await?;
            assert_eq!(problem["errors"][0]["field"], field, "{query:?}: {problem}");
        }
    }
    let exports = "SELECT COUNT(*) FROM audit_log WHERE action = 'audit_log.export'";
    assert_eq!(scalar(&app.db, exports).await?, 0, "a refused export is not an export");
    Ok(())
}

#[tokio::test]
async fn the_export_has_the_lists_rows_and_is_itself_on_record() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    for slug in ["one", "two", "three"] {
        tenant(&app, &root, slug).await?;
    }
    // More than one export chunk (1000 rows), written in one transaction to keep the test fast.
    let txn = app.db.begin_write().await?;
    for n in 1..=1200 {
        audit::append(&txn, &AuditActor::system("bulk"), &RequestMeta::default(), numbered(n)).await?;
    }
    txn.commit().await?;

    let filter = [("action_prefix", "tenant.".to_owned())];
    let listed = list_all(&app, &root, &filter, 2).await?;
    let (_, exported) = export(&app, &root, &filter).await?;
    assert_eq!(listed.len(), 3);
    assert_eq!(column(&exported, 0), ids(&listed).iter().map(i64::to_string).collect::<Vec<_>>());

    let everything = list_all(&app, &root, &[], 500).await?;
    let (_, all_rows) = export(&app, &root, &[]).await?;
    assert!(all_rows.len() > 1200);
    assert_eq!(column(&all_rows, 0), ids(&everything).iter().map(i64::to_string).collect::<Vec<_>>());

    let on_record = list_all(&app, &root, &[("action_prefix", "audit_log.export".into())], 50).await?;
    assert_eq!(on_record.len(), 2);
    assert_eq!(on_record[1]["metadata"], json!({"action_prefix": "tenant.", "tenant_id": null}));
    assert_eq!(on_record[1]["outcome"], "succeeded");
    assert_eq!(on_record[1]["status"], 200, "the operation's declared success");
    assert_eq!(on_record[1]["actor_label"], "root");
    assert_eq!(on_record[1]["method"], "GET");
    assert!(audit::verify::verify(&app.db).await?.broken.is_none());
    Ok(())
}

/// The download streams rows from the driver into CSV; every entry must read as its model's
/// record did (`CsvRecord::record`, each cell through `neutralize`), byte for byte.
#[tokio::test]
async fn the_download_renders_every_entry_exactly_as_its_record() -> TestResult {
    use opsdeck_domain::{
        access::Scope,
        audit::query::{self, AuditEntry, AuditFilter},
        exports::csv::{CsvRecord, neutralize},
        pagination::PageRequest,
    };
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;
    let txn = app.db.begin_write().await?;
    for n in 1..=1100 {
        audit::append(&txn, &AuditActor::system("bulk"), &RequestMeta::default(), numbered(n)).await?;
    }
    txn.commit().await?;
    // Cells a spreadsheet would run, CSV's quoting, a line break, Unicode and NULLs.
    app.db
        .conn()
        .execute_unprepared(
            "UPDATE audit_log SET actor_label = '=1+1', path = '-x', ip = NULL, status = NULL, \
             reason = '+r', target_id = '@t', request_id = 'Zoë ✓', metadata = '{\"a\":\"b,\\\"c\\\"\nd\"}' \
             WHERE id = 500",
        )
        .await?;

    let (text, rows) = export(&app, &root, &[]).await?;
    let own = scalar(&app.db, "SELECT MAX(id) FROM audit_log WHERE action = 'audit_log.export'").await?;
    let mut expected = csv::Writer::from_writer(Vec::new());
    expected.write_record(AuditEntry::HEADER)?;
    let mut page = PageRequest { limit: 500, before_id: Some(own) };
    loop {
        let entries = query::list(&app.db, Scope::All, &AuditFilter::default(), page).await?;
        for entry in &entries.items {
            expected.write_record(entry.record().into_iter().map(neutralize))?;
        }
        match (entries.next_cursor, entries.items.last()) {
            (Some(_), Some(last)) => page.before_id = Some(last.id),
            _ => break,
        }
    }
    assert!(rows.len() > 1100, "more than one chunk");
    assert!(text.contains(",'=1+1,"), "the formula is defused");
    assert_eq!(text, String::from_utf8(expected.into_inner()?)?);
    Ok(())
}

// ---- retention ----------------------------------------------------------------------------

#[tokio::test]
async fn prune_deletes_old_entries_in_chunks_and_the_chain_still_verifies() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let vars = [("OPSDECK_DATABASE_URL", database.url.as_str())];
    let db = Db::connect(&database.url, 2).await?;
    // ids 1..=1003: 200 days old; 1004-1005: 120; 1006: 10; 1007: 130 (older than its
    // predecessor, as after a clock step); 1008: today.
    let mut ages = vec![200; 1003];
    ages.extend([120, 120, 10, 130, 0]);
    write_history(&db, &ages).await?;
    assert_eq!(verify(&database)?, Ok("audit chain verified: 1008 entries (ids 1..1008)".to_owned()));

    // The default comes from the configuration. Two chunks: two `audit_log.prune` entries.
    let pruned = opsdeck(&["audit", "prune"], &[vars[0], ("OPSDECK_AUDIT_RETENTION_DAYS", "150")])?;
    assert!(pruned.status.success(), "{}", String::from_utf8_lossy(&pruned.stderr));
    assert!(String::from_utf8_lossy(&pruned.stdout).starts_with("audit log pruned: 1003 entries older than"));
    assert_eq!(verify(&database)?, Ok("audit chain verified: 7 entries (ids 1004..1010)".to_owned()));

    let pruned = opsdeck(&["audit", "prune", "--older-than-days", "90"], &vars)?;
    assert!(String::from_utf8_lossy(&pruned.stdout).starts_with("audit log pruned: 2 entries"));
    assert_eq!(verify(&database)?, Ok("audit chain verified: 6 entries (ids 1006..1011)".to_owned()));
    let kept = "SELECT COUNT(*) FROM audit_log WHERE id IN (1006, 1007, 1008)";
    assert_eq!(scalar(&db, kept).await?, 3, "newer entries, and the old one behind them, are kept");

    let again = opsdeck(&["audit", "prune", "--older-than-days", "90"], &vars)?;
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("audit log pruned: 0 entries"));
    append_entries(&db, 1, numbered).await?;
    assert_eq!(verify(&database)?, Ok("audit chain verified: 7 entries (ids 1006..1012)".to_owned()));
    let metadata =
        "SELECT COUNT(*) FROM audit_log WHERE action = 'audit_log.prune' AND metadata LIKE '%\"deleted\":2%'";
    assert_eq!(scalar(&db, metadata).await?, 1, "each prune is on record");

    let refused = opsdeck(&["audit", "prune", "--older-than-days", "0"], &vars)?;
    assert_eq!(refused.status.code(), Some(2));
    Ok(())
}

#[tokio::test]
async fn prune_never_erases_a_broken_entry() -> TestResult {
    let database = TestDatabase::fresh().await?;
    let vars = [("OPSDECK_DATABASE_URL", database.url.as_str())];
    let db = Db::connect(&database.url, 2).await?;
    write_history(&db, &[200, 200, 200, 0]).await?;
    db.conn().execute_unprepared(r#"UPDATE audit_log SET metadata = '{"n":0}' WHERE id = 2"#).await?;

    let pruned = opsdeck(&["audit", "prune"], &vars)?;
    assert!(String::from_utf8_lossy(&pruned.stdout).starts_with("audit log pruned: 1 entry"));
    let failure = verify(&database)?.err().unwrap_or_default();
    assert!(failure.starts_with("error: audit chain broken at entry 2: its contents do not match"), "{failure}");
    Ok(())
}

/// A mutation that is refused leaves a trace naming who tried and what they got.
#[tokio::test]
async fn refused_mutations_are_recorded_with_the_caller() -> TestResult {
    let app = TestApp::spawn().await?;
    let support = app.signed_in("sam", Role::Support, None).await?;

    let forbidden = app.post_as(&support, "/api/v1/tenants", &json!({"slug": "acme", "name": "Acme"})).await?;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let anonymous = app.client.delete(app.url("/api/v1/tokens/1")).send().await?;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let scanner = app.client.post(app.url("/api/v1/wp-login.php")).send().await?;
    assert_eq!(scanner.status(), StatusCode::NOT_FOUND);
    // The SPA checks for a session on every page load; without a cookie nothing was tried.
    let no_session = app.client.post(app.url("/api/v1/auth/refresh")).send().await?;
    assert_eq!(no_session.status(), StatusCode::UNAUTHORIZED);

    let rows = app
        .db
        .conn()
        .query_all_raw(Statement::from_string(
            app.db.backend(),
            "SELECT action, actor_label, method, path, status, outcome, reason FROM audit_log \
             WHERE action LIKE 'request.%' ORDER BY id",
        ))
        .await?;
    type Seen = (String, String, String, String, i32, String, Option<String>);
    let seen: Vec<Seen> = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "action")?,
                r.try_get::<String>("", "actor_label")?,
                r.try_get::<String>("", "method")?,
                r.try_get::<String>("", "path")?,
                r.try_get::<i32>("", "status")?,
                r.try_get::<String>("", "outcome")?,
                r.try_get::<Option<String>>("", "reason")?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    let refused = |action: &str, actor: &str, method: &str, path: &str, status: i32, reason: &str| -> Seen {
        let reason = Some(reason.to_owned());
        (action.into(), actor.into(), method.into(), path.into(), status, "refused".into(), reason)
    };
    assert_eq!(
        seen,
        vec![
            refused("request.forbidden", "sam", "POST", "/api/v1/tenants", 403, "forbidden"),
            refused(
                "request.unauthenticated",
                "anonymous",
                "DELETE",
                "/api/v1/tokens/1",
                401,
                "authentication_required"
            ),
        ],
        "unrouted scanner noise and cookie-less session checks are not recorded"
    );
    Ok(())
}
