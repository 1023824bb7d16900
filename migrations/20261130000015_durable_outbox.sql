-- The durable outbox (issue #18): every email and notice is written here in the same
-- transaction as the event that causes it, and senders in every instance deliver it.
--
-- What used to be called `outbox` is the development provider's mailbox: where the dev
-- "SMS and email provider" puts what it was asked to deliver (`/dev/outbox` reads both).
ALTER TABLE outbox RENAME TO dev_mailbox;

CREATE TABLE outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient   TEXT NOT NULL,
    subject     TEXT,
    -- The body sealed with GATEHOUSE_SECRET_KEY (a reset link is a secret) when `sealed`,
    -- else UTF-8. Erased once the message is sent or given up; never stored for texted
    -- codes, which are sent on the request path and only recorded here.
    body        BYTEA,
    nonce       BYTEA,
    sealed      BOOLEAN NOT NULL DEFAULT false,
    state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    -- Tries so far; counted when a sender takes the message, before it sends.
    attempts    INT NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    -- When a sender may take it next: now, after a back-off, or (while one is sending)
    -- when that sender's lease runs out, so a sender that died leaves it to another.
    due_at      TIMESTAMPTZ NOT NULL,
    done_at     TIMESTAMPTZ,
    provider_id TEXT,
    last_error  TEXT,
    CHECK ((state = 'queued') = (done_at IS NULL))
);
CREATE INDEX outbox_due ON outbox (due_at) WHERE state = 'queued';
CREATE INDEX outbox_done_at ON outbox (done_at) WHERE state <> 'queued';

-- Wakes the senders (LISTEN outbox) when a queued message commits: NOTIFY inside a
-- transaction is delivered at its commit, and never if it rolls back.
CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_wake AFTER INSERT ON outbox
    FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION outbox_wake();
