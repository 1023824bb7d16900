-- The support console (issue #17): staff accounts, two-factor resets that wait, and an
-- append-only audit log.

-- Only the command line changes a role (`server user role`).
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'customer'
    CHECK (role IN ('customer', 'support'));
-- After support's two-factor reset took effect: the next sign-in sets up a factor before
-- anything else (as GATEHOUSE_REQUIRE_2FA asks of every account).
ALTER TABLE users ADD COLUMN must_set_up_two_factor BOOLEAN NOT NULL DEFAULT false;

-- A two-factor reset started by support: nothing happens before `effective_at`; the
-- customer's email link, a sign-in with a working factor or "This wasn't me" cancel it.
CREATE TABLE support_resets (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    staff_id      BIGINT NOT NULL REFERENCES users(id),
    reason        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    effective_at  TIMESTAMPTZ NOT NULL,
    -- SHA-256 of the cancel link's token.
    cancel_hash   BYTEA NOT NULL UNIQUE,
    cancelled_at  TIMESTAMPTZ,
    cancelled_by  TEXT CHECK (cancelled_by IN ('email_link', 'sign_in', 'this_wasnt_me', 'support')),
    applied_at    TIMESTAMPTZ,
    CHECK (cancelled_at IS NULL OR applied_at IS NULL)
);
-- At most one open reset per customer.
CREATE UNIQUE INDEX support_resets_one_open ON support_resets (user_id)
    WHERE cancelled_at IS NULL AND applied_at IS NULL;
CREATE INDEX support_resets_due ON support_resets (effective_at)
    WHERE cancelled_at IS NULL AND applied_at IS NULL;

-- Every staff action, append-only: who, whom, what, why, when, from where, and how it
-- ended. Names are copied so a row reads the same after an account is renamed or gone.
CREATE TABLE support_audit (
    id                BIGSERIAL PRIMARY KEY,
    at                TIMESTAMPTZ NOT NULL,
    staff_id          BIGINT NOT NULL,
    staff_username    TEXT NOT NULL,
    customer_id       BIGINT,
    customer_username TEXT,
    action            TEXT NOT NULL,
    reason            TEXT NOT NULL,
    ip                TEXT NOT NULL,
    result            TEXT NOT NULL
);
CREATE INDEX support_audit_by_customer ON support_audit (customer_id, id);
CREATE INDEX support_audit_by_staff ON support_audit (staff_id, id);

-- Nothing changes or removes an audit row, whoever asks: a trigger, not only the code.
CREATE FUNCTION support_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'support_audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER support_audit_no_update_or_delete
    BEFORE UPDATE OR DELETE ON support_audit
    FOR EACH ROW EXECUTE FUNCTION support_audit_is_append_only();
CREATE TRIGGER support_audit_no_truncate
    BEFORE TRUNCATE ON support_audit
    FOR EACH STATEMENT EXECUTE FUNCTION support_audit_is_append_only();

-- Support's actions in the customer's own Login History.
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_factor_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_factor_check CHECK (factor IN (
    'password', 'sms_code', 'trusted_device', 'recovery_token', 'email_link',
    'authenticator_app', 'passkey', 'support'));
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check CHECK (outcome IN (
    'signed_in', 'code_sent', 'wrong_password', 'wrong_code', 'expired_code',
    'too_many_attempts', 'locked', 'password_reset', 'password_changed', 'locked_down',
    'passkey_refused', 'support_unlocked', 'support_reset_link', 'support_reset_started',
    'support_reset_cancelled', 'support_reset_done'));
