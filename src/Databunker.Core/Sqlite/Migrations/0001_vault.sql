-- Version 1: the vault. Ids are 16-byte blobs, times unix milliseconds.
CREATE TABLE system_keys (
    name        TEXT    NOT NULL PRIMARY KEY,
    key_version TEXT    NOT NULL,
    wrapped     BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
    token      BLOB    NOT NULL PRIMARY KEY,
    profile    BLOB    NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE data_keys (
    owner       BLOB NOT NULL PRIMARY KEY,
    key_version TEXT NOT NULL,
    wrapped     BLOB NOT NULL
) WITHOUT ROWID;

CREATE INDEX ix_data_keys_version ON data_keys (key_version);

CREATE TABLE user_indexes (
    hash  BLOB    NOT NULL PRIMARY KEY,
    kind  INTEGER NOT NULL,
    token BLOB    NOT NULL
) WITHOUT ROWID;

CREATE INDEX ix_user_indexes_token ON user_indexes (token);

CREATE TABLE tombstones (
    token        BLOB    NOT NULL PRIMARY KEY,
    forgotten_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    operation TEXT    NOT NULL,
    subject   BLOB,
    outcome   TEXT    NOT NULL,
    details   BLOB
);

CREATE INDEX ix_audit_events_subject ON audit_events (subject, id);
CREATE INDEX ix_audit_events_at ON audit_events (at);
