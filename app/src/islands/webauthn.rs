//! The browser's side of passkeys: the server's options JSON handed to
//! `navigator.credentials`, and the credential handed back as the JSON of
//! `PublicKeyCredential.toJSON()`. The browser does the encoding
//! (`PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`),
//! so the client carries no base64 or CBOR code of its own: a few `Reflect` calls.
//!
//! Without JavaScript none of this exists, and the buttons that call it are rendered only
//! once the page is hydrated.

/// Why the browser gave no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// This browser has no WebAuthn (or none of the JSON helpers).
    Unsupported,
    /// The customer closed the prompt, or it timed out.
    Cancelled,
    /// A conditional (autofill) request was aborted because another began.
    Aborted,
    /// This authenticator is registered already (`excludeCredentials`).
    AlreadyRegistered,
    /// Anything else the browser reported.
    Failed(String),
}

impl BrowserError {
    /// What the customer reads.
    pub fn message(&self) -> String {
        match self {
            Self::Unsupported => "This browser can't use passkeys.".to_owned(),
            Self::Cancelled | Self::Aborted => {
                "The passkey prompt was closed or timed out. Try again when you're ready."
                    .to_owned()
            }
            Self::AlreadyRegistered => {
                "This device or security key already holds a passkey for your account.".to_owned()
            }
            Self::Failed(m) => format!("Your browser couldn't use the passkey: {m}"),
        }
    }
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::BrowserError;
    use js_sys::{Function, Object, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};

    fn get(target: &JsValue, key: &str) -> Result<JsValue, BrowserError> {
        Reflect::get(target, &JsValue::from_str(key)).map_err(|_| BrowserError::Unsupported)
    }

    fn method(target: &JsValue, key: &str) -> Result<Function, BrowserError> {
        get(target, key)?
            .dyn_into::<Function>()
            .map_err(|_| BrowserError::Unsupported)
    }

    fn public_key_credential() -> Result<JsValue, BrowserError> {
        let pkc = get(&js_sys::global(), "PublicKeyCredential")?;
        if pkc.is_undefined() {
            return Err(BrowserError::Unsupported);
        }
        Ok(pkc)
    }

    /// Whether passkeys can be used here (WebAuthn with the JSON helpers).
    pub fn supported() -> bool {
        public_key_credential()
            .and_then(|pkc| method(&pkc, "parseRequestOptionsFromJSON"))
            .is_ok()
    }

    /// Whether the browser offers passkeys in a field's autofill.
    pub async fn autofill_supported() -> bool {
        let Ok(pkc) = public_key_credential() else {
            return false;
        };
        let Ok(check) = method(&pkc, "isConditionalMediationAvailable") else {
            return false;
        };
        let Ok(promise) = check.call0(&pkc) else {
            return false;
        };
        match wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(_) => false,
        }
    }

    fn error_of(e: JsValue) -> BrowserError {
        let name = get(&e, "name")
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" => BrowserError::Cancelled,
            "AbortError" => BrowserError::Aborted,
            "InvalidStateError" => BrowserError::AlreadyRegistered,
            "NotSupportedError" | "SecurityError" => BrowserError::Unsupported,
            _ => BrowserError::Failed(
                get(&e, "message")
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or(name),
            ),
        }
    }

    async fn ceremony(
        options: &str,
        parse: &str,
        call: &str,
        conditional: Option<&web_sys::AbortSignal>,
    ) -> Result<String, BrowserError> {
        let pkc = public_key_credential()?;
        let parsed =
            JSON::parse(options).map_err(|_| BrowserError::Failed("bad options".into()))?;
        let public_key = get(&parsed, "publicKey")?;
        let public_key = method(&pkc, parse)?
            .call1(&pkc, &public_key)
            .map_err(error_of)?;
        let request = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&request, &JsValue::from_str(k), v);
        set("publicKey", &public_key).map_err(error_of)?;
        if let Some(signal) = conditional {
            set("mediation", &JsValue::from_str("conditional")).map_err(error_of)?;
            set("signal", signal).map_err(error_of)?;
        }
        let credentials = get(&get(&js_sys::global(), "navigator")?, "credentials")?;
        let promise = method(&credentials, call)?
            .call1(&credentials, &request)
            .map_err(error_of)?;
        let credential = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
            .await
            .map_err(error_of)?;
        if credential.is_null() || credential.is_undefined() {
            return Err(BrowserError::Cancelled);
        }
        let json = method(&credential, "toJSON")?
            .call0(&credential)
            .map_err(error_of)?;
        JSON::stringify(&json).map(String::from).map_err(error_of)
    }

    /// `navigator.credentials.create` for the server's creation options.
    pub async fn create(options: &str) -> Result<String, BrowserError> {
        ceremony(options, "parseCreationOptionsFromJSON", "create", None).await
    }

    /// `navigator.credentials.get` for the server's request options: a modal prompt, or
    /// with `autofill` the passkeys offered in the Username field until `autofill` aborts.
    pub async fn get_credential(
        options: &str,
        autofill: Option<&web_sys::AbortSignal>,
    ) -> Result<String, BrowserError> {
        ceremony(options, "parseRequestOptionsFromJSON", "get", autofill).await
    }
}

#[cfg(feature = "hydrate")]
pub use imp::*;
