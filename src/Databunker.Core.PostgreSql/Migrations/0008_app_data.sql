-- Version 8: app data, one sealed JSON document per person and registered application. The document is sealed
-- under the person's data key with person and application in its associated data. version counts the writes
-- (optimistic concurrency); expires_at is the last write plus the application's retention, NULL for never.
CREATE TABLE app_data (
    owner      bytea  NOT NULL,
    app        text   NOT NULL,
    data       bytea  NOT NULL,
    version    bigint NOT NULL,
    updated_at bigint NOT NULL,
    expires_at bigint,
    PRIMARY KEY (owner, app)
);

CREATE INDEX ix_app_data_expires ON app_data (expires_at) WHERE expires_at IS NOT NULL;
