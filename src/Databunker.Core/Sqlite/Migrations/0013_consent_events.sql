-- Version 13: the consent ledger, append-only. Every decision is a row naming the notice version shown (and the
-- SHA-256 of its text); evidence is sealed under the person's data key. decision: 1 granted, 2 refused,
-- 3 withdrawn, 4 expired; method: 1 form, 2 API, 3 import, 4 Global Privacy Control, 5 system.
CREATE TABLE consent_events (
    id             INTEGER PRIMARY KEY,
    owner          BLOB    NOT NULL,
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

CREATE INDEX ix_consent_events_owner ON consent_events (owner, activity, id);
CREATE INDEX ix_consent_events_expires ON consent_events (expires_at) WHERE decision = 1 AND expires_at IS NOT NULL;
