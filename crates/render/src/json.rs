//! The plan as JSON: the documented form, which is also what a saved plan holds.

use baseline_core::Plan;

/// The plan in its documented JSON form (docs/plan-format.md); also the saved-plan format.
pub fn plan_json(plan: &Plan) -> String {
    // Sealed: the document carries the checksum of its content, which apply verifies.
    let mut sealed = plan.clone();
    sealed.seal();
    let mut text = serde_json::to_string_pretty(&sealed).unwrap_or_default();
    text.push('\n');
    text
}
