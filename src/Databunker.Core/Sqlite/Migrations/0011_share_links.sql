-- Version 11: share links. The token is stored only as a keyed hash; handle is a random, non-secret name for
-- listing and revoking. recipient and fields are sealed under the owner's data key. reads_left counts down to 0;
-- revoked_at is set by a revocation. Rows stay until they expire, so that a redemption can say why it failed.
CREATE TABLE share_links (
    token_hash BLOB    NOT NULL PRIMARY KEY,
    handle     BLOB    NOT NULL,
    owner      BLOB    NOT NULL,
    recipient  BLOB    NOT NULL,
    fields     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_reads  INTEGER NOT NULL,
    reads_left INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;

CREATE INDEX ix_share_links_owner ON share_links (owner);
CREATE INDEX ix_share_links_expires ON share_links (expires_at);
