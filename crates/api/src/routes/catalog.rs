//! The tenants' catalog, read-only here: shops, products, orders, customers, articles and
//! comments. Every query runs in the caller's scope; staff may narrow it with `tenant_id`.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    catalog::{self, ArticleFilter, CommentFilter, CustomerFilter, OrderFilter, ProductFilter, ShopFilter},
    enums::{ArticleStatus, CommentStatus, OrderStatus, ProductVisibility},
    models,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::Query;
use crate::{
    auth::{Authorized, perm},
    problem::{ApiResult, Problem},
    routes::shared::{Page, PageQuery},
    state::AppState,
};

type CatalogReader = Authorized<perm::CatalogRead>;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantQuery {
    /// Staff: only this tenant's rows. Partners: their own tenant (another id finds nothing).
    pub tenant_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Shop {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub domain: String,
    pub created_at: DateTime<Utc>,
}

impl From<models::Shop> for Shop {
    fn from(s: models::Shop) -> Self {
        Self { id: s.id, tenant_id: s.tenant_id, name: s.name, domain: s.domain, created_at: s.created_at }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Product {
    pub id: i64,
    pub tenant_id: i64,
    pub shop_id: i64,
    pub sku: String,
    pub name: String,
    /// Price in minor units (cents) of `currency`.
    pub price_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    pub visibility: ProductVisibility,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<models::Product> for Product {
    fn from(p: models::Product) -> Self {
        Self {
            id: p.id,
            tenant_id: p.tenant_id,
            shop_id: p.shop_id,
            sku: p.sku,
            name: p.name,
            price_minor: p.price_minor,
            currency: p.currency,
            visibility: p.visibility,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Order {
    pub id: i64,
    pub tenant_id: i64,
    pub shop_id: i64,
    pub customer_id: Option<i64>,
    pub external_ref: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
}

impl From<models::Order> for Order {
    fn from(o: models::Order) -> Self {
        Self {
            id: o.id,
            tenant_id: o.tenant_id,
            shop_id: o.shop_id,
            customer_id: o.customer_id,
            external_ref: o.external_ref,
            amount_minor: o.amount_minor,
            currency: o.currency,
            status: o.status,
            created_at: o.created_at,
            paid_at: o.paid_at,
            refunded_at: o.refunded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    pub tenant_id: i64,
    pub external_ref: String,
    pub name: String,
    pub email: String,
    pub signed_up_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub churned_at: Option<DateTime<Utc>>,
}

impl From<models::Customer> for Customer {
    fn from(c: models::Customer) -> Self {
        Self {
            id: c.id,
            tenant_id: c.tenant_id,
            external_ref: c.external_ref,
            name: c.name,
            email: c.email,
            signed_up_at: c.signed_up_at,
            last_seen_at: c.last_seen_at,
            churned_at: c.churned_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Article {
    pub id: i64,
    pub tenant_id: i64,
    pub title: String,
    pub author: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<models::Article> for Article {
    fn from(a: models::Article) -> Self {
        Self {
            id: a.id,
            tenant_id: a.tenant_id,
            title: a.title,
            author: a.author,
            status: a.status,
            published_at: a.published_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub tenant_id: i64,
    pub article_id: i64,
    pub author_name: String,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: DateTime<Utc>,
}

impl From<models::Comment> for Comment {
    fn from(c: models::Comment) -> Self {
        Self {
            id: c.id,
            tenant_id: c.tenant_id,
            article_id: c.article_id,
            author_name: c.author_name,
            body: c.body,
            status: c.status,
            created_at: c.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    pub shop_id: Option<i64>,
    pub visibility: Option<ProductVisibility>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub customer_id: Option<i64>,
    /// Orders created at or after this instant (RFC 3339).
    pub created_from: Option<DateTime<Utc>>,
    /// Orders created before this instant (RFC 3339).
    pub created_to: Option<DateTime<Utc>>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// `true`: only churned customers; `false`: only active ones.
    pub churned: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    pub status: Option<ArticleStatus>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    pub status: Option<CommentStatus>,
    pub article_id: Option<i64>,
}

/// List shops.
#[utoipa::path(
    operation_id = "list_shops", tag = "catalog", params(PageQuery, TenantQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Shop>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/shops")]
pub async fn list_shops(
    state: web::Data<AppState>,
    auth: CatalogReader,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
) -> ApiResult<web::Json<Page<Shop>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let rows = catalog::list_shops(&state.db, scope, &ShopFilter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, Shop::from)))
}

/// One shop.
#[utoipa::path(
    operation_id = "get_shop", tag = "catalog",
    responses(
        (status = 200, description = "The shop", body = Shop),
        (status = 404, description = "No such shop in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/shops/{id}")]
pub async fn get_shop(
    state: web::Data<AppState>,
    auth: CatalogReader,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Shop>> {
    Ok(web::Json(catalog::get_shop(&state.db, auth.scope, id.into_inner()).await?.into()))
}

/// List products.
#[utoipa::path(
    operation_id = "list_products", tag = "catalog", params(PageQuery, TenantQuery, ProductQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Product>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    auth: CatalogReader,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<ProductQuery>,
) -> ApiResult<web::Json<Page<Product>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let filter = ProductFilter { shop_id: filter.shop_id, visibility: filter.visibility };
    let rows = catalog::list_products(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, Product::from)))
}

/// One product.
#[utoipa::path(
    operation_id = "get_product", tag = "catalog",
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 404, description = "No such product in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    auth: CatalogReader,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Product>> {
    Ok(web::Json(catalog::get_product(&state.db, auth.scope, id.into_inner()).await?.into()))
}

/// List orders.
#[utoipa::path(
    operation_id = "list_orders", tag = "catalog", params(PageQuery, TenantQuery, OrderQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Order>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    auth: CatalogReader,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<OrderQuery>,
) -> ApiResult<web::Json<Page<Order>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let filter = OrderFilter {
        status: filter.status,
        customer_id: filter.customer_id,
        created_from: filter.created_from,
        created_to: filter.created_to,
    };
    let rows = catalog::list_orders(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, Order::from)))
}

/// One order.
#[utoipa::path(
    operation_id = "get_order", tag = "catalog",
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 404, description = "No such order in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    auth: CatalogReader,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Order>> {
    Ok(web::Json(catalog::get_order(&state.db, auth.scope, id.into_inner()).await?.into()))
}

/// List customers.
#[utoipa::path(
    operation_id = "list_customers", tag = "catalog", params(PageQuery, TenantQuery, CustomerQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Customer>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    auth: CatalogReader,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<CustomerQuery>,
) -> ApiResult<web::Json<Page<Customer>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let filter = CustomerFilter { churned: filter.churned };
    let rows = catalog::list_customers(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, Customer::from)))
}

/// One customer.
#[utoipa::path(
    operation_id = "get_customer", tag = "catalog",
    responses(
        (status = 200, description = "The customer", body = Customer),
        (status = 404, description = "No such customer in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/customers/{id}")]
pub async fn get_customer(
    state: web::Data<AppState>,
    auth: CatalogReader,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Customer>> {
    Ok(web::Json(catalog::get_customer(&state.db, auth.scope, id.into_inner()).await?.into()))
}

/// List articles.
#[utoipa::path(
    operation_id = "list_articles", tag = "catalog", params(PageQuery, TenantQuery, ArticleQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Article>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    auth: CatalogReader,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<ArticleQuery>,
) -> ApiResult<web::Json<Page<Article>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let filter = ArticleFilter { status: filter.status };
    let rows = catalog::list_articles(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, Article::from)))
}

/// One article.
#[utoipa::path(
    operation_id = "get_article", tag = "catalog",
    responses(
        (status = 200, description = "The article", body = Article),
        (status = 404, description = "No such article in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/articles/{id}")]
pub async fn get_article(
    state: web::Data<AppState>,
    auth: CatalogReader,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Article>> {
    Ok(web::Json(catalog::get_article(&state.db, auth.scope, id.into_inner()).await?.into()))
}

/// List comments.
#[utoipa::path(
    operation_id = "list_comments", tag = "catalog", params(PageQuery, TenantQuery, CommentQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<Comment>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/comments")]
pub async fn list_comments(
    state: web::Data<AppState>,
    auth: CatalogReader,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<CommentQuery>,
) -> ApiResult<web::Json<Page<Comment>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let filter = CommentFilter { status: filter.status, article_id: filter.article_id };
    let rows = catalog::list_comments(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, Comment::from)))
}

/// One comment.
#[utoipa::path(
    operation_id = "get_comment", tag = "catalog",
    responses(
        (status = 200, description = "The comment", body = Comment),
        (status = 404, description = "No such comment in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::CatalogRead::NAME))),
)]
#[get("/comments/{id}")]
pub async fn get_comment(
    state: web::Data<AppState>,
    auth: CatalogReader,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Comment>> {
    Ok(web::Json(catalog::get_comment(&state.db, auth.scope, id.into_inner()).await?.into()))
}
