//! What each event type does. Every effect is one conditional statement (update-only, or an
//! insert that does nothing on conflict), so applying an event twice, or two copies at once,
//! changes the data once. A referenced row that is not there yet is a retryable failure:
//! providers deliver out of order.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    sea_query::{OnConflict, Query},
};
use serde::{Deserialize, de::DeserializeOwned};

use crate::{
    audit::chain::storable_time,
    entities::{customers, enums::OrderStatus, orders},
    jobs::RunError,
    webhooks::envelope::Envelope,
};

/// A handler that ran to its end.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Handled {
    /// The data changed.
    Applied,
    /// Nothing to change (already applied, or nothing handles it); the reason is kept.
    Ignored(String),
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// May succeed later: what the event refers to has not arrived yet, or the database failed.
    Retryable(RunError),
    /// No retry can help: the event's data does not fit its type.
    Permanent(RunError),
}

impl From<sea_orm::DbErr> for Failure {
    fn from(error: sea_orm::DbErr) -> Self {
        Failure::Retryable(RunError::internal(format!("database error: {error}")))
    }
}

/// Applies the event inside `txn`; the caller commits it together with the event's new state.
pub(super) async fn apply(
    txn: &DatabaseTransaction,
    tenant: Option<i64>,
    envelope: &Envelope,
) -> Result<Handled, Failure> {
    let kind = envelope.event_type.as_str();
    if !matches!(kind, "order.paid" | "order.refunded" | "customer.created" | "customer.churned") {
        return Ok(Handled::Ignored(format!("no handler for event type {kind:?}")));
    }
    let Some(tenant) = tenant else {
        return Ok(Handled::Ignored("no tenant matches data.tenant or data.tenant_id".to_owned()));
    };
    match kind {
        "order.paid" => order_paid(txn, tenant, data(envelope)?, envelope.timestamp).await,
        "order.refunded" => order_refunded(txn, tenant, data(envelope)?, envelope.timestamp).await,
        "customer.created" => customer_created(txn, tenant, data(envelope)?, envelope.timestamp).await,
        _ => customer_churned(txn, tenant, data(envelope)?, envelope.timestamp).await,
    }
}

fn data<T: DeserializeOwned>(envelope: &Envelope) -> Result<T, Failure> {
    serde_json::from_value(serde_json::Value::Object(envelope.data.clone()))
        .map_err(|e| Failure::Permanent(RunError::shared(format!("data does not fit {}: {e}", envelope.event_type))))
}

/// `order_id` is the provider's reference of the order (`orders.external_ref`).
#[derive(Deserialize)]
struct OrderEvent {
    order_id: String,
    paid_at: Option<DateTime<Utc>>,
    refunded_at: Option<DateTime<Utc>>,
}

async fn order_status(txn: &DatabaseTransaction, tenant: i64, reference: &str) -> Result<Option<OrderStatus>, Failure> {
    let order = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(tenant))
        .filter(orders::Column::ExternalRef.eq(reference))
        .one(txn)
        .await?;
    Ok(order.map(|o| o.status))
}

fn missing(what: &str, reference: &str) -> Failure {
    Failure::Retryable(RunError::shared(format!("{what} {reference:?} not found (yet): retrying, it may arrive later")))
}

/// Marks the order paid, unless it is already paid or refunded.
async fn order_paid(
    txn: &DatabaseTransaction,
    tenant: i64,
    event: OrderEvent,
    occurred_at: DateTime<Utc>,
) -> Result<Handled, Failure> {
    let changed = orders::Entity::update_many()
        .set(orders::ActiveModel {
            status: Set(OrderStatus::Paid),
            paid_at: Set(Some(storable_time(event.paid_at.unwrap_or(occurred_at)))),
            ..Default::default()
        })
        .filter(orders::Column::TenantId.eq(tenant))
        .filter(orders::Column::ExternalRef.eq(event.order_id.as_str()))
        .filter(orders::Column::Status.is_not_in([OrderStatus::Paid, OrderStatus::Refunded]))
        .exec(txn)
        .await?
        .rows_affected;
    if changed > 0 {
        return Ok(Handled::Applied);
    }
    match order_status(txn, tenant, &event.order_id).await? {
        None => Err(missing("order", &event.order_id)),
        Some(status) => {
            Ok(Handled::Ignored(format!("nothing to do: order {:?} is already {}", event.order_id, status.to_value())))
        }
    }
}

