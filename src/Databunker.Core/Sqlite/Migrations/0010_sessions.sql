-- Version 10: sessions. The id is stored only as a keyed hash; handle is a random, non-secret name for listing
-- and ending a session without its id. data and label are sealed under the owner's data key, or, without an
-- owner, under a key derived from the id. expires_at is the earlier of last_seen_at + idle_ms and absolute_at.
CREATE TABLE sessions (
    id_hash      BLOB    NOT NULL PRIMARY KEY,
    handle       BLOB    NOT NULL,
    owner        BLOB,
    data         BLOB    NOT NULL,
    label        BLOB,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_ms      INTEGER NOT NULL,
    absolute_at  INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX ix_sessions_owner ON sessions (owner) WHERE owner IS NOT NULL;
CREATE INDEX ix_sessions_expires ON sessions (expires_at);
