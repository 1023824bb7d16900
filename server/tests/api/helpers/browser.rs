//! A typed test client: one method per server function, answering with the app's own
//! wire types (`app::api::*`) and [`AppError`] instead of status codes and untyped JSON.

use std::sync::Arc;

use app::api::authenticator::{AuthenticatorSetup, AuthenticatorView};
use app::api::devices::DeviceView;
use app::api::history::HistoryPage;
use app::api::passkeys::{PasskeyChallenge, PasskeyView, PasskeysView};
use app::api::profile::AccountView;
use app::api::recovery_token::RecoveryView;
use app::api::sessions::SessionView;
use app::api::signin::{LoginStep, PendingSignIn};
use app::api::two_factor::{TwoFactorView, UpdateResult};
use app::error::AppError;
use reqwest::cookie::Jar;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

/// A server function's answer: its HTTP status and the value or error in its body.
#[derive(Debug)]
pub struct Reply<T> {
    pub status: u16,
    pub result: Result<T, AppError>,
    pub headers: HeaderMap,
    /// The body as sent, for comparing answers byte for byte.
    pub body: String,
}

impl<T: std::fmt::Debug> Reply<T> {
    /// The value; panics (showing the status and error) if the call failed.
    #[track_caller]
    pub fn ok(self) -> T {
        match self.result {
            Ok(value) if self.status == 200 => value,
            other => panic!("expected 200 and a value, got {}: {other:?}", self.status),
        }
    }
}

impl<T> Reply<T> {
    /// The error, or `None` if the call succeeded.
    pub fn err(self) -> Option<AppError> {
        self.result.err()
    }

    /// The status and the error, if any: what a refusal is checked by.
    pub fn failure(self) -> (u16, Option<AppError>) {
        (self.status, self.result.err())
    }

    /// The full `Set-Cookie` header that sets `name`, attributes included.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The names of the cookies set.
    pub fn cookie_names(&self) -> Vec<String> {
        self.cookie_pairs()
            .into_iter()
            .map(|c| c.split('=').next().unwrap_or_default().to_owned())
            .collect()
    }

    /// The `name=value` part of each `Set-Cookie` header.
    pub fn cookie_pairs(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect()
    }
}

/// A browser with its own cookies, bound to one Gatehouse instance.
#[derive(Clone)]
pub struct Browser {
    base: String,
    jar: Arc<Jar>,
    client: reqwest::Client,
}

impl Browser {
    /// A new browser, with no cookies, for the instance at `base` (`http://host:port`).
    /// Sends no `User-Agent`, as the old `client()` did not.
    pub fn new(base: impl Into<String>) -> Self {
        Self::build(base, None)
    }

    /// A new browser that sends `user_agent`.
    pub fn with_agent(base: impl Into<String>, user_agent: &str) -> Self {
        Self::build(base, Some(user_agent))
    }

    fn build(base: impl Into<String>, user_agent: Option<&str>) -> Self {
        let jar = Arc::new(Jar::default());
        let mut builder = reqwest::Client::builder();
        if let Some(agent) = user_agent {
            builder = builder.user_agent(agent);
        }
        let client = builder
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            // A request that hangs fails its test instead of stalling the whole run.
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap();
        Self {
            base: base.into(),
            jar,
            client,
        }
    }

