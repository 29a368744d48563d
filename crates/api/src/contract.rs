//! The published contract, enforced: each operation's inputs are checked against the schemas
//! the OpenAPI document gives them.
//!
//! At start-up the body schema and every query parameter's schema of each operation are compiled
//! once by the `jsonschema` crate (Draft 2020-12, formats asserted), inside the document itself so
//! that `$ref`s resolve as they read. A schema that does not compile stops start-up: a rule the
//! document states is never silently left unenforced. A refusal is a `422 validation_failed`
//! problem that names each field. Besides its schema, a JSON body must be a well-formed JSON
//! object of at most [`MAX_JSON_DEPTH`] levels, and no string anywhere in the input may hold a
//! NUL character (PostgreSQL cannot store one in text).

use std::{collections::HashMap, fmt::Write};

use actix_web::{
    http::{Method, StatusCode},
    web,
};
use jsonschema::{Draft, Registry, ValidationError, Validator, error::ValidationErrorKind, paths::LocationSegment};
use opsdeck_domain::{DomainError, FieldError};
use serde_json::Value;

use crate::problem::ApiError;

/// Deepest nesting of arrays and objects a JSON body may have.
pub const MAX_JSON_DEPTH: usize = 32;
/// At most this many field errors are reported for one request.
const MAX_REPORTED_ERRORS: usize = 20;
/// `$ref` chains longer than this are a broken document, not input to follow.
const MAX_REF_HOPS: usize = 64;
/// The OpenAPI document's name for the schema compiler, which resolves `#/components/...` in it.
const DOCUMENT_URI: &str = "urn:opsdeck:openapi";

/// The compiled checks of each operation's inputs, indexed by method and route pattern.
#[derive(Default)]
pub struct Contract {
    operations: HashMap<(Method, String), Inputs>,
    /// The status each operation answers with when it succeeds: its one declared 2xx response.
    success_statuses: HashMap<(Method, String), u16>,
}

#[derive(Default)]
struct Inputs {
    body: Option<Validator>,
    query: Vec<QueryParameter>,
}

struct QueryParameter {
    name: String,
    kind: QueryKind,
    schema: Validator,
}

/// What a query value's text stands for: query strings carry only text.
enum QueryKind {
    Integer,
    Boolean,
    Text,
}

/// A schema of the document that the compiler refuses, e.g. a pattern no regex engine accepts.
#[derive(Debug, thiserror::Error)]
#[error("the schema of {input} does not compile: {reason}")]
pub struct ContractError {
    input: String,
    reason: String,
}

