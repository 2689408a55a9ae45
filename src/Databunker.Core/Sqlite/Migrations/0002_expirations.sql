-- Version 2: expirations (data minimisation). The expiration token is stored only as a keyed hash.
-- state: 1 waiting, 2 retained. claim_id/claimed_until: a scheduler pass's hold on a due person.
CREATE TABLE expirations (
    token         BLOB    NOT NULL PRIMARY KEY,
    state         INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    token_hash    BLOB UNIQUE,
    claim_id      BLOB,
    claimed_until INTEGER,
    started_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX ix_expirations_due ON expirations (state, due_at);
