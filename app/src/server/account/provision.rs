//! Creating accounts: the operator's `user add` and the development demo account.

use sqlx::PgPool;

use crate::domain::{
    EmailAddress, EmailError, NewPassword, Password, PasswordPolicyError, PhoneError, PhoneNumber,
    Username, UsernameError,
};
use crate::server::crypto::password::{HashError, PasswordHasher};
use crate::server::db::users::{self, InsertUserError, NewUser};
use crate::server::Clock;

/// An account to create, as the operator typed it.
pub struct AccountRequest {
    pub username: String,
    pub email: String,
    pub phone: Option<String>,
    pub two_factor: bool,
    pub password: Password,
}

/// Why an account was not created; each reads as one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("invalid username: {0}")]
    Username(#[from] UsernameError),
    #[error("invalid email: {0}")]
    Email(#[from] EmailError),
    #[error("invalid phone: {0}")]
    Phone(#[from] PhoneError),
    #[error("--two-factor needs a --phone to send codes to")]
    TwoFactorWithoutPhone,
    #[error("password refused: {0}")]
    Password(#[from] PasswordPolicyError),
    #[error("the username '{0}' is already taken")]
    UsernameTaken(String),
    #[error("could not hash the password: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Validates everything first, then stores the account in one statement; returns its id
/// and normalised username.
pub async fn create(
    pool: &PgPool,
    hasher: &PasswordHasher,
    clock: &Clock,
    request: AccountRequest,
) -> Result<(i64, Username), CreateAccountError> {
    let username = Username::parse(&request.username)?;
    let email = EmailAddress::parse(&request.email)?;
    let phone = request
        .phone
        .as_deref()
        .map(PhoneNumber::parse_international)
        .transpose()?;
    if request.two_factor && phone.is_none() {
        return Err(CreateAccountError::TwoFactorWithoutPhone);
    }
    let password = NewPassword::parse(request.password)?;
    let hash = hasher.hash(password.password()).await?;
    let new = NewUser {
        username: &username,
        email: &email,
        phone: phone.as_ref(),
        two_factor_enabled: request.two_factor,
        password_hash: &hash,
    };
    match users::insert(pool, &new, clock.now()).await {
        Ok(id) => Ok((id, username)),
        Err(InsertUserError::UsernameTaken) => {
            Err(CreateAccountError::UsernameTaken(username.to_string()))
        }
        Err(InsertUserError::Database(e)) => Err(e.into()),
    }
}

/// The development demo account's username.
pub const DEMO_USERNAME: &str = "demo";
/// The development demo account's password, printed at start-up in dev only.
pub const DEMO_PASSWORD: &str = "gatehouse-demo-password";

/// The development account with two-factor authentication on (same password).
pub const DEMO_2FA_USERNAME: &str = "demo-2fa";
/// Where the 2FA demo account's codes go (they land in the outbox).
pub const DEMO_2FA_PHONE: &str = "+447400123456";

/// Makes sure the demo accounts exist with the known password: `demo` with 2FA off, and
/// `demo-2fa` with 2FA on, so both sign-in paths can be tried at once.
pub async fn ensure_demo(
    pool: &PgPool,
    hasher: &PasswordHasher,
    clock: &Clock,
) -> Result<(), CreateAccountError> {
    let hash = hasher.hash(&Password::new(DEMO_PASSWORD)).await?;
    let phone = PhoneNumber::parse_international(DEMO_2FA_PHONE)?;
    for (name, phone) in [(DEMO_USERNAME, None), (DEMO_2FA_USERNAME, Some(&phone))] {
        let username = Username::parse(name)?;
        let email = EmailAddress::parse(&format!("{name}@example.com"))?;
        let new = NewUser {
            username: &username,
            email: &email,
            phone,
            two_factor_enabled: phone.is_some(),
            password_hash: &hash,
        };
        users::upsert(pool, &new, clock.now()).await?;
    }
    Ok(())
}
