# Shared by the bench scripts: the release server on its own database, with the demo
# account (2FA off) and 60 history rows.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

PORT="${BENCH_PORT:-3400}"
db="gatehouse_bench"
url="http://127.0.0.1:$PORT"

start_bench_server() {
  ensure_postgres
  [ -x target/release/server ] || die "no release build: run scripts/build first"
  say "Building the benchmark tools (release)"
  cargo build --release --locked -p gatehouse-bench 2>&1 | tail -1

  psql "$GATEHOUSE_PG_SERVER_URL/postgres" -qX -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  export DATABASE_URL="$GATEHOUSE_PG_SERVER_URL/$db"
  # The load generator's sign-ins say which client they stand for (X-Forwarded-For).
  GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32 GATEHOUSE_ENV=dev LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
    RUST_LOG=warn target/release/server serve >/tmp/gatehouse-bench-server.log 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 200); do curl -fs "$url/readyz" >/dev/null && break; sleep 0.1; done
  curl -fs "$url/readyz" >/dev/null || die "the server did not start: see /tmp/gatehouse-bench-server.log"

  # 60 history rows for the demo account, so the history page shows a full 50.
  psql "$DATABASE_URL" -qX -c "INSERT INTO login_attempts (user_id, username_typed, at, ip, user_agent, outcome, factor)
    SELECT id, 'demo', now() - make_interval(mins => g), '203.0.113.' || g, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', 'signed_in', 'password'
    FROM users, generate_series(1, 60) g WHERE username = 'demo'" >/dev/null
}
