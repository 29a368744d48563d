//! Articles and their comments.

use opsdeck_domain::{
    Db, DomainError,
    enums::{ArticleStatus, CommentStatus},
};
use rand::{RngExt, rngs::StdRng};

use super::{
    names::{article_body, article_title, comment, person},
    plan::{Clock, DAY, HOUR, MINUTE, at, between, chance, grown, opt_at, pick, split},
    tenants::Tenant,
    writer::Loader,
};

pub(super) struct Article {
    tenant: usize,
    created_at: i64,
    status: ArticleStatus,
    published_at: Option<i64>,
    updated_at: i64,
}

pub(super) struct Articles {
    pub first_id: i64,
    pub list: Vec<Article>,
}

pub(super) fn generate_articles(
    rng: &mut StdRng,
    clock: &Clock,
    tenants: &[Tenant],
    total: usize,
    first_id: i64,
) -> Articles {
    let weights: Vec<f64> = tenants.iter().map(|t| t.weight).collect();
    let mut list = Vec::with_capacity(total);
    for (tenant, count) in split(total, &weights).into_iter().enumerate() {
        for _ in 0..count {
            let created_at = grown(rng, clock.now - HOUR, 540 * DAY, 1.5);
            let r = rng.random::<f64>();
            let published_at = created_at + between(rng, 10 * MINUTE, 3 * DAY);
            let (status, published_at) = if r < 0.12 || published_at > clock.now {
                (ArticleStatus::Draft, None)
            } else if r < 0.20 {
                (ArticleStatus::Archived, Some(published_at))
            } else {
                (ArticleStatus::Published, Some(published_at))
            };
            let last_change = published_at.unwrap_or(created_at);
            let updated_at = if chance(rng, 0.3) { between(rng, last_change, clock.now) } else { last_change };
            list.push(Article { tenant, created_at, status, published_at, updated_at });
        }
    }
    list.sort_by_key(|a| a.created_at);
    Articles { first_id, list }
}

const ARTICLE_COLUMNS: &[&str] =
    &["id", "tenant_id", "title", "body", "author", "status", "published_at", "created_at", "updated_at"];

pub(super) async fn load_articles(
    db: &Db,
    rng: &mut StdRng,
    tenants: &[Tenant],
    articles: &Articles,
) -> Result<u64, DomainError> {
    let mut loader = Loader::new(db, "articles", ARTICLE_COLUMNS);
    for (index, article) in articles.list.iter().enumerate() {
        let Some(tenant) = tenants.get(article.tenant) else { continue };
        let (first, last) = person(rng);
        loader
            .push([
                (articles.first_id + index as i64).into(),
                tenant.id.into(),
                article_title(rng).into(),
                article_body(rng).into(),
                format!("{first} {last}").into(),
                article.status.into(),
                opt_at(article.published_at).into(),
                at(article.created_at).into(),
                at(article.updated_at).into(),
            ])
            .await?;
    }
    loader.finish().await
}

pub(super) struct Comment {
    pub tenant: usize,
    article: usize,
    pub created_at: i64,
    status: CommentStatus,
}

pub(super) struct Comments {
    pub first_id: i64,
    pub list: Vec<Comment>,
    pub created: Vec<i64>,
}

/// Comments arrive on published articles, mostly soon after publication; moderation lags behind.
pub(super) fn generate_comments(
    rng: &mut StdRng,
    clock: &Clock,
    articles: &Articles,
    total: usize,
    first_id: i64,
) -> Comments {
    let published: Vec<(usize, i64)> =
        articles.list.iter().enumerate().filter_map(|(i, a)| a.published_at.map(|p| (i, p))).collect();
    let mut list = Vec::with_capacity(total);
    for _ in 0..total {
        let Some(&(article, published_at)) = pick(rng, &published) else { break };
        let tenant = articles.list.get(article).map_or(0, |a| a.tenant);
        let created_at = published_at
            + MINUTE
            + ((clock.now - published_at - MINUTE).max(0) as f64 * rng.random::<f64>().powf(2.5)) as i64;
        let r = rng.random::<f64>();
        let status = if clock.now - created_at < 2 * DAY && r < 0.6 {
            CommentStatus::Pending
        } else if r < 0.08 {
            CommentStatus::Removed
        } else if r < 0.12 {
            CommentStatus::Pending
        } else {
            CommentStatus::Approved
        };
        list.push(Comment { tenant, article, created_at, status });
    }
    list.sort_by_key(|c| c.created_at);
    let created = list.iter().map(|c| c.created_at).collect();
    Comments { first_id, list, created }
}

const COMMENT_COLUMNS: &[&str] = &["id", "tenant_id", "article_id", "author_name", "body", "status", "created_at"];

pub(super) async fn load_comments(
    db: &Db,
    rng: &mut StdRng,
    tenants: &[Tenant],
    articles: &Articles,
    comments: &Comments,
) -> Result<u64, DomainError> {
    let mut loader = Loader::new(db, "comments", COMMENT_COLUMNS);
    for (index, c) in comments.list.iter().enumerate() {
        let Some(tenant) = tenants.get(c.tenant) else { continue };
        let (first, last) = person(rng);
        let spam = c.status == CommentStatus::Removed && chance(rng, 0.7);
        let body = comment(rng, spam);
        loader
            .push([
                (comments.first_id + index as i64).into(),
                tenant.id.into(),
                (articles.first_id + c.article as i64).into(),
                format!("{first} {}.", last.chars().next().unwrap_or('X')).into(),
                body.into(),
                c.status.into(),
                at(c.created_at).into(),
            ])
            .await?;
    }
    loader.finish().await
}