impl Contract {
    pub fn new(document: &utoipa::openapi::OpenApi) -> Result<Self, ContractError> {
        let refused = |input: &str, reason: String| ContractError { input: input.to_owned(), reason };
        let mut document = serde_json::to_value(document).map_err(|e| refused("the document", e.to_string()))?;
        bound_integer_formats(&mut document);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, &document)
            .and_then(|builder| builder.prepare())
            .map_err(|e| refused("the document", e.to_string()))?;
        let compile = |pointer: &[&str], input: &str| {
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(&serde_json::json!({ "$ref": format!("{DOCUMENT_URI}#{}", fragment(pointer)) }))
                .map_err(|e| refused(input, e.to_string()))
        };
        let mut operations = HashMap::new();
        let mut success_statuses = HashMap::new();
        for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
            for (method_name, operation) in item.as_object().into_iter().flatten() {
                let Ok(method) = Method::from_bytes(method_name.to_ascii_uppercase().as_bytes()) else { continue };
                let operation_pointer = ["paths", path.as_str(), method_name.as_str()];
                let body = match operation.pointer("/requestBody/content/application~1json/schema") {
                    Some(_) => {
                        let pointer =
                            [&operation_pointer[..], &["requestBody", "content", "application/json", "schema"]];
                        Some(compile(&pointer.concat(), &format!("the body of {method} {path}"))?)
                    }
                    None => None,
                };
                let mut query = Vec::new();
                for (index, parameter) in
                    operation.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate()
                {
                    let (Some("query"), Some(name), Some(schema)) = (
                        parameter.get("in").and_then(Value::as_str),
                        parameter.get("name").and_then(Value::as_str),
                        parameter.get("schema"),
                    ) else {
                        continue;
                    };
                    let index = index.to_string();
                    let pointer = [&operation_pointer[..], &["parameters", index.as_str(), "schema"]].concat();
                    let schema_validator =
                        compile(&pointer, &format!("the query parameter `{name}` of {method} {path}"))?;
                    let types = types_of(resolve(&document, schema));
                    let kind = if types.contains(&"integer") {
                        QueryKind::Integer
                    } else if types.contains(&"boolean") {
                        QueryKind::Boolean
                    } else {
                        QueryKind::Text
                    };
                    query.push(QueryParameter { name: name.to_owned(), kind, schema: schema_validator });
                }
                if let Some(status) = one_success_status(operation) {
                    success_statuses.insert((method.clone(), path.clone()), status);
                }
                operations.insert((method, path.clone()), Inputs { body, query });
            }
        }
        Ok(Self { operations, success_statuses })
    }

    /// The status the operation at `method` and route `pattern` answers with when it succeeds;
    /// `None` when the document declares no 2xx response for it, or several.
    pub fn success_status(&self, method: &Method, pattern: &str) -> Option<u16> {
        self.success_statuses.get(&(method.clone(), pattern.to_owned())).copied()
    }

    /// Parses a JSON body for the operation at `method` and route `pattern` and checks it; an
    /// operation the document does not know gets the checks every body gets.
    pub fn check_body(&self, method: &Method, pattern: &str, bytes: &[u8]) -> Result<Value, ApiError> {
        let value = parse_object(bytes)?;
        let schema = self.operations.get(&(method.clone(), pattern.to_owned())).and_then(|i| i.body.as_ref());
        let mut errors = Vec::new();
        if let Some(schema) = schema
            && !schema.is_valid(&value)
        {
            for error in schema.iter_errors(&value) {
                explain(&error, "", &mut errors);
            }
        }
        nul_errors(&value, "", &mut errors);
        if errors.is_empty() { Ok(value) } else { Err(invalid(errors)) }
    }

    /// Checks a query string against the documented query parameters of the operation at
    /// `method` and route `pattern`.
    pub fn check_query_string(&self, method: &Method, pattern: &str, query: &str) -> Vec<FieldError> {
        let Some(inputs) = self.operations.get(&(method.clone(), pattern.to_owned())) else { return Vec::new() };
        let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(query).map(web::Query::into_inner) else {
            return vec![FieldError::new("query", "is not a valid query string")];
        };
        let mut errors = Vec::new();
        for (name, raw) in &pairs {
            let Some(parameter) = inputs.query.iter().find(|p| &p.name == name) else { continue };
            match parameter.kind.value(raw) {
                Ok(value) => {
                    for error in parameter.schema.iter_errors(&value) {
                        explain(&error, name, &mut errors);
                    }
                    nul_errors(&value, name, &mut errors);
                }
                Err(message) => errors.push(FieldError::new(name.clone(), message)),
            }
        }
        errors.truncate(MAX_REPORTED_ERRORS);
        errors
    }
}

fn one_success_status(operation: &Value) -> Option<u16> {
    let mut statuses = operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(status, _)| status.parse::<u16>().ok())
        .filter(|status| StatusCode::from_u16(*status).is_ok_and(|status| status.is_success()));
    match (statuses.next(), statuses.next()) {
        (Some(status), None) => Some(status),
        _ => None,
    }
}

impl QueryKind {
    fn value(&self, raw: &str) -> Result<Value, &'static str> {
        match self {
            Self::Integer => raw.parse::<i64>().map(Value::from).map_err(|_| "must be a whole number"),
            Self::Boolean => match raw {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err("must be `true` or `false`"),
            },
            Self::Text => Ok(Value::String(raw.to_owned())),
        }
    }
}

/// A `422 validation_failed` refusal naming each field.
pub fn invalid(mut errors: Vec<FieldError>) -> ApiError {
    errors.truncate(MAX_REPORTED_ERRORS);
    let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
    ApiError::Domain(DomainError::Invalid { code: "validation_failed", detail, errors })
}

