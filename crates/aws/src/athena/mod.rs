//! Athena over CloudTrail (the 2022 guide): a workgroup with its results bucket, a Glue
//! database and a CloudTrail table with partition projection (no `MSCK REPAIR`), and the
//! guide's sample queries as named queries.

pub(crate) mod catalog;
pub(crate) mod queries;
pub(crate) mod workgroup;

use baseline_core::Spec;
use baseline_core::scope::Scope;
use baseline_core::spec::AthenaSpec;

use crate::logging::logging;

pub(crate) fn athena(spec: &Spec) -> Option<&AthenaSpec> {
    logging(spec)?.athena.as_ref()
}

pub(crate) fn results_bucket(athena: &AthenaSpec, scope: &Scope) -> String {
    athena
        .results_bucket
        .0
        .render(scope.names(Some(&scope.home_region)))
}
