//! Reads that many resources share, made once per plan. All EventBridge rules of a region
//! come from one ListRules, all Config rules of a region from one DescribeConfigRules, the
//! organization's accounts from one ListAccounts: where AWS answers for many resources at
//! once, a plan asks once, not once per resource.
//!
//! Only reads made while planning share (see [`reading`]): a read made while applying always
//! asks AWS, and any change made through the context forgets what was shared, so nothing
//! read before a change is taken for the state after it.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use baseline_core::{ProviderError, ResourceAddr};
use tokio::sync::OnceCell;

use super::AwsContext;
use crate::error::build_error;

/// One shared answer: set once by the first read that asks, awaited by the others.
type Cell = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// The answers shared so far, by key (`events:ListRules ap-northeast-1`).
#[derive(Debug, Default)]
pub(crate) struct Shared {
    cells: Mutex<HashMap<String, Cell>>,
    /// The addresses the plan will read (see [`AwsContext::want`]).
    wanted: Mutex<Vec<ResourceAddr>>,
}

tokio::task_local! {
    /// Set while a plan's read runs: only then are answers shared.
    static READING: ();
}

/// Runs `read` as a plan's read: its shared reads use (and fill) the context's answers.
pub(crate) async fn reading<F: Future>(read: F) -> F::Output {
    READING.scope((), read).await
}

impl AwsContext {
    /// The answer of `load`, asked once per plan under `key` and shared by every read that
    /// asks for the same key; outside a plan's read, `load`'s own answer. An error is not
    /// kept: the next read asks again.
    pub(crate) async fn shared<T, F, Fut>(
        &self,
        address: &ResourceAddr,
        key: String,
        load: F,
    ) -> Result<Arc<T>, ProviderError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        if READING.try_with(|()| ()).is_err() {
            return load().await.map(Arc::new);
        }
        let cell = {
            let mut cells = self.shared.cells.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(cells.entry(key.clone()).or_default())
        };
        let answer = cell
            .get_or_try_init(|| async {
                load()
                    .await
                    .map(|value| Arc::new(value) as Arc<dyn Any + Send + Sync>)
            })
            .await?;
        Arc::clone(answer)
            .downcast::<T>()
            .map_err(|_| build_error(address, format!("the shared read `{key}` has another type")))
    }

    /// Says which resources the plan will read: batch reads ask for all of them at once.
    pub(crate) fn want<'a>(&self, addresses: impl IntoIterator<Item = &'a ResourceAddr>) {
        let mut wanted = self.shared.wanted.lock().unwrap_or_else(|e| e.into_inner());
        wanted.clear();
        wanted.extend(addresses.into_iter().cloned());
    }

    /// The names of the wanted resources of `kind` in `region`, in order.
    pub(crate) fn wanted(&self, kind: &str, region: &str) -> Vec<String> {
        let wanted = self.shared.wanted.lock().unwrap_or_else(|e| e.into_inner());
        wanted
            .iter()
            .filter(|a| a.kind == kind && a.region.as_deref() == Some(region))
            .filter_map(|a| a.name.clone())
            .collect()
    }

    /// Forgets every shared answer: called around each change made through the context.
    pub(crate) fn forget_shared(&self) {
        self.shared
            .cells
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
