//! WebAuthn (passkeys) through kanidm's `webauthn-rs`: who Gatehouse is to an
//! authenticator (the relying party, from the public URL), and each ceremony's state kept
//! in PostgreSQL between its two round trips, so any instance can finish what another
//! began (docs/security.md, "Passkeys").

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder, WebauthnError};

use crate::server::crypto::tokens::{SecretToken, TokenHash};
use crate::server::db::passkey_ceremonies::{self, Kind, NewCeremony};

/// How long a ceremony may take, from the options sent to the answer received. The
/// browser is given the same time-out.
pub const CEREMONY_TTL: Duration = Duration::minutes(5);

/// Most passkeys one account may have.
pub const MAX_PER_ACCOUNT: i32 = crate::domain::MAX_PASSKEYS as i32;

/// Why no relying party could be made of the public URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelyingPartyError {
    #[error("passkeys need GATEHOUSE_PUBLIC_URL (its host is the relying party id); set it, or GATEHOUSE_PASSKEYS=false")]
    NoPublicUrl,
    #[error("GATEHOUSE_PUBLIC_URL is not a URL: {0}")]
    NotAUrl(String),
    #[error("passkeys need a domain name in GATEHOUSE_PUBLIC_URL, not an IP address (browsers refuse one as the relying party id): {0}")]
    NotADomain(String),
    #[error("passkeys need an https GATEHOUSE_PUBLIC_URL (browsers allow plain http only on localhost): {0}")]
    NotHttps(String),
    #[error("webauthn-rs refused the relying party {0}")]
    Refused(String),
}

/// Gatehouse as a WebAuthn relying party: its id (the public URL's host) and the one
/// origin answers are accepted from (the public URL's origin).
#[derive(Clone)]
pub struct RelyingParty {
    webauthn: std::sync::Arc<Webauthn>,
    origin: String,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("origin", &self.origin)
            .finish()
    }
}

impl RelyingParty {
    /// The relying party for the public URL `url` (`https://panel.example`, or
    /// `http://localhost:3000` in development); `name` is shown by some authenticators.
    pub fn new(url: &str, name: &str) -> Result<Self, RelyingPartyError> {
        let parsed = Url::parse(url).map_err(|_| RelyingPartyError::NotAUrl(url.to_owned()))?;
        let Some(domain) = parsed.domain() else {
            return Err(RelyingPartyError::NotADomain(url.to_owned()));
        };
        let domain = domain.to_owned();
        if parsed.scheme() != "https" && domain != "localhost" {
            return Err(RelyingPartyError::NotHttps(url.to_owned()));
        }
        let origin = parsed.origin().ascii_serialization();
        let origin_url =
            Url::parse(&origin).map_err(|_| RelyingPartyError::NotAUrl(url.to_owned()))?;
        let webauthn = WebauthnBuilder::new(&domain, &origin_url)
            .and_then(|b| b.rp_name(name).timeout(CEREMONY_TTL.unsigned_abs()).build())
            .map_err(|e| RelyingPartyError::Refused(format!("{url}: {e}")))?;
        Ok(Self {
            webauthn: std::sync::Arc::new(webauthn),
            origin,
        })
    }

    /// The library's handle for this relying party.
    pub fn webauthn(&self) -> &Webauthn {
        &self.webauthn
    }

    /// The origin answers must come from, e.g. `https://panel.example`.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// What the browser needs for a ceremony: the id it sends back with the answer, and the
/// options to hand to `navigator.credentials`, as JSON.
pub struct Started {
    pub ceremony: String,
    pub options: String,
}

/// Why a ceremony could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// Unknown, already used, expired, or begun by another session.
    #[error("no such ceremony")]
    Expired,
    /// The browser's answer is not the JSON a WebAuthn credential gives.
    #[error("the answer is not a WebAuthn credential")]
    Malformed,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Who a ceremony belongs to.
pub struct Binding<'a> {
    pub kind: Kind,
    pub user_id: Option<i64>,
    pub session_hash: Option<&'a TokenHash>,
}

/// Stores a ceremony's `state` bound as `binding` says, for [`CEREMONY_TTL`]; returns
/// the id and the `options` (as JSON) for the browser.
pub async fn store<S: Serialize, O: Serialize>(
    conn: &mut PgConnection,
    binding: &Binding<'_>,
    state: &S,
    options: &O,
    now: OffsetDateTime,
) -> Result<Started, sqlx::Error> {
    let token = SecretToken::generate();
    let state = serde_json::to_string(state).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let options = serde_json::to_string(options).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    passkey_ceremonies::insert(
        conn,
        &NewCeremony {
            id_hash: &token.hash(),
            kind: binding.kind,
            user_id: binding.user_id,
            session_hash: binding.session_hash,
            state: &state,
            now,
            expires_at: now + CEREMONY_TTL,
        },
    )
    .await?;
    Ok(Started {
        ceremony: token.encoded(),
        options,
    })
}

