//! Inbound webhook events, consistent with the orders and customers they talk about.

use chrono::{DateTime, SecondsFormat, Utc};
use opsdeck_domain::{Db, DomainError, enums::WebhookEventStatus};
use rand::{RngExt, rngs::StdRng, seq::SliceRandom};
use sea_orm::Value;
use serde::Serialize;
use serde_json::json;

use super::{
    commerce::Orders,
    customers::Customers,
    plan::{Clock, DAY, MINUTE, SECOND, alnum, at, below, between, chance, opt_at},
    tenants::Tenant,
    writer::{Loader, internal},
};

const MAX_ATTEMPTS: i32 = 5;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    OrderPaid,
    OrderRefunded,
    CustomerCreated,
    CustomerChurned,
}

impl Kind {
    fn event_type(self) -> &'static str {
        match self {
            Self::OrderPaid => "order.paid",
            Self::OrderRefunded => "order.refunded",
            Self::CustomerCreated => "customer.created",
            Self::CustomerChurned => "customer.churned",
        }
    }

    fn provider(self) -> &'static str {
        match self {
            Self::OrderPaid | Self::OrderRefunded => "payments",
            Self::CustomerCreated | Self::CustomerChurned => "crm",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Processed,
    /// Handled, nothing to change (the effect was already applied).
    Ignored,
    /// No tenant matches the event: stored with a NULL tenant and ignored.
    Unroutable,
    Failed,
}

pub(super) struct Event {
    kind: Kind,
    /// Index into the orders or customers, by kind.
    subject: usize,
    tenant: usize,
    occurred_at: i64,
    received_at: i64,
    fate: Fate,
}

impl Event {
    /// The tenant the row is stored under.
    pub fn tenant(&self) -> Option<usize> {
        (self.fate != Fate::Unroutable).then_some(self.tenant)
    }
}

/// All events in id order (= arrival order).
pub(super) struct Events {
    pub first_id: i64,
    pub list: Vec<Event>,
    pub received: Vec<i64>,
}

pub(super) fn generate(
    rng: &mut StdRng,
    clock: &Clock,
    customers: &Customers,
    orders: &Orders,
    total: usize,
    first_id: i64,
) -> Events {
    // Every fact of the year is announced once, in random order. Facts beyond `total` came in
    // through the API instead; events beyond the facts are redeliveries, ignored as applied.
    let window_start = clock.now - 365 * DAY;
    let mut facts: Vec<(Kind, usize, usize, i64)> = Vec::new();
    for (i, o) in orders.list.iter().enumerate() {
        for (kind, t) in [(Kind::OrderPaid, o.paid_at), (Kind::OrderRefunded, o.refunded_at)] {
            if let Some(t) = t.filter(|&t| t >= window_start) {
                facts.push((kind, i, o.tenant, t));
            }
        }
    }
    for (i, c) in customers.list.iter().enumerate() {
        for (kind, t) in [(Kind::CustomerCreated, Some(c.signed_up_at)), (Kind::CustomerChurned, c.churned_at)] {
            if let Some(t) = t.filter(|&t| t >= window_start) {
                facts.push((kind, i, c.tenant, t));
            }
        }
    }
    facts.shuffle(rng);

    let mut list = Vec::with_capacity(total);
    for (n, &(kind, subject, tenant, occurred_at)) in facts.iter().cycle().take(total).enumerate() {
        let redelivery = n >= facts.len();
        let delay = if redelivery { between(rng, MINUTE, 2 * DAY) } else { between(rng, 50_000, 3 * SECOND) };
        let received_at = (occurred_at + delay).min(clock.now);
        let r = rng.random::<f64>();
        let mut fate = if redelivery || r < 0.035 {
            Fate::Ignored
        } else if r < 0.05 {
            Fate::Unroutable
        } else if r < 0.09 {
            Fate::Failed
        } else {
            Fate::Processed
        };
        // Five attempts with backoff take about 45 minutes: the newest events have not failed yet.
        if fate == Fate::Failed && clock.now - received_at < 50 * MINUTE {
            fate = Fate::Processed;
        }
        list.push(Event { kind, subject, tenant, occurred_at, received_at, fate });
    }
    list.sort_by_key(|e| e.received_at);
    let received = list.iter().map(|e| e.received_at).collect();
    Events { first_id, list, received }
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: serde_json::Value,
}

const COLUMNS: &[&str] = &[
    "id",
    "status",
    "attempts",
    "max_attempts",
    "last_error",
    "claim_token",
    "heartbeat_at",
    "run_after",
    "started_at",
    "finished_at",
    "created_at",
    "updated_at",
    "tenant_id",
    "provider",
    "event_id",
    "event_type",
    "payload",
    "received_at",
    "processed_at",
];

