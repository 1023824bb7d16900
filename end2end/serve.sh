#!/usr/bin/env bash
# Starts the release server for the end-to-end tests on a database of its own, recreated
# on every run so no test sees another run's data. Run from the workspace root.
set -euo pipefail
server_url="${GATEHOUSE_PG_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
db="gatehouse_e2e"
psql "$server_url/postgres" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
export DATABASE_URL="$server_url/$db"
export GATEHOUSE_ENV=dev
export LEPTOS_ENV=PROD
export LEPTOS_SITE_ADDR="127.0.0.1:${E2E_PORT:-3210}"
export LEPTOS_SITE_ROOT=target/site
# The browser reaches the app as localhost (the passkeys' relying party id; links in
# emails point there too, so their cookies are the tests' cookies).
export GATEHOUSE_PUBLIC_URL="http://localhost:${E2E_PORT:-3210}"
# A short resend cooldown keeps the countdown test quick; the rule itself is tested in Rust.
export GATEHOUSE_RESEND_COOLDOWN_SECONDS=5
# Every test signs in from 127.0.0.1: the per-IP daily SMS cap is tested in Rust.
export GATEHOUSE_SMS_PER_IP_PER_DAY=100000
# Stop at once when Playwright is done: nothing balances load in front of this one.
export GATEHOUSE_DRAIN_SECONDS=0
exec target/release/server serve
