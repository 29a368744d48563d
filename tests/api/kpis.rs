//! Daily KPIs and the dashboard: values against hand-computed fixtures (with day boundaries in
//! a non-UTC time zone), idempotent rebuilds, partner scoping, a fixed number of queries.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use chrono::{NaiveDate, Utc};
use opsdeck_domain::{
    Db,
    access::{Actor, Caller, Scope},
    dashboard,
    enums::Role,
    kpis,
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, eventually, redacted};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

async fn exec(app: &TestApp, sql: &str) -> TestResult {
    app.db.conn().execute_unprepared(sql).await?;
    Ok(())
}

/// One tenant in Berlin time. Around 1 July 2026 (UTC+2) a Berlin day starts at 22:00 UTC.
async fn fixtures(app: &TestApp) -> TestResult<i64> {
    let now = "2026-06-01T00:00:00+00:00";
    exec(app, &format!("INSERT INTO tenants (slug, name, status, created_at, updated_at) VALUES ('kpi', 'KPI GmbH', 'active', '{now}', '{now}')")).await?;
    let tenant = app.count("SELECT id FROM tenants WHERE slug = 'kpi'").await?;
    exec(
        app,
        &format!(
            "INSERT INTO shops (tenant_id, name, domain, created_at) VALUES ({tenant}, 'Shop', 'shop.example', '{now}')"
        ),
    )
    .await?;
    let shop = app.count(&format!("SELECT id FROM shops WHERE tenant_id = {tenant}")).await?;
    for (reference, signed_up, last_seen, churned) in [
        // Signs up just after midnight Berlin on 1 July (still 30 June in UTC).
        ("a", "2026-06-30T22:30:00+00:00", "NULL", "NULL"),
        // Signs up just before midnight Berlin: 30 June.
        ("b", "2026-06-30T21:30:00+00:00", "NULL", "NULL"),
        // Seen on 1 July, churns early on 2 July Berlin (still 1 July in UTC).
        ("c", "2026-05-01T10:00:00+00:00", "'2026-07-01T12:00:00+00:00'", "'2026-07-01T23:00:00+00:00'"),
    ] {
        exec(app, &format!(
            "INSERT INTO customers (tenant_id, external_ref, name, email, signed_up_at, last_seen_at, churned_at) \
             VALUES ({tenant}, '{reference}', 'Customer {reference}', '{reference}@example.com', '{signed_up}', {last_seen}, {churned})"
        )).await?;
    }
    let customer = |r: &str| format!("(SELECT id FROM customers WHERE external_ref = '{r}' AND tenant_id = {tenant})");
    for (reference, who, amount, currency, status, created, paid) in [
        ("o1", "a", 1000, "EUR", "paid", "2026-07-01T10:00:00+00:00", "'2026-07-01T10:05:00+00:00'"),
        // Created late on 1 July Berlin, paid after midnight: revenue of 2 July.
        ("o2", "b", 500, "EUR", "paid", "2026-07-01T21:59:00+00:00", "'2026-07-01T22:01:00+00:00'"),
        // Refunded: counts as an order, never as revenue.
        ("o3", "a", 700, "EUR", "refunded", "2026-07-01T11:00:00+00:00", "'2026-07-01T11:01:00+00:00'"),
        ("o4", "a", 900, "USD", "paid", "2026-07-01T12:00:00+00:00", "'2026-07-01T12:00:01+00:00'"),
        // Pending: an order of 1 July, no revenue.
        ("o5", "c", 300, "EUR", "pending", "2026-07-01T13:00:00+00:00", "NULL"),
    ] {
        exec(app, &format!(
            "INSERT INTO orders (tenant_id, shop_id, customer_id, external_ref, amount_minor, currency, status, created_at, paid_at) \
             VALUES ({tenant}, {shop}, {}, '{reference}', {amount}, '{currency}', '{status}', '{created}', {paid})",
            customer(who)
        )).await?;
    }
    Ok(tenant)
}

