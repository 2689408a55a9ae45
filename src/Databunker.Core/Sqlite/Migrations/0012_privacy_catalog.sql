-- Version 12: the privacy catalogue. Published notice versions are immutable: a changed text is a new version,
-- identified by the SHA-256 of its text. privacy_catalog keeps the hash of the last recorded catalogue, so that a
-- change is audited once. Nothing here is personal data.
CREATE TABLE privacy_notices (
    name         TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    content_hash BLOB    NOT NULL,
    text         TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TABLE privacy_catalog (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    hash       BLOB    NOT NULL,
    changed_at INTEGER NOT NULL
);
