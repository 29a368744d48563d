//! Who acts in the demo history.
//!
//! Real staff users and tokens are used when they exist. Otherwise actors are labels only
//! (`actor_id` NULL): an invented id would later point at whoever gets that id.

use opsdeck_domain::{Db, DomainError, enums::ActorType};
use rand::rngs::StdRng;
use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::{
    plan::{alnum, below, chance, pick},
    tenants::Tenant,
};

pub(super) struct ExistingToken {
    pub id: i64,
    pub user_id: i64,
    label: String,
}

/// Staff users and tokens already in the database (no tenant exists yet, so none are partners).
pub(super) struct Existing {
    pub users: Vec<(i64, String)>,
    pub tokens: Vec<ExistingToken>,
}

pub(super) async fn load_existing(db: &Db) -> Result<Existing, DomainError> {
    let conn = db.conn();
    let query = |sql: &str| conn.query_all_raw(Statement::from_string(db.backend(), sql));
    let users = query("SELECT id, username FROM users ORDER BY id LIMIT 50")
        .await?
        .iter()
        .map(|row| row.try_get_many_by_index::<(i64, String)>())
        .collect::<Result<_, _>>()?;
    let tokens = query("SELECT id, user_id, name, display_prefix FROM api_tokens ORDER BY id LIMIT 20")
        .await?
        .iter()
        .map(|row| {
            let (id, user_id, name, prefix) = row.try_get_many_by_index::<(i64, i64, String, String)>()?;
            Ok(ExistingToken { id, user_id, label: format!("{name} ({prefix}…)") })
        })
        .collect::<Result<_, DbErr>>()?;
    Ok(Existing { users, tokens })
}

#[derive(Clone)]
pub(super) struct Actor {
    pub actor_type: ActorType,
    pub id: Option<i64>,
    pub label: String,
    /// Partners and tenant tokens act within one tenant.
    pub tenant: Option<usize>,
    /// The documentation network their requests come from.
    pub network: &'static str,
}

pub(super) struct Cast {
    staff: Vec<Actor>,
    partners: Vec<Actor>,
    staff_tokens: Vec<Actor>,
    tenant_tokens: Vec<Actor>,
    system: Vec<Actor>,
}

const STAFF_NETWORK: &str = "198.51.100";
const PARTNER_NETWORK: &str = "203.0.113";
const INTEGRATOR_NETWORK: &str = "192.0.2";

impl Cast {
    pub fn new(rng: &mut StdRng, existing: &Existing, tenants: &[Tenant]) -> Self {
        let actor = |actor_type, id, label: String, tenant, network| Actor { actor_type, id, label, tenant, network };
        let mut staff: Vec<Actor> = existing
            .users
            .iter()
            .map(|(id, name)| actor(ActorType::User, Some(*id), name.clone(), None, STAFF_NETWORK))
            .collect();
        if staff.is_empty() {
            staff = ["ops.anna", "ops.malik", "support.chen", "support.lea", "admin"]
                .into_iter()
                .map(|name| actor(ActorType::User, None, name.to_owned(), None, STAFF_NETWORK))
                .collect();
        }
        let partners = tenants
            .iter()
            .enumerate()
            .flat_map(|(i, t)| {
                [format!("{}.admin", t.slug), format!("{}.ops", t.slug)]
                    .map(|label| actor(ActorType::User, None, label, Some(i), PARTNER_NETWORK))
            })
            .collect();
        let mut staff_tokens: Vec<Actor> = existing
            .tokens
            .iter()
            .map(|t| actor(ActorType::Token, Some(t.id), t.label.clone(), None, INTEGRATOR_NETWORK))
            .collect();
        if staff_tokens.is_empty() {
            staff_tokens = ["reporting", "ci-exporter"]
                .into_iter()
                .map(|name| {
                    let label = format!("{name} (odk_{}…)", alnum(rng, 4));
                    actor(ActorType::Token, None, label, None, INTEGRATOR_NETWORK)
                })
                .collect();
        }
        let tenant_tokens = tenants
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let label = format!("{} integration (odk_{}…)", t.slug, alnum(rng, 4));
                actor(ActorType::Token, None, label, Some(i), INTEGRATOR_NETWORK)
            })
            .collect();
        let system = ["worker", "scheduler"]
            .into_iter()
            .map(|name| actor(ActorType::System, None, name.to_owned(), None, ""))
            .collect();
        Self { staff, partners, staff_tokens, tenant_tokens, system }
    }

    /// A person: a partner of `tenant` now and then, otherwise staff.
    pub fn human(&self, rng: &mut StdRng, tenant: Option<usize>) -> &Actor {
        let partner = match tenant {
            Some(t) if chance(rng, 0.45) => self.partners.iter().filter(|a| a.tenant == Some(t)).nth(below(rng, 2)),
            _ => None,
        };
        partner.or_else(|| pick(rng, &self.staff)).unwrap_or(&self.system[0])
    }

    /// Anyone who logs in: staff mostly, partners of any tenant too.
    pub fn anyone(&self, rng: &mut StdRng) -> &Actor {
        let pool = if chance(rng, 0.3) && !self.partners.is_empty() { &self.partners } else { &self.staff };
        pick(rng, pool).unwrap_or(&self.system[0])
    }

    pub fn staff(&self, rng: &mut StdRng) -> &Actor {
        pick(rng, &self.staff).unwrap_or(&self.system[0])
    }

    /// An integrator token (the tenant's own when it has a tenant), or a person.
    pub fn integrator(&self, rng: &mut StdRng, tenant: Option<usize>) -> &Actor {
        if chance(rng, 0.5) {
            return self.human(rng, tenant);
        }
        let own =
            tenant.filter(|_| chance(rng, 0.6)).and_then(|t| self.tenant_tokens.iter().find(|a| a.tenant == Some(t)));
        own.or_else(|| pick(rng, &self.staff_tokens)).unwrap_or(&self.system[0])
    }

    pub fn system(&self, rng: &mut StdRng) -> &Actor {
        pick(rng, &self.system).unwrap_or(&self.system[0])
    }
}