async fn wait_for_rebuilds(app: &TestApp) -> TestResult {
    let open = "SELECT COUNT(*) FROM kpi_rebuild_jobs WHERE status <> 'DONE'";
    eventually(
        "every KPI rebuild to be DONE",
        Duration::from_secs(30),
        async || app.count(open).await,
        |open| *open == 0,
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn kpis_match_hand_computed_values_with_berlin_day_boundaries() -> TestResult {
    let (app, worker) = TestApp::spawn_with_worker(&[("OPSDECK_KPI_TIMEZONE", "Europe/Berlin")]).await?;
    let tenant = fixtures(&app).await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;

    let queued = app.post_as(&ops, "/api/v1/kpis/rebuild", &json!({"from": "2026-06-29", "to": "2026-07-03"})).await?;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    wait_for_rebuilds(&app).await?;
    worker.shutdown().await;

    let series: Value = app
        .get_as(&ops, &format!("/api/v1/kpis/daily?from=2026-06-29&to=2026-07-03&tenant_id={tenant}"))
        .await?
        .json()
        .await?;
    let days = series["days"].as_array().ok_or("no days")?;
    let summary: Vec<(String, i64, i64, i64, i64, Value)> = days
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap_or_default().to_owned(),
                d["signups"].as_i64().unwrap_or(-1),
                d["dau"].as_i64().unwrap_or(-1),
                d["orders"].as_i64().unwrap_or(-1),
                d["churned"].as_i64().unwrap_or(-1),
                d["revenue"].clone(),
            )
        })
        .collect();
    let eur = |amount: i64, orders: i64| json!({"currency": "EUR", "amount_minor": amount, "paid_orders": orders});
    assert_eq!(
        summary,
        vec![
            ("2026-06-29".into(), 0, 0, 0, 0, json!([])),
            ("2026-06-30".into(), 1, 1, 0, 0, json!([])),
            (
                "2026-07-01".into(),
                1,
                3,
                5,
                0,
                json!([eur(1000, 1), {"currency": "USD", "amount_minor": 900, "paid_orders": 1}])
            ),
            ("2026-07-02".into(), 0, 0, 0, 1, json!([eur(500, 1)])),
            ("2026-07-03".into(), 0, 0, 0, 0, json!([])),
        ],
        "dau of 1 July: a (signup + orders), b (order), c (seen and ordered)"
    );

    let platform: Value = app.get_as(&ops, "/api/v1/kpis/daily?from=2026-07-01&to=2026-07-01").await?.json().await?;
    assert_eq!(platform["tenant_id"], Value::Null);
    assert_eq!(platform["days"][0]["orders"], 5, "the platform row sums every tenant");
    Ok(())
}

#[tokio::test]
async fn building_a_day_twice_leaves_identical_rows() -> TestResult {
    let app = TestApp::spawn().await?;
    fixtures(&app).await?;
    let tz = chrono_tz::Europe::Berlin;
    let snapshot = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let rows = db
                .conn()
                .query_all_raw(Statement::from_string(
                    db.backend(),
                    "SELECT id, day, tenant_id, signups, dau, orders, churned, computed_at FROM kpi_daily ORDER BY id",
                ))
                .await?;
            let revenue = db
                .conn()
                .query_all_raw(Statement::from_string(
                    db.backend(),
                    "SELECT id, currency, revenue_minor, paid_orders, computed_at FROM kpi_daily_revenue ORDER BY id",
                ))
                .await?;
            TestResult::Ok(format!("{rows:?}{revenue:?}"))
        }
    };
    for d in [day(2026, 6, 30), day(2026, 7, 1), day(2026, 7, 2)] {
        kpis::build_day(&app.db, d, tz).await?;
    }
    let first = snapshot(&app).await?;
    for d in [day(2026, 6, 30), day(2026, 7, 1), day(2026, 7, 2)] {
        kpis::build_day(&app.db, d, tz).await?;
    }
    assert_eq!(first, snapshot(&app).await?);
    assert!(app.count("SELECT COUNT(*) FROM kpi_daily").await? >= 6);
    Ok(())
}

#[tokio::test]
async fn the_nightly_rebuild_runs_once_per_slot_and_catches_up_missed_nights() -> TestResult {
    let app = TestApp::spawn().await?;
    // The default schedule (02:30 UTC nightly), not the tests' far-future one.
    let settings = opsdeck_domain::config::Settings::from_vars(Vec::new())?;
    let now = Utc::now();
    let job = kpis::schedule_nightly(&app.db, &settings.kpi, &settings.worker, now).await?.ok_or("no job queued")?;
    let today = now.date_naive();
    assert_eq!((job.from_day, job.to_day), (today - chrono::Duration::days(2), today), "the trailing 3 days");
    assert!(kpis::schedule_nightly(&app.db, &settings.kpi, &settings.worker, now).await?.is_none(), "once per slot");

    // The process was down for the next five nights: one job covers every missed day.
    let later = now + chrono::Duration::days(5);
    let catch_up =
        kpis::schedule_nightly(&app.db, &settings.kpi, &settings.worker, later).await?.ok_or("no catch-up")?;
    assert_eq!(catch_up.to_day, later.date_naive());
    assert!(catch_up.from_day <= today - chrono::Duration::days(1), "{catch_up:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM kpi_rebuild_jobs").await?, 2, "no burst of duplicates");
    Ok(())
}

