//! The support console (issue #17): invisible to customers, reachable by staff signed in
//! with an app or a passkey, each action with a reason in sudo mode, audited in an
//! append-only table, emailed to the customer and shown in their Login History; the
//! two-factor reset waits, can be cancelled three ways, and then removes every factor.

use crate::helpers::{spawn_app, spawn_app_with, Browser, TestApp};
use app::api::signin::LoginStep;
use app::error::AppError;
use app::server::crypto::totp;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";
const REASON: &str = "Customer called from the number on file, lost phone, ticket 4711";

/// A staff member with an authenticator app, signed in with it.
async fn staff(app: &TestApp, name: &str) -> (i64, Browser) {
    let id = app.add_user(name, PASSWORD).await;
    sqlx::query("UPDATE users SET role = 'support' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let c = app.signed_in(name, PASSWORD).await;
    let setup = c.setup_authenticator().await.ok();
    let secret = totp::secret_from_text(&setup.secret_text).unwrap();
    let now = totp::step_at(app.clock().now());
    c.confirm_authenticator(&totp::code_for_step(&secret, now).unwrap())
        .await
        .ok();
    let b = app.browser();
    assert!(matches!(
        b.login(name, PASSWORD).await.ok(),
        LoginStep::CodeSent(_)
    ));
    b.verify(&totp::code_for_step(&secret, now + 1).unwrap())
        .await
        .ok();
    (id, b)
}

async fn emails(app: &TestApp, to: &str) -> Vec<(String, String)> {
    app.emails_to(to).await
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM support_audit WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn find(b: &Browser, query: &str) -> Vec<app::api::support::CustomerHit> {
    b.call("support-find", &[("query", query)]).await.ok()
}

fn act<'a>(id: i64, reason: &'a str, buf: &'a mut String) -> [(&'a str, &'a str); 2] {
    *buf = id.to_string();
    [("id", buf.as_str()), ("reason", reason)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_and_visitors_get_not_found_from_every_support_page_and_function() {
    let app = spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let customer = app.signed_in("alice", PASSWORD).await;
    let visitor = app.browser();
    let id = id.to_string();
    let calls: [(&str, Vec<(&str, &str)>); 7] = [
        ("support", vec![]),
        ("support-find", vec![("query", "alice")]),
        ("support-customer", vec![("id", &id)]),
        ("support-unlock", vec![("id", &id), ("reason", REASON)]),
        ("support-reset-link", vec![("id", &id), ("reason", REASON)]),
        (
            "support-reset-two-factor",
            vec![("id", &id), ("reason", REASON)],
        ),
        ("support-actions", vec![]),
    ];
    for b in [&customer, &visitor] {
        for (endpoint, form) in &calls {
            let reply = b.call::<serde_json::Value>(endpoint, form).await;
            assert_eq!(
                reply.failure(),
                (404, Some(AppError::NotFound)),
                "{endpoint}"
            );
        }
        for path in [
            "/support",
            &format!("/support/customer/{id}"),
            "/support/actions",
        ] {
            let page = b.page(path).await;
            assert_eq!(page.status(), 404, "{path}");
            assert!(
                page.text().await.unwrap().contains("Page not found"),
                "{path}"
            );
        }
    }
    assert_eq!(audit_count(&app, "search").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_signed_in_by_text_or_without_an_app_or_passkey_are_refused() {
    let app = spawn_app().await;
    let id = app.add_user_2fa("sms-staff", PASSWORD, PHONE).await;
    sqlx::query("UPDATE users SET role = 'support' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let b = app.signed_in_2fa("sms-staff", PASSWORD, PHONE).await;
    let (status, err) = b.call::<serde_json::Value>("support", &[]).await.failure();
    assert_eq!(status, 403);
    let message = err.unwrap().to_string();
    assert!(
        message.contains("Set one up under Account › Security"),
        "{message}"
    );
    let (status, _) = b
        .call::<serde_json::Value>("support-find", &[("query", "alice")])
        .await
        .failure();
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_exact_names_addresses_and_numbers_and_nothing_partial() {
    let mut settings = app::server::Settings::dev();
    settings.support_searches_per_hour = 10;
    let app = spawn_app_with(settings).await;
    let alice = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let (_, sam) = staff(&app, "sam").await;
    for exact in [
        "alice",
        "ALICE ",
        "alice@example.com",
        "Alice@Example.com",
        PHONE,
    ] {
        let hits = find(&sam, exact).await;
        assert_eq!(hits.len(), 1, "{exact}");
        assert_eq!((hits[0].id, hits[0].username.as_str()), (alice, "alice"));
    }
    for partial in ["ali", "alice@", "example.com", "+4474001"] {
        assert!(find(&sam, partial).await.is_empty(), "{partial}");
    }
    // Staff are not customers.
    assert!(find(&sam, "sam").await.is_empty());
    let (status, err) = sam
        .call::<serde_json::Value>("support-find", &[("query", "alice")])
        .await
        .failure();
    assert_eq!(status, 422, "the eleventh search in the hour");
    assert!(err.unwrap().to_string().contains("many searches"));
    assert_eq!(audit_count(&app, "search").await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_action_needs_a_reason_and_sudo_mode_and_leaves_one_audit_row_one_email_and_a_history_row(
) {
    let app = spawn_app().await;
    let alice = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let (_, sam) = staff(&app, "sam").await;
    let mut buf = String::new();

    // Lock alice's name with five wrong passwords.
    for _ in 0..5 {
        app.browser().login("alice", "wrong wrong wrong").await;
    }
    assert_eq!(find(&sam, "alice").await.len(), 1);
    let file: app::api::support::CustomerFile = sam
        .call("support-customer", &[("id", &alice.to_string())])
        .await
        .ok();
    assert!(file.locked_until.is_some() && file.two_factor && !file.app);
    assert_eq!(file.phone_masked.as_deref(), Some("•••• 3456"));
    assert!(file.history.len() >= 5);
    let body = serde_json::to_string(&file).unwrap();
    assert!(
        !body.contains(PHONE) && !body.contains("$argon2"),
        "no number, no hash"
    );

    for endpoint in [
        "support-unlock",
        "support-reset-link",
        "support-reset-two-factor",
    ] {
        let (status, err) = sam
            .call::<serde_json::Value>(endpoint, &act(alice, "  ", &mut buf))
            .await
            .failure();
        assert_eq!(status, 422, "{endpoint} without a reason");
        assert!(err.unwrap().for_field("reason").is_some());
    }
    app.clock().advance(Duration::minutes(11));
    for endpoint in [
        "support-unlock",
        "support-reset-link",
        "support-reset-two-factor",
    ] {
        let reply = sam
            .call::<serde_json::Value>(endpoint, &act(alice, REASON, &mut buf))
            .await;
        assert_eq!(
            reply.failure(),
            (403, Some(AppError::SudoRequired)),
            "{endpoint}"
        );
    }
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM support_audit WHERE action NOT IN ('view', 'search')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 0, "refused requests changed nothing");
    sam.confirm_password(PASSWORD).await.ok();

    // (The minute's lock ran out meanwhile: one more wrong password locks the name again.)
    app.browser().login("alice", "wrong wrong wrong").await;
    let before = emails(&app, "alice@example.com").await.len();
    sam.call::<()>("support-unlock", &act(alice, REASON, &mut buf))
        .await
        .ok();
    assert_eq!(audit_count(&app, "unlock").await, 1);
    let mail = app.wait_for_emails("alice@example.com", before + 1).await;
    assert!(
        mail[0].0.ends_with("Support unlocked your account"),
        "{:?}",
        mail[0]
    );
    app.browser().login("alice", PASSWORD).await.ok();

    let sent: bool = sam
        .call("support-reset-link", &act(alice, REASON, &mut buf))
        .await
        .ok();
    assert!(sent);
    assert_eq!(audit_count(&app, "reset_link").await, 1);
    let mail = app.wait_for_emails("alice@example.com", before + 3).await;
    let subjects: Vec<_> = mail.iter().map(|m| m.0.as_str()).collect();
    assert!(subjects
        .iter()
        .any(|s| s.ends_with("Support sent you a password reset link")));
    assert!(
        mail.iter().any(|m| m.1.contains("/reset-password?token=")),
        "the customer's own link"
    );

    let row: (String, String, String) = sqlx::query_as(
        "SELECT staff_username, reason, result FROM support_audit WHERE action = 'unlock'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(row, ("sam".into(), REASON.into(), "unlocked".into()));

    let history: Vec<String> = app
        .history_of(alice)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert!(history.contains(&"support_unlocked".to_owned()));
    assert!(history.contains(&"support_reset_link".to_owned()));
    let customer = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    let page = customer.history(1).await.ok();
    assert!(page
        .attempts
        .iter()
        .any(|a| a.outcome == "Support unlocked your account"));
}

/// What the console's first page lists: the customers this staff member's searches found
/// in the last four hours (the ones they may open), the latest first; nobody else's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_lists_the_customers_a_staff_member_found_in_the_last_four_hours() {
    let app = spawn_app().await;
    let (_, sam) = staff(&app, "sam").await;
    let (_, kim) = staff(&app, "kim").await;
    app.add_user("alice", PASSWORD).await;
    app.add_user("bob", PASSWORD).await;
    let listed = |b: Browser| async move {
        let view: app::api::support::StaffView = b.call("support", &[]).await.ok();
        view.found
            .into_iter()
            .map(|h| h.username)
            .collect::<Vec<_>>()
    };
    assert!(listed(sam.clone()).await.is_empty());
    assert_eq!(find(&sam, "alice").await.len(), 1);
    app.clock().advance(Duration::minutes(1));
    assert_eq!(find(&sam, "bob@example.com").await.len(), 1);
    assert!(find(&sam, "nobody").await.is_empty());
    assert_eq!(listed(sam.clone()).await, ["bob", "alice"]);
    assert!(
        listed(kim).await.is_empty(),
        "another staff member's finds are theirs"
    );
    let page = sam.page("/support").await.text().await.unwrap();
    assert!(page.contains(r#"data-testid="customers""#) && page.contains("/support/customer/"));

    // Four hours less half a minute after bob's find (the session kept alive meanwhile):
    // alice's is over four hours old.
    for _ in 0..9 {
        app.clock().advance(Duration::minutes(25));
        listed(sam.clone()).await;
    }
    app.clock().advance(Duration::seconds(14 * 60 + 30));
    assert_eq!(listed(sam.clone()).await, ["bob"]);
}

/// Opening a customer's page is audited once a view: the page loads the customer once
/// (a page that loaded its data twice would write two "view" rows for one look).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_page_is_one_audited_view_a_visit() {
    let app = spawn_app().await;
    let (_, sam) = staff(&app, "sam").await;
    let alice = app.add_user("alice", PASSWORD).await;
    assert_eq!(find(&sam, "alice").await.len(), 1);
    for visits in 1..=3 {
        let page = sam.page(&format!("/support/customer/{alice}")).await;
        assert_eq!(page.status(), 200);
        assert!(page
            .text()
            .await
            .unwrap()
            .contains(r#"data-testid="customer-username">alice<"#));
        assert_eq!(audit_count(&app, "view").await, visits);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_opens_only_after_this_staff_member_found_them_so_ids_list_nobody() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", PASSWORD).await;
    let bob = app.add_user("bob", PASSWORD).await;
    let (_, sam) = staff(&app, "sam").await;
    let (_, pat) = staff(&app, "pat").await;
    let open = |b: &Browser, id: i64| {
        let b = b.clone();
        async move {
            b.call::<serde_json::Value>("support-customer", &[("id", &id.to_string())])
                .await
                .failure()
                .0
        }
    };
    let mut buf = String::new();
    for id in [alice, bob, alice + 100] {
        assert_eq!(open(&sam, id).await, 404, "walking ids finds nobody");
    }
    let reply = sam
        .call::<serde_json::Value>("support-unlock", &act(alice, REASON, &mut buf))
        .await;
    assert_eq!(reply.failure().0, 404);
    find(&sam, "alice").await;
    assert_eq!(
        sam.call::<serde_json::Value>("support-customer", &[("id", &alice.to_string())])
            .await
            .status,
        200
    );
    assert_eq!(open(&sam, bob).await, 404, "only whom the search found");
    assert_eq!(open(&pat, alice).await, 404, "only for whoever searched");
    app.clock()
        .advance(Duration::hours(4) + Duration::seconds(1));
    assert_eq!(open(&sam, alice).await, 404, "for four hours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_cannot_act_on_another_staff_account() {
    let app = spawn_app().await;
    let (other, _) = staff(&app, "pat").await;
    let (_, sam) = staff(&app, "sam").await;
    let mut buf = String::new();
    for endpoint in [
        "support-unlock",
        "support-reset-link",
        "support-reset-two-factor",
    ] {
        let reply = sam
            .call::<serde_json::Value>(endpoint, &act(other, REASON, &mut buf))
            .await;
        assert_eq!(
            reply.failure(),
            (404, Some(AppError::NotFound)),
            "{endpoint}"
        );
    }
    let reply = sam
        .call::<serde_json::Value>("support-customer", &[("id", &other.to_string())])
        .await;
    assert_eq!(reply.failure().0, 404);
}

/// Alice with a phone, an app-less account, a recovery token, a trusted device and a
/// passkey-free second browser; sam starts the reset. Returns the cancel link's token.
async fn reset_started(app: &TestApp, sam: &Browser, alice: i64) -> String {
    let mut buf = String::new();
    let before = emails(app, "alice@example.com").await.len();
    let at: String = sam
        .call("support-reset-two-factor", &act(alice, REASON, &mut buf))
        .await
        .ok();
    assert!(!at.is_empty());
    let mail = app.wait_for_emails("alice@example.com", before + 1).await;
    let body = &mail[0].1;
    let start =
        body.find("/cancel-reset?token=").expect("cancel link") + "/cancel-reset?token=".len();
    body[start..start + 64].to_owned()
}

async fn factors(app: &TestApp, id: i64) -> (bool, bool, i64, i64, i64) {
    sqlx::query_as(
        "SELECT phone_e164 IS NOT NULL, two_factor_enabled,
                (SELECT count(*) FROM recovery_tokens WHERE user_id = $1),
                (SELECT count(*) FROM trusted_devices WHERE user_id = $1),
                (SELECT count(*) FROM sessions WHERE user_id = $1)
         FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_factor_reset_waits_then_removes_every_factor_at_once() {
    let app = spawn_app().await;
    let alice = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let customer = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    customer.create_recovery_token().await.ok();
    let (_, sam) = staff(&app, "sam").await;
    find(&sam, "alice").await;
    reset_started(&app, &sam, alice).await;
    // A second reset while one waits is refused.
    let mut buf = String::new();
    let (status, _) = sam
        .call::<serde_json::Value>("support-reset-two-factor", &act(alice, REASON, &mut buf))
        .await
        .failure();
    assert_eq!(status, 422);

    let file: app::api::support::CustomerFile = sam
        .call("support-customer", &[("id", &alice.to_string())])
        .await
        .ok();
    assert!(file.waiting_reset.is_some());
    let row = customer
        .history(1)
        .await
        .ok()
        .attempts
        .into_iter()
        .find(|a| {
            a.outcome
                .starts_with("Support started a two-factor reset: takes effect at")
        })
        .expect("shown to the customer");
    assert_eq!(row.factor, "Support");

    // Nothing before the delay.
    app.clock().advance(Duration::hours(23));
    let state = &app.state;
    assert_eq!(
        app::server::support::resets::apply_due(state, app.clock().now())
            .await
            .unwrap(),
        0
    );
    let before = factors(&app, alice).await;
    assert!(
        before.0 && before.1 && before.2 == 1 && before.4 >= 1,
        "{before:?}"
    );

    app.clock()
        .advance(Duration::hours(1) + Duration::seconds(1));
    assert_eq!(
        app::server::support::resets::apply_due(state, app.clock().now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(factors(&app, alice).await, (false, false, 0, 0, 0));
    assert_eq!(
        customer.account().await.failure().0,
        401,
        "every session ended"
    );
    assert_eq!(
        app::server::support::resets::apply_due(state, app.clock().now())
            .await
            .unwrap(),
        0,
        "once"
    );

    // The next sign-in is the password alone, and must set up a factor before anything else.
    let b = app.browser();
    assert_eq!(b.login("alice", PASSWORD).await.ok(), LoginStep::SignedIn);
    assert_eq!(
        b.history(1).await.failure(),
        (403, Some(AppError::TwoFactorRequired))
    );
    b.update_two_factor("+447400999888", true).await.ok();
    let code = app.latest_code("+447400999888").await;
    b.confirm_phone(&code).await.ok();
    assert_eq!(
        b.history(1).await.status,
        200,
        "a factor again: the rest opens"
    );
    assert!(app
        .history_of(alice)
        .await
        .iter()
        .any(|r| r.0 == "support_reset_done"));
    assert_eq!(audit_count(&app, "two_factor_reset_applied").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reset_is_cancelled_by_the_email_link_by_a_sign_in_with_a_factor_and_by_this_wasnt_me()
{
    let app = spawn_app().await;
    let alice = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let (_, sam) = staff(&app, "sam").await;
    find(&sam, "alice").await;
    let open = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM support_resets WHERE cancelled_at IS NULL AND applied_at IS NULL",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };

    // 1. The email's link (a page with a button; the server function does it).
    let token = reset_started(&app, &sam, alice).await;
    let visitor = app.browser();
    let page = visitor.page(&format!("/cancel-reset?token={token}")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(open(&app).await, 1, "opening the link changes nothing");
    visitor
        .call::<()>("cancel-reset", &[("token", &token)])
        .await
        .ok();
    assert_eq!(open(&app).await, 0);
    let (status, _) = visitor
        .call::<()>("cancel-reset", &[("token", &token)])
        .await
        .failure();
    assert_eq!(status, 422, "used");

    // 2. A sign-in with the texted code (the password alone would not do).
    reset_started(&app, &sam, alice).await;
    app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    assert_eq!(open(&app).await, 0);

    // 3. "This wasn't me".
    reset_started(&app, &sam, alice).await;
    let customer = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    assert_eq!(open(&app).await, 0, "(that sign-in cancelled it already)");
    reset_started(&app, &sam, alice).await;
    customer.this_wasnt_me().await.ok();
    assert_eq!(open(&app).await, 0);

    let cancels: Vec<String> =
        sqlx::query_scalar("SELECT cancelled_by FROM support_resets ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        cancels,
        ["email_link", "sign_in", "sign_in", "this_wasnt_me"]
    );
    app.clock().advance(Duration::hours(25));
    assert_eq!(
        app::server::support::resets::apply_due(&app.state, app.clock().now())
            .await
            .unwrap(),
        0
    );
    assert!(factors(&app, alice).await.0, "the phone stays");
    let cancelled_rows = app
        .history_of(alice)
        .await
        .iter()
        .filter(|r| r.0 == "support_reset_cancelled")
        .count();
    assert_eq!(cancelled_rows, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_cannot_be_changed_or_deleted_even_with_sql() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let (_, sam) = staff(&app, "sam").await;
    find(&sam, "alice").await;
    for statement in [
        "UPDATE support_audit SET reason = 'nothing to see'",
        "DELETE FROM support_audit",
        "TRUNCATE support_audit",
    ] {
        let e = sqlx::query(statement).execute(&app.pool).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{statement}: {e}");
    }
    assert_eq!(audit_count(&app, "search").await, 1);
    // And the staff member's own actions read back.
    let mine: Vec<app::api::support::AuditView> = sam.call("support-actions", &[]).await.ok();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].action.as_str(), mine[0].reason.as_str()),
        ("search", "alice")
    );
}
