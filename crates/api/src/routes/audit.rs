//! The audit log: search (keyset pages, newest first), one entry, and a streamed CSV export. All
//! run in the caller's scope: partners see their tenant's entries only; staff may narrow to a tenant.

use actix_web::{
    HttpResponse, get,
    http::header::{CacheControl, CacheDirective, ContentDisposition, DispositionParam, DispositionType},
    web::{self, Bytes},
};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use opsdeck_domain::{
    audit::query::{self, AuditEntry, AuditFilter, Export},
    enums::{ActorType, AuditOutcome},
    exports::csv::CsvRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::Query;
use crate::{
    auth::{Authorized, Meta, perm},
    csv_body,
    problem::{ApiError, ApiResult, Problem},
    routes::{
        catalog::TenantQuery,
        shared::{Page, PageQuery},
    },
    state::AppState,
};

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditLogEntry {
    /// Entries are numbered in chain order, without gaps.
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: ActorType,
    /// The user's or integrator token's id.
    pub actor_id: Option<i64>,
    /// A readable name for the actor: a username, `token <name> (#id)`, or the username a failed
    /// login tried.
    pub actor_label: String,
    pub tenant_id: Option<i64>,
    pub ip: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// `resource.verb`, e.g. `tenant.create`, `auth.login_failed`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    /// The HTTP status of the request the entry belongs to; none for work nobody asked for over
    /// HTTP (the worker's, the scheduler's, the command line's).
    pub status: Option<i32>,
    /// How the action ended.
    pub outcome: AuditOutcome,
    /// Why it was refused or failed, where there is a reason, e.g. `bad_credentials`, `forbidden`.
    pub reason: Option<String>,
    /// Details; secrets and personal data were redacted before storage.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// The previous entry's hash: the chain `opsdeck audit verify` checks.
    pub prev_hash: String,
    pub hash: String,
    /// What the hash covers: 1 for entries written before outcomes were recorded, 2 since.
    pub hash_version: i32,
}

impl From<AuditEntry> for AuditLogEntry {
    fn from(entry: AuditEntry) -> Self {
        // Stored metadata is JSON text; should it not parse, show it as it is rather than hide it.
        let metadata = serde_json::from_str(&entry.metadata).unwrap_or(serde_json::Value::String(entry.metadata));
        Self {
            id: entry.id,
            occurred_at: entry.occurred_at,
            actor_type: entry.actor_type,
            actor_id: entry.actor_id,
            actor_label: entry.actor_label,
            tenant_id: entry.tenant_id,
            ip: entry.ip,
            method: entry.method,
            path: entry.path,
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id,
            request_id: entry.request_id,
            status: entry.status,
            outcome: entry.outcome,
            reason: entry.reason,
            metadata,
            prev_hash: entry.prev_hash,
            hash: entry.hash,
            hash_version: entry.hash_version,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_type: Option<ActorType>,
    /// One user's or token's entries; needs `actor_type`.
    pub actor_id: Option<i64>,
    /// The actor's label, exactly.
    #[param(max_length = 255)]
    pub actor_label: Option<String>,
    /// Entries whose action starts with this, e.g. `auth.` or `tenant.create`.
    #[param(max_length = 128, pattern = "^[a-z0-9_.]+$")]
    pub action_prefix: Option<String>,
    /// e.g. `tenant`, `user`, `api_token`.
    #[param(max_length = 64)]
    pub target_type: Option<String>,
    /// Needs `target_type`.
    #[param(max_length = 128)]
    pub target_id: Option<String>,
    /// Entries at or after this instant (RFC 3339). A range spans at most 366 days.
    pub occurred_from: Option<DateTime<Utc>>,
    /// Entries before this instant (RFC 3339); needs `occurred_from`.
    pub occurred_to: Option<DateTime<Utc>>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor_type: self.actor_type,
            actor_id: self.actor_id,
            actor_label: self.actor_label.clone(),
            action_prefix: self.action_prefix.clone(),
            target_type: self.target_type.clone(),
            target_id: self.target_id.clone(),
            occurred_from: self.occurred_from,
            occurred_to: self.occurred_to,
        }
    }
}

/// Search the audit log.
#[utoipa::path(
    operation_id = "list_audit_logs", tag = "audit", params(PageQuery, TenantQuery, AuditQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<AuditLogEntry>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::AuditRead::NAME))),
)]
#[get("/audit-logs")]
pub async fn list_audit_logs(
    state: web::Data<AppState>,
    auth: Authorized<perm::AuditRead>,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<AuditQuery>,
) -> ApiResult<web::Json<Page<AuditLogEntry>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let rows = query::list(&state.db, scope, &filter.filter(), page.request()?).await?;
    Ok(web::Json(Page::from_domain(rows, AuditLogEntry::from)))
}

/// One entry of the audit log.
///
/// Scoped like the list: partners read their tenant's entries only; any other entry is a 404.
#[utoipa::path(
    operation_id = "get_audit_log", tag = "audit",
    responses(
        (status = 200, description = "The entry", body = AuditLogEntry),
        (status = 404, description = "No such entry in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::AuditRead::NAME))),
)]
#[get("/audit-logs/{id}")]
pub async fn get_audit_log(
    state: web::Data<AppState>,
    auth: Authorized<perm::AuditRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<AuditLogEntry>> {
    let entry = query::get(&state.db, auth.scope, id.into_inner()).await?;
    Ok(web::Json(entry.into()))
}

/// Download the matching entries as CSV, newest first.
///
/// Streams in constant memory; the download is itself recorded (`audit_log.export`) before
/// the first row is sent, and covers the entries logged before it.
#[utoipa::path(
    operation_id = "export_audit_logs", tag = "audit", params(TenantQuery, AuditQuery),
    responses(
        (status = 200, description = "CSV with a header row; the columns of an entry", body = String, content_type = "text/csv"),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::AuditExport::NAME))),
)]
#[get("/audit-logs/export")]
pub async fn export_audit_logs(
    state: web::Data<AppState>,
    auth: Authorized<perm::AuditExport>,
    meta: Meta,
    tenant: Query<TenantQuery>,
    filter: Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let export = Export::start(&state.db, &auth.caller, scope, &filter.filter(), &meta.0).await?;
    let db = state.db.clone();
    // Pulled by actix as the socket drains: one chunk in memory at a time.
    let rows = stream::try_unfold(export, move |mut export| {
        let db = db.clone();
        async move {
            match export.next_csv(&db).await? {
                Some(chunk) => Ok::<_, ApiError>(Some((Bytes::from(chunk), export))),
                None => Ok(None),
            }
        }
    });
    let body = stream::once(std::future::ready(csv_body::rows([AuditEntry::HEADER.iter().map(|h| (*h).to_owned())])))
        .chain(rows)
        .map(|chunk| chunk.inspect_err(|error| tracing::error!(%error, "the audit export stopped halfway")));
    let filename = format!("audit-log-{}.csv", Utc::now().format("%Y%m%dT%H%M%SZ"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .streaming(body))
}
