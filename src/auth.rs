//! Secrets: argon2 password hashes, random session and API tokens, and the hashes under which
//! tokens are stored (the database never holds a usable secret).

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::{LazyLock, mpsc};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::Rng;
use sha2::{Digest, Sha256};

type PasswordJob = Box<dyn FnOnce() + Send>;

/// Argon2 works in 19 MiB of memory for every hash and check. All of them run on this one
/// thread, one at a time (the bound on concurrent checks), in memory allocated once: the
/// server's memory stays flat however many people sign in at once.
///
/// Hand-written rather than argon2's `PasswordHasher`/`PasswordVerifier` because those allocate
/// the 19 MiB afresh on every call, and glibc keeps the freed blocks. Measured on the release
/// demo server (`anju serve --demo`, VmRSS, 2026-12-01), 5 sign-ins one by one, then 60 more,
/// 12 at once:
///
/// | checks on this thread with | start | after 5 | after 65 |
/// |---|---|---|---|
/// | the crate's `verify_password` | 11 MB | 125 MB | 126 MB |
/// | this reused block | 30 MB | 30 MB | 31 MB |
///
/// Even one at a time on one thread the crate's calls grew memory by about 19 MiB a sign-in
/// until about six blocks were kept. (With `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576` set
/// before the process starts the crate's calls stayed at 12 MB, but the server cannot count
/// on its environment.)
static PASSWORD_THREAD: LazyLock<Option<mpsc::Sender<PasswordJob>>> = LazyLock::new(|| {
    let (sender, jobs) = mpsc::channel::<PasswordJob>();
    let spawned = std::thread::Builder::new()
        .name("anju-passwords".into())
        .spawn(move || {
            for job in jobs {
                // A panic in one job must not take the thread, and every later sign-in, with it.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
        });
    match spawned {
        Ok(_) => Some(sender),
        Err(e) => {
            tracing::error!("cannot start the password thread: {e}");
            None
        }
    }
});

thread_local! {
    /// The password thread's Argon2 working memory, reused by every hash.
    static WORKING_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// `work`'s result, computed on the password thread; the caller waits for it.
fn on_password_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let (reply, answer) = mpsc::sync_channel(1);
    let sender = PASSWORD_THREAD
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("the password thread is not running"))?;
    sender
        .send(Box::new(move || {
            let _ = reply.send(work());
        }))
        .map_err(|_| anyhow::anyhow!("the password thread has stopped"))?;
    answer.recv().map_err(|_| anyhow::anyhow!("the password thread failed"))
}

/// Argon2 of `password` and `salt` into `out`, in the thread's working memory.
fn argon2_into(argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    WORKING_MEMORY.with_borrow_mut(|blocks| {
        blocks.resize(argon.params().block_count(), Block::new());
        argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..])
    })
}

/// An argon2id hash of `password` in PHC form, with the default parameters (blocks the caller
/// for about 50 ms).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    on_password_thread(move || {
        let (algorithm, version, params) = (Algorithm::default(), Version::default(), Params::default());
        let argon = Argon2::new(algorithm, version, params.clone());
        let salt = Salt::generate();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2_into(&argon, password.as_bytes(), &salt, &mut out).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
        let hash = PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("hashing: {e}"))?,
            salt: Some(salt),
            hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("hashing: {e}"))?),
        };
        Ok(hash.to_string())
    })?
}

/// Whether `password` matches the PHC `hash` (blocks the caller for about 50 ms).
pub fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    let checked = on_password_thread(move || {
        let parsed = PasswordHash::new(&hash).ok()?;
        let (salt, expected) = (parsed.salt.as_ref()?, parsed.hash.as_ref()?);
        let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
        let version = match parsed.version {
            Some(number) => Version::try_from(number).ok()?,
            None => Version::default(),
        };
        let argon = Argon2::new(algorithm, version, Params::try_from(&parsed).ok()?);
        let mut out = vec![0u8; expected.len()];
        argon2_into(&argon, password.as_bytes(), salt, &mut out).ok()?;
        // `Output`'s comparison takes the same time wherever the bytes differ.
        Some(Output::new(&out).ok()? == *expected)
    });
    match checked {
        Ok(verified) => verified.unwrap_or(false),
        Err(e) => {
            tracing::error!("password check: {e}");
            false
        }
    }
}

/// A hash no password is known to match, checked in place of a missing account's so that a
/// sign-in with an unknown name takes as long as one with a wrong password.
pub static STAND_IN_HASH: LazyLock<String> = LazyLock::new(|| hash_password(&new_token()).unwrap_or_default());

/// A fresh random secret: 32 bytes, hex.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A readable random password for printed first-run and demo accounts.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// How a token is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(verify_password("correct horse battery", &theirs));
        assert!(!verify_password("correct horse batterY", &theirs));
        let ours = hash_password("correct horse battery").unwrap();
        assert_ne!(
            ours,
            hash_password("correct horse battery").unwrap(),
            "a fresh salt each time"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(Argon2::default().verify_password(b"wrong", &parsed).is_err());
    }

    #[test]
    fn concurrent_checks_each_get_their_own_answer() {
        let hash = hash_password("correct horse battery").unwrap();
        let checks: Vec<_> = (0..6)
            .map(|i| {
                let hash = hash.clone();
                std::thread::spawn(move || {
                    let password = if i % 2 == 0 {
                        "correct horse battery"
                    } else {
                        "wrong horse battery"
                    };
                    (i, verify_password(password, &hash))
                })
            })
            .collect();
        for check in checks {
            let (i, verified) = check.join().unwrap();
            assert_eq!(verified, i % 2 == 0, "check {i}");
        }
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
