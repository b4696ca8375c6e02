//! Lists come a page at a time: the caller asks for up to `limit` items after an opaque cursor, and
//! gets them with the cursor for the next page.

/// Which page of a list to read: at most `limit` items, after `cursor` (the first page without one).
/// Handlers read it from `?limit=&cursor=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageParams {
    pub limit: i32,
    pub cursor: Option<String>,
}

impl PageParams {
    pub const DEFAULT_LIMIT: i32 = 50;
    pub const MAX_LIMIT: i32 = 100;
}

/// A page of results and the opaque cursor for the next one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
