//! Request extractors that hold every input to the published contract.
//!
//! [`Json`] and [`Query`] replace actix's own: besides deserializing, they check the input
//! against the operation's schema in the OpenAPI document (string lengths, array sizes, number
//! ranges, patterns, enums, types, required and unknown fields, date formats), so every limit
//! the document states is also enforced, from one source. A refusal is a `422
//! validation_failed` problem that names each field. On top of that, a JSON body must be a
//! well-formed JSON object of at most [`MAX_JSON_DEPTH`] levels, and no string anywhere in the
//! input may hold a NUL character (PostgreSQL cannot store one in text).
//!
//! Both run after the caller is authorized (they come after `Authorized<P>` in a handler's
//! arguments), so a refused caller never learns what its input got wrong.

use std::{
    collections::HashMap,
    future::Future,
    ops::{Deref, DerefMut},
    pin::Pin,
};

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    dev::Payload,
    http::{Method, StatusCode},
    web,
};
use chrono::{DateTime, NaiveDate, Utc};
use opsdeck_domain::{DomainError, FieldError};
use regex::Regex;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{body_limit::read_limited, problem::ApiError, state::AppState};

/// Deepest nesting of arrays and objects a JSON body may have.
pub const MAX_JSON_DEPTH: usize = 32;
/// At most this many field errors are reported for one request.
const MAX_REPORTED_ERRORS: usize = 20;
/// `$ref` chains deeper than this are a broken document, not input to follow.
const MAX_SCHEMA_DEPTH: usize = 64;

/// What the document says about each operation's inputs, indexed by method and route pattern.
pub struct Contract {
    document: Value,
    operations: HashMap<(Method, String), Inputs>,
    patterns: HashMap<String, Regex>,
}

#[derive(Default)]
struct Inputs {
    body: Option<Value>,
    query: Vec<(String, Value)>,
}

impl Contract {
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        let document = serde_json::to_value(document).unwrap_or(Value::Null);
        let mut operations = HashMap::new();
        let mut patterns = HashMap::new();
        collect_patterns(&document, &mut patterns);
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else { continue };
                for (method, operation) in item {
                    let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else { continue };
                    let body = operation.pointer("/requestBody/content/application~1json/schema").cloned();
                    let query = operation
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                        .filter_map(|p| {
                            Some((p.get("name")?.as_str()?.to_owned(), p.get("schema").cloned().unwrap_or(Value::Null)))
                        })
                        .collect();
                    operations.insert((method, path.clone()), Inputs { body, query });
                }
            }
        }
        Self { document, operations, patterns }
    }

    fn empty() -> Self {
        Self { document: Value::Null, operations: HashMap::new(), patterns: HashMap::new() }
    }

    fn inputs(&self, req: &HttpRequest) -> Option<&Inputs> {
        let pattern = crate::route::pattern(req)?;
        self.operations.get(&(req.method().clone(), pattern.to_string()))
    }

    /// The checks of [`Json`] for the operation at `method` and route `pattern` (for tests and
    /// fuzzing: no request needed).
    pub fn check_body(&self, method: &Method, pattern: &str, bytes: &[u8]) -> Result<Value, ApiError> {
        let schema = self.operations.get(&(method.clone(), pattern.to_owned())).and_then(|i| i.body.as_ref());
        parse_value(self, schema, bytes)
    }

    /// The checks of [`Query`] for the operation at `method` and route `pattern`.
    pub fn check_query_string(&self, method: &Method, pattern: &str, query: &str) -> Vec<FieldError> {
        match self.operations.get(&(method.clone(), pattern.to_owned())) {
            Some(inputs) => self.check_query(inputs, query),
            None => Vec::new(),
        }
    }

    /// Checks a JSON value against a schema of the document; `field` names the value.
    pub fn check(&self, schema: &Value, value: &Value, field: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        Checker { contract: self, errors: &mut errors }.check(schema, value, field, 0);
        errors.truncate(MAX_REPORTED_ERRORS);
        errors
    }

    /// Checks a query string against the operation's documented query parameters.
    fn check_query(&self, inputs: &Inputs, query: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let pairs = web::Query::<Vec<(String, String)>>::from_query(query).map(web::Query::into_inner);
        let Ok(pairs) = pairs else {
            return vec![FieldError::new("query", "is not a valid query string")];
        };
        for (name, raw) in &pairs {
            let Some((_, schema)) = inputs.query.iter().find(|(known, _)| known == name) else { continue };
            let resolved = self.resolve(schema);
            let value = match typed_query_value(resolved, raw) {
                Ok(value) => value,
                Err(message) => {
                    errors.push(FieldError::new(name.clone(), message));
                    continue;
                }
            };
            Checker { contract: self, errors: &mut errors }.check(schema, &value, name, 0);
        }
        errors.truncate(MAX_REPORTED_ERRORS);
        errors
    }

    /// Follows `$ref`s to the schema they name.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..MAX_SCHEMA_DEPTH {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => match reference.strip_prefix('#').and_then(|p| self.document.pointer(p)) {
                    Some(target) => schema = target,
                    None => return &Value::Null,
                },
                None => return schema,
            }
        }
        &Value::Null
    }
}

