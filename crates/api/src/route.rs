//! The route template a request matched (`/api/v1/export-jobs/{id}`), looked up once per
//! request. Each `match_pattern` call walks actix's whole route table, regexes included, and
//! the metrics, the body limit, the audit trail and the input checks all need the template.

use std::rc::Rc;

use actix_web::{HttpMessage, HttpRequest};

#[derive(Clone)]
struct Matched(Option<Rc<str>>);

/// The template of the route `req` matched; `None` for a path no route serves.
pub fn pattern(req: &HttpRequest) -> Option<Rc<str>> {
    if let Some(Matched(pattern)) = req.extensions().get::<Matched>() {
        return pattern.clone();
    }
    let pattern: Option<Rc<str>> = req.match_pattern().map(Rc::from);
    req.extensions_mut().insert(Matched(pattern.clone()));
    pattern
}
