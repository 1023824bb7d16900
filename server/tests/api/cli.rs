//! The `server` binary's subcommands, run as an operator would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::TestDb;

fn server(db: &TestDb, args: &[&str], password: Option<&str>, stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .env_remove("GATEHOUSE_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = password {
        cmd.env("GATEHOUSE_PASSWORD", p);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn user_count(db: &TestDb) -> i64 {
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let n = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

const GOOD: &str = "a perfectly fine passphrase";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_creates_the_database_and_is_repeatable() {
    let db = TestDb::create().await;
    // Point at a database that does not exist yet: `migrate` creates it.
    let fresh = TestDb {
        name: format!("{}_new", db.name),
        url: format!("{}_new", db.url),
    };
    for _ in 0..2 {
        let out = server(&fresh, &["migrate"], None, None);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(user_count(&fresh).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_creates_an_account_with_an_argon2id_hash() {
    let db = TestDb::create().await;
    let out = server(
        &db,
        &[
            "user",
            "add",
            "Alice",
            "--email",
            "alice@example.com",
            "--phone",
            "+44 7400 123456",
            "--two-factor",
        ],
        Some(GOOD),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created account 'alice'"));

    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let (name, phone, tfa, hash): (String, Option<String>, bool, String) =
        sqlx::query_as("SELECT username, phone_e164, two_factor_enabled, password_hash FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(name, "alice");
    assert_eq!(phone.as_deref(), Some("+447400123456"));
    assert!(tfa);
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$") && !hash.contains(GOOD));
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_reads_the_password_from_stdin_when_the_variable_is_unset() {
    let db = TestDb::create().await;
    let out = server(
        &db,
        &["user", "add", "bob", "--email", "bob@example.com"],
        None,
        Some(&format!("{GOOD}\n")),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(user_count(&db).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_refuses_bad_input_with_one_clear_line_and_writes_nothing() {
    let db = TestDb::create().await;
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (
            &["user", "add", "no spaces", "--email", "a@example.com"],
            Some(GOOD),
            "invalid username",
        ),
        (
            &["user", "add", "carol", "--email", "not-an-email"],
            Some(GOOD),
            "invalid email",
        ),
        (
            &[
                "user",
                "add",
                "carol",
                "--email",
                "c@example.com",
                "--phone",
                "12345",
            ],
            Some(GOOD),
            "invalid phone",
        ),
        (
            &[
                "user",
                "add",
                "carol",
                "--email",
                "c@example.com",
                "--phone",
                "+44 20 7946 0000",
            ],
            Some(GOOD),
            "not a landline",
        ),
        (
            &[
                "user",
                "add",
                "carol",
                "--email",
                "c@example.com",
                "--two-factor",
            ],
            Some(GOOD),
            "--two-factor needs a --phone",
        ),
        (
            &["user", "add", "carol", "--email", "c@example.com"],
            Some("short"),
            "at least 12 characters",
        ),
        (
            &["user", "add", "carol", "--email", "c@example.com"],
            None,
            "no password given",
        ),
    ];
    for (args, password, expected) in cases {
        let out = server(&db, args, *password, None);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    assert_eq!(user_count(&db).await, 0, "nothing half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_refuses_a_duplicate_username_in_any_case() {
    let db = TestDb::create().await;
    assert!(server(
        &db,
        &["user", "add", "dave", "--email", "d@example.com"],
        Some(GOOD),
        None
    )
    .status
    .success());
    let out = server(
        &db,
        &["user", "add", "DAVE", "--email", "other@example.com"],
        Some(GOOD),
        None,
    );
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out).trim_end(),
        "error: the username 'dave' is already taken"
    );
    assert_eq!(user_count(&db).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_reported_clearly() {
    let db = TestDb {
        name: "unused".into(),
        url: "postgres://postgres@127.0.0.1:1/gatehouse".into(),
    };
    let out = server(&db, &["migrate"], None, None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot reach PostgreSQL"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_twilio_configuration_is_refused_at_start_up() {
    let db = TestDb::create().await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    let out = cmd
        .args(["user", "add", "erin", "--email", "e@example.com"])
        .env("DATABASE_URL", &db.url)
        .env("GATEHOUSE_PASSWORD", GOOD)
        .env("GATEHOUSE_SMS_PROVIDER", "twilio")
        .env_remove("TWILIO_ACCOUNT_SID")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out).trim_end(),
        "error: GATEHOUSE_SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_argon2_settings_and_a_malformed_secret_key_are_refused_at_start_up() {
    let db = TestDb::create().await;
    for (var, value, message) in [
        (
            "GATEHOUSE_ARGON2_MEMORY_KIB",
            "4096",
            "error: Argon2id below OWASP's minimum (m=19456 KiB, t=2, p=1) is refused outside dev",
        ),
        (
            "GATEHOUSE_SECRET_KEY",
            "not-hex",
            "error: GATEHOUSE_SECRET_KEY must be 64 hex digits (32 random bytes)",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["user", "add", "erin", "--email", "e@example.com"])
            .env("DATABASE_URL", &db.url)
            .env("GATEHOUSE_PASSWORD", GOOD)
            .env(var, value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}");
        assert_eq!(stderr(&out).trim_end(), message, "{var}");
        assert!(!stderr(&out).contains(value) || var != "GATEHOUSE_SECRET_KEY");
    }
    assert_eq!(user_count(&db).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_set_only_by_the_command_line_and_the_audit_log_exports_as_json_lines() {
    let db = TestDb::create().await;
    let add = |name: &str, role: &str| {
        let email = format!("{name}@example.com");
        let out = server(
            &db,
            &["user", "add", name, "--email", &email, "--role", role],
            Some(GOOD),
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    };
    add("sam", "support");
    add("alice", "customer");
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let roles: Vec<(String, String)> =
        sqlx::query_as("SELECT username, role FROM users ORDER BY username")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        roles,
        [
            ("alice".into(), "customer".into()),
            ("sam".into(), "support".into())
        ]
    );

    let out = server(&db, &["user", "role", "alice", "support"], None, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = server(&db, &["user", "role", "sam", "customer"], None, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = server(&db, &["user", "role", "nobody", "support"], None, None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no account is called 'nobody'"),
        "{}",
        stderr(&out)
    );

    sqlx::query(
        "INSERT INTO support_audit (at, staff_id, staff_username, customer_id, customer_username,
                                    action, reason, ip, result)
         VALUES ('2026-11-01T10:00:00Z', 1, 'sam', 2, 'alice', 'unlock', 'old', '192.0.2.1', 'unlocked'),
                ('2026-11-29T10:00:00Z', 1, 'sam', 2, 'alice', 'unlock', 'new', '192.0.2.1', 'unlocked')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let out = server(
        &db,
        &["audit", "export", "--since", "2026-11-15"],
        None,
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["reason"], "new");
    assert_eq!(lines[0]["at"], "2026-11-29T10:00:00Z");
    assert_eq!(lines[0]["staff_username"], "sam");
    let out = server(
        &db,
        &["audit", "export", "--since", "last week"],
        None,
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_port_is_alive_but_not_ready_while_migrations_run() {
    use crate::helpers::process::Instance;
    let db = TestDb::create().await;
    let pool = gatehouse_server::database::connect(&db.url, 2)
        .await
        .unwrap();
    gatehouse_server::database::migrate(&pool).await.unwrap();
    // Holding the migrations table makes the instance's migration wait on it.
    let mut held = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *held)
        .await
        .unwrap();
    let instance = Instance::start(&db, &[]).await;
    assert_eq!(instance.get("/healthz").await, (200, "starting\n".into()));
    let (status, body) = instance.get("/readyz").await;
    assert_eq!(
        (status, body.as_str()),
        (503, "starting: migrating the database\n")
    );
    assert_eq!(instance.get("/login").await.0, 503);

    held.commit().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while instance.get("/readyz").await != (200, "ready\n".into()) {
        assert!(std::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(instance.get("/login").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_a_line_with_the_request_id() {
    use crate::helpers::process::Instance;
    let db = TestDb::create().await;
    let env = [
        ("GATEHOUSE_LOG_FORMAT", "json"),
        ("RUST_LOG", "info,tower_http=debug"),
    ];
    let instance = Instance::start(&db, &env).await.ready().await;
    let res = reqwest::Client::new()
        .get(format!("{}/readyz", instance.base))
        .header("x-request-id", "req-from-nginx-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "req-from-nginx-42");
    let logs = instance.logs();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(lines
        .iter()
        .any(|l| l["fields"]["message"] == "Gatehouse listening"));
    let request = lines
        .iter()
        .find(|l| l["span"]["request_id"] == "req-from-nginx-42")
        .unwrap_or_else(|| panic!("no line carries the request id:\n{logs}"));
    assert_eq!(request["span"]["path"], "/readyz", "{request}");
}