    /// The same cookies, sent to another instance (a second backend of one site).
    pub fn at(&self, base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            ..self.clone()
        }
    }

    /// An absolute URL for `path` on this browser's instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stores a cookie (`name=value`) as if the server had set it.
    pub fn add_cookie(&self, pair: &str) {
        self.jar
            .add_cookie_str(pair, &self.base.parse::<reqwest::Url>().unwrap());
    }

    /// The underlying client, for page loads and hand-made requests.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Loads a page as a browser navigating to it does.
    pub async fn page(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    /// Posts `form` to a server function as the hydrated page does, answer unread: the
    /// escape hatch for malformed input and raw HTTP.
    pub async fn post_raw(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Submits the sign-in form as a browser without JavaScript would.
    pub async fn login_form(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/login"))
            .header("accept", "text/html")
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// Submits a form to a server function as a browser without JavaScript does, from
    /// the sign-in page.
    pub async fn submit_form(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "text/html")
            .header("referer", self.url("/login"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function and reads its answer.
    pub async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Reply<T> {
        let res = self.post_raw(endpoint, form).await;
        Reply::read(res).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply<LoginStep> {
        self.call("login", &[("username", username), ("password", password)])
            .await
    }

    pub async fn verify(&self, code: &str) -> Reply<()> {
        self.call("verify-code", &[("code", code)]).await
    }

    /// The code step with "Trust this device for 30 days" ticked.
    pub async fn verify_trusting(&self, code: &str) -> Reply<()> {
        self.call("verify-code", &[("code", code), ("trust_device", "on")])
            .await
    }

    pub async fn resend(&self) -> Reply<PendingSignIn> {
        self.call("resend-code", &[]).await
    }

    pub async fn pending(&self) -> Reply<Option<PendingSignIn>> {
        self.call("pending-signin", &[]).await
    }

    pub async fn cancel(&self) -> Reply<()> {
        self.call("cancel-signin", &[]).await
    }

    pub async fn logout(&self) -> Reply<()> {
        self.call("logout", &[]).await
    }

    pub async fn account(&self) -> Reply<AccountView> {
        self.call("account", &[]).await
    }

    pub async fn two_factor(&self) -> Reply<TwoFactorView> {
        self.call("two-factor", &[]).await
    }

    /// Update on the Two Factor form; `enabled` is the switch.
    pub async fn update_two_factor(&self, phone: &str, enabled: bool) -> Reply<UpdateResult> {
        let mut form = vec![("phone", phone)];
        if enabled {
            form.push(("enabled", "on"));
        }
        self.call("update-two-factor", &form).await
    }

    /// The Confirmation code: whether 2FA is on, and the masked number confirmed.
    pub async fn confirm_phone(&self, code: &str) -> Reply<(String, bool)> {
        self.call("confirm-phone", &[("code", code)]).await
    }

    pub async fn confirm_password(&self, password: &str) -> Reply<()> {
        self.call("confirm-password", &[("password", password)])
            .await
    }

    pub async fn create_recovery_token(&self) -> Reply<String> {
        self.call("create-recovery-token", &[]).await
    }

    pub async fn revoke_recovery_token(&self) -> Reply<()> {
        self.call("revoke-recovery-token", &[]).await
    }

    pub async fn recovery_status(&self) -> Reply<RecoveryView> {
        self.call("recovery-status", &[]).await
    }

    pub async fn history(&self, page: u32) -> Reply<HistoryPage> {
        self.call("login-history", &[("page", &page.to_string())])
            .await
    }

    pub async fn devices(&self) -> Reply<Vec<DeviceView>> {
        self.call("trusted-devices", &[]).await
    }

    pub async fn revoke_device(&self, id: i64) -> Reply<()> {
        self.call("revoke-device", &[("id", &id.to_string())]).await
    }

    pub async fn revoke_all_devices(&self) -> Reply<()> {
        self.call("revoke-all-devices", &[]).await
    }

    pub async fn sessions(&self) -> Reply<Vec<SessionView>> {
        self.call("sessions", &[]).await
    }

    pub async fn sign_out_session(&self, id: i64) -> Reply<()> {
        self.call("sign-out-session", &[("id", &id.to_string())])
            .await
    }

    pub async fn sign_out_other_sessions(&self) -> Reply<()> {
        self.call("sign-out-other-sessions", &[]).await
    }

    pub async fn this_wasnt_me(&self) -> Reply<()> {
        self.call("this-wasnt-me", &[]).await
    }

    pub async fn change_email(&self, new_email: &str) -> Reply<String> {
        self.call("change-email", &[("new_email", new_email)]).await
    }

    pub async fn confirm_email(&self, token: &str) -> Reply<()> {
        self.call("confirm-email", &[("token", token)]).await
    }

    pub async fn authenticator(&self) -> Reply<AuthenticatorView> {
        self.call("authenticator", &[]).await
    }

    pub async fn setup_authenticator(&self) -> Reply<AuthenticatorSetup> {
        self.call("setup-authenticator", &[]).await
    }

    pub async fn confirm_authenticator(&self, code: &str) -> Reply<()> {
        self.call("confirm-authenticator", &[("code", code)]).await
    }

    pub async fn remove_authenticator(&self) -> Reply<()> {
        self.call("remove-authenticator", &[]).await
    }

    pub async fn passkeys(&self) -> Reply<PasskeysView> {
        self.call("passkeys", &[]).await
    }

    pub async fn add_passkey(&self) -> Reply<PasskeyChallenge> {
        self.call("add-passkey", &[]).await
    }

    pub async fn save_passkey(&self, ceremony: &str, credential: &str) -> Reply<PasskeyView> {
        self.call(
            "save-passkey",
            &[("ceremony", ceremony), ("credential", credential)],
        )
        .await
    }

    pub async fn rename_passkey(&self, id: i64, name: &str) -> Reply<()> {
        self.call("rename-passkey", &[("id", &id.to_string()), ("name", name)])
            .await
    }

    pub async fn remove_passkey(&self, id: i64) -> Reply<()> {
        self.call("remove-passkey", &[("id", &id.to_string())])
            .await
    }

    /// "Sign in with a passkey" (or "Use a passkey" at the second step): the options.
    pub async fn passkey_signin(&self) -> Reply<PasskeyChallenge> {
        self.call("passkey-signin", &[]).await
    }

    /// The answer to a passkey sign-in: where the page goes next.
    pub async fn passkey_verify(&self, ceremony: &str, credential: &str) -> Reply<String> {
        self.call(
            "passkey-verify",
            &[("ceremony", ceremony), ("credential", credential)],
        )
        .await
    }

    pub async fn change_password(&self, current: &str, new: &str, again: &str) -> Reply<()> {
        self.call(
            "change-password",
            &[
                ("current_password", current),
                ("password", new),
                ("password_again", again),
            ],
        )
        .await
    }

    pub async fn forgot_username(&self, email: &str) -> Reply<()> {
        self.call("forgot-username", &[("email", email)]).await
    }

    pub async fn forgot_password(&self, login: &str) -> Reply<()> {
        self.call("forgot-password", &[("login", login)]).await
    }

    /// Whether a reset link still works.
    pub async fn reset_link(&self, token: &str) -> Reply<bool> {
        self.call("reset-link", &[("token", token)]).await
    }

    pub async fn reset_password(&self, token: &str, password: &str, again: &str) -> Reply<()> {
        self.call(
            "reset-password",
            &[
                ("token", token),
                ("password", password),
                ("password_again", again),
            ],
        )
        .await
    }
}

impl<T: DeserializeOwned> Reply<T> {
    /// Reads a server function's answer: the value on success, the error otherwise.
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.unwrap();
        let result = if (200..300).contains(&status) {
            Ok(serde_json::from_str(&body).unwrap_or_else(|e| {
                panic!("a {status} answer that is not the value ({e}): {body}")
            }))
        } else {
            Err(serde_json::from_str(&body).unwrap_or_else(|e| {
                panic!("a {status} answer that is not an AppError ({e}): {body}")
            }))
        };
        Self {
            status,
            result,
            headers,
            body,
        }
    }
}