#[tokio::test]
async fn partners_get_their_own_tenants_series_and_dashboard_only() -> TestResult {
    let app = TestApp::spawn().await?;
    let tenants = app.seed().await?;
    let [(own, own_slug), (foreign, _)] = &tenants[..2] else { return Err("two tenants expected".into()) };
    let partner = app.signed_in("pia", Role::PartnerViewer, Some(own_slug)).await?;

    let series: Value = app.get_as(&partner, "/api/v1/kpis/daily").await?.json().await?;
    assert_eq!(series["tenant_id"], json!(own));
    assert_eq!(series["days"].as_array().map(Vec::len), Some(30));
    let other = app.get_as(&partner, &format!("/api/v1/kpis/daily?tenant_id={foreign}")).await?;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);

    let board: Value = app.get_as(&partner, "/api/v1/dashboard").await?.json().await?;
    assert_eq!(board["tenant_id"], json!(own));
    assert_eq!(board["failed_webhooks"], Value::Null, "partners do not see webhook events");
    for widget in ["failed_exports", "active_exports", "recent_articles", "recent_audit"] {
        let rows = board[widget].as_array().ok_or(widget)?;
        assert!(rows.iter().all(|row| row["tenant_id"] == json!(own)), "{widget} leaked a foreign row");
    }
    assert_eq!(board["kpi_series"].as_array().map(Vec::len), Some(14));
    assert!(board["kpi_cards"].as_array().is_some_and(|cards| cards.len() >= 4));

    let staff = app.signed_in("olga", Role::Ops, None).await?;
    let whole: Value = app.get_as(&staff, "/api/v1/dashboard").await?.json().await?;
    assert_eq!(whole["tenant_id"], Value::Null);
    assert!(whole["failed_exports"].as_array().is_some_and(|rows| !rows.is_empty()));
    assert!(whole["failed_webhooks"].is_array());
    Ok(())
}

/// Every widget of a partner's dashboard as the console reads it: one export waiting, one that
/// failed (its error in the words a tenant may read), the audit entries they left, and 14 days
/// of KPIs (none computed yet).
#[tokio::test]
async fn a_partners_dashboard_has_every_widget() -> TestResult {
    let app = TestApp::spawn().await?;
    fixtures(&app).await?;
    let partner = app.signed_in("pia", Role::PartnerAdmin, Some("kpi")).await?;
    for dataset in ["orders", "customers"] {
        let created = app.post_as(&partner, "/api/v1/export-jobs", &json!({"dataset": dataset})).await?;
        assert_eq!(created.status(), StatusCode::ACCEPTED);
    }
    exec(
        &app,
        "UPDATE export_jobs SET status = 'FAILED', attempts = 3, last_error = 'disk full' WHERE dataset = 'customers'",
    )
    .await?;

    let board: Value = app.get_as(&partner, "/api/v1/dashboard").await?.json().await?;
    insta::assert_json_snapshot!("dashboard_of_a_partner", board, {
        ".**.id" => redacted("[id]"),
        ".**.tenant_id" => redacted("[tenant id]"),
        ".**.requested_by_user_id" => redacted("[user id]"),
        ".**.actor_id" => redacted("[user id]"),
        ".**.target_id" => redacted("[id]"),
        ".**.request_id" => redacted("[request id]"),
        ".**.created_at" => redacted("[time]"),
        ".**.occurred_at" => redacted("[time]"),
        ".**.hash" => redacted("[hash]"),
        ".**.prev_hash" => redacted("[hash]"),
        ".kpi_series[].day" => redacted("[day]"),
    });
    Ok(())
}

/// Counts the statements a dashboard load issues.
async fn dashboard_queries(db: &Db, scope: Scope) -> TestResult<usize> {
    let counter = Arc::new(AtomicUsize::new(0));
    let seen = counter.clone();
    let counted = db.observed(move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    let caller = Caller::new(Actor::User { id: 1, username: "ops".into() }, &[(Role::Ops, None)]);
    dashboard::load(&counted, &caller, scope, chrono_tz::UTC).await?;
    Ok(counter.load(Ordering::Relaxed))
}

#[tokio::test]
async fn the_dashboard_issues_a_fixed_small_number_of_queries_whatever_the_data_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let empty = dashboard_queries(&app.db, Scope::All).await?;
    app.seed().await?;
    let seeded = dashboard_queries(&app.db, Scope::All).await?;
    assert_eq!(empty, seeded, "no N+1: the same statements with 0 and with thousands of rows");
    // One read per widget, two for the KPIs: 8, counted inside the snapshot transaction too.
    assert!((8..=10).contains(&seeded), "{seeded} queries");
    Ok(())
}
