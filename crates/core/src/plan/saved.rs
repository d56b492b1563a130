//! A saved plan before apply uses it: its seal (a checksum of its content), the check that
//! what it shows follows from what it does, and which format versions this version reads.

use serde_json::Value;

use super::diff::{field_changes, permission_notes, removed_fields};
use super::{Action, Grants, Plan, ResourceChange};

/// SHA-256 of `bytes`, in lowercase hex: the plan's checksum and `baseline_sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a saved plan cannot be applied as it is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("its checksum does not match its content: it was changed after baseline made it")]
    Checksum,
    #[error(
        "what it shows differs from what it would do at {0}: its `fields` do not follow from \
         `before` and `after`"
    )]
    Inconsistent(String),
}

impl Plan {
    /// SHA-256 (hex) of the document without its checksum.
    fn digest(&self) -> String {
        let mut unsealed = self.clone();
        unsealed.checksum = String::new();
        sha256_hex(
            serde_json::to_string(&unsealed)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    /// Puts the checksum of the content in, before the plan is written out.
    pub fn seal(&mut self) {
        self.recount();
        self.checksum = self.digest();
    }

    /// Checks a saved plan before apply uses it: what it shows (`fields`) must follow from
    /// what apply does (`before` → `after`), each change must name the account it is
    /// planned in, and its checksum must match its content. Apply acts on `after`; show prints `fields`: both must be one
    /// thing. Counts the summaries again first.
    /// `grants` names the permission-carrying fields of each kind, by kind.
    pub fn verify(&mut self, grants: impl Fn(&str) -> Grants) -> Result<(), SealError> {
        self.recount();
        let changes = self
            .changes
            .iter()
            .map(|c| (self.account_id.as_str(), c))
            .chain(
                self.accounts
                    .iter()
                    .flat_map(|a| a.changes.iter().map(|c| (a.account_id.as_str(), c))),
            );
        for (account, change) in changes {
            if change.account != account || !change.is_consistent(grants(&change.address.kind)) {
                return Err(SealError::Inconsistent(change.address.to_string()));
            }
        }
        // Every plan of a readable format is sealed when written: one without its checksum
        // was edited too.
        if self.checksum != self.digest() {
            return Err(SealError::Checksum);
        }
        Ok(())
    }

    /// Whether this version can read a plan of `format_version`: one of its own major
    /// version. (Format 3 changed the shape of every resource change; a plan saved by an
    /// older baseline is made again, not translated.)
    pub fn is_compatible(format_version: &str) -> bool {
        let major = |v: &str| v.split('.').next().map(str::to_owned);
        major(format_version) == major(Self::FORMAT_VERSION)
    }
}

impl ResourceChange {
    /// Whether what the change shows follows from what apply would do with it: its action
    /// fits `before` and `after`, its `fields` are their difference, and its permission notes
    /// are what `before` → `after` grants and removes (`grants`: its kind's fields that
    /// carry permissions).
    pub fn is_consistent(&self, grants: Grants) -> bool {
        let sorted = |value: &Option<Value>| {
            value.clone().map(|mut v| {
                v.sort_all_objects();
                v
            })
        };
        let shape = match self.action {
            Action::Create => self.before.is_none() && self.after.is_some(),
            Action::Delete => self.before.is_some() && self.after.is_none(),
            Action::Update => self.before.is_some() && self.after.is_some(),
            Action::NoOp | Action::Manual => true,
        };
        let mut derived = match &self.after {
            Some(after) => field_changes(after, self.before.as_ref()),
            None => self.before.as_ref().map(removed_fields).unwrap_or_default(),
        };
        derived.sort_by(|a, b| a.path.cmp(&b.path));
        let mut shown = self.fields.clone();
        shown.sort_by(|a, b| a.path.cmp(&b.path));
        let fields_follow = derived.len() == shown.len()
            && derived.iter().zip(&shown).all(|(d, s)| {
                d.path == s.path
                    && sorted(&d.before) == sorted(&s.before)
                    && sorted(&d.after) == sorted(&s.after)
            });
        // A create or delete of a resource whose state has no fields (a service-linked role
        // is there or not) changes no field; an update always changes one.
        let action_fits = match self.action {
            Action::NoOp => derived.is_empty(),
            Action::Update => !derived.is_empty(),
            Action::Create | Action::Delete | Action::Manual => true,
        };
        let (broadened, outside) = permission_notes(
            self.action,
            self.before.as_ref(),
            self.after.as_ref(),
            grants,
        );
        shape
            && fields_follow
            && action_fits
            && broadened == self.permissions_broadened
            && outside == self.outside_baseline
    }
}
