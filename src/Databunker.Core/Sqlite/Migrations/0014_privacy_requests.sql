-- Version 14: data-subject requests, one row per request changed by compare-and-set on version. The change and the
-- reasons are sealed under the person's data key (a forget removes them with the code hash); type, dates and outcome
-- stay as the record until the due-work pass purges it. type: 1 access ... 7 consent withdrawal; regime: 1 GDPR,
-- 2 CCPA; state: 1 received, 2 verified, 3 awaiting approval, 4 in progress, 5 completed, 6 rejected, 7 cancelled,
-- 8 expired, 9 failed. wake_at: when the pass must next look at the row.
CREATE TABLE privacy_requests (
    id              BLOB    PRIMARY KEY,
    owner           BLOB    NOT NULL,
    type            INTEGER NOT NULL,
    regime          INTEGER NOT NULL,
    state           INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    activity        TEXT,
    received_at     INTEGER NOT NULL,
    acknowledge_by  INTEGER,
    acknowledged_at INTEGER,
    due_at          INTEGER NOT NULL,
    extended        INTEGER NOT NULL,
    verify_by       INTEGER NOT NULL,
    verified_at     INTEGER,
    code_hash       BLOB,
    code_expires_at INTEGER,
    code_attempts   INTEGER NOT NULL,
    codes_sent      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT,
    closed_at       INTEGER,
    outcome         TEXT,
    overdue_at      INTEGER,
    wake_at         INTEGER,
    sealed          BLOB
);

CREATE INDEX ix_privacy_requests_owner ON privacy_requests (owner, received_at);
CREATE INDEX ix_privacy_requests_queue ON privacy_requests (state, due_at, id);
CREATE INDEX ix_privacy_requests_wake ON privacy_requests (wake_at) WHERE wake_at IS NOT NULL;
