//! The Recovery Token: 120 random bits, shown once, stored as a hash, used once.

use rand::RngCore;

use crate::domain::RecoveryToken;
use crate::server::account::sudo::Sudo;
use crate::server::crypto::tokens::TokenHash;
use crate::server::db::recovery;
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::platform::ctx::Ctx;

/// Draws a fresh token from the OS CSPRNG (24 × 5 = 120 bits).
pub fn generate() -> RecoveryToken {
    let mut bytes = [0u8; RecoveryToken::LEN];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // Each byte keeps its low 5 bits: 256 is a multiple of 32, so this is uniform.
    let indices = bytes.map(|b| b & 31);
    RecoveryToken::from_indices(&indices)
}

/// What the database stores for a token.
pub fn hash(token: &RecoveryToken) -> TokenHash {
    TokenHash::of(token.normalized().as_bytes())
}

/// Creates the account's token (replacing any other). The token is returned to be shown
/// once and is not kept anywhere.
pub async fn create(ctx: &Ctx, sudo: &Sudo<'_>) -> Result<RecoveryToken, sqlx::Error> {
    let user_id = sudo.user().user_id;
    let token = generate();
    let mut tx = ctx.state.pool.begin().await?;
    recovery::replace(&mut tx, user_id, &hash(&token), ctx.now).await?;
    let origin = Origin::of(&ctx.client, ctx.now);
    notify::notify(
        &ctx.state,
        &mut tx,
        user_id,
        Notice::RecoveryTokenCreated,
        origin,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes the account's token.
pub async fn revoke(ctx: &Ctx, sudo: &Sudo<'_>) -> Result<(), sqlx::Error> {
    let user_id = sudo.user().user_id;
    let mut tx = ctx.state.pool.begin().await?;
    if recovery::revoke(&mut *tx, user_id).await? {
        let origin = Origin::of(&ctx.client, ctx.now);
        notify::notify(
            &ctx.state,
            &mut tx,
            user_id,
            Notice::RecoveryTokenRevoked,
            origin,
        )
        .await?;
    }
    tx.commit().await?;
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
