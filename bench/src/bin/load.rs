//! A small closed-loop HTTP load generator for Gatehouse: `--concurrency` clients each
//! send the scenario's request as soon as the previous answer arrives, for `--seconds`.
//! Prints requests per second and latency percentiles. Server functions are posted the
//! way the hydrated page posts them (form-encoded, `Accept: application/json`).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
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
    /// code 123456, spread over 2,000 accounts), each from an IP of its own
    /// (`X-Forwarded-For: 10.x.y.z`), as customers signing in are: one name and one IP
    /// for them all would measure the lockout's row locks, not the code step.
    VerifyCode,
    /// A full SMS sign-in: POST /api/login then POST /api/verify-code with the texted
    /// code, each sign-in for an account of its own (`cap-1`, `cap-2`, …, 2FA on, phone
    /// +4474 followed by the number in 8 digits, as `bench/capacity` seeds them) and from
    /// an IP of its own (`X-Forwarded-For: 10.x.y.z`, believed when the server trusts
    /// 127.0.0.1 as a proxy). The texts go to a Twilio stand-in in this process
    /// (`--twilio-port`): run the server with `GATEHOUSE_SMS_PROVIDER=twilio` and
    /// `TWILIO_API_BASE=http://127.0.0.1:<port>`. Status 1: no code reached the stand-in.
    #[value(name = "sms-signin")]
    SmsSignIn,
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
    /// History scenarios: this session cookie (`name=value`) instead of a sign-in per client.
    #[arg(long)]
    cookie: Option<String>,
    /// sms-signin: the first account's number (`<prefix><n>`), counting up one a sign-in.
    #[arg(long, default_value_t = 1)]
    first_account: u64,
    /// sms-signin: spread the sign-ins over this many accounts from the first (the k-th
    /// sign-in takes account first + k × 7919 mod span, each once), so that they touch
    /// rows and index pages all over the tables, as customers signing in at random do;
    /// 0: one account after another.
    #[arg(long, default_value_t = 0)]
    accounts_span: u64,
    /// sms-signin: the accounts' username prefix.
    #[arg(long, default_value = "cap-")]
    account_prefix: String,
    /// sms-signin: the port of the Twilio stand-in this process serves on 127.0.0.1.
    #[arg(long, default_value_t = 3499)]
    twilio_port: u16,
}

/// The next seeded pending sign-in for the verify-code scenario.
static NEXT_PENDING: AtomicU64 = AtomicU64::new(1);

/// The next seeded pending sign-in's cookie, and the client IP it signs in from.
fn seeded_session_cookie() -> (String, String) {
    use sha2::Digest;
    let i = NEXT_PENDING.fetch_add(1, Ordering::Relaxed);
    let token = sha2::Sha256::digest(format!("bench-{i}").as_bytes());
    let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    (format!("gatehouse_session={}", hex::encode(token)), ip)
}

/// How many sms-signin sign-ins have begun (which account the next one takes).
static NEXT_ACCOUNT: AtomicU64 = AtomicU64::new(0);

/// The sign-in codes the Twilio stand-in received, by the number they went to.
static TEXTED: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(Default::default);

/// A browser's user agent (the length of a real one matters: it is stored in the
/// session and in each Login History row).
const USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Twilio's Messages API as far as Gatehouse uses it: each POST's `To` and the code in
/// its `Body` are kept for the client waiting for them, and answered 201 with a SID.
/// Plain threads and blocking IO, so the load generator's runtime is not involved.
fn serve_twilio_stand_in(port: u16) {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("the Twilio stand-in cannot listen on port {port}: {e}"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = twilio_connection(stream);
            });
        }
    });
}

fn twilio_connection(stream: std::net::TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    // One request after another on a kept-alive connection.
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let form = String::from_utf8_lossy(&body);
        let field = |name: &str| {
            form.split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == name)
                .map(|(_, v)| form_decode(v))
        };
        if let (Some(to), Some(text)) = (field("To"), field("Body")) {
            if let Some(code) = text.split("code is ").nth(1) {
                let code: String = code.chars().take_while(char::is_ascii_digit).collect();
                TEXTED.lock().unwrap().insert(to, code);
            }
        }
        let answer = r#"{"sid":"SMbench"}"#;
        write!(
            writer,
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        )?;
    }
}

