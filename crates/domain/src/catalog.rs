//! The tenants' catalog, read through the caller's scope: shops, products, orders, customers,
//! articles and comments.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition};

use crate::{
    Db, DomainError,
    access::Scope,
    entities::{
        articles, comments, customers,
        enums::{ArticleStatus, CommentStatus, OrderStatus, ProductVisibility},
        orders, products, shops,
    },
    pagination::{Page, PageRequest},
    tenant_owned,
};

/// `list_x` and `get_x` for each catalog resource: the public, scope-taking entry points.
macro_rules! resource {
    ($module:ident, $list:ident, $get:ident, $filter:ty) => {
        pub async fn $list(
            db: &Db,
            scope: Scope,
            filter: &$filter,
            page: PageRequest,
        ) -> Result<Page<$module::Model>, DomainError> {
            tenant_owned::list::<$module::Entity>(db.conn(), scope, filter.condition(), page).await
        }

        pub async fn $get(db: &Db, scope: Scope, id: i64) -> Result<$module::Model, DomainError> {
            tenant_owned::get::<$module::Entity>(db.conn(), scope, id).await
        }
    };
}

resource!(shops, list_shops, get_shop, ShopFilter);
resource!(products, list_products, get_product, ProductFilter);
resource!(orders, list_orders, get_order, OrderFilter);
resource!(customers, list_customers, get_customer, CustomerFilter);
resource!(articles, list_articles, get_article, ArticleFilter);
resource!(comments, list_comments, get_comment, CommentFilter);

#[derive(Clone, Debug, Default)]
pub struct ShopFilter;

impl ShopFilter {
    fn condition(&self) -> Condition {
        Condition::all()
    }
}

#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    pub shop_id: Option<i64>,
    pub visibility: Option<ProductVisibility>,
}

impl ProductFilter {
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.shop_id.map(|id| products::Column::ShopId.eq(id)))
            .add_option(self.visibility.map(|v| products::Column::Visibility.eq(v)))
    }
}

#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub customer_id: Option<i64>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

impl OrderFilter {
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.status.map(|s| orders::Column::Status.eq(s)))
            .add_option(self.customer_id.map(|id| orders::Column::CustomerId.eq(id)))
            .add_option(self.created_from.map(|at| orders::Column::CreatedAt.gte(at)))
            .add_option(self.created_to.map(|at| orders::Column::CreatedAt.lt(at)))
    }
}

#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    /// `Some(true)`: churned only; `Some(false)`: active only.
    pub churned: Option<bool>,
}

impl CustomerFilter {
    fn condition(&self) -> Condition {
        Condition::all().add_option(self.churned.map(|churned| {
            if churned { customers::Column::ChurnedAt.is_not_null() } else { customers::Column::ChurnedAt.is_null() }
        }))
    }
}

#[derive(Clone, Debug, Default)]
pub struct ArticleFilter {
    pub status: Option<ArticleStatus>,
}

impl ArticleFilter {
    fn condition(&self) -> Condition {
        Condition::all().add_option(self.status.map(|s| articles::Column::Status.eq(s)))
    }
}

#[derive(Clone, Debug, Default)]
pub struct CommentFilter {
    pub status: Option<CommentStatus>,
    pub article_id: Option<i64>,
}

impl CommentFilter {
    fn condition(&self) -> Condition {
        Condition::all()
            .add_option(self.status.map(|s| comments::Column::Status.eq(s)))
            .add_option(self.article_id.map(|id| comments::Column::ArticleId.eq(id)))
    }
}
