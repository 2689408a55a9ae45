-- Version 2: expirations (data minimisation). The expiration token is stored only as a keyed hash.
-- state: 1 waiting, 2 retained. claim_id/claimed_until: a scheduler pass's hold on a due person.
CREATE TABLE expirations (
    token         bytea   NOT NULL PRIMARY KEY,
    state         integer NOT NULL,
    due_at        bigint  NOT NULL,
    token_hash    bytea UNIQUE,
    claim_id      bytea,
    claimed_until bigint,
    started_at    bigint  NOT NULL,
    updated_at    bigint  NOT NULL
);

CREATE INDEX ix_expirations_due ON expirations (state, due_at);
