//! The HTTP router: Leptos pages and server functions, health, and the dev outbox.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use app::server::db::outbox::{self, Listed};
use app::server::AppState;
use app::{shell, App};

use crate::middleware;

/// The app's routes, generated once per process. Generating them renders the app once
/// with resource loading suppressed by a process-wide flag, and a resource that first
/// polls during that window never loads (leptos-rs/leptos#4773): a router built while
/// another in the same process serves pages (the integration tests start one app per
/// test, in parallel) could hang one of its page renders for good.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole application router around `state`.
pub fn build(state: AppState) -> Router {
    let routes = routes();
    let context_state = state.clone();
    let pkg = format!("/{}", state.leptos_options.site_pkg_dir);
    Router::new()
        .nest_service(&pkg, client_assets(&state.leptos_options))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/dev/outbox", get(dev_outbox_page))
        .route("/dev/outbox.json", get(dev_outbox_json))
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || provide_context(context_state.clone()), shell
        ))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        // Server-function forms are small; anything larger is refused before parsing.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        .layer(axum::middleware::from_fn(middleware::session_memo))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        // The request id goes back in the answer's X-Request-Id.
        .layer(PropagateRequestIdLayer::x_request_id())
        // Spans name the path only (a query string can hold a reset token), and the
        // request id, so every line a request logs carries it.
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
            }),
        )
        // A request id for each request (kept if a proxy in front already set one).
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The client's wasm, JS and CSS under `/pkg`. A release build made with
/// `LEPTOS_HASH_FILES=true cargo leptos build --release --precompress` names each file by
/// its content and ships `.br` and `.gz` copies beside it: those are served as they are
/// to browsers that accept them, and cached for a year (`immutable`), since a new build
/// has new names. Unhashed files (`cargo leptos watch`) are revalidated on every load.
fn client_assets(options: &leptos::config::LeptosOptions) -> Router {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(axum::middleware::map_response(
            move |mut response: Response| async move {
                // A missing file must not be remembered for a year.
                if response.status().is_success() {
                    response.headers_mut().insert(
                        header::CACHE_CONTROL,
                        header::HeaderValue::from_static(cache),
                    );
                }
                response
            },
        ))
}

/// Whether a load balancer should send this instance requests: 503 while it drains
/// before stopping, or while the database does not answer; 200 otherwise. (Migrations
/// run before the port opens, so a migrating instance is not reachable at all.)
/// What the port answers while the instance starts (migrations run): alive, not ready.
pub fn starting() -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { probe(StatusCode::OK, "starting\n") }),
        )
        .fallback(|| async {
            probe(
                StatusCode::SERVICE_UNAVAILABLE,
                "starting: migrating the database\n",
            )
        })
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.lifecycle.is_draining() {
        return probe(StatusCode::SERVICE_UNAVAILABLE, "draining\n");
    }
    database_probe(&state, "ready\n", "readiness").await
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    database_probe(&state, "ok\n", "health check").await
}

/// `ok` with 200 when the database answers a `SELECT 1`, else 503 (logged as `what`).
async fn database_probe(state: &AppState, ok: &'static str, what: &'static str) -> Response {
    match sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(&state.pool)
        .await
    {
        Ok(_) => probe(StatusCode::OK, ok),
        Err(e) => {
            tracing::warn!(error = %e, "{what}: database unavailable");
            probe(StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

fn probe(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

const OUTBOX_LIMIT: i64 = 200;

async fn outbox_messages(state: &AppState) -> Result<Vec<Listed>, Response> {
    if !state.settings.is_dev() {
        return Err(StatusCode::NOT_FOUND.into_response());
    }
    outbox::newest(&state.pool, OUTBOX_LIMIT)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading the outbox");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        })
}

/// `/dev/outbox.json`: the newest messages, newest first, with their state (`queued`,
/// `sent`, `failed`) and, once sent, the text the development provider received (dev only).
async fn dev_outbox_json(State(state): State<AppState>) -> Response {
    match outbox_messages(&state).await {
        Ok(messages) => ([(header::CACHE_CONTROL, "no-store")], Json(messages)).into_response(),
        Err(response) => response,
    }
}

/// `/dev/outbox`: the same as a page that refreshes itself, for a designer to keep open.
async fn dev_outbox_page(State(state): State<AppState>) -> Response {
    let messages = match outbox_messages(&state).await {
        Ok(messages) => messages,
        Err(response) => return response,
    };
    let stylesheet = format!(
        "/{}/{}.css",
        state.leptos_options.site_pkg_dir, state.leptos_options.output_name
    );
    let mut rows = String::new();
    for m in &messages {
        let sent = m
            .sent_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let state_cell = match (m.state.as_str(), &m.last_error) {
            ("sent", _) => "sent".to_owned(),
            (state, Some(error)) => format!(
                "{} after {} {}: {}",
                escape(state),
                m.attempts,
                if m.attempts == 1 { "try" } else { "tries" },
                escape(error)
            ),
            (state, None) => escape(state),
        };
        rows.push_str(&format!(
            "<tr><td><time datetime=\"{sent}\">{sent}</time></td><td><span class=\"badge\">{}</span></td><td>{state_cell}</td><td>{}</td><td class=\"message-body\">{}</td></tr>",
            escape(&m.channel),
            escape(&m.to),
            match &m.subject {
                Some(subject) => format!("<strong>{}</strong>\n\n{}", escape(subject), escape(&m.body)),
                None => escape(&m.body),
            },
        ));
    }
    if messages.is_empty() {
        rows.push_str("<tr><td colspan=\"5\" class=\"muted\">No messages yet. Codes and emails Gatehouse sends in development appear here.</td></tr>");
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"3\"><title>Outbox · Gatehouse (dev)</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body><main class=\"outbox\"><h1>Development outbox</h1><p class=\"muted\">Messages Gatehouse sent (to this page instead of phones and inboxes), is sending or gave up on, newest first. \
         This page refreshes every 3 seconds; <a href=\"/dev/outbox.json\">JSON</a>.</p>\
         <div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Sent</th><th scope=\"col\">Channel</th><th scope=\"col\">State</th><th scope=\"col\">To</th><th scope=\"col\">Message</th></tr></thead>\
         <tbody>{rows}</tbody></table></div></main></body></html>"
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            super::escape("<b a=\"1\">'&'</b>"),
            "&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
    }
}
