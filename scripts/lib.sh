# Shared by scripts/dev and scripts/test: install what is missing, skip what is there.
# Every step is idempotent and uses only the package registries (crates.io, npm, apt).
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
SQLX_OFFLINE="${SQLX_OFFLINE:-true}"
export SQLX_OFFLINE
# Where build output lives between runs (CI clones the repository afresh each time).
GATEHOUSE_CACHE_DIR="${GATEHOUSE_CACHE_DIR:-$HOME/.cache/gatehouse}"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root for: $*"; fi
}

apt_install() {
  say "Installing $* (apt)"
  if [ -z "${GATEHOUSE_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq
    GATEHOUSE_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_cargo_env() {
  if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain with rustup first"
  export PATH="$HOME/.cargo/bin:$PATH"
}

# Keep the target directory outside the clone so a fresh clone does not cold-build.
ensure_target_dir() {
  if [ -z "${CARGO_TARGET_DIR:-}" ] && [ ! -e target ]; then
    mkdir -p "$GATEHOUSE_CACHE_DIR/target"
    ln -s "$GATEHOUSE_CACHE_DIR/target" target
  fi
}

# Every fresh clone builds its own copies of the workspace crates into the shared target
# dir; drop the debug build when the directory grows past GATEHOUSE_TARGET_MAX_GB (20)
# rather than let it fill the disk. Rebuilding the debug tree takes a few minutes.
prune_target_dir() {
  local dir max_kb size_kb
  dir="$(readlink -f target 2>/dev/null || true)"
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  max_kb=$(( ${GATEHOUSE_TARGET_MAX_GB:-20} * 1024 * 1024 ))
  size_kb="$(du -sk "$dir" 2>/dev/null | cut -f1)"
  if [ "${size_kb:-0}" -gt "$max_kb" ]; then
    say "Target dir is $(( size_kb / 1024 / 1024 )) GB; removing its debug build"
    rm -rf "$dir/debug" "$dir/front/debug"
  fi
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (compiles for ~20 minutes on 2 cores, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
}

# cargo-leptos runs wasm-bindgen from PATH; it must match the crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$\| $want "; then
    say "Installing wasm-bindgen-cli $want (~4 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# wasm-opt (npm's binaryen 132; Debian's 108 builds wasm that never hydrates) and
# Playwright come from package-lock.json.
ensure_node_modules() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/playwright ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing Node tools (npm ci)"
    npm ci --no-audit --no-fund --cache "$GATEHOUSE_CACHE_DIR/npm"
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
}

# PostgreSQL: start it if installed but stopped, install it if missing, and find a way in:
# trust on 127.0.0.1 (as here), or else the postgres user over the Unix socket to set a
# password for local TCP connections.
ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null && ! command -v pg_ctl >/dev/null; then
    apt_install postgresql postgresql-client
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "Starting PostgreSQL"
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
    if [ -n "$version" ]; then
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL is not running on 127.0.0.1:5432 and could not be started.
  Start it yourself (e.g. 'pg_ctlcluster 15 main start') or set GATEHOUSE_PG_SERVER_URL."
  fi
  if [ -z "${GATEHOUSE_PG_SERVER_URL:-}" ]; then
    if psql "postgres://postgres@127.0.0.1:5432/postgres" -qAtX -c 'select 1' >/dev/null 2>&1 </dev/null; then
      GATEHOUSE_PG_SERVER_URL="postgres://postgres@127.0.0.1:5432"
    elif as_root su postgres -c "psql -qAtX -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1; then
      GATEHOUSE_PG_SERVER_URL="postgres://postgres:postgres@127.0.0.1:5432"
    else
      die "cannot connect to PostgreSQL on 127.0.0.1:5432 as 'postgres'.
  Allow it (trust, or a password) and set GATEHOUSE_PG_SERVER_URL=postgres://USER:PASSWORD@127.0.0.1:5432"
    fi
  fi
  psql "$GATEHOUSE_PG_SERVER_URL/postgres" -qAtX -c 'select 1' >/dev/null </dev/null \
    || die "cannot connect to PostgreSQL at $GATEHOUSE_PG_SERVER_URL"
  export GATEHOUSE_PG_SERVER_URL
  export TEST_DATABASE_SERVER_URL="$GATEHOUSE_PG_SERVER_URL"
}

# OpenSSL's headers for webauthn-rs (passkeys), found through pkg-config.
ensure_openssl_dev() {
  if ! pkg-config --exists openssl 2>/dev/null; then
    apt_install libssl-dev pkg-config
  fi
}

ensure_build_tools() {
  ensure_cargo_env
  ensure_openssl_dev
  ensure_target_dir
  prune_target_dir
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_node_modules
}
