//! `article.unpublish`: published articles go back to draft. `published_at` is kept, as the
//! record of when the article first went out.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Action, Change, fixed, wrong_row};
use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
    entities::enums::ArticleStatus,
};

pub(crate) struct Unpublish;

impl Action for Unpublish {
    fn name(&self) -> &'static str {
        "article.unpublish"
    }

    fn target(&self) -> TargetKind {
        TargetKind::Articles
    }

    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError> {
        fixed(params, unpublish)
    }
}

fn unpublish(row: &TargetRow, _now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
    let TargetRow::Article(article) = row else { return Err(wrong_row(row)) };
    if article.status != ArticleStatus::Published {
        return Ok(None);
    }
    let mut changed = article.clone();
    changed.status = ArticleStatus::Draft;
    Ok(Some(TargetRow::Article(changed)))
}
