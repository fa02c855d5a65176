//! Password hashing with Argon2id at OWASP's recommended cost (19 MiB, 2 iterations).

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    // The parameters are constants inside Argon2's documented range.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new password must be long enough to resist guessing; the reason is for the form.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters."));
    }
    if length > MAX_LENGTH {
        return Err(format!("Use at most {MAX_LENGTH} characters."));
    }
    Ok(())
}

/// At most this many hashes at once: each takes 19 MiB, and a burst of sign-ins must not
/// exhaust memory or the blocking pool.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Hashes on a blocking thread: Argon2 is deliberately slow.
pub async fn hash(password: String) -> anyhow::Result<String> {
    let _permit = hashing_permits().acquire().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    // A fresh random salt from the operating system, drawn by the crate.
    let phc: PasswordHash =
        hasher().hash_password(password.as_bytes()).map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(phc.to_string())
}

/// Verifies on a blocking thread. With no stored hash it still does the work, so a
/// missing account takes as long to refuse as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = hashing_permits().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        match PasswordHash::new(&stored) {
            Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a real password, only for timing").unwrap_or_default())
}

/// A random password for an account created at a terminal (printed once).
pub fn generate() -> String {
    crate::secrets::random_token(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_at_the_required_cost_and_verifies() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(stored)).await);
        assert!(!verify("anything".into(), None).await);
    }

    #[test]
    fn new_passwords_need_twelve_characters() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
    }
}
