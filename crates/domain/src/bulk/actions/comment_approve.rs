//! `comment.approve`: pending (or removed) comments become approved.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Action, Change, fixed, wrong_row};
use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
    entities::enums::CommentStatus,
};

pub(crate) struct Approve;

impl Action for Approve {
    fn name(&self) -> &'static str {
        "comment.approve"
    }

    fn target(&self) -> TargetKind {
        TargetKind::Comments
    }

    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError> {
        fixed(params, approve)
    }
}

fn approve(row: &TargetRow, _now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
    let TargetRow::Comment(comment) = row else { return Err(wrong_row(row)) };
    if comment.status == CommentStatus::Approved {
        return Ok(None);
    }
    let mut changed = comment.clone();
    changed.status = CommentStatus::Approved;
    Ok(Some(TargetRow::Comment(changed)))
}
