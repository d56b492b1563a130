//! Initial console passwords: generated here, written once to the password file (mode 0600),
//! and never printed, logged or put in a plan.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The symbols IAM's password policy counts as symbols.
const SYMBOLS: &[u8] = b"!@#$%^&*()_+-=[]{}|'";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";

/// A uniformly random index below `n`, from the operating system's generator.
fn below(n: usize) -> Result<usize, getrandom::Error> {
    let n = n as u32;
    let limit = u32::MAX - u32::MAX % n;
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes)?;
        let value = u32::from_le_bytes(bytes);
        if value < limit {
            return Ok((value % n) as usize);
        }
    }
}

/// A password of `length` characters (at least 8) with at least one uppercase letter,
/// lowercase letter, digit and symbol, so that it meets any IAM password policy whose
/// minimum length is at most `length`.
pub(crate) fn generate(length: usize) -> Result<String, getrandom::Error> {
    let length = length.max(8);
    let all: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    let mut chars = Vec::with_capacity(length);
    for class in [UPPER, LOWER, DIGITS, SYMBOLS] {
        chars.push(class[below(class.len())?]);
    }
    while chars.len() < length {
        chars.push(all[below(all.len())?]);
    }
    for i in (1..chars.len()).rev() {
        chars.swap(i, below(i + 1)?);
    }
    Ok(chars.into_iter().map(char::from).collect())
}

/// Appends `user<TAB>password` to the file, creating it with mode 0600.
pub(crate) fn record(path: &Path, user: &str, password: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode on open: make sure it is private too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    writeln!(file, "{user}\t{password}")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_have_every_class_and_the_length() {
        for length in [8, 14, 24, 40] {
            let password = generate(length).expect("random");
            assert_eq!(password.len(), length);
            for class in [UPPER, LOWER, DIGITS, SYMBOLS] {
                assert!(password.bytes().any(|b| class.contains(&b)), "{password}");
            }
        }
        assert_ne!(generate(24).expect("random"), generate(24).expect("random"));
    }
}
