//! Authentication and authorization at the HTTP edge.
//!
//! A middleware resolves the bearer credential once per request, before any extractor runs,
//! so an unauthorized caller is refused before its body is even parsed. Handlers then take
//! either [`Authorized<P>`] (the one check: permission `P`, yielding the caller's scope) or
//! [`Authenticated`] (any signed-in caller, for `/me` and the caller's own settings).

use std::{
    future::Ready,
    marker::PhantomData,
    net::{IpAddr, SocketAddr},
};

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
    access::{Caller, Required, Scope},
    audit::RequestMeta,
    auth::authenticate::caller_from_bearer,
};
use tracing_actix_web::RequestId;

pub use opsdeck_domain::access::perm;

use crate::{
    config::HttpSettings,
    contract::Contract,
    problem::{self, ApiError},
    state::AppState,
};

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

/// What `x-permission` says of an operation anyone may call.
pub const PUBLIC: &str = "public";

/// Any authenticated caller.
pub struct Authenticated(pub Caller);

impl Authenticated {
    /// What `x-permission` says of an operation any signed-in caller may call.
    pub const NAME: &str = "authenticated";
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(caller_of(req).map(Authenticated))
    }
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

/// The request as the audit log records it, with the client's address (see [`client_address`])
/// and the status the request answers with: its operation's declared success, or the status of
/// the domain error that ends it.
pub struct Meta(pub RequestMeta);

impl FromRequest for Meta {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Meta(request_meta(req))))
    }
}

/// The client's address. The direct peer, unless it is a trusted proxy; then `X-Forwarded-For`
/// is read from the right, where each proxy appends the address it was talking to, skipping
/// trusted proxies: the first address no trusted proxy is, is the client. What lies to its left
/// the client wrote itself, so it is never believed. An entry that is not an address ends the
/// walk at the last proxy known.
fn client_address<'a>(
    peer: IpAddr,
    forwarded: impl DoubleEndedIterator<Item = &'a str>,
    http: &HttpSettings,
) -> IpAddr {
    let mut client = peer;
    for entry in forwarded.rev() {
        if !http.is_trusted_proxy(client) {
            break;
        }
        let entry = entry.trim();
        let Some(hop) = entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|at| at.ip()))
        else {
            break;
        };
        client = hop;
    }
    client
}

pub fn request_meta(req: &HttpRequest) -> RequestMeta {
    let state = req.app_data::<web::Data<AppState>>();
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let ip = req.peer_addr().map(|peer| match state {
        Some(state) => client_address(peer.ip(), forwarded.into_iter(), &state.http),
        None => peer.ip(),
    });
    let contract = req.app_data::<web::Data<Contract>>();
    let status = match (contract, crate::route::pattern(req)) {
        (Some(contract), Some(pattern)) => contract.success_status(req.method(), &pattern),
        _ => None,
    };
    RequestMeta {
        ip: ip.map(|ip| ip.to_string()),
        method: Some(req.method().to_string()),
        path: Some(req.path().to_owned()),
        request_id: req.extensions().get::<RequestId>().map(ToString::to_string),
        status,
        error_status: Some(problem::status_of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn client(peer: &str, forwarded: &str) -> String {
        let vars = [("OPSDECK_TRUSTED_PROXIES".to_owned(), "127.0.0.1, 10.0.0.0/8".to_owned())];
        let config = Config::from_vars(vars).map_err(|e| e.to_string());
        let http = config.map(|c| c.http).unwrap_or_else(|e| panic!("{e}"));
        let peer = peer.parse().unwrap_or_else(|e| panic!("{e}"));
        client_address(peer, forwarded.split(',').filter(|e| !e.is_empty()), &http).to_string()
    }

    #[test]
    fn x_forwarded_for_is_walked_from_the_right_past_trusted_proxies() {
        // The client prepends a forged address; the proxies append what they saw.
        assert_eq!(client("127.0.0.1", "203.0.113.66, 198.51.100.7"), "198.51.100.7");
        assert_eq!(client("127.0.0.1", "203.0.113.66, 198.51.100.7, 10.1.2.3"), "198.51.100.7");
        assert_eq!(client("127.0.0.1", "[2001:db8::7]:4711"), "2001:db8::7");
        // An untrusted peer is the client, whatever it forwards.
        assert_eq!(client("198.51.100.9", "10.1.2.3"), "198.51.100.9");
        assert_eq!(client("127.0.0.1", ""), "127.0.0.1");
        // Only proxies: the farthest one is the nearest thing to a client there is.
        assert_eq!(client("127.0.0.1", "10.0.0.2, 10.0.0.1"), "10.0.0.2");
        assert_eq!(client("127.0.0.1", "198.51.100.7, nonsense, 10.0.0.1"), "10.0.0.1");
    }
}
