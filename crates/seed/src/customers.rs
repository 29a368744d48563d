//! Customers: sign-ups over two years, recent activity, some churn.

use opsdeck_domain::{Db, DomainError};
use rand::{RngExt, rngs::StdRng};

use super::{
    names::person,
    plan::{Clock, DAY, HOUR, at, between, chance, grown, opt_at, split},
    tenants::Tenant,
    writer::Loader,
};

pub(super) struct Customer {
    pub tenant: usize,
    pub signed_up_at: i64,
    pub last_seen_at: Option<i64>,
    pub churned_at: Option<i64>,
    /// Per-tenant sequence number behind `external_ref`.
    pub number: u32,
}

impl Customer {
    pub fn external_ref(&self) -> String {
        format!("cus_{:06}", self.number)
    }
}

/// All customers in id order (= sign-up order), and per tenant the indices in that order.
pub(super) struct Customers {
    pub first_id: i64,
    pub list: Vec<Customer>,
    pub by_tenant: Vec<Vec<usize>>,
}

impl Customers {
    pub fn id(&self, index: usize) -> i64 {
        self.first_id + index as i64
    }

    /// Indices of the tenant's customers who had signed up by `t`.
    pub fn signed_up_by(&self, tenant: usize, t: i64) -> &[usize] {
        let Some(indices) = self.by_tenant.get(tenant) else { return &[] };
        let k = indices.partition_point(|&i| self.list.get(i).is_some_and(|c| c.signed_up_at <= t));
        indices.get(..k).unwrap_or_default()
    }
}

pub(super) fn generate(rng: &mut StdRng, clock: &Clock, tenants: &[Tenant], total: usize, first_id: i64) -> Customers {
    let weights: Vec<f64> = tenants.iter().map(|t| t.weight).collect();
    let mut list = Vec::with_capacity(total);
    for (tenant, count) in split(total, &weights).into_iter().enumerate() {
        for _ in 0..count {
            // Two years of sign-ups, accelerating towards today.
            let signed_up_at = grown(rng, clock.now - HOUR, 730 * DAY, 4.0);
            let churned_at = (chance(rng, 0.12) && clock.now - signed_up_at > 21 * DAY)
                .then(|| between(rng, signed_up_at + 14 * DAY, clock.now));
            let last_seen_at = (!chance(rng, 0.04)).then(|| {
                let (until, gap) = match churned_at {
                    // Churned customers faded out in the weeks before leaving.
                    Some(churned) => (churned, between(rng, 0, 30 * DAY)),
                    // Active ones were mostly seen lately.
                    None => (clock.now, ((clock.now - signed_up_at) as f64 * rng.random::<f64>().powi(4)) as i64),
                };
                (until - gap).max(signed_up_at)
            });
            list.push(Customer { tenant, signed_up_at, last_seen_at, churned_at, number: 0 });
        }
    }
    list.sort_by_key(|c| c.signed_up_at);
    let mut by_tenant = vec![Vec::new(); tenants.len()];
    for (index, customer) in list.iter_mut().enumerate() {
        if let Some(indices) = by_tenant.get_mut(customer.tenant) {
            indices.push(index);
            customer.number = indices.len() as u32;
        }
    }
    Customers { first_id, list, by_tenant }
}

const COLUMNS: &[&str] =
    &["id", "tenant_id", "external_ref", "name", "email", "signed_up_at", "last_seen_at", "churned_at"];

pub(super) async fn load(
    db: &Db,
    rng: &mut StdRng,
    tenants: &[Tenant],
    customers: &Customers,
) -> Result<u64, DomainError> {
    let mut loader = Loader::new(db, "customers", COLUMNS);
    for (index, customer) in customers.list.iter().enumerate() {
        let tenant_id = tenants.get(customer.tenant).map_or(0, |t| t.id);
        let (first, last) = person(rng);
        let email = format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), customer.number);
        loader
            .push([
                customers.id(index).into(),
                tenant_id.into(),
                customer.external_ref().into(),
                format!("{first} {last}").into(),
                email.into(),
                at(customer.signed_up_at).into(),
                opt_at(customer.last_seen_at).into(),
                opt_at(customer.churned_at).into(),
            ])
            .await?;
    }
    loader.finish().await
}
