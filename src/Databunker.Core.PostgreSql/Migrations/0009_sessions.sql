-- Version 9: sessions. The id is stored only as a keyed hash; handle is a random, non-secret name for listing
-- and ending a session without its id. data and label are sealed under the owner's data key, or, without an
-- owner, under a key derived from the id. expires_at is the earlier of last_seen_at + idle_ms and absolute_at.
CREATE TABLE sessions (
    id_hash      bytea   NOT NULL PRIMARY KEY,
    handle       bytea   NOT NULL,
    owner        bytea,
    data         bytea   NOT NULL,
    label        bytea,
    version      bigint  NOT NULL,
    created_at   bigint  NOT NULL,
    last_seen_at bigint  NOT NULL,
    idle_ms      bigint  NOT NULL,
    absolute_at  bigint  NOT NULL,
    expires_at   bigint  NOT NULL
);

CREATE INDEX ix_sessions_owner ON sessions (owner) WHERE owner IS NOT NULL;
CREATE INDEX ix_sessions_expires ON sessions (expires_at);
