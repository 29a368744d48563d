//! Tenants and their shops.

use opsdeck_domain::{DomainError, enums::TenantStatus};
use rand::rngs::StdRng;
use sea_orm::{DatabaseTransaction, Value};

use super::{
    names::{CURRENCIES, TENANTS},
    plan::{Clock, DAY, HOUR, at, between},
    writer::Batch,
};

pub(super) struct Tenant {
    pub id: i64,
    pub slug: &'static str,
    pub name: &'static str,
    pub currency: &'static str,
    pub created_at: i64,
    pub shop_ids: [i64; 2],
    /// Relative size: the oldest tenants are the biggest.
    pub weight: f64,
}

impl Tenant {
    /// The SKU prefix, e.g. `ACM` for acme.
    pub fn sku_prefix(&self) -> String {
        self.slug.chars().filter(char::is_ascii_alphabetic).take(3).collect::<String>().to_ascii_uppercase()
    }
}

pub(super) fn generate(
    rng: &mut StdRng,
    clock: &Clock,
    count: usize,
    first_id: i64,
    first_shop_id: i64,
) -> Vec<Tenant> {
    // Ids follow sign-up order, as they would have in production.
    let mut created: Vec<i64> = (0..count).map(|_| clock.now - between(rng, 800 * DAY, 1100 * DAY)).collect();
    created.sort_unstable();
    TENANTS
        .iter()
        .zip(created)
        .enumerate()
        .map(|(i, (&(slug, name), created_at))| {
            let offset = i as i64;
            Tenant {
                id: first_id + offset,
                slug,
                name,
                currency: CURRENCIES[i % CURRENCIES.len()],
                created_at,
                shop_ids: [first_shop_id + 2 * offset, first_shop_id + 2 * offset + 1],
                weight: 1.0 / ((i + 1) as f64).powf(0.7),
            }
        })
        .collect()
}

const TENANT_COLUMNS: &[&str] = &["id", "slug", "name", "status", "created_at", "updated_at"];
const SHOP_COLUMNS: &[&str] = &["id", "tenant_id", "name", "domain", "created_at"];

pub(super) async fn load(
    txn: &DatabaseTransaction,
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
) -> Result<(), DomainError> {
    let mut batch = Batch::new("tenants", TENANT_COLUMNS);
    for tenant in tenants {
        let updated_at = between(rng, tenant.created_at, clock.now);
        batch.push([
            tenant.id.into(),
            tenant.slug.into(),
            tenant.name.into(),
            TenantStatus::Active.into(),
            at(tenant.created_at).into(),
            at(updated_at).into(),
        ])?;
    }
    batch.flush(txn).await?;

    let mut batch = Batch::new("shops", SHOP_COLUMNS);
    for tenant in tenants {
        let shops = [
            (format!("{} Store", tenant.name), format!("shop.{}.example.com", tenant.slug)),
            (format!("{} Outlet", tenant.name), format!("outlet.{}.example.com", tenant.slug)),
        ];
        for (id, (name, domain)) in tenant.shop_ids.iter().zip(shops) {
            let created_at = tenant.created_at + between(rng, HOUR, 60 * DAY);
            batch.push([Value::from(*id), tenant.id.into(), name.into(), domain.into(), at(created_at).into()])?;
        }
    }
    batch.flush(txn).await?;
    Ok(())
}
