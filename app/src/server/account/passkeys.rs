//! Account › Security › Passkeys: add one (sudo mode, the browser's own prompt, a name
//! defaulted from the device), list, rename, remove (sudo mode). Adding and removing are
//! emailed to the owner. At most [`MAX_PER_ACCOUNT`] per account.

use rand::RngCore;
use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential, Uuid, WebauthnError};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::domain::PasskeyName;
use crate::error::AppError;
use crate::server::account::sudo::Sudo;
use crate::server::crypto::webauthn::{
    self, Binding, CeremonyError, RelyingParty, Started, MAX_PER_ACCOUNT,
};
use crate::server::db::passkey_ceremonies::Kind;
use crate::server::db::passkeys::{self, Listed, NewPasskey};
use crate::server::db::users;
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::signin::session::User;

/// Why a passkey change failed.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("passkeys are off on this server")]
    Off,
    #[error("the ceremony is unknown, used, expired or another session's")]
    Expired,
    #[error("the browser's answer is not a WebAuthn credential")]
    Malformed,
    #[error("the registration was refused: {0}")]
    Refused(WebauthnError),
    #[error("this credential is registered already")]
    AlreadyRegistered,
    #[error("the account has the most passkeys it may have")]
    TooMany,
    #[error("no such passkey on this account")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(PasskeyError);

impl From<CeremonyError> for PasskeyError {
    fn from(e: CeremonyError) -> Self {
        match e {
            CeremonyError::Expired => Self::Expired,
            CeremonyError::Malformed => Self::Malformed,
            CeremonyError::Database(e) => e.into(),
        }
    }
}

impl From<PasskeyError> for AppError {
    fn from(e: PasskeyError) -> Self {
        use PasskeyError as E;
        let field = |message: &str| AppError::invalid("passkey", message);
        match e {
            E::Off => field("Passkeys aren't available on this server."),
            E::Expired => field(
                "That took too long, or was already used. Press “Add a passkey” to try again.",
            ),
            E::Malformed => AppError::BadRequest("the passkey's answer could not be read".into()),
            E::Refused(_) => {
                field("Your browser's answer wasn't accepted. Press “Add a passkey” to try again.")
            }
            E::AlreadyRegistered => field("That passkey is already registered."),
            E::TooMany => field(
                "You have 10 passkeys, the most an account can have. Remove one to add another.",
            ),
            E::NotFound => field("That passkey no longer exists."),
            E::Unexpected(e) => e.into(),
        }
    }
}

fn relying_party(ctx: &Ctx) -> Result<&RelyingParty, PasskeyError> {
    ctx.state.passkeys.as_ref().ok_or(PasskeyError::Off)
}

/// The account's passkeys, oldest first.
pub async fn list(ctx: &Ctx, user: &User) -> Result<Vec<Listed>, PasskeyError> {
    Ok(passkeys::list(&ctx.state.pool, user.user_id).await?)
}

/// "Add a passkey": the options for `navigator.credentials.create`, for a discoverable,
/// user-verified credential under the account's random user handle; this account's
/// passkeys are excluded so one authenticator is not registered twice.
pub async fn begin_add(ctx: &Ctx, sudo: &Sudo<'_>) -> Result<Started, PasskeyError> {
    let rp = relying_party(ctx)?;
    let (pool, user) = (&ctx.state.pool, sudo.user());
    let existing = passkeys::credential_ids_of(pool, user.user_id).await?;
    if existing.len() >= MAX_PER_ACCOUNT as usize {
        return Err(PasskeyError::TooMany);
    }
    let username = users::profile(pool, user.user_id)
        .await?
        .map(|p| p.username)
        .ok_or(PasskeyError::NotFound)?;
    let mut conn = pool.acquire().await?;
    let mut fresh = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let handle = passkeys::handle(&mut conn, user.user_id, &fresh)
        .await?
        .and_then(|h| Uuid::from_slice(&h).ok())
        .ok_or(PasskeyError::NotFound)?;
    let (mut options, state) = rp
        .webauthn()
        .start_passkey_registration(handle, &username, &username, Some(existing))
        .map_err(PasskeyError::Refused)?;
    // Discoverable, so the sign-in page's button and autofill find it with no username.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.require_resident_key = true;
        selection.resident_key = Some(ResidentKeyRequirement::Required);
    }
    let binding = Binding {
        kind: Kind::Register,
        user_id: Some(user.user_id),
        session_hash: Some(&user.session_hash),
    };
    Ok(webauthn::store(&mut conn, &binding, &state, &options, ctx.now).await?)
}

