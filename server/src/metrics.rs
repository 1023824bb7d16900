//! `/metrics` in the Prometheus text format, on a listen address of its own
//! (`GATEHOUSE_METRICS_ADDR`, off by default), never on the public one. The counters are
//! recorded where things happen (`app::server::platform::metrics`, and HTTP requests in
//! [`track`]); the gauges (connection pool, hashing queue) are read at each scrape.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use app::server::AppState;

/// HTTP requests by method, route and status class.
pub const HTTP_REQUESTS: &str = "gatehouse_http_requests_total";
/// HTTP request latency by method and route.
pub const HTTP_DURATION: &str = "gatehouse_http_request_duration_seconds";

/// Installs this process's recorder, once, and returns its handle.
pub fn install() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
                .and_then(|b| b.install_recorder())
                .expect("the metrics recorder is installed once, before any other")
        })
        .clone()
}

/// The metrics listener's router: `GET /metrics`.
pub fn router(handle: PrometheusHandle, state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move |State(state): State<AppState>| {
                let handle = handle.clone();
                async move {
                    gauges(&state);
                    (
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        handle.render(),
                    )
                        .into_response()
                }
            }),
        )
        .with_state(state)
}

/// The figures read at scrape time.
fn gauges(state: &AppState) {
    let size = state.pool.size() as f64;
    let idle = state.pool.num_idle() as f64;
    metrics::gauge!("gatehouse_db_pool_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("gatehouse_db_pool_connections", "state" => "idle").set(idle);
    let pending = state.hasher.pending() as f64;
    let busy = state.hasher.busy() as f64;
    metrics::gauge!("gatehouse_password_hash_queue", "state" => "running").set(busy);
    metrics::gauge!("gatehouse_password_hash_queue", "state" => "waiting").set(pending - busy);
    metrics::gauge!("gatehouse_instance_draining").set(if state.lifecycle.is_draining() {
        1.0
    } else {
        0.0
    });
}

/// Counts and times every request by its route (the matched pattern, never the path:
/// a path can hold anything a client sends). Server functions are told apart by name
/// when they answered; anything else under `/api/` is one label.
pub async fn track(request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status();
    let route = match matched.as_deref() {
        Some(m) if m.starts_with("/api/") && !status.is_client_error() => path,
        Some(m) if m.starts_with("/api/") => "/api/other".to_owned(),
        Some(m) => m.to_owned(),
        None if path.starts_with("/pkg/") => "/pkg".to_owned(),
        None => "other".to_owned(),
    };
    let class = format!("{}xx", status.as_u16() / 100);
    metrics::counter!(HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => class)
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
