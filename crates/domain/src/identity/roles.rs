//! Parsing role names (the enum itself is generated with the entities).

use std::str::FromStr;

use sea_orm::Iterable;

use crate::{DomainError, entities::enums::Role};

impl FromStr for Role {
    type Err = DomainError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Role::iter().find(|role| role.as_str() == name).ok_or_else(|| {
            let known: Vec<&str> = Role::iter().map(|r| r.as_str()).collect();
            DomainError::invalid_field("role", format!("unknown role {name:?}; expected one of {}", known.join(", ")))
        })
    }
}

impl Role {
    /// Partner roles are bound to one tenant; staff roles see every tenant.
    pub fn is_partner(self) -> bool {
        matches!(self, Role::PartnerAdmin | Role::PartnerViewer)
    }
}