/// The browser's answer to "Add a passkey": checked against the ceremony this session
/// began (used up whatever the outcome), then stored with a name from the device
/// ("Chrome on Linux") that the customer may change.
pub async fn finish_add(
    ctx: &Ctx,
    user: &User,
    ceremony: &str,
    answer: &str,
) -> Result<Listed, PasskeyError> {
    let rp = relying_party(ctx)?;
    let (pool, now) = (&ctx.state.pool, ctx.now);
    let answer: RegisterPublicKeyCredential = webauthn::parse_answer(answer)?;
    let binding = Binding {
        kind: Kind::Register,
        user_id: Some(user.user_id),
        session_hash: Some(&user.session_hash),
    };
    let mut conn = pool.acquire().await?;
    let (_, state): (_, PasskeyRegistration) =
        webauthn::take(&mut conn, ceremony, &binding, now).await?;
    drop(conn);
    let passkey = rp
        .webauthn()
        .finish_passkey_registration(&answer, &state)
        .map_err(PasskeyError::Refused)?;
    let credential =
        serde_json::to_string(&passkey).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let flags = webauthn::flags_of(&credential);
    let name = PasskeyName::or_default(&ctx.client.device(), "Passkey");
    let new = NewPasskey {
        user_id: user.user_id,
        credential_id: passkey.cred_id().as_ref(),
        credential: &credential,
        name: name.as_str(),
        sign_count: flags.sign_count,
        backup_eligible: flags.backup_eligible,
        backed_up: flags.backed_up,
        now,
    };
    let mut tx = pool.begin().await?;
    let id = match passkeys::insert(&mut tx, &new, MAX_PER_ACCOUNT).await {
        Ok(Some(id)) => id,
        Ok(None) => return Err(PasskeyError::TooMany),
        Err(e) if is_unique_violation(&e) => return Err(PasskeyError::AlreadyRegistered),
        Err(e) => return Err(e.into()),
    };
    let origin = Origin::of(&ctx.client, now);
    let notice = Notice::PasskeyAdded {
        name: name.as_str().to_owned(),
    };
    notify::notify(&ctx.state, &mut tx, user.user_id, notice, origin).await?;
    tx.commit().await?;
    Ok(Listed {
        id,
        name: name.as_str().to_owned(),
        created_at: now,
        last_used_at: None,
        backup_eligible: flags.backup_eligible,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Rename one of the account's passkeys.
pub async fn rename(
    ctx: &Ctx,
    user: &User,
    id: i64,
    name: &PasskeyName,
) -> Result<(), PasskeyError> {
    if passkeys::rename(&ctx.state.pool, user.user_id, id, name.as_str()).await? {
        Ok(())
    } else {
        Err(PasskeyError::NotFound)
    }
}

/// Remove one of the account's passkeys; it signs in no more.
pub async fn remove(ctx: &Ctx, sudo: &Sudo<'_>, id: i64) -> Result<(), PasskeyError> {
    let user_id = sudo.user().user_id;
    let mut tx = ctx.state.pool.begin().await?;
    let name = passkeys::remove(&mut tx, user_id, id)
        .await?
        .ok_or(PasskeyError::NotFound)?;
    let origin = Origin::of(&ctx.client, ctx.now);
    let notice = Notice::PasskeyRemoved { name };
    notify::notify(&ctx.state, &mut tx, user_id, notice, origin).await?;
    tx.commit().await?;
    Ok(())
}
