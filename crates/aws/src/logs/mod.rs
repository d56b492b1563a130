//! CloudWatch Logs: the log group a trail also delivers to.

pub(crate) mod group;