fn collect_patterns(value: &Value, patterns: &mut HashMap<String, Regex>) {
    match value {
        Value::Object(map) => {
            if let Some(pattern) = map.get("pattern").and_then(Value::as_str)
                && let Ok(regex) = Regex::new(pattern)
            {
                patterns.insert(pattern.to_owned(), regex);
            }
            map.values().for_each(|v| collect_patterns(v, patterns));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, patterns)),
        _ => {}
    }
}

/// A query value as the JSON its schema describes (query strings carry only text).
fn typed_query_value(schema: &Value, raw: &str) -> Result<Value, String> {
    let types = types_of(schema);
    if types.contains(&"integer") {
        return raw.parse::<i64>().map(Value::from).map_err(|_| "must be a whole number".to_owned());
    }
    if types.contains(&"boolean") {
        return match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("must be `true` or `false`".to_owned()),
        };
    }
    Ok(Value::String(raw.to_owned()))
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn join_path(parent: &str, child: &str) -> String {
    if parent.is_empty() { child.to_owned() } else { format!("{parent}.{child}") }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Checker<'c, 'e> {
    contract: &'c Contract,
    errors: &'e mut Vec<FieldError>,
}

impl Checker<'_, '_> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        let field = if field.is_empty() { "body" } else { field };
        self.errors.push(FieldError::new(field, message));
    }

    fn check(&mut self, schema: &Value, value: &Value, field: &str, depth: usize) {
        if depth > MAX_SCHEMA_DEPTH || self.errors.len() >= MAX_REPORTED_ERRORS {
            return;
        }
        let schema = self.contract.resolve(schema);
        let Some(rules) = schema.as_object() else { return };
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = rules.get(keyword).and_then(Value::as_array) {
                self.check_alternatives(branches, value, field, depth);
            }
        }
        if let Some(all) = rules.get("allOf").and_then(Value::as_array) {
            for branch in all {
                self.check(branch, value, field, depth + 1);
            }
        }
        let types = types_of(schema);
        if !types.is_empty() && !types.iter().any(|t| matches_type(t, value)) {
            self.fail(field, format!("must be {} (got {})", types.join(" or "), describe(value)));
            return;
        }
        if let Some(allowed) = rules.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let names: Vec<String> = allowed.iter().map(|v| v.as_str().map_or(v.to_string(), str::to_owned)).collect();
            self.fail(field, format!("must be one of: {}", names.join(", ")));
            return;
        }
        match value {
            Value::String(text) => self.check_string(rules, text, field),
            Value::Number(number) => self.check_number(rules, number, field),
            Value::Array(items) => self.check_array(rules, items, field, depth),
            Value::Object(map) => self.check_object(rules, map, field, depth),
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn check_alternatives(&mut self, branches: &[Value], value: &Value, field: &str, depth: usize) {
        let mut best: Option<Vec<FieldError>> = None;
        for branch in branches {
            let mut errors = Vec::new();
            Checker { contract: self.contract, errors: &mut errors }.check(branch, value, field, depth + 1);
            if errors.is_empty() {
                return;
            }
            if best.as_ref().is_none_or(|b| errors.len() < b.len()) {
                best = Some(errors);
            }
        }
        self.errors.extend(best.unwrap_or_default());
    }

    fn check_string(&mut self, rules: &serde_json::Map<String, Value>, text: &str, field: &str) {
        if text.contains('\0') {
            self.fail(field, "must not contain NUL characters");
            return;
        }
        let length = text.chars().count();
        if let Some(min) = rules.get("minLength").and_then(Value::as_u64)
            && (length as u64) < min
        {
            self.fail(field, format!("must be at least {min} characters long"));
        }
        if let Some(max) = rules.get("maxLength").and_then(Value::as_u64)
            && (length as u64) > max
        {
            self.fail(field, format!("must be at most {max} characters long"));
            return;
        }
        if let Some(pattern) = rules.get("pattern").and_then(Value::as_str)
            && let Some(regex) = self.contract.patterns.get(pattern)
            && !regex.is_match(text)
        {
            self.fail(field, format!("must match `{pattern}`"));
        }
        match rules.get("format").and_then(Value::as_str) {
            Some("date-time") if text.parse::<DateTime<Utc>>().is_err() => {
                self.fail(field, "must be an RFC 3339 date-time, e.g. 2024-05-01T00:00:00Z");
            }
            Some("date") if text.parse::<NaiveDate>().is_err() => {
                self.fail(field, "must be a date, e.g. 2024-05-01");
            }
            _ => {}
        }
    }

    fn check_number(&mut self, rules: &serde_json::Map<String, Value>, number: &serde_json::Number, field: &str) {
        let Some(n) = number.as_f64() else { return };
        if let Some(min) = rules.get("minimum")
            && min.as_f64().is_some_and(|min| n < min)
        {
            self.fail(field, format!("must be at least {min}"));
        }
        if let Some(max) = rules.get("maximum")
            && max.as_f64().is_some_and(|max| n > max)
        {
            self.fail(field, format!("must be at most {max}"));
        }
        // Integers outside 64 bits parse as floats; they fit no column.
        let integer = match rules.get("type") {
            Some(Value::String(t)) => t == "integer",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
            _ => false,
        };
        if integer && !(number.is_i64() || number.is_u64()) {
            self.fail(field, "must be a whole number of at most 64 bits");
        }
    }

    fn check_array(&mut self, rules: &serde_json::Map<String, Value>, items: &[Value], field: &str, depth: usize) {
        if let Some(min) = rules.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            self.fail(field, format!("must have at least {min} items"));
        }
        if let Some(max) = rules.get("maxItems").and_then(Value::as_u64)
            && (items.len() as u64) > max
        {
            self.fail(field, format!("must have at most {max} items"));
            return;
        }
        if let Some(schema) = rules.get("items") {
            for (index, item) in items.iter().enumerate() {
                self.check(schema, item, &format!("{field}[{index}]"), depth + 1);
            }
        }
    }

    fn check_object(
        &mut self,
        rules: &serde_json::Map<String, Value>,
        map: &serde_json::Map<String, Value>,
        field: &str,
        depth: usize,
    ) {
        let properties = rules.get("properties").and_then(Value::as_object);
        if let Some(required) = rules.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    self.fail(&join_path(field, name), "is required");
                }
            }
        }
        for (key, value) in map {
            let path = join_path(field, key);
            if key.contains('\0') {
                self.fail(field, "must not have a key with NUL characters");
                continue;
            }
            match properties.and_then(|p| p.get(key)) {
                Some(schema) => self.check(schema, value, &path, depth + 1),
                None => match rules.get("additionalProperties") {
                    Some(Value::Bool(false)) => self.fail(&path, "is not a known field"),
                    Some(schema @ Value::Object(_)) => self.check(schema, value, &path, depth + 1),
                    _ => self.check_free_form(value, &path),
                },
            }
        }
    }

    /// Values the document leaves open (e.g. a bulk action's parameters) still carry no NULs.
    fn check_free_form(&mut self, value: &Value, field: &str) {
        match value {
            Value::String(text) if text.contains('\0') => self.fail(field, "must not contain NUL characters"),
            Value::Array(items) => items.iter().for_each(|item| self.check_free_form(item, field)),
            Value::Object(map) => {
                for (key, item) in map {
                    if key.contains('\0') {
                        self.fail(field, "must not have a key with NUL characters");
                    } else {
                        self.check_free_form(item, &join_path(field, key));
                    }
                }
            }
            _ => {}
        }
    }
}

