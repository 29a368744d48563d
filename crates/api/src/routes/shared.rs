//! Shapes shared by every collection.

use opsdeck_domain::pagination;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page of a collection. Pass `next_cursor` back as `cursor` for the next page; `null` means
/// this was the last one.
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    pub fn from_domain<U>(page: pagination::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let page = page.map(f);
        Self { items: page.items, next_cursor: page.next_cursor }
    }

    /// As [`Page::from_domain`], for a conversion that can fail (a row that cannot be read).
    pub fn try_from_domain<U, E>(page: pagination::Page<U>, f: impl FnMut(U) -> Result<T, E>) -> Result<Self, E> {
        let items = page.items.into_iter().map(f).collect::<Result<_, E>>()?;
        Ok(Self { items, next_cursor: page.next_cursor })
    }

    /// A small collection returned whole.
    pub fn whole(items: Vec<T>) -> Self {
        Self { items, next_cursor: None }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn request(&self) -> Result<pagination::PageRequest, opsdeck_domain::DomainError> {
        pagination::PageRequest::new(self.limit, self.cursor.as_deref())
    }
}
