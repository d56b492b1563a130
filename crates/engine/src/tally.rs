//! How far a run has come, counted from the events an [`Observer`](crate::Observer) hears:
//! resources read of those to read, and changes done (failed, skipped) of those to make,
//! over every account; and each change's place in its own account's apply ("12 of 266").

use std::collections::BTreeMap;

use baseline_core::exec::{Event, Outcome};

/// The counts of a run so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Resources read so far.
    pub read: usize,
    /// Resources to read, over the accounts whose reading began.
    pub to_read: usize,
    /// Changes done: applied, failed or skipped.
    pub done: usize,
    /// Changes that failed.
    pub failed: usize,
    /// Changes not attempted because one they wait for failed.
    pub skipped: usize,
    /// Changes to make, over the accounts whose apply began.
    pub to_apply: usize,
    /// Per account (empty: the pinned account): changes started, and changes to make.
    started: BTreeMap<String, (usize, usize)>,
}

impl Tally {
    /// Nothing counted yet.
    pub const fn new() -> Self {
        Self {
            read: 0,
            to_read: 0,
            done: 0,
            failed: 0,
            skipped: 0,
            to_apply: 0,
            started: BTreeMap::new(),
        }
    }

    /// Whether applying has begun (else the run is reading).
    pub fn applying(&self) -> bool {
        self.to_apply > 0
    }

    /// Counts `event` of `account` (empty: the pinned account). For a change that starts,
    /// returns its place in its account's apply: the N and M of "N of M".
    pub fn record(&mut self, account: &str, event: &Event<'_>) -> Option<(usize, usize)> {
        match event {
            Event::Reading { total } => self.to_read += total,
            Event::Read => self.read += 1,
            Event::Applying { total } => {
                self.to_apply += total;
                self.started.insert(account.to_owned(), (0, *total));
            }
            Event::Started { .. } => {
                let count = self.started.entry(account.to_owned()).or_default();
                count.0 += 1;
                return Some(*count);
            }
            Event::Finished { outcome, .. } => {
                self.done += 1;
                if matches!(outcome, Outcome::Failed { .. }) {
                    self.failed += 1;
                }
            }
            Event::Skipped { .. } => {
                self.done += 1;
                self.skipped += 1;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use baseline_core::exec::{Event, Outcome};
    use baseline_core::{Action, ProviderError, ResourceAddr};

    use super::Tally;

    #[test]
    fn reads_are_summed_over_accounts_and_changes_are_placed_per_account() {
        const MEMBER: &str = "222222222222";
        let mut tally = Tally::new();
        tally.record("", &Event::Reading { total: 3 });
        tally.record(MEMBER, &Event::Reading { total: 2 });
        for _ in 0..4 {
            tally.record("", &Event::Read);
        }
        assert_eq!((tally.read, tally.to_read), (4, 5));
        assert!(!tally.applying());

        let [a, b, c] = ["a", "b", "c"].map(|n| ResourceAddr::named("thing", n));
        let started = |address| Event::Started {
            address,
            action: Action::Create,
        };
        tally.record("", &Event::Applying { total: 3 });
        tally.record(MEMBER, &Event::Applying { total: 1 });
        assert!(tally.applying());
        assert_eq!(tally.record("", &started(&a)), Some((1, 3)));
        assert_eq!(tally.record(MEMBER, &started(&a)), Some((1, 1)));
        assert_eq!(tally.record("", &started(&b)), Some((2, 3)));
        let failed = Outcome::Failed {
            error: ProviderError {
                address: b.clone(),
                operation: "test:Create".to_owned(),
                code: None,
                message: "refused".to_owned(),
                hint: None,
            },
        };
        let finished = |address, outcome| Event::Finished {
            address,
            action: Action::Create,
            outcome,
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(tally.record("", &finished(&a, &Outcome::Applied)), None);
        tally.record("", &finished(&b, &failed));
        tally.record(
            "",
            &Event::Skipped {
                address: &c,
                because: &b,
            },
        );
        assert_eq!(
            (tally.done, tally.failed, tally.skipped, tally.to_apply),
            (3, 1, 1, 4)
        );
    }
}
