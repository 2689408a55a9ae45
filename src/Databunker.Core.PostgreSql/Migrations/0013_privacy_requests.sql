-- Version 13: data-subject requests, one row per request changed by compare-and-set on version. The change and the
-- reasons are sealed under the person's data key (a forget removes them with the code hash); type, dates and outcome
-- stay as the record until the due-work pass purges it. type: 1 access ... 7 consent withdrawal; regime: 1 GDPR,
-- 2 CCPA; state: 1 received, 2 verified, 3 awaiting approval, 4 in progress, 5 completed, 6 rejected, 7 cancelled,
-- 8 expired, 9 failed. wake_at: when the pass must next look at the row.
CREATE TABLE privacy_requests (
    id              bytea   PRIMARY KEY,
    owner           bytea   NOT NULL,
    type            integer NOT NULL,
    regime          integer NOT NULL,
    state           integer NOT NULL,
    version         bigint  NOT NULL,
    activity        text,
    received_at     bigint  NOT NULL,
    acknowledge_by  bigint,
    acknowledged_at bigint,
    due_at          bigint  NOT NULL,
    extended        boolean NOT NULL,
    verify_by       bigint  NOT NULL,
    verified_at     bigint,
    code_hash       bytea,
    code_expires_at bigint,
    code_attempts   integer NOT NULL,
    codes_sent      integer NOT NULL,
    decided_at      bigint,
    decided_by      text,
    closed_at       bigint,
    outcome         text,
    overdue_at      bigint,
    wake_at         bigint,
    sealed          bytea
);

CREATE INDEX ix_privacy_requests_owner ON privacy_requests (owner, received_at);
CREATE INDEX ix_privacy_requests_queue ON privacy_requests (state, due_at, id);
CREATE INDEX ix_privacy_requests_wake ON privacy_requests (wake_at) WHERE wake_at IS NOT NULL;