fn matches_type(expected: &str, value: &Value) -> bool {
    match expected {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        _ => true,
    }
}

/// Nesting depth of a JSON value: a scalar is 0, `[]` and `{}` are 1.
pub fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn invalid(errors: Vec<FieldError>) -> ApiError {
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    ApiError::Domain(DomainError::Invalid { code: "validation_failed", detail, errors })
}

fn contract(req: &HttpRequest) -> Option<&Contract> {
    req.app_data::<web::Data<Contract>>().map(|data| data.get_ref())
}

/// A JSON request body, checked against the operation's documented schema.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

/// Parses and checks a body; everything but the final conversion into `T`.
fn parse_body(contract: Option<&Contract>, req: &HttpRequest, bytes: &[u8]) -> Result<Value, ApiError> {
    match contract {
        Some(contract) => parse_value(contract, contract.inputs(req).and_then(|i| i.body.as_ref()), bytes),
        None => parse_value(&Contract::empty(), None, bytes),
    }
}

fn parse_value(contract: &Contract, schema: Option<&Value>, bytes: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        ApiError::http(StatusCode::BAD_REQUEST, "malformed_json", format!("the body is not well-formed JSON: {error}"))
    })?;
    if depth(&value) > MAX_JSON_DEPTH {
        return Err(ApiError::http(
            StatusCode::BAD_REQUEST,
            "json_too_deep",
            format!("the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels"),
        ));
    }
    if !value.is_object() {
        return Err(invalid(vec![FieldError::new(
            "body",
            format!("must be a JSON object (got {})", describe(&value)),
        )]));
    }
    if let Some(schema) = schema {
        let errors = contract.check(schema, &value, "");
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
    }
    Ok(value)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload).into_inner();
        Box::pin(async move {
            let payload = payload
                .map_err(|error| ApiError::http(StatusCode::BAD_REQUEST, "unreadable_body", error.to_string()))?;
            if !is_json(&req) {
                return Err(ApiError::http(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "the body must be JSON, sent with `Content-Type: application/json`",
                ));
            }
            let limit = req.app_data::<web::Data<AppState>>().map_or(1 << 20, |s| s.settings.http.max_body_bytes);
            let bytes = read_limited(payload, limit).await?;
            let value = parse_body(contract(&req), &req, &bytes)?;
            serde_json::from_value(value)
                .map(Json)
                .map_err(|error| ApiError::http(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", error.to_string()))
        })
    }
}

