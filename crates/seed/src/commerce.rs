//! Products and orders.

use opsdeck_domain::{
    Db, DomainError,
    enums::{OrderStatus, ProductVisibility},
};
use rand::{RngExt, rngs::StdRng};
use sea_orm::Value;

use super::{
    customers::Customers,
    names::product_name,
    plan::{
        Clock, DAY, HOUR, MINUTE, SECOND, at, below, between, busy, chance, grown, log_uniform, opt_at, pick, split,
    },
    tenants::Tenant,
    writer::Loader,
};

pub(super) struct Product {
    pub tenant: usize,
    shop: usize,
    pub created_at: i64,
    updated_at: i64,
    price_minor: i64,
    visible: bool,
    number: u32,
}

/// All products in id order (= creation order).
pub(super) struct Products {
    pub first_id: i64,
    pub list: Vec<Product>,
    pub created: Vec<i64>,
    /// Per tenant, the prices orders are made of.
    pub prices: Vec<Vec<i64>>,
}

pub(super) fn generate_products(
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    total: usize,
    first_id: i64,
) -> Products {
    let weights: Vec<f64> = tenants.iter().map(|t| t.weight).collect();
    let mut list = Vec::with_capacity(total);
    for (tenant_index, (tenant, count)) in tenants.iter().zip(split(total, &weights)).enumerate() {
        let end = clock.now - HOUR;
        let span = (end - tenant.created_at - 7 * DAY).max(DAY);
        for _ in 0..count {
            let created_at = grown(rng, end, span, 1.5);
            let updated_at = if chance(rng, 0.4) {
                created_at
            } else {
                created_at + ((clock.now - created_at) as f64 * rng.random::<f64>().powi(2)) as i64
            };
            // Prices end in .99, from a few euros to a few hundred.
            let price_minor = ((log_uniform(rng, 3.0, 500.0).round() as i64) * 100 - 1).max(99);
            list.push(Product {
                tenant: tenant_index,
                shop: below(rng, 2),
                created_at,
                updated_at,
                price_minor,
                visible: !chance(rng, 0.08),
                number: 0,
            });
        }
    }
    list.sort_by_key(|p| p.created_at);
    let mut numbers = vec![0_u32; tenants.len()];
    let mut prices = vec![Vec::new(); tenants.len()];
    for product in &mut list {
        if let (Some(n), Some(p)) = (numbers.get_mut(product.tenant), prices.get_mut(product.tenant)) {
            *n += 1;
            product.number = *n;
            p.push(product.price_minor);
        }
    }
    let created = list.iter().map(|p| p.created_at).collect();
    Products { first_id, list, created, prices }
}

const PRODUCT_COLUMNS: &[&str] =
    &["id", "tenant_id", "shop_id", "sku", "name", "price_minor", "currency", "visibility", "created_at", "updated_at"];

pub(super) async fn load_products(
    db: &Db,
    rng: &mut StdRng,
    tenants: &[Tenant],
    products: &Products,
) -> Result<u64, DomainError> {
    let prefixes: Vec<String> = tenants.iter().map(Tenant::sku_prefix).collect();
    let mut loader = Loader::new(db, "products", PRODUCT_COLUMNS);
    for (index, product) in products.list.iter().enumerate() {
        let Some(tenant) = tenants.get(product.tenant) else { continue };
        let prefix = prefixes.get(product.tenant).map_or("SKU", String::as_str);
        let visibility = if product.visible { ProductVisibility::Visible } else { ProductVisibility::Hidden };
        loader
            .push([
                (products.first_id + index as i64).into(),
                tenant.id.into(),
                tenant.shop_ids[product.shop].into(),
                format!("{prefix}-{:06}", product.number).into(),
                product_name(rng).into(),
                product.price_minor.into(),
                tenant.currency.into(),
                visibility.into(),
                at(product.created_at).into(),
                at(product.updated_at).into(),
            ])
            .await?;
    }
    loader.finish().await
}

pub(super) struct Order {
    pub tenant: usize,
    pub customer: Option<usize>,
    shop: usize,
    pub created_at: i64,
    pub status: OrderStatus,
    pub paid_at: Option<i64>,
    pub refunded_at: Option<i64>,
    pub amount_minor: i64,
    number: u32,
}