/// Parses a body that must be a JSON object nested at most [`MAX_JSON_DEPTH`] levels deep.
pub fn parse_object(bytes: &[u8]) -> Result<Value, ApiError> {
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
    Ok(value)
}

/// OpenAPI's `int32` and `int64` formats bound a number (its format registry), but JSON Schema
/// checks formats on strings only: they are stated as the `minimum` and `maximum` they mean, so
/// a number no column holds (`1e30`) is refused like any other out-of-range one.
fn bound_integer_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((Value::from(i32::MIN), Value::from(i32::MAX))),
                Some("int64") => Some((Value::from(i64::MIN), Value::from(i64::MAX))),
                _ => None,
            };
            if let Some((minimum, maximum)) = bounds {
                map.entry("minimum").or_insert(minimum);
                map.entry("maximum").or_insert(maximum);
            }
            map.values_mut().for_each(bound_integer_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integer_formats),
        _ => {}
    }
}

/// A JSON pointer as a URI fragment: segments escaped (RFC 6901), then percent-encoded.
fn fragment(segments: &[&str]) -> String {
    let mut fragment = String::new();
    for segment in segments {
        fragment.push('/');
        for byte in segment.replace('~', "~0").replace('/', "~1").bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte) {
                fragment.push(char::from(byte));
            } else {
                let _ = write!(fragment, "%{byte:02X}");
            }
        }
    }
    fragment
}

/// Follows `$ref`s within the document to the schema they name.
fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_HOPS {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference.strip_prefix('#').and_then(|p| document.pointer(p)) {
                Some(target) => schema = target,
                None => return &Value::Null,
            },
            None => return schema,
        }
    }
    &Value::Null
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The name of the field at `location` below `root`: `filters.from`, `ids[0]`.
fn field_name(root: &str, location: &jsonschema::paths::Location) -> String {
    let mut name = root.to_owned();
    for segment in location.segments() {
        match segment {
            LocationSegment::Index(index) => {
                let _ = write!(name, "[{index}]");
            }
            LocationSegment::Property(property) => name = join_path(&name, &property),
        }
    }
    name
}

fn join_path(parent: &str, child: &str) -> String {
    if parent.is_empty() { child.to_owned() } else { format!("{parent}.{child}") }
}

fn push(errors: &mut Vec<FieldError>, field: String, message: impl Into<String>) {
    let field = if field.is_empty() { "body".to_owned() } else { field };
    errors.push(FieldError::new(field, message));
}

/// Field errors, in words, for one error of the schema compiler; `root` names the input.
fn explain(error: &ValidationError<'_>, root: &str, errors: &mut Vec<FieldError>) {
    let location = error.instance_path();
    let field = field_name(root, location);
    let message = match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().map_or_else(|| property.to_string(), str::to_owned);
            return push(errors, join_path(&field, &property), "is required");
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for name in unexpected {
                push(errors, join_path(&field, name), "is not a known field");
            }
            return;
        }
        // The alternative the value comes closest to: one of its type, with the fewest errors.
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let same_type = |branch: &&Vec<ValidationError<'static>>| {
                !branch
                    .iter()
                    .any(|e| e.instance_path() == location && matches!(e.kind(), ValidationErrorKind::Type { .. }))
            };
            if let Some(closest) = context.iter().filter(same_type).min_by_key(|branch| branch.len()) {
                return closest.iter().for_each(|e| explain(e, root, errors));
            }
            let mut types: Vec<String> = context.iter().flatten().flat_map(expected_types).collect();
            types.dedup();
            format!("must be {} (got {})", types.join(" or "), describe(error.instance()))
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => "fits more than one of its alternatives".to_owned(),
        ValidationErrorKind::Type { .. } => {
            format!("must be {} (got {})", expected_types(error).join(" or "), describe(error.instance()))
        }
        ValidationErrorKind::Enum { options } => {
            let names: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            format!("must be one of: {}", names.join(", "))
        }
        ValidationErrorKind::Constant { expected_value } => format!("must be {expected_value}"),
        ValidationErrorKind::MinLength { limit } => format!("must be at least {limit} characters long"),
        ValidationErrorKind::MaxLength { limit } => format!("must be at most {limit} characters long"),
        ValidationErrorKind::Pattern { pattern } => format!("must match `{pattern}`"),
        ValidationErrorKind::Format { format } => match format.as_str() {
            "date-time" => "must be an RFC 3339 date-time, e.g. 2024-05-01T00:00:00Z".to_owned(),
            "date" => "must be a date, e.g. 2024-05-01".to_owned(),
            other => format!("must be a valid {other}"),
        },
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be greater than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::MultipleOf { multiple_of } => format!("must be a multiple of {multiple_of}"),
        ValidationErrorKind::MinItems { limit } => format!("must have at least {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("must have at most {limit} items"),
        ValidationErrorKind::UniqueItems => "must not hold the same item twice".to_owned(),
        // The rest say it well enough, without echoing the input.
        _ => error.masked().to_string(),
    };
    push(errors, field, message);
}