/// Query parameters, checked against the operation's documented parameters. A handler may take
/// several (`Query<PageQuery>`, `Query<TenantQuery>`, ...): the check runs once per request.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

struct QueryChecked;

/// Checks the request's query string (once per request).
pub fn check_query(req: &HttpRequest) -> Result<(), ApiError> {
    if req.extensions().get::<QueryChecked>().is_some() {
        return Ok(());
    }
    if let Some(contract) = contract(req)
        && let Some(inputs) = contract.inputs(req)
    {
        let errors = contract.check_query(inputs, req.query_string());
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
    }
    req.extensions_mut().insert(QueryChecked);
    Ok(())
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(check_query(req).and_then(|()| {
            web::Query::<T>::from_query(req.query_string()).map(|q| Query(q.into_inner())).map_err(|error| {
                ApiError::http(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    format!("the query string does not fit this operation: {error}"),
                )
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static CONTRACT: std::sync::LazyLock<Contract> =
        std::sync::LazyLock::new(|| Contract::new(&crate::openapi::document()));

    fn contract() -> &'static Contract {
        &CONTRACT
    }

    fn schema(name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn documented_limits_are_enforced() {
        let c = contract();
        let ok = json!({"slug": "acme", "name": "Acme"});
        assert!(c.check(&schema("CreateTenant"), &ok, "").is_empty());
        let long = json!({"slug": "acme", "name": "x".repeat(201)});
        assert_eq!(fields(&c.check(&schema("CreateTenant"), &long, "")), ["name"]);
        let pattern = json!({"slug": "-acme", "name": "Acme"});
        assert_eq!(fields(&c.check(&schema("CreateTenant"), &pattern, "")), ["slug"]);
        let many = json!({"ids": (0..501).collect::<Vec<_>>()});
        assert_eq!(fields(&c.check(&schema("RetryExports"), &many, "")), ["ids"]);
        let none = json!({"ids": []});
        assert_eq!(fields(&c.check(&schema("RetryExports"), &none, "")), ["ids"]);
        let days = json!({"name": "t", "roles": ["ops"], "expires_in_days": 366, "password": "secret"});
        assert_eq!(fields(&c.check(&schema("CreateToken"), &days, "")), ["expires_in_days"]);
    }

    #[test]
    fn types_required_and_unknown_fields_are_named() {
        let c = contract();
        assert_eq!(fields(&c.check(&schema("UpdateTenant"), &json!([null, null]), "")), ["body"]);
        assert_eq!(fields(&c.check(&schema("CreateTenant"), &json!({"slug": "ab"}), "")), ["name"]);
        assert_eq!(fields(&c.check(&schema("UpdateTenant"), &json!({"nmae": "x"}), "")), ["nmae"]);
        let nested = json!({"dataset": "orders", "filters": [null, null, null]});
        assert_eq!(fields(&c.check(&schema("CreateExport"), &nested, "")), ["filters"]);
        let huge = json!({"ids": [1e30]});
        assert_eq!(fields(&c.check(&schema("RetryExports"), &huge, "")), ["ids[0]"]);
        let nul = json!({"slug": "acme", "name": "a\u{0}b"});
        assert_eq!(fields(&c.check(&schema("CreateTenant"), &nul, "")), ["name"]);
        let date = json!({"dataset": "orders", "filters": {"from": "yesterday"}});
        assert_eq!(fields(&c.check(&schema("CreateExport"), &date, "")), ["filters.from"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 256,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(11),
            ..proptest::test_runner::Config::default()
        })]

        /// Any bytes as any operation's body: a value or a 4xx refusal, never a panic, and an
        /// accepted tenant always fits the documented limits.
        #[test]
        fn any_body_is_checked_without_panicking(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            slug in "[a-z0-9-]{0,70}",
            name in ".{0,210}",
        ) {
            let c = contract();
            for (method, pattern) in [(Method::POST, "/api/v1/tenants"), (Method::POST, "/api/v1/export-jobs"),
                (Method::POST, "/api/v1/bulk-jobs/preview"), (Method::PATCH, "/api/v1/users/{id}")] {
                if let Err(error) = c.check_body(&method, pattern, &bytes) {
                    proptest::prop_assert!(actix_web::ResponseError::status_code(&error).is_client_error());
                }
            }
            let body = serde_json::to_vec(&json!({"slug": slug, "name": name})).unwrap_or_default();
            if c.check_body(&Method::POST, "/api/v1/tenants", &body).is_ok() {
                proptest::prop_assert!((2..=63).contains(&slug.len()) && !slug.starts_with('-') && !slug.ends_with('-'));
                proptest::prop_assert!((1..=200).contains(&name.chars().count()) && !name.contains('\0'));
            }
        }

        /// Any query string on any list: field errors or none, never a panic; limits outside
        /// 1-500 are always named.
        #[test]
        fn any_query_string_is_checked_without_panicking(query in ".{0,300}", limit in proptest::prelude::any::<i64>()) {
            let c = contract();
            for pattern in ["/api/v1/orders", "/api/v1/audit-logs", "/api/v1/export-jobs", "/api/v1/kpis/daily"] {
                let _ = c.check_query_string(&Method::GET, pattern, &query);
            }
            let errors = c.check_query_string(&Method::GET, "/api/v1/orders", &format!("limit={limit}"));
            proptest::prop_assert_eq!(errors.is_empty(), (1..=500).contains(&limit));
        }
    }

    #[test]
    fn depth_counts_nesting() {
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!({"a": [1, {"b": []}]})), 4);
    }
}