const FAILURES: [&str; 5] = [
    "handler timed out after 30s",
    "database is locked (code 5)",
    "customer lookup failed: connection reset by peer",
    "payload rejected: data.amount_minor does not match the order total",
    "upstream returned 503 Service Unavailable",
];

pub(super) async fn load(
    db: &Db,
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    customers: &Customers,
    orders: &Orders,
    events: &Events,
) -> Result<u64, DomainError> {
    let mut loader = Loader::new(db, "webhook_events", COLUMNS);
    for (index, event) in events.list.iter().enumerate() {
        let Some(tenant) = tenants.get(event.tenant) else { continue };
        let (data, subject_ref) = match event.kind {
            Kind::OrderPaid | Kind::OrderRefunded => {
                let Some(order) = orders.list.get(event.subject) else { continue };
                let reference = order.external_ref();
                let data = json!({
                    "tenant": if event.fate == Fate::Unroutable { "unknown" } else { tenant.slug },
                    "order_id": reference,
                    "amount_minor": order.amount_minor,
                    "currency": tenant.currency,
                });
                (data, reference)
            }
            Kind::CustomerCreated | Kind::CustomerChurned => {
                let Some(customer) = customers.list.get(event.subject) else { continue };
                let reference = customer.external_ref();
                let mut data = json!({
                    "tenant": if event.fate == Fate::Unroutable { "unknown" } else { tenant.slug },
                    "customer_id": reference,
                });
                if event.kind == Kind::CustomerChurned {
                    data["reason"] = json!(if chance(rng, 0.7) { "cancelled" } else { "payment_failed" });
                } else {
                    data["plan"] = json!(if chance(rng, 0.8) { "standard" } else { "plus" });
                }
                (data, reference)
            }
        };
        let payload = serde_json::to_string(&Envelope {
            kind: event.kind.event_type(),
            timestamp: at(event.occurred_at).to_rfc3339_opts(SecondsFormat::Secs, true),
            data,
        })
        .map_err(|e| internal("webhook payload", e))?;

        let received = event.received_at;
        let cap = |t: i64| t.min(clock.now);
        let (status, attempts, last_error, run_after, started, finished, processed) = match event.fate {
            Fate::Failed => {
                // Exponential backoff: 30 s, 2 min, 8 min, 32 min between the five attempts.
                let last_start = received + 42 * MINUTE + 30 * SECOND + between(rng, 0, 30 * SECOND);
                let finished = last_start + between(rng, 20_000, 30 * SECOND);
                let error = FAILURES.get(below(rng, FAILURES.len())).copied().unwrap_or_default();
                (
                    WebhookEventStatus::Failed,
                    MAX_ATTEMPTS,
                    Some(error.to_owned()),
                    last_start,
                    last_start,
                    finished,
                    None,
                )
            }
            fate => {
                let retried = chance(rng, 0.05);
                let start = received + between(rng, 5_000, 800_000) + if retried { 30 * SECOND } else { 0 };
                let finished = start + between(rng, 3_000, 250_000);
                let (status, error) = match fate {
                    Fate::Ignored => {
                        let what = match event.kind {
                            Kind::OrderPaid => "already paid",
                            Kind::OrderRefunded => "already refunded",
                            Kind::CustomerCreated => "already exists",
                            Kind::CustomerChurned => "already churned",
                        };
                        (WebhookEventStatus::Ignored, Some(format!("nothing to do: {subject_ref} {what}")))
                    }
                    Fate::Unroutable => {
                        (WebhookEventStatus::Ignored, Some("no tenant matches data.tenant \"unknown\"".to_owned()))
                    }
                    _ => (WebhookEventStatus::Processed, None),
                };
                let run_after = if retried { start } else { received };
                (status, if retried { 2 } else { 1 }, error, run_after, start, finished, Some(finished))
            }
        };
        let finished = cap(finished);
        loader
            .push([
                (events.first_id + index as i64).into(),
                status.into(),
                attempts.into(),
                MAX_ATTEMPTS.into(),
                last_error.into(),
                Value::from(None::<String>),
                Value::from(None::<DateTime<Utc>>),
                at(cap(run_after)).into(),
                at(cap(started)).into(),
                at(finished).into(),
                at(received).into(),
                at(finished).into(),
                event.tenant().map(|_| tenant.id).into(),
                event.kind.provider().into(),
                format!("evt_{:08}_{}", index + 1, alnum(rng, 12)).into(),
                event.kind.event_type().into(),
                payload.into(),
                at(received).into(),
                opt_at(processed.map(cap)).into(),
            ])
            .await?;
    }
    loader.finish().await
}
