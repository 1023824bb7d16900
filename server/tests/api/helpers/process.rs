//! The server binary as a process of its own, for what only a real process shows:
//! `kill -9`, and the port answering while migrations run.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TestDb;

/// A running `server serve`; killed (SIGKILL) when dropped.
pub struct Instance {
    child: Child,
    pub base: String,
}

impl Instance {
    /// Starts the binary in dev mode against `db` with `env` on a free port, and returns
    /// once the port answers `/healthz` (possibly while it still migrates).
    pub async fn start(db: &TestDb, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .arg("serve")
            .env("DATABASE_URL", &db.url)
            .env("GATEHOUSE_ENV", "dev")
            .env("LEPTOS_OUTPUT_NAME", "gatehouse")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("GATEHOUSE_DRAIN_SECONDS", "0")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let instance = Self {
            child: command.spawn().unwrap(),
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if instance.get("/healthz").await.0 == 200 {
                return instance;
            }
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits (up to 30 s) until `/readyz` answers 200: migrated and serving.
    pub async fn ready(self) -> Self {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.get("/readyz").await.0 != 200 {
            assert!(Instant::now() < deadline, "the server never became ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self
    }

    /// GETs `path`: (status, body), or (0, "") if nothing answered.
    pub async fn get(&self, path: &str) -> (u16, String) {
        match reqwest::get(format!("{}{path}", self.base)).await {
            Ok(res) => (res.status().as_u16(), res.text().await.unwrap_or_default()),
            Err(_) => (0, String::new()),
        }
    }

    /// Kills the process and returns everything it logged (standard error).
    pub fn logs(mut self) -> String {
        use std::io::Read;
        self.kill();
        let mut logs = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut logs).unwrap();
        }
        logs
    }

    /// Kills the process with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
