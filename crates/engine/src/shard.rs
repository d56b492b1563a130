//! `--shard I/N`: one of N parallel jobs (a CI matrix) plans part of an organization. The
//! member accounts are split by a hash of their id, so an account stays in its shard when
//! others are added or removed; the pinned account and accounts not created yet belong to
//! shard 1. The shards' saved plans are put back together by `baseline show`.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether member account `account_id` is planned by this shard.
    pub fn holds(self, account_id: &str) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(account_id.as_bytes());
        let mut first = [0_u8; 8];
        first.copy_from_slice(&digest[..8]);
        let bucket = u64::from_be_bytes(first) % self.count as u64;
        usize::try_from(bucket).is_ok_and(|b| b + 1 == self.index)
    }

    /// Whether this shard plans the pinned account and the accounts not created yet.
    pub fn is_first(self) -> bool {
        self.index == 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The text is not `I/N` with 1 ≤ I ≤ N.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a shard: write I/N, with I from 1 to N (e.g. 2/4)")]
pub struct ShardError(String);

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parse = |part: &str| part.trim().parse::<usize>().ok();
        match text.split_once('/').map(|(i, n)| (parse(i), parse(n))) {
            Some((Some(index), Some(count))) if index >= 1 && index <= count => {
                Ok(Self { index, count })
            }
            _ => Err(ShardError(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every account is in exactly one shard, the shards are near even, and an account
    /// stays in its shard whatever other accounts there are.
    #[test]
    fn every_account_is_in_exactly_one_shard() {
        let accounts: Vec<String> = (0..400)
            .map(|i| format!("{:012}", 100_000_000_000_u64 + i * 7919))
            .collect();
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        let mut sizes = [0; 4];
        for account in &accounts {
            let holding: Vec<usize> = shards
                .iter()
                .filter(|s| s.holds(account))
                .map(|s| s.index)
                .collect();
            assert_eq!(holding.len(), 1, "{account}: {holding:?}");
            sizes[holding[0] - 1] += 1;
        }
        assert!(sizes.iter().all(|n| (70..=130).contains(n)), "{sizes:?}");
        assert!(Shard { index: 1, count: 1 }.holds("123456789012"));
    }

    #[test]
    fn a_shard_is_written_i_of_n() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "2", "a/b", "2/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
    }
}
