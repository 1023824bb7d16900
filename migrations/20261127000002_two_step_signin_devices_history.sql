-- Two-step sign-in (pending sessions and their SMS challenges), trusted devices, and the
-- login history.

-- A session is 'pending' between the password step and the second factor; a pending
-- session can only verify or resend its code.
ALTER TABLE sessions
    ADD COLUMN stage TEXT NOT NULL DEFAULT 'full' CHECK (stage IN ('pending', 'full')),
    -- When the password was last proven in this session (sign-in counts).
    ADD COLUMN authenticated_at TIMESTAMPTZ;
UPDATE sessions SET authenticated_at = created_at;
ALTER TABLE sessions ALTER COLUMN authenticated_at SET NOT NULL;
ALTER TABLE sessions ALTER COLUMN stage DROP DEFAULT;

-- The one-time code of a pending sign-in. Dies with its session.
CREATE TABLE signin_challenges (
    session_hash    BYTEA PRIMARY KEY REFERENCES sessions (id_hash) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256(salt || code); the code itself is never stored.
    code_salt       BYTEA NOT NULL CHECK (length(code_salt) = 16),
    code_hash       BYTEA NOT NULL CHECK (length(code_hash) = 32),
    code_expires_at TIMESTAMPTZ NOT NULL,
    -- Wrong guesses against this sign-in; a resend does not reset it.
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    sends           INTEGER NOT NULL DEFAULT 1 CHECK (sends >= 1),
    last_sent_at    TIMESTAMPTZ NOT NULL,
    consumed_at     TIMESTAMPTZ
);

CREATE TABLE trusted_devices (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- SHA-256 of the 256-bit token in the cookie.
    token_hash   BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    ip           TEXT NOT NULL,
    device       TEXT NOT NULL
);
CREATE INDEX trusted_devices_user_id ON trusted_devices (user_id);

CREATE TABLE login_attempts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL when the username matched no account.
    user_id        BIGINT REFERENCES users (id) ON DELETE CASCADE,
    username_typed TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    ip             TEXT NOT NULL,
    user_agent     TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN (
        'signed_in', 'code_sent', 'wrong_password', 'wrong_code', 'expired_code',
        'too_many_attempts', 'locked')),
    factor         TEXT NOT NULL CHECK (factor IN (
        'password', 'sms_code', 'trusted_device', 'recovery_token'))
);
CREATE INDEX login_attempts_user_at ON login_attempts (user_id, at DESC, id DESC);
