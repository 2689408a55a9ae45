-- Version 9: app data, one sealed JSON document per person and registered application. The document is sealed
-- under the person's data key with person and application in its associated data. version counts the writes
-- (optimistic concurrency); expires_at is the last write plus the application's retention, NULL for never.
CREATE TABLE app_data (
    owner      BLOB    NOT NULL,
    app        TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (owner, app)
) WITHOUT ROWID;

CREATE INDEX ix_app_data_expires ON app_data (expires_at) WHERE expires_at IS NOT NULL;
