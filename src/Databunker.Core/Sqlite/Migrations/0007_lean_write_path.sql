-- Version 7: fewer pages per commit. The audit table keeps its rows in chain order under the sequence number
-- (no AUTOINCREMENT bookkeeping, no separate unique index on seq, no time index: purging reads from the oldest
-- end in sequence order), and indexes by subject only the events that have one. The deterministic-token
-- index holds only deterministic tokens (a UNIQUE column constraint also indexed every random token's NULL).
-- Rotation scans data_keys, so the index on key_version goes. An event's id is now its sequence number.
CREATE TABLE audit_events_v7 (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    operation TEXT    NOT NULL,
    subject   BLOB,
    outcome   TEXT    NOT NULL,
    details   BLOB,
    link      BLOB
);

INSERT INTO audit_events_v7 (seq, at, actor, operation, subject, outcome, details, link)
SELECT seq, at, actor, operation, subject, outcome, details, link FROM audit_events ORDER BY seq;

DROP TABLE audit_events;
ALTER TABLE audit_events_v7 RENAME TO audit_events;
CREATE INDEX ix_audit_events_subject ON audit_events (subject, seq) WHERE subject IS NOT NULL;

CREATE TABLE tokens_v7 (
    token_hash    BLOB    NOT NULL PRIMARY KEY,
    value         BLOB    NOT NULL,
    deterministic BLOB,
    sealed_token  BLOB,
    owner         BLOB,
    expires_at    INTEGER,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO tokens_v7 (token_hash, value, deterministic, sealed_token, owner, expires_at, created_at)
SELECT token_hash, value, deterministic, sealed_token, owner, expires_at, created_at FROM tokens;

DROP TABLE tokens;
ALTER TABLE tokens_v7 RENAME TO tokens;
CREATE UNIQUE INDEX ux_tokens_deterministic ON tokens (deterministic) WHERE deterministic IS NOT NULL;
CREATE INDEX ix_tokens_owner ON tokens (owner) WHERE owner IS NOT NULL;
CREATE INDEX ix_tokens_expires ON tokens (expires_at) WHERE expires_at IS NOT NULL;

DROP INDEX ix_data_keys_version;

-- A person's row lists the hashes of their index entries (32 bytes each) and the lowest key version among them,
-- so that updating or forgetting a person deletes their entries by hash and the blind-index re-key scans the
-- persons table: the index from a person to their entries, one more B-tree written by every create, goes.
ALTER TABLE users ADD COLUMN index_hashes BLOB;
ALTER TABLE users ADD COLUMN index_version INTEGER;
UPDATE users SET
    index_hashes = (SELECT CAST(group_concat(i.hash, '') AS BLOB) FROM user_indexes i WHERE i.token = users.token),
    index_version = (SELECT MIN(i.key_version) FROM user_indexes i WHERE i.token = users.token);
DROP INDEX ix_user_indexes_token;
