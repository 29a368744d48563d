//! Authentication and authorization at the HTTP edge.
//!
//! A middleware resolves the bearer credential once per request, before any extractor runs,
//! so an unauthorized caller is refused before its body is even parsed. Handlers then take
//! either [`Authorized<P>`] (the one check: permission `P`, yielding the caller's scope) or
//! [`Authenticated`] (any signed-in caller, for `/me` and the caller's own settings).

use std::{future::Ready, marker::PhantomData, net::IpAddr};

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use opsdeck_domain::{
    DomainError,
    access::{Caller, Permission, Scope},
    audit::RequestMeta,
    auth::authenticate::caller_from_bearer,
};
use tracing_actix_web::RequestId;

use crate::{problem::ApiError, state::AppState};

/// What the middleware found out about the request's credentials.
#[derive(Clone)]
pub enum Authentication {
    Anonymous,
    Caller(Box<Caller>),
    Refused(std::sync::Arc<DomainError>),
}

/// The credential of an `Authorization: Bearer ...` header.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(|token| token.trim().to_owned())
}

pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let bearer = bearer_token(req.request());
    let authentication = match (bearer, req.app_data::<web::Data<AppState>>()) {
        (Some(token), Some(state)) if !token.is_empty() => {
            match caller_from_bearer(&state.db, &state.keys, &state.settings.auth, &token).await {
                Ok(caller) => Authentication::Caller(Box::new(caller)),
                Err(error) => Authentication::Refused(std::sync::Arc::new(error)),
            }
        }
        _ => Authentication::Anonymous,
    };
    req.extensions_mut().insert(authentication);
    next.call(req).await
}

fn caller_of(req: &HttpRequest) -> Result<Caller, ApiError> {
    match req.extensions().get::<Authentication>() {
        Some(Authentication::Caller(caller)) => Ok((**caller).clone()),
        Some(Authentication::Refused(error)) => Err(ApiError::Domain(match error.as_ref() {
            DomainError::Transient(cause) | DomainError::Internal(cause) => DomainError::Internal(cause.clone()),
            DomainError::TenantSuspended => DomainError::TenantSuspended,
            _ => DomainError::unauthenticated("invalid_token", "the access token is invalid or expired"),
        })),
        _ => Err(ApiError::Domain(DomainError::unauthenticated(
            "authentication_required",
            "send `Authorization: Bearer <token>`",
        ))),
    }
}

/// Any authenticated caller.
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(caller_of(req).map(Authenticated))
    }
}

/// A permission named at the type level, so that a handler's signature states it.
pub trait Required {
    const PERMISSION: Permission;
}

/// The caller holds permission `P`; carries the scope every tenant-owned query must use.
pub struct Authorized<P: Required> {
    pub caller: Caller,
    pub scope: Scope,
    _permission: PhantomData<P>,
}

impl<P: Required> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(caller_of(req).and_then(|caller| {
            let scope = caller.authorize(P::PERMISSION)?;
            Ok(Self { caller, scope, _permission: PhantomData })
        }))
    }
}

/// Marker types, one per permission: `Authorized<perm::ExportsRetry>`.
pub mod perm {
    use super::{Permission, Required};

    macro_rules! markers {
        ($($name:ident),* $(,)?) => {$(
            pub struct $name;
            impl Required for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }

    markers!(
        TenantsRead,
        TenantsWrite,
        UsersRead,
        UsersWrite,
        TokensManage,
        CatalogRead,
        AuditRead,
        AuditExport,
        ExportsRead,
        ExportsCreate,
        ExportsRetry,
        ExportsDownload,
        WebhooksRead,
        WebhooksReprocess,
        DashboardRead,
        KpisRead,
        KpisRebuild,
        BulkRead,
        BulkRun
    );
}

/// The request as the audit log records it. The client address comes from `X-Forwarded-For`
/// only when the direct peer is a configured trusted proxy.
pub struct Meta(pub RequestMeta);

impl FromRequest for Meta {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Meta(request_meta(req))))
    }
}

pub fn request_meta(req: &HttpRequest) -> RequestMeta {
    let peer = req.peer_addr().map(|addr| addr.ip());
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.http.trusted_proxies.clone())
        .unwrap_or_default();
    let forwarded = || {
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|first| first.trim().parse::<IpAddr>().ok())
    };
    let ip = match peer {
        Some(peer) if trusted.contains(&peer) => forwarded().or(Some(peer)),
        other => other,
    };
    RequestMeta {
        ip: ip.map(|ip| ip.to_string()),
        method: Some(req.method().to_string()),
        path: Some(req.path().to_owned()),
        request_id: req.extensions().get::<RequestId>().map(ToString::to_string),
    }
}
