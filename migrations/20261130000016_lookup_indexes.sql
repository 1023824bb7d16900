-- Indexes bench/capacity found missing at 1,000,000 accounts (docs/performance.md):
-- - Forgot Username / Forgot Password, email changes and support's search find accounts
--   by lower(email): a 316-375 ms parallel scan without this index, 0.1-0.3 ms with it.
-- - Support's search also finds them by the full number.
-- - The sweeper's Login History batch (`at <= now() - 400 days`) walked the whole
--   (user_id, at) index: 19-42 ms per million rows, 0.03 ms with an index on `at`.
-- On a large existing table, build them first with CREATE INDEX CONCURRENTLY under these
-- names; IF NOT EXISTS then makes this migration a no-op instead of a write lock.
CREATE INDEX IF NOT EXISTS users_lower_email ON users (lower(email));
CREATE INDEX IF NOT EXISTS users_phone_e164 ON users (phone_e164) WHERE phone_e164 IS NOT NULL;
CREATE INDEX IF NOT EXISTS login_attempts_at ON login_attempts (at);
