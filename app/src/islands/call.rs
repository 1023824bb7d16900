//! Calling a server function from the browser: the request its plain HTML form makes (a
//! POST of URL-encoded fields to its path), asking for its own JSON answer rather than a
//! redirect. One small, non-generic path for every call, where server_fn's typed client
//! would put a codec per server function into the client (docs/performance.md).
//! The argument and field names are the server functions' own; the end-to-end tests
//! exercise each call.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::UrlSearchParams;

use crate::error::AppError;

/// What a server function answered, when it accepted.
pub(crate) struct Answer {
    /// Where it sends the browser, if it redirected (`leptos_axum::redirect`).
    pub redirect: Option<String>,
    /// Its value, as JSON.
    pub body: String,
}

/// Posts `fields` to the server function at `path`. A refusal comes back as the
/// server's [`AppError`].
pub(crate) async fn send(path: &str, fields: &UrlSearchParams) -> Result<Answer, AppError> {
    let response = gloo_net::http::Request::post(path)
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(JsValue::from(fields))
        .map_err(|_| AppError::Internal)?
        .send()
        .await
        .map_err(|_| AppError::Network)?;
    let headers = response.headers();
    let redirect = headers
        .has("serverfnredirect")
        .then(|| headers.get("location"))
        .flatten();
    let (ok, status) = (response.ok(), response.status());
    let body = response.text().await.map_err(|_| AppError::Network)?;
    if ok {
        return Ok(Answer { redirect, body });
    }
    let read = js_sys::JSON::parse(&body).ok().and_then(|v| refusal(&v));
    Err(read.unwrap_or(if status >= 500 {
        AppError::Unavailable
    } else {
        AppError::BadRequest(format!("HTTP {status}"))
    }))
}

/// The [`AppError`] a refusal's JSON holds, read in serde's shape for it (a unit variant
/// is its name; `{"Name":"text"}`; `{"Name":{"field":…}}`: tested beside `AppError`).
fn refusal(v: &JsValue) -> Option<AppError> {
    if let Some(name) = v.as_string() {
        return AppError::named(&name);
    }
    let object: &js_sys::Object = v.dyn_ref()?;
    let name = js_sys::Object::keys(object).get(0).as_string()?;
    let inner = js_sys::Reflect::get(v, &JsValue::from_str(&name)).ok()?;
    let text = |key: &str| {
        js_sys::Reflect::get(&inner, &JsValue::from_str(key))
            .ok()
            .and_then(|t| t.as_string())
    };
    let number = |key: &str| {
        js_sys::Reflect::get(&inner, &JsValue::from_str(key))
            .ok()
            .and_then(|n| n.as_f64())
            .map(|n| n as u32)
    };
    Some(match name.as_str() {
        "InvalidInput" => AppError::InvalidInput {
            field: text("field")?,
            message: text("message")?,
        },
        "WrongCode" => AppError::WrongCode {
            attempts_left: number("attempts_left")?,
        },
        "ResendTooSoon" => AppError::ResendTooSoon {
            wait_seconds: number("wait_seconds")?,
        },
        "SmsRefused" => AppError::SmsRefused(inner.as_string()?),
        "Forbidden" => AppError::Forbidden(inner.as_string()?),
        "BadRequest" => AppError::BadRequest(inner.as_string()?),
        _ => return None,
    })
}

/// Calls the server function at `path` (its `PATH`) with `args`; its value comes back
/// parsed by the browser (`JSON.parse`), read with [`field`].
pub(crate) async fn call(path: &str, args: &[(&str, &str)]) -> Result<JsValue, AppError> {
    let fields = UrlSearchParams::new().map_err(|_| AppError::Internal)?;
    for (name, value) in args {
        fields.append(name, value);
    }
    let answer = send(path, &fields).await?;
    js_sys::JSON::parse(&answer.body).map_err(|_| AppError::Network)
}

/// The text field `name` of a value [`call`] returned (a server function's struct), or
/// the value itself when `name` is empty (a server function returning a `String`).
pub(crate) fn field(value: &JsValue, name: &str) -> Result<String, AppError> {
    let v = if name.is_empty() {
        value.clone()
    } else {
        js_sys::Reflect::get(value, &JsValue::from_str(name)).map_err(|_| AppError::Network)?
    };
    v.as_string().ok_or(AppError::Network)
}
