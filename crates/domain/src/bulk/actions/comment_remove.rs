//! `comment.remove`: comments are marked removed (hidden, never deleted).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Action, Change, fixed, wrong_row};
use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
    entities::enums::CommentStatus,
};

pub(crate) struct Remove;

impl Action for Remove {
    fn name(&self) -> &'static str {
        "comment.remove"
    }

    fn target(&self) -> TargetKind {
        TargetKind::Comments
    }

    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError> {
        fixed(params, remove)
    }
}

fn remove(row: &TargetRow, _now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
    let TargetRow::Comment(comment) = row else { return Err(wrong_row(row)) };
    if comment.status == CommentStatus::Removed {
        return Ok(None);
    }
    let mut changed = comment.clone();
    changed.status = CommentStatus::Removed;
    Ok(Some(TargetRow::Comment(changed)))
}
