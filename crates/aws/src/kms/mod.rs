//! KMS: the key baseline creates for CloudTrail (CIS 3.5 rotation, 3.6 encryption).

pub(crate) mod key;
pub(crate) mod orphans;
