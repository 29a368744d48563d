//! The tenants' own data: shops, products, customers, orders, articles and comments.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, drop_tables, fk, index, one_of, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tenant_owned(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(big_pk_auto("id"))
        .col(big_integer("tenant_id"))
        .foreign_key(&mut fk(table, "tenant_id", "tenants", ForeignKeyAction::Restrict))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite DDL is transactional too: a failed migration leaves nothing half-applied.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                tenant_owned("shops")
                    .col(string_len("name", 200))
                    .col(string_len("domain", 253))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_owned("products")
                    .col(big_integer("shop_id"))
                    .col(string_len("sku", 64))
                    .col(string_len("name", 200))
                    // Integer minor units (cents): no floating point ever touches money.
                    .col(big_integer("price_minor"))
                    .check(Check::named("ck_products_price_minor", Expr::col("price_minor").gte(0)))
                    .col(char_len("currency", 3))
                    .col(string_len("visibility", 16))
                    .check(one_of("products", "visibility", &["visible", "hidden"]))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("products", "shop_id", "shops", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_owned("customers")
                    // The provider's id of the customer, used by webhook events to find it.
                    .col(string_len("external_ref", 128))
                    .col(string_len("name", 200))
                    .col(string_len("email", 320))
                    .col(timestamp_with_time_zone("signed_up_at"))
                    .col(timestamp_with_time_zone_null("last_seen_at"))
                    .col(timestamp_with_time_zone_null("churned_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_owned("orders")
                    .col(big_integer("shop_id"))
                    .col(big_integer_null("customer_id"))
                    .col(string_len("external_ref", 128))
                    .col(big_integer("amount_minor"))
                    .check(Check::named("ck_orders_amount_minor", Expr::col("amount_minor").gte(0)))
                    .col(char_len("currency", 3))
                    .col(string_len("status", 16))
                    .check(one_of("orders", "status", &["pending", "paid", "refunded", "cancelled"]))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("paid_at"))
                    .col(timestamp_with_time_zone_null("refunded_at"))
                    .foreign_key(&mut fk("orders", "shop_id", "shops", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("orders", "customer_id", "customers", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_owned("articles")
                    .col(string_len("title", 300))
                    .col(text("body"))
                    .col(string_len("author", 200))
                    .col(string_len("status", 16))
                    .check(one_of("articles", "status", &["draft", "published", "archived"]))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                tenant_owned("comments")
                    .col(big_integer("article_id"))
                    .col(string_len("author_name", 200))
                    .col(text("body"))
                    .col(string_len("status", 16))
                    .check(one_of("comments", "status", &["pending", "approved", "removed"]))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("comments", "article_id", "articles", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        // Lists page by (tenant_id, id) keyset; filters and the KPI build get their own indexes.
        create_indexes(
            manager,
            vec![
                index("shops", &["tenant_id", "id"]),
                index("products", &["tenant_id", "id"]),
                index("products", &["shop_id", "id"]),
                index("products", &["tenant_id", "visibility", "id"]),
                unique("products", &["tenant_id", "sku"]),
                index("customers", &["tenant_id", "id"]),
                unique("customers", &["tenant_id", "external_ref"]),
                index("customers", &["signed_up_at"]),
                index("customers", &["last_seen_at"]),
                index("customers", &["churned_at"]),
                index("orders", &["tenant_id", "id"]),
                index("orders", &["tenant_id", "status", "id"]),
                index("orders", &["customer_id"]),
                index("orders", &["shop_id"]),
                unique("orders", &["tenant_id", "external_ref"]),
                index("orders", &["created_at"]),
                index("orders", &["paid_at"]),
                index("articles", &["tenant_id", "id"]),
                index("articles", &["tenant_id", "status", "published_at"]),
                index("articles", &["status", "published_at"]),
                index("comments", &["tenant_id", "id"]),
                index("comments", &["tenant_id", "status", "id"]),
                index("comments", &["article_id"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["comments", "articles", "orders", "customers", "products", "shops"]).await
    }
}
