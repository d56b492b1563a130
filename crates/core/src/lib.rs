//! The baseline engine: the typed model of `baseline.yaml`, resource addresses, the plan, the
//! dependency graph and the executor. No AWS SDK, no command line, no terminal code here.

pub mod addr;
pub mod exec;
pub mod graph;
pub mod load;
pub mod placeholders;
pub mod plan;
pub mod policy;
pub mod provider;
pub mod regions;
pub mod schema;
pub mod scope;
pub mod spec;
pub mod template;

pub use addr::ResourceAddr;
pub use load::{LoadError, load_file, load_str};
pub use plan::{AccountPlan, Action, Desired, FieldChange, ManualStep, Plan, ResourceChange};
pub use provider::{BoxFuture, Provider, ProviderError, ReadRequest};
pub use spec::Spec;

/// The items in backquotes, separated by commas: how messages list names.
pub(crate) fn quoted_list<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
