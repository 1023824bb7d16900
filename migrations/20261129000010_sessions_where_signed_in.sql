-- "Where you're signed in" (issue #16): each session remembers the browser, the IP and
-- the factor it was signed in with, and gets a public id to sign it out by; the id_hash
-- stays a lookup key that never leaves the server. Rows from before read as unknown.
ALTER TABLE sessions
    ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    ADD COLUMN ip TEXT NOT NULL DEFAULT '',
    ADD COLUMN user_agent TEXT NOT NULL DEFAULT '',
    ADD COLUMN factor TEXT NOT NULL DEFAULT '';