fn expected_types(error: &ValidationError<'_>) -> Vec<String> {
    match error.kind() {
        ValidationErrorKind::Type { kind: jsonschema::error::TypeKind::Single(t) } => vec![t.to_string()],
        ValidationErrorKind::Type { kind: jsonschema::error::TypeKind::Multiple(ts) } => {
            ts.iter().map(|t| t.to_string()).collect()
        }
        _ => Vec::new(),
    }
}

/// Strings and keys with a NUL character, anywhere in the value (free-form parts included).
fn nul_errors(value: &Value, field: &str, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(text) if text.contains('\0') => push(errors, field.to_owned(), "must not contain NUL characters"),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                nul_errors(item, &format!("{field}[{index}]"), errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if key.contains('\0') {
                    push(errors, field.to_owned(), "must not have a key with NUL characters");
                } else {
                    nul_errors(item, &join_path(field, key), errors);
                }
            }
        }
        _ => {}
    }
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

/// Nesting depth of a JSON value: a scalar is 0, `[]` and `{}` are 1.
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static CONTRACT: std::sync::LazyLock<Result<Contract, ContractError>> =
        std::sync::LazyLock::new(|| Contract::new(&crate::openapi::document()));

    fn contract() -> &'static Contract {
        match &*CONTRACT {
            Ok(contract) => contract,
            Err(error) => panic!("{error}"),
        }
    }

    /// The fields a body is refused for (none when it is accepted).
    fn refused(contract: &Contract, method: Method, pattern: &str, body: &Value) -> Vec<String> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        match contract.check_body(&method, pattern, &bytes) {
            Ok(_) => Vec::new(),
            Err(ApiError::Domain(DomainError::Invalid { errors, .. })) => errors.into_iter().map(|e| e.field).collect(),
            Err(other) => vec![format!("not a field error: {other}")],
        }
    }

    fn post(pattern: &str, body: Value) -> Vec<String> {
        refused(contract(), Method::POST, pattern, &body)
    }

    #[test]
    fn an_operation_succeeds_with_its_one_declared_2xx_status() {
        let contract = contract();
        assert_eq!(contract.success_status(&Method::POST, "/api/v1/export-jobs"), Some(202));
        assert_eq!(contract.success_status(&Method::DELETE, "/api/v1/tokens/{id}"), Some(204));
        assert_eq!(contract.success_status(&Method::GET, "/api/v1/audit-logs/export"), Some(200));
        // A webhook is answered 200 (a duplicate) or 202: no one status stands for its success.
        assert_eq!(contract.success_status(&Method::POST, "/api/v1/webhooks/{provider}"), None);
        assert_eq!(contract.success_status(&Method::GET, "/api/v1/nothing-here"), None);
    }

    /// A document with one operation, `POST /things`, whose body is `schema`.
    fn document_with_body(schema: Value) -> Result<utoipa::openapi::OpenApi, serde_json::Error> {
        serde_json::from_value(json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {}
            }}},
            "components": {"schemas": {"Thing": schema}}
        }))
    }

    #[test]
    fn documented_limits_are_enforced() {
        assert!(post("/api/v1/tenants", json!({"slug": "acme", "name": "Acme"})).is_empty());
        assert_eq!(post("/api/v1/tenants", json!({"slug": "acme", "name": "x".repeat(201)})), ["name"]);
        assert_eq!(post("/api/v1/tenants", json!({"slug": "-acme", "name": "Acme"})), ["slug"]);
        assert_eq!(post("/api/v1/export-jobs/retry", json!({"ids": (0..501).collect::<Vec<_>>()})), ["ids"]);
        assert_eq!(post("/api/v1/export-jobs/retry", json!({"ids": []})), ["ids"]);
        let days = json!({"name": "t", "roles": ["ops"], "expires_in_days": 366, "password": "p"});
        assert_eq!(post("/api/v1/tokens", days), ["expires_in_days"]);
    }

    #[test]
    fn types_required_and_unknown_fields_are_named() {
        let c = contract();
        assert_eq!(refused(c, Method::PATCH, "/api/v1/tenants/{id}", &json!([null, null])), ["body"]);
        assert_eq!(post("/api/v1/tenants", json!({"slug": "ab"})), ["name"]);
        assert_eq!(refused(c, Method::PATCH, "/api/v1/tenants/{id}", &json!({"nmae": "x"})), ["nmae"]);
        assert_eq!(refused(c, Method::PATCH, "/api/v1/tenants/{id}", &json!({"status": "gone"})), ["status"]);
        assert_eq!(post("/api/v1/export-jobs", json!({"dataset": "orders", "filters": [null, null]})), ["filters"]);
        assert_eq!(post("/api/v1/export-jobs/retry", json!({"ids": [1e30]})), ["ids[0]"]);
        assert_eq!(post("/api/v1/tenants", json!({"slug": "acme", "name": "a\u{0}b"})), ["name"]);
        let date = json!({"dataset": "orders", "filters": {"from": "yesterday"}});
        assert_eq!(post("/api/v1/export-jobs", date), ["filters.from"]);
    }

    /// Rules the hand-written checks ignored or bent are enforced as JSON Schema means them.
    #[test]
    fn every_keyword_of_draft_2020_12_is_enforced() -> Result<(), Box<dyn std::error::Error>> {
        let document = document_with_body(json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "share": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5},
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
                "either": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]},
                "code": {"type": "string", "pattern": "^\\p{Lu}+$"}
            }
        }))?;
        let contract = Contract::new(&document)?;
        let check = |body: Value| refused(&contract, Method::POST, "/things", &body);
        assert_eq!(
            check(json!({"share": 1.5, "tags": ["a", "b"], "either": 12.5, "code": "ÄB"})),
            Vec::<String>::new()
        );
        assert_eq!(check(json!({"share": 0})), ["share"], "exclusiveMinimum");
        assert_eq!(check(json!({"share": 0.7})), ["share"], "multipleOf");
        assert_eq!(check(json!({"tags": ["a", "a"]})), ["tags"], "uniqueItems");
        assert_eq!(check(json!({"either": 12})), ["either"], "oneOf: an integer of at least 10 fits both");
        assert_eq!(check(json!({"code": "ab"})), ["code"], "an ECMA-262 pattern");
        Ok(())
    }

    /// A rule the compiler cannot enforce stops start-up instead of going unenforced.
    #[test]
    fn a_schema_that_does_not_compile_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let broken =
            document_with_body(json!({"type": "object", "properties": {"code": {"type": "string", "pattern": "(["}}}))?;
        let error = Contract::new(&broken).err().ok_or("a broken pattern compiled")?;
        assert!(error.to_string().contains("the body of POST /things"), "{error}");
        let dangling = document_with_body(json!({"$ref": "#/components/schemas/Missing"}))?;
        assert!(Contract::new(&dangling).is_err(), "a $ref to nothing compiled");
        Ok(())
    }

    #[test]
    fn query_values_are_typed_then_checked() {
        let c = contract();
        let fields = |query: &str| -> Vec<String> {
            c.check_query_string(&Method::GET, "/api/v1/orders", query).into_iter().map(|e| e.field).collect()
        };
        assert!(fields("limit=20&status=paid&created_from=2024-05-01T00:00:00Z").is_empty());
        assert_eq!(fields("limit=abc"), ["limit"]);
        assert_eq!(fields("limit=0&status=nonsense"), ["limit", "status"]);
        assert_eq!(fields("cursor=%00"), ["cursor"]);
        assert_eq!(fields("unknown=1"), Vec::<String>::new());
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
