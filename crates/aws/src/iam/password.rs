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
/// What marks a password written before IAM was asked to set it. A run cut short between
/// the two leaves only this line; once IAM has set it, the line is written again without it.
pub(crate) const NOT_YET_SET: &str = "(not yet set)";

/// The password file must be a regular file, or a new path in a folder that exists: never
/// a link (which could point anywhere), a device, a pipe or a folder.
pub fn check_target(path: &Path) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => Err(format!(
            "{} is a symbolic link; give the path of a regular file",
            path.display()
        )),
        Ok(_) => Err(format!(
            "{} is not a regular file (a device, pipe, socket or folder)",
            path.display()
        )),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if parent.is_dir() {
                Ok(())
            } else {
                Err(format!("the folder of {} does not exist", path.display()))
            }
        }
        Err(err) => Err(format!("cannot look at {}: {err}", path.display())),
    }
}

/// Opens the password file for appending: private (0600) from its creation, never through
/// a link.
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    check_target(path).map_err(std::io::Error::other)?;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode on open: make sure it is private too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Makes sure the password file can be written, before any change is made.
pub fn check_writable(path: &Path) -> Result<(), String> {
    open(path)
        .and_then(|file| file.sync_all())
        .map_err(|err| format!("cannot write {}: {err}", path.display()))
}

/// Writes one line durably (fsync): `USER<TAB>PASSWORD`, with `pending` the marker of a
/// password IAM has not been asked to set yet.
pub(crate) fn record(
    path: &Path,
    user: &str,
    password: &str,
    pending: bool,
) -> std::io::Result<()> {
    let mut file = open(path)?;
    if pending {
        writeln!(file, "{user}\t{password}\t{NOT_YET_SET}")?;
    } else {
        writeln!(file, "{user}\t{password}")?;
    }
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
