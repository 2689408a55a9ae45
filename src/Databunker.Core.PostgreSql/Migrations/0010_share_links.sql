-- Version 10: share links. The token is stored only as a keyed hash; handle is a random, non-secret name for
-- listing and revoking. recipient and fields are sealed under the owner's data key. reads_left counts down to 0;
-- revoked_at is set by a revocation. Rows stay until they expire, so that a redemption can say why it failed.
CREATE TABLE share_links (
    token_hash bytea   NOT NULL PRIMARY KEY,
    handle     bytea   NOT NULL,
    owner      bytea   NOT NULL,
    recipient  bytea   NOT NULL,
    fields     bytea   NOT NULL,
    created_at bigint  NOT NULL,
    expires_at bigint  NOT NULL,
    max_reads  bigint  NOT NULL,
    reads_left bigint  NOT NULL,
    revoked_at bigint
);

CREATE INDEX ix_share_links_owner ON share_links (owner);
CREATE INDEX ix_share_links_expires ON share_links (expires_at);