/// `application/x-www-form-urlencoded` value decoding.
fn form_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One full SMS sign-in (see [`Scenario::SmsSignIn`]): the status of the step that
/// failed, or of the code step.
async fn sms_sign_in(c: &reqwest::Client, a: &Args) -> u16 {
    let k = NEXT_ACCOUNT.fetch_add(1, Ordering::Relaxed);
    let n = match a.accounts_span {
        0 => a.first_account + k,
        span => a.first_account + (k % span) * 7919 % span,
    };
    let ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    let username = format!("{}{n}", a.account_prefix);
    let res = c
        .post(format!("{}/api/login", a.url))
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
        .header("x-forwarded-for", &ip)
        .form(&[
            ("username", username.as_str()),
            ("password", a.password.as_str()),
        ])
        .send()
        .await;
    let Ok(res) = res else { return 0 };
    let status = res.status();
    // The pending session's cookie, sent back as a browser would.
    let cookies: Vec<String> = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect();
    let _ = res.bytes().await;
    if !status.is_success() {
        return status.as_u16();
    }
    // Texted on the request path: the code is here before the answer is.
    let Some(code) = TEXTED.lock().unwrap().remove(&format!("+4474{n:08}")) else {
        return 1;
    };
    let res = c
        .post(format!("{}/api/verify-code", a.url))
        .header("accept", "application/json")
        .header("user-agent", USER_AGENT)
        .header("x-forwarded-for", &ip)
        .header("cookie", cookies.join("; "))
        .form(&[("code", code.as_str())])
        .send()
        .await;
    match res {
        Ok(r) => {
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            status
        }
        Err(_) => 0,
    }
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
    let with_cookie = |r: reqwest::RequestBuilder| match &a.cookie {
        Some(cookie) => r.header("cookie", cookie),
        None => r,
    };
    let res = match a.scenario {
        Scenario::LoginPage => c.get(format!("{url}/login")).send().await,
        Scenario::Healthz => c.get(format!("{url}/healthz")).send().await,
        Scenario::HistoryPage => {
            with_cookie(c.get(format!("{url}/account/history")))
                .send()
                .await
        }
        Scenario::HistoryApi => {
            with_cookie(c.post(format!("{url}/api/login-history")))
                .header("accept", "application/json")
                .form(&[("page", "1")])
                .send()
                .await
        }
        Scenario::SmsSignIn => return sms_sign_in(c, a).await,
        Scenario::VerifyCode => {
            // No cookie store: each request carries its own pending session.
            let (cookie, ip) = seeded_session_cookie();
            c.post(format!("{url}/api/verify-code"))
                .header("accept", "application/json")
                .header("cookie", cookie)
                .header("x-forwarded-for", ip)
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
    if matches!(args.scenario, Scenario::SmsSignIn) {
        assert!(
            args.accounts_span % 7919 != 0 || args.accounts_span == 0,
            "--accounts-span must not be a multiple of 7919"
        );
        serve_twilio_stand_in(args.twilio_port);
    }
    // Signed-in clients sign in one after another before the clock starts: the same name
    // signed in to by many at once would reach its lock (the reservations count every
    // attempt in flight), and the sign-ins are not what is measured.
    let history = matches!(args.scenario, Scenario::HistoryPage | Scenario::HistoryApi);
    let signs_in = history && args.cookie.is_none();
    let mut clients = Vec::new();
    for _ in 0..args.concurrency {
        let c = client(signs_in);
        if signs_in {
            sign_in(&c, &args).await;
        }
        clients.push(c);
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|c| {
            let args = args.clone();
            tokio::spawn(async move {
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
        println!("answers by status (0 = no answer, 1 = no code texted): {statuses:?}");
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
