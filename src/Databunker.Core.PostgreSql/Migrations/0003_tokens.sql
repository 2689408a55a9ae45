-- Version 3: tokenization. The token is stored only as a keyed hash, the value encrypted under the
-- tokenization key. Deterministic tokens also keep a keyed hash of (scope, format, owner, value) and the
-- token itself, encrypted, to give the same token again.
CREATE TABLE tokens (
    token_hash    bytea  NOT NULL PRIMARY KEY,
    value         bytea  NOT NULL,
    deterministic bytea UNIQUE,
    sealed_token  bytea,
    owner         bytea,
    expires_at    bigint,
    created_at    bigint NOT NULL
);

CREATE INDEX ix_tokens_owner ON tokens (owner) WHERE owner IS NOT NULL;
CREATE INDEX ix_tokens_expires ON tokens (expires_at) WHERE expires_at IS NOT NULL;
