//! `/metrics` (issue #18, part 3): after a sign-in the counters have moved.

use crate::helpers::spawn_app;

const PASSWORD: &str = "a perfectly fine passphrase";

/// The value of the series whose line starts with `name{` and holds every label in
/// `labels`, or 0.
fn value(scrape: &str, name: &str, labels: &[&str]) -> f64 {
    scrape
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_counters_move_after_a_sign_in() {
    let handle = gatehouse_server::metrics::install();
    let app = spawn_app().await;
    app.add_user_2fa("alice", PASSWORD, "+447400123456").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/metrics", listener.local_addr().unwrap());
    let router = gatehouse_server::metrics::router(handle, app.state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let scrape = || async {
        crate::helpers::client()
            .get(&url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    let before = scrape().await;
    app.signed_in_2fa("alice", PASSWORD, "+447400123456").await;
    app.browser()
        .login("alice", "not the password at all")
        .await;
    let after = scrape().await;

    let attempts = "gatehouse_signin_attempts_total";
    for labels in [
        ["outcome=\"code_sent\"", "factor=\"password\""],
        ["outcome=\"signed_in\"", "factor=\"sms_code\""],
        ["outcome=\"wrong_password\"", "factor=\"password\""],
    ] {
        let moved = value(&after, attempts, &labels) - value(&before, attempts, &labels);
        assert!(moved >= 1.0, "{labels:?} moved {moved}");
    }
    let texts = ["channel=\"sms\"", "result=\"sent\""];
    assert!(
        value(&after, "gatehouse_messages_total", &texts)
            > value(&before, "gatehouse_messages_total", &texts)
    );
    let logins = ["route=\"/api/login\"", "status=\"2xx\""];
    assert!(
        value(&after, "gatehouse_http_requests_total", &logins) >= 1.0,
        "{after}"
    );
    assert!(after.contains("gatehouse_http_request_duration_seconds_bucket"));
    assert!(after.contains("gatehouse_password_hash_wait_seconds"));
    assert!(after.contains("gatehouse_db_pool_connections{state=\"in_use\"}"));
    assert!(after.contains("gatehouse_password_hash_queue{state=\"waiting\"}"));
    // Nothing a client typed or owns ends up in a label.
    assert!(!after.contains("alice") && !after.contains("447400123456"));
}
