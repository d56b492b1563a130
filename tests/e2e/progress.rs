//! Progress on stderr when it is not a terminal (a pipe, a CI log): a line per change,
//! counted "(N of M)" within its account; never a bar, and never on stdout.

use crate::{account_with, auto_apply, lines_with, pinned};

#[tokio::test]
async fn apply_lines_count_each_change_of_the_total() {
    let account = account_with(|account| {
        pinned(
            account,
            "  alias: \"{account_id}-main\"\niam:\n  password_policy:\n    minimum_length: 14\n",
        )
    })
    .await;
    let run = auto_apply(&account);
    // The two changes do not wait for each other: either may start first.
    let started = lines_with(&run.stderr, ": creating...");
    let mut addresses: Vec<&str> = started
        .iter()
        .filter_map(|line| line.split(": creating...").next())
        .collect();
    addresses.sort_unstable();
    assert_eq!(
        addresses,
        ["account_alias", "iam_password_policy"],
        "{}",
        run.stderr
    );
    let mut places: Vec<&str> = started
        .iter()
        .filter_map(|line| line.strip_suffix(')')?.rsplit_once(" (").map(|(_, n)| n))
        .collect();
    places.sort_unstable();
    assert_eq!(places, ["1 of 2", "2 of 2"], "{}", run.stderr);
    assert_eq!(
        lines_with(&run.stderr, ": created after ").len(),
        2,
        "{}",
        run.stderr
    );
    // Neither the counts nor a bar reach stdout, and a pipe gets no terminal codes.
    assert!(!run.stdout.contains(" of 2)"), "{}", run.stdout);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
}
