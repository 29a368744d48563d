//! Keyset pagination: newest first by id, with an opaque cursor. A deep page costs the same
//! as the first (no OFFSET, no COUNT).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use crate::DomainError;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    /// Rows with an id below this one come next.
    pub before_id: Option<i64>,
}

impl PageRequest {
    pub fn new(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, DomainError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(DomainError::invalid_field("limit", format!("between 1 and {MAX_LIMIT}")));
        }
        let before_id = cursor.filter(|c| !c.is_empty()).map(decode_cursor).transpose()?;
        Ok(Self { limit, before_id })
    }
}

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// `rows` holds up to `limit + 1` rows; the extra one only says that more exist.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest, id_of: impl Fn(&T) -> i64) -> Self {
        let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if has_more { rows.last().map(|row| encode_cursor(id_of(row))) } else { None };
        Self { items: rows, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

/// Narrows `query` to the page asked for: newest first by `key`, below the cursor, with one
/// row beyond the limit so that [`Page::from_rows`] can tell whether more follow.
pub(crate) fn keyset<E: EntityTrait>(query: Select<E>, key: E::Column, page: PageRequest) -> Select<E> {
    let query = query.order_by_desc(key).limit(page.limit + 1);
    match page.before_id {
        Some(before) => query.filter(key.lt(before)),
        None => query,
    }
}

pub fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{id}"))
}

pub fn decode_cursor(cursor: &str) -> Result<i64, DomainError> {
    let invalid = || DomainError::invalid_field("cursor", "not a cursor from a previous page");
    if cursor.len() > 64 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    text.strip_prefix("v1:").and_then(|id| id.parse::<i64>().ok()).filter(|id| *id > 0).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(12345)).ok(), Some(12345));
        for bad in ["", "???", "djE6", "djE6LTE", "eDox", &"A".repeat(100)] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_are_bounded() {
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(501), None).is_err());
        assert_eq!(PageRequest::new(None, None).ok().map(|p| p.limit), Some(50));
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let request = PageRequest { limit: 2, before_id: None };
        let page = Page::from_rows(vec![9, 8, 7], request, |id| *id);
        assert_eq!(page.items, vec![9, 8]);
        assert_eq!(page.next_cursor.as_deref().map(decode_cursor).and_then(Result::ok), Some(8));
        assert!(Page::from_rows(vec![9, 8], request, |id| *id).next_cursor.is_none());
    }
}
