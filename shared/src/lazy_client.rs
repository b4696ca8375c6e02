//! (Outside the layers: storage and adapters both hold one.) An SDK client built on its first use, once per process. A client costs its set-up (runtime plugins,
//! endpoint resolution, the HTTP connector) whether or not it is used, and most functions use one or two
//! of the systems [`crate::App`] knows: `health` none, `tickets` DynamoDB only, `attachments` also S3.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

pub struct LazyClient<C> {
    cell: Arc<OnceLock<C>>,
    build: Arc<dyn Fn() -> C + Send + Sync>,
}

impl<C> LazyClient<C> {
    /// A client `build` makes the first time it is asked for; clones share it.
    pub fn new(build: impl Fn() -> C + Send + Sync + 'static) -> Self {
        Self { cell: Arc::default(), build: Arc::new(build) }
    }

    pub fn get(&self) -> &C {
        self.cell.get_or_init(|| (self.build)())
    }

    /// Whether the client has been built (it is, once anything used it).
    pub fn is_built(&self) -> bool {
        self.cell.get().is_some()
    }
}

/// A client made elsewhere (tests), already built.
impl<C: Clone + Send + Sync + 'static> From<C> for LazyClient<C> {
    fn from(client: C) -> Self {
        let cell = Arc::new(OnceLock::from(client.clone()));
        Self { cell, build: Arc::new(move || client.clone()) }
    }
}

impl<C> Deref for LazyClient<C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.get()
    }
}

impl<C> Clone for LazyClient<C> {
    fn clone(&self) -> Self {
        Self { cell: Arc::clone(&self.cell), build: Arc::clone(&self.build) }
    }
}

impl<C> fmt::Debug for LazyClient<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyClient").field("built", &self.is_built()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn builds_once_on_first_use_and_clones_share_it() {
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&builds);
        let client = LazyClient::new(move || counter.fetch_add(1, Ordering::SeqCst) + 100);
        let copy = client.clone();
        assert_eq!(builds.load(Ordering::SeqCst), 0, "nothing is built before it is used");
        assert!(!copy.is_built());
        assert_eq!(*client.get(), 100);
        assert_eq!(*copy, 100, "the clone sees the same client");
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        assert!(copy.is_built());
    }
}
