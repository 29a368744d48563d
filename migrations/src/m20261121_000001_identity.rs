//! Tenants, staff users, role bindings, integrator tokens, refresh sessions and login throttling.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, drop_tables, fk, index, one_of, unique};

pub const ROLES: [&str; 5] = ["superadmin", "ops", "support", "partner_admin", "partner_viewer"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite DDL is transactional too: a failed migration leaves nothing half-applied.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("tenants")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("slug", 63))
                    .col(string_len("name", 200))
                    .col(string_len("status", 16))
                    .check(one_of("tenants", "status", &["active", "suspended"]))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("username", 100))
                    .col(string_len("display_name", 200))
                    .col(string_len_null("email", 320))
                    .col(string_len("password_hash", 255))
                    .col(boolean("is_active"))
                    .col(string_len_null("totp_secret", 128))
                    .col(timestamp_with_time_zone_null("totp_enabled_at"))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("role_bindings")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("role", 32))
                    .col(big_integer_null("tenant_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(one_of("role_bindings", "role", &ROLES))
                    // Partner roles are bound to exactly one tenant; staff roles to none.
                    .check(Check::named(
                        "ck_role_bindings_tenant",
                        Expr::cust(
                            "(role IN ('partner_admin', 'partner_viewer') AND tenant_id IS NOT NULL) \
                             OR (role IN ('superadmin', 'ops', 'support') AND tenant_id IS NULL)",
                        ),
                    ))
                    .foreign_key(&mut fk("role_bindings", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("role_bindings", "tenant_id", "tenants", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("name", 200))
                    .col(string_len("display_prefix", 16))
                    .col(string_len_uniq("token_hash", 64))
                    // JSON array of role names; each one is also held by the creating user.
                    .col(text("roles"))
                    .col(big_integer_null("tenant_id"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("api_tokens", "user_id", "users", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("api_tokens", "tenant_id", "tenants", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("refresh_sessions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    // All tokens descending from one login share a family; reuse revokes the family.
                    .col(string_len("family_id", 36))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("rotated_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(string_len_null("ip", 64))
                    .col(string_len_null("user_agent", 512))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("refresh_sessions", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("auth_failures")
                    .col(big_pk_auto("id"))
                    .col(string_len("key_kind", 16))
                    .check(one_of("auth_failures", "key_kind", &["account", "ip"]))
                    .col(string_len("key", 255))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                index("role_bindings", &["user_id"]),
                index("role_bindings", &["tenant_id"]),
                index("api_tokens", &["user_id", "id"]),
                index("refresh_sessions", &["family_id"]),
                index("refresh_sessions", &["user_id"]),
                index("auth_failures", &["key_kind", "key", "occurred_at"]),
                index("auth_failures", &["occurred_at"]),
                unique("role_bindings", &["user_id", "role", "tenant_id"]),
            ],
        )
        .await?;
        // NULLs are distinct in unique indexes: staff roles (no tenant) need their own.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_role_bindings_staff ON role_bindings (user_id, role) WHERE tenant_id IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["auth_failures", "refresh_sessions", "api_tokens", "role_bindings", "users", "tenants"])
            .await
    }
}
