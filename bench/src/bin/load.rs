//! A small closed-loop HTTP load generator for Gatehouse: `--concurrency` clients each
//! send the scenario's request as soon as the previous answer arrives, for `--seconds`.
//! Prints requests per second and latency percentiles. Server functions are posted the
//! way the hydrated page posts them (form-encoded, `Accept: application/json`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
enum Scenario {
    /// GET /login, anonymous.
    LoginPage,
    /// GET /healthz.
    Healthz,
    /// POST /api/login with the right password (2FA off): Argon2id, a session, a history row.
    PasswordStep,
    /// GET /account/history (50 rows) with a signed-in session.
    HistoryPage,
    /// POST /api/login-history (the server function behind the page).
    HistoryApi,
    /// POST /api/verify-code with the right code, each request for a pending sign-in of
    /// its own: the pending sessions `bench/run` seeds (token i = SHA-256("bench-i"),
    /// code 123456).
    VerifyCode,
}

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:3400")]
    url: String,
    #[arg(long, value_enum)]
    scenario: Scenario,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, default_value = "demo")]
    username: String,
    #[arg(long, default_value = "gatehouse-demo-password")]
    password: String,
    /// Print a line per second: answers by status (0 = no answer), to watch an outage.
    #[arg(long)]
    timeline: bool,
}

/// The next seeded pending sign-in for the verify-code scenario.
static NEXT_PENDING: AtomicU64 = AtomicU64::new(1);

fn seeded_session_cookie() -> String {
    use sha2::Digest;
    let i = NEXT_PENDING.fetch_add(1, Ordering::Relaxed);
    let token = sha2::Sha256::digest(format!("bench-{i}").as_bytes());
    format!("gatehouse_session={}", hex::encode(token))
}

/// A client that keeps the cookies it is given (a signed-in browser), or none (each
/// request a new visitor). Built once per simulated user: building one loads the
/// system's CA store, which would cost more than the request being measured.
fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(cookies)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()
        .unwrap()
}

async fn sign_in(c: &reqwest::Client, a: &Args) {
    let res = c
        .post(format!("{}/api/login", a.url))
        .header("accept", "application/json")
        .form(&[("username", &a.username), ("password", &a.password)])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "sign-in failed: {}",
        res.status()
    );
}

async fn one(c: &reqwest::Client, a: &Args) -> u16 {
    let url = &a.url;
    let res = match a.scenario {
        Scenario::LoginPage => c.get(format!("{url}/login")).send().await,
        Scenario::Healthz => c.get(format!("{url}/healthz")).send().await,
        Scenario::HistoryPage => c.get(format!("{url}/account/history")).send().await,
        Scenario::HistoryApi => {
            c.post(format!("{url}/api/login-history"))
                .header("accept", "application/json")
                .form(&[("page", "1")])
                .send()
                .await
        }
        Scenario::VerifyCode => {
            // No cookie store: each request carries its own pending session.
            c.post(format!("{url}/api/verify-code"))
                .header("accept", "application/json")
                .header("cookie", seeded_session_cookie())
                .form(&[("code", "123456")])
                .send()
                .await
        }
        Scenario::PasswordStep => {
            // No cookie store: no session to replace, as for a new visitor.
            c.post(format!("{url}/api/login"))
                .header("accept", "application/json")
                .form(&[("username", &a.username), ("password", &a.password)])
                .send()
                .await
        }
    };
    match res {
        Ok(r) => {
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            status
        }
        Err(_) => 0,
    }
}

#[tokio::main]
async fn main() {
    let args = std::sync::Arc::new(Args::parse());
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let args = args.clone();
            tokio::spawn(async move {
                let c = client(matches!(
                    args.scenario,
                    Scenario::HistoryPage | Scenario::HistoryApi
                ));
                if matches!(args.scenario, Scenario::HistoryPage | Scenario::HistoryApi) {
                    sign_in(&c, &args).await;
                }
                let mut latencies = Vec::new();
                // (second since start, status) of every answer.
                let mut answers = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let status = one(&c, &args).await;
                    latencies.push(t.elapsed().as_micros() as u64);
                    answers.push((started.elapsed().as_secs(), status));
                }
                (latencies, answers)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut answers = Vec::new();
    for t in tasks {
        let (l, a) = t.await.unwrap();
        all.extend(l);
        answers.extend(a);
    }
    let errors = answers
        .iter()
        .filter(|(_, s)| !(200..300).contains(s))
        .count();
    if args.timeline {
        let mut by_second: BTreeMap<u64, BTreeMap<u16, u64>> = BTreeMap::new();
        for (second, status) in &answers {
            *by_second
                .entry(*second)
                .or_default()
                .entry(*status)
                .or_default() += 1;
        }
        for (second, statuses) in by_second {
            let line: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
            println!("t={second:>3}s  {}", line.join(", "));
        }
    }
    if errors > 0 {
        let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
        for (_, status) in &answers {
            *statuses.entry(*status).or_default() += 1;
        }
        println!("answers by status (0 = no answer): {statuses:?}");
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)] as f64 / 1000.0;
    println!(
        "{} requests in {elapsed:.1} s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, non-2xx {errors}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
    );
}
