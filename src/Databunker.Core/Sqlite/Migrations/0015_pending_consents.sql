-- Version 15: decisions recorded for an email or phone before its person registered, keyed by the blind index of
-- the value (under the current blind-index key); the evidence is sealed under a key derived from the integrity key.
-- A registration, or the due-work pass, moves them into consent_events under the person's key. Also an index for
-- the pass that marks grants given under an older notice version.
CREATE TABLE pending_consents (
    id             INTEGER PRIMARY KEY,
    index_hash     BLOB    NOT NULL,
    activity       TEXT    NOT NULL,
    decision       INTEGER NOT NULL,
    method         INTEGER NOT NULL,
    source         TEXT,
    notice         TEXT    NOT NULL,
    notice_version INTEGER NOT NULL,
    notice_hash    BLOB    NOT NULL,
    at             INTEGER NOT NULL,
    expires_at     INTEGER,
    evidence       BLOB
);

CREATE INDEX ix_pending_consents_hash ON pending_consents (index_hash);
CREATE INDEX ix_pending_consents_at ON pending_consents (at);
CREATE INDEX ix_consent_events_grants ON consent_events (activity, notice_version) WHERE decision = 1;
