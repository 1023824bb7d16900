//! The Recovery Token: 120 random bits, shown once, stored as a hash, used once.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::client::ClientInfo;
use super::db::recovery;
use super::notify::{self, Notice, Origin};
use super::security::{in_sudo_mode, SecurityError};
use super::session::CurrentUser;
use super::AppState;
use crate::domain::RecoveryToken;

/// Draws a fresh token from the OS CSPRNG (24 × 5 = 120 bits).
pub fn generate() -> RecoveryToken {
    let mut bytes = [0u8; RecoveryToken::LEN];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // Each byte keeps its low 5 bits: 256 is a multiple of 32, so this is uniform.
    let indices = bytes.map(|b| b & 31);
    RecoveryToken::from_indices(&indices)
}

/// What the database stores for a token.
pub fn hash(token: &RecoveryToken) -> Vec<u8> {
    Sha256::digest(token.normalized().as_bytes()).to_vec()
}

/// Creates the account's token (replacing any other); needs sudo mode. The token is
/// returned to be shown once and is not kept anywhere.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
) -> Result<RecoveryToken, SecurityError> {
    let now = state.clock.now();
    if !in_sudo_mode(user, now) {
        return Err(SecurityError::SudoRequired);
    }
    let token = generate();
    recovery::replace(&state.pool, user.user_id, &hash(&token), now).await?;
    let origin = Origin::of(client, now);
    notify::notify(state, user.user_id, Notice::RecoveryTokenCreated, origin).await;
    Ok(token)
}

/// Revokes the account's token; needs sudo mode.
pub async fn revoke(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
) -> Result<(), SecurityError> {
    let now = state.clock.now();
    if !in_sudo_mode(user, now) {
        return Err(SecurityError::SudoRequired);
    }
    if recovery::revoke(&state.pool, user.user_id).await? {
        let origin = Origin::of(client, now);
        notify::notify(state, user.user_id, Notice::RecoveryTokenRevoked, origin).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.normalized().len(), 24);
        assert_eq!(RecoveryToken::parse(&a.grouped()).unwrap(), a);
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(
            hash(&a),
            hash(&RecoveryToken::parse(&a.grouped().to_lowercase()).unwrap())
        );
    }

    #[test]
    fn every_character_of_the_alphabet_appears() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100 {
            seen.extend(generate().normalized().chars());
        }
        assert_eq!(seen.len(), 32);
    }
}