/// Takes back the ceremony `ceremony` (the id the browser returned) for finishing: once,
/// within its time, by the session it is bound to. Returns its owner and state.
pub async fn take<S: DeserializeOwned>(
    conn: &mut PgConnection,
    ceremony: &str,
    binding: &Binding<'_>,
    now: OffsetDateTime,
) -> Result<(Option<i64>, S), CeremonyError> {
    let token = SecretToken::from_cookie_value(ceremony).ok_or(CeremonyError::Expired)?;
    let taken =
        passkey_ceremonies::take(conn, &token.hash(), binding.kind, binding.session_hash, now)
            .await?
            .ok_or(CeremonyError::Expired)?;
    if binding.user_id.is_some() && taken.user_id != binding.user_id {
        return Err(CeremonyError::Expired);
    }
    let state = serde_json::from_str(&taken.state).map_err(|e| {
        tracing::error!(error = %e, "a stored passkey ceremony does not read back");
        CeremonyError::Expired
    })?;
    Ok((taken.user_id, state))
}

/// The longest answer read: a credential's JSON is well under 4 KiB; a few attestation
/// certificates fit in this.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// Reads the browser's answer (`PublicKeyCredential.toJSON()`, as a string).
pub fn parse_answer<T: DeserializeOwned>(json: &str) -> Result<T, CeremonyError> {
    if json.len() > MAX_ANSWER_BYTES {
        return Err(CeremonyError::Malformed);
    }
    serde_json::from_str(json).map_err(|_| CeremonyError::Malformed)
}

/// Whether a refused assertion means the credential may have been cloned (its sign
/// count did not go up).
pub fn counter_went_back(e: &WebauthnError) -> bool {
    matches!(e, WebauthnError::CredentialPossibleCompromise)
}

/// A credential's stored fields that are also kept in columns of their own.
pub struct CredentialFlags {
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backed_up: bool,
}

/// Reads the sign count and backup flags out of a `Passkey`'s JSON (webauthn-rs keeps
/// them private without its `danger-credential-internals` feature).
pub fn flags_of(passkey_json: &str) -> CredentialFlags {
    let value: serde_json::Value = serde_json::from_str(passkey_json).unwrap_or_default();
    let cred = &value["cred"];
    CredentialFlags {
        sign_count: cred["counter"].as_i64().unwrap_or(0),
        backup_eligible: cred["backup_eligible"].as_bool().unwrap_or(false),
        backed_up: cred["backup_state"].as_bool().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_urls_domain_over_https_or_localhost() {
        let ok = [
            ("https://panel.example", "https://panel.example"),
            ("https://panel.example/some/path", "https://panel.example"),
            ("https://panel.example:8443", "https://panel.example:8443"),
            ("http://localhost:3000", "http://localhost:3000"),
        ];
        for (url, origin) in ok {
            let rp = RelyingParty::new(url, "Gatehouse").unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(rp.origin(), origin, "{url}");
        }
        let refused = [
            ("http://127.0.0.1:3000", "NotADomain"),
            ("https://[::1]:3000", "NotADomain"),
            ("http://panel.example", "NotHttps"),
            ("not a url", "NotAUrl"),
        ];
        for (url, why) in refused {
            let e = RelyingParty::new(url, "Gatehouse").unwrap_err();
            assert!(format!("{e:?}").starts_with(why), "{url}: {e:?}");
        }
    }

    #[test]
    fn answers_that_are_not_credentials_or_too_long_are_malformed() {
        type Cred = webauthn_rs::prelude::PublicKeyCredential;
        for bad in ["", "{", "[]", "{\"id\":1}", "null"] {
            assert!(
                matches!(parse_answer::<Cred>(bad), Err(CeremonyError::Malformed)),
                "{bad}"
            );
        }
        let long = format!("{{\"id\":\"{}\"}}", "a".repeat(MAX_ANSWER_BYTES));
        assert!(matches!(
            parse_answer::<Cred>(&long),
            Err(CeremonyError::Malformed)
        ));
    }

    #[test]
    fn flags_are_read_from_the_stored_credential() {
        let json = r#"{"cred":{"counter":7,"backup_eligible":true,"backup_state":false}}"#;
        let f = flags_of(json);
        assert_eq!(
            (f.sign_count, f.backup_eligible, f.backed_up),
            (7, true, false)
        );
        let f = flags_of("not json");
        assert_eq!(
            (f.sign_count, f.backup_eligible, f.backed_up),
            (0, false, false)
        );
    }
}
