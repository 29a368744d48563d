//! `article.publish`: drafts and archived articles become published; `published_at` is set
//! to now unless the article was published before (a re-publication keeps its first date).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Action, Change, fixed, wrong_row};
use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
    entities::enums::ArticleStatus,
};

pub(crate) struct Publish;

impl Action for Publish {
    fn name(&self) -> &'static str {
        "article.publish"
    }

    fn target(&self) -> TargetKind {
        TargetKind::Articles
    }

    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError> {
        fixed(params, publish)
    }
}

fn publish(row: &TargetRow, now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
    let TargetRow::Article(article) = row else { return Err(wrong_row(row)) };
    if article.status == ArticleStatus::Published {
        return Ok(None);
    }
    let mut changed = article.clone();
    changed.status = ArticleStatus::Published;
    changed.published_at = article.published_at.or(Some(now));
    Ok(Some(TargetRow::Article(changed)))
}
