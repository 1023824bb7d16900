-- Accounts, server-side sessions, and the development outbox.

CREATE TABLE users (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Normalised (lowercase) by the application; see domain::Username.
    username           TEXT NOT NULL,
    email              TEXT NOT NULL,
    -- E.164, parsed by the application; NULL until a number is set.
    phone_e164         TEXT,
    two_factor_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- Argon2id PHC string; never the password.
    password_hash      TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_username_lowercase CHECK (username = lower(username)),
    CONSTRAINT users_phone_e164 CHECK (phone_e164 IS NULL OR phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT users_two_factor_needs_phone CHECK (NOT two_factor_enabled OR phone_e164 IS NOT NULL)
);

CREATE TABLE sessions (
    -- SHA-256 of the random id in the cookie; the id itself is never stored.
    id_hash      BYTEA PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE outbox (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel   TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient TEXT NOT NULL,
    body      TEXT NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL
);