impl Order {
    pub fn external_ref(&self) -> String {
        format!("ord_{:07}", self.number)
    }
}

/// All orders in id order (= creation order).
pub(super) struct Orders {
    pub first_id: i64,
    pub list: Vec<Order>,
}

pub(super) fn generate_orders(
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    customers: &Customers,
    products: &Products,
    total: usize,
    first_id: i64,
) -> Orders {
    let weights: Vec<f64> = tenants.iter().map(|t| t.weight).collect();
    let mut list = Vec::with_capacity(total);
    for (tenant, count) in split(total, &weights).into_iter().enumerate() {
        let prices = products.prices.get(tenant).map_or(&[][..], Vec::as_slice);
        for _ in 0..count {
            let created_at = busy(rng, clock.now - MINUTE, 365 * DAY, 2.5);
            // A few guest checkouts; everyone else had an account by then.
            let customer =
                if chance(rng, 0.06) { None } else { pick(rng, customers.signed_up_by(tenant, created_at)).copied() };
            let lines = 1 + below(rng, 3);
            let mut amount_minor: i64 = (0..lines)
                .map(|_| pick(rng, prices).copied().unwrap_or_else(|| log_uniform(rng, 500.0, 30_000.0) as i64))
                .sum();
            if chance(rng, 0.5) {
                amount_minor += 499; // shipping
            }
            let (status, paid_at, refunded_at) = settle(rng, clock, created_at);
            list.push(Order {
                tenant,
                customer,
                shop: below(rng, 2),
                created_at,
                status,
                paid_at,
                refunded_at,
                amount_minor,
                number: 0,
            });
        }
    }
    list.sort_by_key(|o| o.created_at);
    let mut numbers = vec![0_u32; tenants.len()];
    for order in &mut list {
        if let Some(n) = numbers.get_mut(order.tenant) {
            *n += 1;
            order.number = *n;
        }
    }
    Orders { first_id, list }
}

/// Mostly paid within minutes; some cancelled, some refunded later, the freshest still pending.
fn settle(rng: &mut StdRng, clock: &Clock, created_at: i64) -> (OrderStatus, Option<i64>, Option<i64>) {
    let r = rng.random::<f64>();
    let paid_at = created_at + between(rng, 5 * SECOND, 15 * MINUTE);
    let refunded_at = paid_at + between(rng, HOUR, 30 * DAY);
    if paid_at > clock.now || (clock.now - created_at < 2 * DAY && r < 0.15) {
        (OrderStatus::Pending, None, None)
    } else if r < 0.06 {
        (OrderStatus::Cancelled, None, None)
    } else if r < 0.10 && refunded_at <= clock.now {
        (OrderStatus::Refunded, Some(paid_at), Some(refunded_at))
    } else {
        (OrderStatus::Paid, Some(paid_at), None)
    }
}

const ORDER_COLUMNS: &[&str] = &[
    "id",
    "tenant_id",
    "shop_id",
    "customer_id",
    "external_ref",
    "amount_minor",
    "currency",
    "status",
    "created_at",
    "paid_at",
    "refunded_at",
];

pub(super) async fn load_orders(
    db: &Db,
    tenants: &[Tenant],
    customers: &Customers,
    orders: &Orders,
) -> Result<u64, DomainError> {
    let mut loader = Loader::new(db, "orders", ORDER_COLUMNS);
    for (index, order) in orders.list.iter().enumerate() {
        let Some(tenant) = tenants.get(order.tenant) else { continue };
        loader
            .push([
                (orders.first_id + index as i64).into(),
                tenant.id.into(),
                tenant.shop_ids[order.shop].into(),
                Value::from(order.customer.map(|c| customers.id(c))),
                order.external_ref().into(),
                order.amount_minor.into(),
                tenant.currency.into(),
                order.status.into(),
                at(order.created_at).into(),
                opt_at(order.paid_at).into(),
                opt_at(order.refunded_at).into(),
            ])
            .await?;
    }
    loader.finish().await
}
