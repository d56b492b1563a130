//! CloudTrail: one multi-region trail, kept in the home region.

pub(crate) mod other_trails;
pub(crate) mod trail;
