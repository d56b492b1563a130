//! S3: the log bucket (and, with Athena, the query results bucket), with the hygiene CIS
//! asks of a bucket that holds audit logs.

pub(crate) mod bucket;
mod implied;
mod lifecycle;