/// Marks a paid order refunded. A refund may overtake its payment: a pending order is retried.
async fn order_refunded(
    txn: &DatabaseTransaction,
    tenant: i64,
    event: OrderEvent,
    occurred_at: DateTime<Utc>,
) -> Result<Handled, Failure> {
    let changed = orders::Entity::update_many()
        .set(orders::ActiveModel {
            status: Set(OrderStatus::Refunded),
            refunded_at: Set(Some(storable_time(event.refunded_at.unwrap_or(occurred_at)))),
            ..Default::default()
        })
        .filter(orders::Column::TenantId.eq(tenant))
        .filter(orders::Column::ExternalRef.eq(event.order_id.as_str()))
        .filter(orders::Column::Status.eq(OrderStatus::Paid))
        .exec(txn)
        .await?
        .rows_affected;
    if changed > 0 {
        return Ok(Handled::Applied);
    }
    match order_status(txn, tenant, &event.order_id).await? {
        None => Err(missing("order", &event.order_id)),
        Some(OrderStatus::Pending) => Err(Failure::Retryable(RunError::shared(format!(
            "order {:?} is not paid yet: retrying, its payment may arrive later",
            event.order_id
        )))),
        Some(status) => {
            Ok(Handled::Ignored(format!("nothing to do: order {:?} is {}", event.order_id, status.to_value())))
        }
    }
}

/// `customer_id` is the provider's reference of the customer (`customers.external_ref`).
#[derive(Deserialize)]
struct CustomerEvent {
    customer_id: String,
    name: Option<String>,
    email: Option<String>,
    signed_up_at: Option<DateTime<Utc>>,
    churned_at: Option<DateTime<Utc>>,
}

fn bounded(field: &str, value: &str, max: usize) -> Result<(), Failure> {
    if value.chars().count() > max {
        return Err(Failure::Permanent(RunError::shared(format!("data.{field} is longer than {max} characters"))));
    }
    Ok(())
}

/// Records a signup: inserts the customer unless the tenant already has one by that reference.
async fn customer_created(
    txn: &DatabaseTransaction,
    tenant: i64,
    event: CustomerEvent,
    occurred_at: DateTime<Utc>,
) -> Result<Handled, Failure> {
    // Providers need not send a name or an email; the reference stands in for the name.
    let name = event.name.unwrap_or_else(|| event.customer_id.clone());
    let email = event.email.unwrap_or_default();
    bounded("customer_id", &event.customer_id, 128)?;
    bounded("name", &name, 200)?;
    bounded("email", &email, 320)?;
    use customers::Column as C;
    let insert = Query::insert()
        .into_table(customers::Entity)
        .columns([C::TenantId, C::ExternalRef, C::Name, C::Email, C::SignedUpAt])
        .values([
            tenant.into(),
            event.customer_id.as_str().into(),
            name.into(),
            email.into(),
            storable_time(event.signed_up_at.unwrap_or(occurred_at)).into(),
        ])
        .map_err(|e| Failure::Permanent(RunError::internal(e)))?
        .on_conflict(OnConflict::columns([C::TenantId, C::ExternalRef]).do_nothing().to_owned())
        .to_owned();
    if txn.execute(&insert).await?.rows_affected() > 0 {
        return Ok(Handled::Applied);
    }
    Ok(Handled::Ignored(format!("nothing to do: customer {:?} already exists", event.customer_id)))
}

/// Records the churn, unless the customer has churned already (the first time stays).
async fn customer_churned(
    txn: &DatabaseTransaction,
    tenant: i64,
    event: CustomerEvent,
    occurred_at: DateTime<Utc>,
) -> Result<Handled, Failure> {
    let changed = customers::Entity::update_many()
        .set(customers::ActiveModel {
            churned_at: Set(Some(storable_time(event.churned_at.unwrap_or(occurred_at)))),
            ..Default::default()
        })
        .filter(customers::Column::TenantId.eq(tenant))
        .filter(customers::Column::ExternalRef.eq(event.customer_id.as_str()))
        .filter(customers::Column::ChurnedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    if changed > 0 {
        return Ok(Handled::Applied);
    }
    let exists = customers::Entity::find()
        .filter(customers::Column::TenantId.eq(tenant))
        .filter(customers::Column::ExternalRef.eq(event.customer_id.as_str()))
        .one(txn)
        .await?
        .is_some();
    if exists {
        Ok(Handled::Ignored(format!("nothing to do: customer {:?} has churned already", event.customer_id)))
    } else {
        Err(missing("customer", &event.customer_id))
    }
}
